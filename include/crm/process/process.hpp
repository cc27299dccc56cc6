// crm/process/process.hpp - crm::process, the one process engine: a
// definition (states, transitions, guards, effects and the identity card of
// the process) is data; this header loads and validates it, says which moves
// a record may make, checks a move, and draws the definition.
//
// The process engine keeps no records itself: the Engine stores definitions
// by version, keeps each record's state and writes every move to history
// (engine.hpp). Sales pipelines are definitions; so are lead qualification
// and, later, tickets and campaigns.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/id.hpp"
#include "crm/core/time.hpp"
#include "crm/core/value.hpp"
#include "crm/expr/expr.hpp"

namespace crm::process {

// ---- the JSON form (docs/PROCESSES.md has the full reference) --------------
//
//   {"id": "sales", "record_type": "opportunity", "name": "Sales pipeline",
//    "calendar": "tehran-office",
//    "card": {"title": "...", "goal": "...", "owner": "sales manager",
//             "executors": ["sales rep"], "scope": "...", "regulations": [],
//             "systems": ["crmcore"], "record_keeping": "...",
//             "expected_duration": {"business_days": 30}, "kpis": ["win rate"]},
//    "states": [
//      {"id": "qualify", "label": "ارزیابی", "category": "open", "initial": true,
//       "probability": 10, "forecast_category": "pipeline",
//       "expected_duration": {"business_days": 5}},
//      {"id": "proposal", "label": "پیشنهاد", "category": "open", "probability": 50,
//       "forecast_category": "best_case", "required_fields": ["amount"],
//       "on_enter": [{"activity": {"kind": "call", "subject": "Follow up",
//                                  "due_in": {"business_hours": 4}}}]},
//      {"id": "won", "category": "won"}, {"id": "lost", "category": "lost"}],
//    "transitions": [
//      {"name": "propose", "from": "qualify", "to": "proposal",
//       "guard": {"gt": [{"field": "amount"}, {"money": "0", "currency": "IRR"}]}},
//      {"name": "win", "from": "proposal", "to": "won", "close_record": true},
//      {"name": "lose", "from": "*", "to": "lost", "close_record": true},
//      {"name": "reopen", "from": ["won", "lost"], "to": "qualify", "reopen": true}]}

/// What kind of state: open states are worked on; the others are closed.
enum class Category { open, won, lost, closed, cancelled };
/// Where a state's records count in a sales forecast.
enum class ForecastCategory { pipeline, best_case, commit, omitted, closed };

/// "open", "won", "lost", "closed", "cancelled".
CRM_API const char* to_string(Category c) noexcept;
/// "pipeline", "best_case", "commit", "omitted", "closed".
CRM_API const char* to_string(ForecastCategory c) noexcept;
CRM_API std::optional<Category> category_from_string(std::string_view s) noexcept;
CRM_API std::optional<ForecastCategory> forecast_category_from_string(std::string_view s) noexcept;

/// A length of time: JSON {"business_hours": 4}, {"business_days": 2},
/// {"hours": 48} or {"days": 3} (one key). Business units count in the
/// definition's business calendar; the others are elapsed time.
struct Duration {
    enum class Unit { business_hours, business_days, hours, days };
    Unit unit = Unit::business_days;
    std::int64_t amount = 0;  ///< 0 .. 100,000
    friend bool operator==(const Duration&, const Duration&) = default;
};

/// Something a move makes happen, in the same transaction as the move.
struct Effect {
    enum class Kind {
        activity,   ///< {"activity": {"kind", "subject", "due_in", "assignee"}}
        set_field,  ///< {"set": {"field": "probability", "value": 60}}
        emit,       ///< {"emit": {"type": "opportunity.proposal"}}
    };
    Kind kind = Kind::emit;
    // activity: a follow-up on the record's party, due `due_in` after the
    // move; assigned to `assignee`, or to the record's owner when empty.
    std::string activity_kind = "task";  ///< as crm::ActivityKind names it
    std::string subject;
    std::string assignee;
    Duration due_in;
    // set_field: a field of the record's schema and its new value
    // (JSON scalar: text, integer, boolean; null clears it).
    std::string field;
    Value value;
    // emit: the event type written to the outbox with the move's payload.
    std::string event_type;
};

struct State {
    std::string id;  ///< [a-z0-9_-], at most 64 bytes
    std::string label;
    Category category = Category::open;
    bool is_closed = false;  ///< category != open
    bool is_won = false;     ///< category == won
    bool initial = false;
    std::optional<int> probability;  ///< 0..100 (won: 100, lost/cancelled: 0 by default)
    ForecastCategory forecast_category = ForecastCategory::pipeline;  ///< closed states: closed
    std::optional<Duration> expected_duration;
    std::vector<std::string> required_fields;  ///< must not be empty to enter
    std::vector<Effect> on_enter;
};

struct Transition {
    std::string name;               ///< unique in the definition
    std::vector<std::string> from;  ///< "*" in JSON: every open state
    std::string to;
    std::optional<expr::Expr> guard;  ///< must hold for the record
    std::vector<std::string> required_fields;
    bool close_record = false;  ///< the move needs a close record (reason, ...)
    bool reopen = false;        ///< leaves a closed state (the only way to)
    std::vector<Effect> effects;
};

/// The identity card of a process (شناسنامه فرآیند): what a process
/// owner writes down before it is automated.
struct Card {
    std::string title, goal, owner, scope, record_keeping;
    std::vector<std::string> executors, regulations, systems, kpis;
    std::optional<Duration> expected_duration;
};

/// A validated definition. Immutable; copies share it; thread-safe.
class CRM_API Definition {
public:
    /// Parses and validates the JSON form against the schema of its record
    /// type. Malformed JSON: parse. Everything else: invalid_argument with
    /// the JSON path of the bad node in error::field
    /// ("transitions[2].guard.gt[0]", "states[1].category"): unknown keys,
    /// wrong types, not exactly one initial state, a state no transition
    /// reaches, a transition out of a closed state that is not a reopen
    /// (or a reopen out of an open state), unknown states, duplicate ids or
    /// names, a field or guard that does not resolve in `schema`, a
    /// category that contradicts is_closed / is_won.
    static result<Definition> from_json(std::string_view json, const expr::Schema& schema);

