// src/core/clean.hpp - the field cleaning every context's writes share:
// text checked and tidied, dates as people in Iran write them, and the day
// an instant falls on in Tehran.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "crm/core/error.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// Checks (UTF-8, at most `max` bytes) and tidies a text field.
result<std::string> clean_text(const std::string& s, const char* field, std::size_t max);

/// "YYYY-MM-DD" (ASCII or Persian digits, '/' allowed), read as Jalali when
/// the year is below 1700; the Gregorian date, or "" for empty input.
result<std::string> clean_date(const std::string& s, std::string_view field);

/// The Gregorian date ("YYYY-MM-DD") of `at` in Asia/Tehran.
std::string tehran_date(Timestamp at);

/// The ASCII digits of an identifier as people write it: Persian and
/// Arabic-Indic digits folded, the spaces and dashes put between digit
/// groups dropped; any other character, an empty text or one longer than
/// 256 bytes is an invalid_argument naming `field`.
result<std::string> digits_only(std::string_view text, std::string_view field);

/// A fraction as decimal text to a millionth, trailing zeros dropped
/// ("0.869144", "2.5", "1"): how scores are stored and read by rules.
std::string millionths(double v);

}  // namespace crm
