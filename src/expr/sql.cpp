// src/expr/sql.cpp - a rule to a parameterised WHERE fragment whose
// two-valued logic equals the in-memory evaluation, row for row.
#include "crm/expr/sql.hpp"

#include <functional>
#include <initializer_list>
#include <optional>

#include "expr/ast.hpp"

namespace crm::expr {
namespace {

// SQL text and the values of its placeholders, appended in step so that
// the n-th `?` always has the n-th value.
struct Sql {
    std::string text;
    std::vector<SqlParam> params;

    Sql& operator<<(std::string_view s) {
        text += s;
        return *this;
    }
    Sql& operator<<(const Sql& o) {
        text += o.text;
        params.insert(params.end(), o.params.begin(), o.params.end());
        return *this;
    }
};

Sql param(SqlParam p) {
    Sql s;
    s.text = "?";
    s.params.push_back(std::move(p));
    return s;
}

Sql raw(std::string_view s) {
    Sql out;
    out.text = s;
    return out;
}

// A dialect's SQL `text` built from the texts of `args`, which it names in
// their order: the arguments' parameters, in that order.
Sql via(std::string text, std::initializer_list<const Sql*> args) {
    Sql out;
    out.text = std::move(text);
    for (const Sql* a : args) out.params.insert(out.params.end(), a->params.begin(), a->params.end());
    return out;
}

// A condition's SQL. `nullable`: it may be NULL where the rule is false.
// That is harmless in a WHERE clause under AND and OR, but not under NOT,
// so a condition that must be exact (strict) is wrapped in coalesce(.., 0).
struct Cond {
    Sql sql;
    bool nullable = false;
};

// An operand's SQL: its value (or, for money, its amount) and, for money,
// its currency; `known_currency` when the currency is fixed rather than read.
struct Operand {
    Type type = Type::boolean;
    Sql value;
    Sql currency;
    std::string known_currency;
};

const char* sql_op(Op op) {
    switch (op) {
        case Op::eq: return " = ";
        case Op::ne: return " <> ";
        case Op::lt: return " < ";
        case Op::le: return " <= ";
        case Op::gt: return " > ";
        case Op::ge: return " >= ";
        default: return " ? ";
    }
}

class Compiler {
public:
    Compiler(const Expr::Tree& tree, const SqlMapping& mapping, const std::vector<std::int64_t>& times)
        : tree_(tree), mapping_(mapping), dialect_(mapping.dialect()), times_(times) {}

    result<Cond> condition(std::uint32_t index, bool strict, const std::string& path) {
        CRM_TRY(c, bare(index, strict, path));
        if (strict && c.nullable) {
            Sql wrapped;
            wrapped << "coalesce(" << c.sql << ", 0)";
            return Cond{std::move(wrapped), false};
        }
        return c;
    }

private:
    std::uint32_t kid(const Node& n, std::uint32_t k) const { return tree_.kid_index(n, k); }
    const Node& node(std::uint32_t i) const { return tree_.nodes[i]; }

    result<const Column*> column(const Node& field, const std::string& path) {
        const Column* c = mapping_.find(field.text);
        if (!c || c->sql.empty())
            return fail(errc::invalid_argument, "field '" + field.text + "' has no SQL mapping", path);
        if (field.type == Type::money && c->currency_sql.empty() && field.currency.empty())
            return fail(errc::invalid_argument,
                        "money field '" + field.text +
                            "' needs a currency expression in the SQL mapping (its currency is not fixed)",
                        path);
        return c;
    }

    // `as_key`: integers as decimal keys, for comparison with decimals.
    result<Operand> operand(std::uint32_t index, bool as_key, const std::string& path) {
        const Node& n = node(index);
        Operand o;
        o.type = n.type;
        if (n.op == Op::field) {
            CRM_TRY(c, column(n, path));
            const std::string& sql = c->sql;
            switch (n.type) {
                case Type::text:
                    o.value = raw(c->normalized ? "nullif(" + sql + ", '')" : "crm_norm(" + sql + ")");
                    break;
                case Type::decimal: o.value = raw("crm_decimal_key(" + sql + ")"); break;
                case Type::integer:
                    o.value = raw(as_key ? "crm_decimal_key(" + sql + ")" : "(" + sql + ")");
                    break;
                case Type::date:
                case Type::text_list: o.value = raw("nullif(" + sql + ", '')"); break;
                case Type::money:
                    o.value = raw("(" + sql + ")");
                    if (c->currency_sql.empty()) o.known_currency = n.currency;
                    else o.currency = raw("(" + c->currency_sql + ")");
                    break;
                case Type::boolean:
                case Type::timestamp: o.value = raw("(" + sql + ")"); break;
            }
            return o;
        }
        switch (n.op) {
            case Op::lit_bool:
            case Op::lit_timestamp: o.value = param(n.num); break;
            case Op::lit_int:
                o.value = as_key ? param(decimal_key(std::to_string(n.num)).value_or(std::string()))
                                 : param(n.num);
                break;
            case Op::lit_decimal:
            case Op::lit_text:
            case Op::lit_date: o.value = param(n.key); break;
            case Op::lit_money:
                o.value = param(n.num);
                o.known_currency = n.currency;
                break;
            case Op::now:
            case Op::start_of: o.value = param(times_[index]); break;
            default:
                return fail(errc::internal, std::string("unexpected ") + op_name(n.op) + " operand", path);
        }
        return o;
    }

