// tests/unit/process_test.cpp - process definitions: loading and every
// validation rule with its path, moves and their errors, version mappings,
// and the DOT and Mermaid drawings.
#include "crm/process/process.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace {

using crm::errc;
using crm::expr::MapRecord;
using crm::expr::Schema;
using crm::expr::Type;
using crm::process::Category;
using crm::process::Definition;
using crm::process::Duration;
using crm::process::Effect;
using crm::process::ForecastCategory;
using json = nlohmann::ordered_json;

Schema deal_schema() {
    Schema s;
    (void)s.add("amount", Type::money);
    (void)s.add("probability", Type::integer);
    (void)s.add("owner", Type::text);
    (void)s.add("note", Type::text);
    (void)s.add("competitors", Type::text_list);
    (void)s.add("expected_close", Type::date);
    return s;
}

json sales() {
    return json::parse(R"({
      "id": "sales", "record_type": "opportunity", "name": "Sales",
      "card": {"title": "فروش سازمانی", "goal": "close deals", "owner": "sales manager",
               "executors": ["rep"], "kpis": ["win rate"],
               "expected_duration": {"business_days": 30}},
      "states": [
        {"id": "qualify", "label": "ارزیابی", "initial": true, "probability": 10,
         "expected_duration": {"business_days": 5}},
        {"id": "proposal", "label": "پیشنهاد", "probability": 50, "forecast_category": "best_case",
         "required_fields": ["amount"],
         "on_enter": [{"activity": {"kind": "call", "subject": "Follow up",
                                    "due_in": {"business_hours": 4}}},
                      {"set": {"field": "note", "value": "proposal sent"}},
                      {"emit": {"type": "opportunity.proposal"}}]},
        {"id": "won", "category": "won"},
        {"id": "lost", "category": "lost"}],
      "transitions": [
        {"name": "propose", "from": "qualify", "to": "proposal",
         "guard": {"gt": [{"field": "amount"}, {"money": "0", "currency": "IRR"}]}},
        {"name": "win", "from": "proposal", "to": "won", "close_record": true},
        {"name": "lose", "from": "*", "to": "lost", "close_record": true},
        {"name": "reopen", "from": ["won", "lost"], "to": "qualify", "reopen": true}]
    })");
}

crm::result<Definition> load(const json& j) { return Definition::from_json(j.dump(), deal_schema()); }

void expect_error(const json& j, errc code, const std::string& field, const std::string& words = "") {
    auto d = load(j);
    ASSERT_FALSE(d) << j.dump();
    EXPECT_EQ(d.error().code, code) << d.error().what();
    EXPECT_EQ(d.error().field, field) << d.error().what();
    if (!words.empty()) {
        EXPECT_NE(d.error().message.find(words), std::string::npos) << d.error().what();
    }
}

MapRecord deal(std::int64_t amount_minor) {
    MapRecord r;
    if (amount_minor >= 0) r.values["amount"] = crm::Money{amount_minor, "IRR"};
    return r;
}

TEST(ProcessDefinition, LoadsWithDefaultsAndRoundTrips) {
    auto d = load(sales());
    ASSERT_TRUE(d) << d.error().what();
    EXPECT_EQ(d.value().id(), "sales");
    EXPECT_EQ(d.value().initial().id, "qualify");
    EXPECT_EQ(d.value().card().title, "فروش سازمانی");
    ASSERT_TRUE(d.value().card().expected_duration);
    EXPECT_EQ(d.value().card().expected_duration->amount, 30);
    const auto* won = d.value().find_state("won");
    ASSERT_NE(won, nullptr);
    EXPECT_TRUE(won->is_closed);
    EXPECT_TRUE(won->is_won);
    EXPECT_EQ(won->probability, 100);
    EXPECT_EQ(won->forecast_category, ForecastCategory::closed);
    EXPECT_EQ(d.value().find_state("lost")->probability, 0);
    EXPECT_EQ(d.value().find_state("qualify")->forecast_category, ForecastCategory::pipeline);
    // "*" expands to every open state.
    EXPECT_EQ(d.value().find_transition("lose")->from, (std::vector<std::string>{"qualify", "proposal"}));
    const auto& effects = d.value().find_state("proposal")->on_enter;
    ASSERT_EQ(effects.size(), 3u);
    EXPECT_EQ(effects[0].kind, Effect::Kind::activity);
    EXPECT_EQ(effects[0].due_in, (Duration{Duration::Unit::business_hours, 4}));
    EXPECT_EQ(effects[1].value, crm::Value{std::string("proposal sent")});
    EXPECT_EQ(effects[2].event_type, "opportunity.proposal");

    auto again = Definition::from_json(d.value().to_json(), deal_schema());
    ASSERT_TRUE(again) << again.error().what() << "\n" << d.value().to_json();
    EXPECT_EQ(again.value().to_json(), d.value().to_json());
    EXPECT_TRUE(again.value().same_content(d.value()));
    auto v2 = d.value().with_version(2);
    EXPECT_EQ(v2.version(), 2);
    EXPECT_EQ(d.value().version(), 0);
    EXPECT_TRUE(v2.same_content(d.value()));
}

