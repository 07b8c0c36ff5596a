#!/usr/bin/python3
"""Latency of a live run (docs/performance.md, "Live latency"): a generator writes rows at a
steady rate into alertc's stdin, each carrying its send time; a row rule fires for 1% of rows;
arrival - send is measured (a) on alertc's --dry-run stdout, read through a pipe, and (b) at a
loopback webhook receiver, the notification having gone through the fsynced outbox.

Usage: bench/latency.py ALERTC [SECONDS]   prints p50/p99/max per rate and mode."""
import http.server, json, os, subprocess, sys, tempfile, threading, time

ALERTC = os.path.abspath(sys.argv[1])
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0

RULES = """schema Tick {{
  time ts: timestamp
  id: int
  sent_ns: int
}}
{channel}
rule Sample on Tick
  where id % 100 == 0
  message "{{sent_ns}}"
  notify out
"""


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def generate(proc, rate, seconds):
    """Writes `rate` rows a second for `seconds`, in 1 ms slices, each stamped when written,
    after one second of rows that fire nothing (start-up: compiling the rules, opening the
    outbox, and the first batches are not the steady state being measured)."""
    proc.stdin.write(b"ts,id,sent_ns\n")
    warm_until = time.perf_counter() + 1.0
    while time.perf_counter() < warm_until:
        now = time.time_ns()
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now / 1e9)) + f".{now % 1_000_000_000:09d}Z"
        proc.stdin.write(f"{ts},1,{now}\n".encode() * max(1, rate // 1000))
        proc.stdin.flush()
        time.sleep(0.001)
    start = time.perf_counter()
    sent = 0
    i = 0
    while True:
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
        due = int(elapsed * rate) + 1
        if due > sent:
            now = time.time_ns()
            ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now / 1e9)) + f".{now % 1_000_000_000:09d}Z"
            chunk = "".join(f"{ts},{i + k},{now}\n" for k in range(due - sent))
            i += due - sent
            sent = due
            proc.stdin.write(chunk.encode())
            proc.stdin.flush()
        else:
            time.sleep(0.0005)
    proc.stdin.close()
    return sent


def run_dry(rate, seconds):
    with tempfile.TemporaryDirectory() as d:
        rules = os.path.join(d, "r.alert")
        open(rules, "w").write(RULES.format(channel="channel out = stdout {}"))
        p = subprocess.Popen([ALERTC, "run", rules, "--input", "Tick=-", "--dry-run", "--state-dir", d + "/s"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        lat = []

        def read():
            for line in p.stdout:
                arrived = time.time_ns()
                lat.append((arrived - int(json.loads(line)["message"])) / 1e6)

        t = threading.Thread(target=read)
        t.start()
        sent = generate(p, rate, seconds)
        p.wait()
        t.join()
        return sent, lat


def run_webhook(rate, seconds):
    lat = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            arrived = time.time_ns()
            lat.append((arrived - int(json.loads(body)["message"])) / 1e6)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as d:
        rules = os.path.join(d, "r.alert")
        open(rules, "w").write(RULES.format(
            channel=f'channel out = webhook {{ url = "http://127.0.0.1:{server.server_port}/" }}'))
        p = subprocess.Popen([ALERTC, "run", rules, "--input", "Tick=-", "--state-dir", d + "/s"],
                             stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sent = generate(p, rate, seconds)
        p.wait()
    server.shutdown()
    return sent, lat


def report(name, rate, sent, lat):
    if not lat:
        print(f"{name:28} {rate:>7}/s  no alerts arrived")
        return
    print(f"{name:28} {rate:>7}/s  rows {sent:>8}  alerts {len(lat):>6}  "
          f"p50 {percentile(lat, 50):6.2f} ms  p90 {percentile(lat, 90):6.2f} ms  p99 {percentile(lat, 99):6.2f} ms  "
          f"max {max(lat):7.2f} ms")


if __name__ == "__main__":
    for rate in (1_000, 100_000):
        sent, lat = run_dry(rate, SECONDS)
        report("(a) --dry-run to a pipe", rate, sent, lat)
    sent, lat = run_webhook(1_000, SECONDS)
    report("(b) webhook via the outbox", 1_000, sent, lat)
