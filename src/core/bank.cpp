// src/core/bank.cpp - Sheba numbers (ISO 13616 IBAN, ISO 7064 mod 97-10),
// bank card numbers (Luhn), their banks, and Iranian postal codes.
#include "crm/core/bank.hpp"

#include <algorithm>
#include <cctype>

#include "core/clean.hpp"
#include "crm/core/text.hpp"

namespace crm::bank {
namespace {

// The banks and credit institutions by the three-digit code the Central
// Bank of Iran gives each (digits 5-7 of a Sheba).
constexpr Bank kBanks[] = {
    {"010", "بانک مرکزی جمهوری اسلامی ایران", "Central Bank of Iran"},
    {"011", "بانک صنعت و معدن", "Bank of Industry and Mine"},
    {"012", "بانک ملت", "Bank Mellat"},
    {"013", "بانک رفاه کارگران", "Refah Kargaran Bank"},
    {"014", "بانک مسکن", "Bank Maskan"},
    {"015", "بانک سپه", "Bank Sepah"},
    {"016", "بانک کشاورزی", "Bank Keshavarzi"},
    {"017", "بانک ملی ایران", "Bank Melli Iran"},
    {"018", "بانک تجارت", "Tejarat Bank"},
    {"019", "بانک صادرات ایران", "Bank Saderat Iran"},
    {"020", "بانک توسعه صادرات ایران", "Export Development Bank of Iran"},
    {"021", "پست بانک ایران", "Post Bank of Iran"},
    {"022", "بانک توسعه تعاون", "Tose'e Ta'avon Bank"},
    {"051", "موسسه اعتباری توسعه", "Tose'e Credit Institution"},
    {"052", "بانک قوامین", "Ghavamin Bank"},
    {"053", "بانک کارآفرین", "Karafarin Bank"},
    {"054", "بانک پارسیان", "Parsian Bank"},
    {"055", "بانک اقتصاد نوین", "EN Bank"},
    {"056", "بانک سامان", "Saman Bank"},
    {"057", "بانک پاسارگاد", "Bank Pasargad"},
    {"058", "بانک سرمایه", "Sarmayeh Bank"},
    {"059", "بانک سینا", "Sina Bank"},
    {"060", "بانک قرض‌الحسنه مهر ایران", "Mehr Iran Bank"},
    {"061", "بانک شهر", "Shahr Bank"},
    {"062", "بانک آینده", "Ayandeh Bank"},
    {"063", "بانک انصار", "Ansar Bank"},
    {"064", "بانک گردشگری", "Tourism Bank"},
    {"065", "بانک حکمت ایرانیان", "Hekmat Iranian Bank"},
    {"066", "بانک دی", "Dey Bank"},
    {"069", "بانک ایران زمین", "Iran Zamin Bank"},
    {"070", "بانک قرض‌الحسنه رسالت", "Resalat Bank"},
    {"073", "موسسه اعتباری کوثر", "Kosar Credit Institution"},
    {"075", "موسسه اعتباری ملل", "Melal Credit Institution"},
    {"078", "بانک خاورمیانه", "Middle East Bank"},
    {"080", "موسسه اعتباری نور", "Noor Credit Institution"},
    {"090", "بانک مهر اقتصاد", "Mehr Eghtesad Bank"},
    {"095", "بانک ایران و ونزوئلا", "Iran-Venezuela Bi-National Bank"},
};

// Card prefixes (the issuer's six digits) and the bank code they belong to.
struct Prefix {
    std::string_view digits, code;
};
constexpr Prefix kCardPrefixes[] = {
    {"636795", "010"}, {"627961", "011"}, {"610433", "012"}, {"991975", "012"}, {"589463", "013"},
    {"628023", "014"}, {"589210", "015"}, {"603770", "016"}, {"603799", "017"}, {"627353", "018"},
    {"585983", "018"}, {"603769", "019"}, {"627648", "020"}, {"627760", "021"}, {"502908", "022"},
    {"628157", "051"}, {"639599", "052"}, {"627488", "053"}, {"622106", "054"}, {"627412", "055"},
    {"621986", "056"}, {"502229", "057"}, {"639607", "058"}, {"639346", "059"}, {"606373", "060"},
    {"502806", "061"}, {"636214", "062"}, {"627381", "063"}, {"505416", "064"}, {"636949", "065"},
    {"502938", "066"}, {"505785", "069"}, {"504172", "070"}, {"505801", "073"}, {"606256", "075"},
    {"585947", "078"}, {"507677", "080"}, {"639370", "090"}, {"581874", "095"},
};

// Digits 0-9 as their values, letters A-Z as 10-35, per ISO 13616; the
// remainder mod 97 of the number they spell.
int mod97(std::string_view s) {
    int r = 0;
    for (char c : s) {
        if (c >= '0' && c <= '9') {
            r = (r * 10 + (c - '0')) % 97;
        } else {
            const int v = c - 'A' + 10;
            r = (r * 100 + v) % 97;
        }
    }
    return r;
}

std::string grouped(std::string_view s, std::size_t every, char sep) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i && i % every == 0) out += sep;
        out += s[i];
    }
    return out;
}

}  // namespace

