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
  // One byte per rule and row, laid out as the kernels write it: chunks of
  // ALERT_KERNEL_CHUNK_ROWS rows, each holding every rule's bytes for those rows in turn. A
  // slot is the rule's position in plan.rules_of_schema(batch.schema).
  struct Selection {
    static constexpr size_t kChunk = ALERT_KERNEL_CHUNK_ROWS;
    static constexpr size_t kStride = ALERT_KERNEL_OUTPUT_STRIDE;
    size_t rules = 0;
    std::vector<uint8_t> bytes;

    void reset(size_t n_rules, size_t rows) {
      rules = n_rules;
      bytes.resize(((rows + kChunk - 1) / kChunk) * rules * kStride);
    }
    uint8_t* chunk(size_t index) { return bytes.data() + index * rules * kStride; }
    // The bytes of one rule for the rows of one chunk.
    const uint8_t* rule_in_chunk(size_t slot, size_t index) const { return bytes.data() + (index * rules + slot) * kStride; }
    bool test(size_t slot, size_t row) const { return rule_in_chunk(slot, row / kChunk)[row % kChunk] != 0; }
  };
  virtual ~RowFilter() = default;
  virtual const Selection& evaluate(const Batch& batch, ArithmeticEvents& events) = 0;
  // The alert values (compiler/plan/alert_values.h) of a row the rule at `slot` selected in the
  // batch last evaluated: from the rule's generated dispatch function (JIT), or evaluated by the
  // interpreter. Rows of one rule are asked for in increasing order.
  virtual void alert_values(const Batch& batch, size_t slot, int rule, size_t row, std::vector<Value>* out,
                            ArithmeticEvents& events) = 0;
};

// The program's engine decides which: its kernels when compiled for the JIT, else the interpreter.
std::unique_ptr<RowFilter> make_row_filter(const CompiledProgram& program);
std::unique_ptr<RowFilter> make_interpreted_row_filter(const CompiledProgram& program);

}  // namespace alert
