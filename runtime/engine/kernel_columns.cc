#include "runtime/engine/kernel_columns.h"

#include "compiler/plan/alert_values.h"

namespace alert {
namespace {

void mark_fields(const plan::Expr& e, std::vector<bool>& used) {
  plan::for_each_node(e, [&](const plan::Expr& n) {
    if (n.op == plan::ExprOp::Field) used[n.index] = true;
  });
}

}  // namespace

std::vector<std::vector<bool>> fields_read(const plan::Program& plan) {
  std::vector<std::vector<bool>> out(plan.schemas.size());
  for (size_t s = 0; s < plan.schemas.size(); ++s) out[s].assign(plan.schemas[s].fields.size(), false);
  for (const plan::Rule& r : plan.rules) {
    std::vector<bool>& used = out[r.schema];
    if (r.where) mark_fields(*r.where, used);
    for (const plan::Expr* e : plan::row_alert_values(r).exprs) mark_fields(*e, used);
  }
  return out;
}

const AlertColumnView* KernelColumns::bind(const Batch& batch, size_t start) {
  views_.assign(batch.columns.size(), AlertColumnView{});
  size_t word = start / 64;
  const std::vector<bool>& used = fields_read_[batch.schema];
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    if (!used[c]) continue;
    const Column& col = batch.columns[c];
    const void* values = nullptr;
    switch (col.kind) {
      case TypeKind::Float: values = col.floats.data() + start; break;
      case TypeKind::Bool: values = col.bools.data() + word; break;
      case TypeKind::String: break;
      default: values = col.ints.data() + start;
    }
    views_[c] = AlertColumnView{col.validity.data() + word, values, col.offsets.data() + start,
                                col.kind == TypeKind::String ? padded_bytes(c, col) : nullptr};
  }
  return views_.data();
}

// String bytes readable ALERT_STRING_PADDING past their end: the column's own buffer when its
// allocation already reaches that far (Batch reserves it), else a padded copy.
const char* KernelColumns::padded_bytes(size_t column, const Column& col) {
  if (col.bytes.capacity() >= col.bytes.size() + ALERT_STRING_PADDING) return col.bytes.data();
  if (padded_.size() <= column) padded_.resize(column + 1);
  padded_[column].assign(col.bytes.begin(), col.bytes.end());
  padded_[column].resize(col.bytes.size() + ALERT_STRING_PADDING, '\0');
  return padded_[column].data();
}

Value value_of(const AlertValue& v) {
  if (!v.valid) return Value::null();
  switch (static_cast<TypeKind>(v.kind)) {
    case TypeKind::Bool: return Value::boolean(v.i != 0);
    case TypeKind::Float: return Value::floating(v.f);
    case TypeKind::String: return Value::string(std::string(v.data, static_cast<size_t>(v.size)));
    case TypeKind::Timestamp: return Value::timestamp(v.i);
    case TypeKind::Duration: return Value::duration(v.i);
    case TypeKind::Int: return Value::integer(v.i);
    default: return Value::null();
  }
}

}  // namespace alert
