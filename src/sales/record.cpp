// src/sales/record.cpp - the opportunity schema and its Record adapter.
#include "sales/record.hpp"

namespace crm::sales {

expr::Schema opportunity_schema() {
    using expr::Type;
    expr::Schema s;
    const std::pair<const char*, Type> fields[] = {
        {"name", Type::text},           {"owner", Type::text},
        {"team", Type::text},           {"pipeline", Type::text},
        {"stage", Type::text},          {"status", Type::text},
        {"amount", Type::money},        {"probability", Type::integer},
        {"forecast_category", Type::text}, {"expected_close", Type::date},
        {"campaign", Type::text},       {"competitors", Type::text_list},
        {"products", Type::text_list},  {"created_at", Type::timestamp},
        {"stage_entered_at", Type::timestamp},
    };
    for (const auto& [name, type] : fields) (void)s.add(name, type);
    return s;
}

Value OpportunityRecord::get(std::string_view f) const {
    const auto text = [](const std::string& s) { return s.empty() ? Value{} : Value{s}; };
    if (f.rfind("custom.", 0) == 0) {
        auto it = o_.custom.find(std::string(f.substr(7)));
        return it == o_.custom.end() ? Value{} : it->second;
    }
    if (f == "name") return text(o_.name);
    if (f == "owner") return text(o_.owner);
    if (f == "team") return text(o_.team);
    if (f == "pipeline") return text(o_.pipeline);
    if (f == "stage") return text(o_.stage);
    if (f == "status") return text(o_.status);
    if (f == "amount") return o_.amount ? Value{*o_.amount} : Value{};
    if (f == "probability") return Value{static_cast<std::int64_t>(o_.probability)};
    if (f == "forecast_category") return text(o_.forecast_category);
    if (f == "expected_close") return text(o_.expected_close);
    if (f == "campaign") return text(o_.campaign);
    if (f == "competitors") return Value{o_.competitors};
    if (f == "products") return Value{o_.products};
    if (f == "created_at") return Value{o_.created_at.ms};
    if (f == "stage_entered_at") return Value{o_.stage_entered_at.ms};
    return Value{};
}

namespace {
constexpr const char* kLeadTextFields[] = {"source",   "channel",   "campaign",    "first_name",
                                           "last_name", "company",  "job_title",   "email",
                                           "phone",     "national_id", "city",     "interest",
                                           "owner",     "state",    "status",      "email_domain"};
}  // namespace

expr::Schema lead_schema() {
    expr::Schema s;
    for (const char* f : kLeadTextFields) (void)s.add(f, expr::Type::text);
    (void)s.add("score", expr::Type::integer);
    (void)s.add("created_at", expr::Type::timestamp);
    return s;
}

Value LeadRecord::get(std::string_view f) const {
    const auto text = [](const std::string& s) { return s.empty() ? Value{} : Value{s}; };
    if (f.rfind("custom.", 0) == 0) {
        auto it = l_.custom.find(std::string(f.substr(7)));
        return it == l_.custom.end() ? Value{} : it->second;
    }
    const std::pair<std::string_view, const std::string*> texts[] = {
        {"source", &l_.source},       {"channel", &l_.channel},   {"campaign", &l_.campaign},
        {"first_name", &l_.first_name}, {"last_name", &l_.last_name}, {"company", &l_.company},
        {"job_title", &l_.job_title}, {"email", &l_.email},       {"phone", &l_.phone},
        {"national_id", &l_.national_id}, {"city", &l_.city},     {"interest", &l_.interest},
        {"owner", &l_.owner},         {"state", &l_.state},       {"status", &l_.status}};
    for (const auto& [name, value] : texts)
        if (f == name) return text(*value);
    if (f == "email_domain") {
        const auto at = l_.email.rfind('@');
        return at == std::string::npos ? Value{} : Value{l_.email.substr(at + 1)};
    }
    if (f == "score") return Value{static_cast<std::int64_t>(l_.score)};
    if (f == "created_at") return Value{l_.created_at.ms};
    return Value{};
}

expr::Schema quote_schema() {
    using expr::Type;
    expr::Schema s;
    const std::pair<const char*, Type> fields[] = {
        {"state", Type::text},        {"status", Type::text},      {"currency", Type::text},
        {"price_list", Type::text},   {"owner", Type::text},       {"number", Type::text},
        {"revision", Type::integer},  {"line_count", Type::integer}, {"skus", Type::text_list},
        {"total", Type::money},       {"subtotal", Type::money},   {"discount", Type::money},
        {"tax", Type::money},         {"valid_until", Type::date}, {"created_at", Type::timestamp},
    };
    for (const auto& [name, type] : fields) (void)s.add(name, type);
    return s;
}

Value QuoteRecord::get(std::string_view f) const {
    const auto text = [](const std::string& s) { return s.empty() ? Value{} : Value{s}; };
    const auto money = [this](std::int64_t minor) {
        return q_.currency.empty() ? Value{} : Value{Money{minor, q_.currency}};
    };
    if (f == "state") return text(q_.state);
    if (f == "status") return text(q_.status);
    if (f == "currency") return text(q_.currency);
    if (f == "price_list") return text(q_.price_list);
    if (f == "owner") return text(q_.owner);
    if (f == "number") return text(q_.number);
    if (f == "revision") return Value{static_cast<std::int64_t>(q_.revision)};
    if (f == "line_count") return Value{static_cast<std::int64_t>(q_.lines.size())};
    if (f == "skus") {
        std::vector<std::string> skus;
        for (const auto& l : q_.lines)
            if (!l.sku.empty()) skus.push_back(l.sku);
        return Value{std::move(skus)};
    }
    if (f == "total") return money(q_.total_minor);
    if (f == "subtotal") return money(q_.subtotal_minor);
    if (f == "discount") return money(q_.discount_minor);
    if (f == "tax") return money(q_.tax_minor);
    if (f == "valid_until") return text(q_.valid_until);
    if (f == "created_at") return Value{q_.created_at.ms};
    return Value{};
}

}  // namespace crm::sales
