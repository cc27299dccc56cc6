// Wilson intervals and two-proportion tests against scipy's figures
// (scipy.stats.norm and fisher_exact, computed independently).
#include <gtest/gtest.h>

#include "crm/analytics/stats.hpp"

using namespace crm;
using namespace crm::analytics;

TEST(Stats, WilsonIntervalsMatchScipy) {
    auto p = proportion(81, 263).value();
    EXPECT_NEAR(p.value, 81.0 / 263, 1e-15);
    EXPECT_NEAR(p.low, 0.2552885198782742, 1e-12);
    EXPECT_NEAR(p.high, 0.36620957698280004, 1e-12);
    EXPECT_FALSE(p.too_few);
    auto none = proportion(0, 10).value();
    EXPECT_EQ(none.low, 0);
    EXPECT_NEAR(none.high, 0.2775327998628892, 1e-12);
    EXPECT_TRUE(none.too_few);  // fewer than 30 by default
    auto all = proportion(10, 10).value();
    EXPECT_NEAR(all.low, 0.7224672001371107, 1e-12);
    EXPECT_NEAR(all.high, 1.0, 1e-12);
    auto wide = proportion(5, 20, 0.99, 10).value();
    EXPECT_NEAR(wide.low, 0.087363908401074, 1e-12);
    EXPECT_NEAR(wide.high, 0.5371887921483026, 1e-12);
    EXPECT_FALSE(wide.too_few);
    auto empty = proportion(0, 0).value();
    EXPECT_EQ(empty.low, 0);
    EXPECT_EQ(empty.high, 1);
    EXPECT_TRUE(empty.too_few);
}

TEST(Stats, SmallTablesTakeFishersExactTest) {
    auto t = compare_proportions(8, 10, 1, 6).value();
    EXPECT_EQ(t.method, "Fisher's exact test");
    EXPECT_NEAR(t.p_value, 0.034965034965034975, 1e-12);
    EXPECT_TRUE(t.significant);
    auto u = compare_proportions(3, 4, 1, 4).value();
    EXPECT_NEAR(u.p_value, 0.48571428571428565, 1e-12);
    EXPECT_FALSE(u.significant);
    EXPECT_NEAR(compare_proportions(0, 5, 5, 5).value().p_value, 0.007936507936507938, 1e-12);
}

TEST(Stats, LargeGroupsTakeTheZTest) {
    auto t = compare_proportions(120, 1000, 90, 1000).value();
    EXPECT_EQ(t.method, "two-proportion z-test");
    EXPECT_NEAR(t.p_value, 0.028650240398448473, 1e-12);
    EXPECT_NEAR(t.difference, 0.03, 1e-15);
    EXPECT_TRUE(t.significant);
    EXPECT_FALSE(compare_proportions(120, 1000, 90, 1000, 0.01).value().significant);
    // Equal rates: nothing to see.
    EXPECT_NEAR(compare_proportions(100, 1000, 100, 1000).value().p_value, 1.0, 1e-12);
}

TEST(Stats, BadInputNamesTheField) {
    EXPECT_EQ(proportion(5, 3).error().field, "successes");
    EXPECT_EQ(proportion(-1, 3).error().field, "successes");
    EXPECT_EQ(proportion(0, -3).error().field, "trials");
    EXPECT_EQ(proportion(1, 3, 1.0).error().field, "confidence");
    EXPECT_EQ(proportion(1, 3, 0.95, -1).error().field, "min_trials");
    EXPECT_EQ(compare_proportions(1, 0, 1, 3).error().field, "a.successes");
    EXPECT_EQ(compare_proportions(0, 0, 1, 3).error().field, "a.trials");
    EXPECT_EQ(compare_proportions(1, 3, 4, 3).error().field, "b.successes");
    EXPECT_EQ(compare_proportions(1, 3, 1, 3, 0).error().field, "level");
}
