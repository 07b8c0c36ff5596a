// Builds the generated code of window rules (kernel_abi.h): per rule, a values function that
// computes the group keys and aggregate arguments of the rows the rule selected into typed
// columns, an update function that hashes and probes each row's key and accumulates its
// arguments into the group's windows, and a close function that evaluates the
// lets, `having` and history series of every group of a closing window in one loop, groups as
// rows (compiler/plan/alert_values.h: WindowCloseLayout).
#pragma once

#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>

#include <string>

#include "compiler/plan/program_plan.h"

namespace alert::codegen {

struct WindowKernelSymbols {
  std::string values;
  std::string update;
  std::string close;
};

llvm::Expected<WindowKernelSymbols> build_window_kernels(const plan::Program& program, int rule, llvm::Module& module);

}  // namespace alert::codegen
