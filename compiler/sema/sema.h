// Semantic analysis: resolves names, checks types and nullability, folds constants, validates
// clauses, channels, templates, regexes and tests, and lays out the plan both engines execute.
// Every problem is a diagnostic; the result is usable only when no error was reported.
#pragma once

#include "compiler/diag/diagnostic.h"
#include "compiler/plan/program_plan.h"

namespace alert {

// Checks `program.ast` and fills the rest of `program`. Returns false when errors were reported.
bool check_program(plan::Program& program, const SourceManager& sources, DiagnosticEngine& diags);

}  // namespace alert
