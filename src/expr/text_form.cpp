// src/expr/text_form.cpp - the small text form: parsed into the JSON form
// (one loader checks both), with errors mapped back to character offsets.
#include <algorithm>
#include <charconv>
#include <map>

#include "core/json_text.hpp"
#include "crm/core/text.hpp"
#include "expr/ast.hpp"

namespace crm::expr {
namespace {

// A JSON string literal.
std::string js(std::string_view s) {
    std::string out;
    json_text::append_json_string(out, s);
    return out;
}

enum class Tok { end, ident, number, string, punct };

struct Token {
    Tok kind = Tok::end;
    std::string text;  // ident, number (ASCII digits), string (unescaped), punct
    std::size_t at = 0;  // byte offset
};

std::size_t char_offset(std::string_view s, std::size_t byte) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < byte && i < s.size(); ++i)
        n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
    return n;
}

// A Persian (U+06F0..) or Arabic-Indic (U+0660..) digit at s[i]: its value, else -1.
int wide_digit(std::string_view s, std::size_t i) {
    if (i + 1 >= s.size()) return -1;
    const auto b0 = static_cast<unsigned char>(s[i]), b1 = static_cast<unsigned char>(s[i + 1]);
    if (b0 == 0xDB && b1 >= 0xB0 && b1 <= 0xB9) return b1 - 0xB0;
    if (b0 == 0xD9 && b1 >= 0xA0 && b1 <= 0xA9) return b1 - 0xA0;
    return -1;
}

bool ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }

class Lexer {
public:
    explicit Lexer(std::string_view s) : s_(s) {}

    result<std::vector<Token>> run() {
        std::vector<Token> out;
        while (true) {
            while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r'))
                ++p_;
            Token t;
            t.at = p_;
            if (p_ >= s_.size()) {
                out.push_back(t);
                return out;
            }
            const char c = s_[p_];
            if (ident_start(c)) {
                t.kind = Tok::ident;
                while (p_ < s_.size() &&
                       (ident_char(s_[p_]) || (s_[p_] == '.' && p_ + 1 < s_.size() && ident_start(s_[p_ + 1]))))
                    t.text += s_[p_++];
            } else if ((c >= '0' && c <= '9') || wide_digit(s_, p_) >= 0) {
                t.kind = Tok::number;
                digits(t.text);
                if (p_ + 1 < s_.size() && s_[p_] == '.' &&
                    ((s_[p_ + 1] >= '0' && s_[p_ + 1] <= '9') || wide_digit(s_, p_ + 1) >= 0)) {
                    t.text += s_[p_++];
                    digits(t.text);
                }
            } else if (c == '"') {
                t.kind = Tok::string;
                ++p_;
                while (true) {
                    if (p_ >= s_.size()) return error_at(t.at, "the text is not closed with '\"'");
                    const char d = s_[p_++];
                    if (d == '"') break;
                    if (d != '\\') {
                        t.text += d;
                        continue;
                    }
                    if (p_ >= s_.size()) return error_at(t.at, "the text is not closed with '\"'");
                    const char e = s_[p_++];
                    if (e == '"' || e == '\\') t.text += e;
                    else if (e == 'n') t.text += '\n';
                    else if (e == 't') t.text += '\t';
                    else return error_at(p_ - 2, "unknown escape; use \\\" \\\\ \\n or \\t");
                }
            } else {
                t.kind = Tok::punct;
                static constexpr std::string_view kTwo[] = {"!=", "<=", ">="};
                const std::string_view two = s_.substr(p_, 2);
                bool matched = false;
                for (auto op : kTwo)
                    if (two == op) matched = true;
                if (matched) {
                    t.text = std::string(two);
                    p_ += 2;
                } else if (std::string_view("()[],=<>+-").find(c) != std::string_view::npos) {
                    t.text = std::string(1, c);
                    ++p_;
                } else {
                    return error_at(p_, "unexpected character");
                }
            }
            out.push_back(std::move(t));
        }
    }

    error error_at(std::size_t byte, const std::string& message, errc code = errc::parse) const {
        return fail(code, message, "@" + std::to_string(char_offset(s_, byte)));
    }

private:
    void digits(std::string& out) {
        while (p_ < s_.size()) {
            if (s_[p_] >= '0' && s_[p_] <= '9') {
                out += s_[p_++];
            } else if (const int d = wide_digit(s_, p_); d >= 0) {
                out += static_cast<char>('0' + d);
                p_ += 2;
            } else {
                break;
            }
        }
    }

    std::string_view s_;
    std::size_t p_ = 0;
};

// A parsed piece: an operand (its JSON text in `leaf`) or an operator with parts.
struct Piece {
    std::size_t at = 0;
    std::string op;  // "" for an operand; "and", "eq", "in", "list", ...
    std::string leaf;
    std::vector<Piece> kids;
};

class Parser {
public:
    Parser(const Lexer& lexer, std::vector<Token> tokens) : lexer_(lexer), t_(std::move(tokens)) {}

