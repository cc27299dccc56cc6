// tests/unit/json_check_test.cpp - crm::json::check: JSON text held to the
// library's limits, for hosts that read a document themselves.
#include "crm/core/json.hpp"

#include <gtest/gtest.h>

#include <string>

#include "crm/core/limits.hpp"

namespace {

using crm::errc;

std::string nested(std::size_t levels) {
    return std::string(levels, '[') + std::string(levels, ']');
}

TEST(JsonCheck, AcceptsWhatTheLibraryReads) {
    EXPECT_TRUE(crm::json::check(R"({"name": "سارا", "tags": ["vip", 1, 2.5, null, true]})"));
    EXPECT_TRUE(crm::json::check(nested(crm::limits::json_depth)));
}

TEST(JsonCheck, RefusesWhatTheLibraryRefusesNamingWhy) {
    const auto deep = crm::json::check(nested(crm::limits::json_depth + 1), "segment");
    ASSERT_FALSE(deep);
    EXPECT_EQ(deep.error().code, errc::invalid_argument);
    EXPECT_EQ(deep.error().field, "segment");
    EXPECT_NE(deep.error().message.find("deeper than 128"), std::string::npos) << deep.error().message;

    const auto twice = crm::json::check(R"({"a": {"b": 1, "b": 2}})", "segment");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().code, errc::invalid_argument);
    EXPECT_EQ(twice.error().field, "segment.a.b");

    const auto broken = crm::json::check(R"({"a": )", "file");
    ASSERT_FALSE(broken);
    EXPECT_EQ(broken.error().code, errc::parse);
    EXPECT_EQ(broken.error().field, "file");

    const auto bad_utf8 = crm::json::check("\"\xff\"", "file");
    ASSERT_FALSE(bad_utf8);
    EXPECT_EQ(bad_utf8.error().code, errc::parse);
}

// 64 MiB of '[' stops at the 129th: the check's memory does not grow with
// the text beyond the limit (under AddressSanitizer, a tree of 67 million
// levels would not fit the run).
TEST(JsonCheck, StopsAtTheFirstExcessOfAHugeDocument) {
    const std::string huge(crm::limits::request_bytes, '[');
    const auto r = crm::json::check(huge, "file");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_argument);
    EXPECT_NE(r.error().message.find("deeper than"), std::string::npos) << r.error().message;
    const auto over = crm::json::check(std::string(crm::limits::request_bytes + 1, ' '), "file");
    ASSERT_FALSE(over);
    EXPECT_EQ(over.error().code, errc::invalid_argument);
}

}  // namespace
