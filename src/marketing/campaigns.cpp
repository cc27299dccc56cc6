// src/marketing/campaigns.cpp - campaigns from definition to result: the
// record on its process, members taken at launch (audience minus
// suppression, consent and frequency cap, split into A/B groups), statuses
// reported by the host, throttled delivery plans handed over batch by
// batch, and the report with attribution and ROI.
#include <algorithm>
#include <set>

#include "core/clean.hpp"
#include "core/enum_names.hpp"
#include "core/json_read.hpp"
#include "crm/core/text.hpp"
#include "crm/marketing/marketing.hpp"
#include "customer/codec.hpp"
#include "engine/access.hpp"
#include "crm/core/sms.hpp"
#include "marketing/codec.hpp"
#include "marketing/work.hpp"

namespace crm {

using codec::json;

CRM_ENUM_NAMES(MemberStatus, parse_member_status, {MemberStatus::sent, "sent"},
               {MemberStatus::delivered, "delivered"}, {MemberStatus::opened, "opened"},
               {MemberStatus::clicked, "clicked"}, {MemberStatus::responded, "responded"},
               {MemberStatus::converted, "converted"}, {MemberStatus::bounced, "bounced"},
               {MemberStatus::unsubscribed, "unsubscribed"})

namespace marketing {

result<void> party_merging(Engine::Impl&, Transaction& tx, const Id& from, const Id& to) {
    CRM_TRY(places, tx.campaign_members_of(from));
    for (const auto& m : places) {
        CRM_TRY(theirs, tx.get_campaign_member(m.campaign, to));
        if (!theirs) continue;  // reassign_party moves the row
        CampaignMember kept = *theirs;
        for (std::size_t i = 0; i < kept.at.size(); ++i)
            if (m.at[i] && (!kept.at[i] || m.at[i]->ms < kept.at[i]->ms)) kept.at[i] = m.at[i];
        if (kept.batch == 0 && m.batch != 0) {
            kept.batch = m.batch;
            kept.dispatched_at = m.dispatched_at;
            kept.channel = m.channel;
            kept.address = m.address;
        }
        CRM_TRYV(tx.put_campaign_member(kept));
    }
    return ok();
}

expr::Schema campaign_schema() {
    expr::Schema s;
    (void)s.add("name", expr::Type::text);
    (void)s.add("channels", expr::Type::text_list);
    (void)s.add("segments", expr::Type::text_list);
    (void)s.add("members", expr::Type::integer);
    (void)s.add("expected_responses", expr::Type::integer);
    (void)s.add("budget", expr::Type::money);
    return s;
}

namespace {

constexpr const char* kCampaignProcess = R"({
  "id": "campaign", "record_type": "campaign", "name": "Campaign lifecycle",
  "card": {"title": "Campaign lifecycle", "goal": "Run every campaign from definition to result",
           "owner": "marketing manager", "executors": ["marketing"],
           "scope": "from a proposed campaign to a completed or cancelled one",
           "record_keeping": "every move is kept in history",
           "kpis": ["response rate", "cost per lead", "ROI"]},
  "states": [
    {"id": "proposed", "label": "Proposed", "initial": true},
    {"id": "ready", "label": "Ready"},
    {"id": "launched", "label": "Launched"},
    {"id": "suspended", "label": "Suspended"},
    {"id": "completed", "label": "Completed", "category": "closed"},
    {"id": "cancelled", "label": "Cancelled", "category": "cancelled"}],
  "transitions": [
    {"name": "ready", "from": "proposed", "to": "ready"},
    {"name": "launch", "from": "ready", "to": "launched"},
    {"name": "suspend", "from": "launched", "to": "suspended"},
    {"name": "resume", "from": "suspended", "to": "launched"},
    {"name": "complete", "from": ["launched", "suspended"], "to": "completed"},
    {"name": "cancel", "from": ["proposed", "ready", "launched", "suspended"], "to": "cancelled",
     "close_record": true}]
})";
constexpr std::string_view kRecordType = "campaign";
constexpr std::int64_t kBatchesPerPlan = 100000;  // a member's batch: plan * this + number

expr::MapRecord record_of(const Campaign& c) {
    expr::MapRecord r;
    if (!c.name.empty()) r.values["name"] = c.name;
    r.values["channels"] = c.channels;
    r.values["segments"] = c.segments;
    r.values["members"] = c.members;
    r.values["expected_responses"] = c.expected_responses;
    if (c.budget) r.values["budget"] = *c.budget;
    return r;
}

ContactKind kind_of_channel(std::string_view channel) {
    return channel == "email" ? ContactKind::email : ContactKind::phone;
}

bool opted_in(const ContactPoint& c, std::string_view channel) {
    for (const auto& consent : c.consents)
        if (consent.channel == channel) return consent.status == ConsentStatus::opt_in;
    return false;
}

class CampaignWork {
public:
    CampaignWork(Engine::Impl& impl, Transaction& tx, const Context& ctx)
        : impl_(impl), tx_(tx), ctx_(ctx) {}

    Timestamp now() const { return impl_.now(); }

