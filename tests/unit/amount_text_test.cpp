// tests/unit/amount_text_test.cpp - Persian digits and words of amounts as
// Iranian invoices print them: the worked example, the words read back
// by a separate reader for every number to 2,000 and a spread up to int64,
// rials and tomans, other currencies, and the limits.
#include <gtest/gtest.h>

#include <climits>
#include <map>
#include <random>
#include <sstream>

#include "crm/core/amount_text.hpp"

namespace crm::persian {
namespace {

// Reads Persian number words back into a number: the sum of each group's
// words times the scale that follows it.
long double read_words(const std::string& words) {
    static const std::map<std::string, long double> kValues = {
        {"صفر", 0},     {"یک", 1},       {"دو", 2},       {"سه", 3},       {"چهار", 4},    {"پنج", 5},
        {"شش", 6},      {"هفت", 7},      {"هشت", 8},      {"نه", 9},       {"ده", 10},     {"یازده", 11},
        {"دوازده", 12}, {"سیزده", 13},   {"چهارده", 14},  {"پانزده", 15},  {"شانزده", 16}, {"هفده", 17},
        {"هجده", 18},   {"نوزده", 19},   {"بیست", 20},    {"سی", 30},      {"چهل", 40},    {"پنجاه", 50},
        {"شصت", 60},    {"هفتاد", 70},   {"هشتاد", 80},   {"نود", 90},     {"یکصد", 100},  {"دویست", 200},
        {"سیصد", 300},  {"چهارصد", 400}, {"پانصد", 500},  {"ششصد", 600},   {"هفتصد", 700}, {"هشتصد", 800},
        {"نهصد", 900}};
    static const std::map<std::string, long double> kScales = {
        {"هزار", 1e3L}, {"میلیون", 1e6L}, {"میلیارد", 1e9L}, {"تریلیون", 1e12L}, {"کوادریلیون", 1e15L},
        {"کوینتیلیون", 1e18L}};
    std::istringstream in(words);
    std::string w;
    long double total = 0, group = 0, sign = 1;
    while (in >> w) {
        if (w == "و") continue;
        if (w == "منفی") {
            sign = -1;
        } else if (auto v = kValues.find(w); v != kValues.end()) {
            group += v->second;
        } else if (auto s = kScales.find(w); s != kScales.end()) {
            total += group * s->second;
            group = 0;
        } else {
            ADD_FAILURE() << "not a number word: " << w << " in " << words;
        }
    }
    return sign * (total + group);
}

TEST(AmountText, TheInvoiceExample) {
    auto t = amount_text(Money{4'406'062'500LL * 100, "IRR"});
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t.value().digits, "۴٬۴۰۶٬۰۶۲٬۵۰۰ ریال");
    EXPECT_EQ(t.value().words,
              "چهار میلیارد و چهارصد و شش میلیون و شصت و دو هزار و پانصد ریال");
}

TEST(AmountText, WordsOfSmallNumbersAndTheirSpacing) {
    EXPECT_EQ(number_in_words(0), "صفر");
    EXPECT_EQ(number_in_words(11), "یازده");
    EXPECT_EQ(number_in_words(21), "بیست و یک");
    EXPECT_EQ(number_in_words(100), "یکصد");
    EXPECT_EQ(number_in_words(405), "چهارصد و پنج");  // one word, no space inside
    EXPECT_EQ(number_in_words(1000), "یک هزار");
    EXPECT_EQ(number_in_words(1'100), "یک هزار و یکصد");
    EXPECT_EQ(number_in_words(2'000'010), "دو میلیون و ده");
    EXPECT_EQ(number_in_words(1'000'000'000'000), "یک تریلیون");
    EXPECT_EQ(number_in_words(-7), "منفی هفت");
}

TEST(AmountText, EveryNumberReadsBack) {
    for (std::int64_t n = -50; n <= 2000; ++n) ASSERT_EQ(read_words(number_in_words(n)), n) << n;
    std::mt19937_64 rng(1404);
    for (int i = 0; i < 20000; ++i) {
        const int digits = 1 + static_cast<int>(rng() % 18);
        std::int64_t n = static_cast<std::int64_t>(rng() % 1'000'000'000'000'000'000ULL);
        for (int k = digits; k < 18; ++k) n /= 10;
        ASSERT_EQ(read_words(number_in_words(n)), static_cast<long double>(n)) << n;
    }
    EXPECT_EQ(read_words(number_in_words(LLONG_MAX)), static_cast<long double>(LLONG_MAX));
    EXPECT_EQ(read_words(number_in_words(LLONG_MIN)), static_cast<long double>(LLONG_MIN));
}

TEST(AmountText, GroupedPersianDigits) {
    EXPECT_EQ(grouped_digits(0), "۰");
    EXPECT_EQ(grouped_digits(999), "۹۹۹");
    EXPECT_EQ(grouped_digits(1000), "۱٬۰۰۰");
    EXPECT_EQ(grouped_digits(-1234567), "-۱٬۲۳۴٬۵۶۷");
}

TEST(AmountText, TomansAreTenRialsAndLeaveTheStoredAmountAlone) {
    const Money m{4'406'062'500LL * 100, "IRR"};
    auto t = amount_text(m, IrrUnit::toman).value();
    EXPECT_EQ(t.digits, "۴۴۰٬۶۰۶٬۲۵۰ تومان");
    EXPECT_EQ(t.words, "چهارصد و چهل میلیون و ششصد و شش هزار و دویست و پنجاه تومان");
    EXPECT_EQ(m.minor, 440'606'250'000);
    // A remainder under a toman is written in rials.
    t = amount_text(Money{4'406'062'505LL * 100, "IRR"}, IrrUnit::toman).value();
    EXPECT_EQ(t.digits, "۴۴۰٬۶۰۶٬۲۵۰ تومان و ۵ ریال");
    EXPECT_EQ(t.words, "چهارصد و چهل میلیون و ششصد و شش هزار و دویست و پنجاه تومان و پنج ریال");
    t = amount_text(Money{0, "IRR"}, IrrUnit::toman).value();
    EXPECT_EQ(t.words, "صفر تومان");
    EXPECT_EQ(amount_text(Money{-500, "IRR"}, IrrUnit::toman).value().words, "منفی پنج ریال");
}

TEST(AmountText, OtherCurrenciesAndFractions) {
    auto t = amount_text(Money{1250, "USD"}).value();
    EXPECT_EQ(t.digits, "۱۲٫۵۰ دلار");
    EXPECT_EQ(t.words, "دوازده و پنجاه صدم دلار");
    t = amount_text(Money{5, "KWD"}).value();  // three decimals, no Persian name
    EXPECT_EQ(t.digits, "۰٫۰۰۵ KWD");
    EXPECT_EQ(t.words, "صفر و پنج هزارم KWD");
    EXPECT_EQ(amount_text(Money{-100, "IRR"}).value().words, "منفی یک ریال");
    EXPECT_EQ(amount_text(Money{150, "IRR"}).value().digits, "۱٫۵۰ ریال");
}

TEST(AmountText, LimitsAndUnitsNameTheField) {
    EXPECT_TRUE(amount_text(Money{kMaxAmountTextMinor, "IRR"}));
    EXPECT_EQ(amount_text(Money{kMaxAmountTextMinor, "IRR"}).value().words, "ده تریلیون ریال");
    auto big = amount_text(Money{kMaxAmountTextMinor + 1, "IRR"}, IrrUnit::rial, "total");
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code, errc::invalid_argument);
    EXPECT_EQ(big.error().field, "total");
    EXPECT_EQ(amount_text(Money{-kMaxAmountTextMinor - 1, "IRR"}).error().field, "amount");
    EXPECT_EQ(amount_text(Money{100, "USD"}, IrrUnit::toman).error().field, "unit");
    EXPECT_EQ(parse_irr_unit("toman").value(), IrrUnit::toman);
    EXPECT_EQ(parse_irr_unit("tomans").error().field, "unit");
    EXPECT_STREQ(to_string(IrrUnit::rial), "rial");
}

}  // namespace
}  // namespace crm::persian
