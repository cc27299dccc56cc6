// tests/unit/business_calendar_test.cpp - business calendars: the JSON form
// and its errors, business-time additions, between(), add_days and traces.
#include "crm/core/business_calendar.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <random>
#include <string>

using crm::BusinessCalendar;
using crm::BusinessCalendarDef;
using crm::BusinessTrace;
using crm::CalendarSystem;
using crm::Date;
using crm::Holiday;
using crm::Timestamp;
using crm::WorkingHours;

namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 3'600'000;

Timestamp at(const char* iso) {
    auto r = crm::parse_iso8601(iso);
    EXPECT_TRUE(r) << iso;
    return r ? r.value() : Timestamp{};
}

// Tehran wall time (no DST since 2023): "2025-06-07 10:00".
Timestamp tehran(const char* wall) { return at((std::string(wall) + ":00+03:30").c_str()); }
std::string iso(Timestamp t) { return crm::to_iso8601(t); }
std::string tehran_iso(Timestamp t) { return iso(Timestamp{t.ms + 210 * kMinute}).substr(0, 16); }

BusinessCalendar make(BusinessCalendarDef def) {
    auto r = BusinessCalendar::make(std::move(def));
    EXPECT_TRUE(r) << (r ? "" : r.error().what());
    return r ? r.value() : BusinessCalendar::iran_default();
}

// Iran's default with its fixed (Jalali) holidays only: the examples below
// were written for June 2025 and a fixed set of days off.
BusinessCalendar iran_fixed() {
    BusinessCalendarDef def = BusinessCalendar::iran_default().def();
    std::erase_if(def.holidays, [](const Holiday& h) { return h.hijri; });
    return make(std::move(def));
}

BusinessCalendar from_json(const std::string& text) {
    auto def = crm::parse_business_calendar(text);
    EXPECT_TRUE(def) << (def ? "" : def.error().what());
    return make(def ? def.value() : BusinessCalendarDef{});
}

Timestamp add(const BusinessCalendar& cal, Timestamp start, std::int64_t ms,
              BusinessTrace* trace = nullptr) {
    auto r = cal.add(start, ms, trace);
    EXPECT_TRUE(r) << (r ? "" : r.error().what());
    return r ? r.value() : Timestamp{};
}

Timestamp add_days(const BusinessCalendar& cal, Timestamp start, int days,
                   BusinessTrace* trace = nullptr) {
    auto r = cal.add_days(start, days, trace);
    EXPECT_TRUE(r) << (r ? "" : r.error().what());
    return r ? r.value() : Timestamp{};
}

crm::error parse_error(const std::string& text) {
    auto r = crm::parse_business_calendar(text);
    EXPECT_FALSE(r) << text;
    return r ? crm::error{} : r.error();
}

// The trace is a gap-free chain from `from` to `to`, and its counted steps
// add up to `counted`.
void expect_chain(const BusinessTrace& trace, Timestamp from, Timestamp to, std::int64_t counted) {
    if (from == to) return;
    ASSERT_FALSE(trace.steps.empty());
    EXPECT_EQ(trace.steps.front().from, from);
    EXPECT_EQ(trace.steps.back().to, to);
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < trace.steps.size(); ++i) {
        const auto& s = trace.steps[i];
        EXPECT_LT(s.from, s.to);
        if (i > 0) {
            EXPECT_EQ(trace.steps[i - 1].to, s.from);
            EXPECT_NE(trace.steps[i - 1].what, s.what);  // merged when equal
        }
        if (s.what == "counted") sum += s.to.ms - s.from.ms;
    }
    EXPECT_EQ(sum, counted);
}

const char* kTehranOffice = R"({
  "id": "tehran-office", "name": "دفتر تهران", "time_zone": "Asia/Tehran",
  "week": {"saturday": ["08:00-12:00", "13:00-17:00"], "sunday": ["08:00-12:00", "13:00-17:00"],
           "monday": ["08:00-12:00", "13:00-17:00"], "tuesday": ["08:00-12:00", "13:00-17:00"],
           "wednesday": ["08:00-12:00", "13:00-17:00"], "thursday": ["08:00-12:00"], "friday": []},
  "holidays": [
    {"date": "1404-01-01", "calendar": "jalali", "every_year": true, "name": "Nowruz"},
    {"date": "2025-06-06", "calendar": "gregorian", "name": "Eid al-Adha"},
    {"date": "1404-04-15", "name": "Ashura"}]})";

}  // namespace

// ---- the built-in calendar --------------------------------------------------

