// src/core/amount_text.cpp - Persian digits and Persian words of numbers and
// amounts, as Iranian invoices print them.
#include "crm/core/amount_text.hpp"

#include <string>

#include "core/enum_names.hpp"

namespace crm::persian {

CRM_ENUM_NAMES(IrrUnit, parse_irr_unit, {IrrUnit::rial, "rial"}, {IrrUnit::toman, "toman"})

namespace {

constexpr const char* kOnes[] = {"", "یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه"};
constexpr const char* kTeens[] = {"ده",    "یازده", "دوازده", "سیزده", "چهارده",
                                  "پانزده", "شانزده", "هفده",  "هجده",  "نوزده"};
constexpr const char* kTens[] = {"", "", "بیست", "سی", "چهل", "پنجاه", "شصت", "هفتاد", "هشتاد", "نود"};
constexpr const char* kHundreds[] = {"", "یکصد", "دویست", "سیصد", "چهارصد", "پانصد", "ششصد", "هفتصد", "هشتصد", "نهصد"};
// 10^0 .. 10^18: each three-digit group is followed by its scale word.
constexpr const char* kScales[] = {"", "هزار", "میلیون", "میلیارد", "تریلیون", "کوادریلیون", "کوینتیلیون"};
constexpr int kGroups = sizeof kScales / sizeof kScales[0];

constexpr const char* kAnd = " و ";

// 1 .. 999 in words.
std::string below_thousand(int n) {
    std::string out;
    auto add = [&](const char* word) {
        if (!out.empty()) out += kAnd;
        out += word;
    };
    if (n >= 100) add(kHundreds[n / 100]);
    const int rest = n % 100;
    if (rest >= 10 && rest < 20) {
        add(kTeens[rest - 10]);
    } else {
        if (rest >= 20) add(kTens[rest / 10]);
        if (rest % 10) add(kOnes[rest % 10]);
    }
    return out;
}

std::string words_of(unsigned long long n) {
    if (n == 0) return "صفر";
    int groups[kGroups] = {};
    int count = 0;
    while (n > 0 && count < kGroups) {  // 2^64 has seven groups
        groups[count++] = static_cast<int>(n % 1000);
        n /= 1000;
    }
    std::string out;
    for (int k = count - 1; k >= 0; --k) {
        if (groups[k] == 0) continue;
        if (!out.empty()) out += kAnd;
        out += below_thousand(groups[k]);
        if (k > 0) out += std::string(" ") + kScales[k];
    }
    return out;
}

unsigned long long magnitude(std::int64_t n) {
    return n < 0 ? 0ULL - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n);
}

std::string grouped_ascii(unsigned long long v) {
    const std::string d = std::to_string(v);
    std::string out;
    for (std::size_t i = 0; i < d.size(); ++i) {
        out += d[i];
        if ((d.size() - 1 - i) % 3 == 0 && i + 1 < d.size()) out += ',';
    }
    return out;
}

// The Persian names of the currencies Iranian documents commonly carry.
const char* currency_name(std::string_view code) {
    struct Name {
        const char* code;
        const char* name;
    };
    static constexpr Name kNames[] = {{"IRR", "ریال"},  {"USD", "دلار"},   {"EUR", "یورو"},  {"AED", "درهم"},
                                      {"GBP", "پوند"},  {"CNY", "یوآن"},  {"TRY", "لیر"},   {"RUB", "روبل"},
                                      {"IQD", "دینار عراق"}, {"AFN", "افغانی"}, {"JPY", "ین"}, {"INR", "روپیه"}};
    for (const auto& n : kNames)
        if (code == n.code) return n.name;
    return nullptr;
}

// The fraction's name by the number of its digits.
const char* fraction_name(int digits) {
    switch (digits) {
        case 1: return "دهم";
        case 2: return "صدم";
        case 3: return "هزارم";
        default: return "ده‌هزارم";
    }
}

// |minor| of a currency with `exponent` decimals, in words and digits
// (without the sign and the unit).
AmountText unsigned_text(unsigned long long minor, int exponent) {
    unsigned long long scale = 1;
    for (int i = 0; i < exponent; ++i) scale *= 10;
    const unsigned long long whole = minor / scale, fraction = minor % scale;
    AmountText t;
    t.digits = grouped_ascii(whole);
    t.words = words_of(whole);
    if (fraction != 0) {
        std::string f = std::to_string(fraction);
        f.insert(0, static_cast<std::size_t>(exponent) - f.size(), '0');
        t.digits += "." + f;
        t.words += kAnd + words_of(fraction) + " " + fraction_name(exponent);
    }
    t.digits = persian_digits(t.digits);
    return t;
}

}  // namespace

std::string number_in_words(std::int64_t n) {
    const std::string w = words_of(magnitude(n));
    return n < 0 ? "منفی " + w : w;
}

std::string group_thousands(std::int64_t n) { return (n < 0 ? "-" : "") + grouped_ascii(magnitude(n)); }

std::string persian_digits(std::string_view ascii) {
    static const char* const kDigits[] = {"۰", "۱", "۲", "۳", "۴", "۵", "۶", "۷", "۸", "۹"};
    std::string out;
    out.reserve(ascii.size() * 2);
    for (char c : ascii) {
        if (c >= '0' && c <= '9') out += kDigits[c - '0'];
        else if (c == ',') out += "٬";
        else if (c == '.') out += "٫";
        else out += c;
    }
    return out;
}

std::string grouped_digits(std::int64_t n) { return persian_digits(group_thousands(n)); }

result<AmountText> amount_text(const Money& m, IrrUnit unit, std::string_view field) {
    if (m.minor > kMaxAmountTextMinor || m.minor < -kMaxAmountTextMinor)
        return fail(errc::invalid_argument,
                    "is beyond 10^15 minor units, the largest amount written in words", std::string(field));
    if (unit == IrrUnit::toman && m.currency != "IRR")
        return fail(errc::invalid_argument, "toman is a unit of IRR only, not of " + text::excerpt(m.currency, 8),
                    "unit");
    const int exponent = currency_exponent(m.currency);
    if (exponent < 0 || exponent > 4)
        return fail(errc::invalid_argument, "has an unknown currency", std::string(field));
    const char* name = currency_name(m.currency);
    const std::string unit_name = name ? name : m.currency;
    const unsigned long long minor = magnitude(m.minor);
    AmountText out;
    if (unit == IrrUnit::toman) {
        // A toman is ten rials: the whole tomans, then what is left in rials.
        unsigned long long per_toman = 10;  // IRR minor units in a toman
        for (int i = 0; i < exponent; ++i) per_toman *= 10;
        // Under one toman, the rials alone.
        if (minor == 0 || minor >= per_toman) {
            const AmountText tomans = unsigned_text(minor / per_toman, 0);
            out.digits = tomans.digits + " تومان";
            out.words = tomans.words + " تومان";
        }
        if (minor % per_toman != 0) {
            const AmountText rials = unsigned_text(minor % per_toman, exponent);
            const std::string joint = out.digits.empty() ? "" : kAnd;
            out.digits += joint + rials.digits + " ریال";
            out.words += joint + rials.words + " ریال";
        }
    } else {
        const AmountText t = unsigned_text(minor, exponent);
        out.digits = t.digits + " " + unit_name;
        out.words = t.words + " " + unit_name;
    }
    if (m.minor < 0) {
        out.digits = "-" + out.digits;
        out.words = "منفی " + out.words;
    }
    return out;
}

}  // namespace crm::persian
