// src/service/codec.cpp - JSON forms of tickets, their clocks and comments,
// queues and SLA policies.
#include "service/codec.hpp"

#include <algorithm>

#include "core/json_text.hpp"
#include "crm/expr/expr.hpp"
#include "expr/json_form.hpp"
#include "customer/codec.hpp"
#include "process/codec.hpp"

namespace crm::codec {
namespace {

json opt_time(const std::optional<Timestamp>& t) { return t ? time_json(*t) : json(nullptr); }

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kMaxTargetMs = 10LL * 365 * 24 * 60 * kMinute;

// {"business_hours": n} or {"business_minutes": n} in milliseconds; n above
// 0, or from 0 with `zero_ok`.
result<std::int64_t> business_time(const json& j, const std::string& path, bool zero_ok = false) {
    if (!j.is_object() || j.size() != 1)
        return fail(errc::invalid_argument,
                    "must be {\"business_hours\": n} or {\"business_minutes\": n}", path);
    // The one member, read through an iterator that outlives the reads
    // (items()'s proxy values refer into a temporary).
    const auto member_it = j.begin();
    const std::string& unit = member_it.key();
    const json& n = member_it.value();
    std::int64_t scale = 0;
    if (unit == "business_hours") scale = 60 * kMinute;
    if (unit == "business_minutes") scale = kMinute;
    if (scale == 0)
        return fail(errc::invalid_argument,
                    "'" + unit.substr(0, 40) + "' is not business_hours or business_minutes",
                    join(path, unit));
    if (!n.is_number_integer() || n.get<std::int64_t>() < (zero_ok ? 0 : 1) ||
        n.get<std::int64_t>() > kMaxTargetMs / scale)
        return fail(errc::invalid_argument,
                    zero_ok ? "must be a whole number from 0, at most ten years"
                            : "must be a whole number above 0, at most ten years",
                    join(path, unit));
    return n.get<std::int64_t>() * scale;
}

// What every stored rule (SLA policy, assignment and escalation rule)
// begins with: "id", "order" (0 .. 1,000,000, default 100) and "when" (a
// rule over the ticket, required or not).
template <class R>
result<void> read_rule_head(const json& j, const expr::Schema& schema, R& r, bool when_required) {
    CRM_TRY(id, text_or_empty(j, "id", "", 1024));
    r.id = std::move(id);
    CRM_TRY(order, get_int(j, "order", ""));
    if (order && (*order < 0 || *order > 1'000'000))
        return fail(errc::invalid_argument, "must be from 0 to 1000000", "order");
    r.order = static_cast<int>(order.value_or(100));
    const json* when = member(j, "when");
    if (!when) {
        if (when_required) return fail(errc::invalid_argument, "is required", "when");
        return ok();
    }
    CRM_TRY(rule, expr::load_json(*when, schema, "when"));
    r.when = std::move(rule);
    return ok();
}

json business_time_json(std::int64_t ms) {
    if (ms % (60 * kMinute) == 0) return {{"business_hours", ms / (60 * kMinute)}};
    return {{"business_minutes", ms / kMinute}};
}

result<std::vector<std::string>> id_list(const json& j, std::string_view key,
                                         std::string_view path) {
    CRM_TRY(list, get_strings(j, key, path));
    if (!list) return std::vector<std::string>{};
    for (std::size_t i = 0; i < list->size(); ++i)
        if ((*list)[i].empty() || (*list)[i].size() > 64)
            return fail(errc::invalid_argument, "must be 1 to 64 bytes",
                        join(path, key) + "[" + std::to_string(i) + "]");
    return std::move(*list);
}

}  // namespace

json to_json(const SlaInstance& s) {
    json pauses = json::array();
    for (const auto& p : s.pauses) pauses.push_back({{"from", time_json(p.from)}, {"to", opt_time(p.to)}});
    return Members(15)
        .add("kpi", to_string(s.kpi))
        .add("status", to_string(s.status))
        .add("policy", s.policy)
        .add("policy_version", s.policy_version)
        .add("calendar", s.calendar)
        .add("warning_ms", s.warning_ms)
        .add("failure_ms", s.failure_ms)
        .add("started_at", time_json(s.started_at))
        .add("warning_at", opt_time(s.warning_at))
        .add("failure_at", opt_time(s.failure_at))
        .add("stopped_at", opt_time(s.stopped_at))
        .add("elapsed_ms", s.elapsed_ms)
        .add("paused_ms", s.paused_ms)
        .add("warned", s.warned)
        .add("pauses", std::move(pauses))
        .done();
}

result<SlaInstance> sla_instance_from_json(const json& j, std::string_view path) {
    if (!j.is_object()) return fail(errc::storage, "an SLA clock is not a JSON object", std::string(path));
    SlaInstance s;
    CRM_TRY(kpi, text_or_empty(j, "kpi", path, 64));
    CRM_TRY(k, parse_sla_kpi(kpi, join(path, "kpi")));
    s.kpi = k;
    CRM_TRY(status, text_or_empty(j, "status", path, 64));
    CRM_TRY(st, parse_sla_status(status, join(path, "status")));
    s.status = st;
    CRM_TRY(policy, text_or_empty(j, "policy", path, 64));
    s.policy = std::move(policy);
    CRM_TRY(calendar, text_or_empty(j, "calendar", path, 128));
    s.calendar = std::move(calendar);
    CRM_TRY(pv, get_int(j, "policy_version", path));
    s.policy_version = static_cast<int>(pv.value_or(0));
    std::int64_t* ints[] = {&s.warning_ms, &s.failure_ms, &s.elapsed_ms, &s.paused_ms};
    const char* int_keys[] = {"warning_ms", "failure_ms", "elapsed_ms", "paused_ms"};
    for (int i = 0; i < 4; ++i) {
        CRM_TRY(v, get_int(j, int_keys[i], path));
        *ints[i] = v.value_or(0);
    }
    CRM_TRY(started, get_time(j, "started_at", path));
    s.started_at = started.value_or(Timestamp{});
    std::optional<Timestamp>* times[] = {&s.warning_at, &s.failure_at, &s.stopped_at};
    const char* time_keys[] = {"warning_at", "failure_at", "stopped_at"};
    for (int i = 0; i < 3; ++i) {
        CRM_TRY(t, get_time(j, time_keys[i], path));
        *times[i] = t;
    }
    CRM_TRY(warned, get_bool(j, "warned", path));
    s.warned = warned.value_or(false);
    if (const json* pauses = member(j, "pauses"); pauses && pauses->is_array())
        for (const auto& p : *pauses) {
            CRM_TRY(from, get_time(p, "from", path));
            CRM_TRY(to, get_time(p, "to", path));
            s.pauses.push_back({from.value_or(Timestamp{}), to});
        }
    return s;
}

json to_json(const Ticket& t) {
    json slas = json::array();
    for (const auto& s : t.slas) slas.push_back(to_json(s));
    json watches = json::array();
    for (const auto& w : t.escalations)
        watches.push_back(Members(4)
                              .add("rule", w.rule)
                              .add("since", time_json(w.since))
                              .add("due_at", opt_time(w.due_at))
                              .add("done_at", opt_time(w.done_at))
                              .done());
    return Members(44)
        .add("id", to_json(t.id))
        .add("external_id", t.external_id)
        .add("subject", t.subject)
        .add("description", t.description)
        .add("type", to_string(t.type))
        .add("priority", to_string(t.priority))
        .add("channel", to_string(t.channel))
        .add("category", t.category)
        .add("party", to_json(t.party))
        .add("contact", to_json(t.contact))
        .add("product_sku", t.product_sku)
        .add("purchase_order_id", t.purchase_order_id)
        .add("warranty", t.warranty)
        .add("parent", to_json(t.parent))
        .add("queue", t.queue)
        .add("assignee", t.assignee)
        .add("process", t.process)
        .add("process_version", t.process_version)
        .add("state", t.state)
        .add("status", t.status)
        .add("state_entered_at", time_json(t.state_entered_at))
        .add("close_reason", t.close_reason)
        .add("merged_into", to_json(t.merged_into))
        .add("first_response_at", opt_time(t.first_response_at))
        .add("resolved_at", opt_time(t.resolved_at))
        .add("closed_at", opt_time(t.closed_at))
        .add("reopen_count", t.reopen_count)
        .add("referral_count", t.referral_count)
        .add("agent_replies", t.agent_replies)
        .add("customer_replies", t.customer_replies)
        .add("first_contact_resolution", t.first_contact_resolution)
        .add("csat", t.csat ? json(*t.csat) : json(nullptr))
        .add("csat_comment", t.csat_comment)
        .add("csat_at", opt_time(t.csat_at))
        .add("sla_policy", t.sla_policy)
        .add("sla_policy_version", t.sla_policy_version)
        .add("slas", std::move(slas))
        .add("escalations", std::move(watches))
        .add("due_at", opt_time(t.due_at))
        .add("custom", to_json(t.custom))
        .add("created_at", time_json(t.created_at))
        .add("updated_at", time_json(t.updated_at))
        .add("version", t.version)
        .done();
}

namespace {

// Writes a JSON object member by member into a string, for the records
// stored and sent on every write (no tree, no second pass).
class Text {
public:
    explicit Text(std::string& out) : out_(out) { out_ += '{'; }
    Text& key(const char* k) {
        if (!first_) out_ += ',';
        first_ = false;
        out_ += '"';
        out_ += k;
        out_ += "\":";
        return *this;
    }
    Text& str(const char* k, std::string_view v) {
        key(k);
        json_text::append_json_string(out_, v);
        return *this;
    }
    Text& num(const char* k, std::int64_t v) {
        key(k);
        json_text::append_int(out_, v);
        return *this;
    }
    Text& time(const char* k, Timestamp t) { return str(k, to_iso8601(t)); }
    Text& time(const char* k, const std::optional<Timestamp>& t) {
        if (t) return time(k, *t);
        key(k);
        out_ += "null";
        return *this;
    }
    Text& id(const char* k, const Id& id) {
        if (!id.is_nil()) return str(k, id.str());
        key(k);
        out_ += "null";
        return *this;
    }
    void done() { out_ += '}'; }

private:
    std::string& out_;
    bool first_ = true;
};

void append_sla(std::string& out, const SlaInstance& s) {
    Text t(out);
    t.str("kpi", to_string(s.kpi))
        .str("status", to_string(s.status))
        .str("policy", s.policy)
        .num("policy_version", s.policy_version)
        .str("calendar", s.calendar)
        .num("warning_ms", s.warning_ms)
        .num("failure_ms", s.failure_ms)
        .time("started_at", s.started_at)
        .time("warning_at", s.warning_at)
        .time("failure_at", s.failure_at)
        .time("stopped_at", s.stopped_at)
        .num("elapsed_ms", s.elapsed_ms)
        .num("paused_ms", s.paused_ms)
        .key("warned");
    out += s.warned ? "true" : "false";
    t.key("pauses");
    out += '[';
    for (std::size_t i = 0; i < s.pauses.size(); ++i) {
        if (i) out += ',';
        Text p(out);
        p.time("from", s.pauses[i].from).time("to", s.pauses[i].to).done();
    }
    out += ']';
    t.done();
}

}  // namespace

std::string ticket_text(const Ticket& t) {
    std::string out;
    out.reserve(1536);
    Text j(out);
    j.id("id", t.id)
        .str("external_id", t.external_id)
        .str("subject", t.subject)
        .str("description", t.description)
        .str("type", to_string(t.type))
        .str("priority", to_string(t.priority))
        .str("channel", to_string(t.channel))
        .str("category", t.category)
        .id("party", t.party)
        .id("contact", t.contact)
        .str("product_sku", t.product_sku)
        .str("purchase_order_id", t.purchase_order_id)
        .str("warranty", t.warranty)
        .id("parent", t.parent)
        .str("queue", t.queue)
        .str("assignee", t.assignee)
        .str("process", t.process)
        .num("process_version", t.process_version)
        .str("state", t.state)
        .str("status", t.status)
        .time("state_entered_at", t.state_entered_at)
        .str("close_reason", t.close_reason)
        .id("merged_into", t.merged_into)
        .time("first_response_at", t.first_response_at)
        .time("resolved_at", t.resolved_at)
        .time("closed_at", t.closed_at)
        .num("reopen_count", t.reopen_count)
        .num("referral_count", t.referral_count)
        .num("agent_replies", t.agent_replies)
        .num("customer_replies", t.customer_replies)
        .key("first_contact_resolution");
    out += t.first_contact_resolution ? "true" : "false";
    j.key("csat");
    if (t.csat) json_text::append_int(out, *t.csat);
    else out += "null";
    j.str("csat_comment", t.csat_comment)
        .time("csat_at", t.csat_at)
        .str("sla_policy", t.sla_policy)
        .num("sla_policy_version", t.sla_policy_version)
        .key("slas");
    out += '[';
    for (std::size_t i = 0; i < t.slas.size(); ++i) {
        if (i) out += ',';
        append_sla(out, t.slas[i]);
    }
    out += ']';
    j.key("escalations");
    out += '[';
    for (std::size_t i = 0; i < t.escalations.size(); ++i) {
        if (i) out += ',';
        const EscalationWatch& w = t.escalations[i];
        Text e(out);
        e.str("rule", w.rule).time("since", w.since).time("due_at", w.due_at).time("done_at", w.done_at);
        e.done();
    }
    out += ']';
    j.time("due_at", t.due_at).key("custom");
    json_text::append_custom(out, t.custom);
    j.time("created_at", t.created_at).time("updated_at", t.updated_at).num("version", t.version);
    j.done();
    return out;
}

result<Ticket> ticket_from_json(const json& j, std::string_view path) {
    if (!j.is_object()) return fail(errc::storage, "a ticket is not a JSON object", std::string(path));
    Ticket t;
    std::string* texts[] = {&t.external_id, &t.subject,  &t.description, &t.category,
                            &t.product_sku, &t.purchase_order_id, &t.queue, &t.assignee,
                            &t.process,     &t.state,    &t.status,      &t.close_reason,
                            &t.sla_policy,  &t.csat_comment, &t.warranty};
    const char* text_keys[] = {"external_id", "subject",  "description", "category",
                               "product_sku", "purchase_order_id", "queue", "assignee",
                               "process",     "state",    "status",      "close_reason",
                               "sla_policy",  "csat_comment", "warranty"};
    for (std::size_t i = 0; i < std::size(texts); ++i) {
        CRM_TRY(s, text_or_empty(j, text_keys[i], path, 1 << 20));
        *texts[i] = std::move(s);
    }
    Id* ids[] = {&t.id, &t.party, &t.contact, &t.parent, &t.merged_into};
    const char* id_keys[] = {"id", "party", "contact", "parent", "merged_into"};
    for (std::size_t i = 0; i < std::size(ids); ++i) {
        CRM_TRY(id, get_id(j, id_keys[i], path));
        *ids[i] = id.value_or(Id{});
    }
    CRM_TRY(type, text_or_empty(j, "type", path, 64));
    CRM_TRY(ty, parse_ticket_type(type, join(path, "type")));
    t.type = ty;
    CRM_TRY(priority, text_or_empty(j, "priority", path, 64));
    CRM_TRY(pr, parse_ticket_priority(priority, join(path, "priority")));
    t.priority = pr;
    CRM_TRY(channel, text_or_empty(j, "channel", path, 64));
    CRM_TRY(ch, parse_channel(channel, join(path, "channel")));
    t.channel = ch;
    int* ints[] = {&t.process_version, &t.reopen_count,     &t.referral_count,
                   &t.agent_replies,   &t.customer_replies, &t.sla_policy_version};
    const char* int_keys[] = {"process_version", "reopen_count",     "referral_count",
                              "agent_replies",   "customer_replies", "sla_policy_version"};
    for (std::size_t i = 0; i < std::size(ints); ++i) {
        CRM_TRY(v, get_int(j, int_keys[i], path));
        *ints[i] = static_cast<int>(v.value_or(0));
    }
    std::optional<Timestamp>* times[] = {&t.first_response_at, &t.resolved_at, &t.closed_at,
                                         &t.due_at, &t.csat_at};
    const char* time_keys[] = {"first_response_at", "resolved_at", "closed_at", "due_at",
                               "csat_at"};
    for (std::size_t i = 0; i < std::size(times); ++i) {
        CRM_TRY(v, get_time(j, time_keys[i], path));
        *times[i] = v;
    }
    Timestamp* stamps[] = {&t.state_entered_at, &t.created_at, &t.updated_at};
    const char* stamp_keys[] = {"state_entered_at", "created_at", "updated_at"};
    for (std::size_t i = 0; i < std::size(stamps); ++i) {
        CRM_TRY(v, get_time(j, stamp_keys[i], path));
        *stamps[i] = v.value_or(Timestamp{});
    }
    if (const json* slas = member(j, "slas"); slas && slas->is_array())
        for (const auto& s : *slas) {
            CRM_TRY(instance, sla_instance_from_json(s, join(path, "slas")));
            t.slas.push_back(std::move(instance));
        }
    if (const json* watches = member(j, "escalations"); watches && watches->is_array())
        for (const auto& w : *watches) {
            EscalationWatch e;
            CRM_TRY(rule, text_or_empty(w, "rule", path, 64));
            e.rule = std::move(rule);
            CRM_TRY(since, get_time(w, "since", path));
            e.since = since.value_or(Timestamp{});
            CRM_TRY(due, get_time(w, "due_at", path));
            e.due_at = due;
            CRM_TRY(done, get_time(w, "done_at", path));
            e.done_at = done;
            t.escalations.push_back(std::move(e));
        }
    CRM_TRY(fcr, get_bool(j, "first_contact_resolution", path));
    t.first_contact_resolution = fcr.value_or(false);
    CRM_TRY(csat, get_int(j, "csat", path));
    if (csat) t.csat = static_cast<int>(*csat);
    CRM_TRY(custom, custom_of(j, path));
    t.custom = std::move(custom);
    CRM_TRY(v, get_int(j, "version", path));
    t.version = v.value_or(1);
    return t;
}

json to_json(const Attachment& a) {
    return {{"name", a.name}, {"size", a.size}, {"sha256", a.sha256}, {"media_type", a.media_type}};
}

json to_json_list(const std::vector<Attachment>& files) {
    json out = json::array();
    for (const auto& a : files) out.push_back(to_json(a));
    return out;
}

result<Attachment> attachment_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"name", "size", "sha256", "media_type"}));
    Attachment a;
    CRM_TRY(name, text_or_empty(j, "name", path, 1024));
    a.name = std::move(name);
    CRM_TRY(size, get_int(j, "size", path));
    a.size = size.value_or(0);
    CRM_TRY(sha, text_or_empty(j, "sha256", path, 128));
    a.sha256 = std::move(sha);
    CRM_TRY(media, text_or_empty(j, "media_type", path, 255));
    a.media_type = std::move(media);
    return a;
}