TEST(BusinessCalendarIran, DefaultWeekAndHolidays) {
    const BusinessCalendar iran = BusinessCalendar::iran_default();
    const BusinessCalendarDef& def = iran.def();
    EXPECT_EQ(def.time_zone, "Asia/Tehran");
    EXPECT_EQ(iran.zone().name(), "Asia/Tehran");
    EXPECT_TRUE(def.week[5].empty());  // Friday
    EXPECT_EQ(def.week[4], (std::vector<WorkingHours>{{480, 720}}));  // Thursday 08:00-12:00
    for (int wd : {6, 0, 1, 2, 3}) EXPECT_EQ(def.week[wd], (std::vector<WorkingHours>{{480, 960}}));
    EXPECT_EQ(def.holidays.size(), 27u);  // 10 fixed, 17 lunar
    for (const Holiday& h : def.holidays) {
        EXPECT_TRUE(h.every_year);
        EXPECT_EQ(h.calendar, CalendarSystem::jalali);
    }
    EXPECT_EQ(std::count_if(def.holidays.begin(), def.holidays.end(), [](const Holiday& h) { return h.hijri; }), 17);
    // Saturday 2025-06-07 10:00 is the computed Eid al-Adha (Iran kept it on
    // Friday 06-06); Friday and 14 Khordad (Wednesday 2025-06-04) are off.
    EXPECT_FALSE(iran.is_working(tehran("2025-06-07T10:00")));
    EXPECT_FALSE(iran.is_working(tehran("2025-06-06T10:00")));
    EXPECT_FALSE(iran.is_working(tehran("2025-06-04T10:00")));
    EXPECT_TRUE(iran.is_working(tehran("2025-06-03T10:00")));
    // 29 Esfand 1403 (2025-03-19) and Sizdah Bedar 1404 (2025-04-02) are off.
    EXPECT_FALSE(iran.is_working(tehran("2025-03-19T10:00")));
    EXPECT_TRUE(iran.is_working(tehran("2025-03-18T10:00")));
    EXPECT_FALSE(iran.is_working(tehran("2025-04-02T10:00")));
    // Thursday afternoon is off.
    EXPECT_TRUE(iran.is_working(tehran("2025-06-12T11:59")));
    EXPECT_FALSE(iran.is_working(tehran("2025-06-12T12:00")));
}

// ---- add ---------------------------------------------------------------------

TEST(BusinessAdd, StartOutsideWorkingHours) {
    const BusinessCalendar iran = iran_fixed();
    const Timestamp early = tehran("2025-06-07T06:00");  // Saturday before opening
    EXPECT_FALSE(iran.is_working(early));
    EXPECT_EQ(tehran_iso(iran.next_working(early)), "2025-06-07T08:00");
    EXPECT_EQ(tehran_iso(add(iran, early, kHour)), "2025-06-07T09:00");
    EXPECT_EQ(tehran_iso(add(iran, early, 0)), "2025-06-07T08:00");
    // After closing it counts from the next morning.
    EXPECT_EQ(tehran_iso(add(iran, tehran("2025-06-07T17:00"), kHour)), "2025-06-08T09:00");
    // Inside working hours, add(t, 0) is t.
    const Timestamp inside = tehran("2025-06-07T10:17");
    EXPECT_EQ(add(iran, inside, 0), inside);
    EXPECT_EQ(iran.next_working(inside), inside);
    BusinessTrace trace;
    add(iran, early, kHour, &trace);
    ASSERT_EQ(trace.steps.size(), 2u);
    EXPECT_EQ(trace.steps[0].what, "off hours");
    EXPECT_EQ(trace.steps[1].what, "counted");
}

// Tuesday 2025-06-03 14:00 + 4 h: 2 h on Tuesday; Wednesday and Thursday are
// 14 and 15 Khordad, Friday is the weekly day off; 2 h on Saturday.
TEST(BusinessAdd, SpansHolidaysAndTheWeekend) {
    const BusinessCalendar iran = iran_fixed();
    const Timestamp start = tehran("2025-06-03T14:00");
    BusinessTrace trace;
    const Timestamp due = add(iran, start, 4 * kHour, &trace);
    EXPECT_EQ(tehran_iso(due), "2025-06-07T10:00");
    expect_chain(trace, start, due, 4 * kHour);
    std::vector<std::string> whats;
    for (const auto& s : trace.steps) whats.push_back(s.what);
    EXPECT_EQ(whats, (std::vector<std::string>{"counted", "off hours", "holiday: Death of Khomeini",
                                               "holiday: Uprising of 15 Khordad", "weekly day off",
                                               "off hours", "counted"}));
    EXPECT_EQ(tehran_iso(trace.steps[2].from), "2025-06-04T00:00");
    EXPECT_EQ(tehran_iso(trace.steps[2].to), "2025-06-05T00:00");
    EXPECT_EQ(tehran_iso(trace.steps[4].from), "2025-06-06T00:00");
}

