// crm/storage/dialect.hpp - the few places where the SQL of one database
// differs from another's, for the queries written once above it (the rule
// compiler's WHERE fragments, each context's repository). SQLite's is the
// one this build ships; another database adds its own instance.
#pragma once

#include <string>
#include <string_view>

#include "crm/core/export.hpp"

namespace crm::storage {

/// A SQL dialect. Every function returns SQL text built only from its
/// arguments, which are SQL expressions or JSON paths this library wrote,
/// never from a user's value (those travel as parameters), and names its
/// arguments in the order given, so that their parameters keep their order.
struct Dialect {
    std::string_view name;  ///< "sqlite"
    /// The scalar at `path` ("$.a.b") of the JSON text `json`, as SQL
    /// text or number; NULL when absent.
    std::string (*json_value)(std::string_view json, std::string_view path);
    /// The number of elements of the JSON array `json`; NULL for NULL.
    std::string (*json_array_length)(std::string_view json);
    /// A FROM item iterating the elements of the JSON array `json` as
    /// rows of `alias`; each element's scalar is json_element(alias).
    std::string (*json_elements)(std::string_view json, std::string_view alias);
    std::string (*json_element)(std::string_view alias);
    /// 1-based position of `needle` in `haystack`, 0 when absent.
    std::string (*position)(std::string_view haystack, std::string_view needle);
    /// The JSON text `json` with the member at `path` ("$.a") set to the
    /// SQL text value `value` (a JSON string; NULL gives JSON null).
    std::string (*json_set)(std::string_view json, std::string_view path, std::string_view value);
    /// A FROM item: `table`, read through `index` where the database takes
    /// a hint (SQLite's INDEXED BY: a scan it would otherwise not choose);
    /// the table alone where the planner takes none.
    std::string (*indexed)(std::string_view table, std::string_view index);
};

/// SQLite's dialect: json_extract, json_each, instr, json_set, INDEXED BY.
///
/// What the dialect does not vary, the SQL above it writes the one way
/// SQLite (3.35 and later) and PostgreSQL share: numbered placeholders
/// `?N` (a server's connection renumbers them as `$N` when it prepares),
/// `INSERT ... ON CONFLICT (key) DO UPDATE SET c = excluded.c` for an
/// upsert (storage::upsert_sql) and `ON CONFLICT DO NOTHING` for an
/// insert that may repeat, a generated key read by the statement
/// (`Stmt::exec_insert`: SQLite's costs nothing, a server's statement
/// appends `RETURNING`), `SAVEPOINT`,
/// `RELEASE SAVEPOINT` and `ROLLBACK TO SAVEPOINT`, and an `UPDATE ...
/// WHERE NOT EXISTS` where SQLite alone would write `UPDATE OR IGNORE`.
CRM_API const Dialect& sqlite_dialect() noexcept;

}  // namespace crm::storage
