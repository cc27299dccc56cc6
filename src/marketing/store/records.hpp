// marketing/store/records.hpp - the marketing context's repository: party
// profiles (the segments' read model), tracked segments, static and
// suppression lists, loyalty accounts and ledger, campaigns and members.
// Its SQL is written here once, over a storage session.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crm/expr/expr.hpp"
#include "crm/expr/sql.hpp"
#include "crm/marketing/campaign.hpp"
#include "crm/marketing/loyalty.hpp"
#include "crm/marketing/segment.hpp"
#include "crm/core/worklist.hpp"
#include "storage/list.hpp"
#include "storage/session.hpp"

namespace crm {

class MarketingRecords : public storage::Repository {
public:
    explicit MarketingRecords(storage::Session& s) : Repository(s) {}

    /// What a party's entries for one order add up to: points, amount_minor
    /// and the number of entries.
    struct OrderTotals {
        std::int64_t points = 0, amount_minor = 0, entries = 0;
    };
    result<void> put_profile(const PartyProfile& p);
    result<std::optional<PartyProfile>> get_profile(const Id& party);
    result<void> delete_profile(const Id& party);
    result<std::int64_t> profile_count();
    /// Parties whose profile's expires_at is at or before `until`, soonest
    /// first, at most `limit`.
    result<std::vector<Id>> profiles_expiring(Timestamp until, int limit);
    /// Parties whose profile matches `rule` (loaded against `schema`, the
    /// profile schema), in id order after `after` (nil: from the first), at
    /// most `limit`.
    result<std::vector<Id>> match_profiles(const expr::Schema& schema,
                                           const expr::Expr& rule,
                                           const expr::Context& context, const Id& after,
                                           int limit);
    result<std::int64_t> count_profiles(const expr::Schema& schema, const expr::Expr& rule,
                                        const expr::Context& context);
    /// The `size` matching parties with the smallest sample_key(id, seed)
    /// (crm/marketing/segment.hpp), in that order: a uniform sample that
    /// holds only `size` ids however many match.
    result<std::vector<Id>> sample_profiles(const expr::Schema& schema,
                                            const expr::Expr& rule,
                                            const expr::Context& context, int size,
                                            std::uint64_t seed);
    /// Calls `fn` for every profile in party order; stops when fn returns false.
    result<void> for_each_profile(const std::function<bool(const PartyProfile&)>& fn);
    result<void> join_segment(std::string_view segment, const Id& party, Timestamp at);
    /// Closes the party's open stay; no-op when there is none.
    result<void> leave_segment(std::string_view segment, const Id& party, Timestamp at);
    /// The party's stays (open ones only unless with_history), by segment
    /// then joined_at.
    result<std::vector<SegmentMembership>> segment_memberships(const Id& party,
                                                               bool with_history);
    /// Current members of a tracked segment, in id order after `after`.
    result<std::vector<Id>> segment_members(std::string_view segment, const Id& after,
                                            int limit);
    /// A segment's stays, the latest change (leave or join) first.
    result<std::vector<SegmentMembership>> segment_history(std::string_view segment,
                                                           int limit);
    result<bool> put_list_member(std::string_view list, const Id& party, Timestamp at);
    result<bool> delete_list_member(std::string_view list, const Id& party);
    result<void> clear_list(std::string_view list);
    /// In id order after `after`.
    result<std::vector<Id>> list_members(std::string_view list, const Id& after,
                                         int limit);
    /// The lists a party is on, by id.
    result<std::vector<std::string>> lists_of(const Id& party);
    result<bool> in_list(std::string_view list, const Id& party);
    result<bool> put_suppression(std::string_view list, const SuppressionEntry& e);
    result<bool> delete_suppression(std::string_view list, SuppressionKind kind,
                                    std::string_view value);
    /// By kind then value.
    result<std::vector<SuppressionEntry>> suppressions(std::string_view list);
    result<std::optional<SuppressionEntry>> suppression(std::string_view list,
                                                        SuppressionKind kind,
                                                        std::string_view value);
    /// The campaign worklist: where its filters live, the columns a rule
    /// over a campaign's fields reads, and a page.
    static const storage::ListSpec& campaign_list_spec();
    static expr::SqlMapping campaign_columns(const expr::Schema& schema, const storage::Dialect& d);
    result<ListPage<Campaign>> list_campaigns(const storage::ListSql& sql);
    result<void> put_campaign(const Campaign& c);
    result<std::optional<Campaign>> get_campaign(const Id& id);
    result<Id> campaign_by_external_id(std::string_view external_id);  ///< nil if none
    /// In id order after `after`, at most `limit`.
    result<std::vector<Campaign>> campaigns(const Id& after, int limit);
    /// The campaigns whose parent is `parent`, in id order.
    result<std::vector<Id>> campaign_children(const Id& parent);
    /// Inserts or replaces a member.
    result<void> put_campaign_member(const CampaignMember& m);
    result<std::optional<CampaignMember>> get_campaign_member(const Id& campaign,
                                                              const Id& party);
    /// A campaign's members in party order after `after`, at most `limit`.
    result<std::vector<CampaignMember>> campaign_members(const Id& campaign,
                                                         const Id& after, int limit);
    /// Every campaign a party is a member of, by campaign id.
    result<std::vector<CampaignMember>> campaign_members_of(const Id& party);
    /// How many campaign messages were handed over for a party at or after
    /// `since` (dispatched, or reported sent), across campaigns.
    result<std::int64_t> recent_campaign_sends(const Id& party, Timestamp since);
    /// The members no batch has handed over yet, as (channel, party), by
    /// channel then party.
    result<std::vector<std::pair<std::string, Id>>> undispatched_members(
const Id& campaign);
    /// Marks the undispatched members on `channel` with ids in (after,
    /// last] as handed over in `batch` at `at`.
    result<void> dispatch_members(const Id& campaign, std::string_view channel,
                                  const Id& after, const Id& last, std::int64_t batch,
                                  Timestamp at);
    /// The undispatched members on `channel` with ids in (after, last], in
    /// party order.
    result<std::vector<CampaignMember>> undispatched_in_range(const Id& campaign,
                                                              std::string_view channel,
                                                              const Id& after,
                                                              const Id& last);
    /// The members a batch handed over, in party order.
    result<std::vector<CampaignMember>> batch_members(const Id& campaign,
                                                      std::int64_t batch);
    result<void> put_delivery_plan(const Id& campaign, int number, Timestamp at,
                                   std::string_view body);
    /// The plan's body (number 0: the latest) and its number; nullopt if none.
    result<std::optional<std::pair<int, std::string>>> get_delivery_plan(
const Id& campaign, int number);
    result<void> put_loyalty_account(const LoyaltyAccount& a);
    result<std::optional<LoyaltyAccount>> get_loyalty_account(std::string_view program,
                                                              const Id& party);
    /// A party's accounts, by program.
    result<std::vector<LoyaltyAccount>> loyalty_accounts_of(const Id& party);
    /// A program's accounts in party order after `after`, at most `limit`.
    result<std::vector<LoyaltyAccount>> loyalty_accounts(std::string_view program,
                                                         const Id& after, int limit);
    /// Appends an entry; assigns seq. conflict (field "key") when the key is taken.
    result<void> append_ledger(LedgerEntry& e);
    result<std::optional<LedgerEntry>> ledger_by_key(std::string_view program,
                                                     std::string_view key);
    /// A party's entries in a program, newest first, at most `limit`.
    result<std::vector<LedgerEntry>> ledger_of(std::string_view program, const Id& party,
                                               int limit);
    /// The sum of a party's entries in a program.
    result<std::int64_t> loyalty_balance(std::string_view program, const Id& party);
    /// Lots with points left, the soonest expiry first (never-expiring
    /// last), then by seq.
    result<std::vector<LedgerEntry>> open_lots(std::string_view program,
                                               const Id& party);
    result<void> set_lot_remaining(std::int64_t seq, std::int64_t remaining);
    /// Lots of a program with points left whose expires_at is at or before
    /// `until`, the soonest first, at most `limit`.
    result<std::vector<LedgerEntry>> expired_lots(std::string_view program, Timestamp until,
                                                  int limit);
    result<OrderTotals> order_totals(std::string_view program, const Id& party,
                                     std::string_view order_id);
    /// Points and spend (amount_minor) a party's purchase entries (earn and
    /// adjust with an order) add up to at or after `since`.
    result<std::pair<std::int64_t, std::int64_t>> loyalty_qualifying(
std::string_view program, const Id& party, Timestamp since);
    /// Moves what this context keeps of party `from` to party `to` (a merge).
    result<void> reassign_party(const Id& from, const Id& to);

private:
    using IdText = storage::IdText;
    using Stmt = storage::Stmt;
    // A rule compiled for party_profile: "(<where>)" and its parameters.
    result<expr::SqlWhere> profile_where(const expr::Schema& schema, const expr::Expr& rule,
                                         const expr::Context& context);
    static void bind_params(Stmt& st, int first, const std::vector<expr::SqlParam>& params);
};

}  // namespace crm
