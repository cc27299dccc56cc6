// src/expr/evaluate.cpp - in-memory evaluation of a rule against a Record,
// with the two-valued null semantics that the SQL compiler reproduces.
#include <algorithm>

#include "crm/core/text.hpp"
#include "expr/ast.hpp"

namespace crm::expr {
namespace {

// An operand's value, read once per test. Text is held as its key,
// decimals as decimal_key, dates as Gregorian text.
struct Operand {
    Type type = Type::boolean;
    bool present = false;
    std::int64_t i = 0;  // boolean, integer, timestamp, money minor units
    std::string s;       // text key, decimal key, date
    std::string currency;
    std::vector<std::string> keys;  // text list: the key of each element
};

template <class T>
int three_way(const T& a, const T& b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

std::string numeric_key(const Operand& o) {
    if (o.type == Type::decimal) return o.s;
    return decimal_key(std::to_string(o.i)).value_or(std::string());
}

// -1, 0 or 1; kIncomparable when one is missing, or for money in two
// currencies.
constexpr int kIncomparable = 2;

int order(const Operand& a, const Operand& b) {
    if (!a.present || !b.present) return kIncomparable;
    switch (a.type) {
        case Type::money:
            if (a.currency != b.currency) return kIncomparable;
            return three_way(a.i, b.i);
        case Type::integer:
        case Type::decimal:
            if (a.type == Type::integer && b.type == Type::integer) return three_way(a.i, b.i);
            return three_way(numeric_key(a), numeric_key(b));
        case Type::text:
        case Type::date: return three_way(a.s, b.s);
        case Type::boolean:
        case Type::timestamp: return three_way(a.i, b.i);
        case Type::text_list: break;
    }
    return kIncomparable;
}

bool holds(Op op, int c) {
    if (c == kIncomparable) return false;
    switch (op) {
        case Op::eq: return c == 0;
        case Op::ne: return c != 0;
        case Op::lt: return c < 0;
        case Op::le: return c <= 0;
        case Op::gt: return c > 0;
        case Op::ge: return c >= 0;
        default: return false;
    }
}

Operand read_field(const Node& n, const Record& record) {
    Operand o;
    o.type = n.type;
    const Value v = record.get(n.text);
    switch (n.type) {
        case Type::boolean:
            if (const bool* b = std::get_if<bool>(&v)) o.present = true, o.i = *b;
            break;
        case Type::integer:
        case Type::timestamp:
            if (const auto* i = std::get_if<std::int64_t>(&v)) o.present = true, o.i = *i;
            break;
        case Type::decimal: {
            std::optional<std::string> key;
            if (const auto* s = std::get_if<std::string>(&v)) key = decimal_key(*s);
            else if (const auto* i = std::get_if<std::int64_t>(&v)) key = decimal_key(std::to_string(*i));
            if (key) o.present = true, o.s = std::move(*key);
            break;
        }
        case Type::text:
            if (const auto* s = std::get_if<std::string>(&v)) {
                o.s = text::normalize(*s);
                o.present = !o.s.empty();
            }
            break;
        case Type::money:
            if (const auto* m = std::get_if<Money>(&v)) {
                o.present = true;
                o.i = m->minor;
                o.currency = m->currency;
            }
            break;
        case Type::date:
            if (const auto* s = std::get_if<std::string>(&v); s && !s->empty()) {
                o.present = true;
                o.s = *s;
            }
            break;
        case Type::text_list:
            if (const auto* l = std::get_if<std::vector<std::string>>(&v)) {
                o.present = true;
                o.keys.reserve(l->size());
                for (const auto& item : *l) o.keys.push_back(text::normalize(item));
            }
            break;
    }
    return o;
}

class Evaluation {
public:
    Evaluation(const Expr::Tree& tree, const std::vector<std::int64_t>& times, const Record& record)
        : tree_(tree), times_(times), record_(record) {}

    bool test(std::uint32_t index) const {
        const Node& n = tree_.nodes[index];
        switch (n.op) {
            case Op::lit_bool: return n.num != 0;
            case Op::field: {
                const Operand o = read_field(n, record_);
                return o.present && o.i != 0;
            }
            case Op::all:
                for (std::uint32_t k = 0; k < n.count; ++k)
                    if (!test(tree_.kid_index(n, k))) return false;
                return true;
            case Op::any:
                for (std::uint32_t k = 0; k < n.count; ++k)
                    if (test(tree_.kid_index(n, k))) return true;
                return false;
            case Op::negate: return !test(tree_.kid_index(n, 0));
            case Op::eq:
            case Op::ne:
            case Op::lt:
            case Op::le:
            case Op::gt:
            case Op::ge: return holds(n.op, order(value(kid(n, 0)), value(kid(n, 1))));
            case Op::between: {
                const Operand a = value(kid(n, 0));
                return holds(Op::ge, order(a, value(kid(n, 1)))) &&
                       holds(Op::le, order(a, value(kid(n, 2))));
            }
            case Op::in: return in(value(kid(n, 0)), tree_.nodes[kid(n, 1)]);
            case Op::contains:
            case Op::starts_with: return find(n.op, value(kid(n, 0)), value(kid(n, 1)));
            case Op::is_empty: {
                const Operand o = value(kid(n, 0));
                return !o.present || (o.type == Type::text_list && o.keys.empty());
            }
            default: return false;  // operands never stand here (checked on load)
        }
    }

private:
    std::uint32_t kid(const Node& n, std::uint32_t k) const { return tree_.kid_index(n, k); }

    Operand value(std::uint32_t index) const {
        const Node& n = tree_.nodes[index];
        if (n.op == Op::field) return read_field(n, record_);
        Operand o;
        o.type = n.type;
        o.present = true;
        switch (n.op) {
            case Op::lit_bool:
            case Op::lit_int:
            case Op::lit_timestamp: o.i = n.num; break;
            case Op::lit_money:
                o.i = n.num;
                o.currency = n.currency;
                break;
            case Op::lit_decimal:
            case Op::lit_text:
            case Op::lit_date: o.s = n.key; break;
            case Op::now:
            case Op::start_of: o.i = times_[index]; break;
            default: o.present = false; break;
        }
        return o;
    }

    bool in(const Operand& a, const Node& list) const {
        if (!a.present) return false;
        for (std::uint32_t k = 0; k < list.count; ++k) {
            const Operand e = value(kid(list, k));
            if (a.type == Type::text_list) {
                if (std::find(a.keys.begin(), a.keys.end(), e.s) != a.keys.end()) return true;
            } else if (holds(Op::eq, order(a, e))) {
                return true;
            }
        }
        return false;
    }

    static bool find(Op op, const Operand& hay, const Operand& needle) {
        if (!hay.present || !needle.present) return false;
        const auto match = [&](const std::string& s) {
            return op == Op::contains && hay.type == Type::text_list
                       ? s == needle.s
                       : op == Op::contains ? s.find(needle.s) != std::string::npos
                                            : s.compare(0, needle.s.size(), needle.s) == 0;
        };
        if (hay.type == Type::text) return match(hay.s);
        return std::any_of(hay.keys.begin(), hay.keys.end(), match);
    }

    const Expr::Tree& tree_;
    const std::vector<std::int64_t>& times_;
    const Record& record_;
};

}  // namespace

Matcher::Matcher(Expr expr, std::vector<std::int64_t> times) noexcept
    : expr_(std::move(expr)), times_(std::move(times)) {}

result<Matcher> Matcher::make(const Expr& expr, const Context& context) {
    CRM_TRY(times, resolve_times(Access::tree(expr), context));
    return Matcher(expr, std::move(times));
}

bool Matcher::matches(const Record& record) const {
    const Expr::Tree& tree = Access::tree(expr_);
    return Evaluation(tree, times_, record).test(tree.root());
}

result<bool> evaluate(const Expr& expr, const Record& record, const Context& context) {
    CRM_TRY(m, Matcher::make(expr, context));
    return m.matches(record);
}

}  // namespace crm::expr
