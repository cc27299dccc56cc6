// src/sales/leads.cpp - leads: capture, qualification moves, scoring by
// rules with an explanation, and conversion into a party (and optionally
// an opportunity) in one transaction.
#include <algorithm>

#include "crm/core/email.hpp"
#include "crm/core/national_id.hpp"
#include "crm/core/text.hpp"
#include "crm/sales/sales.hpp"
#include "core/clean.hpp"
#include "expr/json_form.hpp"
#include "process/moves.hpp"
#include "records/lookup.hpp"
#include "sales/codec.hpp"
#include "sales/record.hpp"
#include "sales/work.hpp"

namespace crm {
namespace {

using json = codec::json;

constexpr std::string_view kRecordType = "lead";
constexpr std::string_view kScoringKind = "scoring";
constexpr std::size_t kMaxScoringRules = 500;

constexpr const char* kLeadProcess = R"({
  "id": "lead", "record_type": "lead", "name": "Lead qualification",
  "card": {"title": "Lead qualification", "goal": "Qualify or disqualify every lead quickly",
           "owner": "sales manager", "executors": ["sales development"],
           "scope": "from a captured lead to a converted or disqualified one",
           "record_keeping": "every move is kept in history",
           "expected_duration": {"business_days": 5},
           "kpis": ["conversion rate", "time to first contact"]},
  "states": [
    {"id": "new", "label": "New", "initial": true, "expected_duration": {"business_days": 1}},
    {"id": "contacted", "label": "Contacted", "expected_duration": {"business_days": 3}},
    {"id": "qualified", "label": "Qualified"},
    {"id": "converted", "label": "Converted", "category": "won"},
    {"id": "disqualified", "label": "Disqualified", "category": "lost"}],
  "transitions": [
    {"name": "contact", "from": "new", "to": "contacted"},
    {"name": "qualify", "from": ["new", "contacted"], "to": "qualified"},
    {"name": "convert", "from": "qualified", "to": "converted"},
    {"name": "disqualify", "from": "*", "to": "disqualified", "close_record": true},
    {"name": "reopen", "from": "disqualified", "to": "new", "reopen": true}]
})";

struct ScoringRule {
    std::string name;
    expr::Expr when;
    int points = 0;
};

result<std::vector<ScoringRule>> load_scoring(const json& doc, const expr::Schema& schema) {
    CRM_TRYV(codec::expect_object(doc, "", {"rules"}));
    const json* rules = codec::member(doc, "rules");
    if (!rules || !rules->is_array()) return fail(errc::invalid_argument, "must be an array", "rules");
    if (rules->size() > kMaxScoringRules)
        return fail(errc::invalid_argument, "has more than 500 rules", "rules");
    std::vector<ScoringRule> out;
    for (std::size_t i = 0; i < rules->size(); ++i) {
        const std::string path = "rules[" + std::to_string(i) + "]";
        const json& r = (*rules)[i];
        CRM_TRYV(codec::expect_object(r, path, {"name", "when", "points"}));
        CRM_TRY(name, codec::get_string(r, "name", path, 200));
        if (!name || text::tidy(*name).empty())
            return fail(errc::invalid_argument, "is required", codec::join(path, "name"));
        const json* when = codec::member(r, "when");
        if (!when) return fail(errc::invalid_argument, "is required", codec::join(path, "when"));
        CRM_TRY(rule, expr::load_json(*when, schema, codec::join(path, "when")));
        CRM_TRY(points, codec::get_int(r, "points", path));
        if (!points || *points < -1000 || *points > 1000)
            return fail(errc::invalid_argument, "must be an integer from -1000 to 1000",
                        codec::join(path, "points"));
        out.push_back({text::tidy(*name), std::move(rule), static_cast<int>(*points)});
    }
    return out;
}

class LeadWork {
public:
    LeadWork(Engine::Impl& impl, Transaction& tx, const Context& ctx)
        : impl_(impl), tx_(tx), ctx_(ctx) {}

