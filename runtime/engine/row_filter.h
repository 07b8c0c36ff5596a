// Evaluates the `where` of every row rule of a batch's schema, for the whole batch at once, into
// one selection bitmap per rule. The interpreter does it row by row; the JIT engine runs the
// schema's fused kernel (compiler/jit) over the columns.
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
    std::vector<std::vector<uint64_t>> bits;  // per row rule of the schema, bit per row
    bool test(size_t rule_slot, size_t row) const { return (bits[rule_slot][row >> 6] >> (row & 63)) & 1; }
  };
  virtual ~RowFilter() = default;
  virtual const Selection& evaluate(const Batch& batch, ArithmeticEvents& events) = 0;
};

// `row_rules[schema]` lists the plan indexes of that schema's row rules, in bitmap order.
std::unique_ptr<RowFilter> make_row_filter(const CompiledProgram& program,
                                           const std::vector<std::vector<int>>& row_rules);

}  // namespace alert
