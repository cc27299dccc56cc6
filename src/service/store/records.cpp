// service/store/records.cpp - the service context's repository: tickets, their
// comments and Net Promoter Score answers.
#include "service/store/records.hpp"

#include "service/codec.hpp"
#include "service/record.hpp"

namespace crm {

namespace storage {

template <>
result<Ticket> read_body<Ticket>(Stmt& s) {
    auto doc = codec::json::parse(s.text(0), nullptr, false);
    if (doc.is_discarded()) return fail(errc::storage, "sqlite: a record body is not JSON");
    return codec::ticket_from_json(doc);
}

template <>
result<TicketComment> read_body<TicketComment>(Stmt& s) {
    auto doc = codec::json::parse(s.text(0), nullptr, false);
    if (doc.is_discarded()) return fail(errc::storage, "sqlite: a record body is not JSON");
    return codec::comment_from_json(doc);
}

}  // namespace storage

using namespace storage;

namespace {

result<NpsResponse> read_nps(Stmt& s) {
    NpsResponse r;
    CRM_TRY(id, s.id(0));
    r.id = id;
    CRM_TRY(party, s.id(1));
    r.party = party;
    r.score = static_cast<int>(s.i64(2));
    r.comment = s.str(3);
    r.at = Timestamp{s.i64(4)};
    return r;
}

}  // namespace

result<void> ServiceRecords::put_ticket(const Ticket& t, std::string_view given) {
    return run<void>("put_ticket", [&]() -> result<void> {
        IdText id(t.id), party(t.party);
        const std::string made = given.empty() ? codec::ticket_text(t) : std::string();
        const std::string_view body = given.empty() ? std::string_view(made) : given;
        static const std::string kPut = storage::upsert_sql(
            "ticket",
            "id, external_id, party_id, queue, assignee, state, status, priority, type, "
            "sla_policy, due_at, updated_at, body, created_at, sla_status, sla_due",
            "id");
        CRM_TRY(st, c_.stmt(kPut.c_str()));
        st.bind(1, id);
        st.bind_or_null(2, t.external_id);
        st.bind(3, party);
        st.bind(4, t.queue);
        st.bind(5, t.assignee);
        st.bind(6, t.state);
        st.bind(7, t.status);
        st.bind(8, to_string(t.priority));
        st.bind(9, to_string(t.type));
        st.bind(10, t.sla_policy);
        if (t.due_at) st.bind(11, t.due_at->ms); else st.bind_null(11);
        st.bind(12, t.updated_at.ms);
        st.bind(13, body);
        st.bind(14, t.created_at.ms);
        st.bind(15, std::string_view(service::sla_status_of(t)));
        const auto due = service::sla_due_of(t);
        st.bind(16, due ? due->ms : kNoDue);
        auto r = st.exec();
        if (!r && r.error().code == errc::conflict)
            return fail(errc::conflict, "ticket '" + t.external_id + "' already exists",
                        "external_id");
        return r;
    });
}

result<std::optional<Ticket>> ServiceRecords::get_ticket(const Id& id) {
    return run<std::optional<Ticket>>("get_ticket", [&] {
        return body_by_id<Ticket>("SELECT body FROM ticket WHERE id = ?1", id);
    });
}

result<Id> ServiceRecords::ticket_by_external_id(std::string_view external_id) {
    return run<Id>("ticket_by_external_id", [&] {
        return id_by_key("SELECT id FROM ticket WHERE external_id = ?1", external_id);
    });
}

result<std::vector<Ticket>> ServiceRecords::tickets_of(const Id& party) {
    return run<std::vector<Ticket>>("tickets_of", [&] {
        return bodies_by_id<Ticket>(
            "SELECT body FROM ticket WHERE party_id = ?1 ORDER BY id DESC", party);
    });
}

result<std::vector<Id>> ServiceRecords::tickets_due(Timestamp until, int limit) {
    return run<std::vector<Id>>("tickets_due", [&]() -> result<std::vector<Id>> {
        CRM_TRYV(check_limit(limit, 100'000));
        CRM_TRY(st, c_.stmt("SELECT id FROM ticket WHERE due_at IS NOT NULL AND due_at <= ?1 "
                            "ORDER BY due_at, id LIMIT ?2"));
        st.bind(1, until.ms);
        st.bind(2, limit);
        return collect_ids(st);
    });
}

result<std::vector<Id>> ServiceRecords::open_tickets_of_policy(std::string_view policy, const Id& after,
                                               int limit) {
    return run<std::vector<Id>>("open_tickets_of_policy", [&]() -> result<std::vector<Id>> {
        CRM_TRYV(check_limit(limit, 100'000));
        IdText a(after);
        CRM_TRY(st, c_.stmt("SELECT id FROM ticket WHERE status = 'open' AND sla_policy = ?1 "
                            "AND id > ?2 ORDER BY id LIMIT ?3"));
        st.bind(1, policy);
        st.bind(2, a);
        st.bind(3, limit);
        return collect_ids(st);
    });
}

result<std::vector<std::pair<std::string, int>>> ServiceRecords::open_ticket_counts(
    std::string_view queue) {
    using Out = std::vector<std::pair<std::string, int>>;
    return run<Out>("open_ticket_counts", [&]() -> result<Out> {
        CRM_TRY(st, c_.stmt("SELECT assignee, count(*) FROM ticket WHERE queue = ?1 AND "
                            "status = 'open' GROUP BY assignee ORDER BY assignee"));
        st.bind(1, queue);
        Out out;
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row) break;
            out.emplace_back(st.str(0), static_cast<int>(st.i64(1)));
        }
        return out;
    });
}

result<void> ServiceRecords::for_each_ticket(const std::function<bool(const Ticket&)>& fn) {
    return run<void>("for_each_ticket", [&]() -> result<void> {
        CRM_TRY(st, c_.stmt("SELECT body FROM ticket ORDER BY id"));
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row) break;
            CRM_TRY(t, read_body<Ticket>(st));
            if (!fn(t)) break;
        }
        return ok();
    });
}

result<std::vector<NpsResponse>> ServiceRecords::nps_between(Timestamp from, Timestamp to) {
    return run<std::vector<NpsResponse>>("nps_between", [&]() -> result<std::vector<NpsResponse>> {
        CRM_TRY(st, c_.stmt("SELECT id, party_id, score, comment, at FROM nps_response "
                            "WHERE at >= ?1 AND at < ?2 ORDER BY at, id"));
        st.bind(1, from.ms);
        st.bind(2, to.ms);
        return collect<NpsResponse>(st, read_nps);
    });
}

result<void> ServiceRecords::put_nps(const NpsResponse& r) {
    return run<void>("put_nps", [&]() -> result<void> {
        IdText id(r.id), party(r.party);
        CRM_TRY(st, c_.stmt("INSERT INTO nps_response (id, party_id, score, comment, at) "
                            "VALUES (?1, ?2, ?3, ?4, ?5)"));
        st.bind(1, id);
        st.bind(2, party);
        st.bind(3, r.score);
        st.bind(4, r.comment);
        st.bind(5, r.at.ms);
        return st.exec();
    });
}

result<std::vector<NpsResponse>> ServiceRecords::nps_of(const Id& party, int limit) {
    return run<std::vector<NpsResponse>>("nps_of", [&]() -> result<std::vector<NpsResponse>> {
        CRM_TRYV(check_limit(limit));
        IdText p(party);
        CRM_TRY(st, c_.stmt("SELECT id, party_id, score, comment, at FROM nps_response "
                            "WHERE party_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2"));
        st.bind(1, p);
        st.bind(2, limit);
        return collect<NpsResponse>(st, read_nps);
    });
}

result<void> ServiceRecords::put_comment(const TicketComment& c) {
    return run<void>("put_comment", [&]() -> result<void> {
        IdText id(c.id), ticket(c.ticket);
        const std::string body = codec::to_json(c).dump();
        CRM_TRY(st, c_.stmt("INSERT INTO ticket_comment (id, ticket_id, is_public, body) "
                            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO UPDATE SET "
                            "is_public = excluded.is_public, body = excluded.body"));
        st.bind(1, id);
        st.bind(2, ticket);
        st.bind(3, c.is_public ? 1 : 0);
        st.bind(4, body);
        return st.exec();
    });
}

result<std::vector<TicketComment>> ServiceRecords::comments_of(const Id& ticket,
                                               bool include_internal) {
    return run<std::vector<TicketComment>>("comments_of", [&] {
        return include_internal
                   ? bodies_by_id<TicketComment>(
                         "SELECT body FROM ticket_comment WHERE ticket_id = ?1 ORDER BY id",
                         ticket)
                   : bodies_by_id<TicketComment>(
                         "SELECT body FROM ticket_comment WHERE ticket_id = ?1 "
                         "AND is_public = 1 ORDER BY id",
                         ticket);
    });
}

// Tickets (as party or contact) and NPS answers follow the survivor.
result<void> ServiceRecords::reassign_party(const Id& from, const Id& to) {
    const storage::Dialect& d = s_.dialect();
    const std::string moves[] = {
        "UPDATE ticket SET party_id = ?2, body = " + d.json_set("body", "$.party", "?2") +
            " WHERE party_id = ?1",
        "UPDATE nps_response SET party_id = ?2 WHERE party_id = ?1",
        "UPDATE ticket SET body = " + d.json_set("body", "$.contact", "?2") + " WHERE " +
            d.json_value("body", "$.contact") + " = ?1",
    };
    return run<void>("reassign_party", [&] { return exec_each(moves, from, to); });
}

}  // namespace crm

