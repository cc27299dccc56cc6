// crm/analytics/dashboard.hpp - the dashboard of a period for each role
// (داشبورد): the funnel, sales with their targets, the service desk, the
// customers' retention, churn and lifetime value, the campaigns, each read
// through its own context's report and rendered as JSON or as one
// self-contained HTML page (Persian and right to left, or English; charts as
// inline SVG; nothing fetched).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/analytics/cohort.hpp"
#include "crm/analytics/funnel.hpp"
#include "crm/core/id.hpp"
#include "crm/sales/forecast.hpp"
#include "crm/service/report.hpp"

namespace crm {

/// Whose page it is: each role's page shows what that role decides by.
enum class DashboardRole {
    manager,          ///< everything below
    sales_manager,    ///< the funnel by owner, sales by owner against targets
    sales_rep,        ///< `user`'s funnel (against the rest's) and sales
    service_manager,  ///< SLA compliance, backlog, bottlenecks, satisfaction, tickets by assignee
    service_agent,    ///< `user`'s tickets: their funnel against the rest's
    marketing,        ///< retention, churn, lifetime value and at-risk customers, campaigns
};

/// "manager", "sales_manager", ...
CRM_API const char* to_string(DashboardRole r) noexcept;
/// Fails with invalid_argument naming `field`.
CRM_API result<DashboardRole> parse_dashboard_role(std::string_view s, std::string_view field = "role");

struct DashboardQuery {
    /// The period reported: "1404-Q1", "1404-03", "1404" of `calendar`;
    /// empty: the quarter now is in.
    std::string period;
    CalendarSystem calendar = CalendarSystem::jalali;
    std::string time_zone = "Asia/Tehran";
    DashboardRole role = DashboardRole::manager;
    /// The sales rep (an opportunity owner) or service agent (a ticket
    /// assignee) whose page it is; required for those roles, refused for
    /// the others.
    std::string user;
    /// The sales process whose funnel is shown.
    std::string process = "sales";
    /// The currency of the customers' revenue (cohorts); empty: the
    /// purchases' one currency.
    std::string currency;
    /// Sales targets of the period by owner (ForecastTarget::group).
    std::vector<ForecastTarget> targets;
    /// Cohort rows shown: the months up to the period's end (1..60).
    int cohort_months = 12;
    /// A customer with no purchase in this many months has lapsed (1..120).
    int churn_after = 3;
    /// Rates from fewer records than this are marked as too few.
    std::int64_t min_records = 30;
};

/// The stored lifetime values (Analytics::score_clv) as a distribution.
struct ClvDistribution {
    std::string currency;
    std::int64_t scored = 0;
    std::int64_t total_value_minor = 0;
    Timestamp computed_at;  ///< of the latest score
    /// The value at the 10th, 25th, 50th, 75th and 90th percentile (nearest
    /// rank), and the largest.
    std::array<std::int64_t, 6> value_quantiles_minor{};
    /// Customers by P(alive) in tenths: [0, 0.1), [0.1, 0.2), ... [0.9, 1].
    std::array<std::int64_t, 10> by_p_alive{};
    /// At risk: P(alive) below 0.5 and a value at or above the median;
    /// their number and the value they hold.
    std::int64_t at_risk = 0, at_risk_value_minor = 0;
};

/// One campaign of the period, from its report.
struct CampaignSummary {
    Id id;
    std::string name, state, currency;
    std::int64_t members = 0;
    analytics::Proportion response;  ///< responded of members
    std::int64_t won_revenue_minor = 0, actual_cost_minor = 0;
    std::optional<double> roi;
    /// With A/B groups: the first two groups' response rates compared.
    std::string group_a, group_b;
    std::optional<analytics::ProportionTest> ab;
};

/// The open stages of the sales process as they stood at the period's end
/// (or now, within the period), rebuilt from history (Sales::pipeline_as_of).
struct DashboardPipeline {
    std::string process;
    Timestamp at;
    std::vector<StageSnapshot> stages;  ///< open stages, in definition order, per currency
};

struct Dashboard {
    std::string period, from_date, to_date;  ///< Gregorian [from, to)
    CalendarSystem calendar = CalendarSystem::jalali;
    DashboardRole role = DashboardRole::manager;
    std::string user;
    Timestamp generated_at;
    /// The records each part reads, in words: the page says what it
    /// counted and what it left out.
    std::string scope;
    /// The sales funnel of the records created in the period: grouped by
    /// owner for managers, of `user` (against the rest) for a rep.
    std::optional<Funnel> funnel;
    /// Sales by owner (a rep: their own) with cycle, forecast accuracy and
    /// targets.
    std::optional<Forecast> sales;
    /// The open pipeline by stage (a rep: their own deals); none when the
    /// funnel's process is not a pipeline of opportunities.
    std::optional<DashboardPipeline> pipeline;
    std::optional<ServiceReport> service;  ///< by queue
    /// Tickets created in the period: by assignee for the service manager,
    /// `user`'s against the rest for an agent.
    std::optional<Funnel> tickets;
    std::optional<Cohorts> customers;  ///< monthly cohorts to the period's end, and churn
    std::optional<ClvDistribution> clv;  ///< none before a scoring run
    std::vector<CampaignSummary> campaigns;  ///< launched by the period's end and not ended before it
};

/// The language of the HTML page: Persian (right to left, Persian digits)
/// or English.
enum class DashboardLanguage { fa, en };

/// The dashboard as one HTML page: UTF-8, inline CSS and SVG, no script,
/// no external resource; every value from the records is escaped.
CRM_API std::string to_html(const Dashboard& d, DashboardLanguage language = DashboardLanguage::fa);

}  // namespace crm
