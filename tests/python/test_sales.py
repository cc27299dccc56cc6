"""Sales from Python: process definitions, opportunities, moves, close
records, history and pipeline totals, through Engine.execute and crm.Sales."""

from __future__ import annotations

import datetime

import pytest

import crm


def irr(minor: int) -> dict:
    return {"minor": minor, "currency": "IRR"}


@pytest.fixture
def sales(engine):
    return crm.Sales(engine)


def test_an_opportunity_walks_the_default_pipeline(engine, sales, person):
    p = person("C1", "Ali", "Rezaei")
    opp = sales.create_opportunity(party=p.id, name="ERP licences", owner="user:7",
                                   expected_close="1404-03-15")
    assert opp["stage"] == "qualify"
    assert opp["probability"] == 10
    assert opp["expected_close"] == "2025-06-05"
    with pytest.raises(crm.InvalidArgument) as e:
        sales.move(opp["id"], "propose")
    assert e.value.field == "amount"
    moved = sales.move(opp["id"], "propose", reason="asked for prices",
                       changes={"amount": irr(50_000_000)})
    assert (moved["stage"], moved["probability"]) == ("propose", 60)
    assert [m["name"] for m in sales.moves(opp["id"])] == ["negotiate", "back", "win", "lose"]
    won = sales.win(opp["id"], "best offer", note="signed")
    assert won["status"] == "won"
    assert won["close"]["actual_revenue"] == irr(50_000_000)
    history = sales.history(opp["id"])
    assert [(h["from"], h["to"]) for h in history] == [("", "qualify"), ("qualify", "propose"),
                                                        ("propose", "won")]
    assert history[1]["reason"] == "asked for prices"
    assert sales.reopen(opp["id"], "came back")["stage"] == "qualify"
    assert [o["id"] for o in sales.opportunities_of(p.id)] == [opp["id"]]


def test_an_illegal_move_names_the_allowed_ones(sales, person):
    p = person("C1", "Ali", "Rezaei")
    opp = sales.create_opportunity(party=p.id, name="deal")
    with pytest.raises(crm.InvalidTransition) as e:
        sales.move(opp["id"], "win", close={"reason": "x"})
    assert e.value.field == "move"
    assert "allowed moves: develop -> develop, propose -> propose, lose -> lost" in e.value.message
    assert sales.get_opportunity(opp["id"])["stage"] == "qualify"


def test_bad_requests_name_their_json_path(engine, sales, person):
    p = person("C1", "Ali", "Rezaei")
    with pytest.raises(crm.InvalidArgument) as e:
        sales.create_opportunity(party=p.id, name="deal", amount={"minor": 5, "currency": "XX"})
    assert e.value.field == "amount.currency"
    with pytest.raises(crm.InvalidArgument) as e:
        engine.execute("opportunity.create", {"party": p.id, "name": "x", "colour": "red"})
    assert e.value.field == "colour"
    opp = sales.create_opportunity(party=p.id, name="deal")
    with pytest.raises(crm.InvalidArgument) as e:
        sales.update_opportunity(opp["id"], probability=150)
    assert e.value.field == "changes.probability"
    with pytest.raises(crm.NotFound) as e:
        engine.execute("no.such.command", {})
    assert e.value.field == "method"


def test_definitions_are_versioned_and_drawn(sales):
    definition = {
        "id": "b2b", "record_type": "opportunity",
        "states": [{"id": "new", "initial": True, "probability": 5},
                   {"id": "won", "category": "won"}, {"id": "lost", "category": "lost"}],
        "transitions": [{"name": "win", "from": "new", "to": "won", "close_record": True},
                        {"name": "lose", "from": "*", "to": "lost", "close_record": True}],
    }
    first = sales.define_process(definition)
    assert (first["outcome"], first["definition"]["version"]) == ("created", 1)
    assert sales.define_process(definition)["outcome"] == "unchanged"
    definition["states"][0]["probability"] = 7
    assert sales.define_process(definition)["definition"]["version"] == 2
    assert sales.process("b2b", 1)["states"][0]["probability"] == 5
    assert '"new" -> "won" [label="win"]' in sales.process("b2b", format="dot")["dot"]
    assert "s_new --> s_lost : lose" in sales.process("b2b", format="mermaid")["mermaid"]
    definition["states"][0]["initial"] = False
    with pytest.raises(crm.InvalidArgument) as e:
        sales.define_process(definition)
    assert e.value.field == "definition.states"


def test_pipeline_totals(sales, person):
    p = person("C1", "Ali", "Rezaei")
    for minor in (1_000, 2_001):
        sales.create_opportunity(party=p.id, name="deal", amount=irr(minor))
    stages = {s["stage"]: s for s in sales.pipeline()["items"]}
    assert stages["qualify"]["totals"] == [{"stage": "qualify", "currency": "IRR", "count": 2,
                                            "amount_minor": 3_001, "weighted_minor": 300}]
    assert stages["won"]["totals"] == []


