// src/commands/request.hpp - small readers and writers the command handlers
// share: required ids, limits, list responses, and error paths rebased from
// the Engine's record-relative names to the request's JSON paths.
#pragma once

#include <climits>
#include <string>
#include <string_view>
#include <vector>

#include "commands/catalogue.hpp"
#include "customer/codec.hpp"

namespace crm::commands {

/// The id under `key`, which must be present.
inline result<Id> required_id(const json& request, std::string_view key) {
    CRM_TRY(id, codec::get_id(request, key, ""));
    if (!id) return fail(errc::invalid_argument, "is required", std::string(key));
    return *id;
}

/// The text under `key`, which must be present.
inline result<std::string> required_string(const json& request, std::string_view key,
                                           std::size_t max_bytes = 1024) {
    CRM_TRY(s, codec::get_string(request, key, "", max_bytes));
    if (!s) return fail(errc::invalid_argument, "is required", std::string(key));
    return std::move(*s);
}

/// An integer option clamped into int: the Engine checks its own range and
/// names the field, so a huge value is reported, not wrapped.
inline result<int> int_or(const json& request, std::string_view key, int fallback) {
    CRM_TRY(v, codec::get_int(request, key, ""));
    if (!v) return fallback;
    if (*v > INT_MAX) return INT_MAX;
    if (*v < INT_MIN) return INT_MIN;
    return static_cast<int>(*v);
}

/// {"items": [...]} of any records the codec writes.
template <class T>
json items(const std::vector<T>& records) {
    json list = json::array();
    for (const auto& r : records) list.push_back(codec::to_json(r));
    return json{{"items", std::move(list)}};
}

/// Moves an Engine error under the request key that holds the record the
/// Engine was given ("city" -> "changes.city"). Context errors stay put.
inline error rebase(error e, std::string_view prefix) {
    if (e.field.empty() || e.field.rfind("context", 0) == 0) return e;
    e.field = codec::join(prefix, e.field);
    return e;
}

/// Renames an error's field when it is exactly `from`.
inline error rename(error e, std::string_view from, std::string_view to) {
    if (e.field == from) e.field = std::string(to);
    return e;
}

}  // namespace crm::commands
