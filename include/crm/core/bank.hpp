// crm/core/bank.hpp - what an ERP stores of a party's bank: the Sheba
// number (شماره شبا, the Iranian IBAN) and the bank card number (شماره
// کارت), each checked and its bank named; and the Iranian postal code
// (کد پستی).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "crm/core/error.hpp"

namespace crm::bank {

/// A bank or credit institution of Iran.
struct Bank {
    std::string_view code;     ///< the Central Bank's three-digit code ("017")
    std::string_view name_fa;  ///< "بانک ملی ایران"
    std::string_view name_en;  ///< "Bank Melli Iran"
};

/// The bank of a Central Bank code ("017"), if the code is assigned.
CRM_API std::optional<Bank> bank_of_code(std::string_view code) noexcept;

struct Sheba {
    std::string value;      ///< "IR" and 24 digits: "IR820540102680020817909002"
    std::string formatted;  ///< in groups of four: "IR82 0540 1026 8002 0817 9090 02"
    std::string bank_code;  ///< digits 5-7: "054"
    std::optional<Bank> bank;
    /// The 19 digits after the bank code without their leading zeros: the
    /// bank's own number of the account as it pads it into the Sheba
    /// ("102680020817909002"). Banks lay their deposit numbers into these
    /// digits differently (some put a branch code or an account type
    /// first), so this is the account as the Sheba holds it, not a
    /// passbook's formatting; it tells two accounts of one bank apart.
    std::string account;
};

/// Reads a Sheba number: "IR" (any case) and 24 digits, or the 24 digits
/// alone; Persian or Arabic-Indic digits, spaces and dashes accepted. The
/// ISO 7064 mod-97 check must hold. Fails with invalid_argument naming
/// `field` and saying why ("has 23 digits after IR; a Sheba has 24", "has
/// a wrong check").
CRM_API result<Sheba> parse_sheba(std::string_view text, std::string_view field = "sheba");

struct Card {
    std::string value;      ///< 16 digits
    std::string formatted;  ///< "6037-9911-2345-6789"
    std::optional<Bank> bank;  ///< from the first six digits, when known
};

/// Reads a bank card number: 16 digits (Persian digits, spaces and dashes
/// accepted) with a valid Luhn check digit. Fails with invalid_argument
/// naming `field`.
CRM_API result<Card> parse_card(std::string_view text, std::string_view field = "card");

/// Reads an Iranian postal code: 10 digits (Persian digits, spaces and a
/// dash accepted), by the rules the post gives its codes: no 0 or 2 in the
/// first five digits, the fifth not 5, no 2 in the last five, and not four
/// equal digits first. Returns the 10 ASCII digits; fails with
/// invalid_argument naming `field`.
CRM_API result<std::string> normalize_postal_code(std::string_view text,
                                                  std::string_view field = "postal_code");

}  // namespace crm::bank