TEST(ProcessDefinition, MalformedJsonIsAParseError) {
    auto d = Definition::from_json("{\"id\": ", deal_schema());
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().code, errc::parse);
}

TEST(ProcessDefinition, ExactlyOneInitialState) {
    auto none = sales();
    none["states"][0].erase("initial");
    expect_error(none, errc::invalid_argument, "states", "exactly one");
    auto two = sales();
    two["states"][1]["initial"] = true;
    expect_error(two, errc::invalid_argument, "states[1].initial", "exactly one");
    auto closed = sales();
    closed["states"][0]["initial"] = false;
    closed["states"][2]["initial"] = true;
    expect_error(closed, errc::invalid_argument, "states[2].initial", "must be open");
}

TEST(ProcessDefinition, EveryStateReachable) {
    auto j = sales();
    j["states"].push_back(json::parse(R"({"id": "orphan"})"));
    expect_error(j, errc::invalid_argument, "states[4]", "'orphan'");
}

TEST(ProcessDefinition, ClosedStatesLeaveForOpenOnesOnlyByReopen) {
    auto j = sales();
    j["transitions"].push_back(json::parse(R"({"name": "back", "from": "won", "to": "proposal"})"));
    expect_error(j, errc::invalid_argument, "transitions[4].from", "reopen");
    auto k = sales();
    k["transitions"].push_back(
        json::parse(R"({"name": "odd", "from": "proposal", "to": "qualify", "reopen": true})"));
    expect_error(k, errc::invalid_argument, "transitions[4].from", "not a closed state");
    auto m = sales();
    m["transitions"][3]["to"] = "lost";
    m["transitions"][3]["from"] = "won";
    expect_error(m, errc::invalid_argument, "transitions[3].to", "open state");
    // Closed to closed needs no reopen: a resolved record is closed for good.
    auto f = sales();
    f["states"].push_back(json::parse(R"({"id": "archived", "category": "closed"})"));
    f["transitions"].push_back(
        json::parse(R"({"name": "archive", "from": ["won", "lost"], "to": "archived"})"));
    EXPECT_TRUE(load(f)) << f.dump();
}

TEST(ProcessDefinition, NamesAndFieldsResolve) {
    auto j = sales();
    j["transitions"][0]["to"] = "nowhere";
    expect_error(j, errc::invalid_argument, "transitions[0].to", "not a state");
    j = sales();
    j["transitions"][3]["from"] = json::array({"won", "gone"});
    expect_error(j, errc::invalid_argument, "transitions[3].from[1]", "not a state");
    j = sales();
    j["transitions"][0]["guard"] = json::parse(R"({"gt": [{"field": "amout"}, 0]})");
    expect_error(j, errc::invalid_argument, "transitions[0].guard.gt[0]");
    j = sales();
    j["states"][1]["required_fields"] = json::array({"amount", "budget"});
    expect_error(j, errc::invalid_argument, "states[1].required_fields[1]", "'budget'");
    j = sales();
    j["states"][1]["on_enter"][1]["set"]["field"] = "colour";
    expect_error(j, errc::invalid_argument, "states[1].on_enter[1].set.field");
    j = sales();
    j["states"][1]["on_enter"][1]["set"]["value"] = 5;
    expect_error(j, errc::invalid_argument, "states[1].on_enter[1].set.value", "text");
    j = sales();
    j["states"][1]["on_enter"][0]["activity"]["kind"] = "lunch";
    expect_error(j, errc::invalid_argument, "states[1].on_enter[0].activity.kind");
    j = sales();
    j["states"][1]["on_enter"][0]["activity"]["due_in"] = json::parse(R"({"weeks": 1})");
    expect_error(j, errc::invalid_argument, "states[1].on_enter[0].activity.due_in.weeks");
    j = sales();
    j["states"][1]["on_enter"][0]["activity"].erase("due_in");
    expect_error(j, errc::invalid_argument, "states[1].on_enter[0].activity.due_in");
}

