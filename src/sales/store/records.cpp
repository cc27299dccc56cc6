// sales/store/records.cpp - the sales context's repository: opportunities,
// leads, products and quotes, and the queries a forecast counts with.
#include "sales/store/records.hpp"

#include "process/store/records.hpp"
#include "sales/codec.hpp"

namespace crm {

namespace storage {

// Opportunities, leads, quotes, products, tickets and comments are kept as
// their JSON body, read back from column 0.
template <>
result<Opportunity> read_body<Opportunity>(Stmt& s) {
    return codec::opportunity_from_text(s.text(0));
}

template <>
result<Lead> read_body<Lead>(Stmt& s) {
    auto doc = codec::json::parse(s.text(0), nullptr, false);
    if (doc.is_discarded()) return fail(errc::storage, "sqlite: a record body is not JSON");
    return codec::lead_from_json(doc);
}

template <>
result<Quote> read_body<Quote>(Stmt& s) {
    auto doc = codec::json::parse(s.text(0), nullptr, false);
    if (doc.is_discarded()) return fail(errc::storage, "sqlite: a record body is not JSON");
    return codec::quote_from_json(doc);
}

template <>
result<Product> read_body<Product>(Stmt& s) {
    auto doc = codec::json::parse(s.text(0), nullptr, false);
    if (doc.is_discarded()) return fail(errc::storage, "sqlite: a record body is not JSON");
    return codec::product_from_json(doc, "", true);
}

}  // namespace storage

using namespace storage;

namespace {



}  // namespace

result<void> SalesRecords::put_opportunity(const Opportunity& o, std::string_view text,
                                           const Opportunity* before) {
    return run<void>("put_opportunity", [&]() -> result<void> {
        IdText id(o.id), party(o.party);
        const std::string made =
            text.empty() ? codec::object_text(codec::opportunity_fields(o)) : std::string();
        const std::string_view body = text.empty() ? std::string_view(made) : text;
        if (before && before->id == o.id && before->external_id == o.external_id &&
            before->party == o.party && before->pipeline == o.pipeline &&
            before->pipeline_version == o.pipeline_version && before->owner == o.owner &&
            before->team == o.team && before->amount == o.amount &&
            before->expected_close == o.expected_close) {
            // A move: only the columns a move changes, so that the indexes
            // on the others are left alone; between two open stages, not
            // even the status and closing columns the partial indexes read.
            if (before->status == o.status && before->closed_at == o.closed_at &&
                o.status != "won") {
                CRM_TRY(st, c_.stmt("UPDATE opportunity SET stage = ?2, forecast_category = ?3, "
                                    "probability = ?4, updated_at = ?5, body = ?6 WHERE id = ?1"));
                st.bind(1, id);
                st.bind(2, o.stage);
                st.bind(3, o.forecast_category);
                st.bind(4, o.probability);
                st.bind(5, o.updated_at.ms);
                st.bind(6, body);
                return st.exec();
            }
            CRM_TRY(st, c_.stmt("UPDATE opportunity SET stage = ?2, status = ?3, "
                                "forecast_category = ?4, probability = ?5, closed_at = ?6, "
                                "revenue_minor = ?7, updated_at = ?8, body = ?9 WHERE id = ?1"));
            st.bind(1, id);
            st.bind(2, o.stage);
            st.bind(3, o.status);
            st.bind(4, o.forecast_category);
            st.bind(5, o.probability);
            if (o.closed_at) st.bind(6, o.closed_at->ms); else st.bind_null(6);
            st.bind(7, o.status == "won" ? revenue_minor(o) : std::int64_t{0});
            st.bind(8, o.updated_at.ms);
            st.bind(9, body);
            return st.exec();
        }
        static const std::string kPut = storage::upsert_sql(
            "opportunity",
            "id, external_id, party_id, pipeline, pipeline_version, stage, status, owner, team, "
            "forecast_category, amount_minor, currency, probability, expected_close, closed_at, "
            "revenue_minor, updated_at, body, created_at",
            "id");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        st.bind(1, id);
        st.bind_or_null(2, o.external_id);
        st.bind(3, party);
        st.bind(4, o.pipeline);
        st.bind(5, o.pipeline_version);
        st.bind(6, o.stage);
        st.bind(7, o.status);
        st.bind(8, o.owner);
        st.bind(9, o.team);
        st.bind(10, o.forecast_category);
        if (o.amount) st.bind(11, o.amount->minor); else st.bind_null(11);
        st.bind(12, o.amount ? std::string_view(o.amount->currency) : std::string_view());
        st.bind(13, o.probability);
        st.bind(14, o.expected_close);
        if (o.closed_at) st.bind(15, o.closed_at->ms); else st.bind_null(15);
        st.bind(16, o.status == "won" ? revenue_minor(o) : std::int64_t{0});
        st.bind(17, o.updated_at.ms);
        st.bind(18, body);
        st.bind(19, o.created_at.ms);
        auto r = st.exec();
        if (!r && r.error().code == errc::conflict)
            return fail(errc::conflict, "opportunity '" + o.external_id + "' already exists",
                        "external_id");
        return r;
    });
}

result<std::optional<Opportunity>> SalesRecords::get_opportunity(const Id& id) {
    return run<std::optional<Opportunity>>("get_opportunity", [&] {
        return body_by_id<Opportunity>("SELECT body FROM opportunity WHERE id = ?1", id);
    });
}

result<Id> SalesRecords::opportunity_by_external_id(std::string_view external_id) {
    return run<Id>("opportunity_by_external_id", [&] {
        return id_by_key("SELECT id FROM opportunity WHERE external_id = ?1", external_id);
    });
}

result<std::vector<Opportunity>> SalesRecords::opportunities_of(const Id& party) {
    return run<std::vector<Opportunity>>("opportunities_of", [&] {
        return bodies_by_id<Opportunity>(
            "SELECT body FROM opportunity WHERE party_id = ?1 ORDER BY id DESC", party);
    });
}

result<std::vector<Id>> SalesRecords::opportunities_in(std::string_view pipeline, int version,
                                         const Id& after, int limit) {
    return run<std::vector<Id>>("opportunities_in", [&]() -> result<std::vector<Id>> {
        CRM_TRYV(check_limit(limit));
        IdText a(after);
        CRM_TRY(st, c_.stmt("SELECT id FROM opportunity WHERE pipeline = ?1 "
                            "AND (?2 = 0 OR pipeline_version = ?2) AND id > ?3 "
                            "ORDER BY id LIMIT ?4"));
        st.bind(1, pipeline);
        st.bind(2, version);
        st.bind(3, after.is_nil() ? std::string_view("") : a.view());
        st.bind(4, limit);
        return collect_ids(st);
    });
}

result<std::vector<StageTotal>> SalesRecords::stage_totals(std::string_view pipeline) {
    return run<std::vector<StageTotal>>(
        "stage_totals", [&]() -> result<std::vector<StageTotal>> {
            // Amounts are at most 9e16 minor units, so amount * 100 fits.
            CRM_TRY(st, c_.stmt("SELECT stage, currency, count(*), "
                                "coalesce(sum(amount_minor), 0), "
                                "coalesce(sum(amount_minor * probability / 100), 0) "
                                "FROM opportunity WHERE pipeline = ?1 "
                                "GROUP BY stage, currency ORDER BY stage, currency"));
            st.bind(1, pipeline);
            return collect<StageTotal>(st, [](Stmt& s) -> result<StageTotal> {
                return StageTotal{s.str(0), s.str(1), s.i64(2), s.i64(3), s.i64(4)};
            });
        });
}

result<void> SalesRecords::put_lead(const Lead& l) {
    return run<void>("put_lead", [&]() -> result<void> {
        IdText id(l.id), party(l.party);
        const std::string body = codec::to_json(l).dump();
        static const std::string kPut = storage::upsert_sql(
            "lead", "id, external_id, party_id, state, status, owner, score, updated_at, body, created_at",
            "id");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        st.bind(1, id);
        st.bind_or_null(2, l.external_id);
        if (l.party.is_nil()) st.bind_null(3); else st.bind(3, party);
        st.bind(4, l.state);
        st.bind(5, l.status);
        st.bind(6, l.owner);
        st.bind(7, l.score);
        st.bind(8, l.updated_at.ms);
        st.bind(9, body);
        st.bind(10, l.created_at.ms);
        auto r = st.exec();
        if (!r && r.error().code == errc::conflict)
            return fail(errc::conflict, "lead '" + l.external_id + "' already exists",
                        "external_id");
        return r;
    });
}

result<std::optional<Lead>> SalesRecords::get_lead(const Id& id) {
    return run<std::optional<Lead>>("get_lead", [&] {
        return body_by_id<Lead>("SELECT body FROM lead WHERE id = ?1", id);
    });
}

result<Id> SalesRecords::lead_by_external_id(std::string_view external_id) {
    return run<Id>("lead_by_external_id", [&] {
        return id_by_key("SELECT id FROM lead WHERE external_id = ?1", external_id);
    });
}

result<std::vector<Lead>> SalesRecords::leads_of(const Id& party) {
    return run<std::vector<Lead>>("leads_of", [&] {
        return bodies_by_id<Lead>("SELECT body FROM lead WHERE party_id = ?1 ORDER BY id DESC",
                                  party);
    });
}

result<void> SalesRecords::put_product(const Product& p) {
    return run<void>("put_product", [&]() -> result<void> {
        const std::string body = codec::to_json(p).dump();
        static const std::string kPut =
            storage::upsert_sql("product", "sku, name, active, updated_at, body", "sku");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        st.bind(1, p.sku);
        st.bind(2, p.name);
        st.bind(3, p.active ? 1 : 0);
        st.bind(4, p.updated_at.ms);
        st.bind(5, body);
        return st.exec();
    });
}

result<std::optional<Product>> SalesRecords::get_product(std::string_view sku) {
    return run<std::optional<Product>>("get_product", [&]() -> result<std::optional<Product>> {
        CRM_TRY(st, c_.stmt("SELECT body FROM product WHERE sku = ?1"));
        st.bind(1, sku);
        CRM_TRY(rows, collect<Product>(st, read_body<Product>));
        if (rows.empty()) return std::optional<Product>{};
        return std::optional<Product>{std::move(rows.front())};
    });
}

result<std::vector<Product>> SalesRecords::products(std::string_view after, int limit) {
    return run<std::vector<Product>>("products", [&]() -> result<std::vector<Product>> {
        CRM_TRYV(check_limit(limit));
        CRM_TRY(st, c_.stmt("SELECT body FROM product WHERE sku > ?1 ORDER BY sku LIMIT ?2"));
        st.bind(1, after);
        st.bind(2, limit);
        return collect<Product>(st, read_body<Product>);
    });
}

result<void> SalesRecords::put_quote(const Quote& q) {
    return run<void>("put_quote", [&]() -> result<void> {
        IdText id(q.id), root(q.root), party(q.party), opp(q.opportunity);
        const std::string body = codec::to_json(q).dump();
        CRM_TRY(st, c_.stmt(
            "INSERT INTO quote (id, root, revision, number, party_id, opportunity_id, state, "
            "status, currency, total_minor, erp_order_id, updated_at, body, created_at, owner, "
            "valid_until) VALUES "
            "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
            "ON CONFLICT (id) DO UPDATE SET number = excluded.number, "
            "party_id = excluded.party_id, opportunity_id = excluded.opportunity_id, "
            "state = excluded.state, status = excluded.status, currency = excluded.currency, "
            "total_minor = excluded.total_minor, erp_order_id = excluded.erp_order_id, "
            "updated_at = excluded.updated_at, body = excluded.body, owner = excluded.owner, "
            "valid_until = excluded.valid_until"));
        st.bind(1, id);
        st.bind(2, root);
        st.bind(3, q.revision);
        st.bind_or_null(4, q.number);
        st.bind(5, party);
        if (q.opportunity.is_nil()) st.bind_null(6); else st.bind(6, opp);
        st.bind(7, q.state);
        st.bind(8, q.status);
        st.bind(9, q.currency);
        st.bind(10, q.total_minor);
        st.bind_or_null(11, q.erp_order_id);
        st.bind(12, q.updated_at.ms);
        st.bind(13, body);
        st.bind(14, q.created_at.ms);
        st.bind(15, q.owner);
        st.bind(16, q.valid_until);
        auto r = st.exec();
        if (!r && r.error().code == errc::conflict)
            return fail(errc::conflict,
                        "revision " + std::to_string(q.revision) + " of the quote already exists",
                        "revision");
        return r;
    });
}

result<std::optional<Quote>> SalesRecords::get_quote(const Id& id) {
    return run<std::optional<Quote>>("get_quote", [&] {
        return body_by_id<Quote>("SELECT body FROM quote WHERE id = ?1", id);
    });
}

result<Id> SalesRecords::quote_by_number(std::string_view number) {
    return run<Id>("quote_by_number", [&] {
        return id_by_key("SELECT id FROM quote WHERE number = ?1 ORDER BY revision DESC LIMIT 1",
                         number);
    });
}

result<std::vector<Quote>> SalesRecords::quotes_of(const Id& party) {
    return run<std::vector<Quote>>("quotes_of", [&] {
        return bodies_by_id<Quote>("SELECT body FROM quote WHERE party_id = ?1 ORDER BY id DESC",
                                   party);
    });
}

result<std::vector<Quote>> SalesRecords::quotes_for_opportunity(const Id& opportunity) {
    return run<std::vector<Quote>>("quotes_for_opportunity", [&] {
        return bodies_by_id<Quote>(
            "SELECT body FROM quote WHERE opportunity_id = ?1 ORDER BY id DESC", opportunity);
    });
}

result<std::vector<Quote>> SalesRecords::quote_revisions(const Id& root) {
    return run<std::vector<Quote>>("quote_revisions", [&] {
        return bodies_by_id<Quote>("SELECT body FROM quote WHERE root = ?1 ORDER BY revision",
                                   root);
    });
}

result<std::vector<Opportunity>> SalesRecords::opportunities_of_campaign(const std::vector<std::string>& keys) {
    using Out = std::vector<Opportunity>;
    return run<Out>("opportunities_of_campaign", [&]() -> result<Out> {
        Out out;
        for (const auto& key : keys) {
            if (key.empty()) continue;
            CRM_TRY(st, c_.stmt_dynamic("SELECT id FROM opportunity WHERE " +
                                        s_.dialect().json_value("body", "$.campaign") +
                                        " = ?1 ORDER BY id"));
            st.bind(1, key);
            CRM_TRY(ids, collect_ids(st));
            for (const auto& id : ids) {
                CRM_TRY(o, get_opportunity(id));
                if (o) out.push_back(std::move(*o));
            }
        }
        return out;
    });
}

result<std::vector<Lead>> SalesRecords::leads_of_campaign(const std::vector<std::string>& keys) {
    using Out = std::vector<Lead>;
    return run<Out>("leads_of_campaign", [&]() -> result<Out> {
        Out out;
        for (const auto& key : keys) {
            if (key.empty()) continue;
            CRM_TRY(st, c_.stmt_dynamic("SELECT id FROM lead WHERE " +
                                        s_.dialect().json_value("body", "$.campaign") +
                                        " = ?1 ORDER BY id"));
            st.bind(1, key);
            CRM_TRY(ids, collect_ids(st));
            for (const auto& id : ids) {
                CRM_TRY(l, get_lead(id));
                if (l) out.push_back(std::move(*l));
            }
        }
        return out;
    });
}

result<std::vector<WonDeal>> SalesRecords::won_deals(const ForecastScope& scope) {
    return run<std::vector<WonDeal>>("won_deals", [&]() -> result<std::vector<WonDeal>> {
        // The group column is one of a fixed list, never input.
        const char* group = scope.group_by == ForecastGroup::owner  ? "owner"
                            : scope.group_by == ForecastGroup::team ? "team"
                                                                    : "pipeline";
        CRM_TRY(st, c_.stmt_dynamic(std::string("SELECT ") + group + ", currency, coalesce(" +
                                    s_.dialect().json_value("body", "$.created_at") +
                                    ", ''), closed_at FROM opportunity WHERE status = 'won' "
                                    "AND closed_at >= ?1 AND closed_at < ?2 AND (?3 = '' OR pipeline = ?3) "
                                    "AND (?4 = '' OR owner = ?4) AND (?5 = '' OR team = ?5) ORDER BY 1, 2"));
        st.bind(1, scope.from.ms);
        st.bind(2, scope.to.ms);
        st.bind(3, scope.pipeline);
        st.bind(4, scope.owner);
        st.bind(5, scope.team);
        return collect<WonDeal>(st, [](Stmt& s) -> result<WonDeal> {
            return WonDeal{s.str(0), s.str(1), s.str(2), Timestamp{s.i64(3)}};
        });
    });
}

result<std::vector<ForecastCell>> SalesRecords::forecast_cells(const ForecastScope& scope) {
    return run<std::vector<ForecastCell>>(
        "forecast_cells", [&]() -> result<std::vector<ForecastCell>> {
            // One statement per group column (a fixed list, never
            // input), built once: the statement cache is keyed by the
            // text's address, which must therefore stay put.
            static const std::array<std::string, 3> kSql = [] {
                std::array<std::string, 3> out;
                const char* groups[] = {"owner", "team", "pipeline"};
                for (int g = 0; g < 3; ++g) {
                    const std::string filters =
                        " AND (?1 = '' OR pipeline = ?1) AND (?2 = '' OR owner = ?2) "
                        "AND (?3 = '' OR team = ?3)";
                    const std::string cols =
                        std::string("SELECT ") + groups[g] +
                        ", currency, status, forecast_category, count(*), "
                        "coalesce(sum(amount_minor), 0), "
                        "coalesce(sum(amount_minor * probability / 100), 0), "
                        "sum(revenue_minor) FROM opportunity ";
                    out[static_cast<std::size_t>(g)] =
                        cols + "WHERE status = 'open' AND expected_close >= ?4 "
                               "AND expected_close < ?5" +
                        filters + " GROUP BY 1, 2, 3, 4 UNION ALL " + cols +
                        "WHERE closed_at >= ?6 AND closed_at < ?7 AND status <> 'open'" +
                        filters + " GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4";
                }
                return out;
            }();
            const std::size_t group = scope.group_by == ForecastGroup::owner  ? 0
                                      : scope.group_by == ForecastGroup::team ? 1
                                                                              : 2;
            CRM_TRY(st, c_.stmt(kSql[group].c_str()));
            st.bind(1, scope.pipeline);
            st.bind(2, scope.owner);
            st.bind(3, scope.team);
            st.bind(4, scope.from_date);
            st.bind(5, scope.to_date);
            st.bind(6, scope.from.ms);
            st.bind(7, scope.to.ms);
            return collect<ForecastCell>(st, [](Stmt& s) -> result<ForecastCell> {
                return ForecastCell{s.str(0),  s.str(1),  s.str(2),  s.str(3),
                                    s.i64(4),  s.i64(5),  s.i64(6),  s.i64(7)};
            });
        });
}

result<std::vector<StageDuration>> SalesRecords::stage_durations(const ForecastScope& scope) {
    return run<std::vector<StageDuration>>(
        "stage_durations", [&]() -> result<std::vector<StageDuration>> {
            // Bounds on quarter hours read the sums kept by bucket;
            // others (and negative instants) the history rows.
            const bool buckets = scope.from.ms >= 0 && scope.to.ms >= 0 &&
                                 scope.from.ms % kStageBucketMs == 0 &&
                                 scope.to.ms % kStageBucketMs == 0;
            CRM_TRY(st, c_.stmt(
                buckets ? "SELECT process, stage, sum(moves), "
                          "sum(total_ms) / CAST(sum(moves) AS REAL) / 86400000.0 "
                          "FROM stage_time WHERE record_type = 'opportunity' "
                          "AND bucket >= ?1 AND bucket < ?2 AND (?3 = '' OR process = ?3) "
                          "GROUP BY process, stage ORDER BY process, stage"
                        : "SELECT process, from_state, count(*), "
                          "avg(duration_ms) / 86400000.0 FROM history "
                          "WHERE record_type = 'opportunity' AND at >= ?1 AND at < ?2 "
                          "AND from_state <> '' AND from_state <> to_state "
                          "AND (?3 = '' OR process = ?3) "
                          "GROUP BY process, from_state ORDER BY process, from_state"));
            st.bind(1, buckets ? scope.from.ms / kStageBucketMs : scope.from.ms);
            st.bind(2, buckets ? scope.to.ms / kStageBucketMs : scope.to.ms);
            st.bind(3, scope.pipeline);
            return collect<StageDuration>(st, [](Stmt& s) -> result<StageDuration> {
                return StageDuration{s.str(0), s.str(1), s.i64(2),
                                     s.f64(3)};
            });
        });
}

// Opportunities, leads (as party or organisation) and quotes follow
// the survivor.
result<void> SalesRecords::reassign_party(const Id& from, const Id& to) {
    const storage::Dialect& d = s_.dialect();
    const std::string party = ", body = " + d.json_set("body", "$.party", "?2") + " WHERE party_id = ?1";
    const std::string moves[] = {
        "UPDATE opportunity SET party_id = ?2" + party,
        "UPDATE lead SET party_id = ?2" + party,
        "UPDATE lead SET body = " + d.json_set("body", "$.organization", "?2") + " WHERE " +
            d.json_value("body", "$.organization") + " = ?1",
        "UPDATE quote SET party_id = ?2" + party,
    };
    return run<void>("reassign_party", [&] { return exec_each(moves, from, to); });
}

}  // namespace crm

