// crm/customer/view.hpp - the read side of the customer context: the 360
// view, search, duplicate candidates and the merge survivorship rules.
#pragma once

#include <map>
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

/// Everything the organisation knows about one party, in one call.
struct Customer360 {
    Party party;
    std::vector<Membership> memberships;  ///< organisations of a person, members of an organisation
    std::vector<Interaction> recent_interactions;  ///< newest first
    std::vector<Activity> open_activities;         ///< soonest due first
    std::vector<PurchaseSummary> purchases;        ///< one per currency
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
};

/// Search: `text` is matched against external_id, national id, e-mail,
/// phone (any spelling), and the normalised name (prefix, then contains);
/// `tag` filters by tag. Results are ordered by match strength, then name.
/// A search: by `text` (external id, national id, e-mail, phone in any
/// spelling, then name prefix, then name contains), or by `tag`, or both
/// (the text's matches that carry the tag). Hits come in that order of
/// match strength, each party once; `offset` and `limit` page them.
struct SearchQuery {
    std::string text;
    std::string tag;
    int limit = 20;   ///< 1..1000
    int offset = 0;   ///< 0..limits::search_window - limit
};

struct SearchHit {
    Id id;
    PartyKind kind = PartyKind::person;
    std::string external_id;
    std::string display_name;
    std::string city;
    std::string matched;  ///< "external_id", "national_id", "email", "phone", "name_prefix", "name_contains", "tag"
};

/// A field a duplicate rule compares.
enum class MatchField { phone, email, national_id, name, city, organization };
CRM_API const char* to_string(MatchField) noexcept;
CRM_API result<MatchField> parse_match_field(std::string_view s, std::string_view field = "field");

/// One condition of a rule: the field is equal (min_similarity 1) or at
/// least that similar (names, by normalised Jaro-Winkler; word order free).
struct MatchCondition {
    MatchField field = MatchField::name;
    double min_similarity = 1.0;
};

/// A duplicate rule: when all conditions hold, the pair scores `score`.
struct MatchRule {
    std::string name;
    std::vector<MatchCondition> all_of;
    double score = 0.5;
};

struct DuplicateOptions {
    /// Empty: the built-in rules (same national id, same phone, same
    /// e-mail, similar name in the same city or organisation).
    std::vector<MatchRule> rules;
    /// Pairs below this score are left out. The built-in "similar name in
    /// the same city" rule scores 0.6: lower min_score to 0.6 to review those.
    double min_score = 0.7;
    int limit = 1000;
};

/// A candidate pair: both parties, the best score, and every rule that held.
struct DuplicatePair {
    Id a;
    Id b;
    std::string a_external_id;
    std::string b_external_id;
    double score = 0;
    std::vector<std::string> reasons;
};

/// Which side's value a merge keeps for a field.
enum class Survivorship {
    survivor,  ///< the survivor's, or the merged party's when the survivor's is empty
    merged,    ///< the merged party's when non-empty
    newest,    ///< from the party updated most recently, when non-empty
};

CRM_API const char* to_string(Survivorship) noexcept;
CRM_API result<Survivorship> parse_survivorship(std::string_view s, std::string_view field = "rule");

/// Field-level survivorship for merge. Fields: first_name, last_name,
/// organization_name, national_id, lifecycle_stage, owner, city, country,
/// external_id and "custom.NAME". Tags and contact points are united.
struct MergeRules {
    Survivorship default_rule = Survivorship::survivor;
    std::map<std::string, Survivorship> fields;
};

}  // namespace crm
