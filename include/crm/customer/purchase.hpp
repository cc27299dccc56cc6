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

}  // namespace crm
