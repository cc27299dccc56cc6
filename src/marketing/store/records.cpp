// marketing/store/records.cpp - the marketing context's repository: party
// profiles (the segments' read model), tracked segments, static and
// suppression lists, loyalty accounts and ledger, campaigns and members.
#include "marketing/store/records.hpp"

#include "customer/store/columns.hpp"
#include "marketing/codec.hpp"
#include "marketing/profile.hpp"
#include "expr/sqlite.hpp"

namespace crm {

using namespace storage;
using namespace columns;

namespace {

#define CRM_PROFILE_COLS                                                                     \
    "party_id, kind, lifecycle_stage, owner, city, country, tags, created_at, consent_email, " \
    "consent_sms, consent_call, consent_whatsapp, organizations, p_count, p_sum, p_first, "    \
    "p_last, c30, c90, c180, c365, s30, s90, s180, s365, rfm_r, rfm_f, rfm_m, i_call, "        \
    "i_email, i_sms, i_meeting, i_chat, i_social, i_portal, i_visit, i_other, t_all, t_open, " \
    "t_complaints, m_sent, m_opened, m_clicked, m_responded, m_converted, as_of, expires_at, "  \
    "custom, i_whatsapp"

constexpr int kProfileCols = 49;

// The column (from 0) of a channel's last interaction: the first nine in
// Channel order, whatsapp (schema 11) after custom.
constexpr int channel_column(int c) { return c < 9 ? 28 + c : 48; }

// What a profile is read with beyond its own columns: the party's stored
// lifetime value (the customer context's party_clv), never copied into it.
#define CRM_CLV_OF(col) "(SELECT " col " FROM party_clv c WHERE c.party_id = party_profile.party_id)"
#define CRM_PROFILE_READ                                                              \
    CRM_PROFILE_COLS ", " CRM_CLV_OF("value_minor") ", " CRM_CLV_OF("currency") ", "  \
        CRM_CLV_OF("p_alive") ", " CRM_CLV_OF("expected_purchases")

result<PartyProfile> read_profile(const Stmt& s) {
    PartyProfile p;
    CRM_TRY(id, s.id(0));
    p.party = id;
    CRM_TRY(kind, stored_enum(parse_party_kind(s.text(1)), "party kind"));
    p.kind = kind;
    p.lifecycle_stage = s.str(2);
    p.owner = s.str(3);
    p.city = s.str(4);
    p.country = s.str(5);
    CRM_TRY(tags, decode_strings(s.text(6), "party_profile.tags"));
    p.tags = std::move(tags);
    p.created_at = Timestamp{s.i64(7)};
    p.consent_email = s.i64(8) != 0;
    p.consent_sms = s.i64(9) != 0;
    p.consent_call = s.i64(10) != 0;
    p.consent_whatsapp = s.i64(11) != 0;
    CRM_TRY(orgs, decode_strings(s.text(12), "party_profile.organizations"));
    p.organizations = std::move(orgs);
    p.purchase_count = s.i64(13);
    p.purchase_sum = s.i64(14);
    p.first_purchase = opt_time(s, 15);
    p.last_purchase = opt_time(s, 16);
    for (std::size_t w = 0; w < kPurchaseWindows.size(); ++w) {
        p.window_count[w] = s.i64(17 + static_cast<int>(w));
        p.window_sum[w] = s.i64(21 + static_cast<int>(w));
    }
    p.rfm_recency = static_cast<int>(s.i64(25));
    p.rfm_frequency = static_cast<int>(s.i64(26));
    p.rfm_monetary = static_cast<int>(s.i64(27));
    for (int c = 0; c < kChannelCount; ++c)
        p.last_interaction[static_cast<std::size_t>(c)] = opt_time(s, channel_column(c));
    p.tickets = s.i64(37);
    p.open_tickets = s.i64(38);
    p.complaints = s.i64(39);
    p.campaigns_sent = s.i64(40);
    p.campaigns_opened = s.i64(41);
    p.campaigns_clicked = s.i64(42);
    p.campaigns_responded = s.i64(43);
    p.campaigns_converted = s.i64(44);
    p.as_of = Timestamp{s.i64(45)};
    p.expires_at = opt_time(s, 46);
    CRM_TRY(custom, decode_custom(s.text(47), "party_profile.custom"));
    p.custom = std::move(custom);
    if (!s.is_null(kProfileCols)) {
        CRM_TRY(value, Money::of(s.i64(kProfileCols), s.text(kProfileCols + 1), "party_clv.currency"));
        p.clv_value = std::move(value);
        p.clv_p_alive = s.str(kProfileCols + 2);
        p.clv_expected_purchases = s.str(kProfileCols + 3);
    }
    return p;
}

result<SegmentMembership> read_stay(const Stmt& s) {
    SegmentMembership m;
    m.segment = s.str(0);
    CRM_TRY(id, s.id(1));
    m.party = id;
    m.joined_at = Timestamp{s.i64(2)};
    m.left_at = opt_time(s, 3);
    return m;
}

result<SuppressionEntry> read_suppression(const Stmt& s) {
    SuppressionEntry e;
    CRM_TRY(kind, stored_enum(parse_suppression_kind(s.text(0)), "suppression kind"));
    e.kind = kind;
    e.value = s.str(1);
    e.reason = s.str(2);
    e.added_at = Timestamp{s.i64(3)};
    return e;
}

#define CRM_LEDGER_COLS \
    "seq, program, party_id, kind, points, at, key, order_id, amount_minor, reason, expires_at, remaining"

result<LedgerEntry> read_ledger(const Stmt& s) {
    LedgerEntry e;
    e.seq = s.i64(0);
    e.program = s.str(1);
    CRM_TRY(id, s.id(2));
    e.party = id;
    CRM_TRY(kind, stored_enum(parse_ledger_kind(s.text(3)), "ledger kind"));
    e.kind = kind;
    e.points = s.i64(4);
    e.at = Timestamp{s.i64(5)};
    e.key = s.str(6);
    e.order_id = s.str(7);
    e.amount_minor = s.i64(8);
    e.reason = s.str(9);
    e.expires_at = opt_time(s, 10);
    e.remaining = s.i64(11);
    return e;
}

result<LoyaltyAccount> read_account(const Stmt& s) {
    LoyaltyAccount a;
    a.program = s.str(0);
    CRM_TRY(id, s.id(1));
    a.party = id;
    a.tier = s.str(2);
    a.tier_since = Timestamp{s.i64(3)};
    a.enrolled_at = Timestamp{s.i64(4)};
    return a;
}

#define CRM_MEMBER_COLS                                                                      \
    "campaign, party_id, variant, channel, address, s_sent, s_delivered, s_opened, s_clicked, " \
    "s_responded, s_converted, s_bounced, s_unsubscribed, batch, dispatched_at"

result<CampaignMember> read_member(const Stmt& s) {
    CampaignMember m;
    CRM_TRY(campaign, s.id(0));
    m.campaign = campaign;
    CRM_TRY(party, s.id(1));
    m.party = party;
    m.variant = s.str(2);
    m.channel = s.str(3);
    m.address = s.str(4);
    for (int i = 0; i < kMemberStatusCount; ++i) m.at[static_cast<std::size_t>(i)] = opt_time(s, 5 + i);
    m.batch = s.i64(13);
    m.dispatched_at = opt_time(s, 14);
    return m;
}

result<Campaign> read_campaign(const Stmt& s) {
    CRM_TRY(doc, codec::parse(s.text(0), "campaign.body"));
    auto c = marketing::campaign_from_stored(doc);
    if (!c) return fail(errc::storage, "sqlite: a stored campaign is damaged: " + c.error().message);
    return std::move(c).value();
}

}  // namespace

result<void> MarketingRecords::put_profile(const PartyProfile& p) {
    return run<void>("put_profile", [&]() -> result<void> {
        IdText id(p.party);
        const std::string tags = encode_strings(p.tags);
        const std::string orgs = encode_strings(p.organizations);
        const std::string custom = encode_custom(p.custom);
        static const std::string kPut =
            storage::upsert_sql("party_profile", CRM_PROFILE_COLS, "party_id");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        const auto time = [&](int col, const std::optional<Timestamp>& t) {
            if (t) st.bind(col, t->ms); else st.bind_null(col);
        };
        st.bind(1, id);
        st.bind(2, to_string(p.kind));
        st.bind(3, p.lifecycle_stage);
        st.bind(4, p.owner);
        st.bind(5, p.city);
        st.bind(6, p.country);
        st.bind(7, tags);
        st.bind(8, p.created_at.ms);
        st.bind(9, p.consent_email);
        st.bind(10, p.consent_sms);
        st.bind(11, p.consent_call);
        st.bind(12, p.consent_whatsapp);
        st.bind(13, orgs);
        st.bind(14, p.purchase_count);
        st.bind(15, p.purchase_sum);
        time(16, p.first_purchase);
        time(17, p.last_purchase);
        for (std::size_t w = 0; w < kPurchaseWindows.size(); ++w) {
            st.bind(18 + static_cast<int>(w), p.window_count[w]);
            st.bind(22 + static_cast<int>(w), p.window_sum[w]);
        }
        st.bind(26, p.rfm_recency);
        st.bind(27, p.rfm_frequency);
        st.bind(28, p.rfm_monetary);
        for (int c = 0; c < kChannelCount; ++c)
            time(channel_column(c) + 1, p.last_interaction[static_cast<std::size_t>(c)]);
        st.bind(38, p.tickets);
        st.bind(39, p.open_tickets);
        st.bind(40, p.complaints);
        st.bind(41, p.campaigns_sent);
        st.bind(42, p.campaigns_opened);
        st.bind(43, p.campaigns_clicked);
        st.bind(44, p.campaigns_responded);
        st.bind(45, p.campaigns_converted);
        st.bind(46, p.as_of.ms);
        time(47, p.expires_at);
        st.bind(48, custom);
        return st.exec();
    });
}

result<std::optional<PartyProfile>> MarketingRecords::get_profile(const Id& party) {
    using Out = std::optional<PartyProfile>;
    return run<Out>("get_profile", [&]() -> result<Out> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT " CRM_PROFILE_READ " FROM party_profile WHERE party_id = ?1"));
        st.bind(1, id);
        CRM_TRY(row, st.step());
        if (!row) return Out{};
        CRM_TRY(p, read_profile(st));
        return Out{std::move(p)};
    });
}

