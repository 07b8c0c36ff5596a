#!/usr/bin/python3
"""Live operation end to end (docs/language.md §11), with real processes: alertc reading pipes,
FIFOs and followed files while a writer in this test feeds them. Every wait is on a condition
(an alert line arriving, a file growing) with a deadline; nothing sleeps to make a test pass.

Usage: test_live.py ALERTC"""
import datetime, json, os, select, shutil, signal, subprocess, sys, tempfile, time, unittest

ALERTC = os.path.abspath(sys.argv.pop(1))

RULES = """schema Order {
  time ts: timestamp
  sku: string
  qty: int
}
schema Scan {
  time ts: timestamp
  parcel: string
}
channel out = stdout {}
rule Big on Order
  where qty > 5
  message "{sku} {qty}"
  notify out
rule Silent on Order
  window tumbling 1s
  group by sku
  let n = count()
  having n == 0
  expire 1m
  message "{sku} silent"
  notify out
rule Scanned on Scan
  message "{parcel}"
  notify out
"""


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Lines:
    """Reads a process's stdout line by line with a deadline."""

    def __init__(self, stream):
        self.stream, self.buf = stream, b""

    def next(self, timeout):
        deadline = time.time() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.stream], [], [], left)
            if r:
                chunk = os.read(self.stream.fileno(), 65536)
                if not chunk:
                    return None
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)


class LiveTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="alertc_live_")
        self.rules = self.path("rules.alert")
        with open(self.rules, "w") as f:
            f.write(RULES)
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def start(self, *args, stdin=subprocess.PIPE, stdout=subprocess.PIPE):
        p = subprocess.Popen([ALERTC, "run", self.rules, "--dry-run", "--state-dir", self.path("state"), *args],
                             stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
        self.procs.append(p)
        return p

    def test_a_row_in_a_pipe_gives_its_alert_before_the_next_row_is_written(self):
        for engine in ("jit", "interp"):
            p = self.start("--input", "Order=-", "--engine", engine)
            out = Lines(p.stdout)
            p.stdin.write(b"ts,sku,qty\n")
            now = datetime.datetime.now(datetime.timezone.utc)
            for i in range(5):
                p.stdin.write(f"{stamp(now + datetime.timedelta(milliseconds=i))},S{i},{10 + i}\n".encode())
                p.stdin.flush()
                alert = out.next(timeout=5)  # before row i+1 is written
                self.assertIsNotNone(alert, f"no alert for row {i} while the pipe is open ({engine})")
                self.assertEqual(alert["message"], f"S{i} {10 + i}")
            p.stdin.close()
            self.assertEqual(p.wait(timeout=30), 0)

    def test_silence_fires_on_a_quiet_pipe_and_a_file_gives_todays_alerts(self):
        p = self.start("--input", "Order=-", "--idle-timeout", "300ms")
        out = Lines(p.stdout)
        now = datetime.datetime.now(datetime.timezone.utc)
        p.stdin.write(f"ts,sku,qty\n{stamp(now)},A,1\n".encode())
        p.stdin.flush()
        written = time.time()
        # The row's window ends at the next second; the next window is silent. Its close comes
        # once the clock passes its end: within window end + idle-timeout + a margin.
        window_end = int(now.timestamp()) + 2
        alert = out.next(timeout=15)
        arrived = time.time()
        self.assertIsNotNone(alert, "silence did not fire while the pipe was open")
        self.assertEqual((alert["rule"], alert["state"], alert["group"]), ("Silent", "firing", {"sku": "A"}))
        self.assertLess(arrived, window_end + 0.3 + 1.0)
        self.assertGreaterEqual(arrived, window_end - 0.05)
        self.assertLess(written, arrived)
        p.stdin.close()
        p.wait(timeout=30)
        # The same rows from a file: no wall clock; the silent window is never closed by a row,
        # so nothing fires (the end of input closes only up to the last row's window).
        data = self.path("one.csv")
        with open(data, "w") as f:
            f.write(f"ts,sku,qty\n{stamp(now)},A,1\n")
        r = subprocess.run([ALERTC, "run", self.rules, "--dry-run", "--input", f"Order={data}", "--idle-timeout", "300ms",
                            "--state-dir", self.path("state2")], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "")

    def test_several_live_inputs_one_stalled_are_all_evaluated(self):
        fifos = [self.path(n) for n in ("orders1", "orders2", "scans")]
        for f in fifos:
            os.mkfifo(f)
        stalled = self.path("stalled")
        os.mkfifo(stalled)
        p = self.start("--input", f"Order={fifos[0]}", "--input", f"Order={fifos[1]}", "--input", f"Scan={fifos[2]}",
                       "--input", f"Order={stalled}", stdin=subprocess.DEVNULL)
        out = Lines(p.stdout)
        writers = [open(f, "w") for f in fifos]
        stall_writer = open(stalled, "w")  # opened, header only, then nothing: a stalled input
        stall_writer.write("ts,sku,qty\n")
        stall_writer.flush()
        now = stamp(datetime.datetime.now(datetime.timezone.utc))
        writers[0].write(f"ts,sku,qty\n{now},one,9\n")
        writers[1].write(f"ts,sku,qty\n{now},two,9\n")
        writers[2].write(f"ts,parcel\n{now},P1\n")
        for w in writers:
            w.flush()
        got = set()
        for _ in range(3):
            a = out.next(timeout=10)
            self.assertIsNotNone(a, f"only {got} arrived while one input was stalled")
            got.add(a["message"])
        self.assertEqual(got, {"one 9", "two 9", "P1"})
        for w in writers + [stall_writer]:
            w.close()
        self.assertEqual(p.wait(timeout=30), 0)

    def test_follow_across_a_rotation_loses_no_row_and_reads_none_twice(self):
        log = self.path("orders.csv")
        with open(log, "w") as f:
            f.write("ts,sku,qty\n")
        p = self.start("--input", f"Order={log}", "--follow", stdin=subprocess.DEVNULL)
        out = Lines(p.stdout)
        now = stamp(datetime.datetime.now(datetime.timezone.utc))
        sent, got, n = [], [], 0

        def receive_all():
            while len(got) < len(sent):
                a = out.next(timeout=15)
                self.assertIsNotNone(a, f"{len(got)} of {len(sent)} rows arrived")
                got.append(a["message"])

        writer = open(log, "a")
        for part in range(3):
            for _ in range(50):
                writer.write(f"{now},R{n},9\n")
                sent.append(f"R{n} 9")
                n += 1
            writer.write(f"{now},R{n}")  # a partial last line waits for its newline
            writer.flush()
            time.sleep(0.05)
            writer.write(",9\n")
            writer.flush()
            sent.append(f"R{n} 9")
            n += 1
            receive_all()
            if part == 2:
                break
            # logrotate's way: rename; the writer still appends to the old file a moment before
            # it reopens the path, which gets a new file with its own header.
            os.rename(log, self.path(f"orders.csv.{part}"))
            for _ in range(5):
                writer.write(f"{now},R{n},9\n")
                sent.append(f"R{n} 9")
                n += 1
            writer.close()
            writer = open(log, "w")
            writer.write("ts,sku,qty\n")
            writer.flush()
        writer.close()
        # A truncation starts the file again from its beginning.
        with open(log, "w") as f:
            f.write(f"ts,sku,qty\n{now},T1,9\n")
        sent.append("T1 9")
        receive_all()
        self.assertEqual(got, sent)
        self.assertIsNone(out.next(timeout=0.5))  # nothing read twice
        p.send_signal(signal.SIGINT)
        p.wait(timeout=30)
        self.assertIn("stopped by a signal", p.stderr.read().decode())

    def test_a_long_live_run_equals_the_same_rows_from_a_file_with_the_recorded_clock(self):
        # 100k rows over about 10 s with two quiet gaps, event times from the wall clock: the
        # live run records its idle advances; a run over the same rows from a file replaying
        # them gives exactly the same alerts (docs/language.md §11, determinism).
        # Its alerts go to a file: a pipe this test does not read would fill and stall the run.
        live_file = open(self.path("live.jsonl"), "w")
        p = self.start("--input", "Order=-", "--idle-timeout", "200ms", "--clock-log", self.path("clock.jsonl"),
                       stdout=live_file)
        rows = ["ts,sku,qty"]
        p.stdin.write(b"ts,sku,qty\n")
        start = time.time()
        i = 0
        for burst in range(3):
            deadline = time.time() + 3
            while i < (burst + 1) * 33_334 and time.time() < deadline + 1:
                chunk = []
                now = datetime.datetime.now(datetime.timezone.utc)
                for _ in range(500):
                    chunk.append(f"{stamp(now)},K{i % 50},{i % 7}")
                    i += 1
                rows += chunk
                p.stdin.write(("\n".join(chunk) + "\n").encode())
                p.stdin.flush()
                time.sleep(0.015)
            if burst < 2:
                time.sleep(3)  # quiet for more than two windows: they close by the wall clock, silence fires
        p.stdin.close()
        p.wait(timeout=120)
        live_err = p.stderr.read().decode()
        live_file.close()
        self.assertEqual(p.returncode, 0, live_err)
        self.assertGreater(i, 90_000)
        with open(self.path("rows.csv"), "w") as f:
            f.write("\n".join(rows) + "\n")
        advances = open(self.path("clock.jsonl")).read().splitlines()
        self.assertTrue(advances, "the quiet gaps recorded no clock advance")
        live = sorted(open(self.path("live.jsonl")).read().splitlines())
        self.assertTrue(any('"rule":"Silent"' in l for l in live), "no silence fired during the gaps")
        for engine in ("jit", "interp"):
            for batch in ("1", "4096"):
                r = subprocess.run([ALERTC, "run", self.rules, "--dry-run", "--input", f"Order={self.path('rows.csv')}",
                                    "--clock-replay", self.path("clock.jsonl"), "--engine", engine, "--batch-size", batch,
                                    "--state-dir", self.path("state-" + engine + batch)],
                                   capture_output=True, text=True, timeout=300)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(sorted(r.stdout.splitlines()), live, f"{engine} at batch size {batch}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
