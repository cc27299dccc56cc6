// tests/conformance/import_test.cpp - CSV import on every backend: the
// Persian sample with its deliberate faults, malformed and hostile files,
// the export that imports back, and a storage that fails part way.
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <streambuf>

#include "backends.hpp"
#include "storage/session.hpp"

namespace crm::testing {
namespace {

const std::string kSample = std::string(CRM_SHARED_DATA) + "/sample_fa/";

// truth.csv: external_id -> its list of faults and the row it duplicates.
struct Truth {
    std::map<std::string, std::set<std::string>> issues;
    std::map<std::string, std::string> duplicate_of;
};

Truth read_truth() {
    Truth t;
    std::ifstream in(kSample + "truth.csv");
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string ext, issues, dup;
        std::getline(ss, ext, ',');
        std::getline(ss, issues, ',');
        std::getline(ss, dup, ',');
        std::stringstream is(issues);
        for (std::string i; std::getline(is, i, ';');) t.issues[ext].insert(i);
        if (!dup.empty()) t.duplicate_of[ext] = dup;
    }
    return t;
}

ImportReport import_text(Engine& e, const std::string& csv, ImportOptions o = {}) {
    std::istringstream in(csv);
    return must(import_customers_csv(e, in, o));
}

TEST_P(Conformance, ImportsTheSampleReportingEveryFaultAndNothingElse) {
    const Truth truth = read_truth();
    std::ifstream customers(kSample + "customers.csv", std::ios::binary);
    ASSERT_TRUE(customers) << "sample data missing at " << kSample;
    std::uint64_t last_progress = 0;
    ImportOptions o;
    o.progress = [&](std::uint64_t bytes) { last_progress = bytes; };
    ImportReport r = must(import_customers_csv(*engine, customers, o));
    EXPECT_EQ(last_progress, std::filesystem::file_size(kSample + "customers.csv"));

    std::map<std::string, std::set<std::string>> reported;  // external_id -> severity:field
    for (const auto& p : r.problems) reported[p.external_id].insert(p.severity + ":" + p.field);
    for (const auto& [ext, issues] : truth.issues) {
        if (issues.count("bad_email")) {EXPECT_TRUE(reported[ext].count("warning:email")) << ext;}
        if (issues.count("bad_phone")) {EXPECT_TRUE(reported[ext].count("warning:phone")) << ext;}
        // A Jalali date is read by the one rule for dates, and reported.
        if (issues.count("created_at_not_iso")) {
            EXPECT_TRUE(reported[ext].count("warning:created_at")) << ext;
            EXPECT_TRUE(engine->get_party_by_external_id(ext)) << ext << " is imported";
        }
        if (issues.count("empty_name")) {EXPECT_FALSE(reported[ext].empty()) << ext << " must be reported";}
    }
    for (const auto& [ext, what] : reported)
        EXPECT_TRUE(truth.issues.count(ext)) << ext << " is clean but was reported: " << *what.begin();
    for (const auto& p : r.problems)
        if (p.severity == "warning" && (p.field == "email" || p.field == "phone")) {
            EXPECT_FALSE(p.value.empty()) << "the dropped value is kept in the report";
        }
    EXPECT_EQ(r.imported + r.rejected, 10000);
    EXPECT_EQ(r.updated + r.unchanged, 0);

    // Values that only needed normalising went in silently and normalised.
    Party p = must(engine->get_party_by_external_id("C0000203"));  // Arabic yeh/kaf, spaces
    EXPECT_EQ(text::normalize(p.display_name()),
              text::normalize(must(engine->get_party_by_external_id("C0000174")).display_name()));
    for (const auto& [ext, issues] : truth.issues)
        if (issues.count("country_variant")) {EXPECT_EQ(must(engine->get_party_by_external_id(ext)).country, "IR");}

    // The same file again changes nothing.
    const auto events = must(engine->events_after(0, 10000)).size();
    std::ifstream again(kSample + "customers.csv", std::ios::binary);
    ImportReport r2 = must(import_customers_csv(*engine, again));
    EXPECT_EQ(r2.imported, 0);
    EXPECT_EQ(r2.updated, 0);
    EXPECT_EQ(r2.unchanged, r.imported);
    EXPECT_EQ(must(engine->events_after(0, 10000)).size(), events);

    std::ifstream orders(kSample + "orders.csv", std::ios::binary);
    ImportReport ro = must(import_orders_csv(*engine, orders));
    EXPECT_GT(ro.imported, 22000);
    for (const auto& p : ro.problems) {
        EXPECT_EQ(p.field, "external_id");
        EXPECT_TRUE(reported[p.external_id].count("error:last_name") ||
                    reported[p.external_id].count("error:organization_name") ||
                    reported[p.external_id].count("error:created_at"))
            << "orders are rejected only for customers that were rejected: " << p.external_id;
    }
}

TEST_P(Conformance, FindsTheSampleDuplicatesWithFewFalseAlarms) {
    const Truth truth = read_truth();
    std::ifstream customers(kSample + "customers.csv", std::ios::binary);
    must(import_customers_csv(*engine, customers));
    // Rows that duplicate the same original are duplicates of each other too.
    std::map<std::string, std::string> cluster;
    for (const auto& [dup, orig] : truth.duplicate_of) cluster[dup] = orig;
    auto root = [&](const std::string& e) { return cluster.count(e) ? cluster[e] : e; };
    auto pairs = must(engine->find_duplicates());
    std::set<std::pair<std::string, std::string>> found;
    std::size_t true_pairs = 0;
    for (const auto& p : pairs) {
        found.insert({p.a_external_id, p.b_external_id});
        found.insert({p.b_external_id, p.a_external_id});
        true_pairs += root(p.a_external_id) == root(p.b_external_id);
    }
    std::size_t recalled = 0;
    for (const auto& [dup, orig] : truth.duplicate_of) recalled += found.count({dup, orig});
    const double recall = double(recalled) / double(truth.duplicate_of.size());
    const double precision = double(true_pairs) / double(pairs.size());
    EXPECT_GE(recall, 0.95) << recalled << " of " << truth.duplicate_of.size();
    EXPECT_GE(precision, 0.95) << true_pairs << " of " << pairs.size();
}

TEST_P(Conformance, ImportRefusesABadHeaderAndWritesNothing) {
    std::istringstream unknown("external_id,first_name,shoe_size\nC1,Ali,42\n");
    CRM_EXPECT_ERROR(import_customers_csv(*engine, unknown), errc::parse, "header");
    std::istringstream no_key("first_name,last_name\nAli,Karimi\n");
    CRM_EXPECT_ERROR(import_customers_csv(*engine, no_key), errc::parse, "header");
    std::istringstream twice("external_id,city,city\nC1,a,b\n");
    CRM_EXPECT_ERROR(import_customers_csv(*engine, twice), errc::parse, "header");
    std::istringstream empty("");
    CRM_EXPECT_ERROR(import_customers_csv(*engine, empty), errc::parse, "header");
    std::istringstream utf16(std::string("\xFF\xFE" "e\0x\0", 6));
    CRM_EXPECT_ERROR(import_customers_csv(*engine, utf16), errc::parse, "encoding");
    std::istringstream orders("external_id,order_id,ordered_at,amount_minor\nC1,O1,2024-01-01,5\n");
    CRM_EXPECT_ERROR(import_orders_csv(*engine, orders), errc::parse, "header");
    EXPECT_TRUE(must(engine->events_after(0)).empty());
}

TEST_P(Conformance, ImportRejectsBadRowsAndKeepsTheRest) {
    must(engine->define_field(ctx, {"party", "tier", "", FieldType::enumeration, false, {"gold", "silver"}, {}, {}, ""}));
    const std::string csv =
        "\xEF\xBB\xBF" "external_id,kind,first_name,last_name,company,email,phone,tags,tier\r\n"
        "C1,person,Ali,Karimi,,ALI@EXAMPLE.COM,+98 912 123 4567,vip;b2b,gold\r\n"
        "C2,person,\"Sara, Jr\",\"Multi\nLine\",,not-an-email,0912,,silver\r\n"
        "C3,person,Only,Three\r\n"
        "C4,person,Bad,\xC0\xAF,,,,,\r\n"
        "C5,robot,R,2,,,,,\r\n"
        ",person,No,Key,,,,,\r\n"
        "C6,organization,,,شرکت آلفا,info@alfa.ir,,,platinum\r\n"
        "\r\n"
        "C7,person,Last,Row,,,,,\r\n";
    ImportReport r = import_text(*engine, csv);
    EXPECT_EQ(r.summary(), "imported 3, updated 0, unchanged 0, rejected 5, warnings 2");
    EXPECT_EQ(r.committed, 3);
    std::map<std::string, ImportProblem> by;
    for (const auto& p : r.problems) by[p.external_id + "/" + p.field] = p;
    EXPECT_EQ(by["C2/email"].severity, "warning");
    EXPECT_EQ(by["C2/email"].value, "not-an-email");
    EXPECT_EQ(by["C2/phone"].value, "0912");
    EXPECT_EQ(by["C2/email"].line, 3);
    EXPECT_EQ(by["C3/"].line, 5) << "the quoted newline moves the line count";
    EXPECT_NE(by["C3/"].reason.find("fields"), std::string::npos);
    EXPECT_NE(by["C4/last_name"].reason.find("UTF-8"), std::string::npos);
    EXPECT_EQ(by["C5/kind"].value, "robot");
    EXPECT_EQ(by["/external_id"].reason, "is required");
    EXPECT_EQ(by["C6/custom.tier"].severity, "error");

    Party c1 = must(engine->get_party_by_external_id("C1"));
    EXPECT_EQ(c1.contacts[0].value, "ALI@example.com");
    EXPECT_EQ(c1.contacts[1].value, "+989121234567");
    EXPECT_EQ(c1.tags, (std::vector<std::string>{"vip", "b2b"}));
    EXPECT_EQ(std::get<std::string>(c1.custom.at("tier")), "gold");
    Party c2 = must(engine->get_party_by_external_id("C2"));
    EXPECT_EQ(c2.first_name, "Sara, Jr");
    EXPECT_TRUE(c2.contacts.empty()) << "bad contact values are dropped, the row kept";
    EXPECT_TRUE(engine->get_party_by_external_id("C7"));

    std::ostringstream report;
    write_problems_csv(r, report);
    EXPECT_EQ(report.str().substr(0, 42), "line,external_id,field,severity,reason,val");
    EXPECT_NE(report.str().find("3,C2,email,warning,"), std::string::npos);
}

TEST_P(Conformance, ImportDryRunWritesNothing) {
    ImportOptions o;
    o.dry_run = true;
    ImportReport r = import_text(*engine, "external_id,first_name\nC1,Ali\nC2,Reza\n", o);
    EXPECT_EQ(r.imported, 2);
    EXPECT_EQ(r.committed, 0) << "a dry run commits nothing";
    EXPECT_FALSE(engine->get_party_by_external_id("C1"));
    EXPECT_TRUE(must(engine->events_after(0)).empty());
    EXPECT_FALSE(engine->in_transaction());
}

// An import refused because the caller's transaction is open leaves that
// transaction open, with its writes, for the caller to finish.
TEST_P(Conformance, ImportInsideAnOpenTransactionIsRefusedAndLeavesItAlone) {
    must(engine->begin());
    person("C1", "Ali", "K");
    std::istringstream in("external_id,first_name\nC2,Reza\n");
    auto r = import_customers_csv(*engine, in);
    CRM_EXPECT_ERROR(r, errc::conflict, "");
    EXPECT_TRUE(engine->in_transaction());
    must(engine->commit());
    EXPECT_TRUE(engine->get_party_by_external_id("C1"));
    EXPECT_FALSE(engine->get_party_by_external_id("C2"));
}

TEST_P(Conformance, ImportOrdersUpsertsByOrderId) {
    person("C1", "Ali", "K");
    const std::string csv =
        "external_id,order_id,ordered_at,amount_minor,currency\n"
        "C1,O1,2024-01-01T10:00:00Z,500000000000,IRR\n"
        "C1,O2,2024-02-01T10:00:00Z,۱۲۳۴,irr\n"
        "C9,O3,2024-02-01T10:00:00Z,5,IRR\n"
        "C1,O4,yesterday,5,IRR\n"
        "C1,O5,2024-02-01T10:00:00Z,12.5,IRR\n"
        "C1,O6,2024-02-01T10:00:00Z,5,XYZ\n";
    std::istringstream in(csv);
    ImportReport r = must(import_orders_csv(*engine, in));
    EXPECT_EQ(r.summary(), "imported 2, updated 0, unchanged 0, rejected 4, warnings 0");
    std::set<std::string> fields;
    for (const auto& p : r.problems) fields.insert(p.field);
    EXPECT_EQ(fields, (std::set<std::string>{"external_id", "ordered_at", "amount_minor", "total.currency"}));
    std::istringstream again(csv);
    EXPECT_EQ(must(import_orders_csv(*engine, again)).unchanged, 2);
    auto view = must(engine->customer_360(must(engine->get_party_by_external_id("C1")).id));
    ASSERT_EQ(view.purchases.size(), 1u);
    EXPECT_EQ(view.purchases[0].total_minor, 500000000000 + 1234);
}

TEST_P(Conformance, ExportImportsBackIntoTheSameParties) {
    must(engine->define_field(ctx, {"party", "tier", "", FieldType::enumeration, false, {"gold", "silver"}, {}, {}, ""}));
    must(engine->define_field(ctx, {"party", "credit", "", FieldType::money, false, {}, {}, {}, "IRR"}));
    must(engine->define_field(ctx, {"party", "topics", "", FieldType::multi_enum, false, {"a", "b", "c"}, {}, {}, ""}));
    must(engine->define_field(ctx, {"party", "vip", "", FieldType::boolean, false, {}, {}, {}, ""}));
    const std::string csv =
        "external_id,kind,first_name,last_name,company,email,phone,city,country,national_id,tags,created_at,tier,credit,topics,vip\n"
        "C1,person,\"Ali, Jr\",\"Kar\"\"imi\",Pars Co,ali@x.ir,09121234567,تهران,IR,0499370899,vip;b2b,2021-05-01T10:00:00Z,gold,1500.50 IRR,a;c,true\n"
        "C2,organization,,,شرکت آلفا,info@alfa.ir,02188776655,یزد,IR,,,2020-01-01T00:00:00Z,,,,false\n";
    ImportReport first = import_text(*engine, csv);
    ASSERT_EQ(first.summary(), "imported 2, updated 0, unchanged 0, rejected 0, warnings 0");
    std::ostringstream exported;
    EXPECT_EQ(must(export_customers_csv(*engine, exported)), 2);

    // Into a second, empty database with the same fields: the same parties.
    EngineOptions o;
    o.clock = clock;
    auto other = must(Engine::open(storage::open_memory(), o));
    for (const auto& d : must(engine->fields("party"))) must(other->define_field(ctx, d));
    ImportReport second = import_text(*other, exported.str());
    EXPECT_EQ(second.summary(), "imported 2, updated 0, unchanged 0, rejected 0, warnings 0");
    std::ostringstream again;
    must(export_customers_csv(*other, again));
    EXPECT_EQ(again.str(), exported.str());
    for (const char* ext : {"C1", "C2"}) {
        Party a = must(engine->get_party_by_external_id(ext));
        Party b = must(other->get_party_by_external_id(ext));
        EXPECT_EQ(a.display_name(), b.display_name());
        EXPECT_EQ(a.custom, b.custom) << ext;
        EXPECT_EQ(a.tags, b.tags);
        EXPECT_EQ(a.created_at, b.created_at);
        EXPECT_EQ(a.national_id, b.national_id);
        ASSERT_EQ(a.contacts.size(), b.contacts.size());
        for (std::size_t i = 0; i < a.contacts.size(); ++i) EXPECT_EQ(a.contacts[i].value, b.contacts[i].value);
    }
    // And into the first database again: nothing changes.
    EXPECT_EQ(import_text(*engine, exported.str()).unchanged, 2);
}

TEST_P(Conformance, AnUnclosedQuoteRejectsEveryLineItTakesIn) {
    const std::string csv =
        "external_id,first_name,last_name\n"  // line 1
        "C1,Ali,Karimi\n"                     // 2
        "C2,\"Sara,Ahmadi\n"                  // 3: a quote that never closes
        "C3,Reza,Rahimi\n"                    // 4
        "\n"                                  // 5: blank, not a row
        "C4,Mina,Moradi\n";                   // 6
    ImportReport r = import_text(*engine, csv);
    EXPECT_EQ(r.imported, 1);
    EXPECT_EQ(r.rejected, 3) << "C2, and the rows C3 and C4 its open quote took in";
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].severity, "error");
    EXPECT_EQ(r.problems[0].line, 3);
    EXPECT_EQ(r.problems[0].external_id, "C2");
    EXPECT_NE(r.problems[0].reason.find("line 3"), std::string::npos) << r.problems[0].reason;
    EXPECT_NE(r.problems[0].reason.find("2 lines"), std::string::npos) << r.problems[0].reason;
    EXPECT_TRUE(engine->get_party_by_external_id("C1"));
    EXPECT_FALSE(engine->get_party_by_external_id("C3"));
    EXPECT_FALSE(engine->get_party_by_external_id("C4"));

    // The line reported is the one the quote opened on, not the record's
    // first; a file without a final newline counts its last line too.
    r = import_text(*engine,
                    "external_id,first_name,last_name\n"
                    "C5,\"Ali\nAkbar\",\"Karimi\n"  // lines 2-3: the second quote opens on 3
                    "C6,Reza,Rahimi");             // 4
    EXPECT_EQ(r.imported, 0);
    EXPECT_EQ(r.rejected, 2);
    ASSERT_EQ(r.problems.size(), 1u);
    EXPECT_EQ(r.problems[0].line, 3);
    EXPECT_EQ(r.problems[0].external_id, "C5");
    EXPECT_NE(r.problems[0].reason.find("1 line"), std::string::npos) << r.problems[0].reason;

    // Orders are read the same way.
    std::istringstream orders(
        "external_id,order_id,ordered_at,amount_minor,currency\n"
        "C1,\"O1,2024-01-01T10:00:00Z,5,IRR\n"
        "C1,O2,2024-01-01T10:00:00Z,5,IRR\n");
    ImportReport ro = must(import_orders_csv(*engine, orders));
    EXPECT_EQ(ro.summary(), "imported 0, updated 0, unchanged 0, rejected 2, warnings 0");
    ASSERT_EQ(ro.problems.size(), 1u);
    EXPECT_EQ(ro.problems[0].line, 2);

    // A header whose quote never closes names no column at all.
    std::istringstream header("\"external_id,first_name\nC7,Ali\n");
    auto h = import_customers_csv(*engine, header);
    ASSERT_FALSE(h);
    EXPECT_EQ(h.error().field, "header");
    EXPECT_NE(h.error().message.find("never closed"), std::string::npos) << h.error().message;
}

