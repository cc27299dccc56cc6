// src/sales/codec.hpp - JSON forms of the sales records: what commands
// answer, what the SQLite backend keeps in opportunity.body, and the strict
// readers of requests (errors name the JSON path).
#pragma once

#include "core/json_read.hpp"
#include "customer/party_text.hpp"
#include "process/codec.hpp"
#include "crm/sales/forecast.hpp"
#include "crm/sales/lead.hpp"
#include "crm/sales/opportunity.hpp"
#include "crm/sales/quote.hpp"

namespace crm::codec {

json to_json(const CloseRecord& c);
/// An opportunity's fields as JSON texts, in output order: the one
/// definition of its JSON form (to_json parses their object_text), what
/// the stored body and the events hold, and what its audit entries compare.
FieldTexts opportunity_fields(const Opportunity& o);
json to_json(const Opportunity& o);
json to_json(const StageTotal& t);
json to_json(const Lead& l);
json to_json(const Forecast& f);
/// The `targets` array of a request ([{group, amount: {minor, currency}}],
/// at most 10000), or none when absent; errors name "<path>targets[i]...".
result<std::vector<ForecastTarget>> targets_from_json(const json& j, std::string_view path);
json to_json(const StageSnapshot& s);
json to_json(const Conversion& c);

/// Reads what to_json(Opportunity) wrote (the SQLite body).
result<Opportunity> opportunity_from_json(const json& j, std::string_view path = "");
/// The same from the stored text, read without building a tree (a move
/// reads one per call); storage error when it is not an opportunity.
result<Opportunity> opportunity_from_text(std::string_view text);
result<CloseRecord> close_record_from_json(const json& j, std::string_view path);
/// The fields of a create or update request ("pipeline" only when
/// creating). Unknown keys are the caller's to refuse (expect_object),
/// since requests carry more (id, move, reason).
result<OpportunityInput> opportunity_input_from_json(const json& j, std::string_view path,
                                                     bool creating);

/// Reads what to_json(Lead) wrote (the SQLite body).
result<Lead> lead_from_json(const json& j, std::string_view path = "");
/// The fields of a capture or update request ("process" only when creating);
/// unknown keys are the caller's to refuse.
result<LeadInput> lead_input_from_json(const json& j, std::string_view path, bool creating);
result<ConvertOptions> convert_options_from_json(const json& j, std::string_view path);

json to_json(const Price& p);
json to_json(const Product& p);
json to_json(const TaxCategory& t);
json to_json(const QuoteLine& l);
json to_json(const Quote& q);
/// A product: its stored body (`stored`, with times and version), or a
/// definition request (only sku, name, unit, tax_category, prices, active).
result<Product> product_from_json(const json& j, std::string_view path, bool stored);
result<TaxCategory> tax_category_from_json(const json& j, std::string_view path);
/// Reads what to_json(Quote) wrote (the SQLite body).
result<Quote> quote_from_json(const json& j, std::string_view path = "");
/// The fields of a create, update or revise request ("process" only when
/// creating); lines are read strictly, other unknown keys are the caller's.
result<QuoteInput> quote_input_from_json(const json& j, std::string_view path, bool creating);

}  // namespace crm::codec
