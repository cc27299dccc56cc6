// src/core/calendar.cpp - Jalali <-> Gregorian (Borkowski's algorithm), time
// zones as transition tables read from ICU, and the starts of periods.
#include "crm/core/calendar.hpp"

#include <unicode/basictz.h>
#include <unicode/timezone.h>
#include <unicode/tzrule.h>
#include <unicode/tztrans.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "core/enum_names.hpp"
#include "crm/core/text.hpp"

namespace crm {

CRM_ENUM_NAMES(CalendarSystem, parse_calendar_system, {CalendarSystem::gregorian, "gregorian"},
               {CalendarSystem::jalali, "jalali"}, {CalendarSystem::jalali, "persian"},
               {CalendarSystem::jalali, "shamsi"})
CRM_ENUM_NAMES(Period, parse_period, {Period::day, "day"}, {Period::week, "week"},
               {Period::month, "month"}, {Period::quarter, "quarter"}, {Period::year, "year"})

namespace {

constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
    std::int64_t out;
    if (__builtin_add_overflow(a, b, &out)) return b > 0 ? kI64Max : kI64Min;
    return out;
}

// ---- Jalali ----------------------------------------------------------------
// Borkowski's algorithm (as in jalaali-js): the years in which the 33-year
// leap pattern breaks, from the astronomical vernal equinox at Tehran's
// meridian. The simple "2820-year" arithmetic disagrees with the real
// calendar (it makes 1403 common; 2025-03-20 is 1403-12-30). Divisions
// truncate, as in the original.
constexpr int kBreaks[] = {-61,  9,    38,   199,  426,  686,  756,  818,  1111, 1181,
                           1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178};
constexpr int kJalaliMinYear = 1;
constexpr int kJalaliMaxYear = 3177;
constexpr int kGregorianMinYear = 1;
constexpr int kGregorianMaxYear = 9999;

struct JalaliYear {
    int leap_index;  // 0 = a leap year; years since the last leap year otherwise
    int gy;          // Farvardin 1 falls in March of this Gregorian year ...
    int march;       // ... on this day
};

// Requires kJalaliMinYear <= jy <= kJalaliMaxYear.
JalaliYear jalali_year(int jy) noexcept {
    const int gy = jy + 621;
    int leap_j = -14;
    int jp = kBreaks[0];
    int jump = 0;
    for (std::size_t i = 1; i < std::size(kBreaks); ++i) {
        const int jm = kBreaks[i];
        jump = jm - jp;
        if (jy < jm) break;
        leap_j += jump / 33 * 8 + jump % 33 / 4;
        jp = jm;
    }
    int n = jy - jp;
    leap_j += n / 33 * 8 + (n % 33 + 3) / 4;
    if (jump % 33 == 4 && jump - n == 4) ++leap_j;
    const int leap_g = gy / 4 - (gy / 100 + 1) * 3 / 4 - 150;
    const int march = 20 + leap_j - leap_g;
    if (jump - n < 6) n = n - jump + (jump + 4) / 33 * 33;
    int leap = ((n + 1) % 33 - 1) % 4;
    if (leap == -1) leap = 4;
    return {leap, gy, march};
}

bool jalali_year_ok(int jy) noexcept { return jy >= kJalaliMinYear && jy <= kJalaliMaxYear; }

std::int64_t farvardin_first(int jy) noexcept {
    const JalaliYear y = jalali_year(jy);
    return days_from_civil(y.gy, 3, static_cast<unsigned>(y.march));
}

// Months 1-6 have 31 days, 7-11 have 30.
std::int64_t jalali_days(int jy, int jm, int jd) noexcept {
    return farvardin_first(jy) + (jm - 1) * 31 - jm / 7 * (jm - 7) + jd - 1;
}

struct JalaliSpan {
    std::int64_t first, last;  // days since epoch of 0001-01-01 and 3177-12-last
};
const JalaliSpan& jalali_span() noexcept {
    static const JalaliSpan span = [] {
        const int last_day = is_jalali_leap_year(kJalaliMaxYear) ? 30 : 29;
        return JalaliSpan{jalali_days(kJalaliMinYear, 1, 1), jalali_days(kJalaliMaxYear, 12, last_day)};
    }();
    return span;
}

// Requires `days` within jalali_span().
Date jalali_from_days(std::int64_t days) noexcept {
    int jy = civil_from_days(days).year - 621;
    if (jy > kJalaliMaxYear || days < farvardin_first(jy)) --jy;
    std::int64_t k = days - farvardin_first(jy);
    if (k < 186) return {jy, static_cast<int>(1 + k / 31), static_cast<int>(k % 31 + 1)};
    k -= 186;
    return {jy, static_cast<int>(7 + k / 30), static_cast<int>(k % 30 + 1)};
}

int gregorian_days_in_month(int y, int m) noexcept {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return kDays[m - 1];
}

error bad_date(Date d, CalendarSystem cal, std::string_view field = "date") {
    return fail(errc::invalid_argument,
                format_date(d) + " is not a date of the " + to_string(cal) +
                    " calendar (supported years: " +
                    (cal == CalendarSystem::jalali ? "1-3177" : "1-9999") + ")",
                std::string(field));
}

// Reads 1..max_digits ASCII digits at pos; -1 when there is none.
int read_number(std::string_view s, std::size_t& pos, int max_digits) noexcept {
    int v = 0, n = 0;
    while (pos < s.size() && n < max_digits && s[pos] >= '0' && s[pos] <= '9') {
        v = v * 10 + (s[pos++] - '0');
        ++n;
    }
    return n == 0 ? -1 : v;
}

// ---- zones -----------------------------------------------------------------
// The transition table spans these instants; ICU answers outside them.
constexpr std::int64_t kTableBegin = -5'364'662'400'000;  // 1800-01-01T00:00Z
constexpr std::int64_t kTableEnd = 10'413'792'000'000;     // 2300-01-01T00:00Z
// Instants handed to ICU stay within years 1..9999.
constexpr std::int64_t kIcuMin = -62'135'596'800'000;  // 0001-01-01T00:00Z
constexpr std::int64_t kIcuMax = 253'402'214'400'000;  // 9999-12-31T00:00Z
// No zone is more than 26 hours from UTC, so two days around a wall time
// hold every offset that could map it.
constexpr std::int64_t kWindow = 2 * kMsPerDay;

bool plausible_zone_name(std::string_view s) noexcept {
    if (s.empty() || s.size() > 64) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '/' || c == '_' || c == '-' || c == '+';
    });
}

}  // namespace