json to_json(const TicketComment& c) {
    json files = to_json_list(c.attachments);
    return Members(8)
        .add("id", to_json(c.id))
        .add("ticket", to_json(c.ticket))
        .add("is_public", c.is_public)
        .add("author_kind", to_string(c.author_kind))
        .add("author", c.author)
        .add("body", c.body)
        .add("attachments", std::move(files))
        .add("at", time_json(c.at))
        .done();
}

result<TicketComment> comment_from_json(const json& j, std::string_view path) {
    if (!j.is_object()) return fail(errc::storage, "a comment is not a JSON object", std::string(path));
    TicketComment c;
    CRM_TRY(id, get_id(j, "id", path));
    c.id = id.value_or(Id{});
    CRM_TRY(ticket, get_id(j, "ticket", path));
    c.ticket = ticket.value_or(Id{});
    CRM_TRY(pub, get_bool(j, "is_public", path));
    c.is_public = pub.value_or(true);
    CRM_TRY(kind, text_or_empty(j, "author_kind", path, 64));
    CRM_TRY(k, parse_author_kind(kind, join(path, "author_kind")));
    c.author_kind = k;
    CRM_TRY(author, text_or_empty(j, "author", path, 1024));
    c.author = std::move(author);
    CRM_TRY(body, text_or_empty(j, "body", path, 1 << 20));
    c.body = std::move(body);
    if (const json* files = member(j, "attachments"); files && files->is_array())
        for (const auto& f : *files) {
            CRM_TRY(a, attachment_from_json(f, join(path, "attachments")));
            c.attachments.push_back(std::move(a));
        }
    CRM_TRY(at, get_time(j, "at", path));
    c.at = at.value_or(Timestamp{});
    return c;
}

