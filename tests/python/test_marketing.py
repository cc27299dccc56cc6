"""Segments from Python: profiles kept on write, a dynamic segment counted,
listed, sampled and explained, tracked memberships on the 360 view, lists,
suppression, sets and bad input, through crm.Marketing on both backends."""

from __future__ import annotations

import pytest

import crm


def rials(n: int) -> crm.Money:
    return crm.Money(n * 100, "IRR")  # IRR carries two decimals in ISO 4217


@pytest.fixture
def shop(engine, person):
    """Three customers in two cities, two of them buyers."""
    a = person("A", "Ali", "Rezaei", city="تهران", tags=["vip"], phone="09121234567")
    b = person("B", "Sara", "Ahmadi", city="تهران", phone="09121234568", email="sara@mail.ir")
    c = person("C", "Reza", "Karimi", city="شیراز")
    engine.record_purchase(a, "A1", "2024-03-10", rials(8_000_000))
    engine.record_purchase(a, "A2", "2024-03-15", rials(4_000_000))
    engine.record_purchase(c, "C1", "2023-01-01", rials(1_000_000))
    return {"a": a, "b": b, "c": c}


def test_a_dynamic_segment_is_counted_listed_sampled_and_explained(engine, shop):
    mk = crm.Marketing(engine)
    out = mk.define_segment({"id": "big-tehran", "name": "Big buyers in Tehran",
                             "rule": 'city = "تهران" and purchases.sum_30d >= 10000000 IRR'})
    assert out["outcome"] == "created"
    assert out["segment"]["rule"]["and"][0]["eq"][0] == {"field": "city"}
    assert mk.count("big-tehran") == 1
    assert mk.members("big-tehran") == [shop["a"].id]
    assert list(mk.iter_members("big-tehran", page=1)) == [shop["a"].id]
    assert mk.sample("big-tehran", size=5, seed=1) == [shop["a"].id]

    why = mk.explain("big-tehran", shop["b"].id)
    assert why["member"] is False
    assert [c["held"] for c in why["tree"]["rule"]["children"]] == [True, False]
    assert why["tree"]["values"]["purchases.sum_30d"] == {"minor": 0, "currency": "IRR"}

    profile = mk.profile(shop["a"].id)
    assert profile["purchases"]["count"] == 2
    assert profile["purchases"]["windows"]["count_30d"] == 2
    assert any(f["name"] == "purchases.sum_90d" and f["currency"] == "IRR"
               for f in mk.profile_schema())


def test_tracked_membership_shows_on_the_360_view(engine, shop):
    mk = crm.Marketing(engine)
    mk.define_segment({"id": "buyers", "rule": "purchases.count >= 1"})
    mk.define_segment({"id": "vip", "kind": "list"})
    assert mk.add_to_list("vip", [shop["b"].id]) == 1
    view = engine.customer_360(shop["a"].id)
    assert [m["segment"] for m in view.segments] == ["buyers"]
    assert view.lists == []
    assert engine.customer_360(shop["b"].id).lists == ["vip"]

    engine.record_purchase(shop["b"], "B1", "2024-03-19", rials(10))
    assert [m["segment"] for m in mk.memberships(shop["b"].id)] == ["buyers"]
    assert [e.type for e in engine.iter_events()].count("segment.joined") == 3
    assert {h["party"] for h in mk.history("buyers")} == {shop["a"].id, shop["b"].id, shop["c"].id}


def test_suppression_and_sets(engine, shop):
    mk = crm.Marketing(engine)
    mk.define_segment({"id": "tehran", "rule": 'city = "تهران"'})
    mk.define_segment({"id": "dnc", "kind": "suppression"})
    entry = mk.suppress("dnc", "email", "SARA@Mail.IR", reason="asked")
    assert entry["value"] == "sara@mail.ir"
    mk.define_segment({"id": "reachable", "kind": "set", "op": "difference",
                       "of": ["tehran", "dnc"]})
    assert mk.members("reachable") == [shop["a"].id]
    assert mk.snapshot("reachable", "campaign-list") == 1
    assert mk.segment("campaign-list")["kind"] == "list"
    assert mk.unsuppress("dnc", "email", "sara@mail.ir") is True
    assert mk.count("reachable") == 2
    assert mk.count("campaign-list") == 1


