// src/sales/quotes.cpp - the product catalogue, tax categories and quotes:
// lines priced from the catalogue, exact totals, the lifecycle on a
// process definition, revisions, and the order hand-off of a won quote.
#include <algorithm>
#include <map>

#include "crm/core/text.hpp"
#include "crm/sales/sales.hpp"
#include "core/clean.hpp"
#include "engine/access.hpp"
#include "process/moves.hpp"
#include "records/lookup.hpp"
#include "sales/codec.hpp"
#include "sales/record.hpp"
#include "sales/work.hpp"

namespace crm {
namespace {

using json = codec::json;

constexpr std::string_view kRecordType = "quote";
constexpr std::string_view kTaxKind = "tax";
constexpr std::size_t kMaxLines = 500;

constexpr const char* kQuoteProcess = R"json({
  "id": "quote", "record_type": "quote", "name": "Quote lifecycle",
  "card": {"title": "Quote (پیش‌فاکتور)", "goal": "Offer priced lines the customer accepts",
           "owner": "sales manager", "executors": ["salesperson"],
           "scope": "from a draft to an accepted, lost or cancelled offer",
           "record_keeping": "every revision is kept; every state change is in history",
           "expected_duration": {"business_days": 10},
           "kpis": ["quote win rate", "days to acceptance"]},
  "states": [
    {"id": "draft", "label": "Draft", "initial": true},
    {"id": "active", "label": "Active (with the customer)"},
    {"id": "won", "label": "Won", "category": "won"},
    {"id": "lost", "label": "Lost", "category": "lost"},
    {"id": "cancelled", "label": "Cancelled", "category": "cancelled"},
    {"id": "revised", "label": "Revised", "category": "closed"}],
  "transitions": [
    {"name": "activate", "from": "draft", "to": "active"},
    {"name": "win", "from": "active", "to": "won"},
    {"name": "lose", "from": "active", "to": "lost", "close_record": true},
    {"name": "cancel", "from": ["draft", "active"], "to": "cancelled", "close_record": true},
    {"name": "revise", "from": ["draft", "active"], "to": "revised"}]
})json";

const TaxCategory kBuiltinTaxes[] = {{"exempt", "Exempt", 0},
                                     {"standard", "Standard VAT", 1000}};

// The values history keeps for a quote.
json tracked(const Quote& q) {
    return {{"total_minor", q.total_minor},
            {"currency", q.currency},
            {"revision", q.revision},
            {"lines", q.lines.size()}};
}

result<std::string> clean_code(const std::string& s, const char* field) {
    CRM_TRY(t, clean_text(s, field, 64));
    if (t.empty()) return fail(errc::invalid_argument, "is required", field);
    if (t.find(' ') != std::string::npos)
        return fail(errc::invalid_argument, "must not contain spaces", field);
    return t;
}

result<std::string> clean_currency(const std::string& s, const std::string& field) {
    auto m = Money::of(0, text::tidy(s), field);
    if (!m) return fail(errc::invalid_argument, m.error().message, field);
    return m.value().currency;
}

class QuoteWork {
public:
    QuoteWork(Engine::Impl& impl, Transaction& tx, const Context& ctx)
        : impl_(impl), tx_(tx), ctx_(ctx) {}

    result<Quote> load(const Id& id) { return records().load(id); }
    result<Quote> find(std::string_view key) { return records().find(key); }
    Records<Quote> records() {
        return {tx_, &Transaction::get_quote, &Transaction::quote_by_number, "quote"};
    }

    // A tax category, read once per call however many lines name it.
    result<TaxCategory> tax(const std::string& id, const std::string& field) {
        if (auto it = taxes_.find(id); it != taxes_.end()) return it->second;
        CRM_TRY(stored, tx_.get_definition(kTaxKind, id, 0));
        std::optional<TaxCategory> found;
        if (stored) {
            CRM_TRY(doc, codec::parse(stored->body, "tax category"));
            CRM_TRY(t, codec::tax_category_from_json(doc, ""));
            found = std::move(t);
        }
        for (const auto& t : kBuiltinTaxes)
            if (!found && t.id == id) found = t;
        if (!found)
            return fail(errc::invalid_argument, "no tax category '" + id.substr(0, 64) + "'", field);
        return taxes_.emplace(id, std::move(*found)).first->second;
    }

