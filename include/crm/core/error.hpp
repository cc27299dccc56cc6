// crm/core/error.hpp - how every fallible call in crmcore reports failure.
// Owns crm::errc (registered with std::error_code), crm::error and crm::result<T>.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <boost/outcome/std_result.hpp>
#include <boost/outcome/try.hpp>

#include "crm/core/export.hpp"

namespace crm {

/// Kinds of failure. The numeric values are part of the C ABI (crm_status is
/// their negation) and are never renumbered; new kinds are appended.
enum class errc : int {
    ok = 0,
    invalid_argument = 1,    ///< input failed validation; error::field names it
    not_found = 2,           ///< the addressed record does not exist
    conflict = 3,            ///< uniqueness or concurrent-change violation
    invalid_transition = 4,  ///< the record's state does not allow the move
    permission_denied = 5,   ///< the context's actor may not do this
    storage = 6,             ///< the backend failed (I/O, corrupt file, locked)
    parse = 7,               ///< malformed JSON, CSV, date or number text
    unsupported = 8,         ///< a feature the backend or build does not have
    version_mismatch = 9,    ///< database written by a newer crmcore
    internal = 10,           ///< a bug in crmcore; please report it
    out_of_memory = 11,      ///< an allocation failed
    misuse = 12,             ///< the library was called wrongly: a closed or foreign handle
};

/// The std::error_category of crm::errc ("crm").
CRM_API const std::error_category& error_category() noexcept;

/// Lower-case name of an errc ("invalid_argument"); "unknown" for others.
CRM_API const char* to_string(errc code) noexcept;

inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

/// A failure: its kind, a human-readable message and, when the caller's
/// input was at fault, the path of the offending field ("contacts[1].value").
struct error {
    errc code = errc::internal;
    std::string message;
    std::string field;

    std::error_code ec() const noexcept { return make_error_code(code); }
    /// "field: message" when a field is set, else the message alone.
    CRM_API std::string what() const;
};

/// Builds an error; the common way to fail: `return crm::fail(errc::not_found, "no such party");`
inline error fail(errc code, std::string message, std::string field = {}) {
    return error{code, std::move(message), std::move(field)};
}

/// Outcome policy: calling value() on a failed result terminates the program.
/// Check with has_value() / operator bool, or propagate with CRM_TRY.
template <class T>
using result = BOOST_OUTCOME_V2_NAMESPACE::basic_result<
    T, error, BOOST_OUTCOME_V2_NAMESPACE::policy::terminate>;

/// Success of a result<void>: `return crm::ok();`
inline auto ok() noexcept { return BOOST_OUTCOME_V2_NAMESPACE::success(); }

}  // namespace crm

namespace std {
template <>
struct is_error_code_enum<crm::errc> : true_type {};
}  // namespace std

/// CRM_TRY(var, expr): assigns the value of a result to a new variable
/// `var`, or returns its error from the enclosing function.
#define CRM_TRY(var, ...) BOOST_OUTCOME_TRY(var, __VA_ARGS__)
/// CRM_TRYV(expr): returns the error of a result<void> (or any result);
/// one statement, safe in an unbraced if or loop.
#define CRM_TRYV(...)                      \
    do {                                   \
        BOOST_OUTCOME_TRYV(__VA_ARGS__);   \
    } while (0)
