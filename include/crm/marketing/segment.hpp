// crm/marketing/segment.hpp - what segments read of a party (its profile,
// kept up to date on every write), segment definitions as data, tracked
// memberships and suppression entries.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/id.hpp"
#include "crm/core/time.hpp"
#include "crm/customer/party.hpp"
#include "crm/customer/timeline.hpp"
#include "crm/expr/expr.hpp"

namespace crm {

/// The purchase windows a profile keeps, in days: purchases.count_30d,
/// purchases.sum_90d and so on count the purchases of the last N days.
inline constexpr std::array<int, 4> kPurchaseWindows = {30, 90, 180, 365};
/// The channels a profile keeps the last interaction of, in Channel order.
inline constexpr int kChannelCount = 10;

/// The segment-facing summary of one live party: its own fields and its
/// behaviour, kept up to date by every write that changes either, so a
/// segment reads one row per party instead of aggregating purchases.
/// Profiles exist once the first segment is defined (which builds them).
struct PartyProfile {
    Id party;
    PartyKind kind = PartyKind::person;
    std::string lifecycle_stage, owner, city, country;
    std::vector<std::string> tags;
    CustomValues custom;
    Timestamp created_at;
    /// Some contact point of the party opted in on the channel.
    bool consent_email = false, consent_sms = false, consent_call = false,
         consent_whatsapp = false;
    /// Ids of the organisations the person belongs to.
    std::vector<std::string> organizations;

    /// Purchases: every purchase counts; sums are in the marketing currency
    /// (MarketingSettings::currency), purchases in others are not summed.
    std::int64_t purchase_count = 0, purchase_sum = 0;
    std::optional<Timestamp> first_purchase, last_purchase;
    /// Count and sum of the purchases of the last kPurchaseWindows[i] days
    /// before `as_of`.
    std::array<std::int64_t, kPurchaseWindows.size()> window_count{}, window_sum{};
    /// RFM quintile scores, 1 (lowest) to 5 (best); 0 without purchases or
    /// before the first refresh that scores.
    int rfm_recency = 0, rfm_frequency = 0, rfm_monetary = 0;
    /// The last interaction of each Channel (call, email, sms, meeting,
    /// chat, social, portal, visit, other, whatsapp).
    std::array<std::optional<Timestamp>, kChannelCount> last_interaction;
    /// Tickets: all, open (not resolved, closed, cancelled or merged), and
    /// complaints among all.
    std::int64_t tickets = 0, open_tickets = 0, complaints = 0;
    /// Campaign responses, counted over every campaign the party was in.
    std::int64_t campaigns_sent = 0, campaigns_opened = 0, campaigns_clicked = 0,
                 campaigns_responded = 0, campaigns_converted = 0;

    /// The lifetime value the last scoring run stored for the party
    /// (crm::ClvScore): unset, and empty texts, before a run scored it.
    /// Rules read them as clv.value, clv.p_alive, clv.expected_purchases;
    /// the fractions are decimal text.
    std::optional<Money> clv_value;
    std::string clv_p_alive, clv_expected_purchases;

    /// The instant the purchase windows were computed at.
    Timestamp as_of;
    /// When a window next loses a purchase (refresh brings it up to date).
    std::optional<Timestamp> expires_at;
};

/// What a segment is.
///   dynamic      a rule (crm::expr) over profiles, evaluated on demand; when
///                tracked, its membership is kept on every write, with history
///   list         explicit members (a static list; also a snapshot of another segment)
///   suppression  entries by party, e-mail address, e-mail domain or phone
///   set          union, intersection or difference of other segments
enum class SegmentKind { dynamic, list, suppression, set };
CRM_API const char* to_string(SegmentKind) noexcept;
CRM_API result<SegmentKind> parse_segment_kind(std::string_view s, std::string_view field = "kind");

enum class SetOp { union_of, intersection, difference };
/// "union", "intersection", "difference".
CRM_API const char* to_string(SetOp) noexcept;
CRM_API result<SetOp> parse_set_op(std::string_view s, std::string_view field = "op");

/// A segment (سگمنت) as data. JSON forms (docs/MARKETING.md):
///
///     {"id": "tehran-buyers", "name": "Buyers in Tehran", "kind": "dynamic",
///      "rule": {"and": [{"eq": [{"field": "city"}, "تهران"]},
///                       {"ge": [{"field": "purchases.count_365d"}, 2]}]}}
///     {"id": "tehran-buyers", "kind": "dynamic",
///      "rule": "city = \"تهران\" and purchases.count_365d >= 2", "track": false}
///     {"id": "vip-list", "kind": "list"}
///     {"id": "do-not-contact", "kind": "suppression"}
///     {"id": "to-call", "kind": "set", "op": "difference", "of": ["tehran-buyers", "do-not-contact"]}
///
/// "rule" is the JSON or the text form of a rule over the profile schema
/// (Marketing::profile_schema); "track" defaults to true. A set's first
/// operand is reduced by the rest for "difference". Ids are [a-z0-9_-],
/// at most 64 bytes; a set may not contain itself, directly or not.
struct Segment {
    std::string id, name, description;
    SegmentKind kind = SegmentKind::dynamic;
    std::optional<expr::Expr> rule;  ///< dynamic
    bool track = true;               ///< dynamic
    SetOp op = SetOp::union_of;      ///< set
    std::vector<std::string> of;     ///< set
    int version = 0;
};

/// A party's time in a tracked dynamic segment: joined, and left (unset
/// while still a member).
struct SegmentMembership {
    std::string segment;
    Id party;
    Timestamp joined_at;
    std::optional<Timestamp> left_at;
};

/// What a suppression entry matches: a party, an e-mail address, every
/// address of an e-mail domain, or a phone number.
enum class SuppressionKind { party, email, domain, phone };
CRM_API const char* to_string(SuppressionKind) noexcept;
CRM_API result<SuppressionKind> parse_suppression_kind(std::string_view s,
                                                       std::string_view field = "kind");

/// One entry of a suppression list; `value` is normalised (a party id, a
/// lower-case address or domain, a phone in E.164).
struct SuppressionEntry {
    SuppressionKind kind = SuppressionKind::party;
    std::string value;
    std::string reason;
    Timestamp added_at;
};

/// The order a sample takes members in: a 64-bit mix of the party id's
/// text form and the seed, as a signed integer (SQLite's crm_sample_key).
CRM_API std::int64_t sample_key(std::string_view id_text, std::uint64_t seed) noexcept;

/// Settings of the marketing side, stored in the database. JSON:
/// {"currency": "IRR"}; the currency purchase sums count in.
struct MarketingSettings {
    std::string currency = "IRR";
    int version = 0;
};

}  // namespace crm
