// src/commands/service_commands.cpp - commands on the service desk: queues,
// SLA policies, tickets, their comments, moves and referrals, and tick.
// The service codec first: request.hpp's items() finds the to_json
// overloads declared before it.
#include "customer/codec.hpp"
#include "process/codec.hpp"
#include "service/codec.hpp"
// clang-format off
#include "commands/list_request.hpp"
#include "commands/request.hpp"
// clang-format on
#include "crm/service/service.hpp"
#include "commands/quote_answer.hpp"
#include "crm/sales/sales.hpp"

namespace crm::commands {
namespace {

#define CRM_TICKET_FIELDS                                                                       \
    "external_id", "subject", "description", "type", "priority", "channel", "category", "party", \
        "contact", "product_sku", "purchase_order_id", "parent", "custom"

result<json> queue_define(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRY(q, codec::queue_from_json(request));
    CRM_TRY(written, Service(engine).define_queue(ctx, q));
    return json{{"outcome", to_string(written.outcome)}, {"queue", codec::to_json(written.record)}};
}

result<json> queue_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {}));
    CRM_TRY(list, Service(engine).queues());
    return items(list);
}

result<json> sla_define(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"policy"}));
    const json* p = codec::member(request, "policy");
    if (!p || !p->is_object()) return fail(errc::invalid_argument, "must be an object", "policy");
    auto written = Service(engine).define_sla_policy(ctx, p->dump());
    if (!written) return rebase(written.error(), "policy");
    return json{{"outcome", to_string(written.value().outcome)},
                {"policy", codec::to_json(written.value().record)}};
}

result<json> sla_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {}));
    CRM_TRY(list, Service(engine).sla_policies());
    return items(list);
}

result<json> assignment_define(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"rule"}));
    const json* r = codec::member(request, "rule");
    if (!r || !r->is_object()) return fail(errc::invalid_argument, "must be an object", "rule");
    auto written = Service(engine).define_assignment_rule(ctx, r->dump());
    if (!written) return rebase(written.error(), "rule");
    return json{{"outcome", to_string(written.value().outcome)},
                {"rule", codec::to_json(written.value().record)}};
}

result<json> escalation_define(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"rule"}));
    const json* r = codec::member(request, "rule");
    if (!r || !r->is_object()) return fail(errc::invalid_argument, "must be an object", "rule");
    auto written = Service(engine).define_escalation_rule(ctx, r->dump());
    if (!written) return rebase(written.error(), "rule");
    return json{{"outcome", to_string(written.value().outcome)},
                {"rule", codec::to_json(written.value().record)}};
}

result<json> escalation_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {}));
    CRM_TRY(list, Service(engine).escalation_rules());
    return items(list);
}

result<json> assignment_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {}));
    CRM_TRY(list, Service(engine).assignment_rules());
    return items(list);
}

result<json> ticket_auto_assign(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(t, Service(engine).auto_assign(ctx, id));
    return codec::to_json(t);
}

result<json> ticket_create(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {CRM_TICKET_FIELDS, "queue", "assignee", "process"}));
    CRM_TRY(input, codec::ticket_input_from_json(request, "", true));
    CRM_TRY(t, Service(engine).create_ticket(ctx, input));
    return codec::to_json(t);
}

result<json> ticket_update(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "changes"}));
    CRM_TRY(id, required_id(request, "id"));
    const json* changes = codec::member(request, "changes");
    if (!changes) return fail(errc::invalid_argument, "is required", "changes");
    CRM_TRYV(codec::expect_object(*changes, "changes", {CRM_TICKET_FIELDS}));
    CRM_TRY(input, codec::ticket_input_from_json(*changes, "changes", false));
    auto t = Service(engine).update_ticket(ctx, id, input);
    if (!t) return t.error().field == "id" ? t.error() : rebase(t.error(), "changes");
    return codec::to_json(t.value());
}

result<json> ticket_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(key, required_string(request, "id", 200));
    CRM_TRY(t, Service(engine).get_ticket(key));
    return codec::to_json(t);
}

result<json> ticket_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {CRM_LIST_KEYS}));
    CRM_TRY(query, list_query_of(request));
    CRM_TRY(page, Service(engine).list_tickets(query));
    return page_json(page);
}

result<json> ticket_move(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "move", "reason"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(move, required_string(request, "move", 64));
    CRM_TRY(reason, codec::get_string(request, "reason", "", 1000));
    CRM_TRY(t, Service(engine).move_ticket(ctx, id, move, reason.value_or("")));
    return codec::to_json(t);
}

