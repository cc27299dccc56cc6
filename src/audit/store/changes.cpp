// audit/store/changes.cpp - the stored text of an audit entry's changes:
// the compact form of a creation and the general list, both read back
// byte for byte.
#include "audit/store/changes.hpp"

#include <cctype>

#include <nlohmann/json.hpp>

#include "core/json_text.hpp"

namespace crm::audit_text {
namespace {

constexpr int kMaxDepth = 128;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view t, std::size_t i) {
    while (i < t.size() && is_space(t[i])) ++i;
    return i;
}

// The end of the string whose opening quote is at t[i]; npos if malformed.
std::size_t string_end(std::string_view t, std::size_t i) {
    for (++i; i < t.size(); ++i) {
        const auto c = static_cast<unsigned char>(t[i]);
        if (c == '"') return i + 1;
        if (c < 0x20) return std::string_view::npos;
        if (c == '\\') {
            if (++i >= t.size()) return std::string_view::npos;
            if (t[i] == 'u') {
                if (i + 4 >= t.size()) return std::string_view::npos;
                for (int k = 1; k <= 4; ++k)
                    if (!std::isxdigit(static_cast<unsigned char>(t[i + k])))
                        return std::string_view::npos;
                i += 4;
            } else if (std::string_view("\"\\/bfnrt").find(t[i]) == std::string_view::npos) {
                return std::string_view::npos;
            }
        }
    }
    return std::string_view::npos;
}

// The end of the value starting at t[i] (whitespace allowed inside
// arrays and objects only); npos if malformed.
std::size_t value_end(std::string_view t, std::size_t i, int depth) {
    if (i >= t.size() || depth > kMaxDepth) return std::string_view::npos;
    const char c = t[i];
    if (c == '"') return string_end(t, i);
    if (c == '[' || c == '{') {
        const char close = c == '[' ? ']' : '}';
        i = skip_space(t, i + 1);
        if (i < t.size() && t[i] == close) return i + 1;
        for (;;) {
            if (c == '{') {
                if (i >= t.size() || t[i] != '"') return std::string_view::npos;
                i = string_end(t, i);
                if (i == std::string_view::npos) return i;
                i = skip_space(t, i);
                if (i >= t.size() || t[i] != ':') return std::string_view::npos;
                i = skip_space(t, i + 1);
            }
            i = value_end(t, i, depth + 1);
            if (i == std::string_view::npos) return i;
            i = skip_space(t, i);
            if (i >= t.size()) return std::string_view::npos;
            if (t[i] == close) return i + 1;
            if (t[i] != ',') return std::string_view::npos;
            i = skip_space(t, i + 1);
        }
    }
    for (std::string_view word : {"true", "false", "null"})
        if (t.substr(i, word.size()) == word) return i + word.size();
    // A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    const std::size_t start = i;
    if (t[i] == '-') ++i;
    auto digits = [&] {
        const std::size_t from = i;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
        return i > from;
    };
    if (i < t.size() && t[i] == '0') ++i;
    else if (!digits()) return std::string_view::npos;
    if (i < t.size() && t[i] == '.') {
        ++i;
        if (!digits()) return std::string_view::npos;
    }
    if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
        if (!digits()) return std::string_view::npos;
    }
    return i > start ? i : std::string_view::npos;
}

error corrupt(std::string_view what, std::string_view why) {
    return fail(errc::storage,
                "sqlite: malformed JSON in " + std::string(what) + ": " + std::string(why));
}

bool compact(const std::vector<FieldChange>& changes) {
    if (changes.empty()) return false;
    for (const FieldChange& c : changes)
        if (c.before != "null" || c.after.empty() || json_value_length(c.after) != c.after.size())
            return false;
    return true;
}

// {"field": <after>, ...}: every before is null.
result<std::vector<FieldChange>> decode_object(std::string_view t, std::string_view what) {
    std::vector<FieldChange> out;
    std::size_t i = skip_space(t, 1);
    if (i < t.size() && t[i] == '}') return out;
    for (;;) {
        if (i >= t.size() || t[i] != '"') return corrupt(what, "expected a field name");
        const std::size_t key_end = string_end(t, i);
        if (key_end == std::string_view::npos) return corrupt(what, "a field name is malformed");
        std::string field;
        const std::string_view key = t.substr(i + 1, key_end - i - 2);
        if (key.find('\\') == std::string_view::npos) {
            field = std::string(key);
        } else {
            auto parsed = nlohmann::json::parse(t.substr(i, key_end - i), nullptr, false);
            if (!parsed.is_string()) return corrupt(what, "a field name is malformed");
            field = parsed.get<std::string>();
        }
        i = skip_space(t, key_end);
        if (i >= t.size() || t[i] != ':') return corrupt(what, "expected ':'");
        i = skip_space(t, i + 1);
        const std::size_t end = value_end(t, i, 1);
        if (end == std::string_view::npos) return corrupt(what, "a value is malformed");
        out.push_back(FieldChange{std::move(field), "null", std::string(t.substr(i, end - i))});
        i = skip_space(t, end);
        if (i < t.size() && t[i] == '}') {
            if (skip_space(t, i + 1) != t.size()) return corrupt(what, "text after the object");
            return out;
        }
        if (i >= t.size() || t[i] != ',') return corrupt(what, "expected ',' or '}'");
        i = skip_space(t, i + 1);
    }
}

}  // namespace

std::size_t json_value_length(std::string_view text) noexcept {
    if (text.empty() || is_space(text.front())) return 0;
    const std::size_t end = value_end(text, 0, 1);
    return end == std::string_view::npos ? 0 : end;
}

std::string encode_changes(const std::vector<FieldChange>& changes) {
    if (changes.empty()) return "[]";
    std::string out;
    if (compact(changes)) {
        std::size_t size = 2;
        for (const FieldChange& c : changes) size += c.field.size() + c.after.size() + 4;
        out.reserve(size);
        out += '{';
        for (std::size_t i = 0; i < changes.size(); ++i) {
            if (i) out += ',';
            json_text::append_json_string(out, changes[i].field);
            out += ':';
            out += changes[i].after;
        }
        out += '}';
        return out;
    }
    out.reserve(64 * changes.size());
    out += '[';
    for (std::size_t i = 0; i < changes.size(); ++i) {
        const FieldChange& c = changes[i];
        if (i) out += ',';
        out += "{\"field\":";
        json_text::append_json_string(out, c.field);
        out += ",\"before\":";
        json_text::append_json_string(out, c.before);
        out += ",\"after\":";
        json_text::append_json_string(out, c.after);
        out += '}';
    }
    out += ']';
    return out;
}

result<std::vector<FieldChange>> decode_changes(std::string_view text, std::string_view what) {
    if (text == "[]") return std::vector<FieldChange>{};
    const std::size_t first = skip_space(text, 0);
    if (first < text.size() && text[first] == '{') return decode_object(text.substr(first), what);
    try {
        const auto j = nlohmann::json::parse(text);
        if (!j.is_array()) return corrupt(what, "expected an array or an object");
        std::vector<FieldChange> out;
        out.reserve(j.size());
        for (const auto& e : j)
            out.push_back(FieldChange{e.at("field").get<std::string>(),
                                      e.at("before").get<std::string>(),
                                      e.at("after").get<std::string>()});
        return out;
    } catch (const std::exception& e) {
        return corrupt(what, e.what());
    }
}

}  // namespace crm::audit_text
