// src/core/business_calendar.cpp - business calendars: validation, the JSON
// form, and business time walked day by day through the calendar's zone.
#include "crm/core/business_calendar.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <utility>

#include "crm/core/hijri.hpp"
#include "crm/core/text.hpp"
#include "core/json_read.hpp"

namespace crm {
namespace {

using json = codec::json;

constexpr std::int64_t kMsPerMinute = 60'000;
constexpr std::int64_t kMaxInstant = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z
constexpr std::int64_t kMinInstant = -62'135'596'800'000;  // 0001-01-01T00:00:00Z
constexpr int kMaxIdleDays = 3660;                          // ten years without working time
constexpr int kMinutesPerDay = 1440;

// Index = weekday() (0 = Sunday); JSON and to_json list them Saturday first.
constexpr const char* kDayNames[7] = {"sunday",   "monday", "tuesday", "wednesday",
                                      "thursday", "friday", "saturday"};
constexpr int kJsonDayOrder[7] = {6, 0, 1, 2, 3, 4, 5};

const std::string kCounted = "counted";
const std::string kOffHours = "off hours";
const std::string kWeeklyDayOff = "weekly day off";
const std::string kStartDay = "start day";

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int weekday_of_day(std::int64_t day) noexcept { return static_cast<int>(((day + 4) % 7 + 7) % 7); }

std::string hhmm(int minutes) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d", minutes / 60, minutes % 60);
    return buf;
}

std::string day_path(int wd) { return std::string("week.") + kDayNames[wd]; }
std::string item_path(std::string_view base, std::size_t i) {
    return std::string(base) + "[" + std::to_string(i) + "]";
}

// Adds steps to a trace, merging a step into the previous one of the same kind.
class TraceWriter {
public:
    explicit TraceWriter(BusinessTrace* trace) : trace_(trace) {
        if (trace_) trace_->steps.clear();
    }
    void step(std::int64_t from, std::int64_t to, const std::string& what) {
        if (!trace_ || to <= from) return;
        auto& steps = trace_->steps;
        if (!steps.empty() && steps.back().to.ms == from && steps.back().what == what) {
            steps.back().to.ms = to;
            return;
        }
        steps.push_back({Timestamp{from}, Timestamp{to}, what});
    }

private:
    BusinessTrace* trace_;
};

// "08:00-16:00" (1-2 digit hours, ASCII or Persian digits, spaces around
// '-') -> minutes; the range of each end is checked by make().
result<WorkingHours> parse_hours(std::string_view input, const std::string& path) {
    const std::string folded = text::ascii_digits(input);
    std::string_view s = folded;
    std::size_t p = 0;
    const auto skip_spaces = [&] {
        while (p < s.size() && s[p] == ' ') ++p;
    };
    const auto read_time = [&](int& minutes) {
        int h = 0, digits = 0;
        while (p < s.size() && digits < 2 && s[p] >= '0' && s[p] <= '9') {
            h = h * 10 + (s[p++] - '0');
            ++digits;
        }
        if (digits == 0 || p + 3 > s.size() || s[p] != ':' || s[p + 1] < '0' || s[p + 1] > '9' ||
            s[p + 2] < '0' || s[p + 2] > '9')
            return 0;  // malformed
        const int m = (s[p + 1] - '0') * 10 + (s[p + 2] - '0');
        p += 3;
        if (m > 59 || h > 24 || (h == 24 && m != 0)) return -1;  // out of range
        minutes = h * 60 + m;
        return 1;
    };
    const auto malformed = [&] {
        return fail(errc::invalid_argument,
                    "must be a time interval \"HH:MM-HH:MM\": '" +
                        std::string(input.substr(0, 32)) + "'",
                    path);
    };
    WorkingHours wh;
    skip_spaces();
    const int a = read_time(wh.start_minute);
    if (a == 0) return malformed();
    if (a < 0) return fail(errc::invalid_argument, "must be a time from 00:00 to 23:59", path + ".start");
    skip_spaces();
    if (p >= s.size() || s[p] != '-') return malformed();
    ++p;
    skip_spaces();
    const int b = read_time(wh.end_minute);
    if (b == 0) return malformed();
    if (b < 0) return fail(errc::invalid_argument, "must be a time from 00:01 to 24:00", path + ".end");
    skip_spaces();
    if (p != s.size()) return malformed();
    return wh;
}

// "1446-01-10" or "1446/1/10" (ASCII or Persian digits): year, month and
// day as numbers, or all zero when malformed.
Date read_numbers(std::string_view input, int parts) {
    const std::string s = text::ascii_digits(input);
    int v[3] = {0, 0, 0}, n = 0, digits = 0;
    char sep = 0;
    for (char c : s) {
        if (c >= '0' && c <= '9') {
            if (++digits > 4 || v[n] > 9999) return {0, 0, 0};
            v[n] = v[n] * 10 + (c - '0');
        } else if ((c == '-' || c == '/') && digits > 0 && n + 1 < parts && (!sep || sep == c)) {
            sep = c;
            ++n;
            digits = 0;
        } else {
            return {0, 0, 0};
        }
    }
    if (digits == 0 || n + 1 != parts) return {0, 0, 0};
    return {v[0], v[1], parts == 3 ? v[2] : 1};
}

// A date of the JSON form: the JSON parsed, so a bad value is
// invalid_argument rather than parse_date's parse.
result<Date> date_value(std::string_view text, CalendarSystem cal, const std::string& field) {
    auto date = parse_date(text, cal, field);
    if (date) return date.value();
    error e = date.error();
    e.code = errc::invalid_argument;
    return e;
}

constexpr int kMaxHijriShift = 3;  // days a confirmed start may differ from the computed one
constexpr int kHijriSlack = 6;     // months around the confirmed ones that may move with them

int hijri_index(int year, int month) noexcept { return (year - hijri::kFirstYear) * 12 + month - 1; }

}  // namespace

