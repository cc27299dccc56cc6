// src/marketing/work.hpp - what the rest of the library tells the
// marketing side: a write changed a party, so its profile and its tracked
// segment memberships follow, in the same transaction.
#pragma once

#include "records/transaction.hpp"
#include "engine/changes.hpp"
#include "crm/customer/timeline.hpp"
#include "engine/access.hpp"
#include "crm/marketing/campaign.hpp"
#include "crm/marketing/loyalty.hpp"
#include "marketing/profile.hpp"

namespace crm::marketing {

/// After a write changed `party` (the parts named by `parts`, a mask of
/// Part): brings its profile and tracked memberships up to date, when
/// profiles are kept (a segment exists). `known` is the party as just
/// stored, when the caller has it. A party merged away loses its profile
/// and leaves every segment.
result<void> party_changed(Engine::Impl& impl, Transaction& tx, const Id& party,
                           unsigned parts, const Party* known = nullptr);

/// The profiles and segment memberships as a read model of the Engine:
/// told of every party change (engine/changes.hpp) in the writer's
/// transaction, it calls party_changed, interaction_logged and
/// party_merging.
std::unique_ptr<ChangeObserver> profile_observer();

/// `from` is being merged into `to`: a campaign both were members of keeps
/// one member row, `to`'s, holding the earliest time of every status and
/// the hand-over (with its channel and address) of whichever was handed
/// over, so the merged customer is never sent the campaign twice.
result<void> party_merging(Engine::Impl& impl, Transaction& tx, const Id& from,
                           const Id& to);

/// An interaction was logged: the profile's last interaction on `channel`
/// moves to `at` when later.
result<void> interaction_logged(Engine::Impl& impl, Transaction& tx, const Id& party,
                                Channel channel, Timestamp at);

/// The members of a segment now (moved purchase windows brought up to
/// date first), sorted; not_found names `field`.
result<std::vector<Id>> segment_members_now(Engine::Impl& impl, Transaction& tx,
                                            std::string_view segment, std::string_view field,
                                            SegmentKind* kind = nullptr);

/// A scoring run replaced every party's stored lifetime value: tracked
/// dynamic segments whose rule reads clv.* are evaluated again. Answers
/// the stays opened and closed.
result<std::pair<std::int64_t, std::int64_t>> scores_changed(Engine::Impl& impl,
                                                             Transaction& tx);

/// The fields a campaign's process guards read: name, channels, segments,
/// members, expected_responses, budget.
expr::Schema campaign_schema();
/// The built-in campaign lifecycle ("campaign").
const char* campaign_process_json() noexcept;

/// A purchase was recorded or changed: every loyalty programme brings the
/// points its party holds for the order to what the order earns now
/// (`previous_party`: the party the order belonged to before, if another).
result<void> purchase_recorded(Engine::Impl& impl, Transaction& tx, const Context& ctx,
                               const Purchase& purchase, const Id& previous_party);

/// A party's standing in every programme it belongs to, with its `recent`
/// latest entries.
result<std::vector<LoyaltyStatus>> loyalty_of(Engine::Impl& impl, Transaction& tx,
                                              const Id& party, int recent);

}  // namespace crm::marketing
