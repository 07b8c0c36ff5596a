#!/usr/bin/env python3
"""Prints an .alert program with N row rules over one schema (for check/compile latency)."""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
print("schema Order {\n  time ts: timestamp\n  sku: string\n  region: string\n  price: float\n  qty: int\n}")
print("channel out = stdout {}")
for i in range(n):
    print(f"rule R{i} on Order\n  where price * qty > {1000 + i}.0 and qty < {5 + i % 50} and region in [\"EU\", \"US\"]")
    print(f"  labels {{ sku = sku }}\n  message \"order {{sku}}: {{price * qty:.2f}}\"\n  notify out")
