"""CSV imports: reports, problems, dry runs, progress, idempotency."""

from __future__ import annotations

import io

import pytest

import crm

CUSTOMERS = """external_id,kind,first_name,last_name,company,email,phone,city,country,created_at
C1,person,علی,رضایی,,ali@x.ir,09121234567,تهران,IR,2022-01-31T06:02:46Z
C2,person,مینو,قهرمانیان,,bad-email,+98 935 111 2233,بابل,IR,2020-03-22T17:10:48Z
C3,person,,,,,,,IR,2021-01-01T00:00:00Z
C4,organization,,,شرکت نمونه,info@nemune.ir,,یزد,IR,2019-05-05T00:00:00Z
"""

ORDERS = """external_id,order_id,ordered_at,amount_minor,currency
C1,O1,2022-02-04T15:08:00Z,2168000000,IRR
C1,O2,2022-04-05T12:26:55Z,2047000000,IRR
C9,O3,2022-04-05T12:26:55Z,100,IRR
"""


def test_import_customers_reports_each_row(engine):
    seen = []
    report = engine.import_customers(io.StringIO(CUSTOMERS), progress=seen.append)
    assert isinstance(report, crm.ImportReport)
    assert (report.imported, report.rejected) == (3, 1)
    assert report.warnings >= 1 and report.summary().startswith("imported 3")
    assert seen and all(isinstance(b, int) for b in seen) and seen[-1] == len(CUSTOMERS.encode())
    error = next(p for p in report.problems if p.severity == "error")
    assert (error.line, error.external_id) == (4, "C3")
    warning = next(p for p in report.problems if p.severity == "warning")
    assert (warning.external_id, warning.field, warning.value) == ("C2", "email", "bad-email")
    assert report.problems_csv().startswith("line,external_id,field,severity,reason,value")
    assert [p["line"] for p in report.to_dict()["problems"]] == [p.line for p in report.problems]
    c2 = engine.get_party_by_external_id("C2")
    assert [c.value for c in c2.contacts] == ["+989351112233"]
    assert engine.get_party_by_external_id("C4").organization_name == "شرکت نمونه"
    # The same file again changes nothing.
    again = engine.import_customers(io.BytesIO(CUSTOMERS.encode()))
    assert (again.imported, again.unchanged) == (0, 3)


def test_import_orders_after_customers(engine, tmp_path):
    engine.import_customers(io.StringIO(CUSTOMERS))
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    report = engine.import_orders(path)
    assert (report.imported, report.rejected) == (2, 1)
    c1 = engine.get_party_by_external_id("C1")
    (summary,) = engine.customer_360(c1).purchases
    assert (summary.count, summary.total_minor) == (2, 2168000000 + 2047000000)
    assert engine.import_orders(str(path)).unchanged == 2


def test_dry_run_writes_nothing(engine):
    report = engine.import_customers(io.StringIO(CUSTOMERS), dry_run=True)
    assert report.imported == 3
    assert engine.events_after(0) == []
    with pytest.raises(crm.NotFound):
        engine.get_party_by_external_id("C1")


def test_import_failures(engine, tmp_path):
    with pytest.raises(FileNotFoundError):
        engine.import_customers(tmp_path / "missing.csv")
    with pytest.raises(crm.ParseError):
        engine.import_customers(io.StringIO("external_id,shoe_size\nC1,42\n"))
    with engine.transaction():
        with pytest.raises(crm.Conflict):
            engine.import_customers(io.StringIO(CUSTOMERS))

    def stop(_bytes):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        engine.import_customers(io.StringIO(CUSTOMERS), progress=stop)
    assert not engine.in_transaction
    with pytest.raises(TypeError):
        engine.import_customers(io.StringIO(CUSTOMERS), progress=5)


def test_export_imports_back_unchanged(engine, tmp_path):
    engine.create_party(external_id="E1", first_name="علی", last_name="کریمی",
                        email="ali@x.ir", phone="09121234567", tags=["vip"])
    engine.create_party(external_id="E2", kind="organization", organization_name="شرکت آلفا")
    path = tmp_path / "out.csv"
    assert engine.export_customers(str(path)) == 2
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("external_id,kind,first_name,last_name,company,email,phone")
    report = engine.import_customers(str(path))
    assert (report.imported, report.updated, report.unchanged) == (0, 0, 2)


def test_list_parties_pages_in_id_order(engine):
    ids = [engine.create_party(first_name="N", last_name=str(k)).id for k in range(5)]
    seen, after = [], None
    while True:
        page = engine.list_parties(after=after, limit=2)
        if not page:
            break
        seen += [p.id for p in page]
        after = page[-1].id
    assert seen == ids
    with pytest.raises(crm.InvalidArgument) as err:
        engine.list_parties(limit=0)
    assert err.value.field == "limit"


def test_bank_identifier_fields_are_checked_on_import(engine):
    engine.define_field("sheba", "sheba", label="شبا")
    engine.define_field("card", "bank_card")
    engine.define_field("zip", "postal_code")
    rows = """external_id,first_name,last_name,sheba,card,zip
B1,علی,رضایی,IR82 0540 1026 8002 0817 9090 02,6037-9912-3456-7893,16197-35744
B2,مینا,کاظمی,IR83 0540 1026 8002 0817 9090 02,,
B3,رضا,نوری,,6037991234567890,
B4,سارا,احمدی,,,1629735744
"""
    report = engine.import_customers(io.StringIO(rows))
    assert (report.imported, report.rejected) == (1, 3)
    fields = {p.external_id: p.field for p in report.problems if p.severity == "error"}
    assert fields == {"B2": "custom.sheba", "B3": "custom.card", "B4": "custom.zip"}
    b1 = engine.get_party_by_external_id("B1")
    assert b1.custom == {"sheba": "IR820540102680020817909002", "card": "6037991234567893",
                         "zip": "1619735744"}
    with pytest.raises(crm.NotFound):
        engine.get_party_by_external_id("B2")


def test_identifiers_are_checked_with_their_bank(engine):
    sheba = engine.check_identifier("sheba", "IR۸۲ ۰۵۴۰ ۱۰۲۶ ۸۰۰۲ ۰۸۱۷ ۹۰۹۰ ۰۲")
    assert sheba["value"] == "IR820540102680020817909002"
    assert sheba["bank"] == {"code": "054", "name_fa": "بانک پارسیان", "name_en": "Parsian Bank"}
    assert sheba["account"] == "102680020817909002"
    card = engine.check_identifier("bank_card", "6104 3300 0000 0011")
    assert card["formatted"] == "6104-3300-0000-0011" and card["bank"]["code"] == "012"
    assert engine.check_identifier("postal_code", "۱۶۱۹۷۳۵۷۴۴")["formatted"] == "16197-35744"
    assert engine.check_identifier("national_id", "۰۰۱-۳۵۴۲۴۱-۹")["value"] == "0013542419"
    assert engine.check_identifier("legal_id", "10101609407") == {"kind": "legal_id", "value": "10101609407"}
    for kind, value, field in [("sheba", "IR830540102680020817909002", "value"),
                               ("bank_card", "610433000000001", "value"),
                               ("national_id", "0013542418", "value"), ("passport", "X", "kind")]:
        with pytest.raises(crm.InvalidArgument) as e:
            engine.check_identifier(kind, value)
        assert e.value.field == field, kind
