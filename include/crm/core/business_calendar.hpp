// crm/core/business_calendar.hpp - business calendars as data (working hours,
// weekly days off, holidays, zone) and deadlines counted in business time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/calendar.hpp"
#include "crm/core/error.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// One working interval of a day, [start_minute, end_minute) in minutes
/// since local midnight: 0 <= start < end <= 1440 (1440 is "24:00").
struct WorkingHours {
    int start_minute = 0;
    int end_minute = 0;
    friend bool operator==(const WorkingHours&, const WorkingHours&) = default;
};

/// A day off. With every_year, the month and day recur each year in
/// `calendar` (Nowruz: 1/1 Jalali) and the year of `date` is not used
/// (it must still make `date` exist: 12-30 needs a leap year). Without it,
/// `date` is one dated day.
///
/// With `hijri`, `date` is a month and day of the lunar Hijri calendar
/// (Ashura: 1/10), `calendar` is not used and the holiday recurs every
/// lunar year (every_year must be true); day 30 means the month's last
/// day, the 29th or the 30th (the last day of Safar). Its day in a solar
/// year is computed (crm/core/hijri.hpp) and provisional, unless the
/// calendar's hijri_months confirm the month it falls in.
struct Holiday {
    CalendarSystem calendar = CalendarSystem::jalali;
    Date date;
    bool every_year = false;
    std::string name;  ///< shown in traces: "holiday: Nowruz"
    bool hijri = false;
    friend bool operator==(const Holiday&, const Holiday&) = default;
};

/// The start of a lunar month as Iran's Calendar Center announced it,
/// confirming (or moving by up to three days) the computed start:
/// Muharram 1446 started on 1403-04-17 (2024-07-07). `starts` is a date in
/// `calendar`. The months between two confirmed ones must fit (29 or 30
/// days each); an unconfirmed month next to a confirmed one is moved as
/// little as keeps it 29 or 30 days long.
struct HijriMonthStart {
    int year = 0;   ///< Hijri year, 1300-1600
    int month = 0;  ///< 1 (Muharram) .. 12 (Dhu al-Hijjah)
    CalendarSystem calendar = CalendarSystem::jalali;
    Date starts;
    friend bool operator==(const HijriMonthStart&, const HijriMonthStart&) = default;
};

/// A business calendar as data. Its JSON form (parse_business_calendar,
/// to_json):
///
///     {"id": "tehran-office", "name": "Tehran office",
///      "time_zone": "Asia/Tehran",
///      "week": {"saturday": ["08:00-16:00"], "sunday": ["08:00-16:00"],
///               "monday": ["08:00-16:00"], "tuesday": ["08:00-16:00"],
///               "wednesday": ["08:00-12:00", "13:00-17:00"],
///               "thursday": ["08:00-12:00"], "friday": []},
///      "holidays": [
///        {"date": "1404-01-01", "calendar": "jalali", "every_year": true, "name": "Nowruz"},
///        {"date": "2025-06-06", "calendar": "gregorian", "name": "Company day"},
///        {"date": "1446-01-10", "calendar": "hijri", "every_year": true, "name": "Ashura"}],
///      "hijri_months": [{"month": "1446-01", "starts": "1403-04-17"}]}
///
/// "id" is required; "name" defaults to "", "time_zone" to "Asia/Tehran",
/// a missing day of "week" is a day off, "calendar" defaults to "jalali",
/// "every_year" to false. Times are "HH:MM-HH:MM" (ASCII or Persian
/// digits), "24:00" only as an end. A "hijri" holiday's date is
/// "YYYY-MM-DD" with any year (it is not used), month 1-12, day 1-30.
/// "hijri_months" items: "month" "YYYY-MM" (Hijri), "starts" a date in
/// "calendar" (default "jalali").
struct BusinessCalendarDef {
    std::string id;
    std::string name;
    std::string time_zone = "Asia/Tehran";
    /// Index 0 = Sunday .. 6 = Saturday (as weekday()); empty = day off.
    std::array<std::vector<WorkingHours>, 7> week;
    std::vector<Holiday> holidays;
    std::vector<HijriMonthStart> hijri_months;  ///< confirmed lunar month starts
    friend bool operator==(const BusinessCalendarDef&, const BusinessCalendarDef&) = default;
};

/// Reads the JSON form strictly and validates it as BusinessCalendar::make
/// does. Malformed JSON fails with parse; everything else with
/// invalid_argument whose field is the JSON path: an unknown key
/// ("week.caturday", "holidays[0].colour"), a wrong type, a bad time
/// ("week.saturday[1]" when it is not "HH:MM-HH:MM", "week.saturday[1].start"
/// or ".end" when out of range or the end is not after the start), two
/// overlapping intervals of a day (the later one in the list:
/// "week.saturday[1]"; touching ones such as 08:00-12:00 and 12:00-16:00
/// are fine), an unknown zone ("time_zone"), a date that does not exist or
/// a bad calendar ("holidays[3].date", "holidays[3].calendar"), a missing or
/// empty "id", a calendar without working time ("week").
CRM_API result<BusinessCalendarDef> parse_business_calendar(std::string_view json);

/// The JSON form above (days Saturday first, times "HH:MM-HH:MM", dates
/// "YYYY-MM-DD"); parse_business_calendar(to_json(d)) == d for a valid d.
CRM_API std::string to_json(const BusinessCalendarDef& def);

