// How each aggregate slot of a window rule is computed, decided once from its function and
// types: the one classification both the code generator (which updates the numeric ones inline
// in a rule's update function) and the runtime's aggregate columns (which keep their arrays and
// finish them) follow, so the two cannot disagree on what lives where.
#pragma once

#include <vector>

#include "compiler/plan/program_plan.h"

namespace alert::plan {

enum class AggregateOp {
  CountRows,       // count()
  CountValues,     // count(x)
  SumInt,          // sum of int or duration: int64 with overflow -> null
  SumFloat,        // sum of float
  Avg,
  Stddev,
  MinMaxInt,       // min/max of int, timestamp, duration
  MinMaxFloat,
  MinMaxString,
  FirstLastInt,    // first/last of int, timestamp, duration, bool
  FirstLastFloat,
  FirstLastString,
  DistinctBits,    // count_distinct of a non-string: canonical 64-bit patterns
  DistinctString,
};

struct AggregateSpec {
  AggregateOp op = AggregateOp::CountRows;
  TypeKind arg_kind = TypeKind::Null;
  TypeKind result_kind = TypeKind::Int;
  bool is_max = false;   // min/max
  bool is_last = false;  // first/last
  int arg = -1;          // index of its argument among the rule's window values (keys first)
};

std::vector<AggregateSpec> aggregate_specs(const plan::Rule& rule);

// avg keeps two sums: the plain one, and one of the values scaled by 2^-64 (exact: a power of
// two), which stays finite where the plain sum of finite values overflows. The mean is the
// plain sum's unless only that overflowed (docs/language.md §4: avg of finite values is finite).
constexpr double kAvgScale = 0x1p-64;
inline double mean_of_sums(double sum, double scaled_sum, int64_t count) {
  double n = static_cast<double>(count);
  if (__builtin_isfinite(sum) || !__builtin_isfinite(scaled_sum)) return sum / n;
  return scaled_sum / n / kAvgScale;
}


// Whether generated code updates the aggregate in place (the numeric ones); the others (strings,
// sets) go through the runtime.
bool updated_inline(AggregateOp op);

}  // namespace alert::plan
