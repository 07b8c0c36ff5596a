#!/usr/bin/env python3
"""A loopback stand-in for the providers alertc's channels talk to (ntfy, PagerDuty Events API
v2, Telegram Bot API, Discord webhooks, Twilio Messages API), for services that cannot run here.
Each request is checked against the provider's documented format field by field; every problem
found is recorded (a test fails on any), and the reply is the provider's, errors included: a
Twilio recipient in --opted-out gets Twilio's 400 with error 21610.

Usage: provider_receiver.py LOG --token T --routing-key K --account A [--opted-out +1555...]
Prints its port first. Each request is one JSON line in LOG: provider, problems, fields."""
import argparse, base64, html.parser, http.server, json, re, sys, threading, time, urllib.parse

p = argparse.ArgumentParser()
p.add_argument("log")
p.add_argument("--token", required=True)
p.add_argument("--routing-key", required=True)
p.add_argument("--account", required=True)
p.add_argument("--opted-out", action="append", default=[])
p.add_argument("--unregistered", action="append", default=[], help="FCM device tokens that are gone")
p.add_argument("--project", default="alertc-test")
p.add_argument("--lifetime", type=float, default=300)
p.add_argument("--port", type=int, default=0)
p.add_argument("--throttle-first", type=int, default=0, help="answer the first N with 429 and Retry-After: 1")
throttle = {"left": 0}
args = p.parse_args()
throttle["left"] = args.throttle_first
lock = threading.Lock()
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


