// The reference interpreter: evaluates a plan expression directly, one row or one window of one
// group at a time, with the semantics of stdlib/scalar_ops. Simple on purpose: it is the oracle
// the JIT is tested against.
#pragma once

#include <deque>
#include <vector>

#include "alert/batch.h"
#include "compiler/plan/program_plan.h"
#include "stdlib/scalar_ops.h"

namespace alert {

struct EvalContext {
  const plan::Program* program = nullptr;
  const plan::Rule* rule = nullptr;
  // Row context.
  const Batch* batch = nullptr;
  size_t row = 0;
  // Window context.
  const std::vector<Value>* group_keys = nullptr;
  const std::vector<Value>* aggregates = nullptr;
  const std::vector<std::deque<Value>>* history = nullptr;  // per series, newest first
  int64_t window_start = 0, window_end = 0;
  // Lets computed so far (both contexts).
  const std::vector<Value>* lets = nullptr;
  ArithmeticEvents* events = nullptr;
};

Value evaluate(const plan::Expr& e, const EvalContext& ctx);
// A history call's value over a group's remembered series (newest first): prev(x, n), or
// mean_prev/stddev_prev over the last n windows, skipping nulls; null where the history is short.
Value history_call_value(const plan::HistoryCall& call, const std::deque<Value>& past);
// Renders a message or label template.
std::string render_template(const plan::Template& t, const EvalContext& ctx);
// Renders a template whose interpolated values were computed already, in piece order, starting
// at *next (which is advanced past them).
std::string render_template(const plan::Template& t, const Value*& next);

}  // namespace alert
