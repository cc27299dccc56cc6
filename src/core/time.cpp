// src/core/time.cpp - civil-date arithmetic, ISO 8601 text and the clocks.
#include "crm/core/time.hpp"

#include <chrono>
#include <cstdio>

#include "crm/core/calendar.hpp"
#include "crm/core/limits.hpp"
#include "crm/core/text.hpp"

namespace crm {

Clock::~Clock() = default;

Timestamp SystemClock::now() const {
    using namespace std::chrono;
    return Timestamp{duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count()};
}

// Howard Hinnant's days_from_civil / civil_from_days: exact for the whole
// proleptic Gregorian calendar, no tables, no time-zone database.
std::int64_t days_from_civil(int y, unsigned m, unsigned d) noexcept {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) noexcept {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return CivilDate{static_cast<int>(y + (m <= 2)), m, d};
}

namespace {
unsigned days_in_month(int y, unsigned m) noexcept {
    static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return kDays[m - 1];
}

// Reads exactly n digits at pos; -1 on failure.
int digits(std::string_view s, std::size_t& pos, int n) {
    int v = 0;
    for (int i = 0; i < n; ++i, ++pos) {
        if (pos >= s.size() || s[pos] < '0' || s[pos] > '9') return -1;
        v = v * 10 + (s[pos] - '0');
    }
    return v;
}
}  // namespace

result<Timestamp> parse_iso8601(std::string_view input, std::string_view field) {
    const std::string folded = text::ascii_digits(input);
    std::string_view s = folded;
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    auto bad = [&](const char* why) -> result<Timestamp> {
        return fail(errc::parse,
                    std::string("is not an ISO 8601 date or time (") + why + "): '" +
                        text::excerpt(input, 64) + "'",
                    std::string(field));
    };
    std::size_t p = 0;
    const int y = digits(s, p, 4);
    const char sep = p < s.size() ? s[p] : '\0';
    if (y < 0 || (sep != '-' && sep != '/')) return bad("expected YYYY-MM-DD");
    ++p;
    if (y < 1000) return bad("a year below 1000 is in neither calendar the library reads");
    const int mo = digits(s, p, 2);
    if (mo < 1 || mo > 12 || p >= s.size() || s[p++] != sep) return bad("month out of range");
    const int d = digits(s, p, 2);
    std::int64_t ms = 0;
    if (y < kFirstGregorianYear) {
        // A year below 1700 is a Solar Hijri (Jalali) year: 1404-03-01 is
        // 2025-05-22. No Gregorian year of that range is meant in a CRM.
        auto g = gregorian_from_jalali(Date{y, mo, d});
        if (d < 1 || !g) return bad("day out of range in the Jalali calendar");
        const Date& gd = g.value();
        if (gd.year < kFirstGregorianYear)
            return bad("a Jalali date before 1700-01-01, the first day the library keeps");
        ms = days_from_civil(gd.year, static_cast<unsigned>(gd.month),
                             static_cast<unsigned>(gd.day)) * kMsPerDay;
    } else {
        if (d < 1 || static_cast<unsigned>(d) > days_in_month(y, mo)) return bad("day out of range");
        ms = days_from_civil(y, mo, d) * kMsPerDay;
    }
    if (p == s.size()) return Timestamp{ms};
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return bad("expected 'T' after the date");
    ++p;
    const int hh = digits(s, p, 2);
    if (hh < 0 || hh > 23 || p >= s.size() || s[p++] != ':') return bad("hour out of range");
    const int mi = digits(s, p, 2);
    if (mi < 0 || mi > 59) return bad("minute out of range");
    int ss = 0;
    if (p < s.size() && s[p] == ':') {
        ++p;
        ss = digits(s, p, 2);
        if (ss < 0 || ss > 60) return bad("second out of range");
    }
    int frac = 0;
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
        ++p;
        int n = 0;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
            if (n < 3) frac = frac * 10 + (s[p] - '0');
            ++n;
            ++p;
        }
        if (n == 0) return bad("empty fraction");
        for (; n < 3; ++n) frac *= 10;
    }
    ms += ((hh * 60 + mi) * 60 + ss) * kMsPerSecond + frac;
    if (p == s.size()) return Timestamp{ms};
    if (s[p] == 'Z' || s[p] == 'z') {
        ++p;
    } else if (s[p] == '+' || s[p] == '-') {
        const int sign = s[p++] == '+' ? 1 : -1;
        const int oh = digits(s, p, 2);
        if (p < s.size() && s[p] == ':') ++p;
        const int om = digits(s, p, 2);
        if (oh < 0 || oh > 14 || om < 0 || om > 59) return bad("bad zone offset");
        ms -= sign * (oh * 60 + om) * 60 * kMsPerSecond;
    } else {
        return bad("unexpected text after the time");
    }
    if (p != s.size()) return bad("unexpected text after the zone");
    return Timestamp{ms};
}

result<void> check_instant(Timestamp t, std::string_view field) {
    if (t.ms < limits::earliest_ms || t.ms > limits::latest_ms)
        return fail(errc::invalid_argument,
                    "is outside the instants the library keeps (years 1700 to 9999, "
                    "milliseconds " + std::to_string(limits::earliest_ms) + " to " +
                        std::to_string(limits::latest_ms) + ")",
                    std::string(field));
    return ok();
}

std::string to_iso8601(Timestamp t) {
    std::int64_t days = t.ms / kMsPerDay;
    std::int64_t rem = t.ms % kMsPerDay;
    if (rem < 0) {
        rem += kMsPerDay;
        --days;
    }
    const CivilDate c = civil_from_days(days);
    const int ms = static_cast<int>(rem % 1000);
    const int sec = static_cast<int>(rem / 1000);
    if (c.year >= 0 && c.year <= 9999) {
        // Written digit by digit: this runs for every time in every record
        // and event crmcore writes as JSON, and snprintf is most of its cost.
        char out[25] = "0000-00-00T00:00:00.000Z";
        const auto put = [&out](int at, int value, int width) {
            for (int i = width - 1; i >= 0; --i, value /= 10) out[at + i] = static_cast<char>('0' + value % 10);
        };
        put(0, c.year, 4);
        put(5, static_cast<int>(c.month), 2);
        put(8, static_cast<int>(c.day), 2);
        put(11, sec / 3600, 2);
        put(14, sec / 60 % 60, 2);
        put(17, sec % 60, 2);
        if (!ms) {
            out[19] = 'Z';
            return std::string(out, 20);
        }
        put(20, ms, 3);
        return std::string(out, 24);
    }
    char buf[40];
    if (ms)
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", c.year, c.month, c.day,
                      sec / 3600, sec / 60 % 60, sec % 60, ms);
    else
        std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", c.year, c.month, c.day,
                      sec / 3600, sec / 60 % 60, sec % 60);
    return buf;
}

}  // namespace crm
