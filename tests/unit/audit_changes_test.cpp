// tests/unit/audit_changes_test.cpp - the stored text of an audit entry's
// changes: a creation as one object, anything else as the list, both read
// back byte for byte; malformed texts refused as storage errors.
#include "audit/store/changes.hpp"

#include <gtest/gtest.h>

using namespace crm;
using namespace crm::audit_text;

namespace {

std::vector<FieldChange> round_trip(const std::vector<FieldChange>& in) {
    auto out = decode_changes(encode_changes(in), "t");
    EXPECT_TRUE(out) << (out ? "" : out.error().what());
    return out ? out.value() : std::vector<FieldChange>{};
}

bool same(const std::vector<FieldChange>& a, const std::vector<FieldChange>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].field != b[i].field || a[i].before != b[i].before || a[i].after != b[i].after)
            return false;
    return true;
}

}  // namespace

TEST(AuditChanges, ACreationIsOneObjectOfItsValuesAndReadsBackByteForByte) {
    const std::vector<FieldChange> created{
        {"id", "null", "\"01a24f44-419a-707a-bff1-adbea90c5458\""},
        {"display_name", "null", "\"مژگان علی عسگری\""},
        {"contacts", "null",
         R"([{"kind":"email","value":"a\"b@x.ir","consents":[]},{"n":-1.5e3,"t":true}])"},
        {"version", "null", "1"},
        {"tags", "null", "[]"},
        {"custom", "null", "{}"},
    };
    const std::string text = encode_changes(created);
    EXPECT_EQ(text.substr(0, 7), "{\"id\":\"");
    EXPECT_NE(text.find(R"("version":1,)"), std::string::npos) << text;
    EXPECT_TRUE(same(round_trip(created), created));
}

TEST(AuditChanges, TheObjectFormIsSmallerThanTheList) {
    std::vector<FieldChange> created;
    for (const char* f : {"a", "b", "c", "d"})
        created.push_back({f, "null", "\"" + std::string(f) + " value\""});
    std::vector<FieldChange> updated = created;
    updated[0].before = "\"old\"";
    EXPECT_EQ(encode_changes(updated).front(), '[');
    EXPECT_LT(encode_changes(created).size() * 3, encode_changes(updated).size() * 2);
}

TEST(AuditChanges, AnythingButACreationOfJsonValuesKeepsTheListForm) {
    const std::vector<std::vector<FieldChange>> lists{
        {{"stage", "\"qualify\"", "\"develop\""}},
        {{"x", "null", "not json"}},
        {{"x", "null", " 1"}},
        {{"x", "null", "1 "}},
        {{"x", "null", "[1,"}},
        {{"x", "null", ""}},
        {{"x", "null", "1"}, {"y", "2", "3"}},
    };
    for (const auto& list : lists) {
        EXPECT_EQ(encode_changes(list).front(), '[') << list[0].after;
        EXPECT_TRUE(same(round_trip(list), list)) << list[0].after;
    }
    EXPECT_EQ(encode_changes({}), "[]");
    EXPECT_TRUE(round_trip({}).empty());
}

TEST(AuditChanges, ObjectsWrittenByHandOrWithEscapedNamesRead) {
    auto r = decode_changes(" { \"a\\u0062\" : [ 1 , {\"k\" : null} ] , \"c\":\"x\" } ", "t");
    ASSERT_TRUE(r) << r.error().what();
    ASSERT_EQ(r.value().size(), 2u);
    EXPECT_EQ(r.value()[0].field, "ab");
    EXPECT_EQ(r.value()[0].before, "null");
    EXPECT_EQ(r.value()[0].after, "[ 1 , {\"k\" : null} ]");
    EXPECT_EQ(r.value()[1].after, "\"x\"");
    EXPECT_TRUE(decode_changes("{}", "t").value().empty());
}

TEST(AuditChanges, MalformedStoredTextsAreStorageErrors) {
    for (const char* bad : {"{", "{\"a\":}", "{\"a\":1", "{\"a\":1} x", "{1:2}", "{\"a\" 1}",
                            "{\"a\":1,}", "{\"a\":tru}", "{\"a\":01}", "{\"a\":\"\\x\"}",
                            "[{\"field\":1}]", "\"x\"", "[1,"}) {
        auto r = decode_changes(bad, "audit.changes");
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, errc::storage) << bad;
        EXPECT_NE(r.error().message.find("audit.changes"), std::string::npos) << bad;
    }
}

TEST(AuditChanges, JsonValueLengthMeasuresOneWellFormedValue) {
    EXPECT_EQ(json_value_length("null"), 4u);
    EXPECT_EQ(json_value_length("-0.5e+10,"), 8u);
    EXPECT_EQ(json_value_length("\"a\\\"b\\u00e9\""), 12u);
    EXPECT_EQ(json_value_length("[1, {\"a\": [true, false]}]x"), 25u);
    for (const char* bad : {"", " 1", "-", "1.", "1e", "[1 2]", "{\"a\"}", "\"\x01\"", "nul",
                            "\"\\u12\"", "+1"})
        EXPECT_EQ(json_value_length(bad), 0u) << bad;
    EXPECT_EQ(json_value_length(std::string(128, '[') + std::string(128, ']')), 256u);
    EXPECT_EQ(json_value_length(std::string(129, '[') + std::string(129, ']')), 0u);
}
