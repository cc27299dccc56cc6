// bench/dataset.hpp - the data sets benchmarks share.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace crm_bench {

/// "Now" of the segment data set: 2026-01-01T00:00:00Z.
inline constexpr std::int64_t kSegmentNow = 1'767'225'600'000;

/// The segment data set of bench_marketing.cpp: N parties made through the
/// Engine and about 10 N purchases in IRR over the two years before
/// kSegmentNow, in the SQLite file answered (made once per size and
/// schema version under $TMPDIR), with the raw rows beside it as
/// parties.csv and purchases.csv (party_id, ordered_at, total_minor).
std::filesystem::path segment_dataset(std::int64_t n);

/// Runs a baseline script (Python on Debian's /usr/bin/python3) and
/// collects what it prints; false, with the state skipped, when it cannot
/// run or fails.
inline bool run_baseline(benchmark::State& state, const std::string& cmd, std::string& out) {
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) {
        state.SkipWithError("cannot run /usr/bin/python3");
        return false;
    }
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    if (pclose(p) != 0) {
        state.SkipWithError(("baseline failed: " + out).c_str());
        return false;
    }
    return true;
}

}  // namespace crm_bench
