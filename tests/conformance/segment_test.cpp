// tests/conformance/segment_test.cpp - segments on every backend: profiles
// built by the first segment and kept on every write, dynamic segments
// (count, members, sample, explain), tracked memberships with history,
// purchase windows moving with time, RFM, static lists and snapshots,
// suppression lists, set algebra, merges, and bad input refused with
// nothing written.
#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "backends.hpp"

namespace crm::testing {
namespace {

constexpr std::int64_t kDay = 86'400'000;

class Segments : public Conformance {
protected:
    Marketing mk() { return Marketing(*engine); }

    Party customer(const std::string& ext, const std::string& city,
                   std::vector<std::string> tags = {}, const std::string& email = "",
                   const std::string& phone = "") {
        PartyInput in;
        in.kind = PartyKind::person;
        in.external_id = ext;
        in.first_name = "Name";
        in.last_name = ext;
        in.city = city;
        in.tags = std::move(tags);
        if (!email.empty()) in.contacts.push_back(ContactInput::of(ContactKind::email, email));
        if (!phone.empty()) in.contacts.push_back(ContactInput::of(ContactKind::phone, phone));
        return must(engine->create_party(ctx, in));
    }

    void buy(const Party& p, const std::string& order, std::int64_t rials, std::int64_t days_ago) {
        Purchase x;
        x.party = p.id;
        x.order_id = order;
        x.ordered_at = Timestamp{clock->now().ms - days_ago * kDay};
        x.total = must(Money::of(rials * 100, "IRR"));  // ISO 4217 gives IRR two decimals
        must(engine->record_purchase(ctx, x));
    }

    void opt_in_sms(const Party& p) {
        Consent c;
        c.channel = "sms";
        c.status = ConsentStatus::opt_in;
        c.at = clock->now();
        c.source = "test";
        Id phone;
        for (const auto& cp : p.contacts)
            if (cp.kind == ContactKind::phone) phone = cp.id;
        must(engine->set_consent(ctx, p.id, phone, c));
    }

