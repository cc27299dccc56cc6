// src/process/definition.cpp - process definitions: the JSON form read
// strictly, validated as a whole (one initial state, reachability, closed
// states left only by reopen), and written back canonically.
#include <algorithm>
#include <set>

#include "core/json_read.hpp"
#include "crm/customer/timeline.hpp"
#include "expr/json_form.hpp"
#include "process/data.hpp"

namespace crm::process {
namespace {

using json = codec::json;
using codec::join;

constexpr std::size_t kMaxDefinitionBytes = 1 << 20;
constexpr std::size_t kMaxStates = 200;
constexpr std::size_t kMaxTransitions = 2000;
constexpr std::int64_t kMaxDurationAmount = 100'000;

error bad(std::string message, std::string path) {
    return fail(errc::invalid_argument, std::move(message), std::move(path));
}

std::string at(std::string_view base, std::size_t i) {
    return std::string(base) + "[" + std::to_string(i) + "]";
}

bool valid_id(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

result<std::string> required_id(const json& obj, std::string_view key, std::string_view path) {
    CRM_TRY(s, codec::get_string(obj, key, path, 64));
    const std::string field = join(path, key);
    if (!s || s->empty()) return bad("is required", field);
    if (!valid_id(*s)) return bad("must be 1-64 characters of a-z, 0-9, '_' and '-'", field);
    return *s;
}

constexpr const char* kUnitNames[] = {"business_hours", "business_days", "hours", "days"};

result<Duration> duration_of(const json& j, const std::string& path) {
    if (!j.is_object() || j.size() != 1)
        return bad("must be an object with one of business_hours, business_days, hours, days",
                   path);
    const auto first = j.begin();  // an object iterator: key() and value() stay valid
    const std::string key = first.key();
    const json& value = first.value();
    Duration d;
    const auto* unit = std::find(std::begin(kUnitNames), std::end(kUnitNames), key);
    if (unit == std::end(kUnitNames))
        return bad("is not a unit (business_hours, business_days, hours, days)", join(path, key));
    d.unit = static_cast<Duration::Unit>(unit - std::begin(kUnitNames));
    if (!value.is_number_integer() || value.get<std::int64_t>() < 0 ||
        value.get<std::int64_t>() > kMaxDurationAmount)
        return bad("must be an integer from 0 to 100000", join(path, key));
    d.amount = value.get<std::int64_t>();
    return d;
}

result<std::optional<Duration>> optional_duration(const json& obj, std::string_view key,
                                                  std::string_view path) {
    const json* j = codec::member(obj, key);
    if (!j) return std::optional<Duration>{};
    CRM_TRY(d, duration_of(*j, join(path, key)));
    return std::optional<Duration>{d};
}

json duration_json(const Duration& d) {
    json j = json::object();
    j[kUnitNames[static_cast<int>(d.unit)]] = d.amount;
    return j;
}

std::string text_or(const std::optional<std::string>& s) { return s.value_or(""); }

// A field a definition names: it must be in the schema.
result<void> known_field(const expr::Schema& schema, const std::string& name,
                         const std::string& path) {
    if (!schema.find(name)) return bad("is not a field of this record type: '" + name + "'", path);
    return ok();
}

result<std::vector<std::string>> field_list(const json& obj, std::string_view key,
                                            std::string_view path, const expr::Schema& schema) {
    CRM_TRY(list, codec::get_strings(obj, key, path));
    std::vector<std::string> out = list.value_or(std::vector<std::string>{});
    for (std::size_t i = 0; i < out.size(); ++i)
        CRM_TRYV(known_field(schema, out[i], at(join(path, key), i)));
    return out;
}

// A literal for a set effect, checked against the field's type.
result<Value> set_value(const json& j, const expr::Field& field, const std::string& path) {
    using expr::Type;
    if (j.is_null()) return Value{};
    switch (field.type) {
        case Type::boolean:
            if (j.is_boolean()) return Value{j.get<bool>()};
            break;
        case Type::integer:
            if (j.is_number_integer()) return Value{j.get<std::int64_t>()};
            break;
        case Type::text:
        case Type::date:
        case Type::decimal:
            if (j.is_string()) {
                CRM_TRY(s, codec::string_of(j, path, 4096));
                return Value{std::move(s)};
            }
            if (field.type == Type::decimal && j.is_number_integer())
                return Value{std::to_string(j.get<std::int64_t>())};
            break;
        default:
            return bad(std::string("a ") + expr::to_string(field.type) +
                           " field cannot be set by an effect",
                       path);
    }
    return bad(std::string("must be a ") + expr::to_string(field.type) + " value or null", path);
}

result<Effect> effect_of(const json& j, const std::string& path, const expr::Schema& schema) {
    if (!j.is_object() || j.size() != 1)
        return bad("must be an object with one of activity, set, emit", path);
    Effect e;
    if (const json* a = codec::member(j, "activity")) {
        const std::string p = join(path, "activity");
        CRM_TRYV(codec::expect_object(*a, p, {"kind", "subject", "assignee", "due_in"}));
        e.kind = Effect::Kind::activity;
        CRM_TRY(kind, codec::get_string(*a, "kind", p, 32));
        e.activity_kind = kind.value_or("task");
        CRM_TRYV(parse_activity_kind(e.activity_kind, join(p, "kind")));
        CRM_TRY(subject, codec::get_string(*a, "subject", p, 500));
        if (!subject || subject->empty()) return bad("is required", join(p, "subject"));
        e.subject = *subject;
        CRM_TRY(assignee, codec::get_string(*a, "assignee", p, 200));
        e.assignee = text_or(assignee);
        const json* due = codec::member(*a, "due_in");
        if (!due) return bad("is required", join(p, "due_in"));
        CRM_TRY(d, duration_of(*due, join(p, "due_in")));
        e.due_in = d;
        return e;
    }
    if (const json* s = codec::member(j, "set")) {
        const std::string p = join(path, "set");
        CRM_TRYV(codec::expect_object(*s, p, {"field", "value"}));
        e.kind = Effect::Kind::set_field;
        CRM_TRY(field, codec::get_string(*s, "field", p, 200));
        if (!field || field->empty()) return bad("is required", join(p, "field"));
        const expr::Field* f = schema.find(*field);
        if (!f) return bad("is not a field of this record type: '" + *field + "'", join(p, "field"));
        if (!s->contains("value")) return bad("is required (null clears the field)", join(p, "value"));
        CRM_TRY(value, set_value(s->at("value"), *f, join(p, "value")));
        e.field = *field;
        e.value = std::move(value);
        return e;
    }
    if (const json* m = codec::member(j, "emit")) {
        const std::string p = join(path, "emit");
        CRM_TRYV(codec::expect_object(*m, p, {"type"}));
        e.kind = Effect::Kind::emit;
        CRM_TRY(type, codec::get_string(*m, "type", p, 100));
        if (!type || type->empty()) return bad("is required", join(p, "type"));
        e.event_type = *type;
        return e;
    }
    return bad("is not an effect (activity, set, emit)", join(path, j.begin().key()));
}

result<std::vector<Effect>> effects_of(const json& obj, std::string_view key, std::string_view path,
                                       const expr::Schema& schema) {
    std::vector<Effect> out;
    const json* list = codec::member(obj, key);
    if (!list) return out;
    const std::string p = join(path, key);
    if (!list->is_array()) return bad("must be an array", p);
    for (std::size_t i = 0; i < list->size(); ++i) {
        CRM_TRY(e, effect_of((*list)[i], at(p, i), schema));
        out.push_back(std::move(e));
    }
    return out;
}

json effect_json(const Effect& e) {
    json out = json::object();
    switch (e.kind) {
        case Effect::Kind::activity: {
            json a = {{"kind", e.activity_kind}, {"subject", e.subject}};
            if (!e.assignee.empty()) a["assignee"] = e.assignee;
            a["due_in"] = duration_json(e.due_in);
            out["activity"] = std::move(a);
            break;
        }
        case Effect::Kind::set_field: {
            json v;
            if (auto* b = std::get_if<bool>(&e.value)) v = *b;
            else if (auto* i = std::get_if<std::int64_t>(&e.value)) v = *i;
            else if (auto* s = std::get_if<std::string>(&e.value)) v = *s;
            out["set"] = {{"field", e.field}, {"value", v}};
            break;
        }
        case Effect::Kind::emit: out["emit"] = {{"type", e.event_type}}; break;
    }
    return out;
}

result<Card> card_of(const json& obj) {
    Card c;
    const json* j = codec::member(obj, "card");
    if (!j) return c;
    CRM_TRYV(codec::expect_object(*j, "card",
                                  {"title", "goal", "owner", "executors", "scope", "regulations",
                                   "systems", "record_keeping", "expected_duration", "kpis"}));
    std::string* texts[] = {&c.title, &c.goal, &c.owner, &c.scope, &c.record_keeping};
    const char* text_keys[] = {"title", "goal", "owner", "scope", "record_keeping"};
    for (int i = 0; i < 5; ++i) {
        CRM_TRY(s, codec::get_string(*j, text_keys[i], "card", 4000));
        *texts[i] = text_or(s);
    }
    std::vector<std::string>* lists[] = {&c.executors, &c.regulations, &c.systems, &c.kpis};
    const char* list_keys[] = {"executors", "regulations", "systems", "kpis"};
    for (int i = 0; i < 4; ++i) {
        CRM_TRY(l, codec::get_strings(*j, list_keys[i], "card"));
        *lists[i] = l.value_or(std::vector<std::string>{});
    }
    CRM_TRY(d, optional_duration(*j, "expected_duration", "card"));
    c.expected_duration = d;
    return c;
}

json card_json(const Card& c) {
    json j = {{"title", c.title},   {"goal", c.goal},         {"owner", c.owner},
              {"executors", c.executors}, {"scope", c.scope}, {"regulations", c.regulations},
              {"systems", c.systems}, {"record_keeping", c.record_keeping}};
    if (c.expected_duration) j["expected_duration"] = duration_json(*c.expected_duration);
    j["kpis"] = c.kpis;
    return j;
}

result<State> state_of(const json& j, const std::string& path, const expr::Schema& schema) {
    CRM_TRYV(codec::expect_object(j, path,
                                  {"id", "label", "category", "is_closed", "is_won", "initial",
                                   "probability", "forecast_category", "expected_duration",
                                   "required_fields", "on_enter"}));
    State s;
    CRM_TRY(id, required_id(j, "id", path));
    s.id = id;
    CRM_TRY(label, codec::get_string(j, "label", path, 200));
    s.label = label.value_or(s.id);
    CRM_TRY(category, codec::get_string(j, "category", path, 32));
    if (category) {
        auto c = category_from_string(*category);
        if (!c) return bad("must be open, won, lost, closed or cancelled", join(path, "category"));
        s.category = *c;
    }
    s.is_closed = s.category != Category::open;
    s.is_won = s.category == Category::won;
    CRM_TRY(is_closed, codec::get_bool(j, "is_closed", path));
    if (is_closed && *is_closed != s.is_closed)
        return bad(std::string("contradicts category '") + to_string(s.category) + "'",
                   join(path, "is_closed"));
    CRM_TRY(is_won, codec::get_bool(j, "is_won", path));
    if (is_won && *is_won != s.is_won)
        return bad(std::string("contradicts category '") + to_string(s.category) + "'",
                   join(path, "is_won"));
    CRM_TRY(initial, codec::get_bool(j, "initial", path));
    s.initial = initial.value_or(false);
    CRM_TRY(probability, codec::get_int(j, "probability", path));
    if (probability && (*probability < 0 || *probability > 100))
        return bad("must be from 0 to 100", join(path, "probability"));
    if (probability) s.probability = static_cast<int>(*probability);
    else if (s.category == Category::won) s.probability = 100;
    else if (s.is_closed) s.probability = 0;
    CRM_TRY(forecast, codec::get_string(j, "forecast_category", path, 32));
    s.forecast_category = s.is_closed ? ForecastCategory::closed : ForecastCategory::pipeline;
    if (forecast) {
        auto f = forecast_category_from_string(*forecast);
        if (!f)
            return bad("must be pipeline, best_case, commit, omitted or closed",
                       join(path, "forecast_category"));
        if ((*f == ForecastCategory::closed) != s.is_closed)
            return bad(s.is_closed ? "must be 'closed' for a closed state"
                                   : "can be 'closed' only for a closed state",
                       join(path, "forecast_category"));
        s.forecast_category = *f;
    }
    CRM_TRY(expected, optional_duration(j, "expected_duration", path));
    s.expected_duration = expected;
    CRM_TRY(required, field_list(j, "required_fields", path, schema));
    s.required_fields = std::move(required);
    CRM_TRY(on_enter, effects_of(j, "on_enter", path, schema));
    s.on_enter = std::move(on_enter);
    return s;
}

json state_json(const State& s) {
    json j = {{"id", s.id},
              {"label", s.label},
              {"category", to_string(s.category)},
              {"is_closed", s.is_closed},
              {"is_won", s.is_won}};
    if (s.initial) j["initial"] = true;
    if (s.probability) j["probability"] = *s.probability;
    j["forecast_category"] = to_string(s.forecast_category);
    if (s.expected_duration) j["expected_duration"] = duration_json(*s.expected_duration);
    if (!s.required_fields.empty()) j["required_fields"] = s.required_fields;
    if (!s.on_enter.empty()) {
        json list = json::array();
        for (const auto& e : s.on_enter) list.push_back(effect_json(e));
        j["on_enter"] = std::move(list);
    }
    return j;
}

result<Transition> transition_of(const json& j, const std::string& path,
                                 const expr::Schema& schema, const std::vector<State>& states) {
    CRM_TRYV(codec::expect_object(j, path,
                                  {"name", "from", "to", "guard", "required_fields",
                                   "close_record", "reopen", "effects"}));
    Transition t;
    CRM_TRY(name, required_id(j, "name", path));
    t.name = name;
    const auto state_named = [&](const std::string& id) {
        return std::find_if(states.begin(), states.end(),
                            [&](const State& s) { return s.id == id; });
    };
    const std::string from_path = join(path, "from");
    const json* from = codec::member(j, "from");
    if (!from) return bad("is required", from_path);
    CRM_TRY(to, required_id(j, "to", path));
    if (from->is_string() && from->get<std::string>() == "*") {
        for (const auto& s : states)
            if (!s.is_closed && s.id != to) t.from.push_back(s.id);
        if (t.from.empty()) return bad("\"*\" names no open state besides the target", from_path);
    } else if (from->is_string()) {
        t.from.push_back(from->get<std::string>());
    } else if (from->is_array() && !from->empty()) {
        for (std::size_t i = 0; i < from->size(); ++i) {
            if (!(*from)[i].is_string()) return bad("must be a state id", at(from_path, i));
            t.from.push_back((*from)[i].get<std::string>());
        }
    } else {
        return bad("must be a state id, a non-empty list of them, or \"*\"", from_path);
    }
    for (std::size_t i = 0; i < t.from.size(); ++i) {
        const std::string p = from->is_array() ? at(from_path, i) : from_path;
        if (state_named(t.from[i]) == states.end())
            return bad("is not a state: '" + t.from[i].substr(0, 64) + "'", p);
        if (std::find(t.from.begin(), t.from.begin() + static_cast<long>(i), t.from[i]) !=
            t.from.begin() + static_cast<long>(i))
            return bad("names '" + t.from[i] + "' twice", p);
    }
    auto target = state_named(to);
    if (target == states.end()) return bad("is not a state: '" + to + "'", join(path, "to"));
    t.to = to;
    if (std::find(t.from.begin(), t.from.end(), t.to) != t.from.end())
        return bad("a transition cannot leave and enter the same state '" + t.to + "'",
                   join(path, "to"));
    if (const json* guard = codec::member(j, "guard")) {
        CRM_TRY(g, expr::load_json(*guard, schema, join(path, "guard")));
        t.guard = std::move(g);
    }
    CRM_TRY(required, field_list(j, "required_fields", path, schema));
    t.required_fields = std::move(required);
    CRM_TRY(close, codec::get_bool(j, "close_record", path));
    t.close_record = close.value_or(false);
    CRM_TRY(reopen, codec::get_bool(j, "reopen", path));
    t.reopen = reopen.value_or(false);
    for (const auto& f : t.from) {
        const bool closed = state_named(f)->is_closed;
        // Closed to closed (resolved -> closed) finishes a record; closed to
        // open takes a reopen.
        if (closed && !t.reopen && !target->is_closed)
            return bad("leaves the closed state '" + f + "' for an open one: only a transition "
                       "with \"reopen\": true may",
                       from_path);
        if (!closed && t.reopen)
            return bad("is a reopen but '" + f + "' is not a closed state", from_path);
    }
    if (t.reopen && target->is_closed)
        return bad("a reopen must enter an open state", join(path, "to"));
    CRM_TRY(effects, effects_of(j, "effects", path, schema));
    t.effects = std::move(effects);
    return t;
}

json transition_json(const Transition& t) {
    json j = {{"name", t.name}, {"from", t.from}, {"to", t.to}};
    if (t.guard) j["guard"] = json::parse(t.guard->to_json());
    if (!t.required_fields.empty()) j["required_fields"] = t.required_fields;
    if (t.close_record) j["close_record"] = true;
    if (t.reopen) j["reopen"] = true;
    if (!t.effects.empty()) {
        json list = json::array();
        for (const auto& e : t.effects) list.push_back(effect_json(e));
        j["effects"] = std::move(list);
    }
    return j;
}

// Every state must be reachable from the initial one.
result<void> check_reachable(const Definition::Data& d) {
    std::set<std::string> seen = {d.states[d.initial].id};
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& t : d.transitions)
            if (!seen.count(t.to) &&
                std::any_of(t.from.begin(), t.from.end(),
                            [&](const std::string& f) { return seen.count(f) > 0; })) {
                seen.insert(t.to);
                grew = true;
            }
    }
    for (std::size_t i = 0; i < d.states.size(); ++i)
        if (!seen.count(d.states[i].id))
            return bad("no transition leads from the initial state '" + d.states[d.initial].id +
                           "' to '" + d.states[i].id + "'",
                       at("states", i));
    return ok();
}

result<Definition::Data> load(const json& doc, const expr::Schema& schema) {
    CRM_TRYV(codec::expect_object(doc, "",
                                  {"id", "record_type", "name", "version", "calendar", "card",
                                   "states", "transitions"}));
    Definition::Data d;
    CRM_TRY(id, required_id(doc, "id", ""));
    d.id = id;
    CRM_TRY(record_type, required_id(doc, "record_type", ""));
    d.record_type = record_type;
    CRM_TRY(name, codec::get_string(doc, "name", "", 200));
    d.name = name.value_or(d.id);
    CRM_TRY(version, codec::get_int(doc, "version", ""));
    if (version && (*version < 1 || *version > 1'000'000))
        return bad("must be from 1 to 1000000", "version");
    d.version = static_cast<int>(version.value_or(0));
    CRM_TRY(calendar, codec::get_string(doc, "calendar", "", 128));
    d.calendar = text_or(calendar);
    CRM_TRY(card, card_of(doc));
    d.card = std::move(card);

    const json* states = codec::member(doc, "states");
    if (!states || !states->is_array() || states->empty())
        return bad("must be a non-empty array", "states");
    if (states->size() > kMaxStates) return bad("has more than 200 states", "states");
    for (std::size_t i = 0; i < states->size(); ++i) {
        CRM_TRY(s, state_of((*states)[i], at("states", i), schema));
        for (const auto& other : d.states)
            if (other.id == s.id) return bad("repeats the state id '" + s.id + "'", at("states", i) + ".id");
        d.states.push_back(std::move(s));
    }
    std::vector<std::size_t> initials;
    for (std::size_t i = 0; i < d.states.size(); ++i)
        if (d.states[i].initial) initials.push_back(i);
    if (initials.empty()) return bad("no state has \"initial\": true; exactly one must", "states");
    if (initials.size() > 1)
        return bad("a second initial state; exactly one may be initial",
                   at("states", initials[1]) + ".initial");
    d.initial = initials[0];
    if (d.states[d.initial].is_closed)
        return bad("the initial state must be open", at("states", d.initial) + ".initial");

    const json* transitions = codec::member(doc, "transitions");
    if (transitions && !transitions->is_array()) return bad("must be an array", "transitions");
    if (transitions && transitions->size() > kMaxTransitions)
        return bad("has more than 2000 transitions", "transitions");
    for (std::size_t i = 0; transitions && i < transitions->size(); ++i) {
        CRM_TRY(t, transition_of((*transitions)[i], at("transitions", i), schema, d.states));
        for (const auto& other : d.transitions)
            if (other.name == t.name)
                return bad("repeats the transition name '" + t.name + "'",
                           at("transitions", i) + ".name");
        d.transitions.push_back(std::move(t));
    }
    CRM_TRYV(check_reachable(d));
    return d;
}

}  // namespace

