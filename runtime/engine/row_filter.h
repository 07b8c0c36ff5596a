// Evaluates the `where` of every rule of a batch's schema, for the whole batch at once, into one
// 0/1 byte per rule and row. The JIT engine runs the schema's fused kernel (compiler/jit) over
// the columns; the reference interpreter walks the rows. Both give the same bytes: the
// differential test holds them to it.
#pragma once

#include <memory>
#include <vector>

#include "alert/batch.h"
#include "compiler/driver/compiled_program.h"
#include "stdlib/scalar_ops.h"

namespace alert {

class RowFilter {
 public:
  struct Selection {
    // masks[slot][row]: slot is the rule's position in plan.rules_of_schema(batch.schema).
    std::vector<std::vector<uint8_t>> masks;
    bool test(size_t slot, size_t row) const { return masks[slot][row] != 0; }
  };
  virtual ~RowFilter() = default;
  virtual const Selection& evaluate(const Batch& batch, ArithmeticEvents& events) = 0;
};

// The program's engine decides which: its kernels when compiled for the JIT, else the interpreter.
std::unique_ptr<RowFilter> make_row_filter(const CompiledProgram& program);
std::unique_ptr<RowFilter> make_interpreted_row_filter(const CompiledProgram& program);

}  // namespace alert
