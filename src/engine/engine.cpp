// src/engine/engine.cpp - the Engine's write side: opening, transactions,
// parties, contact points, memberships, timeline, activities, purchases,
// custom fields, audit and events.
#include <algorithm>
#include <filesystem>
#include <thread>

#include "core/enum_names.hpp"
#include "crm/core/email.hpp"
#include "crm/core/national_id.hpp"
#include "crm/core/text.hpp"
#include "engine/impl.hpp"
#include "marketing/work.hpp"

namespace crm {

using codec::json;

std::string Party::display_name() const {
    if (kind == PartyKind::organization) return organization_name;
    if (first_name.empty()) return last_name;
    if (last_name.empty()) return first_name;
    return first_name + " " + last_name;
}

std::string name_key(const Party& p) { return text::normalize(p.display_name()); }

// The same rule as codec::diff (customer/party_text.hpp), over JSON trees.
std::vector<FieldChange> diff(const json& before, const json& after) {
    std::vector<FieldChange> out;
    static const json null_value;
    for (const auto& [k, v] : after.items()) {
        if (codec::bookkeeping(k)) continue;
        auto it = before.find(k);
        // On creation, an empty value is no news: list what was given.
        if (it == before.end() && (v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()) ||
                                   ((v.is_array() || v.is_object()) && v.empty())))
            continue;
        const json& old = it == before.end() ? null_value : *it;
        if (old != v) out.push_back({k, old.dump(-1, ' ', false, json::error_handler_t::replace),
                                     v.dump(-1, ' ', false, json::error_handler_t::replace)});
    }
    for (const auto& [k, v] : before.items())
        if (!codec::bookkeeping(k) && !after.contains(k))
            out.push_back({k, v.dump(-1, ' ', false, json::error_handler_t::replace), "null"});
    return out;
}

// ---- opening -------------------------------------------------------------

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

const char* to_string(WriteOutcome o) noexcept {
    switch (o) {
        case WriteOutcome::created: return "created";
        case WriteOutcome::updated: return "updated";
        case WriteOutcome::unchanged: return "unchanged";
    }
    return "unknown";
}

CRM_ENUM_NAMES(OpenMode, parse_open_mode, {OpenMode::create, "create"},
               {OpenMode::must_exist, "must_exist"}, {OpenMode::read_only, "read_only"})

namespace {

// The canonical form of each directory file commands may use.
result<std::vector<std::string>> canonical_directories(const std::vector<std::string>& dirs) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < dirs.size(); ++i) {
        const std::string field = "file_directories[" + std::to_string(i) + "]";
        CRM_TRYV(text::check(dirs[i], field, 4096));
        std::error_code ec;
        const auto dir = std::filesystem::canonical(std::filesystem::path(dirs[i]), ec);
        if (ec || !std::filesystem::is_directory(dir, ec))
            return fail(errc::invalid_argument, "is not an existing directory", field);
        out.push_back(dir.string());
    }
    return out;
}

result<void> check_busy_timeout(const EngineOptions& o) {
    if (o.busy_timeout_ms < 0 || o.busy_timeout_ms > 600'000)
        return fail(errc::invalid_argument, "must be 0..600000", "busy_timeout_ms");
    return ok();
}

}  // namespace

result<std::unique_ptr<Engine>> Engine::open(EngineOptions options) {
    std::string_view db = options.database;
    if (db.empty()) return fail(errc::invalid_argument, "is empty", "database");
    CRM_TRYV(check_busy_timeout(options));
    std::unique_ptr<storage::Store> store;
    if (db == "memory:" || db == "memory") {
        if (options.mode != OpenMode::create)
            return fail(errc::invalid_argument,
                        std::string("is ") + to_string(options.mode) +
                            ", but an in-memory database only exists once it is created",
                        "mode");
        store = storage::open_memory();
        if (!store) return fail(errc::storage, "sqlite: cannot open an in-memory database");
    } else if (db.substr(0, 7) == "memory:") {
        return fail(errc::invalid_argument,
                    "'" + text::excerpt(db) + "' names no database: an in-memory database is "
                    "\"memory:\" alone (each engine has its own)",
                    "database");
    } else {
        if (db.substr(0, 7) == "sqlite:") db.remove_prefix(7);
        if (db.empty()) return fail(errc::invalid_argument, "names no file", "database");
        storage::SqliteOptions so;
        so.path = std::string(db);
        so.create = options.mode == OpenMode::create;
        so.read_only = options.mode == OpenMode::read_only;
        so.busy_timeout_ms = options.busy_timeout_ms;
        if (!so.create) {
            std::error_code ec;
            if (!std::filesystem::exists(std::filesystem::path(so.path), ec))
                return fail(errc::not_found,
                            "no database file at '" + text::excerpt(so.path, 256) + "' (mode " +
                                to_string(options.mode) + " opens only an existing one)",
                            "database");
        }
        CRM_TRY(s, storage::open_sqlite(so));
        store = std::move(s);
    }
    return open(std::move(store), std::move(options));
}

