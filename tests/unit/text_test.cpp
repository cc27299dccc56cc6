// tests/unit/text_test.cpp - crm::text: UTF-8 validation, check(), the
// Persian search key, digit folding, tidy() and Jaro-Winkler similarity.
#include "crm/core/text.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <thread>
#include <vector>

namespace text = crm::text;

namespace {

std::string utf8(char32_t c) {
    std::string s;
    if (c < 0x80) {
        s += static_cast<char>(c);
    } else if (c < 0x800) {
        s += static_cast<char>(0xC0 | (c >> 6));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        s += static_cast<char>(0xE0 | (c >> 12));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (c >> 18));
        s += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (c & 0x3F));
    }
    return s;
}

std::string bytes(std::initializer_list<unsigned> list) {
    std::string s;
    for (unsigned b : list) s += static_cast<char>(b);
    return s;
}

}  // namespace

// ---- is_valid_utf8 ----------------------------------------------------------

TEST(TextUtf8, AcceptsWellFormedText) {
    EXPECT_TRUE(text::is_valid_utf8(""));
    EXPECT_TRUE(text::is_valid_utf8("plain ascii"));
    EXPECT_TRUE(text::is_valid_utf8("علی‌رضا کریمی"));
    EXPECT_TRUE(text::is_valid_utf8("emoji \xF0\x9F\x98\x80"));
    EXPECT_TRUE(text::is_valid_utf8(std::string("nul\0inside", 10)));
}

TEST(TextUtf8, AcceptsEveryBoundaryCodePoint) {
    for (char32_t c :
         {0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFDu, 0xFFFFu, 0x10000u, 0x10FFFFu})
        EXPECT_TRUE(text::is_valid_utf8(utf8(c))) << std::hex << static_cast<unsigned>(c);
}

TEST(TextUtf8, RejectsOverlongEncodings) {
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xC0, 0x80})));              // U+0000 in two bytes
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xC1, 0xBF})));              // U+007F in two bytes
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xE0, 0x80, 0x80})));        // U+0000 in three
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xE0, 0x9F, 0xBF})));        // U+07FF in three
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xF0, 0x80, 0x80, 0x80})));  // U+0000 in four
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xF0, 0x8F, 0xBF, 0xBF})));  // U+FFFF in four
}

TEST(TextUtf8, RejectsSurrogates) {
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xED, 0xA0, 0x80})));  // U+D800
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xED, 0xBF, 0xBF})));  // U+DFFF
    // CESU-8 style pair for U+1F600
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80})));
}

TEST(TextUtf8, RejectsCodePointsAboveU10FFFF) {
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xF4, 0x90, 0x80, 0x80})));  // U+110000
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xF5, 0x80, 0x80, 0x80})));
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xF7, 0xBF, 0xBF, 0xBF})));
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xFE})));
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xFF})));
}

TEST(TextUtf8, RejectsTruncatedAndStraySequences) {
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xD8})));              // first byte of ا alone
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xE2, 0x82})));        // € cut short
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xF0, 0x9F, 0x98})));  // emoji cut short
    EXPECT_FALSE(text::is_valid_utf8("abc" + bytes({0xD8})));      // at the very end
    EXPECT_FALSE(text::is_valid_utf8(bytes({0x80})));              // stray continuation
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xD8, 0x41})));        // lead byte then ASCII
    EXPECT_FALSE(text::is_valid_utf8(bytes({0xE2, 0x82, 0x41})));
    EXPECT_FALSE(text::is_valid_utf8("latin-1 caf" + bytes({0xE9})));
}

// ---- check -----------------------------------------------------------------

TEST(TextCheck, AcceptsOrdinaryTextWithTabsAndNewlines) {
    EXPECT_TRUE(text::check("علی رضا", "name"));
    EXPECT_TRUE(text::check("line one\nline two\r\n\tindented", "note"));
    EXPECT_TRUE(text::check("", "name"));
}

