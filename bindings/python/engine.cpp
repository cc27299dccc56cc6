// bindings/python/engine.cpp - crm.Engine: every method of crm::Engine and
// the CSV imports, with keyword arguments. Arguments are converted while the
// GIL is held; the engine call itself runs with the GIL released.
#include <cerrno>
#include <fstream>
#include <sstream>

#include "binding.hpp"
#include "crm/engine.hpp"
#include "crm/core/limits.hpp"
#include "crm/import.hpp"

namespace crm::commands {
// The command catalogue's dispatcher (src/commands/catalogue.hpp), declared
// here so this translation unit does not parse the JSON library.
result<std::string> execute(Engine& engine, std::string_view method, std::string_view request_json);
}  // namespace crm::commands

namespace crmpy {

namespace {

using crm::errc;

/// The Python-side Engine: a shared handle, so that close() cannot pull the
/// engine away from a call running in another thread.
struct PyEngine {
    std::shared_ptr<crm::Engine> engine;
    std::shared_ptr<crm::ManualClock> clock;  ///< set when opened with now=
    crm::Context defaults;
    std::string database;

    std::shared_ptr<crm::Engine> get() const {
        if (!engine) raise(errc::invalid_transition, "the engine is closed", "engine");
        return engine;
    }
    crm::ManualClock& manual_clock() const {
        get();
        if (!clock)
            raise(errc::unsupported,
                  "the engine reads the system clock; open it with now= to set the time", "now");
        return *clock;
    }
    crm::Context context(py::handle actor, py::handle source) const {
        crm::Context c = defaults;
        if (!is_none(actor)) c.actor = to_text(actor, "actor");
        if (!is_none(source)) c.source = to_text(source, "source");
        return c;
    }
};

/// Runs fn(engine) without the GIL and returns its value, or raises its error.
template <class F>
auto call(const PyEngine& self, F&& fn) {
    std::shared_ptr<crm::Engine> eng = self.get();
    return unwrap(released([&] { return fn(*eng); }));
}

template <class T>
py::object written(crm::Written<T>&& w) {
    return py::cast(Written{py::cast(std::move(w.record)), crm::to_string(w.outcome)});
}

template <class T>
py::list list_of(std::vector<T>&& items) {
    py::list out(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) out[i] = py::cast(std::move(items[i]));
    return out;
}

std::string idx(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

/// Iterates a list or tuple argument, calling fn(item, path_of_item).
template <class F>
void each(py::handle list, const std::string& field, F&& fn) {
    if (!PyList_Check(list.ptr()) && !PyTuple_Check(list.ptr())) type_error(field, "a list", list);
    std::size_t i = 0;
    for (py::handle item : list) fn(item, idx(field, i++));
}

// ---- party input ------------------------------------------------------------

#define CRM_PARTY_FIELDS(X)                                                               \
    X(first_name) X(last_name) X(organization_name) X(national_id) X(lifecycle_stage)     \
    X(owner) X(city) X(country) X(tags) X(add_tags) X(remove_tags) X(contacts) X(email)   \
    X(phone) X(remove_contacts) X(custom) X(created_at)
#define CRM_PARAM(n) py::object n,
#define CRM_MOVE(n) std::move(n),
#define CRM_ARG(n) py::arg(#n) = py::none(),

struct PartyArgs {
    py::object kind, external_id;
#define CRM_MEMBER(n) py::object n;
    CRM_PARTY_FIELDS(CRM_MEMBER)
#undef CRM_MEMBER
};

/// A PartyInput, and for each of its contacts the argument it came from
/// ("contacts[0]", "email", "phone[1]"), to name it in errors.
struct PartyWrite {
    crm::PartyInput input;
    std::vector<std::string> contact_origin;
};

crm::Consent consent_of(py::handle h, const std::string& path) {
    py::dict d = to_dict_arg(h, path, {"channel", "status", "at", "source"});
    crm::Consent c;
    if (auto v = item(d, "channel"); !is_none(v)) c.channel = to_text(v, join(path, "channel"));
    if (auto v = item(d, "status"); !is_none(v))
        c.status = unwrap(crm::parse_consent_status(to_text(v, join(path, "status")), join(path, "status")));
    if (auto v = item(d, "at"); !is_none(v)) c.at = to_time(v, join(path, "at"));
    if (auto v = item(d, "source"); !is_none(v)) c.source = to_text(v, join(path, "source"));
    return c;
}

crm::ContactInput contact_of(py::handle h, const std::string& path) {
    // id and operator are what a ContactPoint's to_dict() carries (and
    // operator_name, its earlier name); an input is matched by kind and
    // value, so they are read-only and ignored.
    py::dict d = to_dict_arg(h, path,
                             {"kind", "value", "type", "primary", "verified", "consents", "id",
                              "operator", "operator_name"});
    crm::ContactInput c;
    py::object kind = item(d, "kind"), value = item(d, "value");
    if (is_none(kind)) raise(errc::invalid_argument, "is required", join(path, "kind"));
    if (is_none(value)) raise(errc::invalid_argument, "is required", join(path, "value"));
    c.kind = unwrap(crm::parse_contact_kind(to_text(kind, join(path, "kind")), join(path, "kind")));
    c.value = to_text(value, join(path, "value"));
    if (auto v = item(d, "type"); !is_none(v)) c.type = to_text(v, join(path, "type"));
    if (auto v = item(d, "primary"); !is_none(v)) c.primary = to_bool(v, join(path, "primary"));
    if (auto v = item(d, "verified"); !is_none(v)) c.verified = to_bool(v, join(path, "verified"));
    if (auto v = item(d, "consents"); !is_none(v))
        each(v, join(path, "consents"),
             [&](py::handle x, const std::string& p) { c.consents.push_back(consent_of(x, p)); });
    return c;
}

// email= and phone= take one str or a list of them.
void add_shortcut(PartyWrite& w, py::handle arg, crm::ContactKind kind, const char* name) {
    if (is_none(arg)) return;
    auto add = [&](py::handle v, const std::string& origin) {
        crm::ContactInput c;
        c.kind = kind;
        c.value = to_text(v, origin);
        w.input.contacts.push_back(std::move(c));
        w.contact_origin.push_back(origin);
    };
    if (PyUnicode_Check(arg.ptr())) add(arg, name);
    else each(arg, name, add);
}

PartyWrite party_write(const PartyArgs& a) {
    PartyWrite w;
    crm::PartyInput& in = w.input;
    if (!is_none(a.kind)) in.kind = unwrap(crm::parse_party_kind(to_text(a.kind, "kind"), "kind"));
    in.external_id = opt_text(a.external_id, "external_id");
    in.first_name = opt_text(a.first_name, "first_name");
    in.last_name = opt_text(a.last_name, "last_name");
    in.organization_name = opt_text(a.organization_name, "organization_name");
    in.national_id = opt_text(a.national_id, "national_id");
    in.lifecycle_stage = opt_text(a.lifecycle_stage, "lifecycle_stage");
    in.owner = opt_text(a.owner, "owner");
    in.city = opt_text(a.city, "city");
    in.country = opt_text(a.country, "country");
    if (!is_none(a.tags)) in.tags = to_strings(a.tags, "tags");
    if (!is_none(a.add_tags)) in.add_tags = to_strings(a.add_tags, "add_tags");
    if (!is_none(a.remove_tags)) in.remove_tags = to_strings(a.remove_tags, "remove_tags");
    if (!is_none(a.contacts))
        each(a.contacts, "contacts", [&](py::handle x, const std::string& p) {
            in.contacts.push_back(contact_of(x, p));
            w.contact_origin.push_back(p);
        });
    add_shortcut(w, a.email, crm::ContactKind::email, "email");
    add_shortcut(w, a.phone, crm::ContactKind::phone, "phone");
    if (!is_none(a.remove_contacts)) {
        if (!PyList_Check(a.remove_contacts.ptr()) && !PyTuple_Check(a.remove_contacts.ptr()))
            type_error("remove_contacts", "a list of ids", a.remove_contacts);
        in.remove_contacts = to_ids(a.remove_contacts, "remove_contacts");
    }
    if (!is_none(a.custom)) {
        if (!PyDict_Check(a.custom.ptr())) type_error("custom", "a dict", a.custom);
        for (auto [k, v] : py::reinterpret_borrow<py::dict>(a.custom)) {
            const std::string name = to_text(k, "custom keys");
            in.custom[name] = to_value(v, "custom." + name);
        }
    }
    if (!is_none(a.created_at)) in.created_at = to_time(a.created_at, "created_at");
    return w;
}

/// Runs a party write; an error about contacts[i] is renamed after the
/// argument the contact came from (email=, phone=).
template <class F>
auto party_call(const PyEngine& self, const PartyWrite& w, F&& fn) {
    std::shared_ptr<crm::Engine> eng = self.get();
    auto r = released([&] { return fn(*eng, w.input); });
    if (!r) {
        crm::error e = r.error();
        if (e.field.rfind("contacts[", 0) == 0) {
            const auto close = e.field.find(']');
            const std::size_t i = std::stoul(e.field.substr(9, close - 9));
            if (i < w.contact_origin.size()) {
                const std::string& origin = w.contact_origin[i];
                std::string rest = e.field.substr(close + 1);
                // email= and phone= give values only: "email", not "email.value".
                if (origin.rfind("contacts[", 0) != 0 && rest == ".value") rest.clear();
                e.field = origin + rest;
            }
        }
        raise(std::move(e));
    }
    return std::move(r).value();
}

// ---- other inputs -----------------------------------------------------------

std::string text_or(py::handle h, const char* field, std::string fallback = {}) {
    return is_none(h) ? fallback : to_text(h, field);
}

crm::PurchaseLine line_of(py::handle h, const std::string& path) {
    py::dict d = to_dict_arg(h, path, {"sku", "name", "quantity", "unit_price", "total"});
    crm::PurchaseLine l;
    if (auto v = item(d, "sku"); !is_none(v)) l.sku = to_text(v, join(path, "sku"));
    if (auto v = item(d, "name"); !is_none(v)) l.name = to_text(v, join(path, "name"));
    if (auto v = item(d, "quantity"); !is_none(v)) l.quantity = to_int(v, join(path, "quantity"));
    if (auto v = item(d, "unit_price"); !is_none(v)) l.unit_price = to_money(v, join(path, "unit_price"));
    if (auto v = item(d, "total"); !is_none(v)) l.total = to_money(v, join(path, "total"));
    return l;
}

crm::Survivorship survivorship_of(py::handle h, const std::string& field) {
    const std::string s = to_text(h, field);
    if (s == "survivor") return crm::Survivorship::survivor;
    if (s == "merged") return crm::Survivorship::merged;
    if (s == "newest") return crm::Survivorship::newest;
    raise(errc::invalid_argument, "'" + s.substr(0, 40) + "' is not one of: survivor, merged, newest",
          field);
}

double to_double(py::handle h, const std::string& field) {
    if (PyBool_Check(h.ptr()) || (!PyFloat_Check(h.ptr()) && !PyLong_Check(h.ptr())))
        type_error(field, "a number", h);
    return h.cast<double>();
}

crm::MatchRule rule_of(py::handle h, const std::string& path) {
    py::dict d = to_dict_arg(h, path, {"name", "all_of", "score"});
    crm::MatchRule r;
    if (auto v = item(d, "name"); !is_none(v)) r.name = to_text(v, join(path, "name"));
    if (auto v = item(d, "score"); !is_none(v)) r.score = to_double(v, join(path, "score"));
    if (auto v = item(d, "all_of"); !is_none(v))
        each(v, join(path, "all_of"), [&](py::handle x, const std::string& p) {
            py::dict c = to_dict_arg(x, p, {"field", "min_similarity"});
            crm::MatchCondition cond;
            py::object f = item(c, "field");
            if (is_none(f)) raise(errc::invalid_argument, "is required", join(p, "field"));
            cond.field = unwrap(crm::parse_match_field(to_text(f, join(p, "field")), join(p, "field")));
            if (auto s = item(c, "min_similarity"); !is_none(s))
                cond.min_similarity = to_double(s, join(p, "min_similarity"));
            r.all_of.push_back(cond);
        });
    return r;
}

/// The CSV text to import: a path (str or os.PathLike) or a file object.
std::unique_ptr<std::istream> open_csv(py::handle source) {
    if (!is_none(source) && !PyUnicode_Check(source.ptr()) && py::hasattr(source, "read")) {
        py::object data = source.attr("read")();
        std::string text;
        if (PyBytes_Check(data.ptr())) text = data.cast<std::string>();
        else text = to_text(data, "path");
        return std::make_unique<std::istringstream>(std::move(text));
    }
    py::object path = py::module_::import("os").attr("fspath")(source);
    const std::string name = to_text(path, "path");
    auto in = std::make_unique<std::ifstream>(name, std::ios::binary);
    if (!*in) {
        errno = errno ? errno : ENOENT;
        PyErr_SetFromErrnoWithFilename(PyExc_OSError, name.c_str());
        throw py::error_already_set();
    }
    return in;
}

template <class ImportFn>
crm::ImportReport run_import(const PyEngine& self, py::handle source, bool dry_run,
                             py::handle progress, int batch_size, py::handle actor,
                             py::handle ctx_source, ImportFn fn) {
    std::unique_ptr<std::istream> csv = open_csv(source);
    crm::ImportOptions o;
    o.dry_run = dry_run;
    o.batch_size = batch_size;
    if (!is_none(actor)) o.context.actor = to_text(actor, "actor");
    if (!is_none(ctx_source)) o.context.source = to_text(ctx_source, "source");
    if (!is_none(progress) && !PyCallable_Check(progress.ptr()))
        type_error("progress", "callable", progress);
    // The import cannot be cancelled from the callback: an exception it
    // raises stops further callbacks and is raised when the import returns.
    std::optional<py::error_already_set> failed;
    if (!is_none(progress)) {
        o.progress = [progress, &failed](std::uint64_t bytes) {
            py::gil_scoped_acquire gil;
            if (failed) return;
            try {
                progress(bytes);
            } catch (py::error_already_set& e) {
                failed.emplace(std::move(e));
            }
        };
    }
    std::shared_ptr<crm::Engine> eng = self.get();
    auto r = released([&] { return fn(*eng, *csv, o); });
    if (failed) throw std::move(*failed);
    return unwrap(std::move(r));
}

const char* const kPartyDoc =
    "Fields left None are not written. tags replaces every tag; add_tags and remove_tags "
    "edit them. contacts is a list of dicts {kind, value, type, primary, verified, consents}; "
    "email= and phone= add contacts of that kind (a str or a list of str). custom maps "
    "declared custom field names to values (None clears one). remove_contacts lists contact "
    "ids to remove. actor and source are recorded in the audit trail.";

}  // namespace

void bind_engine(py::module_& m) {
    using crm::Engine;
    py::class_<PyEngine> cls(
        m, "Engine",
        "A CRM database and the operations on it. Open with Engine.open(); close with "
        "close() or a with block. Calls from several threads are serialised.");

    cls.def_static(
           "open",
           [](py::handle database, py::handle default_region, py::handle now,
              py::handle lifecycle_stages, py::handle actor, py::handle source, py::handle mode,
              int busy_timeout_ms, py::handle file_directories) {
               crm::EngineOptions o;
               py::object fspath = py::module_::import("os").attr("fspath");
               o.database = to_text(fspath(database), "database");
               o.default_region = to_text(default_region, "default_region");
               o.mode = unwrap(crm::parse_open_mode(to_text(mode, "mode")));
               o.busy_timeout_ms = busy_timeout_ms;
               if (!is_none(file_directories)) {
                   if (PyUnicode_Check(file_directories.ptr()) || !py::isinstance<py::sequence>(file_directories))
                       type_error("file_directories", "a list of paths", file_directories);
                   std::size_t i = 0;
                   for (py::handle d : file_directories)
                       o.file_directories.push_back(
                           to_text(fspath(d), "file_directories[" + std::to_string(i++) + "]"));
               }
               std::shared_ptr<crm::ManualClock> clock;
               if (!is_none(now)) {
                   clock = std::make_shared<crm::ManualClock>(to_time(now, "now"));
                   o.clock = clock;
               }
               if (!is_none(lifecycle_stages))
                   o.lifecycle_stages = to_strings(lifecycle_stages, "lifecycle_stages");
               PyEngine e;
               e.database = o.database;
               e.defaults.actor = to_text(actor, "actor");
               e.defaults.source = to_text(source, "source");
               e.clock = std::move(clock);
               e.engine = unwrap(released([&] { return Engine::open(std::move(o)); }));
               return e;
           },
           py::arg("database") = "memory:", py::arg("default_region") = "IR",
           py::arg("now") = py::none(), py::kw_only(), py::arg("lifecycle_stages") = py::none(),
           py::arg("actor") = "system", py::arg("source") = "api", py::arg("mode") = "create",
           py::arg("busy_timeout_ms") = 5000, py::arg("file_directories") = py::none(),
           "Opens a database: 'memory:', 'sqlite:PATH' or a file path. mode: 'create' (create "
           "and migrate when needed), 'must_exist' (NotFound when the file is missing) or "
           "'read_only'. now= (datetime, int ms or ISO text) starts a manual clock that only "
           "moves with set_now() and advance(). actor and source are the defaults of every "
           "call's audit context. busy_timeout_ms bounds the wait for a lock. "
           "file_directories: the directories execute()'s file commands may use (none: they "
           "refuse paths).")
        .def("close",
             [](PyEngine& self) {
                 std::shared_ptr<Engine> e = std::move(self.engine);
                 released([&] { e.reset(); });
             },
             "Closes the database; an open transaction is rolled back. Closing twice is harmless.")
        .def_property_readonly("closed", [](const PyEngine& self) { return !self.engine; })
        .def("__enter__", [](py::object self) { return self; })
        .def("__exit__",
             [](PyEngine& self, py::handle, py::handle, py::handle) {
                 std::shared_ptr<Engine> e = std::move(self.engine);
                 released([&] { e.reset(); });
                 return false;
             })
        .def("__repr__",
             [](const PyEngine& self) {
                 return "<crm.Engine " + py::repr(py::str(self.database)).cast<std::string>() +
                        (self.engine ? "" : " closed") + ">";
             })
        .def_property_readonly("database", [](const PyEngine& self) { return self.database; })
        .def_property_readonly(
            "backend", [](const PyEngine& self) { return std::string(self.get()->backend()); },
            "'memory' or 'sqlite'")
        .def("now", [](const PyEngine& self) { return from_time(self.get()->now()); },
             "The engine's current time (UTC).")
        .def(
            "set_now",
            [](const PyEngine& self, py::handle t) { self.manual_clock().set(to_time(t, "now")); },
            py::arg("now"), "Sets the manual clock (engines opened with now= only).")
        .def(
            "advance",
            [](const PyEngine& self, py::handle by) {
                crm::ManualClock& clock = self.manual_clock();
                std::int64_t ms = 0;
                if (py::hasattr(by, "total_seconds") && !PyLong_Check(by.ptr())) {
                    // timedelta // timedelta(milliseconds=1): whole milliseconds.
                    py::object one_ms = py::module_::import("datetime").attr("timedelta")(0, 0, 0, 1);
                    ms = to_int(by.attr("__floordiv__")(one_ms), "by");
                } else {
                    ms = to_int(by, "by");
                }
                clock.advance(ms);
            },
            py::arg("by"), "Moves the manual clock on by int milliseconds or a timedelta.")

        // ---- explicit transactions
        .def("begin", [](const PyEngine& self) { call(self, [](Engine& e) { return e.begin(); }); },
             "Groups the following calls into one transaction until commit() or rollback(). "
             "Prefer `with engine.transaction():`.")
        .def("commit", [](const PyEngine& self) { call(self, [](Engine& e) { return e.commit(); }); })
        .def("rollback",
             [](const PyEngine& self) { call(self, [](Engine& e) { return e.rollback(); }); })
        .def_property_readonly("in_transaction",
                               [](const PyEngine& self) { return self.get()->in_transaction(); })

        // ---- parties
        .def(
            "create_party",
            [](const PyEngine& self, py::object kind, py::object external_id,
               CRM_PARTY_FIELDS(CRM_PARAM) py::handle actor, py::handle source) {
                const PartyWrite w =
                    party_write(PartyArgs{std::move(kind), std::move(external_id), CRM_PARTY_FIELDS(CRM_MOVE)});
                const crm::Context ctx = self.context(actor, source);
                return py::cast(party_call(self, w, [&](Engine& e, const crm::PartyInput& in) {
                    return e.create_party(ctx, in);
                }));
            },
            py::arg("kind") = "person", py::kw_only(), py::arg("external_id") = py::none(),
            CRM_PARTY_FIELDS(CRM_ARG) py::arg("actor") = py::none(), py::arg("source") = py::none(),
            (std::string("Creates a party: a person needs a first or last name, an organization "
                         "its organization_name. Conflict if external_id is taken. ") + kPartyDoc)
                .c_str())
        .def(
            "upsert_party",
            [](const PyEngine& self, py::object external_id, py::object kind,
               CRM_PARTY_FIELDS(CRM_PARAM) py::handle actor, py::handle source) {
                if (is_none(external_id)) raise(errc::invalid_argument, "is required for an upsert", "external_id");
                const PartyWrite w =
                    party_write(PartyArgs{std::move(kind), std::move(external_id), CRM_PARTY_FIELDS(CRM_MOVE)});
                const crm::Context ctx = self.context(actor, source);
                return written(party_call(self, w, [&](Engine& e, const crm::PartyInput& in) {
                    return e.upsert_party(ctx, in);
                }));
            },
            py::arg("external_id"), py::kw_only(), py::arg("kind") = py::none(),
            CRM_PARTY_FIELDS(CRM_ARG) py::arg("actor") = py::none(), py::arg("source") = py::none(),
            (std::string("Creates or updates the party with this external_id; returns a Written "
                         "(record, outcome) whose outcome is 'created', 'updated' or 'unchanged'. ") +
             kPartyDoc)
                .c_str())
        .def(
            "update_party",
            [](const PyEngine& self, py::handle party, py::object kind, py::object external_id,
               CRM_PARTY_FIELDS(CRM_PARAM) py::handle actor, py::handle source) {
                const crm::Id id = to_id(party, "party");
                const PartyWrite w =
                    party_write(PartyArgs{std::move(kind), std::move(external_id), CRM_PARTY_FIELDS(CRM_MOVE)});
                const crm::Context ctx = self.context(actor, source);
                return py::cast(party_call(self, w, [&](Engine& e, const crm::PartyInput& in) {
                    return e.update_party(ctx, id, in);
                }));
            },
            py::arg("party"), py::kw_only(), py::arg("kind") = py::none(),
            py::arg("external_id") = py::none(), CRM_PARTY_FIELDS(CRM_ARG) py::arg("actor") = py::none(),
            py::arg("source") = py::none(),
            (std::string("Applies the given fields to an existing party. ") + kPartyDoc).c_str())
        .def(
            "get_party",
            [](const PyEngine& self, py::handle party) {
                const crm::Id id = to_id(party, "party");
                return py::cast(call(self, [&](Engine& e) { return e.get_party(id); }));
            },
            py::arg("party"), "The party; a merged-away id resolves to its survivor.")
        .def(
            "get_party_by_external_id",
            [](const PyEngine& self, py::handle external_id) {
                const std::string ext = to_text(external_id, "external_id");
                return py::cast(call(self, [&](Engine& e) { return e.get_party_by_external_id(ext); }));
            },
            py::arg("external_id"))
        .def(
            "find_party",
            [](const PyEngine& self, py::handle key) {
                const std::string k = to_text(key, "key");
                return py::cast(call(self, [&](Engine& e) { return e.find_party(k); }));
            },
            py::arg("key"), "A party by id or by external id.")
        .def(
            "list_parties",
            [](const PyEngine& self, py::handle after, int limit) {
                const crm::Id from = after.is_none() ? crm::Id{} : to_id(after, "after");
                return list_of(call(self, [&](Engine& e) { return e.list_parties(from, limit); }));
            },
            py::arg("after") = py::none(), py::arg("limit") = 100,
            "Live parties in id order after `after` (None: from the first), at most limit "
            "(1..1000); pass the last id back for the next page.")
        .def(
            "set_consent",
            [](const PyEngine& self, py::handle party, py::handle contact, py::handle consent,
               py::handle actor, py::handle source) {
                const crm::Id pid = to_id(party, "party");
                const crm::Id cid = to_id(contact, "contact");
                const crm::Consent c = consent_of(consent, "consent");
                const crm::Context ctx = self.context(actor, source);
                return py::cast(call(self, [&](Engine& e) { return e.set_consent(ctx, pid, cid, c); }));
            },
            py::arg("party"), py::arg("contact"), py::arg("consent"), py::kw_only(),
            py::arg("actor") = py::none(), py::arg("source") = py::none(),
            "Sets the consent of one channel on one contact point; consent is a dict "
            "{channel, status, at, source} or a Consent. Returns the party.")

        // ---- organisations
        .def(
            "link_to_organization",
            [](const PyEngine& self, py::handle person, py::handle organization, py::handle role,
               py::handle actor, py::handle source) {
                const crm::Id p = to_id(person, "person"), o = to_id(organization, "organization");
                const std::string r = to_text(role, "role");
                const crm::Context ctx = self.context(actor, source);
                return py::cast(
                    call(self, [&](Engine& e) { return e.link_to_organization(ctx, p, o, r); }));
            },
            py::arg("person"), py::arg("organization"), py::arg("role") = "", py::kw_only(),
            py::arg("actor") = py::none(), py::arg("source") = py::none())
        .def(
            "unlink_from_organization",
            [](const PyEngine& self, py::handle person, py::handle organization, py::handle actor,
               py::handle source) {
                const crm::Id p = to_id(person, "person"), o = to_id(organization, "organization");
                const crm::Context ctx = self.context(actor, source);
                call(self, [&](Engine& e) { return e.unlink_from_organization(ctx, p, o); });
            },
            py::arg("person"), py::arg("organization"), py::kw_only(),
            py::arg("actor") = py::none(), py::arg("source") = py::none())

        // ---- timeline
        .def(
            "log_interaction",
            [](const PyEngine& self, py::handle party, py::handle channel, py::handle direction,
               py::handle at, py::handle subject, py::handle summary, py::handle duration_s,
               py::handle outcome, py::handle external_id, py::handle handled_by,
               py::handle actor, py::handle source) {
                crm::Interaction i;
                i.party = to_id(party, "party");
                i.channel = unwrap(crm::parse_channel(to_text(channel, "channel"), "channel"));
                i.direction = unwrap(crm::parse_direction(to_text(direction, "direction"), "direction"));
                if (!is_none(at)) i.at = to_time(at, "at");
                i.subject = text_or(subject, "subject");
                i.summary = text_or(summary, "summary");
                if (!is_none(duration_s)) i.duration_s = to_int(duration_s, "duration_s");
                i.outcome = text_or(outcome, "outcome");
                i.external_id = text_or(external_id, "external_id");
                i.actor = text_or(handled_by, "handled_by");
                const crm::Context ctx = self.context(actor, source);
                return py::cast(call(self, [&](Engine& e) { return e.log_interaction(ctx, i); }));
            },
            py::arg("party"), py::arg("channel") = "other", py::kw_only(),
            py::arg("direction") = "inbound", py::arg("at") = py::none(), py::arg("subject") = "",
            py::arg("summary") = "", py::arg("duration_s") = py::none(), py::arg("outcome") = "",
            py::arg("external_id") = "", py::arg("handled_by") = py::none(),
            py::arg("actor") = py::none(), py::arg("source") = py::none(),
            "Logs an interaction (at defaults to now). handled_by names who handled it (the "
            "actor by default). With an external_id, logging it again returns the stored one.")
        .def(
            "timeline",
            [](const PyEngine& self, py::handle party, py::handle before, int limit) {
                const crm::Id id = to_id(party, "party");
                crm::TimelineQuery q;
                q.before = text_or(before, "before");
                q.limit = limit;
                return py::cast(call(self, [&](Engine& e) { return e.timeline(id, q); }));
            },
            py::arg("party"), py::kw_only(), py::arg("before") = py::none(), py::arg("limit") = 50,
            "One page of the party's interactions, newest first; pass page.next as before= "
            "for the next page.")

        // ---- activities
        .def(
            "schedule_activity",
            [](const PyEngine& self, py::handle party, py::handle subject, py::handle due,
               py::handle kind, py::handle note, py::handle assignee, py::handle actor,
               py::handle source) {
                crm::Activity a;
                a.party = to_id(party, "party");
                a.subject = to_text(subject, "subject");
                a.due = to_time(due, "due");
                a.kind = unwrap(crm::parse_activity_kind(to_text(kind, "kind"), "kind"));
                a.note = text_or(note, "note");
                a.assignee = text_or(assignee, "assignee");
                const crm::Context ctx = self.context(actor, source);
                return py::cast(call(self, [&](Engine& e) { return e.schedule_activity(ctx, a); }));
            },
            py::arg("party"), py::arg("subject"), py::arg("due"), py::kw_only(),
            py::arg("kind") = "task", py::arg("note") = "", py::arg("assignee") = "",
            py::arg("actor") = py::none(), py::arg("source") = py::none())
        .def(
            "complete_activity",
            [](const PyEngine& self, py::handle activity, py::handle actor, py::handle source) {
                const crm::Id id = to_id(activity, "activity");
                const crm::Context ctx = self.context(actor, source);
                return py::cast(call(self, [&](Engine& e) { return e.complete_activity(ctx, id); }));
            },
            py::arg("activity"), py::kw_only(), py::arg("actor") = py::none(),
            py::arg("source") = py::none(), "Marks an open activity done (InvalidTransition otherwise).")
        .def(
            "cancel_activity",
            [](const PyEngine& self, py::handle activity, py::handle actor, py::handle source) {
                const crm::Id id = to_id(activity, "activity");
                const crm::Context ctx = self.context(actor, source);
                return py::cast(call(self, [&](Engine& e) { return e.cancel_activity(ctx, id); }));
            },
            py::arg("activity"), py::kw_only(), py::arg("actor") = py::none(),
            py::arg("source") = py::none(), "Cancels an open activity (InvalidTransition otherwise).")
        .def(
            "overdue_activities",
            [](const PyEngine& self, py::handle assignee, int limit) {
                const std::string a = to_text(assignee, "assignee");
                return list_of(call(self, [&](Engine& e) { return e.overdue_activities(a, limit); }));
            },
            py::arg("assignee"), py::kw_only(), py::arg("limit") = 100,
            "Open activities of the assignee due before now, soonest first.")
        .def(
            "activities_due_by",
            [](const PyEngine& self, py::handle assignee, py::handle until, int limit) {
                const std::string a = to_text(assignee, "assignee");
                const crm::Timestamp t = to_time(until, "until");
                return list_of(call(self, [&](Engine& e) { return e.activities_due_by(a, t, limit); }));
            },
            py::arg("assignee"), py::arg("until"), py::kw_only(), py::arg("limit") = 100,
            "Open activities of the assignee due before until, soonest first.")

        // ---- purchases
        .def(
            "record_purchase",
            [](const PyEngine& self, py::handle party, py::handle order_id, py::handle ordered_at,
               py::handle total, py::handle lines, py::handle actor, py::handle source) {
                crm::Purchase p;
                p.party = to_id(party, "party");
                p.order_id = to_text(order_id, "order_id");
                p.ordered_at = to_time(ordered_at, "ordered_at");
                p.total = to_money(total, "total");
                if (!is_none(lines))
                    each(lines, "lines", [&](py::handle x, const std::string& path) {
                        p.lines.push_back(line_of(x, path));
                    });
                const crm::Context ctx = self.context(actor, source);
                return written(call(self, [&](Engine& e) { return e.record_purchase(ctx, p); }));
            },
            py::arg("party"), py::arg("order_id"), py::arg("ordered_at"), py::arg("total"),
            py::kw_only(), py::arg("lines") = py::none(), py::arg("actor") = py::none(),
            py::arg("source") = py::none(),
            "Records an ERP order (total: Money or {minor, currency}; lines: dicts {sku, name, "
            "quantity, unit_price, total}). The same order_id again updates it. Returns a Written.")
        .def(
            "purchases",
            [](const PyEngine& self, py::handle party) {
                const crm::Id id = to_id(party, "party");
                return list_of(call(self, [&](Engine& e) { return e.purchases(id); }));
            },
            py::arg("party"))

        // ---- custom fields
        .def(
            "define_field",
            [](const PyEngine& self, py::handle name, py::handle type, py::handle record_type,
               py::handle label, bool required, py::handle allowed, py::handle min, py::handle max,
               py::handle currency, py::handle actor, py::handle source) {
                crm::FieldDef d;
                d.name = to_text(name, "name");
                d.type = unwrap(crm::parse_field_type(to_text(type, "type")));
                d.record_type = to_text(record_type, "record_type");
                d.label = text_or(label, "label");
                d.required = required;
                if (!is_none(allowed)) d.allowed = to_strings(allowed, "allowed");
                if (!is_none(min)) d.min = to_int(min, "min");
                if (!is_none(max)) d.max = to_int(max, "max");
                d.currency = text_or(currency, "currency");
                const crm::Context ctx = self.context(actor, source);
                return py::cast(call(self, [&](Engine& e) { return e.define_field(ctx, d); }));
            },
            py::arg("name"), py::arg("type") = "text", py::kw_only(),
            py::arg("record_type") = "party", py::arg("label") = "", py::arg("required") = false,
            py::arg("allowed") = py::none(), py::arg("min") = py::none(),
            py::arg("max") = py::none(), py::arg("currency") = "", py::arg("actor") = py::none(),
            py::arg("source") = py::none(),
            "Declares (or updates) a custom field. type: text, integer, decimal, money, "
            "boolean, date, enum or multi_enum.")
        .def(
            "fields",
            [](const PyEngine& self, py::handle record_type) {
                const std::string rt = to_text(record_type, "record_type");
                return list_of(call(self, [&](Engine& e) { return e.fields(rt); }));
            },
            py::arg("record_type") = "party")

        // ---- 360, search, duplicates, merge
        .def(
            "customer_360",
            [](const PyEngine& self, py::handle party, int recent_interactions) {
                const crm::Id id = to_id(party, "party");
                return py::cast(
                    call(self, [&](Engine& e) { return e.customer_360(id, recent_interactions); }));
            },
            py::arg("party"), py::kw_only(), py::arg("recent_interactions") = 20)
        .def(
            "search",
            [](const PyEngine& self, py::handle text, py::handle tag, int limit, int offset) {
                crm::SearchQuery q;
                q.text = text_or(text, "text");
                q.tag = text_or(tag, "tag");
                q.limit = limit;
                q.offset = offset;
                return list_of(call(self, [&](Engine& e) { return e.search(q); }));
            },
            py::arg("text") = "", py::kw_only(), py::arg("tag") = "", py::arg("limit") = 20,
            py::arg("offset") = 0,
            "Parties matching text (external id, national id, e-mail, phone in any spelling, "
            "name) and/or carrying tag, strongest match first.")
        .def(
            "find_duplicates",
            [](const PyEngine& self, py::handle rules, double min_score, int limit) {
                crm::DuplicateOptions o;
                if (!is_none(rules))
                    each(rules, "rules", [&](py::handle x, const std::string& p) {
                        o.rules.push_back(rule_of(x, p));
                    });
                o.min_score = min_score;
                o.limit = limit;
                return list_of(call(self, [&](Engine& e) { return e.find_duplicates(o); }));
            },
            py::kw_only(), py::arg("rules") = py::none(), py::arg("min_score") = crm::DuplicateOptions{}.min_score,
            py::arg("limit") = 1000,
            "Candidate duplicate pairs, best first. rules: dicts {name, all_of: [{field, "
            "min_similarity}], score}; the built-in rules when None.")
        .def(
            "merge",
            [](const PyEngine& self, py::handle survivor, py::handle merged, py::handle rules,
               py::handle default_rule, py::handle actor, py::handle source) {
                const crm::Id s = to_id(survivor, "survivor");
                const std::vector<crm::Id> ms = to_ids(merged, "merged");
                crm::MergeRules r;
                r.default_rule = survivorship_of(default_rule, "default_rule");
                if (!is_none(rules)) {
                    if (!PyDict_Check(rules.ptr())) type_error("rules", "a dict", rules);
                    for (auto [k, v] : py::reinterpret_borrow<py::dict>(rules)) {
                        const std::string f = to_text(k, "rules keys");
                        r.fields[f] = survivorship_of(v, "rules." + f);
                    }
                }
                const crm::Context ctx = self.context(actor, source);
                return py::cast(call(self, [&](Engine& e) { return e.merge(ctx, s, ms, r); }));
            },
            py::arg("survivor"), py::arg("merged"), py::kw_only(), py::arg("rules") = py::none(),
            py::arg("default_rule") = "survivor", py::arg("actor") = py::none(),
            py::arg("source") = py::none(),
            "Merges one party or a list of parties into survivor in one transaction. rules maps "
            "a field ('city', 'custom.tier') to 'survivor', 'merged' or 'newest'.")

        // ---- audit and events
        .def(
            "audit_trail",
            [](const PyEngine& self, py::handle record, int limit) {
                const crm::Id id = to_id(record, "record");
                return list_of(call(self, [&](Engine& e) { return e.audit_trail(id, limit); }));
            },
            py::arg("record"), py::kw_only(), py::arg("limit") = 100)
        .def(
            "execute",
            [](const PyEngine& self, py::handle method, py::object request) {
                const std::string m = to_text(method, "method");
                py::module_ json = py::module_::import("json");
                std::string text = "{}";
                if (!request.is_none()) {
                    try {
                        text = json.attr("dumps")(request, py::arg("ensure_ascii") = false)
                                   .cast<std::string>();
                    } catch (py::error_already_set& e) {
                        // Python's writer recurses too: a request nested past
                        // its recursion limit is refused like one past ours.
                        if (!e.matches(PyExc_RecursionError)) throw;
                        raise(crm::errc::invalid_argument,
                              "nests arrays and objects deeper than " +
                                  std::to_string(crm::limits::json_depth) + " levels (the limit)",
                              "request");
                    }
                }
                const std::string answer = call(
                    self, [&](Engine& e) { return crm::commands::execute(e, m, text); });
                return json.attr("loads")(answer);
            },
            py::arg("method"), py::arg("request") = py::none(),
            "Runs a command of the catalogue (the same as crm_execute in C) with a dict "
            "request; returns the dict response.")
        .def(
            "events_after",
            [](const PyEngine& self, std::int64_t cursor, int limit) {
                return list_of(call(self, [&](Engine& e) { return e.events_after(cursor, limit); }));
            },
            py::arg("cursor") = 0, py::kw_only(), py::arg("limit") = 100,
            "Events with seq > cursor, oldest first.")
        .def(
            "acknowledge",
            [](const PyEngine& self, py::handle consumer, std::int64_t cursor) {
                const std::string c = to_text(consumer, "consumer");
                call(self, [&](Engine& e) { return e.acknowledge(c, cursor); });
            },
            py::arg("consumer"), py::arg("cursor"),
            "Records that consumer has handled every event up to cursor.")
        .def(
            "consumer_cursor",
            [](const PyEngine& self, py::handle consumer) {
                const std::string c = to_text(consumer, "consumer");
                return call(self, [&](Engine& e) { return e.consumer_cursor(c); });
            },
            py::arg("consumer"), "The last acknowledged cursor of consumer (0 when none).")

        // ---- imports
        .def(
            "import_customers",
            [](const PyEngine& self, py::handle path, bool dry_run, py::handle progress,
               int batch_size, py::handle actor, py::handle source) {
                return run_import(self, path, dry_run, progress, batch_size, actor, source,
                                  [](Engine& e, std::istream& in, const crm::ImportOptions& o) {
                                      return crm::import_customers_csv(e, in, o);
                                  });
            },
            py::arg("path"), py::kw_only(), py::arg("dry_run") = false,
            py::arg("progress") = py::none(), py::arg("batch_size") = 10000,
            py::arg("actor") = py::none(), py::arg("source") = py::none(),
            "Imports parties from CSV (a path or a file object): upserts by external_id. "
            "progress(bytes_read) is called now and then. Returns an ImportReport.")
        .def(
            "import_orders",
            [](const PyEngine& self, py::handle path, bool dry_run, py::handle progress,
               int batch_size, py::handle actor, py::handle source) {
                return run_import(self, path, dry_run, progress, batch_size, actor, source,
                                  [](Engine& e, std::istream& in, const crm::ImportOptions& o) {
                                      return crm::import_orders_csv(e, in, o);
                                  });
            },
            py::arg("path"), py::kw_only(), py::arg("dry_run") = false,
            py::arg("progress") = py::none(), py::arg("batch_size") = 10000,
            py::arg("actor") = py::none(), py::arg("source") = py::none(),
            "Imports purchases from CSV (external_id, order_id, ordered_at, amount_minor, "
            "currency): upserts by order_id. Returns an ImportReport.")
        .def(
            "export_customers",
            [](const PyEngine& self, py::handle target, bool overwrite) -> std::int64_t {
                // A file object gets the text; a path is opened here.
                if (!PyUnicode_Check(target.ptr()) && py::hasattr(target, "write")) {
                    std::ostringstream out(std::ios::binary);
                    const std::int64_t n = call(self, [&](Engine& e) { return crm::export_customers_csv(e, out); });
                    const std::string text = std::move(out).str();
                    // A text file gets str, a binary one bytes.
                    const bool binary = py::isinstance(target, py::module_::import("io").attr("RawIOBase")) ||
                                        py::isinstance(target, py::module_::import("io").attr("BufferedIOBase"));
                    if (binary) target.attr("write")(py::bytes(text));
                    else target.attr("write")(py::str(text));
                    return n;
                }
                const std::string file = to_text(py::module_::import("os").attr("fspath")(target), "path");
                return call(self, [&](Engine& e) { return crm::export_customers_file(e, file, overwrite); });
            },
            py::arg("path"), py::kw_only(), py::arg("overwrite") = false,
            "Writes every live party as CSV in the columns import_customers reads, to a path "
            "(never replacing a file unless overwrite=True) or a file object (text or binary); "
            "returns how many.");
}

}  // namespace crmpy
