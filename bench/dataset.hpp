// bench/dataset.hpp - the data sets benchmarks share.
#pragma once

#include <cstdint>
#include <filesystem>

namespace crm_bench {

/// "Now" of the segment data set: 2026-01-01T00:00:00Z.
inline constexpr std::int64_t kSegmentNow = 1'767'225'600'000;

/// The segment data set of bench_marketing.cpp: N parties made through the
/// Engine and about 10 N purchases in IRR over the two years before
/// kSegmentNow, in the SQLite file answered (made once per size and
/// schema version under $TMPDIR), with the raw rows beside it as
/// parties.csv and purchases.csv (party_id, ordered_at, total_minor).
std::filesystem::path segment_dataset(std::int64_t n);

}  // namespace crm_bench