    result<Lead> load(const Id& id) { return records().load(id); }
    result<Lead> find(std::string_view key) { return records().find(key); }
    Records<Lead> records() {
        return {tx_, &Transaction::get_lead, &Transaction::lead_by_external_id, "lead"};
    }

    result<process::Definition> process_for_create(const std::string& name) {
        return impl_.process_for_create(tx_, ctx_, name, "lead", kLeadProcess, kRecordType,
                                        "process");
    }

    result<void> apply(Lead& l, const LeadInput& in, bool creating) {
        struct Text {
            const std::optional<std::string>* in;
            std::string* out;
            const char* field;
            std::size_t max;
        };
        const Text texts[] = {
            {&in.external_id, &l.external_id, "external_id", 200},
            {&in.source, &l.source, "source", 50},
            {&in.channel, &l.channel, "channel", 50},
            {&in.campaign, &l.campaign, "campaign", 200},
            {&in.first_name, &l.first_name, "first_name", 100},
            {&in.last_name, &l.last_name, "last_name", 100},
            {&in.company, &l.company, "company", 200},
            {&in.job_title, &l.job_title, "job_title", 100},
            {&in.city, &l.city, "city", 100},
            {&in.interest, &l.interest, "interest", 500},
            {&in.note, &l.note, "note", 65536},
            {&in.owner, &l.owner, "owner", 200},
        };
        for (const auto& t : texts)
            if (*t.in) {
                CRM_TRY(v, clean_text(**t.in, t.field, t.max));
                *t.out = std::move(v);
            }
        if (in.email) {
            if (text::tidy(*in.email).empty()) {
                l.email.clear();
            } else {
                CRM_TRY(e, email::normalize(*in.email, "email"));
                l.email = std::move(e);
            }
        }
        if (in.phone) {
            if (text::tidy(*in.phone).empty()) {
                l.phone.clear();
            } else {
                CRM_TRY(p, phone::parse(*in.phone, impl_.options.default_region,
                                        impl_.operators.get(), "phone"));
                l.phone = p.e164;
            }
        }
        if (in.national_id) {
            const std::string digits = text::ascii_digits(text::tidy(*in.national_id));
            if (digits.empty()) {
                l.national_id.clear();
            } else {
                const auto kind = digits.size() == 11 ? national_id::Kind::legal_entity
                                                      : national_id::Kind::person;
                CRM_TRY(n, national_id::normalize(kind, digits, "national_id"));
                l.national_id = std::move(n);
            }
        }
        if (in.party) {
            CRM_TRY(p, impl_.load_live_party(tx_, *in.party, "party"));
            l.party = p.id;
        }
        if (l.first_name.empty() && l.last_name.empty() && l.company.empty())
            return fail(errc::invalid_argument, "a lead needs a first name, last name or company",
                        creating ? "last_name" : "changes");
        if (l.email.empty() && l.phone.empty())
            return fail(errc::invalid_argument, "a lead needs an e-mail or a phone", "email");
        CRM_TRYV(impl_.apply_custom(tx_, kRecordType, in.custom, l.custom));
        return ok();
    }

    // Scores `l` by the stored rules (none stored: 0).
    result<void> score(Lead& l) {
        l.score = 0;
        l.score_lines.clear();
        CRM_TRY(stored, tx_.get_definition(kScoringKind, kRecordType, 0));
        if (!stored) return ok();
        CRM_TRY(schema, impl_.schema_of(tx_, kRecordType));
        auto doc = codec::parse(stored->body, "scoring");
        auto rules = doc ? load_scoring(doc.value(), schema)
                         : result<std::vector<ScoringRule>>(doc.error());
        if (!rules)
            return fail(errc::storage, "the stored lead scoring rules no longer load: " +
                                           rules.error().what());
        const sales::LeadRecord record(l);
        const expr::Context context = impl_.rule_context();
        for (const auto& r : rules.value()) {
            CRM_TRY(holds, expr::evaluate(r.when, record, context));
            if (!holds) continue;
            l.score += r.points;
            l.score_lines.push_back({r.name, r.points});
        }
        return ok();
    }

