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
/// Shatel Mobile, ...); a host loads a newer one when ranges change.
/// A number that matches the table is valid even where libphonenumber's
/// metadata is older than the numbering plan. Immutable once built;
/// safe to share between threads.
class CRM_API OperatorTable {
public:
    /// The table shipped with this version of crmcore.
    static std::shared_ptr<const OperatorTable> builtin();
    /// From CSV text with header `prefix,operator,number_length`
    /// (number_length = digits of the national significant number, e.g. 10).
    /// Errors name the line.
    static result<std::shared_ptr<const OperatorTable>> from_csv(std::string_view csv);

    /// Operator of an E.164 number, or empty when no prefix matches.
    std::string_view lookup(std::string_view e164) const noexcept;
    /// True when `e164` matches a prefix and has the table's length.
    bool covers(std::string_view e164) const noexcept;
    const std::vector<OperatorPrefix>& rows() const noexcept { return rows_; }

    struct Row;
    explicit OperatorTable(std::vector<OperatorPrefix> rows, std::vector<int> lengths);
private:
    std::vector<OperatorPrefix> rows_;  // sorted by prefix
    std::vector<int> lengths_;          // total E.164 digits incl. country code
};

/// What a parsed number is.
enum class LineType { unknown, mobile, fixed_line, voip, toll_free, other };

struct Parsed {
    std::string e164;           ///< "+989121234567"
    LineType type = LineType::unknown;
    std::string operator_name;  ///< from the operator table; empty if none
    std::string region;         ///< ISO 3166 region, "IR"
};

/// Parses a phone number written any common way ("09121234567",
/// "+98 912 123 4567", "00989121234567", "۰۹۱۲۱۲۳۴۵۶۷", "(021) 8888-1234")
/// in `default_region` (ISO 3166 alpha-2) and returns its E.164 form.
/// Fails with invalid_argument naming `field` when it is not a valid
/// number. Thread-safe.
CRM_API result<Parsed> parse(std::string_view text, std::string_view default_region = "IR",
                             const OperatorTable* operators = nullptr,
                             std::string_view field = "phone");

}  // namespace crm::phone
