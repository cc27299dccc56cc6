// src/analytics/codec.hpp - the JSON of the analytics: requests of the
// analytics.* commands and what they answer (docs/ANALYTICS.md).
#pragma once

#include "crm/analytics/analytics.hpp"
#include "analytics/stats_codec.hpp"
#include "customer/codec.hpp"

namespace crm::codec {

json to_json(const analytics::FitReport& r);
json to_json(const ClvFit& f);
json to_json(const ClvRun& r);
json to_json(const analytics::CustomerSummary& c);
json to_json(const Funnel& f);

/// Reads a FunnelQuery: process, period, calendar, time_zone, basis
/// (cohort|activity), order (any|strict), min_records.
result<FunnelQuery> funnel_query_from_json(const json& j, std::string_view path);
json to_json(const Cohorts& c);
/// Reads a CohortQuery: unit, calendar, time_zone, since, as_of, currency,
/// churn_after, min_records; unknown fields are refused.
result<CohortQuery> cohort_query_from_json(const json& j, std::string_view path);
/// The dashboard's parts, each in its own context's JSON.
json to_json(const Dashboard& d);
/// Reads a DashboardQuery: period, calendar (default jalali), time_zone,
/// role, user, process, currency, targets, cohort_months, churn_after,
/// min_records; `format` ("json" or "html") and `language` ("fa" or "en")
/// are read by the command.
result<DashboardQuery> dashboard_query_from_json(const json& j, std::string_view path);

/// Reads the fields of a ClvRequest from `j` (at `path`): calibration_end,
/// currency, unit, time_zone, model, horizon, step, annual_discount_rate,
/// max_evaluations, tolerance; other keys are left to the caller.
result<ClvRequest> clv_request_from_json(const json& j, std::string_view path);

/// The keys clv_request_from_json reads.
inline constexpr std::string_view kClvRequestKeys[] = {
    "calibration_end", "currency", "unit", "time_zone", "model", "horizon",
    "step", "annual_discount_rate", "max_evaluations", "tolerance"};

}  // namespace crm::codec