    void enter(Lead& l, const process::State& state) {
        l.state = state.id;
        l.status = process::to_string(state.category);
    }

    result<void> store(const std::optional<Lead>& before, Lead& after, const std::string& move,
                       const std::string& reason, std::string_view action,
                       std::string_view event) {
        after.updated_at = impl_.now();
        if (before) after.version = before->version + 1;
        CRM_TRYV(tx_.put_lead(after));
        if (!before || before->state != after.state || before->score != after.score ||
            before->owner != after.owner) {
            const json values = {{"score", after.score}, {"owner", after.owner}};
            CRM_TRYV(impl_.write_history(
                tx_, ctx_,
                {0, std::string(kRecordType), after.id, after.process, after.process_version,
                 before ? before->state : "", after.state, move, {}, {}, reason, values.dump(),
                 0}));
        }
        const json j = codec::to_json(after);
        return impl_.record(tx_, ctx_, kRecordType, after.id, action,
                            diff(before ? codec::to_json(*before) : json::object(), j), event, j);
    }

    // A move by name or target; `close` says a close record is given.
    result<Lead> move(const Id& id, std::string_view move, const std::string& reason,
                      bool close, const std::string& disqualify_reason) {
        CRM_TRY(before, load(id));
        CRM_TRY(d, impl_.definition(tx_, before.process, before.process_version, "process"));
        Lead after = before;
        const sales::LeadRecord record(after);
        CRM_TRY(t, d.check_move(before.state, move, record, impl_.rule_context(), close));
        const process::State& target = *d.find_state(t->to);
        if (target.is_won)
            return fail(errc::invalid_argument,
                        "entering '" + target.id + "' converts the lead: use convert", "move");
        enter(after, target);
        after.disqualify_reason = target.is_closed ? disqualify_reason : "";
        const auto effects = process::effects_of(t, target);
        CRM_TRYV(set_fields(after, effects));
        const std::string event = target.is_closed ? "lead.disqualified"
                                  : t->reopen      ? "lead.reopened"
                                                   : "lead.moved";
        CRM_TRYV(store(before, after, t->name, reason, "move", event));
        CRM_TRYV(effects_after(d, after, effects, t->name, before.state, reason));
        return after;
    }

    result<void> set_fields(Lead& l, const std::vector<const process::Effect*>& effects) {
        for (const auto* e : effects) {
            if (e->kind != process::Effect::Kind::set_field) continue;
            LeadInput in;
            const std::string* s = std::get_if<std::string>(&e->value);
            const std::string text = s ? *s : std::string();
            if (e->field == "owner") in.owner = text;
            else if (e->field == "campaign") in.campaign = text;
            else if (e->field == "interest") in.interest = text;
            else if (e->field == "city") in.city = text;
            else if (e->field.rfind("custom.", 0) == 0) in.custom[e->field.substr(7)] = e->value;
            auto applied = apply(l, in, false);
            if (!applied)
                return fail(applied.error().code,
                            "an effect of the move sets it: " + applied.error().message,
                            applied.error().field);
        }
        return ok();
    }

    result<void> effects_after(const process::Definition& d, const Lead& l,
                               const std::vector<const process::Effect*>& effects,
                               const std::string& move, const std::string& from,
                               const std::string& reason) {
        const json payload = {{"lead", l.id.str()}, {"move", move}, {"from", from},
                              {"to", l.state},      {"reason", reason}};
        const std::string who = l.company.empty() ? text::tidy(l.first_name + " " + l.last_name)
                                                  : l.company;
        return impl_.run_effects(tx_, ctx_, d,
                                 {std::string(kRecordType), l.id, l.party, l.owner,
                                  "lead " + l.id.str() + " (" + who + ")"},
                                 effects, payload);
    }