const char* to_string(Category c) noexcept {
    switch (c) {
        case Category::open: return "open";
        case Category::won: return "won";
        case Category::lost: return "lost";
        case Category::closed: return "closed";
        case Category::cancelled: return "cancelled";
    }
    return "open";
}

const char* to_string(ForecastCategory c) noexcept {
    switch (c) {
        case ForecastCategory::pipeline: return "pipeline";
        case ForecastCategory::best_case: return "best_case";
        case ForecastCategory::commit: return "commit";
        case ForecastCategory::omitted: return "omitted";
        case ForecastCategory::closed: return "closed";
    }
    return "pipeline";
}

std::optional<Category> category_from_string(std::string_view s) noexcept {
    for (auto c : {Category::open, Category::won, Category::lost, Category::closed,
                   Category::cancelled})
        if (s == to_string(c)) return c;
    return std::nullopt;
}

std::optional<ForecastCategory> forecast_category_from_string(std::string_view s) noexcept {
    for (auto c : {ForecastCategory::pipeline, ForecastCategory::best_case,
                   ForecastCategory::commit, ForecastCategory::omitted, ForecastCategory::closed})
        if (s == to_string(c)) return c;
    return std::nullopt;
}

result<Duration> parse_duration(std::string_view text, std::string_view field) {
    CRM_TRY(doc, codec::parse(text, field));
    return duration_of(doc, std::string(field));
}

