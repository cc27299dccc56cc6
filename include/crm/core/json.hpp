// crm/core/json.hpp - checking JSON text as the library reads it, for hosts
// that read a document themselves before handing it on (crmctl reads the
// files named on its command line this way).
#pragma once

#include <string_view>

#include "crm/core/error.hpp"

namespace crm::json {

/// Checks that `text` is JSON the library would read: valid UTF-8 and
/// JSON (parse naming `what` and the byte offset), within
/// crm/core/limits.hpp: at most limits::request_bytes, nested at most
/// limits::json_depth deep, at most limits::json_values values
/// (invalid_argument naming `what`), and no key twice in one object
/// (invalid_argument naming the key's path). It stops at the first
/// excess, so its memory does not grow with what lies beyond a limit.
CRM_API result<void> check(std::string_view text, std::string_view what = "request");

}  // namespace crm::json
