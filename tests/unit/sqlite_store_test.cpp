// tests/unit/sqlite_store_test.cpp - the SQLite backend's own behaviour:
// file handling, migrations, schema, transactions, and exact round trips.
#include "crm/storage/store.hpp"

#include "crm/engine.hpp"
#include "crm/import.hpp"

#include <gtest/gtest.h>

#include "crm/core/text.hpp"
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "audit/store/changes.hpp"
#include "customer/store/columns.hpp"
#include "records/transaction.hpp"
#include "storage/sqlite/db.hpp"
#include "storage/sqlite/migrate.hpp"

namespace fs = std::filesystem;
using namespace crm;
using namespace crm::storage;

namespace {

// Deterministic ids: their order is the order of n.
Id id_of(int n) {
    Id id;
    id.bytes[0] = 0x01;
    id.bytes[6] = 0x70;
    id.bytes[14] = static_cast<std::uint8_t>(n >> 8);
    id.bytes[15] = static_cast<std::uint8_t>(n);
    return id;
}

class SqliteStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("crm_sqlite_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    std::string path(const std::string& name = "crm.db") const { return (dir_ / name).string(); }

    std::unique_ptr<Store> open(const std::string& p, bool read_only = false) {
        SqliteOptions o;
        o.path = p;
        o.read_only = read_only;
        auto s = open_sqlite(o);
        EXPECT_TRUE(s) << (s ? "" : s.error().what());
        return s ? std::move(s.value()) : nullptr;
    }
    std::unique_ptr<Store> memory() { return open(":memory:"); }

    static std::unique_ptr<Transaction> begin(Store& s) {
        auto tx = crm::begin(s);
        EXPECT_TRUE(tx) << (tx ? "" : tx.error().what());
        return tx ? std::move(tx.value()) : nullptr;
    }

    // Runs a query with the sqlite3 C API, as a person with the shell would.
    static std::string query(const std::string& file, const std::string& sql) {
        sqlite3* db = nullptr;
        sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
        sqlite3_stmt* st = nullptr;
        std::string out;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
            while (sqlite3_step(st) == SQLITE_ROW) {
                for (int i = 0; i < sqlite3_column_count(st); ++i) {
                    if (i) out += '|';
                    auto t = sqlite3_column_text(st, i);
                    out += t ? reinterpret_cast<const char*>(t) : "NULL";
                }
                out += '\n';
            }
        } else {
            out = std::string("ERROR ") + sqlite3_errmsg(db);
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        if (!out.empty() && out.back() == '\n') out.pop_back();
        return out;
    }
    static void exec(const std::string& file, const std::string& sql) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
        char* err = nullptr;
        int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
        std::string msg = err ? err : "";
        sqlite3_free(err);
        sqlite3_close(db);
        ASSERT_EQ(rc, SQLITE_OK) << msg;
    }

    fs::path dir_;
};

Party full_party(int n) {
    Party p;
    p.id = id_of(n);
    p.kind = PartyKind::person;
    p.external_id = "ERP-" + std::to_string(n);
    p.first_name = "علی";
    p.last_name = "Karimi \"K\" \\ \n";
    p.organization_name = "Acme";
    p.national_id = "0012345678";
    p.lifecycle_stage = "customer";
    p.owner = "user:7";
    p.city = "Tehran";
    p.country = "IR";
    p.tags = {"vip", "b2b"};
    p.custom = {
        {"a_null", Value{}},
        {"b_bool", Value{true}},
        {"c_false", Value{false}},
        {"d_int", Value{std::int64_t{-9007199254740993}}},
        {"e_big", Value{std::int64_t{9223372036854775807}}},
        {"f_text", Value{std::string("سلام \"quoted\"\t")}},
        {"g_money", Value{Money{123456789012, "IRR"}}},
        {"h_list", Value{std::vector<std::string>{"x", "", "ی"}}},
        {"i_empty_list", Value{std::vector<std::string>{}}},
    };
    ContactPoint e;
    e.id = id_of(10000 + n);
    e.kind = ContactKind::email;
    e.type = "work";
    e.value = "ali" + std::to_string(n) + "@example.com";
    e.primary = true;
    e.verified = true;
    e.consents = {{"email", ConsentStatus::opt_in, Timestamp{1700000000123}, "portal"},
                  {"sms", ConsentStatus::opt_out, Timestamp{-5}, ""}};
    ContactPoint ph;
    ph.id = id_of(20000 + n);
    ph.kind = ContactKind::phone;
    ph.type = "mobile";
    ph.value = "+98912" + std::to_string(1000000 + n);
    ph.operator_name = "Hamrah-e Aval";
    p.contacts = {e, ph};
    p.created_at = Timestamp{1700000000000};
    p.updated_at = Timestamp{1700000000999};
    p.version = 3;
    return p;
}

void expect_same(const Value& a, const Value& b, const std::string& name) {
    ASSERT_EQ(a.index(), b.index()) << name;
    if (auto m = std::get_if<Money>(&a)) EXPECT_EQ(*m, std::get<Money>(b)) << name;
    else EXPECT_TRUE(a == b) << name;
}

void expect_same(const Party& a, const Party& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.external_id, b.external_id);
    EXPECT_EQ(a.first_name, b.first_name);
    EXPECT_EQ(a.last_name, b.last_name);
    EXPECT_EQ(a.organization_name, b.organization_name);
    EXPECT_EQ(a.national_id, b.national_id);
    EXPECT_EQ(a.lifecycle_stage, b.lifecycle_stage);
    EXPECT_EQ(a.owner, b.owner);
    EXPECT_EQ(a.city, b.city);
    EXPECT_EQ(a.country, b.country);
    EXPECT_EQ(a.tags, b.tags);
    ASSERT_EQ(a.custom.size(), b.custom.size());
    for (const auto& [k, v] : a.custom) {
        ASSERT_TRUE(b.custom.count(k)) << k;
        expect_same(v, b.custom.at(k), k);
    }
    ASSERT_EQ(a.contacts.size(), b.contacts.size());
    for (std::size_t i = 0; i < a.contacts.size(); ++i) {
        const auto &x = a.contacts[i], &y = b.contacts[i];
        EXPECT_EQ(x.id, y.id);
        EXPECT_EQ(x.kind, y.kind);
        EXPECT_EQ(x.type, y.type);
        EXPECT_EQ(x.value, y.value);
        EXPECT_EQ(x.primary, y.primary);
        EXPECT_EQ(x.verified, y.verified);
        EXPECT_EQ(x.operator_name, y.operator_name);
        ASSERT_EQ(x.consents.size(), y.consents.size());
        for (std::size_t j = 0; j < x.consents.size(); ++j) {
            EXPECT_EQ(x.consents[j].channel, y.consents[j].channel);
            EXPECT_EQ(x.consents[j].status, y.consents[j].status);
            EXPECT_EQ(x.consents[j].at, y.consents[j].at);
            EXPECT_EQ(x.consents[j].source, y.consents[j].source);
        }
    }
    EXPECT_EQ(a.created_at, b.created_at);
    EXPECT_EQ(a.updated_at, b.updated_at);
    EXPECT_EQ(a.version, b.version);
    EXPECT_EQ(a.merged_into, b.merged_into);
}

Party simple_party(int n, std::string first = "P") {
    Party p;
    p.id = id_of(n);
    p.first_name = std::move(first);
    p.created_at = p.updated_at = Timestamp{1000 + n};
    return p;
}

Interaction interaction(int n, const Id& party, std::int64_t at) {
    Interaction i;
    i.id = id_of(n);
    i.party = party;
    i.at = Timestamp{at};
    i.channel = Channel::call;
    i.direction = Direction::outbound;
    i.subject = "s" + std::to_string(n);
    return i;
}

Purchase purchase(int n, const Id& party, std::string order, std::int64_t minor,
                  std::string currency, std::int64_t at) {
    Purchase p;
    p.id = id_of(n);
    p.party = party;
    p.order_id = std::move(order);
    p.total = Money{minor, std::move(currency)};
    p.ordered_at = Timestamp{at};
    return p;
}

}  // namespace

// ---- opening, schema and migrations -----------------------------------------

TEST_F(SqliteStoreTest, CreatesAFileAtTheCurrentSchemaVersionInWalMode) {
    auto store = open(path());
    ASSERT_TRUE(store);
    EXPECT_EQ(store->backend(), "sqlite");
    EXPECT_GE(sqlite_schema_version(), 1);
    EXPECT_EQ(query(path(), "PRAGMA user_version"), std::to_string(sqlite_schema_version()));
    EXPECT_EQ(query(path(), "PRAGMA journal_mode"), "wal");
    // Reopening an up-to-date file changes nothing.
    store.reset();
    store = open(path());
    ASSERT_TRUE(store);
    EXPECT_EQ(query(path(), "PRAGMA user_version"), std::to_string(sqlite_schema_version()));
}

TEST_F(SqliteStoreTest, MemoryPathGivesAPrivateDatabase) {
    auto a = memory();
    auto b = memory();
    ASSERT_TRUE(a && b);
    {
        auto tx = begin(*a);
        ASSERT_TRUE(tx->put_party(simple_party(1), "p"));
        ASSERT_TRUE(tx->commit());
    }
    auto ta = begin(*a);
    EXPECT_TRUE(ta->get_party(id_of(1)).value().has_value());
    auto tb = begin(*b);
    EXPECT_FALSE(tb->get_party(id_of(1)).value().has_value());
}

TEST_F(SqliteStoreTest, MissingFileWithoutCreateFails) {
    SqliteOptions o;
    o.path = path("absent.db");
    o.create = false;
    auto s = open_sqlite(o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, errc::storage);
    EXPECT_FALSE(fs::exists(o.path));
}

TEST_F(SqliteStoreTest, MigratesAnOlderFileAndKeepsItsData) {
    // A version-0 file: a SQLite database crmcore has never written to,
    // holding a table of the host's own.
    exec(path(), "CREATE TABLE host_notes (note TEXT); INSERT INTO host_notes VALUES ('keep me');");
    ASSERT_EQ(query(path(), "PRAGMA user_version"), "0");
    auto store = open(path());
    ASSERT_TRUE(store);
    EXPECT_EQ(query(path(), "PRAGMA user_version"), std::to_string(sqlite_schema_version()));
    EXPECT_EQ(query(path(), "SELECT note FROM host_notes"), "keep me");
    auto tx = begin(*store);
    ASSERT_TRUE(tx->put_party(simple_party(1), "p"));
    ASSERT_TRUE(tx->commit());
}