TEST(TextCheck, RejectsInvalidUtf8NamingTheField) {
    const auto r = text::check("caf" + bytes({0xE9}), "first_name");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, crm::errc::invalid_argument);
    EXPECT_EQ(r.error().field, "first_name");
    EXPECT_EQ(r.error().message, "is not valid UTF-8");
    EXPECT_EQ(r.error().what(), "first_name: is not valid UTF-8");
}

TEST(TextCheck, EnforcesTheByteLimit) {
    EXPECT_TRUE(text::check(std::string(1024, 'a'), "note"));
    const auto r = text::check(std::string(1025, 'a'), "note");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "is longer than 1024 bytes");
    // The limit is in bytes, not characters: 3 Persian letters are 6 bytes.
    EXPECT_TRUE(text::check("علی", "name", 6));
    const auto r2 = text::check("علی", "name", 5);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().message, "is longer than 5 bytes");
}

TEST(TextCheck, RejectsControlCharacters) {
    for (const std::string& bad :
         {std::string("a\0b", 3), std::string("bell\a"), std::string("esc\x1b[0m"),
          std::string("del\x7f"), std::string("\x0b vertical tab"), std::string("\x0c")}) {
        const auto r = text::check(bad, "name");
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message, "contains a control character");
        EXPECT_EQ(r.error().field, "name");
    }
}

TEST(TextCheck, ReportsUtf8BeforeLengthBeforeControl) {
    EXPECT_EQ(text::check(std::string(2000, 'a') + bytes({0xFF}), "x").error().message,
              "is not valid UTF-8");
    EXPECT_EQ(text::check(std::string(2000, '\x01'), "x").error().message,
              "is longer than 1024 bytes");
}

// ---- normalize -------------------------------------------------------------

TEST(TextNormalize, HeaderExampleHasOneKey) {
    // Arabic yeh and kaf, ZWNJ and a double space against the Persian spelling.
    EXPECT_EQ(text::normalize("علي\u200Cرضا  كريمي"), text::normalize("علی رضا کریمی"));
    EXPECT_EQ(text::normalize("علی رضا کریمی"), "علی رضا کریمی");
}

TEST(TextNormalize, MapsArabicLetterFormsToPersian) {
    EXPECT_EQ(text::normalize("\u064A"), "\u06CC");  // ي
    EXPECT_EQ(text::normalize("\u0649"), "\u06CC");  // ى
    EXPECT_EQ(text::normalize("\u0626"), "\u06CC");  // ئ
    EXPECT_EQ(text::normalize("\u0643"), "\u06A9");  // ك
    EXPECT_EQ(text::normalize("\u0629"), "\u0647");  // ة
    EXPECT_EQ(text::normalize("\u06C0"), "\u0647");  // ۀ
    EXPECT_EQ(text::normalize("\u06D5"), "\u0647");  // ە
    EXPECT_EQ(text::normalize("\u0623"), "\u0627");  // أ
    EXPECT_EQ(text::normalize("\u0625"), "\u0627");  // إ
    EXPECT_EQ(text::normalize("\u0622"), "\u0627");  // آ
    EXPECT_EQ(text::normalize("\u0671"), "\u0627");  // ٱ
    EXPECT_EQ(text::normalize("\u0624"), "\u0648");  // ؤ
    EXPECT_EQ(text::normalize("فاطمة"), "فاطمه");
    EXPECT_EQ(text::normalize("مسئول"), "مسیول");
    EXPECT_EQ(text::normalize("آرش"), text::normalize("ارش"));
}

TEST(TextNormalize, DecomposedSpellingsGiveTheSameKey) {
    // آ written as alef + combining madda, أ as alef + hamza above.
    EXPECT_EQ(text::normalize("\u0627\u0653\u0631\u0634"), text::normalize("آرش"));
    EXPECT_EQ(text::normalize("\u0627\u0654"), "\u0627");
    EXPECT_EQ(text::normalize("\u064A\u0654"), "\u06CC");  // yeh + hamza above = ئ
}

