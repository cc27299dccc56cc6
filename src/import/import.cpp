// src/import/import.cpp - CSV import of customers and orders: header
// checks, per-row validation with warnings for droppable values, upserts
// in batches, and the problem report; the export, to a stream or a file.
#include "crm/import.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <map>
#include <ostream>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include "crm/core/text.hpp"
#include "crm/engine.hpp"
#include "engine/access.hpp"
#include "import/csv.hpp"

namespace crm {

std::string ImportReport::summary() const {
    return "imported " + std::to_string(imported) + ", updated " + std::to_string(updated) +
           ", unchanged " + std::to_string(unchanged) + ", rejected " + std::to_string(rejected) +
           ", warnings " + std::to_string(warnings);
}

// The report is opened in spreadsheets as often as the export is.
void write_problems_csv(const ImportReport& report, std::ostream& out) {
    out << "line,external_id,field,severity,reason,value\n";
    for (const auto& p : report.problems)
        out << p.line << ',' << csv::cell(p.external_id) << ',' << csv::cell(p.field) << ','
            << csv::cell(p.severity) << ',' << csv::cell(p.reason) << ',' << csv::cell(p.value) << '\n';
}

namespace {

// The columns of the file, by name, after the header passed its checks.
class Columns {
public:
    static result<Columns> read(csv::Reader& reader, const std::vector<std::string>& known,
                                const std::vector<std::string>& required) {
        std::vector<std::string> header;
        if (!reader.next(header))
            return fail(errc::parse, "the file is empty: a header line is expected", "header");
        if (reader.unterminated_quote())
            return fail(errc::parse,
                        "a quote opened on line " + std::to_string(reader.quote_line()) +
                            " is never closed, so the header takes in the whole file",
                        "header");
        Columns cols;
        for (std::size_t i = 0; i < header.size(); ++i) {
            std::string name = text::tidy(header[i]);
            if (!text::is_valid_utf8(name))
                return fail(errc::parse, "is not UTF-8 text; save the file as UTF-8 CSV", "header");
            if (name.empty())
                return fail(errc::parse, "column " + std::to_string(i + 1) + " has no name", "header");
            if (std::find(known.begin(), known.end(), name) == known.end()) {
                std::string list;
                for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
                // Only an excerpt: the "header" of a file that is not CSV
                // may be anything, a password hash included.
                return fail(errc::parse,
                            "unknown column '" + text::excerpt(name, kHeaderExcerptBytes) +
                                "'; known: " + list,
                            "header");
            }
            if (cols.index_.count(name))
                return fail(errc::parse,
                            "column '" + text::excerpt(name, kHeaderExcerptBytes) + "' appears twice",
                            "header");
            cols.index_[name] = i;
        }
        for (const auto& r : required)
            if (!cols.index_.count(r))
                return fail(errc::parse, "the required column '" + r + "' is missing", "header");
        cols.width_ = header.size();
        return cols;
    }

    std::size_t width() const { return width_; }
    bool has(const std::string& name) const { return index_.count(name) > 0; }
    /// The cell of `name` in `row`, or empty when the column is absent.
    const std::string& cell(const std::vector<std::string>& row, const std::string& name) const {
        static const std::string empty;
        auto it = index_.find(name);
        return it == index_.end() ? empty : row[it->second];
    }
    const std::map<std::string, std::size_t>& names() const { return index_; }

private:
    std::map<std::string, std::size_t> index_;
    std::size_t width_ = 0;
};

// Runs rows through `apply` in batches of transactions, counting outcomes
// and turning failures into problems. A failed row is undone alone.
class Batcher {
public:
    Batcher(Engine& engine, const ImportOptions& options, ImportReport& report)
        : engine_(engine), options_(options), report_(report) {}

    // On every way out of an import that started: rolls back what it left
    // open and ends the store's bulk load. An import refused at start()
    // (the caller's transaction is open) touches neither.
    ~Batcher() {
        if (!bulk_) return;
        abandon();
        (void)EngineAccess::impl(engine_).store->bulk_load(false);
    }

    result<void> start() {
        if (engine_.in_transaction())
            return fail(errc::conflict, "an import cannot run inside an open transaction");
        CRM_TRYV(EngineAccess::impl(engine_).store->bulk_load(true));
        bulk_ = true;
        return engine_.begin();
    }

