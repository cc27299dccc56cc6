// customer/store/records.cpp - the customer context's repository: parties,
// contact points, tags, merges, memberships, timeline, activities,
// purchases and custom field declarations.
#include "customer/store/records.hpp"

#include "crm/core/text.hpp"

#include <cstdlib>

#include "core/clean.hpp"
#include "customer/store/columns.hpp"
#include "customer/store/timeline_cursor.hpp"

namespace crm {

using namespace storage;
using namespace columns;

namespace {

#define CRM_PARTY_COLS                                                                       \
    "id, kind, external_id, first_name, last_name, organization_name, national_id, "         \
    "lifecycle_stage, owner, city, country, tags, custom, created_at, updated_at, version, " \
    "merged_into, contacts"

#define CRM_INTERACTION_COLS                                                                 \
    "id, party_id, channel, direction, at, subject, summary, actor, duration_s, outcome, " \
    "external_id"

#define CRM_ACTIVITY_COLS \
    "id, party_id, kind, subject, note, due_at, assignee, status, created_at, closed_at"

#define CRM_PURCHASE_COLS "id, party_id, order_id, ordered_at, total_minor, currency, lines"

#define CRM_FIELD_COLS \
    "record_type, name, label, type, required, allowed, min_value, max_value, currency"

// The columns both party column lists begin with: id, kind, external_id
// and the three names.
result<void> read_party_head(const Stmt& s, Party& p) {
    CRM_TRY(id, s.id(0));
    p.id = id;
    CRM_TRY(kind, stored_enum(parse_party_kind(s.text(1)), "party kind"));
    p.kind = kind;
    p.external_id = s.str(2);
    p.first_name = s.str(3);
    p.last_name = s.str(4);
    p.organization_name = s.str(5);
    return ok();
}

result<Party> read_party(const Stmt& s) {
    Party p;
    CRM_TRYV(read_party_head(s, p));
    p.national_id = s.str(6);
    p.lifecycle_stage = s.str(7);
    p.owner = s.str(8);
    p.city = s.str(9);
    p.country = s.str(10);
    CRM_TRY(tags, decode_strings(s.text(11), "party.tags"));
    p.tags = std::move(tags);
    CRM_TRY(custom, decode_custom(s.text(12), "party.custom"));
    p.custom = std::move(custom);
    p.created_at = Timestamp{s.i64(13)};
    p.updated_at = Timestamp{s.i64(14)};
    p.version = s.i64(15);
    CRM_TRY(merged, s.id_or_nil(16));
    p.merged_into = merged;
    CRM_TRY(contacts, decode_contacts(s.text(17), "party.contacts"));
    p.contacts = std::move(contacts);
    return p;
}

// A row of CRM_BRIEF_COLS: a party without its contact points or custom values.
#define CRM_BRIEF_COLS \
    "id, kind, external_id, first_name, last_name, organization_name, city, tags, merged_into"

result<PartyBrief> read_brief(const Stmt& s) {
    Party p;
    CRM_TRYV(read_party_head(s, p));
    p.city = s.str(6);
    CRM_TRY(tags, decode_strings(s.text(7), "party.tags"));
    p.tags = std::move(tags);
    CRM_TRY(merged, s.id_or_nil(8));
    p.merged_into = merged;
    return PartyBrief::of(p);
}

result<Interaction> read_interaction(const Stmt& s) {
    Interaction i;
    CRM_TRY(id, s.id(0));
    i.id = id;
    CRM_TRY(party, s.id(1));
    i.party = party;
    CRM_TRY(channel, stored_enum(parse_channel(s.text(2)), "channel"));
    i.channel = channel;
    CRM_TRY(direction, stored_enum(parse_direction(s.text(3)), "direction"));
    i.direction = direction;
    i.at = Timestamp{s.i64(4)};
    i.subject = s.str(5);
    i.summary = s.str(6);
    i.actor = s.str(7);
    if (!s.is_null(8)) i.duration_s = s.i64(8);
    i.outcome = s.str(9);
    i.external_id = s.str(10);
    return i;
}

result<Activity> read_activity(const Stmt& s) {
    Activity a;
    CRM_TRY(id, s.id(0));
    a.id = id;
    CRM_TRY(party, s.id(1));
    a.party = party;
    CRM_TRY(kind, stored_enum(parse_activity_kind(s.text(2)), "activity kind"));
    a.kind = kind;
    a.subject = s.str(3);
    a.note = s.str(4);
    a.due = Timestamp{s.i64(5)};
    a.assignee = s.str(6);
    CRM_TRY(status, stored_enum(parse_activity_status(s.text(7)), "activity status"));
    a.status = status;
    a.created_at = Timestamp{s.i64(8)};
    if (!s.is_null(9)) a.closed_at = Timestamp{s.i64(9)};
    return a;
}

result<Purchase> read_purchase(const Stmt& s) {
    Purchase p;
    CRM_TRY(id, s.id(0));
    p.id = id;
    CRM_TRY(party, s.id(1));
    p.party = party;
    p.order_id = s.str(2);
    p.ordered_at = Timestamp{s.i64(3)};
    p.total = Money{s.i64(4), s.str(5)};
    CRM_TRY(lines, decode_lines(s.text(6), "purchase.lines"));
    p.lines = std::move(lines);
    return p;
}

result<FieldDef> read_field(const Stmt& s) {
    FieldDef d;
    d.record_type = s.str(0);
    d.name = s.str(1);
    d.label = s.str(2);
    CRM_TRY(type, stored_enum(parse_field_type(s.text(3)), "field type"));
    d.type = type;
    d.required = s.i64(4) != 0;
    CRM_TRY(allowed, decode_strings(s.text(5), "field_def.allowed"));
    d.allowed = std::move(allowed);
    if (!s.is_null(6)) d.min = s.i64(6);
    if (!s.is_null(7)) d.max = s.i64(7);
    d.currency = s.str(8);
    return d;
}

}  // namespace

void CustomerRecords::bind_party(Stmt& st, const Party& p, const PartyText& t, std::string_view key,
                                 std::string_view latin) {
    st.bind(1, t.id);
    st.bind(2, to_string(p.kind));
    st.bind_or_null(3, p.external_id);
    st.bind(4, p.first_name);
    st.bind(5, p.last_name);
    st.bind(6, p.organization_name);
    st.bind_or_null(7, p.national_id);
    st.bind(8, p.lifecycle_stage);
    st.bind(9, p.owner);
    st.bind(10, p.city);
    st.bind(11, p.country);
    st.bind(12, t.tags);
    st.bind(13, t.custom);
    st.bind(14, p.created_at.ms);
    st.bind(15, p.updated_at.ms);
    st.bind(16, p.version);
    if (t.merged) st.bind(17, *t.merged); else st.bind_null(17);
    st.bind(18, t.contacts);
    st.bind(19, key);
    st.bind(20, latin);
}

result<void> CustomerRecords::put_party_impl(const Party& p, std::string_view name_key) {
    PartyText t{IdText(p.id), std::nullopt, encode_strings(p.tags), encode_custom(p.custom),
                encode_contacts(p.contacts)};
    // Bound values must outlive the statement's execution.
    const std::string latin = text::latin_search_key(name_key);
    if (!p.merged_into.is_nil()) t.merged.emplace(p.merged_into);
    // The insert is tried first: in a bulk import most parties are new,
    // and then there are no old tags or contact keys to reconcile. DO
    // NOTHING applies to the id only; a taken external_id still fails.
    {
        CRM_TRY(st, c_.stmt("INSERT INTO party (" CRM_PARTY_COLS ", name_key, latin_key) VALUES "
                            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                            "?15, ?16, ?17, ?18, ?19, ?20) ON CONFLICT (id) DO NOTHING"));
        bind_party(st, p, t, name_key, latin);
        CRM_TRYV(st.exec());
    }
    // Tags and contact keys index live parties only, like the other
    // lookups: a merged-away party has none.
    const bool live = !t.merged;
    if (c_.changes() > 0) {
        if (!live) return ok();
        for (const std::string& tag : p.tags) CRM_TRYV(add_tag(t.id, tag));
        for (const ContactPoint& c : p.contacts)
            CRM_TRYV(
                add_contact_key(t.id, to_string(c.kind), contact_index_key(c.kind, c.value)));
        return ok();
    }
    // An update: the old row says which index rows go.
    std::string old_tags, old_contacts;
    bool was_live = true;
    {
        CRM_TRY(st, c_.stmt("SELECT tags, contacts, merged_into IS NULL FROM party "
                            "WHERE id = ?1"));
        st.bind(1, t.id);
        CRM_TRY(row, st.step());
        if (!row) return fail(errc::internal, "party vanished during put_party");
        old_tags = st.str(0);
        old_contacts = st.str(1);
        was_live = st.i64(2) != 0;
    }
    {
        CRM_TRY(st, c_.stmt("UPDATE party SET kind = ?2, external_id = ?3, "
                            "first_name = ?4, last_name = ?5, organization_name = ?6, "
                            "national_id = ?7, lifecycle_stage = ?8, owner = ?9, city = ?10, "
                            "country = ?11, tags = ?12, custom = ?13, created_at = ?14, "
                            "updated_at = ?15, version = ?16, merged_into = ?17, "
                            "contacts = ?18, name_key = ?19, latin_key = ?20 WHERE id = ?1"));
        bind_party(st, p, t, name_key, latin);
        CRM_TRYV(st.exec());
    }
    if (was_live != live || old_tags != t.tags) {
        std::vector<std::string> old;
        if (was_live) {
            CRM_TRY(o, decode_strings(old_tags, "party.tags"));
            old = std::move(o);
        }
        const std::vector<std::string> none;
        const std::vector<std::string>& now = live ? p.tags : none;
        for (const std::string& tag : old)
            if (std::find(now.begin(), now.end(), tag) == now.end())
                CRM_TRYV(drop_tag(t.id, tag));
        for (const std::string& tag : now)
            if (std::find(old.begin(), old.end(), tag) == old.end())
                CRM_TRYV(add_tag(t.id, tag));
    }
    if (was_live != live || old_contacts != t.contacts) {
        using Key = std::pair<std::string, std::string>;
        std::vector<Key> old, now;
        if (was_live) {
            CRM_TRY(o, contact_keys(old_contacts, "party.contacts"));
            old = std::move(o);
        }
        if (live)
            for (const ContactPoint& c : p.contacts)
                now.emplace_back(to_string(c.kind), contact_index_key(c.kind, c.value));
        for (const Key& k : old)
            if (std::find(now.begin(), now.end(), k) == now.end())
                CRM_TRYV(drop_contact_key(t.id, k.first, k.second));
        for (const Key& k : now)
            if (std::find(old.begin(), old.end(), k) == old.end())
                CRM_TRYV(add_contact_key(t.id, k.first, k.second));
    }
    return ok();
}

// DO NOTHING on conflict: a list may name the same tag or contact twice.
result<void> CustomerRecords::add_tag(const IdText& pid, std::string_view tag) {
    CRM_TRY(st, c_.stmt("INSERT INTO party_tag (tag, party_id) VALUES (?1, ?2) "
                        "ON CONFLICT DO NOTHING"));
    st.bind(1, tag);
    st.bind(2, pid);
    return st.exec();
}

result<void> CustomerRecords::drop_tag(const IdText& pid, std::string_view tag) {
    CRM_TRY(st, c_.stmt("DELETE FROM party_tag WHERE tag = ?1 AND party_id = ?2"));
    st.bind(1, tag);
    st.bind(2, pid);
    return st.exec();
}

result<void> CustomerRecords::add_contact_key(const IdText& pid, std::string_view kind, std::string_view value) {
    CRM_TRY(st, c_.stmt("INSERT INTO contact_key (kind, value, party_id) "
                        "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"));
    st.bind(1, kind);
    st.bind(2, value);
    st.bind(3, pid);
    return st.exec();
}

result<void> CustomerRecords::drop_contact_key(const IdText& pid, std::string_view kind,
                              std::string_view value) {
    CRM_TRY(st, c_.stmt("DELETE FROM contact_key WHERE kind = ?1 AND value = ?2 "
                        "AND party_id = ?3"));
    st.bind(1, kind);
    st.bind(2, value);
    st.bind(3, pid);
    return st.exec();
}

result<void> CustomerRecords::put_purchase_impl(const Purchase& p) {
    IdText id(p.id), party(p.party);
    std::optional<OldPurchase> old;
    {
        CRM_TRY(st, c_.stmt("SELECT party_id, currency FROM purchase WHERE id = ?1"));
        st.bind(1, id);
        CRM_TRY(row, st.step());
        if (row) old = OldPurchase{st.str(0), st.str(1)};
    }
    if (!old) {
        // A new order: the summary is updated in place, overflow checked
        // before anything is written.
        PurchaseSummary s{p.total.currency, 0, 0, p.ordered_at, p.ordered_at};
        {
            CRM_TRY(st, c_.stmt("SELECT count, total_minor, first_at, last_at FROM "
                                "purchase_summary WHERE party_id = ?1 AND currency = ?2"));
            st.bind(1, party);
            st.bind(2, p.total.currency);
            CRM_TRY(row, st.step());
            if (row) {
                s.count = st.i64(0);
                s.total_minor = st.i64(1);
                s.first_at = std::min(Timestamp{st.i64(2)}, p.ordered_at);
                s.last_at = std::max(Timestamp{st.i64(3)}, p.ordered_at);
            }
        }
        if (__builtin_add_overflow(s.total_minor, p.total.minor, &s.total_minor))
            return fail(errc::invalid_argument,
                        "the party's purchase total in " + p.total.currency +
                            " would overflow 64 bits",
                        "total");
        ++s.count;
        CRM_TRYV(write_purchase(p, id, party));
        static const std::string kPut = storage::upsert_sql(
            "purchase_summary", "party_id, currency, count, total_minor, first_at, last_at",
            "party_id, currency");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        st.bind(1, party);
        st.bind(2, s.currency);
        st.bind(3, s.count);
        st.bind(4, s.total_minor);
        st.bind(5, s.first_at.ms);
        st.bind(6, s.last_at.ms);
        return st.exec();
    }
    // An update: the old and the new (party, currency) summaries are
    // recomputed from the rows, since first/last cannot be subtracted.
    return atomically([&]() -> result<void> {
        CRM_TRYV(write_purchase(p, id, party));
        CRM_TRYV(recompute_summary(old->party, old->currency));
        if (old->party != party.view() || old->currency != p.total.currency)
            CRM_TRYV(recompute_summary(party.view(), p.total.currency));
        return ok();
    });
}

result<void> CustomerRecords::write_purchase(const Purchase& p, const IdText& id, const IdText& party) {
    std::string lines = encode_lines(p.lines);
    static const std::string kPut = storage::upsert_sql("purchase", CRM_PURCHASE_COLS, "id");
    CRM_TRY(st, c_.stmt(kPut.c_str()));
    st.bind(1, id);
    st.bind(2, party);
    st.bind(3, p.order_id);
    st.bind(4, p.ordered_at.ms);
    st.bind(5, p.total.minor);
    st.bind(6, p.total.currency);
    st.bind(7, lines);
    return st.exec();
}

result<void> CustomerRecords::recompute_summary(std::string_view party, std::string_view currency) {
    {
        CRM_TRY(st, c_.stmt("DELETE FROM purchase_summary WHERE party_id = ?1 "
                            "AND currency = ?2"));
        st.bind(1, party);
        st.bind(2, currency);
        CRM_TRYV(st.exec());
    }
    CRM_TRY(st, c_.stmt("INSERT INTO purchase_summary (party_id, currency, count, "
                        "total_minor, first_at, last_at) SELECT party_id, currency, "
                        "count(*), sum(total_minor), min(ordered_at), max(ordered_at) "
                        "FROM purchase WHERE party_id = ?1 AND currency = ?2 "
                        "GROUP BY party_id, currency"));
    st.bind(1, party);
    st.bind(2, currency);
    return st.exec();
}

result<std::optional<Party>> CustomerRecords::get_party(const Id& id) {
    return run<std::optional<Party>>("get_party", [&]() -> result<std::optional<Party>> {
        IdText pid(id);
        CRM_TRY(st, c_.stmt("SELECT " CRM_PARTY_COLS " FROM party WHERE id = ?1"));
        st.bind(1, pid);
        CRM_TRY(row, st.step());
        if (!row) return std::optional<Party>{};
        CRM_TRY(p, read_party(st));
        return std::optional<Party>(std::move(p));
    });
}

result<std::optional<PartyBrief>> CustomerRecords::get_party_brief(const Id& id) {
    return run<std::optional<PartyBrief>>(
        "get_party_brief", [&]() -> result<std::optional<PartyBrief>> {
            IdText pid(id);
            CRM_TRY(st, c_.stmt("SELECT " CRM_BRIEF_COLS " FROM party WHERE id = ?1"));
            st.bind(1, pid);
            CRM_TRY(row, st.step());
            if (!row) return std::optional<PartyBrief>{};
            CRM_TRY(b, read_brief(st));
            return std::optional<PartyBrief>(std::move(b));
        });
}

result<Id> CustomerRecords::party_by_external_id(std::string_view external_id) {
    return run<Id>("party_by_external_id", [&]() -> result<Id> {
        if (external_id.empty()) return Id{};
        CRM_TRY(st, c_.stmt("SELECT id FROM party WHERE external_id = ?1"));
        st.bind(1, external_id);
        CRM_TRY(row, st.step());
        if (!row) return Id{};
        return st.id(0);
    });
}

result<void> CustomerRecords::put_party(const Party& p, std::string_view name_key) {
    return run<void>("put_party",
                     [&]() -> result<void> { return put_party_impl(p, name_key); });
}

result<std::vector<Id>> CustomerRecords::parties_by_contact(ContactKind kind, std::string_view value) {
    return run<std::vector<Id>>("parties_by_contact", [&]() -> result<std::vector<Id>> {
        // contact_key holds live parties only: no need to read party rows.
        const std::string key = contact_index_key(kind, value);
        CRM_TRY(st, c_.stmt("SELECT party_id FROM contact_key "
                            "WHERE kind = ?1 AND value = ?2 ORDER BY party_id"));
        st.bind(1, to_string(kind));
        st.bind(2, key);
        return collect_ids(st);
    });
}

result<std::vector<Id>> CustomerRecords::parties_by_national_id(std::string_view national_id) {
    return run<std::vector<Id>>("parties_by_national_id", [&]() -> result<std::vector<Id>> {
        if (national_id.empty()) return std::vector<Id>{};
        CRM_TRY(st, c_.stmt("SELECT id FROM party WHERE national_id = ?1 "
                            "AND merged_into IS NULL ORDER BY id"));
        st.bind(1, national_id);
        return collect_ids(st);
    });
}

result<std::vector<Id>> CustomerRecords::parties_by_tag(std::string_view tag, int offset, int limit) {
    return run<std::vector<Id>>("parties_by_tag", [&]() -> result<std::vector<Id>> {
        CRM_TRYV(check_offset(offset));
        CRM_TRYV(check_limit(limit));
        CRM_TRY(st, c_.stmt("SELECT party_id FROM party_tag WHERE tag = ?1 "
                            "ORDER BY party_id LIMIT ?2 OFFSET ?3"));
        st.bind(1, tag);
        st.bind(2, limit);
        st.bind(3, offset);
        return collect_ids(st);
    });
}

result<std::vector<Id>> CustomerRecords::parties_by_name(std::string_view key, NameMatch match, int offset,
                                        int limit) {
    return run<std::vector<Id>>("parties_by_name", [&]() -> result<std::vector<Id>> {
        CRM_TRYV(check_offset(offset));
        CRM_TRYV(check_limit(limit));
        const bool latin = match == NameMatch::latin_prefix || match == NameMatch::latin_contains;
        const std::string column = latin ? "latin_key" : "name_key";
        if (match == NameMatch::prefix || match == NameMatch::latin_prefix) {
            // A range on the partial index (key, id): no scan.
            std::string upper = prefix_upper_bound(key);
            CRM_TRY(st, c_.stmt_dynamic("SELECT id FROM party WHERE merged_into IS NULL AND " + column +
                                        " >= ?1 AND " + column + " < ?2 ORDER BY " + column +
                                        ", id LIMIT ?3 OFFSET ?4"));
            st.bind(1, key);
            st.bind(2, upper);
            st.bind(3, limit);
            st.bind(4, offset);
            return collect_ids(st);
        }
        // A position rather than LIKE: no wildcard characters to escape in
        // the key. It scans the covering index, in order.
        const storage::Dialect& d = s_.dialect();
        CRM_TRY(st, c_.stmt_dynamic("SELECT id FROM " + d.indexed("party", latin ? "party_latin" : "party_name") +
                                    " WHERE merged_into IS NULL AND " + d.position(column, "?1") +
                                    " > 0 ORDER BY " + column + ", id LIMIT ?2 OFFSET ?3"));
        st.bind(1, key);
        st.bind(2, limit);
        st.bind(3, offset);
        return collect_ids(st);
    });
}

result<void> CustomerRecords::for_each_party(const Id& after,
                            const std::function<bool(const Party&)>& fn) {
    return run<void>("for_each_party", [&]() -> result<void> {
        // One pass over the party table in id order; only the current
        // party is in memory.
        CRM_TRY(st, c_.stmt("SELECT " CRM_PARTY_COLS
                            " FROM party WHERE merged_into IS NULL AND id > ?1 ORDER BY id"));
        const IdText from(after);
        st.bind(1, from);
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row) break;
            CRM_TRY(party, read_party(st));
            if (!fn(party)) break;
        }
        return ok();
    });
}

