// tests/conformance/party_test.cpp - parties, contact points, custom
// fields, validation and atomicity, on every backend.
#include <tuple>

#include "backends.hpp"

namespace crm::testing {
namespace {

std::size_t event_count(Engine& e) { return must(e.events_after(0, 10000)).size(); }

TEST_P(Conformance, CreatesAPersonWithNormalisedContacts) {
    PartyInput in;
    in.external_id = "C1";
    in.first_name = "  علي ";
    in.last_name = "كريمي";
    in.national_id = "۰۴۹۹۳۷۰۸۹۹";
    in.contacts = {{ContactKind::email, " Ali.Karimi@Example.COM ", "work", {}, {}, {}},
                   {ContactKind::phone, "۰۹۱۲۱۲۳۴۵۶۷", "mobile", {}, {}, {}}};
    Party p = must(engine->create_party(ctx, in));
    EXPECT_FALSE(p.id.is_nil());
    EXPECT_EQ(p.first_name, "علي");  // display values keep their letters, only tidied
    EXPECT_EQ(p.national_id, "0499370899");
    EXPECT_EQ(p.lifecycle_stage, "lead");
    ASSERT_EQ(p.contacts.size(), 2u);
    EXPECT_EQ(p.contacts[0].value, "Ali.Karimi@example.com");
    EXPECT_TRUE(p.contacts[0].primary);
    EXPECT_EQ(p.contacts[1].value, "+989121234567");
    EXPECT_EQ(p.contacts[1].operator_name, "Hamrah-e Aval");

    Party again = must(engine->get_party(p.id));
    EXPECT_EQ(again.display_name(), "علي كريمي");
    EXPECT_EQ(again.contacts.size(), 2u);
    EXPECT_EQ(again.version, 1);
    EXPECT_EQ(must(engine->get_party_by_external_id("C1")).id, p.id);
    EXPECT_EQ(must(engine->find_party(p.id.str())).id, p.id);
    EXPECT_EQ(must(engine->find_party("C1")).id, p.id);
}

TEST_P(Conformance, ACommandRunsByNameThroughTheEngine) {
    const std::string answer = must(engine->execute(
        "party.upsert",
        R"({"external_id": "X1", "first_name": "Sara", "contacts": [{"kind": "phone", "value": "09121234567"}],
            "context": {"actor": "erp"}})"));
    EXPECT_NE(answer.find("\"value\":\"+989121234567\""), std::string::npos) << answer;
    const Party p = must(engine->get_party_by_external_id("X1"));
    EXPECT_EQ(must(engine->audit_trail(p.id)).front().actor, "erp");
    EXPECT_NE(must(engine->execute("commands", "{}")).find("\"party.upsert\""), std::string::npos);

    const auto unknown = engine->execute("party.frobnicate", "{}");
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, errc::not_found);
    EXPECT_EQ(unknown.error().field, "method");
    const auto malformed = engine->execute("party.upsert", R"({"external_id": )");
    ASSERT_FALSE(malformed);
    EXPECT_EQ(malformed.error().code, errc::parse);
    EXPECT_EQ(malformed.error().field, "request");
    const auto wrong = engine->execute("party.upsert", R"({"external_id": "X2", "contacts": 5})");
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error().code, errc::invalid_argument);
    EXPECT_EQ(wrong.error().field, "contacts");
    EXPECT_FALSE(engine->get_party_by_external_id("X2"));
}

TEST_P(Conformance, TheFourSpellingsOfOnePhoneAreOneContact) {
    Party p = person("C1", "Sara", "Ahmadi", "", "09121234567");
    for (const char* spelling : {"+98 912 123 4567", "00989121234567", "۰۹۱۲۱۲۳۴۵۶۷"}) {
        PartyInput in;
        in.contacts.push_back({ContactKind::phone, spelling, "", {}, {}, {}});
        Party u = must(engine->update_party(ctx, p.id, in));
        EXPECT_EQ(u.contacts.size(), 1u) << spelling;
        EXPECT_EQ(u.version, 1) << "an equal contact is no change";
    }
}

