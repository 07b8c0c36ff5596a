#!/usr/bin/env bash
# End to end against DuckDB: `alertc run` over a 4M-row (~210 MB) orders CSV vs DuckDB reading the
# same file with the same filter on one thread. DuckDB comes from the npm registry
# (@duckdb/node-api), installed into the build tree, never committed.
# Usage: bash bench/e2e_duckdb.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-4000000}"
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DALERT_BENCH=ON -DALERT_TESTS=OFF > /dev/null
cmake --build build-bench --target alertc > /dev/null
csv="build-bench/orders_${rows}.csv"
[ -f "$csv" ] || python3 bench/gen_orders.py "$rows" "$csv"
echo "input: $csv ($(du -m "$csv" | cut -f1) MB)"
best=""
for _ in 1 2 3; do
  start=$(date +%s.%N)
  matches=$(build-bench/tools/alertc/alertc run bench/e2e_orders.alert --input "Order=$csv" --dry-run 2>/dev/null | wc -l)
  t=$(echo "$(date +%s.%N) - $start" | bc)
  if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
printf 'alertc run (JIT): %s rows match, best of 3: %.3f s\n' "$matches" "$best"
if command -v node > /dev/null && command -v npm > /dev/null; then
  mkdir -p build-bench/duckdb
  [ -d build-bench/duckdb/node_modules/@duckdb/node-api ] ||
    (cd build-bench/duckdb && npm init -y > /dev/null && npm install --silent @duckdb/node-api > /dev/null)
  cp bench/duckdb_filter.mjs build-bench/duckdb/
  (cd build-bench/duckdb && node duckdb_filter.mjs "../../$csv")
else
  echo "duckdb: skipped (node and npm are needed for @duckdb/node-api)"
fi
