// bindings/python/records.cpp - the records the Engine returns, as Python
// classes with read-only properties. Every record class lists its fields in
// `__fields__`; to_dict(), __repr__ and __eq__ are written once, over them.
#include <sstream>

#include "binding.hpp"
#include "crm/core/audit.hpp"
#include "crm/customer/custom_field.hpp"
#include "crm/customer/party.hpp"
#include "crm/customer/purchase.hpp"
#include "crm/customer/timeline.hpp"
#include "crm/customer/view.hpp"
#include "crm/view/customer_360.hpp"
#include "crm/import.hpp"

namespace crm::codec {
// The 360 view's lists as JSON text (src/view/codec.cpp), declared
// here so this translation unit does not parse the JSON library.
std::string view_part_json(const Customer360& v, std::string_view which);
}  // namespace crm::codec

namespace crmpy {

namespace {

py::dict record_to_dict(py::handle self) {
    py::dict out;
    for (py::handle name : py::type::handle_of(self).attr("__fields__"))
        out[name] = plain(self.attr(name));
    return out;
}

std::string record_repr(py::handle self) {
    py::handle cls = py::type::handle_of(self);
    std::string out = cls.attr("__name__").cast<std::string>() + "(";
    bool first = true;
    for (py::handle name : cls.attr("__repr_fields__")) {
        py::object v = self.attr(name);
        // Times read best as ISO 8601; everything else as its repr.
        std::string text = py::hasattr(v, "isoformat")
                               ? v.attr("isoformat")().cast<std::string>()
                               : py::repr(v).cast<std::string>();
        if (text.size() > 80) text = text.substr(0, 77) + "...";
        out += (first ? "" : ", ") + name.cast<std::string>() + "=" + text;
        first = false;
    }
    return out + ")";
}

py::object record_eq(py::handle self, py::handle other) {
    if (py::type::handle_of(self).ptr() != reinterpret_cast<PyObject*>(Py_TYPE(other.ptr())))
        return py::reinterpret_borrow<py::object>(Py_NotImplemented);
    return py::bool_(record_to_dict(self).equal(record_to_dict(other)));
}

// Sets __fields__ and __repr_fields__ and the shared methods on a record class.
void finish_record(py::handle cls, const std::vector<std::string>& fields,
                   std::initializer_list<const char*> repr) {
    py::tuple names(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) names[i] = py::str(fields[i]);
    py::tuple shown(repr.size());
    std::size_t i = 0;
    for (const char* r : repr) shown[i++] = py::str(r);
    cls.attr("__fields__") = names;
    cls.attr("__repr_fields__") = shown;
    py::object scope = py::reinterpret_borrow<py::object>(cls);
    cls.attr("to_dict") =
        py::cpp_function(&record_to_dict, py::name("to_dict"), py::is_method(scope),
                         "The record as plain Python data: a dict keyed by __fields__, with "
                         "nested records and Money as dicts.");
    cls.attr("__repr__") = py::cpp_function(&record_repr, py::name("__repr__"), py::is_method(scope));
    cls.attr("__eq__") = py::cpp_function(&record_eq, py::name("__eq__"), py::is_method(scope),
                                          py::arg("other"));
    cls.attr("__hash__") = py::none();
}

// Getters are plain function pointers wrapped by one lambda type per record
// class: pybind11 then instantiates its dispatch code once per class, not
// once per property, which keeps this file quick to compile.
template <class T>
class Record {
public:
    using Getter = py::object (*)(const T&);

    Record(py::module_& m, const char* name, const char* doc) : cls_(m, name, doc) {}

    Record& field(const char* name, Getter get, const char* doc = nullptr) {
        property(name, get, doc);
        fields_.emplace_back(name);
        return *this;
    }
    /// A property that is not part of __fields__ (derived or raw forms).
    Record& extra(const char* name, Getter get, const char* doc = nullptr) {
        property(name, get, doc);
        return *this;
    }
    py::class_<T>& cls() { return cls_; }
    void done(std::initializer_list<const char*> repr) { finish_record(cls_, fields_, repr); }

private:
    void property(const char* name, Getter get, const char* doc) {
        cls_.def_property_readonly(
            name, [get](const T& r) { return get(r); }, doc ? doc : "");
    }

