// Builds the row-rule kernels (kernel_abi.h): per schema, the fused row filter (one loop over the
// batch that loads each column once and evaluates the `where` of every rule over that schema,
// sharing common sub-expressions across rules, one bit per rule and row out); per rule, a
// dispatch function that walks the filter's selection and writes the rule's values
// (compiler/plan/alert_values.h) for each selected row.
#pragma once

#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>

#include <string>
#include <vector>

#include "compiler/plan/program_plan.h"

namespace alert::codegen {

// The row filter of every schema that has rules, into `module`: (schema, symbol) pairs.
llvm::Expected<std::vector<std::pair<int, std::string>>> build_row_filters(const plan::Program& program,
                                                                           llvm::Module& module);
// The dispatch function of one rule, into `module`; its symbol.
llvm::Expected<std::string> build_dispatch(const plan::Program& program, int rule, llvm::Module& module);

}  // namespace alert::codegen
