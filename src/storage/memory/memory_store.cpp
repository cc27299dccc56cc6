// src/storage/memory/memory_store.cpp - the in-memory backend: maps with
// secondary indexes, one writer at a time, and an undo log that makes
// rollback and savepoints exact.
#include <algorithm>
#include <climits>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <tuple>
#include <unordered_map>

#include "crm/storage/store.hpp"
#include "marketing/profile.hpp"
#include "storage/timeline_cursor.hpp"

namespace crm::storage {
namespace {

std::string contact_key(ContactKind k, std::string_view v) {
    return static_cast<char>('0' + static_cast<int>(k)) + contact_index_key(k, v);
}

struct State {
    std::map<Id, Party> parties;
    std::unordered_map<Id, std::string> name_keys;
    std::unordered_map<std::string, Id> by_external;
    std::unordered_map<std::string, std::set<Id>> by_contact;
    std::unordered_map<std::string, std::set<Id>> by_national;
    std::map<std::string, std::set<Id>> by_tag;
    std::set<std::pair<std::string, Id>> by_name;

    std::map<Id, Id> merges;
    std::map<std::pair<Id, Id>, Membership> memberships;

    std::map<Id, Interaction> interactions;
    std::map<Id, std::set<std::pair<std::int64_t, Id>>> interactions_of;
    std::unordered_map<std::string, Id> interaction_by_ext;

    std::map<Id, Activity> activities;

    std::map<Id, Purchase> purchases;
    std::unordered_map<std::string, Id> purchase_by_order;
    std::map<Id, std::set<Id>> purchases_of;

    std::map<std::pair<std::string, std::string>, FieldDef> fields;
    // (kind, id) -> version -> definition
    std::map<std::pair<std::string, std::string>, std::map<int, StoredDefinition>, std::less<>>
        definitions;
    std::map<Id, Opportunity> opportunities;
    std::unordered_map<std::string, Id> opportunity_by_ext;
    std::map<Id, Lead> leads;
    std::unordered_map<std::string, Id> lead_by_ext;
    std::map<std::string, Product, std::less<>> products;
    std::map<Id, Quote> quotes;
    std::map<Id, Ticket> tickets;
    std::unordered_map<std::string, Id> ticket_by_ext;
    std::map<Id, TicketComment> comments;  // ids are time-ordered: oldest first
    std::map<Id, NpsResponse> nps;
    std::map<Id, PartyProfile> profiles;
    // (segment, party, joined_at) -> stay
    std::map<std::tuple<std::string, Id, std::int64_t>, SegmentMembership, std::less<>> stays;
    std::map<std::pair<std::string, Id>, Timestamp, std::less<>> list_members;
    std::map<std::tuple<std::string, int, std::string>, SuppressionEntry, std::less<>> suppressions;
    std::map<std::pair<std::string, Id>, LoyaltyAccount, std::less<>> loyalty_accounts;
    std::map<std::int64_t, LedgerEntry> ledger;  // by seq
    std::map<std::pair<std::string, std::string>, std::int64_t, std::less<>> ledger_keys;
    std::map<Id, Campaign> campaigns;
    std::unordered_map<std::string, Id> campaign_by_ext;
    std::map<std::pair<Id, Id>, CampaignMember> campaign_members;  // (campaign, party)
    std::map<std::pair<Id, int>, std::pair<Timestamp, std::string>> plans;
    std::vector<HistoryEntry> history;
    std::vector<AuditEntry> audit;
    std::vector<Event> events;
    std::map<std::string, std::int64_t, std::less<>> cursors;

    // --- indexed edits; each is its own inverse's building block ---------
    void index_party(const Party& p, const std::string& key) {
        const bool live = p.merged_into.is_nil();
        name_keys[p.id] = key;
        if (!p.external_id.empty()) by_external[p.external_id] = p.id;
        if (!live) return;
        for (const auto& c : p.contacts) by_contact[contact_key(c.kind, c.value)].insert(p.id);
        if (!p.national_id.empty()) by_national[p.national_id].insert(p.id);
        for (const auto& t : p.tags) by_tag[t].insert(p.id);
        by_name.emplace(key, p.id);
    }
    void unindex_party(const Party& p) {
        auto drop = [&](auto& index, const std::string& k) {
            auto it = index.find(k);
            if (it == index.end()) return;
            it->second.erase(p.id);
            if (it->second.empty()) index.erase(it);
        };
        for (const auto& c : p.contacts) drop(by_contact, contact_key(c.kind, c.value));
        if (!p.national_id.empty()) drop(by_national, p.national_id);
        for (const auto& t : p.tags) drop(by_tag, t);
        if (auto it = by_external.find(p.external_id); it != by_external.end() && it->second == p.id)
            by_external.erase(it);
        by_name.erase({name_keys[p.id], p.id});
        name_keys.erase(p.id);
    }
    void set_party(const Party& p, const std::string& key) {
        if (auto it = parties.find(p.id); it != parties.end()) unindex_party(it->second);
        parties[p.id] = p;
        index_party(p, key);
    }
    void erase_party(const Id& id) {
        if (auto it = parties.find(id); it != parties.end()) {
            unindex_party(it->second);
            parties.erase(it);
        }
    }

    void set_interaction(const Interaction& i) {
        erase_interaction(i.id);
        interactions[i.id] = i;
        interactions_of[i.party].emplace(i.at.ms, i.id);
        if (!i.external_id.empty()) interaction_by_ext[i.external_id] = i.id;
    }
    void erase_interaction(const Id& id) {
        auto it = interactions.find(id);
        if (it == interactions.end()) return;
        interactions_of[it->second.party].erase({it->second.at.ms, id});
        if (!it->second.external_id.empty()) interaction_by_ext.erase(it->second.external_id);
        interactions.erase(it);
    }

    void set_purchase(const Purchase& p) {
        erase_purchase(p.id);
        purchases[p.id] = p;
        purchase_by_order[p.order_id] = p.id;
        purchases_of[p.party].insert(p.id);
    }
    void erase_purchase(const Id& id) {
        auto it = purchases.find(id);
        if (it == purchases.end()) return;
        purchases_of[it->second.party].erase(id);
        purchase_by_order.erase(it->second.order_id);
        purchases.erase(it);
    }
};

class MemoryStore;

class MemoryTransaction final : public Transaction {
public:
    MemoryTransaction(State& s, std::unique_lock<std::mutex> lock) : s_(s), lock_(std::move(lock)) {}
    ~MemoryTransaction() override {
        if (!done_) undo_to(0);
    }

    result<void> commit() override {
        undo_.clear();
        marks_.clear();
        done_ = true;
        return ok();
    }
    result<void> savepoint() override {
        marks_.push_back(undo_.size());
        return ok();
    }
    result<void> release_savepoint() override {
        if (marks_.empty()) return fail(errc::internal, "no savepoint to release");
        marks_.pop_back();
        return ok();
    }
    result<void> rollback_to_savepoint() override {
        if (marks_.empty()) return fail(errc::internal, "no savepoint to roll back to");
        undo_to(marks_.back());
        marks_.pop_back();
        return ok();
    }

