// src/engine/lists.cpp - the worklists of every record type: each names its
// ListSpec, the fields its rules may name and their columns, then runs the
// one list query (engine/worklist.hpp, storage/list.hpp).
#include "crm/marketing/marketing.hpp"
#include "crm/sales/sales.hpp"
#include "crm/service/service.hpp"
#include "crm/core/text.hpp"
#include "engine/access.hpp"
#include "engine/worklist.hpp"
#include "marketing/work.hpp"
#include "sales/record.hpp"
#include "service/record.hpp"

namespace crm {

namespace {

/// Runs one list: the target is made inside the read (its custom fields
/// are read there), then the query.
template <class T, class MakeTarget, class Run>
result<ListPage<T>> run_list(Engine::Impl& impl, const ListQuery& query, MakeTarget make, Run run) {
    return impl.read([&](Transaction& tx) -> result<ListPage<T>> {
        CRM_TRY(target, make(tx));
        CRM_TRY(sql, build_list(impl, tx, target, query));
        return run(tx, sql);
    });
}

/// A ticket list's priorities and SLA statuses checked, each as the
/// columns hold it: an SLA status of "none" is a ticket no clock runs on.
result<ListQuery> ticket_query(ListQuery q) {
    for (std::size_t i = 0; i < q.priority.size(); ++i)
        CRM_TRYV(parse_ticket_priority(text::tidy(q.priority[i]), "priority[" + std::to_string(i) + "]"));
    for (std::size_t i = 0; i < q.sla_status.size(); ++i) {
        std::string& s = q.sla_status[i];
        s = text::tidy(s);
        if (s == "none") {
            s.clear();
            continue;
        }
        CRM_TRY(status, parse_sla_status(s, "sla_status[" + std::to_string(i) + "]"));
        if (status == SlaStatus::succeeded || status == SlaStatus::cancelled)
            return fail(errc::invalid_argument,
                        "'" + s + "' is a stopped clock's status: give breached, nearing_breach, "
                        "in_progress, paused or none",
                        "sla_status[" + std::to_string(i) + "]");
    }
    return q;
}

expr::Schema activity_schema() {
    expr::Schema s;
    for (const char* f : {"subject", "note", "kind", "status", "assignee"}) (void)s.add(f, expr::Type::text);
    for (const char* f : {"due", "created_at", "closed_at"}) (void)s.add(f, expr::Type::timestamp);
    return s;
}

}  // namespace

result<ListPage<Opportunity>> Sales::list_opportunities(const ListQuery& query) {
    auto& impl = EngineAccess::impl(*engine_);
    return run_list<Opportunity>(
        impl, query,
        [&](Transaction& tx) -> result<ListTarget> {
            CRM_TRY(schema, schema_with_custom(impl, tx, "opportunity", sales::opportunity_schema()));
            auto mapping = SalesRecords::opportunity_columns(schema, impl.store->dialect());
            return ListTarget{SalesRecords::opportunity_list_spec(), std::move(schema), std::move(mapping)};
        },
        [](Transaction& tx, const storage::ListSql& sql) { return tx.list_opportunities(sql); });
}

result<ListPage<Lead>> Sales::list_leads(const ListQuery& query) {
    auto& impl = EngineAccess::impl(*engine_);
    return run_list<Lead>(
        impl, query,
        [&](Transaction& tx) -> result<ListTarget> {
            CRM_TRY(schema, schema_with_custom(impl, tx, "lead", sales::lead_schema()));
            auto mapping = SalesRecords::lead_columns(schema, impl.store->dialect());
            return ListTarget{SalesRecords::lead_list_spec(), std::move(schema), std::move(mapping)};
        },
        [](Transaction& tx, const storage::ListSql& sql) { return tx.list_leads(sql); });
}

result<ListPage<Quote>> Sales::list_quotes(const ListQuery& query) {
    auto& impl = EngineAccess::impl(*engine_);
    return run_list<Quote>(
        impl, query,
        [&](Transaction&) -> result<ListTarget> {
            expr::Schema schema = sales::quote_schema();
            auto mapping = SalesRecords::quote_columns(schema, impl.store->dialect());
            return ListTarget{SalesRecords::quote_list_spec(), std::move(schema), std::move(mapping)};
        },
        [](Transaction& tx, const storage::ListSql& sql) { return tx.list_quotes(sql); });
}

result<ListPage<Ticket>> Service::list_tickets(const ListQuery& query) {
    auto& impl = EngineAccess::impl(*engine_);
    CRM_TRY(checked, ticket_query(query));
    return run_list<Ticket>(
        impl, checked,
        [&](Transaction& tx) -> result<ListTarget> {
            CRM_TRY(schema, schema_with_custom(impl, tx, "ticket", service::ticket_schema()));
            auto mapping = ServiceRecords::ticket_columns(schema, impl.store->dialect());
            ListTarget t{ServiceRecords::ticket_list_spec(), std::move(schema), std::move(mapping)};
            map_party_fields(t);
            return t;
        },
        [](Transaction& tx, const storage::ListSql& sql) { return tx.list_tickets(sql); });
}

result<ListPage<Campaign>> Marketing::list_campaigns(const ListQuery& query) {
    auto& impl = EngineAccess::impl(*engine_);
    return run_list<Campaign>(
        impl, query,
        [&](Transaction&) -> result<ListTarget> {
            return ListTarget{MarketingRecords::campaign_list_spec(), marketing::campaign_schema(),
                              MarketingRecords::campaign_columns(impl.store->dialect())};
        },
        [](Transaction& tx, const storage::ListSql& sql) { return tx.list_campaigns(sql); });
}

result<ListPage<Activity>> Engine::list_activities(const ListQuery& query) {
    auto& impl = *impl_;
    return run_list<Activity>(
        impl, query,
        [&](Transaction&) -> result<ListTarget> {
            expr::SqlMapping m(impl.store->dialect());
            for (const char* c : {"subject", "note", "kind", "status", "assignee", "created_at", "closed_at"})
                m.set(c, c);
            m.set("due", "due_at");
            return ListTarget{CustomerRecords::activity_list_spec(), activity_schema(), std::move(m)};
        },
        [](Transaction& tx, const storage::ListSql& sql) { return tx.list_activities(sql); });
}

}  // namespace crm
