// storage/schema.hpp - how a bounded context hands its tables to the
// migration runner: versioned steps, append-only, written once per context.
#pragma once

#include <span>

namespace crm::storage {

/// One step of one context's schema: the SQL that takes that context's
/// tables from schema version `version - 1` to `version`. Steps are
/// append-only: a released step is never edited, a change is a new step.
/// A context without a change at some version simply has no step for it.
struct Migration {
    int version;
    const char* sql;
};

/// A bounded context's part of the database schema.
struct SchemaPart {
    const char* context;               ///< "customer", "sales", ...
    std::span<const Migration> steps;  ///< in version order
};

}  // namespace crm::storage