def test_a_lead_is_scored_qualified_and_converted(engine, sales, person):
    existing = person("C1", "Ali", "Rezaei", email="ali@example.ir")
    sales.define_lead_scoring([
        {"name": "web form", "when": {"eq": [{"field": "source"}, "web_form"]}, "points": 10},
        {"name": "has a company", "when": {"not": {"is_empty": {"field": "company"}}}, "points": 20},
    ])
    lead = sales.capture_lead(source="web_form", first_name="Ali", last_name="Rezaei",
                              email="ALI@example.ir", company="Pars Co")
    assert lead["score"] == 30
    assert [s["rule"] for s in lead["score_lines"]] == ["web form", "has a company"]
    with pytest.raises(crm.InvalidTransition):
        sales.convert_lead(lead["id"])
    sales.move_lead(lead["id"], "qualify")
    done = sales.convert_lead(lead["id"], create_opportunity=True,
                              amount={"minor": 5_000, "currency": "IRR"})
    assert done["party"] == existing.id
    assert done["matched_by"] == ["email"]
    assert done["organization_created"] is True
    assert sales.get_opportunity(done["opportunity"])["source_lead"] == lead["id"]
    assert sales.convert_lead(lead["id"])["already_converted"] is True
    view = engine.execute("customer.view", {"party": existing.id})
    assert [l["id"] for l in view["open_leads"]] == []
    typed = engine.customer_360(existing.id)
    assert typed.open_leads == []
    assert [o["id"] for o in typed.open_opportunities] == []  # the deal went to the organisation
    org_view = engine.customer_360(done["organization"])
    assert [o["id"] for o in org_view.open_opportunities] == [done["opportunity"]]
    with pytest.raises(crm.InvalidArgument) as e:
        sales.capture_lead(first_name="X")
    assert e.value.field == "email"
    with pytest.raises(crm.InvalidArgument) as e:
        sales.disqualify_lead(sales.capture_lead(first_name="Y", phone="09121112233")["id"], "")
    assert e.value.field == "reason"


def test_the_forecast_of_a_jalali_quarter(engine, sales, person):
    p = person("C1", "Ali", "Rezaei")
    opp = sales.create_opportunity(party=p.id, name="deal", owner="sara",
                                   amount=irr(10_000), expected_close="1403-01-20")
    sales.move(opp["id"], "propose")
    f = sales.forecast("1403-Q1", calendar="jalali")
    assert (f["from_date"], f["to_date"]) == ("2024-03-20", "2024-06-21")
    [row] = f["rows"]
    assert row["group"] == "sara"
    assert row["best_case"] == {"count": 1, "amount_minor": 10_000, "weighted_minor": 6_000}
    assert sales.forecast("1403-Q2", calendar="jalali")["rows"] == []
    with pytest.raises(crm.InvalidArgument) as e:
        sales.forecast("1403-Q9", calendar="jalali")
    assert e.value.field == "period"
    [stage] = sales.pipeline_as_of("2030-01-01T00:00:00Z")
    assert (stage["stage"], stage["category"], stage["count"]) == ("propose", "open", 1)
    assert sales.pipeline_as_of("2030-01-01T00:00:00Z", owner="sara") == [stage]
    assert sales.pipeline_as_of("2030-01-01T00:00:00Z", owner="reza") == []


