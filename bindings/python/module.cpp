// bindings/python/module.cpp - the crm._crm extension module: its entry
// point, the translator from crm::error to the crm.Error hierarchy, Money,
// and the conversions between Python values and crmcore value types.
// Records live in records.cpp, the Engine in engine.cpp.
#include "binding.hpp"  // first: Python.h must precede datetime.h

#include <datetime.h>

#include <cmath>

#include "crm/core/amount_text.hpp"

namespace crmpy {

// ---- errors ---------------------------------------------------------------

namespace {

// errc name -> Python exception class, registered by crm/__init__.py.
// Deliberately leaked: the translator may run while the interpreter exits.
PyObject* g_error_classes = nullptr;

// Messages may quote input that was not valid UTF-8: replace, never fail.
py::object lenient_str(const std::string& s) {
    PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
    if (!o) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(o);
}

void set_python_error(const crm::error& e) {
    const char* code = crm::to_string(e.code);
    PyObject* cls = nullptr;
    if (g_error_classes) {
        cls = PyDict_GetItemString(g_error_classes, code);
        if (!cls) cls = PyDict_GetItemString(g_error_classes, "internal");
    }
    if (!cls) {
        PyErr_SetString(PyExc_RuntimeError, (std::string(code) + ": " + e.what()).c_str());
        return;
    }
    try {
        py::object exc = py::reinterpret_borrow<py::object>(cls)(lenient_str(e.message),
                                                                 lenient_str(e.field));
        PyErr_SetObject(cls, exc.ptr());
    } catch (py::error_already_set& failed) {
        failed.restore();  // building the exception failed; that error stands
    }
}

}  // namespace

void raise(crm::error e) { throw Failure{std::move(e)}; }
void raise(crm::errc code, std::string message, std::string field) {
    throw Failure{crm::error{code, std::move(message), std::move(field)}};
}

// ---- Python -> C++ --------------------------------------------------------

std::string type_name(py::handle h) { return Py_TYPE(h.ptr())->tp_name; }

void type_error(const std::string& field, const char* expected, py::handle got) {
    throw py::type_error(field + " must be " + expected + ", not " + type_name(got));
}

bool is_none(py::handle h) { return !h || h.is_none(); }

std::string join(const std::string& path, const char* key) {
    return path.empty() ? std::string(key) : path + "." + key;
}

std::string to_text(py::handle h, const std::string& field) {
    if (!PyUnicode_Check(h.ptr())) type_error(field, "str", h);
    Py_ssize_t size = 0;
    const char* data = PyUnicode_AsUTF8AndSize(h.ptr(), &size);
    if (!data) {
        PyErr_Clear();
        raise(crm::errc::invalid_argument, "is not valid UTF-8 (it has a lone surrogate)", field);
    }
    return std::string(data, static_cast<std::size_t>(size));
}

std::optional<std::string> opt_text(py::handle h, const std::string& field) {
    if (is_none(h)) return std::nullopt;
    return to_text(h, field);
}

// An int, or an integer-like object (numpy.int64: anything with __index__);
// bool is refused, it is a flag and not a number.
static bool is_integer(PyObject* o) {
    return !PyBool_Check(o) && (PyLong_Check(o) || (!PyFloat_Check(o) && PyIndex_Check(o)));
}

std::int64_t to_int(py::handle h, const std::string& field) {
    if (!is_integer(h.ptr())) type_error(field, "int", h);
    py::object number = py::reinterpret_steal<py::object>(PyNumber_Index(h.ptr()));
    if (!number) throw py::error_already_set();
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(number.ptr(), &overflow);
    if (overflow) raise(crm::errc::invalid_argument, "is out of the 64-bit range", field);
    if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
    return v;
}

bool to_bool(py::handle h, const std::string& field) {
    if (!PyBool_Check(h.ptr())) type_error(field, "bool", h);
    return h.ptr() == Py_True;
}

std::vector<std::string> to_strings(py::handle h, const std::string& field) {
    if (!PyList_Check(h.ptr()) && !PyTuple_Check(h.ptr()) && !PyAnySet_Check(h.ptr()))
        type_error(field, "a list of str", h);
    std::vector<std::string> out;
    std::size_t i = 0;
    for (py::handle item : h) {
        out.push_back(to_text(item, field + "[" + std::to_string(i) + "]"));
        ++i;
    }
    return out;
}

crm::Id to_id(py::handle h, const std::string& field) {
    if (PyUnicode_Check(h.ptr())) return unwrap(crm::Id::parse(to_text(h, field), field));
    if (!is_none(h) && !PyLong_Check(h.ptr()) && py::hasattr(h, "id")) {
        py::object id = h.attr("id");
        if (PyUnicode_Check(id.ptr())) return unwrap(crm::Id::parse(to_text(id, field), field));
    }
    type_error(field, "an id (str) or a record with an id", h);
}

std::vector<crm::Id> to_ids(py::handle h, const std::string& field) {
    std::vector<crm::Id> out;
    if (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr())) {
        std::size_t i = 0;
        for (py::handle item : h) out.push_back(to_id(item, field + "[" + std::to_string(i++) + "]"));
    } else {
        out.push_back(to_id(h, field));
    }
    return out;
}

