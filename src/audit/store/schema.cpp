// audit/store/schema.cpp - the tables of the audit log, the outbox of events and its consumers.
//
// Tables: audit, event (the outbox; its AUTOINCREMENT also creates
// SQLite's sqlite_sequence), consumer (one cursor per event consumer), and
// the views v_audit and v_event over the first two.

#include "audit/store/schema.hpp"

#include "storage/schema.hpp"

namespace crm {

namespace {

// Times are INTEGER milliseconds since the epoch (UTC); the v_* views
// show them as ISO 8601 for people reading the file with the sqlite3
// shell.
constexpr const char* kV1 = R"sql(
CREATE TABLE audit (
    seq         INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor       TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL DEFAULT '',
    record_type TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    changes     TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX audit_record ON audit (record_id, seq);

-- AUTOINCREMENT: a seq is never handed out twice, even if the newest
-- events are ever pruned, because consumers keep it as their cursor.
CREATE TABLE event (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    at          INTEGER NOT NULL,
    type        TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    payload     TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE consumer (
    name   TEXT PRIMARY KEY NOT NULL,
    cursor INTEGER NOT NULL
) WITHOUT ROWID;

CREATE VIEW v_audit AS
SELECT seq, strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch') AS at_utc,
       actor, source, record_type, record_id, action, changes
FROM audit;

CREATE VIEW v_event AS
SELECT seq, strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch') AS at_utc,
       type, record_type, record_id, payload
FROM event;
)sql";

// Version 8 changes no table: from it on, the audit entry of a creation
// keeps its changes as one object of the created values ({"field": value,
// ...}, audit/store/changes.hpp), about half the size of the list form,
// which stays for every other change. The version keeps an older crmcore,
// which reads only the list form, from opening the file.
constexpr const char* kV8 = R"sql(
-- audit.changes of a creation: {"field": value, ...}
)sql";

constexpr storage::Migration kSteps[] = {
    {1, kV1},
    {8, kV8},
};

}  // namespace

std::span<const storage::Migration> audit_migrations() noexcept { return kSteps; }

}  // namespace crm
