// tests/conformance/search_merge_test.cpp - search, duplicate candidates
// and merge with survivorship, on every backend.
#include "backends.hpp"

namespace crm::testing {
namespace {

std::vector<std::string> externals(const std::vector<SearchHit>& hits) {
    std::vector<std::string> out;
    for (const auto& h : hits) out.push_back(h.external_id);
    return out;
}

TEST_P(Conformance, SearchFindsByEveryKey) {
    person("C1", "علیرضا", "کریمی", "Ali@Karimi.ir", "09121234567");
    person("C2", "علی", "کریم‌زاده", "", "09351112233");
    person("C3", "مریم", "علوی");
    PartyInput nid;
    nid.first_name = "Nader";
    nid.external_id = "C4";
    nid.national_id = "0499370899";
    nid.tags = std::vector<std::string>{"vip"};
    must(engine->create_party(ctx, nid));

    auto by = [&](const std::string& text) {
        SearchQuery q;
        q.text = text;
        return externals(must(engine->search(q)));
    };
    EXPECT_EQ(by("+98 912 123 4567"), std::vector<std::string>{"C1"});
    EXPECT_EQ(by("۰۹۱۲۱۲۳۴۵۶۷"), std::vector<std::string>{"C1"});
    EXPECT_EQ(by("ali@karimi.IR"), std::vector<std::string>{"C1"});
    EXPECT_EQ(by("C3"), std::vector<std::string>{"C3"});
    EXPECT_EQ(by("0499370899"), std::vector<std::string>{"C4"});
    // Arabic letters and a prefix find the Persian name; prefix before contains.
    EXPECT_EQ(by("علي"), (std::vector<std::string>{"C2", "C1"}));
    EXPECT_EQ(by("لوی"), (std::vector<std::string>{"C3"})) << "contains";
    EXPECT_EQ(by("كريم"), (std::vector<std::string>{"C2", "C1"}));
    SearchQuery tag;
    tag.tag = "vip";
    EXPECT_EQ(externals(must(engine->search(tag))), std::vector<std::string>{"C4"});
    SearchQuery paged;
    paged.text = "عل";
    paged.limit = 1;
    paged.offset = 1;
    EXPECT_EQ(externals(must(engine->search(paged))).size(), 1u);
    CRM_EXPECT_ERROR(engine->search(SearchQuery{}), errc::invalid_argument, "text");
    SearchQuery big;
    big.text = "x";
    big.limit = 5000;
    CRM_EXPECT_ERROR(engine->search(big), errc::invalid_argument, "limit");
}

// A text and a tag together: the tag filters the name matches before a
// page is counted, so a party far down the name order is still found.
TEST_P(Conformance, SearchByTextAndTagFillsThePage) {
    for (int i = 0; i < 250; ++i) person("N" + std::to_string(1000 + i), "علی", "نام" + std::to_string(1000 + i));
    for (int i : {1180, 1240}) {
        PartyInput tagged;
        tagged.tags = std::vector<std::string>{"vip"};
        must(engine->update_party(ctx, must(engine->get_party_by_external_id("N" + std::to_string(i))).id, tagged));
    }
    SearchQuery q;
    q.text = "علی";
    q.tag = "vip";
    q.limit = 1;
    EXPECT_EQ(externals(must(engine->search(q))), std::vector<std::string>{"N1180"});
    q.offset = 1;
    EXPECT_EQ(externals(must(engine->search(q))), std::vector<std::string>{"N1240"});
    q.offset = 2;
    EXPECT_TRUE(must(engine->search(q)).empty());
    q.offset = 0;
    q.limit = 10;
    q.text = "نام12";  // contains, not prefix
    EXPECT_EQ(externals(must(engine->search(q))), std::vector<std::string>{"N1240"});
    // Without the tag the page is the first names in name order.
    SearchQuery plain;
    plain.text = "علی";
    plain.limit = 3;
    EXPECT_EQ(externals(must(engine->search(plain))),
              (std::vector<std::string>{"N1000", "N1001", "N1002"}));
}

TEST_P(Conformance, DuplicatesAreFoundWithReasons) {
    person("C1", "حسین", "رضایی", "hosein@x.ir", "09121234567");
    person("C2", "حسين", "رضايي", "", "+989121234567");       // Arabic letters, same phone
    person("C3", "رضایی", "حسین", "HOSEIN@X.IR", "");          // swapped, same e-mail
    person("C4", "حسین", "رضایی", "other@y.ir", "09129999999");  // same name, different person
    auto pairs = must(engine->find_duplicates());
    auto has = [&](const std::string& a, const std::string& b) {
        for (const auto& p : pairs)
            if ((p.a_external_id == a && p.b_external_id == b) || (p.a_external_id == b && p.b_external_id == a))
                return &p;
        return static_cast<const DuplicatePair*>(nullptr);
    };
    ASSERT_TRUE(has("C1", "C2"));
    EXPECT_GE(has("C1", "C2")->score, 0.95);
    EXPECT_NE(std::find(has("C1", "C2")->reasons.begin(), has("C1", "C2")->reasons.end(),
                        "same phone and similar name"),
              has("C1", "C2")->reasons.end());
    ASSERT_TRUE(has("C1", "C3"));
    EXPECT_FALSE(has("C1", "C4")) << "a common name alone with other contacts is not a duplicate";
    for (std::size_t i = 1; i < pairs.size(); ++i) EXPECT_GE(pairs[i - 1].score, pairs[i].score);

    DuplicateOptions custom;
    custom.min_score = 0.5;
    custom.rules = {{"same city", {{MatchField::city, 1}}, 0.5}};
    EXPECT_TRUE(must(engine->find_duplicates(custom)).empty()) << "nobody has a city yet";
    PartyInput city;
    city.city = "یزد";
    must(engine->update_party(ctx, must(engine->get_party_by_external_id("C2")).id, city));
    must(engine->update_party(ctx, must(engine->get_party_by_external_id("C3")).id, city));
    auto by_city = must(engine->find_duplicates(custom));
    ASSERT_EQ(by_city.size(), 1u) << "a custom rule replaces the built-in ones";
    EXPECT_EQ(by_city[0].reasons, std::vector<std::string>{"same city"});
    EXPECT_DOUBLE_EQ(by_city[0].score, 0.5);
    custom.rules = {{"bad", {}, 0.5}};
    CRM_EXPECT_ERROR(engine->find_duplicates(custom), errc::invalid_argument, "rules[0].all_of");
}

// Names typed in Latin letters (Finglish) meet the same name in Persian, in
// search and in duplicate detection; alike letters of another name do not.
TEST_P(Conformance, FinglishNamesMeetTheirPersianSpelling) {
    const auto with_city = [&](const std::string& ext, const std::string& first, const std::string& last,
                               const std::string& city, const std::string& phone = "") {
        Party p = person(ext, first, last, "", phone);
        PartyInput in;
        in.city = city;
        return must(engine->update_party(ctx, p.id, in));
    };
    with_city("P1", "محمد", "رضایی", "تهران", "09121234567");
    with_city("L1", "Mohammad", "Rezaei", "Tehran");
    with_city("L2", "Mohamad", "Rezayi", "tehran");
    with_city("L3", "Hasan", "Rezaei", "Tehran");         // another first name
    with_city("L4", "Mohammad", "Razi", "Tehran");        // another last name
    with_city("L5", "Mohammad", "Rezaei", "Shiraz");      // another city, no shared contact
    with_city("P2", "محمد", "رضایی", "شیراز", "09350000000");  // Persian pair: as before
    with_city("P3", "محسن", "حسینی", "یزد");
    with_city("L6", "Mohsen", "Hosseini", "Yazd");  // the weak o of both words: still one block

    auto by = [&](const std::string& text) {
        SearchQuery q;
        q.text = text;
        q.limit = 20;
        std::vector<std::string> out;
        for (const auto& h : must(engine->search(q))) out.push_back(h.external_id + ":" + h.matched);
        std::sort(out.begin(), out.end());
        return out;
    };
    // A Latin text finds the Persian spelling and the other Latin ones.
    EXPECT_EQ(by("Mohammad Rezaei"),
              (std::vector<std::string>{"L1:name_prefix", "L2:name_latin", "L5:name_prefix", "P1:name_latin",
                                        "P2:name_latin"}));
    EXPECT_EQ(by("Rezayi"), (std::vector<std::string>{"L1:name_latin", "L2:name_contains", "L3:name_latin",
                                                       "L5:name_latin", "P1:name_latin", "P2:name_latin"}));
    // A Persian text finds the Latin spellings; its Persian hits are the name key's.
    EXPECT_EQ(by("محمد رضایی"), (std::vector<std::string>{"L1:name_latin", "L2:name_latin", "L5:name_latin",
                                                          "P1:name_prefix", "P2:name_prefix"}));

    DuplicateOptions loose;
    loose.min_score = 0.5;
    auto pairs = must(engine->find_duplicates(loose));
    auto has = [&](const std::string& a, const std::string& b) {
        for (const auto& p : pairs)
            if ((p.a_external_id == a && p.b_external_id == b) || (p.a_external_id == b && p.b_external_id == a))
                return &p;
        return static_cast<const DuplicatePair*>(nullptr);
    };
    for (auto [a, b] : {std::pair{"P1", "L1"}, {"P1", "L2"}, {"L1", "L2"}, {"P3", "L6"}}) {
        ASSERT_TRUE(has(a, b)) << a << " " << b;
        EXPECT_EQ(has(a, b)->reasons, std::vector<std::string>{"similar name in the same city"}) << a << " " << b;
    }
    for (auto [a, b] : {std::pair{"P1", "L3"}, {"P1", "L4"}, {"L1", "L3"}, {"L1", "L4"}, {"P1", "L5"}, {"L5", "L1"}})
        EXPECT_FALSE(has(a, b)) << a << " " << b;
    // Persian names are paired as they always were: by city, both in Persian.
    EXPECT_FALSE(has("P1", "P2"));
    EXPECT_TRUE(has("L5", "P2")) << "Shiraz and شیراز are one city";
}

TEST_P(Conformance, MergeMovesEverythingAndTheOldIdResolves) {
    Party a = person("C1", "Ali", "", "ali@x.ir", "");
    PartyInput bin;
    bin.external_id = "C2";
    bin.first_name = "Ali";
    bin.last_name = "Karimi";
    bin.city = "Tehran";
    bin.tags = std::vector<std::string>{"vip"};
    bin.contacts = {{ContactKind::phone, "09121234567", "", {}, {}, {}},
                    {ContactKind::email, "ali@x.ir", "", {}, true, {}}};
    Party b = must(engine->create_party(ctx, bin));
    Party c = person("C3", "A.", "Karimi", "", "09350000000");
    Interaction i;
    i.party = b.id;
    i.channel = Channel::sms;
    i.at = clock->now();
    i.subject = "hello";
    must(engine->log_interaction(ctx, i));
    Purchase o;
    o.party = c.id;
    o.order_id = "SO-9";
    o.ordered_at = clock->now();
    o.total = Money{100, "IRR"};
    must(engine->record_purchase(ctx, o));
    Activity act;
    act.party = b.id;
    act.subject = "call";
    act.due = clock->now();
    must(engine->schedule_activity(ctx, act));

    MergeRules rules;
    rules.fields["first_name"] = Survivorship::survivor;
    Party s = must(engine->merge(ctx, a.id, {b.id, c.id}, rules));
    EXPECT_EQ(s.first_name, "Ali");
    EXPECT_EQ(s.last_name, "Karimi") << "empty survivor field takes the merged value";
    EXPECT_EQ(s.city, "Tehran");
    EXPECT_EQ(s.tags, std::vector<std::string>{"vip"});
    EXPECT_EQ(s.contacts.size(), 3u) << "e-mail united, two phones";
    EXPECT_TRUE(s.contacts[0].verified);

    EXPECT_EQ(must(engine->get_party(b.id)).id, a.id);
    EXPECT_EQ(must(engine->get_party_by_external_id("C3")).id, a.id);
    auto v = must(engine->customer_360(a.id));
    EXPECT_EQ(v.recent_interactions.size(), 1u);
    EXPECT_EQ(v.open_activities.size(), 1u);
    ASSERT_EQ(v.purchases.size(), 1u);
    EXPECT_EQ(v.purchases[0].count, 1);
    EXPECT_EQ(v.merged_ids.size(), 2u);
    SearchQuery q;
    q.text = "09121234567";
    auto hits = must(engine->search(q));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].id, a.id) << "only the survivor is found";