result<json> ticket_moves(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(moves, Service(engine).ticket_moves(id));
    return items(moves);
}

result<json> ticket_assign(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "assignee"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(assignee, required_string(request, "assignee", 200));
    CRM_TRY(t, Service(engine).assign_ticket(ctx, id, assignee));
    return codec::to_json(t);
}

result<json> ticket_refer(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "queue", "assignee", "reason"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(queue, codec::get_string(request, "queue", "", 64));
    CRM_TRY(assignee, codec::get_string(request, "assignee", "", 200));
    CRM_TRY(reason, codec::get_string(request, "reason", "", 1000));
    CRM_TRY(t, Service(engine).refer_ticket(ctx, id, queue.value_or(""), assignee.value_or(""),
                                            reason.value_or("")));
    return codec::to_json(t);
}

result<json> ticket_merge(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "into"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(into, required_id(request, "into"));
    CRM_TRY(t, Service(engine).merge_ticket(ctx, id, into));
    return codec::to_json(t);
}

result<json> ticket_comment(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRY(input, codec::comment_input_from_json(request, ""));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(c, Service(engine).add_comment(ctx, id, input));
    return codec::to_json(c);
}

result<json> ticket_comments(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "include_internal"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(internal, codec::get_bool(request, "include_internal", ""));
    CRM_TRY(list, Service(engine).comments(id, internal.value_or(true)));
    return items(list);
}

result<json> ticket_explain_sla(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "kpi"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(name, required_string(request, "kpi", 64));
    CRM_TRY(kpi, parse_sla_kpi(name, "kpi"));
    CRM_TRY(trace, Service(engine).explain_sla(id, kpi));
    return json{{"steps", codec::to_json(trace)}};
}

// A score: an integer in the request (its range is the Service's to check).
result<int> score_of(const json& request) {
    CRM_TRY(score, codec::get_int(request, "score", ""));
    if (!score) return fail(errc::invalid_argument, "is required", "score");
    if (*score < INT_MIN || *score > INT_MAX)
        return fail(errc::invalid_argument, "is out of range", "score");
    return static_cast<int>(*score);
}

result<json> ticket_csat(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "score", "comment"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(score, score_of(request));
    CRM_TRY(comment, codec::get_string(request, "comment", "", 4000));
    CRM_TRY(t, Service(engine).record_csat(ctx, id, score, comment.value_or("")));
    return codec::to_json(t);
}

result<json> nps_record(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"party", "score", "comment"}));
    CRM_TRY(party, required_id(request, "party"));
    CRM_TRY(score, score_of(request));
    CRM_TRY(comment, codec::get_string(request, "comment", "", 4000));
    CRM_TRY(r, Service(engine).record_nps(ctx, party, score, comment.value_or("")));
    return codec::to_json(r);
}

result<json> nps_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"party", "limit"}));
    CRM_TRY(party, required_id(request, "party"));
    CRM_TRY(limit, int_or(request, "limit", 100));
    CRM_TRY(list, Service(engine).nps_of(party, limit));
    return items(list);
}

// The portal: a party's tickets, and the quotes sent to it (the current
// revision of each, drafts left out) with their totals in Persian words.
result<json> portal_view(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"party", "unit"}));
    CRM_TRY(party, required_id(request, "party"));
    CRM_TRY(unit, irr_unit_of(request));
    CRM_TRY(list, Service(engine).portal_view(party));
    json out = items(list);
    CRM_TRY(quotes, Sales(engine).quotes_of(party));
    json shown = json::array();
    for (const Quote& q : quotes) {
        if (q.state == "draft" || !q.superseded_by.is_nil()) continue;
        CRM_TRY(answer, quote_answer(q, unit));
        shown.push_back(std::move(answer));
    }
    out["quotes"] = std::move(shown);
    return out;
}

result<json> service_report(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"period", "calendar", "time_zone", "group_by"}));
    ServiceReportQuery q;
    CRM_TRY(period, required_string(request, "period", 64));
    q.period = std::move(period);
    CRM_TRY(calendar, codec::get_string(request, "calendar", "", 64));
    if (calendar) {
        CRM_TRY(c, parse_calendar_system(*calendar, "calendar"));
        q.calendar = c;
    }
    CRM_TRY(zone, codec::get_string(request, "time_zone", "", 64));
    if (zone) q.time_zone = *zone;
    CRM_TRY(group, codec::get_string(request, "group_by", "", 64));
    if (group) {
        CRM_TRY(g, parse_service_group(*group, "group_by"));
        q.group_by = g;
    }
    CRM_TRY(report, Service(engine).report(q));
    return codec::to_json(report);
}

