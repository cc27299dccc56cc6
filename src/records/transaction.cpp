// records/transaction.cpp - the unit of work over every repository, the
// CRM schema a store is opened with, and the rules that span contexts.
#include "records/transaction.hpp"

#include "expr/sqlite.hpp"
#include "marketing/store/sqlite_functions.hpp"
#include "records/schema.hpp"
#include "storage/sqlite/database.hpp"
#include "storage/sqlite/migrate.hpp"

namespace crm {

Transaction::Transaction(std::unique_ptr<storage::Session> session)
    : CustomerRecords(*session),
      ProcessRecords(*session),
      SalesRecords(*session),
      ServiceRecords(*session),
      MarketingRecords(*session),
      AuditRecords(*session),
      session_(std::move(session)) {}

result<void> Transaction::for_each_record_dimensions(std::string_view record_type,
                                                     std::string_view field,
                                                     const RecordDimensionsFn& fn) {
    if (record_type == "opportunity") return for_each_opportunity_dimensions(fn);
    if (record_type == "lead") return for_each_lead_dimensions(fn);
    if (record_type == "ticket") return for_each_ticket_dimensions(fn);
    return fail(errc::invalid_argument,
                "records of type " + std::string(record_type) +
                    " carry no owner, team, pipeline, source or campaign",
                std::string(field));
}

result<void> Transaction::reassign_party(const Id& from, const Id& to) {
    return session_->run<void>("reassign_party", [&]() -> result<void> {
        return session_->atomically([&]() -> result<void> {
            CRM_TRYV(CustomerRecords::reassign_party(from, to));
            CRM_TRYV(SalesRecords::reassign_party(from, to));
            CRM_TRYV(ServiceRecords::reassign_party(from, to));
            return MarketingRecords::reassign_party(from, to);
        });
    });
}

result<std::unique_ptr<Transaction>> begin(storage::Store& store) {
    CRM_TRY(session, store.begin());
    return std::make_unique<Transaction>(std::move(session));
}

result<std::unique_ptr<Transaction>> begin_read(storage::Store& store) {
    CRM_TRY(session, store.begin_read());
    return std::make_unique<Transaction>(std::move(session));
}

}  // namespace crm

// The public way to open a database: SQLite with the CRM schema (every
// context's migration steps) and the SQL functions its queries call.
namespace crm::storage {

namespace {
const sqlite::ConnectionSetup kSetup[] = {expr::sqlite::register_functions,
                                          register_marketing_functions};
}  // namespace

result<std::unique_ptr<Store>> open_sqlite(const SqliteOptions& options) {
    return sqlite::open_database(options, crm_schema(), kSetup);
}

// The in-memory store is SQLite's own in-memory database: the same SQL,
// the same rules, one backend to keep (decision 0014).
std::unique_ptr<Store> open_memory() {
    SqliteOptions o;
    o.path = ":memory:";
    auto store = open_sqlite(o);
    return store ? std::move(store).value() : nullptr;
}

int sqlite_schema_version() noexcept { return sqlite::target_version(crm_schema()); }

}  // namespace crm::storage
