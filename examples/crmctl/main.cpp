// examples/crmctl/main.cpp - crmctl, the command-line tool over crmcore:
// create a database, import CSV files, look at customers, find and merge
// duplicates, read events, and run the demo.
#include <unistd.h>

#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "crm.h"

namespace crmctl {

constexpr const char* kUsage = R"(usage: crmctl COMMAND ...
       crmctl --version                     the library's version and schema

  init DB                                   create (or migrate) a database file
  import customers DB FILE.csv [--errors F] [--dry-run]
  import orders DB FILE.csv [--errors F] [--dry-run]
                                            import a CSV file; prints a summary line
  export customers DB FILE.csv [--overwrite]
                                            write every party as CSV that imports back
  show DB PARTY [--json]                    the 360 view of a party: by id, external id, or a
                                            phone, e-mail or national id that only it has
  search DB QUERY [--json] [--limit N]      by name, e-mail, phone, external or national id
  duplicates DB [--json] [--limit N] [--min-score S]
                                            candidate duplicate pairs with reasons
  merge DB SURVIVOR MERGED...               merge parties into the survivor
  events DB [--after CURSOR] [--limit N] [--json]
                                            the outbox of domain events
  pipeline show DB [PIPELINE] [--json]      each stage with its deals, amount and weighted amount
  opp create DB PARTY NAME [AMOUNT CURRENCY] [--pipeline P] [--owner U] [--json]
                                            a new opportunity (PARTY: id or external id)
  opp move DB OPP MOVE [REASON] [--json]    move by transition name or target stage
  opp win DB OPP REASON [--json]            close as won (the close record's reason)
  opp lose DB OPP REASON [COMPETITOR] [--json]
  opp show DB OPP [--json]                  an opportunity, its allowed moves and history
  lead create DB FIRST LAST EMAIL_OR_PHONE [--company C] [--source S] [--owner U] [--json]
  lead qualify DB LEAD [--json]             the move to qualified
  lead disqualify DB LEAD REASON [--json]   lost, cannot_contact, no_longer_interested, cancelled, ...
  lead convert DB LEAD [--opportunity NAME] [--pipeline P] [--json]
                                            to a party (found by national id, e-mail or phone, else new)
  lead show DB LEAD [--json]
  product add DB SKU NAME PRICE [CURRENCY] [--price-list L] [--unit U] [--tax T] [--json]
                                            a catalogue product with its price in one list (major units)
  quote create DB PARTY SKU:QTY[:DISCOUNT%]... [--opp OPP] [--number N] [--currency C]
               [--price-list L] [--json]    a draft quote priced from the catalogue
  quote activate|win DB QUOTE [--json]      lifecycle moves (win hands the order to the ERP)
  quote lose|cancel DB QUOTE REASON [--json]
  quote revise DB QUOTE [SKU:QTY[:DISCOUNT%]...] [--json]
                                            the next revision (new lines replace the old)
  quote order DB QUOTE ERP_ORDER_ID [--json] record the ERP's order id on a won quote
  sms TEXT [--json]                         an SMS's encoding (gsm7, or ucs2 for Persian) and parts
  check sheba|bank_card|postal_code|national_id|legal_id VALUE [--json]
                                            an Iranian identifier checked: its canonical form, its bank
  holidays DB [JALALI_YEAR] [--business-calendar C] [--json]
                                            a year's holidays (this year's by default); lunar ones
                                            marked provisional until the calendar confirms their month
  quote show DB QUOTE [--toman] [--json]    a quote (id or number): lines, totals and the total in
                                            Persian digits and words (in tomans), moves, revisions
  queue define DB QUEUE [USER[:SKILL,...]]... a queue (team) and its members
  sla define DB POLICY.json                 an SLA policy (docs/SERVICE.md); retargets open clocks
  sla report DB --period P [--calendar jalali|gregorian] [--by queue|type|priority] [--json]
                                            SLA compliance, backlog, time in state, FCR, CSAT, NPS
  assignment define DB RULE.json            an assignment rule (round robin, least loaded, skill)
  escalation define DB RULE.json            an escalation rule (raise, move queue, notify)
  ticket create DB PARTY SUBJECT [--type T] [--priority P] [--channel C] [--queue Q]
                [--assignee U] [--category C] [--json]
                                            a ticket with the clocks of its SLA policy
  ticket assign DB TICKET USER [--json]     to a member of its queue ("" : back to the queue)
  ticket refer DB TICKET QUEUE REASON [--assignee U] [--json]
                                            refer (ارجاع) to another queue, kept in history
  ticket pend DB TICKET [customer|third_party] [--json]
                                            wait for the customer (clocks pause) or a third party
  ticket open|close|reopen DB TICKET [--json]
  ticket resolve|cancel DB TICKET REASON [--json]
  ticket comment DB TICKET TEXT [--internal] [--customer] [--json]
                                            an agent's public comment is a response
  ticket show DB TICKET [--json]            a ticket: clocks, moves, comments
  opp|lead|quote|ticket|activity|campaign list DB [PARTY] [--owner U,...] [--team T,...]
               [--queue Q,...] [--stage S,...|--state S,...] [--status S,...] [--pipeline P]
               [--priority P,...] [--sla breached|nearing_breach|in_progress|paused|none,...]
               [--overdue] [--due-before T] [--created-since T] [--changed-since T] [--tag T]
               [--where RULE] [--order newest|oldest|changed|due] [--limit N] [--cursor C] [--json]
                                            a worklist: the records the filters select, a page at a
                                            time, with their count (docs/WORKLISTS.md)
  proactive DB ACTION.json [--json]         recall cases or notices in bulk (service.proactive), once each
  tick DB [--now T] [--json]                all due work: clock warnings and breaches, escalations,
                                            each once (T: "2026-02-09T10:00+03:30"; without a zone, UTC)
  segment create DB ID RULE [--name N] [--untracked] [--json]
                                            a dynamic segment (RULE: text form or JSON); prints its size
  segment define DB FILE.json               any segment: dynamic, list, suppression or set (docs/MARKETING.md)
  segment list DB [--json]                  every segment with its kind and version
  segment count DB ID [--json]              the number of members now
  segment members|sample DB ID [--limit N] [--json]
                                            members in id order, or a uniform sample
  segment explain DB ID PARTY [--json]      which conditions held for a party (id or external id)
  segment history DB ID [--limit N] [--json] joins and leaves of a tracked segment
  segment snapshot DB ID LIST [--json]      the current members as a static list
  segment refresh DB [--rfm]                bring moved purchase windows and relative rules up to date
  list add|remove DB LIST PARTY... [--json] members of a static list
  suppression add DB LIST party|email|domain|phone VALUE [REASON]
  suppression remove DB LIST KIND VALUE
  suppression show DB LIST                  entries of a suppression list
  campaign create DB FILE.json [--json]     a campaign (docs/MARKETING.md): channels, segments, suppression, groups
  campaign show|launch|report DB CAMPAIGN [--json]
                                            launch takes the members (ready first when proposed)
  campaign move DB CAMPAIGN MOVE [REASON]   ready, launch, suspend, resume, complete, cancel
  campaign plan DB CAMPAIGN [--rate N] [--window MIN] [--business-calendar C] [--sms-cost MINOR [--currency C]]
               [--json]                     batches of at most N per window, in C's working time; the
                                            SMS message's parts per member, priced per part
  campaign dispatch DB CAMPAIGN PLAN BATCH [--json]
                                            hand a batch over: each member once, ever
  campaign status DB CAMPAIGN PARTY STATUS  sent, delivered, opened, clicked, responded, converted, ...
  loyalty define DB FILE.json               a loyalty programme: earn rules, expiry, tiers
  loyalty enrol|show DB PROGRAM PARTY [--json]
                                            membership, balance, tier and the latest ledger entries
  loyalty redeem|adjust DB PROGRAM PARTY POINTS KEY [REASON]
                                            spend or change points; KEY makes a retry harmless
  loyalty refresh DB [PROGRAM]              expire due points, review tiers
  forecast DB --period P [--calendar jalali|gregorian] [--by owner|team|pipeline]
           [--pipeline P] [--owner U] [--json] the forecast of a month, quarter or year (1404-Q1, 2025-06)
  clv fit DB [--calibration-end T] [--currency C] [--unit weeks|days] [--model bg_nbd|pareto_nbd]
             [--time-zone Z] [--json]       lifetime value models fitted on the stored purchases
  clv score DB [same options] [--horizon H] [--discount RATE] [--json]
                                            ... and every party's value, P(alive) stored (clv.*)
  clv show DB PARTY [--json]                a party's stored lifetime value
  funnel DB [PROCESS] [--period P] [--calendar jalali|gregorian] [--basis cohort|activity]
            [--order any|strict] [--owner U] [--team T] [--source S] [--campaign C]
            [--group-by owner|team|pipeline|source|campaign] [--time-zone Z] [--json]
                                            per stage: entered, moved on, closed, conversion, days, bottlenecks
  cohorts DB [--unit month|quarter|year] [--calendar jalali|gregorian] [--since P] [--as-of T]
             [--currency C] [--churn-after N] [--time-zone Z] [--json]
                                            retention by cohort of first purchase, and churn per period
  dashboard DB --out FILE.html [--period P] [--calendar jalali|gregorian] [--lang fa|en]
               [--role manager|sales_manager|sales_rep|service_manager|service_agent|marketing]
               [--user U] [--currency C] [--overwrite] [--json]
                                            a role's dashboard of a period: one HTML page
  demo [--data DIR] [--db FILE]             import the Persian sample and show what the core does

DB is a SQLite file. Exit status: 0 success, 1 failure, 2 usage error.
)";

