// storage/session.hpp - the unit of work every context's repository writes
// through: one transaction on one connection, its savepoints, the rule
// that a failed call changes nothing, and what a store keeps between
// transactions. Nothing here knows a CRM record.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <typeindex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/time.hpp"
#include "crm/storage/dialect.hpp"
#include "storage/sqlite/db.hpp"

namespace crm::storage {

using sqlite::Connection;
using sqlite::IdText;
using sqlite::Stmt;

/// What a store and its sessions share. The connection is reached only by
/// the holder of the writer slot (`busy`); a flag and a condition variable,
/// rather than a mutex held by the session, because a session may be
/// finished on another thread than the one that began it.
struct Shared {
    Connection conn;
    const Dialect* dialect = &sqlite_dialect();
    bool read_only = false;
    int busy_timeout_ms = 5000;
    std::mutex m;
    std::condition_variable cv;
    bool busy = false;
    // Data a repository remembers between transactions (the latest
    // definition versions: every ticket created reads those of its
    // process, SLA policies and rules). Valid while PRAGMA data_version
    // stays the same (no other connection committed) and this connection
    // rolls nothing back; used only by the holder of the writer slot.
    std::int64_t data_version = -1;
    std::unordered_map<std::type_index, std::shared_ptr<void>> cache;

    void forget_cache() { cache.clear(); }

    void release() {
        {
            std::lock_guard lk(m);
            busy = false;
        }
        cv.notify_one();
    }
};

/// One unit of work. Every write is invisible to other sessions until
/// commit(); destroying an uncommitted session rolls it back. Savepoints
/// nest inside it: a failed operation rolls back to its savepoint and
/// leaves the rest of the transaction intact. Used by one thread at a time.
class Session {
public:
    explicit Session(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session();

    /// Opens the transaction: a reader (or a read-only connection, which
    /// cannot take the write lock) begins deferred, its first read taking
    /// a consistent snapshot; a writer takes the write lock now.
    result<void> start(bool reader);
    result<void> commit();
    result<void> savepoint();
    result<void> release_savepoint();
    result<void> rollback_to_savepoint();

    Connection& connection() noexcept { return shared_->conn; }
    /// Rows inserted, updated or deleted on the connection since it opened.
    std::int64_t changes() const noexcept {
        return sqlite3_total_changes64(shared_->conn.handle());
    }
    const Dialect& dialect() const noexcept { return *shared_->dialect; }

    /// The object of type T this store keeps between transactions,
    /// default-made on first use; forgotten when another connection
    /// commits, when anything rolls back, and on forget_cache().
    template <class T>
    T& cache() {
        auto& slot = shared_->cache[std::type_index(typeid(T))];
        if (!slot) slot = std::make_shared<T>();
        return *static_cast<T*>(slot.get());
    }
    void forget_cache() { shared_->forget_cache(); }

    /// Every repository call runs through here: no exception leaves it, a
    /// finished session refuses work, and a failure after which the
    /// database rolled the whole transaction back itself (I/O error, disk
    /// full) ends this session too, so later calls do not run outside of one.
    template <class T, class F>
    result<T> run(const char* what, F&& body) {
        if (done_) return ended();
        try {
            result<T> r = body();
            if (!r) return lost(std::move(r));
            return r;
        } catch (...) {
            return exception(what);
        }
    }

    /// Runs a multi-statement write under its own savepoint, so that a
    /// failure half-way leaves nothing behind. Single-statement writes do
    /// not need it.
    template <class F>
    result<void> atomically(F&& body) {
        CRM_TRYV(begin_operation());
        auto r = body();
        return end_operation(std::move(r));
    }

private:
    template <class T>
    result<T> lost(result<T> r) {
        if (rolled_back_by_database()) r.error().message += " (SQLite rolled the transaction back)";
        return r;
    }
    bool rolled_back_by_database();
    error ended() const;
    error exception(const char* what);
    void finish();
    result<void> pop_savepoint();
    result<void> begin_operation();
    result<void> end_operation(result<void> r);

    std::shared_ptr<Shared> shared_;
    int depth_ = 0;
    bool done_ = false;
};

// ---- what every repository reads rows with -----------------------------

/// A record kept as a JSON body, read from column 0 of a row. Each context
/// specialises it for the records it keeps that way.
template <class T>
result<T> read_body(Stmt& s);

/// A repository's base: the session it works in, its connection, and the
/// helpers for reading rows. Each bounded context's repository derives
/// from it and writes its own SQL.
class Repository {
protected:
    explicit Repository(Session& s) : s_(s), c_(s.connection()) {}