// Days per stage come from the quarter-hour sums when a period's bounds
// fall on quarter hours, else from the history rows; both agree, and a file
// of schema 2 gets its sums from the history it already has.
TEST_F(SqliteStoreTest, DaysPerStageFromQuarterHourSumsAgreeWithHistory) {
    const auto entry = [](int n, const char* from, const char* to, std::int64_t at,
                          std::int64_t duration) {
        HistoryEntry h;
        h.record_type = "opportunity";
        h.record_id = id_of(n);
        h.process = "sales";
        h.process_version = 1;
        h.from_state = from;
        h.to_state = to;
        h.move = to;
        h.at = Timestamp{at};
        h.actor = "test";
        h.values = "{}";
        h.duration_ms = duration;
        return h;
    };
    const std::int64_t day = 86'400'000, t0 = 1'700'000'000'000 / 900'000 * 900'000;
    {
        auto store = open(path());
        auto tx = begin(*store);
        std::vector<HistoryEntry> rows = {
            entry(1, "", "qualify", t0, 0),
            entry(1, "qualify", "develop", t0 + 1000, 2 * day),
            entry(2, "qualify", "develop", t0 + day, 4 * day),
            entry(2, "develop", "develop", t0 + day + 5, 0),  // a change of values
            entry(2, "develop", "won", t0 + 3 * day, day),
            entry(3, "qualify", "lost", t0 + 40 * day, 7 * day)};  // outside the period
        for (auto& h : rows) ASSERT_TRUE(tx->append_history(h));
        ASSERT_TRUE(tx->commit());
    }
    const auto durations = [&](Timestamp from, Timestamp to) {
        auto store = open(path());
        auto tx = begin(*store);
        ForecastScope scope;
        scope.from = from;
        scope.to = to;
        std::string out;
        const auto all = tx->stage_durations(scope).value();
        for (const auto& d : all)
            out += d.pipeline + "/" + d.stage + " " + std::to_string(d.moves) + " " +
                   std::to_string(d.average_days) + ";";
        return out;
    };
    const std::string expected = "sales/develop 1 1.000000;sales/qualify 2 3.000000;";
    EXPECT_EQ(durations(Timestamp{t0}, Timestamp{t0 + 30 * day}), expected);          // sums
    EXPECT_EQ(durations(Timestamp{t0 - 7}, Timestamp{t0 + 30 * day + 7}), expected);  // rows
    EXPECT_EQ(query(path(), "SELECT count(*) FROM stage_time"), "4");  // four quarter hours
    // Back to schema 2 without the sums: the migration rebuilds them.
    exec(path(), "DROP INDEX opportunity_owner; ALTER TABLE opportunity DROP COLUMN created_at; "
                 "DROP INDEX lead_owner; ALTER TABLE lead DROP COLUMN created_at; "
                 "DROP INDEX party_latin; ALTER TABLE party DROP COLUMN latin_key; "
                 "DROP INDEX history_process; DROP TABLE party_clv; DROP TABLE delivery_plan; DROP TABLE campaign_member; DROP TABLE campaign; "
                 "DROP TABLE loyalty_ledger; DROP TABLE loyalty_account; "
                 "DROP TABLE suppression; DROP TABLE segment_list_member; "
                 "DROP TABLE segment_membership; DROP TABLE party_profile; "
                 "DROP TABLE nps_response; DROP TABLE ticket_comment; DROP TABLE ticket; DROP TABLE stage_time; "
                 "DROP TABLE quote; DROP TABLE product; PRAGMA user_version = 2;");
    EXPECT_EQ(durations(Timestamp{t0}, Timestamp{t0 + 30 * day}), expected);
    EXPECT_EQ(query(path(), "SELECT sum(moves) FROM stage_time"), "4");
}

TEST_F(SqliteStoreTest, MigrationRunnerAppliesOnlyNewerStepsInOneTransaction) {
    using namespace crm::storage::sqlite;
    const Migration v1[] = {{1, "CREATE TABLE t (a INTEGER);"}};
    const Migration v2[] = {{1, "CREATE TABLE t (a INTEGER);"},
                            {2, "ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'x';"}};
    const Migration broken[] = {{1, "CREATE TABLE t (a INTEGER);"},
                                {2, "ALTER TABLE t ADD COLUMN c INTEGER;"},
                                {3, "THIS IS NOT SQL;"}};
    const SchemaPart p1[] = {{"t", v1}};
    const SchemaPart p2[] = {{"t", v2}};
    const SchemaPart pbroken[] = {{"t", broken}};
    {
        Connection c;
        ASSERT_TRUE(c.open(path(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000));
        ASSERT_TRUE(migrate(c, p1));
        ASSERT_TRUE(c.exec_script("INSERT INTO t (a) VALUES (7)", "insert"));
        EXPECT_EQ(schema_version(c).value(), 1);
        // Version 1 -> 2 runs step 2 only (step 1 again would fail: t exists).
        ASSERT_TRUE(migrate(c, p2));
        EXPECT_EQ(schema_version(c).value(), 2);
        // A failing step leaves the file as it was: no column c, version 2.
        auto r = migrate(c, pbroken);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, errc::storage);
        EXPECT_EQ(schema_version(c).value(), 2);
        // Steps older than the file are refused with both versions named.
        auto old = migrate(c, p1);
        ASSERT_FALSE(old);
        EXPECT_EQ(old.error().code, errc::version_mismatch);
    }
    EXPECT_EQ(query(path(), "SELECT a, b FROM t"), "7|x");
    EXPECT_EQ(query(path(), "SELECT count(*) FROM pragma_table_info('t') WHERE name = 'c'"), "0");
}

// Each context brings its own steps; the runner applies them version by
// version, each version's steps in the order of the parts, so a context's
// later step may use what another context's earlier version created.
TEST_F(SqliteStoreTest, MigrationRunnerInterleavesTheContextsPartsByVersion) {
    using namespace crm::storage::sqlite;
    const Migration a[] = {{1, "CREATE TABLE a (x INTEGER);"},
                           {3, "INSERT INTO b (y) SELECT x FROM a;"}};
    const Migration b[] = {{1, "INSERT INTO a (x) VALUES (5);"},
                           {2, "CREATE TABLE b (y INTEGER);"}};
    const SchemaPart parts[] = {{"a", a}, {"b", b}};
    EXPECT_EQ(target_version(parts), 3);
    {
        Connection c;
        ASSERT_TRUE(c.open(path(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000));
        auto r = migrate(c, parts);
        ASSERT_TRUE(r) << r.error().what();
        EXPECT_EQ(schema_version(c).value(), 3);
    }
    EXPECT_EQ(query(path(), "SELECT y FROM b"), "5");
    // The other order of parts runs b's insert before a's table exists.
    const SchemaPart reversed[] = {{"b", b}, {"a", a}};
    Connection c;
    ASSERT_TRUE(c.open(path("other.db"), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000));
    auto r = migrate(c, reversed);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("migration b 1"), std::string::npos) << r.error().what();
    EXPECT_EQ(schema_version(c).value(), 0);
}

// tests/fixtures/schema7.db was written by the release whose schema was
// version 7, before each context owned its tables' SQL: 40 customers with
// their orders imported, C0000005 merged into C0000004, two deals (one
// moved to develop), a ticket and a lead, with their audit and events.
// Opening it migrates it to the current schema; the per-context queries
// read it back whole and write on.
TEST_F(SqliteStoreTest, AFileWrittenBySchemaVersion7MigratesAndReadsBack) {
    fs::copy_file(fs::path(CRM_FIXTURES) / "schema7.db", path());
    {
        auto store = open(path());
        ASSERT_TRUE(store);
        auto tx = begin(*store);
        int live = 0;
        ASSERT_TRUE(tx->for_each_party(Id{}, [&](const Party&) { return ++live > 0; }));
        EXPECT_EQ(live, 39);
        const Id survivor = tx->party_by_external_id("C0000004").value();
        const Id merged = tx->party_by_external_id("C0000005").value();
        ASSERT_FALSE(survivor.is_nil());
        EXPECT_EQ(tx->merged_into(merged).value(), survivor);
        EXPECT_EQ(tx->purchases_of(survivor).value().size(), 2u);
        const Id mover = tx->party_by_external_id("C0000002").value();
        auto deals = tx->opportunities_of(mover).value();
        ASSERT_EQ(deals.size(), 1u);
        EXPECT_EQ(deals[0].stage, "develop");
        EXPECT_EQ(tx->history_of("opportunity", deals[0].id).value().size(), 2u);
        auto tickets = tx->tickets_of(tx->party_by_external_id("C0000003").value()).value();
        ASSERT_EQ(tickets.size(), 1u);
        EXPECT_EQ(tickets[0].subject, "Fixture ticket");
        EXPECT_EQ(tickets[0].priority, TicketPriority::high);
        EXPECT_EQ(tx->events_after(0, 1000).value().size(), 111u);
        // Audit entries written in the list form read back as they were.
        auto audit = tx->audit_of(mover, 10).value();
        ASSERT_FALSE(audit.empty());
        const FieldChange* ext = nullptr;
        for (const FieldChange& c : audit.back().changes)
            if (c.field == "external_id") ext = &c;
        ASSERT_NE(ext, nullptr);
        EXPECT_EQ(ext->before, "null");
        EXPECT_EQ(ext->after, "\"C0000002\"");
        ASSERT_TRUE(tx->put_party(simple_party(1), "p"));
        ASSERT_TRUE(tx->commit());
    }
    // Opening migrated the file to the current schema.
    EXPECT_EQ(query(path(), "PRAGMA user_version"), std::to_string(sqlite_schema_version()));
    EXPECT_EQ(query(path(), "SELECT substr(changes, 1, 1) FROM audit ORDER BY seq LIMIT 1"), "[");
    EXPECT_EQ(query(path(), "SELECT count(*) FROM party WHERE merged_into IS NULL"), "40");
    // Schema 10 gave every stored party its name's Latin key, and the index
    // that reads it agrees with the rows.
    EXPECT_EQ(query(path(), "SELECT count(*) FROM party WHERE name_key <> '' AND latin_key = ''"), "0");
    const std::string name = query(path(), "SELECT name_key FROM party WHERE external_id = 'C0000002'");
    ASSERT_FALSE(name.empty());
    EXPECT_EQ(query(path(), "SELECT latin_key FROM party WHERE external_id = 'C0000002'"),
              crm::text::latin_search_key(name));
    // Schema 11 gave every stored record the creation instant of its body,
    // and the ticket its SLA status and due as its clocks say.
    for (const char* table : {"opportunity", "lead", "ticket"}) {
        const std::string rows = query(path(), std::string("SELECT created_at, json_extract(body, "
                                                           "'$.created_at') FROM ") + table);
        std::istringstream lines(rows);
        int n = 0;
        for (std::string line; std::getline(lines, line); ++n) {
            const auto bar = line.find('|');
            ASSERT_NE(bar, std::string::npos) << line;
            EXPECT_EQ(line.substr(0, bar), std::to_string(parse_iso8601(line.substr(bar + 1)).value().ms))
                << table;
        }
        EXPECT_GE(n, 1) << table;
    }
    {
        auto store = open(path());
        auto tx = begin(*store);
        const Ticket t = tx->tickets_of(tx->party_by_external_id("C0000003").value()).value().at(0);
        std::optional<std::int64_t> due;
        std::string status;
        for (const auto& s : t.slas) {
            if (s.stopped()) continue;
            if (s.failure_at && (!due || s.failure_at->ms < *due)) due = s.failure_at->ms;
            if (status.empty() || s.status == SlaStatus::breached) status = to_string(s.status);
        }
        EXPECT_EQ(query(path(), "SELECT sla_due FROM ticket"),
                  std::to_string(due.value_or(INT64_MAX)));
        EXPECT_EQ(query(path(), "SELECT sla_status FROM ticket"), status);
    }
    EXPECT_EQ(query(path(), "PRAGMA integrity_check"), "ok");
}

