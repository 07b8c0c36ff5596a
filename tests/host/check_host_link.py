#!/usr/bin/env python3
"""The walls of docs/architecture.md, checked on built artefacts.

1. The interpreter-only host program (linked against alert_runtime alone) contains neither LLVM
   nor ANTLR: not as a shared library it needs (ldd), not as a symbol (nm).
2. It runs and its own checks pass.
3. A runtime source cannot include the compiler: compiling a probe that includes a front-end
   header with alert_runtime's include path fails with "No such file", while the same probe
   including a plan header compiles (so the failure is the wall, not a broken command).
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

host, build_dir, source_root = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []

ldd = subprocess.run(["ldd", host], capture_output=True, text=True, check=True).stdout
for lib in ("libLLVM", "libantlr4"):
    if lib in ldd:
        failures.append(f"{host} needs {lib}:\n{ldd}")

nm = subprocess.run(["nm", "-C", host], capture_output=True, text=True, check=True).stdout
for namespace in ("llvm::", "antlr4::", "alertgen::"):
    hits = [line for line in nm.splitlines() if namespace in line]
    if hits:
        failures.append(f"{host} holds {len(hits)} {namespace} symbols, e.g. {hits[0]}")

run = subprocess.run([host], capture_output=True, text=True)
if run.returncode != 0:
    failures.append(f"{host} failed ({run.returncode}): {run.stdout}{run.stderr}")

# The exact command the build compiles a runtime source with: its include path is the wall.
runtime_source = os.path.join(source_root, "runtime/engine/engine.cc")
entries = json.load(open(os.path.join(build_dir, "compile_commands.json")))
command = next(shlex.split(e["command"]) for e in entries if os.path.realpath(e["file"]) == os.path.realpath(runtime_source))
flags, skip = [], False
for arg in command:
    if skip:
        skip = False
    elif arg in ("-o", "-MF", "-MT", "-MQ"):
        skip = True
    elif arg in ("-c", "-MD", "-MMD") or os.path.realpath(arg) == os.path.realpath(runtime_source):
        pass
    else:
        flags.append(arg)
with tempfile.TemporaryDirectory() as tmp:
    def compiles(header):
        probe = os.path.join(tmp, "probe.cc")
        with open(probe, "w") as f:
            f.write(f'#include "{header}"\nint main() {{ return 0; }}\n')
        r = subprocess.run([*flags, "-fsyntax-only", probe], capture_output=True, text=True)
        return r.returncode == 0, r.stderr
    ok, err = compiles("compiler/plan/program_plan.h")
    if not ok:
        failures.append(f"the control probe (a plan header) does not compile with the runtime's include path:\n{err}")
    for forbidden in ("compiler/sema/sema.h", "compiler/ast/ast.h", "compiler/jit/compiled_kernels.h",
                      "compiler/codegen/expr_codegen.h", "compiler/parse/parser.h",
                      "compiler/lower/lower.h"):
        ok, err = compiles(forbidden)
        if ok or "No such file" not in err:
            failures.append(f"the runtime's include path reaches {forbidden}: {err[:300]}")

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("walls hold: the interpreter host has no LLVM or ANTLR, and the runtime cannot include the compiler")
