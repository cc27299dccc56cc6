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
/// `date` is one dated day: lunar (Hijri) holidays move against both
/// calendars, so hosts load them year by year.
struct Holiday {
    CalendarSystem calendar = CalendarSystem::jalali;
    Date date;
    bool every_year = false;
    std::string name;  ///< shown in traces: "holiday: Nowruz"
    friend bool operator==(const Holiday&, const Holiday&) = default;
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
///        {"date": "2025-06-06", "calendar": "gregorian", "name": "Eid al-Adha 1446"}]}
///
/// "id" is required; "name" defaults to "", "time_zone" to "Asia/Tehran",
/// a missing day of "week" is a day off, "calendar" defaults to "jalali",
/// "every_year" to false. Times are "HH:MM-HH:MM" (ASCII or Persian
/// digits), "24:00" only as an end.
struct BusinessCalendarDef {
    std::string id;
    std::string name;
    std::string time_zone = "Asia/Tehran";
    /// Index 0 = Sunday .. 6 = Saturday (as weekday()); empty = day off.
    std::array<std::vector<WorkingHours>, 7> week;
    std::vector<Holiday> holidays;
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
/// "weekly day off", "holiday: <name>" ("holiday" when it has no name),
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
    /// 29 Esfand (oil nationalisation). The lunar (Hijri) holidays - Tasua,
    /// Ashura, Eid al-Fitr, Eid al-Adha and the others - move every year and
    /// are NOT included: the host adds them per year as dated holidays.
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

    /// Working milliseconds in [a, b) (0 if b <= a); the inverse of add:
    /// between(s, add(s, n)) == n. `trace`, when given, covers [a, b).
    std::int64_t between(Timestamp a, Timestamp b, BusinessTrace* trace = nullptr) const;

private:
    struct State;  // the validated def, its zone and holiday lookups; business_calendar.cpp
    explicit BusinessCalendar(std::shared_ptr<const State> state) noexcept
        : state_(std::move(state)) {}
    std::shared_ptr<const State> state_;
};

}  // namespace crm