int usage(const std::string& why) {
    std::cerr << "crmctl: " << why << "\n\n" << kUsage;
    return 2;
}

// The value of a numeric option: the whole text a number in [lo, hi], or
// false with `why` naming the option and the range.
bool whole_number(const std::string& name, const char* text, long long lo, long long hi,
                  long long& out, std::string& why) {
    const char* end = text + std::strlen(text);
    long long v = 0;
    const auto [at, ec] = std::from_chars(text, end, v);
    if (ec != std::errc() || at != end || *text == '\0' || v < lo || v > hi) {
        why = name + " takes a whole number from " + std::to_string(lo) + " to " +
              std::to_string(hi) + ", not '" + crm::text::excerpt(text, 40) + "'";
        return false;
    }
    out = v;
    return true;
}

// A decimal option: the whole text a number in [lo, hi].
bool decimal(const std::string& name, const char* text, double lo, double hi, double& out,
             std::string& why) {
    const char* end = text + std::strlen(text);
    double v = 0;
    const auto [at, ec] = std::from_chars(text, end, v);
    if (ec != std::errc() || at != end || *text == '\0' || !(v >= lo && v <= hi)) {
        char range[64];
        std::snprintf(range, sizeof range, " takes a number from %g to %g", lo, hi);
        why = name + range + ", not '" + crm::text::excerpt(text, 40) + "'";
        return false;
    }
    out = v;
    return true;
}

bool parse_args(int argc, char** argv, Args& a, std::string& why) {
    constexpr long long kMax = 2'147'483'647;
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        auto value = [&](const char* name) -> const char* {
            if (i + 1 >= argc) {
                why = std::string(name) + " needs a value";
                return nullptr;
            }
            return argv[++i];
        };
        if (s == "--json") a.json = true;
        else if (s == "--dry-run") a.dry_run = true;
        else if (s == "--errors") { const char* v = value("--errors"); if (!v) return false; a.errors_file = v; }
        else if (s == "--data") { const char* v = value("--data"); if (!v) return false; a.data_dir = v; }
        else if (s == "--db") { const char* v = value("--db"); if (!v) return false; a.db = v; }
        else if (s == "--pipeline") { const char* v = value("--pipeline"); if (!v) return false; a.pipeline = v; }
        else if (s == "--owner") { const char* v = value("--owner"); if (!v) return false; a.owner = v; }
        else if (s == "--company") { const char* v = value("--company"); if (!v) return false; a.company = v; }
        else if (s == "--source") { const char* v = value("--source"); if (!v) return false; a.source = v; }
        else if (s == "--period") { const char* v = value("--period"); if (!v) return false; a.period = v; }
        else if (s == "--calendar") { const char* v = value("--calendar"); if (!v) return false; a.calendar = v; a.calendar_given = true; }
        else if (s == "--by") { const char* v = value("--by"); if (!v) return false; a.by = v; }
        else if (s == "--opportunity") { const char* v = value("--opportunity"); if (!v) return false; a.opportunity = v; }
        else if (s == "--opp") { const char* v = value("--opp"); if (!v) return false; a.opp = v; }
        else if (s == "--number") { const char* v = value("--number"); if (!v) return false; a.number = v; }
        else if (s == "--currency") { const char* v = value("--currency"); if (!v) return false; a.currency = v; }
        else if (s == "--price-list") { const char* v = value("--price-list"); if (!v) return false; a.price_list = v; }
        else if (s == "--unit") { const char* v = value("--unit"); if (!v) return false; a.unit = v; }
        else if (s == "--tax") { const char* v = value("--tax"); if (!v) return false; a.tax = v; }
        else if (s == "--after") { const char* v = value("--after"); if (!v || !whole_number(s, v, 0, INT64_MAX, a.after, why)) return false; }
        else if (s == "--queue") { const char* v = value("--queue"); if (!v) return false; a.queue = v; }
        else if (s == "--assignee") { const char* v = value("--assignee"); if (!v) return false; a.assignee = v; }
        else if (s == "--priority") { const char* v = value("--priority"); if (!v) return false; a.priority = v; }
        else if (s == "--type") { const char* v = value("--type"); if (!v) return false; a.type = v; }
        else if (s == "--channel") { const char* v = value("--channel"); if (!v) return false; a.channel = v; }
        else if (s == "--category") { const char* v = value("--category"); if (!v) return false; a.category = v; }
        else if (s == "--now") { const char* v = value("--now"); if (!v) return false; a.now = v; }
        else if (s == "--name") { const char* v = value("--name"); if (!v) return false; a.name = v; }
        else if (s == "--untracked") a.untracked = true;
        else if (s == "--rate") { const char* v = value("--rate"); if (!v || !whole_number(s, v, 1, kMax, a.rate, why)) return false; }
        else if (s == "--sms-cost") { const char* v = value("--sms-cost"); if (!v || !whole_number(s, v, 0, kMax, a.sms_cost, why)) return false; }
        else if (s == "--window") { const char* v = value("--window"); if (!v || !whole_number(s, v, 1, kMax, a.window, why)) return false; }
        else if (s == "--business-calendar") { const char* v = value("--business-calendar"); if (!v) return false; a.calendar_id = v; }
        else if (s == "--rfm") a.rfm = true;
        else if (s == "--internal") a.internal = true;
        else if (s == "--customer") a.customer = true;
        else if (s == "--limit") { const char* v = value("--limit"); if (!v || !whole_number(s, v, 1, kMax, a.limit, why)) return false; }
        else if (s == "--min-score") { const char* v = value("--min-score"); if (!v || !decimal(s, v, 0, 1, a.min_score, why)) return false; }
        else if (s == "--overwrite") a.overwrite = true;
        else if (s == "--toman") a.toman = true;
        else if (s == "--calibration-end") { const char* v = value("--calibration-end"); if (!v) return false; a.calibration_end = v; }
        else if (s == "--model") { const char* v = value("--model"); if (!v) return false; a.model = v; }
        else if (s == "--time-zone") { const char* v = value("--time-zone"); if (!v) return false; a.time_zone = v; }
        else if (s == "--horizon") { const char* v = value("--horizon"); if (!v || !decimal(s, v, 1e-9, 1e6, a.horizon, why)) return false; }
        else if (s == "--role") { const char* v = value("--role"); if (!v) return false; a.role = v; }
        else if (s == "--user") { const char* v = value("--user"); if (!v) return false; a.user = v; }
        else if (s == "--lang") { const char* v = value("--lang"); if (!v) return false; a.lang = v; }
        else if (s == "--out") { const char* v = value("--out"); if (!v) return false; a.out = v; }
        else if (s == "--team") { const char* v = value("--team"); if (!v) return false; a.team = v; }
        else if (s == "--campaign") { const char* v = value("--campaign"); if (!v) return false; a.campaign = v; }
        else if (s == "--group-by") { const char* v = value("--group-by"); if (!v) return false; a.group_by = v; }
        else if (s == "--basis") { const char* v = value("--basis"); if (!v) return false; a.basis = v; }
        else if (s == "--status") { const char* v = value("--status"); if (!v) return false; a.status = v; }
        else if (s == "--state") { const char* v = value("--state"); if (!v) return false; a.state = v; }
        else if (s == "--stage") { const char* v = value("--stage"); if (!v) return false; a.stage = v; }
        else if (s == "--sla") { const char* v = value("--sla"); if (!v) return false; a.sla = v; }
        else if (s == "--due-before") { const char* v = value("--due-before"); if (!v) return false; a.due_before = v; }
        else if (s == "--created-since") { const char* v = value("--created-since"); if (!v) return false; a.created_since = v; }
        else if (s == "--changed-since") { const char* v = value("--changed-since"); if (!v) return false; a.changed_since = v; }
        else if (s == "--tag") { const char* v = value("--tag"); if (!v) return false; a.tag = v; }
        else if (s == "--where") { const char* v = value("--where"); if (!v) return false; a.where = v; }
        else if (s == "--cursor") { const char* v = value("--cursor"); if (!v) return false; a.cursor = v; }
        else if (s == "--overdue") a.overdue = true;
        else if (s == "--version") a.version = true;
        else if (s == "--order") { const char* v = value("--order"); if (!v) return false; a.order = v; }
        else if (s == "--since") { const char* v = value("--since"); if (!v) return false; a.since = v; }
        else if (s == "--as-of") { const char* v = value("--as-of"); if (!v) return false; a.as_of = v; }
        else if (s == "--churn-after") { const char* v = value("--churn-after"); if (!v || !whole_number(s, v, 1, 120, a.churn_after, why)) return false; }
        else if (s == "--discount") { const char* v = value("--discount"); if (!v || !decimal(s, v, 0, 100, a.discount, why)) return false; }
        else if (s.size() > 2 && s.rfind("--", 0) == 0) { why = "unknown option " + s; return false; }
        else a.positional.push_back(s);
    }
    return true;
}

