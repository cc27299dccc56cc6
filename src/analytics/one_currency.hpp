// src/analytics/one_currency.hpp - the rule every money figure of the
// analytical layer keeps: it never adds two currencies. Without a named
// currency the purchases must all be in one; with one, the others are left
// out and counted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crm/core/error.hpp"
#include "crm/core/money.hpp"

namespace crm::analytics {

class OneCurrency {
public:
    /// `named`: the request's currency ("" for the purchases' one).
    static result<OneCurrency> make(std::string named) {
        if (!named.empty() && currency_exponent(named) < 0)
            return fail(errc::invalid_argument, "is not an ISO 4217 currency code", "currency");
        OneCurrency c;
        c.named_ = !named.empty();
        c.currency_ = std::move(named);
        return c;
    }
    /// True: the purchase is read. False: it is in another currency than
    /// the one named, left out and counted. A second currency without a
    /// named one fails naming "currency".
    result<bool> admit(std::string_view currency) {
        if (currency == currency_) return true;
        if (named_) {
            ++others_;
            return false;
        }
        if (!currency_.empty())
            return fail(errc::invalid_argument,
                        "the purchases are in " + currency_ + " and " + std::string(currency) +
                            ": name the one the figures are computed in",
                        "currency");
        currency_.assign(currency);
        return true;
    }
    /// For a stream of purchases: true when the purchase in `currency` is
    /// read; false when it is left out, or when the stream must stop, with
    /// the error in `failure`.
    bool take(std::string_view currency, std::optional<error>& failure) {
        if (currency == currency_) return true;
        auto admitted = admit(currency);
        if (!admitted) {
            failure = admitted.error();
            return false;
        }
        return admitted.value();
    }
    /// Named, or the first one admitted ("" before any).
    const std::string& currency() const noexcept { return currency_; }
    std::int64_t others() const noexcept { return others_; }

private:
    std::string currency_;
    bool named_ = false;
    std::int64_t others_ = 0;
};

}  // namespace crm::analytics
