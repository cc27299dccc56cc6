// storage/sqlite/migrations.hpp - the versioned schema of the SQLite
// backend and the runner that brings a database file up to date.
#pragma once

#include <span>

#include "crm/core/error.hpp"
#include "storage/sqlite/db.hpp"

namespace crm::storage::sqlite {

/// One schema step: the SQL that takes a database from version `version - 1`
/// to `version`. Steps are append-only: a released step is never edited,
/// a change of schema is a new step.
struct Migration {
    int version;
    const char* sql;
};

/// The steps of this build, in order; the last one's version is
/// sqlite_schema_version().
std::span<const Migration> migrations() noexcept;

/// The database's PRAGMA user_version; storage error when the file is not
/// a SQLite database.
result<int> schema_version(Connection& c);

/// Applies, in one BEGIN IMMEDIATE transaction, every step of `steps` newer
/// than the file's user_version, then sets user_version to the last step's.
/// version_mismatch (naming both versions) when the file is newer than the
/// steps know; on any failure the file is left as it was.
result<void> migrate(Connection& c, std::span<const Migration> steps);

}  // namespace crm::storage::sqlite
