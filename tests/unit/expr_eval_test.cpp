// tests/unit/expr_eval_test.cpp - in-memory evaluation of every node, the
// null semantics, and relative times in the Gregorian and Jalali calendars.
#include "crm/expr/expr.hpp"

#include <gtest/gtest.h>

#include <climits>

#include "crm/core/calendar.hpp"

namespace {

using crm::Money;
using crm::Timestamp;
using crm::Value;
using crm::expr::Context;
using crm::expr::Expr;
using crm::expr::MapRecord;
using crm::expr::Schema;
using crm::expr::Type;

const Schema& schema() {
    static const Schema s = [] {
        Schema t;
        (void)t.add("city", Type::text);
        (void)t.add("name", Type::text);
        (void)t.add("tags", Type::text_list);
        (void)t.add("at", Type::timestamp);
        (void)t.add("n", Type::integer);
        (void)t.add("d", Type::decimal);
        (void)t.add("vip", Type::boolean);
        (void)t.add("wallet", Type::money);
        (void)t.add("credit", Type::money, "IRR");
        (void)t.add("day", Type::date);
        return t;
    }();
    return s;
}

// 2025-03-20T12:00:00Z = 1403-12-30 15:30 in Tehran (+03:30), a Thursday,
// the last day (a leap day) of the Jalali year 1403.
const Timestamp kNow = crm::parse_iso8601("2025-03-20T12:00:00Z").value();

Timestamp at(const char* iso) { return crm::parse_iso8601(iso).value(); }

bool eval(const std::string& json, const MapRecord& r, Timestamp now = kNow,
          const std::string& zone = "Asia/Tehran") {
    auto e = Expr::from_json(json, schema());
    EXPECT_TRUE(e) << json << ": " << e.error().what();
    if (!e) return false;
    auto v = crm::expr::evaluate(e.value(), r, Context{now, zone});
    EXPECT_TRUE(v) << json << ": " << v.error().what();
    return v && v.value();
}

MapRecord record(std::initializer_list<std::pair<const std::string, Value>> values) {
    MapRecord r;
    for (const auto& [k, v] : values) r.values[k] = v;
    return r;
}

using List = std::vector<std::string>;

TEST(ExprEval, TextComparesByNormalisedKey) {
    const MapRecord r = record({{"city", std::string("  تهران ")}, {"name", std::string("علي‌رضا كريمي")}});
    EXPECT_TRUE(eval(R"({"eq":[{"field":"city"},"تهران"]})", r));
    EXPECT_TRUE(eval(R"({"eq":[{"field":"name"},"علی رضا کریمی"]})", r)) << "Arabic ي ك and ZWNJ";
    EXPECT_TRUE(eval(R"({"contains":[{"field":"name"},"کريم"]})", r));
    EXPECT_TRUE(eval(R"({"starts_with":[{"field":"name"},"علی"]})", r));
    EXPECT_FALSE(eval(R"({"starts_with":[{"field":"name"},"رضا"]})", r));
    EXPECT_TRUE(eval(R"({"ne":[{"field":"city"},"کرج"]})", r));
    EXPECT_TRUE(eval(R"({"lt":[{"field":"city"},"ی"]})", r));
    EXPECT_TRUE(eval(R"({"in":[{"field":"city"},["کرج","TEHRAN","تهران"]]})", r));
    const MapRecord latin = record({{"city", std::string("TEHRAN")}});
    EXPECT_TRUE(eval(R"({"eq":[{"field":"city"},"tehran"]})", latin)) << "case folding";
    EXPECT_TRUE(eval(R"({"contains":[{"field":"city"},{"field":"city"}]})", latin));
    const MapRecord digits = record({{"city", std::string("منطقه ۱۲")}});
    EXPECT_TRUE(eval(R"({"contains":[{"field":"city"},"12"]})", digits)) << "Persian digits";
}

TEST(ExprEval, MissingValuesMakeEveryComparisonFalse) {
    const MapRecord empty;
    const MapRecord blank = record({{"city", std::string("  ")}, {"tags", List{}}, {"day", std::string()}});
    for (const MapRecord* r : {&empty, &blank}) {
        EXPECT_FALSE(eval(R"({"eq":[{"field":"city"},"x"]})", *r));
        EXPECT_FALSE(eval(R"({"ne":[{"field":"city"},"x"]})", *r)) << "ne is false too";
        EXPECT_TRUE(eval(R"({"not":{"eq":[{"field":"city"},"x"]}})", *r)) << "not inverts";
        EXPECT_FALSE(eval(R"({"not":{"not":{"eq":[{"field":"city"},"x"]}}})", *r));
        EXPECT_FALSE(eval(R"({"lt":[{"field":"city"},"x"]})", *r));
        EXPECT_FALSE(eval(R"({"in":[{"field":"city"},["x"]]})", *r));
        EXPECT_FALSE(eval(R"({"contains":[{"field":"city"},"x"]})", *r));
        EXPECT_FALSE(eval(R"({"contains":[{"field":"tags"},"x"]})", *r));
        EXPECT_FALSE(eval(R"({"in":[{"field":"tags"},["x"]]})", *r));
        EXPECT_FALSE(eval(R"({"starts_with":[{"field":"tags"},"x"]})", *r));
        EXPECT_FALSE(eval(R"({"eq":[{"field":"day"},{"date":"2024-01-01"}]})", *r));
        EXPECT_FALSE(eval(R"({"ne":[{"field":"n"},1]})", *r));
        EXPECT_FALSE(eval(R"({"between":[{"field":"n"},0,10]})", *r));
        EXPECT_FALSE(eval(R"({"field":"vip"})", *r));
        EXPECT_FALSE(eval(R"({"eq":[{"field":"vip"},false]})", *r));
        EXPECT_TRUE(eval(R"({"not":{"field":"vip"}})", *r));
        EXPECT_TRUE(eval(R"({"is_empty":{"field":"city"}})", *r));
        EXPECT_TRUE(eval(R"({"is_empty":{"field":"tags"}})", *r));
        EXPECT_TRUE(eval(R"({"is_empty":{"field":"day"}})", *r));
        EXPECT_TRUE(eval(R"({"is_empty":{"field":"n"}})", *r));
        EXPECT_FALSE(eval(R"({"contains":[{"field":"name"},{"field":"city"}]})", *r));
    }
    // A value of the wrong alternative is missing.
    const MapRecord wrong = record({{"n", std::string("5")}, {"city", std::int64_t{5}}});
    EXPECT_FALSE(eval(R"({"eq":[{"field":"n"},5]})", wrong));
    EXPECT_TRUE(eval(R"({"is_empty":{"field":"city"}})", wrong));
    // A non-empty list of blank elements is not empty, and matches nothing.
    const MapRecord blanks = record({{"tags", List{"", " "}}});
    EXPECT_FALSE(eval(R"({"is_empty":{"field":"tags"}})", blanks));
    EXPECT_FALSE(eval(R"({"starts_with":[{"field":"tags"},"a"]})", blanks));
}

TEST(ExprEval, AndOrNotAndConstants) {
    const MapRecord r = record({{"n", std::int64_t{5}}, {"vip", true}});
    EXPECT_TRUE(eval("true", r));
    EXPECT_FALSE(eval("false", r));
    EXPECT_TRUE(eval(R"({"and":[]})", r));
    EXPECT_FALSE(eval(R"({"or":[]})", r));
    EXPECT_TRUE(eval(R"({"and":[{"field":"vip"},{"gt":[{"field":"n"},4]}]})", r));
    EXPECT_FALSE(eval(R"({"and":[{"field":"vip"},{"gt":[{"field":"n"},5]}]})", r));
    EXPECT_TRUE(eval(R"({"or":[false,{"ge":[{"field":"n"},5]}]})", r));
    EXPECT_FALSE(eval(R"({"not":{"field":"vip"}})", r));
    EXPECT_TRUE(eval(R"({"eq":[{"field":"vip"},true]})", r));
    EXPECT_TRUE(eval(R"({"ne":[{"field":"vip"},false]})", r));
    EXPECT_TRUE(eval(R"({"in":[{"field":"vip"},[true]]})", r));
    Context ctx{kNow, "Asia/Tehran"};
    EXPECT_TRUE(crm::expr::evaluate(Expr(), MapRecord{}, ctx).value()) << "the default Expr is true";
}

TEST(ExprEval, NumbersCompareExactly) {
    const MapRecord r = record({{"n", std::int64_t{12}}, {"d", std::string("12.5")}});
    EXPECT_TRUE(eval(R"({"eq":[{"field":"n"},12]})", r));
    EXPECT_TRUE(eval(R"({"lt":[{"field":"n"},{"decimal":"12.000001"}]})", r));
    EXPECT_TRUE(eval(R"({"eq":[{"field":"n"},{"decimal":"12.0"}]})", r));
    EXPECT_TRUE(eval(R"({"eq":[{"field":"d"},{"decimal":"12.50"}]})", r));
    EXPECT_TRUE(eval(R"({"gt":[{"field":"d"},{"field":"n"}]})", r));
    EXPECT_TRUE(eval(R"({"gt":[{"field":"d"},12]})", r));
    EXPECT_FALSE(eval(R"({"gt":[{"field":"d"},13]})", r));
    EXPECT_TRUE(eval(R"({"between":[{"field":"d"},12.5,12.5]})", r)) << "between is inclusive";
    EXPECT_TRUE(eval(R"({"in":[{"field":"d"},[1,{"decimal":"12.5"}]]})", r));
    EXPECT_TRUE(eval(R"({"in":[{"field":"n"},[1,12]]})", r));
    // Exact where a double is not: 0.1 + 0.2 style values and 40-digit numbers.
    const MapRecord exact = record({{"d", std::string("0.30000000000000000001")}});
    EXPECT_TRUE(eval(R"({"gt":[{"field":"d"},{"decimal":"0.3"}]})", exact));
    const MapRecord neg = record({{"d", std::string("-0.5")}, {"n", std::int64_t{LLONG_MIN}}});
    EXPECT_TRUE(eval(R"({"lt":[{"field":"d"},{"decimal":"-0.25"}]})", neg));
    EXPECT_TRUE(eval(R"({"gt":[{"field":"d"},{"decimal":"-1"}]})", neg));
    EXPECT_TRUE(eval(R"({"lt":[{"field":"n"},{"decimal":"-9223372036854775807.5"}]})", neg));
    EXPECT_TRUE(eval(R"({"eq":[{"field":"n"},-9223372036854775808]})", neg));
    // A decimal that is not a number is missing.
    const MapRecord junk = record({{"d", std::string("12,5")}});
    EXPECT_TRUE(eval(R"({"is_empty":{"field":"d"}})", junk));
    EXPECT_FALSE(eval(R"({"ne":[{"field":"d"},1]})", junk));
    const MapRecord int_decimal = record({{"d", std::int64_t{7}}});
    EXPECT_TRUE(eval(R"({"eq":[{"field":"d"},{"decimal":"7.00"}]})", int_decimal));
}

TEST(ExprEval, MoneyComparesWithinOneCurrency) {
    const MapRecord r = record({{"wallet", Money{1250, "USD"}}, {"credit", Money{150000000, "IRR"}}});
    EXPECT_TRUE(eval(R"({"eq":[{"field":"wallet"},{"money":"12.50","currency":"USD"}]})", r));
    EXPECT_TRUE(eval(R"({"ge":[{"field":"credit"},{"money":"1500000","currency":"IRR"}]})", r));
    EXPECT_FALSE(eval(R"({"gt":[{"field":"credit"},{"money":"1500000","currency":"IRR"}]})", r));
    // Another currency is not comparable: every comparison is false.
    EXPECT_FALSE(eval(R"({"eq":[{"field":"wallet"},{"money":"12.50","currency":"EUR"}]})", r));
    EXPECT_FALSE(eval(R"({"ne":[{"field":"wallet"},{"money":"12.50","currency":"EUR"}]})", r));
    EXPECT_FALSE(eval(R"({"lt":[{"field":"wallet"},{"field":"credit"}]})", r));
    EXPECT_TRUE(eval(R"({"in":[{"field":"wallet"},[{"money":"1","currency":"EUR"},{"money":"12.5","currency":"USD"}]]})", r));
}

TEST(ExprEval, TextLists) {
    const MapRecord r = record({{"tags", List{"VIP", "مشتري ويژه", "b2b"}}});
    EXPECT_TRUE(eval(R"({"contains":[{"field":"tags"},"vip"]})", r));
    EXPECT_TRUE(eval(R"({"contains":[{"field":"tags"},"مشتری ویژه"]})", r));
    EXPECT_FALSE(eval(R"({"contains":[{"field":"tags"},"مشتری"]})", r)) << "elements, not substrings";
    EXPECT_TRUE(eval(R"({"starts_with":[{"field":"tags"},"مشتری"]})", r));
    EXPECT_TRUE(eval(R"({"in":[{"field":"tags"},["x","B2B"]]})", r));
    EXPECT_FALSE(eval(R"({"in":[{"field":"tags"},["x"]]})", r));
    EXPECT_FALSE(eval(R"({"is_empty":{"field":"tags"}})", r));
}

TEST(ExprEval, DatesAndTimestamps) {
    const MapRecord r = record({{"day", std::string("1991-03-21")}, {"at", at("2025-03-19T12:00:00Z").ms}});
    // 1370-01-01 (Jalali) is 1991-03-21.
    EXPECT_TRUE(eval(R"({"eq":[{"field":"day"},{"date":"1370-01-01","calendar":"jalali"}]})", r));
    EXPECT_TRUE(eval(R"({"eq":[{"field":"day"},{"date":"۱۳۷۰/۱/۱","calendar":"jalali"}]})", r));
    EXPECT_TRUE(eval(R"({"lt":[{"field":"day"},{"date":"1991-03-22"}]})", r));
    EXPECT_FALSE(eval(R"({"gt":[{"field":"at"},{"now":"-1d"}]})", r)) << "exactly 24 h ago is not after";
    EXPECT_FALSE(eval(R"({"gt":[{"field":"at"},{"now":"-24h"}]})", r));
    EXPECT_TRUE(eval(R"({"ge":[{"field":"at"},{"now":"-1440min"}]})", r));
    EXPECT_TRUE(eval(R"({"lt":[{"field":"at"},{"now":"0d"}]})", r));
    EXPECT_TRUE(eval(R"({"eq":[{"field":"at"},{"timestamp":"2025-03-19T15:30:00+03:30"}]})", r));
}

// The instant a relative-time operand resolves to, read back through a
// comparison at the boundary: `at` equal to it matches ge but not gt.
void expect_instant(const std::string& operand, const char* iso, Timestamp now = kNow,
                    const std::string& zone = "Asia/Tehran") {
    const MapRecord r = record({{"at", at(iso).ms}});
    EXPECT_TRUE(eval(R"({"eq":[{"field":"at"},)" + operand + "]}", r, now, zone)) << operand << " != " << iso;
    const MapRecord before = record({{"at", at(iso).ms - 1}});
    EXPECT_FALSE(eval(R"({"ge":[{"field":"at"},)" + operand + "]}", before, now, zone)) << operand;
}

TEST(ExprEval, RelativeTimesInBothCalendars) {
    // now = 2025-03-20T12:00Z = 1403-12-30 15:30 Tehran.
    expect_instant(R"({"now":"-30d"})", "2025-02-18T12:00:00Z");
    expect_instant(R"({"now":"2w"})", "2025-04-03T12:00:00Z");
    expect_instant(R"({"now":"-90min"})", "2025-03-20T10:30:00Z");
    expect_instant(R"({"start_of":"day"})", "2025-03-19T20:30:00Z");  // Tehran midnight
    expect_instant(R"({"start_of":"day","time_zone":"UTC"})", "2025-03-20T00:00:00Z");
    expect_instant(R"({"start_of":"month"})", "2025-02-28T20:30:00Z");  // 1 March, Tehran
    expect_instant(R"({"start_of":"month","calendar":"jalali"})", "2025-02-18T20:30:00Z");  // 1 Esfand 1403
    expect_instant(R"({"start_of":"month","calendar":"jalali","offset":1})", "2025-03-20T20:30:00Z");  // 1 Farvardin 1404
    expect_instant(R"({"start_of":"year","calendar":"jalali"})", "2024-03-19T20:30:00Z");  // 1 Farvardin 1403
    expect_instant(R"({"start_of":"year","calendar":"jalali","offset":-1})", "2023-03-20T20:30:00Z");  // 1 Farvardin 1402
    expect_instant(R"({"start_of":"quarter","calendar":"jalali"})", "2024-12-20T20:30:00Z");  // 1 Dey 1403
    expect_instant(R"({"start_of":"week","calendar":"jalali"})", "2025-03-14T20:30:00Z");  // Saturday 15 March
    expect_instant(R"({"start_of":"week"})", "2025-03-16T20:30:00Z");  // Monday 17 March
    expect_instant(R"({"start_of":"year","offset":-1})", "2023-12-31T20:30:00Z");
    // Months are calendar months, the day clamped to the month's end.
    expect_instant(R"({"now":"-1mo"})", "2025-02-20T12:00:00Z");
    expect_instant(R"({"now":"-1mo","calendar":"jalali"})", "2025-02-18T12:00:00Z");  // 30 Bahman 1403 15:30
    expect_instant(R"({"now":"1mo","calendar":"jalali"})", "2025-04-19T12:00:00Z");   // 30 Farvardin 1404 15:30
    expect_instant(R"({"now":"-1mo"})", "2025-02-28T10:00:00Z", at("2025-03-31T10:00:00Z"), "UTC");
    expect_instant(R"({"now":"12mo"})", "2025-02-28T10:00:00Z", at("2024-02-29T10:00:00Z"), "UTC");
    // The Context's zone is the default; a node's own zone wins.
    expect_instant(R"({"start_of":"day"})", "2025-03-20T00:00:00Z", kNow, "UTC");
    expect_instant(R"({"start_of":"day","time_zone":"Asia/Tehran"})", "2025-03-19T20:30:00Z", kNow, "UTC");
}

TEST(ExprEval, MatcherResolvesTimesOnce) {
    auto e = Expr::from_json(R"({"gt":[{"field":"at"},{"now":"-1h"}]})", schema());
    ASSERT_TRUE(e);
    auto m = crm::expr::Matcher::make(e.value(), Context{kNow, "UTC"});
    ASSERT_TRUE(m);
    EXPECT_TRUE(m.value().matches(record({{"at", kNow.ms}})));
    EXPECT_FALSE(m.value().matches(record({{"at", kNow.ms - 3'600'000}})));
    auto bad = crm::expr::Matcher::make(e.value(), Context{kNow, "Nowhere/Atlantis"});
    // Fixed-length offsets need no zone; a calendar one does.
    EXPECT_TRUE(bad);
    auto month = Expr::from_json(R"({"gt":[{"field":"at"},{"start_of":"month"}]})", schema());
    auto bad_zone = crm::expr::Matcher::make(month.value(), Context{kNow, "Nowhere/Atlantis"});
    ASSERT_FALSE(bad_zone);
    EXPECT_EQ(bad_zone.error().code, crm::errc::invalid_argument);
    EXPECT_EQ(bad_zone.error().field, "time_zone");
    // Extreme instants saturate instead of overflowing.
    auto far = Expr::from_json(R"({"lt":[{"field":"at"},{"now":"100000000w"}]})", schema());
    auto fm = crm::expr::Matcher::make(far.value(), Context{Timestamp{LLONG_MAX - 5}, "UTC"});
    ASSERT_TRUE(fm);
    EXPECT_TRUE(fm.value().matches(record({{"at", std::int64_t{LLONG_MAX - 1}}})));
}

}  // namespace

