#!/usr/bin/python3
"""End-to-end delivery tests against real servers on loopback, started here: an HTTP receiver
(receiver.py) that can answer 500, stall or drop connections, an SMTP server (aiosmtpd), and
Prometheus Alertmanager from Debian, checked through its own API.

Usage: test_delivery.py ALERTC   (ctest runs it; Debian's python3 for aiosmtpd)"""
import glob, json, os, warnings, shutil, signal, socket, sqlite3, subprocess, sys, tempfile, time, unittest, urllib.request

ALERTC = os.path.abspath(sys.argv.pop(1))
HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"

SCHEMA = """schema Reading {
  time ts: timestamp
  sensor: string
  value: float
}
"""


def csv_rows(n, start=0, spike_every=1):
    lines = ["ts,sensor,value"]
    for i in range(start, start + n):
        value = 150.0 if i % spike_every == 0 else 10.0
        lines.append(f"2026-03-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:{i % 60:02d}Z,s{i % 7},{value}")
    return "\n".join(lines) + "\n"


def outbox_count(db):
    """Rows in the outbox, or -1 while it is not there yet (the file may exist before its table)."""
    try:
        with sqlite3.connect(db, timeout=1) as c:
            return c.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    except sqlite3.Error:
        return -1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class Server:
    """A server process that prints its port on its first line of output."""

    def __init__(self, argv):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def stop(self):
        self.proc.kill()
        self.proc.wait()


class DeliveryTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="alertc_e2e_")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def receiver(self, *flags):
        log = self.path(f"received{len(self.servers)}.jsonl")
        open(log, "w").close()
        s = Server([PY, os.path.join(HERE, "receiver.py"), log, *flags])
        s.log = log
        self.servers.append(s)
        return s

    def received(self, server, status=200):
        with open(server.log) as f:
            return [r for r in map(json.loads, f) if r["status"] == status]

    def program(self, channels, notify, extra_rule=""):
        return self.write("rules.alert", SCHEMA + channels + f"""
rule Hot on Reading
  where value > 100.0
  labels {{ sensor = sensor }}
  message "{{sensor}} at {{value}}"
  notify {notify}
{extra_rule}""")

    def run_alertc(self, rules, csv_text, *flags, env=None, timeout=120, name="input.csv"):
        data = self.write(name, csv_text)
        argv = [ALERTC, "run", rules, "--input", f"Reading={data}", "--state-dir", self.path("state"), *flags]
        e = dict(os.environ, ALERTC_RETRY_BASE_MS="50", **(env or {}))
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=e)

    def test_webhook_delivers_each_alert_once_with_headers_and_idempotency_keys(self):
        r = self.receiver()
        rules = self.program(f'channel hook = webhook {{ url = "http://127.0.0.1:{r.port}/alerts", '
                             f'headers = {{"Authorization": env("HOOK_TOKEN")}} }}\n', "hook")
        out = self.run_alertc(rules, csv_rows(20), env={"HOOK_TOKEN": "Bearer t0k3n"})
        self.assertEqual(out.returncode, 0, out.stderr)
        got = self.received(r)
        self.assertEqual(len(got), 20)
        self.assertEqual(len({g["headers"]["Idempotency-Key"] for g in got}), 20)
        self.assertTrue(all(g["headers"]["Authorization"] == "Bearer t0k3n" for g in got))
        first = json.loads(got[0]["body"])
        self.assertEqual(first["rule"], "Hot")
        self.assertEqual(first["message"], "s0 at 150")
        self.assertIn("channel hook (webhook): 20 sent, 0 retried, 0 failed, 0 dead-lettered", out.stderr)
        self.assertNotIn("t0k3n", out.stderr + out.stdout)

    def test_ten_thousand_alerts_with_equal_times_and_labels_get_distinct_keys(self):
        # Two readings in the same second with the same labels are two alerts: each row is its
        # own alert, so a receiver that drops repeated Idempotency-Keys must still get every one.
        # The fingerprint (rule + group + labels, as Alertmanager's) is the same for all of them.
        r = self.receiver()
        rules = self.program(f'channel hook = webhook {{ url = "http://127.0.0.1:{r.port}/" }}\n', "hook")
        rows = "ts,sensor,value\n" + "2026-03-01T00:00:00Z,s1,150.0\n" * 10_000
        out = self.run_alertc(rules, rows)
        self.assertEqual(out.returncode, 0, out.stderr)
        got = self.received(r)
        self.assertEqual(len(got), 10_000)
        keys = {g["headers"]["Idempotency-Key"] for g in got}
        self.assertEqual(len(keys), 10_000)
        self.assertEqual(len({json.loads(g["body"])["fingerprint"] for g in got}), 1)
        # The same input again, from a fresh state folder: the same keys (stable across restarts).
        shutil.rmtree(self.path("state"))
        open(r.log, "w").close()
        self.assertEqual(self.run_alertc(rules, rows).returncode, 0)
        self.assertEqual({g["headers"]["Idempotency-Key"] for g in self.received(r)}, keys)

    def test_rate_sends_no_faster_than_asked(self):
        r = self.receiver()
        rules = self.program(f'channel hook = webhook {{ url = "http://127.0.0.1:{r.port}/", rate = 2 }}\n', "hook")
        out = self.run_alertc(rules, csv_rows(7))
        self.assertEqual(out.returncode, 0, out.stderr)
        times = sorted(g["at"] for g in self.received(r))
        self.assertEqual(len(times), 7)
        # A bucket of one second's worth (2) goes at once, then one every half second.
        self.assertGreaterEqual(times[-1] - times[0], 2.3)
        for a, b in zip(times[2:], times[3:]):
            self.assertGreaterEqual(b - a, 0.4)

    def test_a_429_with_retry_after_is_waited_out_and_not_a_failure(self):
        r = self.receiver("--throttle-first", "1", "--retry-after", "2")
        rules = self.program(f'channel hook = webhook {{ url = "http://127.0.0.1:{r.port}/", max_retries = 0 }}\n',
                             "hook")
        out = self.run_alertc(rules, csv_rows(2))
        self.assertEqual(out.returncode, 0, out.stderr)  # max_retries = 0, yet nothing dead-lettered
        throttled, ok = self.received(r, 429), self.received(r)
        self.assertEqual(len(throttled), 1)
        self.assertEqual(len(ok), 2)
        self.assertGreaterEqual(min(g["at"] for g in ok) - throttled[0]["at"], 1.9)
        self.assertEqual(ok[0]["headers"]["Idempotency-Key"], throttled[0]["headers"]["Idempotency-Key"])
        self.assertIn("2 sent, 0 retried, 0 failed, 0 dead-lettered, 1 throttled by the receiver", out.stderr)

    def test_slack_format_sends_text_and_blocks(self):
        r = self.receiver()
        rules = self.program(f'channel slack = webhook {{ url = "http://127.0.0.1:{r.port}/", format = "slack" }}\n',
                             "slack")
        out = self.run_alertc(rules, csv_rows(1))
        self.assertEqual(out.returncode, 0, out.stderr)
        body = json.loads(self.received(r)[0]["body"])
        self.assertEqual(body["text"], "[warning] Hot firing: s0 at 150")
        self.assertEqual(body["blocks"][1]["text"]["text"], "s0 at 150")
        self.assertIn("sensor=s0", body["blocks"][2]["fields"][2]["text"])

    def test_bundling_sends_arrays_of_up_to_max_batch(self):
        r = self.receiver()
        rules = self.program(f'channel hook = webhook {{ url = "http://127.0.0.1:{r.port}/", max_batch = 10, '
                             f'group_wait = 100ms }}\n', "hook")
        out = self.run_alertc(rules, csv_rows(25))
        self.assertEqual(out.returncode, 0, out.stderr)
        bodies = [json.loads(g["body"]) for g in self.received(r)]
        self.assertTrue(all(isinstance(b, list) and 1 <= len(b) <= 10 for b in bodies))
        self.assertEqual(sum(len(b) for b in bodies), 25)
        self.assertLessEqual(len(bodies), 5)
        self.assertEqual(sorted(a["time"] for b in bodies for a in b), sorted(set(a["time"] for b in bodies for a in b)))

    def test_failures_are_retried_with_the_same_key_until_accepted(self):
        r = self.receiver("--fail-first", "3")
        rules = self.program(f'channel hook = webhook {{ url = "http://127.0.0.1:{r.port}/", max_retries = 5 }}\n',
                             "hook")
        out = self.run_alertc(rules, csv_rows(2))
        self.assertEqual(out.returncode, 0, out.stderr)
        failed, ok = self.received(r, 500), self.received(r)
        self.assertEqual(len(failed), 3)
        self.assertEqual(len(ok), 2)
        keys_ok = {g["headers"]["Idempotency-Key"] for g in ok}
        self.assertTrue({g["headers"]["Idempotency-Key"] for g in failed} <= keys_ok)
        self.assertIn("2 sent, 3 retried, 3 failed, 0 dead-lettered", out.stderr)

    def test_a_receiver_that_keeps_failing_ends_in_the_dead_letter_file(self):
        r = self.receiver("--mode", "500")
        rules = self.program(f'channel hook = webhook {{ url = "http://127.0.0.1:{r.port}/", max_retries = 2 }}\n',
                             "hook")
        out = self.run_alertc(rules, csv_rows(2))
        self.assertEqual(out.returncode, 4, out.stderr)  # finished, but some notifications were dead-lettered
        self.assertIn("2 notifications were dead-lettered", out.stderr)
        self.assertEqual(len(self.received(r, 500)), 6)  # 3 attempts each
        with open(self.path("state/dead-letter.jsonl")) as f:
            dead = [json.loads(l) for l in f]
        self.assertEqual(len(dead), 2)
        self.assertEqual(dead[0]["reason"], "HTTP 500")
        self.assertEqual(dead[0]["attempts"], 3)
        self.assertIn("0 sent, 4 retried, 6 failed, 2 dead-lettered", out.stderr)

    def test_a_stalled_receiver_blocks_neither_evaluation_nor_other_channels(self):
        stalled, healthy = self.receiver("--mode", "stall"), self.receiver()
        rules = self.program(
            f'channel slow = webhook {{ url = "http://127.0.0.1:{stalled.port}/", timeout = 30s }}\n'
            f'channel fast = webhook {{ url = "http://127.0.0.1:{healthy.port}/" }}\n', "slow, fast")
        started = time.time()
        out = self.run_alertc(rules, csv_rows(50), "--drain-timeout", "2")
        elapsed = time.time() - started
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(len(self.received(healthy)), 50)
        self.assertLess(elapsed, 10)  # bounded by the drain timeout, not by the stalled receiver
        self.assertRegex(out.stderr, r"channel slow \(webhook\): 0 sent, .* left in the outbox for the next start")

    def test_dropped_connections_are_retried(self):
        r = self.receiver("--mode", "drop")
        rules = self.program(f'channel hook = webhook {{ url = "http://127.0.0.1:{r.port}/", max_retries = 50 }}\n',
                             "hook")
        data = self.write("input.csv", csv_rows(5))
        proc = subprocess.Popen([ALERTC, "run", rules, "--input", f"Reading={data}", "--state-dir", self.path("state"),
                                 "--drain-timeout", "20"], stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, ALERTC_RETRY_BASE_MS="50"))
        # Back to normal once a connection was dropped (not after a fixed time: under load or a
        # sanitizer the first attempt can come late, and then nothing would be retried).
        self.assertTrue(wait_until(lambda: len(self.received(r, status=0)) >= 1), "no request reached the receiver")
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{r.port}/_mode", data=b"ok"))
        _, err = proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0, err)
        self.assertEqual(len({g["headers"]["Idempotency-Key"] for g in self.received(r)}), 5)
        self.assertRegex(err, r"5 sent, [1-9][0-9]* retried")

    def test_kill_9_loses_nothing_and_a_restart_with_empty_input_delivers_the_rest(self):
        r = self.receiver("--mode", "stall")
        rules = self.program(f'channel hook = webhook {{ url = "http://127.0.0.1:{r.port}/", timeout = 60s }}\n',
                             "hook")
        expected = subprocess.run([ALERTC, "run", rules, "--input", f"Reading={self.write('all.csv', csv_rows(300, spike_every=3))}",
                                   "--dry-run"], capture_output=True, text=True)
        n_expected = len(expected.stdout.splitlines())
        self.assertEqual(n_expected, 100)
        data = self.write("input.csv", csv_rows(300, spike_every=3))
        proc = subprocess.Popen([ALERTC, "run", rules, "--input", f"Reading={data}", "--state-dir", self.path("state"),
                                 "--batch-size", "10", "--drain-timeout", "60"], stderr=subprocess.DEVNULL)
        db = self.path("state/outbox.db")

        self.assertTrue(wait_until(lambda: outbox_count(db) >= n_expected - 1), "the outbox never held the notifications")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{r.port}/_mode", data=b"ok"))
        # Nothing new (another file: the state remembers where input.csv was left): only what was left.
        out = self.run_alertc(rules, "ts,sensor,value\n", name="empty.csv")
        self.assertEqual(out.returncode, 0, out.stderr)
        keys = {g["headers"]["Idempotency-Key"] for g in self.received(r)}
        messages = {json.loads(g["body"])["message"] + json.loads(g["body"])["time"] for g in self.received(r)}
        self.assertEqual(len(keys), n_expected, out.stderr)
        want = {json.loads(l)["message"] + json.loads(l)["time"] for l in expected.stdout.splitlines()}
        self.assertEqual(messages, want)

    def test_sigterm_stops_reading_flushes_and_keeps_the_rest_for_the_next_start(self):
        r = self.receiver("--mode", "stall")
        rules = self.program(f'channel hook = webhook {{ url = "http://127.0.0.1:{r.port}/", timeout = 60s }}\n',
                             "hook")
        # Input that never ends: the run only stops on the signal.
        proc = subprocess.Popen([ALERTC, "run", rules, "--input", "Reading=-", "--state-dir", self.path("state"),
                                 "--batch-size", "1", "--drain-timeout", "1"], stdin=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        proc.stdin.write(csv_rows(5))
        proc.stdin.flush()
        db = self.path("state/outbox.db")
        self.assertTrue(wait_until(lambda: outbox_count(db) >= 4))
        time.sleep(0.3)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn("stopped by a signal", err)
        self.assertIn("left in the outbox for the next start", err)
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{r.port}/_mode", data=b"ok"))
        out = self.run_alertc(rules, "ts,sensor,value\n")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(len({g["headers"]["Idempotency-Key"] for g in self.received(r)}), 5)

    def test_email_goes_through_a_real_smtp_server(self):
        log = self.path("mail.jsonl")
        smtp = Server([PY, os.path.join(HERE, "smtp_sink.py"), log])
        self.servers.append(smtp)
        rules = self.program(
            f'channel mail = email {{ smtp = "smtp://127.0.0.1:{smtp.port}", from = "alertc@example.org", '
            f'to = ["oncall@example.org", "lead@example.org"], subject = "[{{severity}}] {{rule}} on {{sensor}}" }}\n',
            "mail")
        out = self.run_alertc(rules, csv_rows(2))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertTrue(wait_until(lambda: os.path.exists(log) and len(open(log).readlines()) == 2))
        mails = [json.loads(l) for l in open(log)]
        self.assertEqual(mails[0]["from"], "alertc@example.org")
        self.assertEqual(sorted(mails[0]["to"]), ["lead@example.org", "oncall@example.org"])
        self.assertIn("Subject: [warning] Hot on s0", mails[0]["message"])
        self.assertRegex(mails[0]["message"], r"Message-ID: <[0-9a-f]{32}@alertc>")
        self.assertIn("s0 at 150", mails[0]["message"])
        self.assertIn("2 sent", out.stderr)

    def test_alertmanager_receives_firing_and_resolved_alerts(self):
        am = shutil.which("prometheus-alertmanager")
        self.assertIsNotNone(am, "prometheus-alertmanager is not installed (tools/install-deps.sh)")
        port, cluster = free_port(), free_port()
        self.write("am.yml", "route:\n  receiver: none\nreceivers:\n  - name: none\n")
        proc = subprocess.Popen([am, f"--config.file={self.path('am.yml')}", f"--storage.path={self.path('am')}",
                                 f"--web.listen-address=127.0.0.1:{port}", f"--cluster.listen-address=127.0.0.1:{cluster}",
                                 "--log.level=error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: (proc.kill(), proc.wait()))
        api = f"http://127.0.0.1:{port}/api/v2/alerts"

        def ready():
            try:
                return urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1).status == 200
            except OSError:
                return False
        self.assertTrue(wait_until(ready, 30), "alertmanager did not start")
        rules = self.write("rules.alert", SCHEMA + f"""
channel am = alertmanager {{ url = "http://127.0.0.1:{port}" }}
rule HotSensor on Reading
  window tumbling 1m
  group by sensor
  let peak = max(value)
  having peak > 100.0
  labels {{ team = "plant" }}
  message "{{sensor}} peaked at {{peak}}"
  notify am
""")
        # s1 is hot in the first minute and cools down in the second: firing, then resolved.
        # s2 is hot in the last minute: still firing at the end.
        rows = "ts,sensor,value\n" + "".join(
            f"2026-03-01T00:0{m}:{s:02d}Z,{sensor},{v}\n"
            for m, sensor, v in [(0, "s1", 150.0), (1, "s1", 10.0), (2, "s2", 10.0), (3, "s2", 150.0)] for s in (5, 30))
        out = self.run_alertc(rules, rows)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("channel am (alertmanager): 3 sent", out.stderr)
        alerts = json.load(urllib.request.urlopen(api))
        by_sensor = {a["labels"]["sensor"]: a for a in alerts}
        self.assertEqual(by_sensor["s2"]["status"]["state"], "active")
        self.assertEqual(by_sensor["s2"]["labels"]["alertname"], "HotSensor")
        self.assertEqual(by_sensor["s2"]["labels"]["team"], "plant")
        self.assertEqual(by_sensor["s2"]["annotations"]["message"], "s2 peaked at 150")
        # The resolved alert has ended: Alertmanager lists it only among inactive alerts, if at all.
        active = json.load(urllib.request.urlopen(api + "?active=true&silenced=false&inhibited=false"))
        self.assertNotIn("s1", {a["labels"]["sensor"] for a in active})
        if "s1" in by_sensor:
            self.assertLess(by_sensor["s1"]["endsAt"], "2026-03-01T00:03:00")

    def test_firing_alerts_are_re_sent_to_alertmanager_while_the_run_goes_on(self):
        # The receiver stands in for Alertmanager to count the posts; input stays open on a pipe.
        r = self.receiver()
        rules = self.program(f'channel am = alertmanager {{ url = "http://127.0.0.1:{r.port}", resend_interval = 1s }}\n',
                             "am")
        proc = subprocess.Popen([ALERTC, "run", rules, "--input", "Reading=-", "--state-dir", self.path("state"),
                                 "--batch-size", "1"], stdin=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        proc.stdin.write(csv_rows(2))
        proc.stdin.flush()
        self.assertTrue(wait_until(lambda: len(self.received(r)) >= 3, 15), "no re-send within 15 s")
        proc.stdin.close()
        err = proc.stderr.read()
        proc.wait(timeout=30)
        self.assertEqual(proc.returncode, 0, err)
        posts = self.received(r)
        self.assertTrue(all(p["path"] == "/api/v2/alerts" for p in posts))
        first, resent = json.loads(posts[0]["body"]), json.loads(posts[-1]["body"])
        self.assertEqual({a["labels"]["sensor"] for a in resent}, {"s0", "s1"})
        self.assertEqual(first[0]["labels"]["alertname"], "Hot")

    def test_secrets_never_appear_in_any_output(self):
        # A token in a header and a password in the SMTP URL, both from the environment; every
        # failure path fires: refused connections, HTTP 500, dead letters, a missing variable.
        r = self.receiver("--mode", "500")
        closed = free_port()
        secrets = {"HOOK_TOKEN": "sekrit-header-value-123", "SMTP_URL": f"smtp://alertc:pa55-w0rd-xyz@127.0.0.1:{closed}"}
        rules = self.program(
            f'channel hook = webhook {{ url = "http://127.0.0.1:{r.port}/", max_retries = 1, '
            f'headers = {{"X-Token": env("HOOK_TOKEN")}} }}\n'
            f'channel dead = webhook {{ url = "http://127.0.0.1:{closed}/", max_retries = 1, '
            f'headers = {{"X-Token": env("HOOK_TOKEN")}} }}\n'
            f'channel mail = email {{ smtp = env("SMTP_URL"), from = "a@b.c", to = ["d@e.f"], max_retries = 1 }}\n',
            "hook, dead, mail")
        outputs = []
        for flags in ([], ["--dry-run"]):
            out = self.run_alertc(rules, csv_rows(3), *flags, env=secrets)
            # Dead letters end the run with 4; a dry run sends nothing and ends with 0.
            self.assertEqual(out.returncode, 0 if flags else 4, out.stderr)
            outputs += [out.stdout, out.stderr]
        missing = self.run_alertc(rules, csv_rows(1), env={"HOOK_TOKEN": secrets["HOOK_TOKEN"]})
        self.assertNotEqual(missing.returncode, 0)
        self.assertIn("environment variable 'SMTP_URL' is not set", missing.stderr)
        outputs += [missing.stdout, missing.stderr]
        for f in glob.glob(self.path("state/*.jsonl")):
            outputs.append(open(f).read())
        self.assertIn("dead-lettered", outputs[1])
        everything = "\n".join(outputs)
        self.assertIn("Couldn't connect to server", everything)  # the failure paths really ran
        for secret in ("sekrit-header-value-123", "pa55-w0rd-xyz"):
            self.assertNotIn(secret, everything)


if __name__ == "__main__":
    warnings.simplefilter("ignore", ResourceWarning)  # subprocess pipes closed with their servers
    unittest.main(verbosity=2)
