// A program's machine code as the runtime calls it: one function pointer per schema and rule
// (kernel_abi.h signatures), and the owner of the code they point into. The JIT fills it
// (compiler/jit); the runtime reads it and knows nothing of who made it. Immutable once built,
// so any number of engines on any threads may share one.
#pragma once

#include <memory>
#include <vector>

#include "abi/kernel_abi.h"

namespace alert {

struct KernelTable {
  std::vector<AlertRowFilterFn> row_filters;        // per schema; null when no rule reads it
  std::vector<AlertWindowValuesFn> window_values;   // per rule; null for row rules
  std::vector<AlertWindowUpdateFn> window_updates;  // per rule; null when the runtime updates
  std::vector<AlertWindowCloseFn> window_closes;    // per rule; null for row rules
  double compile_seconds = 0;
  std::shared_ptr<const void> code;                 // keeps the code alive
  // A rule's dispatch function (the values of compiler/plan/alert_values.h for each row it
  // selects), which the maker of the code may compile on first use; null when it cannot.
  // Thread-safe.
  AlertDispatchFn (*resolve_dispatch)(const void* code, int rule) = nullptr;

  AlertRowFilterFn row_filter(int schema) const { return at(row_filters, schema); }
  AlertDispatchFn dispatcher(int rule) const { return resolve_dispatch ? resolve_dispatch(code.get(), rule) : nullptr; }
  AlertWindowValuesFn window_value_fn(int rule) const { return at(window_values, rule); }
  AlertWindowUpdateFn window_update(int rule) const { return at(window_updates, rule); }
  AlertWindowCloseFn window_close(int rule) const { return at(window_closes, rule); }

 private:
  template <typename Fn>
  static Fn at(const std::vector<Fn>& fns, int i) {
    return i >= 0 && static_cast<size_t>(i) < fns.size() ? fns[static_cast<size_t>(i)] : nullptr;
  }
};

}  // namespace alert
