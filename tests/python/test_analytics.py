"""crm.Analytics: lifetime value fitted on stored purchases, typed results
and pandas frames, scores on the 360 view, errors naming the field."""

from __future__ import annotations

import io
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import crm

DATA = Path(os.environ.get("CRM_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
CDNOW = DATA / "cdnow"


def load_cdnow(engine):
    """The CDNOW 1/10th sample through the CSV importers: parties by sample
    id, purchases in cents."""
    rows = [line.split() for line in (CDNOW / "CDNOW_sample.txt").read_text().splitlines() if line.strip()]
    ids = sorted({r[1] for r in rows})
    customers = "external_id,kind,first_name,last_name\n" + "".join(
        f"cdnow-{i},person,,Customer {i}\n" for i in ids)
    orders = "external_id,order_id,ordered_at,amount_minor,currency\n" + "".join(
        f"cdnow-{r[1]},o{n},{r[2][:4]}-{r[2][4:6]}-{r[2][6:]},{round(float(r[4]) * 100)},USD\n"
        for n, r in enumerate(rows))
    assert engine.import_customers(io.StringIO(customers)).imported == len(ids)
    assert engine.import_orders(io.StringIO(orders)).imported == len(rows)
    return len(ids), len(rows)


OPTIONS = {"calibration_end": "1997-09-30", "time_zone": "UTC"}


def test_fit_reproduces_the_published_cdnow_figures(engine):
    customers, purchases = load_cdnow(engine)
    an = crm.Analytics(engine)
    fit = an.fit_clv(**OPTIONS)
    assert isinstance(fit, crm.ClvFit)
    assert (fit.customers, fit.repeat_customers, fit.purchases_read) == (2357, 946, purchases)
    p = fit.purchase_model.params()
    assert [round(p[k], 3) for k in ("r", "alpha", "a", "b")] == [0.243, 4.414, 0.793, 2.426]
    assert round(fit.purchase_model.log_likelihood, 1) == -9582.4
    assert fit.purchase_model.warnings == () and fit.spend_model.warnings == ()
    g = fit.spend_model.params()
    assert [round(g[k], 2) for k in ("p", "q", "gamma")] == [6.25, 3.74, 15.44]
    frame = fit.purchase_model.to_pandas()
    assert list(frame.index) == ["r", "alpha", "a", "b"]
    assert (frame["std_error"] > 0).all()


def test_summary_as_a_data_frame_equals_the_published_summary(engine):
    pd = pytest.importorskip("pandas")
    load_cdnow(engine)
    an = crm.Analytics(engine)
    summary = an.clv_summary(page_size=500, **OPTIONS)  # several pages
    frame = summary.to_pandas()
    assert len(frame) == 2357 and summary.purchases_read == 6919
    published = pd.read_csv(CDNOW / "cdnow_customers_summary_with_transactions.csv")
    ours = frame.sort_values(["frequency", "recency", "age", "monetary"]).reset_index(drop=True)
    theirs = published.rename(columns={"x": "frequency", "t_x": "recency", "T": "age", "zbar": "monetary"})
    theirs = theirs.sort_values(["frequency", "recency", "age", "monetary"]).reset_index(drop=True)
    assert (ours["frequency"] == theirs["frequency"]).all()
    assert (ours["recency"] - theirs["recency"]).abs().max() < 0.0051
    assert (ours["age"] - theirs["age"]).abs().max() < 0.0051
    # Stored in cents, summarised in the currency's major unit: dollars.
    assert (ours["monetary"] - theirs["monetary"]).abs().max() < 0.0051


def test_scores_are_stored_and_shown_on_the_360_view(engine):
    load_cdnow(engine)
    an = crm.Analytics(engine)
    run = an.score_clv(**OPTIONS, horizon=39, step=13, annual_discount_rate=0.1)
    assert isinstance(run, crm.ClvRun) and run.scored == 2357
    assert run.total_value.currency == "USD"
    one = engine.get_party_by_external_id("cdnow-0001")
    score = an.clv_score(one.id)
    assert isinstance(score, crm.ClvScore)
    assert abs(score.expected_purchases - 1.226) < 0.0015
    assert 0 < score.p_alive < 1
    assert score.value.currency == "USD" and score.value.minor > 0
    view = engine.customer_360(one.id)
    assert view.clv["value"]["minor"] == score.value.minor
    # A segment rule reads the score.
    mk = crm.Marketing(engine)
    mk.define_segment({"id": "valuable", "rule": "clv.value >= 50 USD", "track": False})
    assert mk.count("valuable") > 0


def test_bad_requests_raise_naming_the_field(engine):
    an = crm.Analytics(engine)
    with pytest.raises(crm.InvalidArgument) as e:
        an.fit_clv()
    assert e.value.field == "purchases"
    load_cdnow(engine)
    for options, field in [({"calibration_end": "1990-01-01"}, "calibration_end"),
                           ({"model": "magic"}, "model"),
                           ({"unit": "months"}, "unit"),
                           ({"horizon": -5}, "horizon"),
                           ({"colour": "red"}, "colour")]:
        with pytest.raises(crm.InvalidArgument) as e:
            an.fit_clv(**{**OPTIONS, **options})
        assert e.value.field == field
    with pytest.raises(crm.InvalidArgument) as e:
        an.fit_clv(**OPTIONS, max_evaluations=10)
    assert e.value.field == "model" and "did not converge" in str(e.value)
    assert an.clv_score(engine.get_party_by_external_id("cdnow-0001").id) is None  # nothing stored


def test_compare_two_groups_with_their_intervals(engine):
    an = crm.Analytics(engine)
    t = an.compare((120, 1000), (90, 1000))
    assert t["method"] == "two-proportion z-test" and t["significant"]
    assert abs(t["p_value"] - 0.028650240398448473) < 1e-12  # scipy.stats.norm
    assert t["a"]["low"] < 0.12 < t["a"]["high"]
    small = an.compare((8, 10), (1, 6))
    assert small["method"] == "Fisher's exact test"
    assert small["a"]["too_few"] and small["b"]["too_few"]
    with pytest.raises(crm.InvalidArgument) as e:
        an.compare((5, 3), (1, 2))
    assert e.value.field == "a.successes"


def test_funnel_of_the_sales_pipeline(engine, person):
    p = person("F1", "Sara", "Ahmadi")
    sales = crm.Sales(engine)
    deals = [sales.create_opportunity(party=p.id, name=f"deal {i}",
                                      amount={"minor": 1000000, "currency": "IRR"}) for i in range(3)]
    sales.move(deals[0]["id"], "develop")
    sales.move(deals[0]["id"], "propose")
    sales.win(deals[0]["id"], "price")
    sales.lose(deals[1]["id"], "timing")
    an = crm.Analytics(engine)
    f = an.funnel("sales", min_records=2)
    assert isinstance(f, crm.Funnel) and f.records == 3
    stages = {s["state"]: s for s in f.stages}
    assert stages["qualify"]["entered"] == 3 and stages["develop"]["entered"] == 1
    assert stages["qualify"]["closed"] == {"lost": 1}
    assert f.won["successes"] == 1 and f.outcomes == {"won": 1, "lost": 1}
    frame = f.to_pandas()
    assert frame.loc["develop", "conversion"] == pytest.approx(1 / 3)
    assert frame.loc["qualify", "still_in"] == 1
    with pytest.raises(crm.InvalidArgument) as e:
        an.funnel("sales", basis="sideways")
    assert e.value.field == "basis"


def test_funnel_by_owner_and_of_one_owner(engine, person):
    p = person("F2", "Reza", "Karimi")
    sales = crm.Sales(engine)
    owners = ["sara", "sara", "reza"]
    deals = [sales.create_opportunity(party=p.id, name=f"deal {i}", owner=o,
                                      amount={"minor": 1000000, "currency": "IRR"})
             for i, o in enumerate(owners)]
    sales.move(deals[0]["id"], "propose")
    sales.win(deals[0]["id"], "price")
    an = crm.Analytics(engine)
    f = an.funnel("sales", group_by="owner", min_records=1)
    frame = f.groups_to_pandas()
    assert list(frame.index) == ["reza", "sara"] and frame.loc["sara", "won"] == 1
    assert f.to_pandas(group="sara").loc["qualify", "entered"] == 2
    with pytest.raises(crm.InvalidArgument) as e:
        f.to_pandas(group="nobody")
    assert e.value.field == "group"
    mine = an.funnel("sales", owner="sara", min_records=1)
    assert mine.records == 2 and mine.whole_records == 3 and mine.filters == {"owner": "sara"}
    assert mine.versus_rest["a"]["successes"] == 1 and mine.versus_rest["b"]["trials"] == 1


def test_cohorts_of_cdnow_by_month_and_quarter(engine):
    customers, purchases = load_cdnow(engine)
    an = crm.Analytics(engine)
    c = an.cohorts(time_zone="UTC", as_of="1997-12-15", currency="USD")
    assert isinstance(c, crm.Cohorts)
    assert c.customers == customers and c.purchases_read + c.purchases_after_as_of == purchases
    assert c.as_of_period == "1997-12"
    # From the file: each customer's first month, and who bought in March.
    rows = [line.split() for line in (CDNOW / "CDNOW_sample.txt").read_text().splitlines() if line.strip()]
    first = {}
    for r in rows:
        first[r[1]] = min(first.get(r[1], r[2]), r[2])
    jan = {i for i, d in first.items() if d[4:6] == "01"}
    jan_in_march = {r[1] for r in rows if r[1] in jan and r[2][:6] == "199703"}
    frame = c.to_pandas()
    assert list(frame.index) == [f"1997-{m:02d}" for m in range(1, 13)]
    assert frame.loc["1997-01", "customers"] == len(jan)
    assert frame.loc["1997-01", 2] == pytest.approx(len(jan_in_march) / len(jan))
    assert c.to_pandas("customers").loc["1997-01", 2] == len(jan_in_march)
    # The future is empty, not zero: March's cohort has ten periods to December.
    assert frame.loc["1997-03"].isna().sum() == 2 and frame.loc["1997-03", 9] >= 0
    churn = c.churn_to_pandas()
    assert list(churn.index)[-1] == "1997-11"  # the last ended month
    assert (churn["active_at_end"] == churn["active_at_start"] + churn["new_customers"]
            + churn["returned"] - churn["churned"]).all()
    q = an.cohorts(time_zone="UTC", as_of="1997-12-15", unit="quarter", calendar="jalali")
    assert [r["period"] for r in q.rows][:2] == ["1375-Q4", "1376-Q1"]
    with pytest.raises(crm.InvalidArgument) as e:
        an.cohorts(unit="fortnight")
    assert e.value.field == "unit"
    with pytest.raises(crm.InvalidArgument) as e:
        c.to_pandas("profit")
    assert e.value.field == "value"


def test_dashboard_roles_and_their_errors(engine, person):
    p = person("D1", "Sara", "Ahmadi")
    sales = crm.Sales(engine)
    deal = sales.create_opportunity(party=p.id, name="d", owner="sara",
                                    amount={"minor": 5_000_000, "currency": "IRR"})
    sales.move(deal["id"], "propose")
    sales.win(deal["id"], "price")
    an = crm.Analytics(engine)
    period = "1403-Q1"  # the fixture's clock: 2024-03-20 is 1403-01-01
    manager = an.dashboard(period, targets=[{"group": "sara", "amount": {"minor": 10_000_000, "currency": "IRR"}}])
    assert isinstance(manager, crm.Dashboard) and isinstance(manager.funnel, crm.Funnel)
    assert manager.role == "manager" and manager.user is None
    [row] = manager.sales["rows"]
    assert row["target_minor"] == 10_000_000 and row["attainment"] == pytest.approx(0.5)
    assert row["cycle_median_days"] == 0
    table = manager.to_pandas("sales")
    assert table.loc[("sara", "IRR"), "won"] == 1
    assert table.loc[("sara", "IRR"), "attainment"] == pytest.approx(0.5)
    # The won deal left the open pipeline: no open stage holds a deal.
    assert manager.pipeline["process"] == "sales" and manager.pipeline["stages"] == []
    assert manager.to_pandas("pipeline").empty
    assert manager.to_pandas("campaigns").empty and manager.to_pandas("sla").empty
    with pytest.raises(crm.InvalidArgument) as e:
        manager.to_pandas("profit")
    assert e.value.field == "part"
    marketing = an.dashboard(period, role="marketing")
    assert marketing.funnel is None and marketing.sales is None and marketing.pipeline is None
    assert isinstance(marketing.customers, crm.Cohorts)
    with pytest.raises(crm.InvalidArgument) as e:
        marketing.to_pandas("pipeline")
    assert e.value.field == "part"
    agent = an.dashboard(period, role="service_agent", user="mina")
    assert agent.tickets is None and "tickets: none yet" in agent.scope  # no ticket process yet
    crm.Service(engine).create_ticket(subject="help", party=p.id)
    agent = an.dashboard(period, role="service_agent", user="mina")
    assert agent.tickets.filters == {"owner": "mina"} and agent.service is None
    assert agent.tickets.records == 0 and agent.tickets.whole_records == 1
    assert an.dashboard().period == period  # the quarter now is in
    # A rep's pipeline holds only their own open deals.
    open_deal = sales.create_opportunity(party=p.id, name="e", owner="sara",
                                         amount={"minor": 7_000_000, "currency": "IRR"})
    sales.create_opportunity(party=p.id, name="f", owner="reza", amount={"minor": 1_000, "currency": "IRR"})
    rep = an.dashboard(period, role="sales_rep", user="sara")
    [stage] = rep.pipeline["stages"]
    assert (stage["stage"], stage["count"], stage["amount_minor"]) == (open_deal["stage"], 1, 7_000_000)
    assert rep.to_pandas("pipeline").loc[(open_deal["stage"], "IRR"), "deals"] == 1
    assert sum(s["count"] for s in an.dashboard(period).pipeline["stages"]) == 2
    html = an.dashboard_html(period, language="en", role="sales_manager")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="en" dir="ltr">' in html
    for options, field in [({"role": "sales_rep"}, "user"), ({"user": "sara"}, "user"),
                           ({"role": "boss"}, "role"), ({"language": "de", "format": "html"}, "language"),
                           ({"cohort_months": 0}, "cohort_months"),
                           ({"targets": [{"group": "sara", "amount": {"minor": -1, "currency": "IRR"}}]},
                            "targets[0].amount")]:
        with pytest.raises(crm.InvalidArgument) as e:
            an.dashboard(period, **options)
        assert e.value.field == field, options


def test_a_fit_on_purchases_without_drop_out_says_why_it_failed(engine, person):
    # Every customer buys every week to the end: no sign of anyone stopping.
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    with engine.transaction():
        for i in range(120):
            p = person(f"W{i}", "Weekly", str(i))
            for k in range(20):
                engine.record_purchase(p.id, f"w{i}-{k}", start + timedelta(days=7 * k + i % 3),
                                       {"minor": 100_000 * (1 + i % 5), "currency": "IRR"})
    with pytest.raises(crm.InvalidArgument) as e:
        crm.Analytics(engine).fit_clv(calibration_end="2024-05-20")
    assert e.value.field == "model"
    assert "bg_nbd did not converge" in str(e.value) and "dropping out" in str(e.value)