// ---- the validated calendar --------------------------------------------------

struct BusinessCalendar::State {
    BusinessCalendarDef def;
    TimeZone zone;
    std::array<std::vector<WorkingHours>, 7> week;          // sorted by start
    // A holiday as the lookups hold it: its trace labels ("holiday: name",
    // and for a lunar one "holiday: name (provisional)") and the holiday of
    // the def it comes from (def is never changed after make()).
    struct Off {
        std::string label, provisional_label;
        const Holiday* holiday = nullptr;
    };
    std::unordered_map<std::int64_t, Off> dated;    // local day
    std::unordered_map<int, Off> yearly_gregorian;  // month * 100 + day
    std::unordered_map<int, Off> yearly_jalali;
    std::unordered_map<int, Off> yearly_hijri;
    // The lunar holidays' days over the supported Hijri years, computed or
    // confirmed: local day -> (holiday, provisional).
    std::unordered_multimap<std::int64_t, std::pair<const Off*, bool>> lunar;

    State(BusinessCalendarDef d, TimeZone z) : def(std::move(d)), zone(std::move(z)) {}

    // Every holiday of local day `day`, in the order day_off prefers them;
    // stops after the first when `all` is false. each(off, provisional).
    template <typename F>
    void holidays_of(std::int64_t day, bool all, F&& each) const {
        if (!dated.empty())
            if (auto it = dated.find(day); it != dated.end()) {
                each(it->second, false);
                if (!all) return;
            }
        if (!yearly_gregorian.empty()) {
            const CivilDate c = civil_from_days(day);
            if (auto it = yearly_gregorian.find(static_cast<int>(c.month * 100 + c.day));
                it != yearly_gregorian.end()) {
                each(it->second, false);
                if (!all) return;
            }
        }
        if (!yearly_jalali.empty()) {
            if (auto d = date_from_days(day, CalendarSystem::jalali)) {
                if (auto it = yearly_jalali.find(d.value().month * 100 + d.value().day);
                    it != yearly_jalali.end()) {
                    each(it->second, false);
                    if (!all) return;
                }
            }
        }
        if (lunar.empty()) return;
        const auto [first, last] = lunar.equal_range(day);
        for (auto it = first; it != last; ++it) {
            each(*it->second.first, it->second.second);
            if (!all) return;
        }
    }

    const std::string* day_off(std::int64_t day) const {
        const std::string* found = nullptr;
        holidays_of(day, false, [&](const Off& off, bool provisional) {
            found = provisional ? &off.provisional_label : &off.label;
        });
        if (found) return found;
        if (week[weekday_of_day(day)].empty()) return &kWeeklyDayOff;
        return nullptr;
    }

