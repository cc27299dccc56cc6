// crm/analytics/analytics.hpp - crm::Analytics, the analytical side of an
// Engine (لایه تحلیلی): models fitted on the stored records and the scores
// they give each party.
//
//     crm::Analytics an(*engine);
//     crm::ClvRequest req;                       // calibration ends now, in weeks
//     req.value.annual_discount_rate = 0.3;      // 30% a year
//     auto fit = an.fit_clv(req);                // BG/NBD + Gamma-Gamma, reports only
//     auto run = an.score_clv(ctx, req);         // ... and every party's score stored
//     auto mine = an.clv_score(party);           // clv.value, clv.p_alive, ...
//
// An Analytics is a handle: cheap, holding only the Engine, which must
// outlive it. Reads see one consistent snapshot; a scoring run is one
// transaction (or runs under a savepoint of the Engine's open one) and a
// failed run changes nothing. docs/ANALYTICS.md describes every figure.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "crm/analytics/clv.hpp"
#include "crm/analytics/cohort.hpp"
#include "crm/analytics/dashboard.hpp"
#include "crm/analytics/funnel.hpp"
#include "crm/core/context.hpp"
#include "crm/customer/purchase.hpp"
#include "crm/engine.hpp"

namespace crm {

/// Which stored purchases a CLV model learns from, and how.
struct ClvRequest {
    /// The last day of calibration (the local day in time_zone this falls
    /// on); purchases after it are not read. None: now.
    std::optional<Timestamp> calibration_end;
    /// The currency of the purchases read. Empty: the one currency every
    /// purchase is in; purchases in several fail with invalid_argument
    /// naming "currency" (a CLV never adds two currencies). Named: purchases
    /// in other currencies are left out, and counted in the fit.
    std::string currency;
    analytics::TimeUnit unit = analytics::TimeUnit::weeks;
    std::string time_zone = "Asia/Tehran";
    /// The model of purchase counts: "bg_nbd" or "pareto_nbd". Spend is
    /// always the Gamma-Gamma model.
    std::string model = "bg_nbd";
    analytics::FitOptions fit;
    /// Horizon, step and discounting of the value (in `unit`; days_per_unit
    /// is set from `unit`).
    analytics::ClvOptions value;
    /// Called with the number of parties done so far (summary, scoring).
    std::function<void(std::int64_t done)> progress;
};

/// One page of the calibration summary of the stored purchases.
struct ClvSummaryPage {
    /// The page's customers in party id order, and what its purchases
    /// counted (customers_after_calibration, transactions: this page's).
    analytics::Summary summary;
    std::string currency;  ///< the purchases' currency: pass it on to the next page
    Id next;               ///< the last party of the page; nil on the last page
};

/// What fitting the models on the stored purchases found.
struct ClvFit {
    std::string currency;
    std::string model;
    analytics::TimeUnit unit = analytics::TimeUnit::weeks;
    Timestamp calibration_end;
    std::int64_t customers = 0;         ///< parties with a purchase by calibration_end
    std::int64_t repeat_customers = 0;  ///< of those, with a repeat purchase day
    std::int64_t purchases_read = 0;    ///< purchases in the currency
    std::int64_t purchases_after_calibration = 0;
    std::int64_t purchases_other_currencies = 0;  ///< left out
    std::int64_t customers_after_calibration = 0;  ///< first purchase after calibration_end
    analytics::FitReport purchases;     ///< BG/NBD or Pareto/NBD
    analytics::FitReport spend;         ///< Gamma-Gamma
};

/// What a scoring run did.
struct ClvRun {
    Id run;      ///< the audit record of the run ("clv_run")
    ClvFit fit;
    std::int64_t scored = 0;  ///< parties whose score was stored
    Money total_value;        ///< the sum of every scored party's value
    Timestamp computed_at;
};

class CRM_API Analytics {
public:
    explicit Analytics(Engine& engine) noexcept;

    /// The calibration summary of every party with a purchase by the
    /// calibration end, keyed by party id, in id order. Errors: as
    /// analytics::summarize, "currency" as in ClvRequest, "model" for an
    /// unknown model, and a calibration end before the first purchase
    /// (invalid_argument naming "calibration_end").
    result<analytics::Summary> clv_summary(const ClvRequest& request);
    /// At most `limit` (1..1000000) customers of the summary, those whose
    /// party id follows `after` (nil: from the first); reads only their
    /// purchases. A page past the last party is empty, not an error.
    result<ClvSummaryPage> clv_summary_page(const ClvRequest& request, const Id& after,
                                            std::int64_t limit);
    /// Summarises and fits the purchase and spend models; writes nothing.
    /// A model that does not converge fails with invalid_argument naming
    /// "model" and the optimiser's state.
    result<ClvFit> fit_clv(const ClvRequest& request);
    /// Fits, then scores every summarised party and stores the scores
    /// (replacing every earlier score; crm::ClvScore), with one audit entry
    /// and one "clv.scored" event for the run. Tracked segments whose rule
    /// reads clv.* are evaluated again.
    result<ClvRun> score_clv(const Context& ctx, const ClvRequest& request);
    /// The funnel of a process over its records' history (funnel.hpp).
    /// invalid_argument naming "process" (empty), "period", "time_zone",
    /// "min_records"; not_found naming "process" when no definition has
    /// that id.
    result<Funnel> funnel(const FunnelQuery& query);
    /// Cohort retention and inactivity churn over the stored purchases
    /// (cohort.hpp). invalid_argument naming "time_zone", "since" (not a
    /// period, after as_of, or a table of more than
    /// CohortQuery::kMaxPeriods periods), "currency", "churn_after",
    /// "min_records".
    result<Cohorts> cohorts(const CohortQuery& query);
    /// A role's dashboard of a period (dashboard.hpp): the parts that role
    /// decides by, each from its context's report; to_html() renders it.
    /// invalid_argument naming "period", "cohort_months", "user" (missing
    /// for a rep or agent, given for another role, or over 256 bytes) and
    /// the fields of the parts' queries.
    result<Dashboard> dashboard(const DashboardQuery& query);
    /// A party's stored score (a merged-away id resolves to its survivor);
    /// none before a run scored it; not_found naming "party".
    result<std::optional<ClvScore>> clv_score(const Id& party);

private:
    Engine* engine_;
};

}  // namespace crm
