// src/commands/sales_commands.cpp - commands on processes, business
// calendars, opportunities and pipelines.
// The sales codec first: request.hpp's items() finds the to_json overloads
// declared before it.
#include "sales/codec.hpp"
// clang-format off
#include "commands/list_request.hpp"
#include "commands/request.hpp"
// clang-format on
#include "crm/sales/sales.hpp"

namespace crm::commands {

namespace {

// A definition travels as a JSON object in "definition".
result<std::string> definition_text(const json& request) {
    const json* d = codec::member(request, "definition");
    if (!d) return fail(errc::invalid_argument, "is required", "definition");
    if (!d->is_object()) return fail(errc::invalid_argument, "must be an object", "definition");
    return d->dump();
}

result<json> process_define(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"definition"}));
    CRM_TRY(text, definition_text(request));
    auto written = engine.define_process(ctx, text);
    if (!written) return rebase(written.error(), "definition");
    return json{{"outcome", to_string(written.value().outcome)},
                {"definition", codec::to_json(written.value().record)}};
}

result<json> process_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "version", "format"}));
    CRM_TRY(id, required_string(request, "id", 64));
    CRM_TRY(version, int_or(request, "version", 0));
    CRM_TRY(format, codec::get_string(request, "format", "", 16));
    CRM_TRY(d, engine.process_definition(id, version));
    const std::string f = format.value_or("json");
    if (f == "json") return codec::to_json(d);
    if (f == "dot") return json{{"dot", d.to_dot()}};
    if (f == "mermaid") return json{{"mermaid", d.to_mermaid()}};
    return fail(errc::invalid_argument, "must be json, dot or mermaid", "format");
}

result<json> process_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {}));
    CRM_TRY(all, engine.process_definitions());
    json list = json::array();
    for (const auto& d : all)
        list.push_back({{"id", d.id()},
                        {"version", d.version()},
                        {"record_type", d.record_type()},
                        {"name", d.name()}});
    return json{{"items", std::move(list)}};
}

result<json> calendar_define(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"calendar"}));
    const json* c = codec::member(request, "calendar");
    if (!c || !c->is_object()) return fail(errc::invalid_argument, "must be an object", "calendar");
    auto written = engine.define_calendar(ctx, c->dump());
    if (!written) return rebase(written.error(), "calendar");
    return json{{"outcome", to_string(written.value().outcome)},
                {"calendar", codec::parse(to_json(written.value().record)).value()}};
}

// A day of a "from"/"to" field: "YYYY-MM-DD", Jalali when the year is
// below 1700 (the rule of every door), as a Gregorian Date.
result<Date> request_day(const json& request, std::string_view key) {
    CRM_TRY(text, codec::get_string(request, key, "", 32));
    if (!text) return fail(errc::invalid_argument, "is required", std::string(key));
    CRM_TRY(at, parse_iso8601(*text, key));
    if (text->size() > 10) return fail(errc::invalid_argument, "must be a date YYYY-MM-DD", std::string(key));
    const CivilDate c = civil_from_days(at.ms / kMsPerDay);
    return Date{c.year, static_cast<int>(c.month), static_cast<int>(c.day)};
}

result<json> calendar_holidays(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"calendar", "year", "from", "to"}));
    CRM_TRY(id, codec::get_string(request, "calendar", "", 128));
    CRM_TRY(cal, engine.business_calendar(id.value_or("")));
    Date from, to;
    if (codec::member(request, "year")) {
        if (codec::member(request, "from") || codec::member(request, "to"))
            return fail(errc::invalid_argument, "names the days already given by year", "from");
        CRM_TRY(year, int_or(request, "year", 0));
        if (year < 1300 || year > 1600)
            return fail(errc::invalid_argument, "must be a Jalali year from 1300 to 1600", "year");
        from = gregorian_from_jalali({year, 1, 1}).value();
        to = gregorian_from_jalali({year, 12, is_jalali_leap_year(year) ? 30 : 29}).value();
    } else {
        CRM_TRY(a, request_day(request, "from"));
        CRM_TRY(b, request_day(request, "to"));
        from = a;
        to = b;
    }
    CRM_TRY(days, cal.holidays(from, to));
    json list = json::array();
    for (const HolidayOn& h : days)
        list.push_back({{"date", format_date(h.date)},
                        {"jalali", format_date(jalali_from_gregorian(h.date).value())},
                        {"name", h.name},
                        {"hijri", h.hijri},
                        {"provisional", h.provisional}});
    return json{{"calendar", cal.def().id},
                {"from", format_date(from)},
                {"to", format_date(to)},
                {"items", std::move(list)}};
}

