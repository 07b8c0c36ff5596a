#!/usr/bin/env bash
# One command to see webhook delivery: starts a local HTTP receiver that prints what it gets,
# runs the e-commerce rules plus examples/ecommerce/webhook.alert over the generated orders, and
# shows the delivery summary. Needs a build (bash tools/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=$(mktemp -d)
trap 'kill $receiver 2>/dev/null || true; rm -rf "$work"' EXIT
[ -f examples/ecommerce/data/orders.csv ] || python3 examples/ecommerce/generate.py examples/ecommerce/data > /dev/null
python3 - > "$work/port" <<'PY' &
import http.server, json, sys
class Receiver(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_POST(self):
        alert = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        print(f"  webhook got [{self.headers['Idempotency-Key'][:8]}] {alert['rule']}: {alert['message']}",
              file=sys.stderr, flush=True)
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
server = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
print(server.server_address[1], flush=True)
server.serve_forever()
PY
receiver=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
echo "== a receiver listens on 127.0.0.1:$(cat "$work/port"); running alertc =="
WEBHOOK_URL="http://127.0.0.1:$(cat "$work/port")/alerts" build/tools/alertc/alertc run \
  examples/ecommerce/webhook.alert --input Order=examples/ecommerce/data/orders.csv --state-dir "$work/state" > /dev/null
