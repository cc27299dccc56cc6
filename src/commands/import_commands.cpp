// src/commands/import_commands.cpp - bulk import of customers and orders
// from CSV files, answering with the import report and its problems, and
// the export of customers that imports back.
#include <filesystem>
#include <fstream>

#include "commands/request.hpp"
#include "crm/import.hpp"

namespace crm::commands {

namespace {

json report_json(const ImportReport& r) {
    json problems = json::array();
    for (const auto& p : r.problems)
        problems.push_back({{"line", p.line},
                            {"external_id", p.external_id},
                            {"field", p.field},
                            {"severity", p.severity},
                            {"reason", p.reason},
                            {"value", p.value}});
    return {{"imported", r.imported}, {"updated", r.updated},   {"unchanged", r.unchanged},
            {"rejected", r.rejected}, {"warnings", r.warnings}, {"summary", r.summary()},
            {"problems", std::move(problems)}};
}

using Importer = result<ImportReport> (*)(Engine&, std::istream&, const ImportOptions&);

template <Importer run_import>
result<json> import_file(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"path", "dry_run"}));
    CRM_TRY(path, required_string(request, "path", 4096));
    CRM_TRY(dry_run, codec::get_bool(request, "dry_run", ""));
    std::error_code ec;
    if (!std::filesystem::is_regular_file(std::filesystem::path(path), ec))
        return fail(errc::not_found, "is not a readable file", "path");
    std::ifstream in(std::filesystem::path(path), std::ios::binary);
    if (!in) return fail(errc::storage, "cannot be opened", "path");
    ImportOptions options;
    options.dry_run = dry_run.value_or(false);
    // Without a context from the host the audit trail names "import".
    if (ctx.actor != Context{}.actor || ctx.source != Context{}.source) options.context = ctx;
    CRM_TRY(report, run_import(engine, in, options));
    return report_json(report);
}

result<json> export_customers(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"path"}));
    CRM_TRY(path, required_string(request, "path", 4096));
    std::ofstream out(std::filesystem::path(path), std::ios::binary | std::ios::trunc);
    if (!out) return fail(errc::storage, "cannot be written", "path");
    CRM_TRY(written, export_customers_csv(engine, out));
    out.close();
    if (!out) return fail(errc::storage, "could not be written completely", "path");
    return json{{"exported", written}};
}

constexpr const char* kReport =
    "{imported, updated, unchanged, rejected, warnings, summary, problems[{line, external_id, "
    "field, severity (error|warning), reason, value}]}";

constexpr Command kCommands[] = {
    {"import.customers",
     "Imports parties from a UTF-8 CSV file, upserting by external_id; a row's problems are "
     "reported, not fatal.",
     "{path, dry_run (default false)}; columns: external_id, kind, first_name, last_name, "
     "company, email, phone, city, country, national_id, tags, created_at, lifecycle_stage, "
     "owner, custom fields by name",
     kReport, true, import_file<&import_customers_csv>},
    {"import.orders", "Imports purchases from a UTF-8 CSV file, upserting by order_id.",
     "{path, dry_run (default false)}; columns: external_id (the party's), order_id, "
     "ordered_at, amount_minor, currency",
     kReport, true, import_file<&import_orders_csv>},
    {"export.customers",
     "Writes every live party to a CSV file in the columns import.customers reads.",
     "{path}", "{exported}", false, export_customers},
};

}  // namespace

std::span<const Command> detail::import_commands() { return kCommands; }

}  // namespace crm::commands
