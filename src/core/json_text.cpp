// src/core/json_text.cpp - the JSON text writers.
#include "core/json_text.hpp"

#include <charconv>

namespace crm::json_text {

std::string quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    append_json_string(out, s);
    return out;
}

std::string id_text(const Id& id) { return id.is_nil() ? "null" : quoted(id.str()); }

std::string time_text(Timestamp t) { return quoted(to_iso8601(t)); }

std::string time_text(const std::optional<Timestamp>& t) { return t ? time_text(*t) : "null"; }

std::string money_text(const std::optional<Money>& m) {
    if (!m) return "null";
    std::string out;
    append_money(out, *m);
    return out;
}

std::string strings_text(const std::vector<std::string>& list) {
    std::string out;
    append_strings(out, list);
    return out;
}

std::string custom_text(const CustomValues& custom) {
    std::string out;
    append_custom(out, custom);
    return out;
}

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t run = 0;  // start of the pending run of bytes that need no escape
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 15];
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

void append_int(std::string& out, std::int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

void append_money(std::string& out, const Money& m) {
    out += "{\"minor\":";
    append_int(out, m.minor);
    out += ",\"currency\":";
    append_json_string(out, m.currency);
    out += '}';
}

void append_strings(std::string& out, const std::vector<std::string>& list) {
    out += '[';
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i) out += ',';
        append_json_string(out, list[i]);
    }
    out += ']';
}

void append_value(std::string& out, const Value& v) {
    std::visit(
        [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) out += "null";
            else if constexpr (std::is_same_v<T, bool>) out += x ? "true" : "false";
            else if constexpr (std::is_same_v<T, std::int64_t>) append_int(out, x);
            else if constexpr (std::is_same_v<T, std::string>) append_json_string(out, x);
            else if constexpr (std::is_same_v<T, Money>) append_money(out, x);
            else append_strings(out, x);
        },
        v);
}

void append_custom(std::string& out, const CustomValues& custom) {
    out += '{';
    bool first = true;
    for (const auto& [name, value] : custom) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, name);
        out += ':';
        append_value(out, value);
    }
    out += '}';
}

}  // namespace crm::json_text
