#!/usr/bin/env python3
"""Regenerates the golden output of the diagnostic lit tests (Carbon's autoupdate): for each
tests/lit/diagnostics/*.alert whose first RUN line is the standard `alertc check`, runs it and
rewrites its CHECK lines to the whole rendered output (message, source line, caret and tildes,
notes, fix-its, the closing count), matched with full lines and exact whitespace. Run after a
deliberate change to a message, then review the diff like code.
Usage: tools/update_diagnostic_tests.py ALERTC [FILE...]"""
import os, re, subprocess, sys

STANDARD_RUN = ("// RUN: not %alertc check %s 2>&1 | FileCheck --strict-whitespace --match-full-lines "
                "--implicit-check-not=error: --implicit-check-not=warning: --implicit-check-not=note: %s")
OLD_RUN = "// RUN: not %alertc check %s 2>&1 | FileCheck %s"

alertc = os.path.abspath(sys.argv[1])
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
files = sys.argv[2:] or sorted(
    os.path.join(root, "tests/lit/diagnostics", f) for f in os.listdir(os.path.join(root, "tests/lit/diagnostics"))
    if f.endswith(".alert"))
updated = 0
for path in files:
    lines = open(path).read().split("\n")
    if not lines or lines[0] not in (OLD_RUN, STANDARD_RUN):
        continue  # a test with its own RUN lines (generated input, several files) is kept as written
    body = [l for l in lines[1:] if not re.match(r"// CHECK(-[A-Z]+)?:", l)]
    name = os.path.basename(path)
    out = subprocess.run([alertc, "check", path], capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"))
    rendered = out.stderr.rstrip("\n").split("\n")
    checks = []
    for i, text in enumerate(rendered):
        text = text.replace(path, name)
        # FileCheck reads {{...}} as a regex and [[...]] as a variable: escape them in the text.
        text = text.replace("{{", "{{\\{\\{}}").replace("[[", "{{\\[\\[}}")
        if text.startswith(name):
            text = "{{.*}}" + text  # the path as lit gives it
        prefix = "// CHECK:" if i == 0 else ("// CHECK-EMPTY:" if text == "" else "// CHECK-NEXT:")
        checks.append(prefix + text)
    new = "\n".join([STANDARD_RUN] + checks + body)
    if new != "\n".join(lines):
        open(path, "w").write(new)
        updated += 1
print(f"{updated} tests updated")
