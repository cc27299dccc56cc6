// tests/unit/hijri_holidays_test.cpp - the lunar holidays of Iran's
// calendar: computed Hijri days against the dates Iran published for the
// years 1403 and 1404, confirmation as data, traces and the JSON form.
#include "crm/core/business_calendar.hpp"
#include "crm/core/hijri.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using crm::BusinessCalendar;
using crm::CalendarSystem;
using crm::Date;
using crm::HolidayOn;

namespace {

// The lunar holidays of the Jalali years 1403 and 1404 as Iran's official
// calendar printed them (sources in tests/fixtures/iran_hijri_months_1445_1447.json),
// Jalali date and the Hijri month/day they are.
struct Official {
    const char* jalali;
    int month, day;
};
constexpr Official kOfficial[] = {
    {"1403-01-13", 9, 21},  {"1403-01-22", 10, 1},  {"1403-01-23", 10, 2},  {"1403-02-15", 10, 25},
    {"1403-03-28", 12, 10}, {"1403-04-05", 12, 18}, {"1403-04-25", 1, 9},   {"1403-04-26", 1, 10},
    {"1403-06-04", 2, 20},  {"1403-06-12", 2, 28},  {"1403-06-14", 2, 30},  {"1403-06-22", 3, 8},
    {"1403-06-31", 3, 17},  {"1403-09-15", 6, 3},   {"1403-10-25", 7, 13},  {"1403-11-09", 7, 27},
    {"1403-11-26", 8, 15},  {"1404-01-02", 9, 21},  {"1404-01-11", 10, 1},  {"1404-01-12", 10, 2},
    {"1404-02-04", 10, 25}, {"1404-03-16", 12, 10}, {"1404-03-24", 12, 18}, {"1404-04-14", 1, 9},
    {"1404-04-15", 1, 10},  {"1404-05-23", 2, 20},  {"1404-05-31", 2, 28},  {"1404-06-02", 2, 30},
    {"1404-06-10", 3, 8},   {"1404-06-19", 3, 17},  {"1404-09-03", 6, 3},   {"1404-10-13", 7, 13},
    {"1404-10-27", 7, 27},  {"1404-11-15", 8, 15},  {"1404-12-20", 9, 21},
};

std::int64_t days(const char* jalali) {
    return crm::days_since_epoch(crm::parse_date(jalali, CalendarSystem::jalali).value(),
                                 CalendarSystem::jalali)
        .value();
}

// The lunar holidays of 1403-01-01 .. 1404-12-29 as days since 1970.
std::vector<HolidayOn> lunar_holidays(const BusinessCalendar& cal) {
    auto all = cal.holidays(crm::gregorian_from_jalali({1403, 1, 1}).value(),
                            crm::gregorian_from_jalali({1404, 12, 29}).value());
    EXPECT_TRUE(all) << all.error().what();
    std::vector<HolidayOn> out;
    for (auto& h : all.value())
        if (h.hijri) out.push_back(h);
    return out;
}

std::int64_t day_of(const HolidayOn& h) {
    return crm::days_since_epoch(h.date, CalendarSystem::gregorian).value();
}

std::string fixture_months() {
    std::ifstream in(std::string(CRM_FIXTURES) + "/iran_hijri_months_1445_1447.json");
    std::stringstream s;
    s << in.rdbuf();
    const std::string text = s.str();
    const auto at = text.find("\"hijri_months\"");
    EXPECT_NE(at, std::string::npos);
    return text.substr(at, text.rfind('}') - at);  // "hijri_months": [...]
}

BusinessCalendar iran_confirmed() {
    crm::BusinessCalendarDef def = BusinessCalendar::iran_default().def();
    auto months = crm::parse_business_calendar(
        R"({"id":"c","week":{"saturday":["08:00-16:00"]},)" + fixture_months() + "}");
    EXPECT_TRUE(months) << months.error().what();
    def.hijri_months = months.value().hijri_months;
    auto cal = BusinessCalendar::make(def);
    EXPECT_TRUE(cal) << cal.error().what();
    return cal.value();
}

}  // namespace

