// src/commands/quote_commands.cpp - commands on the product catalogue, tax
// categories and quotes.
// The sales codec first: request.hpp's items() finds the to_json overloads
// declared before it.
#include "sales/codec.hpp"
// clang-format off
#include "commands/list_request.hpp"
#include "commands/request.hpp"
// clang-format on
#include "commands/quote_answer.hpp"
#include "crm/core/amount_text.hpp"
#include "crm/sales/sales.hpp"

namespace crm::commands {
namespace {

json text_json(const persian::AmountText& text, persian::IrrUnit unit, const std::string& currency) {
    return json{{"digits", text.digits},
                {"words", text.words},
                {"unit", unit == persian::IrrUnit::toman ? "toman" : currency}};
}

// Money as printed: {amount, unit?} -> {digits, words, unit}.
result<json> money_text(Engine&, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"amount", "unit"}));
    const json* a = codec::member(request, "amount");
    if (!a) return fail(errc::invalid_argument, "is required", "amount");
    CRM_TRY(amount, codec::money_from_json(*a, "amount"));
    CRM_TRY(unit, irr_unit_of(request));
    CRM_TRY(text, persian::amount_text(amount, unit, "amount"));
    return text_json(text, unit, amount.currency);
}

#define CRM_QUOTE_FIELDS \
    "number", "party", "opportunity", "owner", "currency", "price_list", "valid_until", "note", "lines"

result<json> product_define(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRY(p, codec::product_from_json(request, "", false));
    CRM_TRY(written, Sales(engine).define_product(ctx, p));
    return json{{"outcome", to_string(written.outcome)}, {"product", codec::to_json(written.record)}};
}

result<json> product_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"sku"}));
    CRM_TRY(sku, required_string(request, "sku", 200));
    CRM_TRY(p, Sales(engine).get_product(sku));
    return codec::to_json(p);
}

result<json> product_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"after", "limit"}));
    CRM_TRY(after, codec::get_string(request, "after", "", 200));
    CRM_TRY(limit, int_or(request, "limit", 100));
    CRM_TRY(list, Sales(engine).products(after.value_or(""), limit));
    return items(list);
}

result<json> tax_define(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRY(t, codec::tax_category_from_json(request, ""));
    CRM_TRY(written, Sales(engine).define_tax_category(ctx, t));
    return json{{"outcome", to_string(written.outcome)},
                {"tax_category", codec::to_json(written.record)}};
}

result<json> tax_list(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {}));
    CRM_TRY(list, Sales(engine).tax_categories());
    return items(list);
}

result<json> quote_create(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {CRM_QUOTE_FIELDS, "process"}));
    CRM_TRY(input, codec::quote_input_from_json(request, "", true));
    CRM_TRY(q, Sales(engine).create_quote(ctx, input));
    return quote_answer(q);
}

// The "changes" of an update or a revision, errors rebased onto it.
result<QuoteInput> changes_of(const json& request) {
    const json* changes = codec::member(request, "changes");
    if (!changes) return QuoteInput{};
    CRM_TRYV(codec::expect_object(*changes, "changes", {CRM_QUOTE_FIELDS}));
    return codec::quote_input_from_json(*changes, "changes", false);
}

result<json> rebased(result<Quote> q) {
    if (!q) return q.error().field == "id" ? q.error() : rebase(q.error(), "changes");
    return quote_answer(q.value());
}

result<json> quote_update(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "changes"}));
    CRM_TRY(id, required_id(request, "id"));
    if (!codec::member(request, "changes")) return fail(errc::invalid_argument, "is required", "changes");
    CRM_TRY(input, changes_of(request));
    return rebased(Sales(engine).update_quote(ctx, id, input));
}

result<json> quote_revise(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "changes", "reason"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(input, changes_of(request));
    CRM_TRY(reason, codec::get_string(request, "reason", "", 1000));
    auto q = Sales(engine).revise_quote(ctx, id, input, reason.value_or(""));
    if (!q && (q.error().field == "move" || q.error().field == "reason")) return q.error();
    return rebased(std::move(q));
}

result<json> quote_get(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "unit"}));
    CRM_TRY(key, required_string(request, "id", 200));
    CRM_TRY(unit, irr_unit_of(request));
    CRM_TRY(q, Sales(engine).get_quote(key));
    return quote_answer(q, unit);
}

result<json> quote_list(Engine& engine, const json& request, const Context&) {
    Sales sales(engine);
    const bool of_opportunity = codec::member(request, "opportunity") != nullptr;
    if (!of_opportunity && !codec::member(request, "revisions_of")) {
        CRM_TRYV(codec::expect_object(request, "", {CRM_LIST_KEYS}));
        CRM_TRY(query, list_query_of(request));
        CRM_TRY(page, sales.list_quotes(query));
        return page_json(page);
    }
    CRM_TRYV(codec::expect_object(request, "", {"opportunity", "revisions_of"}));
    if (of_opportunity && codec::member(request, "revisions_of"))
        return fail(errc::invalid_argument, "give opportunity or revisions_of, not both", "revisions_of");
    if (of_opportunity) {
        CRM_TRY(opp, required_id(request, "opportunity"));
        CRM_TRY(list, sales.quotes_for_opportunity(opp));
        return items(list);
    }
    CRM_TRY(id, required_id(request, "revisions_of"));
    auto list = sales.quote_revisions(id);
    if (!list) return rebase(list.error(), "revisions_of");
    return items(list.value());
}

