// src/service/service.cpp - tickets on a process definition, queues and
// referral, comments, SLA policies and the clocks they start, and tick().
#include "crm/service/service.hpp"

#include <algorithm>
#include <map>

#include "core/clean.hpp"
#include "core/json_text.hpp"
#include "crm/core/text.hpp"
#include "engine/access.hpp"
#include "process/moves.hpp"
#include "records/lookup.hpp"
#include "customer/codec.hpp"
#include "process/codec.hpp"
#include "service/codec.hpp"
#include "service/record.hpp"
#include "service/work.hpp"

namespace crm {
namespace {

using json = codec::json;

constexpr std::string_view kRecordType = "ticket";
constexpr std::string_view kQueueKind = "queue";
constexpr std::string_view kSlaKind = "sla";
constexpr std::string_view kAssignKind = "assignment";
constexpr std::string_view kEscalateKind = "escalation";
constexpr std::size_t kMaxAttachments = 50;

constexpr const char* kTicketProcess = R"json({
  "id": "ticket", "record_type": "ticket", "name": "Service ticket",
  "card": {"title": "Service ticket (تیکت)", "goal": "Resolve the customer's request within its SLA",
           "owner": "service manager", "executors": ["service agent"],
           "scope": "from the customer's report to a resolved and closed ticket",
           "systems": ["crmcore"],
           "record_keeping": "every state change, referral and comment is kept",
           "expected_duration": {"business_days": 3},
           "kpis": ["first response time", "resolution time", "SLA compliance",
                    "first-contact resolution", "CSAT"]},
  "states": [
    {"id": "new", "label": "New", "initial": true, "expected_duration": {"business_hours": 2}},
    {"id": "open", "label": "Open", "expected_duration": {"business_days": 2}},
    {"id": "pending_customer", "label": "Pending customer"},
    {"id": "pending_third_party", "label": "Pending third party"},
    {"id": "resolved", "label": "Resolved", "category": "closed"},
    {"id": "closed", "label": "Closed", "category": "closed"},
    {"id": "cancelled", "label": "Cancelled", "category": "cancelled"},
    {"id": "merged", "label": "Merged as duplicate", "category": "cancelled"}],
  "transitions": [
    {"name": "open", "from": ["new", "pending_customer", "pending_third_party"], "to": "open"},
    {"name": "pend_customer", "from": ["new", "open", "pending_third_party"],
     "to": "pending_customer"},
    {"name": "pend_third_party", "from": ["new", "open", "pending_customer"],
     "to": "pending_third_party"},
    {"name": "resolve", "from": "*", "to": "resolved", "close_record": true},
    {"name": "close", "from": "resolved", "to": "closed"},
    {"name": "reopen", "from": "resolved", "to": "open", "reopen": true,
     "guard": {"gt": [{"field": "resolved_at"}, {"now": "-7d"}]}},
    {"name": "cancel", "from": "*", "to": "cancelled", "close_record": true},
    {"name": "merge", "from": "*", "to": "merged"}]
})json";

// The values history keeps for a ticket.
json tracked(const Ticket& t) {
    return {{"priority", to_string(t.priority)},
            {"type", to_string(t.type)},
            {"queue", t.queue},
            {"assignee", t.assignee}};
}

// What a new ticket's audit entry lists: what it was opened with, each
// value as JSON text like every audit entry's.
std::vector<FieldChange> creation_fields(const Ticket& t) {
    std::vector<FieldChange> out;
    const auto add = [&](const char* field, std::string_view value) {
        if (value.empty()) return;
        std::string text;
        json_text::append_json_string(text, value);
        out.push_back({field, "null", std::move(text)});
    };
    add("external_id", t.external_id);
    add("subject", t.subject);
    add("type", to_string(t.type));
    add("priority", to_string(t.priority));
    add("channel", to_string(t.channel));
    add("category", t.category);
    add("party", t.party.str());
    if (!t.contact.is_nil()) add("contact", t.contact.str());
    add("queue", t.queue);
    add("assignee", t.assignee);
    add("state", t.state);
    add("sla_policy", t.sla_policy);
    return out;
}

bool is_hex64(const std::string& s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

result<Attachment> clean_attachment(const Attachment& in, const std::string& at) {
    Attachment a;
    CRM_TRY(name, clean_text(in.name, (at + "name").c_str(), 255));
    if (name.empty()) return fail(errc::invalid_argument, "is required", at + "name");
    a.name = std::move(name);
    if (in.size < 0 || in.size > (std::int64_t{1} << 50))
        return fail(errc::invalid_argument, "must be from 0 to 2^50 bytes", at + "size");
    a.size = in.size;
    const std::string sha = text::tidy(in.sha256);
    if (!is_hex64(sha))
        return fail(errc::invalid_argument, "must be 64 lowercase hex digits (SHA-256)",
                    at + "sha256");
    a.sha256 = sha;
    CRM_TRY(media, clean_text(in.media_type, (at + "media_type").c_str(), 255));
    if (!media.empty() && media.find('/') == std::string::npos)
        return fail(errc::invalid_argument, "must be a media type such as image/png",
                    at + "media_type");
    a.media_type = std::move(media);
    return a;
}

result<Queue> clean_queue(const Queue& in) {
    Queue q;
    CRM_TRY(id, clean_key(in.id, "id"));
    q.id = std::move(id);
    CRM_TRY(name, clean_text(in.name, "name", 200));
    q.name = name.empty() ? q.id : name;
    if (in.members.size() > 1000) return fail(errc::invalid_argument, "more than 1000", "members");
    for (std::size_t i = 0; i < in.members.size(); ++i) {
        const std::string at = "members[" + std::to_string(i) + "].";
        QueueMember m;
        CRM_TRY(user, clean_text(in.members[i].user, (at + "user").c_str(), 200));
        if (user.empty()) return fail(errc::invalid_argument, "is required", at + "user");
        for (const auto& other : q.members)
            if (other.user == user)
                return fail(errc::invalid_argument, "'" + user + "' is a member twice", at + "user");
        m.user = std::move(user);
        for (std::size_t k = 0; k < in.members[i].skills.size(); ++k) {
            CRM_TRY(skill, clean_key(in.members[i].skills[k],
                                     (at + "skills[" + std::to_string(k) + "]").c_str()));
            if (std::find(m.skills.begin(), m.skills.end(), skill) == m.skills.end())
                m.skills.push_back(std::move(skill));
        }
        std::sort(m.skills.begin(), m.skills.end());
        q.members.push_back(std::move(m));
    }
    return q;
}

// Stores `body` as the next version of (kind, id) unless the latest version
// has the same body, with an audit entry and the event `event` carrying
// `payload`. Answers the stored version and the outcome.
}  // namespace

namespace service {

class TicketWork {
public:
    TicketWork(Engine::Impl& impl, Transaction& tx, const Context& ctx)
        : impl_(impl), tx_(tx), ctx_(ctx) {}

    Records<Ticket> records() {
        return {tx_, &Transaction::get_ticket,
                &Transaction::ticket_by_external_id, "ticket"};
    }
    result<Ticket> load(const Id& id) { return records().load(id); }