// ---- dates -----------------------------------------------------------------

bool is_jalali_leap_year(int jalali_year) noexcept {
    return jalali_year_ok(jalali_year) && crm::jalali_year(jalali_year).leap_index == 0;
}

int days_in_month(int year, int month, CalendarSystem cal) noexcept {
    if (month < 1 || month > 12) return 0;
    if (cal == CalendarSystem::jalali) {
        if (!jalali_year_ok(year)) return 0;
        if (month <= 6) return 31;
        if (month <= 11) return 30;
        return is_jalali_leap_year(year) ? 30 : 29;
    }
    if (year < kGregorianMinYear || year > kGregorianMaxYear) return 0;
    return gregorian_days_in_month(year, month);
}

bool is_valid_date(Date d, CalendarSystem cal) noexcept {
    return d.day >= 1 && d.day <= days_in_month(d.year, d.month, cal);
}

result<std::int64_t> days_since_epoch(Date d, CalendarSystem cal) {
    if (!is_valid_date(d, cal)) return bad_date(d, cal);
    if (cal == CalendarSystem::jalali) return jalali_days(d.year, d.month, d.day);
    return days_from_civil(d.year, static_cast<unsigned>(d.month), static_cast<unsigned>(d.day));
}

result<Date> date_from_days(std::int64_t days, CalendarSystem cal) {
    if (cal == CalendarSystem::jalali) {
        const JalaliSpan& span = jalali_span();
        if (days < span.first || days > span.last)
            return fail(errc::invalid_argument,
                        "day " + std::to_string(days) +
                            " since 1970-01-01 is outside the Jalali years 1-3177",
                        "date");
        return jalali_from_days(days);
    }
    static const std::int64_t first = days_from_civil(kGregorianMinYear, 1, 1);
    static const std::int64_t last = days_from_civil(kGregorianMaxYear, 12, 31);
    if (days < first || days > last)
        return fail(errc::invalid_argument,
                    "day " + std::to_string(days) +
                        " since 1970-01-01 is outside the Gregorian years 1-9999",
                    "date");
    const CivilDate c = civil_from_days(days);
    return Date{c.year, static_cast<int>(c.month), static_cast<int>(c.day)};
}

