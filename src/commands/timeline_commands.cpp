// src/commands/timeline_commands.cpp - commands on a party's timeline:
// interactions, activities (follow-ups) and purchases.
#include "commands/list_request.hpp"
#include "commands/request.hpp"

namespace crm::commands {

namespace {

result<json> interaction_log(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRY(input, codec::interaction_from_json(request));
    CRM_TRY(logged, engine.log_interaction(ctx, input));
    return codec::to_json(logged);
}

result<json> timeline_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"party", "before", "limit"}));
    CRM_TRY(party, required_id(request, "party"));
    TimelineQuery query;
    CRM_TRY(before, codec::get_string(request, "before", "", 200));
    query.before = before.value_or("");
    CRM_TRY(limit, int_or(request, "limit", query.limit));
    query.limit = limit;
    CRM_TRY(page, engine.timeline(party, query));
    json out = items(page.items);
    out["next"] = page.next;
    return out;
}

result<json> activity_schedule(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRY(input, codec::activity_from_json(request));
    CRM_TRY(scheduled, engine.schedule_activity(ctx, input));
    return codec::to_json(scheduled);
}

template <result<Activity> (Engine::*close)(const Context&, const Id&)>
result<json> activity_close(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(id, required_id(request, "id"));
    auto closed = (engine.*close)(ctx, id);
    if (!closed) return rename(closed.error(), "activity", "id");
    return codec::to_json(closed.value());
}

result<json> activity_overdue(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"assignee", "limit"}));
    CRM_TRY(assignee, codec::get_string(request, "assignee", "", 200));
    CRM_TRY(limit, int_or(request, "limit", 100));
    CRM_TRY(due, engine.overdue_activities(assignee.value_or(""), limit));
    return items(due);
}

result<json> activity_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {CRM_LIST_KEYS}));
    CRM_TRY(query, list_query_of(request));
    CRM_TRY(page, engine.list_activities(query));
    return page_json(page);
}

result<json> activity_due_by(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"assignee", "until", "limit"}));
    CRM_TRY(assignee, codec::get_string(request, "assignee", "", 200));
    CRM_TRY(until, codec::get_time(request, "until", ""));
    if (!until) return fail(errc::invalid_argument, "is required", "until");
    CRM_TRY(limit, int_or(request, "limit", 100));
    CRM_TRY(due, engine.activities_due_by(assignee.value_or(""), *until, limit));
    return items(due);
}

result<json> purchase_record(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRY(input, codec::purchase_from_json(request));
    CRM_TRY(w, engine.record_purchase(ctx, input));
    return json{{"outcome", to_string(w.outcome)}, {"purchase", codec::to_json(w.record)}};
}

result<json> purchase_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"party"}));
    CRM_TRY(party, required_id(request, "party"));
    CRM_TRY(list, engine.purchases(party));
    return items(list);
}

constexpr Command kCommands[] = {
    {"interaction.log",
     "Logs a call, e-mail, message, meeting or visit on a party's timeline; an external_id logged "
     "twice is stored once.",
     "Interaction: {party, channel (call|email|sms|meeting|chat|social|portal|visit|other), "
     "direction (inbound|outbound|internal), at, subject, summary, actor, duration_s, outcome, "
     "external_id}",
     "Interaction", true, interaction_log},
    {"timeline.get", "Reads a party's interactions, newest first, one page at a time.",
     "{party, before (the previous page's next), limit (1..1000, default 50)}",
     "{items: [Interaction], next (empty at the end)}", false, timeline_get},
    {"activity.schedule", "Schedules a follow-up (task, call or meeting) for a party.",
     "Activity: {party, kind (task|call|meeting), subject, note, due, assignee}", "Activity",
     true, activity_schedule},
    {"activity.complete", "Marks an open activity done.", "{id}", "Activity", true,
     activity_close<&Engine::complete_activity>},
    {"activity.cancel", "Cancels an open activity.", "{id}", "Activity", true,
     activity_close<&Engine::cancel_activity>},
    {"activity.overdue", "Lists the open activities of an assignee that are past due.",
     "{assignee (empty: unassigned), limit (1..10000, default 100)}", "{items: [Activity]}",
     false, activity_overdue},
    {"activity.list",
     "Activities filtered, ordered and paged (a worklist: an assignee's open follow-ups by due, "
     "the overdue ones).",
     "{party?, owner? (assignee), status?, due_before?, overdue?, created_since?, changed_since?, "
     "tag?, where?, order? (newest|oldest|changed|due), after?, limit? (50), count? (true)}",
     "{items: [Activity], next, total}", false, activity_list},
    {"activity.due_by", "Lists the open activities of an assignee due before a time.",
     "{assignee (empty: unassigned), until, limit (1..10000, default 100)}",
     "{items: [Activity]}", false, activity_due_by},
    {"purchase.record",
     "Records an order the ERP reports on a party; the same order_id again updates it.",
     "Purchase: {party, order_id, ordered_at, total: {minor, currency}, lines[{sku, name, "
     "quantity, unit_price, total}]}",
     "{outcome: created|updated|unchanged, purchase: Purchase}", true, purchase_record},
    {"purchase.list", "Lists a party's purchases.", "{party}", "{items: [Purchase]}", false,
     purchase_list},
};

}  // namespace

std::span<const Command> detail::timeline_commands() { return kCommands; }

}  // namespace crm::commands
