// src/analytics/bg_nbd.cpp - the BG/NBD model (Fader, Hardie & Lee 2005):
// likelihood with its gradient, P(alive), conditional expectations.
#include <algorithm>
#include <cmath>

#include "analytics/numeric.hpp"

namespace crm::analytics {

PurchaseModel::~PurchaseModel() = default;

namespace {

using numeric::digamma;
using numeric::lgamma;
using numeric::log_add;

constexpr const char* kNames[] = {"r", "alpha", "a", "b"};

// The log-likelihood of one (x, t_x, T) and, when `grad` is given, its
// derivatives by r, alpha, a, b added in with `weight`. `px` holds the
// terms of x alone (see XTerms).
struct XTerms {
    double lg_rx, dg_rx, lg_bx, dg_bx, lg_abx, dg_abx, log_bx1;
};

XTerms x_terms(const BgNbd::Params& p, double x) {
    return {lgamma(p.r + x), digamma(p.r + x),      lgamma(p.b + x),
            digamma(p.b + x), lgamma(p.a + p.b + x), digamma(p.a + p.b + x),
            x > 0 ? std::log(p.b + x - 1) : 0.0};
}

struct Common {
    double lg_r, dg_r, lg_ab, dg_ab, lg_b, dg_b, log_alpha, log_a;
    explicit Common(const BgNbd::Params& p)
        : lg_r(lgamma(p.r)), dg_r(digamma(p.r)), lg_ab(lgamma(p.a + p.b)),
          dg_ab(digamma(p.a + p.b)), lg_b(lgamma(p.b)), dg_b(digamma(p.b)),
          log_alpha(std::log(p.alpha)), log_a(std::log(p.a)) {}
};

// `log_aT` and `log_atx` are log(alpha + T) and log(alpha + t_x).
double term(const BgNbd::Params& p, const Common& c, const XTerms& t, double x, double t_x,
            double T, double log_aT, double log_atx, double weight, double* grad) {
    const double A1 = t.lg_rx - c.lg_r + p.r * c.log_alpha;
    const double A2 = c.lg_ab + t.lg_bx - c.lg_b - t.lg_abx;
    const double A3 = -(p.r + x) * log_aT;
    double ll;
    double w3 = 1, w4 = 0;
    if (x > 0) {
        // log(e^A3 + e^A4) and the weights of the two parts, from their
        // difference: one exp and one log1p.
        const double A4 = c.log_a - t.log_bx1 - (p.r + x) * log_atx;
        const double d = A4 - A3;
        const double e = std::exp(-std::abs(d));
        ll = A1 + A2 + std::max(A3, A4) + std::log1p(e);
        w3 = d > 0 ? e / (1 + e) : 1 / (1 + e);
        w4 = 1 - w3;
    } else {
        ll = A1 + A2 + A3;
    }
    if (grad) {
        grad[0] += weight * (t.dg_rx - c.dg_r + c.log_alpha - w3 * log_aT - w4 * log_atx);
        grad[1] += weight * (p.r / p.alpha - w3 * (p.r + x) / (p.alpha + T) -
                             (x > 0 ? w4 * (p.r + x) / (p.alpha + t_x) : 0.0));
        grad[2] += weight * (c.dg_ab - t.dg_abx + (x > 0 ? w4 / p.a : 0.0));
        grad[3] += weight * (c.dg_ab + t.dg_bx - c.dg_b - t.dg_abx -
                             (x > 0 ? w4 / (p.b + x - 1) : 0.0));
    }
    return weight * ll;
}

BgNbd::Params from(std::span<const double> v) { return {v[0], v[1], v[2], v[3]}; }

// (1 - z)^(r + x) 2F1(r + x, b + x; a + b + x - 1; z) through Euler's
// transformation, (1 - z)^(a - 1) 2F1(a + b - 1 - r, a - 1; a + b + x - 1; z):
// the factor that overflows for large r + x cancels analytically.
double tail(const BgNbd::Params& p, double x, double z) {
    return std::pow(1 - z, p.a - 1) * numeric::hyp2f1(p.a + p.b - 1 - p.r, p.a - 1, p.a + p.b + x - 1, z);
}

double direct_scaled_tail(const BgNbd::Params& p, double x, double z) {
    return (p.a + p.b + x - 1) / (p.a - 1) * (1 - tail(p, x, z));
}

// (a + b + x - 1) / (a - 1) * (1 - tail): at a = 1 a removable 0/0, taken
// within 1e-4 of it as the mean of its values at a -/+ 2e-4 (a smooth
// function's midpoint: the error is O(1e-8)).
double scaled_tail(BgNbd::Params p, double x, double z) {
    if (std::abs(p.a - 1) >= 1e-4) return direct_scaled_tail(p, x, z);
    const double a = p.a;
    p.a = a - 2e-4;
    const double lo = direct_scaled_tail(p, x, z);
    p.a = a + 2e-4;
    return (lo + direct_scaled_tail(p, x, z)) / 2;
}

}  // namespace

result<BgNbd> BgNbd::with(const Params& p) {
    const double v[] = {p.r, p.alpha, p.a, p.b};
    CRM_TRY(report, numeric::given("bg_nbd", v, kNames));
    BgNbd m;
    m.p_ = p;
    m.report_ = std::move(report);
    return m;
}

result<BgNbd> BgNbd::fit(std::span<const CustomerSummary> customers, const FitOptions& options) {
    CRM_TRY(g, numeric::group(customers));
    numeric::Problem problem;
    problem.model = "bg_nbd";
    problem.degenerate =
        "the purchases show too little sign of customers dropping out, or too little difference in their "
        "rates, for BG/NBD to tell its parameters apart (a longer history, or more customers, helps)";
    problem.names.assign(std::begin(kNames), std::end(kNames));
    problem.start = {1, 1, 1, 1};
    problem.has_gradient = true;
    problem.customers = g.customers;
    std::vector<XTerms> xt(g.xs.size());
    std::vector<double> log_at(g.times.size());
    problem.negative_log_likelihood = [&](std::span<const double> v, std::span<double> grad) {
        const Params p = from(v);
        const Common c(p);
        for (std::size_t k = 0; k < g.xs.size(); ++k) xt[k] = x_terms(p, g.xs[k]);
        for (std::size_t k = 0; k < g.times.size(); ++k) log_at[k] = std::log(p.alpha + g.times[k]);
        double gsum[4] = {0, 0, 0, 0};
        double ll = 0;
        for (const auto& q : g.groups)
            ll += term(p, c, xt[q.x_index], q.x, q.t_x, q.T, log_at[q.T_index],
                       log_at[q.t_x_index], q.weight, grad.empty() ? nullptr : gsum);
        for (std::size_t i = 0; i < grad.size(); ++i) grad[i] = -gsum[i];
        return -ll;
    };
    CRM_TRY(report, numeric::maximise_likelihood(problem, options));
    BgNbd m;
    m.p_ = {report.parameters[0].value, report.parameters[1].value, report.parameters[2].value,
            report.parameters[3].value};
    m.report_ = std::move(report);
    return m;
}

result<double> BgNbd::log_likelihood(const CustomerSummary& c) const {
    CRM_TRYV(numeric::check(c, 0));
    return numeric::finite(term(p_, Common(p_), x_terms(p_, c.frequency), c.frequency, c.recency,
                                c.age, std::log(p_.alpha + c.age), std::log(p_.alpha + c.recency),
                                1, nullptr),
                           "bg_nbd", "the log-likelihood");
}

result<double> BgNbd::p_alive(const CustomerSummary& c) const {
    CRM_TRYV(numeric::check(c, 0));
    if (c.frequency == 0) return 1.0;
    // 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x)),
    // its odds kept as a logarithm so a large frequency cannot overflow.
    const double log_odds = std::log(p_.a) - std::log(p_.b + c.frequency - 1) +
                            (p_.r + c.frequency) *
                                (std::log(p_.alpha + c.age) - std::log(p_.alpha + c.recency));
    return numeric::finite(numeric::logistic_neg(log_odds), "bg_nbd", "P(alive)");
}

result<double> PurchaseModel::expected_purchases(const CustomerSummary& c, double t) const {
    CRM_TRY(alive, p_alive(c));
    CRM_TRY(if_alive, expected_purchases_if_alive(c, t));
    return alive * if_alive;
}

result<double> BgNbd::expected_purchases_if_alive(const CustomerSummary& c, double t) const {
    CRM_TRYV(numeric::check_t(t));
    CRM_TRYV(numeric::check(c, 0));
    if (t == 0) return 0.0;
    const double z = t / (p_.alpha + c.age + t);
    return numeric::finite(scaled_tail(p_, c.frequency, z), "bg_nbd", "the expected number of purchases");
}

result<double> BgNbd::expected_purchases_new(double t) const {
    CRM_TRYV(numeric::check_t(t));
    if (t == 0) return 0.0;
    return numeric::finite(scaled_tail(p_, 0, t / (p_.alpha + t)), "bg_nbd", "the expected number of purchases");
}

result<double> BgNbd::probability_of_purchases(int n, double t) const {
    CRM_TRYV(numeric::check_t(t));
    if (n < 0 || n > 100000)
        return fail(errc::invalid_argument, "must be between 0 and 100000", "n");
    if (t == 0) return n == 0 ? 1.0 : 0.0;
    const double x = n;
    const double log_beta_ab = lgamma(p_.a) + lgamma(p_.b) - lgamma(p_.a + p_.b);
    const double log_q = std::log(p_.alpha / (p_.alpha + t));  // log(alpha / (alpha + t))
    const double log_z = std::log(t / (p_.alpha + t));
    // B(a, b + x) / B(a, b) * Gamma(r + x) / (Gamma(r) x!) * q^r * z^x
    const double first = lgamma(p_.a) + lgamma(p_.b + x) - lgamma(p_.a + p_.b + x) - log_beta_ab +
                         lgamma(p_.r + x) - lgamma(p_.r) - lgamma(x + 1) + p_.r * log_q + x * log_z;
    double p = std::exp(first);
    if (n > 0) {
        // B(a + 1, b + x - 1) / B(a, b) * (1 - q^r sum_{j<x} Gamma(r+j)/(Gamma(r) j!) z^j)
        double log_sum = -std::numeric_limits<double>::infinity();
        for (int j = 0; j < n; ++j)
            log_sum = numeric::log_add(
                log_sum, lgamma(p_.r + j) - lgamma(p_.r) - lgamma(j + 1.0) + j * log_z);
        const double log_weight = lgamma(p_.a + 1) + lgamma(p_.b + x - 1) -
                                  lgamma(p_.a + p_.b + x) - log_beta_ab;
        p += std::exp(log_weight) * -std::expm1(p_.r * log_q + log_sum);
    }
    return numeric::finite(p, "bg_nbd", "the probability");
}

}  // namespace crm::analytics
