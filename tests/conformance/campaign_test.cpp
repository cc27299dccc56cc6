// tests/conformance/campaign_test.cpp - campaigns on every backend: the
// lifecycle, members taken at launch (suppression, consent, frequency cap,
// A/B groups), statuses reported idempotently (unsubscribe opts out),
// throttled delivery plans that never hand a member over twice, the report
// with attribution and ROI, and bad input refused with nothing written.
#include <algorithm>
#include <set>
#include <tuple>

#include "crm/core/sms.hpp"

#include "backends.hpp"

namespace crm::testing {
namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kHour = 3'600'000;

class Campaigns : public Conformance {
protected:
    Marketing mk() { return Marketing(*engine); }
    Sales sales() { return Sales(*engine); }

    // A person in Tehran with a mobile; opted in to SMS when `sms`.
    Party customer(const std::string& ext, bool sms, const std::string& city = "تهران") {
        PartyInput in;
        in.kind = PartyKind::person;
        in.external_id = ext;
        in.first_name = "Name";
        in.last_name = ext;
        in.city = city;
        auto phone = ContactInput::of(ContactKind::phone, "0912" + std::to_string(1000000 + counter_++));
        if (sms) phone.consents.push_back({"sms", ConsentStatus::opt_in, clock->now(), "test"});
        in.contacts.push_back(phone);
        return must(engine->create_party(ctx, in));
    }
    void tehran_segment() {
        must(mk().define_segment(ctx, R"({"id": "tehran", "rule": "city = \"تهران\""})"));
    }
    Campaign launched(const std::string& body) {
        Campaign c = must(mk().create_campaign(ctx, body));
        must(mk().move_campaign(ctx, c.id, "ready"));
        return must(mk().move_campaign(ctx, c.id, "launch"));
    }
    std::set<Id> member_ids(const Campaign& c) {
        std::set<Id> out;
        for (const auto& m : must(mk().campaign_members(c.id, Id{}, 10000))) out.insert(m.party);
        return out;
    }
    int counter_ = 0;
};

TEST_P(Campaigns, LaunchTakesTheAudienceMinusSuppressionConsentAndCap) {
    tehran_segment();
    must(mk().define_segment(ctx, R"({"id": "dnc", "kind": "suppression"})"));
    Party a = customer("a", true), b = customer("b", true), c = customer("c", false);
    Party d = customer("d", true), far = customer("far", true, "شیراز");
    must(mk().suppress(ctx, "dnc", SuppressionKind::party, d.id.str()));

    Campaign x = must(mk().create_campaign(ctx, R"({"name": "Nowruz", "channels": ["sms"],
        "segments": ["tehran"], "suppressions": ["dnc"], "frequency_cap": {"max": 1, "days": 7}})"));
    EXPECT_EQ(x.state, "proposed");
    EXPECT_EQ(x.status, "open");
    CRM_EXPECT_ERROR(mk().move_campaign(ctx, x.id, "launch"), errc::invalid_transition, "move");
    must(mk().move_campaign(ctx, x.id, "ready"));
    Campaign on = must(mk().move_campaign(ctx, x.id, "launch"));
    EXPECT_EQ(on.state, "launched");
    EXPECT_EQ(on.members, 2);
    EXPECT_EQ(member_ids(on), (std::set<Id>{a.id, b.id}));
    auto m = must(mk().campaign_members(on.id));
    EXPECT_EQ(m[0].channel, "sms");
    EXPECT_EQ(m[0].address.rfind("+98912", 0), 0u);
    (void)c;
    (void)far;

    // A member handed over by this campaign is over a cap of one a week.
    auto plan = must(mk().plan_delivery(ctx, on.id));
    must(mk().dispatch(ctx, on.id, plan.number, 1));
    Campaign y = launched(R"({"name": "Second", "channels": ["sms"], "segments": ["tehran"],
        "frequency_cap": {"max": 1, "days": 7}})");
    EXPECT_EQ(member_ids(y), (std::set<Id>{d.id}));
    clock->advance(8 * kDay);
    Campaign z = launched(R"({"name": "Third", "channels": ["sms"], "segments": ["tehran"],
        "frequency_cap": {"max": 1, "days": 7}})");
    EXPECT_EQ(member_ids(z).size(), 3u);  // a and b are under the cap again; d was never sent
}