// Nowruz: Friday 1404-01-01 is both a holiday and the weekly day off; the
// trace names the holiday, four days of it in one step.
TEST(BusinessAdd, TraceNamesNowruz) {
    const BusinessCalendar iran = iran_fixed();
    const Timestamp start = tehran("2025-03-20T11:00");  // Thursday 1403-12-30
    BusinessTrace trace;
    const Timestamp due = add(iran, start, 2 * kHour, &trace);
    EXPECT_EQ(tehran_iso(due), "2025-03-25T09:00");  // Tuesday 1404-01-05
    expect_chain(trace, start, due, 2 * kHour);
    ASSERT_EQ(trace.steps.size(), 5u);
    EXPECT_EQ(trace.steps[2].what, "holiday: Nowruz");
    EXPECT_EQ(tehran_iso(trace.steps[2].from), "2025-03-21T00:00");
    EXPECT_EQ(tehran_iso(trace.steps[2].to), "2025-03-25T00:00");
    // Without the holidays the same addition ends on Saturday.
    BusinessCalendarDef plain = iran.def();
    plain.holidays.clear();
    EXPECT_EQ(tehran_iso(add(make(plain), start, 2 * kHour)), "2025-03-22T09:00");
}

TEST(BusinessAdd, ExactlyAtTheEndOfAnInterval) {
    const BusinessCalendar iran = iran_fixed();
    EXPECT_EQ(tehran_iso(add(iran, tehran("2025-06-07T08:00"), 8 * kHour)), "2025-06-07T16:00");
    EXPECT_EQ(tehran_iso(add(iran, tehran("2025-06-12T08:00"), 4 * kHour)), "2025-06-12T12:00");
    // One millisecond more runs into Saturday (Friday is off).
    EXPECT_EQ(iso(add(iran, tehran("2025-06-12T08:00"), 4 * kHour + 1)),
              iso(Timestamp{tehran("2025-06-14T08:00").ms + 1}));
    // Starting at an end counts from the next interval.
    EXPECT_EQ(tehran_iso(add(iran, tehran("2025-06-07T16:00"), kHour)), "2025-06-08T09:00");
    EXPECT_FALSE(iran.is_working(tehran("2025-06-07T16:00")));
}

TEST(BusinessAdd, SeveralIntervalsPerDay) {
    const BusinessCalendar office = from_json(kTehranOffice);
    // Saturday 2025-06-07: 08:00-12:00 and 13:00-17:00.
    BusinessTrace trace;
    const Timestamp start = tehran("2025-06-07T11:00");
    const Timestamp due = add(office, start, 2 * kHour, &trace);
    EXPECT_EQ(tehran_iso(due), "2025-06-07T14:00");
    expect_chain(trace, start, due, 2 * kHour);
    ASSERT_EQ(trace.steps.size(), 3u);
    EXPECT_EQ(trace.steps[1].what, "off hours");
    EXPECT_EQ(tehran_iso(trace.steps[1].from), "2025-06-07T12:00");
    EXPECT_EQ(tehran_iso(trace.steps[1].to), "2025-06-07T13:00");
    // Lunch is not working time.
    EXPECT_FALSE(office.is_working(tehran("2025-06-07T12:30")));
    EXPECT_EQ(tehran_iso(office.next_working(tehran("2025-06-07T12:30"))), "2025-06-07T13:00");
    EXPECT_EQ(office.between(tehran("2025-06-07T00:00"), tehran("2025-06-08T00:00")), 8 * kHour);
    // Ending exactly at the end of the morning gives 12:00, not 13:00.
    EXPECT_EQ(tehran_iso(add(office, tehran("2025-06-07T08:00"), 4 * kHour)), "2025-06-07T12:00");
}

