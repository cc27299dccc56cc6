"""Hostile but realistic input through Python: opening modes, files only
where the host allows them, exports that never replace a file unasked,
nesting, one rule for dates, instants in range, and
transactions that belong to the thread that began them."""

from __future__ import annotations

import io
import threading
from datetime import datetime, timezone

import pytest

import crm


def test_opening_modes(tmp_path):
    path = tmp_path / "typo.db"
    with pytest.raises(crm.NotFound) as e:
        crm.Engine.open(str(path), mode="must_exist")
    assert e.value.field == "database"
    assert not path.exists()
    with pytest.raises(crm.NotFound):
        crm.Engine.open(str(path), mode="read_only")
    assert not path.exists()
    with pytest.raises(crm.InvalidArgument) as e:
        crm.Engine.open(str(path), mode="sometimes")
    assert e.value.field == "mode"

    with crm.Engine.open(str(path)) as engine:
        engine.upsert_party("R-1", first_name="Ali")
    with crm.Engine.open(str(path), mode="read_only") as engine:
        assert engine.get_party_by_external_id("R-1").first_name == "Ali"
        with pytest.raises(crm.StorageError):
            engine.upsert_party("R-2", first_name="Sara")
    with crm.Engine.open(path, mode="must_exist") as engine:
        engine.upsert_party("R-2", first_name="Sara")

    with pytest.raises(crm.InvalidArgument) as e:
        crm.Engine.open("memory:xyz")
    assert e.value.field == "database"
    assert not (tmp_path / "memory:xyz").exists()
    with pytest.raises(crm.InvalidArgument) as e:
        crm.Engine.open("memory:", mode="read_only")
    assert e.value.field == "mode"


def test_file_commands_only_below_the_allowed_directories(tmp_path):
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "in.csv").write_text("external_id,first_name\nF-1,Ali\n")
    (tmp_path / "out.csv").write_text("external_id,first_name\nF-2,Sara\n")

    with crm.Engine.open() as engine:
        with pytest.raises(crm.PermissionDenied) as e:
            engine.execute("import.customers", {"path": str(allowed / "in.csv")})
        assert e.value.field == "path"
        answer = engine.execute("import.customers", {"csv": "external_id,first_name\nB-1,Reza\n"})
        assert answer["imported"] == 1
        assert "B-1" in engine.execute("export.customers", {})["csv"]

    with crm.Engine.open(file_directories=[allowed]) as engine:
        assert engine.execute("import.customers", {"path": str(allowed / "in.csv")})["imported"] == 1
        with pytest.raises(crm.PermissionDenied):
            engine.execute("import.customers", {"path": str(tmp_path / "out.csv")})
        with pytest.raises(crm.PermissionDenied):
            engine.execute("import.customers", {"path": str(allowed / ".." / "out.csv")})
        engine.execute("export.customers", {"path": "export.csv"})
        assert "F-1" in (allowed / "export.csv").read_text()
        with pytest.raises(crm.Conflict):
            engine.execute("export.customers", {"path": "export.csv"})
        engine.execute("export.customers", {"path": "export.csv", "overwrite": True})

    with pytest.raises(crm.InvalidArgument) as e:
        crm.Engine.open(file_directories=[tmp_path / "missing"])
    assert e.value.field == "file_directories[0]"


def test_export_never_replaces_a_file_unasked(engine, tmp_path):
    engine.upsert_party("E-1", first_name="Ali", phone="+989121234567")
    target = tmp_path / "customers.csv"
    target.write_text("keep me\n")
    with pytest.raises(crm.Conflict):
        engine.export_customers(target)
    assert target.read_text() == "keep me\n"
    assert engine.export_customers(target, overwrite=True) == 1
    assert "E-1" in target.read_text()
    text, raw = io.StringIO(), io.BytesIO()
    assert engine.export_customers(text) == 1
    assert engine.export_customers(raw) == 1
    assert text.getvalue() == raw.getvalue().decode() == target.read_text()


def test_nesting_is_refused(engine):
    deep = True
    for _ in range(200):
        deep = {"not": deep}
    with pytest.raises(crm.InvalidArgument) as e:
        engine.execute("segment.define", {"id": "deep", "rule": deep})
    assert e.value.field == "request" and "128" in str(e.value)
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(crm.InvalidArgument) as e:
        engine.execute("segment.define", {"id": "deep", "rule": deep})
    assert e.value.field == "request"


def test_one_rule_for_dates_and_instants(engine):
    party = engine.upsert_party("J-1", first_name="Ali").record
    activity = engine.schedule_activity(party, "call back", "1404-03-01")
    assert activity.due == datetime(2025, 5, 22, tzinfo=timezone.utc)
    sales = crm.Sales(engine)
    opp = sales.create_opportunity(party=party.id, name="deal", expected_close="1404-03-01")
    assert opp["expected_close"] == "2025-05-22"
    for bad in ("0999-01-01", "1050-01-01"):  # no calendar; Jalali before 1700
        with pytest.raises(crm.ParseError) as e:
            engine.schedule_activity(party, "call back", bad)
        assert e.value.field == "due"
    for bad in (2**63 - 1, 253402300799999 + 1, -8520336000000 - 1):
        with pytest.raises(crm.InvalidArgument) as e:
            engine.upsert_party("J-2", first_name="A", created_at=bad)
        assert e.value.field == "created_at"
    with pytest.raises(crm.InvalidArgument):
        engine.execute("party.upsert", {"external_id": "J-2", "first_name": "A",
                                        "created_at": 2**64 - 1})
    late = engine.upsert_party("J-2", first_name="A", created_at=253402300799999).record
    assert engine.get_party(late.id).created_at.year == 9999


def test_a_transaction_belongs_to_its_thread(tmp_path):
    with crm.Engine.open(str(tmp_path / "t.db"), busy_timeout_ms=200) as engine:
        outcome = {}

        def other():
            outcome["sees_one"] = engine.in_transaction  # this thread's own, not another's
            for name, call in (("commit", engine.commit), ("rollback", engine.rollback),
                               ("write", lambda: engine.upsert_party("B-1", first_name="Bita"))):
                try:
                    call()
                    outcome[name] = "ok"
                except crm.Error as e:
                    outcome[name] = type(e).__name__

        engine.begin()
        engine.upsert_party("A-1", first_name="Ali")
        t = threading.Thread(target=other)
        t.start()
        t.join()
        engine.rollback()
        assert outcome == {"sees_one": False, "commit": "Conflict", "rollback": "Conflict",
                           "write": "Conflict"}
        with pytest.raises(crm.NotFound):
            engine.get_party_by_external_id("A-1")
        with pytest.raises(crm.NotFound):
            engine.get_party_by_external_id("B-1")
        # With no transaction open, the other thread's write runs at once.
        t = threading.Thread(target=other)
        t.start()
        t.join()
        assert outcome["write"] == "ok"
        assert engine.get_party_by_external_id("B-1").first_name == "Bita"