// Upserting a party, moving a deal and creating a ticket take no savepoint
// inside an open transaction: they decide before they write. A storage
// failure after their first write (injected here by a trigger) cannot be
// undone short of the whole transaction, which is rolled back; a failure
// before it leaves the open transaction as it was.
TEST_F(SqliteStoreTest, ACallFailingAfterItWroteRollsBackTheOpenTransactionWhole) {
    EngineOptions options;
    options.database = path();
    auto engine = std::move(Engine::open(options).value());
    const Context ctx{"test", "unit"};
    auto input = [](const std::string& ext, const std::string& last) {
        PartyInput in;
        in.external_id = ext;
        in.last_name = last;
        return in;
    };
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db,
                               "CREATE TRIGGER injected BEFORE INSERT ON event "
                               "WHEN NEW.payload LIKE '%Boom%' "
                               "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK)
            << sqlite3_errmsg(db);
        sqlite3_close(db);
    }
    // Refused before writing: the open transaction goes on.
    ASSERT_TRUE(engine->begin());
    ASSERT_TRUE(engine->upsert_party(ctx, input("A", "Ahmadi")));
    PartyInput nameless;
    nameless.external_id = "N";
    EXPECT_FALSE(engine->upsert_party(ctx, nameless));
    EXPECT_TRUE(engine->in_transaction());
    ASSERT_TRUE(engine->commit());
    EXPECT_TRUE(engine->get_party_by_external_id("A"));

    // Failing after the party's row was written: everything of the open
    // transaction is gone, and the error says so.
    ASSERT_TRUE(engine->begin());
    ASSERT_TRUE(engine->upsert_party(ctx, input("B", "Bahrami")));
    auto boom = engine->upsert_party(ctx, input("C", "Boom"));
    ASSERT_FALSE(boom);
    EXPECT_EQ(boom.error().code, errc::storage);
    EXPECT_NE(boom.error().message.find("injected failure"), std::string::npos)
        << boom.error().what();
    EXPECT_NE(boom.error().message.find("open transaction was rolled back"), std::string::npos)
        << boom.error().what();
    EXPECT_FALSE(engine->in_transaction());
    EXPECT_FALSE(engine->commit());
    EXPECT_FALSE(engine->get_party_by_external_id("B"));
    EXPECT_FALSE(engine->get_party_by_external_id("C"));
    EXPECT_TRUE(engine->get_party_by_external_id("A"));
    EXPECT_EQ(query(path(), "SELECT count(*) FROM party"), "1");
    EXPECT_EQ(query(path(), "SELECT count(*) FROM audit"), "1");

    // Alone, the same call fails and writes nothing either.
    EXPECT_FALSE(engine->upsert_party(ctx, input("C", "Boom")));
    EXPECT_EQ(query(path(), "SELECT count(*) FROM party"), "1");
}

// A write that fails after it has written for a reason its decisions did
// not foresee (a conflict at its second statement, injected here by a
// unique index on the outbox's event type) rolls the import's batch back,
// and the import stops instead of going on outside a transaction.
TEST_F(SqliteStoreTest, AnImportStopsWhenAWriteRollsItsBatchBack) {
    EngineOptions options;
    options.database = path();
    auto engine = std::move(Engine::open(options).value());
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, "CREATE UNIQUE INDEX injected ON event (type)", nullptr,
                               nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(db);
    }
    std::istringstream csv("external_id,last_name\nA,Ahmadi\nB,Bahrami\nC,Chamani\n");
    ImportOptions o;
    auto r = import_customers_csv(*engine, csv, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::storage) << r.error().what();
    EXPECT_NE(r.error().message.find("0 rows were committed"), std::string::npos)
        << r.error().what();
    EXPECT_FALSE(engine->in_transaction());
    EXPECT_EQ(query(path(), "SELECT count(*) FROM party"), "0");
    EXPECT_EQ(query(path(), "SELECT count(*) FROM event"), "0");
}

TEST_F(SqliteStoreTest, RefusesAFileWrittenByANewerVersion) {
    const int newer = sqlite_schema_version() + 5;
    exec(path(), "PRAGMA user_version = " + std::to_string(newer));
    SqliteOptions o;
    o.path = path();
    auto s = open_sqlite(o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, errc::version_mismatch);
    EXPECT_NE(s.error().message.find(std::to_string(newer)), std::string::npos)
        << s.error().message;
    EXPECT_NE(s.error().message.find("(" + std::to_string(sqlite_schema_version()) + ")"),
              std::string::npos)
        << s.error().message;
    // Untouched.
    EXPECT_EQ(query(path(), "PRAGMA user_version"), std::to_string(newer));
    EXPECT_EQ(query(path(), "SELECT count(*) FROM sqlite_master"), "0");
}

TEST_F(SqliteStoreTest, RefusesAFileThatIsNotADatabase) {
    {
        std::ofstream f(path("garbage.db"), std::ios::binary);
        for (int i = 0; i < 2000; ++i) f << "this is not a SQLite file, just text " << i << '\n';
    }
    SqliteOptions o;
    o.path = path("garbage.db");
    auto s = open_sqlite(o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, errc::storage);
    o.read_only = true;
    s = open_sqlite(o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, errc::storage);
}

TEST_F(SqliteStoreTest, RefusesTheDatabaseOfAnotherApplication) {
    exec(path(), "PRAGMA application_id = 42; CREATE TABLE other (x);");
    SqliteOptions o;
    o.path = path();
    auto s = open_sqlite(o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, errc::storage);
}

TEST_F(SqliteStoreTest, ReadOnlyOpenReadsButDoesNotWrite) {
    {
        auto store = open(path());
        auto tx = begin(*store);
        ASSERT_TRUE(tx->put_party(full_party(1), "ali"));
        ASSERT_TRUE(tx->commit());
    }
    auto ro = open(path(), true);
    ASSERT_TRUE(ro);
    auto tx = begin(*ro);
    auto p = tx->get_party(id_of(1));
    ASSERT_TRUE(p && p.value());
    expect_same(*p.value(), full_party(1));
    auto w = tx->put_party(simple_party(2), "p");
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, errc::storage);
    EXPECT_TRUE(tx->commit());
}

TEST_F(SqliteStoreTest, ReadOnlyOpenOfAnOlderFileIsRefused) {
    exec(path(), "CREATE TABLE host_notes (note TEXT);");
    SqliteOptions o;
    o.path = path();
    o.read_only = true;
    auto s = open_sqlite(o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, errc::storage);
    EXPECT_EQ(query(path(), "PRAGMA user_version"), "0");
}

TEST_F(SqliteStoreTest, SchemaIsReadableWithTheShell) {
    {
        auto store = open(path());
        auto tx = begin(*store);
        ASSERT_TRUE(tx->put_party(full_party(1), "علی karimi"));
        AuditEntry a{0, Timestamp{5}, "user:1", "api", "party", id_of(1), "create",
                     {{"first_name", "null", "\"علی\""}}};
        ASSERT_TRUE(tx->append_audit(a));
        AuditEntry b{0, Timestamp{6}, "user:1", "api", "party", id_of(1), "update",
                     {{"first_name", "\"علی\"", "\"رضا\""}}};
        ASSERT_TRUE(tx->append_audit(b));
        ASSERT_TRUE(tx->commit());
    }
    const std::string id = id_of(1).str();
    EXPECT_EQ(query(path(), "SELECT length(id), kind, external_id, created_at FROM party"),
              "36|person|ERP-1|1700000000000");
    EXPECT_EQ(query(path(), "SELECT id FROM party"), id);
    EXPECT_EQ(query(path(), "SELECT tags FROM party"), "[\"vip\",\"b2b\"]");
    EXPECT_EQ(query(path(), "SELECT json_extract(custom, '$.g_money.currency'), "
                            "json_extract(custom, '$.h_list[2]') FROM party"),
              "IRR|ی");
    EXPECT_EQ(query(path(), "SELECT kind, value, is_primary FROM v_contact_point ORDER BY pos"),
              "email|ali1@example.com|1\nphone|+989121000001|0");
    EXPECT_EQ(query(path(), "SELECT json_extract(consents, '$[0].status') FROM v_contact_point "
                            "WHERE kind = 'email'"),
              "opt_in");
    EXPECT_EQ(query(path(), "SELECT kind, value, party_id = '" + id + "' FROM contact_key"),
              "email|ali1@example.com|1\nphone|+989121000001|1");
    // A creation's changes are one object of the values; other changes a
    // list of before and after texts.
    EXPECT_EQ(query(path(), "SELECT json_extract(changes, '$.first_name') FROM audit "
                            "WHERE action = 'create'"),
              "علی");
    EXPECT_EQ(query(path(), "SELECT json_extract(changes, '$[0].after') FROM audit "
                            "WHERE action = 'update'"),
              "\"رضا\"");
    EXPECT_EQ(query(path(), "SELECT created FROM v_party"), "2023-11-14T22:13:20.000Z");
    EXPECT_EQ(query(path(), "SELECT tag FROM party_tag ORDER BY tag"), "b2b\nvip");
}

TEST_F(SqliteStoreTest, SearchQueriesUseTheirIndexes) {
    auto store = open(path());
    store.reset();
    auto plan = [&](const std::string& sql) { return query(path(), "EXPLAIN QUERY PLAN " + sql); };
    const std::string contact = plan(
        "SELECT party_id FROM contact_key WHERE kind = 'email' AND value = 'x' ORDER BY party_id");
    EXPECT_NE(contact.find("SEARCH contact_key USING PRIMARY KEY (kind=? AND value=?)"),
              std::string::npos)
        << contact;
    EXPECT_EQ(contact.find("TEMP B-TREE"), std::string::npos) << contact;
    const std::string nid = plan(
        "SELECT id FROM party WHERE national_id = 'x' AND merged_into IS NULL ORDER BY id");
    EXPECT_NE(nid.find("COVERING INDEX party_national_id"), std::string::npos) << nid;
    EXPECT_EQ(nid.find("TEMP B-TREE"), std::string::npos) << nid;
    const std::string timeline =
        plan("SELECT id FROM interaction WHERE party_id = 'p' AND (at, id) < (5, 'x') "
             "ORDER BY at DESC, id DESC LIMIT 10");
    EXPECT_NE(timeline.find("SEARCH interaction USING PRIMARY KEY (party_id=? AND (at,id)<(?,?))"),
              std::string::npos)
        << timeline;
    EXPECT_EQ(timeline.find("TEMP B-TREE"), std::string::npos) << timeline;
    const std::string names = plan(
        "SELECT id FROM party WHERE merged_into IS NULL AND name_key >= 'a' AND name_key < 'b' "
        "ORDER BY name_key, id LIMIT 10 OFFSET 0");
    EXPECT_NE(names.find("COVERING INDEX party_name"), std::string::npos) << names;
    EXPECT_EQ(names.find("TEMP B-TREE"), std::string::npos) << names;
    // "contains" scans the index alone, never the party rows.
    const std::string scan = plan(
        "SELECT id FROM party INDEXED BY party_name WHERE merged_into IS NULL "
        "AND instr(name_key, 'a') > 0 ORDER BY name_key, id LIMIT 10 OFFSET 0");
    EXPECT_NE(scan.find("SCAN party USING COVERING INDEX party_name"), std::string::npos) << scan;
}

