// customer/store/schema.cpp - the tables of parties and of the records that belong to a party.
//
// Tables: party (with name_key and latin_key, the search keys of its name), contact_key (the contact lookup index), party_tag,
// membership, merge_log, interaction, activity, purchase, purchase_summary,
// party_clv
// and field_def (the custom field declarations of every record type, kept
// by the customer context).
// The views v_party, v_contact_point and v_interaction read only these
// tables, so they are part of this context too.

#include "customer/store/schema.hpp"

#include "storage/schema.hpp"

namespace crm {

namespace {

// Conventions (docs/decisions/0003-sqlite-schema.md): ids are TEXT in the
// 36-character form, times INTEGER milliseconds since the epoch (UTC),
// enums TEXT names, nested values JSON text. Optional keys (external_id,
// national_id, merged_into) are NULL when absent so UNIQUE ignores them;
// other absent texts are ''. The v_* views show times as ISO 8601 for
// people reading the file with the sqlite3 shell; they cost nothing.
constexpr const char* kV1 = R"sql(
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
)sql";

// Version 9: the customer lifetime value of each party, written by a
// scoring run (analytics) and read by the 360 view and segment rules.
// Fractions are decimal text to a millionth, so rules compare them as
// decimals (crm_decimal_key) on every backend. The purchase index by party
// also carries the amount and currency, so the lifetime value summary reads
// every purchase in party order from the index alone.
constexpr const char* kV9 = R"sql(
DROP INDEX purchase_party;
CREATE INDEX purchase_party ON purchase (party_id, ordered_at, id, total_minor, currency);
CREATE TABLE party_clv (
    party_id             TEXT PRIMARY KEY NOT NULL REFERENCES party (id),
    computed_at          INTEGER NOT NULL,
    model                TEXT NOT NULL,
    currency             TEXT NOT NULL,
    value_minor          INTEGER NOT NULL,
    expected_spend_minor INTEGER NOT NULL,
    expected_purchases   TEXT NOT NULL,
    p_alive              TEXT NOT NULL,
    horizon_days         TEXT NOT NULL,
    discount_rate        TEXT NOT NULL
) WITHOUT ROWID;
)sql";

// Version 10: the Latin key of each party's name (text::latin_search_key), so a
// name typed in Latin letters finds one written in Persian and back. The
// rows already there take it from their stored name key through the
// crm_latin_key function every connection registers.
constexpr const char* kV10 = R"sql(
ALTER TABLE party ADD COLUMN latin_key TEXT NOT NULL DEFAULT '';
UPDATE party SET latin_key = crm_latin_key(name_key) WHERE name_key <> '';
CREATE INDEX party_latin ON party (latin_key, id, merged_into) WHERE merged_into IS NULL;
)sql";

constexpr storage::Migration kSteps[] = {
    {1, kV1},
    {9, kV9},
    {10, kV10},
};

}  // namespace

std::span<const storage::Migration> customer_migrations() noexcept { return kSteps; }

}  // namespace crm
