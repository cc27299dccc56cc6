// src/service/record.hpp - a ticket as the rule language sees it (SLA
// policy selection, process guards): its schema and a Record adapter.
#pragma once

#include "crm/customer/party.hpp"
#include "crm/expr/expr.hpp"
#include "crm/service/ticket.hpp"

namespace crm::service {

/// The built-in fields of a ticket: subject, type, priority, channel,
/// category, state, status, queue, assignee, product_sku, warranty (text);
/// reopen_count, referral_count (integer); created_at, first_response_at,
/// resolved_at (timestamp); sla_status (the most pressing status of its
/// running clocks: breached, nearing_breach, in_progress, paused); and of
/// its party: party_kind, party_stage,
/// party_city (text) and party_tags (text list). Custom fields of record
/// type "ticket" are added by the Engine.
expr::Schema ticket_schema();

/// The most pressing status of the ticket's running clocks: "breached",
/// "nearing_breach", "in_progress" or "paused"; "" when no clock runs.
const char* sla_status_of(const Ticket& t) noexcept;
/// The earliest failure instant of a running clock (the ticket's SLA due);
/// empty when no running clock has one (none runs, or all are paused).
std::optional<Timestamp> sla_due_of(const Ticket& t) noexcept;

class TicketRecord final : public expr::Record {
public:
    /// `party` may be null: its fields then read as missing.
    TicketRecord(const Ticket& t, const Party* party) noexcept : t_(t), p_(party) {}
    Value get(std::string_view field) const override;

private:
    const Ticket& t_;
    const Party* p_;
};

}  // namespace crm::service
