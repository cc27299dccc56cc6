// src/service/record.cpp - the ticket's rule schema, its Record adapter, and
// the text forms of the ticket enums.
#include "service/record.hpp"

#include "core/enum_names.hpp"
#include "crm/service/service.hpp"

namespace crm {

CRM_ENUM_NAMES(TicketType, parse_ticket_type, {TicketType::question, "question"},
               {TicketType::request, "request"}, {TicketType::incident, "incident"},
               {TicketType::complaint, "complaint"}, {TicketType::warranty_claim, "warranty_claim"},
               {TicketType::return_request, "return"}, {TicketType::recall, "recall"},
               {TicketType::field_service, "field_service"})
CRM_ENUM_NAMES(TicketPriority, parse_ticket_priority, {TicketPriority::low, "low"},
               {TicketPriority::normal, "normal"}, {TicketPriority::high, "high"},
               {TicketPriority::urgent, "urgent"})
CRM_ENUM_NAMES(AssignStrategy, parse_assign_strategy, {AssignStrategy::round_robin, "round_robin"},
               {AssignStrategy::least_loaded, "least_loaded"}, {AssignStrategy::skill, "skill"})
CRM_ENUM_NAMES(AuthorKind, parse_author_kind, {AuthorKind::agent, "agent"},
               {AuthorKind::customer, "customer"})

namespace service {

expr::Schema ticket_schema() {
    using expr::Type;
    expr::Schema s;
    const std::pair<const char*, Type> fields[] = {
        {"subject", Type::text},           {"type", Type::text},
        {"priority", Type::text},          {"channel", Type::text},
        {"category", Type::text},          {"state", Type::text},
        {"status", Type::text},            {"queue", Type::text},
        {"assignee", Type::text},          {"product_sku", Type::text},
        {"reopen_count", Type::integer},   {"referral_count", Type::integer},
        {"created_at", Type::timestamp},   {"first_response_at", Type::timestamp},
        {"resolved_at", Type::timestamp},  {"party_kind", Type::text},
        {"party_stage", Type::text},       {"party_city", Type::text},
        {"party_tags", Type::text_list},  {"sla_status", Type::text},
        {"warranty", Type::text},
    };
    for (const auto& [name, type] : fields) (void)s.add(name, type);
    return s;
}

const char* sla_status_of(const Ticket& t) noexcept {
    const SlaStatus order[] = {SlaStatus::breached, SlaStatus::nearing_breach,
                               SlaStatus::in_progress, SlaStatus::paused};
    for (SlaStatus wanted : order)
        for (const auto& s : t.slas)
            if (!s.stopped() && s.status == wanted) return to_string(wanted);
    return "";
}

std::optional<Timestamp> sla_due_of(const Ticket& t) noexcept {
    std::optional<Timestamp> due;
    for (const auto& s : t.slas)
        if (!s.stopped() && s.failure_at && (!due || s.failure_at->ms < due->ms)) due = s.failure_at;
    return due;
}

Value TicketRecord::get(std::string_view f) const {
    const auto text = [](const std::string& s) { return s.empty() ? Value{} : Value{s}; };
    const auto time = [](const std::optional<Timestamp>& t) { return t ? Value{t->ms} : Value{}; };
    if (f.rfind("custom.", 0) == 0) {
        auto it = t_.custom.find(std::string(f.substr(7)));
        return it == t_.custom.end() ? Value{} : it->second;
    }
    if (f == "subject") return text(t_.subject);
    if (f == "type") return Value{std::string(to_string(t_.type))};
    if (f == "priority") return Value{std::string(to_string(t_.priority))};
    if (f == "channel") return Value{std::string(to_string(t_.channel))};
    if (f == "category") return text(t_.category);
    if (f == "state") return text(t_.state);
    if (f == "status") return text(t_.status);
    if (f == "queue") return text(t_.queue);
    if (f == "assignee") return text(t_.assignee);
    if (f == "product_sku") return text(t_.product_sku);
    if (f == "warranty") return text(t_.warranty);
    if (f == "reopen_count") return Value{static_cast<std::int64_t>(t_.reopen_count)};
    if (f == "referral_count") return Value{static_cast<std::int64_t>(t_.referral_count)};
    if (f == "created_at") return Value{t_.created_at.ms};
    if (f == "first_response_at") return time(t_.first_response_at);
    if (f == "resolved_at") return time(t_.resolved_at);
    if (f == "sla_status") return text(sla_status_of(t_));
    if (!p_) return Value{};
    if (f == "party_kind") return Value{std::string(to_string(p_->kind))};
    if (f == "party_stage") return text(p_->lifecycle_stage);
    if (f == "party_city") return text(p_->city);
    if (f == "party_tags") return Value{p_->tags};
    return Value{};
}

}  // namespace service
}  // namespace crm
