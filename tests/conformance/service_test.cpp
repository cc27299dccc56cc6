// tests/conformance/service_test.cpp - the service desk on every backend:
// the ticket lifecycle and its SLA clocks, tick() and its events, queues,
// assignment and referral, comments, policies chosen by rule and
// retargeted on change, reopen within the period, merge, and bad input
// refused with nothing written.
#include "backends.hpp"

namespace crm::testing {
namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;

// Tehran wall time: "2026-02-09T08:00" (Monday; 22 Bahman = Wednesday 11th is a holiday).
Timestamp tehran(const std::string& wall) { return must(parse_iso8601(wall + ":00+03:30")); }

// A TicketInput that sets what `set` sets.
template <class F>
TicketInput changing(F set) {
    TicketInput in;
    set(in);
    return in;
}

constexpr const char* kStandard = R"({"id": "standard", "name": "Standard",
  "kpis": {"first_response": {"warning": {"business_hours": 1}, "failure": {"business_hours": 2}},
           "resolution": {"warning": {"business_hours": 6}, "failure": {"business_hours": 8}}}})";

class Desk : public Conformance {
protected:
    void SetUp() override {
        Conformance::SetUp();
        clock->set(tehran("2026-02-09T08:00"));
    }
    Service desk() { return Service(*engine); }
    Ticket open_ticket(const Party& p, const std::string& subject = "Modem does not connect") {
        TicketInput in;
        in.subject = subject;
        in.party = p.id;
        in.channel = Channel::call;
        return must(desk().create_ticket(ctx, in));
    }
    const SlaInstance* clock_of(const Ticket& t, SlaKpi kpi) {
        const SlaInstance* found = nullptr;
        for (const auto& s : t.slas)
            if (s.kpi == kpi) found = &s;
        return found;
    }
    std::vector<Event> events_of(const std::string& type) {
        std::vector<Event> out;
        for (auto& e : must(engine->events_after(0, 10'000)))
            if (e.type == type) out.push_back(e);
        return out;
    }
    std::size_t event_count() { return must(engine->events_after(0, 10'000)).size(); }
};

TEST_P(Desk, LifecycleRunsTheClocks) {
    Service s = desk();
    must(s.define_sla_policy(ctx, kStandard));
    const Party p = person("c-1", "Sara", "Ahmadi", "sara@example.ir");
    Ticket t = open_ticket(p);
    EXPECT_EQ(t.state, "new");
    EXPECT_EQ(t.status, "open");
    EXPECT_EQ(t.process, "ticket");
    EXPECT_EQ(t.sla_policy, "standard");
    ASSERT_EQ(t.slas.size(), 2u);
    const SlaInstance* fr = clock_of(t, SlaKpi::first_response);
    ASSERT_TRUE(fr && fr->failure_at);
    EXPECT_EQ(*fr->failure_at, tehran("2026-02-09T10:00"));
    EXPECT_EQ(*clock_of(t, SlaKpi::resolution)->failure_at, tehran("2026-02-09T16:00"));
    ASSERT_TRUE(t.due_at);
    EXPECT_EQ(*t.due_at, tehran("2026-02-09T09:00"));  // the first warning

    // An agent's public reply at 08:30 is the first response.
    clock->set(tehran("2026-02-09T08:30"));
    CommentInput reply;
    reply.body = "We are looking at it";
    must(s.add_comment(ctx, t.id, reply));
    t = must(s.get_ticket(t.id.str()));
    ASSERT_TRUE(t.first_response_at);
    EXPECT_EQ(*t.first_response_at, tehran("2026-02-09T08:30"));
    EXPECT_EQ(clock_of(t, SlaKpi::first_response)->status, SlaStatus::succeeded);
    EXPECT_EQ(*t.due_at, tehran("2026-02-09T14:00"));  // now the resolution warning

    // Waiting for the customer from 10:00 to Tuesday 10:00 pauses resolution.
    clock->set(tehran("2026-02-09T10:00"));
    must(s.move_ticket(ctx, t.id, "open"));
    t = must(s.move_ticket(ctx, t.id, "pend_customer"));
    EXPECT_EQ(clock_of(t, SlaKpi::resolution)->status, SlaStatus::paused);
    EXPECT_FALSE(t.due_at);
    clock->set(tehran("2026-02-10T10:00"));
    t = must(s.move_ticket(ctx, t.id, "open"));
    const SlaInstance* res = clock_of(t, SlaKpi::resolution);
    EXPECT_EQ(res->status, SlaStatus::in_progress);
    EXPECT_EQ(res->paused_ms, 8 * kHour);  // Monday 10-16, Tuesday 08-10
    EXPECT_EQ(*res->failure_at, tehran("2026-02-10T16:00"));

    // Resolved at 15:00: met. The reason is required.
    clock->set(tehran("2026-02-10T15:00"));
    CRM_EXPECT_ERROR(s.move_ticket(ctx, t.id, "resolve"), errc::invalid_argument, "reason");
    t = must(s.move_ticket(ctx, t.id, "resolve", "replaced the modem"));
    EXPECT_EQ(t.state, "resolved");
    EXPECT_EQ(t.status, "closed");
    EXPECT_EQ(t.close_reason, "replaced the modem");
    ASSERT_TRUE(t.resolved_at);
    EXPECT_FALSE(t.closed_at);
    EXPECT_EQ(clock_of(t, SlaKpi::resolution)->status, SlaStatus::succeeded);
    EXPECT_FALSE(t.due_at);
    t = must(s.move_ticket(ctx, t.id, "close"));
    EXPECT_EQ(t.state, "closed");
    ASSERT_TRUE(t.closed_at);

    // Every move is history; the events say what happened.
    const auto history = must(engine->history("ticket", t.id));
    ASSERT_EQ(history.size(), 6u);  // created, open, pend_customer, open, resolve, close
    EXPECT_EQ(history.back().move, "close");
    EXPECT_EQ(events_of("ticket.created").size(), 1u);
    EXPECT_EQ(events_of("ticket.resolved").size(), 1u);
    EXPECT_EQ(events_of("ticket.closed").size(), 1u);
    EXPECT_EQ(events_of("sla.breached").size(), 0u);
    EXPECT_EQ(must(s.tickets_of(p.id)).size(), 1u);
    // The 360 view lists open tickets only.
    EXPECT_TRUE(must(engine->customer_360(p.id)).open_tickets.empty());
    const Ticket other = open_ticket(p, "Second line");
    const auto view = must(engine->customer_360(p.id));
    ASSERT_EQ(view.open_tickets.size(), 1u);
    EXPECT_EQ(view.open_tickets[0].id, other.id);
}

TEST_P(Desk, TickWarnsAndBreachesOnceAndIsIdempotent) {
    Service s = desk();
    must(s.define_sla_policy(ctx, kStandard));
    const Ticket t = open_ticket(person("c-2", "Ali", "Karimi"));
    // Nothing due before 09:00.
    auto early = must(s.tick(ctx, tehran("2026-02-09T08:59")));
    EXPECT_EQ(early.examined, 0);
    auto warn = must(s.tick(ctx, tehran("2026-02-09T09:30")));
    EXPECT_EQ(warn.examined, 1);
    EXPECT_EQ(warn.warnings, 1);
    EXPECT_EQ(warn.breaches, 0);
    EXPECT_EQ(must(s.tick(ctx, tehran("2026-02-09T09:30"))).examined, 0);  // again: nothing
    // Exactly at the failure instant it is not yet breached.
    EXPECT_EQ(must(s.tick(ctx, tehran("2026-02-09T10:00"))).breaches, 0);
    auto breach = must(s.tick(ctx, tehran("2026-02-09T10:01")));
    EXPECT_EQ(breach.breaches, 1);
    EXPECT_EQ(must(s.tick(ctx, tehran("2026-02-09T10:01"))).breaches, 0);
    const auto warnings = events_of("sla.warning");
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].payload.find("first_response"), std::string::npos);
    EXPECT_EQ(events_of("sla.breached").size(), 1u);
    const Ticket after = must(s.get_ticket(t.id.str()));
    EXPECT_EQ(clock_of(after, SlaKpi::first_response)->status, SlaStatus::breached);
    EXPECT_EQ(*after.due_at, tehran("2026-02-09T14:00"));  // resolution's warning is next
    // A late reply keeps the breach on record.
    clock->set(tehran("2026-02-09T11:00"));
    CommentInput reply;
    reply.body = "Sorry for the wait";
    must(s.add_comment(ctx, t.id, reply));
    EXPECT_EQ(clock_of(must(s.get_ticket(t.id.str())), SlaKpi::first_response)->status,
              SlaStatus::breached);
    // The writes themselves bring clocks up to date: a move after the
    // resolution warning emits it without a tick.
    clock->set(tehran("2026-02-09T14:30"));
    must(s.move_ticket(ctx, t.id, "open"));
    EXPECT_EQ(events_of("sla.warning").size(), 2u);
    EXPECT_EQ(must(s.tick(ctx, tehran("2026-02-09T14:30"))).examined, 0);
    CRM_EXPECT_ERROR(s.tick(ctx, std::nullopt, 0), errc::invalid_argument, "limit");

    // A warned clock that pauses and resumes is not warned again.
    const Ticket again = open_ticket(person("c-2b", "Leila", "Amiri"));
    // Opened at 14:30: its first-response warning is at 15:30.
    EXPECT_EQ(must(s.tick(ctx, tehran("2026-02-09T15:35"))).warnings, 1);
    const std::size_t warned = events_of("sla.warning").size();
    clock->set(tehran("2026-02-09T15:40"));
    must(s.move_ticket(ctx, again.id, "pend_customer"));
    clock->set(tehran("2026-02-09T15:50"));
    must(s.move_ticket(ctx, again.id, "open"));
    EXPECT_EQ(events_of("sla.warning").size(), warned);

    // tick takes the soonest due first, at most `limit`.
    const auto first_two = must(s.tick(ctx, tehran("2026-02-10T12:00"), 1));
    EXPECT_EQ(first_two.examined, 1);
}

TEST_P(Desk, QueuesAssignmentAndReferral) {
    Service s = desk();
    Queue front{"tier1", "Front line", {{"sara", {"fa"}}, {"reza", {}}}};
    EXPECT_EQ(must(s.define_queue(ctx, front)).outcome, WriteOutcome::created);
    EXPECT_EQ(must(s.define_queue(ctx, front)).outcome, WriteOutcome::unchanged);
    must(s.define_queue(ctx, Queue{"billing", "", {{"mina", {}}}}));
    EXPECT_EQ(must(s.queue("billing")).name, "billing");
    EXPECT_EQ(must(s.queues()).size(), 2u);
    CRM_EXPECT_ERROR(s.define_queue(ctx, Queue{"Bad Id", "", {}}), errc::invalid_argument, "id");
    CRM_EXPECT_ERROR(s.define_queue(ctx, Queue{"x", "", {{"a", {}}, {"a", {}}}}),
                     errc::invalid_argument, "members[1].user");

    const Party p = person("c-3", "Mina", "Rad");
    TicketInput in;
    in.subject = "Invoice is wrong";
    in.party = p.id;
    in.queue = "tier1";
    in.assignee = "mina";  // not a member of tier1
    const std::size_t before = event_count();
    CRM_EXPECT_ERROR(s.create_ticket(ctx, in), errc::invalid_argument, "assignee");
    in.queue = "nowhere";
    CRM_EXPECT_ERROR(s.create_ticket(ctx, in), errc::not_found, "queue");
    EXPECT_EQ(event_count(), before);
    EXPECT_TRUE(must(s.tickets_of(p.id)).empty());

    in.queue = "tier1";
    in.assignee = "sara";
    Ticket t = must(s.create_ticket(ctx, in));
    EXPECT_EQ(t.queue, "tier1");
    EXPECT_EQ(t.assignee, "sara");
    must(s.define_sla_policy(ctx, R"({"id": "reza", "order": 5,
        "when": {"eq": [{"field": "assignee"}, "reza"]},
        "kpis": {"resolution": {"failure": {"business_hours": 3}}}})"));
    t = must(s.assign_ticket(ctx, t.id, "reza"));
    EXPECT_EQ(t.assignee, "reza");
    EXPECT_EQ(t.sla_policy, "reza");  // the policy is chosen again
    CRM_EXPECT_ERROR(s.assign_ticket(ctx, t.id, "mina"), errc::invalid_argument, "assignee");

    CRM_EXPECT_ERROR(s.refer_ticket(ctx, t.id, "billing", "mina", ""), errc::invalid_argument,
                     "reason");
    CRM_EXPECT_ERROR(s.refer_ticket(ctx, t.id, "nowhere", "", "billing question"),
                     errc::not_found, "queue");
    t = must(s.refer_ticket(ctx, t.id, "billing", "mina", "a billing question"));
    EXPECT_EQ(t.queue, "billing");
    EXPECT_EQ(t.assignee, "mina");
    EXPECT_EQ(t.referral_count, 1);
    const auto history = must(engine->history("ticket", t.id));
    ASSERT_FALSE(history.empty());
    EXPECT_EQ(history.back().move, "refer");
    EXPECT_EQ(history.back().reason, "a billing question");
    EXPECT_NE(history.back().values.find("billing"), std::string::npos);
    EXPECT_EQ(events_of("ticket.referred").size(), 1u);
    CRM_EXPECT_ERROR(s.update_ticket(ctx, t.id, changing([](TicketInput& in) { in.queue = "tier1"; })),
                     errc::invalid_argument, "queue");
}

TEST_P(Desk, CommentsPublicInternalAndAttachments) {
    Service s = desk();
    const Ticket t = open_ticket(person("c-4", "Reza", "Nouri"));
    CommentInput note;
    note.is_public = false;
    note.body = "Customer is a reseller";
    must(s.add_comment(ctx, t.id, note));
    CommentInput photo;
    photo.author_kind = AuthorKind::customer;
    photo.attachments = {{"modem.jpg", 20480, std::string(64, 'a'), "image/jpeg"}};
    const TicketComment c = must(s.add_comment(ctx, t.id, photo));
    EXPECT_EQ(c.author, ctx.actor);
    EXPECT_EQ(must(s.comments(t.id)).size(), 2u);
    const auto said = events_of("ticket.commented");
    ASSERT_EQ(said.size(), 2u);  // each carries its comment
    EXPECT_NE(said[0].payload.find("Customer is a reseller"), std::string::npos);
    EXPECT_NE(said[1].payload.find("modem.jpg"), std::string::npos);
    const auto visible = must(s.comments(t.id, false));
    ASSERT_EQ(visible.size(), 1u);
    ASSERT_EQ(visible[0].attachments.size(), 1u);
    EXPECT_EQ(visible[0].attachments[0].sha256, std::string(64, 'a'));
    // An internal note is not a response.
    EXPECT_FALSE(must(s.get_ticket(t.id.str())).first_response_at);

    const std::size_t before = event_count();
    CommentInput bad = photo;
    bad.attachments[0].sha256 = "not-a-hash";
    CRM_EXPECT_ERROR(s.add_comment(ctx, t.id, bad), errc::invalid_argument,
                     "attachments[0].sha256");
    bad = photo;
    bad.attachments[0].name = "";
    CRM_EXPECT_ERROR(s.add_comment(ctx, t.id, bad), errc::invalid_argument, "attachments[0].name");
    bad = photo;
    bad.attachments[0].size = -1;
    CRM_EXPECT_ERROR(s.add_comment(ctx, t.id, bad), errc::invalid_argument, "attachments[0].size");
    CRM_EXPECT_ERROR(s.add_comment(ctx, t.id, CommentInput{}), errc::invalid_argument, "body");
    CRM_EXPECT_ERROR(s.add_comment(ctx, Id{}, note), errc::not_found, "id");
    EXPECT_EQ(event_count(), before);
    EXPECT_EQ(must(s.comments(t.id)).size(), 2u);
}

TEST_P(Desk, NextResponseClocksFollowTheConversation) {
    Service s = desk();
    must(s.define_sla_policy(ctx, R"({"id": "chat", "kpis": {
        "first_response": {"failure": {"business_minutes": 30}},
        "next_response": {"warning": {"business_minutes": 45}, "failure": {"business_hours": 1}}}})"));
    const Ticket t = open_ticket(person("c-5", "Hadi", "Moradi"));
    CommentInput agent;
    agent.body = "Hello";
    CommentInput customer;
    customer.author_kind = AuthorKind::customer;
    customer.body = "Still broken";
    // A customer comment before the first response starts no next clock.
    must(s.add_comment(ctx, t.id, customer));
    EXPECT_EQ(must(s.get_ticket(t.id.str())).slas.size(), 1u);
    clock->set(tehran("2026-02-09T08:10"));
    must(s.add_comment(ctx, t.id, agent));
    clock->set(tehran("2026-02-09T09:00"));
    must(s.add_comment(ctx, t.id, customer));
    Ticket now = must(s.get_ticket(t.id.str()));
    ASSERT_EQ(now.slas.size(), 2u);
    EXPECT_EQ(now.slas[1].kpi, SlaKpi::next_response);
    EXPECT_EQ(*now.slas[1].failure_at, tehran("2026-02-09T10:00"));
    must(s.add_comment(ctx, t.id, customer));  // still waiting: no second clock
    EXPECT_EQ(must(s.get_ticket(t.id.str())).slas.size(), 2u);
    clock->set(tehran("2026-02-09T09:20"));
    must(s.add_comment(ctx, t.id, agent));
    now = must(s.get_ticket(t.id.str()));
    EXPECT_EQ(now.slas[1].status, SlaStatus::succeeded);
    EXPECT_EQ(now.slas[1].elapsed_ms, 20 * kMinute);
}

TEST_P(Desk, PolicyChosenByRuleAndRetargeted) {
    Service s = desk();
    must(s.define_sla_policy(ctx, kStandard));
    must(s.define_sla_policy(ctx, R"({"id": "vip-urgent", "order": 10,
        "when": {"and": [{"eq": [{"field": "priority"}, "urgent"]},
                         {"contains": [{"field": "party_tags"}, "vip"]}]},
        "kpis": {"resolution": {"warning": {"business_hours": 1}, "failure": {"business_hours": 2}}}})"));
    const auto policies = must(s.sla_policies());
    ASSERT_EQ(policies.size(), 2u);
    EXPECT_EQ(policies[0].id, "vip-urgent");

    PartyInput vip;
    vip.first_name = "Nasrin";
    vip.last_name = "Vip";
    vip.tags = std::vector<std::string>{"vip"};
    const Party p = must(engine->create_party(ctx, vip));
    TicketInput in;
    in.subject = "Line down";
    in.party = p.id;
    in.priority = TicketPriority::urgent;
    Ticket t = must(s.create_ticket(ctx, in));
    EXPECT_EQ(t.sla_policy, "vip-urgent");
    ASSERT_EQ(t.slas.size(), 1u);
    EXPECT_EQ(*t.slas[0].failure_at, tehran("2026-02-09T10:00"));

    // Lowered to normal: the standard policy; the resolution clock keeps its
    // start and takes the new targets, and a first-response clock starts.
    clock->set(tehran("2026-02-09T09:00"));
    t = must(s.update_ticket(ctx, t.id, changing([](TicketInput& in) { in.priority = TicketPriority::normal; })));
    EXPECT_EQ(t.sla_policy, "standard");
    const SlaInstance* res = clock_of(t, SlaKpi::resolution);
    EXPECT_EQ(res->started_at, tehran("2026-02-09T08:00"));
    EXPECT_EQ(*res->failure_at, tehran("2026-02-09T16:00"));
    ASSERT_TRUE(clock_of(t, SlaKpi::first_response));
    EXPECT_EQ(*clock_of(t, SlaKpi::first_response)->failure_at, tehran("2026-02-09T10:00"));

    // A new version of the policy retargets the open clocks.
    must(s.define_sla_policy(ctx, R"({"id": "standard", "name": "Standard",
      "kpis": {"first_response": {"warning": {"business_hours": 1}, "failure": {"business_hours": 2}},
               "resolution": {"warning": {"business_hours": 2}, "failure": {"business_hours": 4}}}})"));
    t = must(s.get_ticket(t.id.str()));
    EXPECT_EQ(t.sla_policy_version, 2);
    EXPECT_EQ(*clock_of(t, SlaKpi::resolution)->failure_at, tehran("2026-02-09T12:00"));

    // So does a change of the calendar it counts in: Mondays now break
    // from 10:00 to 11:00, so four hours from 08:00 end at 13:00.
    must(engine->define_calendar(ctx, R"({"id": "default", "week": {
        "saturday": ["08:00-16:00"], "sunday": ["08:00-16:00"],
        "monday": ["08:00-10:00", "11:00-16:00"], "tuesday": ["08:00-16:00"],
        "wednesday": ["08:00-16:00"], "thursday": ["08:00-12:00"]}})"));
    t = must(s.get_ticket(t.id.str()));
    EXPECT_EQ(*clock_of(t, SlaKpi::resolution)->failure_at, tehran("2026-02-09T13:00"));
    EXPECT_EQ(events_of("ticket.sla_retargeted").size(), 2u);  // the policy's version, then the calendar
    const auto trace = must(s.explain_sla(t.id, SlaKpi::resolution));
    ASSERT_FALSE(trace.steps.empty());
    EXPECT_EQ(trace.steps.back().to, tehran("2026-02-09T13:00"));
    bool lunch = false;
    for (const auto& step : trace.steps) lunch |= step.what == "off hours";
    EXPECT_TRUE(lunch);
    CRM_EXPECT_ERROR(s.explain_sla(t.id, SlaKpi::next_response), errc::not_found, "kpi");
}

TEST_P(Desk, ReopenWithinThePeriodOnly) {
    Service s = desk();
    must(s.define_sla_policy(ctx, kStandard));
    Ticket t = open_ticket(person("c-6", "Leila", "Sadeghi"));
    t = must(s.move_ticket(ctx, t.id, "resolve", "answered"));
    clock->set(tehran("2026-02-12T09:00"));
    t = must(s.move_ticket(ctx, t.id, "reopen"));
    EXPECT_EQ(t.state, "open");
    EXPECT_EQ(t.reopen_count, 1);
    EXPECT_FALSE(t.resolved_at);
    // A fresh resolution clock from the reopening; the first one stays met.
    std::vector<const SlaInstance*> resolutions;
    for (const auto& c : t.slas)
        if (c.kpi == SlaKpi::resolution) resolutions.push_back(&c);
    ASSERT_EQ(resolutions.size(), 2u);
    EXPECT_EQ(resolutions[0]->status, SlaStatus::succeeded);
    EXPECT_EQ(resolutions[1]->started_at, tehran("2026-02-12T09:00"));
    EXPECT_EQ(events_of("ticket.reopened").size(), 1u);

    t = must(s.move_ticket(ctx, t.id, "resolve", "answered again"));
    clock->set(tehran("2026-02-20T09:00"));  // eight days later
    auto late = s.move_ticket(ctx, t.id, "reopen");
    ASSERT_FALSE(late);
    EXPECT_EQ(late.error().code, errc::invalid_transition);
    EXPECT_NE(late.error().message.find("resolved"), std::string::npos);
    CRM_EXPECT_ERROR(s.update_ticket(ctx, t.id, changing([](TicketInput& in) { in.subject = "x"; })),
                     errc::invalid_transition, "id");
}

TEST_P(Desk, MergeAsDuplicate) {
    Service s = desk();
    must(s.define_sla_policy(ctx, kStandard));
    const Party p = person("c-7", "Omid", "Jafari");
    const Ticket a = open_ticket(p, "No internet");
    const Ticket b = open_ticket(p, "Internet is down");
    CRM_EXPECT_ERROR(s.merge_ticket(ctx, b.id, b.id), errc::invalid_argument, "into");
    CRM_EXPECT_ERROR(s.move_ticket(ctx, b.id, "merge"), errc::invalid_argument, "move");
    const Ticket merged = must(s.merge_ticket(ctx, b.id, a.id));
    EXPECT_EQ(merged.state, "merged");
    EXPECT_EQ(merged.status, "cancelled");
    EXPECT_EQ(merged.merged_into, a.id);
    for (const auto& c : merged.slas) EXPECT_EQ(c.status, SlaStatus::cancelled);
    CommentInput note;
    note.body = "more";
    CRM_EXPECT_ERROR(s.add_comment(ctx, b.id, note), errc::invalid_transition, "ticket");
    CRM_EXPECT_ERROR(s.merge_ticket(ctx, a.id, b.id), errc::invalid_transition, "into");
    for (const auto& m : must(s.ticket_moves(a.id))) EXPECT_NE(m.name, "merge");
}

TEST_P(Desk, BadInputIsRefusedAndWritesNothing) {
    Service s = desk();
    must(s.define_sla_policy(ctx, kStandard));
    const Party p = person("c-8", "Zahra", "Kazemi");
    PartyInput org;
    org.kind = PartyKind::organization;
    org.organization_name = "Pars Co";
    const Party company = must(engine->create_party(ctx, org));
    const std::size_t before = event_count();
    TicketInput in;
    in.party = p.id;
    CRM_EXPECT_ERROR(s.create_ticket(ctx, in), errc::invalid_argument, "subject");
    in.subject = "x";
    in.party.reset();
    CRM_EXPECT_ERROR(s.create_ticket(ctx, in), errc::invalid_argument, "party");
    in.party = p.id;
    in.contact = company.id;
    CRM_EXPECT_ERROR(s.create_ticket(ctx, in), errc::invalid_argument, "contact");
    in.contact.reset();
    in.purchase_order_id = "SO-404";
    CRM_EXPECT_ERROR(s.create_ticket(ctx, in), errc::not_found, "purchase_order_id");
    in.purchase_order_id.reset();
    in.parent = Id::parse("01890000-0000-7000-8000-000000000000").value();
    CRM_EXPECT_ERROR(s.create_ticket(ctx, in), errc::not_found, "parent");
    in.parent.reset();
    in.process = "nope";
    CRM_EXPECT_ERROR(s.create_ticket(ctx, in), errc::not_found, "process");
    in.process.clear();
    EXPECT_EQ(event_count(), before);
    EXPECT_TRUE(must(s.tickets_of(p.id)).empty());

    // A required custom field must be given, also when no custom value is.
    FieldDef device;
    device.record_type = "ticket";
    device.name = "device";
    device.required = true;
    must(engine->define_field(ctx, device));
    const std::size_t declared = event_count();
    CRM_EXPECT_ERROR(s.create_ticket(ctx, in), errc::invalid_argument, "custom.device");
    EXPECT_EQ(event_count(), declared);
    in.custom["device"] = Value{std::string("modem")};
    const Ticket with_device = must(s.create_ticket(ctx, in));
    EXPECT_EQ(std::get<std::string>(with_device.custom.at("device")), "modem");
    TicketInput clear;
    clear.custom["device"] = Value{};
    CRM_EXPECT_ERROR(s.update_ticket(ctx, with_device.id, clear), errc::invalid_argument,
                     "custom.device");
    must(engine->define_field(ctx, [] {
        FieldDef d;
        d.record_type = "ticket";
        d.name = "device";
        return d;
    }()));
    in.custom.clear();

    // An illegal move names the state and the moves allowed.
    const Ticket t = open_ticket(p);
    auto illegal = s.move_ticket(ctx, t.id, "close");
    ASSERT_FALSE(illegal);
    EXPECT_EQ(illegal.error().code, errc::invalid_transition);
    EXPECT_NE(illegal.error().message.find("new"), std::string::npos);
    EXPECT_NE(illegal.error().message.find("pend_customer"), std::string::npos);
    EXPECT_EQ(must(s.get_ticket(t.id.str())).version, t.version);

    // SLA policies: errors name the JSON path; nothing stored.
    const auto policy_error = [&](const std::string& json, const std::string& field) {
        auto r = s.define_sla_policy(ctx, json);
        ASSERT_FALSE(r) << json;
        EXPECT_EQ(r.error().field, field) << r.error().what();
    };
    policy_error(R"({"id": "p", "kpis": {}})", "kpis");
    policy_error(R"({"id": "p", "kpis": {"speed": {"failure": {"business_hours": 1}}}})", "kpis.speed");
    policy_error(R"({"id": "p", "kpis": {"resolution": {}}})", "kpis.resolution.failure");
    policy_error(R"({"id": "p", "kpis": {"resolution": {"failure": {"days": 1}}}})",
                 "kpis.resolution.failure.days");
    policy_error(R"({"id": "p", "kpis": {"resolution": {"failure": {"business_hours": 0}}}})",
                 "kpis.resolution.failure.business_hours");
    policy_error(R"({"id": "p", "kpis": {"resolution": {"warning": {"business_hours": 3},
                                                         "failure": {"business_hours": 2}}}})",
                 "kpis.resolution.warning");
    policy_error(R"({"id": "p", "when": {"eq": [{"field": "colour"}, "red"]},
                     "kpis": {"resolution": {"failure": {"business_hours": 2}}}})",
                 "when.eq[0]");
    policy_error(R"({"id": "p", "calendar": "mars",
                     "kpis": {"resolution": {"failure": {"business_hours": 2}}}})",
                 "calendar");
    policy_error(R"({"id": "p", "colour": 1, "kpis": {}})", "colour");
    policy_error(R"({"kpis": {"resolution": {"failure": {"business_hours": 2}}}})", "id");
    EXPECT_EQ(must(s.sla_policies()).size(), 1u);
    // A calendar with overlapping hours is refused before anything is written.
    CRM_EXPECT_ERROR(engine->define_calendar(ctx, R"({"id": "x", "week": {
        "saturday": ["08:00-12:00", "11:00-16:00"]}})"),
                     errc::invalid_argument, "week.saturday[1]");
}

