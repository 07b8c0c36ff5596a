// What the runtime receives from the compiler: the checked plan, the sources it points into
// (for messages) and, for the JIT engine, the compiled kernels.
#pragma once

#include <memory>

#include "alert/compiler.h"
#include "compiler/jit/compiled_kernels.h"
#include "compiler/plan/program_plan.h"
#include "compiler/source/source_manager.h"

namespace alert {

struct CompiledProgram {
  SourceManager sources;
  plan::Program plan;
  EngineKind engine = EngineKind::Interp;
  std::unique_ptr<CompiledKernels> kernels;  // set when engine == Jit

  ~CompiledProgram();
};

}  // namespace alert
