// src/analytics/stats.cpp - Wilson intervals and tests of two proportions,
// with Boost.Math's normal and hypergeometric distributions.
#include "crm/analytics/stats.hpp"

#include <boost/math/distributions/hypergeometric.hpp>
#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>

namespace crm::analytics {

namespace {

using namespace boost::math::policies;
using Quiet = policy<overflow_error<errno_on_error>, evaluation_error<errno_on_error>,
                     domain_error<errno_on_error>, pole_error<errno_on_error>,
                     promote_double<false>>;

result<void> check_counts(std::int64_t successes, std::int64_t trials, const std::string& at) {
    if (trials < 0) return fail(errc::invalid_argument, "must be 0 or more", at + "trials");
    if (successes < 0 || successes > trials)
        return fail(errc::invalid_argument, "must be between 0 and trials", at + "successes");
    return ok();
}

// Fisher's exact test, two-sided: the probability, under independence with
// the margins fixed, of a table at most as likely as the one observed.
double fisher_two_sided(std::int64_t ka, std::int64_t na, std::int64_t kb, std::int64_t nb) {
    const auto total = static_cast<unsigned>(na + nb);
    const auto defective = static_cast<unsigned>(ka + kb);  // successes in all
    const boost::math::hypergeometric_distribution<double, Quiet> h(
        defective, static_cast<unsigned>(na), total);
    const double observed = boost::math::pdf(h, static_cast<unsigned>(ka));
    const auto lo = static_cast<unsigned>(std::max<std::int64_t>(0, ka + kb - nb));
    const auto hi = static_cast<unsigned>(std::min<std::int64_t>(na, ka + kb));
    double p = 0;
    for (unsigned k = lo; k <= hi; ++k) {
        const double pk = boost::math::pdf(h, k);
        if (pk <= observed * (1 + 1e-7)) p += pk;
    }
    return std::min(1.0, p);
}

}  // namespace

result<Proportion> proportion(std::int64_t successes, std::int64_t trials, double confidence,
                              std::int64_t min_trials) {
    CRM_TRYV(check_counts(successes, trials, ""));
    if (!(confidence > 0 && confidence < 1))
        return fail(errc::invalid_argument, "must be above 0 and below 1", "confidence");
    if (min_trials < 0) return fail(errc::invalid_argument, "must be 0 or more", "min_trials");
    Proportion p;
    p.successes = successes;
    p.trials = trials;
    p.confidence = confidence;
    p.too_few = trials < min_trials;
    if (trials == 0) {
        p.high = 1;
        return p;
    }
    const double n = static_cast<double>(trials);
    const double phat = static_cast<double>(successes) / n;
    const boost::math::normal_distribution<double, Quiet> normal;
    const double z = boost::math::quantile(normal, 1 - (1 - confidence) / 2);
    const double z2 = z * z;
    const double denominator = 1 + z2 / n;
    const double centre = (phat + z2 / (2 * n)) / denominator;
    const double half = z * std::sqrt(phat * (1 - phat) / n + z2 / (4 * n * n)) / denominator;
    p.value = phat;
    // At 0 and at every trial the interval touches its bound exactly.
    p.low = successes == 0 ? 0.0 : std::max(0.0, centre - half);
    p.high = successes == trials ? 1.0 : std::min(1.0, centre + half);
    return p;
}

result<ProportionTest> compare_proportions(std::int64_t ka, std::int64_t na, std::int64_t kb,
                                           std::int64_t nb, double level, std::int64_t min_trials) {
    CRM_TRYV(check_counts(ka, na, "a."));
    CRM_TRYV(check_counts(kb, nb, "b."));
    if (na == 0) return fail(errc::invalid_argument, "must be above 0 to compare", "a.trials");
    if (nb == 0) return fail(errc::invalid_argument, "must be above 0 to compare", "b.trials");
    if (!(level > 0 && level < 1))
        return fail(errc::invalid_argument, "must be above 0 and below 1", "level");
    if (na + nb > 4'000'000'000LL)
        return fail(errc::invalid_argument, "the two groups together must be at most 4e9 trials",
                    "b.trials");
    ProportionTest t;
    CRM_TRY(a, proportion(ka, na, 1 - level, min_trials));
    CRM_TRY(b, proportion(kb, nb, 1 - level, min_trials));
    t.a = a;
    t.b = b;
    t.level = level;
    t.difference = a.value - b.value;
    const double n = static_cast<double>(na + nb), k = static_cast<double>(ka + kb);
    // The smallest expected count of the 2x2 table under independence.
    const double smallest = std::min({k * static_cast<double>(na) / n, k * static_cast<double>(nb) / n,
                                      (n - k) * static_cast<double>(na) / n,
                                      (n - k) * static_cast<double>(nb) / n});
    if (smallest < 5) {
        t.method = "Fisher's exact test";
        t.p_value = fisher_two_sided(ka, na, kb, nb);
    } else {
        t.method = "two-proportion z-test";
        const double pooled = k / n;
        const double se = std::sqrt(pooled * (1 - pooled) *
                                    (1 / static_cast<double>(na) + 1 / static_cast<double>(nb)));
        const double z = se > 0 ? t.difference / se : 0;
        const boost::math::normal_distribution<double, Quiet> normal;
        t.p_value = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(normal, std::abs(z))));
    }
    t.significant = t.p_value < level;
    return t;
}

}  // namespace crm::analytics
