// tests/conformance/worklist_test.cpp - worklists on every backend: each
// record type's list filtered, ordered and keyset-paged with a total; a
// page boundary neither skips nor repeats a record; the due order and
// overdue read SLA clocks, due times and dates; rules over built-in,
// custom and party fields; and every bad query refused by field.
#include <set>

#include "backends.hpp"

namespace crm::testing {
namespace {

constexpr std::int64_t kHour = 3'600'000;

constexpr const char* kPolicy = R"({"id": "standard", "name": "Standard",
  "kpis": {"resolution": {"warning": {"business_hours": 6}, "failure": {"business_hours": 8}}}})";

class Worklists : public Conformance {
protected:
    void SetUp() override {
        Conformance::SetUp();
        // Monday 2026-02-09 08:00 in Tehran.
        clock->set(must(parse_iso8601("2026-02-09T08:00:00+03:30")));
    }
    Service desk() { return Service(*engine); }
    Sales sales() { return Sales(*engine); }

    void queues() {
        must(desk().define_queue(ctx, Queue{"billing", "Billing", {{"sara", {}}, {"reza", {}}}}));
        must(desk().define_queue(ctx, Queue{"tech", "Technical", {{"ali", {}}}}));
    }
    Ticket ticket(const Party& p, const std::string& subject, const std::string& queue,
                  const std::string& assignee, TicketPriority priority = TicketPriority::normal) {
        TicketInput in;
        in.subject = subject;
        in.party = p.id;
        in.queue = queue;
        in.assignee = assignee;
        in.priority = priority;
        return must(desk().create_ticket(ctx, in));
    }
    template <class T, class F>
    std::vector<T> all_pages(ListQuery q, F list, int* pages = nullptr) {
        std::vector<T> out;
        int n = 0;
        for (;;) {
            auto page = must(list(q));
            ++n;
            for (auto& item : page.items) out.push_back(std::move(item));
            if (page.next.empty()) break;
            q.after = page.next;
            EXPECT_LT(n, 1000) << "the cursor does not move";
            if (n >= 1000) break;
        }
        if (pages) *pages = n;
        return out;
    }
    static std::vector<std::string> subjects(const std::vector<Ticket>& ts) {
        std::vector<std::string> out;
        for (const auto& t : ts) out.push_back(t.subject);
        return out;
    }
};

TEST_P(Worklists, AQueuesOpenTicketsBySlaDuePageByPageWithATotal) {
    queues();
    must(desk().define_sla_policy(ctx, kPolicy));
    Party p = person("p1", "مریم", "احمدی");
    // Created an hour apart: each one's resolution clock fails an hour later.
    std::vector<Ticket> billing;
    for (int i = 0; i < 7; ++i) {
        billing.push_back(ticket(p, "billing " + std::to_string(i), "billing", i % 2 ? "sara" : "reza"));
        clock->advance(kHour);
    }
    ticket(p, "tech 0", "tech", "ali");
    Ticket closed = ticket(p, "billing closed", "billing", "sara");
    must(desk().move_ticket(ctx, closed.id, "resolve", "fixed"));

    ListQuery q;
    q.queue = {"billing"};
    q.status = {"open"};
    q.order = "due";
    q.limit = 3;
    auto first = must(desk().list_tickets(q));
    ASSERT_EQ(first.items.size(), 3u);
    ASSERT_TRUE(first.total);
    EXPECT_EQ(*first.total, 7);
    EXPECT_FALSE(first.next.empty());
    EXPECT_EQ(first.items[0].id, billing[0].id);

    int pages = 0;
    auto all = all_pages<Ticket>(q, [&](const ListQuery& x) { return desk().list_tickets(x); }, &pages);
    EXPECT_EQ(pages, 3);  // 3 + 3 + 1: the last page says there is no next
    ASSERT_EQ(all.size(), 7u);
    for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].id, billing[i].id) << i;

    // An agent's queue: sara's open tickets, newest first; without a count.
    q = {};
    q.owner = {"sara"};
    q.status = {"open"};
    q.count = false;
    auto mine = must(desk().list_tickets(q));
    EXPECT_FALSE(mine.total);
    EXPECT_EQ(subjects(mine.items),
              (std::vector<std::string>{"billing 5", "billing 3", "billing 1"}));

    // Every ticket, oldest first, limit 1: each once, in creation order.
    q = {};
    q.order = "oldest";
    q.limit = 1;
    auto every = all_pages<Ticket>(q, [&](const ListQuery& x) { return desk().list_tickets(x); });
    ASSERT_EQ(every.size(), 9u);
    std::set<Id> seen;
    for (const auto& t : every) seen.insert(t.id);
    EXPECT_EQ(seen.size(), 9u);
    EXPECT_EQ(every.front().id, billing.front().id);
}

