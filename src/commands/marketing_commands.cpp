// src/commands/marketing_commands.cpp - commands on the marketing side:
// settings, profiles, segments (define, count, members, sample, explain,
// memberships), static lists, suppression lists and refresh. The marketing
// codec first: request.hpp's items() finds the to_json overloads declared
// before it.
#include "marketing/codec.hpp"
// clang-format off
#include "commands/list_request.hpp"
#include "commands/request.hpp"
#include "crm/core/sms.hpp"
// clang-format on

namespace crm::commands {
namespace {

// A segment id or a list id under `key`, which must be present.
result<std::string> segment_id(const json& request, std::string_view key = "id") {
    return required_string(request, key, 64);
}

// The parties of a list request: [id, ...], at most 100,000.
result<std::vector<Id>> party_ids(const json& request) {
    const json* list = codec::member(request, "parties");
    if (!list || !list->is_array()) return fail(errc::invalid_argument, "must be an array of ids", "parties");
    std::vector<Id> out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string at = "parties[" + std::to_string(i) + "]";
        if (!(*list)[i].is_string()) return fail(errc::invalid_argument, "must be an id", at);
        CRM_TRY(id, Id::parse((*list)[i].get<std::string>(), at));
        out.push_back(id);
    }
    return out;
}

result<json> marketing_configure(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"settings"}));
    const json* s = codec::member(request, "settings");
    if (!s || !s->is_object()) return fail(errc::invalid_argument, "must be an object", "settings");
    auto written = Marketing(engine).configure(ctx, s->dump());
    if (!written) return rebase(written.error(), "settings");
    return json{{"outcome", to_string(written.value().outcome)},
                {"settings", marketing::to_json(written.value().record)},
                {"version", written.value().record.version}};
}

result<json> marketing_settings(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {}));
    CRM_TRY(s, Marketing(engine).settings());
    json j = marketing::to_json(s);
    j["version"] = s.version;
    return j;
}

result<json> profile_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"party"}));
    CRM_TRY(party, required_id(request, "party"));
    CRM_TRY(p, Marketing(engine).profile(party));
    return codec::to_json(p);
}

result<json> profile_schema(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {}));
    CRM_TRY(schema, Marketing(engine).profile_schema());
    json list = json::array();
    for (const auto& f : schema.fields()) {
        json j = {{"name", f.name}, {"type", expr::to_string(f.type)}};
        if (!f.currency.empty()) j["currency"] = f.currency;
        if (!f.allowed.empty()) j["allowed"] = f.allowed;
        list.push_back(std::move(j));
    }
    return json{{"items", std::move(list)}};
}

result<json> profile_rebuild(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {}));
    CRM_TRY(n, Marketing(engine).rebuild_profiles(ctx));
    return json{{"profiles", n}};
}

result<json> segment_define(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"segment"}));
    const json* s = codec::member(request, "segment");
    if (!s || !s->is_object()) return fail(errc::invalid_argument, "must be an object", "segment");
    auto written = Marketing(engine).define_segment(ctx, s->dump());
    if (!written) return rebase(written.error(), "segment");
    return json{{"outcome", to_string(written.value().outcome)},
                {"segment", codec::to_json(written.value().record)}};
}

result<json> segment_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(id, segment_id(request));
    CRM_TRY(s, Marketing(engine).segment(id));
    return codec::to_json(s);
}

result<json> segment_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {}));
    CRM_TRY(list, Marketing(engine).segments());
    return items(list);
}

result<json> segment_count(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(id, segment_id(request));
    auto n = Marketing(engine).count(ctx, id);
    if (!n) return rename(n.error(), "segment", "id");
    return json{{"segment", id}, {"count", n.value()}};
}

json id_list(const std::vector<Id>& ids) {
    json list = json::array();
    for (const auto& id : ids) list.push_back(id.str());
    return list;
}

