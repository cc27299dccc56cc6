// src/analytics/funnel.cpp - the funnel of a process from the history its
// records keep: one streamed pass over their stage changes in record order,
// one record's path in memory at a time.
#include "crm/analytics/funnel.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <unordered_map>

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

// The dimensions a funnel filters and groups by, in RecordDimensions' order.
constexpr const char* kDimensions[] = {"owner", "team", "pipeline", "source", "campaign"};
constexpr std::size_t kNoDimension = std::size(kDimensions);

std::size_t dimension_index(std::string_view name) {
    for (std::size_t k = 0; k < std::size(kDimensions); ++k)
        if (name == kDimensions[k]) return k;
    return kNoDimension;
}

// Every record's dimensions, by id (sorted for lookup), their values interned.
class DimensionTable {
public:
    result<void> load(Transaction& tx, std::string_view record_type, std::string_view field) {
        std::optional<error> failure;
        CRM_TRYV(tx.for_each_record_dimensions(record_type, field, [&](const RecordDimensions& d) {
            auto id = Id::parse(d.id);
            if (!id) {
                failure = fail(errc::storage, "record id " + std::string(d.id) + " is not an id");
                return false;
            }
            rows_.push_back({id.value(),
                             {intern(d.owner), intern(d.team), intern(d.pipeline), intern(d.source),
                              intern(d.campaign)}});
            return true;
        }));
        if (failure) return *failure;
        std::sort(rows_.begin(), rows_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        return ok();
    }
    /// The value codes of the record `id` (all "" when it has none).
    std::array<std::uint32_t, kNoDimension> of(std::string_view id) const {
        std::array<std::uint32_t, kNoDimension> none{};
        auto parsed = Id::parse(id);
        if (!parsed) return none;
        auto it = std::lower_bound(rows_.begin(), rows_.end(), parsed.value(),
                                   [](const auto& row, const Id& x) { return row.first < x; });
        return it != rows_.end() && it->first == parsed.value() ? it->second : none;
    }
    /// The code of `value`; kAbsent when no record has it.
    std::uint32_t code(const std::string& value) const {
        auto it = index_.find(value);
        return it == index_.end() ? kAbsent : it->second;
    }
    const std::string& value(std::uint32_t code) const { return values_[code]; }
    static constexpr std::uint32_t kAbsent = UINT32_MAX;

private:
    std::uint32_t intern(std::string_view v) {
        auto [it, fresh] = index_.try_emplace(std::string(v), static_cast<std::uint32_t>(values_.size()));
        if (fresh) values_.emplace_back(v);
        return it->second;
    }
    std::vector<std::pair<Id, std::array<std::uint32_t, kNoDimension>>> rows_;
    std::vector<std::string> values_{""};
    std::unordered_map<std::string, std::uint32_t> index_{{"", 0}};
};

// What one record did, as the funnel counts it. Stage sets are indices into
// the funnel's stages.
struct Path {
    std::vector<char> entered, moved_on, moved_back, counted;
    std::vector<std::pair<int, std::string>> closed;   // (stage left, closed state)
    std::vector<int> order;                            // stages in order of first entry
    std::vector<std::pair<int, std::int64_t>> stays;   // (stage left, time in it)
    std::string current;
    bool in_scope = false, won = false;

    void reset(std::size_t stages) {
        for (auto* v : {&entered, &moved_on, &moved_back, &counted}) v->assign(stages, 0);
        closed.clear();
        order.clear();
        stays.clear();
        current.clear();
        in_scope = won = false;
    }
};

// The sums of a funnel over the records added to it.
struct Tally {
    // entered[k]; with_previous[k]: entered k and k-1; with_first[k]: k and 0.
    std::vector<std::int64_t> entered, with_previous, with_first, moved_on, moved_back, still_in;
    std::vector<std::map<std::string, std::int64_t>> closed;
    std::vector<std::vector<std::int64_t>> stays;
    std::map<std::string, std::int64_t> outcomes;
    std::int64_t records = 0, won = 0;

    explicit Tally(std::size_t n)
        : entered(n), with_previous(n), with_first(n), moved_on(n), moved_back(n), still_in(n), closed(n), stays(n) {}

