// tests/conformance/clv_test.cpp - customer lifetime value fitted on stored
// purchases, scored per party, read by the 360 view and segment rules, on
// every backend.
#include <cmath>
#include <map>

#include "backends.hpp"
#include "crm/analytics/analytics.hpp"

namespace crm::testing {
namespace {

double round_to(double v, int digits) {
    const double f = std::pow(10.0, digits);
    return std::round(v * f) / f;
}

ClvRequest cdnow_request() {
    ClvRequest r;
    r.calibration_end = utc_day(1997, 9, 30);
    r.time_zone = "UTC";
    r.value.horizon = 39;
    r.value.step = 13;
    return r;
}

TEST_P(Conformance, ClvFitOnStoredPurchasesReproducesCdnow) {
    load_cdnow(*engine, ctx);
    Analytics an(*engine);
    ClvFit f = must(an.fit_clv(cdnow_request()));
    EXPECT_EQ(f.currency, "USD");
    EXPECT_EQ(f.customers, 2357);
    EXPECT_EQ(f.repeat_customers, 946);
    EXPECT_EQ(f.purchases_read, 6919);
    EXPECT_GT(f.purchases_after_calibration, 0);
    const auto& bg = f.purchases.parameters;
    ASSERT_EQ(bg.size(), 4u);
    EXPECT_EQ(round_to(bg[0].value, 3), 0.243);
    EXPECT_EQ(round_to(bg[1].value, 3), 4.414);
    EXPECT_EQ(round_to(bg[2].value, 3), 0.793);
    EXPECT_EQ(round_to(bg[3].value, 3), 2.426);
    EXPECT_EQ(round_to(f.purchases.log_likelihood, 1), -9582.4);
    // Spend in dollars, as published, though stored in cents.
    EXPECT_EQ(round_to(f.spend.parameters[0].value, 2), 6.25);
    EXPECT_EQ(round_to(f.spend.parameters[1].value, 2), 3.74);
    EXPECT_EQ(round_to(f.spend.parameters[2].value, 2), 15.44);

    ClvRequest pareto = cdnow_request();
    pareto.model = "pareto_nbd";
    ClvFit p = must(an.fit_clv(pareto));
    EXPECT_EQ(round_to(p.purchases.log_likelihood, 1), -9595.0);
}

TEST_P(Conformance, ClvSummaryPagesReadOnlyTheirParties) {
    load_cdnow(*engine, ctx);
    Analytics an(*engine);
    const auto whole = must(an.clv_summary(cdnow_request()));
    std::vector<analytics::CustomerSummary> paged;
    Id after;
    int pages = 0;
    for (;;) {
        auto page = must(an.clv_summary_page(cdnow_request(), after, 1000));
        EXPECT_EQ(page.currency, "USD");
        ++pages;
        paged.insert(paged.end(), page.summary.customers.begin(), page.summary.customers.end());
        if (page.next.is_nil()) break;
        EXPECT_EQ(page.summary.customers.size(), 1000u);
        EXPECT_EQ(page.next.str(), page.summary.customers.back().customer);
        after = page.next;
    }
    EXPECT_EQ(pages, 3);
    ASSERT_EQ(paged.size(), whole.customers.size());
    for (std::size_t i = 0; i < paged.size(); ++i) {
        EXPECT_EQ(paged[i].customer, whole.customers[i].customer);
        EXPECT_EQ(paged[i].frequency, whole.customers[i].frequency);
        EXPECT_EQ(paged[i].monetary, whole.customers[i].monetary);
    }
    // Past the last party: an empty page, not an error.
    auto past = must(an.clv_summary_page(cdnow_request(), Id::parse(paged.back().customer).value(), 10));
    EXPECT_TRUE(past.summary.customers.empty());
    EXPECT_TRUE(past.next.is_nil());
    CRM_EXPECT_ERROR(an.clv_summary_page(cdnow_request(), Id{}, 0), errc::invalid_argument, "limit");
}

TEST_P(Conformance, ClvScoresAreStoredReadByTheViewAndBySegments) {
    auto parties = load_cdnow(*engine, ctx);
    Marketing mk(*engine);
    must(mk.define_segment(ctx, R"({"id": "at-risk", "kind": "dynamic",
        "rule": "clv.p_alive < 0.3 and clv.value > 10 USD"})"));
    EXPECT_EQ(must(mk.count(ctx, "at-risk")), 0);  // nothing scored yet

    Analytics an(*engine);
    ClvRequest r = cdnow_request();
    r.value.annual_discount_rate = 0.1;
    ClvRun run = must(an.score_clv(ctx, r));
    EXPECT_EQ(run.scored, 2357);
    EXPECT_EQ(run.total_value.currency, "USD");

    // Customer 1 of the sample: x = 2, t_x = 30.43, T = 38.86 weeks.
    const Id one = parties.at("0001");
    auto score = must(an.clv_score(one));
    ASSERT_TRUE(score);
    EXPECT_EQ(score->model, "bg_nbd");
    EXPECT_EQ(score->value.currency, "USD");
    EXPECT_NEAR(score->expected_purchases, 1.226, 0.0015);
    EXPECT_NEAR(score->horizon_days, 273, 1e-9);
    // The stored value is the models' value, in cents.
    auto bg = must(analytics::BgNbd::with({run.fit.purchases.parameters[0].value,
                                           run.fit.purchases.parameters[1].value,
                                           run.fit.purchases.parameters[2].value,
                                           run.fit.purchases.parameters[3].value}));
    auto gg = must(analytics::GammaGamma::with({run.fit.spend.parameters[0].value,
                                                run.fit.spend.parameters[1].value,
                                                run.fit.spend.parameters[2].value}));
    const auto summary = must(an.clv_summary(r));
    const analytics::CustomerSummary* mine = nullptr;
    for (const auto& c : summary.customers)
        if (c.customer == one.str()) mine = &c;
    ASSERT_NE(mine, nullptr);
    analytics::ClvOptions o = r.value;
    o.days_per_unit = 7;
    const auto clv = must(analytics::customer_lifetime_value(bg, gg, *mine, o));
    EXPECT_EQ(score->value.minor, std::llround(clv.value * 100));
    EXPECT_NEAR(score->p_alive, clv.p_alive, 1e-6);

    // The 360 view shows it.
    auto view = must(engine->customer_360(one));
    ASSERT_TRUE(view.clv);
    EXPECT_EQ(view.clv->value.minor, score->value.minor);

    // The tracked segment followed the run: its members are exactly the
    // parties whose stored score matches.
    std::int64_t expected = 0;
    for (const auto& [id, party] : parties) {
        auto s = must(an.clv_score(party));
        ASSERT_TRUE(s) << id;
        if (std::round(s->p_alive * 1e6) / 1e6 < 0.3 && s->value.minor > 1000) ++expected;
    }
    EXPECT_GT(expected, 0);
    EXPECT_EQ(must(mk.count(ctx, "at-risk")), expected);
    EXPECT_EQ(static_cast<std::int64_t>(must(mk.members(ctx, "at-risk")).size()), expected);

    // One audit entry and one event for the run.
    auto trail = must(engine->audit_trail(run.run));
    ASSERT_EQ(trail.size(), 1u);
    EXPECT_EQ(trail[0].record_type, "clv_run");
    bool event = false;
    for (const auto& e : must(engine->events_after(0, 10000)))
        event = event || (e.type == "clv.scored" && e.record_id == run.run);
    EXPECT_TRUE(event);

    // A merge drops the merged-away party's score; its id resolves to the
    // survivor's.
    const Id two = parties.at("0002");
    must(engine->merge(ctx, one, {two}));
    auto survivor = must(an.clv_score(two));
    ASSERT_TRUE(survivor);
    EXPECT_EQ(survivor->party, one);
}

TEST_P(Conformance, ClvBadRequestsNameTheFieldAndChangeNothing) {
    Analytics an(*engine);
    CRM_EXPECT_ERROR(an.fit_clv(ClvRequest{}), errc::invalid_argument, "purchases");
    Party a = person("A", "Ali", "Rezaei");
    Party b = person("B", "Sara", "Ahmadi");
    auto buy = [&](const Party& p, const std::string& order, Timestamp at, Money m) {
        Purchase x;
        x.party = p.id;
        x.order_id = order;
        x.ordered_at = at;
        x.total = m;
        must(engine->record_purchase(ctx, x));
    };
    buy(a, "1", utc_day(2024, 1, 1), Money{1'000'000, "IRR"});
    buy(a, "2", utc_day(2024, 2, 1), Money{2'000'000, "IRR"});
    buy(b, "3", utc_day(2024, 1, 5), Money{500'000, "IRR"});
    buy(b, "4", utc_day(2024, 3, 5), Money{700'000, "IRR"});
    ClvRequest r;
    r.calibration_end = utc_day(2023, 12, 1);
    CRM_EXPECT_ERROR(an.fit_clv(r), errc::invalid_argument, "calibration_end");
    r.calibration_end = utc_day(2024, 6, 1);
    r.model = "magic";
    CRM_EXPECT_ERROR(an.fit_clv(r), errc::invalid_argument, "model");
    r.model = "bg_nbd";
    r.currency = "XYZ";
    CRM_EXPECT_ERROR(an.fit_clv(r), errc::invalid_argument, "currency");
    r.currency.clear();
    r.value.horizon = -1;
    CRM_EXPECT_ERROR(an.fit_clv(r), errc::invalid_argument, "horizon");
    r.value.horizon = 52;
    r.time_zone = "Nowhere/City";
    CRM_EXPECT_ERROR(an.fit_clv(r), errc::invalid_argument, "time_zone");
    r.time_zone = "Asia/Tehran";

    // Two currencies: the caller must name one.
    buy(b, "5", utc_day(2024, 4, 5), Money{900, "USD"});
    CRM_EXPECT_ERROR(an.fit_clv(r), errc::invalid_argument, "currency");
    CRM_EXPECT_ERROR(an.score_clv(ctx, r), errc::invalid_argument, "currency");
    EXPECT_FALSE(must(an.clv_score(a.id)));  // nothing written
    r.currency = "IRR";
    auto f = an.fit_clv(r);
    // Two customers are too few for four parameters: the fit either
    // converges or says so, naming the model; it never answers NaN.
    if (f) {
        EXPECT_EQ(f.value().purchases_other_currencies, 1);
        for (const auto& e : f.value().purchases.parameters) EXPECT_TRUE(std::isfinite(e.value));
    } else {
        EXPECT_EQ(f.error().field, "model");
    }
    CRM_EXPECT_ERROR(an.clv_score(Id{}), errc::not_found, "party");
}

}  // namespace
}  // namespace crm::testing