result<json> segment_members(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "after", "limit"}));
    CRM_TRY(id, segment_id(request));
    CRM_TRY(after, codec::get_id(request, "after", ""));
    CRM_TRY(limit, int_or(request, "limit", 1000));
    auto ids = Marketing(engine).members(ctx, id, after.value_or(Id{}), limit);
    if (!ids) return rename(ids.error(), "segment", "id");
    json out = {{"items", id_list(ids.value())}};
    out["next"] = static_cast<int>(ids.value().size()) == limit ? json(ids.value().back().str()) : json(nullptr);
    return out;
}

result<json> segment_sample(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "size", "seed"}));
    CRM_TRY(id, segment_id(request));
    CRM_TRY(size, int_or(request, "size", 100));
    CRM_TRY(seed, codec::get_int(request, "seed", ""));
    auto ids = Marketing(engine).sample(ctx, id, size, static_cast<std::uint64_t>(seed.value_or(0)));
    if (!ids) return rename(ids.error(), "segment", "id");
    return json{{"items", id_list(ids.value())}};
}

result<json> segment_explain(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "party"}));
    CRM_TRY(id, segment_id(request));
    CRM_TRY(party, required_id(request, "party"));
    auto e = Marketing(engine).explain(ctx, id, party);
    if (!e) return rename(e.error(), "segment", "id");
    return codec::to_json(e.value());
}

result<json> segment_memberships(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"party", "history"}));
    CRM_TRY(party, required_id(request, "party"));
    CRM_TRY(history, codec::get_bool(request, "history", ""));
    CRM_TRY(list, Marketing(engine).memberships(party, history.value_or(false)));
    return items(list);
}

result<json> segment_history(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "limit"}));
    CRM_TRY(id, segment_id(request));
    CRM_TRY(limit, int_or(request, "limit", 100));
    auto list = Marketing(engine).membership_history(id, limit);
    if (!list) return rename(list.error(), "segment", "id");
    return items(list.value());
}

result<json> segment_snapshot(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"from", "list"}));
    CRM_TRY(from, segment_id(request, "from"));
    CRM_TRY(list, segment_id(request, "list"));
    CRM_TRY(n, Marketing(engine).snapshot(ctx, from, list));
    return json{{"list", list}, {"members", n}};
}

result<json> segment_refresh(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"rfm"}));
    CRM_TRY(rfm, codec::get_bool(request, "rfm", ""));
    SegmentRefreshOptions o;
    o.rfm = rfm.value_or(false);
    CRM_TRY(r, Marketing(engine).refresh(ctx, o));
    return codec::to_json(r);
}

result<json> list_add(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"list", "parties"}));
    CRM_TRY(list, segment_id(request, "list"));
    CRM_TRY(parties, party_ids(request));
    CRM_TRY(n, Marketing(engine).add_to_list(ctx, list, parties));
    return json{{"list", list}, {"added", n}};
}

result<json> list_remove(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"list", "parties"}));
    CRM_TRY(list, segment_id(request, "list"));
    CRM_TRY(parties, party_ids(request));
    CRM_TRY(n, Marketing(engine).remove_from_list(ctx, list, parties));
    return json{{"list", list}, {"removed", n}};
}

result<SuppressionKind> kind_of(const json& request) {
    CRM_TRY(kind, required_string(request, "kind", 64));
    return parse_suppression_kind(kind, "kind");
}

result<json> suppression_add(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"list", "kind", "value", "reason"}));
    CRM_TRY(list, segment_id(request, "list"));
    CRM_TRY(kind, kind_of(request));
    CRM_TRY(value, required_string(request, "value", 1024));
    CRM_TRY(reason, codec::get_string(request, "reason", "", 2048));
    CRM_TRY(e, Marketing(engine).suppress(ctx, list, kind, value, reason.value_or("")));
    return codec::to_json(e);
}

