// src/commands/analytics_commands.cpp - commands of the analytical layer:
// customer lifetime value fitted on the stored purchases and stored per
// party (docs/ANALYTICS.md).
#include <algorithm>

#include "analytics/codec.hpp"
#include "commands/request.hpp"
#include "crm/analytics/stats.hpp"

namespace crm::commands {

namespace {

result<ClvRequest> clv_request(const json& request, std::initializer_list<std::string_view> more) {
    std::vector<std::string_view> keys(std::begin(codec::kClvRequestKeys),
                                       std::end(codec::kClvRequestKeys));
    keys.insert(keys.end(), more);
    for (auto it = request.begin(); it != request.end(); ++it)
        if (std::find(keys.begin(), keys.end(), it.key()) == keys.end())
            return fail(errc::invalid_argument, "is not a field of this request", it.key());
    return codec::clv_request_from_json(request, "");
}

result<json> clv_summary(Engine& engine, const json& request, const Context&) {
    CRM_TRY(r, clv_request(request, {"after", "limit"}));
    CRM_TRY(after, codec::get_id(request, "after", ""));
    CRM_TRY(limit, codec::get_int(request, "limit", ""));
    Analytics an(engine);
    CRM_TRY(page, an.clv_summary_page(r, after.value_or(Id{}), limit.value_or(1000)));
    json list = json::array();
    for (const auto& c : page.summary.customers) list.push_back(codec::to_json(c));
    return json{{"items", std::move(list)},
                {"currency", page.currency},
                {"customers_after_calibration", page.summary.customers_after_calibration},
                {"purchases_read", page.summary.transactions},
                {"next", page.next.is_nil() ? json(nullptr) : json(page.next.str())}};
}

result<json> clv_fit(Engine& engine, const json& request, const Context&) {
    CRM_TRY(r, clv_request(request, {}));
    Analytics an(engine);
    CRM_TRY(f, an.fit_clv(r));
    return codec::to_json(f);
}

result<json> clv_score(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRY(r, clv_request(request, {}));
    Analytics an(engine);
    CRM_TRY(run, an.score_clv(ctx, r));
    return codec::to_json(run);
}

result<json> clv_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"party"}));
    CRM_TRY(party, required_id(request, "party"));
    Analytics an(engine);
    CRM_TRY(score, an.clv_score(party));
    return json{{"score", score ? codec::to_json(*score) : json(nullptr)}};
}

// {successes, trials} at `key`.
result<std::pair<std::int64_t, std::int64_t>> counts(const json& request, std::string_view key) {
    const json* group = codec::member(request, key);
    if (!group) return fail(errc::invalid_argument, "is required", std::string(key));
    CRM_TRYV(codec::expect_object(*group, key, {"successes", "trials"}));
    CRM_TRY(k, codec::get_int(*group, "successes", key));
    CRM_TRY(n, codec::get_int(*group, "trials", key));
    if (!k) return fail(errc::invalid_argument, "is required", codec::join(key, "successes"));
    if (!n) return fail(errc::invalid_argument, "is required", codec::join(key, "trials"));
    return std::make_pair(*k, *n);
}

result<json> compare(Engine&, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"a", "b", "level", "min_trials"}));
    CRM_TRY(a, counts(request, "a"));
    CRM_TRY(b, counts(request, "b"));
    CRM_TRY(level, codec::get_number(request, "level", ""));
    CRM_TRY(min, codec::get_int(request, "min_trials", ""));
    CRM_TRY(t, analytics::compare_proportions(a.first, a.second, b.first, b.second,
                                              level.value_or(0.05), min.value_or(30)));
    return codec::to_json(t);
}

result<json> funnel(Engine& engine, const json& request, const Context&) {
    CRM_TRY(q, codec::funnel_query_from_json(request, ""));
    Analytics an(engine);
    CRM_TRY(f, an.funnel(q));
    return codec::to_json(f);
}

result<json> cohorts(Engine& engine, const json& request, const Context&) {
    CRM_TRY(q, codec::cohort_query_from_json(request, ""));
    Analytics an(engine);
    CRM_TRY(c, an.cohorts(q));
    return codec::to_json(c);
}

result<json> dashboard(Engine& engine, const json& request, const Context&) {
    CRM_TRY(q, codec::dashboard_query_from_json(request, ""));
    CRM_TRY(format, codec::get_string(request, "format", "", 8));
    const bool html = format && *format == "html";
    if (format && !html && *format != "json")
        return fail(errc::invalid_argument, "must be \"json\" or \"html\"", "format");
    CRM_TRY(language, codec::get_string(request, "language", "", 8));
    if (language && *language != "fa" && *language != "en")
        return fail(errc::invalid_argument, "must be \"fa\" or \"en\"", "language");
    if (language && !html) return fail(errc::invalid_argument, "is taken only with format \"html\"", "language");
    Analytics an(engine);
    CRM_TRY(d, an.dashboard(q));
    if (html)
        return json{{"html", to_html(d, language && *language == "en" ? DashboardLanguage::en : DashboardLanguage::fa)}};
    return codec::to_json(d);
}

#define CRM_CLV_REQUEST                                                                       \
    "calibration_end (default now), currency (default: the purchases' one currency), unit "   \
    "(weeks|days), time_zone (default Asia/Tehran), model (bg_nbd|pareto_nbd), horizon "       \
    "(in units; default a year), step (default a month), annual_discount_rate (default 0), " \
    "max_evaluations, tolerance"