// Only init, import and the demo create a database; every other command
// needs an existing one (a mistyped name fails instead of making a file),
// and the commands that only read open it read-only.
crm::result<std::unique_ptr<crm::Engine>> open(const std::string& db, crm::OpenMode mode) {
    crm::EngineOptions o;
    o.database = "sqlite:" + db;
    o.mode = mode;
    return crm::Engine::open(o);
}

// A progress bar on stderr when it is a terminal; nothing otherwise.
class ProgressBar {
public:
    ProgressBar(std::string label, std::uint64_t total)
        : label_(std::move(label)), total_(total), tty_(::isatty(2) == 1) {}
    void update(std::uint64_t done) {
        if (!tty_ || total_ == 0) return;
        const int width = 40;
        const int filled = static_cast<int>(width * std::min<double>(1.0, double(done) / double(total_)));
        std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%", label_.c_str(), filled,
                     "########################################", width - filled, "",
                     static_cast<int>(100.0 * std::min<double>(1.0, double(done) / double(total_))));
        std::fflush(stderr);
    }
    void finish() {
        if (tty_ && total_) std::fprintf(stderr, "\n");
    }

private:
    std::string label_;
    std::uint64_t total_;
    bool tty_;
};

int import(crm::Engine& engine, const std::string& what, const std::string& file, const Args& a) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return failed(crm::fail(crm::errc::not_found, "cannot open " + file, "file"));
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    ProgressBar bar("importing " + what, ec ? 0 : size);
    crm::ImportOptions options;
    options.dry_run = a.dry_run;
    // The errors file lists every problem, however many.
    if (!a.errors_file.empty()) options.max_problems = SIZE_MAX;
    options.progress = [&](std::uint64_t bytes) { bar.update(bytes); };
    auto report = what == "customers" ? crm::import_customers_csv(engine, in, options)
                                      : crm::import_orders_csv(engine, in, options);
    bar.finish();
    if (!report) return failed(report.error());
    if (!a.errors_file.empty()) {
        std::ofstream out(a.errors_file, std::ios::binary);
        if (!out) return failed(crm::fail(crm::errc::storage, "cannot write " + a.errors_file, "errors"));
        crm::write_problems_csv(report.value(), out);
    }
    std::cout << (a.dry_run ? "dry run: " : "") << report.value().summary() << "\n";
    return 0;
}


void print_view(const crm::Customer360& v) {
    const crm::Party& p = v.party;
    std::cout << p.display_name() << "  [" << crm::to_string(p.kind) << ", " << p.lifecycle_stage << "]\n"
              << "  id           " << p.id.str() << "\n";
    if (!p.external_id.empty()) std::cout << "  external id  " << p.external_id << "\n";
    if (!p.national_id.empty()) std::cout << "  national id  " << p.national_id << "\n";
    if (p.kind == crm::PartyKind::person && !p.organization_name.empty())
        std::cout << "  company      " << p.organization_name << "\n";
    if (!p.city.empty() || !p.country.empty()) std::cout << "  location     " << p.city << (p.city.empty() ? "" : ", ") << p.country << "\n";
    if (!p.tags.empty()) {
        std::cout << "  tags        ";
        for (const auto& t : p.tags) std::cout << " " << t;
        std::cout << "\n";
    }
    for (const auto& c : p.contacts) {
        std::cout << "  " << crm::to_string(c.kind) << std::string(13 - std::strlen(crm::to_string(c.kind)), ' ')
                  << c.value;
        if (!c.operator_name.empty()) std::cout << "  (" << c.operator_name << ")";
        if (c.primary) std::cout << "  primary";
        if (c.verified) std::cout << "  verified";
        for (const auto& consent : c.consents)
            std::cout << "  " << consent.channel << ":" << crm::to_string(consent.status);
        std::cout << "\n";
    }
    for (const auto& [name, value] : p.custom) std::cout << "  " << name << ": " << crm::value_text(value) << "\n";
    for (const auto& s : v.purchases) {
        crm::Money total{s.total_minor, s.currency};
        std::cout << "  purchases    " << s.count << " orders, " << total.str() << ", " << when(s.first_at).substr(0, 10)
                  << " .. " << when(s.last_at).substr(0, 10) << "\n";
    }
    for (const auto& m : v.memberships)
        std::cout << "  member       " << m.person.str() << " of " << m.organization.str() << " as " << m.role << "\n";
    if (!v.open_activities.empty()) std::cout << "  open activities:\n";
    for (const auto& a : v.open_activities)
        std::cout << "    " << when(a.due) << "  " << crm::to_string(a.kind) << "  " << a.subject << "  -> " << a.assignee << "\n";
    if (!v.recent_interactions.empty()) std::cout << "  recent interactions:\n";
    for (const auto& i : v.recent_interactions)
        std::cout << "    " << when(i.at) << "  " << crm::to_string(i.channel) << " " << crm::to_string(i.direction)
                  << "  " << i.subject << "\n";
    if (!v.merged_ids.empty()) std::cout << "  merged from  " << v.merged_ids.size() << " parties\n";
    for (const auto& o : v.open_opportunities)
        std::cout << "  opportunity  " << o.name << "  [" << o.stage << "]  "
                  << (o.amount ? o.amount->str() : "-") << "  " << o.probability << "%\n";
    for (const auto& l : v.open_leads)
        std::cout << "  lead         " << l.source << "  [" << l.state << "]  score " << l.score << "\n";
    for (const auto& t : v.open_tickets)
        std::cout << "  ticket       " << t.subject << "  [" << t.state << "]  " << crm::to_string(t.priority)
                  << (t.queue.empty() ? "" : "  queue " + t.queue) << "\n";
    for (const auto& s : v.segments)
        std::cout << "  segment      " << s.segment << "  since " << when(s.joined_at) << "\n";
    for (const auto& l : v.lists) std::cout << "  list         " << l << "\n";
}

template <class T>
std::string json_array(const std::vector<T>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + crm::json::to_json(items[i]);
    return out + "]";
}

