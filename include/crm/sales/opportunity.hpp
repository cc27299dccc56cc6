// crm/sales/opportunity.hpp - opportunities (فرصت فروش) on pipelines, the
// close record of a won or lost deal, and the history every stage change
// and every change of the values a forecast reads leaves behind.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/id.hpp"
#include "crm/core/money.hpp"
#include "crm/core/time.hpp"
#include "crm/core/value.hpp"
#include "crm/process/process.hpp"

namespace crm {

/// Why and how a deal closed, written by the move into a won or lost stage.
struct CloseRecord {
    std::string reason;                   ///< required: why it was won or lost
    std::string competitor;               ///< lost: who won it
    std::optional<Money> actual_revenue;  ///< won: defaults to the amount
    std::string date;                     ///< Gregorian "YYYY-MM-DD"; default: today in Asia/Tehran
    std::string note;
    friend bool operator==(const CloseRecord&, const CloseRecord&) = default;
};

struct Opportunity {
    Id id;
    std::string external_id;  ///< the host's key; optional, unique
    std::string name;         ///< "ERP licences for Pars Co."
    Id party;                 ///< the customer (person or organisation)
    std::string owner;        ///< the salesperson ("user:12")
    std::string team;
    std::string pipeline;     ///< process definition id
    int pipeline_version = 0; ///< the definition version the deal runs on
    std::string stage;        ///< a state of that definition
    std::string status;       ///< the stage's category: open, won, lost, closed, cancelled
    std::optional<Money> amount;
    int probability = 0;              ///< 0..100; the stage's unless set
    std::string forecast_category;    ///< the stage's: pipeline, best_case, commit, omitted, closed
    std::string expected_close;       ///< Gregorian "YYYY-MM-DD" or ""
    Id source_lead;
    std::string campaign;             ///< campaign reference
    std::vector<std::string> competitors;
    std::vector<std::string> products;  ///< products of interest (sku or names)
    std::optional<CloseRecord> close;   ///< set while won or lost
    CustomValues custom;
    Timestamp created_at;
    Timestamp updated_at;
    Timestamp stage_entered_at;
    std::optional<Timestamp> closed_at;
    std::int64_t version = 1;  ///< increases with every stored change
};

/// The fields to set on an opportunity; unset ones are left as they are.
/// On create, `pipeline` picks the pipeline (empty: "sales", the built-in
/// one) and `party` is required.
struct OpportunityInput {
    std::optional<std::string> external_id, name, owner, team, expected_close, campaign;
    std::optional<Id> party, source_lead;
    std::optional<Money> amount;
    bool clear_amount = false;
    std::optional<int> probability;
    std::optional<std::vector<std::string>> competitors, products;
    CustomValues custom;  ///< null clears a field
    std::string pipeline; ///< create only
};

/// What one stage of a pipeline holds now, per currency.
struct StageTotal {
    std::string stage;
    std::string currency;  ///< "" for deals without an amount
    std::int64_t count = 0;
    std::int64_t amount_minor = 0;    ///< sum of amounts
    std::int64_t weighted_minor = 0;  ///< sum of amount * probability / 100, each rounded down
};

}  // namespace crm
