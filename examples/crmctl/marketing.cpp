// examples/crmctl/marketing.cpp - crmctl's segments: create, count, list
// members, sample, explain, history, snapshot, refresh; static lists and
// suppression lists; and the demo's marketing story.
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.hpp"

namespace crmctl {
namespace {

// A party named by id or external id.
crm::result<crm::Id> party_of(crm::Engine& engine, const std::string& key) {
    auto p = engine.find_party(key);
    if (!p) return p.error();
    return p.value().id;
}

void print_members(crm::Engine& engine, const std::vector<crm::Id>& ids) {
    for (const auto& id : ids) {
        auto p = engine.get_party(id);
        if (!p) continue;
        std::cout << "  " << (p.value().external_id.empty() ? id.str() : p.value().external_id) << "  "
                  << p.value().display_name() << (p.value().city.empty() ? "" : "  " + p.value().city)
                  << "\n";
    }
}

// The explanation tree, one condition a line, indented by depth.
void print_tree(const json& node, int depth) {
    const std::string pad(static_cast<std::size_t>(2 + 2 * depth), ' ');
    const bool held = node.value("held", false);
    if (node.contains("segment")) {
        std::cout << pad << (held ? "[x] " : "[ ] ") << node["segment"].get<std::string>() << " ("
                  << node["kind"].get<std::string>();
        if (node.contains("op")) std::cout << ", " << node["op"].get<std::string>();
        if (node.contains("entry") && node["entry"].is_object())
            std::cout << ", matched " << node["entry"]["kind"].get<std::string>() << " "
                      << node["entry"]["value"].get<std::string>();
        std::cout << ")\n";
        if (node.contains("rule")) print_tree(node["rule"], depth + 1);
        if (node.contains("children"))
            for (const auto& c : node["children"]) print_tree(c, depth + 1);
        if (node.contains("values"))
            for (const auto& [k, v] : node["values"].items())
                std::cout << pad << "    " << k << " = " << v.dump() << "\n";
        return;
    }
    const json& cond = node["condition"];
    std::string op = cond.is_object() && !cond.empty() ? cond.begin().key() : cond.dump();
    std::cout << pad << (held ? "[x] " : "[ ] ");
    if (op == "and" || op == "or" || op == "not") std::cout << op << "\n";
    else std::cout << cond.dump() << "\n";
    if (node.contains("children"))
        for (const auto& c : node["children"]) print_tree(c, depth + 1);
}

int explain(crm::Engine& engine, const std::string& segment, const std::string& key, const Args& a) {
    auto party = party_of(engine, key);
    if (!party) return failed(party.error());
    if (a.json) return print_json(engine, "segment.explain", {{"id", segment}, {"party", party.value().str()}});
    auto e = crm::Marketing(engine).explain(kCli, segment, party.value());
    if (!e) return failed(e.error());
    std::cout << key << (e.value().member ? " is" : " is not") << " in " << segment << "\n";
    print_tree(json::parse(e.value().tree), 0);
    return 0;
}

int limit_of(const Args& a, int fallback) { return a.limit > 0 ? static_cast<int>(a.limit) : fallback; }

}  // namespace

// The text of a file named on the command line.
crm::result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return crm::fail(crm::errc::not_found, "cannot read " + path, "file");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// JSON text from the command line, checked first by the library's own
// reader (limits, repeated keys), so that crmctl holds what it reads and
// sends on to what a request may be, and no more memory than that.
crm::result<json> parse_json(std::string_view text, std::string_view what) {
    CRM_TRYV(crm::json::check(text, what));
    json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return crm::fail(crm::errc::parse, "is not valid JSON", std::string(what));
    return parsed;
}

// A JSON file named on the command line.
crm::result<json> read_json(const std::string& path, std::string_view what) {
    CRM_TRY(text, read_file(path));
    return parse_json(text, what);
}

namespace {

// A member's standing: balance, tier, the latest entries.
int print_status(const crm::result<crm::LoyaltyStatus>& s) {
    if (!s) return failed(s.error());
    const auto& st = s.value();
    std::cout << st.account.program << ": " << st.balance << " points, tier " << st.account.tier
              << " since " << when(st.account.tier_since) << "\n";
    for (const auto& e : st.recent)
        std::cout << "  " << when(e.at) << "  " << crm::to_string(e.kind) << "  " << e.points
                  << (e.order_id.empty() ? "" : "  order " + e.order_id)
                  << (e.reason.empty() ? "" : "  " + e.reason) << "\n";
    return 0;
}

}  // namespace

namespace {

crm::result<crm::Campaign> campaign_of(crm::Engine& engine, const std::string& key) {
    return crm::Marketing(engine).campaign(key);
}

void print_campaign(const crm::Campaign& c) {
    std::cout << c.id.str() << "  " << c.name << "  [" << c.state << "]";
    if (!c.external_id.empty()) std::cout << "  " << c.external_id;
    std::cout << "  channels";
    for (const auto& ch : c.channels) std::cout << " " << ch;
    if (c.launched_at) std::cout << "  " << c.members << " members";
    std::cout << "\n";
}

void print_plan(const crm::DeliveryPlan& p) {
    std::cout << "plan " << p.number << ": " << p.members << " members in " << p.batches.size() << " batches\n";
    for (const auto& b : p.batches)
        std::cout << "  batch " << b.number << "  " << b.channel << "  " << b.count << " from "
                  << crm::to_iso8601(b.send_at) << (b.parts > 0 ? "  " + std::to_string(b.parts) + " parts" : "")
                  << "\n";
    for (const auto& m : p.messages) {
        std::cout << m.channel << ": " << m.messages << " messages, " << m.parts << " parts (at most " << m.most_parts
                  << " a message, " << m.ucs2 << " in UCS-2)";
        if (m.cost) std::cout << ", " << m.cost->str() << " at " << m.cost_per_part->str() << " a part";
        std::cout << "\n";
    }
}

void print_report(const crm::CampaignReport& r) {
    const auto& t = r.total;
    std::cout << "members " << t.members << ", sent " << t.statuses[0] << ", delivered " << t.statuses[1]
              << ", opened " << t.statuses[2] << ", clicked " << t.statuses[3] << ", responded "
              << t.responded << " (" << static_cast<int>(t.response_rate * 1000) / 10.0 << "%)\n"
              << "leads " << t.leads << " (" << t.converted_leads << " converted), opportunities "
              << t.opportunities << " (" << t.won_opportunities << " won), won revenue "
              << crm::Money{t.won_revenue_minor, r.currency}.str() << "\n"
              << "first touch " << crm::Money{r.first_touch_revenue_minor, r.currency}.str() << ", last touch "
              << crm::Money{r.last_touch_revenue_minor, r.currency}.str() << "\n"
              << "cost " << crm::Money{r.actual_cost_minor, r.currency}.str() << ", cost per lead "
              << (r.cost_per_lead_minor ? crm::Money{*r.cost_per_lead_minor, r.currency}.str() : "-")
              << ", ROI " << (r.roi ? std::to_string(*r.roi) : "-") << "\n";
    for (const auto& [id, f] : r.variants)
        std::cout << "  group " << id << ": " << f.members << " members, " << f.responded << " responded, "
                  << f.won_opportunities << " won\n";
}

}  // namespace

// A short win-back campaign over the snapshot list: consent recorded at
// the shop counter for some, launch, a plan in Tehran's working hours, the
// first batch handed over (twice, sent once), responses, a won deal, the
// report.
int campaign_story(crm::Engine& engine) {
    std::cout << "\n-- a win-back campaign by SMS over the snapshot list\n";
    crm::Marketing mk(engine);
    auto listed = mk.members(kCli, "winback-1405", {}, 40);
    if (!listed) return failed(listed.error());
    int opted = 0;
    for (const auto& id : listed.value()) {
        auto p = engine.get_party(id);
        if (!p) return failed(p.error());
        for (const auto& cp : p.value().contacts)
            if (cp.kind == crm::ContactKind::phone && opted < 25) {
                crm::Consent c{"sms", crm::ConsentStatus::opt_in, engine.now(), "shop counter"};
                if (auto r = engine.set_consent(kCli, id, cp.id, c); !r) return failed(r.error());
                ++opted;
                break;
            }
    }
    std::cout << "   " << opted << " of the list opted in to SMS at the shop counter\n";
    auto c = mk.create_campaign(kCli, R"({"name": "بازگشت مشتریان ۱۴۰۵", "external_id": "WINBACK-1405",
        "channels": ["sms"], "segments": ["winback-1405"], "suppressions": ["dnc"],
        "frequency_cap": {"max": 2, "days": 30},
        "variants": [{"id": "discount", "share": 50}, {"id": "gift", "share": 50}], "seed": 1405,
        "budget": {"minor": 5000000000, "currency": "IRR"}, "actual_cost": {"minor": 1200000000, "currency": "IRR"},
        "expected_responses": 5,
        "messages": {"sms": "{first_name} {last_name} عزیز، دلمان برایتان تنگ شده است: ۱۵٪ تخفیف خرید بعدی تا پایان ماه"}})");
    if (!c) return failed(c.error());
    auto early = mk.move_campaign(kCli, c.value().id, "launch");
    std::cout << "   launch before it is ready: " << (early ? "launched?" : early.error().what()) << "\n";
    if (auto r = mk.move_campaign(kCli, c.value().id, "ready"); !r) return failed(r.error());
    auto on = mk.move_campaign(kCli, c.value().id, "launch");
    if (!on) return failed(on.error());
    std::cout << "   launched: " << on.value().members << " members (no consent and suppressed left out)\n";
    crm::PlanOptions o;
    o.default_rate = 10;
    o.calendar = "default";
    o.cost_per_part["sms"] = crm::Money::of(250000, "IRR").value();  // 2,500 rials: what the gateway charges a part
    auto plan = mk.plan_delivery(kCli, c.value().id, o);
    if (!plan) return failed(plan.error());
    std::cout << "   ";
    print_plan(plan.value());
    auto first = mk.dispatch(kCli, c.value().id, plan.value().number, 1);
    auto again = mk.dispatch(kCli, c.value().id, plan.value().number, 1);
    if (!first || !again) return failed(first ? again.error() : first.error());
    std::cout << "   batch 1 handed over: " << first.value().size() << " members; asked again: the same "
              << again.value().size() << ", nobody twice\n";
    int n = 0;
    for (const auto& m : first.value()) {
        const auto status = n < 4 ? crm::MemberStatus::clicked : crm::MemberStatus::delivered;
        if (auto r = mk.report_status(kCli, c.value().id, m.party, n == 0 ? crm::MemberStatus::converted : status); !r)
            return failed(r.error());
        if (n == 0) {
            crm::Sales sales(engine);
            crm::OpportunityInput deal;
            deal.name = "سفارش بازگشت";
            deal.party = m.party;
            deal.campaign = "WINBACK-1405";
            deal.amount = crm::Money{3'500'000'000, "IRR"};
            auto o = sales.create_opportunity(kCli, deal);
            if (!o) return failed(o.error());
            crm::MoveInput propose;
            propose.move = "propose";
            if (auto r = sales.move_opportunity(kCli, o.value().id, propose); !r) return failed(r.error());
            crm::CloseRecord won;
            won.reason = "came back for the discount";
            if (auto r = sales.win_opportunity(kCli, o.value().id, won); !r) return failed(r.error());
        }
        ++n;
    }
    auto r = mk.campaign_report(c.value().id);
    if (!r) return failed(r.error());
    std::cout << "   the report:\n";
    print_report(r.value());
    return 0;
}

int segment(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    const std::string verb = p[1];
    crm::Marketing mk(engine);
    if (verb == "create" && p.size() == 5) {
        // RULE: the text form, or a JSON rule when it starts with '{'.
        json seg = {{"id", p[3]}, {"kind", "dynamic"}, {"track", !a.untracked}};
        if (!a.name.empty()) seg["name"] = a.name;
        if (!p[4].empty() && p[4][0] == '{') {
            auto rule = parse_json(p[4], "rule");
            if (!rule) return failed(rule.error());
            seg["rule"] = rule.value();
        } else {
            seg["rule"] = p[4];
        }
        if (a.json) return print_json(engine, "segment.define", {{"segment", seg}});
        auto written = mk.define_segment(kCli, seg.dump());
        if (!written) return failed(written.error());
        auto n = mk.count(kCli, p[3]);
        if (!n) return failed(n.error());
        std::cout << "segment " << p[3] << " v" << written.value().record.version << " ("
                  << crm::to_string(written.value().outcome) << "): " << n.value() << " members\n";
        return 0;
    }
    if (verb == "define" && p.size() == 4) {
        auto body = read_json(p[3], "segment");
        if (!body) return failed(body.error());
        return print_json(engine, "segment.define", {{"segment", body.value()}});
    }
    if (verb == "list" && p.size() == 3) {
        if (a.json) return print_json(engine, "segment.list", json::object());
        auto all = mk.segments();
        if (!all) return failed(all.error());
        for (const auto& s : all.value()) {
            std::cout << s.id << "  [" << crm::to_string(s.kind);
            if (s.kind == crm::SegmentKind::dynamic) std::cout << (s.track ? ", tracked" : "");
            if (s.kind == crm::SegmentKind::set) std::cout << ", " << crm::to_string(s.op);
            std::cout << ", v" << s.version << "]  " << s.name << "\n";
        }
        return 0;
    }
    if (verb == "count" && p.size() == 4) {
        if (a.json) return print_json(engine, "segment.count", {{"id", p[3]}});
        auto n = mk.count(kCli, p[3]);
        if (!n) return failed(n.error());
        std::cout << n.value() << "\n";
        return 0;
    }
    if ((verb == "members" || verb == "sample") && p.size() == 4) {
        const bool sample = verb == "sample";
        if (a.json)
            return sample ? print_json(engine, "segment.sample", {{"id", p[3]}, {"size", limit_of(a, 20)}})
                          : print_json(engine, "segment.members", {{"id", p[3]}, {"limit", limit_of(a, 1000)}});
        auto ids = sample ? mk.sample(kCli, p[3], limit_of(a, 20)) : mk.members(kCli, p[3], {}, limit_of(a, 1000));
        if (!ids) return failed(ids.error());
        print_members(engine, ids.value());
        return 0;
    }
    if (verb == "explain" && p.size() == 5) return explain(engine, p[3], p[4], a);
    if (verb == "history" && p.size() == 4) {
        if (a.json) return print_json(engine, "segment.history", {{"id", p[3]}, {"limit", limit_of(a, 100)}});
        auto h = mk.membership_history(p[3], limit_of(a, 100));
        if (!h) return failed(h.error());
        for (const auto& m : h.value())
            std::cout << "  " << m.party.str() << "  joined " << when(m.joined_at)
                      << (m.left_at ? "  left " + when(*m.left_at) : "") << "\n";
        return 0;
    }
    if (verb == "snapshot" && p.size() == 5) {
        if (a.json) return print_json(engine, "segment.snapshot", {{"from", p[3]}, {"list", p[4]}});
        auto n = mk.snapshot(kCli, p[3], p[4]);
        if (!n) return failed(n.error());
        std::cout << "list " << p[4] << ": " << n.value() << " members of " << p[3] << "\n";
        return 0;
    }
    if (verb == "refresh" && p.size() == 3) return print_json(engine, "segment.refresh", {{"rfm", a.rfm}});
    return usage("segment takes create DB ID RULE | define DB FILE.json | list DB | count DB ID | "
                 "members DB ID | sample DB ID | explain DB ID PARTY | history DB ID | "
                 "snapshot DB ID LIST | refresh DB [--rfm]");
}

int list(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    if (p.size() < 5 || (p[1] != "add" && p[1] != "remove"))
        return usage("list takes add|remove DB LIST PARTY...");
    json parties = json::array();
    for (std::size_t i = 4; i < p.size(); ++i) {
        auto id = party_of(engine, p[i]);
        if (!id) return failed(id.error());
        parties.push_back(id.value().str());
    }
    json request = {{"list", p[3]}, {"parties", parties}};
    if (a.json) return print_json(engine, p[1] == "add" ? "list.add" : "list.remove", request);
    auto answer = engine.execute(p[1] == "add" ? "list.add" : "list.remove", request.dump());
    if (!answer) return failed(answer.error());
    const auto j = json::parse(answer.value());
    std::cout << p[3] << ": " << (p[1] == "add" ? "added " : "removed ")
              << j[p[1] == "add" ? "added" : "removed"].get<long long>() << "\n";
    return 0;
}

int suppression(crm::Engine& engine, const std::vector<std::string>& p, const Args&) {
    if (p[1] == "add" && (p.size() == 6 || p.size() == 7)) {
        json request = {{"list", p[3]}, {"kind", p[4]}, {"value", p[5]}};
        if (p.size() == 7) request["reason"] = p[6];
        return print_json(engine, "suppression.add", request);
    }
    if (p[1] == "remove" && p.size() == 6)
        return print_json(engine, "suppression.remove", {{"list", p[3]}, {"kind", p[4]}, {"value", p[5]}});
    if (p[1] == "show" && p.size() == 4) return print_json(engine, "suppression.list", {{"list", p[3]}});
    return usage("suppression takes add DB LIST party|email|domain|phone VALUE [REASON] | "
                 "remove DB LIST KIND VALUE | show DB LIST");
}

int loyalty(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    const std::string verb = p[1];
    crm::Marketing mk(engine);
    if (verb == "define" && p.size() == 4) {
        auto body = read_json(p[3], "program");
        if (!body) return failed(body.error());
        return print_json(engine, "loyalty.define", {{"program", body.value()}});
    }
    if ((verb == "enrol" || verb == "show") && p.size() == 5) {
        auto party = party_of(engine, p[4]);
        if (!party) return failed(party.error());
        if (a.json)
            return print_json(engine, verb == "enrol" ? "loyalty.enrol" : "loyalty.status",
                              {{"program", p[3]}, {"party", party.value().str()}});
        return print_status(verb == "enrol" ? mk.enrol(kCli, p[3], party.value()) : mk.loyalty(p[3], party.value()));
    }
    if ((verb == "redeem" || verb == "adjust") && (p.size() == 7 || p.size() == 8)) {
        auto party = party_of(engine, p[4]);
        if (!party) return failed(party.error());
        json request = {{"program", p[3]}, {"party", party.value().str()},
                        {"points", std::atoll(p[5].c_str())}, {"key", p[6]}};
        if (p.size() == 8) request["reason"] = p[7];
        return print_json(engine, verb == "redeem" ? "loyalty.redeem" : "loyalty.adjust", request);
    }
    if (verb == "refresh" && (p.size() == 3 || p.size() == 4)) {
        json request = json::object();
        if (p.size() == 4) request["program"] = p[3];
        return print_json(engine, "loyalty.refresh", request);
    }
    return usage("loyalty takes define DB FILE.json | enrol DB PROGRAM PARTY | show DB PROGRAM PARTY | "
                 "redeem|adjust DB PROGRAM PARTY POINTS KEY [REASON] | refresh DB [PROGRAM]");
}

int campaign(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    const std::string verb = p[1];
    crm::Marketing mk(engine);
    if (verb == "create" && p.size() == 4) {
        auto text = read_file(p[3]);
        if (!text) return failed(text.error());
        if (a.json) {
            auto body = parse_json(text.value(), "campaign");
            if (!body) return failed(body.error());
            return print_json(engine, "campaign.create", body.value());
        }
        auto c = mk.create_campaign(kCli, text.value());
        if (!c) return failed(c.error());
        print_campaign(c.value());
        return 0;
    }
    if (p.size() < 4) return usage("campaign " + verb + " needs DB and a campaign");
    auto c = campaign_of(engine, p[3]);
    if (!c) return failed(c.error());
    const crm::Id id = c.value().id;
    const auto moved = [&](crm::result<crm::Campaign> r) -> int {
        if (!r) return failed(r.error());
        if (a.json) return print_json(engine, "campaign.get", {{"id", id.str()}});
        print_campaign(r.value());
        return 0;
    };
    if (verb == "show" && p.size() == 4) return moved(c);
    if (verb == "launch" && p.size() == 4) {
        if (c.value().state == "proposed")
            if (auto r = mk.move_campaign(kCli, id, "ready"); !r) return failed(r.error());
        return moved(mk.move_campaign(kCli, id, "launch"));
    }
    if (verb == "move" && (p.size() == 5 || p.size() == 6))
        return moved(mk.move_campaign(kCli, id, p[4], p.size() == 6 ? p[5] : ""));
    if (verb == "plan" && p.size() == 4) {
        json request = {{"campaign", id.str()}, {"window_minutes", a.window > 0 ? a.window : 60}};
        if (a.rate > 0) request["default_rate"] = a.rate;
        if (!a.calendar_id.empty()) request["calendar"] = a.calendar_id;
        const std::string currency = a.currency.empty() ? "IRR" : a.currency;
        if (a.sms_cost >= 0) request["cost_per_part"] = {{"sms", {{"minor", a.sms_cost}, {"currency", currency}}}};
        if (a.json) return print_json(engine, "campaign.plan", request);
        crm::PlanOptions o;
        o.window_minutes = static_cast<int>(a.window > 0 ? a.window : 60);
        if (a.rate > 0) o.default_rate = a.rate;
        o.calendar = a.calendar_id;
        if (a.sms_cost >= 0) {
            auto cost = crm::Money::of(a.sms_cost, currency);
            if (!cost) return failed(crm::fail(crm::errc::invalid_argument, cost.error().message, "--currency"));
            o.cost_per_part["sms"] = cost.value();
        }
        auto plan = mk.plan_delivery(kCli, id, o);
        if (!plan) return failed(plan.error());
        print_plan(plan.value());
        return 0;
    }
    if (verb == "dispatch" && p.size() == 6) {
        json request = {{"campaign", id.str()}, {"plan", std::atoi(p[4].c_str())}, {"batch", std::atoi(p[5].c_str())}};
        if (a.json) return print_json(engine, "campaign.dispatch", request);
        auto handed = mk.dispatch(kCli, id, std::atoi(p[4].c_str()), std::atoi(p[5].c_str()));
        if (!handed) return failed(handed.error());
        for (const auto& m : handed.value()) std::cout << m.channel << "  " << m.address << "  " << m.party.str() << "\n";
        return 0;
    }
    if (verb == "status" && p.size() == 6) {
        auto party = party_of(engine, p[4]);
        if (!party) return failed(party.error());
        return print_json(engine, "campaign.status",
                          {{"campaign", id.str()}, {"party", party.value().str()}, {"status", p[5]}});
    }
    if (verb == "report" && p.size() == 4) {
        if (a.json) return print_json(engine, "campaign.report", {{"id", id.str()}});
        auto r = mk.campaign_report(id);
        if (!r) return failed(r.error());
        print_report(r.value());
        return 0;
    }
    return usage("campaign takes create DB FILE.json | show|launch|report DB CAMPAIGN | move DB CAMPAIGN MOVE "
                 "[REASON] | plan DB CAMPAIGN [--rate N] [--window MIN] [--business-calendar C] [--sms-cost MINOR] | "
                 "dispatch DB CAMPAIGN PLAN BATCH | status DB CAMPAIGN PARTY STATUS");
}

int marketing_story(crm::Engine& engine, const crm::Id& party) {
    std::cout << "\n-- segments: lapsed high-value customers, kept up to date on every write\n";
    crm::Marketing mk(engine);
    const auto define = [&](const char* body) -> int {
        auto s = mk.define_segment(kCli, body);
        if (!s) return failed(s.error());
        auto n = mk.count(kCli, s.value().record.id);
        if (!n) return failed(n.error());
        std::cout << "   " << s.value().record.id << "  [" << crm::to_string(s.value().record.kind)
                  << "]  " << n.value() << " members  " << s.value().record.name << "\n";
        return 0;
    };
    // The first segment builds every profile.
    if (int rc = define(R"({"id": "lapsed-vip", "name": "Spent 500M+ rials, nothing in the last year",
        "rule": "purchases.sum >= 500000000 IRR and purchases.last_at < now - 365d"})"))
        return rc;
    if (int rc = define(R"({"id": "tehran", "name": "Customers in Tehran", "rule": "city in [\"تهران\", \"کرج\"]"})"))
        return rc;
    if (int rc = define(R"({"id": "dnc", "kind": "suppression", "name": "Do not contact"})")) return rc;
    if (auto e = mk.suppress(kCli, "dnc", crm::SuppressionKind::domain, "yahoo.com", "bounces"); !e)
        return failed(e.error());
    if (int rc = define(R"({"id": "winback", "kind": "set", "op": "difference",
        "of": ["lapsed-vip", "dnc"], "name": "Lapsed VIPs we may contact"})"))
        return rc;
    std::cout << "   a sample of winback:\n";
    auto sample = mk.sample(kCli, "winback", 3, 1405);
    if (!sample) return failed(sample.error());
    print_members(engine, sample.value());
    auto listed = mk.snapshot(kCli, "winback", "winback-1405");
    if (!listed) return failed(listed.error());
    std::cout << "   snapshot winback-1405: " << listed.value() << " members, fixed for the campaign\n";
    crm::SegmentRefreshOptions rfm;
    rfm.rfm = true;
    if (auto r = mk.refresh(kCli, rfm); !r) return failed(r.error());
    if (int rc = define(R"({"id": "champions", "name": "RFM 5-5-5", "rule": "rfm.score = 555"})")) return rc;
    if (party.is_nil()) return 0;
    std::cout << "\n-- why the demo customer is or is not a lapsed VIP\n";
    Args plain;
    if (int rc = explain(engine, "lapsed-vip", party.str(), plain)) return rc;
    if (int rc = campaign_story(engine)) return rc;

    std::cout << "\n-- the customer club: a point per 100,000 rials, gold from 2,000 points\n";
    auto club = mk.define_loyalty_program(kCli, R"({"id": "club", "name": "باشگاه مشتریان",
        "enrolment": "auto", "expiry_days": 365,
        "earn": [{"id": "base", "per": "100000", "points": 1},
                 {"id": "big-basket", "when": {"ge": [{"field": "total"}, {"money": "50000000", "currency": "IRR"}]}, "bonus": 100}],
        "tiers": [{"id": "member", "threshold": 0}, {"id": "silver", "threshold": 500}, {"id": "gold", "threshold": 2000}]})");
    if (!club) return failed(club.error());
    crm::Purchase order;
    order.party = party;
    order.order_id = "DEMO-CLUB-1";
    order.ordered_at = engine.now();
    order.total = crm::Money{6'500'000'000, "IRR"};  // 65,000,000 rials
    if (auto w = engine.record_purchase(kCli, order); !w) return failed(w.error());
    auto redeemed = mk.redeem(kCli, "club", party, 300, "demo-voucher-1", "a 3,000,000-rial voucher");
    if (!redeemed) return failed(redeemed.error());
    auto twice = mk.redeem(kCli, "club", party, 300, "demo-voucher-1", "a 3,000,000-rial voucher");
    if (!twice) return failed(twice.error());
    std::cout << "   the voucher redeemed twice with one key counts once (entry " << twice.value().seq << ")\n";
    auto beyond = mk.redeem(kCli, "club", party, 1'000'000, "demo-voucher-2");
    std::cout << "   beyond the balance: " << (beyond ? "redeemed?" : beyond.error().what()) << "\n";
    return print_status(mk.loyalty("club", party, 5));
}

}  // namespace crmctl