TEST(ProcessDefinition, DuplicatesAndContradictionsAreRefused) {
    auto j = sales();
    j["states"][3]["id"] = "won";
    expect_error(j, errc::invalid_argument, "states[3].id", "repeats");
    j = sales();
    j["transitions"][1]["name"] = "propose";
    expect_error(j, errc::invalid_argument, "transitions[1].name", "repeats");
    j = sales();
    j["states"][2]["is_won"] = false;
    expect_error(j, errc::invalid_argument, "states[2].is_won", "contradicts");
    j = sales();
    j["states"][0]["is_closed"] = true;
    expect_error(j, errc::invalid_argument, "states[0].is_closed", "contradicts");
    j = sales();
    j["states"][0]["forecast_category"] = "closed";
    expect_error(j, errc::invalid_argument, "states[0].forecast_category");
    j = sales();
    j["states"][0]["probability"] = 101;
    expect_error(j, errc::invalid_argument, "states[0].probability");
    j = sales();
    j["states"][0]["category"] = "maybe";
    expect_error(j, errc::invalid_argument, "states[0].category");
    j = sales();
    j["states"][0]["id"] = "Qualify Stage";
    expect_error(j, errc::invalid_argument, "states[0].id");
    j = sales();
    j["transitions"][0]["from"] = "proposal";
    expect_error(j, errc::invalid_argument, "transitions[0].to", "same state");
    j = sales();
    j["colour"] = "red";
    expect_error(j, errc::invalid_argument, "colour");
    j = sales();
    j["card"]["budget"] = 1;
    expect_error(j, errc::invalid_argument, "card.budget");
    j = sales();
    j.erase("record_type");
    expect_error(j, errc::invalid_argument, "record_type");
}

TEST(ProcessMoves, AllowedMovesFollowGuards) {
    auto d = load(sales()).value();
    crm::expr::Context ctx;
    auto names = [](const std::vector<const crm::process::Transition*>& moves) {
        std::vector<std::string> out;
        for (const auto* t : moves) out.push_back(t->name);
        return out;
    };
    EXPECT_EQ(names(d.allowed_moves("qualify", deal(0), ctx)), (std::vector<std::string>{"lose"}));
    EXPECT_EQ(names(d.allowed_moves("qualify", deal(5000), ctx)),
              (std::vector<std::string>{"propose", "lose"}));
    EXPECT_EQ(names(d.allowed_moves("won", deal(5000), ctx)), (std::vector<std::string>{"reopen"}));
    EXPECT_TRUE(d.allowed_moves("nowhere", deal(5000), ctx).empty());
}

TEST(ProcessMoves, CheckMoveByNameOrTarget) {
    auto d = load(sales()).value();
    crm::expr::Context ctx;
    auto by_name = d.check_move("qualify", "propose", deal(5000), ctx, false);
    ASSERT_TRUE(by_name) << by_name.error().what();
    EXPECT_EQ(by_name.value()->to, "proposal");
    auto by_target = d.check_move("qualify", "proposal", deal(5000), ctx, false);
    ASSERT_TRUE(by_target);
    EXPECT_EQ(by_target.value()->name, "propose");
}

TEST(ProcessMoves, IllegalMoveNamesStateMoveAndAllowedMoves) {
    auto d = load(sales()).value();
    crm::expr::Context ctx;
    auto r = d.check_move("qualify", "win", deal(5000), ctx, true);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_transition);
    EXPECT_EQ(r.error().field, "move");
    const std::string& m = r.error().message;
    EXPECT_NE(m.find("'qualify'"), std::string::npos) << m;
    EXPECT_NE(m.find("'win'"), std::string::npos) << m;
    EXPECT_NE(m.find("propose -> proposal, lose -> lost"), std::string::npos) << m;

    auto guarded = d.check_move("qualify", "propose", deal(0), ctx, false);
    ASSERT_FALSE(guarded);
    EXPECT_EQ(guarded.error().code, errc::invalid_transition);
    EXPECT_NE(guarded.error().message.find("guard"), std::string::npos);
    EXPECT_NE(guarded.error().message.find("allowed moves: lose -> lost"), std::string::npos)
        << guarded.error().message;

    auto unknown_state = d.check_move("archived", "win", deal(0), ctx, true);
    ASSERT_FALSE(unknown_state);
    EXPECT_EQ(unknown_state.error().code, errc::invalid_transition);
}

