// crm/service/ticket.hpp - service tickets (تیکت، مورد خدماتی): a request,
// complaint, warranty claim or return of a party, worked in a queue on a
// process definition, with comments, attachment metadata and the SLA
// clocks of its policy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crm/core/id.hpp"
#include "crm/core/time.hpp"
#include "crm/core/value.hpp"
#include "crm/customer/timeline.hpp"
#include "crm/service/sla.hpp"

namespace crm {

/// What a ticket is about. A ticket of type T runs on the process
/// "ticket_<T>" when one is stored (ticket_return, ticket_warranty_claim);
/// the rest on the built-in "ticket".
enum class TicketType {
    question,
    request,
    incident,
    complaint,       ///< شکایت
    warranty_claim,  ///< ادعای گارانتی
    return_request,  ///< "return": مرجوعی (RMA)
    recall,          ///< a recall case (فراخوان)
    field_service,   ///< a visit on site
};
enum class TicketPriority { low, normal, high, urgent };

/// "question", "request", "incident", "complaint", "warranty_claim",
/// "return", "recall", "field_service".
CRM_API const char* to_string(TicketType t) noexcept;
/// "low", "normal", "high", "urgent".
CRM_API const char* to_string(TicketPriority p) noexcept;
CRM_API result<TicketType> parse_ticket_type(std::string_view s, std::string_view field = "type");
CRM_API result<TicketPriority> parse_ticket_priority(std::string_view s,
                                                     std::string_view field = "priority");

/// A file attached to a comment; the host keeps the bytes.
struct Attachment {
    std::string name;        ///< file name, required
    std::int64_t size = 0;   ///< bytes, >= 0
    std::string sha256;      ///< 64 lowercase hex digits, required
    std::string media_type;  ///< "image/png"; optional
    friend bool operator==(const Attachment&, const Attachment&) = default;
};

/// Who wrote a comment: an agent's public comment is a response (it stops
/// the first- and next-response clocks); a customer's public comment on an
/// open ticket that had its first response starts a next-response clock
/// when the policy has one and none is running.
enum class AuthorKind { agent, customer };
CRM_API const char* to_string(AuthorKind k) noexcept;
CRM_API result<AuthorKind> parse_author_kind(std::string_view s,
                                             std::string_view field = "author_kind");

struct TicketComment {
    Id id;
    Id ticket;
    bool is_public = true;  ///< false: internal, never on the customer portal
    AuthorKind author_kind = AuthorKind::agent;
    std::string author;     ///< the context's actor
    std::string body;       ///< at most 64 KiB
    std::vector<Attachment> attachments;
    Timestamp at;
};

struct CommentInput {
    bool is_public = true;
    AuthorKind author_kind = AuthorKind::agent;
    std::string body;  ///< required unless there are attachments
    std::vector<Attachment> attachments;  ///< at most 50
};

/// An escalation rule watching one ticket: since when its condition has
/// held, when it is due, and when it fired (once per ticket).
struct EscalationWatch {
    std::string rule;
    Timestamp since;
    std::optional<Timestamp> due_at;
    std::optional<Timestamp> done_at;
    friend bool operator==(const EscalationWatch&, const EscalationWatch&) = default;
};

struct Ticket {
    Id id;
    std::string external_id;  ///< the host's key; optional, unique
    std::string subject;      ///< required, at most 500 bytes
    std::string description;
    TicketType type = TicketType::request;
    TicketPriority priority = TicketPriority::normal;
    Channel channel = Channel::other;  ///< of origin
    std::string category;  ///< a path in the category tree: "billing/refund"
    Id party;              ///< the customer (a live party)
    Id contact;            ///< the person who reported it (a live person), optional
    std::string product_sku;        ///< the product it is about, optional
    std::string purchase_order_id;  ///< the purchase it is about (crm::Purchase::order_id), optional
    /// A warranty claim's check of its purchase against the product's
    /// warranty: "in_warranty", "expired", or "unknown" (the product has no
    /// warranty period); empty for other types.
    std::string warranty;
    Id parent;                      ///< the parent ticket, optional
    std::string queue;     ///< the queue working it ("" : none yet)
    std::string assignee;  ///< the person working it ("" : the queue)
    std::string process;   ///< its process definition ("ticket", built in)
    int process_version = 0;
    std::string state;   ///< new, open, pending_customer, ... (the definition's)
    std::string status;  ///< the state's category: open, closed, cancelled, won, lost
    Timestamp state_entered_at;
    std::string close_reason;  ///< the reason given when it was resolved, cancelled or merged
    Id merged_into;            ///< the ticket it was merged into as a duplicate
    std::optional<Timestamp> first_response_at, resolved_at, closed_at;
    int reopen_count = 0;
    int referral_count = 0;
    int agent_replies = 0;     ///< public comments of agents
    int customer_replies = 0;  ///< public comments of the customer
    /// Resolved at first contact: on its resolution, never referred nor
    /// reopened, with at most one public agent reply and no customer
    /// follow-up. A reopen clears it.
    bool first_contact_resolution = false;
    /// The customer's satisfaction (CSAT) with the resolution, 1..5.
    std::optional<int> csat;
    std::string csat_comment;
    std::optional<Timestamp> csat_at;
    std::string sla_policy;  ///< the policy its clocks follow ("" : none applies)
    int sla_policy_version = 0;
    std::vector<SlaInstance> slas;  ///< one per KPI; next_response ones accumulate
    std::vector<EscalationWatch> escalations;  ///< the rules whose condition holds or fired
    /// The earliest instant at which tick() has work on it (a clock's next
    /// status change, an escalation coming due); empty when none.
    std::optional<Timestamp> due_at;
    CustomValues custom;
    Timestamp created_at;
    Timestamp updated_at;
    std::int64_t version = 1;
};

/// A Net Promoter Score answer of a party: how likely, 0..10, it is to
/// recommend the organisation.
struct NpsResponse {
    Id id;
    Id party;
    int score = 0;
    std::string comment;
    Timestamp at;
};

/// A ticket as a customer portal shows it: no internal comments, no
/// clocks, the state with its label.
struct PortalTicket {
    Id id;
    std::string external_id, subject, state, state_label, status;
    TicketType type = TicketType::request;
    Timestamp created_at, updated_at;
    std::optional<Timestamp> resolved_at;
    std::vector<TicketComment> comments;  ///< public ones, oldest first
};

/// The fields to set; unset ones are left as they are. A new ticket needs
/// a subject and a party.
struct TicketInput {
    std::optional<std::string> external_id, subject, description, category, product_sku,
        purchase_order_id, queue, assignee;
    std::optional<TicketType> type;
    std::optional<TicketPriority> priority;
    std::optional<Channel> channel;
    std::optional<Id> party, contact, parent;
    CustomValues custom;
    std::string process;  ///< create only; empty: the type's process, else "ticket"
};

}  // namespace crm