result<std::unique_ptr<Engine>> Engine::open(std::unique_ptr<storage::Store> store,
                                             EngineOptions options) {
    if (!store) return fail(errc::invalid_argument, "is null", "store");
    if (options.lifecycle_stages.empty())
        return fail(errc::invalid_argument, "needs at least one stage", "lifecycle_stages");
    for (std::size_t i = 0; i < options.lifecycle_stages.size(); ++i)
        CRM_TRYV(text::check(options.lifecycle_stages[i],
                             "lifecycle_stages[" + std::to_string(i) + "]", 64));
    CRM_TRYV(check_busy_timeout(options));
    CRM_TRY(dirs, canonical_directories(options.file_directories));
    // Validate the region once here rather than on every phone.
    CRM_TRYV(phone::parse("+14155550123", options.default_region, nullptr, "default_region"));
    auto impl = std::make_unique<Impl>();
    impl->store = std::move(store);
    impl->clock = options.clock ? options.clock : std::make_shared<SystemClock>();
    impl->operators = options.operators ? options.operators : phone::OperatorTable::builtin();
    impl->file_directories = std::move(dirs);
    impl->options = std::move(options);
    impl->observers.push_back(marketing::profile_observer());
    return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

std::string_view Engine::backend() const noexcept { return impl_->store->backend(); }
const std::vector<std::string>& Engine::file_directories() const noexcept {
    return impl_->file_directories;
}
Timestamp Engine::now() const { return impl_->now(); }

// ---- explicit transactions -----------------------------------------------

result<void> Engine::begin() {
    CRM_TRY(lock, impl_->enter());
    (void)lock;
    if (impl_->open_txn) return fail(errc::conflict, "a transaction is already open");
    CRM_TRY(tx, crm::begin(*impl_->store));
    impl_->open_txn = std::move(tx);
    impl_->txn_owner = std::this_thread::get_id();
    return ok();
}

namespace {

// The open transaction, when it is the calling thread's to end.
result<void> own_transaction(const Engine::Impl& impl) {
    if (!impl.open_txn) return fail(errc::conflict, "no transaction is open");
    if (impl.txn_owner != std::this_thread::get_id())
        return fail(errc::conflict,
                    "the open transaction belongs to another thread: only the thread that "
                    "began it commits or rolls it back");
    return ok();
}

}  // namespace

result<void> Engine::commit() {
    std::lock_guard lock(impl_->mutex);
    CRM_TRYV(own_transaction(*impl_));
    auto tx = std::move(impl_->open_txn);
    impl_->txn_ended.notify_all();
    auto r = tx->commit();
    if (!r) impl_->forget_caches();
    return r;
}

result<void> Engine::rollback() {
    std::lock_guard lock(impl_->mutex);
    CRM_TRYV(own_transaction(*impl_));
    impl_->open_txn.reset();
    impl_->txn_ended.notify_all();
    impl_->forget_caches();
    return ok();
}

bool Engine::in_transaction() const noexcept {
    std::lock_guard lock(impl_->mutex);
    return impl_->open_txn != nullptr && impl_->txn_owner == std::this_thread::get_id();
}

// ---- shared steps --------------------------------------------------------

result<const std::vector<FieldDef>*> Engine::Impl::fields_of(Transaction& tx,
                                                             std::string_view rt) {
    auto it = field_cache.find(rt);
    if (it == field_cache.end()) {
        CRM_TRY(defs, tx.fields(rt));
        it = field_cache.emplace(std::string(rt), std::move(defs)).first;
    }
    return &it->second;
}

result<Party> Engine::Impl::load_live_party(Transaction& tx, const Id& id,
                                            std::string_view field) {
    Id cur = id;
    for (int hops = 0; hops < 64; ++hops) {
        CRM_TRY(p, tx.get_party(cur));
        if (!p) return fail(errc::not_found, "no party with id " + id.str(), std::string(field));
        if (p->merged_into.is_nil()) return std::move(*p);
        cur = p->merged_into;
    }
    return fail(errc::internal, "merge chain of " + id.str() + " does not end");
}

result<void> Engine::Impl::record(Transaction& tx, const Context& ctx,
                                  std::string_view record_type, const Id& id,
                                  std::string_view action, std::vector<FieldChange> changes,
                                  std::string_view event_type, std::string payload) {
    const Timestamp at = now();
    AuditEntry a;
    a.at = at;
    a.actor = ctx.actor;
    a.source = ctx.source;
    a.record_type = std::string(record_type);
    a.record_id = id;
    a.action = std::string(action);
    a.changes = std::move(changes);
    CRM_TRYV(tx.append_audit(a));
    Event e;
    e.at = at;
    e.type = std::string(event_type);
    e.record_type = std::string(record_type);
    e.record_id = id;
    e.payload = std::move(payload);
    return tx.append_event(e);
}

result<void> Engine::Impl::store_party(Transaction& tx, const Party& p) {
    CRM_TRYV(tx.put_party(p, name_key(p)));
    return changed(tx, PartyChange::of(p.id, PartyChange::fields, &p));
}

result<void> Engine::Impl::create_stored_party(Transaction& tx, const Context& ctx,
                                               const Party& p) {
    CRM_TRYV(store_party(tx, p));
    const auto fields = codec::party_fields(p);
    return record(tx, ctx, "party", p.id, "create", codec::diff({}, fields), "party.created",
                  codec::object_text(fields));
}

result<Party> Engine::Impl::update_stored_party(Transaction& tx, const Context& ctx,
                                                const Party& before, Party after,
                                                std::string_view action, std::string_view event,
                                                bool* changed) {
    after.updated_at = now();
    after.version = before.version + 1;
    const auto after_fields = codec::party_fields(after);
    auto changes = codec::diff(codec::party_fields(before), after_fields);
    *changed = !changes.empty();
    if (changes.empty()) return before;
    CRM_TRYV(store_party(tx, after));
    CRM_TRYV(record(tx, ctx, "party", after.id, action, std::move(changes), event,
                    codec::object_text(after_fields)));
    return after;
}

result<void> check_context(const Context& ctx) {
    CRM_TRYV(text::check(ctx.actor, "context.actor", 200));
    return text::check(ctx.source, "context.source", 200);
}

namespace {

result<std::string> clean_text(const std::optional<std::string>& v, std::string_view field,
                               std::size_t max = 200) {
    CRM_TRYV(text::check(*v, field, max));
    return text::tidy(*v);
}

// "IR", "ir", "IRN", "Iran", "ایران" -> "IR". Other countries: ISO alpha-2.
result<std::string> clean_country(std::string_view v) {
    std::string t = text::tidy(v);
    if (t.empty()) return t;
    const std::string key = text::normalize(t);
    static const std::pair<const char*, const char*> kAliases[] = {
        {"irn", "IR"}, {"iran", "IR"}, {"ایران", "IR"}, {"i.r. iran", "IR"},
        {"islamic republic of iran", "IR"}, {"جمهوری اسلامی ایران", "IR"}};
    for (const auto& [alias, code] : kAliases)
        if (key == text::normalize(alias)) return std::string(code);
    if (t.size() == 2 && std::isalpha(static_cast<unsigned char>(t[0])) &&
        std::isalpha(static_cast<unsigned char>(t[1]))) {
        for (auto& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return t;
    }
    return fail(errc::invalid_argument, "is not an ISO 3166 alpha-2 country code", "country");
}

result<std::string> normalize_contact(const Engine::Impl& impl, ContactKind kind,
                                      std::string_view value, std::string_view path,
                                      std::string* operator_name) {
    switch (kind) {
        case ContactKind::email: return email::normalize(value, path);
        case ContactKind::phone: {
            CRM_TRY(parsed, phone::parse(value, impl.options.default_region, impl.operators.get(), path));
            if (operator_name) *operator_name = parsed.operator_name;
            return parsed.e164;
        }
        case ContactKind::address: {
            CRM_TRYV(text::check(value, path, 1000));
            std::string t = text::tidy(value);
            if (t.empty()) return fail(errc::invalid_argument, "is empty", std::string(path));
            return t;
        }
        case ContactKind::social: {
            CRM_TRYV(text::check(value, path, 300));
            std::string t = text::tidy(value);
            const auto colon = t.find(':');
            if (colon == std::string::npos || colon == 0 || colon + 1 == t.size())
                return fail(errc::invalid_argument, "must be written network:handle (instagram:ali)",
                            std::string(path));
            for (std::size_t i = 0; i < colon; ++i)
                t[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(t[i])));
            return t;
        }
    }
    return fail(errc::invalid_argument, "unknown contact kind", std::string(path));
}

result<void> check_consent(const Consent& c, std::string_view path) {
    CRM_TRYV(text::check(c.channel, std::string(path) + ".channel", 64));
    if (c.channel.empty())
        return fail(errc::invalid_argument, "is required", std::string(path) + ".channel");
    return text::check(c.source, std::string(path) + ".source", 200);
}

void put_consent(std::vector<Consent>& list, const Consent& c) {
    for (auto& existing : list)
        if (existing.channel == c.channel) {
            existing = c;
            return;
        }
    list.push_back(c);
}

}  // namespace

result<void> Engine::Impl::apply(Transaction& tx, Party& p, const PartyInput& in,
                                 bool creating) {
    if (in.created_at) CRM_TRYV(check_instant(*in.created_at, "created_at"));
    if (in.kind) {
        if (!creating && *in.kind != p.kind)
            return fail(errc::invalid_argument, "cannot change once the party exists", "kind");
        p.kind = *in.kind;
    }
    struct TextField {
        const std::optional<std::string>* in;
        std::string* out;
        const char* name;
    };
    const TextField texts[] = {{&in.external_id, &p.external_id, "external_id"},
                               {&in.first_name, &p.first_name, "first_name"},
                               {&in.last_name, &p.last_name, "last_name"},
                               {&in.organization_name, &p.organization_name, "organization_name"},
                               {&in.owner, &p.owner, "owner"},
                               {&in.city, &p.city, "city"}};
    for (const auto& f : texts)
        if (*f.in) {
            CRM_TRY(v, clean_text(*f.in, f.name));
            *f.out = std::move(v);
        }
    if (in.national_id) {
        CRM_TRYV(text::check(*in.national_id, "national_id", 64));
        if (text::tidy(*in.national_id).empty()) {
            p.national_id.clear();
        } else {
            CRM_TRY(nid, national_id::normalize(p.kind == PartyKind::person
                                                    ? national_id::Kind::person
                                                    : national_id::Kind::legal_entity,
                                                *in.national_id));
            p.national_id = std::move(nid);
        }
    }
    if (in.lifecycle_stage) {
        CRM_TRY(stage, clean_text(in.lifecycle_stage, "lifecycle_stage", 64));
        const auto& stages = options.lifecycle_stages;
        if (std::find(stages.begin(), stages.end(), stage) == stages.end()) {
            std::string list;
            for (const auto& s : stages) list += (list.empty() ? "" : ", ") + s;
            return fail(errc::invalid_argument, "'" + stage + "' is not one of: " + list,
                        "lifecycle_stage");
        }
        p.lifecycle_stage = std::move(stage);
    } else if (creating && p.lifecycle_stage.empty()) {
        p.lifecycle_stage = options.lifecycle_stages.front();
    }
    if (in.country) {
        CRM_TRYV(text::check(*in.country, "country", 64));
        CRM_TRY(c, clean_country(*in.country));
        p.country = std::move(c);
    }

    // Tags: replace, then add, then remove; tidy, non-empty, unique.
    auto clean_tag = [](const std::string& t, const std::string& path) -> result<std::string> {
        CRM_TRYV(text::check(t, path, 100));
        std::string v = text::tidy(t);
        if (v.empty()) return fail(errc::invalid_argument, "is empty", path);
        // ';' and '|' separate tags in CSV files.
        if (v.find_first_of(";|") != std::string::npos)
            return fail(errc::invalid_argument, "must not contain ';' or '|'", path);
        return v;
    };
    // At most kMaxTags distinct tags: the limit is checked as each tag is
    // added, so a long list costs time in proportion to it, never more.
    constexpr std::size_t kMaxTags = 100;
    if (in.remove_tags.size() > 10 * kMaxTags)
        return fail(errc::invalid_argument,
                    "lists more than " + std::to_string(10 * kMaxTags) + " tags to remove",
                    "remove_tags");
    if (in.tags) p.tags.clear();
    const std::vector<std::string> none;
    const auto& replace = in.tags ? *in.tags : none;
    for (std::size_t i = 0; i < replace.size() + in.add_tags.size(); ++i) {
        const bool from_tags = i < replace.size();
        const std::string& raw = from_tags ? replace[i] : in.add_tags[i - replace.size()];
        const std::string path = (from_tags ? "tags[" + std::to_string(i)
                                            : "add_tags[" + std::to_string(i - replace.size())) + "]";
        CRM_TRY(t, clean_tag(raw, path));
        if (std::find(p.tags.begin(), p.tags.end(), t) != p.tags.end()) continue;
        // The tags removed below may make room, but no more than that.
        if (p.tags.size() == kMaxTags + in.remove_tags.size())
            return fail(errc::invalid_argument,
                        "is one tag too many: a party has at most " + std::to_string(kMaxTags) +
                            " distinct tags",
                        path);
        p.tags.push_back(std::move(t));
    }
    for (std::size_t i = 0; i < in.remove_tags.size(); ++i) {
        CRM_TRY(t, clean_tag(in.remove_tags[i], "remove_tags[" + std::to_string(i) + "]"));
        p.tags.erase(std::remove(p.tags.begin(), p.tags.end(), t), p.tags.end());
    }
    if (p.tags.size() > kMaxTags)
        return fail(errc::invalid_argument,
                    "has " + std::to_string(p.tags.size()) + " distinct tags; a party has at most " +
                        std::to_string(kMaxTags),
                    "tags");

    // Custom fields: declared, typed, canonical.
    CRM_TRYV(apply_custom(tx, "party", in.custom, p.custom));

    // Contact points: removed by id, then ensured present by (kind, value).
    for (std::size_t i = 0; i < in.remove_contacts.size(); ++i) {
        auto it = std::find_if(p.contacts.begin(), p.contacts.end(),
                               [&](const ContactPoint& c) { return c.id == in.remove_contacts[i]; });
        if (it == p.contacts.end())
            return fail(errc::not_found, "no such contact point on this party",
                        "remove_contacts[" + std::to_string(i) + "]");
        p.contacts.erase(it);
    }
    for (std::size_t i = 0; i < in.contacts.size(); ++i) {
        const ContactInput& c = in.contacts[i];
        const std::string path = "contacts[" + std::to_string(i) + "]";
        std::string op;
        CRM_TRY(value, normalize_contact(*this, c.kind, c.value, path + ".value", &op));
        CRM_TRYV(text::check(c.type, path + ".type", 64));
        auto it = std::find_if(p.contacts.begin(), p.contacts.end(), [&](const ContactPoint& e) {
            return e.kind == c.kind &&
                   (c.kind == ContactKind::email ? email::match_key(e.value) == email::match_key(value)
                                                 : e.value == value);
        });
        if (it == p.contacts.end()) {
            if (p.contacts.size() >= 100)
                return fail(errc::invalid_argument, "more than 100 contact points", "contacts");
            ContactPoint cp;
            cp.id = new_id();
            cp.kind = c.kind;
            cp.value = value;
            cp.operator_name = op;
            p.contacts.push_back(std::move(cp));
            it = std::prev(p.contacts.end());
        }
        if (!c.type.empty()) it->type = text::tidy(c.type);
        if (c.verified) it->verified = *c.verified;
        for (std::size_t k = 0; k < c.consents.size(); ++k) {
            CRM_TRYV(check_consent(c.consents[k], path + ".consents[" + std::to_string(k) + "]"));
            Consent consent = c.consents[k];
            if (consent.at.ms == 0) consent.at = now();
            put_consent(it->consents, consent);
        }
        if (c.primary && *c.primary) {
            for (auto& other : p.contacts)
                if (other.kind == c.kind) other.primary = false;
            it->primary = true;
        } else if (c.primary) {
            it->primary = false;
        }
    }
    // Each kind present has exactly one primary: the first, unless chosen.
    for (auto& c : p.contacts) {
        const bool any = std::any_of(p.contacts.begin(), p.contacts.end(), [&](const ContactPoint& o) {
            return o.kind == c.kind && o.primary;
        });
        if (!any) c.primary = true;
    }

    if (p.kind == PartyKind::person && p.first_name.empty() && p.last_name.empty())
        return fail(errc::invalid_argument, "a person needs a first or last name", "last_name");
    if (p.kind == PartyKind::organization && p.organization_name.empty())
        return fail(errc::invalid_argument, "an organization needs a name", "organization_name");
    return ok();
}

// ---- parties -------------------------------------------------------------

result<void> Engine::Impl::apply_custom(Transaction& tx, std::string_view record_type,
                                         const CustomValues& in, CustomValues& values) {
    CRM_TRY(defs, fields_of(tx, record_type));
    for (const auto& [name, value] : in) {
        const std::string path = "custom." + name;
        auto def = std::find_if(defs->begin(), defs->end(),
                                [&](const FieldDef& d) { return d.name == name; });
        if (def == defs->end())
            return fail(errc::invalid_argument,
                        "is not a declared custom field of " + std::string(record_type), path);
        CRM_TRY(v, check_value(*def, value, path));
        if (is_null(v)) values.erase(name);
        else values[name] = std::move(v);
    }
    for (const auto& def : *defs)
        if (def.required && !values.count(def.name))
            return fail(errc::invalid_argument, "is required", "custom." + def.name);
    return ok();
}

result<Party> Engine::Impl::insert_party(Transaction& tx, const Context& ctx,
                                         const PartyInput& input) {
    Party p;
    p.kind = input.kind.value_or(PartyKind::person);
    CRM_TRYV(apply(tx, p, input, true));
    if (!p.external_id.empty()) {
        CRM_TRY(existing, tx.party_by_external_id(p.external_id));
        if (!existing.is_nil())
            return fail(errc::conflict, "'" + p.external_id + "' belongs to another party",
                        "external_id");
    }
    p.id = new_id();
    p.created_at = input.created_at.value_or(now());
    p.updated_at = now();
    p.version = 1;
    CRM_TRYV(create_stored_party(tx, ctx, p));
    return p;
}

result<Party> Engine::create_party(const Context& ctx, const PartyInput& input) {
    CRM_TRYV(check_context(ctx));
    return impl_->write(
        [&](Transaction& tx) { return impl_->insert_party(tx, ctx, input); });
}

namespace {
result<Party> update_in(Engine::Impl& impl, Transaction& tx, const Context& ctx,
                        const Party& p, const PartyInput& input, bool* changed) {
    Party next = p;
    CRM_TRYV(impl.apply(tx, next, input, false));
    if (input.created_at) next.created_at = *input.created_at;
    if (!next.external_id.empty() && next.external_id != p.external_id) {
        CRM_TRY(owner, tx.party_by_external_id(next.external_id));
        if (!owner.is_nil() && owner != p.id)
            return fail(errc::conflict, "'" + next.external_id + "' belongs to another party",
                        "external_id");
    }
    return impl.update_stored_party(tx, ctx, p, std::move(next), "update", "party.updated", changed);
}
}  // namespace

result<Written<Party>> Engine::upsert_party(const Context& ctx, const PartyInput& input) {
    CRM_TRYV(check_context(ctx));
    if (!input.external_id || text::tidy(*input.external_id).empty())
        return fail(errc::invalid_argument, "is required for an upsert", "external_id");
    CRM_TRYV(text::check(*input.external_id, "external_id", 200));
    const std::string ext = text::tidy(*input.external_id);
    return impl_->write_decided([&](Transaction& tx) -> result<Written<Party>> {
        CRM_TRY(id, tx.party_by_external_id(ext));
        if (id.is_nil()) {
            Party p;
            p.kind = input.kind.value_or(PartyKind::person);
            CRM_TRYV(impl_->apply(tx, p, input, true));
            p.id = impl_->new_id();
            p.created_at = input.created_at.value_or(impl_->now());
            p.updated_at = impl_->now();
            p.version = 1;
            CRM_TRYV(impl_->create_stored_party(tx, ctx, p));
            return Written<Party>{std::move(p), WriteOutcome::created};
        }
        CRM_TRY(p, impl_->load_live_party(tx, id));
        bool changed = false;
        CRM_TRY(updated, update_in(*impl_, tx, ctx, p, input, &changed));
        return Written<Party>{std::move(updated),
                              changed ? WriteOutcome::updated : WriteOutcome::unchanged};
    });
}

result<Party> Engine::update_party(const Context& ctx, const Id& id, const PartyInput& input) {
    CRM_TRYV(check_context(ctx));
    return impl_->write([&](Transaction& tx) -> result<Party> {
        CRM_TRY(p, impl_->load_live_party(tx, id, "id"));
        bool changed = false;
        return update_in(*impl_, tx, ctx, p, input, &changed);
    });
}

result<Party> Engine::get_party(const Id& id) {
    return impl_->read([&](Transaction& tx) { return impl_->load_live_party(tx, id); });
}

result<Party> Engine::get_party_by_external_id(std::string_view external_id) {
    return impl_->read([&](Transaction& tx) -> result<Party> {
        CRM_TRY(id, tx.party_by_external_id(text::tidy(external_id)));
        if (id.is_nil())
            return fail(errc::not_found,
                        "no party with external id '" + std::string(external_id.substr(0, 200)) + "'",
                        "external_id");
        return impl_->load_live_party(tx, id);
    });
}

result<Party> Engine::find_party(std::string_view key) {
    if (auto id = Id::parse(key); id) {
        auto p = get_party(id.value());
        if (p || p.error().code != errc::not_found) return p;
    }
    return get_party_by_external_id(key);
}

result<std::vector<Party>> Engine::list_parties(const Id& after, int limit) {
    if (limit < 1 || limit > 1000) return fail(errc::invalid_argument, "must be 1..1000", "limit");
    return impl_->read([&](Transaction& tx) -> result<std::vector<Party>> {
        std::vector<Party> out;
        CRM_TRYV(tx.for_each_party(after, [&](const Party& p) {
            out.push_back(p);
            return static_cast<int>(out.size()) < limit;
        }));
        return out;
    });
}

result<Party> Engine::set_consent(const Context& ctx, const Id& party, const Id& contact,
                                  const Consent& consent) {
    CRM_TRYV(check_context(ctx));
    CRM_TRYV(check_consent(consent, "consent"));
    return impl_->write([&](Transaction& tx) -> result<Party> {
        CRM_TRY(p, impl_->load_live_party(tx, party));
        auto it = std::find_if(p.contacts.begin(), p.contacts.end(),
                               [&](const ContactPoint& c) { return c.id == contact; });
        if (it == p.contacts.end())
            return fail(errc::not_found, "no such contact point on this party", "contact");
        Party next = p;
        Consent c = consent;
        if (c.at.ms == 0) c.at = impl_->now();
        CRM_TRYV(check_instant(c.at, "at"));
        put_consent(next.contacts[static_cast<std::size_t>(it - p.contacts.begin())].consents, c);
        bool changed = false;
        return impl_->update_stored_party(tx, ctx, p, std::move(next), "consent",
                                          "party.consent_changed", &changed);
    });
}

// ---- organisations -------------------------------------------------------

result<Membership> Engine::link_to_organization(const Context& ctx, const Id& person,
                                                const Id& organization, std::string_view role) {
    CRM_TRYV(check_context(ctx));
    CRM_TRYV(text::check(role, "role", 200));
    return impl_->write([&](Transaction& tx) -> result<Membership> {
        CRM_TRY(p, impl_->load_live_party(tx, person, "person"));
        CRM_TRY(o, impl_->load_live_party(tx, organization, "organization"));
        if (p.kind != PartyKind::person)
            return fail(errc::invalid_argument, "must be a person", "person");
        if (o.kind != PartyKind::organization)
            return fail(errc::invalid_argument, "must be an organization", "organization");
        Membership m{p.id, o.id, text::tidy(role), impl_->now()};
        CRM_TRYV(tx.put_membership(m));
        CRM_TRYV(impl_->changed(tx, PartyChange::of(p.id, PartyChange::memberships)));
        CRM_TRYV(impl_->record(tx, ctx, "membership", p.id, "link",
                               {{"organization", "null", json(o.id.str()).dump()},
                                {"role", "null", json(m.role).dump()}},
                               "membership.linked", codec::to_json(m)));
        return m;
    });
}

result<void> Engine::unlink_from_organization(const Context& ctx, const Id& person,
                                              const Id& organization) {
    CRM_TRYV(check_context(ctx));
    return impl_->write([&](Transaction& tx) -> result<void> {
        CRM_TRY(p, impl_->load_live_party(tx, person, "person"));
        CRM_TRY(o, impl_->load_live_party(tx, organization, "organization"));
        CRM_TRY(removed, tx.delete_membership(p.id, o.id));
        if (!removed) return fail(errc::not_found, "the person is not a member", "organization");
        CRM_TRYV(impl_->changed(tx, PartyChange::of(p.id, PartyChange::memberships)));
        return impl_->record(tx, ctx, "membership", p.id, "unlink",
                             {{"organization", json(o.id.str()).dump(), "null"}},
                             "membership.unlinked",
                             {{"person", p.id.str()}, {"organization", o.id.str()}});
    });
}

// ---- timeline ------------------------------------------------------------

result<Interaction> Engine::log_interaction(const Context& ctx, const Interaction& input) {
    CRM_TRYV(check_context(ctx));
    Interaction i = input;
    CRM_TRYV(text::check(i.subject, "subject", 1024));
    CRM_TRYV(text::check(i.summary, "summary", 65536));
    CRM_TRYV(text::check(i.actor, "actor", 200));
    CRM_TRYV(text::check(i.outcome, "outcome", 200));
    CRM_TRYV(text::check(i.external_id, "external_id", 200));
    if (i.duration_s && *i.duration_s < 0)
        return fail(errc::invalid_argument, "must not be negative", "duration_s");
    i.subject = text::tidy(i.subject);
    i.external_id = text::tidy(i.external_id);
    if (i.actor.empty()) i.actor = ctx.actor;
    return impl_->write([&](Transaction& tx) -> result<Interaction> {
        if (!i.external_id.empty()) {
            CRM_TRY(existing, tx.interaction_by_external_id(i.external_id));
            if (existing) return std::move(*existing);
        }
        CRM_TRY(p, impl_->load_live_party(tx, i.party));
        i.party = p.id;
        i.id = impl_->new_id();
        if (i.at.ms == 0) i.at = impl_->now();
        CRM_TRYV(check_instant(i.at, "at"));
        CRM_TRYV(tx.put_interaction(i));
        PartyChange logged = PartyChange::of(i.party, 0);
        logged.interaction = std::make_pair(i.channel, i.at);
        CRM_TRYV(impl_->changed(tx, logged));
        const json j = codec::to_json(i);
        CRM_TRYV(impl_->record(tx, ctx, "interaction", i.id, "create", diff(json::object(), j),
                               "interaction.logged", j));
        return i;
    });
}

result<Page<Interaction>> Engine::timeline(const Id& party, const TimelineQuery& query) {
    if (query.limit < 1 || query.limit > 1000)
        return fail(errc::invalid_argument, "must be 1..1000", "limit");
    return impl_->read([&](Transaction& tx) -> result<Page<Interaction>> {
        CRM_TRY(p, impl_->load_live_party(tx, party));
        return tx.interactions(p.id, query);
    });
}

// ---- activities ----------------------------------------------------------

result<Activity> Engine::schedule_activity(const Context& ctx, const Activity& input) {
    CRM_TRYV(check_context(ctx));
    Activity a = input;
    CRM_TRYV(text::check(a.subject, "subject", 1024));
    CRM_TRYV(text::check(a.note, "note", 65536));
    CRM_TRYV(text::check(a.assignee, "assignee", 200));
    a.subject = text::tidy(a.subject);
    a.assignee = text::tidy(a.assignee);
    if (a.subject.empty()) return fail(errc::invalid_argument, "is required", "subject");
    if (a.due.ms == 0) return fail(errc::invalid_argument, "is required", "due");
    CRM_TRYV(check_instant(a.due, "due"));
    return impl_->write([&](Transaction& tx) -> result<Activity> {
        CRM_TRY(p, impl_->load_live_party(tx, a.party));
        a.party = p.id;
        a.id = impl_->new_id();
        a.status = ActivityStatus::open;
        a.created_at = impl_->now();
        a.closed_at.reset();
        CRM_TRYV(tx.put_activity(a));
        const json j = codec::to_json(a);
        CRM_TRYV(impl_->record(tx, ctx, "activity", a.id, "create", diff(json::object(), j),
                               "activity.scheduled", j));
        return a;
    });
}

namespace {
result<Activity> close_activity(Engine::Impl& impl, const Context& ctx, const Id& id,
                                ActivityStatus to) {
    CRM_TRYV(check_context(ctx));
    return impl.write([&](Transaction& tx) -> result<Activity> {
        CRM_TRY(found, tx.get_activity(id));
        if (!found) return fail(errc::not_found, "no activity with id " + id.str(), "activity");
        Activity a = std::move(*found);
        if (a.status != ActivityStatus::open)
            return fail(errc::invalid_transition,
                        std::string("activity is ") + to_string(a.status) + "; only an open activity can become " +
                            to_string(to),
                        "status");
        const json before = codec::to_json(a);
        a.status = to;
        a.closed_at = impl.now();
        CRM_TRYV(tx.put_activity(a));
        const json after = codec::to_json(a);
        CRM_TRYV(impl.record(tx, ctx, "activity", a.id, to_string(to), diff(before, after),
                             to == ActivityStatus::done ? "activity.done" : "activity.cancelled", after));
        return a;
    });
}
}  // namespace

result<Activity> Engine::complete_activity(const Context& ctx, const Id& activity) {
    return close_activity(*impl_, ctx, activity, ActivityStatus::done);
}
result<Activity> Engine::cancel_activity(const Context& ctx, const Id& activity) {
    return close_activity(*impl_, ctx, activity, ActivityStatus::cancelled);
}

result<std::vector<Activity>> Engine::overdue_activities(std::string_view assignee, int limit) {
    return activities_due_by(assignee, impl_->now(), limit);
}

result<std::vector<Activity>> Engine::activities_due_by(std::string_view assignee, Timestamp until,
                                                        int limit) {
    if (limit < 1 || limit > 10000) return fail(errc::invalid_argument, "must be 1..10000", "limit");
    CRM_TRYV(text::check(assignee, "assignee", 200));
    return impl_->read([&](Transaction& tx) {
        return tx.activities_due(text::tidy(assignee), until, limit);
    });
}

// ---- purchases -----------------------------------------------------------

result<Written<Purchase>> Engine::record_purchase(const Context& ctx, const Purchase& input) {
    CRM_TRYV(check_context(ctx));
    Purchase p = input;
    CRM_TRYV(text::check(p.order_id, "order_id", 200));
    p.order_id = text::tidy(p.order_id);
    if (p.order_id.empty()) return fail(errc::invalid_argument, "is required", "order_id");
    if (p.ordered_at.ms == 0) return fail(errc::invalid_argument, "is required", "ordered_at");
    CRM_TRYV(check_instant(p.ordered_at, "ordered_at"));
    CRM_TRYV(Money::of(p.total.minor, p.total.currency, "total"));
    if (p.total.minor < 0) return fail(errc::invalid_argument, "must not be negative", "total");
    for (std::size_t i = 0; i < p.lines.size(); ++i) {
        const std::string path = "lines[" + std::to_string(i) + "]";
        auto& l = p.lines[i];
        CRM_TRYV(text::check(l.sku, path + ".sku", 200));
        CRM_TRYV(text::check(l.name, path + ".name", 1024));
        if (l.quantity <= 0) return fail(errc::invalid_argument, "must be positive", path + ".quantity");
        if (l.unit_price.currency.empty()) l.unit_price.currency = p.total.currency;
        if (l.unit_price.currency != p.total.currency)
            return fail(errc::invalid_argument, "currency differs from the order's", path + ".unit_price");
        if (l.total.currency.empty()) {
            CRM_TRY(t, l.unit_price.times(l.quantity));
            l.total = std::move(t);
        }
        if (l.total.currency != p.total.currency)
            return fail(errc::invalid_argument, "currency differs from the order's", path + ".total");
    }
    return impl_->write([&](Transaction& tx) -> result<Written<Purchase>> {
        CRM_TRY(party, impl_->load_live_party(tx, p.party));
        p.party = party.id;
        CRM_TRY(existing, tx.purchase_by_order_id(p.order_id));
        json before = json::object();
        WriteOutcome outcome = WriteOutcome::created;
        if (existing) {
            p.id = existing->id;
            before = codec::to_json(*existing);
            const json after = codec::to_json(p);
            if (before == after) return Written<Purchase>{std::move(*existing), WriteOutcome::unchanged};
            outcome = WriteOutcome::updated;
        } else {
            p.id = impl_->new_id();
        }
        CRM_TRYV(tx.put_purchase(p));
        CRM_TRYV(impl_->changed(tx, PartyChange::of(p.party, PartyChange::purchases)));
        if (existing && existing->party != p.party)
            CRM_TRYV(impl_->changed(tx, PartyChange::of(existing->party, PartyChange::purchases)));
        CRM_TRYV(marketing::purchase_recorded(*impl_, tx, ctx, p, existing ? existing->party : Id{}));
        const json after = codec::to_json(p);
        CRM_TRYV(impl_->record(tx, ctx, "purchase", p.id, existing ? "update" : "create",
                               diff(before, after),
                               existing ? "purchase.updated" : "purchase.recorded", after));
        return Written<Purchase>{p, outcome};
    });
}

result<std::vector<Purchase>> Engine::purchases(const Id& party) {
    return impl_->read([&](Transaction& tx) -> result<std::vector<Purchase>> {
        CRM_TRY(p, impl_->load_live_party(tx, party));
        return tx.purchases_of(p.id);
    });
}

// ---- custom fields -------------------------------------------------------

result<FieldDef> Engine::define_field(const Context& ctx, const FieldDef& def) {
    CRM_TRYV(check_context(ctx));
    CRM_TRYV(validate(def));
    return impl_->write([&](Transaction& tx) -> result<FieldDef> {
        CRM_TRY(existing, tx.fields(def.record_type));
        json before = json::object();
        for (const auto& e : existing)
            if (e.name == def.name) {
                if (e.type != def.type)
                    return fail(errc::conflict,
                                std::string("field exists with type ") + to_string(e.type) +
                                    "; a type cannot change",
                                "type");
                before = codec::to_json(e);
            }
        CRM_TRYV(tx.put_field(def));
        impl_->field_cache.erase(def.record_type);
        const json after = codec::to_json(def);
        CRM_TRYV(impl_->record(tx, ctx, "field", Id{}, before.empty() ? "create" : "update",
                               diff(before, after), "field.defined", after));
        return def;
    });
}

result<std::vector<FieldDef>> Engine::fields(std::string_view record_type) {
    return impl_->read([&](Transaction& tx) { return tx.fields(record_type); });
}

// ---- audit and events ----------------------------------------------------

result<std::vector<AuditEntry>> Engine::audit_trail(const Id& record, int limit) {
    if (limit < 1 || limit > 10000) return fail(errc::invalid_argument, "must be 1..10000", "limit");
    return impl_->read([&](Transaction& tx) { return tx.audit_of(record, limit); });
}

result<std::vector<Event>> Engine::events_after(std::int64_t cursor, int limit) {
    if (cursor < 0) return fail(errc::invalid_argument, "must not be negative", "cursor");
    if (limit < 1 || limit > 10000) return fail(errc::invalid_argument, "must be 1..10000", "limit");
    return impl_->read([&](Transaction& tx) { return tx.events_after(cursor, limit); });
}

result<void> Engine::acknowledge(std::string_view consumer, std::int64_t cursor) {
    CRM_TRYV(text::check(consumer, "consumer", 200));
    if (consumer.empty()) return fail(errc::invalid_argument, "is required", "consumer");
    if (cursor < 0) return fail(errc::invalid_argument, "must not be negative", "cursor");
    return impl_->write([&](Transaction& tx) -> result<void> {
        CRM_TRY(current, tx.cursor(consumer));
        if (cursor < current)
            return fail(errc::conflict,
                        "cursor " + std::to_string(cursor) + " is behind the acknowledged " +
                            std::to_string(current),
                        "cursor");
        if (cursor > 0) {
            CRM_TRY(at, tx.events_after(cursor - 1, 1));
            if (at.empty())
                return fail(errc::invalid_argument,
                            "cursor " + std::to_string(cursor) + " is beyond the newest event",
                            "cursor");
        }
        return tx.set_cursor(consumer, cursor);
    });
}

result<std::int64_t> Engine::consumer_cursor(std::string_view consumer) {
    CRM_TRYV(text::check(consumer, "consumer", 200));
    return impl_->read([&](Transaction& tx) { return tx.cursor(consumer); });
}

}  // namespace crm
