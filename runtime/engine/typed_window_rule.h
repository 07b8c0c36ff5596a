// A window rule as the JIT engine runs it (docs/language.md §7). Per batch, the rule's generated
// values function computes the group keys and aggregate arguments of the rows the rule selected
// into typed columns; the engine then feeds those rows in runs between window closes, and each
// row costs a hash probe and a few typed array updates (runtime/state: group_table,
// aggregate_columns). When a window closes, the groups to evaluate become the rows of typed
// input columns and the rule's generated close function computes lets, `having` and history
// values for all of them in one loop; only groups whose state changes build an alert.
//
// The reference engine (engine.cc, `--engine interp`) implements the same semantics over
// dynamically typed values, independently; the differential tests hold the two to the same
// alerts at every batch size.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "alert/batch.h"
#include "alert/engine.h"
#include "compiler/plan/compiled_program.h"
#include "compiler/plan/alert_values.h"
#include "runtime/engine/kernel_columns.h"
#include "runtime/engine/row_filter.h"
#include "runtime/engine/window_clock.h"
#include "runtime/engine/window_alerts.h"
#include "runtime/state/aggregate_columns.h"
#include "runtime/state/column_builder.h"
#include "runtime/state/engine_snapshot.h"
#include "runtime/state/group_table.h"
#include "stdlib/string_arena.h"

namespace alert {

// A row the rule found late: reported by the engine, in row order across rules.
struct LateRowEvent {
  size_t row = 0;
  int rule = 0;
  int64_t closed_window_end = 0;
};

class TypedWindowRule {
 public:
  TypedWindowRule(const CompiledProgram& program, int rule, size_t slot, RuleStats* stats, const AlertSink* sink,
                  ArithmeticEvents* events, size_t max_groups);
  ~TypedWindowRule();

  // Computes the keys and arguments of every row of `batch` the rule selected (with a time).
  void prepare(const Batch& batch, const RowFilter::Selection& selected);
  // The smallest event time that closes a window now (INT64_MIN before the first row: any row
  // starts the clock).
  int64_t close_threshold() const;
  // A row at time t was read: starts the clock, closes every window t closes.
  void advance(int64_t t);
  // Rows up to time t were read and close nothing (t < close_threshold()).
  void observe(int64_t t) { watermark_ = std::max(watermark_, t); }
  // Adds the prepared rows before `end_row`; `seq_base` numbers the batch's first row.
  void add_rows(size_t end_row, uint64_t seq_base, std::vector<LateRowEvent>& late);
  // End of input: closes every window up to the last row's.
  void finish();
  WindowClock clock() const { return {started_, watermark_, next_close_}; }
  int rule_index() const { return rule_index_; }

  // The rule's state as both engines share it (runtime/state/engine_snapshot.h), written after
  // `header` (its name and definition), and read back into a fresh rule (before any batch), a
  // group at a time as state::SnapshotReader streams them.
  void save(state::SnapshotWriter& out, state::RuleSnapshot header) const;
  void restore_clock(const state::RuleSnapshot& header);
  void restore_group(const state::GroupSnapshot& group);
  void restore_throttle(const std::vector<state::ThrottleSnapshot>& table);
  const plan::WindowSpec& shape() const { return rule_.window; }
  size_t slot() const { return slot_; }

 private:
  struct Window;
  // What a group keeps beyond the hot per-slot arrays: touched when its state changes, for
  // history, and for keys other than one scalar.
  struct Group {
    std::vector<Value> keys;
    std::vector<std::deque<Value>> history;  // per series, newest first
    GroupLifecycle life;  // labels and fingerprint; consecutive and firing live in the arrays
  };
  static constexpr size_t kGroupChunk = 4096;  // records in chunks: growing never moves them
  Group& group(uint32_t slot) { return group_chunks_[slot / kGroupChunk][slot % kGroupChunk]; }
  // The group's key as values (for one scalar key, rebuilt into a scratch vector).
  const std::vector<Value>& keys_of(uint32_t slot);
  void key_values_of(uint32_t slot, std::vector<Value>& out) const;
  // A group restored from a checkpoint: its slot, with its key in the table.
  uint32_t restored_group(const std::vector<Value>& keys);

  // A new group for row j's key (found missing), or GroupTable::kNone when max_groups refuses it.
  uint32_t new_group(size_t j, int64_t first_window);
  uint32_t new_slot();
  void bind_update();
  bool update_moved() const;
  static uint32_t find_callback(void* self, int64_t j);
  static uint32_t create_callback(void* self, int64_t j);
  static void add_callback(void* self, int64_t window, int64_t aggregate, uint32_t slot, int64_t j);
  Window& window(int64_t k);
  Window* find_window(int64_t k);
  void release_window(int64_t k);
  // Closes windows from next_close_ on while `closable(k)`.
  template <typename Closable>
  void close_while(Closable closable);
  void close_window(int64_t k);
  void select_groups_to_evaluate(int64_t k, const Window* w, int64_t start, int64_t end);
  void apply_close_results(size_t begin, size_t stop, Window* w, int64_t start, int64_t end);
  // Forgets groups whose last row is more than `expire` before this window's end.
  void forget_expired_groups(int64_t start, int64_t end);
  // Evaluates the close function for `slots` (in order) over window `w` (null: empty
  // aggregates): fills having_ and values_, a row per slot.
  void evaluate(const std::vector<uint32_t>& slots, size_t begin, size_t end, const Window* w, int64_t start,
                int64_t window_end);
  EvalContext context_of(Group& g, uint32_t slot, size_t row, const Window* w, int64_t start, int64_t end);

