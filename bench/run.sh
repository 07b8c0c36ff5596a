#!/usr/bin/env bash
# Builds the benchmarks (Release) and runs them; prints the tables docs/performance.md records.
# Usage: bash bench/run.sh [ROWS]   (default 4,000,000)
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DALERT_BENCH=ON -DALERT_TESTS=OFF > /dev/null
cmake --build build-bench --target alert_bench alertc > /dev/null
build-bench/bench/alert_bench "${1:-4000000}"