int show(crm::Engine& engine, const std::string& key, const Args& a) {
    auto party = engine.find_party(key);
    if (!party && party.error().code == crm::errc::not_found) {
        // Not an id or external id: a phone, an e-mail address or a
        // national id of exactly one party names it too.
        crm::SearchQuery q;
        q.text = key;
        auto hits = engine.search(q);
        std::vector<crm::SearchHit> exact;
        if (hits)
            for (const auto& h : hits.value())
                if (h.matched == "phone" || h.matched == "email" || h.matched == "national_id")
                    exact.push_back(h);
        if (exact.empty())
            return failed(crm::error{crm::errc::not_found,
                                     "no party with that id, external id, phone, e-mail or national id: '" +
                                         crm::text::excerpt(key) + "'",
                                     "party"});
        if (exact.size() == 1) party = engine.get_party(exact[0].id);
        else if (exact.size() > 1) {
            std::cerr << "crmctl: " << exact.size() << " parties have " << exact[0].matched << " '" << key
                      << "'; show one of them by id:\n";
            for (const auto& h : exact) std::cerr << "  " << h.id.str() << "  " << h.display_name << "\n";
            return 1;
        }
    }
    if (!party) return failed(party.error());
    auto view = engine.customer_360(party.value().id);
    if (!view) return failed(view.error());
    if (a.json) std::cout << crm::json::to_json(view.value()) << "\n";
    else print_view(view.value());
    return 0;
}

int search(crm::Engine& engine, const std::string& text, const Args& a) {
    crm::SearchQuery q;
    q.text = text;
    if (a.limit > 0) q.limit = static_cast<int>(a.limit);
    auto hits = engine.search(q);
    if (!hits) return failed(hits.error());
    if (a.json) {
        std::cout << json_array(hits.value()) << "\n";
        return 0;
    }
    for (const auto& h : hits.value())
        std::cout << h.id.str() << "  " << h.external_id << "  " << h.display_name << "  " << h.city << "  ("
                  << h.matched << ")\n";
    if (hits.value().empty()) std::cout << "no party matches\n";
    return 0;
}

int duplicates(crm::Engine& engine, const Args& a, int default_limit) {
    crm::DuplicateOptions o;
    o.limit = a.limit > 0 ? static_cast<int>(a.limit) : default_limit;
    if (a.min_score >= 0) o.min_score = a.min_score;
    auto pairs = engine.find_duplicates(o);
    if (!pairs) return failed(pairs.error());
    if (a.json) {
        std::cout << json_array(pairs.value()) << "\n";
        return 0;
    }
    for (const auto& p : pairs.value()) {
        auto na = engine.get_party(p.a), nb = engine.get_party(p.b);
        std::printf("%.2f  %s %s  ~  %s %s  (", p.score, p.a_external_id.c_str(),
                    na ? na.value().display_name().c_str() : "?", p.b_external_id.c_str(),
                    nb ? nb.value().display_name().c_str() : "?");
        for (std::size_t i = 0; i < p.reasons.size(); ++i) std::printf("%s%s", i ? "; " : "", p.reasons[i].c_str());
        std::printf(")\n");
    }
    return 0;
}

int merge(crm::Engine& engine, const std::vector<std::string>& keys) {
    auto survivor = engine.find_party(keys[0]);
    if (!survivor) return failed(survivor.error());
    std::vector<crm::Id> merged;
    for (std::size_t i = 1; i < keys.size(); ++i) {
        auto p = engine.find_party(keys[i]);
        if (!p) return failed(p.error());
        merged.push_back(p.value().id);
    }
    auto result = engine.merge(crm::Context{"crmctl", "cli"}, survivor.value().id, merged);
    if (!result) return failed(result.error());
    std::cout << "merged " << merged.size() << " into " << result.value().id.str() << " ("
              << result.value().display_name() << ")\n";
    return 0;
}

int events(crm::Engine& engine, const Args& a) {
    auto list = engine.events_after(a.after, a.limit > 0 ? static_cast<int>(a.limit) : 100);
    if (!list) return failed(list.error());
    if (a.json) {
        std::cout << json_array(list.value()) << "\n";
        return 0;
    }
    for (const auto& e : list.value())
        std::cout << e.seq << "  " << crm::to_iso8601(e.at) << "  " << e.type << "  " << e.record_id.str() << "\n";
    return 0;
}

// ---- sales -------------------------------------------------------------------


// Prints a command's JSON answer (--json) or nothing; the human form is the caller's.
std::string money_text(const std::optional<crm::Money>& m) { return m ? m->str() : "-"; }

void print_opportunity(const crm::Opportunity& o) {
    std::cout << o.id.str() << "  " << o.name << "  [" << o.pipeline << " v" << o.pipeline_version
              << ": " << o.stage << ", " << o.status << "]  " << money_text(o.amount) << "  "
              << o.probability << "%";
    if (!o.expected_close.empty()) std::cout << "  close " << o.expected_close;
    if (!o.owner.empty()) std::cout << "  owner " << o.owner;
    std::cout << "\n";
}

int pipeline_show(crm::Engine& engine, const std::string& name, const Args& a) {
    if (a.json) return print_json(engine, "pipeline.show", {{"pipeline", name}});
    auto stages = crm::Sales(engine).pipeline(name);
    if (!stages) return failed(stages.error());
    std::cout << "pipeline " << name << "\n";
    for (const auto& s : stages.value()) {
        std::printf("  %-14s %-9s %4s", s.state.label.c_str(), crm::process::to_string(s.state.category),
                    s.state.probability ? (std::to_string(*s.state.probability) + "%").c_str() : "");
        if (s.totals.empty()) std::printf("  -");
        for (const auto& t : s.totals)
            std::printf("  %lld deals %s (weighted %s)", static_cast<long long>(t.count),
                        t.currency.empty() ? "without amount"
                                           : crm::Money{t.amount_minor, t.currency}.str().c_str(),
                        t.currency.empty() ? "-" : crm::Money{t.weighted_minor, t.currency}.str().c_str());
        std::printf("\n");
    }
    return 0;
}

int opportunity(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    crm::Sales sales(engine);
    const std::string& verb = p[1];
    auto finish = [&](const crm::result<crm::Opportunity>& o) {
        if (!o) return failed(o.error());
        if (a.json) return print_json(engine, "opportunity.get", {{"id", o.value().id.str()}});
        print_opportunity(o.value());
        return 0;
    };
    auto target = [&]() { return sales.get_opportunity(p[3]); };
    if (verb == "create") {
        if (p.size() != 5 && p.size() != 7) return usage("opp create takes DB PARTY NAME [AMOUNT CURRENCY]");
        auto party = engine.find_party(p[3]);
        if (!party) return failed(party.error());
        crm::OpportunityInput in;
        in.party = party.value().id;
        in.name = p[4];
        in.pipeline = a.pipeline;
        if (!a.owner.empty()) in.owner = a.owner;
        if (p.size() == 7) {
            auto amount = crm::Money::parse(p[5], p[6]);
            if (!amount) return failed(amount.error());
            in.amount = amount.value();
        }
        return finish(sales.create_opportunity(kCli, in));
    }
    if (p.size() < 4) return usage("opp " + verb + " needs DB and OPP");
    auto o = target();
    if (!o) return failed(o.error());
    const crm::Id id = o.value().id;
    if (verb == "show") {
        if (p.size() != 4) return usage("opp show takes DB OPP");
        if (a.json) return print_json(engine, "opportunity.get", {{"id", id.str()}});
        print_opportunity(o.value());
        auto moves = sales.allowed_moves(id);
        if (!moves) return failed(moves.error());
        std::cout << "  moves:";
        for (const auto& m : moves.value()) std::cout << "  " << m.name << " -> " << m.to;
        std::cout << "\n  history:\n";
        auto history = engine.history("opportunity", id);
        if (!history) return failed(history.error());
        for (const auto& h : history.value())
            std::cout << "    " << when(h.at) << "  " << (h.from_state.empty() ? "(new)" : h.from_state) << " -> "
                      << h.to_state << (h.move.empty() ? "" : "  by " + h.move) << "  " << h.actor
                      << (h.reason.empty() ? "" : "  \"" + h.reason + "\"") << "\n";
        return 0;
    }
    if (verb == "move") {
        if (p.size() != 5 && p.size() != 6) return usage("opp move takes DB OPP MOVE [REASON]");
        crm::MoveInput m;
        m.move = p[4];
        if (p.size() == 6) m.reason = p[5];
        return finish(sales.move_opportunity(kCli, id, m));
    }
    if (verb == "win" || verb == "lose") {
        if (p.size() != 5 && !(verb == "lose" && p.size() == 6))
            return usage("opp " + verb + " takes DB OPP REASON" + (verb == "lose" ? " [COMPETITOR]" : ""));
        crm::CloseRecord c;
        c.reason = p[4];
        if (p.size() == 6) c.competitor = p[5];
        return finish(verb == "win" ? sales.win_opportunity(kCli, id, c) : sales.lose_opportunity(kCli, id, c));
    }
    return usage("unknown opp command '" + verb + "'");
}

