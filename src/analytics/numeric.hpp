// src/analytics/numeric.hpp - the numerics the models share: sums kept in
// logarithms, Gauss's hypergeometric function through Boost.Math, and
// maximum likelihood through NLopt with standard errors from the observed
// information (docs/decisions/0017-analytics-numerics.md).
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "crm/analytics/clv.hpp"
#include "crm/core/error.hpp"

namespace crm::analytics::numeric {

/// log(exp(a) + exp(b)) without overflow; -inf terms allowed.
double log_add(double a, double b) noexcept;
/// log(exp(a) - exp(b)) for a >= b; -inf when equal.
double log_sub(double a, double b) noexcept;
/// 1 / (1 + exp(x)) without overflow.
double logistic_neg(double x) noexcept;

/// log |Gamma(x)| and the digamma function by Boost.Math in double
/// precision (its default promotes to long double, which costs ten times
/// as much); NaN where undefined, never an exception.
double lgamma(double x) noexcept;
double digamma(double x) noexcept;

/// 2F1(a, b; c; z) for |z| < 1 by Boost.Math's checked series; NaN when
/// the series fails or overflows (no exception escapes). Callers transform
/// their arguments so the value stays moderate (docs/ANALYTICS.md).
double hyp2f1(double a, double b, double c, double z) noexcept;

/// The negative log-likelihood over natural parameters; fills `grad` (same
/// size) when it is not empty and the model has an analytic gradient.
using Objective = std::function<double(std::span<const double> theta, std::span<double> grad)>;

struct Problem {
    std::string model;                  ///< "bg_nbd": names the model in errors
    /// What parameters running to the edge of their range say about the
    /// data, for the error or warning that reports it.
    std::string degenerate;
    std::vector<std::string> names;     ///< parameter names
    std::vector<double> start;          ///< natural parameters, each > 0
    bool has_gradient = false;
    Objective negative_log_likelihood;  ///< summed over customers
    std::int64_t customers = 0;
};

/// Minimises over the logarithms of the parameters (so each stays > 0,
/// within [1e-8, 1e8] times its start):
/// L-BFGS with the gradient, BOBYQA without. The report carries the
/// estimates with standard errors, the log-likelihood and the evaluations.
/// invalid_argument naming "model" when the optimiser stops without
/// converging or the likelihood is not finite at the start.
result<FitReport> maximise_likelihood(const Problem& problem, const FitOptions& options);

/// Checks FitOptions; invalid_argument naming "max_evaluations" or
/// "tolerance".
result<void> check(const FitOptions& options);

/// Checks one summary (frequency an integer >= 0, 0 <= recency <= age,
/// recency > 0 when frequency > 0, each finite) naming "customers[i].field".
result<void> check(const CustomerSummary& c, std::size_t i);

/// Checks named model parameters: each finite and > 0.
result<void> check_params(std::span<const double> values, std::span<const char* const> names);

/// The report of a model given its parameters rather than fitted: the
/// estimates without standard errors. Checks them as check_params.
result<FitReport> given(std::string_view model, std::span<const double> values,
                        std::span<const char* const> names);

/// `v`, or invalid_argument naming "model" when it is not finite: "<model>:
/// <what> is not finite at these parameters".
result<double> finite(double v, std::string_view model, std::string_view what);

/// invalid_argument naming "t" unless t is finite and >= 0.
result<void> check_t(double t);

}  // namespace crm::analytics::numeric

namespace crm::analytics::numeric {

/// Customers with equal (frequency, recency, age) counted once with a
/// weight: the likelihood of a thousand one-time buyers of one day is one
/// term. `x_index` points into `xs`, the distinct frequencies, so terms
/// that depend on x alone are computed once per evaluation.
struct Grouped {
    struct Group {
        double x, t_x, T, weight;
        std::size_t x_index;
        std::size_t t_x_index, T_index;  ///< into `times`
    };
    std::vector<Group> groups;
    std::vector<double> xs;
    /// The distinct values of recency and age: log(alpha + t) is taken once
    /// per value and evaluation.
    std::vector<double> times;
    std::int64_t customers = 0;
};

/// Checks every summary (as check above) and groups them; invalid_argument
/// naming "customers" when there are none.
result<Grouped> group(std::span<const CustomerSummary> customers);

}  // namespace crm::analytics::numeric