    CRM_EXPECT_ERROR(engine->merge(ctx, a.id, {b.id}), errc::conflict, "merged[0]");
    CRM_EXPECT_ERROR(engine->merge(ctx, a.id, {a.id}), errc::invalid_argument, "merged[0]");
    CRM_EXPECT_ERROR(engine->merge(ctx, a.id, {}), errc::invalid_argument, "merged");

    // A chain: the survivor merged again still resolves from the first id.
    Party d = person("C4", "Dariush", "K");
    must(engine->merge(ctx, d.id, {a.id}));
    EXPECT_EQ(must(engine->get_party(b.id)).id, d.id);
}

// What both parties hold (a place in an organisation, on a list, on a
// suppression list) is held once by the survivor, with the survivor's own
// details, and nothing of the merged party is left behind.
// E-mail addresses that differ only in case are one contact point: a merge
// folds them into the survivor's, keeping its spelling of the local part and the newer
// consent of each channel.
TEST_P(Conformance, MergeFoldsContactPointsThatDifferOnlyInCase) {
    Party a = person("C1", "Ali", "Karimi", "Ali.Karimi@Example.IR", "09121234567");
    clock->advance(1000);
    Party b = person("C2", "Ali", "Karimi", "ali.karimi@example.ir", "0912 123 4567");
    const ContactPoint* mail = nullptr;
    for (const auto& c : b.contacts)
        if (c.kind == ContactKind::email) mail = &c;
    ASSERT_NE(mail, nullptr);
    must(engine->set_consent(ctx, b.id, mail->id,
                             Consent{"email", ConsentStatus::opt_in, clock->now(), "web form"}));
    Party merged = must(engine->merge(ctx, a.id, {b.id}));
    std::vector<std::string> mails, phones;
    const ContactPoint* kept = nullptr;
    for (const auto& c : merged.contacts) {
        if (c.kind == ContactKind::email) {
            mails.push_back(c.value);
            kept = &c;
        }
        if (c.kind == ContactKind::phone) phones.push_back(c.value);
    }
    EXPECT_EQ(mails, (std::vector<std::string>{"Ali.Karimi@example.ir"}));  // domains are kept lower-case
    EXPECT_EQ(phones.size(), 1u);
    ASSERT_NE(kept, nullptr);
    ASSERT_EQ(kept->consents.size(), 1u);
    EXPECT_EQ(kept->consents[0].status, ConsentStatus::opt_in);
    // Either spelling finds the one survivor.
    SearchQuery q;
    q.text = "ALI.KARIMI@EXAMPLE.IR";
    auto hits = must(engine->search(q));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].id, a.id);
}

