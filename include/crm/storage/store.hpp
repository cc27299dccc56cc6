// crm/storage/store.hpp - the storage interface the Engine writes through:
// a Store hands out transactions; a transaction reads and writes records.
// Backends: memory (tests, ephemeral) and SQLite (the embedded default).
// Less stable than engine.hpp: backend authors, not hosts, use it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/audit.hpp"
#include "crm/core/error.hpp"
#include "crm/customer/custom_field.hpp"
#include "crm/customer/party.hpp"
#include "crm/customer/purchase.hpp"
#include "crm/customer/timeline.hpp"
#include "crm/expr/expr.hpp"
#include "crm/marketing/campaign.hpp"
#include "crm/marketing/loyalty.hpp"
#include "crm/marketing/segment.hpp"
#include "crm/sales/forecast.hpp"
#include "crm/sales/lead.hpp"
#include "crm/sales/quote.hpp"
#include "crm/sales/opportunity.hpp"
#include "crm/service/ticket.hpp"

namespace crm::storage {

/// The key a backend indexes a contact point's value by, and looks
/// parties_by_contact() up by: e-mail addresses compare without case,
/// other kinds by their normalised value as it is.
inline std::string contact_index_key(ContactKind kind, std::string_view value) {
    std::string key(value);
    if (kind == ContactKind::email)
        for (auto& c : key)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return key;
}

/// What a search hit shows of a party: read without decoding its contact
/// points and custom values.
struct PartyBrief {
    Id id;
    PartyKind kind = PartyKind::person;
    std::string external_id;
    std::string display_name;
    std::string city;
    std::vector<std::string> tags;
    Id merged_into;  ///< nil for a live party

    static PartyBrief of(const Party& p) {
        return PartyBrief{p.id, p.kind, p.external_id, p.display_name(), p.city, p.tags, p.merged_into};
    }
};

/// A stored definition: a process definition ("process") or a business
/// calendar ("calendar"), one row per version.
struct StoredDefinition {
    std::string kind;
    std::string id;
    int version = 1;
    std::string body;  ///< the canonical JSON form
    Timestamp created_at;
    std::string actor;
};

/// Which opportunities a forecast reads: open ones expected to close in
/// [from_date, to_date) and closed ones closed in [from, to), filtered by
/// pipeline, owner and team (empty: any).
struct ForecastScope {
    ForecastGroup group_by = ForecastGroup::owner;
    std::string pipeline, owner, team;
    std::string from_date, to_date;  ///< Gregorian "YYYY-MM-DD"
    Timestamp from, to;
};

/// One group of a forecast: opportunities of one group key, currency,
/// status and forecast category.
struct ForecastCell {
    std::string group, currency, status, forecast_category;
    std::int64_t count = 0, amount_minor = 0, weighted_minor = 0;
    std::int64_t revenue_minor = 0;  ///< won deals: the actual revenue in the deal's currency
};

/// The revenue a won opportunity counts with: its close record's actual
/// revenue when in the deal's currency, else its amount.
inline std::int64_t revenue_minor(const Opportunity& o) {
    if (o.close && o.close->actual_revenue && o.amount &&
        o.close->actual_revenue->currency == o.amount->currency)
        return o.close->actual_revenue->minor;
    return o.amount ? o.amount->minor : 0;
}

/// How a name lookup matches the normalised name.
enum class NameMatch { prefix, contains };

/// One unit of work. Every write is invisible to other transactions until
/// commit(); destroying an uncommitted transaction rolls it back.
/// Savepoints nest inside it: a failed operation rolls back to its
/// savepoint and leaves the rest of the transaction intact.
/// A transaction is used by one thread.
class Transaction {
public:
    virtual ~Transaction() = default;
    virtual result<void> commit() = 0;
    virtual result<void> savepoint() = 0;
    virtual result<void> release_savepoint() = 0;
    virtual result<void> rollback_to_savepoint() = 0;

