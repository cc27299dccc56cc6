// crm/core/text.hpp - Persian-aware text normalisation for search and
// duplicate detection, and UTF-8 validation for every text that enters.
#pragma once

#include <string>
#include <string_view>

#include "crm/core/error.hpp"

namespace crm::text {

/// True when `s` is well-formed UTF-8: no overlong forms, surrogates, code
/// points above U+10FFFF, truncated sequences or stray continuation bytes.
CRM_API bool is_valid_utf8(std::string_view s) noexcept;

/// Checks that `s` is valid UTF-8 of at most `max_bytes` bytes, with no
/// control characters (C0 and DEL) other than tab, newline and carriage
/// return; fails with invalid_argument naming `field`, the message saying
/// which rule failed: "is not valid UTF-8", "is longer than N bytes",
/// "contains a control character" (checked in that order).
CRM_API result<void> check(std::string_view s, std::string_view field,
                           std::size_t max_bytes = 1024);

/// `s` made safe to repeat in a message: bytes that are not UTF-8 and
/// control characters written as \xNN (\n, \r, \t and \\ as such), cut
/// at a character boundary so that at most `max_bytes` are kept, and
/// "...(N bytes)" appended when anything was cut.
CRM_API std::string excerpt(std::string_view s, std::size_t max_bytes = 64);

/// The search key of a text: Unicode compatibility normalisation (NFKC) and
/// case folding; Arabic letter forms mapped to Persian (ي ى ئ -> ی, ك -> ک,
/// ة ۀ ە -> ه, أ إ آ ٱ -> ا, ؤ -> و); tatweel and diacritics (harakat,
/// hamza marks) removed; Persian and Arabic-Indic digits to ASCII; ZWNJ,
/// ZWJ, and every other space-like character to one ASCII space; runs of
/// spaces collapsed; trimmed; other control characters and default-ignorable
/// code points (RLM, soft hyphen...) dropped. Invalid UTF-8 yields an empty
/// string. "علي‌رضا  كريمي" and "علی رضا کریمی" have the same key.
CRM_API std::string normalize(std::string_view s);

/// True when `s` is already its own key (normalize(s) == s), checked
/// without allocating: lower-case ASCII and Persian letters that map to
/// themselves, single spaces between words. False may also mean "not
/// known without normalising" (text that needs utf8proc).
CRM_API bool is_key(std::string_view s) noexcept;

/// normalize() with every space removed: "علی‌رضا" == "علیرضا" == "علی رضا".
CRM_API std::string compact_key(std::string_view s);

/// Persian (U+06F0..U+06F9) and Arabic-Indic (U+0660..U+0669) digits to
/// ASCII; everything else unchanged. For phone numbers, ids and amounts.
CRM_API std::string ascii_digits(std::string_view s);

/// Trims leading/trailing white space (ASCII and Unicode space-like
/// characters, ZWNJ and ZWJ included) and collapses inner runs to one ASCII
/// space, keeping letters as they are. For display values such as names.
/// An inner run made only of ZWNJ/ZWJ is not white space but part of the
/// word's spelling (می‌خواهم): it is kept as its first character. Invalid
/// UTF-8 bytes are copied unchanged (validate with check()).
CRM_API std::string tidy(std::string_view s);

/// Similarity of two normalised strings in [0, 1]: Jaro-Winkler over code
/// points (prefix scale 0.1, common prefix of up to 4). 1 means equal; 0
/// when exactly one is empty or nothing matches.
CRM_API double similarity(std::string_view a, std::string_view b);

}  // namespace crm::text
