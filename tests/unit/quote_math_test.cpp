// tests/unit/quote_math_test.cpp - quantities in fixed point and the one
// rounding rule of quote totals, checked against exact rational arithmetic.
#include <gtest/gtest.h>

#include <random>

#include "crm/sales/quote.hpp"

namespace crm {
namespace {

QuoteLine line(std::int64_t qty_milli, std::int64_t price, int discount_bp, int tax_bp) {
    QuoteLine l;
    l.quantity_milli = qty_milli;
    l.unit_price = Money{price, "IRR"};
    l.discount_bp = discount_bp;
    l.tax_rate_bp = tax_bp;
    return l;
}

Quote quote(std::vector<QuoteLine> lines) {
    Quote q;
    q.currency = "IRR";
    q.lines = std::move(lines);
    return q;
}

TEST(QuoteMath, QuantitiesAreReadAsFixedPoint) {
    EXPECT_EQ(parse_quantity("2.5", "q").value(), 2500);
    EXPECT_EQ(parse_quantity("۳", "q").value(), 3000);
    EXPECT_EQ(parse_quantity("۱٫۲۵", "q").value(), 1250);
    EXPECT_EQ(parse_quantity("0.001", "q").value(), 1);
    EXPECT_EQ(parse_quantity(" 7 ", "q").value(), 7000);
    for (const char* bad : {"", "0", "0.000", "-1", "1.0001", "1.", "abc", "1e3", "1,5",
                            "10000000000"}) {
        auto r = parse_quantity(bad, "lines[0].quantity");
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, errc::invalid_argument) << bad;
        EXPECT_EQ(r.error().field, "lines[0].quantity") << bad;
    }
}

TEST(QuoteMath, HalvesRoundAwayFromZeroOncePerAmount) {
    // 1.5 x 3 = 4.5 -> 5; 10% of 5 = 0.5 -> 1; 9% tax of 4 = 0.36 -> 0.
    Quote q = quote({line(1500, 3, 1000, 900)});
    ASSERT_TRUE(compute_totals(q));
    EXPECT_EQ(q.lines[0].subtotal_minor, 5);
    EXPECT_EQ(q.lines[0].discount_minor, 1);
    EXPECT_EQ(q.lines[0].net_minor, 4);
    EXPECT_EQ(q.lines[0].tax_minor, 0);
    EXPECT_EQ(q.total_minor, 4);
    // 0.4999... never rounds up: 1.499 x 1 = 1.499 -> 1.
    Quote r = quote({line(1499, 1, 0, 0)});
    ASSERT_TRUE(compute_totals(r));
    EXPECT_EQ(r.total_minor, 1);
}

TEST(QuoteMath, TotalsAreTheExactSumsOfTheLines) {
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<std::int64_t> qty(1, 5'000'000), price(0, 2'000'000'000);
    std::uniform_int_distribution<int> bp(0, 10'000);
    for (int round = 0; round < 200; ++round) {
        std::vector<QuoteLine> lines;
        for (int i = 0; i < 5; ++i) lines.push_back(line(qty(rng), price(rng), bp(rng), bp(rng)));
        Quote q = quote(lines);
        ASSERT_TRUE(compute_totals(q));
        std::int64_t total = 0;
        for (const auto& l : q.lines) {
            // round(x) = floor(x + 1/2), computed independently in 128 bits.
            const __int128 exact2 = static_cast<__int128>(l.quantity_milli) * l.unit_price.minor * 2;
            EXPECT_EQ(l.subtotal_minor, static_cast<std::int64_t>((exact2 + 1000) / 2000));
            EXPECT_EQ(l.discount_minor,
                      static_cast<std::int64_t>(
                          (static_cast<__int128>(l.subtotal_minor) * l.discount_bp * 2 + 10'000) /
                          20'000));
            EXPECT_EQ(l.net_minor, l.subtotal_minor - l.discount_minor);
            EXPECT_EQ(l.tax_minor, static_cast<std::int64_t>(
                                       (static_cast<__int128>(l.net_minor) * l.tax_rate_bp * 2 + 10'000) /
                                       20'000));
            EXPECT_EQ(l.net_minor + l.tax_minor, l.total_minor);
            total += l.total_minor;
        }
        EXPECT_EQ(q.total_minor, total);
        EXPECT_EQ(q.net_minor + q.tax_minor, q.total_minor);
        EXPECT_EQ(q.subtotal_minor - q.discount_minor, q.net_minor);
    }
}

TEST(QuoteMath, AFailureNamesTheLineAndChangesNothing) {
    Quote q = quote({line(1000, 100, 0, 0), line(1000, 100, 0, 0)});
    ASSERT_TRUE(compute_totals(q));
    const std::int64_t total = q.total_minor;
    q.lines[1].unit_price.currency = "USD";
    auto r = compute_totals(q);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "lines[1].unit_price");
    EXPECT_EQ(q.total_minor, total);
    EXPECT_EQ(q.lines[0].total_minor, 100);
    q.lines[1] = line(1'000'000'000'000, 90'000'000'000'000'000, 0, 0);
    r = compute_totals(q);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "lines[1].quantity");
    EXPECT_NE(r.error().message.find("9e16"), std::string::npos);
    // Each line fits, their sum does not.
    q.lines = {line(1000, 60'000'000'000'000'000, 0, 0), line(1000, 60'000'000'000'000'000, 0, 0)};
    r = compute_totals(q);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "lines");
}

}  // namespace
}  // namespace crm
