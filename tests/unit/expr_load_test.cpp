// tests/unit/expr_load_test.cpp - the rule language's JSON and text forms:
// every node loads and writes back, every error names its path or offset.
#include "crm/expr/expr.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "expr/json_form.hpp"

namespace {

using crm::errc;
using crm::expr::Expr;
using crm::expr::Schema;
using crm::expr::Type;

Schema party_schema() {
    Schema s;
    (void)s.add("city", Type::text);
    (void)s.add("first_name", Type::text);
    (void)s.add(crm::expr::Field{"lifecycle_stage", Type::text, "", {"lead", "prospect", "customer"}});
    (void)s.add("tags", Type::text_list);
    (void)s.add("created_at", Type::timestamp);
    (void)s.add("version", Type::integer);
    (void)s.add("vip", Type::boolean);
    (void)s.add("wallet", Type::money);  // values carry their currency
    crm::FieldDef tier;
    tier.name = "tier";
    tier.type = crm::FieldType::enumeration;
    tier.allowed = {"gold", "silver"};
    (void)s.add_custom(tier);
    crm::FieldDef credit;
    credit.name = "credit";
    credit.type = crm::FieldType::money;
    credit.currency = "IRR";
    (void)s.add_custom(credit);
    crm::FieldDef birthday;
    birthday.name = "birthday";
    birthday.type = crm::FieldType::date;
    (void)s.add_custom(birthday);
    crm::FieldDef ratio;
    ratio.name = "ratio";
    ratio.type = crm::FieldType::decimal;
    (void)s.add_custom(ratio);
    crm::FieldDef labels;
    labels.name = "labels";
    labels.type = crm::FieldType::multi_enum;
    labels.allowed = {"b2b", "b2c"};
    (void)s.add_custom(labels);
    return s;
}

const Schema& schema() {
    static const Schema s = party_schema();
    return s;
}

// Loads `json`, expecting failure; returns "code|field|message".
std::string load_error(const std::string& json) {
    auto r = Expr::from_json(json, schema());
    if (r) return "loaded: " + r.value().to_json();
    return std::string(crm::to_string(r.error().code)) + "|" + r.error().field + "|" + r.error().message;
}

std::string text_error(const std::string& text) {
    auto r = Expr::from_text(text, schema());
    if (r) return "loaded: " + r.value().to_json();
    return std::string(crm::to_string(r.error().code)) + "|" + r.error().field + "|" + r.error().message;
}

std::string field_of(const std::string& err) {
    const auto a = err.find('|'), b = err.find('|', a + 1);
    return err.substr(a + 1, b - a - 1);
}

TEST(ExprSchema, FieldsAndCustomFields) {
    const Schema& s = schema();
    ASSERT_NE(s.find("custom.tier"), nullptr);
    EXPECT_EQ(s.find("custom.tier")->type, Type::text);
    EXPECT_EQ(s.find("custom.tier")->allowed.size(), 2u);
    EXPECT_EQ(s.find("custom.labels")->type, Type::text_list);
    EXPECT_EQ(s.find("custom.credit")->type, Type::money);
    EXPECT_EQ(s.find("custom.credit")->currency, "IRR");
    EXPECT_EQ(s.find("custom.birthday")->type, Type::date);
    EXPECT_EQ(s.find("custom.ratio")->type, Type::decimal);
    EXPECT_EQ(s.find("nope"), nullptr);
    Schema t;
    EXPECT_TRUE(t.add("purchases.count", Type::integer));
    EXPECT_EQ(t.add("purchases.count", Type::integer).error().field, "name");
    EXPECT_EQ(t.add("Bad", Type::integer).error().code, errc::invalid_argument);
    EXPECT_EQ(t.add("a..b", Type::integer).error().field, "name");
    EXPECT_EQ(t.add("total", Type::money, "XYZ").error().field, "currency");
    EXPECT_EQ(t.add("count", Type::integer, "IRR").error().field, "currency");
    EXPECT_EQ(t.add(crm::expr::Field{"level", Type::integer, "", {"1", "2"}}).error().field, "allowed");
    EXPECT_STREQ(crm::expr::to_string(Type::text_list), "text_list");
}

TEST(ExprLoad, TheExampleOfTheDesignLoadsAndRoundTrips) {
    const std::string json =
        R"({"and":[{"eq":[{"field":"city"},"تهران"]},{"gt":[{"field":"created_at"},{"now":"-30d"}]},)"
        R"({"ge":[{"field":"created_at"},{"start_of":"month","calendar":"jalali"}]},)"
        R"({"in":[{"field":"lifecycle_stage"},["lead","prospect"]]},{"contains":[{"field":"tags"},"vip"]},)"
        R"({"not":{"is_empty":{"field":"custom.tier"}}},)"
        R"({"ge":[{"field":"custom.credit"},{"money":"1500000","currency":"IRR"}]},)"
        R"({"lt":[{"field":"custom.birthday"},{"date":"1370-01-01","calendar":"jalali"}]}]})";
    auto e = Expr::from_json(json, schema());
    ASSERT_TRUE(e) << e.error().what();
    const std::string canonical = e.value().to_json();
    // Money is written with its minor digits; everything else as given.
    std::string expected = json;
    expected.replace(expected.find("\"1500000\""), 9, "\"1500000.00\"");
    EXPECT_EQ(canonical, expected);
    auto again = Expr::from_json(canonical, schema());
    ASSERT_TRUE(again);
    EXPECT_EQ(again.value().to_json(), canonical);
    EXPECT_EQ(e.value().fields(),
              (std::vector<std::string>{"city", "created_at", "custom.birthday", "custom.credit",
                                        "custom.tier", "lifecycle_stage", "tags"}));
}

TEST(ExprLoad, EveryNodeRoundTrips) {
    const char* cases[] = {
        "true",
        "false",
        R"({"field":"vip"})",
        R"({"and":[]})",
        R"({"or":[]})",
        R"({"or":[{"field":"vip"},{"not":{"field":"vip"}}]})",
        R"({"eq":[{"field":"vip"},false]})",
        R"({"ne":[{"field":"city"},"Karaj"]})",
        R"({"lt":[{"field":"version"},-3]})",
        R"({"le":[{"field":"version"},{"decimal":"2.5"}]})",
        R"({"gt":[{"field":"custom.ratio"},{"decimal":"-0.125"}]})",
        R"({"ge":[{"field":"created_at"},{"timestamp":"2024-03-20T10:15:00.250Z"}]})",
        R"({"between":[{"field":"version"},1,10]})",
        R"({"between":[{"field":"created_at"},{"start_of":"week","offset":-1},{"now":"2h"}]})",
        R"({"in":[{"field":"version"},[1,2,{"decimal":"3.5"}]]})",
        R"({"in":[{"field":"custom.labels"},["b2b"]]})",
        R"({"in":[{"field":"city"},[]]})",
        R"({"contains":[{"field":"city"},"هر"]})",
        R"({"contains":[{"field":"first_name"},{"field":"city"}]})",
        R"({"starts_with":[{"field":"tags"},"v"]})",
        R"({"is_empty":{"field":"tags"}})",
        R"({"eq":[{"field":"wallet"},{"money":"12.50","currency":"USD"}]})",
        R"({"lt":[{"field":"wallet"},{"field":"custom.credit"}]})",
        R"({"eq":[{"field":"custom.birthday"},{"date":"2024-02-29"}]})",
        R"({"eq":[{"field":"custom.birthday"},{"date":"1403-12-30","calendar":"jalali"}]})",
        R"({"gt":[{"field":"created_at"},{"now":"-3mo","calendar":"jalali","time_zone":"Asia/Tehran"}]})",
        R"({"gt":[{"field":"created_at"},{"now":"0d"}]})",
        R"({"lt":[{"field":"created_at"},{"start_of":"year","offset":1,"calendar":"gregorian","time_zone":"UTC"}]})",
        R"({"ge":[{"field":"created_at"},{"start_of":"quarter"}]})",
        R"({"gt":[{"field":"created_at"},{"start_of":"day"}]})",
    };
    for (const char* c : cases) {
        auto e = Expr::from_json(c, schema());
        ASSERT_TRUE(e) << c << ": " << e.error().what();
        EXPECT_EQ(e.value().to_json(), c);
    }
}

TEST(ExprLoad, LiteralsAreWrittenCanonically) {
    const std::pair<const char*, const char*> cases[] = {
        {R"({"eq":[{"field":"custom.ratio"},12.50]})", R"({"eq":[{"field":"custom.ratio"},{"decimal":"12.5"}]})"},
        {R"({"eq":[{"field":"custom.ratio"},{"decimal":"007.50"}]})", R"({"eq":[{"field":"custom.ratio"},{"decimal":"7.5"}]})"},
        {R"({"eq":[{"field":"custom.ratio"},{"decimal":"۱۲.۵"}]})", R"({"eq":[{"field":"custom.ratio"},{"decimal":"12.5"}]})"},
        {R"({"eq":[{"field":"custom.credit"},{"money":1500,"currency":"IRR"}]})",
         R"({"eq":[{"field":"custom.credit"},{"money":"1500.00","currency":"IRR"}]})"},
        {R"({"eq":[{"field":"custom.birthday"},{"date":"1370/1/1","calendar":"jalali"}]})",
         R"({"eq":[{"field":"custom.birthday"},{"date":"1370-01-01","calendar":"jalali"}]})"},
        {R"({"gt":[{"field":"created_at"},{"timestamp":"2024-03-20T13:45:00+03:30"}]})",
         R"({"gt":[{"field":"created_at"},{"timestamp":"2024-03-20T10:15:00Z"}]})"},
        {R"({"gt":[{"field":"created_at"},{"now":"+30d"}]})", R"({"gt":[{"field":"created_at"},{"now":"30d"}]})"},
        {R"({"gt":[{"field":"created_at"},{"start_of":"month","offset":0}]})",
         R"({"gt":[{"field":"created_at"},{"start_of":"month"}]})"},
    };
    for (const auto& [in, out] : cases) {
        auto e = Expr::from_json(in, schema());
        ASSERT_TRUE(e) << in << ": " << e.error().what();
        EXPECT_EQ(e.value().to_json(), out);
    }
}

TEST(ExprLoad, DefaultExprIsTrue) {
    EXPECT_EQ(Expr().to_json(), "true");
    EXPECT_TRUE(Expr().fields().empty());
}

TEST(ExprLoad, MalformedJsonIsAParseError) {
    EXPECT_EQ(load_error("{\"and\":[").substr(0, 8), "parse|$|");
    EXPECT_EQ(load_error("").substr(0, 8), "parse|$|");
    EXPECT_EQ(load_error("{\"eq\":[\"\xff\",1]}").substr(0, 8), "parse|$|");
}

TEST(ExprLoad, ErrorsNameTheJsonPathOfTheBadNode) {
    struct Case {
        const char* json;
        const char* field;
        const char* message_part;
    };
    const Case cases[] = {
        // unknown field, operator, key
        {R"({"and":[true,{"gt":[{"field":"citty"},"x"]}]})", "$.and[1].gt[0]", "unknown field 'citty'"},
        {R"({"and":[{"gtt":[1,2]}]})", "$.and[0]", "unknown operator 'gtt'"},
        {R"({"eq":[{"field":"city"},"x"],"gt":[1,2]})", "$", "two operators"},
        {R"({})", "$", "empty object"},
        {R"({"now":"-1d","foo":1})", "$.foo", "not allowed in a 'now' node"},
        {R"({"eq":[{"field":"city","currency":"IRR"},"x"]})", "$.eq[0].currency", "not allowed"},
        // not a condition
        {R"("city")", "$", "expects a condition"},
        {R"({"and":[{"field":"city"}]})", "$.and[0]", "is a text operand, not a condition"},
        {R"({"not":[true]})", "$.not", "one condition"},
        {R"({"and":{"eq":[1,1]}})", "$.and", "array of conditions"},
        {R"({"eq":[{"eq":[1,1]},true]})", "$.eq[0]", "not a condition"},
        // arity
        {R"({"eq":[{"field":"city"}]})", "$.eq", "takes 2 operands, not 1"},
        {R"({"between":[{"field":"version"},1]})", "$.between", "takes 3 operands, not 2"},
        {R"({"contains":{"field":"city"}})", "$.contains", "array of 2 operands"},
        {R"({"is_empty":[{"field":"city"}]})", "$.is_empty", "one operand"},
        {R"({"is_empty":"x"})", "$.is_empty", "is_empty takes a field"},
        {R"({"in":[{"field":"city"},"x"]})", "$.in[1]", "array of literals"},
        {R"({"in":[{"field":"version"},[1,{"field":"version"}]]})", "$.in[1][1]", "literals only"},
        {R"({"eq":[{"field":"city"},["x"]]})", "$.eq[1]", "only as the second operand of \"in\""},
        // types
        {R"({"gt":[{"field":"created_at"},"2024-01-01"]})", "$.gt[1]", "is text, but the comparison needs timestamp like created_at"},
        {R"({"eq":[{"field":"custom.birthday"},"2024-01-01"]})", "$.eq[1]", "{\"date\":\"YYYY-MM-DD\"}"},
        {R"({"eq":[{"field":"custom.credit"},1500]})", "$.eq[1]", "needs money"},
        {R"({"eq":[{"field":"tags"},"vip"]})", "$.eq[0]", "is a text list"},
        {R"({"lt":[{"field":"vip"},true]})", "$.lt", "booleans compare only"},
        {R"({"eq":[{"field":"city"},{"field":"version"}]})", "$.eq[1]", "is integer"},
        {R"({"contains":[{"field":"version"},"1"]})", "$.contains[0]", "needs text or a text list"},
        {R"({"contains":[{"field":"city"},5]})", "$.contains[1]", "expects text"},
        {R"({"in":[{"field":"tags"},[1]]})", "$.in[1][0]", "holds text"},
        {R"({"in":[{"field":"version"},["a"]]})", "$.in[1][0]", "is text"},
        // currency
        {R"({"ge":[{"field":"custom.credit"},{"money":"10","currency":"USD"}]})", "$.ge[1]", "is in USD, but custom.credit is in IRR"},
        {R"({"ge":[{"field":"custom.credit"},{"money":"10","currency":"XYZ"}]})", "$.ge[1].currency", "unknown ISO 4217"},
        {R"({"ge":[{"field":"custom.credit"},{"money":"10"}]})", "$.ge[1].currency", "needs a \"currency\""},
        {R"({"ge":[{"field":"custom.credit"},{"money":"1.234","currency":"IRR"}]})", "$.ge[1]", "more decimals"},
        {R"({"ge":[{"field":"custom.credit"},{"money":"abc","currency":"IRR"}]})", "$.ge[1]", "not a decimal amount"},
        // enum members
        {R"({"eq":[{"field":"custom.tier"},"gld"]})", "$.eq[1]", "'gld' is not one of custom.tier's values: gold, silver"},
        {R"({"in":[{"field":"lifecycle_stage"},["lead","prospekt"]]})", "$.in[1][1]", "not one of"},
        {R"({"contains":[{"field":"custom.labels"},"b2x"]})", "$.contains[1]", "not one of"},
        // bad literals
        {R"({"eq":[{"field":"city"},"  "]})", "$.eq[1]", "is blank"},
        {R"({"eq":[{"field":"city"},null]})", "$.eq[1]", "null is not a value"},
        {R"({"eq":[{"field":"version"},18446744073709551615]})", "$.eq[1]", "larger than a 64-bit"},
        {R"({"eq":[{"field":"custom.ratio"},1e300]})", "$.eq[1]", "not an exact decimal"},
        {R"({"eq":[{"field":"custom.ratio"},{"decimal":"1,5"}]})", "$.eq[1]", "not a decimal"},
        {R"({"eq":[{"field":"custom.birthday"},{"date":"1403-12-31","calendar":"jalali"}]})", "$.eq[1]", ""},
        {R"({"eq":[{"field":"custom.birthday"},{"date":"2023-02-29"}]})", "$.eq[1]", ""},
        {R"({"eq":[{"field":"custom.birthday"},{"date":"1403-01-01","calendar":"hijri"}]})", "$.eq[1].calendar", ""},
        {R"({"gt":[{"field":"created_at"},{"timestamp":"yesterday"}]})", "$.gt[1]", ""},
        {R"({"gt":[{"field":"created_at"},{"now":"-30days"}]})", "$.gt[1]", "units min, h, d, w, mo"},
        {R"({"gt":[{"field":"created_at"},{"now":-30}]})", "$.gt[1]", "units min"},
        {R"({"gt":[{"field":"created_at"},{"now":"-99999mo"}]})", "$.gt[1]", "more than 12000 mo"},
        {R"({"gt":[{"field":"created_at"},{"now":"1d","time_zone":"Mars/Base"}]})", "$.gt[1].time_zone", "unknown time zone"},
        {R"({"gt":[{"field":"created_at"},{"start_of":"fortnight"}]})", "$.gt[1]", "day, week, month"},
        {R"({"gt":[{"field":"created_at"},{"start_of":"day","offset":1.5}]})", "$.gt[1].offset", "whole number"},
        {R"({"gt":[{"field":"created_at"},{"start_of":"day","offset":5000}]})", "$.gt[1].offset", "between -1000 and 1000"},
        {R"({"eq":[{"field":"city"},"a\u0001b"]})", "$.eq[1]", "control character"},
    };
    for (const Case& c : cases) {
        const std::string err = load_error(c.json);
        EXPECT_EQ(err.substr(0, 17), "invalid_argument|") << c.json << " -> " << err;
        EXPECT_EQ(field_of(err), c.field) << c.json << " -> " << err;
        EXPECT_NE(err.find(c.message_part), std::string::npos) << c.json << " -> " << err;
    }
}

TEST(ExprLoad, DepthAndSizeAreLimited) {
    // 64 nested conditions load; 65 do not.
    auto nested = [](int levels) {
        std::string s;
        for (int i = 1; i < levels; ++i) s += "{\"not\":";
        s += "true";
        for (int i = 1; i < levels; ++i) s += "}";
        return s;
    };
    EXPECT_TRUE(Expr::from_json(nested(64), schema()));
    const std::string err = load_error(nested(65));
    EXPECT_NE(err.find("deeper than 64"), std::string::npos) << err;
    EXPECT_EQ(err.substr(0, 16), "invalid_argument");
    // Hostile nesting is refused before it is read.
    const std::string deep(1'000'000, '[');
    EXPECT_EQ(load_error(deep).substr(0, 16), "invalid_argument");
    std::string hostile;
    for (int i = 0; i < 100'000; ++i) hostile += "{\"not\":";
    EXPECT_EQ(load_error(hostile).substr(0, 16), "invalid_argument");
    // More than 10,000 nodes.
    std::string wide = "{\"or\":[";
    for (int i = 0; i < 10'001; ++i) wide += i ? ",true" : "true";
    wide += "]}";
    const std::string too_wide = load_error(wide);
    EXPECT_NE(too_wide.find("10000 nodes"), std::string::npos) << too_wide;
    EXPECT_EQ(field_of(too_wide), "$.or[10000]");
    // More than 1 MiB of text.
    const std::string big = "{\"eq\":[{\"field\":\"city\"},\"" + std::string(1 << 20, 'a') + "\"]}";
    EXPECT_EQ(load_error(big).substr(0, 19), "invalid_argument|$|");
}

TEST(ExprLoad, EmbeddedRulesNameTheirPlace) {
    // A rule inside a larger document (a process definition's guard)
    // reports paths under that document.
    const auto doc = nlohmann::ordered_json::parse(
        R"({"transitions":[{"to":"won","guard":{"or":[{"eq":[{"field":"x"},1]}]}}]})");
    auto r = crm::expr::load_json(doc["transitions"][0]["guard"], schema(), "$.transitions[0].guard");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "$.transitions[0].guard.or[0].eq[0]");
    auto good = crm::expr::load_json(nlohmann::ordered_json::parse(R"({"field":"vip"})"), schema());
    ASSERT_TRUE(good);
    EXPECT_EQ(good.value().to_json(), R"({"field":"vip"})");
}

// ---- the text form ----------------------------------------------------------

TEST(ExprText, ParsesToTheSameTreeAsJson) {
    const std::pair<const char*, const char*> cases[] = {
        {R"(city = "تهران" and created_at > now - 30d and tags contains "vip")",
         R"({"and":[{"eq":[{"field":"city"},"تهران"]},{"gt":[{"field":"created_at"},{"now":"-30d"}]},{"contains":[{"field":"tags"},"vip"]}]})"},
        {R"(not (lifecycle_stage in ["lead", "prospect"]) or custom.credit >= 1500000 IRR)",
         R"({"or":[{"not":{"in":[{"field":"lifecycle_stage"},["lead","prospect"]]}},{"ge":[{"field":"custom.credit"},{"money":"1500000.00","currency":"IRR"}]}]})"},
        {R"(created_at >= start of previous jalali month in "Asia/Tehran")",
         R"({"ge":[{"field":"created_at"},{"start_of":"month","offset":-1,"calendar":"jalali","time_zone":"Asia/Tehran"}]})"},
        {R"(custom.birthday < date "1370-01-01" jalali and custom.tier is not empty)",
         R"({"and":[{"lt":[{"field":"custom.birthday"},{"date":"1370-01-01","calendar":"jalali"}]},{"not":{"is_empty":{"field":"custom.tier"}}}]})"},
        {R"(a_or_b_is_not_a_field = 1)", nullptr},
        {R"(version between -2 and 3.5 or vip)",
         R"({"or":[{"between":[{"field":"version"},-2,{"decimal":"3.5"}]},{"field":"vip"}]})"},
        {R"(version != ۱۲ and city starts_with "te" and tags is empty)",
         R"({"and":[{"ne":[{"field":"version"},12]},{"starts_with":[{"field":"city"},"te"]},{"is_empty":{"field":"tags"}}]})"},
        {R"(created_at <= timestamp "2024-03-20T10:15:00Z" and created_at < now + 2mo jalali)",
         R"({"and":[{"le":[{"field":"created_at"},{"timestamp":"2024-03-20T10:15:00Z"}]},{"lt":[{"field":"created_at"},{"now":"2mo","calendar":"jalali"}]}]})"},
        {R"(created_at > start of week and created_at > now and created_at > start of next year in "UTC")",
         R"({"and":[{"gt":[{"field":"created_at"},{"start_of":"week"}]},{"gt":[{"field":"created_at"},{"now":"0d"}]},{"gt":[{"field":"created_at"},{"start_of":"year","offset":1,"time_zone":"UTC"}]}]})"},
        {R"(true or (false and vip = false))", R"({"or":[true,{"and":[false,{"eq":[{"field":"vip"},false]}]}]})"},
        {R"(city = "say \"hi\"" and custom.ratio >= decimal "0.50")",
         R"({"and":[{"eq":[{"field":"city"},"say \"hi\""]},{"ge":[{"field":"custom.ratio"},{"decimal":"0.5"}]}]})"},
        {R"(wallet < -5 USD)", R"({"lt":[{"field":"wallet"},{"money":"-5.00","currency":"USD"}]})"},
    };
    for (const auto& [text, json] : cases) {
        auto e = Expr::from_text(text, schema());
        if (!json) {
            EXPECT_FALSE(e);
            continue;
        }
        ASSERT_TRUE(e) << text << ": " << e.error().what();
        EXPECT_EQ(e.value().to_json(), json) << text;
    }
}