// Only the log: the merged party's own row (merged_into) is written by
// put_party, and a party merged into one that is merged later keeps
// its row as it was (readers follow the chain).
result<void> CustomerRecords::put_merge(const Id& merged, const Id& survivor, Timestamp at) {
    return run<void>("put_merge", [&]() -> result<void> {
        IdText m(merged), s(survivor);
        CRM_TRY(st, c_.stmt("INSERT INTO merge_log (merged, survivor, at) "
                            "VALUES (?1, ?2, ?3) ON CONFLICT (merged) DO UPDATE "
                            "SET survivor = excluded.survivor, at = excluded.at"));
        st.bind(1, m);
        st.bind(2, s);
        st.bind(3, at.ms);
        return st.exec();
    });
}

result<Id> CustomerRecords::merged_into(const Id& id) {
    return run<Id>("merged_into", [&]() -> result<Id> {
        IdText m(id);
        CRM_TRY(st, c_.stmt("SELECT survivor FROM merge_log WHERE merged = ?1"));
        st.bind(1, m);
        CRM_TRY(row, st.step());
        if (!row) return Id{};
        return st.id(0);
    });
}

result<std::vector<Id>> CustomerRecords::merged_from(const Id& survivor) {
    return run<std::vector<Id>>("merged_from", [&]() -> result<std::vector<Id>> {
        IdText s(survivor);
        CRM_TRY(st, c_.stmt("SELECT merged FROM merge_log WHERE survivor = ?1 "
                            "ORDER BY merged"));
        st.bind(1, s);
        return collect_ids(st);
    });
}