result<void> MarketingRecords::delete_profile(const Id& party) {
    return run<void>("delete_profile", [&]() -> result<void> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("DELETE FROM party_profile WHERE party_id = ?1"));
        st.bind(1, id);
        return st.exec();
    });
}

result<std::int64_t> MarketingRecords::profile_count() {
    return run<std::int64_t>("profile_count", [&]() -> result<std::int64_t> {
        CRM_TRY(st, c_.stmt("SELECT count(*) FROM party_profile"));
        CRM_TRY(row, st.step());
        return row ? st.i64(0) : 0;
    });
}

result<std::vector<Id>> MarketingRecords::profiles_expiring(Timestamp until, int limit) {
    return run<std::vector<Id>>("profiles_expiring", [&]() -> result<std::vector<Id>> {
        CRM_TRYV(check_limit(limit));
        CRM_TRY(st, c_.stmt("SELECT party_id FROM party_profile WHERE expires_at IS NOT NULL "
                            "AND expires_at <= ?1 ORDER BY expires_at, party_id LIMIT ?2"));
        st.bind(1, until.ms);
        st.bind(2, limit);
        return collect_ids(st);
    });
}

// A rule compiled for party_profile: "(<where>)" and its parameters.
result<expr::SqlWhere> MarketingRecords::profile_where(const expr::Schema& schema, const expr::Expr& rule,
                                            const expr::Context& context) {
    return expr::to_sql(rule, marketing::profile_mapping(schema, s_.dialect()), context);
}

