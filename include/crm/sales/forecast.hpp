// crm/sales/forecast.hpp - the sales forecast of a period (Gregorian or
// Jalali month, quarter or year) and the pipeline as it stood on a date.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/calendar.hpp"
#include "crm/core/money.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// Whose forecast a row is.
enum class ForecastGroup { owner, team, pipeline };

/// A target (quota) of one group for the period: the owner's, team's or
/// pipeline's, as ForecastQuery::group_by names them.
struct ForecastTarget {
    std::string group;
    Money amount;
};

struct ForecastQuery {
    /// "1404-Q1" (quarter), "1404-03" (month), "1404" (year), in `calendar`.
    std::string period;
    CalendarSystem calendar = CalendarSystem::gregorian;
    std::string time_zone = "Asia/Tehran";  ///< where a period's days begin
    ForecastGroup group_by = ForecastGroup::owner;
    std::string pipeline;  ///< only this pipeline; empty: every pipeline
    std::string owner;     ///< only this owner; empty: all
    std::string team;      ///< only this team; empty: all
    /// Targets to measure each group's pipeline coverage and attainment
    /// against (at most 10000; one per group and currency).
    std::vector<ForecastTarget> targets;
};

/// Sums of one group in one currency.
struct ForecastRow {
    std::string group;     ///< the owner, team or pipeline ("" when unset)
    std::string currency;  ///< "" for deals without an amount
    /// Open deals expected to close in the period, by forecast category:
    /// count, amount and probability-weighted amount (minor units).
    struct Sums {
        std::int64_t count = 0, amount_minor = 0, weighted_minor = 0;
    };
    Sums pipeline, best_case, commit, omitted;
    /// Deals closed in the period.
    std::int64_t won_count = 0, lost_count = 0;
    std::int64_t won_minor = 0;  ///< actual revenue of the won deals
    double win_rate = 0;         ///< won / (won + lost); 0 when none closed
    std::int64_t average_deal_minor = 0;  ///< won_minor / won_count, rounded down
    /// The sales cycle of the deals won in the period: days from creation
    /// to the win (median and mean); none without a win.
    std::optional<double> cycle_median_days, cycle_mean_days;
    /// The forecast as it stood when the period began: the deals then open
    /// and expected to close in it, as their last recorded move before it
    /// left them (amount, probability, category; omitted ones left out).
    Sums at_start;
    /// won_minor / at_start.weighted_minor: above 1, more closed than was
    /// forecast; none when nothing was forecast.
    std::optional<double> forecast_accuracy;
    /// The group's target in this currency, when one was given: won_minor
    /// of it (attainment), and the open deals expected to close in the
    /// period against what remains of it (pipeline coverage; none when the
    /// target is met).
    std::optional<std::int64_t> target_minor;
    std::optional<double> attainment, coverage;
};

/// How long deals stayed in a stage, over the stage changes of the period.
struct StageDuration {
    std::string pipeline;
    std::string stage;
    std::int64_t moves = 0;       ///< deals that left the stage in the period
    double average_days = 0;      ///< mean time in the stage before leaving it
};

struct Forecast {
    std::string period;
    std::string from_date, to_date;  ///< Gregorian [from, to)
    Timestamp from, to;              ///< the same days as instants in the query's zone
    std::vector<ForecastRow> rows;   ///< by group, then currency
    std::vector<StageDuration> stages;
};

/// One stage of a pipeline as it stood at an instant, rebuilt from history.
struct StageSnapshot {
    std::string stage;
    /// The stage's label and category ("open", "won", "lost", ...) in the
    /// latest definition; a stage it no longer has: empty, "open".
    std::string label, category = "open";
    std::string currency;
    std::int64_t count = 0, amount_minor = 0, weighted_minor = 0;
};

}  // namespace crm
