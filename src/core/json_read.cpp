// src/core/json_read.cpp - the strict JSON readers every part of the
// library reads requests and definitions with.
#include "core/json_read.hpp"

#include <algorithm>
#include <cstdint>

#include "crm/core/text.hpp"

namespace crm::codec {

std::string join(std::string_view path, std::string_view key) {
    if (path.empty()) return std::string(key);
    if (!key.empty() && key.front() == '[') return std::string(path) + std::string(key);
    return std::string(path) + "." + std::string(key);
}

result<void> expect_object(const json& j, std::string_view path,
                           std::initializer_list<std::string_view> allowed) {
    if (!j.is_object())
        return fail(errc::invalid_argument, "must be a JSON object",
                    path.empty() ? "request" : std::string(path));
    for (const auto& [k, v] : j.items())
        if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
            return fail(errc::invalid_argument, "is not a known field", join(path, k));
    return ok();
}

const json* member(const json& obj, std::string_view key) {
    auto it = obj.find(std::string(key));
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
}
result<std::string> string_of(const json& j, const std::string& path, std::size_t max_bytes) {
    if (!j.is_string()) return fail(errc::invalid_argument, "must be a string", path);
    const auto& s = j.get_ref<const std::string&>();
    CRM_TRYV(text::check(s, path, max_bytes));
    return s;
}

result<std::optional<std::string>> get_string(const json& obj, std::string_view key,
                                              std::string_view path, std::size_t max_bytes) {
    const json* m = member(obj, key);
    if (!m) return std::optional<std::string>{};
    CRM_TRY(s, string_of(*m, join(path, key), max_bytes));
    return std::optional<std::string>{std::move(s)};
}

result<std::string> text_or_empty(const json& obj, std::string_view key, std::string_view path,
                                  std::size_t max_bytes) {
    CRM_TRY(s, get_string(obj, key, path, max_bytes));
    return s.value_or("");
}

result<std::optional<std::int64_t>> get_int(const json& obj, std::string_view key,
                                            std::string_view path) {
    const json* m = member(obj, key);
    if (!m) return std::optional<std::int64_t>{};
    if (m->is_number_integer() && !(m->is_number_unsigned() && m->get<std::uint64_t>() > INT64_MAX))
        return std::optional<std::int64_t>{m->get<std::int64_t>()};
    return fail(errc::invalid_argument, "must be a 64-bit integer", join(path, key));
}

result<std::optional<bool>> get_bool(const json& obj, std::string_view key, std::string_view path) {
    const json* m = member(obj, key);
    if (!m) return std::optional<bool>{};
    if (!m->is_boolean()) return fail(errc::invalid_argument, "must be true or false", join(path, key));
    return std::optional<bool>{m->get<bool>()};
}

result<std::optional<Timestamp>> get_time(const json& obj, std::string_view key,
                                          std::string_view path) {
    const json* m = member(obj, key);
    if (!m) return std::optional<Timestamp>{};
    const std::string p = join(path, key);
    if (m->is_number_integer()) return std::optional<Timestamp>{Timestamp{m->get<std::int64_t>()}};
    CRM_TRY(s, string_of(*m, p, 64));
    CRM_TRY(t, parse_iso8601(s, p));
    return std::optional<Timestamp>{t};
}

result<std::optional<Id>> get_id(const json& obj, std::string_view key, std::string_view path) {
    const json* m = member(obj, key);
    if (!m) return std::optional<Id>{};
    const std::string p = join(path, key);
    CRM_TRY(s, string_of(*m, p, 64));
    CRM_TRY(id, Id::parse(s, p));
    return std::optional<Id>{id};
}

result<std::optional<std::vector<std::string>>> get_strings(const json& obj, std::string_view key,
                                                            std::string_view path) {
    const json* m = member(obj, key);
    if (!m) return std::optional<std::vector<std::string>>{};
    const std::string p = join(path, key);
    if (!m->is_array()) return fail(errc::invalid_argument, "must be an array of strings", p);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < m->size(); ++i) {
        CRM_TRY(s, string_of((*m)[i], p + "[" + std::to_string(i) + "]", 1024));
        out.push_back(std::move(s));
    }
    return std::optional<std::vector<std::string>>{std::move(out)};
}

result<json> parse(std::string_view text, std::string_view what) {
    if (!text::is_valid_utf8(text))
        return fail(errc::parse, "is not valid UTF-8", std::string(what));
    try {
        return json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        return fail(errc::parse, "is not valid JSON (at byte " + std::to_string(e.byte) + ")",
                    std::string(what));
    } catch (const std::exception& e) {
        return fail(errc::parse, std::string("is not valid JSON: ") + e.what(), std::string(what));
    }
}

}  // namespace crm::codec