void MarketingRecords::bind_params(Stmt& st, int first, const std::vector<expr::SqlParam>& params) {
    for (std::size_t i = 0; i < params.size(); ++i) {
        const int at = first + static_cast<int>(i);
        if (const auto* n = std::get_if<std::int64_t>(&params[i])) st.bind(at, *n);
        else st.bind(at, std::get<std::string>(params[i]));
    }
}

result<std::vector<Id>> MarketingRecords::match_profiles(const expr::Schema& schema, const expr::Expr& rule,
                                       const expr::Context& context, const Id& after,
                                       int limit) {
    return run<std::vector<Id>>("match_profiles", [&]() -> result<std::vector<Id>> {
        CRM_TRYV(check_limit(limit));
        CRM_TRY(where, profile_where(schema, rule, context));
        // Placeholders are numbered in order of appearance: after, the
        // rule's, then the limit.
        CRM_TRY(st, c_.stmt_dynamic("SELECT party_id FROM party_profile WHERE party_id > ? AND (" +
                                    where.sql + ") ORDER BY party_id LIMIT ?"));
        IdText from(after);
        if (after.is_nil()) st.bind(1, ""); else st.bind(1, from);
        bind_params(st, 2, where.params);
        st.bind(2 + static_cast<int>(where.params.size()), limit);
        return collect_ids(st);
    });
}

result<std::int64_t> MarketingRecords::count_profiles(const expr::Schema& schema, const expr::Expr& rule,
                                    const expr::Context& context) {
    return run<std::int64_t>("count_profiles", [&]() -> result<std::int64_t> {
        CRM_TRY(where, profile_where(schema, rule, context));
        CRM_TRY(st, c_.stmt_dynamic("SELECT count(*) FROM party_profile WHERE " + where.sql));
        bind_params(st, 1, where.params);
        CRM_TRY(row, st.step());
        return row ? st.i64(0) : 0;
    });
}

result<std::vector<Id>> MarketingRecords::sample_profiles(const expr::Schema& schema, const expr::Expr& rule,
                                        const expr::Context& context, int size,
                                        std::uint64_t seed) {
    return run<std::vector<Id>>("sample_profiles", [&]() -> result<std::vector<Id>> {
        CRM_TRYV(check_limit(size));
        CRM_TRY(where, profile_where(schema, rule, context));
        // ORDER BY with LIMIT keeps only `size` rows while it scans.
        CRM_TRY(st, c_.stmt_dynamic("SELECT party_id FROM party_profile WHERE " + where.sql +
                                    " ORDER BY crm_sample_key(party_id, ?), party_id LIMIT ?"));
        bind_params(st, 1, where.params);
        const int next = 1 + static_cast<int>(where.params.size());
        st.bind(next, static_cast<std::int64_t>(seed));
        st.bind(next + 1, size);
        return collect_ids(st);
    });
}

result<void> MarketingRecords::for_each_profile(const std::function<bool(const PartyProfile&)>& fn) {
    return run<void>("for_each_profile", [&]() -> result<void> {
        CRM_TRY(st, c_.stmt("SELECT " CRM_PROFILE_READ " FROM party_profile ORDER BY party_id"));
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row) break;
            CRM_TRY(p, read_profile(st));
            if (!fn(p)) break;
        }
        return ok();
    });
}

result<void> MarketingRecords::join_segment(std::string_view segment, const Id& party, Timestamp at) {
    return run<void>("join_segment", [&]() -> result<void> {
        IdText id(party);
        {
            // Joining again at the very instant of joining before (a stay
            // that began and ended in one millisecond): that stay goes on.
            CRM_TRY(re, c_.stmt("UPDATE segment_membership SET left_at = NULL WHERE segment = ?1 "
                                "AND party_id = ?2 AND joined_at = ?3 AND left_at IS NOT NULL"));
            re.bind(1, segment);
            re.bind(2, id);
            re.bind(3, at.ms);
            CRM_TRYV(re.exec());
            if (c_.changes() > 0) return ok();
        }
        CRM_TRY(st, c_.stmt("INSERT INTO segment_membership (segment, party_id, joined_at) "
                            "SELECT ?1, ?2, ?3 WHERE NOT EXISTS (SELECT 1 FROM "
                            "segment_membership WHERE segment = ?1 AND party_id = ?2 AND "
                            "left_at IS NULL)"));
        st.bind(1, segment);
        st.bind(2, id);
        st.bind(3, at.ms);
        return st.exec();
    });
}

result<void> MarketingRecords::leave_segment(std::string_view segment, const Id& party, Timestamp at) {
    return run<void>("leave_segment", [&]() -> result<void> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("UPDATE segment_membership SET left_at = ?3 WHERE segment = ?1 "
                            "AND party_id = ?2 AND left_at IS NULL"));
        st.bind(1, segment);
        st.bind(2, id);
        st.bind(3, at.ms);
        return st.exec();
    });
}

