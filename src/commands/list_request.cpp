// src/commands/list_request.cpp - reads the request every list command shares.
#include "commands/list_request.hpp"

namespace crm::commands {

namespace {

result<std::vector<std::string>> one_or_many(const json& request, std::string_view key) {
    const json* m = codec::member(request, key);
    if (!m) return std::vector<std::string>{};
    if (m->is_string()) {
        CRM_TRY(s, codec::string_of(*m, std::string(key), 1024));
        return std::vector<std::string>{std::move(s)};
    }
    if (!m->is_array())
        return fail(errc::invalid_argument, "must be a string or an array of strings", std::string(key));
    CRM_TRY(list, codec::get_strings(request, key, ""));
    return std::move(*list);
}

}  // namespace

result<ListQuery> list_query_of(const json& request) {
    ListQuery q;
    std::vector<std::string>* lists[] = {&q.owner, &q.team, &q.queue, &q.status, &q.priority,
                                         &q.sla_status};
    const char* list_keys[] = {"owner", "team", "queue", "status", "priority", "sla_status"};
    for (std::size_t i = 0; i < std::size(lists); ++i) {
        CRM_TRY(v, one_or_many(request, list_keys[i]));
        *lists[i] = std::move(v);
    }
    if (codec::member(request, "state") && codec::member(request, "stage"))
        return fail(errc::invalid_argument, "give state or stage, not both", "stage");
    CRM_TRY(state, one_or_many(request, codec::member(request, "stage") ? "stage" : "state"));
    q.state = std::move(state);
    CRM_TRY(pipeline, codec::get_string(request, "pipeline", "", 200));
    q.pipeline = pipeline.value_or("");
    CRM_TRY(due, codec::get_time(request, "due_before", ""));
    q.due_before = due;
    CRM_TRY(overdue, codec::get_bool(request, "overdue", ""));
    q.overdue = overdue.value_or(false);
    CRM_TRY(created, codec::get_time(request, "created_since", ""));
    q.created_since = created;
    CRM_TRY(changed, codec::get_time(request, "changed_since", ""));
    q.changed_since = changed;
    CRM_TRY(party, codec::get_id(request, "party", ""));
    q.party = party.value_or(Id{});
    CRM_TRY(tag, codec::get_string(request, "tag", "", 200));
    q.tag = tag.value_or("");
    if (const json* w = codec::member(request, "where")) {
        if (w->is_object()) q.where = w->dump();
        else {
            CRM_TRY(text, codec::string_of(*w, "where", 64 * 1024));
            q.where = std::move(text);
        }
    }
    CRM_TRY(order, codec::get_string(request, "order", "", 64));
    q.order = order.value_or("");
    CRM_TRY(after, codec::get_string(request, "after", "", 200));
    q.after = after.value_or("");
    CRM_TRY(limit, int_or(request, "limit", 50));
    q.limit = limit;
    CRM_TRY(count, codec::get_bool(request, "count", ""));
    q.count = count.value_or(true);
    return q;
}

}  // namespace crm::commands