result<json> quote_move(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "move", "reason"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(move, required_string(request, "move", 64));
    CRM_TRY(reason, codec::get_string(request, "reason", "", 1000));
    CRM_TRY(q, Sales(engine).move_quote(ctx, id, move, reason.value_or("")));
    return quote_answer(q);
}

result<json> quote_order(Engine& engine, const json& request, const Context& ctx) {
    CRM_TRYV(codec::expect_object(request, "", {"id", "erp_order_id"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(order, required_string(request, "erp_order_id", 200));
    CRM_TRY(q, Sales(engine).record_order(ctx, id, order));
    return quote_answer(q);
}

result<json> quote_moves(Engine& engine, const json& request, const Context&) {
    CRM_TRYV(codec::expect_object(request, "", {"id"}));
    CRM_TRY(id, required_id(request, "id"));
    CRM_TRY(moves, Sales(engine).quote_moves(id));
    return items(moves);
}

constexpr Command kQuotes[] = {
    {"product.define",
     "Stores a product of the catalogue by sku (created, updated or unchanged).",
     "{sku, name, unit?, tax_category?, prices?: [{price_list?, unit_price: {minor, currency}}], "
     "active?, warranty_days?}",
     "{outcome, product}", true, product_define},
    {"product.get", "One product by sku.", "{sku}", "the product", false, product_get},
    {"product.list", "Products in sku order, after a sku.", "{after?, limit?}",
     "{items: [product]}", false, product_list},
    {"tax.define", "Stores a tax category and its rate (replaces a built-in of the same id).",
     "{id, label?, rate_bp: 0..10000}", "{outcome, tax_category}", true, tax_define},
    {"tax.list", "The tax categories: stored ones and the built-ins (standard 10%, exempt).", "{}",
     "{items: [{id, label, rate_bp}]}", false, tax_list},
    {"quote.create",
     "Creates a draft quote; lines are priced from the catalogue and totalled exactly.",
     "{process?, party? (or opportunity), opportunity?, number?, owner?, currency? (IRR), "
     "price_list? (default), valid_until? (YYYY-MM-DD; a year below 1700 is Jalali), note?, "
     "lines?: [{sku?, name?, unit?, quantity?, unit_price?, discount_percent? | "
     "discount_amount?, tax_category?}]}",
     "the quote", true, quote_create},
    {"quote.update", "Changes a draft quote (an active one: owner and note only).",
     "{id, changes: {...quote fields}}", "the quote", true, quote_update},
    {"quote.get",
     "One quote by id, or the latest revision of a quote number; its total_text in tomans with "
     "unit \"toman\".",
     "{id, unit?: \"rial\" | \"toman\"}", "the quote", false, quote_get},
    {"quote.list",
     "Quote revisions filtered, ordered and paged (a worklist; due is the validity date); or "
     "the quotes of an opportunity (newest first), or every revision of a quote, oldest first.",
     "{party?, owner?, state?, status?, due_before?, overdue?, created_since?, changed_since?, "
     "tag?, where?, order? (newest|oldest|changed|due), after?, limit? (50), count? (true)} | "
     "{opportunity} | {revisions_of}",
     "{items: [quote], next, total} | {items: [quote]}", false, quote_list},
    {"quote.move",
     "A move of the quote's lifecycle (activate, win, lose, cancel); win emits quote.won, the "
     "order hand-off.",
     "{id, move, reason?}", "the quote", true, quote_move},
    {"quote.revise",
     "Makes the next revision as a draft (with changes) and closes the quote as revised.",
     "{id, changes?, reason?}", "the new revision", true, quote_revise},
    {"quote.order", "Records the ERP's order id on a won quote.", "{id, erp_order_id}",
     "the quote", true, quote_order},
    {"quote.moves", "The moves a quote may make now.", "{id}",
     "{items: [{name, to, to_label, close_record, reopen, required_fields}]}", false, quote_moves},
    {"money.text",
     "An amount as Iranian invoices print it: Persian digits with the Persian separators and the "
     "amount in Persian words (rials, or tomans of an IRR amount); up to 10^15 minor units.",
     "{amount: {minor, currency}, unit?: \"rial\" | \"toman\"}", "{digits, words, unit}", false,
     money_text},
};

}  // namespace

result<persian::IrrUnit> irr_unit_of(const json& request) {
    CRM_TRY(name, codec::get_string(request, "unit", "", 16));
    if (!name) return persian::IrrUnit::rial;
    return persian::parse_irr_unit(*name, "unit");
}

// A quote as answered: its fields, and its total as an Iranian pre-invoice
// prints it (Persian digits and words, in rials or in tomans when asked;
// null beyond what is written in words).
result<json> quote_answer(const Quote& q, persian::IrrUnit unit) {
    json j = codec::to_json(q);
    auto text = persian::amount_text(Money{q.total_minor, q.currency}, unit, "total_minor");
    if (!text && text.error().field == "unit") return text.error();
    j["total_text"] = text ? text_json(text.value(), unit, q.currency) : json(nullptr);
    return j;
}

namespace detail {
std::span<const Command> quote_commands() { return kQuotes; }
}  // namespace detail

}  // namespace crm::commands
