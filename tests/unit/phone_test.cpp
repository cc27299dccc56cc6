// tests/unit/phone_test.cpp - crm::phone: parsing to E.164, the operator
// table (built-in and from CSV), and the sample_fa customers as ground truth.
#include "crm/core/phone.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace phone = crm::phone;

namespace {

phone::Parsed parsed_ok(std::string_view text, std::string_view region = "IR",
                        const phone::OperatorTable* operators = nullptr) {
    auto r = phone::parse(text, region, operators);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().what());
    return r ? r.value() : phone::Parsed{};
}

crm::error parse_error(std::string_view text, std::string_view region = "IR") {
    auto r = phone::parse(text, region);
    EXPECT_FALSE(r) << text << " parsed as " << (r ? r.value().e164 : "");
    return r ? crm::error{} : r.error();
}

}  // namespace

// ---- parse -----------------------------------------------------------------

TEST(PhoneParse, FourSpellingsOfOneMobile) {
    for (const char* text : {"09121234567", "+98 912 123 4567", "00989121234567", "۰۹۱۲۱۲۳۴۵۶۷"}) {
        const phone::Parsed p = parsed_ok(text);
        EXPECT_EQ(p.e164, "+989121234567") << text;
        EXPECT_EQ(p.type, phone::LineType::mobile) << text;
        EXPECT_EQ(p.operator_name, "Hamrah-e Aval") << text;
        EXPECT_EQ(p.region, "IR") << text;
    }
}

TEST(PhoneParse, OtherCommonSpellings) {
    for (const char* text :
         {"0912-123-4567", "(0912) 123 4567", "0912.123.4567", "989121234567", "9121234567",
          "+98 (0)912 123 4567", "٠٩١٢١٢٣٤٥٦٧", "  0912 123 4567\u00A0",
          "\u200F+98\u2009912\u2011123\u20114567\u200E", "0098 912 1234567", "+989121234567"}) {
        EXPECT_EQ(parsed_ok(text).e164, "+989121234567") << text;
    }
    // The region code is read in any case.
    EXPECT_EQ(parsed_ok("09121234567", "ir").e164, "+989121234567");
}

// libphonenumber 8.12.57 predates these ranges; the operator table makes them valid.
TEST(PhoneParse, RangesNewerThanLibphonenumber) {
    const phone::Parsed p904 = parsed_ok("09041234567");
    EXPECT_EQ(p904.e164, "+989041234567");
    EXPECT_EQ(p904.type, phone::LineType::mobile);
    EXPECT_EQ(p904.operator_name, "Irancell");
    const phone::Parsed p941 = parsed_ok("09411234567");
    EXPECT_EQ(p941.e164, "+989411234567");
    EXPECT_EQ(p941.operator_name, "Irancell");
    const phone::Parsed p998 = parsed_ok("09981234567");
    EXPECT_EQ(p998.e164, "+989981234567");
    EXPECT_EQ(p998.type, phone::LineType::mobile);
    EXPECT_EQ(p998.operator_name, "Shatel Mobile");
    // Also in the international spelling with the habitual "(0)".
    EXPECT_EQ(parsed_ok("+98 (0)9413944750").operator_name, "Irancell");
}

TEST(PhoneParse, EveryOperatorOfTheBuiltinTable) {
    const std::map<std::string, std::string> first_of = {
        {"0910", "Hamrah-e Aval"}, {"0919", "Hamrah-e Aval"}, {"0990", "Hamrah-e Aval"},
        {"0994", "Hamrah-e Aval"}, {"0901", "Irancell"},      {"0930", "Irancell"},
        {"0939", "Irancell"},      {"0920", "Rightel"},       {"0923", "Rightel"},
        {"0998", "Shatel Mobile"}, {"0932", "Taliya"}};
    for (const auto& [start, name] : first_of) {
        const phone::Parsed p = parsed_ok(start + "5550123");
        EXPECT_EQ(p.operator_name, name) << start;
        EXPECT_EQ(p.type, phone::LineType::mobile) << start;
    }
}

TEST(PhoneParse, MobileOutsideTheTableKeepsLibphonenumbersVerdict) {
    // 0999 is a valid mobile range for libphonenumber that the table does not name.
    const phone::Parsed p = parsed_ok("09991234567");
    EXPECT_EQ(p.e164, "+989991234567");
    EXPECT_EQ(p.type, phone::LineType::mobile);
    EXPECT_EQ(p.operator_name, "");
}