    std::int64_t local_day(std::int64_t t) const noexcept {
        return floor_div(zone.to_local_ms(Timestamp{t}), kMsPerDay);
    }
    // First instant of local day `day`.
    std::int64_t day_begin(std::int64_t day) const noexcept {
        return zone.from_local_ms(day * kMsPerDay).ms;
    }
    // The working intervals of a working day as instants, in order.
    void spans(std::int64_t day, std::vector<std::pair<std::int64_t, std::int64_t>>& out) const {
        out.clear();
        for (const WorkingHours& wh : week[weekday_of_day(day)]) {
            const std::int64_t a = zone.from_local_ms(day * kMsPerDay + wh.start_minute * kMsPerMinute).ms;
            const std::int64_t b = zone.from_local_ms(day * kMsPerDay + wh.end_minute * kMsPerMinute).ms;
            if (b > a) out.emplace_back(a, b);
        }
    }
};

result<BusinessCalendar> BusinessCalendar::make(BusinessCalendarDef def) {
    if (def.id.empty()) return fail(errc::invalid_argument, "must not be empty", "id");
    CRM_TRYV(text::check(def.id, "id", 128));
    CRM_TRYV(text::check(def.name, "name", 1024));
    CRM_TRY(zone, TimeZone::find(def.time_zone, "time_zone"));

    auto state = std::make_shared<State>(std::move(def), std::move(zone));
    const BusinessCalendarDef& d = state->def;
    std::int64_t weekly_minutes = 0;
    for (int wd = 0; wd < 7; ++wd) {
        const auto& hours = d.week[static_cast<std::size_t>(wd)];
        const std::string base = day_path(wd);
        for (std::size_t i = 0; i < hours.size(); ++i) {
            const WorkingHours& wh = hours[i];
            if (wh.start_minute < 0 || wh.start_minute >= kMinutesPerDay)
                return fail(errc::invalid_argument, "must be a time from 00:00 to 23:59",
                            item_path(base, i) + ".start");
            if (wh.end_minute > kMinutesPerDay)
                return fail(errc::invalid_argument, "must be a time from 00:01 to 24:00",
                            item_path(base, i) + ".end");
            if (wh.end_minute <= wh.start_minute)
                return fail(errc::invalid_argument,
                            "must be after the start (" + hhmm(wh.start_minute) + ")",
                            item_path(base, i) + ".end");
            weekly_minutes += wh.end_minute - wh.start_minute;
        }
        // Sorted by start, an interval overlaps an earlier one exactly when
        // it starts before the latest end seen so far.
        std::vector<std::size_t> order(hours.size());
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
            return hours[x].start_minute < hours[y].start_minute;
        });
        std::size_t latest = 0;
        for (std::size_t k = 0; k < order.size(); ++k) {
            const std::size_t cur = order[k];
            if (k > 0 && hours[cur].start_minute < hours[latest].end_minute) {
                const std::size_t later = std::max(cur, latest), other = std::min(cur, latest);
                return fail(errc::invalid_argument,
                            "overlaps " + item_path(base, other) + " (" +
                                hhmm(hours[other].start_minute) + "-" +
                                hhmm(hours[other].end_minute) + ")",
                            item_path(base, later));
            }
            if (k == 0 || hours[cur].end_minute > hours[latest].end_minute) latest = cur;
        }
        auto& sorted = state->week[static_cast<std::size_t>(wd)];
        for (std::size_t idx : order) sorted.push_back(hours[idx]);
    }
    if (weekly_minutes == 0)
        return fail(errc::invalid_argument, "has no working time on any day", "week");

    for (std::size_t i = 0; i < d.holidays.size(); ++i) {
        const Holiday& h = d.holidays[i];
        const std::string base = item_path("holidays", i);
        CRM_TRYV(text::check(h.name, base + ".name", 256));
        if (h.hijri) {
            if (h.date.month < 1 || h.date.month > 12 || h.date.day < 1 || h.date.day > 30)
                return fail(errc::invalid_argument,
                            "must be a Hijri month 1-12 and day 1-30 (30: the month's last day)",
                            base + ".date");
            if (!h.every_year)
                return fail(errc::invalid_argument,
                            "must be true: a Hijri holiday recurs every lunar year (a year's "
                            "dates are confirmed through hijri_months)",
                            base + ".every_year");
            std::string label = h.name.empty() ? "holiday" : "holiday: " + h.name;
            std::string provisional = label + " (provisional)";
            state->yearly_hijri.emplace(h.date.month * 100 + h.date.day,
                                        State::Off{std::move(label), std::move(provisional), &h});
            continue;
        }
        if (!is_valid_date(h.date, h.calendar))
            return fail(errc::invalid_argument,
                        format_date(h.date) + " is not a day of the " + to_string(h.calendar) +
                            " calendar",
                        base + ".date");
        std::string label = h.name.empty() ? "holiday" : "holiday: " + h.name;
        if (h.every_year) {
            auto& yearly = h.calendar == CalendarSystem::jalali ? state->yearly_jalali
                                                                : state->yearly_gregorian;
            yearly.emplace(h.date.month * 100 + h.date.day, State::Off{std::move(label), {}, &h});
        } else {
            state->dated.emplace(days_since_epoch(h.date, h.calendar).value(),
                                 State::Off{std::move(label), {}, &h});
        }
    }
    CRM_TRYV(place_lunar_holidays(*state));
    return BusinessCalendar(std::move(state));
}

