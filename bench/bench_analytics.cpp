// bench/bench_analytics.cpp - the lifetime value figures, each beside its
// baseline in the same run:
//  - BG/NBD plus Gamma-Gamma fitted on the CDNOW summary (2,357
//    customers) by crmcore vs the same log-likelihoods minimised by scipy
//    (bench/clv_scipy.py; the faster of Nelder-Mead and BFGS);
//  - the summary, fit and scores of N parties with about 10 N purchases
//    read from SQLite and stored back (Analytics::score_clv) vs pandas
//    computing the summary alone from the raw rows (bench/clv_pandas.py),
//    on the segment data set (bench/dataset.hpp).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "crm/crm.hpp"
#include "dataset.hpp"

namespace {

namespace fs = std::filesystem;

const std::string kSummary = std::string(CRM_SHARED_DATA) + "/cdnow/cdnow_customers_summary_with_transactions.csv";

std::vector<crm::analytics::CustomerSummary> cdnow_summary() {
    std::ifstream in(kSummary);
    std::string line;
    std::getline(in, line);
    std::vector<crm::analytics::CustomerSummary> out;
    while (std::getline(in, line)) {
        std::stringstream ss(line);
        std::string f[5];
        for (auto& v : f) std::getline(ss, v, ',');
        crm::analytics::CustomerSummary c;
        c.customer = f[0];
        c.frequency = std::stod(f[1]);
        c.recency = std::stod(f[2]);
        c.age = std::stod(f[3]);
        c.monetary = std::stod(f[4]);
        out.push_back(c);
    }
    return out;
}

// crmcore: BG/NBD and Gamma-Gamma with standard errors.
void BM_ClvFitCdnow(benchmark::State& state) {
    const auto customers = cdnow_summary();
    double r = 0, gamma = 0;
    for (auto _ : state) {
        auto bg = crm::analytics::BgNbd::fit(customers);
        auto gg = crm::analytics::GammaGamma::fit(customers);
        if (!bg || !gg) {
            state.SkipWithError("fit failed");
            return;
        }
        r = bg.value().params().r;
        gamma = gg.value().params().gamma;
    }
    state.counters["r"] = r;
    state.counters["gamma"] = gamma;
}
BENCHMARK(BM_ClvFitCdnow)->Unit(benchmark::kMillisecond);

// Runs a baseline script; its first output number is the median seconds.
bool run_script(benchmark::State& state, const std::string& cmd, std::string& out) {
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

// Baseline: scipy on the same summary, five fits per method.
void BM_ClvFitCdnowScipy(benchmark::State& state) {
    const fs::path script = fs::path(CRM_BENCH_DIR) / "clv_scipy.py";
    const std::string cmd = "/usr/bin/python3 " + script.string() + " " + kSummary + " 5";
    for (auto _ : state) {
        std::string out;
        if (!run_script(state, cmd, out)) return;
        double median = 0, r = 0, gamma = 0;
        std::string method;
        std::istringstream(out) >> median >> method >> r >> gamma;
        state.SetIterationTime(median);
        state.SetLabel(method);
        state.counters["r"] = r;
        state.counters["gamma"] = gamma;
    }
}
BENCHMARK(BM_ClvFitCdnowScipy)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

// A copy of the data set per run: scoring writes.
fs::path scratch_copy(const fs::path& db) {
    const fs::path copy = db.parent_path() / "clv_scratch.db";
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(copy.string() + suffix);
    fs::copy_file(db, copy);
    return copy;
}

// crmcore: summary of the stored purchases, BG/NBD and Gamma-Gamma fits,
// and every party's score stored, in one transaction.
void BM_ClvScoreStored(benchmark::State& state) {
    const auto db = crm_bench::segment_dataset(state.range(0));
    const auto copy = scratch_copy(db);
    crm::EngineOptions o;
    o.database = "sqlite:" + copy.string();
    o.clock = std::make_shared<crm::ManualClock>(crm::Timestamp{crm_bench::kSegmentNow});
    auto engine = crm::Engine::open(o).value();
    crm::Analytics an(*engine);
    crm::ClvRequest r;
    r.calibration_end = crm::Timestamp{crm_bench::kSegmentNow};
    std::int64_t scored = 0;
    for (auto _ : state) {
        auto run = an.score_clv({"bench", "bench"}, r);
        if (!run) {
            state.SkipWithError(run.error().message.c_str());
            return;
        }
        scored = run.value().scored;
    }
    state.counters["parties"] = static_cast<double>(scored);
}
BENCHMARK(BM_ClvScoreStored)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// crmcore: the summary alone (read and summarised, nothing fitted).
void BM_ClvSummaryStored(benchmark::State& state) {
    const auto db = crm_bench::segment_dataset(state.range(0));
    crm::EngineOptions o;
    o.database = "sqlite:" + db.string();
    o.mode = crm::OpenMode::read_only;
    auto engine = crm::Engine::open(o).value();
    crm::Analytics an(*engine);
    crm::ClvRequest r;
    r.calibration_end = crm::Timestamp{crm_bench::kSegmentNow};
    std::size_t customers = 0;
    for (auto _ : state) customers = an.clv_summary(r).value().customers.size();
    state.counters["customers"] = static_cast<double>(customers);
}
BENCHMARK(BM_ClvSummaryStored)->Arg(1000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Baseline: pandas computing the summary from the raw rows (loaded once,
// not timed), three times; the iteration time is the median.
void BM_ClvSummaryPandas(benchmark::State& state) {
    const auto db = crm_bench::segment_dataset(state.range(0));
    const fs::path script = fs::path(CRM_BENCH_DIR) / "clv_pandas.py";
    const std::string cmd = "/usr/bin/python3 " + script.string() + " " + db.parent_path().string() +
                            " " + std::to_string(crm_bench::kSegmentNow) + " 3";
    for (auto _ : state) {
        std::string out;
        if (!run_script(state, cmd, out)) return;
        double median = 0;
        long long customers = 0;
        std::istringstream(out) >> median >> customers;
        state.SetIterationTime(median);
        state.counters["customers"] = static_cast<double>(customers);
    }
}
BENCHMARK(BM_ClvSummaryPandas)
    ->Arg(1000)
    ->Arg(1'000'000)
    ->UseManualTime()
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
