// tests/conformance/sales_test.cpp - process definitions by version,
// opportunities on pipelines: moves, guards, required fields, close
// records, effects, history, totals, migration and merge, on every backend.
#include <nlohmann/json.hpp>

#include "backends.hpp"

namespace crm::testing {
namespace {

using json = nlohmann::ordered_json;

Money irr(std::int64_t minor) { return Money{minor, "IRR"}; }

CloseRecord closing(std::string reason, std::string competitor = "", std::string date = "") {
    CloseRecord c;
    c.reason = std::move(reason);
    c.competitor = std::move(competitor);
    c.date = std::move(date);
    return c;
}

MoveInput mv(std::string move, std::optional<CloseRecord> close = std::nullopt) {
    MoveInput m;
    m.move = std::move(move);
    m.close = std::move(close);
    return m;
}

// A pipeline with a guard, a business-hours follow-up, a field set and an event.
json b2b_pipeline() {
    return json::parse(R"({
      "id": "b2b", "record_type": "opportunity", "name": "فروش سازمانی",
      "card": {"title": "B2B", "owner": "sales manager"},
      "states": [
        {"id": "lead-in", "label": "ورودی", "initial": true, "probability": 5},
        {"id": "offer", "label": "پیشنهاد", "probability": 40, "forecast_category": "best_case",
         "required_fields": ["amount"],
         "on_enter": [{"activity": {"kind": "call", "subject": "پیگیری پیشنهاد",
                                    "due_in": {"business_hours": 4}}},
                      {"set": {"field": "team", "value": "enterprise"}},
                      {"emit": {"type": "opportunity.offer_sent"}}]},
        {"id": "won", "category": "won"},
        {"id": "lost", "category": "lost"}],
      "transitions": [
        {"name": "offer", "from": "lead-in", "to": "offer",
         "guard": {"ge": [{"field": "amount"}, {"money": "1000", "currency": "IRR"}]}},
        {"name": "win", "from": "offer", "to": "won", "close_record": true},
        {"name": "lose", "from": "*", "to": "lost", "close_record": true},
        {"name": "reopen", "from": ["won", "lost"], "to": "lead-in", "reopen": true}]
    })");
}


// The initial stage's field sets belong to the opportunity created: its
// stored record and its creation event carry them.
TEST_P(Conformance, TheInitialStagesEffectsAreOnTheCreatedOpportunity) {
    Sales sales(*engine);
    json def = b2b_pipeline();
    def["states"][0]["on_enter"] = json::parse(R"([{"set": {"field": "team", "value": "inside"}}])");
    must(engine->define_process(ctx, def.dump()));
    Party p = person("C1", "Ali", "Rezaei");
    OpportunityInput in;
    in.party = p.id;
    in.name = "deal";
    in.pipeline = "b2b";
    Opportunity o = must(sales.create_opportunity(ctx, in));
    EXPECT_EQ(o.team, "inside");
    EXPECT_EQ(must(sales.get_opportunity(o.id.str())).team, "inside");
    const auto events = must(engine->events_after(0, 100));
    ASSERT_EQ(events.back().type, "opportunity.created");
    EXPECT_NE(events.back().payload.find("\"team\":\"inside\""), std::string::npos)
        << events.back().payload;
}

TEST_P(Conformance, AnOpportunityStartsOnTheBuiltInPipeline) {
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei");
    OpportunityInput in;
    in.party = p.id;
    in.name = "ERP licences";
    in.owner = "user:7";
    in.external_id = "OPP-1";
    in.expected_close = "1404/03/15";  // Jalali: 2025-06-05
    Opportunity o = must(sales.create_opportunity(ctx, in));
    EXPECT_EQ(o.pipeline, "sales");
    EXPECT_EQ(o.pipeline_version, 1);
    EXPECT_EQ(o.stage, "qualify");
    EXPECT_EQ(o.status, "open");
    EXPECT_EQ(o.probability, 10);
    EXPECT_EQ(o.forecast_category, "pipeline");
    EXPECT_EQ(o.expected_close, "2025-06-05");
    auto def = must(engine->process_definition("sales"));
    EXPECT_EQ(def.version(), 1);
    EXPECT_EQ(must(sales.get_opportunity("OPP-1")).id, o.id);
    EXPECT_EQ(must(sales.get_opportunity(o.id.str())).name, "ERP licences");
    auto h = must(engine->history("opportunity", o.id));
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0].from_state, "");
    EXPECT_EQ(h[0].to_state, "qualify");
    EXPECT_EQ(h[0].actor, "user:test");
    auto ev = must(engine->events_after(0, 100));
    EXPECT_EQ(ev.back().type, "opportunity.created");
    EXPECT_EQ(must(sales.opportunities_of(p.id)).size(), 1u);
}