// ---- parties ----------------------------------------------------------------

TEST_F(SqliteStoreTest, PartyRoundTripsEveryField) {
    auto store = open(path());
    const Party p = full_party(1);
    {
        auto tx = begin(*store);
        ASSERT_TRUE(tx->put_party(p, "علی karimi"));
        ASSERT_TRUE(tx->commit());
    }
    store.reset();
    store = open(path());  // through the file, not a cache
    auto tx = begin(*store);
    auto got = tx->get_party(p.id);
    ASSERT_TRUE(got) << got.error().what();
    ASSERT_TRUE(got.value().has_value());
    expect_same(*got.value(), p);
    EXPECT_EQ(tx->party_by_external_id("ERP-1").value(), p.id);
    EXPECT_TRUE(tx->party_by_external_id("nope").value().is_nil());
    EXPECT_TRUE(tx->party_by_external_id("").value().is_nil());
    EXPECT_FALSE(tx->get_party(id_of(99)).value().has_value());
}

TEST_F(SqliteStoreTest, PutPartyReplacesContactsTagsAndFields) {
    auto store = memory();
    auto tx = begin(*store);
    Party p = full_party(1);
    ASSERT_TRUE(tx->put_party(p, "a"));
    // Update: first contact changes consent, second is dropped, a third added.
    p.first_name = "Reza";
    p.external_id.clear();
    p.national_id.clear();
    p.tags = {"b2b", "new"};
    p.custom.clear();
    p.contacts[0].consents[0].status = ConsentStatus::opt_out;
    ContactPoint social;
    social.id = id_of(30001);
    social.kind = ContactKind::social;
    social.value = "telegram:ali";
    p.contacts[1] = social;
    ContactPoint addr;
    addr.id = id_of(30002);
    addr.kind = ContactKind::address;
    addr.value = "Valiasr St";
    p.contacts.push_back(addr);
    p.version = 4;
    ASSERT_TRUE(tx->put_party(p, "b"));
    expect_same(*tx->get_party(p.id).value(), p);
    EXPECT_TRUE(tx->parties_by_contact(ContactKind::phone, "+989121000001").value().empty());
    EXPECT_EQ(tx->parties_by_contact(ContactKind::social, "telegram:ali").value(),
              std::vector<Id>{p.id});
    EXPECT_TRUE(tx->parties_by_tag("vip", 0, 10).value().empty());
    EXPECT_EQ(tx->parties_by_tag("new", 0, 10).value(), std::vector<Id>{p.id});
    EXPECT_EQ(tx->parties_by_tag("b2b", 0, 10).value(), std::vector<Id>{p.id});
    EXPECT_TRUE(tx->party_by_external_id("ERP-1").value().is_nil());
    EXPECT_TRUE(tx->parties_by_national_id("0012345678").value().empty());
    // Shrinking the list drops the stored tail.
    p.contacts.resize(1);
    ASSERT_TRUE(tx->put_party(p, "b"));
    expect_same(*tx->get_party(p.id).value(), p);
    p.contacts.clear();
    ASSERT_TRUE(tx->put_party(p, "b"));
    EXPECT_TRUE(tx->get_party(p.id).value()->contacts.empty());
    EXPECT_TRUE(tx->parties_by_contact(ContactKind::email, "ali1@example.com").value().empty());
}

TEST_F(SqliteStoreTest, ExternalIdIsUniqueAmongParties) {
    auto store = memory();
    auto tx = begin(*store);
    Party a = simple_party(1);
    a.external_id = "X1";
    ASSERT_TRUE(tx->put_party(a, "a"));
    Party b = simple_party(2);
    b.external_id = "X1";
    auto r = tx->put_party(b, "b");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::conflict);
    EXPECT_EQ(r.error().field, "external_id");
    // The failed write left nothing behind, and the transaction goes on.
    EXPECT_FALSE(tx->get_party(b.id).value().has_value());
    b.external_id = "X2";
    ASSERT_TRUE(tx->put_party(b, "b"));
    // Parties without an external id never clash.
    Party c = simple_party(3), d = simple_party(4);
    ASSERT_TRUE(tx->put_party(c, "c"));
    ASSERT_TRUE(tx->put_party(d, "d"));
    // Updating a party in place keeps its own external id.
    a.first_name = "changed";
    ASSERT_TRUE(tx->put_party(a, "a"));
    ASSERT_TRUE(tx->commit());
}

TEST_F(SqliteStoreTest, LookupsSeeOnlyLivePartiesButGetPartySeesAll) {
    auto store = memory();
    auto tx = begin(*store);
    Party a = full_party(1), b = full_party(2);
    b.contacts[0].value = a.contacts[0].value;  // a shared e-mail
    b.national_id = a.national_id;
    ASSERT_TRUE(tx->put_party(a, "ali"));
    ASSERT_TRUE(tx->put_party(b, "ali b"));
    EXPECT_EQ(tx->parties_by_contact(ContactKind::email, a.contacts[0].value).value(),
              (std::vector<Id>{a.id, b.id}));
    EXPECT_TRUE(tx->parties_by_contact(ContactKind::phone, a.contacts[0].value).value().empty());
    EXPECT_EQ(tx->parties_by_national_id(a.national_id).value(), (std::vector<Id>{a.id, b.id}));
    EXPECT_EQ(tx->parties_by_tag("vip", 0, 10).value(), (std::vector<Id>{a.id, b.id}));
    EXPECT_EQ(tx->parties_by_name("ali", NameMatch::prefix, 0, 10).value(),
              (std::vector<Id>{a.id, b.id}));

    b.merged_into = a.id;
    ASSERT_TRUE(tx->put_party(b, "ali b"));
    ASSERT_TRUE(tx->put_merge(b.id, a.id, Timestamp{9}));
    EXPECT_EQ(tx->parties_by_contact(ContactKind::email, a.contacts[0].value).value(),
              std::vector<Id>{a.id});
    EXPECT_EQ(tx->parties_by_national_id(a.national_id).value(), std::vector<Id>{a.id});
    EXPECT_EQ(tx->parties_by_tag("vip", 0, 10).value(), std::vector<Id>{a.id});
    EXPECT_EQ(tx->parties_by_name("ali", NameMatch::prefix, 0, 10).value(), std::vector<Id>{a.id});
    EXPECT_EQ(tx->parties_by_name("b", NameMatch::contains, 0, 10).value(), std::vector<Id>{});
    auto gone = tx->get_party(b.id).value();
    ASSERT_TRUE(gone.has_value());
    EXPECT_EQ(gone->merged_into, a.id);
    // A merged party still resolves by its external id.
    EXPECT_EQ(tx->party_by_external_id(b.external_id).value(), b.id);
}

TEST_F(SqliteStoreTest, EmailLookupIgnoresCaseAndKeepsTheStoredSpelling) {
    auto store = memory();
    auto tx = begin(*store);
    Party p = full_party(1);
    p.contacts[0].value = "Ali.K@karimi.ir";
    ASSERT_TRUE(tx->put_party(p, "a"));
    for (const char* q : {"ali.k@karimi.ir", "ALI.K@KARIMI.IR", "Ali.K@karimi.ir"})
        EXPECT_EQ(tx->parties_by_contact(ContactKind::email, q).value(), std::vector<Id>{p.id})
            << q;
    EXPECT_EQ(tx->get_party(p.id).value()->contacts[0].value, "Ali.K@karimi.ir");
    // Changing only the case of the address keeps one index row.
    p.contacts[0].value = "ali.k@karimi.ir";
    ASSERT_TRUE(tx->put_party(p, "a"));
    EXPECT_EQ(tx->parties_by_contact(ContactKind::email, "ALI.K@karimi.ir").value(),
              std::vector<Id>{p.id});
    // Phones are matched as they are.
    EXPECT_EQ(tx->parties_by_contact(ContactKind::phone, p.contacts[1].value).value(),
              std::vector<Id>{p.id});
}

TEST_F(SqliteStoreTest, NameSearchByPrefixAndContainsInKeyOrder) {
    auto store = memory();
    auto tx = begin(*store);
    const char* keys[] = {"zahra", "ali reza", "ali", "alireza", "mohammad ali", "50%_off",
                          "\xF4\x8F\xBF\xBF"};
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(tx->put_party(simple_party(i + 1), keys[i]));
    ASSERT_TRUE(tx->put_party(simple_party(8), "ali"));  // same key: id breaks the tie
    auto names = [&](std::string_view key, NameMatch m, int off = 0, int lim = 100) {
        std::vector<Id> ids = tx->parties_by_name(key, m, off, lim).value();
        return ids;
    };
    EXPECT_EQ(names("ali", NameMatch::prefix),
              (std::vector<Id>{id_of(3), id_of(8), id_of(2), id_of(4)}));
    EXPECT_EQ(names("ali", NameMatch::prefix, 1, 2), (std::vector<Id>{id_of(8), id_of(2)}));
    EXPECT_EQ(names("ali", NameMatch::contains),
              (std::vector<Id>{id_of(3), id_of(8), id_of(2), id_of(4), id_of(5)}));
    EXPECT_EQ(names("reza", NameMatch::contains), (std::vector<Id>{id_of(2), id_of(4)}));
    // Wildcards of LIKE are plain characters here.
    EXPECT_EQ(names("%_", NameMatch::contains), std::vector<Id>{id_of(6)});
    EXPECT_EQ(names("_", NameMatch::prefix), std::vector<Id>{});
    EXPECT_EQ(names("\xF4\x8F", NameMatch::prefix), std::vector<Id>{id_of(7)});
    EXPECT_EQ(names("", NameMatch::prefix).size(), 8u);
    EXPECT_EQ(names("zz", NameMatch::prefix), std::vector<Id>{});
    auto bad = tx->parties_by_name("a", NameMatch::prefix, -1, 5);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().field, "offset");
}

TEST_F(SqliteStoreTest, TagPagingIsInIdOrder) {
    auto store = memory();
    auto tx = begin(*store);
    for (int i = 5; i >= 1; --i) {
        Party p = simple_party(i);
        p.tags = {"t", "t"};  // duplicates collapse
        ASSERT_TRUE(tx->put_party(p, "p"));
    }
    EXPECT_EQ(tx->parties_by_tag("t", 0, 2).value(), (std::vector<Id>{id_of(1), id_of(2)}));
    EXPECT_EQ(tx->parties_by_tag("t", 2, 2).value(), (std::vector<Id>{id_of(3), id_of(4)}));
    EXPECT_EQ(tx->parties_by_tag("t", 4, 2).value(), (std::vector<Id>{id_of(5)}));
    EXPECT_EQ(tx->parties_by_tag("t", 5, 2).value(), std::vector<Id>{});
}

