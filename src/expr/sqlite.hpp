// src/expr/sqlite.hpp - what a SQLite connection needs to run compiled
// rules: the crm_norm and crm_decimal_key functions, and parameter binding.
#pragma once

#include <sqlite3.h>

#include "crm/expr/sql.hpp"

namespace crm::expr::sqlite {

/// Registers, on one connection, the deterministic (and innocuous) SQL
/// functions that to_sql() fragments call:
///   crm_norm(x)        crm::text::normalize(x); NULL for NULL and for a
///                      blank key, so that blank text is missing as in memory
///   crm_decimal_key(x) the order-preserving key of a decimal (integers
///                      included); NULL for NULL and for anything else
///   crm_latin_key(x)   crm::text::latin_search_key(x), for the schema step
///                      that adds party.latin_key
/// Call it once per connection, after opening it. Fails with storage.
result<void> register_functions(sqlite3* db);

/// Binds `params` to the placeholders first, first + 1, ... of `stmt`
/// (text is copied: SQLITE_TRANSIENT). Fails with storage.
result<void> bind(sqlite3_stmt* stmt, const std::vector<SqlParam>& params, int first = 1);

}  // namespace crm::expr::sqlite