result<json> service_proactive(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "rule", "open_tickets", "subject",
                                                "description", "type", "priority", "queue",
                                                "batch_size"}));
    ProactiveAction a;
    CRM_TRY(id, required_string(request, "id", 64));
    a.id = std::move(id);
    const json* rule = codec::member(request, "rule");
    if (!rule) return fail(errc::invalid_argument, "is required", "rule");
    a.rule = rule->dump();
    CRM_TRY(open, codec::get_bool(request, "open_tickets", ""));
    a.open_tickets = open.value_or(true);
    CRM_TRY(subject, required_string(request, "subject", 500));
    a.subject = std::move(subject);
    CRM_TRY(description, codec::get_string(request, "description", "", 65536));
    a.description = description.value_or("");
    CRM_TRY(type, codec::get_string(request, "type", "", 64));
    if (type) {
        CRM_TRY(t, parse_ticket_type(*type, "type"));
        a.type = t;
    }
    CRM_TRY(priority, codec::get_string(request, "priority", "", 64));
    if (priority) {
        CRM_TRY(p, parse_ticket_priority(*priority, "priority"));
        a.priority = p;
    }
    CRM_TRY(queue, codec::get_string(request, "queue", "", 64));
    a.queue = queue.value_or("");
    CRM_TRY(batch, int_or(request, "batch_size", 500));
    a.batch_size = batch;
    CRM_TRY(r, Service(engine).run_proactive(ctx, a));
    return json{{"scanned", r.scanned}, {"matched", r.matched}, {"created", r.created},
                {"already", r.already}};
}