def test_a_quote_from_the_catalogue_to_the_erp_order(engine, sales, person):
    p = person("C1", "Ali", "Rezaei")
    made = sales.define_product("ERP-1", "ERP licence", unit="licence",
                                prices=[{"unit_price": irr(1_234_567)},
                                        {"price_list": "wholesale", "unit_price": irr(1_000_000)}])
    assert made["outcome"] == "created"
    assert sales.define_product("ERP-1", "ERP licence", unit="licence",
                                prices=made["product"]["prices"])["outcome"] == "unchanged"
    assert [t["id"] for t in sales.tax_categories()] == ["exempt", "standard"]
    with pytest.raises(crm.InvalidArgument) as e:
        sales.create_quote(party=p.id, lines=[{"sku": "ERP-1", "unit_price": {"minor": 1, "currency": "USD"}}])
    assert e.value.field == "lines[0].unit_price"
    with pytest.raises(crm.InvalidArgument) as e:
        sales.create_quote(party=p.id, lines=[{"sku": "ERP-1", "quantity": -1}])
    assert e.value.field == "lines[0].quantity"
    assert list(sales.quotes(party=p.id)) == []

    q = sales.create_quote(party=p.id, number="PF-1", valid_until="1403-02-01",
                           lines=[{"sku": "ERP-1", "quantity": "3", "discount_percent": 12.5},
                                  {"name": "Training", "quantity": 2.5,
                                   "unit_price": irr(999), "discount_amount": irr(100),
                                   "tax_category": "exempt"}])
    assert q["valid_until"] == "2024-04-20"
    assert [x["id"] for x in engine.customer_360(p.id).open_quotes] == [q["id"]]
    assert [l["total_minor"] for l in q["lines"]] == [3_564_812, 2_398]
    assert q["total_minor"] == 3_567_210
    # The total as a pre-invoice prints it: 35,672.10 rials, or tomans and rials.
    assert q["total_text"] == {"digits": "۳۵٬۶۷۲٫۱۰ ریال",
                               "words": "سی و پنج هزار و ششصد و هفتاد و دو و ده صدم ریال", "unit": "IRR"}
    assert q["total_text"]["words"] == crm.Money(3_567_210, "IRR").in_words()
    assert sales.get_quote("PF-1", unit="toman")["total_text"]["digits"] == "۳٬۵۶۷ تومان و ۲٫۱۰ ریال"
    assert crm.Money(440_606_250_000, "IRR").in_words("toman") == \
        "چهارصد و چهل میلیون و ششصد و شش هزار و دویست و پنجاه تومان"
    assert crm.Money(440_606_250_000, "IRR").persian() == "۴٬۴۰۶٬۰۶۲٬۵۰۰ ریال"
    with pytest.raises(crm.InvalidArgument) as e:
        crm.Money(10**15 + 1, "IRR").in_words()
    assert e.value.field == "amount"
    with pytest.raises(crm.InvalidArgument) as e:
        crm.Money(100, "USD").persian("toman")
    assert e.value.field == "unit"
    assert [m["name"] for m in sales.quote_moves(q["id"])] == ["activate", "cancel", "revise"]
    desk = crm.Service(engine)
    assert desk.portal_quotes(p.id) == []  # a draft is not shown to the customer
    sales.move_quote(q["id"], "activate")
    [shown] = desk.portal_quotes(p.id, unit="toman")
    assert (shown["id"], shown["total_text"]["digits"]) == (q["id"], "۳٬۵۶۷ تومان و ۲٫۱۰ ریال")
    with pytest.raises(crm.InvalidTransition):
        sales.update_quote(q["id"], lines=[])
    second = sales.revise_quote(q["id"], reason="10% more off",
                                lines=[{"sku": "ERP-1", "quantity": 3, "discount_percent": 22.5}])
    assert (second["revision"], second["state"]) == (2, "draft")
    assert sales.get_quote(q["id"])["state"] == "revised"
    assert sales.get_quote("PF-1")["id"] == second["id"]
    assert [r["revision"] for r in sales.quotes(revisions_of=second["id"])] == [1, 2]
    assert desk.portal_quotes(p.id) == []  # revised, and its next revision still a draft
    sales.move_quote(second["id"], "activate")
    assert [x["id"] for x in desk.portal_quotes(p.id)] == [second["id"]]
    with pytest.raises(crm.InvalidArgument) as e:
        desk.portal_quotes(p.id, unit="dinar")
    assert e.value.field == "unit"
    won = sales.move_quote(second["id"], "win", reason="signed")
    assert won["status"] == "won"
    handoff = [ev for ev in engine.events_after(0, limit=1000) if ev.type == "quote.won"]
    assert len(handoff) == 1
    assert [l["sku"] for l in handoff[0].payload["lines"]] == ["ERP-1"]
    assert sales.record_order(second["id"], "SO-77")["erp_order_id"] == "SO-77"
    with pytest.raises(crm.Conflict):
        sales.record_order(second["id"], "SO-78")
    view = engine.execute("customer.view", {"party": p.id})
    assert view["open_quotes"] == []
    assert engine.customer_360(p.id).open_quotes == []


def test_holidays_lists_lunar_days_as_provisional_until_confirmed(sales):
    year = sales.holidays(1404)
    ashura = [h for h in year if h["name"] == "Ashura"]
    assert ashura == [{"date": "2025-07-06", "jalali": "1404-04-15", "name": "Ashura",
                       "hijri": True, "provisional": True}]
    assert any(h["name"] == "Nowruz" and not h["hijri"] for h in year)
    # A calendar that confirms Muharram 1447 a day late moves Ashura with it.
    cal = {"id": "office", "week": {"saturday": ["08:00-16:00"]},
           "holidays": [{"date": "1447-01-10", "calendar": "hijri", "every_year": True, "name": "Ashura"}],
           "hijri_months": [{"month": "1447-01", "starts": "2025-06-28", "calendar": "gregorian"}]}
    sales.define_calendar(cal)
    moved = sales.holidays(from_date=datetime.date(2025, 7, 1), to_date="2025-07-31", calendar="office")
    assert moved == [{"date": "2025-07-07", "jalali": "1404-04-16", "name": "Ashura",
                      "hijri": True, "provisional": False}]
    with pytest.raises(crm.InvalidArgument) as bad:
        sales.define_calendar(dict(cal, hijri_months=[{"month": "1447-01", "starts": "2025-07-20",
                                                       "calendar": "gregorian"}]))
    assert bad.value.field == "calendar.hijri_months[0].starts"
    with pytest.raises(crm.InvalidArgument) as bad:
        sales.holidays(1200)
    assert bad.value.field == "year"
