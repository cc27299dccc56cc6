// records/schema.cpp - the list of the contexts' schema parts in the order their steps are applied.
//
// No step reads or references a table of another context in the same
// version, so any order is valid today; this one puts the contexts that
// others refer to by id first: parties (customer), then stored definitions
// (process) before the sales records that follow them, then service and
// marketing, and the audit log and outbox last.

#include "records/schema.hpp"

#include "audit/store/schema.hpp"
#include "customer/store/schema.hpp"
#include "marketing/store/schema.hpp"
#include "process/store/schema.hpp"
#include "sales/store/schema.hpp"
#include "service/store/schema.hpp"
#include "storage/schema.hpp"

namespace crm {

std::span<const storage::SchemaPart> crm_schema() noexcept {
    static const storage::SchemaPart parts[] = {
        {"customer", customer_migrations()},
        {"process", process_migrations()},
        {"sales", sales_migrations()},
        {"service", service_migrations()},
        {"marketing", marketing_migrations()},
        {"audit", audit_migrations()},
    };
    return parts;
}

}  // namespace crm