result<void> CustomerRecords::put_membership(const Membership& m) {
    return run<void>("put_membership", [&]() -> result<void> {
        IdText person(m.person), org(m.organization);
        CRM_TRY(st, c_.stmt("INSERT INTO membership (person, organization, role, since) "
                            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (person, organization) "
                            "DO UPDATE SET role = excluded.role, since = excluded.since"));
        st.bind(1, person);
        st.bind(2, org);
        st.bind(3, m.role);
        st.bind(4, m.since.ms);
        return st.exec();
    });
}

result<bool> CustomerRecords::delete_membership(const Id& person, const Id& organization) {
    return run<bool>("delete_membership", [&]() -> result<bool> {
        IdText p(person), o(organization);
        CRM_TRY(st, c_.stmt("DELETE FROM membership WHERE person = ?1 AND organization = ?2"));
        st.bind(1, p);
        st.bind(2, o);
        CRM_TRYV(st.exec());
        return c_.changes() > 0;
    });
}

result<std::vector<Membership>> CustomerRecords::memberships_of(const Id& party) {
    return run<std::vector<Membership>>(
        "memberships_of", [&]() -> result<std::vector<Membership>> {
            IdText p(party);
            CRM_TRY(st, c_.stmt(
                            "SELECT person, organization, role, since FROM membership "
                            "WHERE person = ?1 UNION ALL "
                            "SELECT person, organization, role, since FROM membership "
                            "WHERE organization = ?1 AND person <> ?1 "
                            "ORDER BY 1, 2"));
            st.bind(1, p);
            return collect<Membership>(st, [](const Stmt& s) -> result<Membership> {
                Membership m;
                CRM_TRY(person, s.id(0));
                CRM_TRY(org, s.id(1));
                m.person = person;
                m.organization = org;
                m.role = s.str(2);
                m.since = Timestamp{s.i64(3)};
                return m;
            });
        });
}

