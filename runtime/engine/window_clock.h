// The window clock of docs/language.md §7, shared by both engines: the largest event time read
// and the next window to close, computed with plan::WindowSpec's arithmetic only.
#pragma once

#include <algorithm>
#include <cstdint>

#include "compiler/plan/program_plan.h"

namespace alert {

// A rule's clock: the largest event time read, and the smallest window index not yet closed.
struct WindowClock {
  bool started = false;
  int64_t watermark = INT64_MIN;
  int64_t next_close = 0;

  // Reads a row at time t (without closing anything: the engines close windows themselves).
  void observe(const plan::WindowSpec& w, int64_t t) {
    if (!started) {
      started = true;
      next_close = w.first_open_window(t);
    }
    watermark = std::max(watermark, t);
    next_close = std::max(next_close, w.first_open_window(watermark));
  }
  // Whether a row at time t, read after the clock advanced for it, is late: its earliest
  // window has closed.
  bool is_late(const plan::WindowSpec& w, int64_t t) const { return w.first_window(t) < next_close; }
};

}  // namespace alert