    // Parties. get_party loads contact points too; get_party_brief reads
    // only what a search hit shows.
    virtual result<std::optional<Party>> get_party(const Id& id) = 0;
    virtual result<std::optional<PartyBrief>> get_party_brief(const Id& id) = 0;
    virtual result<Id> party_by_external_id(std::string_view external_id) = 0;  ///< nil if none
    /// Inserts or replaces a party and its whole set of contact points.
    /// `name_key` is the party's normalised name, kept for name search.
    virtual result<void> put_party(const Party& party, std::string_view name_key) = 0;
    /// Live parties with a contact point whose contact_index_key() equals
    /// that of `value`.
    virtual result<std::vector<Id>> parties_by_contact(ContactKind kind, std::string_view value) = 0;
    virtual result<std::vector<Id>> parties_by_national_id(std::string_view national_id) = 0;
    virtual result<std::vector<Id>> parties_by_tag(std::string_view tag, int offset, int limit) = 0;
    /// Live (not merged-away) parties whose name key matches, ordered by
    /// name key then id.
    virtual result<std::vector<Id>> parties_by_name(std::string_view key, NameMatch match,
                                                    int offset, int limit) = 0;
    /// Calls `fn` for every live party (contacts loaded) whose id is
    /// greater than `after` (nil: from the first), in id order; stops
    /// early when fn returns false. Streams: one party in memory at a time.
    virtual result<void> for_each_party(const Id& after,
                                        const std::function<bool(const Party&)>& fn) = 0;

    // Merges: merged id -> survivor id.
    virtual result<void> put_merge(const Id& merged, const Id& survivor, Timestamp at) = 0;
    virtual result<Id> merged_into(const Id& id) = 0;  ///< nil if not merged
    virtual result<std::vector<Id>> merged_from(const Id& survivor) = 0;
    /// Moves interactions, activities, purchases, opportunities, leads
    /// (as party or organisation), quotes, tickets (as party or contact), NPS
    /// answers, memberships, static list places, party suppression
    /// entries, loyalty accounts and ledger entries of `from` to `to`; a
    /// membership, list place or loyalty account both already have keeps
    /// `to`'s.
    virtual result<void> reassign_party(const Id& from, const Id& to) = 0;

    // Memberships.
    virtual result<void> put_membership(const Membership& m) = 0;
    virtual result<bool> delete_membership(const Id& person, const Id& organization) = 0;
    virtual result<std::vector<Membership>> memberships_of(const Id& party) = 0;

    // Interactions, newest first; `before` is an opaque cursor from a previous page.
    virtual result<void> put_interaction(const Interaction& i) = 0;
    virtual result<std::optional<Interaction>> interaction_by_external_id(std::string_view ext) = 0;
    virtual result<Page<Interaction>> interactions(const Id& party, const TimelineQuery& q) = 0;

    // Activities.
    virtual result<void> put_activity(const Activity& a) = 0;
    virtual result<std::optional<Activity>> get_activity(const Id& id) = 0;
    /// Open activities of a party, soonest due first.
    virtual result<std::vector<Activity>> open_activities(const Id& party, int limit) = 0;
    /// Open activities of an assignee due strictly before `until`, soonest first.
    virtual result<std::vector<Activity>> activities_due(std::string_view assignee, Timestamp until,
                                                         int limit) = 0;

    // Purchases, and the per-party summary the store keeps on every write.
    virtual result<std::optional<Purchase>> purchase_by_order_id(std::string_view order_id) = 0;
    virtual result<void> put_purchase(const Purchase& p) = 0;
    virtual result<std::vector<Purchase>> purchases_of(const Id& party) = 0;
    virtual result<std::vector<PurchaseSummary>> purchase_summary(const Id& party) = 0;

    // Custom field declarations.
    virtual result<void> put_field(const FieldDef& def) = 0;
    virtual result<std::vector<FieldDef>> fields(std::string_view record_type) = 0;

    // Definitions, versioned per (kind, id).
    virtual result<void> put_definition(const StoredDefinition& d) = 0;
    /// `version` 0: the latest.
    virtual result<std::optional<StoredDefinition>> get_definition(std::string_view kind,
                                                                   std::string_view id,
                                                                   int version) = 0;
    /// The latest version of every id of `kind`, by id.
    virtual result<std::vector<StoredDefinition>> definitions(std::string_view kind) = 0;
    /// The latest version of (kind, id); 0 when none is stored.
    virtual result<int> definition_version(std::string_view kind, std::string_view id) = 0;
    /// The latest version of every id of `kind`, by id, without bodies.
    virtual result<std::vector<std::pair<std::string, int>>> definition_versions(
        std::string_view kind) = 0;

