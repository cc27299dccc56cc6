// bench/bench_requests.cpp - reading a request: the library's limited
// reader (codec::parse: depth, value count and duplicate keys checked while
// parsing, members appended without a search) beside nlohmann's own DOM
// parser of the same ordered JSON type, on a typical party write and on
// objects of many keys.
#include <benchmark/benchmark.h>

#include <string>

#include "core/json_read.hpp"

namespace {

// A party.upsert request of the size a host sends, with `keys` custom
// values.
std::string party_request(int keys) {
    std::string s =
        "{\"external_id\":\"C-1001\",\"kind\":\"person\",\"first_name\":\"علی\","
        "\"last_name\":\"رضایی\",\"city\":\"تهران\",\"tags\":[\"vip\",\"b2b\"],"
        "\"contacts\":[{\"kind\":\"phone\",\"value\":\"0912 123 4567\",\"primary\":true},"
        "{\"kind\":\"email\",\"value\":\"ali@example.ir\"}],\"custom\":{";
    for (int i = 0; i < keys; ++i)
        s += (i ? ",\"field_" : "\"field_") + std::to_string(i) + "\":\"value " + std::to_string(i) + "\"";
    return s + "}}";
}

void BM_RequestParse(benchmark::State& state) {
    const std::string text = party_request(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        auto doc = crm::codec::parse(text);
        if (!doc) state.SkipWithError(doc.error().message.c_str());
        benchmark::DoNotOptimize(doc);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_RequestParse)->Arg(8)->Arg(1000)->Arg(10'000)->Arg(200'000)->Unit(benchmark::kMicrosecond);

// Baseline: nlohmann's parser into the same type (no limits, no duplicate
// check; each member found by a search of those before it).
void BM_RequestParseNlohmann(benchmark::State& state) {
    const std::string text = party_request(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        auto doc = crm::codec::json::parse(text);
        benchmark::DoNotOptimize(doc);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_RequestParseNlohmann)->Arg(8)->Arg(1000)->Arg(10'000)->Unit(benchmark::kMicrosecond);

}  // namespace