    // ---- conversion ----------------------------------------------------------

    // The live party matching the lead's national id, e-mail or phone.
    result<Id> match_party(const Lead& l, std::vector<std::string>& matched_by) {
        Id found;
        const auto consider = [&](const std::vector<Id>& ids, const char* key) {
            if (ids.empty()) return;
            if (found.is_nil()) found = ids.front();
            if (std::find(ids.begin(), ids.end(), found) != ids.end()) matched_by.push_back(key);
        };
        if (!l.national_id.empty()) {
            CRM_TRY(ids, tx_.parties_by_national_id(l.national_id));
            consider(ids, "national_id");
        }
        if (!l.email.empty()) {
            CRM_TRY(ids, tx_.parties_by_contact(ContactKind::email, l.email));
            consider(ids, "email");
        }
        if (!l.phone.empty()) {
            CRM_TRY(ids, tx_.parties_by_contact(ContactKind::phone, l.phone));
            consider(ids, "phone");
        }
        return found;
    }

    // The live organisation whose normalised name is the company's.
    result<Id> match_organization(const std::string& company) {
        Party probe;
        probe.kind = PartyKind::organization;
        probe.organization_name = company;
        const std::string key = name_key(probe);
        CRM_TRY(ids, tx_.parties_by_name(key, NameMatch::prefix, 0, 100));
        for (const auto& id : ids) {
            CRM_TRY(p, tx_.get_party(id));
            if (p && p->kind == PartyKind::organization && name_key(*p) == key) return p->id;
        }
        return Id{};
    }

    result<Conversion> convert(const Id& id, const ConvertOptions& options) {
        CRM_TRY(before, load(id));
        Conversion c;
        if (before.status == "won") {
            c.party = before.party;
            c.organization = before.organization;
            c.opportunity = before.opportunity;
            c.already_converted = true;
            return c;
        }
        CRM_TRY(d, impl_.definition(tx_, before.process, before.process_version, "process"));
        std::string name;
        for (const auto& t : d.transitions())
            if (std::find(t.from.begin(), t.from.end(), before.state) != t.from.end() &&
                d.find_state(t.to)->is_won)
                name = t.name;
        const sales::LeadRecord record(before);
        CRM_TRY(t, d.check_move(before.state, name.empty() ? "convert" : name, record,
                                impl_.rule_context(), true));
        Lead after = before;
        const bool person_lead = !before.first_name.empty() || !before.last_name.empty();
        if (!before.party.is_nil()) {
            c.party = before.party;
        } else {
            CRM_TRY(found, match_party(before, c.matched_by));
            c.party = found;
        }
        Party party;
        if (c.party.is_nil()) {
            PartyInput p;
            p.kind = person_lead ? PartyKind::person : PartyKind::organization;
            if (person_lead) {
                p.first_name = before.first_name;
                p.last_name = before.last_name;
            } else {
                p.organization_name = before.company;
            }
            if (!before.national_id.empty()) p.national_id = before.national_id;
            if (!before.city.empty()) p.city = before.city;
            if (!before.owner.empty()) p.owner = before.owner;
            if (!before.email.empty()) p.contacts.push_back(ContactInput::of(ContactKind::email, before.email));
            if (!before.phone.empty()) p.contacts.push_back(ContactInput::of(ContactKind::phone, before.phone));
            auto made = impl_.insert_party(tx_, ctx_, p);
            if (!made) return rename_party_error(made.error());
            party = std::move(made).value();
            c.party_created = true;
        } else {
            CRM_TRY(live, impl_.load_live_party(tx_, c.party, "party"));
            party = std::move(live);
        }
        c.party = party.id;
        if (!before.company.empty()) {
            if (party.kind == PartyKind::organization) {
                c.organization = party.id;
            } else {
                CRM_TRY(org, match_organization(before.company));
                if (org.is_nil()) {
                    PartyInput o;
                    o.kind = PartyKind::organization;
                    o.organization_name = before.company;
                    if (!before.city.empty()) o.city = before.city;
                    auto made = impl_.insert_party(tx_, ctx_, o);
                    if (!made) return rename_party_error(made.error());
                    org = made.value().id;
                    c.organization_created = true;
                }
                c.organization = org;
                CRM_TRYV(link(party.id, org, before.job_title));
            }
        }
        if (options.create_opportunity) {
            OpportunityInput in;
            in.party = c.organization.is_nil() ? c.party : c.organization;
            in.name = !options.opportunity_name.empty() ? options.opportunity_name
                      : !before.interest.empty()        ? before.interest
                                                        : display_name(before) + " opportunity";
            in.pipeline = options.pipeline;
            in.amount = options.amount;
            in.owner = options.owner.empty() ? before.owner : options.owner;
            in.source_lead = before.id;
            if (!before.campaign.empty()) in.campaign = before.campaign;
            auto opp = sales::create_opportunity_in(impl_, tx_, ctx_, in);
            if (!opp) {
                error e = opp.error();
                if (!e.field.empty() && e.field.rfind("context", 0) != 0)
                    e.field = e.field == "name" ? "opportunity_name" : e.field;
                return e;
            }
            c.opportunity = opp.value().id;
        }
        const process::State& target = *d.find_state(t->to);
        enter(after, target);
        after.party = c.party;
        after.organization = c.organization;
        after.opportunity = c.opportunity;
        after.converted_at = impl_.now();
        const auto effects = process::effects_of(t, target);
        CRM_TRYV(set_fields(after, effects));
        CRM_TRYV(store(before, after, t->name, "", "convert", "lead.converted"));
        CRM_TRYV(effects_after(d, after, effects, t->name, before.state, ""));
        return c;
    }

private:
    static std::string display_name(const Lead& l) {
        const std::string person = text::tidy(l.first_name + " " + l.last_name);
        return person.empty() ? l.company : person;
    }

