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
    ASSERT_EQ(now.size(), 4u);
    EXPECT_EQ(now[0].category, "open");
    EXPECT_EQ(now[2].category, "won");
    EXPECT_EQ(now[3].category, "lost");
    EXPECT_FALSE(now[0].label.empty());
    // One owner's deals: sara's two in qualify and one in negotiate.
    auto saras = must(deals.sales().pipeline_as_of("sales", clock->now(), "sara"));
    stages.clear();
    for (const auto& s : saras) stages.emplace_back(s.stage, s.count);
    EXPECT_EQ(stages, (std::vector<std::pair<std::string, std::int64_t>>{{"qualify", 2}, {"negotiate", 1}}));
    EXPECT_EQ(saras[0].amount_minor, 8'000);
    EXPECT_TRUE(must(deals.sales().pipeline_as_of("sales", clock->now(), "nobody")).empty());
    EXPECT_TRUE(must(deals.sales().pipeline_as_of("sales", Timestamp{t0.ms - 1})).empty());
    (void)a;
}

}  // namespace
}  // namespace crm::testing

namespace crm::testing {
namespace {

// 2025-03-10T08:00Z is 1403-12-20 in Tehran, before 1404-Q1 (2025-03-21).
constexpr Timestamp kBeforeQ1{1'741'593'600'000};

TEST_P(Conformance, ForecastKpisAgainstTheStartAndTheTargets) {
    clock->set(kBeforeQ1);
    Party p = person("C1", "Ali", "Rezaei");
    Deals deals(*engine, ctx, p.id);
    Opportunity a = deals.add("sara", 10'000, "1404-02-10");
    deals.move(a, "propose");
    a = must(deals.sales().get_opportunity(a.id.str()));
    Opportunity b = deals.add("sara", 5'000, "1404-03-01");
    deals.add("reza", 8'000, "1404-05-01");  // expected after the quarter
    Opportunity d = deals.add("reza", 3'000, "1404-01-20");
    clock->set({kBeforeQ1.ms + 22 * kDay});  // in the quarter
    Opportunity e = deals.add("sara", 2'000, "1404-02-01");
    deals.move(e, "propose");
    clock->set({kBeforeQ1.ms + 26 * kDay});
    deals.close(a, true);  // 26 days from creation
    deals.close(d, false);
    clock->set({kBeforeQ1.ms + 27 * kDay});
    deals.close(e, true);  // 5 days

    ForecastQuery q;
    q.period = "1404-Q1";
    q.calendar = CalendarSystem::jalali;
    q.targets = {{"sara", Money{20'000, "IRR"}}, {"reza", Money{10'000, "IRR"}}, {"mina", Money{1'000, "IRR"}}};
    Forecast f = must(deals.sales().forecast(q));
    ASSERT_EQ(f.rows.size(), 3u);  // by owner: mina, reza, sara
    const ForecastRow& mina = f.rows[0];
    const ForecastRow& reza = f.rows[1];
    const ForecastRow& sara = f.rows[2];
    EXPECT_EQ(mina.group, "mina");
    EXPECT_EQ(mina.target_minor, 1'000);
    EXPECT_EQ(mina.attainment, 0.0);
    EXPECT_EQ(mina.coverage, 0.0);
    EXPECT_FALSE(mina.forecast_accuracy.has_value());

    EXPECT_EQ(sara.group, "sara");
    EXPECT_EQ(sara.at_start.count, 2);  // a and b; e did not exist yet
    EXPECT_EQ(sara.at_start.amount_minor, 15'000);
    EXPECT_EQ(sara.at_start.weighted_minor, 10'000 * a.probability / 100 + 5'000 * b.probability / 100);
    EXPECT_EQ(sara.won_minor, 12'000);
    ASSERT_TRUE(sara.forecast_accuracy.has_value());
    EXPECT_DOUBLE_EQ(*sara.forecast_accuracy, 12'000.0 / static_cast<double>(sara.at_start.weighted_minor));
    ASSERT_TRUE(sara.cycle_median_days.has_value());
    EXPECT_DOUBLE_EQ(*sara.cycle_median_days, 15.5);
    EXPECT_DOUBLE_EQ(*sara.cycle_mean_days, 15.5);
    EXPECT_DOUBLE_EQ(*sara.attainment, 0.6);
    EXPECT_DOUBLE_EQ(*sara.coverage, 5'000.0 / 8'000.0);  // b open, 8,000 to go

    EXPECT_EQ(reza.at_start.count, 1);  // d; the other is expected after the quarter
    EXPECT_EQ(reza.at_start.amount_minor, 3'000);
    EXPECT_EQ(reza.won_minor, 0);
    EXPECT_DOUBLE_EQ(*reza.forecast_accuracy, 0.0);
    EXPECT_FALSE(reza.cycle_median_days.has_value());
    EXPECT_DOUBLE_EQ(*reza.coverage, 0.0);

    // A met target has no coverage left to measure.
    q.targets = {{"sara", Money{12'000, "IRR"}}};
    Forecast met = must(deals.sales().forecast(q));
    EXPECT_DOUBLE_EQ(*met.rows.back().attainment, 1.0);
    EXPECT_FALSE(met.rows.back().coverage.has_value());

    q.targets = {{"sara", Money{-1, "IRR"}}};
    CRM_EXPECT_ERROR(deals.sales().forecast(q), errc::invalid_argument, "targets[0].amount");
    q.targets = {{"sara", Money{1, "IRR"}}, {"sara", Money{2, "IRR"}}};
    CRM_EXPECT_ERROR(deals.sales().forecast(q), errc::invalid_argument, "targets[1]");
}

}  // namespace
}  // namespace crm::testing
