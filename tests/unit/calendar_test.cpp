// tests/unit/calendar_test.cpp - Jalali <-> Gregorian (against ICU's Persian
// calendar), date text, time zones with and without DST, and period starts.
#include "crm/core/calendar.hpp"

#include <gtest/gtest.h>
#include <unicode/calendar.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>

#include <chrono>
#include <limits>
#include <memory>
#include <random>
#include <thread>
#include <vector>

using crm::CalendarSystem;
using crm::Date;
using crm::LocalTime;
using crm::Period;
using crm::Timestamp;
using crm::TimeZone;

namespace {

constexpr auto kJalali = CalendarSystem::jalali;
constexpr auto kGregorian = CalendarSystem::gregorian;
constexpr std::int64_t kHour = 3'600'000;

Timestamp at(const char* iso) {
    auto r = crm::parse_iso8601(iso);
    EXPECT_TRUE(r) << iso;
    return r ? r.value() : Timestamp{};
}

TimeZone zone(const char* name) {
    auto r = TimeZone::find(name);
    EXPECT_TRUE(r) << name << ": " << (r ? "" : r.error().what());
    return r ? r.value() : TimeZone::utc();
}

Date jalali_of(Date g) {
    auto r = crm::jalali_from_gregorian(g);
    EXPECT_TRUE(r) << crm::format_date(g) << ": " << (r ? "" : r.error().what());
    return r ? r.value() : Date{};
}

Date gregorian_of(Date j) {
    auto r = crm::gregorian_from_jalali(j);
    EXPECT_TRUE(r) << crm::format_date(j) << ": " << (r ? "" : r.error().what());
    return r ? r.value() : Date{};
}

std::string iso(Timestamp t) { return crm::to_iso8601(t); }

}  // namespace

// ---- Jalali <-> Gregorian ----------------------------------------------------

TEST(CalendarJalali, KnownDates) {
    EXPECT_EQ(jalali_of({2025, 3, 20}), (Date{1403, 12, 30}));  // a leap day
    EXPECT_EQ(jalali_of({2025, 3, 21}), (Date{1404, 1, 1}));
    EXPECT_EQ(gregorian_of({1403, 12, 30}), (Date{2025, 3, 20}));
    EXPECT_EQ(gregorian_of({1404, 1, 1}), (Date{2025, 3, 21}));
    EXPECT_EQ(jalali_of({1979, 2, 11}), (Date{1357, 11, 22}));
    EXPECT_EQ(jalali_of({2024, 2, 29}), (Date{1402, 12, 10}));
    EXPECT_EQ(gregorian_of({1403, 6, 31}), (Date{2024, 9, 21}));
    EXPECT_EQ(gregorian_of({1403, 7, 1}), (Date{2024, 9, 22}));
    EXPECT_EQ(gregorian_of({1403, 10, 1}), (Date{2024, 12, 21}));
}

TEST(CalendarJalali, NowruzOfSeveralYears) {
    const std::pair<int, Date> nowruz[] = {
        {1300, {1921, 3, 21}}, {1354, {1975, 3, 21}}, {1357, {1978, 3, 21}},
        {1399, {2020, 3, 20}}, {1400, {2021, 3, 21}}, {1401, {2022, 3, 21}},
        {1402, {2023, 3, 21}}, {1403, {2024, 3, 20}}, {1404, {2025, 3, 21}},
        {1405, {2026, 3, 21}}, {1407, {2028, 3, 20}}, {1408, {2029, 3, 20}}};
    for (const auto& [year, g] : nowruz) {
        EXPECT_EQ(gregorian_of({year, 1, 1}), g) << year;
        EXPECT_EQ(jalali_of(g), (Date{year, 1, 1})) << year;
    }
}

TEST(CalendarJalali, LeapYears) {
    // The 33-year pattern around now: 1399, 1403 and 1408 are leap (five
    // years between 1403 and 1408), the years between are not.
    for (int y = 1395; y <= 1412; ++y) {
        const bool leap = y == 1395 || y == 1399 || y == 1403 || y == 1408 || y == 1412;
        EXPECT_EQ(crm::is_jalali_leap_year(y), leap) << y;
        EXPECT_EQ(crm::days_in_month(y, 12, kJalali), leap ? 30 : 29) << y;
    }
    EXPECT_FALSE(crm::is_jalali_leap_year(0));
    EXPECT_FALSE(crm::is_jalali_leap_year(4000));
    EXPECT_EQ(crm::days_in_month(1404, 6, kJalali), 31);
    EXPECT_EQ(crm::days_in_month(1404, 7, kJalali), 30);
    EXPECT_EQ(crm::days_in_month(2024, 2, kGregorian), 29);
    EXPECT_EQ(crm::days_in_month(2100, 2, kGregorian), 28);
    EXPECT_EQ(crm::days_in_month(2025, 13, kGregorian), 0);
}