result<json> history_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"record_type", "id"}));
    CRM_TRY(record_type, required_string(request, "record_type", 64));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(entries, engine.history(record_type, id));
    return items(entries);
}

// ---- opportunities -----------------------------------------------------------

#define CRM_OPPORTUNITY_FIELDS                                                              \
    "external_id", "name", "party", "owner", "team", "amount", "probability",               \
        "expected_close", "source_lead", "campaign", "competitors", "products", "custom"

result<json> opportunity_create(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {CRM_OPPORTUNITY_FIELDS, "pipeline"}));
    CRM_TRY(input, codec::opportunity_input_from_json(request, "", true));
    CRM_TRY(o, Sales(engine).create_opportunity(ctx, input));
    return codec::to_json(o);
}

result<json> opportunity_update(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "changes"}));
    CRM_TRY(id, required_id(request, "id"));
    const json* changes = codec::member(request, "changes");
    if (!changes) return fail(errc::invalid_argument, "is required", "changes");
    CRM_TRYV(codec::expect_object(*changes, "changes", {CRM_OPPORTUNITY_FIELDS}));
    CRM_TRY(input, codec::opportunity_input_from_json(*changes, "changes", false));
    auto o = Sales(engine).update_opportunity(ctx, id, input);
    if (!o) return o.error().field == "id" ? o.error() : rebase(o.error(), "changes");
    return codec::to_json(o.value());
}

result<json> opportunity_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(key, required_string(request, "id", 200));
    CRM_TRY(o, Sales(engine).get_opportunity(key));
    return codec::to_json(o);
}

result<json> opportunity_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {CRM_LIST_KEYS}));
    CRM_TRY(query, list_query_of(request));
    CRM_TRY(page, Sales(engine).list_opportunities(query));
    return page_json(page);
}

// Reads the optional close record of a request.
result<std::optional<CloseRecord>> close_of(const json& request) {
    const json* c = codec::member(request, "close");
    if (!c) return std::optional<CloseRecord>{};
    CRM_TRY(close, codec::close_record_from_json(*c, "close"));
    return std::optional<CloseRecord>{std::move(close)};
}

result<json> opportunity_move(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "move", "reason", "close", "changes"}));
    CRM_TRY(id, required_id(request, "id"));
    MoveInput move;
    CRM_TRY(name, required_string(request, "move", 64));
    move.move = std::move(name);
    CRM_TRY(reason, codec::get_string(request, "reason", "", 1000));
    move.reason = reason.value_or("");
    CRM_TRY(close, close_of(request));
    move.close = std::move(close);
    if (const json* changes = codec::member(request, "changes")) {
        CRM_TRYV(codec::expect_object(*changes, "changes", {CRM_OPPORTUNITY_FIELDS}));
        CRM_TRY(input, codec::opportunity_input_from_json(*changes, "changes", false));
        move.changes = std::move(input);
    }
    auto o = Sales(engine).move_opportunity(ctx, id, move);
    if (!o) {
        // A field the request's changes set is theirs; a required field the
        // record lacks is named as the record's.
        const std::string& f = o.error().field;
        const json* changes = codec::member(request, "changes");
        const std::string top = f.substr(0, f.find_first_of(".["));
        if (changes && !top.empty() && changes->contains(top)) return rebase(o.error(), "changes");
        return o.error();
    }
    return codec::to_json(o.value());
}

template <result<Opportunity> (Sales::*close)(const Context&, const Id&, const CloseRecord&)>
result<json> opportunity_close(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "close"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(c, close_of(request));
    CRM_TRY(o, (Sales(engine).*close)(ctx, id, c.value_or(CloseRecord{})));
    return codec::to_json(o);
}

result<json> opportunity_reopen(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "reason"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(reason, codec::get_string(request, "reason", "", 1000));
    CRM_TRY(o, Sales(engine).reopen_opportunity(ctx, id, reason.value_or("")));
    return codec::to_json(o);
}

result<json> opportunity_moves(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(moves, Sales(engine).allowed_moves(id));
    return items(moves);
}

result<json> opportunity_migrate(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "",
                                  {"pipeline", "from_version", "to_version", "mapping"}));
    CRM_TRY(pipeline, required_string(request, "pipeline", 64));
    CRM_TRY(from, int_or(request, "from_version", 0));
    CRM_TRY(to, int_or(request, "to_version", 0));
    std::map<std::string, std::string> mapping;
    if (const json* m = codec::member(request, "mapping")) {
        if (!m->is_object()) return fail(errc::invalid_argument, "must be an object", "mapping");
        for (const auto& [k, v] : m->items()) {
            CRM_TRY(s, codec::string_of(v, codec::join("mapping", k), 64));
            mapping[k] = std::move(s);
        }
    }
    CRM_TRY(moved, Sales(engine).migrate_opportunities(ctx, pipeline, from, to, mapping));
    return json{{"migrated", moved}};
}