    result<std::optional<Party>> get_party(const Id& id) override {
        auto it = s_.parties.find(id);
        if (it == s_.parties.end()) return std::optional<Party>{};
        return std::optional<Party>{it->second};
    }
    result<std::optional<PartyBrief>> get_party_brief(const Id& id) override {
        auto it = s_.parties.find(id);
        if (it == s_.parties.end()) return std::optional<PartyBrief>{};
        return std::optional<PartyBrief>{PartyBrief::of(it->second)};
    }
    result<Id> party_by_external_id(std::string_view ext) override {
        auto it = s_.by_external.find(std::string(ext));
        return it == s_.by_external.end() ? Id{} : it->second;
    }
    result<void> put_party(const Party& p, std::string_view name_key) override {
        if (!p.external_id.empty()) {
            auto it = s_.by_external.find(p.external_id);
            if (it != s_.by_external.end() && it->second != p.id)
                return fail(errc::conflict, "'" + p.external_id + "' belongs to another party",
                            "external_id");
        }
        std::optional<Party> old;
        std::string old_key;
        if (auto it = s_.parties.find(p.id); it != s_.parties.end()) {
            old = it->second;
            old_key = s_.name_keys[p.id];
        }
        s_.set_party(p, std::string(name_key));
        undo_.push_back([this, id = p.id, old = std::move(old), old_key] {
            if (old) s_.set_party(*old, old_key);
            else s_.erase_party(id);
        });
        return ok();
    }
    result<std::vector<Id>> parties_by_contact(ContactKind kind, std::string_view value) override {
        return ids_in(s_.by_contact, contact_key(kind, value));
    }
    result<std::vector<Id>> parties_by_national_id(std::string_view nid) override {
        return ids_in(s_.by_national, std::string(nid));
    }
    result<std::vector<Id>> parties_by_tag(std::string_view tag, int offset, int limit) override {
        std::vector<Id> out;
        auto it = s_.by_tag.find(std::string(tag));
        if (it == s_.by_tag.end()) return out;
        int i = 0;
        for (const auto& id : it->second) {
            if (i++ < offset) continue;
            if (static_cast<int>(out.size()) >= limit) break;
            out.push_back(id);
        }
        return out;
    }
    result<std::vector<Id>> parties_by_name(std::string_view key, NameMatch match, int offset,
                                            int limit) override {
        std::vector<Id> out;
        int skipped = 0;
        auto take = [&](const Id& id) {
            if (skipped < offset) {
                ++skipped;
                return true;
            }
            out.push_back(id);
            return static_cast<int>(out.size()) < limit;
        };
        if (match == NameMatch::prefix) {
            for (auto it = s_.by_name.lower_bound({std::string(key), Id{}});
                 it != s_.by_name.end() && it->first.compare(0, key.size(), key) == 0; ++it)
                if (!take(it->second)) break;
        } else {
            for (const auto& [k, id] : s_.by_name)
                if (k.find(key) != std::string::npos && !take(id)) break;
        }
        return out;
    }
    result<void> for_each_party(const Id& after,
                                const std::function<bool(const Party&)>& fn) override {
        for (auto it = s_.parties.upper_bound(after); it != s_.parties.end(); ++it)
            if (it->second.merged_into.is_nil() && !fn(it->second)) break;
        return ok();
    }

    result<void> put_merge(const Id& merged, const Id& survivor, Timestamp) override {
        auto old = s_.merges.find(merged);
        std::optional<Id> before;
        if (old != s_.merges.end()) before = old->second;
        s_.merges[merged] = survivor;
        undo_.push_back([this, merged, before] {
            if (before) s_.merges[merged] = *before;
            else s_.merges.erase(merged);
        });
        return ok();
    }
    result<Id> merged_into(const Id& id) override {
        auto it = s_.merges.find(id);
        return it == s_.merges.end() ? Id{} : it->second;
    }
    result<std::vector<Id>> merged_from(const Id& survivor) override {
        std::vector<Id> out;
        for (const auto& [m, s] : s_.merges)
            if (s == survivor) out.push_back(m);
        return out;
    }
    result<void> reassign_party(const Id& from, const Id& to) override {
        std::vector<Interaction> is;
        for (const auto& [at, id] : s_.interactions_of[from]) is.push_back(s_.interactions[id]);
        for (auto i : is) {
            CRM_TRYV(put_interaction_impl(i, to));
        }
        for (auto& [id, a] : s_.activities)
            if (a.party == from) {
                Activity moved = a;
                moved.party = to;
                CRM_TRYV(put_activity(moved));
            }
        std::vector<Purchase> ps;
        for (const auto& pid : s_.purchases_of[from]) ps.push_back(s_.purchases[pid]);
        for (auto p : ps) {
            p.party = to;
            CRM_TRYV(put_purchase(p));
        }
        std::vector<Opportunity> os;
        for (const auto& [id, o] : s_.opportunities)
            if (o.party == from) os.push_back(o);
        for (auto o : os) {
            o.party = to;
            CRM_TRYV(put_opportunity(o));
        }
        std::vector<Lead> ls;
        for (const auto& [id, l] : s_.leads)
            if (l.party == from || l.organization == from) ls.push_back(l);
        for (auto l : ls) {
            if (l.party == from) l.party = to;
            if (l.organization == from) l.organization = to;
            CRM_TRYV(put_lead(l));
        }
        std::vector<Quote> qs;
        for (const auto& [id, q] : s_.quotes)
            if (q.party == from) qs.push_back(q);
        for (auto q : qs) {
            q.party = to;
            CRM_TRYV(put_quote(q));
        }
        std::vector<NpsResponse> ns;
        for (const auto& [id, r] : s_.nps)
            if (r.party == from) ns.push_back(r);
        for (auto r : ns) {
            r.party = to;
            CRM_TRYV(put_nps(r));
        }
        std::vector<Ticket> ts;
        for (const auto& [id, t] : s_.tickets)
            if (t.party == from || t.contact == from) ts.push_back(t);
        for (auto t : ts) {
            if (t.party == from) t.party = to;
            if (t.contact == from) t.contact = to;
            CRM_TRYV(put_ticket(t, {}));
        }
        std::vector<std::pair<std::string, Timestamp>> places;
        for (const auto& [key, at] : s_.list_members)
            if (key.second == from) places.emplace_back(key.first, at);
        for (const auto& [list, at] : places) {
            CRM_TRYV(delete_list_member(list, from));
            CRM_TRYV(put_list_member(list, to, at));
        }
        std::vector<std::pair<std::string, SuppressionEntry>> entries;
        for (const auto& [key, e] : s_.suppressions)
            if (e.kind == SuppressionKind::party && e.value == from.str())
                entries.emplace_back(std::get<0>(key), e);
        for (auto& [list, e] : entries) {
            CRM_TRYV(delete_suppression(list, e.kind, e.value));
            e.value = to.str();
            if (!s_.suppressions.count({list, static_cast<int>(e.kind), e.value}))
                CRM_TRYV(put_suppression(list, e));
        }
        std::vector<LoyaltyAccount> accounts;
        for (const auto& [key, a] : s_.loyalty_accounts)
            if (a.party == from) accounts.push_back(a);
        for (auto a : accounts) {
            erase_undoable(s_.loyalty_accounts, std::make_pair(a.program, from));
            a.party = to;
            if (!s_.loyalty_accounts.count(std::make_pair(a.program, to)))
                put_undoable(s_.loyalty_accounts, std::make_pair(a.program, to), a);
        }
        std::vector<CampaignMember> campaign_places;
        for (const auto& [key, m] : s_.campaign_members)
            if (m.party == from) campaign_places.push_back(m);
        for (auto m : campaign_places) {
            erase_undoable(s_.campaign_members, std::make_pair(m.campaign, from));
            m.party = to;
            if (!s_.campaign_members.count(std::make_pair(m.campaign, to))) CRM_TRYV(put_campaign_member(m));
        }
        std::vector<LedgerEntry> ledger_entries;
        for (const auto& [seq, e] : s_.ledger)
            if (e.party == from) ledger_entries.push_back(e);
        for (auto e : ledger_entries) {
            e.party = to;
            put_undoable(s_.ledger, e.seq, e);
        }
        std::vector<Membership> ms;
        for (const auto& [key, m] : s_.memberships)
            if (m.person == from || m.organization == from) ms.push_back(m);
        for (auto m : ms) {
            CRM_TRYV(delete_membership(m.person, m.organization));
            if (m.person == from) m.person = to;
            if (m.organization == from) m.organization = to;
            if (m.person == m.organization) continue;
            if (!s_.memberships.count({m.person, m.organization})) CRM_TRYV(put_membership(m));
        }
        return ok();
    }