TEST(TextNormalize, RemovesTatweelAndDiacritics) {
    EXPECT_EQ(text::normalize("محــــمد"), "محمد");
    EXPECT_EQ(text::normalize("مُحَمَّد"), "محمد");  // damma, fatha, shadda
    EXPECT_EQ(text::normalize("كتابٌ"), "کتاب");  // tanwin damm
    for (char32_t mark = 0x064B; mark <= 0x065F; ++mark)
        EXPECT_EQ(text::normalize("ب" + utf8(mark) + "ب"), "بب")
            << std::hex << static_cast<unsigned>(mark);
    EXPECT_EQ(text::normalize("هذا\u0670"), "هذا");            // superscript alef
    EXPECT_EQ(text::normalize("Zoë Saldaña"), "zoe saldana");  // any Mn, Latin too
}

TEST(TextNormalize, FoldsPersianAndArabicIndicDigits) {
    EXPECT_EQ(text::normalize("۰۱۲۳۴۵۶۷۸۹"), "0123456789");
    EXPECT_EQ(text::normalize("٠١٢٣٤٥٦٧٨٩"), "0123456789");
    EXPECT_EQ(text::normalize("پلاک ۱۲"), "پلاک 12");
}

TEST(TextNormalize, TurnsEverySpaceLikeCharacterIntoOneSpace) {
    for (char32_t space :
         {0x09u, 0x0Au, 0x0Du, 0xA0u, 0x200Bu, 0x200Cu, 0x200Du, 0x202Fu, 0x205Fu, 0x3000u}) {
        EXPECT_EQ(text::normalize("a" + utf8(space) + "b"), "a b")
            << std::hex << static_cast<unsigned>(space);
        EXPECT_EQ(text::normalize("ی" + utf8(space) + "ی"), "ی ی")
            << std::hex << static_cast<unsigned>(space);
    }
    for (char32_t space = 0x2000; space <= 0x200B; ++space)
        EXPECT_EQ(text::normalize("ب" + utf8(space) + "ب"), "ب ب")
            << std::hex << static_cast<unsigned>(space);
}

TEST(TextNormalize, CollapsesRunsAndTrims) {
    EXPECT_EQ(text::normalize("  \u200C\t علی \u00A0\u200C\n  رضا \u3000"), "علی رضا");
    EXPECT_EQ(text::normalize("   "), "");
    EXPECT_EQ(text::normalize("\u200C\u200D"), "");
    EXPECT_EQ(text::normalize(""), "");
}

TEST(TextNormalize, FoldsCaseAndCompatibilityForms) {
    EXPECT_EQ(text::normalize("ÉCOLE"), "ecole");
    EXPECT_EQ(text::normalize("Straße"), "strasse");
    EXPECT_EQ(text::normalize("ＡＢＣ１２"), "abc12");  // full-width
    EXPECT_EQ(text::normalize("ﬁle"), "file");          // ligature
    EXPECT_EQ(text::normalize("ΣΊΣΥΦΟΣ"), text::normalize("σίσυφος"));
    EXPECT_EQ(text::normalize("\u212Aelvin"), "kelvin");  // KELVIN SIGN
}

TEST(TextNormalize, MapsPresentationFormsThroughNfkcToPersian) {
    // Old Persian fonts and PDFs extract to presentation forms; NFKC yields
    // Arabic letters, which must then be folded too.
    EXPECT_EQ(text::normalize("\uFEDB\uFEE4\uFEEA"), text::normalize("کمه"));  // ﻛ ﻤ ﻪ
    EXPECT_EQ(text::normalize("\uFEF1"), "\u06CC");                            // ﻱ
    EXPECT_EQ(text::normalize("\uFEFC"), "لا");                                // ﻼ
    EXPECT_EQ(text::normalize("\uFE94"), "\u0647");                            // ﺔ
    EXPECT_EQ(text::normalize("\uFE7D"), "");  // tatweel with shadda
}