TEST_P(Desk, TypesMayHaveTheirOwnProcess) {
    Service s = desk();
    // A return needs approval and the goods received before it is resolved.
    must(engine->define_process(ctx, R"({"id": "ticket_return", "record_type": "ticket",
      "states": [{"id": "requested", "initial": true}, {"id": "approved"},
                 {"id": "goods_received"}, {"id": "refunded", "category": "closed"},
                 {"id": "rejected", "category": "cancelled"}],
      "transitions": [{"name": "approve", "from": "requested", "to": "approved"},
                      {"name": "receive", "from": "approved", "to": "goods_received"},
                      {"name": "refund", "from": "goods_received", "to": "refunded"},
                      {"name": "reject", "from": "*", "to": "rejected", "close_record": true}]})"));
    TicketInput in;
    in.subject = "Return the router";
    in.party = person("c-9", "Kian", "Azadi").id;
    in.type = TicketType::return_request;
    Ticket t = must(s.create_ticket(ctx, in));
    EXPECT_EQ(t.process, "ticket_return");
    EXPECT_EQ(t.state, "requested");
    auto early = s.move_ticket(ctx, t.id, "refund");
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, errc::invalid_transition);
    must(s.move_ticket(ctx, t.id, "approve"));
    must(s.move_ticket(ctx, t.id, "receive"));
    t = must(s.move_ticket(ctx, t.id, "refund"));
    EXPECT_EQ(t.status, "closed");
    ASSERT_TRUE(t.resolved_at);
    ASSERT_TRUE(t.closed_at);  // refunded is final
    // Other types keep the built-in lifecycle.
    in.type = TicketType::complaint;
    EXPECT_EQ(must(s.create_ticket(ctx, in)).process, "ticket");
}

