// crm/customer/custom_field.hpp - custom fields declared per record type
// and the check every write of a custom value goes through.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/value.hpp"

namespace crm {

/// The types of custom values. sheba, bank_card and postal_code are text
/// checked and stored in their canonical form (crm/core/bank.hpp):
/// "IR" and 24 digits, 16 digits, 10 digits.
enum class FieldType {
    text,
    integer,
    decimal,
    money,
    boolean,
    date,
    enumeration,
    multi_enum,
    sheba,
    bank_card,
    postal_code
};

CRM_API const char* to_string(FieldType t) noexcept;
CRM_API result<FieldType> parse_field_type(std::string_view s);

/// The declaration of one custom field of a record type ("party").
struct FieldDef {
    std::string record_type = "party";
    std::string name;    ///< [a-z][a-z0-9_]{0,62}; must not shadow a built-in field
    std::string label;   ///< for people; any language
    FieldType type = FieldType::text;
    bool required = false;
    std::vector<std::string> allowed;          ///< enum and multi-enum members
    std::optional<std::int64_t> min, max;      ///< integer bounds; text length bounds
    std::string currency;                      ///< money fields: required currency, or empty
};

/// Validates a declaration (name syntax, enum members present and unique,
/// bounds ordered). Errors name the declaration's field.
CRM_API result<void> validate(const FieldDef& def);

/// Checks and canonicalises one value against its declaration: a decimal
/// becomes canonical text ("12.50" -> "12.5"), a date "YYYY-MM-DD", an
/// enum member must be allowed. `path` names the field in errors
/// ("custom.tier").
CRM_API result<Value> check_value(const FieldDef& def, const Value& value, std::string_view path);

/// The text form of a value that check_value reads back: "" for null,
/// "true"/"false", digits, the text itself, "12.50 IRR" for money, list
/// members joined by ';'. What CSV export writes.
CRM_API std::string value_text(const Value& value);

}  // namespace crm
