// src/analytics/dashboard_html.cpp - the dashboard as one HTML page:
// Persian (right to left, Persian digits and separators, Jalali month names)
// or English; inline CSS and SVG charts, no script; every value from the
// records escaped.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <vector>

#include "crm/analytics/dashboard.hpp"
#include "crm/core/amount_text.hpp"
#include "crm/core/money.hpp"

namespace crm {

namespace {

// ---- words and numbers -------------------------------------------------------

class Page {
public:
    explicit Page(DashboardLanguage lang, CalendarSystem cal) : fa_(lang == DashboardLanguage::fa), cal_(cal) {}

    bool fa() const { return fa_; }
    /// The label in the page's language.
    const char* w(const char* persian, const char* english) const { return fa_ ? persian : english; }

    /// ASCII digits, "." and "," in the page's script.
    std::string digits(std::string_view s) const { return fa_ ? persian::persian_digits(s) : std::string(s); }
    std::string grouped(std::int64_t v) const { return digits(persian::group_thousands(v)); }
    std::string number(double v, int places) const {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*f", places, v);
        return digits(buf);
    }
    std::string percent(double share) const { return number(100 * share, 1) + (fa_ ? "٪" : "%"); }
    std::string rate(const analytics::Proportion& p) const {
        return p.trials ? percent(p.value) + (p.too_few ? "*" : "") : "–";
    }
    std::string interval(const analytics::Proportion& p) const {
        return p.trials ? percent(p.low) + " – " + percent(p.high) : "–";
    }
    std::string days(const std::optional<double>& d) const { return d ? number(*d, 1) : "–"; }
    /// A money amount in its major unit, grouped: rials for IRR.
    std::string money(std::int64_t minor, std::string_view currency) const {
        const int e = std::max(0, currency_exponent(currency));
        std::int64_t scale = 1;
        for (int i = 0; i < e; ++i) scale *= 10;
        return grouped(minor / scale) + " " + escape(currency == "IRR" ? w("ریال", "IRR") : std::string(currency));
    }
    /// "1404-Q1", "1404-03", "1404" in words: "سه‌ماههٔ اول ۱۴۰۴", "خرداد ۱۴۰۴", "Q1 1404", "Khordad 1404".
    std::string period(const std::string& p) const {
        static const char* const kFaMonths[] = {"فروردین", "اردیبهشت", "خرداد", "تیر",  "مرداد", "شهریور",
                                                "مهر",     "آبان",     "آذر",   "دی",   "بهمن",  "اسفند"};
        static const char* const kEnJalali[] = {"Farvardin", "Ordibehesht", "Khordad", "Tir",   "Mordad", "Shahrivar",
                                                "Mehr",      "Aban",        "Azar",    "Dey",   "Bahman", "Esfand"};
        static const char* const kEnMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        static const char* const kFaQuarters[] = {"سه‌ماههٔ اول", "سه‌ماههٔ دوم", "سه‌ماههٔ سوم", "سه‌ماههٔ چهارم"};
        if (p.size() == 7 && p[5] == 'Q' && p[6] >= '1' && p[6] <= '4')
            return fa_ ? std::string(kFaQuarters[p[6] - '1']) + " " + digits(p.substr(0, 4))
                       : "Q" + std::string(1, p[6]) + " " + p.substr(0, 4);
        if (p.size() == 7 && p[4] == '-') {
            const int m = std::atoi(p.c_str() + 5);
            if (m >= 1 && m <= 12) {
                const char* name = cal_ == CalendarSystem::jalali ? (fa_ ? kFaMonths[m - 1] : kEnJalali[m - 1])
                                                                   : (fa_ ? nullptr : kEnMonths[m - 1]);
                if (name) return std::string(name) + " " + digits(p.substr(0, 4));
            }
        }
        return digits(p);
    }
    /// A Gregorian "YYYY-MM-DD" as a date of the page's calendar.
    std::string date(const std::string& gregorian) const {
        auto g = parse_date(gregorian, CalendarSystem::gregorian);
        if (!g) return digits(gregorian);
        Date d = g.value();
        if (cal_ == CalendarSystem::jalali) {
            auto j = jalali_from_gregorian(d);
            if (!j) return digits(gregorian);
            d = j.value();
        }
        char buf[32];
        std::snprintf(buf, sizeof buf, cal_ == CalendarSystem::jalali ? "%04d/%02d/%02d" : "%04d-%02d-%02d", d.year,
                      d.month, d.day);
        return digits(buf);
    }
    static std::string escape(std::string_view s) {
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

    std::ostringstream o;

private:
    bool fa_;
    CalendarSystem cal_;
};

// The day before a Gregorian "YYYY-MM-DD" (the last day of [from, to)).
std::string day_before(const std::string& gregorian) {
    auto g = parse_date(gregorian, CalendarSystem::gregorian);
    if (!g) return gregorian;
    auto days = days_since_epoch(g.value(), CalendarSystem::gregorian);
    if (!days) return gregorian;
    auto d = date_from_days(days.value() - 1, CalendarSystem::gregorian);
    return d ? format_date(d.value()) : gregorian;
}

constexpr const char* kStyle = R"css(
body{font-family:Vazirmatn,"Noto Sans Arabic","DejaVu Sans",Tahoma,sans-serif;margin:0;background:#f4f6f8;color:#1f2933}
header{background:#12355b;color:#fff;padding:18px 28px}
header h1{margin:0 0 6px;font-size:24px}
header p{margin:2px 0;font-size:14px;opacity:.9}
main{padding:18px 28px;display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:18px}
section{background:#fff;border-radius:8px;padding:14px 18px;box-shadow:0 1px 3px rgba(0,0,0,.12);overflow-x:auto}
section.wide{grid-column:1/-1}
h2{font-size:17px;margin:0 0 10px;color:#12355b}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin-bottom:10px}
.kpi{background:#eef3f8;border-radius:6px;padding:10px 12px}
.kpi b{display:block;font-size:22px;color:#12355b}
.kpi span{font-size:12px;color:#52606d}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{padding:5px 7px;border-bottom:1px solid #e4e7eb;text-align:start}
th{background:#f0f4f8;font-weight:600}
td.future{background:#fff}
.bottleneck{color:#b42318;font-weight:600}
.empty{color:#7b8794}
footer{padding:6px 28px 24px;font-size:12px;color:#52606d}
svg text{font-family:inherit}
)css";

void kpi(Page& p, const std::string& value, const char* label) {
    p.o << "<div class=\"kpi\"><b>" << value << "</b><span>" << label << "</span></div>";
}

// Horizontal bars growing from the start side (right in Persian), each
// with its label and, past its end, its figures; `cls` names the bars for
// the page's tests.
struct Bar {
    std::string label;  ///< escaped already
    double value = 0;
    std::string text;
    bool alert = false;
};

void bar_chart(Page& p, const char* label, const char* cls, const std::vector<Bar>& bars) {
    double top = 1;
    for (const auto& b : bars) top = std::max(top, b.value);
    const int row = 34, width = 640, labels = 170, room = width - labels - 140;
    const int height = row * static_cast<int>(bars.size()) + 10;
    p.o << "<svg role=\"img\" aria-label=\"" << label << "\" viewBox=\"0 0 " << width << " " << height
        << "\" width=\"100%\" style=\"direction:ltr;max-width:760px\">";
    int y = 5;
    for (const auto& b : bars) {
        const double w = static_cast<double>(room) * b.value / top;
        const double edge = p.fa() ? width - labels : labels;  // where the bars start
        const double x = p.fa() ? edge - w : edge;
        p.o << "<rect class=\"" << cls << "\" x=\"" << x << "\" y=\"" << y << "\" width=\"" << w
            << "\" height=\"" << row - 8 << "\" rx=\"3\" fill=\"" << (b.alert ? "#d64545" : "#2f80c0") << "\"/>";
        p.o << "<text x=\"" << (p.fa() ? width - 4 : 4) << "\" y=\"" << y + row / 2 << "\" text-anchor=\""
            << (p.fa() ? "end" : "start") << "\" font-size=\"14\">" << b.label << "</text>";
        p.o << "<text x=\"" << (p.fa() ? x - 6 : x + w + 6) << "\" y=\"" << y + row / 2 << "\" text-anchor=\""
            << (p.fa() ? "end" : "start") << "\" font-size=\"13\">" << b.text << "</text>";
        y += row;
    }
    p.o << "</svg>";
}

// A bar per stage: its entered count and conversion, bottlenecks in red.
void funnel_chart(Page& p, const FunnelCounts& f, const char* label) {
    std::vector<Bar> bars;
    for (const auto& s : f.stages)
        bars.push_back({Page::escape(s.label.empty() ? s.state : s.label), static_cast<double>(s.entered),
                        p.grouped(s.entered) + " · " + p.rate(s.conversion), s.bottleneck});
    bar_chart(p, label, "bar", bars);
}

void funnel_table(Page& p, const FunnelCounts& f) {
    p.o << "<table><tr><th>" << p.w("مرحله", "Stage") << "</th><th>" << p.w("ورود", "Entered") << "</th><th>"
        << p.w("پیشرفت", "On") << "</th><th>" << p.w("بازگشت", "Back") << "</th><th>" << p.w("خروج", "Out")
        << "</th><th>" << p.w("مانده", "Now") << "</th><th>" << p.w("تبدیل", "Conversion") << "</th><th>"
        << p.w("تجمعی", "Cumulative") << "</th><th>" << p.w("میانه (روز)", "Median days") << "</th><th>"
        << p.w("صدک ۹۰", "p90") << "</th><th>" << p.w("انتظار", "Expected") << "</th></tr>";
    for (const auto& s : f.stages) {
        std::int64_t closed = 0;
        for (const auto& [state, n] : s.closed) closed += n;
        p.o << "<tr><td" << (s.bottleneck ? " class=\"bottleneck\"" : "") << ">"
            << Page::escape(s.label.empty() ? s.state : s.label)
            << (s.bottleneck ? p.w(" (گلوگاه)", " (bottleneck)") : "") << "</td><td>" << p.grouped(s.entered)
            << "</td><td>" << p.grouped(s.moved_on) << "</td><td>" << p.grouped(s.moved_back) << "</td><td>"
            << p.grouped(closed) << "</td><td>" << p.grouped(s.still_in) << "</td><td>" << p.rate(s.conversion)
            << "</td><td>" << p.rate(s.cumulative) << "</td><td>" << p.days(s.median_days) << "</td><td>"
            << p.days(s.p90_days) << "</td><td>" << p.days(s.expected_days) << "</td></tr>";
    }
    p.o << "</table>";
}

// The groups of a grouped funnel: records and won rate of each, or the
// subset against the rest for a filtered one.
void funnel_groups(Page& p, const Funnel& f, const char* who) {
    if (!f.groups.empty()) {
        p.o << "<table><tr><th>" << who << "</th><th>" << p.w("رکورد", "Records") << "</th><th>"
            << p.w("برد", "Won") << "</th><th>" << p.w("نرخ برد", "Won rate") << "</th><th>"
            << p.w("بازهٔ اطمینان", "Interval") << "</th></tr>";
        for (const auto& g : f.groups)
            p.o << "<tr><td>"
                << (g.value.empty() ? std::string("<span class=\"empty\">") + p.w("بدون", "none") + "</span>"
                                    : Page::escape(g.value))
                << "</td><td>" << p.grouped(g.records) << "</td><td>" << p.grouped(g.won.successes) << "</td><td>"
                << p.rate(g.won) << "</td><td>" << p.interval(g.won) << "</td></tr>";
        p.o << "</table>";
    }
    if (!f.filters.empty()) {
        p.o << "<p>" << p.grouped(f.records) << p.w(" رکورد از ", " records of ") << p.grouped(f.whole_records)
            << p.w(" رکورد دوره", " in the period");
        if (f.versus_rest) {
            const auto& t = *f.versus_rest;
            p.o << p.w("؛ نرخ برد ", "; won rate ") << p.rate(t.a) << p.w(" در برابر ", " against the rest's ")
                << p.rate(t.b) << p.w(" برای بقیه", "") << " (p = " << p.number(t.p_value, 3) << ", "
                << (t.significant ? p.w("تفاوت معنادار است", "a significant difference")
                                  : p.w("تفاوت معنادار نیست", "not a significant difference"))
                << ")";
        }
        p.o << "</p>";
    }
}

void funnel_section(Page& p, const Funnel& f, const char* id, const char* title, const char* who) {
    p.o << "<section id=\"" << id << "\" class=\"wide\"><h2>" << title << " " << Page::escape(f.process) << "</h2>";
    if (f.records == 0) {
        p.o << "<p class=\"empty\">" << p.w("در این دوره رکوردی ایجاد نشده است.", "No record was created in the period.")
            << "</p>";
        funnel_groups(p, f, who);
        p.o << "</section>";
        return;
    }
    funnel_chart(p, f, id);
    funnel_table(p, f);
    funnel_groups(p, f, who);
    p.o << "</section>";
}

void sales_section(Page& p, const Forecast& f) {
    p.o << "<section id=\"sales\" class=\"wide\"><h2>" << p.w("فروش به تفکیک کارشناس", "Sales by owner") << "</h2>";
    if (f.rows.empty()) {
        p.o << "<p class=\"empty\">"
            << p.w("در این دوره معامله‌ای بسته یا پیش‌بینی نشده است.", "No deal closed or expected in the period.")
            << "</p></section>";
        return;
    }
    p.o << "<table><tr><th>" << p.w("کارشناس", "Owner") << "</th><th>" << p.w("برنده", "Won") << "</th><th>"
        << p.w("بازنده", "Lost") << "</th><th>" << p.w("نرخ موفقیت", "Win rate") << "</th><th>"
        << p.w("درآمد", "Revenue") << "</th><th>" << p.w("میانگین معامله", "Average deal") << "</th><th>"
        << p.w("چرخهٔ فروش (روز)", "Cycle (days)") << "</th><th>" << p.w("پیش‌بینی آغاز دوره", "Forecast at start")
        << "</th><th>" << p.w("دقت پیش‌بینی", "Accuracy") << "</th><th>" << p.w("پایپلاین باز", "Open pipeline")
        << "</th><th>" << p.w("هدف", "Target") << "</th><th>" << p.w("تحقق", "Attained") << "</th><th>"
        << p.w("پوشش", "Coverage") << "</th></tr>";
    for (const auto& r : f.rows) {
        const std::int64_t open = r.pipeline.amount_minor + r.best_case.amount_minor + r.commit.amount_minor;
        p.o << "<tr><td>"
            << (r.group.empty() ? std::string("<span class=\"empty\">") + p.w("بدون کارشناس", "none") + "</span>"
                                : Page::escape(r.group))
            << "</td><td>" << p.grouped(r.won_count) << "</td><td>" << p.grouped(r.lost_count) << "</td><td>"
            << (r.won_count + r.lost_count ? p.percent(r.win_rate) : "–") << "</td><td>"
            << p.money(r.won_minor, r.currency) << "</td><td>" << p.money(r.average_deal_minor, r.currency)
            << "</td><td>" << p.days(r.cycle_median_days) << "</td><td>"
            << p.money(r.at_start.weighted_minor, r.currency) << "</td><td>"
            << (r.forecast_accuracy ? p.percent(*r.forecast_accuracy) : "–") << "</td><td>" << p.money(open, r.currency)
            << "</td><td>" << (r.target_minor ? p.money(*r.target_minor, r.currency) : "–") << "</td><td>"
            << (r.attainment ? p.percent(*r.attainment) : "–") << "</td><td>"
            << (r.coverage ? p.number(*r.coverage, 2) + "×" : "–") << "</td></tr>";
    }
    p.o << "</table><p class=\"empty\">"
        << p.w("چرخهٔ فروش: میانهٔ روزها از ایجاد تا برد. دقت: درآمد برده در برابر پیش‌بینی وزنی آغاز دوره. پوشش: "
               "پایپلاین باز در برابر آنچه از هدف مانده است.",
               "Cycle: median days from creation to the win. Accuracy: revenue won against the weighted forecast "
               "at the period's start. Coverage: the open pipeline against what remains of the target.")
        << "</p></section>";
}

// The open deals by stage at the period's end: a bar of each stage's
// amount (per currency), with its deals and weighted amount beside it.
void pipeline_section(Page& p, const DashboardPipeline& pl) {
    p.o << "<section id=\"pipeline\" class=\"wide\"><h2>" << p.w("پایپلاین باز به تفکیک مرحله", "Open pipeline by stage") << "</h2>";
    if (pl.stages.empty()) {
        p.o << "<p class=\"empty\">" << p.w("معاملهٔ بازی نیست.", "No deal is open.") << "</p></section>";
        return;
    }
    std::map<std::string, std::vector<const StageSnapshot*>> by_currency;
    for (const auto& s : pl.stages) by_currency[s.currency].push_back(&s);
    for (const auto& [currency, stages] : by_currency) {
        std::vector<Bar> bars;
        for (const auto* s : stages)
            bars.push_back({Page::escape(s->label.empty() ? s->stage : s->label), static_cast<double>(s->amount_minor),
                            p.grouped(s->count) + p.w(" معامله · ", " deals · ") + p.money(s->amount_minor, currency)});
        bar_chart(p, "pipeline", "stage", bars);
    }
    p.o << "<table><tr><th>" << p.w("مرحله", "Stage") << "</th><th>" << p.w("معامله", "Deals") << "</th><th>"
        << p.w("مبلغ", "Amount") << "</th><th>" << p.w("مبلغ وزنی", "Weighted") << "</th></tr>";
    for (const auto& s : pl.stages)
        p.o << "<tr><td>" << Page::escape(s.label.empty() ? s.stage : s.label) << "</td><td>" << p.grouped(s.count)
            << "</td><td>" << p.money(s.amount_minor, s.currency) << "</td><td>"
            << p.money(s.weighted_minor, s.currency) << "</td></tr>";
    p.o << "</table><p class=\"empty\">" << p.w("وضعیت در ", "As it stood on ")
        << p.date(to_iso8601(pl.at).substr(0, 10))
        << p.w("؛ مبلغ وزنی: مبلغ ضرب در احتمال مرحله.", "; weighted: the amount times the stage's probability.")
        << "</p></section>";
}

void service_section(Page& p, const ServiceReport& r) {
    p.o << "<section id=\"service\" class=\"wide\"><h2>" << p.w("خدمات پس از فروش", "Service") << "</h2><div class=\"kpis\">";
    kpi(p, p.grouped(r.opened), p.w("تیکت باز شده", "Tickets opened"));
    kpi(p, p.grouped(r.resolved), p.w("تیکت حل شده", "Tickets resolved"));
    kpi(p, r.resolved ? p.percent(r.first_contact_rate) : "–", p.w("حل در اولین تماس", "First-contact resolution"));
    kpi(p, r.csat_answers ? p.number(r.csat_average, 2) : "–", p.w("رضایت (از ۵)", "CSAT (of 5)"));
    kpi(p, r.nps_answers ? p.number(r.nps, 0) : "–", "NPS");
    p.o << "</div>";
    if (!r.sla.empty()) {
        p.o << "<table><tr><th>" << p.w("صف", "Queue") << "</th><th>" << p.w("شاخص", "KPI") << "</th><th>"
            << p.w("در مهلت", "Met") << "</th><th>" << p.w("نقض", "Breached") << "</th><th>" << p.w("باز", "Open")
            << "</th><th>" << p.w("انطباق", "Compliance") << "</th></tr>";
        for (const auto& row : r.sla)
            p.o << "<tr><td>" << (row.group.empty() ? "–" : Page::escape(row.group)) << "</td><td>"
                << Page::escape(to_string(row.kpi)) << "</td><td>" << p.grouped(row.met) << "</td><td>"
                << p.grouped(row.breached) << "</td><td>" << p.grouped(row.open) << "</td><td>"
                << (row.met + row.breached ? p.percent(row.compliance) : "–") << "</td></tr>";
        p.o << "</table>";
    }
    if (!r.backlog.empty()) {
        p.o << "<h2>" << p.w("صف کار و عمر آن", "Backlog and its age") << "</h2><table><tr><th>" << p.w("صف", "Queue")
            << "</th><th>" << p.w("باز", "Open") << "</th><th>" << p.w("میانگین عمر (روز)", "Average age (days)")
            << "</th><th>" << p.w("قدیمی‌ترین", "Oldest") << "</th><th>" << p.w("زیر ۱ روز", "Under 1 day")
            << "</th><th>" << p.w("۱ تا ۳", "1-3") << "</th><th>" << p.w("۳ تا ۷", "3-7") << "</th><th>"
            << p.w("۷ و بیشتر", "7+") << "</th></tr>";
        for (const auto& b : r.backlog) {
            p.o << "<tr><td>" << (b.group.empty() ? "–" : Page::escape(b.group)) << "</td><td>" << p.grouped(b.open)
                << "</td><td>" << p.number(b.average_age_days, 1) << "</td><td>" << p.number(b.oldest_age_days, 1)
                << "</td>";
            for (int n : b.by_age) p.o << "<td>" << p.grouped(n) << "</td>";
            p.o << "</tr>";
        }
        p.o << "</table>";
    }
    p.o << "</section>";
}

void cohort_section(Page& p, const Cohorts& c) {
    p.o << "<section id=\"cohorts\" class=\"wide\"><h2>"
        << p.w("ماندگاری مشتریان بر پایهٔ ماه نخستین خرید", "Retention by month of first purchase") << "</h2>";
    if (c.rows.empty() || c.customers == 0) {
        p.o << "<p class=\"empty\">" << p.w("خریدی ثبت نشده است.", "No purchase is stored.") << "</p></section>";
        return;
    }
    p.o << "<table class=\"heat\"><tr><th>" << p.w("ماه نخستین خرید", "First purchase") << "</th><th>"
        << p.w("مشتری", "Customers") << "</th>";
    const std::size_t columns = c.rows.front().cells.size();
    for (std::size_t k = 0; k < columns; ++k) p.o << "<th>+" << p.digits(std::to_string(k)) << "</th>";
    p.o << "</tr>";
    for (const auto& row : c.rows) {
        p.o << "<tr><td>" << p.period(row.period) << "</td><td>" << p.grouped(row.customers) << "</td>";
        for (const auto& cell : row.cells) {
            if (!cell) {
                p.o << "<td class=\"future\"></td>";
                continue;
            }
            const double share = cell->retained.trials ? cell->retained.value : 0;
            char bg[48];
            std::snprintf(bg, sizeof bg, "rgba(47,128,192,%.2f)", 0.08 + 0.85 * std::sqrt(share));
            p.o << "<td style=\"background:" << bg << (share > 0.45 ? ";color:#fff" : "") << "\">"
                << p.rate(cell->retained) << "</td>";
        }
        p.o << "</tr>";
    }
    p.o << "</table><p class=\"empty\">"
        << p.w("ستون آخر ماه جاری است و هنوز پایان نیافته؛ خانه‌های خالی آینده‌اند، نه صفر.",
               "The last column is a month still in progress; empty cells are the future, not zero.")
        << "</p></section>";
}

void churn_section(Page& p, const Cohorts& c) {
    p.o << "<section id=\"churn\" class=\"wide\"><h2>" << p.w("ریزش مشتری (بدون خرید در ", "Churn (no purchase in ")
        << p.digits(std::to_string(c.churn_after)) << p.w(" ماه)", " months)") << "</h2>";
    if (c.churn.empty()) {
        p.o << "<p class=\"empty\">" << p.w("هنوز ماهی به پایان نرسیده است.", "No month has ended yet.") << "</p></section>";
        return;
    }
    const int width = 900, height = 220, left = 50, bottom = 40, top = 16, inset = 40;
    double most = 0.05;
    for (const auto& r : c.churn) most = std::max(most, r.churn_rate.value);
    most = std::ceil(most * 20) / 20;  // a round 5% above the highest
    const std::size_t n = c.churn.size();
    const double step = n > 1 ? static_cast<double>(width - left - 2 * inset) / static_cast<double>(n - 1) : 0;
    // Time runs from the start side: right to left in Persian.
    auto x = [&](std::size_t i) {
        const double along = step * static_cast<double>(i);
        return p.fa() ? width - inset - along : left + inset + along;
    };
    auto y = [&](double v) { return top + (height - top - bottom) * (1 - v / most); };
    p.o << "<svg role=\"img\" aria-label=\"churn\" viewBox=\"0 0 " << width << " " << height
        << "\" width=\"100%\" style=\"direction:ltr\">";
    for (int k = 0; k <= 4; ++k) {
        const double v = most * k / 4;
        p.o << "<line x1=\"" << left << "\" x2=\"" << width - 10 << "\" y1=\"" << y(v) << "\" y2=\"" << y(v)
            << "\" stroke=\"#e4e7eb\"/><text x=\"" << left - 6 << "\" y=\"" << y(v) + 4
            << "\" text-anchor=\"end\" font-size=\"11\">" << p.percent(v) << "</text>";
    }
    p.o << "<polyline fill=\"none\" stroke=\"#d64545\" stroke-width=\"2\" points=\"";
    for (std::size_t i = 0; i < n; ++i) p.o << x(i) << "," << y(c.churn[i].churn_rate.value) << " ";
    p.o << "\"/>";
    for (std::size_t i = 0; i < n; ++i) {
        const auto& r = c.churn[i];
        p.o << "<circle cx=\"" << x(i) << "\" cy=\"" << y(r.churn_rate.value) << "\" r=\"3.5\" fill=\"#d64545\"><title>"
            << p.period(r.period) << ": " << p.rate(r.churn_rate) << "</title></circle>";
        p.o << "<text x=\"" << x(i) << "\" y=\"" << height - bottom + 18 << "\" text-anchor=\"middle\" font-size=\"11\">"
            << p.period(r.period) << "</text>";
    }
    p.o << "</svg><table><tr><th>" << p.w("ماه", "Month") << "</th><th>" << p.w("فعال در آغاز", "Active at start")
        << "</th><th>" << p.w("جدید", "New") << "</th><th>" << p.w("بازگشته", "Returned") << "</th><th>"
        << p.w("ریزش", "Lapsed") << "</th><th>" << p.w("فعال در پایان", "Active at end") << "</th><th>"
        << p.w("نرخ ریزش", "Churn rate") << "</th><th>" << p.w("بازهٔ اطمینان", "Interval") << "</th></tr>";
    for (const auto& r : c.churn)
        p.o << "<tr><td>" << p.period(r.period) << "</td><td>" << p.grouped(r.active_at_start) << "</td><td>"
            << p.grouped(r.new_customers) << "</td><td>" << p.grouped(r.returned) << "</td><td>"
            << p.grouped(r.churned) << "</td><td>" << p.grouped(r.active_at_end) << "</td><td>"
            << p.rate(r.churn_rate) << "</td><td>" << p.interval(r.churn_rate) << "</td></tr>";
    p.o << "</table></section>";
}

void clv_section(Page& p, const std::optional<ClvDistribution>& clv) {
    p.o << "<section id=\"clv\"><h2>" << p.w("ارزش طول عمر مشتری", "Customer lifetime value") << "</h2>";
    if (!clv) {
        p.o << "<p class=\"empty\">"
            << p.w("هنوز ارزشی محاسبه نشده است (analytics.clv.score).", "No value is stored yet (analytics.clv.score).")
            << "</p></section>";
        return;
    }
    const auto& d = *clv;
    p.o << "<div class=\"kpis\">";
    kpi(p, p.grouped(d.scored), p.w("مشتری ارزش‌گذاری‌شده", "Customers valued"));
    kpi(p, p.money(d.total_value_minor, d.currency), p.w("ارزش کل", "Total value"));
    kpi(p, p.money(d.value_quantiles_minor[2], d.currency), p.w("میانهٔ ارزش", "Median value"));
    kpi(p, p.grouped(d.at_risk), p.w("مشتری ارزشمند در خطر", "Valuable customers at risk"));
    kpi(p, p.money(d.at_risk_value_minor, d.currency), p.w("ارزش در خطر", "Value at risk"));
    p.o << "</div>";
    // P(alive) in tenths, as columns.
    std::int64_t most = 1;
    for (auto n : d.by_p_alive) most = std::max(most, n);
    const int width = 520, height = 170, bottom = 26;
    p.o << "<svg role=\"img\" aria-label=\"p_alive\" viewBox=\"0 0 " << width << " " << height
        << "\" width=\"100%\" style=\"direction:ltr;max-width:560px\">";
    for (std::size_t k = 0; k < 10; ++k) {
        const double h = static_cast<double>(height - bottom - 10) * static_cast<double>(d.by_p_alive[k]) /
                         static_cast<double>(most);
        const std::size_t slot = p.fa() ? 9 - k : k;
        const double x = 10 + 50.0 * static_cast<double>(slot);
        p.o << "<rect class=\"alive\" x=\"" << x << "\" y=\"" << height - bottom - h << "\" width=\"40\" height=\"" << h
            << "\" fill=\"" << (k < 5 ? "#d64545" : "#2f80c0") << "\"><title>" << p.grouped(d.by_p_alive[k])
            << "</title></rect><text x=\"" << x + 20 << "\" y=\"" << height - 8
            << "\" text-anchor=\"middle\" font-size=\"11\">" << p.number(static_cast<double>(k) / 10, 1) << "</text>";
    }
    p.o << "</svg><p class=\"empty\">"
        << p.w("مشتریان بر پایهٔ احتمال زنده بودن (P(alive)). در خطر: احتمال کمتر از ۰٫۵ و ارزشی دست‌کم برابر میانه.",
               "Customers by the probability they are still alive. At risk: below 0.5 and a value at least the median.")
        << "</p><table><tr><th>" << p.w("صدک ۱۰", "p10") << "</th><th>" << p.w("صدک ۲۵", "p25") << "</th><th>"
        << p.w("میانه", "Median") << "</th><th>" << p.w("صدک ۷۵", "p75") << "</th><th>" << p.w("صدک ۹۰", "p90")
        << "</th><th>" << p.w("بیشینه", "Largest") << "</th></tr><tr>";
    for (auto v : d.value_quantiles_minor) p.o << "<td>" << p.money(v, d.currency) << "</td>";
    p.o << "</tr></table></section>";
}

void campaign_section(Page& p, const std::vector<CampaignSummary>& campaigns) {
    p.o << "<section id=\"campaigns\"><h2>" << p.w("کمپین‌ها", "Campaigns") << "</h2>";
    if (campaigns.empty()) {
        p.o << "<p class=\"empty\">" << p.w("کمپینی در این دوره اجرا نشده است.", "No campaign ran in the period.")
            << "</p></section>";
        return;
    }
    p.o << "<table><tr><th>" << p.w("کمپین", "Campaign") << "</th><th>" << p.w("وضعیت", "State") << "</th><th>"
        << p.w("اعضا", "Members") << "</th><th>" << p.w("پاسخ", "Response") << "</th><th>"
        << p.w("درآمد برده", "Won revenue") << "</th><th>" << p.w("هزینه", "Cost") << "</th><th>ROI</th><th>"
        << p.w("آزمون A/B", "A/B test") << "</th></tr>";
    for (const auto& c : campaigns) {
        p.o << "<tr><td>" << Page::escape(c.name) << "</td><td>" << Page::escape(c.state) << "</td><td>"
            << p.grouped(c.members) << "</td><td>" << p.rate(c.response) << "</td><td>"
            << p.money(c.won_revenue_minor, c.currency) << "</td><td>" << p.money(c.actual_cost_minor, c.currency)
            << "</td><td>" << (c.roi ? p.percent(*c.roi) : "–") << "</td><td>";
        if (c.ab)
            p.o << Page::escape(c.group_a) << " " << p.rate(c.ab->a) << " / " << Page::escape(c.group_b) << " "
                << p.rate(c.ab->b) << " (p = " << p.number(c.ab->p_value, 3) << ", "
                << (c.ab->significant ? p.w("معنادار", "significant") : p.w("نامعنادار", "not significant")) << ")";
        else
            p.o << "–";
        p.o << "</td></tr>";
    }
    p.o << "</table></section>";
}

// What each part counted and what it left out, in the page's language.
std::string scope(const Page& p, const Dashboard& d) {
    std::vector<std::string> parts;
    auto of_whole = [&](const Funnel& f) {
        return f.filters.empty() ? std::string()
                                 : p.w(" از ", " of ") + p.grouped(f.whole_records) + p.w("، کارشناس ", ", owner ") +
                                       Page::escape(d.user);
    };
    if (d.funnel)
        parts.push_back(p.w("قیف: ", "funnel: ") + p.grouped(d.funnel->records) + p.w(" رکورد ", " ") +
                        Page::escape(d.funnel->record_type) + p.w(" از فرایند ", " records of process ") +
                        Page::escape(d.funnel->process) + p.w(" ایجادشده در دوره", " created in the period") +
                        of_whole(*d.funnel));
    if (d.sales)
        parts.push_back(std::string(p.w("فروش: معاملات بسته‌شده در دوره و معاملات باز با تاریخ بستن در دوره",
                                        "sales: deals closed in the period and open deals expected to close in it")));
    if (d.pipeline)
        parts.push_back(p.w("پایپلاین: معاملات باز در ", "pipeline: the open deals on ") +
                        p.date(to_iso8601(d.pipeline->at).substr(0, 10)) +
                        (d.user.empty() ? std::string() : p.w("، کارشناس ", ", owner ") + Page::escape(d.user)));
    if (d.service)
        parts.push_back(std::string(p.w("خدمات: تیکت‌های بازشده در دوره و صف کار کنونی",
                                        "service: tickets opened in the period, the backlog now")));
    if (d.tickets)
        parts.push_back(p.w("تیکت‌ها: ", "tickets: ") + p.grouped(d.tickets->records) +
                        p.w(" تیکت ایجادشده در دوره", " created in the period") + of_whole(*d.tickets));
    if (d.customers) {
        std::string c = p.w("مشتریان: خریدهای تا ", "customers: purchases to ") + p.period(d.customers->as_of_period);
        if (!d.customers->currency.empty()) c += p.w(" به ", " in ") + Page::escape(d.customers->currency);
        if (d.customers->purchases_other_currencies > 0)
            c += p.w("؛ ", "; ") + p.grouped(d.customers->purchases_other_currencies) +
                 p.w(" خرید به ارزهای دیگر کنار گذاشته شد", " in other currencies left out");
        parts.push_back(std::move(c));
        parts.push_back(p.w("کمپین‌ها: ", "campaigns: ") + p.grouped(static_cast<std::int64_t>(d.campaigns.size())) +
                        p.w(" کمپین اجراشده در دوره", " run in the period"));
    }
    std::string out;
    for (std::size_t k = 0; k < parts.size(); ++k) out += (k ? " · " : "") + parts[k];
    return out;
}

const char* role_title(const Page& p, DashboardRole r) {
    switch (r) {
        case DashboardRole::sales_manager: return p.w("داشبورد مدیر فروش", "Sales manager's dashboard");
        case DashboardRole::sales_rep: return p.w("داشبورد کارشناس فروش", "Sales rep's dashboard");
        case DashboardRole::service_manager: return p.w("داشبورد مدیر خدمات", "Service manager's dashboard");
        case DashboardRole::service_agent: return p.w("داشبورد کارشناس خدمات", "Service agent's dashboard");
        case DashboardRole::marketing: return p.w("داشبورد بازاریابی", "Marketing dashboard");
        case DashboardRole::manager: break;
    }
    return p.w("داشبورد مدیریت", "Manager's dashboard");
}

}  // namespace

std::string to_html(const Dashboard& d, DashboardLanguage language) {
    Page p(language, d.calendar);
    p.o.precision(6);
    std::string title = std::string(role_title(p, d.role)) + " — " + p.period(d.period);
    if (!d.user.empty()) title += " — " + Page::escape(d.user);
    p.o << "<!DOCTYPE html>\n<html lang=\"" << (p.fa() ? "fa" : "en") << "\" dir=\"" << (p.fa() ? "rtl" : "ltr")
        << "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, "
           "initial-scale=1\"><title>"
        << title << "</title><style>" << kStyle << "</style></head><body><header><h1>" << title << "</h1><p>"
        << p.w("از ", "From ") << p.date(d.from_date) << p.w(" تا ", " to ") << p.date(day_before(d.to_date))
        << p.w(" · ساخته‌شده ", " · made ") << p.date(to_iso8601(d.generated_at).substr(0, 10)) << "</p><p>"
        << p.w("دامنه: ", "Scope: ") << scope(p, d) << "</p></header><main>";

    // The figures each role decides by first.
    p.o << "<section class=\"wide\" id=\"kpis\"><h2>" << p.w("شاخص‌های کلیدی", "Key figures") << "</h2><div class=\"kpis\">";
    if (d.funnel) {
        kpi(p, p.grouped(d.funnel->records), p.w("فرصت‌های ایجادشده در دوره", "Deals created in the period"));
        kpi(p, p.rate(d.funnel->won), p.w("نرخ برد قیف", "Funnel won rate"));
    }
    if (d.sales) {
        std::int64_t won = 0, lost = 0;
        std::map<std::string, std::pair<std::int64_t, std::int64_t>> revenue;  // currency -> (minor, deals)
        for (const auto& r : d.sales->rows) {
            won += r.won_count;
            lost += r.lost_count;
            if (r.won_count) {
                revenue[r.currency].first += r.won_minor;
                revenue[r.currency].second += r.won_count;
            }
        }
        kpi(p, won + lost ? p.percent(static_cast<double>(won) / static_cast<double>(won + lost)) : "–",
            p.w("نرخ موفقیت معاملات بسته‌شده", "Win rate of closed deals"));
        for (const auto& [currency, sums] : revenue) {
            kpi(p, p.money(sums.first, currency), p.w("درآمد معاملات برنده", "Revenue won"));
            kpi(p, p.money(sums.first / sums.second, currency), p.w("میانگین معاملهٔ برنده", "Average deal won"));
        }
    }
    if (d.pipeline) {
        std::map<std::string, std::int64_t> open;  // currency -> minor
        for (const auto& s : d.pipeline->stages) open[s.currency] += s.amount_minor;
        for (const auto& [currency, minor] : open) kpi(p, p.money(minor, currency), p.w("پایپلاین باز", "Open pipeline"));
    }
    if (d.service) kpi(p, p.grouped(d.service->opened), p.w("تیکت باز شده", "Tickets opened"));
    if (d.tickets) {
        kpi(p, p.grouped(d.tickets->records), p.w("تیکت‌های دوره", "Tickets of the period"));
        std::int64_t open = 0;
        for (const auto& s : d.tickets->stages) open += s.still_in;
        kpi(p, p.grouped(open), p.w("تیکت هنوز باز", "Still open"));
    }
    if (d.customers && !d.customers->churn.empty()) {
        const auto& last = d.customers->churn.back();
        kpi(p, p.grouped(last.active_at_end), p.w("مشتری فعال", "Active customers"));
        kpi(p, p.rate(last.churn_rate), p.w("نرخ ریزش ماه گذشته", "Churn last month"));
    }
    p.o << "</div></section>";

    const char* owner = p.w("کارشناس", "Owner");
    if (d.funnel) funnel_section(p, *d.funnel, "funnel", p.w("قیف فرایند", "Funnel of"), owner);
    if (d.sales) sales_section(p, *d.sales);
    if (d.pipeline) pipeline_section(p, *d.pipeline);
    if (d.service) service_section(p, *d.service);
    if (d.tickets) funnel_section(p, *d.tickets, "tickets", p.w("تیکت‌ها در فرایند", "Tickets in"), owner);
    if (d.customers) {
        cohort_section(p, *d.customers);
        churn_section(p, *d.customers);
        clv_section(p, d.clv);
        campaign_section(p, d.campaigns);
    }
    p.o << "</main><footer>"
        << p.w("نرخ‌ها با بازهٔ اطمینان ۹۵٪ (ویلسون) محاسبه شده‌اند؛ نرخ‌های ستاره‌دار (*) از شمار کمی رکورد به دست "
               "آمده‌اند و قابل تعمیم نیستند.",
               "Rates carry a 95% Wilson interval; a rate marked * comes from too few records to generalise from.")
        << "</footer></body></html>\n";
    return p.o.str();
}

}  // namespace crm
