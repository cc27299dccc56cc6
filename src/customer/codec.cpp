// src/customer/codec.cpp - JSON writers and strict readers of the customer
// context's records.
#include "customer/codec.hpp"

#include <algorithm>

#include "crm/core/text.hpp"
#include "customer/party_text.hpp"

namespace crm::codec {

// ---- writers -------------------------------------------------------------
json to_json(const Money& m) { return {{"minor", m.minor}, {"currency", m.currency}}; }

json to_json(const Value& v) {
    return std::visit(
        [](const auto& x) -> json {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) return nullptr;
            else if constexpr (std::is_same_v<T, Money>) return to_json(x);
            else return json(x);
        },
        v);
}

json to_json(const CustomValues& values) {
    json out = json::object();
    for (const auto& [k, v] : values) out[k] = to_json(v);
    return out;
}

json to_json(const Consent& c) {
    return {{"channel", c.channel}, {"status", to_string(c.status)}, {"at", time_json(c.at)},
            {"source", c.source}};
}

// Parties and contact points have one JSON form, written by hand for the
// bulk path (party_text.cpp); the tree is parsed from it.
json to_json(const ContactPoint& c) { return json::parse(contact_text(c)); }
json to_json(const Party& p) { return json::parse(object_text(party_fields(p))); }

json to_json(const Membership& m) {
    return {{"person", to_json(m.person)}, {"organization", to_json(m.organization)},
            {"role", m.role}, {"since", time_json(m.since)}};
}

json to_json(const Interaction& i) {
    json out = {{"id", to_json(i.id)},       {"party", to_json(i.party)},
                {"channel", to_string(i.channel)}, {"direction", to_string(i.direction)},
                {"at", time_json(i.at)},     {"subject", i.subject},
                {"summary", i.summary},      {"actor", i.actor},
                {"outcome", i.outcome},      {"external_id", i.external_id}};
    out["duration_s"] = i.duration_s ? json(*i.duration_s) : json(nullptr);
    return out;
}

json to_json(const Activity& a) {
    return {{"id", to_json(a.id)},          {"party", to_json(a.party)},
            {"kind", to_string(a.kind)},    {"subject", a.subject},
            {"note", a.note},               {"due", time_json(a.due)},
            {"assignee", a.assignee},       {"status", to_string(a.status)},
            {"created_at", time_json(a.created_at)},
            {"closed_at", a.closed_at ? time_json(*a.closed_at) : json(nullptr)}};
}

json to_json(const PurchaseLine& l) {
    return {{"sku", l.sku}, {"name", l.name}, {"quantity", l.quantity},
            {"unit_price", to_json(l.unit_price)}, {"total", to_json(l.total)}};
}

json to_json(const Purchase& p) {
    json lines = json::array();
    for (const auto& l : p.lines) lines.push_back(to_json(l));
    return {{"id", to_json(p.id)},   {"party", to_json(p.party)},
            {"order_id", p.order_id}, {"ordered_at", time_json(p.ordered_at)},
            {"total", to_json(p.total)}, {"lines", lines}};
}

json to_json(const PurchaseSummary& s) {
    return {{"currency", s.currency}, {"count", s.count}, {"total_minor", s.total_minor},
            {"first_at", time_json(s.first_at)}, {"last_at", time_json(s.last_at)}};
}

json to_json(const ClvScore& s) {
    return {{"party", to_json(s.party)},
            {"computed_at", time_json(s.computed_at)},
            {"model", s.model},
            {"value", to_json(s.value)},
            {"expected_spend", to_json(s.expected_spend)},
            {"expected_purchases", s.expected_purchases},
            {"p_alive", s.p_alive},
            {"horizon_days", s.horizon_days},
            {"annual_discount_rate", s.annual_discount_rate}};
}

json to_json(const FieldDef& f) {
    json out = {{"record_type", f.record_type}, {"name", f.name}, {"label", f.label},
                {"type", to_string(f.type)}, {"required", f.required}, {"allowed", f.allowed}};
    if (f.min) out["min"] = *f.min;
    if (f.max) out["max"] = *f.max;
    if (!f.currency.empty()) out["currency"] = f.currency;
    return out;
}

json to_json(const SearchHit& h) {
    return {{"id", to_json(h.id)},         {"kind", to_string(h.kind)},
            {"external_id", h.external_id}, {"display_name", h.display_name},
            {"city", h.city},               {"matched", h.matched}};
}

json to_json(const DuplicatePair& d) {
    return {{"a", {{"id", to_json(d.a)}, {"external_id", d.a_external_id}}},
            {"b", {{"id", to_json(d.b)}, {"external_id", d.b_external_id}}},
            {"score", d.score},
            {"reasons", d.reasons}};
}

