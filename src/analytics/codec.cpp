// src/analytics/codec.cpp - see codec.hpp.
#include "analytics/codec.hpp"
#include "sales/codec.hpp"
#include "service/codec.hpp"

#include <algorithm>
#include <climits>

namespace crm::codec {

json to_json(const analytics::FitReport& r) {
    json params = json::array();
    for (const auto& e : r.parameters)
        params.push_back({{"name", e.name},
                          {"value", e.value},
                          {"std_error", e.std_error ? json(*e.std_error) : json(nullptr)}});
    return {{"model", r.model},
            {"parameters", std::move(params)},
            {"log_likelihood", r.log_likelihood},
            {"customers", r.customers},
            {"evaluations", r.evaluations},
            {"optimiser", r.optimiser},
            {"warnings", r.warnings}};
}

json to_json(const ClvFit& f) {
    return {{"currency", f.currency},
            {"model", f.model},
            {"unit", analytics::to_string(f.unit)},
            {"calibration_end", time_json(f.calibration_end)},
            {"customers", f.customers},
            {"repeat_customers", f.repeat_customers},
            {"purchases_read", f.purchases_read},
            {"purchases_after_calibration", f.purchases_after_calibration},
            {"purchases_other_currencies", f.purchases_other_currencies},
            {"customers_after_calibration", f.customers_after_calibration},
            {"purchase_model", to_json(f.purchases)},
            {"spend_model", to_json(f.spend)}};
}

json to_json(const ClvRun& r) {
    return {{"run", to_json(r.run)},
            {"computed_at", time_json(r.computed_at)},
            {"scored", r.scored},
            {"total_value", to_json(r.total_value)},
            {"fit", to_json(r.fit)}};
}

json to_json(const analytics::CustomerSummary& c) {
    return {{"party", c.customer},
            {"frequency", c.frequency},
            {"recency", c.recency},
            {"age", c.age},
            {"monetary", c.monetary}};
}

json to_json(const analytics::Proportion& p) {
    return {{"successes", p.successes}, {"trials", p.trials}, {"value", p.value},
            {"low", p.low},             {"high", p.high},     {"confidence", p.confidence},
            {"too_few", p.too_few}};
}

namespace {

json optional_days(const std::optional<double>& d) { return d ? json(*d) : json(nullptr); }

result<CalendarSystem> calendar_from_json(const json& j, std::string_view path) {
    CRM_TRY(calendar, get_string(j, "calendar", path, 16));
    if (!calendar) return CalendarSystem::gregorian;
    return parse_calendar_system(*calendar, join(path, "calendar"));
}

}  // namespace

json to_json(const analytics::ProportionTest& t) {
    return {{"a", to_json(t.a)},           {"b", to_json(t.b)},   {"difference", t.difference},
            {"p_value", t.p_value},        {"method", t.method},  {"level", t.level},
            {"significant", t.significant}};
}

namespace {

// The counts of a funnel or of one of its groups, into `out`.
void put_counts(json& out, const FunnelCounts& c) {
    json stages = json::array();
    for (const auto& s : c.stages)
        stages.push_back({{"state", s.state},
                          {"label", s.label},
                          {"entered", s.entered},
                          {"moved_on", s.moved_on},
                          {"moved_back", s.moved_back},
                          {"still_in", s.still_in},
                          {"closed", s.closed},
                          {"conversion", to_json(s.conversion)},
                          {"cumulative", to_json(s.cumulative)},
                          {"stays", s.stays},
                          {"median_days", optional_days(s.median_days)},
                          {"p90_days", optional_days(s.p90_days)},
                          {"expected_days", optional_days(s.expected_days)},
                          {"bottleneck", s.bottleneck}});
    out["records"] = c.records;
    out["stages"] = std::move(stages);
    out["won"] = to_json(c.won);
    out["outcomes"] = c.outcomes;
}

}  // namespace

json to_json(const Funnel& f) {
    json out = {{"process", f.process},
                {"version", f.version},
                {"record_type", f.record_type},
                {"period", f.period.empty() ? json(nullptr) : json(f.period)},
                {"from_date", f.from_date.empty() ? json(nullptr) : json(f.from_date)},
                {"to_date", f.to_date.empty() ? json(nullptr) : json(f.to_date)},
                {"basis", to_string(f.basis)},
                {"order", to_string(f.order)}};
    json filters = json::object();
    for (const auto& [dimension, value] : f.filters) filters[dimension] = value;
    out["filters"] = std::move(filters);
    put_counts(out, f);
    out["whole_records"] = f.whole_records;
    out["versus_rest"] = f.versus_rest ? to_json(*f.versus_rest) : json(nullptr);
    out["group_by"] = f.group_by.empty() ? json(nullptr) : json(f.group_by);
    json groups = json::array();
    for (const auto& g : f.groups) {
        json one = {{"value", g.value}};
        put_counts(one, g);
        groups.push_back(std::move(one));
    }
    out["groups"] = std::move(groups);
    return out;
}

result<FunnelQuery> funnel_query_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"process", "period", "calendar", "time_zone", "basis", "order",
                                     "min_records", "owner", "team", "pipeline", "source", "campaign",
                                     "group_by"}));
    FunnelQuery q;
    CRM_TRY(process, get_string(j, "process", path, 64));
    if (process) q.process = *process;
    CRM_TRY(period, get_string(j, "period", path, 32));
    if (period) q.period = *period;
    CRM_TRY(calendar, calendar_from_json(j, path));
    q.calendar = calendar;
    CRM_TRY(zone, get_string(j, "time_zone", path, 64));
    if (zone) q.time_zone = *zone;
    CRM_TRY(basis, get_string(j, "basis", path, 16));
    if (basis) {
        if (*basis == "activity") q.basis = FunnelQuery::Basis::activity;
        else if (*basis != "cohort")
            return fail(errc::invalid_argument, "must be \"cohort\" or \"activity\"", join(path, "basis"));
    }
    CRM_TRY(order, get_string(j, "order", path, 16));
    if (order) {
        if (*order == "strict") q.order = FunnelQuery::Order::strict;
        else if (*order != "any")
            return fail(errc::invalid_argument, "must be \"any\" or \"strict\"", join(path, "order"));
    }
    CRM_TRY(min, get_int(j, "min_records", path));
    if (min) q.min_records = *min;
    for (auto [key, field] : {std::pair{"owner", &q.owner}, std::pair{"team", &q.team},
                              std::pair{"pipeline", &q.pipeline}, std::pair{"source", &q.source},
                              std::pair{"campaign", &q.campaign}, std::pair{"group_by", &q.group_by}}) {
        CRM_TRY(v, get_string(j, key, path, 256));
        if (v) *field = *v;
    }
    return q;
}