    // A queue, read once per call (a create checks it, then its assignee).
    result<Queue> queue(const std::string& id, const std::string& field) {
        if (queue_ && queue_->id == id) return *queue_;
        CRM_TRY(stored, tx_.get_definition(kQueueKind, id, 0));
        if (!stored)
            return fail(errc::not_found, "no queue '" + id.substr(0, 64) + "'", field);
        CRM_TRY(doc, codec::parse(stored->body, "queue"));
        CRM_TRY(q, codec::queue_from_json(doc));
        queue_ = q;
        return q;
    }

    // The latest version of every stored rule of `kind` (SLA policies,
    // assignment rules), in the order they are tried: by order, then id.
    // Versions are read by number; a version parsed before comes from the
    // Engine's `cache`.
    template <class T, class Parse>
    result<std::vector<T>> latest_rules(std::string_view kind, const char* what,
                                        std::map<std::pair<std::string, int>, T, std::less<>>& cache,
                                        Parse parse) {
        CRM_TRY(versions, tx_.definition_versions(kind));
        std::optional<expr::Schema> schema_once;
        std::vector<T> out;
        for (const auto& [id, version] : versions) {
            const auto key = std::make_pair(id, version);
            if (auto it = cache.find(key); it != cache.end()) {
                out.push_back(it->second);
                continue;
            }
            CRM_TRY(stored, tx_.get_definition(kind, id, version));
            if (!stored) return fail(errc::storage, std::string(what) + " '" + id + "' vanished");
            if (!schema_once) {
                CRM_TRY(schema, impl_.schema_of(tx_, kRecordType));
                schema_once = std::move(schema);
            }
            CRM_TRY(doc, codec::parse(stored->body, what));
            auto p = parse(doc, *schema_once);
            if (!p)
                return fail(errc::storage, "stored " + std::string(what) + " '" + id +
                                               "' no longer loads: " + p.error().what());
            p.value().version = version;
            cache.insert_or_assign(key, p.value());
            out.push_back(std::move(p.value()));
        }
        std::sort(out.begin(), out.end(), [](const T& a, const T& b) {
            return a.order != b.order ? a.order < b.order : a.id < b.id;
        });
        return out;
    }

    result<std::vector<SlaPolicy>> policies() {
        if (policies_) return *policies_;
        CRM_TRY(out, latest_rules<SlaPolicy>(kSlaKind, "SLA policy", impl_.sla_policy_cache,
                                             codec::sla_policy_from_json));
        policies_ = out;
        return out;
    }

    result<std::vector<AssignmentRule>> assignment_rules() {
        return latest_rules<AssignmentRule>(kAssignKind, "assignment rule",
                                            impl_.assignment_rule_cache,
                                            codec::assignment_rule_from_json);
    }

    result<std::vector<EscalationRule>> escalation_rules() {
        if (escalation_rules_) return *escalation_rules_;
        CRM_TRY(out, latest_rules<EscalationRule>(kEscalateKind, "escalation rule",
                                                  impl_.escalation_rule_cache,
                                                  codec::escalation_rule_from_json));
        escalation_rules_ = out;
        return out;
    }

    // Watches the escalation rules at `now`: a rule whose condition begins
    // to hold starts a watch, one that stops holding drops it (unless it
    // fired), one whose time has come fires its actions on `t`. Answers the
    // rules that fired. A ticket that is not open drops its pending watches.
    result<std::vector<EscalationRule>> watch(Ticket& t, Timestamp now) {
        std::vector<EscalationRule> fired;
        if (t.status != "open") {
            std::erase_if(t.escalations, [](const EscalationWatch& w) { return !w.done_at; });
            return fired;
        }
        CRM_TRY(rules, escalation_rules());
        if (rules.empty()) return fired;
        CRM_TRY(party, party_of(t));
        const expr::Context rc{now, "Asia/Tehran"};
        for (const auto& rule : rules) {
            auto w = std::find_if(t.escalations.begin(), t.escalations.end(),
                                  [&](const EscalationWatch& x) { return x.rule == rule.id; });
            if (w != t.escalations.end() && w->done_at) continue;
            CRM_TRY(holds, expr::evaluate(*rule.when, TicketRecord(t, party), rc));
            if (!holds) {
                if (w != t.escalations.end()) t.escalations.erase(w);
                continue;
            }
            if (w == t.escalations.end()) {
                CRM_TRY(cal, calendar(rule.calendar));
                auto due = cal.add(now, rule.after_ms);
                t.escalations.push_back({rule.id, now, due ? std::optional<Timestamp>{due.value()}
                                                           : std::nullopt,
                                         std::nullopt});
                w = t.escalations.end() - 1;
            }
            if (!w->due_at || now < *w->due_at) continue;
            w->done_at = now;
            if (rule.priority && *rule.priority > t.priority) t.priority = *rule.priority;
            if (!rule.queue.empty() && rule.queue != t.queue) {
                t.queue = rule.queue;
                t.assignee.clear();
            }
            fired.push_back(rule);
        }
        return fired;
    }

    // Brings the ticket to `now`: its clocks, then its escalations (whose
    // actions may change the policy that applies), then due_at.
    result<std::vector<EscalationRule>> advance(Ticket& t, Timestamp now) {
        CRM_TRYV(refresh(t, now));
        std::vector<EscalationRule> fired;
        // What a rule did (a priority, a queue, clocks of another policy)
        // may make another rule hold: watch again until nothing fires; each
        // rule fires once, so this ends.
        for (;;) {
            CRM_TRY(now_fired, watch(t, now));
            if (now_fired.empty()) break;
            fired.insert(fired.end(), now_fired.begin(), now_fired.end());
            CRM_TRY(party, party_of(t));
            CRM_TRYV(retarget(t, party));
            CRM_TRYV(refresh(t, now));
        }
        for (const auto& w : t.escalations)
            if (!w.done_at && w.due_at && (!t.due_at || *w.due_at < *t.due_at)) t.due_at = w.due_at;
        return fired;
    }

    // One ticket.escalated event per rule that fired, and the rule's own.
    result<void> escalation_events(const Ticket& t, const std::vector<EscalationRule>& fired) {
        for (const auto& rule : fired) {
            json payload = {{"ticket", t.id.str()}, {"rule", rule.id},
                            {"priority", to_string(t.priority)}, {"queue", t.queue},
                            {"assignee", t.assignee}, {"subject", t.subject}};
            for (const std::string& type : {std::string("ticket.escalated"), rule.notify}) {
                if (type.empty()) continue;
                Event e;
                e.at = impl_.now();
                e.type = type;
                e.record_type = std::string(kRecordType);
                e.record_id = t.id;
                e.payload = payload.dump(-1, ' ', false, json::error_handler_t::replace);
                CRM_TRYV(tx_.append_event(e));
            }
        }
        return ok();
    }

    // The first rule in `rules` whose `when` holds for the ticket.
    template <class T>
    result<const T*> first_match(const std::vector<T>& rules, const Ticket& t, const Party* party,
                                 const std::string& queue = {}) {
        const TicketRecord record(t, party);
        const expr::Context rc = impl_.rule_context();
        for (const auto& r : rules) {
            if constexpr (std::is_same_v<T, AssignmentRule>)
                if (!queue.empty() && r.queue != queue) continue;
            if (!r.when) return &r;
            CRM_TRY(holds, expr::evaluate(*r.when, record, rc));
            if (holds) return &r;
        }
        return static_cast<const T*>(nullptr);
    }

