// bench/bench_analytics.cpp - the lifetime value figures, each beside its
// baseline in the same run:
//  - BG/NBD plus Gamma-Gamma fitted on the CDNOW summary (2,357
//    customers) by crmcore vs the same log-likelihoods minimised by scipy
//    (bench/clv_scipy.py; the faster of Nelder-Mead and BFGS);
//  - the summary, fit and scores of N parties with about 10 N purchases
//    read from SQLite and stored back (Analytics::score_clv) vs pandas
//    computing the summary alone from the raw rows (bench/clv_pandas.py),
//    and the raw SQLite C API reading the same rows (and, for the scores,
//    writing the same number of party_clv rows): the floor under both.
//    The parties are the segment data set's (bench/dataset.hpp); their
//    purchases are drawn from the models themselves (BG/NBD r = 1, alpha =
//    6, a = 1, b = 9 per week; Gamma-Gamma p = 6, q = 4, gamma = 15 USD at
//    600,000 rials), as real buying is, so the fits converge as they do on
//    real data: made once per size in $TMPDIR/crm_bench_clv_N_vS.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sqlite3.h>
#include <sstream>
#include <string>
#include <vector>

#include "crm/crm.hpp"
#include "dataset.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kSummary = std::string(CRM_SHARED_DATA) + "/cdnow/cdnow_customers_summary_with_transactions.csv";

std::vector<crm::analytics::CustomerSummary> cdnow_summary() {
    std::ifstream in(kSummary);
    std::string line;
    std::getline(in, line);
    std::vector<crm::analytics::CustomerSummary> out;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string f[5];
        for (auto& v : f) std::getline(ss, v, ',');
        crm::analytics::CustomerSummary c;
        c.customer = f[0];
        c.frequency = std::stod(f[1]);
        c.recency = std::stod(f[2]);
        c.age = std::stod(f[3]);
        c.monetary = std::stod(f[4]);
        out.push_back(c);
    }
    return out;
}

// crmcore: BG/NBD and Gamma-Gamma with standard errors.
void BM_ClvFitCdnow(benchmark::State& state) {
    const auto customers = cdnow_summary();
    double r = 0, gamma = 0;
    for (auto _ : state) {
        auto bg = crm::analytics::BgNbd::fit(customers);
        auto gg = crm::analytics::GammaGamma::fit(customers);
        if (!bg || !gg) {
            state.SkipWithError("fit failed");
            return;
        }
        r = bg.value().params().r;
        gamma = gg.value().params().gamma;
    }
    state.counters["r"] = r;
    state.counters["gamma"] = gamma;
}
BENCHMARK(BM_ClvFitCdnow)->Unit(benchmark::kMillisecond);

// Baseline: scipy on the same summary, five fits per method.
void BM_ClvFitCdnowScipy(benchmark::State& state) {
    const fs::path script = fs::path(CRM_BENCH_DIR) / "clv_scipy.py";
    const std::string cmd = "/usr/bin/python3 " + script.string() + " " + kSummary + " 5";
    for (auto _ : state) {
        std::string out;
        if (!crm_bench::run_baseline(state, cmd, out)) return;
        double median = 0, r = 0, gamma = 0;
        std::string method;
        std::istringstream(out) >> median >> method >> r >> gamma;
        state.SetIterationTime(median);
        state.SetLabel(method);
        state.counters["r"] = r;
        state.counters["gamma"] = gamma;
    }
}
BENCHMARK(BM_ClvFitCdnowScipy)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

void check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        std::abort();
    }
}