json to_json(const AuditEntry& a) {
    json changes = json::array();
    for (const auto& c : a.changes) {
        json ch = {{"field", c.field}};
        ch["before"] = json::parse(c.before, nullptr, false);
        ch["after"] = json::parse(c.after, nullptr, false);
        changes.push_back(ch);
    }
    return {{"seq", a.seq},       {"at", time_json(a.at)},         {"actor", a.actor},
            {"source", a.source}, {"record_type", a.record_type},  {"record_id", to_json(a.record_id)},
            {"action", a.action}, {"changes", changes}};
}

json to_json(const Event& e) {
    return {{"seq", e.seq},
            {"at", time_json(e.at)},
            {"type", e.type},
            {"record_type", e.record_type},
            {"record_id", to_json(e.record_id)},
            {"payload", json::parse(e.payload, nullptr, false)}};
}

// ---- strict readers ------------------------------------------------------
result<Money> money_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"minor", "currency"}));
    CRM_TRY(minor, get_int(j, "minor", path));
    CRM_TRY(cur, get_string(j, "currency", path, 8));
    if (!minor) return fail(errc::invalid_argument, "is required", join(path, "minor"));
    if (!cur) return fail(errc::invalid_argument, "is required", join(path, "currency"));
    return Money::of(*minor, *cur, path);
}

result<Value> value_from_json(const json& j, std::string_view path) {
    const std::string p(path);
    switch (j.type()) {
        case json::value_t::null: return Value{};
        case json::value_t::boolean: return Value{j.get<bool>()};
        case json::value_t::number_integer: return Value{j.get<std::int64_t>()};
        case json::value_t::number_unsigned:
            if (j.get<std::uint64_t>() > INT64_MAX)
                return fail(errc::invalid_argument, "is out of the 64-bit range", p);
            return Value{j.get<std::int64_t>()};
        case json::value_t::number_float: return Value{j.dump()};
        case json::value_t::string: {
            CRM_TRY(s, string_of(j, p, 4096));
            return Value{std::move(s)};
        }
        case json::value_t::object: {
            CRM_TRY(m, money_from_json(j, path));
            return Value{std::move(m)};
        }
        case json::value_t::array: {
            std::vector<std::string> out;
            for (std::size_t i = 0; i < j.size(); ++i) {
                CRM_TRY(s, string_of(j[i], p + "[" + std::to_string(i) + "]", 1024));
                out.push_back(std::move(s));
            }
            return Value{std::move(out)};
        }
        default: return fail(errc::invalid_argument, "is not a supported value", p);
    }
}

result<Consent> consent_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"channel", "status", "at", "source"}));
    Consent c;
    CRM_TRY(channel, get_string(j, "channel", path, 64));
    if (!channel || channel->empty())
        return fail(errc::invalid_argument, "is required", join(path, "channel"));
    c.channel = *channel;
    CRM_TRY(status, get_string(j, "status", path, 32));
    if (status) {
        CRM_TRY(st, parse_consent_status(*status, join(path, "status")));
        c.status = st;
    }
    CRM_TRY(at, get_time(j, "at", path));
    if (at) c.at = *at;
    CRM_TRY(source, get_string(j, "source", path, 200));
    if (source) c.source = *source;
    return c;
}

result<ContactInput> contact_input_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"kind", "value", "type", "primary", "verified", "consents"}));
    ContactInput c;
    CRM_TRY(kind, get_string(j, "kind", path, 32));
    if (!kind) return fail(errc::invalid_argument, "is required", join(path, "kind"));
    CRM_TRY(k, parse_contact_kind(*kind, join(path, "kind")));
    c.kind = k;
    CRM_TRY(value, get_string(j, "value", path, 1024));
    if (!value) return fail(errc::invalid_argument, "is required", join(path, "value"));
    c.value = *value;
    CRM_TRY(type, get_string(j, "type", path, 64));
    if (type) c.type = *type;
    CRM_TRY(primary, get_bool(j, "primary", path));
    c.primary = primary;
    CRM_TRY(verified, get_bool(j, "verified", path));
    c.verified = verified;
    if (const json* cs = member(j, "consents")) {
        const std::string p = join(path, "consents");
        if (!cs->is_array()) return fail(errc::invalid_argument, "must be an array", p);
        for (std::size_t i = 0; i < cs->size(); ++i) {
            CRM_TRY(consent, consent_from_json((*cs)[i], p + "[" + std::to_string(i) + "]"));
            c.consents.push_back(std::move(consent));
        }
    }
    return c;
}