    // Applies the first matching assignment rule: the ticket's queue (when
    // it has none; with one, only that queue's rules apply) and a member
    // picked by the rule's strategy. False when no rule matched.
    result<bool> auto_assign(Ticket& t, const Party* party) {
        CRM_TRY(rules, assignment_rules());
        CRM_TRY(rule, first_match(rules, t, party, t.queue));
        if (!rule) return false;
        CRM_TRY(q, queue(rule->queue, "queue"));
        t.queue = q.id;
        std::vector<const QueueMember*> candidates;
        for (const auto& m : q.members)
            if (rule->strategy != AssignStrategy::skill ||
                std::find(m.skills.begin(), m.skills.end(), rule->skill) != m.skills.end())
                candidates.push_back(&m);
        if (candidates.empty()) {
            t.assignee.clear();
            return true;
        }
        if (rule->strategy == AssignStrategy::round_robin) {
            const std::string counter = "round_robin:" + q.id;
            CRM_TRY(turn, tx_.cursor(counter));
            t.assignee = candidates[static_cast<std::size_t>(turn) % candidates.size()]->user;
            CRM_TRYV(tx_.set_cursor(counter, turn + 1));
            return true;
        }
        // Least loaded (and by skill: the least loaded of those who have it).
        CRM_TRY(counts, tx_.open_ticket_counts(q.id));
        const auto load = [&](const std::string& user) {
            for (const auto& [who, n] : counts)
                if (who == user) return n;
            return 0;
        };
        const QueueMember* best = candidates.front();
        for (const auto* m : candidates)
            if (load(m->user) < load(best->user)) best = m;
        t.assignee = best->user;
        return true;
    }

    result<std::optional<SlaPolicy>> select_policy(const Ticket& t, const Party* party) {
        CRM_TRY(all, policies());
        CRM_TRY(found, first_match(all, t, party));
        return found ? std::optional<SlaPolicy>{*found} : std::optional<SlaPolicy>{};
    }

    result<BusinessCalendar> calendar(const std::string& id) { return impl_.calendar_of(tx_, id); }

    // Picks the ticket's policy and brings its clocks in line: open clocks
    // of the policy's KPIs take its targets; KPIs it lacks are cancelled;
    // a first_response or resolution clock the ticket should have and does
    // not is started from the ticket's creation (or its reopening).
    result<void> retarget(Ticket& t, const Party* party, bool force = false) {
        CRM_TRY(found, select_policy(t, party));
        const Timestamp now = impl_.now();
        const std::string id = found ? found->id : "";
        const int version = found ? found->version : 0;
        if (!force && id == t.sla_policy && version == t.sla_policy_version) return ok();
        t.sla_policy = id;
        t.sla_policy_version = version;
        for (auto& s : t.slas) {
            if (s.stopped()) continue;
            const SlaTarget* target = nullptr;
            if (found)
                for (const auto& g : found->targets)
                    if (g.kpi == s.kpi) target = &g;
            CRM_TRY(old_cal, calendar(s.calendar));
            if (!target) {
                sla::cancel(s, now, old_cal);
                continue;
            }
            s.policy = found->id;
            s.policy_version = found->version;
            s.calendar = found->calendar;
            s.warning_ms = target->warning_ms;
            s.failure_ms = target->failure_ms;
            CRM_TRY(cal, calendar(s.calendar));
            sla::recompute(s, cal, now);
        }
        if (found && t.status == "open") {
            for (const auto& g : found->targets) {
                if (g.kpi == SlaKpi::next_response) continue;
                if (g.kpi == SlaKpi::first_response && t.first_response_at) continue;
                const bool has = std::any_of(t.slas.begin(), t.slas.end(), [&](const SlaInstance& s) {
                    return s.kpi == g.kpi && (!s.stopped() || g.kpi == SlaKpi::first_response);
                });
                if (has) continue;
                const Timestamp from = g.kpi == SlaKpi::resolution ? resolution_start(t) : t.created_at;
                CRM_TRYV(start_clock(t, *found, g, from));
            }
        }
        return sync_pauses(t);
    }

    // The resolution clock counts from the creation, or from the last
    // reopening (the state a reopen enters starts then).
    static Timestamp resolution_start(const Ticket& t) {
        return t.reopen_count > 0 ? t.state_entered_at : t.created_at;
    }

    result<void> start_clock(Ticket& t, const SlaPolicy& p, const SlaTarget& g, Timestamp from) {
        CRM_TRY(cal, calendar(p.calendar));
        CRM_TRY(s, sla::start(g.kpi, from, g.warning_ms, g.failure_ms, cal));
        s.policy = p.id;
        s.policy_version = p.version;
        s.calendar = p.calendar;
        t.slas.push_back(std::move(s));  // store() brings it to now
        return ok();
    }

    // The policy of the ticket as it stands, if any.
    result<std::optional<SlaPolicy>> current_policy(const Ticket& t) {
        if (t.sla_policy.empty()) return std::optional<SlaPolicy>{};
        CRM_TRY(all, policies());
        for (const auto& p : all)
            if (p.id == t.sla_policy) return std::optional<SlaPolicy>{p};
        return std::optional<SlaPolicy>{};
    }

    // Pauses the running clocks in a pause state of the policy, resumes
    // them elsewhere.
    result<void> sync_pauses(Ticket& t) {
        CRM_TRY(p, current_policy(t));
        const bool pause = p && t.status == "open" &&
                           std::find(p->pause_states.begin(), p->pause_states.end(), t.state) !=
                               p->pause_states.end();
        for (auto& s : t.slas) {
            if (s.stopped() || s.paused() == pause) continue;
            CRM_TRY(cal, calendar(s.calendar));
            if (pause) sla::pause(s, impl_.now(), cal);
            else sla::resume(s, impl_.now(), cal);
        }
        return ok();
    }

    // Stops (met) or cancels the running clocks of `kpis`.
    result<void> finish(Ticket& t, std::initializer_list<SlaKpi> kpis, bool met) {
        for (auto& s : t.slas) {
            if (s.stopped() || std::find(kpis.begin(), kpis.end(), s.kpi) == kpis.end()) continue;
            CRM_TRY(cal, calendar(s.calendar));
            if (met) sla::stop(s, impl_.now(), cal);
            else sla::cancel(s, impl_.now(), cal);
        }
        return ok();
    }

    // Brings every running clock to `now` and sets due_at.
    result<void> refresh(Ticket& t, Timestamp now) {
        t.due_at.reset();
        for (auto& s : t.slas) {
            if (s.stopped()) continue;
            CRM_TRY(cal, calendar(s.calendar));
            sla::recompute(s, cal, now);
            if (auto next = sla::next_change(s); next && (!t.due_at || *next < *t.due_at))
                t.due_at = next;
        }
        return ok();
    }

