// sales/store/schema.hpp - the sales context's part of the database
// schema: opportunities, leads, products and quotes.
#pragma once

#include <span>

#include "storage/schema.hpp"

namespace crm {

/// The sales context's schema steps, in version order: for each schema
/// version at which its tables change, the SQL of that change.
std::span<const storage::Migration> sales_migrations() noexcept;

}  // namespace crm