// The days of the lunar holidays over the supported Hijri years: from the
// computed month starts, where hijri_months replace them and the months
// around move as little as keeps each 29 or 30 days long.
result<void> BusinessCalendar::place_lunar_holidays(State& s) {
    if (s.yearly_hijri.empty() && s.def.hijri_months.empty()) return ok();
    const int months = (hijri::kLastYear - hijri::kFirstYear + 1) * 12;
    std::vector<std::int64_t> starts;  // months 0 .. months - 1, then the end of the last
    starts.reserve(static_cast<std::size_t>(months) + 1);
    for (int k = 0; k < months; ++k) {
        auto start = hijri::month_start(hijri::kFirstYear + k / 12, k % 12 + 1);
        if (!start) return ok();  // ICU could not say: no lunar day is computed
        starts.push_back(start.value());
    }
    starts.push_back(starts.back() + 29);
    std::vector<char> confirmed(starts.size(), 0);
    std::vector<int> named;
    for (std::size_t i = 0; i < s.def.hijri_months.size(); ++i) {
        const HijriMonthStart& m = s.def.hijri_months[i];
        const std::string base = item_path("hijri_months", i);
        CRM_TRY(computed, hijri::month_start(m.year, m.month, base + ".month"));
        if (!is_valid_date(m.starts, m.calendar))
            return fail(errc::invalid_argument,
                        format_date(m.starts) + " is not a day of the " + to_string(m.calendar) +
                            " calendar",
                        base + ".starts");
        const std::int64_t day = days_since_epoch(m.starts, m.calendar).value();
        if (day < computed - kMaxHijriShift || day > computed + kMaxHijriShift)
            return fail(errc::invalid_argument,
                        "must be within " + std::to_string(kMaxHijriShift) +
                            " days of the computed start " +
                            format_date(date_from_days(computed, m.calendar).value()),
                        base + ".starts");
        const int index = hijri_index(m.year, m.month);
        if (std::find(named.begin(), named.end(), index) != named.end())
            return fail(errc::invalid_argument, "confirms a month named earlier in the list",
                        base + ".month");
        named.push_back(index);
        starts[static_cast<std::size_t>(index)] = day;
        confirmed[static_cast<std::size_t>(index)] = 1;
    }
    if (!named.empty()) {
        const auto lo = static_cast<std::size_t>(std::max(0, *std::min_element(named.begin(), named.end()) - kHijriSlack));
        const auto hi = std::min(starts.size() - 1,
                                 static_cast<std::size_t>(*std::max_element(named.begin(), named.end()) + kHijriSlack));
        for (std::size_t k = lo + 1; k <= hi; ++k)
            if (!confirmed[k]) starts[k] = std::clamp(starts[k], starts[k - 1] + 29, starts[k - 1] + 30);
        for (std::size_t k = hi; k-- > lo;)
            if (!confirmed[k]) starts[k] = std::clamp(starts[k], starts[k + 1] - 30, starts[k + 1] - 29);
        for (std::size_t k = lo + 1; k <= hi; ++k) {
            const std::int64_t length = starts[k] - starts[k - 1];
            if (length < 29 || length > 30) {
                const std::size_t index = k - 1;
                return fail(errc::invalid_argument,
                            "leave Hijri month " + std::to_string(hijri::kFirstYear + index / 12) + "-" +
                                std::to_string(index % 12 + 1) + " " + std::to_string(length) +
                                " days long; a lunar month has 29 or 30",
                            "hijri_months");
            }
        }
    }
    s.lunar.reserve(s.yearly_hijri.size() * 310);
    for (const auto& [key, off] : s.yearly_hijri) {
        const int month = key / 100, day = key % 100;
        for (int k = month - 1; k < months; k += 12) {
            const auto i = static_cast<std::size_t>(k);
            // Day 30 is the month's last day, certain once the next month's start is.
            const bool last = day == 30;
            const std::int64_t on = last ? starts[i + 1] - 1 : starts[i] + day - 1;
            const bool provisional = !confirmed[last ? i + 1 : i];
            s.lunar.emplace(on, std::make_pair(&off, provisional));
        }
    }
    return ok();
}

