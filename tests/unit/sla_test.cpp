// tests/unit/sla_test.cpp - the clock of an SLA KPI on business time: the
// edge cases of the service desk by name (opening outside working hours,
// a pause across a weekend and a holiday, a pause never resumed, resolution
// exactly at the deadline, a zone with daylight saving against Tehran),
// statuses, next_change, recomputation and the explanation trace.
#include "crm/service/sla.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

using crm::BusinessCalendar;
using crm::SlaInstance;
using crm::SlaKpi;
using crm::SlaStatus;
using crm::Timestamp;
namespace sla = crm::sla;

namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 3'600'000;

Timestamp at(const std::string& iso) {
    auto r = crm::parse_iso8601(iso);
    EXPECT_TRUE(r) << iso;
    return r ? r.value() : Timestamp{};
}
// Tehran wall time (+03:30, no DST since 2023): "2026-02-09 08:00".
Timestamp tehran(const std::string& wall) { return at(wall + ":00+03:30"); }
std::string tehran_wall(std::optional<Timestamp> t) {
    if (!t) return "(none)";
    return crm::to_iso8601(Timestamp{t->ms + 210 * kMinute}).substr(0, 16);
}

BusinessCalendar calendar(const std::string& json) {
    auto def = crm::parse_business_calendar(json);
    EXPECT_TRUE(def) << (def ? "" : def.error().what());
    auto cal = BusinessCalendar::make(def ? def.value() : crm::BusinessCalendarDef{});
    EXPECT_TRUE(cal) << (cal ? "" : cal.error().what());
    return cal ? cal.value() : BusinessCalendar::iran_default();
}

SlaInstance started(Timestamp t, std::int64_t warning, std::int64_t failure,
                    const BusinessCalendar& cal) {
    auto s = sla::start(SlaKpi::resolution, t, warning, failure, cal);
    EXPECT_TRUE(s) << (s ? "" : s.error().what());
    return s ? s.value() : SlaInstance{};
}

// Iran's public-sector week (Saturday-Wednesday 08-16, Thursday 08-12,
// Friday off) with 22 Bahman 1404 = Wednesday 2026-02-11 a holiday.
const BusinessCalendar kIran = BusinessCalendar::iran_default();

}  // namespace

TEST(Sla, OpenedOutsideWorkingHoursCountsFromTheNextMorning) {
    // Friday evening: nothing counts until Saturday 08:00.
    SlaInstance s = started(tehran("2026-02-13T20:00"), 2 * kHour, 4 * kHour, kIran);
    EXPECT_EQ(tehran_wall(s.warning_at), "2026-02-14T10:00");
    EXPECT_EQ(tehran_wall(s.failure_at), "2026-02-14T12:00");
    EXPECT_EQ(s.status, SlaStatus::in_progress);
    // Thursday 11:00 with four hours: one on Thursday, three on Saturday.
    SlaInstance t = started(tehran("2026-02-12T11:00"), 0, 4 * kHour, kIran);
    EXPECT_EQ(tehran_wall(t.failure_at), "2026-02-14T11:00");
    EXPECT_EQ(t.warning_at, t.started_at);  // a zero warning warns at once
}

