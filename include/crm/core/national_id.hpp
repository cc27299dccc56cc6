// crm/core/national_id.hpp - Iranian national ids: کد ملی (persons, 10
// digits) and شناسه ملی (legal entities, 11 digits), with check digits.
#pragma once

#include <string>
#include <string_view>

#include "crm/core/error.hpp"

namespace crm::national_id {

enum class Kind { person, legal_entity };

/// Validates a person's national code (کد ملی): 10 digits (Persian or
/// Arabic-Indic digits accepted, dashes and spaces ignored; 8 or 9 digits
/// are left-padded with zeros as printed on old cards), the check digit of
/// the standard mod-11 scheme, and not all one digit. Returns the 10 ASCII
/// digits. Fails with invalid_argument naming `field`, the message saying
/// why ("has a wrong check digit", "has 7 digits; a national code has 10").
CRM_API result<std::string> normalize_person(std::string_view text,
                                             std::string_view field = "national_id");

/// Validates a legal entity's national id (شناسه ملی): 11 digits (digits,
/// spaces and dashes as above, no padding) with its check digit (weights
/// 29,27,23,19,17 with the tens digit + 2 added to each). Returns the 11
/// ASCII digits. Fails with invalid_argument naming `field`.
CRM_API result<std::string> normalize_legal_entity(std::string_view text,
                                                   std::string_view field = "national_id");

/// normalize_person or normalize_legal_entity by kind.
CRM_API result<std::string> normalize(Kind kind, std::string_view text,
                                      std::string_view field = "national_id");

}  // namespace crm::national_id
