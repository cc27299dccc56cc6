// src/customer/purchase_record.cpp - the record a rule over one purchase
// of a party reads.
#include "core/clean.hpp"
#include "customer/purchase_record.hpp"


namespace crm::customer {

const expr::Schema& purchase_rule_schema() {
    static const expr::Schema schema = [] {
        using expr::Type;
        expr::Schema s;
        const std::pair<const char*, Type> fields[] = {
            {"party_kind", Type::text},     {"party_stage", Type::text},
            {"party_city", Type::text},     {"party_country", Type::text},
            {"party_tags", Type::text_list}, {"order_id", Type::text},
            {"ordered_at", Type::timestamp}, {"ordered_on", Type::date},
            {"skus", Type::text_list},
            {"total", Type::money},
        };
        for (const auto& [name, type] : fields) (void)s.add(name, type);
        return s;
    }();
    return schema;
}

expr::MapRecord purchase_record(const Party& p, const Purchase& o) {
    expr::MapRecord r;
    const auto text = [&](const char* field, const std::string& v) {
        if (!v.empty()) r.values[field] = v;
    };
    r.values["party_kind"] = std::string(to_string(p.kind));
    text("party_stage", p.lifecycle_stage);
    text("party_city", p.city);
    text("party_country", p.country);
    r.values["party_tags"] = p.tags;
    text("order_id", o.order_id);
    r.values["ordered_at"] = o.ordered_at.ms;
    r.values["ordered_on"] = tehran_date(o.ordered_at);  // the order's day in Tehran
    std::vector<std::string> skus;
    for (const auto& l : o.lines)
        if (!l.sku.empty()) skus.push_back(l.sku);
    r.values["skus"] = std::move(skus);
    if (!o.total.currency.empty()) r.values["total"] = o.total;
    return r;
}

}  // namespace crm::customer
