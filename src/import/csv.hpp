// src/import/csv.hpp - an RFC 4180 CSV reader over a stream: quoted fields
// with commas, quotes and newlines, CRLF or LF, a UTF-8 byte-order mark.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace crm::csv {

class Reader {
public:
    explicit Reader(std::istream& in) : in_(in) {}

    /// Reads the next record into `fields`; false at the end of input.
    /// `line()` is then the 1-based line the record started on.
    bool next(std::vector<std::string>& fields);
    std::int64_t line() const noexcept { return record_line_; }
    std::uint64_t bytes_read() const noexcept { return bytes_; }
    /// Set when the record ended inside an open quote (input truncated).
    bool unterminated_quote() const noexcept { return unterminated_; }

private:
    int get();
    std::istream& in_;
    std::int64_t line_ = 1;
    std::int64_t record_line_ = 0;
    std::uint64_t bytes_ = 0;
    bool started_ = false;
    bool unterminated_ = false;
};

/// One field quoted as needed for CSV output.
std::string quote(const std::string& field);

}  // namespace crm::csv