// Every day of 1900-2100 against ICU's Persian calendar, both directions.
TEST(CalendarJalali, SweepAgainstIcuPersianCalendar) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Calendar> persian(icu::Calendar::createInstance(
        icu::TimeZone::createTimeZone("UTC"), icu::Locale("fa_IR@calendar=persian"), status));
    ASSERT_TRUE(U_SUCCESS(status)) << u_errorName(status);
    ASSERT_STREQ(persian->getType(), "persian");
    const std::int64_t first = crm::days_from_civil(1900, 1, 1);
    const std::int64_t last = crm::days_from_civil(2100, 12, 31);
    int mismatches = 0;
    for (std::int64_t day = first; day <= last && mismatches < 10; ++day) {
        persian->setTime(static_cast<UDate>(day * crm::kMsPerDay), status);
        const Date icu_date{persian->get(UCAL_EXTENDED_YEAR, status),
                            persian->get(UCAL_MONTH, status) + 1, persian->get(UCAL_DATE, status)};
        ASSERT_TRUE(U_SUCCESS(status));
        const crm::CivilDate c = crm::civil_from_days(day);
        const Date g{c.year, static_cast<int>(c.month), static_cast<int>(c.day)};
        const auto j = crm::jalali_from_gregorian(g);
        const auto back = crm::gregorian_from_jalali(icu_date);
        if (!j || j.value() != icu_date || !back || back.value() != g) {
            ++mismatches;
            ADD_FAILURE() << crm::format_date(g) << ": ICU says " << crm::format_date(icu_date)
                          << ", crmcore says " << (j ? crm::format_date(j.value()) : "error");
        }
    }
    EXPECT_EQ(mismatches, 0);
}

TEST(CalendarJalali, DaysSinceEpochAgreeAcrossCalendars) {
    EXPECT_EQ(crm::days_since_epoch({1970, 1, 1}, kGregorian).value(), 0);
    EXPECT_EQ(crm::days_since_epoch({1348, 10, 11}, kJalali).value(), 0);  // 1970-01-01
    EXPECT_EQ(crm::date_from_days(0, kJalali).value(), (Date{1348, 10, 11}));
    const std::int64_t d = crm::days_since_epoch({2025, 3, 21}, kGregorian).value();
    EXPECT_EQ(crm::days_since_epoch({1404, 1, 1}, kJalali).value(), d);
    EXPECT_EQ(crm::date_from_days(d - 1, kJalali).value(), (Date{1403, 12, 30}));
    EXPECT_FALSE(crm::date_from_days(-1'000'000, kJalali));  // before Jalali year 1
    EXPECT_FALSE(crm::date_from_days(4'000'000, kGregorian));  // after 9999
}

TEST(CalendarJalali, InvalidDates) {
    const Date bad_jalali[] = {{1404, 12, 30}, {1403, 12, 31}, {1403, 13, 1}, {1403, 0, 1},
                               {1403, 7, 31},  {1403, 1, 0},   {1403, 1, 32}, {0, 1, 1},
                               {3178, 1, 1}};
    for (const Date& d : bad_jalali) {
        auto r = crm::gregorian_from_jalali(d);
        ASSERT_FALSE(r) << crm::format_date(d);
        EXPECT_EQ(r.error().code, crm::errc::invalid_argument);
        EXPECT_EQ(r.error().field, "date");
        EXPECT_FALSE(crm::is_valid_date(d, kJalali)) << crm::format_date(d);
    }
    EXPECT_TRUE(crm::gregorian_from_jalali({1403, 6, 31}));
    for (const Date& d : {Date{2025, 2, 29}, Date{1900, 2, 29}, Date{2025, 4, 31}, Date{2025, 0, 1},
                          Date{10000, 1, 1}, Date{500, 1, 1}}) {
        auto r = crm::jalali_from_gregorian(d);
        ASSERT_FALSE(r) << crm::format_date(d);
        EXPECT_EQ(r.error().code, crm::errc::invalid_argument);
        EXPECT_EQ(r.error().field, "date");
    }
    EXPECT_TRUE(crm::jalali_from_gregorian({2000, 2, 29}));
}