json to_json(const Cohorts& c) {
    json rows = json::array();
    for (const auto& r : c.rows) {
        json cells = json::array();
        for (const auto& cell : r.cells)
            cells.push_back(cell ? json{{"customers", cell->customers},
                                        {"retained", to_json(cell->retained)},
                                        {"revenue_minor", cell->revenue_minor}}
                                 : json(nullptr));
        rows.push_back({{"period", r.period}, {"customers", r.customers}, {"cells", std::move(cells)}});
    }
    json churn = json::array();
    for (const auto& r : c.churn)
        churn.push_back({{"period", r.period},
                         {"active_at_start", r.active_at_start},
                         {"new_customers", r.new_customers},
                         {"returned", r.returned},
                         {"churned", r.churned},
                         {"active_at_end", r.active_at_end},
                         {"churn_rate", to_json(r.churn_rate)}});
    return {{"unit", to_string(c.unit)},
            {"calendar", to_string(c.calendar)},
            {"currency", c.currency.empty() ? json(nullptr) : json(c.currency)},
            {"as_of", time_json(c.as_of)},
            {"as_of_period", c.as_of_period},
            {"churn_after", c.churn_after},
            {"customers", c.customers},
            {"purchases_read", c.purchases_read},
            {"purchases_after_as_of", c.purchases_after_as_of},
            {"purchases_other_currencies", c.purchases_other_currencies},
            {"rows", std::move(rows)},
            {"churn", std::move(churn)}};
}

