// src/core/text.cpp - UTF-8 validation, the Persian-aware search key
// (normalize, compact_key), digit folding, tidy() and Jaro-Winkler similarity.
#include "crm/core/text.hpp"

#include "core/utf8.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace crm::text {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

void append_utf8(std::string& out, char32_t c) {
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

constexpr bool is_joiner(char32_t c) noexcept { return c == 0x200C || c == 0x200D; }

// White space as a reader sees it, ZWNJ/ZWJ included: in names they are
// word separators typed in place of a space.
constexpr bool is_space_like(char32_t c) noexcept {
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200D) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
           c == 0x205F || c == 0x3000;
}

// utf8proc's custom mapping cannot delete a code point, so tatweel is
// turned into SOFT HYPHEN, which UTF8PROC_IGNORE drops and put() skips.
constexpr char32_t kDropped = 0x00AD;

// The Persian spelling of a code point: the letter forms Arabic keyboards
// and Arabic-script sources produce for the same Persian word, and digits.
constexpr char32_t fold_persian(char32_t c) noexcept {
    if (c < 0x80) return (c >= 0x09 && c <= 0x0D) ? U' ' : c;
    // clang-format off
    switch (c) {
        case 0x064A: case 0x0649: case 0x0626: return 0x06CC;  // ي ى ئ -> ی
        case 0x0643: return 0x06A9;                            // ك -> ک
        case 0x0629: case 0x06C0: case 0x06D5: return 0x0647;  // ة ۀ ە -> ه
        case 0x0623: case 0x0625: case 0x0622: case 0x0671: return 0x0627;  // أ إ آ ٱ -> ا
        case 0x0624: return 0x0648;                            // ؤ -> و
        case 0x0640: return kDropped;                          // tatweel
        default: break;
    }
    // clang-format on
    if (c >= 0x06F0 && c <= 0x06F9) return U'0' + (c - 0x06F0);
    if (c >= 0x0660 && c <= 0x0669) return U'0' + (c - 0x0660);
    if (is_space_like(c)) return U' ';
    return c;
}

utf8proc_int32_t fold_callback(utf8proc_int32_t c, void*) {
    return static_cast<utf8proc_int32_t>(fold_persian(static_cast<char32_t>(c)));
}

constexpr auto kKeyOptions = static_cast<utf8proc_option_t>(
    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_IGNORE | UTF8PROC_STRIPCC |
    UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);

// Builds the search key code point by code point: folds again (NFKC turns
// presentation forms such as U+FEDB back into Arabic letters), collapses
// space runs and trims by never emitting a leading or trailing space.
class KeyWriter {
public:
    explicit KeyWriter(std::string& out) : out_(out) {}
    void put(char32_t c) {
        c = fold_persian(c);
        if (c == U' ') {
            space_ = !out_.empty();
        } else if (c != kDropped) {
            if (space_) out_ += ' ';
            space_ = false;
            append_utf8(out_, c);
        }
    }

private:
    std::string& out_;
    bool space_ = false;
};

// utf8proc NFKC + case folding + mark stripping with the Persian folding
// as its custom mapping; calls `each` with every resulting code point.
// `s` must be valid UTF-8; false only when utf8proc fails (out of memory).
template <class Each>
bool key_via_utf8proc_raw(std::string_view s, Each&& each) {
    utf8proc_uint8_t* mapped = nullptr;
    const utf8proc_ssize_t n = utf8proc_map_custom(
        reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
        static_cast<utf8proc_ssize_t>(s.size()), &mapped, kKeyOptions, fold_callback, nullptr);
    if (n < 0) {
        std::free(mapped);
        return false;
    }
    const std::string_view m(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(n));
    char32_t cp = 0;
    for (std::size_t i = 0; i < m.size();) {
        const std::size_t len = decode(m, i, cp);
        if (len == 0) break;  // utf8proc only writes valid UTF-8
        each(cp);
        i += len;
    }
    std::free(mapped);
    return true;
}

// The full path, for any valid UTF-8.
bool key_via_utf8proc(std::string_view s, std::string& out) {
    KeyWriter w(out);
    return key_via_utf8proc_raw(s, [&](char32_t cp) { w.put(cp); });
}

