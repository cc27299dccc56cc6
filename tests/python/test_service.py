"""The service desk from Python: queues, SLA policies, tickets whose clocks
count Tehran's business hours, comments, referral, tick and bad input,
through crm.Service on both backends."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import crm

# Monday 2026-02-09 08:00 in Tehran (+03:30).
MONDAY_8 = datetime(2026, 2, 9, 4, 30, tzinfo=timezone.utc)

STANDARD = {"id": "standard", "kpis": {
    "first_response": {"warning": {"business_hours": 1}, "failure": {"business_hours": 2}},
    "resolution": {"failure": {"business_hours": 8}}}}


@pytest.fixture
def desk(engine):
    engine.set_now(MONDAY_8)
    service = crm.Service(engine)
    service.define_sla_policy(STANDARD)
    service.define_queue("tier1", members=[{"user": "sara", "skills": ["fa"]}, {"user": "reza"}])
    service.define_queue("billing", members=[{"user": "mina"}])
    return service


def clock(ticket: dict, kpi: str) -> dict:
    return [c for c in ticket["slas"] if c["kpi"] == kpi][-1]


def test_a_ticket_runs_its_clocks(engine, desk, person):
    p = person("C1", "Ali", "Rezaei")
    t = desk.create_ticket(subject="اینترنت قطع است", party=p.id, queue="tier1",
                           assignee="sara", priority="high", channel="call")
    assert (t["state"], t["status"], t["sla_policy"]) == ("new", "open", "standard")
    assert clock(t, "first_response")["failure_at"] == "2026-02-09T06:30:00Z"
    assert clock(t, "resolution")["failure_at"] == "2026-02-09T12:30:00Z"
    engine.advance(timedelta(minutes=30))
    desk.comment(t["id"], "We are on it")
    t = desk.get_ticket(t["id"])
    assert clock(t, "first_response")["status"] == "succeeded"
    assert t["first_response_at"] == "2026-02-09T05:00:00Z"
    t = desk.refer(t["id"], "a billing question", queue="billing", assignee="mina")
    assert (t["queue"], t["assignee"], t["referral_count"]) == ("billing", "mina", 1)
    t = desk.move(t["id"], "pend_customer")
    assert clock(t, "resolution")["status"] == "paused"
    assert t["due_at"] is None
    engine.advance(timedelta(days=1))
    t = desk.move(t["id"], "open")
    assert clock(t, "resolution")["status"] == "in_progress"
    assert clock(t, "resolution")["paused_ms"] == 8 * 3_600_000  # Mon 08:30-16:00, Tue 08:00-08:30
    t = desk.move(t["id"], "resolve", reason="modem replaced")
    assert (t["state"], t["status"]) == ("resolved", "closed")
    assert clock(t, "resolution")["status"] == "succeeded"
    assert [m["name"] for m in desk.moves(t["id"])] == ["close", "reopen"]
    steps = desk.explain_sla(t["id"], "resolution")
    assert "paused" in [s["what"] for s in steps]
    assert [x["id"] for x in desk.tickets_of(p.id)] == [t["id"]]
    assert engine.customer_360(p.id).open_tickets == []
    again = desk.move(t["id"], "reopen")
    assert [x["id"] for x in engine.customer_360(p.id).open_tickets] == [again["id"]]


def test_tick_breaches_once(engine, desk, person):
    t = desk.create_ticket(subject="No internet", party=person("C2", "Sara", "Ahmadi").id)
    assert desk.tick(now="2026-02-09T05:45:00Z") == {"examined": 1, "warnings": 1, "breaches": 0,
                                                     "escalations": 0, "failed": []}
    assert desk.tick(now="2026-02-09T05:45:00Z")["examined"] == 0
    report = desk.tick(now="2026-02-10T05:00:00Z")
    assert report["breaches"] == 2
    types = [e.type for e in engine.events_after(0, limit=1000)]
    assert types.count("sla.breached") == 2
    assert types.count("sla.warning") == 1
    assert clock(desk.get_ticket(t["id"]), "resolution")["status"] == "breached"


def test_bad_input_is_refused_and_writes_nothing(engine, desk, person):
    p = person("C3", "Reza", "Nouri")
    with pytest.raises(crm.NotFound) as e:
        desk.create_ticket(subject="x", party=p.id, queue="nowhere")
    assert e.value.field == "queue"
    with pytest.raises(crm.InvalidArgument) as e:
        desk.create_ticket(subject="x", party=p.id, queue="tier1", assignee="mina")
    assert e.value.field == "assignee"
    with pytest.raises(crm.InvalidArgument) as e:
        desk.create_ticket(subject="x", party=p.id, priority="asap")
    assert e.value.field == "priority"
    with pytest.raises(crm.InvalidArgument) as e:
        desk.define_sla_policy({"id": "p", "kpis": {"resolution": {"failure": {"days": 1}}}})
    assert e.value.field == "policy.kpis.resolution.failure.days"
    assert desk.tickets_of(p.id) == []
    t = desk.create_ticket(subject="x", party=p.id)
    with pytest.raises(crm.InvalidTransition):
        desk.move(t["id"], "close")
    with pytest.raises(crm.InvalidArgument) as e:
        desk.comment(t["id"], attachments=[{"name": "a.png", "size": 1, "sha256": "xyz"}])
    assert e.value.field == "attachments[0].sha256"
    assert desk.comments(t["id"]) == []


def test_satisfaction_and_the_portal(engine, desk, person):
    p = person("C5", "Roya", "Tehrani")
    t = desk.create_ticket(subject="Password reset", party=p.id)
    desk.comment(t["id"], "Done")
    t = desk.move(t["id"], "resolve", reason="reset")
    assert t["first_contact_resolution"] is True
    with pytest.raises(crm.InvalidArgument) as e:
        desk.record_csat(t["id"], 9)
    assert e.value.field == "score"
    assert desk.record_csat(t["id"], 5, "fast")["csat"] == 5
    desk.record_nps(p.id, 10)
    assert [r["score"] for r in desk.nps_of(p.id)] == [10]
    view = engine.customer_360(p.id)
    assert view.last_csat["score"] == 5
    assert view.last_nps["score"] == 10
    portal = desk.portal_view(p.id)
    assert [(x["state"], x["state_label"]) for x in portal] == [("resolved", "Resolved")]
    assert [c["body"] for c in portal[0]["comments"]] == ["Done"]


def test_comments_and_merge(engine, desk, person):
    p = person("C4", "Mina", "Rad")
    a = desk.create_ticket(subject="No internet", party=p.id)
    b = desk.create_ticket(subject="Internet down", party=p.id)
    desk.comment(a["id"], "reseller", public=False)
    desk.comment(a["id"], "photo", author_kind="customer",
                 attachments=[{"name": "m.jpg", "size": 10, "sha256": "a" * 64}])
    assert len(desk.comments(a["id"])) == 2
    public = desk.comments(a["id"], include_internal=False)
    assert [c["body"] for c in public] == ["photo"]
    assert public[0]["attachments"][0]["sha256"] == "a" * 64
    merged = desk.merge(b["id"], a["id"])
    assert (merged["state"], merged["merged_into"]) == ("merged", a["id"])
    assert [q["id"] for q in desk.queues()] == ["billing", "tier1"]
    assert [x["id"] for x in desk.sla_policies()] == ["standard"]


def test_assignment_rules(engine, desk, person):
    desk.define_assignment_rule({"id": "rest", "queue": "tier1"})
    with pytest.raises(crm.InvalidArgument) as e:
        desk.define_assignment_rule({"id": "x", "queue": "tier1", "strategy": "skill"})
    assert e.value.field == "rule.skill"
    p = person("C6", "Omid", "Jafari")
    turns = [desk.create_ticket(subject="x", party=p.id)["assignee"] for _ in range(3)]
    assert turns == ["sara", "reza", "sara"]
    assert [r["id"] for r in desk.assignment_rules()] == ["rest"]
    t = desk.create_ticket(subject="y", party=p.id, queue="billing")
    assert t["assignee"] == ""
    assert desk.auto_assign(t["id"])["assignee"] == ""


def test_escalation_rules(engine, desk, person):
    desk.define_escalation_rule({"id": "unanswered", "when": {"is_empty": {"field": "first_response_at"}},
                                 "after": {"business_minutes": 30},
                                 "actions": {"priority": "urgent", "notify": "escalation.unanswered"}})
    with pytest.raises(crm.InvalidArgument) as e:
        desk.define_escalation_rule({"id": "x", "when": True, "after": {"business_hours": 1},
                                     "actions": {}})
    assert e.value.field == "rule.actions"
    t = desk.create_ticket(subject="x", party=person("C7", "Nima", "Sabet").id)
    report = desk.tick(now="2026-02-09T05:00:00Z")  # 08:30 Tehran
    assert report["escalations"] == 1
    assert desk.get_ticket(t["id"])["priority"] == "urgent"
    assert [e.type for e in engine.events_after(0, limit=1000)].count("escalation.unanswered") == 1
    assert [r["id"] for r in desk.escalation_rules()] == ["unanswered"]


def test_the_service_report(engine, desk, person):
    t = desk.create_ticket(subject="x", party=person("C8", "Ava", "Nik").id, queue="tier1")
    desk.comment(t["id"], "done")
    desk.move(t["id"], "resolve", reason="done")
    desk.record_nps(t["party"], 9)
    report = desk.report("1404-11", calendar="jalali", group_by="queue")
    assert report["from_date"] == "2026-01-21"
    assert report["opened"] == 1
    assert report["first_contact_rate"] == 1.0
    assert report["nps"]["score"] == 100.0
    rows = {(r["group"], r["kpi"]): r for r in report["sla"]}
    assert rows[("tier1", "first_response")]["met"] == 1
    with pytest.raises(crm.InvalidArgument) as e:
        desk.report("1404-13", calendar="jalali")
    assert e.value.field == "period"


def test_proactive_recall(engine, desk, person):
    p = person("C9", "Dara", "Amini")
    engine.record_purchase(party=p.id, order_id="SO-1", ordered_at=MONDAY_8, total=crm.Money(5, "IRR"),
                           lines=[{"sku": "ROUTER-X", "name": "Router", "quantity": 1,
                                   "unit_price": crm.Money(5, "IRR"), "total": crm.Money(5, "IRR")}])
    rule = {"contains": [{"field": "skus"}, "ROUTER-X"]}
    first = desk.run_proactive("router-x", rule, "Recall: power supply", queue="tier1")
    assert (first["matched"], first["created"]) == (1, 1)
    assert desk.run_proactive("router-x", rule, "Recall: power supply")["already"] == 1
    assert desk.get_ticket("router-x:" + p.id)["type"] == "recall"