result<CohortQuery> cohort_query_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"unit", "calendar", "time_zone", "since", "as_of", "currency",
                                     "churn_after", "min_records"}));
    CohortQuery q;
    CRM_TRY(unit, get_string(j, "unit", path, 16));
    if (unit) {
        CRM_TRY(u, parse_period_unit(*unit, join(path, "unit")));
        q.unit = u;
    }
    CRM_TRY(calendar, calendar_from_json(j, path));
    q.calendar = calendar;
    CRM_TRY(zone, get_string(j, "time_zone", path, 64));
    if (zone) q.time_zone = *zone;
    CRM_TRY(since, get_string(j, "since", path, 32));
    if (since) q.since = *since;
    CRM_TRY(as_of, get_time(j, "as_of", path));
    q.as_of = as_of;
    CRM_TRY(currency, get_string(j, "currency", path, 3));
    if (currency) q.currency = *currency;
    CRM_TRY(churn_after, get_int(j, "churn_after", path));
    if (churn_after) q.churn_after = static_cast<int>(std::clamp<std::int64_t>(*churn_after, INT_MIN, INT_MAX));
    CRM_TRY(min, get_int(j, "min_records", path));
    if (min) q.min_records = *min;
    return q;
}

json to_json(const ClvDistribution& d) {
    return {{"currency", d.currency},
            {"scored", d.scored},
            {"total_value_minor", d.total_value_minor},
            {"computed_at", time_json(d.computed_at)},
            {"value_quantiles_minor", d.value_quantiles_minor},
            {"by_p_alive", d.by_p_alive},
            {"at_risk", d.at_risk},
            {"at_risk_value_minor", d.at_risk_value_minor}};
}

json to_json(const CampaignSummary& c) {
    return {{"campaign", c.id.str()},
            {"name", c.name},
            {"state", c.state},
            {"currency", c.currency},
            {"members", c.members},
            {"response", to_json(c.response)},
            {"won_revenue_minor", c.won_revenue_minor},
            {"actual_cost_minor", c.actual_cost_minor},
            {"roi", c.roi ? json(*c.roi) : json(nullptr)},
            {"group_a", c.group_a.empty() ? json(nullptr) : json(c.group_a)},
            {"group_b", c.group_b.empty() ? json(nullptr) : json(c.group_b)},
            {"ab", c.ab ? to_json(*c.ab) : json(nullptr)}};
}

json to_json(const DashboardPipeline& p) {
    json stages = json::array();
    for (const auto& s : p.stages) stages.push_back(to_json(s));
    return {{"process", p.process}, {"at", time_json(p.at)}, {"stages", std::move(stages)}};
}

json to_json(const Dashboard& d) {
    auto part = [](const auto& v) { return v ? to_json(*v) : json(nullptr); };
    json campaigns = json::array();
    for (const auto& c : d.campaigns) campaigns.push_back(to_json(c));
    return {{"period", d.period},
            {"from_date", d.from_date},
            {"to_date", d.to_date},
            {"calendar", to_string(d.calendar)},
            {"role", to_string(d.role)},
            {"user", d.user.empty() ? json(nullptr) : json(d.user)},
            {"generated_at", time_json(d.generated_at)},
            {"scope", d.scope},
            {"funnel", part(d.funnel)},
            {"sales", part(d.sales)},
            {"pipeline", part(d.pipeline)},
            {"service", part(d.service)},
            {"tickets", part(d.tickets)},
            {"customers", part(d.customers)},
            {"clv", part(d.clv)},
            {"campaigns", std::move(campaigns)}};
}

