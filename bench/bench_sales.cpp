// bench/bench_sales.cpp - the sales figures, each beside its baseline: a
// 5-condition rule evaluated by crm::expr vs the same test written in C++,
// stage transitions (history, audit, event) vs raw inserts of the same
// history rows, and the forecast vs the raw aggregate queries it runs.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crm/crm.hpp"
#include "raw_rows.hpp"

namespace {

std::string scratch(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("crm_bench_sales_" + std::to_string(::getpid()) + "_" + name + ".db"))
        .string();
}

void remove_db(const std::string& path) {
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
}

std::unique_ptr<crm::Engine> open_engine(const std::string& path) {
    crm::EngineOptions o;
    o.database = "sqlite:" + path;
    return std::move(crm::Engine::open(o).value());
}

// ---- crm::expr in memory -------------------------------------------------------

crm::expr::Schema deal_schema() {
    crm::expr::Schema s;
    (void)s.add("city", crm::expr::Type::text);
    (void)s.add("stage", crm::expr::Type::text);
    (void)s.add("amount", crm::expr::Type::money);
    (void)s.add("probability", crm::expr::Type::integer);
    (void)s.add("tags", crm::expr::Type::text_list);
    return s;
}

// Records that hold the rule about half the time, by a different condition.
std::vector<crm::expr::MapRecord> deal_records() {
    std::vector<crm::expr::MapRecord> out(64);
    for (std::size_t i = 0; i < out.size(); ++i) {
        auto& v = out[i].values;
        v["city"] = std::string(i % 3 ? "تهران" : "شیراز");
        v["stage"] = std::string(i % 5 ? "propose" : "qualify");
        v["amount"] = crm::Money{static_cast<std::int64_t>(1'000'000 * (i % 7)), "IRR"};
        v["probability"] = static_cast<std::int64_t>(10 * (i % 10));
        v["tags"] = std::vector<std::string>{i % 2 ? "vip" : "new", "b2b"};
    }
    return out;
}

constexpr const char* kRule =
    R"(city = "تهران" and stage in ["propose", "negotiate"] and amount >= 2000000 IRR )"
    R"(and probability between 20 and 90 and tags contains "vip")";

// The same rule over the same values, held as MapRecords (looked up by
// name) or as RowRecords of the rule's schema (read by position).
const crm::expr::Schema& deal_schema_kept() {
    static const crm::expr::Schema s = deal_schema();
    return s;
}

std::vector<crm::expr::RowRecord> deal_rows() {
    std::vector<crm::expr::RowRecord> out;
    for (const auto& r : deal_records()) {
        out.emplace_back(deal_schema_kept());
        for (const auto& [k, v] : r.values) (void)out.back().set(k, v);
    }
    return out;
}

template <class Record>
void evaluate_rule(benchmark::State& state, const std::vector<Record>& records) {
    auto expr = crm::expr::Expr::from_text(kRule, deal_schema_kept()).value();
    auto matcher = crm::expr::Matcher::make(expr, {crm::Timestamp{0}, "Asia/Tehran"}).value();
    std::size_t i = 0, held = 0;
    for (auto _ : state) {
        held += matcher.matches(records[i++ & 63]);
    }
    benchmark::DoNotOptimize(held);
    state.SetItemsProcessed(state.iterations());
}

void BM_ExprEvaluate5Conditions(benchmark::State& state) { evaluate_rule(state, deal_records()); }
BENCHMARK(BM_ExprEvaluate5Conditions);

void BM_ExprEvaluate5ConditionsRow(benchmark::State& state) { evaluate_rule(state, deal_rows()); }
BENCHMARK(BM_ExprEvaluate5ConditionsRow);