result<Date> jalali_from_gregorian(Date gregorian) {
    CRM_TRY(days, days_since_epoch(gregorian, CalendarSystem::gregorian));
    return date_from_days(days, CalendarSystem::jalali);
}

result<Date> gregorian_from_jalali(Date jalali) {
    CRM_TRY(days, days_since_epoch(jalali, CalendarSystem::jalali));
    return date_from_days(days, CalendarSystem::gregorian);
}

result<Date> parse_date(std::string_view input, CalendarSystem cal, std::string_view field) {
    const std::string folded = text::ascii_digits(input);
    std::string_view s = folded;
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    const auto bad = [&](const std::string& why) -> result<Date> {
        return fail(errc::parse, why + ": '" + text::excerpt(input, 64) + "'",
                    std::string(field));
    };
    std::size_t p = 0;
    const int y = read_number(s, p, 4);
    if (p != 4 || y < 0 || p >= s.size() || (s[p] != '-' && s[p] != '/'))
        return bad("is not a date written YYYY-MM-DD or YYYY/MM/DD");
    const char sep = s[p++];
    const int m = read_number(s, p, 2);
    if (m < 0 || p >= s.size() || s[p] != sep)
        return bad("is not a date written YYYY-MM-DD or YYYY/MM/DD");
    ++p;
    const int d = read_number(s, p, 2);
    if (d < 0 || p != s.size()) return bad("is not a date written YYYY-MM-DD or YYYY/MM/DD");
    const Date date{y, m, d};
    if (!is_valid_date(date, cal))
        return bad(std::string("is not a day of the ") + to_string(cal) + " calendar");
    return date;
}

std::string format_date(Date d) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
    return buf;
}

