#!/usr/bin/env bash
# Notifications per second from `alertc run` to a local webhook receiver, with the durable outbox
# on: one request per notification, then bundled (max_batch 100). Every notification is an alert
# of a row rule; the run ends when the receiver has them all (the drain at the end waits).
# Usage: bash bench/notify_bench.sh [N]   (default 50,000)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-50000}"
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DALERT_BENCH=ON -DALERT_TESTS=OFF > /dev/null
cmake --build build-bench --target alertc alert_webhook_receiver > /dev/null
work=$(mktemp -d)
trap 'kill $receiver 2>/dev/null; rm -rf "$work"' EXIT
build-bench/bench/alert_webhook_receiver 0 > "$work/port" &
receiver=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(head -1 "$work/port")
python3 - "$n" > "$work/rows.csv" <<'PY'
import sys
print("ts,sensor,value")
for i in range(int(sys.argv[1])):
    print(f"2026-03-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z,s{i % 100},{150.0 + i % 7}")
PY
for mode in single bundled; do
  options=""
  [ "$mode" = bundled ] && options=", max_batch = 100, group_wait = 50ms"
  cat > "$work/rules.alert" <<ALERT
schema Reading {
  time ts: timestamp
  sensor: string
  value: float
}
channel hook = webhook { url = "http://127.0.0.1:$port/alerts"$options }
rule Hot on Reading
  where value > 100.0
  message "{sensor} at {value}"
  notify hook
ALERT
  before=$(curl -s "http://127.0.0.1:$port/count" | cut -d' ' -f1)
  start=$(date +%s.%N)
  build-bench/tools/alertc/alertc run "$work/rules.alert" --input "Reading=$work/rows.csv" \
    --state-dir "$work/state-$mode" --drain-timeout 300 2> "$work/err-$mode"
  end=$(date +%s.%N)
  after=$(curl -s "http://127.0.0.1:$port/count" | cut -d' ' -f1)
  python3 -c "import sys; n, t, r = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2]), int(sys.argv[5]) - int(sys.argv[4]); print(f'{sys.argv[6]:8}: {n} notifications in {t:.2f} s = {n / t:,.0f}/s ({r} requests)')" \
    "$n" "$start" "$end" "$before" "$after" "$mode"
  grep "channel hook" "$work/err-$mode"
done