    // Writes one event per clock that went nearing_breach or breached.
    result<int> clock_events(const std::optional<Ticket>& before, const Ticket& after,
                             TickReport* report) {
        int n = 0;
        for (std::size_t i = 0; i < after.slas.size(); ++i) {
            const SlaInstance& s = after.slas[i];
            const SlaInstance* was =
                before && i < before->slas.size() ? &before->slas[i] : nullptr;
            // Each once: a breach stays, and `warned` is never cleared.
            const char* type = nullptr;
            if (s.status == SlaStatus::breached && (!was || was->status != SlaStatus::breached))
                type = "sla.breached";
            else if (s.status == SlaStatus::nearing_breach && s.warned && (!was || !was->warned))
                type = "sla.warning";
            if (!type) continue;
            Event e;
            e.at = impl_.now();
            e.type = type;
            e.record_type = std::string(kRecordType);
            e.record_id = after.id;
            json payload = codec::to_json(s);
            payload["ticket"] = after.id.str();
            payload["queue"] = after.queue;
            payload["assignee"] = after.assignee;
            e.payload = payload.dump(-1, ' ', false, json::error_handler_t::replace);
            CRM_TRYV(tx_.append_event(e));
            if (report) (s.status == SlaStatus::breached ? report->breaches : report->warnings)++;
            ++n;
        }
        return n;
    }

    // Stores `after` with its history entry (on a state or tracked change),
    // audit entry, event and clock events.
    result<void> store(const std::optional<Ticket>& before, Ticket& after, const std::string& move,
                       const std::string& reason, std::string_view action, std::string_view event) {
        after.updated_at = impl_.now();
        if (before) after.version = before->version + 1;
        CRM_TRY(fired, advance(after, impl_.now()));
        const std::string body = codec::ticket_text(after);
        CRM_TRYV(tx_.put_ticket(after, body));
        // Segments count a party's tickets, open ones and complaints.
        if (!before || before->status != after.status || before->type != after.type)
            CRM_TRYV(impl_.changed(tx_, PartyChange::of(after.party, PartyChange::tickets)));
        if (!before || before->state != after.state || tracked(*before) != tracked(after) ||
            !move.empty())
            CRM_TRYV(impl_.write_history(
                tx_, ctx_,
                {0, std::string(kRecordType), after.id, after.process, after.process_version,
                 before ? before->state : "", after.state, move, {}, {}, reason,
                 tracked(after).dump(),
                 before && before->state != after.state
                     ? impl_.now().ms - before->state_entered_at.ms
                     : 0}));
        CRM_TRYV(impl_.record(tx_, ctx_, kRecordType, after.id, action,
                              before ? diff(codec::to_json(*before), codec::to_json(after))
                                     : creation_fields(after),
                              event, body));
        CRM_TRY(n, clock_events(before, after, nullptr));
        (void)n;
        return escalation_events(after, fired);
    }

    // The ticket's party, read once per call (nullptr if gone).
    result<const Party*> party_of(const Ticket& t) {
        if (party_ && party_->id == t.party) return &*party_;
        CRM_TRY(p, tx_.get_party(t.party));
        if (!p) return static_cast<const Party*>(nullptr);
        party_ = std::move(*p);
        return &*party_;
    }

    // Applies `in` to `t`; errors name the input's field.
    result<void> apply(Ticket& t, const TicketInput& in, bool creating) {
        if (!creating && (in.queue || in.assignee))
            return fail(errc::invalid_argument,
                        "changes by refer_ticket or assign_ticket", in.queue ? "queue" : "assignee");
        if (in.external_id) {
            CRM_TRY(ext, clean_text(*in.external_id, "external_id", 200));
            t.external_id = std::move(ext);
        }
        if (in.subject) {
            CRM_TRY(subject, clean_text(*in.subject, "subject", 500));
            t.subject = std::move(subject);
        }
        if (t.subject.empty()) return fail(errc::invalid_argument, "is required", "subject");
        if (in.description) {
            CRM_TRYV(text::check(*in.description, "description", 65536));
            t.description = *in.description;
        }
        if (in.type) t.type = *in.type;
        if (in.priority) t.priority = *in.priority;
        if (in.channel) t.channel = *in.channel;
        if (in.category) {
            CRM_TRY(category, clean_text(*in.category, "category", 500));
            t.category = std::move(category);
        }
        if (in.product_sku) {
            CRM_TRY(sku, clean_text(*in.product_sku, "product_sku", 64));
            t.product_sku = std::move(sku);
        }
        if (in.party) {
            if (!creating) return fail(errc::invalid_argument, "cannot change", "party");
            t.party = *in.party;
        }
        if (t.party.is_nil()) return fail(errc::invalid_argument, "is required", "party");
        CRM_TRY(party, impl_.load_live_party(tx_, t.party, "party"));
        t.party = party.id;
        party_ = std::move(party);
        if (in.purchase_order_id) {
            CRM_TRY(order, clean_text(*in.purchase_order_id, "purchase_order_id", 200));
            if (!order.empty()) {
                CRM_TRY(purchase, tx_.purchase_by_order_id(order));
                if (!purchase)
                    return fail(errc::not_found, "no purchase with order id '" + order + "'",
                                "purchase_order_id");
            }
            t.purchase_order_id = std::move(order);
        }
        if (in.contact) {
            if (!in.contact->is_nil()) {
                CRM_TRY(contact, impl_.load_live_party(tx_, *in.contact, "contact"));
                if (contact.kind != PartyKind::person)
                    return fail(errc::invalid_argument, "must be a person", "contact");
                t.contact = contact.id;
            } else {
                t.contact = Id{};
            }
        }
        if (in.parent) {
            Id at = *in.parent;
            for (int depth = 0; !at.is_nil(); ++depth) {
                if (at == t.id || depth > 100)
                    return fail(errc::invalid_argument, "would make a cycle of parents", "parent");
                CRM_TRY(p, tx_.get_ticket(at));
                if (!p) return fail(errc::not_found, "no ticket with id " + at.str(), "parent");
                at = p->parent;
            }
            t.parent = *in.parent;
        }
        if (creating && in.queue) {
            CRM_TRY(id, clean_text(*in.queue, "queue", 64));
            if (!id.empty()) CRM_TRYV(queue(id, "queue"));
            t.queue = std::move(id);
        }
        if (creating && in.assignee) CRM_TRYV(set_assignee(t, *in.assignee));
        if (t.type == TicketType::warranty_claim) CRM_TRYV(check_warranty(t));
        else t.warranty.clear();
        // Also without values given: a required custom field must be set.
        CRM_TRYV(impl_.apply_custom(tx_, kRecordType, in.custom, t.custom));
        return ok();
    }

    // A warranty claim names the purchase and the product; the product
    // must be on that purchase of the ticket's party, and the claim is in
    // warranty when it is made within the product's warranty days of the
    // order.
    result<void> check_warranty(Ticket& t) {
        if (t.purchase_order_id.empty())
            return fail(errc::invalid_argument, "is required for a warranty claim", "purchase_order_id");
        if (t.product_sku.empty())
            return fail(errc::invalid_argument, "is required for a warranty claim", "product_sku");
        CRM_TRY(order, tx_.purchase_by_order_id(t.purchase_order_id));
        if (!order)
            return fail(errc::not_found, "no purchase with order id '" + t.purchase_order_id + "'",
                        "purchase_order_id");
        if (order->party != t.party)
            return fail(errc::invalid_argument, "is a purchase of another party", "purchase_order_id");
        if (std::none_of(order->lines.begin(), order->lines.end(),
                         [&](const PurchaseLine& l) { return l.sku == t.product_sku; }))
            return fail(errc::invalid_argument,
                        "is not on purchase '" + t.purchase_order_id + "'", "product_sku");
        CRM_TRY(product, tx_.get_product(t.product_sku));
        if (!product || product->warranty_days == 0) {
            t.warranty = "unknown";
            return ok();
        }
        const std::int64_t until = order->ordered_at.ms + std::int64_t{product->warranty_days} * 86'400'000;
        t.warranty = t.created_at.ms <= until ? "in_warranty" : "expired";
        return ok();
    }