TEST(TextNormalize, DropsControlAndIgnorableCharacters) {
    EXPECT_EQ(text::normalize("a\x01"
                              "b\x7f"
                              "c"),
              "abc");
    EXPECT_EQ(text::normalize("\u200Fعلی\u200E"), "علی");  // RLM, LRM
    EXPECT_EQ(text::normalize("co\u00ADop"), "coop");      // soft hyphen
    EXPECT_EQ(text::normalize("\uFEFFname"), "name");      // BOM
}

TEST(TextNormalize, AsciiFastPath) {
    EXPECT_EQ(text::normalize("  John \t SMITH\r\n"), "john smith");
    EXPECT_EQ(text::normalize("ACME, Inc. (Tehran)"), "acme, inc. (tehran)");
    EXPECT_EQ(text::normalize("09121234567"), "09121234567");
}

TEST(TextNormalize, InvalidUtf8GivesEmptyKey) {
    EXPECT_EQ(text::normalize("علی" + bytes({0xFF})), "");
    EXPECT_EQ(text::normalize(bytes({0xED, 0xA0, 0x80})), "");
}

TEST(TextNormalize, IsIdempotent) {
    for (const char* s :
         {"علي\u200Cرضا  كريمي", "ÉCOLE ﬁle", "\uFEDB\uFEE4\uFEEA ۱۲", " Straße  ٣ ", "مُحَمَّد"}) {
        const std::string once = text::normalize(s);
        EXPECT_EQ(text::normalize(once), once) << s;
    }
}

// The key of a text made only of code points below U+0800 or in General
// Punctuation is built without utf8proc, from a table utf8proc filled. A CJK
// letter (its own key) forces the utf8proc path; both must agree for every
// code point the table holds, in context, so a Persian name gets the same
// key whatever else is in the field.
TEST(TextNormalize, FastPathAgreesWithUtf8procForEveryTabledCodePoint) {
    const std::string han = "\u4E00";
    ASSERT_EQ(text::normalize(han), han);
    int checked = 0;
    auto agree = [&](char32_t c) {
        for (const char* left : {"a", "ب", " "}) {
            const std::string fast = text::normalize(left + utf8(c) + "b");
            const std::string slow = text::normalize(left + utf8(c) + "b" + han);
            ASSERT_EQ(slow, fast + han) << "U+" << std::hex << static_cast<unsigned>(c);
        }
        ++checked;
    };
    for (char32_t c = 0; c < 0x800; ++c) agree(c);
    for (char32_t c = 0x2000; c <= 0x206F; ++c) agree(c);
    EXPECT_EQ(checked, 0x800 + 0x70);
}

// ---- compact_key -----------------------------------------------------------

TEST(TextCompactKey, IgnoresWhereWordsAreSplit) {
    EXPECT_EQ(text::compact_key("علی\u200Cرضا"), "علیرضا");
    EXPECT_EQ(text::compact_key("علی رضا"), "علیرضا");
    EXPECT_EQ(text::compact_key("علیرضا"), "علیرضا");
    EXPECT_EQ(text::compact_key(" علي   رضا "), "علیرضا");
    EXPECT_EQ(text::compact_key("Mohammad Ali"), "mohammadali");
    EXPECT_EQ(text::compact_key(bytes({0xC0, 0x80})), "");
}

// ---- ascii_digits ----------------------------------------------------------

TEST(TextAsciiDigits, FoldsBothDigitSetsOnly) {
    EXPECT_EQ(text::ascii_digits("۰۱۲۳۴۵۶۷۸۹"), "0123456789");
    EXPECT_EQ(text::ascii_digits("٠١٢٣٤٥٦٧٨٩"), "0123456789");
    EXPECT_EQ(text::ascii_digits("۱۲۳-٤٥٦ abc"), "123-456 abc");
    EXPECT_EQ(text::ascii_digits("پلاک ۷، واحد ٣"), "پلاک 7، واحد 3");
    EXPECT_EQ(text::ascii_digits("plain 42"), "plain 42");
    EXPECT_EQ(text::ascii_digits(""), "");
    // Neighbours of the digit blocks stay as they are.
    EXPECT_EQ(text::ascii_digits("\u066A\u06EF\u06FA"), "\u066A\u06EF\u06FA");
    // Bytes that are not UTF-8 pass through untouched.
    EXPECT_EQ(text::ascii_digits(bytes({0xDB}) + "1" + bytes({0xB0})),
              bytes({0xDB}) + "1" + bytes({0xB0}));
    EXPECT_EQ(text::ascii_digits("۱" + bytes({0xDB})), "1" + bytes({0xDB}));
}

