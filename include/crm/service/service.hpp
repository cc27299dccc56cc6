// crm/service/service.hpp - crm::Service, the service desk side of an
// Engine: tickets on a process definition, queues and referral, comments,
// SLA policies whose KPI clocks count business time, and tick().
//
//     crm::Service desk(*engine);
//     desk.define_sla_policy(ctx, R"({"id": "standard", "kpis": {...}})");
//     auto t = desk.create_ticket(ctx, input);
//     desk.add_comment(ctx, t->id, {.body = "We are on it"});  // first response
//     desk.move_ticket(ctx, t->id, "resolve", "replaced the modem");
//     desk.tick(ctx);  // the host calls it now and then; it starts no thread
//
// A Service is a handle: cheap, holding only the Engine, which must outlive
// it. Every call runs in one transaction (or under a savepoint of the
// Engine's open one) and writes the change, its history entry, an audit
// entry and outbox events together; a failed call changes nothing.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/engine.hpp"
#include "crm/service/report.hpp"
#include "crm/service/sla.hpp"
#include "crm/service/ticket.hpp"

namespace crm {

/// The built-in ticket lifecycle "ticket": new -> open -> pending_customer |
/// pending_third_party -> open ...; resolve from any open state into
/// "resolved" (closed) with a reason; close from resolved into "closed";
/// reopen from resolved within 7 days (a guard on resolved_at: a host
/// changes the period by storing its own version); cancel from any open
/// state with a reason; merge (by merge_ticket) into "merged".
CRM_API const char* default_ticket_process_json() noexcept;

/// A person who works a queue's tickets, and the skills assignment by
/// skill matches.
struct QueueMember {
    std::string user;
    std::vector<std::string> skills;
    friend bool operator==(const QueueMember&, const QueueMember&) = default;
};

/// A team that works tickets (صف). JSON form:
///     {"id": "tier1", "name": "Front line", "members": [{"user": "sara", "skills": ["fa"]}]}
struct Queue {
    std::string id;  ///< [a-z0-9_-], at most 64 bytes
    std::string name;
    std::vector<QueueMember> members;  ///< a user at most once
    friend bool operator==(const Queue&, const Queue&) = default;
};

/// The targets of one KPI, in business milliseconds of the policy's calendar.
struct SlaTarget {
    SlaKpi kpi = SlaKpi::resolution;
    std::int64_t warning_ms = 0, failure_ms = 0;
    friend bool operator==(const SlaTarget&, const SlaTarget&) = default;
};

/// An SLA policy as data. The first policy, by `order` then id, whose
/// `when` holds for a ticket sets its KPIs; a ticket no policy matches has
/// no clocks. JSON form (docs/SERVICE.md):
///
///     {"id": "vip-urgent", "name": "VIP, urgent", "order": 10,
///      "when": {"and": [{"eq": [{"field": "priority"}, "urgent"]},
///                       {"contains": [{"field": "party_tags"}, "vip"]}]},
///      "calendar": "tehran-office", "pause_states": ["pending_customer"],
///      "kpis": {"first_response": {"warning": {"business_minutes": 30},
///                                  "failure": {"business_hours": 1}},
///               "resolution": {"warning": {"business_hours": 6},
///                              "failure": {"business_hours": 8}}}}
///
/// "order" defaults to 100, "when" to always, "calendar" to the default,
/// "pause_states" to ["pending_customer"], a KPI's "warning" to its
/// failure time. Times are {"business_hours": n} or {"business_minutes":
/// n}, above 0 and at most ten years.
struct SlaPolicy {
    std::string id, name;
    int order = 100;
    std::optional<expr::Expr> when;
    std::string calendar;
    std::vector<std::string> pause_states = {"pending_customer"};
    std::vector<SlaTarget> targets;  ///< at most one per KPI, at least one
    int version = 0;
};

/// How an assignment rule picks the person: in turn (round_robin), the
/// member with the fewest open tickets in the queue (least_loaded), or the
/// least loaded of the members who have the rule's skill (skill).
enum class AssignStrategy { round_robin, least_loaded, skill };
/// "round_robin", "least_loaded", "skill".
CRM_API const char* to_string(AssignStrategy s) noexcept;
CRM_API result<AssignStrategy> parse_assign_strategy(std::string_view s,
                                                     std::string_view field = "strategy");

/// An assignment rule as data. A ticket created without an assignee goes
/// through the rules by `order`, then id (with a queue given, only that
/// queue's rules); the first whose `when` holds sets the queue and picks a
/// member. JSON form:
///
///     {"id": "persian-billing", "order": 10,
///      "when": {"starts_with": [{"field": "category"}, "billing"]},
///      "queue": "billing", "strategy": "skill", "skill": "fa"}
///
/// "order" defaults to 100, "when" to always, "strategy" to round_robin;
/// "skill" is required with strategy skill and refused otherwise. A rule
/// whose queue has no member with the skill leaves the ticket in the queue,
/// unassigned.
struct AssignmentRule {
    std::string id;
    int order = 100;
    std::optional<expr::Expr> when;
    std::string queue;
    AssignStrategy strategy = AssignStrategy::round_robin;
    std::string skill;
    int version = 0;
};

/// An escalation rule as data: when its condition has held for a length of
/// business time on an open ticket, it raises the priority, moves the
/// ticket to another queue and/or emits an event, once per ticket. JSON:
///
///     {"id": "no-first-response", "order": 10,
///      "when": {"is_empty": {"field": "first_response_at"}},
///      "after": {"business_hours": 2}, "calendar": "tehran-office",
///      "actions": {"priority": "high", "queue": "tier2",
///                  "notify": "escalation.no_response"}}
///
/// "when" is required (the ticket's fields, sla_status among them: the
/// most pressing status of its running clocks), "after" is
/// {"business_hours": n} or {"business_minutes": n} (0 allowed: at once),
/// "order" defaults to 100, "calendar" to the default; "actions" needs one
/// of priority (raised to it, never lowered), queue (the ticket moves there,
/// unassigned, and history says so) and notify (an event type emitted with
/// the ticket).
struct EscalationRule {
    std::string id;
    int order = 100;
    std::optional<expr::Expr> when;
    std::int64_t after_ms = 0;
    std::string calendar;
    std::optional<TicketPriority> priority;
    std::string queue;
    std::string notify;
    int version = 0;
};

/// Proactive service in bulk (a recall, a safety notice): for every party
/// with a purchase that `rule` matches, open a ticket (a recall case) or,
/// with open_tickets false, log an outbound notice on its timeline (event
/// interaction.logged), once per party and action: running the action
/// again skips the parties done (the ticket's or notice's external id is
/// "<id>:<party id>"). The rule is crm::expr JSON over a party and one of
/// its purchases, with the fields party_kind, party_stage, party_city,
/// party_country, party_tags, order_id, ordered_at (timestamp), ordered_on
/// (date: the order's day in Asia/Tehran), skus (the order's skus, a text
/// list) and total (money): "everyone who bought ROUTER-X in 1403" is
///   {"and": [{"contains": [{"field": "skus"}, "ROUTER-X"]},
///            {"between": [{"field": "ordered_on"},
///                         {"date": "1403-01-01", "calendar": "jalali"},
///                         {"date": "1403-12-29", "calendar": "jalali"}]}]}
struct ProactiveAction {
    std::string id;       ///< [a-z0-9_-], at most 64 bytes; the action's key
    std::string rule;     ///< required
    bool open_tickets = true;
    std::string subject;  ///< required: the ticket's subject or the notice's
    std::string description;
    TicketType type = TicketType::recall;
    TicketPriority priority = TicketPriority::normal;
    std::string queue;    ///< the tickets' queue (must exist); "" : none
    /// Parties per transaction; a failure leaves the batches before it done
    /// (running the action again completes it).
    int batch_size = 500;
    /// Called after each batch with the parties scanned so far.
    std::function<void(std::int64_t scanned)> progress;
};

struct ProactiveReport {
    std::int64_t scanned = 0;  ///< live parties looked at
    std::int64_t matched = 0;  ///< with a matching purchase
    std::int64_t created = 0;  ///< tickets opened or notices logged now
    std::int64_t already = 0;  ///< done by an earlier run
};

/// What one tick did.
struct TickReport {
    int examined = 0;     ///< tickets that were due
    int warnings = 0;     ///< clocks that went nearing_breach (event sla.warning)
    int breaches = 0;     ///< clocks that breached (event sla.breached)
    int escalations = 0;  ///< escalation rules that fired (event ticket.escalated)
    /// Tickets whose work failed (a stored rule that no longer loads, say):
    /// each rolled back alone, the others done. They stay due.
    struct Failure {
        Id ticket;
        error why;
    };
    std::vector<Failure> failed;
};

class CRM_API Service {
public:
    explicit Service(Engine& engine) noexcept : engine_(&engine) {}

