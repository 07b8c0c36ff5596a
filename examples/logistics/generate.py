#!/usr/bin/env python3
"""Generates a day of shipment scan events for the logistics example, seeded so it is the same
every time. 60 shipments move through 5 depots, scanned about every 20 minutes; each delivery
is compared to its promise. Planted incidents:
- shipment S-0042 stops being scanned at 09:10 (gone silent),
- depot HAM delivers late more and more from 14:00 on (its delay rate jumps),
- two deliveries are more than 2 hours late: S-0007 (at 11:40) and S-0055 (at 16:20).
Usage: generate.py OUT_DIR"""
import csv, os, random, sys
from datetime import datetime, timedelta, timezone

out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
os.makedirs(out_dir, exist_ok=True)
rng = random.Random(20260415)
start = datetime(2026, 4, 15, tzinfo=timezone.utc)
depots = ["BER", "HAM", "MUC", "CGN", "FRA"]
rows = []


def fmt(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


for s in range(60):
    shipment = f"S-{s:04d}"
    t = start + timedelta(minutes=rng.randrange(0, 20))
    while t < start + timedelta(hours=24):
        if shipment == "S-0042" and t >= start + timedelta(hours=9, minutes=10):
            break  # gone silent
        depot = depots[(s + int((t - start).total_seconds()) // 7200) % len(depots)]
        rows.append((t, shipment, depot, "scan", "", ""))
        t += timedelta(minutes=15 + rng.randrange(0, 10))

# Deliveries: every depot delivers all day, a few minutes around the promised time.
n = 0
for hour in range(24):
    for depot in depots:
        for _ in range(6):
            n += 1
            promised = start + timedelta(hours=hour, minutes=rng.randrange(60))
            late = rng.random() < 0.1
            if depot == "HAM" and hour >= 14:
                late = rng.random() < 0.8  # the depot's delay rate jumps
            delay = timedelta(minutes=rng.randrange(5, 50)) if late else -timedelta(minutes=rng.randrange(0, 30))
            rows.append((promised + delay, f"D-{n:05d}", depot, "delivered", fmt(promised), ""))
for shipment, hour, minute in (("S-0007", 11, 40), ("S-0055", 16, 20)):
    delivered = start + timedelta(hours=hour, minutes=minute)
    rows.append((delivered, shipment, "MUC", "delivered", fmt(delivered - timedelta(hours=2, minutes=35)), ""))

# The day ends at midnight for every kind of event, so no hour is half observed.
rows = [r for r in rows if r[0] < start + timedelta(hours=24)]
rows.sort(key=lambda r: r[0])
with open(os.path.join(out_dir, "events.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["ts", "shipment", "depot", "kind", "promised", "note"])
    for r in rows:
        w.writerow([fmt(r[0]), *r[1:]])
print(f"wrote {len(rows)} events to {os.path.join(out_dir, 'events.csv')}")