TEST(PhoneParse, TehranLandline) {
    for (const char* text :
         {"02188881234", "(021) 8888-1234", "021-88881234", "+98 21 8888 1234"}) {
        const phone::Parsed p = parsed_ok(text);
        EXPECT_EQ(p.e164, "+982188881234") << text;
        EXPECT_EQ(p.type, phone::LineType::fixed_line) << text;
        EXPECT_EQ(p.operator_name, "") << text;
        EXPECT_EQ(p.region, "IR") << text;
    }
}

TEST(PhoneParse, ForeignNumbers) {
    const phone::Parsed gb = parsed_ok("+44 20 7946 0958");
    EXPECT_EQ(gb.e164, "+442079460958");
    EXPECT_EQ(gb.region, "GB");
    EXPECT_EQ(gb.type, phone::LineType::fixed_line);
    EXPECT_EQ(gb.operator_name, "");
    EXPECT_EQ(parsed_ok("0044 20 7946 0958").e164, "+442079460958");
    // National spelling in another default region.
    const phone::Parsed london = parsed_ok("020 7946 0958", "GB");
    EXPECT_EQ(london.e164, "+442079460958");
    EXPECT_EQ(london.region, "GB");
    // In the US a number can be either kind.
    EXPECT_EQ(parsed_ok("(650) 253-0000", "US").type, phone::LineType::unknown);
    EXPECT_EQ(parsed_ok("(650) 253-0000", "US").e164, "+16502530000");
    // An Iranian mobile is still found from abroad in international form.
    EXPECT_EQ(parsed_ok("+98 904 123 4567", "DE").operator_name, "Irancell");
}

TEST(PhoneParse, RejectsGarbageNamingTheField) {
    const crm::error empty = parse_error("");
    EXPECT_EQ(empty.code, crm::errc::invalid_argument);
    EXPECT_EQ(empty.field, "phone");
    EXPECT_EQ(empty.message, "is empty");
    EXPECT_EQ(parse_error("   ").message, "is empty");
    EXPECT_EQ(parse_error("--").message, "has no digits");
    EXPECT_EQ(parse_error("+").message, "has no digits");
    EXPECT_EQ(parse_error("call me").message,
              "contains a character that is not a digit or a separator");
    EXPECT_EQ(parse_error("09377x82504").message,
              "contains a character that is not a digit or a separator");
    EXPECT_EQ(parse_error("0912 123 4567 ext. 12").message,
              "contains a character that is not a digit or a separator");
    EXPECT_EQ(parse_error("0912+1234567").message, "has a '+' that is not at the start");
    EXPECT_EQ(parse_error("1234567890123456789").message, "is too long to be a phone number");
    EXPECT_EQ(parse_error("+999 1234 5678").message, "has an unknown country calling code");
    const crm::error invalid = parse_error("00000000000");
    EXPECT_EQ(invalid.message, "is not a valid number for region IR");
    EXPECT_EQ(invalid.what(), "phone: is not a valid number for region IR");
    EXPECT_EQ(parse_error("+44 20 7946").message, "is not a valid number for region GB");
}

TEST(PhoneParse, RejectsWrongLengths) {
    for (const char* text : {"0938", "0912123456", "091212345678", "+98912123456", "+9891212345678",
                             "0994903291", "099120267286", "12"}) {
        const crm::error e = parse_error(text);
        EXPECT_EQ(e.code, crm::errc::invalid_argument) << text;
        EXPECT_EQ(e.field, "phone") << text;
    }
}

TEST(PhoneParse, UsesTheGivenFieldName) {
    const auto r = phone::parse("abc", "IR", nullptr, "contacts[1].value");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "contacts[1].value");
}

TEST(PhoneParse, RejectsAnUnknownDefaultRegion) {
    for (const char* region : {"", "XX", "IRN", "ZZ", "1"}) {
        const auto r = phone::parse("09121234567", region);
        ASSERT_FALSE(r) << region;
        EXPECT_EQ(r.error().code, crm::errc::invalid_argument);
        EXPECT_EQ(r.error().field, "default_region") << region;
    }
}

// ---- OperatorTable ---------------------------------------------------------