// The key of each code point in U+0000..U+07FF (Latin, Greek, Cyrillic,
// Hebrew, Arabic...) and U+2000..U+206F (General Punctuation), computed once
// by utf8proc itself and folded. Once marks are stripped, NFKC composes
// nothing between two code points of these blocks, so a text made only of
// them gets the same key piece by piece, without utf8proc's passes and
// allocations: several times faster on Persian names.
struct KeyPiece {
    enum Kind : std::uint8_t { letters, space, nothing, via_utf8proc };
    std::array<char, 14> bytes{};  // the folded UTF-8 of a `letters` piece
    std::uint8_t size = 0;
    Kind kind = nothing;
};

constexpr char32_t kGeneralPunctuationFirst = 0x2000, kGeneralPunctuationLast = 0x206F;
constexpr std::size_t kLowBlocks = 0x800;

class KeyPieces {
public:
    KeyPieces() {
        for (char32_t c = 0; c < kLowBlocks; ++c) pieces_[c] = build(c);
        for (char32_t c = kGeneralPunctuationFirst; c <= kGeneralPunctuationLast; ++c)
            pieces_[kLowBlocks + (c - kGeneralPunctuationFirst)] = build(c);
    }
    const KeyPiece* find(char32_t c) const noexcept {
        if (c < kLowBlocks) return &pieces_[c];
        if (c >= kGeneralPunctuationFirst && c <= kGeneralPunctuationLast)
            return &pieces_[kLowBlocks + (c - kGeneralPunctuationFirst)];
        return nullptr;
    }

private:
    static KeyPiece build(char32_t c) {
        std::string one, folded;
        append_utf8(one, c);
        bool spaces = false;
        if (!key_via_utf8proc_raw(one, [&](char32_t cp) {
                cp = fold_persian(cp);
                if (cp == U' ')
                    spaces = true;
                else if (cp != kDropped)
                    append_utf8(folded, cp);
            }))
            return KeyPiece{{}, 0, KeyPiece::via_utf8proc};
        KeyPiece piece;
        if (folded.empty()) {
            piece.kind = spaces ? KeyPiece::space : KeyPiece::nothing;
        } else if (spaces || folded.size() > piece.bytes.size()) {
            piece.kind = KeyPiece::via_utf8proc;  // rare shapes are left to the full path
        } else {
            piece.kind = KeyPiece::letters;
            std::copy(folded.begin(), folded.end(), piece.bytes.begin());
            piece.size = static_cast<std::uint8_t>(folded.size());
        }
        return piece;
    }

    std::array<KeyPiece, kLowBlocks + (kGeneralPunctuationLast - kGeneralPunctuationFirst + 1)>
        pieces_{};
};

const KeyPieces& key_pieces() {
    static const KeyPieces pieces;
    return pieces;
}

enum class FastKey { done, invalid_utf8, needs_utf8proc };

// The fast path, validating as it decodes. needs_utf8proc when a code point
// outside the precomputed blocks appears: the caller then starts over on the
// whole text, since NFKC may compose across neighbours there.
FastKey key_from_pieces(std::string_view s, std::string& out) {
    const KeyPieces& pieces = key_pieces();
    bool space = false;
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t len = decode(s, i, cp);
        if (len == 0) return FastKey::invalid_utf8;
        i += len;
        const KeyPiece* piece = pieces.find(cp);
        KeyPiece::Kind kind = KeyPiece::via_utf8proc;
        if (piece != nullptr)
            kind = piece->kind;
        else if (is_space_like(cp))
            kind = KeyPiece::space;
        switch (kind) {
            case KeyPiece::letters:
                if (space) out += ' ';
                space = false;
                out.append(piece->bytes.data(), piece->size);
                break;
            case KeyPiece::space: space = !out.empty(); break;
            case KeyPiece::nothing: break;
            case KeyPiece::via_utf8proc: return FastKey::needs_utf8proc;
        }
    }
    return FastKey::done;
}

