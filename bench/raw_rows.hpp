// bench/raw_rows.hpp - the baseline several write benchmarks share: the raw
// SQLite C API writing, for each record, the rows crmcore's operation writes,
// with no logic at all, in the same transactions.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crm/core/time.hpp"

namespace crm_bench {

/// Runs every statement of `sql` once per record, for records 0 .. n-1, in
/// transactions of `batch`. Each statement binds ?1 to the record's id
/// (`id_of(i)`), ?2 to now in milliseconds and, when it has a ?3, `body`.
/// Answers the first error's text, or "" when every row was written.
inline std::string write_raw_rows(sqlite3* db, const std::vector<const char*>& sql, std::int64_t n,
                                  int batch, const std::function<std::string(std::int64_t)>& id_of,
                                  const std::string& body) {
    std::vector<sqlite3_stmt*> st(sql.size());
    for (std::size_t i = 0; i < st.size(); ++i) sqlite3_prepare_v2(db, sql[i], -1, &st[i], nullptr);
    crm::SystemClock clock;
    std::string error;
    for (std::int64_t i = 0; i < n;) {
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        for (int k = 0; k < batch && i < n; ++k, ++i) {
            const std::string id = id_of(i);
            for (auto* s : st) {
                sqlite3_bind_text(s, 1, id.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(s, 2, clock.now().ms);
                if (sqlite3_bind_parameter_count(s) >= 3)
                    sqlite3_bind_text(s, 3, body.c_str(), -1, SQLITE_STATIC);
                if (sqlite3_step(s) != SQLITE_DONE && error.empty()) error = sqlite3_errmsg(db);
                sqlite3_reset(s);
            }
        }
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    for (auto* s : st) sqlite3_finalize(s);
    return error;
}

}  // namespace crm_bench
