// src/expr/expr.cpp - the Schema, the Expr value and its canonical JSON
// text, and the decimal key shared by the evaluator and the SQL function.
#include <algorithm>

#include "core/json_text.hpp"
#include "crm/core/money.hpp"
#include "expr/ast.hpp"

namespace crm::expr {
namespace {

bool valid_segment(std::string_view s) {
    if (s.empty() || s[0] < 'a' || s[0] > 'z') return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

bool valid_field_name(std::string_view name) {
    if (name.empty() || name.size() > 127) return false;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = name.find('.', start);
        if (!valid_segment(name.substr(start, dot == std::string_view::npos ? dot : dot - start)))
            return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

}  // namespace

const char* to_string(Type t) noexcept {
    switch (t) {
        case Type::boolean: return "boolean";
        case Type::integer: return "integer";
        case Type::decimal: return "decimal";
        case Type::text: return "text";
        case Type::money: return "money";
        case Type::timestamp: return "timestamp";
        case Type::date: return "date";
        case Type::text_list: return "text_list";
    }
    return "unknown";
}

// ---- Schema -----------------------------------------------------------------

result<void> Schema::add(Field field) {
    if (!valid_field_name(field.name))
        return fail(errc::invalid_argument,
                    "'" + field.name.substr(0, 64) +
                        "' is not a field name (a-z, 0-9 and '_' in segments joined by '.')",
                    "name");
    if (index_.count(field.name))
        return fail(errc::invalid_argument, "'" + field.name + "' is already in the schema", "name");
    if (field.type == Type::money && !field.currency.empty() &&
        currency_exponent(field.currency) < 0)
        return fail(errc::invalid_argument,
                    "unknown ISO 4217 currency code '" + field.currency.substr(0, 8) + "'",
                    "currency");
    if (field.type != Type::money && !field.currency.empty())
        return fail(errc::invalid_argument, "only money fields take a currency", "currency");
    if (!field.allowed.empty() && field.type != Type::text && field.type != Type::text_list)
        return fail(errc::invalid_argument, "only text and text-list fields take allowed values",
                    "allowed");
    index_.emplace(field.name, fields_.size());
    // The layout folds in each field as it comes (FNV-1a of name and type).
    const auto mix = [this](unsigned char b) { layout_ = (layout_ ^ b) * 1099511628211ULL; };
    for (char c : field.name) mix(static_cast<unsigned char>(c));
    mix(0);
    mix(static_cast<unsigned char>(field.type));
    fields_.push_back(std::move(field));
    return ok();
}

result<void> Schema::add(std::string name, Type type, std::string currency) {
    return add(Field{std::move(name), type, std::move(currency), {}});
}

result<void> Schema::add_custom(const FieldDef& def) {
    Field f;
    f.name = "custom." + def.name;
    switch (def.type) {
        case FieldType::text: f.type = Type::text; break;
        case FieldType::integer: f.type = Type::integer; break;
        case FieldType::decimal: f.type = Type::decimal; break;
        case FieldType::money: f.type = Type::money; f.currency = def.currency; break;
        case FieldType::boolean: f.type = Type::boolean; break;
        case FieldType::date: f.type = Type::date; break;
        case FieldType::enumeration: f.type = Type::text; f.allowed = def.allowed; break;
        case FieldType::multi_enum: f.type = Type::text_list; f.allowed = def.allowed; break;
        case FieldType::sheba:
        case FieldType::bank_card:
        case FieldType::postal_code: f.type = Type::text; break;
    }
    return add(std::move(f));
}

const Field* Schema::find(std::string_view name) const noexcept {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &fields_[it->second];
}

int Schema::slot(std::string_view name) const noexcept {
    auto it = index_.find(name);
    return it == index_.end() ? -1 : static_cast<int>(it->second);
}

std::uint64_t Schema::layout() const noexcept { return layout_ == 0 ? 1 : layout_; }

// ---- shared helpers ---------------------------------------------------------

std::optional<std::string> decimal_key(std::string_view s) {
    constexpr std::size_t kSide = 40;
    std::size_t p = 0;
    bool negative = false;
    if (p < s.size() && (s[p] == '-' || s[p] == '+')) negative = s[p++] == '-';
    const std::size_t int_begin = p;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
    std::string_view ip = s.substr(int_begin, p - int_begin);
    std::string_view fp;
    if (p < s.size() && s[p] == '.') {
        const std::size_t frac_begin = ++p;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
        fp = s.substr(frac_begin, p - frac_begin);
    }
    if (p != s.size() || (ip.empty() && fp.empty())) return std::nullopt;
    while (!ip.empty() && ip.front() == '0') ip.remove_prefix(1);
    while (!fp.empty() && fp.back() == '0') fp.remove_suffix(1);
    if (ip.size() > kSide || fp.size() > kSide) return std::nullopt;
    if (ip.empty() && fp.empty()) negative = false;  // -0 is 0
    // 'n' < 'p'; a negative number's digits are complemented so that a
    // larger magnitude sorts first.
    std::string key(1 + 2 * kSide, '0');
    key[0] = negative ? 'n' : 'p';
    std::copy(ip.begin(), ip.end(), key.begin() + 1 + static_cast<std::ptrdiff_t>(kSide - ip.size()));
    std::copy(fp.begin(), fp.end(), key.begin() + 1 + static_cast<std::ptrdiff_t>(kSide));
    if (negative)
        for (std::size_t i = 1; i < key.size(); ++i) key[i] = static_cast<char>('9' - (key[i] - '0'));
    return key;
}

bool is_condition(Op op) noexcept { return op >= Op::eq; }

const char* op_name(Op op) noexcept {
    switch (op) {
        case Op::lit_bool: return "boolean";
        case Op::lit_int: return "integer";
        case Op::lit_decimal: return "decimal";
        case Op::lit_text: return "text";
        case Op::lit_money: return "money";
        case Op::lit_timestamp: return "timestamp";
        case Op::lit_date: return "date";
        case Op::lit_list: return "list";
        case Op::field: return "field";
        case Op::now: return "now";
        case Op::start_of: return "start_of";
        case Op::eq: return "eq";
        case Op::ne: return "ne";
        case Op::lt: return "lt";
        case Op::le: return "le";
        case Op::gt: return "gt";
        case Op::ge: return "ge";
        case Op::in: return "in";
        case Op::between: return "between";
        case Op::contains: return "contains";
        case Op::starts_with: return "starts_with";
        case Op::is_empty: return "is_empty";
        case Op::all: return "and";
        case Op::any: return "or";
        case Op::negate: return "not";
    }
    return "?";
}

const char* unit_name(Unit u) noexcept {
    switch (u) {
        case Unit::minute: return "min";
        case Unit::hour: return "h";
        case Unit::day: return "d";
        case Unit::week: return "w";
        case Unit::month: return "mo";
    }
    return "?";
}

// ---- Expr, Record -------------------------------------------------------------

namespace {
std::shared_ptr<const Expr::Tree> constant_true() {
    static const auto tree = [] {
        auto t = std::make_shared<Expr::Tree>();
        Node n;
        n.op = Op::lit_bool;
        n.num = 1;
        t->nodes.push_back(n);
        return std::shared_ptr<const Expr::Tree>(std::move(t));
    }();
    return tree;
}

void write(const Expr::Tree& t, const Node& n, std::string& out) {
    using json_text::append_json_string;
    const auto list = [&](const char* name) {
        out += "{\"";
        out += name;
        out += "\":[";
        for (std::uint32_t i = 0; i < n.count; ++i) {
            if (i) out += ',';
            write(t, t.kid(n, i), out);
        }
        out += "]}";
    };
    const auto calendar_and_zone = [&] {
        if (n.has_calendar) {
            out += ",\"calendar\":";
            append_json_string(out, to_string(n.calendar));
        }
        if (n.has_zone) {
            out += ",\"time_zone\":";
            append_json_string(out, n.text);
        }
    };
    switch (n.op) {
        case Op::lit_bool: out += n.num ? "true" : "false"; break;
        case Op::lit_int: json_text::append_int(out, n.num); break;
        case Op::lit_decimal:
            out += "{\"decimal\":";
            append_json_string(out, n.text);
            out += '}';
            break;
        case Op::lit_text: append_json_string(out, n.text); break;
        case Op::lit_money:
            out += "{\"money\":";
            append_json_string(out, n.text);
            out += ",\"currency\":";
            append_json_string(out, n.currency);
            out += '}';
            break;
        case Op::lit_timestamp:
            out += "{\"timestamp\":";
            append_json_string(out, to_iso8601(Timestamp{n.num}));
            out += '}';
            break;
        case Op::lit_date:
            out += "{\"date\":";
            append_json_string(out, n.text);
            if (n.has_calendar) {
                out += ",\"calendar\":";
                append_json_string(out, to_string(n.calendar));
            }
            out += '}';
            break;
        case Op::lit_list:
            out += '[';
            for (std::uint32_t i = 0; i < n.count; ++i) {
                if (i) out += ',';
                write(t, t.kid(n, i), out);
            }
            out += ']';
            break;
        case Op::field:
            out += "{\"field\":";
            append_json_string(out, n.text);
            out += '}';
            break;
        case Op::now:
            out += "{\"now\":";
            append_json_string(out, std::to_string(n.num) + unit_name(n.unit));
            calendar_and_zone();
            out += '}';
            break;
        case Op::start_of:
            out += "{\"start_of\":";
            append_json_string(out, to_string(n.period));
            if (n.num != 0) {
                out += ",\"offset\":";
                json_text::append_int(out, n.num);
            }
            calendar_and_zone();
            out += '}';
            break;
        case Op::negate:
        case Op::is_empty:
            out += "{\"";
            out += op_name(n.op);
            out += "\":";
            write(t, t.kid(n, 0), out);
            out += '}';
            break;
        default: list(op_name(n.op)); break;
    }
}
}  // namespace

Expr::Expr() : tree_(constant_true()) {}
Expr::Expr(std::shared_ptr<const Tree> tree) noexcept : tree_(std::move(tree)) {}

std::string Expr::to_json() const {
    std::string out;
    write(*tree_, tree_->nodes[tree_->root()], out);
    return out;
}

std::vector<std::string> Expr::fields() const {
    std::vector<std::string> out;
    for (const Node& n : tree_->nodes)
        if (n.op == Op::field) out.push_back(n.text);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Record::~Record() = default;

Value MapRecord::get(std::string_view field) const {
    auto it = values.find(field);
    return it == values.end() ? Value{} : it->second;
}

RowRecord::RowRecord(const Schema& schema)
    : schema_(&schema), layout_(schema.layout()), values_(schema.fields().size()) {}

result<void> RowRecord::set(std::string_view field, Value value) {
    const int slot = schema_->slot(field);
    if (slot < 0)
        return fail(errc::invalid_argument,
                    "unknown field '" + std::string(field).substr(0, 64) + "'", "field");
    values_[static_cast<std::size_t>(slot)] = std::move(value);
    return ok();
}

Value RowRecord::get(std::string_view field) const {
    const Value* v = find(field);
    return v ? *v : Value{};
}

const Value* RowRecord::find(std::string_view field) const {
    const int slot = schema_->slot(field);
    return slot < 0 ? nullptr : &values_[static_cast<std::size_t>(slot)];
}

const Value* MapRecord::find(std::string_view field) const {
    static const Value missing;
    auto it = values.find(field);
    return it == values.end() ? &missing : &it->second;
}

}  // namespace crm::expr
