// src/marketing/segments.cpp - crm::Marketing: settings, profiles kept on
// write, segment definitions, evaluation (one compiled rule where it can,
// id sets where it must), explanations, tracked memberships, lists,
// suppression and refresh.
#include <algorithm>
#include <iterator>
#include <set>

#include "core/clean.hpp"
#include "core/enum_names.hpp"
#include "core/json_read.hpp"
#include "crm/core/email.hpp"
#include "crm/core/phone.hpp"
#include "crm/core/text.hpp"
#include "crm/marketing/marketing.hpp"
#include "customer/codec.hpp"
#include "marketing/codec.hpp"
#include "marketing/work.hpp"

namespace crm {

using codec::json;

CRM_ENUM_NAMES(SegmentKind, parse_segment_kind, {SegmentKind::dynamic, "dynamic"},
               {SegmentKind::list, "list"}, {SegmentKind::suppression, "suppression"},
               {SegmentKind::set, "set"})
CRM_ENUM_NAMES(SetOp, parse_set_op, {SetOp::union_of, "union"}, {SetOp::intersection, "intersection"},
               {SetOp::difference, "difference"})
CRM_ENUM_NAMES(SuppressionKind, parse_suppression_kind, {SuppressionKind::party, "party"},
               {SuppressionKind::email, "email"}, {SuppressionKind::domain, "domain"},
               {SuppressionKind::phone, "phone"})

namespace marketing {
namespace {

constexpr std::string_view kSegmentKind = "segment";
constexpr std::string_view kMarketingKind = "marketing";
constexpr const char* kSettingsId = "settings";
constexpr const char* kRfmId = "rfm";
constexpr int kPage = 1000;
constexpr int kMaxDepth = 16;  // sets of sets

bool reads_time(const Segment& s) {
    if (!s.rule) return false;
    const std::string j = s.rule->to_json();
    return j.find("\"now\"") != std::string::npos || j.find("\"start_of\"") != std::string::npos;
}

// A rule that reads a party's stored lifetime value (clv.*), which a
// scoring run changes for every party at once.
bool reads_scores(const Segment& s) {
    return s.rule && s.rule->to_json().find("\"clv.") != std::string::npos;
}

// ---- the work of one transaction --------------------------------------------

class Work {
public:
    Work(Engine::Impl& impl, Transaction& tx) : impl_(impl), tx_(tx) {}

    Timestamp now() const { return impl_.now(); }

    result<const MarketingSettings*> settings() {
        if (!settings_) {
            CRM_TRY(stored, tx_.get_definition(kMarketingKind, kSettingsId, 0));
            MarketingSettings s;
            if (stored) {
                CRM_TRY(doc, codec::parse(stored->body, "marketing settings"));
                CRM_TRY(parsed, settings_from_json(doc));
                s = std::move(parsed);
                s.version = stored->version;
            }
            settings_ = std::move(s);
        }
        return &*settings_;
    }

    result<const RfmCutoffs*> rfm() {
        if (!rfm_) {
            CRM_TRY(stored, tx_.get_definition(kMarketingKind, kRfmId, 0));
            RfmCutoffs r;
            if (stored) {
                CRM_TRY(doc, codec::parse(stored->body, "RFM cutoffs"));
                CRM_TRY(parsed, rfm_from_json(doc));
                r = parsed;
            }
            rfm_ = r;
        }
        return &*rfm_;
    }

    result<const expr::Schema*> schema() {
        if (!schema_) {
            CRM_TRY(s, settings());
            CRM_TRY(defs, impl_.fields_of(tx_, "party"));
            schema_ = profile_schema(*defs, s->currency);
        }
        return &*schema_;
    }

    /// The latest version of every segment, by id.
    result<const std::vector<Segment>*> segments() {
        if (!segments_) {
            CRM_TRY(versions, tx_.definition_versions(kSegmentKind));
            std::vector<Segment> out;
            out.reserve(versions.size());
            for (const auto& [id, version] : versions) {
                CRM_TRY(s, load(id, version));
                out.push_back(std::move(s));
            }
            segments_ = std::move(out);
        }
        return &*segments_;
    }

    result<bool> profiles_on() {
        CRM_TRY(versions, tx_.definition_versions(kSegmentKind));
        return !versions.empty();
    }

    result<Segment> segment(std::string_view id, std::string_view field = "segment") {
        CRM_TRY(all, segments());
        for (const auto& s : *all)
            if (s.id == id) return s;
        return fail(errc::not_found, "no segment '" + std::string(id.substr(0, 64)) + "'",
                    std::string(field));
    }

    /// Stored segments are parsed once per (id, version) and kept by the Engine.
    result<Segment> load(const std::string& id, int version) {
        const auto key = std::make_pair(id, version);
        if (auto it = impl_.segment_cache.find(key); it != impl_.segment_cache.end())
            return it->second;
        CRM_TRY(stored, tx_.get_definition(kSegmentKind, id, version));
        if (!stored) return fail(errc::storage, "segment '" + id + "' vanished");
        CRM_TRY(doc, codec::parse(stored->body, "segment"));
        CRM_TRY(sch, schema());
        auto parsed = segment_from_json(doc, *sch);
        if (!parsed)
            return fail(errc::storage, "stored segment '" + id + "' no longer loads: " +
                                           parsed.error().message + " (" + parsed.error().field + ")");
        Segment s = std::move(parsed).value();
        s.version = stored->version;
        impl_.segment_cache.emplace(key, s);
        return s;
    }

    void forget_segments() { segments_.reset(); }

    // ---- profiles -----------------------------------------------------------

