// examples/crmctl/analytics.cpp - "clv fit|score|show": customer lifetime
// value fitted on the stored purchases; "funnel": a process's stages;
// "cohorts": retention and churn (docs/ANALYTICS.md).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli.hpp"

namespace crmctl {

namespace {

// The request of analytics.clv.fit and .score from the options given.
crm::result<json> clv_request(const Args& a) {
    json r = json::object();
    if (!a.calibration_end.empty()) r["calibration_end"] = a.calibration_end;
    if (!a.currency.empty()) r["currency"] = a.currency;
    if (!a.unit.empty()) r["unit"] = a.unit;
    if (!a.model.empty()) r["model"] = a.model;
    if (!a.time_zone.empty()) r["time_zone"] = a.time_zone;
    if (a.horizon > 0) r["horizon"] = a.horizon;
    if (a.discount >= 0) r["annual_discount_rate"] = a.discount;
    return r;
}

std::string fixed(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return buf;
}

void print_model(const json& m) {
    std::cout << "  " << m["model"].get<std::string>() << " (" << m["customers"].get<long long>()
              << " customers, log-likelihood " << fixed(m["log_likelihood"].get<double>(), 1)
              << ", " << m["evaluations"].get<int>() << " evaluations)\n";
    for (const auto& p : m["parameters"]) {
        std::cout << "    " << p["name"].get<std::string>() << " = "
                  << fixed(p["value"].get<double>(), 4);
        if (!p["std_error"].is_null())
            std::cout << "  (s.e. " << fixed(p["std_error"].get<double>(), 4) << ")";
        std::cout << "\n";
    }
}

void print_fit(const json& f) {
    std::cout << f["customers"].get<long long>() << " customers ("
              << f["repeat_customers"].get<long long>() << " repeat), "
              << f["purchases_read"].get<long long>() << " purchases in "
              << f["currency"].get<std::string>() << ", calibration to "
              << f["calibration_end"].get<std::string>().substr(0, 10) << ", in "
              << f["unit"].get<std::string>() << "\n";
    print_model(f["purchase_model"]);
    print_model(f["spend_model"]);
}

}  // namespace

int clv(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    const std::string verb = p[1];
    if ((verb == "fit" || verb == "score") && p.size() == 3) {
        auto request = clv_request(a);
        if (!request) return failed(request.error());
        const std::string method = verb == "fit" ? "analytics.clv.fit" : "analytics.clv.score";
        if (a.json) return print_json(engine, method, request.value());
        auto answer = engine.execute(method, request.value().dump());
        if (!answer) return failed(answer.error());
        const json out = json::parse(answer.value());
        if (verb == "fit") {
            print_fit(out);
        } else {
            print_fit(out["fit"]);
            const auto& total = out["total_value"];
            std::cout << "scored " << out["scored"].get<long long>() << " parties; total value "
                      << total["minor"].get<long long>() << " " << total["currency"].get<std::string>()
                      << " (minor units)\n";
        }
        return 0;
    }
    if (verb == "show" && p.size() == 4) {
        auto party = engine.find_party(p[3]);
        if (!party) return failed(party.error());
        const json request = {{"party", party.value().id.str()}};
        if (a.json) return print_json(engine, "analytics.clv.get", request);
        auto answer = engine.execute("analytics.clv.get", request.dump());
        if (!answer) return failed(answer.error());
        const json s = json::parse(answer.value())["score"];
        if (s.is_null()) {
            std::cout << "no lifetime value stored for " << p[3] << " (run clv score)\n";
            return 0;
        }
        std::cout << "value " << s["value"]["minor"].get<long long>() << " "
                  << s["value"]["currency"].get<std::string>() << " over "
                  << fixed(s["horizon_days"].get<double>(), 0) << " days, P(alive) "
                  << fixed(s["p_alive"].get<double>(), 3) << ", expected purchases "
                  << fixed(s["expected_purchases"].get<double>(), 3) << " (" << s["model"].get<std::string>()
                  << ", " << s["computed_at"].get<std::string>().substr(0, 10) << ")\n";
        return 0;
    }
    return usage("clv takes fit|score DB [options] or show DB PARTY");
}

namespace {

std::string percent(const json& proportion) {
    return fixed(100 * proportion["value"].get<double>(), 1) + "%";
}

std::string days(const json& d) { return d.is_null() ? "-" : fixed(d.get<double>(), 1); }

// Pads `text` to `width` characters (code points, so Persian labels line up).
std::string pad(const std::string& text, std::size_t width) {
    std::size_t chars = 0;
    for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
    return chars >= width ? text + " " : text + std::string(width - chars, ' ');
}

std::string right(const std::string& text, std::size_t width) {
    return text.size() >= width ? " " + text : std::string(width - text.size(), ' ') + text;
}

}  // namespace

int funnel(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    if (p.size() > 3) return usage("funnel takes DB [PROCESS]");
    json r = {{"process", p.size() == 3 ? p[2] : "sales"}};
    if (!a.period.empty()) r["period"] = a.period;
    r["calendar"] = a.calendar;
    if (!a.time_zone.empty()) r["time_zone"] = a.time_zone;
    if (!a.basis.empty()) r["basis"] = a.basis;
    if (!a.order.empty()) r["order"] = a.order;
    if (!a.owner.empty()) r["owner"] = a.owner;
    if (!a.team.empty()) r["team"] = a.team;
    if (!a.source.empty()) r["source"] = a.source;
    if (!a.campaign.empty()) r["campaign"] = a.campaign;
    if (!a.group_by.empty()) r["group_by"] = a.group_by;
    if (a.json) return print_json(engine, "analytics.funnel", r);
    auto answer = engine.execute("analytics.funnel", r.dump());
    if (!answer) return failed(answer.error());
    const json f = json::parse(answer.value());
    std::cout << "funnel of " << f["process"].get<std::string>() << " v" << f["version"].get<int>() << " ("
              << f["record_type"].get<std::string>() << " records"
              << (f["period"].is_null() ? std::string(", all time") : ", " + f["period"].get<std::string>())
              << ", " << f["basis"].get<std::string>() << " basis, " << f["order"].get<std::string>()
              << " order): " << f["records"].get<long long>() << " records, won " << percent(f["won"]) << " ["
              << percent(json{{"value", f["won"]["low"]}}) << ", " << percent(json{{"value", f["won"]["high"]}})
              << "]\n";
    std::cout << "  " << pad("stage", 14) << right("entered", 8) << right("on", 7) << right("back", 6)
              << right("closed", 7) << right("now", 7) << right("conv.", 8) << right("cumul.", 8)
              << right("median", 8) << right("p90", 7) << right("expect", 8) << "\n";
    for (const auto& s : f["stages"]) {
        long long closed = 0;
        for (const auto& [state, n] : s["closed"].items()) closed += n.get<long long>();
        std::cout << "  " << pad(s["state"].get<std::string>(), 14) << right(std::to_string(s["entered"].get<long long>()), 8)
                  << right(std::to_string(s["moved_on"].get<long long>()), 7)
                  << right(std::to_string(s["moved_back"].get<long long>()), 6) << right(std::to_string(closed), 7)
                  << right(std::to_string(s["still_in"].get<long long>()), 7)
                  << right(percent(s["conversion"]) + (s["conversion"]["too_few"].get<bool>() ? "*" : ""), 8)
                  << right(percent(s["cumulative"]), 8) << right(days(s["median_days"]), 8)
                  << right(days(s["p90_days"]), 7) << right(days(s["expected_days"]), 8)
                  << (s["bottleneck"].get<bool>() ? "  bottleneck" : "") << "\n";
    }
    std::cout << "  (days in the stage: median and p90 of finished stays; * fewer records than a rate "
                 "needs)\n";
    if (!f["filters"].empty()) {
        std::cout << "  only";
        for (const auto& [dimension, value] : f["filters"].items())
            std::cout << " " << dimension << "=" << value.get<std::string>();
        std::cout << ": " << f["records"].get<long long>() << " of " << f["whole_records"].get<long long>()
                  << " records";
        if (!f["versus_rest"].is_null()) {
            const auto& t = f["versus_rest"];
            std::cout << "; won " << percent(t["a"]) << " against the rest's " << percent(t["b"]) << ", p = "
                      << fixed(t["p_value"].get<double>(), 3) << " (" << t["method"].get<std::string>() << ")"
                      << (t["significant"].get<bool>() ? ", significant" : ", not significant");
        }
        std::cout << "\n";
    }
    for (const auto& g : f["groups"])
        std::cout << "  " << f["group_by"].get<std::string>() << " "
                  << pad(g["value"].get<std::string>().empty() ? "(none)" : g["value"].get<std::string>(), 14)
                  << right(std::to_string(g["records"].get<long long>()), 7) << " records, won "
                  << percent(g["won"]) << (g["won"]["too_few"].get<bool>() ? "*" : "") << "\n";
    return 0;
}

int cohorts(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    if (p.size() != 2) return usage("cohorts takes DB");
    json r = {{"unit", a.unit.empty() ? "month" : a.unit}, {"calendar", a.calendar}};
    if (!a.time_zone.empty()) r["time_zone"] = a.time_zone;
    if (!a.since.empty()) r["since"] = a.since;
    if (!a.as_of.empty()) r["as_of"] = a.as_of;
    if (!a.currency.empty()) r["currency"] = a.currency;
    if (a.churn_after > 0) r["churn_after"] = a.churn_after;
    if (a.json) return print_json(engine, "analytics.cohorts", r);
    auto answer = engine.execute("analytics.cohorts", r.dump());
    if (!answer) return failed(answer.error());
    const json c = json::parse(answer.value());
    std::cout << "cohorts by " << c["unit"].get<std::string>() << " of first purchase ("
              << c["calendar"].get<std::string>() << "), as of " << c["as_of_period"].get<std::string>() << ": "
              << c["customers"].get<long long>() << " customers, "
              << c["purchases_read"].get<long long>() << " purchases"
              << (c["currency"].is_null() ? std::string() : " in " + c["currency"].get<std::string>()) << "\n";
    if (c["rows"].empty()) return 0;
    std::cout << "  retained (share of the cohort buying in each later period; the last is in progress, "
                 "blank the future)\n  "
              << pad("cohort", 9) << right("size", 7);
    const std::size_t columns = c["rows"][0]["cells"].size();
    for (std::size_t o = 0; o < columns; ++o) std::cout << right("+" + std::to_string(o), 7);
    std::cout << "\n";
    for (const auto& row : c["rows"]) {
        std::cout << "  " << pad(row["period"].get<std::string>(), 9)
                  << right(std::to_string(row["customers"].get<long long>()), 7);
        for (const auto& cell : row["cells"])
            std::cout << right(cell.is_null() ? "" : percent(cell["retained"]), 7);
        std::cout << "\n";
    }
    if (c["churn"].empty()) return 0;
    std::cout << "  churn (lapsed: no purchase in " << c["churn_after"].get<int>() << " periods)\n  "
              << pad("period", 9) << right("active", 8) << right("new", 7) << right("back", 7)
              << right("lapsed", 8) << right("active", 8) << right("churn", 8) << "\n";
    for (const auto& row : c["churn"])
        std::cout << "  " << pad(row["period"].get<std::string>(), 9)
                  << right(std::to_string(row["active_at_start"].get<long long>()), 8)
                  << right(std::to_string(row["new_customers"].get<long long>()), 7)
                  << right(std::to_string(row["returned"].get<long long>()), 7)
                  << right(std::to_string(row["churned"].get<long long>()), 8)
                  << right(std::to_string(row["active_at_end"].get<long long>()), 8)
                  << right(percent(row["churn_rate"]), 8) << "\n";
    return 0;
}

int dashboard(crm::Engine& engine, const std::vector<std::string>& p, const Args& a) {
    if (p.size() != 2) return usage("dashboard takes DB --out FILE.html (or --json)");
    if (a.out.empty() && !a.json) return usage("dashboard needs --out FILE.html (or --json)");
    json r = {{"calendar", a.calendar_given ? a.calendar : "jalali"}};
    if (!a.period.empty()) r["period"] = a.period;
    if (!a.time_zone.empty()) r["time_zone"] = a.time_zone;
    if (!a.currency.empty()) r["currency"] = a.currency;
    if (a.churn_after > 0) r["churn_after"] = a.churn_after;
    if (!a.role.empty()) r["role"] = a.role;
    if (!a.user.empty()) r["user"] = a.user;
    if (a.json) return print_json(engine, "analytics.dashboard", r);
    const std::string& file = a.out;
    if (!a.overwrite && std::filesystem::exists(file))
        return failed(crm::fail(crm::errc::conflict, file + " exists; add --overwrite to replace it", "file"));
    r["format"] = "html";
    if (!a.lang.empty()) r["language"] = a.lang;
    auto answer = engine.execute("analytics.dashboard", r.dump());
    if (!answer) return failed(answer.error());
    const std::string html = json::parse(answer.value())["html"].get<std::string>();
    // Written beside the file and renamed, so a failed write leaves no half page.
    const std::string part = file + ".part";
    {
        std::ofstream out(part, std::ios::binary | std::ios::trunc);
        out << html;
        out.close();
        if (!out) {
            std::filesystem::remove(part);
            return failed(crm::fail(crm::errc::storage, "cannot write " + part, "file"));
        }
    }
    std::error_code ec;
    std::filesystem::rename(part, file, ec);
    if (ec) {
        std::filesystem::remove(part);
        return failed(crm::fail(crm::errc::storage, "cannot write " + file + ": " + ec.message(), "file"));
    }
    std::cout << "dashboard" << (a.period.empty() ? std::string(" of this quarter") : " of " + a.period)
              << " written to " << file << " (" << html.size() << " bytes)\n";
    return 0;
}

int analytics_story(crm::Engine& engine, const crm::Id& party) {
    // The sample's orders end on 2025-06-30 and were generated from the
    // BG/NBD and Gamma-Gamma models: the fit should find their parameters.
    std::cout << "\n-- customer lifetime value: BG/NBD and Gamma-Gamma fitted on the orders to 2025-06-30\n";
    Args a;
    a.calibration_end = "2025-06-30";
    a.horizon = 52;
    a.discount = 0.3;
    std::vector<std::string> score = {"clv", "score", ""};
    if (int rc = clv(engine, score, a)) return rc;
    if (!party.is_nil()) {
        std::cout << "   the customer above: ";
        std::vector<std::string> show = {"clv", "show", "", party.str()};
        if (int rc = clv(engine, show, Args{})) return rc;
    }
    crm::Marketing mk(engine);
    auto defined = mk.define_segment(
        kCli, R"({"id": "at-risk-valuable", "kind": "dynamic", "track": false,
                  "rule": "clv.p_alive < 0.5 and purchases.count >= 3"})");
    if (!defined) return failed(defined.error());
    auto n = mk.count(kCli, "at-risk-valuable");
    if (!n) return failed(n.error());
    std::cout << "   segment at-risk-valuable (clv.p_alive < 0.5 and purchases.count >= 3): "
              << n.value() << " parties\n";

    std::cout << "\n-- cohorts: customers by the Jalali quarter of their first purchase, from 1403\n";
    Args c;
    c.unit = "quarter";
    c.calendar = "jalali";
    c.since = "1403";
    c.as_of = "2025-06-30";
    if (int rc = cohorts(engine, {"cohorts", ""}, c)) return rc;
    std::cout << "\n-- the funnel of the sales pipeline\n";
    return funnel(engine, {"funnel", ""}, Args{});
}

}  // namespace crmctl