json to_json(const Queue& q) {
    json members = json::array();
    for (const auto& m : q.members) members.push_back({{"user", m.user}, {"skills", m.skills}});
    return {{"id", q.id}, {"name", q.name}, {"members", std::move(members)}};
}

result<Queue> queue_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"id", "name", "members"}));
    Queue q;
    CRM_TRY(id, text_or_empty(j, "id", path, 1024));
    q.id = std::move(id);
    CRM_TRY(name, text_or_empty(j, "name", path, 1024));
    q.name = std::move(name);
    if (const json* members = member(j, "members")) {
        const std::string mp = join(path, "members");
        if (!members->is_array()) return fail(errc::invalid_argument, "must be an array", mp);
        for (std::size_t i = 0; i < members->size(); ++i) {
            const std::string at = mp + "[" + std::to_string(i) + "]";
            CRM_TRYV(expect_object((*members)[i], at, {"user", "skills"}));
            QueueMember m;
            CRM_TRY(user, text_or_empty((*members)[i], "user", at, 1024));
            m.user = std::move(user);
            CRM_TRY(skills, get_strings((*members)[i], "skills", at));
            m.skills = skills.value_or(std::vector<std::string>{});
            q.members.push_back(std::move(m));
        }
    }
    return q;
}

json to_json(const SlaPolicy& p) {
    json kpis = json::object();
    for (const auto& t : p.targets)
        kpis[to_string(t.kpi)] = {{"warning", business_time_json(t.warning_ms)},
                                  {"failure", business_time_json(t.failure_ms)}};
    json j = {{"id", p.id}, {"name", p.name}, {"order", p.order}};
    if (p.when) j["when"] = json::parse(p.when->to_json());
    j["calendar"] = p.calendar;
    j["pause_states"] = p.pause_states;
    j["kpis"] = std::move(kpis);
    if (p.version > 0) j["version"] = p.version;
    return j;
}

