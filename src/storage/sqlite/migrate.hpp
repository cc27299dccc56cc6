// storage/sqlite/migrate.hpp - the runner that brings a SQLite file up
// to the schema the contexts' versioned steps describe.
#pragma once

#include <span>

#include "crm/core/error.hpp"
#include "storage/schema.hpp"
#include "storage/sqlite/db.hpp"

namespace crm::storage::sqlite {

/// The database's PRAGMA user_version; storage error when the file is not
/// a SQLite database.
result<int> schema_version(Connection& c);

/// The newest version any part's steps reach.
int target_version(std::span<const SchemaPart> parts) noexcept;

/// Applies, in one BEGIN IMMEDIATE transaction, every step newer than the
/// file's user_version: version by version, and within a version each
/// part's step in the order of `parts`, setting user_version after each
/// version. version_mismatch (naming both versions) when the file is newer
/// than the steps know; on any failure the file is left as it was.
result<void> migrate(Connection& c, std::span<const SchemaPart> parts);

}  // namespace crm::storage::sqlite
