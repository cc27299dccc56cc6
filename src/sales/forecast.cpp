// src/sales/forecast.cpp - the forecast of a period and the pipeline as it
// stood at an instant.
#include <algorithm>
#include <map>
#include <numeric>

#include "crm/core/text.hpp"
#include "crm/sales/sales.hpp"
#include "core/period_span.hpp"
#include "engine/access.hpp"
#include "sales/amount.hpp"

namespace crm {
namespace {

using json = codec::json;

ForecastRow::Sums* sums_of(ForecastRow& row, const std::string& category) {
    if (category == "pipeline") return &row.pipeline;
    if (category == "best_case") return &row.best_case;
    if (category == "commit") return &row.commit;
    if (category == "omitted") return &row.omitted;
    return nullptr;
}

// What the history keeps of an opportunity at a move (sales.cpp: tracked).
struct Tracked {
    std::string currency, expected_close, forecast_category, owner;
    std::int64_t minor = 0, probability = 0;
};

result<Tracked> tracked_values(const HistoryEntry& e) {
    Tracked t;
    auto values = json::parse(e.values, nullptr, false);
    const auto integer = [](const json& obj, const char* key) -> std::int64_t {
        auto it = obj.find(key);
        return it != obj.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
    };
    const auto text = [](const json& obj, const char* key) -> std::string {
        auto it = obj.find(key);
        return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (values.is_object()) {
        if (auto a = values.find("amount"); a != values.end() && a->is_object()) {
            t.currency = text(*a, "currency");
            t.minor = integer(*a, "minor");
        }
        t.probability = integer(values, "probability");
        t.expected_close = text(values, "expected_close");
        t.forecast_category = text(values, "forecast_category");
        t.owner = text(values, "owner");
    }
    if (t.minor < 0 || t.minor > sales::kMaxAmountMinor || t.probability < 0 || t.probability > 100)
        return fail(errc::storage, "history entry " + std::to_string(e.seq) + " holds values out of range");
    return t;
}

constexpr double kDayMs = 86'400'000.0;

}  // namespace

result<Forecast> Sales::forecast(const ForecastQuery& query) {
    if (query.targets.size() > 10000)
        return fail(errc::invalid_argument, "more than 10000 targets", "targets");
    std::vector<ForecastTarget> targets;
    for (std::size_t i = 0; i < query.targets.size(); ++i) {
        const std::string path = "targets[" + std::to_string(i) + "]";
        CRM_TRY(amount, sales::clean_amount(query.targets[i].amount, path + ".amount"));
        for (const auto& t : targets)
            if (t.group == query.targets[i].group && t.amount.currency == amount.currency)
                return fail(errc::invalid_argument, "repeats a group and currency", path);
        targets.push_back({query.targets[i].group, amount});
    }
    CRM_TRY(span, resolve_period(query.period, query.calendar, query.time_zone));
    Forecast f;
    f.period = span.period;
    f.from_date = span.from_date;
    f.to_date = span.to_date;
    f.from = span.from;
    f.to = span.to;
    ForecastScope scope{query.group_by, query.pipeline, query.owner, query.team,
                                 f.from_date,    f.to_date,      f.from,      f.to};
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<Forecast> {
        CRM_TRY(cells, tx.forecast_cells(scope));
        std::map<std::pair<std::string, std::string>, ForecastRow> rows;
        for (const auto& c : cells) {
            ForecastRow& row = rows[{c.group, c.currency}];
            row.group = c.group;
            row.currency = c.currency;
            if (c.status == "open") {
                if (auto* sums = sums_of(row, c.forecast_category)) {
                    sums->count += c.count;
                    sums->amount_minor += c.amount_minor;
                    sums->weighted_minor += c.weighted_minor;
                }
            } else if (c.status == "won") {
                row.won_count += c.count;
                row.won_minor += c.revenue_minor;
            } else if (c.status == "lost") {
                row.lost_count += c.count;
            }
        }
        auto row_of = [&](const std::string& group, const std::string& currency) -> ForecastRow& {
            ForecastRow& row = rows[{group, currency}];
            row.group = group;
            row.currency = currency;
            return row;
        };
        // The sales cycle: creation to win, of the deals won in the period.
        CRM_TRY(won, tx.won_deals(scope));
        std::map<std::pair<std::string, std::string>, std::vector<double>> cycles;
        for (const auto& w : won) {
            CRM_TRY(created, parse_iso8601(w.created_at, "created_at"));
            cycles[{w.group, w.currency}].push_back(static_cast<double>(w.closed_at.ms - created.ms) / kDayMs);
        }
        // The forecast when the period began, from each pipeline's history.
        CRM_TRY(ids, tx.definition_versions("process"));
        for (const auto& [id, version] : ids) {
            if (!query.pipeline.empty() && id != query.pipeline) continue;
            CRM_TRY(def, impl.definition(tx, id, 0, "pipeline"));
            if (def.record_type() != "opportunity") continue;
            CRM_TRY(entries, tx.history_as_of("opportunity", id, Timestamp{f.from.ms - 1}));
            for (const auto& e : entries) {
                const process::State* state = def.find_state(e.to_state);
                if (!state || state->is_closed) continue;
                CRM_TRY(v, tracked_values(e));
                if (v.expected_close < f.from_date || v.expected_close >= f.to_date ||
                    v.forecast_category == "omitted" || v.minor == 0)
                    continue;
                // The team is not kept in history: the deal's team now.
                std::string team;
                if (query.group_by == ForecastGroup::team || !query.team.empty()) {
                    CRM_TRY(o, tx.get_opportunity(e.record_id));
                    if (o) team = o->team;
                }
                if ((!query.owner.empty() && v.owner != query.owner) || (!query.team.empty() && team != query.team))
                    continue;
                const std::string& group = query.group_by == ForecastGroup::owner ? v.owner
                                           : query.group_by == ForecastGroup::team ? team
                                                                                   : id;
                ForecastRow& row = row_of(group, v.currency);
                ++row.at_start.count;
                row.at_start.amount_minor += v.minor;
                row.at_start.weighted_minor += v.minor * v.probability / 100;
            }
        }
        for (const auto& t : targets) row_of(t.group, t.amount.currency).target_minor = t.amount.minor;
        for (auto& [key, row] : rows) {
            const std::int64_t closed = row.won_count + row.lost_count;
            row.win_rate = closed ? static_cast<double>(row.won_count) / static_cast<double>(closed) : 0;
            row.average_deal_minor = row.won_count ? row.won_minor / row.won_count : 0;
            if (auto it = cycles.find(key); it != cycles.end()) {
                auto& days = it->second;
                std::sort(days.begin(), days.end());
                const std::size_t n = days.size();
                row.cycle_median_days = n % 2 ? days[n / 2] : (days[n / 2 - 1] + days[n / 2]) / 2;
                row.cycle_mean_days = std::accumulate(days.begin(), days.end(), 0.0) / static_cast<double>(n);
            }
            if (row.at_start.weighted_minor > 0)
                row.forecast_accuracy =
                    static_cast<double>(row.won_minor) / static_cast<double>(row.at_start.weighted_minor);
            if (row.target_minor) {
                const std::int64_t target = *row.target_minor;
                if (target > 0) row.attainment = static_cast<double>(row.won_minor) / static_cast<double>(target);
                const std::int64_t open =
                    row.pipeline.amount_minor + row.best_case.amount_minor + row.commit.amount_minor;
                if (target > row.won_minor)
                    row.coverage = static_cast<double>(open) / static_cast<double>(target - row.won_minor);
            }
            f.rows.push_back(std::move(row));
        }
        CRM_TRY(stages, tx.stage_durations(scope));
        f.stages = std::move(stages);
        return f;
    });
}

result<std::vector<StageSnapshot>> Sales::pipeline_as_of(std::string_view pipeline, Timestamp at,
                                                         std::string_view owner) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<StageSnapshot>> {
        CRM_TRY(d, impl.definition(tx, pipeline, 0, "pipeline"));
        if (d.record_type() != "opportunity")
            return fail(errc::invalid_argument, "is not a pipeline of opportunities", "pipeline");
        CRM_TRY(entries, tx.history_as_of("opportunity", pipeline, at));
        std::map<std::pair<std::string, std::string>, StageSnapshot> stages;
        for (const auto& e : entries) {
            CRM_TRY(v, tracked_values(e));
            if (!owner.empty() && v.owner != owner) continue;
            const std::string& currency = v.currency;
            const std::int64_t minor = v.minor, probability = v.probability;
            auto& s = stages[{e.to_state, currency}];
            s.stage = e.to_state;
            s.currency = currency;
            ++s.count;
            s.amount_minor += minor;
            s.weighted_minor += minor * probability / 100;
        }
        // In the order of the latest definition's states; others after.
        std::vector<StageSnapshot> out;
        for (const auto& state : d.states())
            for (auto it = stages.begin(); it != stages.end();)
                if (it->first.first == state.id) {
                    out.push_back(it->second);
                    out.back().label = state.label;
                    out.back().category = process::to_string(state.category);
                    it = stages.erase(it);
                } else {
                    ++it;
                }
        for (auto& [key, s] : stages) out.push_back(s);
        return out;
    });
}

}  // namespace crm
