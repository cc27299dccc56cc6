// customer/store/timeline_cursor.hpp - the opaque cursor of a timeline page.
// "AT_MS:ID": a cursor means the same on every database.
#pragma once

#include <charconv>
#include <string>

#include "crm/core/id.hpp"

namespace crm {

struct TimelineCursor {
    std::int64_t at_ms = 0;
    Id id;
};

inline std::string encode_cursor(std::int64_t at_ms, const Id& id) {
    return std::to_string(at_ms) + ":" + id.str();
}

inline result<TimelineCursor> decode_cursor(std::string_view s) {
    const auto colon = s.find(':');
    TimelineCursor c;
    if (colon == std::string_view::npos)
        return fail(errc::invalid_argument, "is not a cursor from a previous page", "before");
    auto [end, ec] = std::from_chars(s.data(), s.data() + colon, c.at_ms);
    if (ec != std::errc() || end != s.data() + colon)
        return fail(errc::invalid_argument, "is not a cursor from a previous page", "before");
    auto id = Id::parse(s.substr(colon + 1), "before");
    if (!id) return id.error();
    c.id = id.value();
    return c;
}

}  // namespace crm
