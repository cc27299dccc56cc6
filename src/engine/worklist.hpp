// src/engine/worklist.hpp - what every worklist does before its query runs:
// the party resolved, the rule compiled for the record type's columns (its
// party's fields too), the tag condition, then storage/list.hpp's SQL.
#pragma once

#include <string_view>

#include "crm/core/worklist.hpp"
#include "crm/expr/expr.hpp"
#include "crm/expr/sql.hpp"
#include "engine/impl.hpp"
#include "storage/list.hpp"

namespace crm {

/// One record type's list: where its filters live, the fields a `where`
/// rule may name (built-in and custom), and the columns they read.
struct ListTarget {
    const storage::ListSpec& spec;
    expr::Schema schema;
    expr::SqlMapping mapping;
};

/// Maps the rule fields party_kind, party_stage, party_city and party_tags
/// that `target.schema` names to the record's party.
void map_party_fields(ListTarget& target);

/// Builds the SQL of `q` for `target` in `tx`: a merged party resolves to
/// its survivor (not_found names "party"); errors name the query's field.
result<storage::ListSql> build_list(Engine::Impl& impl, Transaction& tx, const ListTarget& target,
                                    const ListQuery& q);

}  // namespace crm
