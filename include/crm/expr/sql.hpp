// crm/expr/sql.hpp - compiles a rule to a parameterised SQL WHERE fragment
// that selects exactly the records the in-memory evaluation matches.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/expr/expr.hpp"
#include "crm/storage/dialect.hpp"

namespace crm::expr {

/// How one field is stored: SQL expressions written by the integrator
/// (never by a rule's author) that read it from the row.
///
/// | type      | `sql` yields                                          |
/// |-----------|-------------------------------------------------------|
/// | boolean   | 0 / 1 (JSON true/false through json_extract)          |
/// | integer   | INTEGER                                               |
/// | decimal   | decimal text "12.5" (or INTEGER)                      |
/// | text      | TEXT                                                  |
/// | money     | INTEGER minor units; `currency_sql` the ISO code       |
/// | timestamp | INTEGER UTC milliseconds                              |
/// | date      | TEXT "YYYY-MM-DD" (Gregorian)                         |
/// | text_list | a JSON array of strings as TEXT                       |
/// SQL NULL is a missing value; so is '' for text, dates and lists.
struct Column {
    std::string sql;           ///< "city", "json_extract(custom, '$.tier')"
    /// Money: the expression reading the currency. May be empty only when
    /// the Schema fixes the field's currency (stored values must be in it).
    std::string currency_sql;
    /// Text and text lists: `sql` already yields crm::text::normalize keys
    /// (a key column kept on write), so no crm_norm() call is needed.
    bool normalized = false;
};

/// Field name -> Column, for one table or view of a database whose SQL
/// dialect is `dialect` (JSON access, string search: crm/storage/dialect.hpp).
class CRM_API SqlMapping {
public:
    explicit SqlMapping(const storage::Dialect& dialect = storage::sqlite_dialect()) noexcept
        : dialect_(&dialect) {}
    void set(std::string field, Column column);
    /// set(field, Column{sql}): a field read by one expression.
    void set(std::string field, std::string sql) { set(std::move(field), Column{std::move(sql), {}, false}); }
    /// A money field: its minor units and its currency.
    void set(std::string field, std::string sql, std::string currency_sql) {
        set(std::move(field), Column{std::move(sql), std::move(currency_sql), false});
    }
    /// Maps every "custom.<name>" field of `schema` to the JSON object in
    /// `json_column` at `path` as the storage writes it: the dialect's
    /// json_value of '<path>.<name>', money as '<path>.<name>.minor' and
    /// '<path>.<name>.currency'. A record kept as one JSON body holds its
    /// custom fields at "$.custom" of the body.
    void set_custom_fields(const Schema& schema, std::string_view json_column = "custom",
                           std::string_view path = "$");
    const Column* find(std::string_view field) const noexcept;
    const storage::Dialect& dialect() const noexcept { return *dialect_; }

private:
    const storage::Dialect* dialect_;
    std::map<std::string, Column, std::less<>> columns_;
};

/// A value to bind to one `?`: text or an integer, never NULL.
using SqlParam = std::variant<std::int64_t, std::string>;

/// A WHERE-clause fragment and the values of its `?` placeholders, in
/// order. No value from the rule ever appears in `sql` itself.
struct SqlWhere {
    std::string sql;
    std::vector<SqlParam> params;
};

/// Compiles `expr` for rows read through `mapping`, with relative times
/// computed from `context` (and bound as values), in the mapping's SQL
/// dialect. The fragment calls two
/// deterministic SQL functions that the connection must have registered
/// (for SQLite: crm::expr::sqlite::register_functions, src/expr/sqlite.hpp):
/// crm_norm(x), the crm::text::normalize key of x (NULL for NULL and for a
/// blank key), and crm_decimal_key(x), an order-preserving key of a decimal
/// (NULL when x is not one). Fails with invalid_argument naming the JSON
/// path of a field the mapping lacks, and as Matcher::make for the Context.
CRM_API result<SqlWhere> to_sql(const Expr& expr, const SqlMapping& mapping,
                                const Context& context);

}  // namespace crm::expr