    // ---- queues -----------------------------------------------------------
    /// Stores a queue by id (versioned, like definitions); the same content
    /// again is `unchanged`. invalid_argument names "id", "name",
    /// "members[i].user" (empty or repeated) or "members[i].skills[j]".
    result<Written<Queue>> define_queue(const Context& ctx, const Queue& queue);
    result<Queue> queue(std::string_view id);
    result<std::vector<Queue>> queues();

    /// Stores an assignment rule (JSON form above; its queue must exist).
    /// Errors name the JSON path.
    result<Written<AssignmentRule>> define_assignment_rule(const Context& ctx, std::string_view json);
    /// The latest version of every rule, in the order they are tried.
    result<std::vector<AssignmentRule>> assignment_rules();
    /// Runs the assignment rules for an open ticket again (after a
    /// referral to a queue, say). A ticket no rule matches is unchanged.
    result<Ticket> auto_assign(const Context& ctx, const Id& ticket);

    /// Stores an escalation rule (JSON form above; a queue must exist).
    /// Errors name the JSON path.
    result<Written<EscalationRule>> define_escalation_rule(const Context& ctx, std::string_view json);
    /// The latest version of every escalation rule, in the order they are tried.
    result<std::vector<EscalationRule>> escalation_rules();

    // ---- SLA policies -----------------------------------------------------
    /// Stores a policy (JSON form above), checked against the ticket schema;
    /// a changed policy recomputes the open clocks that follow it, in the
    /// same transaction. Errors name the JSON path ("kpis.resolution.failure").
    result<Written<SlaPolicy>> define_sla_policy(const Context& ctx, std::string_view json);
    /// The latest version of every policy, in the order they are tried.
    result<std::vector<SlaPolicy>> sla_policies();

