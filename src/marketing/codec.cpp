// src/marketing/codec.cpp - JSON forms of the marketing side's records.
#include "core/clean.hpp"
#include "marketing/codec.hpp"
#include "analytics/stats_codec.hpp"

#include "crm/core/text.hpp"
#include "customer/codec.hpp"
#include "engine/impl.hpp"

namespace crm::marketing {

result<MarketingSettings> settings_from_json(const json& doc) {
    if (!doc.is_object()) return fail(errc::invalid_argument, "must be an object", "");
    CRM_TRYV(codec::expect_object(doc, "", {"currency"}));
    MarketingSettings s;
    CRM_TRY(currency, codec::get_string(doc, "currency", "", 8));
    if (currency) {
        auto m = Money::of(0, *currency);
        if (!m) return fail(errc::invalid_argument, m.error().message, "currency");
        s.currency = m.value().currency;
    }
    return s;
}

json to_json(const MarketingSettings& s) { return {{"currency", s.currency}}; }

result<RfmCutoffs> rfm_from_json(const json& doc) {
    RfmCutoffs r;
    const auto read = [&](const char* key, std::array<std::int64_t, 4>& out) -> result<void> {
        const json* a = codec::member(doc, key);
        if (!a || !a->is_array() || a->size() != 4)
            return fail(errc::storage, "stored RFM cutoffs are damaged", key);
        for (std::size_t i = 0; i < 4; ++i) {
            if (!(*a)[i].is_number_integer())
                return fail(errc::storage, "stored RFM cutoffs are damaged", key);
            out[i] = (*a)[i].get<std::int64_t>();
        }
        return ok();
    };
    CRM_TRYV(read("recency", r.recency));
    CRM_TRYV(read("frequency", r.frequency));
    CRM_TRYV(read("monetary", r.monetary));
    r.set = true;
    return r;
}

json to_json(const RfmCutoffs& r) {
    return {{"recency", r.recency}, {"frequency", r.frequency}, {"monetary", r.monetary}};
}

result<Segment> segment_from_json(const json& doc, const expr::Schema& schema) {
    if (!doc.is_object()) return fail(errc::invalid_argument, "must be an object", "");
    CRM_TRYV(codec::expect_object(doc, "", {"id", "name", "description", "kind", "rule", "track",
                                            "op", "of", "version"}));
    Segment s;
    CRM_TRY(id, codec::text_or_empty(doc, "id", "", 1024));
    CRM_TRY(clean, clean_key(id, "id"));
    s.id = std::move(clean);
    CRM_TRY(name, codec::text_or_empty(doc, "name", "", 1024));
    CRM_TRY(tidy_name, clean_text(name, "name", 200));
    s.name = tidy_name.empty() ? s.id : tidy_name;
    CRM_TRY(description, codec::text_or_empty(doc, "description", "", 8192));
    CRM_TRY(tidy_description, clean_text(description, "description", 4096));
    s.description = std::move(tidy_description);
    CRM_TRY(kind_text, codec::text_or_empty(doc, "kind", "", 64));
    if (kind_text.empty()) kind_text = "dynamic";
    CRM_TRY(kind, parse_segment_kind(kind_text, "kind"));
    s.kind = kind;
    const json* rule = codec::member(doc, "rule");
    const json* of = codec::member(doc, "of");
    if (s.kind == SegmentKind::dynamic) {
        if (!rule) return fail(errc::invalid_argument, "is required for a dynamic segment", "rule");
        if (rule->is_string()) {
            auto e = expr::Expr::from_text(rule->get<std::string>(), schema);
            if (!e) {
                auto err = e.error();
                err.field = "rule" + err.field;
                return err;
            }
            s.rule = std::move(e).value();
        } else {
            auto e = expr::Expr::from_json(rule->dump(), schema);
            if (!e) {
                auto err = e.error();
                if (err.field.rfind("$", 0) == 0) err.field = "rule" + err.field.substr(1);
                return err;
            }
            s.rule = std::move(e).value();
        }
        CRM_TRY(track, codec::get_bool(doc, "track", ""));
        s.track = track.value_or(true);
    } else if (rule) {
        return fail(errc::invalid_argument, "only a dynamic segment has a rule", "rule");
    } else if (codec::member(doc, "track")) {
        return fail(errc::invalid_argument, "only a dynamic segment is tracked", "track");
    }
    if (s.kind == SegmentKind::set) {
        CRM_TRY(op, codec::text_or_empty(doc, "op", "", 64));
        if (op.empty()) return fail(errc::invalid_argument, "is required for a set", "op");
        CRM_TRY(parsed, parse_set_op(op, "op"));
        s.op = parsed;
        if (!of || !of->is_array() || of->empty())
            return fail(errc::invalid_argument, "must list at least one segment", "of");
        if (of->size() > 64) return fail(errc::invalid_argument, "lists more than 64 segments", "of");
        for (std::size_t i = 0; i < of->size(); ++i) {
            const std::string at = "of[" + std::to_string(i) + "]";
            if (!(*of)[i].is_string()) return fail(errc::invalid_argument, "must be a segment id", at);
            CRM_TRY(operand, clean_key((*of)[i].get<std::string>(), at.c_str()));
            if (operand == s.id) return fail(errc::invalid_argument, "a set cannot contain itself", at);
            s.of.push_back(std::move(operand));
        }
    } else if (of || codec::member(doc, "op")) {
        return fail(errc::invalid_argument, "only a set has operands", of ? "of" : "op");
    }
    return s;
}

json to_json(const Segment& s, bool with_version) {
    json j = {{"id", s.id}, {"name", s.name}, {"kind", to_string(s.kind)}};
    if (!s.description.empty()) j["description"] = s.description;
    if (s.kind == SegmentKind::dynamic) {
        j["rule"] = json::parse(s.rule ? s.rule->to_json() : std::string("true"));
        j["track"] = s.track;
    }
    if (s.kind == SegmentKind::set) {
        j["op"] = to_string(s.op);
        j["of"] = s.of;
    }
    if (with_version) j["version"] = s.version;
    return j;
}

namespace {

json money_json(const std::optional<Money>& m) {
    return m ? json{{"minor", m->minor}, {"currency", m->currency}} : json(nullptr);
}

result<std::optional<Money>> money_of(const json& doc, const char* key) {
    const json* m = codec::member(doc, key);
    if (!m) return std::optional<Money>{};
    CRM_TRYV(codec::expect_object(*m, key, {"minor", "currency"}));
    CRM_TRY(minor, codec::get_int(*m, "minor", key));
    CRM_TRY(currency, codec::get_string(*m, "currency", key, 8));
    if (!minor || !currency) return fail(errc::invalid_argument, "needs minor and currency", key);
    if (*minor < 0) return fail(errc::invalid_argument, "must not be negative", std::string(key) + ".minor");
    auto money = Money::of(*minor, *currency);
    if (!money) return fail(errc::invalid_argument, money.error().message, std::string(key) + ".currency");
    return std::optional<Money>{money.value()};
}

result<std::vector<std::string>> keys_of(const json& doc, const char* key, std::size_t max) {
    CRM_TRY(list, codec::get_strings(doc, key, ""));
    std::vector<std::string> out;
    if (!list) return out;
    if (list->size() > max)
        return fail(errc::invalid_argument, "lists more than " + std::to_string(max), key);
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string at = std::string(key) + "[" + std::to_string(i) + "]";
        CRM_TRY(k, clean_key((*list)[i], at.c_str()));
        if (std::find(out.begin(), out.end(), k) != out.end())
            return fail(errc::invalid_argument, "is listed twice", at);
        out.push_back(std::move(k));
    }
    return out;
}

}  // namespace

