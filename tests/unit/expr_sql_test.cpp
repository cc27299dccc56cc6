// tests/unit/expr_sql_test.cpp - compiling rules to parameterised SQL, and
// the property test: SQLite selects exactly what in-memory evaluation does.
#include "crm/expr/sql.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <climits>
#include <random>
#include <set>

#include "core/json_text.hpp"
#include "crm/core/text.hpp"
#include "expr/sqlite.hpp"

namespace {

using crm::Money;
using crm::Timestamp;
using crm::Value;
using crm::expr::Column;
using crm::expr::Context;
using crm::expr::Expr;
using crm::expr::MapRecord;
using crm::expr::Schema;
using crm::expr::SqlMapping;
using crm::expr::SqlParam;
using crm::expr::Type;
using List = std::vector<std::string>;

// ---- the table every test here uses --------------------------------------

const Schema& schema() {
    static const Schema s = [] {
        Schema t;
        (void)t.add("city", Type::text);
        (void)t.add("name", Type::text);  // stored as its normalised key
        (void)t.add("tags", Type::text_list);
        (void)t.add("at", Type::timestamp);
        (void)t.add("n", Type::integer);
        (void)t.add("d", Type::decimal);
        (void)t.add("vip", Type::boolean);
        (void)t.add("wallet", Type::money);          // currency per value, in a column
        (void)t.add("credit", Type::money, "IRR");   // fixed currency, no column
        (void)t.add("day", Type::date);
        const std::pair<const char*, crm::FieldType> custom[] = {
            {"tier", crm::FieldType::text},       {"score", crm::FieldType::integer},
            {"ratio", crm::FieldType::decimal},   {"flag", crm::FieldType::boolean},
            {"birthday", crm::FieldType::date},   {"labels", crm::FieldType::multi_enum},
            {"limit", crm::FieldType::money},     {"purse", crm::FieldType::money}};
        for (const auto& [name, type] : custom) {
            crm::FieldDef def;
            def.name = name;
            def.type = type;
            if (def.name == "limit") def.currency = "IRR";
            (void)t.add_custom(def);
        }
        return t;
    }();
    return s;
}

SqlMapping mapping() {
    SqlMapping m;
    for (const char* f : {"city", "tags", "at", "n", "d", "vip", "credit", "day"}) m.set(f, Column{f, "", false});
    m.set("name", Column{"name_key", "", true});
    m.set("wallet", Column{"wallet_minor", "wallet_cur", false});
    m.set_custom_fields(schema(), "custom");
    return m;
}

constexpr const char* kTable = R"sql(
CREATE TABLE r (
    id INTEGER PRIMARY KEY,
    city TEXT, name_key TEXT, tags TEXT, at INTEGER, n INTEGER, d TEXT, vip INTEGER,
    wallet_minor INTEGER, wallet_cur TEXT, credit INTEGER, day TEXT, custom TEXT
))sql";

class Db {
public:
    Db() {
        EXPECT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
        EXPECT_TRUE(crm::expr::sqlite::register_functions(db_));
        EXPECT_EQ(sqlite3_exec(db_, kTable, nullptr, nullptr, nullptr), SQLITE_OK);
    }
    ~Db() { sqlite3_close(db_); }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
    sqlite3* handle() const { return db_; }

