// src/sales/quote_codec.cpp - JSON forms of products, tax categories and
// quotes: what commands answer, what the SQLite backend keeps as a body,
// and the strict readers of requests.
#include "customer/codec.hpp"
#include "sales/codec.hpp"

namespace crm::codec {
namespace {

// A decimal given as a JSON number or as text ("2.5", "۲٫۵").
result<std::optional<std::string>> decimal_text(const json& j, std::string_view key,
                                                std::string_view path) {
    const json* v = member(j, key);
    if (!v) return std::optional<std::string>{};
    if (v->is_number()) return std::optional<std::string>{v->dump()};
    if (!v->is_string())
        return fail(errc::invalid_argument, "must be a number or decimal text", join(path, key));
    CRM_TRY(s, string_of(*v, join(path, key), 64));
    return std::optional<std::string>{std::move(s)};
}

result<std::int64_t> int_or(const json& j, std::string_view key, std::string_view path,
                            std::int64_t fallback) {
    CRM_TRY(v, get_int(j, key, path));
    return v.value_or(fallback);
}

result<Id> id_or_nil(const json& j, std::string_view key, std::string_view path) {
    CRM_TRY(v, get_id(j, key, path));
    return v.value_or(Id{});
}

}  // namespace

json to_json(const Price& p) {
    return {{"price_list", p.price_list}, {"unit_price", to_json(p.unit_price)}};
}

json to_json(const Product& p) {
    json prices = json::array();
    for (const auto& price : p.prices) prices.push_back(to_json(price));
    return {{"sku", p.sku},
            {"name", p.name},
            {"unit", p.unit},
            {"tax_category", p.tax_category},
            {"prices", std::move(prices)},
            {"active", p.active},
            {"warranty_days", p.warranty_days},
            {"created_at", time_json(p.created_at)},
            {"updated_at", time_json(p.updated_at)},
            {"version", p.version}};
}

json to_json(const TaxCategory& t) {
    return {{"id", t.id}, {"label", t.label}, {"rate_bp", t.rate_bp}};
}

json to_json(const QuoteLine& l) {
    return Members(14)
        .add("sku", l.sku)
        .add("name", l.name)
        .add("unit", l.unit)
        .add("quantity_milli", l.quantity_milli)
        .add("unit_price", to_json(l.unit_price))
        .add("discount_bp", l.discount_bp)
        .add("discount_amount", l.discount_amount ? to_json(*l.discount_amount) : json(nullptr))
        .add("tax_category", l.tax_category)
        .add("tax_rate_bp", l.tax_rate_bp)
        .add("subtotal_minor", l.subtotal_minor)
        .add("discount_minor", l.discount_minor)
        .add("net_minor", l.net_minor)
        .add("tax_minor", l.tax_minor)
        .add("total_minor", l.total_minor)
        .done();
}

json to_json(const Quote& q) {
    json lines = json::array();
    for (const auto& l : q.lines) lines.push_back(to_json(l));
    return Members(29)
        .add("id", to_json(q.id))
        .add("root", to_json(q.root))
        .add("revision", q.revision)
        .add("number", q.number)
        .add("party", to_json(q.party))
        .add("opportunity", to_json(q.opportunity))
        .add("owner", q.owner)
        .add("process", q.process)
        .add("process_version", q.process_version)
        .add("state", q.state)
        .add("status", q.status)
        .add("currency", q.currency)
        .add("price_list", q.price_list)
        .add("valid_until", q.valid_until)
        .add("note", q.note)
        .add("lines", std::move(lines))
        .add("subtotal_minor", q.subtotal_minor)
        .add("discount_minor", q.discount_minor)
        .add("net_minor", q.net_minor)
        .add("tax_minor", q.tax_minor)
        .add("total_minor", q.total_minor)
        .add("close_reason", q.close_reason)
        .add("superseded_by", to_json(q.superseded_by))
        .add("erp_order_id", q.erp_order_id)
        .add("created_at", time_json(q.created_at))
        .add("updated_at", time_json(q.updated_at))
        .add("state_entered_at", time_json(q.state_entered_at))
        .add("closed_at", q.closed_at ? time_json(*q.closed_at) : json(nullptr))
        .add("version", q.version)
        .done();
}

result<Price> price_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"price_list", "unit_price"}));
    Price p;
    CRM_TRY(list, get_string(j, "price_list", path, 64));
    if (list) p.price_list = *list;
    const json* m = member(j, "unit_price");
    if (!m) return fail(errc::invalid_argument, "is required", join(path, "unit_price"));
    CRM_TRY(price, money_from_json(*m, join(path, "unit_price")));
    p.unit_price = std::move(price);
    return p;
}