result<std::optional<Money>> read_money(const json& doc, const char* key) { return money_of(doc, key); }

result<void> apply_campaign_json(const json& doc, Campaign& c) {
    if (const json* v = codec::member(doc, "name")) {
        if (!v->is_string()) return fail(errc::invalid_argument, "must be text", "name");
        CRM_TRY(name, clean_text(v->get<std::string>(), "name", 200));
        c.name = std::move(name);
    }
    if (const json* v = codec::member(doc, "description")) {
        if (!v->is_string()) return fail(errc::invalid_argument, "must be text", "description");
        CRM_TRY(d, clean_text(v->get<std::string>(), "description", 4096));
        c.description = std::move(d);
    }
    if (const json* v = codec::member(doc, "external_id")) {
        if (!v->is_string()) return fail(errc::invalid_argument, "must be text", "external_id");
        CRM_TRY(e, clean_text(v->get<std::string>(), "external_id", 200));
        c.external_id = std::move(e);
    }
    if (codec::member(doc, "parent")) {
        CRM_TRY(parent, codec::get_id(doc, "parent", ""));
        c.parent = parent.value_or(Id{});
    }
    if (codec::member(doc, "channels")) {
        CRM_TRY(channels, keys_of(doc, "channels", 4));
        for (std::size_t i = 0; i < channels.size(); ++i)
            if (channels[i] != "sms" && channels[i] != "email" && channels[i] != "call" &&
                channels[i] != "whatsapp")
                return fail(errc::invalid_argument, "must be sms, email, call or whatsapp",
                            "channels[" + std::to_string(i) + "]");
        c.channels = std::move(channels);
    }
    if (codec::member(doc, "segments")) {
        CRM_TRY(segments, keys_of(doc, "segments", 64));
        c.segments = std::move(segments);
    }
    if (codec::member(doc, "suppressions")) {
        CRM_TRY(suppressions, keys_of(doc, "suppressions", 64));
        c.suppressions = std::move(suppressions);
    }
    if (const json* cap = codec::member(doc, "frequency_cap")) {
        CRM_TRYV(codec::expect_object(*cap, "frequency_cap", {"max", "days"}));
        CRM_TRY(max, codec::get_int(*cap, "max", "frequency_cap"));
        CRM_TRY(days, codec::get_int(*cap, "days", "frequency_cap"));
        if (!max || *max < 1 || *max > 1000)
            return fail(errc::invalid_argument, "must be 1 to 1000", "frequency_cap.max");
        if (!days || *days < 1 || *days > 3650)
            return fail(errc::invalid_argument, "must be 1 to 3650", "frequency_cap.days");
        c.frequency_cap = FrequencyCap{static_cast<int>(*max), static_cast<int>(*days)};
    }
    if (codec::member(doc, "responded_statuses")) {
        CRM_TRY(list, codec::get_strings(doc, "responded_statuses", ""));
        std::vector<MemberStatus> statuses;
        for (std::size_t i = 0; i < list->size(); ++i) {
            CRM_TRY(s, parse_member_status((*list)[i], "responded_statuses[" + std::to_string(i) + "]"));
            statuses.push_back(s);
        }
        if (statuses.empty())
            return fail(errc::invalid_argument, "must name at least one status", "responded_statuses");
        c.responded_statuses = std::move(statuses);
    }
    if (const json* variants = codec::member(doc, "variants")) {
        if (!variants->is_array() || variants->size() > 26)
            return fail(errc::invalid_argument, "must be an array of at most 26 groups", "variants");
        std::vector<CampaignVariant> out;
        int total = 0;
        for (std::size_t i = 0; i < variants->size(); ++i) {
            const std::string at = "variants[" + std::to_string(i) + "]";
            CRM_TRYV(codec::expect_object((*variants)[i], at, {"id", "share"}));
            CRM_TRY(id, codec::text_or_empty((*variants)[i], "id", at, 64));
            CRM_TRY(clean, clean_key(id, (at + ".id").c_str()));
            CRM_TRY(share, codec::get_int((*variants)[i], "share", at));
            if (!share || *share < 1 || *share > 100)
                return fail(errc::invalid_argument, "must be 1 to 100 percent", at + ".share");
            for (const auto& v : out)
                if (v.id == clean) return fail(errc::invalid_argument, "is listed twice", at + ".id");
            total += static_cast<int>(*share);
            out.push_back({clean, static_cast<int>(*share)});
        }
        if (!out.empty() && total != 100)
            return fail(errc::invalid_argument, "shares add up to " + std::to_string(total) + ", not 100",
                        "variants");
        c.variants = std::move(out);
    }
    if (codec::member(doc, "seed")) {
        CRM_TRY(seed, codec::get_int(doc, "seed", ""));
        c.seed = static_cast<std::uint64_t>(seed.value_or(0));
    }
    if (codec::member(doc, "budget")) {
        CRM_TRY(m, money_of(doc, "budget"));
        c.budget = m;
    }
    if (codec::member(doc, "actual_cost")) {
        CRM_TRY(m, money_of(doc, "actual_cost"));
        c.actual_cost = m;
    }
    if (codec::member(doc, "expected_revenue")) {
        CRM_TRY(m, money_of(doc, "expected_revenue"));
        c.expected_revenue = m;
    }
    if (codec::member(doc, "expected_responses")) {
        CRM_TRY(n, codec::get_int(doc, "expected_responses", ""));
        if (!n || *n < 0) return fail(errc::invalid_argument, "must be 0 or more", "expected_responses");
        c.expected_responses = *n;
    }
    if (const json* messages = codec::member(doc, "messages")) {
        if (!messages->is_object())
            return fail(errc::invalid_argument, "must be an object of a template per channel", "messages");
        std::map<std::string, std::string> out;
        for (auto it = messages->begin(); it != messages->end(); ++it) {
            const std::string at = "messages." + it.key();
            if (it.key() != "sms" && it.key() != "email" && it.key() != "call" && it.key() != "whatsapp")
                return fail(errc::invalid_argument, "must be sms, email, call or whatsapp", at);
            if (!it.value().is_string()) return fail(errc::invalid_argument, "must be text", at);
            const std::string& text = it.value().get_ref<const std::string&>();
            CRM_TRYV(text::check(text, at, 16 * 1024));
            if (!text.empty()) out[it.key()] = text;
        }
        c.messages = std::move(out);
    }
    return ok();
}