    // The ids the WHERE fragment selects; error text in `err`.
    std::vector<int> select(const crm::expr::SqlWhere& w, std::string* err = nullptr) {
        const std::string sql = "SELECT id FROM r WHERE " + w.sql + " ORDER BY id";
        sqlite3_stmt* s = nullptr;
        std::vector<int> ids;
        if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
            if (err) *err = sqlite3_errmsg(db_);
            return ids;
        }
        EXPECT_TRUE(crm::expr::sqlite::bind(s, w.params));
        int rc = 0;
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) ids.push_back(sqlite3_column_int(s, 0));
        if (rc != SQLITE_DONE && err) *err = sqlite3_errmsg(db_);
        sqlite3_finalize(s);
        return ids;
    }

    std::string scalar(const std::string& sql) {
        sqlite3_stmt* s = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db_);
        std::string out = "?";
        if (sqlite3_step(s) == SQLITE_ROW) {
            const auto* t = sqlite3_column_text(s, 0);
            out = t ? reinterpret_cast<const char*>(t) : "NULL";
        }
        sqlite3_finalize(s);
        return out;
    }

    // Stores `r` as the mapping above says; `blank_lists` writes a missing
    // list as '' instead of NULL.
    void insert(int id, const MapRecord& r, bool blank_lists) {
        sqlite3_stmt* s = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(db_, "INSERT INTO r VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &s, nullptr),
                  SQLITE_OK);
        sqlite3_bind_int(s, 1, id);
        const auto get = [&](const char* f) { return r.get(f); };
        bind_value(s, 2, get("city"));
        const Value name = get("name");
        if (const auto* t = std::get_if<std::string>(&name)) bind_text(s, 3, crm::text::normalize(*t));
        const Value tags = get("tags");
        if (const auto* l = std::get_if<List>(&tags)) {
            std::string json;
            crm::json_text::append_strings(json, *l);
            bind_text(s, 4, json);
        } else if (blank_lists) {
            bind_text(s, 4, "");
        }
        bind_value(s, 5, get("at"));
        bind_value(s, 6, get("n"));
        bind_value(s, 7, get("d"));
        bind_value(s, 8, get("vip"));
        const Value wallet = get("wallet");
        if (const auto* m = std::get_if<Money>(&wallet)) {
            sqlite3_bind_int64(s, 9, m->minor);
            bind_text(s, 10, m->currency);
        }
        const Value credit = get("credit");
        if (const auto* m = std::get_if<Money>(&credit)) sqlite3_bind_int64(s, 11, m->minor);
        bind_value(s, 12, get("day"));
        crm::CustomValues custom;
        for (const auto& [k, v] : r.values)
            if (k.rfind("custom.", 0) == 0) custom[k.substr(7)] = v;  // null values stay as JSON null
        std::string json;
        crm::json_text::append_custom(json, custom);
        bind_text(s, 13, json);
        ASSERT_EQ(sqlite3_step(s), SQLITE_DONE) << sqlite3_errmsg(db_);
        sqlite3_finalize(s);
    }

private:
    static void bind_text(sqlite3_stmt* s, int i, const std::string& t) {
        sqlite3_bind_text(s, i, t.data(), static_cast<int>(t.size()), SQLITE_TRANSIENT);
    }
    static void bind_value(sqlite3_stmt* s, int i, const Value& v) {
        if (const auto* b = std::get_if<bool>(&v)) sqlite3_bind_int(s, i, *b ? 1 : 0);
        else if (const auto* n = std::get_if<std::int64_t>(&v)) sqlite3_bind_int64(s, i, *n);
        else if (const auto* t = std::get_if<std::string>(&v)) bind_text(s, i, *t);
    }
    sqlite3* db_ = nullptr;
};

const Timestamp kNow = crm::parse_iso8601("2025-03-20T12:00:00Z").value();

crm::expr::SqlWhere compile(const std::string& json) {
    auto e = Expr::from_json(json, schema());
    EXPECT_TRUE(e) << json << ": " << e.error().what();
    if (!e) return {};
    auto w = crm::expr::to_sql(e.value(), mapping(), Context{kNow, "Asia/Tehran"});
    EXPECT_TRUE(w) << json << ": " << w.error().what();
    return w ? w.value() : crm::expr::SqlWhere{};
}

// ---- compilation ------------------------------------------------------------

