// A C++ host built against the installed crmcore.
#include <crm/crm.hpp>
#include <cstdio>

int main() {
    auto engine = crm::Engine::open({});
    if (!engine) return 1;
    crm::PartyInput in;
    in.first_name = "Ali";
    in.contacts.push_back({crm::ContactKind::phone, "09121234567", "", {}, {}, {}});
    auto p = engine.value()->create_party({}, in);
    if (!p || p.value().contacts[0].value != "+989121234567") return 1;
    std::printf("cpp_host: %s\n", crm::json::to_json(p.value()).c_str());
    return 0;
}
