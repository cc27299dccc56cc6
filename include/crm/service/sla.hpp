// crm/service/sla.hpp - service level agreements on business time: the
// clock of one KPI of one ticket (started, paused, resumed, stopped), its
// warning and failure instants in a business calendar, its status at a
// given moment, and why a deadline is what it is.
//
// The functions here are pure: they read and change an SlaInstance and a
// BusinessCalendar, nothing else. crm::Service keeps instances on tickets,
// starts and stops them as tickets move, and tick() applies status changes.
//
// The rules, exactly:
// - A KPI's clock counts the business time of its calendar from
//   started_at, except inside pauses. Its warning (failure) instant is where
//   the counted time reaches warning_ms (failure_ms): the first instant at
//   which that much working time has passed, so a deadline that falls at the
//   end of a working interval is that end, not the next morning.
// - While a clock is paused, an instant it had not reached when the pause
//   began is unknown (empty) until it is resumed; its status is `paused`,
//   unless it had already failed.
// - Stopping the clock (the first response was given, the ticket resolved)
//   at or before failure_at is `succeeded`: an answer exactly at the
//   deadline meets it. Stopping after failure_at leaves it `breached`.
// - Stopping or cancelling while paused is `cancelled` (unless it had
//   already breached): a pause that is never resumed does not count as met,
//   nor as breached.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/business_calendar.hpp"
#include "crm/core/error.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// What a KPI measures. first_response: from the ticket's creation to the
/// first public reply of an agent. next_response: from a customer's public
/// comment to the next public reply of an agent (a new instance each
/// time). resolution: from creation to the ticket entering a resolved or
/// closed state.
enum class SlaKpi { first_response, next_response, resolution };

/// in_progress: counting, before the warning instant. nearing_breach: at or
/// after the warning instant, up to the failure instant. breached: after
/// the failure instant; it stays so, whatever happens to the clock later
/// (stopped, retargeted to a later deadline, recomputed at an earlier time). paused: the clock is
/// stopped for now. succeeded: stopped at or before failure. cancelled:
/// stopped while paused, or the ticket was cancelled or merged.
enum class SlaStatus { in_progress, nearing_breach, breached, paused, succeeded, cancelled };

/// "first_response", "next_response", "resolution".
CRM_API const char* to_string(SlaKpi k) noexcept;
/// "in_progress", "nearing_breach", "breached", "paused", "succeeded", "cancelled".
CRM_API const char* to_string(SlaStatus s) noexcept;
CRM_API result<SlaKpi> parse_sla_kpi(std::string_view s, std::string_view field = "kpi");
CRM_API result<SlaStatus> parse_sla_status(std::string_view s, std::string_view field = "status");

/// A span the clock did not run: [from, to); `to` empty while still paused.
struct SlaPause {
    Timestamp from;
    std::optional<Timestamp> to;
    friend bool operator==(const SlaPause&, const SlaPause&) = default;
};

/// One KPI of one ticket. The targets are business milliseconds of the
/// policy's calendar; the rest is kept by the functions below.
struct SlaInstance {
    SlaKpi kpi = SlaKpi::resolution;
    std::string policy;       ///< the SLA policy that set the targets
    int policy_version = 0;
    std::string calendar;     ///< its calendar id ("" : the default)
    std::int64_t warning_ms = 0;  ///< 0 <= warning_ms <= failure_ms
    std::int64_t failure_ms = 0;  ///< > 0

    SlaStatus status = SlaStatus::in_progress;
    Timestamp started_at;
    std::optional<Timestamp> stopped_at;  ///< stopped or cancelled at
    std::vector<SlaPause> pauses;         ///< oldest first; only the last may be open
    /// Computed by sla::recompute. While paused, an instant the clock had
    /// not reached when the pause began is empty (unknown until resumed); so
    /// is one the calendar cannot reach (no working time within ten years).
    std::optional<Timestamp> warning_at, failure_at;
    /// Counted business time until the last recompute's `now` (or the
    /// stop), and business time spent paused.
    std::int64_t elapsed_ms = 0, paused_ms = 0;
    /// Set the first time the clock is nearing_breach and never cleared:
    /// its warning is announced once, even when a pause or a later target
    /// takes it back to in_progress for a while.
    bool warned = false;

    bool paused() const noexcept { return !pauses.empty() && !pauses.back().to; }
    bool stopped() const noexcept { return stopped_at.has_value(); }
    friend bool operator==(const SlaInstance&, const SlaInstance&) = default;
};

namespace sla {

/// A new running clock from `at`, its deadlines computed in `calendar`.
/// invalid_argument names "failure_ms" (not above 0, or above ten years of
/// milliseconds) or "warning_ms" (negative or above failure_ms).
CRM_API result<SlaInstance> start(SlaKpi kpi, Timestamp at, std::int64_t warning_ms,
                                  std::int64_t failure_ms, const BusinessCalendar& calendar);

/// Computes warning_at, failure_at, elapsed_ms, paused_ms and the status at
/// `now` from started_at, the pauses, stopped_at and the targets. A stopped
/// instance keeps its final status (succeeded, breached or cancelled), its
/// counts taken at the stop. Idempotent; used after a calendar or target
/// change too.
CRM_API void recompute(SlaInstance& s, const BusinessCalendar& calendar, Timestamp now);

/// Stops the clock at `at` (no-op when already paused or stopped). `at`
/// before the last event of the clock is taken as that event.
CRM_API void pause(SlaInstance& s, Timestamp at, const BusinessCalendar& calendar);
/// Runs the clock again from `at` (no-op unless paused).
CRM_API void resume(SlaInstance& s, Timestamp at, const BusinessCalendar& calendar);
/// The KPI is met at `at`: succeeded when at <= failure_at, breached when
/// later, cancelled when paused. No-op when already stopped.
CRM_API void stop(SlaInstance& s, Timestamp at, const BusinessCalendar& calendar);
/// The KPI no longer applies (ticket cancelled, merged): cancelled, unless
/// it already breached (a breach stays on record). No-op when stopped.
CRM_API void cancel(SlaInstance& s, Timestamp at, const BusinessCalendar& calendar);

/// The instant at which the status would change if nothing else happened
/// (the warning instant while in progress, just after the failure instant
/// while nearing breach); empty when paused, stopped or already breached.
/// A host's tick() is due then.
CRM_API std::optional<Timestamp> next_change(const SlaInstance& s) noexcept;

/// Why the failure instant is what it is: the calendar's trace from
/// started_at to failure_at (or to the stop, or to `now` while paused) with
/// "paused" steps spliced in where the clock was paused.
CRM_API BusinessTrace explain(const SlaInstance& s, const BusinessCalendar& calendar,
                              Timestamp now);

}  // namespace sla
}  // namespace crm
