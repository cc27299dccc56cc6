// storage/sqlite/db.cpp - the sqlite3 connection wrapper: opening, the
// prepared-statement cache, and the mapping of SQLite errors to crm::error.
#include "storage/sqlite/db.hpp"

#include <array>
#include <cstring>

#include "crm/core/text.hpp"

namespace crm::storage::sqlite {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Hex digit values by character, -1 for others: parse_id runs for every id
// column of every row read.
constexpr auto kHexValue = [] {
    std::array<signed char, 256> t{};
    t.fill(-1);
    for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<signed char>(c);
    for (int c = 0; c < 6; ++c) {
        t['a' + c] = static_cast<signed char>(10 + c);
        t['A' + c] = static_cast<signed char>(10 + c);
    }
    return t;
}();

int hex_value(char c) noexcept { return kHexValue[static_cast<unsigned char>(c)]; }

// "UNIQUE constraint failed: party.external_id" -> "external_id";
// several columns are joined with ",".
std::string constraint_columns(std::string_view msg) {
    auto colon = msg.find(": ");
    if (colon == std::string_view::npos) return {};
    std::string_view rest = msg.substr(colon + 2);
    std::string out;
    while (!rest.empty()) {
        auto comma = rest.find(", ");
        std::string_view item = rest.substr(0, comma);
        if (auto dot = item.rfind('.'); dot != std::string_view::npos) item = item.substr(dot + 1);
        if (!out.empty()) out += ',';
        out += item;
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 2);
    }
    return out;
}

}  // namespace

error sqlite_error(sqlite3* db, int rc, std::string_view what) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    int ext = db ? sqlite3_extended_errcode(db) : rc;
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
        std::string field = constraint_columns(msg);
        return fail(errc::conflict,
                    std::string(what) + ": a record with this " + field + " already exists (" +
                        msg + ")",
                    field);
    }
    if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
        return fail(errc::not_found,
                    std::string(what) + ": a referenced record does not exist (" + msg + ")");
    return fail(errc::storage, "sqlite: " + std::string(what) + ": " + msg);
}

IdText::IdText(const Id& id) noexcept {
    char* p = buf;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
        *p++ = kHex[id.bytes[i] >> 4];
        *p++ = kHex[id.bytes[i] & 15];
    }
}

bool parse_id(std::string_view t, Id& out) noexcept {
    if (t.size() != 36) return false;
    std::size_t j = 0;
    for (int i = 0; i < 16; ++i) {
        if (j == 8 || j == 13 || j == 18 || j == 23) {
            if (t[j] != '-') return false;
            ++j;
        }
        int hi = hex_value(t[j]), lo = hex_value(t[j + 1]);
        if (hi < 0 || lo < 0) return false;
        out.bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
        j += 2;
    }
    return true;
}

Stmt::~Stmt() {
    if (!s_) return;
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    if (busy_) *busy_ = false;
    else sqlite3_finalize(s_);
}

result<bool> Stmt::step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return sqlite_error(sqlite3_db_handle(s_), rc, "step");
}

result<void> Stmt::exec() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) return ok();
    return sqlite_error(sqlite3_db_handle(s_), rc, "write");
}

result<std::int64_t> Stmt::exec_insert() {
    CRM_TRYV(exec());
    return sqlite3_last_insert_rowid(sqlite3_db_handle(s_));
}

result<Id> Stmt::id(int col) const {
    Id out;
    if (!parse_id(text(col), out))
        return fail(errc::storage, "sqlite: column " + std::string(sqlite3_column_name(s_, col)) +
                                       " holds a malformed id: '" + std::string(text(col)) + "'");
    return out;
}

result<Id> Stmt::id_or_nil(int col) const {
    if (is_null(col)) return Id{};
    return id(col);
}

Connection::~Connection() {
    for (auto& [k, e] : cache_) sqlite3_finalize(e.s);
    for (auto& [k, e] : dynamic_) sqlite3_finalize(e.s);
    if (db_) sqlite3_close_v2(db_);
}

result<void> Connection::open(const std::string& path, int flags, int busy_timeout_ms) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        auto err = fail(errc::storage, "sqlite: cannot open '" + text::excerpt(path, 256) + "': " +
                                           (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc)));
        sqlite3_close_v2(db_);
        db_ = nullptr;
        return err;
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, busy_timeout_ms);
    return ok();
}

result<sqlite3_stmt*> Connection::prepare(const char* sql, int len, bool persistent) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql, len, persistent ? SQLITE_PREPARE_PERSISTENT : 0, &s,
                                nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_, rc, "prepare");
    return s;
}

result<Stmt> Connection::borrow(Entry& e, const char* sql, int len) {
    if (!e.s) {
        CRM_TRY(s, prepare(sql, len, true));
        e.s = s;
    }
    if (e.busy) {
        // Re-entrant use (a callback reading while the same query is being
        // stepped): a private statement keeps the outer cursor intact.
        CRM_TRY(s, prepare(sql, len, false));
        return Stmt(s, nullptr);
    }
    e.busy = true;
    return Stmt(e.s, &e.busy);
}

result<Stmt> Connection::stmt(const char* sql) {
    return borrow(cache_[sql], sql, -1);
}

result<Stmt> Connection::stmt_dynamic(const std::string& sql) {
    // Built SQL varies with what a caller asks (a list's filters, a
    // rule): the cache keeps at most kMaxDynamic texts, and when full
    // drops those not being stepped now.
    constexpr std::size_t kMaxDynamic = 256;
    if (dynamic_.size() >= kMaxDynamic && dynamic_.find(sql) == dynamic_.end()) {
        for (auto it = dynamic_.begin(); it != dynamic_.end();) {
            if (it->second.busy) {
                ++it;
                continue;
            }
            sqlite3_finalize(it->second.s);
            it = dynamic_.erase(it);
        }
    }
    return borrow(dynamic_[sql], sql.c_str(), static_cast<int>(sql.size()));
}

result<void> Connection::exec_script(const char* sql, std::string_view what) {
    char* msg = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
    if (rc == SQLITE_OK) return ok();
    std::string text = msg ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    int ext = sqlite3_extended_errcode(db_);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY ||
        ext == SQLITE_CONSTRAINT_FOREIGNKEY)
        return sqlite_error(db_, rc, what);
    return fail(errc::storage, "sqlite: " + std::string(what) + ": " + text);
}

}  // namespace crm::storage::sqlite