    result<void> put_membership(const Membership& m) override {
        const auto key = std::make_pair(m.person, m.organization);
        std::optional<Membership> old;
        if (auto it = s_.memberships.find(key); it != s_.memberships.end()) old = it->second;
        s_.memberships[key] = m;
        undo_.push_back([this, key, old] {
            if (old) s_.memberships[key] = *old;
            else s_.memberships.erase(key);
        });
        return ok();
    }
    result<bool> delete_membership(const Id& person, const Id& organization) override {
        const auto key = std::make_pair(person, organization);
        auto it = s_.memberships.find(key);
        if (it == s_.memberships.end()) return false;
        Membership old = it->second;
        s_.memberships.erase(it);
        undo_.push_back([this, key, old] { s_.memberships[key] = old; });
        return true;
    }
    result<std::vector<Membership>> memberships_of(const Id& party) override {
        std::vector<Membership> out;
        for (const auto& [key, m] : s_.memberships)
            if (m.person == party || m.organization == party) out.push_back(m);
        return out;
    }

    result<void> put_interaction(const Interaction& i) override { return put_interaction_impl(i, i.party); }
    result<std::optional<Interaction>> interaction_by_external_id(std::string_view ext) override {
        auto it = s_.interaction_by_ext.find(std::string(ext));
        if (it == s_.interaction_by_ext.end()) return std::optional<Interaction>{};
        return std::optional<Interaction>{s_.interactions[it->second]};
    }
    result<Page<Interaction>> interactions(const Id& party, const TimelineQuery& q) override {
        Page<Interaction> page;
        std::optional<TimelineCursor> cursor;
        if (!q.before.empty()) {
            CRM_TRY(c, decode_cursor(q.before));
            cursor = c;
        }
        auto idx = s_.interactions_of.find(party);
        if (idx == s_.interactions_of.end()) return page;
        auto it = cursor ? idx->second.lower_bound({cursor->at_ms, cursor->id}) : idx->second.end();
        while (it != idx->second.begin() && static_cast<int>(page.items.size()) < q.limit) {
            --it;
            page.items.push_back(s_.interactions[it->second]);
        }
        if (it != idx->second.begin() && !page.items.empty())
            page.next = encode_cursor(page.items.back().at.ms, page.items.back().id);
        return page;
    }

    result<void> put_activity(const Activity& a) override {
        std::optional<Activity> old;
        if (auto it = s_.activities.find(a.id); it != s_.activities.end()) old = it->second;
        s_.activities[a.id] = a;
        undo_.push_back([this, id = a.id, old] {
            if (old) s_.activities[id] = *old;
            else s_.activities.erase(id);
        });
        return ok();
    }
    result<std::optional<Activity>> get_activity(const Id& id) override {
        auto it = s_.activities.find(id);
        if (it == s_.activities.end()) return std::optional<Activity>{};
        return std::optional<Activity>{it->second};
    }
    result<std::vector<Activity>> open_activities(const Id& party, int limit) override {
        return select_activities([&](const Activity& a) { return a.party == party; }, limit);
    }
    result<std::vector<Activity>> activities_due(std::string_view assignee, Timestamp until,
                                                 int limit) override {
        return select_activities(
            [&](const Activity& a) { return a.assignee == assignee && a.due < until; }, limit);
    }

    result<std::optional<Purchase>> purchase_by_order_id(std::string_view order_id) override {
        auto it = s_.purchase_by_order.find(std::string(order_id));
        if (it == s_.purchase_by_order.end()) return std::optional<Purchase>{};
        return std::optional<Purchase>{s_.purchases[it->second]};
    }
    result<void> put_purchase(const Purchase& p) override {
        if (auto it = s_.purchase_by_order.find(p.order_id);
            it != s_.purchase_by_order.end() && it->second != p.id)
            return fail(errc::conflict, "order '" + p.order_id + "' is already recorded", "order_id");
        std::optional<Purchase> old;
        if (auto it = s_.purchases.find(p.id); it != s_.purchases.end()) old = it->second;
        s_.set_purchase(p);
        undo_.push_back([this, id = p.id, old] {
            if (old) s_.set_purchase(*old);
            else s_.erase_purchase(id);
        });
        return ok();
    }
    result<std::vector<Purchase>> purchases_of(const Id& party) override {
        std::vector<Purchase> out;
        if (auto it = s_.purchases_of.find(party); it != s_.purchases_of.end())
            for (const auto& id : it->second) out.push_back(s_.purchases[id]);
        std::sort(out.begin(), out.end(), [](const Purchase& a, const Purchase& b) {
            return std::tie(a.ordered_at, a.id) < std::tie(b.ordered_at, b.id);
        });
        return out;
    }
    result<std::vector<PurchaseSummary>> purchase_summary(const Id& party) override {
        std::map<std::string, PurchaseSummary> by_currency;
        if (auto it = s_.purchases_of.find(party); it != s_.purchases_of.end())
            for (const auto& id : it->second) {
                const Purchase& p = s_.purchases[id];
                auto& sum = by_currency[p.total.currency];
                if (sum.count == 0 || p.ordered_at < sum.first_at) sum.first_at = p.ordered_at;
                if (sum.count == 0 || p.ordered_at > sum.last_at) sum.last_at = p.ordered_at;
                sum.currency = p.total.currency;
                ++sum.count;
                if (__builtin_add_overflow(sum.total_minor, p.total.minor, &sum.total_minor))
                    return fail(errc::internal, "purchase total overflows 64 bits", "total");
            }
        std::vector<PurchaseSummary> out;
        for (auto& [c, s] : by_currency) out.push_back(s);
        return out;
    }

    result<void> put_field(const FieldDef& def) override {
        const auto key = std::make_pair(def.record_type, def.name);
        std::optional<FieldDef> old;
        if (auto it = s_.fields.find(key); it != s_.fields.end()) old = it->second;
        s_.fields[key] = def;
        undo_.push_back([this, key, old] {
            if (old) s_.fields[key] = *old;
            else s_.fields.erase(key);
        });
        return ok();
    }
    result<std::vector<FieldDef>> fields(std::string_view record_type) override {
        std::vector<FieldDef> out;
        for (const auto& [key, def] : s_.fields)
            if (key.first == record_type) out.push_back(def);
        return out;
    }

    result<void> put_definition(const StoredDefinition& d) override {
        const auto key = std::make_pair(d.kind, d.id);
        auto& versions = s_.definitions[key];
        if (versions.count(d.version))
            return fail(errc::conflict,
                        d.kind + " '" + d.id + "' version " + std::to_string(d.version) +
                            " exists",
                        "version");
        versions[d.version] = d;
        undo_.push_back([this, key, v = d.version] {
            auto& vs = s_.definitions[key];
            vs.erase(v);
            if (vs.empty()) s_.definitions.erase(key);
        });
        return ok();
    }
    result<std::optional<StoredDefinition>> get_definition(std::string_view kind,
                                                           std::string_view id,
                                                           int version) override {
        auto it = s_.definitions.find(std::make_pair(std::string(kind), std::string(id)));
        if (it == s_.definitions.end() || it->second.empty())
            return std::optional<StoredDefinition>{};
        if (version == 0) return std::optional<StoredDefinition>{it->second.rbegin()->second};
        auto v = it->second.find(version);
        if (v == it->second.end()) return std::optional<StoredDefinition>{};
        return std::optional<StoredDefinition>{v->second};
    }
    result<std::vector<StoredDefinition>> definitions(std::string_view kind) override {
        std::vector<StoredDefinition> out;
        for (const auto& [key, versions] : s_.definitions)
            if (key.first == kind && !versions.empty()) out.push_back(versions.rbegin()->second);
        return out;
    }

    result<int> definition_version(std::string_view kind, std::string_view id) override {
        auto it = s_.definitions.find(std::make_pair(std::string(kind), std::string(id)));
        return it == s_.definitions.end() || it->second.empty() ? 0 : it->second.rbegin()->first;
    }
    result<std::vector<std::pair<std::string, int>>> definition_versions(
        std::string_view kind) override {
        std::vector<std::pair<std::string, int>> out;
        for (const auto& [key, versions] : s_.definitions)
            if (key.first == kind && !versions.empty())
                out.emplace_back(key.second, versions.rbegin()->first);
        return out;
    }