result<PartyInput> party_input_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path,
                           {"kind", "external_id", "first_name", "last_name", "organization_name",
                            "national_id", "lifecycle_stage", "owner", "city", "country", "tags",
                            "add_tags", "remove_tags", "custom", "contacts", "remove_contacts",
                            "created_at"}));
    PartyInput in;
    CRM_TRY(kind, get_string(j, "kind", path, 32));
    if (kind) {
        CRM_TRY(k, parse_party_kind(*kind, join(path, "kind")));
        in.kind = k;
    }
    struct TextField {
        const char* key;
        std::optional<std::string> PartyInput::*member;
    };
    static constexpr TextField kText[] = {
        {"external_id", &PartyInput::external_id},   {"first_name", &PartyInput::first_name},
        {"last_name", &PartyInput::last_name},       {"organization_name", &PartyInput::organization_name},
        {"national_id", &PartyInput::national_id},   {"lifecycle_stage", &PartyInput::lifecycle_stage},
        {"owner", &PartyInput::owner},               {"city", &PartyInput::city},
        {"country", &PartyInput::country}};
    for (const auto& f : kText) {
        CRM_TRY(v, get_string(j, f.key, path, 1024));
        in.*(f.member) = std::move(v);
    }
    CRM_TRY(tags, get_strings(j, "tags", path));
    in.tags = std::move(tags);
    CRM_TRY(add, get_strings(j, "add_tags", path));
    if (add) in.add_tags = std::move(*add);
    CRM_TRY(remove, get_strings(j, "remove_tags", path));
    if (remove) in.remove_tags = std::move(*remove);
    if (auto it = j.find("custom"); it != j.end()) {
        const std::string p = join(path, "custom");
        if (!it->is_object()) return fail(errc::invalid_argument, "must be an object", p);
        for (const auto& [k, v] : it->items()) {
            CRM_TRY(value, value_from_json(v, join(p, k)));
            in.custom[k] = std::move(value);
        }
    }
    if (const json* cs = member(j, "contacts")) {
        const std::string p = join(path, "contacts");
        if (!cs->is_array()) return fail(errc::invalid_argument, "must be an array", p);
        for (std::size_t i = 0; i < cs->size(); ++i) {
            CRM_TRY(c, contact_input_from_json((*cs)[i], p + "[" + std::to_string(i) + "]"));
            in.contacts.push_back(std::move(c));
        }
    }
    CRM_TRY(removes, get_strings(j, "remove_contacts", path));
    if (removes)
        for (std::size_t i = 0; i < removes->size(); ++i) {
            CRM_TRY(id, Id::parse((*removes)[i],
                                  join(path, "remove_contacts") + "[" + std::to_string(i) + "]"));
            in.remove_contacts.push_back(id);
        }
    CRM_TRY(created, get_time(j, "created_at", path));
    in.created_at = created;
    return in;
}

result<Interaction> interaction_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"party", "channel", "direction", "at", "subject", "summary",
                                     "actor", "duration_s", "outcome", "external_id"}));
    Interaction i;
    CRM_TRY(party, get_id(j, "party", path));
    if (!party) return fail(errc::invalid_argument, "is required", join(path, "party"));
    i.party = *party;
    CRM_TRY(channel, get_string(j, "channel", path, 32));
    if (!channel) return fail(errc::invalid_argument, "is required", join(path, "channel"));
    CRM_TRY(ch, parse_channel(*channel, join(path, "channel")));
    i.channel = ch;
    CRM_TRY(dir, get_string(j, "direction", path, 32));
    if (dir) {
        CRM_TRY(d, parse_direction(*dir, join(path, "direction")));
        i.direction = d;
    }
    CRM_TRY(at, get_time(j, "at", path));
    if (at) i.at = *at;
    CRM_TRY(subject, get_string(j, "subject", path, 1024));
    if (subject) i.subject = *subject;
    CRM_TRY(summary, get_string(j, "summary", path, 65536));
    if (summary) i.summary = *summary;
    CRM_TRY(actor, get_string(j, "actor", path, 200));
    if (actor) i.actor = *actor;
    CRM_TRY(duration, get_int(j, "duration_s", path));
    i.duration_s = duration;
    CRM_TRY(outcome, get_string(j, "outcome", path, 200));
    if (outcome) i.outcome = *outcome;
    CRM_TRY(ext, get_string(j, "external_id", path, 200));
    if (ext) i.external_id = *ext;
    return i;
}