result<void> CustomerRecords::put_interaction(const Interaction& i) {
    return run<void>("put_interaction", [&]() -> result<void> {
        IdText id(i.id), party(i.party);
        static const std::string kPut =
            storage::upsert_sql("interaction", CRM_INTERACTION_COLS, "id");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        st.bind(1, id);
        st.bind(2, party);
        st.bind(3, to_string(i.channel));
        st.bind(4, to_string(i.direction));
        st.bind(5, i.at.ms);
        st.bind(6, i.subject);
        st.bind(7, i.summary);
        st.bind(8, i.actor);
        if (i.duration_s) st.bind(9, *i.duration_s); else st.bind_null(9);
        st.bind(10, i.outcome);
        st.bind_or_null(11, i.external_id);
        return st.exec();
    });
}

result<std::optional<Interaction>> CustomerRecords::interaction_by_external_id(std::string_view ext) {
    return run<std::optional<Interaction>>(
        "interaction_by_external_id", [&]() -> result<std::optional<Interaction>> {
            if (ext.empty()) return std::optional<Interaction>{};
            CRM_TRY(st, c_.stmt("SELECT " CRM_INTERACTION_COLS
                                " FROM interaction WHERE external_id = ?1"));
            st.bind(1, ext);
            CRM_TRY(row, st.step());
            if (!row) return std::optional<Interaction>{};
            CRM_TRY(i, read_interaction(st));
            return std::optional<Interaction>(std::move(i));
        });
}

