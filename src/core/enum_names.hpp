// src/core/enum_names.hpp - one table per enum gives both its to_string and
// its parse, so the text forms cannot drift apart.
#pragma once

#include <string>
#include <string_view>

#include "crm/core/error.hpp"
#include "crm/core/text.hpp"

namespace crm::detail {

template <class E, std::size_t N>
const char* enum_name(const std::pair<E, const char*> (&table)[N], E v) noexcept {
    for (const auto& [e, name] : table)
        if (e == v) return name;
    return "unknown";
}

template <class E, std::size_t N>
result<E> enum_parse(const std::pair<E, const char*> (&table)[N], std::string_view s,
                     std::string_view field) {
    for (const auto& [e, name] : table)
        if (s == name) return e;
    std::string allowed;
    for (const auto& [e, name] : table) {
        if (!allowed.empty()) allowed += ", ";
        allowed += name;
    }
    return fail(errc::invalid_argument,
                "'" + text::excerpt(s, 40) + "' is not one of: " + allowed,
                std::string(field));
}

}  // namespace crm::detail

// Defines to_string(E) and a parse function from one table of pairs.
#define CRM_ENUM_NAMES(E, parse_fn, ...)                                                  \
    namespace {                                                                           \
    const std::pair<E, const char*> k##parse_fn##_names[] = {__VA_ARGS__};                \
    }                                                                                     \
    const char* to_string(E v) noexcept { return detail::enum_name(k##parse_fn##_names, v); } \
    result<E> parse_fn(std::string_view s, std::string_view field) {                      \
        return detail::enum_parse(k##parse_fn##_names, s, field);                         \
    }
