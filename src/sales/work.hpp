// src/sales/work.hpp - what the sales sources share: text cleaning and
// creating an opportunity inside a write already begun (lead conversion).
#pragma once

#include <string>

#include "crm/process/process.hpp"
#include "crm/sales/opportunity.hpp"
#include "engine/access.hpp"

namespace crm::sales {

/// Checks (UTF-8, at most `max` bytes) and tidies a text field.
result<std::string> clean_text(const std::string& s, const char* field, std::size_t max);

/// "YYYY-MM-DD" (ASCII or Persian digits, '/' allowed), read as Jalali when
/// the year is below 1700; the Gregorian date, or "" for empty input.
result<std::string> clean_date(const std::string& s, std::string_view field);

/// Today's Gregorian date in Asia/Tehran.
std::string today(Timestamp now);

/// The moves out of `state` whose guard holds, each with the fields it and
/// its target state require.
std::vector<AllowedMove> moves_for_ui(const process::Definition& d, std::string_view state,
                                      const expr::Record& record, const expr::Context& context);

/// A percent as decimal text ("12.5", at most 2 decimals, 0..100) in basis points.
result<int> parse_percent_bp(std::string_view text, std::string_view field);

/// Sales::create_opportunity's work, in `tx`.
result<Opportunity> create_opportunity_in(Engine::Impl& impl, storage::Transaction& tx,
                                          const Context& ctx, const OpportunityInput& input);

}  // namespace crm::sales
