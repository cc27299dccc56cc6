// crm/sales/sales.hpp - crm::Sales, the sales side of an Engine:
// opportunities on pipelines (process definitions), their moves, close
// records and history.
//
//     crm::Sales sales(*engine);
//     auto opp = sales.create_opportunity(ctx, input);
//     sales.move_opportunity(ctx, opp->id, {"propose"});
//
// A Sales is a handle: cheap, holding only the Engine, which must outlive
// it. Every call runs in one transaction (or under a savepoint of the
// Engine's open one) and writes the change, its history entry, an audit
// entry and outbox events together; a failed call changes nothing.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "crm/engine.hpp"
#include "crm/sales/forecast.hpp"
#include "crm/sales/lead.hpp"
#include "crm/sales/opportunity.hpp"
#include "crm/sales/quote.hpp"

namespace crm {

/// A move of an opportunity: a transition name or a target stage, the
/// reason kept in history, the close record moves into won or lost stages
/// ask for, and changes applied together with the move (a stage that
/// requires an amount can be entered with one).
struct MoveInput {
    std::string move;
    std::string reason;
    std::optional<CloseRecord> close;
    OpportunityInput changes;
};

/// The built-in pipeline "sales" (used when an opportunity names none):
/// qualify (10%, pipeline) -> develop (30%, pipeline) -> propose (60%,
/// best_case, needs an amount) -> negotiate (80%, commit) -> won, and lost
/// from every open stage; won and lost need a close record and reopen to
/// qualify. Its JSON text, for hosts that want to start from it.
CRM_API const char* default_pipeline_json() noexcept;

/// The built-in lead qualification "lead": new -> contacted -> qualified ->
/// converted (won), disqualified (lost) from every open state with a
/// reason, reopen from disqualified to new.
CRM_API const char* default_lead_process_json() noexcept;

/// The built-in quote lifecycle "quote": draft -> active -> won | lost,
/// cancel from draft or active (lost and cancel need a reason), revise
/// from draft or active into "revised" (closed) while a new revision
/// starts as a draft.
CRM_API const char* default_quote_process_json() noexcept;

/// The reasons disqualify_lead knows; a host may give its own word too.
/// "lost", "cannot_contact", "no_longer_interested", "cancelled".
CRM_API const std::vector<std::string>& standard_disqualify_reasons();

class CRM_API Sales {
public:
    explicit Sales(Engine& engine) noexcept : engine_(&engine) {}

    /// Creates an opportunity in the initial stage of its pipeline (the
    /// latest version; "sales" when input.pipeline is empty, stored on
    /// first use). Needs party (a live party; a merged one resolves to its
    /// survivor) and name. Amounts are 0 .. 9e16 minor units; probability
    /// defaults to the stage's; expected_close is "YYYY-MM-DD", read as
    /// Jalali when the year is below 1700 ("1404-03-15") and stored
    /// Gregorian. conflict when external_id is taken.
    result<Opportunity> create_opportunity(const Context& ctx, const OpportunityInput& input);
    /// Applies the set fields. A change of amount, probability, expected
    /// close or owner is written to history. invalid_transition for a
    /// closed opportunity (reopen it first).
    result<Opportunity> update_opportunity(const Context& ctx, const Id& id,
                                           const OpportunityInput& input);
    /// An id (36-character text) or an external id; not_found names "id".
    result<Opportunity> get_opportunity(std::string_view id_or_external_id);
    /// The opportunities of a party, newest first (merged parties resolve).
    result<std::vector<Opportunity>> opportunities_of(const Id& party);
    /// Opportunities filtered, ordered and read a page at a time
    /// (crm/core/worklist.hpp): "my open deals in the propose stage" is
    /// {owner: {"sara"}, stage as state: {"propose"}}; a rule may name any
    /// field of the opportunity, custom ones too. Errors name the field.
    result<ListPage<Opportunity>> list_opportunities(const ListQuery& query);

    /// Makes a move (Definition::check_move: invalid_transition naming the
    /// stage, the move and the moves allowed; invalid_argument for a missing
    /// required field or close record). Entering a stage sets probability
    /// and forecast category from it, runs the transition's and the stage's
    /// effects (follow-up activities due in business time, field sets,
    /// events), and writes history. A close record's date defaults to
    /// today, its actual revenue (won) to the amount; leaving a closed
    /// stage clears it.
    result<Opportunity> move_opportunity(const Context& ctx, const Id& id, const MoveInput& move);
    /// The move out of the current stage into a won stage (lost: a lost
    /// one); invalid_transition when there is none or more than one.
    result<Opportunity> win_opportunity(const Context& ctx, const Id& id, const CloseRecord& close);
    result<Opportunity> lose_opportunity(const Context& ctx, const Id& id, const CloseRecord& close);
    /// The reopen move out of a won or lost stage.
    result<Opportunity> reopen_opportunity(const Context& ctx, const Id& id, std::string_view reason);
    /// The moves the opportunity may make now (guards evaluated).
    result<std::vector<AllowedMove>> allowed_moves(const Id& id);

