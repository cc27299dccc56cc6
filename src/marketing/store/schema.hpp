// marketing/store/schema.hpp - the marketing context's part of the
// database schema: profiles, segments, lists, loyalty and campaigns.
#pragma once

#include <span>

#include "storage/schema.hpp"

namespace crm {

/// The marketing context's schema steps, in version order: for each schema
/// version at which its tables change, the SQL of that change.
std::span<const storage::Migration> marketing_migrations() noexcept;

}  // namespace crm
