// service/store/schema.hpp - the service context's part of the
// database schema: tickets, their comments and NPS answers.
#pragma once

#include <span>

#include "storage/schema.hpp"

namespace crm {

/// The service context's schema steps, in version order: for each schema
/// version at which its tables change, the SQL of that change.
std::span<const storage::Migration> service_migrations() noexcept;

}  // namespace crm