// ---- text ------------------------------------------------------------------

TEST(CalendarText, ParseDateSpellings) {
    const Date leap_day{1403, 12, 30};
    for (const char* text : {"1403-12-30", "1403/12/30", "۱۴۰۳/۱۲/۳۰", "١٤٠٣-١٢-٣٠", " 1403-12-30 "}) {
        auto r = crm::parse_date(text, kJalali);
        ASSERT_TRUE(r) << text << ": " << r.error().what();
        EXPECT_EQ(r.value(), leap_day) << text;
    }
    EXPECT_EQ(crm::parse_date("1404/1/5", kJalali).value(), (Date{1404, 1, 5}));
    EXPECT_EQ(crm::parse_date("2025-03-20", kGregorian).value(), (Date{2025, 3, 20}));
}

TEST(CalendarText, ParseDateRejects) {
    const std::pair<const char*, CalendarSystem> bad[] = {
        {"1404-12-30", kJalali},    // 1404 is not leap
        {"2025-02-29", kGregorian}, {"1403-12/30", kJalali}, {"14031230", kJalali},
        {"1403-12-", kJalali},      {"", kJalali},           {"1403-123-1", kJalali},
        {"03-12-30", kJalali},      {"1403-12-30x", kJalali}, {"1403-07-31", kJalali}};
    for (const auto& [text, cal] : bad) {
        auto r = crm::parse_date(text, cal, "due_on");
        ASSERT_FALSE(r) << text;
        EXPECT_EQ(r.error().code, crm::errc::parse) << text;
        EXPECT_EQ(r.error().field, "due_on") << text;
    }
}

TEST(CalendarText, FormatAndWeekday) {
    EXPECT_EQ(crm::format_date({1403, 1, 5}), "1403-01-05");
    EXPECT_EQ(crm::format_date({2025, 12, 31}), "2025-12-31");
    EXPECT_EQ(crm::weekday({1970, 1, 1}), 4);   // Thursday
    EXPECT_EQ(crm::weekday({2025, 3, 21}), 5);  // Friday, Nowruz 1404
    EXPECT_EQ(crm::weekday({2000, 1, 1}), 6);   // Saturday
    EXPECT_EQ(crm::weekday({2025, 3, 23}), 0);  // Sunday
    EXPECT_EQ(crm::weekday({1900, 1, 1}), 1);   // Monday, before the epoch
}

TEST(CalendarText, CalendarSystemAndPeriodNames) {
    EXPECT_STREQ(crm::to_string(kJalali), "jalali");
    EXPECT_STREQ(crm::to_string(kGregorian), "gregorian");
    for (const char* s : {"jalali", "persian", "shamsi"})
        EXPECT_EQ(crm::parse_calendar_system(s).value(), kJalali) << s;
    EXPECT_EQ(crm::parse_calendar_system("gregorian").value(), kGregorian);
    auto bad = crm::parse_calendar_system("julian", "holidays[0].calendar");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, crm::errc::invalid_argument);
    EXPECT_EQ(bad.error().field, "holidays[0].calendar");

    for (Period p : {Period::day, Period::week, Period::month, Period::quarter, Period::year})
        EXPECT_EQ(crm::parse_period(crm::to_string(p)).value(), p);
    EXPECT_STREQ(crm::to_string(Period::quarter), "quarter");
    auto bad_period = crm::parse_period("fortnight");
    ASSERT_FALSE(bad_period);
    EXPECT_EQ(bad_period.error().field, "period");
}

// ---- zones -----------------------------------------------------------------

TEST(CalendarZone, FindKnownAndUnknown) {
    EXPECT_EQ(zone("Asia/Tehran").name(), "Asia/Tehran");
    EXPECT_EQ(zone("Iran").offset_ms(at("2024-06-01T00:00:00Z")), 12'600'000);  // an alias
    EXPECT_EQ(TimeZone::utc().name(), "UTC");
    EXPECT_EQ(TimeZone::utc().offset_ms(at("2024-06-01T00:00:00Z")), 0);
    for (const char* name : {"Mars/Olympus_Mons", "asia/tehran", "", "Etc/Unknown", "GMT+03:30",
                             "Asia/Tehran\n", "../../etc/passwd"}) {
        auto r = TimeZone::find(name, "zone");
        ASSERT_FALSE(r) << name;
        EXPECT_EQ(r.error().code, crm::errc::invalid_argument) << name;
        EXPECT_EQ(r.error().field, "zone") << name;
    }
    EXPECT_EQ(TimeZone::find("Nowhere").error().field, "time_zone");
}