void print_lead(const crm::Lead& l) {
    std::cout << l.id.str() << "  " << crm::text::tidy(l.first_name + " " + l.last_name)
              << (l.company.empty() ? "" : " (" + l.company + ")") << "  [" << l.process << ": "
              << l.state << "]  score " << l.score;
    if (!l.source.empty()) std::cout << "  from " << l.source;
    if (!l.disqualify_reason.empty()) std::cout << "  reason " << l.disqualify_reason;
    std::cout << "\n";
    for (const auto& line : l.score_lines) std::cout << "  " << (line.points >= 0 ? "+" : "") << line.points << "  " << line.rule << "\n";
}

int lead(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    crm::Sales sales(engine);
    const std::string& verb = p[1];
    auto finish = [&](const crm::result<crm::Lead>& l) {
        if (!l) return failed(l.error());
        if (a.json) return print_json(engine, "lead.get", {{"id", l.value().id.str()}});
        print_lead(l.value());
        return 0;
    };
    if (verb == "create") {
        if (p.size() != 6) return usage("lead create takes DB FIRST LAST EMAIL_OR_PHONE");
        crm::LeadInput in;
        in.first_name = p[3];
        in.last_name = p[4];
        if (p[5].find('@') != std::string::npos) in.email = p[5];
        else in.phone = p[5];
        if (!a.company.empty()) in.company = a.company;
        in.source = a.source.empty() ? "cli" : a.source;
        if (!a.owner.empty()) in.owner = a.owner;
        return finish(sales.capture_lead(kCli, in));
    }
    if (p.size() < 4) return usage("lead " + verb + " needs DB and LEAD");
    auto found = sales.get_lead(p[3]);
    if (!found) return failed(found.error());
    const crm::Id id = found.value().id;
    if (verb == "show") return p.size() == 4 ? finish(found) : usage("lead show takes DB LEAD");
    if (verb == "qualify")
        return p.size() == 4 ? finish(sales.move_lead(kCli, id, "qualify")) : usage("lead qualify takes DB LEAD");
    if (verb == "disqualify")
        return p.size() == 5 ? finish(sales.disqualify_lead(kCli, id, p[4]))
                             : usage("lead disqualify takes DB LEAD REASON");
    if (verb == "convert") {
        if (p.size() != 4) return usage("lead convert takes DB LEAD");
        if (a.json) {
            json request = {{"id", id.str()},
                                           {"create_opportunity", !a.opportunity.empty()},
                                           {"context", {{"actor", kCli.actor}, {"source", kCli.source}}}};
            if (!a.opportunity.empty()) request["opportunity_name"] = a.opportunity;
            if (!a.pipeline.empty()) request["pipeline"] = a.pipeline;
            return print_json(engine, "lead.convert", request);
        }
        crm::ConvertOptions o;
        o.create_opportunity = !a.opportunity.empty();
        o.opportunity_name = a.opportunity;
        o.pipeline = a.pipeline;
        auto c = sales.convert_lead(kCli, id, o);
        if (!c) return failed(c.error());
        const auto& v = c.value();
        std::cout << (v.already_converted ? "already converted: party " : v.party_created ? "new party " : "existing party ")
                  << v.party.str();
        if (!v.matched_by.empty()) {
            std::cout << " (matched by";
            for (const auto& m : v.matched_by) std::cout << " " << m;
            std::cout << ")";
        }
        if (!v.organization.is_nil()) std::cout << ", organization " << v.organization.str();
        if (!v.opportunity.is_nil()) std::cout << ", opportunity " << v.opportunity.str();
        std::cout << "\n";
        return 0;
    }
    return usage("unknown lead command '" + verb + "'");
}

// ---- catalogue and quotes ------------------------------------------------------

int product(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    if (p[1] != "add") return usage("unknown product command '" + p[1] + "'");
    if (p.size() != 6 && p.size() != 7) return usage("product add takes DB SKU NAME PRICE [CURRENCY]");
    auto price = crm::Money::parse(p[5], p.size() == 7 ? p[6] : "IRR", "price");
    if (!price) return failed(price.error());
    crm::Product in;
    in.sku = p[3];
    in.name = p[4];
    in.unit = a.unit;
    in.tax_category = a.tax;
    in.prices = {crm::Price{a.price_list.empty() ? "default" : a.price_list, price.value()}};
    auto written = crm::Sales(engine).define_product(kCli, in);
    if (!written) return failed(written.error());
    if (a.json) return print_json(engine, "product.get", {{"sku", written.value().record.sku}});
    const crm::Product& made = written.value().record;
    std::cout << crm::to_string(written.value().outcome) << "  " << made.sku << "  " << made.name
              << "  " << price.value().str() << " per " << made.unit << "  tax " << made.tax_category << "\n";
    return 0;
}

// "SKU:QTY[:DISCOUNT%]" -> a line.
crm::result<crm::QuoteLineInput> line_arg(const std::string& s) {
    crm::QuoteLineInput l;
    const auto first = s.find(':');
    l.sku = s.substr(0, first);
    if (first != std::string::npos) {
        const auto second = s.find(':', first + 1);
        l.quantity = s.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
        if (second != std::string::npos) {
            l.discount_percent = s.substr(second + 1);
            if (!l.discount_percent.empty() && l.discount_percent.back() == '%') l.discount_percent.pop_back();
        }
    }
    if (l.sku.empty()) return crm::fail(crm::errc::invalid_argument, "'" + s + "' is not SKU:QTY[:DISCOUNT%]", "line");
    return l;
}

crm::result<std::vector<crm::QuoteLineInput>> lines_arg(const std::vector<std::string>& p, std::size_t from) {
    std::vector<crm::QuoteLineInput> out;
    for (std::size_t i = from; i < p.size(); ++i) {
        CRM_TRY(l, line_arg(p[i]));
        out.push_back(std::move(l));
    }
    return out;
}

void print_quote(crm::Engine& engine, const crm::Quote& q, bool detail, bool toman) {
    const auto money = [&](std::int64_t minor) { return crm::Money{minor, q.currency}.str(); };
    std::cout << q.id.str() << "  " << (q.number.empty() ? "(no number)" : q.number) << " rev " << q.revision
              << "  [" << q.process << ": " << q.state << "]  total " << money(q.total_minor);
    if (!q.valid_until.empty()) std::cout << "  valid until " << q.valid_until;
    if (!q.erp_order_id.empty()) std::cout << "  ERP order " << q.erp_order_id;
    std::cout << "\n";
    if (!detail) return;
    for (const auto& l : q.lines) {
        std::printf("    %-10s %-24s %10.3f %-8s x %16s", l.sku.c_str(), l.name.c_str(),
                    static_cast<double>(l.quantity_milli) / 1000.0, l.unit.c_str(), l.unit_price.str().c_str());
        if (l.discount_minor) std::printf("  -%s", money(l.discount_minor).c_str());
        std::printf("  tax %s  = %s\n", money(l.tax_minor).c_str(), money(l.total_minor).c_str());
    }
    std::cout << "    subtotal " << money(q.subtotal_minor) << "  discount " << money(q.discount_minor)
              << "  tax " << money(q.tax_minor) << "  total " << money(q.total_minor) << "\n";
    // The total as a pre-invoice prints it: مبلغ and مبلغ به حروف.
    const auto unit = toman && q.currency == "IRR" ? crm::persian::IrrUnit::toman : crm::persian::IrrUnit::rial;
    if (auto text = crm::persian::amount_text(crm::Money{q.total_minor, q.currency}, unit, "total"))
        std::cout << "    مبلغ: " << text.value().digits << "\n    مبلغ به حروف: " << text.value().words << "\n";
    crm::Sales sales(engine);
    if (auto moves = sales.quote_moves(q.id); moves && !moves.value().empty()) {
        std::cout << "  moves:";
        for (const auto& m : moves.value()) std::cout << "  " << m.name << " -> " << m.to;
        std::cout << "\n";
    }
    if (auto revisions = sales.quote_revisions(q.id); revisions && revisions.value().size() > 1) {
        std::cout << "  revisions:";
        for (const auto& r : revisions.value()) std::cout << "  " << r.revision << " " << r.state;
        std::cout << "\n";
    }
}