TEST(Sla, PauseAcrossAWeekendAndAHoliday) {
    // Monday 08:00, 16 business hours; paused Monday 12:00 to Tuesday 12:00
    // (8 working hours), then 12 hours remain: Tuesday 12-16, Wednesday is
    // 22 Bahman, Thursday 08-12, Friday off, Saturday 08-12.
    SlaInstance s = started(tehran("2026-02-09T08:00"), 12 * kHour, 16 * kHour, kIran);
    EXPECT_EQ(tehran_wall(s.failure_at), "2026-02-10T16:00");  // unpaused: Monday and Tuesday
    sla::pause(s, tehran("2026-02-09T12:00"), kIran);
    EXPECT_EQ(s.status, SlaStatus::paused);
    EXPECT_FALSE(s.failure_at);
    EXPECT_FALSE(sla::next_change(s));
    sla::resume(s, tehran("2026-02-10T12:00"), kIran);
    EXPECT_EQ(s.status, SlaStatus::in_progress);
    EXPECT_EQ(tehran_wall(s.warning_at), "2026-02-12T12:00");
    EXPECT_EQ(tehran_wall(s.failure_at), "2026-02-14T12:00");
    EXPECT_EQ(s.elapsed_ms, 4 * kHour);
    EXPECT_EQ(s.paused_ms, 8 * kHour);

    // A pause from Tuesday 14:00 over the holiday and the weekend to
    // Saturday 10:00 stops 8 working hours as well.
    SlaInstance w = started(tehran("2026-02-10T08:00"), 12 * kHour, 16 * kHour, kIran);
    sla::pause(w, tehran("2026-02-10T14:00"), kIran);
    sla::resume(w, tehran("2026-02-14T10:00"), kIran);
    EXPECT_EQ(w.paused_ms, 8 * kHour);
    EXPECT_EQ(tehran_wall(w.failure_at), "2026-02-15T12:00");

    // The explanation walks it: counted, paused, counted, the holiday by
    // name, the weekly day off, and ends at the deadline.
    const crm::BusinessTrace trace = sla::explain(s, kIran, tehran("2026-02-11T09:00"));
    ASSERT_FALSE(trace.steps.empty());
    EXPECT_EQ(trace.steps.front().from, s.started_at);
    EXPECT_EQ(trace.steps.back().to, *s.failure_at);
    std::int64_t counted = 0, paused = 0;
    bool holiday = false, day_off = false;
    for (std::size_t i = 0; i < trace.steps.size(); ++i) {
        const auto& step = trace.steps[i];
        if (i > 0) {
            EXPECT_EQ(step.from, trace.steps[i - 1].to) << i;
        }
        if (step.what == "counted") counted += step.to.ms - step.from.ms;
        if (step.what == "paused") paused += step.to.ms - step.from.ms;
        holiday |= step.what == "holiday: Revolution Day";
        day_off |= step.what == "weekly day off";
    }
    EXPECT_EQ(counted, 16 * kHour);
    EXPECT_EQ(paused, 24 * kHour);  // wall time of the pause
    EXPECT_TRUE(holiday);
    EXPECT_TRUE(day_off);
    EXPECT_EQ(trace.steps[1].what, "paused");
}

TEST(Sla, APauseNeverResumedIsNotMet) {
    SlaInstance s = started(tehran("2026-02-09T08:00"), 2 * kHour, 4 * kHour, kIran);
    sla::pause(s, tehran("2026-02-09T09:00"), kIran);
    // A year later it is still paused: not breached, not met.
    sla::recompute(s, kIran, tehran("2027-02-09T08:00"));
    EXPECT_EQ(s.status, SlaStatus::paused);
    EXPECT_EQ(s.elapsed_ms, kHour);
    EXPECT_GT(s.paused_ms, 1000 * kHour);
    // Closing the ticket while paused cancels the KPI; it does not succeed.
    sla::stop(s, tehran("2027-02-09T08:00"), kIran);
    EXPECT_EQ(s.status, SlaStatus::cancelled);
    ASSERT_TRUE(s.stopped_at);
    // A stopped clock does not move any more.
    SlaInstance copy = s;
    sla::resume(s, tehran("2027-02-10T08:00"), kIran);
    sla::stop(s, tehran("2027-02-10T08:00"), kIran);
    EXPECT_EQ(s, copy);
}

TEST(Sla, ResolutionExactlyAtTheDeadlineIsMet) {
    const Timestamp open = tehran("2026-02-09T08:00");
    SlaInstance s = started(open, 3 * kHour, 8 * kHour, kIran);
    ASSERT_EQ(tehran_wall(s.failure_at), "2026-02-09T16:00");  // the end of the day, not next morning
    SlaInstance late = s;
    sla::recompute(s, kIran, *s.failure_at);
    EXPECT_EQ(s.status, SlaStatus::nearing_breach);
    sla::stop(s, *s.failure_at, kIran);
    EXPECT_EQ(s.status, SlaStatus::succeeded);
    EXPECT_EQ(s.elapsed_ms, 8 * kHour);

    sla::stop(late, Timestamp{late.failure_at->ms + 1}, kIran);
    EXPECT_EQ(late.status, SlaStatus::breached);
}

