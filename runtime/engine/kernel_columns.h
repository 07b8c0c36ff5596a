// Hands generated kernels the columns of a batch as kernel_abi.h views over the batch's own
// buffers, a chunk of rows at a time; only the fields some rule reads are bound, so a string
// column nobody reads is never padded or copied.
#pragma once

#include <vector>

#include "alert/batch.h"
#include "abi/kernel_abi.h"
#include "compiler/plan/program_plan.h"

namespace alert {

// Per schema, the fields any rule over it reads (in `where`, lets, keys, arguments, templates).
std::vector<std::vector<bool>> fields_read(const plan::Program& plan);

class KernelColumns {
 public:
  explicit KernelColumns(const plan::Program& plan) : fields_read_(fields_read(plan)) {}

  // Views of the rows from `start` on (a multiple of 64, so bitmaps are offset by whole words).
  const AlertColumnView* bind(const Batch& batch, size_t start);

 private:
  const char* padded_bytes(size_t column, const Column& col);

  std::vector<std::vector<bool>> fields_read_;  // per schema
  std::vector<AlertColumnView> views_;
  std::vector<std::vector<char>> padded_;
};

// A value a kernel wrote, as a Value (strings copied).
Value value_of(const AlertValue& v);

}  // namespace alert