constexpr Command kCommands[] = {
    {"analytics.clv.summary",
     "Per party: repeat purchase days, recency, age and mean repeat spend up to a calibration "
     "end, as the lifetime value models read them.",
     "{" CRM_CLV_REQUEST ", after (a party id: the page after it), limit (1..1000000, default "
     "1000)}",
     "{items: [{party, frequency, recency, age, monetary}], currency (pass it with the next "
     "page), customers_after_calibration, purchases_read (this page's), next (null on the last "
     "page)}",
     false, clv_summary},
    {"analytics.clv.fit",
     "Fits the purchase model (BG/NBD or Pareto/NBD) and the Gamma-Gamma spend model on the "
     "stored purchases; writes nothing.",
     "{" CRM_CLV_REQUEST "}",
     "{currency, model, unit, calibration_end, customers, repeat_customers, purchases_read, "
     "purchases_after_calibration, purchases_other_currencies, customers_after_calibration, "
     "purchase_model, spend_model: {model, parameters: [{name, value, std_error}], "
     "log_likelihood, customers, evaluations, optimiser, warnings}}",
     false, clv_fit},
    {"analytics.clv.score",
     "Fits the models and stores every party's lifetime value, P(alive) and expected purchases "
     "(replacing the last run's); tracked segments reading clv.* follow.",
     "{" CRM_CLV_REQUEST "}", "{run, computed_at, scored, total_value, fit}", true, clv_score},
    {"analytics.clv.get", "A party's stored lifetime value (null before a run scored it).",
     "{party}",
     "{score: {party, computed_at, model, value, expected_spend, expected_purchases, p_alive, "
     "horizon_days, annual_discount_rate} | null}",
     false, clv_get},
    {"analytics.compare",
     "Compares two proportions (A/B groups): each with its Wilson interval, the difference, "
     "the p-value of a two-proportion z-test or, for small counts, Fisher's exact test.",
     "{a: {successes, trials}, b: {successes, trials}, level (default 0.05), min_trials "
     "(default 30)}",
     "{a, b: {successes, trials, value, low, high, confidence, too_few}, difference, p_value, "
     "method, level, significant}",
     false, compare},
    {"analytics.funnel",
     "The funnel of a process from its records' history: per open state entered, moved on or "
     "back, closed there (by state), still in it; conversion from the state before and from "
     "the first, with Wilson intervals; days in the state (median, p90) against the expected "
     "duration, bottlenecks flagged; the won rate and current outcomes.",
     "{process (default sales), period? (YYYY, YYYY-MM, YYYY-Qn; Jalali below 1700), calendar "
     "(gregorian|jalali), time_zone (default Asia/Tehran), basis (cohort|activity), order "
     "(any|strict), min_records (default 30), owner?, team?, pipeline?, source?, campaign? "
     "(only those records), group_by? (owner|team|pipeline|source|campaign)}",
     "{process, version, record_type, period, from_date, to_date, basis, order, filters, "
     "records, stages: [{state, label, entered, moved_on, moved_back, still_in, closed, "
     "conversion, cumulative, stays, median_days, p90_days, expected_days, bottleneck}], won, "
     "outcomes, whole_records, versus_rest, group_by, groups: [{value, records, stages, won, "
     "outcomes}]}",
     false, funnel},
    {"analytics.cohorts",
     "Cohort retention and churn from the stored purchases: customers by the period of their "
     "first purchase, the share and revenue still buying in each later period (future cells "
     "null); per ended period the customers active, new, returned and lapsed after churn_after "
     "periods without a purchase, with the churn rate and its Wilson interval.",
     "{unit (month|quarter|year), calendar (gregorian|jalali), time_zone (default Asia/Tehran), "
     "since? (the first period shown: YYYY, YYYY-MM, YYYY-Qn), as_of (default now), currency "
     "(default: the purchases' one currency), churn_after (1..120 periods, default 3), "
     "min_records (default 30)}",
     "{unit, calendar, currency, as_of, as_of_period, churn_after, customers, purchases_read, "
     "purchases_after_as_of, purchases_other_currencies, rows: [{period, customers, cells: "
     "[{customers, retained, revenue_minor} | null]}], churn: [{period, active_at_start, "
     "new_customers, returned, churned, active_at_end, churn_rate}]}",
     false, cohorts},
    {"analytics.dashboard",
     "The dashboard of a period for a role: the sales funnel and sales by owner against "
     "targets, the service desk and its tickets, customer retention, churn, lifetime value and "
     "at-risk customers, campaigns with their A/B tests; and what each part read. As JSON, or as "
     "one self-contained HTML page (Persian right to left, or English) with inline SVG charts.",
     "{period (YYYY, YYYY-MM, YYYY-Qn; default the quarter now is in), calendar (default "
     "jalali), time_zone (default Asia/Tehran), role (manager|sales_manager|sales_rep|"
     "service_manager|service_agent|marketing), user (a rep's or agent's), process (default "
     "sales), currency, targets ([{group, amount}]), cohort_months (1..60, default 12), "
     "churn_after (default 3), min_records (default 30), format (json|html), language (fa|en, "
     "with html)}",
     "{period, from_date, to_date, calendar, role, user, generated_at, scope, funnel, sales, "
     "service, tickets, customers, clv, campaigns} (parts the role does not see are null) | "
     "{html}",
     false, dashboard},
};

#undef CRM_CLV_REQUEST

}  // namespace

std::span<const Command> detail::analytics_commands() { return kCommands; }

}  // namespace crm::commands
