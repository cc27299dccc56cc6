// crm/analytics/dashboard.hpp - the manager's dashboard of a period
// (داشبورد مدیریت): the sales funnel, each salesperson's results, the
// service desk's compliance and satisfaction, customer retention and churn,
// gathered from the records and rendered as JSON or as one self-contained HTML
// page (right to left, Persian, charts as inline SVG, nothing fetched).
#pragma once

#include <cstdint>
#include <string>

#include "crm/analytics/cohort.hpp"
#include "crm/analytics/funnel.hpp"
#include "crm/sales/forecast.hpp"
#include "crm/service/report.hpp"

namespace crm {

struct DashboardQuery {
    /// The period reported: "1404-Q1", "1404-03", "1404" of `calendar`;
    /// empty: the quarter now is in.
    std::string period;
    CalendarSystem calendar = CalendarSystem::jalali;
    std::string time_zone = "Asia/Tehran";
    /// The process whose funnel is shown.
    std::string process = "sales";
    /// The currency of the customers' revenue (cohorts); empty: the
    /// purchases' one currency.
    std::string currency;
    /// Cohort rows shown: the months up to the period's end (1..60).
    int cohort_months = 12;
    /// A customer with no purchase in this many months has lapsed (1..120).
    int churn_after = 3;
    /// Rates from fewer records than this are marked as too few.
    std::int64_t min_records = 30;
};

struct Dashboard {
    std::string period, from_date, to_date;  ///< Gregorian [from, to)
    CalendarSystem calendar = CalendarSystem::jalali;
    Timestamp generated_at;
    /// The records each part reads, in words: the dashboard says what it
    /// counted and what it left out.
    std::string scope;
    Funnel funnel;        ///< the process's records created in the period
    Forecast sales;       ///< by owner: won, lost, win rate, average deal, open pipeline
    ServiceReport service;  ///< by queue
    Cohorts customers;    ///< monthly cohorts to the period's end, and churn
};

/// The dashboard as one HTML page: lang="fa", dir="rtl", UTF-8, inline CSS
/// and SVG, no script, no external resource; every value from the records
/// is escaped.
CRM_API std::string to_html(const Dashboard& d);

}  // namespace crm
