// src/analytics/summary.hpp - one customer's calibration summary from their
// purchase days; shared by analytics::summarize (transactions in memory)
// and the Engine's summary of stored purchases (read in party order).
#pragma once

#include <optional>
#include <span>
#include <string>

#include "crm/analytics/clv.hpp"
#include "crm/core/calendar.hpp"

namespace crm::analytics {

/// A purchase reduced to its local day and amount.
struct DayAmount {
    std::int64_t day;  ///< local days since 1970-01-01
    double amount;
};

/// The days and unit SummaryOptions stand for.
struct SummaryScale {
    TimeZone zone;
    std::int64_t calibration_day;
    std::int64_t observation_day;
    double days_per_unit;
    bool has_holdout;

    /// Checks the options (naming "calibration_end", "observation_end",
    /// "time_zone").
    static result<SummaryScale> make(const SummaryOptions& options);
    /// The local day `t` falls on.
    std::int64_t day(Timestamp t) const;
    /// One customer's summary from their purchases in day order; none when
    /// the first purchase is after calibration.
    std::optional<CustomerSummary> summarise(std::string_view customer,
                                             std::span<const DayAmount> days) const;
};

}  // namespace crm::analytics