TEST_P(Conformance, RejectsBadInputNamingTheFieldAndWritesNothing) {
    person("C0", "Existing", "Person");
    const auto events = event_count(*engine);
    PartyInput in;
    in.external_id = "C1";
    CRM_EXPECT_ERROR(engine->create_party(ctx, in), errc::invalid_argument, "last_name");

    in.first_name = "Ali";
    in.contacts = {{ContactKind::email, "ali@", "", {}, {}, {}}};
    CRM_EXPECT_ERROR(engine->create_party(ctx, in), errc::invalid_argument, "contacts[0].value");

    in.contacts = {{ContactKind::phone, "12345", "", {}, {}, {}}};
    CRM_EXPECT_ERROR(engine->create_party(ctx, in), errc::invalid_argument, "contacts[0].value");

    in.contacts.clear();
    in.national_id = "0499370898";
    CRM_EXPECT_ERROR(engine->create_party(ctx, in), errc::invalid_argument, "national_id");

    in.national_id.reset();
    in.lifecycle_stage = "golden";
    CRM_EXPECT_ERROR(engine->create_party(ctx, in), errc::invalid_argument, "lifecycle_stage");

    in.lifecycle_stage.reset();
    in.last_name = std::string("bad\xC0\xAF", 5);
    CRM_EXPECT_ERROR(engine->create_party(ctx, in), errc::invalid_argument, "last_name");

    in.last_name = std::string(5000, 'x');
    CRM_EXPECT_ERROR(engine->create_party(ctx, in), errc::invalid_argument, "last_name");

    in.last_name = "Ok";
    in.external_id = "C0";
    CRM_EXPECT_ERROR(engine->create_party(ctx, in), errc::conflict, "external_id");

    in.external_id = "C1";
    in.custom["tier"] = std::string("gold");
    CRM_EXPECT_ERROR(engine->create_party(ctx, in), errc::invalid_argument, "custom.tier");

    CRM_EXPECT_ERROR(engine->get_party(Id{}), errc::not_found, "party");
    EXPECT_EQ(event_count(*engine), events) << "a failed call must write nothing";
    CRM_EXPECT_ERROR(engine->get_party_by_external_id("C1"), errc::not_found, "external_id");
}

TEST_P(Conformance, UpsertByExternalIdIsIdempotent) {
    PartyInput in;
    in.external_id = "ERP-7";
    in.kind = PartyKind::organization;
    in.organization_name = "شرکت نمونه";
    in.contacts = {{ContactKind::email, "info@nemoone.ir", "", {}, {}, {}}};
    auto first = must(engine->upsert_party(ctx, in));
    EXPECT_EQ(first.outcome, WriteOutcome::created);
    const auto events = event_count(*engine);
    auto second = must(engine->upsert_party(ctx, in));
    EXPECT_EQ(second.outcome, WriteOutcome::unchanged);
    EXPECT_EQ(second.record.id, first.record.id);
    EXPECT_EQ(event_count(*engine), events);

    in.city = "تهران";
    auto third = must(engine->upsert_party(ctx, in));
    EXPECT_EQ(third.outcome, WriteOutcome::updated);
    EXPECT_EQ(third.record.city, "تهران");
    EXPECT_EQ(third.record.version, 2);
    EXPECT_EQ(third.record.contacts.size(), 1u);

    PartyInput no_key;
    no_key.organization_name = "x";
    CRM_EXPECT_ERROR(engine->upsert_party(ctx, no_key), errc::invalid_argument, "external_id");
}

