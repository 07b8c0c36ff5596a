// What the runtime receives from the compiler: the checked plan, the sources it points into
// (for messages), and the machine code of the JIT engine when it was asked for.
#pragma once

#include <memory>

#include "alert/compiler.h"
#include "compiler/plan/program_plan.h"
#include "compiler/source/source_manager.h"

namespace alert {

class JitKernels;  // compiler/jit: per-schema row filter kernels

struct CompiledProgram {
  SourceManager sources;
  plan::Program plan;
  EngineKind engine = EngineKind::Interp;
  std::shared_ptr<JitKernels> kernels;  // null for the interpreter

  ~CompiledProgram();
};

}  // namespace alert
