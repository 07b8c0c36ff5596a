// Semantic analysis: resolves names, checks types and nullability, folds constants, validates
// clauses, channels, templates, regexes and tests, and decides the layout both engines execute
// (aggregate slots, history series, window shapes). It annotates the AST in place and records its
// decisions in a CheckedProgram, which compiler/lower turns into the plan. Every problem is a
// diagnostic; the result is usable only when no error was reported.
#pragma once

#include "compiler/diag/diagnostic.h"
#include "compiler/sema/checked_program.h"

namespace alert {

struct SemaOptions {
  // `alertc check`: warn about env("NAME") of a variable the environment lacks (a run fails on it).
  bool warn_unset_env = false;
  // False for `alertc run`: test blocks are neither checked nor kept.
  bool check_tests = true;
  // `alertc test`: errors inside a test block break only that test (plan::Test::broken).
  bool isolate_tests = false;
};
// Checks `ast` (annotating it) into `program`. Returns false when errors were reported.
bool check_program(ast::Program& ast, sema::CheckedProgram& program, const SourceManager& sources,
                   DiagnosticEngine& diags, const SemaOptions& options = {});

}  // namespace alert
