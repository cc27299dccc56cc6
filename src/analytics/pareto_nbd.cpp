// src/analytics/pareto_nbd.cpp - the Pareto/NBD model (Schmittlein,
// Morrison & Colombo 1987; likelihood as in Fader & Hardie's notes).
#include <cmath>

#include "analytics/numeric.hpp"

namespace crm::analytics {

namespace {

using numeric::lgamma;

constexpr const char* kNames[] = {"r", "alpha", "s", "beta"};

ParetoNbd::Params from(std::span<const double> v) { return {v[0], v[1], v[2], v[3]}; }

// log F(y), where A0 = F(t_x) - F(T):
//   alpha >= beta: F(y) = 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+y)) / (alpha+y)^(r+s+x)
//   alpha <  beta: F(y) = 2F1(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+y)) / (beta+y)^(r+s+x)
// Each 2F1 is taken through Euler's transformation (its c - a = 1), which
// leaves a series of moderate value and moves the large powers into logs:
//   alpha >= beta: 2F1(1, r+x; r+s+x+1; z) / ((alpha+y)^(r+x) (beta+y)^s)
//   alpha <  beta: 2F1(1, s+1; r+s+x+1; z) (alpha+y)^(1-r-x) / (beta+y)^(s+1)
double log_F(const ParetoNbd::Params& p, double x, double y) {
    const double la = std::log(p.alpha + y), lb = std::log(p.beta + y);
    if (p.alpha >= p.beta) {
        const double z = (p.alpha - p.beta) / (p.alpha + y);
        return std::log(numeric::hyp2f1(1, p.r + x, p.r + p.s + x + 1, z)) - (p.r + x) * la -
               p.s * lb;
    }
    const double z = (p.beta - p.alpha) / (p.beta + y);
    return std::log(numeric::hyp2f1(1, p.s + 1, p.r + p.s + x + 1, z)) + (1 - p.r - x) * la -
           (p.s + 1) * lb;
}

// The two parts of the likelihood past Gamma(r+x) alpha^r beta^s / Gamma(r):
// B1 = log of 1 / ((alpha+T)^(r+x) (beta+T)^s), and log(s/(r+s+x) A0).
struct Parts {
    double b1, a0;
};

Parts parts(const ParetoNbd::Params& p, double x, double t_x, double T) {
    const double b1 = -(p.r + x) * std::log(p.alpha + T) - p.s * std::log(p.beta + T);
    const double a0 = std::log(p.s / (p.r + p.s + x)) + numeric::log_sub(log_F(p, x, t_x), log_F(p, x, T));
    return {b1, a0};
}

double term(const ParetoNbd::Params& p, double x, double t_x, double T) {
    const Parts q = parts(p, x, t_x, T);
    return lgamma(p.r + x) - lgamma(p.r) + p.r * std::log(p.alpha) + p.s * std::log(p.beta) +
           numeric::log_add(q.b1, q.a0);
}

// (1 - u^(s-1)) / (s - 1) for u in (0, 1], its limit -log u at s = 1.
double power_gap(double s, double log_u) {
    if (std::abs(s - 1) < 1e-10) return -log_u;
    return -std::expm1((s - 1) * log_u) / (s - 1);
}

}  // namespace

result<ParetoNbd> ParetoNbd::with(const Params& p) {
    const double v[] = {p.r, p.alpha, p.s, p.beta};
    CRM_TRY(report, numeric::given("pareto_nbd", v, kNames));
    ParetoNbd m;
    m.p_ = p;
    m.report_ = std::move(report);
    return m;
}

result<ParetoNbd> ParetoNbd::fit(std::span<const CustomerSummary> customers,
                                 const FitOptions& options) {
    CRM_TRY(g, numeric::group(customers));
    double mean_age = 0;
    for (const auto& q : g.groups) mean_age += q.T * q.weight;
    mean_age /= static_cast<double>(g.customers);
    numeric::Problem problem;
    problem.model = "pareto_nbd";
    problem.degenerate =
        "the purchases show too little sign of customers dropping out, or too little difference in their "
        "rates, for Pareto/NBD to tell its parameters apart (a longer history, or more customers, helps)";
    problem.names.assign(std::begin(kNames), std::end(kNames));
    // Rates per unit of time: start alpha and beta on the data's time scale.
    problem.start = {1, mean_age / 4, 1, mean_age / 4};
    problem.customers = g.customers;
    problem.negative_log_likelihood = [&](std::span<const double> v, std::span<double>) {
        const Params p = from(v);
        double ll = 0;
        for (const auto& q : g.groups) ll += q.weight * term(p, q.x, q.t_x, q.T);
        return -ll;
    };
    CRM_TRY(report, numeric::maximise_likelihood(problem, options));
    ParetoNbd m;
    m.p_ = {report.parameters[0].value, report.parameters[1].value, report.parameters[2].value,
            report.parameters[3].value};
    m.report_ = std::move(report);
    return m;
}

result<double> ParetoNbd::log_likelihood(const CustomerSummary& c) const {
    CRM_TRYV(numeric::check(c, 0));
    return numeric::finite(term(p_, c.frequency, c.recency, c.age), "pareto_nbd", "the log-likelihood");
}

result<double> ParetoNbd::p_alive(const CustomerSummary& c) const {
    CRM_TRYV(numeric::check(c, 0));
    // 1 / (1 + s/(r+s+x) (alpha+T)^(r+x) (beta+T)^s A0) = 1 / (1 + e^(a0 - b1))
    const Parts q = parts(p_, c.frequency, c.recency, c.age);
    return numeric::finite(numeric::logistic_neg(q.a0 - q.b1), "pareto_nbd", "P(alive)");
}

result<double> ParetoNbd::expected_purchases_if_alive(const CustomerSummary& c, double t) const {
    CRM_TRYV(numeric::check_t(t));
    CRM_TRYV(numeric::check(c, 0));
    // (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)]
    const double bT = p_.beta + c.age;
    const double v = (p_.r + c.frequency) * bT / (p_.alpha + c.age) *
                     power_gap(p_.s, std::log(bT / (bT + t)));
    return numeric::finite(v, "pareto_nbd", "the expected number of purchases");
}

result<double> ParetoNbd::expected_purchases_new(double t) const {
    CRM_TRYV(numeric::check_t(t));
    // r beta / (alpha (s-1)) [1 - (beta/(beta+t))^(s-1)]
    const double v =
        p_.r * p_.beta / p_.alpha * power_gap(p_.s, std::log(p_.beta / (p_.beta + t)));
    return numeric::finite(v, "pareto_nbd", "the expected number of purchases");
}

}  // namespace crm::analytics