result<std::vector<SegmentMembership>> MarketingRecords::segment_memberships(const Id& party,
                                                           bool with_history) {
    using Out = std::vector<SegmentMembership>;
    return run<Out>("segment_memberships", [&]() -> result<Out> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT segment, party_id, joined_at, left_at FROM "
                            "segment_membership WHERE party_id = ?1 AND (?2 OR left_at IS NULL) "
                            "ORDER BY segment, joined_at"));
        st.bind(1, id);
        st.bind(2, with_history);
        return collect<SegmentMembership>(st, read_stay);
    });
}

result<std::vector<Id>> MarketingRecords::segment_members(std::string_view segment, const Id& after,
                                        int limit) {
    return run<std::vector<Id>>("segment_members", [&]() -> result<std::vector<Id>> {
        CRM_TRYV(check_limit(limit));
        IdText from(after);
        CRM_TRY(st, c_.stmt_dynamic(
                        "SELECT party_id FROM " +
                        s_.dialect().indexed("segment_membership", "segment_membership_open") +
                        " WHERE segment = ?1 AND party_id > ?2 AND left_at IS NULL "
                        "ORDER BY party_id LIMIT ?3"));
        st.bind(1, segment);
        if (after.is_nil()) st.bind(2, ""); else st.bind(2, from);
        st.bind(3, limit);
        return collect_ids(st);
    });
}

result<std::vector<SegmentMembership>> MarketingRecords::segment_history(std::string_view segment,
                                                       int limit) {
    using Out = std::vector<SegmentMembership>;
    return run<Out>("segment_history", [&]() -> result<Out> {
        CRM_TRYV(check_limit(limit));
        CRM_TRY(st, c_.stmt("SELECT segment, party_id, joined_at, left_at FROM "
                            "segment_membership WHERE segment = ?1 ORDER BY "
                            "coalesce(left_at, joined_at) DESC, party_id DESC, joined_at DESC "
                            "LIMIT ?2"));
        st.bind(1, segment);
        st.bind(2, limit);
        return collect<SegmentMembership>(st, read_stay);
    });
}

result<bool> MarketingRecords::put_list_member(std::string_view list, const Id& party, Timestamp at) {
    return run<bool>("put_list_member", [&]() -> result<bool> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("INSERT INTO segment_list_member (list, party_id, added_at) "
                            "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"));
        st.bind(1, list);
        st.bind(2, id);
        st.bind(3, at.ms);
        CRM_TRYV(st.exec());
        return c_.changes() > 0;
    });
}

result<bool> MarketingRecords::delete_list_member(std::string_view list, const Id& party) {
    return run<bool>("delete_list_member", [&]() -> result<bool> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("DELETE FROM segment_list_member WHERE list = ?1 AND party_id = ?2"));
        st.bind(1, list);
        st.bind(2, id);
        CRM_TRYV(st.exec());
        return c_.changes() > 0;
    });
}

result<void> MarketingRecords::clear_list(std::string_view list) {
    return run<void>("clear_list", [&]() -> result<void> {
        CRM_TRY(st, c_.stmt("DELETE FROM segment_list_member WHERE list = ?1"));
        st.bind(1, list);
        return st.exec();
    });
}

result<std::vector<Id>> MarketingRecords::list_members(std::string_view list, const Id& after, int limit) {
    return run<std::vector<Id>>("list_members", [&]() -> result<std::vector<Id>> {
        CRM_TRYV(check_limit(limit));
        IdText from(after);
        CRM_TRY(st, c_.stmt("SELECT party_id FROM segment_list_member WHERE list = ?1 AND "
                            "party_id > ?2 ORDER BY party_id LIMIT ?3"));
        st.bind(1, list);
        if (after.is_nil()) st.bind(2, ""); else st.bind(2, from);
        st.bind(3, limit);
        return collect_ids(st);
    });
}

result<std::vector<std::string>> MarketingRecords::lists_of(const Id& party) {
    using Out = std::vector<std::string>;
    return run<Out>("lists_of", [&]() -> result<Out> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT list FROM segment_list_member WHERE party_id = ?1 ORDER BY list"));
        st.bind(1, id);
        Out out;
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row) break;
            out.push_back(st.str(0));
        }
        return out;
    });
}

result<bool> MarketingRecords::in_list(std::string_view list, const Id& party) {
    return run<bool>("in_list", [&]() -> result<bool> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT 1 FROM segment_list_member WHERE list = ?1 AND party_id = ?2"));
        st.bind(1, list);
        st.bind(2, id);
        return st.step();
    });
}

