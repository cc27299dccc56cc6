// customer/store/columns.cpp - JSON encoding of the nested values the
// repositories keep in TEXT columns: hand-written writers, nlohmann readers,
// and a pull reader for the texts read with every party.
#include "customer/store/columns.hpp"

#include <cctype>
#include <charconv>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/json_pull.hpp"
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

// The pull reader (core/json_pull.hpp) decodes the two JSON texts read
// with every party, its contact points and tags, straight into the records.
using json_pull::Reader;

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