    // A text field stored as normalised keys, read as it is: equal to a
    // non-empty key only when it is that key, so a blank stored value needs
    // no nullif() (a function call per row) to stay missing.
    result<std::optional<Operand>> bare_key(std::uint32_t index, const std::string& path) {
        const Node& n = node(index);
        if (n.op != Op::field || n.type != Type::text) return std::optional<Operand>{};
        CRM_TRY(c, column(n, path));
        if (!c->normalized) return std::optional<Operand>{};
        Operand o;
        o.type = n.type;
        o.value = raw("(" + c->sql + ")");
        return std::optional<Operand>{std::move(o)};
    }
    bool nonblank_text(std::uint32_t index) const {
        const Node& n = node(index);
        return n.op == Op::lit_text && !n.key.empty();
    }

    Sql currency_of(const Operand& o) {
        return o.known_currency.empty() ? o.currency : param(o.known_currency);
    }

    // a <op> b for two operands that load() found comparable.
    result<Cond> compare(Op op, std::uint32_t ia, std::uint32_t ib, const std::string& pa,
                         const std::string& pb) {
        const bool as_key = node(ia).type == Type::decimal || node(ib).type == Type::decimal;
        CRM_TRY(a, operand(ia, as_key, pa));
        CRM_TRY(b, operand(ib, as_key, pb));
        if (op == Op::eq) {
            if (nonblank_text(ib)) {
                CRM_TRY(bare, bare_key(ia, pa));
                if (bare) a = std::move(*bare);
            } else if (nonblank_text(ia)) {
                CRM_TRY(bare, bare_key(ib, pb));
                if (bare) b = std::move(*bare);
            }
        }
        Sql s;
        s << "(";
        if (a.type == Type::money && (a.known_currency.empty() || b.known_currency.empty()))
            s << currency_of(a) << " = " << currency_of(b) << " AND ";
        s << a.value << sql_op(op) << b.value << ")";
        return Cond{std::move(s), true};
    }

    // EXISTS over the elements of a text-list field.
    result<Sql> each_element(std::uint32_t list_field, const std::string& path,
                             const std::function<Sql(const Sql&)>& test) {
        const Node& f = node(list_field);
        CRM_TRY(c, column(f, path));
        const std::string value = dialect_.json_element("crm_e");
        const Sql element =
            raw(c->normalized ? "nullif(" + value + ", '')" : "crm_norm(" + value + ")");
        Sql s;
        s << "EXISTS (SELECT 1 FROM "
          << dialect_.json_elements("nullif(" + c->sql + ", '')", "crm_e") << " WHERE "
          << test(element) << ")";
        return s;
    }

    result<Cond> bare(std::uint32_t index, bool strict, const std::string& path) {
        const Node& n = node(index);
        const std::string op_path = path + "." + op_name(n.op);
        const auto arg = [&](std::uint32_t k) { return op_path + "[" + std::to_string(k) + "]"; };
        switch (n.op) {
            case Op::lit_bool: return Cond{raw(n.num ? "1" : "0"), false};
            case Op::field: {
                CRM_TRY(o, operand(index, false, path));
                Sql s;
                s << "(" << o.value << " = 1)";
                return Cond{std::move(s), true};
            }
            case Op::all:
            case Op::any: {
                if (n.count == 0) return Cond{raw(n.op == Op::all ? "1" : "0"), false};
                Cond out;
                out.sql << "(";
                for (std::uint32_t k = 0; k < n.count; ++k) {
                    CRM_TRY(c, condition(kid(n, k), strict, arg(k)));
                    if (k) out.sql << (n.op == Op::all ? " AND " : " OR ");
                    out.sql << c.sql;
                    out.nullable = out.nullable || c.nullable;
                }
                out.sql << ")";
                return out;
            }
            case Op::negate: {
                // Under NOT every NULL must already be false: compile strict.
                CRM_TRY(c, condition(kid(n, 0), true, op_path));
                Sql s;
                s << "(NOT " << c.sql << ")";
                return Cond{std::move(s), false};
            }
            case Op::eq:
            case Op::ne:
            case Op::lt:
            case Op::le:
            case Op::gt:
            case Op::ge: return compare(n.op, kid(n, 0), kid(n, 1), arg(0), arg(1));
            case Op::between: {
                CRM_TRY(low, compare(Op::ge, kid(n, 0), kid(n, 1), arg(0), arg(1)));
                CRM_TRY(high, compare(Op::le, kid(n, 0), kid(n, 2), arg(0), arg(2)));
                Sql s;
                s << "(" << low.sql << " AND " << high.sql << ")";
                return Cond{std::move(s), true};
            }
            case Op::in: return in(n, arg(0), arg(1));
            case Op::contains:
            case Op::starts_with: {
                CRM_TRY(needle, operand(kid(n, 1), false, arg(1)));
                const char* test = n.op == Op::contains ? " > 0" : " = 1";
                if (node(kid(n, 0)).type == Type::text_list) {
                    CRM_TRY(s, each_element(kid(n, 0), arg(0), [&](const Sql& e) {
                        Sql t;
                        if (n.op == Op::contains) t << e << " = " << needle.value;
                        else t << via(dialect_.position(e.text, needle.value.text), {&e, &needle.value}) << test;
                        return t;
                    }));
                    return Cond{std::move(s), false};
                }
                CRM_TRY(hay, operand(kid(n, 0), false, arg(0)));
                Sql s;
                s << "(" << via(dialect_.position(hay.value.text, needle.value.text), {&hay.value, &needle.value})
                  << test << ")";
                return Cond{std::move(s), true};
            }
            case Op::is_empty: {
                const std::string p = op_path;
                CRM_TRY(o, operand(kid(n, 0), false, p));
                Sql s;
                if (o.type == Type::text_list)
                    s << "(coalesce(" << via(dialect_.json_array_length(o.value.text), {&o.value})
                      << ", 0) = 0)";
                else
                    s << "(" << o.value << " IS NULL)";
                return Cond{std::move(s), false};
            }
            default:
                return fail(errc::internal, std::string("unexpected ") + op_name(n.op) + " condition",
                            path);
        }
    }