result<json> tick(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"now", "limit"}));
    CRM_TRY(now, codec::get_time(request, "now", ""));
    CRM_TRY(limit, int_or(request, "limit", 10'000));
    CRM_TRY(report, Service(engine).tick(ctx, now, limit));
    return codec::to_json(report);
}

constexpr Command kService[] = {
    {"queue.define", "Stores a queue (team) and its members with their skills.",
     "{id, name?, members?: [{user, skills?}]}", "{outcome, queue}", true, queue_define},
    {"queue.list", "Every queue.", "{}", "{items: [queue]}", false, queue_list},
    {"sla.define",
     "Stores an SLA policy (docs/SERVICE.md); a new version retargets the open clocks that "
     "follow it.",
     "{policy: {id, name?, order?, when?, calendar?, pause_states?, kpis: {first_response?, "
     "next_response?, resolution?: {warning?, failure}}}}",
     "{outcome, policy}", true, sla_define},
    {"sla.list", "The SLA policies, in the order they are tried.", "{}", "{items: [policy]}", false,
     sla_list},
    {"assignment.define",
     "Stores an assignment rule: a ticket it matches goes to its queue and a member picked "
     "round-robin, least loaded or by skill.",
     "{rule: {id, order?, when?, queue, strategy?: round_robin|least_loaded|skill, skill?}}",
     "{outcome, rule}", true, assignment_define},
    {"assignment.list", "The assignment rules, in the order they are tried.", "{}",
     "{items: [rule]}", false, assignment_list},
    {"escalation.define",
     "Stores an escalation rule: when its condition has held for a business time on an open "
     "ticket, raise the priority, move the queue and/or emit an event, once.",
     "{rule: {id, order?, when, after: {business_hours|business_minutes}, calendar?, actions: "
     "{priority?, queue?, notify?}}}",
     "{outcome, rule}", true, escalation_define},
    {"escalation.list", "The escalation rules, in the order they are tried.", "{}",
     "{items: [rule]}", false, escalation_list},
    {"ticket.create",
     "Opens a ticket in the first state of its process and starts the clocks of its SLA policy.",
     "{subject, party, external_id?, description?, type?, priority?, channel?, category?, "
     "contact?, product_sku?, purchase_order_id?, parent?, queue?, assignee?, custom?, process?}",
     "the ticket", true, ticket_create},
    {"ticket.update",
     "Changes the given fields of an open ticket; its SLA policy is chosen again.",
     "{id, changes: {...ticket fields}}", "the ticket", true, ticket_update},
    {"ticket.get", "One ticket by id or external id.", "{id}", "the ticket", false, ticket_get},
    {"ticket.list",
     "Tickets filtered, ordered and paged (a worklist: a queue's or an agent's open tickets by "
     "SLA due, the overdue ones); due is the earliest failure of a running SLA clock.",
     "{party?, owner? (assignee), queue?, state?, status?, priority?, sla_status?, due_before?, "
     "overdue?, created_since?, changed_since?, tag?, where?, order? (newest|oldest|changed|due), "
     "after?, limit? (50), count? (true)}",
     "{items: [ticket], next, total}", false, ticket_list},
    {"ticket.move",
     "A move of the ticket's process (open, pend_customer, pend_third_party, resolve, close, "
     "reopen, cancel); resolve and cancel need a reason.",
     "{id, move, reason?}", "the ticket", true, ticket_move},
    {"ticket.moves", "The moves a ticket may make now.", "{id}",
     "{items: [{name, to, to_label, close_record, reopen, required_fields}]}", false, ticket_moves},
    {"ticket.auto_assign", "Runs the assignment rules again for an open ticket.", "{id}",
     "the ticket", true, ticket_auto_assign},
    {"ticket.assign", "Assigns an open ticket to a member of its queue (\"\": to the queue).",
     "{id, assignee}", "the ticket", true, ticket_assign},
    {"ticket.refer", "Refers an open ticket to another queue and/or person, with a reason.",
     "{id, queue?, assignee?, reason}", "the ticket", true, ticket_refer},
    {"ticket.merge", "Closes a ticket as a duplicate of another open one.", "{id, into}",
     "the merged ticket", true, ticket_merge},
    {"ticket.comment",
     "Adds a public or internal comment; an agent's public comment is a response.",
     "{id, body?, public?, author_kind?: agent|customer, attachments?: [{name, size, sha256, "
     "media_type?}]}",
     "the comment", true, ticket_comment},
    {"ticket.comments", "A ticket's comments, oldest first.", "{id, include_internal?}",
     "{items: [comment]}", false, ticket_comments},
    {"ticket.explain_sla", "Why a ticket's clock has the deadline it has.", "{id, kpi}",
     "{steps: [{from, to, what}]}", false, ticket_explain_sla},
    {"ticket.csat",
     "Records the customer's satisfaction (1..5) with a resolved ticket; again replaces it.",
     "{id, score, comment?}", "the ticket", true, ticket_csat},
    {"nps.record", "Records a Net Promoter Score answer (0..10) of a party.",
     "{party, score, comment?}", "{id, party, score, comment, at}", true, nps_record},
    {"nps.list", "A party's NPS answers, newest first.", "{party, limit?}",
     "{items: [{id, party, score, comment, at}]}", false, nps_list},
    {"portal.view",
     "What a customer portal shows a party: its tickets with state labels and public comments, "
     "and the quotes sent to it (the current revision, drafts left out) with their totals in "
     "Persian digits and words.",
     "{party, unit?: \"rial\" | \"toman\"}",
     "{items: [{id, external_id, subject, type, state, state_label, status, created_at, "
     "updated_at, resolved_at, comments: [{author_kind, body, attachments, at}]}], quotes: "
     "[quote with total_text: {digits, words, unit}]}",
     false, portal_view},
    {"service.report",
     "The service report of a period: SLA compliance by group and KPI, the backlog and its age, "
     "time in each state against the expected durations, first-contact resolution, CSAT, NPS.",
     "{period (YYYY, YYYY-MM, YYYY-Qn), calendar?: gregorian|jalali, time_zone?, "
     "group_by?: queue|type|priority}",
     "{period, from_date, to_date, as_of, opened, sla: [...], backlog: [...], states: [...], "
     "resolved, first_contact_resolved, first_contact_rate, csat: {...}, nps: {...}}",
     false, service_report},
    {"service.proactive",
     "Proactive service in bulk: a recall case (or a notice on the timeline) for every party "
     "with a purchase the rule matches, once per party and action id.",
     "{id, rule (over party_kind, party_stage, party_city, party_country, party_tags, order_id, "
     "ordered_at, ordered_on, skus, total), subject, open_tickets? (true), description?, type? (recall), "
     "priority?, queue?, batch_size?}",
     "{scanned, matched, created, already}", true, service_proactive},
    {"tick",
     "Does all due work: clock warnings and breaches (sla.warning, sla.breached) and escalation "
     "rules that come due (ticket.escalated), each once.",
     "{now?, limit?}", "{examined, warnings, breaches, escalations}", true, tick},
};

}  // namespace

namespace detail {
std::span<const Command> service_commands() { return kService; }
}  // namespace detail

}  // namespace crm::commands