bool has_control_byte(const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
    });
}

TEST_P(Conformance, ImportProblemsRepeatOnlyAnExcerptOfTheInput) {
    const std::string huge(std::size_t{1} << 20, 'X');
    const std::string size_note = std::to_string(huge.size()) + " bytes";
    const std::string csv = "external_id,kind,first_name,created_at\n" + huge +
                            ",person,Ali,\n"                    // 2: an id of 1 MiB
                            "C2," + huge + ",Ali,\n"            // 3: a kind of 1 MiB
                            "C3,person,Ali,\x1b]0;owned\x07\n"  // 4: control characters
                            "C\xff" "4,person,\"Ali\n";         // 5: not UTF-8, quote left open
    ImportReport r = import_text(*engine, csv);
    EXPECT_EQ(r.rejected, 4);
    ASSERT_EQ(r.problems.size(), 4u);
    for (const auto& p : r.problems) {
        for (const std::string* t : {&p.external_id, &p.reason, &p.value}) {
            EXPECT_LE(t->size(), kProblemExcerptBytes + 32) << "line " << p.line;
            EXPECT_TRUE(text::is_valid_utf8(*t)) << "line " << p.line;
            EXPECT_FALSE(has_control_byte(*t)) << "line " << p.line << ": " << *t;
        }
    }
    EXPECT_EQ(r.problems[0].line, 2);
    EXPECT_EQ(r.problems[0].external_id.substr(0, 100), huge.substr(0, 100));
    EXPECT_NE(r.problems[0].external_id.find(size_note), std::string::npos) << "says how much was cut";
    EXPECT_EQ(r.problems[1].field, "kind");
    EXPECT_EQ(r.problems[1].value.substr(0, 100), huge.substr(0, 100));
    EXPECT_NE(r.problems[1].value.find(size_note), std::string::npos);
    EXPECT_EQ(r.problems[2].field, "created_at");
    EXPECT_NE(r.problems[2].value.find("owned"), std::string::npos) << "escaped, not dropped";
    EXPECT_EQ(r.problems[3].line, 5);
    EXPECT_NE(r.problems[3].external_id, "C\xff" "4");
    std::ostringstream report;
    write_problems_csv(r, report);
    EXPECT_LT(report.str().size(), 4096u);

    // A file that is not CSV at all: its first line is not shown whole.
    const std::string shadow =
        "root:$6$Zq8sKe0bUq1cB2mA$Vh3xvQpL0sT9yR2wN8mJ4kF6gD1aS7zX5cV0bN3mQ9wE2rT6yU8iO4pA1sD3fG5hJ7"
        "kL9zX1cV3bN5mQ7w:19700:0:99999:7:::";
    std::istringstream etc_shadow(shadow + "\ndaemon:*:19700:0:99999:7:::\n");
    auto e = import_customers_csv(*engine, etc_shadow);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().field, "header");
    const std::string& m = e.error().message;
    const auto open = m.find('\''), close = m.find("'; known");
    ASSERT_NE(open, std::string::npos) << m;
    ASSERT_NE(close, std::string::npos) << m;
    EXPECT_LE(close - open - 1, kHeaderExcerptBytes + 24) << m;
    EXPECT_EQ(m.find(shadow.substr(kHeaderExcerptBytes, 16)), std::string::npos) << m;
    EXPECT_NE(m.find(std::to_string(shadow.size()) + " bytes"), std::string::npos) << m;

    // Control characters in a column name come back escaped; bytes that
    // are not UTF-8 do not come back at all.
    std::istringstream terminal("\x1b[2Jexternal_id\x07,first_name\nC1,Ali\n");
    auto t = import_customers_csv(*engine, terminal);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().field, "header");
    EXPECT_FALSE(has_control_byte(t.error().message)) << t.error().message;
    std::istringstream latin1("external_id,\xC0\xAF" "first_name\nC1,Ali\n");
    auto l = import_customers_csv(*engine, latin1);
    ASSERT_FALSE(l);
    EXPECT_TRUE(text::is_valid_utf8(l.error().message)) << l.error().message;
    EXPECT_TRUE(must(engine->events_after(0)).empty());
}

