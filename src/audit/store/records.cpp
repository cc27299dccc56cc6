// audit/store/records.cpp - the audit log and the outbox of events, with
// the cursors of their consumers.
#include "audit/store/records.hpp"

#include "audit/store/changes.hpp"

namespace crm {

using namespace storage;
using audit_text::decode_changes;
using audit_text::encode_changes;

namespace {

#define CRM_AUDIT_COLS "seq, at, actor, source, record_type, record_id, action, changes"

#define CRM_EVENT_COLS "seq, at, type, record_type, record_id, payload"

result<AuditEntry> read_audit(const Stmt& s) {
    AuditEntry e;
    e.seq = s.i64(0);
    e.at = Timestamp{s.i64(1)};
    e.actor = s.str(2);
    e.source = s.str(3);
    e.record_type = s.str(4);
    CRM_TRY(id, s.id(5));
    e.record_id = id;
    e.action = s.str(6);
    CRM_TRY(changes, decode_changes(s.text(7), "audit.changes"));
    e.changes = std::move(changes);
    return e;
}

result<Event> read_event(const Stmt& s) {
    Event e;
    e.seq = s.i64(0);
    e.at = Timestamp{s.i64(1)};
    e.type = s.str(2);
    e.record_type = s.str(3);
    CRM_TRY(id, s.id(4));
    e.record_id = id;
    e.payload = s.str(5);
    return e;
}

}  // namespace

result<void> AuditRecords::append_audit(AuditEntry& e) {
    return run<void>("append_audit", [&]() -> result<void> {
        IdText rid(e.record_id);
        std::string changes = encode_changes(e.changes);
        CRM_TRY(st, c_.stmt("INSERT INTO audit (at, actor, source, record_type, record_id, "
                            "action, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
        st.bind(1, e.at.ms);
        st.bind(2, e.actor);
        st.bind(3, e.source);
        st.bind(4, e.record_type);
        st.bind(5, rid);
        st.bind(6, e.action);
        st.bind(7, changes);
        CRM_TRY(seq, st.exec_insert());
        e.seq = seq;
        return ok();
    });
}

result<std::vector<AuditEntry>> AuditRecords::audit_of(const Id& record, int limit) {
    return run<std::vector<AuditEntry>>("audit_of", [&]() -> result<std::vector<AuditEntry>> {
        CRM_TRYV(check_limit(limit));
        IdText rid(record);
        // Newest first: a limited trail shows the latest changes.
        CRM_TRY(st, c_.stmt("SELECT " CRM_AUDIT_COLS " FROM audit WHERE record_id = ?1 "
                            "ORDER BY seq DESC LIMIT ?2"));
        st.bind(1, rid);
        st.bind(2, limit);
        return collect<AuditEntry>(st, read_audit);
    });
}

result<void> AuditRecords::append_event(Event& e) {
    return run<void>("append_event", [&]() -> result<void> {
        IdText rid(e.record_id);
        CRM_TRY(st, c_.stmt("INSERT INTO event (at, type, record_type, record_id, payload) "
                            "VALUES (?1, ?2, ?3, ?4, ?5)"));
        st.bind(1, e.at.ms);
        st.bind(2, e.type);
        st.bind(3, e.record_type);
        st.bind(4, rid);
        st.bind(5, e.payload.empty() ? std::string_view("{}") : std::string_view(e.payload));
        CRM_TRY(seq, st.exec_insert());
        e.seq = seq;
        return ok();
    });
}

result<std::vector<Event>> AuditRecords::events_after(std::int64_t cursor, int limit) {
    return run<std::vector<Event>>("events_after", [&]() -> result<std::vector<Event>> {
        CRM_TRYV(check_limit(limit));
        CRM_TRY(st, c_.stmt("SELECT " CRM_EVENT_COLS
                            " FROM event WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
        st.bind(1, cursor);
        st.bind(2, limit);
        return collect<Event>(st, read_event);
    });
}

result<void> AuditRecords::set_cursor(std::string_view consumer, std::int64_t cursor) {
    return run<void>("set_cursor", [&]() -> result<void> {
        CRM_TRY(st, c_.stmt("INSERT INTO consumer (name, cursor) VALUES (?1, ?2) "
                            "ON CONFLICT (name) DO UPDATE SET cursor = excluded.cursor"));
        st.bind(1, consumer);
        st.bind(2, cursor);
        return st.exec();
    });
}

result<std::int64_t> AuditRecords::cursor(std::string_view consumer) {
    return run<std::int64_t>("cursor", [&]() -> result<std::int64_t> {
        CRM_TRY(st, c_.stmt("SELECT cursor FROM consumer WHERE name = ?1"));
        st.bind(1, consumer);
        CRM_TRY(row, st.step());
        return row ? st.i64(0) : std::int64_t{0};
    });
}

}  // namespace crm
