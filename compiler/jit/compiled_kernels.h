// The machine code of a program, compiled by LLVM ORC for the host CPU: the fused row filter of
// each schema, each rule's dispatch function and each window rule's values, update and close
// functions. This header is the wall: callers get a KernelTable of kernel_abi.h function
// pointers and never an LLVM type; the table keeps the code alive.
#pragma once

#include <memory>
#include <string>

#include "abi/kernel_table.h"
#include "alert/result.h"
#include "compiler/plan/program_plan.h"

namespace alert {

Result<std::shared_ptr<const KernelTable>> compile_kernels(const plan::Program& program);

// Each stage of the back end as text (or object bytes), for `alertc compile --emit`.
enum class EmitKind { Ir, OptIr, Asm, Obj };
Result<std::string> emit_kernels(const plan::Program& program, EmitKind kind);

// The CPU the JIT generates code for, and its features ("+avx2,+fma,...").
std::string jit_target_description();

}  // namespace alert
