// tests/unit/bank_test.cpp - Sheba numbers, bank card numbers and postal
// codes: their checks (each computed independently below), their banks,
// the forms people write them in, and errors naming the field.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "crm/core/bank.hpp"

namespace crm::bank {
namespace {

// The two check digits that make "IR" + kk + bban valid, computed with
// plain long division over the rearranged number (ISO 13616).
std::string with_check(const std::string& bban22) {
    const std::string moved = bban22 + "1827" + "00";  // I = 18, R = 27, check digits 00
    int r = 0;
    for (char c : moved) r = (r * 10 + (c - '0')) % 97;
    const int check = 98 - r;
    return std::string("IR") + static_cast<char>('0' + check / 10) + static_cast<char>('0' + check % 10) + bban22;
}

// The last digit that makes 15 digits a valid card number (Luhn).
std::string luhn_complete(const std::string& first15) {
    for (char last = '0'; last <= '9'; ++last) {
        const std::string d = first15 + last;
        int sum = 0;
        for (int i = 0; i < 16; ++i) {
            int v = d[15 - i] - '0';
            if (i % 2) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
            sum += v;
        }
        if (sum % 10 == 0) return d;
    }
    return "";
}

TEST(Sheba, ValidNumbersInEveryWrittenForm) {
    auto s = parse_sheba("IR820540102680020817909002");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s.value().value, "IR820540102680020817909002");
    EXPECT_EQ(s.value().formatted, "IR82 0540 1026 8002 0817 9090 02");
    EXPECT_EQ(s.value().bank_code, "054");
    ASSERT_TRUE(s.value().bank);
    EXPECT_EQ(s.value().bank->name_fa, "بانک پارسیان");
    EXPECT_EQ(s.value().bank->name_en, "Parsian Bank");
    EXPECT_EQ(s.value().account, "102680020817909002");  // the 19 digits after 054, unpadded
    // Spaces, lower case, Persian digits, no IR at all.
    for (const char* written : {"ir82 0540 1026 8002 0817 9090 02", "IR۸۲۰۵۴۰۱۰۲۶۸۰۰۲۰۸۱۷۹۰۹۰۰۲",
                                "820540102680020817909002", "IR82-0540-1026-8002-0817-9090-02"}) {
        auto again = parse_sheba(written);
        ASSERT_TRUE(again) << written << ": " << again.error().message;
        EXPECT_EQ(again.value().value, "IR820540102680020817909002") << written;
    }
    // A number made with check digits computed here, for each known bank.
    for (const char* code : {"012", "017", "018", "055", "057", "062"}) {
        const std::string n = with_check(std::string(code) + "0000001234567890123");
        auto made = parse_sheba(n);
        ASSERT_TRUE(made) << n << ": " << made.error().message;
        EXPECT_EQ(made.value().bank_code, code);
        EXPECT_EQ(made.value().account, "1234567890123");
        EXPECT_TRUE(made.value().bank.has_value()) << code;
    }
    // A valid number of a code no bank has: checked, its bank unknown.
    auto unknown = parse_sheba(with_check("0990000001234567890123"));
    ASSERT_TRUE(unknown);
    EXPECT_FALSE(unknown.value().bank.has_value());
}

TEST(Sheba, BadNumbersSayWhy) {
    auto wrong = parse_sheba("IR830540102680020817909002", "party.sheba");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().field, "party.sheba");
    EXPECT_NE(wrong.error().message.find("wrong check"), std::string::npos);
    // One digit swapped with its neighbour: the check catches it.
    EXPECT_FALSE(parse_sheba("IR820450102680020817909002"));
    EXPECT_NE(parse_sheba("IR8205401026800208179090").error().message.find("has 22 digits"), std::string::npos);
    EXPECT_NE(parse_sheba("DE89370400440532013000").error().message.find("must begin with IR"), std::string::npos);
    EXPECT_EQ(parse_sheba("IR82 0540 x026").error().field, "sheba");
    EXPECT_EQ(parse_sheba("").error().field, "sheba");
    EXPECT_EQ(parse_sheba(std::string(300, '1')).error().field, "sheba");
}

TEST(Card, LuhnAndTheIssuingBank) {
    const std::string melli = luhn_complete("603799123456789");
    auto c = parse_card(melli);
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c.value().formatted, melli.substr(0, 4) + "-" + melli.substr(4, 4) + "-" + melli.substr(8, 4) + "-" +
                                       melli.substr(12));
    ASSERT_TRUE(c.value().bank);
    EXPECT_EQ(c.value().bank->code, "017");
    EXPECT_EQ(c.value().bank->name_fa, "بانک ملی ایران");
    auto mellat = parse_card("۶۱۰۴ ۳۳" + luhn_complete("610433000000001").substr(6));
    ASSERT_TRUE(mellat) << mellat.error().message;
    EXPECT_EQ(mellat.value().bank->code, "012");
    auto foreign = parse_card(luhn_complete("411111111111111"));
    ASSERT_TRUE(foreign);
    EXPECT_FALSE(foreign.value().bank.has_value());
    std::string bad = melli;
    bad[15] = bad[15] == '9' ? '0' : static_cast<char>(bad[15] + 1);
    EXPECT_NE(parse_card(bad, "card_no").error().message.find("Luhn"), std::string::npos);
    EXPECT_EQ(parse_card(bad, "card_no").error().field, "card_no");
    EXPECT_NE(parse_card(melli.substr(0, 15)).error().message.find("has 15 digits"), std::string::npos);
}

TEST(PostalCode, TheRulesThePostGivesItsCodes) {
    EXPECT_EQ(normalize_postal_code("1619735744").value(), "1619735744");
    EXPECT_EQ(normalize_postal_code("۱۶۱۹۷-۳۵۷۴۴").value(), "1619735744");
    EXPECT_EQ(normalize_postal_code("16197 35744").value(), "1619735744");
    EXPECT_NE(normalize_postal_code("161973574").error().message.find("has 9 digits"), std::string::npos);
    EXPECT_NE(normalize_postal_code("1609735744").error().message.find("first five"), std::string::npos);
    EXPECT_NE(normalize_postal_code("1629735744").error().message.find("first five"), std::string::npos);
    EXPECT_NE(normalize_postal_code("1619535744").error().message.find("fifth"), std::string::npos);
    EXPECT_NE(normalize_postal_code("1619735724").error().message.find("last five"), std::string::npos);
    EXPECT_NE(normalize_postal_code("1111735744").error().message.find("four equal"), std::string::npos);
    EXPECT_EQ(normalize_postal_code("abc", "address.postal_code").error().field, "address.postal_code");
}

TEST(Banks, CodesAreUniqueAndNamed) {
    for (int i = 0; i < 1000; ++i) {
        char code[4];
        std::snprintf(code, sizeof code, "%03d", i);
        if (auto b = bank_of_code(code)) {
            EXPECT_EQ(b->code, code);
            EXPECT_FALSE(b->name_fa.empty());
            EXPECT_FALSE(b->name_en.empty());
        }
    }
    EXPECT_EQ(bank_of_code("017")->name_en, "Bank Melli Iran");
    EXPECT_FALSE(bank_of_code("999"));
}

}  // namespace
}  // namespace crm::bank