    result<Campaign> load(const Id& id, std::string_view field = "id") {
        CRM_TRY(c, tx_.get_campaign(id));
        if (!c) return fail(errc::not_found, "no campaign " + id.str(), std::string(field));
        return std::move(*c);
    }

    result<Campaign> find(std::string_view key) {
        if (auto id = Id::parse(key); id) {
            CRM_TRY(c, tx_.get_campaign(id.value()));
            if (c) return std::move(*c);
        }
        CRM_TRY(id, tx_.campaign_by_external_id(key));
        if (id.is_nil()) return fail(errc::not_found, "no campaign '" + std::string(key.substr(0, 64)) + "'", "id");
        return load(id);
    }

    // The fields a message template may name, each with a member's value;
    // without a party, every name with an empty value (for checking).
    result<std::map<std::string, std::string>> message_fields(const Party* p) {
        std::map<std::string, std::string> f{{"first_name", ""}, {"last_name", ""}, {"name", ""}, {"city", ""}};
        CRM_TRY(defs, impl_.fields_of(tx_, "party"));
        for (const FieldDef& d : *defs) f.emplace(d.name, "");
        if (!p) return f;
        f["first_name"] = p->first_name;
        f["last_name"] = p->last_name;
        f["name"] = p->display_name();
        f["city"] = p->city;
        for (const auto& [name, value] : p->custom) {
            auto it = f.find(name);
            if (it == f.end() || name == "first_name" || name == "last_name" || name == "name" || name == "city")
                continue;
            if (const auto* s = std::get_if<std::string>(&value)) it->second = *s;
            else if (const auto* n = std::get_if<std::int64_t>(&value)) it->second = std::to_string(*n);
        }
        return f;
    }

    result<void> check(const Campaign& c) {
        if (c.name.empty()) return fail(errc::invalid_argument, "is required", "name");
        if (c.channels.empty()) return fail(errc::invalid_argument, "must name at least one channel", "channels");
        if (!c.messages.empty()) {
            CRM_TRY(fields, message_fields(nullptr));
            for (const auto& [channel, tmpl] : c.messages) {
                const std::string at = "messages." + channel;
                if (std::find(c.channels.begin(), c.channels.end(), channel) == c.channels.end())
                    return fail(errc::invalid_argument, "is not a channel of the campaign", at);
                CRM_TRYV(sms::render(tmpl, fields, at));
            }
        }
        for (std::size_t i = 0; i < c.segments.size(); ++i) {
            SegmentKind kind{};
            const std::string at = "segments[" + std::to_string(i) + "]";
            CRM_TRY(s, segment_kind(c.segments[i], at, kind));
            (void)s;
            if (kind == SegmentKind::suppression)
                return fail(errc::invalid_argument, "is a suppression list; name it in suppressions", at);
        }
        for (std::size_t i = 0; i < c.suppressions.size(); ++i) {
            SegmentKind kind{};
            const std::string at = "suppressions[" + std::to_string(i) + "]";
            CRM_TRY(s, segment_kind(c.suppressions[i], at, kind));
            (void)s;
            if (kind != SegmentKind::suppression)
                return fail(errc::invalid_argument, "is not a suppression list", at);
        }
        if (!c.parent.is_nil()) {
            if (c.parent == c.id) return fail(errc::invalid_argument, "a campaign cannot be its own parent", "parent");
            Id up = c.parent;
            for (int depth = 0; !up.is_nil(); ++depth) {
                if (depth > 16) return fail(errc::invalid_argument, "parents nest deeper than 16", "parent");
                CRM_TRY(p, load(up, "parent"));
                if (p.id == c.id) return fail(errc::invalid_argument, "a campaign cannot be its own ancestor", "parent");
                up = p.parent;
            }
        }
        if (!c.external_id.empty()) {
            CRM_TRY(other, tx_.campaign_by_external_id(c.external_id));
            if (!other.is_nil() && other != c.id)
                return fail(errc::conflict, "campaign '" + c.external_id + "' already exists", "external_id");
        }
        return ok();
    }

    result<bool> segment_kind(const std::string& id, const std::string& field, SegmentKind& kind) {
        CRM_TRY(versions, tx_.definition_version("segment", id));
        if (versions == 0) return fail(errc::not_found, "no segment '" + id + "'", field);
        CRM_TRY(stored, tx_.get_definition("segment", id, versions));
        CRM_TRY(doc, codec::parse(stored->body, "segment"));
        const json* k = codec::member(doc, "kind");
        CRM_TRY(parsed, parse_segment_kind(k && k->is_string() ? k->get<std::string>() : "dynamic"));
        kind = parsed;
        return true;
    }

    result<void> store(const Campaign& before, Campaign& after, bool creating, std::string_view move,
                       std::string_view reason, std::string_view event) {
        after.updated_at = now();
        after.version = before.version + 1;
        CRM_TRYV(tx_.put_campaign(after));
        const json b = creating ? json::object() : stored_json(before);
        const json a = stored_json(after);
        if (creating || before.state != after.state)
            CRM_TRYV(impl_.write_history(tx_, ctx_,
                                         {0, std::string(kRecordType), after.id, after.process,
                                          after.process_version, creating ? "" : before.state, after.state,
                                          std::string(move), {}, {}, std::string(reason), "{}",
                                          creating ? 0 : now().ms - before.state_entered_at.ms}));
        return impl_.record(tx_, ctx_, kRecordType, after.id, creating ? "create" : (move.empty() ? "update" : "move"),
                            diff(b, a), event, a);
    }

