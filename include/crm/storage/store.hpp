// crm/storage/store.hpp - the database the Engine works in: a Store hands
// out sessions (units of work) on its connection. Storage knows nothing of
// CRM records: each bounded context writes its own SQL over a session
// (src/<context>/store/), and the schema is the sum of the contexts'
// migration steps. Backends: SQLite, on a file or in memory.
// Less stable than engine.hpp: backend authors, not hosts, use it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "crm/core/error.hpp"
#include "crm/core/export.hpp"
#include "crm/storage/dialect.hpp"

namespace crm::storage {

class Session;

/// A database. Thread-safe: sessions may be begun from several threads;
/// the backend serialises writers.
class Store {
public:
    virtual ~Store() = default;
    /// A unit of work that may write.
    virtual result<std::unique_ptr<Session>> begin() = 0;
    /// A unit of work the caller only reads in: a consistent snapshot that
    /// takes no write lock where the backend can tell the difference.
    virtual result<std::unique_ptr<Session>> begin_read() = 0;
    /// A bulk load starts (true) or ends (false); called with no session
    /// open. The backend may trade read caching for memory bounded by its
    /// page cache while it lasts.
    virtual result<void> bulk_load(bool on) = 0;
    /// "sqlite" (an in-memory store too), or a host's own backend's name.
    virtual std::string_view backend() const noexcept = 0;
    /// The SQL dialect the contexts' queries are written in for this store.
    virtual const Dialect& dialect() const noexcept = 0;
};

/// SQLite's private :memory: database, with the CRM schema; lost when
/// destroyed (null if SQLite fails).
CRM_API std::unique_ptr<Store> open_memory();

struct SqliteOptions {
    std::string path;           ///< file name; ":memory:" for a private in-memory database
    bool create = true;         ///< create the file when missing
    bool read_only = false;
    int busy_timeout_ms = 5000;
};

/// Opens (and creates, and migrates to the CRM schema) a SQLite database.
/// A file written by a newer crmcore fails with version_mismatch; an
/// unreadable one with storage.
CRM_API result<std::unique_ptr<Store>> open_sqlite(const SqliteOptions& options);

/// The schema version this build of crmcore writes.
CRM_API int sqlite_schema_version() noexcept;

}  // namespace crm::storage