TEST_P(Desk, TicketsSurviveReopeningTheDatabase) {
    Service s = desk();
    must(s.define_sla_policy(ctx, kStandard));
    TicketInput in;
    in.subject = "پرینتر کار نمی‌کند";
    in.party = person("c-10", "Parisa", "Hosseini").id;
    in.external_id = "WEB-1";
    in.category = "hardware/printer";
    const Ticket t = must(s.create_ticket(ctx, in));
    CRM_EXPECT_ERROR(s.create_ticket(ctx, in), errc::conflict, "external_id");
    auto again = reopen();
    if (!again) return;
    Service other(*again);
    const Ticket read = must(other.get_ticket("WEB-1"));
    EXPECT_EQ(read.id, t.id);
    EXPECT_EQ(read.subject, in.subject);
    EXPECT_EQ(read.category, "hardware/printer");
    EXPECT_EQ(read.slas, t.slas);
    EXPECT_EQ(read.due_at, t.due_at);
}

TEST_P(Desk, SatisfactionFirstContactResolutionAndThePortal) {
    Service s = desk();
    const Party p = person("c-11", "Roya", "Tehrani");
    // Answered once and resolved: resolved at first contact.
    Ticket quick = open_ticket(p, "Password reset");
    CommentInput answer;
    answer.body = "Done: check your e-mail";
    must(s.add_comment(ctx, quick.id, answer));
    CommentInput note;
    note.is_public = false;
    note.body = "internal: user verified by phone";
    must(s.add_comment(ctx, quick.id, note));
    quick = must(s.move_ticket(ctx, quick.id, "resolve", "reset"));
    EXPECT_TRUE(quick.first_contact_resolution);
    EXPECT_EQ(quick.agent_replies, 1);
    // A customer follow-up, a referral or a reopen is not first contact.
    Ticket slow = open_ticket(p, "Router keeps dropping");
    CommentInput follow;
    follow.author_kind = AuthorKind::customer;
    follow.body = "still dropping";
    must(s.add_comment(ctx, slow.id, answer));
    must(s.add_comment(ctx, slow.id, follow));
    slow = must(s.move_ticket(ctx, slow.id, "resolve", "firmware updated"));
    EXPECT_FALSE(slow.first_contact_resolution);
    Ticket reopened = must(s.move_ticket(ctx, quick.id, "reopen"));
    EXPECT_FALSE(reopened.first_contact_resolution);
    must(s.move_ticket(ctx, quick.id, "resolve", "reset again"));

    // CSAT on resolved tickets only, 1..5; answering again replaces it.
    const Ticket open = open_ticket(p, "Still open");
    CRM_EXPECT_ERROR(s.record_csat(ctx, open.id, 4), errc::invalid_transition, "id");
    CRM_EXPECT_ERROR(s.record_csat(ctx, slow.id, 6), errc::invalid_argument, "score");
    CRM_EXPECT_ERROR(s.record_csat(ctx, slow.id, 0), errc::invalid_argument, "score");
    must(s.record_csat(ctx, slow.id, 2, "slow"));
    clock->advance(kMinute);
    const Ticket rated = must(s.record_csat(ctx, slow.id, 4, "fixed in the end"));
    EXPECT_EQ(rated.csat, 4);
    EXPECT_EQ(rated.csat_comment, "fixed in the end");
    EXPECT_EQ(events_of("ticket.csat").size(), 2u);

    // NPS per party, 0..10.
    CRM_EXPECT_ERROR(s.record_nps(ctx, p.id, 11), errc::invalid_argument, "score");
    CRM_EXPECT_ERROR(s.record_nps(ctx, Id{}, 9), errc::not_found, "party");
    must(s.record_nps(ctx, p.id, 6, "ok"));
    clock->advance(kMinute);
    must(s.record_nps(ctx, p.id, 9, "great support"));
    const auto answers = must(s.nps_of(p.id));
    ASSERT_EQ(answers.size(), 2u);
    EXPECT_EQ(answers[0].score, 9);
    CRM_EXPECT_ERROR(s.nps_of(p.id, 0), errc::invalid_argument, "limit");

    // The 360 view shows the last of each.
    const auto view = must(engine->customer_360(p.id));
    ASSERT_TRUE(view.last_csat);
    EXPECT_EQ(view.last_csat->ticket, slow.id);
    EXPECT_EQ(view.last_csat->score, 4);
    ASSERT_TRUE(view.last_nps);
    EXPECT_EQ(view.last_nps->score, 9);

    // The portal: every ticket of the party with its state's label and its
    // public comments only.
    const auto portal = must(s.portal_view(p.id));
    ASSERT_EQ(portal.size(), 3u);
    EXPECT_EQ(portal[0].id, open.id);
    EXPECT_EQ(portal[0].state_label, "New");
    const auto& first = portal[2];
    EXPECT_EQ(first.id, quick.id);
    EXPECT_EQ(first.state_label, "Resolved");
    ASSERT_EQ(first.comments.size(), 1u);
    EXPECT_EQ(first.comments[0].body, "Done: check your e-mail");
    CRM_EXPECT_ERROR(s.portal_view(Id{}), errc::not_found, "party");
}

