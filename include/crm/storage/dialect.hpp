// crm/storage/dialect.hpp - the few places where the SQL of one database
// differs from another's, for the queries written once above it (the rule
// compiler's WHERE fragments, each context's repository). SQLite's is the
// one this build ships; another database adds its own instance.
#pragma once

#include <string>
#include <string_view>

#include "crm/core/export.hpp"

namespace crm::storage {

/// A SQL dialect. Every function returns SQL text built only from its
/// arguments, which are SQL expressions or JSON paths this library wrote,
/// never from a user's value (those travel as parameters), and names its
/// arguments in the order given, so that their parameters keep their order.
struct Dialect {
    std::string_view name;  ///< "sqlite"
    /// The scalar at `path` ("$.a.b") of the JSON text `json`, as SQL
    /// text or number; NULL when absent.
    std::string (*json_value)(std::string_view json, std::string_view path);
    /// The number of elements of the JSON array `json`; NULL for NULL.
    std::string (*json_array_length)(std::string_view json);
    /// A FROM item iterating the elements of the JSON array `json` as
    /// rows of `alias`; each element's scalar is json_element(alias).
    std::string (*json_elements)(std::string_view json, std::string_view alias);
    std::string (*json_element)(std::string_view alias);
    /// 1-based position of `needle` in `haystack`, 0 when absent.
    std::string (*position)(std::string_view haystack, std::string_view needle);
};

/// SQLite's dialect: json_extract, json_each, instr, `?` placeholders.
CRM_API const Dialect& sqlite_dialect() noexcept;

}  // namespace crm::storage
