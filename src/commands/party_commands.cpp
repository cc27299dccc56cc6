// src/commands/party_commands.cpp - commands on parties: create, upsert,
// update, look up, consent, organisation membership, custom fields, the 360
// view, search, duplicates and merge.
#include "commands/request.hpp"
#include "crm/core/bank.hpp"
#include "crm/core/national_id.hpp"
#include "view/codec.hpp"

namespace crm::commands {

namespace {

json written(const char* key, WriteOutcome outcome, json record) {
    return json{{"outcome", to_string(outcome)}, {key, std::move(record)}};
}

result<json> party_create(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRY(input, codec::party_input_from_json(request));
    CRM_TRY(party, engine.create_party(ctx, input));
    return codec::to_json(party);
}

result<json> party_upsert(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRY(input, codec::party_input_from_json(request));
    CRM_TRY(w, engine.upsert_party(ctx, input));
    return written("party", w.outcome, codec::to_json(w.record));
}

result<json> party_update(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "changes"}));
    CRM_TRY(id, required_id(request, "id"));
    auto changes = request.find("changes");
    if (changes == request.end() || changes->is_null())
        return fail(errc::invalid_argument, "is required", "changes");
    CRM_TRY(input, codec::party_input_from_json(*changes, "changes"));
    auto party = engine.update_party(ctx, id, input);
    if (!party) {
        if (party.error().code == errc::not_found && party.error().field == "id") return party.error();
        return rebase(party.error(), "changes");
    }
    return codec::to_json(party.value());
}

result<json> party_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "external_id", "key"}));
    const int given = int(request.contains("id")) + int(request.contains("external_id")) +
                      int(request.contains("key"));
    if (given != 1)
        return fail(errc::invalid_argument, "give exactly one of id, external_id and key",
                    given == 0 ? "id" : "key");
    if (request.contains("id")) {
        CRM_TRY(id, required_id(request, "id"));
        auto party = engine.get_party(id);
        if (!party) return rename(party.error(), "party", "id");
        return codec::to_json(party.value());
    }
    if (request.contains("external_id")) {
        CRM_TRY(ext, required_string(request, "external_id", 200));
        CRM_TRY(party, engine.get_party_by_external_id(ext));
        return codec::to_json(party);
    }
    CRM_TRY(key, required_string(request, "key", 200));
    auto party = engine.find_party(key);
    if (!party) return rename(rename(party.error(), "external_id", "key"), "party", "key");
    return codec::to_json(party.value());
}

result<json> party_set_consent(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"party", "contact", "consent"}));
    CRM_TRY(party, required_id(request, "party"));
    CRM_TRY(contact, required_id(request, "contact"));
    auto c = request.find("consent");
    if (c == request.end() || c->is_null())
        return fail(errc::invalid_argument, "is required", "consent");
    CRM_TRY(consent, codec::consent_from_json(*c, "consent"));
    CRM_TRY(updated, engine.set_consent(ctx, party, contact, consent));
    return codec::to_json(updated);
}

result<json> party_link_organization(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"person", "organization", "role"}));
    CRM_TRY(person, required_id(request, "person"));
    CRM_TRY(organization, required_id(request, "organization"));
    CRM_TRY(role, codec::get_string(request, "role", "", 200));
    auto m = engine.link_to_organization(ctx, person, organization, role.value_or(""));
    if (!m) return m.error();
    return codec::to_json(m.value());
}

result<json> party_unlink_organization(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"person", "organization"}));
    CRM_TRY(person, required_id(request, "person"));
    CRM_TRY(organization, required_id(request, "organization"));
    auto r = engine.unlink_from_organization(ctx, person, organization);
    if (!r) return r.error();
    return json{{"person", person.str()}, {"organization", organization.str()}};
}

// An identifier checked and in its canonical form: {kind, value} ->
// {kind, value, formatted?, bank?, account?}.
result<json> identifier_check(Engine&, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"kind", "value"}));
    CRM_TRY(kind, required_string(request, "kind", 32));
    CRM_TRY(value, required_string(request, "value", 256));
    const auto bank_json = [](const std::optional<bank::Bank>& b) {
        return b ? json{{"code", b->code}, {"name_fa", b->name_fa}, {"name_en", b->name_en}} : json(nullptr);
    };
    if (kind == "sheba") {
        CRM_TRY(s, bank::parse_sheba(value, "value"));
        return json{{"kind", kind}, {"value", s.value}, {"formatted", s.formatted},
                    {"bank_code", s.bank_code}, {"bank", bank_json(s.bank)}, {"account", s.account}};
    }
    if (kind == "bank_card") {
        CRM_TRY(c, bank::parse_card(value, "value"));
        return json{{"kind", kind}, {"value", c.value}, {"formatted", c.formatted}, {"bank", bank_json(c.bank)}};
    }
    if (kind == "postal_code") {
        CRM_TRY(code, bank::normalize_postal_code(value, "value"));
        return json{{"kind", kind}, {"value", code}, {"formatted", code.substr(0, 5) + "-" + code.substr(5)}};
    }
    if (kind == "national_id" || kind == "legal_id") {
        CRM_TRY(id, national_id::normalize(kind == "national_id" ? national_id::Kind::person
                                                                 : national_id::Kind::legal_entity,
                                           value, "value"));
        return json{{"kind", kind}, {"value", id}};
    }
    return fail(errc::invalid_argument,
                "must be one of: sheba, bank_card, postal_code, national_id, legal_id", "kind");
}

result<json> field_define(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRY(def, codec::field_def_from_json(request));
    CRM_TRY(stored, engine.define_field(ctx, def));
    return codec::to_json(stored);
}