TEST_P(Conformance, BadOpportunityInputNamesTheFieldAndWritesNothing) {
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei");
    const auto events_before = must(engine->events_after(0, 1000)).size();
    OpportunityInput in;
    in.name = "x";
    CRM_EXPECT_ERROR(sales.create_opportunity(ctx, in), errc::invalid_argument, "party");
    in.party = p.id;
    in.name = "  ";
    CRM_EXPECT_ERROR(sales.create_opportunity(ctx, in), errc::invalid_argument, "name");
    in.name = "deal";
    in.amount = irr(-5);
    CRM_EXPECT_ERROR(sales.create_opportunity(ctx, in), errc::invalid_argument, "amount");
    in.amount = Money{5, "XYZ"};
    CRM_EXPECT_ERROR(sales.create_opportunity(ctx, in), errc::invalid_argument, "amount.currency");
    in.amount = irr(91'000'000'000'000'000);
    CRM_EXPECT_ERROR(sales.create_opportunity(ctx, in), errc::invalid_argument, "amount");
    in.amount.reset();
    in.probability = 101;
    CRM_EXPECT_ERROR(sales.create_opportunity(ctx, in), errc::invalid_argument, "probability");
    in.probability.reset();
    in.expected_close = "1404-13-01";
    CRM_EXPECT_ERROR(sales.create_opportunity(ctx, in), errc::invalid_argument, "expected_close");
    in.expected_close.reset();
    in.custom["budget"] = Value{std::int64_t{1}};
    CRM_EXPECT_ERROR(sales.create_opportunity(ctx, in), errc::invalid_argument, "custom.budget");
    in.custom.clear();
    in.pipeline = "nope";
    CRM_EXPECT_ERROR(sales.create_opportunity(ctx, in), errc::not_found, "pipeline");
    in.pipeline.clear();
    in.party = Id::parse("01890000-0000-7000-8000-000000000000").value();
    CRM_EXPECT_ERROR(sales.create_opportunity(ctx, in), errc::not_found, "party");
    EXPECT_EQ(must(engine->events_after(0, 1000)).size(), events_before);
    EXPECT_EQ(must(sales.opportunities_of(p.id)).size(), 0u);

    in.party = p.id;
    in.external_id = "OPP-1";
    must(sales.create_opportunity(ctx, in));
    CRM_EXPECT_ERROR(sales.create_opportunity(ctx, in), errc::conflict, "external_id");
}

TEST_P(Conformance, MovesFollowTheDefinitionAndKeepHistory) {
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei");
    OpportunityInput in;
    in.party = p.id;
    in.name = "deal";
    Opportunity o = must(sales.create_opportunity(ctx, in));

    // Not a move out of qualify.
    auto bad = sales.move_opportunity(ctx, o.id, mv("negotiate"));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, errc::invalid_transition);
    EXPECT_NE(bad.error().message.find("'qualify'"), std::string::npos);
    EXPECT_NE(bad.error().message.find("develop -> develop, propose -> propose, lose -> lost"),
              std::string::npos)
        << bad.error().message;
    // propose needs an amount ...
    CRM_EXPECT_ERROR(sales.move_opportunity(ctx, o.id, mv("propose")), errc::invalid_argument,
                     "amount");
    EXPECT_EQ(must(engine->history("opportunity", o.id)).size(), 1u) << "nothing written";
    // ... which the move may bring along.
    MoveInput m = mv("propose");
    m.reason = "customer asked for prices";
    m.changes.amount = irr(50'000'000);
    Opportunity moved = must(sales.move_opportunity(ctx, o.id, m));
    EXPECT_EQ(moved.stage, "propose");
    EXPECT_EQ(moved.probability, 60);
    EXPECT_EQ(moved.forecast_category, "best_case");
    EXPECT_EQ(moved.amount, irr(50'000'000));
    EXPECT_EQ(moved.version, o.version + 1);

    auto allowed = must(sales.allowed_moves(o.id));
    std::vector<std::string> names;
    for (const auto& a : allowed) names.push_back(a.name);
    EXPECT_EQ(names, (std::vector<std::string>{"negotiate", "back", "win", "lose"}));
    EXPECT_EQ(allowed[0].required_fields, (std::vector<std::string>{"amount", "expected_close"}));
    EXPECT_TRUE(allowed[2].close_record);

    // An update of a tracked value is history too.
    OpportunityInput change;
    change.amount = irr(60'000'000);
    must(sales.update_opportunity(ctx, o.id, change));
    auto h = must(engine->history("opportunity", o.id));
    ASSERT_EQ(h.size(), 3u);
    EXPECT_EQ(h[1].from_state, "qualify");
    EXPECT_EQ(h[1].to_state, "propose");
    EXPECT_EQ(h[1].move, "propose");
    EXPECT_EQ(h[1].reason, "customer asked for prices");
    EXPECT_EQ(json::parse(h[1].values)["probability"], 60);
    EXPECT_EQ(h[2].move, "");
    EXPECT_EQ(h[2].from_state, "propose");
    EXPECT_EQ(json::parse(h[2].values)["amount"]["minor"], 60'000'000);
    EXPECT_LT(h[0].seq, h[1].seq);
    // An update that changes nothing writes nothing.
    must(sales.update_opportunity(ctx, o.id, change));
    EXPECT_EQ(must(engine->history("opportunity", o.id)).size(), 3u);
}

