// src/process/moves.hpp - what every context that runs records through a
// process asks of it when a record moves: the effects the move runs, and
// the moves a user interface offers now.
#pragma once

#include <string_view>
#include <vector>

#include "crm/process/process.hpp"

namespace crm::process {

/// The effects a move runs: the transition's (none for the move that
/// creates a record), then the target state's on-enter effects. The
/// Engine applies them (Engine::Impl::run_effects), for every context.
std::vector<const Effect*> effects_of(const Transition* t, const State& target);

/// The moves out of `state` whose guard holds, each with the fields it and
/// its target state require.
std::vector<AllowedMove> moves_for_ui(const Definition& d, std::string_view state,
                                      const expr::Record& record, const expr::Context& context);

}  // namespace crm::process
