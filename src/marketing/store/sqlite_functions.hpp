// marketing/store/sqlite_functions.hpp - the SQL functions the marketing
// context's queries call, as SQLite registers them on each connection.
// Another database defines the same functions its own way.
#pragma once

#include "crm/core/error.hpp"

struct sqlite3;

namespace crm {

/// Registers crm_sample_key(id, seed) (crm::sample_key, the order segment
/// samples take) on a SQLite connection.
result<void> register_marketing_functions(sqlite3* db);

}  // namespace crm