result<SlaPolicy> sla_policy_from_json(const json& j, const expr::Schema& schema) {
    CRM_TRYV(expect_object(j, "", {"id", "name", "order", "when", "calendar", "pause_states",
                                   "kpis", "version"}));
    SlaPolicy p;
    CRM_TRYV(read_rule_head(j, schema, p, false));
    CRM_TRY(name, text_or_empty(j, "name", "", 1024));
    p.name = std::move(name);
    CRM_TRY(calendar, text_or_empty(j, "calendar", "", 1024));
    p.calendar = std::move(calendar);
    if (member(j, "pause_states")) {
        CRM_TRY(states, id_list(j, "pause_states", ""));
        p.pause_states = std::move(states);
    }
    const json* kpis = member(j, "kpis");
    if (!kpis || !kpis->is_object() || kpis->empty())
        return fail(errc::invalid_argument,
                    "must be an object with first_response, next_response or resolution",
                    "kpis");
    for (const auto& [name, target] : kpis->items()) {
        const std::string at = join("kpis", name);
        CRM_TRY(kpi, parse_sla_kpi(name, at));
        CRM_TRYV(expect_object(target, at, {"warning", "failure"}));
        const json* failure = member(target, "failure");
        if (!failure) return fail(errc::invalid_argument, "is required", join(at, "failure"));
        CRM_TRY(failure_ms, business_time(*failure, join(at, "failure")));
        std::int64_t warning_ms = failure_ms;
        if (const json* warning = member(target, "warning")) {
            CRM_TRY(w, business_time(*warning, join(at, "warning")));
            if (w > failure_ms)
                return fail(errc::invalid_argument, "must not be after the failure time",
                            join(at, "warning"));
            warning_ms = w;
        }
        p.targets.push_back({kpi, warning_ms, failure_ms});
    }
    std::sort(p.targets.begin(), p.targets.end(),
              [](const SlaTarget& a, const SlaTarget& b) { return a.kpi < b.kpi; });
    return p;
}