    // A line as the host asked for it, priced in `q`'s list and currency.
    result<QuoteLine> price(const Quote& q, const QuoteLineInput& in, const std::string& at) {
        QuoteLine l;
        std::optional<Product> product;
        if (!text::tidy(in.sku).empty()) {
            CRM_TRY(sku, clean_code(in.sku, (at + "sku").c_str()));
            CRM_TRY(found, tx_.get_product(sku));
            if (!found) return fail(errc::not_found, "no product '" + sku + "'", at + "sku");
            if (!found->active)
                return fail(errc::invalid_argument, "product '" + sku + "' is inactive", at + "sku");
            product = std::move(*found);
            l.sku = sku;
            l.name = product->name;
            l.unit = product->unit;
            l.tax_category = product->tax_category;
        }
        if (in.name) {
            CRM_TRY(name, clean_text(*in.name, (at + "name").c_str(), 500));
            l.name = std::move(name);
        }
        if (l.name.empty()) return fail(errc::invalid_argument, "is required", at + "name");
        if (in.unit) {
            CRM_TRY(unit, clean_text(*in.unit, (at + "unit").c_str(), 50));
            l.unit = std::move(unit);
        }
        if (l.unit.empty()) l.unit = "piece";
        if (in.tax_category) {
            CRM_TRY(cat, clean_code(*in.tax_category, (at + "tax_category").c_str()));
            l.tax_category = std::move(cat);
        }
        if (l.tax_category.empty()) l.tax_category = "standard";
        CRM_TRY(tax_cat, tax(l.tax_category, at + "tax_category"));
        l.tax_rate_bp = tax_cat.rate_bp;
        CRM_TRY(qty, parse_quantity(in.quantity, at + "quantity"));
        l.quantity_milli = qty;
        if (in.unit_price) {
            l.unit_price = *in.unit_price;
        } else if (product) {
            const auto it = std::find_if(product->prices.begin(), product->prices.end(),
                                         [&](const Price& p) {
                                             return p.price_list == q.price_list &&
                                                    p.unit_price.currency == q.currency;
                                         });
            if (it == product->prices.end())
                return fail(errc::invalid_argument,
                            "product '" + l.sku + "' has no price in price list '" + q.price_list +
                                "' in " + q.currency + "; give the unit price",
                            at + "unit_price");
            l.unit_price = it->unit_price;
        } else {
            return fail(errc::invalid_argument, "is required for a line without a sku",
                        at + "unit_price");
        }
        if (!text::tidy(in.discount_percent).empty()) {
            CRM_TRY(bp, sales::parse_percent_bp(in.discount_percent, at + "discount_percent"));
            l.discount_bp = bp;
        }
        l.discount_amount = in.discount_amount;
        return l;
    }

    // Applies `in` to `q`; lines, currency and price list only while
    // `pricing` (the draft state). Errors name the input's field.
    result<void> apply(Quote& q, const QuoteInput& in, bool pricing) {
        if (!pricing) {
            const bool content = in.currency || in.price_list || in.valid_until || in.lines ||
                                 in.party || in.opportunity || in.number;
            if (content)
                return fail(errc::invalid_transition,
                            "the quote is " + q.state + "; only owner and note change outside " +
                                "its draft state (revise it to change more)",
                            "id");
        }
        if (in.number) {
            CRM_TRY(number, clean_text(*in.number, "number", 100));
            if (!number.empty() && number != q.number) {
                CRM_TRY(taken, tx_.quote_by_number(number));
                if (!taken.is_nil()) {
                    CRM_TRY(other, load(taken));
                    if (other.root != q.root)
                        return fail(errc::conflict, "quote '" + number + "' already exists",
                                    "number");
                }
            }
            q.number = std::move(number);
        }
        if (in.owner) {
            CRM_TRY(owner, clean_text(*in.owner, "owner", 200));
            q.owner = std::move(owner);
        }
        if (in.note) {
            CRM_TRYV(text::check(*in.note, "note", 65536));
            q.note = *in.note;
        }
        if (in.valid_until) {
            CRM_TRY(date, clean_date(*in.valid_until, "valid_until"));
            q.valid_until = std::move(date);
        }
        if (in.opportunity) {
            CRM_TRY(o, tx_.get_opportunity(*in.opportunity));
            if (!o)
                return fail(errc::not_found, "no opportunity with id " + in.opportunity->str(),
                            "opportunity");
            q.opportunity = o->id;
            if (!in.party && q.party.is_nil()) q.party = o->party;
        }
        if (in.party) q.party = *in.party;
        if (q.party.is_nil())
            return fail(errc::invalid_argument, "is required (or an opportunity)", "party");
        CRM_TRY(party, impl_.load_live_party(tx_, q.party, "party"));
        q.party = party.id;
        if (in.currency) {
            CRM_TRY(cur, clean_currency(*in.currency, "currency"));
            q.currency = std::move(cur);
        }
        if (in.price_list) {
            CRM_TRY(list, clean_code(*in.price_list, "price_list"));
            q.price_list = std::move(list);
        }
        if (in.lines) {
            if (in.lines->size() > kMaxLines)
                return fail(errc::invalid_argument, "more than 500 lines", "lines");
            std::vector<QuoteLine> lines;
            for (std::size_t i = 0; i < in.lines->size(); ++i) {
                CRM_TRY(l, price(q, (*in.lines)[i], "lines[" + std::to_string(i) + "]."));
                lines.push_back(std::move(l));
            }
            q.lines = std::move(lines);
        }
        return compute_totals(q);
    }

    void enter(Quote& q, const process::State& s) {
        q.state = s.id;
        q.status = process::to_string(s.category);
        q.state_entered_at = impl_.now();
        if (s.is_closed) q.closed_at = impl_.now();
    }

    // Stores `after` with its history entry (on a state or tracked change),
    // audit entry and event.
    result<void> store(const std::optional<Quote>& before, Quote& after, const std::string& move,
                       const std::string& reason, std::string_view action, std::string_view event) {
        after.updated_at = impl_.now();
        if (before) after.version = before->version + 1;
        CRM_TRYV(tx_.put_quote(after));
        if (!before || before->state != after.state || tracked(*before) != tracked(after))
            CRM_TRYV(impl_.write_history(
                tx_, ctx_,
                {0, std::string(kRecordType), after.id, after.process, after.process_version,
                 before ? before->state : "", after.state, move, {}, {}, reason,
                 tracked(after).dump(),
                 before && before->state != after.state
                     ? impl_.now().ms - before->state_entered_at.ms
                     : 0}));
        const json j = codec::to_json(after);
        return impl_.record(tx_, ctx_, kRecordType, after.id, action,
                            diff(before ? codec::to_json(*before) : json::object(), j), event, j);
    }

    result<void> set_fields(Quote& q, const std::vector<const process::Effect*>& effects) {
        for (const auto* e : effects) {
            if (e->kind != process::Effect::Kind::set_field) continue;
            const std::string* s = std::get_if<std::string>(&e->value);
            QuoteInput in;
            in.owner = s ? *s : std::string();  // the one built-in field effects may set
            auto applied = apply(q, in, false);
            if (!applied)
                return fail(applied.error().code,
                            "an effect of the move sets it: " + applied.error().message,
                            applied.error().field);
        }
        return ok();
    }

    // The quote's lifecycle effects, after it is stored.
    result<void> follow_up(const process::Definition& d, const Quote& q,
                           const std::vector<const process::Effect*>& effects,
                           const json& payload) {
        return impl_.run_effects(tx_, ctx_, d,
                                 {std::string(kRecordType), q.id, q.party, q.owner,
                                  "quote " + (q.number.empty() ? q.id.str() : q.number)},
                                 effects, payload);
    }

    // A move other than revise; `revising` lets revise_quote's own through.
    result<Quote> move(const Id& id, std::string_view name, std::string_view why, bool revising,
                       const Id& next = {}) {
        CRM_TRY(before, load(id));
        CRM_TRY(d, impl_.definition(tx_, before.process, before.process_version, "process"));
        CRM_TRY(reason, clean_text(std::string(why), "reason", 1000));
        const sales::QuoteRecord record(before);
        auto checked = d.check_move(before.state, name, record, impl_.rule_context(),
                                    !reason.empty());
        if (!checked) {
            if (checked.error().field == "close")
                return fail(errc::invalid_argument, "is required for the move '" +
                                                        std::string(name) + "'",
                            "reason");
            return checked.error();
        }
        const process::Transition* t = checked.value();
        if (t->name == "revise" && !revising)
            return fail(errc::invalid_argument, "a revision is made by revise_quote (quote.revise)",
                        "move");
        const process::State& target = *d.find_state(t->to);
        Quote after = before;
        if (before.state == d.initial().id && target.id != d.initial().id && !revising &&
            target.category != process::Category::cancelled) {
            if (before.lines.empty())
                return fail(errc::invalid_argument, "a quote needs at least one line to leave " +
                                                        before.state,
                            "lines");
            if (!before.valid_until.empty() && before.valid_until < tehran_date(impl_.now()))
                return fail(errc::invalid_argument,
                            "has passed (" + before.valid_until + "); set a later date", "valid_until");
        }
        enter(after, target);
        if (target.is_closed) after.close_reason = reason;
        if (revising) after.superseded_by = next;
        const auto effects = process::effects_of(t, target);
        CRM_TRYV(set_fields(after, effects));
        const std::string event = target.is_won ? "quote.won"
                                  : target.category == process::Category::lost ? "quote.lost"
                                  : target.category == process::Category::cancelled
                                      ? "quote.cancelled"
                                  : revising ? "quote.revised"
                                             : "quote.moved";
        CRM_TRYV(store(before, after, t->name, reason, "move", event));
        const json payload = {{"quote", after.id.str()}, {"move", t->name}, {"from", before.state},
                              {"to", after.state},       {"reason", reason}};
        CRM_TRYV(follow_up(d, after, effects, payload));
        return after;
    }

    result<Quote> create(const QuoteInput& in) {
        CRM_TRY(d, impl_.process_for_create(tx_, ctx_, in.process, "quote", kQuoteProcess,
                                            kRecordType, "process"));
        Quote q;
        q.id = impl_.new_id();
        q.root = q.id;
        q.process = d.id();
        q.process_version = d.version();
        q.currency = "IRR";
        q.created_at = impl_.now();
        enter(q, d.initial());
        CRM_TRYV(apply(q, in, true));
        const auto effects = process::effects_of(nullptr, d.initial());
        CRM_TRYV(set_fields(q, effects));
        CRM_TRYV(store(std::nullopt, q, "", "", "create", "quote.created"));
        if (!effects.empty())
            CRM_TRYV(follow_up(d, q, effects,
                               {{"quote", q.id.str()}, {"move", ""}, {"from", ""}, {"to", q.state},
                                {"reason", ""}}));
        return q;
    }

    result<Quote> revise(const Id& id, const QuoteInput& changes, std::string_view reason) {
        CRM_TRY(old, load(id));
        CRM_TRY(d, impl_.definition(tx_, old.process, old.process_version, "process"));
        // After the newest revision, whichever one is revised.
        CRM_TRY(revisions, tx_.quote_revisions(old.root));
        Quote next = old;
        next.id = impl_.new_id();
        next.revision = revisions.back().revision + 1;
        next.version = 1;
        next.created_at = impl_.now();
        next.closed_at.reset();
        next.close_reason.clear();
        next.superseded_by = Id{};
        next.erp_order_id.clear();
        enter(next, d.initial());
        // The move first: a quote whose state has no revise fails here.
        CRM_TRY(closed, move(id, "revise", reason, true, next.id));
        (void)closed;
        CRM_TRYV(apply(next, changes, true));
        CRM_TRYV(store(std::nullopt, next, "", std::string(reason), "create", "quote.created"));
        return next;
    }

private:
    Engine::Impl& impl_;
    Transaction& tx_;
    const Context& ctx_;
    std::map<std::string, TaxCategory, std::less<>> taxes_;
};

