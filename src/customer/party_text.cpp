// src/customer/party_text.cpp - the hand-written JSON text of a party.
#include "customer/party_text.hpp"

#include "core/json_text.hpp"

#include <cstdio>
#include <cstring>

namespace crm::codec {

using namespace json_text;

namespace {

void append_contact(std::string& out, const ContactPoint& c) {
    out += "{\"id\":" + id_text(c.id) + ",\"kind\":\"" + to_string(c.kind) + "\",\"type\":";
    append_json_string(out, c.type);
    out += ",\"value\":";
    append_json_string(out, c.value);
    out += c.primary ? ",\"primary\":true" : ",\"primary\":false";
    out += c.verified ? ",\"verified\":true" : ",\"verified\":false";
    out += ",\"consents\":[";
    for (std::size_t i = 0; i < c.consents.size(); ++i) {
        const Consent& k = c.consents[i];
        if (i) out.push_back(',');
        out += "{\"channel\":";
        append_json_string(out, k.channel);
        out += ",\"status\":\"" + std::string(to_string(k.status)) + "\",\"at\":" + time_text(k.at) +
               ",\"source\":";
        append_json_string(out, k.source);
        out.push_back('}');
    }
    out.push_back(']');
    if (!c.operator_name.empty()) {
        out += ",\"operator\":";
        append_json_string(out, c.operator_name);
    }
    out.push_back('}');
}

bool empty_text(const std::string& t) { return t == "\"\"" || t == "[]" || t == "{}" || t == "null"; }

}  // namespace

std::string contact_text(const ContactPoint& c) {
    std::string out;
    append_contact(out, c);
    return out;
}

FieldTexts party_fields(const Party& p) {
    FieldTexts f;
    f.reserve(20);
    f.emplace_back("id", id_text(p.id));
    f.emplace_back("kind", json_text::quoted(to_string(p.kind)));
    f.emplace_back("external_id", json_text::quoted(p.external_id));
    f.emplace_back("display_name", json_text::quoted(p.display_name()));
    f.emplace_back("first_name", json_text::quoted(p.first_name));
    f.emplace_back("last_name", json_text::quoted(p.last_name));
    f.emplace_back("organization_name", json_text::quoted(p.organization_name));
    f.emplace_back("national_id", json_text::quoted(p.national_id));
    f.emplace_back("lifecycle_stage", json_text::quoted(p.lifecycle_stage));
    f.emplace_back("owner", json_text::quoted(p.owner));
    f.emplace_back("city", json_text::quoted(p.city));
    f.emplace_back("country", json_text::quoted(p.country));
    std::string tags;
    append_strings(tags, p.tags);
    f.emplace_back("tags", std::move(tags));
    std::string custom;
    append_custom(custom, p.custom);
    f.emplace_back("custom", std::move(custom));
    std::string contacts = "[";
    for (std::size_t i = 0; i < p.contacts.size(); ++i) {
        if (i) contacts.push_back(',');
        append_contact(contacts, p.contacts[i]);
    }
    contacts.push_back(']');
    f.emplace_back("contacts", std::move(contacts));
    f.emplace_back("created_at", time_text(p.created_at));
    f.emplace_back("updated_at", time_text(p.updated_at));
    f.emplace_back("version", std::to_string(p.version));
    if (!p.merged_into.is_nil()) f.emplace_back("merged_into", id_text(p.merged_into));
    return f;
}

std::string object_text(const FieldTexts& fields) {
    std::size_t size = 2;
    for (const auto& [name, text] : fields) size += std::strlen(name) + text.size() + 4;
    std::string out;
    out.reserve(size);
    out.push_back('{');
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out.push_back(',');
        out.push_back('"');
        out += fields[i].first;
        out += "\":";
        out += fields[i].second;
    }
    out.push_back('}');
    return out;
}

// What every write changes, never listed as a change; and a ticket's SLA
// clocks and the time they are next due, derived from its other fields and
// the passing time (tick's own audit entry lists their status changes).
bool bookkeeping(std::string_view key) {
    return key == "updated_at" || key == "version" || key == "stage_entered_at" ||
           key == "state_entered_at" || key == "slas" || key == "due_at";
}

std::vector<FieldChange> diff(const FieldTexts& before, const FieldTexts& after) {
    std::vector<FieldChange> out;
    // Two texts of one record type list their fields in the same order:
    // the field at the same place is the first guess.
    auto find = [](const FieldTexts& in, std::size_t at, const char* name) -> const std::string* {
        if (at < in.size() && !std::strcmp(in[at].first, name)) return &in[at].second;
        for (const auto& [n, t] : in)
            if (!std::strcmp(n, name)) return &t;
        return nullptr;
    };
    for (std::size_t i = 0; i < after.size(); ++i) {
        const auto& [name, text] = after[i];
        if (bookkeeping(name)) continue;
        const std::string* old = find(before, i, name);
        if (!old) {
            if (!empty_text(text)) out.push_back({name, "null", text});
        } else if (*old != text) {
            out.push_back({name, *old, text});
        }
    }
    for (std::size_t i = 0; i < before.size(); ++i)
        if (!bookkeeping(before[i].first) && !find(after, i, before[i].first))
            out.push_back({before[i].first, before[i].second, "null"});
    return out;
}

}  // namespace crm::codec