result<json> field_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"record_type"}));
    CRM_TRY(rt, codec::get_string(request, "record_type", "", 64));
    CRM_TRY(defs, engine.fields(rt.value_or("party")));
    return items(defs);
}

result<json> customer_view(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"party", "recent_interactions"}));
    CRM_TRY(party, required_id(request, "party"));
    CRM_TRY(recent, int_or(request, "recent_interactions", 20));
    CRM_TRY(view, engine.customer_360(party, recent));
    return codec::to_json(view);
}

result<json> search(Engine& engine, const json& request, const Context&) {
    CRM_TRY(query, codec::search_query_from_json(request));
    CRM_TRY(hits, engine.search(query));
    return items(hits);
}

result<json> duplicates_find(Engine& engine, const json& request, const Context&) {
    CRM_TRY(options, codec::duplicate_options_from_json(request));
    CRM_TRY(pairs, engine.find_duplicates(options));
    return items(pairs);
}

result<json> merge(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"survivor", "merged", "rules"}));
    CRM_TRY(survivor, required_id(request, "survivor"));
    CRM_TRY(names, codec::get_strings(request, "merged", ""));
    if (!names) return fail(errc::invalid_argument, "is required", "merged");
    std::vector<Id> merged;
    for (std::size_t i = 0; i < names->size(); ++i) {
        CRM_TRY(id, Id::parse((*names)[i], "merged[" + std::to_string(i) + "]"));
        merged.push_back(id);
    }
    MergeRules rules;
    if (auto r = request.find("rules"); r != request.end() && !r->is_null()) {
        CRM_TRY(parsed, codec::merge_rules_from_json(*r, "rules"));
        rules = std::move(parsed);
    }
    auto survived = engine.merge(ctx, survivor, merged, rules);
    if (!survived) {
        error e = survived.error();
        if (e.field.rfind("fields.", 0) == 0) e = rebase(std::move(e), "rules");
        return e;
    }
    return codec::to_json(survived.value());
}

constexpr Command kCommands[] = {
    {"party.create", "Creates a person or an organisation.",
     "PartyInput: kind (person|organization), external_id, first_name, last_name, "
     "organization_name, national_id, lifecycle_stage, owner, city, country, tags[], "
     "custom{name: value}, contacts[{kind, value, type, primary, verified, consents[]}], "
     "created_at",
     "Party", true, party_create},
    {"party.upsert",
     "Creates or updates the party with the given external_id; the same input twice is "
     "'unchanged'.",
     "PartyInput with external_id required", "{outcome: created|updated|unchanged, party: Party}",
     true, party_upsert},
    {"party.update", "Changes the given fields of an existing party; others stay as they are.",
     "{id, changes: PartyInput}; changes may also add_tags[], remove_tags[], remove_contacts[id]",
     "Party", true, party_update},
    {"party.get", "Reads a party by id, by external id, or by either; merged ids resolve to the survivor.",
     "exactly one of {id}, {external_id}, {key: id or external id}", "Party", false, party_get},
    {"party.set_consent", "Records a party's consent to one channel on one contact point.",
     "{party, contact, consent: {channel, status (unknown|opt_in|opt_out), at, source}}", "Party",
     true, party_set_consent},
    {"party.link_organization", "Makes a person a member of an organisation, with a role.",
     "{person, organization, role}", "Membership {person, organization, role, since}", true,
     party_link_organization},
    {"party.unlink_organization", "Ends a person's membership of an organisation.",
     "{person, organization}", "{person, organization}", true, party_unlink_organization},
    {"field.define", "Declares (or updates) a custom field of a record type.",
     "FieldDef: {record_type (default party), name, label, type (text|integer|decimal|money|"
     "boolean|date|enum|multi_enum|sheba|bank_card|postal_code), required, allowed[], min, max, currency}",
     "FieldDef", true, field_define},
    {"identifier.check",
     "Checks an Iranian identifier and gives its canonical form: a Sheba number (mod 97, its bank), a "
     "bank card number (Luhn, its bank), a postal code, a national code or a legal entity's national id.",
     "{kind: sheba|bank_card|postal_code|national_id|legal_id, value}",
     "{kind, value, formatted?, bank_code?, bank?: {code, name_fa, name_en}, account? (sheba: the account as the Sheba holds it)}", false, identifier_check},
    {"field.list", "Lists the custom fields declared for a record type.",
     "{record_type (default party)}", "{items: [FieldDef]}", false, field_list},
    {"customer.view", "The 360 view of a party: profile, memberships, recent interactions, open "
     "activities, purchase summaries, merged ids, open opportunities, leads, quotes and "
     "tickets, the last CSAT and NPS answers, segments, lists, loyalty and campaigns; an "
     "organisation's also rolls up its members' open deals, open tickets and purchases.",
     "{party, recent_interactions (0..1000, default 20)}", "Customer360", false, customer_view},
    {"search", "Finds parties by external id, national id, e-mail, phone or name, and by tag.",
     "SearchQuery: {text, tag, limit (1..1000, default 20), offset}",
     "{items: [{id, kind, external_id, display_name, city, matched}]}", false, search},
    {"duplicates.find", "Finds pairs of parties that are probably the same, with scores and reasons.",
     "DuplicateOptions: {rules[{name, all_of[{field, min_similarity}], score}], min_score "
     "(default 0.7), limit (default 1000)}; no rules: the built-in ones",
     "{items: [{a: {id, external_id}, b: {id, external_id}, score, reasons[]}]}", false,
     duplicates_find},
    {"merge", "Merges parties into a survivor in one transaction; their records move to it.",
     "{survivor, merged[id], rules: {default (survivor|merged|newest), fields{name: rule}}}",
     "Party (the survivor)", true, merge},
};

}  // namespace

std::span<const Command> detail::party_commands() { return kCommands; }

}  // namespace crm::commands
