// The checked program as text (`alertc compile --emit=ast`): every declaration and every
// expression as a typed S-expression, so a rule author or a test can see what sema made of it.
#pragma once

#include <string>

#include "compiler/plan/program_plan.h"

namespace alert::plan {

std::string print_program(const Program& program);
std::string print_expr(const Expr& e);

}  // namespace alert::plan