    result<Campaign> create(std::string_view text) {
        CRM_TRY(doc, codec::parse(text, "campaign"));
        if (!doc.is_object()) return fail(errc::invalid_argument, "must be an object", "");
        CRM_TRYV(codec::expect_object(doc, "", {"external_id", "name", "description", "parent", "channels",
                                                "segments", "suppressions", "frequency_cap",
                                                "responded_statuses", "variants", "seed", "budget",
                                                "actual_cost", "expected_revenue", "expected_responses",
                                                "messages", "process"}));
        Campaign c;
        CRM_TRYV(apply_campaign_json(doc, c));
        c.id = impl_.new_id();
        CRM_TRYV(check(c));
        CRM_TRY(process, codec::text_or_empty(doc, "process", "", 64));
        CRM_TRY(d, impl_.process_for_create(tx_, ctx_, process, "campaign", kCampaignProcess, kRecordType,
                                            "process"));
        c.process = d.id();
        c.process_version = d.version();
        c.state = d.initial().id;
        c.status = process::to_string(d.initial().category);
        c.state_entered_at = now();
        c.created_at = now();
        Campaign before;
        before.version = 0;
        CRM_TRYV(store(before, c, true, "", "", "campaign.created"));
        return c;
    }

    result<Campaign> update(const Id& id, std::string_view text) {
        CRM_TRY(doc, codec::parse(text, "changes"));
        if (!doc.is_object()) return fail(errc::invalid_argument, "must be an object", "");
        CRM_TRYV(codec::expect_object(doc, "", {"external_id", "name", "description", "parent", "channels",
                                                "segments", "suppressions", "frequency_cap",
                                                "responded_statuses", "variants", "seed", "budget",
                                                "actual_cost", "expected_revenue", "expected_responses",
                                                "messages"}));
        CRM_TRY(before, load(id));
        if (before.status != "open")
            return fail(errc::invalid_transition, "the campaign is " + before.state + "; it no longer changes", "id");
        if (before.launched_at)
            for (const char* k : {"channels", "segments", "suppressions", "frequency_cap", "variants", "seed",
                                  "responded_statuses"})
                if (codec::member(doc, k))
                    return fail(errc::invalid_transition,
                                "cannot change once the campaign is launched (its members are taken)", k);
        Campaign after = before;
        CRM_TRYV(apply_campaign_json(doc, after));
        CRM_TRYV(check(after));
        if (stored_json(after) == stored_json(before)) return before;
        CRM_TRYV(store(before, after, false, "", "", "campaign.updated"));
        return after;
    }

    result<Campaign> move(const Id& id, std::string_view name, std::string_view why) {
        CRM_TRY(before, load(id));
        CRM_TRY(d, impl_.definition(tx_, before.process, before.process_version, "process"));
        CRM_TRY(reason, clean_text(std::string(why), "reason", 1000));
        auto checked = d.check_move(before.state, name, record_of(before), impl_.rule_context(), !reason.empty());
        if (!checked) {
            if (checked.error().field == "close")
                return fail(errc::invalid_argument, "is required for the move '" + std::string(name) + "'", "reason");
            return checked.error();
        }
        const process::Transition* t = checked.value();
        const process::State& target = *d.find_state(t->to);
        Campaign after = before;
        json launch = json::object();
        if (target.id == "launched" && !before.launched_at) {
            CRM_TRY(taken, take_members(after));
            launch = std::move(taken);
            after.launched_at = now();
        }
        after.state = target.id;
        after.status = process::to_string(target.category);
        after.state_entered_at = now();
        const std::string event = target.id == "launched" && !before.launched_at ? "campaign.launched"
                                  : target.category == process::Category::cancelled ? "campaign.cancelled"
                                  : target.category == process::Category::closed   ? "campaign.completed"
                                                                                   : "campaign.moved";
        CRM_TRYV(store(before, after, false, t->name, reason, event));
        if (!launch.empty()) {
            launch["campaign"] = after.id.str();
            Event e;
            e.at = now();
            e.type = "campaign.members_taken";
            e.record_type = std::string(kRecordType);
            e.record_id = after.id;
            e.payload = launch.dump();
            CRM_TRYV(tx_.append_event(e));
        }
        return after;
    }

