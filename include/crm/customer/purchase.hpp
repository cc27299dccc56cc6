// crm/customer/purchase.hpp - purchases the host ERP reports, and the
// per-party summary kept up to date on every write.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crm/core/id.hpp"
#include "crm/core/money.hpp"
#include "crm/core/time.hpp"

namespace crm {

struct PurchaseLine {
    std::string sku;
    std::string name;
    std::int64_t quantity = 1;
    Money unit_price;
    Money total;
};

/// An order as the ERP reports it; `order_id` is the ERP's key and
/// recording the same order again updates it (upsert).
struct Purchase {
    Id id;
    Id party;
    std::string order_id;
    Timestamp ordered_at;
    Money total;
    std::vector<PurchaseLine> lines;
};

/// A party's purchases in one currency: count, sum, first and last date.
struct PurchaseSummary {
    std::string currency;
    std::int64_t count = 0;
    std::int64_t total_minor = 0;
    Timestamp first_at;
    Timestamp last_at;
};

/// A party's customer lifetime value (ارزش طول عمر مشتری) as the last
/// scoring run computed it (crm::Analytics::score_clv, docs/ANALYTICS.md):
/// the purchases it expects over the run's horizon, the probability the
/// customer is still active, and their value. A run replaces every score;
/// a merge drops the merged-away party's and keeps the survivor's until the
/// next run. Fractions are kept to a millionth.
struct ClvScore {
    Id party;
    Timestamp computed_at;
    std::string model;              ///< "bg_nbd" or "pareto_nbd" (spend: gamma_gamma)
    Money value;                    ///< over the horizon, discounted: the net present value
    Money expected_spend;           ///< per purchase
    double expected_purchases = 0;  ///< over the horizon
    double p_alive = 0;             ///< probability the customer has not dropped out
    double horizon_days = 0;
    double annual_discount_rate = 0;
};

}  // namespace crm
