// Semantic analysis: resolves names, checks types and nullability, folds constants, validates
// clauses, channels, templates, regexes and tests, and lays out the plan both engines execute.
// Every problem is a diagnostic; the result is usable only when no error was reported.
#pragma once

#include "compiler/diag/diagnostic.h"
#include "compiler/plan/program_plan.h"

namespace alert {

// Checks `program.ast` and fills the rest of `program`. Returns false when errors were reported.
struct SemaOptions {
  // `alertc check`: warn about env("NAME") of a variable the environment lacks (a run fails on it).
  bool warn_unset_env = false;
  // False for `alertc run`: test blocks are neither checked nor kept.
  bool check_tests = true;
  // `alertc test`: errors inside a test block break only that test (plan::Test::broken).
  bool isolate_tests = false;
};
bool check_program(plan::Program& program, const SourceManager& sources, DiagnosticEngine& diags,
                   const SemaOptions& options = {});

}  // namespace alert
