// src/service/sla.cpp - the clock of one SLA KPI on business time: its
// running spans, deadlines, status and explanation (crm/service/sla.hpp).
#include "crm/service/sla.hpp"

#include <algorithm>
#include <limits>

#include "core/enum_names.hpp"

namespace crm {

CRM_ENUM_NAMES(SlaKpi, parse_sla_kpi, {SlaKpi::first_response, "first_response"},
               {SlaKpi::next_response, "next_response"}, {SlaKpi::resolution, "resolution"})
CRM_ENUM_NAMES(SlaStatus, parse_sla_status, {SlaStatus::in_progress, "in_progress"},
               {SlaStatus::nearing_breach, "nearing_breach"}, {SlaStatus::breached, "breached"},
               {SlaStatus::paused, "paused"}, {SlaStatus::succeeded, "succeeded"},
               {SlaStatus::cancelled, "cancelled"})

namespace sla {
namespace {

constexpr std::int64_t kMaxTargetMs = 10LL * 365 * 24 * 3'600'000;  // ten years

// The latest instant the clock has seen: its start or the last pause edge.
Timestamp last_event(const SlaInstance& s) {
    Timestamp t = s.started_at;
    for (const auto& p : s.pauses) t = std::max(t, p.to ? *p.to : p.from);
    return t;
}

// Calls fn(from, to, running) for each span from started_at to `end`, in
// order: running spans between pauses, and the pauses themselves (an open
// pause runs to `end`). Spans after `end` are cut off.
template <class F>
void for_each_span(const SlaInstance& s, Timestamp end, F&& fn) {
    Timestamp at = s.started_at;
    for (const auto& p : s.pauses) {
        if (at >= end) return;
        if (p.from > at) fn(at, std::min(p.from, end), true);
        const Timestamp resumed = p.to ? std::max(*p.to, p.from) : end;
        if (std::max(p.from, at) < end) fn(std::max(p.from, at), std::min(resumed, end), false);
        at = std::max(at, resumed);
    }
    if (at < end) fn(at, end, true);
}

}  // namespace

result<SlaInstance> start(SlaKpi kpi, Timestamp at, std::int64_t warning_ms,
                          std::int64_t failure_ms, const BusinessCalendar& calendar) {
    if (failure_ms <= 0 || failure_ms > kMaxTargetMs)
        return fail(errc::invalid_argument, "must be above 0 and at most ten years", "failure_ms");
    if (warning_ms < 0 || warning_ms > failure_ms)
        return fail(errc::invalid_argument, "must be from 0 to the failure time", "warning_ms");
    SlaInstance s;
    s.kpi = kpi;
    s.started_at = at;
    s.warning_ms = warning_ms;
    s.failure_ms = failure_ms;
    recompute(s, calendar, at);
    return s;
}

void recompute(SlaInstance& s, const BusinessCalendar& calendar, Timestamp now) {
    // Deadlines: walk the running spans until the counted time reaches each
    // target; the span after the last pause is open-ended unless paused.
    s.warning_at.reset();
    s.failure_at.reset();
    std::int64_t counted = 0;
    auto reach = [&](Timestamp from, std::optional<Timestamp> to) {
        const std::int64_t length =
            to ? calendar.between(from, *to) : std::numeric_limits<std::int64_t>::max();
        for (auto [target, out] : {std::pair{s.warning_ms, &s.warning_at},
                                   std::pair{s.failure_ms, &s.failure_at}}) {
            if (*out) continue;
            if (target == 0) {
                *out = s.started_at;
            } else if (target - counted <= length) {
                auto r = calendar.add(from, target - counted);
                if (r) *out = r.value();
            }
        }
        if (to) counted += length;
    };
    Timestamp at = s.started_at;
    bool open_pause = false;
    for (const auto& p : s.pauses) {
        if (p.from > at) reach(at, p.from);
        if (!p.to) {
            open_pause = true;
            break;
        }
        at = std::max(at, *p.to);
    }
    if (!open_pause) reach(at, std::nullopt);

    // Counts up to now, or to the stop.
    const Timestamp end = std::max(s.started_at, s.stopped_at ? *s.stopped_at : now);
    s.elapsed_ms = 0;
    s.paused_ms = 0;
    for_each_span(s, end, [&](Timestamp a, Timestamp b, bool running) {
        (running ? s.elapsed_ms : s.paused_ms) += calendar.between(a, b);
    });

    if (s.stopped()) return;  // its final status was set when it stopped
    // A breach, once seen, stays: its event went out, and a later deadline
    // (a longer target, a new calendar) does not take it back.
    if (s.status == SlaStatus::breached || (s.failure_at && end > *s.failure_at)) {
        s.status = SlaStatus::breached;
    } else if (s.paused()) {
        s.status = SlaStatus::paused;
    } else if (s.warning_at && end >= *s.warning_at) {
        s.status = SlaStatus::nearing_breach;
        s.warned = true;
    } else {
        s.status = SlaStatus::in_progress;
    }
}

void pause(SlaInstance& s, Timestamp at, const BusinessCalendar& calendar) {
    if (s.paused() || s.stopped()) return;
    at = std::max(at, last_event(s));
    s.pauses.push_back({at, std::nullopt});
    recompute(s, calendar, at);
}

void resume(SlaInstance& s, Timestamp at, const BusinessCalendar& calendar) {
    if (!s.paused() || s.stopped()) return;
    s.pauses.back().to = std::max(at, s.pauses.back().from);
    recompute(s, calendar, *s.pauses.back().to);
}

void stop(SlaInstance& s, Timestamp at, const BusinessCalendar& calendar) {
    if (s.stopped()) return;
    at = std::max(at, last_event(s));
    recompute(s, calendar, at);
    const bool breached = s.status == SlaStatus::breached;
    s.status = breached ? SlaStatus::breached
               : s.paused() ? SlaStatus::cancelled
                            : SlaStatus::succeeded;
    s.stopped_at = at;
}

void cancel(SlaInstance& s, Timestamp at, const BusinessCalendar& calendar) {
    if (s.stopped()) return;
    at = std::max(at, last_event(s));
    recompute(s, calendar, at);
    if (s.status != SlaStatus::breached) s.status = SlaStatus::cancelled;
    s.stopped_at = at;
}

std::optional<Timestamp> next_change(const SlaInstance& s) noexcept {
    if (s.stopped() || s.paused()) return std::nullopt;
    if (s.status == SlaStatus::in_progress && s.warning_at) return s.warning_at;
    if ((s.status == SlaStatus::in_progress || s.status == SlaStatus::nearing_breach) &&
        s.failure_at)
        return Timestamp{s.failure_at->ms + 1};
    return std::nullopt;
}

BusinessTrace explain(const SlaInstance& s, const BusinessCalendar& calendar, Timestamp now) {
    Timestamp end = s.stopped_at ? *s.stopped_at : now;
    if (!s.stopped() && !s.paused() && s.failure_at) end = *s.failure_at;
    BusinessTrace out;
    for_each_span(s, end, [&](Timestamp a, Timestamp b, bool running) {
        if (!running) {
            if (!out.steps.empty() && out.steps.back().what == "paused" && out.steps.back().to == a)
                out.steps.back().to = b;
            else
                out.steps.push_back({a, b, "paused"});
            return;
        }
        BusinessTrace part;
        calendar.between(a, b, &part);
        for (auto& step : part.steps) {
            if (!out.steps.empty() && out.steps.back().what == step.what &&
                out.steps.back().to == step.from)
                out.steps.back().to = step.to;
            else
                out.steps.push_back(std::move(step));
        }
    });
    return out;
}

}  // namespace sla
}  // namespace crm
