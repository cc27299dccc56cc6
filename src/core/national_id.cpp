// src/core/national_id.cpp - check-digit validation of Iranian national ids:
// کد ملی of persons (10 digits) and شناسه ملی of legal entities (11 digits).
#include "crm/core/national_id.hpp"

#include <algorithm>

#include "core/clean.hpp"

namespace crm::national_id {
namespace {

int digit(char c) noexcept { return c - '0'; }

// کد ملی: s = sum of d[i] * (10 - i) over the first nine digits, mod 11;
// the tenth digit is s when s < 2, else 11 - s.
bool person_check_digit_holds(std::string_view d) noexcept {
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += digit(d[static_cast<std::size_t>(i)]) * (10 - i);
    const int s = sum % 11;
    return digit(d[9]) == (s < 2 ? s : 11 - s);
}

// شناسه ملی: each of the first ten digits plus (tenth digit + 2), weighted
// 29,27,23,19,17 twice over; the sum mod 11 (10 counting as 0) is the
// eleventh digit.
bool legal_entity_check_digit_holds(std::string_view d) noexcept {
    constexpr int weights[10] = {29, 27, 23, 19, 17, 29, 27, 23, 19, 17};
    const int added = digit(d[9]) + 2;
    int sum = 0;
    for (std::size_t i = 0; i < 10; ++i) sum += (digit(d[i]) + added) * weights[i];
    int r = sum % 11;
    if (r == 10) r = 0;
    return digit(d[10]) == r;
}

}  // namespace

result<std::string> normalize_person(std::string_view text, std::string_view field) {
    CRM_TRY(digits, digits_only(text, field));
    // Old cards print the code without its leading zeros.
    if (digits.size() == 8 || digits.size() == 9) digits.insert(0, 10 - digits.size(), '0');
    if (digits.size() != 10)
        return fail(errc::invalid_argument,
                    "has " + std::to_string(digits.size()) + " digits; a national code has 10",
                    std::string(field));
    // Every repeated digit passes the mod-11 check (the sum is 54d, and
    // 54 = -1 mod 11); none is ever issued.
    if (std::all_of(digits.begin(), digits.end(), [&](char c) { return c == digits[0]; }))
        return fail(errc::invalid_argument, "is one digit repeated, not a national code",
                    std::string(field));
    if (!person_check_digit_holds(digits))
        return fail(errc::invalid_argument, "has a wrong check digit", std::string(field));
    return digits;
}

result<std::string> normalize_legal_entity(std::string_view text, std::string_view field) {
    CRM_TRY(digits, digits_only(text, field));
    if (digits.size() != 11)
        return fail(
            errc::invalid_argument,
            "has " + std::to_string(digits.size()) + " digits; a legal entity's national id has 11",
            std::string(field));
    if (!legal_entity_check_digit_holds(digits))
        return fail(errc::invalid_argument, "has a wrong check digit", std::string(field));
    return digits;
}

result<std::string> normalize(Kind kind, std::string_view text, std::string_view field) {
    switch (kind) {
        case Kind::person: return normalize_person(text, field);
        case Kind::legal_entity: return normalize_legal_entity(text, field);
    }
    return fail(errc::invalid_argument, "has an unknown kind of national id", std::string(field));
}

}  // namespace crm::national_id