    result<Cond> in(const Node& n, const std::string& path_a, const std::string& path_list) {
        const std::uint32_t ia = kid(n, 0);
        const Node& list = node(kid(n, 1));
        if (list.count == 0) return Cond{raw("0"), false};
        const Type t = node(ia).type;
        if (t == Type::money) {
            // Money compares within a currency: one equality per item.
            Cond out;
            out.sql << "(";
            for (std::uint32_t k = 0; k < list.count; ++k) {
                CRM_TRY(c, compare(Op::eq, ia, kid(list, k), path_a,
                                   path_list + "[" + std::to_string(k) + "]"));
                if (k) out.sql << " OR ";
                out.sql << c.sql;
            }
            out.sql << ")";
            out.nullable = true;
            return out;
        }
        bool as_key = t == Type::decimal;
        for (std::uint32_t k = 0; k < list.count; ++k)
            as_key = as_key || node(kid(list, k)).type == Type::decimal;
        Sql items;
        items << "(";
        for (std::uint32_t k = 0; k < list.count; ++k) {
            CRM_TRY(e, operand(kid(list, k), as_key, path_list));
            if (k) items << ", ";
            items << e.value;
        }
        items << ")";
        if (t == Type::text_list) {
            CRM_TRY(s, each_element(ia, path_a, [&](const Sql& e) {
                Sql test;
                test << e << " IN " << items;
                return test;
            }));
            return Cond{std::move(s), false};
        }
        CRM_TRY(a, operand(ia, as_key, path_a));
        bool nonblank = true;
        for (std::uint32_t k = 0; k < list.count; ++k) nonblank = nonblank && nonblank_text(kid(list, k));
        if (nonblank) {
            CRM_TRY(bare, bare_key(ia, path_a));
            if (bare) a = std::move(*bare);
        }
        Sql s;
        s << "(" << a.value << " IN " << items << ")";
        return Cond{std::move(s), true};
    }

    const Expr::Tree& tree_;
    const SqlMapping& mapping_;
    const storage::Dialect& dialect_;
    const std::vector<std::int64_t>& times_;
};

}  // namespace

void SqlMapping::set(std::string field, Column column) {
    columns_[std::move(field)] = std::move(column);
}

void SqlMapping::set_custom_fields(const Schema& schema, std::string_view json_column,
                                   std::string_view path_prefix) {
    constexpr std::string_view kPrefix = "custom.";
    for (const Field& f : schema.fields()) {
        if (f.name.compare(0, kPrefix.size(), kPrefix) != 0) continue;
        // Field names are [a-z0-9_] segments (Schema::add checks), so the
        // JSON path below cannot close the SQL string literal.
        const std::string path =
            std::string(path_prefix) + "." + f.name.substr(kPrefix.size());
        Column c;
        if (f.type == Type::money) {
            c.sql = dialect_->json_value(json_column, path + ".minor");
            c.currency_sql = dialect_->json_value(json_column, path + ".currency");
        } else {
            c.sql = dialect_->json_value(json_column, path);
        }
        set(f.name, std::move(c));
    }
}

const Column* SqlMapping::find(std::string_view field) const noexcept {
    auto it = columns_.find(field);
    return it == columns_.end() ? nullptr : &it->second;
}

result<SqlWhere> to_sql(const Expr& expr, const SqlMapping& mapping, const Context& context) {
    const Expr::Tree& tree = Access::tree(expr);
    CRM_TRY(times, resolve_times(tree, context));
    Compiler compiler(tree, mapping, times);
    CRM_TRY(c, compiler.condition(tree.root(), false, "$"));
    return SqlWhere{std::move(c.sql.text), std::move(c.sql.params)};
}

}  // namespace crm::expr
