// src/sales/amount.hpp - the rule every amount of the sales context keeps:
// a valid currency, not negative, at most 9e16 minor units (so that amount
// times a probability in percent fits in 64 bits).
#pragma once

#include <cstdint>
#include <string>

#include "crm/core/money.hpp"

namespace crm::sales {

constexpr std::int64_t kMaxAmountMinor = 90'000'000'000'000'000;

inline result<Money> clean_amount(const Money& m, const std::string& field) {
    CRM_TRY(checked, Money::of(m.minor, m.currency, field));
    if (checked.minor < 0) return fail(errc::invalid_argument, "must not be negative", field);
    if (checked.minor > kMaxAmountMinor)
        return fail(errc::invalid_argument, "is larger than 9e16 minor units", field);
    return checked;
}

}  // namespace crm::sales
