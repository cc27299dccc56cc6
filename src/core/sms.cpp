// src/core/sms.cpp - an SMS's encoding and parts (GSM 03.38's 7-bit
// alphabet and its extension table, or UCS-2), and templates filled in.
#include "crm/core/sms.hpp"

#include <algorithm>
#include <vector>

#include "core/utf8.hpp"

namespace crm::sms {

const char* to_string(Encoding e) noexcept { return e == Encoding::gsm7 ? "gsm7" : "ucs2"; }

namespace {

// GSM 03.38's default alphabet, one septet each (the escape, 0x1B, is not
// a character of its own).
constexpr char32_t kBasic[] = {
    U'@', U'£', U'$', U'¥', U'è', U'é', U'ù', U'ì', U'ò', U'Ç', U'\n', U'Ø', U'ø', U'\r', U'Å', U'å',
    U'Δ', U'_', U'Φ', U'Γ', U'Λ', U'Ω', U'Π', U'Ψ', U'Σ', U'Θ', U'Ξ', U'Æ', U'æ', U'ß', U'É', U' ',
    U'!', U'"', U'#', U'¤', U'%', U'&', U'\'', U'(', U')', U'*', U'+', U',', U'-', U'.', U'/', U'0',
    U'1', U'2', U'3', U'4', U'5', U'6', U'7', U'8', U'9', U':', U';', U'<', U'=', U'>', U'?', U'¡',
    U'A', U'B', U'C', U'D', U'E', U'F', U'G', U'H', U'I', U'J', U'K', U'L', U'M', U'N', U'O', U'P',
    U'Q', U'R', U'S', U'T', U'U', U'V', U'W', U'X', U'Y', U'Z', U'Ä', U'Ö', U'Ñ', U'Ü', U'§', U'¿',
    U'a', U'b', U'c', U'd', U'e', U'f', U'g', U'h', U'i', U'j', U'k', U'l', U'm', U'n', U'o', U'p',
    U'q', U'r', U's', U't', U'u', U'v', U'w', U'x', U'y', U'z', U'ä', U'ö', U'ñ', U'ü', U'à'};

// Its extension table: the escape and the character, two septets each.
constexpr char32_t kExtension[] = {U'\f', U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', U'€'};

// Septets of one character in GSM-7, or 0 when it has none.
int septets(char32_t c) {
    if (std::find(std::begin(kBasic), std::end(kBasic), c) != std::end(kBasic)) return 1;
    if (std::find(std::begin(kExtension), std::end(kExtension), c) != std::end(kExtension)) return 2;
    return 0;
}

}  // namespace

result<Parts> count_parts(std::string_view text, std::string_view field) {
    if (text.size() > kMaxTextBytes)
        return fail(errc::invalid_argument, "is longer than " + std::to_string(kMaxTextBytes) + " bytes",
                    std::string(field));
    // Each character's cost in both encodings; GSM-7 until one has none.
    std::vector<int> gsm, ucs;
    bool seven_bit = true;
    for (std::size_t i = 0; i < text.size();) {
        char32_t cp = 0;
        const std::size_t len = text::decode(text, i, cp);
        if (len == 0) return fail(errc::invalid_argument, "is not valid UTF-8", std::string(field));
        i += len;
        const int s = septets(cp);
        if (s == 0) seven_bit = false;
        gsm.push_back(s);
        ucs.push_back(cp > 0xFFFF ? 2 : 1);
    }
    Parts p;
    p.encoding = seven_bit ? Encoding::gsm7 : Encoding::ucs2;
    const std::vector<int>& cost = seven_bit ? gsm : ucs;
    p.characters = static_cast<std::int64_t>(cost.size());
    for (int c : cost) p.units += c;
    const std::int64_t single = seven_bit ? 160 : 70, each = seven_bit ? 153 : 67;
    if (p.units == 0) return p;
    if (p.units <= single) {
        p.parts = 1;
        p.per_part = single;
        p.remaining = single - p.units;
        return p;
    }
    // Parts of a concatenated message: a character that does not fit whole
    // starts the next part.
    p.per_part = each;
    std::int64_t used = 0;
    p.parts = 1;
    for (int c : cost) {
        if (used + c > each) {
            ++p.parts;
            used = 0;
        }
        used += c;
    }
    if (p.parts > kMaxParts)
        return fail(errc::invalid_argument,
                    "needs " + std::to_string(p.parts) + " parts; a message has at most " + std::to_string(kMaxParts),
                    std::string(field));
    p.remaining = each - used;
    return p;
}

result<std::string> render(std::string_view tmpl, const std::map<std::string, std::string>& fields,
                           std::string_view field) {
    if (tmpl.size() > kMaxTextBytes)
        return fail(errc::invalid_argument, "is longer than " + std::to_string(kMaxTextBytes) + " bytes",
                    std::string(field));
    std::string out;
    out.reserve(tmpl.size());
    for (std::size_t i = 0; i < tmpl.size(); ++i) {
        const char c = tmpl[i];
        if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
            out += c;
            ++i;
            continue;
        }
        if (c == '}') return fail(errc::invalid_argument, "has a } that closes nothing (write }} for one)", std::string(field));
        if (c != '{') {
            out += c;
            continue;
        }
        const std::size_t close = tmpl.find('}', i + 1);
        if (close == std::string_view::npos)
            return fail(errc::invalid_argument, "has a { that is not closed (write {{ for one)", std::string(field));
        const std::string_view name = tmpl.substr(i + 1, close - i - 1);
        const bool well_formed = !name.empty() && name.size() <= 64 &&
                                 std::all_of(name.begin(), name.end(), [](char ch) {
                                     return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                                            ch == '.';
                                 });
        if (!well_formed)
            return fail(errc::invalid_argument, "has a field name that is not [a-z0-9_.] in {}", std::string(field));
        const auto it = fields.find(std::string(name));
        if (it == fields.end())
            return fail(errc::invalid_argument, "names an unknown field {" + std::string(name) + "}",
                        std::string(field));
        out += it->second;
        i = close;
    }
    return out;
}

}  // namespace crm::sms