TEST_F(SqliteStoreTest, ForEachPartyStreamsLivePartiesWithContactsInIdOrder) {
    auto store = memory();
    auto tx = begin(*store);
    for (int i : {4, 2, 3, 1, 5}) {
        Party p = i % 2 ? full_party(i) : simple_party(i);
        if (i == 3) p.merged_into = id_of(1);
        ASSERT_TRUE(tx->put_party(p, "k"));
    }
    std::vector<Party> seen;
    ASSERT_TRUE(tx->for_each_party(Id{}, [&](const Party& p) {
        seen.push_back(p);
        return true;
    }));
    ASSERT_EQ(seen.size(), 4u);
    EXPECT_EQ(seen[0].id, id_of(1));
    EXPECT_EQ(seen[1].id, id_of(2));
    EXPECT_EQ(seen[2].id, id_of(4));
    EXPECT_EQ(seen[3].id, id_of(5));
    expect_same(seen[0], full_party(1));
    EXPECT_TRUE(seen[1].contacts.empty());
    expect_same(seen[3], full_party(5));
    int calls = 0;
    ASSERT_TRUE(tx->for_each_party(Id{}, [&](const Party& p) {
        ++calls;
        // Reading inside the callback is allowed.
        EXPECT_TRUE(tx->get_party(p.id).value().has_value());
        return calls < 2;
    }));
    EXPECT_EQ(calls, 2);
}

// ---- merges and memberships ---------------------------------------------------

TEST_F(SqliteStoreTest, MergeLogRecordsAndRepoints) {
    auto store = memory();
    auto tx = begin(*store);
    for (int i = 1; i <= 4; ++i) ASSERT_TRUE(tx->put_party(simple_party(i), "p"));
    ASSERT_TRUE(tx->put_merge(id_of(3), id_of(2), Timestamp{1}));
    ASSERT_TRUE(tx->put_merge(id_of(2), id_of(1), Timestamp{2}));
    ASSERT_TRUE(tx->put_merge(id_of(4), id_of(1), Timestamp{3}));
    EXPECT_EQ(tx->merged_into(id_of(3)).value(), id_of(2));
    EXPECT_TRUE(tx->merged_into(id_of(1)).value().is_nil());
    EXPECT_EQ(tx->merged_from(id_of(1)).value(), (std::vector<Id>{id_of(2), id_of(4)}));
    ASSERT_TRUE(tx->put_merge(id_of(3), id_of(1), Timestamp{4}));
    EXPECT_EQ(tx->merged_into(id_of(3)).value(), id_of(1));
    EXPECT_EQ(tx->merged_from(id_of(1)).value(), (std::vector<Id>{id_of(2), id_of(3), id_of(4)}));
    EXPECT_TRUE(tx->merged_from(id_of(2)).value().empty());
}

TEST_F(SqliteStoreTest, MembershipsRoundTrip) {
    auto store = memory();
    auto tx = begin(*store);
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(tx->put_party(simple_party(i), "p"));
    ASSERT_TRUE(tx->put_membership({id_of(1), id_of(3), "CFO", Timestamp{10}}));
    ASSERT_TRUE(tx->put_membership({id_of(2), id_of(3), "", Timestamp{20}}));
    ASSERT_TRUE(tx->put_membership({id_of(1), id_of(3), "CEO", Timestamp{30}}));  // update
    auto of_org = tx->memberships_of(id_of(3)).value();
    ASSERT_EQ(of_org.size(), 2u);
    EXPECT_EQ(of_org[0].person, id_of(1));
    EXPECT_EQ(of_org[0].role, "CEO");
    EXPECT_EQ(of_org[0].since, Timestamp{30});
    EXPECT_EQ(of_org[1].person, id_of(2));
    auto of_person = tx->memberships_of(id_of(1)).value();
    ASSERT_EQ(of_person.size(), 1u);
    EXPECT_EQ(of_person[0].organization, id_of(3));
    EXPECT_TRUE(tx->delete_membership(id_of(1), id_of(3)).value());
    EXPECT_FALSE(tx->delete_membership(id_of(1), id_of(3)).value());
    EXPECT_EQ(tx->memberships_of(id_of(3)).value().size(), 1u);
    // A membership needs both parties to exist.
    auto r = tx->put_membership({id_of(1), id_of(99), "", Timestamp{1}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::not_found);
}

// ---- interactions -------------------------------------------------------------

TEST_F(SqliteStoreTest, InteractionRoundTripAndExternalIdUniqueness) {
    auto store = memory();
    auto tx = begin(*store);
    ASSERT_TRUE(tx->put_party(simple_party(1), "p"));
    Interaction i = interaction(100, id_of(1), 5000);
    i.channel = Channel::chat;
    i.direction = Direction::internal;
    i.summary = "line1\nline2 «»";
    i.actor = "user:3";
    i.duration_s = 0;
    i.outcome = "answered";
    i.external_id = "CALL-1";
    ASSERT_TRUE(tx->put_interaction(i));
    auto got = tx->interaction_by_external_id("CALL-1").value();
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->id, i.id);
    EXPECT_EQ(got->party, i.party);
    EXPECT_EQ(got->channel, Channel::chat);
    EXPECT_EQ(got->direction, Direction::internal);
    EXPECT_EQ(got->at, i.at);
    EXPECT_EQ(got->subject, i.subject);
    EXPECT_EQ(got->summary, i.summary);
    EXPECT_EQ(got->actor, i.actor);
    EXPECT_EQ(got->duration_s, std::optional<std::int64_t>(0));
    EXPECT_EQ(got->outcome, i.outcome);
    EXPECT_EQ(got->external_id, "CALL-1");
    EXPECT_FALSE(tx->interaction_by_external_id("").value().has_value());

    Interaction other = interaction(101, id_of(1), 6000);
    other.external_id = "CALL-1";
    auto r = tx->put_interaction(other);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::conflict);
    EXPECT_EQ(r.error().field, "external_id");
    // Interactions without an external id never clash; one without a
    // duration reads back without one.
    Interaction a = interaction(102, id_of(1), 7000), b = interaction(103, id_of(1), 7000);
    ASSERT_TRUE(tx->put_interaction(a));
    ASSERT_TRUE(tx->put_interaction(b));
    auto page = tx->interactions(id_of(1), {"", 10}).value();
    ASSERT_EQ(page.items.size(), 3u);
    EXPECT_FALSE(page.items[0].duration_s.has_value());
    EXPECT_TRUE(page.items[0].external_id.empty());
    // Putting the same id again updates it in place.
    i.subject = "edited";
    ASSERT_TRUE(tx->put_interaction(i));
    EXPECT_EQ(tx->interaction_by_external_id("CALL-1").value()->subject, "edited");
    EXPECT_EQ(tx->interactions(id_of(1), {"", 10}).value().items.size(), 3u);
}

TEST_F(SqliteStoreTest, TimelinePagesNewestFirstAcrossEqualTimestamps) {
    auto store = memory();
    auto tx = begin(*store);
    ASSERT_TRUE(tx->put_party(simple_party(1), "p"));
    ASSERT_TRUE(tx->put_party(simple_party(2), "q"));
    // 11 interactions, many sharing a time; ids are not in time order.
    const std::int64_t at[] = {300, 100, 200, 200, 200, 300, 100, 200, 50, 300, 200};
    for (int i = 0; i < 11; ++i)
        ASSERT_TRUE(tx->put_interaction(interaction(500 - i, id_of(1), at[i])));
    ASSERT_TRUE(tx->put_interaction(interaction(900, id_of(2), 250)));  // another party's

    std::vector<Interaction> all;
    std::string before;
    int pages = 0;
    do {
        auto page = tx->interactions(id_of(1), {before, 3});
        ASSERT_TRUE(page) << page.error().what();
        EXPECT_LE(page.value().items.size(), 3u);
        for (auto& i : page.value().items) all.push_back(i);
        before = page.value().next;
        ++pages;
        ASSERT_LT(pages, 10);
    } while (!before.empty());
    EXPECT_EQ(pages, 4);
    ASSERT_EQ(all.size(), 11u);
    for (std::size_t k = 1; k < all.size(); ++k) {
        const auto &a = all[k - 1], &b = all[k];
        EXPECT_TRUE(a.at > b.at || (a.at == b.at && a.id > b.id)) << k;
    }
    // A page that ends exactly at the end says so.
    auto exact = tx->interactions(id_of(2), {"", 1}).value();
    EXPECT_EQ(exact.items.size(), 1u);
    EXPECT_TRUE(exact.next.empty());
    EXPECT_TRUE(tx->interactions(id_of(99), {"", 5}).value().items.empty());

    for (const char* bad : {"garbage", "12", ":", "x:" , "12:not-an-id"}) {
        auto r = tx->interactions(id_of(1), {bad, 3});
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, errc::invalid_argument);
        EXPECT_EQ(r.error().field, "before");
    }
    auto r = tx->interactions(id_of(1), {"", 0});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "limit");
}

// ---- activities ---------------------------------------------------------------

TEST_F(SqliteStoreTest, ActivitiesRoundTripAndQueriesBySoonestDue) {
    auto store = memory();
    auto tx = begin(*store);
    ASSERT_TRUE(tx->put_party(simple_party(1), "p"));
    ASSERT_TRUE(tx->put_party(simple_party(2), "q"));
    auto act = [](int n, int party, std::int64_t due, std::string who, ActivityStatus st) {
        Activity a;
        a.id = id_of(n);
        a.party = id_of(party);
        a.kind = ActivityKind::meeting;
        a.subject = "subj " + std::to_string(n);
        a.note = "note";
        a.due = Timestamp{due};
        a.assignee = std::move(who);
        a.status = st;
        a.created_at = Timestamp{1};
        if (st != ActivityStatus::open) a.closed_at = Timestamp{due + 1};
        return a;
    };
    ASSERT_TRUE(tx->put_activity(act(10, 1, 300, "u1", ActivityStatus::open)));
    ASSERT_TRUE(tx->put_activity(act(11, 1, 100, "u1", ActivityStatus::open)));
    ASSERT_TRUE(tx->put_activity(act(12, 1, 100, "u2", ActivityStatus::done)));
    ASSERT_TRUE(tx->put_activity(act(13, 2, 50, "u1", ActivityStatus::cancelled)));
    ASSERT_TRUE(tx->put_activity(act(14, 2, 100, "u1", ActivityStatus::open)));
    ASSERT_TRUE(tx->put_activity(act(9, 1, 300, "u1", ActivityStatus::open)));

    auto done = tx->get_activity(id_of(12)).value();
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->kind, ActivityKind::meeting);
    EXPECT_EQ(done->status, ActivityStatus::done);
    EXPECT_EQ(done->closed_at, std::optional<Timestamp>(Timestamp{101}));
    EXPECT_EQ(done->subject, "subj 12");
    EXPECT_EQ(done->note, "note");
    EXPECT_EQ(done->created_at, Timestamp{1});
    EXPECT_FALSE(tx->get_activity(id_of(10)).value()->closed_at.has_value());
    EXPECT_FALSE(tx->get_activity(id_of(77)).value().has_value());

    auto ids = [](const std::vector<Activity>& v) {
        std::vector<Id> out;
        for (auto& a : v) out.push_back(a.id);
        return out;
    };
    EXPECT_EQ(ids(tx->open_activities(id_of(1), 10).value()),
              (std::vector<Id>{id_of(11), id_of(9), id_of(10)}));
    EXPECT_EQ(ids(tx->open_activities(id_of(1), 1).value()), std::vector<Id>{id_of(11)});
    EXPECT_EQ(ids(tx->activities_due("u1", Timestamp{300}, 10).value()),
              (std::vector<Id>{id_of(11), id_of(14)}));
    EXPECT_EQ(ids(tx->activities_due("u1", Timestamp{301}, 10).value()),
              (std::vector<Id>{id_of(11), id_of(14), id_of(9), id_of(10)}));
    // Completing one takes it off both lists.
    Activity a = act(11, 1, 100, "u1", ActivityStatus::done);
    ASSERT_TRUE(tx->put_activity(a));
    EXPECT_EQ(ids(tx->activities_due("u1", Timestamp{300}, 10).value()),
              std::vector<Id>{id_of(14)});
}