TEST_P(Conformance, WinLoseAndReopenUseCloseRecords) {
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei");
    OpportunityInput in;
    in.party = p.id;
    in.name = "deal";
    in.amount = irr(7'000);
    Opportunity o = must(sales.create_opportunity(ctx, in));
    // No won stage is one move away from qualify.
    CRM_EXPECT_ERROR(sales.win_opportunity(ctx, o.id, closing("price")),
                     errc::invalid_transition, "move");
    must(sales.move_opportunity(ctx, o.id, mv("propose")));
    CRM_EXPECT_ERROR(sales.move_opportunity(ctx, o.id, mv("win")), errc::invalid_argument, "close");
    CRM_EXPECT_ERROR(sales.win_opportunity(ctx, o.id, CloseRecord{}), errc::invalid_argument,
                     "close.reason");
    Opportunity won = must(sales.win_opportunity(ctx, o.id, closing("best price")));
    EXPECT_EQ(won.stage, "won");
    EXPECT_EQ(won.status, "won");
    EXPECT_EQ(won.probability, 100);
    EXPECT_EQ(won.forecast_category, "closed");
    ASSERT_TRUE(won.close);
    EXPECT_EQ(won.close->actual_revenue, irr(7'000));
    EXPECT_EQ(won.close->date.size(), 10u);
    EXPECT_TRUE(won.closed_at);
    // A closed deal does not change until reopened.
    OpportunityInput change;
    change.amount = irr(1);
    CRM_EXPECT_ERROR(sales.update_opportunity(ctx, o.id, change), errc::invalid_transition, "id");
    CRM_EXPECT_ERROR(sales.move_opportunity(ctx, o.id, mv("lose", closing("x"))),
                     errc::invalid_transition, "move");
    Opportunity reopened = must(sales.reopen_opportunity(ctx, o.id, "customer came back"));
    EXPECT_EQ(reopened.stage, "qualify");
    EXPECT_EQ(reopened.status, "open");
    EXPECT_FALSE(reopened.close);
    EXPECT_FALSE(reopened.closed_at);
    Opportunity lost = must(sales.lose_opportunity(ctx, o.id, closing("budget cut", "Rival Co", "1404-05-01")));
    EXPECT_EQ(lost.status, "lost");
    EXPECT_EQ(lost.probability, 0);
    EXPECT_EQ(lost.close->competitor, "Rival Co");
    EXPECT_EQ(lost.close->date, "2025-07-23");
    EXPECT_FALSE(lost.close->actual_revenue);
    auto types = std::vector<std::string>{};
    for (const auto& e : must(engine->events_after(0, 1000))) types.push_back(e.type);
    for (const char* t : {"opportunity.won", "opportunity.reopened", "opportunity.lost"})
        EXPECT_NE(std::find(types.begin(), types.end(), t), types.end()) << t;
}

TEST_P(Conformance, DefinitionsAreVersionedAndDealsKeepTheirVersion) {
    Sales sales(*engine);
    auto v1 = must(engine->define_process(ctx, b2b_pipeline().dump()));
    EXPECT_EQ(v1.outcome, WriteOutcome::created);
    EXPECT_EQ(v1.record.version(), 1);
    auto same = must(engine->define_process(ctx, b2b_pipeline().dump()));
    EXPECT_EQ(same.outcome, WriteOutcome::unchanged);
    EXPECT_EQ(same.record.version(), 1);

    Party p = person("C1", "Ali", "Rezaei");
    OpportunityInput in;
    in.party = p.id;
    in.name = "deal";
    in.pipeline = "b2b";
    Opportunity old_deal = must(sales.create_opportunity(ctx, in));
    EXPECT_EQ(old_deal.probability, 5);

    json changed = b2b_pipeline();
    changed["states"][1]["id"] = "proposal";
    changed["transitions"][0]["to"] = "proposal";
    changed["transitions"][1]["from"] = "proposal";
    auto v2 = must(engine->define_process(ctx, changed.dump()));
    EXPECT_EQ(v2.record.version(), 2);
    EXPECT_EQ(must(engine->process_definition("b2b")).version(), 2);
    EXPECT_EQ(must(engine->process_definition("b2b", 1)).find_state("offer")->label, "پیشنهاد");
    Opportunity new_deal = must(sales.create_opportunity(ctx, in));
    EXPECT_EQ(new_deal.pipeline_version, 2);

    // The old deal still moves on version 1.
    MoveInput m = mv("offer");
    m.changes.amount = irr(500'000);
    Opportunity offered = must(sales.move_opportunity(ctx, old_deal.id, m));
    EXPECT_EQ(offered.stage, "offer");
    EXPECT_EQ(offered.pipeline_version, 1);

    // Migration needs a mapping for "offer", then moves every v1 deal.
    CRM_EXPECT_ERROR(sales.migrate_opportunities(ctx, "b2b", 1, 2, {}), errc::invalid_argument,
                     "mapping.offer");
    EXPECT_EQ(must(sales.migrate_opportunities(ctx, "b2b", 1, 2, {{"offer", "proposal"}})), 1);
    Opportunity migrated = must(sales.get_opportunity(old_deal.id.str()));
    EXPECT_EQ(migrated.pipeline_version, 2);
    EXPECT_EQ(migrated.stage, "proposal");
    EXPECT_EQ(must(engine->history("opportunity", old_deal.id)).back().move, "migrate");
    // b2b, and the built-in processes as their version 1 (none was used).
    {
        auto all = must(engine->process_definitions());
        std::vector<std::string> ids;
        for (const auto& d : all) ids.push_back(d.id() + "/" + std::to_string(d.version()));
        EXPECT_EQ(ids, (std::vector<std::string>{"b2b/2", "campaign/1", "lead/1", "quote/1",
                                                 "sales/1", "ticket/1"}));
    }
    CRM_EXPECT_ERROR(engine->process_definition("b2b", 3), errc::not_found, "id");

    json wrong_type = b2b_pipeline();
    wrong_type["record_type"] = "invoice";
    CRM_EXPECT_ERROR(engine->define_process(ctx, wrong_type.dump()), errc::invalid_argument,
                     "record_type");
    json bad_set = b2b_pipeline();
    bad_set["states"][1]["on_enter"][1]["set"]["field"] = "stage";
    CRM_EXPECT_ERROR(engine->define_process(ctx, bad_set.dump()), errc::invalid_argument,
                     "states[1].on_enter[1].set.field");
    EXPECT_EQ(must(engine->process_definition("b2b")).version(), 2) << "nothing stored";
}

TEST_P(Conformance, GuardsAndEffectsRunWithTheMove) {
    Sales sales(*engine);
    must(engine->define_process(ctx, b2b_pipeline().dump()));
    Party p = person("C1", "Ali", "Rezaei");
    OpportunityInput in;
    in.party = p.id;
    in.name = "deal";
    in.pipeline = "b2b";
    in.owner = "user:9";
    in.amount = irr(99'900);  // 999.00 IRR: under the guard's 1000
    Opportunity o = must(sales.create_opportunity(ctx, in));
    auto guarded = sales.move_opportunity(ctx, o.id, mv("offer"));
    ASSERT_FALSE(guarded);
    EXPECT_EQ(guarded.error().code, errc::invalid_transition);
    EXPECT_NE(guarded.error().message.find("guard"), std::string::npos);
    EXPECT_TRUE(must(sales.allowed_moves(o.id)).size() == 1u);  // lose only

    // Tuesday 2023-11-14 17:00 Tehran: after working hours, so the 4-hour
    // follow-up is due at 12:00 Wednesday (Asia/Tehran, 08:00 start).
    clock->set(Timestamp{1'699'968'600'000});
    MoveInput m = mv("offer");
    m.changes.amount = irr(100'000);
    Opportunity offered = must(sales.move_opportunity(ctx, o.id, m));
    EXPECT_EQ(offered.team, "enterprise");
    auto due = must(engine->activities_due_by("user:9", Timestamp{INT64_MAX / 2}, 10));
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].subject, "پیگیری پیشنهاد");
    EXPECT_EQ(due[0].kind, ActivityKind::call);
    EXPECT_EQ(due[0].party, p.id);
    EXPECT_EQ(due[0].due, Timestamp{1'700'037'000'000});  // 2023-11-15T08:30Z = 12:00 Tehran
    auto events = must(engine->events_after(0, 1000));
    bool sent = false;
    for (const auto& e : events)
        if (e.type == "opportunity.offer_sent") {
            sent = true;
            EXPECT_EQ(e.record_id, o.id);
            EXPECT_EQ(json::parse(e.payload)["to"], "offer");
        }
    EXPECT_TRUE(sent);
}

TEST_P(Conformance, BusinessCalendarsAreVersionedAndEffectsCountInThem) {
    // A calendar open every day 09:00-10:00 in UTC: a 2-business-hour
    // follow-up due the day after tomorrow at 10:00.
    const std::string one_hour = R"({"id": "one-hour", "time_zone": "UTC", "week": {
        "saturday": ["09:00-10:00"], "sunday": ["09:00-10:00"], "monday": ["09:00-10:00"],
        "tuesday": ["09:00-10:00"], "wednesday": ["09:00-10:00"], "thursday": ["09:00-10:00"],
        "friday": ["09:00-10:00"]}})";
    EXPECT_EQ(must(engine->define_calendar(ctx, one_hour)).outcome, WriteOutcome::created);
    EXPECT_EQ(must(engine->define_calendar(ctx, one_hour)).outcome, WriteOutcome::unchanged);
    EXPECT_EQ(must(engine->business_calendar("one-hour")).def().time_zone, "UTC");
    EXPECT_EQ(must(engine->business_calendar()).def().time_zone, "Asia/Tehran") << "the default";
    CRM_EXPECT_ERROR(engine->business_calendar("nope"), errc::not_found, "calendar");
    CRM_EXPECT_ERROR(engine->define_calendar(ctx, R"({"id": "x", "week": {}})"),
                     errc::invalid_argument, "week");

    json def = b2b_pipeline();
    def["calendar"] = "missing";
    CRM_EXPECT_ERROR(engine->define_process(ctx, def.dump()), errc::not_found, "calendar");
    def["calendar"] = "one-hour";
    def["states"][1]["on_enter"][0]["activity"]["due_in"] = json::parse(R"({"business_hours": 2})");
    must(engine->define_process(ctx, def.dump()));
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei");
    OpportunityInput in;
    in.party = p.id;
    in.name = "deal";
    in.pipeline = "b2b";
    in.owner = "user:3";
    in.amount = irr(100'000);
    Opportunity o = must(sales.create_opportunity(ctx, in));
    clock->set(Timestamp{1'700'000'000'000});  // 2023-11-14T22:13:20Z, after the day's hour
    must(sales.move_opportunity(ctx, o.id, mv("offer")));
    auto due = must(engine->activities_due_by("user:3", Timestamp{INT64_MAX / 2}, 10));
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].due, Timestamp{1'700'128'800'000});  // 2023-11-16T10:00Z

    // A changed calendar is a new version.
    std::string wider = one_hour;
    const std::string friday = "\"friday\": [\"09:00-10:00\"]";
    wider.replace(wider.find(friday), friday.size(), "\"friday\": [\"09:00-11:00\"]");
    EXPECT_EQ(must(engine->define_calendar(ctx, wider)).outcome, WriteOutcome::updated);
    EXPECT_EQ(must(engine->business_calendar("one-hour")).def().week[5].front().end_minute, 660);
}