TEST(Hijri, ComputedMonthStartsNearIransPublishedOnes) {
    // Muharram 1446 began on 2024-07-07 in Iran; Ramadan 1446 on 2025-03-02.
    EXPECT_EQ(crm::hijri::month_start(1446, 1).value(), days("1403-04-17"));
    EXPECT_EQ(crm::hijri::month_start(1446, 9).value(), days("1403-12-12"));
    const Date d = crm::hijri::from_days(days("1403-04-26")).value();
    EXPECT_EQ(d, (Date{1446, 1, 10}));
    EXPECT_EQ(crm::hijri::month_start(1299, 12).error().field, "month");
    EXPECT_EQ(crm::hijri::month_start(1446, 13).error().field, "month");
    EXPECT_FALSE(crm::hijri::from_days(-40000));  // 1860: before the supported years
    EXPECT_STREQ(crm::hijri::month_name(9), "Ramadan");
}

// How far the computed days are from the published ones, for two years.
TEST(Hijri, DefaultCalendarAgainstTheOfficialYears1403And1404) {
    const auto computed = lunar_holidays(BusinessCalendar::iran_default());
    std::set<std::int64_t> official;
    for (const auto& o : kOfficial) official.insert(days(o.jalali));
    ASSERT_EQ(official.size(), 35u);
    int exact = 0, off_by_one = 0;
    for (const auto& o : kOfficial) {
        const std::int64_t want = days(o.jalali);
        bool found_exact = false, found_near = false;
        for (const auto& h : computed) {
            EXPECT_TRUE(h.provisional) << crm::format_date(h.date);
            const std::int64_t got = day_of(h);
            found_exact |= got == want;
            found_near |= got == want - 1 || got == want + 1;
        }
        if (found_exact) ++exact;
        else if (found_near) ++off_by_one;
        else ADD_FAILURE() << o.jalali << " (" << o.month << "/" << o.day << ") has no computed day within one";
    }
    // 35 holidays: the computed day is the published one for most, a day off for the rest.
    EXPECT_EQ(exact + off_by_one, 35);
    EXPECT_GE(exact, 28) << "exact " << exact << ", a day off " << off_by_one;
    RecordProperty("exact", exact);
    RecordProperty("off_by_one", off_by_one);
    std::printf("lunar holidays 1403-1404: %d of 35 on the published day, %d a day off\n", exact, off_by_one);
}

TEST(Hijri, ConfirmedMonthsGiveThePublishedDaysExactly) {
    const auto got = lunar_holidays(iran_confirmed());
    std::vector<std::int64_t> want, have;
    for (const auto& o : kOfficial) want.push_back(days(o.jalali));
    for (const auto& h : got) {
        have.push_back(day_of(h));
        EXPECT_FALSE(h.provisional) << crm::format_date(h.date) << " " << h.name;
    }
    EXPECT_EQ(have, want);
    // 1403-01-13 is both Sizdah Bedar and 21 Ramadan: both are listed.
    auto day = iran_confirmed().holidays({2024, 4, 1}, {2024, 4, 1}).value();
    ASSERT_EQ(day.size(), 2u);
    EXPECT_EQ(day[0].name, "Sizdah Bedar");
    EXPECT_EQ(day[1].name, "Martyrdom of Imam Ali");
}

TEST(Hijri, TraceNamesTheLunarHolidayAndWhetherItIsProvisional) {
    // A day of work from Monday 2025-07-02 10:00 Tehran (1404-04-11): Thursday
    // is half, Friday off, Saturday 07-05 Tasua, Sunday 07-06 Ashura.
    const auto start = crm::parse_iso8601("2025-07-02T10:00:00+03:30").value();
    crm::BusinessTrace trace;
    auto end = BusinessCalendar::iran_default().add_days(start, 2, &trace);
    ASSERT_TRUE(end);
    EXPECT_EQ(crm::to_iso8601(end.value()), "2025-07-07T06:30:00Z");  // Monday 10:00
    std::vector<std::string> what;
    for (const auto& s : trace.steps) what.push_back(s.what);
    EXPECT_NE(std::find(what.begin(), what.end(), "holiday: Tasua (provisional)"), what.end());
    EXPECT_NE(std::find(what.begin(), what.end(), "holiday: Ashura (provisional)"), what.end());
    iran_confirmed().add_days(start, 2, &trace).value();
    what.clear();
    for (const auto& s : trace.steps) what.push_back(s.what);
    EXPECT_NE(std::find(what.begin(), what.end(), "holiday: Ashura"), what.end());
}