result<bool> MarketingRecords::put_suppression(std::string_view list, const SuppressionEntry& e) {
    return run<bool>("put_suppression", [&]() -> result<bool> {
        CRM_TRY(st, c_.stmt("INSERT INTO suppression (list, kind, value, reason, added_at) "
                            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING"));
        st.bind(1, list);
        st.bind(2, to_string(e.kind));
        st.bind(3, e.value);
        st.bind(4, e.reason);
        st.bind(5, e.added_at.ms);
        CRM_TRYV(st.exec());
        return c_.changes() > 0;
    });
}

result<bool> MarketingRecords::delete_suppression(std::string_view list, SuppressionKind kind,
                                std::string_view value) {
    return run<bool>("delete_suppression", [&]() -> result<bool> {
        CRM_TRY(st, c_.stmt("DELETE FROM suppression WHERE list = ?1 AND kind = ?2 AND value = ?3"));
        st.bind(1, list);
        st.bind(2, to_string(kind));
        st.bind(3, value);
        CRM_TRYV(st.exec());
        return c_.changes() > 0;
    });
}

result<std::vector<SuppressionEntry>> MarketingRecords::suppressions(std::string_view list) {
    using Out = std::vector<SuppressionEntry>;
    return run<Out>("suppressions", [&]() -> result<Out> {
        // By kind in declaration order, then value.
        CRM_TRY(st, c_.stmt("SELECT kind, value, reason, added_at FROM suppression WHERE "
                            "list = ?1 ORDER BY CASE kind WHEN 'party' THEN 0 WHEN 'email' "
                            "THEN 1 WHEN 'domain' THEN 2 ELSE 3 END, value"));
        st.bind(1, list);
        return collect<SuppressionEntry>(st, read_suppression);
    });
}

result<std::optional<SuppressionEntry>> MarketingRecords::suppression(std::string_view list, SuppressionKind kind,
                                                    std::string_view value) {
    using Out = std::optional<SuppressionEntry>;
    return run<Out>("suppression", [&]() -> result<Out> {
        CRM_TRY(st, c_.stmt("SELECT kind, value, reason, added_at FROM suppression WHERE "
                            "list = ?1 AND kind = ?2 AND value = ?3"));
        st.bind(1, list);
        st.bind(2, to_string(kind));
        st.bind(3, value);
        CRM_TRY(row, st.step());
        if (!row) return Out{};
        CRM_TRY(e, read_suppression(st));
        return Out{std::move(e)};
    });
}

const storage::ListSpec& MarketingRecords::campaign_list_spec() {
    static const storage::ListSpec spec{.record_type = "campaign", .table = "campaign", .party = nullptr};
    return spec;
}

expr::SqlMapping MarketingRecords::campaign_columns(const expr::Schema&, const storage::Dialect& d) {
    expr::SqlMapping m(d);
    for (const char* f : {"name", "channels", "segments", "members", "expected_responses"})
        m.set(f, d.json_value("body", std::string("$.") + f));
    m.set("budget", d.json_value("body", "$.budget.minor"), d.json_value("body", "$.budget.currency"));
    return m;
}

result<ListPage<Campaign>> MarketingRecords::list_campaigns(const storage::ListSql& sql) {
    return run<ListPage<Campaign>>("list_campaigns", [&] {
        return storage::run_list<Campaign>(c_, sql, [](Stmt& st) { return read_campaign(st); });
    });
}

result<void> MarketingRecords::put_campaign(const Campaign& c) {
    return run<void>("put_campaign", [&]() -> result<void> {
        IdText id(c.id), parent(c.parent);
        const std::string body = marketing::stored_json(c).dump();
        static const std::string kPut = storage::upsert_sql(
            "campaign", "id, external_id, parent, state, status, updated_at, body, created_at", "id");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        st.bind(1, id);
        st.bind_or_null(2, c.external_id);
        if (c.parent.is_nil()) st.bind_null(3); else st.bind(3, parent);
        st.bind(4, c.state);
        st.bind(5, c.status);
        st.bind(6, c.updated_at.ms);
        st.bind(7, body);
        st.bind(8, c.created_at.ms);
        return st.exec();
    });
}

result<std::optional<Campaign>> MarketingRecords::get_campaign(const Id& id) {
    using Out = std::optional<Campaign>;
    return run<Out>("get_campaign", [&]() -> result<Out> {
        IdText key(id);
        CRM_TRY(st, c_.stmt("SELECT body FROM campaign WHERE id = ?1"));
        st.bind(1, key);
        CRM_TRY(row, st.step());
        if (!row) return Out{};
        CRM_TRY(c, read_campaign(st));
        return Out{std::move(c)};
    });
}

result<Id> MarketingRecords::campaign_by_external_id(std::string_view ext) {
    return run<Id>("campaign_by_external_id", [&]() -> result<Id> {
        CRM_TRY(st, c_.stmt("SELECT id FROM campaign WHERE external_id = ?1"));
        st.bind(1, ext);
        CRM_TRY(row, st.step());
        if (!row) return Id{};
        return st.id(0);
    });
}

result<std::vector<Campaign>> MarketingRecords::campaigns(const Id& after, int limit) {
    using Out = std::vector<Campaign>;
    return run<Out>("campaigns", [&]() -> result<Out> {
        CRM_TRYV(check_limit(limit));
        IdText from(after);
        CRM_TRY(st, c_.stmt("SELECT body FROM campaign WHERE id > ?1 ORDER BY id LIMIT ?2"));
        if (after.is_nil()) st.bind(1, ""); else st.bind(1, from);
        st.bind(2, limit);
        return collect<Campaign>(st, read_campaign);
    });
}

result<std::vector<Id>> MarketingRecords::campaign_children(const Id& parent) {
    return run<std::vector<Id>>("campaign_children", [&]() -> result<std::vector<Id>> {
        IdText key(parent);
        CRM_TRY(st, c_.stmt("SELECT id FROM campaign WHERE parent = ?1 ORDER BY id"));
        st.bind(1, key);
        return collect_ids(st);
    });
}

result<void> MarketingRecords::put_campaign_member(const CampaignMember& m) {
    return run<void>("put_campaign_member", [&]() -> result<void> {
        IdText campaign(m.campaign), party(m.party);
        static const std::string kPut =
            storage::upsert_sql("campaign_member", CRM_MEMBER_COLS, "campaign, party_id");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        st.bind(1, campaign);
        st.bind(2, party);
        st.bind(3, m.variant);
        st.bind(4, m.channel);
        st.bind(5, m.address);
        for (int i = 0; i < kMemberStatusCount; ++i) {
            const auto& t = m.at[static_cast<std::size_t>(i)];
            if (t) st.bind(6 + i, t->ms); else st.bind_null(6 + i);
        }
        st.bind(14, m.batch);
        if (m.dispatched_at) st.bind(15, m.dispatched_at->ms); else st.bind_null(15);
        return st.exec();
    });
}

result<std::optional<CampaignMember>> MarketingRecords::get_campaign_member(const Id& campaign,
                                                          const Id& party) {
    using Out = std::optional<CampaignMember>;
    return run<Out>("get_campaign_member", [&]() -> result<Out> {
        IdText c(campaign), p(party);
        CRM_TRY(st, c_.stmt("SELECT " CRM_MEMBER_COLS " FROM campaign_member WHERE campaign = ?1 "
                            "AND party_id = ?2"));
        st.bind(1, c);
        st.bind(2, p);
        CRM_TRY(row, st.step());
        if (!row) return Out{};
        CRM_TRY(m, read_member(st));
        return Out{std::move(m)};
    });
}

result<std::vector<CampaignMember>> MarketingRecords::campaign_members(const Id& campaign, const Id& after,
                                                     int limit) {
    using Out = std::vector<CampaignMember>;
    return run<Out>("campaign_members", [&]() -> result<Out> {
        CRM_TRYV(check_limit(limit));
        IdText c(campaign), from(after);
        CRM_TRY(st, c_.stmt("SELECT " CRM_MEMBER_COLS " FROM campaign_member WHERE campaign = ?1 "
                            "AND party_id > ?2 ORDER BY party_id LIMIT ?3"));
        st.bind(1, c);
        if (after.is_nil()) st.bind(2, ""); else st.bind(2, from);
        st.bind(3, limit);
        return collect<CampaignMember>(st, read_member);
    });
}

result<std::vector<CampaignMember>> MarketingRecords::campaign_members_of(const Id& party) {
    using Out = std::vector<CampaignMember>;
    return run<Out>("campaign_members_of", [&]() -> result<Out> {
        IdText p(party);
        CRM_TRY(st, c_.stmt("SELECT " CRM_MEMBER_COLS " FROM campaign_member WHERE party_id = ?1 "
                            "ORDER BY campaign"));
        st.bind(1, p);
        return collect<CampaignMember>(st, read_member);
    });
}

result<std::int64_t> MarketingRecords::recent_campaign_sends(const Id& party, Timestamp since) {
    return run<std::int64_t>("recent_campaign_sends", [&]() -> result<std::int64_t> {
        IdText p(party);
        CRM_TRY(st, c_.stmt("SELECT count(*) FROM campaign_member WHERE party_id = ?1 AND "
                            "(dispatched_at >= ?2 OR s_sent >= ?2)"));
        st.bind(1, p);
        st.bind(2, since.ms);
        CRM_TRY(row, st.step());
        return row ? st.i64(0) : 0;
    });
}

result<std::vector<std::pair<std::string, Id>>> MarketingRecords::undispatched_members(const Id& campaign) {
    using Out = std::vector<std::pair<std::string, Id>>;
    return run<Out>("undispatched_members", [&]() -> result<Out> {
        IdText c(campaign);
        CRM_TRY(st, c_.stmt_dynamic(
                        "SELECT channel, party_id FROM " +
                        s_.dialect().indexed("campaign_member", "campaign_member_batch") +
                        " WHERE campaign = ?1 AND batch = 0 ORDER BY channel, party_id"));
        st.bind(1, c);
        Out out;
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row) break;
            CRM_TRY(id, st.id(1));
            out.emplace_back(st.str(0), id);
        }
        return out;
    });
}

