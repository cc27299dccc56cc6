// crm/marketing/campaign.hpp - campaigns (کمپین) from definition to result:
// the record on its lifecycle, its members and their statuses, the
// throttled delivery plan the host executes, and the report.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "crm/analytics/stats.hpp"
#include "crm/core/error.hpp"
#include "crm/core/id.hpp"
#include "crm/core/money.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// What the host reports of a member. The first six form a funnel: a
/// later one implies the earlier ones (a click was opened, delivered, sent).
enum class MemberStatus { sent, delivered, opened, clicked, responded, converted, bounced, unsubscribed };
inline constexpr int kMemberStatusCount = 8;
CRM_API const char* to_string(MemberStatus) noexcept;
CRM_API result<MemberStatus> parse_member_status(std::string_view s,
                                                 std::string_view field = "status");

/// At most `max` campaign messages to a party in `days` days, across
/// campaigns: a party over the cap when a campaign launches is left out.
struct FrequencyCap {
    int max = 0;
    int days = 0;
};

/// A share of the members for an A/B test, in percent.
struct CampaignVariant {
    std::string id;
    int share = 0;
};

/// A campaign. JSON form (docs/MARKETING.md):
///
///     {"external_id": "C-1405-01", "name": "Win-back 1405", "parent": "...",
///      "channels": ["sms", "email"], "segments": ["lapsed-vip"], "suppressions": ["dnc"],
///      "frequency_cap": {"max": 2, "days": 7},
///      "responded_statuses": ["clicked", "responded", "converted"],
///      "variants": [{"id": "a", "share": 50}, {"id": "b", "share": 50}], "seed": 1405,
///      "budget": {"minor": 5000000000, "currency": "IRR"}, "expected_revenue": {...},
///      "expected_responses": 300,
///      "messages": {"sms": "{salutation} {last_name} عزیز، جشنواره تابستان آغاز شد"}}
///
/// Channels are consent channels: email, sms, call, whatsapp. `messages`
/// holds a template per channel of the campaign (crm::sms::render): its
/// fields are a member's first_name, last_name, name (the display name),
/// city and any custom field declared for parties (a salutation such as
/// جناب آقای or سرکار خانم is one); a custom field a member has no value
/// for is empty. The parts of the sms channel's message are counted per
/// member when the delivery is planned.
struct Campaign {
    Id id;
    std::string external_id, name, description;
    Id parent;
    std::vector<std::string> channels;
    std::vector<std::string> segments;      ///< the audience: members of any of these
    std::vector<std::string> suppressions;  ///< suppression segments taken away
    std::optional<FrequencyCap> frequency_cap;
    std::vector<MemberStatus> responded_statuses = {MemberStatus::responded, MemberStatus::converted};
    std::vector<CampaignVariant> variants;  ///< empty: one group
    std::uint64_t seed = 0;
    std::optional<Money> budget, actual_cost, expected_revenue;
    std::int64_t expected_responses = 0;
    std::map<std::string, std::string> messages;  ///< channel -> template
    std::string process;  ///< "campaign" unless another is named
    int process_version = 0;
    std::string state, status;  ///< proposed, ready, launched, suspended, completed, cancelled
    Timestamp state_entered_at;
    std::int64_t members = 0;   ///< set at launch
    std::optional<Timestamp> launched_at;
    Timestamp created_at, updated_at;
    std::int64_t version = 0;
};

/// One party in a launched campaign: its group, the channel and address it
/// is reached on, when each status was first reported, and the delivery
/// batch that handed it to the host.
struct CampaignMember {
    Id campaign;
    Id party;
    std::string variant, channel, address;
    std::array<std::optional<Timestamp>, kMemberStatusCount> at;
    std::int64_t batch = 0;  ///< 0 until handed over; -1: reported on outside any plan
    std::optional<Timestamp> dispatched_at;
};

/// How a delivery plan throttles. Windows start at `start` (now when
/// unset) and last `window_minutes`; each channel sends at most its rate
/// per window (`default_rate` for channels not named); with a calendar,
/// only windows that start in its working time are used (quiet hours, days
/// off and holidays skipped).
struct PlanOptions {
    std::optional<Timestamp> start;
    int window_minutes = 60;
    std::map<std::string, std::int64_t> rate_per_window;
    std::int64_t default_rate = 1000;
    std::string calendar;  ///< a stored business calendar, "default", or "" for any time
    /// What one SMS part costs, for the plan's budget: the key is "sms"
    /// (the only channel whose messages are counted in parts).
    std::map<std::string, Money> cost_per_part;
};

/// One batch: up to the channel's rate of members, to send from `send_at`.
/// Its members are the campaign's undispatched members on `channel` whose
/// ids are in (after, last], in id order.
struct DeliveryBatch {
    int number = 0;
    std::string channel;
    Timestamp send_at;
    std::int64_t count = 0;
    Id after, last;
    std::int64_t parts = 0;  ///< SMS parts of its members' messages; 0 without a message
};

/// What a channel's messages of a plan come to: each member's message
/// rendered and counted in parts (crm::sms::count_parts), and with a cost
/// per part, their cost.
struct PlannedMessages {
    std::string channel;
    std::int64_t messages = 0;
    std::int64_t parts = 0;
    std::int64_t most_parts = 0;  ///< the longest member's message
    std::int64_t ucs2 = 0;        ///< messages sent as UCS-2 (any Persian letter)
    std::optional<Money> cost_per_part, cost;
};

/// A delivery plan: every member not yet handed to the host, in batches,
/// but those the campaign's frequency cap holds back now. Planning again
/// (after a pause or a failure) plans only the members no batch has handed
/// over (and none the host reported a status of), so nobody is sent twice.
struct DeliveryPlan {
    Id campaign;
    int number = 0;  ///< 1, 2, ... per campaign
    Timestamp created_at;
    std::int64_t members = 0;    ///< planned
    std::int64_t held_back = 0;  ///< left for a later plan: over the frequency cap now
    std::vector<DeliveryBatch> batches;
    std::vector<PlannedMessages> messages;  ///< the sms channel's, when the campaign has a message for it
};

/// Figures of a campaign (or of one A/B group).
struct CampaignFigures {
    std::int64_t members = 0;
    std::array<std::int64_t, kMemberStatusCount> statuses{};  ///< members that reached each status
    std::int64_t responded = 0;  ///< members with a status that counts as responded
    double response_rate = 0;    ///< responded / members
    std::int64_t leads = 0, converted_leads = 0, opportunities = 0, won_opportunities = 0;
    std::int64_t won_revenue_minor = 0;
};

/// The campaign report: figures overall and per group, attribution, cost.
struct CampaignReport {
    Id campaign;
    std::string currency;            ///< of the money figures
    CampaignFigures total;
    std::map<std::string, CampaignFigures> variants;
    /// Won revenue of the members' opportunities credited to this campaign
    /// because it touched them first, or last, before the deal was created.
    std::int64_t first_touch_revenue_minor = 0, last_touch_revenue_minor = 0;
    std::int64_t actual_cost_minor = 0;
    std::optional<std::int64_t> cost_per_lead_minor;  ///< none without leads
    std::optional<double> roi;  ///< (won revenue - actual cost) / actual cost; none without a cost
    std::vector<Id> children;   ///< rolled up into `total`
    /// With A/B groups: the first two (in id order) compared by their
    /// response rates (a z-test, or Fisher's exact test for small counts,
    /// at the 0.05 level); none while either group has no member.
    std::string group_a, group_b;
    std::optional<analytics::ProportionTest> ab;
};

}  // namespace crm
