// src/analytics/numeric.cpp - see numeric.hpp.
#include "analytics/numeric.hpp"

// Boost 1.74's pFq needs gamma and expm1 declared before it.
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/special_functions/hypergeometric_pFq.hpp>
#include <boost/math/tools/series.hpp>

#include <nlopt.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace crm::analytics::numeric {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

using namespace boost::math::policies;
using Quiet = policy<overflow_error<errno_on_error>, evaluation_error<errno_on_error>,
                     domain_error<errno_on_error>, pole_error<errno_on_error>,
                     max_series_iterations<2000000>>;
// The special functions of the likelihoods, in double precision (Quiet,
// for the checked series behind hyp2f1's fast path, keeps Boost's
// promotion to long double: it is asked only where digits cancel).
using Double = policy<promote_double<false>, overflow_error<errno_on_error>,
                      evaluation_error<errno_on_error>, domain_error<errno_on_error>,
                      pole_error<errno_on_error>>;

std::string fixed(double v) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}  // namespace

double log_add(double a, double b) noexcept {
    if (a < b) std::swap(a, b);
    if (b == -kInf) return a;
    return a + std::log1p(std::exp(b - a));
}

double log_sub(double a, double b) noexcept {
    if (b == -kInf) return a;
    if (b >= a) return -kInf;
    const double d = b - a;  // < 0
    // log(1 - e^d): expm1 near 0, log1p far from it (Maechler's rule).
    return a + (d > -0.6931471805599453 ? std::log(-std::expm1(d)) : std::log1p(-std::exp(d)));
}

double logistic_neg(double x) noexcept {
    if (x > 0) {
        const double e = std::exp(-x);
        return e / (1 + e);
    }
    return 1 / (1 + std::exp(x));
}

double lgamma(double x) noexcept {
    try {
        return boost::math::lgamma(x, Double());
    } catch (...) {
        return kNaN;
    }
}

double digamma(double x) noexcept {
    try {
        return boost::math::digamma(x, Double());
    } catch (...) {
        return kNaN;
    }
}

namespace {

// The terms of Gauss's series, each from the one before:
// t_{n+1} = t_n (a+n)(b+n) / ((c+n)(n+1)) z. Also sums |t_n|, which tells
// how much cancellation the sum suffered.
struct Hyp2f1Terms {
    using result_type = double;
    double a, b, c, z, term = 1, n = 0, magnitude = 1;
    double operator()() noexcept {
        term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
        n += 1;
        magnitude += std::abs(term);
        return term;
    }
};

}  // namespace

double hyp2f1(double a, double b, double c, double z) noexcept {
    if (z == 0) return 1;
    if (!(std::abs(z) < 1)) return kNaN;
    // Boost.Math's plain series summation first (a tenth of the checked
    // series' cost); when it runs out of terms, is not finite, or lost
    // more than four digits to cancellation, the checked series decides.
    {
        Hyp2f1Terms terms{a, b, c, z};
        std::uintmax_t max_terms = 1'000'000;
        const double v = boost::math::tools::sum_series(
            terms, std::numeric_limits<double>::epsilon(), max_terms, 1.0);
        if (max_terms < 1'000'000 && std::isfinite(v) && terms.magnitude < 1e4 * std::abs(v))
            return v;
    }
    try {
        const std::initializer_list<double> top = {a, b}, bottom = {c};
        double* no_error_estimate = nullptr;
        const double v = boost::math::hypergeometric_pFq(top, bottom, z, no_error_estimate, Quiet());
        return std::isfinite(v) ? v : kNaN;
    } catch (...) {
        return kNaN;
    }
}

result<void> check(const FitOptions& o) {
    if (o.max_evaluations < 10 || o.max_evaluations > 1'000'000)
        return fail(errc::invalid_argument, "must be between 10 and 1000000", "max_evaluations");
    if (!(o.tolerance > 0 && o.tolerance < 1))
        return fail(errc::invalid_argument, "must be above 0 and below 1", "tolerance");
    return ok();
}

