// examples/quickstart.cpp - the first program to read: open a database,
// write a customer the way an ERP would, and read the 360 view back.
#include <crm/crm.hpp>

#include <iostream>

int main(int argc, char** argv) {
    const std::string db = argc > 1 ? argv[1] : "quickstart.db";
    crm::EngineOptions options;
    options.database = "sqlite:" + db;
    auto opened = crm::Engine::open(options);
    if (!opened) {
        std::cerr << opened.error().what() << "\n";
        return 1;
    }
    auto& engine = *opened.value();

    crm::PartyInput in;
    in.external_id = "ERP-1001";  // the host's key: writing it again is an idempotent upsert
    in.first_name = "علي";         // Arabic yeh: search for "علی" finds it too
    in.last_name = "کریمی";
    in.contacts.push_back(crm::ContactInput::of(crm::ContactKind::phone, "۰۹۱۲ ۱۲۳ ۴۵۶۷"));  // +989121234567
    in.contacts.push_back(crm::ContactInput::of(crm::ContactKind::email, "Ali.Karimi@Example.IR"));
    auto written = engine.upsert_party({"erp-sync", "erp"}, in);
    if (!written) {  // errors name the field: "contacts[0].value: ..."; nothing throws
        std::cerr << written.error().what() << "\n";
        return 1;
    }
    std::cout << "upsert: " << crm::to_string(written.value().outcome) << "\n";

    crm::Purchase order;
    order.party = written.value().record.id;
    order.order_id = "SO-2024-0001";
    order.ordered_at = crm::parse_iso8601("2024-03-19T09:30:00+03:30").value();
    order.total = crm::Money::parse("125000000", "IRR").value();  // 125 million rials
    if (auto r = engine.record_purchase({"erp-sync", "erp"}, order); !r) {
        std::cerr << r.error().what() << "\n";
        return 1;
    }

    crm::SearchQuery q;
    q.text = "علی";
    auto hits = engine.search(q);
    for (const auto& hit : hits.value())
        std::cout << "found " << hit.display_name << " by " << hit.matched << "\n";

    auto view = engine.customer_360(written.value().record.id).value();
    std::cout << crm::json::to_json(view) << "\n";
    return 0;
}
