// src/expr/times.cpp - the instants of relative times (now - 30d, start of
// the previous Jalali month) for one Context; shared by memory and SQL.
#include <algorithm>
#include <limits>

#include "expr/ast.hpp"

namespace crm::expr {
namespace {

constexpr std::int64_t kMsPerMinute = 60'000;

std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (!__builtin_add_overflow(a, b, &r)) return r;
    return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

std::int64_t unit_ms(Unit u) {
    switch (u) {
        case Unit::minute: return kMsPerMinute;
        case Unit::hour: return 60 * kMsPerMinute;
        case Unit::day: return kMsPerDay;
        case Unit::week: return 7 * kMsPerDay;
        case Unit::month: return 0;
    }
    return 0;
}

// now moved by whole calendar months in `zone`'s wall time: the day of the
// month is kept, or clamped to the target month's last day (31 Shahrivar
// plus one month is 30 Mehr; 31 May minus one month is 30 April).
result<Timestamp> add_months(Timestamp now, std::int64_t months, const TimeZone& zone,
                             CalendarSystem cal) {
    LocalTime wall = zone.to_local(now, cal);
    if (wall.date.year == 0)
        return fail(errc::invalid_argument, "now is outside the calendar's supported years",
                    "now");
    const std::int64_t index = static_cast<std::int64_t>(wall.date.year) * 12 + (wall.date.month - 1) + months;
    const std::int64_t year = index >= 0 ? index / 12 : -((-index + 11) / 12);
    wall.date.year = static_cast<int>(year);
    wall.date.month = static_cast<int>(index - year * 12) + 1;
    const int last = days_in_month(wall.date.year, wall.date.month, cal);
    if (last == 0)
        return fail(errc::invalid_argument,
                    "now " + std::string(months < 0 ? "minus" : "plus") + " " +
                        std::to_string(months < 0 ? -months : months) +
                        " months is outside the calendar's supported years",
                    "now");
    wall.date.day = std::min(wall.date.day, last);
    return zone.from_local(wall, cal);
}

}  // namespace

result<std::vector<std::int64_t>> resolve_times(const Expr::Tree& tree, const Context& context) {
    std::vector<std::int64_t> times(tree.nodes.size(), 0);
    std::optional<TimeZone> default_zone;
    for (std::size_t i = 0; i < tree.nodes.size(); ++i) {
        const Node& n = tree.nodes[i];
        if (n.op != Op::now && n.op != Op::start_of) continue;
        if (n.op == Op::now && n.unit != Unit::month) {
            std::int64_t delta = 0;
            if (__builtin_mul_overflow(n.num, unit_ms(n.unit), &delta))
                delta = n.num > 0 ? std::numeric_limits<std::int64_t>::max()
                                  : std::numeric_limits<std::int64_t>::min();
            times[i] = saturating_add(context.now.ms, delta);
            continue;
        }
        std::optional<TimeZone> own;
        if (n.has_zone) {
            CRM_TRY(z, TimeZone::find(n.text, "time_zone"));
            own = std::move(z);
        } else if (!default_zone) {
            CRM_TRY(z, TimeZone::find(context.time_zone, "time_zone"));
            default_zone = std::move(z);
        }
        const TimeZone& zone = own ? *own : *default_zone;
        if (n.op == Op::now) {
            CRM_TRY(t, add_months(context.now, n.num, zone, n.calendar));
            times[i] = t.ms;
        } else {
            times[i] = start_of(n.period, context.now, zone, n.calendar, static_cast<int>(n.num)).ms;
        }
    }
    return times;
}

}  // namespace crm::expr
