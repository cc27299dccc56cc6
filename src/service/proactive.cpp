// src/service/proactive.cpp - proactive service in bulk: recall cases or
// notices for every party with a purchase a rule matches, once each.
#include <algorithm>

#include "core/json_read.hpp"
#include "crm/core/text.hpp"
#include "crm/service/service.hpp"
#include "engine/access.hpp"
#include "customer/purchase_record.hpp"
#include "expr/json_form.hpp"

namespace crm {
result<ProactiveReport> Service::run_proactive(const Context& ctx, const ProactiveAction& action) {
    CRM_TRYV(check_context(ctx));
    const std::string id = text::tidy(action.id);
    if (id.empty() || id.size() > 64 ||
        !std::all_of(id.begin(), id.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        }))
        return fail(errc::invalid_argument, "must be 1 to 64 of a-z, 0-9, '_' and '-'", "id");
    if (text::tidy(action.subject).empty())
        return fail(errc::invalid_argument, "is required", "subject");
    if (action.open_tickets && action.type == TicketType::warranty_claim)
        return fail(errc::invalid_argument,
                    "cannot be warranty_claim: a claim names one purchase and product", "type");
    if (action.batch_size < 1 || action.batch_size > 10'000)
        return fail(errc::invalid_argument, "must be from 1 to 10000", "batch_size");
    if (engine_->in_transaction())
        return fail(errc::conflict, "runs in transactions of its own; commit the open one first",
                    "transaction");
    CRM_TRY(doc, codec::parse(action.rule, "rule"));
    CRM_TRY(rule, expr::load_json(doc, customer::purchase_rule_schema(), "rule"));
    if (!action.queue.empty())
        if (auto q = queue(action.queue); !q) return fail(q.error().code, q.error().message, "queue");
    CRM_TRY(matcher, expr::Matcher::make(rule, {engine_->now(), "Asia/Tehran"}));
    auto& impl = EngineAccess::impl(*engine_);

    ProactiveReport report;
    Id after;
    for (;;) {
        CRM_TRY(parties, engine_->list_parties(after, action.batch_size));
        if (parties.empty()) break;
        after = parties.back().id;
        CRM_TRYV(engine_->begin());
        auto batch = [&]() -> result<void> {
            for (const auto& p : parties) {
                report.scanned++;
                CRM_TRY(orders, engine_->purchases(p.id));
                const bool hit = std::any_of(orders.begin(), orders.end(), [&](const Purchase& o) {
                    return matcher.matches(customer::purchase_record(p, o));
                });
                if (!hit) continue;
                report.matched++;
                const std::string key = id + ":" + p.id.str();
                if (action.open_tickets) {
                    if (get_ticket(key)) {
                        report.already++;
                        continue;
                    }
                    TicketInput in;
                    in.external_id = key;
                    in.subject = action.subject;
                    in.description = action.description;
                    in.type = action.type;
                    in.priority = action.priority;
                    in.channel = Channel::other;
                    in.party = p.id;
                    if (!action.queue.empty()) in.queue = action.queue;
                    CRM_TRYV(create_ticket(ctx, in));
                } else {
                    CRM_TRY(existing, impl.read([&](Transaction& tx) {
                        return tx.interaction_by_external_id(key);
                    }));
                    if (existing) {
                        report.already++;
                        continue;
                    }
                    Interaction notice;
                    notice.party = p.id;
                    notice.channel = Channel::other;
                    notice.direction = Direction::outbound;
                    notice.subject = action.subject;
                    notice.summary = action.description;
                    notice.external_id = key;
                    CRM_TRYV(engine_->log_interaction(ctx, notice));
                }
                report.created++;
            }
            return ok();
        };
        if (auto r = batch(); !r) {
            (void)engine_->rollback();
            return r.error();
        }
        CRM_TRYV(engine_->commit());
        if (action.progress) action.progress(report.scanned);
    }
    return report;
}

}  // namespace crm
