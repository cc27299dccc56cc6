// tests/conformance/backends.cpp - the backends the suite runs against.
#include "backends.hpp"

#include <atomic>
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

}  // namespace crm::testing