// Sheba, card and postal code fields: written as people write them,
// stored in their canonical form, a bad one refused with nothing changed,
// and found by a segment rule on the stored form.
TEST_P(Conformance, BankIdentifiersAsCustomFields) {
    must(engine->define_field(ctx, {"party", "sheba", "شبا", FieldType::sheba, false, {}, {}, {}, ""}));
    must(engine->define_field(ctx, {"party", "card", "کارت", FieldType::bank_card, false, {}, {}, {}, ""}));
    must(engine->define_field(ctx, {"party", "zip", "کد پستی", FieldType::postal_code, false, {}, {}, {}, ""}));
    PartyInput in;
    in.first_name = "Reza";
    in.custom = {{"sheba", std::string("ir82 0540 1026 8002 0817 9090 02")},
                 {"card", std::string("۶۰۳۷-۹۹۱۲-۳۴۵۶-۷۸۹۳")},
                 {"zip", std::string("16197-35744")}};
    Party p = must(engine->create_party(ctx, in));
    Party back = must(engine->get_party(p.id));
    EXPECT_EQ(std::get<std::string>(back.custom.at("sheba")), "IR820540102680020817909002");
    EXPECT_EQ(std::get<std::string>(back.custom.at("card")), "6037991234567893");
    EXPECT_EQ(std::get<std::string>(back.custom.at("zip")), "1619735744");

    PartyInput bad;
    bad.custom = {{"sheba", std::string("IR830540102680020817909002")}, {"zip", std::string("1619735700")}};
    CRM_EXPECT_ERROR(engine->update_party(ctx, p.id, bad), errc::invalid_argument, "custom.sheba");
    bad.custom = {{"card", std::string("603799123456789")}};
    CRM_EXPECT_ERROR(engine->update_party(ctx, p.id, bad), errc::invalid_argument, "custom.card");
    bad.custom = {{"zip", std::string("1629735744")}};
    CRM_EXPECT_ERROR(engine->update_party(ctx, p.id, bad), errc::invalid_argument, "custom.zip");
    bad.custom = {{"card", std::int64_t{6037991234567893}}};
    CRM_EXPECT_ERROR(engine->update_party(ctx, p.id, bad), errc::invalid_argument, "custom.card");
    EXPECT_EQ(must(engine->get_party(p.id)).custom, back.custom);

    PartyInput other;
    other.first_name = "Sara";
    other.custom = {{"zip", std::string("1619735745")}};
    must(engine->create_party(ctx, other));
    Marketing mk(*engine);
    must(mk.define_segment(ctx, R"({"id": "parsian", "rule": "custom.sheba = \"IR820540102680020817909002\""})"));
    EXPECT_EQ(must(mk.count(ctx, "parsian")), 1);
    must(mk.define_segment(ctx, R"({"id": "zip", "rule": "custom.zip starts_with \"16197\""})"));
    EXPECT_EQ(must(mk.count(ctx, "zip")), 2);
}