TEST_P(Conformance, MergeWherePartiesShareAPlaceKeepsOneOfEach) {
    PartyInput oin;
    oin.kind = PartyKind::organization;
    oin.external_id = "ORG";
    oin.organization_name = "Pars Co";
    const Party org = must(engine->create_party(ctx, oin));
    const Party a = person("A", "Sara", "Ahmadi");
    const Party b = person("B", "Sara", "Ahmadi");
    const Party c = person("C", "Reza", "Karimi");
    must(engine->link_to_organization(ctx, a.id, org.id, "buyer"));
    must(engine->link_to_organization(ctx, b.id, org.id, "manager"));
    must(engine->link_to_organization(ctx, c.id, org.id, "engineer"));
    Marketing mk(*engine);
    must(mk.define_segment(ctx, R"({"id": "vip", "kind": "list"})"));
    must(mk.define_segment(ctx, R"({"id": "dnc", "kind": "suppression"})"));
    must(mk.add_to_list(ctx, "vip", {a.id, b.id}));
    must(mk.suppress(ctx, "dnc", SuppressionKind::party, a.id.str(), "asked"));
    must(mk.suppress(ctx, "dnc", SuppressionKind::party, b.id.str(), "complained"));

    must(engine->merge(ctx, a.id, {b.id}));
    const auto view = must(engine->customer_360(a.id));
    ASSERT_EQ(view.memberships.size(), 1u);
    EXPECT_EQ(view.memberships[0].organization, org.id);
    EXPECT_EQ(view.memberships[0].role, "buyer") << "the survivor's own place is kept";
    EXPECT_EQ(must(engine->customer_360(org.id)).memberships.size(), 2u) << "a and c";
    EXPECT_EQ(must(mk.members(ctx, "vip")), std::vector<Id>{a.id});
    const auto dnc = must(mk.suppression_entries("dnc"));
    ASSERT_EQ(dnc.size(), 1u);
    EXPECT_EQ(dnc[0].value, a.id.str());
    EXPECT_EQ(dnc[0].reason, "asked");

    // Two organisations merged: a person in both is in the survivor once.
    PartyInput o2;
    o2.kind = PartyKind::organization;
    o2.external_id = "ORG2";
    o2.organization_name = "Pars Company";
    const Party org2 = must(engine->create_party(ctx, o2));
    must(engine->link_to_organization(ctx, c.id, org2.id, "advisor"));
    must(engine->merge(ctx, org.id, {org2.id}));
    const auto people = must(engine->customer_360(org.id)).memberships;
    ASSERT_EQ(people.size(), 2u);
    for (const auto& m : people) {
        if (m.person == c.id) {
            EXPECT_EQ(m.role, "engineer");
        }
    }
    EXPECT_EQ(must(engine->customer_360(c.id)).memberships.size(), 1u);
}

TEST_P(Conformance, MergeOfManyPartiesHasNoCap) {
    Party s = person("S", "Main", "Party");
    std::vector<Id> ids;
    for (int k = 0; k < 60; ++k) ids.push_back(person("M" + std::to_string(k), "Dup", std::to_string(k)).id);
    Party merged = must(engine->merge(ctx, s.id, ids));
    EXPECT_EQ(merged.id, s.id);
    EXPECT_EQ(must(engine->customer_360(s.id)).merged_ids.size(), 60u);
}

}  // namespace
}  // namespace crm::testing
