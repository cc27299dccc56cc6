"""The crm.Error hierarchy: codes, fields, messages; wrong Python types are
TypeError or crm.InvalidArgument, never a crash."""

from __future__ import annotations

import pickle
from datetime import datetime, timezone

import pytest

import crm

CODES = {
    crm.InvalidArgument: "invalid_argument",
    crm.NotFound: "not_found",
    crm.Conflict: "conflict",
    crm.InvalidTransition: "invalid_transition",
    crm.PermissionDenied: "permission_denied",
    crm.StorageError: "storage",
    crm.ParseError: "parse",
    crm.Unsupported: "unsupported",
    crm.VersionMismatch: "version_mismatch",
    crm.InternalError: "internal",
}


def test_the_hierarchy():
    for cls, code in CODES.items():
        assert issubclass(cls, crm.Error) and cls.code == code
    assert issubclass(crm.InvalidArgument, ValueError)
    assert issubclass(crm.ParseError, ValueError)
    assert issubclass(crm.NotFound, LookupError)
    e = crm.NotFound("no such party", "party")
    assert (e.code, e.field, e.message, str(e)) == ("not_found", "party", "no such party",
                                                    "party: no such party")
    again = pickle.loads(pickle.dumps(e))
    assert (type(again), again.field, again.message) == (crm.NotFound, "party", "no such party")


def test_invalid_email_names_the_field(engine):
    with pytest.raises(crm.InvalidArgument) as e:
        engine.create_party(first_name="x", email="not-an-email")
    assert (e.value.code, e.value.field) == ("invalid_argument", "email")
    assert e.value.message and str(e.value).startswith("email: ")
    with pytest.raises(crm.InvalidArgument) as e:
        engine.create_party(first_name="x", email=["ok@x.ir", "bad@"])
    assert e.value.field == "email[1]"
    with pytest.raises(crm.InvalidArgument) as e:
        engine.create_party(first_name="x", contacts=[{"kind": "email", "value": "a@b.ir"},
                                                      {"kind": "phone", "value": "12"}])
    assert e.value.field == "contacts[1].value"
    with pytest.raises(crm.InvalidArgument) as e:
        engine.create_party(first_name="x", contacts=[{"kind": "fax", "value": "1"}])
    assert e.value.field == "contacts[0].kind"
    with pytest.raises(crm.InvalidArgument) as e:
        engine.create_party(first_name="x", contacts=[{"kind": "email", "vale": "a@b.ir"}])
    assert e.value.field == "contacts[0].vale"
    assert engine.events_after(0) == [], "a failed call writes nothing"


def test_unknown_custom_field(engine):
    with pytest.raises(crm.InvalidArgument) as e:
        engine.create_party(first_name="x", custom={"shoe_size": 42})
    assert e.value.field == "custom.shoe_size"
    engine.define_field("tier", "enum", allowed=["gold"])
    with pytest.raises(crm.InvalidArgument) as e:
        engine.create_party(first_name="x", custom={"tier": "bronze"})
    assert e.value.field == "custom.tier"
    with pytest.raises(crm.Conflict) as e:
        engine.define_field("tier", "integer")
    assert e.value.field == "type"
    with pytest.raises(crm.InvalidArgument) as e:
        engine.define_field("Bad Name")
    assert e.value.field == "name"


def test_unknown_and_malformed_ids(engine):
    missing = "018e5f1c-0000-7000-8000-000000000000"
    with pytest.raises(crm.NotFound) as e:
        engine.get_party(missing)
    assert e.value.field == "party"
    with pytest.raises(crm.NotFound):
        engine.get_party_by_external_id("nobody")
    with pytest.raises(crm.NotFound):
        engine.complete_activity(missing)
    with pytest.raises(crm.InvalidArgument) as e:
        engine.get_party("not-an-id")
    assert e.value.field == "party"
    with pytest.raises(crm.InvalidArgument) as e:
        engine.log_interaction("018e5f1c", "call")
    assert e.value.field == "party"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"first_name": 5},
        {"first_name": b"bytes"},
        {"tags": "vip"},
        {"tags": [1, 2]},
        {"custom": ["tier"]},
        {"contacts": "a@b.ir"},
        {"contacts": [5]},
        {"created_at": 1.5},
        {"email": 5},
        {"remove_contacts": "x"},
    ],
)
def test_wrong_python_types_raise_type_error(engine, kwargs):
    with pytest.raises(TypeError):
        engine.create_party(first_name="ok", **{k: v for k, v in kwargs.items()})


