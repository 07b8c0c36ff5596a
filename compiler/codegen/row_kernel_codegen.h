// Builds the row-rule kernels (kernel_abi.h): per schema, the fused row filter (one loop over the
// batch that loads each column once and evaluates the `where` of every rule over that schema,
// sharing common sub-expressions across rules, one 0/1 byte per rule and row out); per row rule,
// a dispatch function that walks the filter's selection and writes the alert's values
// (compiler/plan/alert_values.h) for each selected row.
#pragma once

#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>

#include <string>
#include <vector>

#include "compiler/plan/program_plan.h"

namespace alert::codegen {

struct KernelSymbols {
  std::vector<std::pair<int, std::string>> row_filters;  // schema, symbol
  std::vector<std::pair<int, std::string>> dispatchers;  // row rule, symbol
};

// The row filters go to `hot` (compiled for speed), the dispatch functions, which run only for
// the rows a rule selects, to `cold` (compiled for compile time).
llvm::Expected<KernelSymbols> build_row_kernels(const plan::Program& program, llvm::Module& hot, llvm::Module& cold);
// The pieces of that, for a JIT that compiles each rule's dispatch function on first use.
llvm::Expected<std::vector<std::pair<int, std::string>>> build_row_filters(const plan::Program& program,
                                                                           llvm::Module& module);
llvm::Expected<std::string> build_dispatch_function(const plan::Program& program, int rule, llvm::Module& module);

}  // namespace alert::codegen