// Baselines: the same five tests hand-written over the same records, texts
// compared by their normalised keys prepared once (as the rule's literals
// are), a record's text normalised only when it is not already its own key.
// `read(record, name)` finds a field's value.
template <class Record, class Read>
void plain_tests(benchmark::State& state, const std::vector<Record>& records, Read read) {
    const std::string tehran = crm::text::normalize("تهران");
    std::size_t i = 0, held = 0;
    for (auto _ : state) {
        const auto& r = records[i++ & 63];
        const auto& city = std::get<std::string>(read(r, 0));
        const auto& stage = std::get<std::string>(read(r, 1));
        const auto& amount = std::get<crm::Money>(read(r, 2));
        const auto p = std::get<std::int64_t>(read(r, 3));
        const auto& tags = std::get<std::vector<std::string>>(read(r, 4));
        const bool in_tehran = crm::text::is_key(city) ? city == tehran : crm::text::normalize(city) == tehran;
        held += in_tehran && (stage == "propose" || stage == "negotiate") &&
                amount.currency == "IRR" && amount.minor >= 200'000'000 && p >= 20 && p <= 90 &&
                std::find(tags.begin(), tags.end(), "vip") != tags.end();
    }
    benchmark::DoNotOptimize(held);
    state.SetItemsProcessed(state.iterations());
}

constexpr const char* kDealFields[] = {"city", "stage", "amount", "probability", "tags"};

// Over MapRecords: each field looked up by name.
void BM_PlainLoop5Conditions(benchmark::State& state) {
    plain_tests(state, deal_records(), [](const crm::expr::MapRecord& r, int f) -> const crm::Value& {
        return r.values.at(kDealFields[f]);
    });
}
BENCHMARK(BM_PlainLoop5Conditions);

// Over RowRecords: each field read at its position.
void BM_PlainLoop5ConditionsRow(benchmark::State& state) {
    std::uint32_t slots[5];
    for (int f = 0; f < 5; ++f) slots[f] = static_cast<std::uint32_t>(deal_schema_kept().slot(kDealFields[f]));
    plain_tests(state, deal_rows(), [&slots](const crm::expr::RowRecord& r, int f) -> const crm::Value& {
        return *r.at(slots[f]);
    });
}
BENCHMARK(BM_PlainLoop5ConditionsRow);

// ---- stage transitions -----------------------------------------------------------

constexpr int kMoveBatch = 1000;  // moves per transaction, ours and the baseline alike

// n opportunities of one party in the first stage of the built-in pipeline,
// created in transactions of kMoveBatch.
std::vector<crm::Id> create_deals(crm::Engine& engine, std::int64_t n) {
    const crm::Context ctx{"bench", "bench"};
    crm::PartyInput pi;
    pi.last_name = "Bench";
    crm::OpportunityInput in;
    in.party = engine.create_party(ctx, pi).value().id;
    in.name = "deal";
    in.amount = crm::Money{5'000'000, "IRR"};
    crm::Sales sales(engine);
    std::vector<crm::Id> ids;
    ids.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; i += kMoveBatch) {
        (void)engine.begin();
        for (std::int64_t k = i; k < std::min(n, i + kMoveBatch); ++k)
            ids.push_back(sales.create_opportunity(ctx, in).value().id);
        (void)engine.commit();
    }
    return ids;
}