    result<void> set_assignee(Ticket& t, std::string_view who) {
        CRM_TRY(user, clean_text(std::string(who), "assignee", 200));
        if (!user.empty() && !t.queue.empty()) {
            CRM_TRY(q, queue(t.queue, "queue"));
            if (!q.members.empty() &&
                std::none_of(q.members.begin(), q.members.end(),
                             [&](const QueueMember& m) { return m.user == user; }))
                return fail(errc::invalid_argument,
                            "'" + user + "' is not a member of queue '" + q.id + "'", "assignee");
        }
        t.assignee = std::move(user);
        return ok();
    }

    void enter(Ticket& t, const process::State& s) {
        t.state = s.id;
        t.status = process::to_string(s.category);
        t.state_entered_at = impl_.now();
    }

    // The effects that set fields of a ticket: priority and category.
    result<void> set_fields(Ticket& t, const std::vector<const process::Effect*>& effects) {
        for (const auto* e : effects) {
            if (e->kind != process::Effect::Kind::set_field) continue;
            const std::string* s = std::get_if<std::string>(&e->value);
            TicketInput in;
            if (e->field == "priority") {
                CRM_TRY(p, parse_ticket_priority(s ? *s : "", "priority"));
                in.priority = p;
            } else if (e->field == "category") {
                in.category = s ? *s : std::string();
            } else {
                CustomValues custom;
                custom[e->field.substr(std::min<std::size_t>(7, e->field.size()))] = e->value;
                in.custom = std::move(custom);
            }
            auto applied = apply(t, in, false);
            if (!applied)
                return fail(applied.error().code,
                            "an effect of the move sets it: " + applied.error().message,
                            applied.error().field);
        }
        return ok();
    }

    result<void> follow_up(const process::Definition& d, const Ticket& t,
                           const std::vector<const process::Effect*>& effects, const json& payload) {
        return impl_.run_effects(tx_, ctx_, d,
                                 {std::string(kRecordType), t.id, t.party, t.assignee,
                                  "ticket " + (t.external_id.empty() ? t.id.str() : t.external_id)},
                                 effects, payload);
    }

    result<process::Definition> process_for(const TicketInput& in, TicketType type) {
        std::string id = in.process;
        if (id.empty()) {
            const std::string typed = std::string("ticket_") + to_string(type);
            CRM_TRY(version, tx_.definition_version("process", typed));
            if (version > 0) id = typed;
        }
        return impl_.process_for_create(tx_, ctx_, id, "ticket", kTicketProcess, kRecordType,
                                        "process");
    }

    result<Ticket> create(const TicketInput& in) {
        Ticket t;
        t.id = impl_.new_id();
        t.created_at = impl_.now();
        CRM_TRYV(apply(t, in, true));
        if (t.assignee.empty()) {
            CRM_TRY(party, party_of(t));
            CRM_TRYV(auto_assign(t, party));
        }
        CRM_TRY(d, process_for(in, t.type));
        t.process = d.id();
        t.process_version = d.version();
        enter(t, d.initial());
        const auto effects = process::effects_of(nullptr, d.initial());
        CRM_TRYV(set_fields(t, effects));
        CRM_TRY(party, party_of(t));
        CRM_TRYV(retarget(t, party, true));
        CRM_TRYV(store(std::nullopt, t, "", "", "create", "ticket.created"));
        if (!effects.empty())
            CRM_TRYV(follow_up(d, t, effects, {{"ticket", t.id.str()}, {"move", ""}, {"from", ""},
                                               {"to", t.state}, {"reason", ""}}));
        return t;
    }

    result<Ticket> update(const Id& id, const TicketInput& in) {
        CRM_TRY(before, load(id));
        if (before.status != "open")
            return fail(errc::invalid_transition,
                        "the ticket is " + before.state + "; reopen it to change it", "id");
        Ticket after = before;
        CRM_TRYV(apply(after, in, false));
        CRM_TRY(party, party_of(after));
        CRM_TRYV(retarget(after, party));
        if (codec::to_json(after) == codec::to_json(before)) return before;
        CRM_TRYV(store(before, after, "", "", "update", "ticket.updated"));
        return after;
    }

    result<Ticket> move(const Id& id, std::string_view name, std::string_view why, bool merging,
                        const Id& into = {}) {
        CRM_TRY(before, load(id));
        CRM_TRY(d, impl_.definition(tx_, before.process, before.process_version, "process"));
        CRM_TRY(reason, clean_text(std::string(why), "reason", 1000));
        CRM_TRY(party, party_of(before));
        const TicketRecord record(before, party);
        auto checked = d.check_move(before.state, name, record, impl_.rule_context(),
                                    !reason.empty());
        if (!checked) {
            if (checked.error().field == "close")
                return fail(errc::invalid_argument,
                            "is required for the move '" + std::string(name) + "'", "reason");
            return checked.error();
        }
        const process::Transition* t = checked.value();
        if (t->name == "merge" && !merging)
            return fail(errc::invalid_argument, "a duplicate is merged by merge_ticket (ticket.merge)",
                        "move");
        const process::State& target = *d.find_state(t->to);
        Ticket after = before;
        enter(after, target);
        const auto effects = process::effects_of(t, target);
        CRM_TRYV(set_fields(after, effects));
        std::string event = "ticket.moved";
        if (t->reopen) {
            after.reopen_count++;
            after.first_contact_resolution = false;
            after.resolved_at.reset();
            after.closed_at.reset();
            after.close_reason.clear();
            event = "ticket.reopened";
            CRM_TRYV(retarget(after, party, true));
        } else if (target.category == process::Category::cancelled) {
            after.closed_at = impl_.now();
            after.close_reason = merging ? "merged into " + into.str() : reason;
            if (merging) after.merged_into = into;
            CRM_TRYV(finish(after, {SlaKpi::first_response, SlaKpi::next_response,
                                    SlaKpi::resolution},
                            false));
            event = merging ? "ticket.merged" : "ticket.cancelled";
        } else if (target.is_closed) {
            if (before.status == "open") {
                after.resolved_at = impl_.now();
                after.close_reason = reason;
                after.first_contact_resolution = after.referral_count == 0 &&
                                                 after.reopen_count == 0 &&
                                                 after.agent_replies <= 1 &&
                                                 after.customer_replies == 0;
                // Resolving answers the customer: it meets the response clocks too.
                CRM_TRYV(finish(after, {SlaKpi::first_response, SlaKpi::next_response,
                                        SlaKpi::resolution},
                                true));
                if (!after.first_response_at) after.first_response_at = impl_.now();
                event = "ticket.resolved";
            }
            const bool terminal = std::none_of(
                d.transitions().begin(), d.transitions().end(), [&](const process::Transition& x) {
                    return !x.reopen &&
                           std::find(x.from.begin(), x.from.end(), target.id) != x.from.end();
                });
            if (terminal) {
                after.closed_at = impl_.now();
                if (before.status != "open") event = "ticket.closed";
            }
        } else {
            // Effects may have changed what the policies read.
            CRM_TRYV(retarget(after, party));
            CRM_TRYV(sync_pauses(after));
        }
        CRM_TRYV(store(before, after, t->name, reason, "move", event));
        const json payload = {{"ticket", after.id.str()}, {"move", t->name}, {"from", before.state},
                              {"to", after.state},        {"reason", reason}};
        CRM_TRYV(follow_up(d, after, effects, payload));
        return after;
    }

    result<Ticket> load_open(const Id& id) {
        CRM_TRY(t, load(id));
        if (t.status != "open")
            return fail(errc::invalid_transition,
                        "the ticket is " + t.state + "; reopen it first", "id");
        return t;
    }

    result<Ticket> refer(const Id& id, std::string_view to_queue, std::string_view assignee,
                         std::string_view why) {
        CRM_TRY(reason, clean_text(std::string(why), "reason", 1000));
        if (reason.empty()) return fail(errc::invalid_argument, "is required for a referral", "reason");
        CRM_TRY(before, load_open(id));
        Ticket after = before;
        CRM_TRY(q, clean_text(std::string(to_queue), "queue", 64));
        if (!q.empty()) {
            CRM_TRYV(queue(q, "queue"));
            after.queue = q;
        }
        CRM_TRYV(set_assignee(after, assignee));
        if (after.queue == before.queue && after.assignee == before.assignee)
            return fail(errc::invalid_argument,
                        "names the ticket's own queue and assignee; refer it elsewhere", "queue");
        after.referral_count++;
        CRM_TRY(party, party_of(after));
        CRM_TRYV(retarget(after, party));
        CRM_TRYV(store(before, after, "refer", reason, "refer", "ticket.referred"));
        return after;
    }

    result<Ticket> assign(const Id& id, std::string_view assignee) {
        CRM_TRY(before, load_open(id));
        Ticket after = before;
        CRM_TRYV(set_assignee(after, assignee));
        if (after.assignee == before.assignee) return before;
        CRM_TRY(party, party_of(after));
        CRM_TRYV(retarget(after, party));  // a policy may read the assignee
        CRM_TRYV(store(before, after, "", "", "assign", "ticket.assigned"));
        return after;
    }

    result<TicketComment> comment(const Id& id, const CommentInput& in) {
        CRM_TRY(before, load(id));
        if (!before.merged_into.is_nil())
            return fail(errc::invalid_transition,
                        "the ticket was merged into " + before.merged_into.str() +
                            "; comment there",
                        "ticket");
        TicketComment c;
        c.id = impl_.new_id();
        c.ticket = before.id;
        c.is_public = in.is_public;
        c.author_kind = in.author_kind;
        c.author = ctx_.actor;
        c.at = impl_.now();
        CRM_TRYV(text::check(in.body, "body", 65536));
        c.body = in.body;
        if (in.attachments.size() > kMaxAttachments)
            return fail(errc::invalid_argument, "more than 50", "attachments");
        for (std::size_t i = 0; i < in.attachments.size(); ++i) {
            CRM_TRY(a, clean_attachment(in.attachments[i],
                                        "attachments[" + std::to_string(i) + "]."));
            c.attachments.push_back(std::move(a));
        }
        if (text::tidy(c.body).empty() && c.attachments.empty())
            return fail(errc::invalid_argument, "is required (or an attachment)", "body");
        CRM_TRYV(tx_.put_comment(c));

        Ticket after = before;
        if (c.is_public) (c.author_kind == AuthorKind::agent ? after.agent_replies
                                                             : after.customer_replies)++;
        if (c.is_public && c.author_kind == AuthorKind::agent) {
            if (!after.first_response_at) after.first_response_at = c.at;
            CRM_TRYV(finish(after, {SlaKpi::first_response, SlaKpi::next_response}, true));
        } else if (c.is_public && after.status == "open" && after.first_response_at) {
            CRM_TRY(p, current_policy(after));
            const bool waiting =
                std::any_of(after.slas.begin(), after.slas.end(), [](const SlaInstance& s) {
                    return s.kpi == SlaKpi::next_response && !s.stopped();
                });
            if (p && !waiting)
                for (const auto& g : p->targets)
                    if (g.kpi == SlaKpi::next_response) CRM_TRYV(start_clock(after, *p, g, c.at));
            CRM_TRYV(sync_pauses(after));
        }
        // ticket.commented always carries the comment; a ticket the comment
        // changed (counts, clocks) is stored with its own ticket.updated.
        if (codec::to_json(after) != codec::to_json(before))
            CRM_TRYV(store(before, after, "", "", "update", "ticket.updated"));
        CRM_TRYV(impl_.record(tx_, ctx_, kRecordType, before.id, "comment", {},
                              "ticket.commented", codec::to_json(c)));
        return c;
    }

    // Brings the due clocks of one ticket to `now`.
    result<bool> tick_one(const Id& id, Timestamp now, TickReport& report) {
        CRM_TRY(before, load(id));
        Ticket after = before;
        CRM_TRY(fired, advance(after, now));
        if (codec::to_json(after) == codec::to_json(before)) return false;
        after.version = before.version + 1;
        after.updated_at = impl_.now();
        CRM_TRYV(tx_.put_ticket(after));
        if (tracked(before) != tracked(after))
            CRM_TRYV(impl_.write_history(tx_, ctx_,
                                         {0, std::string(kRecordType), after.id, after.process,
                                          after.process_version, after.state, after.state,
                                          "escalate", {}, {}, fired.empty() ? "" : fired.front().id,
                                          tracked(after).dump(), 0}));
        std::vector<FieldChange> changes;
        for (std::size_t i = 0; i < after.slas.size(); ++i) {
            // An escalation that changed the policy may have started clocks.
            const bool was = i < before.slas.size();
            if (was && after.slas[i].status == before.slas[i].status) continue;
            changes.push_back({"slas[" + std::to_string(i) + "].status",
                               was ? to_string(before.slas[i].status) : "null",
                               to_string(after.slas[i].status)});
        }
        for (const auto& rule : fired) changes.push_back({"escalations." + rule.id, "null", "\"fired\""});
        AuditEntry a;
        a.at = impl_.now();
        a.actor = ctx_.actor;
        a.source = ctx_.source;
        a.record_type = std::string(kRecordType);
        a.record_id = after.id;
        a.action = "tick";
        a.changes = std::move(changes);
        CRM_TRYV(tx_.append_audit(a));
        CRM_TRY(n, clock_events(before, after, &report));
        CRM_TRYV(escalation_events(after, fired));
        report.escalations += static_cast<int>(fired.size());
        return n > 0 || !fired.empty();
    }

    // Retargets the open clocks of a changed policy (or of every policy
    // counting in a changed calendar).
    result<void> recompute_policy(const std::string& policy) {
        Id after;
        for (;;) {
            CRM_TRY(ids, tx_.open_tickets_of_policy(policy, after, 500));
            for (const auto& id : ids) {
                CRM_TRY(before, load(id));
                Ticket t = before;
                CRM_TRY(party, party_of(t));
                CRM_TRYV(retarget(t, party, true));
                CRM_TRYV(store(before, t, "", "", "sla", "ticket.sla_retargeted"));
            }
            if (ids.size() < 500) return ok();
            after = ids.back();
        }
    }