json stored_json(const Campaign& c) {
    json statuses = json::array();
    for (auto s : c.responded_statuses) statuses.push_back(to_string(s));
    json variants = json::array();
    for (const auto& v : c.variants) variants.push_back({{"id", v.id}, {"share", v.share}});
    return {{"id", c.id.str()},
            {"external_id", c.external_id},
            {"name", c.name},
            {"description", c.description},
            {"parent", c.parent.is_nil() ? json(nullptr) : json(c.parent.str())},
            {"channels", c.channels},
            {"segments", c.segments},
            {"suppressions", c.suppressions},
            {"frequency_cap", c.frequency_cap ? json{{"max", c.frequency_cap->max}, {"days", c.frequency_cap->days}}
                                              : json(nullptr)},
            {"responded_statuses", statuses},
            {"variants", variants},
            {"seed", static_cast<std::int64_t>(c.seed)},
            {"budget", money_json(c.budget)},
            {"actual_cost", money_json(c.actual_cost)},
            {"expected_revenue", money_json(c.expected_revenue)},
            {"expected_responses", c.expected_responses},
            {"messages", c.messages},
            {"process", c.process},
            {"process_version", c.process_version},
            {"state", c.state},
            {"status", c.status},
            {"state_entered_at", to_iso8601(c.state_entered_at)},
            {"members", c.members},
            {"launched_at", c.launched_at ? json(to_iso8601(*c.launched_at)) : json(nullptr)},
            {"created_at", to_iso8601(c.created_at)},
            {"updated_at", to_iso8601(c.updated_at)},
            {"version", c.version}};
}