result<Page<Interaction>> CustomerRecords::interactions(const Id& party, const TimelineQuery& q) {
    return run<Page<Interaction>>("interactions", [&]() -> result<Page<Interaction>> {
        if (q.limit < 1 || q.limit > 1000)
            return fail(errc::invalid_argument, "limit must be between 1 and 1000", "limit");
        IdText p(party);
        Page<Interaction> page;
        // One row more than asked tells whether another page follows.
        const int fetch = q.limit + 1;
        auto read_page = [&](Stmt& st) -> result<void> {
            CRM_TRY(items, collect<Interaction>(st, read_interaction));
            page.items = std::move(items);
            return ok();
        };
        if (q.before.empty()) {
            CRM_TRY(st, c_.stmt("SELECT " CRM_INTERACTION_COLS " FROM interaction "
                                "WHERE party_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2"));
            st.bind(1, p);
            st.bind(2, fetch);
            CRM_TRYV(read_page(st));
        } else {
            CRM_TRY(from, decode_cursor(q.before));
            IdText after(from.id);
            // The row value (at, id) walks the (party_id, at DESC, id DESC)
            // index from the cursor on; ties in `at` page by id.
            CRM_TRY(st, c_.stmt("SELECT " CRM_INTERACTION_COLS " FROM interaction "
                                "WHERE party_id = ?1 AND (at, id) < (?2, ?3) "
                                "ORDER BY at DESC, id DESC LIMIT ?4"));
            st.bind(1, p);
            st.bind(2, from.at_ms);
            st.bind(3, after);
            st.bind(4, fetch);
            CRM_TRYV(read_page(st));
        }
        if (static_cast<int>(page.items.size()) > q.limit) {
            page.items.pop_back();
            page.next = encode_cursor(page.items.back().at.ms, page.items.back().id);
        }
        return page;
    });
}

