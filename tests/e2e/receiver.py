#!/usr/bin/env python3
"""A real HTTP receiver on loopback for the delivery tests: records every request (path, headers,
body, status; 0 for a dropped connection) as a JSON line, and misbehaves on command. Usage:
  receiver.py LOG_FILE [--mode ok|500|stall|drop] [--fail-first N] [--throttle-first N --retry-after S]
Prints its port on the first line of stdout. POST /_mode with body "ok", "500", "stall" or "drop"
changes the mode while it runs. Stops by itself after --lifetime seconds (default 300)."""
import argparse, http.server, json, socket, sys, threading, time

parser = argparse.ArgumentParser()
parser.add_argument("log")
parser.add_argument("--mode", default="ok")
parser.add_argument("--fail-first", type=int, default=0)
parser.add_argument("--lifetime", type=float, default=300)
parser.add_argument("--throttle-first", type=int, default=0, help="answer 429 with Retry-After to the first N")
parser.add_argument("--retry-after", default="1")
args = parser.parse_args()
state = {"mode": args.mode, "fail_first": args.fail_first, "throttle_first": args.throttle_first}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would

    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.path == "/_mode":
            state["mode"] = body.decode()
            return self.reply(200)
        with lock:
            throttling = state["throttle_first"] > 0
            if throttling:
                state["throttle_first"] -= 1
            failing = not throttling and state["fail_first"] > 0
            if failing:
                state["fail_first"] -= 1
            mode = state["mode"]
        if throttling:
            with lock, open(args.log, "a") as f:
                f.write(json.dumps({"path": self.path, "status": 429, "headers": dict(self.headers), "body": "",
                                    "at": time.time()}) + "\n")
            self.send_response(429)
            self.send_header("Retry-After", args.retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "stall":
            time.sleep(3600)
            return
        if mode == "drop":
            with lock, open(args.log, "a") as f:  # status 0: dropped, so a test can wait for one
                f.write(json.dumps({"path": self.path, "status": 0, "headers": dict(self.headers),
                                    "body": ""}) + "\n")
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        status = 500 if failing or mode == "500" else 200
        with lock, open(args.log, "a") as f:
            f.write(json.dumps({"path": self.path, "status": status, "headers": dict(self.headers),
                                "body": body.decode("utf-8", "replace"), "at": time.time()}) + "\n")
        self.reply(status)

    def reply(self, status):
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
threading.Timer(args.lifetime, server.shutdown).start()
server.serve_forever()
