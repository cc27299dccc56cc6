// tests/unit/latin_key_test.cpp - names in Persian and in Latin letters
// (Finglish) under one key: the rules, and precision and recall on the two
// recorded sets of name pairs.
#include "crm/core/text.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

using crm::text::latin_key;
using crm::text::latin_key_similarity;

namespace {

double alike(const std::string& a, const std::string& b) {
    return latin_key_similarity(latin_key(a), latin_key(b));
}

struct Counts {
    int pairs = 0, same = 0, found = 0, false_pairs = 0;
    double precision() const { return found + false_pairs == 0 ? 0 : double(found) / (found + false_pairs); }
    double recall() const { return same == 0 ? 0 : double(found) / same; }
};

// A recorded set: persian<TAB>latin<TAB>1|0. A pair is called a match at
// `threshold`, the similarity the built-in duplicate rules ask of a name
// beside a city or an organisation.
Counts measure(const std::string& file, double threshold, std::string& misses) {
    std::ifstream in(std::string(CRM_FIXTURES) + "/" + file);
    EXPECT_TRUE(in) << file;
    Counts c;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::stringstream row(line);
        std::string persian, latin, same;
        std::getline(row, persian, '\t');
        std::getline(row, latin, '\t');
        std::getline(row, same, '\t');
        ++c.pairs;
        const bool is_same = same == "1";
        const bool match = alike(persian, latin) >= threshold;
        c.same += is_same;
        c.found += is_same && match;
        c.false_pairs += !is_same && match;
        if (is_same != match) misses += "  " + line + "\n";
    }
    return c;
}

}  // namespace

TEST(LatinKey, OneKeyForAPersianNameAndItsFinglishSpellings) {
    EXPECT_EQ(latin_key("محمد رضایی"), "mhmd rzai");
    for (const char* s : {"Mohammad Rezaei", "Mohamad Rezayi", "Mohammad Rezaee", "MOHAMMAD REZAIE"})
        EXPECT_EQ(latin_key(s), "mohmd rzai") << s;
    EXPECT_DOUBLE_EQ(alike("Mohammad Rezaei", "محمد رضایی"), 0.95);  // the weak o of Mohammad
    EXPECT_DOUBLE_EQ(alike("Mohamad Rezayi", "Mohammad Rezaei"), 1.0);
    // kh / x, gh / q, ou / oo / u, ee / i, -eh / -e, word order, one word or two.
    EXPECT_GE(alike("خسروی", "Xosravi"), 0.95);
    EXPECT_GE(alike("قاسمی", "Qasemi"), 0.95);
    EXPECT_GE(alike("موسوی", "Moosavi"), 0.95);
    EXPECT_GE(alike("سعید", "Saeid"), 0.95);
    EXPECT_GE(alike("فاطمه", "Fateme"), 0.95);
    EXPECT_GE(alike("رضایی علی", "Ali Rezaei"), 0.95);
    EXPECT_GE(alike("علیرضا کریمی", "Ali Reza Karimi"), 0.95);
    EXPECT_GE(alike("مرتضی احمدی", "Morteza Ahmadi"), 0.95);  // a final ی said "a"
    EXPECT_GE(alike("Ja'fari", "جعفری"), 0.95);
}

TEST(LatinKey, AlikeLettersAreStillAnotherName) {
    EXPECT_LT(alike("حسن", "Hossein"), 0.8);
    EXPECT_LT(alike("حمید", "Hamed"), 0.8);
    EXPECT_LT(alike("زهرا", "Zohreh"), 0.8);
    EXPECT_LT(alike("رازی", "Rezaei"), 0.8);
    EXPECT_LT(alike("علی", "Alavi"), 0.8);
    EXPECT_LT(alike("محمد", "Mahmoud"), 0.8);
    EXPECT_LT(alike("کیانی", "Kaviani"), 0.8);
    EXPECT_LT(alike("Hasan Hosseini", "Hassan Hassani"), 0.8);
}

TEST(LatinKey, EdgesOfTheInput) {
    EXPECT_EQ(latin_key(""), "");
    EXPECT_EQ(latin_key("123 !?"), "");
    EXPECT_EQ(latin_key("\xff\xfe"), "");  // not UTF-8
    EXPECT_EQ(latin_key("ali-reza"), latin_key("ali reza"));
    EXPECT_DOUBLE_EQ(latin_key_similarity("", "ali"), 0.0);
    EXPECT_TRUE(crm::text::is_latin_name("Ali Rezaei"));
    EXPECT_FALSE(crm::text::is_latin_name("علی Rezaei"));
    EXPECT_FALSE(crm::text::is_latin_name("12"));
    // A long name stays linear.
    std::string long_name;
    for (int i = 0; i < 2000; ++i) long_name += "Mohammad ";
    EXPECT_GT(latin_key(long_name).size(), 8000u);
    EXPECT_DOUBLE_EQ(latin_key_similarity(latin_key(long_name), latin_key(long_name)), 1.0);
}

// docs/IRAN.md records these figures.
TEST(LatinKey, PrecisionAndRecallOnTheRecordedPairs) {
    for (const char* file : {"finglish_names.tsv", "finglish_names_holdout.tsv"}) {
        std::string misses;
        const Counts c = measure(file, 0.9, misses);
        std::printf("%s: %d pairs, %d of one name; found %d, false pairs %d: precision %.3f, recall %.3f\n%s",
                    file, c.pairs, c.same, c.found, c.false_pairs, c.precision(), c.recall(), misses.c_str());
        EXPECT_GE(c.pairs, 200) << file;
        EXPECT_GE(c.precision(), 0.98) << file;
        EXPECT_GE(c.recall(), 0.95) << file;
    }
}
