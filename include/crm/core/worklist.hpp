// crm/core/worklist.hpp - a worklist: the records of one type that a
// person works through ("my open deals", "the billing queue, soonest due
// first"), filtered, ordered and read a page at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/id.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// Which records a list shows, in which order, and from where. Every
/// filter that is set must hold (a list filter: any of its members); a
/// filter the record type does not have is refused with invalid_argument
/// naming it, never ignored.
///
/// | filter       | opportunity | lead  | quote | ticket    | activity | campaign |
/// |--------------|-------------|-------|-------|-----------|----------|----------|
/// | owner        | owner       | owner | owner | assignee  | assignee | -        |
/// | team         | team        | -     | -     | -         | -        | -        |
/// | queue        | -           | -     | -     | queue     | -        | -        |
/// | state        | stage       | state | state | state     | -        | state    |
/// | status       | yes         | yes   | yes   | yes       | yes      | yes      |
/// | pipeline     | yes         | -     | -     | -         | -        | -        |
/// | priority     | -           | -     | -     | yes       | -        | -        |
/// | sla_status   | -           | -     | -     | yes       | -        | -        |
/// | due, overdue | expected close | -  | valid until | SLA due | due   | -        |
/// | party, tag   | yes         | yes   | yes   | yes       | yes      | -        |
/// | where        | any field of the record type's rule schema, custom fields too  |
struct ListQuery {
    std::vector<std::string> owner;
    std::vector<std::string> team;
    std::vector<std::string> queue;
    std::vector<std::string> state;   ///< state, or an opportunity's stage
    std::vector<std::string> status;  ///< open, won, lost, closed, cancelled ...
    std::string pipeline;
    std::vector<std::string> priority;    ///< low, normal, high, urgent
    std::vector<std::string> sla_status;  ///< breached, nearing_breach, in_progress, paused, none
    /// Due at or before this instant (a date-valued due: on or before its day
    /// in the Engine's time zone).
    std::optional<Timestamp> due_before;
    /// Still open and past due: a ticket whose running SLA clock has failed,
    /// an activity past its due time, a deal past its expected close, a
    /// quote past its validity.
    bool overdue = false;
    std::optional<Timestamp> created_since;  ///< created at or after
    std::optional<Timestamp> changed_since;  ///< last changed at or after
    Id party;         ///< the records of one party (a merged one resolves to its survivor)
    std::string tag;  ///< the records whose party carries this tag
    /// A rule over the record's fields, in the rule language's text or JSON
    /// form (crm/expr/expr.hpp): "custom.region = \"north\"".
    std::string where;
    /// newest (the default: created, newest first), oldest, changed (most
    /// recently changed first) or due (soonest first; records without a
    /// due last). Ties are broken by id, so the order is total.
    std::string order;
    /// The `next` of the previous page of the same list (same filters and
    /// order); empty for the first page.
    std::string after;
    int limit = 50;      ///< 1..1000
    bool count = true;   ///< also count every record the filters select
};

/// One page of a list. `next` reads the following page (empty: this is
/// the last); `total` counts every record the filters select, over all
/// pages, when the query asked for it.
template <class T>
struct ListPage {
    std::vector<T> items;
    std::string next;
    std::optional<std::int64_t> total;
};

}  // namespace crm
