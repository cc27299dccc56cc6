// src/core/utf8.hpp - one code point read from UTF-8, strictly: what
// text.cpp validates and normalises with, and what the SMS counter walks.
#pragma once

#include <cstddef>
#include <string_view>

namespace crm::text {

// Decodes the code point at s[i]. Returns its byte length, or 0 when the
// bytes there are not well-formed UTF-8 (overlong, surrogate, > U+10FFFF,
// truncated, stray continuation byte).
inline std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) {
        cp = b0;
        return 1;
    }
    const std::size_t left = s.size() - i;
    // The second byte's range is what rules out overlongs (E0, F0),
    // surrogates (ED) and code points above U+10FFFF (F4).
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        if (left < 2 || (byte(i + 1) & 0xC0) != 0x80) return 0;
        cp = (char32_t(b0 & 0x1F) << 6) | (byte(i + 1) & 0x3F);
        return 2;
    }
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (left < 3) return 0;
        const unsigned char b1 = byte(i + 1), b2 = byte(i + 2);
        const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
        const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
        if (b1 < lo || b1 > hi || (b2 & 0xC0) != 0x80) return 0;
        cp = (char32_t(b0 & 0x0F) << 12) | (char32_t(b1 & 0x3F) << 6) | (b2 & 0x3F);
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (left < 4) return 0;
        const unsigned char b1 = byte(i + 1), b2 = byte(i + 2), b3 = byte(i + 3);
        const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
        const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
        if (b1 < lo || b1 > hi || (b2 & 0xC0) != 0x80 || (b3 & 0xC0) != 0x80) return 0;
        cp = (char32_t(b0 & 0x07) << 18) | (char32_t(b1 & 0x3F) << 12) |
             (char32_t(b2 & 0x3F) << 6) | (b3 & 0x3F);
        return 4;
    }
    return 0;
}

}  // namespace crm::text