result<json> suppression_remove(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"list", "kind", "value"}));
    CRM_TRY(list, segment_id(request, "list"));
    CRM_TRY(kind, kind_of(request));
    CRM_TRY(value, required_string(request, "value", 1024));
    CRM_TRY(removed, Marketing(engine).unsuppress(ctx, list, kind, value));
    return json{{"removed", removed}};
}

result<json> suppression_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"list"}));
    CRM_TRY(list, segment_id(request, "list"));
    CRM_TRY(entries, Marketing(engine).suppression_entries(list));
    return items(entries);
}

result<json> loyalty_define(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"program"}));
    const json* p = codec::member(request, "program");
    if (!p || !p->is_object()) return fail(errc::invalid_argument, "must be an object", "program");
    auto written = Marketing(engine).define_loyalty_program(ctx, p->dump());
    if (!written) return rebase(written.error(), "program");
    return json{{"outcome", to_string(written.value().outcome)},
                {"program", codec::to_json(written.value().record)}};
}

result<json> loyalty_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(id, segment_id(request));
    CRM_TRY(p, Marketing(engine).loyalty_program(id));
    return codec::to_json(p);
}

result<json> loyalty_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {}));
    CRM_TRY(list, Marketing(engine).loyalty_programs());
    return items(list);
}

result<json> loyalty_enrol(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"program", "party"}));
    CRM_TRY(program, segment_id(request, "program"));
    CRM_TRY(party, required_id(request, "party"));
    CRM_TRY(s, Marketing(engine).enrol(ctx, program, party));
    return codec::to_json(s);
}

result<json> loyalty_status(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"program", "party", "recent"}));
    CRM_TRY(program, segment_id(request, "program"));
    CRM_TRY(party, required_id(request, "party"));
    CRM_TRY(recent, int_or(request, "recent", 20));
    CRM_TRY(s, Marketing(engine).loyalty(program, party, recent));
    return codec::to_json(s);
}

result<json> loyalty_entry(Engine& engine, const json& request, const Context& ctx, bool redeem) {
    CRM_TRYV(codec::expect_object(request, "", {"program", "party", "points", "key", "reason"}));
    CRM_TRY(program, segment_id(request, "program"));
    CRM_TRY(party, required_id(request, "party"));
    CRM_TRY(points, codec::get_int(request, "points", ""));
    if (!points) return fail(errc::invalid_argument, "is required", "points");
    CRM_TRY(key, required_string(request, "key", 1024));
    CRM_TRY(reason, codec::get_string(request, "reason", "", 2000));
    Marketing mk(engine);
    CRM_TRY(e, redeem ? mk.redeem(ctx, program, party, *points, key, reason.value_or(""))
                      : mk.adjust(ctx, program, party, *points, key, reason.value_or("")));
    return codec::to_json(e);
}

result<json> loyalty_redeem(Engine& engine, const json& request, const Context& ctx) {
    return loyalty_entry(engine, request, ctx, true);
}

result<json> loyalty_adjust(Engine& engine, const json& request, const Context& ctx) {
    return loyalty_entry(engine, request, ctx, false);
}

result<json> loyalty_refresh(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"program"}));
    CRM_TRY(program, codec::get_string(request, "program", "", 64));
    CRM_TRY(r, Marketing(engine).refresh_loyalty(ctx, program.value_or("")));
    return codec::to_json(r);
}

result<json> campaign_create(Engine& engine, const json& request, const Context& ctx) {
    auto c = Marketing(engine).create_campaign(ctx, request.dump());
    if (!c) return c.error();
    return codec::to_json(c.value());
}

result<json> campaign_update(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "changes"}));
    CRM_TRY(id, required_id(request, "id"));
    const json* changes = codec::member(request, "changes");
    if (!changes || !changes->is_object()) return fail(errc::invalid_argument, "must be an object", "changes");
    auto c = Marketing(engine).update_campaign(ctx, id, changes->dump());
    if (!c) return c.error().field == "id" ? c.error() : rebase(c.error(), "changes");
    return codec::to_json(c.value());
}

