// crm/marketing/marketing.hpp - crm::Marketing, the marketing side of an
// Engine: segments over party profiles (dynamic, tracked with history,
// static lists, suppression lists, set algebra), their size, members,
// samples and explanations.
//
//     crm::Marketing mk(*engine);
//     mk.define_segment(ctx, R"({"id": "loyal", "kind": "dynamic",
//                                "rule": "purchases.count_365d >= 3 and consent.sms"})");
//     auto n = mk.count(ctx, "loyal");             // evaluated now, nothing materialised
//     auto why = mk.explain(ctx, "loyal", party);  // which conditions held
//     mk.refresh(ctx);                        // the host calls it now and then, like tick
//
// A Marketing is a handle: cheap, holding only the Engine, which must
// outlive it. Every write runs in one transaction (or under a savepoint of
// the Engine's open one) and a failed call changes nothing.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/engine.hpp"
#include "crm/marketing/campaign.hpp"
#include "crm/marketing/loyalty.hpp"
#include "crm/marketing/segment.hpp"

namespace crm {

/// Which conditions of a segment held for one party. `tree` is JSON:
/// {"held": bool, "condition": <rule node>, "children": [...]} for rules
/// ("values" on the root: every field the rule reads, as the profile has
/// it); {"held", "segment", "kind", "children"} for sets; {"held",
/// "segment", "kind", "entry"} for a suppression match.
struct SegmentExplanation {
    std::string segment;
    Id party;
    bool member = false;
    std::string tree;
};

/// What refresh() did.
struct SegmentRefreshReport {
    std::int64_t profiles_refreshed = 0;  ///< profiles whose purchase windows moved
    std::int64_t segments_evaluated = 0;  ///< tracked segments scanned again (relative times)
    std::int64_t joined = 0, left = 0;    ///< membership changes written
    bool rfm_scored = false;
};

struct SegmentRefreshOptions {
    /// Also recompute the RFM quintiles over every profile and score all
    /// parties again (a full pass; once a day is plenty).
    bool rfm = false;
    /// Called with the number of profiles or members handled so far.
    std::function<void(std::int64_t done)> progress;
};

class CRM_API Marketing {
public:
    explicit Marketing(Engine& engine) noexcept;

    // ---- settings and profiles -----------------------------------------------
    /// Stores the settings (JSON, MarketingSettings); a changed currency
    /// builds every profile again.
    result<Written<MarketingSettings>> configure(const Context& ctx, std::string_view json);
    result<MarketingSettings> settings();
    /// The fields a segment rule may name: the party's own (kind,
    /// lifecycle_stage, owner, city, country, tags, created_at, custom.*),
    /// consent.<channel>, organizations, purchases.*, rfm.*,
    /// last_interaction.<channel>, tickets.*, campaigns.* (docs/MARKETING.md).
    result<expr::Schema> profile_schema();
    /// A party's profile; not_found when profiles are not built yet (no
    /// segment defined) or the party is unknown.
    result<PartyProfile> profile(const Id& party);
    /// Builds every live party's profile again, in batches (progress: parties done).
    result<std::int64_t> rebuild_profiles(const Context& ctx,
                                          const std::function<void(std::int64_t)>& progress = {});

    // ---- segments --------------------------------------------------------------
    /// Stores a segment (JSON, crm::Segment) as a new version, or answers
    /// `unchanged` for the same content. The first segment builds every
    /// profile; a tracked dynamic segment's membership is evaluated at once
    /// (joined now). A kind cannot change between versions.
    result<Written<Segment>> define_segment(const Context& ctx, std::string_view json);
    result<Segment> segment(std::string_view id);
    result<std::vector<Segment>> segments();

    /// The number of members, evaluated now (profiles whose windows moved
    /// are brought up to date first).
    result<std::int64_t> count(const Context& ctx, std::string_view segment);
    /// Members in id order after `after` (nil: from the first), at most
    /// `limit` (1..100000).
    result<std::vector<Id>> members(const Context& ctx, std::string_view segment,
                                    const Id& after = {}, int limit = 1000);
    /// A uniform sample of up to `size` members (1..10000): the members with
    /// the smallest sample_key(id, seed). The same seed gives the same
    /// sample while membership is unchanged, and a member stays in it as
    /// others come and go. One scan that holds only `size` ids.
    result<std::vector<Id>> sample(const Context& ctx, std::string_view segment, int size,
                                   std::uint64_t seed = 0);
    /// Why `party` is or is not a member.
    result<SegmentExplanation> explain(const Context& ctx, std::string_view segment,
                                       const Id& party);

    /// A party's tracked memberships, current ones only unless with_history.
    result<std::vector<SegmentMembership>> memberships(const Id& party, bool with_history = false);
    /// Joins and leaves of a tracked segment, newest first, at most `limit`.
    result<std::vector<SegmentMembership>> membership_history(std::string_view segment,
                                                              int limit = 100);

    // ---- static lists and suppression lists ------------------------------
    /// Adds parties to a list segment; answers how many were not in it.
    result<std::int64_t> add_to_list(const Context& ctx, std::string_view list,
                                     const std::vector<Id>& parties);
    /// Removes parties from a list segment; answers how many were in it.
    result<std::int64_t> remove_from_list(const Context& ctx, std::string_view list,
                                          const std::vector<Id>& parties);
    /// Stores a list segment `list` (created when missing) holding exactly
    /// the current members of `from`; answers the member count.
    result<std::int64_t> snapshot(const Context& ctx, std::string_view from, std::string_view list);
    /// Adds an entry to a suppression list (value normalised: a party id
    /// or external id, an address, a domain, a phone in any spelling).
    result<SuppressionEntry> suppress(const Context& ctx, std::string_view list,
                                      SuppressionKind kind, std::string_view value,
                                      std::string_view reason = {});
    /// Removes an entry; answers whether it was there.
    result<bool> unsuppress(const Context& ctx, std::string_view list, SuppressionKind kind,
                            std::string_view value);
    result<std::vector<SuppressionEntry>> suppression_entries(std::string_view list);

