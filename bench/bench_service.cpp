// bench/bench_service.cpp - the service figures, each beside its baseline:
// business-time deadlines in a calendar with a year of holidays vs a plain
// C++ loop that knows only a fixed-offset week and a holiday set; tickets
// created with their SLA clocks vs the raw C API writing the same rows; and
// tick() over open tickets with nothing due vs the raw index probe; and a
// page of a queue's worklist among a million tickets vs the raw C API
// running the same SELECT and count.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "crm/crm.hpp"
#include "raw_rows.hpp"

namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// Iran's public-sector week with every fixed holiday and the lunar ones on
// their computed days (about 27 days off a year), in Asia/Tehran.
crm::BusinessCalendar year_calendar() { return crm::BusinessCalendar::iran_default(); }

// Start instants spread over 2026 and targets of 1 to 40 business hours.
struct Case {
    crm::Timestamp start;
    std::int64_t target_ms;
};
std::vector<Case> cases() {
    std::mt19937_64 rng(7);
    std::vector<Case> out(4096);
    const std::int64_t year_start = crm::parse_iso8601("2026-01-01T00:00:00+03:30").value().ms;
    for (auto& c : out) {
        c.start = crm::Timestamp{year_start + static_cast<std::int64_t>(rng() % (360 * 24 * 60)) * kMinute};
        c.target_ms = (1 + static_cast<std::int64_t>(rng() % 40)) * kHour;
    }
    return out;
}

