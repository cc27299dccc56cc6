// src/sales/sales.cpp - opportunities on pipelines: validated writes, moves
// checked by the process definition, effects, history, audit and events.
#include "crm/sales/sales.hpp"

#include <algorithm>

#include "crm/core/calendar.hpp"
#include "crm/core/text.hpp"
#include "core/clean.hpp"
#include "core/json_text.hpp"
#include "engine/access.hpp"
#include "process/moves.hpp"
#include "records/lookup.hpp"
#include "sales/amount.hpp"
#include "sales/codec.hpp"
#include "sales/record.hpp"
#include "sales/work.hpp"

namespace crm {

namespace {

using json = codec::json;

constexpr std::string_view kRecordType = "opportunity";
using sales::clean_amount;

constexpr const char* kDefaultPipeline = R"({
  "id": "sales", "record_type": "opportunity", "name": "Sales pipeline",
  "card": {"title": "Sales pipeline", "goal": "Turn qualified demand into won deals",
           "owner": "sales manager", "executors": ["salesperson"],
           "scope": "from a qualified opportunity to a won or lost deal",
           "record_keeping": "every stage change is kept in history",
           "expected_duration": {"business_days": 60},
           "kpis": ["win rate", "average deal size", "days per stage"]},
  "states": [
    {"id": "qualify", "label": "Qualify", "initial": true, "probability": 10,
     "forecast_category": "pipeline", "expected_duration": {"business_days": 10}},
    {"id": "develop", "label": "Develop", "probability": 30, "forecast_category": "pipeline",
     "expected_duration": {"business_days": 15}},
    {"id": "propose", "label": "Propose", "probability": 60, "forecast_category": "best_case",
     "required_fields": ["amount"], "expected_duration": {"business_days": 10}},
    {"id": "negotiate", "label": "Negotiate", "probability": 80, "forecast_category": "commit",
     "required_fields": ["amount", "expected_close"], "expected_duration": {"business_days": 10}},
    {"id": "won", "label": "Won", "category": "won"},
    {"id": "lost", "label": "Lost", "category": "lost"}],
  "transitions": [
    {"name": "develop", "from": "qualify", "to": "develop"},
    {"name": "propose", "from": ["qualify", "develop"], "to": "propose"},
    {"name": "negotiate", "from": "propose", "to": "negotiate"},
    {"name": "back", "from": ["propose", "negotiate"], "to": "develop"},
    {"name": "win", "from": ["propose", "negotiate"], "to": "won", "close_record": true},
    {"name": "lose", "from": "*", "to": "lost", "close_record": true},
    {"name": "reopen", "from": ["won", "lost"], "to": "qualify", "reopen": true}]
})";

// ---- validation ------------------------------------------------------------


result<std::vector<std::string>> clean_list(const std::vector<std::string>& in, const char* field) {
    if (in.size() > 100) return fail(errc::invalid_argument, "more than 100 entries", field);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const std::string path = std::string(field) + "[" + std::to_string(i) + "]";
        CRM_TRYV(text::check(in[i], path, 200));
        std::string t = text::tidy(in[i]);
        if (t.empty()) return fail(errc::invalid_argument, "is empty", path);
        if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(std::move(t));
    }
    return out;
}



// The values history keeps for an opportunity, as JSON text.
std::string tracked(const Opportunity& o) {
    return codec::object_text({{"amount", json_text::money_text(o.amount)},
                               {"probability", std::to_string(o.probability)},
                               {"expected_close", json_text::quoted(o.expected_close)},
                               {"forecast_category", json_text::quoted(o.forecast_category)},
                               {"owner", json_text::quoted(o.owner)}});
}

// ---- the work of one call ----------------------------------------------------

class Work {
public:
    Work(Engine::Impl& impl, Transaction& tx, const Context& ctx)
        : impl_(impl), tx_(tx), ctx_(ctx) {}

    result<Opportunity> load(const Id& id) { return records().load(id); }
    result<Opportunity> find(std::string_view key) { return records().find(key); }
    Records<Opportunity> records() {
        return {tx_, &Transaction::get_opportunity, &Transaction::opportunity_by_external_id, "opportunity"};
    }