bool is_ascii(std::string_view s) noexcept {
    return std::all_of(s.begin(), s.end(),
                       [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
}

// Pure ASCII (most e-mails, Latin names, codes): lower-case and collapse
// white space; other control characters are dropped as utf8proc's STRIPCC
// would.
std::string ascii_key(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool space = false;
    for (const char ch : s) {
        const auto b = static_cast<unsigned char>(ch);
        if (b == ' ' || (b >= 0x09 && b <= 0x0D)) {
            space = !out.empty();
        } else if (b >= 0x20 && b != 0x7F) {
            if (space) out += ' ';
            space = false;
            out += (b >= 'A' && b <= 'Z') ? static_cast<char>(b + ('a' - 'A')) : ch;
        }
    }
    return out;
}

std::vector<char32_t> code_points(std::string_view s) {
    std::vector<char32_t> cps;
    cps.reserve(s.size());
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        const std::size_t len = decode(s, i, cp);
        cps.push_back(len == 0 ? kReplacement : cp);
        i += len == 0 ? 1 : len;
    }
    return cps;
}

double jaro_winkler(const std::vector<char32_t>& a, const std::vector<char32_t>& b) {
    if (a.empty() && b.empty()) return 1.0;
    if (a.empty() || b.empty()) return 0.0;
    const std::size_t longer = std::max(a.size(), b.size());
    const std::size_t window = longer / 2 > 0 ? longer / 2 - 1 : 0;
    std::vector<char> a_matched(a.size(), 0), b_matched(b.size(), 0);
    std::size_t matches = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::size_t from = i > window ? i - window : 0;
        const std::size_t to = std::min(b.size(), i + window + 1);
        for (std::size_t j = from; j < to; ++j) {
            if (!b_matched[j] && a[i] == b[j]) {
                a_matched[i] = b_matched[j] = 1;
                ++matches;
                break;
            }
        }
    }
    if (matches == 0) return 0.0;
    std::size_t half_transpositions = 0;
    for (std::size_t i = 0, j = 0; i < a.size(); ++i) {
        if (!a_matched[i]) continue;
        while (!b_matched[j]) ++j;
        if (a[i] != b[j]) ++half_transpositions;
        ++j;
    }
    const double m = static_cast<double>(matches);
    const double t = static_cast<double>(half_transpositions) / 2.0;
    const double jaro =
        (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) + (m - t) / m) / 3.0;
    std::size_t prefix = 0;
    while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
    return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

}  // namespace

bool is_valid_utf8(std::string_view s) noexcept {
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const std::size_t len = decode(s, i, cp);
        if (len == 0) return false;
        i += len;
    }
    return true;
}

std::string excerpt(std::string_view s, std::size_t max_bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(std::min(s.size(), max_bytes) + 16);
    std::size_t i = 0;
    char32_t cp = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t len = 1;
        std::string piece;
        if (b >= 0x80) len = decode(s, i, cp);
        if (len == 0) {  // a byte that is not UTF-8
            len = 1;
            piece = {'\\', 'x', kHex[b >> 4], kHex[b & 15]};
        } else if (b < 0x20 || b == 0x7F || b == '\\') {
            piece = b == '\n' ? "\\n" : b == '\r' ? "\\r" : b == '\t' ? "\\t" : b == '\\' ? "\\\\"
                  : std::string{'\\', 'x', kHex[b >> 4], kHex[b & 15]};
        } else {
            piece.assign(s.substr(i, len));
        }
        if (out.size() + piece.size() > max_bytes) break;
        out += piece;
        i += len;
    }
    if (i < s.size()) out += "...(" + std::to_string(s.size()) + " bytes)";
    return out;
}

result<void> check(std::string_view s, std::string_view field, std::size_t max_bytes) {
    if (!is_valid_utf8(s))
        return fail(errc::invalid_argument, "is not valid UTF-8", std::string(field));
    if (s.size() > max_bytes)
        return fail(errc::invalid_argument,
                    "is longer than " + std::to_string(max_bytes) + " bytes", std::string(field));
    for (const char ch : s) {
        const auto b = static_cast<unsigned char>(ch);
        if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r') || b == 0x7F)
            return fail(errc::invalid_argument, "contains a control character", std::string(field));
    }
    return ok();
}

namespace {
// For each code point below U+0800 (ASCII, Latin, Arabic script): whether it
// folds to itself as a letter, so that is_key reads one- and two-byte
// characters from a table.
const std::array<bool, kLowBlocks>& folds_to_itself() {
    static const std::array<bool, kLowBlocks> table = [] {
        std::array<bool, kLowBlocks> t{};
        const KeyPieces& pieces = key_pieces();
        std::string utf8;
        for (char32_t cp = 0; cp < kLowBlocks; ++cp) {
            const KeyPiece* piece = pieces.find(cp);
            if (piece == nullptr || piece->kind != KeyPiece::letters) continue;
            utf8.clear();
            append_utf8(utf8, cp);
            t[cp] = utf8 == std::string_view(piece->bytes.data(), piece->size);
        }
        return t;
    }();
    return table;
}
}  // namespace

