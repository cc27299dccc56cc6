// src/expr/json_form.hpp - loading a rule from an already parsed JSON value,
// for definitions that embed rules (process guards, segments, SLA policies).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

#include "crm/expr/expr.hpp"

namespace crm::expr {

/// Type-checks the JSON form held in `doc` (as codec::parse gives it)
/// against `schema`. Error paths
/// start with `root` ("$" alone; "$.transitions[2].guard" for a rule
/// inside a larger document). Never throws.
result<Expr> load_json(const nlohmann::ordered_json& doc, const Schema& schema, std::string root = "$");

}  // namespace crm::expr