result<json> campaign_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(key, required_string(request, "id", 200));
    CRM_TRY(c, Marketing(engine).campaign(key));
    return codec::to_json(c);
}

result<json> campaign_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {CRM_LIST_KEYS}));
    CRM_TRY(query, list_query_of(request));
    CRM_TRY(page, Marketing(engine).list_campaigns(query));
    return page_json(page);
}

result<json> campaign_move(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "move", "reason"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(move, required_string(request, "move", 64));
    CRM_TRY(reason, codec::get_string(request, "reason", "", 1000));
    CRM_TRY(c, Marketing(engine).move_campaign(ctx, id, move, reason.value_or("")));
    return codec::to_json(c);
}

result<json> campaign_members(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"campaign", "after", "limit"}));
    CRM_TRY(id, required_id(request, "campaign"));
    CRM_TRY(after, codec::get_id(request, "after", ""));
    CRM_TRY(limit, int_or(request, "limit", 1000));
    CRM_TRY(list, Marketing(engine).campaign_members(id, after.value_or(Id{}), limit));
    return items(list);
}

result<json> campaign_status(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"campaign", "party", "status", "at"}));
    CRM_TRY(id, required_id(request, "campaign"));
    CRM_TRY(party, required_id(request, "party"));
    CRM_TRY(name, required_string(request, "status", 64));
    CRM_TRY(status, parse_member_status(name, "status"));
    CRM_TRY(at, codec::get_time(request, "at", ""));
    CRM_TRY(m, Marketing(engine).report_status(ctx, id, party, status, at));
    return codec::to_json(m);
}

result<json> campaign_plan(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"campaign", "start", "window_minutes", "rate_per_window",
                                                "default_rate", "calendar", "cost_per_part"}));
    CRM_TRY(id, required_id(request, "campaign"));
    PlanOptions o;
    CRM_TRY(start, codec::get_time(request, "start", ""));
    o.start = start;
    CRM_TRY(window, int_or(request, "window_minutes", 60));
    o.window_minutes = window;
    CRM_TRY(rate, codec::get_int(request, "default_rate", ""));
    if (rate) o.default_rate = *rate;
    if (const json* rates = codec::member(request, "rate_per_window")) {
        if (!rates->is_object()) return fail(errc::invalid_argument, "must be an object", "rate_per_window");
        for (auto it = rates->begin(); it != rates->end(); ++it) {
            if (!it.value().is_number_integer())
                return fail(errc::invalid_argument, "must be a whole number", "rate_per_window." + it.key());
            o.rate_per_window[it.key()] = it.value().get<std::int64_t>();
        }
    }
    CRM_TRY(calendar, codec::get_string(request, "calendar", "", 64));
    o.calendar = calendar.value_or("");
    if (const json* costs = codec::member(request, "cost_per_part")) {
        if (!costs->is_object()) return fail(errc::invalid_argument, "must be an object", "cost_per_part");
        for (auto it = costs->begin(); it != costs->end(); ++it) {
            const std::string key = "cost_per_part." + it.key();
            const json one{{key, it.value()}};
            CRM_TRY(cost, marketing::read_money(one, key.c_str()));
            if (!cost) return fail(errc::invalid_argument, "needs minor and currency", key);
            o.cost_per_part[it.key()] = *cost;
        }
    }
    CRM_TRY(plan, Marketing(engine).plan_delivery(ctx, id, o));
    return codec::to_json(plan);
}

result<json> campaign_plan_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"campaign", "plan"}));
    CRM_TRY(id, required_id(request, "campaign"));
    CRM_TRY(number, int_or(request, "plan", 0));
    CRM_TRY(plan, Marketing(engine).delivery_plan(id, number));
    return codec::to_json(plan);
}