fs::path clv_dataset(std::int64_t n) {
    const fs::path parties = crm_bench::segment_dataset(n);
    const fs::path dir = parties.parent_path().parent_path() /
                         ("crm_bench_clv_" + std::to_string(n) + "_v" +
                          std::to_string(crm::storage::sqlite_schema_version()));
    const fs::path db = dir / "crm.db";
    if (fs::exists(dir / "ready")) return db;
    fs::remove_all(dir);
    fs::create_directories(dir);
    fs::copy_file(parties, db);
    std::fprintf(stderr, "drawing the purchases of %lld parties from BG/NBD and Gamma-Gamma ...\n",
                 static_cast<long long>(n));
    sqlite3* raw = nullptr;
    check(sqlite3_open(db.c_str(), &raw), raw, "open");
    check(sqlite3_exec(raw, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; BEGIN; "
                            "DELETE FROM purchase; DELETE FROM purchase_summary;",
                       nullptr, nullptr, nullptr),
          raw, "begin");
    std::vector<std::string> ids;
    {
        sqlite3_stmt* s = nullptr;
        check(sqlite3_prepare_v2(raw, "SELECT id FROM party ORDER BY id", -1, &s, nullptr), raw, "ids");
        while (sqlite3_step(s) == SQLITE_ROW)
            ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
        sqlite3_finalize(s);
    }
    sqlite3_stmt* ins = nullptr;
    check(sqlite3_prepare_v2(raw,
                             "INSERT INTO purchase (id, party_id, order_id, ordered_at, total_minor, "
                             "currency, lines) VALUES (?1, ?2, ?3, ?4, ?5, 'IRR', '[]')",
                             -1, &ins, nullptr),
          raw, "prepare");
    std::ofstream csv(dir / "purchases.csv");
    csv << "party_id,ordered_at,total_minor\n";
    std::mt19937_64 rng(1405);
    constexpr double kWeekMs = 7.0 * 86'400'000;
    const double start = static_cast<double>(crm_bench::kSegmentNow) - 104 * kWeekMs;
    std::gamma_distribution<double> rate(1.0, 1.0 / 6), spend_scale(4.0, 1.0 / 15);
    std::gamma_distribution<double> beta_a(1.0, 1.0), beta_b(9.0, 1.0);
    std::uniform_real_distribution<double> unit(0, 1);
    crm::IdGenerator gen;
    std::int64_t order = 0;
    for (const auto& party : ids) {
        const double lambda = rate(rng);  // purchases per week
        const double ga = beta_a(rng), gb = beta_b(rng);
        const double drop = ga / (ga + gb);
        const double nu = spend_scale(rng);
        std::gamma_distribution<double> amount(6.0, 1.0 / nu);  // USD
        double at = start + unit(rng) * 26 * kWeekMs;            // joined in the first half year
        // A customer may drop out after each repeat purchase, never after
        // the first (FHL 2005).
        for (bool first = true; at < static_cast<double>(crm_bench::kSegmentNow); first = false) {
            const auto rials = static_cast<std::int64_t>(amount(rng) * 600'000 / 10'000) * 10'000 + 10'000;
            const std::string id = gen.next(crm::Timestamp{crm_bench::kSegmentNow}).str();
            const std::string order_id = "c" + std::to_string(++order);
            const auto ms = static_cast<std::int64_t>(at);
            sqlite3_bind_text(ins, 1, id.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, party.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 3, order_id.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins, 4, ms);
            sqlite3_bind_int64(ins, 5, rials * 100);
            check(sqlite3_step(ins), raw, "insert");
            sqlite3_reset(ins);
            csv << party << ',' << ms << ',' << rials * 100 << '\n';
            if (!first && unit(rng) < drop) break;
            at += -std::log(1 - unit(rng)) / lambda * kWeekMs;
        }
    }
    sqlite3_finalize(ins);
    check(sqlite3_exec(raw,
                       "INSERT INTO purchase_summary (party_id, currency, count, total_minor, "
                       "first_at, last_at) SELECT party_id, currency, count(*), sum(total_minor), "
                       "min(ordered_at), max(ordered_at) FROM purchase GROUP BY party_id, currency; "
                       "COMMIT; PRAGMA wal_checkpoint(TRUNCATE); VACUUM",
                       nullptr, nullptr, nullptr),
          raw, "commit");
    sqlite3_close(raw);
    std::fprintf(stderr, "%lld purchases\n", static_cast<long long>(order));
    std::ofstream(dir / "ready") << "1\n";
    return db;
}

// A copy of the data set per run: scoring writes.
fs::path scratch_copy(const fs::path& db) {
    const fs::path copy = db.parent_path() / "clv_scratch.db";
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(copy.string() + suffix);
    fs::copy_file(db, copy);
    return copy;
}

