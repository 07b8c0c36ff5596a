// Event time on quiet live inputs (--idle-timeout, docs/language.md §11). Per schema it keeps
// the event time of the last row read and when it arrived; once every live input of the schema
// has been quiet for the timeout, the schema's clock follows the wall clock from there:
// clock = t_last + (now - arrival_last). The engine closes the windows that clock passes.
// A schema still read from a regular file never advances this way: a file's alerts depend on
// its rows alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace alert {

class IdleClock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  IdleClock(size_t schemas, std::chrono::nanoseconds timeout) : timeout_(timeout), schemas_(schemas) {}

  // An input of `schema` opened (live or a regular file) or ended.
  void input_opened(int schema, bool live) { ++(live ? schemas_[schema].live : schemas_[schema].files); }
  void input_ended(int schema, bool live) { --(live ? schemas_[schema].live : schemas_[schema].files); }
  // A batch of `schema` arrived at `arrived`; `last_time` is its last row's event time, if any.
  void rows_arrived(int schema, std::optional<int64_t> last_time, TimePoint arrived) {
    State& s = schemas_[schema];
    s.arrival = arrived;
    if (last_time) s.t_last = *last_time;
  }
  // The clock a quiet schema has reached at `now`, when it advances past the last one returned.
  std::optional<int64_t> advance(int schema, TimePoint now) {
    State& s = schemas_[schema];
    if (s.live == 0 || s.files > 0 || !s.t_last || now - s.arrival < timeout_) return std::nullopt;
    int64_t elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - s.arrival).count();
    int64_t clock = *s.t_last + elapsed;
    if (clock <= s.advanced) return std::nullopt;
    s.advanced = clock;
    return clock;
  }
  // When next() should look again: the first schema to become quiet, or soon while one is.
  std::optional<TimePoint> next_check(TimePoint now) const {
    std::optional<TimePoint> at;
    for (const State& s : schemas_) {
      if (s.live == 0 || s.files > 0 || !s.t_last) continue;
      TimePoint t = s.arrival + timeout_;
      if (t <= now) t = now + kTick;
      if (!at || t < *at) at = t;
    }
    return at;
  }

 private:
  // While a schema is quiet its clock moves in steps this small: windows close within a tick.
  static constexpr std::chrono::milliseconds kTick{5};
  struct State {
    int live = 0, files = 0;
    std::optional<int64_t> t_last;
    TimePoint arrival{};
    int64_t advanced = INT64_MIN;
  };
  std::chrono::nanoseconds timeout_;
  std::vector<State> schemas_;
};

}  // namespace alert
