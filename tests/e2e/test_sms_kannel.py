#!/usr/bin/python3
"""SMS through a real Kannel gateway on loopback (docs/channels.md): the test writes a Kannel
configuration, starts bearerbox, smsbox and fakesmsc (Kannel's stand-in for the phone
network, from kannel-extras), and checks that alertc's texts arrive there — plain, Unicode and
cut to max_segments. Bounded; waits on conditions.

Usage: test_sms_kannel.py ALERTC"""
import os, shutil, socket, subprocess, sys, tempfile, time, unittest, urllib.parse

ALERTC = os.path.abspath(sys.argv.pop(1))
BEARERBOX, SMSBOX, FAKESMSC = "/usr/sbin/bearerbox", "/usr/sbin/smsbox", "/usr/lib/kannel/test/fakesmsc"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class KannelTest(unittest.TestCase):
    def setUp(self):
        for p in (BEARERBOX, SMSBOX, FAKESMSC):  # tools/install-deps.sh installs kannel and kannel-extras
            self.assertTrue(os.path.exists(p), f"{p} is missing")
        self.dir = tempfile.mkdtemp(prefix="alertc_kannel_")
        self.procs = []
        admin, box, smsc, self.sendsms = free_port(), free_port(), free_port(), free_port()
        conf = os.path.join(self.dir, "kannel.conf")
        with open(conf, "w") as f:
            f.write(f"""group = core
admin-port = {admin}
admin-password = adm1n
smsbox-port = {box}
box-allow-ip = 127.0.0.1
admin-allow-ip = 127.0.0.1
log-level = 1
log-file = "{self.dir}/bearerbox.log"

group = smsc
smsc = fake
smsc-id = phones
port = {smsc}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {box}
sendsms-port = {self.sendsms}
sendsms-interface = 127.0.0.1
log-level = 1
log-file = "{self.dir}/smsbox.log"

group = sendsms-user
username = alertc
password = s3cret-pw
concatenation = true
max-messages = 10

group = sms-service
keyword = default
text = "no service"
""")
        self.start([BEARERBOX, conf])
        self.assertTrue(wait_port(smsc), "bearerbox did not open its SMSC port")
        self.phones = open(os.path.join(self.dir, "phones.log"), "w")
        # fakesmsc: the phone network; it prints every message bearerbox hands it (MT).
        self.start([FAKESMSC, "-H", "127.0.0.1", "-r", str(smsc), "-i", "0.1", "-m", "0", "1 2 text nop"],
                   stdout=self.phones)
        self.start([SMSBOX, conf])
        self.assertTrue(wait_port(self.sendsms), "smsbox did not open its sendsms port")

    def start(self, argv, stdout=subprocess.DEVNULL):
        p = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.STDOUT, cwd=self.dir)
        self.procs.append(p)
        return p

    def tearDown(self):
        for p in reversed(self.procs):
            p.kill()
            p.wait()
        self.phones.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def received(self):
        """Messages fakesmsc got, as (sender, receiver, type, text). It prints each as
        `Got message N: <sender receiver type data>`; UCS-2 data is UTF-16BE with '+' for a
        space byte, as Kannel URL-encodes it."""
        out = []
        with open(os.path.join(self.dir, "phones.log"), "rb") as f:
            lines = f.read().split(b"\n")
        for line in lines:
            start, end = line.find(b": <"), line.rfind(b">")
            if b"Got message" not in line or start < 0 or end < start:
                continue
            parts = line[start + 3:end].split(b" ", 3)
            if len(parts) != 4:
                continue
            sender, receiver, kind, data = parts
            if kind == b"ucs-2":
                text = urllib.parse.unquote_to_bytes(data.replace(b"+", b"%20")).decode("utf-16-be")
            else:
                text = data.decode("latin-1")
            out.append((sender.decode(), receiver.decode(), kind.decode(), text))
        return out

    def test_texts_reach_the_phone_network_plain_unicode_and_cut(self):
        rules = os.path.join(self.dir, "rules.alert")
        with open(rules, "w") as f:
            f.write(f"""schema Scan {{
  time ts: timestamp
  parcel: string
  note: string
}}
channel text = sms {{ provider = "kannel", url = "http://127.0.0.1:{self.sendsms}", account = "alertc",
                      token = env("KANNEL_PASSWORD"), from = "4915200000001", to = ["4915200000002"],
                      max_segments = 1 }}
rule Delayed on Scan
  where note != ""
  message "{{parcel}}: {{note}}"
  notify text
""")
        data = os.path.join(self.dir, "scans.csv")
        long_note = "late " * 60  # 300 characters: more than one segment
        with open(data, "w", encoding="utf-8") as f:
            f.write("ts,parcel,note\n")
            f.write("2026-03-01T08:00:00Z,P1,stuck at depot\n")
            f.write("2026-03-01T08:01:00Z,P2,Zustellung verzögert ✓\n")
            f.write(f"2026-03-01T08:02:00Z,P3,{long_note}\n")
        out = subprocess.run([ALERTC, "run", rules, "--input", f"Scan={data}", "--state-dir", os.path.join(self.dir, "st")],
                             capture_output=True, text=True, timeout=120, env=dict(os.environ, KANNEL_PASSWORD="s3cret-pw"))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("channel text (sms): 3 sent, 0 retried, 0 failed, 0 dead-lettered", out.stderr)
        self.assertIn("1 cut", out.stderr)
        self.assertNotIn("s3cret-pw", out.stderr + out.stdout)
        deadline = time.time() + 20
        while time.time() < deadline and len(self.received()) < 3:
            time.sleep(0.1)
        got = self.received()
        self.assertEqual(len(got), 3, got)
        texts = {t[3] for t in got}
        self.assertIn("P1: stuck at depot", texts)
        self.assertIn("P2: Zustellung verzögert ✓", texts)  # ✓ is not GSM-7: sent as UCS-2
        self.assertEqual([t[2] for t in got if t[3].startswith("P2")], ["ucs-2"])
        cut = [t[3] for t in got if t[3].startswith("P3")][0]
        self.assertTrue(cut.endswith("..."), cut)
        self.assertEqual(len(cut), 160)  # one GSM-7 segment
        self.assertTrue(all(t[1] == "4915200000002" and t[0] == "4915200000001" for t in got), got)


if __name__ == "__main__":
    unittest.main(verbosity=2)
