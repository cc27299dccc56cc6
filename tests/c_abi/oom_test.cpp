// tests/c_abi/oom_test.cpp - running out of memory at the C ABI: the
// program's operator new fails on demand, so a request that cannot be read
// for want of memory answers CRM_ENOMEM with the static out-of-memory
// error, whichever allocation of reading it fails, and the engine stays
// usable. Prints "N passed, M failed" like the C tests.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "crm.h"

namespace {

// Allocations left before operator new fails; negative: never fails.
thread_local long g_allocations_left = -1;

int g_passed = 0, g_failed = 0;

void check(bool ok, const char* what, int line) {
    if (ok) {
        ++g_passed;
    } else {
        ++g_failed;
        std::fprintf(stderr, "FAIL line %d: %s\n", line, what);
    }
}
#define CHECK(cond) check((cond), #cond, __LINE__)

}  // namespace

void* operator new(std::size_t size) {
    if (g_allocations_left == 0) throw std::bad_alloc();
    if (g_allocations_left > 0) --g_allocations_left;
    if (void* p = std::malloc(size ? size : 1)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

int main() {
    crm_engine* e = nullptr;
    CHECK(crm_engine_open(&e, nullptr) == CRM_OK);
    if (!e) return 1;

    // A request of many values: memory runs out while it is being read.
    std::string request = "{\"text\":\"Ali\",\"tag\":\"x\",\"limit\":5}";
    std::string big = "{\"items\":[";
    for (int i = 0; i < 2000; ++i) big += (i ? ",\"v" : "\"v") + std::to_string(i) + "\"";
    big += "]}";
    char* out = nullptr;
    g_allocations_left = 50;
    const int rc = crm_execute(e, "search", big.c_str(), &out);
    g_allocations_left = -1;
    CHECK(rc == CRM_ENOMEM);
    CHECK(out == nullptr);
    CHECK(crm_error_last()->status == CRM_ENOMEM);
    CHECK(std::strcmp(crm_error_last()->message, "out of memory") == 0);

    // Memory running out at every step of reading a request and refusing
    // it (an unknown field): each call answers a status, never a crash.
    int enomem = 0, invalid = 0, other = 0;
    for (long n = 0; n < 3000; ++n) {
        out = nullptr;
        g_allocations_left = n;
        const int status = crm_execute(e, "search", big.c_str(), &out);
        g_allocations_left = -1;
        CHECK(out == nullptr);
        if (status == CRM_ENOMEM) ++enomem;
        else if (status == CRM_EINVALID) ++invalid;
        else ++other;
        crm_free(out);
        if (status == CRM_EINVALID) break;  // enough memory from here on
    }
    CHECK(enomem > 100);
    CHECK(invalid == 1);
    CHECK(other == 0);
    std::printf("out-of-memory sweep: %d out of memory, then refused as invalid\n", enomem);
    out = nullptr;
    CHECK(crm_execute(e, "party.upsert", "{\"external_id\":\"M-1\",\"first_name\":\"Ali\","
                                         "\"tags\":[\"vip\"]}",
                      &out) == CRM_OK);
    crm_free(out);
    // The engine still works, and the party is whole.
    out = nullptr;
    CHECK(crm_execute(e, "party.get", "{\"external_id\":\"M-1\"}", &out) == CRM_OK);
    CHECK(out != nullptr && std::strstr(out, "\"vip\"") != nullptr);
    crm_free(out);
    crm_engine_close(&e);
    std::printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
