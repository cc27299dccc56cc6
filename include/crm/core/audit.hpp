// crm/core/audit.hpp - the audit trail (who changed what, before and after)
// and the outbox of domain events hosts consume by cursor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crm/core/id.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// One changed field: its path and the JSON texts of the values before and
/// after ("null" when absent).
struct FieldChange {
    std::string field;
    std::string before;
    std::string after;
};

/// An audit entry, written in the same transaction as the change it records.
struct AuditEntry {
    std::int64_t seq = 0;  ///< assigned by the store, increasing
    Timestamp at;
    std::string actor;
    std::string source;
    std::string record_type;  ///< "party", "interaction", ...
    Id record_id;
    std::string action;       ///< "create", "update", "merge", "delete", ...
    std::vector<FieldChange> changes;
};

/// A domain event in the outbox ("party.created", "purchase.recorded").
/// Hosts read events after a cursor (the last seq they handled) and
/// acknowledge it; delivery is at-least-once.
struct Event {
    std::int64_t seq = 0;  ///< the cursor; assigned by the store, increasing
    Timestamp at;
    std::string type;
    std::string record_type;
    Id record_id;
    std::string payload;   ///< JSON object text
};

}  // namespace crm