    result<void> put_opportunity(const Opportunity& o) override {
        return put_keyed(s_.opportunities, s_.opportunity_by_ext, o, "opportunity");
    }
    result<std::optional<Opportunity>> get_opportunity(const Id& id) override {
        return keyed_get(s_.opportunities, id);
    }
    result<Id> opportunity_by_external_id(std::string_view external_id) override {
        return keyed_by_external(s_.opportunity_by_ext, external_id);
    }
    result<std::vector<Opportunity>> opportunities_of(const Id& party) override {
        return keyed_of_party(s_.opportunities, party);
    }
    result<std::vector<Id>> opportunities_in(std::string_view pipeline, int version,
                                             const Id& after, int limit) override {
        std::vector<Id> out;
        for (auto it = s_.opportunities.upper_bound(after);
             it != s_.opportunities.end() && static_cast<int>(out.size()) < limit; ++it)
            if (it->second.pipeline == pipeline &&
                (version == 0 || it->second.pipeline_version == version))
                out.push_back(it->first);
        return out;
    }
    result<std::vector<StageTotal>> stage_totals(std::string_view pipeline) override {
        std::map<std::pair<std::string, std::string>, StageTotal> totals;
        for (const auto& [id, o] : s_.opportunities) {
            if (o.pipeline != pipeline) continue;
            const std::string currency = o.amount ? o.amount->currency : "";
            auto& t = totals[{o.stage, currency}];
            t.stage = o.stage;
            t.currency = currency;
            ++t.count;
            if (o.amount) {
                t.amount_minor += o.amount->minor;
                t.weighted_minor += o.amount->minor * o.probability / 100;
            }
        }
        std::vector<StageTotal> out;
        for (auto& [key, t] : totals) out.push_back(t);
        return out;
    }

    result<std::vector<ForecastCell>> forecast_cells(const ForecastScope& scope) override {
        std::map<std::tuple<std::string, std::string, std::string, std::string>, ForecastCell> cells;
        for (const auto& [id, o] : s_.opportunities) {
            if ((!scope.pipeline.empty() && o.pipeline != scope.pipeline) ||
                (!scope.owner.empty() && o.owner != scope.owner) ||
                (!scope.team.empty() && o.team != scope.team))
                continue;
            const bool open = o.status == "open";
            if (open && (o.expected_close < scope.from_date || o.expected_close >= scope.to_date))
                continue;
            if (!open && (!o.closed_at || o.closed_at->ms < scope.from.ms ||
                          o.closed_at->ms >= scope.to.ms))
                continue;
            const std::string& group = scope.group_by == ForecastGroup::owner  ? o.owner
                                       : scope.group_by == ForecastGroup::team ? o.team
                                                                               : o.pipeline;
            const std::string currency = o.amount ? o.amount->currency : "";
            auto& c = cells[{group, currency, o.status, o.forecast_category}];
            c.group = group;
            c.currency = currency;
            c.status = o.status;
            c.forecast_category = o.forecast_category;
            ++c.count;
            if (o.amount) {
                c.amount_minor += o.amount->minor;
                c.weighted_minor += o.amount->minor * o.probability / 100;
            }
            if (o.status == "won") c.revenue_minor += revenue_minor(o);
        }
        std::vector<ForecastCell> out;
        for (auto& [key, c] : cells) out.push_back(c);
        return out;
    }
    result<std::vector<StageDuration>> stage_durations(const ForecastScope& scope) override {
        std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>> sums;
        for (const auto& e : s_.history)
            if (e.record_type == "opportunity" && !e.from_state.empty() &&
                e.from_state != e.to_state && e.at.ms >= scope.from.ms && e.at.ms < scope.to.ms &&
                (scope.pipeline.empty() || e.process == scope.pipeline)) {
                auto& [n, total] = sums[{e.process, e.from_state}];
                ++n;
                total += e.duration_ms;
            }
        std::vector<StageDuration> out;
        for (const auto& [key, v] : sums)
            out.push_back({key.first, key.second, v.first,
                           static_cast<double>(v.second) / static_cast<double>(v.first) / 86'400'000.0});
        return out;
    }
    result<std::vector<HistoryEntry>> history_as_of(std::string_view record_type,
                                                    std::string_view process,
                                                    Timestamp at) override {
        std::map<Id, HistoryEntry> last;
        for (const auto& e : s_.history)
            if (e.record_type == record_type && e.at.ms <= at.ms) last[e.record_id] = e;
        std::vector<HistoryEntry> out;
        for (auto& [id, e] : last)
            if (e.process == process) out.push_back(std::move(e));
        return out;
    }

    result<void> put_lead(const Lead& l) override {
        return put_keyed(s_.leads, s_.lead_by_ext, l, "lead");
    }
    result<std::optional<Lead>> get_lead(const Id& id) override {
        return keyed_get(s_.leads, id);
    }
    result<Id> lead_by_external_id(std::string_view external_id) override {
        return keyed_by_external(s_.lead_by_ext, external_id);
    }
    result<std::vector<Lead>> leads_of(const Id& party) override {
        return keyed_of_party(s_.leads, party);
    }

    result<void> put_product(const Product& p) override {
        put_undoable(s_.products, p.sku, p);
        return ok();
    }
    result<std::optional<Product>> get_product(std::string_view sku) override {
        auto it = s_.products.find(sku);
        return it == s_.products.end() ? std::nullopt : std::optional<Product>{it->second};
    }
    result<std::vector<Product>> products(std::string_view after, int limit) override {
        std::vector<Product> out;
        for (auto it = s_.products.upper_bound(after);
             it != s_.products.end() && static_cast<int>(out.size()) < limit; ++it)
            out.push_back(it->second);
        return out;
    }

    result<void> put_quote(const Quote& q) override {
        for (const auto& [id, other] : s_.quotes)
            if (other.root == q.root && other.revision == q.revision && id != q.id)
                return fail(errc::conflict,
                            "revision " + std::to_string(q.revision) + " of the quote already exists",
                            "revision");
        put_undoable(s_.quotes, q.id, q);
        return ok();
    }
    result<std::optional<Quote>> get_quote(const Id& id) override {
        return keyed_get(s_.quotes, id);
    }
    result<Id> quote_by_number(std::string_view number) override {
        if (number.empty()) return Id{};  // as SQLite, where no number is NULL
        const Quote* best = nullptr;
        for (const auto& [id, q] : s_.quotes)
            if (q.number == number && (!best || q.revision > best->revision)) best = &q;
        return best ? best->id : Id{};
    }
    result<std::vector<Quote>> quotes_of(const Id& party) override {
        return keyed_of_party(s_.quotes, party);
    }
    result<void> put_ticket(const Ticket& t, std::string_view) override {
        return put_keyed(s_.tickets, s_.ticket_by_ext, t, "ticket");
    }
    result<std::optional<Ticket>> get_ticket(const Id& id) override {
        return keyed_get(s_.tickets, id);
    }
    result<Id> ticket_by_external_id(std::string_view external_id) override {
        return keyed_by_external(s_.ticket_by_ext, external_id);
    }
    result<std::vector<Ticket>> tickets_of(const Id& party) override {
        return keyed_of_party(s_.tickets, party);
    }
    result<std::vector<Id>> tickets_due(Timestamp until, int limit) override {
        std::vector<std::pair<Timestamp, Id>> due;
        for (const auto& [id, t] : s_.tickets)
            if (t.due_at && *t.due_at <= until) due.emplace_back(*t.due_at, id);
        std::sort(due.begin(), due.end());
        std::vector<Id> out;
        for (const auto& [at, id] : due) {
            if (static_cast<int>(out.size()) >= limit) break;
            out.push_back(id);
        }
        return out;
    }
    result<std::vector<Id>> open_tickets_of_policy(std::string_view policy, const Id& after,
                                                   int limit) override {
        std::vector<Id> out;
        for (auto it = s_.tickets.upper_bound(after);
             it != s_.tickets.end() && static_cast<int>(out.size()) < limit; ++it)
            if (it->second.status == "open" && it->second.sla_policy == policy)
                out.push_back(it->first);
        return out;
    }
    result<std::vector<std::pair<std::string, int>>> open_ticket_counts(
        std::string_view queue) override {
        std::map<std::string, int> counts;
        for (const auto& [id, t] : s_.tickets)
            if (t.queue == queue && t.status == "open") counts[t.assignee]++;
        return std::vector<std::pair<std::string, int>>(counts.begin(), counts.end());
    }
    result<void> for_each_ticket(const std::function<bool(const Ticket&)>& fn) override {
        for (const auto& [id, t] : s_.tickets)
            if (!fn(t)) break;
        return ok();
    }
    result<std::vector<NpsResponse>> nps_between(Timestamp from, Timestamp to) override {
        std::vector<NpsResponse> out;
        for (const auto& [id, r] : s_.nps)
            if (r.at >= from && r.at < to) out.push_back(r);
        std::sort(out.begin(), out.end(), [](const NpsResponse& a, const NpsResponse& b) {
            return a.at != b.at ? a.at < b.at : a.id < b.id;
        });
        return out;
    }
    result<void> for_each_history(std::string_view record_type, Timestamp from, Timestamp to,
                                  const std::function<bool(const HistoryEntry&)>& fn) override {
        std::vector<const HistoryEntry*> in;
        for (const auto& h : s_.history)
            if (h.record_type == record_type && h.at >= from && h.at < to) in.push_back(&h);
        // By time, then seq, as SQLite orders them.
        std::stable_sort(in.begin(), in.end(),
                         [](const HistoryEntry* a, const HistoryEntry* b) { return a->at < b->at; });
        for (const auto* h : in)
            if (!fn(*h)) break;
        return ok();
    }
    result<void> put_nps(const NpsResponse& r) override {
        put_undoable(s_.nps, r.id, r);
        return ok();
    }
    result<std::vector<NpsResponse>> nps_of(const Id& party, int limit) override {
        std::vector<NpsResponse> out;
        for (const auto& [id, r] : s_.nps)
            if (r.party == party) out.push_back(r);
        // Newest first by time, then id, as SQLite orders them.
        std::sort(out.begin(), out.end(), [](const NpsResponse& a, const NpsResponse& b) {
            return a.at != b.at ? a.at > b.at : b.id < a.id;
        });
        if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
        return out;
    }
    // ---- profiles and segments ---------------------------------------------