result<DashboardQuery> dashboard_query_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"period", "calendar", "time_zone", "role", "user", "process", "currency",
                                     "targets", "cohort_months", "churn_after", "min_records", "format",
                                     "language"}));
    DashboardQuery q;
    CRM_TRY(period, get_string(j, "period", path, 32));
    if (period) q.period = *period;
    CRM_TRY(calendar, get_string(j, "calendar", path, 16));
    if (calendar) {
        CRM_TRY(c, parse_calendar_system(*calendar, join(path, "calendar")));
        q.calendar = c;
    }
    CRM_TRY(zone, get_string(j, "time_zone", path, 64));
    if (zone) q.time_zone = *zone;
    CRM_TRY(role, get_string(j, "role", path, 32));
    if (role) {
        CRM_TRY(r, parse_dashboard_role(*role, join(path, "role")));
        q.role = r;
    }
    CRM_TRY(user, get_string(j, "user", path, 200));
    if (user) q.user = *user;
    CRM_TRY(process, get_string(j, "process", path, 64));
    if (process) q.process = *process;
    CRM_TRY(currency, get_string(j, "currency", path, 3));
    if (currency) q.currency = *currency;
    CRM_TRY(targets, targets_from_json(j, path));
    q.targets = std::move(targets);
    CRM_TRY(months, get_int(j, "cohort_months", path));
    if (months) q.cohort_months = static_cast<int>(std::clamp<std::int64_t>(*months, INT_MIN, INT_MAX));
    CRM_TRY(churn_after, get_int(j, "churn_after", path));
    if (churn_after) q.churn_after = static_cast<int>(std::clamp<std::int64_t>(*churn_after, INT_MIN, INT_MAX));
    CRM_TRY(min, get_int(j, "min_records", path));
    if (min) q.min_records = *min;
    return q;
}

result<ClvRequest> clv_request_from_json(const json& j, std::string_view path) {
    ClvRequest r;
    CRM_TRY(end, get_time(j, "calibration_end", path));
    r.calibration_end = end;
    CRM_TRY(currency, get_string(j, "currency", path, 3));
    if (currency) r.currency = *currency;
    CRM_TRY(unit, get_string(j, "unit", path, 16));
    if (unit) {
        CRM_TRY(u, analytics::parse_time_unit(*unit, join(path, "unit")));
        r.unit = u;
    }
    CRM_TRY(zone, get_string(j, "time_zone", path, 64));
    if (zone) r.time_zone = *zone;
    CRM_TRY(model, get_string(j, "model", path, 32));
    if (model) r.model = *model;
    // The value options are in the request's unit; by default the horizon
    // is a year (52 weeks or 365 days) and the step a month.
    const bool weeks = r.unit == analytics::TimeUnit::weeks;
    r.value.horizon = weeks ? 52 : 365;
    r.value.step = 365.25 / 12 / (weeks ? 7 : 1);
    CRM_TRY(horizon, get_number(j, "horizon", path));
    if (horizon) r.value.horizon = *horizon;
    CRM_TRY(step, get_number(j, "step", path));
    if (step) r.value.step = *step;
    if (!step && r.value.step > r.value.horizon) r.value.step = r.value.horizon;
    CRM_TRY(rate, get_number(j, "annual_discount_rate", path));
    if (rate) r.value.annual_discount_rate = *rate;
    CRM_TRY(evals, get_int(j, "max_evaluations", path));
    if (evals) r.fit.max_evaluations = static_cast<int>(std::clamp<std::int64_t>(*evals, INT_MIN, INT_MAX));
    CRM_TRY(tol, get_number(j, "tolerance", path));
    if (tol) r.fit.tolerance = *tol;
    return r;
}

}  // namespace crm::codec
