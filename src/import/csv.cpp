// src/import/csv.cpp - the CSV reader and writer.
#include "import/csv.hpp"

namespace crm::csv {

int Reader::get() {
    const int c = in_.get();
    if (c != std::char_traits<char>::eof()) ++bytes_;
    return c;
}

bool Reader::next(std::vector<std::string>& fields) {
    constexpr int kEof = std::char_traits<char>::eof();
    fields.clear();
    unterminated_ = false;
    if (!started_) {
        started_ = true;
        // A UTF-8 byte-order mark is not part of the first column's name.
        if (in_.peek() == 0xEF) {
            char bom[3];
            in_.read(bom, 3);
            if (in_.gcount() == 3 && bom[1] == '\xBB' && bom[2] == '\xBF') {
                bytes_ += 3;
            } else {
                in_.clear();
                for (auto n = in_.gcount(); n > 0; --n) in_.unget();
            }
        }
    }
    int c = get();
    if (c == kEof) return false;
    record_line_ = line_;
    std::string field;
    bool quoted = false;
    for (;; c = get()) {
        if (quoted) {
            if (c == kEof) {
                // The field holds everything after the quote; its first
                // line is the rest of the line the quote opened on.
                unterminated_ = true;
                swallowed_ = 0;
                const std::size_t first_break = field.find('\n');
                bool blank = true;  // the line being scanned, so far
                for (std::size_t i = first_break; i < field.size(); ++i) {
                    const char f = field[i];
                    if (f == '\n') {
                        if (i != first_break && !blank) ++swallowed_;
                        blank = true;
                    } else if (f != ' ' && f != '\t' && f != '\r' && f != ',') {
                        blank = false;
                    }
                }
                if (first_break != std::string::npos && !blank) ++swallowed_;
                fields.push_back(std::move(field));
                return true;
            }
            if (c == '"') {
                if (in_.peek() == '"') {
                    get();
                    field.push_back('"');
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n') ++line_;
                field.push_back(static_cast<char>(c));
            }
            continue;
        }
        if (c == '"' && field.empty()) {
            quoted = true;
            quote_line_ = line_;
        } else if (c == ',') {
            fields.push_back(std::move(field));
            field.clear();
        } else if (c == '\r' && in_.peek() == '\n') {
            continue;
        } else if (c == '\n' || c == kEof) {
            if (c == '\n') ++line_;
            fields.push_back(std::move(field));
            return true;
        } else {
            field.push_back(static_cast<char>(c));
        }
    }
}

namespace {

std::string quoted(std::string_view field) {
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

}  // namespace

std::string quote(const std::string& field) {
    if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
    return quoted(field);
}

bool opens_as_formula(std::string_view value) noexcept {
    const std::size_t i = value.find_first_not_of('\'');
    if (i == std::string_view::npos) return false;
    const char c = value[i];
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

std::string cell(const std::string& value) {
    // Quoted as well as prefixed, as OWASP advises: the cell is then read
    // as one text value, a leading tab or carriage return included.
    return opens_as_formula(value) ? quoted("'" + value) : quote(value);
}

void unneutralise(std::string& field) {
    if (field.size() > 1 && field[0] == '\'' && opens_as_formula(std::string_view(field).substr(1)))
        field.erase(0, 1);
}

}  // namespace crm::csv
