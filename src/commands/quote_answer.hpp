// src/commands/quote_answer.hpp - a quote as the commands answer it, with
// its total as an Iranian pre-invoice prints it; shared by the quote
// commands and the customer portal's view.
#pragma once

#include "core/json_read.hpp"
#include "crm/core/amount_text.hpp"
#include "crm/sales/quote.hpp"

namespace crm::commands {

/// The optional "unit" of a request: rials unless "toman" is asked for.
result<persian::IrrUnit> irr_unit_of(const codec::json& request);

/// A quote's JSON and its "total_text": {digits, words, unit} in Persian
/// (in tomans when asked; null beyond what is written in words).
result<codec::json> quote_answer(const Quote& q, persian::IrrUnit unit = persian::IrrUnit::rial);

}  // namespace crm::commands