int quote(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    crm::Sales sales(engine);
    const std::string& verb = p[1];
    auto finish = [&](const crm::result<crm::Quote>& q, bool detail) {
        if (!q) return failed(q.error());
        if (a.json)
            return print_json(engine, "quote.get",
                              {{"id", q.value().id.str()}, {"unit", a.toman ? "toman" : "rial"}});
        print_quote(engine, q.value(), detail, a.toman);
        return 0;
    };
    if (verb == "create") {
        if (p.size() < 5) return usage("quote create takes DB PARTY SKU:QTY[:DISCOUNT%]...");
        auto party = engine.find_party(p[3]);
        if (!party) return failed(party.error());
        crm::QuoteInput in;
        in.party = party.value().id;
        if (!a.opp.empty()) {
            auto o = sales.get_opportunity(a.opp);
            if (!o) return failed(o.error());
            in.opportunity = o.value().id;
        }
        if (!a.number.empty()) in.number = a.number;
        if (!a.currency.empty()) in.currency = a.currency;
        if (!a.price_list.empty()) in.price_list = a.price_list;
        if (!a.owner.empty()) in.owner = a.owner;
        auto lines = lines_arg(p, 4);
        if (!lines) return failed(lines.error());
        in.lines = std::move(lines).value();
        return finish(sales.create_quote(kCli, in), true);
    }
    if (p.size() < 4) return usage("quote " + verb + " needs DB and QUOTE");
    auto found = sales.get_quote(p[3]);
    if (!found) return failed(found.error());
    const crm::Id id = found.value().id;
    if (verb == "show") return p.size() == 4 ? finish(found, true) : usage("quote show takes DB QUOTE");
    if (verb == "activate" || verb == "win")
        return p.size() == 4 ? finish(sales.move_quote(kCli, id, verb), false)
                             : usage("quote " + verb + " takes DB QUOTE");
    if (verb == "lose" || verb == "cancel")
        return p.size() == 5 ? finish(sales.move_quote(kCli, id, verb, p[4]), false)
                             : usage("quote " + verb + " takes DB QUOTE REASON");
    if (verb == "revise") {
        crm::QuoteInput changes;
        if (p.size() > 4) {
            auto lines = lines_arg(p, 4);
            if (!lines) return failed(lines.error());
            changes.lines = std::move(lines).value();
        }
        return finish(sales.revise_quote(kCli, id, changes), true);
    }
    if (verb == "order")
        return p.size() == 5 ? finish(sales.record_order(kCli, id, p[4]), false)
                             : usage("quote order takes DB QUOTE ERP_ORDER_ID");
    return usage("unknown quote command '" + verb + "'");
}

int forecast(crm::Engine& engine, const Args& a) {
    if (a.period.empty()) return usage("forecast needs --period (1404-Q1, 2025-06, 1404)");
    json request = {{"period", a.period}, {"calendar", a.calendar}, {"group_by", a.by}};
    if (!a.pipeline.empty()) request["pipeline"] = a.pipeline;
    if (!a.owner.empty()) request["owner"] = a.owner;
    if (a.json) return print_json(engine, "forecast", request);
    auto answer = engine.execute("forecast", request.dump());
    if (!answer) return failed(answer.error());
    const auto f = json::parse(answer.value());
    std::cout << "forecast " << f["period"].get<std::string>() << " (" << f["from_date"].get<std::string>()
              << " .. " << f["to_date"].get<std::string>() << ", by " << a.by << ")\n";
    const auto money = [](std::int64_t minor, const std::string& currency) {
        return currency.empty() ? std::to_string(minor) : crm::Money{minor, currency}.str();
    };
    for (const auto& r : f["rows"]) {
        const std::string cur = r["currency"].get<std::string>();
        std::cout << "  " << (r["group"].get<std::string>().empty() ? "(none)" : r["group"].get<std::string>())
                  << "  " << (cur.empty() ? "no amount" : cur) << "\n";
        for (const char* cat : {"commit", "best_case", "pipeline", "omitted"}) {
            const auto& s = r[cat];
            if (s["count"].get<std::int64_t>() == 0) continue;
            std::printf("    %-10s %3lld deals  %s  (weighted %s)\n", cat,
                        static_cast<long long>(s["count"].get<std::int64_t>()),
                        money(s["amount_minor"].get<std::int64_t>(), cur).c_str(),
                        money(s["weighted_minor"].get<std::int64_t>(), cur).c_str());
        }
        std::printf("    won %lld (%s), lost %lld, win rate %.0f%%, average deal %s\n",
                    static_cast<long long>(r["won_count"].get<std::int64_t>()),
                    money(r["won_minor"].get<std::int64_t>(), cur).c_str(),
                    static_cast<long long>(r["lost_count"].get<std::int64_t>()),
                    100.0 * r["win_rate"].get<double>(),
                    money(r["average_deal_minor"].get<std::int64_t>(), cur).c_str());
        if (!r["cycle_median_days"].is_null())
            std::printf("    sales cycle %.1f days (median; mean %.1f)\n", r["cycle_median_days"].get<double>(),
                        r["cycle_mean_days"].get<double>());
        if (r["at_start"]["count"].get<std::int64_t>() > 0)
            std::printf("    forecast at the start %s (weighted, %lld deals)%s\n",
                        money(r["at_start"]["weighted_minor"].get<std::int64_t>(), cur).c_str(),
                        static_cast<long long>(r["at_start"]["count"].get<std::int64_t>()),
                        r["forecast_accuracy"].is_null()
                            ? ""
                            : (", won " + std::to_string(std::lround(100 * r["forecast_accuracy"].get<double>())) +
                               "% of it")
                                  .c_str());
    }
    for (const auto& s : f["stages"])
        std::printf("  %s/%s: %.1f days on average over %lld moves\n", s["pipeline"].get<std::string>().c_str(),
                    s["stage"].get<std::string>().c_str(), s["average_days"].get<double>(),
                    static_cast<long long>(s["moves"].get<std::int64_t>()));
    if (f["rows"].empty()) std::cout << "  no deal closes or is expected to close in the period\n";
    return 0;
}

std::string default_data_dir(const char* argv0) {
    namespace fs = std::filesystem;
    std::vector<fs::path> candidates = {fs::path("../shared/data/sample_fa"),
                                        fs::path("../../shared/data/sample_fa")};
    std::error_code ec;
    auto exe = fs::canonical(fs::path(argv0), ec);
    if (!ec)
        for (auto dir = exe.parent_path(); dir.has_parent_path() && dir != dir.parent_path(); dir = dir.parent_path())
            candidates.push_back(dir / ".." / "shared" / "data" / "sample_fa");
    for (const auto& c : candidates)
        if (fs::exists(c / "customers.csv")) return c.string();
    return "";
}

