// audit/store/records.hpp - the audit log and the outbox of events, with
// the cursors of their consumers.
// Its SQL is written here once, over a storage session.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crm/core/audit.hpp"
#include "storage/session.hpp"

namespace crm {

class AuditRecords : public storage::Repository {
public:
    explicit AuditRecords(storage::Session& s) : Repository(s) {}

    result<void> append_audit(AuditEntry& entry);
    result<std::vector<AuditEntry>> audit_of(const Id& record, int limit);
    result<void> append_event(Event& event);
    result<std::vector<Event>> events_after(std::int64_t cursor, int limit);
    result<void> set_cursor(std::string_view consumer, std::int64_t cursor);
    result<std::int64_t> cursor(std::string_view consumer);  ///< 0 if none
};

}  // namespace crm