    // Opportunities.
    virtual result<void> put_opportunity(const Opportunity& o) = 0;
    virtual result<std::optional<Opportunity>> get_opportunity(const Id& id) = 0;
    virtual result<Id> opportunity_by_external_id(std::string_view external_id) = 0;  ///< nil if none
    /// The opportunities of a party, newest first.
    virtual result<std::vector<Opportunity>> opportunities_of(const Id& party) = 0;
    /// Ids of the opportunities of `pipeline` on `version` (0: any) after
    /// `after` (nil: from the first), in id order, at most `limit`.
    virtual result<std::vector<Id>> opportunities_in(std::string_view pipeline, int version,
                                                     const Id& after, int limit) = 0;
    /// Count, amount and weighted amount per (stage, currency) of the
    /// pipeline's opportunities, ordered by stage then currency.
    virtual result<std::vector<StageTotal>> stage_totals(std::string_view pipeline) = 0;

    /// The cells of a forecast, ordered by group, currency, status, category.
    virtual result<std::vector<ForecastCell>> forecast_cells(const ForecastScope& scope) = 0;
    /// Mean time in each stage over the opportunity history entries of
    /// [scope.from, scope.to) that left a stage (scope.pipeline filters;
    /// owner and team do not), ordered by pipeline and stage.
    virtual result<std::vector<StageDuration>> stage_durations(const ForecastScope& scope) = 0;
    /// The latest history entry at or before `at` of every record of
    /// `record_type` on process `process`, in record id order.
    virtual result<std::vector<HistoryEntry>> history_as_of(std::string_view record_type,
                                                            std::string_view process,
                                                            Timestamp at) = 0;

    // Leads.
    virtual result<void> put_lead(const Lead& l) = 0;
    virtual result<std::optional<Lead>> get_lead(const Id& id) = 0;
    virtual result<Id> lead_by_external_id(std::string_view external_id) = 0;  ///< nil if none
    /// The leads of a party, newest first.
    virtual result<std::vector<Lead>> leads_of(const Id& party) = 0;

    // The product catalogue, by sku.
    virtual result<void> put_product(const Product& p) = 0;
    virtual result<std::optional<Product>> get_product(std::string_view sku) = 0;
    /// Products whose sku sorts after `after` ("" : from the first), in sku
    /// order, at most `limit`.
    virtual result<std::vector<Product>> products(std::string_view after, int limit) = 0;

    // Quotes: one record per revision.
    virtual result<void> put_quote(const Quote& q) = 0;
    virtual result<std::optional<Quote>> get_quote(const Id& id) = 0;
    /// The latest revision carrying `number`; nil if none.
    virtual result<Id> quote_by_number(std::string_view number) = 0;
    /// The quotes of a party, newest first.
    virtual result<std::vector<Quote>> quotes_of(const Id& party) = 0;
    /// The quotes of an opportunity, newest first.
    virtual result<std::vector<Quote>> quotes_for_opportunity(const Id& opportunity) = 0;
    /// Every revision of the quote whose first revision is `root`, oldest first.
    virtual result<std::vector<Quote>> quote_revisions(const Id& root) = 0;

    // Tickets and their comments. `body` is the ticket's JSON form when the
    // caller has made it already (the SQLite backend keeps it as is), or
    // empty for the backend to make.
    virtual result<void> put_ticket(const Ticket& t, std::string_view body = {}) = 0;
    virtual result<std::optional<Ticket>> get_ticket(const Id& id) = 0;
    virtual result<Id> ticket_by_external_id(std::string_view external_id) = 0;  ///< nil if none
    /// The tickets of a party, newest first.
    virtual result<std::vector<Ticket>> tickets_of(const Id& party) = 0;
    /// Ids of the tickets whose due_at is at or before `until`, soonest
    /// first, at most `limit`.
    virtual result<std::vector<Id>> tickets_due(Timestamp until, int limit) = 0;
    /// Ids of the open tickets (status "open") whose clocks follow SLA
    /// policy `policy`, after `after` (nil: from the first), in id order.
    virtual result<std::vector<Id>> open_tickets_of_policy(std::string_view policy,
                                                           const Id& after, int limit) = 0;
    /// The number of open tickets per assignee in `queue` ("" for the
    /// unassigned ones), by assignee.
    virtual result<std::vector<std::pair<std::string, int>>> open_ticket_counts(
        std::string_view queue) = 0;
    /// Calls `fn` for every ticket, in id order, one in memory at a time;
    /// stops early when fn returns false. For reports.
    virtual result<void> for_each_ticket(const std::function<bool(const Ticket&)>& fn) = 0;
    virtual result<void> put_comment(const TicketComment& c) = 0;
    /// Oldest first; public ones only unless include_internal.
    virtual result<std::vector<TicketComment>> comments_of(const Id& ticket,
                                                           bool include_internal) = 0;