  const CompiledProgram& program_;
  const plan::Rule& rule_;
  int rule_index_;
  size_t slot_;
  RuleStats* stats_;
  ArithmeticEvents* events_;
  size_t max_groups_;
  ThrottleTable throttle_;
  WindowRuleOutput output_;
  AlertWindowValuesFn values_fn_;
  AlertWindowCloseFn close_fn_;
  AlertWindowUpdateFn update_fn_;
  AlertWindowUpdate update_{};
  std::vector<void*> window_fields_;
  std::vector<const uint8_t*> value_valid_;
  std::vector<const void*> value_data_;
  uint64_t seq_base_ = 0;
  size_t refused_row_ = SIZE_MAX;     // the row whose new group max_groups just refused
  plan::AlertValueLayout layout_;
  plan::WindowCloseLayout close_layout_;
  std::vector<AggregateSpec> specs_;
  bool empty_shared_;
  int64_t windows_per_row_;

  // The prepared batch: selected rows, their times and their values.
  KernelColumns columns_;
  StringArena arena_;
  std::vector<uint32_t> rows_, chunk_rows_;
  std::vector<int64_t> times_;
  std::vector<uint32_t> iota_;  // 0, 1, 2, ...: the rows when the rule takes every row
  std::vector<uint8_t> ones_;   // validity of values that cannot be null
  const uint32_t* rows_ptr_ = nullptr;  // the prepared rows' batch rows, times; count_ of them
  const int64_t* times_ptr_ = nullptr;
  size_t count_ = 0;
  std::vector<int> direct_fields_;  // per window value: its field when read in place, else -1
  std::vector<ValueColumn> views_;    // per window value, typed
  std::vector<Window*> stretch_windows_;
  struct OutBuffer {
    TypeKind kind;
    std::vector<uint8_t> valid;
    std::vector<int64_t> ints;
    std::vector<double> floats;
    std::vector<AlertString> strings;
  };
  std::vector<OutBuffer> outs_;
  std::vector<AlertOutColumn> out_views_;
  std::vector<ValueColumn> keys_;  // the first layout_.keys views
  size_t cursor_ = 0;

  // The clock.
  bool started_ = false;
  int64_t watermark_ = INT64_MIN;
  int64_t next_close_ = 0;  // smallest window index not yet closed

  // Groups: slots, hot state in arrays, the rest per group.
  GroupTable table_;
  size_t capacity_ = 0, used_ = 0;
  // Per slot, side by side (kernel_abi.h slot_times): the update keeps both for every row.
  struct SlotTimes {
    int64_t last_row_time;
    int64_t first_window;  // the earliest window holding one of its rows
  };
  static_assert(sizeof(SlotTimes) == 16, "generated code strides slot_times by 16 bytes");
  std::vector<SlotTimes> slot_times_;
  int64_t* slot_times_ptr() const { return reinterpret_cast<int64_t*>(const_cast<SlotTimes*>(slot_times_.data())); }
  std::vector<uint32_t> open_windows_;  // windows with rows of the group
  std::vector<int64_t> key_raw_;       // one scalar key: its value's 64 bits
  std::vector<int32_t> consecutive_;   // windows in a row `having` held
  std::vector<uint8_t> firing_;  // 0, 1, or kFiredAtClose while the close that fired it runs
  static constexpr uint8_t kFiredAtClose = 2;
  std::vector<std::unique_ptr<Group[]>> group_chunks_;
  bool scalar_keys_ = false;
  std::vector<Value> key_scratch_;
  std::vector<uint32_t> order_;  // known groups in order of first appearance
  std::deque<uint32_t> free_;

  // Open windows with rows, oldest first; closed ones kept for reuse.
  std::vector<std::unique_ptr<Window>> windows_, spare_windows_;
  Window* last_window_ = nullptr;

  // A restored group's key as one row of typed columns (restored_group).
  struct RestoreKey {
    std::vector<uint8_t> valid;
    std::vector<int64_t> ints;
    std::vector<double> floats;
    std::vector<AlertString> strings;
    std::vector<ValueColumn> columns;
  } restore_key_;

  // Close scratch.
  std::vector<uint32_t> eval_;
  std::vector<ColumnBuilder> inputs_;
  std::vector<AlertColumnView> input_views_;
  std::vector<uint8_t> having_;
  std::vector<AlertValue> values_;
  std::vector<Value> aggregate_values_, let_values_;
  StringArena close_arena_;  // strings the close function makes; the batch's stay in arena_
  bool close_reads_keys_;
};

}  // namespace alert
