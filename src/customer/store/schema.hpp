// customer/store/schema.hpp - the customer context's part of the
// database schema: parties and the records that belong to a party.
#pragma once

#include <span>

#include "storage/schema.hpp"

namespace crm {

/// The customer context's schema steps, in version order: for each schema
/// version at which its tables change, the SQL of that change.
std::span<const storage::Migration> customer_migrations() noexcept;

}  // namespace crm
