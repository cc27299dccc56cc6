// marketing/store/schema.cpp - the tables of segments, lists, loyalty programmes and campaigns.
//
// Tables: party_profile (what a segment rule reads of a party),
// segment_membership, segment_list_member (static lists), suppression,
// loyalty_account, loyalty_ledger, campaign, campaign_member and
// delivery_plan.

#include "marketing/store/schema.hpp"

#include "storage/schema.hpp"

namespace crm {

namespace {

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

// Version 11: a campaign's creation instant as a column, for its worklist
// (the rows already there take it from their stored body through crm_ms);
// a profile's last WhatsApp interaction, now a channel of the timeline too
// (none was stored before).
constexpr const char* kV11 = R"sql(
ALTER TABLE campaign ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE party_profile ADD COLUMN i_whatsapp INTEGER;
UPDATE campaign SET created_at = COALESCE(crm_ms(json_extract(body, '$.created_at')), updated_at);
)sql";

constexpr storage::Migration kSteps[] = {
    {5, kV5},
    {6, kV6},
    {7, kV7},
    {11, kV11},
};

}  // namespace

std::span<const storage::Migration> marketing_migrations() noexcept { return kSteps; }

}  // namespace crm
