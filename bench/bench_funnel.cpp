// bench/bench_funnel.cpp - the funnel of N opportunities with 5 N history
// rows (created in qualify, on to develop, propose and negotiate, then won
// or lost, a day in each stage) by Analytics::funnel, beside its baseline in
// the same run: the raw SQLite C API stepping the same stage changes in the
// same order from the same index and reading every column the funnel reads.
// The history is written straight into a file the Engine made (made once
// per size under $TMPDIR/crm_bench_funnel_N_v9.db): the funnel reads only
// the process definition and the history.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <sqlite3.h>
#include <string>

#include "crm/crm.hpp"

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kStart = 1'735'689'600'000;  // 2025-01-01T00:00:00Z

fs::path funnel_dataset(std::int64_t n) {
    const char* tmp = std::getenv("TMPDIR");
    const fs::path file = fs::path(tmp ? tmp : "/tmp") / ("crm_bench_funnel_" + std::to_string(n) + "_v9.db");
    if (fs::exists(file)) return file;
    const fs::path part = file.string() + ".part";
    fs::remove(part);
    {
        crm::EngineOptions o;
        o.database = "sqlite:" + part.string();
        o.mode = crm::OpenMode::create;
        auto engine = crm::Engine::open(o);
        if (!engine) return {};
        if (!engine.value()->define_process(crm::Context{"bench", "bench"}, crm::default_pipeline_json())) return {};
    }
    sqlite3* db = nullptr;
    if (sqlite3_open(part.c_str(), &db) != SQLITE_OK) return {};
    const std::string sql =
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;"
        "WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i < " + std::to_string(n - 1) +
        "), s(k, f, t) AS (VALUES (0, '', 'qualify'), (1, 'qualify', 'develop'), (2, 'develop', 'propose'), "
        "(3, 'propose', 'negotiate'), (4, 'negotiate', 'lost')) "
        "INSERT INTO history (record_type, record_id, process, process_version, from_state, to_state, move, at, "
        "actor, reason, values_json, duration_ms) "
        "SELECT 'opportunity', printf('%08x-0000-7000-8000-%012x', i, i), 'sales', 1, f, "
        "CASE WHEN k = 4 AND i % 3 = 0 THEN 'won' ELSE t END, 'm', " + std::to_string(kStart) +
        " + i * 1000 + k * 86400000, 'bench', '', '{}', CASE WHEN k = 0 THEN 0 ELSE 86400000 END "
        "FROM r, s ORDER BY i, k; COMMIT; ANALYZE;";
    const bool ok = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    if (!ok) return {};
    fs::rename(part, file);
    return file;
}

void BM_Funnel(benchmark::State& state) {
    const fs::path file = funnel_dataset(state.range(0));
    if (file.empty()) {
        state.SkipWithError("cannot make the data set");
        return;
    }
    crm::EngineOptions o;
    o.database = "sqlite:" + file.string();
    o.mode = crm::OpenMode::read_only;
    auto engine = crm::Engine::open(o);
    if (!engine) {
        state.SkipWithError(engine.error().what().c_str());
        return;
    }
    crm::Analytics an(*engine.value());
    crm::FunnelQuery q;
    q.time_zone = "UTC";
    std::int64_t records = 0;
    for (auto _ : state) {
        auto f = an.funnel(q);
        if (!f) {
            state.SkipWithError(f.error().what().c_str());
            return;
        }
        records = f.value().records;
        benchmark::DoNotOptimize(f.value().stages);
    }
    if (records != state.range(0)) state.SkipWithError("the funnel did not count every record");
    state.counters["history_rows"] = static_cast<double>(5 * state.range(0));
}
BENCHMARK(BM_Funnel)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// The baseline: the same rows through the raw C API, every column read.
void BM_FunnelRawSqlite(benchmark::State& state) {
    const fs::path file = funnel_dataset(state.range(0));
    sqlite3* db = nullptr;
    if (file.empty() || sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        state.SkipWithError("cannot open the data set");
        return;
    }
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT record_id, from_state, to_state, at, duration_ms FROM history "
                       "WHERE record_type = 'opportunity' AND process = 'sales' AND from_state <> to_state "
                       "ORDER BY record_id, seq",
                       -1, &st, nullptr);
    for (auto _ : state) {
        std::int64_t sum = 0, rows = 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            sum += sqlite3_column_bytes(st, 0) + sqlite3_column_bytes(st, 1) + sqlite3_column_bytes(st, 2) +
                   sqlite3_column_int64(st, 3) + sqlite3_column_int64(st, 4);
            benchmark::DoNotOptimize(sqlite3_column_text(st, 0));
            ++rows;
        }
        sqlite3_reset(st);
        benchmark::DoNotOptimize(sum);
        if (rows != 5 * state.range(0)) state.SkipWithError("the scan did not read every row");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}
BENCHMARK(BM_FunnelRawSqlite)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace
