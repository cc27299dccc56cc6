// src/commands/import_commands.cpp - bulk import of customers and orders
// from CSV text or files, answering with the import report and its
// problems, and the export of customers that imports back. Files are
// reached only below the directories the host opened the engine with.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ext/stdio_filebuf.h>  // an istream over a checked descriptor (libstdc++)
#include <filesystem>
#include <memory>
#include <sstream>

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
    return {{"imported", r.imported}, {"updated", r.updated},     {"unchanged", r.unchanged},
            {"rejected", r.rejected}, {"warnings", r.warnings},   {"committed", r.committed},
            {"summary", r.summary()}, {"problems", std::move(problems)},
            {"problems_omitted", r.problems_omitted}};
}

using Importer = result<ImportReport> (*)(Engine&, std::istream&, const ImportOptions&);
namespace fs = std::filesystem;

// Whether `p` (absolute, normalised) lies below one of `dirs`.
bool inside(const fs::path& p, const std::vector<std::string>& dirs) {
    for (const auto& d : dirs) {
        const fs::path rel = p.lexically_relative(d);
        if (!rel.empty() && *rel.begin() != "..") return true;
    }
    return false;
}

// `given` resolved below one of the directories the host opened the engine
// with; a relative path is taken from the first. The path is checked as
// written first, so that nothing outside is even looked at (whether a file
// exists there is no business of the caller), then again with every link
// followed. For a file to write, its directory is resolved and the name
// must be a plain file name. permission_denied names "path" otherwise.
result<fs::path> permitted_path(const Engine& engine, const std::string& given, bool writing) {
    const auto& dirs = engine.file_directories();
    if (dirs.empty())
        return fail(errc::permission_denied,
                    "file access is off for this engine: the host opens it with "
                    "file_directories to allow paths; send the CSV text in \"csv\" instead",
                    "path");
    fs::path p(given);
    if (p.is_relative()) p = fs::path(dirs.front()) / p;
    p = p.lexically_normal();
    const error outside = fail(errc::permission_denied,
                               "is outside the directories this engine may read and write", "path");
    if (!inside(p, dirs)) return outside;
    std::error_code ec;
    fs::path resolved;
    if (writing) {
        const fs::path name = p.filename();
        if (name.empty() || name == "." || name == "..")
            return fail(errc::invalid_argument, "names no file", "path");
        const fs::path dir = fs::canonical(p.parent_path(), ec);
        if (ec) return fail(errc::not_found, "is in a directory that does not exist", "path");
        resolved = dir / name;
    } else {
        resolved = fs::canonical(p, ec);
        if (ec) return fail(errc::not_found, "is not an existing file", "path");
    }
    if (!inside(resolved, dirs)) return outside;
    return resolved;
}

// Opens a file to import without following a link swapped in at its name
// and without blocking on a pipe; only a regular file is read.
result<std::unique_ptr<__gnu_cxx::stdio_filebuf<char>>> open_regular(const fs::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return fail(errc::storage, std::string("cannot be opened: ") + std::strerror(errno), "path");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail(errc::invalid_argument, "is not a regular file", "path");
    }
    return std::make_unique<__gnu_cxx::stdio_filebuf<char>>(fd, std::ios::in | std::ios::binary);
}

template <Importer run_import>
result<json> import_file(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"path", "csv", "dry_run"}));
    CRM_TRY(path, codec::get_string(request, "path", "", 4096));
    const json* csv = codec::member(request, "csv");
    if (path.has_value() == (csv != nullptr))
        return fail(errc::invalid_argument, "give either \"path\" (a file) or \"csv\" (its text)",
                    path ? "csv" : "path");
    CRM_TRY(dry_run, codec::get_bool(request, "dry_run", ""));
    ImportOptions options;
    options.dry_run = dry_run.value_or(false);
    // Without a context from the host the audit trail names "import".
    if (ctx.actor != Context{}.actor || ctx.source != Context{}.source) options.context = ctx;
    if (csv) {
        if (!csv->is_string()) return fail(errc::invalid_argument, "must be a string", "csv");
        std::istringstream in(csv->get_ref<const std::string&>(), std::ios::binary);
        CRM_TRY(report, run_import(engine, in, options));
        return report_json(report);
    }
    CRM_TRY(file, permitted_path(engine, *path, false));
    CRM_TRY(buf, open_regular(file));
    std::istream in(buf.get());
    CRM_TRY(report, run_import(engine, in, options));
    return report_json(report);
}

result<json> export_customers(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"path", "overwrite"}));
    CRM_TRY(path, codec::get_string(request, "path", "", 4096));
    CRM_TRY(overwrite, codec::get_bool(request, "overwrite", ""));
    if (!path) {
        if (overwrite) return fail(errc::invalid_argument, "goes with \"path\"", "overwrite");
        std::ostringstream out(std::ios::binary);
        CRM_TRY(written, export_customers_csv(engine, out));
        return json{{"exported", written}, {"csv", std::move(out).str()}};
    }
    CRM_TRY(file, permitted_path(engine, *path, true));
    CRM_TRY(written, export_customers_file(engine, file.string(), overwrite.value_or(false)));
    return json{{"exported", written}};
}

constexpr const char* kReport =
    "{imported, updated, unchanged, rejected, warnings, committed, summary, problems_omitted "
    "(beyond the first 10000), problems[{line, external_id, "
    "field, severity (error|warning), reason, value}]}";

constexpr Command kCommands[] = {
    {"import.customers",
     "Imports parties from a UTF-8 CSV file, upserting by external_id; a row's problems are "
     "reported, not fatal.",
     "{path (a file below the engine's file_directories) or csv (the file's text), dry_run "
     "(default false)}; columns: external_id, kind, first_name, last_name, "
     "company, email, phone, city, country, national_id, tags, created_at, lifecycle_stage, "
     "owner, custom fields by name",
     kReport, true, import_file<&import_customers_csv>},
    {"import.orders", "Imports purchases from a UTF-8 CSV file, upserting by order_id.",
     "{path or csv, dry_run (default false)}; columns: external_id (the party's), order_id, "
     "ordered_at, amount_minor, currency",
     kReport, true, import_file<&import_orders_csv>},
    {"export.customers",
     "Writes every live party as CSV in the columns import.customers reads: to a file below "
     "the engine's file_directories, never replacing one unless overwrite is true, or into "
     "the response.",
     "{path, overwrite (default false)} or {}", "{exported, csv (without path)}", false,
     export_customers},
};

}  // namespace

std::span<const Command> detail::import_commands() { return kCommands; }

}  // namespace crm::commands
