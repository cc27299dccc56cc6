// src/core/period_span.cpp - reporting periods as days and instants.
#include "core/period_span.hpp"

#include <charconv>

#include "crm/core/text.hpp"

namespace crm {
namespace {

struct Span {
    Date first;  // in the query's calendar
    Date next;   // the first day after the period
};

result<int> number(std::string_view s, std::string_view what) {
    int v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty())
        return fail(errc::invalid_argument,
                    "is not a period (YYYY, YYYY-MM or YYYY-Qn): bad " + std::string(what),
                    "period");
    return v;
}

// "1404", "1404-03", "1404-Q1" (ASCII or Persian digits).
result<Span> parse_forecast_period(std::string_view text) {
    const std::string s = text::ascii_digits(text::tidy(text));
    CRM_TRY(year, number(std::string_view(s).substr(0, s.find('-')), "year"));
    if (year < 1 || year > 9999) return fail(errc::invalid_argument, "year must be 1-9999", "period");
    if (s.find('-') == std::string::npos) return Span{{year, 1, 1}, {year + 1, 1, 1}};
    const std::string_view rest = std::string_view(s).substr(s.find('-') + 1);
    if (!rest.empty() && (rest[0] == 'Q' || rest[0] == 'q')) {
        CRM_TRY(q, number(rest.substr(1), "quarter"));
        if (q < 1 || q > 4) return fail(errc::invalid_argument, "quarter must be Q1-Q4", "period");
        const int m = 3 * (q - 1) + 1;
        return q == 4 ? Span{{year, m, 1}, {year + 1, 1, 1}} : Span{{year, m, 1}, {year, m + 3, 1}};
    }
    CRM_TRY(month, number(rest, "month"));
    if (month < 1 || month > 12) return fail(errc::invalid_argument, "month must be 01-12", "period");
    return month == 12 ? Span{{year, 12, 1}, {year + 1, 1, 1}}
                       : Span{{year, month, 1}, {year, month + 1, 1}};
}

result<Date> to_gregorian(Date d, CalendarSystem cal) {
    if (cal == CalendarSystem::gregorian) {
        if (!is_valid_date(d, cal))
            return fail(errc::invalid_argument, "is outside the supported years", "period");
        return d;
    }
    auto g = gregorian_from_jalali(d);
    if (!g) return fail(errc::invalid_argument, "is outside the supported years", "period");
    return g.value();
}

}  // namespace

result<PeriodSpan> resolve_period(std::string_view text, CalendarSystem calendar,
                                  std::string_view time_zone) {
    CRM_TRY(span, parse_forecast_period(text));
    CRM_TRY(zone, TimeZone::find(time_zone, "time_zone"));
    CRM_TRY(first, to_gregorian(span.first, calendar));
    CRM_TRY(next, to_gregorian(span.next, calendar));
    PeriodSpan out;
    out.period = text::tidy(text);
    out.from_date = format_date(first);
    out.to_date = format_date(next);
    CRM_TRY(from, zone.from_local(LocalTime{first, 0, 0, 0, 0, 0}));
    CRM_TRY(to, zone.from_local(LocalTime{next, 0, 0, 0, 0, 0}));
    out.from = from;
    out.to = to;
    return out;
}

}  // namespace crm