    void forget_policies() { policies_.reset(); }

private:
    Engine::Impl& impl_;
    Transaction& tx_;
    const Context& ctx_;
    std::optional<std::vector<SlaPolicy>> policies_;
    std::optional<std::vector<EscalationRule>> escalation_rules_;
    std::optional<Party> party_;
    std::optional<Queue> queue_;
};

result<void> calendar_changed(Engine::Impl& impl, Transaction& tx, const Context& ctx,
                              std::string_view calendar) {
    TicketWork w(impl, tx, ctx);
    CRM_TRY(all, w.policies());
    for (const auto& p : all)
        if (p.calendar == calendar || (calendar == "default" && p.calendar.empty()))
            CRM_TRYV(w.recompute_policy(p.id));
    return ok();
}

}  // namespace service

using service::TicketWork;

const char* default_ticket_process_json() noexcept { return kTicketProcess; }

result<Written<Queue>> Service::define_queue(const Context& ctx, const Queue& in) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(q, clean_queue(in));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Written<Queue>> {
        const json j = codec::to_json(q);
        CRM_TRY(stored, impl.store_versioned(tx, ctx, kQueueKind, q.id, j.dump(), "queue",
                                        "queue.defined", j));
        return Written<Queue>{q, stored.second};
    });
}

result<Queue> Service::queue(std::string_view id) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) {
        const Context ctx;
        return TicketWork(impl, tx, ctx).queue(std::string(id), "id");
    });
}

result<std::vector<Queue>> Service::queues() {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<Queue>> {
        CRM_TRY(stored, tx.definitions(kQueueKind));
        std::vector<Queue> out;
        for (const auto& s : stored) {
            CRM_TRY(doc, codec::parse(s.body, "queue"));
            CRM_TRY(q, codec::queue_from_json(doc));
            out.push_back(std::move(q));
        }
        return out;
    });
}

result<Written<SlaPolicy>> Service::define_sla_policy(const Context& ctx, std::string_view text) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(doc, codec::parse(text, "SLA policy"));
    if (!doc.is_object()) return fail(errc::invalid_argument, "must be an object", "");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Written<SlaPolicy>> {
        CRM_TRY(schema, impl.schema_of(tx, kRecordType));
        CRM_TRY(p, codec::sla_policy_from_json(doc, schema));
        CRM_TRY(id, clean_key(p.id, "id"));
        p.id = std::move(id);
        CRM_TRY(name, clean_text(p.name, "name", 200));
        p.name = name.empty() ? p.id : name;
        if (!p.calendar.empty()) CRM_TRYV(impl.calendar_of(tx, p.calendar));
        const json j = codec::to_json(p);
        CRM_TRY(stored, impl.store_versioned(tx, ctx, kSlaKind, p.id, j.dump(), "sla_policy",
                                        "sla_policy.defined", j));
        p.version = stored.first;
        if (stored.second == WriteOutcome::updated)
            CRM_TRYV(TicketWork(impl, tx, ctx).recompute_policy(p.id));
        return Written<SlaPolicy>{p, stored.second};
    });
}

result<Written<AssignmentRule>> Service::define_assignment_rule(const Context& ctx,
                                                                std::string_view text) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(doc, codec::parse(text, "assignment rule"));
    if (!doc.is_object()) return fail(errc::invalid_argument, "must be an object", "");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Written<AssignmentRule>> {
        CRM_TRY(schema, impl.schema_of(tx, kRecordType));
        CRM_TRY(r, codec::assignment_rule_from_json(doc, schema));
        CRM_TRY(id, clean_key(r.id, "id"));
        r.id = std::move(id);
        CRM_TRY(q, clean_key(r.queue, "queue"));
        r.queue = std::move(q);
        if (!r.skill.empty()) {
            CRM_TRY(skill, clean_key(r.skill, "skill"));
            r.skill = std::move(skill);
        }
        const Context none;
        CRM_TRYV(TicketWork(impl, tx, none).queue(r.queue, "queue"));
        const json j = codec::to_json(r);
        CRM_TRY(stored, impl.store_versioned(tx, ctx, kAssignKind, r.id, j.dump(),
                                        "assignment_rule", "assignment_rule.defined", j));
        r.version = stored.first;
        return Written<AssignmentRule>{r, stored.second};
    });
}

result<Written<EscalationRule>> Service::define_escalation_rule(const Context& ctx,
                                                                std::string_view text) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(doc, codec::parse(text, "escalation rule"));
    if (!doc.is_object()) return fail(errc::invalid_argument, "must be an object", "");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Written<EscalationRule>> {
        CRM_TRY(schema, impl.schema_of(tx, kRecordType));
        CRM_TRY(r, codec::escalation_rule_from_json(doc, schema));
        CRM_TRY(id, clean_key(r.id, "id"));
        r.id = std::move(id);
        const Context none;
        if (!r.queue.empty()) CRM_TRYV(TicketWork(impl, tx, none).queue(r.queue, "actions.queue"));
        if (!r.calendar.empty()) CRM_TRYV(impl.calendar_of(tx, r.calendar));
        if (!r.notify.empty() &&
            !std::all_of(r.notify.begin(), r.notify.end(), [](char c) {
                return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
                       c == '.';
            }))
            return fail(errc::invalid_argument,
                        "must be an event type of a-z, 0-9, '_', '-' and '.'", "actions.notify");
        const json j = codec::to_json(r);
        CRM_TRY(stored, impl.store_versioned(tx, ctx, kEscalateKind, r.id, j.dump(),
                                        "escalation_rule", "escalation_rule.defined", j));
        r.version = stored.first;
        return Written<EscalationRule>{r, stored.second};
    });
}

result<std::vector<EscalationRule>> Service::escalation_rules() {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) {
        const Context ctx;
        return TicketWork(impl, tx, ctx).escalation_rules();
    });
}

result<std::vector<AssignmentRule>> Service::assignment_rules() {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) {
        const Context ctx;
        return TicketWork(impl, tx, ctx).assignment_rules();
    });
}

result<Ticket> Service::auto_assign(const Context& ctx, const Id& ticket) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Ticket> {
        TicketWork w(impl, tx, ctx);
        CRM_TRY(before, w.load_open(ticket));
        Ticket after = before;
        CRM_TRY(party, w.party_of(after));
        CRM_TRY(matched, w.auto_assign(after, party));
        if (!matched || (after.queue == before.queue && after.assignee == before.assignee))
            return before;
        CRM_TRYV(w.retarget(after, party));
        CRM_TRYV(w.store(before, after, "", "", "assign", "ticket.assigned"));
        return after;
    });
}

result<std::vector<SlaPolicy>> Service::sla_policies() {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) {
        const Context ctx;
        return TicketWork(impl, tx, ctx).policies();
    });
}

result<Ticket> Service::create_ticket(const Context& ctx, const TicketInput& input) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write_decided([&](Transaction& tx) { return TicketWork(impl, tx, ctx).create(input); });
}

result<Ticket> Service::update_ticket(const Context& ctx, const Id& id, const TicketInput& input) {
    CRM_TRYV(check_context(ctx));
    if (!input.process.empty())
        return fail(errc::invalid_argument, "cannot change after the ticket is created", "process");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) { return TicketWork(impl, tx, ctx).update(id, input); });
}

result<Ticket> Service::get_ticket(std::string_view key) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) {
        const Context ctx;
        return TicketWork(impl, tx, ctx).records().find(key);
    });
}

