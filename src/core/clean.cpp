// src/core/clean.cpp - field cleaning shared by every context's writes.
#include "core/clean.hpp"

#include <charconv>

#include <algorithm>

#include "crm/core/calendar.hpp"
#include "crm/core/text.hpp"

namespace crm {

result<std::string> clean_text(const std::string& s, const char* field, std::size_t max) {
    CRM_TRYV(text::check(s, field, max));
    return text::tidy(s);
}

// A date by the one rule of parse_iso8601 (a year below 1700 is Jalali),
// with the one-digit month and day people write ("1403/1/5") padded first.
// Answers the Gregorian date, or "" for empty input; invalid_argument
// naming `field` otherwise.
result<std::string> clean_date(const std::string& s, std::string_view field) {
    std::string t = text::ascii_digits(text::tidy(s));
    if (t.empty()) return std::string();
    std::replace(t.begin(), t.end(), '/', '-');
    if (const auto a = t.find('-'), b = t.find('-', a + 1);
        a != std::string::npos && b != std::string::npos && t.find_first_of("T ") == std::string::npos) {
        const auto pad = [](std::string part) { return part.size() == 1 ? "0" + part : part; };
        t = t.substr(0, a) + "-" + pad(t.substr(a + 1, b - a - 1)) + "-" + pad(t.substr(b + 1));
    }
    auto parsed = parse_iso8601(t, field);
    if (!parsed || parsed.value().ms % kMsPerDay != 0)
        return fail(errc::invalid_argument,
                    (parsed ? std::string("is not a date") : parsed.error().message) +
                        " (YYYY-MM-DD; a year below 1700 is Jalali)",
                    std::string(field));
    return to_iso8601(parsed.value()).substr(0, 10);
}

std::string tehran_date(Timestamp at) {
    static const TimeZone tehran = TimeZone::find("Asia/Tehran").value();
    return format_date(tehran.to_local(at).date);
}

std::string millionths(double v) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 6);
    std::string out(buf, ec == std::errc() ? end : buf);
    if (out.find('.') != std::string::npos) {
        while (out.back() == '0') out.pop_back();
        if (out.back() == '.') out.pop_back();
    }
    if (out == "-0") out = "0";
    return out;
}

result<std::string> digits_only(std::string_view text, std::string_view field) {
    if (text.size() > 256) return fail(errc::invalid_argument, "is longer than 256 bytes", std::string(field));
    const std::string folded = text::ascii_digits(text::tidy(text));
    std::string digits;
    digits.reserve(folded.size());
    for (const char c : folded) {
        if (c >= '0' && c <= '9')
            digits += c;
        else if (c != ' ' && c != '-')
            return fail(errc::invalid_argument, "contains a character that is not a digit", std::string(field));
    }
    if (digits.empty()) return fail(errc::invalid_argument, "is empty", std::string(field));
    return digits;
}

}  // namespace crm
