"""Timeline paging, activities, purchases and the 360 view."""

from __future__ import annotations

import types
from datetime import timedelta

import pytest

import crm
from conftest import T0


def test_timeline_pages_newest_first(engine, person):
    p = person("C1", "Ali", "Rezaei")
    for i in range(7):
        engine.log_interaction(p, "call", subject=f"call {i}", at=T0 + timedelta(minutes=i),
                               direction="outbound", duration_s=60 + i)
    first = engine.timeline(p, limit=3)
    assert isinstance(first, crm.TimelinePage)
    assert [i.subject for i in first.items] == ["call 6", "call 5", "call 4"]
    assert first.next is not None
    second = engine.timeline(p, before=first.next, limit=3)
    third = engine.timeline(p, before=second.next, limit=3)
    assert [i.subject for i in second.items] == ["call 3", "call 2", "call 1"]
    assert [i.subject for i in third.items] == ["call 0"] and third.next is None
    it = engine.iter_timeline(p, batch=2)
    assert isinstance(it, types.GeneratorType)
    assert [i.subject for i in it] == [f"call {i}" for i in range(6, -1, -1)]
    call = first.items[0]
    assert (call.channel, call.direction, call.duration_s, call.actor, call.party) == \
        ("call", "outbound", 66, "user:test", p.id)
    with pytest.raises(crm.InvalidArgument) as e:
        engine.timeline(p, limit=0)
    assert e.value.field == "limit"


def test_interaction_with_external_id_is_logged_once(engine, person):
    p = person("C1", "Ali", "Rezaei")
    a = engine.log_interaction(p, "email", subject="hi", external_id="MSG-1", handled_by="agent:7")
    b = engine.log_interaction(p, "email", subject="hi again", external_id="MSG-1")
    assert a == b and a.actor == "agent:7" and a.at == T0
    assert len(list(engine.iter_timeline(p))) == 1


def test_activities_due_overdue_complete_cancel(engine, person):
    p = person("C1", "Ali", "Rezaei")
    soon = engine.schedule_activity(p, "call back", T0 + timedelta(hours=1), kind="call",
                                    assignee="user:1", note="about the quote")
    later = engine.schedule_activity(p, "visit", T0 + timedelta(days=2), kind="meeting",
                                     assignee="user:1")
    engine.schedule_activity(p, "other's", T0 + timedelta(hours=1), assignee="user:2")
    assert (soon.status, soon.kind, soon.closed_at, soon.created_at) == ("open", "call", None, T0)
    assert engine.overdue_activities("user:1") == []
    engine.advance(timedelta(hours=2))
    assert [a.subject for a in engine.overdue_activities("user:1")] == ["call back"]
    assert [a.subject for a in engine.activities_due_by("user:1", T0 + timedelta(days=3))] == \
        ["call back", "visit"]
    done = engine.complete_activity(soon)
    assert done.status == "done" and done.closed_at == T0 + timedelta(hours=2)
    with pytest.raises(crm.InvalidTransition) as e:
        engine.cancel_activity(soon.id)
    assert e.value.field == "status"
    assert engine.cancel_activity(later).status == "cancelled"
    assert engine.overdue_activities("user:1") == []
    with pytest.raises(crm.InvalidArgument) as e:
        engine.schedule_activity(p, "   ", T0)
    assert e.value.field == "subject"


def test_purchases_upsert_by_order_id(engine, person):
    p = person("C1", "Ali", "Rezaei")
    w = engine.record_purchase(
        p, "O-1", "2024-01-02T10:00:00Z", crm.Money(3_000_000, "IRR"),
        lines=[{"sku": "A", "name": "چای", "quantity": 2, "unit_price": crm.Money(1_000_000, "IRR")},
               {"sku": "B", "unit_price": {"minor": 1_000_000, "currency": "IRR"}}])
    assert w.outcome == "created"
    order = w.record
    assert [l.total for l in order.lines] == [crm.Money(2_000_000, "IRR"), crm.Money(1_000_000, "IRR")]
    assert order.total.amount == 30000 and str(order.total) == "30000.00 IRR"
    again = engine.record_purchase(p, "O-1", "2024-01-02T10:00:00Z", crm.Money(3_000_000, "IRR"),
                                   lines=order.lines)
    assert again.outcome == "unchanged" and again.record == order
    assert engine.record_purchase(p, "O-1", "2024-01-02T10:00:00Z",
                                  {"minor": 4_000_000, "currency": "IRR"}).outcome == "updated"
    engine.record_purchase(p, "O-2", "2024-02-01", crm.Money(10**15, "IRR"))
    assert [x.order_id for x in engine.purchases(p)] and len(engine.purchases(p)) == 2
    (summary,) = engine.customer_360(p).purchases
    assert (summary.currency, summary.count, summary.total_minor) == ("IRR", 2, 10**15 + 4_000_000)
    assert summary.total == crm.Money(10**15 + 4_000_000, "IRR")
    with pytest.raises(crm.InvalidArgument) as e:
        engine.record_purchase(p, "O-3", "2024-02-01", crm.Money(1, "IRR"),
                               lines=[{"quantity": 0, "unit_price": crm.Money(1, "IRR")}])
    assert e.value.field == "lines[0].quantity"
    with pytest.raises(crm.InvalidArgument) as e:
        engine.record_purchase(p, "O-3", "2024-02-01", {"minor": 1, "currency": "XXQ"})
    assert e.value.field == "total.currency"


def test_money_values():
    m = crm.Money(1250, "USD")
    assert (m.minor, m.currency, m.to_dict()) == (1250, "USD", {"minor": 1250, "currency": "USD"})
    assert m + m == crm.Money(2500, "USD") and 3 * m == m * 3 == crm.Money(3750, "USD")
    assert crm.Money.parse("۱۲۵۰۰", "IRR") == crm.Money(1_250_000, "IRR")
    assert repr(m) == "Money(1250, 'USD')" and hash(m) == hash(crm.Money(1250, "USD"))
    with pytest.raises(crm.Conflict):
        m + crm.Money(1, "EUR")
    with pytest.raises(crm.InvalidArgument):
        crm.Money(2**62, "USD") * 4
    with pytest.raises(crm.InvalidArgument):
        crm.Money(1, "usd?")
    with pytest.raises(TypeError):
        crm.Money(1.5, "USD")  # type: ignore[arg-type]


def test_the_360_view_gathers_everything(engine, person):
    p = person("C1", "Ali", "Rezaei", email="ali@x.ir")
    org = engine.create_party("organization", organization_name="Acme")
    engine.link_to_organization(p, org, "buyer")
    for i in range(3):
        engine.log_interaction(p, "sms", subject=f"m{i}", at=T0 + timedelta(minutes=i))
    engine.schedule_activity(p, "follow up", T0 + timedelta(days=1))
    engine.record_purchase(p, "O1", T0, crm.Money(100, "USD"))
    v = engine.customer_360(p, recent_interactions=2)
    assert isinstance(v, crm.Customer360)
    assert v.party.id == p.id
    assert [m.organization for m in v.memberships] == [org.id]
    assert [i.subject for i in v.recent_interactions] == ["m2", "m1"]
    assert [a.subject for a in v.open_activities] == ["follow up"]
    assert [s.currency for s in v.purchases] == ["USD"]
    assert v.merged_ids == []
    d = v.to_dict()
    assert d["party"]["id"] == p.id and d["purchases"][0]["total_minor"] == 100