    // ---- tickets ----------------------------------------------------------
    /// Opens a ticket in the initial state of its process, picks its SLA
    /// policy and starts its first_response and resolution clocks. Needs
    /// subject and party; a contact must be a person; a queue must exist
    /// and an assignee must be one of its members (when it has members);
    /// a parent must exist. conflict when external_id is taken.
    result<Ticket> create_ticket(const Context& ctx, const TicketInput& input);
    /// Applies the set fields; a change of a field an SLA policy reads
    /// (priority, type, ...) picks the policy again and retargets the open
    /// clocks. Queue and assignee change by refer_ticket and assign_ticket.
    /// invalid_transition for a closed ticket.
    result<Ticket> update_ticket(const Context& ctx, const Id& id, const TicketInput& input);
    /// An id or an external id; not_found names "id".
    result<Ticket> get_ticket(std::string_view id_or_external_id);
    /// The tickets of a party, newest first (merged parties resolve).
    result<std::vector<Ticket>> tickets_of(const Id& party);
    /// Tickets filtered, ordered and paged (crm/core/worklist.hpp): a
    /// queue's or an agent's open tickets by SLA due ("due": the earliest
    /// failure instant of a running clock), overdue ones (a running clock
    /// has failed), by priority or SLA status; a rule may name any ticket
    /// field, its party's and custom ones too.
    result<ListPage<Ticket>> list_tickets(const ListQuery& query);

    /// Moves a ticket: a transition name ("pend_customer", "resolve",
    /// "close", "reopen", "cancel", ...) or a target state. Entering a
    /// pause state of the policy pauses the clocks, leaving it resumes
    /// them; entering a closed state stops them (resolution is met);
    /// cancelling cancels them. A reason is needed where the transition
    /// asks for a close record (resolve, cancel). invalid_transition names
    /// the current state, the move and the moves allowed.
    result<Ticket> move_ticket(const Context& ctx, const Id& id, std::string_view move,
                               std::string_view reason = {});
    /// The moves the ticket may make now, for a user interface.
    result<std::vector<AllowedMove>> ticket_moves(const Id& id);
    /// Closes `duplicate` as merged into `into` (state "merged", clocks
    /// cancelled, merged_into set). Both must be open; invalid_argument
    /// names "into" when they are the same.
    result<Ticket> merge_ticket(const Context& ctx, const Id& duplicate, const Id& into);