def test_wrong_types_elsewhere(engine):
    p = engine.create_party(first_name="x")
    with pytest.raises(TypeError):
        engine.timeline(p, limit="5")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.record_purchase(p, "O1", "2024-01-01", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.get_party(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        engine.events_after(1.5)  # type: ignore[arg-type]
    with pytest.raises(crm.InvalidArgument):
        engine.create_party(first_name="bad \ud800 surrogate")
    with pytest.raises(crm.InvalidArgument):
        engine.create_party(first_name="x", custom={"n": 2**70})
    with pytest.raises(crm.InvalidArgument):
        engine.record_purchase(p, "O1", "2024-01-01", {"minor": 1})
    with pytest.raises(crm.InvalidArgument) as e:
        crm.Engine.open(default_region="Atlantis")
    assert e.value.field == "default_region"
    with pytest.raises(TypeError):
        crm.Engine()  # records and engines come from the engine, not constructors


WEIRD = [None, 0, -1, 2**70, 1.5, float("nan"), "", "x", "\ud800", b"x", [], [None], {},
         {"x": object()}, object(), True]


def _calls(engine, party, activity):
    """Every engine method with valid arguments, as (name, args, kwargs)."""
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    return [
        ("create_party", (), {"first_name": "a", "email": "a@x.ir", "custom": {}}),
        ("upsert_party", ("E1",), {"first_name": "a"}),
        ("update_party", (party,), {"city": "c"}),
        ("get_party", (party,), {}),
        ("get_party_by_external_id", ("E1",), {}),
        ("find_party", ("E1",), {}),
        ("set_consent", (party, party.contacts[0], {"channel": "sms"}), {}),
        ("link_to_organization", (party, party, "r"), {}),
        ("unlink_from_organization", (party, party), {}),
        ("log_interaction", (party, "call"), {"subject": "s", "at": when}),
        ("timeline", (party,), {"before": None, "limit": 5}),
        ("schedule_activity", (party, "s", when), {"assignee": "u"}),
        ("complete_activity", (activity,), {}),
        ("cancel_activity", (activity,), {}),
        ("overdue_activities", ("u",), {"limit": 5}),
        ("activities_due_by", ("u", when), {"limit": 5}),
        ("record_purchase", (party, "O", when, crm.Money(1, "USD")), {"lines": []}),
        ("purchases", (party,), {}),
        ("define_field", ("f",), {"type": "text", "allowed": None}),
        ("fields", ("party",), {}),
        ("customer_360", (party,), {"recent_interactions": 5}),
        ("search", ("a",), {"tag": "", "limit": 5, "offset": 0}),
        ("find_duplicates", (), {"rules": None, "min_score": 0.5, "limit": 5}),
        ("merge", (party, [party]), {"rules": {}, "default_rule": "survivor"}),
        ("audit_trail", (party,), {"limit": 5}),
        ("events_after", (0,), {"limit": 5}),
        ("acknowledge", ("c", 0), {}),
        ("consumer_cursor", ("c",), {}),
        ("set_now", (when,), {}),
        ("advance", (1,), {}),
    ]


def test_no_argument_crashes_the_module(engine):
    """Each argument of each method replaced by odd values raises TypeError or
    crm.Error (or succeeds): nothing else, and never a crash."""
    party = engine.create_party(first_name="p", email="p@x.ir")
    activity = engine.schedule_activity(party, "s", engine.now())
    for name, args, kwargs in _calls(engine, party, activity):
        method = getattr(engine, name)
        slots = [("arg", i) for i in range(len(args))] + [("kw", k) for k in kwargs]
        for kind, key in slots:
            for weird in WEIRD:
                a, kw = list(args), dict(kwargs)
                if kind == "arg":
                    a[key] = weird
                else:
                    kw[key] = weird
                try:
                    method(*a, **kw)
                except (TypeError, crm.Error):
                    pass
        if engine.in_transaction:
            engine.rollback()