result<json> forecast_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"period", "calendar", "time_zone", "group_by",
                                                "pipeline", "owner", "team", "targets"}));
    ForecastQuery q;
    CRM_TRY(period, required_string(request, "period", 32));
    q.period = std::move(period);
    CRM_TRY(calendar, codec::get_string(request, "calendar", "", 16));
    if (calendar) {
        CRM_TRY(cal, parse_calendar_system(*calendar, "calendar"));
        q.calendar = cal;
    }
    CRM_TRY(zone, codec::get_string(request, "time_zone", "", 64));
    if (zone) q.time_zone = *zone;
    CRM_TRY(group, codec::get_string(request, "group_by", "", 16));
    const std::string g = group.value_or("owner");
    if (g == "owner") q.group_by = ForecastGroup::owner;
    else if (g == "team") q.group_by = ForecastGroup::team;
    else if (g == "pipeline") q.group_by = ForecastGroup::pipeline;
    else return fail(errc::invalid_argument, "must be owner, team or pipeline", "group_by");
    std::string* filters[] = {&q.pipeline, &q.owner, &q.team};
    const char* keys[] = {"pipeline", "owner", "team"};
    for (int i = 0; i < 3; ++i) {
        CRM_TRY(v, codec::get_string(request, keys[i], "", 200));
        *filters[i] = v.value_or("");
    }
    CRM_TRY(targets, codec::targets_from_json(request, ""));
    q.targets = std::move(targets);
    CRM_TRY(f, Sales(engine).forecast(q));
    return codec::to_json(f);
}

result<json> pipeline_as_of(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"pipeline", "at", "owner"}));
    CRM_TRY(name, codec::get_string(request, "pipeline", "", 64));
    CRM_TRY(at, codec::get_time(request, "at", ""));
    if (!at) return fail(errc::invalid_argument, "is required", "at");
    CRM_TRY(owner, codec::get_string(request, "owner", "", 256));
    CRM_TRY(stages, Sales(engine).pipeline_as_of(name.value_or("sales"), *at, owner.value_or("")));
    json out = items(stages);
    out["pipeline"] = name.value_or("sales");
    return out;
}

result<json> pipeline_show(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"pipeline"}));
    CRM_TRY(name, codec::get_string(request, "pipeline", "", 64));
    CRM_TRY(stages, Sales(engine).pipeline(name.value_or("sales")));
    json list = json::array();
    for (const auto& s : stages) {
        json totals = json::array();
        for (const auto& t : s.totals) totals.push_back(codec::to_json(t));
        list.push_back({{"stage", s.state.id},
                        {"label", s.state.label},
                        {"category", process::to_string(s.state.category)},
                        {"probability", s.state.probability ? json(*s.state.probability)
                                                            : json(nullptr)},
                        {"forecast_category", process::to_string(s.state.forecast_category)},
                        {"totals", std::move(totals)}});
    }
    return json{{"pipeline", name.value_or("sales")}, {"items", std::move(list)}};
}

#undef CRM_OPPORTUNITY_FIELDS

// ---- leads -------------------------------------------------------------------

#define CRM_LEAD_FIELDS                                                                      \
    "external_id", "source", "channel", "campaign", "first_name", "last_name", "company",    \
        "job_title", "email", "phone", "national_id", "city", "interest", "note", "owner",   \
        "party", "custom"

result<json> lead_capture(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {CRM_LEAD_FIELDS, "process"}));
    CRM_TRY(input, codec::lead_input_from_json(request, "", true));
    CRM_TRY(l, Sales(engine).capture_lead(ctx, input));
    return codec::to_json(l);
}

result<json> lead_update(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "changes"}));
    CRM_TRY(id, required_id(request, "id"));
    const json* changes = codec::member(request, "changes");
    if (!changes) return fail(errc::invalid_argument, "is required", "changes");
    CRM_TRYV(codec::expect_object(*changes, "changes", {CRM_LEAD_FIELDS}));
    CRM_TRY(input, codec::lead_input_from_json(*changes, "changes", false));
    auto l = Sales(engine).update_lead(ctx, id, input);
    if (!l) return l.error().field == "id" ? l.error() : rebase(l.error(), "changes");
    return codec::to_json(l.value());
}

#undef CRM_LEAD_FIELDS

