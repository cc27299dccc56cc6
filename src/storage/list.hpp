// storage/list.hpp - the one query behind every worklist (crm/core/worklist.hpp):
// each record type's repository describes where its filters live (a
// ListSpec), and this builds the filtered, keyset-paged SELECT and its
// count, once for all of them, in the SQL SQLite and PostgreSQL share.
// Values travel as parameters only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <variant>

#include "crm/core/worklist.hpp"
#include "storage/session.hpp"

namespace crm::storage {

/// A value bound to one `?`: the same type as crm::SqlParam.
using SqlParam = std::variant<std::int64_t, std::string>;

/// A condition written elsewhere (a compiled rule), with the values of its
/// `?` placeholders in order.
struct Condition {
    std::string sql;
    std::vector<SqlParam> params;
};

/// Where one record type keeps what a list filters and orders by: SQL
/// column expressions of `table`, null where the type has no such thing
/// (the filter is then refused, naming it).
struct ListSpec {
    const char* record_type;  ///< "ticket": in errors
    const char* table;
    const char* columns = "body";  ///< what a row is read as, before the key and id
    int column_count = 1;          ///< how many columns that is
    const char* party = "party_id";
    const char* owner = nullptr;
    const char* team = nullptr;
    const char* queue = nullptr;
    const char* state = "state";
    const char* status = "status";
    const char* pipeline = nullptr;
    const char* priority = nullptr;
    const char* sla_status = nullptr;
    const char* created = "created_at";  ///< INTEGER UTC ms
    const char* changed = "updated_at";  ///< INTEGER UTC ms
    /// The due: an INTEGER UTC ms column that is never NULL (a record
    /// without a due holds INT64_MAX, after every real one), or with
    /// `due_is_date` a Gregorian "YYYY-MM-DD" column, '' when none (read
    /// as "9999-12-31" for the same reason).
    const char* due = nullptr;
    bool due_is_date = false;
};

/// A list query built for one record type.
struct ListSql {
    std::string page;                     ///< rows: columns, then the order key and id
    std::string count;                    ///< one row: the number of records selected
    std::vector<SqlParam> filter;   ///< the parameters of `count`
    std::vector<SqlParam> paged;    ///< those of `page`: filter, cursor, limit
    std::string order;                    ///< the order's name, for cursors
    bool text_key = false;
    int limit = 50;
    bool counted = true;
    int key_column = 1;                   ///< where the order key is in a page row
};

/// Validates `q` against the record type (every error names its field;
/// the values of its filters are the record type's to check, and are bound
/// as given, tidied) and builds its SQL. `where` holds the conditions the caller writes
/// itself (q.where compiled for the record type's columns, q.tag against
/// the customer's tags; empty when there are none); `now` and `time_zone` say what is
/// overdue and which day a date-valued due falls on.
result<ListSql> list_sql(const ListSpec& spec, const ListQuery& q, const Condition& where,
                         Timestamp now, std::string_view time_zone);

/// Runs a built list on `conn`: reads each row's record with `read` (which
/// sees the row's leading columns), and the cursor of the last one.
template <class T, class Reader>
result<ListPage<T>> run_list(Connection& conn, const ListSql& sql, Reader read);

// ---- implementation details of run_list -----------------------------------
result<void> bind_all(Stmt& st, const std::vector<SqlParam>& params);
std::string cursor_of(const ListSql& sql, Stmt& row);

template <class T, class Reader>
result<ListPage<T>> run_list(Connection& conn, const ListSql& sql, Reader read) {
    ListPage<T> page;
    {
        CRM_TRY(st, conn.stmt_dynamic(sql.page));
        CRM_TRYV(bind_all(st, sql.paged));
        std::string last;
        bool more = false;
        for (;;) {
            CRM_TRY(row, st.step());
            if (!row) break;
            // The page asks for one row more than it shows: when that row
            // comes, there is a next page, starting after the last shown.
            if (static_cast<int>(page.items.size()) == sql.limit) {
                more = true;
                break;
            }
            CRM_TRY(item, read(st));
            page.items.push_back(std::move(item));
            last = cursor_of(sql, st);
        }
        if (more) page.next = std::move(last);
    }
    if (sql.counted) {
        CRM_TRY(st, conn.stmt_dynamic(sql.count));
        CRM_TRYV(bind_all(st, sql.filter));
        CRM_TRY(row, st.step());
        page.total = row ? st.i64(0) : 0;
    }
    return page;
}

}  // namespace crm::storage
