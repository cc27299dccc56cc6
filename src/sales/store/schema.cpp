// sales/store/schema.cpp - the tables of opportunities, leads, products and quotes.
//
// Tables: opportunity, lead, product (the catalogue quotes draw on) and
// quote (one row per revision).

#include "sales/store/schema.hpp"

#include "storage/schema.hpp"

namespace crm {

namespace {

// Version 2: opportunities and leads. An opportunity is one row: the
// columns a lookup or a pipeline total reads, and `body`, the whole record
// as JSON, read back.
constexpr const char* kV2 = R"sql(
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
)sql";

// Version 3: the product catalogue and quotes, one row per revision; like
// opportunities, the columns lookups read and the whole record as `body`.
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
)sql";

// Version 11: worklists. Each record's creation instant as a column (and a
// quote's owner and validity; all taken
// from the stored body for the rows already there, through the crm_ms
// function every connection registers), so that lists order and filter by
// them; an owner's open records are one index range.
constexpr const char* kV11 = R"sql(
ALTER TABLE opportunity ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
UPDATE opportunity SET created_at = COALESCE(crm_ms(json_extract(body, '$.created_at')), updated_at);
CREATE INDEX opportunity_owner ON opportunity (owner, status, created_at, id);
ALTER TABLE lead ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
UPDATE lead SET created_at = COALESCE(crm_ms(json_extract(body, '$.created_at')), updated_at);
CREATE INDEX lead_owner ON lead (owner, status, created_at, id);
ALTER TABLE quote ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quote ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE quote ADD COLUMN valid_until TEXT NOT NULL DEFAULT '';
UPDATE quote SET created_at = COALESCE(crm_ms(json_extract(body, '$.created_at')), updated_at),
    owner = COALESCE(json_extract(body, '$.owner'), ''),
    valid_until = COALESCE(json_extract(body, '$.valid_until'), '');
)sql";

constexpr storage::Migration kSteps[] = {
    {2, kV2},
    {3, kV3},
    {11, kV11},
};

}  // namespace

std::span<const storage::Migration> sales_migrations() noexcept { return kSteps; }

}  // namespace crm