    // The pipeline an opportunity is created on: the latest version; the
    // built-in "sales" is stored on first use.
    result<process::Definition> pipeline_for_create(const std::string& name) {
        return impl_.process_for_create(tx_, ctx_, name, "sales", kDefaultPipeline, kRecordType,
                                        "pipeline");
    }

    // Applies `in` to `o`; errors name the input's field.
    result<void> apply(Opportunity& o, const OpportunityInput& in, bool creating) {
        if (in.external_id) {
            CRM_TRY(ext, clean_text(*in.external_id, "external_id", 200));
            o.external_id = std::move(ext);
        }
        if (in.name) {
            CRM_TRY(name, clean_text(*in.name, "name", 500));
            o.name = std::move(name);
        }
        if (o.name.empty()) return fail(errc::invalid_argument, "is required", "name");
        std::pair<const std::optional<std::string>*, std::string*> texts[] = {
            {&in.owner, &o.owner}, {&in.team, &o.team}, {&in.campaign, &o.campaign}};
        const char* names[] = {"owner", "team", "campaign"};
        for (int i = 0; i < 3; ++i)
            if (*texts[i].first) {
                CRM_TRY(t, clean_text(**texts[i].first, names[i], 200));
                *texts[i].second = std::move(t);
            }
        if (in.party) {
            CRM_TRY(p, impl_.load_live_party(tx_, *in.party, "party"));
            o.party = p.id;
        }
        if (creating && o.party.is_nil()) return fail(errc::invalid_argument, "is required", "party");
        if (in.source_lead) o.source_lead = *in.source_lead;
        if (in.clear_amount) o.amount.reset();
        if (in.amount) {
            CRM_TRY(amount, clean_amount(*in.amount, "amount"));
            o.amount = std::move(amount);
        }
        if (in.probability) {
            if (*in.probability < 0 || *in.probability > 100)
                return fail(errc::invalid_argument, "must be from 0 to 100", "probability");
            o.probability = *in.probability;
        }
        if (in.expected_close) {
            CRM_TRY(date, clean_date(*in.expected_close, "expected_close"));
            o.expected_close = std::move(date);
        }
        if (in.competitors) {
            CRM_TRY(list, clean_list(*in.competitors, "competitors"));
            o.competitors = std::move(list);
        }
        if (in.products) {
            CRM_TRY(list, clean_list(*in.products, "products"));
            o.products = std::move(list);
        }
        CRM_TRYV(impl_.apply_custom(tx_, kRecordType, in.custom, o.custom));
        return ok();
    }

    // Enters `state` of `d`: status, probability and forecast category.
    void enter(Opportunity& o, const process::State& state, bool keep_probability) {
        o.stage = state.id;
        o.status = process::to_string(state.category);
        if (state.probability && !keep_probability) o.probability = *state.probability;
        if (state.is_closed && state.probability) o.probability = *state.probability;
        o.forecast_category = process::to_string(state.forecast_category);
        o.stage_entered_at = impl_.now();
    }

    // Stores `after`, its history entry when a tracked value or the stage
    // changed, the audit entry and the event.
    result<void> store(const std::optional<Opportunity>& before, Opportunity& after,
                       const std::string& move, const std::string& reason,
                       std::string_view action, std::string_view event) {
        after.updated_at = impl_.now();
        if (before) after.version = before->version + 1;
        const codec::FieldTexts fields = codec::opportunity_fields(after);
        std::string body = codec::object_text(fields);
        CRM_TRYV(tx_.put_opportunity(after, body, before ? &*before : nullptr));
        const bool moved = !before || before->stage != after.stage ||
                           before->pipeline_version != after.pipeline_version;
        std::string values = tracked(after);
        if (moved || tracked(*before) != values) {
            CRM_TRYV(impl_.write_history(tx_, ctx_,
                                         {0, std::string(kRecordType), after.id, after.pipeline,
                                          after.pipeline_version, before ? before->stage : "",
                                          after.stage, move, {}, {}, reason, std::move(values),
                                          before && before->stage != after.stage
                                              ? impl_.now().ms - before->stage_entered_at.ms
                                              : 0}));
        }
        return impl_.record(tx_, ctx_, kRecordType, after.id, action,
                            codec::diff(before ? codec::opportunity_fields(*before)
                                               : codec::FieldTexts{},
                                        fields),
                            event, std::move(body));
    }