TEST(BusinessAdd, HolidaysOfEveryKind) {
    const BusinessCalendar office = from_json(kTehranOffice);
    // Dated Gregorian: Eid al-Adha 2025-06-06 falls on a Friday anyway; its
    // name wins in the trace.
    BusinessTrace trace;
    add(office, tehran("2025-06-05T11:00"), 2 * kHour, &trace);
    bool named = false;
    for (const auto& s : trace.steps) named = named || s.what == "holiday: Eid al-Adha";
    EXPECT_TRUE(named);
    // Dated Jalali: Ashura 1404-04-15 = Sunday 2025-07-06.
    EXPECT_FALSE(office.is_working(tehran("2025-07-06T09:00")));
    EXPECT_TRUE(office.is_working(tehran("2025-07-05T09:00")));
    // Dated, so only in 1404: 1405-04-15 (Monday 2026-07-06) works.
    EXPECT_TRUE(office.is_working(tehran("2026-07-06T09:00")));
    // Every year: Nowruz 1405 = Saturday 2026-03-21.
    EXPECT_FALSE(office.is_working(tehran("2026-03-21T09:00")));
    EXPECT_TRUE(office.is_working(tehran("2026-03-22T09:00")));
    // Every-year Gregorian holidays recur by Gregorian month and day.
    BusinessCalendarDef def = office.def();
    def.holidays = {{CalendarSystem::gregorian, Date{2000, 1, 1}, true, "New Year"}};
    const BusinessCalendar with_new_year = make(def);
    EXPECT_FALSE(with_new_year.is_working(tehran("2028-01-01T09:00")));  // a Saturday
    EXPECT_TRUE(with_new_year.is_working(tehran("2028-01-02T09:00")));
    // An unnamed holiday is "holiday".
    def.holidays = {{CalendarSystem::gregorian, Date{2025, 6, 7}, false, ""}};
    BusinessTrace unnamed;
    add(make(def), tehran("2025-06-07T09:00"), kHour, &unnamed);
    ASSERT_FALSE(unnamed.steps.empty());
    EXPECT_EQ(unnamed.steps.front().what, "holiday");
}

TEST(BusinessAdd, RejectsBadInput) {
    const BusinessCalendar iran = iran_fixed();
    auto negative = iran.add(tehran("2025-06-07T10:00"), -1);
    ASSERT_FALSE(negative);
    EXPECT_EQ(negative.error().code, crm::errc::invalid_argument);
    EXPECT_EQ(negative.error().field, "business_ms");
    auto huge = iran.add(tehran("2025-06-07T10:00"), std::numeric_limits<std::int64_t>::max());
    ASSERT_FALSE(huge);
    EXPECT_EQ(huge.error().field, "business_ms");
    // A calendar whose only working day is always a holiday never finishes.
    BusinessCalendarDef def;
    def.id = "never";
    def.week[6] = {{480, 960}};  // Saturdays only ...
    for (int m = 1; m <= 12; ++m)
        for (int d = 1; d <= 31; ++d)
            if (crm::is_valid_date({2024, m, d}, CalendarSystem::gregorian))
                def.holidays.push_back({CalendarSystem::gregorian, {2024, m, d}, true, "always"});
    const BusinessCalendar never = make(def);
    auto r = never.add(tehran("2025-06-07T10:00"), kHour);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "business_ms");
    EXPECT_EQ(never.next_working(tehran("2025-06-07T10:00")).ms,
              std::numeric_limits<std::int64_t>::max());
}

TEST(BusinessAdd, ExtremeInstants) {
    const BusinessCalendar iran = iran_fixed();
    const Timestamp lo{std::numeric_limits<std::int64_t>::min()};
    const Timestamp hi{std::numeric_limits<std::int64_t>::max()};
    EXPECT_FALSE(iran.is_working(lo));
    EXPECT_FALSE(iran.is_working(hi));
    EXPECT_FALSE(iran.add(hi, 0));
    EXPECT_FALSE(iran.add(lo, kHour));
    EXPECT_FALSE(iran.add_days(hi, 1));
    EXPECT_EQ(iran.between(hi, lo), 0);
    EXPECT_EQ(iran.next_working(hi), hi);  // "none": the end of time
}

// A year of business time lands about a year later and is its own inverse.
TEST(BusinessAdd, YearLongAddition) {
    const BusinessCalendar office = from_json(kTehranOffice);
    const Timestamp start = tehran("2025-01-01T09:00");
    const std::int64_t year = 52 * 44 * kHour;  // a year of 44-hour weeks
    Timestamp due;
    for (int i = 0; i < 200; ++i) due = add(office, Timestamp{start.ms + i * kMinute}, year);
    EXPECT_GT(due.ms - start.ms, 360 * crm::kMsPerDay);
    EXPECT_LT(due.ms - start.ms, 380 * crm::kMsPerDay);
    EXPECT_EQ(office.between(Timestamp{start.ms + 199 * kMinute}, due), year);
}

// ---- between -------------------------------------------------------------------

