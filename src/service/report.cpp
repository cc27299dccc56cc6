// src/service/report.cpp - Service::report: SLA compliance, backlog, time in
// state against the expected durations, first-contact resolution, CSAT and
// NPS over a period.
#include <algorithm>
#include <cmath>
#include <map>

#include "core/enum_names.hpp"
#include "core/json_read.hpp"
#include "core/period_span.hpp"
#include "crm/service/service.hpp"
#include "engine/access.hpp"

namespace crm {

CRM_ENUM_NAMES(ServiceGroup, parse_service_group, {ServiceGroup::queue, "queue"},
               {ServiceGroup::type, "type"}, {ServiceGroup::priority, "priority"})

namespace {

constexpr double kHourMs = 3'600'000.0;
constexpr double kDayMs = 24 * kHourMs;

std::string group_of(const Ticket& t, ServiceGroup g) {
    switch (g) {
        case ServiceGroup::queue: return t.queue;
        case ServiceGroup::type: return to_string(t.type);
        case ServiceGroup::priority: return to_string(t.priority);
    }
    return {};
}

bool within(const std::optional<Timestamp>& t, Timestamp from, Timestamp to) {
    return t && *t >= from && *t < to;
}

// The nearest-rank percentile of sorted values.
double percentile(const std::vector<std::int64_t>& sorted, double p) {
    if (sorted.empty()) return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return static_cast<double>(sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1]);
}

const char* unit_name(process::Duration::Unit u) {
    switch (u) {
        case process::Duration::Unit::business_hours: return "business_hours";
        case process::Duration::Unit::business_days: return "business_days";
        case process::Duration::Unit::hours: return "hours";
        case process::Duration::Unit::days: return "days";
    }
    return "";
}

}  // namespace

result<ServiceReport> Service::report(const ServiceReportQuery& query) {
    CRM_TRY(span, resolve_period(query.period, query.calendar, query.time_zone));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<ServiceReport> {
        ServiceReport r;
        r.period = span.period;
        r.from_date = span.from_date;
        r.to_date = span.to_date;
        r.from = span.from;
        r.to = span.to;
        r.as_of = impl.now();

        std::map<std::pair<std::string, SlaKpi>, SlaComplianceRow> sla;
        std::map<std::string, BacklogRow> backlog;
        std::map<std::string, double> age_sum;
        int csat_sum = 0;
        // Running clocks are brought to the report's time in memory, so a
        // breach nobody ticked yet counts.
        std::optional<error> failure;
        CRM_TRYV(tx.for_each_ticket([&](const Ticket& stored) {
            Ticket t = stored;
            for (auto& s : t.slas) {
                if (s.stopped()) continue;
                auto cal = impl.calendar_of(tx, s.calendar);
                if (!cal) {
                    failure = cal.error();
                    return false;
                }
                sla::recompute(s, cal.value(), r.as_of);
            }
            const std::string group = group_of(t, query.group_by);
            if (t.created_at >= r.from && t.created_at < r.to) {
                r.opened++;
                for (const auto& s : t.slas) {
                    SlaComplianceRow& row = sla[{group, s.kpi}];
                    row.group = group;
                    row.kpi = s.kpi;
                    switch (s.status) {
                        case SlaStatus::succeeded: row.met++; break;
                        case SlaStatus::breached: row.breached++; break;
                        case SlaStatus::cancelled: row.cancelled++; break;
                        default: row.open++; break;
                    }
                }
            }
            if (t.status == "open") {
                BacklogRow& row = backlog[group];
                row.group = group;
                row.open++;
                const double age = static_cast<double>(r.as_of.ms - t.created_at.ms) / kDayMs;
                age_sum[group] += age;
                row.oldest_age_days = std::max(row.oldest_age_days, age);
                row.by_age[age < 1 ? 0 : age < 3 ? 1 : age < 7 ? 2 : 3]++;
            }
            if (within(t.resolved_at, r.from, r.to)) {
                r.resolved++;
                if (t.first_contact_resolution) r.first_contact_resolved++;
            }
            if (t.csat && within(t.csat_at, r.from, r.to)) {
                r.csat_answers++;
                csat_sum += *t.csat;
                r.csat_scores[static_cast<std::size_t>(std::clamp(*t.csat, 1, 5) - 1)]++;
            }
            return true;
        }));
        if (failure) return *failure;
        for (auto& [key, row] : sla) {
            const int ended = row.met + row.breached;
            row.compliance = ended ? static_cast<double>(row.met) / ended : 0;
            r.sla.push_back(row);
        }
        for (auto& [group, row] : backlog) {
            row.average_age_days = row.open ? age_sum[group] / row.open : 0;
            r.backlog.push_back(row);
        }
        r.first_contact_rate = r.resolved ? static_cast<double>(r.first_contact_resolved) / r.resolved : 0;
        r.csat_average = r.csat_answers ? static_cast<double>(csat_sum) / r.csat_answers : 0;

        CRM_TRY(answers, tx.nps_between(r.from, r.to));
        for (const auto& a : answers) {
            r.nps_answers++;
            (a.score >= 9 ? r.promoters : a.score >= 7 ? r.passives : r.detractors)++;
        }
        r.nps = r.nps_answers ? 100.0 * (r.promoters - r.detractors) / r.nps_answers : 0;

        // Time in state: each history entry that left a state ends a stint.
        struct Stints {
            std::vector<std::int64_t> ms;
            int overran = 0;
            std::string expected;
        };
        std::map<std::tuple<std::string, std::string, std::string>, Stints> stints;
        std::vector<HistoryEntry> moves;
        CRM_TRYV(tx.for_each_history("ticket", r.from, r.to, [&](const HistoryEntry& h) {
            if (!h.from_state.empty() && h.from_state != h.to_state) moves.push_back(h);
            return true;
        }));
        for (const auto& h : moves) {
            std::string queue;
            if (auto values = codec::parse(h.values, "history values"); values && values.value().is_object())
                if (const auto* q = codec::member(values.value(), "queue"); q && q->is_string())
                    queue = q->get<std::string>();
            Stints& s = stints[{h.process, queue, h.from_state}];
            s.ms.push_back(h.duration_ms);
            auto d = impl.definition(tx, h.process, h.process_version, "process");
            if (!d) continue;  // a definition that no longer loads: no expectation
            const process::State* state = d.value().find_state(h.from_state);
            if (!state || !state->expected_duration) continue;
            const auto& e = *state->expected_duration;
            s.expected = std::to_string(e.amount) + " " + unit_name(e.unit);
            CRM_TRY(cal, impl.calendar_of(tx, d.value().calendar()));
            CRM_TRY(due, impl.due_after(cal, Timestamp{h.at.ms - h.duration_ms}, e));
            if (h.at > due) s.overran++;
        }
        for (auto& [key, s] : stints) {
            std::sort(s.ms.begin(), s.ms.end());
            StateTimeRow row;
            std::tie(row.process, row.queue, row.state) = key;
            row.stints = static_cast<int>(s.ms.size());
            double sum = 0;
            for (auto v : s.ms) sum += static_cast<double>(v);
            row.mean_hours = sum / row.stints / kHourMs;
            row.p50_hours = percentile(s.ms, 0.5) / kHourMs;
            row.p90_hours = percentile(s.ms, 0.9) / kHourMs;
            row.expected = s.expected;
            row.overran = s.overran;
            row.bottleneck = !s.expected.empty() && 2 * s.overran > row.stints;
            r.states.push_back(std::move(row));
        }
        return r;
    });
}

}  // namespace crm