TEST(Sla, DaylightSavingZoneAgainstTehran) {
    // The same office hours in Berlin and Tehran, Monday-Friday 09-17.
    const std::string week = R"("week":{"monday":["09:00-17:00"],"tuesday":["09:00-17:00"],
        "wednesday":["09:00-17:00"],"thursday":["09:00-17:00"],"friday":["09:00-17:00"]}})";
    const BusinessCalendar berlin =
        calendar(R"({"id":"berlin","time_zone":"Europe/Berlin",)" + week);
    const BusinessCalendar tehran_office =
        calendar(R"({"id":"tehran","time_zone":"Asia/Tehran",)" + week);
    // Friday 2025-03-28 16:00 local, 2 business hours: Berlin's clocks go
    // forward on Sunday, so Monday 10:00 is 08:00Z (it was 15:00Z on Friday).
    SlaInstance b = started(at("2025-03-28T15:00:00Z"), kHour, 2 * kHour, berlin);
    EXPECT_EQ(crm::to_iso8601(*b.failure_at), "2025-03-31T08:00:00Z");
    // Tehran keeps +03:30: Friday 16:00 = 12:30Z, Monday 10:00 = 06:30Z.
    SlaInstance t = started(at("2025-03-28T12:30:00Z"), kHour, 2 * kHour, tehran_office);
    EXPECT_EQ(crm::to_iso8601(*t.failure_at), "2025-03-31T06:30:00Z");
    // Across the October change: a pause from Friday 16:00 to Monday 09:00
    // stops one working hour (Friday 16-17 CEST); forty hours from Monday
    // 09:00 CET end on Friday at 17:00 CET, 16:00Z (a week earlier 17:00
    // was 15:00Z).
    SlaInstance o = started(at("2025-10-24T14:00:00Z"), 0, 40 * kHour, berlin);  // Fri 16:00 CEST
    sla::pause(o, at("2025-10-24T14:00:00Z"), berlin);
    sla::resume(o, at("2025-10-27T08:00:00Z"), berlin);  // Mon 09:00 CET
    EXPECT_EQ(o.paused_ms, kHour);
    EXPECT_EQ(crm::to_iso8601(*o.failure_at), "2025-10-31T16:00:00Z");
}

TEST(Sla, StatusesAndNextChange) {
    SlaInstance s = started(tehran("2026-02-09T08:00"), 2 * kHour, 4 * kHour, kIran);
    EXPECT_EQ(sla::next_change(s), s.warning_at);
    sla::recompute(s, kIran, Timestamp{s.warning_at->ms - 1});
    EXPECT_EQ(s.status, SlaStatus::in_progress);
    sla::recompute(s, kIran, *s.warning_at);
    EXPECT_EQ(s.status, SlaStatus::nearing_breach);
    EXPECT_EQ(sla::next_change(s)->ms, s.failure_at->ms + 1);
    sla::recompute(s, kIran, Timestamp{s.failure_at->ms + 1});
    EXPECT_EQ(s.status, SlaStatus::breached);
    EXPECT_FALSE(sla::next_change(s));
    // A breach stays on record through a pause and a cancel.
    sla::pause(s, tehran("2026-02-09T13:00"), kIran);
    EXPECT_EQ(s.status, SlaStatus::breached);
    sla::cancel(s, tehran("2026-02-09T14:00"), kIran);
    EXPECT_EQ(s.status, SlaStatus::breached);
    // Nor does a later deadline or an earlier time take it back.
    SlaInstance late = started(tehran("2026-02-09T08:00"), 2 * kHour, 4 * kHour, kIran);
    sla::recompute(late, kIran, tehran("2026-02-09T13:00"));
    ASSERT_EQ(late.status, SlaStatus::breached);
    late.failure_ms = 40 * kHour;
    sla::recompute(late, kIran, tehran("2026-02-09T09:00"));
    EXPECT_EQ(late.status, SlaStatus::breached);
    sla::stop(late, tehran("2026-02-09T09:00"), kIran);
    EXPECT_EQ(late.status, SlaStatus::breached);

    // The warning is remembered through a pause and a later target.
    SlaInstance w = started(tehran("2026-02-09T08:00"), 2 * kHour, 4 * kHour, kIran);
    EXPECT_FALSE(w.warned);
    sla::recompute(w, kIran, tehran("2026-02-09T10:30"));
    EXPECT_TRUE(w.warned);
    sla::pause(w, tehran("2026-02-09T10:30"), kIran);
    EXPECT_EQ(w.status, SlaStatus::paused);
    w.warning_ms = 3 * kHour;
    sla::resume(w, tehran("2026-02-09T10:45"), kIran);
    EXPECT_EQ(w.status, SlaStatus::in_progress);
    EXPECT_TRUE(w.warned);

    SlaInstance c = started(tehran("2026-02-09T08:00"), 2 * kHour, 4 * kHour, kIran);
    sla::cancel(c, tehran("2026-02-09T09:00"), kIran);
    EXPECT_EQ(c.status, SlaStatus::cancelled);
    EXPECT_EQ(c.elapsed_ms, kHour);
}