    // ---- time ------------------------------------------------------------------
    /// Brings purchase windows that moved up to date, scans again the
    /// tracked segments whose rules read relative times (now - 30d), and
    /// with options.rfm scores RFM again. Call it as often as tick.
    result<SegmentRefreshReport> refresh(const Context& ctx,
                                         const SegmentRefreshOptions& options = {});

    // ---- campaigns (کمپین) -------------------------------------------------------------
    /// Creates a campaign (JSON, crm::Campaign) in the first state of its
    /// process ("campaign": proposed). conflict if external_id is taken.
    result<Campaign> create_campaign(const Context& ctx, std::string_view json);
    /// Changes the given fields. The audience (channels, segments,
    /// suppressions, frequency cap, groups, seed) only before launch;
    /// names, costs and expectations at any time before the end.
    result<Campaign> update_campaign(const Context& ctx, const Id& id, std::string_view json);
    /// By id or external id.
    result<Campaign> campaign(std::string_view id_or_external_id);
    /// In id order after `after`, at most `limit` (1..1000).
    result<std::vector<Campaign>> campaigns(const Id& after = {}, int limit = 100);
    /// Campaigns filtered by state, status, creation and change, or a rule
    /// over name, channels, segments, members, expected_responses and
    /// budget; ordered and paged (crm/core/worklist.hpp).
    result<ListPage<Campaign>> list_campaigns(const ListQuery& query);
    /// A move of the campaign's process: ready, launch, suspend, resume,
    /// complete, cancel (with a reason). Launching takes the audience's
    /// members minus the suppression lists, those without consent on any of
    /// the channels and those over the frequency cap; no member left is
    /// invalid_argument ("segments" for an empty audience, "channels" when
    /// nobody has consent), and nothing changes.
    result<Campaign> move_campaign(const Context& ctx, const Id& id, std::string_view move,
                                   std::string_view reason = {});
    /// Members in party order after `after`, at most `limit` (1..10000).
    result<std::vector<CampaignMember>> campaign_members(const Id& campaign, const Id& after = {},
                                                         int limit = 1000);
    /// The host reports what happened to a member's message. Idempotent:
    /// a status keeps the time first reported; a funnel status implies the
    /// earlier ones. unsubscribed opts the member's address out of the
    /// channel. Not before launch (invalid_transition).
    result<CampaignMember> report_status(const Context& ctx, const Id& campaign, const Id& party,
                                         MemberStatus status, std::optional<Timestamp> at = {});
    /// Plans the delivery of every member not yet handed over, for a
    /// launched campaign (invalid_transition otherwise).
    result<DeliveryPlan> plan_delivery(const Context& ctx, const Id& campaign,
                                       const PlanOptions& options = {});
    /// A stored plan; number 0 is the latest.
    result<DeliveryPlan> delivery_plan(const Id& campaign, int number = 0);
    /// Hands one batch of a plan over: its members not handed over before
    /// are marked and answered. The same batch again answers the same
    /// members; a member is never handed over twice. Only while launched.
    result<std::vector<CampaignMember>> dispatch(const Context& ctx, const Id& campaign, int plan,
                                                 int batch);
    /// Figures, A/B groups, attribution (direct, first touch, last touch),
    /// cost per lead and ROI, with the children rolled up.
    result<CampaignReport> campaign_report(const Id& campaign);

    // ---- the customer club (باشگاه مشتریان) ---------------------------------------
    /// Stores a loyalty programme (JSON, crm::LoyaltyProgram) as a new
    /// version, or answers `unchanged`. Members earn by the latest version.
    result<Written<LoyaltyProgram>> define_loyalty_program(const Context& ctx, std::string_view json);
    result<LoyaltyProgram> loyalty_program(std::string_view id);
    result<std::vector<LoyaltyProgram>> loyalty_programs();
    /// Makes a party a member (in the lowest tier); enrolling again answers
    /// its standing. A member earns on every purchase recorded from then on.
    result<LoyaltyStatus> enrol(const Context& ctx, std::string_view program, const Id& party);
    /// A member's tier, balance and `recent` latest entries (0..1000).
    result<LoyaltyStatus> loyalty(std::string_view program, const Id& party, int recent = 20);
    /// Spends `points` (above 0) of the balance, oldest expiry first.
    /// invalid_argument naming "points" beyond the balance. `key` is the
    /// idempotency key (required, at most 200 bytes): the same key again
    /// answers the stored entry; with other points, conflict.
    result<LedgerEntry> redeem(const Context& ctx, std::string_view program, const Id& party,
                               std::int64_t points, std::string_view key,
                               std::string_view reason = {});
    /// Adds (points > 0, a lot that expires like earned points) or takes
    /// away (points < 0, at most the balance) points by hand, with `key`.
    result<LedgerEntry> adjust(const Context& ctx, std::string_view program, const Id& party,
                               std::int64_t points, std::string_view key,
                               std::string_view reason = {});
    /// Expires the points whose time has come and reviews every member's
    /// tier (up or down) over the tier window; "" for every programme.
    /// Call it once a day.
    result<LoyaltyRefreshReport> refresh_loyalty(const Context& ctx, std::string_view program = {});

private:
    Engine* engine_;
};

}  // namespace crm
