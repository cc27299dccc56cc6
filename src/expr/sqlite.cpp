// src/expr/sqlite.cpp - the SQL functions compiled rules call, on SQLite.
#include "expr/sqlite.hpp"

#include <new>

#include "crm/core/text.hpp"
#include "crm/core/time.hpp"
#include "expr/ast.hpp"

namespace crm::expr::sqlite {
namespace {

std::string_view text_arg(sqlite3_value* v) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_value_bytes(v)))
             : std::string_view();
}

void result_text(sqlite3_context* ctx, const std::string& s) {
    sqlite3_result_text64(ctx, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

// Exceptions must not unwind through SQLite's C frames.
void norm(sqlite3_context* ctx, int, sqlite3_value** argv) {
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
    try {
        const std::string key = text::normalize(text_arg(argv[0]));
        if (key.empty()) return sqlite3_result_null(ctx);
        result_text(ctx, key);
    } catch (const std::bad_alloc&) {
        sqlite3_result_error_nomem(ctx);
    } catch (...) {
        sqlite3_result_error(ctx, "crm_norm failed", -1);
    }
}

void decimal(sqlite3_context* ctx, int, sqlite3_value** argv) {
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
    try {
        const auto key = decimal_key(text_arg(argv[0]));
        if (!key) return sqlite3_result_null(ctx);
        result_text(ctx, *key);
    } catch (const std::bad_alloc&) {
        sqlite3_result_error_nomem(ctx);
    } catch (...) {
        sqlite3_result_error(ctx, "crm_decimal_key failed", -1);
    }
}

// The Latin search key of a name key: what schema version 10 fills the new column
// of the rows already stored with.
void latin(sqlite3_context* ctx, int, sqlite3_value** argv) {
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
    try {
        result_text(ctx, text::latin_search_key(text_arg(argv[0])));
    } catch (const std::bad_alloc&) {
        sqlite3_result_error_nomem(ctx);
    } catch (...) {
        sqlite3_result_error(ctx, "crm_latin_key failed", -1);
    }
}

// UTC milliseconds of an ISO 8601 instant (NULL for NULL or for text that
// is not one): what schema version 11 fills the creation columns of the
// rows already stored with, from their JSON bodies.
void ms(sqlite3_context* ctx, int, sqlite3_value** argv) {
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) return sqlite3_result_null(ctx);
    try {
        auto t = parse_iso8601(text_arg(argv[0]));
        if (!t) return sqlite3_result_null(ctx);
        sqlite3_result_int64(ctx, t.value().ms);
    } catch (const std::bad_alloc&) {
        sqlite3_result_error_nomem(ctx);
    } catch (...) {
        sqlite3_result_error(ctx, "crm_ms failed", -1);
    }
}

error sqlite_failure(sqlite3* db, int rc, const char* what) {
    return fail(errc::storage, std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

}  // namespace

result<void> register_functions(sqlite3* db) {
    constexpr int kFlags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    int rc = sqlite3_create_function_v2(db, "crm_norm", 1, kFlags, nullptr, norm, nullptr,
                                        nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_failure(db, rc, "registering crm_norm");
    rc = sqlite3_create_function_v2(db, "crm_decimal_key", 1, kFlags, nullptr, decimal, nullptr,
                                    nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_failure(db, rc, "registering crm_decimal_key");
    rc = sqlite3_create_function_v2(db, "crm_latin_key", 1, kFlags, nullptr, latin, nullptr,
                                    nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_failure(db, rc, "registering crm_latin_key");
    rc = sqlite3_create_function_v2(db, "crm_ms", 1, kFlags, nullptr, ms, nullptr, nullptr,
                                    nullptr);
    if (rc != SQLITE_OK) return sqlite_failure(db, rc, "registering crm_ms");
    return ok();
}

result<void> bind(sqlite3_stmt* stmt, const std::vector<SqlParam>& params, int first) {
    for (std::size_t i = 0; i < params.size(); ++i) {
        const int index = first + static_cast<int>(i);
        int rc = SQLITE_OK;
        if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
            rc = sqlite3_bind_int64(stmt, index, *n);
        } else {
            const auto& s = std::get<std::string>(params[i]);
            rc = sqlite3_bind_text64(stmt, index, s.data(), s.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        }
        if (rc != SQLITE_OK) return sqlite_failure(sqlite3_db_handle(stmt), rc, "binding a rule's value");
    }
    return ok();
}

}  // namespace crm::expr::sqlite