TEST(ExprSql, TheFragmentHasPlaceholdersAndTheValuesAreBound) {
    auto w = compile(R"({"and":[{"eq":[{"field":"n"},5]},{"eq":[{"field":"city"},"'; DROP TABLE r; --"]}]})");
    EXPECT_EQ(w.sql, "(((n) = ?) AND (crm_norm(city) = ?))");
    ASSERT_EQ(w.params.size(), 2u);
    EXPECT_EQ(std::get<std::int64_t>(w.params[0]), 5);
    EXPECT_EQ(std::get<std::string>(w.params[1]), "'; drop table r; --") << "bound pre-normalised";
    // Under not, a comparison is made exact (NULL -> false) before it is inverted.
    EXPECT_EQ(compile(R"({"not":{"eq":[{"field":"n"},5]}})").sql, "(NOT coalesce(((n) = ?), 0))");
    EXPECT_EQ(compile(R"({"not":{"is_empty":{"field":"n"}}})").sql, "(NOT ((n) IS NULL))");
    EXPECT_EQ(compile(R"({"and":[]})").sql, "1");
    EXPECT_EQ(compile(R"({"in":[{"field":"n"},[]]})").sql, "0");
    EXPECT_EQ(compile(R"({"contains":[{"field":"tags"},"vip"]})").sql,
              "EXISTS (SELECT 1 FROM json_each(nullif(tags, '')) AS crm_e WHERE crm_norm(crm_e.value) = ?)");
    EXPECT_EQ(compile(R"({"ge":[{"field":"custom.limit"},{"money":"5","currency":"IRR"}]})").sql,
              "((json_extract(custom, '$.limit.currency')) = ? AND (json_extract(custom, '$.limit.minor')) >= ?)");
    EXPECT_EQ(compile(R"({"ge":[{"field":"credit"},{"money":"5","currency":"IRR"}]})").sql, "((credit) >= ?)");
    // A normalised column equal to a key (literals are never blank) is read
    // as it is, no function call per row; unequal, it stays missing when blank.
    EXPECT_EQ(compile(R"({"eq":[{"field":"name"},"x"]})").sql, "((name_key) = ?)");
    EXPECT_EQ(compile(R"({"in":[{"field":"name"},["x","y"]]})").sql, "((name_key) IN (?, ?))");
    EXPECT_EQ(compile(R"({"ne":[{"field":"name"},"x"]})").sql, "(nullif(name_key, '') <> ?)");
    EXPECT_EQ(compile(R"({"lt":[{"field":"n"},{"decimal":"2.5"}]})").sql, "(crm_decimal_key(n) < ?)");
}

TEST(ExprSql, NoRuleValueEverReachesTheSqlText) {
    const std::string nasty = "x' OR 1=1; --";
    const std::string json = R"({"or":[{"contains":[{"field":"city"},")" + nasty + R"("]},)"
                             R"({"in":[{"field":"custom.tier"},[")" + nasty + R"("]]},)"
                             R"({"eq":[{"field":"day"},{"date":"2024-01-01"}]},)"
                             R"({"gt":[{"field":"at"},{"now":"-30d"}]},)"
                             R"({"eq":[{"field":"wallet"},{"money":"77.77","currency":"USD"}]}]})";
    const auto w = compile(json);
    EXPECT_EQ(w.sql.find("OR 1=1"), std::string::npos);
    EXPECT_EQ(w.sql.find("2024"), std::string::npos);
    EXPECT_EQ(w.sql.find("7777"), std::string::npos);
    EXPECT_EQ(w.sql.find("USD"), std::string::npos);
    // The only quoted SQL text is the mapping's own: '' of nullif and '$.tier'.
    for (std::size_t q = w.sql.find('\''); q != std::string::npos; q = w.sql.find('\'', q)) {
        const std::size_t end = w.sql.find('\'', q + 1);
        const std::string quoted = w.sql.substr(q, end - q + 1);
        EXPECT_TRUE(quoted == "''" || quoted == "'$.tier'") << quoted;
        q = end + 1;
    }
    std::size_t placeholders = 0;
    for (char c : w.sql) placeholders += c == '?';
    EXPECT_EQ(placeholders, w.params.size());
    Db db;
    std::string err;
    db.select(w, &err);
    EXPECT_EQ(err, "");
}

TEST(ExprSql, ErrorsNameThePathOfTheUnmappedField) {
    auto e = Expr::from_json(R"({"and":[true,{"not":{"eq":[{"field":"n"},1]}}]})", schema());
    ASSERT_TRUE(e);
    auto w = crm::expr::to_sql(e.value(), SqlMapping{}, Context{kNow});
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, crm::errc::invalid_argument);
    EXPECT_EQ(w.error().field, "$.and[1].not.eq[0]");
    EXPECT_NE(w.error().message.find("'n' has no SQL mapping"), std::string::npos);
    // Money whose currency is neither fixed nor mapped cannot be compiled.
    SqlMapping m;
    m.set("wallet", Column{"wallet_minor", "", false});
    auto money = Expr::from_json(R"({"eq":[{"field":"wallet"},{"money":"1","currency":"USD"}]})", schema());
    auto mw = crm::expr::to_sql(money.value(), m, Context{kNow});
    ASSERT_FALSE(mw);
    EXPECT_EQ(mw.error().field, "$.eq[0]");
    // The Context's zone is checked.
    auto month = Expr::from_json(R"({"gt":[{"field":"at"},{"start_of":"month"}]})", schema());
    EXPECT_EQ(crm::expr::to_sql(month.value(), mapping(), Context{kNow, "Atlantis"}).error().field,
              "time_zone");
}