    result<void> compute(PartyProfile& p, const Party& party, unsigned parts) {
        if (parts & party_part) set_party_part(p, party);
        if (parts == all_parts) {  // a new profile: the stored lifetime value too
            CRM_TRY(clv, tx_.clv_score(party.id));
            set_clv_part(p, clv);
        }
        if (parts & purchase_part) {
            CRM_TRY(purchases, tx_.purchases_of(party.id));
            CRM_TRY(s, settings());
            CRM_TRY(r, rfm());
            set_purchase_part(p, purchases, s->currency, now(), *r);
        }
        if (parts & interaction_part) {
            CRM_TRY(last, tx_.last_interactions(party.id));
            p.last_interaction.fill(std::nullopt);
            for (const auto& [c, at] : last) p.last_interaction[static_cast<std::size_t>(c)] = at;
        }
        if (parts & ticket_part) {
            CRM_TRY(tickets, tx_.tickets_of(party.id));
            set_ticket_part(p, tickets);
        }
        if (parts & membership_part) {
            CRM_TRY(ms, tx_.memberships_of(party.id));
            set_membership_part(p, ms);
        }
        if (parts & campaign_part) {
            CRM_TRY(places, tx_.campaign_members_of(party.id));
            std::vector<bool> responded;
            for (const auto& m : places) {
                CRM_TRY(c, tx_.get_campaign(m.campaign));
                bool r = false;
                if (c)
                    for (auto s : c->responded_statuses) r = r || m.at[static_cast<std::size_t>(s)].has_value();
                responded.push_back(r);
            }
            set_campaign_part(p, places, responded);
        }
        return ok();
    }

    result<void> party_changed(const Id& id, unsigned parts, const Party* known) {
        std::optional<Party> loaded;
        if (!known) {
            CRM_TRY(p, tx_.get_party(id));
            loaded = std::move(p);
            if (loaded) known = &*loaded;
        }
        if (!known || !known->merged_into.is_nil()) return forget_party(id);
        CRM_TRY(existing, tx_.get_profile(id));
        PartyProfile p;
        if (existing) {
            p = std::move(*existing);
            // Windows that moved since are brought up to date with the rest,
            // so memberships are never evaluated on a stale window.
            if (p.expires_at && p.expires_at->ms <= now().ms) parts |= purchase_part;
        } else {
            parts = all_parts;
        }
        CRM_TRYV(compute(p, *known, parts));
        CRM_TRYV(tx_.put_profile(p));
        return update_memberships(p);
    }

    result<void> forget_party(const Id& id) {
        CRM_TRYV(tx_.delete_profile(id));
        CRM_TRY(current, tx_.segment_memberships(id, false));
        for (const auto& m : current) CRM_TRYV(leave(m.segment, id));
        return ok();
    }

    result<void> join(const std::string& segment, const Id& party) {
        CRM_TRYV(tx_.join_segment(segment, party, now()));
        return membership_event("segment.joined", segment, party);
    }
    result<void> leave(const std::string& segment, const Id& party) {
        CRM_TRYV(tx_.leave_segment(segment, party, now()));
        return membership_event("segment.left", segment, party);
    }
    result<void> membership_event(const char* type, const std::string& segment, const Id& party) {
        Event e;
        e.at = now();
        e.type = type;
        e.record_type = "party";
        e.record_id = party;
        e.payload = json{{"segment", segment}, {"party", party.str()}}.dump();
        return tx_.append_event(e);
    }

    /// Evaluates every tracked segment on one profile and writes the joins
    /// and leaves that differ from the stored memberships.
    result<void> update_memberships(const PartyProfile& p) {
        CRM_TRY(all, segments());
        CRM_TRY(sch, schema());
        CRM_TRY(current, tx_.segment_memberships(p.party, false));
        bool any_tracked = false;
        for (const auto& s : *all) any_tracked = any_tracked || (s.kind == SegmentKind::dynamic && s.track);
        if (!any_tracked && current.empty()) return ok();
        expr::RowRecord record(*sch);
        fill_record(p, *sch, record);
        const expr::Context context = impl_.rule_context();
        std::set<std::string, std::less<>> in;
        for (const auto& s : *all) {
            if (s.kind != SegmentKind::dynamic || !s.track || !s.rule) continue;
            CRM_TRY(matcher, expr::Matcher::make(*s.rule, context));
            if (matcher.matches(record)) in.insert(s.id);
        }
        for (const auto& m : current)
            if (!in.erase(m.segment)) CRM_TRYV(leave(m.segment, p.party));
        for (const auto& id : in) CRM_TRYV(join(id, p.party));
        return ok();
    }

    /// Brings the profiles whose windows moved up to date.
    result<std::int64_t> refresh_due(const std::function<void(std::int64_t)>& progress = {}) {
        std::int64_t done = 0;
        for (;;) {
            CRM_TRY(due, tx_.profiles_expiring(now(), kPage));
            if (due.empty()) return done;
            for (const auto& id : due) CRM_TRYV(party_changed(id, purchase_part, nullptr));
            done += static_cast<std::int64_t>(due.size());
            if (progress) progress(done);
        }
    }

    /// Builds the profile of every live party (and its memberships), and
    /// drops the profiles of parties that are no longer live.
    result<std::int64_t> rebuild(const std::function<void(std::int64_t)>& progress) {
        std::vector<Id> gone;
        CRM_TRYV(tx_.for_each_profile([&](const PartyProfile& p) {
            gone.push_back(p.party);
            return true;
        }));
        std::vector<Id> live_gone;
        for (const auto& id : gone) {
            CRM_TRY(party, tx_.get_party(id));
            if (!party || !party->merged_into.is_nil()) live_gone.push_back(id);
        }
        for (const auto& id : live_gone) CRM_TRYV(forget_party(id));
        std::int64_t done = 0;
        Id after;
        for (;;) {
            std::vector<Party> page;
            CRM_TRYV(tx_.for_each_party(after, [&](const Party& p) {
                page.push_back(p);
                return static_cast<int>(page.size()) < kPage;
            }));
            if (page.empty()) return done;
            for (const auto& party : page) {
                PartyProfile p;
                CRM_TRYV(compute(p, party, all_parts));
                CRM_TRYV(tx_.put_profile(p));
                CRM_TRYV(update_memberships(p));
            }
            after = page.back().id;
            done += static_cast<std::int64_t>(page.size());
            if (progress) progress(done);
        }
    }

