// The runtime engine: push batches of rows, receive alerts. Row rules fire per row; window rules
// keep per-group state across batches and fire or resolve when windows close (docs/language.md §7).
// Alerts depend only on the program and the rows in order, never on how rows are batched.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "alert/alert.h"
#include "alert/batch.h"
#include "alert/compiler.h"
#include "alert/reader.h"

namespace alert {

struct EngineOptions {
  size_t max_groups = 1'000'000;  // per window rule; groups beyond it are refused and counted
  // --strict: evaluation stops at the first late row (that row included, as without --strict);
  // no row after it is evaluated, whatever the batch size (docs/language.md §13).
  bool stop_at_late_row = false;
};

struct RuleStats {
  std::string rule;
  uint64_t firing = 0;
  uint64_t resolved = 0;
  uint64_t suppressed = 0;       // throttled notifications
  uint64_t groups_refused = 0;   // rows whose new group exceeded max_groups
};

struct RunStats {
  uint64_t rows = 0;
  uint64_t late_rows = 0;
  uint64_t division_by_zero = 0;
  uint64_t overflow = 0;
  uint64_t rows_without_time = 0;  // window rules skip rows whose event time is null
  std::vector<RuleStats> rules;
};

using AlertSink = std::function<void(const Alert&)>;

class Engine {
 public:
  // `late_rows` receives rows that arrived after their window closed.
  Engine(std::shared_ptr<const CompiledProgram> program, AlertSink alerts, RejectSink late_rows,
         EngineOptions options = {});
  ~Engine();

  // Evaluates a batch. A batch that does not fit the program (a schema index out of range,
  // columns of other kinds or lengths than the schema's fields, line numbers for some rows
  // only) is refused with a message naming what is wrong, and nothing of it is evaluated.
  Result<bool> push(const Batch& batch);
  // Closes every open window (end of input).
  void finish();
  // Moves the event clock of `schema`'s window rules to at least `time` without a row, closing
  // the windows it passes: how a quiet live input's clock follows the wall clock
  // (--idle-timeout, docs/language.md §11). Rules that have seen no row yet stay unstarted.
  // True when some window closed: only such advances change alerts (and need recording).
  bool advance_clock(int schema, int64_t time);
  const RunStats& stats() const;

  // The engine's state between batches (docs/language.md §12): every window rule's clock,
  // groups, open windows and aggregates, history, `for` counts and firing state, and the
  // throttle tables, as versioned bytes that either engine restores.
  std::string save_state() const;
  // Loads a saved state into this engine (fresh, before any batch). Rules are matched by name:
  // one whose definition is unchanged takes its state; a changed one starts afresh. Fails on
  // bytes that are not a state (truncated, damaged, another version) or another program's.
  struct RestoreReport {
    std::vector<std::string> kept, changed, removed, added;
    size_t groups = 0;  // groups restored
  };
  Result<RestoreReport> restore_state(std::string_view bytes);
  // True once stop_at_late_row stopped evaluation; later pushes are ignored.
  bool stopped() const;

  // Schema lookup for readers.
  int schema_index(const std::string& name) const;
  std::vector<std::string> schema_names() const;
  std::vector<FieldSpec> schema_fields(int schema) const;
  // The schema's event-time field, or -1.
  int time_field(int schema) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace alert
