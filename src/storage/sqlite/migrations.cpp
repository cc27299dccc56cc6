// storage/sqlite/migrations.cpp - the embedded schema steps of the SQLite
// backend (one SQL text per version) and the runner that applies them.
#include "storage/sqlite/migrations.hpp"

#include <string>

namespace crm::storage::sqlite {

namespace {

// Conventions (docs/decisions/0003-sqlite-schema.md): ids are TEXT in the
// 36-character form, times INTEGER milliseconds since the epoch (UTC),
// enums TEXT names, nested values JSON text. Optional keys (external_id,
// national_id, merged_into) are NULL when absent so UNIQUE ignores them;
// other absent texts are ''. The v_* views show times as ISO 8601 for
// people reading the file with the sqlite3 shell; they cost nothing.
constexpr const char* kV1 = R"sql(
PRAGMA application_id = 1129466179;

CREATE TABLE party (
    id                TEXT PRIMARY KEY NOT NULL,
    kind              TEXT NOT NULL,
    external_id       TEXT,
    first_name        TEXT NOT NULL DEFAULT '',
    last_name         TEXT NOT NULL DEFAULT '',
    organization_name TEXT NOT NULL DEFAULT '',
    national_id       TEXT,
    lifecycle_stage   TEXT NOT NULL DEFAULT '',
    owner             TEXT NOT NULL DEFAULT '',
    city              TEXT NOT NULL DEFAULT '',
    country           TEXT NOT NULL DEFAULT '',
    tags              TEXT NOT NULL DEFAULT '[]',
    custom            TEXT NOT NULL DEFAULT '{}',
    contacts          TEXT NOT NULL DEFAULT '[]',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    version           INTEGER NOT NULL DEFAULT 0,
    merged_into       TEXT,
    name_key          TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE UNIQUE INDEX party_external_id ON party (external_id) WHERE external_id IS NOT NULL;
-- The lookups read live parties only (merged_into IS NULL) and these are
-- partial indexes of live parties. merged_into is also an index column,
-- although always NULL in it: without it SQLite reads the table row to
-- test merged_into, and a name scan over a million parties takes seconds
-- instead of a tenth of one.
CREATE INDEX party_national_id ON party (national_id, id, merged_into)
    WHERE national_id IS NOT NULL AND merged_into IS NULL;
-- Name search, in (name_key, id) order: a range for a prefix, a scan of
-- the index alone for "contains".
CREATE INDEX party_name ON party (name_key, id, merged_into) WHERE merged_into IS NULL;

-- Contact points live in party.contacts (JSON, in the party's order): a
-- party is read with its contacts in one row. contact_key is the lookup
-- index of search and duplicate detection: one row per (kind, value) of a
-- live party, keyed for the lookup itself, so a contact costs one b-tree
-- insert and a lookup never reads the party table. value is the
-- contact_index_key() of the contact's value (e-mail addresses lower-cased).
CREATE TABLE contact_key (
    kind     TEXT NOT NULL,
    value    TEXT NOT NULL,
    party_id TEXT NOT NULL,
    PRIMARY KEY (kind, value, party_id)
) WITHOUT ROWID;

-- The tag index of live parties; party.tags holds the list for reading.
CREATE TABLE party_tag (
    tag      TEXT NOT NULL,
    party_id TEXT NOT NULL,
    PRIMARY KEY (tag, party_id)
) WITHOUT ROWID;

CREATE TABLE membership (
    person       TEXT NOT NULL REFERENCES party (id),
    organization TEXT NOT NULL REFERENCES party (id),
    role         TEXT NOT NULL DEFAULT '',
    since        INTEGER NOT NULL,
    PRIMARY KEY (person, organization)
) WITHOUT ROWID;
CREATE INDEX membership_organization ON membership (organization, person);

CREATE TABLE merge_log (
    merged   TEXT PRIMARY KEY NOT NULL REFERENCES party (id),
    survivor TEXT NOT NULL REFERENCES party (id),
    at       INTEGER NOT NULL
);
CREATE INDEX merge_log_survivor ON merge_log (survivor, merged);

-- Rows are stored in timeline order (party, time, id): a page of a
-- party's timeline is one contiguous range, read without a second lookup.
CREATE TABLE interaction (
    party_id    TEXT NOT NULL REFERENCES party (id),
    at          INTEGER NOT NULL,
    id          TEXT NOT NULL,
    channel     TEXT NOT NULL,
    direction   TEXT NOT NULL,
    subject     TEXT NOT NULL DEFAULT '',
    summary     TEXT NOT NULL DEFAULT '',
    actor       TEXT NOT NULL DEFAULT '',
    duration_s  INTEGER,
    outcome     TEXT NOT NULL DEFAULT '',
    external_id TEXT,
    PRIMARY KEY (party_id, at, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX interaction_id ON interaction (id);
CREATE UNIQUE INDEX interaction_external_id ON interaction (external_id)
    WHERE external_id IS NOT NULL;

CREATE TABLE activity (
    id         TEXT PRIMARY KEY NOT NULL,
    party_id   TEXT NOT NULL REFERENCES party (id),
    kind       TEXT NOT NULL,
    subject    TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    due_at     INTEGER NOT NULL,
    assignee   TEXT NOT NULL DEFAULT '',
    status     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    closed_at  INTEGER
);
CREATE INDEX activity_assignee ON activity (assignee, status, due_at, id);
CREATE INDEX activity_party ON activity (party_id, status, due_at, id);

CREATE TABLE purchase (
    id          TEXT PRIMARY KEY NOT NULL,
    party_id    TEXT NOT NULL REFERENCES party (id),
    order_id    TEXT NOT NULL,
    ordered_at  INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    currency    TEXT NOT NULL,
    lines       TEXT NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX purchase_order_id ON purchase (order_id);
CREATE INDEX purchase_party ON purchase (party_id, ordered_at, id);

-- Kept up to date by every purchase write, so the 360 view never sums rows.
CREATE TABLE purchase_summary (
    party_id    TEXT NOT NULL REFERENCES party (id),
    currency    TEXT NOT NULL,
    count       INTEGER NOT NULL,
    total_minor INTEGER NOT NULL,
    first_at    INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    PRIMARY KEY (party_id, currency)
) WITHOUT ROWID;

CREATE TABLE field_def (
    record_type TEXT NOT NULL,
    name        TEXT NOT NULL,
    label       TEXT NOT NULL DEFAULT '',
    type        TEXT NOT NULL,
    required    INTEGER NOT NULL DEFAULT 0,
    allowed     TEXT NOT NULL DEFAULT '[]',
    min_value   INTEGER,
    max_value   INTEGER,
    currency    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (record_type, name)
);

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

CREATE VIEW v_party AS
SELECT id, kind, external_id, first_name, last_name, organization_name, national_id,
       lifecycle_stage, owner, city, country, tags, custom,
       strftime('%Y-%m-%dT%H:%M:%fZ', created_at / 1000.0, 'unixepoch') AS created,
       strftime('%Y-%m-%dT%H:%M:%fZ', updated_at / 1000.0, 'unixepoch') AS updated,
       version, merged_into
FROM party;

CREATE VIEW v_contact_point AS
SELECT p.id AS party_id, c.key AS pos,
       json_extract(c.value, '$.id') AS id,
       json_extract(c.value, '$.kind') AS kind,
       json_extract(c.value, '$.type') AS type,
       json_extract(c.value, '$.value') AS value,
       json_extract(c.value, '$.primary') AS is_primary,
       json_extract(c.value, '$.verified') AS verified,
       json_extract(c.value, '$.operator') AS operator_name,
       json_extract(c.value, '$.consents') AS consents
FROM party p, json_each(p.contacts) c;

CREATE VIEW v_interaction AS
SELECT id, party_id, strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch') AS at_utc,
       channel, direction, subject, summary, actor, duration_s, outcome, external_id
FROM interaction;

CREATE VIEW v_audit AS
SELECT seq, strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch') AS at_utc,
       actor, source, record_type, record_id, action, changes
FROM audit;

CREATE VIEW v_event AS
SELECT seq, strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch') AS at_utc,
       type, record_type, record_id, payload
FROM event;
)sql";

// Version 2: process definitions, opportunities, leads and the history of
// process records. An opportunity is one row: the columns a lookup or a
// pipeline total reads, and `body`, the whole record as JSON, read back.
constexpr const char* kV2 = R"sql(
CREATE TABLE definition (
    kind       TEXT NOT NULL,
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    actor      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, id, version)
) WITHOUT ROWID;

CREATE TABLE opportunity (
    id               TEXT PRIMARY KEY NOT NULL,
    external_id      TEXT,
    party_id         TEXT NOT NULL,
    pipeline         TEXT NOT NULL,
    pipeline_version INTEGER NOT NULL,
    stage            TEXT NOT NULL,
    status           TEXT NOT NULL,
    owner            TEXT NOT NULL DEFAULT '',
    team             TEXT NOT NULL DEFAULT '',
    forecast_category TEXT NOT NULL DEFAULT '',
    amount_minor     INTEGER,
    currency         TEXT NOT NULL DEFAULT '',
    probability      INTEGER NOT NULL,
    expected_close   TEXT NOT NULL DEFAULT '',
    closed_at        INTEGER,
    revenue_minor    INTEGER NOT NULL DEFAULT 0,
    updated_at       INTEGER NOT NULL,
    body             TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX opportunity_external_id ON opportunity (external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX opportunity_party ON opportunity (party_id);
CREATE INDEX opportunity_pipeline ON opportunity (pipeline, pipeline_version, id);
-- The forecast reads open deals by expected close and closed ones by close time.
CREATE INDEX opportunity_expected_close ON opportunity (expected_close) WHERE status = 'open';
CREATE INDEX opportunity_closed_at ON opportunity (closed_at) WHERE closed_at IS NOT NULL;

CREATE TABLE lead (
    id          TEXT PRIMARY KEY NOT NULL,
    external_id TEXT,
    party_id    TEXT,
    state       TEXT NOT NULL,
    status      TEXT NOT NULL,
    owner       TEXT NOT NULL DEFAULT '',
    score       INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL,
    body        TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX lead_external_id ON lead (external_id) WHERE external_id IS NOT NULL;
CREATE INDEX lead_party ON lead (party_id) WHERE party_id IS NOT NULL;

-- One row per stage change, or per change of the values a record type
-- tracks (from_state = to_state, move = ''). values_json holds them.
CREATE TABLE history (
    seq             INTEGER PRIMARY KEY,
    record_type     TEXT NOT NULL,
    record_id       TEXT NOT NULL,
    process         TEXT NOT NULL,
    process_version INTEGER NOT NULL,
    from_state      TEXT NOT NULL,
    to_state        TEXT NOT NULL,
    move            TEXT NOT NULL,
    at              INTEGER NOT NULL,
    actor           TEXT NOT NULL,
    reason          TEXT NOT NULL,
    values_json     TEXT NOT NULL,
    duration_ms     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX history_record ON history (record_id, seq);
-- Days per stage reads the stage changes of a period from this index alone.
CREATE INDEX history_at ON history (record_type, at, process, from_state, to_state, duration_ms);

CREATE VIEW v_history AS
SELECT seq, strftime('%Y-%m-%dT%H:%M:%fZ', at / 1000.0, 'unixepoch') AS at_utc,
       record_type, record_id, process, process_version, from_state, to_state, move,
       actor, reason, values_json
FROM history;
)sql";

// Version 3: the product catalogue and quotes, one row per revision; like
// opportunities, the columns lookups read and the whole record as `body`.
// And stage_time, the days-per-stage sums by quarter hour.
constexpr const char* kV3 = R"sql(
CREATE TABLE product (
    sku        TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    active     INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    body       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE quote (
    id             TEXT PRIMARY KEY NOT NULL,
    root           TEXT NOT NULL,
    revision       INTEGER NOT NULL,
    number         TEXT,
    party_id       TEXT NOT NULL,
    opportunity_id TEXT,
    state          TEXT NOT NULL,
    status         TEXT NOT NULL,
    currency       TEXT NOT NULL,
    total_minor    INTEGER NOT NULL,
    erp_order_id   TEXT,
    updated_at     INTEGER NOT NULL,
    body           TEXT NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX quote_revision ON quote (root, revision);
CREATE INDEX quote_party ON quote (party_id);
CREATE INDEX quote_opportunity ON quote (opportunity_id) WHERE opportunity_id IS NOT NULL;
CREATE INDEX quote_number ON quote (number, revision) WHERE number IS NOT NULL;

-- Time spent in a stage, summed per quarter hour of leaving it: a period
-- whose bounds fall on quarter hours (midnight in any zone whose offset is
-- a multiple of 15 minutes) averages days per stage from these rows
-- instead of every history row. Kept by every history insert.
CREATE TABLE stage_time (
    record_type TEXT NOT NULL,
    bucket      INTEGER NOT NULL,
    process     TEXT NOT NULL,
    stage       TEXT NOT NULL,
    moves       INTEGER NOT NULL,
    total_ms    INTEGER NOT NULL,
    PRIMARY KEY (record_type, bucket, process, stage)
) WITHOUT ROWID;
INSERT INTO stage_time (record_type, bucket, process, stage, moves, total_ms)
SELECT record_type, at / 900000, process, from_state, count(*), sum(duration_ms)
FROM history WHERE from_state <> '' AND from_state <> to_state
GROUP BY record_type, at / 900000, process, from_state;
)sql";

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

// Version 5: segments. party_profile holds what a segment rule reads of a
// party, one row per live party, kept on write: a segment is one scan of
// this table (its WHERE compiled from the rule by crm::expr::to_sql),
// never an aggregate over purchases. Text columns hold normalised keys;
// c30..c365 and s30..s365 are the purchase windows as of as_of; i_* the
// last interaction per channel. Rows are narrow enough (about 200 bytes)
// for WITHOUT ROWID, which keeps a scan in id order sequential.
// segment_membership has a row per stay of a party in a tracked segment
// (left_at NULL while it lasts); segment_list_member the members of static
// lists; suppression the entries of suppression lists.
constexpr const char* kV5 = R"sql(
CREATE TABLE party_profile (
    party_id         TEXT PRIMARY KEY NOT NULL,
    kind             TEXT NOT NULL,
    lifecycle_stage  TEXT NOT NULL,
    owner            TEXT NOT NULL,
    city             TEXT NOT NULL,
    country          TEXT NOT NULL,
    tags             TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    consent_email    INTEGER NOT NULL,
    consent_sms      INTEGER NOT NULL,
    consent_call     INTEGER NOT NULL,
    consent_whatsapp INTEGER NOT NULL,
    organizations    TEXT NOT NULL,
    p_count          INTEGER NOT NULL,
    p_sum            INTEGER NOT NULL,
    p_first          INTEGER,
    p_last           INTEGER,
    c30 INTEGER NOT NULL, c90 INTEGER NOT NULL, c180 INTEGER NOT NULL, c365 INTEGER NOT NULL,
    s30 INTEGER NOT NULL, s90 INTEGER NOT NULL, s180 INTEGER NOT NULL, s365 INTEGER NOT NULL,
    rfm_r INTEGER NOT NULL, rfm_f INTEGER NOT NULL, rfm_m INTEGER NOT NULL,
    i_call INTEGER, i_email INTEGER, i_sms INTEGER, i_meeting INTEGER, i_chat INTEGER,
    i_social INTEGER, i_portal INTEGER, i_visit INTEGER, i_other INTEGER,
    t_all INTEGER NOT NULL, t_open INTEGER NOT NULL, t_complaints INTEGER NOT NULL,
    m_sent INTEGER NOT NULL, m_opened INTEGER NOT NULL, m_clicked INTEGER NOT NULL,
    m_responded INTEGER NOT NULL, m_converted INTEGER NOT NULL,
    as_of            INTEGER NOT NULL,
    expires_at       INTEGER,
    custom           TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX party_profile_expires ON party_profile (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE segment_membership (
    segment   TEXT NOT NULL,
    party_id  TEXT NOT NULL,
    joined_at INTEGER NOT NULL,
    left_at   INTEGER,
    PRIMARY KEY (segment, party_id, joined_at)
) WITHOUT ROWID;
CREATE INDEX segment_membership_party ON segment_membership (party_id, segment, joined_at);
CREATE INDEX segment_membership_open ON segment_membership (segment, party_id)
    WHERE left_at IS NULL;

CREATE TABLE segment_list_member (
    list     TEXT NOT NULL,
    party_id TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (list, party_id)
) WITHOUT ROWID;
CREATE INDEX segment_list_member_party ON segment_list_member (party_id);

CREATE TABLE suppression (
    list     TEXT NOT NULL,
    kind     TEXT NOT NULL,
    value    TEXT NOT NULL,
    reason   TEXT NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (list, kind, value)
) WITHOUT ROWID;
CREATE INDEX suppression_value ON suppression (kind, value);
)sql";

// Version 6: the customer club. loyalty_ledger is append-only but for
// `remaining`, what is left of a lot; (program, key) is unique, so an entry
// is never written twice. A balance is the sum of a party's entries.
constexpr const char* kV6 = R"sql(
CREATE TABLE loyalty_account (
    program     TEXT NOT NULL,
    party_id    TEXT NOT NULL,
    tier        TEXT NOT NULL,
    tier_since  INTEGER NOT NULL,
    enrolled_at INTEGER NOT NULL,
    PRIMARY KEY (program, party_id)
) WITHOUT ROWID;
CREATE INDEX loyalty_account_party ON loyalty_account (party_id);

CREATE TABLE loyalty_ledger (
    seq          INTEGER PRIMARY KEY,
    program      TEXT NOT NULL,
    party_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    points       INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    key          TEXT NOT NULL,
    order_id     TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    reason       TEXT NOT NULL,
    expires_at   INTEGER,
    remaining    INTEGER NOT NULL,
    UNIQUE (program, key)
);
CREATE INDEX loyalty_ledger_party ON loyalty_ledger (program, party_id, seq);
CREATE INDEX loyalty_ledger_lots ON loyalty_ledger (program, expires_at) WHERE remaining > 0;
)sql";

// Version 7: campaigns. campaign keeps the record as JSON in body beside
// the columns lookups read; campaign_member has a row per party of a
// launched campaign with the first time of each status (s_sent ..
// s_unsubscribed) and the delivery batch that handed it over (0: none
// yet), indexed by (campaign, batch, channel, party_id) so that a plan
// reads the undispatched members of a million-member campaign from the
// index alone, in the order it cuts batches; delivery_plan keeps each
// plan's batches as JSON.
constexpr const char* kV7 = R"sql(
CREATE TABLE campaign (
    id          TEXT PRIMARY KEY NOT NULL,
    external_id TEXT UNIQUE,
    parent      TEXT,
    state       TEXT NOT NULL,
    status      TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    body        TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX campaign_parent ON campaign (parent) WHERE parent IS NOT NULL;

CREATE TABLE campaign_member (
    campaign        TEXT NOT NULL,
    party_id        TEXT NOT NULL,
    variant         TEXT NOT NULL,
    channel         TEXT NOT NULL,
    address         TEXT NOT NULL,
    s_sent INTEGER, s_delivered INTEGER, s_opened INTEGER, s_clicked INTEGER,
    s_responded INTEGER, s_converted INTEGER, s_bounced INTEGER, s_unsubscribed INTEGER,
    batch           INTEGER NOT NULL,
    dispatched_at   INTEGER,
    PRIMARY KEY (campaign, party_id)
) WITHOUT ROWID;
CREATE INDEX campaign_member_party ON campaign_member (party_id);
CREATE INDEX campaign_member_batch ON campaign_member (campaign, batch, channel, party_id);

CREATE TABLE delivery_plan (
    campaign   TEXT NOT NULL,
    number     INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (campaign, number)
) WITHOUT ROWID;
)sql";

constexpr Migration kMigrations[] = {
    {1, kV1},
    {2, kV2},
    {3, kV3},
    {4, kV4},
    {5, kV5},
    {6, kV6},
    {7, kV7},
};

}  // namespace

std::span<const Migration> migrations() noexcept { return kMigrations; }

result<int> schema_version(Connection& c) {
    CRM_TRY(st, c.stmt("PRAGMA user_version"));
    CRM_TRY(row, st.step());
    if (!row) return fail(errc::storage, "sqlite: PRAGMA user_version returned nothing");
    return static_cast<int>(st.i64(0));
}

result<void> migrate(Connection& c, std::span<const Migration> steps) {
    const int target = steps.empty() ? 0 : steps.back().version;
    // Reading the version inside the write transaction: two processes
    // opening an old file at once migrate it once.
    CRM_TRYV(c.exec_script("BEGIN IMMEDIATE", "begin migration"));
    auto body = [&]() -> result<void> {
        CRM_TRY(current, schema_version(c));
        if (current > target)
            return fail(errc::version_mismatch,
                        "database schema version " + std::to_string(current) +
                            " is newer than this crmcore supports (" + std::to_string(target) +
                            "); upgrade crmcore to open it");
        for (const Migration& m : steps) {
            if (m.version <= current) continue;
            CRM_TRYV(c.exec_script(m.sql, "migration " + std::to_string(m.version)));
            // PRAGMA takes no parameters; the number is this build's own
            // constant, never outside input.
            std::string set = "PRAGMA user_version = " + std::to_string(m.version);
            CRM_TRYV(c.exec_script(set.c_str(), "set user_version"));
        }
        return ok();
    };
    auto r = body();
    if (!r) {
        (void)c.exec_script("ROLLBACK", "rollback migration");
        return r;
    }
    return c.exec_script("COMMIT", "commit migration");
}

}  // namespace crm::storage::sqlite