result<Campaign> campaign_from_stored(const json& doc) {
    Campaign c;
    json host = json::object();
    for (const char* k : {"external_id", "name", "description", "parent", "channels", "segments", "suppressions",
                          "frequency_cap", "responded_statuses", "variants", "seed", "budget", "actual_cost",
                          "expected_revenue", "expected_responses", "messages"})
        if (const json* v = codec::member(doc, k)) host[k] = *v;
    CRM_TRYV(apply_campaign_json(host, c));
    CRM_TRY(id, codec::get_id(doc, "id", ""));
    c.id = id.value_or(Id{});
    CRM_TRY(process, codec::text_or_empty(doc, "process", "", 64));
    c.process = std::move(process);
    CRM_TRY(pv, codec::get_int(doc, "process_version", ""));
    c.process_version = static_cast<int>(pv.value_or(0));
    CRM_TRY(state, codec::text_or_empty(doc, "state", "", 64));
    c.state = std::move(state);
    CRM_TRY(status, codec::text_or_empty(doc, "status", "", 64));
    c.status = std::move(status);
    CRM_TRY(entered, codec::get_time(doc, "state_entered_at", ""));
    c.state_entered_at = entered.value_or(Timestamp{});
    CRM_TRY(members, codec::get_int(doc, "members", ""));
    c.members = members.value_or(0);
    CRM_TRY(launched, codec::get_time(doc, "launched_at", ""));
    c.launched_at = launched;
    CRM_TRY(created, codec::get_time(doc, "created_at", ""));
    c.created_at = created.value_or(Timestamp{});
    CRM_TRY(updated, codec::get_time(doc, "updated_at", ""));
    c.updated_at = updated.value_or(Timestamp{});
    CRM_TRY(version, codec::get_int(doc, "version", ""));
    c.version = version.value_or(0);
    return c;
}

}  // namespace crm::marketing