    result<Piece> parse() {
        CRM_TRY(p, disjunction(0));
        if (peek().kind != Tok::end) return unexpected("'and', 'or' or the end");
        return p;
    }

private:
    const Token& peek(std::size_t ahead = 0) const { return t_[std::min(i_ + ahead, t_.size() - 1)]; }
    bool is(std::string_view word, std::size_t ahead = 0) const {
        const Token& t = peek(ahead);
        return (t.kind == Tok::ident || t.kind == Tok::punct) && t.text == word;
    }
    const Token& next() { return t_[std::min(i_++, t_.size() - 1)]; }

    error unexpected(const std::string& expected) const {
        const Token& t = peek();
        const std::string found = t.kind == Tok::end      ? "the end"
                                  : t.kind == Tok::string ? "a text"
                                                          : "'" + t.text + "'";
        return lexer_.error_at(t.at, "expected " + expected + ", found " + found);
    }

    result<void> expect(std::string_view word) {
        if (!is(word)) return unexpected("'" + std::string(word) + "'");
        ++i_;
        return ok();
    }

    result<Piece> chain(const char* word, std::size_t depth, bool conj) {
        const std::size_t at = peek().at;
        CRM_TRY(first, conj ? negation(depth) : conjunction(depth));
        if (!is(word)) return first;
        Piece p;
        p.at = at;
        p.op = word;
        p.kids.push_back(std::move(first));
        while (is(word)) {
            ++i_;
            CRM_TRY(k, conj ? negation(depth) : conjunction(depth));
            p.kids.push_back(std::move(k));
        }
        return p;
    }
    result<Piece> disjunction(std::size_t depth) { return chain("or", depth, false); }
    result<Piece> conjunction(std::size_t depth) { return chain("and", depth, true); }

    result<Piece> negation(std::size_t depth) {
        if (depth > kMaxDepth)
            return lexer_.error_at(peek().at,
                                   "nests conditions deeper than " + std::to_string(kMaxDepth) + " levels",
                                   errc::invalid_argument);
        if (is("not")) {
            Piece p;
            p.at = next().at;
            p.op = "not";
            CRM_TRY(k, negation(depth + 1));
            p.kids.push_back(std::move(k));
            return p;
        }
        if (is("(")) {
            ++i_;
            CRM_TRY(inner, disjunction(depth + 1));
            CRM_TRYV(expect(")"));
            return inner;
        }
        return predicate();
    }

    result<Piece> predicate() {
        const std::size_t at = peek().at;
        CRM_TRY(a, operand());
        Piece p;
        p.at = at;
        static const std::pair<std::string_view, const char*> kCompare[] = {
            {"=", "eq"}, {"!=", "ne"}, {"<", "lt"}, {"<=", "le"}, {">", "gt"}, {">=", "ge"}};
        for (const auto& [symbol, name] : kCompare) {
            if (peek().kind == Tok::punct && peek().text == symbol) {
                ++i_;
                p.op = name;
                CRM_TRY(b, operand());
                p.kids = {std::move(a), std::move(b)};
                return p;
            }
        }
        if (is("in")) {
            ++i_;
            p.op = "in";
            Piece list;
            list.at = peek().at;
            list.op = "list";
            CRM_TRYV(expect("["));
            while (!is("]")) {
                if (!list.kids.empty()) CRM_TRYV(expect(","));
                CRM_TRY(e, operand());
                list.kids.push_back(std::move(e));
            }
            ++i_;
            p.kids = {std::move(a), std::move(list)};
            return p;
        }
        if (is("between")) {
            ++i_;
            p.op = "between";
            CRM_TRY(low, operand());
            CRM_TRYV(expect("and"));
            CRM_TRY(high, operand());
            p.kids = {std::move(a), std::move(low), std::move(high)};
            return p;
        }
        if (is("contains") || is("starts_with")) {
            p.op = next().text;
            CRM_TRY(b, operand());
            p.kids = {std::move(a), std::move(b)};
            return p;
        }
        if (is("is")) {
            const std::size_t is_at = next().at;
            const bool negated = is("not");
            if (negated) ++i_;
            CRM_TRYV(expect("empty"));
            p.op = "is_empty";
            p.kids.push_back(std::move(a));
            if (!negated) return p;
            Piece n;
            n.at = is_at;
            n.op = "not";
            n.kids.push_back(std::move(p));
            return n;
        }
        return a;  // a boolean field or literal standing alone
    }

    // `jalali` or `gregorian`, as a JSON member to append.
    std::string calendar_word() {
        if (is("jalali") || is("gregorian")) return ",\"calendar\":" + js(next().text);
        return {};
    }

    // `in "Asia/Tehran"` after a relative time (and not `in [` of a list).
    std::string zone() {
        if (is("in") && peek(1).kind == Tok::string) {
            ++i_;
            return ",\"time_zone\":" + js(next().text);
        }
        return {};
    }