result<Product> product_from_json(const json& j, std::string_view path, bool stored) {
    if (stored) {
        if (!j.is_object()) return fail(errc::storage, "a product is not a JSON object");
    } else {
        CRM_TRYV(expect_object(j, path, {"sku", "name", "unit", "tax_category", "prices", "active",
                                         "warranty_days"}));
    }
    Product p;
    std::string* texts[] = {&p.sku, &p.name, &p.unit, &p.tax_category};
    const char* keys[] = {"sku", "name", "unit", "tax_category"};
    for (std::size_t i = 0; i < std::size(keys); ++i) {
        CRM_TRY(s, text_or_empty(j, keys[i], path, 1000));
        *texts[i] = std::move(s);
    }
    if (const json* prices = member(j, "prices")) {
        const std::string pp = join(path, "prices");
        if (!prices->is_array()) return fail(errc::invalid_argument, "must be an array", pp);
        for (std::size_t i = 0; i < prices->size(); ++i) {
            CRM_TRY(price, price_from_json((*prices)[i], pp + "[" + std::to_string(i) + "]"));
            p.prices.push_back(std::move(price));
        }
    }
    CRM_TRY(active, get_bool(j, "active", path));
    p.active = active.value_or(true);
    CRM_TRY(warranty, get_int(j, "warranty_days", path));
    if (warranty && (*warranty < 0 || *warranty > 36'500))
        return fail(errc::invalid_argument, "must be from 0 to 36500", join(path, "warranty_days"));
    p.warranty_days = static_cast<int>(warranty.value_or(0));
    if (stored) {
        CRM_TRY(created, get_time(j, "created_at", path));
        p.created_at = created.value_or(Timestamp{});
        CRM_TRY(updated, get_time(j, "updated_at", path));
        p.updated_at = updated.value_or(Timestamp{});
        CRM_TRY(version, int_or(j, "version", path, 1));
        p.version = version;
    }
    return p;
}

result<TaxCategory> tax_category_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"id", "label", "rate_bp"}));
    TaxCategory t;
    CRM_TRY(id, text_or_empty(j, "id", path, 64));
    t.id = std::move(id);
    CRM_TRY(label, text_or_empty(j, "label", path, 200));
    t.label = std::move(label);
    CRM_TRY(rate, get_int(j, "rate_bp", path));
    if (!rate) return fail(errc::invalid_argument, "is required", join(path, "rate_bp"));
    if (*rate < 0 || *rate > 10'000)
        return fail(errc::invalid_argument, "must be from 0 to 10000 (100%)", join(path, "rate_bp"));
    t.rate_bp = static_cast<int>(*rate);
    return t;
}

result<Quote> quote_from_json(const json& j, std::string_view path) {
    if (!j.is_object()) return fail(errc::storage, "a quote is not a JSON object");
    Quote q;
    Id* ids[] = {&q.id, &q.root, &q.party, &q.opportunity, &q.superseded_by};
    const char* id_keys[] = {"id", "root", "party", "opportunity", "superseded_by"};
    for (std::size_t i = 0; i < std::size(id_keys); ++i) {
        CRM_TRY(id, id_or_nil(j, id_keys[i], path));
        *ids[i] = id;
    }
    std::string* texts[] = {&q.number, &q.owner,      &q.process,     &q.state,
                            &q.status, &q.currency,   &q.price_list,  &q.valid_until,
                            &q.note,   &q.close_reason, &q.erp_order_id};
    const char* keys[] = {"number", "owner",      "process",     "state",
                          "status", "currency",   "price_list",  "valid_until",
                          "note",   "close_reason", "erp_order_id"};
    for (std::size_t i = 0; i < std::size(keys); ++i) {
        CRM_TRY(s, text_or_empty(j, keys[i], path, 65536));
        *texts[i] = std::move(s);
    }
    CRM_TRY(revision, int_or(j, "revision", path, 1));
    q.revision = static_cast<int>(revision);
    CRM_TRY(pv, int_or(j, "process_version", path, 0));
    q.process_version = static_cast<int>(pv);
    std::int64_t* totals[] = {&q.subtotal_minor, &q.discount_minor, &q.net_minor, &q.tax_minor,
                              &q.total_minor};
    const char* total_keys[] = {"subtotal_minor", "discount_minor", "net_minor", "tax_minor",
                                "total_minor"};
    for (std::size_t i = 0; i < std::size(total_keys); ++i) {
        CRM_TRY(v, int_or(j, total_keys[i], path, 0));
        *totals[i] = v;
    }
    if (const json* lines = member(j, "lines")) {
        if (!lines->is_array()) return fail(errc::storage, "a quote's lines are not an array", std::string(path));
        for (std::size_t i = 0; i < lines->size(); ++i) {
            const json& lj = (*lines)[i];
            if (!lj.is_object()) return fail(errc::storage, "a quote line is not an object", std::string(path));
            const std::string lp = join(path, "lines") + "[" + std::to_string(i) + "]";
            QuoteLine l;
            std::string* lt[] = {&l.sku, &l.name, &l.unit, &l.tax_category};
            const char* lk[] = {"sku", "name", "unit", "tax_category"};
            for (std::size_t k = 0; k < std::size(lk); ++k) {
                CRM_TRY(s, text_or_empty(lj, lk[k], lp, 65536));
                *lt[k] = std::move(s);
            }
            CRM_TRY(qty, int_or(lj, "quantity_milli", lp, 1000));
            l.quantity_milli = qty;
            const json* up = member(lj, "unit_price");
            if (!up) return fail(errc::storage, "a quote line has no unit price", lp);
            CRM_TRY(price, money_from_json(*up, join(lp, "unit_price")));
            l.unit_price = std::move(price);
            CRM_TRY(dbp, int_or(lj, "discount_bp", lp, 0));
            l.discount_bp = static_cast<int>(dbp);
            CRM_TRY(amount, optional_money(lj, "discount_amount", lp));
            l.discount_amount = std::move(amount);
            CRM_TRY(rate, int_or(lj, "tax_rate_bp", lp, 0));
            l.tax_rate_bp = static_cast<int>(rate);
            std::int64_t* lv[] = {&l.subtotal_minor, &l.discount_minor, &l.net_minor,
                                  &l.tax_minor, &l.total_minor};
            for (std::size_t k = 0; k < std::size(total_keys); ++k) {
                CRM_TRY(v, int_or(lj, total_keys[k], lp, 0));
                *lv[k] = v;
            }
            q.lines.push_back(std::move(l));
        }
    }
    Timestamp* times[] = {&q.created_at, &q.updated_at, &q.state_entered_at};
    const char* time_keys[] = {"created_at", "updated_at", "state_entered_at"};
    for (int i = 0; i < 3; ++i) {
        CRM_TRY(t, get_time(j, time_keys[i], path));
        *times[i] = t.value_or(Timestamp{});
    }
    CRM_TRY(closed_at, get_time(j, "closed_at", path));
    q.closed_at = closed_at;
    CRM_TRY(v, int_or(j, "version", path, 1));
    q.version = v;
    return q;
}