result<Definition> Definition::from_json(std::string_view text, const expr::Schema& schema) {
    if (text.size() > kMaxDefinitionBytes) return bad("is larger than 1 MiB", "");
    try {
        CRM_TRY(doc, codec::parse(text, "definition"));
        CRM_TRY(data, load(doc, schema));
        return Definition(std::make_shared<const Data>(std::move(data)));
    } catch (const std::bad_alloc&) {
        return fail(errc::out_of_memory, "out of memory loading a process definition");
    } catch (const std::exception& e) {
        return fail(errc::internal, std::string("loading a process definition: ") + e.what());
    }
}

std::string Definition::to_json() const {
    const Data& d = *data_;
    json j = {{"id", d.id}, {"record_type", d.record_type}, {"name", d.name}};
    if (d.version > 0) j["version"] = d.version;
    if (!d.calendar.empty()) j["calendar"] = d.calendar;
    j["card"] = card_json(d.card);
    json states = json::array();
    for (const auto& s : d.states) states.push_back(state_json(s));
    j["states"] = std::move(states);
    json transitions = json::array();
    for (const auto& t : d.transitions) transitions.push_back(transition_json(t));
    j["transitions"] = std::move(transitions);
    return j.dump();
}

const std::string& Definition::id() const noexcept { return data_->id; }
const std::string& Definition::record_type() const noexcept { return data_->record_type; }
const std::string& Definition::name() const noexcept { return data_->name; }
const std::string& Definition::calendar() const noexcept { return data_->calendar; }
const Card& Definition::card() const noexcept { return data_->card; }
const std::vector<State>& Definition::states() const noexcept { return data_->states; }
const std::vector<Transition>& Definition::transitions() const noexcept {
    return data_->transitions;
}
const State& Definition::initial() const noexcept { return data_->states[data_->initial]; }
int Definition::version() const noexcept { return data_->version; }

const State* Definition::find_state(std::string_view id) const noexcept {
    for (const auto& s : data_->states)
        if (s.id == id) return &s;
    return nullptr;
}

const Transition* Definition::find_transition(std::string_view name) const noexcept {
    for (const auto& t : data_->transitions)
        if (t.name == name) return &t;
    return nullptr;
}

Definition Definition::with_version(int version) const {
    auto copy = std::make_shared<Data>(*data_);
    copy->version = version;
    return Definition(std::move(copy));
}

bool Definition::same_content(const Definition& other) const {
    return with_version(0).to_json() == other.with_version(0).to_json();
}

}  // namespace crm::process
