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

/// A fraction as decimal text to a millionth, trailing zeros dropped
/// ("0.869144", "2.5", "1"): how scores are stored and read by rules.
std::string millionths(double v);

}  // namespace crm
