// tests/unit/id_time_test.cpp - UUIDv7 ids and ISO 8601 time.
#include <gtest/gtest.h>

#include <set>

#include "crm/core/id.hpp"
#include "crm/core/limits.hpp"
#include "crm/core/time.hpp"

namespace {

TEST(Id, V7IdsAreOrderedUniqueAndCarryTheirTime) {
    crm::IdGenerator gen;
    const crm::Timestamp t{1'700'000'000'123};
    std::set<crm::Id> seen;
    crm::Id last;
    for (int i = 0; i < 10000; ++i) {
        crm::Id id = gen.next(t);  // the same millisecond every time
        EXPECT_LT(last, id);
        last = id;
        seen.insert(id);
    }
    EXPECT_EQ(seen.size(), 10000u);
    EXPECT_GE(last.unix_ms(), t.ms);
    EXPECT_EQ(last.str()[14], '7') << "version nibble";
    EXPECT_LT(last, gen.next(crm::Timestamp{t.ms - 5000})) << "a clock stepping back never reorders ids";
}

TEST(Id, TextRoundTripsAndBadTextNamesTheField) {
    crm::IdGenerator gen;
    const crm::Id id = gen.next(crm::Timestamp{1});
    EXPECT_EQ(crm::Id::parse(id.str()).value(), id);
    std::string upper = id.str();
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(crm::Id::parse(upper).value(), id);
    EXPECT_EQ(crm::Id::parse("nope", "party").error().field, "party");
    EXPECT_FALSE(crm::Id::parse("0190000000-00-7000-8000-000000000000"));
    EXPECT_FALSE(crm::Id::parse("01900000-0000-7000-8000-00000000000g"));
    EXPECT_TRUE(crm::Id{}.is_nil());
}

TEST(Time, ParsesIso8601Forms) {
    EXPECT_EQ(crm::parse_iso8601("1970-01-01").value().ms, 0);
    EXPECT_EQ(crm::parse_iso8601("2024-03-20T10:15:00Z").value().ms, 1710929700000);
    EXPECT_EQ(crm::parse_iso8601("2024-03-20 13:45:00+03:30").value().ms, 1710929700000);
    EXPECT_EQ(crm::parse_iso8601("2024-03-20T10:15:00.5Z").value().ms, 1710929700500);
    EXPECT_EQ(crm::parse_iso8601("۲۰۲۴-۰۳-۲۰").value().ms, 1710892800000);
    EXPECT_EQ(crm::parse_iso8601("2024-02-29").value().ms, 1709164800000);
    // A year below 1700 is Jalali: 1403-12-30 (a leap day) is 2025-03-20.
    EXPECT_EQ(crm::parse_iso8601("1403-12-30").value().ms, crm::parse_iso8601("2025-03-20").value().ms);
    EXPECT_EQ(crm::parse_iso8601("1402/03/25").value().ms, crm::parse_iso8601("2023-06-15").value().ms);
    EXPECT_EQ(crm::parse_iso8601("1404-03-01T09:30:00+03:30").value().ms,
              crm::parse_iso8601("2025-05-22T06:00:00Z").value().ms);
    for (const char* bad : {"2023-02-29", "2024-13-01", "1402-12-30", "0999-01-01", "2024/03-20",
                            "2024-03-20T25:00", "", "2024-03-20Tx"}) {
        auto r = crm::parse_iso8601(bad, "created_at");
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, crm::errc::parse);
        EXPECT_EQ(r.error().field, "created_at");
    }
}

TEST(Time, FormatsAndRoundTrips) {
    EXPECT_EQ(crm::to_iso8601(crm::Timestamp{1710929700000}), "2024-03-20T10:15:00Z");
    EXPECT_EQ(crm::to_iso8601(crm::Timestamp{1710929700007}), "2024-03-20T10:15:00.007Z");
    EXPECT_EQ(crm::to_iso8601(crm::Timestamp{-1}), "1969-12-31T23:59:59.999Z");
    for (std::int64_t ms : {0LL, 951782400000LL, 4102444800000LL, -86400000LL})
        EXPECT_EQ(crm::parse_iso8601(crm::to_iso8601(crm::Timestamp{ms})).value().ms, ms);
    EXPECT_EQ(crm::to_iso8601(crm::Timestamp{253402300799999}), "9999-12-31T23:59:59.999Z");
    EXPECT_EQ(crm::to_iso8601(crm::Timestamp{-62135596800000}), "0001-01-01T00:00:00Z");
    // Any instant the library keeps (limits::earliest_ms .. latest_ms, the
    // years 1700..9999) survives the round trip through its text.
    std::uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 20000; ++i) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const std::int64_t ms = crm::limits::earliest_ms +
                                static_cast<std::int64_t>(
                                    x % static_cast<std::uint64_t>(crm::limits::latest_ms -
                                                                   crm::limits::earliest_ms + 1));
        const std::string text = crm::to_iso8601(crm::Timestamp{ms});
        ASSERT_EQ(crm::parse_iso8601(text).value().ms, ms) << text;
    }
}

TEST(Time, ManualClockMovesOnlyWhenTold) {
    crm::ManualClock clock(crm::Timestamp{1000});
    EXPECT_EQ(clock.now().ms, 1000);
    clock.advance(500);
    EXPECT_EQ(clock.now().ms, 1500);
    clock.set(crm::Timestamp{7});
    EXPECT_EQ(clock.now().ms, 7);
}

}  // namespace
