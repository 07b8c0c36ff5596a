#!/usr/bin/env python3
"""A real SMTP server on loopback (aiosmtpd) that writes every message it accepts to a JSON lines
file: envelope sender, recipients and the raw message. With --reject-auth it refuses AUTH, so a
channel with a password in its URL fails. Prints its port first. Usage: smtp_sink.py LOG_FILE"""
import asyncio, json, socket, sys, threading, time

from aiosmtpd.controller import Controller

log = sys.argv[1]


class Sink:
    async def handle_DATA(self, server, session, envelope):
        with open(log, "a") as f:
            f.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                                "message": envelope.content.decode("utf-8", "replace")}) + "\n")
        return "250 OK"


with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
controller = Controller(Sink(), hostname="127.0.0.1", port=port)
controller.start()
print(port, flush=True)
time.sleep(float(sys.argv[2]) if len(sys.argv) > 2 else 300)
controller.stop()