// ---- purchases ----------------------------------------------------------------

TEST_F(SqliteStoreTest, PurchaseRoundTripAndOrderIdUniqueness) {
    auto store = memory();
    auto tx = begin(*store);
    ASSERT_TRUE(tx->put_party(simple_party(1), "p"));
    Purchase p = purchase(100, id_of(1), "SO-1", 2500000, "IRR", 1000);
    p.lines = {{"SKU-1", "چای", 2, Money{1000000, "IRR"}, Money{2000000, "IRR"}},
               {"SKU-2", "Sugar \"fine\"", 1, Money{500000, "IRR"}, Money{500000, "IRR"}}};
    ASSERT_TRUE(tx->put_purchase(p));
    auto got = tx->purchase_by_order_id("SO-1").value();
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->id, p.id);
    EXPECT_EQ(got->party, p.party);
    EXPECT_EQ(got->order_id, "SO-1");
    EXPECT_EQ(got->ordered_at, p.ordered_at);
    EXPECT_EQ(got->total, p.total);
    ASSERT_EQ(got->lines.size(), 2u);
    EXPECT_EQ(got->lines[0].sku, "SKU-1");
    EXPECT_EQ(got->lines[0].name, "چای");
    EXPECT_EQ(got->lines[0].quantity, 2);
    EXPECT_EQ(got->lines[0].unit_price, (Money{1000000, "IRR"}));
    EXPECT_EQ(got->lines[1].total, (Money{500000, "IRR"}));
    EXPECT_EQ(got->lines[1].name, "Sugar \"fine\"");
    EXPECT_FALSE(tx->purchase_by_order_id("SO-2").value().has_value());

    Purchase dup = purchase(101, id_of(1), "SO-1", 1, "IRR", 2000);
    auto r = tx->put_purchase(dup);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::conflict);
    EXPECT_EQ(r.error().field, "order_id");
    // The summary did not count the refused order.
    auto sums = tx->purchase_summary(id_of(1)).value();
    ASSERT_EQ(sums.size(), 1u);
    EXPECT_EQ(sums[0].count, 1);

    ASSERT_TRUE(tx->put_purchase(purchase(102, id_of(1), "SO-0", 1, "IRR", 500)));
    auto all = tx->purchases_of(id_of(1)).value();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].order_id, "SO-0");  // oldest first
    EXPECT_EQ(all[1].order_id, "SO-1");
}

TEST_F(SqliteStoreTest, PurchaseSummaryFollowsInsertUpdateAndReassign) {
    auto store = memory();
    auto tx = begin(*store);
    ASSERT_TRUE(tx->put_party(simple_party(1), "a"));
    ASSERT_TRUE(tx->put_party(simple_party(2), "b"));
    ASSERT_TRUE(tx->put_purchase(purchase(10, id_of(1), "O1", 100, "IRR", 1000)));
    ASSERT_TRUE(tx->put_purchase(purchase(11, id_of(1), "O2", 250, "IRR", 3000)));
    ASSERT_TRUE(tx->put_purchase(purchase(12, id_of(1), "O3", 7, "USD", 2000)));
    ASSERT_TRUE(tx->put_purchase(purchase(13, id_of(2), "O4", 1000, "IRR", 500)));
    auto s1 = tx->purchase_summary(id_of(1)).value();
    ASSERT_EQ(s1.size(), 2u);
    EXPECT_EQ(s1[0].currency, "IRR");
    EXPECT_EQ(s1[0].count, 2);
    EXPECT_EQ(s1[0].total_minor, 350);
    EXPECT_EQ(s1[0].first_at, Timestamp{1000});
    EXPECT_EQ(s1[0].last_at, Timestamp{3000});
    EXPECT_EQ(s1[1].currency, "USD");
    EXPECT_EQ(s1[1].total_minor, 7);

    // Updating the latest order (same id) to an earlier, smaller one: the
    // old amount is taken out and last_at moves back.
    ASSERT_TRUE(tx->put_purchase(purchase(11, id_of(1), "O2", 40, "IRR", 900)));
    s1 = tx->purchase_summary(id_of(1)).value();
    EXPECT_EQ(s1[0].count, 2);
    EXPECT_EQ(s1[0].total_minor, 140);
    EXPECT_EQ(s1[0].first_at, Timestamp{900});
    EXPECT_EQ(s1[0].last_at, Timestamp{1000});
    // Changing an order's currency moves it between summaries; the emptied
    // one disappears.
    ASSERT_TRUE(tx->put_purchase(purchase(12, id_of(1), "O3", 9, "EUR", 2000)));
    s1 = tx->purchase_summary(id_of(1)).value();
    ASSERT_EQ(s1.size(), 2u);
    EXPECT_EQ(s1[0].currency, "EUR");
    EXPECT_EQ(s1[0].total_minor, 9);
    EXPECT_EQ(s1[1].currency, "IRR");

    // Reassigning party 1 to party 2 merges the summaries.
    ASSERT_TRUE(tx->reassign_party(id_of(1), id_of(2)));
    EXPECT_TRUE(tx->purchase_summary(id_of(1)).value().empty());
    auto s2 = tx->purchase_summary(id_of(2)).value();
    ASSERT_EQ(s2.size(), 2u);
    EXPECT_EQ(s2[0].currency, "EUR");
    EXPECT_EQ(s2[0].count, 1);
    EXPECT_EQ(s2[1].currency, "IRR");
    EXPECT_EQ(s2[1].count, 3);
    EXPECT_EQ(s2[1].total_minor, 1140);
    EXPECT_EQ(s2[1].first_at, Timestamp{500});
    EXPECT_EQ(s2[1].last_at, Timestamp{1000});
    EXPECT_EQ(tx->purchases_of(id_of(2)).value().size(), 4u);
    EXPECT_EQ(tx->purchase_by_order_id("O1").value()->party, id_of(2));
}

TEST_F(SqliteStoreTest, PurchaseSummaryRefusesAnOverflowingTotal) {
    auto store = memory();
    auto tx = begin(*store);
    ASSERT_TRUE(tx->put_party(simple_party(1), "a"));
    ASSERT_TRUE(tx->put_purchase(purchase(10, id_of(1), "O1", INT64_MAX - 5, "IRR", 1)));
    auto r = tx->put_purchase(purchase(11, id_of(1), "O2", 6, "IRR", 2));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_argument);
    EXPECT_FALSE(tx->purchase_by_order_id("O2").value().has_value());
    EXPECT_EQ(tx->purchase_summary(id_of(1)).value()[0].total_minor, INT64_MAX - 5);
}

TEST_F(SqliteStoreTest, ReassignMovesTimelineActivitiesAndMemberships) {
    auto store = memory();
    auto tx = begin(*store);
    for (int i = 1; i <= 4; ++i) ASSERT_TRUE(tx->put_party(simple_party(i), "p"));
    const Id from = id_of(1), to = id_of(2), org = id_of(3), org2 = id_of(4);
    ASSERT_TRUE(tx->put_interaction(interaction(10, from, 100)));
    ASSERT_TRUE(tx->put_interaction(interaction(11, to, 200)));
    Activity a;
    a.id = id_of(20);
    a.party = from;
    a.due = Timestamp{5};
    ASSERT_TRUE(tx->put_activity(a));
    ASSERT_TRUE(tx->put_membership({from, org, "from's role", Timestamp{1}}));
    ASSERT_TRUE(tx->put_membership({to, org, "to's role", Timestamp{2}}));
    ASSERT_TRUE(tx->put_membership({from, org2, "only from", Timestamp{3}}));
    ASSERT_TRUE(tx->put_membership({from, to, "self after merge", Timestamp{4}}));

    ASSERT_TRUE(tx->reassign_party(from, to));
    EXPECT_TRUE(tx->interactions(from, {"", 10}).value().items.empty());
    EXPECT_EQ(tx->interactions(to, {"", 10}).value().items.size(), 2u);
    EXPECT_EQ(tx->get_activity(a.id).value()->party, to);
    EXPECT_EQ(tx->open_activities(to, 10).value().size(), 1u);
    EXPECT_TRUE(tx->memberships_of(from).value().empty());
    auto ms = tx->memberships_of(to).value();
    ASSERT_EQ(ms.size(), 2u);
    for (const auto& m : ms) {
        EXPECT_EQ(m.person, to);
        if (m.organization == org) EXPECT_EQ(m.role, "to's role");
        else EXPECT_EQ(m.organization, org2);
    }
}

// ---- custom fields, audit, outbox -------------------------------------------

TEST_F(SqliteStoreTest, FieldDefinitionsRoundTrip) {
    auto store = memory();
    auto tx = begin(*store);
    FieldDef tier;
    tier.name = "tier";
    tier.label = "سطح";
    tier.type = FieldType::enumeration;
    tier.required = true;
    tier.allowed = {"gold", "silver"};
    FieldDef credit;
    credit.name = "credit";
    credit.type = FieldType::money;
    credit.currency = "IRR";
    credit.min = -5;
    credit.max = 1000;
    FieldDef other = credit;
    other.record_type = "ticket";
    ASSERT_TRUE(tx->put_field(tier));
    ASSERT_TRUE(tx->put_field(credit));
    ASSERT_TRUE(tx->put_field(other));
    tier.label = "Tier";
    ASSERT_TRUE(tx->put_field(tier));  // update
    auto defs = tx->fields("party").value();
    ASSERT_EQ(defs.size(), 2u);
    EXPECT_EQ(defs[0].name, "credit");
    EXPECT_EQ(defs[0].type, FieldType::money);
    EXPECT_EQ(defs[0].min, std::optional<std::int64_t>(-5));
    EXPECT_EQ(defs[0].max, std::optional<std::int64_t>(1000));
    EXPECT_EQ(defs[0].currency, "IRR");
    EXPECT_FALSE(defs[0].required);
    EXPECT_EQ(defs[1].name, "tier");
    EXPECT_EQ(defs[1].label, "Tier");
    EXPECT_EQ(defs[1].type, FieldType::enumeration);
    EXPECT_TRUE(defs[1].required);
    EXPECT_EQ(defs[1].allowed, (std::vector<std::string>{"gold", "silver"}));
    EXPECT_FALSE(defs[1].min.has_value());
    EXPECT_EQ(tx->fields("ticket").value().size(), 1u);
    EXPECT_TRUE(tx->fields("lead").value().empty());
}

