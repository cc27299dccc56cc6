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
                unterminated_ = true;
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

std::string quote(const std::string& field) {
    if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
    std::string out = "\"";
    for (char c : field) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

}  // namespace crm::csv
