// crm/analytics/stats.hpp - honest statistics for reports: every rate with
// its counts and a confidence interval, a figure from too few cases marked
// as such, and the difference of two rates tested (A/B groups of a
// campaign, two funnels). Pure functions; docs/ANALYTICS.md.
#pragma once

#include <cstdint>
#include <string>

#include "crm/core/error.hpp"
#include "crm/core/export.hpp"

namespace crm::analytics {

/// A proportion with its counts and its Wilson score interval.
struct Proportion {
    std::int64_t successes = 0, trials = 0;
    double value = 0;          ///< successes / trials; 0 when trials is 0
    double low = 0, high = 0;  ///< the interval (0 and 1 when trials is 0)
    double confidence = 0.95;
    /// Fewer trials than the minimum the caller stated: the figure is
    /// shown, with its wide interval, and marked rather than hidden.
    bool too_few = false;
};

/// invalid_argument naming "trials" (negative), "successes" (outside
/// 0..trials), "confidence" (not in (0, 1)) or "min_trials" (negative).
CRM_API result<Proportion> proportion(std::int64_t successes, std::int64_t trials,
                                      double confidence = 0.95, std::int64_t min_trials = 30);

/// Two proportions compared: is the difference more than chance?
struct ProportionTest {
    Proportion a, b;
    double difference = 0;  ///< a.value - b.value
    double p_value = 1;     ///< two-sided
    /// "two-proportion z-test" (pooled), or "Fisher's exact test" when an
    /// expected cell count of the 2x2 table is below 5.
    std::string method;
    double level = 0.05;
    bool significant = false;  ///< p_value < level
};

/// Tests a (successes_a of trials_a) against b. Errors as proportion(),
/// naming "a.trials", "b.successes" and so on, and "level" (not in (0, 1));
/// invalid_argument naming "a.trials" or "b.trials" when a group is empty.
CRM_API result<ProportionTest> compare_proportions(std::int64_t successes_a, std::int64_t trials_a,
                                                   std::int64_t successes_b, std::int64_t trials_b,
                                                   double level = 0.05,
                                                   std::int64_t min_trials = 30);

}  // namespace crm::analytics
