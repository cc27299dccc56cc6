// storage/sqlite/database.cpp - the SQLite store: opening a file (or
// :memory:), pragmas, migrations, and the writer slot sessions take.
#include "storage/sqlite/database.hpp"

#include <algorithm>
#include <chrono>

#include "crm/core/text.hpp"
#include "storage/session.hpp"
#include "storage/sqlite/migrate.hpp"

namespace crm::storage::sqlite {
namespace {

// 'CRMC': written when a file is first given the schema, so that a SQLite
// file of some other application is refused instead of having tables
// added to it.
constexpr std::int64_t kApplicationId = 1129466179;

// The memory map of a file, and none: see open() and bulk_load().
constexpr const char* kMmapOn = "PRAGMA mmap_size = 1073741824";
constexpr const char* kMmapOff = "PRAGMA mmap_size = 0";

class SqliteStore final : public Store {
public:
    explicit SqliteStore(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}

    result<std::unique_ptr<Session>> begin() override { return start(false); }
    result<std::unique_ptr<Session>> begin_read() override { return start(true); }

    // Pages read through the memory map stay in the process's resident
    // set; a bulk load touches most of a large file once, so it reads
    // through the page cache alone and its memory stays bounded by that.
    result<void> bulk_load(bool on) override {
        std::unique_lock lk(shared_->m);
        if (!shared_->cv.wait_for(lk, std::chrono::milliseconds(shared_->busy_timeout_ms),
                                  [&] { return !shared_->busy; }))
            return fail(errc::storage, "sqlite: database is busy: a transaction is still open");
        return shared_->conn.exec_script(on ? kMmapOff : kMmapOn, "set mmap size");
    }

    std::string_view backend() const noexcept override { return "sqlite"; }
    const Dialect& dialect() const noexcept override { return *shared_->dialect; }

private:
    result<std::unique_ptr<Session>> start(bool read) {
        bool holding = false;  // the writer slot, until a session owns it
        try {
            {
                std::unique_lock lk(shared_->m);
                if (!shared_->cv.wait_for(lk, std::chrono::milliseconds(shared_->busy_timeout_ms),
                                          [&] { return !shared_->busy; }))
                    return fail(errc::storage,
                                "sqlite: database is busy: another transaction of this store "
                                "is still open after " +
                                    std::to_string(shared_->busy_timeout_ms) + " ms");
                shared_->busy = true;
                holding = true;
            }
            auto session = std::make_unique<Session>(shared_);
            holding = false;  // from here the session's destructor frees the slot
            CRM_TRYV(session->start(read));
            return session;
        } catch (const std::exception& e) {
            if (holding) shared_->release();
            return fail(errc::storage, std::string("sqlite: begin: ") + e.what());
        }
    }