namespace {

// datetime supports years 1..9999: a stored instant outside them (none the
// library accepts today) is refused on the way out, not shown wrong.
const std::int64_t kMinMs = crm::days_from_civil(1, 1, 1) * crm::kMsPerDay;
const std::int64_t kEndMs = crm::days_from_civil(10000, 1, 1) * crm::kMsPerDay;

// The library's own range (years 1700..9999), which datetime can show.
crm::Timestamp checked_ms(std::int64_t ms, const std::string& field) {
    unwrap(crm::check_instant(crm::Timestamp{ms}, field));
    return crm::Timestamp{ms};
}

std::int64_t civil_ms(int y, int mo, int d, int h, int mi, int s, int us) {
    return crm::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) *
               crm::kMsPerDay +
           ((h * 60 + mi) * 60 + s) * crm::kMsPerSecond + us / 1000;
}

}  // namespace

crm::Timestamp to_time(py::handle h, const std::string& field) {
    PyObject* o = h.ptr();
    if (PyUnicode_Check(o))
        return checked_ms(unwrap(crm::parse_iso8601(to_text(h, field), field)).ms, field);
    if (is_integer(o)) return checked_ms(to_int(h, field), field);
    if (PyDateTime_Check(o)) {
        py::object offset = h.attr("utcoffset")();
        if (offset.is_none())
            raise(crm::errc::invalid_argument,
                  "is a naive datetime; give it a time zone (datetime.timezone.utc)", field);
        const std::int64_t local =
            civil_ms(PyDateTime_GET_YEAR(o), PyDateTime_GET_MONTH(o), PyDateTime_GET_DAY(o),
                     PyDateTime_DATE_GET_HOUR(o), PyDateTime_DATE_GET_MINUTE(o),
                     PyDateTime_DATE_GET_SECOND(o), PyDateTime_DATE_GET_MICROSECOND(o));
        PyObject* d = offset.ptr();
        const std::int64_t off = PyDateTime_DELTA_GET_DAYS(d) * crm::kMsPerDay +
                                 PyDateTime_DELTA_GET_SECONDS(d) * crm::kMsPerSecond +
                                 PyDateTime_DELTA_GET_MICROSECONDS(d) / 1000;
        return checked_ms(local - off, field);
    }
    if (PyDate_Check(o))
        return checked_ms(civil_ms(PyDateTime_GET_YEAR(o), PyDateTime_GET_MONTH(o),
                                   PyDateTime_GET_DAY(o), 0, 0, 0, 0),
                          field);
    type_error(field, "a datetime, int milliseconds or ISO 8601 str", h);
}

py::dict to_dict_arg(py::handle h, const std::string& field,
                     std::initializer_list<const char*> allowed) {
    py::object obj = py::reinterpret_borrow<py::object>(h);
    if (!PyDict_Check(h.ptr())) {
        if (is_none(h) || !py::hasattr(h, "to_dict")) type_error(field, "a dict", h);
        obj = h.attr("to_dict")();
        if (!PyDict_Check(obj.ptr())) type_error(field, "a dict", h);
    }
    py::dict d = py::reinterpret_borrow<py::dict>(obj);
    for (auto [key, value] : d) {
        if (!PyUnicode_Check(key.ptr())) type_error(field + " keys", "str", key);
        const std::string k = key.cast<std::string>();
        bool known = false;
        for (const char* a : allowed) known = known || k == a;
        if (!known) raise(crm::errc::invalid_argument, "is not a known field", join(field, k.c_str()));
    }
    return d;
}

py::object item(const py::dict& d, const char* key) {
    PyObject* v = PyDict_GetItemString(d.ptr(), key);
    return v ? py::reinterpret_borrow<py::object>(v) : py::none();
}