TEST_P(Conformance, ExportNeutralisesFormulasAndImportReadsThemBack) {
    must(engine->define_field(ctx, {"party", "note", "", FieldType::text, false, {}, {}, {}, ""}));
    auto add = [&](const std::string& ext, const std::string& first, const std::string& last,
                   const std::string& phone, const std::string& note) {
        PartyInput in;
        in.kind = PartyKind::person;
        in.external_id = ext;
        in.first_name = first;
        in.last_name = last;
        if (!phone.empty()) in.contacts.push_back(ContactInput::of(ContactKind::phone, phone));
        in.custom["note"] = Value{note};
        must(engine->upsert_party(ctx, in));
    };
    add("C1", "=1+2", "@Karimi", "+98 912 123 4567", "=HYPERLINK(\"http://x.example\",\"open\")");
    add("-C2", "'=already", "''+twice", "", "'plain");
    add("C3", "Ali", "-", "09121234568", "+");
    std::ostringstream exported;
    EXPECT_EQ(must(export_customers_csv(*engine, exported)), 3);
    const std::string out = exported.str();
    for (const char* cell : {"\"'=1+2\"", "\"'@Karimi\"", "\"'+989121234567\"",
                             "\"'=HYPERLINK(\"\"http://x.example\"\",\"\"open\"\")\"", "\"'-C2\"",
                             "\"''=already\"", "\"'''+twice\"", "\"'+989121234568\"", "\"'-\"",
                             "\"'+\"", ",'plain\n"})
        EXPECT_NE(out.find(cell), std::string::npos) << cell << " in\n" << out;
    for (std::size_t i = 0; i < out.size(); ++i)
        if (i == 0 || out[i - 1] == ',' || out[i - 1] == '\n') {
            EXPECT_EQ(std::string("=+-@\t\r").find(out[i]), std::string::npos)
                << "a cell opens as a formula at byte " << i << " of\n" << out;
        }

    // Into a second database: the very same values, and the same export.
    EngineOptions o;
    o.clock = clock;
    auto other = must(Engine::open(storage::open_memory(), o));
    for (const auto& d : must(engine->fields("party"))) must(other->define_field(ctx, d));
    ImportReport back = import_text(*other, out);
    EXPECT_EQ(back.summary(), "imported 3, updated 0, unchanged 0, rejected 0, warnings 0");
    for (const char* ext : {"C1", "-C2", "C3"}) {
        Party a = must(engine->get_party_by_external_id(ext));
        Party b = must(other->get_party_by_external_id(ext));
        EXPECT_EQ(a.first_name, b.first_name) << ext;
        EXPECT_EQ(a.last_name, b.last_name) << ext;
        EXPECT_EQ(a.custom, b.custom) << ext;
        ASSERT_EQ(a.contacts.size(), b.contacts.size()) << ext;
        for (std::size_t i = 0; i < a.contacts.size(); ++i) EXPECT_EQ(a.contacts[i].value, b.contacts[i].value);
    }
    EXPECT_EQ(must(other->get_party_by_external_id("-C2")).first_name, "'=already");
    std::ostringstream again;
    must(export_customers_csv(*other, again));
    EXPECT_EQ(again.str(), out);
    EXPECT_EQ(import_text(*engine, out).unchanged, 3);

    // A hand-written file: a plain "+98..." is read as it is, and a cell a
    // spreadsheet user prefixed by hand loses the prefix.
    ImportReport typed = import_text(*other,
                                     "external_id,first_name,last_name,phone\n"
                                     "C9,Reza,Rahimi,+98 912 765 4321\n"
                                     "C10,Sara,Ahmadi,'+98 912 765 4322\n");
    EXPECT_EQ(typed.summary(), "imported 2, updated 0, unchanged 0, rejected 0, warnings 0");
    EXPECT_EQ(must(other->get_party_by_external_id("C9")).contacts.at(0).value, "+989127654321");
    EXPECT_EQ(must(other->get_party_by_external_id("C10")).contacts.at(0).value, "+989127654322");

    // The problem report is opened in spreadsheets too.
    ImportReport bad = import_text(*other, "external_id,kind\nC11,@SUM(1)\n");
    ASSERT_EQ(bad.problems.size(), 1u);
    EXPECT_EQ(bad.problems[0].value, "@SUM(1)");
    std::ostringstream problems;
    write_problems_csv(bad, problems);
    EXPECT_NE(problems.str().find(",\"'@SUM(1)\"\n"), std::string::npos) << problems.str();
}