void BM_SlaDeadline(benchmark::State& state) {
    const crm::BusinessCalendar cal = year_calendar();
    const std::vector<Case> in = cases();
    std::size_t i = 0;
    for (auto _ : state) {
        const Case& c = in[i++ & (in.size() - 1)];
        benchmark::DoNotOptimize(cal.add(c.start, c.target_ms).value());
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SlaDeadline);

// A KPI clock started: both deadlines and the counts.
void BM_SlaStart(benchmark::State& state) {
    const crm::BusinessCalendar cal = year_calendar();
    const std::vector<Case> in = cases();
    std::size_t i = 0;
    for (auto _ : state) {
        const Case& c = in[i++ & (in.size() - 1)];
        benchmark::DoNotOptimize(
            crm::sla::start(crm::SlaKpi::resolution, c.start, c.target_ms / 2, c.target_ms, cal));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SlaStart);

// The baseline: the same week and days off at a fixed +03:30, walked day by
// day over a hash set of local day numbers. No zone rules, no trace, no
// Jalali dates: what a hand-written deadline loop does.
void BM_SlaDeadlineBaseline(benchmark::State& state) {
    const crm::BusinessCalendar cal = year_calendar();
    const std::int64_t offset = 210 * kMinute;
    std::unordered_set<std::int64_t> off_days;
    for (std::int64_t d = 20'400; d < 20'900; ++d)  // 2025-11 .. 2027-03
        if (cal.between(crm::Timestamp{d * kDay - offset}, crm::Timestamp{(d + 1) * kDay - offset}) == 0)
            off_days.insert(d);
    // Sunday = 0 .. Saturday = 6 (1970-01-01 was a Thursday).
    static constexpr std::array<std::int64_t, 7> kOpen = {8 * kHour, 8 * kHour, 8 * kHour,
                                                          8 * kHour, 8 * kHour, 0, 8 * kHour};
    static constexpr std::array<std::int64_t, 7> kClose = {16 * kHour, 16 * kHour, 16 * kHour,
                                                           16 * kHour, 12 * kHour, 0, 16 * kHour};
    const std::vector<Case> in = cases();
    std::size_t i = 0;
    for (auto _ : state) {
        const Case& c = in[i++ & (in.size() - 1)];
        std::int64_t local = c.start.ms + offset;
        std::int64_t day = local / kDay;
        std::int64_t left = c.target_ms;
        std::int64_t result = 0;
        for (;; ++day) {
            const int wd = static_cast<int>((day + 4) % 7);
            if (kClose[wd] == 0 || off_days.count(day)) continue;
            const std::int64_t open = day * kDay + kOpen[wd], close = day * kDay + kClose[wd];
            const std::int64_t from = std::max(open, local);
            if (from >= close) continue;
            if (close - from >= left) {
                result = from + left - offset;
                break;
            }
            left -= close - from;
        }
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SlaDeadlineBaseline);

// ---- tickets on SQLite -------------------------------------------------------------

constexpr int kTicketBatch = 1000;  // tickets per transaction, ours and the baseline alike

std::string scratch(const std::string& name) {
    return (std::filesystem::temp_directory_path() /
            ("crm_bench_service_" + std::to_string(::getpid()) + "_" + name + ".db"))
        .string();
}

void remove_db(const std::string& path) {
    for (const char* s : {"", "-wal", "-shm"}) std::filesystem::remove(path + s);
}

// An engine on a fresh file with the standard policy (first response and
// resolution), a clock at Monday 2026-02-09 08:00 Tehran, and one party.
struct Desk {
    std::string path;
    std::shared_ptr<crm::ManualClock> clock;
    std::unique_ptr<crm::Engine> engine;
    crm::Id party;

    explicit Desk(const std::string& name) : path(scratch(name)) {
        remove_db(path);
        clock = std::make_shared<crm::ManualClock>(
            crm::parse_iso8601("2026-02-09T08:00:00+03:30").value());
        crm::EngineOptions o;
        o.database = "sqlite:" + path;
        o.clock = clock;
        engine = std::move(crm::Engine::open(o).value());
        const crm::Context ctx{"bench", "bench"};
        (void)crm::Service(*engine).define_sla_policy(ctx, R"({"id": "standard", "kpis": {
            "first_response": {"warning": {"business_hours": 1}, "failure": {"business_hours": 2}},
            "resolution": {"warning": {"business_hours": 6}, "failure": {"business_hours": 8}}}})");
        crm::PartyInput pi;
        pi.last_name = "Bench";
        party = engine->create_party(ctx, pi).value().id;
    }
    ~Desk() {
        engine.reset();
        remove_db(path);
    }

    // n tickets in transactions of kTicketBatch; false when one failed.
    bool create(std::int64_t n) {
        const crm::Context ctx{"bench", "bench"};
        crm::Service desk(*engine);
        crm::TicketInput in;
        in.subject = "Modem does not connect";
        in.party = party;
        in.channel = crm::Channel::call;
        for (std::int64_t i = 0; i < n; i += kTicketBatch) {
            (void)engine->begin();
            for (std::int64_t k = i; k < std::min(n, i + kTicketBatch); ++k)
                if (!desk.create_ticket(ctx, in)) return false;
            (void)engine->commit();
        }
        return true;
    }
};

// n tickets opened with their two SLA clocks: each writes the ticket, a
// history row, an audit entry and an event.
void BM_TicketCreate(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    for (auto _ : state) {
        state.PauseTiming();
        auto desk = std::make_unique<Desk>("create");
        state.ResumeTiming();
        if (!desk->create(n)) state.SkipWithError("a ticket failed");
        state.PauseTiming();
        desk.reset();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_TicketCreate)->Arg(1000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(1);

// Baseline: the raw C API writing the rows a ticket's creation writes (the
// ticket row with a body as long as crmcore's, the history row, the audit
// entry and the event carrying the body), no logic, in the same batches.
void BM_RawTicketRows(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    for (auto _ : state) {
        state.PauseTiming();
        std::string body;
        std::string path;
        {
            Desk desk("raw_create");
            desk.create(1);
            sqlite3* db = nullptr;
            sqlite3_open(desk.path.c_str(), &db);
            sqlite3_stmt* one = nullptr;
            sqlite3_prepare_v2(db, "SELECT body FROM ticket LIMIT 1", -1, &one, nullptr);
            if (sqlite3_step(one) == SQLITE_ROW)
                body = reinterpret_cast<const char*>(sqlite3_column_text(one, 0));
            sqlite3_finalize(one);
            sqlite3_close(db);
        }
        Desk desk("raw_create");
        desk.engine.reset();
        sqlite3* db = nullptr;
        sqlite3_open(desk.path.c_str(), &db);
        sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
                     nullptr, nullptr, nullptr);
        const std::vector<const char*> sql = {
            "INSERT INTO ticket (id, external_id, party_id, queue, assignee, state, status, "
            "priority, type, sla_policy, due_at, updated_at, body) VALUES (?1, NULL, "
            "'01890000-0000-7000-8000-000000000000', '', '', 'new', 'open', 'normal', 'request', "
            "'standard', ?2, ?2, ?3)",
            "INSERT INTO history (record_type, record_id, process, process_version, from_state, "
            "to_state, move, at, actor, reason, values_json, duration_ms) VALUES ('ticket', ?1, "
            "'ticket', 1, '', 'new', '', ?2, 'bench', '', "
            "'{\"priority\":\"normal\",\"type\":\"request\",\"queue\":\"\",\"assignee\":\"\"}', 0)",
            "INSERT INTO audit (at, actor, source, record_type, record_id, action, changes) VALUES "
            "(?2, 'bench', 'bench', 'ticket', ?1, 'create', ?3)",
            "INSERT INTO event (at, type, record_type, record_id, payload) VALUES (?2, "
            "'ticket.created', 'ticket', ?1, ?3)"};
        crm::IdGenerator ids;
        crm::SystemClock clock;
        state.ResumeTiming();
        const std::string error = crm_bench::write_raw_rows(
            db, sql, n, kTicketBatch, [&](std::int64_t) { return ids.next(clock.now()).str(); },
            body);
        if (!error.empty()) state.SkipWithError(error.c_str());
        state.PauseTiming();
        sqlite3_close(db);
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_RawTicketRows)->Arg(1000)->Arg(100'000)->Unit(benchmark::kMillisecond)->Iterations(1);

// tick() with n open tickets and nothing due: Monday 08:00 + 30 minutes,
// before the first warning (09:00).
void BM_TickNothingDue(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    Desk desk("tick");
    if (!desk.create(n)) state.SkipWithError("a ticket failed");
    crm::Service service(*desk.engine);
    const crm::Context ctx{"bench", "bench"};
    const crm::Timestamp at = crm::parse_iso8601("2026-02-09T08:30:00+03:30").value();
    for (auto _ : state) {
        auto r = service.tick(ctx, at);
        if (!r || r.value().examined != 0) state.SkipWithError("tick found work");
    }
}
BENCHMARK(BM_TickNothingDue)->Arg(1000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

// Baseline: the raw C API asking the same index the same question.
void BM_RawDueProbe(benchmark::State& state) {
    const std::int64_t n = state.range(0);
    Desk desk("probe");
    if (!desk.create(n)) state.SkipWithError("a ticket failed");
    desk.engine.reset();
    sqlite3* db = nullptr;
    sqlite3_open(desk.path.c_str(), &db);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT id FROM ticket WHERE due_at IS NOT NULL AND due_at <= ?1 "
                           "ORDER BY due_at LIMIT 10000", -1, &st, nullptr);
    const std::int64_t at = crm::parse_iso8601("2026-02-09T08:30:00+03:30").value().ms;
    for (auto _ : state) {
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        sqlite3_bind_int64(st, 1, at);
        int rows = 0;
        while (sqlite3_step(st) == SQLITE_ROW) ++rows;
        sqlite3_reset(st);
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        if (rows != 0) state.SkipWithError("rows due");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}
BENCHMARK(BM_RawDueProbe)->Arg(1000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

// ---- worklists ---------------------------------------------------------------------

// A million tickets (CRM_BENCH_TICKETS to change it) created through the
// Engine in 10 queues of 10 agents, a minute apart per 100 tickets, then 90%
// of them closed by one UPDATE of their list columns (closing a million
// tickets one move at a time would take the setup an hour; the pages read
// only open ones, whose rows are as the Engine wrote them). Built once.
struct WorklistData {
    std::unique_ptr<Desk> desk;
    std::int64_t tickets = 1'000'000;
    std::string error;

    WorklistData() {
        if (const char* n = std::getenv("CRM_BENCH_TICKETS")) tickets = std::atoll(n);
        desk = std::make_unique<Desk>("worklist");
        const crm::Context ctx{"bench", "bench"};
        crm::Service service(*desk->engine);
        for (int q = 0; q < 10; ++q) {
            crm::Queue queue{"q" + std::to_string(q), "Queue " + std::to_string(q), {}};
            for (int m = 0; m < 10; ++m) queue.members.push_back({"agent" + std::to_string(q * 10 + m), {}});
            if (!service.define_queue(ctx, queue)) error = "define_queue failed";
        }
        crm::TicketInput in;
        in.subject = "Modem does not connect";
        in.party = desk->party;
        in.channel = crm::Channel::call;
        for (std::int64_t i = 0; i < tickets && error.empty(); i += kTicketBatch) {
            (void)desk->engine->begin();
            for (std::int64_t k = i; k < std::min(tickets, i + kTicketBatch); ++k) {
                in.queue = "q" + std::to_string((k % 100) / 10);
                in.assignee = "agent" + std::to_string(k % 100);
                if (k % 100 == 0) desk->clock->advance(kMinute);
                if (!service.create_ticket(ctx, in)) error = "a ticket failed";
            }
            (void)desk->engine->commit();
        }
        desk->engine.reset();
        sqlite3* db = nullptr;
        sqlite3_open(desk->path.c_str(), &db);
        if (sqlite3_exec(db, "UPDATE ticket SET status = 'closed', state = 'closed', "
                             "sla_status = '', sla_due = 9223372036854775807 WHERE rowid % 10 <> 0",
                         nullptr, nullptr, nullptr) != SQLITE_OK)
            error = sqlite3_errmsg(db);
        sqlite3_exec(db, "ANALYZE", nullptr, nullptr, nullptr);
        sqlite3_close(db);
        crm::EngineOptions o;
        o.database = "sqlite:" + desk->path;
        o.clock = desk->clock;
        desk->engine = std::move(crm::Engine::open(o).value());
    }
    static WorklistData& get() {
        static WorklistData data;
        return data;
    }
};

// The billing queue's open tickets by SLA due, 50 a page: arg 0 the first
// page with its total, arg 1 the 101st page (a cursor 5,000 tickets in)
// without one.
crm::ListQuery queue_query() {
    crm::ListQuery q;
    q.queue = {"q3"};
    q.status = {"open"};
    q.order = "due";
    q.limit = 50;
    return q;
}

void BM_TicketWorklist(benchmark::State& state) {
    WorklistData& data = WorklistData::get();
    if (!data.error.empty()) return state.SkipWithError(data.error.c_str());
    crm::Service service(*data.desk->engine);
    crm::ListQuery q = queue_query();
    if (state.range(0) == 1) {
        q.count = false;
        for (int page = 0; page < 100; ++page) q.after = service.list_tickets(q).value().next;
    }
    std::int64_t total = 0;
    for (auto _ : state) {
        auto page = service.list_tickets(q);
        if (!page || page.value().items.size() != 50) return state.SkipWithError("no full page");
        total = page.value().total.value_or(-1);
    }
    state.counters["total"] = static_cast<double>(total);
    state.counters["tickets"] = static_cast<double>(data.tickets);
}
BENCHMARK(BM_TicketWorklist)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// Baseline: the raw C API running the same statements (the page's SELECT of
// 51 bodies and, for the first page, the count) in a read transaction;
// second arg 0 reads each body's bytes and decodes nothing, 1 parses each
// into a JSON tree (nlohmann::json, the plain C++ way to have it as data).
void BM_RawTicketWorklist(benchmark::State& state) {
    WorklistData& data = WorklistData::get();
    if (!data.error.empty()) return state.SkipWithError(data.error.c_str());
    crm::ListQuery q = queue_query();
    std::int64_t due = 0;
    std::string after_id;
    if (state.range(0) == 1) {
        crm::Service service(*data.desk->engine);
        q.count = false;
        for (int page = 0; page < 100; ++page) q.after = service.list_tickets(q).value().next;
        const auto a = q.after.find('~'), z = q.after.rfind('~');
        due = std::atoll(q.after.substr(a + 1, z - a - 1).c_str());
        after_id = q.after.substr(z + 1);
    }
    sqlite3* db = nullptr;
    sqlite3_open_v2(data.desk->path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* page = nullptr;
    sqlite3_stmt* count = nullptr;
    const bool next = state.range(0) == 1;
    const bool decode = state.range(1) == 1;
    sqlite3_prepare_v2(db, next ? "SELECT body, sla_due, ticket.id FROM ticket WHERE queue = ? AND status = ? "
                                  "AND (sla_due, ticket.id) > (?, ?) ORDER BY sla_due, ticket.id LIMIT ?"
                                : "SELECT body, sla_due, ticket.id FROM ticket WHERE queue = ? AND status = ? "
                                  "ORDER BY sla_due, ticket.id LIMIT ?",
                       -1, &page, nullptr);
    sqlite3_prepare_v2(db, "SELECT count(*) FROM ticket WHERE queue = ? AND status = ?", -1, &count, nullptr);
    std::int64_t total = 0;
    for (auto _ : state) {
        sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
        sqlite3_bind_text(page, 1, "q3", -1, SQLITE_STATIC);
        sqlite3_bind_text(page, 2, "open", -1, SQLITE_STATIC);
        int limit = 3;
        if (next) {
            sqlite3_bind_int64(page, 3, due);
            sqlite3_bind_text(page, 4, after_id.c_str(), -1, SQLITE_STATIC);
            limit = 5;
        }
        sqlite3_bind_int(page, limit, 51);
        std::size_t bytes = 0;
        int rows = 0;
        while (sqlite3_step(page) == SQLITE_ROW) {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(page, 0));
            const auto n = static_cast<std::size_t>(sqlite3_column_bytes(page, 0));
            if (decode) {
                auto tree = nlohmann::json::parse(text, text + n, nullptr, false);
                bytes += tree.size();
            } else {
                bytes += n;
            }
            ++rows;
        }
        sqlite3_reset(page);
        if (!next) {
            sqlite3_bind_text(count, 1, "q3", -1, SQLITE_STATIC);
            sqlite3_bind_text(count, 2, "open", -1, SQLITE_STATIC);
            if (sqlite3_step(count) == SQLITE_ROW) total = sqlite3_column_int64(count, 0);
            sqlite3_reset(count);
        }
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        benchmark::DoNotOptimize(bytes);
        if (rows != 51) return state.SkipWithError("no full page");
    }
    sqlite3_finalize(page);
    sqlite3_finalize(count);
    sqlite3_close(db);
    state.counters["total"] = static_cast<double>(total);
}
BENCHMARK(BM_RawTicketWorklist)
    ->Args({0, 0})->Args({1, 0})->Args({0, 1})->Args({1, 1})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
