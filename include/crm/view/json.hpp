// crm/view/json.hpp - the JSON text form of the 360 view: the same form
// the "customer.view" command, the C ABI and crmctl --json speak.
#pragma once

#include <string>

#include "crm/view/customer_360.hpp"

namespace crm::json {

CRM_API std::string to_json(const Customer360&);

}  // namespace crm::json