crm::Money to_money(py::handle h, const std::string& field) {
    if (py::isinstance<crm::Money>(h)) {
        const auto& m = h.cast<const crm::Money&>();
        return unwrap(crm::Money::of(m.minor, m.currency, field));
    }
    if (!PyDict_Check(h.ptr())) type_error(field, "a crm.Money or a dict {minor, currency}", h);
    py::dict d = to_dict_arg(h, field, {"minor", "currency"});
    py::object minor = item(d, "minor"), currency = item(d, "currency");
    if (is_none(minor)) raise(crm::errc::invalid_argument, "is required", join(field, "minor"));
    if (is_none(currency)) raise(crm::errc::invalid_argument, "is required", join(field, "currency"));
    return unwrap(crm::Money::of(to_int(minor, join(field, "minor")),
                                 to_text(currency, join(field, "currency")), field));
}

crm::Value to_value(py::handle h, const std::string& field) {
    PyObject* o = h.ptr();
    if (is_none(h)) return crm::Value{};
    if (PyBool_Check(o)) return crm::Value{o == Py_True};
    if (is_integer(o)) return crm::Value{to_int(h, field)};
    if (PyUnicode_Check(o)) return crm::Value{to_text(h, field)};
    if (PyFloat_Check(o)) {
        const double v = PyFloat_AS_DOUBLE(o);
        if (!std::isfinite(v)) raise(crm::errc::invalid_argument, "is not a finite number", field);
        return crm::Value{py::repr(h).cast<std::string>()};
    }
    if (PyDateTime_Check(o)) return crm::Value{crm::to_iso8601(to_time(h, field))};
    if (PyDate_Check(o)) return crm::Value{h.attr("isoformat")().cast<std::string>()};
    if (py::isinstance<crm::Money>(h) || PyDict_Check(o)) return crm::Value{to_money(h, field)};
    if (PyList_Check(o) || PyTuple_Check(o)) return crm::Value{to_strings(h, field)};
    if (type_name(h) == "decimal.Decimal") {
        if (!h.attr("is_finite")().cast<bool>())
            raise(crm::errc::invalid_argument, "is not a finite number", field);
        return crm::Value{py::str(h).cast<std::string>()};
    }
    type_error(field, "None, bool, int, float, Decimal, str, date, a list of str or Money", h);
}

// ---- C++ -> Python --------------------------------------------------------

py::object from_time(crm::Timestamp t) {
    if (t.ms < kMinMs || t.ms >= kEndMs)
        throw py::value_error("timestamp " + std::to_string(t.ms) + " ms is outside years 1..9999");
    std::int64_t days = t.ms / crm::kMsPerDay;
    std::int64_t rest = t.ms % crm::kMsPerDay;
    if (rest < 0) {
        rest += crm::kMsPerDay;
        --days;
    }
    const crm::CivilDate d = crm::civil_from_days(days);
    const int ms = static_cast<int>(rest);
    PyObject* dt = PyDateTimeAPI->DateTime_FromDateAndTime(
        d.year, static_cast<int>(d.month), static_cast<int>(d.day), ms / 3'600'000,
        ms / 60'000 % 60, ms / 1000 % 60, ms % 1000 * 1000, PyDateTime_TimeZone_UTC,
        PyDateTimeAPI->DateTimeType);
    if (!dt) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(dt);
}

py::object from_time(const std::optional<crm::Timestamp>& t) {
    return t ? from_time(*t) : py::none();
}

py::object from_id(const crm::Id& id) {
    if (id.is_nil()) return py::none();
    return py::str(id.str());
}

py::list from_strings(const std::vector<std::string>& v) {
    py::list out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = py::str(v[i]);
    return out;
}

py::object from_value(const crm::Value& v) {
    return std::visit(
        [](const auto& x) -> py::object {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, std::monostate>) return py::none();
            else if constexpr (std::is_same_v<T, bool>) return py::bool_(x);
            else if constexpr (std::is_same_v<T, std::int64_t>) return py::int_(x);
            else if constexpr (std::is_same_v<T, std::string>) return py::str(x);
            else if constexpr (std::is_same_v<T, crm::Money>) return py::cast(x);
            else return from_strings(x);
        },
        v);
}

py::object plain(py::handle h) {
    PyObject* o = h.ptr();
    if (o == Py_None || PyUnicode_Check(o) || PyLong_Check(o) || PyFloat_Check(o) ||
        PyDate_Check(o))
        return py::reinterpret_borrow<py::object>(h);
    if (PyList_Check(o) || PyTuple_Check(o)) {
        py::list out;
        for (py::handle x : h) out.append(plain(x));
        return out;
    }
    if (PyDict_Check(o)) {
        py::dict out;
        for (auto [k, v] : py::reinterpret_borrow<py::dict>(h)) out[k] = plain(v);
        return out;
    }
    if (py::hasattr(h, "to_dict")) return h.attr("to_dict")();
    return py::reinterpret_borrow<py::object>(h);
}

}  // namespace crmpy