    // ---- evaluation ---------------------------------------------------------

    /// A segment as one rule over profiles, or as the sorted ids of its members.
    struct Resolved {
        std::optional<expr::Expr> rule;
        std::vector<Id> ids;
    };

    result<std::vector<Id>> all_matching(const expr::Expr& rule) {
        CRM_TRY(sch, schema());
        const expr::Context context = impl_.rule_context();
        std::vector<Id> out;
        Id after;
        for (;;) {
            CRM_TRY(page, tx_.match_profiles(*sch, rule, context, after, 100000));
            if (page.empty()) return out;
            out.insert(out.end(), page.begin(), page.end());
            after = page.back();
        }
    }

    template <class Next>
    static result<std::vector<Id>> drain(Next next) {
        std::vector<Id> out;
        Id after;
        for (;;) {
            CRM_TRY(page, next(after));
            if (page.empty()) return out;
            out.insert(out.end(), page.begin(), page.end());
            after = page.back();
        }
    }

    result<std::vector<Id>> suppressed_parties(const std::string& list) {
        CRM_TRY(entries, tx_.suppressions(list));
        std::set<Id> ids;
        for (const auto& e : entries) {
            switch (e.kind) {
                case SuppressionKind::party:
                    if (auto id = Id::parse(e.value)) ids.insert(id.value());
                    break;
                case SuppressionKind::email:
                case SuppressionKind::phone: {
                    CRM_TRY(found, tx_.parties_by_contact(e.kind == SuppressionKind::email
                                                              ? ContactKind::email
                                                              : ContactKind::phone,
                                                          e.value));
                    ids.insert(found.begin(), found.end());
                    break;
                }
                case SuppressionKind::domain: {
                    CRM_TRY(found, tx_.parties_by_email_domain(e.value));
                    ids.insert(found.begin(), found.end());
                    break;
                }
            }
        }
        return std::vector<Id>(ids.begin(), ids.end());
    }

    result<Resolved> resolve(const Segment& s, int depth = 0) {
        if (depth > kMaxDepth)
            return fail(errc::invalid_argument, "sets nest deeper than 16", "segment");
        Resolved r;
        switch (s.kind) {
            case SegmentKind::dynamic:
                r.rule = s.rule ? *s.rule : expr::Expr{};
                return r;
            case SegmentKind::list: {
                CRM_TRY(ids, drain([&](const Id& after) { return tx_.list_members(s.id, after, 100000); }));
                r.ids = std::move(ids);
                return r;
            }
            case SegmentKind::suppression: {
                CRM_TRY(ids, suppressed_parties(s.id));
                r.ids = std::move(ids);
                return r;
            }
            case SegmentKind::set:
                break;
        }
        std::vector<Resolved> parts;
        bool all_rules = true;
        for (const auto& id : s.of) {
            CRM_TRY(operand, segment(id, "of"));
            CRM_TRY(part, resolve(operand, depth + 1));
            all_rules = all_rules && part.rule.has_value();
            parts.push_back(std::move(part));
        }
        if (all_rules) {
            // One rule: the database evaluates the whole set in one scan.
            json terms = json::array();
            for (const auto& p : parts) terms.push_back(json::parse(p.rule->to_json()));
            json combined;
            if (s.op == SetOp::union_of) {
                combined = {{"or", terms}};
            } else if (s.op == SetOp::intersection) {
                combined = {{"and", terms}};
            } else {
                json rest = json::array();
                for (std::size_t i = 1; i < terms.size(); ++i) rest.push_back(terms[i]);
                combined = {{"and", json::array({terms[0], {{"not", {{"or", rest}}}}})}};
            }
            CRM_TRY(sch, schema());
            // A set too large for one rule (the rule language's limits) is
            // computed from id sets below instead.
            if (auto rule = expr::Expr::from_json(combined.dump(), *sch)) {
                r.rule = std::move(rule).value();
                return r;
            }
        }
        std::vector<std::vector<Id>> sets;
        for (auto& p : parts) {
            if (p.rule) {
                CRM_TRY(ids, all_matching(*p.rule));
                sets.push_back(std::move(ids));
            } else {
                sets.push_back(std::move(p.ids));
            }
        }
        std::vector<Id> acc = std::move(sets[0]);
        for (std::size_t i = 1; i < sets.size(); ++i) {
            std::vector<Id> next;
            if (s.op == SetOp::union_of)
                std::set_union(acc.begin(), acc.end(), sets[i].begin(), sets[i].end(), std::back_inserter(next));
            else if (s.op == SetOp::intersection)
                std::set_intersection(acc.begin(), acc.end(), sets[i].begin(), sets[i].end(), std::back_inserter(next));
            else
                std::set_difference(acc.begin(), acc.end(), sets[i].begin(), sets[i].end(), std::back_inserter(next));
            acc = std::move(next);
        }
        r.ids = std::move(acc);
        return r;
    }

    result<std::vector<Id>> members_of(const Segment& s) {
        CRM_TRY(r, resolve(s));
        if (r.rule) return all_matching(*r.rule);
        return std::move(r.ids);
    }

    /// Opens and closes the stays of a tracked segment to match its members now.
    result<std::pair<std::int64_t, std::int64_t>> rescan(const Segment& s) {
        std::vector<Id> want;
        if (s.kind == SegmentKind::dynamic && s.track) {
            CRM_TRY(ids, members_of(s));
            want = std::move(ids);
        }
        CRM_TRY(have, drain([&](const Id& after) { return tx_.segment_members(s.id, after, 100000); }));
        std::vector<Id> joining, leaving;
        std::set_difference(want.begin(), want.end(), have.begin(), have.end(), std::back_inserter(joining));
        std::set_difference(have.begin(), have.end(), want.begin(), want.end(), std::back_inserter(leaving));
        for (const auto& id : joining) CRM_TRYV(join(s.id, id));
        for (const auto& id : leaving) CRM_TRYV(leave(s.id, id));
        return std::make_pair(static_cast<std::int64_t>(joining.size()),
                              static_cast<std::int64_t>(leaving.size()));
    }