json to_json(const NpsResponse& r) {
    return {{"id", to_json(r.id)}, {"party", to_json(r.party)}, {"score", r.score},
            {"comment", r.comment}, {"at", time_json(r.at)}};
}

json to_json(const PortalTicket& t) {
    json comments = json::array();
    for (const auto& c : t.comments)
        comments.push_back({{"author_kind", to_string(c.author_kind)}, {"body", c.body},
                            {"attachments", to_json_list(c.attachments)}, {"at", time_json(c.at)}});
    return {{"id", to_json(t.id)},       {"external_id", t.external_id},
            {"subject", t.subject},      {"type", to_string(t.type)},
            {"state", t.state},          {"state_label", t.state_label},
            {"status", t.status},        {"created_at", time_json(t.created_at)},
            {"updated_at", time_json(t.updated_at)},
            {"resolved_at", opt_time(t.resolved_at)},
            {"comments", std::move(comments)}};
}

json to_json(const AssignmentRule& r) {
    json j = {{"id", r.id}, {"order", r.order}};
    if (r.when) j["when"] = json::parse(r.when->to_json());
    j["queue"] = r.queue;
    j["strategy"] = to_string(r.strategy);
    if (!r.skill.empty()) j["skill"] = r.skill;
    if (r.version > 0) j["version"] = r.version;
    return j;
}