namespace crm {

result<void> ServiceRecords::for_each_ticket_dimensions(const RecordDimensionsFn& fn) {
    return run<void>("for_each_ticket_dimensions", [&]() -> result<void> {
        CRM_TRY(st, c_.stmt_dynamic("SELECT id, assignee, queue, '', coalesce(" +
                            s_.dialect().json_value("body", "$.channel") + ", ''), '' FROM ticket"));
        return each_dimensions(st, fn);
    });
}

}  // namespace crm

// ---- the ticket worklist -----------------------------------------------------

namespace crm {

const storage::ListSpec& ServiceRecords::ticket_list_spec() {
    static const storage::ListSpec spec{.record_type = "ticket", .table = "ticket", .owner = "assignee",
                                         .queue = "queue", .priority = "priority",
                                         .sla_status = "sla_status", .due = "sla_due"};
    return spec;
}

expr::SqlMapping ServiceRecords::ticket_columns(const expr::Schema& schema, const storage::Dialect& d) {
    expr::SqlMapping m(d);
    for (const char* c : {"queue", "assignee", "state", "status", "priority", "type", "created_at",
                          "sla_status"})
        m.set(c, c);
    for (const char* f : {"subject", "channel", "category", "product_sku", "warranty", "reopen_count",
                          "referral_count"})
        m.set(f, d.json_value("body", std::string("$.") + f));
    for (const char* f : {"first_response_at", "resolved_at"})
        m.set(f, "crm_ms(" + d.json_value("body", std::string("$.") + f) + ")");
    m.set_custom_fields(schema, "body", "$.custom");
    return m;
}

result<ListPage<Ticket>> ServiceRecords::list_tickets(const storage::ListSql& sql) {
    return run<ListPage<Ticket>>("list_tickets", [&] {
        return storage::run_list<Ticket>(c_, sql, [](Stmt& st) { return read_body<Ticket>(st); });
    });
}

}  // namespace crm