namespace crm {

result<void> SalesRecords::for_each_opportunity_dimensions(const RecordDimensionsFn& fn) {
    return run<void>("for_each_opportunity_dimensions", [&]() -> result<void> {
        const auto& d = s_.dialect();
        // An opportunity's source is the source of the lead it came from.
        CRM_TRY(st, c_.stmt_dynamic("SELECT o.id, o.owner, o.team, o.pipeline, coalesce(" +
                            d.json_value("l.body", "$.source") + ", ''), coalesce(" +
                            d.json_value("o.body", "$.campaign") +
                            ", '') FROM opportunity o LEFT JOIN lead l ON l.id = " +
                            d.json_value("o.body", "$.source_lead")));
        return each_dimensions(st, fn);
    });
}

result<void> SalesRecords::for_each_lead_dimensions(const RecordDimensionsFn& fn) {
    return run<void>("for_each_lead_dimensions", [&]() -> result<void> {
        const auto& d = s_.dialect();
        CRM_TRY(st, c_.stmt_dynamic("SELECT id, owner, '', coalesce(" + d.json_value("body", "$.process") +
                            ", ''), coalesce(" + d.json_value("body", "$.source") + ", ''), coalesce(" +
                            d.json_value("body", "$.campaign") + ", '') FROM lead"));
        return each_dimensions(st, fn);
    });
}

}  // namespace crm

