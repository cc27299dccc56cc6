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

/// The Latin key of a name written in Persian or in Latin letters
/// (Finglish), so that "Mohammad Rezaei", "Mohamad Rezayi" and "محمد رضایی"
/// share one key ("mhmd rzi"). Each word becomes: a mark 'a' when it
/// starts with a vowel (ا آ ع, or a e i o u); its consonants, one class
/// per sound whatever the spelling (kh = x = خ, gh = q = ق = غ, sh = ش,
/// ch = چ, zh = ژ, s = س ص ث, z = ز ذ ض ظ, t = ت ط, h = ح ه) with doubled
/// letters written once; a long vowel inside the word, 'I' for ی (i, ee,
/// ei, ey, y) and 'U' for و (u, ou, oo, v, w), short vowels dropped (Persian
/// does not write them); and the sound it ends on: 'a' (ا, a), 'i' (ی, i,
/// y, ee, -ei, -ey, -ie), 'e' (a final ه, e, eh) or 'u' (و, o, u, ow).
/// Names ending in ی said as "a" (مرتضی Morteza, مصطفی, مجتبی, موسی, عیسی,
/// یحیی, هدی, کبری, صغری) end on 'a'. Other characters separate words;
/// apostrophes are dropped. The key of a text with no letters is "".
CRM_API std::string latin_key(std::string_view name);

/// latin_key() looser still, for search: without the vowels Finglish
/// writes or leaves out (the weak o, و's 'U'), ژ as j. "Mohammad Rezaei",
/// "Muhammad Rezayi" and "محمد رضایی" give "mhmd rzai"; so does "Mahmoud
/// Rezaei" - a search finds more than a duplicate rule accepts.
CRM_API std::string latin_search_key(std::string_view name);

/// How alike two latin_key()s are, as names: 1 when they are equal (in any
/// word order, or written as one word or two: علیرضا and Ali Reza); 0.95
/// when they differ only where Finglish spells one name either way (a u for
/// the short o after the first consonant: Muhammad, Husseini; j for ژ);
/// otherwise at most 0.75, however alike the letters, because one long
/// vowel or the last one makes another name (Hasan and Hossein, Zahra and
/// Zohreh, Razi and Rezaei).
CRM_API double latin_key_similarity(std::string_view a, std::string_view b);

/// True when `s` has a Latin letter (a-z, A-Z) and no Persian or Arabic
/// letter: a name typed in Finglish.
CRM_API bool is_latin_name(std::string_view s) noexcept;

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