result<Product> clean_product(const Product& in, QuoteWork& w) {
    Product p;
    CRM_TRY(sku, clean_code(in.sku, "sku"));
    p.sku = std::move(sku);
    CRM_TRY(name, clean_text(in.name, "name", 500));
    if (name.empty()) return fail(errc::invalid_argument, "is required", "name");
    p.name = std::move(name);
    CRM_TRY(unit, clean_text(in.unit, "unit", 50));
    p.unit = unit.empty() ? "piece" : unit;
    CRM_TRY(cat, clean_text(in.tax_category, "tax_category", 64));
    p.tax_category = cat.empty() ? "standard" : cat;
    CRM_TRYV(w.tax(p.tax_category, "tax_category"));
    if (in.prices.size() > 100) return fail(errc::invalid_argument, "more than 100 prices", "prices");
    for (std::size_t i = 0; i < in.prices.size(); ++i) {
        const std::string at = "prices[" + std::to_string(i) + "].";
        Price price;
        CRM_TRY(list, clean_code(in.prices[i].price_list, (at + "price_list").c_str()));
        price.price_list = std::move(list);
        CRM_TRY(m, Money::of(in.prices[i].unit_price.minor, in.prices[i].unit_price.currency,
                             at + "unit_price"));
        if (m.minor < 0 || m.minor > 90'000'000'000'000'000)
            return fail(errc::invalid_argument, "must be from 0 to 9e16 minor units",
                        at + "unit_price");
        price.unit_price = std::move(m);
        for (const auto& other : p.prices)
            if (other.price_list == price.price_list &&
                other.unit_price.currency == price.unit_price.currency)
                return fail(errc::invalid_argument,
                            "a second price in list '" + price.price_list + "' for " +
                                price.unit_price.currency,
                            at + "unit_price");
        p.prices.push_back(std::move(price));
    }
    p.active = in.active;
    if (in.warranty_days < 0 || in.warranty_days > 36'500)
        return fail(errc::invalid_argument, "must be from 0 to 36500", "warranty_days");
    p.warranty_days = in.warranty_days;
    return p;
}

}  // namespace

const char* default_quote_process_json() noexcept { return kQuoteProcess; }

result<Written<Product>> Sales::define_product(const Context& ctx, const Product& product) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Written<Product>> {
        QuoteWork w(impl, tx, ctx);
        CRM_TRY(p, clean_product(product, w));
        CRM_TRY(old, tx.get_product(p.sku));
        p.created_at = old ? old->created_at : impl.now();
        p.updated_at = impl.now();
        if (old) {
            p.version = old->version;
            p.updated_at = old->updated_at;
            if (codec::to_json(p) == codec::to_json(*old))
                return Written<Product>{*old, WriteOutcome::unchanged};
            p.version = old->version + 1;
            p.updated_at = impl.now();
        }
        CRM_TRYV(tx.put_product(p));
        const json after = codec::to_json(p);
        CRM_TRYV(impl.record(tx, ctx, "product", Id{}, old ? "update" : "create",
                             diff(old ? codec::to_json(*old) : json::object(), after),
                             "product.defined", after));
        return Written<Product>{p, old ? WriteOutcome::updated : WriteOutcome::created};
    });
}

result<Product> Sales::get_product(std::string_view sku) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<Product> {
        CRM_TRY(p, tx.get_product(text::tidy(sku)));
        if (!p) return fail(errc::not_found, "no product '" + std::string(sku).substr(0, 64) + "'",
                            "sku");
        return std::move(*p);
    });
}

result<std::vector<Product>> Sales::products(std::string_view after, int limit) {
    if (limit < 1 || limit > 1000)
        return fail(errc::invalid_argument, "must be from 1 to 1000", "limit");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) { return tx.products(after, limit); });
}

result<Written<TaxCategory>> Sales::define_tax_category(const Context& ctx, const TaxCategory& in) {
    CRM_TRYV(check_context(ctx));
    TaxCategory t;
    CRM_TRY(id, clean_code(in.id, "id"));
    t.id = std::move(id);
    CRM_TRY(label, clean_text(in.label, "label", 200));
    t.label = label.empty() ? t.id : label;
    if (in.rate_bp < 0 || in.rate_bp > 10'000)
        return fail(errc::invalid_argument, "must be from 0 to 10000 (100%)", "rate_bp");
    t.rate_bp = in.rate_bp;
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Written<TaxCategory>> {
        CRM_TRY(latest, tx.get_definition(kTaxKind, t.id, 0));
        const std::string body = codec::to_json(t).dump();
        if (latest && latest->body == body) return Written<TaxCategory>{t, WriteOutcome::unchanged};
        const int version = latest ? latest->version + 1 : 1;
        CRM_TRYV(tx.put_definition({std::string(kTaxKind), t.id, version, body, impl.now(),
                                    ctx.actor}));
        CRM_TRYV(impl.record(tx, ctx, "tax_category", Id{}, latest ? "update" : "create",
                             {{"rate_bp", "", std::to_string(t.rate_bp)}}, "tax_category.defined",
                             codec::to_json(t)));
        return Written<TaxCategory>{t, latest ? WriteOutcome::updated : WriteOutcome::created};
    });
}

result<std::vector<TaxCategory>> Sales::tax_categories() {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<TaxCategory>> {
        CRM_TRY(stored, tx.definitions(kTaxKind));
        std::vector<TaxCategory> out;
        for (const auto& s : stored) {
            CRM_TRY(doc, codec::parse(s.body, "tax category"));
            CRM_TRY(t, codec::tax_category_from_json(doc, ""));
            out.push_back(std::move(t));
        }
        for (const auto& b : kBuiltinTaxes)
            if (std::none_of(out.begin(), out.end(), [&](const TaxCategory& t) { return t.id == b.id; }))
                out.push_back(b);
        std::sort(out.begin(), out.end(),
                  [](const TaxCategory& a, const TaxCategory& b) { return a.id < b.id; });
        return out;
    });
}

