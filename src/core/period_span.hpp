// src/core/period_span.hpp - a reporting period ("1404", "1404-03",
// "1404-Q1") as the Gregorian days and the instants it covers; the sales
// forecast and the service report read periods this way.
#pragma once

#include <string>
#include <string_view>

#include "crm/core/calendar.hpp"
#include "crm/core/error.hpp"
#include "crm/core/time.hpp"

namespace crm {

struct PeriodSpan {
    std::string period;              ///< the text, tidied
    std::string from_date, to_date;  ///< Gregorian "YYYY-MM-DD", [from, to)
    Timestamp from, to;              ///< the same days' midnights in the zone
};

/// A year, month or quarter ("YYYY", "YYYY-MM", "YYYY-Qn"; ASCII or Persian
/// digits) of `calendar`, its days beginning in `time_zone`. invalid_argument
/// names "period" (malformed, out of range, outside the supported years) or
/// "time_zone".
result<PeriodSpan> resolve_period(std::string_view text, CalendarSystem calendar,
                                  std::string_view time_zone);

}  // namespace crm
