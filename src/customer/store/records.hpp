// customer/store/records.hpp - the customer context's repository: parties,
// contact points, tags, merges, memberships, timeline, activities,
// purchases and custom field declarations.
// Its SQL is written here once, over a storage session.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crm/customer/custom_field.hpp"
#include "crm/customer/party.hpp"
#include "crm/customer/purchase.hpp"
#include "crm/customer/timeline.hpp"
#include "crm/core/worklist.hpp"
#include "crm/expr/sql.hpp"
#include "storage/list.hpp"
#include "storage/session.hpp"

namespace crm {

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

/// How a name lookup matches the normalised name.
/// How a name lookup matches: on the name key (text::normalize) or the
/// Latin key (text::latin_key), from its start or anywhere in it.
enum class NameMatch { prefix, contains, latin_prefix, latin_contains };

class CustomerRecords : public storage::Repository {
public:
    explicit CustomerRecords(storage::Session& s) : Repository(s) {}

    result<std::optional<Party>> get_party(const Id& id);
    result<std::optional<PartyBrief>> get_party_brief(const Id& id);
    result<Id> party_by_external_id(std::string_view external_id);  ///< nil if none
    /// Inserts or replaces a party and its whole set of contact points.
    /// `name_key` is the party's normalised name, kept for name search.
    result<void> put_party(const Party& party, std::string_view name_key);
    /// Live parties with a contact point whose contact_index_key() equals
    /// that of `value`.
    result<std::vector<Id>> parties_by_contact(ContactKind kind, std::string_view value);
    result<std::vector<Id>> parties_by_national_id(std::string_view national_id);
    result<std::vector<Id>> parties_by_tag(std::string_view tag, int offset, int limit);
    /// Live (not merged-away) parties whose name key matches, ordered by
    /// name key then id.
    result<std::vector<Id>> parties_by_name(std::string_view key, NameMatch match,
                                            int offset, int limit);
    /// Calls `fn` for every live party (contacts loaded) whose id is
    /// greater than `after` (nil: from the first), in id order; stops
    /// early when fn returns false. Streams: one party in memory at a time.
    result<void> for_each_party(const Id& after,
                                const std::function<bool(const Party&)>& fn);
    result<void> put_merge(const Id& merged, const Id& survivor, Timestamp at);
    result<Id> merged_into(const Id& id);  ///< nil if not merged
    result<std::vector<Id>> merged_from(const Id& survivor);
    result<void> put_membership(const Membership& m);
    result<bool> delete_membership(const Id& person, const Id& organization);
    result<std::vector<Membership>> memberships_of(const Id& party);
    result<void> put_interaction(const Interaction& i);
    result<std::optional<Interaction>> interaction_by_external_id(std::string_view ext);
    result<Page<Interaction>> interactions(const Id& party, const TimelineQuery& q);
    result<void> put_activity(const Activity& a);
    result<std::optional<Activity>> get_activity(const Id& id);
    /// Open activities of a party, soonest due first.
    result<std::vector<Activity>> open_activities(const Id& party, int limit);
    /// Open activities of an assignee due strictly before `until`, soonest first.
    result<std::vector<Activity>> activities_due(std::string_view assignee, Timestamp until,
                                                 int limit);
    /// The activity worklist: where its filters live, and a page of it.
    static const storage::ListSpec& activity_list_spec();
    /// The fields a rule over an activity may name (subject, note, kind,
    /// status, assignee; due, created_at, closed_at) and their columns.
    static expr::Schema activity_schema();
    static expr::SqlMapping activity_columns(const expr::Schema& schema, const storage::Dialect& d);
    result<ListPage<Activity>> list_activities(const storage::ListSql& sql);
    /// SQL reading `column` (kind, lifecycle_stage, city, tags) of the party
    /// whose id `party_id_sql` reads: what another record's rule fields
    /// party_kind, party_stage, party_city and party_tags map to.
    static std::string party_column_sql(std::string_view column, std::string_view party_id_sql);
    /// A condition with one parameter: the party whose id `party_id_sql`
    /// reads carries that tag (a worklist's tag filter).
    static std::string party_tag_sql(std::string_view party_id_sql);
    result<std::optional<Purchase>> purchase_by_order_id(std::string_view order_id);
    result<void> put_purchase(const Purchase& p);
    result<std::vector<Purchase>> purchases_of(const Id& party);
    result<std::vector<PurchaseSummary>> purchase_summary(const Id& party);
    /// Calls fn(party id text, ordered_at, total_minor, currency) for every
    /// purchase of a party whose id text is above `after` ("": every
    /// party), in (party, ordered_at) order, read from the index alone;
    /// stops when fn returns false. Streams: nothing is collected.
    using PurchaseRowFn = std::function<bool(std::string_view party, Timestamp at,
                                             std::int64_t total_minor, std::string_view currency)>;
    result<void> for_each_purchase_row(std::string_view after, const PurchaseRowFn& fn);
    /// Deletes every stored CLV score: a scoring run replaces them all.
    result<void> clear_clv_scores();
    result<void> put_clv_score(const ClvScore& score);
    result<std::optional<ClvScore>> clv_score(const Id& party);
    /// Every stored score, in no particular order; stops when fn returns false.
    result<void> for_each_clv_score(const std::function<bool(const ClvScore&)>& fn);
    result<void> put_field(const FieldDef& def);
    result<std::vector<FieldDef>> fields(std::string_view record_type);
    /// The instant of a party's last interaction on each channel it has used.
    result<std::vector<std::pair<Channel, Timestamp>>> last_interactions(const Id& party);
    /// Live parties with an e-mail address in `domain` (lower case).
    result<std::vector<Id>> parties_by_email_domain(std::string_view domain);
    /// Moves what this context keeps of party `from` to party `to` (a merge).
    result<void> reassign_party(const Id& from, const Id& to);

private:
    using IdText = storage::IdText;
    using Stmt = storage::Stmt;
    // Binds the party columns ?1..?19 shared by the insert and the update.
    struct PartyText {
        IdText id;
        std::optional<IdText> merged;
        std::string tags, custom, contacts;
    };
    static void bind_party(Stmt& st, const Party& p, const PartyText& t, std::string_view key,
                           std::string_view latin);
    result<void> put_party_impl(const Party& p, std::string_view name_key);
    // OR IGNORE: a list may name the same tag or contact twice.
    result<void> add_tag(const IdText& pid, std::string_view tag);
    result<void> drop_tag(const IdText& pid, std::string_view tag);
    result<void> add_contact_key(const IdText& pid, std::string_view kind, std::string_view value);
    result<void> drop_contact_key(const IdText& pid, std::string_view kind,
                                  std::string_view value);
    struct OldPurchase {
        std::string party;
        std::string currency;
    };
    result<void> put_purchase_impl(const Purchase& p);
    result<void> write_purchase(const Purchase& p, const IdText& id, const IdText& party);
    result<void> recompute_summary(std::string_view party, std::string_view currency);
};

}  // namespace crm
