// bench/bench_marketing.cpp - the segment figures, each beside its
// baseline: a six-condition segment over N parties and 10 N purchases
// counted by crmcore (one scan of the profiles kept on write) vs the same
// segment computed with pandas from the raw rows (bench/segment_pandas.py,
// Debian's python3-pandas) and vs SQLite aggregating the purchase rows
// itself; and the membership update of one changed party across 50 tracked
// segments vs the 50 rule evaluations alone.
//
// The data (parties through the Engine, purchases through the raw C API,
// then profiles built by the first segment) is made once per size and kept
// in $TMPDIR/crm_bench_segments_N_vS, S the schema version (a million
// parties take a few minutes).
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "crm/crm.hpp"
#include "dataset.hpp"
#include "engine/access.hpp"
#include "marketing/work.hpp"

namespace {

namespace fs = std::filesystem;
constexpr std::int64_t kDay = 86'400'000;
// "Now" of every run, so that windows never move between runs.
constexpr std::int64_t kNow = crm_bench::kSegmentNow;  // 2026-01-01T00:00:00Z
const char* const kCities[] = {"تهران", "اصفهان", "شیراز", "مشهد", "تبریز", "کرج", "اهواز", "قم"};
const char* const kStages[] = {"lead", "customer", "customer", "former"};

// Six conditions: two on the party, one on consent, three on purchase
// aggregates (a count in a window, a sum in a window, the last purchase).
constexpr const char* kSegment = R"({"id": "bench6", "kind": "dynamic", "track": false,
  "rule": "city in [\"تهران\", \"اصفهان\", \"شیراز\"] and lifecycle_stage = \"customer\" and consent.sms and purchases.count_365d >= 2 and purchases.sum_90d >= 5000000 IRR and purchases.last_at >= now - 60d"})";

fs::path data_dir(std::int64_t n) {
    const char* tmp = std::getenv("TMPDIR");
    return fs::path(tmp ? tmp : "/tmp") / ("crm_bench_segments_" + std::to_string(n) + "_v" +
                                           std::to_string(crm::storage::sqlite_schema_version()));
}

void check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
        std::abort();
    }
}

std::unique_ptr<crm::Engine> open_engine(const fs::path& db) {
    crm::EngineOptions o;
    o.database = "sqlite:" + db.string();
    o.clock = std::make_shared<crm::ManualClock>(crm::Timestamp{kNow});
    return crm::Engine::open(o).value();
}

