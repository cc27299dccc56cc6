// src/core/latin_key.cpp - one key for a name in Persian or Latin letters
// (crm/core/text.hpp: latin_key).
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/text.hpp"
#include "core/utf8.hpp"

namespace crm::text {
namespace {

// A letter as the key sees it: a consonant class, or a vowel letter whose
// reading depends on where it stands.
enum class Kind { consonant, alef, vav, ye, ain, final_he };

struct Letter {
    Kind kind;
    char cls;  // consonant class, or the vowel it stands for
};

bool vowel_kind(Kind k) { return k == Kind::alef || k == Kind::vav || k == Kind::ye || k == Kind::ain; }

// Persian letters (after normalize(): Arabic forms already mapped).
bool persian_letter(char32_t c, Letter& out) {
    switch (c) {
        case U'ا': out = {Kind::alef, 'a'}; return true;
        case U'و': out = {Kind::vav, 'U'}; return true;
        case U'ی': out = {Kind::ye, 'I'}; return true;
        case U'ع': case U'ء': out = {Kind::ain, 0}; return true;
        case U'ه': out = {Kind::consonant, 'h'}; return true;  // final_he decided later
        case U'ب': out = {Kind::consonant, 'b'}; return true;
        case U'پ': out = {Kind::consonant, 'p'}; return true;
        case U'ت': case U'ط': out = {Kind::consonant, 't'}; return true;
        case U'ث': case U'س': case U'ص': out = {Kind::consonant, 's'}; return true;
        case U'ج': out = {Kind::consonant, 'j'}; return true;
        case U'چ': out = {Kind::consonant, 'C'}; return true;
        case U'ح': out = {Kind::consonant, 'h'}; return true;
        case U'خ': out = {Kind::consonant, 'x'}; return true;
        case U'د': out = {Kind::consonant, 'd'}; return true;
        case U'ذ': case U'ز': case U'ض': case U'ظ': out = {Kind::consonant, 'z'}; return true;
        case U'ر': out = {Kind::consonant, 'r'}; return true;
        case U'ژ': out = {Kind::consonant, 'Z'}; return true;
        case U'ش': out = {Kind::consonant, 'S'}; return true;
        case U'غ': case U'ق': out = {Kind::consonant, 'q'}; return true;
        case U'ف': out = {Kind::consonant, 'f'}; return true;
        case U'ک': out = {Kind::consonant, 'k'}; return true;
        case U'گ': out = {Kind::consonant, 'g'}; return true;
        case U'ل': out = {Kind::consonant, 'l'}; return true;
        case U'م': out = {Kind::consonant, 'm'}; return true;
        case U'ن': out = {Kind::consonant, 'n'}; return true;
        default: return false;
    }
}

bool is_persian_letter(char32_t c) { return c >= 0x0620 && c <= 0x06FF && !(c >= 0x064B && c <= 0x0669) && !(c >= 0x06F0); }

// Appends a consonant class unless the key already ends on it (doubled
// letters, and the same sound across a dropped short vowel, once).
void push(std::string& key, char c) {
    if (key.empty() || key.back() != c) key.push_back(c);
}

// The long vowels of a run of vowel letters inside a word, in order: 'I'
// for ی (i, y, ee, ei, ie), 'U' for و (ou, oo, v, w), and for Latin a
// weak 'o' for a single o or u, which Finglish writes for the short vowel
// as often as for و (Mohammad, Muhammad; Kourosh for کوروش). Short a and e
// are not written in Persian and leave nothing.
std::string inner_vowels(std::u32string_view run, bool latin) {
    std::string out;
    const auto add = [&](char c) {
        if (!out.empty() && (out.back() == c || (c == 'o' && out.back() == 'U'))) return;
        if (c == 'U' && !out.empty() && out.back() == 'o') out.pop_back();
        out.push_back(c);
    };
    for (std::size_t k = 0; k < run.size(); ++k) {
        const char32_t c = run[k];
        const char32_t next = k + 1 < run.size() ? run[k + 1] : 0;
        if (!latin) {
            if (c == U'ی') add('I');
            else if (c == U'و') add('U');
            continue;
        }
        if (c == U'e' && next == U'e') {
            add('I');
            ++k;
        } else if ((c == U'o' && (next == U'u' || next == U'o')) || (c == U'u' && next == U'u')) {
            add('U');
            ++k;
        } else if (c == U'i' || c == U'y') {
            add('I');
        } else if (c == U'v' || c == U'w') {
            add('U');
        } else if (c == U'o' || c == U'u') {
            add('o');
        }
    }
    return out;
}

// The sound a word ends on, from its last run of vowel letters: "a", "i",
// "ai" for a long a before the final i (رضایی Rezaei, Rezayi, Rezaee, apart
// from رازی Razi), "e" with the long vowel before it (رقیه Roghayeh: "Ie",
// کاوه Kaveh: "Ue"), or "u".
std::string final_vowel(std::u32string_view run, bool latin, bool final_he = false) {
    if (run.empty()) return {};
    const char32_t last = run.back();
    if (last == U'a' || last == U'ا') return "a";
    const bool ee = run.size() >= 2 && run.substr(run.size() - 2) == U"ee";
    if (last == U'i' || last == U'y' || last == U'ی' || ee) {
        const std::u32string_view before = run.substr(0, run.size() - (ee ? 2 : 1));
        // A long a before the final i (رضایی, Rezaei); a v between them is a
        // consonant (علوی Alavi, خسروی Khosravi), kept apart from علی Ali.
        const std::size_t a = before.find_last_of(U"aا");
        if (a != std::u32string_view::npos && before.find_first_of(U"vwو", a) == std::u32string_view::npos)
            return "ai";
        std::string v = inner_vowels(before, latin);
        while (!v.empty() && (v.back() == 'I' || v.back() == 'o')) v.pop_back();
        return v + "i";
    }
    // Without the h of "-eh", "-aie" is Rezaie: the final i after a long a.
    if (last == U'e' && !final_he && run.size() >= 3 && (run[run.size() - 2] == U'i' || run[run.size() - 2] == U'y'))
        return final_vowel(run.substr(0, run.size() - 1), latin);
    if (last == U'e') {
        std::string v = inner_vowels(run.substr(0, run.size() - 1), latin);
        if (v == "o") v.clear();
        return v + "e";
    }
    return "u";  // o, u, w, v, و
}

bool latin_vowel(char32_t c) {
    return c == U'a' || c == U'e' || c == U'i' || c == U'o' || c == U'u' || c == U'y' || c == U'w' || c == U'v';
}

// Names whose final ی is said "a" (alef maqsura).
bool ends_on_alef_maqsura(std::u32string_view w) {
    static const std::u32string_view kNames[] = {U"مرتضی", U"مصطفی", U"مجتبی", U"موسی", U"عیسی",
                                                 U"یحیی",  U"هدی",   U"کبری",  U"صغری", U"مرتضي"};
    for (auto n : kNames)
        if (w == n) return true;
    return false;
}

std::string persian_word(std::u32string_view w) {
    std::string key;
    std::size_t i = 0;
    // A leading vowel letter (ا آ ع, and ای/او after it) is one mark.
    if (w[0] == U'ا' || w[0] == U'ع' || w[0] == U'ء') {
        key.push_back('a');
        while (i < w.size() && (w[i] == U'ا' || w[i] == U'ع' || w[i] == U'ء' || w[i] == U'ی' || w[i] == U'و')) ++i;
    } else if (w[0] == U'و') {
        key.push_back('v');
        i = 1;
    } else if (w[0] == U'ی') {
        key.push_back('y');
        i = 1;
    }
    const bool maqsura = ends_on_alef_maqsura(w);
    while (i < w.size()) {
        Letter l{};
        if (!persian_letter(w[i], l)) {
            ++i;
            continue;
        }
        if (vowel_kind(l.kind)) {
            std::size_t j = i;
            Letter m{};
            while (j < w.size() && persian_letter(w[j], m) && vowel_kind(m.kind)) ++j;
            std::u32string run(w.substr(i, j - i));
            if (j == w.size()) {
                while (!run.empty() && (run.back() == U'ع' || run.back() == U'ء')) run.pop_back();
                if (maqsura) run = U"ا";
                return key + final_vowel(run, false);
            }
            for (char v : inner_vowels(run, false)) push(key, v);
            i = j;
            continue;
        }
        // A final ه after a consonant other than ل is the vowel "e" (فاطمه).
        if (w[i] == U'ه' && i + 1 == w.size() && i > 0 && w[i - 1] != U'ا' && w[i - 1] != U'ل') {
            key.push_back('e');
            return key;
        }
        push(key, l.cls);
        ++i;
    }
    return key;
}

std::string latin_word(std::u32string w) {
    std::string key;
    std::size_t i = 0;
    // "-eh" ends on e (Fatemeh); "-ah" keeps its h (Abdollah, Pegah).
    const bool final_he = w.size() > 2 && w.back() == U'h' && w[w.size() - 2] == U'e';
    if (final_he) w.pop_back();
    const auto vowel = [&](std::size_t k) {
        return k < w.size() && (w[k] == U'a' || w[k] == U'e' || w[k] == U'i' || w[k] == U'o' || w[k] == U'u');
    };
    if (vowel(0)) {
        key.push_back('a');
        while (vowel(i)) ++i;
    } else if (w[0] == U'y') {
        key.push_back('y');
        i = 1;
    } else if (w[0] == U'v' || w[0] == U'w') {
        key.push_back('v');
        i = 1;
    }
    while (i < w.size()) {
        const char32_t c = w[i];
        if (latin_vowel(c)) {
            std::size_t j = i;
            while (j < w.size() && latin_vowel(w[j])) ++j;
            const std::u32string_view run(w.data() + i, j - i);
            if (j == w.size()) return key + final_vowel(run, true, final_he);
            for (char v : inner_vowels(run, true)) push(key, v);
            i = j;
            continue;
        }
        const char32_t next = i + 1 < w.size() ? w[i + 1] : 0;
        char cls = 0;
        std::size_t len = 1;
        if (next == U'h' && (c == U'k' || c == U'g' || c == U's' || c == U'c' || c == U'z' || c == U'p')) {
            cls = c == U'k' ? 'x' : c == U'g' ? 'q' : c == U's' ? 'S' : c == U'c' ? 'C' : c == U'z' ? 'Z' : 'f';
            len = 2;
        } else {
            switch (c) {
                case U'q': cls = 'q'; break;
                case U'x': cls = 'x'; break;
                case U'c': cls = 'k'; break;
                default: cls = static_cast<char>(c); break;
            }
        }
        push(key, cls);
        i += len;
    }
    return key;
}

std::vector<std::string> split_words(std::string_view key) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= key.size()) {
        std::size_t end = key.find(' ', start);
        if (end == std::string_view::npos) end = key.size();
        if (end > start) out.emplace_back(key.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// Two keys equal but for what Finglish writes either way: a weak 'o' may
// stand for و ('U') or for no letter at all, and ژ is also written j.
bool alike(std::string_view a, std::string_view b) {
    const std::size_t n = a.size(), m = b.size();
    std::vector<char> seen((n + 1) * (m + 1), 0);  // positions already tried
    std::vector<std::pair<std::size_t, std::size_t>> todo{{0, 0}};
    const auto same = [](char x, char y) {
        if (x == 'Z') x = 'j';
        if (y == 'Z') y = 'j';
        const auto u = [](char c) { return c == 'U' || c == 'u'; };
        return x == y || (x == 'o' && u(y)) || (u(x) && y == 'o');
    };
    while (!todo.empty()) {
        const auto [i, j] = todo.back();
        todo.pop_back();
        if (i == n && j == m) return true;
        char& mark = seen[i * (m + 1) + j];
        if (mark) continue;
        mark = 1;
        if (i < n && a[i] == 'o') todo.emplace_back(i + 1, j);
        if (j < m && b[j] == 'o') todo.emplace_back(i, j + 1);
        if (i < n && j < m && same(a[i], b[j])) todo.emplace_back(i + 1, j + 1);
    }
    return false;
}

// The words of a key run together, as a name written as one word or two
// reads (علیرضا, Ali Reza): the mark of a leading vowel dropped after the
// first word, long and final i and u alike.
std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (std::size_t k = 0; k < words.size(); ++k)
        out += k > 0 && words[k].size() > 1 && words[k][0] == 'a' ? words[k].substr(1) : words[k];
    for (char& c : out) c = c == 'I' ? 'i' : c == 'U' ? 'u' : c;
    return out;
}

}  // namespace

std::string latin_search_key(std::string_view name) {
    std::string out;
    for (char c : latin_key(name)) {
        if (c == 'o' || c == 'U') continue;  // written or not, either way
        if (c == 'Z') c = 'j';
        if (!out.empty() && out.back() == c) continue;
        out.push_back(c);
    }
    return out;
}

double latin_key_similarity(std::string_view a, std::string_view b) {
    if (a.empty() || b.empty()) return 0;
    if (a == b) return 1;
    const std::vector<std::string> wa = split_words(a), wb = split_words(b);
    std::vector<std::string> sa = wa, sb = wb;
    std::sort(sa.begin(), sa.end());
    std::sort(sb.begin(), sb.end());
    if (sa == sb || joined(wa) == joined(wb)) return 1;  // word order free; one word or two
    // Word by word in any order, or run together, but for the spellings
    // Finglish varies.
    if (wa.size() == wb.size()) {
        std::vector<char> used(wb.size(), 0);
        bool all = true;
        for (const auto& x : wa) {
            bool found = false;
            for (std::size_t k = 0; k < wb.size() && !found; ++k)
                if (!used[k] && alike(x, wb[k])) used[k] = found = true;
            all = all && found;
        }
        if (all) return 0.95;
    }
    if (alike(joined(wa), joined(wb))) return 0.95;
    // Anything else is another name, however alike the letters: Hasan and
    // Hossein differ by one long vowel, Zahra and Zohreh by the last.
    return std::min(0.75, similarity(a, b));
}

bool is_latin_name(std::string_view s) noexcept {
    bool latin = false;
    for (std::size_t i = 0; i < s.size();) {
        const unsigned char b = static_cast<unsigned char>(s[i]);
        if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) latin = true;
        if (b == 0xD8 || b == 0xD9 || b == 0xDA || b == 0xDB) return false;  // U+0600..U+06FF
        ++i;
    }
    return latin;
}

std::string latin_key(std::string_view name) {
    const std::string norm = normalize(name);
    std::u32string text;
    for (std::size_t i = 0; i < norm.size();) {
        char32_t cp = 0;
        const std::size_t n = decode(norm, i, cp);
        if (n == 0) return {};
        text.push_back(cp);
        i += n;
    }
    std::string key;
    std::u32string word;
    const auto flush = [&] {
        if (word.empty()) return;
        const bool persian = is_persian_letter(word[0]);
        const std::string k = persian ? persian_word(word) : latin_word(word);
        word.clear();
        if (k.empty()) return;
        if (!key.empty()) key.push_back(' ');
        key += k;
    };
    for (char32_t c : text) {
        if (c == U'\'' || c == U'\u2019' || c == U'`') continue;
        const bool latin = c >= U'a' && c <= U'z';
        const bool persian = is_persian_letter(c);
        if (!latin && !persian) {
            flush();
            continue;
        }
        if (!word.empty() && is_persian_letter(word.back()) != persian) flush();  // a change of script
        word.push_back(c);
    }
    flush();
    return key;
}

}  // namespace crm::text
