// tests/unit/email_test.cpp - crm::email: which addresses are accepted, how
// they are normalised, and the match key duplicate detection compares.
#include "crm/core/email.hpp"

#include <gtest/gtest.h>

#include <string>

namespace email = crm::email;

namespace {

std::string normalized(std::string_view text) {
    auto r = email::normalize(text);
    EXPECT_TRUE(r) << text << ": " << (r ? "" : r.error().what());
    return r ? r.value() : std::string{};
}

std::string rejection(std::string_view text) {
    auto r = email::normalize(text);
    EXPECT_FALSE(r) << text << " accepted as " << (r ? r.value() : "");
    if (r) return {};
    EXPECT_EQ(r.error().code, crm::errc::invalid_argument) << text;
    EXPECT_EQ(r.error().field, "email") << text;
    return r.error().message;
}

// local@ + labels of 63, 63 and `last` letters + ".ir"
std::string address_of_length(std::size_t total) {
    const std::string local(64, 'a');
    const std::size_t fixed = local.size() + 1 + 63 + 1 + 63 + 1 + 3;
    return local + "@" + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
           std::string(total - fixed, 'd') + ".ir";
}

}  // namespace

TEST(EmailNormalize, KeepsAPlainAddress) {
    EXPECT_EQ(normalized("ali.rezaei@example.com"), "ali.rezaei@example.com");
    EXPECT_EQ(normalized("a@b.ir"), "a@b.ir");
    EXPECT_EQ(normalized("info@my-shop.co.ir"), "info@my-shop.co.ir");
}

TEST(EmailNormalize, LowerCasesTheDomainOnly) {
    EXPECT_EQ(normalized("Ali.Rezaei@EXAMPLE.COM"), "Ali.Rezaei@example.com");
    EXPECT_EQ(normalized("SALES@Digikala.Com"), "SALES@digikala.com");
}

TEST(EmailNormalize, TrimsUnicodeSpacesAround) {
    EXPECT_EQ(normalized("  ali@example.com\t\n"), "ali@example.com");
    EXPECT_EQ(normalized("\u00A0ali@example.com\u200C"), "ali@example.com");
    EXPECT_EQ(normalized("\u3000\u2003ali@example.com\u202F\u200D"), "ali@example.com");
}

TEST(EmailNormalize, FoldsPersianDigits) {
    EXPECT_EQ(normalized("ali۱۳۶۵@example.com"), "ali1365@example.com");
    EXPECT_EQ(normalized("sara٤٢@shop٢٤.ir"), "sara42@shop24.ir");
}

TEST(EmailNormalize, AcceptsEveryAtextSpecial) {
    EXPECT_EQ(normalized("o'brien+crm@example.com"), "o'brien+crm@example.com");
    EXPECT_EQ(normalized("a!#$%&'*+-/=?^_`{|}~z@example.com"), "a!#$%&'*+-/=?^_`{|}~z@example.com");
    EXPECT_EQ(normalized("first.middle.last@example.com"), "first.middle.last@example.com");
}

TEST(EmailNormalize, AcceptsPunycode) {
    EXPECT_EQ(normalized("info@xn--mgba3a4f16a.ir"), "info@xn--mgba3a4f16a.ir");
    EXPECT_EQ(normalized("info@example.XN--MGBA3A4F16A"), "info@example.xn--mgba3a4f16a");
}

TEST(EmailNormalize, RejectsMissingOrExtraAt) {
    EXPECT_EQ(rejection(""), "is empty");
    EXPECT_EQ(rejection(" \u200C "), "is empty");
    EXPECT_EQ(rejection("ali.example.com"), "has no '@'");
    EXPECT_EQ(rejection("ali@reza@example.com"), "has more than one '@'");
    EXPECT_EQ(rejection("@example.com"), "has an empty local part");
    EXPECT_EQ(rejection("ali@"), "has an empty domain");
}

TEST(EmailNormalize, RejectsBadDotsInTheLocalPart) {
    EXPECT_EQ(rejection("ali..reza@example.com"), "has two dots in a row in the local part");
    EXPECT_EQ(rejection(".ali@example.com"), "has a local part that starts or ends with a dot");
    EXPECT_EQ(rejection("ali.@example.com"), "has a local part that starts or ends with a dot");
}

