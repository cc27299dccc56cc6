// storage/list.cpp - builds a worklist's SQL from a ListQuery and the
// record type's ListSpec, and reads and writes its cursors.
#include "storage/list.hpp"

#include <charconv>

#include "crm/core/calendar.hpp"
#include "crm/core/text.hpp"

namespace crm::storage {
namespace {

constexpr std::size_t kMaxMembers = 100;     // values of one list filter
constexpr std::size_t kMaxValueBytes = 200;  // bytes of one value

struct Order {
    const char* name;
    bool descending;
};
constexpr Order kOrders[] = {{"newest", true}, {"oldest", false}, {"changed", true}, {"due", false}};

class Builder {
public:
    Builder(const ListSpec& spec) : spec_(spec) {}

    void add(std::string condition) {
        if (!where_.empty()) where_ += " AND ";
        where_ += condition;
    }
    void param(SqlParam p) { params_.push_back(std::move(p)); }

    /// column IN (values): any of them. An unsupported filter is refused
    /// only when it is set.
    result<void> any_of(const char* column, const std::vector<std::string>& values,
                        std::string_view field) {
        if (values.empty()) return ok();
        if (!column) return unsupported(field);
        if (values.size() > kMaxMembers)
            return fail(errc::invalid_argument,
                        "at most " + std::to_string(kMaxMembers) + " values", std::string(field));
        std::string in;
        for (std::size_t i = 0; i < values.size(); ++i) {
            const std::string path = std::string(field) + "[" + std::to_string(i) + "]";
            CRM_TRYV(text::check(values[i], path, kMaxValueBytes));
            in += i ? ", ?" : "?";
            param(text::tidy(values[i]));
        }
        add(values.size() == 1 ? std::string(column) + " = ?" : std::string(column) + " IN (" + in + ")");
        return ok();
    }

    error unsupported(std::string_view field) const {
        return fail(errc::invalid_argument,
                    "a " + std::string(spec_.record_type) + " list has no such filter",
                    std::string(field));
    }

