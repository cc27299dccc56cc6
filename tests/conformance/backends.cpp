// tests/conformance/backends.cpp - the backends the suite runs against.
#include "backends.hpp"

#include <atomic>
#include <cmath>
#include <fstream>
#include <unistd.h>

namespace crm::testing {

std::vector<Backend> all_backends() {
    return {
        {"memory", [](const std::string&) { return storage::open_memory(); }},
        {"sqlite",
         [](const std::string& path) {
             storage::SqliteOptions o;
             o.path = path;
             auto s = storage::open_sqlite(o);
             if (!s) {
                 ADD_FAILURE() << s.error().what();
                 std::abort();
             }
             return std::move(s).value();
         }},
    };
}

void Conformance::SetUp() {
    static std::atomic<int> counter{0};
    path = (std::filesystem::temp_directory_path() /
            ("crm_conf_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".db"))
               .string();
    EngineOptions o;
    o.clock = clock;
    engine = must(Engine::open(GetParam().open(path), o));
}

void Conformance::TearDown() {
    engine.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

std::unique_ptr<Engine> Conformance::reopen() {
    if (GetParam().name == "memory") return nullptr;
    EngineOptions o;
    o.clock = clock;
    return must(Engine::open(GetParam().open(path), o));
}

Party Conformance::person(const std::string& ext, const std::string& first, const std::string& last,
                          const std::string& email, const std::string& phone) {
    PartyInput in;
    in.kind = PartyKind::person;
    in.external_id = ext;
    in.first_name = first;
    in.last_name = last;
    if (!email.empty()) in.contacts.push_back({ContactKind::email, email, "work", {}, {}, {}});
    if (!phone.empty()) in.contacts.push_back({ContactKind::phone, phone, "mobile", {}, {}, {}});
    return must(engine->create_party(ctx, in));
}

std::map<std::string, Id> load_cdnow(Engine& engine, const Context& ctx,
                                     const std::function<void(const CdnowPurchase&)>& each) {
    const std::string file = std::string(CRM_SHARED_DATA) + "/cdnow/CDNOW_sample.txt";
    std::ifstream in(file);
    if (!in) ADD_FAILURE() << "cannot read " << file;
    std::map<std::string, Id> parties;
    std::string master, id, date;
    int cds = 0, n = 0;
    double dollars = 0;
    must(engine.begin());
    while (in >> master >> id >> date >> cds >> dollars) {
        auto it = parties.find(id);
        if (it == parties.end()) {
            PartyInput p;
            p.kind = PartyKind::person;
            p.external_id = "cdnow-" + id;
            p.last_name = "Customer " + id;
            it = parties.emplace(id, must(engine.create_party(ctx, p)).id).first;
        }
        const int ymd = std::stoi(date);
        Purchase x;
        x.party = it->second;
        x.order_id = "o" + std::to_string(++n);
        x.ordered_at = utc_day(ymd / 10000, static_cast<unsigned>(ymd / 100 % 100), static_cast<unsigned>(ymd % 100));
        x.total = Money{std::llround(dollars * 100), "USD"};
        must(engine.record_purchase(ctx, x));
        if (each) each({id, ymd, x.total.minor});
    }
    must(engine.commit());
    return parties;
}

}  // namespace crm::testing
