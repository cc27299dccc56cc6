// bench/bench_customer.cpp - the customer 360 figures, each beside its
// baseline: bulk upsert vs a raw SQLite C API loop into the same tables,
// the 360 view and search vs the raw queries that read the same rows.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "crm/crm.hpp"

namespace {

std::string scratch(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("crm_bench_" + std::to_string(::getpid()) + "_" + name + ".db"))
        .string();
}

void remove_db(const std::string& path) {
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
}

double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// The i-th synthetic customer: a Persian name, an e-mail and an Iranian mobile.
struct Row {
    std::string ext, first, last, email, phone;
};
Row row(std::int64_t i) {
    static const char* first[] = {"علی", "مریم", "رضا", "زهرا", "حسین", "فاطمه", "محمد", "سارا"};
    static const char* last[] = {"کریمی", "احمدی", "رضایی", "موسوی", "حسینی", "جعفری", "صادقی"};
    Row r;
    r.ext = "C" + std::to_string(i);
    r.first = first[i % 8];
    r.last = std::string(last[(i / 8) % 7]) + " " + std::to_string(i);
    r.email = "user" + std::to_string(i) + "@example.ir";
    r.phone = "0912" + std::to_string(1000000 + i % 9000000);
    return r;
}

// Parties per transaction in the bulk cases, ours and the baseline alike
// (crm::ImportOptions::batch_size defaults to the same).
constexpr int kBatch = 10'000;

std::unique_ptr<crm::Engine> open_engine(const std::string& path) {
    crm::EngineOptions o;
    o.database = "sqlite:" + path;
    return std::move(crm::Engine::open(o).value());
}

// Upserts rows [from, to) in transactions of `batch`.
void upsert_range(crm::Engine& e, std::int64_t from, std::int64_t to, int batch = 1000) {
    const crm::Context ctx{"bench", "import"};
    for (std::int64_t i = from; i < to;) {
        (void)e.begin();
        for (int k = 0; k < batch && i < to; ++k, ++i) {
            Row r = row(i);
            crm::PartyInput in;
            in.external_id = r.ext;
            in.first_name = r.first;
            in.last_name = r.last;
            in.contacts.push_back(crm::ContactInput::of(crm::ContactKind::email, r.email));
            in.contacts.push_back(crm::ContactInput::of(crm::ContactKind::phone, r.phone));
            auto w = e.upsert_party(ctx, in);
            if (!w) std::abort();
        }
        if (!e.commit()) std::abort();
    }
}

// ---- bulk upsert -------------------------------------------------------------

