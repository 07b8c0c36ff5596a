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
  std::vector<const Expr*> exprs;
  size_t lets = 0;      // exprs[0, lets)
  size_t keys = 0;      // then the group keys
  size_t throttle = 0;  // then the throttle keys; then the template pieces in order
};

AlertValueLayout row_alert_values(const Rule& rule);

// Whether a window value (group key or aggregate argument) is a plain non-nullable int-like or
// float field: the runtime then reads the batch's column itself (no copy when the rule takes
// every row of a batch) and the values function skips it.
bool is_direct_window_value(const Program& program, const Rule& rule, const Expr& e);

// What a window rule's close function reads and writes (kernel_abi.h AlertWindowCloseFn): its
// columns, one row per group, are the group keys, then the aggregate slots (finalized), then the
// history calls (computed from the group's remembered series); its values per group are the
// lets, then each history series' value for the closing window.
struct WindowCloseLayout {
  std::vector<int> key_columns;
  std::vector<int> aggregate_columns;
  std::vector<int> history_columns;
  size_t columns = 0;
  size_t values = 0;  // per group: lets, then history series
};

WindowCloseLayout window_close_layout(const Rule& rule);

}  // namespace alert::plan