    // Net Promoter Score answers.
    virtual result<void> put_nps(const NpsResponse& r) = 0;
    /// A party's answers, newest first, at most `limit`.
    virtual result<std::vector<NpsResponse>> nps_of(const Id& party, int limit) = 0;
    /// Every answer given in [from, to), oldest first.
    virtual result<std::vector<NpsResponse>> nps_between(Timestamp from, Timestamp to) = 0;

    // Party profiles (segments): one per live party once profiles are built.
    virtual result<void> put_profile(const PartyProfile& p) = 0;
    virtual result<std::optional<PartyProfile>> get_profile(const Id& party) = 0;
    virtual result<void> delete_profile(const Id& party) = 0;
    virtual result<std::int64_t> profile_count() = 0;
    /// Parties whose profile's expires_at is at or before `until`, soonest
    /// first, at most `limit`.
    virtual result<std::vector<Id>> profiles_expiring(Timestamp until, int limit) = 0;
    /// Parties whose profile matches `rule` (loaded against `schema`, the
    /// profile schema), in id order after `after` (nil: from the first), at
    /// most `limit`.
    virtual result<std::vector<Id>> match_profiles(const expr::Schema& schema,
                                                   const expr::Expr& rule,
                                                   const expr::Context& context, const Id& after,
                                                   int limit) = 0;
    virtual result<std::int64_t> count_profiles(const expr::Schema& schema, const expr::Expr& rule,
                                                const expr::Context& context) = 0;
    /// The `size` matching parties with the smallest sample_key(id, seed)
    /// (crm/marketing/segment.hpp), in that order: a uniform sample that
    /// holds only `size` ids however many match.
    virtual result<std::vector<Id>> sample_profiles(const expr::Schema& schema,
                                                    const expr::Expr& rule,
                                                    const expr::Context& context, int size,
                                                    std::uint64_t seed) = 0;
    /// Calls `fn` for every profile in party order; stops when fn returns false.
    virtual result<void> for_each_profile(const std::function<bool(const PartyProfile&)>& fn) = 0;
    /// The instant of a party's last interaction on each channel it has used.
    virtual result<std::vector<std::pair<Channel, Timestamp>>> last_interactions(const Id& party) = 0;
    /// Live parties with an e-mail address in `domain` (lower case).
    virtual result<std::vector<Id>> parties_by_email_domain(std::string_view domain) = 0;

    // Tracked segment memberships: a row per stay, open while left_at is unset.
    virtual result<void> join_segment(std::string_view segment, const Id& party, Timestamp at) = 0;
    /// Closes the party's open stay; no-op when there is none.
    virtual result<void> leave_segment(std::string_view segment, const Id& party, Timestamp at) = 0;
    /// The party's stays (open ones only unless with_history), by segment
    /// then joined_at.
    virtual result<std::vector<SegmentMembership>> segment_memberships(const Id& party,
                                                                       bool with_history) = 0;
    /// Current members of a tracked segment, in id order after `after`.
    virtual result<std::vector<Id>> segment_members(std::string_view segment, const Id& after,
                                                    int limit) = 0;
    /// A segment's stays, the latest change (leave or join) first.
    virtual result<std::vector<SegmentMembership>> segment_history(std::string_view segment,
                                                                   int limit) = 0;

    // Static lists; true when the row was added or removed.
    virtual result<bool> put_list_member(std::string_view list, const Id& party, Timestamp at) = 0;
    virtual result<bool> delete_list_member(std::string_view list, const Id& party) = 0;
    virtual result<void> clear_list(std::string_view list) = 0;
    /// In id order after `after`.
    virtual result<std::vector<Id>> list_members(std::string_view list, const Id& after,
                                                 int limit) = 0;
    virtual result<bool> in_list(std::string_view list, const Id& party) = 0;
    /// The lists a party is on, by id.
    virtual result<std::vector<std::string>> lists_of(const Id& party) = 0;