TEST(BusinessBetween, CountsWorkingTimeOnly) {
    const BusinessCalendar iran = iran_fixed();
    // Saturday 2025-06-07 .. Saturday 2025-06-14: 5 x 8 h + 4 h.
    EXPECT_EQ(iran.between(tehran("2025-06-07T00:00"), tehran("2025-06-14T00:00")), 44 * kHour);
    EXPECT_EQ(iran.between(tehran("2025-06-07T10:00"), tehran("2025-06-07T11:30")), 90 * kMinute);
    EXPECT_EQ(iran.between(tehran("2025-06-07T11:30"), tehran("2025-06-07T10:00")), 0);
    EXPECT_EQ(iran.between(tehran("2025-06-06T00:00"), tehran("2025-06-07T00:00")), 0);  // Friday
    BusinessTrace trace;
    const Timestamp a = tehran("2025-06-05T11:00"), b = tehran("2025-06-07T09:00");
    const std::int64_t n = iran.between(a, b, &trace);
    EXPECT_EQ(n, kHour);  // 15 Khordad is a holiday: only Saturday 08:00-09:00
    expect_chain(trace, a, b, n);
    EXPECT_EQ(trace.steps.front().what, "holiday: Uprising of 15 Khordad");
}

// Property: between() inverts add(), on random starts and durations.
TEST(BusinessBetween, InvertsAddOnRandomInputs) {
    BusinessCalendarDef iran = iran_fixed().def();
    iran.holidays.push_back({CalendarSystem::gregorian, {2025, 6, 6}, false, "Eid al-Adha"});
    iran.holidays.push_back({CalendarSystem::jalali, {1404, 4, 15}, false, "Ashura"});
    const BusinessCalendar calendars[] = {
        make(iran), from_json(kTehranOffice),
        from_json(R"({"id":"berlin","time_zone":"Europe/Berlin","week":{
            "monday":["00:30-02:15","02:45-04:00","09:00-17:00"],"tuesday":["09:00-17:00"],
            "sunday":["01:00-05:00"],"wednesday":["00:00-24:00"]}})")};
    std::mt19937_64 rng(20250320);
    std::uniform_int_distribution<std::int64_t> when(at("2020-01-01T00:00:00Z").ms,
                                                     at("2027-01-01T00:00:00Z").ms);
    std::uniform_int_distribution<std::int64_t> amount(0, 300 * kHour);
    for (const BusinessCalendar& cal : calendars) {
        for (int i = 0; i < 1500; ++i) {
            const Timestamp start{when(rng)};
            // Some durations are whole minutes, so results land on interval ends.
            const std::int64_t ms = i % 3 == 0 ? amount(rng) / kMinute * kMinute : amount(rng);
            BusinessTrace trace;
            const Timestamp due = add(cal, start, ms, &trace);
            ASSERT_EQ(cal.between(start, due), ms) << cal.def().id << " " << iso(start) << " + " << ms;
            ASSERT_GE(due, start);
            expect_chain(trace, start, due, ms);
            if (ms > 0) {
                ASSERT_TRUE(cal.is_working(Timestamp{due.ms - 1})) << cal.def().id << " " << iso(due);
            }
            // And the other way: add(a, between(a, b)) is b or the end of the
            // last working stretch before b.
            const Timestamp b{start.ms + amount(rng)};
            BusinessTrace span;
            const std::int64_t n = cal.between(start, b, &span);
            expect_chain(span, start, b, n);
            if (n > 0) {
                const Timestamp back = add(cal, start, n);
                ASSERT_LE(back, b) << cal.def().id << " " << iso(start) << " .. " << iso(b);
                ASSERT_EQ(cal.between(back, b), 0) << cal.def().id << " " << iso(start);
            } else {
                ASSERT_GE(cal.next_working(start).ms, b.ms) << cal.def().id << " " << iso(start);
            }
        }
    }
}

// ---- add_days --------------------------------------------------------------------

