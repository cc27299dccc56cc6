// bench/bench_service.cpp - the service figures, each beside its baseline:
// business-time deadlines in a calendar with a year of holidays vs a plain
// C++ loop that knows only a fixed-offset week and a holiday set.
#include <benchmark/benchmark.h>

#include <array>
#include <random>
#include <unordered_set>
#include <vector>

#include "crm/crm.hpp"

namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// Iran's public-sector week with every fixed holiday and a year of dated
// lunar ones (27 days off in all), in Asia/Tehran.
crm::BusinessCalendar year_calendar() {
    crm::BusinessCalendarDef def = crm::BusinessCalendar::iran_default().def();
    def.id = "bench";
    const char* dated[] = {"2026-01-03", "2026-01-17", "2026-02-03", "2026-03-11",
                           "2026-03-20", "2026-03-21", "2026-05-27", "2026-06-04",
                           "2026-06-25", "2026-06-26", "2026-08-04", "2026-08-12",
                           "2026-08-14", "2026-08-20", "2026-09-08", "2026-12-23"};
    for (const char* d : dated) {
        crm::Holiday h;
        h.calendar = crm::CalendarSystem::gregorian;
        h.date = crm::parse_date(d, crm::CalendarSystem::gregorian).value();
        h.name = "lunar";
        def.holidays.push_back(h);
    }
    return crm::BusinessCalendar::make(def).value();
}

// Start instants spread over 2026 and targets of 1 to 40 business hours.
struct Case {
    crm::Timestamp start;
    std::int64_t target_ms;
};
std::vector<Case> cases() {
    std::mt19937_64 rng(7);
    std::vector<Case> out(4096);
    const std::int64_t year_start = crm::parse_iso8601("2026-01-01T00:00:00+03:30").value().ms;
    for (auto& c : out) {
        c.start = crm::Timestamp{year_start + static_cast<std::int64_t>(rng() % (360 * 24 * 60)) * kMinute};
        c.target_ms = (1 + static_cast<std::int64_t>(rng() % 40)) * kHour;
    }
    return out;
}

void BM_SlaDeadline(benchmark::State& state) {
    const crm::BusinessCalendar cal = year_calendar();
    const std::vector<Case> in = cases();
    std::size_t i = 0;
    for (auto _ : state) {
        const Case& c = in[i++ & (in.size() - 1)];
        benchmark::DoNotOptimize(cal.add(c.start, c.target_ms).value());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SlaDeadline);

// A KPI clock started: both deadlines and the counts.
void BM_SlaStart(benchmark::State& state) {
    const crm::BusinessCalendar cal = year_calendar();
    const std::vector<Case> in = cases();
    std::size_t i = 0;
    for (auto _ : state) {
        const Case& c = in[i++ & (in.size() - 1)];
        benchmark::DoNotOptimize(
            crm::sla::start(crm::SlaKpi::resolution, c.start, c.target_ms / 2, c.target_ms, cal));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SlaStart);

// The baseline: the same week and days off at a fixed +03:30, walked day by
// day over a hash set of local day numbers. No zone rules, no trace, no
// Jalali dates: what a hand-written deadline loop does.
void BM_SlaDeadlineBaseline(benchmark::State& state) {
    const crm::BusinessCalendar cal = year_calendar();
    const std::int64_t offset = 210 * kMinute;
    std::unordered_set<std::int64_t> off_days;
    for (std::int64_t d = 20'400; d < 20'900; ++d)  // 2025-11 .. 2027-03
        if (cal.between(crm::Timestamp{d * kDay - offset}, crm::Timestamp{(d + 1) * kDay - offset}) == 0)
            off_days.insert(d);
    // Sunday = 0 .. Saturday = 6 (1970-01-01 was a Thursday).
    static constexpr std::array<std::int64_t, 7> kOpen = {8 * kHour, 8 * kHour, 8 * kHour,
                                                          8 * kHour, 8 * kHour, 0, 8 * kHour};
    static constexpr std::array<std::int64_t, 7> kClose = {16 * kHour, 16 * kHour, 16 * kHour,
                                                           16 * kHour, 12 * kHour, 0, 16 * kHour};
    const std::vector<Case> in = cases();
    std::size_t i = 0;
    for (auto _ : state) {
        const Case& c = in[i++ & (in.size() - 1)];
        std::int64_t local = c.start.ms + offset;
        std::int64_t day = local / kDay;
        std::int64_t left = c.target_ms;
        std::int64_t result = 0;
        for (;; ++day) {
            const int wd = static_cast<int>((day + 4) % 7);
            if (kClose[wd] == 0 || off_days.count(day)) continue;
            const std::int64_t open = day * kDay + kOpen[wd], close = day * kDay + kClose[wd];
            const std::int64_t from = std::max(open, local);
            if (from >= close) continue;
            if (close - from >= left) {
                result = from + left - offset;
                break;
            }
            left -= close - from;
        }
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SlaDeadlineBaseline);

}  // namespace