TEST(ExprText, ErrorsNameTheCharacterOffset) {
    struct Case {
        const char* text;
        const char* code;
        const char* field;
        const char* message_part;
    };
    const Case cases[] = {
        {"city = ", "parse", "@7", "expected an operand, found the end"},
        {"city = \"تهران", "parse", "@7", "not closed"},
        {"شهر = 1", "parse", "@0", "unexpected character"},
        {"city = \"تهران\" and )", "parse", "@19", "expected an operand, found ')'"},
        {"city = \"x\" city", "parse", "@11", "expected 'and', 'or' or the end"},
        {"(city = \"x\"", "parse", "@11", "expected ')'"},
        {"tags in [\"a\" \"b\"]", "parse", "@13", "expected ','"},
        {"version between 1 or 2", "parse", "@18", "expected 'and'"},
        {"city is full", "parse", "@8", "expected 'empty'"},
        {"created_at > now - 3 days", "invalid_argument", "@13", "units min"},
        {"version = 99999999999999999999", "parse", "@10", "64-bit"},
        {"city = \"a\\qb\"", "parse", "@9", "unknown escape"},
        // type errors after parsing point at the piece that is wrong
        {"city = \"تهران\" and citty = \"x\"", "invalid_argument", "@19", "unknown field 'citty'"},
        {"city = \"تهران\" and created_at > \"2024\"", "invalid_argument", "@32", "needs timestamp"},
        {"custom.credit > 5 USD", "invalid_argument", "@16", "is in USD"},
        {"tags in [\"a\", 5]", "invalid_argument", "@14", "holds text"},
        {"city", "invalid_argument", "@0", "not a condition"},
        {"created_at > now in \"Mars/Base\"", "invalid_argument", "@13", "unknown time zone"},
    };
    for (const Case& c : cases) {
        const std::string err = text_error(c.text);
        EXPECT_EQ(err.substr(0, err.find('|')), c.code) << c.text << " -> " << err;
        EXPECT_EQ(field_of(err), c.field) << c.text << " -> " << err;
        EXPECT_NE(err.find(c.message_part), std::string::npos) << c.text << " -> " << err;
    }
}

TEST(ExprText, NestingIsLimited) {
    std::string deep;
    for (int i = 0; i < 100'000; ++i) deep += "not ";
    deep += "true";
    EXPECT_EQ(text_error(deep).substr(0, 16), "invalid_argument");
    std::string parens(100'000, '(');
    EXPECT_EQ(text_error(parens).substr(0, 16), "invalid_argument");
    std::string ok;
    for (int i = 0; i < 60; ++i) ok += "not ";
    EXPECT_TRUE(Expr::from_text(ok + "true", schema()));
}

}  // namespace