TEST(BusinessAddDays, SameWallTimeOnTheNthWorkingDay) {
    const BusinessCalendar iran = iran_fixed();
    const Timestamp wed = tehran("2025-06-11T10:00");  // Wednesday
    EXPECT_EQ(tehran_iso(add_days(iran, wed, 1)), "2025-06-12T10:00");  // Thursday
    EXPECT_EQ(tehran_iso(add_days(iran, wed, 2)), "2025-06-14T10:00");  // Friday skipped
    EXPECT_EQ(tehran_iso(add_days(iran, wed, 8)), "2025-06-21T10:00");
    // Clamped into the day's hours: Thursday closes at 12:00.
    EXPECT_EQ(tehran_iso(add_days(iran, tehran("2025-06-11T14:00"), 1)), "2025-06-12T12:00");
    EXPECT_EQ(tehran_iso(add_days(iran, tehran("2025-06-11T06:00"), 1)), "2025-06-12T08:00");
    EXPECT_EQ(tehran_iso(add_days(iran, tehran("2025-06-11T23:00"), 2)), "2025-06-14T16:00");
    // 0 days: the next working moment.
    EXPECT_EQ(tehran_iso(add_days(iran, tehran("2025-06-11T17:00"), 0)), "2025-06-12T08:00");
    EXPECT_EQ(tehran_iso(add_days(iran, wed, 0)), "2025-06-11T10:00");
    // From a day off, the next working day is the first.
    EXPECT_EQ(tehran_iso(add_days(iran, tehran("2025-06-13T10:00"), 1)), "2025-06-14T10:00");
    auto negative = iran.add_days(wed, -1);
    ASSERT_FALSE(negative);
    EXPECT_EQ(negative.error().field, "business_days");
}

TEST(BusinessAddDays, LunchBreakClampsToTheMorningEnd) {
    const BusinessCalendar office = from_json(kTehranOffice);
    EXPECT_EQ(tehran_iso(add_days(office, tehran("2025-06-07T12:30"), 1)), "2025-06-08T12:00");
    EXPECT_EQ(tehran_iso(add_days(office, tehran("2025-06-07T13:30"), 1)), "2025-06-08T13:30");
    EXPECT_EQ(tehran_iso(add_days(office, tehran("2025-06-07T18:00"), 1)), "2025-06-08T17:00");
}

TEST(BusinessAddDays, TraceNamesTheSkippedHolidays) {
    const BusinessCalendar iran = iran_fixed();
    const Timestamp start = tehran("2025-06-03T10:00");  // Tuesday
    BusinessTrace trace;
    const Timestamp due = add_days(iran, start, 2, &trace);
    EXPECT_EQ(tehran_iso(due), "2025-06-08T10:00");  // Sunday
    std::vector<std::string> whats;
    for (const auto& s : trace.steps) whats.push_back(s.what);
    EXPECT_EQ(whats, (std::vector<std::string>{"start day", "holiday: Death of Khomeini",
                                               "holiday: Uprising of 15 Khordad", "weekly day off",
                                               "counted"}));
    EXPECT_EQ(trace.steps.front().from, start);
    EXPECT_EQ(trace.steps.back().to, due);
}

// ---- a zone with DST ---------------------------------------------------------------

// Berlin, every day 01:00-05:00: the spring night has 3 real hours of it
// (02:00-03:00 does not exist), the autumn night 5 (02:00-03:00 twice).
TEST(BusinessDst, WorkingHoursAcrossTheJumps) {
    const BusinessCalendar night = from_json(R"({"id":"night","time_zone":"Europe/Berlin","week":{
        "sunday":["01:00-05:00"],"monday":["01:00-05:00"],"tuesday":["01:00-05:00"],
        "wednesday":["01:00-05:00"],"thursday":["01:00-05:00"],"friday":["01:00-05:00"],
        "saturday":["01:00-05:00"]}})");
    EXPECT_EQ(night.between(at("2025-03-29T12:00:00Z"), at("2025-03-30T12:00:00Z")), 3 * kHour);
    EXPECT_EQ(night.between(at("2025-10-25T12:00:00Z"), at("2025-10-26T12:00:00Z")), 5 * kHour);
    EXPECT_EQ(night.between(at("2025-06-01T12:00:00Z"), at("2025-06-02T12:00:00Z")), 4 * kHour);
    // 01:00 CET + 2 h = 04:00 CEST.
    const Timestamp start = at("2025-03-30T00:00:00Z");
    EXPECT_EQ(iso(add(night, start, 2 * kHour)), "2025-03-30T02:00:00Z");
    EXPECT_EQ(night.zone().to_local(add(night, start, 2 * kHour)).hour, 4);
    // Around the clock: a 23-hour and a 25-hour day.
    const BusinessCalendar always = from_json(R"({"id":"always","time_zone":"Europe/Berlin","week":{
        "sunday":["00:00-24:00"],"monday":["00:00-24:00"],"tuesday":["00:00-24:00"],
        "wednesday":["00:00-24:00"],"thursday":["00:00-24:00"],"friday":["00:00-24:00"],
        "saturday":["00:00-24:00"]}})");
    EXPECT_EQ(always.between(at("2025-03-29T23:00:00Z"), at("2025-03-30T22:00:00Z")), 23 * kHour);
    EXPECT_EQ(always.between(at("2025-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z")),
              365 * crm::kMsPerDay);
    EXPECT_EQ(iso(add(always, at("2025-10-25T22:00:00Z"), 25 * kHour)), "2025-10-26T23:00:00Z");
    // add_days keeps the wall time across the change: 09:00 CET -> 09:00 CEST.
    const BusinessCalendar office = from_json(R"({"id":"office","time_zone":"Europe/Berlin","week":{
        "monday":["09:00-17:00"],"tuesday":["09:00-17:00"],"wednesday":["09:00-17:00"],
        "thursday":["09:00-17:00"],"friday":["09:00-17:00"]}})");
    EXPECT_EQ(iso(add_days(office, at("2025-03-28T09:00:00Z"), 1)), "2025-03-31T08:00:00Z");
    EXPECT_EQ(iso(add(office, at("2025-03-28T15:00:00Z"), 2 * kHour)), "2025-03-31T08:00:00Z");
}

