// src/expr/load.cpp - the JSON form to a type-checked tree: every error
// names the JSON path of the bad value and says why.

#include <algorithm>
#include <charconv>
#include <limits>

#include "core/json_read.hpp"
#include "crm/core/text.hpp"
#include "expr/ast.hpp"
#include "expr/json_form.hpp"

namespace crm::expr {
namespace {

using json = codec::json;

// Appends a path segment for the lifetime of the guard.
class PathPart {
public:
    PathPart(std::string& path, std::string_view key) : path_(path), size_(path.size()) {
        path_ += '.';
        path_ += key;
    }
    PathPart(std::string& path, std::size_t index) : path_(path), size_(path.size()) {
        path_ += '[';
        path_ += std::to_string(index);
        path_ += ']';
    }
    PathPart(const PathPart&) = delete;
    PathPart& operator=(const PathPart&) = delete;
    ~PathPart() { path_.resize(size_); }

private:
    std::string& path_;
    std::size_t size_;
};

error bad(std::string message, const std::string& path) {
    return fail(errc::invalid_argument, std::move(message), path);
}

const char* json_kind(const json& j) {
    switch (j.type()) {
        case json::value_t::null: return "null";
        case json::value_t::boolean: return "a boolean";
        case json::value_t::string: return "a string";
        case json::value_t::array: return "an array";
        case json::value_t::object: return "an object";
        case json::value_t::number_float: return "a number";
        default: return "an integer";
    }
}

std::string in_quotes(std::string_view s) { return "'" + std::string(s.substr(0, 40)) + "'"; }

struct KeyInfo {
    std::string_view name;
    Op op;
    bool condition;
};
constexpr KeyInfo kMainKeys[] = {
    {"and", Op::all, true},         {"or", Op::any, true},
    {"not", Op::negate, true},      {"eq", Op::eq, true},
    {"ne", Op::ne, true},           {"lt", Op::lt, true},
    {"le", Op::le, true},           {"gt", Op::gt, true},
    {"ge", Op::ge, true},           {"in", Op::in, true},
    {"between", Op::between, true}, {"contains", Op::contains, true},
    {"starts_with", Op::starts_with, true}, {"is_empty", Op::is_empty, true},
    {"field", Op::field, false},    {"now", Op::now, false},
    {"start_of", Op::start_of, false}, {"money", Op::lit_money, false},
    {"decimal", Op::lit_decimal, false}, {"date", Op::lit_date, false},
    {"timestamp", Op::lit_timestamp, false},
};

const KeyInfo* main_key_info(std::string_view k) {
    for (const auto& info : kMainKeys)
        if (info.name == k) return &info;
    return nullptr;
}

bool allowed_modifier(Op op, std::string_view k) {
    switch (op) {
        case Op::lit_money: return k == "currency";
        case Op::lit_date: return k == "calendar";
        case Op::now: return k == "calendar" || k == "time_zone";
        case Op::start_of: return k == "offset" || k == "calendar" || k == "time_zone";
        default: return false;
    }
}

bool is_literal(Op op) { return op <= Op::lit_list; }

class Loader {
public:
    explicit Loader(const Schema& schema) : schema_(schema), tree_(std::make_shared<Expr::Tree>()) {
        tree_->layout = schema.layout();
    }

    std::shared_ptr<Expr::Tree> take() { return std::move(tree_); }

    result<std::uint32_t> condition(const json& j, std::string& path, std::size_t depth);

private:
    result<std::uint32_t> push(Node n, const std::vector<std::uint32_t>& kids,
                               const std::string& path);
    // The one operator or operand key of an object node.
    result<const KeyInfo*> main_key(const json& j, std::string& path);
    result<std::uint32_t> operand(const json& j, std::string& path);
    result<std::uint32_t> object_operand(const KeyInfo& key, const json& j, std::string& path);
    result<std::uint32_t> text_literal(const std::string& s, const std::string& path);
    result<std::uint32_t> decimal_literal(std::string_view s, const std::string& path);
    result<std::uint32_t> relative_time(Op op, const json& j, std::string& path);
    result<void> calendar_and_zone(Node& n, const json& j, std::string& path);
    result<void> arity(const json& args, std::size_t n, const std::string& path);
    result<std::vector<std::uint32_t>> operands(const json& args, std::size_t n,
                                                std::string& path);
    result<void> comparable(Op op, std::uint32_t a, std::uint32_t b, const std::string& path_a,
                            const std::string& path_b, const std::string& op_path);
    result<void> member_of(const Node& field, const Node& literal, const std::string& path);
    const Node& node(std::uint32_t i) const { return tree_->nodes[i]; }

