// tests/unit/service_codec_test.cpp - the stored forms of a ticket: the
// text written on every write equals the JSON tree's, and reads back whole.
#include <gtest/gtest.h>

#include "service/codec.hpp"

namespace {

crm::Ticket rich_ticket() {
    crm::Ticket t;
    t.id = crm::Id::parse("019c40a9-dd40-715d-9997-02c506eff1eb").value();
    t.party = crm::Id::parse("019c40a9-dd40-715c-b46d-45684163df1a").value();
    t.parent = crm::Id::parse("019c40a9-dd40-715c-b46d-45684163df1b").value();
    t.external_id = "WEB-\"1\"";
    t.subject = "پرینتر کار نمی‌کند\n\t\\ <ok>";
    t.description = "line one\nline two";
    t.type = crm::TicketType::return_request;
    t.priority = crm::TicketPriority::urgent;
    t.channel = crm::Channel::portal;
    t.category = "hardware/printer";
    t.queue = "tier1";
    t.assignee = "sara";
    t.process = "ticket";
    t.process_version = 3;
    t.state = "pending_customer";
    t.status = "open";
    t.state_entered_at = crm::Timestamp{1'770'000'000'123};
    t.first_response_at = crm::Timestamp{1'770'000'000'000};
    t.reopen_count = 2;
    t.referral_count = 1;
    t.sla_policy = "vip";
    t.sla_policy_version = 4;
    crm::SlaInstance s;
    s.kpi = crm::SlaKpi::next_response;
    s.status = crm::SlaStatus::paused;
    s.policy = "vip";
    s.policy_version = 4;
    s.calendar = "tehran";
    s.warning_ms = 60'000;
    s.failure_ms = 120'000;
    s.started_at = crm::Timestamp{1'770'000'000'000};
    s.failure_at = crm::Timestamp{1'770'000'100'000};
    s.pauses = {{crm::Timestamp{1'770'000'000'500}, crm::Timestamp{1'770'000'000'900}},
                {crm::Timestamp{1'770'000'001'000}, std::nullopt}};
    s.elapsed_ms = 7;
    s.paused_ms = 9;
    t.slas = {s, s};
    t.slas[1].kpi = crm::SlaKpi::resolution;
    t.slas[1].stopped_at = crm::Timestamp{1'770'000'002'000};
    t.due_at = crm::Timestamp{1'770'000'003'000};
    t.slas[0].warned = true;
    t.escalations = {{"no-first-response", crm::Timestamp{1'770'000'000'000},
                      crm::Timestamp{1'770'000'007'200}, std::nullopt},
                     {"near-breach", crm::Timestamp{1'770'000'000'000},
                      crm::Timestamp{1'770'000'000'000}, crm::Timestamp{1'770'000'000'001}}};
    t.contact = crm::Id::parse("019c40a9-dd40-715c-b46d-45684163df1c").value();
    t.merged_into = crm::Id::parse("019c40a9-dd40-715c-b46d-45684163df1d").value();
    t.warranty = "in_warranty";
    t.product_sku = "ROUTER-X";
    t.purchase_order_id = "SO-1";
    t.resolved_at = crm::Timestamp{1'770'000'004'000};
    t.closed_at = crm::Timestamp{1'770'000'005'000};
    t.first_contact_resolution = true;
    t.agent_replies = 1;
    t.customer_replies = 2;
    t.csat = 4;
    t.csat_comment = "خوب";
    t.csat_at = crm::Timestamp{1'770'000'006'000};
    t.close_reason = "fixed";
    t.custom["tier"] = std::string("gold");
    t.custom["seats"] = std::int64_t{12};
    t.custom["vip"] = true;
    t.created_at = crm::Timestamp{1'769'000'000'000};
    t.updated_at = crm::Timestamp{1'770'000'000'000};
    t.version = 5;
    return t;
}

}  // namespace

TEST(ServiceCodec, TicketTextEqualsTheJsonTree) {
    const crm::Ticket t = rich_ticket();
    EXPECT_EQ(crm::codec::ticket_text(t), crm::codec::to_json(t).dump());
    crm::Ticket empty;
    EXPECT_EQ(crm::codec::ticket_text(empty), crm::codec::to_json(empty).dump());
}

TEST(ServiceCodec, TicketReadsBackWhole) {
    const crm::Ticket t = rich_ticket();
    auto doc = crm::codec::parse(crm::codec::ticket_text(t));
    ASSERT_TRUE(doc);
    auto back = crm::codec::ticket_from_json(doc.value());
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(crm::codec::to_json(back.value()), crm::codec::to_json(t));
    EXPECT_EQ(back.value().slas, t.slas);
    EXPECT_EQ(back.value().escalations, t.escalations);
    EXPECT_EQ(back.value().subject, t.subject);
    EXPECT_EQ(back.value().csat, t.csat);
    EXPECT_TRUE(back.value().first_contact_resolution);
}