TEST_P(Campaigns, NoConsentableMemberIsAClearErrorAndChangesNothing) {
    tehran_segment();
    customer("a", false);
    customer("b", false);
    Campaign x = must(mk().create_campaign(ctx, R"({"name": "Email blast", "channels": ["email", "sms"],
        "segments": ["tehran"]})"));
    must(mk().move_campaign(ctx, x.id, "ready"));
    const auto events = must(engine->events_after(0, 10'000)).size();
    CRM_EXPECT_ERROR(mk().move_campaign(ctx, x.id, "launch"), errc::invalid_argument, "channels");
    EXPECT_EQ(must(mk().campaign(x.id.str())).state, "ready");
    EXPECT_TRUE(must(mk().campaign_members(x.id)).empty());
    EXPECT_EQ(must(engine->events_after(0, 10'000)).size(), events);
    must(mk().define_segment(ctx, R"({"id": "nobody", "rule": "city = \"قم\""})"));
    Campaign y = must(mk().create_campaign(ctx, R"({"name": "Empty", "channels": ["sms"], "segments": ["nobody"]})"));
    must(mk().move_campaign(ctx, y.id, "ready"));
    CRM_EXPECT_ERROR(mk().move_campaign(ctx, y.id, "launch"), errc::invalid_argument, "segments");
}

TEST_P(Campaigns, GroupsAreDeterministicBySeed) {
    tehran_segment();
    for (int i = 0; i < 200; ++i) customer("p" + std::to_string(i), true);
    const char* body = R"({"name": "AB", "channels": ["sms"], "segments": ["tehran"],
        "variants": [{"id": "a", "share": 50}, {"id": "b", "share": 50}], "seed": 7})";
    Campaign one = launched(body);
    Campaign two = launched(body);
    auto m1 = must(mk().campaign_members(one.id, Id{}, 1000));
    auto m2 = must(mk().campaign_members(two.id, Id{}, 1000));
    ASSERT_EQ(m1.size(), 200u);
    int in_a = 0;
    for (std::size_t i = 0; i < m1.size(); ++i) {
        EXPECT_EQ(m1[i].variant, m2[i].variant);
        in_a += m1[i].variant == "a";
    }
    EXPECT_GT(in_a, 70);
    EXPECT_LT(in_a, 130);
}

TEST_P(Campaigns, StatusesAreIdempotentAndUnsubscribeOptsOut) {
    tehran_segment();
    Party a = customer("a", true);
    Campaign c = launched(R"({"name": "Promo", "channels": ["sms"], "segments": ["tehran"],
        "responded_statuses": ["clicked"]})");
    const Timestamp t1 = clock->now();
    auto m = must(mk().report_status(ctx, c.id, a.id, MemberStatus::clicked));
    // A click implies sent, delivered and opened, at the same time.
    EXPECT_TRUE(m.at[static_cast<int>(MemberStatus::sent)].has_value());
    EXPECT_TRUE(m.at[static_cast<int>(MemberStatus::opened)].has_value());
    EXPECT_FALSE(m.at[static_cast<int>(MemberStatus::responded)].has_value());
    clock->advance(kHour);
    const auto events = must(engine->events_after(0, 10'000)).size();
    auto again = must(mk().report_status(ctx, c.id, a.id, MemberStatus::clicked));
    EXPECT_EQ(again.at[static_cast<int>(MemberStatus::clicked)]->ms, t1.ms);
    EXPECT_EQ(must(engine->events_after(0, 10'000)).size(), events);
    // The profile counts responses as this campaign defines them.
    must(mk().define_segment(ctx, R"({"id": "responders", "rule": "campaigns.responded >= 1"})"));
    EXPECT_EQ(must(mk().count(ctx, "responders")), 1);

    must(mk().report_status(ctx, c.id, a.id, MemberStatus::unsubscribed));
    const Party after = must(engine->get_party(a.id));
    ASSERT_EQ(after.contacts.size(), 1u);
    ASSERT_EQ(after.contacts[0].consents.size(), 1u);
    EXPECT_EQ(after.contacts[0].consents[0].status, ConsentStatus::opt_out);
    EXPECT_EQ(after.contacts[0].consents[0].source, "campaign:" + c.id.str());
    EXPECT_FALSE(must(mk().profile(a.id)).consent_sms);

    Party stranger = customer("s", true, "شیراز");
    CRM_EXPECT_ERROR(mk().report_status(ctx, c.id, stranger.id, MemberStatus::sent), errc::not_found, "party");
    Campaign draft = must(mk().create_campaign(ctx, R"({"name": "Draft", "channels": ["sms"], "segments": ["tehran"]})"));
    CRM_EXPECT_ERROR(mk().report_status(ctx, draft.id, a.id, MemberStatus::sent), errc::invalid_transition,
                     "campaign");
}

TEST_P(Campaigns, PlansThrottleAndNeverHandAMemberOverTwice) {
    tehran_segment();
    std::vector<Party> people;
    for (int i = 0; i < 25; ++i) people.push_back(customer("p" + std::to_string(i), true));
    Campaign c = launched(R"({"name": "Throttled", "channels": ["sms"], "segments": ["tehran"]})");
    // Monday 2026-02-09 07:00 Tehran: the default calendar opens at 08:00.
    clock->set(must(parse_iso8601("2026-02-09T07:00:00+03:30")));
    PlanOptions o;
    o.rate_per_window["sms"] = 10;
    o.window_minutes = 60;
    o.calendar = "default";
    auto plan = must(mk().plan_delivery(ctx, c.id, o));
    EXPECT_EQ(plan.number, 1);
    EXPECT_EQ(plan.members, 25);
    ASSERT_EQ(plan.batches.size(), 3u);
    EXPECT_EQ(plan.batches[0].count, 10);
    EXPECT_EQ(plan.batches[2].count, 5);
    EXPECT_EQ(to_iso8601(plan.batches[0].send_at), "2026-02-09T04:30:00Z");  // 08:00 Tehran
    EXPECT_EQ(plan.batches[1].send_at.ms - plan.batches[0].send_at.ms, kHour);

    auto first = must(mk().dispatch(ctx, c.id, 1, 1));
    EXPECT_EQ(first.size(), 10u);
    EXPECT_EQ(must(mk().dispatch(ctx, c.id, 1, 1)).size(), 10u);  // the same batch again: the same members
    // Paused after one batch; planned again on resume: only the 15 left.
    must(mk().move_campaign(ctx, c.id, "suspend"));
    CRM_EXPECT_ERROR(mk().dispatch(ctx, c.id, 1, 2), errc::invalid_transition, "campaign");
    CRM_EXPECT_ERROR(mk().plan_delivery(ctx, c.id, o), errc::invalid_transition, "campaign");
    must(mk().move_campaign(ctx, c.id, "resume"));
    auto again = must(mk().plan_delivery(ctx, c.id, o));
    EXPECT_EQ(again.number, 2);
    EXPECT_EQ(again.members, 15);
    std::set<Id> handed;
    for (const auto& m : first) handed.insert(m.party);
    for (std::size_t b = 1; b <= again.batches.size(); ++b)
        for (const auto& m : must(mk().dispatch(ctx, c.id, 2, static_cast<int>(b))))
            EXPECT_TRUE(handed.insert(m.party).second) << "handed over twice";
    // The old plan's batches find nobody left to hand over.
    EXPECT_TRUE(must(mk().dispatch(ctx, c.id, 1, 2)).empty());
    EXPECT_EQ(handed.size(), 25u);
    EXPECT_EQ(must(mk().delivery_plan(c.id)).number, 2);
    CRM_EXPECT_ERROR(mk().dispatch(ctx, c.id, 2, 99), errc::invalid_argument, "batch");

    must(mk().move_campaign(ctx, c.id, "cancel", "budget cut"));
    CRM_EXPECT_ERROR(mk().plan_delivery(ctx, c.id, o), errc::invalid_transition, "campaign");
    PlanOptions bad;
    bad.window_minutes = 0;
    CRM_EXPECT_ERROR(mk().plan_delivery(ctx, c.id, bad), errc::invalid_argument, "window_minutes");
}

// A Persian SMS rendered per member with a salutation the host keeps as a
// custom field, counted in parts, priced per part before anything is sent.
TEST_P(Campaigns, PlansCountEachMembersSmsPartsAndTheirCost) {
    FieldDef salutation;
    salutation.name = "salutation";
    salutation.type = FieldType::enumeration;
    salutation.allowed = {"جناب آقای", "سرکار خانم"};
    must(engine->define_field(ctx, salutation));
    tehran_segment();
    const auto with = [&](const std::string& ext, const std::string& first, const std::string& last,
                          const std::string& title) {
        Party p = customer(ext, true);
        PartyInput in;
        in.first_name = first;
        in.last_name = last;
        if (!title.empty()) in.custom = std::map<std::string, Value>{{"salutation", title}};
        return must(engine->update_party(ctx, p.id, in));
    };
    with("m1", "علی", "رضایی", "جناب آقای");
    with("m2", "مریم", "احمدی", "سرکار خانم");
    // A long family name makes this member's message run past 70 characters: two parts.
    with("m3", "ناصر", "خسروی‌نژاد‌اصفهانی‌پور", "");
    const std::string body =
        R"({"name": "Summer", "channels": ["sms"], "segments": ["tehran"],
            "messages": {"sms": "{salutation} {last_name} عزیز، جشنواره تابستان آغاز شد: ۲۰٪ تخفیف تا جمعه"}})";
    Campaign c = launched(body);
    EXPECT_EQ(c.messages.at("sms").substr(0, 12), "{salutation}");
    PlanOptions o;
    o.rate_per_window["sms"] = 2;
    o.cost_per_part["sms"] = Money::of(2500, "IRR").value();
    auto plan = must(mk().plan_delivery(ctx, c.id, o));
    ASSERT_EQ(plan.messages.size(), 1u);
    const PlannedMessages& m = plan.messages[0];
    // Each member's text, counted as crm::sms counts it.
    std::int64_t want = 0, most = 0;
    for (const auto& [first, last, title] : {std::tuple{"علی", "رضایی", "جناب آقای"},
                                             {"مریم", "احمدی", "سرکار خانم"},
                                             {"ناصر", "خسروی‌نژاد‌اصفهانی‌پور", ""}}) {
        const std::string text = std::string(title) + " " + last + " عزیز، جشنواره تابستان آغاز شد: ۲۰٪ تخفیف تا جمعه";
        const auto parts = must(sms::count_parts(text));
        EXPECT_EQ(parts.encoding, sms::Encoding::ucs2);
        want += parts.parts;
        most = std::max(most, parts.parts);
    }
    EXPECT_EQ(m.channel, "sms");
    EXPECT_EQ(m.messages, 3);
    EXPECT_EQ(m.ucs2, 3);
    EXPECT_EQ(m.parts, want);
    EXPECT_EQ(m.most_parts, 2);
    EXPECT_EQ(most, 2);
    ASSERT_TRUE(m.cost);
    EXPECT_EQ(m.cost->minor, want * 2500);
    EXPECT_EQ(m.cost->currency, "IRR");
    ASSERT_EQ(plan.batches.size(), 2u);
    EXPECT_EQ(plan.batches[0].parts + plan.batches[1].parts, want);
    // The stored plan reads back with its parts and cost.
    auto stored = must(mk().delivery_plan(c.id));
    ASSERT_EQ(stored.messages.size(), 1u);
    EXPECT_EQ(stored.messages[0].parts, want);
    EXPECT_EQ(stored.messages[0].cost->minor, want * 2500);
    EXPECT_EQ(stored.batches[1].parts, plan.batches[1].parts);

    // Bad input names its field and writes nothing.
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["sms"], "segments": ["tehran"],
        "messages": {"sms": "{salutation} {phone}"}})"), errc::invalid_argument, "messages.sms");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["sms"], "segments": ["tehran"],
        "messages": {"email": "hello"}})"), errc::invalid_argument, "messages.email");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["sms"], "segments": ["tehran"],
        "messages": {"fax": "hello"}})"), errc::invalid_argument, "messages.fax");
    PlanOptions email_cost;
    email_cost.cost_per_part["email"] = Money::of(1, "IRR").value();
    CRM_EXPECT_ERROR(mk().plan_delivery(ctx, c.id, email_cost), errc::invalid_argument, "cost_per_part.email");
    EXPECT_EQ(must(mk().delivery_plan(c.id)).number, 1);
}

