// crm/core/value.hpp - a typed value of a custom field (and, later, of a
// rule-language literal): null, boolean, integer, text, money or a list.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "crm/core/money.hpp"

namespace crm {

/// Decimals, dates ("YYYY-MM-DD") and enum members travel as canonical
/// text; the field's declared type says how to read them.
using Value = std::variant<std::monostate, bool, std::int64_t, std::string, Money,
                           std::vector<std::string>>;

/// Custom field values of one record, by field name.
using CustomValues = std::map<std::string, Value>;

inline bool is_null(const Value& v) noexcept { return std::holds_alternative<std::monostate>(v); }

}  // namespace crm
