// src/core/json_text.hpp - JSON text written straight into a string, for
// the hot paths that must not build a JSON tree (a party's public JSON, the
// SQLite backend's columns). Inputs are valid UTF-8 (checked on entry).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/id.hpp"
#include "crm/core/time.hpp"
#include "crm/core/value.hpp"

namespace crm::json_text {

/// A JSON string literal of `s`, quotes included.
void append_json_string(std::string& out, std::string_view s);
void append_int(std::string& out, std::int64_t v);
/// {"minor":N,"currency":"IRR"}
void append_money(std::string& out, const Money& m);
/// ["a","b"]
void append_strings(std::string& out, const std::vector<std::string>& list);
/// null, true/false, an integer, "text", a money object or ["a","b"].
void append_value(std::string& out, const Value& v);
/// {"name":value,...}
void append_custom(std::string& out, const CustomValues& custom);

/// The JSON text of one value, as a record's field lists hold it.
std::string quoted(std::string_view s);
std::string id_text(const Id& id);        ///< null when nil
std::string time_text(Timestamp t);       ///< the ISO 8601 string
std::string time_text(const std::optional<Timestamp>& t);  ///< null when unset
std::string money_text(const std::optional<Money>& m);     ///< null when unset
std::string strings_text(const std::vector<std::string>& list);
std::string custom_text(const CustomValues& custom);

}  // namespace crm::json_text
