#!/usr/bin/env bash
# Runs every libFuzzer target for MINUTES minutes each (default 10), one after another, under
# ASan+UBSan, starting from the corpus in tests/fuzz/corpus and keeping what it finds there.
# Crashes are written to build-fuzz/crashes/; the script fails if any target found one.
#   bash tools/fuzz.sh [MINUTES] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-10}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(frontend readers values state)
CC=clang-19 CXX=clang++-19 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALERT_FUZZ=ON >/dev/null
cmake --build build-fuzz --target $(printf 'fuzz_%s ' "${targets[@]}")
mkdir -p build-fuzz/crashes
status=0
for t in "${targets[@]}"; do
  echo "== fuzz_$t for ${minutes} min"
  mkdir -p "build-fuzz/corpus/$t"
  # New inputs go to the build tree's corpus; the repo's corpus is read as seeds only.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "build-fuzz/tests/fuzz/fuzz_$t" -max_total_time=$((minutes * 60)) -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="build-fuzz/crashes/$t-" -print_final_stats=1 \
    "build-fuzz/corpus/$t" "tests/fuzz/corpus/$t" 2>&1 | grep -E '^(#[0-9]+.*(DONE|pulse)|==|stat::|SUMMARY|.*ERROR)' || true
  if ls build-fuzz/crashes/$t-* >/dev/null 2>&1; then
    echo "fuzz_$t: found $(ls build-fuzz/crashes/$t-* | wc -l) crashing inputs in build-fuzz/crashes/"
    status=1
  fi
done
exit $status
