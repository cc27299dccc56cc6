// crm/expr/expr.hpp - crm::expr, the one rule language (segments, guards,
// SLA selection, assignment, scoring): load, write back, evaluate in memory.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/time.hpp"
#include "crm/core/value.hpp"
#include "crm/expr/schema.hpp"

namespace crm::expr {

// ---- the JSON form (canonical and stable; docs/decisions/0008) -------------
//
// A rule is a condition. Conditions:
//   {"and":[c, ...]}  {"or":[c, ...]}  {"not":c}      ("and":[] is true, "or":[] false)
//   {"eq":[a,b]} {"ne":[a,b]} {"lt":[a,b]} {"le":[a,b]} {"gt":[a,b]} {"ge":[a,b]}
//   {"in":[a,[literal, ...]]}        a equals one of the literals; for a text
//                                    list, one of its elements does
//   {"between":[a,low,high]}         low <= a <= high
//   {"contains":[a,b]}               text a contains text b; a text list has
//                                    an element equal to b
//   {"starts_with":[a,b]}            text a (a list: one of its elements) starts with b
//   {"is_empty":{"field":"x"}}       missing, blank text, or an empty list
//   true, false, or a boolean field {"field":"vip"}
// Operands (a, b, low, high):
//   {"field":"custom.tier"}  "text"  42  12.5  true  {"decimal":"12.50"}
//   {"money":"1500000","currency":"IRR"}      amount in major units
//   {"timestamp":"2024-03-20T10:15:00Z"}
//   {"date":"1370-01-01","calendar":"jalali"} (calendar defaults to gregorian)
//   {"now":"-30d"}  now moved by [+-]N min|h|d|w (fixed lengths) or mo
//                   (calendar months, day clamped to the month's end); may
//                   carry "calendar" and "time_zone" for months
//   {"start_of":"month","offset":-1,"calendar":"jalali","time_zone":"Asia/Tehran"}
//                   start of the day|week|month|quarter|year containing now,
//                   moved by offset periods (0 this, -1 previous, +1 next)
// Calendar names: "gregorian" (the default), "jalali". Time zones are IANA
// names; without one, the Context's zone is used.
//
// Text is compared by its crm::text::normalize key (case, Arabic/Persian
// letter forms, digits, spaces). Numbers compare exactly: an integer with a
// decimal by value. Money compares only within one currency.
//
// Missing values (two-valued logic): a comparison, in, between, contains
// or starts_with with a missing operand is false, ne included; text whose
// key is empty ("", "  ") and a decimal that is not a number count as
// missing; a money value in another currency than the one it is compared
// with is not comparable, so false as well. is_empty is true for missing,
// blank text and []. not inverts: {"not":{"eq":[{"field":"city"},"x"]}}
// holds for a party without a city.
//
// ---- the text form (small; parsed to the same JSON) -------------------------
//   city = "تهران" and created_at > now - 30d and tags contains "vip"
//   not (stage in ["lead", "prospect"]) or custom.credit >= 1500000 IRR
//   created_at >= start of previous jalali month in "Asia/Tehran"
//   custom.birthday < date "1370-01-01" jalali  and custom.tier is not empty
// Operators: = != < <= > >= in between..and contains starts_with
// "is empty" "is not empty"; not > and > or; parentheses; keywords are lower
// case (`not (x in [...])`, there is no `not in`). Literals: "text"
// (\" and \\ escape), 42, -1.5, 1500000 IRR, true, false, date "..." [jalali],
// timestamp "...", now [+|- N unit] [jalali], start of [this|previous|next]
// [jalali] period, each time optionally followed by in "Zone". Errors name
// the character offset as field "@17".

/// A loaded, type-checked rule. Immutable; copies share the tree and are
/// cheap; safe to use from many threads. A default-constructed Expr is the
/// condition `true`.
class CRM_API Expr {
public:
    Expr();

