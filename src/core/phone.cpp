// src/core/phone.cpp - phone numbers to E.164 (libphonenumber, with a fast
// path for Iranian mobiles) and the mobile operator table with its built-in data.
#include "crm/core/phone.hpp"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "crm/core/text.hpp"

namespace crm::phone {
namespace {

namespace pn = i18n::phonenumbers;

// Iran's mobile ranges. Kept as CSV so the shipped table goes through the
// same validation as a table a host loads.
constexpr std::string_view kBuiltinOperators = R"(prefix,operator,number_length
+98901,Irancell,10
+98902,Irancell,10
+98903,Irancell,10
+98904,Irancell,10
+98905,Irancell,10
+98910,Hamrah-e Aval,10
+98911,Hamrah-e Aval,10
+98912,Hamrah-e Aval,10
+98913,Hamrah-e Aval,10
+98914,Hamrah-e Aval,10
+98915,Hamrah-e Aval,10
+98916,Hamrah-e Aval,10
+98917,Hamrah-e Aval,10
+98918,Hamrah-e Aval,10
+98919,Hamrah-e Aval,10
+98920,Rightel,10
+98921,Rightel,10
+98922,Rightel,10
+98923,Rightel,10
+98930,Irancell,10
+98932,Taliya,10
+98933,Irancell,10
+98935,Irancell,10
+98936,Irancell,10
+98937,Irancell,10
+98938,Irancell,10
+98939,Irancell,10
+98941,Irancell,10
+98990,Hamrah-e Aval,10
+98991,Hamrah-e Aval,10
+98992,Hamrah-e Aval,10
+98993,Hamrah-e Aval,10
+98994,Hamrah-e Aval,10
+98998,Shatel Mobile,10
)";

constexpr std::string_view kCsvHeader = "prefix,operator,number_length";

const pn::PhoneNumberUtil& numbering() { return *pn::PhoneNumberUtil::GetInstance(); }

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) noexcept { return std::all_of(s.begin(), s.end(), is_digit); }