    result<std::string> number(bool negative) {
        if (peek().kind != Tok::number) return unexpected("a number");
        const Token& t = next();
        const std::string text = (negative ? "-" : "") + t.text;
        if (peek().kind == Tok::ident && peek().text.size() == 3 &&
            std::all_of(peek().text.begin(), peek().text.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
            return "{\"money\":" + js(text) + ",\"currency\":" + js(next().text) + "}";
        if (text.find('.') != std::string::npos) return "{\"decimal\":" + js(text) + "}";
        std::int64_t v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc() || end != text.data() + text.size())
            return lexer_.error_at(t.at, "is larger than a 64-bit integer; write decimal \"...\"");
        return std::to_string(v);
    }

    result<Piece> operand() {
        Piece p;
        p.at = peek().at;
        const Token& t = peek();
        if (t.kind == Tok::string) {
            p.leaf = js(next().text);
            return p;
        }
        if (t.kind == Tok::number || (is("-") && peek(1).kind == Tok::number)) {
            const bool negative = is("-");
            if (negative) ++i_;
            CRM_TRY(j, number(negative));
            p.leaf = std::move(j);
            return p;
        }
        if (t.kind != Tok::ident) return unexpected("an operand");
        if (is("true") || is("false")) {
            p.leaf = next().text;
            return p;
        }
        if ((is("date") || is("timestamp") || is("decimal")) && peek(1).kind == Tok::string) {
            const std::string kind = next().text;
            p.leaf = "{" + js(kind) + ":" + js(next().text);
            if (kind == "date") p.leaf += calendar_word();
            p.leaf += "}";
            return p;
        }
        if (is("now")) {
            ++i_;
            std::string offset = "0d";
            if (is("+") || is("-")) {
                const std::string sign = next().text == "-" ? "-" : "";
                if (peek().kind != Tok::number || peek().text.find('.') != std::string::npos)
                    return unexpected("a whole number");
                const std::string amount = next().text;
                if (peek().kind != Tok::ident) return unexpected("a unit (min, h, d, w, mo)");
                offset = sign + amount + next().text;
            }
            p.leaf = "{\"now\":" + js(offset) + calendar_word();
            p.leaf += zone() + "}";
            return p;
        }
        if (is("start") && is("of", 1)) {
            i_ += 2;
            int offset = 0;
            if (is("previous")) offset = -1;
            else if (is("next")) offset = 1;
            if (is("this") || is("previous") || is("next")) ++i_;
            auto cal = calendar_word();
            if (peek().kind != Tok::ident) return unexpected("day, week, month, quarter or year");
            p.leaf = "{\"start_of\":" + js(next().text) + cal;
            if (offset) p.leaf += ",\"offset\":" + std::to_string(offset);
            p.leaf += zone() + "}";
            return p;
        }
        p.leaf = "{\"field\":" + js(next().text) + "}";
        return p;
    }

    const Lexer& lexer_;
    std::vector<Token> t_;
    std::size_t i_ = 0;
};

// Appends the JSON text of a piece, and records the byte offset of every
// JSON path in it.
void emit(const Piece& p, const std::string& path, std::map<std::string, std::size_t>& at,
          std::string& out) {
    at[path] = p.at;
    if (p.op.empty()) {
        out += p.leaf;
        return;
    }
    const auto items = [&](const std::string& base) {
        out += '[';
        for (std::size_t k = 0; k < p.kids.size(); ++k) {
            if (k) out += ',';
            emit(p.kids[k], base + "[" + std::to_string(k) + "]", at, out);
        }
        out += ']';
    };
    if (p.op == "list") return items(path);
    const std::string inner = path + "." + p.op;
    out += "{" + js(p.op) + ":";
    if (p.op == "not" || p.op == "is_empty") emit(p.kids[0], inner, at, out);
    else items(inner);
    out += '}';
}

}  // namespace

result<Expr> Expr::from_text(std::string_view text, const Schema& schema) {
    if (text.size() > kMaxJsonBytes)
        return fail(errc::invalid_argument, "is larger than 1 MiB", "@0");
    if (!text::is_valid_utf8(text)) return fail(errc::parse, "is not valid UTF-8", "@0");
    try {
        Lexer lexer(text);
        CRM_TRY(tokens, lexer.run());
        Parser parser(lexer, std::move(tokens));
        CRM_TRY(piece, parser.parse());
        std::map<std::string, std::size_t> at;
        std::string doc;
        emit(piece, "$", at, doc);
        auto loaded = Expr::from_json(doc, schema);
        if (loaded) return loaded;
        // Name the text's offset instead of the JSON path: the nearest
        // enclosing piece of the path that failed.
        error e = loaded.error();
        std::string path = e.field;
        while (!path.empty() && !at.count(path)) {
            const std::size_t cut = path.find_last_of(".[");
            path = cut == std::string::npos ? std::string() : path.substr(0, cut);
        }
        e.field = "@" + std::to_string(char_offset(text, path.empty() ? 0 : at[path]));
        return e;
    } catch (const std::bad_alloc&) {
        return fail(errc::out_of_memory, "out of memory reading a rule", "@0");
    } catch (const std::exception& ex) {
        return fail(errc::internal, std::string("reading a rule: ") + ex.what(), "@0");
    }
}

}  // namespace crm::expr
