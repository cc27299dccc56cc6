// crm/expr/schema.hpp - the types of the rule language and the Schema of a
// record type: which fields a rule may name, and the type of each.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/customer/custom_field.hpp"

namespace crm::expr {

/// The value types of the rule language. Missing (null) is a state of a
/// value, not a type: any field may be missing in a record.
///
/// | type      | in memory (crm::Value)               | literal (JSON)                      |
/// |-----------|--------------------------------------|-------------------------------------|
/// | boolean   | bool                                 | true / false                        |
/// | integer   | std::int64_t                         | 42                                  |
/// | decimal   | canonical text "12.5" (or int64)     | {"decimal":"12.50"} or 12.5         |
/// | text      | std::string (compared normalised)    | "تهران"                             |
/// | money     | crm::Money (minor units + currency)  | {"money":"1500000","currency":"IRR"}|
/// | timestamp | std::int64_t, UTC milliseconds       | {"timestamp":"2024-03-20T10:00:00Z"}|
/// | date      | Gregorian text "YYYY-MM-DD"          | {"date":"1370-01-01","calendar":"jalali"} |
/// | text_list | std::vector<std::string>             | only as the list of `in`            |
enum class Type { boolean, integer, decimal, text, money, timestamp, date, text_list };

/// "boolean", "integer", "decimal", "text", "money", "timestamp", "date", "text_list".
CRM_API const char* to_string(Type t) noexcept;

/// One field a rule may name.
struct Field {
    /// Lower-case segments joined by dots: "city", "custom.tier", "purchases.count".
    std::string name;
    Type type = Type::text;
    /// Money fields: the ISO 4217 code every value of the field is in, so a
    /// literal in another currency is rejected when the rule is loaded.
    /// Empty when values carry their own currency (checked per value).
    std::string currency;
    /// Text and text-list fields holding enum members: when set, a text
    /// literal compared with the field must be one of these (normalised),
    /// so a misspelt member is an error instead of a rule matching nothing.
    std::vector<std::string> allowed;
};

/// The fields of one record type ("party"): built-in fields, custom fields
/// as "custom.<name>", and later related aggregates ("purchases.count").
/// A plain value; copy it freely. Not thread-safe for concurrent add().
class CRM_API Schema {
public:
    /// Adds a field. Fails with invalid_argument when the name is malformed
    /// (field "name"), already present ("name"), a money currency is not
    /// ISO 4217 or is given for another type ("currency"), or allowed
    /// values are given for a type other than text and text_list ("allowed").
    result<void> add(Field field);
    /// Shorthand for add(Field{name, type, currency}).
    result<void> add(std::string name, Type type, std::string currency = {});
    /// Adds a custom field as "custom.<name>": text -> text, integer,
    /// decimal, boolean, date and money (with the field's currency) as
    /// themselves, enumeration -> text and multi_enum -> text_list, both
    /// with their allowed members.
    result<void> add_custom(const FieldDef& def);

    /// The field of that name, or nullptr.
    const Field* find(std::string_view name) const noexcept;
    /// All fields, in the order they were added.
    const std::vector<Field>& fields() const noexcept { return fields_; }
    /// The position of a field in fields(), or -1.
    int slot(std::string_view name) const noexcept;
    /// An identity of the field list (names and types, in order), never 0:
    /// a rule loaded against a schema reads a RowRecord of a schema with
    /// the same layout by position instead of by name.
    std::uint64_t layout() const noexcept;

private:
    std::vector<Field> fields_;
    std::map<std::string, std::size_t, std::less<>> index_;
    std::uint64_t layout_ = 14695981039346656037ULL;
};

}  // namespace crm::expr