result<Activity> activity_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"party", "kind", "subject", "note", "due", "assignee"}));
    Activity a;
    CRM_TRY(party, get_id(j, "party", path));
    if (!party) return fail(errc::invalid_argument, "is required", join(path, "party"));
    a.party = *party;
    CRM_TRY(kind, get_string(j, "kind", path, 32));
    if (kind) {
        CRM_TRY(k, parse_activity_kind(*kind, join(path, "kind")));
        a.kind = k;
    }
    CRM_TRY(subject, get_string(j, "subject", path, 1024));
    if (subject) a.subject = *subject;
    CRM_TRY(note, get_string(j, "note", path, 65536));
    if (note) a.note = *note;
    CRM_TRY(due, get_time(j, "due", path));
    if (!due) return fail(errc::invalid_argument, "is required", join(path, "due"));
    a.due = *due;
    CRM_TRY(assignee, get_string(j, "assignee", path, 200));
    if (assignee) a.assignee = *assignee;
    return a;
}

result<Purchase> purchase_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"party", "order_id", "ordered_at", "total", "lines"}));
    Purchase p;
    CRM_TRY(party, get_id(j, "party", path));
    if (!party) return fail(errc::invalid_argument, "is required", join(path, "party"));
    p.party = *party;
    CRM_TRY(order, get_string(j, "order_id", path, 200));
    if (!order) return fail(errc::invalid_argument, "is required", join(path, "order_id"));
    p.order_id = *order;
    CRM_TRY(at, get_time(j, "ordered_at", path));
    if (!at) return fail(errc::invalid_argument, "is required", join(path, "ordered_at"));
    p.ordered_at = *at;
    const json* total = member(j, "total");
    if (!total) return fail(errc::invalid_argument, "is required", join(path, "total"));
    CRM_TRY(t, money_from_json(*total, join(path, "total")));
    p.total = std::move(t);
    if (const json* lines = member(j, "lines")) {
        const std::string lp = join(path, "lines");
        if (!lines->is_array()) return fail(errc::invalid_argument, "must be an array", lp);
        for (std::size_t i = 0; i < lines->size(); ++i) {
            const std::string ip = lp + "[" + std::to_string(i) + "]";
            const json& l = (*lines)[i];
            CRM_TRYV(expect_object(l, ip, {"sku", "name", "quantity", "unit_price", "total"}));
            PurchaseLine line;
            CRM_TRY(sku, get_string(l, "sku", ip, 200));
            if (sku) line.sku = *sku;
            CRM_TRY(name, get_string(l, "name", ip, 1024));
            if (name) line.name = *name;
            CRM_TRY(qty, get_int(l, "quantity", ip));
            if (qty) line.quantity = *qty;
            if (const json* up = member(l, "unit_price")) {
                CRM_TRY(m, money_from_json(*up, join(ip, "unit_price")));
                line.unit_price = std::move(m);
            }
            if (const json* lt = member(l, "total")) {
                CRM_TRY(m, money_from_json(*lt, join(ip, "total")));
                line.total = std::move(m);
            }
            p.lines.push_back(std::move(line));
        }
    }
    return p;
}

result<FieldDef> field_def_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"record_type", "name", "label", "type", "required", "allowed",
                                     "min", "max", "currency"}));
    FieldDef f;
    CRM_TRY(rt, get_string(j, "record_type", path, 64));
    if (rt) f.record_type = *rt;
    CRM_TRY(name, get_string(j, "name", path, 64));
    if (!name) return fail(errc::invalid_argument, "is required", join(path, "name"));
    f.name = *name;
    CRM_TRY(label, get_string(j, "label", path, 200));
    if (label) f.label = *label;
    CRM_TRY(type, get_string(j, "type", path, 32));
    if (!type) return fail(errc::invalid_argument, "is required", join(path, "type"));
    auto t = parse_field_type(*type);
    if (!t) return fail(errc::invalid_argument, t.error().message, join(path, "type"));
    f.type = t.value();
    CRM_TRY(req, get_bool(j, "required", path));
    f.required = req.value_or(false);
    CRM_TRY(allowed, get_strings(j, "allowed", path));
    if (allowed) f.allowed = std::move(*allowed);
    CRM_TRY(mn, get_int(j, "min", path));
    f.min = mn;
    CRM_TRY(mx, get_int(j, "max", path));
    f.max = mx;
    CRM_TRY(cur, get_string(j, "currency", path, 8));
    if (cur) f.currency = *cur;
    return f;
}