TEST_P(Campaigns, PlansHoldBackCappedMembersAndSkipThoseReportedOn) {
    tehran_segment();
    Party a = customer("a", true), b = customer("b", true), c = customer("c", true);
    Campaign capped = launched(R"({"name": "Capped", "channels": ["sms"], "segments": ["tehran"],
        "frequency_cap": {"max": 1, "days": 7}})");
    // Another campaign reaches a after the launch.
    Campaign other = launched(R"({"name": "Other", "channels": ["sms"], "segments": ["tehran"]})");
    must(mk().report_status(ctx, other.id, a.id, MemberStatus::sent));
    // The host reached b outside any plan and says so.
    must(mk().report_status(ctx, capped.id, b.id, MemberStatus::delivered));
    auto plan = must(mk().plan_delivery(ctx, capped.id));
    EXPECT_EQ(plan.members, 1);
    EXPECT_EQ(plan.held_back, 1);
    auto handed = must(mk().dispatch(ctx, capped.id, plan.number, 1));
    ASSERT_EQ(handed.size(), 1u);
    EXPECT_EQ(handed[0].party, c.id);
    // A week on, a is under the cap again; b is never planned.
    clock->advance(8 * kDay);
    auto later = must(mk().plan_delivery(ctx, capped.id));
    EXPECT_EQ(later.members, 1);
    EXPECT_EQ(later.held_back, 0);
    EXPECT_EQ(must(mk().dispatch(ctx, capped.id, later.number, 1))[0].party, a.id);
    // The 360 view lists the campaigns a party was in.
    auto view = must(engine->customer_360(a.id));
    ASSERT_EQ(view.campaigns.size(), 2u);
}