/// Why a deadline is what it is: consecutive spans of time, each saying
/// what it was. Adjacent spans of the same kind are merged. `what` is
/// "counted" (working time that counted; in add_days, a working day that
/// counted), "off hours" (outside the working intervals of a working day),
/// "weekly day off", "holiday: <name>" ("holiday" when it has no name;
/// "holiday: Ashura (provisional)" for a lunar holiday on a computed day),
/// "start day" (add_days: the rest of the day it started on). "paused" is
/// reserved for callers that stop a clock (an SLA on hold) and splice their
/// own steps in; the calendar never writes it.
struct BusinessTrace {
    struct Step {
        Timestamp from, to;
        std::string what;
    };
    std::vector<Step> steps;
};

/// One holiday on one day, as BusinessCalendar::holidays lists them.
struct HolidayOn {
    Date date;         ///< Gregorian
    std::string name;  ///< the holiday's name ("" when it has none)
    bool hijri = false;
    bool provisional = false;  ///< a lunar holiday on a computed, unconfirmed day
    friend bool operator==(const HolidayOn&, const HolidayOn&) = default;
};

/// A validated business calendar. Immutable, cheap to copy (shared state),
/// thread-safe. Working time is the union of each working day's intervals,
/// read in the calendar's zone: with DST, an interval is as long as the
/// real time between its wall-clock ends (a skipped start moves forward,
/// an ambiguous end takes the earlier instant). A holiday wins over the
/// weekly pattern. Computations walk day by day (never minute by minute):
/// a year of business time costs a few hundred day steps.
class CRM_API BusinessCalendar {
public:
    /// Validates `def`: non-empty id (at most 128 bytes), a known zone,
    /// intervals within 00:00-24:00, end after start, no overlaps within a
    /// day, existing holiday dates, and some working time in the week.
    /// Fails with invalid_argument, the field paths as parse_business_calendar's.
    static result<BusinessCalendar> make(BusinessCalendarDef def);

    /// Iran's public sector: Saturday-Wednesday 08:00-16:00, Thursday
    /// 08:00-12:00, Friday off, Asia/Tehran, and the fixed Jalali holidays
    /// every year: 1-4 Farvardin (Nowruz), 12 Farvardin (Islamic Republic
    /// Day), 13 Farvardin (Sizdah Bedar), 14 Khordad (death of Khomeini),
    /// 15 Khordad (uprising of 15 Khordad), 22 Bahman (Revolution Day),
    /// 29 Esfand (oil nationalisation); and the lunar holidays of Iran's
    /// official calendar: Tasua and Ashura (1/9, 1/10), Arbaeen (2/20), the
    /// Prophet's passing and Imam Hasan's martyrdom (2/28), Imam Reza's
    /// martyrdom (the last day of Safar), Imam Hasan Askari's martyrdom
    /// (3/8), the Prophet's birthday (3/17), Fatemiyeh (6/3), Imam Ali's
    /// birthday (7/13), Mab'ath (7/27), the 15th of Sha'ban (8/15), Imam
    /// Ali's martyrdom (9/21), Eid al-Fitr and its second day (10/1, 10/2),
    /// Imam Sadegh's martyrdom (10/25), Eid al-Adha (12/10) and Eid
    /// al-Ghadir (12/18), on computed, provisional days: a host confirms a
    /// year by storing a calendar with its hijri_months.
    static BusinessCalendar iran_default();

    const BusinessCalendarDef& def() const noexcept;
    const TimeZone& zone() const noexcept;

    /// True when `t` is inside a working interval of a working day.
    bool is_working(Timestamp t) const;
    /// `t` itself if working, else the start of the next working interval
    /// (Timestamp{INT64_MAX} if none within ten years, e.g. holidays on
    /// every day).
    Timestamp next_working(Timestamp t) const;

    /// The instant at which `business_ms` of working time has elapsed
    /// counting from `start` (a start outside working hours counts from the
    /// next working moment, so add(t, 0) == next_working(t)). A result
    /// exactly at the end of a working interval is that end, not the next
    /// morning. `trace`, when given, is cleared and filled from `start` to
    /// the result. Fails with invalid_argument naming "business_ms" when it
    /// is negative or the result would fall after year 9999 or beyond ten
    /// years without working time.
    result<Timestamp> add(Timestamp start, std::int64_t business_ms,
                          BusinessTrace* trace = nullptr) const;

    /// N business days: the same wall-clock time on the N-th working day
    /// after the local day of `start` (whether or not `start` is itself
    /// working time), clamped into that day's working hours: before the
    /// first interval -> its start; after an interval's end and before the
    /// next one (or after the last) -> that end. N = 0 -> next_working(start).
    /// A working day is a day with intervals that is not a holiday. Fails
    /// with invalid_argument naming "business_days" when N is negative or no
    /// working day comes within ten years.
    result<Timestamp> add_days(Timestamp start, int business_days,
                               BusinessTrace* trace = nullptr) const;

    /// The holidays on the days `from` .. `to` (Gregorian, inclusive), in
    /// day order, every holiday of a day (Sizdah Bedar and a lunar holiday
    /// can share one). Fails with invalid_argument naming "from" or "to"
    /// for a day that does not exist, "to" when it is before `from` or more
    /// than 3660 days after it.
    result<std::vector<HolidayOn>> holidays(Date from, Date to) const;

    /// Working milliseconds in [a, b) (0 if b <= a); the inverse of add:
    /// between(s, add(s, n)) == n. `trace`, when given, covers [a, b).
    std::int64_t between(Timestamp a, Timestamp b, BusinessTrace* trace = nullptr) const;

private:
    struct State;  // the validated def, its zone and holiday lookups; business_calendar.cpp
    static result<void> place_lunar_holidays(State& s);
    explicit BusinessCalendar(std::shared_ptr<const State> state) noexcept
        : state_(std::move(state)) {}
    std::shared_ptr<const State> state_;
};

}  // namespace crm
