// Lowering: the checked syntax (annotated AST + sema's decisions) becomes the plan, which owns
// no syntax. Expressions become interned plan::Expr nodes, templates lists of pieces, and test
// blocks data with their lines and paths resolved. Runs only on a program without errors.
#pragma once

#include "compiler/plan/program_plan.h"
#include "compiler/sema/checked_program.h"
#include "compiler/source/source_manager.h"

namespace alert {

plan::Program lower_program(sema::CheckedProgram&& checked, const SourceManager& sources);

}  // namespace alert
