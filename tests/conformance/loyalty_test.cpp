// tests/conformance/loyalty_test.cpp - the customer club on every backend:
// points earned by the programme's rules on every purchase, never twice;
// redemption oldest expiry first and never beyond the balance; expiry;
// tiers up on earning and reviewed on refresh; merges; the 360 view; and
// bad input refused with nothing written.
#include "backends.hpp"

namespace crm::testing {
namespace {

constexpr std::int64_t kDay = 86'400'000;

constexpr const char* kClub = R"({"id": "club", "name": "باشگاه مشتریان", "currency": "IRR",
  "expiry_days": 365,
  "earn": [{"id": "base", "per": "100000", "points": 1},
           {"id": "big-basket", "when": {"ge": [{"field": "total"}, {"money": "5000000", "currency": "IRR"}]},
            "bonus": 20},
           {"id": "gold-double", "per": "100000", "points": 1, "tiers": ["gold"]}],
  "tiers": [{"id": "member", "threshold": 0}, {"id": "silver", "threshold": 50},
            {"id": "gold", "threshold": 200}],
  "tier_basis": "points", "tier_window_days": 365})";

class Club : public Conformance {
protected:
    Marketing mk() { return Marketing(*engine); }

    Party member(const std::string& ext) {
        Party p = person(ext, "Name", ext);
        must(mk().enrol(ctx, "club", p.id));
        return p;
    }
    Written<Purchase> buy(const Party& p, const std::string& order, std::int64_t rials) {
        Purchase x;
        x.party = p.id;
        x.order_id = order;
        x.ordered_at = clock->now();
        x.total = must(Money::of(rials * 100, "IRR"));
        return must(engine->record_purchase(ctx, x));
    }
    std::int64_t balance(const Party& p) { return must(mk().loyalty("club", p.id)).balance; }
    std::string tier(const Party& p) { return must(mk().loyalty("club", p.id)).account.tier; }
    // The sum of every lot's remaining points: always the balance.
    std::int64_t lots(const Party& p) {
        std::int64_t sum = 0;
        for (const auto& e : must(mk().loyalty("club", p.id, 1000)).recent) sum += e.remaining;
        return sum;
    }
    std::size_t events_of(const std::string& type) {
        std::size_t n = 0;
        for (const auto& e : must(engine->events_after(0, 10'000))) n += e.type == type;
        return n;
    }
};

TEST_P(Club, PurchasesEarnByTheRulesOnceEach) {
    must(mk().define_loyalty_program(ctx, kClub));
    Party a = member("a");
    Party outsider = person("o", "Not", "Member");
    buy(a, "o1", 1'250'000);  // 12 points
    EXPECT_EQ(balance(a), 12);
    buy(a, "o2", 6'000'000);  // 60 + 20 bonus
    EXPECT_EQ(balance(a), 92);
    EXPECT_EQ(tier(a), "silver");  // 92 points in the window
    buy(outsider, "x1", 9'000'000);
    CRM_EXPECT_ERROR(mk().loyalty("club", outsider.id), errc::not_found, "party");

    // The same order again changes nothing; a corrected total is adjusted.
    auto again = buy(a, "o1", 1'250'000);
    EXPECT_EQ(again.outcome, WriteOutcome::unchanged);
    EXPECT_EQ(balance(a), 92);
    buy(a, "o1", 2'000'000);  // 20 points now, 8 more
    EXPECT_EQ(balance(a), 100);
    const auto recent = must(mk().loyalty("club", a.id)).recent;
    EXPECT_EQ(recent.front().kind, LedgerKind::adjust);
    EXPECT_EQ(recent.front().points, 8);
    EXPECT_EQ(recent.front().order_id, "o1");
    EXPECT_EQ(lots(a), 100);
    EXPECT_EQ(events_of("loyalty.earned"), 2u);
    EXPECT_EQ(events_of("loyalty.adjusted"), 1u);

    // Gold members earn double from the next purchase.
    buy(a, "o3", 10'000'000);  // 100 + 20: 220, gold
    EXPECT_EQ(tier(a), "gold");
    buy(a, "o4", 1'000'000);  // 10 + 10
    EXPECT_EQ(balance(a), 240);
    EXPECT_EQ(events_of("loyalty.tier_changed"), 2u);
}

TEST_P(Club, AutoEnrolmentAndOrdersMovingBetweenParties) {
    std::string auto_club = kClub;
    auto_club.replace(auto_club.find("\"expiry_days\""), 0, "\"enrolment\": \"auto\", ");
    must(mk().define_loyalty_program(ctx, auto_club));
    Party a = person("a", "Ali", "Rezaei");
    Party b = person("b", "Sara", "Ahmadi");
    buy(a, "o1", 3'000'000);
    EXPECT_EQ(balance(a), 30);
    EXPECT_EQ(tier(a), "member");
    // The ERP reports the order again, on another customer.
    Purchase moved;
    moved.party = b.id;
    moved.order_id = "o1";
    moved.ordered_at = clock->now();
    moved.total = must(Money::of(300'000'000, "IRR"));
    must(engine->record_purchase(ctx, moved));
    EXPECT_EQ(balance(a), 0);
    EXPECT_EQ(balance(b), 30);
    // And back again: every point follows the order, none is lost.
    moved.party = a.id;
    must(engine->record_purchase(ctx, moved));
    EXPECT_EQ(balance(a), 30);
    EXPECT_EQ(balance(b), 0);
    // Changed back and forth within one instant: each change counts once.
    for (std::int64_t rials : {2'000'000, 3'000'000, 2'000'000, 3'000'000}) {
        moved.total = must(Money::of(rials * 100, "IRR"));
        must(engine->record_purchase(ctx, moved));
    }
    EXPECT_EQ(balance(a), 30);
    EXPECT_EQ(lots(a), 30);
    // A purchase in another currency earns nothing.
    Purchase usd = moved;
    usd.order_id = "u1";
    usd.total = must(Money::of(100'000, "USD"));
    must(engine->record_purchase(ctx, usd));
    EXPECT_EQ(balance(a), 30);
}

TEST_P(Club, RedemptionNeverExceedsTheBalanceAndIsIdempotent) {
    must(mk().define_loyalty_program(ctx, kClub));
    Party a = member("a");
    buy(a, "o1", 3'000'000);  // 30
    const auto events = must(engine->events_after(0, 10'000)).size();
    CRM_EXPECT_ERROR(mk().redeem(ctx, "club", a.id, 31, "r1"), errc::invalid_argument, "points");
    EXPECT_EQ(balance(a), 30);
    EXPECT_EQ(must(engine->events_after(0, 10'000)).size(), events);

    auto r = must(mk().redeem(ctx, "club", a.id, 25, "r1", "a coffee machine"));
    EXPECT_EQ(r.kind, LedgerKind::redeem);
    EXPECT_EQ(r.points, -25);
    EXPECT_EQ(balance(a), 5);
    // The host retries after a timeout: the same entry, nothing spent twice.
    auto retry = must(mk().redeem(ctx, "club", a.id, 25, "r1", "a coffee machine"));
    EXPECT_EQ(retry.seq, r.seq);
    EXPECT_EQ(balance(a), 5);
    CRM_EXPECT_ERROR(mk().redeem(ctx, "club", a.id, 3, "r1"), errc::conflict, "key");
    CRM_EXPECT_ERROR(mk().redeem(ctx, "club", a.id, 0, "r2"), errc::invalid_argument, "points");
    CRM_EXPECT_ERROR(mk().redeem(ctx, "club", a.id, 1, ""), errc::invalid_argument, "key");
    CRM_EXPECT_ERROR(mk().redeem(ctx, "club", a.id, 1, "purchase:x"), errc::invalid_argument, "key");
    CRM_EXPECT_ERROR(mk().adjust(ctx, "club", a.id, -6, "fix"), errc::invalid_argument, "points");
    must(mk().adjust(ctx, "club", a.id, 10, "goodwill", "late delivery"));
    EXPECT_EQ(balance(a), 15);
    EXPECT_EQ(lots(a), 15);
    Party outsider = person("o", "Not", "Member");
    CRM_EXPECT_ERROR(mk().redeem(ctx, "club", outsider.id, 1, "x"), errc::not_found, "party");
    CRM_EXPECT_ERROR(mk().redeem(ctx, "nope", a.id, 1, "x"), errc::not_found, "program");
}

TEST_P(Club, PointsExpireOldestFirstAndTiersAreReviewed) {
    must(mk().define_loyalty_program(ctx, kClub));
    Party a = member("a");
    buy(a, "o1", 4'000'000);  // 40, expires in a year
    clock->advance(200 * kDay);
    buy(a, "o2", 3'000'000);  // 30: 70 in the window, silver
    EXPECT_EQ(tier(a), "silver");
    // Redemption takes the lot that expires first.
    must(mk().redeem(ctx, "club", a.id, 35, "r1"));
    auto open = must(mk().loyalty("club", a.id, 100)).recent;
    std::int64_t first_left = -1, second_left = -1;
    for (const auto& e : open) {
        if (e.order_id == "o1" && e.kind == LedgerKind::earn) first_left = e.remaining;
        if (e.order_id == "o2" && e.kind == LedgerKind::earn) second_left = e.remaining;
    }
    EXPECT_EQ(first_left, 5);
    EXPECT_EQ(second_left, 30);

    // A year after o1: its 5 points left expire; o2's do not.
    clock->advance(170 * kDay);
    auto report = must(mk().refresh_loyalty(ctx));
    EXPECT_EQ(report.lots_expired, 1);
    EXPECT_EQ(report.points_expired, 5);
    EXPECT_EQ(balance(a), 30);
    EXPECT_EQ(lots(a), 30);
    // o1 has left the tier window too: 30 points, back to member.
    EXPECT_EQ(report.downgraded, 1);
    EXPECT_EQ(tier(a), "member");
    auto twice = must(mk().refresh_loyalty(ctx, "club"));
    EXPECT_EQ(twice.lots_expired, 0);
    EXPECT_EQ(twice.downgraded, 0);
    EXPECT_EQ(balance(a), 30);
}

TEST_P(Club, ExpiredPointsCannotBeSpentBeforeRefreshAndSpendCountsEveryPurchase) {
    must(mk().define_loyalty_program(ctx, R"({"id": "club", "expiry_days": 30,
      "earn": [{"id": "big", "when": {"ge": [{"field": "total"}, {"money": "1000000", "currency": "IRR"}]},
                "per": "100000", "points": 1}],
      "tiers": [{"id": "member", "threshold": 0}, {"id": "silver", "threshold": 150000000}],
      "tier_basis": "spend", "tier_window_days": 365})"));
    Party a = member("a");
    buy(a, "small", 900'000);  // no points, but spend
    buy(a, "big", 1'000'000);  // 10 points
    EXPECT_EQ(balance(a), 10);
    EXPECT_EQ(tier(a), "silver");  // 1,900,000 rials = 190,000,000 minor units of spend
    clock->advance(31 * kDay);
    // The points have expired although no refresh has run yet: not in the
    // balance, not spendable; refresh writes their expiry.
    EXPECT_EQ(balance(a), 0);
    CRM_EXPECT_ERROR(mk().redeem(ctx, "club", a.id, 1, "r1"), errc::invalid_argument, "points");
    EXPECT_EQ(must(mk().refresh_loyalty(ctx)).lots_expired, 1);
    EXPECT_EQ(balance(a), 0);
}

TEST_P(Club, TheViewShowsItAndMergesKeepEveryPoint) {
    must(mk().define_loyalty_program(ctx, kClub));
    Party a = member("a");
    Party b = member("b");
    buy(a, "o1", 2'000'000);  // 20
    buy(b, "o2", 3'000'000);  // 30
    auto view = must(engine->customer_360(a.id));
    ASSERT_EQ(view.loyalty.size(), 1u);
    EXPECT_EQ(view.loyalty[0].balance, 20);
    EXPECT_EQ(view.loyalty[0].account.tier, "member");
    ASSERT_FALSE(view.loyalty[0].recent.empty());

    must(engine->merge(ctx, a.id, {b.id}));
    EXPECT_EQ(balance(a), 50);
    EXPECT_EQ(lots(a), 50);
    must(mk().redeem(ctx, "club", a.id, 50, "all"));
    EXPECT_EQ(balance(a), 0);
}

TEST_P(Club, BadProgrammesAreRefusedByField) {
    CRM_EXPECT_ERROR(mk().define_loyalty_program(ctx, R"({"id": "c", "earn": []})"), errc::invalid_argument, "earn");
    CRM_EXPECT_ERROR(mk().define_loyalty_program(ctx, R"({"id": "c", "earn": [{"id": "e", "points": 1}]})"),
                     errc::invalid_argument, "earn[0].per");
    CRM_EXPECT_ERROR(mk().define_loyalty_program(ctx, R"({"id": "c", "earn": [{"id": "e", "per": "0", "points": 1}]})"),
                     errc::invalid_argument, "earn[0].per");
    CRM_EXPECT_ERROR(mk().define_loyalty_program(ctx, R"({"id": "c", "earn": [{"id": "e", "bonus": 1,
        "when": {"eq": [{"field": "colour"}, "red"]}}]})"),
                     errc::invalid_argument, "earn[0].when.eq[0]");
    CRM_EXPECT_ERROR(mk().define_loyalty_program(ctx, R"({"id": "c", "earn": [{"id": "e", "bonus": 1}],
        "tiers": [{"id": "a", "threshold": 10}]})"),
                     errc::invalid_argument, "tiers[0].threshold");
    CRM_EXPECT_ERROR(mk().define_loyalty_program(ctx, R"({"id": "c", "earn": [{"id": "e", "bonus": 1}],
        "tiers": [{"id": "a", "threshold": 0}, {"id": "b", "threshold": 0}]})"),
                     errc::invalid_argument, "tiers[1].threshold");
    CRM_EXPECT_ERROR(mk().define_loyalty_program(ctx, R"({"id": "c", "earn": [{"id": "e", "bonus": 1, "tiers": ["vip"]}]})"),
                     errc::invalid_argument, "earn[0].tiers");
    CRM_EXPECT_ERROR(mk().define_loyalty_program(ctx, R"({"id": "c", "currency": "XYZ", "earn": [{"id": "e", "bonus": 1}]})"),
                     errc::invalid_argument, "currency");
    CRM_EXPECT_ERROR(mk().define_loyalty_program(ctx, R"({"id": "c", "enrolment": "maybe", "earn": [{"id": "e", "bonus": 1}]})"),
                     errc::invalid_argument, "enrolment");
    CRM_EXPECT_ERROR(mk().define_loyalty_program(ctx, R"({"id": "c", "expiry_days": -1, "earn": [{"id": "e", "bonus": 1}]})"),
                     errc::invalid_argument, "expiry_days");
    EXPECT_TRUE(must(mk().loyalty_programs()).empty());
    auto w = must(mk().define_loyalty_program(ctx, kClub));
    EXPECT_EQ(w.record.version, 1);
    EXPECT_EQ(must(mk().define_loyalty_program(ctx, kClub)).outcome, WriteOutcome::unchanged);
    EXPECT_EQ(must(mk().loyalty_program("club")).tiers.size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(Backends, Club, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace crm::testing