// A stream over `text` that runs `at` once, when the reader first asks for
// the byte at `offset`: a test's way to act part way through an import.
class TrippingStream : public std::streambuf {
public:
    TrippingStream(std::string text, std::size_t offset, std::function<void()> at)
        : text_(std::move(text)), offset_(offset), at_(std::move(at)) {
        setg(text_.data(), text_.data(), text_.data() + offset_);
    }

protected:
    int_type underflow() override {
        if (gptr() == egptr() && !tripped_) {
            tripped_ = true;
            at_();
            setg(text_.data(), text_.data() + offset_, text_.data() + text_.size());
        }
        return gptr() < egptr() ? traits_type::to_int_type(*gptr()) : traits_type::eof();
    }

private:
    std::string text_;
    std::size_t offset_;
    std::function<void()> at_;
    bool tripped_ = false;
};

// A store whose begin() fails while `broken` is set, as one fails when its
// disk is full or its file locked.
class BreakableStore final : public storage::Store {
public:
    BreakableStore(std::unique_ptr<storage::Store> inner, std::shared_ptr<bool> broken)
        : inner_(std::move(inner)), broken_(std::move(broken)) {}
    result<std::unique_ptr<storage::Session>> begin() override {
        if (*broken_) return fail(errc::storage, "the disk is full");
        return inner_->begin();
    }
    result<std::unique_ptr<storage::Session>> begin_read() override {
        if (*broken_) return fail(errc::storage, "the disk is full");
        return inner_->begin_read();
    }
    result<void> bulk_load(bool on) override { return inner_->bulk_load(on); }
    std::string_view backend() const noexcept override { return inner_->backend(); }
    const storage::Dialect& dialect() const noexcept override { return inner_->dialect(); }

private:
    std::unique_ptr<storage::Store> inner_;
    std::shared_ptr<bool> broken_;
};

const std::string kSixRows =
    "external_id,first_name,last_name\n"
    "C1,Ali,Karimi\nC2,Sara,Ahmadi\nC3,Reza,Rahimi\nC4,Mina,Moradi\nC5,Omid,Nouri\nC6,Leila,Sadeghi\n";

TEST_P(Conformance, ImportStoppedByTheStorageSaysWhatWasCommitted) {
    auto broken = std::make_shared<bool>(false);
    engine.reset();
    EngineOptions o;
    o.clock = clock;
    engine = must(Engine::open(std::make_unique<BreakableStore>(GetParam().open(path), broken), o));

    // Batches of two: C1-C2 and C3-C4 commit; the storage fails while C4
    // is read, so the third batch cannot begin.
    TrippingStream buf(kSixRows, kSixRows.find("C4,"), [&] { *broken = true; });
    std::istream in(&buf);
    ImportOptions options;
    options.batch_size = 2;
    auto r = import_customers_csv(*engine, in, options);
    *broken = false;
    ASSERT_FALSE(r) << "the import went on after the storage failed";
    EXPECT_EQ(r.error().code, errc::storage);
    EXPECT_NE(r.error().message.find("the disk is full"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find(
                  "4 rows were committed before the failure; re-running the import finishes the rest"),
              std::string::npos)
        << r.error().message;
    EXPECT_FALSE(engine->in_transaction());
    for (const char* ext : {"C1", "C2", "C3", "C4"}) EXPECT_TRUE(engine->get_party_by_external_id(ext)) << ext;
    for (const char* ext : {"C5", "C6"}) EXPECT_FALSE(engine->get_party_by_external_id(ext)) << ext;

    // The same file again finishes the rest.
    ImportReport rest = import_text(*engine, kSixRows, options);
    EXPECT_EQ(rest.summary(), "imported 2, updated 0, unchanged 4, rejected 0, warnings 0");
    EXPECT_EQ(rest.committed, 6);
}

// Lowers the file size limit to nothing, as a full disk would, and puts it
// (and SIGXFSZ) back on every way out of a test.
struct FullDisk {
    rlimit before{};
    void (*handler)(int) = SIG_DFL;
    bool full = false;

    void fill() {
        ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &before), 0);
        handler = std::signal(SIGXFSZ, SIG_IGN);  // a write past the limit then fails with EFBIG
        rlimit none = before;
        none.rlim_cur = 0;
        ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &none), 0);
        full = true;
    }
    void free_space() {
        if (!full) return;
        full = false;
        EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &before), 0);
        std::signal(SIGXFSZ, handler);
    }
    ~FullDisk() { free_space(); }
};

