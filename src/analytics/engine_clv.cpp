// src/analytics/engine_clv.cpp - crm::Analytics' lifetime value: the stored
// purchases summarised in one streamed pass in party order, the models
// fitted on the summary, and every party's score stored in one run.
#include <cmath>
#include <map>
#include <utility>

#include "analytics/numeric.hpp"
#include "analytics/one_currency.hpp"
#include "analytics/summary.hpp"
#include "crm/analytics/analytics.hpp"
#include "engine/access.hpp"
#include "marketing/work.hpp"

namespace crm {

namespace {

using analytics::CustomerSummary;
using analytics::DayAmount;
using analytics::SummaryScale;

constexpr std::int64_t kProgressEvery = 10000;

analytics::ClvOptions value_options(const ClvRequest& r) {
    analytics::ClvOptions v = r.value;
    v.days_per_unit = r.unit == analytics::TimeUnit::weeks ? 7 : 1;
    return v;
}

result<void> check(const ClvRequest& r) {
    if (r.model != "bg_nbd" && r.model != "pareto_nbd")
        return fail(errc::invalid_argument, "must be \"bg_nbd\" or \"pareto_nbd\"", "model");
    CRM_TRYV(analytics::numeric::check(r.fit));
    CRM_TRYV(analytics::check(value_options(r)));
    return ok();
}

/// A summary of the stored purchases with what the pass counted.
struct Summarised {
    analytics::Summary summary;
    std::string currency;
    Timestamp calibration_end;
    std::int64_t read = 0, after_calibration = 0, other_currencies = 0;
    bool more = false;  ///< stopped at `limit` with parties left
};

// The summary of the parties after `after` ("": all), at most `limit`
// customers (0: no limit).
result<Summarised> summarise(Engine::Impl& impl, Transaction& tx, const ClvRequest& r,
                             std::string_view after = {}, std::int64_t limit = 0) {
    CRM_TRYV(check(r));
    analytics::SummaryOptions o;
    o.calibration_end = r.calibration_end ? *r.calibration_end : impl.now();
    o.unit = r.unit;
    o.time_zone = r.time_zone;
    CRM_TRY(scale, SummaryScale::make(o));
    Summarised out;
    out.calibration_end = o.calibration_end;
    CRM_TRY(gate, analytics::OneCurrency::make(r.currency));
    double to_major = 1;
    if (!gate.currency().empty()) to_major = std::pow(10.0, -currency_exponent(gate.currency()));

    std::string party;
    std::vector<DayAmount> days;
    std::optional<error> failure;
    std::int64_t parties = 0;
    auto flush = [&] {
        if (party.empty()) return;
        if (auto c = scale.summarise(party, days))
            out.summary.customers.push_back(std::move(*c));
        else
            ++out.summary.customers_after_calibration;
        if (++parties % kProgressEvery == 0 && r.progress) r.progress(parties);
    };
    CRM_TRYV(tx.for_each_purchase_row(after, [&](std::string_view p, Timestamp at, std::int64_t minor,
                                                 std::string_view currency) {
        if (p != party) {
            flush();
            if (limit > 0 && static_cast<std::int64_t>(out.summary.customers.size()) >= limit) {
                out.more = true;  // the page is full; `p` starts the next one
                party.clear();
                return false;
            }
            party.assign(p);
            days.clear();
        }
        if (currency != gate.currency()) {
            if (!gate.take(currency, failure)) return !failure;
            to_major = std::pow(10.0, -currency_exponent(gate.currency()));
        }
        ++out.read;
        const std::int64_t day = scale.day(at);
        if (day > scale.calibration_day) ++out.after_calibration;
        days.push_back({day, static_cast<double>(minor) * to_major});
        return true;
    }));
    if (failure) return *failure;
    flush();
    out.currency = gate.currency();
    out.other_currencies = gate.others();
    if (r.progress && parties % kProgressEvery != 0) r.progress(parties);
    out.summary.transactions = out.read;
    if (out.summary.customers.empty() && after.empty())
        return fail(errc::invalid_argument,
                    out.read == 0 ? "no purchase is stored" + std::string(r.currency.empty() ? "" : " in " + r.currency)
                                  : "precedes every party's first purchase",
                    out.read == 0 ? "purchases" : "calibration_end");
    return out;
}

/// The purchase model the request names.
struct Models {
    std::unique_ptr<analytics::PurchaseModel> purchases;
    analytics::GammaGamma spend;
};

result<Models> fit_models(const ClvRequest& r, std::span<const CustomerSummary> customers) {
    Models m;
    if (r.model == "pareto_nbd") {
        CRM_TRY(p, analytics::ParetoNbd::fit(customers, r.fit));
        m.purchases = std::make_unique<analytics::ParetoNbd>(std::move(p));
    } else {
        CRM_TRY(b, analytics::BgNbd::fit(customers, r.fit));
        m.purchases = std::make_unique<analytics::BgNbd>(std::move(b));
    }
    auto spend = analytics::GammaGamma::fit(customers, r.fit);
    if (!spend) {
        error e = spend.error();
        // The summaries were read from the store: name what the caller gave.
        if (e.field == "customers")
            e = fail(errc::invalid_argument,
                     "no party has a purchase on a second day before calibration_end: the spend "
                     "model has nothing to learn from",
                     "purchases");
        return e;
    }
    m.spend = std::move(spend).value();
    return m;
}

ClvFit describe(const ClvRequest& r, const Summarised& s, const Models& m) {
    ClvFit f;
    f.currency = s.currency;
    f.model = r.model;
    f.unit = r.unit;
    f.calibration_end = s.calibration_end;
    f.customers = static_cast<std::int64_t>(s.summary.customers.size());
    for (const auto& c : s.summary.customers) f.repeat_customers += c.frequency > 0;
    f.purchases_read = s.read;
    f.purchases_after_calibration = s.after_calibration;
    f.purchases_other_currencies = s.other_currencies;
    f.customers_after_calibration = s.summary.customers_after_calibration;
    f.purchases = m.purchases->report();
    f.spend = m.spend.report();
    return f;
}

result<std::int64_t> to_minor(double major, const std::string& currency, std::string_view field) {
    const double minor = std::round(major * std::pow(10.0, currency_exponent(currency)));
    if (!std::isfinite(minor) || std::abs(minor) > 9e18)
        return fail(errc::invalid_argument, "is beyond the range of an amount", std::string(field));
    return static_cast<std::int64_t>(minor);
}

}  // namespace

Analytics::Analytics(Engine& engine) noexcept : engine_(&engine) {}

result<analytics::Summary> Analytics::clv_summary(const ClvRequest& request) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<analytics::Summary> {
        CRM_TRY(s, summarise(impl, tx, request));
        return std::move(s.summary);
    });
}

