// src/marketing/profile.hpp - party profiles: how each part is computed
// from the records it summarises, the schema segment rules are checked
// against, and how a profile is read as a rule record (memory) or as
// columns (SQLite).
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crm/customer/purchase.hpp"
#include "crm/marketing/campaign.hpp"
#include "crm/expr/expr.hpp"
#include "crm/expr/sql.hpp"
#include "crm/marketing/segment.hpp"
#include "crm/service/ticket.hpp"

namespace crm::marketing {

/// RFM quintile boundaries: a value scores 1 + the number of boundaries it
/// is at or above (recency on the last purchase's instant, in ms).
struct RfmCutoffs {
    std::array<std::int64_t, 4> recency{}, frequency{}, monetary{};
    bool set = false;
};

/// The parts of a profile a write can change.
enum Part : unsigned {
    party_part = 1,
    purchase_part = 2,
    interaction_part = 4,
    ticket_part = 8,
    membership_part = 16,
    campaign_part = 32,
    all_parts = 63,
};

/// The party's own fields (text as normalised keys) and its consent.
void set_party_part(PartyProfile& p, const Party& party);
/// Counts, sums in `currency`, windows as of `now`, expires_at, RFM scores.
void set_purchase_part(PartyProfile& p, std::span<const Purchase> purchases,
                       std::string_view currency, Timestamp now, const RfmCutoffs& rfm);
void set_ticket_part(PartyProfile& p, std::span<const Ticket> tickets);
/// The party's stored lifetime value (none: unset).
void set_clv_part(PartyProfile& p, const std::optional<ClvScore>& score);
void set_membership_part(PartyProfile& p, std::span<const Membership> memberships);
/// Campaign response counts; `responded[i]` says whether memberships[i]
/// counts as responded in its campaign.
void set_campaign_part(PartyProfile& p, std::span<const CampaignMember> memberships,
                       const std::vector<bool>& responded);
/// Scores the profile's purchase figures against `rfm` (0s when unset or
/// no purchases).
void score_rfm(PartyProfile& p, const RfmCutoffs& rfm);

/// The schema of profile fields: built-in, behaviour, and "custom.<name>"
/// for the party's custom fields; sums are money in `currency`.
expr::Schema profile_schema(std::span<const FieldDef> party_fields, std::string_view currency);
/// The value of one profile field as rule evaluation reads it (missing as
/// std::monostate; RFM scores of 0 are missing).
Value profile_value(const PartyProfile& p, const expr::Schema& schema, std::string_view field);
/// Fills a RowRecord of `schema` from the profile.
void fill_record(const PartyProfile& p, const expr::Schema& schema, expr::RowRecord& record);

/// How the table party_profile stores each field of `schema`, in the SQL
/// of `dialect` (the store's).
expr::SqlMapping profile_mapping(const expr::Schema& schema, const storage::Dialect& dialect);

}  // namespace crm::marketing