std::string_view trim_ascii(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// Digits of the country calling code `e164_digits` starts with, or 0.
// Calling codes are prefix-free, so at most one of 1, 2, 3 digits is known.
int calling_code_digits(std::string_view e164_digits) {
    for (std::size_t n = 1; n <= 3 && n <= e164_digits.size(); ++n) {
        int code = 0;
        for (std::size_t i = 0; i < n; ++i) code = code * 10 + (e164_digits[i] - '0');
        std::string region;
        numbering().GetRegionCodeForCountryCode(code, &region);
        if (region != "ZZ") return static_cast<int>(n);
    }
    return 0;
}

// Index of the longest prefix of `e164` in `rows` (sorted), or rows.size().
// Walking back from the last row <= e164, the first prefix met is the
// longest; a row that is not a prefix bounds the length of any earlier one
// by what it shares with e164, which usually ends the walk early.
std::size_t longest_match(const std::vector<OperatorPrefix>& rows, std::string_view e164) noexcept {
    auto it = std::upper_bound(
        rows.begin(), rows.end(), e164,
        [](std::string_view x, const OperatorPrefix& row) { return x < row.prefix; });
    std::size_t limit = e164.size();
    while (it != rows.begin() && limit > 0) {
        --it;
        const std::string_view prefix = it->prefix;
        if (prefix.size() <= limit && e164.substr(0, prefix.size()) == prefix)
            return static_cast<std::size_t>(it - rows.begin());
        const auto mismatch = std::mismatch(prefix.begin(), prefix.end(), e164.begin(), e164.end());
        limit = std::min(limit, static_cast<std::size_t>(mismatch.first - prefix.begin()));
    }
    return rows.size();
}

result<std::shared_ptr<const OperatorTable>> table_from_csv(std::string_view csv) {
    const auto at_line = [](std::size_t line, const std::string& what) {
        return fail(errc::invalid_argument, "line " + std::to_string(line) + ": " + what,
                    "operators");
    };
    std::vector<OperatorPrefix> rows;
    std::vector<int> lengths;
    std::vector<std::size_t> row_lines;
    std::size_t line_number = 0;
    bool header_seen = false;
    while (!csv.empty()) {
        const std::size_t end = csv.find('\n');
        std::string_view line = csv.substr(0, end);
        csv.remove_prefix(end == std::string_view::npos ? csv.size() : end + 1);
        ++line_number;
        if (line_number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF")
            line.remove_prefix(3);  // Excel's BOM
        line = trim_ascii(line);
        if (!header_seen) {
            if (line != kCsvHeader)
                return at_line(line_number,
                               "the header must be \"" + std::string(kCsvHeader) + "\"");
            header_seen = true;
            continue;
        }
        if (line.empty()) continue;

        std::string_view fields[3];
        std::size_t count = 0;
        for (std::string_view rest = line;; ++count) {
            const std::size_t comma = rest.find(',');
            if (count < 3) fields[count] = trim_ascii(rest.substr(0, comma));
            if (comma == std::string_view::npos) {
                ++count;
                break;
            }
            rest.remove_prefix(comma + 1);
        }
        if (count != 3)
            return at_line(line_number,
                           "expected 3 fields (prefix,operator,number_length), found " +
                               std::to_string(count));
        const std::string_view prefix = fields[0], name = fields[1], length_text = fields[2];
        if (prefix.size() < 2 || prefix[0] != '+' || !all_digits(prefix.substr(1)))
            return at_line(line_number,
                           "prefix \"" + std::string(prefix) + "\" must be '+' followed by digits");
        const int code_digits = calling_code_digits(prefix.substr(1));
        if (code_digits == 0)
            return at_line(line_number, "prefix \"" + std::string(prefix) +
                                            "\" does not start with a country calling code");
        if (name.empty()) return at_line(line_number, "operator is empty");
        const bool length_is_number =
            !length_text.empty() && length_text.size() <= 2 && all_digits(length_text);
        int length = 0;
        if (length_is_number)
            for (const char c : length_text) length = length * 10 + (c - '0');
        if (!length_is_number || length < 4 || length > 15)
            return at_line(line_number, "number_length \"" + std::string(length_text) +
                                            "\" is not a number from 4 to 15");
        const int prefix_digits = static_cast<int>(prefix.size()) - 1;
        if (prefix_digits > code_digits + length)
            return at_line(line_number,
                           "prefix \"" + std::string(prefix) + "\" is longer than its numbers");
        for (std::size_t i = 0; i < rows.size(); ++i)
            if (rows[i].prefix == prefix)
                return at_line(line_number, "prefix " + std::string(prefix) + " repeats line " +
                                                std::to_string(row_lines[i]));
        rows.push_back({std::string(prefix), std::string(name)});
        lengths.push_back(code_digits + length);
        row_lines.push_back(line_number);
    }
    if (!header_seen) return at_line(1, "the header must be \"" + std::string(kCsvHeader) + "\"");
    return std::make_shared<const OperatorTable>(std::move(rows), std::move(lengths));
}

const std::shared_ptr<const OperatorTable>& builtin_table() {
    static const std::shared_ptr<const OperatorTable> table = [] {
        auto parsed = table_from_csv(kBuiltinOperators);
        if (!parsed) {
            // Unreachable unless kBuiltinOperators is edited wrongly; the unit
            // tests load it, so this is a crmcore build defect, not input.
            std::fprintf(stderr, "crmcore: built-in operator table: %s\n",
                         parsed.error().what().c_str());
            std::abort();
        }
        return std::move(parsed).value();
    }();
    return table;
}

constexpr bool is_separator(char c) noexcept {
    return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t';
}

// Non-ASCII characters that surround digits in pasted numbers: Unicode
// spaces, ZWNJ, the bidi marks RTL text wraps numbers in, and dashes.
constexpr bool is_unicode_separator(char32_t c) noexcept {
    return c == 0xA0 || (c >= 0x2000 && c <= 0x2015) || (c >= 0x2028 && c <= 0x202F) ||
           c == 0x205F || c == 0x2060 || (c >= 0x2066 && c <= 0x2069) || c == 0x2212 ||
           c == 0x3000 || c == 0xFEFF || c == 0xFF0D;
}

// Decodes a two- or three-byte UTF-8 sequence at s[i]; 0 otherwise (every
// separator above is in the BMP, so longer ones are never separators).
std::size_t decode_bmp(std::string_view s, std::size_t i, char32_t& cp) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    const std::size_t left = s.size() - i;
    if (b(0) >= 0xC2 && b(0) <= 0xDF && left >= 2 && (b(1) & 0xC0) == 0x80) {
        cp = (char32_t(b(0) & 0x1F) << 6) | (b(1) & 0x3F);
        return 2;
    }
    if (b(0) >= 0xE0 && b(0) <= 0xEF && left >= 3 && (b(1) & 0xC0) == 0x80 &&
        (b(2) & 0xC0) == 0x80) {
        cp = (char32_t(b(0) & 0x0F) << 12) | (char32_t(b(1) & 0x3F) << 6) | (b(2) & 0x3F);
        return 3;
    }
    return 0;
}

// The national significant number when `digits` spells an Iranian number
// in one of the ways people write them, else empty. "(0)" after the
// country code ("+98 (0)912...") is a trunk prefix people keep by habit.
std::string_view iranian_significant_number(std::string_view digits, bool plus,
                                            bool in_iran) noexcept {
    std::string_view nsn;
    bool international = true;
    if (plus) {
        if (digits.substr(0, 2) != "98") return {};
        nsn = digits.substr(2);
    } else if (digits.substr(0, 4) == "0098") {
        nsn = digits.substr(4);
    } else if (!in_iran) {
        return {};
    } else {
        international = false;
        if (digits.substr(0, 1) == "0")
            nsn = digits.substr(1);
        else if (digits.size() == 12 && digits.substr(0, 2) == "98")
            nsn = digits.substr(2);
        else
            nsn = digits;
    }
    if (international && nsn.substr(0, 1) == "0") nsn.remove_prefix(1);
    return nsn;
}

LineType line_type(pn::PhoneNumberUtil::PhoneNumberType type) noexcept {
    using T = pn::PhoneNumberUtil;
    switch (type) {
        case T::MOBILE: return LineType::mobile;
        case T::FIXED_LINE: return LineType::fixed_line;
        case T::VOIP: return LineType::voip;
        case T::TOLL_FREE: return LineType::toll_free;
        case T::FIXED_LINE_OR_MOBILE:
        case T::UNKNOWN: return LineType::unknown;
        default: return LineType::other;
    }
}

// ISO 3166 code of a calling code's main region; empty for the
// non-geographic codes (+800, +882...), which libphonenumber calls "001".
std::string region_of_calling_code(int code) {
    std::string region;
    numbering().GetRegionCodeForCountryCode(code, &region);
    if (region == "ZZ" || region == "001") region.clear();
    return region;
}

}  // namespace

