// process/store/schema.hpp - the process context's part of the
// database schema: stored definitions and the history of process records.
#pragma once

#include <span>

#include "storage/schema.hpp"

namespace crm {

/// The process context's schema steps, in version order: for each schema
/// version at which its tables change, the SQL of that change.
std::span<const storage::Migration> process_migrations() noexcept;

}  // namespace crm