TEST_P(Worklists, OverdueTicketsAreThoseWhoseRunningClockHasFailed) {
    queues();
    must(desk().define_sla_policy(ctx, kPolicy));
    Party p = person("p1", "مریم", "احمدی");
    Ticket early = ticket(p, "early", "billing", "sara", TicketPriority::high);
    clock->advance(4 * kHour);
    Ticket late = ticket(p, "late", "billing", "sara");
    Ticket done = ticket(p, "done", "billing", "sara");
    must(desk().move_ticket(ctx, done.id, "resolve", "fixed"));

    ListQuery q;
    q.overdue = true;
    EXPECT_TRUE(must(desk().list_tickets(q)).items.empty());
    // 8 business hours after 08:00 is 16:00 the same day (hours 08:00-16:00 on a
    // Monday in the default calendar) or later: a day on, the early one has failed.
    clock->advance(24 * kHour);
    must(desk().tick(ctx));
    q.order = "due";
    auto overdue = must(desk().list_tickets(q));
    ASSERT_GE(overdue.items.size(), 1u);
    EXPECT_EQ(overdue.items[0].id, early.id);
    for (const auto& t : overdue.items) EXPECT_NE(t.id, done.id);
    // tick() marked it breached: the SLA status filter finds it, and the
    // priority filter narrows to it.
    q = {};
    q.sla_status = {"breached"};
    q.priority = {"high"};
    auto breached = must(desk().list_tickets(q));
    ASSERT_EQ(breached.items.size(), 1u);
    EXPECT_EQ(breached.items[0].id, early.id);
    // A resolved ticket's clocks stopped: it has no SLA status.
    q = {};
    q.sla_status = {"none"};
    auto none = must(desk().list_tickets(q));
    ASSERT_EQ(none.items.size(), 1u);
    EXPECT_EQ(none.items[0].subject, "done");
    // Due before a time: the late one's failure is later than the early one's.
    q = {};
    q.due_before = must(desk().get_ticket(early.id.str())).slas.at(0).failure_at;
    auto due = must(desk().list_tickets(q));
    ASSERT_EQ(due.items.size(), 1u);
    EXPECT_EQ(due.items[0].id, early.id);
    (void)late;
}

TEST_P(Worklists, RulesNameCustomAndPartyFieldsAndTagsFilter) {
    queues();
    FieldDef region;
    region.record_type = "ticket";
    region.name = "region";
    region.type = FieldType::text;
    must(engine->define_field(ctx, region));
    PartyInput vip;
    vip.kind = PartyKind::person;
    vip.first_name = "سارا";
    vip.last_name = "کریمی";
    vip.city = "تهران";
    vip.tags = std::vector<std::string>{"vip"};
    Party a = must(engine->create_party(ctx, vip));
    Party b = person("b", "علی", "رضایی");
    TicketInput in;
    in.subject = "north";
    in.party = b.id;
    in.custom["region"] = Value{std::string("north")};
    Ticket north = must(desk().create_ticket(ctx, in));
    Ticket tehran = ticket(a, "tehran", "tech", "ali");

    ListQuery q;
    q.where = R"(custom.region = "north")";
    auto r = must(desk().list_tickets(q));
    ASSERT_EQ(r.items.size(), 1u);
    EXPECT_EQ(r.items[0].id, north.id);
    q.where = R"({"eq": [{"field": "party_city"}, "تهران"]})";
    r = must(desk().list_tickets(q));
    ASSERT_EQ(r.items.size(), 1u);
    EXPECT_EQ(r.items[0].id, tehran.id);
    q = {};
    q.tag = "vip";
    r = must(desk().list_tickets(q));
    ASSERT_EQ(r.items.size(), 1u);
    EXPECT_EQ(r.items[0].id, tehran.id);
    EXPECT_EQ(*r.total, 1);
    // A merged party's records are listed under its survivor.
    must(engine->merge(ctx, a.id, {b.id}));
    q = {};
    q.party = b.id;
    r = must(desk().list_tickets(q));
    EXPECT_EQ(r.items.size(), 2u);
}