result<SearchQuery> search_query_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"text", "tag", "limit", "offset"}));
    SearchQuery q;
    CRM_TRY(t, get_string(j, "text", path, 512));
    if (t) q.text = *t;
    CRM_TRY(tag, get_string(j, "tag", path, 200));
    if (tag) q.tag = *tag;
    CRM_TRY(limit, get_int(j, "limit", path));
    if (limit) q.limit = static_cast<int>(std::clamp<std::int64_t>(*limit, -1, 100000));
    CRM_TRY(offset, get_int(j, "offset", path));
    if (offset) q.offset = static_cast<int>(std::clamp<std::int64_t>(*offset, -1, INT32_MAX));
    return q;
}

result<DuplicateOptions> duplicate_options_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"rules", "min_score", "limit"}));
    DuplicateOptions o;
    if (const json* m = member(j, "min_score")) {
        if (!m->is_number())
            return fail(errc::invalid_argument, "must be a number", join(path, "min_score"));
        o.min_score = m->get<double>();
    }
    CRM_TRY(limit, get_int(j, "limit", path));
    if (limit) o.limit = static_cast<int>(std::clamp<std::int64_t>(*limit, -1, 10'000'000));
    if (const json* rules = member(j, "rules")) {
        const std::string rp = join(path, "rules");
        if (!rules->is_array()) return fail(errc::invalid_argument, "must be an array", rp);
        for (std::size_t i = 0; i < rules->size(); ++i) {
            const std::string ip = rp + "[" + std::to_string(i) + "]";
            const json& r = (*rules)[i];
            CRM_TRYV(expect_object(r, ip, {"name", "all_of", "score"}));
            MatchRule rule;
            CRM_TRY(name, get_string(r, "name", ip, 200));
            if (name) rule.name = *name;
            if (const json* s = member(r, "score")) {
                if (!s->is_number()) return fail(errc::invalid_argument, "must be a number", join(ip, "score"));
                rule.score = s->get<double>();
            }
            const json* all = member(r, "all_of");
            if (!all || !all->is_array())
                return fail(errc::invalid_argument, "must be an array of conditions", join(ip, "all_of"));
            for (std::size_t k = 0; k < all->size(); ++k) {
                const std::string cp = join(ip, "all_of") + "[" + std::to_string(k) + "]";
                const json& c = (*all)[k];
                CRM_TRYV(expect_object(c, cp, {"field", "min_similarity"}));
                MatchCondition cond;
                CRM_TRY(field, get_string(c, "field", cp, 32));
                if (!field) return fail(errc::invalid_argument, "is required", join(cp, "field"));
                CRM_TRY(f, parse_match_field(*field, join(cp, "field")));
                cond.field = f;
                if (const json* ms = member(c, "min_similarity")) {
                    if (!ms->is_number())
                        return fail(errc::invalid_argument, "must be a number", join(cp, "min_similarity"));
                    cond.min_similarity = ms->get<double>();
                }
                rule.all_of.push_back(cond);
            }
            o.rules.push_back(std::move(rule));
        }
    }
    return o;
}

result<MergeRules> merge_rules_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"default", "fields"}));
    MergeRules rules;
    auto parse_rule = [](const std::string& s, const std::string& p) { return parse_survivorship(s, p); };
    CRM_TRY(def, get_string(j, "default", path, 32));
    if (def) {
        CRM_TRY(r, parse_rule(*def, join(path, "default")));
        rules.default_rule = r;
    }
    if (const json* fields = member(j, "fields")) {
        const std::string fp = join(path, "fields");
        if (!fields->is_object()) return fail(errc::invalid_argument, "must be an object", fp);
        for (const auto& [k, v] : fields->items()) {
            if (!v.is_string()) return fail(errc::invalid_argument, "must be a string", join(fp, k));
            CRM_TRY(r, parse_rule(v.get<std::string>(), join(fp, k)));
            rules.fields[k] = r;
        }
    }
    return rules;
}

result<CustomValues> custom_of(const json& j, std::string_view path) {
    CustomValues out;
    const json* c = member(j, "custom");
    if (!c) return out;
    const std::string p = join(path, "custom");
    if (!c->is_object()) return fail(errc::invalid_argument, "must be an object", p);
    for (const auto& [k, v] : c->items()) {
        CRM_TRY(value, value_from_json(v, join(p, k)));
        out[k] = std::move(value);
    }
    return out;
}

result<std::optional<Money>> optional_money(const json& j, std::string_view key,
                                            std::string_view path) {
    const json* m = member(j, key);
    if (!m) return std::optional<Money>{};
    CRM_TRY(money, money_from_json(*m, join(path, key)));
    return std::optional<Money>{money};
}

}  // namespace crm::codec