result<void> CustomerRecords::put_activity(const Activity& a) {
    return run<void>("put_activity", [&]() -> result<void> {
        IdText id(a.id), party(a.party);
        static const std::string kPut = storage::upsert_sql("activity", CRM_ACTIVITY_COLS, "id");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        st.bind(1, id);
        st.bind(2, party);
        st.bind(3, to_string(a.kind));
        st.bind(4, a.subject);
        st.bind(5, a.note);
        st.bind(6, a.due.ms);
        st.bind(7, a.assignee);
        st.bind(8, to_string(a.status));
        st.bind(9, a.created_at.ms);
        if (a.closed_at) st.bind(10, a.closed_at->ms); else st.bind_null(10);
        return st.exec();
    });
}

const storage::ListSpec& CustomerRecords::activity_list_spec() {
    static const storage::ListSpec spec{.record_type = "activity", .table = "activity",
                                         .columns = CRM_ACTIVITY_COLS, .column_count = 10,
                                         .owner = "assignee", .state = nullptr,
                                         .changed = "coalesce(closed_at, created_at)",
                                         .due = "due_at"};
    return spec;
}

expr::Schema CustomerRecords::activity_schema() {
    expr::Schema s;
    for (const char* f : {"subject", "note", "kind", "status", "assignee"}) (void)s.add(f, expr::Type::text);
    for (const char* f : {"due", "created_at", "closed_at"}) (void)s.add(f, expr::Type::timestamp);
    return s;
}

expr::SqlMapping CustomerRecords::activity_columns(const expr::Schema&, const storage::Dialect& d) {
    expr::SqlMapping m(d);
    for (const char* c : {"subject", "note", "kind", "status", "assignee", "created_at", "closed_at"})
        m.set(c, c);
    m.set("due", "due_at");
    return m;
}

result<ListPage<Activity>> CustomerRecords::list_activities(const storage::ListSql& sql) {
    return run<ListPage<Activity>>("list_activities", [&] {
        return storage::run_list<Activity>(c_, sql, [](Stmt& st) { return read_activity(st); });
    });
}

std::string CustomerRecords::party_column_sql(std::string_view column, std::string_view party_id_sql) {
    return "(SELECT p." + std::string(column) + " FROM party p WHERE p.id = " +
           std::string(party_id_sql) + ")";
}

std::string CustomerRecords::party_tag_sql(std::string_view party_id_sql) {
    return "EXISTS (SELECT 1 FROM party_tag WHERE party_tag.tag = ? AND party_tag.party_id = " +
           std::string(party_id_sql) + ")";
}

result<std::optional<Activity>> CustomerRecords::get_activity(const Id& id) {
    return run<std::optional<Activity>>(
        "get_activity", [&]() -> result<std::optional<Activity>> {
            IdText a(id);
            CRM_TRY(st, c_.stmt("SELECT " CRM_ACTIVITY_COLS " FROM activity WHERE id = ?1"));
            st.bind(1, a);
            CRM_TRY(row, st.step());
            if (!row) return std::optional<Activity>{};
            CRM_TRY(act, read_activity(st));
            return std::optional<Activity>(std::move(act));
        });
}

result<std::vector<Activity>> CustomerRecords::open_activities(const Id& party, int limit) {
    return run<std::vector<Activity>>(
        "open_activities", [&]() -> result<std::vector<Activity>> {
            CRM_TRYV(check_limit(limit));
            IdText p(party);
            CRM_TRY(st, c_.stmt("SELECT " CRM_ACTIVITY_COLS " FROM activity "
                                "WHERE party_id = ?1 AND status = ?2 "
                                "ORDER BY due_at, id LIMIT ?3"));
            st.bind(1, p);
            st.bind(2, to_string(ActivityStatus::open));
            st.bind(3, limit);
            return collect<Activity>(st, read_activity);
        });
}

