// customer/store/columns.cpp - JSON encoding of the nested values the
// repositories keep in TEXT columns: hand-written writers, nlohmann readers,
// and a pull reader for the texts read with every party.
#include "customer/store/columns.hpp"

#include <cctype>
#include <charconv>
#include <limits>

#include <nlohmann/json.hpp>

#include "customer/store/records.hpp"
#include "storage/sqlite/db.hpp"

namespace crm::columns {

using nlohmann::json;
using storage::sqlite::IdText;
using storage::sqlite::parse_id;

namespace {

error corrupt(std::string_view what, std::string_view why) {
    return fail(errc::storage,
                "sqlite: malformed JSON in " + std::string(what) + ": " + std::string(why));
}

// The accessors below throw nlohmann exceptions on a wrong type; the
// decode_* functions catch them and report a storage error.
std::int64_t as_i64(const json& j) {
    if (j.is_number_unsigned()) {
        auto u = j.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            throw std::out_of_range("integer out of range");
        return static_cast<std::int64_t>(u);
    }
    if (!j.is_number_integer()) throw std::invalid_argument("expected an integer");
    return j.get<std::int64_t>();
}

std::string as_string(const json& j) {
    if (!j.is_string()) throw std::invalid_argument("expected a string");
    return j.get<std::string>();
}

Money as_money(const json& j) {
    if (!j.is_object()) throw std::invalid_argument("expected a money object");
    return Money{as_i64(j.at("minor")), as_string(j.at("currency"))};
}

Value as_value(const json& j) {
    switch (j.type()) {
        case json::value_t::null: return std::monostate{};
        case json::value_t::boolean: return j.get<bool>();
        case json::value_t::number_integer:
        case json::value_t::number_unsigned: return as_i64(j);
        case json::value_t::string: return j.get<std::string>();
        case json::value_t::object: return as_money(j);
        case json::value_t::array: {
            std::vector<std::string> list;
            list.reserve(j.size());
            for (const auto& e : j) list.push_back(as_string(e));
            return list;
        }
        default: throw std::invalid_argument("unsupported value type");
    }
}

template <class F>
auto decode(std::string_view text, std::string_view what, F&& f) -> decltype(f(json{})) {
    try {
        return f(json::parse(text));
    } catch (const std::exception& e) {
        return corrupt(what, e.what());
    }
}

// A pull reader for the two JSON texts read with every party (its contact
// points and tags): nlohmann's DOM costs about 10 us for five contact
// points, mostly in allocations; this reader decodes straight into the
// records. It accepts any valid JSON of the expected shape (white space,
// key order, unknown keys, escapes), so hand-edited files still load.
class Reader {
public:
    explicit Reader(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

    bool fail() {
        ok_ = false;
        p_ = end_;
        return false;
    }
    bool ok() const { return ok_; }
    bool done() {
        ws();
        return ok_ && p_ == end_;
    }
    bool peek(char c) {
        ws();
        return p_ < end_ && *p_ == c;
    }
    bool eat(char c) {
        if (!peek(c)) return fail();
        ++p_;
        return true;
    }

    bool string(std::string& out) {
        out.clear();
        if (!eat('"')) return false;
        for (;;) {
            const char* q = p_;
            while (q < end_ && *q != '"' && *q != '\\' && static_cast<unsigned char>(*q) >= 0x20)
                ++q;
            out.append(p_, q);
            p_ = q;
            if (p_ >= end_ || static_cast<unsigned char>(*p_) < 0x20) return fail();
            if (*p_++ == '"') return true;
            if (p_ >= end_) return fail();
            switch (char e = *p_++) {
                case '"': case '\\': case '/': out += e; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    std::uint32_t cp = 0;
                    if (!hex4(cp)) return false;
                    if (cp >= 0xD800 && cp < 0xDC00) {
                        std::uint32_t lo = 0;
                        if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return fail();
                        p_ += 2;
                        if (!hex4(lo) || lo < 0xDC00 || lo >= 0xE000) return fail();
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else if (cp >= 0xDC00 && cp < 0xE000) {
                        return fail();
                    }
                    utf8(out, cp);
                    break;
                }
                default: return fail();
            }
        }
    }

    bool integer(std::int64_t& v) {
        ws();
        auto r = std::from_chars(p_, end_, v);
        if (r.ec != std::errc{} || r.ptr == p_) return fail();
        p_ = r.ptr;
        // A fraction or exponent is not an integer.
        if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return fail();
        return true;
    }

    bool boolean(bool& v) {
        ws();
        if (literal("true")) v = true;
        else if (literal("false")) v = false;
        else return fail();
        return true;
    }

    // Skips one value of any type (an unknown key's).
    bool skip() {
        ws();
        if (p_ >= end_) return fail();
        std::string scratch;
        switch (*p_) {
            case '"': return string(scratch);
            case '{': return object([&](const std::string&) { return skip(); });
            case '[': return array([&] { return skip(); });
            case 't': case 'f': { bool b; return boolean(b); }
            case 'n': return literal("null") || fail();
            default: {
                // Any number: integers, fractions, exponents.
                const char* q = p_;
                while (q < end_ && (std::isdigit(static_cast<unsigned char>(*q)) || *q == '-' ||
                                    *q == '+' || *q == '.' || *q == 'e' || *q == 'E'))
                    ++q;
                if (q == p_) return fail();
                p_ = q;
                return true;
            }
        }
    }

    // Calls item() for each element; item reads exactly one value.
    template <class F>
    bool array(F&& item) {
        if (!eat('[')) return false;
        if (peek(']')) return ++p_, true;
        do {
            if (!item()) return fail();
        } while (peek(',') && ++p_);
        return eat(']');
    }

    // Calls member(key) for each member; member reads exactly one value.
    template <class F>
    bool object(F&& member) {
        if (!eat('{')) return false;
        if (peek('}')) return ++p_, true;
        std::string key;
        do {
            if (!string(key) || !eat(':') || !member(key)) return fail();
        } while (peek(',') && ++p_);
        return eat('}');
    }

private:
    void ws() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r')) ++p_;
    }
    bool literal(std::string_view w) {
        if (static_cast<std::size_t>(end_ - p_) < w.size() || std::string_view(p_, w.size()) != w)
            return false;
        p_ += w.size();
        return true;
    }
    bool hex4(std::uint32_t& v) {
        if (end_ - p_ < 4) return fail();
        for (int i = 0; i < 4; ++i) {
            char c = *p_++;
            v <<= 4;
            if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
            else return fail();
        }
        return true;
    }
    static void utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    const char* p_;
    const char* end_;
    bool ok_ = true;
};

}  // namespace

std::string encode_strings(const std::vector<std::string>& v) {
    std::string out;
    append_strings(out, v);
    return out;
}

result<std::vector<std::string>> decode_strings(std::string_view text, std::string_view what) {
    std::vector<std::string> out;
    if (text == "[]") return out;
    Reader r(text);
    r.array([&] { return r.string(out.emplace_back()); });
    if (!r.done()) return corrupt(what, "expected an array of strings");
    return out;
}

std::string encode_custom(const CustomValues& custom) {
    std::string out;
    append_custom(out, custom);
    return out;
}

result<CustomValues> decode_custom(std::string_view text, std::string_view what) {
    if (text == "{}") return CustomValues{};
    return decode(text, what, [](const json& j) -> result<CustomValues> {
        if (!j.is_object()) throw std::invalid_argument("expected an object");
        CustomValues out;
        for (const auto& [k, v] : j.items()) out.emplace(k, as_value(v));
        return out;
    });
}

namespace {

void append_consents(std::string& out, const std::vector<Consent>& consents) {
    out += '[';
    for (std::size_t i = 0; i < consents.size(); ++i) {
        const Consent& c = consents[i];
        if (i) out += ',';
        out += "{\"channel\":";
        append_json_string(out, c.channel);
        out += ",\"status\":";
        append_json_string(out, to_string(c.status));
        out += ",\"at\":";
        append_int(out, c.at.ms);
        out += ",\"source\":";
        append_json_string(out, c.source);
        out += '}';
    }
    out += ']';
}

}  // namespace

std::string encode_contacts(const std::vector<ContactPoint>& contacts) {
    if (contacts.empty()) return "[]";
    std::string out;
    out.reserve(160 * contacts.size());
    out += '[';
    for (std::size_t i = 0; i < contacts.size(); ++i) {
        const ContactPoint& c = contacts[i];
        if (i) out += ',';
        out += "{\"id\":\"";
        out += IdText(c.id).view();
        out += "\",\"kind\":";
        append_json_string(out, to_string(c.kind));
        out += ",\"type\":";
        append_json_string(out, c.type);
        out += ",\"value\":";
        append_json_string(out, c.value);
        out += ",\"primary\":";
        out += c.primary ? "true" : "false";
        out += ",\"verified\":";
        out += c.verified ? "true" : "false";
        out += ",\"operator\":";
        append_json_string(out, c.operator_name);
        out += ",\"consents\":";
        append_consents(out, c.consents);
        out += '}';
    }
    out += ']';
    return out;
}

result<std::vector<ContactPoint>> decode_contacts(std::string_view text, std::string_view what) {
    std::vector<ContactPoint> out;
    if (text == "[]") return out;
    Reader r(text);
    std::string scratch;
    std::string why;
    // Enum names and ids are checked as they are read; `why` keeps the
    // first problem for the error message.
    auto bad = [&](std::string reason) {
        if (why.empty()) why = std::move(reason);
        return r.fail();
    };
    auto consent = [&](Consent& c) {
        return r.object([&](const std::string& k) {
            if (k == "channel") return r.string(c.channel);
            if (k == "source") return r.string(c.source);
            if (k == "at") return r.integer(c.at.ms);
            if (k == "status") {
                if (!r.string(scratch)) return false;
                auto s = parse_consent_status(scratch);
                if (!s) return bad(s.error().message);
                c.status = s.value();
                return true;
            }
            return r.skip();
        });
    };
    r.array([&] {
        ContactPoint& c = out.emplace_back();
        bool has_id = false, has_kind = false;
        bool ok = r.object([&](const std::string& k) {
            if (k == "value") return r.string(c.value);
            if (k == "type") return r.string(c.type);
            if (k == "operator") return r.string(c.operator_name);
            if (k == "primary") return r.boolean(c.primary);
            if (k == "verified") return r.boolean(c.verified);
            if (k == "consents") return r.array([&] { return consent(c.consents.emplace_back()); });
            if (k == "id") {
                has_id = r.string(scratch) && parse_id(scratch, c.id);
                return has_id || bad("malformed contact id");
            }
            if (k == "kind") {
                if (!r.string(scratch)) return false;
                auto kind = parse_contact_kind(scratch);
                if (!kind) return bad(kind.error().message);
                c.kind = kind.value();
                has_kind = true;
                return true;
            }
            return r.skip();
        });
        return ok && ((has_id && has_kind) || bad("a contact point needs an id and a kind"));
    });
    if (!r.done()) return corrupt(what, why.empty() ? "expected an array of contact points" : why);
    return out;
}

result<std::vector<std::pair<std::string, std::string>>> contact_keys(std::string_view text,
                                                                      std::string_view what) {
    CRM_TRY(contacts, decode_contacts(text, what));
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(contacts.size());
    for (const auto& c : contacts)
        out.emplace_back(to_string(c.kind), contact_index_key(c.kind, c.value));
    return out;
}

std::string encode_lines(const std::vector<PurchaseLine>& lines) {
    if (lines.empty()) return "[]";
    std::string out = "[";
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const PurchaseLine& l = lines[i];
        if (i) out += ',';
        out += "{\"sku\":";
        append_json_string(out, l.sku);
        out += ",\"name\":";
        append_json_string(out, l.name);
        out += ",\"quantity\":";
        append_int(out, l.quantity);
        out += ",\"unit_price\":";
        append_money(out, l.unit_price);
        out += ",\"total\":";
        append_money(out, l.total);
        out += '}';
    }
    out += ']';
    return out;
}

result<std::vector<PurchaseLine>> decode_lines(std::string_view text, std::string_view what) {
    if (text == "[]") return std::vector<PurchaseLine>{};
    return decode(text, what, [](const json& j) -> result<std::vector<PurchaseLine>> {
        if (!j.is_array()) throw std::invalid_argument("expected an array");
        std::vector<PurchaseLine> out;
        out.reserve(j.size());
        for (const auto& e : j) {
            PurchaseLine l;
            l.sku = as_string(e.at("sku"));
            l.name = as_string(e.at("name"));
            l.quantity = as_i64(e.at("quantity"));
            l.unit_price = as_money(e.at("unit_price"));
            l.total = as_money(e.at("total"));
            out.push_back(std::move(l));
        }
        return out;
    });
}

}  // namespace crm::columns
