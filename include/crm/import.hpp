// crm/import.hpp - bulk import of customers and orders from CSV files, with
// a per-row problem report, and the export that reads back in; what
// crmctl import/export and the bindings call.
#pragma once

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
};

/// One problem with one input row. An `error` rejected the row; a
/// `warning` dropped one value (kept here in `value`) and imported the rest.
struct ImportProblem {
    std::int64_t line = 0;  ///< 1-based line of the file (the header is line 1)
    std::string external_id;
    std::string field;
    std::string severity;   ///< "error" or "warning"
    std::string reason;
    std::string value;
};

struct ImportReport {
    std::int64_t imported = 0;   ///< new records
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t rejected = 0;   ///< rows not imported
    std::int64_t warnings = 0;
    std::vector<ImportProblem> problems;

    /// "imported N, updated M, unchanged U, rejected R, warnings W"
    CRM_API std::string summary() const;
};

/// Imports parties. Columns are matched by header name: external_id, kind,
/// first_name, last_name, company, email, phone, city, country,
/// national_id, tags (separated by ';' or '|'), created_at, and custom
/// fields by name. Unknown columns and a missing external_id column fail
/// the whole import with parse. Rows are upserts by external_id, so
/// importing the same file twice changes nothing.
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
struct ExportOptions {
    std::function<void(std::uint64_t parties_written)> progress;
};
CRM_API result<std::int64_t> export_customers_csv(Engine& engine, std::ostream& out,
                                                  const ExportOptions& options = {});

/// Writes the problems as CSV: line,external_id,field,severity,reason,value.
CRM_API void write_problems_csv(const ImportReport& report, std::ostream& out);

}  // namespace crm