void BM_EngineBulkUpsert(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    for (auto _ : state) {
        state.PauseTiming();
        const std::string path = scratch("upsert");
        remove_db(path);
        auto e = open_engine(path);
        state.ResumeTiming();
        upsert_range(*e, 0, n, kBatch);
        state.PauseTiming();
        e.reset();
        remove_db(path);
        state.ResumeTiming();
    }
    state.counters["parties_per_s"] =
        benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["peak_rss_mb"] = peak_rss_mb();
}
BENCHMARK(BM_EngineBulkUpsert)->Arg(1000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(1);

// The same upserts on "memory:", SQLite's in-memory database: what they
// cost without a file.
void BM_EngineBulkUpsertMemory(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    for (auto _ : state) {
        state.PauseTiming();
        auto e = std::move(crm::Engine::open(crm::EngineOptions{}).value());
        state.ResumeTiming();
        upsert_range(*e, 0, n);
        state.PauseTiming();
        e.reset();
        state.ResumeTiming();
    }
    state.counters["parties_per_s"] =
        benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EngineBulkUpsertMemory)->Arg(1000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(1);

// The baselines: rows into the same tables (the schema crmcore created)
// with the raw C API, the connection set up as crmcore sets up its own:
// prepared statements, one transaction per kBatch parties, no validation
// or normalisation. `party_only` writes the party row and its two contact
// lookup rows, the lower bound; `same_rows` also writes the audit row and
// the outbox event row, of the same size as crmcore's, so that it writes
// every row crmcore writes for a new party.
void BM_RawSqliteInsert(benchmark::State& state, bool history) {
    const std::int64_t n = state.range(0);
    for (auto _ : state) {
        state.PauseTiming();
        const std::string path = scratch("raw");
        remove_db(path);
        open_engine(path).reset();  // creates the schema
        sqlite3* db = nullptr;
        sqlite3_open(path.c_str(), &db);
        sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
                     "PRAGMA mmap_size=1073741824; PRAGMA temp_store=MEMORY; "
                     "PRAGMA wal_autocheckpoint=10000; PRAGMA journal_size_limit=67108864;",
                     nullptr, nullptr, nullptr);
        sqlite3_stmt *party = nullptr, *key = nullptr, *audit = nullptr, *event = nullptr;
        sqlite3_prepare_v2(db,
                           "INSERT INTO party (id, kind, external_id, first_name, last_name, contacts, "
                           "created_at, updated_at, version, name_key) VALUES (?,?,?,?,?,?,?,?,1,?)",
                           -1, &party, nullptr);
        sqlite3_prepare_v2(db, "INSERT INTO contact_key (kind, value, party_id) VALUES (?,?,?)", -1, &key,
                           nullptr);
        sqlite3_prepare_v2(db,
                           "INSERT INTO audit (at, actor, source, record_type, record_id, action, changes) "
                           "VALUES (?1, 'bench', 'import', 'party', ?2, 'create', ?3)",
                           -1, &audit, nullptr);
        sqlite3_prepare_v2(db,
                           "INSERT INTO event (at, type, record_type, record_id, payload) "
                           "VALUES (?1, 'party.created', 'party', ?2, ?3)",
                           -1, &event, nullptr);
        crm::IdGenerator ids;
        crm::SystemClock clock;
        state.ResumeTiming();
        for (std::int64_t i = 0; i < n;) {
            sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
            for (int k = 0; k < kBatch && i < n; ++k, ++i) {
                Row r = row(i);
                const std::int64_t now = clock.now().ms;
                const std::string id = ids.next(clock.now()).str();
                const std::string phone = "+98" + r.phone.substr(1);
                const std::string contacts =
                    "[{\"id\":\"" + id + "\",\"kind\":\"email\",\"type\":\"\",\"value\":\"" + r.email +
                    "\",\"primary\":true,\"verified\":false,\"operator\":\"\",\"consents\":[]},{\"id\":\"" + id +
                    "\",\"kind\":\"phone\",\"type\":\"\",\"value\":\"" + phone +
                    "\",\"primary\":true,\"verified\":false,\"operator\":\"Hamrah-e Aval\",\"consents\":[]}]";
                const std::string name = r.first + " " + r.last;
                sqlite3_bind_text(party, 1, id.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(party, 2, "person", -1, SQLITE_STATIC);
                sqlite3_bind_text(party, 3, r.ext.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(party, 4, r.first.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(party, 5, r.last.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(party, 6, contacts.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(party, 7, now);
                sqlite3_bind_int64(party, 8, now);
                sqlite3_bind_text(party, 9, name.c_str(), -1, SQLITE_TRANSIENT);
                if (sqlite3_step(party) != SQLITE_DONE) std::abort();
                sqlite3_reset(party);
                for (const auto& [kind, value] : {std::pair<const char*, const std::string&>{"email", r.email},
                                                  {"phone", phone}}) {
                    sqlite3_bind_text(key, 1, kind, -1, SQLITE_STATIC);
                    sqlite3_bind_text(key, 2, value.c_str(), -1, SQLITE_TRANSIENT);
                    sqlite3_bind_text(key, 3, id.c_str(), -1, SQLITE_TRANSIENT);
                    if (sqlite3_step(key) != SQLITE_DONE) std::abort();
                    sqlite3_reset(key);
                }
                if (!history) continue;
                // The record as JSON, once for the event and once, field by
                // field, for the audit entry: as large as crmcore's.
                const std::string record = "{\"id\":\"" + id + "\",\"kind\":\"person\",\"external_id\":\"" +
                                           r.ext + "\",\"display_name\":\"" + name + "\",\"first_name\":\"" +
                                           r.first + "\",\"last_name\":\"" + r.last +
                                           "\",\"lifecycle_stage\":\"lead\",\"tags\":[],\"custom\":{},\"contacts\":" +
                                           contacts + ",\"version\":1}";
                sqlite3_bind_int64(audit, 1, now);
                sqlite3_bind_text(audit, 2, id.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(audit, 3, record.c_str(), -1, SQLITE_TRANSIENT);
                if (sqlite3_step(audit) != SQLITE_DONE) std::abort();
                sqlite3_reset(audit);
                sqlite3_bind_int64(event, 1, now);
                sqlite3_bind_text(event, 2, id.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(event, 3, record.c_str(), -1, SQLITE_TRANSIENT);
                if (sqlite3_step(event) != SQLITE_DONE) std::abort();
                sqlite3_reset(event);
            }
            sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        }
        state.PauseTiming();
        for (sqlite3_stmt* st : {party, key, audit, event}) sqlite3_finalize(st);
        sqlite3_close(db);
        remove_db(path);
        state.ResumeTiming();
    }
    state.counters["parties_per_s"] =
        benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(BM_RawSqliteInsert, party_only, false)
    ->Arg(1000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_RawSqliteInsert, same_rows, true)
    ->Arg(1000)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->Iterations(1);

// How a generated key is read: `exec_insert` reads sqlite3_last_insert_rowid
// after the INSERT (what the repositories do); `returning` writes
// `RETURNING seq` into the SQL, the form a server database needs. The same
// 600-byte audit rows into the library's audit table, transactions of
// kBatch; the difference is what RETURNING costs an insert on SQLite.
void BM_RawInsertKey(benchmark::State& state, bool returning) {
    const std::int64_t n = state.range(0);
    const std::string changes(600, 'x');
    std::int64_t keys = 0;
    for (auto _ : state) {
        state.PauseTiming();
        const std::string path = scratch("key");
        remove_db(path);
        open_engine(path).reset();  // creates the schema
        sqlite3* db = nullptr;
        sqlite3_open(path.c_str(), &db);
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr, nullptr);
        sqlite3_stmt* audit = nullptr;
        sqlite3_prepare_v2(db,
                           returning ? "INSERT INTO audit (at, actor, source, record_type, record_id, "
                                       "action, changes) VALUES (?1, 'bench', 'bench', 'party', ?2, "
                                       "'update', ?3) RETURNING seq"
                                     : "INSERT INTO audit (at, actor, source, record_type, record_id, "
                                       "action, changes) VALUES (?1, 'bench', 'bench', 'party', ?2, "
                                       "'update', ?3)",
                           -1, &audit, nullptr);
        crm::IdGenerator ids;
        crm::SystemClock clock;
        state.ResumeTiming();
        for (std::int64_t i = 0; i < n;) {
            sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
            for (int k = 0; k < kBatch && i < n; ++k, ++i) {
                const std::string id = ids.next(clock.now()).str();
                sqlite3_bind_int64(audit, 1, clock.now().ms);
                sqlite3_bind_text(audit, 2, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
                sqlite3_bind_text(audit, 3, changes.data(), static_cast<int>(changes.size()), SQLITE_STATIC);
                int rc = sqlite3_step(audit);
                if (returning) {
                    if (rc == SQLITE_ROW) keys += sqlite3_column_int64(audit, 0);
                    while (rc == SQLITE_ROW) rc = sqlite3_step(audit);
                } else {
                    keys += sqlite3_last_insert_rowid(db);
                }
                if (rc != SQLITE_DONE) state.SkipWithError("insert failed");
                sqlite3_reset(audit);
            }
            sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        }
        state.PauseTiming();
        sqlite3_finalize(audit);
        sqlite3_close(db);
        remove_db(path);
        state.ResumeTiming();
    }
    benchmark::DoNotOptimize(keys);
    state.counters["inserts_per_s"] =
        benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(BM_RawInsertKey, exec_insert, false)
    ->Arg(1000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_CAPTURE(BM_RawInsertKey, returning, true)
    ->Arg(1000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(1);

// ---- reads on a warm database -------------------------------------------------

// A database of n parties, built once per size and kept for the process;
// its file goes when the process ends.
struct Fixture {
    std::string path;
    std::unique_ptr<crm::Engine> engine;
    crm::Id rich;  // 5 contact points, 50 interactions, 10 purchases

    Fixture() = default;
    Fixture(Fixture&&) = default;
    Fixture& operator=(Fixture&&) = default;
    ~Fixture() {
        if (!engine) return;
        engine.reset();
        remove_db(path);
    }
};

Fixture& fixture(std::int64_t n) {
    static std::map<std::int64_t, Fixture> cache;
    auto it = cache.find(n);
    if (it != cache.end()) return it->second;
    Fixture f;
    f.path = scratch("read_" + std::to_string(n));
    remove_db(f.path);
    f.engine = open_engine(f.path);
    upsert_range(*f.engine, 0, n, 5000);
    crm::Engine& e = *f.engine;
    const crm::Context ctx{"bench", "api"};
    f.rich = e.get_party_by_external_id("C" + std::to_string(n / 2)).value().id;
    crm::PartyInput more;
    more.contacts.push_back(crm::ContactInput::of(crm::ContactKind::phone, "02188776655", "work"));
    more.contacts.push_back(crm::ContactInput::of(crm::ContactKind::email, "home@example.ir", "home"));
    more.contacts.push_back(crm::ContactInput::of(crm::ContactKind::address, "تهران، خیابان ولیعصر، پلاک ۱۲"));
    (void)e.update_party(ctx, f.rich, more);
    for (int k = 0; k < 50; ++k) {
        crm::Interaction i;
        i.party = f.rich;
        i.channel = crm::Channel::call;
        i.at = crm::Timestamp{1'700'000'000'000 + k * 60'000};
        i.subject = "تماس " + std::to_string(k);
        (void)e.log_interaction(ctx, i);
    }
    for (int k = 0; k < 10; ++k) {
        crm::Purchase p;
        p.party = f.rich;
        p.order_id = "SO-" + std::to_string(k);
        p.ordered_at = crm::Timestamp{1'700'000'000'000 + k * 86'400'000};
        p.total = crm::Money{1'000'000'00 * (k + 1), "IRR"};
        (void)e.record_purchase(ctx, p);
    }
    return cache.emplace(n, std::move(f)).first->second;
}

void BM_Engine360View(benchmark::State& state) {
    Fixture& f = fixture(state.range(0));
    for (auto _ : state) {
        auto v = f.engine->customer_360(f.rich, 20);
        if (!v || v.value().party.contacts.size() != 5) std::abort();
        benchmark::DoNotOptimize(v);
    }
}
BENCHMARK(BM_Engine360View)->Arg(1000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

// The baseline: the same rows read with raw prepared statements in one
// read transaction, copied into strings, without decoding.
void BM_Raw360Queries(benchmark::State& state) {
    Fixture& f = fixture(state.range(0));
    sqlite3* db = nullptr;
    sqlite3_open_v2(f.path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    const char* sql[] = {
        "SELECT * FROM party WHERE id = ?1",
        "SELECT * FROM membership WHERE person = ?1 OR organization = ?1",
        "SELECT * FROM interaction WHERE party_id = ?1 ORDER BY at DESC, id DESC LIMIT 20",
        "SELECT * FROM activity WHERE party_id = ?1 AND status = 'open' ORDER BY due_at LIMIT 100",
        "SELECT * FROM purchase_summary WHERE party_id = ?1",
        "SELECT merged FROM merge_log WHERE survivor = ?1"};
    std::vector<sqlite3_stmt*> stmts;
    for (const char* s : sql) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db, s, -1, &st, nullptr) != SQLITE_OK) std::abort();
        stmts.push_back(st);
    }
    const std::string id = f.rich.str();
    for (auto _ : state) {
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        std::size_t bytes = 0;
        for (auto* st : stmts) {
            sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_STATIC);
            while (sqlite3_step(st) == SQLITE_ROW)
                for (int c = 0; c < sqlite3_column_count(st); ++c) {
                    std::string v(reinterpret_cast<const char*>(sqlite3_column_text(st, c) ? sqlite3_column_text(st, c) : reinterpret_cast<const unsigned char*>("")));
                    bytes += v.size();
                }
            sqlite3_reset(st);
        }
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        benchmark::DoNotOptimize(bytes);
    }
    for (auto* st : stmts) sqlite3_finalize(st);
    sqlite3_close(db);
}
BENCHMARK(BM_Raw360Queries)->Arg(1000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

// Searches for each query in turn, five hits a page; each must find its party.
void run_searches(benchmark::State& state, crm::Engine& e, const std::vector<std::string>& queries) {
    std::size_t k = 0;
    for (auto _ : state) {
        crm::SearchQuery q;
        q.text = queries[k++ % queries.size()];
        q.limit = 5;
        auto hits = e.search(q);
        if (!hits || hits.value().empty()) std::abort();
    }
}

void BM_EngineSearchByPhone(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    Fixture& f = fixture(n);
    std::mt19937_64 rng(42);
    std::vector<std::string> queries;
    for (int k = 0; k < 1000; ++k) {
        // Any spelling: +98 with spaces, as the phone was never written.
        const std::string local = row(static_cast<std::int64_t>(rng() % n)).phone;
        queries.push_back("+98 " + local.substr(1, 3) + " " + local.substr(4, 3) + " " + local.substr(7));
    }
    run_searches(state, *f.engine, queries);
}
BENCHMARK(BM_EngineSearchByPhone)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

void BM_EngineSearchByEmail(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    Fixture& f = fixture(n);
    std::mt19937_64 rng(7);
    std::vector<std::string> queries;
    for (int i = 0; i < 1000; ++i) queries.push_back(row(static_cast<std::int64_t>(rng() % n)).email);
    run_searches(state, *f.engine, queries);
}
BENCHMARK(BM_EngineSearchByEmail)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

// The baseline: the index lookup alone, raw, on the normalised value.
void BM_RawLookupByPhone(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    Fixture& f = fixture(n);
    sqlite3* db = nullptr;
    sqlite3_open_v2(f.path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT party_id FROM contact_key WHERE kind = 'phone' AND value = ?1", -1, &st, nullptr);
    std::mt19937_64 rng(42);
    std::vector<std::string> queries;
    for (int k = 0; k < 1000; ++k)
        queries.push_back("+98" + row(static_cast<std::int64_t>(rng() % n)).phone.substr(1));
    std::size_t k = 0;
    for (auto _ : state) {
        sqlite3_bind_text(st, 1, queries[k++ % queries.size()].c_str(), -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW) std::abort();
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}
BENCHMARK(BM_RawLookupByPhone)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMicrosecond);

}  // namespace
