// service/store/records.hpp - the service context's repository: tickets, their
// comments and Net Promoter Score answers.
// Its SQL is written here once, over a storage session.
#pragma once

#include <climits>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "crm/service/ticket.hpp"
#include "crm/core/worklist.hpp"
#include "crm/expr/sql.hpp"
#include "records/dimensions.hpp"
#include "storage/list.hpp"
#include "storage/session.hpp"

namespace crm {

/// The sla_due column of a ticket none of whose running clocks has a
/// failure instant: after every instant, so "due" orders it last.
inline constexpr std::int64_t kNoDue = INT64_MAX;

class ServiceRecords : public storage::Repository {
public:
    explicit ServiceRecords(storage::Session& s) : Repository(s) {}

    /// The ticket worklist: where its filters live, the columns a rule over
    /// the ticket's own fields (built-in and custom) reads, and a page.
    static const storage::ListSpec& ticket_list_spec();
    static expr::SqlMapping ticket_columns(const expr::Schema& schema, const storage::Dialect& d);
    result<ListPage<Ticket>> list_tickets(const storage::ListSql& sql);

    result<void> put_ticket(const Ticket& t, std::string_view body = {});
    result<std::optional<Ticket>> get_ticket(const Id& id);
    result<Id> ticket_by_external_id(std::string_view external_id);  ///< nil if none
    /// The tickets of a party, newest first.
    result<std::vector<Ticket>> tickets_of(const Id& party);
    /// Ids of the tickets whose due_at is at or before `until`, soonest
    /// first, at most `limit`.
    result<std::vector<Id>> tickets_due(Timestamp until, int limit);
    /// Ids of the open tickets (status "open") whose clocks follow SLA
    /// policy `policy`, after `after` (nil: from the first), in id order.
    result<std::vector<Id>> open_tickets_of_policy(std::string_view policy,
                                                   const Id& after, int limit);
    /// The number of open tickets per assignee in `queue` ("" for the
    /// unassigned ones), by assignee.
    result<std::vector<std::pair<std::string, int>>> open_ticket_counts(
std::string_view queue);
    /// Calls `fn` for every ticket, in id order, one in memory at a time;
    /// stops early when fn returns false. For reports.
    result<void> for_each_ticket(const std::function<bool(const Ticket&)>& fn);
    /// Every answer given in [from, to), oldest first.
    result<std::vector<NpsResponse>> nps_between(Timestamp from, Timestamp to);
    result<void> put_nps(const NpsResponse& r);
    /// A party's answers, newest first, at most `limit`.
    result<std::vector<NpsResponse>> nps_of(const Id& party, int limit);
    result<void> put_comment(const TicketComment& c);
    /// Oldest first; public ones only unless include_internal.
    result<std::vector<TicketComment>> comments_of(const Id& ticket,
                                                   bool include_internal);
    /// Moves what this context keeps of party `from` to party `to` (a merge).
    result<void> reassign_party(const Id& from, const Id& to);
    /// Every ticket's reporting dimensions: its assignee as owner, its
    /// queue as team, its channel as source (records/dimensions.hpp).
    result<void> for_each_ticket_dimensions(const RecordDimensionsFn& fn);
};

}  // namespace crm