result<std::vector<HolidayOn>> BusinessCalendar::holidays(Date from, Date to) const {
    auto a = days_since_epoch(from, CalendarSystem::gregorian);
    if (!a) return fail(errc::invalid_argument, format_date(from) + " is not a Gregorian date", "from");
    auto b = days_since_epoch(to, CalendarSystem::gregorian);
    if (!b) return fail(errc::invalid_argument, format_date(to) + " is not a Gregorian date", "to");
    if (b.value() < a.value()) return fail(errc::invalid_argument, "must not be before from", "to");
    if (b.value() - a.value() > kMaxIdleDays)
        return fail(errc::invalid_argument,
                    "must be at most " + std::to_string(kMaxIdleDays) + " days after from", "to");
    std::vector<HolidayOn> out;
    for (std::int64_t day = a.value(); day <= b.value(); ++day) {
        state_->holidays_of(day, true, [&](const State::Off& off, bool provisional) {
            out.push_back(HolidayOn{date_from_days(day, CalendarSystem::gregorian).value(), off.holiday->name,
                                    off.holiday->hijri, provisional});
        });
    }
    return out;
}

BusinessCalendar BusinessCalendar::iran_default() {
    static const BusinessCalendar calendar = [] {
        BusinessCalendarDef def;
        def.id = "iran-default";
        def.name = "Iran, public sector";
        def.time_zone = "Asia/Tehran";
        const WorkingHours full{8 * 60, 16 * 60}, half{8 * 60, 12 * 60};
        for (int wd : {6, 0, 1, 2, 3}) def.week[static_cast<std::size_t>(wd)] = {full};  // Sat-Wed
        def.week[4] = {half};                                                             // Thursday
        const auto fixed = [&](int month, int day, const char* name) {
            def.holidays.push_back({CalendarSystem::jalali, Date{1403, month, day}, true, name});
        };
        fixed(1, 1, "Nowruz");
        fixed(1, 2, "Nowruz");
        fixed(1, 3, "Nowruz");
        fixed(1, 4, "Nowruz");
        fixed(1, 12, "Islamic Republic Day");
        fixed(1, 13, "Sizdah Bedar");
        fixed(3, 14, "Death of Khomeini");
        fixed(3, 15, "Uprising of 15 Khordad");
        fixed(11, 22, "Revolution Day");
        fixed(12, 29, "Oil Nationalisation Day");
        const auto lunar = [&](int month, int day, const char* name) {
            Holiday h{CalendarSystem::jalali, Date{1446, month, day}, true, name};
            h.hijri = true;
            def.holidays.push_back(std::move(h));
        };
        lunar(1, 9, "Tasua");
        lunar(1, 10, "Ashura");
        lunar(2, 20, "Arbaeen");
        lunar(2, 28, "Passing of the Prophet and martyrdom of Imam Hasan");
        lunar(2, 30, "Martyrdom of Imam Reza");
        lunar(3, 8, "Martyrdom of Imam Hasan Askari");
        lunar(3, 17, "Birthday of the Prophet and Imam Sadegh");
        lunar(6, 3, "Martyrdom of Fatemeh (Fatemiyeh)");
        lunar(7, 13, "Birthday of Imam Ali");
        lunar(7, 27, "Mab'ath");
        lunar(8, 15, "Birthday of Imam Mahdi (15 Sha'ban)");
        lunar(9, 21, "Martyrdom of Imam Ali");
        lunar(10, 1, "Eid al-Fitr");
        lunar(10, 2, "Eid al-Fitr, second day");
        lunar(10, 25, "Martyrdom of Imam Sadegh");
        lunar(12, 10, "Eid al-Adha (Ghorban)");
        lunar(12, 18, "Eid al-Ghadir");
        return make(std::move(def)).value();
    }();
    return calendar;
}