    // Runs the effects of a move: field sets on `o` (before it is stored)
    // and the list of activities and events to write after.
    result<void> set_fields(Opportunity& o, const std::vector<const process::Effect*>& effects) {
        for (const auto* e : effects) {
            if (e->kind != process::Effect::Kind::set_field) continue;
            OpportunityInput in;
            const std::string* s = std::get_if<std::string>(&e->value);
            const std::string text = s ? *s : std::string();
            if (e->field == "probability") {
                auto* i = std::get_if<std::int64_t>(&e->value);
                in.probability = i ? static_cast<int>(*i) : 0;
            } else if (e->field == "name") {
                in.name = text;
            } else if (e->field == "owner") {
                in.owner = text;
            } else if (e->field == "team") {
                in.team = text;
            } else if (e->field == "campaign") {
                in.campaign = text;
            } else if (e->field == "expected_close") {
                in.expected_close = text;
            } else if (e->field.rfind("custom.", 0) == 0) {
                in.custom[e->field.substr(7)] = e->value;
            }
            auto applied = apply(o, in, false);
            if (!applied)
                return fail(applied.error().code,
                            "an effect of the move sets it: " + applied.error().message,
                            applied.error().field);
        }
        return ok();
    }

    result<void> follow_up(const process::Definition& d, const Opportunity& o,
                           const std::vector<const process::Effect*>& effects,
                           const json& move_payload) {
        return impl_.run_effects(tx_, ctx_, d, {std::string(kRecordType), o.id, o.party, o.owner,
                                                "opportunity " + o.id.str() + " (" + o.name + ")"},
                                 effects, move_payload);
    }

    result<Opportunity> move(const Id& id, const MoveInput& in) {
        CRM_TRY(before, load(id));
        CRM_TRY(d, impl_.definition(tx_, before.pipeline, before.pipeline_version));
        Opportunity after = before;
        CRM_TRYV(apply(after, in.changes, false));
        if (in.changes.pipeline.size())
            return fail(errc::invalid_argument, "cannot change in a move", "pipeline");
        CRM_TRY(reason, clean_text(in.reason, "reason", 1000));
        const sales::OpportunityRecord record(after);
        CRM_TRY(t, d.check_move(before.stage, in.move, record, impl_.rule_context(),
                                in.close.has_value()));
        const process::State& target = *d.find_state(t->to);
        enter(after, target, in.changes.probability.has_value());
        if (target.is_closed) {
            after.closed_at = impl_.now();
            if (in.close) {
                CloseRecord c = *in.close;
                CRM_TRY(why, clean_text(c.reason, "close.reason", 1000));
                c.reason = why;
                if (t->close_record && c.reason.empty())
                    return fail(errc::invalid_argument, "is required", "close.reason");
                CRM_TRY(competitor, clean_text(c.competitor, "close.competitor", 200));
                c.competitor = competitor;
                CRM_TRYV(text::check(c.note, "close.note", 65536));
                CRM_TRY(date, clean_date(c.date, "close.date"));
                c.date = date.empty() ? tehran_date(impl_.now()) : date;
                if (c.actual_revenue) {
                    CRM_TRY(revenue, clean_amount(*c.actual_revenue, "close.actual_revenue"));
                    c.actual_revenue = revenue;
                } else if (target.is_won) {
                    c.actual_revenue = after.amount;
                }
                after.close = std::move(c);
            }
        } else {
            after.closed_at.reset();
            after.close.reset();
        }
        const auto effects = process::effects_of(t, target);
        CRM_TRYV(set_fields(after, effects));
        const std::string event = target.is_won                     ? "opportunity.won"
                                  : target.category == process::Category::lost ? "opportunity.lost"
                                  : t->reopen                        ? "opportunity.reopened"
                                                                     : "opportunity.moved";
        CRM_TRYV(store(before, after, t->name, reason, "move", event));
        const json payload = {{"opportunity", after.id.str()},
                              {"move", t->name},
                              {"from", before.stage},
                              {"to", after.stage},
                              {"reason", reason}};
        CRM_TRYV(follow_up(d, after, effects, payload));
        return after;
    }