TEST_P(Desk, AssignmentRulesRoundRobinLeastLoadedAndBySkill) {
    Service s = desk();
    must(s.define_queue(ctx, Queue{"tier1", "", {{"sara", {"fa"}}, {"reza", {}}, {"omid", {"fa"}}}}));
    must(s.define_queue(ctx, Queue{"billing", "", {{"mina", {}}, {"nima", {}}}}));
    must(s.define_queue(ctx, Queue{"field", "", {{"kaveh", {}}}}));
    must(s.define_assignment_rule(ctx, R"({"id": "billing", "order": 10,
        "when": {"starts_with": [{"field": "category"}, "billing"]},
        "queue": "billing", "strategy": "least_loaded"})"));
    must(s.define_assignment_rule(ctx, R"({"id": "persian", "order": 20,
        "when": {"eq": [{"field": "channel"}, "call"]}, "queue": "tier1", "strategy": "skill",
        "skill": "fa"})"));
    must(s.define_assignment_rule(ctx, R"({"id": "rest", "queue": "tier1"})"));
    const auto rules = must(s.assignment_rules());
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules[2].strategy, AssignStrategy::round_robin);

    const Party p = person("c-12", "Kaveh", "Ahmadi");
    const auto make = [&](const std::string& category, Channel channel) {
        TicketInput in;
        in.subject = "x";
        in.party = p.id;
        in.category = category;
        in.channel = channel;
        return must(s.create_ticket(ctx, in));
    };
    // Round robin over tier1: sara, reza, omid, sara.
    std::vector<std::string> turns;
    for (int i = 0; i < 4; ++i) turns.push_back(make("", Channel::email).assignee);
    EXPECT_EQ(turns, (std::vector<std::string>{"sara", "reza", "omid", "sara"}));
    // Least loaded: mina, then nima, then whoever has fewer.
    EXPECT_EQ(make("billing/refund", Channel::email).assignee, "mina");
    const Ticket second = make("billing/refund", Channel::email);
    EXPECT_EQ(second.assignee, "nima");
    EXPECT_EQ(second.queue, "billing");
    must(s.move_ticket(ctx, second.id, "cancel", "duplicate"));
    EXPECT_EQ(make("billing", Channel::email).assignee, "nima");  // nima has none open now
    // By skill: the least loaded of sara and omid (sara has two of tier1's open tickets).
    EXPECT_EQ(make("", Channel::call).assignee, "omid");
    // A ticket created with a queue only goes through that queue's rules.
    TicketInput field;
    field.subject = "visit";
    field.party = p.id;
    field.queue = "field";
    EXPECT_EQ(must(s.create_ticket(ctx, field)).assignee, "");
    // An explicit assignee is kept.
    TicketInput given;
    given.subject = "x";
    given.party = p.id;
    given.queue = "tier1";
    given.assignee = "reza";
    const Ticket kept = must(s.create_ticket(ctx, given));
    EXPECT_EQ(kept.assignee, "reza");
    // auto_assign after a referral to billing.
    Ticket moved = must(s.refer_ticket(ctx, kept.id, "billing", "", "billing question"));
    EXPECT_EQ(moved.assignee, "");
    EXPECT_EQ(must(s.auto_assign(ctx, moved.id)).version, moved.version);  // billing's rule needs a category
    must(s.update_ticket(ctx, moved.id, changing([](TicketInput& in) { in.category = "billing/invoice"; })));
    moved = must(s.auto_assign(ctx, moved.id));
    EXPECT_EQ(moved.queue, "billing");
    EXPECT_EQ(moved.assignee, "mina");  // one open billing ticket each; mina comes first

    const auto rule_error = [&](const std::string& json, const std::string& field, errc code) {
        auto r = s.define_assignment_rule(ctx, json);
        ASSERT_FALSE(r) << json;
        EXPECT_EQ(r.error().code, code) << r.error().what();
        EXPECT_EQ(r.error().field, field) << r.error().what();
    };
    rule_error(R"({"id": "x", "queue": "nowhere"})", "queue", errc::not_found);
    rule_error(R"({"id": "x", "queue": "tier1", "strategy": "skill"})", "skill", errc::invalid_argument);
    rule_error(R"({"id": "x", "queue": "tier1", "skill": "fa"})", "skill", errc::invalid_argument);
    rule_error(R"({"id": "x", "queue": "tier1", "strategy": "random"})", "strategy",
               errc::invalid_argument);
    rule_error(R"({"id": "x", "queue": "tier1", "when": {"eq": [{"field": "mood"}, 1]}})",
               "when.eq[0]", errc::invalid_argument);
    EXPECT_EQ(must(s.assignment_rules()).size(), 3u);
}