    const Schema& schema_;
    std::shared_ptr<Expr::Tree> tree_;
};

result<std::uint32_t> Loader::push(Node n, const std::vector<std::uint32_t>& kids,
                                   const std::string& path) {
    if (tree_->nodes.size() >= kMaxNodes)
        return bad("makes the rule larger than " + std::to_string(kMaxNodes) + " nodes", path);
    n.first = static_cast<std::uint32_t>(tree_->kids.size());
    n.count = static_cast<std::uint32_t>(kids.size());
    tree_->kids.insert(tree_->kids.end(), kids.begin(), kids.end());
    tree_->nodes.push_back(std::move(n));
    return static_cast<std::uint32_t>(tree_->nodes.size() - 1);
}

result<const KeyInfo*> Loader::main_key(const json& j, std::string& path) {
    const KeyInfo* found = nullptr;
    for (const auto& [k, v] : j.items()) {
        const KeyInfo* info = main_key_info(k);
        if (!info) continue;
        if (found)
            return bad("has two operators, " + in_quotes(found->name) + " and " + in_quotes(k), path);
        found = info;
    }
    if (!found) {
        if (j.empty()) return bad("is an empty object; expects an operator such as \"eq\"", path);
        return bad("unknown operator " + in_quotes(j.begin().key()), path);
    }
    for (const auto& [k, v] : j.items()) {
        if (k == found->name || allowed_modifier(found->op, k)) continue;
        PathPart part(path, k);
        return bad("is not allowed in a " + in_quotes(found->name) + " node", path);
    }
    return found;
}

result<std::uint32_t> Loader::condition(const json& j, std::string& path, std::size_t depth) {
    if (depth > kMaxDepth)
        return bad("nests conditions deeper than " + std::to_string(kMaxDepth) + " levels", path);
    if (j.is_boolean()) {
        Node n;
        n.op = Op::lit_bool;
        n.num = j.get<bool>() ? 1 : 0;
        return push(std::move(n), {}, path);
    }
    if (!j.is_object())
        return bad(std::string("expects a condition such as {\"eq\":[...]}, not ") + json_kind(j), path);
    CRM_TRY(key, main_key(j, path));
    const json& arg = j.at(std::string(key->name));
    if (!key->condition) {
        CRM_TRY(index, object_operand(*key, j, path));
        if (node(index).op != Op::field || node(index).type != Type::boolean)
            return bad(std::string("is a ") + to_string(node(index).type) +
                           " operand, not a condition (only a boolean field stands alone)",
                       path);
        return index;
    }
    PathPart part(path, key->name);
    Node n;
    n.op = key->op;
    std::vector<std::uint32_t> kids;
    switch (key->op) {
        case Op::all:
        case Op::any: {
            if (!arg.is_array())
                return bad(std::string("expects an array of conditions, not ") + json_kind(arg), path);
            for (std::size_t i = 0; i < arg.size(); ++i) {
                PathPart item(path, i);
                CRM_TRY(k, condition(arg[i], path, depth + 1));
                kids.push_back(k);
            }
            break;
        }
        case Op::negate: {
            if (arg.is_array()) return bad("takes one condition, not an array", path);
            CRM_TRY(k, condition(arg, path, depth + 1));
            kids.push_back(k);
            break;
        }
        case Op::is_empty: {
            if (arg.is_array()) return bad("takes one operand (a field), not an array", path);
            CRM_TRY(k, operand(arg, path));
            if (node(k).op != Op::field) return bad("is_empty takes a field", path);
            kids.push_back(k);
            break;
        }
        case Op::in: {
            CRM_TRYV(arity(arg, 2, path));
            std::string path_a = path + "[0]";
            CRM_TRY(a, operand(arg[0], path_a));
            PathPart list_part(path, 1);
            const json& list = arg[1];
            if (!list.is_array())
                return bad(std::string("expects an array of literals, not ") + json_kind(list), path);
            std::vector<std::uint32_t> items;
            for (std::size_t i = 0; i < list.size(); ++i) {
                PathPart item(path, i);
                CRM_TRY(e, operand(list[i], path));
                if (!is_literal(node(e).op))
                    return bad("a list holds literals only, not a " +
                                   std::string(op_name(node(e).op)) + " operand",
                               path);
                if (node(a).type == Type::text_list) {
                    if (node(e).type != Type::text)
                        return bad(std::string("is a ") + to_string(node(e).type) + "; " +
                                       node(a).text + " holds text",
                                   path);
                    CRM_TRYV(member_of(node(a), node(e), path));
                } else {
                    CRM_TRYV(comparable(Op::eq, a, e, path_a, path, path));
                }
                items.push_back(e);
            }
            Node list_node;
            list_node.op = Op::lit_list;
            list_node.type = node(a).type == Type::text_list ? Type::text : node(a).type;
            CRM_TRY(l, push(std::move(list_node), items, path));
            kids = {a, l};
            break;
        }
        default: {  // comparisons, between, contains, starts_with
            const std::size_t arity = key->op == Op::between ? 3 : 2;
            CRM_TRY(ks, operands(arg, arity, path));
            kids = std::move(ks);
            const std::string p0 = path + "[0]", p1 = path + "[1]", p2 = path + "[2]";
            if (key->op == Op::between) {
                CRM_TRYV(comparable(Op::ge, kids[0], kids[1], p0, p1, path));
                CRM_TRYV(comparable(Op::le, kids[0], kids[2], p0, p2, path));
            } else if (key->op == Op::contains || key->op == Op::starts_with) {
                const Node& a = node(kids[0]);
                const Node& b = node(kids[1]);
                if (a.type != Type::text && a.type != Type::text_list)
                    return bad(std::string(key->name) + " needs text or a text list, not " +
                                   to_string(a.type),
                               p0);
                if (b.type != Type::text)
                    return bad(std::string("expects text, not ") + to_string(b.type), p1);
                if (key->op == Op::contains && a.type == Type::text_list)
                    CRM_TRYV(member_of(a, b, p1));
            } else {
                CRM_TRYV(comparable(key->op, kids[0], kids[1], p0, p1, path));
            }
            break;
        }
    }
    return push(std::move(n), kids, path);
}

result<void> Loader::arity(const json& args, std::size_t n, const std::string& path) {
    if (!args.is_array())
        return bad("expects an array of " + std::to_string(n) + " operands, not " + json_kind(args),
                   path);
    if (args.size() != n)
        return bad("takes " + std::to_string(n) + " operands, not " + std::to_string(args.size()),
                   path);
    return ok();
}

result<std::vector<std::uint32_t>> Loader::operands(const json& args, std::size_t n,
                                                    std::string& path) {
    CRM_TRYV(arity(args, n, path));
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < n; ++i) {
        PathPart item(path, i);
        CRM_TRY(k, operand(args[i], path));
        out.push_back(k);
    }
    return out;
}

result<std::uint32_t> Loader::operand(const json& j, std::string& path) {
    Node n;
    switch (j.type()) {
        case json::value_t::string: return text_literal(j.get_ref<const std::string&>(), path);
        case json::value_t::boolean:
            n.op = Op::lit_bool;
            n.num = j.get<bool>() ? 1 : 0;
            return push(std::move(n), {}, path);
        case json::value_t::number_integer:
            n.op = Op::lit_int;
            n.type = Type::integer;
            n.num = j.get<std::int64_t>();
            return push(std::move(n), {}, path);
        case json::value_t::number_unsigned: {
            const auto u = j.get<std::uint64_t>();
            if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                return bad("is larger than a 64-bit integer; write {\"decimal\":\"...\"}", path);
            n.op = Op::lit_int;
            n.type = Type::integer;
            n.num = static_cast<std::int64_t>(u);
            return push(std::move(n), {}, path);
        }
        case json::value_t::number_float: {
            const std::string text = j.dump();
            if (text.find_first_of("eE") != std::string::npos || !decimal_key(text))
                return bad("is not an exact decimal; write {\"decimal\":\"...\"}", path);
            return decimal_literal(text, path);
        }
        case json::value_t::null:
            return bad("null is not a value; test for missing values with is_empty", path);
        case json::value_t::array:
            return bad("a list is allowed only as the second operand of \"in\"", path);
        case json::value_t::object: {
            CRM_TRY(key, main_key(j, path));
            if (key->condition)
                return bad("expects an operand (a field or a literal), not a condition", path);
            return object_operand(*key, j, path);
        }
        default: return bad("is not an operand", path);
    }
}

result<std::uint32_t> Loader::text_literal(const std::string& s, const std::string& path) {
    CRM_TRYV(text::check(s, path, 4096));
    Node n;
    n.op = Op::lit_text;
    n.type = Type::text;
    n.text = s;
    n.key = text::normalize(s);
    if (n.key.empty()) return bad("is blank; test for missing text with is_empty", path);
    return push(std::move(n), {}, path);
}

result<std::uint32_t> Loader::decimal_literal(std::string_view s, const std::string& path) {
    FieldDef def;
    def.type = FieldType::decimal;
    auto canonical = check_value(def, Value{std::string(s)}, path);
    if (!canonical) return bad(canonical.error().message, path);
    Node n;
    n.op = Op::lit_decimal;
    n.type = Type::decimal;
    n.text = std::get<std::string>(canonical.value());
    auto key = decimal_key(n.text);
    if (!key) return bad("is not a decimal number", path);
    n.key = std::move(*key);
    return push(std::move(n), {}, path);
}

result<std::uint32_t> Loader::object_operand(const KeyInfo& key, const json& j,
                                             std::string& path) {
    const json& v = j.at(std::string(key.name));
    Node n;
    n.op = key.op;
    switch (key.op) {
        case Op::field: {
            if (!v.is_string()) return bad(std::string("expects a field name, not ") + json_kind(v), path);
            const Field* f = schema_.find(v.get_ref<const std::string&>());
            if (!f) return bad("unknown field " + in_quotes(v.get_ref<const std::string&>()), path);
            n.type = f->type;
            n.text = f->name;
            n.currency = f->currency;
            n.slot = static_cast<std::uint32_t>(f - schema_.fields().data());
            return push(std::move(n), {}, path);
        }
        case Op::lit_decimal: {
            if (v.is_number_integer()) return decimal_literal(v.dump(), path);
            if (!v.is_string())
                return bad(std::string("expects decimal text (\"12.50\"), not ") + json_kind(v), path);
            return decimal_literal(v.get_ref<const std::string&>(), path);
        }
        case Op::lit_money: {
            n.type = Type::money;
            std::string currency;
            {
                PathPart part(path, "currency");
                if (!j.contains("currency")) return bad("money needs a \"currency\"", path);
                const json& c = j.at("currency");
                if (!c.is_string())
                    return bad(std::string("expects an ISO 4217 code, not ") + json_kind(c), path);
                currency = c.get<std::string>();
                if (currency_exponent(currency) < 0)
                    return bad("unknown ISO 4217 currency code " + in_quotes(currency), path);
            }
            std::string amount;
            if (v.is_number_integer()) amount = v.dump();
            else if (v.is_string()) amount = v.get<std::string>();
            else return bad(std::string("expects an amount (\"1500000\"), not ") + json_kind(v), path);
            auto m = Money::parse(amount, currency, path);
            if (!m) return bad(m.error().message, path);
            const std::string shown = m.value().str();
            n.num = m.value().minor;
            n.text = shown.substr(0, shown.size() - 4);  // drop " IRR"
            n.currency = currency;
            return push(std::move(n), {}, path);
        }
        case Op::lit_timestamp: {
            if (!v.is_string())
                return bad(std::string("expects ISO 8601 text, not ") + json_kind(v), path);
            auto t = parse_iso8601(v.get_ref<const std::string&>(), path);
            if (!t) return bad(t.error().message, path);
            n.type = Type::timestamp;
            n.num = t.value().ms;
            return push(std::move(n), {}, path);
        }
        case Op::lit_date: {
            n.type = Type::date;
            CRM_TRYV(calendar_and_zone(n, j, path));
            if (!v.is_string())
                return bad(std::string("expects a date (\"1403-01-01\"), not ") + json_kind(v), path);
            auto d = parse_date(v.get_ref<const std::string&>(), n.calendar, path);
            if (!d) return bad(d.error().message, path);
            Date gregorian = d.value();
            if (n.calendar == CalendarSystem::jalali) {
                auto g = gregorian_from_jalali(d.value());
                if (!g) return bad(g.error().message, path);
                gregorian = g.value();
            }
            n.text = format_date(d.value());
            n.key = format_date(gregorian);
            return push(std::move(n), {}, path);
        }
        default: return relative_time(key.op, j, path);
    }
}

result<void> Loader::calendar_and_zone(Node& n, const json& j, std::string& path) {
    if (j.contains("calendar")) {
        PathPart part(path, "calendar");
        const json& c = j.at("calendar");
        if (!c.is_string())
            return bad(std::string("expects \"gregorian\" or \"jalali\", not ") + json_kind(c), path);
        auto cal = parse_calendar_system(c.get_ref<const std::string&>(), path);
        if (!cal) return bad(cal.error().message, path);
        n.calendar = cal.value();
        n.has_calendar = true;
    }
    if (j.contains("time_zone")) {
        PathPart part(path, "time_zone");
        const json& z = j.at("time_zone");
        if (!z.is_string())
            return bad(std::string("expects an IANA time zone name, not ") + json_kind(z), path);
        auto zone = TimeZone::find(z.get_ref<const std::string&>(), path);
        if (!zone) return bad("unknown time zone " + in_quotes(z.get_ref<const std::string&>()), path);
        n.text = z.get<std::string>();
        n.has_zone = true;
    }
    return ok();
}

result<std::uint32_t> Loader::relative_time(Op op, const json& j, std::string& path) {
    Node n;
    n.op = op;
    n.type = Type::timestamp;
    CRM_TRYV(calendar_and_zone(n, j, path));
    if (op == Op::now) {
        const json& v = j.at("now");
        static const char* kHint = "expects an offset such as \"-30d\" (units min, h, d, w, mo)";
        if (!v.is_string()) return bad(kHint, path);
        const std::string s = text::ascii_digits(v.get_ref<const std::string&>());
        std::size_t p = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
        const std::size_t digits = p;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
        if (p == digits || p - digits > 12) return bad(kHint, path);
        std::int64_t amount = 0;
        std::from_chars(s.data() + digits, s.data() + p, amount);
        if (s[0] == '-') amount = -amount;
        const std::string_view unit = std::string_view(s).substr(p);
        static constexpr std::pair<std::string_view, Unit> kUnits[] = {
            {"min", Unit::minute}, {"h", Unit::hour}, {"d", Unit::day},
            {"w", Unit::week},     {"mo", Unit::month}};
        auto it = std::find_if(std::begin(kUnits), std::end(kUnits),
                               [&](const auto& u) { return u.first == unit; });
        if (it == std::end(kUnits)) return bad(kHint, path);
        n.unit = it->second;
        const std::int64_t limit = n.unit == Unit::month ? kMaxMonths : kMaxAmount;
        if (amount > limit || amount < -limit)
            return bad("moves now by more than " + std::to_string(limit) + " " + unit_name(n.unit),
                       path);
        n.num = amount;
        return push(std::move(n), {}, path);
    }
    {
        if (j.contains("offset")) {
            PathPart part(path, "offset");
            const json& o = j.at("offset");
            if (!o.is_number_integer())
                return bad(std::string("expects a whole number of periods, not ") + json_kind(o), path);
            const auto offset = o.get<std::int64_t>();
            if (offset > kMaxOffset || offset < -kMaxOffset)
                return bad("must be between -1000 and 1000", path);
            n.num = offset;
        }
        const json& v = j.at("start_of");
        if (!v.is_string())
            return bad("expects day, week, month, quarter or year", path);
        auto period = parse_period(v.get_ref<const std::string&>(), path);
        if (!period) return bad("expects day, week, month, quarter or year", path);
        n.period = period.value();
    }
    return push(std::move(n), {}, path);
}

result<void> Loader::member_of(const Node& field, const Node& literal, const std::string& path) {
    if (field.op != Op::field || literal.op != Op::lit_text) return ok();
    const Field* f = schema_.find(field.text);
    if (!f || f->allowed.empty()) return ok();
    for (const auto& a : f->allowed)
        if (text::normalize(a) == literal.key) return ok();
    std::string list;
    for (const auto& a : f->allowed) list += (list.empty() ? "" : ", ") + a;
    return bad(in_quotes(literal.text) + " is not one of " + field.text + "'s values: " + list, path);
}

result<void> Loader::comparable(Op op, std::uint32_t ia, std::uint32_t ib,
                                const std::string& path_a, const std::string& path_b,
                                const std::string& op_path) {
    const Node& a = node(ia);
    const Node& b = node(ib);
    if (a.type == Type::text_list || b.type == Type::text_list)
        return bad("is a text list; lists take contains, starts_with, in and is_empty",
                   a.type == Type::text_list ? path_a : path_b);
    if (is_numeric(a.type) && is_numeric(b.type)) return ok();
    // Blame the literal when there is one: it is what the author typed.
    const bool blame_a = is_literal(a.op) && !is_literal(b.op);
    const Node& other = blame_a ? b : a;
    const Node& culprit = blame_a ? a : b;
    const std::string& culprit_path = blame_a ? path_a : path_b;
    if (a.type != b.type) {
        std::string hint;
        if (other.type == Type::date) hint = "; write {\"date\":\"YYYY-MM-DD\"}";
        else if (other.type == Type::timestamp) hint = "; write {\"timestamp\":\"...\"} or {\"now\":\"-30d\"}";
        else if (other.type == Type::money) hint = "; write {\"money\":\"1500000\",\"currency\":\"IRR\"}";
        const std::string what = other.op == Op::field ? " like " + other.text : "";
        return bad(std::string("is ") + to_string(culprit.type) + ", but the comparison needs " +
                       to_string(other.type) + what + hint,
                   culprit_path);
    }
    if (a.type == Type::boolean && op != Op::eq && op != Op::ne)
        return bad("booleans compare only with eq, ne and in", op_path);
    if (a.type == Type::money && !a.currency.empty() && !b.currency.empty() &&
        a.currency != b.currency)
        return bad("is in " + culprit.currency + ", but " +
                       (other.op == Op::field ? other.text : std::string("the other side")) +
                       " is in " + other.currency,
                   culprit_path);
    if (a.type == Type::text) {
        CRM_TRYV(member_of(a, b, path_b));
        CRM_TRYV(member_of(b, a, path_a));
    }
    return ok();
}

// Deepest nesting of arrays and objects, read without building anything:
// the guard against input crafted to exhaust a recursive reader.
std::size_t json_depth(std::string_view s) {
    std::size_t depth = 0, deepest = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (in_string) {
            if (c == '\\') ++i;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

}  // namespace

result<Expr> load_json(const json& doc, const Schema& schema, std::string root) {
    try {
        Loader loader(schema);
        CRM_TRY(index, loader.condition(doc, root, 1));
        (void)index;
        return Access::make(loader.take());
    } catch (const std::bad_alloc&) {
        return fail(errc::out_of_memory, "out of memory loading a rule", root);
    } catch (const std::exception& e) {
        return fail(errc::internal, std::string("loading a rule: ") + e.what(), root);
    }
}

result<Expr> Expr::from_json(std::string_view text, const Schema& schema) {
    if (text.size() > kMaxJsonBytes)
        return fail(errc::invalid_argument, "is larger than 1 MiB", "$");
    // Each condition is two JSON levels ({"and":[...]}); literals add a few.
    if (json_depth(text) > 2 * kMaxDepth + 8)
        return fail(errc::invalid_argument,
                    "nests conditions deeper than " + std::to_string(kMaxDepth) + " levels", "$");
    CRM_TRY(doc, codec::parse(text, "$"));
    return load_json(doc, schema);
}

}  // namespace crm::expr
