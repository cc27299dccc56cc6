// tests/unit/money_test.cpp - ISO 4217 exponents, parsing, checked sums and text.
#include "crm/core/money.hpp"

#include <gtest/gtest.h>

#include <climits>

namespace {

TEST(Money, ExponentsFollowIso4217) {
    EXPECT_EQ(crm::currency_exponent("IRR"), 2);
    EXPECT_EQ(crm::currency_exponent("JPY"), 0);
    EXPECT_EQ(crm::currency_exponent("KWD"), 3);
    EXPECT_EQ(crm::currency_exponent("irr"), -1);
    EXPECT_EQ(crm::currency_exponent("XYZ"), -1);
    EXPECT_EQ(crm::currency_exponent(""), -1);
}

TEST(Money, ParsesMajorUnitsInAnyDigits) {
    EXPECT_EQ(crm::Money::parse("12500", "IRR").value(), (crm::Money{1250000, "IRR"}));
    EXPECT_EQ(crm::Money::parse("۱۲٬۵۰۰", "IRR").has_value(), false) << "Arabic thousands sign is not a digit";
    EXPECT_EQ(crm::Money::parse("۱۲۵۰۰", "IRR").value().minor, 1250000);
    EXPECT_EQ(crm::Money::parse("1,250.5", "USD").value().minor, 125050);
    EXPECT_EQ(crm::Money::parse("-3", "JPY").value().minor, -3);
    auto too_fine = crm::Money::parse("1.234", "USD", "total");
    ASSERT_FALSE(too_fine);
    EXPECT_EQ(too_fine.error().field, "total");
    EXPECT_EQ(crm::Money::parse("99999999999999999999", "IRR").error().code, crm::errc::invalid_argument);
    EXPECT_EQ(crm::Money::parse("12a", "IRR").error().code, crm::errc::parse);
    EXPECT_EQ(crm::Money::parse("1", "XYZ").error().field, "amount.currency");
}

TEST(Money, SumsAndProductsAreChecked) {
    const crm::Money a{LLONG_MAX - 1, "IRR"};
    EXPECT_EQ(a.plus({1, "IRR"}).value().minor, LLONG_MAX);
    EXPECT_EQ(a.plus({2, "IRR"}).error().code, crm::errc::invalid_argument);
    EXPECT_EQ(a.plus({1, "USD"}).error().code, crm::errc::conflict);
    EXPECT_EQ((crm::Money{5'000'000'000'00, "IRR"}).times(3).value().minor, 15'000'000'000'00);
    EXPECT_FALSE(a.times(2));
}

TEST(Money, TextShowsTheMinorDigits) {
    EXPECT_EQ((crm::Money{1250000, "IRR"}).str(), "12500.00 IRR");
    EXPECT_EQ((crm::Money{5, "USD"}).str(), "0.05 USD");
    EXPECT_EQ((crm::Money{-1205, "KWD"}).str(), "-1.205 KWD");
    EXPECT_EQ((crm::Money{42, "JPY"}).str(), "42 JPY");
    EXPECT_EQ((crm::Money{LLONG_MIN, "JPY"}).str(), "-9223372036854775808 JPY");
    // The text reads back through parse.
    EXPECT_EQ(crm::Money::parse("-1.205", "KWD").value().minor, -1205);
}

}  // namespace