    /// Assigns an open ticket to a member of its queue ("" : back to the
    /// queue). invalid_argument names "assignee" when the queue has members
    /// and the user is not one.
    result<Ticket> assign_ticket(const Context& ctx, const Id& id, std::string_view assignee);
    /// Refers (ارجاع) an open ticket to another queue and/or person with a
    /// reason (required), kept in history as the move "refer".
    result<Ticket> refer_ticket(const Context& ctx, const Id& id, std::string_view queue,
                                std::string_view assignee, std::string_view reason);

    /// Adds a comment to a ticket that is not merged (invalid_transition
    /// naming "ticket"); resolved and closed tickets take comments too. An
    /// agent's public comment is a response: it sets first_response_at and
    /// stops the running first_response and next_response clocks. A
    /// customer's public comment on an open ticket that had its first
    /// response starts a next_response clock when the policy has one and
    /// none is running (paused at once in a pause state). Event
    /// ticket.commented with the comment; a ticket the comment changed is
    /// stored with ticket.updated.
    result<TicketComment> add_comment(const Context& ctx, const Id& ticket,
                                      const CommentInput& input);
    /// Oldest first; internal ones only with include_internal.
    result<std::vector<TicketComment>> comments(const Id& ticket, bool include_internal = true);

    // ---- satisfaction and the portal ---------------------------------------
    /// Records the customer's satisfaction (CSAT, 1..5, with an optional
    /// comment of at most 2,000 bytes) with a resolved ticket; answering
    /// again replaces the answer. invalid_argument names "score";
    /// invalid_transition (field "id") when the ticket is not resolved
    /// (open, reopened, cancelled).
    /// Event ticket.csat.
    result<Ticket> record_csat(const Context& ctx, const Id& ticket, int score,
                               std::string_view comment = {});
    /// Records a Net Promoter Score answer (0..10) of a live party. Event
    /// nps.recorded.
    result<NpsResponse> record_nps(const Context& ctx, const Id& party, int score,
                                   std::string_view comment = {});
    /// A party's NPS answers, newest first (1..1000).
    result<std::vector<NpsResponse>> nps_of(const Id& party, int limit = 100);
    /// What a customer portal shows a party: its tickets, newest first,
    /// each with its state's label and its public comments only.
    result<std::vector<PortalTicket>> portal_view(const Id& party);

    // ---- proactive service ------------------------------------------------
    /// Runs a proactive action (above). invalid_argument names "id",
    /// "rule..." (the rule's own errors), "subject", "batch_size"; not_found
    /// names "queue". Runs in transactions of its own, so not inside an
    /// explicit transaction (conflict).
    result<ProactiveReport> run_proactive(const Context& ctx, const ProactiveAction& action);

    // ---- analytics --------------------------------------------------------
    /// The service report of a period (crm/service/report.hpp): SLA
    /// compliance of the tickets opened in it by group and KPI, the backlog
    /// now by group and age, time in each state over the stints that ended
    /// in it against the expected durations, first-contact resolution of
    /// the tickets resolved in it, and the CSAT and NPS answers given in it.
    /// invalid_argument names "period" or "time_zone". Reads every ticket
    /// once.
    result<ServiceReport> report(const ServiceReportQuery& query);

    // ---- clocks -----------------------------------------------------------
    /// Does all due work at `now` (the Engine's clock when omitted): each
    /// clock of a due ticket that passed its warning or failure instant
    /// changes status and emits sla.warning or sla.breached once, and each
    /// escalation rule whose time has come fires (ticket.escalated).
    /// Idempotent: calling it again at the same time does nothing. Visits
    /// only tickets whose due_at has come (an index), at most `limit` per
    /// call. Every write to a ticket does the same for that ticket.
    result<TickReport> tick(const Context& ctx, std::optional<Timestamp> now = std::nullopt,
                            int limit = 10'000);
    /// Why a ticket's clock of `kpi` has the deadline it has (the latest
    /// clock of that KPI).
    result<BusinessTrace> explain_sla(const Id& ticket, SlaKpi kpi);

private:
    Engine* engine_;
};

}  // namespace crm
