// process/store/schema.cpp - the stored definitions and the history of process records.
//
// Tables: definition (process definitions, calendars and the other stored
// definitions, one row per kind, id and version), history (one row per
// stage change of a process record) with its view v_history, and
// stage_time, the time-in-stage sums derived from history.

#include "process/store/schema.hpp"

#include "storage/schema.hpp"

namespace crm {

namespace {

// Version 2: stored definitions and the history of process records.
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

// Version 3: stage_time, the days-per-stage sums by quarter hour, filled
// from the history rows already stored.
constexpr const char* kV3 = R"sql(
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

// Version 9: the funnel of a process reads every stage change of its
// records in record order from this index alone.
constexpr const char* kV9 = R"sql(
CREATE INDEX history_process ON history (record_type, process, record_id, seq, from_state,
                                         to_state, at, duration_ms);
)sql";

constexpr storage::Migration kSteps[] = {
    {2, kV2},
    {3, kV3},
    {9, kV9},
};

}  // namespace

std::span<const storage::Migration> process_migrations() noexcept { return kSteps; }

}  // namespace crm