TEST(PhoneOperatorTable, BuiltinIsSharedAndComplete) {
    const auto table = phone::OperatorTable::builtin();
    ASSERT_TRUE(table);
    EXPECT_EQ(table.get(), phone::OperatorTable::builtin().get());
    EXPECT_EQ(table->rows().size(), 34u);
    EXPECT_TRUE(std::is_sorted(table->rows().begin(), table->rows().end(),
                               [](const auto& a, const auto& b) { return a.prefix < b.prefix; }));
    std::map<std::string, int> per_operator;
    for (const auto& row : table->rows()) ++per_operator[row.operator_name];
    EXPECT_EQ(per_operator["Hamrah-e Aval"], 15);
    EXPECT_EQ(per_operator["Irancell"], 13);
    EXPECT_EQ(per_operator["Rightel"], 4);
    EXPECT_EQ(per_operator["Shatel Mobile"], 1);
    EXPECT_EQ(per_operator["Taliya"], 1);
}

TEST(PhoneOperatorTable, LookupAndCovers) {
    const auto table = phone::OperatorTable::builtin();
    EXPECT_EQ(table->lookup("+989121234567"), "Hamrah-e Aval");
    EXPECT_EQ(table->lookup("+98912"), "Hamrah-e Aval");  // lookup ignores length
    EXPECT_EQ(table->lookup("+989311234567"), "");        // 931 is not a mobile range
    EXPECT_EQ(table->lookup("+442079460958"), "");
    EXPECT_TRUE(table->covers("+989121234567"));
    EXPECT_FALSE(table->covers("+98912123456"));
    EXPECT_FALSE(table->covers("+9891212345678"));
    EXPECT_FALSE(table->covers("+98912123456x"));
    EXPECT_FALSE(table->covers(""));
}

TEST(PhoneOperatorTable, LongestPrefixWins) {
    const auto table = phone::OperatorTable::from_csv(
        "prefix,operator,number_length\n"
        "+98912,Hamrah-e Aval,10\n"
        "+989123,Brand New MVNO,10\n"
        "+9891234,Even Newer,10\n");
    ASSERT_TRUE(table) << table.error().what();
    EXPECT_EQ(table.value()->lookup("+989121000000"), "Hamrah-e Aval");
    EXPECT_EQ(table.value()->lookup("+989123000000"), "Brand New MVNO");
    EXPECT_EQ(table.value()->lookup("+989123400000"), "Even Newer");
}

TEST(PhoneOperatorTable, LongestPrefixWinsPastRowsThatDoNotMatch) {
    const auto table = phone::OperatorTable::from_csv(
        "prefix,operator,number_length\n"
        "+989125,Five,10\n"
        "+9891,Short,10\n"
        "+98912,Middle,10\n"
        "+98913999,Long,10\n");
    ASSERT_TRUE(table) << table.error().what();
    const auto& t = *table.value();
    EXPECT_EQ(t.lookup("+989129000000"), "Middle");  // past +989125
    EXPECT_EQ(t.lookup("+989135000000"), "Short");   // past +98913999 and +989125
    EXPECT_EQ(t.lookup("+989139990000"), "Long");
    EXPECT_EQ(t.lookup("+989125000000"), "Five");
    EXPECT_EQ(t.lookup("+989000000000"), "");
    EXPECT_EQ(t.lookup("+99"), "");
    EXPECT_EQ(t.lookup(""), "");
}

TEST(PhoneOperatorTable, CustomTableOverridesAnOperator) {
    const auto table = phone::OperatorTable::from_csv(
        "prefix,operator,number_length\r\n"
        "+98912,MCI,10\r\n"
        "\r\n"
        "+98999,Future Mobile,10\r\n");
    ASSERT_TRUE(table) << table.error().what();
    const phone::OperatorTable* custom = table.value().get();
    const phone::Parsed p = parsed_ok("09121234567", "IR", custom);
    EXPECT_EQ(p.operator_name, "MCI");
    EXPECT_EQ(p.type, phone::LineType::mobile);
    EXPECT_EQ(parsed_ok("09991234567", "IR", custom).operator_name, "Future Mobile");
    // The custom table replaces the built-in one: 0941 is no longer known,
    // and libphonenumber alone rejects it.
    EXPECT_FALSE(phone::parse("09411234567", "IR", custom));
    // Landlines still come from libphonenumber.
    EXPECT_EQ(parsed_ok("02188881234", "IR", custom).type, phone::LineType::fixed_line);
}

TEST(PhoneOperatorTable, TableForAnotherCountry) {
    // A table row makes a number valid even outside Iran: +44 7400 is a UK
    // mobile range; a made-up 11-digit range shows the table alone decides.
    const auto table = phone::OperatorTable::from_csv(
        "prefix,operator,number_length\n+447400,Example UK,10\n+4470000,Made Up,11\n");
    ASSERT_TRUE(table) << table.error().what();
    const phone::Parsed uk = parsed_ok("07400 123456", "GB", table.value().get());
    EXPECT_EQ(uk.e164, "+447400123456");
    EXPECT_EQ(uk.operator_name, "Example UK");
    EXPECT_EQ(uk.region, "GB");
    EXPECT_TRUE(table.value()->covers("+4470000123456"));
    EXPECT_FALSE(table.value()->covers("+447000012345"));
}