OperatorTable::OperatorTable(std::vector<OperatorPrefix> rows, std::vector<int> lengths) {
    lengths.resize(rows.size(), 0);  // a row without a length covers nothing
    std::vector<std::size_t> order(rows.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(),
              [&](std::size_t a, std::size_t b) { return rows[a].prefix < rows[b].prefix; });
    rows_.reserve(rows.size());
    lengths_.reserve(rows.size());
    for (const std::size_t i : order) {
        rows_.push_back(std::move(rows[i]));
        lengths_.push_back(lengths[i]);
    }
}

std::shared_ptr<const OperatorTable> OperatorTable::builtin() { return builtin_table(); }

result<std::shared_ptr<const OperatorTable>> OperatorTable::from_csv(std::string_view csv) {
    return table_from_csv(csv);
}

std::string_view OperatorTable::lookup(std::string_view e164) const noexcept {
    const std::size_t i = longest_match(rows_, e164);
    return i == rows_.size() ? std::string_view{} : std::string_view{rows_[i].operator_name};
}

bool OperatorTable::covers(std::string_view e164) const noexcept {
    const std::size_t i = longest_match(rows_, e164);
    return i != rows_.size() && static_cast<int>(e164.size()) - 1 == lengths_[i] &&
           all_digits(e164.substr(1));
}

