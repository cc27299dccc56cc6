// src/customer/codec.hpp - JSON forms of the customer context's records
// (nlohmann::json inside the library only), and their strict readers.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/json_read.hpp"
#include "crm/core/audit.hpp"
#include "crm/customer/custom_field.hpp"
#include "crm/customer/party.hpp"
#include "crm/customer/purchase.hpp"
#include "crm/customer/timeline.hpp"
#include "crm/customer/view.hpp"

namespace crm::codec {

// ---- writers -------------------------------------------------------------
json to_json(const Id& id);  // null when nil
json to_json(const Money& m);
json to_json(const Value& v);
json to_json(const SegmentMembership& m);
json to_json(const LoyaltyStatus& s);
json to_json(const CampaignMember& m);
json to_json(const CustomValues& v);
json to_json(const Consent& c);
json to_json(const ContactPoint& c);
json to_json(const Party& p);
json to_json(const Membership& m);
json to_json(const Interaction& i);
json to_json(const Activity& a);
json to_json(const PurchaseLine& l);
json to_json(const Purchase& p);
json to_json(const PurchaseSummary& s);
json to_json(const FieldDef& f);
json to_json(const Customer360& v);
/// The JSON text of one part of a 360 view kept in the catalogue's JSON
/// form ("open_opportunities", "open_leads", "open_quotes", "open_tickets":
/// arrays; "last_csat", "last_nps": an object or null; anything else:
/// "[]"), for bindings that hand records on as parsed JSON.
std::string view_part_json(const Customer360& v, std::string_view which);
json to_json(const SearchHit& h);
json to_json(const DuplicatePair& d);
json to_json(const AuditEntry& a);
json to_json(const Event& e);
json time_json(Timestamp t);

// ---- strict readers of the customer records (core/json_read.hpp: the generic ones)
result<Value> value_from_json(const json& j, std::string_view path);
result<Money> money_from_json(const json& j, std::string_view path);
result<Consent> consent_from_json(const json& j, std::string_view path);
result<ContactInput> contact_input_from_json(const json& j, std::string_view path);
result<PartyInput> party_input_from_json(const json& j, std::string_view path = "");
result<Interaction> interaction_from_json(const json& j, std::string_view path = "");
result<Activity> activity_from_json(const json& j, std::string_view path = "");
result<Purchase> purchase_from_json(const json& j, std::string_view path = "");
result<FieldDef> field_def_from_json(const json& j, std::string_view path = "");
result<SearchQuery> search_query_from_json(const json& j, std::string_view path = "");
result<DuplicateOptions> duplicate_options_from_json(const json& j, std::string_view path = "");
result<MergeRules> merge_rules_from_json(const json& j, std::string_view path = "");

}  // namespace crm::codec
