// crm/analytics/clv.hpp - customer lifetime value (ارزش طول عمر مشتری):
// the per-customer summary of purchases, the buy-till-you-die models that
// count future purchases (BG/NBD, Pareto/NBD), the Gamma-Gamma model of
// spend, and the discounted value they give.
//
// The definitions follow their authors:
//  - summary: Fader, Hardie & Lee (2005) "Counting Your Customers the Easy
//    Way"; purchases on the same day are one purchase;
//  - BG/NBD: Fader, Hardie & Lee (2005), Marketing Science 24(2);
//  - Pareto/NBD: Schmittlein, Morrison & Colombo (1987), likelihood as in
//    Fader & Hardie's note "Deriving an Expression for P(X(t) = x) under the
//    Pareto/NBD Model" and "A Note on Deriving the Pareto/NBD Model";
//  - Gamma-Gamma: Fader & Hardie (2013) "The Gamma-Gamma Model of Monetary
//    Value".
// Models are fitted by maximum likelihood in-process (NLopt), with standard
// errors from the observed information; special functions are Boost.Math's
// (docs/decisions/0017-analytics-numerics.md). docs/ANALYTICS.md describes
// every figure and the conventions (time units, discounting).
//
// Everything here is a pure function of its inputs: no database, no
// Engine. Engine-side commands (analytics.clv.*) summarise the stored
// purchases and store the scores on each party.
//
// Threading: fitted models are immutable values; every function is
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/export.hpp"
#include "crm/core/time.hpp"

