// crm/core/email.hpp - e-mail address validation and normalisation.
#pragma once

#include <string>
#include <string_view>

#include "crm/core/error.hpp"

namespace crm::email {

/// Validates and normalises an address: white space (also Unicode spaces
/// and ZWNJ) trimmed, Persian/Arabic digits to ASCII, domain lower-cased,
/// local part kept. Requires one '@', a non-empty local part of at most 64
/// bytes of atext/dots (no leading, trailing or double dot), and a domain of
/// dot-separated LDH labels (1..63 bytes, no leading or trailing hyphen)
/// with a TLD of at least two letters or an "xn--" IDN TLD; at most 254
/// bytes in all, after trimming. ASCII only: quoted local parts, address
/// literals ([1.2.3.4]) and non-ASCII addresses are rejected (IDN domains
/// are accepted in their xn-- form). Fails with invalid_argument naming
/// `field`; the message says which rule failed ("has no '@'").
CRM_API result<std::string> normalize(std::string_view text, std::string_view field = "email");

/// The key two addresses are compared by: normalize() then the local part
/// lower-cased too. Empty when invalid.
CRM_API std::string match_key(std::string_view text);

}  // namespace crm::email
