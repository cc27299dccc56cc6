// tests/conformance/timeline_test.cpp - interactions, activities,
// purchases, memberships and the 360 view, on every backend.
#include "backends.hpp"

namespace crm::testing {
namespace {

Interaction call(const Id& party, Timestamp at, const std::string& subject) {
    Interaction i;
    i.party = party;
    i.channel = Channel::call;
    i.direction = Direction::inbound;
    i.at = at;
    i.subject = subject;
    i.duration_s = 120;
    i.outcome = "answered";
    return i;
}

TEST_P(Conformance, TimelineIsPagedNewestFirstWithTies) {
    Party p = person("C1", "A", "B");
    const Timestamp t0 = clock->now();
    // 7 interactions, three of them at the same instant.
    for (int k = 0; k < 7; ++k)
        must(engine->log_interaction(ctx, call(p.id, Timestamp{t0.ms + (k < 3 ? 0 : k * 1000)},
                                               "call " + std::to_string(k))));
    std::vector<std::string> seen;
    TimelineQuery q;
    q.limit = 3;
    for (int page = 0; page < 5; ++page) {
        auto pg = must(engine->timeline(p.id, q));
        for (const auto& i : pg.items) seen.push_back(i.subject);
        if (pg.next.empty()) break;
        q.before = pg.next;
    }
    ASSERT_EQ(seen.size(), 7u);
    EXPECT_EQ(seen[0], "call 6");
    EXPECT_EQ(seen[3], "call 3");
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << "no interaction twice";

    q.before = "garbage";
    CRM_EXPECT_ERROR(engine->timeline(p.id, q), errc::invalid_argument, "before");
    q = TimelineQuery{};
    q.limit = 0;
    CRM_EXPECT_ERROR(engine->timeline(p.id, q), errc::invalid_argument, "limit");
}

TEST_P(Conformance, AMalformedCursorIsRefusedEvenOnAnEmptyTimeline) {
    Party p = person("C1", "A", "B");
    TimelineQuery q;
    q.before = "not-a-cursor";
    CRM_EXPECT_ERROR(engine->timeline(p.id, q), errc::invalid_argument, "before");
}

TEST_P(Conformance, InteractionWithExternalIdIsLoggedOnce) {
    Party p = person("C1", "A", "B");
    Interaction i = call(p.id, clock->now(), "support call");
    i.external_id = "PBX-991";
    Interaction a = must(engine->log_interaction(ctx, i));
    Interaction b = must(engine->log_interaction(ctx, i));
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(must(engine->timeline(p.id, {})).items.size(), 1u);
    Interaction unknown = call(Id{}, clock->now(), "x");
    CRM_EXPECT_ERROR(engine->log_interaction(ctx, unknown), errc::not_found, "party");
    Interaction neg = call(p.id, clock->now(), "x");
    neg.duration_s = -5;
    CRM_EXPECT_ERROR(engine->log_interaction(ctx, neg), errc::invalid_argument, "duration_s");
}

TEST_P(Conformance, ActivitiesDueAndOverduePerAssignee) {
    Party p = person("C1", "A", "B");
    const Timestamp now = clock->now();
    auto schedule = [&](const std::string& who, std::int64_t due_in_ms, const std::string& subject) {
        Activity a;
        a.party = p.id;
        a.kind = ActivityKind::call;
        a.subject = subject;
        a.assignee = who;
        a.due = Timestamp{now.ms + due_in_ms};
        return must(engine->schedule_activity(ctx, a));
    };
    Activity late = schedule("sara", -3600'000, "call back");
    schedule("sara", 2 * kMsPerDay, "send quote");
    schedule("reza", -1000, "visit");
    Activity later = schedule("sara", 5 * kMsPerDay, "renewal");

    auto overdue = must(engine->overdue_activities("sara"));
    ASSERT_EQ(overdue.size(), 1u);
    EXPECT_EQ(overdue[0].id, late.id);
    auto by3 = must(engine->activities_due_by("sara", Timestamp{now.ms + 3 * kMsPerDay}));
    ASSERT_EQ(by3.size(), 2u);
    EXPECT_EQ(by3[0].subject, "call back");

    Activity done = must(engine->complete_activity(ctx, late.id));
    EXPECT_EQ(done.status, ActivityStatus::done);
    ASSERT_TRUE(done.closed_at);
    EXPECT_TRUE(must(engine->overdue_activities("sara")).empty());
    CRM_EXPECT_ERROR(engine->complete_activity(ctx, late.id), errc::invalid_transition, "status");
    must(engine->cancel_activity(ctx, later.id));
    CRM_EXPECT_ERROR(engine->cancel_activity(ctx, Id{}), errc::not_found, "activity");

    Activity no_due;
    no_due.party = p.id;
    no_due.subject = "x";
    CRM_EXPECT_ERROR(engine->schedule_activity(ctx, no_due), errc::invalid_argument, "due");
}

TEST_P(Conformance, PurchasesUpsertByOrderIdAndSummarise) {
    Party p = person("C1", "A", "B");
    Purchase o;
    o.party = p.id;
    o.order_id = "SO-1";
    o.ordered_at = must(parse_iso8601("2024-01-10T10:00:00Z"));
    o.total = Money{5'000'000'000'00, "IRR"};  // 5 billion rials: beyond 32 bits
    o.lines = {{"SKU-1", "یخچال", 2, Money{2'500'000'000'00, "IRR"}, {}}};
    auto first = must(engine->record_purchase(ctx, o));
    EXPECT_EQ(first.outcome, WriteOutcome::created);
    EXPECT_EQ(first.record.lines[0].total.minor, 5'000'000'000'00);
    EXPECT_EQ(must(engine->record_purchase(ctx, o)).outcome, WriteOutcome::unchanged);
    o.total.minor = 6'000'000'000'00;
    EXPECT_EQ(must(engine->record_purchase(ctx, o)).outcome, WriteOutcome::updated);

    Purchase o2 = o;
    o2.order_id = "SO-2";
    o2.lines.clear();
    o2.ordered_at = must(parse_iso8601("2024-03-01T00:00:00Z"));
    o2.total = Money{1'000'00, "IRR"};
    must(engine->record_purchase(ctx, o2));
    Purchase usd = o2;
    usd.order_id = "SO-3";
    usd.total = Money{1999, "USD"};
    must(engine->record_purchase(ctx, usd));

    auto view = must(engine->customer_360(p.id));
    ASSERT_EQ(view.purchases.size(), 2u);
    const auto& irr = view.purchases[0].currency == "IRR" ? view.purchases[0] : view.purchases[1];
    EXPECT_EQ(irr.count, 2);
    EXPECT_EQ(irr.total_minor, 6'000'000'000'00 + 1'000'00);
    EXPECT_EQ(irr.first_at, o.ordered_at);
    EXPECT_EQ(irr.last_at, o2.ordered_at);
    EXPECT_EQ(must(engine->purchases(p.id)).size(), 3u);

    Purchase bad = o2;
    bad.order_id = "SO-4";
    bad.total = Money{1, "XXX"};
    CRM_EXPECT_ERROR(engine->record_purchase(ctx, bad), errc::invalid_argument, "total.currency");
    bad.total = Money{1, "IRR"};
    bad.lines = {{"S", "n", 0, Money{1, "IRR"}, {}}};
    CRM_EXPECT_ERROR(engine->record_purchase(ctx, bad), errc::invalid_argument, "lines[0].quantity");
    bad.lines.clear();
    bad.party = Id{};
    CRM_EXPECT_ERROR(engine->record_purchase(ctx, bad), errc::not_found, "party");
}

TEST_P(Conformance, PersonsBelongToOrganisationsWithARole) {
    Party p = person("C1", "Ali", "Rahimi");
    PartyInput org;
    org.kind = PartyKind::organization;
    org.organization_name = "پارس پلاستیک";
    Party o = must(engine->create_party(ctx, org));
    Membership m = must(engine->link_to_organization(ctx, p.id, o.id, "مدیر خرید"));
    EXPECT_EQ(m.role, "مدیر خرید");
    auto pv = must(engine->customer_360(p.id));
    ASSERT_EQ(pv.memberships.size(), 1u);
    EXPECT_EQ(pv.memberships[0].organization, o.id);
    EXPECT_EQ(must(engine->customer_360(o.id)).memberships.size(), 1u);
    CRM_EXPECT_ERROR(engine->link_to_organization(ctx, o.id, p.id, "x"), errc::invalid_argument, "person");
    must(engine->unlink_from_organization(ctx, p.id, o.id));
    EXPECT_TRUE(must(engine->customer_360(p.id)).memberships.empty());
    CRM_EXPECT_ERROR(engine->unlink_from_organization(ctx, p.id, o.id), errc::not_found, "organization");
}

TEST_P(Conformance, The360ViewGathersEverything) {
    Party p = person("C1", "Zahra", "Moradi", "z@m.ir", "09121234567");
    for (int k = 0; k < 30; ++k)
        must(engine->log_interaction(ctx, call(p.id, Timestamp{clock->now().ms + k}, "c" + std::to_string(k))));
    Activity a;
    a.party = p.id;
    a.subject = "follow up";
    a.due = Timestamp{clock->now().ms + kMsPerDay};
    must(engine->schedule_activity(ctx, a));
    auto v = must(engine->customer_360(p.id, 10));
    EXPECT_EQ(v.party.id, p.id);
    EXPECT_EQ(v.party.contacts.size(), 2u);
    ASSERT_EQ(v.recent_interactions.size(), 10u);
    EXPECT_EQ(v.recent_interactions[0].subject, "c29");
    ASSERT_EQ(v.open_activities.size(), 1u);
    EXPECT_TRUE(v.purchases.empty());
    CRM_EXPECT_ERROR(engine->customer_360(p.id, -1), errc::invalid_argument, "recent_interactions");
}

}  // namespace
}  // namespace crm::testing