    result<void> put_profile(const PartyProfile& p) override {
        put_undoable(s_.profiles, p.party, p);
        return ok();
    }
    result<std::optional<PartyProfile>> get_profile(const Id& party) override {
        return keyed_get(s_.profiles, party);
    }
    result<void> delete_profile(const Id& party) override {
        erase_undoable(s_.profiles, party);
        return ok();
    }
    result<std::int64_t> profile_count() override {
        return static_cast<std::int64_t>(s_.profiles.size());
    }
    result<std::vector<Id>> profiles_expiring(Timestamp until, int limit) override {
        std::vector<std::pair<std::int64_t, Id>> due;
        for (const auto& [id, p] : s_.profiles)
            if (p.expires_at && p.expires_at->ms <= until.ms) due.emplace_back(p.expires_at->ms, id);
        std::sort(due.begin(), due.end());
        std::vector<Id> out;
        for (const auto& [at, id] : due) {
            if (static_cast<int>(out.size()) >= limit) break;
            out.push_back(id);
        }
        return out;
    }
    result<std::vector<Id>> match_profiles(const expr::Schema& schema, const expr::Expr& rule,
                                           const expr::Context& context, const Id& after,
                                           int limit) override {
        CRM_TRY(matcher, expr::Matcher::make(rule, context));
        expr::RowRecord record(schema);
        std::vector<Id> out;
        for (auto it = after.is_nil() ? s_.profiles.begin() : s_.profiles.upper_bound(after);
             it != s_.profiles.end() && static_cast<int>(out.size()) < limit; ++it) {
            marketing::fill_record(it->second, schema, record);
            if (matcher.matches(record)) out.push_back(it->first);
        }
        return out;
    }
    result<std::int64_t> count_profiles(const expr::Schema& schema, const expr::Expr& rule,
                                        const expr::Context& context) override {
        CRM_TRY(matcher, expr::Matcher::make(rule, context));
        expr::RowRecord record(schema);
        std::int64_t n = 0;
        for (const auto& [id, p] : s_.profiles) {
            marketing::fill_record(p, schema, record);
            if (matcher.matches(record)) ++n;
        }
        return n;
    }
    result<std::vector<Id>> sample_profiles(const expr::Schema& schema, const expr::Expr& rule,
                                            const expr::Context& context, int size,
                                            std::uint64_t seed) override {
        CRM_TRY(matcher, expr::Matcher::make(rule, context));
        expr::RowRecord record(schema);
        std::vector<std::pair<std::int64_t, Id>> keyed;
        for (const auto& [id, p] : s_.profiles) {
            marketing::fill_record(p, schema, record);
            if (matcher.matches(record)) keyed.emplace_back(sample_key(id.str(), seed), id);
        }
        std::sort(keyed.begin(), keyed.end());
        std::vector<Id> out;
        for (const auto& [key, id] : keyed) {
            if (static_cast<int>(out.size()) >= size) break;
            out.push_back(id);
        }
        return out;
    }
    result<void> for_each_profile(const std::function<bool(const PartyProfile&)>& fn) override {
        for (const auto& [id, p] : s_.profiles)
            if (!fn(p)) break;
        return ok();
    }
    result<std::vector<std::pair<Channel, Timestamp>>> last_interactions(const Id& party) override {
        std::map<Channel, Timestamp> last;
        if (auto idx = s_.interactions_of.find(party); idx != s_.interactions_of.end())
            for (const auto& [at, id] : idx->second) {
                const Channel c = s_.interactions[id].channel;
                if (auto it = last.find(c); it == last.end() || it->second.ms < at)
                    last[c] = Timestamp{at};
            }
        return std::vector<std::pair<Channel, Timestamp>>(last.begin(), last.end());
    }
    result<std::vector<Id>> parties_by_email_domain(std::string_view domain) override {
        const std::string suffix = "@" + std::string(domain);
        std::set<Id> ids;
        for (const auto& [id, p] : s_.parties) {
            if (!p.merged_into.is_nil()) continue;
            for (const auto& c : p.contacts) {
                if (c.kind != ContactKind::email) continue;
                const auto k = contact_index_key(c.kind, c.value);
                if (k.size() > suffix.size() && k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0)
                    ids.insert(id);
            }
        }
        return std::vector<Id>(ids.begin(), ids.end());
    }

    const SegmentMembership* open_stay(std::string_view segment, const Id& party) const {
        for (auto it = s_.stays.lower_bound(std::make_tuple(std::string(segment), party, INT64_MIN));
             it != s_.stays.end() && std::get<0>(it->first) == segment && std::get<1>(it->first) == party;
             ++it)
            if (!it->second.left_at) return &it->second;
        return nullptr;
    }
    result<void> join_segment(std::string_view segment, const Id& party, Timestamp at) override {
        if (open_stay(segment, party)) return ok();
        const auto key = std::make_tuple(std::string(segment), party, at.ms);
        if (auto it = s_.stays.find(key); it != s_.stays.end()) {
            // Joined before at this very instant: that stay goes on.
            SegmentMembership again = it->second;
            again.left_at.reset();
            put_undoable(s_.stays, key, again);
            return ok();
        }
        put_undoable(s_.stays, std::make_tuple(std::string(segment), party, at.ms),
                     SegmentMembership{std::string(segment), party, at, std::nullopt});
        return ok();
    }
    result<void> leave_segment(std::string_view segment, const Id& party, Timestamp at) override {
        const auto* stay = open_stay(segment, party);
        if (!stay) return ok();
        SegmentMembership left = *stay;
        left.left_at = at;
        put_undoable(s_.stays, std::make_tuple(left.segment, party, left.joined_at.ms), left);
        return ok();
    }
    result<std::vector<SegmentMembership>> segment_memberships(const Id& party,
                                                               bool with_history) override {
        std::vector<SegmentMembership> out;
        for (const auto& [key, m] : s_.stays)
            if (m.party == party && (with_history || !m.left_at)) out.push_back(m);
        return out;
    }
    result<std::vector<Id>> segment_members(std::string_view segment, const Id& after,
                                            int limit) override {
        std::vector<Id> out;
        for (auto it = s_.stays.lower_bound(std::make_tuple(std::string(segment), after, INT64_MAX));
             it != s_.stays.end() && std::get<0>(it->first) == segment &&
             static_cast<int>(out.size()) < limit;
             ++it)
            if (!it->second.left_at && (after.is_nil() || it->second.party != after))
                out.push_back(it->second.party);
        return out;
    }
    result<std::vector<SegmentMembership>> segment_history(std::string_view segment,
                                                           int limit) override {
        std::vector<SegmentMembership> out;
        for (const auto& [key, m] : s_.stays)
            if (m.segment == segment) out.push_back(m);
        const auto changed = [](const SegmentMembership& m) {
            return m.left_at ? m.left_at->ms : m.joined_at.ms;
        };
        std::sort(out.begin(), out.end(), [&](const SegmentMembership& a, const SegmentMembership& b) {
            if (changed(a) != changed(b)) return changed(a) > changed(b);
            if (a.party != b.party) return b.party < a.party;
            return a.joined_at.ms > b.joined_at.ms;
        });
        if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
        return out;
    }