    // ---- explanations ---------------------------------------------------------

    result<json> explain_rule(const json& node, const expr::Record& record,
                              const expr::Context& context) {
        CRM_TRY(sch, schema());
        CRM_TRY(e, expr::Expr::from_json(node.dump(), *sch));
        CRM_TRY(held, expr::evaluate(e, record, context));
        json out = {{"held", held}, {"condition", node}};
        if (node.is_object() && node.size() == 1) {
            const auto it = node.begin();
            if ((it.key() == "and" || it.key() == "or") && it.value().is_array()) {
                json children = json::array();
                for (const auto& c : it.value()) {
                    CRM_TRY(child, explain_rule(c, record, context));
                    children.push_back(std::move(child));
                }
                out["children"] = std::move(children);
            } else if (it.key() == "not") {
                CRM_TRY(child, explain_rule(it.value(), record, context));
                out["children"] = json::array({std::move(child)});
            }
        }
        return out;
    }

    result<std::optional<SuppressionEntry>> suppression_match(const std::string& list,
                                                              const Party& party) {
        using Out = std::optional<SuppressionEntry>;
        CRM_TRY(by_party, tx_.suppression(list, SuppressionKind::party, party.id.str()));
        if (by_party) return by_party;
        for (const auto& c : party.contacts) {
            if (c.kind != ContactKind::email && c.kind != ContactKind::phone) continue;
            const std::string key = contact_index_key(c.kind, c.value);
            const auto kind = c.kind == ContactKind::email ? SuppressionKind::email : SuppressionKind::phone;
            CRM_TRY(hit, tx_.suppression(list, kind, key));
            if (hit) return hit;
            if (c.kind == ContactKind::email)
                if (auto at = key.rfind('@'); at != std::string::npos) {
                    CRM_TRY(domain, tx_.suppression(list, SuppressionKind::domain, key.substr(at + 1)));
                    if (domain) return domain;
                }
        }
        return Out{};
    }

    result<json> explain(const Segment& s, const PartyProfile& p, const Party& party, int depth) {
        if (depth > kMaxDepth) return fail(errc::invalid_argument, "sets nest deeper than 16", "segment");
        json out = {{"segment", s.id}, {"kind", to_string(s.kind)}};
        switch (s.kind) {
            case SegmentKind::dynamic: {
                CRM_TRY(sch, schema());
                expr::RowRecord record(*sch);
                fill_record(p, *sch, record);
                const expr::Expr rule = s.rule ? *s.rule : expr::Expr{};
                CRM_TRY(tree, explain_rule(json::parse(rule.to_json()), record, impl_.rule_context()));
                json values = json::object();
                for (const auto& f : rule.fields()) {
                    const Value v = profile_value(p, *sch, f);
                    const auto* field = sch->find(f);
                    const auto* ms = std::get_if<std::int64_t>(&v);
                    values[f] = field && field->type == expr::Type::timestamp && ms
                                    ? json(to_iso8601(Timestamp{*ms}))
                                    : codec::to_json(v);
                }
                out["held"] = tree["held"];
                out["rule"] = std::move(tree);
                out["values"] = std::move(values);
                return out;
            }
            case SegmentKind::list: {
                CRM_TRY(in, tx_.in_list(s.id, p.party));
                out["held"] = in;
                return out;
            }
            case SegmentKind::suppression: {
                CRM_TRY(hit, suppression_match(s.id, party));
                out["held"] = hit.has_value();
                if (hit)
                    out["entry"] = {{"kind", to_string(hit->kind)}, {"value", hit->value},
                                    {"reason", hit->reason}};
                return out;
            }
            case SegmentKind::set:
                break;
        }
        json children = json::array();
        std::vector<bool> held;
        for (const auto& id : s.of) {
            CRM_TRY(operand, segment(id, "of"));
            CRM_TRY(child, explain(operand, p, party, depth + 1));
            held.push_back(child["held"].get<bool>());
            children.push_back(std::move(child));
        }
        bool result = false;
        if (s.op == SetOp::union_of) {
            result = std::find(held.begin(), held.end(), true) != held.end();
        } else if (s.op == SetOp::intersection) {
            result = std::find(held.begin(), held.end(), false) == held.end();
        } else {
            result = held[0] && std::find(held.begin() + 1, held.end(), true) == held.end();
        }
        out["op"] = to_string(s.op);
        out["held"] = result;
        out["children"] = std::move(children);
        return out;
    }

    // ---- RFM ---------------------------------------------------------------------

