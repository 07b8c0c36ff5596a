// Evaluates the `where` of every rule of a batch's schema, for the whole batch at once, into one
// bit per rule and row (Selection). The JIT engine runs the schema's fused kernel (its
// KernelTable) over the columns; the reference interpreter walks the rows. Both give the same
// bits: the differential test holds them to it.
#pragma once

#include <memory>
#include <vector>

#include "alert/batch.h"
#include "compiler/plan/compiled_program.h"
#include "stdlib/scalar_ops.h"

namespace alert {

class RowFilter {
 public:
  // A bit per rule and row, laid out as the kernels write it (kernel_abi.h): one record of
  // `record` bytes per row, bit `slot` in byte slot / 8. A slot is the rule's position in
  // plan.rules_of_schema(batch.schema).
  struct Selection {
    static constexpr size_t kChunk = ALERT_KERNEL_CHUNK_ROWS;
    size_t record = 1;
    std::vector<uint8_t> bytes;

    // `zero`: clear the bits (the interpreter sets them one by one; kernels write whole records).
    void reset(size_t n_rules, size_t rows, bool zero) {
      record = static_cast<size_t>(alert_filter_record_bytes(static_cast<int64_t>(n_rules)));
      if (zero) {
        bytes.assign(rows * record, 0);
      } else {
        bytes.resize(rows * record);
      }
    }
    // The records of the rows from `row` on.
    uint8_t* records_from(size_t row) { return bytes.data() + row * record; }
    const uint8_t* records_from(size_t row) const { return bytes.data() + row * record; }
    bool test(size_t slot, size_t row) const { return (bytes[row * record + slot / 8] >> (slot % 8)) & 1; }
    void set(size_t slot, size_t row) { bytes[row * record + slot / 8] |= static_cast<uint8_t>(1u << (slot % 8)); }
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
