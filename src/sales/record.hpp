// src/sales/record.hpp - an opportunity as the rule language sees it: its
// schema and a Record adapter for guards and required fields.
#pragma once

#include "crm/expr/expr.hpp"
#include "crm/sales/lead.hpp"
#include "crm/sales/opportunity.hpp"
#include "crm/sales/quote.hpp"

namespace crm::sales {

/// The built-in fields of an opportunity (custom fields are added by the
/// Engine from its declarations).
expr::Schema opportunity_schema();

/// Reads fields of an opportunity by name; custom fields as "custom.<name>".
class OpportunityRecord final : public expr::Record {
public:
    explicit OpportunityRecord(const Opportunity& o) noexcept : o_(o) {}
    Value get(std::string_view field) const override;

private:
    const Opportunity& o_;
};

/// The built-in fields of a lead: its texts, email_domain, state, status,
/// score and created_at.
expr::Schema lead_schema();

class LeadRecord final : public expr::Record {
public:
    explicit LeadRecord(const Lead& l) noexcept : l_(l) {}
    Value get(std::string_view field) const override;

private:
    const Lead& l_;
};

/// The built-in fields of a quote: state, status, currency, price_list,
/// owner, number, revision, line_count, skus (text list), total, subtotal,
/// discount and tax (money), valid_until and created_at.
expr::Schema quote_schema();

class QuoteRecord final : public expr::Record {
public:
    explicit QuoteRecord(const Quote& q) noexcept : q_(q) {}
    Value get(std::string_view field) const override;

private:
    const Quote& q_;
};

}  // namespace crm::sales