namespace crm::analytics {

/// The unit times are expressed in: days, or weeks of seven days.
enum class TimeUnit { days, weeks };
CRM_API const char* to_string(TimeUnit) noexcept;
/// "days" or "weeks"; invalid_argument naming `field`.
CRM_API result<TimeUnit> parse_time_unit(std::string_view s, std::string_view field = "unit");

// ---- the summary -------------------------------------------------------

/// One purchase as the models see it.
struct Transaction {
    std::string customer;  ///< any key: a party id, an external id
    Timestamp at;
    double amount = 0;     ///< in the currency's major unit (rials, dollars)
};

struct SummaryOptions {
    /// The last day of calibration is the local day (in time_zone) this
    /// instant falls on; purchases on it are calibration purchases.
    Timestamp calibration_end;
    /// The last day of the hold-out period (purchases after calibration
    /// counted for validation); none: purchases after calibration are
    /// ignored.
    std::optional<Timestamp> observation_end;
    TimeUnit unit = TimeUnit::weeks;
    /// The zone whose calendar days merge purchases and measure time.
    std::string time_zone = "Asia/Tehran";
};

/// A customer's calibration summary (Fader, Hardie & Lee 2005).
struct CustomerSummary {
    std::string customer;
    /// x: repeat purchase days in calibration (the first day excluded).
    double frequency = 0;
    /// t_x: from the first purchase day to the last calibration purchase
    /// day; 0 when frequency is 0.
    double recency = 0;
    /// T: from the first purchase day to the last day of calibration.
    double age = 0;
    /// Mean spend per repeat purchase day (first day excluded); 0 when
    /// frequency is 0. The input of the Gamma-Gamma model.
    double monetary = 0;
    /// Purchase days in the hold-out period, and its length (0 without one).
    double holdout_frequency = 0;
    double holdout_duration = 0;
};

struct Summary {
    std::vector<CustomerSummary> customers;  ///< ordered by customer key
    /// Customers whose first purchase falls after calibration: not in the
    /// calibration cohort, so not summarised.
    std::int64_t customers_after_calibration = 0;
    std::int64_t transactions = 0;  ///< transactions read
};

/// Summarises transactions (any order). invalid_argument naming
/// "calibration_end" when no customer bought on or before it,
/// "observation_end" when it precedes calibration_end,
/// "transactions[i].customer" / ".amount" / ".at" for an empty key, a
/// negative or non-finite amount, an instant outside years 1700..9999.
CRM_API result<Summary> summarize(std::span<const Transaction> transactions,
                                  const SummaryOptions& options);

// ---- fitting -----------------------------------------------------------

struct FitOptions {
    /// Most likelihood evaluations before the fit is given up (as an
    /// error naming the model and the optimiser's state). 10..1000000.
    int max_evaluations = 20000;
    /// Relative tolerance on the parameters at which the optimiser stops.
    double tolerance = 1e-10;
};

/// One fitted parameter.
struct Estimate {
    std::string name;
    double value = 0;
    /// From the inverse of the observed information (the Hessian of the
    /// negative log-likelihood); none when that matrix is not positive
    /// definite at the optimum (a flat or boundary solution).
    std::optional<double> std_error;
};

/// How a model was fitted.
struct FitReport {
    std::string model;           ///< "bg_nbd", "pareto_nbd", "gamma_gamma"
    std::vector<Estimate> parameters;
    double log_likelihood = 0;   ///< at the estimates, over every customer
    std::int64_t customers = 0;  ///< customers the likelihood summed over
    int evaluations = 0;         ///< likelihood evaluations the optimiser took
    std::string optimiser;       ///< the NLopt algorithm
    /// A parameter that ended at the edge of its search range (1e-8 or 1e8
    /// times its start) is a limit, not an estimate: each such one is named
    /// here with what it says about the data (its std_error is none).
    std::vector<std::string> warnings;
};

/// What every model of purchase counts answers about one customer.
class CRM_API PurchaseModel {
public:
    virtual ~PurchaseModel();
    virtual const FitReport& report() const noexcept = 0;
    /// The customer's log-likelihood contribution.
    virtual result<double> log_likelihood(const CustomerSummary& c) const = 0;
    /// P(alive): the probability the customer has not dropped out by T.
    virtual result<double> p_alive(const CustomerSummary& c) const = 0;
    /// E[Y(t) | x, t_x, T]: purchases expected in the next t units; the
    /// product of p_alive and expected_purchases_if_alive.
    result<double> expected_purchases(const CustomerSummary& c, double t) const;
    /// E[Y(t) | alive at T, x, T]: purchases expected in the next t units
    /// of a customer still active. It does not depend on the recency, so a
    /// scoring run computes it once per (frequency, age).
    virtual result<double> expected_purchases_if_alive(const CustomerSummary& c,
                                                       double t) const = 0;
    /// E[X(t)]: purchases a new customer makes in their first t units.
    virtual result<double> expected_purchases_new(double t) const = 0;
};

/// The BG/NBD model: purchases at Poisson rate lambda ~ Gamma(r, alpha);
/// after each purchase the customer drops out with p ~ Beta(a, b).
class CRM_API BgNbd final : public PurchaseModel {
public:
    struct Params {
        double r = 1, alpha = 1, a = 1, b = 1;
    };
    /// Fits by maximum likelihood. invalid_argument naming "customers"
    /// when empty, "customers[i].frequency" (and recency, age) for values
    /// that are negative, non-finite, a non-integer frequency, recency
    /// above age, or a repeat buyer with zero recency; naming "model" when
    /// the optimiser does not converge (its state in the message).
    static result<BgNbd> fit(std::span<const CustomerSummary> customers,
                             const FitOptions& options = {});
    /// A model with known parameters (each finite and > 0).
    static result<BgNbd> with(const Params& p);

    const Params& params() const noexcept { return p_; }
    const FitReport& report() const noexcept override { return report_; }
    result<double> log_likelihood(const CustomerSummary& c) const override;
    result<double> p_alive(const CustomerSummary& c) const override;
    result<double> expected_purchases_if_alive(const CustomerSummary& c,
                                               double t) const override;
    result<double> expected_purchases_new(double t) const override;
    /// P(X(t) = n): a new customer makes exactly n purchases in t units
    /// (FHL 2005, eq. 8).
    result<double> probability_of_purchases(int n, double t) const;

private:
    Params p_;
    FitReport report_;
};

/// The Pareto/NBD model: purchases at Poisson rate lambda ~ Gamma(r,
/// alpha), an exponential lifetime with rate mu ~ Gamma(s, beta).
class CRM_API ParetoNbd final : public PurchaseModel {
public:
    struct Params {
        double r = 1, alpha = 1, s = 1, beta = 1;
    };
    /// Fits by maximum likelihood; errors as BgNbd::fit.
    static result<ParetoNbd> fit(std::span<const CustomerSummary> customers,
                                 const FitOptions& options = {});
    static result<ParetoNbd> with(const Params& p);