class TelegramHtml(html.parser.HTMLParser):
    """Telegram's HTML mode: only its tags, properly nested, entities well formed."""
    ALLOWED = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler", "span"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.text = [], [], ""

    def handle_starttag(self, tag, attrs):
        if tag not in self.ALLOWED:
            self.problems.append(f"telegram: tag <{tag}> is not allowed")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"telegram: </{tag}> closes nothing open")

    def handle_data(self, data):
        self.text += data


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        problems, fields, provider = [], {}, "?"
        reply = (200, "application/json", b"{}")
        with lock:
            throttled = throttle["left"] > 0
            throttle["left"] -= 1 if throttled else 0
        if throttled:  # as the providers do when a sender goes too fast
            with lock, open(args.log, "a") as f:
                f.write(json.dumps({"provider": "throttled", "status": 429, "problems": [], "fields": {},
                                    "key": self.headers.get("Idempotency-Key"), "at": time.time()}) + "\n")
            self.send_response(429)
            self.send_header("Retry-After", "1")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path = self.path
        ctype = self.headers.get("Content-Type", "")
        try:
            if path.startswith("/ntfy/"):
                provider = "ntfy"
                topic = path[len("/ntfy/"):]
                if not re.match(r"^[-_A-Za-z0-9]{1,64}$", topic):
                    problems.append(f"ntfy: bad topic {topic!r}")
                if self.headers.get("Authorization") != f"Bearer {args.token}":
                    problems.append("ntfy: Authorization is not 'Bearer <token>'")
                prio = self.headers.get("Priority", "default")
                if prio not in {"min", "low", "default", "high", "urgent", "max", "1", "2", "3", "4", "5"}:
                    problems.append(f"ntfy: bad Priority {prio!r}")
                if not self.headers.get("Title"):
                    problems.append("ntfy: no Title")
                text = body.decode("utf-8")
                if len(body) > 4096:
                    problems.append(f"ntfy: message of {len(body)} bytes (ntfy takes 4096)")
                fields = {"topic": topic, "title": self.headers.get("Title"), "priority": prio,
                          "tags": self.headers.get("Tags", ""), "message": text}
                reply = (200, "application/json", json.dumps({"id": "x1", "time": int(time.time()), "event": "message",
                                                                "topic": topic, "message": text}).encode())
            elif path == "/pagerduty/v2/enqueue":
                provider = "pagerduty"
                ev = json.loads(body)
                if ctype.split(";")[0] != "application/json":
                    problems.append(f"pagerduty: Content-Type {ctype!r}")
                if ev.get("routing_key") != args.routing_key:
                    problems.append("pagerduty: wrong routing_key")
                if ev.get("event_action") not in ("trigger", "acknowledge", "resolve"):
                    problems.append(f"pagerduty: bad event_action {ev.get('event_action')!r}")
                dk = ev.get("dedup_key", "")
                if not dk or len(dk) > 255:
                    problems.append("pagerduty: dedup_key missing or over 255")
                if ev.get("event_action") == "trigger":
                    pl = ev.get("payload") or {}
                    for k in ("summary", "source", "severity"):
                        if not pl.get(k):
                            problems.append(f"pagerduty: trigger without payload.{k}")
                    if len(pl.get("summary", "")) > 1024:
                        problems.append("pagerduty: summary over 1024 characters")
                    if pl.get("severity") not in ("critical", "error", "warning", "info"):
                        problems.append(f"pagerduty: bad severity {pl.get('severity')!r}")
                fields = ev
                reply = (202, "application/json", json.dumps({"status": "success", "message": "Event processed",
                                                                "dedup_key": dk}).encode())
            elif path.startswith("/telegram/bot"):
                provider = "telegram"
                m = re.match(r"^/telegram/bot([^/]+)/sendMessage$", path)
                if not m or m.group(1) != args.token:
                    problems.append("telegram: path is not /bot<token>/sendMessage")
                msg = json.loads(body)
                if not msg.get("chat_id"):
                    problems.append("telegram: no chat_id")
                if msg.get("parse_mode") == "HTML":
                    h = TelegramHtml()
                    h.feed(msg.get("text", ""))
                    h.close()
                    problems += h.problems + (["telegram: unclosed tags " + str(h.stack)] if h.stack else [])
                    visible = h.text
                else:
                    visible = msg.get("text", "")
                if not 1 <= len(visible) <= 4096:
                    problems.append(f"telegram: text of {len(visible)} characters (1 to 4096)")
                fields = {"chat_id": msg.get("chat_id"), "text": msg.get("text"), "visible": visible}
                reply = (200, "application/json", json.dumps({"ok": True, "result": {"message_id": 1}}).encode())
            elif path.startswith("/fcm/v1/projects/"):
                provider = "fcm"
                m = re.match(r"^/fcm/v1/projects/([^/]+)/messages:send$", path)
                if not m or m.group(1) != args.project:
                    problems.append("fcm: path is not /v1/projects/{project}/messages:send")
                if self.headers.get("Authorization") != f"Bearer {args.token}":
                    problems.append("fcm: Authorization is not 'Bearer <access token>'")
                msg = json.loads(body).get("message")
                if not isinstance(msg, dict):
                    problems.append("fcm: no message object")
                    msg = {}
                targets = [k for k in ("token", "topic", "condition") if k in msg]
                if len(targets) != 1:
                    problems.append(f"fcm: exactly one of token, topic, condition needed, got {targets}")
                n = msg.get("notification", {})
                if not n.get("title") or not n.get("body"):
                    problems.append("fcm: notification needs title and body")
                if msg.get("android", {}).get("priority") not in (None, "normal", "high", "NORMAL", "HIGH"):
                    problems.append("fcm: bad android.priority")
                for k, v in msg.get("data", {}).items():
                    if not isinstance(v, str):
                        problems.append(f"fcm: data.{k} is not a string")
                fields = msg
                if msg.get("token") in args.unregistered:
                    reply = (404, "application/json", json.dumps({"error": {
                        "code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND",
                        "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                                     "errorCode": "UNREGISTERED"}]}}).encode())
                else:
                    reply = (200, "application/json",
                             json.dumps({"name": f"projects/{args.project}/messages/0:1"}).encode())
            elif path == "/pushover/1/messages.json":
                provider = "pushover"
                form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
                if form.get("token") != args.token:
                    problems.append("pushover: wrong application token")
                if not re.match(r"^[A-Za-z0-9]{30}$", form.get("user", "")):
                    problems.append("pushover: user is not a 30-character key")
                if not form.get("message") or len(form["message"]) > 1024:
                    problems.append("pushover: message empty or over 1024")
                if len(form.get("title", "")) > 250:
                    problems.append("pushover: title over 250")
                if form.get("priority", "0") not in ("-2", "-1", "0", "1", "2"):
                    problems.append("pushover: bad priority")
                fields = {k: v for k, v in form.items() if k != "token"}
                reply = (200, "application/json", json.dumps({"status": 1, "request": "r1"}).encode())
            elif path.startswith("/opsgenie/v2/alerts"):
                provider = "opsgenie"
                if self.headers.get("Authorization") != f"GenieKey {args.token}":
                    problems.append("opsgenie: Authorization is not 'GenieKey <api key>'")
                ev = json.loads(body) if body else {}
                close = re.match(r"^/opsgenie/v2/alerts/([^/?]+)/close\?identifierType=alias$", path)
                if close:
                    fields = {"action": "close", "alias": close.group(1), **ev}
                elif path == "/opsgenie/v2/alerts":
                    if not ev.get("message") or len(ev["message"]) > 130:
                        problems.append("opsgenie: message empty or over 130")
                    if len(ev.get("alias", "")) > 512:
                        problems.append("opsgenie: alias over 512")
                    if ev.get("priority") not in ("P1", "P2", "P3", "P4", "P5"):
                        problems.append("opsgenie: bad priority")
                    fields = {"action": "create", **ev}
                else:
                    problems.append(f"opsgenie: unknown path {path}")
                reply = (202, "application/json", json.dumps({"result": "Request will be processed",
                                                                "took": 0.1, "requestId": "req-1"}).encode())
            elif path.startswith("/teams/"):
                provider = "teams"
                msg = json.loads(body)
                if msg.get("type") != "message":
                    problems.append("teams: type is not 'message'")
                atts = msg.get("attachments") or []
                if len(atts) != 1 or atts[0].get("contentType") != "application/vnd.microsoft.card.adaptive":
                    problems.append("teams: needs one Adaptive Card attachment")
                card = atts[0].get("content", {}) if atts else {}
                if card.get("type") != "AdaptiveCard" or not card.get("version"):
                    problems.append("teams: content is not an AdaptiveCard with a version")
                for block in card.get("body", []):
                    if block.get("type") not in ("TextBlock", "FactSet", "ColumnSet", "Container"):
                        problems.append(f"teams: unknown element {block.get('type')}")
                    if block.get("type") == "FactSet":
                        for fact in block.get("facts", []):
                            if not isinstance(fact.get("title"), str) or not isinstance(fact.get("value"), str):
                                problems.append("teams: a fact needs string title and value")
                fields = card
                reply = (202, "application/json", b"")
            elif path.startswith("/discord/"):
                provider = "discord"
                msg = json.loads(body)
                content = msg.get("content", "")
                if not content and not msg.get("embeds"):
                    problems.append("discord: neither content nor embeds")
                if len(content) > 2000:
                    problems.append(f"discord: content of {len(content)} characters (2000 at most)")
                fields = msg
                reply = (204, "application/json", b"")
            elif path.startswith("/twilio/2010-04-01/Accounts/"):
                provider = "twilio"
                m = re.match(r"^/twilio/2010-04-01/Accounts/([^/]+)/Messages\.json$", path)
                if not m or m.group(1) != args.account:
                    problems.append("twilio: path is not /2010-04-01/Accounts/{AccountSid}/Messages.json")
                auth = self.headers.get("Authorization", "")
                want = "Basic " + base64.b64encode(f"{args.account}:{args.token}".encode()).decode()
                if auth != want:
                    problems.append("twilio: basic auth is not AccountSid:AuthToken")
                if ctype.split(";")[0] != "application/x-www-form-urlencoded":
                    problems.append(f"twilio: Content-Type {ctype!r}")
                form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
                for k in ("To", "Body"):
                    if not form.get(k):
                        problems.append(f"twilio: no {k}")
                if not form.get("From") and not form.get("MessagingServiceSid"):
                    problems.append("twilio: neither From nor MessagingServiceSid")
                for k in ("To", "From"):
                    if form.get(k) and not E164.match(form[k]):
                        problems.append(f"twilio: {k} {form[k]!r} is not E.164")
                if len(form.get("Body", "")) > 1600:
                    problems.append("twilio: Body over 1600 characters")
                fields = form
                if form.get("To") in args.opted_out:
                    reply = (400, "application/json", json.dumps({
                        "code": 21610, "message": "Attempt to send to unsubscribed recipient",
                        "more_info": "https://www.twilio.com/docs/errors/21610", "status": 400}).encode())
                else:
                    reply = (201, "application/json", json.dumps({"sid": "SM" + "0" * 32, "status": "queued",
                                                                    "to": form.get("To"), "body": form.get("Body")}).encode())
            else:
                problems.append(f"unknown path {path}")
                reply = (404, "application/json", b"{}")
        except Exception as e:  # a body that does not parse is a problem, not a crash
            problems.append(f"{provider}: {type(e).__name__}: {e}")
            reply = (400, "application/json", b"{}")
        with lock, open(args.log, "a") as f:
            f.write(json.dumps({"provider": provider, "status": reply[0], "problems": problems, "fields": fields,
                                "key": self.headers.get("Idempotency-Key"), "at": time.time()}) + "\n")
        self.send_response(reply[0])
        self.send_header("Content-Type", reply[1])
        self.send_header("Content-Length", str(len(reply[2])))
        self.end_headers()
        self.wfile.write(reply[2])


server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Timer(args.lifetime, server.shutdown).start()
server.serve_forever()