    result<bool> put_list_member(std::string_view list, const Id& party, Timestamp at) override {
        auto key = std::make_pair(std::string(list), party);
        if (s_.list_members.count(key)) return false;
        put_undoable(s_.list_members, key, at);
        return true;
    }
    result<bool> delete_list_member(std::string_view list, const Id& party) override {
        auto key = std::make_pair(std::string(list), party);
        if (!s_.list_members.count(key)) return false;
        erase_undoable(s_.list_members, key);
        return true;
    }
    result<void> clear_list(std::string_view list) override {
        std::vector<Id> members;
        for (const auto& [key, at] : s_.list_members)
            if (key.first == list) members.push_back(key.second);
        for (const auto& m : members) CRM_TRYV(delete_list_member(list, m));
        return ok();
    }
    result<std::vector<Id>> list_members(std::string_view list, const Id& after, int limit) override {
        std::vector<Id> out;
        for (auto it = s_.list_members.upper_bound(std::make_pair(std::string(list), after));
             it != s_.list_members.end() && it->first.first == list &&
             static_cast<int>(out.size()) < limit;
             ++it)
            out.push_back(it->first.second);
        return out;
    }
    result<std::vector<std::string>> lists_of(const Id& party) override {
        std::vector<std::string> out;
        for (const auto& [key, at] : s_.list_members)
            if (key.second == party) out.push_back(key.first);
        return out;
    }
    result<bool> in_list(std::string_view list, const Id& party) override {
        return s_.list_members.count(std::make_pair(std::string(list), party)) > 0;
    }

    result<bool> put_suppression(std::string_view list, const SuppressionEntry& e) override {
        auto key = std::make_tuple(std::string(list), static_cast<int>(e.kind), e.value);
        if (s_.suppressions.count(key)) return false;
        put_undoable(s_.suppressions, key, e);
        return true;
    }
    result<bool> delete_suppression(std::string_view list, SuppressionKind kind,
                                    std::string_view value) override {
        auto key = std::make_tuple(std::string(list), static_cast<int>(kind), std::string(value));
        if (!s_.suppressions.count(key)) return false;
        erase_undoable(s_.suppressions, key);
        return true;
    }
    result<std::vector<SuppressionEntry>> suppressions(std::string_view list) override {
        std::vector<SuppressionEntry> out;
        for (const auto& [key, e] : s_.suppressions)
            if (std::get<0>(key) == list) out.push_back(e);
        return out;
    }
    result<std::optional<SuppressionEntry>> suppression(std::string_view list, SuppressionKind kind,
                                                        std::string_view value) override {
        auto key = std::make_tuple(std::string(list), static_cast<int>(kind), std::string(value));
        auto it = s_.suppressions.find(key);
        if (it == s_.suppressions.end()) return std::optional<SuppressionEntry>{};
        return std::optional<SuppressionEntry>{it->second};
    }

    // ---- campaigns -----------------------------------------------------------

    result<void> put_campaign(const Campaign& c) override {
        return put_keyed(s_.campaigns, s_.campaign_by_ext, c, "campaign");
    }
    result<std::optional<Campaign>> get_campaign(const Id& id) override {
        return keyed_get(s_.campaigns, id);
    }
    result<Id> campaign_by_external_id(std::string_view ext) override {
        auto it = s_.campaign_by_ext.find(std::string(ext));
        return it == s_.campaign_by_ext.end() ? Id{} : it->second;
    }
    result<std::vector<Campaign>> campaigns(const Id& after, int limit) override {
        std::vector<Campaign> out;
        for (auto it = s_.campaigns.upper_bound(after);
             it != s_.campaigns.end() && static_cast<int>(out.size()) < limit; ++it)
            out.push_back(it->second);
        return out;
    }
    result<std::vector<Id>> campaign_children(const Id& parent) override {
        std::vector<Id> out;
        for (const auto& [id, c] : s_.campaigns)
            if (c.parent == parent) out.push_back(id);
        return out;
    }
    result<void> put_campaign_member(const CampaignMember& m) override {
        put_undoable(s_.campaign_members, std::make_pair(m.campaign, m.party), m);
        return ok();
    }
    result<std::optional<CampaignMember>> get_campaign_member(const Id& campaign,
                                                              const Id& party) override {
        auto it = s_.campaign_members.find(std::make_pair(campaign, party));
        if (it == s_.campaign_members.end()) return std::optional<CampaignMember>{};
        return std::optional<CampaignMember>{it->second};
    }
    result<std::vector<CampaignMember>> campaign_members(const Id& campaign, const Id& after,
                                                         int limit) override {
        std::vector<CampaignMember> out;
        for (auto it = s_.campaign_members.upper_bound(std::make_pair(campaign, after));
             it != s_.campaign_members.end() && it->first.first == campaign &&
             static_cast<int>(out.size()) < limit;
             ++it)
            out.push_back(it->second);
        return out;
    }
    result<std::vector<CampaignMember>> campaign_members_of(const Id& party) override {
        std::vector<CampaignMember> out;
        for (const auto& [key, m] : s_.campaign_members)
            if (m.party == party) out.push_back(m);
        return out;
    }
    result<std::int64_t> recent_campaign_sends(const Id& party, Timestamp since) override {
        std::int64_t n = 0;
        for (const auto& [key, m] : s_.campaign_members) {
            if (m.party != party) continue;
            const auto& sent = m.at[static_cast<int>(MemberStatus::sent)];
            if ((m.dispatched_at && m.dispatched_at->ms >= since.ms) || (sent && sent->ms >= since.ms)) ++n;
        }
        return n;
    }
    result<std::vector<std::pair<std::string, Id>>> undispatched_members(const Id& campaign) override {
        std::vector<std::pair<std::string, Id>> out;
        for (auto it = s_.campaign_members.lower_bound(std::make_pair(campaign, Id{}));
             it != s_.campaign_members.end() && it->first.first == campaign; ++it)
            if (it->second.batch == 0) out.emplace_back(it->second.channel, it->second.party);
        std::sort(out.begin(), out.end());
        return out;
    }
    result<void> dispatch_members(const Id& campaign, std::string_view channel, const Id& after,
                                  const Id& last, std::int64_t batch, Timestamp at) override {
        std::vector<CampaignMember> picked;
        for (auto it = s_.campaign_members.upper_bound(std::make_pair(campaign, after));
             it != s_.campaign_members.end() && it->first.first == campaign && it->first.second <= last;
             ++it)
            if (it->second.batch == 0 && it->second.channel == channel) picked.push_back(it->second);
        for (auto m : picked) {
            m.batch = batch;
            m.dispatched_at = at;
            CRM_TRYV(put_campaign_member(m));
        }
        return ok();
    }
    result<std::vector<CampaignMember>> undispatched_in_range(const Id& campaign, std::string_view channel,
                                                              const Id& after, const Id& last) override {
        std::vector<CampaignMember> out;
        for (auto it = s_.campaign_members.upper_bound(std::make_pair(campaign, after));
             it != s_.campaign_members.end() && it->first.first == campaign && it->first.second <= last;
             ++it)
            if (it->second.batch == 0 && it->second.channel == channel) out.push_back(it->second);
        return out;
    }
    result<std::vector<CampaignMember>> batch_members(const Id& campaign, std::int64_t batch) override {
        std::vector<CampaignMember> out;
        for (auto it = s_.campaign_members.lower_bound(std::make_pair(campaign, Id{}));
             it != s_.campaign_members.end() && it->first.first == campaign; ++it)
            if (it->second.batch == batch) out.push_back(it->second);
        return out;
    }
    result<void> put_delivery_plan(const Id& campaign, int number, Timestamp at,
                                   std::string_view body) override {
        put_undoable(s_.plans, std::make_pair(campaign, number), std::make_pair(at, std::string(body)));
        return ok();
    }
    result<std::optional<std::pair<int, std::string>>> get_delivery_plan(const Id& campaign,
                                                                         int number) override {
        using Out = std::optional<std::pair<int, std::string>>;
        if (number == 0) {
            auto it = s_.plans.lower_bound(std::make_pair(campaign, INT_MAX));
            if (it == s_.plans.begin()) return Out{};
            --it;
            if (it->first.first != campaign) return Out{};
            return Out{std::make_pair(it->first.second, it->second.second)};
        }
        auto it = s_.plans.find(std::make_pair(campaign, number));
        if (it == s_.plans.end()) return Out{};
        return Out{std::make_pair(number, it->second.second)};
    }
    static bool keyed(const std::vector<std::string>& keys, const std::string& v) {
        return !v.empty() && std::find(keys.begin(), keys.end(), v) != keys.end();
    }
    result<std::vector<Opportunity>> opportunities_of_campaign(const std::vector<std::string>& keys) override {
        std::vector<Opportunity> out;
        for (const auto& [id, o] : s_.opportunities)
            if (keyed(keys, o.campaign)) out.push_back(o);
        return out;
    }
    result<std::vector<Lead>> leads_of_campaign(const std::vector<std::string>& keys) override {
        std::vector<Lead> out;
        for (const auto& [id, l] : s_.leads)
            if (keyed(keys, l.campaign)) out.push_back(l);
        return out;
    }