TEST_P(Conformance, PipelineTotalsPerStageAndCurrency) {
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei");
    const auto add = [&](std::int64_t amount, const char* currency, const char* move) {
        OpportunityInput in;
        in.party = p.id;
        in.name = "deal";
        in.amount = Money{amount, currency};
        Opportunity o = must(sales.create_opportunity(ctx, in));
        if (*move) must(sales.move_opportunity(ctx, o.id, mv(move)));
    };
    add(1'000, "IRR", "");
    add(2'001, "IRR", "");
    add(500, "USD", "");
    add(10'000, "IRR", "propose");
    auto stages = must(sales.pipeline("sales"));
    ASSERT_EQ(stages.size(), 6u);
    EXPECT_EQ(stages[0].state.id, "qualify");
    ASSERT_EQ(stages[0].totals.size(), 2u);
    EXPECT_EQ(stages[0].totals[0].currency, "IRR");
    EXPECT_EQ(stages[0].totals[0].count, 2);
    EXPECT_EQ(stages[0].totals[0].amount_minor, 3'001);
    EXPECT_EQ(stages[0].totals[0].weighted_minor, 100 + 200);  // 10% of each, rounded down
    EXPECT_EQ(stages[0].totals[1].currency, "USD");
    EXPECT_EQ(stages[2].state.id, "propose");
    ASSERT_EQ(stages[2].totals.size(), 1u);
    EXPECT_EQ(stages[2].totals[0].weighted_minor, 6'000);
    EXPECT_TRUE(stages[1].totals.empty());
    CRM_EXPECT_ERROR(sales.pipeline("nope"), errc::not_found, "pipeline");
}

TEST_P(Conformance, MergeMovesOpportunitiesAndLeadsToTheSurvivor) {
    Sales sales(*engine);
    Party a = person("C1", "Ali", "Rezaei");
    Party b = person("C2", "Ali", "Rezaie");
    OpportunityInput in;
    in.party = b.id;
    in.name = "deal";
    Opportunity o = must(sales.create_opportunity(ctx, in));
    LeadInput lead;
    lead.first_name = "Ali";
    lead.email = "ali@example.ir";
    lead.party = b.id;
    Lead l = must(sales.capture_lead(ctx, lead));
    must(engine->merge(ctx, a.id, {b.id}));
    EXPECT_EQ(must(sales.get_opportunity(o.id.str())).party, a.id);
    EXPECT_EQ(must(sales.get_lead(l.id.str())).party, a.id);
    EXPECT_EQ(must(sales.opportunities_of(a.id)).size(), 1u);
    EXPECT_EQ(must(sales.opportunities_of(b.id)).size(), 1u) << "a merged id resolves";
}

TEST_P(Conformance, OpportunitiesSurviveReopen) {
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei");
    OpportunityInput in;
    in.party = p.id;
    in.name = "معامله";
    in.amount = irr(123);
    in.competitors = std::vector<std::string>{"Rival"};
    in.products = std::vector<std::string>{"SKU-1", "SKU-2"};
    Opportunity o = must(sales.create_opportunity(ctx, in));
    must(sales.move_opportunity(ctx, o.id, mv("propose")));
    auto again = reopen();
    if (!again) GTEST_SKIP() << "backend cannot be reopened";
    Sales other(*again);
    Opportunity read = must(other.get_opportunity(o.id.str()));
    EXPECT_EQ(read.name, "معامله");
    EXPECT_EQ(read.stage, "propose");
    EXPECT_EQ(read.competitors, std::vector<std::string>{"Rival"});
    EXPECT_EQ(read.products.size(), 2u);
    EXPECT_EQ(must(again->history("opportunity", o.id)).size(), 2u);
    EXPECT_EQ(must(again->process_definition("sales")).version(), 1);
}

TEST_P(Conformance, AFailedMoveInsideATransactionLeavesTheRestIntact) {
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei");
    OpportunityInput in;
    in.party = p.id;
    in.name = "deal";
    must(engine->begin());
    Opportunity o = must(sales.create_opportunity(ctx, in));
    EXPECT_FALSE(sales.move_opportunity(ctx, o.id, mv("win")));
    must(engine->commit());
    Opportunity read = must(sales.get_opportunity(o.id.str()));
    EXPECT_EQ(read.stage, "qualify");
    EXPECT_EQ(must(engine->history("opportunity", o.id)).size(), 1u);
}

}  // namespace
}  // namespace crm::testing