// n opportunities moved qualify -> develop: each move writes the deal, a
// history row, an audit entry and an event.
void BM_StageTransitions(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    for (auto _ : state) {
        state.PauseTiming();
        const std::string path = scratch("moves");
        remove_db(path);
        auto engine = open_engine(path);
        const crm::Context ctx{"bench", "bench"};
        crm::Sales sales(*engine);
        const std::vector<crm::Id> ids = create_deals(*engine, n);
        crm::MoveInput m;
        m.move = "develop";
        m.reason = "first meeting held";
        state.ResumeTiming();
        for (std::int64_t i = 0; i < n; i += kMoveBatch) {
            (void)engine->begin();
            for (std::int64_t k = i; k < std::min(n, i + kMoveBatch); ++k)
                if (!sales.move_opportunity(ctx, ids[static_cast<std::size_t>(k)], m))
                    state.SkipWithError("a move failed");
            (void)engine->commit();
        }
        state.PauseTiming();
        engine.reset();
        remove_db(path);
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_StageTransitions)->Arg(1000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(1);

// Baseline: the raw C API inserting n history rows like the ones a move
// writes, in the same batches and connection settings.
void BM_RawHistoryInsert(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    for (auto _ : state) {
        state.PauseTiming();
        const std::string path = scratch("raw_history");
        remove_db(path);
        open_engine(path).reset();  // the schema
        sqlite3* db = nullptr;
        sqlite3_open(path.c_str(), &db);
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
                     nullptr, nullptr, nullptr);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db,
                           "INSERT INTO history (record_type, record_id, process, process_version, "
                           "from_state, to_state, move, at, actor, reason, values_json, duration_ms) "
                           "VALUES ('opportunity', ?1, 'sales', 1, 'qualify', 'develop', 'develop', "
                           "?2, 'bench', 'first meeting held', ?3, ?4)",
                           -1, &st, nullptr);
        crm::IdGenerator ids;
        crm::SystemClock clock;
        const std::string values =
            R"({"amount":{"minor":5000000,"currency":"IRR"},"probability":30,)"
            R"("expected_close":"","forecast_category":"pipeline","owner":""})";
        state.ResumeTiming();
        for (std::int64_t i = 0; i < n;) {
            sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
            for (int k = 0; k < kMoveBatch && i < n; ++k, ++i) {
                const std::string id = ids.next(clock.now()).str();
                sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(st, 2, clock.now().ms);
                sqlite3_bind_text(st, 3, values.c_str(), -1, SQLITE_STATIC);
                sqlite3_bind_int64(st, 4, 1000);
                sqlite3_step(st);
                sqlite3_reset(st);
            }
            sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        }
        state.PauseTiming();
        sqlite3_finalize(st);
        sqlite3_close(db);
        remove_db(path);
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_RawHistoryInsert)->Arg(1000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(1);

// The floor under a move: the raw C API writing exactly the rows a move
// writes (the deal's row with its whole body, the history row, the stage
// sum, the audit entry and the event carrying the body), with no logic at
// all, in the same batches, on deals created through crmcore.
void BM_RawMoveRows(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    for (auto _ : state) {
        state.PauseTiming();
        const std::string path = scratch("raw_moves");
        remove_db(path);
        std::vector<std::string> ids;
        for (const auto& id : create_deals(*open_engine(path), n)) ids.push_back(id.str());
        sqlite3* db = nullptr;
        sqlite3_open(path.c_str(), &db);
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
                     nullptr, nullptr, nullptr);
        std::string body;
        {
            sqlite3_stmt* one = nullptr;
            sqlite3_prepare_v2(db, "SELECT body FROM opportunity LIMIT 1", -1, &one, nullptr);
            if (sqlite3_step(one) == SQLITE_ROW)
                body = reinterpret_cast<const char*>(sqlite3_column_text(one, 0));
            sqlite3_finalize(one);
        }
        const std::vector<const char*> sql = {
            "UPDATE opportunity SET stage = 'develop', probability = 30, updated_at = ?2, "
            "body = ?3 WHERE id = ?1",
            "INSERT INTO history (record_type, record_id, process, process_version, from_state, "
            "to_state, move, at, actor, reason, values_json, duration_ms) VALUES ('opportunity', "
            "?1, 'sales', 1, 'qualify', 'develop', 'develop', ?2, 'bench', 'first meeting held', "
            "'{\"amount\":{\"minor\":5000000,\"currency\":\"IRR\"},\"probability\":30}', 1000)",
            "INSERT INTO stage_time (record_type, bucket, process, stage, moves, total_ms) VALUES "
            "('opportunity', ?2 / 900000, 'sales', 'qualify', 1, 1000) ON CONFLICT DO UPDATE SET "
            "moves = moves + 1, total_ms = total_ms + 1000",
            "INSERT INTO audit (at, actor, source, record_type, record_id, action, changes) VALUES "
            "(?2, 'bench', 'bench', 'opportunity', ?1, 'move', '[{\"field\":\"stage\",\"before\":"
            "\"qualify\",\"after\":\"develop\"},{\"field\":\"probability\",\"before\":\"10\","
            "\"after\":\"30\"}]')",
            "INSERT INTO event (at, type, record_type, record_id, payload) VALUES (?2, "
            "'opportunity.moved', 'opportunity', ?1, ?3)"};
        state.ResumeTiming();
        const std::string error = crm_bench::write_raw_rows(
            db, sql, n, kMoveBatch, [&](std::int64_t i) { return ids[static_cast<std::size_t>(i)]; },
            body);
        if (!error.empty()) state.SkipWithError(error.c_str());
        state.PauseTiming();
        sqlite3_close(db);
        remove_db(path);
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_RawMoveRows)->Arg(1000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(1);

// ---- the forecast ------------------------------------------------------------------

// n opportunities over 20 owners and 5 history rows each, written with the
// raw C API into a crmcore database (built once per size), spread over the
// Gregorian year 2025 (Jalali 1403-10 .. 1404-10).
struct ForecastData {
    std::string path;
    std::unique_ptr<crm::Engine> engine;

    ForecastData() = default;
    ForecastData(ForecastData&&) = default;
    ForecastData& operator=(ForecastData&&) = default;
    ~ForecastData() {  // the file goes when the process ends
        if (!engine) return;
        engine.reset();
        remove_db(path);
    }
};

ForecastData& forecast_data(std::int64_t n) {
    static std::map<std::int64_t, ForecastData> cache;
    if (auto it = cache.find(n); it != cache.end()) return it->second;
    ForecastData d;
    d.path = scratch("forecast_" + std::to_string(n));
    remove_db(d.path);
    {
        auto engine = open_engine(d.path);
        (void)engine->define_process({"bench", "bench"}, crm::default_pipeline_json());
    }
    sqlite3* db = nullptr;
    sqlite3_open(d.path.c_str(), &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt *opp = nullptr, *hist = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO opportunity (id, party_id, pipeline, pipeline_version, stage, "
                       "status, owner, team, forecast_category, amount_minor, currency, probability, "
                       "expected_close, closed_at, revenue_minor, updated_at, body) VALUES "
                       "(?1, ?1, 'sales', 1, ?2, ?3, ?4, ?5, ?6, ?7, 'IRR', ?8, ?9, ?10, ?11, 0, '{}')",
                       -1, &opp, nullptr);
    sqlite3_prepare_v2(db,
                       "INSERT INTO history (record_type, record_id, process, process_version, "
                       "from_state, to_state, move, at, actor, reason, values_json, duration_ms) "
                       "VALUES ('opportunity', ?1, 'sales', 1, ?2, ?3, ?3, ?4, 'bench', '', '{}', ?5)",
                       -1, &hist, nullptr);
    static const char* stages[] = {"qualify", "develop", "propose", "negotiate", "won", "lost"};
    static const char* categories[] = {"pipeline", "pipeline", "best_case", "commit", "closed", "closed"};
    static const int probabilities[] = {10, 30, 60, 80, 100, 0};
    const std::int64_t year_start = 1'735'689'600'000;  // 2025-01-01T00:00Z
    crm::IdGenerator ids;
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (std::int64_t i = 0; i < n; ++i) {
        const int s = static_cast<int>(i % 6);
        const std::int64_t at = year_start + (i * 997 % 365) * 86'400'000;
        const std::string id = ids.next(crm::Timestamp{at}).str();
        char close[16];
        std::snprintf(close, sizeof close, "2025-%02d-%02d", static_cast<int>(i % 12) + 1,
                      static_cast<int>(i % 28) + 1);
        const std::string owner = "user:" + std::to_string(i % 20);
        sqlite3_bind_text(opp, 1, id.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(opp, 2, stages[s], -1, SQLITE_STATIC);
        sqlite3_bind_text(opp, 3, s == 4 ? "won" : s == 5 ? "lost" : "open", -1, SQLITE_STATIC);
        sqlite3_bind_text(opp, 4, owner.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(opp, 5, i % 2 ? "north" : "south", -1, SQLITE_STATIC);
        sqlite3_bind_text(opp, 6, categories[s], -1, SQLITE_STATIC);
        sqlite3_bind_int64(opp, 7, 1'000'000 + (i % 1000) * 10'000);
        sqlite3_bind_int(opp, 8, probabilities[s]);
        sqlite3_bind_text(opp, 9, close, -1, SQLITE_TRANSIENT);
        if (s >= 4) sqlite3_bind_int64(opp, 10, at + 30 * 86'400'000LL);
        else sqlite3_bind_null(opp, 10);
        sqlite3_bind_int64(opp, 11, s == 4 ? 1'000'000 + (i % 1000) * 10'000 : 0);
        sqlite3_step(opp);
        sqlite3_reset(opp);
        for (int h = 0; h < 5; ++h) {
            sqlite3_bind_text(hist, 1, id.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(hist, 2, h == 0 ? "" : stages[(h - 1) % 4], -1, SQLITE_STATIC);
            sqlite3_bind_text(hist, 3, stages[h % 4], -1, SQLITE_STATIC);
            sqlite3_bind_int64(hist, 4, at + h * 5 * 86'400'000LL);
            sqlite3_bind_int64(hist, 5, h == 0 ? 0 : 5 * 86'400'000LL);
            sqlite3_step(hist);
            sqlite3_reset(hist);
        }
        if (i % 100'000 == 99'999) {
            sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
            sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        }
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    // The quarter-hour sums each history insert through crmcore keeps.
    sqlite3_exec(db,
                 "INSERT INTO stage_time (record_type, bucket, process, stage, moves, total_ms) "
                 "SELECT record_type, at / 900000, process, from_state, count(*), sum(duration_ms) "
                 "FROM history WHERE from_state <> '' AND from_state <> to_state "
                 "GROUP BY record_type, at / 900000, process, from_state; ANALYZE;",
                 nullptr, nullptr, nullptr);
    sqlite3_finalize(opp);
    sqlite3_finalize(hist);
    sqlite3_close(db);
    d.engine = open_engine(d.path);
    return cache.emplace(n, std::move(d)).first->second;
}

// The forecast of Jalali 1404-Q1 (2025-03-21 .. 2025-06-22) per owner.
void BM_Forecast(benchmark::State& state) {
    auto& d = forecast_data(state.range(0));
    crm::Sales sales(*d.engine);
    crm::ForecastQuery q;
    q.period = "1404-Q1";
    q.calendar = crm::CalendarSystem::jalali;
    std::size_t rows = 0;
    for (auto _ : state) {
        auto f = sales.forecast(q);
        if (!f) state.SkipWithError(f.error().message.c_str());
        else rows += f.value().rows.size();
    }
    benchmark::DoNotOptimize(rows);
    state.counters["history_rows"] = static_cast<double>(5 * state.range(0));
}
BENCHMARK(BM_Forecast)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Baseline: the same three aggregates through the raw C API (days per
// stage from the quarter-hour sums, as crmcore reads them).
void BM_RawForecastQueries(benchmark::State& state) {
    auto& d = forecast_data(state.range(0));
    sqlite3* db = nullptr;
    sqlite3_open_v2(d.path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    const char* sql[] = {
        "SELECT owner, currency, status, forecast_category, count(*), sum(amount_minor), "
        "sum(amount_minor * probability / 100), sum(revenue_minor) FROM opportunity "
        "WHERE status = 'open' AND expected_close >= '2025-03-21' AND expected_close < '2025-06-22' "
        "GROUP BY 1, 2, 3, 4",
        "SELECT owner, currency, status, forecast_category, count(*), sum(amount_minor), "
        "sum(amount_minor * probability / 100), sum(revenue_minor) FROM opportunity "
        "WHERE closed_at >= 1742502600000 AND closed_at < 1750537800000 GROUP BY 1, 2, 3, 4",
        "SELECT process, stage, sum(moves), sum(total_ms) / CAST(sum(moves) AS REAL) "
        "FROM stage_time WHERE record_type = 'opportunity' AND bucket >= 1742502600000 / 900000 "
        "AND bucket < 1750537800000 / 900000 GROUP BY 1, 2"};
    std::vector<sqlite3_stmt*> st(3);
    for (int i = 0; i < 3; ++i) sqlite3_prepare_v2(db, sql[i], -1, &st[i], nullptr);
    std::int64_t rows = 0;
    for (auto _ : state) {
        for (auto* s : st) {
            while (sqlite3_step(s) == SQLITE_ROW) ++rows;
            sqlite3_reset(s);
        }
    }
    benchmark::DoNotOptimize(rows);
    for (auto* s : st) sqlite3_finalize(s);
    sqlite3_close(db);
}
BENCHMARK(BM_RawForecastQueries)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace
