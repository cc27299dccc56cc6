// tests/conformance/import_test.cpp - CSV import on every backend: the
// Persian sample with its deliberate faults, and malformed files.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "backends.hpp"

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
        if (issues.count("created_at_not_iso")) {EXPECT_TRUE(reported[ext].count("error:created_at")) << ext;}
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