const BusinessCalendarDef& BusinessCalendar::def() const noexcept { return state_->def; }
const TimeZone& BusinessCalendar::zone() const noexcept { return state_->zone; }

bool BusinessCalendar::is_working(Timestamp t) const {
    if (t.ms < kMinInstant || t.ms > kMaxInstant) return false;
    const State& s = *state_;
    const std::int64_t day = s.local_day(t.ms);
    if (s.day_off(day)) return false;
    std::vector<std::pair<std::int64_t, std::int64_t>> spans;
    s.spans(day, spans);
    return std::any_of(spans.begin(), spans.end(),
                       [&](const auto& span) { return span.first <= t.ms && t.ms < span.second; });
}

Timestamp BusinessCalendar::next_working(Timestamp t) const {
    auto r = add(t, 0);
    return r ? r.value() : Timestamp{std::numeric_limits<std::int64_t>::max()};
}

result<Timestamp> BusinessCalendar::add(Timestamp start, std::int64_t business_ms,
                                        BusinessTrace* trace) const {
    if (business_ms < 0)
        return fail(errc::invalid_argument, "must not be negative", "business_ms");
    if (start.ms > kMaxInstant || start.ms < kMinInstant || business_ms > kMaxInstant - start.ms)
        return fail(errc::invalid_argument, "the result would fall outside the years 1-9999",
                    "business_ms");
    const State& s = *state_;
    TraceWriter steps(trace);
    std::vector<std::pair<std::int64_t, std::int64_t>> spans;
    std::int64_t t = start.ms, remaining = business_ms;
    std::int64_t day = s.local_day(t);
    int idle = 0;
    for (;; ++day) {
        const std::int64_t day_end = s.day_begin(day + 1);
        if (const std::string* off = s.day_off(day)) {
            steps.step(t, day_end, *off);
            if (++idle > kMaxIdleDays)
                return fail(errc::invalid_argument,
                            "the calendar has no working time in the ten years after " +
                                to_iso8601(start),
                            "business_ms");
        } else {
            idle = 0;
            s.spans(day, spans);
            for (const auto& [a, b] : spans) {
                if (b <= t) continue;
                if (a > t) {
                    steps.step(t, a, kOffHours);
                    t = a;
                }
                if (remaining <= b - t) {
                    steps.step(t, t + remaining, kCounted);
                    return Timestamp{t + remaining};
                }
                steps.step(t, b, kCounted);
                remaining -= b - t;
                t = b;
            }
            steps.step(t, day_end, kOffHours);
        }
        t = std::max(t, day_end);
        if (t > kMaxInstant)
            return fail(errc::invalid_argument, "the result would fall after the year 9999",
                        "business_ms");
    }
}

std::int64_t BusinessCalendar::between(Timestamp a, Timestamp b, BusinessTrace* trace) const {
    TraceWriter steps(trace);
    const std::int64_t end = std::min(b.ms, kMaxInstant);
    std::int64_t t = std::max(a.ms, kMinInstant);
    if (end <= t) return 0;
    const State& s = *state_;
    std::vector<std::pair<std::int64_t, std::int64_t>> spans;
    std::int64_t total = 0;
    for (std::int64_t day = s.local_day(t); t < end; ++day) {
        const std::int64_t day_end = std::min(s.day_begin(day + 1), end);
        if (const std::string* off = s.day_off(day)) {
            steps.step(t, day_end, *off);
        } else {
            s.spans(day, spans);
            for (const auto& [x, y] : spans) {
                if (y <= t) continue;
                if (x >= end) break;
                if (x > t) {
                    steps.step(t, x, kOffHours);
                    t = x;
                }
                const std::int64_t stop = std::min(y, end);
                steps.step(t, stop, kCounted);
                total += stop - t;
                t = stop;
            }
            steps.step(t, day_end, kOffHours);
        }
        t = std::max(t, day_end);
    }
    return total;
}

