// tests/conformance/cohort_test.cpp - cohort retention and inactivity churn
// from stored purchases, by Gregorian month and Jalali quarter, on every
// backend; and the CDNOW cohorts against a count made straight from the file.
#include <cmath>
#include <map>
#include <set>

#include "backends.hpp"
#include "crm/analytics/analytics.hpp"

namespace crm::testing {
namespace {

class CohortData : public Conformance {
protected:
    int orders = 0;
    void buy(const Party& p, Timestamp at, std::int64_t minor, const char* currency = "IRR") {
        Purchase x;
        x.party = p.id;
        x.order_id = "o" + std::to_string(++orders);
        x.ordered_at = at;
        x.total = Money{minor, currency};
        must(engine->record_purchase(ctx, x));
    }
    // P1 buys in January (twice), February and May; P2 once in January; P3
    // in March (twice); P4 only after the present (2024-06-15).
    void make() {
        Party p1 = person("C1", "Sara", "Ahmadi"), p2 = person("C2", "Ali", "Karimi"),
              p3 = person("C3", "Reza", "Moradi"), p4 = person("C4", "Nika", "Azadi");
        buy(p1, utc_day(2024, 1, 5), 100);
        buy(p1, utc_day(2024, 1, 20), 50);
        buy(p1, utc_day(2024, 2, 10), 30);
        buy(p1, utc_day(2024, 5, 1), 10);
        buy(p2, utc_day(2024, 1, 31), 200);
        buy(p3, utc_day(2024, 3, 1), 70);
        buy(p3, utc_day(2024, 3, 2), 5);
        buy(p4, utc_day(2024, 7, 1), 1000);
    }
    CohortQuery query() {
        CohortQuery q;
        q.time_zone = "UTC";
        q.as_of = utc_day(2024, 6, 15);
        q.churn_after = 2;
        q.min_records = 2;
        return q;
    }
    Cohorts cohorts(const CohortQuery& q) { return must(Analytics(*engine).cohorts(q)); }
};

TEST_P(CohortData, RetentionByMonthLeavesTheFutureEmpty) {
    make();
    Cohorts c = cohorts(query());
    EXPECT_EQ(c.currency, "IRR");
    EXPECT_EQ(c.as_of_period, "2024-06");
    EXPECT_EQ(c.customers, 3);
    EXPECT_EQ(c.purchases_read, 7);
    EXPECT_EQ(c.purchases_after_as_of, 1);
    ASSERT_EQ(c.rows.size(), 6u);  // 2024-01 .. 2024-06
    const CohortRow& jan = c.rows[0];
    EXPECT_EQ(jan.period, "2024-01");
    EXPECT_EQ(jan.customers, 2);
    ASSERT_EQ(jan.cells.size(), 6u);
    for (const auto& cell : jan.cells) ASSERT_TRUE(cell.has_value());
    EXPECT_EQ(jan.cells[0]->customers, 2);
    EXPECT_EQ(jan.cells[0]->revenue_minor, 350);
    EXPECT_DOUBLE_EQ(jan.cells[0]->retained.value, 1.0);
    EXPECT_EQ(jan.cells[1]->customers, 1);  // P1 in February
    EXPECT_EQ(jan.cells[1]->revenue_minor, 30);
    EXPECT_DOUBLE_EQ(jan.cells[1]->retained.value, 0.5);
    EXPECT_EQ(jan.cells[2]->customers, 0);
    EXPECT_EQ(jan.cells[4]->customers, 1);  // P1 in May
    EXPECT_EQ(jan.cells[4]->revenue_minor, 10);
    EXPECT_EQ(c.rows[1].period, "2024-02");
    EXPECT_EQ(c.rows[1].customers, 0);
    EXPECT_EQ(c.rows[1].cells[0]->retained.trials, 0);
    const CohortRow& mar = c.rows[2];
    EXPECT_EQ(mar.customers, 1);
    EXPECT_EQ(mar.cells[0]->revenue_minor, 75);  // two purchases, one period
    EXPECT_TRUE(mar.cells[3].has_value());       // June, the present
    EXPECT_FALSE(mar.cells[4].has_value());      // July: the future, not zero
    EXPECT_FALSE(mar.cells[5].has_value());
    EXPECT_EQ(c.rows[5].period, "2024-06");
    EXPECT_TRUE(c.rows[5].cells[0].has_value());
    EXPECT_FALSE(c.rows[5].cells[1].has_value());
}

TEST_P(CohortData, ChurnCountsLapsesAndReturns) {
    make();
    Cohorts c = cohorts(query());
    // Ended periods only: January to May.
    ASSERT_EQ(c.churn.size(), 5u);
    struct Want {
        const char* period;
        std::int64_t start, fresh, returned, churned, end;
    };
    const Want want[] = {{"2024-01", 0, 2, 0, 0, 2},
                         {"2024-02", 2, 0, 0, 0, 2},
                         {"2024-03", 2, 1, 0, 1, 2},   // P2: nothing in Feb and Mar
                         {"2024-04", 2, 0, 0, 1, 1},   // P1: nothing in Mar and Apr
                         {"2024-05", 1, 0, 1, 1, 1}};  // P1 back; P3 lapses
    for (std::size_t i = 0; i < 5; ++i) {
        SCOPED_TRACE(want[i].period);
        const ChurnRow& r = c.churn[i];
        EXPECT_EQ(r.period, want[i].period);
        EXPECT_EQ(r.active_at_start, want[i].start);
        EXPECT_EQ(r.new_customers, want[i].fresh);
        EXPECT_EQ(r.returned, want[i].returned);
        EXPECT_EQ(r.churned, want[i].churned);
        EXPECT_EQ(r.active_at_end, want[i].end);
        EXPECT_EQ(r.churn_rate.successes, want[i].churned);
        EXPECT_EQ(r.churn_rate.trials, want[i].start);
    }
    EXPECT_DOUBLE_EQ(c.churn[3].churn_rate.value, 0.5);

    // From March: the customers active before it are still counted.
    CohortQuery q = query();
    q.since = "2024-03";
    Cohorts later = cohorts(q);
    ASSERT_EQ(later.rows.size(), 4u);
    EXPECT_EQ(later.rows[0].period, "2024-03");
    ASSERT_EQ(later.churn.size(), 3u);
    EXPECT_EQ(later.churn[0].active_at_start, 2);
    EXPECT_EQ(later.churn[2].active_at_end, 1);
    // A year names its first month.
    q.since = "2024";
    EXPECT_EQ(cohorts(q).rows.size(), 6u);
}

TEST_P(CohortData, JalaliQuartersFollowTheZonesDays) {
    Party a = person("J1", "Maryam", "Rahimi"), b = person("J2", "Hamid", "Sadeghi");
    // 2025-03-20 is 1403-12-30, the last day of 1403; in Tehran
    // 2025-03-20T21:00Z is already 1404-01-01.
    buy(a, utc_day(2025, 3, 20), 10);
    buy(b, {utc_day(2025, 3, 20).ms + 21 * 3'600'000}, 20);
    buy(a, utc_day(2025, 4, 10), 30);
    CohortQuery q;
    q.unit = PeriodUnit::quarter;
    q.calendar = CalendarSystem::jalali;
    q.as_of = utc_day(2025, 6, 1);
    Cohorts c = cohorts(q);
    ASSERT_EQ(c.rows.size(), 2u);
    EXPECT_EQ(c.rows[0].period, "1403-Q4");
    EXPECT_EQ(c.rows[0].customers, 1);
    EXPECT_EQ(c.rows[0].cells[1]->customers, 1);  // a again in 1404-Q1
    EXPECT_EQ(c.rows[0].cells[1]->revenue_minor, 30);
    EXPECT_EQ(c.rows[1].period, "1404-Q1");
    EXPECT_EQ(c.rows[1].customers, 1);
    EXPECT_EQ(c.as_of_period, "1404-Q1");
    // The same instants in UTC: both in 1403-Q4.
    q.time_zone = "UTC";
    Cohorts utc = cohorts(q);
    EXPECT_EQ(utc.rows[0].customers, 2);
}

TEST_P(CohortData, BadQueriesNameTheField) {
    make();
    Party p = person("C9", "Omid", "Jafari");
    buy(p, utc_day(2024, 2, 1), 500, "USD");
    Analytics an(*engine);
    CohortQuery q = query();
    q.currency = "IRR";
    EXPECT_EQ(cohorts(q).purchases_other_currencies, 1);
    CRM_EXPECT_ERROR(an.cohorts(query()), errc::invalid_argument, "currency");  // IRR and USD
    q.churn_after = 0;
    CRM_EXPECT_ERROR(an.cohorts(q), errc::invalid_argument, "churn_after");
    q = query();
    q.currency = "IRR";
    q.since = "2024-07";  // after as_of
    CRM_EXPECT_ERROR(an.cohorts(q), errc::invalid_argument, "since");
    q.since = "1900";  // more than 600 months
    CRM_EXPECT_ERROR(an.cohorts(q), errc::invalid_argument, "since");
    q.since = "2024-13";
    CRM_EXPECT_ERROR(an.cohorts(q), errc::invalid_argument, "since");
    q.since.clear();
    q.time_zone = "Mars/Olympus";
    CRM_EXPECT_ERROR(an.cohorts(q), errc::invalid_argument, "time_zone");
    q = query();
    q.currency = "XXQ";
    CRM_EXPECT_ERROR(an.cohorts(q), errc::invalid_argument, "currency");
    q = query();
    q.min_records = -1;
    CRM_EXPECT_ERROR(an.cohorts(q), errc::invalid_argument, "min_records");
}

TEST_P(CohortData, NoPurchasesIsAnEmptyTable) {
    Cohorts c = cohorts(query());
    EXPECT_EQ(c.customers, 0);
    EXPECT_TRUE(c.rows.empty());
    CohortQuery q = query();
    q.since = "2024-05";
    Cohorts shown = cohorts(q);
    ASSERT_EQ(shown.rows.size(), 2u);
    EXPECT_EQ(shown.rows[0].customers, 0);
    EXPECT_EQ(shown.churn.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, CohortData, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

// The CDNOW sample's monthly cohorts (its customers first bought in
// January to March 1997) against a count made straight from the file.
TEST_P(Conformance, CohortsOfCdnowMatchTheFile) {
    std::map<std::string, std::map<int, std::int64_t>> months;  // id -> month -> cents
    load_cdnow(*engine, ctx, [&](const CdnowPurchase& x) {
        months[x.customer][(x.ymd / 10000 - 1997) * 12 + x.ymd / 100 % 100 - 1] += x.cents;
    });
    // Straight from the file: cohort sizes, and per cohort and month the
    // customers who bought and their spend.
    std::map<int, std::int64_t> size;
    std::map<std::pair<int, int>, std::pair<std::int64_t, std::int64_t>> cell;
    for (const auto& [who, by_month] : months) {
        const int first = by_month.begin()->first;
        ++size[first];
        for (const auto& [m, cents] : by_month) {
            ++cell[{first, m - first}].first;
            cell[{first, m - first}].second += cents;
        }
    }
    CohortQuery q;
    q.time_zone = "UTC";
    q.as_of = utc_day(1998, 6, 30);
    Cohorts c = must(Analytics(*engine).cohorts(q));
    EXPECT_EQ(c.customers, 2357);
    ASSERT_EQ(c.rows.size(), 18u);  // 1997-01 .. 1998-06
    ASSERT_EQ(size.size(), 3u);
    for (int k = 0; k < 18; ++k) {
        const CohortRow& row = c.rows[static_cast<std::size_t>(k)];
        EXPECT_EQ(row.customers, size.count(k) ? size[k] : 0) << row.period;
        for (int o = 0; k + o < 18; ++o) {
            auto want = cell.count({k, o}) ? cell[{k, o}] : std::pair<std::int64_t, std::int64_t>{0, 0};
            ASSERT_TRUE(row.cells[static_cast<std::size_t>(o)].has_value());
            EXPECT_EQ(row.cells[static_cast<std::size_t>(o)]->customers, want.first) << row.period << "+" << o;
            EXPECT_EQ(row.cells[static_cast<std::size_t>(o)]->revenue_minor, want.second) << row.period << "+" << o;
        }
    }
    EXPECT_EQ(c.rows[0].period, "1997-01");
}

}  // namespace
}  // namespace crm::testing
