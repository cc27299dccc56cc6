// crm/core/money.hpp - amounts as 64-bit integers in ISO 4217 minor units,
// with every addition and multiplication checked for overflow.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "crm/core/error.hpp"

namespace crm {

/// ISO 4217 minor-unit exponent of a currency code ("IRR" -> 2, "JPY" -> 0,
/// "KWD" -> 3), or -1 when the code is unknown. IRR follows ISO 4217 (2),
/// although rials are usually shown without decimals.
CRM_API int currency_exponent(std::string_view code) noexcept;

/// An amount of money. `minor` is in the currency's minor units:
/// 12,500 rials is {1250000, "IRR"}. Never a floating-point number.
struct Money {
    std::int64_t minor = 0;
    std::string currency;

    /// Validates the currency code (known ISO 4217, upper case).
    CRM_API static result<Money> of(std::int64_t minor, std::string_view currency,
                                    std::string_view field = "amount");
    /// Parses a decimal amount in major units ("12500", "12.50", "۱۲۵۰۰",
    /// "1,250.5"); more fraction digits than the exponent is an error.
    CRM_API static result<Money> parse(std::string_view amount, std::string_view currency,
                                       std::string_view field = "amount");
    /// Sum; conflict on different currencies, invalid_argument on overflow.
    CRM_API result<Money> plus(const Money& other) const;
    /// Product with an integer factor, overflow checked.
    CRM_API result<Money> times(std::int64_t factor) const;
    /// "12.50 USD", "1250000.00 IRR".
    CRM_API std::string str() const;

    friend bool operator==(const Money&, const Money&) = default;
};

}  // namespace crm
