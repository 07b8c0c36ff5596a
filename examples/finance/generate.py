#!/usr/bin/env python3
"""Generates two days of card transactions for the finance example, seeded so it is the same
every time. 40 cards pay a few times an hour each, from their home country. Planted incidents:
- card-07 pays 6 times within 40 seconds on day 2 at 10:15 (a burst),
- card-13 spends far above its usual hourly total on day 2 at 15:00 (an anomaly),
- card-21 pays from four foreign countries within one hour on day 2 at 19:00 (travelling or stolen).
Usage: generate.py OUT_DIR"""
import csv, os, random, sys
from datetime import datetime, timedelta, timezone

out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
os.makedirs(out_dir, exist_ok=True)
rng = random.Random(20260301)
start = datetime(2026, 3, 1, tzinfo=timezone.utc)
countries = ["DE", "FR", "NL", "ES", "IT", "PL"]
cards = {f"card-{i:02d}": countries[i % len(countries)] for i in range(40)}
rows = []
n = 0


def add(t, card, amount, country, merchant):
    global n
    n += 1
    rows.append((t, f"tx{n}", card, round(amount, 2), country, merchant))


for hour in range(48):
    for card, home in cards.items():
        # Up to four payments an hour, at least 10 minutes apart, of a card-typical but varying size.
        base = 20 + (int(card[-2:]) % 7) * 5
        for slot in range(4):
            if rng.random() < 0.5:
                continue
            minute = slot * 15 + rng.randrange(0, 5)
            add(start + timedelta(hours=hour, minutes=minute, seconds=rng.randrange(60)), card,
                rng.uniform(base * 0.3, base * 2.5), home, rng.choice(["grocer", "fuel", "cafe", "online"]))

day2 = start + timedelta(days=1)
for i in range(6):  # the burst
    add(day2 + timedelta(hours=10, minutes=15, seconds=5 + 7 * i), "card-07", 9.99, "ES", "online")
add(day2 + timedelta(hours=15, minutes=20), "card-13", 4200.0, "FR", "jeweller")  # the anomaly
for i, country in enumerate(["US", "BR", "JP", "ZA"]):  # four countries in an hour
    add(day2 + timedelta(hours=19, minutes=5 + 12 * i), "card-21", 30.0, country, "online")

rows.sort(key=lambda r: r[0])
with open(os.path.join(out_dir, "transactions.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["ts", "tx_id", "card", "amount", "country", "merchant"])
    for r in rows:
        w.writerow([r[0].strftime("%Y-%m-%dT%H:%M:%SZ"), *r[1:]])
print(f"wrote {len(rows)} transactions to {os.path.join(out_dir, 'transactions.csv')}")
