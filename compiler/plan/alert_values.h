// The values each row a rule selects yields, in one fixed order. Both engines compute exactly
// this list for a selected row (the JIT in the rule's generated dispatch function, the
// interpreter by evaluating it), and the runtime works from it, so what follows cannot differ
// between engines.
// - A row rule: its lets, its group keys, its throttle keys, then the interpolated expressions
//   of each label and of the message (the alert is rendered from them).
// - A window rule: its group keys, then the argument of each aggregate that has one, in
//   aggregate-slot order (the window update hashes and accumulates them).
#pragma once

#include <vector>

#include "compiler/plan/program_plan.h"

namespace alert::plan {

struct AlertValueLayout {
  std::vector<const ast::Expr*> exprs;
  size_t lets = 0;      // exprs[0, lets)
  size_t keys = 0;      // then the group keys
  size_t throttle = 0;  // then the throttle keys; then the template pieces in order
};

AlertValueLayout row_alert_values(const Rule& rule);

}  // namespace alert::plan