    const Params& params() const noexcept { return p_; }
    const FitReport& report() const noexcept override { return report_; }
    result<double> log_likelihood(const CustomerSummary& c) const override;
    result<double> p_alive(const CustomerSummary& c) const override;
    result<double> expected_purchases_if_alive(const CustomerSummary& c,
                                               double t) const override;
    result<double> expected_purchases_new(double t) const override;

private:
    Params p_;
    FitReport report_;
};

/// The Gamma-Gamma model of spend: a purchase's value ~ Gamma(p, nu), the
/// customer's nu ~ Gamma(q, gamma). Fitted on repeat customers only
/// (frequency > 0), on their mean repeat spend.
class CRM_API GammaGamma final {
public:
    struct Params {
        double p = 1, q = 1, gamma = 1;
    };
    /// invalid_argument naming "customers" when no customer has
    /// frequency > 0 with a positive monetary value, "customers[i].monetary"
    /// for a negative, zero (with frequency > 0) or non-finite value; "model"
    /// when the optimiser does not converge.
    static result<GammaGamma> fit(std::span<const CustomerSummary> customers,
                                  const FitOptions& options = {});
    static result<GammaGamma> with(const Params& p);

    const Params& params() const noexcept { return p_; }
    const FitReport& report() const noexcept { return report_; }
    /// E[M | x, m_x]: the customer's expected spend per purchase; for a
    /// customer with no repeat purchase, the population mean p*gamma/(q-1).
    /// invalid_argument naming "q" when q <= 1 (the mean does not exist).
    result<double> expected_spend(const CustomerSummary& c) const;
    result<double> log_likelihood(const CustomerSummary& c) const;

private:
    Params p_;
    FitReport report_;
};

// ---- value -------------------------------------------------------------

struct ClvOptions {
    /// How far ahead, in the summary's unit (52 weeks: a year). > 0.
    double horizon = 52;
    /// The step purchases are grouped and discounted by, in the same unit
    /// (30.4375 days or 4.348 weeks: a month). 0 < step <= horizon.
    double step = 365.25 / 12 / 7;
    /// Annual discount rate (0.25: 25% a year), >= 0.
    double annual_discount_rate = 0;
    /// Days in the summary's unit: 7 for weeks, 1 for days.
    double days_per_unit = 7;
};

/// A customer's value over the horizon and its parts.
struct Clv {
    double value = 0;               ///< discounted: the net present value
    double undiscounted = 0;        ///< expected purchases x expected spend
    double expected_purchases = 0;  ///< over the horizon
    double expected_spend = 0;      ///< per purchase
    double p_alive = 0;
};

/// Checks the options: invalid_argument naming "horizon", "step",
/// "annual_discount_rate" or "days_per_unit".
CRM_API result<void> check(const ClvOptions& options);

/// The purchases expected over the horizon, each step's discounted as
/// customer_lifetime_value says: the value is this times expected spend.
CRM_API result<double> discounted_purchases(const PurchaseModel& purchases,
                                            const CustomerSummary& customer,
                                            const ClvOptions& options);
/// The same for a customer still active (expected_purchases_if_alive):
/// discounted_purchases is this times p_alive.
CRM_API result<double> discounted_purchases_if_alive(const PurchaseModel& purchases,
                                                     const CustomerSummary& customer,
                                                     const ClvOptions& options);

/// The customer's lifetime value over the horizon. The horizon is cut into
/// steps; the purchases expected in step i, E[Y(t_i)] - E[Y(t_{i-1})], are
/// valued at expected_spend and discounted from the end of the step,
/// t_i = i * step (the last step ends at the horizon): factor
/// (1 + annual_discount_rate)^(-t_i * days_per_unit / 365.25).
CRM_API result<Clv> customer_lifetime_value(const PurchaseModel& purchases,
                                            const GammaGamma& spend,
                                            const CustomerSummary& customer,
                                            const ClvOptions& options = {});

}  // namespace crm::analytics