// Makes the data set of `n` parties once; answers the database path.
fs::path ensure_data(std::int64_t n) {
    const fs::path dir = data_dir(n);
    const fs::path db = dir / "crm.db";
    if (fs::exists(dir / "ready")) return db;
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::fprintf(stderr, "making %lld parties and %lld purchases in %s ...\n",
                 static_cast<long long>(n), static_cast<long long>(10 * n), dir.c_str());
    std::mt19937_64 rng(42);
    std::ofstream parties(dir / "parties.csv");
    parties << "id,city,lifecycle_stage,sms\n";
    {
        auto engine = open_engine(db);
        const crm::Context ctx{"bench", "bench"};
        for (std::int64_t i = 0; i < n; i += 10000) {
            (void)engine->begin();
            for (std::int64_t k = i; k < std::min(n, i + 10000); ++k) {
                crm::PartyInput in;
                in.kind = crm::PartyKind::person;
                in.first_name = "نام";
                in.last_name = "خانوادگی " + std::to_string(k);
                const char* city = kCities[rng() % 8];
                const char* stage = kStages[rng() % 4];
                in.city = city;
                in.lifecycle_stage = stage;
                auto phone = crm::ContactInput::of(crm::ContactKind::phone,
                                                   "0912" + std::to_string(1000000 + k));
                const bool sms = rng() % 10 < 6;
                if (sms) phone.consents.push_back({"sms", crm::ConsentStatus::opt_in, crm::Timestamp{kNow - kDay}, "bench"});
                in.contacts.push_back(std::move(phone));
                auto p = engine->create_party(ctx, in).value();
                parties << p.id.str() << ',' << city << ',' << stage << ',' << (sms ? 1 : 0) << '\n';
            }
            (void)engine->commit();
        }
    }
    // Purchases straight into their table: ten per party on average, over
    // the last two years.
    sqlite3* raw = nullptr;
    check(sqlite3_open(db.c_str(), &raw), raw, "open");
    check(sqlite3_exec(raw, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; BEGIN", nullptr,
                       nullptr, nullptr),
          raw, "begin");
    std::vector<std::string> ids;
    {
        sqlite3_stmt* s = nullptr;
        check(sqlite3_prepare_v2(raw, "SELECT id FROM party ORDER BY id", -1, &s, nullptr), raw, "ids");
        while (sqlite3_step(s) == SQLITE_ROW)
            ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
        sqlite3_finalize(s);
    }
    std::ofstream purchases(dir / "purchases.csv");
    purchases << "party_id,ordered_at,total_minor\n";
    sqlite3_stmt* ins = nullptr;
    check(sqlite3_prepare_v2(raw,
                             "INSERT INTO purchase (id, party_id, order_id, ordered_at, total_minor, "
                             "currency, lines) VALUES (?1, ?2, ?3, ?4, ?5, 'IRR', '[]')",
                             -1, &ins, nullptr),
          raw, "prepare");
    crm::IdGenerator gen;
    std::int64_t order = 0;
    for (const auto& party : ids) {
        const int count = static_cast<int>(rng() % 21);  // 0..20, ten on average
        for (int c = 0; c < count; ++c) {
            const std::int64_t at = kNow - static_cast<std::int64_t>(rng() % (730 * kDay));
            const std::int64_t minor = (100'000 + static_cast<std::int64_t>(rng() % 5'000'000)) * 100;
            const std::string id = gen.next(crm::Timestamp{kNow}).str();
            const std::string order_id = "o" + std::to_string(++order);
            sqlite3_bind_text(ins, 1, id.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 2, party.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(ins, 3, order_id.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(ins, 4, at);
            sqlite3_bind_int64(ins, 5, minor);
            check(sqlite3_step(ins), raw, "insert");
            sqlite3_reset(ins);
            purchases << party << ',' << at << ',' << minor << '\n';
        }
    }
    sqlite3_finalize(ins);
    check(sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr), raw, "commit");
    sqlite3_close(raw);
    std::fprintf(stderr, "%lld purchases; building profiles ...\n", static_cast<long long>(order));
    {
        auto engine = open_engine(db);
        const auto t0 = std::chrono::steady_clock::now();
        crm::Marketing(*engine).define_segment({"bench", "bench"}, kSegment).value();
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::fprintf(stderr, "profiles of %lld parties built in %.1f s (%.0f parties/s)\n",
                     static_cast<long long>(n), s, static_cast<double>(n) / s);
    }
    std::ofstream(dir / "ready") << "1\n";
    return db;
}

// crmcore: the segment counted from the profiles.
void BM_SegmentCount(benchmark::State& state) {
    const auto db = ensure_data(state.range(0));
    auto engine = open_engine(db);
    crm::Marketing mk(*engine);
    const crm::Context ctx{"bench", "bench"};
    std::int64_t n = 0;
    for (auto _ : state) n = mk.count(ctx, "bench6").value();
    state.counters["members"] = static_cast<double>(n);
    state.counters["parties"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_SegmentCount)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Baseline: SQLite computing the same segment from the raw rows with one
// aggregate query (no profiles), through the raw C API.
void BM_SegmentCountRawAggregate(benchmark::State& state) {
    const auto db = ensure_data(state.range(0));
    sqlite3* raw = nullptr;
    sqlite3_open_v2(db.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_exec(raw, "PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824", nullptr, nullptr, nullptr);
    sqlite3_stmt* s = nullptr;
    check(sqlite3_prepare_v2(
              raw,
              "SELECT count(*) FROM party p JOIN (SELECT party_id, "
              "sum(ordered_at > ?1 - 365 * 86400000) AS c365, "
              "sum(CASE WHEN ordered_at > ?1 - 90 * 86400000 THEN total_minor ELSE 0 END) AS s90, "
              "max(ordered_at) AS last FROM purchase GROUP BY party_id) a ON a.party_id = p.id "
              "WHERE p.city IN ('تهران', 'اصفهان', 'شیراز') AND p.lifecycle_stage = 'customer' "
              "AND p.contacts LIKE '%\"sms\",\"status\":\"opt_in\"%' AND a.c365 >= 2 "
              "AND a.s90 >= 500000000 AND a.last >= ?1 - 60 * 86400000",
              -1, &s, nullptr),
          raw, "prepare");
    std::int64_t n = 0;
    for (auto _ : state) {
        sqlite3_bind_int64(s, 1, kNow);
        if (sqlite3_step(s) == SQLITE_ROW) n = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    sqlite3_close(raw);
    state.counters["members"] = static_cast<double>(n);
}
BENCHMARK(BM_SegmentCountRawAggregate)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Baseline: pandas on the same rows (loaded once, not timed), the segment
// computed five times; the iteration time is the median of the five.
void BM_SegmentCountPandas(benchmark::State& state) {
    const auto db = ensure_data(state.range(0));
    const fs::path script = fs::path(CRM_BENCH_DIR) / "segment_pandas.py";
    const std::string cmd = "/usr/bin/python3 " + script.string() + " " + db.parent_path().string() +
                            " " + std::to_string(kNow) + " 5";
    for (auto _ : state) {
        std::string out;
        if (!crm_bench::run_baseline(state, cmd, out)) return;
        double median = 0;
        long long members = 0;
        std::istringstream(out) >> median >> members;
        state.SetIterationTime(median);
        state.counters["members"] = static_cast<double>(members);
    }
}
BENCHMARK(BM_SegmentCountPandas)
    ->Arg(1000)
    ->Arg(1'000'000)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// ---- membership upkeep ---------------------------------------------------------

// 50 tracked segments of three to six conditions each.
std::vector<std::string> fifty_segments() {
    std::vector<std::string> out;
    for (int i = 0; i < 50; ++i) {
        std::string rule = "purchases.count >= " + std::to_string(i % 7) + " and city = \"" +
                           kCities[i % 8] + "\"";
        if (i % 2) rule += " and consent.sms";
        if (i % 3) rule += " and purchases.sum_365d >= " + std::to_string(1000000 * (i % 5)) + " IRR";
        if (i % 5 == 0) rule += " and tags contains \"vip\" and purchases.last_at >= now - 90d";
        out.push_back(R"({"id": "s)" + std::to_string(i) + R"(", "rule": ")" +
                      [&] {
                          std::string esc;
                          for (char c : rule) esc += c == '"' ? std::string("\\\"") : std::string(1, c);
                          return esc;
                      }() +
                      "\"}");
    }
    return out;
}

struct Upkeep {
    fs::path path = fs::temp_directory_path() / "crm_bench_upkeep.db";
    std::unique_ptr<crm::Engine> engine;
    std::vector<crm::Party> parties;

    explicit Upkeep(std::int64_t n) {
        fs::remove(path);
        fs::remove(path.string() + "-wal");
        fs::remove(path.string() + "-shm");
        engine = open_engine(path);
        const crm::Context ctx{"bench", "bench"};
        crm::Marketing mk(*engine);
        for (const auto& s : fifty_segments()) mk.define_segment(ctx, s).value();
        std::mt19937_64 rng(7);
        (void)engine->begin();
        for (std::int64_t i = 0; i < n; ++i) {
            crm::PartyInput in;
            in.kind = crm::PartyKind::person;
            in.first_name = "x";
            in.last_name = std::to_string(i);
            in.city = kCities[rng() % 8];
            parties.push_back(engine->create_party(ctx, in).value());
            crm::Purchase p;
            p.party = parties.back().id;
            p.order_id = "u" + std::to_string(i);
            p.ordered_at = crm::Timestamp{kNow - static_cast<std::int64_t>(rng() % 300) * kDay};
            p.total = crm::Money::of(static_cast<std::int64_t>(rng() % 5'000'000) * 100, "IRR").value();
            engine->record_purchase(ctx, p).value();
        }
        (void)engine->commit();
    }
    ~Upkeep() {
        engine.reset();
        fs::remove(path);
        fs::remove(path.string() + "-wal");
        fs::remove(path.string() + "-shm");
    }
};

// One party changed (its city, so memberships move): its profile and its
// memberships in all 50 segments brought up to date, in one transaction.
void BM_MembershipUpkeep(benchmark::State& state) {
    Upkeep u(state.range(0));
    auto& impl = crm::EngineAccess::impl(*u.engine);
    std::size_t i = 0;
    (void)u.engine->begin();
    for (auto _ : state) {
        crm::Party& p = u.parties[i++ % u.parties.size()];
        p.city = kCities[(i * 3) % 8];
        auto r = impl.read([&](crm::Transaction& tx) {
            return crm::marketing::party_changed(impl, tx, p.id, crm::marketing::party_part, &p);
        });
        if (!r) state.SkipWithError(r.error().what().c_str());
    }
    (void)u.engine->rollback();
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MembershipUpkeep)->Arg(1000)->Unit(benchmark::kMicrosecond);

// Baseline: the 50 rules evaluated on one profile in memory, nothing read
// or written.
void BM_MembershipRulesOnly(benchmark::State& state) {
    Upkeep u(state.range(0));
    crm::Marketing mk(*u.engine);
    const auto schema = mk.profile_schema().value();
    std::vector<crm::expr::Matcher> matchers;
    const crm::expr::Context context{crm::Timestamp{kNow}, "Asia/Tehran"};
    const auto segments = mk.segments().value();
    for (const auto& s : segments)
        matchers.push_back(crm::expr::Matcher::make(*s.rule, context).value());
    std::vector<crm::PartyProfile> profiles;
    for (std::size_t k = 0; k < 64; ++k) profiles.push_back(mk.profile(u.parties[k].id).value());
    crm::expr::RowRecord record(schema);
    std::size_t i = 0;
    int in = 0;
    for (auto _ : state) {
        crm::marketing::fill_record(profiles[i++ % profiles.size()], schema, record);
        for (const auto& m : matchers) in += m.matches(record) ? 1 : 0;
    }
    benchmark::DoNotOptimize(in);
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MembershipRulesOnly)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

// ---- delivery plans ------------------------------------------------------------

namespace {

// A launched campaign with `n` members (half on sms, half on email): one
// launched through the Engine, the rest written straight into
// campaign_member, as a launch over that many parties would leave them.
struct PlanData {
    fs::path path;
    crm::Id campaign;
};

PlanData plan_data(std::int64_t n) {
    PlanData d;
    d.path = fs::temp_directory_path() / ("crm_bench_plan_" + std::to_string(n) + "_v" +
                                          std::to_string(crm::storage::sqlite_schema_version()) + ".db");
    const fs::path ready = d.path.string() + ".ready";
    if (fs::exists(ready)) {
        auto engine = open_engine(d.path);
        d.campaign = crm::Marketing(*engine).campaign("BENCH").value().id;
        return d;
    }
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(d.path.string() + suffix);
    {
        auto engine = open_engine(d.path);
        const crm::Context ctx{"bench", "bench"};
        crm::PartyInput in;
        in.kind = crm::PartyKind::person;
        in.first_name = "x";
        in.last_name = "y";
        auto phone = crm::ContactInput::of(crm::ContactKind::phone, "09121234567");
        phone.consents.push_back({"sms", crm::ConsentStatus::opt_in, crm::Timestamp{kNow}, "bench"});
        in.contacts.push_back(phone);
        engine->create_party(ctx, in).value();
        crm::Marketing mk(*engine);
        mk.define_segment(ctx, R"({"id": "all", "rule": true})").value();
        auto c = mk.create_campaign(ctx, R"({"name": "bench", "external_id": "BENCH", "channels": ["sms", "email"],
                                             "segments": ["all"]})").value();
        mk.move_campaign(ctx, c.id, "ready").value();
        mk.move_campaign(ctx, c.id, "launch").value();
        d.campaign = c.id;
    }
    sqlite3* raw = nullptr;
    check(sqlite3_open(d.path.c_str(), &raw), raw, "open");
    check(sqlite3_exec(raw, "PRAGMA synchronous = OFF; BEGIN", nullptr, nullptr, nullptr), raw, "begin");
    sqlite3_stmt* ins = nullptr;
    check(sqlite3_prepare_v2(raw,
                             "INSERT INTO campaign_member (campaign, party_id, variant, channel, address, batch) "
                             "VALUES (?1, ?2, '', ?3, ?4, 0)",
                             -1, &ins, nullptr),
          raw, "prepare");
    crm::IdGenerator gen;
    const std::string campaign = d.campaign.str();
    for (std::int64_t i = 1; i < n; ++i) {
        const std::string party = gen.next(crm::Timestamp{kNow}).str();
        const bool sms = i % 2 == 0;
        const std::string address = sms ? "+98912" + std::to_string(1000000 + i) : "p" + std::to_string(i) + "@example.ir";
        sqlite3_bind_text(ins, 1, campaign.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, party.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, sms ? "sms" : "email", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, address.c_str(), -1, SQLITE_TRANSIENT);
        check(sqlite3_step(ins), raw, "insert");
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    check(sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr), raw, "commit");
    sqlite3_close(raw);
    std::ofstream(ready) << "1\n";
    return d;
}

// crmcore: the plan of every undispatched member, 5,000 per channel per
// hour, in the default calendar's working time, stored.
void BM_DeliveryPlan(benchmark::State& state) {
    const PlanData d = plan_data(state.range(0));
    auto engine = open_engine(d.path);
    crm::Marketing mk(*engine);
    crm::PlanOptions o;
    o.default_rate = 5000;
    o.calendar = "default";
    std::size_t batches = 0;
    for (auto _ : state) {
        auto plan = mk.plan_delivery({"bench", "bench"}, d.campaign, o);
        if (!plan) {
            state.SkipWithError(plan.error().what().c_str());
            return;
        }
        batches = plan.value().batches.size();
    }
    state.counters["members"] = static_cast<double>(state.range(0));
    state.counters["batches"] = static_cast<double>(batches);
}
BENCHMARK(BM_DeliveryPlan)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Baseline: the raw C API reading what a plan must read, the undispatched
// members by channel and id, and nothing else.
void BM_DeliveryPlanRawRead(benchmark::State& state) {
    const PlanData d = plan_data(state.range(0));
    sqlite3* raw = nullptr;
    sqlite3_open_v2(d.path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_exec(raw, "PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824", nullptr, nullptr, nullptr);
    sqlite3_stmt* s = nullptr;
    check(sqlite3_prepare_v2(raw,
                             "SELECT channel, party_id FROM campaign_member INDEXED BY campaign_member_batch "
                             "WHERE campaign = ?1 AND batch = 0 ORDER BY channel, party_id",
                             -1, &s, nullptr),
          raw, "prepare");
    const std::string campaign = d.campaign.str();
    std::int64_t rows = 0;
    for (auto _ : state) {
        sqlite3_bind_text(s, 1, campaign.c_str(), -1, SQLITE_TRANSIENT);
        rows = 0;
        while (sqlite3_step(s) == SQLITE_ROW) {
            benchmark::DoNotOptimize(sqlite3_column_text(s, 1));
            ++rows;
        }
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    sqlite3_close(raw);
    state.counters["members"] = static_cast<double>(rows);
}
BENCHMARK(BM_DeliveryPlanRawRead)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

}  // namespace

std::filesystem::path crm_bench::segment_dataset(std::int64_t n) { return ensure_data(n); }