    void add(const Path& path, bool strict, int current_stage) {
        const std::size_t n = entered.size();
        ++records;
        won += path.won;
        // Strict order: the stages entered first-time as 0, 1, 2, ...
        std::size_t prefix = 0;
        while (prefix < path.order.size() && path.order[prefix] == static_cast<int>(prefix)) ++prefix;
        auto counts = [&](std::size_t k) { return path.counted[k] != 0 && (!strict || k < prefix); };
        for (std::size_t k = 0; k < n; ++k) {
            entered[k] += counts(k);
            with_previous[k] += counts(k) && (k == 0 || counts(k - 1));
            with_first[k] += counts(k) && counts(0);
            moved_on[k] += path.moved_on[k];
            moved_back[k] += path.moved_back[k];
        }
        for (const auto& [k, state] : path.closed) ++closed[static_cast<std::size_t>(k)][state];
        for (const auto& [k, ms] : path.stays) stays[static_cast<std::size_t>(k)].push_back(ms);
        if (current_stage != kNoStage) ++still_in[static_cast<std::size_t>(current_stage)];
        else if (!path.current.empty()) ++outcomes[path.current];
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

// The counts of a tally as the funnel reports them.
result<FunnelCounts> finish(Tally& t, const std::vector<const process::State*>& stages,
                            const std::vector<std::optional<double>>& expected, std::int64_t min_records) {
    FunnelCounts c;
    c.records = t.records;
    for (std::size_t k = 0; k < stages.size(); ++k) {
        FunnelStage s;
        s.state = stages[k]->id;
        s.label = stages[k]->label;
        s.entered = t.entered[k];
        s.moved_on = t.moved_on[k];
        s.moved_back = t.moved_back[k];
        s.still_in = t.still_in[k];
        s.closed = std::move(t.closed[k]);
        // Of the records that entered the stage before (the first: itself),
        // those that entered this one too; and the same of the first stage.
        CRM_TRY(conversion, analytics::proportion(t.with_previous[k], k == 0 ? t.entered[0] : t.entered[k - 1],
                                                  0.95, min_records));
        CRM_TRY(cumulative, analytics::proportion(t.with_first[k], t.entered[0], 0.95, min_records));
        s.conversion = conversion;
        s.cumulative = cumulative;
        s.stays = static_cast<std::int64_t>(t.stays[k].size());
        if (!t.stays[k].empty()) {
            const auto [median, p90] = quantiles(t.stays[k]);
            s.median_days = median;
            s.p90_days = p90;
        }
        s.expected_days = expected[k];
        s.bottleneck = s.median_days && s.expected_days && *s.median_days > *s.expected_days;
        c.stages.push_back(std::move(s));
    }
    CRM_TRY(w, analytics::proportion(t.won, t.records, 0.95, min_records));
    c.won = w;
    c.outcomes = std::move(t.outcomes);
    return c;
}

}  // namespace

result<Funnel> Analytics::funnel(const FunnelQuery& q) {
    if (q.process.empty() || q.process.size() > 64)
        return fail(errc::invalid_argument, "must name a process (at most 64 bytes)", "process");
    if (q.min_records < 0) return fail(errc::invalid_argument, "must be 0 or more", "min_records");
    const std::size_t group = q.group_by.empty() ? kNoDimension : dimension_index(q.group_by);
    if (!q.group_by.empty() && group == kNoDimension)
        return fail(errc::invalid_argument, "must be owner, team, pipeline, source or campaign", "group_by");
    const std::string* filter_values[] = {&q.owner, &q.team, &q.pipeline, &q.source, &q.campaign};
    for (std::size_t k = 0; k < kNoDimension; ++k)
        if (filter_values[k]->size() > 256)
            return fail(errc::invalid_argument, "is longer than 256 bytes", kDimensions[k]);
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
    f.group_by = q.group_by;
    for (std::size_t k = 0; k < kNoDimension; ++k)
        if (!filter_values[k]->empty()) f.filters.emplace_back(kDimensions[k], *filter_values[k]);
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
    // Every state once, so that a row costs one scan per state it names.
    struct StateInfo {
        std::string_view id;
        int stage;
        const process::State* state;
    };
    std::vector<StateInfo> states;
    for (const auto& s : def.states()) states.push_back({s.id, stage_of(s.id), &s});
    auto info_of = [&](std::string_view id) -> const StateInfo* {
        for (const auto& i : states)
            if (i.id == id) return &i;
        return nullptr;
    };
    auto in_period = [&](Timestamp t) { return !span || (t >= span->from && t < span->to); };
    const std::size_t n = stages.size();
    const bool strict = q.order == FunnelQuery::Order::strict;
    const bool activity = q.basis == FunnelQuery::Basis::activity;

    DimensionTable dims;
    // The filters as value codes: a value no record has matches nothing.
    std::array<std::uint32_t, kNoDimension> wanted{};
    Tally all(n);
    std::map<std::uint32_t, Tally> groups;
    std::int64_t whole = 0, whole_won = 0;

    Path path;
    std::string record;
    auto flush = [&] {
        if (record.empty() || !path.in_scope) return;
        const int current = stage_of(path.current);
        if (f.filters.empty() && group == kNoDimension) {
            all.add(path, strict, current);
            return;
        }
        const auto values = dims.of(record);
        ++whole;
        whole_won += path.won;
        for (std::size_t k = 0; k < kNoDimension; ++k)
            if (!filter_values[k]->empty() && values[k] != wanted[k]) return;
        all.add(path, strict, current);
        if (group != kNoDimension) groups.try_emplace(values[group], n).first->second.add(path, strict, current);
    };
    path.reset(n);
    CRM_TRYV(impl.read([&](Transaction& tx) -> result<void> {
        if (!f.filters.empty() || group != kNoDimension) {
            CRM_TRYV(dims.load(tx, def.record_type(), group != kNoDimension ? "group_by" : f.filters.front().first));
            for (std::size_t k = 0; k < kNoDimension; ++k)
                if (!filter_values[k]->empty()) wanted[k] = dims.code(*filter_values[k]);
        }
        return tx.for_each_stage_change(def.record_type(), def.id(), [&](const ProcessRecords::StageRow& r) {
            if (r.record_id != record) {
                flush();
                record.assign(r.record_id);
                path.reset(n);
            }
            const bool created = r.from_state.empty();
            const bool counted_now = activity ? in_period(r.at) : true;
            if (created && !activity) path.in_scope = in_period(r.at);
            if (activity && in_period(r.at)) path.in_scope = true;
            const StateInfo* from_info = r.from_state.empty() ? nullptr : info_of(r.from_state);
            const StateInfo* to_info = info_of(r.to_state);
            const int from = from_info ? from_info->stage : kNoStage, to = to_info ? to_info->stage : kNoStage;
            if (to != kNoStage) {
                const auto k = static_cast<std::size_t>(to);
                if (!path.entered[k]) path.order.push_back(to);
                path.entered[k] = 1;
                if (counted_now) path.counted[k] = 1;
            }
            const process::State* target = to_info ? to_info->state : nullptr;
            if (from != kNoStage && counted_now) {
                const auto k = static_cast<std::size_t>(from);
                if (to != kNoStage) {
                    (to > from ? path.moved_on : path.moved_back)[k] = 1;
                } else if (target && target->is_won) {
                    path.moved_on[k] = 1;
                } else if (target) {
                    path.closed.emplace_back(from, std::string(r.to_state));
                }
                if (path.in_scope || activity) path.stays.emplace_back(from, r.duration_ms);
            }
            if (target && target->is_won && counted_now) path.won = true;
            path.current.assign(r.to_state);
            return true;
        });
    }));
    flush();

    const Timestamp reference = span ? span->from : impl.now();
    std::vector<std::optional<double>> expected;
    for (const auto* s : stages) {
        CRM_TRY(e, expected_days(*s, calendar, reference));
        expected.push_back(e);
    }
    CRM_TRY(counts, finish(all, stages, expected, q.min_records));
    static_cast<FunnelCounts&>(f) = std::move(counts);
    for (auto& [code, tally] : groups) {
        CRM_TRY(g, finish(tally, stages, expected, q.min_records));
        FunnelGroup fg;
        static_cast<FunnelCounts&>(fg) = std::move(g);
        fg.value = dims.value(code);
        f.groups.push_back(std::move(fg));
    }
    std::sort(f.groups.begin(), f.groups.end(), [](const auto& a, const auto& b) { return a.value < b.value; });
    if (!f.filters.empty()) {
        f.whole_records = whole;
        if (f.records > 0 && whole > f.records) {
            CRM_TRY(t, analytics::compare_proportions(f.won.successes, f.records, whole_won - f.won.successes,
                                                      whole - f.records, 0.05, q.min_records));
            f.versus_rest = t;
        }
    } else {
        f.whole_records = f.records;
    }
    return f;
}

}  // namespace crm
