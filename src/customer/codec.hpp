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
json to_json(const Money& m);
json to_json(const Value& v);
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
json to_json(const ClvScore& s);
json to_json(const FieldDef& f);
json to_json(const SearchHit& h);
json to_json(const DuplicatePair& d);
json to_json(const AuditEntry& a);
json to_json(const Event& e);

// ---- strict readers of the customer records (core/json_read.hpp: the generic ones)
result<Value> value_from_json(const json& j, std::string_view path);
result<Money> money_from_json(const json& j, std::string_view path);
/// The "custom" object of a stored record or a request; errors name
/// "<path>.custom.<name>".
result<CustomValues> custom_of(const json& j, std::string_view path);

/// The money object at `key` of `j`, or nothing when absent or null.
result<std::optional<Money>> optional_money(const json& j, std::string_view key,
                                            std::string_view path);
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