    /// What each stage of a pipeline holds now: its stages in definition
    /// order (latest version), with count, amount and weighted amount per
    /// currency (stages without deals are listed with no totals).
    struct PipelineStage {
        process::State state;
        std::vector<StageTotal> totals;
    };
    result<std::vector<PipelineStage>> pipeline(std::string_view pipeline = "sales");

    /// Moves every opportunity of `pipeline` on version `from_version` to
    /// `to_version`, mapping stages by `mapping` (Definition::map_states:
    /// unmapped stages keep their id). Each moved deal gets a history entry
    /// (move "migrate"). Answers how many moved.
    result<std::int64_t> migrate_opportunities(const Context& ctx, std::string_view pipeline,
                                               int from_version, int to_version,
                                               const std::map<std::string, std::string>& mapping);

    // ---- forecast ----------------------------------------------------------
    /// The forecast of a period: per group (owner, team or pipeline) and
    /// currency, the open deals expected to close in it by forecast
    /// category (count, amount, weighted amount), the deals won and lost in
    /// it (win rate, won revenue, average deal size), and the mean days per
    /// stage of the stage changes in it. A period is "YYYY-Qn", "YYYY-MM"
    /// or "YYYY" in the query's calendar ("1404-Q1" Jalali is 2025-03-21 ..
    /// 2025-06-21); its days begin at midnight in the query's zone.
    /// invalid_argument names "period", "time_zone".
    result<Forecast> forecast(const ForecastQuery& query);
    /// Each stage of `pipeline` as it stood at `at`: count, amount and
    /// weighted amount per currency, rebuilt from history (each deal's
    /// latest history entry at or before `at`); with `owner`, only the
    /// deals that entry names as owner (the owner at the deal's last stage
    /// change before `at`).
    result<std::vector<StageSnapshot>> pipeline_as_of(std::string_view pipeline, Timestamp at,
                                                      std::string_view owner = {});

    // ---- leads -------------------------------------------------------------
    /// Captures a lead on its qualification process ("lead" unless
    /// input.process names another of record type lead): it needs a name
    /// (first, last or company) and an e-mail or phone; the e-mail and
    /// phone are normalised (invalid_argument naming them otherwise), the
    /// national id checked. Scored by the stored scoring rules. With an
    /// external_id already captured: conflict.
    result<Lead> capture_lead(const Context& ctx, const LeadInput& input);
    /// Changes an open lead's fields and scores it again.
    result<Lead> update_lead(const Context& ctx, const Id& id, const LeadInput& input);
    /// An id or an external id; not_found names "id".
    result<Lead> get_lead(std::string_view id_or_external_id);
    /// The leads of a party (known at capture or made by conversion), newest first.
    result<std::vector<Lead>> leads_of(const Id& party);
    /// Leads filtered, ordered and paged, those not yet linked to a party
    /// too (crm/core/worklist.hpp).
    result<ListPage<Lead>> list_leads(const ListQuery& query);
    /// A move of the lead's process by transition name or target state
    /// ("contact", "qualify"); errors as move_opportunity's.
    result<Lead> move_lead(const Context& ctx, const Id& id, std::string_view move,
                           std::string_view reason = {});
    /// The move into the lost state with `reason` (a standard reason or the
    /// host's own word, at most 100 bytes; required) and an optional note.
    result<Lead> disqualify_lead(const Context& ctx, const Id& id, std::string_view reason,
                                 std::string_view note = {});
    /// Converts a lead whose state allows the move into its won state
    /// (qualified, in the built-in process), in one transaction: the party
    /// is the lead's own, else one found by national id, e-mail or phone
    /// (in that order), else a new person (an organisation when the lead
    /// has only a company); a company is found by its exact normalised
    /// name among organisations or created, and the person linked to it
    /// with the job title as role; with options.create_opportunity, an
    /// opportunity on options.pipeline for the organisation (else the
    /// person) with the lead as its source. Converting a converted lead
    /// again answers the first conversion (already_converted) and writes
    /// nothing.
    result<Conversion> convert_lead(const Context& ctx, const Id& id,
                                    const ConvertOptions& options = {});
    /// Stores the lead scoring rules (JSON: {"rules": [{"name", "when":
    /// rule over the lead schema, "points": -1000..1000}]}, at most 500),
    /// versioned like definitions. Leads are scored when captured or
    /// updated: the sum of the points of every rule that holds, each listed
    /// in Lead::score_lines.
    result<void> define_lead_scoring(const Context& ctx, std::string_view json);