// A short sales story on the imported sample: two deals, one won, one lost.
int sales_story(crm::Engine& engine, const crm::Id& party) {
    if (party.is_nil()) return 0;
    crm::Sales sales(engine);
    std::cout << "\n-- sales: two opportunities on the built-in pipeline\n";
    crm::OpportunityInput in;
    in.party = party;
    in.name = "ERP licences";
    in.owner = "sara";
    in.expected_close = "1404-03-31";
    auto erp = sales.create_opportunity(kCli, in);
    if (!erp) return failed(erp.error());
    in.name = "Support contract";
    auto support = sales.create_opportunity(kCli, in);
    if (!support) return failed(support.error());
    crm::MoveInput win_path;
    win_path.move = "propose";
    win_path.reason = "asked for a price";
    auto premature = sales.move_opportunity(kCli, erp.value().id, win_path);
    std::cout << "   propose without an amount: " << (premature ? "moved?" : premature.error().what()) << "\n";
    win_path.changes.amount = crm::Money::parse("4500000000", "IRR").value();
    for (const char* step : {"propose", "negotiate"}) {
        win_path.move = step;
        auto moved = sales.move_opportunity(kCli, erp.value().id, win_path);
        if (!moved) return failed(moved.error());
        win_path.changes = {};
    }
    std::cout << "\n-- a quote for the deal, priced from the catalogue (VAT 10%)\n";
    crm::Product licence;
    licence.sku = "ERP-USER";
    licence.name = "ERP user licence";
    licence.unit = "licence";
    licence.prices = {crm::Price{"default", crm::Money::parse("95000000", "IRR").value()}};
    crm::Product training;
    training.sku = "TRAIN-H";
    training.name = "Training";
    training.unit = "hour";
    training.tax_category = "exempt";
    training.prices = {crm::Price{"default", crm::Money::parse("4500000", "IRR").value()}};
    for (const auto* prod : {&licence, &training})
        if (auto made = sales.define_product(kCli, *prod); !made) return failed(made.error());
    crm::QuoteInput offer;
    offer.opportunity = erp.value().id;
    offer.number = "PF-1404-001";
    // Valid for 30 days, given as a Jalali date.
    const auto until = crm::TimeZone::find("Asia/Tehran").value().to_local(
        crm::Timestamp{engine.now().ms + 30LL * 86'400'000}, crm::CalendarSystem::jalali);
    offer.valid_until = crm::format_date(until.date);
    crm::QuoteLineInput users;
    users.sku = "ERP-USER";
    users.quantity = "45";
    users.discount_percent = "7.5";
    crm::QuoteLineInput hours;
    hours.sku = "TRAIN-H";
    hours.quantity = "12.5";
    offer.lines = std::vector<crm::QuoteLineInput>{users, hours};
    auto offered = sales.create_quote(kCli, offer);
    if (!offered) return failed(offered.error());
    crm::QuoteLineInput usd = users;
    usd.unit_price = crm::Money::parse("100", "USD").value();
    crm::QuoteInput mixed;
    mixed.lines = std::vector<crm::QuoteLineInput>{usd};
    auto refused = sales.update_quote(kCli, offered.value().id, mixed);
    std::cout << "   a line in dollars on a rial quote: " << (refused ? "accepted?" : refused.error().what()) << "\n";
    for (const char* step : {"activate", "win"})
        if (auto moved = sales.move_quote(kCli, offered.value().id, step); !moved) return failed(moved.error());
    auto ordered = sales.record_order(kCli, offered.value().id, "SO-1404-0042");
    if (!ordered) return failed(ordered.error());
    print_quote(engine, ordered.value(), true, false);
    std::cout << "   quote.won carried the lines to the ERP, which answered order SO-1404-0042\n";

    crm::CloseRecord why;
    why.reason = "best total cost";
    if (auto won = sales.win_opportunity(kCli, erp.value().id, why); !won) return failed(won.error());
    why.reason = "budget moved to next year";
    why.competitor = "-";
    if (auto lost = sales.lose_opportunity(kCli, support.value().id, why); !lost) return failed(lost.error());
    auto illegal = sales.move_opportunity(kCli, support.value().id, win_path);
    std::cout << "   a lost deal cannot negotiate: " << (illegal ? "moved?" : illegal.error().what()) << "\n";
    std::vector<std::string> show = {"opp", "show", "", erp.value().id.str()};
    Args plain;
    if (int rc = opportunity(engine, show, plain)) return rc;
    if (int rc = pipeline_show(engine, "sales", plain)) return rc;
    Args quarter;
    quarter.calendar = "jalali";
    auto today = crm::TimeZone::find("Asia/Tehran").value().to_local(engine.now(), crm::CalendarSystem::jalali);
    quarter.period = std::to_string(today.date.year) + "-Q" + std::to_string((today.date.month - 1) / 3 + 1);
    std::cout << "\n-- the forecast of this Jalali quarter\n";
    return forecast(engine, quarter);
}

// A web form typed C0000002's name in Latin letters: search and duplicate
// detection find the Persian record.
int finglish_story(crm::Engine& engine) {
    std::cout << "\n-- a web form typed a customer in Latin letters: Minoo Ghahremanian, Babol\n";
    crm::PartyInput web;
    web.kind = crm::PartyKind::person;
    web.external_id = "WEB-7";
    web.first_name = "Minoo";
    web.last_name = "Ghahremanian";
    web.city = "Babol";
    auto typed = engine.create_party(kCli, web);
    if (!typed) return failed(typed.error());
    crm::SearchQuery q;
    q.text = "Minoo Ghahremanian";
    auto hits = engine.search(q);
    if (!hits) return failed(hits.error());
    for (const auto& h : hits.value())
        std::cout << "   search finds " << h.external_id << "  " << h.display_name << "  " << h.city << "  ("
                  << h.matched << ")\n";
    crm::DuplicateOptions weak;
    weak.min_score = 0.6;  // the rule of a similar name in the same city, which a host asks for
    auto pairs = engine.find_duplicates(weak);
    if (!pairs) return failed(pairs.error());
    for (const auto& p : pairs.value())
        if (p.a_external_id == "WEB-7" || p.b_external_id == "WEB-7")
            std::cout << "   duplicate pair " << p.a_external_id << " / " << p.b_external_id << ", score " << p.score
                      << ": " << p.reasons.front() << "\n";
    return 0;
}

int demo(const Args& a, const char* argv0) {
    const std::string data = a.data_dir.empty() ? default_data_dir(argv0) : a.data_dir;
    if (data.empty())
        return failed(crm::fail(crm::errc::not_found, "cannot find the sample data; pass --data DIR", "data"));
    const std::string db = a.db.empty() ? "crm_demo.db" : a.db;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    auto engine = open(db, crm::OpenMode::create);
    if (!engine) return failed(engine.error());
    std::cout << "== crmcore demo on " << db << " (SQLite), data from " << data << "\n\n";
    Args quiet = a;
    quiet.errors_file = db + ".customer-problems.csv";
    std::cout << "-- import customers.csv\n";
    if (int rc = import(*engine.value(), "customers", data + "/customers.csv", quiet)) return rc;
    std::cout << "   problems written to " << quiet.errors_file << "\n";
    quiet.errors_file = db + ".order-problems.csv";
    std::cout << "-- import orders.csv\n";
    if (int rc = import(*engine.value(), "orders", data + "/orders.csv", quiet)) return rc;
    std::cout << "-- importing customers.csv again changes nothing\n";
    quiet.errors_file.clear();
    if (int rc = import(*engine.value(), "customers", data + "/customers.csv", quiet)) return rc;

    std::cout << "\n-- the 360 view of C0000002, found by phone in any spelling (۰۹۱۹۳۵۰۵۳۷۹)\n";
    crm::SearchQuery q;
    q.text = "۰۹۱۹۳۵۰۵۳۷۹";
    auto hits = engine.value()->search(q);
    if (!hits) return failed(hits.error());
    if (!hits.value().empty()) {
        auto view = engine.value()->customer_360(hits.value()[0].id);
        if (!view) return failed(view.error());
        print_view(view.value());
    }
    std::cout << "\n-- top duplicate pairs\n";
    Args dup;
    if (int rc = duplicates(*engine.value(), dup, 10)) return rc;
    if (int rc = finglish_story(*engine.value())) return rc;
    const crm::Id customer = hits.value().empty() ? crm::Id{} : hits.value()[0].id;
    if (int rc = sales_story(*engine.value(), customer)) return rc;
    if (int rc = service_story(*engine.value(), customer)) return rc;
    if (int rc = marketing_story(*engine.value(), customer)) return rc;
    return analytics_story(*engine.value(), customer);
}

}  // namespace crmctl

