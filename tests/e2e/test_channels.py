#!/usr/bin/python3
"""The provider channels end to end (docs/channels.md): alertc delivers through its outbox to a
loopback receiver that checks each provider's documented request format field by field and
answers as the provider does (provider_receiver.py). Bounded; waits on conditions.

Usage: test_channels.py ALERTC"""
import glob, json, os, shutil, socket, sqlite3, subprocess, sys, tempfile, time, unittest

ALERTC = os.path.abspath(sys.argv.pop(1))
HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
TOKEN, ROUTING, ACCOUNT = "tok-9f8e7d6c5b4a", "R0UTINGKEY00000000000000000000ab", "AC0123456789abcdef0123456789abcdef"

RULES = """schema Parcel {{
  time ts: timestamp
  depot: string
  late: int
}}
channel phone = push {{ provider = "ntfy", url = "{base}/ntfy", topic = "ops-depots", token = env("NTFY_TOKEN"),
                        title = "{{severity}}: {{depot}}" }}
channel pager = pagerduty {{ url = "{base}/pagerduty", routing_key = env("PD_KEY") }}
channel chat = telegram {{ url = "{base}/telegram", token = env("TG_TOKEN"), chat_id = "-100123" }}
channel room = discord {{ url = "{base}/discord/123/abc" }}
channel text = sms {{ provider = "twilio", url = "{base}/twilio", account = "{account}", token = env("TW_TOKEN"),
                      from = "+15550001111", to = ["+15550002222", "+15550003333"], max_segments = 2 }}
channel tablet = push {{ provider = "fcm", url = "{base}/fcm", project = "alertc-test", token = env("FCM_TOKEN"),
                         device = "device-ok" }}
channel gone = push {{ provider = "fcm", url = "{base}/fcm", project = "alertc-test", token = env("FCM_TOKEN"),
                       device = "device-gone" }}
channel watch = push {{ provider = "pushover", url = "{base}/pushover", token = env("PO_TOKEN"),
                        user = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG" }}
channel genie = opsgenie {{ url = "{base}/opsgenie", api_key = env("OG_KEY") }}
channel office = teams {{ url = "{base}/teams/workflow/abc" }}
rule DepotLate on Parcel
  window tumbling 1h
  group by depot
  let n = sum(late)
  having n > 2
  severity critical
  message "{{depot}} <b>& {{n}} late: {{depot}}{{depot}}{{depot}}{{depot}}{{depot}}{{depot}}{{depot}}{{depot}}"
  resolved_message "{{depot}} back to {{n}} late"
  notify phone, pager, chat, room, text, tablet, gone, watch, genie, office
"""


class ChannelsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="alertc_channels_")
        self.log = os.path.join(self.dir, "received.jsonl")
        open(self.log, "w").close()
        self.server = subprocess.Popen([PY, os.path.join(HERE, "provider_receiver.py"), self.log, "--token", TOKEN,
                                        "--routing-key", ROUTING, "--account", ACCOUNT,
                                        "--opted-out", "+15550003333", "--unregistered", "device-gone"],
                                       stdout=subprocess.PIPE, text=True)
        self.base = f"http://127.0.0.1:{int(self.server.stdout.readline())}"

    def tearDown(self):
        self.server.kill()
        self.server.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_every_provider_gets_its_documented_request(self):
        # Long (cut for SMS and ntfy titles), and holding the placeholders the worker fills into a
        # path: a row's value must never pull a credential into a message.
        depot = "HAMBURG-{token}{routing_key}-" + "X" * 300
        rules = os.path.join(self.dir, "rules.alert")
        with open(rules, "w") as f:
            f.write(RULES.format(base=self.base, account=ACCOUNT))
        data = os.path.join(self.dir, "parcels.csv")
        with open(data, "w") as f:
            f.write("ts,depot,late\n")
            f.write(f"2026-03-01T08:10:00Z,{depot},2\n2026-03-01T08:20:00Z,{depot},2\n")  # hour 8: 4 late: fires
            f.write(f"2026-03-01T09:10:00Z,{depot},1\n")                                # hour 9: 1 late: resolves
            f.write(f"2026-03-01T10:10:00Z,{depot},0\n")
        env = dict(os.environ, NTFY_TOKEN=TOKEN, PD_KEY=ROUTING, TG_TOKEN=TOKEN, TW_TOKEN=TOKEN, FCM_TOKEN=TOKEN,
                   PO_TOKEN=TOKEN, OG_KEY=TOKEN, ALERTC_RETRY_BASE_MS="50")
        out = subprocess.run([ALERTC, "run", rules, "--input", f"Parcel={data}", "--state-dir", os.path.join(self.dir, "state")],
                             capture_output=True, text=True, timeout=120, env=env)
        # The opted-out SMS recipient and the unregistered device are dead-lettered: exit 4.
        self.assertEqual(out.returncode, 4, out.stderr)
        got = [json.loads(l) for l in open(self.log)]
        for g in got:
            self.assertEqual(g["problems"], [], g)
        by = {}
        for g in got:
            by.setdefault(g["provider"], []).append(g)
        # ntfy: firing and resolved, titles interpolated, urgent for critical
        self.assertEqual(len(by["ntfy"]), 2)
        title = by["ntfy"][0]["fields"]["title"]  # cut to 250, ASCII "..." in a header
        self.assertEqual(title, f"critical: {depot}"[:247] + "...")
        self.assertEqual(by["ntfy"][0]["fields"]["priority"], "urgent")
        self.assertEqual(by["ntfy"][1]["fields"]["message"], f"{depot} back to 1 late")
        # PagerDuty: trigger then resolve, one dedup_key (the fingerprint)
        pd = by["pagerduty"]
        self.assertEqual([p["fields"]["event_action"] for p in pd], ["trigger", "resolve"])
        self.assertEqual(pd[0]["fields"]["dedup_key"], pd[1]["fields"]["dedup_key"])
        self.assertEqual(pd[0]["fields"]["payload"]["severity"], "critical")
        # Telegram: HTML escaped (the message's own "<b>&" is text, not markup)
        tg = by["telegram"][0]["fields"]
        self.assertIn("&lt;b&gt;&amp;", tg["text"])
        self.assertTrue(tg["text"].startswith("<b>"))
        # Discord: within 2000
        self.assertLessEqual(len(by["discord"][0]["fields"]["content"]), 2000)
        # Twilio: one message per recipient; the opted-out one refused with 21610 and not retried
        tw_ok = [t for t in by["twilio"] if t["status"] == 201]
        tw_refused = [t for t in by["twilio"] if t["status"] == 400]
        self.assertEqual(sorted(t["fields"]["To"] for t in tw_ok), ["+15550002222", "+15550002222"])
        self.assertEqual(len(tw_refused), 2)  # firing and resolved, each refused once, never retried
        body = tw_ok[0]["fields"]["Body"]
        # Cut to 2 GSM-7 segments (2 × 153 septets), the braces of the depot counting two each.
        septets = sum(2 if ch in "^{}\\[~]|€" else 1 for ch in body)
        self.assertTrue(body.endswith("..."), body)
        self.assertTrue(303 <= septets <= 306, septets)
        dead = [json.loads(l) for l in open(os.path.join(self.dir, "state", "dead-letter.jsonl"))]
        self.assertEqual(len(dead), 4)  # 2 SMS to the opted-out number, 2 pushes to the gone device
        sms_dead = [d for d in dead if d["channel"] == "text"]
        self.assertIn("21610", sms_dead[0]["reason"])
        self.assertIn("opted out", sms_dead[0]["reason"])
        fcm_dead = [d for d in dead if d["channel"] == "gone"]
        self.assertEqual(len(fcm_dead), 2)
        self.assertIn("UNREGISTERED", fcm_dead[0]["reason"])
        # FCM: a device token, notification title and body, high priority for critical
        fcm = [g for g in by["fcm"] if g["status"] == 200]
        self.assertEqual(len(fcm), 2)
        self.assertEqual(fcm[0]["fields"]["token"], "device-ok")
        self.assertEqual(fcm[0]["fields"]["android"]["priority"], "high")
        # Pushover: priority 1 for critical
        self.assertEqual([p["fields"]["priority"] for p in by["pushover"]], ["1", "0"])
        # Opsgenie: create (message within 130, alias = fingerprint) then close by that alias
        og = by["opsgenie"]
        self.assertEqual([o["fields"]["action"] for o in og], ["create", "close"])
        self.assertEqual(og[0]["fields"]["alias"], og[1]["fields"]["alias"])
        self.assertEqual(og[0]["fields"]["alias"], pd[0]["fields"]["dedup_key"])
        self.assertLessEqual(len(og[0]["fields"]["message"]), 130)
        self.assertEqual(og[0]["fields"]["priority"], "P1")
        # Teams: an Adaptive Card with the state as a fact
        facts = {f["title"]: f["value"] for b in by["teams"][0]["fields"]["body"] if b["type"] == "FactSet"
                 for f in b["facts"]}
        self.assertEqual(facts["State"], "firing")
        self.assertIn("channel text (sms): 2 sent, 0 retried, 2 failed, 2 dead-lettered, 2 cut", out.stderr)
        self.assertIn("channel phone (push): 2 sent, 0 retried, 0 failed, 0 dead-lettered, 2 cut", out.stderr)
        for g in got:
            fields = json.dumps(g["fields"])
            self.assertNotIn(TOKEN, fields, g["provider"])
            if g["provider"] != "pagerduty":
                self.assertNotIn(ROUTING, fields, g["provider"])
        self.assertNotIn(ROUTING, json.dumps(pd[0]["fields"]["payload"]))
        # Each request its own idempotency key; SMS recipients apart.
        keys = [g["key"] for g in got]
        self.assertEqual(len(set(keys)), len(keys))
        # The credentials appear nowhere alertc writes: output, dead letters, the outbox file.
        outputs = out.stdout + out.stderr
        for path in glob.glob(os.path.join(self.dir, "state", "*")):
            outputs += open(path, "rb").read().decode("latin-1")
        for secret in (TOKEN, ROUTING):
            self.assertNotIn(secret, outputs)

    def test_kill_9_with_pending_sms_and_push_delivers_every_one_after_restart(self):
        # Nothing listens at first: the notifications wait in the outbox, retried. The run is
        # killed with -9; a restart with no new rows, now with the receiver up, sends them all,
        # each once, with the keys of the first run.
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        rules = os.path.join(self.dir, "rules.alert")
        with open(rules, "w") as f:
            f.write(f"""schema Parcel {{
  time ts: timestamp
  depot: string
}}
channel phone = push {{ provider = "ntfy", url = "{base}/ntfy", topic = "ops", token = env("NTFY_TOKEN") }}
channel text = sms {{ provider = "twilio", url = "{base}/twilio", account = "{ACCOUNT}", token = env("TW_TOKEN"),
                      from = "+15550001111", to = ["+15550002222", "+15550004444"] }}
rule Late on Parcel
  message "{{depot}} late"
  notify phone, text
""")
        data = os.path.join(self.dir, "parcels.csv")
        with open(data, "w") as f:
            f.write("ts,depot\n" + "".join(f"2026-03-01T08:00:0{i}Z,D{i}\n" for i in range(5)))
        state = os.path.join(self.dir, "state")
        env = dict(os.environ, NTFY_TOKEN=TOKEN, TW_TOKEN=TOKEN, ALERTC_RETRY_BASE_MS="200")
        first = subprocess.Popen([ALERTC, "run", rules, "--input", f"Parcel={data}", "--state-dir", state,
                                  "--drain-timeout", "60"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        db = os.path.join(state, "outbox.db")
        deadline = time.time() + 30
        count = -1
        while time.time() < deadline:
            try:
                with sqlite3.connect(db, timeout=1) as c:
                    count = c.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
            except sqlite3.Error:
                count = -1
            if count == 15:  # 5 pushes + 5 × 2 SMS, committed and waiting
                break
            time.sleep(0.05)
        self.assertEqual(count, 15)
        first.kill()  # -9
        first.wait()
        log2 = os.path.join(self.dir, "after.jsonl")
        open(log2, "w").close()
        server = subprocess.Popen([PY, os.path.join(HERE, "provider_receiver.py"), log2, "--token", TOKEN,
                                   "--routing-key", ROUTING, "--account", ACCOUNT, "--port", str(port)],
                                  stdout=subprocess.PIPE, text=True)
        try:
            server.stdout.readline()
            empty = os.path.join(self.dir, "empty.csv")
            with open(empty, "w") as f:
                f.write("ts,depot\n")
            out = subprocess.run([ALERTC, "run", rules, "--input", f"Parcel={empty}", "--state-dir", state],
                                 capture_output=True, text=True, timeout=120, env=env)
            self.assertEqual(out.returncode, 0, out.stderr)
            got = [json.loads(l) for l in open(log2)]
        finally:
            server.kill()
            server.wait()
        self.assertEqual([g["problems"] for g in got if g["problems"]], [])
        self.assertEqual(len(got), 15)
        self.assertEqual(len({g["key"] for g in got}), 15)
        self.assertEqual(sorted(g["fields"]["message"] for g in got if g["provider"] == "ntfy"),
                         [f"D{i} late" for i in range(5)])
        self.assertEqual(sorted((g["fields"]["To"], g["fields"]["Body"]) for g in got if g["provider"] == "twilio"),
                         sorted((to, f"D{i} late") for i in range(5) for to in ("+15550002222", "+15550004444")))

    def test_apns_over_http2_with_a_signed_provider_token(self):
        key = os.path.join(self.dir, "AuthKey.p8")
        pub = os.path.join(self.dir, "AuthKey.pub")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key],
                       check=True, capture_output=True)
        subprocess.run(["openssl", "pkey", "-in", key, "-pubout", "-out", pub], check=True, capture_output=True)
        log = os.path.join(self.dir, "apns.jsonl")
        open(log, "w").close()
        ok_device, gone_device = "a" * 64, "b" * 64
        server = subprocess.Popen(["node", os.path.join(HERE, "apns_receiver.mjs"), log, pub, "KEY1234567",
                                   "TEAM123456", "com.example.depots", gone_device], stdout=subprocess.PIPE, text=True)
        try:
            port = int(server.stdout.readline())
            rules = os.path.join(self.dir, "rules.alert")
            with open(rules, "w") as f:
                f.write(f"""schema Parcel {{
  time ts: timestamp
  depot: string
  late: int
}}
channel iphone = push {{ provider = "apns", url = "http://127.0.0.1:{port}", device = "{ok_device}",
                         topic = "com.example.depots", key_file = "{key}", key_id = "KEY1234567", team_id = "TEAM123456" }}
channel old = push {{ provider = "apns", url = "http://127.0.0.1:{port}", device = "{gone_device}",
                      topic = "com.example.depots", key_file = "{key}", key_id = "KEY1234567", team_id = "TEAM123456" }}
rule DepotLate on Parcel
  window tumbling 1h
  group by depot
  let n = sum(late)
  having n > 2
  severity critical
  message "{{depot}}: {{n}} late"
  notify iphone, old
""")
            data = os.path.join(self.dir, "parcels.csv")
            with open(data, "w") as f:
                f.write("ts,depot,late\n2026-03-01T08:10:00Z,HAM,3\n2026-03-01T09:10:00Z,HAM,0\n2026-03-01T10:00:00Z,HAM,0\n")
            out = subprocess.run([ALERTC, "run", rules, "--input", f"Parcel={data}", "--state-dir",
                                  os.path.join(self.dir, "state")], capture_output=True, text=True, timeout=120)
            got = [json.loads(l) for l in open(log)]
        finally:
            server.kill()
            server.wait()
        self.assertEqual(out.returncode, 4, out.stderr)  # the gone device's two notices are dead-lettered
        self.assertEqual([g["problems"] for g in got if g["problems"]], [])
        ok = [g for g in got if g["status"] == 200]
        self.assertEqual(len(ok), 2, (got, out.stderr))
        self.assertEqual(ok[0]["fields"]["payload"]["aps"]["alert"]["body"], "HAM: 3 late")
        self.assertEqual([g["fields"]["priority"] for g in ok], ["10", "5"])  # firing now; resolved can wait
        self.assertEqual(ok[0]["fields"]["collapse"], ok[1]["fields"]["collapse"])  # the fingerprint
        dead = [json.loads(l) for l in open(os.path.join(self.dir, "state", "dead-letter.jsonl"))]
        self.assertEqual(len(dead), 2)
        self.assertIn("APNs Unregistered", dead[0]["reason"])

    def test_a_providers_429_with_retry_after_is_waited_out(self):
        self.server.kill()
        self.server.wait()
        open(self.log, "w").close()
        self.server = subprocess.Popen([PY, os.path.join(HERE, "provider_receiver.py"), self.log, "--token", TOKEN,
                                        "--routing-key", ROUTING, "--account", ACCOUNT, "--throttle-first", "1"],
                                       stdout=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{int(self.server.stdout.readline())}"
        rules = os.path.join(self.dir, "rules.alert")
        with open(rules, "w") as f:
            f.write(f"""schema S {{
  time ts: timestamp
  id: int
}}
channel pager = pagerduty {{ url = "{base}/pagerduty", routing_key = env("PD_KEY"), max_retries = 0 }}
rule R on S
  message "row {{id}}"
  notify pager
""")
        data = os.path.join(self.dir, "s.csv")
        with open(data, "w") as f:
            f.write("ts,id\n2026-03-01T08:00:00Z,1\n2026-03-01T08:00:01Z,2\n")
        out = subprocess.run([ALERTC, "run", rules, "--input", f"S={data}", "--state-dir", os.path.join(self.dir, "st")],
                             capture_output=True, text=True, timeout=120, env=dict(os.environ, PD_KEY=ROUTING))
        self.assertEqual(out.returncode, 0, out.stderr)  # max_retries = 0, yet nothing dead-lettered
        got = [json.loads(l) for l in open(self.log)]
        self.assertEqual([g["status"] for g in got], [429, 202, 202])
        self.assertGreaterEqual(got[1]["at"] - got[0]["at"], 0.9)  # waited out Retry-After: 1
        self.assertEqual(got[0]["key"], got[1]["key"])
        self.assertIn("2 sent, 0 retried, 0 failed, 0 dead-lettered, 1 throttled by the receiver", out.stderr)

    def test_a_provider_kind_not_built_yet_is_a_clear_error(self):
        rules = os.path.join(self.dir, "r.alert")
        with open(rules, "w") as f:
            f.write('schema S { time ts: timestamp }\nchannel p = push { provider = "gotify", topic = "x" }\n'
                    'rule R on S\n  notify p\n')
        out = subprocess.run([ALERTC, "check", rules], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 1)
        self.assertIn("push provider 'gotify' is not built yet; this release has 'ntfy', 'fcm', 'apns' or 'pushover'",
                      out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
