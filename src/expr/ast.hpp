// src/expr/ast.hpp - the internal tree of a loaded rule (a flat array of
// type-checked nodes) and the helpers every expr source file shares.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/calendar.hpp"
#include "crm/expr/expr.hpp"

namespace crm::expr {

enum class Op : std::uint8_t {
    // operands
    lit_bool, lit_int, lit_decimal, lit_text, lit_money, lit_timestamp, lit_date, lit_list,
    field, now, start_of,
    // conditions
    eq, ne, lt, le, gt, ge, in, between, contains, starts_with, is_empty, all, any, negate,
};

enum class Unit : std::uint8_t { minute, hour, day, week, month };

/// One node. Children are Tree::kids[first, first + count); a child always
/// has a smaller index than its parent, and the root is the last node.
struct Node {
    Op op = Op::lit_bool;
    /// Operands: their value type (a list: its elements'). Conditions: boolean.
    Type type = Type::boolean;
    std::uint32_t first = 0, count = 0;
    /// lit_bool 0/1, lit_int, lit_money minor units, lit_timestamp ms,
    /// now: the amount of `unit`, start_of: the offset in periods.
    std::int64_t num = 0;
    /// As written (canonical): text literal, decimal, money amount in major
    /// units, date in its calendar; field name; time zone name.
    std::string text;
    /// Comparison key: text -> normalize(text); decimal -> decimal_key;
    /// date -> Gregorian "YYYY-MM-DD".
    std::string key;
    /// Money literal's currency; money field's fixed currency (may be empty).
    std::string currency;
    Unit unit = Unit::day;
    Period period = Period::day;
    CalendarSystem calendar = CalendarSystem::gregorian;
    bool has_calendar = false;  // written in the rule (kept for to_json)
    bool has_zone = false;      // `text` holds the zone name
    std::uint32_t slot = 0;     // field: its position in the schema's fields
};

struct Expr::Tree {
    std::vector<Node> nodes;
    std::vector<std::uint32_t> kids;
    std::uint64_t layout = 0;  // the schema's layout (Schema::layout) it was loaded against
    std::uint32_t root() const noexcept { return static_cast<std::uint32_t>(nodes.size() - 1); }
    const Node& kid(const Node& n, std::uint32_t i) const { return nodes[kids[n.first + i]]; }
    std::uint32_t kid_index(const Node& n, std::uint32_t i) const { return kids[n.first + i]; }
};

/// The friend of Expr and Matcher that the implementation files go through.
struct Access {
    static const Expr::Tree& tree(const Expr& e) noexcept { return *e.tree_; }
    static Expr make(std::shared_ptr<const Expr::Tree> t) noexcept { return Expr(std::move(t)); }
};

constexpr std::size_t kMaxDepth = 64;
constexpr std::size_t kMaxNodes = 10'000;
constexpr std::size_t kMaxJsonBytes = 1 << 20;
constexpr std::int64_t kMaxOffset = 1000;          // start_of periods
constexpr std::int64_t kMaxMonths = 12'000;        // now +- N mo
constexpr std::int64_t kMaxAmount = 100'000'000;   // now +- N min|h|d|w

/// An order-preserving key of a decimal number: equal numbers (12.5,
/// 12.50, +012.5) have equal keys and memcmp order is numeric order. Reads
/// [+-]digits[.digits] (ASCII only, at least one digit, at most 40 digits on
/// each side of the point once zeros that carry no value are dropped);
/// nullopt for anything else. The in-memory evaluator and the SQL
/// function crm_decimal_key both use it.
std::optional<std::string> decimal_key(std::string_view s);

bool is_condition(Op op) noexcept;
/// "eq", "and", "field", ... as in the JSON form ("all" is "and").
const char* op_name(Op op) noexcept;
const char* unit_name(Unit u) noexcept;
/// True for integer and decimal.
inline bool is_numeric(Type t) noexcept { return t == Type::integer || t == Type::decimal; }

/// The instants of the tree's now and start_of nodes for `context`
/// (indexed by node; 0 elsewhere). src/expr/times.cpp.
result<std::vector<std::int64_t>> resolve_times(const Expr::Tree& tree, const Context& context);

}  // namespace crm::expr