    // Suppression lists, by (list, kind, value); true when added or removed.
    virtual result<bool> put_suppression(std::string_view list, const SuppressionEntry& e) = 0;
    virtual result<bool> delete_suppression(std::string_view list, SuppressionKind kind,
                                            std::string_view value) = 0;
    /// By kind then value.
    virtual result<std::vector<SuppressionEntry>> suppressions(std::string_view list) = 0;
    virtual result<std::optional<SuppressionEntry>> suppression(std::string_view list,
                                                                SuppressionKind kind,
                                                                std::string_view value) = 0;

    // Loyalty: accounts by (program, party), and the ledger.
    virtual result<void> put_loyalty_account(const LoyaltyAccount& a) = 0;
    virtual result<std::optional<LoyaltyAccount>> get_loyalty_account(std::string_view program,
                                                                      const Id& party) = 0;
    /// A party's accounts, by program.
    virtual result<std::vector<LoyaltyAccount>> loyalty_accounts_of(const Id& party) = 0;
    /// A program's accounts in party order after `after`, at most `limit`.
    virtual result<std::vector<LoyaltyAccount>> loyalty_accounts(std::string_view program,
                                                                 const Id& after, int limit) = 0;
    /// Appends an entry; assigns seq. conflict (field "key") when the key is taken.
    virtual result<void> append_ledger(LedgerEntry& e) = 0;
    virtual result<std::optional<LedgerEntry>> ledger_by_key(std::string_view program,
                                                             std::string_view key) = 0;
    /// A party's entries in a program, newest first, at most `limit`.
    virtual result<std::vector<LedgerEntry>> ledger_of(std::string_view program, const Id& party,
                                                       int limit) = 0;
    /// The sum of a party's entries in a program.
    virtual result<std::int64_t> loyalty_balance(std::string_view program, const Id& party) = 0;
    /// Lots with points left, the soonest expiry first (never-expiring
    /// last), then by seq.
    virtual result<std::vector<LedgerEntry>> open_lots(std::string_view program,
                                                       const Id& party) = 0;
    virtual result<void> set_lot_remaining(std::int64_t seq, std::int64_t remaining) = 0;
    /// Lots of a program with points left whose expires_at is at or before
    /// `until`, the soonest first, at most `limit`.
    virtual result<std::vector<LedgerEntry>> expired_lots(std::string_view program, Timestamp until,
                                                          int limit) = 0;
    /// What a party's entries for one order add up to: points, amount_minor
    /// and the number of entries.
    struct OrderTotals {
        std::int64_t points = 0, amount_minor = 0, entries = 0;
    };
    virtual result<OrderTotals> order_totals(std::string_view program, const Id& party,
                                             std::string_view order_id) = 0;
    /// Points and spend (amount_minor) a party's purchase entries (earn and
    /// adjust with an order) add up to at or after `since`.
    virtual result<std::pair<std::int64_t, std::int64_t>> loyalty_qualifying(
        std::string_view program, const Id& party, Timestamp since) = 0;