result<json> campaign_dispatch(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"campaign", "plan", "batch"}));
    CRM_TRY(id, required_id(request, "campaign"));
    CRM_TRY(plan, int_or(request, "plan", 0));
    CRM_TRY(batch, int_or(request, "batch", 0));
    CRM_TRY(list, Marketing(engine).dispatch(ctx, id, plan, batch));
    return items(list);
}

result<json> campaign_report(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(r, Marketing(engine).campaign_report(id));
    return codec::to_json(r);
}

json parts_json(const sms::Parts& p) {
    return json{{"encoding", sms::to_string(p.encoding)}, {"characters", p.characters}, {"units", p.units},
                {"parts", p.parts}, {"per_part", p.per_part}, {"remaining", p.remaining}};
}

// An SMS text's encoding and parts: {text} -> {encoding, characters, units,
// parts, per_part, remaining}.
result<json> sms_parts(Engine&, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"text"}));
    CRM_TRY(text, required_string(request, "text", sms::kMaxTextBytes));
    CRM_TRY(p, sms::count_parts(text, "text"));
    return parts_json(p);
}

// A template filled in for one recipient and its parts: {template, fields}
// -> {text, encoding, ...}.
result<json> sms_render(Engine&, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"template", "fields"}));
    CRM_TRY(tmpl, required_string(request, "template", sms::kMaxTextBytes));
    std::map<std::string, std::string> fields;
    if (const json* f = codec::member(request, "fields")) {
        if (!f->is_object()) return fail(errc::invalid_argument, "must be an object of texts", "fields");
        if (f->size() > 256) return fail(errc::invalid_argument, "has more than 256 fields", "fields");
        for (const auto& [name, value] : f->items()) {
            CRM_TRY(v, codec::string_of(value, codec::join("fields", name), 4096));
            fields[name] = std::move(v);
        }
    }
    CRM_TRY(text, sms::render(tmpl, fields, "template"));
    CRM_TRY(p, sms::count_parts(text, "template"));
    json out = parts_json(p);
    out["text"] = std::move(text);
    return out;
}

