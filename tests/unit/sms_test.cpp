// tests/unit/sms_test.cpp - an SMS's encoding and parts at each boundary
// (GSM-7 160/153 with two-septet characters, UCS-2 70/67 with surrogate
// pairs), Persian texts, and templates filled in.
#include <gtest/gtest.h>

#include <string>

#include "crm/core/sms.hpp"

namespace crm::sms {
namespace {

std::string times(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
}

Parts parts(const std::string& text) {
    auto p = count_parts(text);
    EXPECT_TRUE(p) << p.error().message;
    return p ? p.value() : Parts{};
}

TEST(Sms, LatinTextIsGsm7With160And153) {
    Parts p = parts("Hello");
    EXPECT_EQ(p.encoding, Encoding::gsm7);
    EXPECT_EQ(p.units, 5);
    EXPECT_EQ(p.parts, 1);
    EXPECT_EQ(p.remaining, 155);
    EXPECT_EQ(parts(times("a", 160)).parts, 1);
    p = parts(times("a", 161));
    EXPECT_EQ(p.parts, 2);
    EXPECT_EQ(p.per_part, 153);
    EXPECT_EQ(p.remaining, 153 - 8);
    EXPECT_EQ(parts(times("a", 306)).parts, 2);
    EXPECT_EQ(parts(times("a", 307)).parts, 3);
}

TEST(Sms, ExtensionCharactersTakeTwoSeptetsAndAreNotSplit) {
    Parts p = parts(times("€", 80));
    EXPECT_EQ(p.encoding, Encoding::gsm7);
    EXPECT_EQ(p.characters, 80);
    EXPECT_EQ(p.units, 160);
    EXPECT_EQ(p.parts, 1);
    // 81 of them: 76 fill the first part (152 septets); the 77th would
    // straddle it and starts the second.
    p = parts(times("€", 81));
    EXPECT_EQ(p.parts, 2);
    EXPECT_EQ(p.remaining, 153 - 10);
    p = parts(times("a", 152) + "[" + times("a", 10));
    EXPECT_EQ(p.units, 164);
    EXPECT_EQ(p.remaining, 153 - 12);
    EXPECT_EQ(parts("{price} ~ 5 €").encoding, Encoding::gsm7);
}

TEST(Sms, PersianTextIsUcs2With70And67) {
    Parts p = parts("سلام");
    EXPECT_EQ(p.encoding, Encoding::ucs2);
    EXPECT_EQ(p.units, 4);
    EXPECT_EQ(p.remaining, 66);
    EXPECT_EQ(parts(times("س", 70)).parts, 1);
    p = parts(times("س", 71));
    EXPECT_EQ(p.parts, 2);
    EXPECT_EQ(p.per_part, 67);
    EXPECT_EQ(p.remaining, 67 - 4);
    // One Persian letter in a Latin text makes the whole message UCS-2.
    EXPECT_EQ(parts(times("a", 69) + "ی").parts, 1);
    EXPECT_EQ(parts(times("a", 70) + "ی").parts, 2);
    // A character outside the BMP is a surrogate pair, kept whole.
    p = parts(times("😀", 35));
    EXPECT_EQ(p.units, 70);
    EXPECT_EQ(p.parts, 1);
    p = parts(times("😀", 36));
    EXPECT_EQ(p.parts, 2);
    EXPECT_EQ(p.remaining, 67 - 6);  // 33 pairs fill 66 of the first part
}

TEST(Sms, EmptyAndBadTexts) {
    EXPECT_EQ(parts("").parts, 0);
    EXPECT_EQ(count_parts("\xff", "message").error().field, "message");
    EXPECT_NE(count_parts(times("س", 67 * 255 + 1)).error().message.find("256 parts"), std::string::npos);
    EXPECT_TRUE(count_parts(times("س", 67 * 255)));
    EXPECT_EQ(count_parts(std::string(kMaxTextBytes + 1, 'a')).error().code, errc::invalid_argument);
    EXPECT_STREQ(to_string(Encoding::ucs2), "ucs2");
}

TEST(Sms, TemplatesAreFilledPerRecipient) {
    const std::map<std::string, std::string> f = {{"first_name", "مریم"}, {"greeting", "سرکار خانم"}};
    EXPECT_EQ(render("{greeting} {first_name}، سلام", f).value(), "سرکار خانم مریم، سلام");
    EXPECT_EQ(render("{{first_name}} is {first_name}", f).value(), "{first_name} is مریم");
    EXPECT_EQ(render("no fields", {}).value(), "no fields");
    auto unknown = render("{city} عزیز", f, "campaign.message");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().field, "campaign.message");
    EXPECT_NE(unknown.error().message.find("{city}"), std::string::npos);
    EXPECT_FALSE(render("{first_name", f));
    EXPECT_FALSE(render("a } b", f));
    EXPECT_FALSE(render("{First Name}", f));
}

}  // namespace
}  // namespace crm::sms