result<ClvSummaryPage> Analytics::clv_summary_page(const ClvRequest& request, const Id& after,
                                                   std::int64_t limit) {
    if (limit < 1 || limit > 1'000'000)
        return fail(errc::invalid_argument, "must be between 1 and 1000000", "limit");
    auto& impl = EngineAccess::impl(*engine_);
    const std::string from = after.is_nil() ? std::string() : after.str();
    return impl.read([&](Transaction& tx) -> result<ClvSummaryPage> {
        CRM_TRY(s, summarise(impl, tx, request, from, limit));
        ClvSummaryPage page;
        page.currency = s.currency;
        if (s.more && !s.summary.customers.empty()) {
            CRM_TRY(last, Id::parse(s.summary.customers.back().customer));
            page.next = last;
        }
        page.summary = std::move(s.summary);
        return page;
    });
}

result<ClvFit> Analytics::fit_clv(const ClvRequest& request) {
    auto& impl = EngineAccess::impl(*engine_);
    CRM_TRY(s, impl.read([&](Transaction& tx) { return summarise(impl, tx, request); }));
    CRM_TRY(m, fit_models(request, s.summary.customers));
    return describe(request, s, m);
}

result<ClvRun> Analytics::score_clv(const Context& ctx, const ClvRequest& request) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<ClvRun> {
        CRM_TRY(s, summarise(impl, tx, request));
        CRM_TRY(m, fit_models(request, s.summary.customers));
        ClvRun run;
        run.fit = describe(request, s, m);
        run.computed_at = impl.now();
        run.run = impl.new_id();
        run.total_value = Money{0, s.currency};
        const auto options = value_options(request);
        CRM_TRYV(tx.clear_clv_scores());
        // What a customer still active expects depends on (x, T) alone: the
        // series behind it are summed once per pair, and each customer's
        // P(alive) scales them.
        struct IfAlive {
            double expected, discounted;
        };
        std::map<std::pair<double, double>, IfAlive> known;
        std::int64_t done = 0;
        for (const auto& c : s.summary.customers) {
            const auto key = std::make_pair(c.frequency, c.age);
            auto it = known.find(key);
            if (it == known.end()) {
                CRM_TRY(expected, m.purchases->expected_purchases_if_alive(c, options.horizon));
                CRM_TRY(discounted, analytics::discounted_purchases_if_alive(*m.purchases, c, options));
                it = known.emplace(key, IfAlive{expected, discounted}).first;
            }
            CRM_TRY(alive, m.purchases->p_alive(c));
            CRM_TRY(each, m.spend.expected_spend(c));
            CRM_TRY(id, Id::parse(c.customer));
            ClvScore score;
            score.party = id;
            score.computed_at = run.computed_at;
            score.model = request.model;
            CRM_TRY(value, to_minor(alive * it->second.discounted * each, s.currency, "value"));
            CRM_TRY(spend, to_minor(each, s.currency, "expected_spend"));
            score.value = Money{value, s.currency};
            score.expected_spend = Money{spend, s.currency};
            score.expected_purchases = alive * it->second.expected;
            score.p_alive = alive;
            score.horizon_days = options.horizon * options.days_per_unit;
            score.annual_discount_rate = options.annual_discount_rate;
            CRM_TRYV(tx.put_clv_score(score));
            if (__builtin_add_overflow(run.total_value.minor, value, &run.total_value.minor))
                return fail(errc::invalid_argument, "the sum of every value is beyond the range of an amount",
                            "value");
            ++run.scored;
            if (++done % kProgressEvery == 0 && request.progress) request.progress(done);
        }
        CRM_TRYV(marketing::scores_changed(impl, tx));
        codec::json payload = {{"currency", s.currency},
                               {"model", request.model},
                               {"scored", run.scored},
                               {"total_value_minor", run.total_value.minor},
                               {"calibration_end", to_iso8601(s.calibration_end)}};
        CRM_TRYV(impl.record(tx, ctx, "clv_run", run.run, "score", {}, "clv.scored", payload));
        return run;
    });
}

result<std::optional<ClvScore>> Analytics::clv_score(const Id& party) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::optional<ClvScore>> {
        CRM_TRY(live, impl.load_live_party(tx, party));
        return tx.clv_score(live.id);
    });
}

}  // namespace crm