constexpr Command kMarketing[] = {
    {"marketing.configure",
     "Stores the marketing settings; a changed currency builds every profile again.",
     "{settings: {currency?}}", "{outcome, settings, version}", true, marketing_configure},
    {"marketing.settings", "The marketing settings.", "{}", "{currency, version}", false,
     marketing_settings},
    {"profile.get", "A party's profile: what segment rules read of it.", "{party}",
     "{party, kind, lifecycle_stage, city, ..., purchases, rfm, last_interaction, tickets, "
     "campaigns, as_of, expires_at}",
     false, profile_get},
    {"profile.schema", "The fields a segment rule may name, with their types.", "{}",
     "{items: [{name, type, currency?, allowed?}]}", false, profile_schema},
    {"profile.rebuild", "Builds every live party's profile (and tracked memberships) again.", "{}",
     "{profiles}", true, profile_rebuild},
    {"segment.define",
     "Stores a segment (docs/MARKETING.md): dynamic (a rule, tracked by default), list, "
     "suppression or set; the first one builds every profile.",
     "{segment: {id, name?, description?, kind?: dynamic|list|suppression|set, rule?, track?, "
     "op?: union|intersection|difference, of?: [id]}}",
     "{outcome, segment}", true, segment_define},
    {"segment.get", "One segment.", "{id}", "the segment", false, segment_get},
    {"segment.list", "Every segment, by id.", "{}", "{items: [segment]}", false, segment_list},
    {"segment.count", "The number of members now, without listing them.", "{id}",
     "{segment, count}", true, segment_count},
    {"segment.members", "Members in id order, a page at a time.", "{id, after?, limit? (1000)}",
     "{items: [party id], next}", true, segment_members},
    {"segment.sample", "A uniform sample of members, the same for the same seed.",
     "{id, size? (100), seed? (0)}", "{items: [party id]}", true, segment_sample},
    {"segment.explain", "Why a party is or is not a member: which conditions held.",
     "{id, party}", "{segment, party, member, tree}", true, segment_explain},
    {"segment.memberships", "A party's tracked segments, with past stays when history is true.",
     "{party, history?}", "{items: [{segment, party, joined_at, left_at}]}", false,
     segment_memberships},
    {"segment.history", "Joins and leaves of a tracked segment, the latest first.",
     "{id, limit? (100)}", "{items: [{segment, party, joined_at, left_at}]}", false,
     segment_history},
    {"segment.snapshot", "Stores the current members of a segment as a static list.",
     "{from, list}", "{list, members}", true, segment_snapshot},
    {"segment.refresh",
     "Brings moved purchase windows up to date and scans tracked rules that read relative "
     "times; with rfm, scores RFM again.",
     "{rfm?}", "{profiles_refreshed, segments_evaluated, joined, left, rfm_scored}", true,
     segment_refresh},
    {"list.add", "Adds parties to a static list.", "{list, parties: [id]}", "{list, added}", true,
     list_add},
    {"list.remove", "Removes parties from a static list.", "{list, parties: [id]}",
     "{list, removed}", true, list_remove},
    {"suppression.add",
     "Adds an entry to a suppression list: a party (id or external id), an e-mail address, a "
     "domain or a phone in any spelling.",
     "{list, kind: party|email|domain|phone, value, reason?}", "{kind, value, reason, added_at}",
     true, suppression_add},
    {"suppression.remove", "Removes an entry from a suppression list.", "{list, kind, value}",
     "{removed}", true, suppression_remove},
    {"suppression.list", "A suppression list's entries.", "{list}",
     "{items: [{kind, value, reason, added_at}]}", false, suppression_list},
    {"campaign.create",
     "Creates a campaign in its first state (proposed): channels, audience segments, "
     "suppression lists, frequency cap, A/B groups, budget and expectations.",
     "{name, channels: [sms|email|call|whatsapp], segments?, suppressions?, external_id?, "
     "description?, parent?, frequency_cap?: {max, days}, responded_statuses?, variants?: [{id, "
     "share}], seed?, budget?, actual_cost?, expected_revenue?: {minor, currency}, "
     "expected_responses?, process?}",
     "the campaign", true, campaign_create},
    {"campaign.update", "Changes a campaign's fields (its audience only before launch).",
     "{id, changes: {...campaign fields}}", "the campaign", true, campaign_update},
    {"campaign.get", "One campaign by id or external id.", "{id}", "the campaign", false, campaign_get},
    {"campaign.list", "Campaigns filtered, ordered and paged (a worklist).",
     "{state?, status?, created_since?, changed_since?, where?, order? (newest|oldest|changed), "
     "after?, limit? (50), count? (true)}",
     "{items: [campaign], next, total}", false, campaign_list},
    {"campaign.move",
     "A move of the campaign's lifecycle: ready, launch (takes the members), suspend, resume, "
     "complete, cancel (with a reason).",
     "{id, move, reason?}", "the campaign", true, campaign_move},
    {"campaign.members", "A campaign's members in party order: group, channel, address, statuses.",
     "{campaign, after?, limit? (1000)}",
     "{items: [{campaign, party, variant, channel, address, statuses, batch, dispatched_at}]}", false,
     campaign_members},
    {"campaign.status",
     "Reports what happened to a member's message (sent, delivered, opened, clicked, responded, "
     "converted, bounced, unsubscribed); idempotent; unsubscribed opts the address out.",
     "{campaign, party, status, at?}", "the member", true, campaign_status},
    {"campaign.plan",
     "Plans the delivery of every member not yet handed over, in batches per channel and "
     "window, in a calendar's working time when one is named; the sms message of each member "
     "rendered and counted in parts, and priced with a cost per part.",
     "{campaign, start?, window_minutes? (60), rate_per_window?: {channel: n}, cost_per_part?: {sms: {minor, currency}}, default_rate? "
     "(1000), calendar?}",
     "{campaign, number, created_at, members, batches: [{number, channel, send_at, count, after, "
     "last, parts}], messages: [{channel, messages, parts, most_parts, ucs2, cost_per_part, cost}]}",
     true, campaign_plan},
    {"campaign.plan_get", "A stored delivery plan (0: the latest).", "{campaign, plan?}",
     "the plan", false, campaign_plan_get},
    {"campaign.dispatch",
     "Hands a batch of a plan over: its members not handed over before; the same batch again "
     "answers the same members.",
     "{campaign, plan, batch}", "{items: [member]}", true, campaign_dispatch},
    {"campaign.report",
     "Members and statuses, response rate, leads, opportunities, won revenue (direct, first "
     "touch, last touch), cost per lead and ROI, per A/B group, children rolled up.",
     "{id}",
     "{campaign, currency, total, variants, first_touch_revenue_minor, last_touch_revenue_minor, "
     "actual_cost_minor, cost_per_lead_minor, roi, children, ab: {group_a, group_b, test: {a, b, "
     "difference, p_value, method, level, significant}} | null}",
     false, campaign_report},
    {"sms.parts",
     "An SMS text's encoding and parts: GSM-7 (160 septets, 153 per part; the extension table "
     "counting two) or UCS-2, which Persian needs (70, 67 per part).",
     "{text}", "{encoding: gsm7|ucs2, characters, units, parts, per_part, remaining}", false, sms_parts},
    {"sms.render",
     "A message template filled in for one recipient ({first_name}; {{ and }} for braces) and the "
     "parts it is sent as.",
     "{template, fields?: {name: text}}",
     "{text, encoding, characters, units, parts, per_part, remaining}", false, sms_render},
    {"loyalty.define",
     "Stores a loyalty programme (docs/MARKETING.md): earn rules, expiry, tiers by points or spend.",
     "{program: {id, name?, currency?, enrolment?: auto|explicit, expiry_days?, earn: [{id, when?, "
     "per?, points?, bonus?, tiers?}], tiers?: [{id, name?, threshold}], tier_basis?: "
     "points|spend, tier_window_days?}}",
     "{outcome, program}", true, loyalty_define},
    {"loyalty.get", "One loyalty programme.", "{id}", "the programme", false, loyalty_get},
    {"loyalty.list", "Every loyalty programme, by id.", "{}", "{items: [programme]}", false,
     loyalty_list},
    {"loyalty.enrol", "Makes a party a member of a programme, in its lowest tier.",
     "{program, party}", "{program, party, tier, tier_since, enrolled_at, balance, recent}", true,
     loyalty_enrol},
    {"loyalty.status", "A member's tier, balance and latest ledger entries.",
     "{program, party, recent? (20)}",
     "{program, party, tier, tier_since, enrolled_at, balance, recent: [entry]}", false,
     loyalty_status},
    {"loyalty.redeem",
     "Spends points of a member's balance, oldest expiry first; never beyond the balance. The "
     "same key again answers the stored entry.",
     "{program, party, points, key, reason?}",
     "{seq, program, party, kind, points, at, key, order_id, amount_minor, reason, expires_at, "
     "remaining}",
     true, loyalty_redeem},
    {"loyalty.adjust",
     "Adds or takes away points by hand (never below a zero balance), with an idempotency key.",
     "{program, party, points, key, reason?}", "the entry", true, loyalty_adjust},
    {"loyalty.refresh",
     "Expires the points whose time has come and reviews every member's tier (up or down).",
     "{program?}", "{lots_expired, points_expired, upgraded, downgraded}", true, loyalty_refresh},
};

}  // namespace

namespace detail {
std::span<const Command> marketing_commands() { return kMarketing; }
}  // namespace detail

}  // namespace crm::commands