result<void> check(const CustomerSummary& c, std::size_t i) {
    // The path is built only for an error: a million customers are checked.
    auto bad = [&](const char* field, const char* why) {
        return fail(errc::invalid_argument, why,
                    "customers[" + std::to_string(i) + "]." + field);
    };
    for (auto [v, name] : {std::pair{c.frequency, "frequency"}, std::pair{c.recency, "recency"},
                           std::pair{c.age, "age"}, std::pair{c.monetary, "monetary"}})
        if (!std::isfinite(v) || v < 0) return bad(name, "must be a finite number >= 0");
    if (c.frequency != std::floor(c.frequency) || c.frequency > 1e9)
        return bad("frequency", "must be a whole number of purchases");
    if (c.recency > c.age) return bad("recency", "must not exceed age");
    if (c.frequency > 0 && c.recency <= 0)
        return bad("recency", "must be above 0 for a repeat buyer");
    return ok();
}

result<void> check_params(std::span<const double> values, std::span<const char* const> names) {
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i]) || values[i] <= 0)
            return fail(errc::invalid_argument, "must be a finite number above 0", names[i]);
    return ok();
}

result<FitReport> given(std::string_view model, std::span<const double> values,
                        std::span<const char* const> names) {
    CRM_TRYV(check_params(values, names));
    FitReport r;
    r.model = std::string(model);
    for (std::size_t i = 0; i < values.size(); ++i)
        r.parameters.push_back({names[i], values[i], std::nullopt});
    return r;
}

result<double> finite(double v, std::string_view model, std::string_view what) {
    if (!std::isfinite(v))
        return fail(errc::invalid_argument,
                    std::string(model) + ": " + std::string(what) +
                        " is not finite at these parameters",
                    "model");
    return v;
}

result<void> check_t(double t) {
    if (!std::isfinite(t) || t < 0)
        return fail(errc::invalid_argument, "must be a finite number >= 0", "t");
    return ok();
}

namespace {

struct Call {
    const Problem* problem;
    std::vector<double> theta, grad;
    int evaluations = 0;
    bool failed = false;  // an exception or a non-finite value met
};

// Objective over u = log(theta), scaled by 1/customers so tolerances do not
// depend on the data size.
double objective(unsigned n, const double* u, double* grad_u, void* data) {
    auto& call = *static_cast<Call*>(data);
    ++call.evaluations;
    try {
        for (unsigned i = 0; i < n; ++i) call.theta[i] = std::exp(u[i]);
        std::span<double> g;
        if (grad_u) g = std::span<double>(call.grad);
        const double f = call.problem->negative_log_likelihood(call.theta, g);
        const double scale = 1.0 / static_cast<double>(std::max<std::int64_t>(1, call.problem->customers));
        if (!std::isfinite(f)) {
            if (grad_u) std::fill(grad_u, grad_u + n, 0.0);
            return kInf;
        }
        if (grad_u)
            for (unsigned i = 0; i < n; ++i) grad_u[i] = call.grad[i] * call.theta[i] * scale;
        return f * scale;
    } catch (...) {
        call.failed = true;
        return kInf;
    }
}

// The observed information: the Hessian of the negative log-likelihood at
// theta, with relative steps of 1e-4: central differences of the gradient
// where the model has one (2n evaluations), of its values otherwise.
std::vector<double> hessian(const Problem& p, std::vector<double> theta) {
    const std::size_t n = theta.size();
    std::vector<double> h(n), H(n * n, kNaN);
    for (std::size_t i = 0; i < n; ++i) h[i] = 1e-4 * theta[i];
    if (p.has_gradient) {
        std::vector<double> plus(n), minus(n);
        for (std::size_t j = 0; j < n; ++j) {
            theta[j] += h[j];
            p.negative_log_likelihood(theta, plus);
            theta[j] -= 2 * h[j];
            p.negative_log_likelihood(theta, minus);
            theta[j] += h[j];
            for (std::size_t i = 0; i < n; ++i) H[i * n + j] = (plus[i] - minus[i]) / (2 * h[j]);
        }
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = i + 1; j < n; ++j)
                H[i * n + j] = H[j * n + i] = (H[i * n + j] + H[j * n + i]) / 2;
        return H;
    }
    auto f = [&](std::vector<double>& t) { return p.negative_log_likelihood(t, {}); };
    const double f0 = f(theta);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i; j < n; ++j) {
            double v;
            if (i == j) {
                theta[i] += h[i];
                const double fp = f(theta);
                theta[i] -= 2 * h[i];
                const double fm = f(theta);
                theta[i] += h[i];
                v = (fp - 2 * f0 + fm) / (h[i] * h[i]);
            } else {
                double s = 0;
                for (int a : {1, -1})
                    for (int b : {1, -1}) {
                        theta[i] += a * h[i];
                        theta[j] += b * h[j];
                        s += a * b * f(theta);
                        theta[i] -= a * h[i];
                        theta[j] -= b * h[j];
                    }
                v = s / (4 * h[i] * h[j]);
            }
            H[i * n + j] = H[j * n + i] = v;
        }
    }
    return H;
}

