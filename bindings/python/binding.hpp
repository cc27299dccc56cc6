// bindings/python/binding.hpp - what the translation units of crm._crm
// share: the C++ exception that carries a crm::error to Python, and the
// conversions between Python values and crmcore's value types.
//
// Every function here needs the GIL. Conversions run before an engine call
// releases the GIL and after it takes it back; no Python object is touched
// while the engine works.
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crm/core/error.hpp"
#include "crm/core/id.hpp"
#include "crm/core/money.hpp"
#include "crm/core/time.hpp"
#include "crm/core/value.hpp"

namespace crmpy {

namespace py = pybind11;

/// A crm::error on its way to Python; the module's exception translator
/// turns it into the crm.Error subclass of its code.
struct Failure {
    crm::error error;
};

[[noreturn]] void raise(crm::error e);
[[noreturn]] void raise(crm::errc code, std::string message, std::string field);

/// The value of a result, or raise its error. A failed result never
/// yields a half-built object.
template <class T>
T unwrap(crm::result<T>&& r) {
    if (!r) raise(std::move(r).error());
    return std::move(r).value();
}
inline void unwrap(crm::result<void>&& r) {
    if (!r) raise(std::move(r).error());
}

/// Runs fn() with the GIL released; fn must not touch Python objects.
template <class F>
auto released(F&& fn) -> decltype(fn()) {
    py::gil_scoped_release release;
    return fn();
}

// ---- Python -> C++ (raise TypeError for a wrong Python type, crm errors
// ---- naming `field` for a right type with a bad value) ------------------
std::string type_name(py::handle h);
[[noreturn]] void type_error(const std::string& field, const char* expected, py::handle got);

bool is_none(py::handle h);
std::string to_text(py::handle h, const std::string& field);
std::optional<std::string> opt_text(py::handle h, const std::string& field);
std::int64_t to_int(py::handle h, const std::string& field);
bool to_bool(py::handle h, const std::string& field);
/// A list or tuple of str (a bare str is refused: it is not a list of tags).
std::vector<std::string> to_strings(py::handle h, const std::string& field);
/// A str id, or a record with an `id` attribute (Party, ContactPoint, ...).
crm::Id to_id(py::handle h, const std::string& field);
std::vector<crm::Id> to_ids(py::handle h, const std::string& field);
/// An aware datetime, a date (midnight UTC), int milliseconds or ISO 8601 text.
crm::Timestamp to_time(py::handle h, const std::string& field);
/// A crm.Money or a dict {"minor": int, "currency": str}.
crm::Money to_money(py::handle h, const std::string& field);
/// None, bool, int, str, float/Decimal (as text), date (as text), list of
/// str, Money or a money dict.
crm::Value to_value(py::handle h, const std::string& field);
/// Keys of a dict argument; raises InvalidArgument naming the first key
/// that is not in `allowed`.
py::dict to_dict_arg(py::handle h, const std::string& field,
                     std::initializer_list<const char*> allowed);
/// `d[key]` or None.
py::object item(const py::dict& d, const char* key);
std::string join(const std::string& path, const char* key);

// ---- C++ -> Python --------------------------------------------------------
/// A timezone-aware UTC datetime.
py::object from_time(crm::Timestamp t);
py::object from_time(const std::optional<crm::Timestamp>& t);
/// The id's text, or None for the nil id.
py::object from_id(const crm::Id& id);
py::object from_value(const crm::Value& v);
py::list from_strings(const std::vector<std::string>& v);

/// Plain Python data of a value: records and Money through their to_dict(),
/// lists and dicts element by element.
py::object plain(py::handle h);

/// The result of an idempotent write (Written<T> of any record type).
struct Written {
    py::object record;
    std::string outcome;  ///< "created", "updated" or "unchanged"
};

// ---- the parts of the module --------------------------------------------
void bind_records(py::module_& m);
void bind_engine(py::module_& m);

}  // namespace crmpy