TEST(Hijri, AHostMovesAMonthAndTheHolidaysMoveWithIt) {
    // Muharram 1447 confirmed a day later than published: Ashura moves to 07-07.
    auto def = crm::parse_business_calendar(R"({"id":"m","week":{"saturday":["08:00-16:00"],
        "sunday":["08:00-16:00"],"monday":["08:00-16:00"]},
        "holidays":[{"date":"1447-01-10","calendar":"hijri","every_year":true,"name":"Ashura"},
                    {"date":"1447-12-30","calendar":"hijri","every_year":true,"name":"Last of Dhu al-Hijjah"}],
        "hijri_months":[{"month":"1447-01","starts":"1404-04-07"}]})");
    ASSERT_TRUE(def) << def.error().what();
    const auto cal = BusinessCalendar::make(def.value()).value();
    auto h = cal.holidays({2025, 7, 1}, {2025, 7, 10}).value();
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0].date, (Date{2025, 7, 7}));
    EXPECT_FALSE(h[0].provisional);
    // The month before ends the day before: its last day is confirmed too.
    auto last = cal.holidays({2025, 6, 20}, {2025, 6, 30}).value();
    ASSERT_EQ(last.size(), 1u);
    EXPECT_EQ(last[0].date, (Date{2025, 6, 27}));
    EXPECT_FALSE(last[0].provisional);
    // Round trip of the JSON form, hijri parts included.
    const std::string text = crm::to_json(def.value());
    EXPECT_NE(text.find(R"("calendar":"hijri")"), std::string::npos) << text;
    EXPECT_EQ(crm::parse_business_calendar(text).value(), def.value());
}

TEST(Hijri, BadLunarInputNamesTheField) {
    const auto err = [](const std::string& rest) {
        auto r = crm::parse_business_calendar(R"({"id":"x","week":{"saturday":["08:00-16:00"]},)" + rest + "}");
        EXPECT_FALSE(r) << rest;
        return r ? std::string() : r.error().field + ": " + r.error().what();
    };
    EXPECT_EQ(err(R"("holidays":[{"date":"1446-13-01","calendar":"hijri","every_year":true}])").rfind("holidays[0].date", 0), 0u);
    EXPECT_EQ(err(R"("holidays":[{"date":"1446-01-31","calendar":"hijri","every_year":true}])").rfind("holidays[0].date", 0), 0u);
    EXPECT_EQ(err(R"("holidays":[{"date":"ten","calendar":"hijri","every_year":true}])").rfind("holidays[0].date", 0), 0u);
    EXPECT_EQ(err(R"("holidays":[{"date":"1446-01-10","calendar":"hijri"}])").rfind("holidays[0].every_year", 0), 0u);
    EXPECT_EQ(err(R"("hijri_months":[{"month":"1446-01","starts":"1403-04-25"}])").rfind("hijri_months[0].starts", 0), 0u);
    EXPECT_EQ(err(R"("hijri_months":[{"month":"1700-01","starts":"1403-04-17"}])").rfind("hijri_months[0].month", 0), 0u);
    EXPECT_EQ(err(R"("hijri_months":[{"month":"1446","starts":"1403-04-17"}])").rfind("hijri_months[0].month", 0), 0u);
    EXPECT_EQ(err(R"("hijri_months":[{"month":"1446-01"}])").rfind("hijri_months[0].starts", 0), 0u);
    EXPECT_EQ(err(R"("hijri_months":[{"month":"1446-01","starts":"1403-04-17"},{"month":"1446-01","starts":"1403-04-17"}])")
                  .rfind("hijri_months[1].month", 0), 0u);
    // Two confirmed starts 28 days apart cannot both hold.
    EXPECT_EQ(err(R"("hijri_months":[{"month":"1446-01","starts":"2024-07-07","calendar":"gregorian"},
                                     {"month":"1446-02","starts":"2024-08-04","calendar":"gregorian"}])")
                  .rfind("hijri_months", 0), 0u);
    auto cal = BusinessCalendar::iran_default();
    EXPECT_EQ(cal.holidays({2025, 2, 1}, {2025, 1, 1}).error().field, "to");
    EXPECT_EQ(cal.holidays({2025, 2, 30}, {2025, 3, 1}).error().field, "from");
    EXPECT_EQ(cal.holidays({2000, 1, 1}, {2025, 1, 1}).error().field, "to");
}