// Diagonal of the inverse of a symmetric positive definite matrix by
// Cholesky; empty when it is not positive definite.
std::vector<double> inverse_diagonal(std::vector<double> A, std::size_t n) {
    for (double v : A)
        if (!std::isfinite(v)) return {};
    // A = L L^T, L stored in the lower triangle.
    for (std::size_t j = 0; j < n; ++j) {
        double d = A[j * n + j];
        for (std::size_t k = 0; k < j; ++k) d -= A[j * n + k] * A[j * n + k];
        if (!(d > 0)) return {};
        const double l = std::sqrt(d);
        A[j * n + j] = l;
        for (std::size_t i = j + 1; i < n; ++i) {
            double s = A[i * n + j];
            for (std::size_t k = 0; k < j; ++k) s -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = s / l;
        }
    }
    // (A^-1)_ii = sum_k (L^-1)_ki^2; solve L y = e_i column by column.
    std::vector<double> diag(n, 0.0), y(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t r = 0; r < n; ++r) {
            double s = r == i ? 1.0 : 0.0;
            for (std::size_t k = 0; k < r; ++k) s -= A[r * n + k] * y[k];
            y[r] = r < i ? 0.0 : s / A[r * n + r];
        }
        for (std::size_t r = i; r < n; ++r) diag[i] += y[r] * y[r];
    }
    return diag;
}

const char* describe(nlopt_result r) {
    switch (r) {
        case NLOPT_MAXEVAL_REACHED: return "reached the most evaluations allowed";
        case NLOPT_MAXTIME_REACHED: return "ran out of time";
        case NLOPT_ROUNDOFF_LIMITED: return "was stopped by round-off";
        case NLOPT_FORCED_STOP: return "was stopped";
        case NLOPT_OUT_OF_MEMORY: return "ran out of memory";
        case NLOPT_INVALID_ARGS: return "was given invalid arguments";
        default: return "failed";
    }
}

}  // namespace