    // A party the lead's data cannot make names the lead's field.
    static error rename_party_error(error e) {
        if (e.field == "organization_name") e.field = "company";
        else if (e.field.rfind("contacts[", 0) == 0) e.field = "contacts";
        return e;
    }

    result<void> link(const Id& person, const Id& organization, const std::string& role) {
        CRM_TRY(existing, tx_.memberships_of(person));
        for (const auto& m : existing)
            if (m.organization == organization) return ok();
        Membership m{person, organization, role, impl_.now()};
        CRM_TRYV(tx_.put_membership(m));
        CRM_TRYV(impl_.changed(tx_, PartyChange::of(person, PartyChange::memberships)));
        return impl_.record(tx_, ctx_, "membership", person, "link",
                            {{"organization", "null", json(organization.str()).dump()},
                             {"role", "null", json(role).dump()}},
                            "membership.linked", codec::to_json(m));
    }

    Engine::Impl& impl_;
    Transaction& tx_;
    const Context& ctx_;
};

}  // namespace

const char* default_lead_process_json() noexcept { return kLeadProcess; }

const std::vector<std::string>& standard_disqualify_reasons() {
    static const std::vector<std::string> reasons = {"lost", "cannot_contact",
                                                     "no_longer_interested", "cancelled"};
    return reasons;
}

result<Lead> Sales::capture_lead(const Context& ctx, const LeadInput& input) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Lead> {
        LeadWork w(impl, tx, ctx);
        CRM_TRY(d, w.process_for_create(input.process));
        Lead l;
        l.id = impl.new_id();
        l.process = d.id();
        l.process_version = d.version();
        l.created_at = impl.now();
        CRM_TRYV(w.apply(l, input, true));
        w.enter(l, d.initial());
        // The initial state's field sets are part of the lead captured (and
        // scored); a taken external id is the store's conflict.
        const auto effects = process::effects_of(nullptr, d.initial());
        CRM_TRYV(w.set_fields(l, effects));
        CRM_TRYV(w.score(l));
        CRM_TRYV(w.store(std::nullopt, l, "", "", "create", "lead.captured"));
        if (!effects.empty()) CRM_TRYV(w.effects_after(d, l, effects, "", "", ""));
        return l;
    });
}

