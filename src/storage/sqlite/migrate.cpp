// storage/sqlite/migrate.cpp - the migration runner: each context's
// versioned steps, version by version, in one transaction.
#include "storage/sqlite/migrate.hpp"

#include <algorithm>
#include <string>

namespace crm::storage::sqlite {

result<int> schema_version(Connection& c) {
    CRM_TRY(st, c.stmt("PRAGMA user_version"));
    CRM_TRY(row, st.step());
    if (!row) return fail(errc::storage, "sqlite: PRAGMA user_version returned nothing");
    return static_cast<int>(st.i64(0));
}

int target_version(std::span<const SchemaPart> parts) noexcept {
    int target = 0;
    for (const SchemaPart& p : parts)
        if (!p.steps.empty()) target = std::max(target, p.steps.back().version);
    return target;
}

result<void> migrate(Connection& c, std::span<const SchemaPart> parts) {
    const int target = target_version(parts);
    // Reading the version inside the write transaction: two processes
    // opening an old file at once migrate it once.
    CRM_TRYV(c.exec_script("BEGIN IMMEDIATE", "begin migration"));
    auto body = [&]() -> result<void> {
        CRM_TRY(current, schema_version(c));
        if (current > target)
            return fail(errc::version_mismatch,
                        "database schema version " + std::to_string(current) +
                            " is newer than this crmcore supports (" + std::to_string(target) +
                            "); upgrade crmcore to open it");
        for (int v = current + 1; v <= target; ++v) {
            for (const SchemaPart& p : parts) {
                for (const Migration& m : p.steps) {
                    if (m.version != v) continue;
                    CRM_TRYV(c.exec_script(m.sql, std::string("migration ") + p.context + " " +
                                                      std::to_string(v)));
                }
            }
            // PRAGMA takes no parameters; the number is this build's own
            // constant, never outside input.
            std::string set = "PRAGMA user_version = " + std::to_string(v);
            CRM_TRYV(c.exec_script(set.c_str(), "set user_version"));
        }
        return ok();
    };
    auto r = body();
    if (!r) {
        (void)c.exec_script("ROLLBACK", "rollback migration");
        return r;
    }
    return c.exec_script("COMMIT", "commit migration");
}

}  // namespace crm::storage::sqlite
