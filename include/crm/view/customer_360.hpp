// crm/view/customer_360.hpp - the 360 view: everything the organisation
// knows about one party, gathered from every context in one read. It is a
// read model of its own, above the contexts it gathers: customer, sales,
// service and marketing each know nothing of it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "crm/customer/party.hpp"
#include "crm/customer/purchase.hpp"
#include "crm/customer/timeline.hpp"
#include "crm/marketing/campaign.hpp"
#include "crm/marketing/loyalty.hpp"
#include "crm/marketing/segment.hpp"
#include "crm/sales/lead.hpp"
#include "crm/sales/opportunity.hpp"
#include "crm/sales/quote.hpp"
#include "crm/service/ticket.hpp"

namespace crm {

/// A satisfaction answer on a ticket (CSAT, 1..5).
struct Satisfaction {
    Id ticket;
    int score = 0;
    std::string comment;
    Timestamp at;
};

/// What an organisation's members (the people linked to it) have open and
/// bought, rolled up into its 360 view.
struct MembersRollup {
    std::int64_t members = 0;  ///< people linked to the organisation
    /// Members rolled up: all of them, or the first 1,000 by id (`complete`
    /// false) so that one view of a huge organisation stays bounded.
    std::int64_t members_read = 0;
    bool complete = true;
    std::int64_t open_opportunity_count = 0;
    std::vector<Opportunity> open_opportunities;  ///< newest first, at most 100
    std::int64_t open_ticket_count = 0;
    std::vector<Ticket> open_tickets;             ///< newest first, at most 100
    std::vector<PurchaseSummary> purchases;       ///< the members' purchases, one per currency
};

/// Everything the organisation knows about one party, in one call.
struct Customer360 {
    Party party;
    std::vector<Membership> memberships;  ///< organisations of a person, members of an organisation
    std::vector<Interaction> recent_interactions;  ///< newest first
    std::vector<Activity> open_activities;         ///< soonest due first
    std::vector<PurchaseSummary> purchases;        ///< one per currency
    std::optional<ClvScore> clv;                   ///< its lifetime value, once a run scored it
    std::vector<Id> merged_ids;                    ///< parties merged into this one
    std::vector<Opportunity> open_opportunities;   ///< newest first
    std::vector<Lead> open_leads;                  ///< newest first
    std::vector<Quote> open_quotes;                ///< draft or active, newest first
    std::vector<Ticket> open_tickets;              ///< status open, newest first
    std::optional<Satisfaction> last_csat;         ///< the latest CSAT answer on its tickets
    std::optional<NpsResponse> last_nps;           ///< its latest NPS answer
    std::vector<SegmentMembership> segments;       ///< tracked segments it is in, by id
    std::vector<std::string> lists;                ///< static lists it is on, by id
    std::vector<LoyaltyStatus> loyalty;            ///< programmes it belongs to, with 10 latest entries
    std::vector<CampaignMember> campaigns;         ///< campaigns it was a member of, by campaign id
    /// An organisation's members' open deals, open tickets and purchases;
    /// empty for a person.
    std::optional<MembersRollup> members;
};

}  // namespace crm