TEST(ExprSql, TheSqlFunctionsAgreeWithTheLibrary) {
    Db db;
    EXPECT_EQ(db.scalar("SELECT crm_norm('  علي‌رضا  ')"), "علی رضا");
    EXPECT_EQ(db.scalar("SELECT crm_norm('   ')"), "NULL") << "a blank key is NULL";
    EXPECT_EQ(db.scalar("SELECT crm_norm('')"), "NULL");
    EXPECT_EQ(db.scalar("SELECT crm_norm(NULL)"), "NULL");
    EXPECT_EQ(db.scalar("SELECT crm_norm(12)"), "12");
    EXPECT_EQ(db.scalar("SELECT crm_decimal_key('12.50') = crm_decimal_key(12.5)"), "1");
    EXPECT_EQ(db.scalar("SELECT crm_decimal_key('-0') = crm_decimal_key(0)"), "1");
    EXPECT_EQ(db.scalar("SELECT crm_decimal_key('-2') < crm_decimal_key('-1.5')"), "1");
    EXPECT_EQ(db.scalar("SELECT crm_decimal_key('-0.001') < crm_decimal_key('0')"), "1");
    EXPECT_EQ(db.scalar("SELECT crm_decimal_key('99999999999999999999999999999') > crm_decimal_key(9223372036854775807)"), "1");
    EXPECT_EQ(db.scalar("SELECT crm_decimal_key('1e5')"), "NULL");
    EXPECT_EQ(db.scalar("SELECT crm_decimal_key('')"), "NULL");
    EXPECT_EQ(db.scalar("SELECT crm_decimal_key('.')"), "NULL");
    // Deterministic functions may be used in indexes: a key column kept by SQLite.
    EXPECT_EQ(sqlite3_exec(db.handle(), "CREATE INDEX r_city ON r (crm_norm(city))", nullptr, nullptr, nullptr),
              SQLITE_OK);
}

// ---- the property test ---------------------------------------------------------
//
// Random well-typed rules over every node kind, random records with missing
// values, blanks, Persian/Arabic spellings, lists and boundary numbers; the
// rows SQLite selects must be exactly the records the Matcher accepts.

class Gen {
public:
    explicit Gen(std::uint64_t seed) : rng_(seed) {}

