// crm/analytics/cohort.hpp - customers over time: retention of the cohorts
// of first purchase (the share of each cohort still buying, and its revenue,
// in every later period) and inactivity-based churn per period, in Gregorian
// or Jalali months, quarters or years (docs/ANALYTICS.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/analytics/stats.hpp"
#include "crm/core/calendar.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// The length of a reporting period.
enum class PeriodUnit { month, quarter, year };

/// "month", "quarter", "year".
CRM_API const char* to_string(PeriodUnit u) noexcept;
/// Fails with invalid_argument naming `field`.
CRM_API result<PeriodUnit> parse_period_unit(std::string_view s, std::string_view field = "unit");

/// Which purchases the cohort table and the churn rates read, and how.
struct CohortQuery {
    PeriodUnit unit = PeriodUnit::month;
    CalendarSystem calendar = CalendarSystem::gregorian;
    std::string time_zone = "Asia/Tehran";  ///< whose days the periods are made of
    /// The first period shown: a year, quarter or month of `calendar`
    /// ("1403", "1403-Q2", "1403-04"); the rows start at the period of
    /// `unit` its first day falls in. Empty: the period of the first
    /// purchase. Customers who first bought before it are in no row but
    /// count in the churn rates.
    std::string since;
    /// The present: periods after the one it falls in are the future, their
    /// cells empty; purchases after it are not read. None: now.
    std::optional<Timestamp> as_of;
    /// As ClvRequest::currency: empty, the purchases' one currency (two
    /// fail naming "currency"); named, purchases in others are left out and
    /// counted.
    std::string currency;
    /// A customer with no purchase in this many periods in a row has
    /// lapsed (churned) at the end of the last of them; 1..120.
    int churn_after = 3;
    /// Rates from fewer customers than this are marked too_few.
    std::int64_t min_records = 30;
    /// The most periods a table may span (rows from `since` to as_of).
    static constexpr int kMaxPeriods = 600;
};

/// One cell of a cohort's row: the cohort's customers who bought in the
/// period `offset` periods after their first, and what they spent.
struct CohortCell {
    std::int64_t customers = 0;
    analytics::Proportion retained;  ///< customers of the cohort's size
    std::int64_t revenue_minor = 0;  ///< in the table's currency
};

/// The customers whose first purchase fell in one period.
struct CohortRow {
    std::string period;            ///< "1404-03", "1404-Q1" or "1404"
    std::int64_t customers = 0;    ///< the cohort's size
    /// Offsets 0, 1, ... up to the last period of the table; none for a
    /// period still in the future (empty, not zero).
    std::vector<std::optional<CohortCell>> cells;
};

/// Customers coming and going in one period, by inactivity.
struct ChurnRow {
    std::string period;
    /// Active: with a purchase in the last churn_after periods.
    std::int64_t active_at_start = 0;
    std::int64_t new_customers = 0;  ///< first purchase in the period
    std::int64_t returned = 0;       ///< bought again after having lapsed
    std::int64_t churned = 0;        ///< lapsed at the period's end
    std::int64_t active_at_end = 0;
    analytics::Proportion churn_rate;  ///< churned of active_at_start
};

struct Cohorts {
    PeriodUnit unit = PeriodUnit::month;
    CalendarSystem calendar = CalendarSystem::gregorian;
    std::string currency;
    std::string as_of_period;  ///< the period as_of falls in
    Timestamp as_of;
    int churn_after = 3;
    std::int64_t customers = 0;        ///< with a purchase by as_of
    std::int64_t purchases_read = 0;   ///< counted (in the currency, by as_of)
    std::int64_t purchases_after_as_of = 0;
    std::int64_t purchases_other_currencies = 0;
    std::vector<CohortRow> rows;   ///< from `since` to as_of, oldest first
    std::vector<ChurnRow> churn;   ///< the same periods
};

}  // namespace crm
