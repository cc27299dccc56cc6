// src/analytics/funnel.cpp - the funnel of a process from the history its
// records keep: one streamed pass over their stage changes in record order,
// one record's path in memory at a time.
#include "crm/analytics/funnel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/period_span.hpp"
#include "crm/analytics/analytics.hpp"
#include "engine/access.hpp"

namespace crm {

const char* to_string(FunnelQuery::Basis b) noexcept {
    return b == FunnelQuery::Basis::activity ? "activity" : "cohort";
}

const char* to_string(FunnelQuery::Order o) noexcept {
    return o == FunnelQuery::Order::strict ? "strict" : "any";
}

namespace {

constexpr double kDayMs = 86'400'000.0;
constexpr int kNoStage = -1;

// What one record did, as the funnel counts it. Stage sets are indices into
// the funnel's stages.
struct Path {
    std::vector<char> entered, moved_on, moved_back, counted;
    std::vector<std::pair<int, std::string>> closed;  // (stage left, closed state)
    std::vector<int> order;                           // stages in order of first entry
    std::string current;
    bool in_scope = false, won = false;

    void reset(std::size_t stages) {
        for (auto* v : {&entered, &moved_on, &moved_back, &counted}) v->assign(stages, 0);
        closed.clear();
        order.clear();
        current.clear();
        in_scope = won = false;
    }
};

// The median and the 90th percentile (nearest rank) of `ms`, in days.
std::pair<double, double> quantiles(std::vector<std::int64_t>& ms) {
    std::sort(ms.begin(), ms.end());
    const std::size_t n = ms.size();
    const double median = n % 2 == 1 ? static_cast<double>(ms[n / 2])
                                     : (static_cast<double>(ms[n / 2 - 1]) + static_cast<double>(ms[n / 2])) / 2;
    const auto rank = static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(n)));
    return {median / kDayMs, static_cast<double>(ms[std::max<std::size_t>(rank, 1) - 1]) / kDayMs};
}

// A state's expected duration as elapsed days from `from`.
result<std::optional<double>> expected_days(const process::State& s, const BusinessCalendar& cal,
                                            Timestamp from) {
    if (!s.expected_duration) return std::optional<double>{};
    const auto& d = *s.expected_duration;
    const double amount = static_cast<double>(d.amount);
    switch (d.unit) {
        case process::Duration::Unit::days: return std::optional<double>(amount);
        case process::Duration::Unit::hours: return std::optional<double>(amount / 24);
        case process::Duration::Unit::business_days: {
            CRM_TRY(end, cal.add_days(from, static_cast<int>(d.amount)));
            return std::optional<double>(static_cast<double>(end.ms - from.ms) / kDayMs);
        }
        case process::Duration::Unit::business_hours: {
            CRM_TRY(end, cal.add(from, d.amount * 3'600'000));
            return std::optional<double>(static_cast<double>(end.ms - from.ms) / kDayMs);
        }
    }
    return std::optional<double>{};
}

}  // namespace

