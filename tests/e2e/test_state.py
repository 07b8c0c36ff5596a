#!/usr/bin/python3
"""State across crashes and restarts (docs/language.md §12), with real processes and a real
receiver on loopback. The oracle is one uninterrupted run: a run killed with SIGKILL at random
moments and started again with the same command until it finishes must deliver exactly the same
notifications (distinct idempotency keys, and the same body for each) and write exactly the same
file channel bytes, with both engines and batch sizes 1 and 4096. Also: a kill inside the commit,
SIGTERM and restart, input split across two runs, a file that changed under the state.
Usage: test_state.py ALERTC"""
import json, os, random, shutil, signal, socket, subprocess, sys, tempfile, time, unittest
ALERTC = os.path.abspath(sys.argv.pop(1))
HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"

RULES = """schema Order {{
  time ts: timestamp
  sku: string
  store: int
  units: int
  price: float
}}
channel hook = webhook {{ url = "http://127.0.0.1:{port}/alerts", timeout = 30s }}
channel log = file {{ path = "{log}" }}
rule Big on Order
  where price > 99.0
  message "{{sku}} at {{price}}"
  notify hook, log
  throttle 10m by sku
rule Sales on Order
  window tumbling 10m
  group by sku
  let u = sum(units)
  let a = avg(price)
  let top = max(price)
  let last_store = last(store)
  having u > 1.4 * mean_prev(u, 3)
  for 20m
  message "{{sku}} sold {{u}} avg {{a:.2f}} top {{top}} last at {{last_store}}"
  notify hook, log
rule Busy on Order
  window sliding 30m every 10m
  lateness 1m
  group by store
  let n = count()
  let skus = count_distinct(sku)
  having n > 700
  expire 20m
  message "store {{store}}: {{n}} orders of {{skus}} skus"
  notify hook, log
  throttle 1h
"""


def orders_csv(rows, seed=1, start=0):
    rng = random.Random(seed)
    t = 1767225600 + start
    lines = ["ts,sku,store,units,price"]
    for _ in range(rows):
        t += rng.randint(0, 3)
        ts = t - (rng.randint(0, 90) if rng.random() < 0.05 else 0)  # some late, some past the lateness
        hot = rng.random() < 0.3 and (t // 3000) % 7 == 0  # bursts: sales spikes
        lines.append(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) +
                     f",SKU-{rng.randint(0, 39)},{rng.randint(0, 9)},{rng.randint(1, 9) * (3 if hot else 1)},"
                     f"{rng.randint(100, 9999) / 100}")
    return "\n".join(lines) + "\n"


class Receiver:
    def __init__(self, log):
        self.log = log
        open(log, "w").close()
        self.proc = subprocess.Popen([PY, os.path.join(HERE, "receiver.py"), log, "--lifetime", "900"],
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline())

    def by_key(self):
        """Idempotency key -> the set of bodies received with it."""
        out = {}
        with open(self.log) as f:
            for r in map(json.loads, f):
                if r["status"] == 200:
                    out.setdefault(r["headers"]["Idempotency-Key"], set()).add(r["body"])
        return out

    def stop(self):
        self.proc.kill()
        self.proc.wait()


