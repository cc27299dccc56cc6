// src/process/moves.cpp - which moves a record may make, checking one, state
// mappings between versions, and the definition drawn as DOT and Mermaid.
#include <algorithm>

#include "process/data.hpp"
#include "process/moves.hpp"

namespace crm::process {
namespace {

bool leaves(const Transition& t, std::string_view state) {
    return std::find(t.from.begin(), t.from.end(), state) != t.from.end();
}

bool holds(const Transition& t, const expr::Record& record, const expr::Context& context) {
    if (!t.guard) return true;
    auto r = expr::evaluate(*t.guard, record, context);
    return r && r.value();
}

bool empty_value(const Value& v) {
    if (is_null(v)) return true;
    if (auto* s = std::get_if<std::string>(&v))
        return s->find_first_not_of(" \t\r\n") == std::string::npos;
    if (auto* l = std::get_if<std::vector<std::string>>(&v)) return l->empty();
    return false;
}

std::string move_list(const std::vector<const Transition*>& moves) {
    if (moves.empty()) return "none";
    std::string out;
    for (const auto* t : moves) {
        if (!out.empty()) out += ", ";
        out += t->name + " -> " + t->to;
    }
    return out;
}

// Quotes for DOT and Mermaid labels: backslash and double quote escaped,
// line breaks dropped.
std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n' || c == '\r') c = ' ';
        out += c;
    }
    return out + "\"";
}

// Mermaid state ids may not contain '-'.
std::string mermaid_id(std::string_view id) {
    std::string out(id);
    std::replace(out.begin(), out.end(), '-', '_');
    return "s_" + out;
}

std::string mermaid_label(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '"') out += "#quot;";
        else if (c == ':') out += "#58;";
        else if (c == '\n' || c == '\r') out += ' ';
        else out += c;
    }
    return out;
}

}  // namespace

std::vector<const Transition*> Definition::allowed_moves(std::string_view state,
                                                         const expr::Record& record,
                                                         const expr::Context& context) const {
    std::vector<const Transition*> out;
    for (const auto& t : data_->transitions)
        if (leaves(t, state) && holds(t, record, context)) out.push_back(&t);
    return out;
}

result<const Transition*> Definition::check_move(std::string_view state, std::string_view move,
                                                 const expr::Record& record,
                                                 const expr::Context& context,
                                                 bool has_close_record) const {
    const State* current = find_state(state);
    if (!current)
        return fail(errc::invalid_transition,
                    "the record is in state '" + std::string(state) +
                        "', which version " + std::to_string(data_->version) + " of process '" +
                        data_->id + "' does not have; migrate it first",
                    "move");
    const auto refused = [&](std::string why) {
        return fail(errc::invalid_transition,
                    "cannot " + why + " from state '" + current->id + "'; allowed moves: " +
                        move_list(allowed_moves(state, record, context)),
                    "move");
    };
    const Transition* chosen = nullptr;
    if (const Transition* named = find_transition(move); named && leaves(*named, state)) {
        chosen = named;
    } else {
        for (const auto& t : data_->transitions) {
            if (!leaves(t, state) || t.to != move) continue;
            if (chosen)
                return refused("move to '" + std::string(move) +
                               "' by target alone (two transitions lead there: '" + chosen->name +
                               "', '" + t.name + "'; name one)");
            chosen = &t;
        }
    }
    if (!chosen) return refused("make the move '" + std::string(move) + "'");
    if (!holds(*chosen, record, context))
        return refused("make the move '" + chosen->name + "' (its guard does not hold)");
    const State* target = find_state(chosen->to);
    for (const auto* list : {&chosen->required_fields, &target->required_fields})
        for (const auto& field : *list)
            if (empty_value(record.get(field)))
                return fail(errc::invalid_argument,
                            "is required to enter state '" + target->id + "'", field);
    if (chosen->close_record && !has_close_record)
        return fail(errc::invalid_argument,
                    "a close record (reason, ...) is required by the move '" + chosen->name + "'",
                    "close");
    return chosen;
}

result<std::map<std::string, std::string>> Definition::map_states(
    const Definition& target, const std::map<std::string, std::string>& mapping) const {
    for (const auto& [from, to] : mapping)
        if (!find_state(from))
            return fail(errc::invalid_argument,
                        "is not a state of version " + std::to_string(version()), "mapping." + from);
    std::map<std::string, std::string> out;
    for (const auto& s : data_->states) {
        auto given = mapping.find(s.id);
        const std::string& to = given != mapping.end() ? given->second : s.id;
        if (!target.find_state(to))
            return fail(errc::invalid_argument,
                        given != mapping.end()
                            ? "maps to '" + to + "', which version " +
                                  std::to_string(target.version()) + " does not have"
                            : "has no state of the same id in version " +
                                  std::to_string(target.version()) + "; map it",
                        "mapping." + s.id);
        out[s.id] = to;
    }
    return out;
}

std::string Definition::to_dot() const {
    const Data& d = *data_;
    std::string out = "digraph " + quoted(d.id) + " {\n  rankdir=LR;\n  label=" +
                      quoted(d.name + " (v" + std::to_string(d.version) + ")") + ";\n";
    for (const auto& s : d.states) {
        out += "  " + quoted(s.id) + " [label=" + quoted(s.label) + ", shape=" +
               (s.is_closed ? "doublecircle" : "circle");
        if (s.initial) out += ", style=bold";
        out += "];\n";
    }
    for (const auto& t : d.transitions)
        for (const auto& f : t.from)
            out += "  " + quoted(f) + " -> " + quoted(t.to) + " [label=" + quoted(t.name) +
                   (t.reopen ? ", style=dashed" : "") + "];\n";
    return out + "}\n";
}

std::string Definition::to_mermaid() const {
    const Data& d = *data_;
    std::string out = "stateDiagram-v2\n";
    for (const auto& s : d.states)
        out += "  state \"" + mermaid_label(s.label) + "\" as " + mermaid_id(s.id) + "\n";
    out += "  [*] --> " + mermaid_id(d.states[d.initial].id) + "\n";
    for (const auto& t : d.transitions)
        for (const auto& f : t.from)
            out += "  " + mermaid_id(f) + " --> " + mermaid_id(t.to) + " : " +
                   mermaid_label(t.name) + "\n";
    for (const auto& s : d.states)
        if (s.is_closed) out += "  " + mermaid_id(s.id) + " --> [*]\n";
    return out;
}

std::vector<const Effect*> effects_of(const Transition* t, const State& target) {
    std::vector<const Effect*> out;
    if (t)
        for (const auto& e : t->effects) out.push_back(&e);
    for (const auto& e : target.on_enter) out.push_back(&e);
    return out;
}

std::vector<AllowedMove> moves_for_ui(const Definition& d, std::string_view state,
                                      const expr::Record& record, const expr::Context& context) {
    std::vector<AllowedMove> out;
    for (const auto* t : d.allowed_moves(state, record, context)) {
        const State& to = *d.find_state(t->to);
        AllowedMove m{t->name, t->to, to.label, t->close_record, t->reopen, t->required_fields};
        for (const auto& f : to.required_fields)
            if (std::find(m.required_fields.begin(), m.required_fields.end(), f) ==
                m.required_fields.end())
                m.required_fields.push_back(f);
        out.push_back(std::move(m));
    }
    return out;
}

}  // namespace crm::process