result<std::vector<Activity>> CustomerRecords::activities_due(std::string_view assignee, Timestamp until,
                                             int limit) {
    return run<std::vector<Activity>>(
        "activities_due", [&]() -> result<std::vector<Activity>> {
            CRM_TRYV(check_limit(limit));
            CRM_TRY(st, c_.stmt("SELECT " CRM_ACTIVITY_COLS " FROM activity "
                                "WHERE assignee = ?1 AND status = ?2 AND due_at < ?3 "
                                "ORDER BY due_at, id LIMIT ?4"));
            st.bind(1, assignee);
            st.bind(2, to_string(ActivityStatus::open));
            st.bind(3, until.ms);
            st.bind(4, limit);
            return collect<Activity>(st, read_activity);
        });
}

result<std::optional<Purchase>> CustomerRecords::purchase_by_order_id(std::string_view order_id) {
    return run<std::optional<Purchase>>(
        "purchase_by_order_id", [&]() -> result<std::optional<Purchase>> {
            CRM_TRY(st, c_.stmt("SELECT " CRM_PURCHASE_COLS
                                " FROM purchase WHERE order_id = ?1"));
            st.bind(1, order_id);
            CRM_TRY(row, st.step());
            if (!row) return std::optional<Purchase>{};
            CRM_TRY(p, read_purchase(st));
            return std::optional<Purchase>(std::move(p));
        });
}

result<void> CustomerRecords::put_purchase(const Purchase& p) {
    return run<void>("put_purchase", [&]() -> result<void> { return put_purchase_impl(p); });
}

result<std::vector<Purchase>> CustomerRecords::purchases_of(const Id& party) {
    return run<std::vector<Purchase>>("purchases_of", [&]() -> result<std::vector<Purchase>> {
        IdText p(party);
        CRM_TRY(st, c_.stmt("SELECT " CRM_PURCHASE_COLS " FROM purchase WHERE party_id = ?1 "
                            "ORDER BY ordered_at, id"));
        st.bind(1, p);
        return collect<Purchase>(st, read_purchase);
    });
}

result<std::vector<PurchaseSummary>> CustomerRecords::purchase_summary(const Id& party) {
    return run<std::vector<PurchaseSummary>>(
        "purchase_summary", [&]() -> result<std::vector<PurchaseSummary>> {
            IdText p(party);
            CRM_TRY(st, c_.stmt("SELECT currency, count, total_minor, first_at, last_at "
                                "FROM purchase_summary WHERE party_id = ?1 ORDER BY currency"));
            st.bind(1, p);
            return collect<PurchaseSummary>(st, [](const Stmt& s) -> result<PurchaseSummary> {
                return PurchaseSummary{s.str(0), s.i64(1), s.i64(2), Timestamp{s.i64(3)},
                                       Timestamp{s.i64(4)}};
            });
        });
}

result<void> CustomerRecords::for_each_purchase_row(std::string_view after,
                                                    const PurchaseRowFn& fn) {
    return run<void>("for_each_purchase_row", [&]() -> result<void> {
        CRM_TRY(st, c_.stmt("SELECT party_id, ordered_at, total_minor, currency FROM purchase "
                            "WHERE party_id > ?1 ORDER BY party_id, ordered_at, id"));
        st.bind(1, after);
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row || !fn(st.text(0), Timestamp{st.i64(1)}, st.i64(2), st.text(3))) break;
        }
        return ok();
    });
}

namespace {

#define CRM_CLV_COLS                                                                   \
    "party_id, computed_at, model, currency, value_minor, expected_spend_minor, "      \
    "expected_purchases, p_alive, horizon_days, discount_rate"

result<ClvScore> read_clv(const Stmt& s) {
    ClvScore c;
    CRM_TRY(id, s.id(0));
    c.party = id;
    c.computed_at = Timestamp{s.i64(1)};
    c.model = s.str(2);
    const std::string currency = s.str(3);
    CRM_TRY(value, Money::of(s.i64(4), currency, "party_clv.value_minor"));
    CRM_TRY(spend, Money::of(s.i64(5), currency, "party_clv.expected_spend_minor"));
    c.value = value;
    c.expected_spend = spend;
    c.expected_purchases = std::strtod(s.str(6).c_str(), nullptr);
    c.p_alive = std::strtod(s.str(7).c_str(), nullptr);
    c.horizon_days = std::strtod(s.str(8).c_str(), nullptr);
    c.annual_discount_rate = std::strtod(s.str(9).c_str(), nullptr);
    return c;
}

}  // namespace

result<void> CustomerRecords::clear_clv_scores() {
    return run<void>("clear_clv_scores", [&]() -> result<void> {
        CRM_TRY(st, c_.stmt("DELETE FROM party_clv"));
        return st.exec();
    });
}

result<void> CustomerRecords::put_clv_score(const ClvScore& c) {
    return run<void>("put_clv_score", [&]() -> result<void> {
        static const std::string kPut = storage::upsert_sql("party_clv", CRM_CLV_COLS, "party_id");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        IdText id(c.party);
        const std::string purchases = millionths(c.expected_purchases), alive = millionths(c.p_alive),
                          horizon = millionths(c.horizon_days),
                          rate = millionths(c.annual_discount_rate);
        st.bind(1, id);
        st.bind(2, c.computed_at.ms);
        st.bind(3, c.model);
        st.bind(4, c.value.currency);
        st.bind(5, c.value.minor);
        st.bind(6, c.expected_spend.minor);
        st.bind(7, purchases);
        st.bind(8, alive);
        st.bind(9, horizon);
        st.bind(10, rate);
        return st.exec();
    });
}

