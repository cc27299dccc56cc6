// src/service/codec.hpp - JSON forms of the service records: what commands
// answer, what the SQLite backend keeps in ticket.body and
// ticket_comment.body, and the strict readers of queues and SLA policies
// (errors name the JSON path).
#pragma once

#include "core/json_read.hpp"
#include "crm/expr/schema.hpp"
#include "crm/service/service.hpp"

namespace crm::codec {

json to_json(const SlaInstance& s);
json to_json(const Ticket& t);
/// to_json(t).dump(), written straight into text (what is stored and sent
/// on every write).
std::string ticket_text(const Ticket& t);
json to_json(const Attachment& a);
json to_json_list(const std::vector<Attachment>& files);
json to_json(const NpsResponse& r);
json to_json(const PortalTicket& t);
json to_json(const TicketComment& c);
json to_json(const Queue& q);
json to_json(const SlaPolicy& p);
json to_json(const TickReport& r);
json to_json(const ServiceReport& r);
json to_json(const BusinessTrace& t);

/// Read what the to_json above wrote (stored bodies).
result<SlaInstance> sla_instance_from_json(const json& j, std::string_view path);
result<Ticket> ticket_from_json(const json& j, std::string_view path = "");
result<TicketComment> comment_from_json(const json& j, std::string_view path = "");

/// A queue as stored or as a definition request; unknown keys refused.
result<Queue> queue_from_json(const json& j, std::string_view path = "");
json to_json(const AssignmentRule& r);
json to_json(const EscalationRule& r);
/// An escalation rule's JSON form, its rule checked against `schema`.
result<EscalationRule> escalation_rule_from_json(const json& j, const expr::Schema& schema);
/// An assignment rule's JSON form, its rule checked against `schema`.
result<AssignmentRule> assignment_rule_from_json(const json& j, const expr::Schema& schema);
/// An SLA policy's JSON form, its rule checked against `schema`.
result<SlaPolicy> sla_policy_from_json(const json& j, const expr::Schema& schema);
/// The fields of a create or update request ("process" only when
/// creating); unknown keys are the caller's to refuse.
result<TicketInput> ticket_input_from_json(const json& j, std::string_view path, bool creating);
/// A comment request: body, public, author_kind, attachments.
result<CommentInput> comment_input_from_json(const json& j, std::string_view path);
/// An attachment of a request: name, size, sha256 and media_type checked.
result<Attachment> attachment_from_json(const json& j, std::string_view path);

}  // namespace crm::codec