result<AssignmentRule> assignment_rule_from_json(const json& j, const expr::Schema& schema) {
    CRM_TRYV(expect_object(j, "", {"id", "order", "when", "queue", "strategy", "skill", "version"}));
    AssignmentRule r;
    CRM_TRYV(read_rule_head(j, schema, r, false));
    CRM_TRY(queue, text_or_empty(j, "queue", "", 1024));
    r.queue = std::move(queue);
    CRM_TRY(strategy, get_string(j, "strategy", "", 64));
    if (strategy) {
        CRM_TRY(s, parse_assign_strategy(*strategy, "strategy"));
        r.strategy = s;
    }
    CRM_TRY(skill, text_or_empty(j, "skill", "", 64));
    r.skill = std::move(skill);
    if (r.strategy == AssignStrategy::skill && r.skill.empty())
        return fail(errc::invalid_argument, "is required with strategy skill", "skill");
    if (r.strategy != AssignStrategy::skill && !r.skill.empty())
        return fail(errc::invalid_argument, "is allowed only with strategy skill", "skill");
    return r;
}

json to_json(const TickReport& r) {
    json failed = json::array();
    for (const auto& f : r.failed)
        failed.push_back({{"ticket", f.ticket.str()}, {"code", to_string(f.why.code)},
                          {"field", f.why.field}, {"message", f.why.message}});
    return {{"examined", r.examined},
            {"warnings", r.warnings},
            {"breaches", r.breaches},
            {"escalations", r.escalations},
            {"failed", std::move(failed)}};
}