std::optional<Bank> bank_of_code(std::string_view code) noexcept {
    for (const auto& b : kBanks)
        if (b.code == code) return b;
    return std::nullopt;
}

result<Sheba> parse_sheba(std::string_view text, std::string_view field) {
    if (text.size() > 256) return fail(errc::invalid_argument, "is longer than 256 bytes", std::string(field));
    std::string t = text::tidy(text);
    // "IR" in either case at the start; another country's IBAN is refused
    // by name.
    if (t.size() >= 2 && (t[0] == 'I' || t[0] == 'i') && (t[1] == 'R' || t[1] == 'r'))
        t.erase(0, 2);
    else if (!t.empty() && std::isalpha(static_cast<unsigned char>(t[0])))
        return fail(errc::invalid_argument, "is not an Iranian Sheba number: it must begin with IR",
                    std::string(field));
    CRM_TRY(digits, digits_only(t, field));
    if (digits.size() != 24)
        return fail(errc::invalid_argument,
                    "has " + std::to_string(digits.size()) + " digits after IR; a Sheba number has 24",
                    std::string(field));
    // ISO 13616: the country and check digits move to the end; the whole
    // number is 1 mod 97.
    if (mod97(digits.substr(2) + "IR" + digits.substr(0, 2)) != 1)
        return fail(errc::invalid_argument, "has a wrong check (ISO 7064 mod 97)", std::string(field));
    Sheba s;
    s.value = "IR" + digits;
    s.formatted = grouped(s.value, 4, ' ');
    s.bank_code = digits.substr(2, 3);
    s.bank = bank_of_code(s.bank_code);
    const std::size_t first = digits.find_first_not_of('0', 5);
    s.account = first == std::string::npos ? "0" : digits.substr(first);
    return s;
}

result<Card> parse_card(std::string_view text, std::string_view field) {
    CRM_TRY(digits, digits_only(text, field));
    if (digits.size() != 16)
        return fail(errc::invalid_argument,
                    "has " + std::to_string(digits.size()) + " digits; a bank card number has 16",
                    std::string(field));
    // Luhn: every second digit from the right doubled (less 9 above 9);
    // the sum is a multiple of ten.
    int sum = 0;
    for (std::size_t i = 0; i < 16; ++i) {
        int d = digits[15 - i] - '0';
        if (i % 2 == 1) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
    }
    if (sum % 10 != 0) return fail(errc::invalid_argument, "has a wrong check digit (Luhn)", std::string(field));
    Card c;
    c.value = digits;
    c.formatted = grouped(digits, 4, '-');
    const std::string_view prefix = std::string_view(c.value).substr(0, 6);
    for (const auto& p : kCardPrefixes)
        if (p.digits == prefix) c.bank = bank_of_code(p.code);
    return c;
}

result<std::string> normalize_postal_code(std::string_view text, std::string_view field) {
    CRM_TRY(digits, digits_only(text, field));
    if (digits.size() != 10)
        return fail(errc::invalid_argument,
                    "has " + std::to_string(digits.size()) + " digits; a postal code has 10", std::string(field));
    const auto has = [&](std::size_t from, std::size_t to, char c) {
        return std::find(digits.begin() + static_cast<std::ptrdiff_t>(from),
                         digits.begin() + static_cast<std::ptrdiff_t>(to), c) !=
               digits.begin() + static_cast<std::ptrdiff_t>(to);
    };
    if (has(0, 5, '0') || has(0, 5, '2'))
        return fail(errc::invalid_argument, "has a 0 or 2 in its first five digits, which no postal code has",
                    std::string(field));
    if (digits[4] == '5')
        return fail(errc::invalid_argument, "has 5 as its fifth digit, which no postal code has", std::string(field));
    if (has(5, 10, '2'))
        return fail(errc::invalid_argument, "has a 2 in its last five digits, which no postal code has",
                    std::string(field));
    if (digits[0] == digits[1] && digits[1] == digits[2] && digits[2] == digits[3])
        return fail(errc::invalid_argument, "begins with four equal digits, which no postal code does",
                    std::string(field));
    return digits;
}

}  // namespace crm::bank