    // ---- product catalogue and quotes (پیش‌فاکتور) -------------------------
    /// Stores a product by sku: created, replaced (updated), or unchanged
    /// when the content is the same. sku 1..64 bytes without spaces; name
    /// required; unit defaults to "piece", tax_category to "standard" and
    /// must name a tax category; prices in known currencies, 0..9e16 minor
    /// units, at most one per (price list, currency). Errors name the field
    /// ("prices[1].unit_price").
    result<Written<Product>> define_product(const Context& ctx, const Product& product);
    /// not_found names "sku".
    result<Product> get_product(std::string_view sku);
    /// Products whose sku sorts after `after`, in sku order; limit 1..1000.
    result<std::vector<Product>> products(std::string_view after = {}, int limit = 100);
    /// Stores a tax category (id 1..64 bytes, rate 0..10000 basis points);
    /// a stored one replaces the built-in of the same id. Lines keep the
    /// rate they were priced at.
    result<Written<TaxCategory>> define_tax_category(const Context& ctx, const TaxCategory& tax);
    /// The stored categories and the built-ins they do not replace, by id.
    result<std::vector<TaxCategory>> tax_categories();

    /// Creates a draft quote (revision 1) on its lifecycle ("quote" unless
    /// input.process names another definition of record type quote). The
    /// party is given or taken from the opportunity; the currency defaults
    /// to IRR and the price list to "default". Each line is priced: a sku
    /// takes the product's name, unit, tax category and its price in the
    /// quote's price list and currency unless the line gives them; a line
    /// without a sku needs a name and a unit price. Totals by
    /// compute_totals. At most 500 lines. A number another quote carries:
    /// conflict.
    result<Quote> create_quote(const Context& ctx, const QuoteInput& input);
    /// Changes a quote in its initial (draft) state; `lines` replaces them
    /// all. An active quote takes only owner and note (revise it to change
    /// more); a closed one nothing (invalid_transition).
    result<Quote> update_quote(const Context& ctx, const Id& id, const QuoteInput& input);
    /// An id, or a quote number (its latest revision); not_found names "id".
    result<Quote> get_quote(std::string_view id_or_number);
    /// The quotes of a party, or of an opportunity, newest first.
    result<std::vector<Quote>> quotes_of(const Id& party);
    /// Quote revisions filtered, ordered and paged (crm/core/worklist.hpp);
    /// due is the validity date.
    result<ListPage<Quote>> list_quotes(const ListQuery& query);
    result<std::vector<Quote>> quotes_for_opportunity(const Id& opportunity);
    /// Every revision of the quote `id` belongs to, oldest first.
    result<std::vector<Quote>> quote_revisions(const Id& id);
    /// A move of the quote's lifecycle ("activate", "win", "lose",
    /// "cancel"): invalid_transition naming the state, the move and the
    /// moves allowed; a move needing a close record needs `reason`.
    /// Leaving the draft state needs at least one line and a valid_until
    /// that has not passed. Entering a won state emits "quote.won", the
    /// order hand-off for the ERP: its payload is the whole quote with its
    /// lines and totals. "revise" is revise_quote's.
    result<Quote> move_quote(const Context& ctx, const Id& id, std::string_view move,
                             std::string_view reason = {});
    /// Makes the next revision: a draft copy of the quote (lines and all)
    /// with `changes` applied, while the quote itself moves by "revise"
    /// into its closed state and points at the new one. Answers the new
    /// revision. invalid_transition when the quote's state has no revise.
    result<Quote> revise_quote(const Context& ctx, const Id& id, const QuoteInput& changes = {},
                               std::string_view reason = {});
    /// Records the ERP's order id on a won quote (1..200 bytes); the same
    /// id again changes nothing, another one is a conflict.
    result<Quote> record_order(const Context& ctx, const Id& id, std::string_view erp_order_id);
    /// The moves the quote may make now.
    result<std::vector<AllowedMove>> quote_moves(const Id& id);

private:
    Engine* engine_;
};

}  // namespace crm
