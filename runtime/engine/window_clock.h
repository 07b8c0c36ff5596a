// The window clock of docs/language.md §7, shared by both engines: which windows a row's event
// time falls in, which window the first row leaves open, and when a window closes. Both engines
// keep their own clock state but compute it with these functions only.
#pragma once

#include <algorithm>
#include <cstdint>

#include "compiler/plan/program_plan.h"
#include "stdlib/time_format.h"

namespace alert {

struct WindowShape {
  int64_t size_ns = 0, step_ns = 0, lateness_ns = 0;
  static WindowShape of(const plan::Rule& r) { return {r.size_ns, r.step_ns, r.lateness_ns}; }

  // Windows [k*step, k*step + size) holding t: k from first_window(t) to last_window(t).
  int64_t first_window(int64_t t) const { return floor_div(t - size_ns, step_ns) + 1; }
  int64_t last_window(int64_t t) const { return floor_div(t, step_ns); }
  // The smallest window still open once the clock reads `watermark`: a window closes when the
  // clock reaches its end + lateness. Also the first row's start: it closes no window it does
  // not pass by the lateness.
  int64_t first_open_window(int64_t watermark) const {
    return floor_div(watermark - size_ns - lateness_ns, step_ns) + 1;
  }
};

// A rule's clock: the largest event time read, and the smallest window index not yet closed.
struct WindowClock {
  bool started = false;
  int64_t watermark = INT64_MIN;
  int64_t next_close = 0;

  // Reads a row at time t (without closing anything: the engines close windows themselves).
  void observe(const WindowShape& w, int64_t t) {
    if (!started) {
      started = true;
      next_close = w.first_open_window(t);
    }
    watermark = std::max(watermark, t);
    next_close = std::max(next_close, w.first_open_window(watermark));
  }
  // Whether a row at time t, read after the clock advanced for it, is late: its earliest
  // window has closed.
  bool is_late(const WindowShape& w, int64_t t) const { return w.first_window(t) < next_close; }
};

}  // namespace alert