    /// Quintile boundaries over every profile with purchases, stored when
    /// they changed, then every profile scored again.
    result<void> score_all(const std::function<void(std::int64_t)>& progress) {
        std::vector<std::int64_t> recency, frequency, monetary;
        CRM_TRYV(tx_.for_each_profile([&](const PartyProfile& p) {
            if (p.purchase_count > 0 && p.last_purchase) {
                recency.push_back(p.last_purchase->ms);
                frequency.push_back(p.purchase_count);
                monetary.push_back(p.purchase_sum);
            }
            return true;
        }));
        RfmCutoffs cut;
        const auto quintiles = [](std::vector<std::int64_t>& v, std::array<std::int64_t, 4>& out) {
            if (v.empty()) return;
            std::sort(v.begin(), v.end());
            for (std::size_t q = 1; q <= 4; ++q) out[q - 1] = v[(v.size() * q) / 5];
        };
        quintiles(recency, cut.recency);
        quintiles(frequency, cut.frequency);
        quintiles(monetary, cut.monetary);
        cut.set = !recency.empty();
        CRM_TRY(old, rfm());
        if (cut.set && (!old->set || old->recency != cut.recency || old->frequency != cut.frequency ||
                        old->monetary != cut.monetary)) {
            CRM_TRY(latest, tx_.definition_version(kMarketingKind, kRfmId));
            CRM_TRYV(tx_.put_definition({std::string(kMarketingKind), kRfmId, latest + 1,
                                         to_json(cut).dump(), now(), "crmcore"}));
        }
        rfm_ = cut;
        // Profiles whose scores move, collected first: the scan must not see
        // its own writes.
        std::vector<PartyProfile> changed;
        CRM_TRYV(tx_.for_each_profile([&](const PartyProfile& p) {
            PartyProfile q = p;
            score_rfm(q, cut);
            if (q.rfm_recency != p.rfm_recency || q.rfm_frequency != p.rfm_frequency ||
                q.rfm_monetary != p.rfm_monetary)
                changed.push_back(std::move(q));
            return true;
        }));
        std::int64_t done = 0;
        for (const auto& q : changed) {
            CRM_TRYV(tx_.put_profile(q));
            CRM_TRYV(update_memberships(q));
            if (progress && ++done % kPage == 0) progress(done);
        }
        return ok();
    }

    // ---- lists and suppression ----------------------------------------------------

    result<Segment> of_kind(std::string_view id, SegmentKind kind, std::string_view field) {
        CRM_TRY(s, segment(id, field));
        if (s.kind != kind)
            return fail(errc::invalid_argument,
                        "segment '" + s.id + "' is a " + to_string(s.kind) + " segment, not a " +
                            to_string(kind) + " one",
                        std::string(field));
        return s;
    }

    result<std::string> suppression_value(SuppressionKind kind, std::string_view value) {
        const std::string tidy = text::tidy(value);
        if (tidy.empty()) return fail(errc::invalid_argument, "is required", "value");
        switch (kind) {
            case SuppressionKind::party: {
                Id id;
                if (auto parsed = Id::parse(tidy)) {
                    id = parsed.value();
                } else {
                    CRM_TRY(ext, tx_.party_by_external_id(tidy));
                    id = ext;
                }
                if (id.is_nil())
                    return fail(errc::not_found, "no party '" + tidy.substr(0, 64) + "'", "value");
                CRM_TRY(p, impl_.load_live_party(tx_, id, "value"));
                return p.id.str();
            }
            case SuppressionKind::email: {
                CRM_TRY(address, email::normalize(tidy, "value"));
                return contact_index_key(ContactKind::email, address);
            }
            case SuppressionKind::domain: {
                std::string d = tidy[0] == '@' ? tidy.substr(1) : tidy;
                CRM_TRY(check, email::normalize("x@" + d, "value"));
                return check.substr(2);
            }
            case SuppressionKind::phone: {
                CRM_TRY(parsed, phone::parse(tidy, impl_.options.default_region,
                                             impl_.operators.get(), "value"));
                return parsed.e164;
            }
        }
        return fail(errc::invalid_argument, "unknown kind", "kind");
    }

private:
    Engine::Impl& impl_;
    Transaction& tx_;
    std::optional<MarketingSettings> settings_;
    std::optional<RfmCutoffs> rfm_;
    std::optional<expr::Schema> schema_;
    std::optional<std::vector<Segment>> segments_;
};

result<void> check_sets(Work& w, const Segment& s) {
    // Every operand exists, and no set reaches itself through others.
    CRM_TRY(all, w.segments());
    std::map<std::string, const Segment*, std::less<>> by_id;
    for (const auto& x : *all) by_id[x.id] = &x;
    by_id[s.id] = &s;
    std::set<std::string, std::less<>> visiting;
    std::function<result<void>(const Segment&, int)> visit = [&](const Segment& x,
                                                                  int depth) -> result<void> {
        if (x.kind != SegmentKind::set) return ok();
        if (depth > kMaxDepth) return fail(errc::invalid_argument, "sets nest deeper than 16", "of");
        if (!visiting.insert(x.id).second)
            return fail(errc::invalid_argument, "set '" + x.id + "' contains itself through others", "of");
        for (std::size_t i = 0; i < x.of.size(); ++i) {
            auto it = by_id.find(x.of[i]);
            if (it == by_id.end())
                return fail(errc::not_found, "no segment '" + x.of[i] + "'",
                            &x == &s ? "of[" + std::to_string(i) + "]" : "of");
            CRM_TRYV(visit(*it->second, depth + 1));
        }
        visiting.erase(x.id);
        return ok();
    };
    return visit(s, 0);
}

}  // namespace

result<void> party_changed(Engine::Impl& impl, Transaction& tx, const Id& party,
                           unsigned parts, const Party* known) {
    Work w(impl, tx);
    CRM_TRY(on, w.profiles_on());
    if (!on) return ok();
    return w.party_changed(party, parts, known);
}

result<void> interaction_logged(Engine::Impl& impl, Transaction& tx, const Id& party,
                                Channel channel, Timestamp at) {
    Work w(impl, tx);
    CRM_TRY(on, w.profiles_on());
    if (!on) return ok();
    CRM_TRY(existing, tx.get_profile(party));
    if (!existing || (existing->expires_at && existing->expires_at->ms <= impl.now().ms))
        return w.party_changed(party, existing ? interaction_part | purchase_part : all_parts, nullptr);
    auto& slot = existing->last_interaction[static_cast<std::size_t>(channel)];
    if (slot && slot->ms >= at.ms) return ok();
    slot = at;
    CRM_TRYV(tx.put_profile(*existing));
    return w.update_memberships(*existing);
}

result<std::vector<Id>> segment_members_now(Engine::Impl& impl, Transaction& tx,
                                            std::string_view segment, std::string_view field,
                                            SegmentKind* kind) {
    Work w(impl, tx);
    CRM_TRY(s, w.segment(segment, field));
    if (kind) *kind = s.kind;
    CRM_TRYV(w.refresh_due());
    return w.members_of(s);
}

result<std::pair<std::int64_t, std::int64_t>> scores_changed(Engine::Impl& impl,
                                                             Transaction& tx) {
    Work w(impl, tx);
    std::pair<std::int64_t, std::int64_t> moved{0, 0};
    CRM_TRY(on, w.profiles_on());
    if (!on) return moved;
    CRM_TRY(all, w.segments());
    const std::vector<Segment> segs = *all;
    for (const auto& s : segs) {
        if (s.kind != SegmentKind::dynamic || !s.track || !reads_scores(s)) continue;
        CRM_TRY(changes, w.rescan(s));
        moved.first += changes.first;
        moved.second += changes.second;
    }
    return moved;
}

namespace {

// A change's parts are the profile's parts, bit for bit.
constexpr bool same(PartyChange::Part a, Part b) {
    return static_cast<unsigned>(a) == static_cast<unsigned>(b);
}
static_assert(same(PartyChange::fields, party_part) && same(PartyChange::purchases, purchase_part) &&
              same(PartyChange::interactions, interaction_part) &&
              same(PartyChange::tickets, ticket_part) &&
              same(PartyChange::memberships, membership_part) &&
              same(PartyChange::campaigns, campaign_part) &&
              same(PartyChange::everything, all_parts));

class ProfileObserver final : public ChangeObserver {
public:
    result<void> changed(Engine::Impl& impl, Transaction& tx, const PartyChange& c) override {
        if (!c.merged_from.is_nil()) CRM_TRYV(party_merging(impl, tx, c.merged_from, c.party));
        if (c.interaction)
            CRM_TRYV(interaction_logged(impl, tx, c.party, c.interaction->first,
                                        c.interaction->second));
        if (c.parts) CRM_TRYV(party_changed(impl, tx, c.party, c.parts, c.known));
        return ok();
    }
};

}  // namespace

std::unique_ptr<ChangeObserver> profile_observer() { return std::make_unique<ProfileObserver>(); }

}  // namespace marketing

// ---- the public face -------------------------------------------------------------

using marketing::Work;

Marketing::Marketing(Engine& engine) noexcept : engine_(&engine) {}

result<Written<MarketingSettings>> Marketing::configure(const Context& ctx, std::string_view text) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(doc, codec::parse(text, "marketing settings"));
    CRM_TRY(s, marketing::settings_from_json(doc));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Written<MarketingSettings>> {
        Work before(impl, tx);
        CRM_TRY(old, before.settings());
        const std::string old_currency = old->currency;
        const json j = marketing::to_json(s);
        CRM_TRY(stored, impl.store_versioned(tx, ctx, marketing::kMarketingKind, marketing::kSettingsId,
                                             j.dump(), "marketing", "marketing.configured", j));
        s.version = stored.first;
        if (stored.second != WriteOutcome::unchanged && old_currency != s.currency) {
            // Sums and rules with money literals read the currency.
            impl.segment_cache.clear();
            Work after(impl, tx);
            if (auto segs = after.segments(); !segs)
                return fail(errc::invalid_argument,
                            "a segment compares sums in " + old_currency + ": " + segs.error().message +
                                "; change it before the currency",
                            "currency");
            CRM_TRY(on, after.profiles_on());
            if (on) {
                CRM_TRYV(after.rebuild({}));
                // RFM boundaries of monetary value were in the old currency.
                CRM_TRY(rfm, after.rfm());
                if (rfm->set) CRM_TRYV(after.score_all({}));
            }
        }
        return Written<MarketingSettings>{s, stored.second};
    });
}