    std::size_t below(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
    bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
    template <class T, std::size_t N>
    const T& pick(const T (&a)[N]) { return a[below(N)]; }

    // ---- values stored in records ----
    static constexpr const char* kTexts[] = {
        "تهران", "طهران", " تهران  ", "TEHRAN", "tehran", "Tehran", "كرج", "کرج", "علي‌رضا", "علی رضا",
        "علیرضا", "", "  ", "\u200c", "a", "ab", "abc", "B", "مشهد", "۱۲", "12", "منطقه ۱۲", "ي", "ی",
        "é", "e\u0301", "ß", "ss", "vip", "VIP", "مشتری ویژه", "مشتري ويژه", "b2b", "z"};
    static constexpr std::int64_t kInts[] = {0, 1, -1, 2, 5, 12, 13, 100, -100, 9007199254740993,
                                             LLONG_MAX, LLONG_MIN, LLONG_MIN + 1, LLONG_MAX - 1};
    static constexpr const char* kDecimals[] = {"0", "12.5", "-0.5", "12.50", "1e5", "", "abc", "12",
                                                "-12.000", "99999999999999999999999999999999999999", "0.1",
                                                "0.30000000000000000001", "9223372036854775807.5", "-0",
                                                ".5", "5."};
    static constexpr const char* kDates[] = {"1991-03-21", "2024-02-29", "2025-03-20", "2025-03-21",
                                             "1403-12-30", "2000-01-01", ""};
    static constexpr const char* kCurrencies[] = {"IRR", "USD", "EUR"};

    Timestamp instant(bool extremes = true) {
        // Boundaries of the relative times below (Tehran and UTC), +-1 ms.
        static constexpr const char* kEdges[] = {
            "2025-03-19T20:30:00Z", "2025-03-20T00:00:00Z", "2025-02-28T20:30:00Z", "2025-02-18T20:30:00Z",
            "2025-03-20T20:30:00Z", "2024-03-19T20:30:00Z", "2024-12-20T20:30:00Z", "2025-03-14T20:30:00Z",
            "2025-03-16T20:30:00Z", "2025-02-18T12:00:00Z", "2025-02-20T12:00:00Z", "2025-03-20T12:00:00Z",
            "2025-03-21T00:00:00Z", "2025-01-01T00:00:00Z", "2024-12-31T20:30:00Z"};
        if (extremes && chance(5)) return Timestamp{chance(50) ? LLONG_MIN : LLONG_MAX};
        if (chance(50)) {
            const std::int64_t jitter[] = {-1, 0, 0, 1};
            return Timestamp{crm::parse_iso8601(pick(kEdges)).value().ms + pick(jitter)};
        }
        const std::int64_t spread = 400 * crm::kMsPerDay;
        return Timestamp{kNow.ms - spread + static_cast<std::int64_t>(below(2 * spread))};
    }

    Money money(const char* currency) {
        return Money{pick(kInts) % 1'000'000 * (chance(50) ? 1 : 100), currency};
    }

    Value value_of(Type t, std::string_view field) {
        if (chance(15)) return Value{};
        switch (t) {
            case Type::text: return std::string(pick(kTexts));
            case Type::integer:
            case Type::timestamp: return t == Type::timestamp ? instant().ms : pick(kInts);
            case Type::decimal:
                if (chance(20)) return pick(kInts);
                return std::string(pick(kDecimals));
            case Type::boolean: return chance(50);
            case Type::date: return std::string(pick(kDates));
            case Type::money:
                return money(field == "wallet" || field == "custom.purse" ? pick(kCurrencies) : "IRR");
            case Type::text_list: {
                List l;
                for (std::size_t k = below(4); k > 0; --k) l.push_back(pick(kTexts));
                return l;
            }
        }
        return Value{};
    }

    MapRecord record() {
        MapRecord r;
        for (const auto& f : schema().fields()) {
            Value v = value_of(f.type, f.name);
            if (!crm::is_null(v) || chance(50)) r.values[f.name] = std::move(v);  // missing two ways
        }
        return r;
    }

    // ---- rules ----
    static constexpr const char* kLitTexts[] = {"تهران", "TEHRAN", "كرج", "علی رضا", "علیرضا", "a", "ab",
                                                "b", "هر", "ران", "te", "vip", "۱۲", "12", "مشتری", "ss",
                                                "ß", "é", "z", "مشتري ويژه"};

    std::string quote(const std::string& s) {
        std::string out;
        crm::json_text::append_json_string(out, s);
        return out;
    }

    std::string field(Type t) {
        std::vector<const crm::expr::Field*> fit;
        for (const auto& f : schema().fields())
            if (f.type == t) fit.push_back(&f);
        return R"({"field":)" + quote(fit[below(fit.size())]->name) + "}";
    }

    std::string money_literal(const char* currency) {
        const std::string shown = money(currency).str();
        return R"({"money":)" + quote(shown.substr(0, shown.size() - 4)) + R"(,"currency":)" + quote(currency) + "}";
    }

    std::string relative_time() {
        static constexpr const char* kUnits[] = {"min", "h", "d", "w", "mo"};
        static constexpr const char* kPeriods[] = {"day", "week", "month", "quarter", "year"};
        static constexpr int kAmounts[] = {0, 1, -1, 30, -30, 12, -400};
        std::string extra;
        if (chance(50)) extra += R"(,"calendar":)" + std::string(chance(50) ? "\"jalali\"" : "\"gregorian\"");
        if (chance(30)) extra += R"(,"time_zone":)" + std::string(chance(50) ? "\"UTC\"" : "\"Asia/Tehran\"");
        if (chance(50))
            return R"({"now":")" + std::to_string(pick(kAmounts)) + pick(kUnits) + "\"" + extra + "}";
        if (chance(50)) extra += R"(,"offset":)" + std::to_string(static_cast<int>(below(3)) - 1);
        return R"({"start_of":)" + quote(pick(kPeriods)) + extra + "}";
    }

