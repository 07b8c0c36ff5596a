#!/usr/bin/env python3
"""Writes N order rows as CSV (the end-to-end benchmark's input, ~50 bytes a row).
Usage: gen_orders.py N PATH"""
import random
import sys

n, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(42)
skus = [f"SKU-{i}" for i in range(500)]
regions = ["EU", "US", "APAC", "LATAM"]
with open(path, "w") as f:
    f.write("ts,order_id,sku,region,price,qty,coupon\n")
    base = 1772323200  # 2026-03-01T00:00:00Z
    lines = []
    for i in range(n):
        t = base + i // 50
        coupon = "FREE10" if rng.random() < 0.05 else ""
        hh, mm, ss = (t // 3600) % 24, (t // 60) % 60, t % 60
        day = 1 + (t - base) // 86400
        lines.append(f"2026-03-{day:02d}T{hh:02d}:{mm:02d}:{ss:02d}Z,o{i},{rng.choice(skus)},"
                     f"{rng.choice(regions)},{rng.randint(100, 99999) / 100},{rng.randint(1, 20)},{coupon}\n")
        if len(lines) == 100000:
            f.writelines(lines)
            lines = []
    f.writelines(lines)