    /// The launch: audience minus suppression, consent and cap; groups by seed.
    result<json> take_members(Campaign& c) {
        std::vector<Id> audience;
        for (const auto& s : c.segments) {
            CRM_TRY(ids, segment_members_now(impl_, tx_, s, "segments"));
            std::vector<Id> merged;
            std::set_union(audience.begin(), audience.end(), ids.begin(), ids.end(), std::back_inserter(merged));
            audience = std::move(merged);
        }
        if (audience.empty()) return fail(errc::invalid_argument, "the audience is empty", "segments");
        std::vector<Id> suppressed;
        for (const auto& s : c.suppressions) {
            CRM_TRY(ids, segment_members_now(impl_, tx_, s, "suppressions"));
            std::vector<Id> merged;
            std::set_union(suppressed.begin(), suppressed.end(), ids.begin(), ids.end(), std::back_inserter(merged));
            suppressed = std::move(merged);
        }
        std::vector<Id> candidates;
        std::set_difference(audience.begin(), audience.end(), suppressed.begin(), suppressed.end(),
                            std::back_inserter(candidates));
        std::int64_t no_consent = 0, over_cap = 0, taken = 0;
        const Timestamp since{c.frequency_cap ? now().ms - static_cast<std::int64_t>(c.frequency_cap->days) * 86'400'000
                                              : 0};
        for (const auto& id : candidates) {
            CRM_TRY(party, tx_.get_party(id));
            if (!party || !party->merged_into.is_nil()) continue;
            CampaignMember m;
            for (const auto& channel : c.channels) {
                const ContactKind kind = kind_of_channel(channel);
                for (const auto& cp : party->contacts)
                    if (cp.kind == kind && opted_in(cp, channel)) {
                        m.channel = channel;
                        m.address = cp.value;
                        break;
                    }
                if (!m.channel.empty()) break;
            }
            if (m.channel.empty()) {
                ++no_consent;
                continue;
            }
            if (c.frequency_cap) {
                CRM_TRY(sends, tx_.recent_campaign_sends(id, since));
                if (sends >= c.frequency_cap->max) {
                    ++over_cap;
                    continue;
                }
            }
            m.campaign = c.id;
            m.party = id;
            m.variant = variant_of(c, id);
            CRM_TRYV(tx_.put_campaign_member(m));
            ++taken;
        }
        if (taken == 0) {
            if (no_consent > 0 && over_cap == 0) {
                std::string channels;
                for (const auto& ch : c.channels) channels += (channels.empty() ? "" : ", ") + ch;
                return fail(errc::invalid_argument,
                            "none of the " + std::to_string(candidates.size()) +
                                " parties left in the audience has consent on " + channels,
                            "channels");
            }
            return fail(errc::invalid_argument,
                        "no member is left: " + std::to_string(audience.size()) + " in the audience, " +
                            std::to_string(audience.size() - candidates.size()) + " suppressed, " +
                            std::to_string(no_consent) + " without consent, " + std::to_string(over_cap) +
                            " over the frequency cap",
                        "segments");
        }
        c.members = taken;
        return json{{"audience", audience.size()},
                    {"suppressed", audience.size() - candidates.size()},
                    {"no_consent", no_consent},
                    {"over_cap", over_cap},
                    {"members", taken}};
    }

    static std::string variant_of(const Campaign& c, const Id& party) {
        if (c.variants.empty()) return "";
        const auto bucket = static_cast<int>(static_cast<std::uint64_t>(sample_key(party.str(), c.seed)) % 100);
        int edge = 0;
        for (const auto& v : c.variants) {
            edge += v.share;
            if (bucket < edge) return v.id;
        }
        return c.variants.back().id;
    }

    result<CampaignMember> report(const Id& campaign, const Id& party, MemberStatus status,
                                  std::optional<Timestamp> when) {
        CRM_TRY(c, load(campaign, "campaign"));
        if (!c.launched_at)
            return fail(errc::invalid_transition, "the campaign is " + c.state + "; it has no members yet", "campaign");
        CRM_TRY(live, impl_.load_live_party(tx_, party));
        CRM_TRY(found, tx_.get_campaign_member(c.id, live.id));
        if (!found) return fail(errc::not_found, "the party is not a member of the campaign", "party");
        CampaignMember m = std::move(*found);
        const Timestamp at = when.value_or(now());
        bool changed = false;
        const auto mark = [&](MemberStatus s) {
            auto& slot = m.at[static_cast<std::size_t>(s)];
            if (!slot) {
                slot = at;
                changed = true;
            }
        };
        mark(status);
        if (static_cast<int>(status) <= static_cast<int>(MemberStatus::converted))
            for (int s = 0; s < static_cast<int>(status); ++s) mark(static_cast<MemberStatus>(s));
        if (!changed) return m;
        // A member the host reports on was reached outside any plan: no
        // plan hands it over again.
        if (m.batch == 0) {
            m.batch = -1;
            m.dispatched_at = at;
        }
        CRM_TRYV(tx_.put_campaign_member(m));
        if (status == MemberStatus::unsubscribed) CRM_TRYV(unsubscribe(live, m, c));
        CRM_TRYV(impl_.record(tx_, ctx_, kRecordType, c.id, "member_status",
                              {{"status." + std::string(to_string(status)), "null", json(to_iso8601(at)).dump()}},
                              "campaign.member_status",
                              json{{"campaign", c.id.str()}, {"party", live.id.str()},
                                   {"status", to_string(status)}, {"at", to_iso8601(at)}, {"variant", m.variant}}));
        CRM_TRYV(party_changed(impl_, tx_, live.id, campaign_part));
        return m;
    }

