// src/view/codec.cpp - the 360 view as JSON, and its public text form.
#include "view/codec.hpp"

#include "crm/view/json.hpp"

#include "customer/codec.hpp"
#include "marketing/codec.hpp"
#include "sales/codec.hpp"
#include "service/codec.hpp"

namespace crm::codec {

namespace {
json rollup_json(const Customer360& v) {
    if (!v.members) return nullptr;
    const MembersRollup& r = *v.members;
    json opps = json::array(), tickets = json::array(), purchases = json::array();
    for (const auto& o : r.open_opportunities) opps.push_back(to_json(o));
    for (const auto& t : r.open_tickets) tickets.push_back(to_json(t));
    for (const auto& p : r.purchases) purchases.push_back(to_json(p));
    return {{"members", r.members},
            {"members_read", r.members_read},
            {"complete", r.complete},
            {"open_opportunity_count", r.open_opportunity_count},
            {"open_opportunities", std::move(opps)},
            {"open_ticket_count", r.open_ticket_count},
            {"open_tickets", std::move(tickets)},
            {"purchases", std::move(purchases)}};
}

json satisfaction_json(const Customer360& v) {
    if (!v.last_csat) return nullptr;
    return {{"ticket", to_json(v.last_csat->ticket)}, {"score", v.last_csat->score},
            {"comment", v.last_csat->comment}, {"at", time_json(v.last_csat->at)}};
}
}  // namespace

std::string view_part_json(const Customer360& v, std::string_view which) {
    json a = json::array();
    const auto add = [&a](const auto& items) {
        for (const auto& x : items) a.push_back(to_json(x));
    };
    if (which == "open_opportunities") add(v.open_opportunities);
    else if (which == "open_leads") add(v.open_leads);
    else if (which == "open_quotes") add(v.open_quotes);
    else if (which == "open_tickets") add(v.open_tickets);
    else if (which == "last_csat") a = satisfaction_json(v);
    else if (which == "last_nps") a = v.last_nps ? to_json(*v.last_nps) : json(nullptr);
    else if (which == "clv") a = v.clv ? to_json(*v.clv) : json(nullptr);
    else if (which == "segments") add(v.segments);
    else if (which == "lists") a = v.lists;
    else if (which == "loyalty") add(v.loyalty);
    else if (which == "campaigns") add(v.campaigns);
    else if (which == "members") a = rollup_json(v);
    return a.dump(-1, ' ', false, json::error_handler_t::replace);
}

json to_json(const Customer360& v) {
    json out = {{"party", to_json(v.party)}};
    auto list = [](const auto& items) {
        json a = json::array();
        for (const auto& x : items) a.push_back(to_json(x));
        return a;
    };
    out["memberships"] = list(v.memberships);
    out["recent_interactions"] = list(v.recent_interactions);
    out["open_activities"] = list(v.open_activities);
    out["purchases"] = list(v.purchases);
    out["clv"] = v.clv ? to_json(*v.clv) : json(nullptr);
    json merged = json::array();
    for (const auto& id : v.merged_ids) merged.push_back(id.str());
    out["merged_ids"] = merged;
    out["open_opportunities"] = list(v.open_opportunities);
    out["open_leads"] = list(v.open_leads);
    out["open_quotes"] = list(v.open_quotes);
    out["open_tickets"] = list(v.open_tickets);
    out["last_csat"] = satisfaction_json(v);
    out["last_nps"] = v.last_nps ? to_json(*v.last_nps) : json(nullptr);
    out["segments"] = list(v.segments);
    out["lists"] = v.lists;
    out["loyalty"] = list(v.loyalty);
    out["campaigns"] = list(v.campaigns);
    out["members"] = rollup_json(v);
    return out;
}

}  // namespace crm::codec

namespace crm::json {

std::string to_json(const Customer360& v) {
    return codec::to_json(v).dump(-1, ' ', false, codec::json::error_handler_t::replace);
}

}  // namespace crm::json