result<MarketingSettings> Marketing::settings() {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<MarketingSettings> {
        Work w(impl, tx);
        CRM_TRY(s, w.settings());
        return *s;
    });
}

result<expr::Schema> Marketing::profile_schema() {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<expr::Schema> {
        Work w(impl, tx);
        CRM_TRY(s, w.schema());
        return *s;
    });
}

result<PartyProfile> Marketing::profile(const Id& party) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<PartyProfile> {
        CRM_TRY(p, impl.load_live_party(tx, party));
        CRM_TRY(prof, tx.get_profile(p.id));
        if (!prof)
            return fail(errc::not_found, "profiles are built once the first segment is defined",
                        "party");
        // Windows that moved are answered as they are now (refresh stores them).
        if (prof->expires_at && prof->expires_at->ms <= impl.now().ms) {
            Work w(impl, tx);
            CRM_TRYV(w.compute(*prof, p, marketing::purchase_part));
        }
        return std::move(*prof);
    });
}

result<std::int64_t> Marketing::rebuild_profiles(const Context& ctx,
                                                 const std::function<void(std::int64_t)>& progress) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<std::int64_t> {
        Work w(impl, tx);
        CRM_TRY(on, w.profiles_on());
        if (!on) return std::int64_t{0};  // profiles are kept once a segment exists
        return w.rebuild(progress);
    });
}

result<Written<Segment>> Marketing::define_segment(const Context& ctx, std::string_view text) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(doc, codec::parse(text, "segment"));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Written<Segment>> {
        Work w(impl, tx);
        CRM_TRY(sch, w.schema());
        CRM_TRY(s, marketing::segment_from_json(doc, *sch));
        CRM_TRY(was_on, w.profiles_on());
        std::optional<Segment> previous;
        if (was_on)
            if (auto old = w.segment(s.id); old) previous = std::move(old).value();
        if (previous && previous->kind != s.kind)
            return fail(errc::invalid_argument,
                        "segment '" + s.id + "' is a " + to_string(previous->kind) +
                            " segment; its kind cannot change",
                        "kind");
        if (s.kind == SegmentKind::set) CRM_TRYV(marketing::check_sets(w, s));
        const json j = marketing::to_json(s, false);
        CRM_TRY(stored, impl.store_versioned(tx, ctx, marketing::kSegmentKind, s.id, j.dump(),
                                             "segment", "segment.defined", j));
        s.version = stored.first;
        if (stored.second == WriteOutcome::unchanged) return Written<Segment>{s, stored.second};
        w.forget_segments();
        if (!was_on) {
            // The first segment: every party gets its profile (and joins
            // what it matches on the way).
            CRM_TRYV(w.rebuild({}));
        } else if (s.kind == SegmentKind::dynamic) {
            CRM_TRYV(w.refresh_due());
            CRM_TRYV(w.rescan(s));
        }
        return Written<Segment>{s, stored.second};
    });
}

