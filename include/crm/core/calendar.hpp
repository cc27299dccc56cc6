// crm/core/calendar.hpp - dates in the Gregorian and Jalali (Solar Hijri)
// calendars, IANA time zones, wall time <-> instants, and period starts.
#pragma once

#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "crm/core/error.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// The calendars dates are written in. Jalali is Iran's official Solar
/// Hijri calendar (months 1-6 have 31 days, 7-11 have 30, Esfand 29 or 30).
enum class CalendarSystem { gregorian, jalali };

/// "gregorian", "jalali".
CRM_API const char* to_string(CalendarSystem c) noexcept;
/// "gregorian", "jalali", or the synonyms "persian" and "shamsi" (exact,
/// lower case). Fails with invalid_argument naming `field`.
CRM_API result<CalendarSystem> parse_calendar_system(std::string_view s,
                                                     std::string_view field = "calendar");

/// A calendar date; which calendar it is in is said by the call it is
/// passed to. Compares as (year, month, day).
struct Date {
    int year = 1970;
    int month = 1;
    int day = 1;
    friend constexpr auto operator<=>(const Date&, const Date&) = default;
};

// ---- dates -----------------------------------------------------------------
// Supported years: Gregorian 1..9999; Jalali 1..3177 (Gregorian 622..3798),
// the span of the Borkowski algorithm, which agrees with ICU's Persian
// calendar on every day of 1900-2100 (the test sweeps them).

/// True when Esfand of `jalali_year` has 30 days (1403 is leap: 2025-03-20
/// is 1403-12-30). False outside 1..3177.
CRM_API bool is_jalali_leap_year(int jalali_year) noexcept;

/// Days in a month of the calendar (Esfand: 30 in leap years, else 29;
/// February: 29 in Gregorian leap years); 0 when year or month is out of range.
CRM_API int days_in_month(int year, int month, CalendarSystem cal) noexcept;

/// True when `d` names a day that exists in the calendar (within the
/// supported years).
CRM_API bool is_valid_date(Date d, CalendarSystem cal) noexcept;

/// Jalali date of a Gregorian date. Fails with invalid_argument (field
/// "date") when the date does not exist or is outside the supported years.
CRM_API result<Date> jalali_from_gregorian(Date gregorian);
/// Gregorian date of a Jalali date; checks month 1-12 and the day range
/// (Esfand has a 30th day only in leap years). Fails with invalid_argument
/// (field "date").
CRM_API result<Date> gregorian_from_jalali(Date jalali);

/// Days since 1970-01-01 (a Thursday) of a date, and back; the common
/// ground of both calendars. Fail with invalid_argument (field "date")
/// outside the supported years or for a date that does not exist.
CRM_API result<std::int64_t> days_since_epoch(Date d, CalendarSystem cal);
CRM_API result<Date> date_from_days(std::int64_t days, CalendarSystem cal);

/// Reads "1403-12-30" or "1403/12/30" (one separator kind; month and day
/// may have one digit, "1403/1/5"); Persian and Arabic-Indic digits are
/// read as digits; surrounding spaces are ignored. Checks that the date
/// exists in `cal`. Fails with parse naming `field`.
CRM_API result<Date> parse_date(std::string_view text, CalendarSystem cal,
                                std::string_view field = "date");

/// "1403-12-30" (zero-padded, ASCII digits).
CRM_API std::string format_date(Date d);

/// Day of the week of a Gregorian date: 0 = Sunday .. 6 = Saturday.
CRM_API int weekday(Date gregorian) noexcept;

// ---- time zones ------------------------------------------------------------

/// A wall-clock reading in some zone and calendar.
struct LocalTime {
    Date date;
    int hour = 0, minute = 0, second = 0, millisecond = 0;
    int weekday = 0;  ///< 0 = Sunday .. 6 = Saturday; filled by to_local, ignored by from_local
    friend bool operator==(const LocalTime&, const LocalTime&) = default;
};

/// An IANA time zone (ICU's time-zone database, tzdata 2022e or newer in
/// Debian 12: Iran kept DST until 2022, +04:30 in summer, and has none from
/// 2023). Copies are cheap (shared immutable state); every method is
/// thread-safe. Offsets are read from a table of transitions built once
/// per zone (years 1800-2299; outside it ICU is asked, under a lock), so a
/// conversion costs a binary search.
class CRM_API TimeZone {
public:
    /// "Asia/Tehran", "UTC", "Europe/Berlin", or another IANA name or alias
    /// ("Iran"); names are case-sensitive. Fails with invalid_argument
    /// naming `field` for a name the database does not know. Zones are
    /// built once per process and shared.
    static result<TimeZone> find(std::string_view iana_name,
                                 std::string_view field = "time_zone");
    static TimeZone utc();

    /// The name it was found by.
    const std::string& name() const noexcept;
    /// UTC offset in force at `t`, in milliseconds (Tehran in 2024: 12'600'000).
    std::int64_t offset_ms(Timestamp t) const;

    /// The wall-clock reading at `t`. With the Jalali calendar, instants
    /// outside its supported years give the date {0, 0, 0}.
    LocalTime to_local(Timestamp t, CalendarSystem cal = CalendarSystem::gregorian) const;
    /// Wall time -> instant. A wall time skipped by a DST jump is moved
    /// forward by the gap (02:30 on a spring-forward night in Berlin is
    /// 03:30 CEST); an ambiguous one (clocks going back) takes the earlier
    /// instant. Invalid fields (hour 0-23, minute and second 0-59,
    /// millisecond 0-999, a date that does not exist) fail with
    /// invalid_argument naming "hour", "minute", "second", "millisecond" or
    /// "date".
    result<Timestamp> from_local(const LocalTime& wall,
                                 CalendarSystem cal = CalendarSystem::gregorian) const;

    /// The same two conversions on "local milliseconds": wall time counted
    /// as if it were UTC (milliseconds since 1970-01-01T00:00 local), so a
    /// local day is [d * kMsPerDay, (d + 1) * kMsPerDay). from_local_ms
    /// applies the gap and overlap rule of from_local. For day-by-day loops.
    std::int64_t to_local_ms(Timestamp t) const noexcept;
    Timestamp from_local_ms(std::int64_t local_ms) const noexcept;

private:
    struct Data;  // the transition table and ICU's zone; calendar.cpp
    explicit TimeZone(std::shared_ptr<const Data> data) noexcept : data_(std::move(data)) {}
    std::shared_ptr<const Data> data_;
};

// ---- periods ---------------------------------------------------------------

enum class Period { day, week, month, quarter, year };

/// "day", "week", "month", "quarter", "year".
CRM_API const char* to_string(Period p) noexcept;
/// The names above, exact. Fails with invalid_argument naming `field`.
CRM_API result<Period> parse_period(std::string_view s, std::string_view field = "period");

/// Start (an instant) of the period containing `t`, in `zone`'s wall time
/// and `cal`'s months and years, moved by `offset` whole periods (-1 the
/// previous one, +1 the next). Weeks start on Saturday in the Jalali
/// calendar and on Monday in the Gregorian. Jalali quarters are the seasons
/// (months 1-3, 4-6, 7-9, 10-12). A period starts at local midnight, or at
/// the first instant after it when a DST jump skips midnight. With the
/// Jalali calendar, an instant outside its supported years is returned
/// unchanged.
CRM_API Timestamp start_of(Period p, Timestamp t, const TimeZone& zone, CalendarSystem cal,
                           int offset = 0);

}  // namespace crm