// Iran kept DST until 2022 (+04:30 in summer) and abolished it from 2023.
TEST(CalendarZone, TehranBeforeAndAfter2022) {
    const TimeZone tehran = zone("Asia/Tehran");
    EXPECT_EQ(tehran.offset_ms(at("2021-07-01T12:00:00Z")), 16'200'000);  // +04:30
    EXPECT_EQ(tehran.offset_ms(at("2022-07-01T12:00:00Z")), 16'200'000);
    EXPECT_EQ(tehran.offset_ms(at("2023-07-01T12:00:00Z")), 12'600'000);  // +03:30
    EXPECT_EQ(tehran.offset_ms(at("2025-07-01T12:00:00Z")), 12'600'000);
    EXPECT_EQ(tehran.offset_ms(at("2021-01-01T12:00:00Z")), 12'600'000);
    // DST began at midnight 1/2 Farvardin 1400: 00:00 -> 01:00.
    EXPECT_EQ(tehran.offset_ms(at("2021-03-21T20:29:59Z")), 12'600'000);
    EXPECT_EQ(tehran.offset_ms(at("2021-03-21T20:30:00Z")), 16'200'000);
}

TEST(CalendarZone, ToLocalInBothCalendars) {
    const TimeZone tehran = zone("Asia/Tehran");
    const Timestamp t = at("2025-03-20T12:00:05.250Z");
    const LocalTime j = tehran.to_local(t, kJalali);
    EXPECT_EQ(j.date, (Date{1403, 12, 30}));
    EXPECT_EQ(j.hour, 15);
    EXPECT_EQ(j.minute, 30);
    EXPECT_EQ(j.second, 5);
    EXPECT_EQ(j.millisecond, 250);
    EXPECT_EQ(j.weekday, 4);  // Thursday
    const LocalTime g = tehran.to_local(t);
    EXPECT_EQ(g.date, (Date{2025, 3, 20}));
    EXPECT_EQ(g.hour, 15);
    // After local midnight it is already Nowruz.
    EXPECT_EQ(tehran.to_local(at("2025-03-20T20:30:00Z"), kJalali).date, (Date{1404, 1, 1}));
    EXPECT_EQ(tehran.to_local(at("2025-03-20T20:29:59Z"), kJalali).date, (Date{1403, 12, 30}));
    // Before 1970 too.
    const LocalTime old = TimeZone::utc().to_local(at("1969-12-31T23:59:59.999Z"));
    EXPECT_EQ(old.date, (Date{1969, 12, 31}));
    EXPECT_EQ(old.hour, 23);
    EXPECT_EQ(old.millisecond, 999);
    EXPECT_EQ(old.weekday, 3);
}

TEST(CalendarZone, FromLocalBothCalendars) {
    const TimeZone tehran = zone("Asia/Tehran");
    LocalTime wall;
    wall.date = {1404, 1, 1};
    wall.hour = 9;
    wall.minute = 15;
    EXPECT_EQ(iso(tehran.from_local(wall, kJalali).value()), "2025-03-21T05:45:00Z");
    wall.date = {2025, 3, 21};
    EXPECT_EQ(iso(tehran.from_local(wall).value()), "2025-03-21T05:45:00Z");
    wall.weekday = 3;  // ignored
    EXPECT_EQ(iso(tehran.from_local(wall).value()), "2025-03-21T05:45:00Z");
    // In summer 2021 Tehran was at +04:30.
    wall.date = {1400, 4, 10};
    EXPECT_EQ(iso(tehran.from_local(wall, kJalali).value()), "2021-07-01T04:45:00Z");
}

TEST(CalendarZone, FromLocalRejectsInvalidFields) {
    const TimeZone berlin = zone("Europe/Berlin");
    const auto field_of = [&](LocalTime w, CalendarSystem cal) {
        auto r = berlin.from_local(w, cal);
        EXPECT_FALSE(r);
        if (r) return std::string("(succeeded)");
        EXPECT_EQ(r.error().code, crm::errc::invalid_argument);
        return r.error().field;
    };
    LocalTime w;
    w.date = {2025, 1, 1};
    w.hour = 24;
    EXPECT_EQ(field_of(w, kGregorian), "hour");
    w.hour = 0;
    w.minute = 60;
    EXPECT_EQ(field_of(w, kGregorian), "minute");
    w.minute = 0;
    w.second = -1;
    EXPECT_EQ(field_of(w, kGregorian), "second");
    w.second = 0;
    w.millisecond = 1000;
    EXPECT_EQ(field_of(w, kGregorian), "millisecond");
    w.millisecond = 0;
    w.date = {1404, 12, 30};
    EXPECT_EQ(field_of(w, kJalali), "date");
    w.date = {2025, 2, 29};
    EXPECT_EQ(field_of(w, kGregorian), "date");
}