TEST_F(SqliteStoreTest, AuditAndEventsGetIncreasingSeqAndRoundTrip) {
    auto store = open(path());
    {
        auto tx = begin(*store);
        for (int i = 0; i < 3; ++i) {
            AuditEntry a{0, Timestamp{100 + i}, "user:1", "import", "party", id_of(i % 2),
                         i == 0 ? "create" : "update",
                         {{"first_name", "null", "\"Ali \\\"A\\\"\""}, {"tags", "[]", "[\"x\"]"}}};
            ASSERT_TRUE(tx->append_audit(a));
            EXPECT_EQ(a.seq, i + 1);
            Event e{0, Timestamp{100 + i}, "party.updated", "party", id_of(i % 2),
                    "{\"n\":" + std::to_string(i) + "}"};
            ASSERT_TRUE(tx->append_event(e));
            EXPECT_EQ(e.seq, i + 1);
        }
        ASSERT_TRUE(tx->commit());
    }
    auto tx = begin(*store);
    auto trail = tx->audit_of(id_of(0), 10).value();
    ASSERT_EQ(trail.size(), 2u);
    EXPECT_EQ(trail[0].seq, 3);  // newest first
    EXPECT_EQ(trail[1].seq, 1);
    EXPECT_EQ(trail[1].at, Timestamp{100});
    EXPECT_EQ(trail[1].actor, "user:1");
    EXPECT_EQ(trail[1].source, "import");
    EXPECT_EQ(trail[1].record_type, "party");
    EXPECT_EQ(trail[1].record_id, id_of(0));
    EXPECT_EQ(trail[1].action, "create");
    ASSERT_EQ(trail[1].changes.size(), 2u);
    EXPECT_EQ(trail[1].changes[0].field, "first_name");
    EXPECT_EQ(trail[1].changes[0].before, "null");
    EXPECT_EQ(trail[1].changes[0].after, "\"Ali \\\"A\\\"\"");
    EXPECT_EQ(trail[1].changes[1].after, "[\"x\"]");
    EXPECT_EQ(tx->audit_of(id_of(0), 1).value().size(), 1u);

    auto events = tx->events_after(1, 10).value();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0].seq, 2);
    EXPECT_EQ(events[0].type, "party.updated");
    EXPECT_EQ(events[0].record_type, "party");
    EXPECT_EQ(events[0].record_id, id_of(1));
    EXPECT_EQ(events[0].payload, "{\"n\":1}");
    EXPECT_EQ(events[0].at, Timestamp{101});
    EXPECT_EQ(tx->events_after(0, 1).value().size(), 1u);
    EXPECT_TRUE(tx->events_after(3, 10).value().empty());

    EXPECT_EQ(tx->cursor("erp").value(), 0);
    ASSERT_TRUE(tx->set_cursor("erp", 2));
    ASSERT_TRUE(tx->set_cursor("bpms", 1));
    ASSERT_TRUE(tx->set_cursor("erp", 3));
    EXPECT_EQ(tx->cursor("erp").value(), 3);
    EXPECT_EQ(tx->cursor("bpms").value(), 1);
}

TEST_F(SqliteStoreTest, EventSeqContinuesFromTheLastCommittedEvent) {
    auto store = memory();
    {
        auto tx = begin(*store);
        Event e{0, Timestamp{1}, "a", "party", id_of(1), "{}"};
        ASSERT_TRUE(tx->append_event(e));
        ASSERT_TRUE(tx->commit());
    }
    {
        auto tx = begin(*store);
        Event e{0, Timestamp{1}, "b", "party", id_of(1), "{}"};
        ASSERT_TRUE(tx->append_event(e));
        EXPECT_EQ(e.seq, 2);
    }  // rolled back: seq 2 was never visible, so handing it out again is safe
    auto tx = begin(*store);
    Event e{0, Timestamp{1}, "c", "party", id_of(1), "{}"};
    ASSERT_TRUE(tx->append_event(e));
    EXPECT_EQ(e.seq, 2);
    EXPECT_EQ(tx->events_after(0, 10).value().size(), 2u);
}

// ---- transactions ---------------------------------------------------------------

TEST_F(SqliteStoreTest, CommitPersistsAndDestructionRollsBack) {
    auto store = open(path());
    {
        auto tx = begin(*store);
        ASSERT_TRUE(tx->put_party(simple_party(1), "a"));
        ASSERT_TRUE(tx->commit());
        auto again = tx->put_party(simple_party(9), "z");
        ASSERT_FALSE(again);  // a finished transaction refuses work
        EXPECT_FALSE(tx->commit());
    }
    {
        auto tx = begin(*store);
        ASSERT_TRUE(tx->put_party(simple_party(2), "b"));
        ASSERT_TRUE(tx->savepoint());
        ASSERT_TRUE(tx->put_party(simple_party(3), "c"));
    }  // neither committed
    auto tx = begin(*store);
    EXPECT_TRUE(tx->get_party(id_of(1)).value().has_value());
    EXPECT_FALSE(tx->get_party(id_of(2)).value().has_value());
    EXPECT_FALSE(tx->get_party(id_of(3)).value().has_value());
}

TEST_F(SqliteStoreTest, SavepointRollbackKeepsTheOuterWrites) {
    auto store = open(path());
    {
        auto tx = begin(*store);
        ASSERT_TRUE(tx->put_party(simple_party(1), "a"));
        ASSERT_TRUE(tx->savepoint());
        ASSERT_TRUE(tx->put_party(simple_party(2), "b"));
        ASSERT_TRUE(tx->savepoint());  // nested
        ASSERT_TRUE(tx->put_party(simple_party(3), "c"));
        ASSERT_TRUE(tx->rollback_to_savepoint());  // drops 3
        ASSERT_TRUE(tx->put_party(simple_party(4), "d"));
        ASSERT_TRUE(tx->release_savepoint());  // keeps 2 and 4
        ASSERT_TRUE(tx->savepoint());
        ASSERT_TRUE(tx->put_party(simple_party(5), "e"));
        ASSERT_TRUE(tx->rollback_to_savepoint());  // drops 5
        EXPECT_FALSE(tx->release_savepoint());     // nothing left to release
        EXPECT_FALSE(tx->rollback_to_savepoint());
        // The same savepoint depth is usable again.
        ASSERT_TRUE(tx->savepoint());
        ASSERT_TRUE(tx->put_party(simple_party(6), "f"));
        ASSERT_TRUE(tx->release_savepoint());
        ASSERT_TRUE(tx->commit());
    }
    auto tx = begin(*store);
    for (int i : {1, 2, 4, 6}) EXPECT_TRUE(tx->get_party(id_of(i)).value().has_value()) << i;
    for (int i : {3, 5}) EXPECT_FALSE(tx->get_party(id_of(i)).value().has_value()) << i;
}

TEST_F(SqliteStoreTest, ConflictInsideASavepointLeavesTheTransactionUsable) {
    auto store = memory();
    auto tx = begin(*store);
    Party a = simple_party(1);
    a.external_id = "E";
    ASSERT_TRUE(tx->put_party(a, "a"));
    ASSERT_TRUE(tx->savepoint());
    Party b = simple_party(2);
    b.external_id = "E";
    ASSERT_FALSE(tx->put_party(b, "b"));
    ASSERT_TRUE(tx->rollback_to_savepoint());
    ASSERT_TRUE(tx->put_party(simple_party(3), "c"));
    ASSERT_TRUE(tx->commit());
}

TEST_F(SqliteStoreTest, OneTransactionAtATimePerStore) {
    {
        SqliteOptions o;
        o.path = path();
        o.busy_timeout_ms = 100;
        auto store = std::move(open_sqlite(o).value());
        auto first = begin(*store);
        // A second begin waits, then gives up with a storage error.
        auto t0 = std::chrono::steady_clock::now();
        auto second = crm::begin(*store);
        ASSERT_FALSE(second);
        EXPECT_EQ(second.error().code, errc::storage);
        EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(90));
    }
    // Another thread's begin proceeds as soon as the first transaction ends,
    // even when that one is finished on a third thread.
    auto store = open(path());
    auto first = begin(*store);
    std::atomic<bool> got{false};
    std::thread waiter([&] {
        auto tx = crm::begin(*store);
        got = tx && tx.value()->get_party(id_of(1)).value().has_value();
    });
    ASSERT_TRUE(first->put_party(simple_party(1), "a"));
    std::thread([&] { EXPECT_TRUE(first->commit()); }).join();
    waiter.join();
    EXPECT_TRUE(got);
}

TEST_F(SqliteStoreTest, AnotherProcessHoldingTheWriteLockTimesOutCleanly) {
    SqliteOptions o;
    o.path = path();
    o.busy_timeout_ms = 50;
    auto store = std::move(open_sqlite(o).value());
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &other), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
    auto blocked = crm::begin(*store);
    ASSERT_FALSE(blocked);
    EXPECT_EQ(blocked.error().code, errc::storage);
    ASSERT_EQ(sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(other);
    // The failed begin gave its turn back.
    auto tx = crm::begin(*store);
    ASSERT_TRUE(tx) << tx.error().what();
    ASSERT_TRUE(tx.value()->put_party(simple_party(1), "a"));
    ASSERT_TRUE(tx.value()->savepoint());
    ASSERT_TRUE(tx.value()->put_party(simple_party(2), "b"));
    ASSERT_TRUE(tx.value()->commit());  // an open savepoint is committed with the rest
    auto check = begin(*store);
    EXPECT_TRUE(check->get_party(id_of(2)).value().has_value());
}

TEST_F(SqliteStoreTest, TwoStoresOnOneFileSeeEachOthersCommits) {
    auto writer = open(path());
    auto reader = open(path());
    {
        auto tx = begin(*writer);
        ASSERT_TRUE(tx->put_party(full_party(1), "ali"));
        ASSERT_TRUE(tx->commit());
    }
    auto tx = begin(*reader);
    expect_same(*tx->get_party(id_of(1)).value(), full_party(1));
}

TEST_F(SqliteStoreTest, DamagedRowsAreStorageErrorsNotCrashes) {
    {
        auto store = open(path());
        auto tx = begin(*store);
        ASSERT_TRUE(tx->put_party(full_party(1), "ali"));
        ASSERT_TRUE(tx->put_party(full_party(2), "ali"));
        ASSERT_TRUE(tx->put_party(full_party(3), "ali"));
        ASSERT_TRUE(tx->commit());
    }
    // As if edited by hand with the shell: a float custom value, a contact
    // without its fields, an unknown enum name, a malformed id.
    exec(path(), "UPDATE party SET custom = '{\"x\": 1.5}' WHERE external_id = 'ERP-1';"
                 "UPDATE party SET contacts = '[{\"id\": 7}]' WHERE external_id = 'ERP-2';"
                 "UPDATE party SET kind = 'robot' WHERE external_id = 'ERP-3';"
                 "UPDATE party SET merged_into = 'nope' WHERE external_id = 'ERP-2';");
    auto store = open(path());
    auto tx = begin(*store);
    for (int i = 1; i <= 3; ++i) {
        auto p = tx->get_party(id_of(i));
        ASSERT_FALSE(p) << i;
        EXPECT_EQ(p.error().code, errc::storage) << i;
    }
    auto each = tx->for_each_party(Id{}, [](const Party&) { return true; });
    ASSERT_FALSE(each);
    EXPECT_EQ(each.error().code, errc::storage);
}