result<Parsed> parse(std::string_view text, std::string_view default_region,
                     const OperatorTable* operators, std::string_view field) {
    std::string region(default_region);
    for (char& c : region)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    const bool in_iran = region == "IR";
    if (!in_iran && (region.size() != 2 || numbering().GetCountryCodeForRegion(region) == 0))
        return fail(
            errc::invalid_argument,
            "\"" + std::string(default_region) + "\" is not a region code with a numbering plan",
            "default_region");
    if (operators == nullptr) operators = builtin_table().get();

    const auto invalid = [&](std::string message) {
        return fail(errc::invalid_argument, std::move(message), std::string(field));
    };

    const std::string folded = text::ascii_digits(text);
    std::string digits;
    digits.reserve(folded.size());
    bool plus = false, punctuation = false;
    for (std::size_t i = 0; i < folded.size();) {
        const char c = folded[i];
        if (is_digit(c)) {
            digits += c;
            ++i;
        } else if (c == '+') {
            if (plus || !digits.empty()) return invalid("has a '+' that is not at the start");
            plus = true;
            ++i;
        } else if (is_separator(c)) {
            punctuation = punctuation || (c != ' ' && c != '\t');
            ++i;
        } else {
            char32_t cp = 0;
            const std::size_t len =
                static_cast<unsigned char>(c) >= 0x80 ? decode_bmp(folded, i, cp) : 0;
            if (len == 0 || !is_unicode_separator(cp))
                return invalid("contains a character that is not a digit or a separator");
            i += len;
        }
    }
    if (digits.empty()) return invalid(plus || punctuation ? "has no digits" : "is empty");
    // E.164 allows 15 digits; "00" and a kept trunk "0" add three at most.
    if (digits.size() > 18) return invalid("is too long to be a phone number");

    // Fast path: an Iranian number the operator table covers needs no
    // libphonenumber call (the bulk of an Iranian import), and the table is
    // what knows the ranges newer than libphonenumber's metadata.
    const std::string_view nsn = iranian_significant_number(digits, plus, in_iran);
    if (!nsn.empty()) {
        std::string e164 = "+98";
        e164 += nsn;
        if (operators->covers(e164)) {
            Parsed parsed;
            parsed.operator_name = std::string(operators->lookup(e164));
            parsed.e164 = std::move(e164);
            parsed.type = LineType::mobile;
            parsed.region = "IR";
            return parsed;
        }
    }

    const pn::PhoneNumberUtil& util = numbering();
    pn::PhoneNumber number;
    const std::string input = plus ? "+" + digits : digits;
    switch (util.Parse(input, region, &number)) {
        case pn::PhoneNumberUtil::NO_PARSING_ERROR: break;
        case pn::PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
            return invalid("has an unknown country calling code");
        case pn::PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
        case pn::PhoneNumberUtil::TOO_SHORT_NSN:
            return invalid("is too short to be a phone number");
        case pn::PhoneNumberUtil::TOO_LONG_NSN: return invalid("is too long to be a phone number");
        default: return invalid("is not a phone number");
    }
    Parsed parsed;
    util.Format(number, pn::PhoneNumberUtil::E164, &parsed.e164);
    const bool covered = operators->covers(parsed.e164);
    if (covered) {
        parsed.type = LineType::mobile;
        parsed.operator_name = std::string(operators->lookup(parsed.e164));
        parsed.region = region_of_calling_code(number.country_code());
    } else if (util.IsValidNumber(number)) {
        parsed.type = line_type(util.GetNumberType(number));
        util.GetRegionCodeForNumber(number, &parsed.region);
        if (parsed.region == "ZZ" || parsed.region == "001") parsed.region.clear();
    } else {
        std::string where = region_of_calling_code(number.country_code());
        return invalid("is not a valid number for region " + (where.empty() ? region : where));
    }
    return parsed;
}

}  // namespace crm::phone
