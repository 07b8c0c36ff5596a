// The machine code of a program: the fused row-filter kernel of each schema, compiled by LLVM
// ORC for the host CPU. This header is the wall: callers see kernel_abi.h function pointers and
// never an LLVM type. Owning a CompiledKernels keeps its code alive.
#pragma once

#include <memory>
#include <string>

#include "alert/result.h"
#include "compiler/codegen/kernel_abi.h"
#include "compiler/plan/program_plan.h"

namespace alert {

class CompiledKernels {
 public:
  static Result<std::unique_ptr<CompiledKernels>> compile(const plan::Program& program);
  ~CompiledKernels();

  // The kernel of a schema, or null when no rule reads that schema.
  AlertRowFilterFn row_filter(int schema) const;
  // The dispatch function of a rule: the values of compiler/plan/alert_values.h for each row it
  // selects.
  AlertDispatchFn dispatcher(int rule) const;
  // A window rule's generated values, update and close functions (kernel_abi.h), or null.
  AlertWindowValuesFn window_values(int rule) const;
  AlertWindowUpdateFn window_update(int rule) const;
  AlertWindowCloseFn window_close(int rule) const;
  double compile_seconds() const;

 private:
  struct Impl;
  explicit CompiledKernels(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Each stage of the back end as text (or object bytes), for `alertc compile --emit`.
enum class EmitKind { Ir, OptIr, Asm, Obj };
Result<std::string> emit_kernels(const plan::Program& program, EmitKind kind);

// The CPU the JIT generates code for, and its features ("+avx2,+fma,...").
std::string jit_target_description();

}  // namespace alert