result<Quote> Sales::create_quote(const Context& ctx, const QuoteInput& input) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) { return QuoteWork(impl, tx, ctx).create(input); });
}

result<Quote> Sales::update_quote(const Context& ctx, const Id& id, const QuoteInput& input) {
    CRM_TRYV(check_context(ctx));
    if (!input.process.empty())
        return fail(errc::invalid_argument, "cannot change after the quote is created", "process");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Quote> {
        QuoteWork w(impl, tx, ctx);
        CRM_TRY(before, w.load(id));
        if (before.status != "open")
            return fail(errc::invalid_transition,
                        "the quote is " + before.state + "; a closed quote does not change", "id");
        CRM_TRY(d, impl.definition(tx, before.process, before.process_version, "process"));
        Quote after = before;
        CRM_TRYV(w.apply(after, input, before.state == d.initial().id));
        if (codec::to_json(after) == codec::to_json(before)) return before;
        CRM_TRYV(w.store(before, after, "", "", "update", "quote.updated"));
        return after;
    });
}

result<Quote> Sales::get_quote(std::string_view key) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) {
        const Context ctx;
        return QuoteWork(impl, tx, ctx).find(key);
    });
}

result<std::vector<Quote>> Sales::quotes_of(const Id& party) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<Quote>> {
        CRM_TRY(p, impl.load_live_party(tx, party));
        return tx.quotes_of(p.id);
    });
}

result<std::vector<Quote>> Sales::quotes_for_opportunity(const Id& opportunity) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<Quote>> {
        CRM_TRY(o, tx.get_opportunity(opportunity));
        if (!o) return fail(errc::not_found, "no opportunity with id " + opportunity.str(), "opportunity");
        return tx.quotes_for_opportunity(opportunity);
    });
}

result<std::vector<Quote>> Sales::quote_revisions(const Id& id) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<Quote>> {
        const Context ctx;
        CRM_TRY(q, QuoteWork(impl, tx, ctx).load(id));
        return tx.quote_revisions(q.root);
    });
}

result<Quote> Sales::move_quote(const Context& ctx, const Id& id, std::string_view move,
                                std::string_view reason) {
    CRM_TRYV(check_context(ctx));
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) {
        return QuoteWork(impl, tx, ctx).move(id, move, reason, false);
    });
}

result<Quote> Sales::revise_quote(const Context& ctx, const Id& id, const QuoteInput& changes,
                                  std::string_view reason) {
    CRM_TRYV(check_context(ctx));
    if (!changes.process.empty())
        return fail(errc::invalid_argument, "cannot change in a revision", "process");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) {
        return QuoteWork(impl, tx, ctx).revise(id, changes, reason);
    });
}

result<Quote> Sales::record_order(const Context& ctx, const Id& id, std::string_view erp_order_id) {
    CRM_TRYV(check_context(ctx));
    CRM_TRY(order, clean_text(std::string(erp_order_id), "erp_order_id", 200));
    if (order.empty()) return fail(errc::invalid_argument, "is required", "erp_order_id");
    auto& impl = EngineAccess::impl(*engine_);
    return impl.write([&](Transaction& tx) -> result<Quote> {
        QuoteWork w(impl, tx, ctx);
        CRM_TRY(before, w.load(id));
        if (before.status != "won")
            return fail(errc::invalid_transition,
                        "the quote is " + before.state + "; an order is recorded on a won quote",
                        "id");
        if (before.erp_order_id == order) return before;
        if (!before.erp_order_id.empty())
            return fail(errc::conflict,
                        "the quote already has ERP order '" + before.erp_order_id + "'",
                        "erp_order_id");
        Quote after = before;
        after.erp_order_id = order;
        CRM_TRYV(w.store(before, after, "", "", "update", "quote.order_recorded"));
        return after;
    });
}

result<std::vector<AllowedMove>> Sales::quote_moves(const Id& id) {
    auto& impl = EngineAccess::impl(*engine_);
    return impl.read([&](Transaction& tx) -> result<std::vector<AllowedMove>> {
        const Context ctx;
        CRM_TRY(q, QuoteWork(impl, tx, ctx).load(id));
        CRM_TRY(d, impl.definition(tx, q.process, q.process_version, "process"));
        return process::moves_for_ui(d, q.state, sales::QuoteRecord(q), impl.rule_context());
    });
}

}  // namespace crm
