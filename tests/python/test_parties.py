"""Parties: creation, contact normalisation, custom fields, upsert, dicts."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

import crm
from conftest import T0

PHONE_SPELLINGS = ["09121234567", "+98 912 123 4567", "00989121234567", "۰۹۱۲۱۲۳۴۵۶۷"]


def test_create_person_with_normalised_contacts(engine):
    p = engine.create_party(
        first_name="  علی ",
        last_name="رضایی",
        email="Ali.Rezaei@Example.IR",
        phone="0912 123 4567",
        city="تهران",
        country="Iran",
        tags=["vip", "vip", "b2c"],
    )
    assert isinstance(p, crm.Party)
    assert p.kind == "person"
    assert p.display_name == "علی رضایی"
    assert p.country == "IR"
    assert p.tags == ["vip", "b2c"]
    assert p.version == 1
    assert p.lifecycle_stage == "lead"
    assert p.created_at == T0 and p.created_at.tzinfo is not None
    assert p.merged_into is None
    assert len(p.id) == 36
    email, phone = p.contacts
    assert (email.kind, email.value, email.primary) == ("email", "Ali.Rezaei@example.ir", True)
    assert (phone.kind, phone.value) == ("phone", "+989121234567")
    assert phone.operator  # an Iranian mobile operator, named as in JSON
    assert phone.operator_name == phone.operator  # its earlier name
    assert phone.to_dict()["operator"] == phone.operator and "operator_name" not in phone.to_dict()
    assert engine.get_party(p.id) == p
    assert engine.get_party(p) == p  # a record stands for its id
    assert engine.find_party(p.id) == p


def test_organization_needs_a_name(engine):
    org = engine.create_party("organization", organization_name="شرکت نمونه", external_id="O1")
    assert org.kind == "organization" and org.display_name == "شرکت نمونه"
    with pytest.raises(crm.InvalidArgument) as e:
        engine.create_party("organization", first_name="x")
    assert e.value.field == "organization_name"


@pytest.mark.parametrize("spelling", PHONE_SPELLINGS)
def test_every_phone_spelling_is_one_number(engine, spelling):
    p = engine.create_party(first_name="Sara", phone=PHONE_SPELLINGS)
    assert [c.value for c in p.contacts] == ["+989121234567"]
    again = engine.update_party(p, phone=spelling)
    assert again.version == p.version, "the same number again changes nothing"
    assert [h.id for h in engine.search(spelling)] == [p.id]


def test_contacts_as_dicts_with_consent(engine):
    p = engine.create_party(
        first_name="Reza",
        contacts=[
            {"kind": "email", "value": "reza@x.ir", "type": "work"},
            {"kind": "phone", "value": "09351112233", "type": "mobile", "primary": True,
             "consents": [{"channel": "sms", "status": "opt_in", "source": "web form"}]},
            {"kind": "social", "value": "Instagram:reza"},
        ],
    )
    phone = next(c for c in p.contacts if c.kind == "phone")
    assert phone.type == "mobile"
    (consent,) = phone.consents
    assert (consent.channel, consent.status, consent.source) == ("sms", "opt_in", "web form")
    assert consent.at == T0
    social = next(c for c in p.contacts if c.kind == "social")
    assert social.value == "instagram:reza"

    engine.advance(timedelta(hours=1))
    q = engine.set_consent(p, phone, {"channel": "sms", "status": "opt_out"})
    (consent,) = next(c for c in q.contacts if c.kind == "phone").consents
    assert consent.status == "opt_out" and consent.at == T0 + timedelta(hours=1)

    r = engine.update_party(p, remove_contacts=[social.id])
    assert [c.kind for c in r.contacts] == ["email", "phone"]


def test_custom_fields_round_trip(engine, db):
    engine.define_field("tier", "enum", allowed=["gold", "silver"], label="سطح")
    engine.define_field("visits", "integer", min=0)
    engine.define_field("score", "decimal")
    engine.define_field("budget", "money", currency="IRR")
    engine.define_field("active", "boolean")
    engine.define_field("born", "date")
    engine.define_field("channels", "multi_enum", allowed=["sms", "email", "call"])
    engine.define_field("note", "text", max=20)
    values = {
        "tier": "gold",
        "visits": 12,
        "score": Decimal("12.50"),
        "budget": crm.Money(125_000_000_000, "IRR"),
        "active": True,
        "born": date(1990, 1, 2),
        "channels": ["sms", "email"],
        "note": "سلام",
    }
    p = engine.create_party(first_name="Mina", external_id="C9", custom=values)
    expected = {
        "tier": "gold",
        "visits": 12,
        "score": "12.5",
        "budget": crm.Money(125_000_000_000, "IRR"),
        "active": True,
        "born": "1990-01-02",
        "channels": ["sms", "email"],
        "note": "سلام",
    }
    assert p.custom == expected
    assert {f.name for f in engine.fields()} == set(values)
    tier = next(f for f in engine.fields() if f.name == "tier")
    assert (tier.type, tier.allowed, tier.label) == ("enum", ["gold", "silver"], "سطح")

    # Floats and money dicts are accepted too; None clears a value.
    q = engine.update_party(p, custom={"score": 3.25, "budget": {"minor": 5, "currency": "IRR"},
                                       "note": None})
    assert q.custom["score"] == "3.25" and q.custom["budget"] == crm.Money(5, "IRR")
    assert "note" not in q.custom

    if db != "memory:":
        engine.close()
        with crm.Engine.open(db) as again:
            assert again.get_party_by_external_id("C9").custom == q.custom


def test_upsert_is_idempotent(engine):
    fields = dict(first_name="Ali", last_name="Karimi", email="ali@k.ir", tags=["a"])
    w = engine.upsert_party("C1", **fields)
    assert isinstance(w, crm.Written) and w.outcome == "created"
    party, outcome = engine.upsert_party("C1", **fields)
    assert outcome == "unchanged" and party.version == 1
    assert w[0] == w.record and w[1] == "created" and len(w) == 2
    engine.advance(1000)
    changed = engine.upsert_party("C1", city="Shiraz")
    assert changed.outcome == "updated" and changed.record.version == 2
    assert changed.record.updated_at == T0 + timedelta(seconds=1)
    assert engine.upsert_party("C1", city="Shiraz").outcome == "unchanged"
    assert engine.get_party_by_external_id("C1").id == w.record.id
    with pytest.raises(crm.Conflict) as e:
        engine.create_party(first_name="x", external_id="C1")
    assert e.value.field == "external_id"


def test_tags_add_and_remove(engine):
    p = engine.create_party(first_name="T", tags=["a", "b"])
    p = engine.update_party(p, add_tags=["c"], remove_tags=["a"])
    assert p.tags == ["b", "c"]


def test_dicts_round_trip(engine):
    engine.define_field("budget", "money")
    p = engine.create_party(
        first_name="Nima", last_name="Alavi", external_id="C5", city="Yazd", owner="user:7",
        contacts=[{"kind": "phone", "value": "09121234567",
                   "consents": [{"channel": "call", "status": "opt_in"}]}],
        custom={"budget": crm.Money(100, "USD")}, tags=["x"],
    )
    d = p.to_dict()
    assert list(d) == list(crm.Party.__fields__)
    assert d["contacts"][0]["consents"][0]["at"] == T0
    assert d["custom"] == {"budget": {"minor": 100, "currency": "USD"}}
    # Every value is plain data; JSON needs only a rule for datetimes.
    json.dumps(d, default=lambda v: v.isoformat())
    # The dict's writable fields written back change nothing.
    writable = {k: d[k] for k in ("first_name", "last_name", "city", "owner", "tags",
                                  "contacts", "custom", "national_id", "country")}
    assert engine.upsert_party(d["external_id"], **writable).outcome == "unchanged"
    # Records passed where dicts are expected go through their to_dict().
    assert engine.update_party(p, contacts=p.contacts).version == p.version
    # Records compare by value and are unhashable.
    assert engine.get_party(p.id) == p and p != p.contacts[0]
    with pytest.raises(TypeError):
        hash(p)
    for cls in (crm.Party, crm.ContactPoint, crm.Consent):
        assert all(isinstance(getattr(cls, f), property) for f in cls.__fields__)


def test_records_are_read_only(engine):
    p = engine.create_party(first_name="R")
    with pytest.raises(AttributeError):
        p.first_name = "changed"  # type: ignore[misc]
    assert repr(p).startswith("Party(id='") and "display_name='R'" in repr(p)


def test_times_accept_datetime_int_and_iso(engine):
    when = datetime(2021, 5, 6, 7, 8, 9, 123000, tzinfo=timezone.utc)
    tehran = timezone(timedelta(hours=3, minutes=30))
    for value in (when, int(when.timestamp() * 1000), "2021-05-06T07:08:09.123Z",
                  when.astimezone(tehran), "2021-05-06T10:38:09.123+03:30"):
        p = engine.create_party(first_name="t", created_at=value)
        assert p.created_at == when, value
    assert engine.create_party(first_name="d", created_at=date(2020, 1, 1)).created_at == \
        datetime(2020, 1, 1, tzinfo=timezone.utc)
    with pytest.raises(crm.InvalidArgument) as e:
        engine.create_party(first_name="n", created_at=datetime(2021, 1, 1))  # naive
    assert e.value.field == "created_at"
    with pytest.raises(crm.ParseError):
        engine.create_party(first_name="p", created_at="yesterday")
    with pytest.raises(crm.InvalidArgument):
        engine.create_party(first_name="r", created_at=10**17)


def test_clock_is_manual(engine):
    assert engine.now() == T0
    engine.advance(timedelta(minutes=5))
    engine.advance(500)
    assert engine.now() == T0 + timedelta(minutes=5, milliseconds=500)
    engine.set_now("2025-01-01T00:00:00Z")
    assert engine.now() == datetime(2025, 1, 1, tzinfo=timezone.utc)
    with crm.Engine.open() as system:
        with pytest.raises(crm.Unsupported):
            system.advance(1)
        assert abs(system.now() - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_organisation_membership(engine, person):
    p = person("P1", "Ali", "Rezaei")
    org = engine.create_party("organization", organization_name="Acme")
    m = engine.link_to_organization(p, org, "CFO")
    assert (m.person, m.organization, m.role, m.since) == (p.id, org.id, "CFO", T0)
    assert engine.customer_360(org).memberships == [m]
    engine.unlink_from_organization(p, org)
    assert engine.customer_360(org).memberships == []
    with pytest.raises(crm.NotFound):
        engine.unlink_from_organization(p, org)
    with pytest.raises(crm.InvalidArgument) as e:
        engine.link_to_organization(org, p)
    assert e.value.field == "person"


def test_data_survives_reopening(tmp_path):
    path = tmp_path / "keep.db"
    with crm.Engine.open(path) as e:  # os.PathLike works
        assert e.backend == "sqlite"
        p = e.create_party(first_name="Keep", email="k@x.ir")
    assert e.closed
    with pytest.raises(crm.InvalidTransition):
        e.get_party(p.id)
    e.close()  # twice is harmless
    with crm.Engine.open(f"sqlite:{path}") as again:
        assert again.get_party(p.id) == p


def test_integer_like_values_are_ints(engine):
    class Count:  # like numpy.int64: an integer through __index__
        def __index__(self):
            return 7

    engine.define_field("visits", "integer")
    p = engine.create_party(first_name="n", custom={"visits": Count()}, created_at=Count())
    assert p.custom["visits"] == 7 and p.created_at.timestamp() == 0.007
    with pytest.raises(TypeError):
        engine.create_party(first_name="n", created_at=7.0)  # milliseconds are whole
    with pytest.raises(crm.InvalidArgument) as e:
        engine.create_party(first_name="n", custom={"visits": 7.5})
    assert e.value.field == "custom.visits"


def test_an_organisations_view_rolls_up_its_members(engine, person):
    org = engine.create_party("organization", organization_name="پارس", external_id="O1")
    ali = person("C1", "Ali", "Karimi")
    engine.link_to_organization(ali, org, "buyer")
    deal = crm.Sales(engine).create_opportunity(party=ali, name="ERP")
    view = engine.customer_360(org)
    assert view.members is not None
    assert (view.members["members"], view.members["open_opportunity_count"]) == (1, 1)
    assert [o["id"] for o in view.members["open_opportunities"]] == [deal["id"]]
    assert engine.customer_360(ali).members is None