    // Campaigns, their members and delivery plans.
    virtual result<void> put_campaign(const Campaign& c) = 0;
    virtual result<std::optional<Campaign>> get_campaign(const Id& id) = 0;
    virtual result<Id> campaign_by_external_id(std::string_view external_id) = 0;  ///< nil if none
    /// In id order after `after`, at most `limit`.
    virtual result<std::vector<Campaign>> campaigns(const Id& after, int limit) = 0;
    /// The campaigns whose parent is `parent`, in id order.
    virtual result<std::vector<Id>> campaign_children(const Id& parent) = 0;
    /// Inserts or replaces a member.
    virtual result<void> put_campaign_member(const CampaignMember& m) = 0;
    virtual result<std::optional<CampaignMember>> get_campaign_member(const Id& campaign,
                                                                      const Id& party) = 0;
    /// A campaign's members in party order after `after`, at most `limit`.
    virtual result<std::vector<CampaignMember>> campaign_members(const Id& campaign,
                                                                 const Id& after, int limit) = 0;
    /// Every campaign a party is a member of, by campaign id.
    virtual result<std::vector<CampaignMember>> campaign_members_of(const Id& party) = 0;
    /// How many campaign messages were handed over for a party at or after
    /// `since` (dispatched, or reported sent), across campaigns.
    virtual result<std::int64_t> recent_campaign_sends(const Id& party, Timestamp since) = 0;
    /// The members no batch has handed over yet, as (channel, party), by
    /// channel then party.
    virtual result<std::vector<std::pair<std::string, Id>>> undispatched_members(
        const Id& campaign) = 0;
    /// Marks the undispatched members on `channel` with ids in (after,
    /// last] as handed over in `batch` at `at`.
    virtual result<void> dispatch_members(const Id& campaign, std::string_view channel,
                                          const Id& after, const Id& last, std::int64_t batch,
                                          Timestamp at) = 0;
    /// The undispatched members on `channel` with ids in (after, last], in
    /// party order.
    virtual result<std::vector<CampaignMember>> undispatched_in_range(const Id& campaign,
                                                                      std::string_view channel,
                                                                      const Id& after,
                                                                      const Id& last) = 0;
    /// The members a batch handed over, in party order.
    virtual result<std::vector<CampaignMember>> batch_members(const Id& campaign,
                                                              std::int64_t batch) = 0;
    virtual result<void> put_delivery_plan(const Id& campaign, int number, Timestamp at,
                                           std::string_view body) = 0;
    /// The plan's body (number 0: the latest) and its number; nullopt if none.
    virtual result<std::optional<std::pair<int, std::string>>> get_delivery_plan(
        const Id& campaign, int number) = 0;
    /// Opportunities and leads whose campaign is `campaign` (the campaign's
    /// id text or external id), in id order.
    virtual result<std::vector<Opportunity>> opportunities_of_campaign(
        const std::vector<std::string>& keys) = 0;
    virtual result<std::vector<Lead>> leads_of_campaign(const std::vector<std::string>& keys) = 0;

    // History of process records; append assigns seq.
    virtual result<void> append_history(HistoryEntry& entry) = 0;
    /// Oldest first.
    virtual result<std::vector<HistoryEntry>> history_of(std::string_view record_type,
                                                         const Id& id) = 0;
    /// Calls `fn` for every history entry of `record_type` written in
    /// [from, to), oldest first; stops early when fn returns false.
    virtual result<void> for_each_history(std::string_view record_type, Timestamp from, Timestamp to,
                                          const std::function<bool(const HistoryEntry&)>& fn) = 0;

    // Audit and outbox; append assigns seq.
    virtual result<void> append_audit(AuditEntry& entry) = 0;
    virtual result<std::vector<AuditEntry>> audit_of(const Id& record, int limit) = 0;
    virtual result<void> append_event(Event& event) = 0;
    virtual result<std::vector<Event>> events_after(std::int64_t cursor, int limit) = 0;
    virtual result<void> set_cursor(std::string_view consumer, std::int64_t cursor) = 0;
    virtual result<std::int64_t> cursor(std::string_view consumer) = 0;  ///< 0 if none
};

/// A database. Thread-safe: transactions may be begun from several threads;
/// the backend serialises writers.
class Store {
public:
    virtual ~Store() = default;
    virtual result<std::unique_ptr<Transaction>> begin() = 0;
    /// A transaction the caller only reads in: a consistent snapshot that
    /// takes no write lock where the backend can tell the difference.
    virtual result<std::unique_ptr<Transaction>> begin_read() { return begin(); }
    /// A bulk load starts (true) or ends (false); called with no
    /// transaction open. The backend may trade read caching for memory
    /// bounded by its page cache while it lasts.
    virtual result<void> bulk_load(bool on) { (void)on; return ok(); }
    /// "sqlite" (an in-memory store too), or a host's own backend's name.
    virtual std::string_view backend() const noexcept = 0;
};

/// SQLite's private :memory: database, empty; lost when destroyed (null if SQLite fails).
CRM_API std::unique_ptr<Store> open_memory();

struct SqliteOptions {
    std::string path;           ///< file name; ":memory:" for a private in-memory database
    bool create = true;         ///< create the file when missing
    bool read_only = false;
    int busy_timeout_ms = 5000;
};

/// Opens (and creates, and migrates) a SQLite database. A file written by a
/// newer crmcore fails with version_mismatch; an unreadable one with storage.
CRM_API result<std::unique_ptr<Store>> open_sqlite(const SqliteOptions& options);

/// The schema version this build of crmcore writes.
CRM_API int sqlite_schema_version() noexcept;

}  // namespace crm::storage