result<std::optional<ClvScore>> CustomerRecords::clv_score(const Id& party) {
    return run<std::optional<ClvScore>>("clv_score", [&]() -> result<std::optional<ClvScore>> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT " CRM_CLV_COLS " FROM party_clv WHERE party_id = ?1"));
        st.bind(1, id);
        CRM_TRY(row, st.step());
        if (!row) return std::optional<ClvScore>{};
        CRM_TRY(c, read_clv(st));
        return std::optional<ClvScore>(std::move(c));
    });
}

result<void> CustomerRecords::for_each_clv_score(const std::function<bool(const ClvScore&)>& fn) {
    return run<void>("for_each_clv_score", [&]() -> result<void> {
        CRM_TRY(st, c_.stmt("SELECT " CRM_CLV_COLS " FROM party_clv"));
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row) break;
            CRM_TRY(c, read_clv(st));
            if (!fn(c)) break;
        }
        return ok();
    });
}

result<void> CustomerRecords::put_field(const FieldDef& d) {
    return run<void>("put_field", [&]() -> result<void> {
        std::string allowed = encode_strings(d.allowed);
        static const std::string kPut =
            storage::upsert_sql("field_def", CRM_FIELD_COLS, "record_type, name");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        st.bind(1, d.record_type);
        st.bind(2, d.name);
        st.bind(3, d.label);
        st.bind(4, to_string(d.type));
        st.bind(5, d.required);
        st.bind(6, allowed);
        if (d.min) st.bind(7, *d.min); else st.bind_null(7);
        if (d.max) st.bind(8, *d.max); else st.bind_null(8);
        st.bind(9, d.currency);
        return st.exec();
    });
}

result<std::vector<FieldDef>> CustomerRecords::fields(std::string_view record_type) {
    return run<std::vector<FieldDef>>("fields", [&]() -> result<std::vector<FieldDef>> {
        CRM_TRY(st, c_.stmt("SELECT " CRM_FIELD_COLS
                            " FROM field_def WHERE record_type = ?1 ORDER BY name"));
        st.bind(1, record_type);
        return collect<FieldDef>(st, read_field);
    });
}

result<std::vector<std::pair<Channel, Timestamp>>> CustomerRecords::last_interactions(const Id& party) {
    using Out = std::vector<std::pair<Channel, Timestamp>>;
    return run<Out>("last_interactions", [&]() -> result<Out> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT channel, max(at) FROM interaction WHERE party_id = ?1 "
                            "GROUP BY channel"));
        st.bind(1, id);
        Out out;
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row) break;
            CRM_TRY(c, stored_enum(parse_channel(st.text(0)), "channel"));
            out.emplace_back(c, Timestamp{st.i64(1)});
        }
        std::sort(out.begin(), out.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        return out;
    });
}

result<std::vector<Id>> CustomerRecords::parties_by_email_domain(std::string_view domain) {
    return run<std::vector<Id>>("parties_by_email_domain", [&]() -> result<std::vector<Id>> {
        const std::string suffix = "@" + std::string(domain);
        CRM_TRY(st, c_.stmt("SELECT DISTINCT party_id FROM contact_key WHERE kind = 'email' "
                            "AND length(value) > length(?1) "
                            "AND substr(value, -length(?1)) = ?1 ORDER BY party_id"));
        st.bind(1, suffix);
        return collect_ids(st);
    });
}

// Interactions, activities, purchases (and the summaries they add up
// to) and memberships follow the survivor.
result<void> CustomerRecords::reassign_party(const Id& from, const Id& to) {
    static const char* const kMoves[] = {
        "UPDATE interaction SET party_id = ?2 WHERE party_id = ?1",
        "UPDATE activity SET party_id = ?2 WHERE party_id = ?1",
        "UPDATE purchase SET party_id = ?2 WHERE party_id = ?1",
        // A membership both parties have keeps `to`'s: the copy that
        // would clash stays behind, then the leftovers are deleted.
        "UPDATE membership SET person = ?2 WHERE person = ?1 AND NOT EXISTS (SELECT 1 FROM "
        "membership m WHERE m.person = ?2 AND m.organization = membership.organization)",
        "UPDATE membership SET organization = ?2 WHERE organization = ?1 AND NOT EXISTS (SELECT 1 "
        "FROM membership m WHERE m.organization = ?2 AND m.person = membership.person)",
        "DELETE FROM membership WHERE person = ?1 OR organization = ?1",
        // A party is never a member of itself.
        "DELETE FROM membership WHERE person = ?2 AND organization = ?2",
        // Both parties' summaries are recomputed from their purchase rows.
        "DELETE FROM purchase_summary WHERE party_id IN (?1, ?2)",
        // The merged-away party's lifetime value goes; the survivor keeps
        // its own until the next scoring run sees the moved purchases.
        "DELETE FROM party_clv WHERE party_id = ?1",
        "INSERT INTO purchase_summary (party_id, currency, count, total_minor, first_at, "
        "last_at) SELECT party_id, currency, count(*), sum(total_minor), min(ordered_at), "
        "max(ordered_at) FROM purchase WHERE party_id IN (?1, ?2) GROUP BY party_id, currency",
    };
    return run<void>("reassign_party", [&] { return exec_each(kMoves, from, to); });
}

}  // namespace crm
