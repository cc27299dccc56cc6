// src/marketing/codec.cpp - JSON forms of the marketing side's records.
#include "marketing/codec.hpp"

#include "crm/core/text.hpp"
#include "customer/codec.hpp"
#include "engine/impl.hpp"
#include "sales/work.hpp"

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
    CRM_TRY(tidy_name, sales::clean_text(name, "name", 200));
    s.name = tidy_name.empty() ? s.id : tidy_name;
    CRM_TRY(description, codec::text_or_empty(doc, "description", "", 8192));
    CRM_TRY(tidy_description, sales::clean_text(description, "description", 4096));
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
