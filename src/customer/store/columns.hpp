// customer/store/columns.hpp - the JSON texts the repositories store in
// columns: tags, custom values, contact points, purchase lines.
#pragma once

#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/value.hpp"
#include "crm/customer/party.hpp"
#include "crm/customer/purchase.hpp"

#include "core/json_text.hpp"

namespace crm::columns {

// Encoders are hand-written (they run on every bulk write and must not
// allocate a JSON tree); decoders use nlohmann/json. Decoding failures are
// storage errors naming `what`, because the text came from the database.

using json_text::append_custom;
using json_text::append_int;
using json_text::append_json_string;
using json_text::append_money;
using json_text::append_strings;
using json_text::append_value;

/// ["a","b"]
std::string encode_strings(const std::vector<std::string>& v);
result<std::vector<std::string>> decode_strings(std::string_view json, std::string_view what);

/// {"name": value, ...}
std::string encode_custom(const CustomValues& custom);
result<CustomValues> decode_custom(std::string_view json, std::string_view what);

/// A party's contact points, in order: [{"id":..,"kind":"email","type":..,
/// "value":..,"primary":true,"verified":false,"operator":..,"consents":
/// [{"channel":"sms","status":"opt_in","at":ms,"source":..}]}].
std::string encode_contacts(const std::vector<ContactPoint>& contacts);
result<std::vector<ContactPoint>> decode_contacts(std::string_view json, std::string_view what);
/// The (kind name, contact_index_key) pairs of an encoded contact list: the
/// rows contact_key holds for it.
result<std::vector<std::pair<std::string, std::string>>> contact_keys(std::string_view json,
                                                                      std::string_view what);

/// [{"sku":..,"name":..,"quantity":N,"unit_price":money,"total":money}]
std::string encode_lines(const std::vector<PurchaseLine>& lines);
result<std::vector<PurchaseLine>> decode_lines(std::string_view json, std::string_view what);

}  // namespace crm::columns