int weekday(Date g) noexcept {
    const std::int64_t days =
        days_from_civil(g.year, static_cast<unsigned>(g.month), static_cast<unsigned>(g.day));
    return static_cast<int>(((days + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
}

// ---- zones -----------------------------------------------------------------

// Offsets as a sorted table of (first instant, offset): a binary search per
// conversion, and no ICU object shared between threads on the hot path.
struct TimeZone::Data {
    std::string name;
    std::vector<std::int64_t> starts;  // starts[0] == kTableBegin
    std::vector<std::int64_t> offsets;
    std::unique_ptr<icu::TimeZone> icu;
    mutable std::mutex icu_mutex;  // ICU zones are asked only outside the table

    std::int64_t offset_at(std::int64_t t) const noexcept {
        if (t >= kTableBegin && t < kTableEnd) {
            const auto it = std::upper_bound(starts.begin(), starts.end(), t);
            return offsets[static_cast<std::size_t>(it - starts.begin()) - 1];
        }
        std::lock_guard lock(icu_mutex);
        UErrorCode status = U_ZERO_ERROR;
        std::int32_t raw = 0, dst = 0;
        icu->getOffset(static_cast<UDate>(std::clamp(t, kIcuMin, kIcuMax)), false, raw, dst,
                       status);
        if (U_FAILURE(status)) return t < kTableBegin ? offsets.front() : offsets.back();
        return static_cast<std::int64_t>(raw) + dst;
    }

    std::int64_t resolve(std::int64_t local) const noexcept {
        if (local > kTableBegin + kWindow && local < kTableEnd - kWindow) {
            const std::size_t n = starts.size();
            const std::size_t lo = static_cast<std::size_t>(
                std::upper_bound(starts.begin(), starts.end(), local - kWindow) - starts.begin() - 1);
            const std::size_t hi = static_cast<std::size_t>(
                std::upper_bound(starts.begin(), starts.end(), local + kWindow) - starts.begin());
            std::int64_t best = kI64Max;
            for (std::size_t i = lo; i < hi; ++i) {
                const std::int64_t t = local - offsets[i];
                const std::int64_t end = i + 1 < n ? starts[i + 1] : kTableEnd;
                if (t >= starts[i] && t < end) best = std::min(best, t);
            }
            if (best != kI64Max) return best;  // the earlier instant when ambiguous
            for (std::size_t i = lo + 1; i < hi; ++i)
                if (starts[i] + offsets[i - 1] <= local && local < starts[i] + offsets[i])
                    return local - offsets[i - 1];  // in a gap: moved forward by it
            return local - offsets[lo];
        }
        std::lock_guard lock(icu_mutex);
        UErrorCode status = U_ZERO_ERROR;
        std::int32_t raw = 0, dst = 0;
        const UDate at = static_cast<UDate>(std::clamp(local, kIcuMin, kIcuMax));
        if (const auto* basic = dynamic_cast<const icu::BasicTimeZone*>(icu.get()))
            basic->getOffsetFromLocal(at, UCAL_TZ_LOCAL_FORMER, UCAL_TZ_LOCAL_FORMER, raw, dst,
                                      status);
        else
            icu->getOffset(at, true, raw, dst, status);
        const std::int64_t off = U_FAILURE(status) ? (local < kTableBegin ? offsets.front()
                                                                           : offsets.back())
                                                   : static_cast<std::int64_t>(raw) + dst;
        return saturating_add(local, -off);
    }

    static result<std::shared_ptr<const Data>> build(const std::string& name,
                                                     std::string_view field) {
        const auto unknown = [&] {
            return fail(errc::invalid_argument,
                        "is not a known IANA time zone: '" + text::excerpt(name, 64) + "'",
                        std::string(field));
        };
        const icu::UnicodeString id = icu::UnicodeString::fromUTF8(name);
        icu::UnicodeString canonical;
        UBool is_system = false;
        UErrorCode status = U_ZERO_ERROR;
        icu::TimeZone::getCanonicalID(id, canonical, is_system, status);
        if (U_FAILURE(status) || !is_system) return unknown();
        auto data = std::make_shared<Data>();
        data->name = name;
        data->icu.reset(icu::TimeZone::createTimeZone(id));
        icu::UnicodeString got;
        if (!data->icu || data->icu->getID(got) == icu::UnicodeString(UCAL_UNKNOWN_ZONE_ID))
            return unknown();

        std::int32_t raw = 0, dst = 0;
        data->icu->getOffset(static_cast<UDate>(kTableBegin), false, raw, dst, status);
        if (U_FAILURE(status))
            return fail(errc::internal, "ICU cannot read the zone's offsets", std::string(field));
        data->starts.push_back(kTableBegin);
        data->offsets.push_back(static_cast<std::int64_t>(raw) + dst);
        if (const auto* basic = dynamic_cast<const icu::BasicTimeZone*>(data->icu.get())) {
            icu::TimeZoneTransition tr;
            UDate base = static_cast<UDate>(kTableBegin);
            while (basic->getNextTransition(base, false, tr)) {
                const UDate when = tr.getTime();
                if (when >= static_cast<UDate>(kTableEnd) || when <= base) break;
                base = when;
                const icu::TimeZoneRule* to = tr.getTo();
                if (!to) continue;
                const std::int64_t off =
                    static_cast<std::int64_t>(to->getRawOffset()) + to->getDSTSavings();
                if (off == data->offsets.back()) continue;  // a change of name or rule only
                data->starts.push_back(static_cast<std::int64_t>(when));
                data->offsets.push_back(off);
            }
        }
        return std::shared_ptr<const Data>(std::move(data));
    }
};

result<TimeZone> TimeZone::find(std::string_view iana_name, std::string_view field) {
    if (!plausible_zone_name(iana_name))
        return fail(errc::invalid_argument,
                    "is not a known IANA time zone: '" + text::excerpt(iana_name, 64) + "'",
                    std::string(field));
    static std::mutex mutex;
    static std::unordered_map<std::string, std::shared_ptr<const Data>> zones;
    std::string name(iana_name);
    std::lock_guard lock(mutex);
    if (auto it = zones.find(name); it != zones.end()) return TimeZone(it->second);
    CRM_TRY(data, Data::build(name, field));
    zones.emplace(std::move(name), data);
    return TimeZone(std::move(data));
}

TimeZone TimeZone::utc() {
    static const TimeZone zone = find("UTC").value();
    return zone;
}

const std::string& TimeZone::name() const noexcept { return data_->name; }

std::int64_t TimeZone::offset_ms(Timestamp t) const { return data_->offset_at(t.ms); }

std::int64_t TimeZone::to_local_ms(Timestamp t) const noexcept {
    return saturating_add(t.ms, data_->offset_at(t.ms));
}

Timestamp TimeZone::from_local_ms(std::int64_t local_ms) const noexcept {
    return Timestamp{data_->resolve(local_ms)};
}

LocalTime TimeZone::to_local(Timestamp t, CalendarSystem cal) const {
    const std::int64_t local = to_local_ms(t);
    const std::int64_t days = floor_div(local, kMsPerDay);
    std::int64_t in_day = local % kMsPerDay;  // not local - days * kMsPerDay: that can overflow
    if (in_day < 0) in_day += kMsPerDay;
    LocalTime out;
    if (cal == CalendarSystem::jalali) {
        auto d = date_from_days(days, cal);
        out.date = d ? d.value() : Date{0, 0, 0};
    } else {
        const CivilDate c = civil_from_days(days);
        out.date = Date{c.year, static_cast<int>(c.month), static_cast<int>(c.day)};
    }
    out.hour = static_cast<int>(in_day / 3'600'000);
    out.minute = static_cast<int>(in_day / 60'000 % 60);
    out.second = static_cast<int>(in_day / 1000 % 60);
    out.millisecond = static_cast<int>(in_day % 1000);
    out.weekday = static_cast<int>(((days + 4) % 7 + 7) % 7);
    return out;
}

result<Timestamp> TimeZone::from_local(const LocalTime& wall, CalendarSystem cal) const {
    const auto out_of_range = [](const char* field, const char* range) {
        return fail(errc::invalid_argument, std::string("must be in ") + range, field);
    };
    if (wall.hour < 0 || wall.hour > 23) return out_of_range("hour", "0..23");
    if (wall.minute < 0 || wall.minute > 59) return out_of_range("minute", "0..59");
    if (wall.second < 0 || wall.second > 59) return out_of_range("second", "0..59");
    if (wall.millisecond < 0 || wall.millisecond > 999)
        return out_of_range("millisecond", "0..999");
    CRM_TRY(days, days_since_epoch(wall.date, cal));
    const std::int64_t in_day =
        ((wall.hour * 60 + wall.minute) * 60 + wall.second) * kMsPerSecond + wall.millisecond;
    return from_local_ms(days * kMsPerDay + in_day);
}

// ---- periods ---------------------------------------------------------------

Timestamp start_of(Period p, Timestamp t, const TimeZone& zone, CalendarSystem cal, int offset) {
    const std::int64_t days = floor_div(zone.to_local_ms(t), kMsPerDay);
    std::int64_t first_day = days;
    switch (p) {
        case Period::day:
            first_day = days + offset;
            break;
        case Period::week: {
            const std::int64_t wd = ((days + 4) % 7 + 7) % 7;  // 0 = Sunday
            const std::int64_t week_start = cal == CalendarSystem::jalali ? 6 : 1;
            first_day = days - (wd - week_start + 7) % 7 + 7 * static_cast<std::int64_t>(offset);
            break;
        }
        case Period::month:
        case Period::quarter:
        case Period::year: {
            auto date = date_from_days(days, cal);
            if (!date) return t;
            std::int64_t months = static_cast<std::int64_t>(date.value().year) * 12 + date.value().month - 1;
            if (p == Period::month)
                months += offset;
            else if (p == Period::quarter)
                months += -((date.value().month - 1) % 3) + 3 * static_cast<std::int64_t>(offset);
            else
                months = (static_cast<std::int64_t>(date.value().year) + offset) * 12;
            const std::int64_t year = floor_div(months, 12);
            if (year < std::numeric_limits<int>::min() || year > std::numeric_limits<int>::max())
                return t;
            auto first = days_since_epoch(
                Date{static_cast<int>(year), static_cast<int>(months - year * 12) + 1, 1}, cal);
            if (!first) return t;
            first_day = first.value();
            break;
        }
    }
    if (first_day > kI64Max / kMsPerDay || first_day < kI64Min / kMsPerDay) return t;
    return zone.from_local_ms(first_day * kMsPerDay);
}

}  // namespace crm
