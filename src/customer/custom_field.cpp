// src/customer/custom_field.cpp - validation of custom field declarations
// and of the values written to them.
#include "crm/customer/custom_field.hpp"

#include <algorithm>
#include <charconv>

#include "crm/core/bank.hpp"
#include "crm/core/text.hpp"
#include "crm/core/time.hpp"

namespace crm {
namespace {

constexpr std::string_view kBuiltInFields[] = {
    "id",       "kind",     "external_id", "first_name", "last_name",  "organization_name",
    "national_id", "lifecycle_stage", "owner", "city", "country", "tags", "contacts",
    "created_at", "updated_at", "version", "merged_into", "custom", "name", "email", "phone",
    "company"};

bool valid_name(std::string_view n) {
    if (n.empty() || n.size() > 63 || n[0] < 'a' || n[0] > 'z') return false;
    return std::all_of(n.begin(), n.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::string str_path(std::string_view path) { return std::string(path); }

result<Value> type_error(const FieldDef& def, std::string_view path) {
    return fail(errc::invalid_argument,
                std::string("expects a value of type ") + to_string(def.type), str_path(path));
}

// Canonical decimal text: optional '-', no leading zeros, no trailing
// fraction zeros ("007.50" -> "7.5", "-0.0" -> "0").
result<std::string> canonical_decimal(std::string_view in, std::string_view path) {
    const std::string s = text::ascii_digits(in);
    std::size_t p = 0;
    bool neg = false;
    if (p < s.size() && (s[p] == '-' || s[p] == '+')) neg = s[p++] == '-';
    std::string ip, fp;
    bool dot = false;
    for (; p < s.size(); ++p) {
        const char c = s[p];
        if (c == '.' && !dot) {
            dot = true;
        } else if (c >= '0' && c <= '9') {
            (dot ? fp : ip).push_back(c);
        } else {
            return fail(errc::invalid_argument, "is not a decimal number", str_path(path));
        }
    }
    if (ip.empty() && fp.empty())
        return fail(errc::invalid_argument, "is not a decimal number", str_path(path));
    if (ip.size() + fp.size() > 38)
        return fail(errc::invalid_argument, "has more than 38 digits", str_path(path));
    ip.erase(0, std::min(ip.find_first_not_of('0'), ip.size()));
    while (!fp.empty() && fp.back() == '0') fp.pop_back();
    if (ip.empty()) ip = "0";
    std::string out = (neg && (ip != "0" || !fp.empty())) ? "-" : "";
    out += ip;
    if (!fp.empty()) out += "." + fp;
    return out;
}

result<bool> parse_bool(std::string_view s, std::string_view path) {
    static constexpr std::string_view yes[] = {"true", "1", "yes", "y", "بله", "آری", "درست"};
    static constexpr std::string_view no[] = {"false", "0", "no", "n", "خیر", "نه", "نادرست"};
    const std::string k = text::normalize(s);
    for (auto y : yes)
        if (k == text::normalize(y)) return true;
    for (auto n : no)
        if (k == text::normalize(n)) return false;
    return fail(errc::invalid_argument, "is not a boolean (true/false)", str_path(path));
}

std::vector<std::string> split_list(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        std::string t = text::tidy(cur);
        if (!t.empty()) out.push_back(std::move(t));
        cur.clear();
    };
    for (char c : s) {
        if (c == ';' || c == '|' || c == ',') flush();
        else cur.push_back(c);
    }
    flush();
    return out;
}

result<Value> check_member(const FieldDef& def, const std::string& v, std::string_view path) {
    if (std::find(def.allowed.begin(), def.allowed.end(), v) == def.allowed.end()) {
        std::string list;
        for (const auto& a : def.allowed) list += (list.empty() ? "" : ", ") + a;
        return fail(errc::invalid_argument, "'" + v.substr(0, 40) + "' is not one of: " + list,
                    str_path(path));
    }
    return Value{v};
}

}  // namespace

result<void> validate(const FieldDef& def) {
    if (!valid_name(def.name))
        return fail(errc::invalid_argument,
                    "must start with a-z and use only a-z, 0-9 and '_' (at most 63)", "name");
    if (std::find(std::begin(kBuiltInFields), std::end(kBuiltInFields), def.name) !=
        std::end(kBuiltInFields))
        return fail(errc::invalid_argument, "'" + def.name + "' is a built-in field", "name");
    if (def.record_type != "party" && def.record_type != "interaction" &&
        def.record_type != "activity" && def.record_type != "purchase" &&
        def.record_type != "opportunity" && def.record_type != "lead" &&
        def.record_type != "ticket")
        return fail(errc::invalid_argument,
                    "must be one of: party, interaction, activity, purchase, opportunity, lead, "
                    "ticket",
                    "record_type");
    CRM_TRYV(text::check(def.label, "label", 200));
    const bool is_enum = def.type == FieldType::enumeration || def.type == FieldType::multi_enum;
    if (is_enum && def.allowed.empty())
        return fail(errc::invalid_argument, "an enum field needs its allowed values", "allowed");
    if (!is_enum && !def.allowed.empty())
        return fail(errc::invalid_argument, "only enum fields take allowed values", "allowed");
    for (std::size_t i = 0; i < def.allowed.size(); ++i) {
        const std::string path = "allowed[" + std::to_string(i) + "]";
        CRM_TRYV(text::check(def.allowed[i], path, 200));
        if (def.allowed[i].empty() || text::tidy(def.allowed[i]) != def.allowed[i])
            return fail(errc::invalid_argument, "must be non-empty without outer spaces", path);
        if (std::find(def.allowed.begin(), def.allowed.begin() + i, def.allowed[i]) !=
            def.allowed.begin() + i)
            return fail(errc::invalid_argument, "repeats '" + def.allowed[i] + "'", path);
    }
    if (def.min && def.max && *def.min > *def.max)
        return fail(errc::invalid_argument, "must not be greater than max", "min");
    if (def.type == FieldType::money && !def.currency.empty() &&
        currency_exponent(def.currency) < 0)
        return fail(errc::invalid_argument, "unknown ISO 4217 currency code", "currency");
    if (def.type != FieldType::money && !def.currency.empty())
        return fail(errc::invalid_argument, "only money fields take a currency", "currency");
    return ok();
}

std::string value_text(const Value& value) {
    return std::visit(
        [](const auto& x) -> std::string {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) return "";
            else if constexpr (std::is_same_v<T, bool>) return x ? "true" : "false";
            else if constexpr (std::is_same_v<T, std::int64_t>) return std::to_string(x);
            else if constexpr (std::is_same_v<T, std::string>) return x;
            else if constexpr (std::is_same_v<T, Money>) return x.str();
            else {
                std::string out;
                for (const auto& item : x) out += (out.empty() ? "" : ";") + item;
                return out;
            }
        },
        value);
}

result<Value> check_value(const FieldDef& def, const Value& value, std::string_view path) {
    if (is_null(value)) return value;
    const std::string* s = std::get_if<std::string>(&value);
    if (s) CRM_TRYV(text::check(*s, path, 4096));
    switch (def.type) {
        case FieldType::text: {
            if (!s) return type_error(def, path);
            const std::string t = text::tidy(*s);
            std::int64_t len = 0;
            for (unsigned char c : t) len += (c & 0xC0) != 0x80;
            if (def.min && len < *def.min)
                return fail(errc::invalid_argument,
                            "is shorter than " + std::to_string(*def.min) + " characters", str_path(path));
            if (def.max && len > *def.max)
                return fail(errc::invalid_argument,
                            "is longer than " + std::to_string(*def.max) + " characters", str_path(path));
            return Value{t};
        }
        case FieldType::integer: {
            std::int64_t v = 0;
            if (const auto* i = std::get_if<std::int64_t>(&value)) {
                v = *i;
            } else if (s) {
                const std::string d = text::ascii_digits(text::tidy(*s));
                auto [end, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
                if (ec != std::errc() || end != d.data() + d.size() || d.empty())
                    return fail(errc::invalid_argument, "is not an integer", str_path(path));
            } else {
                return type_error(def, path);
            }
            if (def.min && v < *def.min)
                return fail(errc::invalid_argument, "is less than " + std::to_string(*def.min), str_path(path));
            if (def.max && v > *def.max)
                return fail(errc::invalid_argument, "is greater than " + std::to_string(*def.max), str_path(path));
            return Value{v};
        }
        case FieldType::decimal: {
            if (const auto* i = std::get_if<std::int64_t>(&value)) return Value{std::to_string(*i)};
            if (!s) return type_error(def, path);
            CRM_TRY(d, canonical_decimal(*s, path));
            return Value{std::move(d)};
        }
        case FieldType::money: {
            Money m;
            if (const auto* mv = std::get_if<Money>(&value)) {
                CRM_TRY(checked, Money::of(mv->minor, mv->currency, path));
                m = std::move(checked);
            } else if (s) {
                // "12500 IRR", or a bare amount when the field fixes the currency.
                std::string t = text::tidy(*s);
                std::string cur = def.currency;
                if (t.size() > 4 && t[t.size() - 4] == ' ') {
                    cur = t.substr(t.size() - 3);
                    t.resize(t.size() - 4);
                }
                if (cur.empty())
                    return fail(errc::invalid_argument, "needs a currency (\"12.50 USD\")", str_path(path));
                CRM_TRY(parsed, Money::parse(t, cur, path));
                m = std::move(parsed);
            } else {
                return type_error(def, path);
            }
            if (!def.currency.empty() && m.currency != def.currency)
                return fail(errc::invalid_argument, "must be in " + def.currency, str_path(path));
            return Value{std::move(m)};
        }
        case FieldType::boolean: {
            if (const auto* b = std::get_if<bool>(&value)) return Value{*b};
            if (const auto* i = std::get_if<std::int64_t>(&value); i && (*i == 0 || *i == 1))
                return Value{*i == 1};
            if (!s) return type_error(def, path);
            CRM_TRY(b, parse_bool(*s, path));
            return Value{b};
        }
        case FieldType::date: {
            if (!s) return type_error(def, path);
            CRM_TRY(t, parse_iso8601(*s, path));
            if (t.ms % kMsPerDay != 0)
                return fail(errc::invalid_argument, "must be a date without a time (YYYY-MM-DD)",
                            str_path(path));
            return Value{to_iso8601(t).substr(0, 10)};
        }
        case FieldType::enumeration: {
            if (!s) return type_error(def, path);
            return check_member(def, text::tidy(*s), path);
        }
        case FieldType::sheba: {
            if (!s) return type_error(def, path);
            CRM_TRY(sheba, bank::parse_sheba(*s, str_path(path)));
            return Value{std::move(sheba.value)};
        }
        case FieldType::bank_card: {
            if (!s) return type_error(def, path);
            CRM_TRY(card, bank::parse_card(*s, str_path(path)));
            return Value{std::move(card.value)};
        }
        case FieldType::postal_code: {
            if (!s) return type_error(def, path);
            CRM_TRY(code, bank::normalize_postal_code(*s, str_path(path)));
            return Value{std::move(code)};
        }
        case FieldType::multi_enum: {
            std::vector<std::string> items;
            if (const auto* l = std::get_if<std::vector<std::string>>(&value)) {
                for (const auto& v : *l) items.push_back(text::tidy(v));
            } else if (s) {
                items = split_list(*s);
            } else {
                return type_error(def, path);
            }
            std::vector<std::string> out;
            for (std::size_t i = 0; i < items.size(); ++i) {
                CRM_TRYV(check_member(def, items[i], std::string(path) + "[" + std::to_string(i) + "]"));
                if (std::find(out.begin(), out.end(), items[i]) == out.end()) out.push_back(items[i]);
            }
            return Value{std::move(out)};
        }
    }
    return type_error(def, path);
}

}  // namespace crm