    // Called for each row written (counted) in the open batch.
    result<void> after_row() {
        ++pending_;
        if (options_.dry_run || ++in_batch_ < std::max(options_.batch_size, 1)) return ok();
        in_batch_ = 0;
        CRM_TRYV(commit());
        return engine_.begin();
    }

    result<void> finish() {
        if (!engine_.in_transaction()) return ok();
        return options_.dry_run ? engine_.rollback() : commit();
    }

    void abandon() {
        if (engine_.in_transaction()) (void)engine_.rollback();
    }

    /// The batch's transaction is still open. A write that failed after it
    /// had written (decision 0016) rolls the whole batch back; the rows
    /// that follow must not run outside of it.
    result<void> still_open() const {
        if (engine_.in_transaction()) return ok();
        return fail(errc::storage, "a write failed part way, so the batch in progress was rolled "
                                   "back");
    }

    /// Rows of the batches committed so far.
    std::int64_t committed() const { return committed_; }

    // The failure that stops an import, undoing the batch in progress and
    // saying what the earlier batches left in the database.
    error stop(error e) {
        abandon();
        if (options_.dry_run) {
            e.message += "; a dry run writes nothing";
        } else {
            e.message += "; " + std::to_string(committed_) +
                         (committed_ == 1 ? " row was" : " rows were") +
                         " committed before the failure; re-running the import finishes the rest";
        }
        return e;
    }

    void count(WriteOutcome o) {
        if (o == WriteOutcome::created) ++report_.imported;
        else if (o == WriteOutcome::updated) ++report_.updated;
        else ++report_.unchanged;
    }

private:
    result<void> commit() {
        CRM_TRYV(engine_.commit());
        committed_ += pending_;
        pending_ = 0;
        return ok();
    }

