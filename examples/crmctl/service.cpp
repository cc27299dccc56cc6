// examples/crmctl/service.cpp - crmctl's service desk: queues, SLA
// policies, tickets (create, assign, refer, pend, resolve, close, reopen,
// comment, show), tick, and the demo's service story.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.hpp"

namespace crmctl {
namespace {

// A time as every door of the library reads it (crm::parse_iso8601):
// without a zone it is UTC, and a year below 1700 is Jalali.
crm::result<crm::Timestamp> instant(const std::string& text) {
    CRM_TRY(t, crm::parse_iso8601(text, "now"));
    CRM_TRYV(crm::check_instant(t, "now"));
    return t;
}

std::string tehran(std::optional<crm::Timestamp> t) {
    if (!t) return "-";
    auto zone = crm::TimeZone::find("Asia/Tehran");
    if (!zone) return when(*t);
    const auto local = zone.value().to_local(*t, crm::CalendarSystem::jalali);
    char out[32];
    std::snprintf(out, sizeof out, "%04d-%02d-%02d %02d:%02d", local.date.year, local.date.month,
                  local.date.day, local.hour, local.minute);
    return out;
}

void print_ticket(crm::Engine& engine, const crm::Ticket& t, bool detail) {
    std::cout << t.id.str() << "  " << t.subject << "  [" << t.process << ": " << t.state << "]  "
              << crm::to_string(t.type) << ", " << crm::to_string(t.priority);
    if (!t.queue.empty()) std::cout << "  queue " << t.queue;
    if (!t.assignee.empty()) std::cout << " / " << t.assignee;
    std::cout << "\n";
    for (const auto& s : t.slas)
        std::cout << "    " << crm::to_string(s.kpi) << ": " << crm::to_string(s.status)
                  << "  warn " << tehran(s.warning_at) << "  due " << tehran(s.failure_at)
                  << " (Tehran, Jalali)\n";
    if (!detail) return;
    crm::Service desk(engine);
    if (auto moves = desk.ticket_moves(t.id); moves && !moves.value().empty()) {
        std::cout << "  moves:";
        for (const auto& m : moves.value()) std::cout << "  " << m.name << " -> " << m.to;
        std::cout << "\n";
    }
    if (auto comments = desk.comments(t.id); comments)
        for (const auto& c : comments.value())
            std::cout << "  " << when(c.at) << "  " << (c.is_public ? "" : "(internal) ")
                      << crm::to_string(c.author_kind) << " " << c.author << ": " << c.body << "\n";
}

int finish(crm::Engine& engine, const crm::result<crm::Ticket>& t, const Args& a, bool detail) {
    if (!t) return failed(t.error());
    if (a.json) return print_json(engine, "ticket.get", {{"id", t.value().id.str()}});
    print_ticket(engine, t.value(), detail);
    return 0;
}

}  // namespace

int queue(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    if (p[1] != "define" || p.size() < 4) return usage("queue define takes DB QUEUE [USER[:SKILL,...]]...");
    crm::Queue q;
    q.id = p[3];
    for (std::size_t i = 4; i < p.size(); ++i) {
        crm::QueueMember m;
        const auto colon = p[i].find(':');
        m.user = p[i].substr(0, colon);
        if (colon != std::string::npos) {
            std::stringstream skills(p[i].substr(colon + 1));
            for (std::string s; std::getline(skills, s, ',');) m.skills.push_back(s);
        }
        q.members.push_back(std::move(m));
    }
    auto written = crm::Service(engine).define_queue(kCli, q);
    if (!written) return failed(written.error());
    if (a.json) return print_json(engine, "queue.list", json::object());
    std::cout << "queue " << q.id << " " << crm::to_string(written.value().outcome) << " ("
              << written.value().record.members.size() << " members)\n";
    return 0;
}

// "sla report DB --period P [--calendar C] [--by queue|type|priority]".
int sla_report(crm::Engine& engine, const Args& a) {
    if (a.period.empty()) return usage("sla report needs --period (1404-Q1, 2025-06, 1404)");
    const std::string by = a.by == "owner" ? "queue" : a.by;  // --by defaults to owner for forecast
    json request = {{"period", a.period}, {"calendar", a.calendar}, {"group_by", by}};
    if (a.json) return print_json(engine, "service.report", request);
    crm::ServiceReportQuery q;
    q.period = a.period;
    auto cal = crm::parse_calendar_system(a.calendar, "calendar");
    if (!cal) return failed(cal.error());
    q.calendar = cal.value();
    auto group = crm::parse_service_group(by, "by");
    if (!group) return failed(group.error());
    q.group_by = group.value();
    auto r = crm::Service(engine).report(q);
    if (!r) return failed(r.error());
    const crm::ServiceReport& s = r.value();
    std::printf("service report %s (%s .. %s, by %s): %d opened, %d resolved\n", s.period.c_str(),
                s.from_date.c_str(), s.to_date.c_str(), by.c_str(), s.opened, s.resolved);
    std::cout << "  SLA compliance of the tickets opened:\n";
    for (const auto& row : s.sla)
        std::printf("    %-12s %-15s met %d, breached %d, cancelled %d, open %d: %.0f%%\n",
                    row.group.empty() ? "(none)" : row.group.c_str(), crm::to_string(row.kpi),
                    row.met, row.breached, row.cancelled, row.open, 100 * row.compliance);
    std::cout << "  backlog now:\n";
    for (const auto& row : s.backlog)
        std::printf("    %-12s %d open, average age %.1f days, oldest %.1f\n",
                    row.group.empty() ? "(none)" : row.group.c_str(), row.open, row.average_age_days,
                    row.oldest_age_days);
    std::cout << "  time in state (hours: mean, median, 90th percentile):\n";
    for (const auto& row : s.states)
        std::printf("    %s/%s %-20s %d stints %.1f %.1f %.1f%s%s\n", row.process.c_str(),
                    row.queue.empty() ? "(none)" : row.queue.c_str(), row.state.c_str(), row.stints,
                    row.mean_hours, row.p50_hours, row.p90_hours,
                    row.expected.empty() ? "" : ("  expected " + row.expected + ", overran " +
                                                 std::to_string(row.overran)).c_str(),
                    row.bottleneck ? "  BOTTLENECK" : "");
    std::printf("  first-contact resolution %.0f%% (%d of %d)\n", 100 * s.first_contact_rate,
                s.first_contact_resolved, s.resolved);
    std::printf("  CSAT %.2f over %d answers; NPS %.0f over %d answers\n", s.csat_average,
                s.csat_answers, s.nps, s.nps_answers);
    return 0;
}

int sla(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    const std::string& kind = p[0];  // sla, assignment or escalation
    if (kind == "sla" && p[1] == "report")
        return p.size() == 3 ? sla_report(engine, a) : usage("sla report takes DB --period P");
    if (p[1] != "define" || p.size() != 4) return usage(kind + " define takes DB FILE.json");
    std::ifstream in(p[3], std::ios::binary);
    if (!in) return failed(crm::fail(crm::errc::not_found, "cannot open " + p[3], "file"));
    std::stringstream text;
    text << in.rdbuf();
    crm::Service desk(engine);
    auto report = [&](const auto& written, const char* what, const char* list) {
        if (!written) return failed(written.error());
        if (a.json) return print_json(engine, list, json::object());
        std::cout << what << " " << written.value().record.id << " version "
                  << written.value().record.version << " "
                  << crm::to_string(written.value().outcome) << "\n";
        return 0;
    };
    if (kind == "assignment")
        return report(desk.define_assignment_rule(kCli, text.str()), "assignment rule", "assignment.list");
    if (kind == "escalation")
        return report(desk.define_escalation_rule(kCli, text.str()), "escalation rule", "escalation.list");
    return report(desk.define_sla_policy(kCli, text.str()), "SLA policy", "sla.list");
}

int ticket(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    crm::Service desk(engine);
    const std::string& verb = p[1];
    if (verb == "create") {
        if (p.size() != 5) return usage("ticket create takes DB PARTY SUBJECT");
        auto party = engine.find_party(p[3]);
        if (!party) return failed(party.error());
        crm::TicketInput in;
        in.party = party.value().id;
        in.subject = p[4];
        if (!a.type.empty()) {
            auto t = crm::parse_ticket_type(a.type);
            if (!t) return failed(t.error());
            in.type = t.value();
        }
        if (!a.priority.empty()) {
            auto pr = crm::parse_ticket_priority(a.priority);
            if (!pr) return failed(pr.error());
            in.priority = pr.value();
        }
        if (!a.channel.empty()) {
            auto c = crm::parse_channel(a.channel);
            if (!c) return failed(c.error());
            in.channel = c.value();
        }
        if (!a.queue.empty()) in.queue = a.queue;
        if (!a.assignee.empty()) in.assignee = a.assignee;
        if (!a.category.empty()) in.category = a.category;
        return finish(engine, desk.create_ticket(kCli, in), a, false);
    }
    if (p.size() < 4) return usage("ticket " + verb + " needs DB and TICKET");
    auto found = desk.get_ticket(p[3]);
    if (!found) return failed(found.error());
    const crm::Id id = found.value().id;
    if (verb == "show") return p.size() == 4 ? finish(engine, found, a, true) : usage("ticket show takes DB TICKET");
    if (verb == "assign")
        return p.size() == 5 ? finish(engine, desk.assign_ticket(kCli, id, p[4]), a, false)
                             : usage("ticket assign takes DB TICKET USER");
    if (verb == "refer")
        return p.size() == 6 ? finish(engine, desk.refer_ticket(kCli, id, p[4], a.assignee, p[5]), a, false)
                             : usage("ticket refer takes DB TICKET QUEUE REASON");
    if (verb == "pend") {
        if (p.size() > 5) return usage("ticket pend takes DB TICKET [customer|third_party]");
        const std::string whom = p.size() == 5 ? p[4] : "customer";
        if (whom != "customer" && whom != "third_party")
            return usage("ticket pend waits for customer or third_party");
        return finish(engine, desk.move_ticket(kCli, id, "pend_" + whom), a, false);
    }
    if (verb == "open" || verb == "close" || verb == "reopen")
        return p.size() == 4 ? finish(engine, desk.move_ticket(kCli, id, verb), a, false)
                             : usage("ticket " + verb + " takes DB TICKET");
    if (verb == "resolve" || verb == "cancel")
        return p.size() == 5 ? finish(engine, desk.move_ticket(kCli, id, verb, p[4]), a, false)
                             : usage("ticket " + verb + " takes DB TICKET REASON");
    if (verb == "comment") {
        if (p.size() != 5) return usage("ticket comment takes DB TICKET TEXT");
        crm::CommentInput in;
        in.body = p[4];
        in.is_public = !a.internal;
        in.author_kind = a.customer ? crm::AuthorKind::customer : crm::AuthorKind::agent;
        auto c = desk.add_comment(kCli, id, in);
        if (!c) return failed(c.error());
        return finish(engine, desk.get_ticket(id.str()), a, false);
    }
    return usage("unknown ticket command '" + verb + "'");
}

int proactive(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    if (p.size() != 3) return usage("proactive takes DB ACTION.json");
    auto read = read_json(p[2], "file");
    if (!read) return failed(read.error());
    const auto& request = read.value();
    if (!request.is_object())
        return failed(crm::fail(crm::errc::parse, p[2] + " is not a JSON object", "file"));
    if (a.json) return print_json(engine, "service.proactive", request);
    auto answer = engine.execute("service.proactive", request.dump());
    if (!answer) return failed(answer.error());
    const auto r = json::parse(answer.value());
    std::cout << "scanned " << r["scanned"] << " parties: " << r["matched"] << " matched, "
              << r["created"] << " done now, " << r["already"] << " done before\n";
    return 0;
}

int tick(crm::Engine& engine, const Args& a) {
    std::optional<crm::Timestamp> now;
    if (!a.now.empty()) {
        auto t = instant(a.now);
        if (!t) return failed(t.error());
        now = t.value();
    }
    json request = json::object();
    if (now) request["now"] = crm::to_iso8601(*now);
    if (a.json) return print_json(engine, "tick", request);
    auto report = crm::Service(engine).tick(kCli, now);
    if (!report) return failed(report.error());
    std::cout << "examined " << report.value().examined << " tickets: " << report.value().warnings
              << " warnings, " << report.value().breaches << " breaches, "
              << report.value().escalations << " escalations\n";
    return 0;
}

// A day of work asked for on the working day before the next lunar holiday:
// the deadline skips the holiday, and its trace names it.
int lunar_holiday_deadline(crm::Engine& engine) {
    auto cal = engine.business_calendar();
    if (!cal) return failed(cal.error());
    const crm::TimeZone& zone = cal.value().zone();
    const crm::Date today = zone.to_local(engine.now()).date;
    const std::int64_t day0 = crm::days_since_epoch(today, crm::CalendarSystem::gregorian).value();
    auto days = cal.value().holidays(today, crm::date_from_days(day0 + 400, crm::CalendarSystem::gregorian).value());
    if (!days) return failed(days.error());
    for (const crm::HolidayOn& h : days.value()) {
        if (!h.hijri) continue;
        // 10:00 on the last working day before it.
        const std::int64_t holiday = crm::days_since_epoch(h.date, crm::CalendarSystem::gregorian).value();
        crm::LocalTime at;
        for (std::int64_t d = holiday - 1; d > holiday - 10; --d) {
            at.date = crm::date_from_days(d, crm::CalendarSystem::gregorian).value();
            at.hour = 10;
            if (cal.value().is_working(zone.from_local(at).value())) break;
        }
        const crm::Timestamp start = zone.from_local(at).value();
        crm::BusinessTrace trace;
        auto due = cal.value().add(start, 8 * 3'600'000LL, &trace);
        if (!due) return failed(due.error());
        const auto shown = [&](crm::Timestamp t) {
            const auto l = zone.to_local(t, crm::CalendarSystem::jalali);
            char buf[32];
            std::snprintf(buf, sizeof buf, "%04d/%02d/%02d %02d:%02d", l.date.year, l.date.month, l.date.day, l.hour,
                          l.minute);
            return std::string(buf);
        };
        std::cout << "\n-- a deadline of 8 business hours asked for at " << shown(start)
                  << ", before " << h.name << "\n   due " << shown(due.value()) << "; the way there:\n";
        for (const auto& step : trace.steps)
            std::cout << "     " << shown(step.from) << " - " << shown(step.to) << "  " << step.what << "\n";
        return 0;
    }
    return 0;
}

int service_story(crm::Engine& engine, const crm::Id& party) {
    if (int rc = lunar_holiday_deadline(engine)) return rc;
    std::cout << "\n-- the service desk: a complaint on the SLA of Iran's public-sector week\n";
    crm::Service desk(engine);
    if (auto q = desk.define_queue(kCli, {"tier1", "Front line", {{"sara", {"fa"}}, {"reza", {}}}}); !q)
        return failed(q.error());
    if (auto q = desk.define_queue(kCli, {"billing", "Billing", {{"mina", {}}}}); !q)
        return failed(q.error());
    auto policy = desk.define_sla_policy(kCli, R"({"id": "standard", "name": "Standard",
        "kpis": {"first_response": {"warning": {"business_hours": 1}, "failure": {"business_hours": 4}},
                 "resolution": {"warning": {"business_hours": 12}, "failure": {"business_hours": 16}}}})");
    if (!policy) return failed(policy.error());
    auto urgent = desk.define_sla_policy(kCli, R"({"id": "urgent", "name": "Urgent", "order": 10,
        "when": {"eq": [{"field": "priority"}, "urgent"]},
        "kpis": {"first_response": {"warning": {"business_minutes": 30}, "failure": {"business_hours": 1}},
                 "resolution": {"warning": {"business_hours": 3}, "failure": {"business_hours": 4}}}})");
    if (!urgent) return failed(urgent.error());
    crm::TicketInput in;
    in.party = party;
    in.subject = "فاکتور دو بار صادر شده";  // the invoice was issued twice
    in.type = crm::TicketType::complaint;
    in.channel = crm::Channel::call;
    in.queue = "tier1";
    in.assignee = "sara";
    auto t = desk.create_ticket(kCli, in);
    if (!t) return failed(t.error());
    print_ticket(engine, t.value(), false);
    const crm::Id id = t.value().id;
    crm::CommentInput reply;
    reply.body = "با واحد مالی بررسی می‌کنیم";  // we are checking with billing
    if (auto c = desk.add_comment(kCli, id, reply); !c) return failed(c.error());
    auto referred = desk.refer_ticket(kCli, id, "billing", "mina", "a billing question");
    if (!referred) return failed(referred.error());
    std::cout << "   referred to billing; first response met at the reply\n";
    crm::TicketInput raise;
    raise.priority = crm::TicketPriority::urgent;
    auto raised = desk.update_ticket(kCli, id, raise);
    if (!raised) return failed(raised.error());
    std::cout << "   raised to urgent: the urgent policy takes over the clocks\n";
    print_ticket(engine, raised.value(), false);
    const crm::Timestamp later{engine.now().ms + 5 * 86'400'000LL};
    auto report = desk.tick(kCli, later);
    if (!report) return failed(report.error());
    std::cout << "   tick as of five days on: " << report.value().warnings << " warnings, "
              << report.value().breaches << " breaches (each an sla.breached event, once)\n";
    auto illegal = desk.move_ticket(kCli, id, "close");
    std::cout << "   an open ticket cannot close: " << (illegal ? "closed?" : illegal.error().what()) << "\n";
    auto resolved = desk.move_ticket(kCli, id, "resolve", "the duplicate invoice was voided");
    if (!resolved) return failed(resolved.error());
    std::cout << "\n-- the ticket as resolved: the breach stays on record\n";
    print_ticket(engine, resolved.value(), true);
    return 0;
}

}  // namespace crmctl
