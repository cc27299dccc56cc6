// examples/crmctl/analytics.cpp - "clv fit|score|show": customer lifetime
// value fitted on the stored purchases (docs/ANALYTICS.md).
#include <cmath>
#include <cstdio>

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
    return 0;
}

}  // namespace crmctl
