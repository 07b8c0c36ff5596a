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
  for (const ast::Expr* e : rule.throttle_by) layout.exprs.push_back(e);
  layout.throttle = rule.throttle_by.size();
  auto add_template = [&](const ast::Template& t) {
    for (const auto& piece : t.pieces) {
      if (piece.expr) layout.exprs.push_back(piece.expr.get());
    }
  };
  for (const Label& l : rule.labels) add_template(*l.value);
  if (rule.message) add_template(*rule.message);
  return layout;
}

}  // namespace alert::plan
