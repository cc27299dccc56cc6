// src/core/hijri.cpp - the computed Hijri month starts, from ICU's
// astronomical Islamic calendar moved one day later (crm/core/hijri.hpp).
#include "crm/core/hijri.hpp"

#include <unicode/calendar.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace crm::hijri {
namespace {

constexpr int kMonths = (kLastYear - kFirstYear + 1) * 12;

// Month starts for kFirstYear/1 .. kLastYear/12, plus the start of the
// month after the last, as days since 1970-01-01; empty if ICU failed.
const std::vector<std::int64_t>& table() {
    static const std::vector<std::int64_t> starts = [] {
        std::vector<std::int64_t> out;
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::Calendar> cal(icu::Calendar::createInstance(
            icu::TimeZone::getGMT()->clone(), icu::Locale("en@calendar=islamic"), status));
        if (U_FAILURE(status) || !cal) return out;
        out.reserve(kMonths + 1);
        for (int i = 0; i <= kMonths; ++i) {
            cal->clear();
            cal->set(kFirstYear + i / 12, i % 12, 1);
            const UDate ms = cal->getTime(status);
            if (U_FAILURE(status)) return std::vector<std::int64_t>{};
            // ICU's day starts at midnight UTC; Iran's month starts a day later.
            out.push_back(static_cast<std::int64_t>(std::floor(ms / 86'400'000.0)) + 1);
        }
        return out;
    }();
    return starts;
}

result<std::int64_t> out_of_range(std::string_view field) {
    return fail(errc::invalid_argument,
                "is outside the supported Hijri years " + std::to_string(kFirstYear) + "-" +
                    std::to_string(kLastYear),
                std::string(field));
}

}  // namespace

result<std::int64_t> month_start(int year, int month, std::string_view field) {
    if (month < 1 || month > 12) return fail(errc::invalid_argument, "must be a month from 1 to 12", std::string(field));
    const auto& t = table();
    if (year < kFirstYear || year > kLastYear || t.empty()) return out_of_range(field);
    return t[static_cast<std::size_t>((year - kFirstYear) * 12 + month - 1)];
}

result<Date> from_days(std::int64_t days) {
    const auto& t = table();
    if (t.empty() || days < t.front() || days >= t.back())
        return fail(errc::invalid_argument,
                    "is outside the supported Hijri years " + std::to_string(kFirstYear) + "-" +
                        std::to_string(kLastYear),
                    "date");
    const auto it = std::upper_bound(t.begin(), t.end(), days) - 1;
    const int index = static_cast<int>(it - t.begin());
    return Date{kFirstYear + index / 12, index % 12 + 1, static_cast<int>(days - *it) + 1};
}

const char* month_name(int month) noexcept {
    static constexpr const char* kNames[12] = {
        "Muharram", "Safar",  "Rabi al-Awwal", "Rabi al-Thani", "Jumada al-Awwal", "Jumada al-Thani",
        "Rajab",    "Shaban", "Ramadan",       "Shawwal",       "Dhu al-Qadah",    "Dhu al-Hijjah"};
    return month >= 1 && month <= 12 ? kNames[month - 1] : "";
}

}  // namespace crm::hijri