result<Segment> Marketing::segment(std::string_view id) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<Segment> {
        Work w(impl, tx);
        return w.segment(id, "id");
    });
}

result<std::vector<Segment>> Marketing::segments() {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<Segment>> {
        Work w(impl, tx);
        CRM_TRY(all, w.segments());
        return *all;
    });
}

result<std::int64_t> Marketing::count(const Context& ctx, std::string_view segment) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<std::int64_t> {
        Work w(impl, tx);
        CRM_TRY(s, w.segment(segment));
        CRM_TRYV(w.refresh_due());
        CRM_TRY(r, w.resolve(s));
        if (!r.rule) return static_cast<std::int64_t>(r.ids.size());
        CRM_TRY(sch, w.schema());
        return tx.count_profiles(*sch, *r.rule, impl.rule_context());
    });
}

result<std::vector<Id>> Marketing::members(const Context& ctx, std::string_view segment,
                                           const Id& after, int limit) {
    CRM_TRYV(check_context(ctx));
    if (limit < 1 || limit > 100000)
        return fail(errc::invalid_argument, "must be 1..100000", "limit");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<std::vector<Id>> {
        Work w(impl, tx);
        CRM_TRY(s, w.segment(segment));
        CRM_TRYV(w.refresh_due());
        CRM_TRY(r, w.resolve(s));
        if (r.rule) {
            CRM_TRY(sch, w.schema());
            return tx.match_profiles(*sch, *r.rule, impl.rule_context(), after, limit);
        }
        auto it = after.is_nil() ? r.ids.begin() : std::upper_bound(r.ids.begin(), r.ids.end(), after);
        const auto n = std::min<std::ptrdiff_t>(limit, r.ids.end() - it);
        return std::vector<Id>(it, it + n);
    });
}

result<std::vector<Id>> Marketing::sample(const Context& ctx, std::string_view segment, int size,
                                          std::uint64_t seed) {
    CRM_TRYV(check_context(ctx));
    if (size < 1 || size > 10000) return fail(errc::invalid_argument, "must be 1..10000", "size");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<std::vector<Id>> {
        Work w(impl, tx);
        CRM_TRY(s, w.segment(segment));
        CRM_TRYV(w.refresh_due());
        CRM_TRY(r, w.resolve(s));
        if (r.rule) {
            CRM_TRY(sch, w.schema());
            return tx.sample_profiles(*sch, *r.rule, impl.rule_context(), size, seed);
        }
        // Members held as ids: the same order, by sample_key.
        std::vector<std::pair<std::int64_t, Id>> keyed;
        keyed.reserve(r.ids.size());
        for (const auto& id : r.ids) keyed.emplace_back(sample_key(id.str(), seed), id);
        const auto n = std::min<std::size_t>(static_cast<std::size_t>(size), keyed.size());
        std::partial_sort(keyed.begin(), keyed.begin() + static_cast<std::ptrdiff_t>(n), keyed.end());
        std::vector<Id> out;
        for (std::size_t i = 0; i < n; ++i) out.push_back(keyed[i].second);
        return out;
    });
}

result<SegmentExplanation> Marketing::explain(const Context& ctx, std::string_view segment,
                                              const Id& party) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<SegmentExplanation> {
        Work w(impl, tx);
        CRM_TRY(s, w.segment(segment));
        CRM_TRY(p, impl.load_live_party(tx, party));
        CRM_TRYV(w.refresh_due());
        CRM_TRY(prof, tx.get_profile(p.id));
        if (!prof) return fail(errc::storage, "party has no profile", "party");
        CRM_TRY(tree, w.explain(s, *prof, p, 0));
        SegmentExplanation out;
        out.segment = s.id;
        out.party = p.id;
        out.member = tree["held"].get<bool>();
        out.tree = tree.dump(-1, ' ', false, json::error_handler_t::replace);
        return out;
    });
}

result<std::vector<SegmentMembership>> Marketing::memberships(const Id& party, bool with_history) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<SegmentMembership>> {
        CRM_TRY(p, impl.load_live_party(tx, party));
        return tx.segment_memberships(p.id, with_history);
    });
}

result<std::vector<SegmentMembership>> Marketing::membership_history(std::string_view segment,
                                                                     int limit) {
    if (limit < 1 || limit > 100000) return fail(errc::invalid_argument, "must be 1..100000", "limit");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<SegmentMembership>> {
        Work w(impl, tx);
        CRM_TRY(s, w.segment(segment));
        return tx.segment_history(s.id, limit);
    });
}

