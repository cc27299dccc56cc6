// src/view/customer_360.cpp - the 360 view, read in one transaction from
// every context's repository.
#include <algorithm>

#include "engine/impl.hpp"
#include "marketing/work.hpp"

namespace crm {

namespace {

constexpr std::size_t kRollupMembers = 1000;  // members one view rolls up
constexpr std::size_t kRollupItems = 100;     // deals and tickets it lists

template <class T>
void newest_first(std::vector<T>& items) {
    std::sort(items.begin(), items.end(), [](const T& a, const T& b) {
        return a.created_at.ms != b.created_at.ms ? a.created_at.ms > b.created_at.ms : b.id < a.id;
    });
    if (items.size() > kRollupItems) items.resize(kRollupItems);
}

// What an organisation's members have open and bought, read member by member.
result<MembersRollup> rollup(Transaction& tx, const std::vector<Membership>& memberships) {
    MembersRollup r;
    std::vector<Id> people;
    for (const auto& m : memberships) people.push_back(m.person);
    std::sort(people.begin(), people.end());
    people.erase(std::unique(people.begin(), people.end()), people.end());
    r.members = static_cast<std::int64_t>(people.size());
    if (people.size() > kRollupMembers) {
        people.resize(kRollupMembers);
        r.complete = false;
    }
    r.members_read = static_cast<std::int64_t>(people.size());
    for (const Id& person : people) {
        CRM_TRY(opportunities, tx.opportunities_of(person));
        for (auto& o : opportunities)
            if (o.status == "open") {
                ++r.open_opportunity_count;
                r.open_opportunities.push_back(std::move(o));
            }
        CRM_TRY(tickets, tx.tickets_of(person));
        for (auto& t : tickets)
            if (t.status == "open") {
                ++r.open_ticket_count;
                r.open_tickets.push_back(std::move(t));
            }
        CRM_TRY(sums, tx.purchase_summary(person));
        for (const auto& s : sums) {
            auto same = std::find_if(r.purchases.begin(), r.purchases.end(),
                                     [&](const PurchaseSummary& x) { return x.currency == s.currency; });
            if (same == r.purchases.end()) {
                r.purchases.push_back(s);
                continue;
            }
            same->count += s.count;
            same->total_minor += s.total_minor;
            if (s.first_at < same->first_at) same->first_at = s.first_at;
            if (same->last_at < s.last_at) same->last_at = s.last_at;
        }
        // Keep memory bounded by the lists' caps, not by the members.
        newest_first(r.open_opportunities);
        newest_first(r.open_tickets);
    }
    std::sort(r.purchases.begin(), r.purchases.end(),
              [](const PurchaseSummary& a, const PurchaseSummary& b) { return a.currency < b.currency; });
    return r;
}

}  // namespace

result<Customer360> Engine::customer_360(const Id& party, int recent_interactions) {
    if (recent_interactions < 0 || recent_interactions > 1000)
        return fail(errc::invalid_argument, "must be 0..1000", "recent_interactions");
    return impl_->read([&](Transaction& tx) -> result<Customer360> {
        Customer360 v;
        CRM_TRY(p, impl_->load_live_party(tx, party));
        v.party = std::move(p);
        const Id& id = v.party.id;
        CRM_TRY(ms, tx.memberships_of(id));
        v.memberships = std::move(ms);
        if (recent_interactions > 0) {
            CRM_TRY(page, tx.interactions(id, TimelineQuery{"", recent_interactions}));
            v.recent_interactions = std::move(page.items);
        }
        CRM_TRY(acts, tx.open_activities(id, 100));
        v.open_activities = std::move(acts);
        CRM_TRY(sums, tx.purchase_summary(id));
        v.purchases = std::move(sums);
        CRM_TRY(clv, tx.clv_score(id));
        v.clv = std::move(clv);
        CRM_TRY(merged, tx.merged_from(id));
        v.merged_ids = std::move(merged);
        CRM_TRY(opportunities, tx.opportunities_of(id));
        for (auto& o : opportunities)
            if (o.status == "open") v.open_opportunities.push_back(std::move(o));
        CRM_TRY(leads, tx.leads_of(id));
        for (auto& l : leads)
            if (l.status == "open") v.open_leads.push_back(std::move(l));
        CRM_TRY(quotes, tx.quotes_of(id));
        for (auto& q : quotes)
            if (q.status == "open") v.open_quotes.push_back(std::move(q));
        CRM_TRY(tickets, tx.tickets_of(id));
        for (auto& t : tickets) {
            if (t.csat && t.csat_at && (!v.last_csat || *t.csat_at > v.last_csat->at))
                v.last_csat = Satisfaction{t.id, *t.csat, t.csat_comment, *t.csat_at};
            if (t.status == "open") v.open_tickets.push_back(std::move(t));
        }
        CRM_TRY(nps, tx.nps_of(id, 1));
        if (!nps.empty()) v.last_nps = std::move(nps.front());
        CRM_TRY(segments, tx.segment_memberships(id, false));
        v.segments = std::move(segments);
        CRM_TRY(lists, tx.lists_of(id));
        v.lists = std::move(lists);
        CRM_TRY(loyalty, marketing::loyalty_of(*impl_, tx, id, 10));
        v.loyalty = std::move(loyalty);
        CRM_TRY(campaigns, tx.campaign_members_of(id));
        v.campaigns = std::move(campaigns);
        if (v.party.kind == PartyKind::organization) {
            CRM_TRY(members, rollup(tx, v.memberships));
            v.members = std::move(members);
        }
        return v;
    });
}

}  // namespace crm