// ---- tidy ------------------------------------------------------------------

TEST(TextTidy, TrimsAndCollapsesButKeepsLetters) {
    EXPECT_EQ(text::tidy("  علي   كريمي \t"), "علي كريمي");  // letters untouched
    EXPECT_EQ(text::tidy("\u00A0\u200Cمریم\u3000\u2003حسینی\u200C\n"), "مریم حسینی");
    EXPECT_EQ(text::tidy("John\t\tSmith"), "John Smith");
    EXPECT_EQ(text::tidy("  "), "");
    EXPECT_EQ(text::tidy(""), "");
    EXPECT_EQ(text::tidy("ÉCOLE"), "ÉCOLE");
}

TEST(TextTidy, KeepsZwnjInsideAWord) {
    EXPECT_EQ(text::tidy("می\u200Cخواهم"), "می\u200Cخواهم");
    EXPECT_EQ(text::tidy("می\u200C\u200Cخواهم"), "می\u200Cخواهم");  // doubled, kept once
    EXPECT_EQ(text::tidy("علی\u200C رضا"), "علی رضا");              // next to a space it is a gap
    EXPECT_EQ(text::tidy("\u200Cعلی\u200C"), "علی");
}

TEST(TextTidy, CopiesInvalidBytes) {
    EXPECT_EQ(text::tidy(" a" + bytes({0xFF}) + "  b "), "a" + bytes({0xFF}) + " b");
}

// ---- similarity ------------------------------------------------------------

TEST(TextSimilarity, MatchesPublishedJaroWinklerValues) {
    // Winkler's examples (p = 0.1, prefix up to 4).
    EXPECT_NEAR(text::similarity("martha", "marhta"), 0.961111, 1e-6);
    EXPECT_NEAR(text::similarity("dwayne", "duane"), 0.84, 1e-6);
    EXPECT_NEAR(text::similarity("dixon", "dicksonx"), 0.813333, 1e-6);
}

TEST(TextSimilarity, BoundsAndSymmetry) {
    EXPECT_EQ(text::similarity("", ""), 1.0);
    EXPECT_EQ(text::similarity("abc", "abc"), 1.0);
    EXPECT_EQ(text::similarity("abc", ""), 0.0);
    EXPECT_EQ(text::similarity("", "abc"), 0.0);
    EXPECT_EQ(text::similarity("abc", "xyz"), 0.0);
    EXPECT_EQ(text::similarity("a", "b"), 0.0);
    EXPECT_DOUBLE_EQ(text::similarity("crate", "trace"), text::similarity("trace", "crate"));
    const double s = text::similarity("محمدرضا", "محمد رضا");
    EXPECT_GT(s, 0.9);
    EXPECT_LT(s, 1.0);
}

TEST(TextSimilarity, CountsCodePointsNotBytes) {
    // Two two-letter names sharing the first letter: m = 1, t = 0, so
    // Jaro = (1/2 + 1/2 + 1) / 3 = 2/3 and Winkler adds 0.1 * 1/3 = 0.7.
    // Over UTF-8 bytes (ا = D8 A7, ب = D8 A8, پ = D9 BE) it would differ.
    EXPECT_NEAR(text::similarity("اب", "اپ"), 0.7, 1e-12);
    EXPECT_NEAR(text::similarity("ab", "ac"), 0.7, 1e-12);
}

TEST(TextSimilarity, RanksATypoAboveADifferentName) {
    const std::string name = text::normalize("علیرضا کریمی");
    EXPECT_GT(text::similarity(name, text::normalize("عليرضا كريمى")), 0.999);
    EXPECT_GT(text::similarity(name, text::normalize("علیرضا کرمی")),
              text::similarity(name, text::normalize("محمد حسینی")));
}

