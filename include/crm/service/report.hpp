// crm/service/report.hpp - service analytics over a period (Gregorian or
// Jalali month, quarter or year): SLA compliance, the backlog and its age,
// time in each state against the process card's expected durations
// (bottlenecks, گلوگاه), first-contact resolution, CSAT and NPS.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/calendar.hpp"
#include "crm/core/time.hpp"
#include "crm/service/sla.hpp"

namespace crm {

/// What the SLA and backlog rows are grouped by.
enum class ServiceGroup { queue, type, priority };
/// "queue", "type", "priority".
CRM_API const char* to_string(ServiceGroup g) noexcept;
CRM_API result<ServiceGroup> parse_service_group(std::string_view s,
                                                 std::string_view field = "group_by");

struct ServiceReportQuery {
    /// "1404-Q1" (quarter), "1404-03" (month), "1404" (year), in `calendar`.
    std::string period;
    CalendarSystem calendar = CalendarSystem::gregorian;
    std::string time_zone = "Asia/Tehran";  ///< where the period's days begin
    ServiceGroup group_by = ServiceGroup::queue;
};

/// The clocks of one KPI of the tickets opened in the period, in one group.
struct SlaComplianceRow {
    std::string group;  ///< the queue, type or priority ("" : no queue)
    SlaKpi kpi = SlaKpi::resolution;
    int met = 0;        ///< succeeded
    int breached = 0;
    int cancelled = 0;  ///< stopped while paused, or the ticket cancelled
    int open = 0;       ///< still running (in progress, nearing breach, paused)
    double compliance = 0;  ///< met / (met + breached); 0 when none ended
};

/// Open tickets as the report is made, in one group, and their age.
struct BacklogRow {
    std::string group;
    int open = 0;
    double average_age_days = 0, oldest_age_days = 0;
    /// Ages under 1 day, 1 to 3, 3 to 7, 7 days and more.
    std::array<int, 4> by_age{};
};

/// The time tickets spent in one state of one process, over the stints
/// that ended in the period, by the queue the ticket was in when it left.
struct StateTimeRow {
    std::string process, queue, state;
    int stints = 0;
    double mean_hours = 0, p50_hours = 0, p90_hours = 0;  ///< elapsed time
    /// The state's expected duration from its process definition, as text
    /// ("2 business_hours"); empty when the definition gives none.
    std::string expected;
    int overran = 0;          ///< stints longer than expected (in its calendar)
    bool bottleneck = false;  ///< more than half of the stints overran
};

struct ServiceReport {
    std::string period;
    std::string from_date, to_date;  ///< Gregorian [from, to)
    Timestamp from, to;
    Timestamp as_of;  ///< when the backlog was taken
    std::vector<SlaComplianceRow> sla;  ///< by group, then KPI
    std::vector<BacklogRow> backlog;    ///< by group
    std::vector<StateTimeRow> states;   ///< by process, queue, state
    int opened = 0;                     ///< tickets opened in the period
    int resolved = 0, first_contact_resolved = 0;  ///< resolved in the period
    double first_contact_rate = 0;
    int csat_answers = 0;  ///< CSAT answers given in the period
    double csat_average = 0;
    std::array<int, 5> csat_scores{};  ///< answers of 1 .. 5
    int nps_answers = 0, promoters = 0, passives = 0, detractors = 0;
    double nps = 0;  ///< percent promoters minus percent detractors, -100 .. 100
};

}  // namespace crm
