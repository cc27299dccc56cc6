// src/core/email.cpp - e-mail address validation, normalisation and the
// key addresses are matched by in duplicate detection.
#include "crm/core/email.hpp"

#include <algorithm>

#include "crm/core/text.hpp"

namespace crm::email {
namespace {

constexpr std::size_t kMaxAddress = 254, kMaxLocal = 64, kMaxLabel = 63;

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// RFC 5322 atext: what an unquoted local part may hold besides dots.
bool is_atext(char c) noexcept {
    constexpr std::string_view specials = "!#$%&'*+-/=?^_`{|}~";
    return is_alpha(c) || is_digit(c) || specials.find(c) != std::string_view::npos;
}

bool is_ldh(char c) noexcept { return is_alpha(c) || is_digit(c) || c == '-'; }

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Empty when `local` is acceptable, else why not.
std::string_view local_part_problem(std::string_view local) noexcept {
    if (local.empty()) return "has an empty local part";
    if (local.size() > kMaxLocal) return "has a local part longer than 64 bytes";
    if (!std::all_of(local.begin(), local.end(), [](char c) { return c == '.' || is_atext(c); }))
        return "has a character not allowed in the local part";
    if (local.front() == '.' || local.back() == '.')
        return "has a local part that starts or ends with a dot";
    if (local.find("..") != std::string_view::npos)
        return "has two dots in a row in the local part";
    return {};
}

// Empty when the lower-cased `domain` is acceptable, else why not.
std::string_view domain_problem(std::string_view domain) noexcept {
    if (domain.empty()) return "has an empty domain";
    std::size_t labels = 0;
    std::string_view last;
    for (std::string_view rest = domain;;) {
        const std::size_t dot = rest.find('.');
        const std::string_view label = rest.substr(0, dot);
        if (label.empty())
            return "has an empty label (a leading, trailing or double dot) in the domain";
        if (label.size() > kMaxLabel) return "has a domain label longer than 63 bytes";
        if (!std::all_of(label.begin(), label.end(), is_ldh))
            return "has a character in the domain that is not a letter, digit or hyphen";
        if (label.front() == '-' || label.back() == '-')
            return "has a domain label that starts or ends with a hyphen";
        ++labels;
        last = label;
        if (dot == std::string_view::npos) break;
        rest.remove_prefix(dot + 1);
    }
    if (labels < 2) return "has no top-level domain";
    // Internationalised TLDs reach us in their ASCII (punycode) form, which
    // is why "xn--" labels pass although they are not letters only.
    const bool letters = last.size() >= 2 && std::all_of(last.begin(), last.end(), is_alpha);
    if (!letters && last.substr(0, 4) != "xn--")
        return "has a top-level domain that is not two or more letters";
    return {};
}

}  // namespace

result<std::string> normalize(std::string_view text, std::string_view field) {
    const auto invalid = [&](std::string_view message) {
        return fail(errc::invalid_argument, std::string(message), std::string(field));
    };
    std::string address = text::ascii_digits(text::tidy(text));
    if (address.empty()) return invalid("is empty");
    if (address.size() > kMaxAddress) return invalid("is longer than 254 bytes");
    const std::size_t at = address.find('@');
    if (at == std::string::npos) return invalid("has no '@'");
    if (address.find('@', at + 1) != std::string::npos) return invalid("has more than one '@'");
    const std::string_view whole(address);
    if (const auto problem = local_part_problem(whole.substr(0, at)); !problem.empty())
        return invalid(problem);
    std::transform(address.begin() + static_cast<std::ptrdiff_t>(at) + 1, address.end(),
                   address.begin() + static_cast<std::ptrdiff_t>(at) + 1, lower);
    if (const auto problem = domain_problem(whole.substr(at + 1)); !problem.empty())
        return invalid(problem);
    return address;
}

std::string match_key(std::string_view text) {
    auto normalized = normalize(text);
    if (!normalized) return {};
    std::string key = std::move(normalized).value();
    const std::size_t at = key.find('@');
    std::transform(key.begin(), key.begin() + static_cast<std::ptrdiff_t>(at), key.begin(), lower);
    return key;
}

}  // namespace crm::email