// Berlin, 2025-03-30: 02:00 CET jumps to 03:00 CEST.
TEST(CalendarZone, DstGapMovesForward) {
    const TimeZone berlin = zone("Europe/Berlin");
    LocalTime wall;
    wall.date = {2025, 3, 30};
    wall.hour = 2;
    wall.minute = 30;
    const Timestamp t = berlin.from_local(wall).value();
    EXPECT_EQ(iso(t), "2025-03-30T01:30:00Z");  // 03:30 CEST
    const LocalTime back = berlin.to_local(t);
    EXPECT_EQ(back.hour, 3);
    EXPECT_EQ(back.minute, 30);
    wall.hour = 1;
    wall.minute = 59;
    EXPECT_EQ(iso(berlin.from_local(wall).value()), "2025-03-30T00:59:00Z");  // CET
    wall.hour = 3;
    wall.minute = 0;
    EXPECT_EQ(iso(berlin.from_local(wall).value()), "2025-03-30T01:00:00Z");  // CEST
    // New York jumps at 02:00 too, five hours further west.
    wall.date = {2025, 3, 9};
    wall.hour = 2;
    wall.minute = 30;
    EXPECT_EQ(iso(zone("America/New_York").from_local(wall).value()), "2025-03-09T07:30:00Z");
}

// Berlin, 2025-10-26: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice.
TEST(CalendarZone, DstOverlapTakesTheEarlierInstant) {
    const TimeZone berlin = zone("Europe/Berlin");
    LocalTime wall;
    wall.date = {2025, 10, 26};
    wall.hour = 2;
    wall.minute = 30;
    EXPECT_EQ(iso(berlin.from_local(wall).value()), "2025-10-26T00:30:00Z");  // CEST
    // Both instants read as 02:30.
    EXPECT_EQ(berlin.to_local(at("2025-10-26T00:30:00Z")).hour, 2);
    EXPECT_EQ(berlin.to_local(at("2025-10-26T01:30:00Z")).hour, 2);
    EXPECT_EQ(berlin.to_local(at("2025-10-26T01:30:00Z")).minute, 30);
    wall.hour = 3;
    wall.minute = 0;
    EXPECT_EQ(iso(berlin.from_local(wall).value()), "2025-10-26T02:00:00Z");  // CET, unique
    // Tehran's last fall-back: 24:00 (+04:30) -> 23:00 on 1401-06-30 (2022-09-21).
    wall.date = {2022, 9, 21};
    wall.hour = 23;
    wall.minute = 30;
    EXPECT_EQ(iso(zone("Asia/Tehran").from_local(wall).value()), "2022-09-21T19:00:00Z");
}

// Far from today the zone is read from ICU instead of the table; the rule is the same.
TEST(CalendarZone, GapAndOverlapBeyondTheTable) {
    const TimeZone berlin = zone("Europe/Berlin");
    // The last Sundays of March and October 2350.
    int march = 31, october = 31;
    while (crm::weekday({2350, 3, march}) != 0) --march;
    while (crm::weekday({2350, 10, october}) != 0) --october;
    LocalTime gap;
    gap.date = {2350, 3, march};
    gap.hour = 2;
    gap.minute = 30;
    const Timestamp g = berlin.from_local(gap).value();
    EXPECT_EQ(berlin.to_local(g).hour, 3);
    EXPECT_EQ(berlin.offset_ms(g), 2 * kHour);
    LocalTime overlap = gap;
    overlap.date = {2350, 10, october};
    const Timestamp o = berlin.from_local(overlap).value();
    EXPECT_EQ(berlin.offset_ms(o), 2 * kHour);  // the earlier, CEST instant
    EXPECT_EQ(berlin.to_local(o).hour, 2);
    EXPECT_EQ(berlin.offset_ms(Timestamp{o.ms + kHour}), kHour);
    EXPECT_EQ(berlin.to_local(Timestamp{o.ms + kHour}).hour, 2);
    // Before 1800, Berlin's local mean time (+00:53:28).
    EXPECT_EQ(berlin.offset_ms(at("1700-06-01T00:00:00Z")), (53 * 60 + 28) * 1000);
}

