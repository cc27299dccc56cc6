// tests/unit/sales_codec_test.cpp - an opportunity's JSON text, written
// field by field: valid JSON in the documented order, read back whole, and
// the unit its audit entries compare.
#include <gtest/gtest.h>

#include "sales/codec.hpp"

namespace {

crm::Opportunity rich_opportunity() {
    crm::Opportunity o;
    o.id = crm::Id::parse("019c40a9-dd40-715d-9997-02c506eff1eb").value();
    o.party = crm::Id::parse("019c40a9-dd40-715c-b46d-45684163df1a").value();
    o.source_lead = crm::Id::parse("019c40a9-dd40-715c-b46d-45684163df1b").value();
    o.external_id = "ERP-\"7\"";
    o.name = "مجوزهای نرم‌افزار\n\t\\ <ok>";
    o.owner = "user:12";
    o.team = "north";
    o.pipeline = "sales";
    o.pipeline_version = 3;
    o.stage = "won";
    o.status = "won";
    o.amount = crm::Money{1'250'000'000, "IRR"};
    o.probability = 100;
    o.forecast_category = "closed";
    o.expected_close = "2026-12-30";
    o.campaign = "spring";
    o.competitors = {"Acme", "بتا"};
    o.products = {"SKU-1"};
    crm::CloseRecord c;
    c.reason = "price";
    c.competitor = "Acme";
    c.actual_revenue = crm::Money{1'200'000'000, "IRR"};
    c.date = "2026-12-01";
    c.note = "signed";
    o.close = c;
    o.custom = {{"region", crm::Value{std::string("تهران")}}, {"seats", crm::Value{std::int64_t{40}}}};
    o.created_at = crm::Timestamp{1'770'000'000'123};
    o.updated_at = crm::Timestamp{1'770'000'100'000};
    o.stage_entered_at = crm::Timestamp{1'770'000'050'000};
    o.closed_at = crm::Timestamp{1'770'000'100'000};
    o.version = 9;
    return o;
}

}  // namespace

TEST(SalesCodec, AnOpportunitysTextIsJsonInItsOrderAndReadsBackWhole) {
    const crm::Opportunity o = rich_opportunity();
    const std::string text = crm::codec::object_text(crm::codec::opportunity_fields(o));
    const auto doc = crm::codec::json::parse(text, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << text;
    EXPECT_EQ(doc.dump(), text);  // compact, members in the written order
    EXPECT_EQ(doc.begin().key(), "id");
    EXPECT_EQ(doc["close"]["actual_revenue"]["minor"], 1'200'000'000);
    EXPECT_EQ(doc["closed_at"], "2026-02-02T02:41:40Z");
    auto back = crm::codec::opportunity_from_json(doc);
    ASSERT_TRUE(back) << back.error().what();
    const crm::Opportunity& r = back.value();
    EXPECT_EQ(r.id, o.id);
    EXPECT_EQ(r.source_lead, o.source_lead);
    EXPECT_EQ(r.external_id, o.external_id);
    EXPECT_EQ(r.name, o.name);
    EXPECT_EQ(r.amount->minor, o.amount->minor);
    EXPECT_EQ(r.competitors, o.competitors);
    EXPECT_EQ(r.close->actual_revenue->minor, 1'200'000'000);
    EXPECT_EQ(r.close->note, "signed");
    EXPECT_EQ(std::get<std::string>(r.custom.at("region")), "تهران");
    EXPECT_EQ(r.closed_at, o.closed_at);
    EXPECT_EQ(r.stage_entered_at, o.stage_entered_at);
    EXPECT_EQ(r.version, 9);
    // Unset optional members are null.
    crm::Opportunity bare;
    const auto bare_doc =
        crm::codec::json::parse(crm::codec::object_text(crm::codec::opportunity_fields(bare)));
    EXPECT_TRUE(bare_doc["amount"].is_null());
    EXPECT_TRUE(bare_doc["close"].is_null());
    EXPECT_TRUE(bare_doc["party"].is_null());
}

TEST(SalesCodec, AMoveListsWhatChangedAndNotTheBookkeeping) {
    crm::Opportunity before = rich_opportunity();
    before.close.reset();
    before.closed_at.reset();
    before.stage = "propose";
    before.status = "open";
    crm::Opportunity after = before;
    after.stage = "negotiate";
    after.probability = 80;
    after.stage_entered_at = crm::Timestamp{1'770'000'200'000};
    after.updated_at = crm::Timestamp{1'770'000'200'000};
    after.version = before.version + 1;
    const auto changes = crm::codec::diff(crm::codec::opportunity_fields(before),
                                          crm::codec::opportunity_fields(after));
    ASSERT_EQ(changes.size(), 2u);
    EXPECT_EQ(changes[0].field, "stage");
    EXPECT_EQ(changes[0].before, "\"propose\"");
    EXPECT_EQ(changes[0].after, "\"negotiate\"");
    EXPECT_EQ(changes[1].field, "probability");
    EXPECT_EQ(changes[1].before, "100");
    EXPECT_EQ(changes[1].after, "80");
    // On creation, empty values are no news.
    crm::Opportunity fresh;
    fresh.name = "deal";
    const auto created = crm::codec::diff({}, crm::codec::opportunity_fields(fresh));
    for (const auto& c : created) {
        EXPECT_NE(c.after, "\"\"") << c.field;
        EXPECT_NE(c.after, "null") << c.field;
        EXPECT_NE(c.field, "version");
    }
}

namespace {

void expect_same(const crm::Opportunity& a, const crm::Opportunity& b) {
    EXPECT_EQ(crm::codec::object_text(crm::codec::opportunity_fields(a)),
              crm::codec::object_text(crm::codec::opportunity_fields(b)));
}

}  // namespace

TEST(SalesCodec, TheStoredTextReadsBackAsTheTreeReaderReadsIt) {
    for (const crm::Opportunity& o : {rich_opportunity(), crm::Opportunity{}}) {
        const std::string text = crm::codec::object_text(crm::codec::opportunity_fields(o));
        auto fast = crm::codec::opportunity_from_text(text);
        ASSERT_TRUE(fast) << fast.error().what();
        auto tree = crm::codec::opportunity_from_json(crm::codec::json::parse(text));
        ASSERT_TRUE(tree) << tree.error().what();
        expect_same(fast.value(), tree.value());
        expect_same(fast.value(), o);
    }
    // White space, another key order, escapes and unknown keys, as a file
    // edited by hand may hold.
    auto edited = crm::codec::opportunity_from_text(
        " { \"note\" : [1, {\"x\": null}], \"stage\" : \"pro\\u0070ose\", \"version\": 4,\n"
        "   \"amount\": {\"currency\": \"IRR\", \"minor\": 5}, \"close\": null, \"custom\": {} } ");
    ASSERT_TRUE(edited) << edited.error().what();
    EXPECT_EQ(edited.value().stage, "propose");
    EXPECT_EQ(edited.value().version, 4);
    EXPECT_EQ(edited.value().amount->minor, 5);
}

TEST(SalesCodec, AMalformedStoredTextIsAStorageError) {
    for (const char* bad :
         {"", "[]", "{", "{\"stage\": 1}", "{\"id\": \"not-an-id\"}", "{\"amount\": {\"minor\": 5}}",
          "{\"created_at\": \"yesterday\"}", "{\"probability\": 1.5}", "{\"stage\": \"a\"} x",
          "{\"close\": {\"reason\": 5}}", "{\"custom\": [1]}", "{\"competitors\": [1]}"}) {
        auto r = crm::codec::opportunity_from_text(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, crm::errc::storage) << bad;
    }
}
