// src/engine/lists.cpp - the worklists of every record type: each names its
// ListSpec, the fields its rules may name and their columns, then runs the
// one list query (engine/worklist.hpp, storage/list.hpp).
#include "crm/marketing/marketing.hpp"
#include "crm/sales/sales.hpp"
#include "crm/service/service.hpp"
#include "crm/core/text.hpp"
#include "engine/access.hpp"
#include "engine/worklist.hpp"

namespace crm {

namespace {

/// Runs one list in one read: the record type's rule fields (`schema`,
/// custom ones included), the columns its repository maps them to, then
/// the one list query; `party_fields` maps the rule fields of the
/// record's party too.
template <class T, class Schema, class Columns, class Run>
result<ListPage<T>> run_list(Engine::Impl& impl, const ListQuery& query, const storage::ListSpec& spec,
                             Schema schema, Columns columns, Run run, bool party_fields = false) {
    return impl.read([&](Transaction& tx) -> result<ListPage<T>> {
        CRM_TRY(fields, schema(tx));
        ListTarget target{spec, fields, columns(fields, impl.store->dialect())};
        if (party_fields) map_party_fields(target);
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

}  // namespace

/// The rule schema of a record type a process runs on (Impl::schema_of).
auto schema_of(Engine::Impl& impl, std::string_view record_type) {
    return [&impl, record_type](Transaction& tx) { return impl.schema_of(tx, record_type); };
}

result<ListPage<Opportunity>> Sales::list_opportunities(const ListQuery& query) {
    auto& impl = EngineAccess::impl(*engine_);
    return run_list<Opportunity>(impl, query, SalesRecords::opportunity_list_spec(),
                                 schema_of(impl, "opportunity"), SalesRecords::opportunity_columns,
                                 [](Transaction& tx, const storage::ListSql& sql) {
                                     return tx.list_opportunities(sql);
                                 });
}

result<ListPage<Lead>> Sales::list_leads(const ListQuery& query) {
    auto& impl = EngineAccess::impl(*engine_);
    return run_list<Lead>(impl, query, SalesRecords::lead_list_spec(), schema_of(impl, "lead"),
                          SalesRecords::lead_columns,
                          [](Transaction& tx, const storage::ListSql& sql) { return tx.list_leads(sql); });
}

result<ListPage<Quote>> Sales::list_quotes(const ListQuery& query) {
    auto& impl = EngineAccess::impl(*engine_);
    return run_list<Quote>(impl, query, SalesRecords::quote_list_spec(), schema_of(impl, "quote"),
                           SalesRecords::quote_columns,
                           [](Transaction& tx, const storage::ListSql& sql) { return tx.list_quotes(sql); });
}

result<ListPage<Ticket>> Service::list_tickets(const ListQuery& query) {
    auto& impl = EngineAccess::impl(*engine_);
    CRM_TRY(checked, ticket_query(query));
    return run_list<Ticket>(
        impl, checked, ServiceRecords::ticket_list_spec(), schema_of(impl, "ticket"),
        ServiceRecords::ticket_columns,
        [](Transaction& tx, const storage::ListSql& sql) { return tx.list_tickets(sql); }, true);
}

result<ListPage<Campaign>> Marketing::list_campaigns(const ListQuery& query) {
    auto& impl = EngineAccess::impl(*engine_);
    return run_list<Campaign>(
        impl, query, MarketingRecords::campaign_list_spec(), schema_of(impl, "campaign"),
        MarketingRecords::campaign_columns,
        [](Transaction& tx, const storage::ListSql& sql) { return tx.list_campaigns(sql); });
}

result<ListPage<Activity>> Engine::list_activities(const ListQuery& query) {
    return run_list<Activity>(
        *impl_, query, CustomerRecords::activity_list_spec(),
        [](Transaction&) -> result<expr::Schema> { return CustomerRecords::activity_schema(); },
        CustomerRecords::activity_columns,
        [](Transaction& tx, const storage::ListSql& sql) { return tx.list_activities(sql); });
}

}  // namespace crm