// to_local then from_local gives the instant back, or the earlier of two
// instants with the same wall time.
TEST(CalendarZone, RoundTripOnRandomInstants) {
    std::mt19937_64 rng(1403);
    std::uniform_int_distribution<std::int64_t> any(at("1900-01-01T00:00:00Z").ms,
                                                    at("2400-01-01T00:00:00Z").ms);
    for (const char* name : {"Asia/Tehran", "Europe/Berlin", "America/New_York", "UTC",
                             "Australia/Lord_Howe"}) {
        const TimeZone z = zone(name);
        for (int i = 0; i < 3000; ++i) {
            const Timestamp t{any(rng)};
            for (CalendarSystem cal : {kGregorian, kJalali}) {
                const LocalTime wall = z.to_local(t, cal);
                const auto back = z.from_local(wall, cal);
                ASSERT_TRUE(back) << name << " " << iso(t);
                if (back.value() != t) {
                    EXPECT_LT(back.value(), t) << name << " " << iso(t);
                    EXPECT_EQ(z.to_local(back.value(), cal), wall) << name << " " << iso(t);
                }
                EXPECT_EQ(z.to_local_ms(t) - t.ms, z.offset_ms(t));
            }
        }
    }
}

// Instants far outside any calendar still convert without overflow; the
// Jalali date of one outside Jalali years 1-3177 is {0, 0, 0}.
TEST(CalendarZone, ExtremeInstants) {
    const TimeZone tehran = zone("Asia/Tehran");
    for (std::int64_t ms : {std::numeric_limits<std::int64_t>::min(),
                            std::numeric_limits<std::int64_t>::max(), std::int64_t{-1}}) {
        const Timestamp t{ms};
        const LocalTime g = tehran.to_local(t);
        EXPECT_GE(g.hour, 0);
        EXPECT_LE(g.hour, 23);
        EXPECT_GE(g.weekday, 0);
        EXPECT_LE(g.weekday, 6);
        for (Period p : {Period::day, Period::week, Period::month, Period::quarter, Period::year})
            EXPECT_LE(crm::start_of(p, t, tehran, kJalali).ms, std::max(ms, std::int64_t{0}));
    }
    EXPECT_EQ(tehran.to_local(Timestamp{std::numeric_limits<std::int64_t>::max()}, kJalali).date,
              (Date{0, 0, 0}));
    EXPECT_EQ(tehran.to_local(Timestamp{-1}, kJalali).date, (Date{1348, 10, 11}));
    // Year 3000 has no Jalali trouble; year 9000 is past Jalali 3177.
    EXPECT_EQ(tehran.to_local(at("3000-06-01T12:00:00Z"), kJalali).date.year, 2379);
    EXPECT_EQ(tehran.to_local(at("9000-06-01T12:00:00Z"), kJalali).date, (Date{0, 0, 0}));
    const Timestamp far = at("9000-06-01T12:00:00Z");
    EXPECT_EQ(crm::start_of(Period::month, far, tehran, kJalali), far);  // unchanged, as documented
}

TEST(CalendarZone, ConcurrentUse) {
    const TimeZone berlin = zone("Europe/Berlin");
    std::vector<std::thread> threads;
    std::vector<int> wrong(4, 0);
    for (int k = 0; k < 4; ++k) {
        threads.emplace_back([&, k] {
            // Years 1750 and 2350 go to ICU under the lock; 2025 to the table.
            for (int i = 0; i < 2000; ++i) {
                for (const char* when : {"1750-07-01T00:00:00Z", "2025-07-01T00:00:00Z",
                                         "2350-07-01T00:00:00Z"}) {
                    const std::int64_t expected =
                        when[0] == '1' ? (53 * 60 + 28) * 1000 : 2 * kHour;
                    if (berlin.offset_ms(at(when)) != expected) ++wrong[k];
                }
                const TimeZone copy = TimeZone::find("Asia/Tehran").value();
                if (copy.offset_ms(Timestamp{0}) != 12'600'000) ++wrong[k];
            }
        });
    }
    for (auto& t : threads) t.join();
    for (int k = 0; k < 4; ++k) EXPECT_EQ(wrong[k], 0);
}