class StateTest(unittest.TestCase):
    data = None

    @classmethod
    def setUpClass(cls):
        cls.shared = tempfile.mkdtemp(prefix="alertc_state_data_")
        cls.data = os.path.join(cls.shared, "orders.csv")
        with open(cls.data, "w") as f:
            f.write(orders_csv(200_000))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.shared, ignore_errors=True)

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="alertc_state_")
        self.receivers = []

    def tearDown(self):
        for r in self.receivers:
            r.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def setup_run(self, name):
        """A receiver, a file channel and a rules file of their own; the command to run."""
        r = Receiver(self.path(name + "-received.jsonl"))
        self.receivers.append(r)
        log = self.path(name + "-log.jsonl")
        rules = self.path(name + ".alert")
        with open(rules, "w") as f:
            f.write(RULES.format(port=r.port, log=log))
        return r, log, rules

    def command(self, rules, name, *flags, data=None):
        return [ALERTC, "run", rules, "--input", f"Order={data or self.data}", "--state-dir", self.path(name + "-state"),
                "--drain-timeout", "60", *flags]

    def oracle(self):
        if not hasattr(StateTest, "_oracle"):
            r, log, rules = self.setup_run("oracle")
            out = subprocess.run(self.command(rules, "oracle", "--engine", "interp"), capture_output=True, text=True,
                                 timeout=600)
            self.assertEqual(out.returncode, 0, out.stderr)
            with open(log, "rb") as f:
                StateTest._oracle = (r.by_key(), f.read())
        return StateTest._oracle

    def assert_same_as_oracle(self, r, log, what):
        keys, log_bytes = self.oracle()
        got = r.by_key()
        self.assertGreater(len(keys), 100, "the oracle run is too quiet to test anything")
        missing = set(keys) - set(got)
        extra = set(got) - set(keys)
        self.assertFalse(missing, f"{what}: {len(missing)} notifications never arrived")
        self.assertFalse(extra, f"{what}: {len(extra)} notifications the oracle never sent")
        for k, bodies in got.items():
            self.assertEqual(len(bodies), 1, f"{what}: key {k} came with different bodies")
            self.assertEqual(bodies, keys[k], f"{what}: key {k} has another body than the oracle's")
        with open(log, "rb") as f:
            self.assertEqual(f.read(), log_bytes, f"{what}: the file channel differs from the oracle's")

    def crash_until_done(self, engine, batch_size):
        name = f"crash-{engine}-{batch_size}"
        r, log, rules = self.setup_run(name)
        rng = random.Random(hash(name) & 0xffff)
        # Batches of 4096 take ~50 of them to read 200k rows: a checkpoint after each, and kills
        # soon after the start (compiling the rules takes part of that).
        cmd = self.command(rules, name, "--engine", engine, "--batch-size", str(batch_size),
                           "--checkpoint-interval", "50ms" if batch_size < 100 else "1ms")
        longest = 0.2 if batch_size < 100 else 0.12
        kills = starts = 0
        while True:
            starts += 1
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if kills < 20:
                try:
                    proc.wait(timeout=rng.uniform(0.005, longest))
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                    kills += 1
                    continue
            else:
                proc.wait(timeout=600)
            err = proc.stderr.read()
            self.assertEqual(proc.returncode, 0, err)
            break
        self.assertGreaterEqual(kills, 20, f"the run finished after {kills} kills: the test needs 20")
        self.assert_same_as_oracle(r, log, f"{engine}, batch size {batch_size}, {kills} kills")
        return err

    def test_kill_9_at_random_moments_jit_batch_1(self):
        self.crash_until_done("jit", 1)

    def test_kill_9_at_random_moments_jit_batch_4096(self):
        self.crash_until_done("jit", 4096)

    def test_kill_9_at_random_moments_interp_batch_1(self):
        self.crash_until_done("interp", 1)

    def test_kill_9_at_random_moments_interp_batch_4096(self):
        err = self.crash_until_done("interp", 4096)
        self.assertIn("resumed from", err)

    def test_a_kill_inside_the_commit_recovers_the_previous_checkpoint(self):
        r, log, rules = self.setup_run("in-commit")
        cmd = self.command(rules, "in-commit", "--batch-size", "512", "--checkpoint-interval", "1ms")
        env = dict(os.environ, ALERTC_TEST_KILL_IN_COMMIT="25")
        died = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        self.assertEqual(died.returncode, -signal.SIGKILL, "the fault hook did not fire")
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("resumed from", out.stderr)
        self.assert_same_as_oracle(r, log, "killed inside a commit")

    def test_sigterm_mid_window_then_restart_gives_the_alerts_of_one_run(self):
        r, log, rules = self.setup_run("sigterm")
        cmd = self.command(rules, "sigterm", "--batch-size", "64")
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(0.4)
        proc.send_signal(signal.SIGTERM)
        first = proc.communicate(timeout=120)[1]
        self.assertEqual(proc.returncode, 0, first)
        self.assertIn("stopped by a signal", first)
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("resumed from", out.stderr)
        self.assert_same_as_oracle(r, log, "SIGTERM and a restart")

    def test_split_input_across_two_runs(self):
        # The first part ends with a quiet hour, so every window it opened has closed by its own
        # rows: the end of a file closes what is open (docs/language.md §11).
        lines = open(self.data).read().splitlines(keepends=True)
        header, rows = lines[0], lines[1:]
        cut = len(rows) // 2
        first, second = self.path("first.csv"), self.path("second.csv")
        with open(first, "w") as f:
            f.write(header + "".join(rows[:cut]))
        with open(second, "w") as f:
            f.write(header + "".join(rows[cut:]))
        r, log, rules = self.setup_run("split")
        whole = self.path("whole.csv")
        # One run over both parts, and the parts in two runs with one state folder.
        r2, log2, rules2 = self.setup_run("split-oracle")
        with open(whole, "w") as f:
            f.write(header + "".join(rows))
        one = subprocess.run(self.command(rules2, "split-oracle", data=whole), capture_output=True, text=True, timeout=600)
        self.assertEqual(one.returncode, 0, one.stderr)
        for part in (first, second):
            out = subprocess.run(self.command(rules, "split", data=part), capture_output=True, text=True, timeout=600)
            self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("resumed from", out.stderr)
        # Windows open when the first part ended were closed by that end of input: only alerts of
        # the cut's own hour may differ. (Row alerts' keys name their file and line, which
        # differ between the parts and the whole: the bodies are compared.)
        cut_hour = rows[cut - 1].split(",")[0][:13] + ":00:00Z"
        def bodies(receiver, before):
            out = set()
            for bs in receiver.by_key().values():
                for b in bs:
                    t = json.loads(b)["time"]
                    if (t < cut_hour) == before:
                        out.add(b)
            return out
        def brief(items):
            return sorted((json.loads(b)["time"], json.loads(b)["rule"], json.loads(b)["state"]) for b in items)[:10]
        self.assertEqual(bodies(r, True), bodies(r2, True),
                         f"cut at {rows[cut - 1][:20]}: only split {brief(bodies(r, True) - bodies(r2, True))}, "
                         f"only whole {brief(bodies(r2, True) - bodies(r, True))}")
        self.assertGreater(len(bodies(r2, True)), 50)
        # The second run goes on from the state: once the windows, histories (3 windows), `for`
        # runs and throttles (1h) the cut touched are past, three hours on, all is the same again.
        next_hour = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(
            time.mktime(time.strptime(cut_hour, "%Y-%m-%dT%H:%M:%SZ")) - time.timezone + 3 * 3600))
        later = lambda rec: {b for b in bodies(rec, False) if json.loads(b)["time"] >= next_hour}
        self.assertEqual(later(r), later(r2), f"cut at {rows[cut - 1][:20]}, from {next_hour}: only split "
                         f"{brief(later(r) - later(r2))}, only whole {brief(later(r2) - later(r))}")
        self.assertGreater(len(later(r2)), 50)

    def test_a_file_that_changed_under_the_state_is_refused_by_name(self):
        r, log, rules = self.setup_run("changed")
        data = self.path("orders.csv")
        with open(data, "w") as f:
            f.write(orders_csv(5000))
        out = subprocess.run(self.command(rules, "changed", data=data), capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(data, "w") as f:
            f.write(orders_csv(100, seed=2))
        again = subprocess.run(self.command(rules, "changed", data=data), capture_output=True, text=True, timeout=120)
        self.assertEqual(again.returncode, 2)
        self.assertIn(data, again.stderr)
        self.assertIn("is not the file the checkpoint", again.stderr)
        fresh = subprocess.run(self.command(rules, "changed", "--fresh", data=data), capture_output=True, text=True,
                               timeout=120)
        self.assertEqual(fresh.returncode, 0, fresh.stderr)
        self.assertNotIn("resumed from", fresh.stderr)

    def test_a_damaged_state_is_exit_3_naming_the_folder(self):
        r, log, rules = self.setup_run("damaged")
        data = self.path("orders.csv")
        with open(data, "w") as f:
            f.write(orders_csv(2000))
        out = subprocess.run(self.command(rules, "damaged", data=data), capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        import sqlite3
        db = self.path("damaged-state/outbox.db")
        with sqlite3.connect(db) as c:
            c.execute("UPDATE checkpoint SET engine = substr(engine, 1, length(engine) - 9)")
        again = subprocess.run(self.command(rules, "damaged", data=data), capture_output=True, text=True, timeout=120)
        self.assertEqual(again.returncode, 3, again.stderr)
        self.assertIn(self.path("damaged-state"), again.stderr)
        self.assertIn("damaged", again.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