    std::string where() const { return where_.empty() ? "1 = 1" : where_; }
    std::vector<SqlParam>& params() { return params_; }

private:
    const ListSpec& spec_;
    std::string where_;
    std::vector<SqlParam> params_;
};

std::string date_in_zone(Timestamp t, const TimeZone& zone) {
    return format_date(zone.to_local(t).date);
}

bool is_date_key(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    return true;
}

}  // namespace

result<ListSql> list_sql(const ListSpec& spec, const ListQuery& q, const Condition& where_rule,
                         Timestamp now, std::string_view time_zone) {
    if (q.limit < 1 || q.limit > 1000)
        return fail(errc::invalid_argument, "must be 1..1000", "limit");
    const Order* order = &kOrders[0];
    if (!q.order.empty()) {
        order = nullptr;
        for (const Order& o : kOrders)
            if (q.order == o.name) order = &o;
        if (!order)
            return fail(errc::invalid_argument,
                        "'" + text::excerpt(q.order) + "' is not an order: newest, oldest, changed or due",
                        "order");
    }
    const std::string_view order_name = order->name;
    const std::string due = !spec.due ? std::string()
                            : spec.due_is_date
                                ? "(CASE WHEN " + std::string(spec.due) + " = '' THEN '9999-12-31' ELSE " +
                                      spec.due + " END)"
                                : std::string(spec.due);
    if (order_name == "due" && due.empty())
        return fail(errc::invalid_argument,
                    "a " + std::string(spec.record_type) + " has no due date to order by", "order");
    const std::string key = order_name == "due" ? due : order_name == "changed" ? spec.changed : spec.created;
    const bool text_key = order_name == "due" && spec.due_is_date;

    Builder b(spec);
    CRM_TRYV(b.any_of(spec.owner, q.owner, "owner"));
    CRM_TRYV(b.any_of(spec.team, q.team, "team"));
    CRM_TRYV(b.any_of(spec.queue, q.queue, "queue"));
    CRM_TRYV(b.any_of(spec.state, q.state, "state"));
    CRM_TRYV(b.any_of(spec.status, q.status, "status"));
    CRM_TRYV(b.any_of(spec.priority, q.priority, "priority"));
    CRM_TRYV(b.any_of(spec.sla_status, q.sla_status, "sla_status"));
    if (!q.pipeline.empty()) {
        CRM_TRYV(b.any_of(spec.pipeline, {q.pipeline}, "pipeline"));
    }
    if (!q.party.is_nil()) {
        if (!spec.party) return b.unsupported("party");
        b.add(std::string(spec.party) + " = ?");
        b.param(q.party.str());
    }
    if (q.created_since) {
        b.add(std::string(spec.created) + " >= ?");
        b.param(q.created_since->ms);
    }
    if (q.changed_since) {
        b.add(std::string(spec.changed) + " >= ?");
        b.param(q.changed_since->ms);
    }
    if (q.due_before || q.overdue) {
        const char* field = q.overdue ? "overdue" : "due_before";
        if (!spec.due || !spec.status)
            return fail(errc::invalid_argument,
                        "a " + std::string(spec.record_type) + " has no due date", field);
        std::optional<TimeZone> zone;
        if (spec.due_is_date) {
            CRM_TRY(z, TimeZone::find(time_zone));
            zone = std::move(z);
        }
        if (q.due_before) {
            b.add(due + " <= ?");
            if (zone) b.param(date_in_zone(*q.due_before, *zone));
            else b.param(q.due_before->ms);
        }
        if (q.overdue) {
            b.add(std::string(spec.status) + " = 'open'");
            if (zone) {
                b.add(due + " < ?");
                b.param(date_in_zone(now, *zone));
            } else {
                b.add(due + " <= ?");
                b.param(now.ms);
            }
        }
    }
    if (!where_rule.sql.empty()) {
        b.add("(" + where_rule.sql + ")");
        for (const auto& p : where_rule.params) b.param(p);
    }

    ListSql out;
    out.order = std::string(order_name);
    out.text_key = text_key;
    out.limit = q.limit;
    out.counted = q.count;
    out.key_column = spec.column_count;
    const std::string where = b.where();
    out.count = "SELECT count(*) FROM " + std::string(spec.table) + " WHERE " + where;
    out.filter = b.params();
    out.paged = b.params();

    const char* dir = order->descending ? " DESC" : "";
    std::string page = "SELECT " + std::string(spec.columns) + ", " + key + ", " + spec.table +
                       ".id FROM " + spec.table + " WHERE " + where;
    if (!q.after.empty()) {
        // order~key~id: the order it was read in, the last row's key and id.
        const std::string_view c = q.after;
        const auto a = c.find('~');
        const auto z = c.rfind('~');
        if (a == std::string_view::npos || z == a || c.substr(0, a) != order_name)
            return fail(errc::invalid_argument,
                        "is not a cursor of this list (a list ordered by " + out.order + ")", "after");
        const std::string_view value = c.substr(a + 1, z - a - 1);
        CRM_TRY(id, Id::parse(c.substr(z + 1), "after"));
        if (text_key) {
            if (!is_date_key(value))
                return fail(errc::invalid_argument, "is not a cursor of this list", "after");
            out.paged.emplace_back(std::string(value));
        } else {
            std::int64_t v = 0;
            const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
            if (ec != std::errc() || p != value.data() + value.size())
                return fail(errc::invalid_argument, "is not a cursor of this list", "after");
            out.paged.emplace_back(v);
        }
        out.paged.emplace_back(id.str());
        page += " AND (" + key + ", " + spec.table + ".id) " +
                (order->descending ? "<" : ">") + " (?, ?)";
    }
    page += " ORDER BY " + key + dir + ", " + spec.table + ".id" + dir + " LIMIT ?";
    out.paged.emplace_back(static_cast<std::int64_t>(q.limit) + 1);
    out.page = std::move(page);
    return out;
}

result<void> bind_all(Stmt& st, const std::vector<SqlParam>& params) {
    for (std::size_t i = 0; i < params.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        if (const auto* n = std::get_if<std::int64_t>(&params[i])) st.bind(index, *n);
        else st.bind(index, std::get<std::string>(params[i]));
    }
    return ok();
}

std::string cursor_of(const ListSql& sql, Stmt& row) {
    std::string key = sql.text_key ? row.str(sql.key_column) : std::to_string(row.i64(sql.key_column));
    return sql.order + "~" + key + "~" + row.str(sql.key_column + 1);
}

}  // namespace crm::storage
