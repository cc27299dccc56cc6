// src/analytics/gamma_gamma.cpp - the Gamma-Gamma model of spend (Fader &
// Hardie 2013), and the value a purchase model and it give together.
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "analytics/numeric.hpp"

namespace crm::analytics {

namespace {

using numeric::digamma;
using numeric::lgamma;

constexpr const char* kNames[] = {"p", "q", "gamma"};

// The terms of one frequency x, computed once per evaluation.
struct XTerms {
    double lg_pxq, lg_px, dg_pxq, dg_px, log_x;
};

XTerms x_terms(const GammaGamma::Params& P, double x) {
    const double px = P.p * x;
    return {lgamma(px + P.q), lgamma(px), digamma(px + P.q), digamma(px), std::log(x)};
}

// log f(m | p, q, gamma; x) = lnG(px+q) - lnG(px) - lnG(q) + q ln gamma
//   + (px-1) ln m + px ln x - (px+q) ln(gamma + x m)
// `lm` is log m.
double term(const GammaGamma::Params& P, const XTerms& t, double lg_q, double dg_q, double x,
            double m, double lm, double* grad) {
    const double px = P.p * x, lgxm = std::log(P.gamma + x * m);
    if (grad) {
        grad[0] += x * (t.dg_pxq - t.dg_px + lm + t.log_x - lgxm);
        grad[1] += t.dg_pxq - dg_q + std::log(P.gamma) - lgxm;
        grad[2] += P.q / P.gamma - (px + P.q) / (P.gamma + x * m);
    }
    return t.lg_pxq - t.lg_px - lg_q + P.q * std::log(P.gamma) + (px - 1) * lm + px * t.log_x -
           (px + P.q) * lgxm;
}

double term(const GammaGamma::Params& P, double x, double m) {
    return term(P, x_terms(P, x), lgamma(P.q), digamma(P.q), x, m, std::log(m), nullptr);
}

// Repeat customers with equal frequency and mean spend: one weighted term
// (amounts are whole minor units, so many spends repeat).
struct Spend {
    double x, m, log_m, weight;
    std::size_t x_index;
};

}  // namespace

result<GammaGamma> GammaGamma::with(const Params& p) {
    const double v[] = {p.p, p.q, p.gamma};
    CRM_TRY(report, numeric::given("gamma_gamma", v, kNames));
    GammaGamma m;
    m.p_ = p;
    m.report_ = std::move(report);
    return m;
}

result<GammaGamma> GammaGamma::fit(std::span<const CustomerSummary> customers,
                                   const FitOptions& options) {
    std::vector<std::pair<double, double>> pairs;  // (x, m) of each repeat customer
    double mean = 0;
    for (std::size_t i = 0; i < customers.size(); ++i) {
        CRM_TRYV(numeric::check(customers[i], i));
        const auto& c = customers[i];
        if (c.frequency == 0) continue;
        if (!(c.monetary > 0))
            return fail(errc::invalid_argument, "must be above 0 for a repeat buyer",
                        "customers[" + std::to_string(i) + "].monetary");
        pairs.emplace_back(c.frequency, c.monetary);
        mean += c.monetary;
    }
    if (pairs.empty())
        return fail(errc::invalid_argument, "must hold a customer with a repeat purchase",
                    "customers");
    mean /= static_cast<double>(pairs.size());
    std::sort(pairs.begin(), pairs.end());
    std::vector<Spend> spend;
    std::vector<double> xs;  // the distinct frequencies, ascending
    for (std::size_t i = 0; i < pairs.size();) {
        std::size_t j = i + 1;
        while (j < pairs.size() && pairs[j] == pairs[i]) ++j;
        const auto [x, m] = pairs[i];
        if (xs.empty() || xs.back() != x) xs.push_back(x);
        spend.push_back({x, m, std::log(m), static_cast<double>(j - i), xs.size() - 1});
        i = j;
    }
    const auto n = static_cast<double>(pairs.size());
    numeric::Problem problem;
    problem.model = "gamma_gamma";
    problem.degenerate =
        "the repeat customers' spend varies too little, between purchases or between customers, for "
        "Gamma-Gamma to tell its parameters apart";
    problem.names.assign(std::begin(kNames), std::end(kNames));
    problem.start = {1, 1, mean};  // gamma on the data's money scale
    problem.has_gradient = true;
    problem.customers = static_cast<std::int64_t>(pairs.size());
    std::vector<XTerms> xt(xs.size());
    // The sum of term() over the customers, with what does not depend on
    // the customer taken out of the sum: one log and one division per
    // group and evaluation.
    problem.negative_log_likelihood = [&](std::span<const double> v, std::span<double> grad) {
        const Params P{v[0], v[1], v[2]};
        for (std::size_t k = 0; k < xs.size(); ++k) xt[k] = x_terms(P, xs[k]);
        const double log_gamma = std::log(P.gamma);
        double ll = 0, g0 = 0, g1 = 0, g2 = 0;
        for (const auto& s : spend) {
            const XTerms& t = xt[s.x_index];
            const double px = P.p * s.x, lgxm = std::log(P.gamma + s.x * s.m);
            ll += s.weight * (t.lg_pxq - t.lg_px + (px - 1) * s.log_m + px * t.log_x - (px + P.q) * lgxm);
            if (!grad.empty()) {
                g0 += s.weight * s.x * (t.dg_pxq - t.dg_px + s.log_m + t.log_x - lgxm);
                g1 += s.weight * (t.dg_pxq - lgxm);
                g2 += s.weight * (px + P.q) / (P.gamma + s.x * s.m);
            }
        }
        ll += n * (P.q * log_gamma - lgamma(P.q));
        if (!grad.empty()) {
            grad[0] = -g0;
            grad[1] = -(g1 + n * (log_gamma - digamma(P.q)));
            grad[2] = -(n * P.q / P.gamma - g2);
        }
        return -ll;
    };
    CRM_TRY(report, numeric::maximise_likelihood(problem, options));
    GammaGamma m;
    m.p_ = {report.parameters[0].value, report.parameters[1].value, report.parameters[2].value};
    m.report_ = std::move(report);
    return m;
}

result<double> GammaGamma::log_likelihood(const CustomerSummary& c) const {
    CRM_TRYV(numeric::check(c, 0));
    if (c.frequency == 0 || !(c.monetary > 0))
        return fail(errc::invalid_argument, "must be above 0 with a repeat purchase", "monetary");
    return term(p_, c.frequency, c.monetary);
}

result<double> GammaGamma::expected_spend(const CustomerSummary& c) const {
    CRM_TRYV(numeric::check(c, 0));
    if (!(p_.q > 1))
        return fail(errc::invalid_argument,
                    "must be above 1 for the mean spend to exist (gamma_gamma)", "q");
    // (p (gamma + x m)) / (p x + q - 1); x = 0 gives the mean p gamma / (q - 1).
    return p_.p * (p_.gamma + c.frequency * c.monetary) / (p_.p * c.frequency + p_.q - 1);
}

result<void> check(const ClvOptions& o) {
    if (!std::isfinite(o.horizon) || o.horizon <= 0 || o.horizon > 1e6)
        return fail(errc::invalid_argument, "must be above 0 and at most 1000000", "horizon");
    if (!std::isfinite(o.step) || o.step <= 0 || o.step > o.horizon ||
        o.horizon / o.step > 100000)
        return fail(errc::invalid_argument,
                    "must be above 0, at most the horizon, and cut it in at most 100000 steps",
                    "step");
    if (!std::isfinite(o.annual_discount_rate) || o.annual_discount_rate < 0 ||
        o.annual_discount_rate > 100)
        return fail(errc::invalid_argument, "must be between 0 and 100", "annual_discount_rate");
    if (!std::isfinite(o.days_per_unit) || o.days_per_unit <= 0 || o.days_per_unit > 366)
        return fail(errc::invalid_argument, "must be above 0 and at most 366", "days_per_unit");
    return ok();
}

result<double> discounted_purchases(const PurchaseModel& purchases, const CustomerSummary& customer,
                                    const ClvOptions& o) {
    CRM_TRY(alive, purchases.p_alive(customer));
    CRM_TRY(if_alive, discounted_purchases_if_alive(purchases, customer, o));
    return alive * if_alive;
}

result<double> discounted_purchases_if_alive(const PurchaseModel& purchases,
                                             const CustomerSummary& customer, const ClvOptions& o) {
    CRM_TRYV(check(o));
    const double log_rate = std::log1p(o.annual_discount_rate);
    double before = 0, sum = 0;
    const auto steps = static_cast<long>(std::ceil(o.horizon / o.step - 1e-9));
    for (long i = 1; i <= steps; ++i) {
        const double t = std::min(o.horizon, static_cast<double>(i) * o.step);
        CRM_TRY(upto, purchases.expected_purchases_if_alive(customer, t));
        const double years = t * o.days_per_unit / 365.25;
        sum += (upto - before) * std::exp(-years * log_rate);
        before = upto;
    }
    return sum;
}

result<Clv> customer_lifetime_value(const PurchaseModel& purchases, const GammaGamma& spend,
                                    const CustomerSummary& customer, const ClvOptions& o) {
    CRM_TRY(discounted, discounted_purchases(purchases, customer, o));
    Clv v;
    CRM_TRY(alive, purchases.p_alive(customer));
    CRM_TRY(each, spend.expected_spend(customer));
    CRM_TRY(total, purchases.expected_purchases(customer, o.horizon));
    v.p_alive = alive;
    v.expected_spend = each;
    v.expected_purchases = total;
    v.undiscounted = total * each;
    v.value = discounted * each;
    return v;
}

}  // namespace crm::analytics
