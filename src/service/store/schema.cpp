// service/store/schema.cpp - the tables of service tickets, their comments and NPS answers.
//
// nps_response is here because NPS answers are collected and reported by
// the service context.

#include "service/store/schema.hpp"

#include "storage/schema.hpp"

namespace crm {

namespace {

// Version 4: service tickets, their comments, and NPS answers. due_at is the next instant
// tick() has work on a ticket; the partial index keeps a tick that finds
// nothing due at one probe however many tickets are open. A ticket's body
// (about 1.4 KB with two clocks) makes the row too large for a WITHOUT
// ROWID table, whose b-tree holds whole rows: with a rowid, creation runs
// 18% faster here.
constexpr const char* kV4 = R"sql(
CREATE TABLE ticket (
    id          TEXT PRIMARY KEY NOT NULL,
    external_id TEXT UNIQUE,
    party_id    TEXT NOT NULL,
    queue       TEXT NOT NULL,
    assignee    TEXT NOT NULL,
    state       TEXT NOT NULL,
    status      TEXT NOT NULL,
    priority    TEXT NOT NULL,
    type        TEXT NOT NULL,
    sla_policy  TEXT NOT NULL,
    due_at      INTEGER,
    updated_at  INTEGER NOT NULL,
    body        TEXT NOT NULL
);
CREATE INDEX ticket_party ON ticket (party_id);
CREATE INDEX ticket_due ON ticket (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX ticket_open_policy ON ticket (sla_policy, id) WHERE status = 'open';
CREATE INDEX ticket_queue ON ticket (queue, status, assignee);

CREATE TABLE ticket_comment (
    id        TEXT PRIMARY KEY NOT NULL,
    ticket_id TEXT NOT NULL,
    is_public INTEGER NOT NULL,
    body      TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX ticket_comment_ticket ON ticket_comment (ticket_id, id);

CREATE TABLE nps_response (
    id       TEXT PRIMARY KEY NOT NULL,
    party_id TEXT NOT NULL,
    score    INTEGER NOT NULL,
    comment  TEXT NOT NULL,
    at       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX nps_party ON nps_response (party_id, at);
CREATE INDEX nps_at ON nps_response (at);
)sql";

// Version 11: worklists. created_at; sla_status, the most pressing status
// of the ticket's running clocks (breached, nearing_breach, in_progress,
// paused; '' when none runs); and sla_due, the earliest failure instant of
// a running clock, 9223372036854775807 when none (so that "due" orders
// without NULLs, the same on every database). A queue's and an agent's
// tickets by due are one index range each. The rows already there take
// the three from their stored body.
constexpr const char* kV11 = R"sql(
ALTER TABLE ticket ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ticket ADD COLUMN sla_status TEXT NOT NULL DEFAULT '';
ALTER TABLE ticket ADD COLUMN sla_due INTEGER NOT NULL DEFAULT 9223372036854775807;
UPDATE ticket SET
    created_at = COALESCE(crm_ms(json_extract(body, '$.created_at')), updated_at),
    sla_status = COALESCE((
        SELECT CASE min(CASE json_extract(value, '$.status') WHEN 'breached' THEN 1
                        WHEN 'nearing_breach' THEN 2 WHEN 'in_progress' THEN 3
                        WHEN 'paused' THEN 4 END)
               WHEN 1 THEN 'breached' WHEN 2 THEN 'nearing_breach'
               WHEN 3 THEN 'in_progress' WHEN 4 THEN 'paused' END
        FROM json_each(body, '$.slas') WHERE json_extract(value, '$.stopped_at') IS NULL), ''),
    sla_due = COALESCE((
        SELECT min(crm_ms(json_extract(value, '$.failure_at')))
        FROM json_each(body, '$.slas') WHERE json_extract(value, '$.stopped_at') IS NULL),
        9223372036854775807);
CREATE INDEX ticket_queue_due ON ticket (queue, status, sla_due, id);
CREATE INDEX ticket_assignee_due ON ticket (assignee, status, sla_due, id);
CREATE INDEX ticket_created ON ticket (created_at, id);
)sql";

constexpr storage::Migration kSteps[] = {
    {4, kV4},
    {11, kV11},
};

}  // namespace

std::span<const storage::Migration> service_migrations() noexcept { return kSteps; }

}  // namespace crm