result<FitReport> maximise_likelihood(const Problem& p, const FitOptions& options) {
    CRM_TRYV(check(options));
    const unsigned n = static_cast<unsigned>(p.start.size());
    Call call{&p, p.start, std::vector<double>(n), 0, false};
    // Each parameter within [1e-8, 1e8] times its start, which carries the
    // data's scale (a spend in rials, a rate per day).
    std::vector<double> u(n), lower(n), upper(n);
    for (unsigned i = 0; i < n; ++i) {
        u[i] = std::log(p.start[i]);
        lower[i] = u[i] + std::log(1e-8);
        upper[i] = u[i] + std::log(1e8);
    }

    const nlopt_algorithm algorithm = p.has_gradient ? NLOPT_LD_LBFGS : NLOPT_LN_BOBYQA;
    nlopt_opt opt = nlopt_create(algorithm, n);
    if (!opt) return fail(errc::out_of_memory, "could not create the optimiser");
    struct Destroy {
        nlopt_opt o;
        ~Destroy() { nlopt_destroy(o); }
    } destroy{opt};
    nlopt_set_min_objective(opt, objective, &call);
    nlopt_set_lower_bounds(opt, lower.data());
    nlopt_set_upper_bounds(opt, upper.data());
    nlopt_set_xtol_rel(opt, options.tolerance);
    nlopt_set_ftol_rel(opt, options.tolerance * 1e-2);
    nlopt_set_maxeval(opt, options.max_evaluations);
    if (!p.has_gradient) nlopt_set_initial_step1(opt, 0.5);

    std::vector<double> dummy;
    if (!std::isfinite(objective(n, u.data(), nullptr, &call)) || call.failed)
        return fail(errc::invalid_argument,
                    p.model + ": the likelihood is not finite at the starting values", "model");
    double minimum = kInf;
    nlopt_result r = nlopt_optimize(opt, u.data(), &minimum);
    // L-BFGS often ends "round-off limited" at the optimum itself: accept it
    // when the gradient there is flat.
    if (r == NLOPT_ROUNDOFF_LIMITED && p.has_gradient) {
        std::vector<double> g(n);
        objective(n, u.data(), g.data(), &call);
        double norm = 0;
        for (double v : g) norm = std::max(norm, std::abs(v));
        if (norm < 1e-5) r = NLOPT_SUCCESS;
    }
    if (r < 0 || r == NLOPT_MAXEVAL_REACHED || r == NLOPT_MAXTIME_REACHED || call.failed ||
        !std::isfinite(minimum)) {
        std::string state, running;
        int ran = 0;
        for (unsigned i = 0; i < n; ++i) {
            state += (i ? ", " : "") + p.names[i] + " = " + fixed(std::exp(u[i]));
            // A thousandfold from its start: on its way to the edge.
            if (std::abs(u[i] - std::log(p.start[i])) > std::log(1e3)) {
                running += (ran++ ? " and " : "") + p.names[i];
            }
        }
        std::string why;
        if (ran > 0 && !p.degenerate.empty())
            why = "; " + running + (ran == 1 ? " was" : " were") +
                  " running to the edge of the range searched: " + p.degenerate;
        return fail(errc::invalid_argument,
                    p.model + " did not converge: the optimiser (" +
                        nlopt_algorithm_name(algorithm) + ") " + describe(r) + " after " +
                        std::to_string(call.evaluations) + " evaluations at " + state +
                        ", log-likelihood " +
                        fixed(-minimum * static_cast<double>(std::max<std::int64_t>(1, p.customers))) + why,
                    "model");
    }

    FitReport report;
    report.model = p.model;
    report.customers = p.customers;
    report.evaluations = call.evaluations;
    report.optimiser = p.has_gradient ? "NLopt LD_LBFGS" : "NLopt LN_BOBYQA";
    std::vector<double> theta(n);
    for (unsigned i = 0; i < n; ++i) theta[i] = std::exp(u[i]);
    report.log_likelihood = -p.negative_log_likelihood(theta, {});
    const auto variances = inverse_diagonal(hessian(p, theta), n);
    for (unsigned i = 0; i < n; ++i) {
        Estimate e{p.names[i], theta[i], std::nullopt};
        // A parameter pinned at a bound has no meaningful standard error.
        const bool at_bound = u[i] <= lower[i] + 1e-6 || u[i] >= upper[i] - 1e-6;
        if (!variances.empty() && !at_bound && variances[i] > 0)
            e.std_error = std::sqrt(variances[i]);
        if (at_bound)
            report.warnings.push_back(p.names[i] + " = " + fixed(theta[i]) +
                                      " is at the edge of the range searched, a limit rather than an estimate" +
                                      (p.degenerate.empty() ? std::string() : ": " + p.degenerate));
        report.parameters.push_back(std::move(e));
    }
    return report;
}

}  // namespace crm::analytics::numeric

#include <tuple>

namespace crm::analytics::numeric {

result<Grouped> group(std::span<const CustomerSummary> customers) {
    if (customers.empty())
        return fail(errc::invalid_argument, "must hold at least one customer", "customers");
    // Sorted keys, then runs of equal keys: a million customers group in a
    // sort, not a million tree insertions.
    using Key = std::tuple<double, double, double>;
    std::vector<Key> keys;
    keys.reserve(customers.size());
    for (std::size_t i = 0; i < customers.size(); ++i) {
        CRM_TRYV(check(customers[i], i));
        keys.emplace_back(customers[i].frequency, customers[i].recency, customers[i].age);
    }
    std::sort(keys.begin(), keys.end());
    Grouped g;
    g.customers = static_cast<std::int64_t>(customers.size());
    // The distinct times, sorted: each group finds its two by bisection.
    g.times.reserve(2 * keys.size());
    for (const auto& [x, t_x, T] : keys) {
        g.times.push_back(t_x);
        g.times.push_back(T);
    }
    std::sort(g.times.begin(), g.times.end());
    g.times.erase(std::unique(g.times.begin(), g.times.end()), g.times.end());
    g.times.shrink_to_fit();
    auto time_index = [&](double t) {
        return static_cast<std::size_t>(std::lower_bound(g.times.begin(), g.times.end(), t) - g.times.begin());
    };
    for (std::size_t i = 0; i < keys.size();) {
        std::size_t j = i + 1;
        while (j < keys.size() && keys[j] == keys[i]) ++j;
        const auto [x, t_x, T] = keys[i];
        if (g.xs.empty() || g.xs.back() != x) g.xs.push_back(x);  // keys sorted by x first
        g.groups.push_back({x, t_x, T, static_cast<double>(j - i), g.xs.size() - 1,
                            time_index(t_x), time_index(T)});
        i = j;
    }
    return g;
}

}  // namespace crm::analytics::numeric