result<Funnel> Analytics::funnel(const FunnelQuery& q) {
    if (q.process.empty() || q.process.size() > 64)
        return fail(errc::invalid_argument, "must name a process (at most 64 bytes)", "process");
    if (q.min_records < 0) return fail(errc::invalid_argument, "must be 0 or more", "min_records");
    std::optional<PeriodSpan> span;
    if (!q.period.empty()) {
        CRM_TRY(p, resolve_period(q.period, q.calendar, q.time_zone));
        span = std::move(p);
    } else {
        CRM_TRYV(TimeZone::find(q.time_zone, "time_zone"));
    }
    auto& impl = EngineAccess::impl(*engine_);
    CRM_TRY(def, impl.read([&](Transaction& tx) { return impl.definition(tx, q.process, 0, "process"); }));
    CRM_TRY(calendar, engine_->business_calendar(def.calendar()));

    Funnel f;
    f.process = def.id();
    f.version = def.version();
    f.record_type = def.record_type();
    f.basis = q.basis;
    f.order = q.order;
    if (span) {
        f.period = span->period;
        f.from_date = span->from_date;
        f.to_date = span->to_date;
    }
    // The open states, in the definition's order, are the stages.
    std::vector<const process::State*> stages;
    for (const auto& s : def.states())
        if (!s.is_closed) stages.push_back(&s);
    auto stage_of = [&](std::string_view id) {
        for (std::size_t k = 0; k < stages.size(); ++k)
            if (stages[k]->id == id) return static_cast<int>(k);
        return kNoStage;
    };
    auto in_period = [&](Timestamp t) { return !span || (t >= span->from && t < span->to); };
    const std::size_t n = stages.size();
    // entered[k]; with_previous[k]: entered k and k-1; with_first[k]: k and 0.
    std::vector<std::int64_t> entered(n), with_previous(n), with_first(n), moved_on(n),
        moved_back(n), still_in(n);
    std::vector<std::map<std::string, std::int64_t>> closed(n);
    std::vector<std::vector<std::int64_t>> stays(n);
    std::int64_t won = 0;

    Path path;
    std::string record;
    auto flush = [&] {
        if (record.empty() || !path.in_scope) return;
        ++f.records;
        won += path.won;
        // Strict order: the stages entered first-time as 0, 1, 2, ...
        std::size_t prefix = 0;
        while (prefix < path.order.size() && path.order[prefix] == static_cast<int>(prefix)) ++prefix;
        auto counts = [&](std::size_t k) {
            return path.counted[k] != 0 && (q.order == FunnelQuery::Order::any || k < prefix);
        };
        for (std::size_t k = 0; k < n; ++k) {
            entered[k] += counts(k);
            with_previous[k] += counts(k) && (k == 0 || counts(k - 1));
            with_first[k] += counts(k) && counts(0);
            moved_on[k] += path.moved_on[k];
            moved_back[k] += path.moved_back[k];
        }
        for (const auto& [k, state] : path.closed) ++closed[static_cast<std::size_t>(k)][state];
        if (const int k = stage_of(path.current); k != kNoStage) ++still_in[static_cast<std::size_t>(k)];
        else if (!path.current.empty()) ++f.outcomes[path.current];
    };
    path.reset(n);
    CRM_TRYV(impl.read([&](Transaction& tx) {
        return tx.for_each_stage_change(def.record_type(), def.id(), [&](const ProcessRecords::StageRow& r) {
            if (r.record_id != record) {
                flush();
                record.assign(r.record_id);
                path.reset(n);
            }
            const bool created = r.from_state.empty();
            const bool counted_now = q.basis == FunnelQuery::Basis::cohort ? true : in_period(r.at);
            if (created && q.basis == FunnelQuery::Basis::cohort) path.in_scope = in_period(r.at);
            if (q.basis == FunnelQuery::Basis::activity && in_period(r.at)) path.in_scope = true;
            const int from = stage_of(r.from_state), to = stage_of(r.to_state);
            if (to != kNoStage) {
                const auto k = static_cast<std::size_t>(to);
                if (!path.entered[k]) path.order.push_back(to);
                path.entered[k] = 1;
                if (counted_now) path.counted[k] = 1;
            }
            if (from != kNoStage && counted_now) {
                const auto k = static_cast<std::size_t>(from);
                const process::State* target = def.find_state(r.to_state);
                if (to != kNoStage) {
                    (to > from ? path.moved_on : path.moved_back)[k] = 1;
                } else if (target && target->is_won) {
                    path.moved_on[k] = 1;
                } else if (target) {
                    path.closed.emplace_back(from, std::string(r.to_state));
                }
                if (path.in_scope || q.basis == FunnelQuery::Basis::activity)
                    stays[k].push_back(r.duration_ms);
            }
            if (const process::State* target = def.find_state(r.to_state); target && target->is_won && counted_now)
                path.won = true;
            path.current.assign(r.to_state);
            return true;
        });
    }));
    flush();

    const Timestamp reference = span ? span->from : impl.now();
    for (std::size_t k = 0; k < n; ++k) {
        FunnelStage s;
        s.state = stages[k]->id;
        s.label = stages[k]->label;
        s.entered = entered[k];
        s.moved_on = moved_on[k];
        s.moved_back = moved_back[k];
        s.still_in = still_in[k];
        s.closed = std::move(closed[k]);
        // Of the records that entered the stage before (the first: itself),
        // those that entered this one too; and the same of the first stage.
        CRM_TRY(conversion, analytics::proportion(with_previous[k], k == 0 ? entered[0] : entered[k - 1],
                                                  0.95, q.min_records));
        CRM_TRY(cumulative, analytics::proportion(with_first[k], entered[0], 0.95, q.min_records));
        s.conversion = conversion;
        s.cumulative = cumulative;
        s.stays = static_cast<std::int64_t>(stays[k].size());
        if (!stays[k].empty()) {
            const auto [median, p90] = quantiles(stays[k]);
            s.median_days = median;
            s.p90_days = p90;
        }
        CRM_TRY(expected, expected_days(*stages[k], calendar, reference));
        s.expected_days = expected;
        s.bottleneck = s.median_days && s.expected_days && *s.median_days > *s.expected_days;
        f.stages.push_back(std::move(s));
    }
    CRM_TRY(w, analytics::proportion(won, f.records, 0.95, q.min_records));
    f.won = w;
    return f;
}

}  // namespace crm
