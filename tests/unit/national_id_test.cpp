// tests/unit/national_id_test.cpp - crm::national_id: کد ملی (10 digits) and
// شناسه ملی (11 digits) check digits, digit folding and error messages.
#include "crm/core/national_id.hpp"

#include <gtest/gtest.h>

#include <string>

namespace nid = crm::national_id;

namespace {

std::string person_ok(std::string_view text) {
    auto r = nid::normalize_person(text);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().what());
    return r ? r.value() : std::string{};
}

std::string person_error(std::string_view text) {
    auto r = nid::normalize_person(text);
    EXPECT_FALSE(r) << text << " accepted as " << (r ? r.value() : "");
    if (r) return {};
    EXPECT_EQ(r.error().code, crm::errc::invalid_argument);
    EXPECT_EQ(r.error().field, "national_id");
    return r.error().message;
}

std::string entity_ok(std::string_view text) {
    auto r = nid::normalize_legal_entity(text);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().what());
    return r ? r.value() : std::string{};
}

std::string entity_error(std::string_view text) {
    auto r = nid::normalize_legal_entity(text);
    EXPECT_FALSE(r) << text << " accepted as " << (r ? r.value() : "");
    if (r) return {};
    EXPECT_EQ(r.error().code, crm::errc::invalid_argument);
    EXPECT_EQ(r.error().field, "national_id");
    return r.error().message;
}

}  // namespace

// Person codes, check = sum(d[i] * (10 - i), i = 0..8) mod 11 = s; the last
// digit must be s when s < 2, else 11 - s. Worked by hand:
//   0499370899: 0*10 + 4*9 + 9*8 + 9*7 + 3*6 + 7*5 + 0*4 + 8*3 + 9*2
//               = 0 + 36 + 72 + 63 + 18 + 35 + 0 + 24 + 18 = 266;
//               266 = 24*11 + 2, s = 2, check 11 - 2 = 9. Valid.
//   0084575948: 0 + 0 + 64 + 28 + 30 + 35 + 20 + 27 + 8 = 212;
//               212 = 19*11 + 3, s = 3, check 8. Valid.
//   0013542419: 0 + 0 + 8 + 21 + 30 + 20 + 8 + 12 + 2 = 101;
//               101 = 9*11 + 2, s = 2, check 9. Valid.
//   1234567891: 10 + 18 + 24 + 28 + 30 + 30 + 28 + 24 + 18 = 210;
//               210 = 19*11 + 1, s = 1 < 2, check 1. Valid (the s < 2 rule).
//   0000011010: 1*5 + 1*4 + 0*3 + 1*2 = 11; s = 0, check 0. Valid (s = 0).
TEST(NationalIdPerson, AcceptsHandCheckedCodes) {
    for (const char* code : {"0499370899", "0084575948", "0013542419", "1234567891", "0000011010"})
        EXPECT_EQ(person_ok(code), code);
}

TEST(NationalIdPerson, RejectsAWrongCheckDigit) {
    // Each hand-checked code with every other last digit.
    for (const std::string code :
         {"0499370899", "0084575948", "0013542419", "1234567891", "0000011010"}) {
        for (char last = '0'; last <= '9'; ++last) {
            if (last == code.back()) continue;
            EXPECT_EQ(person_error(code.substr(0, 9) + last), "has a wrong check digit") << code;
        }
    }
    // A swap of two digits changes the weighted sum.
    EXPECT_EQ(person_error("0949370899"), "has a wrong check digit");
}

TEST(NationalIdPerson, FoldsDigitsAndIgnoresSpacesAndDashes) {
    EXPECT_EQ(person_ok("۰۴۹۹۳۷۰۸۹۹"), "0499370899");
    EXPECT_EQ(person_ok("٠٤٩٩٣٧٠٨٩٩"), "0499370899");
    EXPECT_EQ(person_ok("049-937089-9"), "0499370899");
    EXPECT_EQ(person_ok(" 049 937 0899 "), "0499370899");
    EXPECT_EQ(person_ok("\u00A0۰۴۹-۹۳۷۰۸۹-۹\u200C"), "0499370899");
}

TEST(NationalIdPerson, PadsOldEightAndNineDigitCodes) {
    EXPECT_EQ(person_ok("499370899"), "0499370899");
    EXPECT_EQ(person_ok("84575948"), "0084575948");
    EXPECT_EQ(person_ok("۸۴۵۷۵۹۴۸"), "0084575948");
}

// 54 = -1 (mod 11), so d repeated ten times has s = 11 - d and check d: every
// one passes the checksum, and none is a real code.
TEST(NationalIdPerson, RejectsOneDigitRepeated) {
    for (char d = '0'; d <= '9'; ++d)
        EXPECT_EQ(person_error(std::string(10, d)), "is one digit repeated, not a national code")
            << d;
    EXPECT_EQ(person_error("00000000"), "is one digit repeated, not a national code");  // padded
}