    // An operand of type `t`; `money_currency` is the currency it must have
    // ("" when any will do) and `literal_only` excludes fields.
    std::string operand(Type t, const std::string& money_currency, bool literal_only = false) {
        if (!literal_only && chance(25)) {
            if (t == Type::money) {
                // Fields whose currency fits.
                if (money_currency == "IRR") return field_named(chance(50) ? "credit" : "custom.limit");
                return field_named(chance(50) ? "wallet" : "custom.purse");
            }
            if (t == Type::integer || t == Type::decimal) return field(chance(50) ? Type::integer : Type::decimal);
            return field(t);
        }
        switch (t) {
            case Type::text: return quote(pick(kLitTexts));
            case Type::integer: return std::to_string(pick(kInts));
            case Type::decimal: {
                static constexpr const char* kLit[] = {"12.5", "-0.5", "0", "12", "0.1", "0.3",
                                                       "9223372036854775807.5", "-12", "5"};
                return R"({"decimal":)" + quote(pick(kLit)) + "}";
            }
            case Type::boolean: return chance(50) ? "true" : "false";
            case Type::timestamp:
                if (!literal_only && chance(60)) return relative_time();
                return R"({"timestamp":)" + quote(crm::to_iso8601(instant(false))) + "}";
            case Type::date:
                if (chance(30)) return R"({"date":"1370-01-01","calendar":"jalali"})";
                if (chance(30)) return R"({"date":"1403-12-30","calendar":"jalali"})";
                return R"({"date":)" + quote(kDates[below(6)]) + "}";  // the valid ones
            case Type::money:
                return money_literal(money_currency.empty() ? pick(kCurrencies) : money_currency.c_str());
            case Type::text_list: break;
        }
        return "true";
    }

    std::string field_named(const std::string& name) { return R"({"field":)" + quote(name) + "}"; }

