// src/core/id.cpp - UUIDv7 generation, text form and parsing.
#include "crm/core/id.hpp"

#include <random>

namespace crm {
namespace {
constexpr char kHex[] = "0123456789abcdef";

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// xoroshiro128+: the random tail of an id needs to be unpredictable enough
// to avoid clashes between offline copies, not cryptographic.
std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
std::uint64_t next_random(std::uint64_t (&s)[2]) noexcept {
    const std::uint64_t s0 = s[0];
    std::uint64_t s1 = s[1];
    const std::uint64_t r = s0 + s1;
    s1 ^= s0;
    s[0] = rotl(s0, 24) ^ s1 ^ (s1 << 16);
    s[1] = rotl(s1, 37);
    return r;
}
}  // namespace

std::string Id::str() const {
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(kHex[bytes[i] >> 4]);
        out.push_back(kHex[bytes[i] & 15]);
    }
    return out;
}

result<Id> Id::parse(std::string_view text, std::string_view field) {
    Id id;
    if (text.size() != 36)
        return fail(errc::invalid_argument, "is not an id (36 characters, 8-4-4-4-12 hex)",
                    std::string(field));
    std::size_t b = 0;
    for (std::size_t i = 0; i < 36;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return fail(errc::invalid_argument, "is not an id (dashes misplaced)",
                            std::string(field));
            ++i;
            continue;
        }
        int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0)
            return fail(errc::invalid_argument, "is not an id (non-hex character)",
                        std::string(field));
        id.bytes[b++] = static_cast<std::uint8_t>(hi << 4 | lo);
        i += 2;
    }
    return id;
}

std::int64_t Id::unix_ms() const noexcept {
    if ((bytes[6] >> 4) != 7) return 0;
    std::int64_t ms = 0;
    for (int i = 0; i < 6; ++i) ms = ms << 8 | bytes[i];
    return ms;
}

IdGenerator::IdGenerator() {
    std::random_device rd;
    state_[0] = (std::uint64_t(rd()) << 32) ^ rd();
    state_[1] = (std::uint64_t(rd()) << 32) ^ rd() ^ 0x9E3779B97F4A7C15ull;
    if (!state_[0] && !state_[1]) state_[1] = 1;
}

Id IdGenerator::next(Timestamp now) {
    std::int64_t ms = now.ms < 0 ? 0 : now.ms;
    // Within one millisecond (or if the clock steps back) the 12-bit counter
    // keeps ids increasing; when it overflows, borrow the next millisecond.
    if (ms <= last_ms_) {
        ms = last_ms_;
        if (++counter_ > 0x0FFF) {
            ++ms;
            counter_ = 0;
        }
    } else {
        counter_ = static_cast<std::uint16_t>(next_random(state_) & 0x01FF);
    }
    last_ms_ = ms;
    Id id;
    for (int i = 5; i >= 0; --i) {
        id.bytes[i] = static_cast<std::uint8_t>(ms & 0xFF);
        ms >>= 8;
    }
    id.bytes[6] = static_cast<std::uint8_t>(0x70 | (counter_ >> 8));
    id.bytes[7] = static_cast<std::uint8_t>(counter_ & 0xFF);
    std::uint64_t r = next_random(state_);
    for (int i = 8; i < 16; ++i) {
        id.bytes[i] = static_cast<std::uint8_t>(r & 0xFF);
        r >>= 8;
    }
    id.bytes[8] = static_cast<std::uint8_t>(0x80 | (id.bytes[8] & 0x3F));  // RFC 4122 variant
    return id;
}

}  // namespace crm