    // The one move out of the current stage into a state matching `want`.
    result<std::string> move_into(const Id& id, bool (*want)(const process::State&),
                                  const char* what) {
        CRM_TRY(o, load(id));
        CRM_TRY(d, impl_.definition(tx_, o.pipeline, o.pipeline_version));
        std::vector<std::string> names;
        for (const auto& t : d.transitions())
            if (std::find(t.from.begin(), t.from.end(), o.stage) != t.from.end() &&
                want(*d.find_state(t.to)))
                names.push_back(t.name);
        if (names.size() == 1) return names.front();
        return fail(errc::invalid_transition,
                    names.empty() ? "no move " + std::string(what) + " leaves stage '" + o.stage + "'"
                                  : "more than one move " + std::string(what) + " leaves stage '" +
                                        o.stage + "'; name one",
                    "move");
    }

private:
    Engine::Impl& impl_;
    Transaction& tx_;
    const Context& ctx_;
};

bool is_won(const process::State& s) { return s.is_won; }
bool is_lost(const process::State& s) { return s.category == process::Category::lost; }
bool is_reopen_target(const process::State& s) { return !s.is_closed; }

}  // namespace

const char* default_pipeline_json() noexcept { return kDefaultPipeline; }

result<Opportunity> sales::create_opportunity_in(Engine::Impl& impl, Transaction& tx,
                                                 const Context& ctx, const OpportunityInput& input) {
    Work w(impl, tx, ctx);
    CRM_TRY(d, w.pipeline_for_create(input.pipeline));
    Opportunity o;
    o.id = impl.new_id();
    o.pipeline = d.id();
    o.pipeline_version = d.version();
    o.created_at = impl.now();
    CRM_TRYV(w.apply(o, input, true));
    w.enter(o, d.initial(), input.probability.has_value());
    // The initial state's field sets are part of the record created; a
    // taken external id is the store's conflict.
    const auto effects = process::effects_of(nullptr, d.initial());
    CRM_TRYV(w.set_fields(o, effects));
    CRM_TRYV(w.store(std::nullopt, o, "", "", "create", "opportunity.created"));
    if (!effects.empty()) {
        const json payload = {{"opportunity", o.id.str()}, {"move", ""}, {"from", ""},
                              {"to", o.stage}, {"reason", ""}};
        CRM_TRYV(w.follow_up(d, o, effects, payload));
    }
    return o;
}

result<Opportunity> Sales::create_opportunity(const Context& ctx, const OpportunityInput& input) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) {
        return sales::create_opportunity_in(impl, tx, ctx, input);
    });
}

result<Opportunity> Sales::update_opportunity(const Context& ctx, const Id& id,
                                              const OpportunityInput& input) {
    CRM_TRYV(check_context(ctx));
    if (!input.pipeline.empty())
        return fail(errc::invalid_argument,
                    "cannot change; move the opportunity to another version with a migration",
                    "pipeline");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Opportunity> {
        Work w(impl, tx, ctx);
        CRM_TRY(before, w.load(id));
        if (before.status != "open")
            return fail(errc::invalid_transition,
                        "the opportunity is " + before.status + " (stage '" + before.stage +
                            "'); reopen it to change it",
                        "id");
        Opportunity after = before;
        CRM_TRYV(w.apply(after, input, false));
        if (codec::to_json(after) == codec::to_json(before)) return before;
        CRM_TRYV(w.store(before, after, "", "", "update", "opportunity.updated"));
        return after;
    });
}

result<Opportunity> Sales::get_opportunity(std::string_view key) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) {
        const Context ctx;
        return Work(impl, tx, ctx).find(key);
    });
}

result<std::vector<Opportunity>> Sales::opportunities_of(const Id& party) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<Opportunity>> {
        CRM_TRY(p, impl.load_live_party(tx, party));
        return tx.opportunities_of(p.id);
    });
}

result<Opportunity> Sales::move_opportunity(const Context& ctx, const Id& id, const MoveInput& move) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write_decided([&](Transaction& tx) { return Work(impl, tx, ctx).move(id, move); });
}

namespace {
result<Opportunity> move_into(Engine& engine, const Context& ctx, const Id& id,
                              bool (*want)(const process::State&), const char* what,
                              MoveInput move) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(engine);
    return impl.write([&](Transaction& tx) -> result<Opportunity> {
        Work w(impl, tx, ctx);
        CRM_TRY(name, w.move_into(id, want, what));
        move.move = name;
        return w.move(id, move);
    });
}
}  // namespace

