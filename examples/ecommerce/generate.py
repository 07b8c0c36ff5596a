#!/usr/bin/env python3
"""Generates a day of orders for the e-commerce example, seeded so it is the same every time.
Planted incidents: two big orders (big-1 in EU, big-2 in US), a sales spike for SKU-3 at 14:00,
and SKU-5's sales collapsing from 16:00 on. Usage: generate.py OUT_DIR"""
import csv, os, random, sys
from datetime import datetime, timedelta, timezone

out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
os.makedirs(out_dir, exist_ok=True)
rng = random.Random(20260101)
start = datetime(2026, 1, 1, tzinfo=timezone.utc)
rows = []
n = 0
for hour in range(24):
    for sku in range(1, 9):
        units = 40
        if sku == 3 and hour == 14:
            units = 200          # the spike
        if sku == 5 and hour >= 16:
            units = 4            # the drop
        for _ in range(units // 2):
            n += 1
            t = start + timedelta(hours=hour, seconds=rng.randrange(3600))
            rows.append((t, f"o{n}", f"SKU-{sku}", rng.choice(["EU", "US", "APAC"]),
                         round(rng.uniform(5, 200), 2), 2, rng.choice(["", "", "SPRING10"])))
for order_id, hour, region in (("big-1", 9, "EU"), ("big-2", 20, "US")):
    rows.append((start + timedelta(hours=hour, minutes=30), order_id, "SKU-1", region, 2999.0, 3, ""))
rows.sort(key=lambda r: r[0])
with open(os.path.join(out_dir, "orders.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["ts", "order_id", "sku", "region", "price", "qty", "coupon"])
    for r in rows:
        w.writerow([r[0].strftime("%Y-%m-%dT%H:%M:%SZ"), *r[1:]])
print(f"wrote {len(rows)} orders to {os.path.join(out_dir, 'orders.csv')}")