TEST_P(Desk, EscalationRulesFireOnceAfterTheirBusinessTime) {
    Service s = desk();
    must(s.define_sla_policy(ctx, kStandard));
    must(s.define_queue(ctx, Queue{"tier1", "", {{"sara", {}}}}));
    must(s.define_queue(ctx, Queue{"tier2", "", {{"arash", {}}}}));
    // No first response for 90 business minutes: raise to high, move to tier2, notify.
    must(s.define_escalation_rule(ctx, R"({"id": "no-first-response", "order": 10,
        "when": {"is_empty": {"field": "first_response_at"}},
        "after": {"business_minutes": 90},
        "actions": {"priority": "high", "queue": "tier2", "notify": "escalation.no_response"}})"));
    // Nearing breach: notify at once.
    must(s.define_escalation_rule(ctx, R"({"id": "near-breach",
        "when": {"eq": [{"field": "sla_status"}, "nearing_breach"]},
        "after": {"business_minutes": 0}, "actions": {"notify": "escalation.near_breach"}})"));
    // Reopened twice: urgent.
    must(s.define_escalation_rule(ctx, R"({"id": "reopened-twice",
        "when": {"ge": [{"field": "reopen_count"}, 2]},
        "after": {"business_minutes": 0}, "actions": {"priority": "urgent"}})"));
    EXPECT_EQ(must(s.escalation_rules()).size(), 3u);

    TicketInput in;
    in.subject = "No dial tone";
    in.party = person("c-13", "Arash", "Kamali").id;
    in.queue = "tier1";
    in.assignee = "sara";
    Ticket t = must(s.create_ticket(ctx, in));
    ASSERT_EQ(t.escalations.size(), 1u);
    EXPECT_EQ(t.escalations[0].rule, "no-first-response");
    EXPECT_EQ(*t.escalations[0].due_at, tehran("2026-02-09T09:30"));
    EXPECT_EQ(*t.due_at, tehran("2026-02-09T09:00"));  // the first-response warning comes first

    // 09:00: the first-response warning; near-breach holds and fires at once.
    auto at9 = must(s.tick(ctx, tehran("2026-02-09T09:00")));
    EXPECT_EQ(at9.warnings, 1);
    EXPECT_EQ(at9.escalations, 1);
    EXPECT_EQ(events_of("escalation.near_breach").size(), 1u);
    // 09:30: no first response for 90 business minutes.
    auto at930 = must(s.tick(ctx, tehran("2026-02-09T09:30")));
    EXPECT_EQ(at930.escalations, 1);
    t = must(s.get_ticket(t.id.str()));
    EXPECT_EQ(t.priority, TicketPriority::high);
    EXPECT_EQ(t.queue, "tier2");
    EXPECT_EQ(t.assignee, "");
    EXPECT_EQ(events_of("escalation.no_response").size(), 1u);
    EXPECT_EQ(events_of("ticket.escalated").size(), 2u);
    EXPECT_EQ(must(engine->history("ticket", t.id)).back().move, "escalate");
    // Once per ticket: ticking again does nothing.
    EXPECT_EQ(must(s.tick(ctx, tehran("2026-02-09T11:00"))).escalations, 0);

    // An escalation fired by tick that brings the ticket under a policy
    // starts its clocks (and tick's audit lists them).
    must(s.define_sla_policy(ctx, R"({"id": "urgent-only", "order": 1,
        "when": {"eq": [{"field": "priority"}, "urgent"]},
        "kpis": {"resolution": {"failure": {"business_hours": 1}}}})"));
    must(s.define_sla_policy(ctx, R"({"id": "standard", "when": false,
        "kpis": {"resolution": {"failure": {"business_hours": 8}}}})"));
    must(s.define_escalation_rule(ctx, R"({"id": "z-raise", "order": 200,
        "when": {"eq": [{"field": "subject"}, "raise me"]},
        "after": {"business_minutes": 30}, "actions": {"priority": "urgent"}})"));
    TicketInput raise = in;
    raise.subject = "raise me";
    raise.queue.reset();
    raise.assignee.reset();
    const Ticket plain = must(s.create_ticket(ctx, raise));
    EXPECT_TRUE(plain.slas.empty());
    must(s.tick(ctx, tehran("2026-02-09T08:45")));
    const Ticket raised = must(s.get_ticket(plain.id.str()));
    EXPECT_EQ(raised.priority, TicketPriority::urgent);
    EXPECT_EQ(raised.sla_policy, "urgent-only");
    ASSERT_EQ(raised.slas.size(), 1u);
    const auto trail = must(engine->audit_trail(plain.id));
    ASSERT_FALSE(trail.empty());
    bool listed = false;
    for (const auto& a : trail)
        for (const auto& c : a.changes) listed |= c.field == "slas[0].status" && c.before == "null";
    EXPECT_TRUE(listed);
    clock->set(tehran("2026-02-09T08:00"));

    // A condition that stops holding drops its watch: answered in time.
    Ticket calm = must(s.create_ticket(ctx, in));
    clock->set(tehran("2026-02-09T08:30"));
    CommentInput reply;
    reply.body = "On it";
    must(s.add_comment(ctx, calm.id, reply));
    calm = must(s.get_ticket(calm.id.str()));
    EXPECT_TRUE(calm.escalations.empty());

    // Reopened twice escalates on the write itself, with no tick.
    for (int i = 0; i < 2; ++i) {
        must(s.move_ticket(ctx, calm.id, "resolve", "done"));
        calm = must(s.move_ticket(ctx, calm.id, "reopen"));
    }
    EXPECT_EQ(calm.priority, TicketPriority::urgent);
    EXPECT_EQ(calm.reopen_count, 2);

    const auto rule_error = [&](const std::string& json, const std::string& field, errc code) {
        auto r = s.define_escalation_rule(ctx, json);
        ASSERT_FALSE(r) << json;
        EXPECT_EQ(r.error().code, code) << r.error().what();
        EXPECT_EQ(r.error().field, field) << r.error().what();
    };
    rule_error(R"({"id": "x", "after": {"business_hours": 1}, "actions": {"notify": "a"}})", "when",
               errc::invalid_argument);
    rule_error(R"({"id": "x", "when": true, "actions": {"notify": "a"}})", "after",
               errc::invalid_argument);
    rule_error(R"({"id": "x", "when": true, "after": {"hours": 1}, "actions": {"notify": "a"}})",
               "after.hours", errc::invalid_argument);
    rule_error(R"({"id": "x", "when": true, "after": {"business_hours": 1}, "actions": {}})",
               "actions", errc::invalid_argument);
    rule_error(R"({"id": "x", "when": true, "after": {"business_hours": 1},
                   "actions": {"queue": "nowhere"}})",
               "actions.queue", errc::not_found);
    rule_error(R"({"id": "x", "when": true, "after": {"business_hours": 1},
                   "actions": {"priority": "asap"}})",
               "actions.priority", errc::invalid_argument);
    rule_error(R"({"id": "x", "when": true, "after": {"business_hours": 1},
                   "actions": {"notify": "Bad Type"}})",
               "actions.notify", errc::invalid_argument);
    EXPECT_EQ(must(s.escalation_rules()).size(), 4u);
}

