// src/analytics/dashboard.cpp - the dashboard of a period for each role: its
// parts read through the contexts' own reports.
#include "crm/analytics/dashboard.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/enum_names.hpp"
#include "core/period_span.hpp"
#include "crm/analytics/analytics.hpp"
#include "crm/marketing/marketing.hpp"
#include "crm/sales/sales.hpp"
#include "crm/service/service.hpp"
#include "engine/access.hpp"

namespace crm {

CRM_ENUM_NAMES(DashboardRole, parse_dashboard_role, {DashboardRole::manager, "manager"},
               {DashboardRole::sales_manager, "sales_manager"}, {DashboardRole::sales_rep, "sales_rep"},
               {DashboardRole::service_manager, "service_manager"},
               {DashboardRole::service_agent, "service_agent"}, {DashboardRole::marketing, "marketing"})

namespace {

constexpr std::size_t kMostCampaigns = 50;
constexpr int kCampaignPages = 100;  // of 100: the campaigns looked at

bool sees_sales(DashboardRole r) {
    return r == DashboardRole::manager || r == DashboardRole::sales_manager || r == DashboardRole::sales_rep;
}
bool sees_customers(DashboardRole r) { return r == DashboardRole::manager || r == DashboardRole::marketing; }

// The stored lifetime values as a distribution; none before a scoring run.
result<std::optional<ClvDistribution>> clv_distribution(Engine::Impl& impl) {
    std::vector<std::pair<std::int64_t, double>> scores;  // (value, P(alive))
    ClvDistribution d;
    CRM_TRYV(impl.read([&](Transaction& tx) {
        return tx.for_each_clv_score([&](const ClvScore& s) {
            if (d.currency.empty()) d.currency = s.value.currency;
            scores.emplace_back(s.value.minor, s.p_alive);
            d.total_value_minor += s.value.minor;
            d.computed_at = std::max(d.computed_at, s.computed_at);
            return true;
        });
    }));
    if (scores.empty()) return std::optional<ClvDistribution>{};
    std::sort(scores.begin(), scores.end());
    d.scored = static_cast<std::int64_t>(scores.size());
    const double ranks[] = {0.10, 0.25, 0.50, 0.75, 0.90};
    for (std::size_t k = 0; k < 5; ++k) {
        const auto rank = static_cast<std::size_t>(std::ceil(ranks[k] * static_cast<double>(scores.size())));
        d.value_quantiles_minor[k] = scores[std::max<std::size_t>(rank, 1) - 1].first;
    }
    d.value_quantiles_minor[5] = scores.back().first;
    const std::int64_t median = d.value_quantiles_minor[2];
    for (const auto& [value, alive] : scores) {
        ++d.by_p_alive[static_cast<std::size_t>(std::clamp(static_cast<int>(alive * 10), 0, 9))];
        if (alive < 0.5 && value >= median) {
            ++d.at_risk;
            d.at_risk_value_minor += value;
        }
    }
    return std::optional<ClvDistribution>(std::move(d));
}

// The campaigns launched by the period's end and not ended before it.
result<std::vector<CampaignSummary>> campaigns_of(Engine& engine, const PeriodSpan& span, std::int64_t min_records) {
    Marketing mk(engine);
    std::vector<CampaignSummary> out;
    Id after;
    for (int page = 0; page < kCampaignPages && out.size() < kMostCampaigns; ++page) {
        CRM_TRY(list, mk.campaigns(after, 100));
        if (list.empty()) break;
        after = list.back().id;
        for (const auto& c : list) {
            const bool ended = c.state == "completed" || c.state == "cancelled";
            if (!c.launched_at || *c.launched_at >= span.to || (ended && c.state_entered_at < span.from)) continue;
            CRM_TRY(report, mk.campaign_report(c.id));
            CampaignSummary s;
            s.id = c.id;
            s.name = c.name;
            s.state = c.state;
            s.currency = report.currency;
            s.members = report.total.members;
            CRM_TRY(response, analytics::proportion(report.total.responded, report.total.members, 0.95, min_records));
            s.response = response;
            s.won_revenue_minor = report.total.won_revenue_minor;
            s.actual_cost_minor = report.actual_cost_minor;
            s.roi = report.roi;
            s.group_a = report.group_a;
            s.group_b = report.group_b;
            s.ab = report.ab;
            out.push_back(std::move(s));
            if (out.size() == kMostCampaigns) break;
        }
        if (list.size() < 100) break;
    }
    return out;
}

}  // namespace

result<Dashboard> Analytics::dashboard(const DashboardQuery& q) {
    if (q.cohort_months < 1 || q.cohort_months > 60)
        return fail(errc::invalid_argument, "must be 1 to 60 months", "cohort_months");
    if (q.user.size() > 256) return fail(errc::invalid_argument, "is longer than 256 bytes", "user");
    const bool personal = q.role == DashboardRole::sales_rep || q.role == DashboardRole::service_agent;
    if (personal && q.user.empty())
        return fail(errc::invalid_argument, std::string("is required for the role ") + to_string(q.role), "user");
    if (!personal && !q.user.empty())
        return fail(errc::invalid_argument, std::string("is not taken by the role ") + to_string(q.role), "user");
    auto& impl = EngineAccess::impl(*engine_);
    CRM_TRY(zone, TimeZone::find(q.time_zone));
    std::string period = q.period;
    if (period.empty()) {  // the quarter now is in
        const Date today = zone.to_local(impl.now(), q.calendar).date;
        char text[32];
        std::snprintf(text, sizeof text, "%04d-Q%d", today.year, (today.month - 1) / 3 + 1);
        period = text;
    }
    CRM_TRY(span, resolve_period(period, q.calendar, q.time_zone));
    Dashboard d;
    d.period = span.period;
    d.from_date = span.from_date;
    d.to_date = span.to_date;
    d.calendar = q.calendar;
    d.role = q.role;
    d.user = q.user;
    d.generated_at = impl.now();
    std::vector<std::string> scope;

    // A process's funnel of the period: one user's records for a personal
    // page, by owner for the others.
    auto funnel_query = [&](const std::string& process) {
        FunnelQuery f;
        f.process = process;
        f.period = period;
        f.calendar = q.calendar;
        f.time_zone = q.time_zone;
        f.min_records = q.min_records;
        if (personal) f.owner = q.user;
        else f.group_by = "owner";
        return f;
    };
    if (sees_sales(q.role)) {
        CRM_TRY(funnel, this->funnel(funnel_query(q.process)));
        scope.push_back("funnel: the " + funnel.record_type + " records of process " + funnel.process +
                        " created in the period (" + std::to_string(funnel.records) +
                        (funnel.filters.empty() ? "" : " of " + std::to_string(funnel.whole_records) + ", owner " + q.user) +
                        ")");
        d.funnel = std::move(funnel);

        ForecastQuery s;
        s.period = period;
        s.calendar = q.calendar;
        s.time_zone = q.time_zone;
        s.group_by = ForecastGroup::owner;
        s.targets = q.targets;
        if (q.role == DashboardRole::sales_rep) s.owner = q.user;
        CRM_TRY(sales, Sales(*engine_).forecast(s));
        scope.push_back("sales: deals closed in the period and open deals expected to close in it" +
                        std::string(q.role == DashboardRole::sales_rep ? ", owner " + q.user : ""));
        d.sales = std::move(sales);

        if (d.funnel->record_type == "opportunity") {
            DashboardPipeline pipeline;
            pipeline.process = q.process;
            pipeline.at = std::min(d.generated_at, Timestamp{span.to.ms - 1});
            CRM_TRY(stages, Sales(*engine_).pipeline_as_of(q.process, pipeline.at, personal ? q.user : ""));
            for (auto& stage : stages)
                if (stage.category == "open") pipeline.stages.push_back(std::move(stage));
            scope.push_back("pipeline: the open deals of " + q.process + " at " + to_iso8601(pipeline.at) +
                            (personal ? ", owner " + q.user : ""));
            d.pipeline = std::move(pipeline);
        }
    }
    if (q.role == DashboardRole::manager || q.role == DashboardRole::service_manager) {
        ServiceReportQuery r;
        r.period = period;
        r.calendar = q.calendar;
        r.time_zone = q.time_zone;
        r.group_by = ServiceGroup::queue;
        CRM_TRY(service, Service(*engine_).report(r));
        scope.push_back("service: tickets opened in the period, the backlog now");
        d.service = std::move(service);
    }
    if (q.role == DashboardRole::service_manager || q.role == DashboardRole::service_agent) {
        // The ticket process is defined with the first ticket: before it,
        // there is nothing to show.
        auto tickets = this->funnel(funnel_query("ticket"));
        if (!tickets && tickets.error().code == errc::not_found) {
            scope.push_back("tickets: none yet");
        } else {
            CRM_TRYV(tickets);
            scope.push_back("tickets: created in the period (" + std::to_string(tickets.value().records) +
                            (tickets.value().filters.empty()
                                 ? ""
                                 : " of " + std::to_string(tickets.value().whole_records) + ", assignee " + q.user) +
                            ")");
            d.tickets = std::move(tickets).value();
        }
    }
    if (sees_customers(q.role)) {
        // Monthly cohorts up to the period's end (or now, within the
        // period): the month it falls in and the cohort_months - 1 before it.
        CohortQuery c;
        c.unit = PeriodUnit::month;
        c.calendar = q.calendar;
        c.time_zone = q.time_zone;
        c.currency = q.currency;
        c.churn_after = q.churn_after;
        c.min_records = q.min_records;
        c.as_of = std::min(d.generated_at, Timestamp{span.to.ms - 1});
        const Date end = zone.to_local(*c.as_of, q.calendar).date;
        const int months = end.year * 12 + end.month - 1 - (q.cohort_months - 1);
        char since[32];
        std::snprintf(since, sizeof since, "%04d-%02d", months / 12, months % 12 + 1);
        c.since = since;
        CRM_TRY(customers, cohorts(c));
        std::string part = "customers: purchases to " + customers.as_of_period;
        if (!customers.currency.empty()) part += " in " + customers.currency;
        if (customers.purchases_other_currencies > 0)
            part += ", " + std::to_string(customers.purchases_other_currencies) + " in other currencies left out";
        scope.push_back(std::move(part));
        d.customers = std::move(customers);
        CRM_TRY(clv, clv_distribution(impl));
        d.clv = std::move(clv);
        CRM_TRY(campaigns, campaigns_of(*engine_, span, q.min_records));
        scope.push_back("campaigns: launched by the period's end and not ended before it (" +
                        std::to_string(campaigns.size()) + ")");
        d.campaigns = std::move(campaigns);
    }
    for (std::size_t k = 0; k < scope.size(); ++k) d.scope += (k ? "; " : "") + scope[k];
    return d;
}

}  // namespace crm
