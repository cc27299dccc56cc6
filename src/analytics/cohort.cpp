// src/analytics/cohort.cpp - cohort retention and churn from the stored
// purchases: one streamed pass in party order, one party's periods in memory
// at a time, the table's cells summed in maps keyed by period.
#include "crm/analytics/cohort.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <utility>

#include "analytics/one_currency.hpp"
#include "core/enum_names.hpp"
#include "core/period_span.hpp"
#include "crm/analytics/analytics.hpp"
#include "engine/access.hpp"

namespace crm {

CRM_ENUM_NAMES(PeriodUnit, parse_period_unit, {PeriodUnit::month, "month"}, {PeriodUnit::quarter, "quarter"},
               {PeriodUnit::year, "year"})

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Instants to period numbers (months, quarters or years counted from year 0
// of the calendar) and back to their names.
class Periods {
public:
    static result<Periods> make(const CohortQuery& q) {
        CRM_TRY(zone, TimeZone::find(q.time_zone, "time_zone"));
        return Periods(std::move(zone), q.unit, q.calendar);
    }

    /// The period `t` falls in (its local day in the zone).
    result<std::int64_t> of(Timestamp t) {
        const std::int64_t day = floor_div(zone_.to_local_ms(t), kMsPerDay);
        if (day == last_day_) return last_period_;
        CRM_TRY(d, date_from_days(day, calendar_));
        last_day_ = day;
        switch (unit_) {
            case PeriodUnit::month: last_period_ = std::int64_t{d.year} * 12 + d.month - 1; break;
            case PeriodUnit::quarter: last_period_ = std::int64_t{d.year} * 4 + (d.month - 1) / 3; break;
            case PeriodUnit::year: last_period_ = d.year; break;
        }
        return last_period_;
    }

    /// "1404-03", "1404-Q1" or "1404": what resolve_period reads back.
    std::string name(std::int64_t p) const {
        // Years are those of the calendar (1..9999), so each part fits an int.
        const std::int64_t per_year = unit_ == PeriodUnit::month ? 12 : unit_ == PeriodUnit::quarter ? 4 : 1;
        const int year = static_cast<int>(floor_div(p, per_year));
        const int part = static_cast<int>(p - floor_div(p, per_year) * per_year) + 1;
        char buf[48];
        if (unit_ == PeriodUnit::month) std::snprintf(buf, sizeof buf, "%04d-%02d", year, part);
        else if (unit_ == PeriodUnit::quarter) std::snprintf(buf, sizeof buf, "%04d-Q%d", year, part);
        else std::snprintf(buf, sizeof buf, "%04d", year);
        return buf;
    }

private:
    Periods(TimeZone zone, PeriodUnit unit, CalendarSystem calendar)
        : zone_(std::move(zone)), unit_(unit), calendar_(calendar) {}
    TimeZone zone_;
    PeriodUnit unit_;
    CalendarSystem calendar_;
    std::int64_t last_day_ = INT64_MIN, last_period_ = 0;
};

struct CellSum {
    std::int64_t customers = 0, revenue_minor = 0;
};

struct Moves {
    std::int64_t fresh = 0, returned = 0, churned = 0;
};

}  // namespace

result<Cohorts> Analytics::cohorts(const CohortQuery& q) {
    if (q.churn_after < 1 || q.churn_after > 120)
        return fail(errc::invalid_argument, "must be 1 to 120 periods", "churn_after");
    if (q.min_records < 0) return fail(errc::invalid_argument, "must be 0 or more", "min_records");
    CRM_TRY(periods, Periods::make(q));
    CRM_TRY(gate, analytics::OneCurrency::make(q.currency));
    auto& impl = EngineAccess::impl(*engine_);
    Cohorts out;
    out.unit = q.unit;
    out.calendar = q.calendar;
    out.churn_after = q.churn_after;
    out.as_of = q.as_of ? *q.as_of : impl.now();
    CRM_TRY(now, periods.of(out.as_of));
    out.as_of_period = periods.name(now);
    std::optional<std::int64_t> since;
    if (!q.since.empty()) {
        auto span = resolve_period(q.since, q.calendar, q.time_zone);
        if (!span) {
            error e = span.error();
            if (e.field == "period") e.field = "since";
            return e;
        }
        CRM_TRY(p, periods.of(span.value().from));
        if (p > now) return fail(errc::invalid_argument, "is after as_of", "since");
        if (now - p >= CohortQuery::kMaxPeriods)
            return fail(errc::invalid_argument,
                        "spans more than " + std::to_string(CohortQuery::kMaxPeriods) + " " +
                            to_string(q.unit) + "s to as_of",
                        "since");
        since = p;
    }

    std::map<std::int64_t, std::int64_t> size;                     // by cohort
    std::map<std::pair<std::int64_t, std::int64_t>, CellSum> cells;  // by (cohort, offset)
    std::map<std::int64_t, Moves> moves;                          // by period
    std::vector<std::pair<std::int64_t, std::int64_t>> bought;    // one party's (period, minor)
    std::string party;
    const int w = q.churn_after;
    auto flush = [&] {
        if (bought.empty()) return;
        std::sort(bought.begin(), bought.end());
        ++out.customers;
        const std::int64_t cohort = bought.front().first;
        ++size[cohort];
        ++moves[cohort].fresh;
        std::int64_t previous = cohort;
        for (std::size_t i = 0; i < bought.size();) {
            const std::int64_t p = bought[i].first;
            CellSum& cell = cells[{cohort, p - cohort}];
            ++cell.customers;
            for (; i < bought.size() && bought[i].first == p; ++i) cell.revenue_minor += bought[i].second;
            if (p - previous > w) {
                ++moves[previous + w].churned;
                ++moves[p].returned;
            }
            previous = p;
        }
        // Lapsed at the end of the w-th period without a purchase, once
        // that period has ended.
        if (previous + w < now) ++moves[previous + w].churned;
        bought.clear();
    };
    std::optional<error> failure;
    CRM_TRYV(impl.read([&](Transaction& tx) {
        return tx.for_each_purchase_row({}, [&](std::string_view p, Timestamp at, std::int64_t minor,
                                                std::string_view currency) {
            if (p != party) {
                flush();
                party.assign(p);
            }
            if (!gate.take(currency, failure)) return !failure;
            if (at > out.as_of) {
                ++out.purchases_after_as_of;
                return true;
            }
            auto period = periods.of(at);
            if (!period) {
                failure = period.error();
                return false;
            }
            ++out.purchases_read;
            bought.emplace_back(period.value(), minor);
            return true;
        });
    }));
    if (failure) return *failure;
    flush();
    out.currency = gate.currency();
    out.purchases_other_currencies = gate.others();
    if (size.empty() && !since) return out;

    const std::int64_t first = since ? *since : size.begin()->first;
    if (now - first >= CohortQuery::kMaxPeriods)
        return fail(errc::invalid_argument,
                    "the purchases span more than " + std::to_string(CohortQuery::kMaxPeriods) + " " +
                        to_string(q.unit) + "s to as_of (the first is in " +
                        periods.name(size.begin()->first) + "): name a later one",
                    "since");
    // Cohort rows: every period from the first to as_of's, each with a cell
    // per later period; cells after as_of's period are the future.
    const std::int64_t columns = now - first + 1;
    for (std::int64_t c = first; c <= now; ++c) {
        CohortRow row;
        row.period = periods.name(c);
        if (auto it = size.find(c); it != size.end()) row.customers = it->second;
        row.cells.resize(static_cast<std::size_t>(columns));
        for (std::int64_t o = 0; c + o <= now; ++o) {
            CohortCell cell;
            if (auto it = cells.find({c, o}); it != cells.end()) {
                cell.customers = it->second.customers;
                cell.revenue_minor = it->second.revenue_minor;
            }
            CRM_TRY(retained, analytics::proportion(cell.customers, row.customers, 0.95, q.min_records));
            cell.retained = retained;
            row.cells[static_cast<std::size_t>(o)] = cell;
        }
        out.rows.push_back(std::move(row));
    }
    // Churn rows: the periods that have ended, from the first shown; the
    // customers active before it are counted from every earlier move.
    std::int64_t active = 0;
    for (auto it = moves.begin(); it != moves.end() && it->first < first; ++it)
        active += it->second.fresh + it->second.returned - it->second.churned;
    for (std::int64_t p = first; p < now; ++p) {
        ChurnRow r;
        r.period = periods.name(p);
        r.active_at_start = active;
        if (auto it = moves.find(p); it != moves.end()) {
            r.new_customers = it->second.fresh;
            r.returned = it->second.returned;
            r.churned = it->second.churned;
        }
        active += r.new_customers + r.returned - r.churned;
        r.active_at_end = active;
        CRM_TRY(rate, analytics::proportion(r.churned, r.active_at_start, 0.95, q.min_records));
        r.churn_rate = rate;
        out.churn.push_back(std::move(r));
    }
    return out;
}

}  // namespace crm
