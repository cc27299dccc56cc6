// src/analytics/summary.cpp - the calibration summary of purchases
// (frequency, recency, age, mean repeat spend; Fader, Hardie & Lee 2005).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "analytics/summary.hpp"
#include "crm/core/calendar.hpp"

namespace crm::analytics {

const char* to_string(TimeUnit u) noexcept { return u == TimeUnit::days ? "days" : "weeks"; }

result<TimeUnit> parse_time_unit(std::string_view s, std::string_view field) {
    if (s == "days") return TimeUnit::days;
    if (s == "weeks") return TimeUnit::weeks;
    return fail(errc::invalid_argument, "must be \"days\" or \"weeks\"", std::string(field));
}

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

}  // namespace

result<SummaryScale> SummaryScale::make(const SummaryOptions& o) {
    CRM_TRYV(check_instant(o.calibration_end, "calibration_end"));
    if (o.observation_end) {
        CRM_TRYV(check_instant(*o.observation_end, "observation_end"));
        if (*o.observation_end < o.calibration_end)
            return fail(errc::invalid_argument, "must not precede calibration_end",
                        "observation_end");
    }
    CRM_TRY(zone, TimeZone::find(o.time_zone, "time_zone"));
    SummaryScale s{std::move(zone), 0, 0, o.unit == TimeUnit::weeks ? 7.0 : 1.0,
                   o.observation_end.has_value()};
    s.calibration_day = s.day(o.calibration_end);
    s.observation_day = o.observation_end ? s.day(*o.observation_end) : s.calibration_day;
    return s;
}

std::int64_t SummaryScale::day(Timestamp t) const {
    return floor_div(zone.to_local_ms(t), kMsPerDay);
}

std::optional<CustomerSummary> SummaryScale::summarise(std::string_view customer,
                                                       std::span<const DayAmount> days) const {
    // `days` is in day order; equal days are merged here.
    if (days.empty() || days.front().day > calibration_day) return std::nullopt;
    CustomerSummary c;
    c.customer.assign(customer);
    const std::int64_t first = days.front().day;
    std::int64_t last_day = first, repeat_days = 0, holdout_days = 0, prev = first;
    double repeat_spend = 0;
    for (const auto& d : days) {
        const bool new_day = d.day != prev;
        prev = d.day;
        if (d.day <= calibration_day) {
            if (d.day != first) {
                repeat_spend += d.amount;
                if (new_day) ++repeat_days;
                last_day = d.day;
            }
        } else if (d.day <= observation_day && new_day) {
            ++holdout_days;
        }
    }
    c.frequency = static_cast<double>(repeat_days);
    c.recency = repeat_days ? static_cast<double>(last_day - first) / days_per_unit : 0.0;
    c.age = static_cast<double>(calibration_day - first) / days_per_unit;
    c.monetary = repeat_days ? repeat_spend / static_cast<double>(repeat_days) : 0.0;
    if (has_holdout) {
        c.holdout_frequency = static_cast<double>(holdout_days);
        c.holdout_duration = static_cast<double>(observation_day - calibration_day) / days_per_unit;
    }
    return c;
}

result<Summary> summarize(std::span<const Transaction> transactions, const SummaryOptions& options) {
    CRM_TRY(scale, SummaryScale::make(options));
    for (std::size_t i = 0; i < transactions.size(); ++i) {
        const auto& t = transactions[i];
        // The path is built only for an error: there may be millions.
        auto at = [i](const char* field) {
            return "transactions[" + std::to_string(i) + "]." + field;
        };
        if (t.customer.empty())
            return fail(errc::invalid_argument, "must not be empty", at("customer"));
        if (!std::isfinite(t.amount) || t.amount < 0)
            return fail(errc::invalid_argument, "must be a finite amount >= 0", at("amount"));
        if (!check_instant(t.at, "at")) CRM_TRYV(check_instant(t.at, at("at")));
    }
    std::vector<std::size_t> order(transactions.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto& x = transactions[a];
        const auto& y = transactions[b];
        if (int c = x.customer.compare(y.customer); c != 0) return c < 0;
        return x.at < y.at;
    });
    Summary out;
    out.transactions = static_cast<std::int64_t>(transactions.size());
    std::vector<DayAmount> days;
    for (std::size_t i = 0; i < order.size();) {
        const std::string& key = transactions[order[i]].customer;
        days.clear();
        std::size_t j = i;
        for (; j < order.size() && transactions[order[j]].customer == key; ++j)
            days.push_back({scale.day(transactions[order[j]].at), transactions[order[j]].amount});
        if (auto c = scale.summarise(key, days))
            out.customers.push_back(std::move(*c));
        else
            ++out.customers_after_calibration;
        i = j;
    }
    if (out.customers.empty())
        return fail(errc::invalid_argument, "no customer bought on or before it", "calibration_end");
    return out;
}

}  // namespace crm::analytics
