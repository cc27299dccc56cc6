// crm/core/sms.hpp - what an SMS costs before it is sent: the encoding a
// text needs (GSM 7-bit or UCS-2, which every Persian text needs), the
// parts it is sent as, and message templates filled per recipient.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "crm/core/error.hpp"

namespace crm::sms {

/// GSM 03.38's 7-bit alphabet (160 septets in one message, 153 per part
/// of a longer one; a character of its extension table, such as € [ ] { }
/// ^ ~ | \, takes two), or UCS-2 for anything else (70 UTF-16 units in one
/// message, 67 per part; a character outside the BMP takes two).
enum class Encoding { gsm7, ucs2 };

/// "gsm7", "ucs2".
CRM_API const char* to_string(Encoding e) noexcept;

/// The most parts a concatenated message has (its part counter is a byte).
inline constexpr std::int64_t kMaxParts = 255;
/// The longest text counted, in bytes of UTF-8.
inline constexpr std::size_t kMaxTextBytes = 64 * 1024;

struct Parts {
    Encoding encoding = Encoding::gsm7;
    std::int64_t characters = 0;  ///< Unicode code points
    std::int64_t units = 0;       ///< septets (GSM-7) or UTF-16 units (UCS-2)
    std::int64_t parts = 0;       ///< messages sent; 0 for an empty text
    std::int64_t per_part = 0;    ///< 160 or 153 (GSM-7), 70 or 67 (UCS-2)
    std::int64_t remaining = 0;   ///< units still free in the last part
};

/// The encoding and the parts of `text` (UTF-8). A part never splits a
/// two-septet character or a surrogate pair: such a character moves whole
/// to the next part. Fails with invalid_argument naming `field` for
/// invalid UTF-8, more than kMaxTextBytes, or more than kMaxParts parts.
CRM_API result<Parts> count_parts(std::string_view text, std::string_view field = "text");

/// A template filled in: each "{name}" is replaced by fields.at(name);
/// "{{" and "}}" are literal braces. A name not in `fields`, an unclosed
/// brace or a name that is not [a-z0-9_.] fails with invalid_argument
/// naming `field` and the name ("names an unknown field {city}").
CRM_API result<std::string> render(std::string_view tmpl, const std::map<std::string, std::string>& fields,
                                   std::string_view field = "template");

}  // namespace crm::sms
