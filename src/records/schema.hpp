// records/schema.hpp - the whole database schema as the list of the bounded
// contexts' parts, in the order their steps are applied.
#pragma once

#include <span>

#include "storage/schema.hpp"

namespace crm {

/// Every context's part of the schema. Within one schema version the
/// parts' steps are applied in this order, then user_version is set.
std::span<const storage::SchemaPart> crm_schema() noexcept;

}  // namespace crm
