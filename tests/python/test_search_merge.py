"""Search, duplicate candidates, merge with survivorship."""

from __future__ import annotations

import pytest

import crm


def externals(hits):
    return [h.external_id for h in hits]


def test_search_finds_by_every_key(engine, person):
    person("C1", "علیرضا", "کریمی", email="Ali@Karimi.ir", phone="09121234567")
    person("C2", "علی", "کریم‌زاده", phone="09351112233")
    person("C3", "مریم", "علوی")
    engine.create_party(first_name="Nader", external_id="C4", national_id="0499370899", tags=["vip"])
    assert externals(engine.search("+98 912 123 4567")) == ["C1"]
    assert externals(engine.search("ali@karimi.IR")) == ["C1"]
    assert externals(engine.search("C3")) == ["C3"]
    assert externals(engine.search("0499370899")) == ["C4"]
    assert externals(engine.search("كريم")) == ["C2", "C1"]  # Arabic letters find Persian names
    assert externals(engine.search(tag="vip")) == ["C4"]
    hit = engine.search("C1")[0]
    assert isinstance(hit, crm.SearchHit) and hit.matched == "external_id" and hit.kind == "person"
    assert len(engine.search("عل", limit=1, offset=1)) == 1
    with pytest.raises(crm.InvalidArgument) as e:
        engine.search()
    assert e.value.field == "text"


def test_finglish_names_meet_their_persian_spelling(engine, person):
    person("P1", "محمد", "رضایی", city="تهران")
    person("L1", "Mohamad", "Rezayi", city="Tehran")
    person("L2", "Hasan", "Rezaei", city="Tehran")
    hits = {h.external_id: h.matched for h in engine.search("Mohammad Rezaei")}
    assert hits == {"P1": "name_latin", "L1": "name_latin"}
    assert {h.external_id: h.matched for h in engine.search("محمد رضایی")} == \
        {"P1": "name_prefix", "L1": "name_latin"}
    pairs = {(p.a_external_id, p.b_external_id) for p in engine.find_duplicates(min_score=0.5)}
    assert pairs in ({("P1", "L1")}, {("L1", "P1")})  # Hasan is another name


def test_duplicates_are_found_with_reasons(engine, person):
    person("C1", "حسین", "رضایی", email="hosein@x.ir", phone="09121234567")
    person("C2", "حسين", "رضايي", phone="+989121234567")
    person("C3", "رضایی", "حسین", email="HOSEIN@X.IR")
    person("C4", "حسین", "رضایی", email="other@y.ir", phone="09129999999")
    pairs = engine.find_duplicates()
    keyed = {frozenset((d.a_external_id, d.b_external_id)): d for d in pairs}
    c12 = keyed[frozenset(("C1", "C2"))]
    assert c12.score >= 0.95 and "same phone and similar name" in c12.reasons
    assert frozenset(("C1", "C3")) in keyed
    assert frozenset(("C1", "C4")) not in keyed
    assert [d.score for d in pairs] == sorted((d.score for d in pairs), reverse=True)
    same_city = [{"name": "same city", "all_of": [{"field": "city"}], "score": 0.5}]
    assert engine.find_duplicates(rules=same_city) == []
    with pytest.raises(crm.InvalidArgument) as e:
        engine.find_duplicates(rules=[{"all_of": [{"field": "shoe size"}]}])
    assert e.value.field == "rules[0].all_of[0].field"


def test_merge_moves_everything_and_the_old_id_resolves(engine, person):
    engine.define_field("tier", "text")
    a = person("C1", "Ali", "Rezaei", email="ali@x.ir", city="Tehran", custom={"tier": "gold"})
    b = person("C2", "Ali", "Rezaie", phone="09121234567", city="Karaj", custom={"tier": "silver"})
    c = person("C3", "A.", "Rezaei", email="a.r@x.ir")
    engine.log_interaction(b, "call", subject="from b")
    engine.record_purchase(c, "O1", "2024-01-01", crm.Money(5, "USD"))
    merged = engine.merge(a, [b, c.id], rules={"city": "merged", "custom.tier": "survivor"})
    assert merged.id == a.id
    assert merged.city == "Karaj" and merged.custom["tier"] == "gold"
    assert {x.value for x in merged.contacts} == {"ali@x.ir", "+989121234567", "a.r@x.ir"}
    assert engine.get_party(b.id).id == a.id, "a merged-away id resolves to the survivor"
    view = engine.customer_360(a)
    assert set(view.merged_ids) == {b.id, c.id}
    assert [i.subject for i in view.recent_interactions] == ["from b"]
    assert view.purchases[0].count == 1
    assert externals(engine.search("Rezaei")) == ["C1"], "merged-away parties are not found"
    one = person("C4", "Sara", "Ahmadi")
    two = person("C5", "Sara", "Ahmadi")
    assert engine.merge(one, two, default_rule="newest").id == one.id  # one id alone is fine
    with pytest.raises(crm.InvalidArgument) as e:
        engine.merge(one, two, default_rule="oldest")
    assert e.value.field == "default_rule"
