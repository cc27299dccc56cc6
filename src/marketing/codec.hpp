// src/marketing/codec.hpp - JSON forms of the marketing side's records:
// segments, settings, RFM boundaries, profiles, memberships, suppression
// entries (docs/MARKETING.md).
#pragma once

#include "core/json_read.hpp"
#include "crm/marketing/marketing.hpp"
#include "marketing/profile.hpp"

namespace crm::marketing {

using codec::json;

/// An optional {minor, currency} under `key` (absent or null: none).
result<std::optional<Money>> read_money(const json& doc, const char* key);

result<MarketingSettings> settings_from_json(const json& doc);
json to_json(const MarketingSettings& s);
result<RfmCutoffs> rfm_from_json(const json& doc);
json to_json(const RfmCutoffs& r);
/// A segment's JSON form; rules in either form are loaded against `schema`.
/// Errors name the field ("rule.and[1].gt[0]", "rule@17", "of[2]").
result<Segment> segment_from_json(const json& doc, const expr::Schema& schema);
/// The canonical form (the rule as JSON), with "version" when asked.
json to_json(const Segment& s, bool with_version);
/// A loyalty programme's JSON form; earn rules read a purchase.
result<LoyaltyProgram> program_from_json(const json& doc);
json to_json(const LoyaltyProgram& p, bool with_version);
/// Applies the fields a host writes (docs/MARKETING.md) present in `doc`
/// to `c`; errors name the field.
result<void> apply_campaign_json(const json& doc, Campaign& c);
/// The whole record as stored, and back.
json stored_json(const Campaign& c);
result<Campaign> campaign_from_stored(const json& doc);

}  // namespace crm::marketing

namespace crm::codec {

json to_json(const Segment& s);
json to_json(const PartyProfile& p);
json to_json(const SegmentMembership& m);
json to_json(const SuppressionEntry& e);
json to_json(const SegmentExplanation& e);
json to_json(const SegmentRefreshReport& r);
json to_json(const LoyaltyProgram& p);
json to_json(const LoyaltyAccount& a);
json to_json(const LedgerEntry& e);
json to_json(const LoyaltyStatus& s);
json to_json(const LoyaltyRefreshReport& r);
json to_json(const Campaign& c);
json to_json(const CampaignMember& m);
json to_json(const DeliveryPlan& p);
json to_json(const CampaignReport& r);

}  // namespace crm::codec