json to_json(const ServiceReport& r) {
    json sla = json::array();
    for (const auto& row : r.sla)
        sla.push_back({{"group", row.group}, {"kpi", to_string(row.kpi)}, {"met", row.met},
                       {"breached", row.breached}, {"cancelled", row.cancelled},
                       {"open", row.open}, {"compliance", row.compliance}});
    json backlog = json::array();
    for (const auto& row : r.backlog)
        backlog.push_back({{"group", row.group},
                           {"open", row.open},
                           {"average_age_days", row.average_age_days},
                           {"oldest_age_days", row.oldest_age_days},
                           {"by_age", {{"under_1d", row.by_age[0]}, {"1d_to_3d", row.by_age[1]},
                                       {"3d_to_7d", row.by_age[2]}, {"7d_and_more", row.by_age[3]}}}});
    json states = json::array();
    for (const auto& row : r.states)
        states.push_back({{"process", row.process}, {"queue", row.queue}, {"state", row.state},
                          {"stints", row.stints}, {"mean_hours", row.mean_hours},
                          {"p50_hours", row.p50_hours}, {"p90_hours", row.p90_hours},
                          {"expected", row.expected}, {"overran", row.overran},
                          {"bottleneck", row.bottleneck}});
    return {{"period", r.period},
            {"from_date", r.from_date},
            {"to_date", r.to_date},
            {"as_of", time_json(r.as_of)},
            {"opened", r.opened},
            {"sla", std::move(sla)},
            {"backlog", std::move(backlog)},
            {"states", std::move(states)},
            {"resolved", r.resolved},
            {"first_contact_resolved", r.first_contact_resolved},
            {"first_contact_rate", r.first_contact_rate},
            {"csat", {{"answers", r.csat_answers}, {"average", r.csat_average},
                      {"scores", r.csat_scores}}},
            {"nps", {{"answers", r.nps_answers}, {"promoters", r.promoters},
                     {"passives", r.passives}, {"detractors", r.detractors}, {"score", r.nps}}}};
}

json to_json(const EscalationRule& r) {
    json j = {{"id", r.id}, {"order", r.order}};
    if (r.when) j["when"] = json::parse(r.when->to_json());
    j["after"] = r.after_ms % (60 * kMinute) == 0 ? json{{"business_hours", r.after_ms / (60 * kMinute)}}
                                                  : json{{"business_minutes", r.after_ms / kMinute}};
    j["calendar"] = r.calendar;
    json actions = json::object();
    if (r.priority) actions["priority"] = to_string(*r.priority);
    if (!r.queue.empty()) actions["queue"] = r.queue;
    if (!r.notify.empty()) actions["notify"] = r.notify;
    j["actions"] = std::move(actions);
    if (r.version > 0) j["version"] = r.version;
    return j;
}

