"""Worklists from Python: lazy iteration over pages, the total, filters
taking datetimes and records, and bad filters raising by field, through
crm.Worklist on both backends."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import crm

# Monday 2026-02-09 08:00 in Tehran (+03:30).
MONDAY_8 = datetime(2026, 2, 9, 4, 30, tzinfo=timezone.utc)


@pytest.fixture
def desk(engine):
    engine.set_now(MONDAY_8)
    service = crm.Service(engine)
    service.define_sla_policy({"id": "standard", "kpis": {
        "resolution": {"failure": {"business_hours": 8}}}})
    service.define_queue("billing", members=[{"user": "sara"}, {"user": "reza"}])
    return service


def test_a_queue_is_read_lazily_page_by_page(engine, desk, person):
    p = person("C1", "Ali", "Rezaei")
    made = []
    for i in range(7):
        made.append(desk.create_ticket(subject=f"t{i}", party=p, queue="billing",
                                       assignee="sara" if i % 2 else "reza"))
        engine.advance(timedelta(minutes=10))
    calls = []

    class Counting:
        def execute(self, method, request):
            calls.append(request)
            return engine.execute(method, request)

    # Three pages of 3, 3 and 1, read one at a time as the iteration goes.
    tickets = crm.Worklist(Counting(), "ticket.list",  # type: ignore[arg-type]
                           {"queue": "billing", "status": "open", "order": "due"}, page_size=3)
    it = iter(tickets)
    first = next(it)
    assert len(calls) == 1
    rest = list(it)
    assert [t["id"] for t in [first, *rest]] == [t["id"] for t in made]
    assert len(calls) == 3
    assert tickets.total == 7
    assert len(calls) == 3  # the first page's total was kept: no query of its own
    mine = list(desk.tickets(owner="sara", created_since=MONDAY_8 + timedelta(minutes=15)))
    assert [t["subject"] for t in mine] == ["t5", "t3"]
    page = desk.tickets(owner=["sara", "reza"]).page(limit=2)
    assert len(page["items"]) == 2 and page["total"] == 7 and page["next"]


def test_deals_leads_activities_and_campaigns(engine, person):
    engine.set_now(MONDAY_8)
    p = person("C1", "Ali", "Rezaei")
    sales = crm.Sales(engine)
    a = sales.create_opportunity(party=p.id, name="A", owner="sara", expected_close="1404-11-01")
    sales.create_opportunity(party=p.id, name="B", owner="reza")
    assert [o["id"] for o in sales.opportunities(owner="sara", overdue=True)] == [a["id"]]
    assert [o["name"] for o in sales.opportunities(order="oldest")] == ["A", "B"]
    lead = sales.capture_lead(first_name="نرگس", last_name="موسوی", phone="09121234567")
    assert [x["id"] for x in sales.leads()] == [lead["id"]]
    engine.schedule_activity(p.id, "call back", MONDAY_8 + timedelta(hours=1), kind="call",
                             assignee="sara")
    engine.advance(timedelta(hours=2))
    assert [x["subject"] for x in engine.activities(owner="sara", overdue=True)] == ["call back"]
    mk = crm.Marketing(engine)
    mk.create_campaign(name="Nowruz", channels=["sms"])
    assert [c["name"] for c in mk.campaigns(where='channels contains "sms"')] == ["Nowruz"]


def test_bad_filters_raise_by_field(engine, desk):
    with pytest.raises(crm.InvalidArgument) as e:
        list(desk.tickets(team="north"))
    assert e.value.field == "team"
    with pytest.raises(crm.InvalidArgument) as e:
        list(desk.tickets(order="soonest"))
    assert e.value.field == "order"
    with pytest.raises(crm.InvalidArgument) as e:
        list(desk.tickets(colour="red"))
    assert e.value.field == "colour"
    with pytest.raises(crm.InvalidArgument) as e:
        desk.tickets(created_since=datetime(2026, 1, 1))  # naive: its zone would be a guess
    assert e.value.field == "created_since"


def test_wrappers_take_records_dates_and_money(engine, person):
    engine.set_now(MONDAY_8)
    p = person("C1", "Ali", "Rezaei")
    sales = crm.Sales(engine)
    o = sales.create_opportunity(party=p, name="ERP", amount=crm.Money(5_000_000, "IRR"),
                                 expected_close=datetime(2026, 3, 1, tzinfo=timezone.utc).date())
    assert o["party"] == p.id
    assert o["amount"] == {"minor": 5_000_000, "currency": "IRR"}
    assert o["expected_close"] == "2026-03-01"
    assert [x["id"] for x in sales.opportunities(party=p, changed_since=MONDAY_8)] == [o["id"]]
