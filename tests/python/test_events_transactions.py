"""The outbox (events read by cursor and acknowledged), the audit trail and
transactions with `with`."""

from __future__ import annotations

import threading
import types

import pytest

import crm
from conftest import T0


def test_events_are_read_after_a_cursor_and_acknowledged(engine, person):
    p = person("C1", "Ali", "Rezaei")
    engine.update_party(p, city="Tehran")
    engine.log_interaction(p, "call")
    events = engine.events_after(0)
    assert [e.type for e in events] == ["party.created", "party.updated", "interaction.logged"]
    first = events[0]
    assert isinstance(first, crm.Event)
    assert (first.record_type, first.record_id, first.at) == ("party", p.id, T0)
    assert first.payload["first_name"] == "Ali"
    assert first.payload == __import__("json").loads(first.payload_json)
    assert [e.seq for e in engine.events_after(events[0].seq, limit=1)] == [events[1].seq]

    it = engine.iter_events(batch=2)
    assert isinstance(it, types.GeneratorType), "iter_events is lazy"
    assert [e.seq for e in it] == [e.seq for e in events]
    assert [e.seq for e in engine.iter_events(after=events[1].seq)] == [events[2].seq]

    assert engine.consumer_cursor("erp") == 0
    engine.acknowledge("erp", events[1].seq)
    assert engine.consumer_cursor("erp") == events[1].seq
    with pytest.raises(crm.Conflict):
        engine.acknowledge("erp", 0)
    with pytest.raises(crm.InvalidArgument) as e:
        engine.acknowledge("erp", events[-1].seq + 100)
    assert e.value.field == "cursor"


def test_audit_trail_names_actor_and_changes(engine, person):
    p = person("C1", "Ali", "Rezaei")
    engine.update_party(p, city="Tabriz", actor="user:9", source="portal")
    trail = engine.audit_trail(p)
    update = next(a for a in trail if a.action == "update")
    assert (update.actor, update.source, update.record_id) == ("user:9", "portal", p.id)
    city = next(c for c in update.changes if c.field == "city")
    assert (city.before, city.after) == ("", "Tabriz")
    create = next(a for a in trail if a.action == "create")
    assert (create.actor, create.source) == ("user:test", "test")  # the engine's defaults


def test_with_transaction_commits(engine):
    with engine.transaction() as tx:
        assert tx is engine and engine.in_transaction
        a = engine.create_party(first_name="A")
        b = engine.create_party(first_name="B")
    assert not engine.in_transaction
    assert engine.get_party(a.id) == a and engine.get_party(b.id) == b


def test_with_transaction_rolls_back_on_exception(engine):
    kept = engine.create_party(first_name="Kept")
    with pytest.raises(RuntimeError):
        with engine.transaction():
            gone = engine.create_party(first_name="Gone")
            assert engine.get_party(gone.id) == gone  # visible inside
            raise RuntimeError("boom")
    assert not engine.in_transaction
    with pytest.raises(crm.NotFound):
        engine.get_party(gone.id)
    assert engine.get_party(kept.id) == kept
    assert [e.record_id for e in engine.events_after(0)] == [kept.id]


def test_a_failed_call_inside_a_transaction_is_undone_alone(engine):
    with engine.transaction():
        a = engine.create_party(first_name="A", external_id="X")
        with pytest.raises(crm.Conflict):
            engine.create_party(first_name="B", external_id="X")
        c = engine.create_party(first_name="C")
    assert engine.get_party(a.id) == a and engine.get_party(c.id) == c


def test_transactions_do_not_nest_and_explicit_calls_work(engine):
    with engine.transaction():
        with pytest.raises(crm.Conflict):
            with engine.transaction():
                pass
        assert engine.in_transaction, "the outer transaction is still open"
    engine.begin()
    p = engine.create_party(first_name="P")
    engine.rollback()
    with pytest.raises(crm.NotFound):
        engine.get_party(p.id)
    with pytest.raises(crm.Conflict):
        engine.commit()


def test_calls_from_threads_are_serialised(engine):
    errors = []

    def work(n):
        try:
            for i in range(20):
                engine.create_party(first_name=f"t{n}-{i}", tags=["threads"])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(engine.search(tag="threads", limit=1000)) == 80


def test_engine_calls_release_the_gil(engine):
    """Another Python thread keeps running while the engine works."""
    rows = "".join(f"G{i},person,Name{i},Family{i},,g{i}@x.ir,,,IR,\n" for i in range(3000))
    csv = "external_id,kind,first_name,last_name,company,email,phone,city,country,created_at\n" + rows
    started = threading.Event()
    result = []

    def run():
        started.set()
        result.append(engine.import_customers(__import__("io").StringIO(csv)))

    worker = threading.Thread(target=run)
    worker.start()
    started.wait()
    spins = 0
    while worker.is_alive():
        spins += 1
    worker.join()
    assert result[0].imported == 3000
    assert spins > 10_000, "the main thread was blocked while the engine worked"
