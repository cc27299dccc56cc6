// crm/marketing/loyalty.hpp - the customer club (باشگاه مشتریان): a
// loyalty programme as data, its members' accounts and tiers, and the
// points ledger.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/id.hpp"
#include "crm/core/money.hpp"
#include "crm/core/time.hpp"
#include "crm/expr/expr.hpp"

namespace crm {

/// How a purchase earns points: when `when` holds for the purchase (a rule
/// over party_kind, party_stage, party_city, party_country, party_tags,
/// order_id, ordered_at, ordered_on, skus, total) and the member's tier is
/// one of `tiers` (any when empty), `points` for every whole `per` of the
/// total, plus `bonus`.
struct EarnRule {
    std::string id;
    std::optional<expr::Expr> when;
    Money per;                 ///< in the programme's currency, above 0
    std::int64_t points = 0;   ///< per `per`
    std::int64_t bonus = 0;    ///< once per matching purchase
    std::vector<std::string> tiers;
};

/// A tier: reached when the qualifying value (points earned, or spend in
/// minor units, over the tier window) is at least `threshold`.
struct LoyaltyTier {
    std::string id, name;
    std::int64_t threshold = 0;
};

enum class TierBasis { points, spend };
CRM_API const char* to_string(TierBasis) noexcept;
CRM_API result<TierBasis> parse_tier_basis(std::string_view s, std::string_view field = "tier_basis");

/// A loyalty programme as data, stored by version. JSON (docs/MARKETING.md):
///
///     {"id": "club", "name": "باشگاه مشتریان", "currency": "IRR",
///      "enrolment": "auto", "expiry_days": 365,
///      "earn": [{"id": "base", "per": "100000", "points": 1},
///               {"id": "gold-double", "per": "100000", "points": 1, "tiers": ["gold"]}],
///      "tiers": [{"id": "member", "threshold": 0}, {"id": "silver", "threshold": 500},
///                {"id": "gold", "threshold": 2000}],
///      "tier_basis": "points", "tier_window_days": 365}
///
/// Tiers are listed from the lowest, whose threshold is 0.
struct LoyaltyProgram {
    std::string id, name;
    std::string currency = "IRR";
    bool auto_enrol = false;         ///< "enrolment": "auto" (every buyer) or "explicit"
    int expiry_days = 0;             ///< points expire this long after they are earned; 0: never
    std::vector<EarnRule> earn;
    std::vector<LoyaltyTier> tiers;
    TierBasis tier_basis = TierBasis::points;
    int tier_window_days = 365;
    int version = 0;
};

/// A party's membership of a programme.
struct LoyaltyAccount {
    std::string program;
    Id party;
    std::string tier;
    Timestamp tier_since;
    Timestamp enrolled_at;
};

enum class LedgerKind { earn, redeem, expire, adjust };
CRM_API const char* to_string(LedgerKind) noexcept;
CRM_API result<LedgerKind> parse_ledger_kind(std::string_view s, std::string_view field = "kind");

/// One entry of the ledger. Every entry has an idempotency key, unique in
/// its programme: writing the same key again answers the stored entry and
/// never counts twice. Points added (earn, a positive adjust) form a lot
/// that redemptions, negative adjustments and expiry consume, oldest
/// expiry first; `remaining` is what is left of the lot.
struct LedgerEntry {
    std::int64_t seq = 0;        ///< assigned by the store, increasing
    std::string program;
    Id party;
    LedgerKind kind = LedgerKind::earn;
    std::int64_t points = 0;     ///< signed: earn and positive adjust > 0
    Timestamp at;
    std::string key;
    std::string order_id;        ///< the purchase that earned it, if any
    std::int64_t amount_minor = 0;  ///< earn: the purchase total counted for tiers by spend
    std::string reason;
    std::optional<Timestamp> expires_at;  ///< lots that expire
    std::int64_t remaining = 0;  ///< lots: points not yet consumed
};

/// A party's standing in a programme: the account, its balance and the
/// latest entries.
struct LoyaltyStatus {
    LoyaltyAccount account;
    std::int64_t balance = 0;
    std::vector<LedgerEntry> recent;  ///< newest first
};

/// What Marketing::refresh_loyalty did.
struct LoyaltyRefreshReport {
    std::int64_t lots_expired = 0, points_expired = 0;
    std::int64_t upgraded = 0, downgraded = 0;
};

}  // namespace crm
