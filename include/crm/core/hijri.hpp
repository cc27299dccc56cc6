// crm/core/hijri.hpp - the lunar Hijri calendar as Iran's official calendar
// is expected to read it, for the holidays that move with the moon.
#pragma once

#include <cstdint>

#include "crm/core/calendar.hpp"
#include "crm/core/error.hpp"

namespace crm::hijri {

/// Iran's official calendar starts a lunar month when the new crescent has
/// been seen, so its dates are known for certain only when the Calendar
/// Center publishes them. The computed calendar here is ICU's astronomical
/// Islamic calendar one day later (a month starts the day after ICU's
/// start): against the 26 month starts Iran published for Ramadan 1445 to
/// Shawwal 1447 (March 2024 - March 2026), 21 fall on the same day, 4 a day
/// later than computed and 1 a day earlier (docs/IRAN.md). Every computed
/// date is therefore provisional; a business calendar lets a host confirm
/// or move a month's start as data (BusinessCalendarDef::hijri_months).
///
/// Supported: Hijri years 1300-1600 (Gregorian 1882-2174), the span of
/// ICU's astronomical calendar; the table is built once per process
/// (a few milliseconds) on first use.
constexpr int kFirstYear = 1300;
constexpr int kLastYear = 1600;

/// Days since 1970-01-01 of the computed first day of Hijri `year`/`month`
/// (month 1-12). Fails with invalid_argument naming `field` outside the
/// supported years or for a month outside 1-12.
CRM_API result<std::int64_t> month_start(int year, int month, std::string_view field = "month");

/// The computed Hijri date of a day (days since 1970-01-01). Fails with
/// invalid_argument (field "date") outside the supported years.
CRM_API result<Date> from_days(std::int64_t days);

/// English names of the months, 1-12 ("Muharram" .. "Dhu al-Hijjah");
/// "" outside 1-12.
CRM_API const char* month_name(int month) noexcept;

}  // namespace crm::hijri