    // ---- loyalty -------------------------------------------------------------

    result<void> put_loyalty_account(const LoyaltyAccount& a) override {
        put_undoable(s_.loyalty_accounts, std::make_pair(a.program, a.party), a);
        return ok();
    }
    result<std::optional<LoyaltyAccount>> get_loyalty_account(std::string_view program,
                                                              const Id& party) override {
        auto it = s_.loyalty_accounts.find(std::make_pair(std::string(program), party));
        if (it == s_.loyalty_accounts.end()) return std::optional<LoyaltyAccount>{};
        return std::optional<LoyaltyAccount>{it->second};
    }
    result<std::vector<LoyaltyAccount>> loyalty_accounts_of(const Id& party) override {
        std::vector<LoyaltyAccount> out;
        for (const auto& [key, a] : s_.loyalty_accounts)
            if (a.party == party) out.push_back(a);
        return out;
    }
    result<std::vector<LoyaltyAccount>> loyalty_accounts(std::string_view program, const Id& after,
                                                         int limit) override {
        std::vector<LoyaltyAccount> out;
        for (auto it = s_.loyalty_accounts.upper_bound(std::make_pair(std::string(program), after));
             it != s_.loyalty_accounts.end() && it->first.first == program &&
             static_cast<int>(out.size()) < limit;
             ++it)
            out.push_back(it->second);
        return out;
    }
    result<void> append_ledger(LedgerEntry& e) override {
        auto key = std::make_pair(e.program, e.key);
        if (s_.ledger_keys.count(key))
            return fail(errc::conflict, "ledger key '" + e.key + "' is taken", "key");
        e.seq = s_.ledger.empty() ? 1 : s_.ledger.rbegin()->first + 1;
        put_undoable(s_.ledger, e.seq, e);
        put_undoable(s_.ledger_keys, key, e.seq);
        return ok();
    }
    result<std::optional<LedgerEntry>> ledger_by_key(std::string_view program,
                                                     std::string_view key) override {
        auto it = s_.ledger_keys.find(std::make_pair(std::string(program), std::string(key)));
        if (it == s_.ledger_keys.end()) return std::optional<LedgerEntry>{};
        return std::optional<LedgerEntry>{s_.ledger.at(it->second)};
    }
    result<std::vector<LedgerEntry>> ledger_of(std::string_view program, const Id& party,
                                               int limit) override {
        std::vector<LedgerEntry> out;
        for (auto it = s_.ledger.rbegin(); it != s_.ledger.rend() && static_cast<int>(out.size()) < limit; ++it)
            if (it->second.program == program && it->second.party == party) out.push_back(it->second);
        return out;
    }
    result<std::int64_t> loyalty_balance(std::string_view program, const Id& party) override {
        std::int64_t sum = 0;
        for (const auto& [seq, e] : s_.ledger)
            if (e.program == program && e.party == party) sum += e.points;
        return sum;
    }
    static bool lot_before(const LedgerEntry& a, const LedgerEntry& b) {
        if (a.expires_at.has_value() != b.expires_at.has_value()) return a.expires_at.has_value();
        if (a.expires_at && a.expires_at->ms != b.expires_at->ms) return a.expires_at->ms < b.expires_at->ms;
        return a.seq < b.seq;
    }
    result<std::vector<LedgerEntry>> open_lots(std::string_view program, const Id& party) override {
        std::vector<LedgerEntry> out;
        for (const auto& [seq, e] : s_.ledger)
            if (e.program == program && e.party == party && e.remaining > 0) out.push_back(e);
        std::sort(out.begin(), out.end(), lot_before);
        return out;
    }
    result<void> set_lot_remaining(std::int64_t seq, std::int64_t remaining) override {
        auto it = s_.ledger.find(seq);
        if (it == s_.ledger.end()) return fail(errc::not_found, "no ledger entry", "seq");
        LedgerEntry e = it->second;
        e.remaining = remaining;
        put_undoable(s_.ledger, seq, e);
        return ok();
    }
    result<std::vector<LedgerEntry>> expired_lots(std::string_view program, Timestamp until,
                                                  int limit) override {
        std::vector<LedgerEntry> out;
        for (const auto& [seq, e] : s_.ledger)
            if (e.program == program && e.remaining > 0 && e.expires_at && e.expires_at->ms <= until.ms)
                out.push_back(e);
        std::sort(out.begin(), out.end(), lot_before);
        if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
        return out;
    }
    result<OrderTotals> order_totals(std::string_view program, const Id& party,
                                     std::string_view order_id) override {
        OrderTotals t;
        for (const auto& [seq, e] : s_.ledger)
            if (e.program == program && e.party == party && e.order_id == order_id &&
                (e.kind == LedgerKind::earn || e.kind == LedgerKind::adjust)) {
                t.points += e.points;
                t.amount_minor += e.amount_minor;
                ++t.entries;
            }
        return t;
    }
    result<std::pair<std::int64_t, std::int64_t>> loyalty_qualifying(std::string_view program,
                                                                     const Id& party,
                                                                     Timestamp since) override {
        std::int64_t points = 0, spend = 0;
        for (const auto& [seq, e] : s_.ledger)
            if (e.program == program && e.party == party && !e.order_id.empty() &&
                (e.kind == LedgerKind::earn || e.kind == LedgerKind::adjust) && e.at.ms >= since.ms) {
                points += e.points;
                spend += e.amount_minor;
            }
        return std::make_pair(points, spend);
    }

