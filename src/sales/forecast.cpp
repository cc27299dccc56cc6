// src/sales/forecast.cpp - the forecast of a period and the pipeline as it
// stood at an instant.
#include <map>

#include "crm/core/text.hpp"
#include "crm/sales/sales.hpp"
#include "core/period_span.hpp"
#include "engine/access.hpp"

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

}  // namespace

result<Forecast> Sales::forecast(const ForecastQuery& query) {
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
        for (auto& [key, row] : rows) {
            const std::int64_t closed = row.won_count + row.lost_count;
            row.win_rate = closed ? static_cast<double>(row.won_count) / static_cast<double>(closed) : 0;
            row.average_deal_minor = row.won_count ? row.won_minor / row.won_count : 0;
            f.rows.push_back(std::move(row));
        }
        CRM_TRY(stages, tx.stage_durations(scope));
        f.stages = std::move(stages);
        return f;
    });
}

result<std::vector<StageSnapshot>> Sales::pipeline_as_of(std::string_view pipeline, Timestamp at) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<StageSnapshot>> {
        CRM_TRY(d, impl.definition(tx, pipeline, 0, "pipeline"));
        if (d.record_type() != "opportunity")
            return fail(errc::invalid_argument, "is not a pipeline of opportunities", "pipeline");
        CRM_TRY(entries, tx.history_as_of("opportunity", pipeline, at));
        std::map<std::pair<std::string, std::string>, StageSnapshot> stages;
        for (const auto& e : entries) {
            auto values = json::parse(e.values, nullptr, false);
            std::string currency;
            std::int64_t minor = 0, probability = 0;
            const auto integer = [](const json& obj, const char* key) -> std::int64_t {
                auto it = obj.find(key);
                return it != obj.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
            };
            if (values.is_object()) {
                if (auto a = values.find("amount"); a != values.end() && a->is_object()) {
                    auto c = a->find("currency");
                    if (c != a->end() && c->is_string()) currency = c->get<std::string>();
                    minor = integer(*a, "minor");
                }
                probability = integer(values, "probability");
            }
            if (minor < 0 || minor > 90'000'000'000'000'000 || probability < 0 || probability > 100)
                return fail(errc::storage, "history entry " + std::to_string(e.seq) +
                                               " holds values out of range");
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
                    it = stages.erase(it);
                } else {
                    ++it;
                }
        for (auto& [key, s] : stages) out.push_back(s);
        return out;
    });
}

}  // namespace crm