// Tehran had DST until 2022: the same office hours are an hour earlier in UTC in summer 2021.
TEST(BusinessDst, TehranBefore2023) {
    const BusinessCalendar iran = iran_fixed();
    EXPECT_EQ(iso(iran.next_working(at("2021-07-03T00:00:00Z"))), "2021-07-03T03:30:00Z");
    EXPECT_EQ(iso(iran.next_working(at("2023-07-01T00:00:00Z"))), "2023-07-01T04:30:00Z");
}

// ---- JSON ------------------------------------------------------------------------

TEST(BusinessJson, ParsesTheDocumentedForm) {
    auto def = crm::parse_business_calendar(kTehranOffice);
    ASSERT_TRUE(def) << def.error().what();
    EXPECT_EQ(def.value().id, "tehran-office");
    EXPECT_EQ(def.value().name, "دفتر تهران");
    EXPECT_EQ(def.value().week[6], (std::vector<WorkingHours>{{480, 720}, {780, 1020}}));
    EXPECT_TRUE(def.value().week[5].empty());
    ASSERT_EQ(def.value().holidays.size(), 3u);
    EXPECT_EQ(def.value().holidays[0],
              (Holiday{CalendarSystem::jalali, Date{1404, 1, 1}, true, "Nowruz"}));
    EXPECT_EQ(def.value().holidays[1],
              (Holiday{CalendarSystem::gregorian, Date{2025, 6, 6}, false, "Eid al-Adha"}));
    EXPECT_EQ(def.value().holidays[2].calendar, CalendarSystem::jalali);  // the default
    // Defaults: zone Asia/Tehran, missing days off; Persian digits in times.
    auto small = crm::parse_business_calendar(
        R"({"id":"x","week":{"saturday":["۰۸:۰۰-۱۶:۳۰"],"sunday":["8:00 - 24:00"]}})");
    ASSERT_TRUE(small) << small.error().what();
    EXPECT_EQ(small.value().time_zone, "Asia/Tehran");
    EXPECT_EQ(small.value().week[6], (std::vector<WorkingHours>{{480, 990}}));
    EXPECT_EQ(small.value().week[0], (std::vector<WorkingHours>{{480, 1440}}));
    EXPECT_TRUE(small.value().week[1].empty());
}

TEST(BusinessJson, RoundTrips) {
    for (const BusinessCalendarDef& def :
         {crm::parse_business_calendar(kTehranOffice).value(), BusinessCalendar::iran_default().def()}) {
        const std::string text = crm::to_json(def);
        auto again = crm::parse_business_calendar(text);
        ASSERT_TRUE(again) << text << "\n" << again.error().what();
        EXPECT_EQ(again.value(), def) << text;
        EXPECT_EQ(crm::to_json(again.value()), text);
    }
    BusinessCalendarDef def;
    def.id = "late";
    def.week[0] = {{0, 1440}};
    const std::string text = crm::to_json(def);
    EXPECT_NE(text.find("\"00:00-24:00\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"saturday\":[]"), std::string::npos) << text;
    EXPECT_EQ(crm::parse_business_calendar(text).value(), def);
}