    result<void> unsubscribe(const Party& p, const CampaignMember& m, const Campaign& c) {
        Party next = p;
        bool any = false;
        for (auto& cp : next.contacts) {
            if (cp.kind != kind_of_channel(m.channel) || cp.value != m.address) continue;
            Consent opt_out{m.channel, ConsentStatus::opt_out, now(), "campaign:" + c.id.str()};
            auto it = std::find_if(cp.consents.begin(), cp.consents.end(),
                                   [&](const Consent& x) { return x.channel == m.channel; });
            if (it == cp.consents.end()) cp.consents.push_back(opt_out);
            else *it = opt_out;
            any = true;
        }
        if (!any) return ok();
        bool changed = false;
        CRM_TRY(stored, impl_.update_stored_party(tx_, ctx_, p, std::move(next), "consent",
                                                  "party.consent_changed", &changed));
        (void)stored;
        return ok();
    }

    result<DeliveryPlan> plan(const Id& campaign, const PlanOptions& o) {
        if (o.window_minutes < 1 || o.window_minutes > 7 * 24 * 60)
            return fail(errc::invalid_argument, "must be 1 to 10080 minutes", "window_minutes");
        if (o.default_rate < 1) return fail(errc::invalid_argument, "must be above 0", "default_rate");
        for (const auto& [channel, rate] : o.rate_per_window)
            if (rate < 1) return fail(errc::invalid_argument, "must be above 0", "rate_per_window." + channel);
        for (const auto& [channel, cost] : o.cost_per_part) {
            if (channel != "sms")
                return fail(errc::invalid_argument, "parts are counted for sms only", "cost_per_part." + channel);
            if (cost.minor < 0) return fail(errc::invalid_argument, "must not be negative", "cost_per_part.sms");
        }
        CRM_TRY(c, load(campaign, "campaign"));
        if (c.state != "launched")
            return fail(errc::invalid_transition,
                        "the campaign is " + c.state + "; only a launched campaign is planned", "campaign");
        std::optional<BusinessCalendar> calendar;
        if (!o.calendar.empty()) {
            CRM_TRY(cal, impl_.calendar_of(tx_, o.calendar == "default" ? std::string_view{} : o.calendar));
            calendar = std::move(cal);
        }
        CRM_TRY(all_pending, tx_.undispatched_members(c.id));
        std::vector<std::pair<std::string, Id>> pending;
        std::int64_t held_back = 0;
        if (c.frequency_cap) {
            // Other campaigns may have reached a member since launch.
            const Timestamp since{now().ms - static_cast<std::int64_t>(c.frequency_cap->days) * 86'400'000};
            for (auto& m : all_pending) {
                CRM_TRY(sends, tx_.recent_campaign_sends(m.second, since));
                if (sends >= c.frequency_cap->max) ++held_back;
                else pending.push_back(std::move(m));
            }
        } else {
            pending = std::move(all_pending);
        }
        CRM_TRY(previous, tx_.get_delivery_plan(c.id, 0));
        DeliveryPlan plan;
        plan.campaign = c.id;
        plan.number = previous ? previous->first + 1 : 1;
        plan.created_at = now();
        plan.members = static_cast<std::int64_t>(pending.size());
        plan.held_back = held_back;
        const std::int64_t window = static_cast<std::int64_t>(o.window_minutes) * 60'000;
        Timestamp start = o.start.value_or(now());
        if (start.ms < now().ms) start = now();
        const auto usable = [&](Timestamp t) {
            return calendar && !calendar->is_working(t) ? calendar->next_working(t) : t;
        };
        // The sms message of each member, rendered and counted in parts.
        const auto sms_message = c.messages.find("sms");
        PlannedMessages counted;
        counted.channel = "sms";
        const auto count_message = [&](const Id& party) -> result<std::int64_t> {
            CRM_TRY(p, tx_.get_party(party));
            if (!p) return fail(errc::internal, "a campaign member's party is gone");
            CRM_TRY(fields, message_fields(&*p));
            CRM_TRY(text, sms::render(sms_message->second, fields, "messages.sms"));
            CRM_TRY(parts, sms::count_parts(text, "messages.sms"));
            ++counted.messages;
            counted.parts += parts.parts;
            counted.most_parts = std::max(counted.most_parts, parts.parts);
            if (parts.encoding == sms::Encoding::ucs2) ++counted.ucs2;
            return parts.parts;
        };
        // Each channel its own run of windows; batches cut in id order.
        std::vector<DeliveryBatch> batches;
        for (std::size_t i = 0; i < pending.size();) {
            const std::string& channel = pending[i].first;
            auto found = o.rate_per_window.find(channel);
            const std::int64_t rate = found == o.rate_per_window.end() ? o.default_rate : found->second;
            Timestamp t = usable(start);
            Id after;
            while (i < pending.size() && pending[i].first == channel) {
                DeliveryBatch b;
                b.channel = channel;
                b.send_at = t;
                b.after = after;
                while (i < pending.size() && pending[i].first == channel && b.count < rate) {
                    b.last = pending[i].second;
                    if (channel == "sms" && sms_message != c.messages.end()) {
                        CRM_TRY(parts, count_message(b.last));
                        b.parts += parts;
                    }
                    ++b.count;
                    ++i;
                }
                after = b.last;
                batches.push_back(std::move(b));
                t = usable(Timestamp{t.ms + window});
            }
        }
        if (batches.size() >= static_cast<std::size_t>(kBatchesPerPlan))
            return fail(errc::invalid_argument, "the plan needs more than 99,999 batches; raise the rates",
                        "rate_per_window");
        std::stable_sort(batches.begin(), batches.end(), [](const DeliveryBatch& a, const DeliveryBatch& b) {
            return a.send_at.ms < b.send_at.ms;
        });
        for (std::size_t k = 0; k < batches.size(); ++k) batches[k].number = static_cast<int>(k + 1);
        plan.batches = std::move(batches);
        if (sms_message != c.messages.end()) {
            if (auto cost = o.cost_per_part.find("sms"); cost != o.cost_per_part.end()) {
                counted.cost_per_part = cost->second;
                if (cost->second.minor > 0 && counted.parts > INT64_MAX / cost->second.minor)
                    return fail(errc::invalid_argument, "times the parts is beyond 64 bits", "cost_per_part.sms");
                counted.cost = Money{counted.parts * cost->second.minor, cost->second.currency};
            }
            plan.messages.push_back(std::move(counted));
        }
        CRM_TRYV(tx_.put_delivery_plan(c.id, plan.number, plan.created_at, codec::to_json(plan).dump()));
        CRM_TRYV(impl_.record(tx_, ctx_, kRecordType, c.id, "plan",
                              {{"plan", "null", std::to_string(plan.number)}}, "campaign.planned",
                              json{{"campaign", c.id.str()}, {"plan", plan.number}, {"members", plan.members},
                                   {"batches", plan.batches.size()}}));
        return plan;
    }

