// What the runtime receives from the compiler: the checked plan and the sources it points into
// (for messages). The JIT back end (issue 4) will add its compiled kernels here.
#pragma once

#include <memory>

#include "alert/compiler.h"
#include "compiler/plan/program_plan.h"
#include "compiler/source/source_manager.h"

namespace alert {

struct CompiledProgram {
  SourceManager sources;
  plan::Program plan;
  EngineKind engine = EngineKind::Interp;

  ~CompiledProgram();
};

}  // namespace alert