result<void> MarketingRecords::dispatch_members(const Id& campaign, std::string_view channel, const Id& after,
                              const Id& last, std::int64_t batch, Timestamp at) {
    return run<void>("dispatch_members", [&]() -> result<void> {
        IdText c(campaign), from(after), to(last);
        CRM_TRY(st, c_.stmt("UPDATE campaign_member SET batch = ?5, dispatched_at = ?6 WHERE "
                            "campaign = ?1 AND batch = 0 AND channel = ?2 AND party_id > ?3 AND "
                            "party_id <= ?4"));
        st.bind(1, c);
        st.bind(2, channel);
        if (after.is_nil()) st.bind(3, ""); else st.bind(3, from);
        st.bind(4, to);
        st.bind(5, batch);
        st.bind(6, at.ms);
        return st.exec();
    });
}

result<std::vector<CampaignMember>> MarketingRecords::undispatched_in_range(const Id& campaign, std::string_view channel,
                                                          const Id& after, const Id& last) {
    using Out = std::vector<CampaignMember>;
    return run<Out>("undispatched_in_range", [&]() -> result<Out> {
        IdText c(campaign), from(after), to(last);
        CRM_TRY(st, c_.stmt("SELECT " CRM_MEMBER_COLS " FROM campaign_member WHERE campaign = ?1 "
                            "AND batch = 0 AND channel = ?2 AND party_id > ?3 AND party_id <= ?4 "
                            "ORDER BY party_id"));
        st.bind(1, c);
        st.bind(2, channel);
        if (after.is_nil()) st.bind(3, ""); else st.bind(3, from);
        st.bind(4, to);
        return collect<CampaignMember>(st, read_member);
    });
}

result<std::vector<CampaignMember>> MarketingRecords::batch_members(const Id& campaign, std::int64_t batch) {
    using Out = std::vector<CampaignMember>;
    return run<Out>("batch_members", [&]() -> result<Out> {
        IdText c(campaign);
        CRM_TRY(st, c_.stmt("SELECT " CRM_MEMBER_COLS " FROM campaign_member WHERE campaign = ?1 "
                            "AND batch = ?2 ORDER BY party_id"));
        st.bind(1, c);
        st.bind(2, batch);
        return collect<CampaignMember>(st, read_member);
    });
}

result<void> MarketingRecords::put_delivery_plan(const Id& campaign, int number, Timestamp at,
                               std::string_view body) {
    return run<void>("put_delivery_plan", [&]() -> result<void> {
        IdText c(campaign);
        static const std::string kPut = storage::upsert_sql(
            "delivery_plan", "campaign, number, created_at, body", "campaign, number");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        st.bind(1, c);
        st.bind(2, number);
        st.bind(3, at.ms);
        st.bind(4, body);
        return st.exec();
    });
}

