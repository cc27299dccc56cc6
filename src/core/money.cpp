// src/core/money.cpp - ISO 4217 exponents and checked money arithmetic.
#include "crm/core/money.hpp"

#include <algorithm>
#include <array>

#include "crm/core/text.hpp"

namespace crm {
namespace {
struct CurrencyRow {
    char code[4];
    int exponent;
};
// ISO 4217 active codes with their minor-unit exponents (sorted by code).
constexpr CurrencyRow kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
    {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CRC", 2},
    {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2},
    {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2},
    {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2},
    {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2},
    {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0},
    {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2},
    {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2},
    {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2},
    {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2},
    {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2},
    {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
    {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SYP", 2}, {"SZL", 2},
    {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2},
    {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYU", 2}, {"UZS", 2}, {"VES", 2}, {"VND", 0},
    {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2},
    {"ZMW", 2}, {"ZWL", 2},
};
}  // namespace

int currency_exponent(std::string_view code) noexcept {
    if (code.size() != 3) return -1;
    auto it = std::lower_bound(std::begin(kCurrencies), std::end(kCurrencies), code,
                               [](const CurrencyRow& r, std::string_view c) { return c > r.code; });
    if (it == std::end(kCurrencies) || code != it->code) return -1;
    return it->exponent;
}

result<Money> Money::of(std::int64_t minor, std::string_view currency, std::string_view field) {
    if (currency_exponent(currency) < 0)
        return fail(errc::invalid_argument,
                    "unknown ISO 4217 currency code '" + std::string(currency.substr(0, 16)) + "'",
                    std::string(field) + ".currency");
    return Money{minor, std::string(currency)};
}

result<Money> Money::parse(std::string_view amount, std::string_view currency,
                           std::string_view field) {
    const int exp = currency_exponent(currency);
    if (exp < 0) return Money::of(0, currency, field);
    const std::string s = text::ascii_digits(amount);
    std::size_t p = 0;
    while (p < s.size() && s[p] == ' ') ++p;
    bool negative = false;
    if (p < s.size() && (s[p] == '-' || s[p] == '+')) negative = s[p++] == '-';
    std::int64_t v = 0;
    int frac_digits = -1;
    bool any = false;
    for (; p < s.size(); ++p) {
        const char c = s[p];
        if (c == ',' || c == '_' || c == '\'' ) continue;  // thousands separators
        if (c == '.' && frac_digits < 0) {
            frac_digits = 0;
            continue;
        }
        if (c == ' ') break;
        if (c < '0' || c > '9')
            return fail(errc::parse, "is not a decimal amount", std::string(field));
        if (frac_digits >= 0 && ++frac_digits > exp)
            return fail(errc::invalid_argument,
                        "has more decimals than " + std::string(currency) + " allows (" +
                            std::to_string(exp) + ")",
                        std::string(field));
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v))
            return fail(errc::invalid_argument, "is too large", std::string(field));
        any = true;
    }
    while (p < s.size() && s[p] == ' ') ++p;
    if (!any || p != s.size())
        return fail(errc::parse, "is not a decimal amount", std::string(field));
    for (int i = std::max(frac_digits, 0); i < exp; ++i)
        if (__builtin_mul_overflow(v, 10, &v))
            return fail(errc::invalid_argument, "is too large", std::string(field));
    return Money{negative ? -v : v, std::string(currency)};
}

result<Money> Money::plus(const Money& other) const {
    if (currency != other.currency)
        return fail(errc::conflict, "cannot add " + other.currency + " to " + currency, "currency");
    Money r{0, currency};
    if (__builtin_add_overflow(minor, other.minor, &r.minor))
        return fail(errc::invalid_argument, "sum overflows 64 bits", "amount");
    return r;
}

result<Money> Money::times(std::int64_t factor) const {
    Money r{0, currency};
    if (__builtin_mul_overflow(minor, factor, &r.minor))
        return fail(errc::invalid_argument, "product overflows 64 bits", "amount");
    return r;
}

std::string Money::str() const {
    const int exp = std::max(currency_exponent(currency), 0);
    std::int64_t scale = 1;
    for (int i = 0; i < exp; ++i) scale *= 10;
    // Work in unsigned to print INT64_MIN correctly.
    const bool neg = minor < 0;
    const std::uint64_t abs = neg ? 0 - static_cast<std::uint64_t>(minor) : minor;
    std::string out = neg ? "-" : "";
    out += std::to_string(abs / static_cast<std::uint64_t>(scale));
    if (exp > 0) {
        // The fraction, zero-padded to the exponent's width: digits from
        // the right, so no width arithmetic can underflow.
        char frac[8] = {'0', '0', '0', '0', '0', '0', '0', '0'};
        std::uint64_t rest = abs % static_cast<std::uint64_t>(scale);
        for (int i = exp - 1; i >= 0; --i, rest /= 10) frac[i] = static_cast<char>('0' + rest % 10);
        out.push_back('.');
        out.append(frac, static_cast<std::size_t>(exp));
    }
    out.push_back(' ');
    out += currency;
    return out;
}

}  // namespace crm
