// crm/core/limits.hpp - the limits every door of the library checks before
// it does work that grows with the input: the size and nesting of a JSON
// request, the instants a time may name, and how deep a search may page.
// crm.h states the same numbers as CRM_LIMIT_* macros (the C ABI build
// checks that they agree).
#pragma once

#include <cstddef>
#include <cstdint>

namespace crm::limits {

/// Bytes of one JSON text read by the library: a command request
/// (crm_execute, Engine.execute, crmctl) or a definition given as text.
inline constexpr std::size_t request_bytes = 64u * 1024u * 1024u;
/// Nesting of arrays and objects in one JSON text; the outermost object is
/// level 1. Deeper text is refused while it is parsed, before anything
/// reads it, so no reader recurses further than this.
inline constexpr std::size_t json_depth = 128;
/// Values (objects, arrays, strings, numbers, literals) in one JSON text.
inline constexpr std::size_t json_values = 1'000'000;
/// Hits a search pages through: offset + limit.
inline constexpr int search_window = 10'000;
/// The instants a time may name: 1700-01-01T00:00:00Z ..
/// 9999-12-31T23:59:59.999Z, in milliseconds since 1970. Every one of them
/// reads back from the text the library writes for it (a year below 1700
/// would be read as Jalali).
inline constexpr std::int64_t earliest_ms = -8'520'336'000'000;
inline constexpr std::int64_t latest_ms = 253'402'300'799'999;

}  // namespace crm::limits
