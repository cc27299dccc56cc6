// src/import/csv.hpp - an RFC 4180 CSV reader over a stream: quoted fields
// with commas, quotes and newlines, CRLF or LF, a UTF-8 byte-order mark;
// and the writer's side: quoting, and cells a spreadsheet will not run as
// formulas.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>
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
    /// Set when the input ended inside an open quote: the quoted field took
    /// in everything from the quote to the end of the input, and this
    /// record is the last one.
    bool unterminated_quote() const noexcept { return unterminated_; }
    /// With unterminated_quote(): the line the quote opened on.
    std::int64_t quote_line() const noexcept { return quote_line_; }
    /// With unterminated_quote(): the lines after quote_line() that the
    /// open field took in, not counting blank ones (nothing but spaces,
    /// tabs and commas), which are not rows anyway.
    std::int64_t swallowed_lines() const noexcept { return swallowed_; }

private:
    int get();
    std::istream& in_;
    std::int64_t line_ = 1;
    std::int64_t record_line_ = 0;
    std::int64_t quote_line_ = 0;
    std::int64_t swallowed_ = 0;
    std::uint64_t bytes_ = 0;
    bool started_ = false;
    bool unterminated_ = false;
};

/// One field quoted as needed for CSV output.
std::string quote(const std::string& field);

/// True when a spreadsheet would read a cell beginning like `value` as a
/// formula: it begins with '=', '+', '-', '@', a tab or a carriage return
/// (OWASP's list), after any number of single quotes. The quotes count so
/// that a value that already begins with "'=" stays distinct from "=".
bool opens_as_formula(std::string_view value) noexcept;

/// A value as one exported cell: when opens_as_formula(value), a single
/// quote is put in front and the cell is always quoted; otherwise as
/// quote(). unneutralise() gives the value back.
std::string cell(const std::string& value);

/// Undoes cell() on a field read back: removes the one leading single quote
/// of a field that still opens_as_formula() without it. Other fields,
/// "+98 912..." among them, are left alone.
void unneutralise(std::string& field);

}  // namespace crm::csv
