// tests/conformance/backends.hpp - the fixture every conformance test uses:
// an Engine on each backend, with a manual clock.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "crm/crm.hpp"

namespace crm::testing {

struct Backend {
    std::string name;
    // Opens a fresh, empty store; `path` is a scratch file for file-backed ones.
    std::function<std::unique_ptr<storage::Store>(const std::string& path)> open;
};

std::vector<Backend> all_backends();
inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

class Conformance : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override;
    void TearDown() override;
    /// Opens a second Engine on the same database (file-backed backends),
    /// or returns nullptr for backends that cannot be reopened.
    std::unique_ptr<Engine> reopen();

    std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>(Timestamp{1'700'000'000'000});
    std::unique_ptr<Engine> engine;
    std::string path;
    Context ctx{"user:test", "test"};

    /// A person with one e-mail and one phone.
    Party person(const std::string& ext, const std::string& first, const std::string& last,
                 const std::string& email = "", const std::string& phone = "");
};

/// Unwraps a result in a test, failing it with the error's text.
template <class T>
T must(result<T> r) {
    if (!r) {
        ADD_FAILURE() << "unexpected error: " << to_string(r.error().code) << ": " << r.error().what();
        std::abort();
    }
    return std::move(r).value();
}
inline void must(result<void> r) {
    if (!r) {
        ADD_FAILURE() << "unexpected error: " << to_string(r.error().code) << ": " << r.error().what();
        std::abort();
    }
}

/// Midnight UTC of a Gregorian day.
inline Timestamp utc_day(int y, unsigned m, unsigned d) { return {days_from_civil(y, m, d) * kMsPerDay}; }

/// One purchase of the CDNOW 1/10th sample: its customer's sample id, day
/// (yyyymmdd) and amount in USD cents.
struct CdnowPurchase {
    std::string customer;
    int ymd = 0;
    std::int64_t cents = 0;
};

/// Loads the CDNOW sample (../shared/data/cdnow) in one transaction: a
/// party per customer (external id "cdnow-" + sample id) and its purchases
/// in USD at midnight UTC; `each` sees every purchase as stored. Answers
/// the party of each sample id.
std::map<std::string, Id> load_cdnow(Engine& engine, const Context& ctx,
                                     const std::function<void(const CdnowPurchase&)>& each = {});

#define CRM_EXPECT_ERROR(expr, code_, field_)                                    \
    do {                                                                        \
        auto r_ = (expr);                                                       \
        ASSERT_FALSE(r_) << #expr " succeeded";                                 \
        EXPECT_EQ(r_.error().code, code_) << r_.error().what();                 \
        EXPECT_EQ(r_.error().field, field_) << r_.error().what();               \
    } while (0)

}  // namespace crm::testing
