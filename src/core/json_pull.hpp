// src/core/json_pull.hpp - a pull reader of JSON text that decodes straight
// into records, without building a tree.
#pragma once

#include <cctype>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace crm::json_pull {

/// A pull reader for the JSON texts read on hot paths (a party's contact
/// points and tags, an opportunity's stored body): nlohmann's DOM costs
/// about 10 us for five contact points, mostly in allocations; this reader
/// decodes straight into the records. It accepts any valid JSON of the
/// expected shape (white space, key order, unknown keys, escapes), so
/// hand-edited files still load. After the first failure every call
/// returns false.
class Reader {
public:
    explicit Reader(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

    bool fail() {
        ok_ = false;
        p_ = end_;
        return false;
    }
    bool ok() const { return ok_; }
    bool done() {
        ws();
        return ok_ && p_ == end_;
    }
    bool peek(char c) {
        ws();
        return p_ < end_ && *p_ == c;
    }
    bool eat(char c) {
        if (!peek(c)) return fail();
        ++p_;
        return true;
    }

    bool string(std::string& out) {
        out.clear();
        if (!eat('"')) return false;
        for (;;) {
            const char* q = p_;
            while (q < end_ && *q != '"' && *q != '\\' && static_cast<unsigned char>(*q) >= 0x20)
                ++q;
            out.append(p_, q);
            p_ = q;
            if (p_ >= end_ || static_cast<unsigned char>(*p_) < 0x20) return fail();
            if (*p_++ == '"') return true;
            if (p_ >= end_) return fail();
            switch (char e = *p_++) {
                case '"': case '\\': case '/': out += e; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    std::uint32_t cp = 0;
                    if (!hex4(cp)) return false;
                    if (cp >= 0xD800 && cp < 0xDC00) {
                        std::uint32_t lo = 0;
                        if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return fail();
                        p_ += 2;
                        if (!hex4(lo) || lo < 0xDC00 || lo >= 0xE000) return fail();
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else if (cp >= 0xDC00 && cp < 0xE000) {
                        return fail();
                    }
                    utf8(out, cp);
                    break;
                }
                default: return fail();
            }
        }
    }

    bool integer(std::int64_t& v) {
        ws();
        auto r = std::from_chars(p_, end_, v);
        if (r.ec != std::errc{} || r.ptr == p_) return fail();
        p_ = r.ptr;
        // A fraction or exponent is not an integer.
        if (p_ < end_ && (*p_ == '.' || *p_ == 'e' || *p_ == 'E')) return fail();
        return true;
    }

    /// True (and consumed) when the next value is null.
    bool null() {
        ws();
        return literal("null");
    }

    /// Skips one value and sets `out` to its text.
    bool span(std::string_view& out) {
        ws();
        const char* from = p_;
        if (!skip()) return false;
        out = std::string_view(from, static_cast<std::size_t>(p_ - from));
        return true;
    }

    bool boolean(bool& v) {
        ws();
        if (literal("true")) v = true;
        else if (literal("false")) v = false;
        else return fail();
        return true;
    }

    // Skips one value of any type (an unknown key's).
    bool skip() {
        ws();
        if (p_ >= end_) return fail();
        std::string scratch;
        switch (*p_) {
            case '"': return string(scratch);
            case '{': return object([&](const std::string&) { return skip(); });
            case '[': return array([&] { return skip(); });
            case 't': case 'f': { bool b; return boolean(b); }
            case 'n': return literal("null") || fail();
            default: {
                // Any number: integers, fractions, exponents.
                const char* q = p_;
                while (q < end_ && (std::isdigit(static_cast<unsigned char>(*q)) || *q == '-' ||
                                    *q == '+' || *q == '.' || *q == 'e' || *q == 'E'))
                    ++q;
                if (q == p_) return fail();
                p_ = q;
                return true;
            }
        }
    }

    // Calls item() for each element; item reads exactly one value.
    template <class F>
    bool array(F&& item) {
        if (!eat('[')) return false;
        if (peek(']')) return ++p_, true;
        do {
            if (!item()) return fail();
        } while (peek(',') && ++p_);
        return eat(']');
    }

    // Calls member(key) for each member; member reads exactly one value.
    template <class F>
    bool object(F&& member) {
        if (!eat('{')) return false;
        if (peek('}')) return ++p_, true;
        std::string key;
        do {
            if (!string(key) || !eat(':') || !member(key)) return fail();
        } while (peek(',') && ++p_);
        return eat('}');
    }

private:
    void ws() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\t' || *p_ == '\r')) ++p_;
    }
    bool literal(std::string_view w) {
        if (static_cast<std::size_t>(end_ - p_) < w.size() || std::string_view(p_, w.size()) != w)
            return false;
        p_ += w.size();
        return true;
    }
    bool hex4(std::uint32_t& v) {
        if (end_ - p_ < 4) return fail();
        for (int i = 0; i < 4; ++i) {
            char c = *p_++;
            v <<= 4;
            if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
            else return fail();
        }
        return true;
    }
    static void utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    const char* p_;
    const char* end_;
    bool ok_ = true;
};

}  // namespace crm::json_pull