TEST_P(Conformance, CustomFieldsAreCheckedAndRoundTrip) {
    FieldDef tier{"party", "tier", "سطح", FieldType::enumeration, false, {"gold", "silver"}, {}, {}, ""};
    must(engine->define_field(ctx, tier));
    must(engine->define_field(ctx, {"party", "visits", "", FieldType::integer, false, {}, 0, 1000, ""}));
    must(engine->define_field(ctx, {"party", "credit", "", FieldType::money, false, {}, {}, {}, "IRR"}));
    must(engine->define_field(ctx, {"party", "rate", "", FieldType::decimal, false, {}, {}, {}, ""}));
    must(engine->define_field(ctx, {"party", "vip", "", FieldType::boolean, false, {}, {}, {}, ""}));
    must(engine->define_field(ctx, {"party", "birthday", "", FieldType::date, false, {}, {}, {}, ""}));
    must(engine->define_field(ctx, {"party", "interests", "", FieldType::multi_enum, false,
                                    {"books", "music", "sport"}, {}, {}, ""}));
    EXPECT_EQ(must(engine->fields("party")).size(), 7u);

    PartyInput in;
    in.first_name = "Reza";
    in.custom = {{"tier", std::string("gold")},
                 {"visits", std::string("۱۲")},
                 {"credit", Money{150000000, "IRR"}},
                 {"rate", std::string("007.50")},
                 {"vip", std::string("بله")},
                 {"birthday", std::string("1990-05-17")},
                 {"interests", std::vector<std::string>{"music", "books", "music"}}};
    Party p = must(engine->create_party(ctx, in));
    Party back = must(engine->get_party(p.id));
    EXPECT_EQ(std::get<std::string>(back.custom.at("tier")), "gold");
    EXPECT_EQ(std::get<std::int64_t>(back.custom.at("visits")), 12);
    EXPECT_EQ(std::get<Money>(back.custom.at("credit")), (Money{150000000, "IRR"}));
    EXPECT_EQ(std::get<std::string>(back.custom.at("rate")), "7.5");
    EXPECT_EQ(std::get<bool>(back.custom.at("vip")), true);
    EXPECT_EQ(std::get<std::string>(back.custom.at("birthday")), "1990-05-17");
    EXPECT_EQ(std::get<std::vector<std::string>>(back.custom.at("interests")),
              (std::vector<std::string>{"music", "books"}));

    PartyInput bad;
    bad.custom = {{"tier", std::string("bronze")}};
    CRM_EXPECT_ERROR(engine->update_party(ctx, p.id, bad), errc::invalid_argument, "custom.tier");
    bad.custom = {{"visits", std::int64_t{5000}}};
    CRM_EXPECT_ERROR(engine->update_party(ctx, p.id, bad), errc::invalid_argument, "custom.visits");
    bad.custom = {{"credit", Money{1, "USD"}}};
    CRM_EXPECT_ERROR(engine->update_party(ctx, p.id, bad), errc::invalid_argument, "custom.credit");
    bad.custom = {{"birthday", std::string("1990-02-30")}};
    CRM_EXPECT_ERROR(engine->update_party(ctx, p.id, bad), errc::parse, "custom.birthday");
    bad.custom = {{"vip", std::int64_t{7}}};
    CRM_EXPECT_ERROR(engine->update_party(ctx, p.id, bad), errc::invalid_argument, "custom.vip");

    PartyInput clear;
    clear.custom = {{"tier", Value{}}};
    Party cleared = must(engine->update_party(ctx, p.id, clear));
    EXPECT_EQ(cleared.custom.count("tier"), 0u);

    FieldDef required{"party", "region", "", FieldType::text, true, {}, {}, {}, ""};
    must(engine->define_field(ctx, required));
    PartyInput without;
    without.first_name = "Nima";
    CRM_EXPECT_ERROR(engine->create_party(ctx, without), errc::invalid_argument, "custom.region");

    CRM_EXPECT_ERROR(engine->define_field(ctx, {"party", "tier", "", FieldType::integer, false, {}, {}, {}, ""}),
                     errc::conflict, "type");
    CRM_EXPECT_ERROR(engine->define_field(ctx, {"party", "city", "", FieldType::text, false, {}, {}, {}, ""}),
                     errc::invalid_argument, "name");
    CRM_EXPECT_ERROR(engine->define_field(ctx, {"party", "e", "", FieldType::enumeration, false, {}, {}, {}, ""}),
                     errc::invalid_argument, "allowed");
}