// Many wall-clock round trips through a DST zone: only an ambiguous wall
// time (clocks going back) maps to another instant, and always an earlier one.
TEST(CalendarZone, RoundTripsMoveOnlyAmbiguousTimesBackwards) {
    const TimeZone berlin = zone("Europe/Berlin");
    std::int64_t sum = 0;
    for (std::int64_t i = 0; i < 200'000; ++i) {
        const Timestamp t{1'700'000'000'000 + i * 3'600'007};
        const LocalTime w = berlin.to_local(t, kJalali);
        sum += berlin.from_local(w, kJalali).value().ms - t.ms;
    }
    EXPECT_LE(sum, 0);
}

// ---- periods ---------------------------------------------------------------

// 2025-03-20 15:30 in Tehran is Thursday 1403-12-30, the last day of 1403.
TEST(CalendarPeriod, StartOfEveryPeriodInBothCalendars) {
    const TimeZone tehran = zone("Asia/Tehran");
    const Timestamp t = at("2025-03-20T12:00:00Z");
    const auto start = [&](Period p, CalendarSystem cal, int offset = 0) {
        return iso(crm::start_of(p, t, tehran, cal, offset));
    };
    // Days are the same in both calendars.
    EXPECT_EQ(start(Period::day, kJalali), "2025-03-19T20:30:00Z");
    EXPECT_EQ(start(Period::day, kGregorian), "2025-03-19T20:30:00Z");
    EXPECT_EQ(start(Period::day, kJalali, 1), "2025-03-20T20:30:00Z");  // Nowruz
    EXPECT_EQ(start(Period::day, kJalali, -20), "2025-02-27T20:30:00Z");
    // Weeks: Saturday 2025-03-15 (Jalali), Monday 2025-03-17 (Gregorian).
    EXPECT_EQ(start(Period::week, kJalali), "2025-03-14T20:30:00Z");
    EXPECT_EQ(start(Period::week, kGregorian), "2025-03-16T20:30:00Z");
    EXPECT_EQ(start(Period::week, kJalali, 1), "2025-03-21T20:30:00Z");
    EXPECT_EQ(start(Period::week, kGregorian, -1), "2025-03-09T20:30:00Z");
    // Months: Esfand 1403 began 2025-02-19.
    EXPECT_EQ(start(Period::month, kJalali), "2025-02-18T20:30:00Z");
    EXPECT_EQ(start(Period::month, kGregorian), "2025-02-28T20:30:00Z");
    EXPECT_EQ(start(Period::month, kJalali, 1), "2025-03-20T20:30:00Z");   // 1404-01-01
    EXPECT_EQ(start(Period::month, kJalali, -12), "2024-02-19T20:30:00Z");  // 1402-12-01
    EXPECT_EQ(start(Period::month, kGregorian, -3), "2024-11-30T20:30:00Z");  // 2024-12-01
    EXPECT_EQ(start(Period::month, kGregorian, 10), "2025-12-31T20:30:00Z");  // 2026-01-01
    // Quarters: Jalali seasons (winter = months 10-12 began 1403-10-01 = 2024-12-21).
    EXPECT_EQ(start(Period::quarter, kJalali), "2024-12-20T20:30:00Z");
    EXPECT_EQ(start(Period::quarter, kGregorian), "2024-12-31T20:30:00Z");
    EXPECT_EQ(start(Period::quarter, kJalali, 1), "2025-03-20T20:30:00Z");   // 1404-01-01
    EXPECT_EQ(start(Period::quarter, kJalali, -4), "2023-12-21T20:30:00Z");  // 1402-10-01
    EXPECT_EQ(start(Period::quarter, kGregorian, -1), "2024-09-30T20:30:00Z");  // 2024-10-01
    // Years.
    EXPECT_EQ(start(Period::year, kJalali), "2024-03-19T20:30:00Z");     // 1403-01-01
    EXPECT_EQ(start(Period::year, kJalali, 1), "2025-03-20T20:30:00Z");  // 1404-01-01
    EXPECT_EQ(start(Period::year, kJalali, -1), "2023-03-20T20:30:00Z");  // 1402-01-01
    EXPECT_EQ(start(Period::year, kGregorian), "2024-12-31T20:30:00Z");
    EXPECT_EQ(start(Period::year, kGregorian, 1), "2025-12-31T20:30:00Z");
}