TEST(PhoneOperatorTable, AcceptsAHeaderOnlyTableAndABom) {
    const auto empty = phone::OperatorTable::from_csv("prefix,operator,number_length\n");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty.value()->rows().empty());
    EXPECT_TRUE(
        phone::OperatorTable::from_csv("\xEF\xBB\xBFprefix,operator,number_length\n+98912,MCI,10"));
}

TEST(PhoneOperatorTable, MalformedCsvNamesTheLine) {
    const std::string header = "prefix,operator,number_length\n";
    const std::string good = "+98912,MCI,10\n";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "line 1: the header must be \"prefix,operator,number_length\""},
        {"prefix,operator\n+98912,MCI\n",
         "line 1: the header must be \"prefix,operator,number_length\""},
        {"Prefix,Operator,Number_Length\n",
         "line 1: the header must be \"prefix,operator,number_length\""},
        {header + good + "98913,MCI,10\n",
         "line 3: prefix \"98913\" must be '+' followed by digits"},
        {header + good + "+98-913,MCI,10\n",
         "line 3: prefix \"+98-913\" must be '+' followed by digits"},
        {header + good + "+,MCI,10\n", "line 3: prefix \"+\" must be '+' followed by digits"},
        {header + good + "+99912,MCI,10\n",
         "line 3: prefix \"+99912\" does not start with a country calling code"},
        {header + good + "+98913,,10\n", "line 3: operator is empty"},
        {header + good + "+98913,MCI,ten\n",
         "line 3: number_length \"ten\" is not a number from 4 to 15"},
        {header + good + "+98913,MCI,3\n",
         "line 3: number_length \"3\" is not a number from 4 to 15"},
        {header + good + "+98913,MCI,16\n",
         "line 3: number_length \"16\" is not a number from 4 to 15"},
        {header + good + "+98913,MCI,\n",
         "line 3: number_length \"\" is not a number from 4 to 15"},
        {header + good + "+98913,MCI\n",
         "line 3: expected 3 fields (prefix,operator,number_length), found 2"},
        {header + good + "+98913,MCI,10,x\n",
         "line 3: expected 3 fields (prefix,operator,number_length), found 4"},
        {header + good + "\n+98912,Other,10\n", "line 4: prefix +98912 repeats line 2"},
        {header + "+981234567890123,MCI,4\n",
         "line 2: prefix \"+981234567890123\" is longer than its numbers"},
    };
    for (const auto& [csv, message] : cases) {
        const auto r = phone::OperatorTable::from_csv(csv);
        ASSERT_FALSE(r) << csv;
        EXPECT_EQ(r.error().code, crm::errc::invalid_argument) << csv;
        EXPECT_EQ(r.error().field, "operators") << csv;
        EXPECT_EQ(r.error().message, message) << csv;
    }
}

TEST(PhoneOperatorTable, ConstructorSortsRowsWithTheirLengths) {
    const phone::OperatorTable table({{"+98935", "B"}, {"+98912", "A"}}, {12, 12});
    ASSERT_EQ(table.rows().size(), 2u);
    EXPECT_EQ(table.rows()[0].prefix, "+98912");
    EXPECT_TRUE(table.covers("+989351234567"));
    // A row given no length covers nothing but still names its operator.
    const phone::OperatorTable short_lengths({{"+98912", "A"}, {"+98935", "B"}}, {12});
    EXPECT_TRUE(short_lengths.covers("+989121234567"));
    EXPECT_FALSE(short_lengths.covers("+989351234567"));
    EXPECT_EQ(short_lengths.lookup("+989351234567"), "B");
}

// ---- the sample_fa customers -------------------------------------------------

namespace {

// Splits one CSV record; fields may be quoted ("a, b") with "" for a quote.
std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                fields.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                fields.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            fields.emplace_back();
        } else if (c != '\r') {
            fields.back() += c;
        }
    }
    return fields;
}

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
    std::ifstream in(path);
    std::vector<std::vector<std::string>> rows;
    for (std::string line; std::getline(in, line);) rows.push_back(split_csv(line));
    return rows;
}

}  // namespace

