// src/core/json_read.cpp - the strict JSON readers every part of the
// library reads requests and definitions with.
#include "core/json_read.hpp"

#include <cmath>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <new>
#include <unordered_set>

#include "crm/core/json.hpp"
#include "crm/core/limits.hpp"
#include "crm/core/text.hpp"

namespace crm::codec {

json to_json(const Id& id) { return id.is_nil() ? json(nullptr) : json(id.str()); }
json time_json(Timestamp t) { return to_iso8601(t); }

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

result<std::optional<double>> get_number(const json& obj, std::string_view key,
                                         std::string_view path) {
    const json* m = member(obj, key);
    if (!m) return std::optional<double>{};
    if (!m->is_number()) return fail(errc::invalid_argument, "must be a number", join(path, key));
    const double v = m->get<double>();
    if (!std::isfinite(v)) return fail(errc::invalid_argument, "must be finite", join(path, key));
    return std::optional<double>{v};
}

result<std::optional<Timestamp>> get_time(const json& obj, std::string_view key,
                                          std::string_view path) {
    const json* m = member(obj, key);
    if (!m) return std::optional<Timestamp>{};
    const std::string p = join(path, key);
    Timestamp t;
    if (m->is_number_integer()) {
        if (m->is_number_unsigned() && m->get<std::uint64_t>() > INT64_MAX)
            return fail(errc::invalid_argument, "must be a 64-bit integer", p);
        t = Timestamp{m->get<std::int64_t>()};
    } else {
        CRM_TRY(s, string_of(*m, p, 64));
        CRM_TRY(parsed, parse_iso8601(s, p));
        t = parsed;
    }
    CRM_TRYV(check_instant(t, p));
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

namespace {

// Builds the document from the parser's events, refusing what the limits
// (crm/core/limits.hpp) do not allow as soon as it is seen: nesting deeper
// than limits::json_depth, more than limits::json_values values, and a key
// given twice in one object. Members are appended without the ordered
// map's own search, so a large object costs linear time; small objects
// are checked for a repeated key by a scan, larger ones through a set.
class Builder {
public:
    json root;
    error failure{errc::parse, "", ""};
    bool failed = false;

    bool null() { return put(json(nullptr)); }
    bool boolean(bool v) { return put(json(v)); }
    bool number_integer(json::number_integer_t v) { return put(json(v)); }
    bool number_unsigned(json::number_unsigned_t v) { return put(json(v)); }
    bool number_float(json::number_float_t v, const json::string_t&) { return put(json(v)); }
    bool string(json::string_t& v) { return put(json(std::move(v))); }
    bool binary(json::binary_t&) { return refuse(errc::parse, "is not valid JSON (binary value)"); }
    bool start_object(std::size_t) { return open(json::object()); }
    bool start_array(std::size_t) { return open(json::array()); }
    bool end_object() { return close(); }
    bool end_array() { return close(); }

    bool key(json::string_t& k) {
        auto& members = stack_.back().container->get_ref<json::object_t&>();
        Level& level = stack_.back();
        constexpr std::size_t kScan = 8;
        if (members.size() < kScan) {
            for (const auto& m : members)
                if (m.first == k) return duplicate(k);
        } else {
            if (!level.keys) {
                level.keys = std::make_unique<std::unordered_set<std::string>>();
                for (const auto& m : members) level.keys->insert(m.first);
            }
            if (!level.keys->insert(k).second) return duplicate(k);
        }
        members.emplace_back(std::move(k), nullptr);
        return true;
    }

    bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
        return refuse(errc::parse, "is not valid JSON (at byte " + std::to_string(position) + ")");
    }

private:
    struct Level {
        json* container;
        std::unique_ptr<std::unordered_set<std::string>> keys;
    };
    std::vector<Level> stack_;
    std::size_t values_ = 0;

    // Where the next value goes: the root, the end of the open array, or
    // the member whose key came last.
    json* put_slot(json&& v) {
        if (stack_.empty()) {
            root = std::move(v);
            return &root;
        }
        json& top = *stack_.back().container;
        if (top.is_array()) {
            auto& a = top.get_ref<json::array_t&>();
            a.push_back(std::move(v));
            return &a.back();
        }
        json& slot = top.get_ref<json::object_t&>().back().second;
        slot = std::move(v);
        return &slot;
    }

    bool count() {
        if (++values_ <= limits::json_values) return true;
        return refuse(errc::invalid_argument,
                      "has more than " + std::to_string(limits::json_values) +
                          " values (the limit of one JSON text)");
    }

    bool put(json&& v) {
        if (!count()) return false;
        put_slot(std::move(v));
        return true;
    }

    bool open(json&& container) {
        if (stack_.size() >= limits::json_depth)
            return refuse(errc::invalid_argument,
                          "nests arrays and objects deeper than " +
                              std::to_string(limits::json_depth) + " levels (the limit)");
        if (!count()) return false;
        stack_.push_back(Level{put_slot(std::move(container)), nullptr});
        return true;
    }

    bool close() {
        stack_.pop_back();
        return true;
    }

    // The path of the innermost open container, for an error about one of
    // its keys: each outer level holds it as its last element.
    std::string path() const {
        std::string p;
        for (std::size_t i = 0; i + 1 < stack_.size(); ++i) {
            const json& c = *stack_[i].container;
            if (c.is_array()) {
                p += "[" + std::to_string(c.size() - 1) + "]";
            } else if (!c.empty()) {
                if (!p.empty()) p += '.';
                p += text::excerpt(c.get_ref<const json::object_t&>().back().first, 64);
            }
        }
        return p;
    }

    bool duplicate(const std::string& k) {
        std::string at = path();
        refuse(errc::invalid_argument, "is given twice in one object");
        failure.field = join(at, text::excerpt(k, 64));
        return false;
    }

    bool refuse(errc code, std::string message) {
        if (!failed) failure = error{code, std::move(message), ""};
        failed = true;
        return false;
    }
};

}  // namespace

void dismantle(json& j) noexcept {
    // Pops a leaf (a scalar or an empty container) at the end of the last
    // path until nothing is left: destroying a leaf allocates nothing.
    for (;;) {
        json* node = &j;
        for (;;) {
            json* last = nullptr;
            if (node->is_array() && !node->empty())
                last = &node->get_ref<json::array_t&>().back();
            else if (node->is_object() && !node->empty())
                last = &node->get_ref<json::object_t&>().back().second;
            else
                return;  // the root itself is a leaf now
            if ((last->is_array() || last->is_object()) && !last->empty()) {
                node = last;
                continue;
            }
            if (node->is_array()) node->get_ref<json::array_t&>().pop_back();
            else node->get_ref<json::object_t&>().pop_back();
            break;
        }
    }
}

result<json> parse(std::string_view text, std::string_view what) {
    if (text.size() > limits::request_bytes)
        return fail(errc::invalid_argument,
                    "is " + std::to_string(text.size()) + " bytes; the limit is " +
                        std::to_string(limits::request_bytes),
                    std::string(what));
    if (!text::is_valid_utf8(text))
        return fail(errc::parse, "is not valid UTF-8", std::string(what));
    Builder builder;
    try {
        json::sax_parse(text.begin(), text.end(), &builder);
    } catch (const std::bad_alloc&) {
        dismantle(builder.root);
        throw;  // the C ABI reports it as out of memory
    } catch (const std::exception& e) {
        return fail(errc::parse, std::string("is not valid JSON: ") + e.what(), std::string(what));
    }
    if (builder.failed) {
        error e = std::move(builder.failure);
        // A repeated key names its own path; every other failure the text.
        e.field = e.field.empty() ? std::string(what) : join(what == "request" ? "" : what, e.field);
        return e;
    }
    return std::move(builder.root);
}

}  // namespace crm::codec

namespace crm::json {

result<void> check(std::string_view text, std::string_view what) {
    CRM_TRY(document, codec::parse(text, what));
    codec::dismantle(document);
    return ok();
}

}  // namespace crm::json
