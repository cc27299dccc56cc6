// tests/conformance/funnel_test.cpp - the funnel of the sales pipeline from
// the opportunities' history, in any order and strict, by cohort and by
// activity, on every backend.
#include "backends.hpp"
#include "crm/analytics/analytics.hpp"

namespace crm::testing {
namespace {

constexpr std::int64_t kDay = 86'400'000;

class FunnelData : public Conformance {
protected:
    Opportunity deal(const Party& p, const std::string& name) {
        OpportunityInput in;
        in.party = p.id;
        in.name = name;
        in.amount = Money{1'000'000, "IRR"};
        return must(Sales(*engine).create_opportunity(ctx, in));
    }
    void move(const Opportunity& o, const std::string& to) {
        MoveInput m;
        m.move = to;
        must(Sales(*engine).move_opportunity(ctx, o.id, m));
    }
    void close(const Opportunity& o, bool won) {
        CloseRecord c;
        c.reason = won ? "price" : "timing";
        Sales s(*engine);
        must(won ? s.win_opportunity(ctx, o.id, c) : s.lose_opportunity(ctx, o.id, c));
    }
    // Four deals made on 2023-11-14 (the clock's start):
    //   A qualify -2d-> develop -3d-> propose -1d-> won
    //   B qualify -5d-> propose -> lost
    //   C qualify -20d-> develop (still there)
    //   D qualify -1d-> lost
    void make() {
        Party p = person("F1", "Sara", "Ahmadi");
        const Timestamp t0 = clock->now();
        auto a = deal(p, "A"), b = deal(p, "B"), c = deal(p, "C"), d = deal(p, "D");
        clock->set({t0.ms + 1 * kDay});
        close(d, false);
        clock->set({t0.ms + 2 * kDay});
        move(a, "develop");
        clock->set({t0.ms + 5 * kDay});
        move(a, "propose");
        move(b, "propose");
        clock->set({t0.ms + 6 * kDay});
        close(a, true);
        close(b, false);
        clock->set({t0.ms + 20 * kDay});
        move(c, "develop");
        clock->set({t0.ms + 30 * kDay});
    }
    Funnel funnel(FunnelQuery q) { return must(Analytics(*engine).funnel(q)); }
};

TEST_P(FunnelData, CountsEachStageInAnyOrder) {
    make();
    FunnelQuery q;
    q.period = "2023-11";
    q.time_zone = "UTC";
    q.min_records = 3;
    Funnel f = funnel(q);
    EXPECT_EQ(f.record_type, "opportunity");
    EXPECT_EQ(f.records, 4);
    ASSERT_EQ(f.stages.size(), 4u);  // qualify, develop, propose, negotiate
    const auto& qualify = f.stages[0];
    const auto& develop = f.stages[1];
    const auto& propose = f.stages[2];
    EXPECT_EQ(qualify.state, "qualify");
    EXPECT_EQ(qualify.entered, 4);
    EXPECT_EQ(qualify.moved_on, 3);
    EXPECT_EQ(qualify.closed.at("lost"), 1);
    EXPECT_EQ(develop.entered, 2);
    EXPECT_EQ(develop.still_in, 1);
    EXPECT_EQ(develop.moved_on, 1);
    EXPECT_EQ(propose.entered, 2);
    EXPECT_EQ(propose.moved_on, 1);  // to won
    EXPECT_EQ(propose.closed.at("lost"), 1);
    EXPECT_EQ(f.stages[3].entered, 0);
    // Conversion: of the 4 in qualify, 2 entered develop; of the 2 in
    // develop, 1 entered propose; of the 4 first, 2 reached propose.
    EXPECT_EQ(develop.conversion.successes, 2);
    EXPECT_EQ(develop.conversion.trials, 4);
    EXPECT_EQ(propose.conversion.successes, 1);
    EXPECT_EQ(propose.conversion.trials, 2);
    EXPECT_TRUE(propose.conversion.too_few);
    EXPECT_EQ(propose.cumulative.successes, 2);
    EXPECT_GT(develop.conversion.high, develop.conversion.value);
    // Days in qualify: 1, 2, 5 and 20: median 3.5, 90th percentile 20.
    EXPECT_EQ(qualify.stays, 4);
    ASSERT_TRUE(qualify.median_days);
    EXPECT_DOUBLE_EQ(*qualify.median_days, 3.5);
    EXPECT_DOUBLE_EQ(*qualify.p90_days, 20);
    // Ten business days are more than ten elapsed days, and the median is
    // below them: no bottleneck.
    ASSERT_TRUE(qualify.expected_days);
    EXPECT_GT(*qualify.expected_days, 10);
    EXPECT_FALSE(qualify.bottleneck);
    EXPECT_EQ(f.won.successes, 1);
    EXPECT_EQ(f.won.trials, 4);
    EXPECT_EQ(f.outcomes.at("won"), 1);
    EXPECT_EQ(f.outcomes.at("lost"), 2);
}

TEST_P(FunnelData, StrictOrderCountsOnlyWhatFollowsTheDefinitionsOrder) {
    make();
    FunnelQuery q;
    q.order = FunnelQuery::Order::strict;
    Funnel f = funnel(q);
    EXPECT_EQ(f.stages[0].entered, 4);
    EXPECT_EQ(f.stages[1].entered, 2);
    EXPECT_EQ(f.stages[2].entered, 1);  // B skipped develop
    EXPECT_EQ(f.stages[2].conversion.successes, 1);
    EXPECT_EQ(f.stages[2].conversion.trials, 2);
}

TEST_P(FunnelData, CohortAndActivityReadDifferentPeriods) {
    make();
    FunnelQuery q;
    q.time_zone = "UTC";
    q.period = "2023-10";
    EXPECT_EQ(funnel(q).records, 0);  // nobody was created in October
    q.period = "2023-12";
    EXPECT_EQ(funnel(q).records, 0);
    q.basis = FunnelQuery::Basis::activity;  // C moved on 2023-12-04
    Funnel f = funnel(q);
    EXPECT_EQ(f.records, 1);
    EXPECT_EQ(f.stages[1].entered, 1);
    EXPECT_EQ(f.stages[0].stays, 1);
    EXPECT_DOUBLE_EQ(*f.stages[0].median_days, 20);
    // A Jalali quarter: 1402-Q3 holds November 2023.
    FunnelQuery jalali;
    jalali.period = "1402-Q3";
    jalali.calendar = CalendarSystem::jalali;
    EXPECT_EQ(funnel(jalali).records, 4);
}

TEST_P(FunnelData, FiltersAndGroupsByTheRecordsDimensions) {
    Party p = person("F2", "Reza", "Karimi");
    Sales s(*engine);
    // A lead from the web, and the deal it became.
    LeadInput li;
    li.source = "web";
    li.last_name = "Moradi";
    li.phone = "09121234567";
    Lead lead = must(s.capture_lead(ctx, li));
    auto make = [&](const char* owner, const char* campaign, std::optional<Id> from_lead) {
        OpportunityInput in;
        in.party = p.id;
        in.name = "deal";
        in.owner = owner;
        in.team = "north";
        in.campaign = campaign;
        in.amount = Money{5'000'000, "IRR"};
        in.expected_close = "2024-01-31";
        if (from_lead) in.source_lead = *from_lead;
        return must(s.create_opportunity(ctx, in));
    };
    auto a = make("sara", "nowruz", lead.id), b = make("sara", "", std::nullopt),
         c = make("reza", "", std::nullopt), d = make("reza", "", std::nullopt);
    CloseRecord won;
    won.reason = "price";
    for (const auto& o : {a, b}) {
        move(o, "propose");
        must(s.win_opportunity(ctx, o.id, won));
    }
    CloseRecord lost;
    lost.reason = "timing";
    must(s.lose_opportunity(ctx, c.id, lost));
    (void)d;
    Analytics an(*engine);
    FunnelQuery q;
    q.min_records = 1;
    q.owner = "sara";
    Funnel mine = must(an.funnel(q));
    EXPECT_EQ(mine.records, 2);
    EXPECT_EQ(mine.won.successes, 2);
    EXPECT_EQ(mine.whole_records, 4);
    ASSERT_EQ(mine.filters.size(), 1u);
    EXPECT_EQ(mine.filters[0].first, "owner");
    ASSERT_TRUE(mine.versus_rest.has_value());  // sara 2 of 2 against the rest's 0 of 2
    EXPECT_DOUBLE_EQ(mine.versus_rest->a.value, 1.0);
    EXPECT_DOUBLE_EQ(mine.versus_rest->b.value, 0.0);
    EXPECT_EQ(mine.versus_rest->method, "Fisher's exact test");
    q.owner.clear();
    q.source = "web";  // the source of the deal's lead
    EXPECT_EQ(must(an.funnel(q)).records, 1);
    q.source.clear();
    q.campaign = "nowruz";
    q.team = "north";
    EXPECT_EQ(must(an.funnel(q)).records, 1);
    q.campaign = "nobody's";
    Funnel none = must(an.funnel(q));
    EXPECT_EQ(none.records, 0);
    EXPECT_FALSE(none.versus_rest.has_value());
    FunnelQuery g;
    g.min_records = 1;
    g.group_by = "owner";
    Funnel by_owner = must(an.funnel(g));
    EXPECT_EQ(by_owner.records, 4);
    EXPECT_TRUE(by_owner.filters.empty());
    ASSERT_EQ(by_owner.groups.size(), 2u);
    EXPECT_EQ(by_owner.groups[0].value, "reza");
    EXPECT_EQ(by_owner.groups[0].records, 2);
    EXPECT_EQ(by_owner.groups[0].won.successes, 0);
    EXPECT_EQ(by_owner.groups[0].stages[0].still_in, 1);
    EXPECT_EQ(by_owner.groups[1].value, "sara");
    EXPECT_EQ(by_owner.groups[1].won.successes, 2);
    g.group_by = "source";
    Funnel by_source = must(an.funnel(g));
    ASSERT_EQ(by_source.groups.size(), 2u);
    EXPECT_EQ(by_source.groups[0].value, "");
    EXPECT_EQ(by_source.groups[0].records, 3);
    EXPECT_EQ(by_source.groups[1].value, "web");
    // Leads group by their own owner and source.
    g.process = "lead";
    g.group_by = "source";
    Funnel leads = must(an.funnel(g));
    ASSERT_EQ(leads.groups.size(), 1u);
    EXPECT_EQ(leads.groups[0].value, "web");
}

TEST_P(FunnelData, BadQueriesNameTheField) {
    Analytics an(*engine);
    FunnelQuery q;
    q.process = "nope";
    CRM_EXPECT_ERROR(an.funnel(q), errc::not_found, "process");
    q.process = "";
    CRM_EXPECT_ERROR(an.funnel(q), errc::invalid_argument, "process");
    q.process = "sales";
    q.period = "2023-13";
    CRM_EXPECT_ERROR(an.funnel(q), errc::invalid_argument, "period");
    q.period.clear();
    q.time_zone = "Nowhere/City";
    CRM_EXPECT_ERROR(an.funnel(q), errc::invalid_argument, "time_zone");
    q.time_zone = "UTC";
    q.min_records = -1;
    CRM_EXPECT_ERROR(an.funnel(q), errc::invalid_argument, "min_records");
    q.min_records = 30;
    q.group_by = "colour";
    CRM_EXPECT_ERROR(an.funnel(q), errc::invalid_argument, "group_by");
    q.group_by = "owner";
    must(engine->define_process(ctx, default_quote_process_json()));
    q.process = "quote";  // quotes carry no owner of their own
    CRM_EXPECT_ERROR(an.funnel(q), errc::invalid_argument, "group_by");
    q.group_by.clear();
    q.owner = "sara";
    CRM_EXPECT_ERROR(an.funnel(q), errc::invalid_argument, "owner");
    q.process = "sales";
    q.owner.clear();
    q.campaign = std::string(257, 'c');
    CRM_EXPECT_ERROR(an.funnel(q), errc::invalid_argument, "campaign");
}

INSTANTIATE_TEST_SUITE_P(Backends, FunnelData, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace crm::testing