    std::shared_ptr<Shared> shared_;
};

result<std::string> pragma_text(Connection& c, const char* sql) {
    CRM_TRY(st, c.stmt(sql));
    CRM_TRY(row, st.step());
    return row ? st.str(0) : std::string();
}

result<std::unique_ptr<Store>> open(const SqliteOptions& o, std::span<const SchemaPart> parts,
                                    std::span<const ConnectionSetup> setup) {
    if (o.path.empty()) return fail(errc::invalid_argument, "a database path is required", "path");
    auto shared = std::make_shared<Shared>();
    shared->read_only = o.read_only;
    shared->busy_timeout_ms = std::max(0, o.busy_timeout_ms);
    Connection& c = shared->conn;
    // The path as messages may repeat it: escaped and cut short.
    const std::string shown = text::excerpt(o.path, 256);
    // NOMUTEX: the Store serialises every use of the connection itself.
    int flags = SQLITE_OPEN_NOMUTEX;
    if (o.read_only) flags |= SQLITE_OPEN_READONLY;
    else flags |= SQLITE_OPEN_READWRITE | (o.create ? SQLITE_OPEN_CREATE : 0);
    CRM_TRYV(c.open(o.path, flags, shared->busy_timeout_ms));

    // The first read of the file: a file that is not a database fails here,
    // before anything is written to it.
    auto version = schema_version(c);
    if (!version)
        return fail(errc::storage, "sqlite: cannot read '" + shown + "': " +
                                       version.error().message);
    CRM_TRY(app, pragma_text(c, "PRAGMA application_id"));
    if (app != "0" && app != std::to_string(kApplicationId))
        return fail(errc::storage, "sqlite: '" + shown + "' is the database of another "
                                   "application (application_id " + app + ")");
    const int current = target_version(parts);
    if (version.value() > current)
        return fail(errc::version_mismatch,
                    "database schema version " + std::to_string(version.value()) +
                        " is newer than this crmcore supports (" + std::to_string(current) +
                        "); upgrade crmcore to open '" + shown + "'");
    if (o.read_only && version.value() < current)
        return fail(errc::storage, "sqlite: '" + shown + "' has schema version " +
                                       std::to_string(version.value()) + ", older than " +
                                       std::to_string(current) +
                                       "; open it once writable to migrate it");

    CRM_TRYV(c.exec_script("PRAGMA foreign_keys = ON", "enable foreign keys"));
    for (ConnectionSetup fn : setup) CRM_TRYV(fn(c.handle()));
    // A larger page cache keeps the indexes of a million-party file in
    // memory: lookups then cost no system call. The pages are allocated on
    // use, so a small database stays small.
    CRM_TRYV(c.exec_script("PRAGMA cache_size = -65536", "set cache size"));
    CRM_TRYV(c.exec_script("PRAGMA temp_store = MEMORY", "set temp store"));
    // Pages beyond the cache are read through a memory map: a lookup in a
    // database larger than the cache then costs no read() call per page.
    // A bulk load turns the map off (bulk_load()).
    CRM_TRYV(c.exec_script(kMmapOn, "set mmap size"));
    if (!o.read_only) {
        // WAL: readers in other processes do not block the writer, and a
        // commit appends to the log instead of rewriting pages twice.
        // NORMAL syncs at checkpoints only; a power cut may lose the last
        // commits but never corrupts the file.
        CRM_TRY(mode, pragma_text(c, "PRAGMA journal_mode = WAL"));
        if (mode != "wal" && mode != "memory")
            return fail(errc::storage, "sqlite: cannot switch '" + shown +
                                           "' to WAL journal mode (got " + mode + ")");
        CRM_TRYV(c.exec_script("PRAGMA synchronous = NORMAL", "set synchronous"));
        // Checkpoint every 10,000 pages (40 MB) instead of 1,000: an index
        // page dirtied by many commits is copied into the file once per
        // checkpoint, and random-key indexes (names, e-mails) are exactly that.
        CRM_TRYV(c.exec_script("PRAGMA wal_autocheckpoint = 10000", "set checkpoint interval"));
        // A large commit can grow the log past that; it is cut back to
        // 64 MB once checkpointed rather than left at its largest size.
        CRM_TRYV(c.exec_script("PRAGMA journal_size_limit = 67108864", "set journal size limit"));
        // Only an older schema takes the write lock: opening a current file
        // never waits for another connection's writer.
        if (version.value() < current) {
            if (version.value() == 0)
                CRM_TRYV(c.exec_script("PRAGMA application_id = 1129466179", "set application id"));
            CRM_TRYV(migrate(c, parts));
        }
    }
    return std::unique_ptr<Store>(std::make_unique<SqliteStore>(std::move(shared)));
}

}  // namespace

result<std::unique_ptr<Store>> open_database(const SqliteOptions& options,
                                             std::span<const SchemaPart> parts,
                                             std::span<const ConnectionSetup> setup) {
    try {
        return open(options, parts, setup);
    } catch (const std::exception& e) {
        return fail(errc::storage, std::string("sqlite: open: ") + e.what());
    } catch (...) {
        return fail(errc::storage, "sqlite: open: unknown exception");
    }
}

}  // namespace crm::storage::sqlite