    result<DeliveryPlan> stored_plan(const Id& campaign, int number) {
        CRM_TRY(found, tx_.get_delivery_plan(campaign, number));
        if (!found) return fail(errc::not_found, "no delivery plan", number == 0 ? "campaign" : "plan");
        CRM_TRY(doc, codec::parse(found->second, "delivery plan"));
        DeliveryPlan p;
        p.campaign = campaign;
        p.number = found->first;
        CRM_TRY(created, codec::get_time(doc, "created_at", ""));
        p.created_at = created.value_or(Timestamp{});
        CRM_TRY(members, codec::get_int(doc, "members", ""));
        p.members = members.value_or(0);
        CRM_TRY(held, codec::get_int(doc, "held_back", ""));
        p.held_back = held.value_or(0);
        const json* batches = codec::member(doc, "batches");
        if (!batches || !batches->is_array()) return fail(errc::storage, "a stored delivery plan is damaged");
        for (const auto& b : *batches) {
            DeliveryBatch x;
            CRM_TRY(n, codec::get_int(b, "number", "batches"));
            x.number = static_cast<int>(n.value_or(0));
            CRM_TRY(channel, codec::text_or_empty(b, "channel", "batches", 64));
            x.channel = channel;
            CRM_TRY(send_at, codec::get_time(b, "send_at", "batches"));
            x.send_at = send_at.value_or(Timestamp{});
            CRM_TRY(count, codec::get_int(b, "count", "batches"));
            x.count = count.value_or(0);
            CRM_TRY(after, codec::get_id(b, "after", "batches"));
            x.after = after.value_or(Id{});
            CRM_TRY(last, codec::get_id(b, "last", "batches"));
            x.last = last.value_or(Id{});
            CRM_TRY(parts, codec::get_int(b, "parts", "batches"));
            x.parts = parts.value_or(0);
            p.batches.push_back(std::move(x));
        }
        if (const json* messages = codec::member(doc, "messages"); messages && messages->is_array()) {
            for (const auto& m : *messages) {
                PlannedMessages x;
                CRM_TRY(channel, codec::text_or_empty(m, "channel", "messages", 64));
                x.channel = channel;
                for (auto [key, out] : {std::pair{"messages", &x.messages}, {"parts", &x.parts},
                                        {"most_parts", &x.most_parts}, {"ucs2", &x.ucs2}}) {
                    CRM_TRY(n, codec::get_int(m, key, "messages"));
                    *out = n.value_or(0);
                }
                CRM_TRY(per_part, read_money(m, "cost_per_part"));
                x.cost_per_part = per_part;
                CRM_TRY(cost, read_money(m, "cost"));
                x.cost = cost;
                p.messages.push_back(std::move(x));
            }
        }
        return p;
    }