result<Lead> Sales::update_lead(const Context& ctx, const Id& id, const LeadInput& input) {
    CRM_TRYV(check_context(ctx));
    if (!input.process.empty()) return fail(errc::invalid_argument, "cannot change", "process");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Lead> {
        LeadWork w(impl, tx, ctx);
        CRM_TRY(before, w.load(id));
        if (before.status != "open")
            return fail(errc::invalid_transition,
                        "the lead is " + before.state + "; reopen it to change it", "id");
        Lead after = before;
        CRM_TRYV(w.apply(after, input, false));
        CRM_TRYV(w.score(after));
        if (codec::to_json(after) == codec::to_json(before)) return before;
        CRM_TRYV(w.store(before, after, "", "", "update", "lead.updated"));
        return after;
    });
}

result<Lead> Sales::get_lead(std::string_view key) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) {
        const Context ctx;
        return LeadWork(impl, tx, ctx).find(key);
    });
}

result<std::vector<Lead>> Sales::leads_of(const Id& party) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<Lead>> {
        CRM_TRY(p, impl.load_live_party(tx, party));
        return tx.leads_of(p.id);
    });
}

result<Lead> Sales::move_lead(const Context& ctx, const Id& id, std::string_view move,
                              std::string_view reason) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(why, clean_text(std::string(reason), "reason", 1000));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) {
        return LeadWork(impl, tx, ctx).move(id, move, why, false, "");
    });
}

result<Lead> Sales::disqualify_lead(const Context& ctx, const Id& id, std::string_view reason,
                                    std::string_view note) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(why, clean_text(std::string(reason), "reason", 100));
    if (why.empty()) return fail(errc::invalid_argument, "is required", "reason");
    CRM_TRY(text_note, clean_text(std::string(note), "note", 1000));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Lead> {
        LeadWork w(impl, tx, ctx);
        CRM_TRY(l, w.load(id));
        CRM_TRY(d, impl.definition(tx, l.process, l.process_version, "process"));
        std::string name;
        for (const auto& t : d.transitions())
            if (std::find(t.from.begin(), t.from.end(), l.state) != t.from.end() &&
                d.find_state(t.to)->category == process::Category::lost)
                name = t.name;
        return w.move(id, name.empty() ? "disqualify" : name,
                      text_note.empty() ? why : why + ": " + text_note, true, why);
    });
}

result<Conversion> Sales::convert_lead(const Context& ctx, const Id& id,
                                       const ConvertOptions& options) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) {
        return LeadWork(impl, tx, ctx).convert(id, options);
    });
}

result<void> Sales::define_lead_scoring(const Context& ctx, std::string_view text) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<void> {
        CRM_TRY(schema, impl.schema_of(tx, kRecordType));
        CRM_TRY(doc, codec::parse(text, "scoring"));
        CRM_TRYV(load_scoring(doc, schema));
        const std::string body = doc.dump();
        CRM_TRY(latest, tx.get_definition(kScoringKind, kRecordType, 0));
        if (latest && latest->body == body) return ok();
        const int version = latest ? latest->version + 1 : 1;
        CRM_TRYV(tx.put_definition({std::string(kScoringKind), std::string(kRecordType), version,
                                    body, impl.now(), ctx.actor}));
        return impl.record(tx, ctx, "scoring", Id{}, version == 1 ? "create" : "update",
                           {{"version", std::to_string(version - 1), std::to_string(version)}},
                           "scoring.defined", json{{"id", "lead"}, {"version", version}});
    });
}

}  // namespace crm
