// crm/sales/lead.hpp - leads (سرنخ): demand captured from any source and
// channel, qualified on a process definition, scored by rules, and
// converted into a party (and optionally an opportunity).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/id.hpp"
#include "crm/core/money.hpp"
#include "crm/core/time.hpp"
#include "crm/core/value.hpp"

namespace crm {

/// One scoring rule that held for a lead, and what it gave.
struct ScoreLine {
    std::string rule;
    int points = 0;
    friend bool operator==(const ScoreLine&, const ScoreLine&) = default;
};

struct Lead {
    Id id;
    std::string external_id;  ///< the host's key (a form submission id); optional, unique
    /// Where it came from: web_form, chatbot, call, email, import, event,
    /// partner, or a host-defined word.
    std::string source;
    std::string channel;   ///< the channel of first contact ("sms", "instagram", ...)
    std::string campaign;  ///< campaign reference (attribution)
    std::string first_name, last_name, company, job_title;
    std::string email;        ///< normalised
    std::string phone;        ///< E.164
    std::string national_id;  ///< normalised
    std::string city;
    std::string interest;     ///< what they asked about
    std::string note;
    std::string owner;
    std::string process;      ///< the qualification definition ("lead", built in)
    int process_version = 0;
    std::string state;        ///< new, contacted, qualified, converted, disqualified, ...
    std::string status;       ///< the state's category: open, won (converted), lost (disqualified)
    std::string disqualify_reason;  ///< lost, cannot_contact, no_longer_interested, cancelled, or the host's
    int score = 0;
    std::vector<ScoreLine> score_lines;  ///< why the score is what it is
    Id party;         ///< the party it belongs to (known at capture, or made by conversion)
    Id organization;  ///< the organisation conversion found or made for `company`
    Id opportunity;   ///< the opportunity conversion made
    CustomValues custom;
    Timestamp created_at;
    Timestamp updated_at;
    std::optional<Timestamp> converted_at;
    std::int64_t version = 1;
};

/// The fields to set on a lead; unset ones are left as they are. A new
/// lead needs a name (first, last or company) and a way to reach it
/// (e-mail or phone).
struct LeadInput {
    std::optional<std::string> external_id, source, channel, campaign, first_name, last_name,
        company, job_title, email, phone, national_id, city, interest, note, owner;
    std::optional<Id> party;
    CustomValues custom;
    std::string process;  ///< create only; empty: "lead"
};

/// What conversion should make besides the party.
struct ConvertOptions {
    bool create_opportunity = false;
    std::string opportunity_name;      ///< default: the lead's interest, else "<name> opportunity"
    std::string pipeline;              ///< default "sales"
    std::optional<Money> amount;
    std::string owner;                 ///< default: the lead's owner
};

/// What conversion did. Converting again answers the first result with
/// `already_converted` set and changes nothing.
struct Conversion {
    Id party;
    bool party_created = false;
    std::vector<std::string> matched_by;  ///< "email", "phone", "national_id" when it found one
    Id organization;
    bool organization_created = false;
    Id opportunity;
    bool already_converted = false;
};

}  // namespace crm
