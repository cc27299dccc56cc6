// storage/sqlite/db.hpp - the thin layer over the sqlite3 C API the SQLite
// backend is built on: one connection, its prepared-statement cache, errors.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/id.hpp"

namespace crm::storage::sqlite {

// The C API is used directly (not SQLiteCpp) because the hot paths bind
// borrowed buffers without copies, reuse statements from a cache, and must
// report failures as crm::error without exceptions in between.

/// An error for a failed sqlite3 call: conflict for UNIQUE / PRIMARY KEY
/// violations (field = the column, "external_id"), not_found for a foreign
/// key naming a missing record, storage for everything else.
error sqlite_error(sqlite3* db, int rc, std::string_view what);

/// The 36-character text of an id, kept on the stack so it can be bound
/// without an allocation.
struct IdText {
    char buf[36];
    explicit IdText(const Id& id) noexcept;
    std::string_view view() const noexcept { return {buf, sizeof buf}; }
};

/// Parses the 36-character form (either case). False when malformed.
bool parse_id(std::string_view text, Id& out) noexcept;

/// A statement borrowed from the cache for one use. Binds and steps; its
/// destructor resets the statement (releasing read locks) and clears the
/// bindings, because bound text is borrowed (SQLITE_STATIC) from the
/// caller's buffers and must not be read after they are gone.
class Stmt {
public:
    /// `busy` is the cache entry's in-use flag; null for a one-use statement
    /// the destructor finalizes.
    Stmt(sqlite3_stmt* s, bool* busy) noexcept : s_(s), busy_(busy) {}
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt& operator=(Stmt&&) = delete;
    Stmt(Stmt&& o) noexcept : s_(o.s_), busy_(o.busy_) { o.s_ = nullptr; }
    ~Stmt();

    // Text is bound without a copy: it must outlive the step() calls.
    void bind(int i, std::string_view v) noexcept {
        sqlite3_bind_text(s_, i, v.data() ? v.data() : "", static_cast<int>(v.size()),
                          SQLITE_STATIC);
    }
    void bind(int i, const char* v) noexcept { bind(i, std::string_view(v)); }
    void bind(int i, std::int64_t v) noexcept { sqlite3_bind_int64(s_, i, v); }
    void bind(int i, int v) noexcept { sqlite3_bind_int64(s_, i, v); }
    void bind(int i, bool v) noexcept { sqlite3_bind_int(s_, i, v ? 1 : 0); }
    void bind(int i, const IdText& v) noexcept { bind(i, v.view()); }
    void bind_null(int i) noexcept { sqlite3_bind_null(s_, i); }
    /// Empty text as SQL NULL: optional keys (external_id) are NULL when absent
    /// so that their UNIQUE index ignores them.
    void bind_or_null(int i, std::string_view v) noexcept {
        if (v.empty()) bind_null(i); else bind(i, v);
    }

    /// One step: true when a row is ready, false when done.
    result<bool> step();
    /// Steps a statement that returns no rows.
    result<void> exec();
    /// Steps an INSERT into a table whose integer key the database
    /// generates, and answers that key. The SQL names no RETURNING clause:
    /// SQLite reads the key for nothing (sqlite3_last_insert_rowid), where
    /// RETURNING costs 1.5 us an insert (BM_RawInsertKey); a
    /// server database's statement appends RETURNING itself.
    result<std::int64_t> exec_insert();

    std::int64_t i64(int col) const noexcept { return sqlite3_column_int64(s_, col); }
    double f64(int col) const noexcept { return sqlite3_column_double(s_, col); }
    bool is_null(int col) const noexcept { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
    std::string_view text(int col) const noexcept {
        auto p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
        return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col)))
                 : std::string_view();
    }
    std::string str(int col) const { return std::string(text(col)); }
    /// An id column; storage error when the text is not an id.
    result<Id> id(int col) const;
    /// A nullable id column; nil for NULL.
    result<Id> id_or_nil(int col) const;

private:
    sqlite3_stmt* s_;
    bool* busy_;
};

/// One open database connection. Not thread-safe: the Store serialises
/// its use (see storage/sqlite/database.hpp).
class Connection {
public:
    Connection() = default;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    result<void> open(const std::string& path, int flags, int busy_timeout_ms);
    sqlite3* handle() const noexcept { return db_; }
    /// The rows the last finished INSERT, UPDATE or DELETE changed.
    std::int64_t changes() const noexcept { return sqlite3_changes64(db_); }

    /// The cached statement for `sql`, a string literal (the cache is keyed by
    /// its address). A statement already in use (a nested call while a
    /// row is being read) is prepared afresh for this one use.
    result<Stmt> stmt(const char* sql);
    /// Same for SQL built at run time (savepoint names): keyed by content.
    result<Stmt> stmt_dynamic(const std::string& sql);
    /// Runs SQL text without results (schema scripts); not cached.
    result<void> exec_script(const char* sql, std::string_view what);

private:
    struct Entry {
        sqlite3_stmt* s = nullptr;
        bool busy = false;
    };
    result<Stmt> borrow(Entry& e, const char* sql, int len);
    result<sqlite3_stmt*> prepare(const char* sql, int len, bool persistent);

    sqlite3* db_ = nullptr;
    std::unordered_map<const char*, Entry> cache_;
    std::unordered_map<std::string, Entry> dynamic_;
};

}  // namespace crm::storage::sqlite