    template <class T, class F>
    result<T> run(const char* what, F&& body) {
        return s_.run<T>(what, std::forward<F>(body));
    }
    template <class F>
    result<void> atomically(F&& body) {
        return s_.atomically(std::forward<F>(body));
    }

    /// The id a statement with one text parameter selects; nil if none.
    result<Id> id_by_key(const char* sql, std::string_view key);

    /// Runs each statement of `sql` with ?1 bound to `a` and ?2 to `b`
    /// (a statement that names only one ignores the other).
    result<void> exec_each(std::span<const char* const> sql, const Id& a, const Id& b);
    /// The same for SQL built at run time (through the session's dialect).
    result<void> exec_each(std::span<const std::string> sql, const Id& a, const Id& b);

    /// Records kept as a JSON body: the bodies a statement with one id
    /// parameter selects, and the first of them.
    template <class T>
    result<std::vector<T>> bodies_by_id(const char* sql, const Id& id);
    template <class T>
    result<std::optional<T>> body_by_id(const char* sql, const Id& id) {
        CRM_TRY(rows, bodies_by_id<T>(sql, id));
        if (rows.empty()) return std::optional<T>{};
        return std::optional<T>{std::move(rows.front())};
    }

    Session& s_;
    Connection& c_;
};

/// An enum read back from the database that this build does not know: the
/// file is damaged (or was edited by hand), which is a storage failure.
template <class E>
result<E> stored_enum(result<E> r, std::string_view what) {
    if (r) return r.value();
    return fail(errc::storage, "sqlite: unknown " + std::string(what) + " in the database: " +
                                   r.error().message);
}

/// invalid_argument (field "limit") unless 0 <= limit <= max.
result<void> check_limit(int limit, int max = 1000000);
/// invalid_argument (field "offset") when negative.
result<void> check_offset(int offset);

/// The smallest string greater than every string starting with `prefix`
/// (byte order, the BINARY collation): the upper bound of a prefix range
/// scan. UTF-8 never contains 0xFF, so "\xFF" bounds all text.
std::string prefix_upper_bound(std::string_view prefix);

/// The upsert both SQLite and PostgreSQL write the same way:
/// "INSERT INTO table (columns) VALUES (?1, ..., ?n) ON CONFLICT (keys) DO
/// UPDATE SET c = excluded.c" for every column not in `keys`. Unlike
/// SQLite's INSERT OR REPLACE it deletes no row: another unique column
/// that clashes fails as a conflict. `columns` and `keys` are
/// comma-separated names. Built once into a static string, so the
/// statement cache keys it by address.
std::string upsert_sql(std::string_view table, std::string_view columns, std::string_view keys);

/// Collects the first-column ids of every row.
result<std::vector<Id>> collect_ids(Stmt& s);

/// Collects read(s) for every row.
template <class T, class Reader>
result<std::vector<T>> collect(Stmt& s, Reader read) {
    std::vector<T> out;
    for (;;) {
        CRM_TRY(row, s.step());
        if (!row) break;
        CRM_TRY(item, read(s));
        out.push_back(std::move(item));
    }
    return out;
}

/// A nullable instant column.
std::optional<Timestamp> opt_time(const Stmt& s, int col);

template <class T>
result<std::vector<T>> Repository::bodies_by_id(const char* sql, const Id& id) {
    IdText key(id);
    CRM_TRY(st, c_.stmt(sql));
    st.bind(1, key);
    return collect<T>(st, [](Stmt& s) { return read_body<T>(s); });
}

}  // namespace crm::storage