result<QuoteLineInput> quote_line_input_from_json(const json& j, std::string_view path) {
    CRM_TRYV(expect_object(j, path, {"sku", "name", "unit", "tax_category", "quantity",
                                     "unit_price", "discount_percent", "discount_amount"}));
    QuoteLineInput in;
    CRM_TRY(sku, text_or_empty(j, "sku", path, 200));
    in.sku = std::move(sku);
    std::optional<std::string>* texts[] = {&in.name, &in.unit, &in.tax_category};
    const char* keys[] = {"name", "unit", "tax_category"};
    for (std::size_t i = 0; i < std::size(keys); ++i) {
        CRM_TRY(s, get_string(j, keys[i], path, 1000));
        *texts[i] = std::move(s);
    }
    CRM_TRY(quantity, decimal_text(j, "quantity", path));
    if (quantity) in.quantity = *quantity;
    CRM_TRY(price, optional_money(j, "unit_price", path));
    in.unit_price = std::move(price);
    CRM_TRY(percent, decimal_text(j, "discount_percent", path));
    in.discount_percent = percent.value_or("");
    CRM_TRY(amount, optional_money(j, "discount_amount", path));
    in.discount_amount = std::move(amount);
    return in;
}

result<QuoteInput> quote_input_from_json(const json& j, std::string_view path, bool creating) {
    if (!j.is_object()) return fail(errc::invalid_argument, "must be an object", std::string(path));
    QuoteInput in;
    std::optional<std::string>* texts[] = {&in.number,     &in.owner,       &in.currency,
                                           &in.price_list, &in.valid_until, &in.note};
    const char* keys[] = {"number", "owner", "currency", "price_list", "valid_until", "note"};
    for (std::size_t i = 0; i < std::size(keys); ++i) {
        CRM_TRY(s, get_string(j, keys[i], path, 65536));
        *texts[i] = std::move(s);
    }
    CRM_TRY(party, get_id(j, "party", path));
    in.party = party;
    CRM_TRY(opportunity, get_id(j, "opportunity", path));
    in.opportunity = opportunity;
    if (const json* lines = member(j, "lines")) {
        const std::string lp = join(path, "lines");
        if (!lines->is_array()) return fail(errc::invalid_argument, "must be an array", lp);
        std::vector<QuoteLineInput> out;
        for (std::size_t i = 0; i < lines->size(); ++i) {
            CRM_TRY(line, quote_line_input_from_json((*lines)[i], lp + "[" + std::to_string(i) + "]"));
            out.push_back(std::move(line));
        }
        in.lines = std::move(out);
    }
    CRM_TRY(process, get_string(j, "process", path, 64));
    if (process && !creating)
        return fail(errc::invalid_argument, "cannot change after the quote is created",
                    join(path, "process"));
    in.process = process.value_or("");
    return in;
}

}  // namespace crm::codec