TEST(CalendarPeriod, WeekStartsOnTheRightDay) {
    const TimeZone utc = TimeZone::utc();
    // For every day of two weeks, the week starts on a Saturday (Jalali) or
    // a Monday (Gregorian) no more than six days before.
    for (int d = 0; d < 14; ++d) {
        const Timestamp t{at("2025-03-15T10:00:00Z").ms + d * crm::kMsPerDay};
        for (CalendarSystem cal : {kJalali, kGregorian}) {
            const Timestamp s = crm::start_of(Period::week, t, utc, cal);
            EXPECT_EQ(utc.to_local(s).weekday, cal == kJalali ? 6 : 1);
            EXPECT_EQ(utc.to_local(s).hour, 0);
            EXPECT_LE(s, t);
            EXPECT_GT(s.ms, t.ms - 7 * crm::kMsPerDay);
        }
    }
}

TEST(CalendarPeriod, StartOfOnDstChangeDays) {
    const TimeZone berlin = zone("Europe/Berlin");
    // 2025-03-30 has 23 hours, 2025-10-26 has 25.
    const Timestamp spring = crm::start_of(Period::day, at("2025-03-30T12:00:00Z"), berlin, kGregorian);
    const Timestamp next = crm::start_of(Period::day, at("2025-03-30T12:00:00Z"), berlin, kGregorian, 1);
    EXPECT_EQ(iso(spring), "2025-03-29T23:00:00Z");
    EXPECT_EQ(iso(next), "2025-03-30T22:00:00Z");
    EXPECT_EQ(next.ms - spring.ms, 23 * kHour);
    const Timestamp fall = crm::start_of(Period::day, at("2025-10-26T12:00:00Z"), berlin, kGregorian);
    EXPECT_EQ(iso(fall), "2025-10-25T22:00:00Z");
    EXPECT_EQ(crm::start_of(Period::day, fall, berlin, kGregorian, 1).ms - fall.ms, 25 * kHour);
    // Months across the jump keep local midnight.
    EXPECT_EQ(iso(crm::start_of(Period::month, at("2025-03-30T12:00:00Z"), berlin, kGregorian, 1)),
              "2025-03-31T22:00:00Z");
    // Tehran 2021-03-22 (2 Farvardin 1400): midnight was skipped, the day began at 01:00.
    const TimeZone tehran = zone("Asia/Tehran");
    const Timestamp skipped = crm::start_of(Period::day, at("2021-03-22T06:00:00Z"), tehran, kJalali);
    EXPECT_EQ(iso(skipped), "2021-03-21T20:30:00Z");
    EXPECT_EQ(tehran.to_local(skipped).hour, 1);
    // 1 Farvardin still had 24 hours; 2 Farvardin, from 01:00 to midnight, 23.
    const Timestamp nowruz = crm::start_of(Period::day, skipped, tehran, kJalali, -1);
    EXPECT_EQ(iso(nowruz), "2021-03-20T20:30:00Z");
    EXPECT_EQ(skipped.ms - nowruz.ms, 24 * kHour);
    const Timestamp third = crm::start_of(Period::day, skipped, tehran, kJalali, 1);
    EXPECT_EQ(third.ms - skipped.ms, 23 * kHour);
    // The Jalali year 1400 started at 00:00 +03:30 on Nowruz.
    EXPECT_EQ(crm::start_of(Period::year, skipped, tehran, kJalali), nowruz);
}

TEST(CalendarPeriod, IsIdempotentAndContainsT) {
    std::mt19937_64 rng(1404);
    std::uniform_int_distribution<std::int64_t> any(at("1990-01-01T00:00:00Z").ms,
                                                    at("2060-01-01T00:00:00Z").ms);
    const TimeZone zones[] = {zone("Asia/Tehran"), zone("Europe/Berlin")};
    for (int i = 0; i < 2000; ++i) {
        const Timestamp t{any(rng)};
        for (const TimeZone& z : zones)
            for (CalendarSystem cal : {kJalali, kGregorian})
                for (Period p : {Period::day, Period::week, Period::month, Period::quarter, Period::year}) {
                    const Timestamp s = crm::start_of(p, t, z, cal);
                    const Timestamp n = crm::start_of(p, t, z, cal, 1);
                    ASSERT_LE(s, t) << crm::to_string(p) << " " << iso(t);
                    ASSERT_GT(n, t) << crm::to_string(p) << " " << iso(t);
                    ASSERT_EQ(crm::start_of(p, s, z, cal), s) << crm::to_string(p) << " " << iso(t);
                    ASSERT_EQ(crm::start_of(p, n, z, cal, -1), s) << crm::to_string(p) << " " << iso(t);
                }
    }
}