TEST(Sla, ACalendarChangeRecomputes) {
    SlaInstance s = started(tehran("2026-02-09T08:00"), 2 * kHour, 10 * kHour, kIran);
    EXPECT_EQ(tehran_wall(s.failure_at), "2026-02-10T10:00");
    // The office now works 08-18 on Mondays.
    const BusinessCalendar longer = calendar(R"({"id":"x","week":{"monday":["08:00-18:00"],
        "tuesday":["08:00-16:00"]}})");
    sla::recompute(s, longer, tehran("2026-02-09T09:00"));
    EXPECT_EQ(tehran_wall(s.failure_at), "2026-02-09T18:00");
}

TEST(Sla, RejectsBadTargets) {
    auto zero = sla::start(SlaKpi::first_response, Timestamp{}, 0, 0, kIran);
    ASSERT_FALSE(zero);
    EXPECT_EQ(zero.error().field, "failure_ms");
    auto warn = sla::start(SlaKpi::first_response, Timestamp{}, 5, 4, kIran);
    ASSERT_FALSE(warn);
    EXPECT_EQ(warn.error().field, "warning_ms");
    auto negative = sla::start(SlaKpi::first_response, Timestamp{}, -1, 4, kIran);
    ASSERT_FALSE(negative);
    EXPECT_EQ(negative.error().field, "warning_ms");
}

TEST(Sla, EnumNamesRoundTrip) {
    for (auto k : {SlaKpi::first_response, SlaKpi::next_response, SlaKpi::resolution})
        EXPECT_EQ(crm::parse_sla_kpi(crm::to_string(k)).value(), k);
    for (auto st : {SlaStatus::in_progress, SlaStatus::nearing_breach, SlaStatus::breached,
                    SlaStatus::paused, SlaStatus::succeeded, SlaStatus::cancelled})
        EXPECT_EQ(crm::parse_sla_status(crm::to_string(st)).value(), st);
    auto bad = crm::parse_sla_kpi("fast");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().field, "kpi");
}

// Random pauses: the counted and paused business time always add up to the
// business time since the start, and the failure instant is exactly where
// the running spans reach the target.
TEST(Sla, PausesPropertyAgainstBetween) {
    std::mt19937_64 rng(20261201);
    const Timestamp base = tehran("2026-01-03T00:00");
    for (int round = 0; round < 300; ++round) {
        const Timestamp open{base.ms + static_cast<std::int64_t>(rng() % (60 * 24)) * kMinute * 7};
        const std::int64_t failure = (1 + static_cast<std::int64_t>(rng() % 80)) * 15 * kMinute;
        SlaInstance s = started(open, failure / 2, failure, kIran);
        Timestamp t = open;
        const int pauses = static_cast<int>(rng() % 4);
        for (int i = 0; i < pauses; ++i) {
            t.ms += static_cast<std::int64_t>(rng() % (3 * 24)) * 20 * kMinute;
            sla::pause(s, t, kIran);
            t.ms += static_cast<std::int64_t>(rng() % (3 * 24)) * 20 * kMinute;
            sla::resume(s, t, kIran);
        }
        const Timestamp now{t.ms + static_cast<std::int64_t>(rng() % 1000) * kMinute};
        sla::recompute(s, kIran, now);
        ASSERT_EQ(s.elapsed_ms + s.paused_ms, kIran.between(open, now)) << round;
        ASSERT_TRUE(s.failure_at) << round;
        // Business time on the running spans up to failure_at is the target.
        std::int64_t running = kIran.between(open, *s.failure_at);
        for (const auto& p : s.pauses)
            if (p.from < *s.failure_at)
                running -= kIran.between(p.from, std::min(*p.to, *s.failure_at));
        ASSERT_EQ(running, failure) << round;
        // The target is reached by working time: the millisecond before the
        // deadline is working time (not a pause, a night or a holiday).
        ASSERT_TRUE(kIran.is_working(Timestamp{s.failure_at->ms - 1})) << round;
    }
}