result<json> lead_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(key, required_string(request, "id", 200));
    CRM_TRY(l, Sales(engine).get_lead(key));
    return codec::to_json(l);
}

result<json> lead_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {CRM_LIST_KEYS}));
    CRM_TRY(query, list_query_of(request));
    CRM_TRY(page, Sales(engine).list_leads(query));
    return page_json(page);
}

result<json> lead_move(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "move", "reason"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(move, required_string(request, "move", 64));
    CRM_TRY(reason, codec::get_string(request, "reason", "", 1000));
    CRM_TRY(l, Sales(engine).move_lead(ctx, id, move, reason.value_or("")));
    return codec::to_json(l);
}

result<json> lead_disqualify(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "reason", "note"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(reason, codec::get_string(request, "reason", "", 100));
    CRM_TRY(note, codec::get_string(request, "note", "", 1000));
    CRM_TRY(l, Sales(engine).disqualify_lead(ctx, id, reason.value_or(""), note.value_or("")));
    return codec::to_json(l);
}

result<json> lead_convert(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "create_opportunity", "opportunity_name",
                                                "pipeline", "amount", "owner"}));
    CRM_TRY(id, required_id(request, "id"));
    json options = request;
    options.erase("id");
    CRM_TRY(o, codec::convert_options_from_json(options, ""));
    CRM_TRY(c, Sales(engine).convert_lead(ctx, id, o));
    return codec::to_json(c);
}

result<json> lead_scoring(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"rules"}));
    auto r = Sales(engine).define_lead_scoring(ctx, request.dump());
    if (!r) return r.error();
    return json{{"rules", request.contains("rules") ? request.at("rules").size() : 0}};
}