TEST_F(SqliteStoreTest, IdTextMatchesIdStr) {
    Id id;
    for (int i = 0; i < 16; ++i) id.bytes[i] = static_cast<std::uint8_t>(i * 17 + 3);
    EXPECT_EQ(std::string(crm::storage::sqlite::IdText(id).view()), id.str());
    Id back;
    ASSERT_TRUE(crm::storage::sqlite::parse_id(id.str(), back));
    EXPECT_EQ(back, id);
    EXPECT_FALSE(crm::storage::sqlite::parse_id("not-an-id", back));
}

TEST_F(SqliteStoreTest, JsonColumnsRoundTripAwkwardText) {
    using namespace crm::storage::sqlite;
    const std::string awkward = "q\"b\\s/\x01\x1f\n\t\r ی 😀 \xE2\x80\x8C end";
    ContactPoint c;
    c.id = id_of(3);
    c.kind = ContactKind::social;
    c.type = awkward;
    c.value = awkward;
    c.operator_name = awkward;
    c.consents = {{awkward, ConsentStatus::opt_out, Timestamp{INT64_MIN}, awkward}};
    auto back = columns::decode_contacts(columns::encode_contacts({c, c}), "t");
    ASSERT_TRUE(back) << back.error().what();
    ASSERT_EQ(back.value().size(), 2u);
    EXPECT_EQ(back.value()[1].value, awkward);
    EXPECT_EQ(back.value()[1].type, awkward);
    EXPECT_EQ(back.value()[1].operator_name, awkward);
    EXPECT_EQ(back.value()[1].consents[0].channel, awkward);
    EXPECT_EQ(back.value()[1].consents[0].at, Timestamp{INT64_MIN});
    EXPECT_EQ(columns::decode_strings(columns::encode_strings({awkward, ""}), "t").value(),
              (std::vector<std::string>{awkward, ""}));
    CustomValues cv{{awkward, Value{awkward}}, {"l", Value{std::vector<std::string>{awkward}}}};
    auto cb = columns::decode_custom(columns::encode_custom(cv), "t");
    ASSERT_TRUE(cb);
    EXPECT_EQ(std::get<std::string>(cb.value().at(awkward)), awkward);
    EXPECT_EQ(std::get<std::vector<std::string>>(cb.value().at("l"))[0], awkward);
    std::vector<FieldChange> ch{{awkward, "null", "\"" + awkward + "\""}};
    auto chb = audit_text::decode_changes(audit_text::encode_changes(ch), "t");
    ASSERT_TRUE(chb);
    EXPECT_EQ(chb.value()[0].after, ch[0].after);
}

TEST_F(SqliteStoreTest, HandEditedContactJsonStillReads) {
    using namespace crm::storage::sqlite;
    // Other key order, white space, escapes, an unknown key, missing
    // optional keys.
    const std::string id = id_of(5).str();
    auto r = columns::decode_contacts(" [ {\n \"value\" : \"a\\u0040b.com \\ud83d\\ude00\", \"note\": "
                             "{\"x\": [1, 2.5e3, null, true]}, \"kind\":\"email\", \"id\": \"" +
                                 id + "\", \"consents\": [ ] } ] ",
                             "t");
    ASSERT_TRUE(r) << r.error().what();
    ASSERT_EQ(r.value().size(), 1u);
    EXPECT_EQ(r.value()[0].value, "a@b.com 😀");
    EXPECT_EQ(r.value()[0].id, id_of(5));
    EXPECT_EQ(r.value()[0].kind, ContactKind::email);
    EXPECT_FALSE(r.value()[0].primary);
    for (const char* bad : {"[", "[{}]", "[{\"id\":\"x\",\"kind\":\"email\"}]", "{}", "[] x",
                            "[{\"kind\":\"fax\"}]", "[\"\\ud800\"]"}) {
        auto e = columns::decode_contacts(bad, "t");
        ASSERT_FALSE(e) << bad;
        EXPECT_EQ(e.error().code, errc::storage) << bad;
    }
    EXPECT_FALSE(columns::decode_strings("[1]", "t"));
    EXPECT_FALSE(columns::decode_strings("[\"a\",]", "t"));
}

// A bulk load changes how the connection reads, so it waits for the open
// transaction like a begin does, and the store works as before in it and
// after it.
TEST_F(SqliteStoreTest, BulkLoadWaitsForTheOpenTransactionAndChangesNoData) {
    SqliteOptions o;
    o.path = path();
    o.busy_timeout_ms = 50;
    auto store = std::move(open_sqlite(o).value());
    {
        auto tx = begin(*store);
        ASSERT_TRUE(tx->put_party(simple_party(1), "a"));
        auto busy = store->bulk_load(true);
        ASSERT_FALSE(busy);
        EXPECT_EQ(busy.error().code, errc::storage);
        ASSERT_TRUE(tx->commit());
    }
    ASSERT_TRUE(store->bulk_load(true));
    {
        auto tx = begin(*store);
        ASSERT_TRUE(tx->put_party(simple_party(2), "b"));
        ASSERT_TRUE(tx->commit());
    }
    ASSERT_TRUE(store->bulk_load(false));
    auto reader = crm::begin_read(*store);
    ASSERT_TRUE(reader) << reader.error().what();
    EXPECT_TRUE(reader.value()->get_party(id_of(1)).value().has_value());
    auto brief = reader.value()->get_party_brief(id_of(2));
    ASSERT_TRUE(brief && brief.value());
    EXPECT_EQ(brief.value()->display_name, simple_party(2).display_name());
    EXPECT_FALSE(reader.value()->get_party_brief(id_of(3)).value().has_value());
}

// A read transaction takes no write lock: another connection can write
// while it is open, and the reader keeps its snapshot.
TEST_F(SqliteStoreTest, ReadTransactionsTakeNoWriteLock) {
    auto store = open(path());
    {
        auto tx = begin(*store);
        ASSERT_TRUE(tx->put_party(simple_party(1), "a"));
        ASSERT_TRUE(tx->commit());
    }
    auto reader = std::move(crm::begin_read(*store).value());
    ASSERT_TRUE(reader->get_party(id_of(1)).value().has_value());
    sqlite3* other = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &other), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE; DELETE FROM contact_key; COMMIT;", nullptr,
                           nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(other);
    sqlite3_close(other);
    EXPECT_TRUE(reader->get_party(id_of(1)).value().has_value());
}

// ---- the forms the SQL above the seam shares with a server database --------

namespace {

void open_scratch(sqlite::Connection& c) {
    auto opened = c.open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, 1000);
    ASSERT_TRUE(opened) << opened.error().what();
}

}  // namespace

TEST(StorageSeam, AnUpsertUpdatesInPlaceAndAClashOnAnotherKeyIsAConflict) {
    EXPECT_EQ(upsert_sql("t", "k, a, u", "k"),
              "INSERT INTO t (k, a, u) VALUES (?1, ?2, ?3) ON CONFLICT (k) DO UPDATE SET "
              "a = excluded.a, u = excluded.u");
    EXPECT_EQ(upsert_sql("m", "list, party_id, added_at", "list, party_id"),
              "INSERT INTO m (list, party_id, added_at) VALUES (?1, ?2, ?3) ON CONFLICT "
              "(list, party_id) DO UPDATE SET added_at = excluded.added_at");

    sqlite::Connection c;
    open_scratch(c);
    ASSERT_TRUE(c.exec_script("CREATE TABLE t (k TEXT PRIMARY KEY, a INTEGER NOT NULL, "
                              "u TEXT UNIQUE, note TEXT NOT NULL DEFAULT 'kept')",
                              "t"));
    static const std::string kPut = upsert_sql("t", "k, a, u", "k");
    const auto put = [&](const char* k, int a, const char* u) -> result<void> {
        CRM_TRY(st, c.stmt(kPut.c_str()));
        st.bind(1, k);
        st.bind(2, a);
        st.bind(3, u);
        return st.exec();
    };
    ASSERT_TRUE(put("x", 1, "ux"));
    ASSERT_TRUE(put("y", 2, "uy"));
    ASSERT_TRUE(put("x", 3, "ux2"));
    EXPECT_EQ(c.changes(), 1);
    const auto rows = [&]() {
        std::vector<std::string> out;
        auto st = c.stmt("SELECT k || ':' || a || ':' || u || ':' || note FROM t ORDER BY k");
        EXPECT_TRUE(st);
        while (st.value().step().value()) out.push_back(st.value().str(0));
        return out;
    };
    EXPECT_EQ(rows(), (std::vector<std::string>{"x:3:ux2:kept", "y:2:uy:kept"}));

    // INSERT OR REPLACE would delete row y to make room; the upsert refuses.
    auto clash = put("x", 4, "uy");
    ASSERT_FALSE(clash);
    EXPECT_EQ(clash.error().code, errc::conflict);
    EXPECT_EQ(clash.error().field, "u");
    EXPECT_EQ(rows(), (std::vector<std::string>{"x:3:ux2:kept", "y:2:uy:kept"}));
}

TEST(StorageSeam, AnInsertAnswersTheKeyTheDatabaseGenerated) {
    sqlite::Connection c;
    open_scratch(c);
    ASSERT_TRUE(c.exec_script("CREATE TABLE e (seq INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)", "e"));
    const auto add = [&](const char* v) -> result<std::int64_t> {
        CRM_TRY(st, c.stmt("INSERT INTO e (v) VALUES (?1)"));
        st.bind(1, v);
        return st.exec_insert();
    };
    EXPECT_EQ(add("a").value(), 1);
    EXPECT_EQ(add("b").value(), 2);
    auto again = add("a");
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, errc::conflict);
    EXPECT_EQ(add("c").value(), 3) << "a refused insert takes no key and leaves the statement usable";
}

TEST(StorageSeam, TheDialectSetsAndReadsAJsonMember) {
    const Dialect& d = sqlite_dialect();
    sqlite::Connection c;
    open_scratch(c);
    const std::string sql = "SELECT " + d.json_set("?1", "$.party", "?2") + ", " +
                            d.json_value(d.json_set("?1", "$.party", "?2"), "$.party");
    auto st = c.stmt_dynamic(sql);
    ASSERT_TRUE(st) << st.error().what();
    st.value().bind(1, R"({"id":"x","party":"old"})");
    st.value().bind(2, "new");
    ASSERT_TRUE(st.value().step().value());
    EXPECT_EQ(st.value().str(0), R"({"id":"x","party":"new"})");
    EXPECT_EQ(st.value().str(1), "new");
}