namespace {

// Adds parties to a static list, or removes them: one audit entry and one
// event for the call, answering how many were added or removed.
result<std::int64_t> change_list(Engine& engine, const Context& ctx, std::string_view list,
                                 const std::vector<Id>& parties, bool add) {
    CRM_TRYV(check_context(ctx));
    if (parties.empty()) return fail(errc::invalid_argument, "must name at least one party", "parties");
    if (parties.size() > 100000)
        return fail(errc::invalid_argument, "names more than 100000 parties", "parties");
    auto& impl = EngineAccess::impl(engine);
    return impl.write([&](Transaction& tx) -> result<std::int64_t> {
        Work w(impl, tx);
        CRM_TRY(s, w.of_kind(list, SegmentKind::list, "list"));
        std::int64_t changed = 0;
        for (std::size_t i = 0; i < parties.size(); ++i) {
            CRM_TRY(p, impl.load_live_party(tx, parties[i], "parties[" + std::to_string(i) + "]"));
            CRM_TRY(did, add ? tx.put_list_member(s.id, p.id, impl.now()) : tx.delete_list_member(s.id, p.id));
            changed += did ? 1 : 0;
        }
        const std::string n = std::to_string(changed);
        CRM_TRYV(impl.record(tx, ctx, "segment", Id{}, add ? "list_add" : "list_remove",
                             {{"members", add ? "null" : n, add ? n : "null"}}, "segment.list_changed",
                             json{{"list", s.id}, {"added", add ? changed : 0}, {"removed", add ? 0 : changed}}));
        return changed;
    });
}

}  // namespace

result<std::int64_t> Marketing::add_to_list(const Context& ctx, std::string_view list,
                                            const std::vector<Id>& parties) {
    return change_list(*engine_, ctx, list, parties, true);
}

result<std::int64_t> Marketing::remove_from_list(const Context& ctx, std::string_view list,
                                                 const std::vector<Id>& parties) {
    return change_list(*engine_, ctx, list, parties, false);
}

result<std::int64_t> Marketing::snapshot(const Context& ctx, std::string_view from,
                                         std::string_view list) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<std::int64_t> {
        Work w(impl, tx);
        CRM_TRY(source, w.segment(from, "from"));
        CRM_TRY(list_id, clean_key(std::string(list), "list"));
        if (list_id == source.id)
            return fail(errc::invalid_argument, "a segment cannot be its own snapshot", "list");
        if (auto existing = w.segment(list_id, "list"); existing) {
            if (existing.value().kind != SegmentKind::list)
                return fail(errc::invalid_argument, "segment '" + list_id + "' is not a list", "list");
        } else {
            json def = json::object();
            def["id"] = list_id;
            def["name"] = list_id;
            def["kind"] = "list";
            def["description"] = "a snapshot of " + source.id;
            CRM_TRYV(impl.store_versioned(tx, ctx, marketing::kSegmentKind, list_id, def.dump(),
                                          "segment", "segment.defined", def));
            w.forget_segments();
        }
        CRM_TRYV(w.refresh_due());
        CRM_TRY(ids, w.members_of(source));
        CRM_TRYV(tx.clear_list(list_id));
        for (const auto& id : ids) CRM_TRYV(tx.put_list_member(list_id, id, impl.now()));
        const auto n = static_cast<std::int64_t>(ids.size());
        CRM_TRYV(impl.record(tx, ctx, "segment", Id{}, "snapshot",
                             {{"members", "null", std::to_string(n)}}, "segment.list_changed",
                             json{{"list", list_id}, {"from", source.id}, {"members", n}}));
        return n;
    });
}

result<SuppressionEntry> Marketing::suppress(const Context& ctx, std::string_view list,
                                             SuppressionKind kind, std::string_view value,
                                             std::string_view reason) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(why, clean_text(std::string(reason), "reason", 1024));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<SuppressionEntry> {
        Work w(impl, tx);
        CRM_TRY(s, w.of_kind(list, SegmentKind::suppression, "list"));
        CRM_TRY(v, w.suppression_value(kind, value));
        CRM_TRY(existing, tx.suppression(s.id, kind, v));
        if (existing) return std::move(*existing);
        SuppressionEntry e{kind, v, why, impl.now()};
        CRM_TRYV(tx.put_suppression(s.id, e));
        CRM_TRYV(impl.record(tx, ctx, "segment", Id{}, "suppress",
                             {{std::string("suppression.") + to_string(kind), "null", json(v).dump()}},
                             "segment.suppression_changed",
                             json{{"list", s.id}, {"kind", to_string(kind)}, {"value", v}, {"added", true}}));
        return e;
    });
}

result<bool> Marketing::unsuppress(const Context& ctx, std::string_view list, SuppressionKind kind,
                                   std::string_view value) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<bool> {
        Work w(impl, tx);
        CRM_TRY(s, w.of_kind(list, SegmentKind::suppression, "list"));
        CRM_TRY(v, w.suppression_value(kind, value));
        CRM_TRY(removed, tx.delete_suppression(s.id, kind, v));
        if (removed)
            CRM_TRYV(impl.record(tx, ctx, "segment", Id{}, "unsuppress",
                                 {{std::string("suppression.") + to_string(kind), json(v).dump(), "null"}},
                                 "segment.suppression_changed",
                                 json{{"list", s.id}, {"kind", to_string(kind)}, {"value", v}, {"added", false}}));
        return removed;
    });
}

result<std::vector<SuppressionEntry>> Marketing::suppression_entries(std::string_view list) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<SuppressionEntry>> {
        Work w(impl, tx);
        CRM_TRY(s, w.of_kind(list, SegmentKind::suppression, "list"));
        return tx.suppressions(s.id);
    });
}

result<SegmentRefreshReport> Marketing::refresh(const Context& ctx,
                                                const SegmentRefreshOptions& options) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<SegmentRefreshReport> {
        Work w(impl, tx);
        SegmentRefreshReport report;
        CRM_TRY(on, w.profiles_on());
        if (!on) return report;
        CRM_TRY(due, w.refresh_due(options.progress));
        report.profiles_refreshed = due;
        if (options.rfm) {
            CRM_TRYV(w.score_all(options.progress));
            report.rfm_scored = true;
        }
        CRM_TRY(all, w.segments());
        const std::vector<Segment> segs = *all;
        for (const auto& s : segs) {
            if (s.kind != SegmentKind::dynamic || !s.track || !marketing::reads_time(s)) continue;
            CRM_TRY(changes, w.rescan(s));
            ++report.segments_evaluated;
            report.joined += changes.first;
            report.left += changes.second;
        }
        return report;
    });
}

}  // namespace crm
