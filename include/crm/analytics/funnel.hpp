// crm/analytics/funnel.hpp - the funnel of any process (قیف فروش, and the
// lifecycle of leads, quotes, tickets, campaigns or a host's own process):
// how many records entered each state, went on, closed there or are still
// in it, the conversion from state to state with its interval, and the time
// spent in each state against the identity card's expected duration.
// Read from the history every process-run record keeps (docs/ANALYTICS.md).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crm/analytics/stats.hpp"
#include "crm/core/calendar.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// Which records and moves a funnel counts.
struct FunnelQuery {
    /// The process definition (its latest version names the states and
    /// their order): "sales", "lead", "quote", "ticket", a host's own.
    std::string process = "sales";
    /// A year, quarter or month ("1404-Q1", "2025-06", "2025") of
    /// `calendar`, its days in `time_zone`; none: all time.
    std::string period;
    CalendarSystem calendar = CalendarSystem::gregorian;
    std::string time_zone = "Asia/Tehran";
    /// cohort: the records created in the period, followed to now;
    /// activity: the moves made in the period, whatever the record's age.
    enum class Basis { cohort, activity };
    Basis basis = Basis::cohort;
    /// any: a record counts as entering every state it entered; strict:
    /// only the states it reached first in the definition's order without
    /// skipping one (moves on, back and out are counted either way).
    enum class Order { any, strict };
    Order order = Order::any;
    /// Rates from fewer records than this are marked too_few.
    std::int64_t min_records = 30;
    /// Only the records with this owner, team, pipeline, source or
    /// campaign (empty: any); the funnel then also says how the subset's
    /// won rate differs from the rest's. Opportunities: the source is their
    /// lead's; tickets: the owner is the assignee, the team the queue, the
    /// source the channel.
    std::string owner, team, pipeline, source, campaign;
    /// Also a funnel per value of one of those ("owner", "team",
    /// "pipeline", "source", "campaign"); empty: none.
    std::string group_by;
};

CRM_API const char* to_string(FunnelQuery::Basis b) noexcept;
CRM_API const char* to_string(FunnelQuery::Order o) noexcept;

/// One open state of the funnel, in the definition's order.
struct FunnelStage {
    std::string state;
    std::string label;
    std::int64_t entered = 0;       ///< records that entered it
    std::int64_t moved_on = 0;      ///< left it for a later open state or a won one
    std::int64_t moved_back = 0;    ///< left it for an earlier open state
    std::int64_t still_in = 0;      ///< in it now
    /// Left it for a closed state other than won (lost, cancelled,
    /// closed), by that state's id.
    std::map<std::string, std::int64_t> closed;
    /// Of the records that entered the stage before (the first stage: of
    /// itself), those that entered this one too; and of those that entered
    /// the first stage.
    analytics::Proportion conversion, cumulative;
    /// Time spent in the state by the stays that ended, in days: median
    /// and 90th percentile; none without a finished stay.
    std::int64_t stays = 0;
    std::optional<double> median_days, p90_days;
    /// The identity card's expected duration as elapsed days (business
    /// units through the process's calendar, from the period's start or
    /// now); none when the state names none.
    std::optional<double> expected_days;
    /// The median stay is longer than expected.
    bool bottleneck = false;
};

/// What a funnel counts, of all its records or of one group's.
struct FunnelCounts {
    std::int64_t records = 0;  ///< records counted
    std::vector<FunnelStage> stages;
    /// Records that reached a won state, of those counted.
    analytics::Proportion won;
    /// Records now in each closed state, by its id.
    std::map<std::string, std::int64_t> outcomes;
};

/// The funnel of the records with one value of FunnelQuery::group_by.
struct FunnelGroup : FunnelCounts {
    std::string value;  ///< "" for the records without one
};

struct Funnel : FunnelCounts {
    std::string process;
    int version = 0;
    std::string record_type;
    std::string period, from_date, to_date;  ///< empty for all time
    FunnelQuery::Basis basis = FunnelQuery::Basis::cohort;
    FunnelQuery::Order order = FunnelQuery::Order::any;
    /// The filters applied, as (dimension, value), in the query's order.
    std::vector<std::pair<std::string, std::string>> filters;
    /// With filters: the records of the period without them (the whole),
    /// and the subset's won rate tested against the rest's (none when the
    /// subset or the rest is empty).
    std::int64_t whole_records = 0;
    std::optional<analytics::ProportionTest> versus_rest;
    std::string group_by;
    std::vector<FunnelGroup> groups;  ///< by value
};

}  // namespace crm