TEST(BusinessJson, ErrorsNameTheJsonPath) {
    const std::string week_ok = R"("week":{"saturday":["08:00-16:00"]})";
    const auto with = [&](const std::string& rest) { return "{\"id\":\"x\"," + rest + "}"; };
    const std::pair<std::string, std::string> cases[] = {
        {with(week_ok + R"(,"colour":"red")"), "colour"},
        {with(R"("week":{"caturday":["08:00-16:00"]})"), "week.caturday"},
        {with(R"("week":{"saturday":"08:00-16:00"})"), "week.saturday"},
        {with(R"("week":{"saturday":["08:00-16:00", 8]})"), "week.saturday[1]"},
        {with(R"("week":{"saturday":["08:00-12:00","8am-5pm"]})"), "week.saturday[1]"},
        {with(R"("week":{"saturday":["08:00-12:00","08:00"]})"), "week.saturday[1]"},
        {with(R"("week":{"sunday":["25:00-26:00"]})"), "week.sunday[0].start"},
        {with(R"("week":{"sunday":["08:60-12:00"]})"), "week.sunday[0].start"},
        {with(R"("week":{"saturday":["08:00-12:00","13:00-12:30"]})"), "week.saturday[1].end"},
        {with(R"("week":{"saturday":["08:00-24:30"]})"), "week.saturday[0].end"},
        {with(R"("week":{"saturday":["08:00-08:00"]})"), "week.saturday[0].end"},
        {with(R"("week":{"saturday":["08:00-12:00","11:00-17:00"]})"), "week.saturday[1]"},
        {with(R"("week":{"monday":["13:00-17:00","08:00-13:30"]})"), "week.monday[1]"},
        {with(R"("week":{"monday":["08:00-17:00","09:00-10:00","12:00-13:00"]})"), "week.monday[1]"},
        {with(R"("week":{"saturday":[]})"), "week"},
        {with(week_ok + R"(,"time_zone":"Asia/Tehrn")"), "time_zone"},
        {with(week_ok + R"(,"time_zone":3)"), "time_zone"},
        {with(week_ok + R"(,"holidays":[{"date":"1404-01-01"},{"date":"1404-01-02"},)"
                        R"({"date":"1404-01-03"},{"date":"1404-12-30","name":"Esfand 30"}])"),
         "holidays[3].date"},
        {with(week_ok + R"(,"holidays":[{"date":"2025-02-29","calendar":"gregorian"}])"),
         "holidays[0].date"},
        {with(week_ok + R"(,"holidays":[{"date":"1404-01-01","calendar":"lunar"}])"),
         "holidays[0].calendar"},
        {with(week_ok + R"(,"holidays":[{"name":"no date"}])"), "holidays[0].date"},
        {with(week_ok + R"(,"holidays":[{"date":"1404-01-01","every_year":"yes"}])"),
         "holidays[0].every_year"},
        {with(week_ok + R"(,"holidays":[{"date":"1404-01-01","when":"always"}])"),
         "holidays[0].when"},
        {with(week_ok + R"(,"holidays":{"date":"1404-01-01"})"), "holidays"},
        {R"({"week":{"saturday":["08:00-16:00"]}})", "id"},
        {R"({"id":"","week":{"saturday":["08:00-16:00"]}})", "id"},
        {R"(["not", "an", "object"])", "calendar"},
    };
    for (const auto& [text, path] : cases) {
        const crm::error e = parse_error(text);
        EXPECT_EQ(e.field, path) << text << " -> " << e.what();
        EXPECT_EQ(e.code, crm::errc::invalid_argument) << text << " -> " << e.what();
        EXPECT_FALSE(e.message.empty());
    }
    const crm::error syntax = parse_error(R"({"id":"x",)");
    EXPECT_EQ(syntax.code, crm::errc::parse);
}

TEST(BusinessJson, MakeValidatesDefsBuiltInCode) {
    BusinessCalendarDef def;
    def.id = "code";
    def.week[6] = {{480, 960}};
    EXPECT_TRUE(BusinessCalendar::make(def));
    const auto field_of = [](BusinessCalendarDef d) {
        auto r = BusinessCalendar::make(std::move(d));
        EXPECT_FALSE(r);
        return r ? std::string("(succeeded)") : r.error().field;
    };
    BusinessCalendarDef bad = def;
    bad.week[6] = {{-10, 960}};
    EXPECT_EQ(field_of(bad), "week.saturday[0].start");
    bad.week[6] = {{480, 1441}};
    EXPECT_EQ(field_of(bad), "week.saturday[0].end");
    bad = def;
    bad.id.clear();
    EXPECT_EQ(field_of(bad), "id");
    bad = def;
    bad.time_zone = "Asia/Atlantis";
    EXPECT_EQ(field_of(bad), "time_zone");
    bad = def;
    bad.holidays = {{CalendarSystem::jalali, Date{1403, 12, 30}, true, "leap day"},
                    {CalendarSystem::jalali, Date{1404, 7, 31}, false, "no such day"}};
    EXPECT_EQ(field_of(bad), "holidays[1].date");
    bad = def;
    bad.name = std::string("bad\x01name");
    EXPECT_EQ(field_of(bad), "name");
}