    result<std::vector<CampaignMember>> dispatch(const Id& campaign, int plan_number, int batch_number) {
        CRM_TRY(c, load(campaign, "campaign"));
        if (plan_number < 1) return fail(errc::invalid_argument, "must be 1 or more", "plan");
        CRM_TRY(p, stored_plan(c.id, plan_number));
        if (batch_number < 1 || batch_number > static_cast<int>(p.batches.size()))
            return fail(errc::invalid_argument,
                        "must be 1 to " + std::to_string(p.batches.size()), "batch");
        const std::int64_t key = static_cast<std::int64_t>(plan_number) * kBatchesPerPlan + batch_number;
        CRM_TRY(done, tx_.batch_members(c.id, key));
        if (!done.empty()) return done;
        if (c.state != "launched")
            return fail(errc::invalid_transition, "the campaign is " + c.state + "; nothing is handed over",
                        "campaign");
        const DeliveryBatch& b = p.batches[static_cast<std::size_t>(batch_number - 1)];
        if (c.frequency_cap) {
            // Members over the cap now stay for a later plan, even inside the range.
            const Timestamp since{now().ms - static_cast<std::int64_t>(c.frequency_cap->days) * 86'400'000};
            CRM_TRY(range, tx_.undispatched_in_range(c.id, b.channel, b.after, b.last));
            for (auto& m : range) {
                CRM_TRY(sends, tx_.recent_campaign_sends(m.party, since));
                if (sends >= c.frequency_cap->max) continue;
                m.batch = key;
                m.dispatched_at = now();
                CRM_TRYV(tx_.put_campaign_member(m));
            }
        } else {
            CRM_TRYV(tx_.dispatch_members(c.id, b.channel, b.after, b.last, key, now()));
        }
        CRM_TRY(handed, tx_.batch_members(c.id, key));
        if (!handed.empty())
            CRM_TRYV(impl_.record(tx_, ctx_, kRecordType, c.id, "dispatch",
                                  {{"batch", "null", std::to_string(key)}}, "campaign.dispatched",
                                  json{{"campaign", c.id.str()}, {"plan", plan_number}, {"batch", batch_number},
                                       {"members", handed.size()}}));
        return handed;
    }

    // ---- the report ---------------------------------------------------------------

    static void count_member(const Campaign& c, const CampaignMember& m, CampaignFigures& f) {
        ++f.members;
        bool responded = false;
        for (int s = 0; s < kMemberStatusCount; ++s)
            if (m.at[static_cast<std::size_t>(s)]) ++f.statuses[static_cast<std::size_t>(s)];
        for (auto s : c.responded_statuses) responded = responded || m.at[static_cast<std::size_t>(s)].has_value();
        if (responded) ++f.responded;
    }

    result<void> add_campaign(const Campaign& c, CampaignReport& r, int depth) {
        if (depth > 16) return fail(errc::invalid_argument, "campaigns nest deeper than 16", "id");
        std::map<Id, std::string> variant_of_party;
        Id after;
        for (;;) {
            CRM_TRY(page, tx_.campaign_members(c.id, after, 10000));
            if (page.empty()) break;
            for (const auto& m : page) {
                count_member(c, m, r.total);
                if (depth == 0 && !m.variant.empty()) {
                    count_member(c, m, r.variants[m.variant]);
                    variant_of_party[m.party] = m.variant;
                }
                if (depth == 0) CRM_TRYV(touch_revenue(c, m, r));
            }
            after = page.back().party;
        }
        const std::vector<std::string> keys = {c.id.str(), c.external_id};
        CRM_TRY(leads, tx_.leads_of_campaign(keys));
        for (const auto& l : leads) {
            const bool converted = l.status == "won";
            r.total.leads += 1;
            r.total.converted_leads += converted ? 1 : 0;
            if (auto v = variant_of_party.find(l.party); depth == 0 && v != variant_of_party.end()) {
                r.variants[v->second].leads += 1;
                r.variants[v->second].converted_leads += converted ? 1 : 0;
            }
        }
        CRM_TRY(opps, tx_.opportunities_of_campaign(keys));
        for (const auto& o : opps) {
            const bool won = o.status == "won";
            const std::int64_t revenue = won && o.amount && o.amount->currency == r.currency
                                             ? revenue_minor(o)
                                             : 0;
            r.total.opportunities += 1;
            r.total.won_opportunities += won ? 1 : 0;
            r.total.won_revenue_minor += revenue;
            if (auto v = variant_of_party.find(o.party); depth == 0 && v != variant_of_party.end()) {
                auto& f = r.variants[v->second];
                f.opportunities += 1;
                f.won_opportunities += won ? 1 : 0;
                f.won_revenue_minor += revenue;
            }
        }
        if (c.actual_cost && c.actual_cost->currency == r.currency) r.actual_cost_minor += c.actual_cost->minor;
        CRM_TRY(children, tx_.campaign_children(c.id));
        for (const auto& id : children) {
            CRM_TRY(child, load(id));
            if (depth == 0) r.children.push_back(child.id);
            CRM_TRYV(add_campaign(child, r, depth + 1));
        }
        return ok();
    }

    /// First and last touch: a member's won deals created after this
    /// campaign reached it, credited when no other campaign reached it
    /// earlier (first) or later (last) before the deal.
    result<void> touch_revenue(const Campaign& c, const CampaignMember& m, CampaignReport& r) {
        const auto reached = [](const CampaignMember& x) {
            return x.at[static_cast<int>(MemberStatus::sent)] ? x.at[static_cast<int>(MemberStatus::sent)]
                                                              : x.dispatched_at;
        };
        const auto mine = reached(m);
        if (!mine) return ok();
        CRM_TRY(opps, tx_.opportunities_of(m.party));
        std::optional<std::vector<CampaignMember>> places;
        for (const auto& o : opps) {
            if (o.status != "won" || !o.amount || o.amount->currency != r.currency) continue;
            if (o.created_at.ms < mine->ms) continue;
            if (!places) {
                CRM_TRY(all, tx_.campaign_members_of(m.party));
                places = std::move(all);
            }
            // Campaigns that reached the member in the same millisecond are
            // ordered by id, so exactly one campaign has each touch.
            bool first = true, last = true;
            const auto mine_key = std::make_pair(mine->ms, c.id);
            for (const auto& other : *places) {
                if (other.campaign == c.id) continue;
                const auto t = reached(other);
                if (!t || t->ms > o.created_at.ms) continue;
                const auto key = std::make_pair(t->ms, other.campaign);
                if (key < mine_key) first = false;
                if (key > mine_key) last = false;
            }
            if (first) r.first_touch_revenue_minor += revenue_minor(o);
            if (last) r.last_touch_revenue_minor += revenue_minor(o);
        }
        return ok();
    }