result<std::vector<Ticket>> Service::tickets_of(const Id& party) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<Ticket>> {
        CRM_TRY(p, impl.load_live_party(tx, party));
        return tx.tickets_of(p.id);
    });
}

result<Ticket> Service::move_ticket(const Context& ctx, const Id& id, std::string_view move,
                                    std::string_view reason) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) {
        return TicketWork(impl, tx, ctx).move(id, move, reason, false);
    });
}

result<std::vector<AllowedMove>> Service::ticket_moves(const Id& id) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<AllowedMove>> {
        const Context ctx;
        TicketWork w(impl, tx, ctx);
        CRM_TRY(t, w.load(id));
        CRM_TRY(d, impl.definition(tx, t.process, t.process_version, "process"));
        CRM_TRY(party, w.party_of(t));
        auto moves = process::moves_for_ui(d, t.state, service::TicketRecord(t, party),
                                         impl.rule_context());
        moves.erase(std::remove_if(moves.begin(), moves.end(),
                                   [](const AllowedMove& m) { return m.name == "merge"; }),
                    moves.end());
        return moves;
    });
}

result<Ticket> Service::merge_ticket(const Context& ctx, const Id& duplicate, const Id& into) {
    CRM_TRYV(check_context(ctx));
    if (duplicate == into)
        return fail(errc::invalid_argument, "is the duplicate itself", "into");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Ticket> {
        TicketWork w(impl, tx, ctx);
        auto target = w.load_open(into);
        if (!target)
            return fail(target.error().code, target.error().message, "into");
        return w.move(duplicate, "merge", "", true, into);
    });
}

result<Ticket> Service::assign_ticket(const Context& ctx, const Id& id, std::string_view assignee) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) { return TicketWork(impl, tx, ctx).assign(id, assignee); });
}

result<Ticket> Service::refer_ticket(const Context& ctx, const Id& id, std::string_view queue,
                                     std::string_view assignee, std::string_view reason) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) {
        return TicketWork(impl, tx, ctx).refer(id, queue, assignee, reason);
    });
}

result<TicketComment> Service::add_comment(const Context& ctx, const Id& ticket,
                                           const CommentInput& input) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) { return TicketWork(impl, tx, ctx).comment(ticket, input); });
}

result<std::vector<TicketComment>> Service::comments(const Id& ticket, bool include_internal) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<TicketComment>> {
        const Context ctx;
        CRM_TRY(t, TicketWork(impl, tx, ctx).load(ticket));
        return tx.comments_of(t.id, include_internal);
    });
}

result<Ticket> Service::record_csat(const Context& ctx, const Id& ticket, int score,
                                    std::string_view comment) {
    CRM_TRYV(check_context(ctx));
    if (score < 1 || score > 5) return fail(errc::invalid_argument, "must be from 1 to 5", "score");
    CRM_TRY(text, clean_text(std::string(comment), "comment", 2000));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Ticket> {
        TicketWork w(impl, tx, ctx);
        CRM_TRY(before, w.load(ticket));
        if (!before.resolved_at)
            return fail(errc::invalid_transition,
                        "the ticket is " + before.state + "; satisfaction is asked on resolution",
                        "id");
        Ticket after = before;
        after.csat = score;
        after.csat_comment = text;
        after.csat_at = impl.now();
        CRM_TRYV(w.store(before, after, "", "", "csat", "ticket.csat"));
        return after;
    });
}

result<NpsResponse> Service::record_nps(const Context& ctx, const Id& party, int score,
                                        std::string_view comment) {
    CRM_TRYV(check_context(ctx));
    if (score < 0 || score > 10) return fail(errc::invalid_argument, "must be from 0 to 10", "score");
    CRM_TRY(text, clean_text(std::string(comment), "comment", 2000));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<NpsResponse> {
        CRM_TRY(p, impl.load_live_party(tx, party, "party"));
        NpsResponse r{impl.new_id(), p.id, score, text, impl.now()};
        CRM_TRYV(tx.put_nps(r));
        CRM_TRYV(impl.record(tx, ctx, "party", p.id, "nps",
                             {{"nps", "null", std::to_string(score)}}, "nps.recorded",
                             codec::to_json(r)));
        return r;
    });
}

result<std::vector<NpsResponse>> Service::nps_of(const Id& party, int limit) {
    if (limit < 1 || limit > 1000)
        return fail(errc::invalid_argument, "must be from 1 to 1000", "limit");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<NpsResponse>> {
        CRM_TRY(p, impl.load_live_party(tx, party));
        return tx.nps_of(p.id, limit);
    });
}

result<std::vector<PortalTicket>> Service::portal_view(const Id& party) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<PortalTicket>> {
        CRM_TRY(p, impl.load_live_party(tx, party));
        CRM_TRY(tickets, tx.tickets_of(p.id));
        std::vector<PortalTicket> out;
        for (auto& t : tickets) {
            if (!t.merged_into.is_nil()) continue;  // shown as the ticket it was merged into
            PortalTicket v;
            v.id = t.id;
            v.external_id = t.external_id;
            v.subject = t.subject;
            v.type = t.type;
            v.state = t.state;
            v.status = t.status;
            v.created_at = t.created_at;
            v.updated_at = t.updated_at;
            v.resolved_at = t.resolved_at;
            CRM_TRY(d, impl.definition(tx, t.process, t.process_version, "process"));
            const process::State* s = d.find_state(t.state);
            v.state_label = s && !s->label.empty() ? s->label : t.state;
            CRM_TRY(comments, tx.comments_of(t.id, false));
            v.comments = std::move(comments);
            out.push_back(std::move(v));
        }
        return out;
    });
}

result<TickReport> Service::tick(const Context& ctx, std::optional<Timestamp> at, int limit) {
    CRM_TRYV(check_context(ctx));
    if (limit < 1 || limit > 100'000)
        return fail(errc::invalid_argument, "must be from 1 to 100000", "limit");
    auto& impl = EngineAccess::impl(*engine_);
    const Timestamp now = at ? *at : impl.now();
    return impl.write([&](Transaction& tx) -> result<TickReport> {
        TickReport report;
        CRM_TRY(ids, tx.tickets_due(now, limit));
        for (const auto& id : ids) {
            report.examined++;
            // One ticket that fails (a rule that no longer evaluates) is
            // rolled back alone and reported; the others go on.
            CRM_TRYV(tx.savepoint());
            TickReport one = report;
            TicketWork w(impl, tx, ctx);
            auto done = w.tick_one(id, now, one);
            if (!done) {
                CRM_TRYV(tx.rollback_to_savepoint());
                impl.forget_caches();
                report.failed.push_back({id, done.error()});
                continue;
            }
            CRM_TRYV(tx.release_savepoint());
            report = std::move(one);
        }
        return report;
    });
}

result<BusinessTrace> Service::explain_sla(const Id& ticket, SlaKpi kpi) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<BusinessTrace> {
        const Context ctx;
        TicketWork w(impl, tx, ctx);
        CRM_TRY(t, w.load(ticket));
        const SlaInstance* latest = nullptr;
        for (const auto& s : t.slas)
            if (s.kpi == kpi) latest = &s;
        if (!latest)
            return fail(errc::not_found,
                        std::string("the ticket has no ") + to_string(kpi) + " clock", "kpi");
        CRM_TRY(cal, w.calendar(latest->calendar));
        return sla::explain(*latest, cal, impl.now());
    });
}

}  // namespace crm