    /// Parses the JSON form and type-checks it against `schema`. Fails with
    /// parse for malformed JSON text, and with invalid_argument for an
    /// unknown operator or field, wrong arity, operand types that do not
    /// fit, a bad literal, a currency mismatch, or input that is too large
    /// (more than 64 nested conditions, 10,000 nodes or 1 MiB of text);
    /// error::field is the JSON path of the bad node ("$.and[1].gt[0]").
    static result<Expr> from_json(std::string_view json, const Schema& schema);
    /// Parses the text form into the same tree. Syntax errors are parse
    /// errors, type errors invalid_argument; both name the character offset
    /// of the bad part in error::field ("@17").
    static result<Expr> from_text(std::string_view text, const Schema& schema);

    /// The canonical JSON form; from_json of it gives the same rule.
    std::string to_json() const;
    /// The fields the rule reads, sorted, each once.
    std::vector<std::string> fields() const;

    struct Tree;  // the internal tree (src/expr/ast.hpp)

private:
    friend struct Access;
    explicit Expr(std::shared_ptr<const Tree> tree) noexcept;
    std::shared_ptr<const Tree> tree_;
};

/// How evaluation reads a record. get() returns the field's value in the
/// form the table above gives for its type, or std::monostate when missing;
/// a value of another alternative is treated as missing.
class CRM_API Record {
public:
    virtual ~Record();
    virtual Value get(std::string_view field) const = 0;
    /// The field's value where the record holds one to point at (no copy),
    /// living as long as the record is not changed; nullptr: ask get().
    virtual const Value* find(std::string_view field) const {
        (void)field;
        return nullptr;
    }
    /// Records laid out as a Schema's fields (RowRecord) answer their
    /// layout and the value at a field's position; others 0 and nullptr.
    virtual std::uint64_t layout() const noexcept { return 0; }
    virtual const Value* at(std::uint32_t slot) const noexcept {
        (void)slot;
        return nullptr;
    }
};

/// A record laid out as a Schema's fields, each value at its field's
/// position in Schema::fields(): a rule loaded against a schema of the same
/// layout reads it by position, without looking names up. For hosts that
/// evaluate many rules over many records. The Schema must outlive it.
class CRM_API RowRecord final : public Record {
public:
    explicit RowRecord(const Schema& schema);
    /// Sets a field by name; invalid_argument naming "field" when the
    /// schema has no such field.
    result<void> set(std::string_view field, Value value);
    /// The value at position `slot` of the schema's fields (unchecked).
    Value& operator[](std::size_t slot) noexcept { return values_[slot]; }
    Value get(std::string_view field) const override;
    const Value* find(std::string_view field) const override;
    std::uint64_t layout() const noexcept override { return layout_; }
    const Value* at(std::uint32_t slot) const noexcept override {
        return slot < values_.size() ? &values_[slot] : nullptr;
    }

private:
    const Schema* schema_;
    std::uint64_t layout_;
    std::vector<Value> values_;
};

/// A Record held in a map: for tests, hosts and computed records.
class CRM_API MapRecord final : public Record {
public:
    std::map<std::string, Value, std::less<>> values;
    Value get(std::string_view field) const override;
    const Value* find(std::string_view field) const override;
};

/// What relative times are measured from.
struct Context {
    Timestamp now;                          ///< read from the Engine's crm::Clock
    std::string time_zone = "Asia/Tehran";  ///< for relative times that name none
};

/// A rule bound to a Context: its relative times (now - 30d, start of
/// month) are computed once, so matching a record is pure and cheap.
/// Immutable and thread-safe once made.
class CRM_API Matcher {
public:
    /// Fails with invalid_argument when a relative time needs the Context's
    /// zone and it is unknown (field "time_zone"; `now` +- min/h/d/w needs
    /// none), or when a relative time falls outside its calendar's
    /// supported years (field "now").
    static result<Matcher> make(const Expr& expr, const Context& context);
    bool matches(const Record& record) const;

private:
    Matcher(Expr expr, std::vector<std::int64_t> times) noexcept;
    Expr expr_;
    std::vector<std::int64_t> times_;  // per node: the instant of now / start_of nodes
};

/// One-shot evaluation: Matcher::make(expr, context) then matches(record).
CRM_API result<bool> evaluate(const Expr& expr, const Record& record, const Context& context);

}  // namespace crm::expr