def test_bad_input_names_the_field(engine, shop):
    mk = crm.Marketing(engine)
    with pytest.raises(crm.InvalidArgument) as e:
        mk.define_segment({"id": "x", "rule": {"gt": [{"field": "shoe_size"}, 40]}})
    assert e.value.field == "segment.rule.gt[0]"
    with pytest.raises(crm.ParseError) as e:
        mk.define_segment({"id": "x", "rule": "city = "})
    assert e.value.field == "segment.rule@7"
    with pytest.raises(crm.NotFound) as e:
        mk.count("nope")
    assert e.value.field == "id"
    mk.define_segment({"id": "l", "kind": "list"})
    with pytest.raises(crm.InvalidArgument) as e:
        mk.add_to_list("l", ["not-an-id"])
    assert e.value.field == "parties[0]"
    with pytest.raises(crm.InvalidArgument) as e:
        mk.suppress("l", "email", "a@b.ir")
    assert e.value.field == "list"
    assert mk.segments()[0]["id"] == "l"


CLUB = {"id": "club", "name": "باشگاه مشتریان", "expiry_days": 365,
        "earn": [{"id": "base", "per": "100000", "points": 1}],
        "tiers": [{"id": "member", "threshold": 0}, {"id": "gold", "threshold": 100}]}


def test_the_customer_club_earns_redeems_and_never_counts_twice(engine, person):
    mk = crm.Marketing(engine)
    assert mk.define_loyalty_program(CLUB)["outcome"] == "created"
    p = person("L1", "Mina", "Karimi")
    assert mk.enrol("club", p.id)["tier"] == "member"
    engine.record_purchase(p, "O1", "2024-03-19", rials(12_000_000))  # 120 points
    status = mk.loyalty("club", p.id)
    assert (status["balance"], status["tier"]) == (120, "gold")
    assert status["recent"][0]["kind"] == "earn"
    entry = mk.redeem("club", p.id, 100, key="order-77", reason="a voucher")
    assert entry["points"] == -100
    assert mk.redeem("club", p.id, 100, key="order-77")["seq"] == entry["seq"]  # a retry
    assert mk.loyalty("club", p.id)["balance"] == 20
    with pytest.raises(crm.InvalidArgument) as e:
        mk.redeem("club", p.id, 21, key="too-much")
    assert e.value.field == "points"
    with pytest.raises(crm.Conflict) as e:
        mk.redeem("club", p.id, 5, key="order-77")
    assert e.value.field == "key"
    assert mk.adjust("club", p.id, 5, key="goodwill")["kind"] == "adjust"
    assert engine.customer_360(p.id).loyalty[0]["balance"] == 25
    assert mk.refresh_loyalty()["lots_expired"] == 0
    with pytest.raises(crm.InvalidArgument) as e:
        mk.define_loyalty_program({"id": "bad", "earn": [{"id": "e", "points": 1}]})
    assert e.value.field == "program.earn[0].per"


