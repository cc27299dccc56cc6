// src/sales/quote_math.cpp - the exact arithmetic of quote lines: decimal
// quantities and percents read into fixed point, and every derived amount
// rounded once, half away from zero, in 128-bit intermediates.
#include <string>

#include "crm/core/text.hpp"
#include "crm/sales/quote.hpp"
#include "sales/work.hpp"

namespace crm {
namespace {

constexpr std::int64_t kMaxMinor = 90'000'000'000'000'000;  // as opportunity amounts
constexpr std::int64_t kMaxQuantityMilli = 1'000'000'000'000;  // a billion units

// "12.5" with at most `decimals` fraction digits, as an integer scaled by
// 10^decimals; ASCII or Persian/Arabic digits, '.' or the Persian '٫'.
result<std::int64_t> parse_fixed(std::string_view in, int decimals, std::int64_t max,
                                 std::string_view field) {
    std::string t = text::ascii_digits(text::tidy(in));
    for (std::string::size_type p; (p = t.find("\xd9\xab")) != std::string::npos;)
        t.replace(p, 2, ".");  // U+066B ARABIC DECIMAL SEPARATOR
    if (t.empty()) return fail(errc::invalid_argument, "is empty", std::string(field));
    if (t[0] == '-') return fail(errc::invalid_argument, "must not be negative", std::string(field));
    std::int64_t whole = 0, frac = 0;
    int frac_digits = -1;  // -1: before the point
    for (char c : t) {
        if (c == '.' && frac_digits < 0) {
            frac_digits = 0;
            continue;
        }
        if (c < '0' || c > '9')
            return fail(errc::invalid_argument, "'" + t.substr(0, 32) + "' is not a decimal number",
                        std::string(field));
        if (frac_digits >= 0) {
            if (++frac_digits > decimals)
                return fail(errc::invalid_argument,
                            "has more than " + std::to_string(decimals) + " decimals",
                            std::string(field));
            frac = frac * 10 + (c - '0');
        } else {
            whole = whole * 10 + (c - '0');
            if (whole > max) return fail(errc::invalid_argument, "is too large", std::string(field));
        }
    }
    if (frac_digits == 0)
        return fail(errc::invalid_argument, "'" + t.substr(0, 32) + "' is not a decimal number",
                    std::string(field));
    for (int i = frac_digits < 0 ? 0 : frac_digits; i < decimals; ++i) frac *= 10;
    std::int64_t scale = 1;
    for (int i = 0; i < decimals; ++i) scale *= 10;
    const __int128 v = static_cast<__int128>(whole) * scale + frac;
    if (v > max) return fail(errc::invalid_argument, "is too large", std::string(field));
    return static_cast<std::int64_t>(v);
}

// round(n / d), half away from zero, for n >= 0 and d > 0.
__int128 round_div(__int128 n, __int128 d) { return (n + d / 2) / d; }

result<std::int64_t> fits(__int128 v, const std::string& field) {
    if (v > kMaxMinor)
        return fail(errc::invalid_argument, "the amount exceeds 9e16 minor units", field);
    return static_cast<std::int64_t>(v);
}

}  // namespace

result<std::int64_t> parse_quantity(std::string_view text, std::string_view field) {
    CRM_TRY(q, parse_fixed(text, 3, kMaxQuantityMilli, field));
    if (q == 0) return fail(errc::invalid_argument, "must be more than 0", std::string(field));
    return q;
}

namespace sales {
result<int> parse_percent_bp(std::string_view text, std::string_view field) {
    CRM_TRY(bp, parse_fixed(text, 2, 10'000, field));
    return static_cast<int>(bp);
}
}  // namespace sales

result<void> compute_totals(Quote& q) {
    std::vector<QuoteLine> lines = q.lines;
    __int128 subtotal = 0, discount = 0, tax = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        QuoteLine& l = lines[i];
        const std::string at = "lines[" + std::to_string(i) + "].";
        if (l.unit_price.currency != q.currency)
            return fail(errc::invalid_argument,
                        "is in " + l.unit_price.currency + ", the quote in " + q.currency +
                            "; one quote has one currency",
                        at + "unit_price");
        if (l.unit_price.minor < 0 || l.unit_price.minor > kMaxMinor)
            return fail(errc::invalid_argument, "must be from 0 to 9e16 minor units",
                        at + "unit_price");
        if (l.quantity_milli <= 0 || l.quantity_milli > kMaxQuantityMilli)
            return fail(errc::invalid_argument, "must be more than 0 and at most 1e9", at + "quantity");
        if (l.discount_bp < 0 || l.discount_bp > 10'000)
            return fail(errc::invalid_argument, "must be from 0 to 100", at + "discount_percent");
        if (l.tax_rate_bp < 0 || l.tax_rate_bp > 10'000)
            return fail(errc::invalid_argument, "must be from 0 to 100%", at + "tax_category");
        CRM_TRY(sub, fits(round_div(static_cast<__int128>(l.quantity_milli) * l.unit_price.minor,
                                    1000),
                          at + "quantity"));
        std::int64_t off = 0;
        if (l.discount_amount) {
            if (l.discount_bp != 0)
                return fail(errc::invalid_argument, "give a percent or an amount, not both",
                            at + "discount_amount");
            if (l.discount_amount->currency != q.currency)
                return fail(errc::invalid_argument,
                            "is in " + l.discount_amount->currency + ", the quote in " + q.currency +
                                "; one quote has one currency",
                            at + "discount_amount");
            if (l.discount_amount->minor < 0)
                return fail(errc::invalid_argument, "must not be negative", at + "discount_amount");
            if (l.discount_amount->minor > sub)
                return fail(errc::invalid_argument, "is more than the line's subtotal",
                            at + "discount_amount");
            off = l.discount_amount->minor;
        } else {
            off = static_cast<std::int64_t>(round_div(static_cast<__int128>(sub) * l.discount_bp,
                                                      10'000));
        }
        l.subtotal_minor = sub;
        l.discount_minor = off;
        l.net_minor = sub - off;
        l.tax_minor = static_cast<std::int64_t>(
            round_div(static_cast<__int128>(l.net_minor) * l.tax_rate_bp, 10'000));
        CRM_TRY(total, fits(static_cast<__int128>(l.net_minor) + l.tax_minor, at + "quantity"));
        l.total_minor = total;
        subtotal += sub;
        discount += off;
        tax += l.tax_minor;
    }
    CRM_TRY(sub, fits(subtotal, "lines"));
    CRM_TRY(total, fits(subtotal - discount + tax, "lines"));
    q.lines = std::move(lines);
    q.subtotal_minor = sub;
    q.discount_minor = static_cast<std::int64_t>(discount);
    q.net_minor = static_cast<std::int64_t>(subtotal - discount);
    q.tax_minor = static_cast<std::int64_t>(tax);
    q.total_minor = total;
    return ok();
}

}  // namespace crm
