"""The manager's dashboard as a browser shows it: a quarter of sales,
service and purchases made on a manual clock, rendered by
Analytics.dashboard_html and opened in headless Chromium; the DOM Chromium
built and its screenshot are checked against the dashboard's JSON.

Run by ctest (label "browser"). With CRM_DASHBOARD_SHOT=FILE.png the
screenshot is also copied there (docs/images/dashboard.png is made so)."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

import crm

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]

# 1404-04-01 (2025-06-22) to 1404-06-31 (2025-09-22) is the Jalali quarter 1404-Q2.
QUARTER_START = datetime(2025, 6, 22, 5, 30, tzinfo=timezone.utc)
AFTER_QUARTER = datetime(2025, 9, 23, 5, 30, tzinfo=timezone.utc)
OWNERS = ["sara", "reza", "mina", "<i>x</i>"]
STAGES = ["develop", "propose", "negotiate"]


def build(engine: crm.Engine) -> None:
    """Customers buying since 1403, deals moving through the quarter, tickets."""
    rnd = random.Random(1404)
    engine.set_now(datetime(2024, 3, 1, tzinfo=timezone.utc))
    consent = [{"channel": "sms", "status": "opt_in", "at": "2024-03-01T00:00:00Z"}]
    parties = [engine.create_party(external_id=f"C{i}", first_name="مشتری", last_name=str(i), city="تهران",
                                   contacts=[{"kind": "phone", "value": f"0912{i:07d}", "consents": consent}]).id
               for i in range(240)]
    engine.set_now(AFTER_QUARTER)
    first_day = datetime(2024, 3, 20, 8, 0, tzinfo=timezone.utc)
    span = (AFTER_QUARTER - first_day).days
    n = 0
    with engine.transaction():
        for p in parties:
            # As BG/NBD sees customers: each buys at a rate of their own and
            # drops out after a purchase with a probability of their own.
            drop, gap = rnd.betavariate(2, 5), rnd.gammavariate(2, 25)
            spend = rnd.gammavariate(3, 60)  # the customer's mean, in units of 10,000,000
            day = rnd.randrange(span)
            while day < span:
                n += 1
                engine.record_purchase(p, f"o{n}", first_day + timedelta(days=day),
                                       {"minor": 1 + int(rnd.gammavariate(6, spend / 6)) * 10_000_000,
                                        "currency": "IRR"})
                if rnd.random() < drop:  # gone for good
                    break
                day += 1 + int(rnd.expovariate(1 / gap))
    sales = crm.Sales(engine)
    service = crm.Service(engine)
    engine.set_now(QUARTER_START - timedelta(days=1))
    service.define_queue("billing", members=[{"user": "mina"}])
    service.define_queue("tech", members=[{"user": "reza"}])
    mk = crm.Marketing(engine)
    mk.define_segment({"id": "tehran", "rule": 'city = "تهران"'})
    campaign = mk.create_campaign(name="جشنواره <تابستان>", channels=["sms"], segments=["tehran"],
                                  variants=[{"id": "a", "share": 50}, {"id": "b", "share": 50}], seed=7,
                                  actual_cost={"minor": 5_000_000_000, "currency": "IRR"})
    mk.move_campaign(campaign["id"], "ready")
    engine.set_now(QUARTER_START)
    mk.move_campaign(campaign["id"], "launch")
    for p in parties[:120]:
        if rnd.random() < 0.3:
            mk.report_status(campaign["id"], p, "responded")
    deals, tickets = [], []
    for day in range(90):
        for _ in range(rnd.randrange(3)):
            deals.append(sales.create_opportunity(
                party=rnd.choice(parties), name=f"deal {len(deals)}", owner=rnd.choice(OWNERS),
                amount={"minor": rnd.randrange(10, 200) * 100_000_000, "currency": "IRR"},
                expected_close="2025-09-15")["id"])
        for d in list(deals):
            r = rnd.random()
            stage = sales.get_opportunity(d)["stage"]
            if r < 0.08:
                (sales.win if stage in ("propose", "negotiate") and r < 0.05 else sales.lose)(d, "price")
                deals.remove(d)
            elif r < 0.2 and stage != "negotiate":
                sales.move(d, STAGES[STAGES.index(stage) + 1] if stage in STAGES else "develop")
        if rnd.random() < 0.5:
            tickets.append(service.create_ticket(subject="صورتحساب اشتباه است", party=rnd.choice(parties),
                                                 queue=rnd.choice(["billing", "tech"]))["id"])
        for t in list(tickets):
            if rnd.random() < 0.3:
                service.move(t, "resolve", reason="done")
                tickets.remove(t)
        engine.set_now(QUARTER_START + timedelta(days=day + 1))
    engine.set_now(AFTER_QUARTER)
    crm.Analytics(engine).score_clv(calibration_end="2025-09-22", currency="IRR")


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is not installed: scripts/run test installs Debian's chromium")
    work = tmp_path_factory.mktemp("dashboard")
    engine = crm.Engine.open("memory:", now=AFTER_QUARTER, actor="user:test", source="test")
    build(engine)
    an = crm.Analytics(engine)
    data = an.dashboard("1404-Q2")
    page = work / "dashboard.html"
    page.write_text(an.dashboard_html("1404-Q2"), encoding="utf-8")
    english = work / "english.html"
    english.write_text(an.dashboard_html("1404-Q2", language="en"), encoding="utf-8")
    rep = an.dashboard_html("1404-Q2", role="sales_rep", user="sara")
    rep_data = an.dashboard("1404-Q2", role="sales_rep", user="sara")
    engine.close()
    profile = work / "profile"
    run = lambda *args, target=page: subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args, target.as_uri()],
        capture_output=True, text=True, timeout=180)
    dom = run("--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    english_dom = run("--dump-dom", target=english)
    assert english_dom.returncode == 0, english_dom.stderr[-2000:]
    shot = work / "dashboard.png"
    png = run("--window-size=1280,3600", f"--screenshot={shot}")
    assert png.returncode == 0 and shot.exists(), png.stderr[-2000:]
    if os.environ.get("CRM_DASHBOARD_SHOT"):
        shutil.copyfile(shot, os.environ["CRM_DASHBOARD_SHOT"])
    return {"data": data, "html": page.read_text(encoding="utf-8"), "dom": dom.stdout, "shot": shot,
            "english": english_dom.stdout, "rep": rep, "rep_data": rep_data}


def fa(n: int) -> str:
    return f"{n:,}".translate(str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬"))


def test_the_page_is_persian_right_to_left_and_self_contained(dashboard):
    html, dom = dashboard["html"], dashboard["dom"]
    assert re.search(r'<html lang="fa" dir="rtl">', dom)
    assert "<script" not in html and "http://" not in html and "https://" not in html
    assert "<title>داشبورد مدیریت — سه‌ماههٔ دوم ۱۴۰۴</title>" in dom
    for section in ("kpis", "funnel", "sales", "pipeline", "service", "cohorts", "churn", "clv", "campaigns"):
        assert f'id="{section}"' in dom, section
    text = re.sub(r"<[^>]+>", " ", dom)
    assert not re.search(r"\b(nan|inf|NaN|undefined)\b", text)
    assert "از ۱۴۰۴/۰۴/۰۱ تا ۱۴۰۴/۰۶/۳۱" in text


def test_the_figures_are_the_dashboards_data(dashboard):
    data, dom = dashboard["data"], dashboard["dom"]
    funnel = data.funnel
    assert funnel.records > 50 and data.period == "1404-Q2" and data.role == "manager"
    assert f"<b>{fa(funnel.records)}</b>" in dom
    bars = re.findall(r'<rect class="bar"', dom)
    assert len(bars) == len(funnel.stages)
    # The funnel by owner: a row per owner, the owner's name escaped.
    assert {g["value"] for g in funnel.groups} == set(OWNERS)
    assert "&lt;i&gt;x&lt;/i&gt;" in dom and "<i>x</i>" not in dom
    # The cohort table: a row per month, an empty cell per future one.
    rows = data.customers.rows
    assert len(rows) == 12
    future = sum(cell is None for row in rows for cell in row["cells"])
    assert future == 11 * 12 // 2 and dom.count('class="future"') == future
    assert data.customers.customers > 100
    owners = {row["group"] for row in data.sales["rows"]}
    assert "<i>x</i>" in owners
    # The open pipeline by stage: a bar and a row per open stage, the
    # total among the key figures (IRR in rials: minor units / 100).
    stages = data.pipeline["stages"]
    assert [s["stage"] for s in stages] and all(s["currency"] == "IRR" for s in stages)
    assert dom.count('<rect class="stage"') == len(stages)
    for s in stages:
        assert f"<td>{fa(s['count'])}</td><td>{fa(s['amount_minor'] // 100)} ریال</td>" in dom, s
    assert f"<b>{fa(sum(s['amount_minor'] for s in stages) // 100)} ریال</b>" in dom
    assert sum(s["count"] for s in stages) == sum(
        st["still_in"] for st in funnel.stages if st["state"] in {s["stage"] for s in stages})
    assert data.service["opened"] > 20 and f"<b>{fa(data.service['opened'])}</b>" in dom
    # The churn chart has a point per ended month.
    assert dom.count("<circle") == len(data.customers.churn) > 0
    # Lifetime value: a column per tenth of P(alive), the at-risk count shown.
    clv = data.clv
    assert clv["scored"] == data.customers.customers and sum(clv["by_p_alive"]) == clv["scored"]
    assert dom.count('<rect class="alive"') == 10 and f"<b>{fa(clv['at_risk'])}</b>" in dom
    # The campaign with its A/B test, its name escaped.
    [campaign] = data.campaigns
    assert campaign["members"] == 240 and campaign["ab"]["method"]
    assert "جشنواره &lt;تابستان&gt;" in dom


def test_each_role_sees_what_it_decides_by(dashboard):
    rep, rep_data = dashboard["rep"], dashboard["rep_data"]
    assert "<title>داشبورد کارشناس فروش — سه‌ماههٔ دوم ۱۴۰۴ — sara</title>" in rep
    assert rep_data.customers is None and rep_data.service is None and rep_data.clv is None
    funnel = rep_data.funnel
    assert funnel.filters == {"owner": "sara"}
    assert funnel.whole_records == dashboard["data"].funnel.records > funnel.records > 0
    assert [row["group"] for row in rep_data.sales["rows"]] == ["sara"]
    mine = sum(s["count"] for s in rep_data.pipeline["stages"])
    assert 0 < mine < sum(s["count"] for s in dashboard["data"].pipeline["stages"])
    assert 'id="cohorts"' not in rep and 'id="funnel"' in rep and 'id="sales"' in rep


def test_the_english_page_is_left_to_right(dashboard):
    dom = dashboard["english"]
    assert re.search(r'<html lang="en" dir="ltr">', dom)
    assert "<title>Manager's dashboard — Q2 1404</title>" in dom
    assert "From 1404/04/01 to 1404/06/31" in dom
    assert not re.search("[۰-۹]", re.sub(r"<[^>]+>", " ", dom).replace("مشتری", ""))


def test_the_screenshot_shows_a_styled_right_to_left_page(dashboard):
    from PIL import Image

    img = Image.open(dashboard["shot"]).convert("RGB")
    assert img.size == (1280, 3600)
    assert img.getpixel((5, 5)) == (0x12, 0x35, 0x5B)  # the header's colour: the style applied
    # The title is on the right: light pixels of the header's first line.
    band = [img.getpixel((x, y)) for y in range(14, 44) for x in range(0, 1280, 2)]
    light = [i % 640 for i, p in enumerate(band) if sum(p) > 600]
    assert light and min(light) > 320, "the header's text should sit on the right half"
    colours = set(img.crop((0, 100, 1280, 3600)).getdata())
    assert len(colours) > 200  # charts and tables, not a blank page