    result<CampaignReport> report(const Id& campaign) {
        CRM_TRY(c, load(campaign));
        CampaignReport r;
        r.campaign = c.id;
        r.currency = c.actual_cost ? c.actual_cost->currency : c.budget ? c.budget->currency : "IRR";
        for (const auto& v : c.variants) r.variants[v.id];
        CRM_TRYV(add_campaign(c, r, 0));
        const auto rate = [](CampaignFigures& f) {
            f.response_rate = f.members > 0 ? static_cast<double>(f.responded) / static_cast<double>(f.members) : 0;
        };
        rate(r.total);
        for (auto& [id, f] : r.variants) rate(f);
        if (r.total.leads > 0 && r.actual_cost_minor > 0) r.cost_per_lead_minor = r.actual_cost_minor / r.total.leads;
        if (r.actual_cost_minor > 0)
            r.roi = static_cast<double>(r.total.won_revenue_minor - r.actual_cost_minor) /
                    static_cast<double>(r.actual_cost_minor);
        if (r.variants.size() >= 2) {
            const auto a = r.variants.begin(), b = std::next(a);
            r.group_a = a->first;
            r.group_b = b->first;
            if (a->second.members > 0 && b->second.members > 0) {
                CRM_TRY(t, analytics::compare_proportions(a->second.responded, a->second.members,
                                                          b->second.responded, b->second.members));
                r.ab = t;
            }
        }
        return r;
    }

private:
    Engine::Impl& impl_;
    Transaction& tx_;
    const Context& ctx_;
};

}  // namespace

const char* campaign_process_json() noexcept { return kCampaignProcess; }
}  // namespace marketing

// ---- the public face ---------------------------------------------------------------

using marketing::CampaignWork;

result<Campaign> Marketing::create_campaign(const Context& ctx, std::string_view json) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) { return CampaignWork(impl, tx, ctx).create(json); });
}

result<Campaign> Marketing::update_campaign(const Context& ctx, const Id& id, std::string_view json) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) { return CampaignWork(impl, tx, ctx).update(id, json); });
}

result<Campaign> Marketing::campaign(std::string_view key) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) {
        const Context ctx;
        return CampaignWork(impl, tx, ctx).find(key);
    });
}

result<std::vector<Campaign>> Marketing::campaigns(const Id& after, int limit) {
    if (limit < 1 || limit > 1000) return fail(errc::invalid_argument, "must be 1..1000", "limit");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) { return tx.campaigns(after, limit); });
}

result<Campaign> Marketing::move_campaign(const Context& ctx, const Id& id, std::string_view move,
                                          std::string_view reason) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) { return CampaignWork(impl, tx, ctx).move(id, move, reason); });
}

result<std::vector<CampaignMember>> Marketing::campaign_members(const Id& campaign, const Id& after,
                                                                int limit) {
    if (limit < 1 || limit > 10000) return fail(errc::invalid_argument, "must be 1..10000", "limit");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<CampaignMember>> {
        const Context ctx;
        CRM_TRY(c, CampaignWork(impl, tx, ctx).load(campaign, "campaign"));
        return tx.campaign_members(c.id, after, limit);
    });
}

result<CampaignMember> Marketing::report_status(const Context& ctx, const Id& campaign, const Id& party,
                                                MemberStatus status, std::optional<Timestamp> at) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) {
        return CampaignWork(impl, tx, ctx).report(campaign, party, status, at);
    });
}

result<DeliveryPlan> Marketing::plan_delivery(const Context& ctx, const Id& campaign,
                                              const PlanOptions& options) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) { return CampaignWork(impl, tx, ctx).plan(campaign, options); });
}

result<DeliveryPlan> Marketing::delivery_plan(const Id& campaign, int number) {
    if (number < 0) return fail(errc::invalid_argument, "must be 0 (the latest) or more", "plan");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<DeliveryPlan> {
        const Context ctx;
        CampaignWork w(impl, tx, ctx);
        CRM_TRY(c, w.load(campaign, "campaign"));
        return w.stored_plan(c.id, number);
    });
}

result<std::vector<CampaignMember>> Marketing::dispatch(const Context& ctx, const Id& campaign, int plan,
                                                        int batch) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) {
        return CampaignWork(impl, tx, ctx).dispatch(campaign, plan, batch);
    });
}

result<CampaignReport> Marketing::campaign_report(const Id& campaign) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) {
        const Context ctx;
        return CampaignWork(impl, tx, ctx).report(campaign);
    });
}

}  // namespace crm
