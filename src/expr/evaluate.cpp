// src/expr/evaluate.cpp - in-memory evaluation of a rule against a Record,
// with the two-valued null semantics that the SQL compiler reproduces.
#include <algorithm>

#include "crm/core/text.hpp"
#include "expr/ast.hpp"

namespace crm::expr {
namespace {

// An operand's value, read once per test, in place: text is held as its
// key, decimals as decimal_key, dates as Gregorian text, each a view of the
// rule's node, of the record's own value (a text that already is its key),
// or of an Operand's `own`. A literal needs only the View.
struct View {
    Type type = Type::boolean;
    bool present = false;
    std::int64_t i = 0;  // boolean, integer, timestamp, money minor units
    std::string_view s;  // text key, decimal key, date
    std::string_view currency;
    const std::vector<std::string>* list = nullptr;  // text list: the key of each element
};

// A View with what it may point into; views into itself are why it neither
// copies nor moves.
struct Operand : View {
    std::string own;
    std::vector<std::string> own_list;
    Value held;  // the field's value when the record answers only get()

    Operand() = default;
    Operand(const Operand&) = delete;
    Operand& operator=(const Operand&) = delete;
};

int three_way(std::int64_t a, std::int64_t b) { return a < b ? -1 : (b < a ? 1 : 0); }
int three_way(std::string_view a, std::string_view b) {
    const int c = a.compare(b);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string numeric_key(const View& o) {
    if (o.type == Type::decimal) return std::string(o.s);
    return decimal_key(std::to_string(o.i)).value_or(std::string());
}

// -1, 0 or 1; kIncomparable when one is missing, or for money in two
// currencies.
constexpr int kIncomparable = 2;

int order(const View& a, const View& b) {
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

void read_field(const Node& n, const Record& record, bool by_slot, Operand& o) {
    o.type = n.type;
    const Value* v = by_slot ? record.at(n.slot) : record.find(n.text);
    if (v == nullptr) {
        o.held = record.get(n.text);
        v = &o.held;
    }
    switch (n.type) {
        case Type::boolean:
            if (const bool* b = std::get_if<bool>(v)) o.present = true, o.i = *b;
            break;
        case Type::integer:
        case Type::timestamp:
            if (const auto* i = std::get_if<std::int64_t>(v)) o.present = true, o.i = *i;
            break;
        case Type::decimal: {
            std::optional<std::string> key;
            if (const auto* s = std::get_if<std::string>(v)) key = decimal_key(*s);
            else if (const auto* i = std::get_if<std::int64_t>(v)) key = decimal_key(std::to_string(*i));
            if (key) {
                o.present = true;
                o.s = o.own = std::move(*key);
            }
            break;
        }
        case Type::text:
            if (const auto* s = std::get_if<std::string>(v)) {
                if (text::is_key(*s)) {
                    o.s = *s;
                } else {
                    o.s = o.own = text::normalize(*s);
                }
                o.present = !o.s.empty();
            }
            break;
        case Type::money:
            if (const auto* m = std::get_if<Money>(v)) {
                o.present = true;
                o.i = m->minor;
                o.currency = m->currency;
            }
            break;
        case Type::date:
            if (const auto* s = std::get_if<std::string>(v); s && !s->empty()) {
                o.present = true;
                o.s = *s;
            }
            break;
        case Type::text_list:
            if (const auto* l = std::get_if<std::vector<std::string>>(v)) {
                o.present = true;
                if (std::all_of(l->begin(), l->end(), [](const std::string& x) { return text::is_key(x); })) {
                    o.list = l;
                } else {
                    auto& keys = o.own_list;
                    keys.reserve(l->size());
                    for (const auto& item : *l) keys.push_back(text::normalize(item));
                    o.list = &keys;
                }
            }
            break;
    }
}

class Evaluation {
public:
    Evaluation(const Expr::Tree& tree, const std::vector<std::int64_t>& times, const Record& record)
        : tree_(tree), times_(times), record_(record),
          by_slot_(tree.layout != 0 && record.layout() == tree.layout) {}

    bool test(std::uint32_t index) const {
        const Node& n = tree_.nodes[index];
        switch (n.op) {
            case Op::lit_bool: return n.num != 0;
            case Op::field: {
                Operand o;
                read_field(n, record_, by_slot_, o);
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
            case Op::ge:
                return with(kid(n, 0), [&](const View& a) {
                    return with(kid(n, 1), [&](const View& b) { return holds(n.op, order(a, b)); });
                });
            case Op::between:
                return with(kid(n, 0), [&](const View& a) {
                    return with(kid(n, 1), [&](const View& lo) {
                               return holds(Op::ge, order(a, lo));
                           }) &&
                           with(kid(n, 2), [&](const View& hi) { return holds(Op::le, order(a, hi)); });
                });
            case Op::in:
                return with(kid(n, 0), [&](const View& a) { return in(a, tree_.nodes[kid(n, 1)]); });
            case Op::contains:
            case Op::starts_with:
                return with(kid(n, 0), [&](const View& hay) {
                    return with(kid(n, 1), [&](const View& needle) { return find(n.op, hay, needle); });
                });
            case Op::is_empty:
                return with(kid(n, 0), [](const View& o) {
                    return !o.present || (o.type == Type::text_list && o.list->empty());
                });
            default: return false;  // operands never stand here (checked on load)
        }
    }

private:
    std::uint32_t kid(const Node& n, std::uint32_t k) const { return tree_.kid_index(n, k); }

    // Calls f with the value of the operand node `index`: a literal as a
    // View of the node, a field read into an Operand.
    template <class F>
    bool with(std::uint32_t index, F&& f) const {
        const Node& n = tree_.nodes[index];
        if (n.op == Op::field) {
            Operand o;
            read_field(n, record_, by_slot_, o);
            return f(static_cast<const View&>(o));
        }
        View v;
        v.type = n.type;
        v.present = true;
        switch (n.op) {
            case Op::lit_bool:
            case Op::lit_int:
            case Op::lit_timestamp: v.i = n.num; break;
            case Op::lit_money:
                v.i = n.num;
                v.currency = n.currency;
                break;
            case Op::lit_decimal:
            case Op::lit_text:
            case Op::lit_date: v.s = n.key; break;
            case Op::now:
            case Op::start_of: v.i = times_[index]; break;
            default: v.present = false; break;
        }
        return f(static_cast<const View&>(v));
    }

    bool in(const View& a, const Node& list) const {
        if (!a.present) return false;
        for (std::uint32_t k = 0; k < list.count; ++k) {
            const bool found = with(kid(list, k), [&](const View& e) {
                if (a.type == Type::text_list)
                    return std::find(a.list->begin(), a.list->end(), e.s) != a.list->end();
                return holds(Op::eq, order(a, e));
            });
            if (found) return true;
        }
        return false;
    }

    static bool find(Op op, const View& hay, const View& needle) {
        if (!hay.present || !needle.present) return false;
        const auto match = [&](std::string_view s) {
            return op == Op::contains && hay.type == Type::text_list
                       ? s == needle.s
                       : op == Op::contains ? s.find(needle.s) != std::string_view::npos
                                            : s.substr(0, needle.s.size()) == needle.s;
        };
        if (hay.type == Type::text) return match(hay.s);
        return std::any_of(hay.list->begin(), hay.list->end(),
                           [&](const std::string& s) { return match(s); });
    }

    const Expr::Tree& tree_;
    const std::vector<std::int64_t>& times_;
    const Record& record_;
    const bool by_slot_;  // the record is laid out as the rule's schema
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