TEST_P(Campaigns, MergingTwoMembersKeepsTheHandOverAndTheStatuses) {
    tehran_segment();
    Party a = customer("a", true), b = customer("b", true);
    Campaign c = launched(R"({"name": "Merge", "channels": ["sms"], "segments": ["tehran"]})");
    PlanOptions o;
    o.default_rate = 1;
    auto plan = must(mk().plan_delivery(ctx, c.id, o));
    auto first = must(mk().dispatch(ctx, c.id, plan.number, 1));
    ASSERT_EQ(first.size(), 1u);
    const Id sent = first[0].party, waiting = sent == a.id ? b.id : a.id;
    must(mk().report_status(ctx, c.id, sent, MemberStatus::clicked));
    // The one still waiting survives the merge: it must not be sent again.
    must(engine->merge(ctx, waiting, {sent}));
    auto members = must(mk().campaign_members(c.id));
    ASSERT_EQ(members.size(), 1u);
    EXPECT_EQ(members[0].party, waiting);
    EXPECT_NE(members[0].batch, 0);
    EXPECT_TRUE(members[0].at[static_cast<int>(MemberStatus::clicked)].has_value());
    EXPECT_EQ(must(mk().plan_delivery(ctx, c.id, o)).members, 0);
}

TEST_P(Campaigns, TheReportAttributesRevenueAndRollsUpChildren) {
    tehran_segment();
    Party a = customer("a", true), b = customer("b", true);
    Campaign parent = must(mk().create_campaign(ctx, R"({"name": "1405 programme", "channels": ["sms"],
        "segments": ["tehran"], "actual_cost": {"minor": 100000000, "currency": "IRR"}})"));
    Campaign c = must(mk().create_campaign(ctx, R"({"name": "Spring", "external_id": "SPRING", "channels": ["sms"],
        "segments": ["tehran"], "parent": ")" + parent.id.str() + R"(",
        "variants": [{"id": "a", "share": 50}, {"id": "b", "share": 50}],
        "actual_cost": {"minor": 400000000, "currency": "IRR"}})"));
    must(mk().move_campaign(ctx, c.id, "ready"));
    c = must(mk().move_campaign(ctx, c.id, "launch"));
    must(mk().report_status(ctx, c.id, a.id, MemberStatus::responded));
    must(mk().report_status(ctx, c.id, b.id, MemberStatus::delivered));
    clock->advance(kDay);
    // A lead and a deal that name the campaign (by external id and by id).
    LeadInput lead;
    lead.first_name = "Lead";
    lead.last_name = "One";
    lead.phone = "09129999999";
    lead.campaign = "SPRING";
    must(sales().capture_lead(ctx, lead));
    OpportunityInput deal;
    deal.name = "Spring deal";
    deal.party = a.id;
    deal.amount = must(Money::of(1'200'000'000, "IRR"));
    deal.campaign = c.id.str();
    Opportunity o = must(sales().create_opportunity(ctx, deal));
    MoveInput propose;
    propose.move = "propose";
    must(sales().move_opportunity(ctx, o.id, propose));
    CloseRecord won;
    won.reason = "price";
    must(sales().win_opportunity(ctx, o.id, won));

    CampaignReport r = must(mk().campaign_report(c.id));
    EXPECT_EQ(r.total.members, 2);
    EXPECT_EQ(r.total.responded, 1);
    EXPECT_DOUBLE_EQ(r.total.response_rate, 0.5);
    EXPECT_EQ(r.total.statuses[static_cast<int>(MemberStatus::delivered)], 2);
    EXPECT_EQ(r.total.leads, 1);
    EXPECT_EQ(r.total.opportunities, 1);
    EXPECT_EQ(r.total.won_opportunities, 1);
    EXPECT_EQ(r.total.won_revenue_minor, 1'200'000'000);
    EXPECT_EQ(r.first_touch_revenue_minor, 1'200'000'000);
    EXPECT_EQ(r.last_touch_revenue_minor, 1'200'000'000);
    ASSERT_TRUE(r.cost_per_lead_minor.has_value());
    EXPECT_EQ(*r.cost_per_lead_minor, 400'000'000);
    ASSERT_TRUE(r.roi.has_value());
    EXPECT_DOUBLE_EQ(*r.roi, 2.0);  // (12 - 4) / 4
    ASSERT_EQ(r.variants.size(), 2u);
    EXPECT_EQ(r.variants["a"].members + r.variants["b"].members, 2);
    // The groups' response rates compared, once both have members.
    EXPECT_EQ(r.group_a, "a");
    EXPECT_EQ(r.group_b, "b");
    ASSERT_EQ(r.ab.has_value(), r.variants["a"].members > 0 && r.variants["b"].members > 0);
    if (r.ab) {
        EXPECT_EQ(r.ab->method, "Fisher's exact test");  // two members: small counts
        EXPECT_EQ(r.ab->a.trials, r.variants["a"].members);
        EXPECT_EQ(r.ab->b.successes, r.variants["b"].responded);
    }

    // The parent rolls its child up.
    CampaignReport up = must(mk().campaign_report(parent.id));
    EXPECT_EQ(up.children, (std::vector<Id>{c.id}));
    EXPECT_EQ(up.total.won_revenue_minor, 1'200'000'000);
    EXPECT_EQ(up.actual_cost_minor, 500'000'000);
    EXPECT_DOUBLE_EQ(*up.roi, 1.4);
}

TEST_P(Campaigns, BadCampaignsAreRefusedByField) {
    tehran_segment();
    must(mk().define_segment(ctx, R"({"id": "dnc", "kind": "suppression"})"));
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"channels": ["sms"]})"), errc::invalid_argument, "name");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x"})"), errc::invalid_argument, "channels");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["fax"]})"), errc::invalid_argument,
                     "channels[0]");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["sms"], "segments": ["nope"]})"),
                     errc::not_found, "segments[0]");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["sms"], "segments": ["dnc"]})"),
                     errc::invalid_argument, "segments[0]");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["sms"], "suppressions": ["tehran"]})"),
                     errc::invalid_argument, "suppressions[0]");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["sms"],
        "variants": [{"id": "a", "share": 60}, {"id": "b", "share": 30}]})"),
                     errc::invalid_argument, "variants");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["sms"], "frequency_cap": {"max": 0, "days": 1}})"),
                     errc::invalid_argument, "frequency_cap.max");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["sms"], "budget": {"minor": -1, "currency": "IRR"}})"),
                     errc::invalid_argument, "budget.minor");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["sms"], "responded_statuses": ["liked"]})"),
                     errc::invalid_argument, "responded_statuses[0]");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["sms"], "colour": "red"})"),
                     errc::invalid_argument, "colour");
    EXPECT_TRUE(must(mk().campaigns()).empty());

    Campaign c = must(mk().create_campaign(ctx, R"({"name": "x", "external_id": "X1", "channels": ["sms"], "segments": ["tehran"]})"));
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "y", "external_id": "X1", "channels": ["sms"]})"),
                     errc::conflict, "external_id");
    CRM_EXPECT_ERROR(mk().update_campaign(ctx, c.id, R"({"parent": ")" + c.id.str() + R"("})"),
                     errc::invalid_argument, "parent");
    CRM_EXPECT_ERROR(mk().move_campaign(ctx, c.id, "cancel"), errc::invalid_argument, "reason");
    EXPECT_EQ(must(mk().campaign("X1")).id, c.id);
    Campaign renamed = must(mk().update_campaign(ctx, c.id, R"({"name": "renamed", "actual_cost": {"minor": 5, "currency": "IRR"}})"));
    EXPECT_EQ(renamed.name, "renamed");
    EXPECT_EQ(renamed.version, c.version + 1);
}