TEST_P(Conformance, ImportStoppedByAFullDiskSaysWhatWasCommitted) {
    if (GetParam().name != "sqlite")
        GTEST_SKIP() << "fills the disk under a database file: runs on the sqlite backend only";
    // Batches of two: C1-C2 commit; then no file may grow, so writing or
    // committing the second batch fails.
    FullDisk disk;
    TrippingStream buf(kSixRows, kSixRows.find("C3,"), [&] { disk.fill(); });
    std::istream in(&buf);
    ImportOptions options;
    options.batch_size = 2;
    auto r = import_customers_csv(*engine, in, options);
    const bool filled = disk.full;
    disk.free_space();
    ASSERT_TRUE(filled);
    ASSERT_FALSE(r) << "the import went on with a full disk";
    EXPECT_EQ(r.error().code, errc::storage);
    EXPECT_NE(r.error().message.find(
                  "2 rows were committed before the failure; re-running the import finishes the rest"),
              std::string::npos)
        << r.error().message;
    EXPECT_FALSE(engine->in_transaction());

    // What is in the file, read by a new connection: the first batch only.
    // Re-running the import there, as after freeing space, finishes the rest.
    auto fresh = reopen();
    ASSERT_TRUE(fresh);
    for (const char* ext : {"C1", "C2"}) EXPECT_TRUE(fresh->get_party_by_external_id(ext)) << ext;
    for (const char* ext : {"C3", "C4", "C5", "C6"}) EXPECT_FALSE(fresh->get_party_by_external_id(ext)) << ext;
    ImportReport rest = import_text(*fresh, kSixRows);
    EXPECT_EQ(rest.summary(), "imported 4, updated 0, unchanged 2, rejected 0, warnings 0");
    EXPECT_EQ(rest.committed, 6);
}