result<Opportunity> Sales::win_opportunity(const Context& ctx, const Id& id, const CloseRecord& close) {
    return move_into(*engine_, ctx, id, is_won, "into a won stage",
                     MoveInput{"", close.reason, close, {}});
}

result<Opportunity> Sales::lose_opportunity(const Context& ctx, const Id& id,
                                            const CloseRecord& close) {
    return move_into(*engine_, ctx, id, is_lost, "into a lost stage",
                     MoveInput{"", close.reason, close, {}});
}

result<Opportunity> Sales::reopen_opportunity(const Context& ctx, const Id& id,
                                              std::string_view reason) {
    return move_into(*engine_, ctx, id, is_reopen_target, "out of a closed stage",
                     MoveInput{"", std::string(reason), std::nullopt, {}});
}

result<std::vector<AllowedMove>> Sales::allowed_moves(const Id& id) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<AllowedMove>> {
        const Context ctx;
        Work w(impl, tx, ctx);
        CRM_TRY(o, w.load(id));
        CRM_TRY(d, impl.definition(tx, o.pipeline, o.pipeline_version));
        return process::moves_for_ui(d, o.stage, sales::OpportunityRecord(o), impl.rule_context());
    });
}

result<std::vector<Sales::PipelineStage>> Sales::pipeline(std::string_view name) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<PipelineStage>> {
        CRM_TRY(d, impl.definition_to_show(tx, name, 0, "pipeline"));
        if (d.record_type() != kRecordType)
            return fail(errc::invalid_argument, "is not a pipeline of opportunities", "pipeline");
        CRM_TRY(totals, tx.stage_totals(name));
        std::vector<PipelineStage> out;
        for (const auto& s : d.states()) {
            PipelineStage stage{s, {}};
            for (const auto& t : totals)
                if (t.stage == s.id) stage.totals.push_back(t);
            out.push_back(std::move(stage));
        }
        // Deals on older versions may sit in stages the latest lacks.
        for (const auto& t : totals)
            if (!d.find_state(t.stage)) {
                process::State gone;
                gone.id = gone.label = t.stage;
                if (out.empty() || out.back().state.id != t.stage) out.push_back({gone, {}});
                out.back().totals.push_back(t);
            }
        return out;
    });
}

result<std::int64_t> Sales::migrate_opportunities(const Context& ctx, std::string_view pipeline,
                                                  int from_version, int to_version,
                                                  const std::map<std::string, std::string>& mapping) {
    CRM_TRYV(check_context(ctx));
    if (from_version < 1) return fail(errc::invalid_argument, "must be 1 or more", "from_version");
    if (to_version < 1) return fail(errc::invalid_argument, "must be 1 or more", "to_version");
    if (from_version == to_version)
        return fail(errc::invalid_argument, "is the version migrated from", "to_version");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<std::int64_t> {
        CRM_TRY(from, impl.definition(tx, pipeline, from_version, "from_version"));
        CRM_TRY(to, impl.definition(tx, pipeline, to_version, "to_version"));
        CRM_TRY(states, from.map_states(to, mapping));
        Work w(impl, tx, ctx);
        std::int64_t moved = 0;
        Id after;
        for (;;) {
            CRM_TRY(ids, tx.opportunities_in(pipeline, from_version, after, 1000));
            if (ids.empty()) break;
            after = ids.back();
            for (const auto& id : ids) {
                CRM_TRY(before, w.load(id));
                Opportunity o = before;
                o.pipeline_version = to_version;
                const process::State& target = *to.find_state(states.at(before.stage));
                if (target.id != before.stage) w.enter(o, target, false);
                if (!target.is_closed) {
                    o.closed_at.reset();
                    o.close.reset();
                }
                o.status = process::to_string(target.category);
                o.forecast_category = process::to_string(target.forecast_category);
                CRM_TRYV(w.store(before, o, "migrate",
                                 "version " + std::to_string(from_version) + " to " +
                                     std::to_string(to_version),
                                 "migrate", "opportunity.migrated"));
                ++moved;
            }
        }
        return moved;
    });
}

}  // namespace crm