TEST_P(Worklists, OpportunitiesByOwnerStageAndExpectedClose) {
    Party p = person("p1", "مریم", "احمدی");
    FieldDef tier;
    tier.record_type = "opportunity";
    tier.name = "tier";
    tier.type = FieldType::enumeration;
    tier.allowed = {"gold", "silver"};
    must(engine->define_field(ctx, tier));
    auto deal = [&](const std::string& name, const std::string& owner, const std::string& close,
                    const std::string& t) {
        OpportunityInput in;
        in.party = p.id;
        in.name = name;
        in.owner = owner;
        in.team = "north";
        if (!close.empty()) in.expected_close = close;
        if (!t.empty()) in.custom["tier"] = Value{t};
        auto o = must(sales().create_opportunity(ctx, in));
        clock->advance(60'000);
        return o;
    };
    Opportunity a = deal("A", "sara", "2026-02-01", "gold");  // past its expected close
    Opportunity b = deal("B", "sara", "2026-03-01", "silver");
    Opportunity c = deal("C", "reza", "", "");
    Opportunity d = deal("D", "sara", "", "gold");
    must(sales().move_opportunity(ctx, b.id, MoveInput{"develop", {}, {}, {}}));

    ListQuery q;
    q.owner = {"sara"};
    q.order = "due";
    auto mine = must(sales().list_opportunities(q));
    ASSERT_EQ(mine.items.size(), 3u);
    EXPECT_EQ(mine.items[0].id, a.id);
    EXPECT_EQ(mine.items[1].id, b.id);
    EXPECT_EQ(mine.items[2].id, d.id);  // no expected close: last
    q.state = {must(sales().get_opportunity(b.id.str())).stage};
    auto staged = must(sales().list_opportunities(q));
    ASSERT_EQ(staged.items.size(), 1u);
    EXPECT_EQ(staged.items[0].id, b.id);
    q = {};
    q.overdue = true;
    auto overdue = must(sales().list_opportunities(q));
    ASSERT_EQ(overdue.items.size(), 1u);
    EXPECT_EQ(overdue.items[0].id, a.id);
    q = {};
    q.where = R"(custom.tier = "gold" and owner = "sara")";
    q.order = "oldest";
    auto gold = must(sales().list_opportunities(q));
    ASSERT_EQ(gold.items.size(), 2u);
    EXPECT_EQ(gold.items[0].id, a.id);
    EXPECT_EQ(gold.items[1].id, d.id);
    q = {};
    q.pipeline = "sales";
    q.team = {"north"};
    EXPECT_EQ(*must(sales().list_opportunities(q)).total, 4);
    q.changed_since = must(sales().get_opportunity(b.id.str())).updated_at;
    auto changed = must(sales().list_opportunities(q));
    ASSERT_EQ(changed.items.size(), 1u);
    EXPECT_EQ(changed.items[0].id, b.id);
    (void)c;
}

TEST_P(Worklists, LeadsWithoutAPartyActivitiesAndCampaignsAreListed) {
    LeadInput in;
    in.first_name = "نرگس";
    in.last_name = "موسوی";
    in.phone = "09121234567";
    in.owner = "sara";
    Lead lead = must(sales().capture_lead(ctx, in));
    ListQuery q;
    auto leads = must(sales().list_leads(q));
    ASSERT_EQ(leads.items.size(), 1u);
    EXPECT_EQ(leads.items[0].id, lead.id);
    q.owner = {"reza"};
    EXPECT_TRUE(must(sales().list_leads(q)).items.empty());

    Party p = person("p1", "مریم", "احمدی");
    Activity call;
    call.party = p.id;
    call.kind = ActivityKind::call;
    call.subject = "follow up";
    call.assignee = "sara";
    call.due = Timestamp{clock->now().ms + kHour};
    Activity later = call;
    later.subject = "later";
    later.due = Timestamp{clock->now().ms + 48 * kHour};
    Activity a1 = must(engine->schedule_activity(ctx, later));
    Activity a2 = must(engine->schedule_activity(ctx, call));
    clock->advance(2 * kHour);
    q = {};
    q.owner = {"sara"};
    q.overdue = true;
    auto overdue = must(engine->list_activities(q));
    ASSERT_EQ(overdue.items.size(), 1u);
    EXPECT_EQ(overdue.items[0].id, a2.id);
    q.overdue = false;
    q.order = "due";
    auto due = must(engine->list_activities(q));
    ASSERT_EQ(due.items.size(), 2u);
    EXPECT_EQ(due.items[0].id, a2.id);
    EXPECT_EQ(due.items[1].id, a1.id);
    must(engine->complete_activity(ctx, a2.id));
    q = {};
    q.status = {"open"};
    q.where = R"(subject = "later")";
    EXPECT_EQ(*must(engine->list_activities(q)).total, 1);

    Marketing mk(*engine);
    Campaign c1 = must(mk.create_campaign(ctx, R"({"name": "Nowruz", "channels": ["sms"]})"));
    clock->advance(1000);
    Campaign c2 = must(mk.create_campaign(ctx, R"({"name": "Yalda", "channels": ["email"]})"));
    q = {};
    auto campaigns = must(mk.list_campaigns(q));
    ASSERT_EQ(campaigns.items.size(), 2u);
    EXPECT_EQ(campaigns.items[0].id, c2.id);
    q.where = R"(channels contains "sms")";
    campaigns = must(mk.list_campaigns(q));
    ASSERT_EQ(campaigns.items.size(), 1u);
    EXPECT_EQ(campaigns.items[0].id, c1.id);
}

TEST_P(Worklists, BadQueriesAreRefusedByField) {
    ListQuery q;
    q.queue = {"billing"};
    CRM_EXPECT_ERROR(sales().list_opportunities(q), errc::invalid_argument, "queue");
    q = {};
    q.order = "priority";
    CRM_EXPECT_ERROR(desk().list_tickets(q), errc::invalid_argument, "order");
    q.order = "due";
    CRM_EXPECT_ERROR(sales().list_leads(q), errc::invalid_argument, "order");
    q = {};
    q.overdue = true;
    CRM_EXPECT_ERROR(Marketing(*engine).list_campaigns(q), errc::invalid_argument, "overdue");
    q = {};
    q.limit = 0;
    CRM_EXPECT_ERROR(desk().list_tickets(q), errc::invalid_argument, "limit");
    q.limit = 1001;
    CRM_EXPECT_ERROR(desk().list_tickets(q), errc::invalid_argument, "limit");
    q = {};
    q.after = "not a cursor";
    CRM_EXPECT_ERROR(desk().list_tickets(q), errc::invalid_argument, "after");
    q.after = "due~12~" + Id{}.str();  // a cursor of another order
    CRM_EXPECT_ERROR(desk().list_tickets(q), errc::invalid_argument, "after");
    q.after = "newest~x~" + Id{}.str();
    CRM_EXPECT_ERROR(desk().list_tickets(q), errc::invalid_argument, "after");
    q = {};
    q.priority = {"critical"};
    CRM_EXPECT_ERROR(desk().list_tickets(q), errc::invalid_argument, "priority[0]");
    q = {};
    q.sla_status = {"breached", "succeeded"};  // a stopped clock's: no ticket's is
    CRM_EXPECT_ERROR(desk().list_tickets(q), errc::invalid_argument, "sla_status[1]");
    q.sla_status = {"late"};
    CRM_EXPECT_ERROR(desk().list_tickets(q), errc::invalid_argument, "sla_status[0]");
    q = {};
    q.owner.assign(101, "sara");
    CRM_EXPECT_ERROR(desk().list_tickets(q), errc::invalid_argument, "owner");
    q = {};
    q.where = "custom.nothing = 1";
    auto r = desk().list_tickets(q);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_argument);
    EXPECT_EQ(r.error().field.rfind("where", 0), 0u) << r.error().field;
    q.where = R"({"eq": [{"field": "subject"}]})";
    r = desk().list_tickets(q);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field.rfind("where", 0), 0u) << r.error().field;
    q = {};
    q.party = must(Id::parse("01900000-0000-7000-8000-000000000001"));
    CRM_EXPECT_ERROR(desk().list_tickets(q), errc::not_found, "party");
    q = {};
    q.tag = "vip";
    CRM_EXPECT_ERROR(Marketing(*engine).list_campaigns(q), errc::invalid_argument, "tag");
}

