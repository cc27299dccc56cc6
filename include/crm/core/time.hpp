// crm/core/time.hpp - instants as UTC milliseconds, ISO 8601 text, and the
// clocks the Engine reads (system, or manual for exact tests).
#pragma once

#include <atomic>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "crm/core/error.hpp"

namespace crm {

/// An instant: milliseconds since 1970-01-01T00:00:00Z.
struct Timestamp {
    std::int64_t ms = 0;

    static constexpr Timestamp from_ms(std::int64_t v) noexcept { return Timestamp{v}; }
    friend constexpr auto operator<=>(Timestamp, Timestamp) = default;
};

constexpr std::int64_t kMsPerSecond = 1000;
constexpr std::int64_t kMsPerDay = 86'400'000;

/// The first year read as Gregorian: a date written with a year from 1000
/// to 1699 is a Solar Hijri (Jalali) date, 1700 to 9999 a Gregorian one.
inline constexpr int kFirstGregorianYear = 1700;

/// Reads a date or time written as text, by the library's one rule for
/// every door (C++, C ABI, Python, crmctl, CSV): "2024-03-20",
/// "2024-03-20T10:15:00Z", with optional seconds and fraction, a
/// "+03:30"-style offset, a space instead of 'T', '/' instead of '-' in
/// the date. A year below kFirstGregorianYear is Jalali ("1404-03-01" is
/// 2025-05-22); a year below 1000 is refused. Without a zone the time is
/// UTC, and a date alone is its midnight UTC. Persian digits are accepted.
/// Fails with parse naming `field`.
CRM_API result<Timestamp> parse_iso8601(std::string_view text, std::string_view field = "time");

/// invalid_argument naming `field` unless `t` lies in years 1700..9999
/// (limits::earliest_ms .. limits::latest_ms): every instant a caller gives
/// is checked so.
CRM_API result<void> check_instant(Timestamp t, std::string_view field);

/// "2024-03-20T10:15:00Z", with ".123" when the milliseconds are not zero.
CRM_API std::string to_iso8601(Timestamp t);

/// Days since 1970-01-01 of a proleptic Gregorian date, and back.
CRM_API std::int64_t days_from_civil(int y, unsigned m, unsigned d) noexcept;
struct CivilDate {
    int year;
    unsigned month, day;
};
CRM_API CivilDate civil_from_days(std::int64_t days) noexcept;

/// Where the Engine reads "now". Implementations must be thread-safe.
class CRM_API Clock {
public:
    virtual ~Clock();
    virtual Timestamp now() const = 0;
};

/// The operating system's clock.
class CRM_API SystemClock final : public Clock {
public:
    Timestamp now() const override;
};

/// A clock that only moves when told to; for tests and replays.
class CRM_API ManualClock final : public Clock {
public:
    explicit ManualClock(Timestamp start = {}) : now_(start.ms) {}
    Timestamp now() const override { return Timestamp{now_.load()}; }
    void set(Timestamp t) noexcept { now_.store(t.ms); }
    void advance(std::int64_t ms) noexcept { now_.fetch_add(ms); }

private:
    std::atomic<std::int64_t> now_;
};

}  // namespace crm