    std::vector<std::string> externals(const std::vector<Id>& ids) {
        std::vector<std::string> out;
        for (const auto& id : ids) out.push_back(must(engine->get_party(id)).external_id);
        std::sort(out.begin(), out.end());
        return out;
    }
    std::vector<std::string> members(const std::string& segment) {
        return externals(must(mk().members(ctx, segment)));
    }
    std::int64_t count(const std::string& segment) { return must(mk().count(ctx, segment)); }
    std::vector<Event> events_of(const std::string& type) {
        std::vector<Event> out;
        for (auto& e : must(engine->events_after(0, 10'000)))
            if (e.type == type) out.push_back(e);
        return out;
    }
    std::vector<std::string> current_segments(const Party& p) {
        std::vector<std::string> out;
        for (const auto& m : must(mk().memberships(p.id))) out.push_back(m.segment);
        return out;
    }
};

using Names = std::vector<std::string>;

TEST_P(Segments, FirstSegmentBuildsProfilesAndWritesKeepThem) {
    Party a = customer("a", "تهران", {"VIP"}, "a@example.com", "09121234567");
    buy(a, "o1", 2'000'000, 10);
    buy(a, "o2", 3'000'000, 100);
    CRM_EXPECT_ERROR(mk().profile(a.id), errc::not_found, "party");

    must(mk().define_segment(ctx, R"({"id": "all", "rule": true})"));
    PartyProfile p = must(mk().profile(a.id));
    EXPECT_EQ(p.city, text::normalize("تهران"));
    EXPECT_EQ(p.tags, (Names{"vip"}));
    EXPECT_EQ(p.purchase_count, 2);
    EXPECT_EQ(p.purchase_sum, 500'000'000);
    EXPECT_EQ(p.window_count[0], 1);  // 30 days
    EXPECT_EQ(p.window_sum[0], 200'000'000);
    EXPECT_EQ(p.window_count[1], 1);  // 90 days
    EXPECT_EQ(p.window_count[2], 2);  // 180 days
    ASSERT_TRUE(p.expires_at.has_value());
    EXPECT_EQ(p.expires_at->ms, clock->now().ms + 20 * kDay);  // o1 leaves the 30-day window
    EXPECT_FALSE(p.consent_sms);

    // Every kind of write moves the profile.
    opt_in_sms(a);
    Interaction call;
    call.party = a.id;
    call.channel = Channel::call;
    call.direction = Direction::inbound;
    call.at = Timestamp{clock->now().ms - kDay};
    must(engine->log_interaction(ctx, call));
    PartyInput org;
    org.kind = PartyKind::organization;
    org.organization_name = "شرکت نمونه";
    Party o = must(engine->create_party(ctx, org));
    must(engine->link_to_organization(ctx, a.id, o.id, "buyer"));
    TicketInput t;
    t.subject = "late delivery";
    t.party = a.id;
    t.type = TicketType::complaint;
    must(Service(*engine).create_ticket(ctx, t));
    buy(a, "o3", 1'000'000, 0);
    must(engine->update_party(ctx, a.id, [] {
        PartyInput in;
        in.city = "اصفهان";
        return in;
    }()));

    p = must(mk().profile(a.id));
    EXPECT_TRUE(p.consent_sms);
    ASSERT_TRUE(p.last_interaction[static_cast<int>(Channel::call)].has_value());
    EXPECT_EQ(p.last_interaction[static_cast<int>(Channel::call)]->ms, call.at.ms);
    EXPECT_FALSE(p.last_interaction[static_cast<int>(Channel::email)].has_value());
    EXPECT_EQ(p.organizations, (Names{o.id.str()}));
    EXPECT_EQ(p.tickets, 1);
    EXPECT_EQ(p.open_tickets, 1);
    EXPECT_EQ(p.complaints, 1);
    EXPECT_EQ(p.purchase_count, 3);
    EXPECT_EQ(p.window_count[0], 2);
    EXPECT_EQ(p.city, text::normalize("اصفهان"));

    // A party created later gets its profile on creation.
    Party b = customer("b", "شیراز");
    EXPECT_EQ(must(mk().profile(b.id)).purchase_count, 0);
    EXPECT_EQ(count("all"), 3);

    // WhatsApp is a channel of the timeline as of consent and campaigns: its
    // interactions are logged, and segment rules read the last one (alone
    // and among every channel's).
    Interaction chat;
    chat.party = b.id;
    chat.channel = Channel::whatsapp;
    chat.direction = Direction::inbound;
    chat.at = Timestamp{clock->now().ms - kDay};
    EXPECT_EQ(must(engine->log_interaction(ctx, chat)).channel, Channel::whatsapp);
    p = must(mk().profile(b.id));
    ASSERT_TRUE(p.last_interaction[static_cast<int>(Channel::whatsapp)].has_value());
    EXPECT_EQ(p.last_interaction[static_cast<int>(Channel::whatsapp)]->ms, chat.at.ms);
    must(mk().define_segment(ctx, R"({"id": "wa", "rule": "last_interaction.whatsapp > now - 7d"})"));
    EXPECT_EQ(count("wa"), 1);
    must(mk().define_segment(ctx, R"({"id": "recent", "rule": "last_interaction.any > now - 3d"})"));
    EXPECT_EQ(count("recent"), 2);  // a's call and b's message
}

TEST_P(Segments, DynamicSegmentsCountListAndSample) {
    Party a = customer("a", "تهران", {"vip"}, "", "09121234567");
    Party b = customer("b", "تهران", {}, "", "09121234568");
    Party c = customer("c", "شیراز", {"vip"}, "", "09121234569");
    Party d = customer("d", "تهران", {"vip"}, "", "09121234560");
    buy(a, "a1", 5'000'000, 5);
    buy(a, "a2", 5'000'000, 50);
    buy(b, "b1", 1'000'000, 5);
    buy(c, "c1", 9'000'000, 5);
    buy(c, "c2", 9'000'000, 6);
    buy(d, "d1", 9'000'000, 400);  // outside every window
    opt_in_sms(a);
    opt_in_sms(c);
    opt_in_sms(d);

    // The text form and the JSON form, six conditions over party fields
    // and purchase aggregates.
    must(mk().define_segment(ctx, R"({"id": "loyal-tehran", "kind": "dynamic",
        "rule": "city = \"تهران\" and purchases.count_365d >= 2 and purchases.sum_90d >= 10000000 IRR and consent.sms and tags contains \"VIP\" and purchases.last_at > now - 30d"})"));
    EXPECT_EQ(members("loyal-tehran"), (Names{"a"}));
    EXPECT_EQ(count("loyal-tehran"), 1);

    must(mk().define_segment(ctx, R"({"id": "buyers", "rule": {"ge": [{"field": "purchases.count"}, 1]}})"));
    EXPECT_EQ(count("buyers"), 4);
    EXPECT_EQ(members("buyers"), (Names{"a", "b", "c", "d"}));
    // Paging in id order.
    auto first = must(mk().members(ctx, "buyers", Id{}, 2));
    ASSERT_EQ(first.size(), 2u);
    auto rest = must(mk().members(ctx, "buyers", first.back(), 10));
    EXPECT_EQ(rest.size(), 2u);
    EXPECT_LT(first.back(), rest.front());

    // A sample: members only, the size asked for, the same for the same seed.
    auto s1 = must(mk().sample(ctx, "buyers", 2, 7));
    auto s2 = must(mk().sample(ctx, "buyers", 2, 7));
    EXPECT_EQ(s1, s2);
    ASSERT_EQ(s1.size(), 2u);
    EXPECT_NE(s1[0], s1[1]);
    const auto all = must(mk().members(ctx, "buyers"));
    for (const auto& id : s1) EXPECT_NE(std::find(all.begin(), all.end(), id), all.end());
    EXPECT_EQ(must(mk().sample(ctx, "buyers", 100, 3)).size(), 4u);
    std::set<Id> starts;
    for (std::uint64_t seed = 0; seed < 40; ++seed) starts.insert(must(mk().sample(ctx, "buyers", 1, seed))[0]);
    EXPECT_GT(starts.size(), 1u) << "every seed gave the same sample";
}

TEST_P(Segments, ExplainSaysWhichConditionsHeld) {
    Party a = customer("a", "تهران", {"vip"});
    buy(a, "a1", 5'000'000, 5);
    must(mk().define_segment(ctx, R"({"id": "s", "rule": "city = \"تهران\" and (purchases.count >= 3 or tags contains \"vip\") and not consent.sms"})"));
    auto e = must(mk().explain(ctx, "s", a.id));
    EXPECT_TRUE(e.member);
    const auto tree = nlohmann::json::parse(e.tree);
    EXPECT_EQ(tree["held"], true);
    EXPECT_EQ(tree["values"]["purchases.count"], 1);
    EXPECT_EQ(tree["values"]["consent.sms"], false);
    const auto& and_children = tree["rule"]["children"];
    ASSERT_EQ(and_children.size(), 3u);
    EXPECT_EQ(and_children[0]["held"], true);
    EXPECT_EQ(and_children[1]["held"], true);
    EXPECT_EQ(and_children[1]["children"][0]["held"], false);  // purchases.count >= 3
    EXPECT_EQ(and_children[1]["children"][1]["held"], true);   // tags contains vip
    EXPECT_EQ(and_children[2]["held"], true);

    Party b = customer("b", "شیراز");
    auto no = must(mk().explain(ctx, "s", b.id));
    EXPECT_FALSE(no.member);
    EXPECT_EQ(nlohmann::json::parse(no.tree)["rule"]["children"][0]["held"], false);
}

TEST_P(Segments, TrackedMembershipFollowsWritesWithHistory) {
    Party a = customer("a", "تهران");
    must(mk().define_segment(ctx, R"({"id": "big", "rule": "purchases.sum >= 10000000 IRR"})"));
    must(mk().define_segment(ctx, R"({"id": "untracked", "rule": "purchases.count >= 1", "track": false})"));
    EXPECT_TRUE(current_segments(a).empty());

    clock->advance((1) * 3'600'000);
    const Timestamp joined = clock->now();
    buy(a, "a1", 12'000'000, 0);
    EXPECT_EQ(current_segments(a), (Names{"big"}));  // never "untracked"
    ASSERT_EQ(events_of("segment.joined").size(), 1u);
    EXPECT_EQ(nlohmann::json::parse(events_of("segment.joined")[0].payload)["segment"], "big");

    // The order is corrected downwards: the party leaves.
    clock->advance((1) * 3'600'000);
    const Timestamp left = clock->now();
    Purchase fix;
    fix.party = a.id;
    fix.order_id = "a1";
    fix.ordered_at = joined;
    fix.total = must(Money::of(200'000'000, "IRR"));
    must(engine->record_purchase(ctx, fix));
    EXPECT_TRUE(current_segments(a).empty());
    auto history = must(mk().memberships(a.id, true));
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].segment, "big");
    EXPECT_EQ(history[0].joined_at.ms, joined.ms);
    ASSERT_TRUE(history[0].left_at.has_value());
    EXPECT_EQ(history[0].left_at->ms, left.ms);
    EXPECT_EQ(events_of("segment.left").size(), 1u);

    // Back in: a second stay.
    buy(a, "a2", 9'000'000, 0);
    EXPECT_EQ(current_segments(a), (Names{"big"}));
    auto log = must(mk().membership_history("big"));
    ASSERT_EQ(log.size(), 2u);
    EXPECT_FALSE(log[0].left_at.has_value());  // the latest change first
    EXPECT_TRUE(log[1].left_at.has_value());

    // A segment defined over existing parties takes them in at once; a
    // changed rule lets members go.
    must(mk().define_segment(ctx, R"({"id": "tehran", "rule": "city = \"تهران\""})"));
    EXPECT_EQ(current_segments(a), (Names{"big", "tehran"}));
    must(mk().define_segment(ctx, R"({"id": "tehran", "rule": "city = \"مشهد\""})"));
    EXPECT_EQ(current_segments(a), (Names{"big"}));
    EXPECT_EQ(must(mk().segment("tehran")).version, 2);
}

TEST_P(Segments, WindowsAndRelativeRulesMoveWithTime) {
    Party a = customer("a", "تهران");
    buy(a, "a1", 1'000'000, 25);
    must(mk().define_segment(ctx, R"({"id": "month", "rule": "purchases.count_30d >= 1"})"));
    must(mk().define_segment(ctx, R"({"id": "recent", "rule": "purchases.last_at >= now - 28d"})"));
    EXPECT_EQ(current_segments(a), (Names{"month", "recent"}));

    clock->advance((24 * 4) * 3'600'000);  // 29 days after the purchase
    // Counting brings moved windows up to date first; the relative rule is
    // evaluated at now.
    EXPECT_EQ(count("month"), 1);
    EXPECT_EQ(count("recent"), 0);
    clock->advance((24 * 2) * 3'600'000);  // 31 days
    EXPECT_EQ(count("month"), 0);
    EXPECT_EQ(must(mk().profile(a.id)).window_count[0], 0);
    EXPECT_EQ(must(mk().profile(a.id)).window_count[1], 1);

    // Bringing the profile up to date evaluated its tracked segments at now.
    EXPECT_TRUE(current_segments(a).empty());

    // Nothing is written while time alone makes a party match: refresh
    // scans rules that read relative times again.
    must(mk().define_segment(ctx, R"({"id": "settled", "rule": "created_at <= now - 12d"})"));
    EXPECT_TRUE(current_segments(a).empty());
    clock->advance((24 * 10) * 3'600'000);
    EXPECT_TRUE(current_segments(a).empty());
    auto report = must(mk().refresh(ctx));
    EXPECT_EQ(report.segments_evaluated, 2);  // recent and settled
    EXPECT_EQ(report.joined, 1);
    EXPECT_EQ(report.left, 0);
    EXPECT_EQ(current_segments(a), (Names{"settled"}));
    EXPECT_EQ(must(mk().refresh(ctx)).joined, 0);  // idempotent
}

TEST_P(Segments, RfmScoresByQuintile) {
    std::vector<Party> parties;
    for (int i = 0; i < 10; ++i) {
        parties.push_back(customer("p" + std::to_string(i), "تهران"));
        for (int k = 0; k <= i; ++k)
            buy(parties.back(), "o" + std::to_string(i) + "-" + std::to_string(k),
                1'000'000 * (i + 1), 100 - 10 * i + k);
    }
    must(mk().define_segment(ctx, R"({"id": "champions", "rule": "rfm.recency >= 5 and rfm.frequency >= 5"})"));
    EXPECT_EQ(must(mk().profile(parties[9].id)).rfm_recency, 0);  // not scored yet
    SegmentRefreshOptions o;
    o.rfm = true;
    EXPECT_TRUE(must(mk().refresh(ctx, o)).rfm_scored);
    const auto best = must(mk().profile(parties[9].id));
    const auto worst = must(mk().profile(parties[0].id));
    EXPECT_EQ(best.rfm_recency, 5);
    EXPECT_EQ(best.rfm_frequency, 5);
    EXPECT_EQ(best.rfm_monetary, 5);
    EXPECT_EQ(worst.rfm_recency, 1);
    EXPECT_EQ(worst.rfm_frequency, 1);
    for (std::size_t i = 1; i < parties.size(); ++i)
        EXPECT_GE(must(mk().profile(parties[i].id)).rfm_frequency,
                  must(mk().profile(parties[i - 1].id)).rfm_frequency);
    EXPECT_EQ(members("champions"), (Names{"p8", "p9"}));
    EXPECT_EQ(current_segments(parties[9]), (Names{"champions"}));
    // A new purchase is scored against the stored boundaries at once.
    buy(parties[0], "late", 1'000'000, 0);
    EXPECT_EQ(must(mk().profile(parties[0].id)).rfm_recency, 5);
}

TEST_P(Segments, ListsSnapshotsSuppressionAndSets) {
    Party a = customer("a", "تهران", {}, "a@shop.ir", "09121234567");
    Party b = customer("b", "تهران", {}, "b@mail.example.com", "09121234568");
    Party c = customer("c", "تهران", {}, "c@other.ir", "09121234569");
    Party d = customer("d", "شیراز", {}, "d@x.ir", "09121234560");
    must(mk().define_segment(ctx, R"({"id": "tehran", "rule": "city = \"تهران\""})"));
    must(mk().define_segment(ctx, R"({"id": "vip", "kind": "list", "name": "VIP list"})"));
    must(mk().define_segment(ctx, R"({"id": "dnc", "kind": "suppression"})"));

    EXPECT_EQ(must(mk().add_to_list(ctx, "vip", {a.id, d.id, a.id})), 2);
    EXPECT_EQ(must(mk().add_to_list(ctx, "vip", {a.id})), 0);
    EXPECT_EQ(members("vip"), (Names{"a", "d"}));
    EXPECT_EQ(must(mk().remove_from_list(ctx, "vip", {d.id})), 1);
    EXPECT_EQ(members("vip"), (Names{"a"}));
    EXPECT_EQ(must(mk().add_to_list(ctx, "vip", {d.id})), 1);

    // Suppression entries in any spelling, stored normalised.
    EXPECT_EQ(must(mk().suppress(ctx, "dnc", SuppressionKind::email, " A@Shop.IR ")).value, "a@shop.ir");
    EXPECT_EQ(must(mk().suppress(ctx, "dnc", SuppressionKind::domain, "@Mail.Example.com")).value,
              "mail.example.com");
    EXPECT_EQ(must(mk().suppress(ctx, "dnc", SuppressionKind::phone, "۰۹۱۲ ۱۲۳ ۴۵۶۰")).value,
              "+989121234560");
    EXPECT_EQ(must(mk().suppress(ctx, "dnc", SuppressionKind::party, "c", "asked")).value, c.id.str());
    EXPECT_EQ(must(mk().suppression_entries("dnc")).size(), 4u);
    EXPECT_EQ(members("dnc"), (Names{"a", "b", "c", "d"}));
    EXPECT_TRUE(must(mk().unsuppress(ctx, "dnc", SuppressionKind::party, c.id.str())));
    EXPECT_FALSE(must(mk().unsuppress(ctx, "dnc", SuppressionKind::party, c.id.str())));
    EXPECT_EQ(members("dnc"), (Names{"a", "b", "d"}));
    auto why = nlohmann::json::parse(must(mk().explain(ctx, "dnc", b.id)).tree);
    EXPECT_EQ(why["held"], true);
    EXPECT_EQ(why["entry"]["kind"], "domain");

    // Sets: of rules only (one compiled rule), and mixed (id sets).
    must(mk().define_segment(ctx, R"({"id": "shiraz", "rule": "city = \"شیراز\""})"));
    must(mk().define_segment(ctx, R"({"id": "everyone", "kind": "set", "op": "union", "of": ["tehran", "shiraz"]})"));
    must(mk().define_segment(ctx, R"({"id": "none", "kind": "set", "op": "intersection", "of": ["tehran", "shiraz"]})"));
    must(mk().define_segment(ctx, R"({"id": "tehran-vip", "kind": "set", "op": "intersection", "of": ["tehran", "vip"]})"));
    must(mk().define_segment(ctx, R"({"id": "reachable", "kind": "set", "op": "difference", "of": ["everyone", "dnc"]})"));
    must(mk().define_segment(ctx, R"({"id": "not-tehran", "kind": "set", "op": "difference", "of": ["everyone", "tehran"]})"));
    EXPECT_EQ(members("everyone"), (Names{"a", "b", "c", "d"}));
    EXPECT_EQ(count("none"), 0);
    EXPECT_EQ(members("tehran-vip"), (Names{"a"}));
    EXPECT_EQ(members("reachable"), (Names{"c"}));
    EXPECT_EQ(members("not-tehran"), (Names{"d"}));
    EXPECT_EQ(count("reachable"), 1);
    auto set_why = nlohmann::json::parse(must(mk().explain(ctx, "reachable", a.id)).tree);
    EXPECT_EQ(set_why["held"], false);
    EXPECT_EQ(set_why["children"][0]["held"], true);
    EXPECT_EQ(set_why["children"][1]["held"], true);

    // A snapshot is a list: it keeps its members when the source changes.
    EXPECT_EQ(must(mk().snapshot(ctx, "tehran", "tehran-2026")), 3);
    must(engine->update_party(ctx, b.id, [] {
        PartyInput in;
        in.city = "کرج";
        return in;
    }()));
    EXPECT_EQ(count("tehran"), 2);
    EXPECT_EQ(members("tehran-2026"), (Names{"a", "b", "c"}));
    EXPECT_EQ(must(mk().segment("tehran-2026")).kind, SegmentKind::list);
}

TEST_P(Segments, MergeMovesProfileMembershipAndListPlaces) {
    Party a = customer("a", "تهران");
    Party b = customer("b", "تهران");
    buy(b, "b1", 12'000'000, 1);
    must(mk().define_segment(ctx, R"({"id": "big", "rule": "purchases.sum >= 10000000 IRR"})"));
    must(mk().define_segment(ctx, R"({"id": "vip", "kind": "list"})"));
    must(mk().define_segment(ctx, R"({"id": "dnc", "kind": "suppression"})"));
    must(mk().add_to_list(ctx, "vip", {b.id}));
    must(mk().suppress(ctx, "dnc", SuppressionKind::party, b.id.str()));
    EXPECT_EQ(current_segments(b), (Names{"big"}));

    must(engine->merge(ctx, a.id, {b.id}));
    EXPECT_EQ(current_segments(a), (Names{"big"}));
    EXPECT_EQ(must(mk().profile(a.id)).purchase_count, 1);
    EXPECT_EQ(members("vip"), (Names{"a"}));
    EXPECT_EQ(members("dnc"), (Names{"a"}));
    EXPECT_EQ(count("big"), 1);
    auto b_history = must(mk().membership_history("big"));
    ASSERT_EQ(b_history.size(), 2u);
    int closed = 0;
    for (const auto& m : b_history)
        if (m.party == b.id) closed += m.left_at ? 1 : 0;
    EXPECT_EQ(closed, 1);
}

TEST_P(Segments, SettingsCurrencySumsAnotherCurrency) {
    Party a = customer("a", "تهران");
    Purchase x;
    x.party = a.id;
    x.order_id = "usd";
    x.ordered_at = clock->now();
    x.total = must(Money::of(12'345, "USD"));
    must(engine->record_purchase(ctx, x));
    buy(a, "irr", 1'000'000, 1);
    must(mk().define_segment(ctx, R"({"id": "all", "rule": true})"));
    EXPECT_EQ(must(mk().profile(a.id)).purchase_sum, 100'000'000);
    EXPECT_EQ(must(mk().settings()).currency, "IRR");
    EXPECT_EQ(must(mk().configure(ctx, R"({"currency": "USD"})")).outcome, WriteOutcome::created);
    EXPECT_EQ(must(mk().profile(a.id)).purchase_sum, 12'345);
    EXPECT_EQ(must(mk().profile(a.id)).purchase_count, 2);
    // Rules compare sums in the settings' currency only.
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "rial", "rule": "purchases.sum > 5 IRR"})"),
                     errc::invalid_argument, "rule@16");
    must(mk().define_segment(ctx, R"({"id": "dollar", "rule": "purchases.sum > 100 USD"})"));
    EXPECT_EQ(count("dollar"), 1);
    CRM_EXPECT_ERROR(mk().configure(ctx, R"({"currency": "XYZ"})"), errc::invalid_argument, "currency");
}

TEST_P(Segments, BadInputIsRefusedAndNothingWritten) {
    Party a = customer("a", "تهران");
    must(mk().define_segment(ctx, R"({"id": "s", "rule": "city = \"تهران\""})"));
    must(mk().define_segment(ctx, R"({"id": "l", "kind": "list"})"));
    const auto events = must(engine->events_after(0, 10'000)).size();

    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "x", "rule": {"eq": [{"field": "shoe_size"}, 42]}})"),
                     errc::invalid_argument, "rule.eq[0]");
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "x", "rule": "shoe_size = 42"})"),
                     errc::invalid_argument, "rule@0");
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "x", "rule": "city = "})"), errc::parse, "rule@7");
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "x"})"), errc::invalid_argument, "rule");
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "X Y", "rule": true})"), errc::invalid_argument, "id");
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "x", "kind": "cloud"})"), errc::invalid_argument, "kind");
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "x", "kind": "list", "rule": true})"),
                     errc::invalid_argument, "rule");
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "x", "rule": true, "colour": 1})"),
                     errc::invalid_argument, "colour");
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "s", "kind": "list"})"), errc::invalid_argument, "kind");
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "u", "kind": "set", "op": "union", "of": ["s", "nope"]})"),
                     errc::not_found, "of[1]");
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "u", "kind": "set", "op": "union", "of": ["u"]})"),
                     errc::invalid_argument, "of[0]");
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "u", "kind": "set", "of": ["s"]})"),
                     errc::invalid_argument, "op");
    CRM_EXPECT_ERROR(mk().define_segment(ctx, "{"), errc::parse, "segment");
    // A cycle through another set.
    must(mk().define_segment(ctx, R"({"id": "u1", "kind": "set", "op": "union", "of": ["s"]})"));
    must(mk().define_segment(ctx, R"({"id": "u2", "kind": "set", "op": "union", "of": ["u1"]})"));
    const auto before_cycle = must(engine->events_after(0, 10'000)).size();
    CRM_EXPECT_ERROR(mk().define_segment(ctx, R"({"id": "u1", "kind": "set", "op": "union", "of": ["u2"]})"),
                     errc::invalid_argument, "of");
    EXPECT_EQ(must(engine->events_after(0, 10'000)).size(), before_cycle);
    EXPECT_EQ(must(mk().segment("u1")).of, (Names{"s"}));

    CRM_EXPECT_ERROR(mk().count(ctx, "nope"), errc::not_found, "segment");
    CRM_EXPECT_ERROR(mk().members(ctx, "s", Id{}, 0), errc::invalid_argument, "limit");
    CRM_EXPECT_ERROR(mk().sample(ctx, "s", 0), errc::invalid_argument, "size");
    CRM_EXPECT_ERROR(mk().add_to_list(ctx, "s", {a.id}), errc::invalid_argument, "list");
    CRM_EXPECT_ERROR(mk().add_to_list(ctx, "l", {}), errc::invalid_argument, "parties");
    Id ghost = must(Id::parse("01890000-0000-7000-8000-000000000000"));
    // One unknown party: none of the others is added either.
    CRM_EXPECT_ERROR(mk().add_to_list(ctx, "l", {a.id, ghost}), errc::not_found, "parties[1]");
    EXPECT_EQ(count("l"), 0);
    CRM_EXPECT_ERROR(mk().suppress(ctx, "l", SuppressionKind::email, "a@b.ir"), errc::invalid_argument, "list");
    must(mk().define_segment(ctx, R"({"id": "dnc", "kind": "suppression"})"));
    CRM_EXPECT_ERROR(mk().suppress(ctx, "dnc", SuppressionKind::email, "not-an-address"),
                     errc::invalid_argument, "value");
    CRM_EXPECT_ERROR(mk().suppress(ctx, "dnc", SuppressionKind::phone, "12"), errc::invalid_argument, "value");
    CRM_EXPECT_ERROR(mk().suppress(ctx, "dnc", SuppressionKind::party, "nobody"), errc::not_found, "value");
    CRM_EXPECT_ERROR(mk().suppress(ctx, "dnc", SuppressionKind::domain, "   "), errc::invalid_argument, "value");
    CRM_EXPECT_ERROR(mk().snapshot(ctx, "s", "s"), errc::invalid_argument, "list");
    CRM_EXPECT_ERROR(mk().snapshot(ctx, "s", "dnc"), errc::invalid_argument, "list");
    EXPECT_TRUE(must(mk().suppression_entries("dnc")).empty());
    (void)events;
}

TEST_P(Segments, StaleWindowsOrganisationMergesAndRejoiningInOneInstant) {
    Party p = customer("p", "شیراز");
    buy(p, "o1", 1'000'000, 0);
    must(mk().define_segment(ctx, R"({"id": "recent-tehran", "rule": "city = \"تهران\" and purchases.count_30d >= 1"})"));
    EXPECT_TRUE(current_segments(p).empty());
    // Forty days on, with no read in between, the party moves to Tehran:
    // its 30-day window is brought up to date before it is judged.
    clock->advance(40 * kDay);
    must(engine->update_party(ctx, p.id, [] {
        PartyInput in;
        in.city = "تهران";
        return in;
    }()));
    EXPECT_TRUE(current_segments(p).empty());
    EXPECT_EQ(must(mk().profile(p.id)).window_count[0], 0);

    // A person of an organisation merged away belongs to the survivor.
    PartyInput org;
    org.kind = PartyKind::organization;
    org.organization_name = "الف";
    Party a = must(engine->create_party(ctx, org));
    org.organization_name = "ب";
    Party b = must(engine->create_party(ctx, org));
    must(engine->link_to_organization(ctx, p.id, b.id, "buyer"));
    must(mk().define_segment(ctx, R"({"id": "of-a", "rule": {"contains": [{"field": "organizations"}, ")" +
                                      a.id.str() + R"("]}})"));
    EXPECT_EQ(count("of-a"), 0);
    must(engine->merge(ctx, a.id, {b.id}));
    EXPECT_EQ(count("of-a"), 1);
    EXPECT_EQ(current_segments(p), (Names{"of-a"}));

    // In, out and in again within one millisecond: one stay goes on.
    must(mk().define_segment(ctx, R"({"id": "vip", "rule": "tags contains \"vip\""})"));
    PartyInput tag;
    tag.add_tags = {"vip"};
    PartyInput untag;
    untag.remove_tags = {"vip"};
    must(engine->update_party(ctx, p.id, tag));
    must(engine->update_party(ctx, p.id, untag));
    must(engine->update_party(ctx, p.id, tag));
    auto stays = must(mk().memberships(p.id, true));
    int vip = 0;
    for (const auto& m : stays) vip += m.segment == "vip" && !m.left_at;
    EXPECT_EQ(vip, 1);
}

TEST_P(Segments, LargeSetsFallBackToIdSets) {
    Party a = customer("a", "تهران");
    nlohmann::json of = nlohmann::json::array();
    for (int i = 0; i < 64; ++i) {
        // 64 rules of 200 conditions: too many nodes for one combined rule.
        std::string rule = "city = \"تهران\"";
        for (int k = 0; k < 200; ++k) rule += " and purchases.count >= 0";
        const std::string id = "s" + std::to_string(i);
        must(mk().define_segment(ctx, nlohmann::json{{"id", id}, {"track", false}, {"rule", rule}}.dump()));
        of.push_back(id);
    }
    must(mk().define_segment(
        ctx, nlohmann::json{{"id", "all"}, {"kind", "set"}, {"op", "union"}, {"of", of}}.dump()));
    EXPECT_EQ(count("all"), 1);
    EXPECT_EQ(must(mk().members(ctx, "all")), (std::vector<Id>{a.id}));
}

INSTANTIATE_TEST_SUITE_P(Backends, Segments, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace crm::testing