// The honest measure: every phone of a clean row (and of rows dirty in ways
// an importer normalises) parses, and every phone the generator broke on
// purpose (truth.csv issue bad_phone) is rejected.
TEST(PhoneSampleFa, AcceptsEveryRealNumberAndRejectsEveryBrokenOne) {
    const auto customers = read_csv(CRM_SHARED_DATA "/sample_fa/customers.csv");
    const auto truth = read_csv(CRM_SHARED_DATA "/sample_fa/truth.csv");
    ASSERT_GT(customers.size(), 1000u) << "missing " CRM_SHARED_DATA "/sample_fa/customers.csv";
    ASSERT_FALSE(truth.empty());
    ASSERT_EQ(customers[0][6], "phone");
    ASSERT_EQ(truth[0][1], "issues");

    std::set<std::string> bad_phone;
    for (std::size_t i = 1; i < truth.size(); ++i)
        if (truth[i][1].find("bad_phone") != std::string::npos) bad_phone.insert(truth[i][0]);
    ASSERT_EQ(bad_phone.size(), 20u);

    std::size_t parsed = 0, rejected = 0, mobiles = 0, with_operator = 0;
    for (std::size_t i = 1; i < customers.size(); ++i) {
        const auto& row = customers[i];
        ASSERT_EQ(row.size(), customers[0].size()) << "line " << i + 1;
        const std::string& id = row[0];
        const std::string& text = row[6];
        if (text.empty()) continue;
        const auto r = phone::parse(text);
        if (bad_phone.count(id)) {
            EXPECT_FALSE(r) << id << " " << text << " should be rejected, parsed as "
                            << (r ? r.value().e164 : "");
            ++rejected;
            continue;
        }
        ASSERT_TRUE(r) << id << " " << text << ": " << r.error().what();
        EXPECT_EQ(r.value().region, "IR") << id;
        EXPECT_EQ(r.value().e164.size(), 13u) << id << " " << text;
        ++parsed;
        if (r.value().type == phone::LineType::mobile) ++mobiles;
        if (!r.value().operator_name.empty()) ++with_operator;
    }
    EXPECT_EQ(rejected, 20u);
    EXPECT_GT(parsed, 8900u);
    EXPECT_GT(mobiles, 8000u);
    EXPECT_EQ(with_operator, mobiles);  // every mobile in the sample is in a tabled range
}

// ---- robustness ------------------------------------------------------------

TEST(PhoneRandom, ArbitraryInputEitherFailsCleanlyOrGivesE164) {
    const std::vector<std::string> pieces = {"0", "9",      "1",      "2", "8",    "+",
                                             " ", "-",      "(",      ")", "۰",    "۹",
                                             "٢", "\u200F", "\u00A0", "x", "\xFF", "00"};
    std::mt19937 rng(98);
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), count(0, 20);
    for (int round = 0; round < 3000; ++round) {
        std::string s;
        for (std::size_t n = count(rng); n > 0; --n) s += pieces[pick(rng)];
        const auto r = phone::parse(s);
        if (!r) {
            ASSERT_EQ(r.error().code, crm::errc::invalid_argument) << s;
            ASSERT_EQ(r.error().field, "phone") << s;
            ASSERT_FALSE(r.error().message.empty()) << s;
            continue;
        }
        const std::string& e164 = r.value().e164;
        ASSERT_GE(e164.size(), 4u) << s;
        ASSERT_EQ(e164[0], '+') << s;
        ASSERT_EQ(e164.find_first_not_of("0123456789", 1), std::string::npos) << s;
        // Parsing the E.164 form again is stable.
        const auto again = phone::parse(e164);
        ASSERT_TRUE(again) << e164;
        ASSERT_EQ(again.value().e164, e164);
        ASSERT_EQ(again.value().operator_name, r.value().operator_name);
    }
}

TEST(PhoneThreads, ConcurrentParsesAgree) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"09121234567", "+989121234567"},
        {"۰۹۴۱۱۲۳۴۵۶۷", "+989411234567"},
        {"02188881234", "+982188881234"},
        {"+44 20 7946 0958", "+442079460958"}};
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                const auto& [text, e164] = cases[static_cast<std::size_t>(i + t) % cases.size()];
                const auto r = phone::parse(text);
                if (!r || r.value().e164 != e164) ++mismatches[static_cast<std::size_t>(t)];
            }
        });
    for (auto& th : threads) th.join();
    for (int m : mismatches) EXPECT_EQ(m, 0);
}
