// marketing/store/sqlite_functions.cpp - crm_sample_key on SQLite.
#include "marketing/store/sqlite_functions.hpp"

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "crm/marketing/segment.hpp"

namespace crm {
namespace {

// crm_sample_key(id, seed): crm::sample_key, the order segment samples take.
void sample_key_fn(sqlite3_context* ctx, int, sqlite3_value** argv) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    const int n = sqlite3_value_bytes(argv[0]);
    const auto seed = static_cast<std::uint64_t>(sqlite3_value_int64(argv[1]));
    sqlite3_result_int64(ctx, sample_key(std::string_view(text ? text : "", static_cast<std::size_t>(n)), seed));
}

result<void> register_sample_key(sqlite3* db) {
    const int rc = sqlite3_create_function_v2(db, "crm_sample_key", 2,
                                              SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                              nullptr, sample_key_fn, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK)
        return fail(errc::storage, std::string("sqlite: registering crm_sample_key: ") + sqlite3_errstr(rc));
    return ok();
}

}  // namespace

result<void> register_marketing_functions(sqlite3* db) { return register_sample_key(db); }

}  // namespace crm
