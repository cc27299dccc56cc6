// tests/conformance/leads_test.cpp - leads: capture and validation,
// qualification moves, disqualification, scoring with its explanation, and
// conversion with duplicate detection, on every backend.
#include "backends.hpp"

namespace crm::testing {
namespace {

LeadInput web_lead(const std::string& first, const std::string& last, const std::string& email,
                   const std::string& phone = "") {
    LeadInput in;
    in.source = "web_form";
    in.channel = "website";
    in.first_name = first;
    in.last_name = last;
    if (!email.empty()) in.email = email;
    if (!phone.empty()) in.phone = phone;
    return in;
}

TEST_P(Conformance, ALeadIsCapturedOnTheBuiltInQualification) {
    Sales sales(*engine);
    LeadInput in = web_lead("Sara", "Ahmadi", "Sara.Ahmadi@Example.IR", "0912 345 6789");
    in.company = "پارس صنعت";
    in.campaign = "nowruz-1404";
    in.external_id = "FORM-77";
    Lead l = must(sales.capture_lead(ctx, in));
    EXPECT_EQ(l.process, "lead");
    EXPECT_EQ(l.state, "new");
    EXPECT_EQ(l.status, "open");
    EXPECT_EQ(l.email, "Sara.Ahmadi@example.ir");  // the domain is case-free, the mailbox kept
    EXPECT_EQ(l.phone, "+989123456789");
    EXPECT_EQ(must(sales.get_lead("FORM-77")).id, l.id);
    EXPECT_EQ(must(engine->history("lead", l.id)).size(), 1u);
    EXPECT_EQ(must(engine->events_after(0, 100)).back().type, "lead.captured");
    CRM_EXPECT_ERROR(sales.capture_lead(ctx, in), errc::conflict, "external_id");
}

TEST_P(Conformance, BadLeadsAreRefusedByField) {
    Sales sales(*engine);
    LeadInput in = web_lead("", "", "a@b.ir");
    CRM_EXPECT_ERROR(sales.capture_lead(ctx, in), errc::invalid_argument, "last_name");
    in = web_lead("Ali", "", "");
    CRM_EXPECT_ERROR(sales.capture_lead(ctx, in), errc::invalid_argument, "email");
    in = web_lead("Ali", "", "not-an-email");
    CRM_EXPECT_ERROR(sales.capture_lead(ctx, in), errc::invalid_argument, "email");
    in = web_lead("Ali", "", "", "12");
    CRM_EXPECT_ERROR(sales.capture_lead(ctx, in), errc::invalid_argument, "phone");
    in = web_lead("Ali", "", "a@b.ir");
    in.national_id = "1234567890";
    CRM_EXPECT_ERROR(sales.capture_lead(ctx, in), errc::invalid_argument, "national_id");
    in = web_lead("Ali", "", "a@b.ir");
    in.process = "nope";
    CRM_EXPECT_ERROR(sales.capture_lead(ctx, in), errc::not_found, "process");
    EXPECT_TRUE(must(engine->events_after(0, 100)).empty()) << "nothing written";
    must(engine->define_process(ctx, default_pipeline_json()));
    in.process = "sales";  // an opportunity pipeline
    CRM_EXPECT_ERROR(sales.capture_lead(ctx, in), errc::invalid_argument, "process");
}

TEST_P(Conformance, LeadsAreQualifiedOrDisqualifiedWithAReason) {
    Sales sales(*engine);
    Lead l = must(sales.capture_lead(ctx, web_lead("Ali", "Rezaei", "ali@example.ir")));
    Lead contacted = must(sales.move_lead(ctx, l.id, "contact", "called back"));
    EXPECT_EQ(contacted.state, "contacted");
    auto converted_too_early = sales.convert_lead(ctx, l.id);
    ASSERT_FALSE(converted_too_early);
    EXPECT_EQ(converted_too_early.error().code, errc::invalid_transition);
    EXPECT_NE(converted_too_early.error().message.find("qualify -> qualified"), std::string::npos)
        << converted_too_early.error().message;
    CRM_EXPECT_ERROR(sales.move_lead(ctx, l.id, "converted"), errc::invalid_transition, "move");
    CRM_EXPECT_ERROR(sales.disqualify_lead(ctx, l.id, ""), errc::invalid_argument, "reason");
    Lead dq = must(sales.disqualify_lead(ctx, l.id, "cannot_contact", "three calls"));
    EXPECT_EQ(dq.state, "disqualified");
    EXPECT_EQ(dq.status, "lost");
    EXPECT_EQ(dq.disqualify_reason, "cannot_contact");
    LeadInput change;
    change.city = "Tabriz";
    CRM_EXPECT_ERROR(sales.update_lead(ctx, l.id, change), errc::invalid_transition, "id");
    Lead back = must(sales.move_lead(ctx, l.id, "reopen"));
    EXPECT_EQ(back.state, "new");
    EXPECT_EQ(back.disqualify_reason, "");
    auto h = must(engine->history("lead", l.id));
    ASSERT_EQ(h.size(), 4u);
    EXPECT_EQ(h[2].reason, "cannot_contact: three calls");
    EXPECT_EQ(h[2].move, "disqualify");
}

TEST_P(Conformance, LeadsAreScoredByRulesWithAnExplanation) {
    Sales sales(*engine);
    must(sales.define_lead_scoring(ctx, R"({"rules": [
        {"name": "from a web form", "when": {"eq": [{"field": "source"}, "web_form"]}, "points": 10},
        {"name": "a company lead", "when": {"not": {"is_empty": {"field": "company"}}}, "points": 25},
        {"name": "a free mail domain", "when": {"in": [{"field": "email_domain"}, ["gmail.com", "yahoo.com"]]}, "points": -5}
    ]})"));
    LeadInput in = web_lead("Ali", "Rezaei", "ali@gmail.com");
    Lead l = must(sales.capture_lead(ctx, in));
    EXPECT_EQ(l.score, 5);
    ASSERT_EQ(l.score_lines.size(), 2u);
    EXPECT_EQ(l.score_lines[0], (ScoreLine{"from a web form", 10}));
    EXPECT_EQ(l.score_lines[1], (ScoreLine{"a free mail domain", -5}));
    LeadInput change;
    change.company = "Pars";
    Lead rescored = must(sales.update_lead(ctx, l.id, change));
    EXPECT_EQ(rescored.score, 30);
    CRM_EXPECT_ERROR(sales.define_lead_scoring(
                         ctx, R"({"rules": [{"name": "x", "when": {"eq": [{"field": "colour"}, "red"]}, "points": 1}]})"),
                     errc::invalid_argument, "rules[0].when.eq[0]");
    CRM_EXPECT_ERROR(sales.define_lead_scoring(
                         ctx, R"({"rules": [{"name": "x", "when": true, "points": 5000}]})"),
                     errc::invalid_argument, "rules[0].points");
    EXPECT_EQ(must(sales.get_lead(l.id.str())).score, 30) << "rules unchanged by the refusals";
}

TEST_P(Conformance, ConversionFindsTheExistingPartyAndIsIdempotent) {
    Sales sales(*engine);
    Party existing = person("C1", "Ali", "Rezaei", "ali@example.ir", "09121234567");
    LeadInput in = web_lead("Ali", "Rezai", "ALI@example.ir", "+98 912 123 4567");
    in.company = "Pars Co";
    in.job_title = "CFO";
    in.interest = "ERP licences";
    Lead l = must(sales.capture_lead(ctx, in));
    must(sales.move_lead(ctx, l.id, "qualify"));
    ConvertOptions o;
    o.create_opportunity = true;
    o.amount = Money{900'000, "IRR"};
    Conversion c = must(sales.convert_lead(ctx, l.id, o));
    EXPECT_EQ(c.party, existing.id);
    EXPECT_FALSE(c.party_created);
    EXPECT_EQ(c.matched_by, (std::vector<std::string>{"email", "phone"}));
    EXPECT_TRUE(c.organization_created);
    ASSERT_FALSE(c.opportunity.is_nil());
    Opportunity opp = must(sales.get_opportunity(c.opportunity.str()));
    EXPECT_EQ(opp.party, c.organization);
    EXPECT_EQ(opp.name, "ERP licences");
    EXPECT_EQ(opp.source_lead, l.id);
    EXPECT_EQ(opp.amount, (Money{900'000, "IRR"}));
    auto members = must(engine->customer_360(existing.id)).memberships;
    ASSERT_EQ(members.size(), 1u);
    EXPECT_EQ(members[0].organization, c.organization);
    EXPECT_EQ(members[0].role, "CFO");
    Lead done = must(sales.get_lead(l.id.str()));
    EXPECT_EQ(done.state, "converted");
    EXPECT_EQ(done.status, "won");
    EXPECT_EQ(done.party, existing.id);
    EXPECT_TRUE(done.converted_at);
    EXPECT_EQ(must(sales.leads_of(existing.id)).size(), 1u);

    const auto events = must(engine->events_after(0, 10000)).size();
    Conversion again = must(sales.convert_lead(ctx, l.id, o));
    EXPECT_TRUE(again.already_converted);
    EXPECT_EQ(again.party, c.party);
    EXPECT_EQ(again.opportunity, c.opportunity);
    EXPECT_EQ(must(engine->events_after(0, 10000)).size(), events) << "nothing written";

    // A second lead of the same company finds the organisation by name.
    LeadInput second = web_lead("Reza", "Karimi", "reza@pars.ir");
    second.company = "  pars   co ";
    Lead l2 = must(sales.capture_lead(ctx, second));
    must(sales.move_lead(ctx, l2.id, "qualify"));
    Conversion c2 = must(sales.convert_lead(ctx, l2.id));
    EXPECT_TRUE(c2.party_created);
    EXPECT_TRUE(c2.matched_by.empty());
    EXPECT_FALSE(c2.organization_created);
    EXPECT_EQ(c2.organization, c.organization);
    EXPECT_TRUE(c2.opportunity.is_nil());
    Party made = must(engine->get_party(c2.party));
    EXPECT_EQ(made.first_name, "Reza");
    ASSERT_EQ(made.contacts.size(), 1u);
    EXPECT_EQ(made.contacts[0].value, "reza@pars.ir");
}

TEST_P(Conformance, AFailedConversionWritesNothing) {
    Sales sales(*engine);
    LeadInput in = web_lead("Ali", "Rezaei", "ali@example.ir");
    Lead l = must(sales.capture_lead(ctx, in));
    must(sales.move_lead(ctx, l.id, "qualify"));
    ConvertOptions o;
    o.create_opportunity = true;
    o.pipeline = "no-such-pipeline";
    const auto events = must(engine->events_after(0, 10000)).size();
    CRM_EXPECT_ERROR(sales.convert_lead(ctx, l.id, o), errc::not_found, "pipeline");
    EXPECT_EQ(must(engine->events_after(0, 10000)).size(), events);
    EXPECT_EQ(must(sales.get_lead(l.id.str())).state, "qualified");
    SearchQuery q;
    q.text = "ali@example.ir";
    EXPECT_TRUE(must(engine->search(q)).empty()) << "no party was left behind";
}

TEST_P(Conformance, The360ViewShowsOpenLeadsAndOpportunities) {
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei", "ali@example.ir");
    LeadInput in = web_lead("Ali", "Rezaei", "ali@example.ir");
    in.party = p.id;
    Lead l = must(sales.capture_lead(ctx, in));
    OpportunityInput o;
    o.party = p.id;
    o.name = "open deal";
    Opportunity open = must(sales.create_opportunity(ctx, o));
    o.name = "lost deal";
    Opportunity lost = must(sales.create_opportunity(ctx, o));
    CloseRecord why;
    why.reason = "price";
    must(sales.lose_opportunity(ctx, lost.id, why));
    auto view = must(engine->customer_360(p.id));
    ASSERT_EQ(view.open_opportunities.size(), 1u);
    EXPECT_EQ(view.open_opportunities[0].id, open.id);
    ASSERT_EQ(view.open_leads.size(), 1u);
    EXPECT_EQ(view.open_leads[0].id, l.id);
    must(sales.disqualify_lead(ctx, l.id, "no_longer_interested"));
    EXPECT_TRUE(must(engine->customer_360(p.id)).open_leads.empty());
}

// Field sets of the initial state belong to the record created (its event
// and its score see them); those of the conversion to the converted lead.
TEST_P(Conformance, EffectsSetFieldsOnCaptureAndConversion) {
    Sales sales(*engine);
    must(engine->define_process(ctx, R"({"id": "routed", "record_type": "lead",
      "states": [
        {"id": "new", "initial": true, "on_enter": [{"set": {"field": "owner", "value": "sdr-pool"}}]},
        {"id": "qualified"},
        {"id": "converted", "category": "won"},
        {"id": "dropped", "category": "lost"}],
      "transitions": [
        {"name": "qualify", "from": "new", "to": "qualified"},
        {"name": "convert", "from": "qualified", "to": "converted",
         "effects": [{"set": {"field": "owner", "value": "account-manager"}}]},
        {"name": "disqualify", "from": "*", "to": "dropped", "close_record": true}]})"));
    must(sales.define_lead_scoring(ctx, R"({"rules": [{"name": "routed to the pool",
        "when": {"eq": [{"field": "owner"}, "sdr-pool"]}, "points": 7}]})"));
    LeadInput in = web_lead("Sara", "Ahmadi", "sara@example.ir");
    in.process = "routed";
    Lead l = must(sales.capture_lead(ctx, in));
    EXPECT_EQ(l.owner, "sdr-pool");
    EXPECT_EQ(l.score, 7) << "the score sees the field the effect set";
    EXPECT_EQ(must(sales.get_lead(l.id.str())).owner, "sdr-pool");
    const auto events = must(engine->events_after(0, 100));
    ASSERT_EQ(events.back().type, "lead.captured");
    EXPECT_NE(events.back().payload.find("\"owner\":\"sdr-pool\""), std::string::npos)
        << events.back().payload;
    must(sales.move_lead(ctx, l.id, "qualify"));
    must(sales.convert_lead(ctx, l.id));
    EXPECT_EQ(must(sales.get_lead(l.id.str())).owner, "account-manager");
}

}  // namespace
}  // namespace crm::testing