result<EscalationRule> escalation_rule_from_json(const json& j, const expr::Schema& schema) {
    CRM_TRYV(expect_object(j, "", {"id", "order", "when", "after", "calendar", "actions", "version"}));
    EscalationRule r;
    CRM_TRYV(read_rule_head(j, schema, r, true));
    const json* after = member(j, "after");
    if (!after) return fail(errc::invalid_argument, "is required", "after");
    CRM_TRY(ms, business_time(*after, "after", true));
    r.after_ms = ms;
    CRM_TRY(calendar, text_or_empty(j, "calendar", "", 1024));
    r.calendar = std::move(calendar);
    const json* actions = member(j, "actions");
    if (!actions) return fail(errc::invalid_argument, "is required", "actions");
    CRM_TRYV(expect_object(*actions, "actions", {"priority", "queue", "notify"}));
    CRM_TRY(priority, get_string(*actions, "priority", "actions", 64));
    if (priority) {
        CRM_TRY(p, parse_ticket_priority(*priority, "actions.priority"));
        r.priority = p;
    }
    CRM_TRY(queue, text_or_empty(*actions, "queue", "actions", 64));
    r.queue = std::move(queue);
    CRM_TRY(notify, text_or_empty(*actions, "notify", "actions", 64));
    r.notify = std::move(notify);
    if (!r.priority && r.queue.empty() && r.notify.empty())
        return fail(errc::invalid_argument, "needs priority, queue or notify", "actions");
    return r;
}

json to_json(const BusinessTrace& t) {
    json steps = json::array();
    for (const auto& s : t.steps)
        steps.push_back({{"from", time_json(s.from)}, {"to", time_json(s.to)}, {"what", s.what}});
    return steps;
}

result<TicketInput> ticket_input_from_json(const json& j, std::string_view path, bool creating) {
    if (!j.is_object()) return fail(errc::invalid_argument, "must be an object", std::string(path));
    TicketInput in;
    std::optional<std::string>* texts[] = {&in.external_id, &in.subject,     &in.description,
                                           &in.category,    &in.product_sku, &in.purchase_order_id,
                                           &in.queue,       &in.assignee};
    const char* keys[] = {"external_id", "subject",     "description",       "category",
                          "product_sku", "purchase_order_id", "queue",       "assignee"};
    for (std::size_t i = 0; i < std::size(keys); ++i) {
        CRM_TRY(s, get_string(j, keys[i], path, 65536));
        *texts[i] = std::move(s);
    }
    CRM_TRY(type, get_string(j, "type", path, 64));
    if (type) {
        CRM_TRY(t, parse_ticket_type(*type, join(path, "type")));
        in.type = t;
    }
    CRM_TRY(priority, get_string(j, "priority", path, 64));
    if (priority) {
        CRM_TRY(p, parse_ticket_priority(*priority, join(path, "priority")));
        in.priority = p;
    }
    CRM_TRY(channel, get_string(j, "channel", path, 64));
    if (channel) {
        CRM_TRY(c, parse_channel(*channel, join(path, "channel")));
        in.channel = c;
    }
    std::optional<Id>* ids[] = {&in.party, &in.contact, &in.parent};
    const char* id_keys[] = {"party", "contact", "parent"};
    for (std::size_t i = 0; i < std::size(ids); ++i) {
        CRM_TRY(id, get_id(j, id_keys[i], path));
        *ids[i] = id;
    }
    CRM_TRY(custom, custom_of(j, path));
    in.custom = std::move(custom);
    CRM_TRY(process, get_string(j, "process", path, 64));
    if (process && !creating)
        return fail(errc::invalid_argument, "cannot change after the ticket is created",
                    join(path, "process"));
    in.process = process.value_or("");
    return in;
}

result<CommentInput> comment_input_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"id", "body", "public", "author_kind", "attachments"}));
    CommentInput in;
    CRM_TRY(body, get_string(j, "body", path, 1 << 20));
    in.body = body.value_or("");
    CRM_TRY(pub, get_bool(j, "public", path));
    in.is_public = pub.value_or(true);
    CRM_TRY(kind, get_string(j, "author_kind", path, 64));
    if (kind) {
        CRM_TRY(k, parse_author_kind(*kind, join(path, "author_kind")));
        in.author_kind = k;
    }
    if (const json* files = member(j, "attachments")) {
        const std::string fp = join(path, "attachments");
        if (!files->is_array()) return fail(errc::invalid_argument, "must be an array", fp);
        for (std::size_t i = 0; i < files->size(); ++i) {
            CRM_TRY(a, attachment_from_json((*files)[i], fp + "[" + std::to_string(i) + "]"));
            in.attachments.push_back(std::move(a));
        }
    }
    return in;
}

}  // namespace crm::codec