result<Timestamp> BusinessCalendar::add_days(Timestamp start, int business_days,
                                             BusinessTrace* trace) const {
    if (business_days < 0)
        return fail(errc::invalid_argument, "must not be negative", "business_days");
    if (business_days == 0) return add(start, 0, trace);
    if (start.ms > kMaxInstant || start.ms < kMinInstant)
        return fail(errc::invalid_argument, "the start is outside the years 1-9999", "start");
    const State& s = *state_;
    TraceWriter steps(trace);
    const std::int64_t local = s.zone.to_local_ms(start);
    std::int64_t day = floor_div(local, kMsPerDay);
    const std::int64_t wall = local - day * kMsPerDay;
    std::int64_t day_end = s.day_begin(day + 1);
    steps.step(start.ms, day_end, kStartDay);
    int counted = 0, idle = 0;
    for (;;) {
        ++day;
        const std::int64_t begin = day_end;
        day_end = s.day_begin(day + 1);
        if (begin > kMaxInstant)
            return fail(errc::invalid_argument, "the result would fall after the year 9999",
                        "business_days");
        if (const std::string* off = s.day_off(day)) {
            steps.step(begin, day_end, *off);
            if (++idle > kMaxIdleDays)
                return fail(errc::invalid_argument,
                            "the calendar has no working day in the ten years after " +
                                to_iso8601(start),
                            "business_days");
            continue;
        }
        idle = 0;
        if (++counted < business_days) {
            steps.step(begin, day_end, kCounted);
            continue;
        }
        // The same wall time, clamped into the day's working hours.
        const auto& hours = s.week[static_cast<std::size_t>(weekday_of_day(day))];
        std::int64_t at = hours.front().start_minute * kMsPerMinute;
        for (const WorkingHours& wh : hours) {
            if (wh.start_minute * kMsPerMinute > wall) break;
            at = std::min(wall, wh.end_minute * kMsPerMinute);
        }
        const std::int64_t result = s.zone.from_local_ms(day * kMsPerDay + at).ms;
        steps.step(begin, result, kCounted);
        return Timestamp{result};
    }
}

// ---- JSON ------------------------------------------------------------------

