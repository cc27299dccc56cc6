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
#include "crm/sales/opportunity.hpp"

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

private:
    Engine* engine_;
};

}  // namespace crm
