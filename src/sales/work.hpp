// src/sales/work.hpp - what the sales sources share: text cleaning and
// creating an opportunity inside a write already begun (lead conversion).
#pragma once

#include <string>

#include "engine/access.hpp"

namespace crm::sales {

/// Checks (UTF-8, at most `max` bytes) and tidies a text field.
result<std::string> clean_text(const std::string& s, const char* field, std::size_t max);

/// Sales::create_opportunity's work, in `tx`.
result<Opportunity> create_opportunity_in(Engine::Impl& impl, storage::Transaction& tx,
                                          const Context& ctx, const OpportunityInput& input);

}  // namespace crm::sales
