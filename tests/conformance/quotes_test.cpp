// tests/conformance/quotes_test.cpp - the product catalogue, tax
// categories and quotes: exact totals, bad lines refused with nothing
// written, the lifecycle, revisions, the order hand-off and the 360 view,
// on every backend.
#include "backends.hpp"

namespace crm::testing {
namespace {

Money irr(std::int64_t minor) { return Money{minor, "IRR"}; }

Product product(const std::string& sku, const std::string& name, std::int64_t price_minor,
                const std::string& tax = "") {
    Product p;
    p.sku = sku;
    p.name = name;
    p.tax_category = tax;
    p.prices = {Price{"default", irr(price_minor)}};
    return p;
}

QuoteLineInput line(const std::string& sku, const std::string& quantity) {
    QuoteLineInput l;
    l.sku = sku;
    l.quantity = quantity;
    return l;
}

TEST_P(Conformance, ProductsArePricedPerListAndCurrency) {
    Sales sales(*engine);
    Product p = product("ERP-1", "ERP licence", 1'234'567);
    p.prices.push_back(Price{"wholesale", irr(1'000'000)});
    auto first = must(sales.define_product(ctx, p));
    EXPECT_EQ(first.outcome, WriteOutcome::created);
    EXPECT_EQ(first.record.unit, "piece");
    EXPECT_EQ(first.record.tax_category, "standard");
    EXPECT_EQ(must(sales.define_product(ctx, p)).outcome, WriteOutcome::unchanged);
    p.name = "ERP licence (annual)";
    auto second = must(sales.define_product(ctx, p));
    EXPECT_EQ(second.outcome, WriteOutcome::updated);
    EXPECT_EQ(second.record.version, 2);
    EXPECT_EQ(must(sales.get_product("ERP-1")).name, "ERP licence (annual)");
    must(sales.define_product(ctx, product("A-0", "first", 1)));
    auto listed = must(sales.products());
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[0].sku, "A-0");
    EXPECT_EQ(must(sales.products("A-0", 10)).size(), 1u);
    auto first_page = must(sales.products("", 1));
    ASSERT_EQ(first_page.size(), 1u);
    EXPECT_EQ(first_page[0].sku, "A-0");
    CRM_EXPECT_ERROR(sales.products("", 0), errc::invalid_argument, "limit");