TEST(NationalIdPerson, RejectsWrongLengthsAndNonDigits) {
    EXPECT_EQ(person_error(""), "is empty");
    EXPECT_EQ(person_error(" - "), "is empty");
    EXPECT_EQ(person_error("4993708"), "has 7 digits; a national code has 10");
    EXPECT_EQ(person_error("04993708990"), "has 11 digits; a national code has 10");
    EXPECT_EQ(person_error("049937089x"), "contains a character that is not a digit");
    EXPECT_EQ(person_error("0499.370.899"), "contains a character that is not a digit");
    EXPECT_EQ(person_error("کد ۰۴۹۹۳۷۰۸۹۹"), "contains a character that is not a digit");
}

TEST(NationalIdPerson, NamesTheGivenField) {
    const auto r = nid::normalize_person("123", "owner.national_id");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what(), "owner.national_id: has 3 digits; a national code has 10");
}

// Legal entities: a = d[9] + 2; sum of (d[i] + a) * w[i] for i = 0..9 with
// w = 29 27 23 19 17 29 27 23 19 17; r = sum mod 11 (10 counts as 0) must
// equal d[10]. Worked by hand:
//   10380284790: a = 9 + 2 = 11;
//     12*29 + 11*27 + 14*23 + 19*19 + 11*17 + 13*29 + 19*27 + 15*23 + 18*19 + 20*17
//     = 348 + 297 + 322 + 361 + 187 + 377 + 513 + 345 + 342 + 340 = 3432 = 312*11,
//     r = 0 = d[10]. Valid.
//   14000000018: a = 1 + 2 = 3;
//     4*29 + 7*27 + 3*23 + 3*19 + 3*17 + 3*29 + 3*27 + 3*23 + 3*19 + 4*17
//     = 116 + 189 + 69 + 57 + 51 + 87 + 81 + 69 + 57 + 68 = 844 = 76*11 + 8,
//     r = 8 = d[10]. Valid.
//   10103245673: a = 7 + 2 = 9;
//     10*29 + 9*27 + 10*23 + 9*19 + 12*17 + 11*29 + 13*27 + 14*23 + 15*19 + 16*17
//     = 290 + 243 + 230 + 171 + 204 + 319 + 351 + 322 + 285 + 272 = 2687 = 244*11 + 3,
//     r = 3 = d[10]. Valid.
//   10103240080: a = 8 + 2 = 10;
//     11*29 + 10*27 + 11*23 + 10*19 + 13*17 + 12*29 + 14*27 + 10*23 + 10*19 + 18*17
//     = 319 + 270 + 253 + 190 + 221 + 348 + 378 + 230 + 190 + 306 = 2705 = 245*11 + 10,
//     r = 10, which counts as 0 = d[10]. Valid (the r == 10 rule).
TEST(NationalIdLegalEntity, AcceptsHandCheckedIds) {
    for (const char* id : {"10380284790", "14000000018", "10103245673", "10103240080"})
        EXPECT_EQ(entity_ok(id), id);
}

TEST(NationalIdLegalEntity, RejectsAWrongCheckDigit) {
    for (const std::string id : {"10380284790", "14000000018", "10103245673", "10103240080"}) {
        for (char last = '0'; last <= '9'; ++last) {
            if (last == id.back()) continue;
            EXPECT_EQ(entity_error(id.substr(0, 10) + last), "has a wrong check digit") << id;
        }
    }
}

TEST(NationalIdLegalEntity, FoldsDigitsAndIgnoresSpacesAndDashes) {
    EXPECT_EQ(entity_ok("۱۰۳۸۰۲۸۴۷۹۰"), "10380284790");
    EXPECT_EQ(entity_ok("١٠٣٨٠٢٨٤٧٩٠"), "10380284790");
    EXPECT_EQ(entity_ok(" 103-8028-4790 "), "10380284790");
}

TEST(NationalIdLegalEntity, RequiresElevenDigits) {
    EXPECT_EQ(entity_error("1038028479"), "has 10 digits; a legal entity's national id has 11");
    EXPECT_EQ(entity_error("103802847900"), "has 12 digits; a legal entity's national id has 11");
    EXPECT_EQ(entity_error(""), "is empty");
    EXPECT_EQ(entity_error("1038028479O"), "contains a character that is not a digit");  // letter O
}

TEST(NationalIdNormalize, DispatchesByKind) {
    EXPECT_EQ(nid::normalize(nid::Kind::person, "۰۴۹۹۳۷۰۸۹۹").value(), "0499370899");
    EXPECT_EQ(nid::normalize(nid::Kind::legal_entity, "10380284790").value(), "10380284790");
    // A person's code is not an entity's id and the other way round.
    EXPECT_FALSE(nid::normalize(nid::Kind::legal_entity, "0499370899"));
    EXPECT_FALSE(nid::normalize(nid::Kind::person, "10380284790"));
    const auto r = nid::normalize(nid::Kind::legal_entity, "1", "company.national_id");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().field, "company.national_id");
}
