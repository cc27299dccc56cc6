// tests/c_abi/fuzz_execute.cpp - libFuzzer entry over crm_execute(): the
// first line of the input is the method, the rest the request. Whatever the
// input, a call returns a status, leaves the response NULL exactly when it
// fails, and agrees with crm_error_last(). Built only with Clang:
//   CC=clang CXX=clang++ cmake .. -DCRM_SANITIZE=ON && ninja crm_fuzz_execute
//   ./tests/c_abi/crm_fuzz_execute -max_len=4096
#include <cstdint>
#include <cstdlib>
#include <string>

#include "crm.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static crm_engine* engine = [] {
        crm_open_options opts = CRM_OPEN_OPTIONS_INIT;
        opts.fixed_now_ms = 1710928800000;
        crm_engine* e = nullptr;
        if (crm_engine_open(&e, &opts) != CRM_OK) std::abort();
        return e;
    }();
    const std::string input(reinterpret_cast<const char*>(data), size);
    const auto newline = input.find('\n');
    const std::string method = newline == std::string::npos ? "party.create" : input.substr(0, newline);
    const std::string request = newline == std::string::npos ? input : input.substr(newline + 1);
    // The engine has no file directories: import and export take CSV text
    // and refuse every path, so they are fuzzed like any command.

    char* out = nullptr;
    const int rc = crm_execute(engine, method.c_str(), request.c_str(), &out);
    const crm_error* e = crm_error_last();
    if ((rc == CRM_OK) != (out != nullptr)) std::abort();
    if (e == nullptr || e->status != rc || e->message == nullptr || e->field == nullptr) std::abort();
    if (rc > 0 || rc < CRM_EMISUSE) std::abort();
    crm_free(out);
    return 0;
}
