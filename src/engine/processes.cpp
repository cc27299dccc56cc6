// src/engine/processes.cpp - process definitions and business calendars
// stored by version, the schemas of record types, and history.
#include <algorithm>

#include "core/clean.hpp"
#include "core/json_read.hpp"
#include "crm/core/text.hpp"
#include "engine/impl.hpp"
#include "customer/codec.hpp"
#include "process/codec.hpp"
#include "sales/record.hpp"
#include "service/record.hpp"
#include "service/work.hpp"
#include "marketing/work.hpp"
#include "crm/sales/sales.hpp"
#include "crm/service/service.hpp"

namespace crm {
namespace {

constexpr std::string_view kProcessKind = "process";
constexpr std::string_view kCalendarKind = "calendar";

// Effects may set these built-in fields of a record type; custom.* too
// (quotes have no custom fields).
bool settable(std::string_view record_type, std::string_view field) {
    if (field.rfind("custom.", 0) == 0) return record_type != "quote" && record_type != "campaign";
    if (record_type == "opportunity")
        for (std::string_view f : {"name", "owner", "team", "campaign", "probability",
                                   "expected_close"})
            if (field == f) return true;
    if (record_type == "lead")
        for (std::string_view f : {"owner", "campaign", "interest", "city"})
            if (field == f) return true;
    if (record_type == "quote")
        for (std::string_view f : {"owner"})
            if (field == f) return true;
    if (record_type == "ticket")
        for (std::string_view f : {"priority", "category"})
            if (field == f) return true;
    return false;
}

result<void> check_effects(const process::Definition& d) {
    const auto check = [&](const std::vector<process::Effect>& effects,
                           const std::string& path) -> result<void> {
        for (std::size_t i = 0; i < effects.size(); ++i)
            if (effects[i].kind == process::Effect::Kind::set_field &&
                !settable(d.record_type(), effects[i].field))
                return fail(errc::invalid_argument,
                            "an effect cannot set '" + effects[i].field + "' of " + d.record_type(),
                            path + "[" + std::to_string(i) + "].set.field");
        return ok();
    };
    for (std::size_t i = 0; i < d.states().size(); ++i)
        CRM_TRYV(check(d.states()[i].on_enter, "states[" + std::to_string(i) + "].on_enter"));
    for (std::size_t i = 0; i < d.transitions().size(); ++i)
        CRM_TRYV(check(d.transitions()[i].effects,
                       "transitions[" + std::to_string(i) + "].effects"));
    return ok();
}

// The record_type a definition's JSON names, read before the definition
// itself so that it can be checked against that type's schema.
result<std::string> record_type_of(std::string_view json) {
    CRM_TRY(doc, codec::parse(json, "definition"));
    if (!doc.is_object()) return fail(errc::invalid_argument, "must be an object", "");
    CRM_TRY(rt, codec::get_string(doc, "record_type", "", 64));
    if (!rt || rt->empty()) return fail(errc::invalid_argument, "is required", "record_type");
    return *rt;
}

}  // namespace

result<std::string> clean_key(const std::string& s, const char* field) {
    CRM_TRY(t, clean_text(s, field, 64));
    if (t.empty()) return fail(errc::invalid_argument, "is required", field);
    for (char c : t)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return fail(errc::invalid_argument, "must use only a-z, 0-9, '_' and '-'", field);
    return t;
}

result<std::pair<int, WriteOutcome>> Engine::Impl::store_versioned(
    Transaction& tx, const Context& ctx, std::string_view kind, const std::string& id,
    const std::string& body, std::string_view record_type, std::string_view event,
    const codec::json& payload) {
    CRM_TRY(latest, tx.get_definition(kind, id, 0));
    if (latest && latest->body == body)
        return std::make_pair(latest->version, WriteOutcome::unchanged);
    const int version = latest ? latest->version + 1 : 1;
    CRM_TRYV(tx.put_definition({std::string(kind), id, version, body, now(), ctx.actor}));
    codec::json with_version = payload;
    with_version["version"] = version;
    CRM_TRYV(record(tx, ctx, record_type, Id{}, latest ? "update" : "create",
                    {{"version", std::to_string(version - 1), std::to_string(version)}}, event,
                    with_version));
    return std::make_pair(version, latest ? WriteOutcome::updated : WriteOutcome::created);
}

result<expr::Schema> Engine::Impl::schema_of(Transaction& tx,
                                             std::string_view record_type) {
    expr::Schema schema;
    if (record_type == "opportunity") {
        schema = sales::opportunity_schema();
    } else if (record_type == "lead") {
        schema = sales::lead_schema();
    } else if (record_type == "quote") {
        return sales::quote_schema();
    } else if (record_type == "ticket") {
        schema = service::ticket_schema();
    } else if (record_type == "campaign") {
        return marketing::campaign_schema();
    } else {
        return fail(errc::invalid_argument,
                    "no process runs on records of type '" + std::string(record_type).substr(0, 64) +
                        "' (known: opportunity, lead, quote, ticket, campaign)",
                    "record_type");
    }
    CRM_TRY(defs, fields_of(tx, record_type));
    for (const auto& def : *defs) CRM_TRYV(schema.add_custom(def));
    return schema;
}

namespace {

// The built-in processes: stored when their first record is created, and
// read as version 1 until then, so a fresh database shows them.
const char* builtin_process_json(std::string_view id) {
    if (id == "sales") return default_pipeline_json();
    if (id == "lead") return default_lead_process_json();
    if (id == "quote") return default_quote_process_json();
    if (id == "ticket") return default_ticket_process_json();
    if (id == "campaign") return marketing::campaign_process_json();
    return nullptr;
}

constexpr std::string_view kBuiltinProcesses[] = {"sales", "lead", "quote", "ticket", "campaign"};

}  // namespace

result<process::Definition> Engine::Impl::builtin_definition(Transaction& tx, std::string_view id) {
    const char* json = builtin_process_json(id);
    if (!json) return fail(errc::not_found, "no built-in process '" + std::string(id) + "'", "id");
    CRM_TRY(rt, record_type_of(json));
    CRM_TRY(schema, schema_of(tx, rt));
    CRM_TRY(d, process::Definition::from_json(json, schema));
    return d.with_version(1);
}

result<process::Definition> Engine::Impl::definition_to_show(Transaction& tx, std::string_view id,
                                                             int version, std::string_view field) {
    auto found = definition(tx, id, version, field);
    // A built-in process not stored yet reads as its version 1 (not cached:
    // a host may still store its own version 1 under that id).
    if (!found && found.error().code == errc::not_found && version <= 1 && builtin_process_json(id))
        return builtin_definition(tx, id);
    return found;
}

result<process::Definition> Engine::Impl::definition(Transaction& tx, std::string_view id,
                                                     int version, std::string_view field) {
    // The latest version's number is a lookup of its own, so a definition
    // already loaded is not read again.
    if (version == 0) {
        CRM_TRY(latest, tx.definition_version(kProcessKind, id));
        if (latest > 0) version = latest;
    }
    if (version > 0)
        if (auto it = process_cache.find(std::make_pair(std::string(id), version));
            it != process_cache.end())
            return it->second;
    CRM_TRY(stored, tx.get_definition(kProcessKind, id, version));
    if (!stored)
        return fail(errc::not_found,
                    version > 0 ? "no version " + std::to_string(version) + " of process '" +
                                      std::string(id) + "'"
                                : "no process '" + std::string(id) + "'",
                    std::string(field));
    // The latest version, once known, may be loaded already.
    if (auto it = process_cache.find(std::make_pair(stored->id, stored->version));
        it != process_cache.end())
        return it->second;
    CRM_TRY(rt, record_type_of(stored->body));
    CRM_TRY(schema, schema_of(tx, rt));
    auto d = process::Definition::from_json(stored->body, schema);
    if (!d)
        return fail(errc::storage,
                    "stored process '" + stored->id + "' version " +
                        std::to_string(stored->version) + " no longer loads: " + d.error().what());
    auto versioned = d.value().with_version(stored->version);
    process_cache.insert_or_assign(std::make_pair(stored->id, stored->version), versioned);
    return versioned;
}

result<Written<process::Definition>> Engine::Impl::store_definition(Transaction& tx,
                                                                    const Context& ctx,
                                                                    std::string_view json) {
    CRM_TRY(rt, record_type_of(json));
    CRM_TRY(schema, schema_of(tx, rt));
    CRM_TRY(loaded, process::Definition::from_json(json, schema));
    CRM_TRYV(check_effects(loaded));
    if (!loaded.calendar().empty()) CRM_TRYV(calendar_of(tx, loaded.calendar()));
    CRM_TRY(latest, tx.get_definition(kProcessKind, loaded.id(), 0));
    int version = 1;
    if (latest) {
        CRM_TRY(current, definition(tx, loaded.id(), latest->version, "id"));
        if (current.record_type() != loaded.record_type())
            return fail(errc::conflict,
                        "process '" + loaded.id() + "' runs on " + current.record_type() +
                            "; a new version cannot change the record type",
                        "record_type");
        if (current.same_content(loaded))
            return Written<process::Definition>{current, WriteOutcome::unchanged};
        version = latest->version + 1;
    }
    auto stored = loaded.with_version(version);
    const std::string body = stored.to_json();
    CRM_TRYV(tx.put_definition({std::string(kProcessKind), stored.id(), version, body, now(),
                                ctx.actor}));
    process_cache.insert_or_assign(std::make_pair(stored.id(), version), stored);
    codec::json payload = {{"id", stored.id()},
                           {"version", version},
                           {"record_type", stored.record_type()}};
    CRM_TRYV(record(tx, ctx, "process", Id{}, version == 1 ? "create" : "update",
                    {{"version", std::to_string(version - 1), std::to_string(version)}},
                    "process.defined", payload));
    return Written<process::Definition>{stored, WriteOutcome::created};
}

result<process::Definition> Engine::Impl::process_for_create(
    Transaction& tx, const Context& ctx, std::string_view name,
    std::string_view builtin_id, const char* builtin_json, std::string_view record_type,
    std::string_view field) {
    const std::string id(name.empty() ? builtin_id : name);
    auto found = definition(tx, id, 0, field);
    if (!found && found.error().code == errc::not_found && id == builtin_id) {
        CRM_TRY(stored, store_definition(tx, Context{"system", ctx.source}, builtin_json));
        return stored.record;
    }
    if (found && found.value().record_type() != record_type)
        return fail(errc::invalid_argument,
                    "process '" + id + "' runs on " + found.value().record_type() + ", not " +
                        std::string(record_type),
                    std::string(field));
    return found;
}

result<BusinessCalendar> Engine::Impl::calendar_of(Transaction& tx, std::string_view id) {
    const std::string key = id.empty() ? "default" : std::string(id);
    if (auto it = calendar_cache.find(key); it != calendar_cache.end()) return it->second;
    CRM_TRY(stored, tx.get_definition(kCalendarKind, key, 0));
    if (!stored) {
        if (!id.empty())
            return fail(errc::not_found, "no business calendar '" + key + "'", "calendar");
        return calendar_cache.insert_or_assign(key, BusinessCalendar::iran_default()).first->second;
    }
    CRM_TRY(def, parse_business_calendar(stored->body));
    CRM_TRY(calendar, BusinessCalendar::make(std::move(def)));
    calendar_cache.insert_or_assign(key, calendar);
    return calendar;
}

result<Timestamp> Engine::Impl::due_after(const BusinessCalendar& calendar, Timestamp from,
                                          const process::Duration& d) {
    constexpr std::int64_t kHour = 3'600'000;
    using Unit = process::Duration::Unit;
    switch (d.unit) {
        case Unit::business_hours: return calendar.add(from, d.amount * kHour);
        case Unit::business_days: return calendar.add_days(from, static_cast<int>(d.amount));
        case Unit::hours: return Timestamp{from.ms + d.amount * kHour};
        case Unit::days: return Timestamp{from.ms + d.amount * 24 * kHour};
    }
    return fail(errc::internal, "unknown duration unit");
}

result<void> Engine::Impl::write_history(Transaction& tx, const Context& ctx,
                                         HistoryEntry entry) {
    entry.at = now();
    entry.actor = ctx.actor;
    return tx.append_history(entry);
}

result<void> Engine::Impl::run_effects(Transaction& tx, const Context& ctx,
                                       const process::Definition& d, const EffectTarget& target,
                                       const std::vector<const process::Effect*>& effects,
                                       const codec::json& payload) {
    std::optional<BusinessCalendar> calendar;
    for (const auto* e : effects) {
        if (e->kind == process::Effect::Kind::activity) {
            if (target.party.is_nil())
                return fail(errc::invalid_argument,
                            "a follow-up activity of this move needs the " + target.record_type +
                                "'s party, and it has none",
                            "party");
            if (!calendar) {
                CRM_TRY(c, calendar_of(tx, d.calendar()));
                calendar = std::move(c);
            }
            Activity a;
            a.id = new_id();
            a.party = target.party;
            CRM_TRY(kind, parse_activity_kind(e->activity_kind));
            a.kind = kind;
            a.subject = e->subject;
            a.note = target.label;
            a.assignee = e->assignee.empty() ? target.owner : e->assignee;
            CRM_TRY(due, due_after(*calendar, now(), e->due_in));
            a.due = due;
            a.created_at = now();
            CRM_TRYV(tx.put_activity(a));
            const codec::json j = codec::to_json(a);
            CRM_TRYV(record(tx, ctx, "activity", a.id, "create", diff(codec::json::object(), j),
                            "activity.scheduled", j));
        } else if (e->kind == process::Effect::Kind::emit) {
            Event ev;
            ev.at = now();
            ev.type = e->event_type;
            ev.record_type = target.record_type;
            ev.record_id = target.id;
            ev.payload = payload.dump(-1, ' ', false, codec::json::error_handler_t::replace);
            CRM_TRYV(tx.append_event(ev));
        }
    }
    return ok();
}

result<Written<process::Definition>> Engine::define_process(const Context& ctx,
                                                            std::string_view json) {
    CRM_TRYV(check_context(ctx));
    return impl_->write([&](Transaction& tx) {
        return impl_->store_definition(tx, ctx, json);
    });
}

result<process::Definition> Engine::process_definition(std::string_view id, int version) {
    if (version < 0) return fail(errc::invalid_argument, "must not be negative", "version");
    return impl_->read([&](Transaction& tx) {
        return impl_->definition_to_show(tx, id, version, "id");
    });
}

result<std::vector<process::Definition>> Engine::process_definitions() {
    return impl_->read([&](Transaction& tx) -> result<std::vector<process::Definition>> {
        CRM_TRY(stored, tx.definitions(kProcessKind));
        std::vector<process::Definition> out;
        for (const auto& s : stored) {
            CRM_TRY(d, impl_->definition(tx, s.id, s.version, "id"));
            out.push_back(std::move(d));
        }
        // The built-in ones not stored yet, as they will be stored.
        for (std::string_view id : kBuiltinProcesses) {
            const bool kept = std::any_of(stored.begin(), stored.end(),
                                          [&](const auto& s) { return s.id == id; });
            if (kept) continue;
            CRM_TRY(d, impl_->builtin_definition(tx, id));
            out.push_back(std::move(d));
        }
        std::sort(out.begin(), out.end(),
                  [](const process::Definition& a, const process::Definition& b) { return a.id() < b.id(); });
        return out;
    });
}

result<Written<BusinessCalendarDef>> Engine::define_calendar(const Context& ctx,
                                                             std::string_view json) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(def, parse_business_calendar(json));
    CRM_TRY(calendar, BusinessCalendar::make(def));
    return impl_->write([&](Transaction& tx) -> result<Written<BusinessCalendarDef>> {
        CRM_TRY(latest, tx.get_definition(kCalendarKind, def.id, 0));
        const std::string body = to_json(def);
        if (latest && latest->body == body)
            return Written<BusinessCalendarDef>{def, WriteOutcome::unchanged};
        const int version = latest ? latest->version + 1 : 1;
        CRM_TRYV(tx.put_definition({std::string(kCalendarKind), def.id, version, body,
                                    impl_->now(), ctx.actor}));
        impl_->calendar_cache.insert_or_assign(def.id, calendar);
        codec::json payload = {{"id", def.id}, {"version", version}};
        CRM_TRYV(impl_->record(tx, ctx, "calendar", Id{}, version == 1 ? "create" : "update",
                               {{"version", std::to_string(version - 1), std::to_string(version)}},
                               "calendar.defined", payload));
        // Open SLA clocks counting in it take the new hours.
        CRM_TRYV(service::calendar_changed(*impl_, tx, ctx, def.id));
        return Written<BusinessCalendarDef>{def, latest ? WriteOutcome::updated
                                                        : WriteOutcome::created};
    });
}

result<BusinessCalendar> Engine::business_calendar(std::string_view id) {
    return impl_->read([&](Transaction& tx) { return impl_->calendar_of(tx, id); });
}

result<expr::Schema> Engine::record_schema(std::string_view record_type) {
    return impl_->read([&](Transaction& tx) { return impl_->schema_of(tx, record_type); });
}

result<std::vector<HistoryEntry>> Engine::history(std::string_view record_type, const Id& id) {
    return impl_->read([&](Transaction& tx) { return tx.history_of(record_type, id); });
}

}  // namespace crm
