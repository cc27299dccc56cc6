// src/sales/work.hpp - what the sales sources share: percents, and
// creating an opportunity inside a write already begun (lead conversion).
#pragma once

#include <string>

#include "records/transaction.hpp"
#include "crm/sales/opportunity.hpp"
#include "engine/access.hpp"

namespace crm::sales {

/// A percent as decimal text ("12.5", at most 2 decimals, 0..100) in basis points.
result<int> parse_percent_bp(std::string_view text, std::string_view field);

/// Sales::create_opportunity's work, in `tx`.
result<Opportunity> create_opportunity_in(Engine::Impl& impl, Transaction& tx,
                                          const Context& ctx, const OpportunityInput& input);

}  // namespace crm::sales