    const std::size_t before = must(engine->events_after(0, 10'000)).size();
    CRM_EXPECT_ERROR(sales.define_product(ctx, product("ERP 1", "x", 1)), errc::invalid_argument,
                     "sku");
    CRM_EXPECT_ERROR(sales.define_product(ctx, product("X", "", 1)), errc::invalid_argument, "name");
    CRM_EXPECT_ERROR(sales.define_product(ctx, product("X", "x", 1, "luxury")),
                     errc::invalid_argument, "tax_category");
    CRM_EXPECT_ERROR(sales.define_product(ctx, product("X", "x", -1)), errc::invalid_argument,
                     "prices[0].unit_price");
    Product twice = product("X", "x", 1);
    twice.prices.push_back(Price{"default", irr(2)});
    CRM_EXPECT_ERROR(sales.define_product(ctx, twice), errc::invalid_argument,
                     "prices[1].unit_price");
    Product bad_currency = product("X", "x", 1);
    bad_currency.prices[0].unit_price.currency = "XYZ";
    CRM_EXPECT_ERROR(sales.define_product(ctx, bad_currency), errc::invalid_argument,
                     "prices[0].unit_price.currency");
    CRM_EXPECT_ERROR(sales.get_product("nope"), errc::not_found, "sku");
    EXPECT_EQ(must(engine->events_after(0, 10'000)).size(), before) << "nothing written";
}

TEST_P(Conformance, TaxCategoriesAreBuiltInUntilStoredAndLinesKeepTheirRate) {
    Sales sales(*engine);
    auto builtin = must(sales.tax_categories());
    ASSERT_EQ(builtin.size(), 2u);
    EXPECT_EQ(builtin[1].id, "standard");
    EXPECT_EQ(builtin[1].rate_bp, 1000);
    Party p = person("C1", "Ali", "Rezaei");
    must(sales.define_product(ctx, product("P", "thing", 10'000)));
    QuoteInput in;
    in.party = p.id;
    in.lines = std::vector<QuoteLineInput>{line("P", "1")};
    Quote at_ten = must(sales.create_quote(ctx, in));
    EXPECT_EQ(at_ten.tax_minor, 1'000);
    EXPECT_EQ(must(sales.define_tax_category(ctx, {"standard", "VAT 1405", 1200})).outcome,
              WriteOutcome::created);
    EXPECT_EQ(must(sales.define_tax_category(ctx, {"standard", "VAT 1405", 1200})).outcome,
              WriteOutcome::unchanged);
    must(sales.define_tax_category(ctx, {"reduced", "Reduced", 500}));
    auto now = must(sales.tax_categories());
    ASSERT_EQ(now.size(), 3u);
    EXPECT_EQ(now[2].rate_bp, 1200);
    Quote at_twelve = must(sales.create_quote(ctx, in));
    EXPECT_EQ(at_twelve.tax_minor, 1'200);
    EXPECT_EQ(must(sales.get_quote(at_ten.id.str())).tax_minor, 1'000) << "priced lines keep their rate";
    CRM_EXPECT_ERROR(sales.define_tax_category(ctx, {"x", "", 10'001}), errc::invalid_argument,
                     "rate_bp");
    CRM_EXPECT_ERROR(sales.define_tax_category(ctx, {"", "", 1}), errc::invalid_argument, "id");
}

TEST_P(Conformance, QuoteTotalsAreExactWithOneRoundingRule) {
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei");
    must(sales.define_product(ctx, product("ERP-1", "ERP licence", 1'234'567)));
    QuoteInput in;
    in.party = p.id;
    in.number = "PF-1404-0001";
    in.valid_until = "1402-09-30";  // Jalali, after the test clock's 2023-11-14
    QuoteLineInput erp = line("ERP-1", "3");
    erp.discount_percent = "12.5";
    QuoteLineInput service;
    service.name = "Installation";
    service.unit = "hour";
    service.quantity = "۲٫۵";  // 2.5 in Persian digits
    service.unit_price = irr(999);
    service.discount_amount = irr(100);
    service.tax_category = "exempt";
    in.lines = std::vector<QuoteLineInput>{erp, service};
    Quote q = must(sales.create_quote(ctx, in));
    EXPECT_EQ(q.state, "draft");
    EXPECT_EQ(q.currency, "IRR");
    EXPECT_EQ(q.valid_until, "2023-12-21");
    ASSERT_EQ(q.lines.size(), 2u);
    const QuoteLine& a = q.lines[0];
    EXPECT_EQ(a.name, "ERP licence");
    EXPECT_EQ(a.subtotal_minor, 3'703'701);
    EXPECT_EQ(a.discount_minor, 462'963);  // 462,962.625 rounds up
    EXPECT_EQ(a.net_minor, 3'240'738);
    EXPECT_EQ(a.tax_minor, 324'074);       // 324,073.8 rounds up
    EXPECT_EQ(a.total_minor, 3'564'812);
    const QuoteLine& b = q.lines[1];
    EXPECT_EQ(b.quantity_milli, 2'500);
    EXPECT_EQ(b.subtotal_minor, 2'498);    // 2,497.5: half away from zero
    EXPECT_EQ(b.discount_minor, 100);
    EXPECT_EQ(b.tax_minor, 0);
    EXPECT_EQ(b.total_minor, 2'398);
    EXPECT_EQ(q.subtotal_minor, 3'706'199);
    EXPECT_EQ(q.discount_minor, 463'063);
    EXPECT_EQ(q.net_minor, 3'243'136);
    EXPECT_EQ(q.tax_minor, 324'074);
    EXPECT_EQ(q.total_minor, 3'567'210);
    EXPECT_EQ(q.total_minor, a.total_minor + b.total_minor) << "lines add up to the total";
    Quote stored = must(sales.get_quote("PF-1404-0001"));
    EXPECT_EQ(stored.id, q.id);
    EXPECT_EQ(stored.total_minor, q.total_minor);
    EXPECT_EQ(stored.lines[1].discount_amount, irr(100));
}

TEST_P(Conformance, BadQuoteLinesAreRefusedByFieldAndWriteNothing) {
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei");
    Product erp = product("ERP-1", "ERP licence", 1'234'567);
    must(sales.define_product(ctx, erp));
    erp.sku = "OLD";
    erp.active = false;
    must(sales.define_product(ctx, erp));
    const std::size_t before = must(engine->events_after(0, 10'000)).size();
    const auto attempt = [&](QuoteLineInput l) {
        QuoteInput in;
        in.party = p.id;
        in.lines = std::vector<QuoteLineInput>{line("ERP-1", "1"), l};
        return sales.create_quote(ctx, in);
    };
    QuoteLineInput l = line("ERP-1", "1");
    l.unit_price = Money{100, "USD"};
    CRM_EXPECT_ERROR(attempt(l), errc::invalid_argument, "lines[1].unit_price");
    CRM_EXPECT_ERROR(attempt(line("ERP-1", "-1")), errc::invalid_argument, "lines[1].quantity");
    CRM_EXPECT_ERROR(attempt(line("ERP-1", "0")), errc::invalid_argument, "lines[1].quantity");
    CRM_EXPECT_ERROR(attempt(line("ERP-1", "1.2345")), errc::invalid_argument, "lines[1].quantity");
    CRM_EXPECT_ERROR(attempt(line("ERP-1", "two")), errc::invalid_argument, "lines[1].quantity");
    CRM_EXPECT_ERROR(attempt(line("NOPE", "1")), errc::not_found, "lines[1].sku");
    CRM_EXPECT_ERROR(attempt(line("OLD", "1")), errc::invalid_argument, "lines[1].sku");
    l = line("ERP-1", "1");
    l.discount_amount = irr(2'000'000);
    CRM_EXPECT_ERROR(attempt(l), errc::invalid_argument, "lines[1].discount_amount");
    l.discount_percent = "5";
    l.discount_amount = irr(1);
    CRM_EXPECT_ERROR(attempt(l), errc::invalid_argument, "lines[1].discount_amount");
    l = line("ERP-1", "1");
    l.discount_percent = "100.5";
    CRM_EXPECT_ERROR(attempt(l), errc::invalid_argument, "lines[1].discount_percent");
    l = line("", "1");
    l.unit_price = irr(1);
    CRM_EXPECT_ERROR(attempt(l), errc::invalid_argument, "lines[1].name");
    l.name = "free text";
    l.unit_price.reset();
    CRM_EXPECT_ERROR(attempt(l), errc::invalid_argument, "lines[1].unit_price");
    l = line("ERP-1", "1000000000");  // a billion licences at 9e16: money overflow
    l.unit_price = irr(90'000'000'000'000'000);
    CRM_EXPECT_ERROR(attempt(l), errc::invalid_argument, "lines[1].quantity");
    QuoteInput in;
    in.party = p.id;
    in.price_list = "wholesale";
    in.lines = std::vector<QuoteLineInput>{line("ERP-1", "1")};
    CRM_EXPECT_ERROR(sales.create_quote(ctx, in), errc::invalid_argument, "lines[0].unit_price");
    in.price_list.reset();
    in.currency = "EUR";
    CRM_EXPECT_ERROR(sales.create_quote(ctx, in), errc::invalid_argument, "lines[0].unit_price");
    in.currency = "XX";
    CRM_EXPECT_ERROR(sales.create_quote(ctx, in), errc::invalid_argument, "currency");
    in.currency.reset();
    in.party.reset();
    CRM_EXPECT_ERROR(sales.create_quote(ctx, in), errc::invalid_argument, "party");
    in.party = Id::parse("00000000-0000-7000-8000-000000000000").value();
    CRM_EXPECT_ERROR(sales.create_quote(ctx, in), errc::not_found, "party");
    EXPECT_EQ(must(engine->events_after(0, 10'000)).size(), before) << "nothing written";
}

TEST_P(Conformance, AQuoteMovesFromDraftToWonAndHandsTheOrderOver) {
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei");
    must(sales.define_product(ctx, product("ERP-1", "ERP licence", 1'000'000)));
    QuoteInput in;
    in.party = p.id;
    Quote empty = must(sales.create_quote(ctx, in));
    CRM_EXPECT_ERROR(sales.move_quote(ctx, empty.id, "activate"), errc::invalid_argument, "lines");
    in.lines = std::vector<QuoteLineInput>{line("ERP-1", "2")};
    in.valid_until = "2023-11-01";  // before the clock's today
    Quote q = must(sales.update_quote(ctx, empty.id, in));
    EXPECT_EQ(q.total_minor, 2'200'000);
    CRM_EXPECT_ERROR(sales.move_quote(ctx, q.id, "activate"), errc::invalid_argument,
                     "valid_until");
    QuoteInput later;
    later.valid_until = "2023-12-01";
    must(sales.update_quote(ctx, q.id, later));

    auto too_early = sales.move_quote(ctx, q.id, "win");
    ASSERT_FALSE(too_early);
    EXPECT_EQ(too_early.error().code, errc::invalid_transition);
    EXPECT_NE(too_early.error().message.find("activate"), std::string::npos)
        << too_early.error().message;
    auto moves = must(sales.quote_moves(q.id));
    ASSERT_EQ(moves.size(), 3u);  // activate, cancel, revise
    EXPECT_EQ(moves[0].name, "activate");

    Quote active = must(sales.move_quote(ctx, q.id, "activate"));
    EXPECT_EQ(active.state, "active");
    QuoteInput relines;
    relines.lines = std::vector<QuoteLineInput>{line("ERP-1", "3")};
    CRM_EXPECT_ERROR(sales.update_quote(ctx, q.id, relines), errc::invalid_transition, "id");
    QuoteInput note;
    note.note = "sent by e-mail";
    EXPECT_EQ(must(sales.update_quote(ctx, q.id, note)).note, "sent by e-mail");
    CRM_EXPECT_ERROR(sales.move_quote(ctx, q.id, "lose"), errc::invalid_argument, "reason");
    CRM_EXPECT_ERROR(sales.record_order(ctx, q.id, "SO-1"), errc::invalid_transition, "id");

    Quote won = must(sales.move_quote(ctx, q.id, "win", "signed"));
    EXPECT_EQ(won.status, "won");
    EXPECT_EQ(won.close_reason, "signed");
    ASSERT_TRUE(won.closed_at.has_value());
    const auto evs = must(engine->events_after(0, 10'000));
    const Event& handoff = evs.back();
    EXPECT_EQ(handoff.type, "quote.won");
    EXPECT_EQ(handoff.record_id, q.id);
    EXPECT_NE(handoff.payload.find("\"sku\":\"ERP-1\""), std::string::npos) << handoff.payload;
    EXPECT_NE(handoff.payload.find("\"total_minor\":2200000"), std::string::npos);
    CRM_EXPECT_ERROR(sales.move_quote(ctx, q.id, "cancel", "x"), errc::invalid_transition, "move");
    CRM_EXPECT_ERROR(sales.update_quote(ctx, q.id, note), errc::invalid_transition, "id");

    CRM_EXPECT_ERROR(sales.record_order(ctx, q.id, ""), errc::invalid_argument, "erp_order_id");
    Quote ordered = must(sales.record_order(ctx, q.id, "SO-1404-77"));
    EXPECT_EQ(ordered.erp_order_id, "SO-1404-77");
    const std::size_t n = must(engine->events_after(0, 10'000)).size();
    EXPECT_EQ(must(sales.record_order(ctx, q.id, "SO-1404-77")).version, ordered.version);
    EXPECT_EQ(must(engine->events_after(0, 10'000)).size(), n) << "the same order id is a no-op";
    CRM_EXPECT_ERROR(sales.record_order(ctx, q.id, "SO-2"), errc::conflict, "erp_order_id");

    auto history = must(engine->history("quote", q.id));
    ASSERT_EQ(history.size(), 4u);  // created, lines added, activated, won
    EXPECT_EQ(history[1].from_state, history[1].to_state) << "a change of total is history too";
    EXPECT_NE(history[1].values.find("2200000"), std::string::npos) << history[1].values;
    EXPECT_EQ(history[3].from_state, "active");
    EXPECT_EQ(history[3].to_state, "won");
    EXPECT_EQ(history[3].reason, "signed");
}

TEST_P(Conformance, RevisingAQuoteClosesThePreviousRevision) {
    Sales sales(*engine);
    Party p = person("C1", "Ali", "Rezaei");
    must(sales.define_product(ctx, product("ERP-1", "ERP licence", 1'000'000)));
    QuoteInput in;
    in.party = p.id;
    in.number = "PF-7";
    in.lines = std::vector<QuoteLineInput>{line("ERP-1", "1")};
    Quote first = must(sales.create_quote(ctx, in));
    must(sales.move_quote(ctx, first.id, "activate"));
    QuoteInput changes;
    QuoteLineInput cheaper = line("ERP-1", "1");
    cheaper.discount_percent = "10";
    changes.lines = std::vector<QuoteLineInput>{cheaper};
    Quote second = must(sales.revise_quote(ctx, first.id, changes, "customer asked for 10%"));
    EXPECT_EQ(second.revision, 2);
    EXPECT_EQ(second.root, first.id);
    EXPECT_EQ(second.state, "draft");
    EXPECT_EQ(second.number, "PF-7");
    EXPECT_EQ(second.total_minor, 990'000);
    Quote old = must(sales.get_quote(first.id.str()));
    EXPECT_EQ(old.state, "revised");
    EXPECT_EQ(old.status, "closed");
    EXPECT_EQ(old.superseded_by, second.id);
    EXPECT_EQ(old.total_minor, 1'100'000) << "the old revision keeps its lines";
    EXPECT_EQ(must(sales.get_quote("PF-7")).id, second.id) << "a number finds the latest revision";
    auto revisions = must(sales.quote_revisions(old.id));
    ASSERT_EQ(revisions.size(), 2u);
    EXPECT_EQ(revisions[0].id, first.id);
    EXPECT_EQ(revisions[1].id, second.id);
    CRM_EXPECT_ERROR(sales.revise_quote(ctx, first.id), errc::invalid_transition, "move");
    CRM_EXPECT_ERROR(sales.move_quote(ctx, second.id, "revise"), errc::invalid_argument, "move");
    QuoteInput other;
    other.party = p.id;
    other.number = "PF-7";
    CRM_EXPECT_ERROR(sales.create_quote(ctx, other), errc::conflict, "number");
    other.number = "PF-8";
    must(sales.create_quote(ctx, other));
    QuoteInput renumber;
    renumber.number = "PF-8";
    CRM_EXPECT_ERROR(sales.revise_quote(ctx, second.id, renumber), errc::conflict, "number");
    renumber.number = "PF-7-B";
    Quote third = must(sales.revise_quote(ctx, second.id, renumber));
    EXPECT_EQ(third.revision, 3);
    EXPECT_EQ(must(sales.get_quote("PF-7-B")).id, third.id) << "a revision may take a new number";
    EXPECT_EQ(must(sales.get_quote("PF-7")).id, second.id) << "the old number finds its newest";
    CRM_EXPECT_ERROR(sales.get_quote(""), errc::not_found, "id");
    second = third;  // the open revision, for what follows
    QuoteInput bad;
    bad.currency = "NOPE";
    const std::size_t n = must(engine->events_after(0, 10'000)).size();
    CRM_EXPECT_ERROR(sales.revise_quote(ctx, second.id, bad), errc::invalid_argument, "currency");
    EXPECT_EQ(must(sales.get_quote(second.id.str())).state, "draft") << "a failed revise changes nothing";
    EXPECT_EQ(must(engine->events_after(0, 10'000)).size(), n);
}

TEST_P(Conformance, QuotesFollowTheirOpportunityPartyAndShowIn360) {
    Sales sales(*engine);
    Party a = person("C1", "Ali", "Rezaei");
    Party b = person("C2", "Ali", "Rezaie");
    must(sales.define_product(ctx, product("ERP-1", "ERP licence", 1'000'000)));
    OpportunityInput o;
    o.party = b.id;
    o.name = "deal";
    Opportunity deal = must(sales.create_opportunity(ctx, o));
    QuoteInput in;
    in.opportunity = deal.id;
    in.lines = std::vector<QuoteLineInput>{line("ERP-1", "1")};
    Quote q = must(sales.create_quote(ctx, in));
    EXPECT_EQ(q.party, b.id) << "the party comes from the opportunity";
    Quote other = must(sales.create_quote(ctx, in));
    must(sales.move_quote(ctx, other.id, "cancel", "duplicate"));
    EXPECT_EQ(must(sales.quotes_for_opportunity(deal.id)).size(), 2u);
    auto view = must(engine->customer_360(b.id));
    ASSERT_EQ(view.open_quotes.size(), 1u);
    EXPECT_EQ(view.open_quotes[0].id, q.id);
    must(engine->merge(ctx, a.id, {b.id}));
    EXPECT_EQ(must(sales.get_quote(q.id.str())).party, a.id);
    EXPECT_EQ(must(sales.quotes_of(a.id)).size(), 2u);
    EXPECT_EQ(must(engine->customer_360(a.id)).open_quotes.size(), 1u);
    CRM_EXPECT_ERROR(sales.quotes_for_opportunity(a.id), errc::not_found, "opportunity");
}

// The example of docs/PROCESSES.md: large quotes need approval.
TEST_P(Conformance, AQuoteProcessOfTheHostsOwnGuardsByTotal) {
    Sales sales(*engine);
    must(engine->define_process(ctx, R"({"id": "quote_approval", "record_type": "quote",
     "name": "Quote with approval",
     "states": [
       {"id": "draft", "initial": true}, {"id": "approval"}, {"id": "active"},
       {"id": "won", "category": "won"}, {"id": "lost", "category": "lost"},
       {"id": "cancelled", "category": "cancelled"}, {"id": "revised", "category": "closed"}],
     "transitions": [
       {"name": "activate", "from": "draft", "to": "active",
        "guard": {"le": [{"field": "total"}, {"money": "50000000", "currency": "IRR"}]}},
       {"name": "ask_approval", "from": "draft", "to": "approval",
        "guard": {"gt": [{"field": "total"}, {"money": "50000000", "currency": "IRR"}]}},
       {"name": "approve", "from": "approval", "to": "active"},
       {"name": "win", "from": "active", "to": "won"},
       {"name": "lose", "from": "active", "to": "lost", "close_record": true},
       {"name": "cancel", "from": ["draft", "approval", "active"], "to": "cancelled",
        "close_record": true},
       {"name": "revise", "from": ["draft", "approval", "active"], "to": "revised"}]})"));
    Party p = person("C1", "Ali", "Rezaei");
    must(sales.define_product(ctx, product("ERP-1", "ERP licence", 1'000'000'000)));  // 10M rials
    QuoteInput in;
    in.party = p.id;
    in.process = "quote_approval";
    in.lines = std::vector<QuoteLineInput>{line("ERP-1", "4")};  // 44M rials with VAT
    Quote small = must(sales.create_quote(ctx, in));
    EXPECT_EQ(small.process, "quote_approval");
    EXPECT_EQ(must(sales.move_quote(ctx, small.id, "activate")).state, "active");
    in.lines = std::vector<QuoteLineInput>{line("ERP-1", "5")};  // 55M rials
    Quote large = must(sales.create_quote(ctx, in));
    CRM_EXPECT_ERROR(sales.move_quote(ctx, large.id, "activate"), errc::invalid_transition, "move");
    must(sales.move_quote(ctx, large.id, "ask_approval"));
    EXPECT_EQ(must(sales.move_quote(ctx, large.id, "approve")).state, "active");
    in.process = "sales";
    CRM_EXPECT_ERROR(sales.create_quote(ctx, in), errc::not_found, "process");
    must(engine->define_process(ctx, default_pipeline_json()));
    CRM_EXPECT_ERROR(sales.create_quote(ctx, in), errc::invalid_argument, "process");
}

}  // namespace
}  // namespace crm::testing
