// What the runtime receives from the compiler: the lowered plan and, for the JIT engine, the
// table of its kernels. Nothing here is the compiler's: the runtime, the interpreter and a host
// that builds a plan by other means (a pack, a test) see only the plan IR and the kernel ABI.
// Immutable once built; engines on any threads may share one.
#pragma once

#include <memory>

#include "abi/kernel_table.h"
#include "alert/compiler.h"
#include "compiler/plan/program_plan.h"

namespace alert {

struct CompiledProgram {
  plan::Program plan;
  EngineKind engine = EngineKind::Interp;
  std::shared_ptr<const KernelTable> kernels;  // set when engine == Jit
};

}  // namespace alert