TEST(EmailNormalize, RejectsBadDotsInTheDomain) {
    const std::string empty_label =
        "has an empty label (a leading, trailing or double dot) in the domain";
    EXPECT_EQ(rejection("ali@example..com"), empty_label);
    EXPECT_EQ(rejection("ali@.example.com"), empty_label);
    EXPECT_EQ(rejection("ali@example.com."), empty_label);
}

TEST(EmailNormalize, RequiresATopLevelDomainOfLetters) {
    EXPECT_EQ(rejection("ali@localhost"), "has no top-level domain");
    const std::string tld = "has a top-level domain that is not two or more letters";
    EXPECT_EQ(rejection("ali@example.c"), tld);
    EXPECT_EQ(rejection("ali@example.c0m"), tld);
    EXPECT_EQ(rejection("ali@192.168.1.10"), tld);
}

TEST(EmailNormalize, RejectsCharactersOutsideTheGrammar) {
    const std::string local = "has a character not allowed in the local part";
    EXPECT_EQ(rejection("ali reza@example.com"), local);
    EXPECT_EQ(rejection("ali\u200Creza@example.com"), local);
    EXPECT_EQ(rejection("علی@example.com"), local);
    EXPECT_EQ(rejection("\"ali reza\"@example.com"), local);  // quoted local parts are not taken
    EXPECT_EQ(rejection("ali@example.com (work)"),
              "has a character in the domain that is not a letter, digit or hyphen");
    const std::string domain =
        "has a character in the domain that is not a letter, digit or hyphen";
    EXPECT_EQ(rejection("ali@exa_mple.com"), domain);
    EXPECT_EQ(rejection("ali@ایران.ir"), domain);
    EXPECT_EQ(rejection("ali@[192.168.1.10]"), domain);
    const std::string hyphen = "has a domain label that starts or ends with a hyphen";
    EXPECT_EQ(rejection("ali@-example.com"), hyphen);
    EXPECT_EQ(rejection("ali@example-.com"), hyphen);
    EXPECT_EQ(rejection("caf\xE9@example.com"), local);  // Latin-1, not UTF-8
}

TEST(EmailNormalize, EnforcesLengthLimits) {
    EXPECT_TRUE(email::normalize(std::string(64, 'a') + "@example.com"));
    EXPECT_EQ(rejection(std::string(65, 'a') + "@example.com"),
              "has a local part longer than 64 bytes");
    EXPECT_TRUE(email::normalize("ali@" + std::string(63, 'b') + ".com"));
    EXPECT_EQ(rejection("ali@" + std::string(64, 'b') + ".com"),
              "has a domain label longer than 63 bytes");

    const std::string longest = address_of_length(254);
    ASSERT_EQ(longest.size(), 254u);
    EXPECT_EQ(normalized(longest), longest);
    const std::string too_long = address_of_length(255);
    ASSERT_EQ(too_long.size(), 255u);
    EXPECT_EQ(rejection(too_long), "is longer than 254 bytes");
    // The limit applies after trimming.
    EXPECT_EQ(normalized("  " + longest + "  "), longest);
}

TEST(EmailNormalize, NamesTheGivenField) {
    const auto r = email::normalize("nope", "contacts[0].value");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().what(), "contacts[0].value: has no '@'");
}

TEST(EmailMatchKey, LowerCasesBothParts) {
    EXPECT_EQ(email::match_key("Ali.Rezaei@Example.COM"), "ali.rezaei@example.com");
    EXPECT_EQ(email::match_key(" ALI.REZAEI@example.com\u00A0"),
              email::match_key("ali.rezaei@EXAMPLE.com"));
    EXPECT_EQ(email::match_key("ALI۷@X.IR"), "ali7@x.ir");
}

TEST(EmailMatchKey, EmptyWhenInvalid) {
    EXPECT_EQ(email::match_key(""), "");
    EXPECT_EQ(email::match_key("ali@localhost"), "");
    EXPECT_EQ(email::match_key("ali..reza@example.com"), "");
}
