// Machine code for a program's row work: per schema, one fused filter kernel that evaluates the
// `where` of every row rule over a batch and writes one selection bitmap per rule. Built with
// LLVM ORC; no LLVM type appears here.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "alert/result.h"
#include "compiler/plan/program_plan.h"
#include "runtime/batch/column_view.h"

namespace alert {

// kernel(columns, row_count, rule_bitmaps): for row i, bit i of rule_bitmaps[k] is set when
// rule k's `where` is true (null and false clear it). `rule_bitmaps` has one entry per rule of
// the schema in KernelInfo::rules order.
using FilterKernelFn = void (*)(const ColumnView* columns, uint64_t rows, uint64_t** rule_bitmaps,
                                void* context);

struct SchemaKernel {
  int schema = -1;
  std::vector<int> rules;  // plan rule indexes evaluated by this kernel (in bitmap order)
  FilterKernelFn fn = nullptr;
};

class JitKernels {
 public:
  static Result<std::shared_ptr<JitKernels>> build(const plan::Program& program);
  ~JitKernels();

  // Null when the schema has no rule with a kernel.
  const SchemaKernel* kernel_for(int schema) const;
  // The IR and assembly, for `alertc compile --emit`.
  static Result<std::string> emit(const plan::Program& program, const std::string& what);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<SchemaKernel> kernels_;
};

}  // namespace alert
