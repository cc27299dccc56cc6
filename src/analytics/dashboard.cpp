// src/analytics/dashboard.cpp - the manager's dashboard: its parts read
// through the contexts' own reports, and its HTML page (right to left,
// Persian digits, inline SVG charts, no script).
#include "crm/analytics/dashboard.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "core/period_span.hpp"
#include "crm/analytics/analytics.hpp"
#include "crm/core/money.hpp"
#include "crm/sales/sales.hpp"
#include "crm/service/service.hpp"
#include "engine/access.hpp"

namespace crm {

result<Dashboard> Analytics::dashboard(const DashboardQuery& q) {
    if (q.cohort_months < 1 || q.cohort_months > 60)
        return fail(errc::invalid_argument, "must be 1 to 60 months", "cohort_months");
    auto& impl = EngineAccess::impl(*engine_);
    CRM_TRY(zone, TimeZone::find(q.time_zone));
    std::string period = q.period;
    if (period.empty()) {  // the quarter now is in
        const Date today = zone.to_local(impl.now(), q.calendar).date;
        char text[32];
        std::snprintf(text, sizeof text, "%04d-Q%d", today.year, (today.month - 1) / 3 + 1);
        period = text;
    }
    CRM_TRY(span, resolve_period(period, q.calendar, q.time_zone));
    Dashboard d;
    d.period = span.period;
    d.from_date = span.from_date;
    d.to_date = span.to_date;
    d.calendar = q.calendar;
    d.generated_at = impl.now();

    FunnelQuery f;
    f.process = q.process;
    f.period = period;
    f.calendar = q.calendar;
    f.time_zone = q.time_zone;
    f.min_records = q.min_records;
    CRM_TRY(funnel, this->funnel(f));
    d.funnel = std::move(funnel);

    ForecastQuery s;
    s.period = period;
    s.calendar = q.calendar;
    s.time_zone = q.time_zone;
    s.group_by = ForecastGroup::owner;
    CRM_TRY(sales, Sales(*engine_).forecast(s));
    d.sales = std::move(sales);

    ServiceReportQuery r;
    r.period = period;
    r.calendar = q.calendar;
    r.time_zone = q.time_zone;
    r.group_by = ServiceGroup::queue;
    CRM_TRY(service, Service(*engine_).report(r));
    d.service = std::move(service);

    // Monthly cohorts up to the period's end (or now, within the period):
    // the month it falls in and the cohort_months - 1 before it.
    CohortQuery c;
    c.unit = PeriodUnit::month;
    c.calendar = q.calendar;
    c.time_zone = q.time_zone;
    c.currency = q.currency;
    c.churn_after = q.churn_after;
    c.min_records = q.min_records;
    c.as_of = std::min(d.generated_at, Timestamp{span.to.ms - 1});
    const Date end = zone.to_local(*c.as_of, q.calendar).date;
    const int months = end.year * 12 + end.month - 1 - (q.cohort_months - 1);
    char since[32];
    std::snprintf(since, sizeof since, "%04d-%02d", months / 12, months % 12 + 1);
    c.since = since;
    CRM_TRY(customers, cohorts(c));
    d.customers = std::move(customers);

    std::string scope = "funnel: the " + d.funnel.record_type + " records of process " + d.funnel.process +
                        " created in the period (" + std::to_string(d.funnel.records) +
                        "); sales: deals closed in the period and open deals expected to close in it; "
                        "service: tickets opened in the period, the backlog now; customers: purchases to " +
                        d.customers.as_of_period;
    if (!d.customers.currency.empty()) scope += " in " + d.customers.currency;
    if (d.customers.purchases_other_currencies > 0)
        scope += ", " + std::to_string(d.customers.purchases_other_currencies) + " in other currencies left out";
    d.scope = std::move(scope);
    return d;
}

namespace {

// ---- Persian text ------------------------------------------------------------

std::string escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

// ASCII digits to Persian ones, "." to the Persian decimal separator and
// "," to the Persian thousands separator.
std::string fa(std::string_view s) {
    static const char* const kDigits[] = {"۰", "۱", "۲", "۳", "۴", "۵", "۶", "۷", "۸", "۹"};
    std::string out;
    for (char c : s) {
        if (c >= '0' && c <= '9') out += kDigits[c - '0'];
        else if (c == '.') out += "٫";
        else if (c == ',') out += "٬";
        else out += c;
    }
    return out;
}

std::string grouped(std::int64_t v) {
    const unsigned long long magnitude =
        v < 0 ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
    const std::string digits = std::to_string(magnitude);
    std::string out = v < 0 ? "-" : "";
    const std::size_t n = digits.size();
    for (std::size_t i = 0; i < n; ++i) {
        out += digits[i];
        if ((n - 1 - i) % 3 == 0 && i + 1 < n) out += ',';
    }
    return fa(out);
}

std::string number(double v, int digits) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", digits, v);
    return fa(buf);
}

std::string percent(double share) { return number(100 * share, 1) + "٪"; }

std::string rate(const analytics::Proportion& p) {
    return percent(p.value) + (p.too_few ? "*" : "");
}

// A money amount in its major unit, grouped: rials for IRR.
std::string money(std::int64_t minor, std::string_view currency) {
    const int e = std::max(0, currency_exponent(currency));
    std::int64_t scale = 1;
    for (int i = 0; i < e; ++i) scale *= 10;
    std::string unit = currency == "IRR" ? "ریال" : std::string(currency);
    return grouped(minor / scale) + " " + escape(unit);
}

const char* const kJalaliMonths[] = {"فروردین", "اردیبهشت", "خرداد", "تیر",  "مرداد", "شهریور",
                                     "مهر",     "آبان",     "آذر",   "دی",   "بهمن",  "اسفند"};
const char* const kQuarters[] = {"سه‌ماههٔ اول", "سه‌ماههٔ دوم", "سه‌ماههٔ سوم", "سه‌ماههٔ چهارم"};

// "1404-Q1" -> "سه‌ماههٔ اول ۱۴۰۴", "1404-03" -> "خرداد ۱۴۰۴" (Jalali), "1404".
std::string period_name(const std::string& p, CalendarSystem cal) {
    if (p.size() == 7 && p[5] == 'Q' && p[6] >= '1' && p[6] <= '4')
        return std::string(kQuarters[p[6] - '1']) + " " + fa(p.substr(0, 4));
    if (p.size() == 7 && p[4] == '-' && cal == CalendarSystem::jalali) {
        const int m = std::atoi(p.c_str() + 5);
        if (m >= 1 && m <= 12) return std::string(kJalaliMonths[m - 1]) + " " + fa(p.substr(0, 4));
    }
    return fa(p);
}

// A Gregorian "YYYY-MM-DD" as a date of the dashboard's calendar, "1404/01/01".
std::string date_name(const std::string& gregorian, CalendarSystem cal) {
    auto g = parse_date(gregorian, CalendarSystem::gregorian);
    if (!g) return fa(gregorian);
    Date d = g.value();
    if (cal == CalendarSystem::jalali) {
        auto j = jalali_from_gregorian(d);
        if (!j) return fa(gregorian);
        d = j.value();
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d/%02d/%02d", d.year, d.month, d.day);
    return fa(buf);
}

// The day before a Gregorian "YYYY-MM-DD" (the last day of [from, to)).
std::string day_before(const std::string& gregorian) {
    auto g = parse_date(gregorian, CalendarSystem::gregorian);
    if (!g) return gregorian;
    auto days = days_since_epoch(g.value(), CalendarSystem::gregorian);
    if (!days) return gregorian;
    auto d = date_from_days(days.value() - 1, CalendarSystem::gregorian);
    return d ? format_date(d.value()) : gregorian;
}

// ---- the page ----------------------------------------------------------------

constexpr const char* kStyle = R"css(
body{font-family:Vazirmatn,"Noto Sans Arabic","DejaVu Sans",Tahoma,sans-serif;margin:0;background:#f4f6f8;color:#1f2933}
header{background:#12355b;color:#fff;padding:18px 28px}
header h1{margin:0 0 6px;font-size:24px}
header p{margin:2px 0;font-size:14px;opacity:.9}
main{padding:18px 28px;display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:18px}
section{background:#fff;border-radius:8px;padding:14px 18px;box-shadow:0 1px 3px rgba(0,0,0,.12);overflow-x:auto}
section.wide{grid-column:1/-1}
h2{font-size:17px;margin:0 0 10px;color:#12355b}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.kpi{background:#eef3f8;border-radius:6px;padding:10px 12px}
.kpi b{display:block;font-size:22px;color:#12355b}
.kpi span{font-size:12px;color:#52606d}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 7px;border-bottom:1px solid #e4e7eb;text-align:right}
th{background:#f0f4f8;font-weight:600}
td.n{direction:ltr;text-align:left}
td.future{background:#fff}
.bottleneck{color:#b42318;font-weight:600}
.empty{color:#7b8794}
footer{padding:6px 28px 24px;font-size:12px;color:#52606d}
svg text{font-family:inherit}
)css";

void kpi(std::ostringstream& o, const std::string& value, const char* label) {
    o << "<div class=\"kpi\"><b>" << value << "</b><span>" << label << "</span></div>";
}

void funnel_section(std::ostringstream& o, const Funnel& f) {
    o << "<section id=\"funnel\" class=\"wide\"><h2>قیف فرایند " << escape(f.process) << "</h2>";
    if (f.records == 0) {
        o << "<p class=\"empty\">در این دوره رکوردی ثبت نشده است.</p></section>";
        return;
    }
    std::int64_t top = 1;
    for (const auto& s : f.stages) top = std::max(top, s.entered);
    const int row = 34, width = 640, labels = 170, bars = width - labels - 90;
    const int height = row * static_cast<int>(f.stages.size()) + 10;
    o << "<svg role=\"img\" aria-label=\"funnel\" viewBox=\"0 0 " << width << " " << height
      << "\" width=\"100%\" style=\"direction:ltr\">";
    int y = 5;
    for (const auto& s : f.stages) {
        const double w = static_cast<double>(bars) * static_cast<double>(s.entered) / static_cast<double>(top);
        const double right = width - labels;
        o << "<rect class=\"bar\" x=\"" << right - w << "\" y=\"" << y
          << "\" width=\"" << w << "\" height=\"" << row - 8 << "\" rx=\"3\" fill=\""
          << (s.bottleneck ? "#d64545" : "#2f80c0") << "\"/>";
        o << "<text x=\"" << width - 4 << "\" y=\"" << y + row / 2 << "\" text-anchor=\"end\" font-size=\"14\">"
          << escape(s.label.empty() ? s.state : s.label) << "</text>";
        o << "<text x=\"" << right - w - 6 << "\" y=\"" << y + row / 2 << "\" text-anchor=\"end\" font-size=\"13\">"
          << grouped(s.entered) << " · " << rate(s.conversion) << "</text>";
        y += row;
    }
    o << "</svg><table><tr><th>مرحله</th><th>ورود</th><th>پیشرفت</th><th>بازگشت</th><th>خروج</th>"
         "<th>مانده</th><th>تبدیل</th><th>تجمعی</th><th>میانه (روز)</th><th>صدک ۹۰</th><th>انتظار</th></tr>";
    for (const auto& s : f.stages) {
        std::int64_t closed = 0;
        for (const auto& [state, n] : s.closed) closed += n;
        auto days = [](const std::optional<double>& d) { return d ? number(*d, 1) : std::string("–"); };
        o << "<tr><td" << (s.bottleneck ? " class=\"bottleneck\"" : "") << ">"
          << escape(s.label.empty() ? s.state : s.label) << (s.bottleneck ? " (گلوگاه)" : "") << "</td><td>"
          << grouped(s.entered) << "</td><td>" << grouped(s.moved_on) << "</td><td>" << grouped(s.moved_back)
          << "</td><td>" << grouped(closed) << "</td><td>" << grouped(s.still_in) << "</td><td>"
          << rate(s.conversion) << "</td><td>" << rate(s.cumulative) << "</td><td>" << days(s.median_days)
          << "</td><td>" << days(s.p90_days) << "</td><td>" << days(s.expected_days) << "</td></tr>";
    }
    o << "</table></section>";
}

void sales_section(std::ostringstream& o, const Forecast& f) {
    o << "<section id=\"sales\"><h2>فروش به تفکیک کارشناس</h2>";
    if (f.rows.empty()) {
        o << "<p class=\"empty\">در این دوره معامله‌ای بسته یا پیش‌بینی نشده است.</p></section>";
        return;
    }
    o << "<table><tr><th>کارشناس</th><th>برنده</th><th>بازنده</th><th>نرخ موفقیت</th><th>درآمد</th>"
         "<th>میانگین معامله</th><th>قطعی (باز)</th><th>پایپلاین (باز)</th></tr>";
    for (const auto& r : f.rows) {
        o << "<tr><td>" << (r.group.empty() ? "<span class=\"empty\">بدون کارشناس</span>" : escape(r.group))
          << "</td><td>" << grouped(r.won_count) << "</td><td>" << grouped(r.lost_count) << "</td><td>"
          << (r.won_count + r.lost_count ? percent(r.win_rate) : "–") << "</td><td>"
          << money(r.won_minor, r.currency) << "</td><td>" << money(r.average_deal_minor, r.currency)
          << "</td><td>" << money(r.commit.amount_minor, r.currency) << "</td><td>"
          << money(r.pipeline.amount_minor, r.currency) << "</td></tr>";
    }
    o << "</table></section>";
}

void service_section(std::ostringstream& o, const ServiceReport& r) {
    o << "<section id=\"service\"><h2>خدمات پس از فروش</h2><div class=\"kpis\">";
    kpi(o, grouped(r.opened), "تیکت باز شده");
    kpi(o, grouped(r.resolved), "تیکت حل شده");
    kpi(o, r.resolved ? percent(r.first_contact_rate) : "–", "حل در اولین تماس");
    kpi(o, r.csat_answers ? number(r.csat_average, 2) : "–", "رضایت (از ۵)");
    kpi(o, r.nps_answers ? number(r.nps, 0) : "–", "NPS");
    o << "</div>";
    if (!r.sla.empty()) {
        o << "<table><tr><th>صف</th><th>شاخص</th><th>در مهلت</th><th>نقض</th><th>باز</th><th>انطباق</th></tr>";
        for (const auto& row : r.sla)
            o << "<tr><td>" << (row.group.empty() ? "–" : escape(row.group)) << "</td><td>"
              << escape(to_string(row.kpi)) << "</td><td>" << grouped(row.met) << "</td><td>"
              << grouped(row.breached) << "</td><td>" << grouped(row.open) << "</td><td>"
              << (row.met + row.breached ? percent(row.compliance) : "–") << "</td></tr>";
        o << "</table>";
    }
    o << "</section>";
}

void cohort_section(std::ostringstream& o, const Cohorts& c) {
    o << "<section id=\"cohorts\" class=\"wide\"><h2>ماندگاری مشتریان بر پایهٔ ماه نخستین خرید</h2>";
    if (c.rows.empty() || c.customers == 0) {
        o << "<p class=\"empty\">خریدی ثبت نشده است.</p></section>";
        return;
    }
    o << "<table class=\"heat\"><tr><th>ماه نخستین خرید</th><th>مشتری</th>";
    const std::size_t columns = c.rows.front().cells.size();
    for (std::size_t k = 0; k < columns; ++k) o << "<th>+" << fa(std::to_string(k)) << "</th>";
    o << "</tr>";
    for (const auto& row : c.rows) {
        o << "<tr><td>" << period_name(row.period, c.calendar) << "</td><td>" << grouped(row.customers) << "</td>";
        for (const auto& cell : row.cells) {
            if (!cell) {
                o << "<td class=\"future\"></td>";
                continue;
            }
            const double share = cell->retained.trials ? cell->retained.value : 0;
            char bg[48];
            std::snprintf(bg, sizeof bg, "rgba(47,128,192,%.2f)", 0.08 + 0.85 * std::sqrt(share));
            o << "<td style=\"background:" << bg << (share > 0.45 ? ";color:#fff" : "") << "\">"
              << (cell->retained.trials ? rate(cell->retained) : "–") << "</td>";
        }
        o << "</tr>";
    }
    o << "</table><p class=\"empty\">ستون آخر ماه جاری است و هنوز پایان نیافته؛ خانه‌های خالی آینده‌اند، نه صفر.</p>"
         "</section>";
}

void churn_section(std::ostringstream& o, const Cohorts& c) {
    o << "<section id=\"churn\" class=\"wide\"><h2>ریزش مشتری (بدون خرید در " << fa(std::to_string(c.churn_after))
      << " ماه)</h2>";
    if (c.churn.empty()) {
        o << "<p class=\"empty\">هنوز ماهی به پایان نرسیده است.</p></section>";
        return;
    }
    const int width = 900, height = 220, left = 50, bottom = 40, top = 16, inset = 40;
    double most = 0.05;
    for (const auto& r : c.churn) most = std::max(most, r.churn_rate.value);
    most = std::ceil(most * 20) / 20;  // a round 5% above the highest
    const std::size_t n = c.churn.size();
    const double step = n > 1 ? static_cast<double>(width - left - 2 * inset) / static_cast<double>(n - 1) : 0;
    auto x = [&](std::size_t i) { return width - inset - step * static_cast<double>(i); };  // right to left
    auto y = [&](double v) { return top + (height - top - bottom) * (1 - v / most); };
    o << "<svg role=\"img\" aria-label=\"churn\" viewBox=\"0 0 " << width << " " << height
      << "\" width=\"100%\" style=\"direction:ltr\">";
    for (int k = 0; k <= 4; ++k) {
        const double v = most * k / 4;
        o << "<line x1=\"" << left << "\" x2=\"" << width - 10 << "\" y1=\"" << y(v) << "\" y2=\"" << y(v)
          << "\" stroke=\"#e4e7eb\"/><text x=\"" << left - 6 << "\" y=\"" << y(v) + 4
          << "\" text-anchor=\"end\" font-size=\"11\">" << percent(v) << "</text>";
    }
    o << "<polyline fill=\"none\" stroke=\"#d64545\" stroke-width=\"2\" points=\"";
    for (std::size_t i = 0; i < n; ++i) o << x(i) << "," << y(c.churn[i].churn_rate.value) << " ";
    o << "\"/>";
    for (std::size_t i = 0; i < n; ++i) {
        const auto& r = c.churn[i];
        o << "<circle cx=\"" << x(i) << "\" cy=\"" << y(r.churn_rate.value) << "\" r=\"3.5\" fill=\"#d64545\"><title>"
          << period_name(r.period, c.calendar) << ": " << rate(r.churn_rate) << "</title></circle>";
        o << "<text x=\"" << x(i) << "\" y=\"" << height - bottom + 18 << "\" text-anchor=\"middle\" font-size=\"11\">"
          << period_name(r.period, c.calendar) << "</text>";
    }
    o << "</svg><table><tr><th>ماه</th><th>فعال در آغاز</th><th>جدید</th><th>بازگشته</th><th>ریزش</th>"
         "<th>فعال در پایان</th><th>نرخ ریزش</th><th>بازهٔ اطمینان</th></tr>";
    for (const auto& r : c.churn)
        o << "<tr><td>" << period_name(r.period, c.calendar) << "</td><td>" << grouped(r.active_at_start)
          << "</td><td>" << grouped(r.new_customers) << "</td><td>" << grouped(r.returned) << "</td><td>"
          << grouped(r.churned) << "</td><td>" << grouped(r.active_at_end) << "</td><td>" << rate(r.churn_rate)
          << "</td><td>" << percent(r.churn_rate.low) << " – " << percent(r.churn_rate.high) << "</td></tr>";
    o << "</table></section>";
}

// What each part counted, in Persian (Dashboard::scope in English).
std::string scope_fa(const Dashboard& d) {
    std::string s = "قیف: " + grouped(d.funnel.records) + " رکورد " + escape(d.funnel.record_type) +
                    " از فرایند " + escape(d.funnel.process) +
                    " که در دوره ایجاد شده‌اند · فروش: معاملات بسته‌شده در دوره و معاملات باز با تاریخ "
                    "بستن در دوره · خدمات: تیکت‌های بازشده در دوره و صف کار کنونی · مشتریان: خریدهای تا " +
                    period_name(d.customers.as_of_period, d.calendar);
    if (!d.customers.currency.empty()) s += " به " + escape(d.customers.currency);
    if (d.customers.purchases_other_currencies > 0)
        s += "؛ " + grouped(d.customers.purchases_other_currencies) + " خرید به ارزهای دیگر کنار گذاشته شد";
    return s;
}

}  // namespace

std::string to_html(const Dashboard& d) {
    std::ostringstream o;
    o.precision(6);
    const std::string title = "داشبورد مدیریت — " + period_name(d.period, d.calendar);
    o << "<!DOCTYPE html>\n<html lang=\"fa\" dir=\"rtl\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>"
      << title << "</title><style>" << kStyle << "</style></head><body><header><h1>" << title << "</h1><p>از "
      << date_name(d.from_date, d.calendar) << " تا " << date_name(day_before(d.to_date), d.calendar)
      << " · ساخته‌شده " << date_name(to_iso8601(d.generated_at).substr(0, 10), d.calendar) << "</p><p>دامنه: " << scope_fa(d)
      << "</p></header><main><section class=\"wide\" id=\"kpis\"><h2>شاخص‌های کلیدی</h2>"
      << "<div class=\"kpis\">";
    kpi(o, grouped(d.funnel.records), "رکوردهای قیف در دوره");
    kpi(o, d.funnel.records ? rate(d.funnel.won) : "–", "نرخ برد قیف");
    std::int64_t won = 0, lost = 0;
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> revenue;  // currency -> (minor, deals)
    for (const auto& r : d.sales.rows) {
        won += r.won_count;
        lost += r.lost_count;
        if (r.won_count) {
            revenue[r.currency].first += r.won_minor;
            revenue[r.currency].second += r.won_count;
        }
    }
    kpi(o, won + lost ? percent(static_cast<double>(won) / static_cast<double>(won + lost)) : "–",
        "نرخ موفقیت معاملات بسته‌شده");
    for (const auto& [currency, sums] : revenue) {
        kpi(o, money(sums.first, currency), "درآمد معاملات برنده");
        kpi(o, money(sums.first / sums.second, currency), "میانگین معاملهٔ برنده");
    }
    kpi(o, grouped(d.service.opened), "تیکت باز شده");
    if (!d.customers.churn.empty()) {
        const auto& last = d.customers.churn.back();
        kpi(o, grouped(last.active_at_end), "مشتری فعال");
        kpi(o, rate(last.churn_rate), "نرخ ریزش ماه گذشته");
    }
    o << "</div></section>";
    funnel_section(o, d.funnel);
    sales_section(o, d.sales);
    service_section(o, d.service);
    cohort_section(o, d.customers);
    churn_section(o, d.customers);
    o << "</main><footer>نرخ‌ها با بازهٔ اطمینان ۹۵٪ (ویلسون) محاسبه شده‌اند؛ نرخ‌های ستاره‌دار (*) از شمار کمی "
         "رکورد به دست آمده‌اند و قابل تعمیم نیستند.</footer></body></html>\n";
    return o.str();
}

}  // namespace crm
