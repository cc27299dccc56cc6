// crm/core/id.hpp - record identities: time-ordered 128-bit UUIDv7, so that
// copies of a database made offline can later merge without clashes.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "crm/core/error.hpp"
#include "crm/core/time.hpp"

namespace crm {

/// A UUID (version 7 when made by IdGenerator). The nil id (all zero)
/// means "none". Text form: 36 lower-case characters, 8-4-4-4-12.
struct Id {
    std::array<std::uint8_t, 16> bytes{};

    bool is_nil() const noexcept {
        for (auto b : bytes)
            if (b) return false;
        return true;
    }
    explicit operator bool() const noexcept { return !is_nil(); }
    CRM_API std::string str() const;
    /// Parses the 36-character form (upper or lower case); fails with
    /// invalid_argument naming `field`.
    CRM_API static result<Id> parse(std::string_view text, std::string_view field = "id");
    /// Milliseconds since the epoch encoded in a UUIDv7 (0 for others).
    CRM_API std::int64_t unix_ms() const noexcept;

    friend auto operator<=>(const Id&, const Id&) = default;
};

/// Makes UUIDv7 ids: 48-bit millisecond time, then a 12-bit counter that
/// keeps ids made in the same millisecond ordered, then 62 random bits.
/// Not thread-safe; the Engine owns one and serialises its use.
class CRM_API IdGenerator {
public:
    IdGenerator();
    Id next(Timestamp now);

private:
    std::int64_t last_ms_ = -1;
    std::uint16_t counter_ = 0;
    std::uint64_t state_[2];
};

}  // namespace crm

template <>
struct std::hash<crm::Id> {
    std::size_t operator()(const crm::Id& id) const noexcept {
        std::uint64_t a, b;
        static_assert(sizeof a + sizeof b == sizeof id.bytes);
        __builtin_memcpy(&a, id.bytes.data(), 8);
        __builtin_memcpy(&b, id.bytes.data() + 8, 8);
        return std::hash<std::uint64_t>{}(a ^ (b * 0x9E3779B97F4A7C15ull));
    }
};
