// audit/store/schema.hpp - the audit context's part of the database
// schema: the audit log, the outbox of events and its consumers' cursors.
#pragma once

#include <span>

#include "storage/schema.hpp"

namespace crm {

/// The audit context's schema steps, in version order: for each schema
/// version at which its tables change, the SQL of that change.
std::span<const storage::Migration> audit_migrations() noexcept;

}  // namespace crm