// ---- robustness ------------------------------------------------------------

// Random text drawn from pieces that stress every path: Persian and Arabic
// letters, marks, digits, spaces, joiners, presentation forms, CJK (the
// utf8proc path), ASCII and broken bytes.
TEST(TextRandom, InvariantsHoldOnArbitraryInput) {
    const std::vector<std::string> pieces = {
        "a",      "Z",      " ",        "\t",          "\n",     "\x01",   "ی",
        "ي",      "ك",      "ة",        "آ",           "ـ",      "\u064E", "\u0651",
        "۱",      "٣",      "\u200C",   "\u200D",      "\u00A0", "\u3000", "\uFEDB",
        "\uFEFC", "\u4E00", "é",        "e\u0301",     "ß",      "\u212A", "\U0001F600",
        "\xFF",   "\xD8",   "\xE2\x82", "\xED\xA0\x80"};
    std::mt19937 rng(20240601);
    std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1), count(0, 12);
    for (int round = 0; round < 5000; ++round) {
        std::string s;
        for (std::size_t n = count(rng); n > 0; --n) s += pieces[pick(rng)];
        const std::string key = text::normalize(s);
        ASSERT_TRUE(text::is_valid_utf8(key));
        ASSERT_EQ(text::normalize(key), key);
        ASSERT_EQ(key.find("  "), std::string::npos);
        if (!key.empty()) {
            ASSERT_NE(key.front(), ' ');
            ASSERT_NE(key.back(), ' ');
        }
        if (!text::is_valid_utf8(s)) {
            ASSERT_EQ(key, "");
        }
        const std::string tidied = text::tidy(s);
        ASSERT_EQ(text::tidy(tidied), tidied);
        if (text::is_valid_utf8(s)) {
            ASSERT_TRUE(text::is_valid_utf8(tidied));
        }
        ASSERT_EQ(text::ascii_digits(text::ascii_digits(s)), text::ascii_digits(s));
        const double sim = text::similarity(key, text::normalize(s + "ب"));
        ASSERT_GE(sim, 0.0);
        ASSERT_LE(sim, 1.0);
    }
}

TEST(TextThreads, ConcurrentFirstUseAgrees) {
    // The fast path's table is built on first use; every thread must see it whole.
    const std::string name = "علي\u200Cرضا  كريمي ۱۲";
    const std::string expected = "علی رضا کریمی 12";
    std::vector<std::thread> threads;
    std::vector<int> mismatches(4, 0);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i)
                if (text::normalize(name) != expected) ++mismatches[static_cast<std::size_t>(t)];
        });
    for (auto& th : threads) th.join();
    for (int m : mismatches) EXPECT_EQ(m, 0);
}

// is_key answers "normalize(s) == s" without allocating; it may say false
// when unsure, never true wrongly.
TEST(TextIsKey, NeverClaimsAKeyThatNormalisingWouldChange) {
    const std::vector<std::string> pieces = {
        "a", "Z", "q", "7", " ", "  ", "\t", "-", ".", "ی", "ي", "ك", "ک", "ة", "ه", "\u200c",
        "\u064b", "۱", "٣", "آ", "ا", "ٔ", "ﻻ", "é", "e\u0301", "ß", "\u00a0", "تهران", "ali"};
    std::mt19937 rng(7);
    int keys = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string s;
        const int n = static_cast<int>(rng() % 6);
        for (int i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
        if (text::is_key(s)) {
            ++keys;
            EXPECT_EQ(text::normalize(s), s) << s;
        }
    }
    EXPECT_GT(keys, 100) << "the check is not vacuous";
    for (const char* k : {"تهران", "ali rezaei", "علی رضایی", "پارس صنعت", "b2b", "vip", ""})
        EXPECT_TRUE(text::is_key(k)) << k;
    for (const char* k : {"Ali", "علي", " ali", "ali ", "a  b", "كتاب", "a\tb"})
        EXPECT_FALSE(text::is_key(k)) << k;
}
