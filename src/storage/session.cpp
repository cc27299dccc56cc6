// storage/session.cpp - the unit of work: transactions, savepoints by
// depth, and the helpers every repository reads rows with.
#include "storage/session.hpp"

#include <algorithm>

namespace crm::storage {
namespace {

// Savepoint statements by depth, from static text so the connection's
// statement cache (keyed by the text's address) keeps them prepared: a
// savepoint per call is the cost of every write inside an open transaction.
constexpr int kSavepointTexts = 8;
const char* const kSavepoint[kSavepointTexts] = {"SAVEPOINT sp_1", "SAVEPOINT sp_2",
                                                 "SAVEPOINT sp_3", "SAVEPOINT sp_4",
                                                 "SAVEPOINT sp_5", "SAVEPOINT sp_6",
                                                 "SAVEPOINT sp_7", "SAVEPOINT sp_8"};
const char* const kRelease[kSavepointTexts] = {"RELEASE sp_1", "RELEASE sp_2", "RELEASE sp_3",
                                               "RELEASE sp_4", "RELEASE sp_5", "RELEASE sp_6",
                                               "RELEASE sp_7", "RELEASE sp_8"};

}  // namespace

Session::~Session() {
    if (!done_) {
        shared_->forget_cache();
        Connection& c = shared_->conn;
        if (!sqlite3_get_autocommit(c.handle())) {
            if (auto st = c.stmt("ROLLBACK")) (void)st.value().exec();
        }
        finish();
    }
}

result<void> Session::start(bool reader) {
    Connection& c = shared_->conn;
    {
        CRM_TRY(st, c.stmt(reader || shared_->read_only ? "BEGIN" : "BEGIN IMMEDIATE"));
        CRM_TRYV(st.exec());
    }
    CRM_TRY(st, c.stmt("PRAGMA data_version"));
    CRM_TRY(row, st.step());
    const std::int64_t version = row ? st.i64(0) : -1;
    if (version != shared_->data_version || version < 0) {
        shared_->forget_cache();
        shared_->data_version = version;
    }
    return ok();
}

result<void> Session::commit() {
    if (done_) return ended();
    try {
        // Savepoints still open are committed with the rest, as SQLite does.
        CRM_TRY(st, shared_->conn.stmt("COMMIT"));
        auto r = st.exec();
        if (!r) {
            shared_->forget_cache();
            return lost(std::move(r));
        }
        finish();
        return ok();
    } catch (...) {
        return exception("commit");
    }
}

// Savepoints are named by depth (sp_1, sp_2, ...) so the few distinct
// texts stay prepared in the connection's cache.
result<void> Session::savepoint() {
    return run<void>("savepoint", [&]() -> result<void> {
        Connection& c = shared_->conn;
        if (depth_ < kSavepointTexts) {
            CRM_TRY(st, c.stmt(kSavepoint[depth_]));
            CRM_TRYV(st.exec());
        } else {
            CRM_TRY(st, c.stmt_dynamic("SAVEPOINT sp_" + std::to_string(depth_ + 1)));
            CRM_TRYV(st.exec());
        }
        ++depth_;
        return ok();
    });
}

result<void> Session::release_savepoint() {
    return run<void>("release savepoint", [&]() -> result<void> {
        if (depth_ == 0) return fail(errc::internal, "no savepoint to release");
        return pop_savepoint();
    });
}

// Releases the innermost savepoint (depth_ > 0).
result<void> Session::pop_savepoint() {
    Connection& c = shared_->conn;
    if (depth_ <= kSavepointTexts) {
        CRM_TRY(st, c.stmt(kRelease[depth_ - 1]));
        CRM_TRYV(st.exec());
    } else {
        CRM_TRY(st, c.stmt_dynamic("RELEASE sp_" + std::to_string(depth_)));
        CRM_TRYV(st.exec());
    }
    --depth_;
    return ok();
}

result<void> Session::rollback_to_savepoint() {
    return run<void>("rollback to savepoint", [&]() -> result<void> {
        if (depth_ == 0) return fail(errc::internal, "no savepoint to roll back to");
        shared_->forget_cache();
        Connection& c = shared_->conn;
        // ROLLBACK TO keeps the savepoint on SQLite's stack; RELEASE pops
        // it, so the caller's stack and SQLite's stay in step.
        {
            CRM_TRY(st, c.stmt_dynamic("ROLLBACK TO sp_" + std::to_string(depth_)));
            CRM_TRYV(st.exec());
        }
        return pop_savepoint();
    });
}

bool Session::rolled_back_by_database() {
    if (!done_ && sqlite3_get_autocommit(shared_->conn.handle())) {
        shared_->forget_cache();
        finish();
        return true;
    }
    return false;
}

error Session::ended() const {
    return fail(errc::internal, "the transaction has already been committed or rolled back");
}

error Session::exception(const char* what) {
    try {
        throw;
    } catch (const std::bad_alloc&) {
        return fail(errc::storage, std::string("sqlite: ") + what + ": out of memory");
    } catch (const std::exception& e) {
        return fail(errc::storage, std::string("sqlite: ") + what + ": " + e.what());
    } catch (...) {
        return fail(errc::storage, std::string("sqlite: ") + what + ": unknown exception");
    }
}

void Session::finish() {
    done_ = true;
    depth_ = 0;
    shared_->release();
}

result<void> Session::begin_operation() {
    CRM_TRY(st, shared_->conn.stmt("SAVEPOINT crm_op"));
    return st.exec();
}

result<void> Session::end_operation(result<void> r) {
    Connection& c = shared_->conn;
    if (!r) {
        if (!sqlite3_get_autocommit(c.handle())) {
            if (auto st = c.stmt("ROLLBACK TO crm_op")) (void)st.value().exec();
            if (auto st = c.stmt("RELEASE crm_op")) (void)st.value().exec();
        }
        return r;
    }
    CRM_TRY(st, c.stmt("RELEASE crm_op"));
    return st.exec();
}

result<Id> Repository::id_by_key(const char* sql, std::string_view key) {
    CRM_TRY(st, c_.stmt(sql));
    st.bind(1, key);
    CRM_TRY(ids, collect_ids(st));
    return ids.empty() ? Id{} : ids.front();
}

result<void> Repository::exec_each(std::span<const char* const> sql, const Id& a,
                                    const Id& b) {
    IdText first(a), second(b);
    for (const char* text : sql) {
        // Binding a parameter a statement does not use is a no-op.
        CRM_TRY(st, c_.stmt(text));
        st.bind(1, first);
        st.bind(2, second);
        CRM_TRYV(st.exec());
    }
    return ok();
}

result<void> Repository::exec_each(std::span<const std::string> sql, const Id& a,
                                    const Id& b) {
    IdText first(a), second(b);
    for (const std::string& text : sql) {
        CRM_TRY(st, c_.stmt_dynamic(text));
        st.bind(1, first);
        st.bind(2, second);
        CRM_TRYV(st.exec());
    }
    return ok();
}

result<void> check_limit(int limit, int max) {
    if (limit < 0 || limit > max)
        return fail(errc::invalid_argument,
                    "limit must be between 0 and " + std::to_string(max), "limit");
    return ok();
}

result<void> check_offset(int offset) {
    if (offset < 0) return fail(errc::invalid_argument, "offset must not be negative", "offset");
    return ok();
}

namespace {

std::vector<std::string_view> names_of(std::string_view list) {
    std::vector<std::string_view> out;
    while (!list.empty()) {
        const auto comma = list.find(',');
        std::string_view name = list.substr(0, comma);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        out.push_back(name);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return out;
}

}  // namespace

std::string upsert_sql(std::string_view table, std::string_view columns, std::string_view keys) {
    const auto cols = names_of(columns);
    const auto key_names = names_of(keys);
    std::string sql = "INSERT INTO " + std::string(table) + " (" + std::string(columns) + ") VALUES (";
    for (std::size_t i = 0; i < cols.size(); ++i)
        sql += (i ? ", ?" : "?") + std::to_string(i + 1);
    sql += ") ON CONFLICT (" + std::string(keys) + ") DO UPDATE SET ";
    bool first = true;
    for (const auto col : cols) {
        if (std::find(key_names.begin(), key_names.end(), col) != key_names.end()) continue;
        sql += (first ? "" : ", ") + std::string(col) + " = excluded." + std::string(col);
        first = false;
    }
    return sql;
}

std::string prefix_upper_bound(std::string_view prefix) {
    std::string s(prefix);
    while (!s.empty() && static_cast<unsigned char>(s.back()) == 0xFF) s.pop_back();
    if (s.empty()) return "\xFF";
    s.back() = static_cast<char>(static_cast<unsigned char>(s.back()) + 1);
    return s;
}

result<std::vector<Id>> collect_ids(Stmt& s) {
    std::vector<Id> out;
    for (;;) {
        CRM_TRY(row, s.step());
        if (!row) break;
        CRM_TRY(id, s.id(0));
        out.push_back(id);
    }
    return out;
}

std::optional<Timestamp> opt_time(const Stmt& s, int col) {
    if (s.is_null(col)) return std::nullopt;
    return Timestamp{s.i64(col)};
}

}  // namespace crm::storage