// crmcore: summary of the stored purchases, BG/NBD and Gamma-Gamma fits,
// and every party's score stored, in one transaction.
void BM_ClvScoreStored(benchmark::State& state) {
    const auto db = clv_dataset(state.range(0));
    const auto copy = scratch_copy(db);
    crm::EngineOptions o;
    o.database = "sqlite:" + copy.string();
    o.clock = std::make_shared<crm::ManualClock>(crm::Timestamp{crm_bench::kSegmentNow});
    auto engine = crm::Engine::open(o).value();
    crm::Analytics an(*engine);
    crm::ClvRequest r;
    r.calibration_end = crm::Timestamp{crm_bench::kSegmentNow};
    std::int64_t scored = 0;
    for (auto _ : state) {
        auto run = an.score_clv({"bench", "bench"}, r);
        if (!run) {
            state.SkipWithError(run.error().message.c_str());
            return;
        }
        scored = run.value().scored;
    }
    state.counters["parties"] = static_cast<double>(scored);
}
BENCHMARK(BM_ClvScoreStored)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// crmcore: the summary alone (read and summarised, nothing fitted).
void BM_ClvSummaryStored(benchmark::State& state) {
    const auto db = clv_dataset(state.range(0));
    crm::EngineOptions o;
    o.database = "sqlite:" + db.string();
    o.mode = crm::OpenMode::read_only;
    auto engine = crm::Engine::open(o).value();
    crm::Analytics an(*engine);
    crm::ClvRequest r;
    r.calibration_end = crm::Timestamp{crm_bench::kSegmentNow};
    std::size_t customers = 0;
    for (auto _ : state) customers = an.clv_summary(r).value().customers.size();
    state.counters["customers"] = static_cast<double>(customers);
}
BENCHMARK(BM_ClvSummaryStored)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Baseline: the raw SQLite C API, configured as the engine configures a
// file (page cache, memory map, WAL, foreign keys), reading the rows the
// summary reads in the same order and doing nothing with them; with
// `write`, then inserting one party_clv row per party in one transaction,
// as a scoring run does, with values of the same widths. The floor under
// BM_ClvSummaryStored and BM_ClvScoreStored.
void raw_clv_rows(benchmark::State& state, bool write) {
    const auto db = clv_dataset(state.range(0));
    const fs::path file = write ? scratch_copy(db) : db;
    sqlite3* raw = nullptr;
    check(sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr), raw, "open");
    check(sqlite3_exec(raw,
                       "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; "
                       "PRAGMA mmap_size = 1073741824; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                       "PRAGMA wal_autocheckpoint = 10000",
                       nullptr, nullptr, nullptr),
          raw, "pragmas");
    std::int64_t rows = 0, parties = 0;
    for (auto _ : state) {
        sqlite3_stmt* scan = nullptr;
        check(sqlite3_prepare_v2(raw,
                                 "SELECT party_id, ordered_at, total_minor, currency FROM purchase "
                                 "WHERE party_id > ?1 ORDER BY party_id, ordered_at, id",
                                 -1, &scan, nullptr),
              raw, "prepare scan");
        sqlite3_bind_text(scan, 1, "", 0, SQLITE_STATIC);
        std::vector<std::string> ids;
        std::string last;
        std::int64_t sum = 0;
        rows = 0;
        while (sqlite3_step(scan) == SQLITE_ROW) {
            ++rows;
            const auto* party = reinterpret_cast<const char*>(sqlite3_column_text(scan, 0));
            const int len = sqlite3_column_bytes(scan, 0);
            sum += sqlite3_column_int64(scan, 1) + sqlite3_column_int64(scan, 2) + sqlite3_column_text(scan, 3)[0];
            if (write && std::string_view(party, static_cast<std::size_t>(len)) != last) {
                last.assign(party, static_cast<std::size_t>(len));
                ids.push_back(last);
            }
        }
        sqlite3_finalize(scan);
        benchmark::DoNotOptimize(sum);
        parties = static_cast<std::int64_t>(ids.size());
        if (!write) continue;
        sqlite3_stmt* ins = nullptr;
        check(sqlite3_exec(raw, "BEGIN; DELETE FROM party_clv", nullptr, nullptr, nullptr), raw, "begin");
        check(sqlite3_prepare_v2(raw,
                                 "INSERT INTO party_clv (party_id, computed_at, model, currency, value_minor, "
                                 "expected_spend_minor, expected_purchases, p_alive, horizon_days, discount_rate) "
                                 "VALUES (?1, ?2, 'bg_nbd', 'IRR', ?3, ?4, ?5, ?6, '365', '0.15')",
                                 -1, &ins, nullptr),
              raw, "prepare insert");
        for (std::size_t i = 0; i < ids.size(); ++i) {
            sqlite3_bind_text(ins, 1, ids[i].c_str(), static_cast<int>(ids[i].size()), SQLITE_STATIC);
            sqlite3_bind_int64(ins, 2, crm_bench::kSegmentNow);
            sqlite3_bind_int64(ins, 3, 1'234'567'800 + static_cast<std::int64_t>(i));
            sqlite3_bind_int64(ins, 4, 98'765'400);
            sqlite3_bind_text(ins, 5, "1.234567", -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 6, "0.876543", -1, SQLITE_STATIC);
            check(sqlite3_step(ins), raw, "insert");
            sqlite3_reset(ins);
        }
        sqlite3_finalize(ins);
        check(sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr), raw, "commit");
    }
    sqlite3_close(raw);
    state.counters["rows"] = static_cast<double>(rows);
    if (write) state.counters["parties"] = static_cast<double>(parties);
}

void BM_ClvRawScan(benchmark::State& state) { raw_clv_rows(state, false); }
BENCHMARK(BM_ClvRawScan)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_ClvRawScanWrite(benchmark::State& state) { raw_clv_rows(state, true); }
BENCHMARK(BM_ClvRawScanWrite)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Baseline: pandas computing the summary from the raw rows (loaded once,
// not timed), three times; the iteration time is the median.
void BM_ClvSummaryPandas(benchmark::State& state) {
    const auto db = clv_dataset(state.range(0));
    const fs::path script = fs::path(CRM_BENCH_DIR) / "clv_pandas.py";
    const std::string cmd = "/usr/bin/python3 " + script.string() + " " + db.parent_path().string() +
                            " " + std::to_string(crm_bench::kSegmentNow) + " 3";
    for (auto _ : state) {
        std::string out;
        if (!crm_bench::run_baseline(state, cmd, out)) return;
        double median = 0;
        long long customers = 0;
        std::istringstream(out) >> median >> customers;
        state.SetIterationTime(median);
        state.counters["customers"] = static_cast<double>(customers);
    }
}
BENCHMARK(BM_ClvSummaryPandas)
    ->Arg(1000)
    ->Arg(1'000'000)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