// Definitions are remembered between calls; another connection's new
// version, and a version rolled back, must still be seen as they are.
TEST_P(Desk, DefinitionsChangedElsewhereOrRolledBackAreSeen) {
    Service s = desk();
    must(s.define_sla_policy(ctx, kStandard));
    const Party p = person("c-14", "Sima", "Parsa");
    EXPECT_EQ(open_ticket(p).sla_policy_version, 1);
    // Rolled back: the next ticket still follows version 1.
    must(engine->begin());
    must(s.define_sla_policy(ctx, R"({"id": "standard", "kpis": {"resolution": {"failure": {"business_hours": 3}}}})"));
    EXPECT_EQ(open_ticket(p).sla_policy_version, 2);
    must(engine->rollback());
    EXPECT_EQ(open_ticket(p).sla_policy_version, 1);
    auto other = reopen();
    if (!other) return;
    // Another connection stores version 2 and an escalation rule.
    Service elsewhere(*other);
    must(elsewhere.define_sla_policy(ctx, R"({"id": "standard", "kpis": {"resolution": {"failure": {"business_hours": 3}}}})"));
    must(elsewhere.define_escalation_rule(ctx, R"({"id": "at-once", "when": true,
        "after": {"business_minutes": 0}, "actions": {"notify": "escalation.any"}})"));
    const Ticket t = open_ticket(p);
    EXPECT_EQ(t.sla_policy_version, 2);
    ASSERT_EQ(t.escalations.size(), 1u);
    EXPECT_EQ(t.escalations[0].rule, "at-once");
}