    Engine& engine_;
    const ImportOptions& options_;
    ImportReport& report_;
    int in_batch_ = 0;
    std::int64_t pending_ = 0;    // rows written in the open batch
    std::int64_t committed_ = 0;  // rows of the batches committed
    bool bulk_ = false;
};

// Adds a problem, repeating only excerpts of the input (import.hpp).
void note(ImportReport& report, ImportProblem p) {
    if (p.severity == "error") ++report.rejected;
    else ++report.warnings;
    p.external_id = text::excerpt(p.external_id, kProblemExcerptBytes);
    p.reason = text::excerpt(p.reason, kProblemExcerptBytes);
    p.value = text::excerpt(p.value, kProblemExcerptBytes);
    report.problems.push_back(std::move(p));
}

void problem(ImportReport& report, std::int64_t line, const std::string& ext, std::string field,
             bool error, std::string reason, std::string value) {
    note(report, ImportProblem{line, ext, std::move(field), error ? "error" : "warning",
                               std::move(reason), std::move(value)});
}

// A date read by the library's Jalali rule (a year below 1700) is
// imported, and said so in a warning: a file of Gregorian dates with a few
// Jalali ones is worth a look.
std::optional<ImportProblem> jalali_reading(std::int64_t line, const std::string& ext,
                                            const char* field, const std::string& given,
                                            Timestamp t) {
    const std::string digits = text::ascii_digits(text::tidy(given));
    if (digits.size() < 4 || digits.compare(0, 4, std::to_string(kFirstGregorianYear)) >= 0)
        return std::nullopt;
    return ImportProblem{line, ext, field, "warning",
                         "is a Jalali (Solar Hijri) date, read as " + to_iso8601(t).substr(0, 10),
                         given};
}

// Checks the shape of a row; false (with the problem recorded) if unusable.
bool row_is_sound(const csv::Reader& reader, const Columns& cols, const std::vector<std::string>& row,
                  ImportReport& report) {
    const auto key = cols.names().find("external_id");
    const std::string ext = key != cols.names().end() && key->second < row.size()
                                ? text::tidy(row[key->second])
                                : std::string();
    if (reader.unterminated_quote()) {
        // Every non-blank line the open quote took in was a row that is
        // not imported: each counts as rejected, under this one problem.
        const std::int64_t more = reader.swallowed_lines();
        problem(report, reader.quote_line(), ext, "", true,
                "a quote opened on line " + std::to_string(reader.quote_line()) +
                    " is never closed: it took in the rest of the file, so this row " +
                    (more == 0 ? std::string("was")
                               : "and the " + std::to_string(more) + (more == 1 ? " line" : " lines") +
                                     " after it were") +
                    " not imported",
                "");
        report.rejected += more;
        return false;
    }
    if (row.size() != cols.width()) {
        problem(report, reader.line(), ext, "", true,
                "has " + std::to_string(row.size()) + " fields; the header has " +
                    std::to_string(cols.width()),
                "");
        return false;
    }
    for (const auto& [name, i] : cols.names())
        if (!text::is_valid_utf8(row[i])) {
            problem(report, reader.line(), text::is_valid_utf8(ext) ? ext : "", name, true,
                    "is not valid UTF-8; save the file as UTF-8 CSV", "");
            return false;
        }
    return true;
}

bool blank(const std::vector<std::string>& row) {
    return std::all_of(row.begin(), row.end(), [](const std::string& s) { return text::tidy(s).empty(); });
}

void report_progress(const ImportOptions& options, const csv::Reader& reader, std::int64_t rows) {
    if (options.progress && rows % 256 == 0) options.progress(reader.bytes_read());
}

result<void> check_encoding(std::istream& in) {
    const int a = in.peek();
    if (a == 0xFF || a == 0xFE)
        return fail(errc::parse, "looks like UTF-16; save the file as UTF-8 CSV", "encoding");
    return ok();
}

// How one row went: written with an outcome, or rejected (and reported).
using RowResult = result<std::optional<WriteOutcome>>;
using Reject = std::function<void(std::string field, std::string reason, std::string value)>;

// A failed write rejects its row, unless the store itself failed: that
// stops the import.
RowResult rejected(const error& e, const Reject& reject) {
    if (e.code == errc::storage || e.code == errc::internal || e.code == errc::out_of_memory) return e;
    reject(e.field, e.message, "");
    return std::optional<WriteOutcome>{};
}

// Keeps the first options.max_problems problems; later ones are counted
// only. A row adds a few problems at most, so trimming after each keeps the
// report's size bounded whatever the file's.
void keep_within(ImportReport& r, const ImportOptions& o) {
    if (r.problems.size() <= o.max_problems) return;
    r.problems_omitted += static_cast<std::int64_t>(r.problems.size() - o.max_problems);
    r.problems.erase(r.problems.begin() + static_cast<std::ptrdiff_t>(o.max_problems),
                     r.problems.end());
}

// Reads every data row, hands the sound ones to `import_row` inside the
// batches of transactions, and counts what came back.
template <class RowFn>
result<ImportReport> import_rows(Engine& engine, csv::Reader& reader, const Columns& cols,
                                 const ImportOptions& options, RowFn&& import_row) {
    ImportReport report;
    Batcher batch(engine, options, report);
    CRM_TRYV(batch.start());
    std::vector<std::string> row;
    std::int64_t rows = 0;
    while (reader.next(row)) {
        keep_within(report, options);
        report_progress(options, reader, ++rows);
        for (auto& cell : row) csv::unneutralise(cell);
        if (blank(row) && !reader.unterminated_quote()) continue;
        if (!row_is_sound(reader, cols, row, report)) continue;
        const std::int64_t line = reader.line();
        const std::string ext = text::tidy(cols.cell(row, "external_id"));
        const Reject reject = [&](std::string field, std::string reason, std::string value) {
            problem(report, line, ext, std::move(field), true, std::move(reason), std::move(value));
        };
        auto outcome = import_row(row, line, ext, reject, report);
        if (!outcome) return batch.stop(outcome.error());
        if (auto open = batch.still_open(); !open) return batch.stop(open.error());
        if (!outcome.value()) continue;
        batch.count(*outcome.value());
        if (auto r = batch.after_row(); !r) return batch.stop(r.error());
    }
    keep_within(report, options);
    if (auto r = batch.finish(); !r) return batch.stop(r.error());
    report.committed = batch.committed();
    if (options.progress) options.progress(reader.bytes_read());
    return report;
}

}  // namespace

result<ImportReport> import_customers_csv(Engine& engine, std::istream& in, const ImportOptions& options) {
    CRM_TRYV(check_encoding(in));
    CRM_TRY(defs, engine.fields("party"));
    std::vector<std::string> known = {"external_id", "kind",    "first_name",  "last_name",
                                      "company",     "email",   "phone",       "city",
                                      "country",     "national_id", "tags",    "created_at",
                                      "lifecycle_stage", "owner"};
    for (const auto& d : defs) known.push_back(d.name);
    csv::Reader reader(in);
    CRM_TRY(cols, Columns::read(reader, known, {"external_id"}));

    return import_rows(engine, reader, cols, options, [&](const std::vector<std::string>& row,
                                                        std::int64_t line, const std::string& ext,
                                                        const Reject& reject,
                                                        ImportReport& report) -> RowResult {
        const std::optional<WriteOutcome> skipped;  // rejected, and said why
        if (ext.empty()) {
            reject("external_id", "is required", "");
            return skipped;
        }
        PartyInput input;
        input.external_id = ext;
        const std::string kind = text::normalize(cols.cell(row, "kind"));
        if (kind.empty() || kind == "person" || kind == "شخص" || kind == "حقیقی") {
            input.kind = PartyKind::person;
        } else if (kind == "organization" || kind == "organisation" || kind == "company" ||
                   kind == "سازمان" || kind == "حقوقی") {
            input.kind = PartyKind::organization;
        } else {
            reject("kind", "must be person or organization", cols.cell(row, "kind"));
            return skipped;
        }
        if (input.kind == PartyKind::person) {
            input.first_name = cols.cell(row, "first_name");
            input.last_name = cols.cell(row, "last_name");
        }
        if (cols.has("company")) input.organization_name = cols.cell(row, "company");
        for (const char* name : {"city", "country", "national_id", "lifecycle_stage", "owner"}) {
            const std::string& v = cols.cell(row, name);
            if (!text::tidy(v).empty()) {
                std::optional<std::string>* slot =
                    std::string_view(name) == "city"          ? &input.city
                    : std::string_view(name) == "country"     ? &input.country
                    : std::string_view(name) == "national_id" ? &input.national_id
                    : std::string_view(name) == "owner"       ? &input.owner
                                                              : &input.lifecycle_stage;
                *slot = v;
            }
        }
        if (const std::string& tags = cols.cell(row, "tags"); !text::tidy(tags).empty()) {
            std::vector<std::string> list;
            std::string cur;
            for (char c : tags + ";") {
                if (c == ';' || c == '|') {
                    if (!text::tidy(cur).empty()) list.push_back(text::tidy(cur));
                    cur.clear();
                } else {
                    cur.push_back(c);
                }
            }
            input.add_tags = std::move(list);
        }
        std::vector<ImportProblem> warnings;
        if (const std::string& created = cols.cell(row, "created_at"); !text::tidy(created).empty()) {
            auto t = parse_iso8601(created, "created_at");
            if (!t) {
                reject("created_at", t.error().message, created);
                return skipped;
            }
            input.created_at = t.value();
            if (auto w = jalali_reading(line, ext, "created_at", created, t.value()))
                warnings.push_back(std::move(*w));
        }
        for (const auto& d : defs)
            if (cols.has(d.name)) {
                const std::string& v = cols.cell(row, d.name);
                input.custom[d.name] = text::tidy(v).empty() ? Value{} : Value{v};
            }
        // A bad e-mail or phone costs only that contact point: the engine
        // names it, the row is retried without it, and it becomes a warning.
        std::vector<std::string> contact_columns;
        for (const char* name : {"email", "phone"})
            if (const std::string& v = cols.cell(row, name); !text::tidy(v).empty()) {
                input.contacts.push_back({std::string_view(name) == "email" ? ContactKind::email
                                                                            : ContactKind::phone,
                                          v, "", {}, {}, {}});
                contact_columns.push_back(name);
            }
        auto written = engine.upsert_party(options.context, input);
        while (!written && written.error().code == errc::invalid_argument &&
               written.error().field.rfind("contacts[", 0) == 0) {
            const std::size_t k = static_cast<std::size_t>(std::atoi(written.error().field.c_str() + 9));
            if (k >= input.contacts.size()) break;
            warnings.push_back({line, ext, contact_columns[k], "warning", written.error().message,
                                input.contacts[k].value});
            input.contacts.erase(input.contacts.begin() + static_cast<std::ptrdiff_t>(k));
            contact_columns.erase(contact_columns.begin() + static_cast<std::ptrdiff_t>(k));
            written = engine.upsert_party(options.context, input);
        }
        if (!written) return rejected(written.error(), reject);
        // A person with half a name is a valid record, but worth a look.
        if (input.kind == PartyKind::person)
            for (const char* part : {"first_name", "last_name"})
                if (text::tidy(cols.cell(row, part)).empty())
                    warnings.push_back({line, ext, part, "warning", "is empty", ""});
        for (auto& w : warnings) note(report, std::move(w));
        return std::optional<WriteOutcome>{written.value().outcome};
    });
}

result<ImportReport> import_orders_csv(Engine& engine, std::istream& in, const ImportOptions& options) {
    CRM_TRYV(check_encoding(in));
    csv::Reader reader(in);
    const std::vector<std::string> columns = {"external_id", "order_id", "ordered_at", "amount_minor",
                                              "currency"};
    CRM_TRY(cols, Columns::read(reader, columns, columns));
    return import_rows(engine, reader, cols, options, [&](const std::vector<std::string>& row,
                                                        std::int64_t line, const std::string& ext,
                                                        const Reject& reject,
                                                        ImportReport& report) -> RowResult {
        const std::optional<WriteOutcome> skipped;  // rejected, and said why
        Purchase p;
        auto party = engine.get_party_by_external_id(ext);
        if (!party) {
            reject("external_id", ext.empty() ? "is required" : "no party has this external id", ext);
            return skipped;
        }
        p.party = party.value().id;
        p.order_id = cols.cell(row, "order_id");
        auto at = parse_iso8601(cols.cell(row, "ordered_at"), "ordered_at");
        if (!at) {
            reject("ordered_at", at.error().message, cols.cell(row, "ordered_at"));
            return skipped;
        }
        p.ordered_at = at.value();
        std::optional<ImportProblem> jalali =
            jalali_reading(line, ext, "ordered_at", cols.cell(row, "ordered_at"), at.value());
        const std::string amount = text::ascii_digits(text::tidy(cols.cell(row, "amount_minor")));
        std::int64_t minor = 0;
        auto [end, ec] = std::from_chars(amount.data(), amount.data() + amount.size(), minor);
        if (amount.empty() || ec != std::errc() || end != amount.data() + amount.size()) {
            reject("amount_minor", "is not a whole number of minor units", cols.cell(row, "amount_minor"));
            return skipped;
        }
        std::string currency = text::tidy(cols.cell(row, "currency"));
        for (auto& c : currency) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        p.total = Money{minor, currency};
        auto written = engine.record_purchase(options.context, p);
        if (!written) return rejected(written.error(), reject);
        if (jalali) note(report, std::move(*jalali));
        return std::optional<WriteOutcome>{written.value().outcome};
    });
}

namespace {

std::string primary(const Party& p, ContactKind kind) {
    for (const auto& c : p.contacts)
        if (c.kind == kind && c.primary) return c.value;
    return "";
}

}  // namespace

result<std::int64_t> export_customers_csv(Engine& engine, std::ostream& out, const ExportOptions& options) {
    CRM_TRY(defs, engine.fields("party"));
    out << "external_id,kind,first_name,last_name,company,email,phone,city,country,national_id,"
           "tags,created_at,lifecycle_stage,owner";
    for (const auto& d : defs) out << ',' << csv::quote(d.name);
    out << '\n';
    std::int64_t written = 0;
    Id after;
    for (;;) {
        CRM_TRY(page, engine.list_parties(after, 1000));
        if (page.empty()) break;
        for (const Party& p : page) {
            std::string tags;
            for (const auto& t : p.tags) tags += (tags.empty() ? "" : ";") + t;
            const std::string cells[] = {p.external_id, to_string(p.kind), p.first_name, p.last_name,
                                         p.organization_name, primary(p, ContactKind::email),
                                         primary(p, ContactKind::phone), p.city, p.country,
                                         p.national_id, tags, to_iso8601(p.created_at),
                                         p.lifecycle_stage, p.owner};
            bool first = true;
            for (const auto& c : cells) {
                if (!first) out << ',';
                first = false;
                out << csv::cell(c);
            }
            for (const auto& d : defs) {
                auto it = p.custom.find(d.name);
                out << ',' << csv::cell(it == p.custom.end() ? std::string() : value_text(it->second));
            }
            out << '\n';
            ++written;
        }
        after = page.back().id;
        if (options.progress) options.progress(static_cast<std::uint64_t>(written));
    }
    if (!out) return fail(errc::storage, "could not write the export", "out");
    return written;
}

namespace {

// A stream buffer over a file descriptor it owns.
class FdOut : public std::streambuf {
public:
    explicit FdOut(int fd) : fd_(fd) {}
    ~FdOut() override { close(); }
    FdOut(const FdOut&) = delete;
    FdOut& operator=(const FdOut&) = delete;
    // Flushes and closes; false when anything could not be written.
    bool close() {
        if (fd_ < 0) return ok_;
        ok_ = flush() && ::fsync(fd_) == 0 && ok_;
        ok_ = ::close(fd_) == 0 && ok_;
        fd_ = -1;
        return ok_;
    }

protected:
    int_type overflow(int_type c) override {
        if (c == traits_type::eof()) return traits_type::not_eof(c);
        if (used_ == sizeof buf_ && !flush()) return traits_type::eof();
        buf_[used_++] = static_cast<char>(c);
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        std::streamsize done = 0;
        while (done < n) {
            if (used_ == sizeof buf_ && !flush()) return done;
            const auto k = std::min<std::size_t>(sizeof buf_ - used_, static_cast<std::size_t>(n - done));
            std::memcpy(buf_ + used_, s + done, k);
            used_ += k;
            done += static_cast<std::streamsize>(k);
        }
        return done;
    }
    int sync() override { return flush() ? 0 : -1; }

private:
    bool flush() {
        std::size_t done = 0;
        while (done < used_) {
            const ssize_t w = ::write(fd_, buf_ + done, used_ - done);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) return ok_ = false;
            done += static_cast<std::size_t>(w);
        }
        used_ = 0;
        return true;
    }
    int fd_;
    bool ok_ = true;
    char buf_[1 << 16];
    std::size_t used_ = 0;
};

error file_error(const char* what, int err) {
    return fail(errc::storage, std::string(what) + ": " + std::strerror(err), "path");
}

}  // namespace

