#include "compiler/plan/aggregate_ops.h"

namespace alert::plan {

std::vector<AggregateSpec> aggregate_specs(const Rule& rule) {
  std::vector<AggregateSpec> out;
  int next_arg = static_cast<int>(rule.group_keys.size());
  for (const AggregateSlot& slot : rule.aggregates) {
    AggregateSpec spec;
    spec.result_kind = slot.type.kind;
    if (slot.arg) {
      spec.arg = next_arg++;
      spec.arg_kind = slot.arg->type.kind;
    }
    TypeKind k = spec.arg_kind;
    switch (slot.fn) {
      case BuiltinId::Count: spec.op = slot.arg ? AggregateOp::CountValues : AggregateOp::CountRows; break;
      case BuiltinId::CountDistinct:
        spec.op = k == TypeKind::String ? AggregateOp::DistinctString : AggregateOp::DistinctBits;
        break;
      case BuiltinId::Sum: spec.op = spec.result_kind == TypeKind::Float ? AggregateOp::SumFloat : AggregateOp::SumInt; break;
      case BuiltinId::Avg: spec.op = AggregateOp::Avg; break;
      case BuiltinId::Stddev: spec.op = AggregateOp::Stddev; break;
      case BuiltinId::Min:
      case BuiltinId::Max:
        spec.is_max = slot.fn == BuiltinId::Max;
        spec.op = k == TypeKind::Float    ? AggregateOp::MinMaxFloat
                  : k == TypeKind::String ? AggregateOp::MinMaxString
                                          : AggregateOp::MinMaxInt;
        break;
      case BuiltinId::First:
      case BuiltinId::Last:
        spec.is_last = slot.fn == BuiltinId::Last;
        spec.op = k == TypeKind::Float    ? AggregateOp::FirstLastFloat
                  : k == TypeKind::String ? AggregateOp::FirstLastString
                                          : AggregateOp::FirstLastInt;
        break;
      default: spec.op = AggregateOp::CountRows;
    }
    out.push_back(spec);
  }
  return out;
}

bool updated_inline(AggregateOp op) {
  switch (op) {
    case AggregateOp::MinMaxString:
    case AggregateOp::FirstLastString:
    case AggregateOp::DistinctBits:
    case AggregateOp::DistinctString: return false;
    default: return true;
  }
}

}  // namespace alert::plan
