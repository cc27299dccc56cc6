#include "crm/core/error.hpp"

#include <gtest/gtest.h>

namespace {
crm::result<int> half(int x) {
    if (x % 2) return crm::fail(crm::errc::invalid_argument, "must be even", "x");
    return x / 2;
}
crm::result<int> quarter(int x) {
    CRM_TRY(h, half(x));
    return half(h);
}
}  // namespace

TEST(Error, RegisteredWithStdErrorCode) {
    std::error_code ec = crm::errc::not_found;
    EXPECT_EQ(ec.category().name(), std::string("crm"));
    EXPECT_EQ(ec.message(), "not_found");
    EXPECT_EQ(ec.value(), 2);
}

TEST(Error, TryPropagatesTheFirstFailure) {
    auto ok = quarter(8);
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok.value(), 2);
    auto bad = quarter(6);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, crm::errc::invalid_argument);
    EXPECT_EQ(bad.error().what(), "x: must be even");
}