int main(int argc, char** argv) {
    using namespace crmctl;
    Args a;
    std::string why;
    if (!parse_args(argc, argv, a, why)) return usage(why);
    if (a.version) {
        // The library's version (crm_version(): the one linked, which may be
        // newer than the headers crmctl was built with) and its schema.
        std::cout << "crmctl " << crm_version() << " (schema " << crm::storage::sqlite_schema_version()
                  << ")\n";
        return 0;
    }
    if (a.positional.empty()) return usage("no command given");
    const std::string cmd = a.positional[0];
    const auto& p = a.positional;
    if (cmd == "help" || cmd == "--help") {
        std::cout << kUsage;
        return 0;
    }
    if (cmd == "demo") return demo(a, argv[0]);
    if (cmd == "import") {
        if (p.size() != 4 || (p[1] != "customers" && p[1] != "orders"))
            return usage("import takes customers|orders DB FILE.csv");
        auto engine = open(p[2], crm::OpenMode::create);
        if (!engine) return failed(engine.error());
        return import(*engine.value(), p[1], p[3], a);
    }
    if (cmd == "export") {
        if (p.size() != 4 || p[1] != "customers") return usage("export takes customers DB FILE.csv");
        auto engine = open(p[2], crm::OpenMode::read_only);
        if (!engine) return failed(engine.error());
        auto written = crm::export_customers_file(*engine.value(), p[3], a.overwrite);
        if (!written && written.error().code == crm::errc::conflict)
            return failed(crm::fail(crm::errc::conflict, p[3] + " exists; add --overwrite to replace it", "file"));
        if (!written) return failed(written.error());
        std::cout << "exported " << written.value() << " parties\n";
        return 0;
    }
    if (cmd == "check" || cmd == "sms") {
        // No database: an identifier or a text checked against its own rules.
        const bool check = cmd == "check";
        if (p.size() != (check ? 3u : 2u))
            return usage(check ? "check takes sheba|bank_card|postal_code|national_id|legal_id VALUE"
                               : "sms takes TEXT");
        crm::EngineOptions memory;
        memory.database = "memory:";
        auto engine = crm::Engine::open(memory);
        if (!engine) return failed(engine.error());
        const char* method = check ? "identifier.check" : "sms.parts";
        const json request = check ? json{{"kind", p[1]}, {"value", p[2]}} : json{{"text", p[1]}};
        if (a.json) return print_json(*engine.value(), method, request);
        auto answer = engine.value()->execute(method, request.dump());
        if (!answer) return failed(answer.error());
        const json j = json::parse(answer.value());
        if (!check) {
            std::cout << j["characters"] << " characters, " << j["encoding"].get<std::string>() << ": " << j["parts"]
                      << (j["parts"] == 1 ? " part" : " parts") << " of " << j["per_part"] << ", " << j["remaining"]
                      << " left in the last\n";
            return 0;
        }
        std::cout << j.value("formatted", j["value"].get<std::string>());
        if (j.contains("bank") && j["bank"].is_object())
            std::cout << "  " << j["bank"]["name_fa"].get<std::string>() << " (" << j["bank"]["name_en"].get<std::string>()
                      << ", " << j["bank"]["code"].get<std::string>() << ")";
        if (j.contains("account")) std::cout << "  account " << j["account"].get<std::string>();
        std::cout << "\n";
        return 0;
    }
    // "pipeline show DB" and "opp VERB DB ...": the database comes third.
    const bool verb_first =
        cmd == "pipeline" || cmd == "opp" || cmd == "lead" || cmd == "product" || cmd == "quote" ||
        cmd == "ticket" || cmd == "queue" || cmd == "sla" || cmd == "assignment" ||
        cmd == "escalation" || cmd == "segment" || cmd == "list" || cmd == "suppression" ||
        cmd == "loyalty" || cmd == "campaign" || cmd == "clv" || cmd == "activity";
    // "opp list DB ...": a worklist of any record type.
    const bool worklist = verb_first && p.size() >= 2 && p[1] == "list" &&
                          (cmd == "opp" || cmd == "lead" || cmd == "quote" || cmd == "ticket" ||
                           cmd == "activity" || cmd == "campaign");
    std::vector<std::string> args = p;
    if (verb_first) {
        if (p.size() < 3) return usage(cmd + " needs a verb and a database file");
        std::swap(args[1], args[2]);  // args: cmd DB VERB ...
    }
    if (args.size() < 2) return usage(cmd + " needs a database file");
    const bool reads_only =
        cmd == "show" || cmd == "search" || cmd == "duplicates" || cmd == "events" ||
        cmd == "funnel" || cmd == "cohorts" || cmd == "dashboard" || cmd == "holidays" || worklist;
    auto engine = open(args[1], cmd == "init"  ? crm::OpenMode::create
                                : reads_only ? crm::OpenMode::read_only
                                             : crm::OpenMode::must_exist);
    if (!engine) return failed(engine.error());
    crm::Engine& e = *engine.value();
    if (cmd == "init") {
        if (p.size() != 2) return usage("init takes DB");
        std::cout << "database " << p[1] << " is ready (schema " << crm::storage::sqlite_schema_version() << ")\n";
        return 0;
    }
    if (cmd == "show") return p.size() == 3 ? show(e, p[2], a) : usage("show takes DB PARTY");
    if (cmd == "search") return p.size() == 3 ? search(e, p[2], a) : usage("search takes DB QUERY");
    if (cmd == "duplicates") return p.size() == 2 ? duplicates(e, a, 1000) : usage("duplicates takes DB");
    if (cmd == "merge") {
        if (p.size() < 4) return usage("merge takes DB SURVIVOR MERGED...");
        return merge(e, std::vector<std::string>(p.begin() + 2, p.end()));
    }
    if (cmd == "events") return p.size() == 2 ? events(e, a) : usage("events takes DB");
    if (cmd == "pipeline") {
        if (p.size() > 4 || p[1] != "show") return usage("pipeline show takes DB [PIPELINE]");
        return pipeline_show(e, p.size() == 4 ? p[3] : "sales", a);
    }
    if (worklist) return list_records(e, cmd, p, a);
    if (cmd == "activity") return usage("activity takes list DB [PARTY] [filters]");
    if (cmd == "opp") return opportunity(e, p, a);
    if (cmd == "lead") return lead(e, p, a);
    if (cmd == "product") return product(e, p, a);
    if (cmd == "quote") return quote(e, p, a);
    if (cmd == "ticket") return ticket(e, p, a);
    if (cmd == "queue") return queue(e, p, a);
    if (cmd == "sla" || cmd == "assignment" || cmd == "escalation") return sla(e, p, a);
    if (cmd == "proactive") return proactive(e, p, a);
    if (cmd == "tick") return p.size() == 2 ? tick(e, a) : usage("tick takes DB [--now T]");
    if (cmd == "segment") return segment(e, p, a);
    if (cmd == "list") return list(e, p, a);
    if (cmd == "suppression") return suppression(e, p, a);
    if (cmd == "loyalty") return loyalty(e, p, a);
    if (cmd == "campaign") return campaign(e, p, a);
    if (cmd == "clv") return clv(e, p, a);
    if (cmd == "funnel") return funnel(e, p, a);
    if (cmd == "cohorts") return cohorts(e, p, a);
    if (cmd == "dashboard") return dashboard(e, p, a);
    if (cmd == "forecast") return p.size() == 2 ? forecast(e, a) : usage("forecast takes DB --period P");
    if (cmd == "holidays") {
        if (p.size() > 3) return usage("holidays takes DB [JALALI_YEAR]");
        int year = 0;
        if (p.size() == 3) {
            year = std::atoi(crm::text::ascii_digits(p[2]).c_str());
            if (year < 1300 || year > 1600) return usage("holidays: the year must be a Jalali year such as 1404");
        } else {
            const auto tehran = crm::TimeZone::find("Asia/Tehran").value();
            year = tehran.to_local(e.now(), crm::CalendarSystem::jalali).date.year;
        }
        json request{{"year", year}};
        if (!a.calendar_id.empty()) request["calendar"] = a.calendar_id;
        if (a.json) return print_json(e, "calendar.holidays", request);
        auto answer = e.execute("calendar.holidays", request.dump());
        if (!answer) return failed(answer.error());
        const json j = json::parse(answer.value());
        for (const auto& h : j["items"])
            std::cout << h["jalali"].get<std::string>() << "  " << h["date"].get<std::string>() << "  "
                      << h["name"].get<std::string>() << (h["provisional"].get<bool>() ? "  (provisional)" : "")
                      << "\n";
        std::cout << j["items"].size() << " holidays in " << year << " (calendar " << j["calendar"].get<std::string>()
                  << ")\n";
        return 0;
    }
    return usage("unknown command '" + cmd + "'");
}
