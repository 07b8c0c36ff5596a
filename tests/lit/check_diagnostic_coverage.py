#!/usr/bin/env python3
"""Fails when a diagnostic kind in compiler/diag/diagnostic_kinds.def has no lit test, or when
its test does not actually produce that kind (checked through `alertc check --format json`).
Usage: check_diagnostic_coverage.py ALERTC REPO_ROOT"""
import json, os, re, subprocess, sys, tempfile

alertc, root = sys.argv[1], sys.argv[2]
kinds = re.findall(r"^DIAG\((\w+),", open(os.path.join(root, "compiler/diag/diagnostic_kinds.def")).read(), re.M)
test_dir = os.path.join(root, "tests/lit/diagnostics")
# Kinds whose input is made by RUN lines (bytes a text file cannot hold, several files, a missing file).
generated = {"file_unreadable", "invalid_utf8", "nul_byte", "import_cycle", "nesting_too_deep"}
failures = []
for kind in kinds:
    path = os.path.join(test_dir, kind + ".alert")
    if not os.path.exists(path):
        failures.append(f"{kind}: no test at tests/lit/diagnostics/{kind}.alert")
        continue
    if kind in generated:
        if kind not in open(path).read() and "RUN:" not in open(path).read():
            failures.append(f"{kind}: test has no RUN line")
        continue
    out = subprocess.run([alertc, "check", "--format", "json", path], capture_output=True, text=True).stdout
    ids = {json.loads(line)["id"] for line in out.splitlines() if line.strip()}
    if kind not in ids:
        failures.append(f"{kind}: {path} does not produce it (got {sorted(ids)})")
for f in failures:
    print("FAIL", f)
print(f"{len(kinds) - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