// ---- worklists ---------------------------------------------------------------

namespace crm {

namespace {

/// Maps each named field to the body's member of the same name.
void body_fields(expr::SqlMapping& m, const storage::Dialect& d,
                 std::initializer_list<const char*> names) {
    for (const char* f : names) m.set(f, d.json_value("body", std::string("$.") + f));
}

/// Maps each named timestamp field to the body's ISO 8601 member, in ms.
void body_times(expr::SqlMapping& m, const storage::Dialect& d,
                std::initializer_list<const char*> names) {
    for (const char* f : names) m.set(f, "crm_ms(" + d.json_value("body", std::string("$.") + f) + ")");
}

}  // namespace

const storage::ListSpec& SalesRecords::opportunity_list_spec() {
    static const storage::ListSpec spec{.record_type = "opportunity", .table = "opportunity",
                                         .owner = "owner", .team = "team", .state = "stage",
                                         .pipeline = "pipeline", .due = "expected_close",
                                         .due_is_date = true};
    return spec;
}

const storage::ListSpec& SalesRecords::lead_list_spec() {
    static const storage::ListSpec spec{.record_type = "lead", .table = "lead", .owner = "owner"};
    return spec;
}

const storage::ListSpec& SalesRecords::quote_list_spec() {
    static const storage::ListSpec spec{.record_type = "quote", .table = "quote", .owner = "owner",
                                         .due = "valid_until", .due_is_date = true};
    return spec;
}

expr::SqlMapping SalesRecords::opportunity_columns(const expr::Schema& schema,
                                                   const storage::Dialect& d) {
    expr::SqlMapping m(d);
    for (const char* c : {"owner", "team", "pipeline", "stage", "status", "probability",
                          "forecast_category", "expected_close", "created_at"})
        m.set(c, c);
    m.set("amount", "amount_minor", "currency");
    body_fields(m, d, {"name", "campaign", "competitors", "products"});
    body_times(m, d, {"stage_entered_at"});
    m.set_custom_fields(schema, "body", "$.custom");
    return m;
}

expr::SqlMapping SalesRecords::lead_columns(const expr::Schema& schema, const storage::Dialect& d) {
    expr::SqlMapping m(d);
    for (const char* c : {"owner", "state", "status", "score", "created_at"}) m.set(c, c);
    body_fields(m, d, {"source", "channel", "campaign", "first_name", "last_name", "company",
                       "job_title", "email", "phone", "national_id", "city", "interest"});
    const std::string email = d.json_value("body", "$.email");
    const std::string at = d.position(email, "'@'");
    m.set("email_domain", "(CASE WHEN " + at + " > 0 THEN substr(" + email + ", " + at + " + 1) END)");
    m.set_custom_fields(schema, "body", "$.custom");
    return m;
}

expr::SqlMapping SalesRecords::quote_columns(const expr::Schema& schema, const storage::Dialect& d) {
    expr::SqlMapping m(d);
    for (const char* c : {"state", "status", "currency", "revision", "created_at", "owner",
                          "valid_until"})
        m.set(c, c);
    body_fields(m, d, {"price_list", "number"});
    m.set("line_count", d.json_array_length(d.json_value("body", "$.lines")));
    m.set("total", "total_minor", "currency");
    for (const char* f : {"subtotal", "discount", "tax"})
        m.set(f, d.json_value("body", std::string("$.") + f + "_minor"), "currency");
    m.set_custom_fields(schema, "body", "$.custom");
    return m;
}

result<ListPage<Opportunity>> SalesRecords::list_opportunities(const storage::ListSql& sql) {
    return run<ListPage<Opportunity>>("list_opportunities", [&] {
        return storage::run_list<Opportunity>(c_, sql, [](Stmt& st) { return read_body<Opportunity>(st); });
    });
}

result<ListPage<Lead>> SalesRecords::list_leads(const storage::ListSql& sql) {
    return run<ListPage<Lead>>("list_leads", [&] {
        return storage::run_list<Lead>(c_, sql, [](Stmt& st) { return read_body<Lead>(st); });
    });
}

result<ListPage<Quote>> SalesRecords::list_quotes(const storage::ListSql& sql) {
    return run<ListPage<Quote>>("list_quotes", [&] {
        return storage::run_list<Quote>(c_, sql, [](Stmt& st) { return read_body<Quote>(st); });
    });
}

}  // namespace crm
