// tests/conformance/forecast_test.cpp - the forecast of a Jalali and a
// Gregorian period, days per stage, and the pipeline as it stood at an
// instant, on every backend.
#include "backends.hpp"

namespace crm::testing {
namespace {

constexpr std::int64_t kDay = 86'400'000;

class Deals {
public:
    Deals(Engine& engine, const Context& ctx, const Id& party)
        : sales_(engine), ctx_(ctx), party_(party) {}

    Opportunity add(const std::string& owner, std::int64_t amount, const std::string& close,
                    const std::string& team = "") {
        OpportunityInput in;
        in.party = party_;
        in.name = "deal";
        in.owner = owner;
        in.team = team;
        in.amount = Money{amount, "IRR"};
        in.expected_close = close;
        return must(sales_.create_opportunity(ctx_, in));
    }
    void move(const Opportunity& o, const std::string& to) {
        MoveInput m;
        m.move = to;
        must(sales_.move_opportunity(ctx_, o.id, m));
    }
    void close(const Opportunity& o, bool won) {
        CloseRecord c;
        c.reason = won ? "price" : "timing";
        must(won ? sales_.win_opportunity(ctx_, o.id, c) : sales_.lose_opportunity(ctx_, o.id, c));
    }
    Sales& sales() { return sales_; }

private:
    Sales sales_;
    const Context& ctx_;
    Id party_;
};

TEST_P(Conformance, ForecastByTeamWithFilters) {
    clock->set(Timestamp{1'742'889'600'000});  // 2025-03-25T08:00Z = 1404-01-05 in Tehran
    Party p = person("C1", "Ali", "Rezaei");
    Deals deals(*engine, ctx, p.id);
    deals.add("sara", 1'000, "1404-02-10", "north");
    Opportunity won = deals.add("reza", 4'000, "1404-02-01", "north");
    deals.add("reza", 2'000, "1404-02-01", "south");
    deals.move(won, "propose");
    deals.close(won, true);

    ForecastQuery q;
    q.period = "1404-Q1";
    q.calendar = CalendarSystem::jalali;
    q.group_by = ForecastGroup::team;
    Forecast f = must(deals.sales().forecast(q));
    ASSERT_EQ(f.rows.size(), 2u);
    EXPECT_EQ(f.rows[0].group, "north");
    EXPECT_EQ(f.rows[0].pipeline.count, 1);
    EXPECT_EQ(f.rows[0].pipeline.amount_minor, 1'000);
    EXPECT_EQ(f.rows[0].won_count, 1);
    EXPECT_EQ(f.rows[0].won_minor, 4'000);
    EXPECT_EQ(f.rows[1].group, "south");
    EXPECT_EQ(f.rows[1].pipeline.amount_minor, 2'000);
    EXPECT_EQ(f.rows[1].won_count, 0);

    q.team = "south";
    Forecast south = must(deals.sales().forecast(q));
    ASSERT_EQ(south.rows.size(), 1u);
    EXPECT_EQ(south.rows[0].group, "south");
    q.team.clear();
    q.owner = "reza";
    q.group_by = ForecastGroup::owner;
    Forecast reza = must(deals.sales().forecast(q));
    ASSERT_EQ(reza.rows.size(), 1u);
    EXPECT_EQ(reza.rows[0].pipeline.amount_minor, 2'000);
    EXPECT_EQ(reza.rows[0].won_count, 1);
    q.owner.clear();
    q.pipeline = "nope";
    EXPECT_TRUE(must(deals.sales().forecast(q)).rows.empty());
}

TEST_P(Conformance, ForecastOfAJalaliQuarterAndAGregorianMonth) {
    clock->set(Timestamp{1'742'889'600'000});  // 2025-03-25T08:00Z = 1404-01-05 in Tehran
    const Timestamp t0 = clock->now();
    Party p = person("C1", "Ali", "Rezaei");
    Deals deals(*engine, ctx, p.id);
    Opportunity a = deals.add("sara", 1'000, "1404-02-10");
    Opportunity b = deals.add("sara", 2'000, "1404-03-01");
    Opportunity c = deals.add("reza", 5'000, "1404-02-01");
    Opportunity d = deals.add("reza", 3'000, "1404-02-01");
    deals.add("sara", 7'000, "1404-05-01");  // next quarter
    clock->advance(2 * kDay);
    deals.move(b, "propose");
    deals.move(c, "propose");
    clock->advance(kDay);
    deals.move(b, "negotiate");
    deals.close(c, true);
    deals.close(d, false);

    ForecastQuery q;
    q.period = "1404-Q1";
    q.calendar = CalendarSystem::jalali;
    Forecast f = must(deals.sales().forecast(q));
    EXPECT_EQ(f.from_date, "2025-03-21");
    EXPECT_EQ(f.to_date, "2025-06-22");
    ASSERT_EQ(f.rows.size(), 2u);
    const ForecastRow& reza = f.rows[0];
    EXPECT_EQ(reza.group, "reza");
    EXPECT_EQ(reza.won_count, 1);
    EXPECT_EQ(reza.lost_count, 1);
    EXPECT_EQ(reza.won_minor, 5'000);
    EXPECT_DOUBLE_EQ(reza.win_rate, 0.5);
    EXPECT_EQ(reza.average_deal_minor, 5'000);
    const ForecastRow& sara = f.rows[1];
    EXPECT_EQ(sara.group, "sara");
    EXPECT_EQ(sara.currency, "IRR");
    EXPECT_EQ(sara.pipeline.count, 1);
    EXPECT_EQ(sara.pipeline.amount_minor, 1'000);
    EXPECT_EQ(sara.pipeline.weighted_minor, 100);
    EXPECT_EQ(sara.commit.count, 1);
    EXPECT_EQ(sara.commit.weighted_minor, 1'600);
    EXPECT_EQ(sara.best_case.count, 0);
    EXPECT_EQ(sara.won_count, 0);
    EXPECT_DOUBLE_EQ(sara.win_rate, 0.0);

    ASSERT_EQ(f.stages.size(), 2u);
    EXPECT_EQ(f.stages[0].stage, "propose");
    EXPECT_EQ(f.stages[0].moves, 2);
    EXPECT_DOUBLE_EQ(f.stages[0].average_days, 1.0);
    EXPECT_EQ(f.stages[1].stage, "qualify");
    EXPECT_EQ(f.stages[1].moves, 3);
    EXPECT_NEAR(f.stages[1].average_days, 7.0 / 3.0, 1e-9);

    q.owner = "sara";
    EXPECT_EQ(must(deals.sales().forecast(q)).rows.size(), 1u);
    q.owner.clear();
    q.group_by = ForecastGroup::pipeline;
    Forecast by_pipeline = must(deals.sales().forecast(q));
    ASSERT_EQ(by_pipeline.rows.size(), 1u);
    EXPECT_EQ(by_pipeline.rows[0].group, "sales");
    EXPECT_EQ(by_pipeline.rows[0].won_count, 1);

    ForecastQuery march;
    march.period = "2025-03";
    Forecast m = must(deals.sales().forecast(march));
    ASSERT_EQ(m.rows.size(), 1u) << "no open deal is expected to close in March";
    EXPECT_EQ(m.rows[0].group, "reza");

    ForecastQuery bad;
    bad.period = "1404-Q5";
    CRM_EXPECT_ERROR(deals.sales().forecast(bad), errc::invalid_argument, "period");
    bad.period = "soon";
    CRM_EXPECT_ERROR(deals.sales().forecast(bad), errc::invalid_argument, "period");
    bad.period = "2025";
    bad.time_zone = "Mars/Olympus";
    CRM_EXPECT_ERROR(deals.sales().forecast(bad), errc::invalid_argument, "time_zone");

    // The pipeline as it stood before any move, and now.
    auto before = must(deals.sales().pipeline_as_of("sales", Timestamp{t0.ms + kDay}));
    ASSERT_EQ(before.size(), 1u);
    EXPECT_EQ(before[0].stage, "qualify");
    EXPECT_EQ(before[0].count, 5);
    EXPECT_EQ(before[0].amount_minor, 18'000);
    auto now = must(deals.sales().pipeline_as_of("sales", clock->now()));
    std::vector<std::pair<std::string, std::int64_t>> stages;
    for (const auto& s : now) stages.emplace_back(s.stage, s.count);
    EXPECT_EQ(stages, (std::vector<std::pair<std::string, std::int64_t>>{
                          {"qualify", 2}, {"negotiate", 1}, {"won", 1}, {"lost", 1}}));
    EXPECT_TRUE(must(deals.sales().pipeline_as_of("sales", Timestamp{t0.ms - 1})).empty());
    (void)a;
}

}  // namespace
}  // namespace crm::testing