TEST(ProcessMoves, RequiredFieldsAndCloseRecord) {
    auto j = sales();
    j["transitions"][0].erase("guard");
    auto d = load(j).value();
    crm::expr::Context ctx;
    auto missing = d.check_move("qualify", "propose", deal(-1), ctx, false);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, errc::invalid_argument);
    EXPECT_EQ(missing.error().field, "amount");
    EXPECT_NE(missing.error().message.find("'proposal'"), std::string::npos);

    auto no_close = d.check_move("proposal", "win", deal(10), ctx, false);
    ASSERT_FALSE(no_close);
    EXPECT_EQ(no_close.error().field, "close");
    EXPECT_TRUE(d.check_move("proposal", "win", deal(10), ctx, true));
}

TEST(ProcessMoves, TargetReachedTwiceMustBeNamed) {
    auto j = sales();
    j["transitions"].push_back(
        json::parse(R"({"name": "skip", "from": "qualify", "to": "proposal"})"));
    auto d = load(j).value();
    crm::expr::Context ctx;
    auto r = d.check_move("qualify", "proposal", deal(10), ctx, false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_transition);
    EXPECT_NE(r.error().message.find("'skip'"), std::string::npos) << r.error().message;
    EXPECT_TRUE(d.check_move("qualify", "skip", deal(10), ctx, false));
}

TEST(ProcessVersions, StateMappingCompletesAndChecks) {
    auto v1 = load(sales()).value().with_version(1);
    auto j = sales();
    j["states"][1]["id"] = "offer";
    j["transitions"][0]["to"] = "offer";
    j["transitions"][1]["from"] = "offer";
    auto v2 = load(j).value().with_version(2);

    auto incomplete = v1.map_states(v2, {});
    ASSERT_FALSE(incomplete);
    EXPECT_EQ(incomplete.error().field, "mapping.proposal");

    auto wrong = v1.map_states(v2, {{"proposal", "nowhere"}});
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().field, "mapping.proposal");
    auto stray = v1.map_states(v2, {{"gone", "offer"}});
    ASSERT_FALSE(stray);
    EXPECT_EQ(stray.error().field, "mapping.gone");

    auto mapped = v1.map_states(v2, {{"proposal", "offer"}});
    ASSERT_TRUE(mapped) << mapped.error().what();
    EXPECT_EQ(mapped.value().at("proposal"), "offer");
    EXPECT_EQ(mapped.value().at("qualify"), "qualify");
    EXPECT_EQ(mapped.value().size(), 4u);
    EXPECT_FALSE(v1.same_content(v2));
}

TEST(ProcessDrawing, DotAndMermaid) {
    auto d = load(sales()).value().with_version(3);
    const std::string dot = d.to_dot();
    EXPECT_EQ(dot.rfind("digraph \"sales\" {", 0), 0u) << dot;
    EXPECT_NE(dot.find("\"qualify\" [label=\"ارزیابی\", shape=circle, style=bold];"),
              std::string::npos) << dot;
    EXPECT_NE(dot.find("\"won\" [label=\"won\", shape=doublecircle];"), std::string::npos);
    EXPECT_NE(dot.find("\"proposal\" -> \"lost\" [label=\"lose\"];"), std::string::npos);
    EXPECT_NE(dot.find("\"lost\" -> \"qualify\" [label=\"reopen\", style=dashed];"),
              std::string::npos);
    EXPECT_NE(dot.find("(v3)"), std::string::npos);

    const std::string mm = d.to_mermaid();
    EXPECT_EQ(mm.rfind("stateDiagram-v2\n", 0), 0u);
    EXPECT_NE(mm.find("[*] --> s_qualify"), std::string::npos) << mm;
    EXPECT_NE(mm.find("s_qualify --> s_proposal : propose"), std::string::npos) << mm;
    EXPECT_NE(mm.find("s_won --> [*]"), std::string::npos) << mm;
    EXPECT_NE(mm.find("state \"پیشنهاد\" as s_proposal"), std::string::npos) << mm;
}

TEST(ProcessDuration, ParsesOneUnit) {
    auto d = crm::process::parse_duration(R"({"business_days": 3})");
    ASSERT_TRUE(d);
    EXPECT_EQ(d.value().unit, Duration::Unit::business_days);
    EXPECT_EQ(d.value().amount, 3);
    EXPECT_FALSE(crm::process::parse_duration(R"({"days": -1})"));
    EXPECT_FALSE(crm::process::parse_duration(R"({"days": 1, "hours": 2})"));
    EXPECT_EQ(crm::process::parse_duration("[").error().code, errc::parse);
}

}  // namespace