result<std::optional<std::pair<int, std::string>>> MarketingRecords::get_delivery_plan(const Id& campaign,
                                                                     int number) {
    using Out = std::optional<std::pair<int, std::string>>;
    return run<Out>("get_delivery_plan", [&]() -> result<Out> {
        IdText c(campaign);
        CRM_TRY(st, c_.stmt("SELECT number, body FROM delivery_plan WHERE campaign = ?1 AND "
                            "(?2 = 0 OR number = ?2) ORDER BY number DESC LIMIT 1"));
        st.bind(1, c);
        st.bind(2, number);
        CRM_TRY(row, st.step());
        if (!row) return Out{};
        return Out{std::make_pair(static_cast<int>(st.i64(0)), st.str(1))};
    });
}

result<void> MarketingRecords::put_loyalty_account(const LoyaltyAccount& a) {
    return run<void>("put_loyalty_account", [&]() -> result<void> {
        IdText id(a.party);
        static const std::string kPut = storage::upsert_sql(
            "loyalty_account", "program, party_id, tier, tier_since, enrolled_at",
            "program, party_id");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        st.bind(1, a.program);
        st.bind(2, id);
        st.bind(3, a.tier);
        st.bind(4, a.tier_since.ms);
        st.bind(5, a.enrolled_at.ms);
        return st.exec();
    });
}

result<std::optional<LoyaltyAccount>> MarketingRecords::get_loyalty_account(std::string_view program,
                                                          const Id& party) {
    using Out = std::optional<LoyaltyAccount>;
    return run<Out>("get_loyalty_account", [&]() -> result<Out> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT program, party_id, tier, tier_since, enrolled_at FROM "
                            "loyalty_account WHERE program = ?1 AND party_id = ?2"));
        st.bind(1, program);
        st.bind(2, id);
        CRM_TRY(row, st.step());
        if (!row) return Out{};
        CRM_TRY(a, read_account(st));
        return Out{std::move(a)};
    });
}

result<std::vector<LoyaltyAccount>> MarketingRecords::loyalty_accounts_of(const Id& party) {
    using Out = std::vector<LoyaltyAccount>;
    return run<Out>("loyalty_accounts_of", [&]() -> result<Out> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT program, party_id, tier, tier_since, enrolled_at FROM "
                            "loyalty_account WHERE party_id = ?1 ORDER BY program"));
        st.bind(1, id);
        return collect<LoyaltyAccount>(st, read_account);
    });
}

result<std::vector<LoyaltyAccount>> MarketingRecords::loyalty_accounts(std::string_view program, const Id& after,
                                                     int limit) {
    using Out = std::vector<LoyaltyAccount>;
    return run<Out>("loyalty_accounts", [&]() -> result<Out> {
        CRM_TRYV(check_limit(limit));
        IdText from(after);
        CRM_TRY(st, c_.stmt("SELECT program, party_id, tier, tier_since, enrolled_at FROM "
                            "loyalty_account WHERE program = ?1 AND party_id > ?2 "
                            "ORDER BY party_id LIMIT ?3"));
        st.bind(1, program);
        if (after.is_nil()) st.bind(2, ""); else st.bind(2, from);
        st.bind(3, limit);
        return collect<LoyaltyAccount>(st, read_account);
    });
}

result<void> MarketingRecords::append_ledger(LedgerEntry& e) {
    return run<void>("append_ledger", [&]() -> result<void> {
        IdText id(e.party);
        CRM_TRY(st, c_.stmt("INSERT INTO loyalty_ledger (program, party_id, kind, points, at, "
                            "key, order_id, amount_minor, reason, expires_at, remaining) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"));
        st.bind(1, e.program);
        st.bind(2, id);
        st.bind(3, to_string(e.kind));
        st.bind(4, e.points);
        st.bind(5, e.at.ms);
        st.bind(6, e.key);
        st.bind(7, e.order_id);
        st.bind(8, e.amount_minor);
        st.bind(9, e.reason);
        if (e.expires_at) st.bind(10, e.expires_at->ms); else st.bind_null(10);
        st.bind(11, e.remaining);
        auto done = st.exec_insert();
        if (!done) {
            if (done.error().code == errc::conflict)
                return fail(errc::conflict, "ledger key '" + e.key + "' is taken", "key");
            return done.error();
        }
        e.seq = done.value();
        return ok();
    });
}

result<std::optional<LedgerEntry>> MarketingRecords::ledger_by_key(std::string_view program,
                                                 std::string_view key) {
    using Out = std::optional<LedgerEntry>;
    return run<Out>("ledger_by_key", [&]() -> result<Out> {
        CRM_TRY(st, c_.stmt("SELECT " CRM_LEDGER_COLS " FROM loyalty_ledger WHERE program = ?1 "
                            "AND key = ?2"));
        st.bind(1, program);
        st.bind(2, key);
        CRM_TRY(row, st.step());
        if (!row) return Out{};
        CRM_TRY(e, read_ledger(st));
        return Out{std::move(e)};
    });
}

result<std::vector<LedgerEntry>> MarketingRecords::ledger_of(std::string_view program, const Id& party,
                                           int limit) {
    using Out = std::vector<LedgerEntry>;
    return run<Out>("ledger_of", [&]() -> result<Out> {
        CRM_TRYV(check_limit(limit));
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT " CRM_LEDGER_COLS " FROM loyalty_ledger WHERE program = ?1 "
                            "AND party_id = ?2 ORDER BY seq DESC LIMIT ?3"));
        st.bind(1, program);
        st.bind(2, id);
        st.bind(3, limit);
        return collect<LedgerEntry>(st, read_ledger);
    });
}