    // A comparable pair: the first operand (a field, mostly) and the money
    // currency the others must have.
    std::pair<std::string, std::string> subject(Type t) {
        if (t == Type::money) {
            static constexpr const char* kMoney[] = {"wallet", "credit", "custom.limit", "custom.purse"};
            const std::string f = pick(kMoney);
            const bool fixed = f == "credit" || f == "custom.limit";
            return {field_named(f), fixed ? "IRR" : (chance(50) ? "" : "USD")};
        }
        if (t == Type::integer || t == Type::decimal)
            return {field(chance(50) ? Type::integer : Type::decimal), ""};
        return {chance(90) ? field(t) : operand(t, "", true), ""};
    }

    std::string condition(int depth) {
        static constexpr Type kComparable[] = {Type::text, Type::integer, Type::decimal, Type::money,
                                               Type::timestamp, Type::date, Type::boolean};
        static constexpr Type kOrdered[] = {Type::text, Type::integer, Type::decimal, Type::money,
                                            Type::timestamp, Type::date};
        const std::size_t kind = depth >= 5 ? 3 + below(7) : below(10);
        switch (kind) {
            case 0:
            case 1: {
                const std::string op = kind == 0 ? "and" : "or";
                std::string out = "{\"" + op + "\":[";
                for (std::size_t k = 0, n = below(4); k < n; ++k) out += (k ? "," : "") + condition(depth + 1);
                return out + "]}";
            }
            case 2: return R"({"not":)" + condition(depth + 1) + "}";
            case 3:
            case 4: {
                static constexpr const char* kOps[] = {"eq", "ne", "lt", "le", "gt", "ge"};
                const Type t = pick(kComparable);
                const std::string op = t == Type::boolean ? (chance(50) ? "eq" : "ne") : pick(kOps);
                auto [a, currency] = subject(t);
                const Type other = t == Type::integer ? (chance(50) ? Type::decimal : Type::integer) : t;
                return "{\"" + op + "\":[" + a + "," + operand(other, currency) + "]}";
            }
            case 5: {
                if (chance(30)) {
                    std::string out = R"({"in":[)" + field(Type::text_list) + ",[";
                    for (std::size_t k = 0, n = below(4); k < n; ++k) out += (k ? "," : "") + quote(pick(kLitTexts));
                    return out + "]]}";
                }
                const Type t = pick(kComparable);
                auto [a, currency] = subject(t);
                std::string out = R"({"in":[)" + a + ",[";
                for (std::size_t k = 0, n = below(5); k < n; ++k) {
                    const Type et = is_number(t) ? (chance(50) ? Type::integer : Type::decimal) : t;
                    out += (k ? "," : "") + operand(et, currency.empty() && t == Type::money ? "" : currency, true);
                }
                return out + "]]}";
            }
            case 6: {
                const Type t = pick(kOrdered);
                auto [a, currency] = subject(t);
                return R"({"between":[)" + a + "," + operand(t, currency) + "," + operand(t, currency) + "]}";
            }
            case 7: {
                const char* op = chance(50) ? "contains" : "starts_with";
                const std::string hay = chance(50) ? field(Type::text) : field(Type::text_list);
                const std::string needle = chance(20) ? field(Type::text) : quote(pick(kLitTexts));
                return std::string("{\"") + op + "\":[" + hay + "," + needle + "]}";
            }
            case 8: {
                const auto& fields = schema().fields();
                return R"({"is_empty":)" + field_named(fields[below(fields.size())].name) + "}";
            }
            default: return chance(80) ? field(Type::boolean) : (chance(50) ? "true" : "false");
        }
    }

private:
    static bool is_number(Type t) { return t == Type::integer || t == Type::decimal; }
    std::mt19937_64 rng_;
};

