// crm/core/phone.hpp - phone numbers to E.164, and the Iranian mobile
// operator table (updatable data: prefix -> operator).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crm/core/error.hpp"

namespace crm::phone {

/// One row of the operator table: numbers whose E.164 form starts with
/// `prefix` (e.g. "+98912") belong to `operator_name` ("Hamrah-e Aval").
struct OperatorPrefix {
    std::string prefix;
    std::string operator_name;
};

/// Mobile operators by number prefix. Longest prefix wins. The built-in
/// table covers Iran's mobile ranges (Hamrah-e Aval, Irancell, Rightel,
/// Shatel Mobile, Taliya); a host loads a newer one when ranges change, and
/// a table passed to parse() replaces the built-in one entirely.
/// A number that matches the table is valid (and mobile) even where
/// libphonenumber's metadata is older than the numbering plan. Immutable
/// once built; safe to share between threads.
class CRM_API OperatorTable {
public:
    /// The table shipped with this version of crmcore.
    static std::shared_ptr<const OperatorTable> builtin();
    /// From CSV text with header `prefix,operator,number_length`
    /// (number_length = digits of the national significant number, e.g. 10).
    /// The header must be exact (a UTF-8 BOM is ignored); blank lines are
    /// skipped; fields are not quoted, spaces around them are ignored.
    /// prefix is '+' and digits starting with a country calling code, no
    /// longer than its numbers and unique in the table; operator is
    /// non-empty; number_length is 4..15. Fails with invalid_argument, field
    /// "operators", the message naming the line ("line 3: operator is empty").
    static result<std::shared_ptr<const OperatorTable>> from_csv(std::string_view csv);

    /// Operator of an E.164 number, or empty when no prefix matches.
    std::string_view lookup(std::string_view e164) const noexcept;
    /// True when `e164` matches a prefix and has that row's length.
    bool covers(std::string_view e164) const noexcept;
    /// The rows, sorted by prefix.
    const std::vector<OperatorPrefix>& rows() const noexcept { return rows_; }

    /// Unchecked: `lengths[i]` is the total E.164 digit count (country code
    /// included) of the numbers of `rows[i]`; a row without one covers
    /// nothing. Use from_csv() for data from outside.
    explicit OperatorTable(std::vector<OperatorPrefix> rows, std::vector<int> lengths);
private:
    std::vector<OperatorPrefix> rows_;  // sorted by prefix
    std::vector<int> lengths_;          // total E.164 digits incl. country code
};

/// What a parsed number is.
enum class LineType {
    unknown,     ///< the plan does not tell (e.g. US fixed-line-or-mobile)
    mobile,      ///< mobile by libphonenumber or by the operator table
    fixed_line,
    voip,
    toll_free,
    other,       ///< premium rate, shared cost, personal, pager, UAN, voicemail
};

struct Parsed {
    std::string e164;           ///< "+989121234567"
    LineType type = LineType::unknown;
    std::string operator_name;  ///< from the operator table; empty if none
    std::string region;         ///< ISO 3166 region, "IR"; empty for +800-style codes
};

/// Parses a phone number written any common way ("09121234567",
/// "+98 912 123 4567", "00989121234567", "۰۹۱۲۱۲۳۴۵۶۷", "(021) 8888-1234")
/// in `default_region` (ISO 3166 alpha-2, any case) and returns its E.164
/// form. Persian/Arabic-Indic digits are read as digits; spaces, dashes,
/// dots, slashes, parentheses and bidi marks are ignored; '+' or "00"
/// starts an international number. Letters are rejected (no vanity
/// numbers, no extensions). `operators` is the table to use, the built-in
/// one when null. Fails with invalid_argument naming `field` when it is
/// not a valid number ("is not a valid number for region IR"), naming
/// "default_region" when that is not a known region. Thread-safe.
CRM_API result<Parsed> parse(std::string_view text, std::string_view default_region = "IR",
                             const OperatorTable* operators = nullptr,
                             std::string_view field = "phone");

}  // namespace crm::phone