namespace {

// A RowRecord is read by position when its schema has the rule's layout,
// and by name otherwise; either way the answers are a MapRecord's.
TEST(ExprEval, RowRecordsAreReadByPositionOnlyForTheSameLayout) {
    Schema reordered;
    for (auto it = schema().fields().rbegin(); it != schema().fields().rend(); ++it)
        ASSERT_TRUE(reordered.add(*it));
    ASSERT_NE(reordered.layout(), schema().layout());
    Schema copy = schema();
    EXPECT_EQ(copy.layout(), schema().layout());
    EXPECT_EQ(schema().slot("tags"), 2);
    EXPECT_EQ(schema().slot("nope"), -1);

    auto rule = Expr::from_json(
        R"({"and": [{"eq": [{"field": "city"}, "تهران"]}, {"contains": [{"field": "tags"}, "vip"]},
                    {"gt": [{"field": "n"}, 3]}]})",
        schema());
    ASSERT_TRUE(rule) << rule.error().what();
    auto m = crm::expr::Matcher::make(rule.value(), Context{kNow, "Asia/Tehran"}).value();
    for (const Schema* s : std::vector<const Schema*>{&schema(), &reordered}) {
        crm::expr::RowRecord r(*s);
        ASSERT_TRUE(r.set("city", std::string("تهران")));
        ASSERT_TRUE(r.set("tags", List{"VIP", "b2b"}));
        ASSERT_TRUE(r.set("n", std::int64_t{4}));
        EXPECT_TRUE(m.matches(r)) << (s == &schema() ? "same layout" : "other layout");
        ASSERT_TRUE(r.set("n", std::int64_t{3}));
        EXPECT_FALSE(m.matches(r));
        auto bad = r.set("nope", std::int64_t{1});
        ASSERT_FALSE(bad);
        EXPECT_EQ(bad.error().field, "field");
        EXPECT_TRUE(std::holds_alternative<std::monostate>(r.get("wallet")));
    }
}

}  // namespace