namespace crm::codec {

json to_json(const Segment& s) { return marketing::to_json(s, true); }

namespace {
json opt_time(const std::optional<Timestamp>& t) { return t ? json(to_iso8601(*t)) : json(nullptr); }
}  // namespace

json to_json(const PartyProfile& p) {
    json windows = json::object();
    for (std::size_t w = 0; w < kPurchaseWindows.size(); ++w) {
        const std::string d = std::to_string(kPurchaseWindows[w]) + "d";
        windows["count_" + d] = p.window_count[w];
        windows["sum_" + d] = p.window_sum[w];
    }
    json last = json::object();
    for (int c = 0; c < kChannelCount; ++c)
        last[to_string(static_cast<Channel>(c))] = opt_time(p.last_interaction[static_cast<std::size_t>(c)]);
    return {{"party", p.party.str()},
            {"kind", to_string(p.kind)},
            {"lifecycle_stage", p.lifecycle_stage},
            {"owner", p.owner},
            {"city", p.city},
            {"country", p.country},
            {"tags", p.tags},
            {"custom", to_json(p.custom)},
            {"created_at", to_iso8601(p.created_at)},
            {"consent", {{"email", p.consent_email}, {"sms", p.consent_sms}, {"call", p.consent_call},
                         {"whatsapp", p.consent_whatsapp}}},
            {"organizations", p.organizations},
            {"purchases", {{"count", p.purchase_count}, {"sum", p.purchase_sum},
                           {"first_at", opt_time(p.first_purchase)}, {"last_at", opt_time(p.last_purchase)},
                           {"windows", windows}}},
            {"rfm", {{"recency", p.rfm_recency}, {"frequency", p.rfm_frequency}, {"monetary", p.rfm_monetary}}},
            {"last_interaction", last},
            {"tickets", {{"count", p.tickets}, {"open", p.open_tickets}, {"complaints", p.complaints}}},
            {"campaigns", {{"sent", p.campaigns_sent}, {"opened", p.campaigns_opened},
                           {"clicked", p.campaigns_clicked}, {"responded", p.campaigns_responded},
                           {"converted", p.campaigns_converted}}},
            {"as_of", to_iso8601(p.as_of)},
            {"expires_at", opt_time(p.expires_at)}};
}

json to_json(const SegmentMembership& m) {
    return {{"segment", m.segment}, {"party", m.party.str()}, {"joined_at", to_iso8601(m.joined_at)},
            {"left_at", opt_time(m.left_at)}};
}

json to_json(const SuppressionEntry& e) {
    return {{"kind", to_string(e.kind)}, {"value", e.value}, {"reason", e.reason},
            {"added_at", to_iso8601(e.added_at)}};
}

json to_json(const SegmentExplanation& e) {
    return {{"segment", e.segment}, {"party", e.party.str()}, {"member", e.member},
            {"tree", json::parse(e.tree)}};
}

json to_json(const SegmentRefreshReport& r) {
    return {{"profiles_refreshed", r.profiles_refreshed}, {"segments_evaluated", r.segments_evaluated},
            {"joined", r.joined}, {"left", r.left}, {"rfm_scored", r.rfm_scored}};
}

json to_json(const LoyaltyProgram& p) { return marketing::to_json(p, true); }

json to_json(const Campaign& c) { return marketing::stored_json(c); }

json to_json(const CampaignMember& m) {
    json statuses = json::object();
    for (int i = 0; i < kMemberStatusCount; ++i)
        if (const auto& t = m.at[static_cast<std::size_t>(i)]) statuses[to_string(static_cast<MemberStatus>(i))] = to_iso8601(*t);
    return {{"campaign", m.campaign.str()}, {"party", m.party.str()}, {"variant", m.variant},
            {"channel", m.channel},         {"address", m.address},   {"statuses", statuses},
            {"batch", m.batch},             {"dispatched_at", opt_time(m.dispatched_at)}};
}

json to_json(const DeliveryPlan& p) {
    json batches = json::array();
    for (const auto& b : p.batches)
        batches.push_back({{"number", b.number}, {"channel", b.channel}, {"send_at", to_iso8601(b.send_at)},
                           {"count", b.count}, {"after", b.after.is_nil() ? json(nullptr) : json(b.after.str())},
                           {"last", b.last.str()}, {"parts", b.parts}});
    json messages = json::array();
    for (const auto& m : p.messages)
        messages.push_back({{"channel", m.channel},
                            {"messages", m.messages},
                            {"parts", m.parts},
                            {"most_parts", m.most_parts},
                            {"ucs2", m.ucs2},
                            {"cost_per_part", marketing::money_json(m.cost_per_part)},
                            {"cost", marketing::money_json(m.cost)}});
    return {{"campaign", p.campaign.str()}, {"number", p.number}, {"created_at", to_iso8601(p.created_at)},
            {"members", p.members}, {"held_back", p.held_back}, {"batches", batches},
            {"messages", messages}};
}

namespace {
json figures_json(const CampaignFigures& f) {
    json statuses = json::object();
    for (int i = 0; i < kMemberStatusCount; ++i)
        statuses[to_string(static_cast<MemberStatus>(i))] = f.statuses[static_cast<std::size_t>(i)];
    return {{"members", f.members},         {"statuses", statuses},
            {"responded", f.responded},     {"response_rate", f.response_rate},
            {"leads", f.leads},             {"converted_leads", f.converted_leads},
            {"opportunities", f.opportunities}, {"won_opportunities", f.won_opportunities},
            {"won_revenue_minor", f.won_revenue_minor}};
}
}  // namespace

json to_json(const CampaignReport& r) {
    json variants = json::object();
    for (const auto& [id, f] : r.variants) variants[id] = figures_json(f);
    json children = json::array();
    for (const auto& c : r.children) children.push_back(c.str());
    return {{"campaign", r.campaign.str()},
            {"currency", r.currency},
            {"total", figures_json(r.total)},
            {"variants", variants},
            {"first_touch_revenue_minor", r.first_touch_revenue_minor},
            {"last_touch_revenue_minor", r.last_touch_revenue_minor},
            {"actual_cost_minor", r.actual_cost_minor},
            {"cost_per_lead_minor", r.cost_per_lead_minor ? json(*r.cost_per_lead_minor) : json(nullptr)},
            {"roi", r.roi ? json(*r.roi) : json(nullptr)},
            {"children", children},
            {"ab", r.ab ? json{{"group_a", r.group_a}, {"group_b", r.group_b}, {"test", to_json(*r.ab)}}
                        : json(nullptr)}};
}

json to_json(const LoyaltyAccount& a) {
    return {{"program", a.program}, {"party", a.party.str()}, {"tier", a.tier},
            {"tier_since", to_iso8601(a.tier_since)}, {"enrolled_at", to_iso8601(a.enrolled_at)}};
}

json to_json(const LedgerEntry& e) {
    return {{"seq", e.seq},
            {"program", e.program},
            {"party", e.party.str()},
            {"kind", to_string(e.kind)},
            {"points", e.points},
            {"at", to_iso8601(e.at)},
            {"key", e.key},
            {"order_id", e.order_id},
            {"amount_minor", e.amount_minor},
            {"reason", e.reason},
            {"expires_at", opt_time(e.expires_at)},
            {"remaining", e.remaining}};
}

json to_json(const LoyaltyStatus& s) {
    json recent = json::array();
    for (const auto& e : s.recent) recent.push_back(to_json(e));
    json j = to_json(s.account);
    j["balance"] = s.balance;
    j["recent"] = std::move(recent);
    return j;
}

json to_json(const LoyaltyRefreshReport& r) {
    return {{"lots_expired", r.lots_expired}, {"points_expired", r.points_expired},
            {"upgraded", r.upgraded}, {"downgraded", r.downgraded}};
}

}  // namespace crm::codec
