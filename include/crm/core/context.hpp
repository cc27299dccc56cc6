// crm/core/context.hpp - who is acting: travels with every call so that
// audit entries name the actor and access control can be enforced.
#pragma once

#include <string>

namespace crm {

/// The caller of an operation. `actor` is recorded in audit entries and
/// history ("user:12", "erp-sync"); `source` says where the change came
/// from ("import", "api", "portal").
struct Context {
    std::string actor = "system";
    std::string source = "api";
};

}  // namespace crm