    result<void> put_comment(const TicketComment& c) override {
        put_undoable(s_.comments, c.id, c);
        return ok();
    }
    result<std::vector<TicketComment>> comments_of(const Id& ticket,
                                                   bool include_internal) override {
        std::vector<TicketComment> out;
        for (const auto& [id, c] : s_.comments)
            if (c.ticket == ticket && (include_internal || c.is_public)) out.push_back(c);
        return out;
    }
    result<std::vector<Quote>> quotes_for_opportunity(const Id& opportunity) override {
        std::vector<Quote> out;
        for (auto it = s_.quotes.rbegin(); it != s_.quotes.rend(); ++it)
            if (it->second.opportunity == opportunity) out.push_back(it->second);
        return out;
    }
    result<std::vector<Quote>> quote_revisions(const Id& root) override {
        std::vector<Quote> out;
        for (const auto& [id, q] : s_.quotes)
            if (q.root == root) out.push_back(q);
        std::sort(out.begin(), out.end(),
                  [](const Quote& a, const Quote& b) { return a.revision < b.revision; });
        return out;
    }

    result<void> append_history(HistoryEntry& e) override {
        e.seq = static_cast<std::int64_t>(s_.history.size()) + 1;
        s_.history.push_back(e);
        undo_.push_back([this] { s_.history.pop_back(); });
        return ok();
    }
    result<std::vector<HistoryEntry>> history_of(std::string_view record_type,
                                                 const Id& id) override {
        std::vector<HistoryEntry> out;
        for (const auto& e : s_.history)
            if (e.record_id == id && e.record_type == record_type) out.push_back(e);
        return out;
    }

    result<void> append_audit(AuditEntry& e) override {
        e.seq = static_cast<std::int64_t>(s_.audit.size()) + 1;
        s_.audit.push_back(e);
        undo_.push_back([this] { s_.audit.pop_back(); });
        return ok();
    }
    result<std::vector<AuditEntry>> audit_of(const Id& record, int limit) override {
        std::vector<AuditEntry> out;
        for (auto it = s_.audit.rbegin(); it != s_.audit.rend() && static_cast<int>(out.size()) < limit; ++it)
            if (it->record_id == record) out.push_back(*it);
        return out;
    }
    result<void> append_event(Event& e) override {
        e.seq = static_cast<std::int64_t>(s_.events.size()) + 1;
        s_.events.push_back(e);
        undo_.push_back([this] { s_.events.pop_back(); });
        return ok();
    }
    result<std::vector<Event>> events_after(std::int64_t cursor, int limit) override {
        std::vector<Event> out;
        for (std::size_t i = static_cast<std::size_t>(std::max<std::int64_t>(cursor, 0));
             i < s_.events.size() && static_cast<int>(out.size()) < limit; ++i)
            out.push_back(s_.events[i]);
        return out;
    }
    result<void> set_cursor(std::string_view consumer, std::int64_t cursor) override {
        std::optional<std::int64_t> old;
        if (auto it = s_.cursors.find(consumer); it != s_.cursors.end()) old = it->second;
        s_.cursors[std::string(consumer)] = cursor;
        undo_.push_back([this, name = std::string(consumer), old] {
            if (old) s_.cursors[name] = *old;
            else s_.cursors.erase(name);
        });
        return ok();
    }
    result<std::int64_t> cursor(std::string_view consumer) override {
        auto it = s_.cursors.find(consumer);
        return it == s_.cursors.end() ? 0 : it->second;
    }

private:
    template <class Index>
    static std::vector<Id> ids_in(const Index& index, const std::string& key) {
        auto it = index.find(key);
        if (it == index.end()) return {};
        return {it->second.begin(), it->second.end()};
    }

    template <class Pred>
    std::vector<Activity> select_activities(Pred pred, int limit) {
        std::vector<Activity> out;
        for (const auto& [id, a] : s_.activities)
            if (a.status == ActivityStatus::open && pred(a)) out.push_back(a);
        std::sort(out.begin(), out.end(), [](const Activity& a, const Activity& b) {
            return std::tie(a.due, a.id) < std::tie(b.due, b.id);
        });
        if (static_cast<int>(out.size()) > limit) out.resize(static_cast<std::size_t>(limit));
        return out;
    }

    result<void> put_interaction_impl(Interaction i, const Id& party) {
        if (!i.external_id.empty()) {
            auto it = s_.interaction_by_ext.find(i.external_id);
            if (it != s_.interaction_by_ext.end() && it->second != i.id)
                return fail(errc::conflict, "interaction '" + i.external_id + "' already exists",
                            "external_id");
        }
        i.party = party;
        std::optional<Interaction> old;
        if (auto it = s_.interactions.find(i.id); it != s_.interactions.end()) old = it->second;
        s_.set_interaction(i);
        undo_.push_back([this, id = i.id, old] {
            if (old) s_.set_interaction(*old);
            else s_.erase_interaction(id);
        });
        return ok();
    }

    // Reads of records kept by id with an external id and a party
    // (opportunities, leads): by id, by external id, a party's newest first.
    template <class T>
    static std::optional<T> keyed_get(const std::map<Id, T>& records, const Id& id) {
        auto it = records.find(id);
        return it == records.end() ? std::nullopt : std::optional<T>{it->second};
    }
    static Id keyed_by_external(const std::unordered_map<std::string, Id>& by_ext,
                                std::string_view external_id) {
        auto it = by_ext.find(std::string(external_id));
        return it == by_ext.end() ? Id{} : it->second;
    }
    template <class T>
    static std::vector<T> keyed_of_party(const std::map<Id, T>& records, const Id& party) {
        std::vector<T> out;
        for (auto it = records.rbegin(); it != records.rend(); ++it)
            if (it->second.party == party) out.push_back(it->second);
        return out;
    }

    // Inserts or replaces map[key], undoably.
    template <class Map, class Key, class T>
    void put_undoable(Map& records, const Key& key, const T& value) {
        std::optional<T> old;
        if (auto it = records.find(key); it != records.end()) old = it->second;
        records.insert_or_assign(key, value);
        undo_.push_back([&records, key, old] {
            if (old) records.insert_or_assign(key, *old);
            else records.erase(key);
        });
    }

    // Erases map[key], undoably.
    template <class Map, class Key>
    void erase_undoable(Map& records, const Key& key) {
        auto it = records.find(key);
        if (it == records.end()) return;
        auto old = it->second;
        records.erase(it);
        undo_.push_back([&records, key, old] { records.insert_or_assign(key, old); });
    }

    // Inserts or replaces a record kept by id with a unique optional
    // external id (opportunities, leads), undoably.
    template <class T>
    result<void> put_keyed(std::map<Id, T>& records, std::unordered_map<std::string, Id>& by_ext,
                           const T& r, const char* what) {
        if (!r.external_id.empty()) {
            auto it = by_ext.find(r.external_id);
            if (it != by_ext.end() && it->second != r.id)
                return fail(errc::conflict,
                            std::string(what) + " '" + r.external_id + "' already exists",
                            "external_id");
        }
        std::optional<T> old;
        if (auto it = records.find(r.id); it != records.end()) old = it->second;
        const auto replace = [&records, &by_ext](const T& now, const std::optional<T>& was) {
            if (was && !was->external_id.empty()) by_ext.erase(was->external_id);
            records[now.id] = now;
            if (!now.external_id.empty()) by_ext[now.external_id] = now.id;
        };
        replace(r, old);
        undo_.push_back([&records, &by_ext, replace, r, old] {
            if (old) {
                replace(*old, r);
            } else {
                if (!r.external_id.empty()) by_ext.erase(r.external_id);
                records.erase(r.id);
            }
        });
        return ok();
    }

    void undo_to(std::size_t mark) {
        while (undo_.size() > mark) {
            undo_.back()();
            undo_.pop_back();
        }
    }

    State& s_;
    std::unique_lock<std::mutex> lock_;
    std::vector<std::function<void()>> undo_;
    std::vector<std::size_t> marks_;
    bool done_ = false;
};

class MemoryStore final : public Store {
public:
    result<std::unique_ptr<Transaction>> begin() override {
        std::unique_lock<std::mutex> lock(mutex_);
        return std::unique_ptr<Transaction>(new MemoryTransaction(state_, std::move(lock)));
    }
    std::string_view backend() const noexcept override { return "memory"; }

private:
    std::mutex mutex_;
    State state_;
};

}  // namespace

std::unique_ptr<Store> open_memory() { return std::make_unique<MemoryStore>(); }

}  // namespace crm::storage
