// src/commands/list_request.hpp - the request and answer every list command
// shares (crm/core/worklist.hpp): filters, order, cursor, limit, count.
#pragma once

#include <initializer_list>
#include <string_view>

#include "commands/request.hpp"
#include "crm/core/worklist.hpp"

namespace crm::commands {

/// The filter keys of a list request, for a command's doc and expect_object.
#define CRM_LIST_KEYS                                                                           \
    "owner", "team", "queue", "state", "stage", "status", "pipeline", "priority", "sla_status",  \
        "due_before", "overdue", "created_since", "changed_since", "party", "tag", "where",     \
        "order", "after", "limit", "count"

/// Reads a list request: a list filter is a string or an array of them;
/// "stage" is the same filter as "state" (an opportunity's word for it);
/// "where" a rule's text or its JSON form. Unknown keys were refused by
/// the caller's expect_object.
result<ListQuery> list_query_of(const json& request);

/// {items: [...], next: cursor | null, total?}.
template <class T>
json page_json(const ListPage<T>& page) {
    json out = items(page.items);
    out["next"] = page.next.empty() ? json(nullptr) : json(page.next);
    if (page.total) out["total"] = *page.total;
    return out;
}

}  // namespace crm::commands