std::string describe(const MapRecord& r) {
    std::string out;
    for (const auto& [k, v] : r.values) {
        std::string json;
        crm::json_text::append_value(json, v);
        out += k + "=" + json + " ";
    }
    return out;
}

void run_property(std::uint64_t seed, int rules, int records) {
    Gen gen(seed);
    Db db;
    std::vector<MapRecord> rows;
    for (int i = 0; i < records; ++i) {
        rows.push_back(gen.record());
        db.insert(i, rows.back(), gen.chance(50));
    }
    // Hand-written edge rows: everything missing, everything blank.
    MapRecord blank;
    for (const auto& f : schema().fields())
        blank.values[f.name] = f.type == Type::text_list ? Value{List{}}
                               : f.type == Type::text || f.type == Type::date || f.type == Type::decimal
                                   ? Value{std::string()}
                                   : Value{};
    rows.push_back(blank);
    db.insert(records, blank, true);
    rows.push_back(MapRecord{});
    db.insert(records + 1, MapRecord{}, false);

    std::vector<crm::expr::RowRecord> by_position;
    for (const auto& r : rows) {
        by_position.emplace_back(schema());
        for (const auto& [k, v] : r.values) ASSERT_TRUE(by_position.back().set(k, v)) << k;
    }
    const SqlMapping m = mapping();
    const Context context{kNow, "Asia/Tehran"};
    int failures = 0, selective = 0;
    for (int i = 0; i < rules && failures < 5; ++i) {
        const std::string json = gen.condition(0);
        auto e = Expr::from_json(json, schema());
        ASSERT_TRUE(e) << "generated an invalid rule: " << json << "\n" << e.error().what();
        auto w = crm::expr::to_sql(e.value(), m, context);
        ASSERT_TRUE(w) << json << ": " << w.error().what();
        std::string err;
        const std::vector<int> sql_ids = db.select(w.value(), &err);
        ASSERT_EQ(err, "") << json << "\n" << w.value().sql;
        auto matcher = crm::expr::Matcher::make(e.value(), context);
        ASSERT_TRUE(matcher);
        std::vector<int> mem_ids;
        for (std::size_t k = 0; k < rows.size(); ++k)
            if (matcher.value().matches(rows[k])) mem_ids.push_back(static_cast<int>(k));
        // A RowRecord of the same values, read by position, matches the same.
        for (std::size_t k = 0; k < rows.size(); ++k)
            ASSERT_EQ(matcher.value().matches(by_position[k]), matcher.value().matches(rows[k]))
                << json << "\n" << describe(rows[k]);
        if (!mem_ids.empty() && mem_ids.size() < rows.size()) ++selective;
        // The canonical JSON loads back to the same rule.
        auto again = Expr::from_json(e.value().to_json(), schema());
        ASSERT_TRUE(again) << e.value().to_json();
        EXPECT_EQ(again.value().to_json(), e.value().to_json());
        if (sql_ids != mem_ids) {
            ++failures;
            std::vector<int> diff;
            std::set_symmetric_difference(sql_ids.begin(), sql_ids.end(), mem_ids.begin(), mem_ids.end(),
                                          std::back_inserter(diff));
            ADD_FAILURE() << "seed " << seed << " rule " << i << ": SQL and memory disagree\n"
                          << json << "\nSQL: " << w.value().sql << "\nfirst differing record #" << diff[0]
                          << " (" << (std::count(mem_ids.begin(), mem_ids.end(), diff[0]) ? "memory" : "SQL")
                          << " matches): " << describe(rows[static_cast<std::size_t>(diff[0])]);
        }
    }
    // The generator must make rules that tell records apart, or the
    // comparison above proves little.
    EXPECT_GT(selective, rules / 3) << "too few rules select some but not all records";
}

TEST(ExprProperty, SqlSelectsExactlyWhatMemoryMatches) {
    for (std::uint64_t seed : {1u, 2u, 3u}) run_property(seed, 1000, 120);
}

}  // namespace