    /// The canonical JSON form (defaults written out, "from" as a list,
    /// "version" included when set); from_json of it gives the same definition.
    std::string to_json() const;
    /// A Graphviz DOT digraph: states as nodes (closed ones double-circled,
    /// the initial one bold), transitions as labelled edges.
    std::string to_dot() const;
    /// A Mermaid stateDiagram-v2 of the same graph.
    std::string to_mermaid() const;

    const std::string& id() const noexcept;
    const std::string& record_type() const noexcept;
    const std::string& name() const noexcept;
    /// The business calendar id effects and durations count in; empty: the
    /// Engine's default (BusinessCalendar::iran_default()).
    const std::string& calendar() const noexcept;
    const Card& card() const noexcept;
    const std::vector<State>& states() const noexcept;
    const std::vector<Transition>& transitions() const noexcept;
    const State& initial() const noexcept;
    const State* find_state(std::string_view id) const noexcept;
    const Transition* find_transition(std::string_view name) const noexcept;

    /// 0 until a store assigns it; versions count from 1 per id.
    int version() const noexcept;
    Definition with_version(int version) const;
    /// True when both have the same content (the version aside).
    bool same_content(const Definition& other) const;

    /// The transitions out of `state` whose guard holds for `record`
    /// (required fields are not checked: a user interface shows them as
    /// what the move asks for). Empty for an unknown state.
    std::vector<const Transition*> allowed_moves(std::string_view state,
                                                 const expr::Record& record,
                                                 const expr::Context& context) const;

    /// Checks a move out of `state`. `move` names a transition, or a target
    /// state reached by exactly one transition out of `state`. `record` is
    /// the record as it will be after the move's own changes. Fails with
    /// invalid_transition (field "move") when no such move leaves `state`
    /// or its guard does not hold, the message naming the current state,
    /// the attempted move and the moves allowed; with invalid_argument when
    /// a required field of the transition or the target state is empty
    /// (field: its name) or a close record is required but
    /// `has_close_record` is false (field "close").
    result<const Transition*> check_move(std::string_view state, std::string_view move,
                                         const expr::Record& record,
                                         const expr::Context& context,
                                         bool has_close_record) const;

    /// Completes a state mapping for moving records from this version to
    /// `target`: every state of this definition maps to `mapping`'s entry
    /// when given, else to the state of the same id in `target`. Fails
    /// with invalid_argument naming "mapping.<state>" when a state has no
    /// counterpart or maps to a state `target` lacks.
    result<std::map<std::string, std::string>> map_states(
        const Definition& target, const std::map<std::string, std::string>& mapping) const;

    struct Data;

private:
    explicit Definition(std::shared_ptr<const Data> data) noexcept : data_(std::move(data)) {}
    std::shared_ptr<const Data> data_;
};

/// Reads a Duration from its JSON text ({"business_days": 2}); errors name `field`.
CRM_API result<Duration> parse_duration(std::string_view json, std::string_view field = "due_in");

}  // namespace crm::process

namespace crm {

/// One entry of a record's history: a stage change (from != to) or a
/// change of the values that matter to the record type (from == to,
/// `move` empty). `values` is a JSON object; for opportunities: amount,
/// probability, expected_close, forecast_category, owner. Every record
/// type that runs on a process keeps one.
struct HistoryEntry {
    std::int64_t seq = 0;  ///< assigned by the store, increasing
    std::string record_type;
    Id record_id;
    std::string process;
    int process_version = 0;
    std::string from_state;  ///< "" for the entry that creates the record
    std::string to_state;
    std::string move;        ///< transition name; "" for a change of values
    Timestamp at;
    std::string actor;
    std::string reason;
    std::string values;
    std::int64_t duration_ms = 0;  ///< time spent in from_state (0 when it is "")
};

/// A move a record may make now (for a host's user interface).
struct AllowedMove {
    std::string name;
    std::string to;
    std::string to_label;
    bool close_record = false;
    bool reopen = false;
    std::vector<std::string> required_fields;  ///< of the move and its target state
};

}  // namespace crm