result<std::int64_t> export_customers_file(Engine& engine, const std::string& path, bool overwrite,
                                           const ExportOptions& options) {
    namespace fs = std::filesystem;
    CRM_TRYV(text::check(path, "path", 4096));
    const fs::path target(path);
    const std::string name = target.filename().string();
    if (name.empty() || name == "." || name == "..")
        return fail(errc::invalid_argument, "names no file", "path");
    std::error_code ec;
    if (!overwrite && fs::exists(fs::symlink_status(target, ec)))
        return fail(errc::conflict, "exists; pass overwrite to replace it", "path");
    // The CSV goes to a new file beside the target, created exclusively,
    // and takes the target's name only once it is whole.
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::random_device random;
    std::string temp;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
        char suffix[17];
        std::snprintf(suffix, sizeof suffix, "%08x%08x", random(), random());
        temp = (dir / ("." + name + "." + suffix + ".part")).string();
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) return file_error("cannot be written", errno);
    }
    if (fd < 0) return file_error("cannot be written", EEXIST);
    FdOut buf(fd);
    std::ostream out(&buf);
    auto written = export_customers_csv(engine, out, options);
    const bool whole = out.flush() && buf.close();
    const int err = errno;
    if (!written || !whole) {
        ::unlink(temp.c_str());
        if (!written) return written.error();
        return file_error("could not be written completely", err);
    }
    // rename() replaces the target, a link there included, never what a
    // link points to; link() gives the name only when nothing has it.
    if (overwrite ? ::rename(temp.c_str(), target.c_str()) != 0
                  : ::link(temp.c_str(), target.c_str()) != 0) {
        const int e = errno;
        ::unlink(temp.c_str());
        if (e == EEXIST) return fail(errc::conflict, "exists; pass overwrite to replace it", "path");
        return file_error("cannot be written", e);
    }
    if (!overwrite) ::unlink(temp.c_str());
    return written;
}

}  // namespace crm
