// crm/customer/json.hpp - the JSON text form of every public record of the
// customer context: the same form the C ABI and crmctl --json speak.
#pragma once

#include <string>
#include <string_view>

#include "crm/core/audit.hpp"
#include "crm/customer/custom_field.hpp"
#include "crm/customer/party.hpp"
#include "crm/customer/purchase.hpp"
#include "crm/customer/timeline.hpp"
#include "crm/customer/view.hpp"

namespace crm::json {

CRM_API std::string to_json(const Party&);
CRM_API std::string to_json(const ContactPoint&);
CRM_API std::string to_json(const Membership&);
CRM_API std::string to_json(const Interaction&);
CRM_API std::string to_json(const Activity&);
CRM_API std::string to_json(const Purchase&);
CRM_API std::string to_json(const FieldDef&);
CRM_API std::string to_json(const SearchHit&);
CRM_API std::string to_json(const DuplicatePair&);
CRM_API std::string to_json(const AuditEntry&);
CRM_API std::string to_json(const Event&);

/// Readers of the inputs; unknown fields, wrong types and invalid values
/// fail with the JSON path of the offending field.
CRM_API result<PartyInput> party_input_from_json(std::string_view text);
CRM_API result<Interaction> interaction_from_json(std::string_view text);
CRM_API result<Activity> activity_from_json(std::string_view text);
CRM_API result<Purchase> purchase_from_json(std::string_view text);
CRM_API result<FieldDef> field_def_from_json(std::string_view text);

}  // namespace crm::json