bool is_key(std::string_view s) noexcept {
    if (s.empty()) return true;
    if (s.front() == ' ' || s.back() == ' ') return false;
    bool space = false;
    if (is_ascii(s)) {  // as ascii_key: control characters go, capitals fold
        for (const char ch : s) {
            const auto b = static_cast<unsigned char>(ch);
            if (b == ' ') {
                if (space) return false;  // two spaces collapse into one
                space = true;
                continue;
            }
            space = false;
            if (b < 0x20 || b == 0x7F || (b >= 'A' && b <= 'Z')) return false;
        }
        return true;
    }
    // As key_from_pieces: each character must fold to itself.
    const auto& table = folds_to_itself();
    const KeyPieces& pieces = key_pieces();
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        if (b0 == ' ') {
            if (space) return false;
            space = true;
            ++i;
            continue;
        }
        space = false;
        if (b0 < 0x80) {
            if (!table[b0]) return false;
            ++i;
            continue;
        }
        if (b0 >= 0xC2 && b0 < 0xE0 && i + 1 < s.size()) {
            const auto b1 = static_cast<unsigned char>(s[i + 1]);
            if ((b1 & 0xC0) != 0x80) return false;
            if (!table[((b0 & 0x1Fu) << 6) | (b1 & 0x3Fu)]) return false;
            i += 2;
            continue;
        }
        const std::size_t len = decode(s, i, cp);
        if (len == 0) return false;
        const KeyPiece* piece = pieces.find(cp);
        if (piece == nullptr || piece->kind != KeyPiece::letters || piece->size != len ||
            s.compare(i, len, std::string_view(piece->bytes.data(), piece->size)) != 0)
            return false;
        i += len;
    }
    return true;
}

std::string normalize(std::string_view s) {
    if (is_ascii(s)) return ascii_key(s);
    std::string out;
    out.reserve(s.size());
    switch (key_from_pieces(s, out)) {
        case FastKey::done: return out;
        case FastKey::invalid_utf8: return {};
        case FastKey::needs_utf8proc: break;
    }
    out.clear();
    if (!is_valid_utf8(s) || !key_via_utf8proc(s, out)) return {};
    return out;
}

std::string compact_key(std::string_view s) {
    std::string key = normalize(s);
    key.erase(std::remove(key.begin(), key.end(), ' '), key.end());
    return key;
}

std::string ascii_digits(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        if (i + 1 < s.size()) {
            const auto b1 = static_cast<unsigned char>(s[i + 1]);
            // U+06F0..U+06F9 is DB B0..DB B9; U+0660..U+0669 is D9 A0..D9 A9.
            if (b0 == 0xDB && b1 >= 0xB0 && b1 <= 0xB9) {
                out += static_cast<char>('0' + (b1 - 0xB0));
                ++i;
                continue;
            }
            if (b0 == 0xD9 && b1 >= 0xA0 && b1 <= 0xA9) {
                out += static_cast<char>('0' + (b1 - 0xA0));
                ++i;
                continue;
            }
        }
        out += static_cast<char>(b0);
    }
    return out;
}

std::string tidy(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    // A pending gap is emitted only when a visible character follows, which
    // trims both ends; a gap made only of ZWNJ/ZWJ is kept as written because
    // inside a Persian word it shapes the letters (می‌خواهم) and is not a space.
    bool gap = false, gap_has_space = false;
    std::string_view gap_joiners;
    char32_t cp = 0;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = decode(s, i, cp);
        if (len == 0) {
            cp = kReplacement;  // an invalid byte is kept as it is, not interpreted
            len = 1;
        }
        const std::string_view bytes = s.substr(i, len);
        i += len;
        if (is_space_like(cp)) {
            if (!gap) gap_joiners = {};
            gap = true;
            if (is_joiner(cp)) {
                if (gap_joiners.empty()) gap_joiners = bytes;
            } else {
                gap_has_space = true;
            }
            continue;
        }
        if (gap && !out.empty()) {
            if (gap_has_space)
                out += ' ';
            else
                out += gap_joiners;
        }
        gap = gap_has_space = false;
        out += bytes;
    }
    return out;
}

double similarity(std::string_view a, std::string_view b) {
    if (a == b) return 1.0;
    return jaro_winkler(code_points(a), code_points(b));
}

}  // namespace crm::text
