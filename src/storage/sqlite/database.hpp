// storage/sqlite/database.hpp - a Store on one SQLite connection: opening
// (pragmas, the migration runner), the writer slot, sessions.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <span>

#include "crm/storage/store.hpp"
#include "storage/schema.hpp"

namespace crm::storage::sqlite {

/// Run on the connection once it is open, before any migration: the SQL
/// functions the queries above call (crm_norm, crm_decimal_key, ...).
using ConnectionSetup = result<void> (*)(sqlite3* db);

/// Opens a SQLite database and brings it to the schema `parts` describe.
/// Concurrency: the store owns one connection; a session holds it from
/// begin() to commit or rollback (BEGIN IMMEDIATE: one writer), so the
/// sessions of one store run one after another, begin() waiting up to
/// busy_timeout_ms. Other processes are kept out by SQLite's own locks
/// (WAL: readers never block the writer).
result<std::unique_ptr<Store>> open_database(const SqliteOptions& options,
                                             std::span<const SchemaPart> parts,
                                             std::span<const ConnectionSetup> setup);

}  // namespace crm::storage::sqlite
