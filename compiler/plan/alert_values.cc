#include "compiler/plan/alert_values.h"

namespace alert::plan {

AlertValueLayout row_alert_values(const Rule& rule) {
  AlertValueLayout layout;
  if (rule.is_window) {
    for (const GroupKey& g : rule.group_keys) layout.exprs.push_back(g.expr);
    layout.keys = rule.group_keys.size();
    for (const AggregateSlot& a : rule.aggregates) {
      if (a.arg) layout.exprs.push_back(a.arg);
    }
    return layout;
  }
  for (const Let& l : rule.lets) layout.exprs.push_back(l.expr);
  layout.lets = rule.lets.size();
  for (const GroupKey& g : rule.group_keys) layout.exprs.push_back(g.expr);
  layout.keys = rule.group_keys.size();
  for (const Expr* e : rule.throttle_by) layout.exprs.push_back(e);
  layout.throttle = rule.throttle_by.size();
  auto add_template = [&](const Template& t) {
    for (const auto& piece : t.pieces) {
      if (piece.expr) layout.exprs.push_back(piece.expr);
    }
  };
  for (const Label& l : rule.labels) add_template(l.value);
  if (rule.message) add_template(*rule.message);
  return layout;
}

bool is_direct_window_value(const Program& program, const Rule& rule, const Expr& e) {
  if (e.op != ExprOp::Field) return false;
  const Field& f = program.schemas[rule.schema].fields[e.index];
  if (f.type.nullable) return false;
  switch (f.type.kind) {
    case TypeKind::Int:
    case TypeKind::Float:
    case TypeKind::Timestamp:
    case TypeKind::Duration: return true;
    default: return false;
  }
}

WindowCloseLayout window_close_layout(const Rule& rule) {
  WindowCloseLayout layout;
  int next = 0;
  for (size_t i = 0; i < rule.group_keys.size(); ++i) layout.key_columns.push_back(next++);
  for (size_t i = 0; i < rule.aggregates.size(); ++i) layout.aggregate_columns.push_back(next++);
  for (size_t i = 0; i < rule.history_calls.size(); ++i) layout.history_columns.push_back(next++);
  layout.columns = static_cast<size_t>(next);
  layout.values = rule.lets.size() + rule.history.size();
  return layout;
}

}  // namespace alert::plan
