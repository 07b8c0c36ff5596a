// The running aggregates of one open window for every group of a window rule, as typed arrays
// indexed by group slot (struct of arrays): the JIT engine's counterpart of the reference
// engine's per-group Accumulator values. Semantics are docs/language.md §5's, step for step the
// reference's (same floating-point operations in the same order), so both engines give the same
// bits: nulls skipped, Welford for stddev, NaN sticking in min/max, first/last by event time with
// ties by input order, count_distinct with 0.0 == -0.0 and one NaN.
#pragma once

#include <absl/container/flat_hash_set.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alert/value.h"
#include "abi/kernel_abi.h"
#include "compiler/plan/aggregate_ops.h"
#include "compiler/plan/program_plan.h"
#include "runtime/state/column_builder.h"
#include "runtime/state/engine_snapshot.h"
#include "runtime/state/value_column.h"
#include "stdlib/scalar_ops.h"

namespace alert {

using plan::AggregateOp;
using plan::AggregateSpec;
using plan::aggregate_specs;

class AggregateColumns {
 public:
  void init(const std::vector<AggregateSpec>& specs, size_t capacity);
  void grow(size_t capacity);
  // Back to the empty state for one group slot.
  void reset(uint32_t slot);
  // Asks the cache for slot's entries of aggregate a (its count and value arrays).
  void prefetch(size_t a, uint32_t slot) const {
    const Arrays& x = arrays_[a];
    __builtin_prefetch(x.count.data() + slot);
    if (!x.f.empty()) __builtin_prefetch(x.f.data() + slot);
    if (!x.i.empty()) __builtin_prefetch(x.i.data() + slot);
  }

  // Adds row j of `arg` to one aggregate of one slot: the generated update's callback for
  // strings and sets (the numeric aggregates it updates in place, the same way). times[j] is
  // the row's event time, seq_base + rows[j] its number in the input (first/last ties).
  void add_one(size_t aggregate, uint32_t slot, size_t j, const ValueColumn& arg, const int64_t* times,
               const uint32_t* rows, uint64_t seq_base);
  // Per aggregate, the seven array pointers of kernel_abi.h ALERT_WINDOW_FIELDS (null if unused).
  void export_arrays(void** out);

  // Slot's running state of aggregate a as both engines share it, and back
  // (runtime/state/engine_snapshot.h).
  state::AggregateSnapshot snapshot(size_t a, uint32_t slot) const;
  void restore(size_t a, uint32_t slot, const state::AggregateSnapshot& in);

  // Slot's value of aggregate a (counting a sum's overflow in `events` when given).
  Value value(size_t a, uint32_t slot, ArithmeticEvents* events) const;
  // The same value pushed onto a close function's input column (no Value in between).
  void append(size_t a, uint32_t slot, ColumnBuilder& column, ArithmeticEvents* events) const;

 private:
  struct Arrays {
    std::vector<int64_t> count;
    std::vector<int64_t> i;       // integer sum, or the held int
    std::vector<uint8_t> overflow;
    std::vector<double> f;        // float sum, Welford mean, or the held float
    std::vector<double> m2;
    std::vector<std::string> s;   // the held string
    std::vector<int64_t> held_time;
    std::vector<uint64_t> held_seq;
    std::vector<absl::flat_hash_set<uint64_t>> distinct_bits;
    std::vector<absl::flat_hash_set<std::string>> distinct_strings;
  };
  void size_arrays(Arrays& a, const AggregateSpec& spec, size_t capacity);

  const std::vector<AggregateSpec>* specs_ = nullptr;
  std::vector<Arrays> arrays_;
};

// An aggregate's value over no rows (docs/language.md §5: count 0, sum 0, the others null).
Value empty_aggregate(const AggregateSpec& spec);
void append_empty_aggregate(const AggregateSpec& spec, ColumnBuilder& column);

// The canonical 64-bit pattern count_distinct keeps for a non-string value: ints compare as the
// floats they convert to (as `==` does), -0.0 is 0.0 and every NaN is one NaN.
uint64_t distinct_bits(TypeKind kind, int64_t i, double f);

}  // namespace alert
