// src/customer/purchase_record.hpp - what a rule over one purchase of a
// party reads (proactive service actions, loyalty earn rules): the schema
// and the record.
#pragma once

#include "crm/customer/party.hpp"
#include "crm/customer/purchase.hpp"
#include "crm/expr/expr.hpp"

namespace crm::customer {

/// party_kind, party_stage, party_city, party_country, party_tags,
/// order_id, ordered_at, ordered_on (the order's day in Tehran), skus,
/// total.
const expr::Schema& purchase_rule_schema();

expr::MapRecord purchase_record(const Party& p, const Purchase& o);

}  // namespace crm::customer