def test_a_campaign_from_definition_to_result(engine, person):
    mk = crm.Marketing(engine)
    consent = [{"channel": "sms", "status": "opt_in", "at": "2024-03-01T00:00:00Z"}]
    buyers = [engine.create_party(first_name="N", last_name=str(i), city="تهران",
                                  contacts=[{"kind": "phone", "value": f"0912100000{i}",
                                             "consents": consent}]) for i in range(5)]
    person("X", "No", "Consent", city="تهران", phone="09129999999")
    mk.define_segment({"id": "tehran", "rule": 'city = "تهران"'})
    c = mk.create_campaign(name="Nowruz 1403", channels=["sms"], segments=["tehran"],
                           variants=[{"id": "a", "share": 50}, {"id": "b", "share": 50}], seed=3,
                           actual_cost={"minor": 100_000_00, "currency": "IRR"})
    assert c["state"] == "proposed"
    mk.move_campaign(c["id"], "ready")
    launched = mk.move_campaign(c["id"], "launch")
    assert launched["members"] == 5  # the one without consent is left out
    plan = mk.plan_delivery(c["id"], rate_per_window={"sms": 2}, window_minutes=30)
    assert [b["count"] for b in plan["batches"]] == [2, 2, 1]
    first = mk.dispatch(c["id"], plan["number"], 1)
    assert len(first) == 2 and mk.dispatch(c["id"], plan["number"], 1) == first
    replan = mk.plan_delivery(c["id"], default_rate=10)
    assert replan["members"] == 3
    mk.report_status(c["id"], buyers[0].id, "converted")
    report = mk.campaign_report(c["id"])
    assert report["total"]["members"] == 5
    assert report["total"]["responded"] == 1
    assert set(report["variants"]) == {"a", "b"}
    assert report["roi"] == -1.0  # a cost, no revenue yet
    sizes = {g: report["variants"][g]["members"] for g in ("a", "b")}
    if min(sizes.values()) > 0:
        ab = report["ab"]
        assert (ab["group_a"], ab["group_b"]) == ("a", "b")
        assert ab["test"]["method"] == "Fisher's exact test" and ab["test"]["a"]["trials"] == sizes["a"]
    else:
        assert report["ab"] is None
    mk.move_campaign(c["id"], "cancel", reason="over budget")
    with pytest.raises(crm.InvalidTransition) as e:
        mk.plan_delivery(c["id"])
    assert e.value.field == "campaign"


def test_sms_parts_and_templates(engine):
    mk = crm.Marketing(engine)
    latin = mk.sms_parts("a" * 161)
    assert (latin["encoding"], latin["parts"], latin["per_part"]) == ("gsm7", 2, 153)
    persian = mk.sms_parts("س" * 71)
    assert (persian["encoding"], persian["parts"], persian["remaining"]) == ("ucs2", 2, 63)
    filled = mk.render_sms("{greeting} {first_name}، جشنواره تابستان آغاز شد", greeting="جناب آقای",
                           first_name="رضا")
    assert filled["text"] == "جناب آقای رضا، جشنواره تابستان آغاز شد"
    assert (filled["encoding"], filled["parts"]) == ("ucs2", 1)
    assert filled["characters"] == len(filled["text"])
    with pytest.raises(crm.InvalidArgument) as e:
        mk.render_sms("{city} عزیز", first_name="رضا")
    assert e.value.field == "template" and "{city}" in str(e.value)
    with pytest.raises(crm.InvalidArgument) as e:
        mk.sms_parts("x" * (64 * 1024 + 1))
    assert e.value.field == "text"


def test_a_plan_counts_sms_parts_and_prices_them(engine):
    mk = crm.Marketing(engine)
    consent = [{"channel": "sms", "status": "opt_in", "at": "2024-03-01T00:00:00Z"}]
    for i, (first, last) in enumerate([("علی", "رضایی"), ("Sara", "Karimi")]):
        engine.create_party(first_name=first, last_name=last, city="مشهد",
                            contacts=[{"kind": "phone", "value": f"0915100000{i}", "consents": consent}])
    mk.define_segment({"id": "mashhad", "rule": 'city = "مشهد"'})
    template = "{first_name} {last_name} عزیز، سفارش شما آماده است"
    c = mk.create_campaign(name="Ready", channels=["sms"], segments=["mashhad"],
                           messages={"sms": template})
    mk.move_campaign(c["id"], "ready")
    mk.move_campaign(c["id"], "launch")
    plan = mk.plan_delivery(c["id"], cost_per_part={"sms": {"minor": 250000, "currency": "IRR"}})
    want = sum(mk.sms_parts(mk.render_sms(template, first_name=f, last_name=l)["text"])["parts"]
               for f, l in [("علی", "رضایی"), ("Sara", "Karimi")])
    [sms] = plan["messages"]
    assert (sms["channel"], sms["messages"], sms["parts"], sms["ucs2"]) == ("sms", 2, want, 2)
    assert sms["cost"] == {"minor": want * 250000, "currency": "IRR"}
    assert sum(b["parts"] for b in plan["batches"]) == want
    with pytest.raises(crm.InvalidArgument) as e:
        mk.create_campaign(name="Bad", channels=["sms"], segments=["mashhad"],
                           messages={"sms": "{first_name} {mobile}"})
    assert e.value.field == "messages.sms" and "{mobile}" in str(e.value)
