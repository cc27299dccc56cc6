// examples/crmctl/cli.hpp - what crmctl's sources share: the parsed
// command line, the context its writes carry, and the ways a command ends
// (usage error, failure, JSON answer).
#pragma once

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "crm/crm.hpp"

namespace crmctl {

/// Requests and answers of Engine::execute, built and read as JSON.
using json = nlohmann::ordered_json;

struct Args {
    std::vector<std::string> positional;
    bool json = false;
    bool dry_run = false;
    std::string errors_file;
    std::string data_dir;
    std::string db;
    std::string pipeline;
    std::string owner;
    std::string company;
    std::string source;
    std::string opportunity;
    std::string opp;
    std::string number;
    std::string currency;
    std::string price_list;
    std::string unit;
    std::string tax;
    std::string period;
    std::string calendar = "gregorian";
    bool calendar_given = false;  ///< --calendar was named (the dashboard defaults to jalali)
    std::string by = "owner";
    std::string queue;
    std::string assignee;
    std::string priority;
    std::string type;
    std::string channel;
    std::string category;
    std::string now;
    std::string name;
    std::string calendar_id;
    long long rate = 0;
    long long window = 0;
    long long sms_cost = -1;  ///< --sms-cost: minor units per SMS part (currency --currency, else IRR)
    bool untracked = false;
    bool rfm = false;
    bool internal = false;
    bool customer = false;
    bool overwrite = false;
    bool toman = false;  ///< IRR amounts shown in tomans
    long long after = 0;
    long long limit = -1;
    double min_score = -1;
    std::string calibration_end;
    std::string model;
    std::string time_zone;
    double horizon = -1;
    double discount = -1;
    std::string basis;
    std::string order;
    std::string since;
    std::string as_of;
    long long churn_after = 0;
    std::string out;
    std::string team;
    std::string campaign;
    std::string group_by;
    std::string role;
    std::string user;
    std::string lang;
    // worklist filters (lists.cpp)
    std::string status, state, stage, sla, due_before, created_since, changed_since, tag, where,
        cursor;
    bool overdue = false;
    bool version = false;  ///< --version
};

/// The text of a file named on the command line; not_found naming "file".
crm::result<std::string> read_file(const std::string& path);
/// JSON text given on the command line, checked by crm::json::check
/// first: parse naming `what` when malformed, invalid_argument when over
/// a limit of crm/core/limits.hpp or when a key repeats in one object.
crm::result<json> parse_json(std::string_view text, std::string_view what);
/// A JSON file named on the command line, read as parse_json() reads text.
crm::result<json> read_json(const std::string& path, std::string_view what);

/// Prints why and the usage text to stderr; returns 2.
int usage(const std::string& why);

inline int failed(const crm::error& e) {
    std::cerr << "crmctl: " << crm::to_string(e.code) << ": " << e.what() << "\n";
    return 1;
}

inline const crm::Context kCli{"crmctl", "cli"};

/// Runs a command of the catalogue and prints its JSON answer.
inline int print_json(crm::Engine& engine, std::string_view method,
                      const json& request) {
    auto answer = engine.execute(method, request.dump());
    if (!answer) return failed(answer.error());
    std::cout << answer.value() << "\n";
    return 0;
}

/// An instant as "YYYY-MM-DDTHH:MM" UTC.
inline std::string when(crm::Timestamp t) { return crm::to_iso8601(t).substr(0, 16); }

// The service desk (service.cpp): "ticket VERB DB ...", "queue define",
// "sla define", "tick DB" and the demo's service story.
int ticket(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int queue(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int sla(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int tick(crm::Engine& engine, const Args& a);
int proactive(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int service_story(crm::Engine& engine, const crm::Id& party);
int finglish_story(crm::Engine& engine);

// Segments (marketing.cpp): "segment VERB DB ...", "list add|remove",
// "suppression add|remove|show" and the demo's marketing story.
int segment(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int list(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int suppression(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int loyalty(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int campaign(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int marketing_story(crm::Engine& engine, const crm::Id& party);

// Worklists (lists.cpp): "opp|lead|quote|ticket|activity|campaign list DB
// [PARTY] [filters]" through the list commands.
int list_records(crm::Engine& engine, std::string_view kind, const std::vector<std::string>& p,
                 const Args& a);

// Analytics (analytics.cpp): "clv fit|score|show", "funnel", "cohorts".
int clv(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int funnel(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int cohorts(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int dashboard(crm::Engine& engine, const std::vector<std::string>& p, const Args& a);
int analytics_story(crm::Engine& engine, const crm::Id& party);

}  // namespace crmctl
