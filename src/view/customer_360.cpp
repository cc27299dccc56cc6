// src/view/customer_360.cpp - the 360 view, read in one transaction from
// every context's repository.
#include "engine/impl.hpp"
#include "marketing/work.hpp"

namespace crm {

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
        return v;
    });
}

}  // namespace crm
