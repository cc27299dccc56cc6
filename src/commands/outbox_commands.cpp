// src/commands/outbox_commands.cpp - commands on the audit trail and the
// outbox of events hosts consume by cursor and acknowledge.
#include "commands/request.hpp"

namespace crm::commands {

namespace {

result<json> audit_trail(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"record", "limit"}));
    CRM_TRY(record, required_id(request, "record"));
    CRM_TRY(limit, int_or(request, "limit", 100));
    CRM_TRY(entries, engine.audit_trail(record, limit));
    return items(entries);
}

result<json> events_after(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"cursor", "limit"}));
    CRM_TRY(cursor, codec::get_int(request, "cursor", ""));
    CRM_TRY(limit, int_or(request, "limit", 100));
    const std::int64_t from = cursor.value_or(0);
    CRM_TRY(events, engine.events_after(from, limit));
    json out = items(events);
    out["cursor"] = events.empty() ? from : events.back().seq;
    return out;
}

result<json> events_ack(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"consumer", "cursor"}));
    CRM_TRY(consumer, required_string(request, "consumer", 200));
    CRM_TRY(cursor, codec::get_int(request, "cursor", ""));
    if (!cursor) return fail(errc::invalid_argument, "is required", "cursor");
    CRM_TRYV(engine.acknowledge(consumer, *cursor));
    return json{{"consumer", consumer}, {"cursor", *cursor}};
}

result<json> events_cursor(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"consumer"}));
    CRM_TRY(consumer, required_string(request, "consumer", 200));
    CRM_TRY(cursor, engine.consumer_cursor(consumer));
    return json{{"consumer", consumer}, {"cursor", cursor}};
}

constexpr Command kCommands[] = {
    {"audit.trail", "Lists the audit entries of one record, newest first.",
     "{record (an id), limit (1..10000, default 100)}",
     "{items: [{seq, at, actor, source, record_type, record_id, action, changes[{field, before, "
     "after}]}]}",
     false, audit_trail},
    {"events.after", "Reads the outbox: events after a cursor, oldest first.",
     "{cursor (default 0), limit (1..10000, default 100)}",
     "{items: [{seq, at, type, record_type, record_id, payload}], cursor (the last seq read, to "
     "acknowledge)}",
     false, events_after},
    {"events.ack",
     "Records that a consumer has handled every event up to a cursor (at-least-once delivery).",
     "{consumer, cursor}", "{consumer, cursor}", true, events_ack},
    {"events.cursor", "The last cursor a consumer acknowledged (0 when none).", "{consumer}",
     "{consumer, cursor}", false, events_cursor},
};

}  // namespace

std::span<const Command> detail::outbox_commands() { return kCommands; }

}  // namespace crm::commands
