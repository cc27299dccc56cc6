// crm/sales/quote.hpp - quotes (پیش‌فاکتور) and the minimal product
// catalogue they price from: products with a price per price list and
// currency, tax categories, quote lines and their exact totals.
//
// Money on a quote is integer minor units throughout. The one rounding
// rule: every amount a line derives (quantity x unit price, a percent
// discount, tax) is rounded once, half away from zero, to the currency's
// minor unit; the quote's totals are the exact sums of its lines' amounts,
// so the lines always add up to the total.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/id.hpp"
#include "crm/core/money.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// A product's price in one price list and currency.
struct Price {
    std::string price_list = "default";
    Money unit_price;
    friend bool operator==(const Price&, const Price&) = default;
};

/// A product of the catalogue; the sku is its key (the host's, usually the
/// ERP's item code).
struct Product {
    std::string sku;           ///< 1..64 bytes, no spaces
    std::string name;
    std::string unit;          ///< "piece", "kg", "licence", "hour"; default "piece"
    std::string tax_category;  ///< a tax category id; default "standard"
    std::vector<Price> prices; ///< at most one per (price list, currency)
    bool active = true;        ///< an inactive product cannot be added to a quote
    /// Days of warranty from the purchase (0 .. 36,500; 0: none); a
    /// warranty claim on the product is checked against it.
    int warranty_days = 0;
    Timestamp created_at;
    Timestamp updated_at;
    std::int64_t version = 1;
};

/// A tax category and its rate. Built in until a host stores its own:
/// "standard" 10% (Iran's VAT) and "exempt" 0%.
struct TaxCategory {
    std::string id;
    std::string label;
    int rate_bp = 0;  ///< basis points: 1000 is 10%; 0..10000
    friend bool operator==(const TaxCategory&, const TaxCategory&) = default;
};

/// One line of a quote: what the host gave, and what crmcore computed.
struct QuoteLine {
    std::string sku;   ///< "" for a free-text line
    std::string name;
    std::string unit;
    std::int64_t quantity_milli = 1000;  ///< the quantity x 1000 (up to 3 decimals)
    Money unit_price;
    int discount_bp = 0;                  ///< a percent discount in basis points, or
    std::optional<Money> discount_amount; ///< an amount off the line (not both)
    std::string tax_category;
    int tax_rate_bp = 0;  ///< the category's rate when the line was priced
    // Computed, in the quote's currency's minor units:
    std::int64_t subtotal_minor = 0;  ///< round(quantity x unit price)
    std::int64_t discount_minor = 0;  ///< round(subtotal x percent), or the amount
    std::int64_t net_minor = 0;       ///< subtotal - discount
    std::int64_t tax_minor = 0;       ///< round(net x tax rate)
    std::int64_t total_minor = 0;     ///< net + tax
};

struct Quote {
    Id id;                ///< of this revision
    Id root;              ///< the id of revision 1 (its own id there)
    int revision = 1;
    std::string number;   ///< the host's quote number; optional, shared by revisions
    Id party;
    Id opportunity;       ///< nil when the quote stands alone
    std::string owner;
    std::string process = "quote";  ///< lifecycle definition (record type quote)
    int process_version = 0;
    std::string state;   ///< draft, active, won, lost, cancelled, revised (built-in)
    std::string status;  ///< the state's category: open, won, lost, cancelled, closed
    std::string currency;
    std::string price_list = "default";
    std::string valid_until;  ///< Gregorian "YYYY-MM-DD" or ""
    std::string note;
    std::vector<QuoteLine> lines;
    std::int64_t subtotal_minor = 0, discount_minor = 0, net_minor = 0, tax_minor = 0,
                 total_minor = 0;
    std::string close_reason;  ///< why it was won, lost or cancelled
    Id superseded_by;          ///< the next revision, once revised
    std::string erp_order_id;  ///< recorded by the host after the order hand-off
    Timestamp created_at;
    Timestamp updated_at;
    Timestamp state_entered_at;
    std::optional<Timestamp> closed_at;
    std::int64_t version = 1;
};

/// A line as a host asks for it. The unit price defaults to the product's
/// price in the quote's price list and currency; the name, unit and tax
/// category to the product's.
struct QuoteLineInput {
    std::string sku;
    std::optional<std::string> name, unit, tax_category;
    std::string quantity = "1";  ///< decimal text, > 0, at most 3 decimals ("2.5", "۳")
    std::optional<Money> unit_price;
    std::string discount_percent;  ///< decimal text 0..100, at most 2 decimals ("12.5")
    std::optional<Money> discount_amount;
};

/// The fields to set on a quote; unset ones are left as they are. `lines`
/// replaces every line. On create, party (or an opportunity, whose party
/// it takes) and currency (or a price list and lines that fix it) are needed.
struct QuoteInput {
    std::optional<std::string> number, owner, currency, price_list, valid_until, note;
    std::optional<Id> party, opportunity;
    std::optional<std::vector<QuoteLineInput>> lines;
    std::string process;  ///< create only; "" is "quote"
};

/// Computes every line's amounts and the quote's totals by the rounding
/// rule above. invalid_argument naming "lines[i].<field>" for a line in
/// another currency, a discount above the subtotal, or a total beyond
/// 9e16 minor units; nothing of `q` changes then.
CRM_API result<void> compute_totals(Quote& q);

/// "2.5" -> 2500; "۳" -> 3000; errors name `field`.
CRM_API result<std::int64_t> parse_quantity(std::string_view text, std::string_view field);

}  // namespace crm