TEST_P(Conformance, ContactPointsKeepOnePrimaryAndTheirConsent) {
    Party p = person("C1", "Mina", "Rad", "mina@a.ir", "09121111111");
    PartyInput in;
    in.contacts = {{ContactKind::email, "mina@b.ir", "home", true, true, {}},
                   {ContactKind::social, "Instagram:mina.rad", "", {}, {}, {}},
                   {ContactKind::address, " تهران،  خیابان ولیعصر ", "home", {}, {}, {}}};
    Party u = must(engine->update_party(ctx, p.id, in));
    ASSERT_EQ(u.contacts.size(), 5u);
    int primaries = 0;
    for (const auto& c : u.contacts)
        if (c.kind == ContactKind::email && c.primary) {
            ++primaries;
            EXPECT_EQ(c.value, "mina@b.ir");
            EXPECT_TRUE(c.verified);
        }
    EXPECT_EQ(primaries, 1);
    EXPECT_EQ(u.contacts[3].value, "instagram:mina.rad");
    EXPECT_EQ(u.contacts[4].value, "تهران، خیابان ولیعصر");

    clock->advance(1000);
    Party c = must(engine->set_consent(ctx, p.id, u.contacts[1].id,
                                       {"sms", ConsentStatus::opt_out, {}, "call centre"}));
    ASSERT_EQ(c.contacts[1].consents.size(), 1u);
    EXPECT_EQ(c.contacts[1].consents[0].status, ConsentStatus::opt_out);
    EXPECT_EQ(c.contacts[1].consents[0].at, clock->now());
    EXPECT_EQ(must(engine->get_party(p.id)).contacts[1].consents[0].source, "call centre");
    CRM_EXPECT_ERROR(engine->set_consent(ctx, p.id, Id{}, {"sms", ConsentStatus::opt_in, {}, ""}),
                     errc::not_found, "contact");

    PartyInput remove;
    remove.remove_contacts = {u.contacts[4].id};
    EXPECT_EQ(must(engine->update_party(ctx, p.id, remove)).contacts.size(), 4u);
}

TEST_P(Conformance, AuditRecordsEveryChangeWithBeforeAndAfter) {
    Party p = person("C1", "Ali", "Rezaei");
    clock->advance(5000);
    PartyInput in;
    in.city = "Shiraz";
    must(engine->update_party(Context{"user:9", "portal"}, p.id, in));
    auto trail = must(engine->audit_trail(p.id));
    ASSERT_EQ(trail.size(), 2u);
    EXPECT_EQ(trail[0].action, "update");  // newest first
    EXPECT_EQ(trail[0].actor, "user:9");
    EXPECT_EQ(trail[0].source, "portal");
    ASSERT_EQ(trail[0].changes.size(), 1u);
    EXPECT_EQ(trail[0].changes[0].field, "city");
    EXPECT_EQ(trail[0].changes[0].before, "\"\"");
    EXPECT_EQ(trail[0].changes[0].after, "\"Shiraz\"");
    EXPECT_EQ(trail[1].action, "create");
}

// An organisation's 360 view rolls up what its members have open and
// bought: their open deals and tickets (newest first, with counts) and
// their purchases per currency; a person's view has no roll-up.
TEST_P(Conformance, AnOrganisationsViewRollsUpItsMembers) {
    PartyInput oin;
    oin.kind = PartyKind::organization;
    oin.organization_name = "پارس";
    Party org = must(engine->create_party(ctx, oin));
    Party a = person("C1", "Ali", "Karimi");
    Party b = person("C2", "Sara", "Ahmadi");
    Party outsider = person("C3", "Reza", "Moradi");
    must(engine->link_to_organization(ctx, a.id, org.id, "buyer"));
    must(engine->link_to_organization(ctx, b.id, org.id, "manager"));
    Sales sales(*engine);
    Opportunity first, second;
    for (auto [who, name, out] : {std::tuple{a.id, "ERP", &first}, std::tuple{b.id, "CRM", &second},
                                  std::tuple{outsider.id, "Other", (Opportunity*)nullptr}}) {
        OpportunityInput in;
        in.party = who;
        in.name = name;
        Opportunity o = must(sales.create_opportunity(ctx, in));
        if (out) *out = o;
        clock->advance(1000);
    }
    CloseRecord lost;
    lost.reason = "price";
    must(sales.lose_opportunity(ctx, first.id, lost));
    TicketInput tin;
    tin.subject = "Invoice";
    tin.party = a.id;
    Ticket t = must(Service(*engine).create_ticket(ctx, tin));
    for (auto [who, order, minor] : {std::tuple{a.id, "SO-1", 1000}, std::tuple{b.id, "SO-2", 500},
                                     std::tuple{outsider.id, "SO-3", 7}}) {
        Purchase p;
        p.party = who;
        p.order_id = order;
        p.ordered_at = clock->now();
        p.total = Money{minor, "IRR"};
        must(engine->record_purchase(ctx, p));
    }

    Customer360 view = must(engine->customer_360(org.id));
    ASSERT_TRUE(view.members);
    const MembersRollup& r = *view.members;
    EXPECT_EQ(r.members, 2);
    EXPECT_EQ(r.members_read, 2);
    EXPECT_TRUE(r.complete);
    EXPECT_EQ(r.open_opportunity_count, 1);  // the lost one is not open
    ASSERT_EQ(r.open_opportunities.size(), 1u);
    EXPECT_EQ(r.open_opportunities[0].id, second.id);
    EXPECT_EQ(r.open_ticket_count, 1);
    ASSERT_EQ(r.open_tickets.size(), 1u);
    EXPECT_EQ(r.open_tickets[0].id, t.id);
    ASSERT_EQ(r.purchases.size(), 1u);
    EXPECT_EQ(r.purchases[0].count, 2);
    EXPECT_EQ(r.purchases[0].total_minor, 1500);
    EXPECT_NE(crm::json::to_json(view).find("\"open_opportunity_count\":1"), std::string::npos);
    EXPECT_FALSE(must(engine->customer_360(a.id)).members);
}