namespace {

using namespace crmpy;

// An amount as Iranian invoices print it, in the unit named by `unit`.
crm::persian::AmountText printed(const crm::Money& x, py::handle unit) {
    const auto u = unwrap(crm::persian::parse_irr_unit(to_text(unit, "unit"), "unit"));
    return unwrap(crm::persian::amount_text(x, u, "amount"));
}

void bind_money(py::module_& m) {
    py::class_<crm::Money>(m, "Money",
                           "An amount of money: an integer in the currency's ISO 4217 minor "
                           "units (12,500 rials is Money(1250000, 'IRR')). Never a float.")
        .def(py::init([](py::handle minor, py::handle currency) {
                 return unwrap(crm::Money::of(to_int(minor, "minor"),
                                              to_text(currency, "currency"), "amount"));
             }),
             py::arg("minor"), py::arg("currency"))
        .def_static(
            "parse",
            [](py::handle amount, py::handle currency) {
                return unwrap(crm::Money::parse(to_text(amount, "amount"),
                                                to_text(currency, "currency"), "amount"));
            },
            py::arg("amount"), py::arg("currency"),
            "Parses a decimal amount in major units ('12500', '12.50', '۱۲۵۰۰').")
        .def_property_readonly("minor", [](const crm::Money& x) { return x.minor; })
        .def_property_readonly("currency", [](const crm::Money& x) { return x.currency; })
        .def_property_readonly(
            "amount",
            [](const crm::Money& x) {
                const int exp = crm::currency_exponent(x.currency);
                py::object dec = py::module_::import("decimal").attr("Decimal")(x.minor);
                return exp > 0 ? dec.attr("scaleb")(-exp) : dec;
            },
            "The amount in major units as a decimal.Decimal.")
        .def("to_dict",
             [](const crm::Money& x) {
                 py::dict d;
                 d["minor"] = x.minor;
                 d["currency"] = x.currency;
                 return d;
             })
        .def(
            "in_words", [](const crm::Money& x, py::handle unit) { return printed(x, unit).words; },
            py::arg("unit") = "rial",
            "The amount in Persian words as invoices print it (مبلغ به حروف): 'rial', or "
            "'toman' for IRR; up to 10**15 minor units.")
        .def(
            "persian", [](const crm::Money& x, py::handle unit) { return printed(x, unit).digits; },
            py::arg("unit") = "rial",
            "The amount in Persian digits with the Persian separators and its unit: "
            "'۴٬۴۰۶٬۰۶۲٬۵۰۰ ریال'.")
        .def("__str__", [](const crm::Money& x) { return x.str(); })
        .def("__repr__",
             [](const crm::Money& x) {
                 return "Money(" + std::to_string(x.minor) + ", " +
                        py::repr(py::str(x.currency)).cast<std::string>() + ")";
             })
        .def("__eq__",
             [](const crm::Money& a, py::handle b) -> py::object {
                 if (!py::isinstance<crm::Money>(b)) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
                 return py::bool_(a == b.cast<const crm::Money&>());
             })
        .def("__hash__",
             [](const crm::Money& x) { return py::hash(py::make_tuple(x.minor, x.currency)); })
        .def("__add__",
             [](const crm::Money& a, py::handle b) -> py::object {
                 if (!py::isinstance<crm::Money>(b)) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
                 return py::cast(unwrap(a.plus(b.cast<const crm::Money&>())));
             })
        .def("__mul__",
             [](const crm::Money& a, py::handle k) -> py::object {
                 if (PyBool_Check(k.ptr()) || !PyLong_Check(k.ptr()))
                     return py::reinterpret_borrow<py::object>(Py_NotImplemented);
                 return py::cast(unwrap(a.times(to_int(k, "factor"))));
             })
        .def("__rmul__", [](const crm::Money& a, py::handle k) -> py::object {
            if (PyBool_Check(k.ptr()) || !PyLong_Check(k.ptr()))
                return py::reinterpret_borrow<py::object>(Py_NotImplemented);
            return py::cast(unwrap(a.times(to_int(k, "factor"))));
        });
}

}  // namespace

PYBIND11_MODULE(_crm, m) {
    PyDateTime_IMPORT;
    if (!PyDateTimeAPI) throw py::error_already_set();
    m.doc() = "crmcore's Engine, records and errors; import the crm package, not this module.";
    m.attr("__version__") = CRM_PY_VERSION;

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const Failure& f) {
            set_python_error(f.error);
        }
    });
    m.def(
        "_register_errors",
        [](py::dict classes) {
            Py_XDECREF(g_error_classes);
            g_error_classes = classes.inc_ref().ptr();
        },
        py::arg("classes"), "Sets the exception class of each error code (crm/__init__.py).");

    bind_money(m);
    bind_records(m);
    bind_engine(m);
}