result<std::int64_t> MarketingRecords::loyalty_balance(std::string_view program, const Id& party) {
    return run<std::int64_t>("loyalty_balance", [&]() -> result<std::int64_t> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT coalesce(sum(points), 0) FROM loyalty_ledger WHERE "
                            "program = ?1 AND party_id = ?2"));
        st.bind(1, program);
        st.bind(2, id);
        CRM_TRY(row, st.step());
        return row ? st.i64(0) : 0;
    });
}

result<std::vector<LedgerEntry>> MarketingRecords::open_lots(std::string_view program, const Id& party) {
    using Out = std::vector<LedgerEntry>;
    return run<Out>("open_lots", [&]() -> result<Out> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT " CRM_LEDGER_COLS " FROM loyalty_ledger WHERE program = ?1 "
                            "AND party_id = ?2 AND remaining > 0 "
                            "ORDER BY expires_at IS NULL, expires_at, seq"));
        st.bind(1, program);
        st.bind(2, id);
        return collect<LedgerEntry>(st, read_ledger);
    });
}

result<void> MarketingRecords::set_lot_remaining(std::int64_t seq, std::int64_t remaining) {
    return run<void>("set_lot_remaining", [&]() -> result<void> {
        CRM_TRY(st, c_.stmt("UPDATE loyalty_ledger SET remaining = ?2 WHERE seq = ?1"));
        st.bind(1, seq);
        st.bind(2, remaining);
        return st.exec();
    });
}

result<std::vector<LedgerEntry>> MarketingRecords::expired_lots(std::string_view program, Timestamp until,
                                              int limit) {
    using Out = std::vector<LedgerEntry>;
    return run<Out>("expired_lots", [&]() -> result<Out> {
        CRM_TRYV(check_limit(limit));
        CRM_TRY(st, c_.stmt("SELECT " CRM_LEDGER_COLS " FROM loyalty_ledger WHERE program = ?1 "
                            "AND remaining > 0 AND expires_at <= ?2 ORDER BY expires_at, seq "
                            "LIMIT ?3"));
        st.bind(1, program);
        st.bind(2, until.ms);
        st.bind(3, limit);
        return collect<LedgerEntry>(st, read_ledger);
    });
}

result<MarketingRecords::OrderTotals> MarketingRecords::order_totals(std::string_view program, const Id& party,
                                 std::string_view order_id) {
    return run<OrderTotals>("order_totals", [&]() -> result<OrderTotals> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT coalesce(sum(points), 0), coalesce(sum(amount_minor), 0), "
                            "count(*) FROM loyalty_ledger WHERE program = ?1 AND party_id = ?2 "
                            "AND order_id = ?3 AND kind IN ('earn', 'adjust')"));
        st.bind(1, program);
        st.bind(2, id);
        st.bind(3, order_id);
        CRM_TRY(row, st.step());
        if (!row) return OrderTotals{};
        return OrderTotals{st.i64(0), st.i64(1), st.i64(2)};
    });
}

result<std::pair<std::int64_t, std::int64_t>> MarketingRecords::loyalty_qualifying(std::string_view program,
                                                                 const Id& party,
                                                                 Timestamp since) {
    using Out = std::pair<std::int64_t, std::int64_t>;
    return run<Out>("loyalty_qualifying", [&]() -> result<Out> {
        IdText id(party);
        CRM_TRY(st, c_.stmt("SELECT coalesce(sum(points), 0), coalesce(sum(amount_minor), 0) "
                            "FROM loyalty_ledger WHERE program = ?1 AND party_id = ?2 AND "
                            "kind IN ('earn', 'adjust') AND order_id <> '' AND at >= ?3"));
        st.bind(1, program);
        st.bind(2, id);
        st.bind(3, since.ms);
        CRM_TRY(row, st.step());
        if (!row) return Out{0, 0};
        return Out{st.i64(0), st.i64(1)};
    });
}

// Static list places, party suppression entries, campaign places and
// loyalty accounts and ledger entries follow the survivor.
result<void> MarketingRecords::reassign_party(const Id& from, const Id& to) {
    static const char* const kMoves[] = {
        // A list place or party suppression both have keeps `to`'s: the
        // copy that would clash stays behind and is deleted.
        "UPDATE segment_list_member SET party_id = ?2 WHERE party_id = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM segment_list_member o WHERE o.party_id = ?2 AND o.list = "
        "segment_list_member.list)",
        "DELETE FROM segment_list_member WHERE party_id = ?1",
        "UPDATE suppression SET value = ?2 WHERE kind = 'party' AND value = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM suppression o WHERE o.kind = 'party' AND o.value = ?2 AND o.list = "
        "suppression.list)",
        "DELETE FROM suppression WHERE kind = 'party' AND value = ?1",
        // Campaign places follow the party; one both have keeps `to`'s.
        "UPDATE campaign_member SET party_id = ?2 WHERE party_id = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM campaign_member o WHERE o.party_id = ?2 AND o.campaign = "
        "campaign_member.campaign)",
        "DELETE FROM campaign_member WHERE party_id = ?1",
        // Loyalty: the ledger follows the party; an account both have keeps `to`'s.
        "UPDATE loyalty_ledger SET party_id = ?2 WHERE party_id = ?1",
        "UPDATE loyalty_account SET party_id = ?2 WHERE party_id = ?1 AND NOT EXISTS "
        "(SELECT 1 FROM loyalty_account o WHERE o.party_id = ?2 AND o.program = "
        "loyalty_account.program)",
        "DELETE FROM loyalty_account WHERE party_id = ?1",
    };
    return run<void>("reassign_party", [&] { return exec_each(kMoves, from, to); });
}

}  // namespace crm
