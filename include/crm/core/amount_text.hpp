// crm/core/amount_text.hpp - amounts as Iranian invoices print them: Persian
// digits with the Persian thousands separator, and the amount in words
// (مبلغ به حروف), in rials or in tomans.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crm/core/error.hpp"
#include "crm/core/money.hpp"

namespace crm::persian {

/// The unit an IRR amount is shown in: rials, as stored, or tomans (ten
/// rials). Showing tomans never changes the stored amount.
enum class IrrUnit { rial, toman };

/// "rial", "toman".
CRM_API const char* to_string(IrrUnit u) noexcept;
/// Fails with invalid_argument naming `field`.
CRM_API result<IrrUnit> parse_irr_unit(std::string_view s, std::string_view field = "unit");

/// The largest amount written, in minor units either way: 10^15 (ten
/// thousand billion rials).
inline constexpr std::int64_t kMaxAmountTextMinor = 1'000'000'000'000'000;

/// A whole number in Persian words, any int64: "صفر", "یک هزار و
/// یکصد", "چهارصد و شش میلیون", "منفی پنج". Hundreds are one word
/// (یکصد، دویست، چهارصد، پانصد); scale words (هزار، میلیون، میلیارد،
/// تریلیون، کوادریلیون، کوینتیلیون) stand apart after their count, which is always
/// written (یک هزار, یک میلیون); the parts are joined by " و ".
CRM_API std::string number_in_words(std::int64_t n);

/// A whole number in ASCII digits grouped by three with commas:
/// "4,406,062,500", "-12".
CRM_API std::string group_thousands(std::int64_t n);

/// ASCII digits in Persian (۰-۹), "," as the Persian thousands separator
/// (U+066C) and "." as the Persian decimal separator (U+066B); everything
/// else as it is.
CRM_API std::string persian_digits(std::string_view ascii);

/// A whole number in Persian digits grouped by three with the Persian
/// thousands separator: "۴٬۴۰۶٬۰۶۲٬۵۰۰", "-۱۲".
CRM_API std::string grouped_digits(std::int64_t n);

/// An amount as printed: `digits` ("۴٬۴۰۶٬۰۶۲٬۵۰۰ ریال") and `words`
/// ("چهار میلیارد و چهارصد و شش میلیون و شصت و دو هزار و پانصد ریال").
struct AmountText {
    std::string digits;
    std::string words;
};

/// The amount of `m` in its major unit. IRR is named ریال, or تومان with
/// IrrUnit::toman: a rial remainder is then added ("… تومان و پنج ریال").
/// Other currencies carry their Persian name where it is common (دلار،
/// یورو، درهم، …) or their code. A fraction of the major unit is written
/// with the Persian decimal separator in digits (۱۲٫۵۰) and as hundredths
/// in words ("دوازده و پنجاه صدم دلار"). Fails with invalid_argument naming
/// `field` beyond kMaxAmountTextMinor, or "unit" for tomans of another
/// currency.
CRM_API result<AmountText> amount_text(const Money& m, IrrUnit unit = IrrUnit::rial,
                                       std::string_view field = "amount");

}  // namespace crm::persian
