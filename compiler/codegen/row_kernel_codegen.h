// Builds the fused row-filter kernel of each schema (kernel_abi.h: AlertRowFilterFn): one loop
// over the batch that loads each column once and evaluates the `where` of every rule over that
// schema, sharing common sub-expressions across rules, with one 0/1 byte per rule and row out.
#pragma once

#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>

#include <string>
#include <vector>

#include "compiler/plan/program_plan.h"

namespace alert::codegen {

struct RowKernelSymbol {
  int schema = 0;
  std::string symbol;
};

// Adds one kernel per schema that has rules to `module`.
llvm::Expected<std::vector<RowKernelSymbol>> build_row_kernels(const plan::Program& program, llvm::Module& module);

}  // namespace alert::codegen