constexpr Command kSales[] = {
    {"process.define",
     "Stores a process definition; changed content becomes a new version.",
     "{definition: {id, record_type, states, transitions, ...} (docs/PROCESSES.md)}",
     "{outcome: created|unchanged, definition}", true, process_define},
    {"process.get", "A process definition (latest version unless one is named), as JSON, "
                    "Graphviz DOT or Mermaid.",
     "{id, version?, format?: json|dot|mermaid}", "the definition, or {dot} or {mermaid}", false,
     process_get},
    {"process.list", "The latest version of every process definition.", "{}",
     "{items: [{id, version, record_type, name}]}", false, process_list},
    {"calendar.define", "Stores a business calendar (working hours, days off, holidays, zone).",
     "{calendar: {id, name, time_zone, week, holidays, hijri_months?}}", "{outcome, calendar}", true,
     calendar_define},
    {"calendar.holidays",
     "The holidays of a business calendar from one day to another or in a Jalali year: fixed ones, "
     "and lunar ones on their computed (provisional) or confirmed days.",
     "{calendar? (id; default: the default calendar), year? (Jalali) | from, to (YYYY-MM-DD; a year below 1700 is Jalali; at most 3660 days)}",
     "{calendar, from, to, items: [{date, jalali, name, hijri, provisional}]}", false,
     calendar_holidays},
    {"history.get", "Every stage change and tracked value change of a record, oldest first.",
     "{record_type, id}", "{items: [history entry]}", false, history_get},
    {"opportunity.create",
     "Creates an opportunity in the first stage of its pipeline (\"sales\" when none is named).",
     "{pipeline?, party, name, external_id?, owner?, team?, amount?: {minor, currency}, probability?, expected_close? (YYYY-MM-DD; a year below 1700 is Jalali), source_lead?, campaign?, competitors?, products?, custom?}", "the opportunity", true,
     opportunity_create},
    {"opportunity.update", "Changes the given fields of an open opportunity.",
     "{id, changes: {...opportunity fields}}", "the opportunity", true, opportunity_update},
    {"opportunity.get", "One opportunity by id or external id.", "{id}", "the opportunity", false,
     opportunity_get},
    {"opportunity.list",
     "Opportunities filtered, ordered and paged (a worklist: crm/core/worklist.hpp); due is the "
     "expected close.",
     "{party?, owner?, team?, stage? | state?, status?, pipeline?, due_before?, overdue?, "
     "created_since?, changed_since?, tag?, where?, order? (newest|oldest|changed|due), after?, "
     "limit? (50), count? (true)}",
     "{items: [opportunity], next, total}", false, opportunity_list},
    {"opportunity.move",
     "Moves an opportunity by transition name or target stage, with effects and history.",
     "{id, move, reason?, close?: {reason, competitor, actual_revenue, date, note}, changes?}",
     "the opportunity", true, opportunity_move},
    {"opportunity.win", "The move into the won stage, with a close record.",
     "{id, close: {reason, actual_revenue?, date?, note?}}", "the opportunity", true,
     opportunity_close<&Sales::win_opportunity>},
    {"opportunity.lose", "The move into the lost stage, with a close record.",
     "{id, close: {reason, competitor?, date?, note?}}", "the opportunity", true,
     opportunity_close<&Sales::lose_opportunity>},
    {"opportunity.reopen", "Reopens a won or lost opportunity.", "{id, reason?}",
     "the opportunity", true, opportunity_reopen},
    {"opportunity.moves", "The moves an opportunity may make now (guards evaluated).", "{id}",
     "{items: [{name, to, to_label, close_record, reopen, required_fields}]}", false,
     opportunity_moves},
    {"opportunity.migrate",
     "Moves a pipeline's opportunities from one definition version to another.",
     "{pipeline, from_version, to_version, mapping?: {old_stage: new_stage}}", "{migrated}", true,
     opportunity_migrate},
    {"lead.capture",
     "Captures a lead from any source and channel on its qualification process, scored by the "
     "stored rules.",
     "{process?, external_id?, source?, channel?, campaign?, first_name?, last_name?, company?, "
     "job_title?, email?, phone?, national_id?, city?, interest?, note?, owner?, party?, custom?}",
     "the lead", true, lead_capture},
    {"lead.update", "Changes the given fields of an open lead and scores it again.",
     "{id, changes: {...lead fields}}", "the lead", true, lead_update},
    {"lead.get", "One lead by id or external id.", "{id}", "the lead", false, lead_get},
    {"lead.list",
     "Leads filtered, ordered and paged (a worklist), those not yet linked to a party too.",
     "{party?, owner?, state?, status?, created_since?, changed_since?, tag?, where?, "
     "order? (newest|oldest|changed), after?, limit? (50), count? (true)}",
     "{items: [lead], next, total}", false, lead_list},
    {"lead.move", "A move of the lead's process (contact, qualify, reopen ...).",
     "{id, move, reason?}", "the lead", true, lead_move},
    {"lead.disqualify",
     "Disqualifies a lead with a reason (lost, cannot_contact, no_longer_interested, cancelled, "
     "or the host's own).",
     "{id, reason, note?}", "the lead", true, lead_disqualify},
    {"lead.convert",
     "Converts a qualified lead: finds or creates the party and organisation, optionally an "
     "opportunity; idempotent.",
     "{id, create_opportunity?, opportunity_name?, pipeline?, amount?, owner?}",
     "{party, party_created, matched_by, organization, organization_created, opportunity, "
     "already_converted}",
     true, lead_convert},
    {"lead.scoring", "Stores the lead scoring rules (a rule and points each).",
     "{rules: [{name, when: rule, points}]}", "{rules: count}", true, lead_scoring},
    {"forecast",
     "The forecast of a period (Gregorian or Jalali month, quarter or year) per owner, team or "
     "pipeline: amounts by forecast category, win rate, average deal, sales cycle, the "
     "forecast at the period's start and its accuracy, coverage of targets, days per stage.",
     "{period: YYYY|YYYY-MM|YYYY-Qn, calendar?: gregorian|jalali, time_zone?, group_by?: "
     "owner|team|pipeline, pipeline?, owner?, team?, targets?: [{group, amount: {minor, "
     "currency}}]}",
     "{period, from_date, to_date, from, to, rows: [{group, currency, pipeline, best_case, "
     "commit, omitted: {count, amount_minor, weighted_minor}, won_count, lost_count, won_minor, "
     "win_rate, average_deal_minor, cycle_median_days, cycle_mean_days, at_start, "
     "forecast_accuracy, target_minor, attainment, coverage}], stages: [{pipeline, stage, moves, "
     "average_days}]}",
     false, forecast_get},
    {"pipeline.as_of", "Each stage of a pipeline as it stood at an instant, rebuilt from history; "
                      "with owner, only the deals it owned at their last change before then.",
     "{pipeline?, at, owner?}",
     "{pipeline, items: [{stage, label, category, currency, count, amount_minor, weighted_minor}]}",
     false, pipeline_as_of},
    {"pipeline.show", "Each stage of a pipeline with count, amount and weighted amount per currency.",
     "{pipeline?}", "{pipeline, items: [{stage, label, category, probability, "
                    "forecast_category, totals: [{stage, currency, count, amount_minor, weighted_minor}]}]}",
     false, pipeline_show},
};

}  // namespace

namespace detail {
std::span<const Command> sales_commands() { return kSales; }
}  // namespace detail

}  // namespace crm::commands
