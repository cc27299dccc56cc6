// crm/import.hpp - bulk import of customers and orders from CSV files, with
// a per-row problem report, and the export that reads back in; what
// crmctl import/export and the bindings call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "crm/core/context.hpp"
#include "crm/core/error.hpp"

namespace crm {

class Engine;

struct ImportOptions {
    /// Validate and report, write nothing.
    bool dry_run = false;
    /// Called now and then with the bytes read so far; for progress bars.
    std::function<void(std::uint64_t bytes_read)> progress;
    /// Rows committed per transaction. Larger batches write each index page
    /// fewer times; a failed row is still undone alone.
    int batch_size = 10000;
    Context context{"import", "import"};
    /// Problems kept in ImportReport::problems; those after them are only
    /// counted (ImportReport::problems_omitted), so a file of millions of
    /// bad rows costs a bounded report. The counts stay exact.
    std::size_t max_problems = 10000;
};

/// One problem with one input row. An `error` rejected the row; a
/// `warning` dropped one value (kept here in `value`) and imported the rest.
///
/// Text repeated from the file is an excerpt, never the input whole:
/// `external_id`, `reason` and `value` keep at most kProblemExcerptBytes
/// bytes, cut at a character boundary and followed by "...(N bytes)" with
/// the size of the whole; bytes that are not UTF-8, control characters and
/// backslashes are written as escapes (\xNN, \n, \r, \t, \\).
struct ImportProblem {
    std::int64_t line = 0;  ///< 1-based line of the file (the header is line 1)
    std::string external_id;
    std::string field;
    std::string severity;   ///< "error" or "warning"
    std::string reason;
    std::string value;
};

/// The most bytes of input an ImportProblem repeats in one of its texts.
inline constexpr std::size_t kProblemExcerptBytes = 200;
/// The most bytes of the file an error about the header repeats (a column
/// name), escaped like a problem's texts: a file that is not a CSV file
/// does not have its first line shown.
inline constexpr std::size_t kHeaderExcerptBytes = 40;

struct ImportReport {
    std::int64_t imported = 0;   ///< new records
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t rejected = 0;   ///< rows not imported
    std::int64_t warnings = 0;
    std::vector<ImportProblem> problems;
    /// Rows written for good: imported + updated + unchanged, 0 on a dry
    /// run. An import that a storage failure stops returns that failure
    /// instead of a report, its message ending "N rows were committed
    /// before the failure; re-running the import finishes the rest".
    std::int64_t committed = 0;
    /// Problems beyond ImportOptions::max_problems, counted but not kept.
    std::int64_t problems_omitted = 0;

    /// "imported N, updated M, unchanged U, rejected R, warnings W"
    CRM_API std::string summary() const;
};

/// Imports parties. Columns are matched by header name: external_id, kind,
/// first_name, last_name, company, email, phone, city, country,
/// national_id, tags (separated by ';' or '|'), created_at, and custom
/// fields by name. Unknown columns and a missing external_id column fail
/// the whole import with parse. Rows are upserts by external_id, so
/// importing the same file twice changes nothing.
///
/// Both imports read the file the same way:
/// - A quote that is still open at the end of the file rejects the row it
///   opened in and every non-blank line after it, each counted as one
///   rejected row; one error problem, on the line the quote opened on,
///   says how many lines it took in. Nothing after the quote is imported.
/// - A cell that begins with a single quote and then, after any further
///   single quotes, '=', '+', '-', '@', a tab or a carriage return loses
///   that first single quote: it is how export_customers_csv() writes
///   such values. Other cells, "+98 912..." among them, are read as they
///   are.
/// - Rows are committed every ImportOptions::batch_size rows. When the
///   storage fails part way (disk full, locked, I/O error), the import
///   stops, the batch in progress is undone and the storage error is
///   returned, its message saying how many rows were committed before it;
///   those stay, and since rows are upserts, running the same import again
///   finishes the rest.
CRM_API result<ImportReport> import_customers_csv(Engine& engine, std::istream& csv,
                                                  const ImportOptions& options = {});

/// Imports purchases: external_id (the party's), order_id, ordered_at,
/// amount_minor, currency. Upserts by order_id.
CRM_API result<ImportReport> import_orders_csv(Engine& engine, std::istream& csv,
                                               const ImportOptions& options = {});

/// Writes every live party as CSV in the columns import_customers_csv
/// reads: external_id, kind, first_name, last_name, company, email and
/// phone (the primary ones), city, country, national_id, tags (joined by
/// ';'), created_at, lifecycle_stage, owner, then each declared custom field
/// of party by name (money as "12.50 IRR", lists joined by ';'). Importing
/// the output into a database with the same custom fields gives the same
/// parties. `progress` is called with the parties written so far.
///
/// A value a spreadsheet would run as a formula (beginning with '=', '+',
/// '-', '@', tab or carriage return, after any single quotes: "+98912...",
/// "=SUM(A1)", "'=x") is written quoted with a single quote in front
/// (OWASP's advice against CSV injection); the imports remove it again.
struct ExportOptions {
    std::function<void(std::uint64_t parties_written)> progress;
};
CRM_API result<std::int64_t> export_customers_csv(Engine& engine, std::ostream& out,
                                                  const ExportOptions& options = {});

/// Writes export_customers_csv into the file at `path` and never leaves a
/// part-written one: the CSV goes to a new file beside it, which takes the
/// name once whole. An existing file is replaced only with `overwrite`
/// (conflict naming "path" otherwise); a link at that name is replaced
/// itself, never followed. storage naming "path" when it cannot be written.
CRM_API result<std::int64_t> export_customers_file(Engine& engine, const std::string& path,
                                                   bool overwrite,
                                                   const ExportOptions& options = {});

/// Writes the problems as CSV: line,external_id,field,severity,reason,value;
/// values that would open as formulas are neutralised as in the export.
CRM_API void write_problems_csv(const ImportReport& report, std::ostream& out);

}  // namespace crm
