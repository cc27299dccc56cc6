// records/transaction.hpp - one unit of work over every context's
// repository: what the Engine and the contexts' use cases read and write
// through. Each repository owns its tables and SQL (src/<context>/store/);
// this only puts them on one session, and holds the rules that span them.
#pragma once

#include <memory>

#include "audit/store/records.hpp"
#include "crm/storage/store.hpp"
#include "customer/store/records.hpp"
#include "marketing/store/records.hpp"
#include "process/store/records.hpp"
#include "sales/store/records.hpp"
#include "service/store/records.hpp"
#include "storage/session.hpp"

namespace crm {

class Transaction final : public CustomerRecords,
                          public ProcessRecords,
                          public SalesRecords,
                          public ServiceRecords,
                          public MarketingRecords,
                          public AuditRecords {
public:
    explicit Transaction(std::unique_ptr<storage::Session> session);

    result<void> commit() { return session_->commit(); }
    result<void> savepoint() { return session_->savepoint(); }
    result<void> release_savepoint() { return session_->release_savepoint(); }
    result<void> rollback_to_savepoint() { return session_->rollback_to_savepoint(); }
    /// Rows written so far on this session's connection: a call that
    /// leaves it unchanged wrote nothing.
    std::int64_t changes() const noexcept { return session_->changes(); }

    /// What a merge carries from party `from` to party `to`: every
    /// context's records of the party (customer: interactions, activities,
    /// purchases, memberships; sales: opportunities, leads, quotes;
    /// service: tickets, NPS answers; marketing: list places, party
    /// suppressions, campaign places, loyalty), all or nothing.
    result<void> reassign_party(const Id& from, const Id& to);

    /// The reporting dimensions of every record of `record_type`
    /// (opportunity, lead, ticket), from the context that keeps them;
    /// invalid_argument naming `field` for a record type that has none.
    result<void> for_each_record_dimensions(std::string_view record_type, std::string_view field,
                                            const RecordDimensionsFn& fn);

private:
    std::unique_ptr<storage::Session> session_;
};

/// A transaction that may write, on `store`.
result<std::unique_ptr<Transaction>> begin(storage::Store& store);
/// A transaction the caller only reads in (a consistent snapshot).
result<std::unique_ptr<Transaction>> begin_read(storage::Store& store);

}  // namespace crm