TEST_P(Campaigns, AHostsOwnLifecycleWithApproval) {
    tehran_segment();
    customer("a", true);
    must(engine->define_process(ctx, R"({"id": "campaign_approval", "record_type": "campaign",
     "name": "Campaign with approval",
     "states": [
       {"id": "proposed", "initial": true}, {"id": "approval"}, {"id": "ready"},
       {"id": "launched"}, {"id": "completed", "category": "closed"},
       {"id": "cancelled", "category": "cancelled"}],
     "transitions": [
       {"name": "ready", "from": "proposed", "to": "ready",
        "guard": {"le": [{"field": "budget"}, {"money": "10000000000", "currency": "IRR"}]}},
       {"name": "ask_approval", "from": "proposed", "to": "approval",
        "guard": {"gt": [{"field": "budget"}, {"money": "10000000000", "currency": "IRR"}]}},
       {"name": "approve", "from": "approval", "to": "ready"},
       {"name": "launch", "from": "ready", "to": "launched"},
       {"name": "complete", "from": "launched", "to": "completed"},
       {"name": "cancel", "from": ["proposed", "approval", "ready", "launched"], "to": "cancelled",
        "close_record": true}]})"));
    Campaign big = must(mk().create_campaign(ctx, R"({"name": "Big", "channels": ["sms"], "segments": ["tehran"],
        "process": "campaign_approval", "budget": {"minor": 2000000000000, "currency": "IRR"}})"));
    EXPECT_EQ(big.process, "campaign_approval");
    CRM_EXPECT_ERROR(mk().move_campaign(ctx, big.id, "ready"), errc::invalid_transition, "move");
    must(mk().move_campaign(ctx, big.id, "ask_approval"));
    must(mk().move_campaign(ctx, big.id, "approve"));
    EXPECT_EQ(must(mk().move_campaign(ctx, big.id, "launch")).members, 1);
    auto history = must(engine->history("campaign", big.id));
    ASSERT_EQ(history.size(), 4u);
    EXPECT_EQ(history.back().move, "launch");
    CRM_EXPECT_ERROR(mk().create_campaign(ctx, R"({"name": "x", "channels": ["sms"], "process": "nope"})"),
                     errc::not_found, "process");
}

INSTANTIATE_TEST_SUITE_P(Backends, Campaigns, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace crm::testing