TEST_P(Conformance, ImportKeepsABoundedNumberOfProblemsAndCountsTheRest) {
    // 30 rows without an external id, 5 good ones between them.
    std::string csv = "external_id,first_name,last_name\n";
    for (int i = 0; i < 35; ++i)
        csv += (i % 7 == 6 ? "K" + std::to_string(i) : std::string()) + ",Ali,Rad\n";
    ImportOptions o;
    o.max_problems = 10;
    ImportReport r = import_text(*engine, csv, o);
    EXPECT_EQ(r.rejected, 30);
    EXPECT_EQ(r.imported, 5);
    ASSERT_EQ(r.problems.size(), 10u);
    EXPECT_EQ(r.problems_omitted, 20);
    EXPECT_EQ(r.problems.front().line, 2);  // the first ones are kept
    EXPECT_EQ(r.problems.back().line, 12);
    o.max_problems = 0;
    r = import_text(*engine, csv, o);
    EXPECT_TRUE(r.problems.empty());
    EXPECT_EQ(r.problems_omitted, 30);
    EXPECT_EQ(r.unchanged, 5);
}

TEST_P(Conformance, ListPartiesPagesInIdOrder) {
    std::vector<Id> ids;
    for (int k = 0; k < 7; ++k) ids.push_back(person("P" + std::to_string(k), "N", std::to_string(k)).id);
    must(engine->merge(ctx, ids[0], {ids[3]}));
    std::vector<Id> seen;
    Id after;
    for (;;) {
        auto page = must(engine->list_parties(after, 2));
        if (page.empty()) break;
        for (const auto& p : page) seen.push_back(p.id);
        after = page.back().id;
    }
    EXPECT_EQ(seen, (std::vector<Id>{ids[0], ids[1], ids[2], ids[4], ids[5], ids[6]}))
        << "merged-away parties are not listed";
    CRM_EXPECT_ERROR(engine->list_parties({}, 0), errc::invalid_argument, "limit");
}

}  // namespace
}  // namespace crm::testing