TEST_P(Conformance, EventsAreReadAfterACursorAndAcknowledged) {
    person("C1", "A", "B");
    person("C2", "C", "D");
    auto all = must(engine->events_after(0));
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].type, "party.created");
    EXPECT_LT(all[0].seq, all[1].seq);
    auto rest = must(engine->events_after(all[0].seq));
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(rest[0].seq, all[1].seq);
    EXPECT_EQ(must(engine->consumer_cursor("erp")), 0);
    must(engine->acknowledge("erp", all[0].seq));
    EXPECT_EQ(must(engine->consumer_cursor("erp")), all[0].seq);
    CRM_EXPECT_ERROR(engine->acknowledge("erp", 0), errc::conflict, "cursor");
    CRM_EXPECT_ERROR(engine->acknowledge("erp", all[1].seq + 10), errc::invalid_argument, "cursor");
    CRM_EXPECT_ERROR(engine->acknowledge("", 1), errc::invalid_argument, "consumer");
}

TEST_P(Conformance, ExplicitTransactionsCommitRollbackAndIsolateFailures) {
    must(engine->begin());
    EXPECT_TRUE(engine->in_transaction());
    CRM_EXPECT_ERROR(engine->begin(), errc::conflict, "");
    person("C1", "A", "B");
    PartyInput bad;
    bad.external_id = "C2";
    CRM_EXPECT_ERROR(engine->create_party(ctx, bad), errc::invalid_argument, "last_name");
    person("C3", "E", "F");
    must(engine->commit());
    EXPECT_TRUE(engine->get_party_by_external_id("C1"));
    EXPECT_TRUE(engine->get_party_by_external_id("C3"));
    EXPECT_EQ(must(engine->events_after(0)).size(), 2u);

    must(engine->begin());
    person("C4", "G", "H");
    must(engine->rollback());
    EXPECT_FALSE(engine->get_party_by_external_id("C4"));
    EXPECT_EQ(must(engine->events_after(0)).size(), 2u);
    CRM_EXPECT_ERROR(engine->commit(), errc::conflict, "");
}

TEST_P(Conformance, DataSurvivesReopening) {
    Party p = person("C1", "مریم", "کاظمی", "maryam@x.ir", "09351234567");
    auto second = reopen();
    if (!second) GTEST_SKIP() << "backend has no file";
    engine.reset();
    Party back = must(second->get_party(p.id));
    EXPECT_EQ(back.display_name(), "مریم کاظمی");
    EXPECT_EQ(back.contacts[1].operator_name, "Irancell");
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Backends, Conformance, ::testing::ValuesIn(all_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace crm::testing