TEST_P(Desk, TheServiceReport) {
    Service s = desk();
    must(s.define_sla_policy(ctx, kStandard));
    must(s.define_queue(ctx, Queue{"tier1", "", {}}));
    must(s.define_queue(ctx, Queue{"billing", "", {}}));
    const Party p = person("c-15", "Mehdi", "Rostami");
    TicketInput in;
    in.subject = "x";
    in.party = p.id;
    in.queue = "tier1";
    Ticket quick = must(s.create_ticket(ctx, in));
    const Ticket slow = must(s.create_ticket(ctx, in));
    in.queue = "billing";
    const Ticket dropped = must(s.create_ticket(ctx, in));
    clock->set(tehran("2026-02-09T08:30"));
    CommentInput reply;
    reply.body = "done";
    must(s.add_comment(ctx, quick.id, reply));
    must(s.move_ticket(ctx, quick.id, "open"));  // half an hour in new
    clock->set(tehran("2026-02-09T09:00"));
    must(s.move_ticket(ctx, dropped.id, "cancel", "duplicate call"));
    clock->set(tehran("2026-02-09T10:00"));
    quick = must(s.move_ticket(ctx, quick.id, "resolve", "reset"));
    must(s.record_csat(ctx, quick.id, 5));
    clock->set(tehran("2026-02-09T11:00"));
    must(s.move_ticket(ctx, slow.id, "open"));  // three hours in new: over the expected two
    for (int score : {10, 9, 3}) must(s.record_nps(ctx, p.id, score));
    clock->set(tehran("2026-02-10T08:00"));

    ServiceReportQuery q;
    q.period = "2026-02";
    const ServiceReport r = must(s.report(q));
    EXPECT_EQ(r.from_date, "2026-02-01");
    EXPECT_EQ(r.to_date, "2026-03-01");
    EXPECT_EQ(r.opened, 3);
    const auto row = [&](const std::string& group, SlaKpi kpi) {
        for (const auto& x : r.sla)
            if (x.group == group && x.kpi == kpi) return x;
        ADD_FAILURE() << group << " " << to_string(kpi);
        return SlaComplianceRow{};
    };
    EXPECT_EQ(row("tier1", SlaKpi::first_response).met, 1);
    EXPECT_EQ(row("tier1", SlaKpi::first_response).breached, 1);
    EXPECT_DOUBLE_EQ(row("tier1", SlaKpi::first_response).compliance, 0.5);
    // The slow ticket's resolution breached at 16:00 though nobody ticked.
    EXPECT_EQ(row("tier1", SlaKpi::resolution).met, 1);
    EXPECT_EQ(row("tier1", SlaKpi::resolution).breached, 1);
    EXPECT_EQ(row("billing", SlaKpi::resolution).cancelled, 1);
    ASSERT_EQ(r.backlog.size(), 1u);
    EXPECT_EQ(r.backlog[0].group, "tier1");
    EXPECT_EQ(r.backlog[0].open, 1);
    EXPECT_DOUBLE_EQ(r.backlog[0].oldest_age_days, 1.0);
    EXPECT_EQ(r.backlog[0].by_age[1], 1);
    const auto state = [&](const std::string& queue, const std::string& st) {
        for (const auto& x : r.states)
            if (x.queue == queue && x.state == st) return x;
        ADD_FAILURE() << queue << " " << st;
        return StateTimeRow{};
    };
    const StateTimeRow fresh = state("tier1", "new");
    EXPECT_EQ(fresh.stints, 2);
    EXPECT_DOUBLE_EQ(fresh.mean_hours, 1.75);
    EXPECT_DOUBLE_EQ(fresh.p50_hours, 0.5);
    EXPECT_DOUBLE_EQ(fresh.p90_hours, 3.0);
    EXPECT_EQ(fresh.expected, "2 business_hours");
    EXPECT_EQ(fresh.overran, 1);
    EXPECT_FALSE(fresh.bottleneck);
    EXPECT_EQ(state("billing", "new").overran, 0);
    EXPECT_EQ(state("tier1", "open").stints, 1);
    EXPECT_EQ(r.resolved, 1);
    EXPECT_EQ(r.first_contact_resolved, 1);
    EXPECT_EQ(r.csat_answers, 1);
    EXPECT_DOUBLE_EQ(r.csat_average, 5.0);
    EXPECT_EQ(r.nps_answers, 3);
    EXPECT_EQ(r.promoters, 2);
    EXPECT_EQ(r.detractors, 1);
    EXPECT_NEAR(r.nps, 33.33, 0.01);
    // By priority: every ticket is normal.
    q.group_by = ServiceGroup::priority;
    const ServiceReport by = must(s.report(q));
    ASSERT_EQ(by.backlog.size(), 1u);
    EXPECT_EQ(by.backlog[0].group, "normal");
    // A month with nothing in it, and bad periods.
    q.period = "1404-12";
    q.calendar = CalendarSystem::jalali;
    EXPECT_EQ(must(s.report(q)).opened, 0);
    q.period = "2026-13";
    CRM_EXPECT_ERROR(s.report(q), errc::invalid_argument, "period");
    q.period = "2026";
    q.time_zone = "Mars/Olympus";
    CRM_EXPECT_ERROR(s.report(q), errc::invalid_argument, "time_zone");
}

