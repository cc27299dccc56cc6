// bench/bench_main.cpp - Google Benchmark's main, plus the machine note.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