// A fresh database shows the built-in processes before any record uses
// them: the sales pipeline's stages, empty; storing it on first use keeps
// that same version 1.
TEST_P(Worklists, BuiltInProcessesAreVisibleOnAFreshDatabase) {
    auto stages = must(sales().pipeline("sales"));
    ASSERT_FALSE(stages.empty());
    EXPECT_EQ(stages.front().state.id, "qualify");
    for (const auto& s : stages) EXPECT_TRUE(s.totals.empty());
    EXPECT_EQ(must(engine->process_definition("ticket")).version(), 1);
    CRM_EXPECT_ERROR(engine->process_definition("ticket", 2), errc::not_found, "id");
    const std::size_t events = must(engine->events_after(0, 100)).size();
    EXPECT_EQ(events, 0u);  // reading stored nothing
    Party p = person("p1", "مریم", "احمدی");
    OpportunityInput in;
    in.party = p.id;
    in.name = "First";
    must(sales().create_opportunity(ctx, in));
    EXPECT_EQ(must(engine->process_definition("sales")).version(), 1);
    EXPECT_EQ(must(sales().pipeline("sales")).front().totals.size(), 1u);
    // An id neither stored nor built in is not found.
    CRM_EXPECT_ERROR(engine->process_definition("nothing"), errc::not_found, "id");
}

INSTANTIATE_TEST_SUITE_P(Backends, Worklists, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace crm::testing
