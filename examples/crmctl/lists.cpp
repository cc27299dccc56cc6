// examples/crmctl/lists.cpp - "opp|lead|quote|ticket|activity|campaign list
// DB [PARTY] [filters]": a worklist through its command (opportunity.list,
// ...), printed a line per record with the count, or as JSON.
#include <iostream>

#include "cli.hpp"

namespace crmctl {

namespace {

// "open,pending" -> ["open", "pending"]; one value stays a string.
json values(const std::string& text) {
    json out = json::array();
    std::size_t start = 0;
    for (;;) {
        const auto comma = text.find(',', start);
        out.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out.size() == 1 ? out[0] : out;
}

std::string text(const json& item, const char* key) {
    const auto it = item.find(key);
    if (it == item.end() || it->is_null()) return "-";
    if (it->is_string()) return it->get<std::string>().empty() ? "-" : it->get<std::string>();
    return it->dump();
}

std::string money(const json& item, const char* minor, const char* currency) {
    const auto m = item.find(minor);
    if (m == item.end() || m->is_null()) return "-";
    if (m->is_object()) return m->value("minor", json(0)).dump() + " " + m->value("currency", "");
    return m->dump() + " " + text(item, currency);
}

// The earliest failure of a running clock: what "due" orders tickets by.
std::string sla_due(const json& ticket) {
    std::string due;
    for (const auto& c : ticket.value("slas", json::array())) {
        if (!c.value("stopped_at", json()).is_null()) continue;
        const json f = c.value("failure_at", json());
        if (f.is_string() && (due.empty() || f.get<std::string>() < due)) due = f.get<std::string>();
    }
    return due.empty() ? "-" : due.substr(0, 16);
}

void print_line(std::string_view kind, const json& r) {
    std::cout << text(r, "id") << "  ";
    if (kind == "opp")
        std::cout << text(r, "stage") << "  " << text(r, "owner") << "  " << money(r, "amount", "")
                  << "  close " << text(r, "expected_close") << "  " << text(r, "name");
    else if (kind == "lead")
        std::cout << text(r, "state") << "  " << text(r, "owner") << "  " << text(r, "first_name") << " "
                  << text(r, "last_name") << "  " << text(r, "company");
    else if (kind == "quote")
        std::cout << text(r, "number") << " r" << text(r, "revision") << "  " << text(r, "state") << "  "
                  << money(r, "total_minor", "currency") << "  valid " << text(r, "valid_until");
    else if (kind == "ticket")
        std::cout << text(r, "state") << "  " << text(r, "priority") << "  " << text(r, "queue") << "/"
                  << text(r, "assignee") << "  due " << sla_due(r) << "  " << text(r, "subject");
    else if (kind == "activity")
        std::cout << text(r, "status") << "  due " << text(r, "due").substr(0, 16) << "  "
                  << text(r, "assignee") << "  " << text(r, "subject");
    else
        std::cout << text(r, "state") << "  " << text(r, "name");
    std::cout << "\n";
}

}  // namespace

int list_records(crm::Engine& engine, std::string_view kind, const std::vector<std::string>& p,
                 const Args& a) {
    const std::string usage_line = std::string(kind) + " list takes DB [PARTY]" +
                                   (kind == "campaign" ? " (no PARTY)" : "");
    if (p.size() > 4 || (kind == "campaign" && p.size() > 3)) return usage(usage_line);
    json request = json::object();
    if (p.size() == 4) {
        auto party = engine.find_party(p[3]);
        if (!party) return failed(party.error());
        request["party"] = party.value().id.str();
    }
    const std::pair<const char*, const std::string*> lists[] = {
        {"owner", &a.owner}, {"team", &a.team}, {"queue", &a.queue}, {"status", &a.status},
        {"priority", &a.priority}, {"sla_status", &a.sla}, {"state", &a.state}, {"stage", &a.stage}};
    for (const auto& [key, value] : lists)
        if (!value->empty()) request[key] = values(*value);
    const std::pair<const char*, const std::string*> texts[] = {
        {"pipeline", &a.pipeline},         {"due_before", &a.due_before},
        {"created_since", &a.created_since}, {"changed_since", &a.changed_since},
        {"tag", &a.tag},                   {"where", &a.where},
        {"order", &a.order},               {"after", &a.cursor}};
    for (const auto& [key, value] : texts)
        if (!value->empty()) request[key] = *value;
    if (a.overdue) request["overdue"] = true;
    request["limit"] = a.limit > 0 ? a.limit : 50;
    const std::string method = std::string(kind == "opp" ? "opportunity" : kind) + ".list";
    if (a.json) return print_json(engine, method, request);
    auto answer = engine.execute(method, request.dump());
    if (!answer) return failed(answer.error());
    const json page = json::parse(answer.value());
    for (const auto& r : page["items"]) print_line(kind, r);
    std::cout << page["items"].size() << " of " << page.value("total", json(0)).dump();
    if (page["next"].is_string()) std::cout << "; next page: --cursor " << page["next"].get<std::string>();
    std::cout << "\n";
    return 0;
}

}  // namespace crmctl
