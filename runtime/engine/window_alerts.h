// The alert lifecycle of one group of a window rule (docs/language.md §7): how many consecutive
// windows `having` held, whether the group is firing, and the firing and resolved notifications
// with their throttle. Both window implementations (the reference one over values and the typed
// one the JIT engine drives) evaluate `having` their own way and hand the outcome here.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "alert/engine.h"
#include "compiler/plan/program_plan.h"
#include "runtime/engine/group_keys.h"
#include "runtime/interp/evaluator.h"

namespace alert {

struct GroupLifecycle {
  int consecutive = 0;
  bool firing = false;
  bool firing_sent = false;  // false when the firing notification was throttled
  std::vector<std::pair<std::string, std::string>> firing_labels;
  std::string fingerprint;
};

// Whether a group is forgotten at the close of window [start, end) (docs/language.md §7.6): its
// last row is more than `expire_ns` before `end`, and it is not held by the close: no open
// window has its rows, the closing one does not either (for a sliding window: its last row has
// left every window), and the close did not just make it fire (one close, one transition).
inline bool expires_at_close(bool no_open_windows, int64_t last_row_time, bool fired_at_close, int64_t start,
                             int64_t end, int64_t expire_ns) {
  return no_open_windows && !fired_at_close && last_row_time < start && end - last_row_time > expire_ns;
}

// Where a window rule's notifications go and what they count.
struct WindowRuleOutput {
  const plan::Rule* rule = nullptr;
  RuleStats* stats = nullptr;
  ThrottleTable* throttle = nullptr;
  const AlertSink* sink = nullptr;
};

// One closed window's outcome for a group: `holds` is `having`. `ctx` is the group's window
// context (keys, aggregates, history, lets) for templates and throttle keys. Sends what the
// transition calls for.
void apply_having(const WindowRuleOutput& out, GroupLifecycle& group, bool holds, const EvalContext& ctx,
                  int64_t start, int64_t end);

// The group is forgotten (expired) while firing: its resolved notification.
void resolve_group(const WindowRuleOutput& out, GroupLifecycle& group, const EvalContext& ctx, int64_t start,
                   int64_t end);

}  // namespace alert

namespace alert {

// Whether `having` over an empty window is the same for every group (no history, no group key
// read by the lets or `having`): then it is evaluated once per close, and a quiet group (no
// rows in the window, not firing, no run of windows under way) whose result would be false is
// left as it is without evaluating anything. With many known groups, most are quiet in any
// one window (bench/window_bench.cc, 1M keys).
bool empty_result_shared(const plan::Rule& rule);

// Whether `e` reads a group key (outside aggregates).
bool reads_group_key(const plan::Expr& e);

}  // namespace alert