    py::class_<T> cls_;
    std::vector<std::string> fields_;
};

template <class V>
py::list list_of(const std::vector<V>& items) {
    py::list out(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) out[i] = py::cast(items[i]);
    return out;
}

py::object str(const std::string& s) { return py::str(s); }
py::object from_json_text(const std::string& text) {
    return py::module_::import("json").attr("loads")(py::str(text));
}

}  // namespace

void bind_records(py::module_& m) {
    using namespace crm;

    Record<Consent>(m, "Consent", "Consent of one channel on one contact point.")
        .field("channel", [](const Consent& c) { return str(c.channel); }, "'email', 'sms', 'call', 'whatsapp', ...")
        .field("status", [](const Consent& c) { return str(to_string(c.status)); }, "'unknown', 'opt_in' or 'opt_out'")
        .field("at", [](const Consent& c) { return from_time(c.at); })
        .field("source", [](const Consent& c) { return str(c.source); }, "where the consent came from")
        .done({"channel", "status"});

    Record<ContactPoint>(m, "ContactPoint",
                         "An e-mail address, phone number (E.164), postal address or social "
                         "handle of a party, with per-channel consent.")
        .field("id", [](const ContactPoint& c) { return from_id(c.id); })
        .field("kind", [](const ContactPoint& c) { return str(to_string(c.kind)); }, "'email', 'phone', 'address' or 'social'")
        .field("type", [](const ContactPoint& c) { return str(c.type); }, "'work', 'home', 'mobile', ...")
        .field("value", [](const ContactPoint& c) { return str(c.value); }, "the normalised value")
        .field("primary", [](const ContactPoint& c) { return py::object(py::bool_(c.primary)); })
        .field("verified", [](const ContactPoint& c) { return py::object(py::bool_(c.verified)); })
        .field("operator", [](const ContactPoint& c) { return str(c.operator_name); },
               "mobile operator of a phone, if known (named as in the JSON form)")
        .extra("operator_name", [](const ContactPoint& c) { return str(c.operator_name); },
               "the same as operator, under its earlier name")
        .field("consents", [](const ContactPoint& c) { return py::object(list_of(c.consents)); })
        .done({"kind", "value", "primary"});

    Record<Party>(m, "Party", "A person or an organisation: the subject of the 360 view.")
        .field("id", [](const Party& p) { return from_id(p.id); })
        .field("kind", [](const Party& p) { return str(to_string(p.kind)); }, "'person' or 'organization'")
        .field("external_id", [](const Party& p) { return str(p.external_id); }, "the host's key ('' when none)")
        .field("display_name", [](const Party& p) { return str(p.display_name()); })
        .field("first_name", [](const Party& p) { return str(p.first_name); })
        .field("last_name", [](const Party& p) { return str(p.last_name); })
        .field("organization_name", [](const Party& p) { return str(p.organization_name); })
        .field("national_id", [](const Party& p) { return str(p.national_id); })
        .field("lifecycle_stage", [](const Party& p) { return str(p.lifecycle_stage); })
        .field("owner", [](const Party& p) { return str(p.owner); })
        .field("city", [](const Party& p) { return str(p.city); })
        .field("country", [](const Party& p) { return str(p.country); }, "ISO 3166 alpha-2")
        .field("tags", [](const Party& p) { return py::object(from_strings(p.tags)); })
        .field("custom",
               [](const Party& p) {
                   py::dict d;
                   for (const auto& [k, v] : p.custom) d[py::str(k)] = from_value(v);
                   return py::object(std::move(d));
               },
               "custom field values by name")
        .field("contacts", [](const Party& p) { return py::object(list_of(p.contacts)); })
        .field("created_at", [](const Party& p) { return from_time(p.created_at); })
        .field("updated_at", [](const Party& p) { return from_time(p.updated_at); })
        .field("version", [](const Party& p) { return py::object(py::int_(p.version)); }, "increases with every change")
        .field("merged_into", [](const Party& p) { return from_id(p.merged_into); }, "the survivor's id once merged away, else None")
        .done({"id", "kind", "external_id", "display_name"});

    Record<Membership>(m, "Membership", "A person's membership of an organisation.")
        .field("person", [](const Membership& x) { return from_id(x.person); })
        .field("organization", [](const Membership& x) { return from_id(x.organization); })
        .field("role", [](const Membership& x) { return str(x.role); })
        .field("since", [](const Membership& x) { return from_time(x.since); })
        .done({"person", "organization", "role"});

    Record<Interaction>(m, "Interaction", "Something that happened between the organisation and a party.")
        .field("id", [](const Interaction& i) { return from_id(i.id); })
        .field("party", [](const Interaction& i) { return from_id(i.party); })
        .field("channel", [](const Interaction& i) { return str(to_string(i.channel)); })
        .field("direction", [](const Interaction& i) { return str(to_string(i.direction)); })
        .field("at", [](const Interaction& i) { return from_time(i.at); })
        .field("subject", [](const Interaction& i) { return str(i.subject); })
        .field("summary", [](const Interaction& i) { return str(i.summary); })
        .field("actor", [](const Interaction& i) { return str(i.actor); }, "who handled it")
        .field("duration_s",
               [](const Interaction& i) {
                   return i.duration_s ? py::object(py::int_(*i.duration_s)) : py::object(py::none());
               })
        .field("outcome", [](const Interaction& i) { return str(i.outcome); })
        .field("external_id", [](const Interaction& i) { return str(i.external_id); })
        .done({"id", "channel", "direction", "at", "subject"});

    Record<Activity>(m, "Activity", "A follow-up: something someone must do by a due time.")
        .field("id", [](const Activity& a) { return from_id(a.id); })
        .field("party", [](const Activity& a) { return from_id(a.party); })
        .field("kind", [](const Activity& a) { return str(to_string(a.kind)); }, "'task', 'call' or 'meeting'")
        .field("subject", [](const Activity& a) { return str(a.subject); })
        .field("note", [](const Activity& a) { return str(a.note); })
        .field("due", [](const Activity& a) { return from_time(a.due); })
        .field("assignee", [](const Activity& a) { return str(a.assignee); })
        .field("status", [](const Activity& a) { return str(to_string(a.status)); }, "'open', 'done' or 'cancelled'")
        .field("created_at", [](const Activity& a) { return from_time(a.created_at); })
        .field("closed_at", [](const Activity& a) { return from_time(a.closed_at); })
        .done({"id", "kind", "subject", "due", "status"});

    Record<PurchaseLine>(m, "PurchaseLine", "One line of a purchase.")
        .field("sku", [](const PurchaseLine& l) { return str(l.sku); })
        .field("name", [](const PurchaseLine& l) { return str(l.name); })
        .field("quantity", [](const PurchaseLine& l) { return py::object(py::int_(l.quantity)); })
        .field("unit_price", [](const PurchaseLine& l) { return py::cast(l.unit_price); })
        .field("total", [](const PurchaseLine& l) { return py::cast(l.total); })
        .done({"sku", "quantity", "total"});

    Record<Purchase>(m, "Purchase", "An order as the ERP reports it; order_id is the ERP's key.")
        .field("id", [](const Purchase& p) { return from_id(p.id); })
        .field("party", [](const Purchase& p) { return from_id(p.party); })
        .field("order_id", [](const Purchase& p) { return str(p.order_id); })
        .field("ordered_at", [](const Purchase& p) { return from_time(p.ordered_at); })
        .field("total", [](const Purchase& p) { return py::cast(p.total); })
        .field("lines", [](const Purchase& p) { return py::object(list_of(p.lines)); })
        .done({"order_id", "ordered_at", "total"});

    Record<PurchaseSummary>(m, "PurchaseSummary", "A party's purchases in one currency.")
        .field("currency", [](const PurchaseSummary& s) { return str(s.currency); })
        .field("count", [](const PurchaseSummary& s) { return py::object(py::int_(s.count)); })
        .field("total_minor", [](const PurchaseSummary& s) { return py::object(py::int_(s.total_minor)); })
        .field("first_at", [](const PurchaseSummary& s) { return from_time(s.first_at); })
        .field("last_at", [](const PurchaseSummary& s) { return from_time(s.last_at); })
        .extra("total", [](const PurchaseSummary& s) { return py::cast(Money{s.total_minor, s.currency}); },
               "total_minor and currency as Money")
        .done({"currency", "count", "total_minor"});

    Record<FieldDef>(m, "FieldDef", "The declaration of a custom field of a record type.")
        .field("record_type", [](const FieldDef& f) { return str(f.record_type); })
        .field("name", [](const FieldDef& f) { return str(f.name); })
        .field("label", [](const FieldDef& f) { return str(f.label); })
        .field("type", [](const FieldDef& f) { return str(to_string(f.type)); },
               "'text', 'integer', 'decimal', 'money', 'boolean', 'date', 'enum' or 'multi_enum'")
        .field("required", [](const FieldDef& f) { return py::object(py::bool_(f.required)); })
        .field("allowed", [](const FieldDef& f) { return py::object(from_strings(f.allowed)); })
        .field("min", [](const FieldDef& f) { return f.min ? py::object(py::int_(*f.min)) : py::object(py::none()); })
        .field("max", [](const FieldDef& f) { return f.max ? py::object(py::int_(*f.max)) : py::object(py::none()); })
        .field("currency", [](const FieldDef& f) { return str(f.currency); })
        .done({"record_type", "name", "type"});

    Record<Customer360>(m, "Customer360", "Everything the organisation knows about one party.")
        .field("party", [](const Customer360& v) { return py::cast(v.party); })
        .field("memberships", [](const Customer360& v) { return py::object(list_of(v.memberships)); })
        .field("recent_interactions", [](const Customer360& v) { return py::object(list_of(v.recent_interactions)); }, "newest first")
        .field("open_activities", [](const Customer360& v) { return py::object(list_of(v.open_activities)); }, "soonest due first")
        .field("purchases", [](const Customer360& v) { return py::object(list_of(v.purchases)); }, "one PurchaseSummary per currency")
        .field("clv",
               [](const Customer360& v) { return from_json_text(crm::codec::view_part_json(v, "clv")); },
               "its lifetime value as the last scoring run stored it, or None")
        .field("merged_ids",
               [](const Customer360& v) {
                   py::list out;
                   for (const auto& id : v.merged_ids) out.append(from_id(id));
                   return py::object(std::move(out));
               },
               "parties merged into this one")
        .field("open_opportunities",
               [](const Customer360& v) { return from_json_text(crm::codec::view_part_json(v, "open_opportunities")); },
               "dicts in the command catalogue's form, newest first")
        .field("open_leads",
               [](const Customer360& v) { return from_json_text(crm::codec::view_part_json(v, "open_leads")); },
               "dicts, newest first")
        .field("open_quotes",
               [](const Customer360& v) { return from_json_text(crm::codec::view_part_json(v, "open_quotes")); },
               "dicts (draft or active), newest first")
        .field("open_tickets",
               [](const Customer360& v) { return from_json_text(crm::codec::view_part_json(v, "open_tickets")); },
               "dicts (not resolved, closed or cancelled), newest first")
        .field("last_csat",
               [](const Customer360& v) { return from_json_text(crm::codec::view_part_json(v, "last_csat")); },
               "the latest CSAT answer on its tickets as a dict ({ticket, score, comment, at}), or None")
        .field("last_nps",
               [](const Customer360& v) { return from_json_text(crm::codec::view_part_json(v, "last_nps")); },
               "its latest NPS answer as a dict ({id, party, score, comment, at}), or None")
        .field("segments",
               [](const Customer360& v) { return from_json_text(crm::codec::view_part_json(v, "segments")); },
               "tracked segments it is in, as dicts ({segment, party, joined_at, left_at})")
        .field("lists",
               [](const Customer360& v) { return from_json_text(crm::codec::view_part_json(v, "lists")); },
               "ids of the static lists it is on")
        .field("loyalty",
               [](const Customer360& v) { return from_json_text(crm::codec::view_part_json(v, "loyalty")); },
               "its loyalty programmes as dicts: tier, balance and the 10 latest ledger entries")
        .field("campaigns",
               [](const Customer360& v) { return from_json_text(crm::codec::view_part_json(v, "campaigns")); },
               "the campaigns it was a member of, as dicts: group, channel, statuses, batch")
        .field("members",
               [](const Customer360& v) { return from_json_text(crm::codec::view_part_json(v, "members")); },
               "an organisation's members rolled up as a dict (members, members_read, complete, "
               "open_opportunity_count, open_opportunities, open_ticket_count, open_tickets, "
               "purchases); None for a person")
        .done({"party"});

    Record<SearchHit>(m, "SearchHit", "One party found by search().")
        .field("id", [](const SearchHit& h) { return from_id(h.id); })
        .field("kind", [](const SearchHit& h) { return str(to_string(h.kind)); })
        .field("external_id", [](const SearchHit& h) { return str(h.external_id); })
        .field("display_name", [](const SearchHit& h) { return str(h.display_name); })
        .field("city", [](const SearchHit& h) { return str(h.city); })
        .field("matched", [](const SearchHit& h) { return str(h.matched); },
               "'external_id', 'national_id', 'email', 'phone', 'name_prefix', 'name_contains', 'name_latin' (the name in the other script) or 'tag'")
        .done({"id", "display_name", "matched"});

    Record<DuplicatePair>(m, "DuplicatePair", "Two parties that may be one, with the rules that held.")
        .field("a", [](const DuplicatePair& d) { return from_id(d.a); })
        .field("b", [](const DuplicatePair& d) { return from_id(d.b); })
        .field("a_external_id", [](const DuplicatePair& d) { return str(d.a_external_id); })
        .field("b_external_id", [](const DuplicatePair& d) { return str(d.b_external_id); })
        .field("score", [](const DuplicatePair& d) { return py::object(py::float_(d.score)); })
        .field("reasons", [](const DuplicatePair& d) { return py::object(from_strings(d.reasons)); })
        .done({"a_external_id", "b_external_id", "score", "reasons"});

    Record<FieldChange>(m, "FieldChange", "One changed field of an audit entry.")
        .field("field", [](const FieldChange& c) { return str(c.field); })
        .field("before", [](const FieldChange& c) { return from_json_text(c.before); }, "the value before (None when absent)")
        .field("after", [](const FieldChange& c) { return from_json_text(c.after); }, "the value after (None when absent)")
        .done({"field", "before", "after"});

    Record<AuditEntry>(m, "AuditEntry", "Who changed what, when, from where.")
        .field("seq", [](const AuditEntry& a) { return py::object(py::int_(a.seq)); })
        .field("at", [](const AuditEntry& a) { return from_time(a.at); })
        .field("actor", [](const AuditEntry& a) { return str(a.actor); })
        .field("source", [](const AuditEntry& a) { return str(a.source); })
        .field("record_type", [](const AuditEntry& a) { return str(a.record_type); })
        .field("record_id", [](const AuditEntry& a) { return from_id(a.record_id); })
        .field("action", [](const AuditEntry& a) { return str(a.action); })
        .field("changes", [](const AuditEntry& a) { return py::object(list_of(a.changes)); })
        .done({"seq", "actor", "record_type", "action"});

    Record<Event>(m, "Event", "A domain event of the outbox; seq is the cursor.")
        .field("seq", [](const Event& e) { return py::object(py::int_(e.seq)); })
        .field("at", [](const Event& e) { return from_time(e.at); })
        .field("type", [](const Event& e) { return str(e.type); }, "'party.created', 'purchase.recorded', ...")
        .field("record_type", [](const Event& e) { return str(e.record_type); })
        .field("record_id", [](const Event& e) { return from_id(e.record_id); })
        .field("payload", [](const Event& e) { return from_json_text(e.payload); }, "the payload, parsed")
        .extra("payload_json", [](const Event& e) { return str(e.payload); }, "the payload as JSON text")
        .done({"seq", "type", "record_id"});

    Record<Page<Interaction>>(m, "TimelinePage", "A page of a timeline, newest first.")
        .field("items", [](const Page<Interaction>& p) { return py::object(list_of(p.items)); })
        .field("next",
               [](const Page<Interaction>& p) {
                   return p.next.empty() ? py::object(py::none()) : py::object(py::str(p.next));
               },
               "pass as before= to read the next page; None at the end")
        .done({"items", "next"});

    {
        Record<Written> w(m, "Written",
                          "The result of an idempotent write: the record and whether it was "
                          "'created', 'updated' or 'unchanged'. Unpacks as (record, outcome).");
        w.field("record", [](const Written& x) { return x.record; })
            .field("outcome", [](const Written& x) { return str(x.outcome); });
        w.cls()
            .def("__iter__",
                 [](const Written& x) { return py::iter(py::make_tuple(x.record, x.outcome)); })
            .def("__len__", [](const Written&) { return 2; })
            .def("__getitem__", [](const Written& x, int i) -> py::object {
                if (i == 0 || i == -2) return x.record;
                if (i == 1 || i == -1) return py::str(x.outcome);
                throw py::index_error("Written has two items: record and outcome");
            });
        w.done({"outcome", "record"});
    }

    Record<ImportProblem>(m, "ImportProblem",
                          "One problem with one input row: an 'error' rejected the row, a "
                          "'warning' dropped one value.")
        .field("line", [](const ImportProblem& p) { return py::object(py::int_(p.line)); }, "1-based line; the header is line 1")
        .field("external_id", [](const ImportProblem& p) { return str(p.external_id); })
        .field("field", [](const ImportProblem& p) { return str(p.field); })
        .field("severity", [](const ImportProblem& p) { return str(p.severity); }, "'error' or 'warning'")
        .field("reason", [](const ImportProblem& p) { return str(p.reason); })
        .field("value", [](const ImportProblem& p) { return str(p.value); })
        .done({"line", "field", "severity", "reason"});

    Record<ImportReport> report(m, "ImportReport", "What an import did, with a problem per row.");
    report.field("imported", [](const ImportReport& r) { return py::object(py::int_(r.imported)); }, "new records")
        .field("updated", [](const ImportReport& r) { return py::object(py::int_(r.updated)); })
        .field("unchanged", [](const ImportReport& r) { return py::object(py::int_(r.unchanged)); })
        .field("rejected", [](const ImportReport& r) { return py::object(py::int_(r.rejected)); }, "rows not imported")
        .field("warnings", [](const ImportReport& r) { return py::object(py::int_(r.warnings)); })
        .field("problems", [](const ImportReport& r) { return py::object(list_of(r.problems)); },
               "the first 10,000 problems")
        .field("problems_omitted", [](const ImportReport& r) { return py::object(py::int_(r.problems_omitted)); },
               "problems counted beyond those kept")
        .field("committed", [](const ImportReport& r) { return py::object(py::int_(r.committed)); },
               "rows written for good (0 on a dry run)");
    report.cls()
        .def("summary", &ImportReport::summary,
             "'imported N, updated M, unchanged U, rejected R, warnings W'")
        .def(
            "problems_csv",
            [](const ImportReport& r) {
                std::ostringstream out;
                write_problems_csv(r, out);
                return out.str();
            },
            "The problems as CSV text: line,external_id,field,severity,reason,value.");
    report.done({"imported", "updated", "unchanged", "rejected", "warnings"});
}

}  // namespace crmpy