TEST_P(Desk, ProactiveRecallsOncePerParty) {
    Service s = desk();
    must(s.define_queue(ctx, Queue{"recalls", "", {}}));
    const auto buy = [&](const Party& p, const std::string& order, const std::string& sku,
                         const std::string& when) {
        Purchase o;
        o.party = p.id;
        o.order_id = order;
        o.ordered_at = tehran(when);
        o.total = Money{1'000'000, "IRR"};
        o.lines = {PurchaseLine{sku, sku, 1, Money{1'000'000, "IRR"}, Money{1'000'000, "IRR"}}};
        must(engine->record_purchase(ctx, o));
    };
    const Party a = person("c-16", "Ali", "Saberi");
    const Party b = person("c-17", "Bita", "Hamidi");
    const Party c = person("c-18", "Cyrus", "Yazdi");
    buy(a, "SO-1", "ROUTER-X", "2025-06-01T10:00");
    buy(a, "SO-2", "ROUTER-X", "2025-07-01T10:00");  // twice: one case
    buy(b, "SO-3", "ROUTER-X", "2023-01-01T10:00");  // outside the period
    buy(c, "SO-4", "MODEM-Y", "2025-06-01T10:00");   // another product
    ProactiveAction recall;
    recall.id = "router-x-2025";
    recall.rule = R"({"and": [{"contains": [{"field": "skus"}, "ROUTER-X"]},
        {"between": [{"field": "ordered_on"}, {"date": "1404-01-01", "calendar": "jalali"},
                     {"date": "1404-12-29", "calendar": "jalali"}]}]})";
    recall.subject = "Recall: ROUTER-X power supply";
    recall.queue = "recalls";
    recall.batch_size = 2;
    std::vector<std::int64_t> seen;
    recall.progress = [&](std::int64_t n) { seen.push_back(n); };
    const ProactiveReport first = must(s.run_proactive(ctx, recall));
    EXPECT_EQ(first.scanned, 3);
    EXPECT_EQ(first.matched, 1);
    EXPECT_EQ(first.created, 1);
    EXPECT_EQ(seen, (std::vector<std::int64_t>{2, 3}));
    const Ticket t = must(s.get_ticket("router-x-2025:" + a.id.str()));
    EXPECT_EQ(t.type, TicketType::recall);
    EXPECT_EQ(t.queue, "recalls");
    // Again: nothing new.
    const ProactiveReport again = must(s.run_proactive(ctx, recall));
    EXPECT_EQ(again.created, 0);
    EXPECT_EQ(again.already, 1);
    EXPECT_EQ(must(s.tickets_of(a.id)).size(), 1u);
    // Notices only: an outbound interaction on the timeline, once.
    ProactiveAction notice = recall;
    notice.id = "modem-y-notice";
    notice.rule = R"({"contains": [{"field": "skus"}, "MODEM-Y"]})";
    notice.open_tickets = false;
    EXPECT_EQ(must(s.run_proactive(ctx, notice)).created, 1);
    EXPECT_EQ(must(s.run_proactive(ctx, notice)).already, 1);
    const auto timeline = must(engine->timeline(c.id, TimelineQuery{}));
    ASSERT_EQ(timeline.items.size(), 1u);
    EXPECT_EQ(timeline.items[0].direction, Direction::outbound);
    EXPECT_TRUE(must(s.tickets_of(c.id)).empty());

    ProactiveAction bad = recall;
    bad.rule = R"({"contains": [{"field": "colour"}, "red"]})";
    CRM_EXPECT_ERROR(s.run_proactive(ctx, bad), errc::invalid_argument, "rule.contains[0]");
    bad = recall;
    bad.id = "Bad Id";
    CRM_EXPECT_ERROR(s.run_proactive(ctx, bad), errc::invalid_argument, "id");
    bad = recall;
    bad.subject = " ";
    CRM_EXPECT_ERROR(s.run_proactive(ctx, bad), errc::invalid_argument, "subject");
    bad = recall;
    bad.queue = "nowhere";
    CRM_EXPECT_ERROR(s.run_proactive(ctx, bad), errc::not_found, "queue");
    must(engine->begin());
    CRM_EXPECT_ERROR(s.run_proactive(ctx, recall), errc::conflict, "transaction");
    must(engine->rollback());
}

TEST_P(Desk, WarrantyClaimsAreCheckedAgainstThePurchase) {
    Service s = desk();
    Sales sales(*engine);
    Product router;
    router.sku = "ROUTER-X";
    router.name = "Router";
    router.warranty_days = 365;
    must(sales.define_product(ctx, router));
    EXPECT_EQ(must(sales.get_product("ROUTER-X")).warranty_days, 365);
    Product cable;
    cable.sku = "CABLE";
    cable.name = "Cable";
    must(sales.define_product(ctx, cable));
    Product bad = router;
    bad.warranty_days = -1;
    CRM_EXPECT_ERROR(sales.define_product(ctx, bad), errc::invalid_argument, "warranty_days");
    const Party p = person("c-19", "Hoda", "Karimi");
    const Party other = person("c-20", "Iraj", "Moein");
    const auto buy = [&](const Party& who, const std::string& order, const std::string& when,
                         std::vector<std::string> skus) {
        Purchase o;
        o.party = who.id;
        o.order_id = order;
        o.ordered_at = tehran(when);
        o.total = Money{2, "IRR"};
        for (const auto& sku : skus)
            o.lines.push_back(PurchaseLine{sku, sku, 1, Money{1, "IRR"}, Money{1, "IRR"}});
        must(engine->record_purchase(ctx, o));
    };
    buy(p, "SO-NEW", "2025-06-01T10:00", {"ROUTER-X", "CABLE"});
    buy(p, "SO-OLD", "2024-01-01T10:00", {"ROUTER-X"});
    buy(other, "SO-THEIRS", "2025-06-01T10:00", {"ROUTER-X"});
    const auto claim = [&](const std::string& order, const std::string& sku) {
        TicketInput in;
        in.subject = "Broken";
        in.party = p.id;
        in.type = TicketType::warranty_claim;
        if (!order.empty()) in.purchase_order_id = order;
        if (!sku.empty()) in.product_sku = sku;
        return s.create_ticket(ctx, in);
    };
    EXPECT_EQ(must(claim("SO-NEW", "ROUTER-X")).warranty, "in_warranty");
    EXPECT_EQ(must(claim("SO-OLD", "ROUTER-X")).warranty, "expired");
    EXPECT_EQ(must(claim("SO-NEW", "CABLE")).warranty, "unknown");
    CRM_EXPECT_ERROR(claim("", "ROUTER-X"), errc::invalid_argument, "purchase_order_id");
    CRM_EXPECT_ERROR(claim("SO-NEW", ""), errc::invalid_argument, "product_sku");
    CRM_EXPECT_ERROR(claim("SO-NOPE", "ROUTER-X"), errc::not_found, "purchase_order_id");
    CRM_EXPECT_ERROR(claim("SO-THEIRS", "ROUTER-X"), errc::invalid_argument, "purchase_order_id");
    CRM_EXPECT_ERROR(claim("SO-OLD", "CABLE"), errc::invalid_argument, "product_sku");
    // A process of the claim's own can guard on it.
    must(engine->define_process(ctx, R"({"id": "ticket_warranty_claim", "record_type": "ticket",
      "states": [{"id": "received", "initial": true}, {"id": "repaired", "category": "closed"},
                 {"id": "refused", "category": "closed"}],
      "transitions": [
        {"name": "repair", "from": "received", "to": "repaired",
         "guard": {"eq": [{"field": "warranty"}, "in_warranty"]}},
        {"name": "refuse", "from": "received", "to": "refused", "close_record": true}]})"));
    const Ticket expired = must(claim("SO-OLD", "ROUTER-X"));
    EXPECT_EQ(expired.process, "ticket_warranty_claim");
    auto repaired = s.move_ticket(ctx, expired.id, "repair");
    ASSERT_FALSE(repaired);
    EXPECT_EQ(repaired.error().code, errc::invalid_transition);
    EXPECT_EQ(must(s.move_ticket(ctx, must(claim("SO-NEW", "ROUTER-X")).id, "repair")).state,
              "repaired");
}

INSTANTIATE_TEST_SUITE_P(Backends, Desk, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace crm::testing