result<BusinessCalendarDef> parse_business_calendar(std::string_view text) {
    CRM_TRY(j, codec::parse(text, "calendar"));
    if (!j.is_object()) return fail(errc::invalid_argument, "must be a JSON object", "calendar");
    CRM_TRYV(codec::expect_object(j, "", {"id", "name", "time_zone", "week", "holidays", "hijri_months"}));
    BusinessCalendarDef def;
    CRM_TRY(id, codec::get_string(j, "id", "", 128));
    if (!id) return fail(errc::invalid_argument, "is required", "id");
    def.id = std::move(*id);
    CRM_TRY(name, codec::get_string(j, "name", "", 1024));
    if (name) def.name = std::move(*name);
    CRM_TRY(zone, codec::get_string(j, "time_zone", "", 64));
    if (zone) def.time_zone = std::move(*zone);

    if (auto it = j.find("week"); it != j.end() && !it->is_null()) {
        if (!it->is_object()) return fail(errc::invalid_argument, "must be a JSON object", "week");
        for (const auto& [key, value] : it->items()) {
            const auto* name_it = std::find_if(std::begin(kDayNames), std::end(kDayNames),
                                               [&](const char* n) { return key == n; });
            if (name_it == std::end(kDayNames))
                return fail(errc::invalid_argument,
                            "is not a day of the week (saturday, sunday, ... friday)",
                            "week." + key);
            const auto wd = static_cast<std::size_t>(name_it - std::begin(kDayNames));
            const std::string base = "week." + key;
            if (value.is_null()) continue;
            if (!value.is_array())
                return fail(errc::invalid_argument,
                            "must be an array of \"HH:MM-HH:MM\" intervals", base);
            for (std::size_t i = 0; i < value.size(); ++i) {
                const std::string path = item_path(base, i);
                if (!value[i].is_string())
                    return fail(errc::invalid_argument, "must be a string \"HH:MM-HH:MM\"", path);
                CRM_TRY(wh, parse_hours(value[i].get_ref<const std::string&>(), path));
                def.week[wd].push_back(wh);
            }
        }
    }

    if (auto it = j.find("holidays"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) return fail(errc::invalid_argument, "must be an array", "holidays");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& h = (*it)[i];
            const std::string base = item_path("holidays", i);
            if (!h.is_object()) return fail(errc::invalid_argument, "must be a JSON object", base);
            CRM_TRYV(codec::expect_object(h, base, {"date", "calendar", "every_year", "name"}));
            Holiday holiday;
            CRM_TRY(cal_text, codec::get_string(h, "calendar", base, 32));
            if (cal_text && *cal_text == "hijri") {
                holiday.hijri = true;
            } else if (cal_text) {
                CRM_TRY(cal, parse_calendar_system(*cal_text, base + ".calendar"));
                holiday.calendar = cal;
            }
            CRM_TRY(date_text, codec::get_string(h, "date", base, 64));
            if (!date_text) return fail(errc::invalid_argument, "is required", base + ".date");
            if (holiday.hijri) {
                holiday.date = read_numbers(*date_text, 3);
                if (holiday.date.year == 0)
                    return fail(errc::invalid_argument, "must be a Hijri date YYYY-MM-DD",
                                base + ".date");
            } else {
                CRM_TRY(date, date_value(*date_text, holiday.calendar, base + ".date"));
                holiday.date = date;
            }
            CRM_TRY(every_year, codec::get_bool(h, "every_year", base));
            holiday.every_year = every_year.value_or(false);
            CRM_TRY(holiday_name, codec::get_string(h, "name", base, 256));
            if (holiday_name) holiday.name = std::move(*holiday_name);
            def.holidays.push_back(std::move(holiday));
        }
    }
    if (auto it = j.find("hijri_months"); it != j.end() && !it->is_null()) {
        if (!it->is_array()) return fail(errc::invalid_argument, "must be an array", "hijri_months");
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& m = (*it)[i];
            const std::string base = item_path("hijri_months", i);
            if (!m.is_object()) return fail(errc::invalid_argument, "must be a JSON object", base);
            CRM_TRYV(codec::expect_object(m, base, {"month", "starts", "calendar"}));
            HijriMonthStart start;
            CRM_TRY(month_text, codec::get_string(m, "month", base, 16));
            if (!month_text) return fail(errc::invalid_argument, "is required", base + ".month");
            const Date month = read_numbers(*month_text, 2);
            if (month.year == 0)
                return fail(errc::invalid_argument, "must be a Hijri month YYYY-MM", base + ".month");
            start.year = month.year;
            start.month = month.month;
            CRM_TRY(cal_text, codec::get_string(m, "calendar", base, 32));
            if (cal_text) {
                CRM_TRY(cal, parse_calendar_system(*cal_text, base + ".calendar"));
                start.calendar = cal;
            }
            CRM_TRY(starts_text, codec::get_string(m, "starts", base, 64));
            if (!starts_text) return fail(errc::invalid_argument, "is required", base + ".starts");
            CRM_TRY(starts, date_value(*starts_text, start.calendar, base + ".starts"));
            start.starts = starts;
            def.hijri_months.push_back(start);
        }
    }
    CRM_TRYV(BusinessCalendar::make(def));
    return def;
}

std::string to_json(const BusinessCalendarDef& def) {
    json week = json::object();
    for (int wd : kJsonDayOrder) {
        json hours = json::array();
        for (const WorkingHours& wh : def.week[static_cast<std::size_t>(wd)])
            hours.push_back(hhmm(wh.start_minute) + "-" + hhmm(wh.end_minute));
        week[kDayNames[wd]] = std::move(hours);
    }
    json holidays = json::array();
    for (const Holiday& h : def.holidays)
        holidays.push_back(json{{"date", format_date(h.date)},
                                {"calendar", h.hijri ? "hijri" : to_string(h.calendar)},
                                {"every_year", h.every_year},
                                {"name", h.name}});
    json out{{"id", def.id},
             {"name", def.name},
             {"time_zone", def.time_zone},
             {"week", std::move(week)},
             {"holidays", std::move(holidays)}};
    if (!def.hijri_months.empty()) {
        json months = json::array();
        for (const HijriMonthStart& m : def.hijri_months) {
            char month[16];
            std::snprintf(month, sizeof month, "%04d-%02d", m.year, m.month);
            months.push_back(json{{"month", month},
                                  {"starts", format_date(m.starts)},
                                  {"calendar", to_string(m.calendar)}});
        }
        out["hijri_months"] = std::move(months);
    }
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace crm
