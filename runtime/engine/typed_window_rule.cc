#include "runtime/engine/typed_window_rule.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "runtime/engine/group_keys.h"
#include "stdlib/time_format.h"

namespace alert {
namespace {

// Groups evaluated per close-function call: their input columns stay in cache.
constexpr size_t kCloseChunk = 4096;

// Closes walk groups in order of appearance, which after a while of groups coming and going is
// no order in memory: each loop asks for the group this far ahead while it works on the current
// one, so cache misses overlap instead of adding up (bench/window_bench.cc, 1M keys).
constexpr size_t kPrefetchAhead = 16;

bool close_reads_keys(const plan::Rule& r) {
  if (reads_group_key(*r.having)) return true;
  for (const plan::Let& l : r.lets) {
    if (reads_group_key(*l.expr)) return true;
  }
  for (const plan::HistorySeries& h : r.history) {
    if (reads_group_key(*h.expr)) return true;
  }
  return false;
}

int64_t saturating_add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

}  // namespace

struct TypedWindowRule::Window {
  int64_t k = 0;
  AggregateColumns aggregates;
  std::vector<uint8_t> has_rows;  // per slot
  std::vector<uint32_t> touched;  // slots with rows (the first touched_count), reset at close
  int64_t touched_count = 0;

  // Room for `capacity` group slots (new slots empty).
  void grow(size_t capacity) {
    aggregates.grow(capacity);
    has_rows.resize(capacity, 0);
    touched.resize(capacity);
  }
};

TypedWindowRule::TypedWindowRule(const CompiledProgram& program, int rule, size_t slot, RuleStats* stats,
                                 const AlertSink* sink, ArithmeticEvents* events, size_t max_groups)
    : program_(program),
      rule_(program.plan.rules[rule]),
      rule_index_(rule),
      slot_(slot),
      stats_(stats),
      events_(events),
      max_groups_(max_groups),
      values_fn_(program.kernels->window_value_fn(rule)),
      close_fn_(program.kernels->window_close(rule)),
      layout_(plan::row_alert_values(rule_)),
      close_layout_(plan::window_close_layout(rule_)),
      specs_(aggregate_specs(rule_)),
      empty_shared_(empty_result_shared(rule_)),
      windows_per_row_(rule_.window.size_ns / rule_.window.step_ns),
      columns_(program.plan),
      table_([&] {
        std::vector<TypeKind> kinds;
        for (const plan::GroupKey& k : rule_.group_keys) kinds.push_back(k.expr->type.kind);
        return kinds;
      }()),
      close_reads_keys_(close_reads_keys(rule_)) {
  scalar_keys_ = table_.scalar_map() != nullptr;
  key_scratch_.resize(1);
  output_ = WindowRuleOutput{&rule_, stats_, &throttle_, sink};
  for (const plan::Expr* e : layout_.exprs) {
    outs_.push_back(OutBuffer{e->type.kind, {}, {}, {}, {}});
    direct_fields_.push_back(plan::is_direct_window_value(program.plan, rule_, *e) ? e->index : -1);
  }
  stretch_windows_.resize(static_cast<size_t>(windows_per_row_));
  window_fields_.resize(static_cast<size_t>(windows_per_row_) * ALERT_WINDOW_FIELDS(specs_.size()));
  value_valid_.resize(outs_.size());
  value_data_.resize(outs_.size());
  update_fn_ = program.kernels->window_update(rule);
  update_.runtime = this;
  update_.find = &TypedWindowRule::find_callback;
  update_.add = &TypedWindowRule::add_callback;
  update_.create = &TypedWindowRule::create_callback;
  update_.null_slot = GroupTable::kNone;
  out_views_.resize(outs_.size());
}

TypedWindowRule::~TypedWindowRule() = default;

// ---- rows ---------------------------------------------------------------------------------------

void TypedWindowRule::prepare(const Batch& batch, const RowFilter::Selection& selected) {
  constexpr size_t kChunk = ALERT_KERNEL_CHUNK_ROWS;
  const size_t n = batch.rows;
  cursor_ = 0;
  const plan::Schema& schema = program_.plan.schemas[rule_.schema];
  const Column& time = batch.columns[schema.time_field];
  // Every row taken (no `where`, a time that cannot be null): row j is batch row j, and plain
  // fields are read in place.
  bool every_row = !rule_.where && !schema.fields[schema.time_field].type.nullable;
  if (!every_row) {
    rows_.clear();
    times_.clear();
    for (size_t row = 0; row < n; ++row) {
      if (selected.test(slot_, row) && !time.is_null(row)) {
        rows_.push_back(static_cast<uint32_t>(row));
        times_.push_back(time.ints[row]);
      }
    }
    every_row = rows_.size() == n;
  }
  if (iota_.size() < n) {
    for (size_t i = iota_.size(); i < n; ++i) iota_.push_back(static_cast<uint32_t>(i));
    ones_.resize(n, 1);
  }
  rows_ptr_ = every_row ? iota_.data() : rows_.data();
  times_ptr_ = every_row ? time.ints.data() : times_.data();
  count_ = every_row ? n : rows_.size();
  const size_t m = count_;

  views_.resize(outs_.size());
  bool computed = false;
  for (size_t e = 0; e < outs_.size(); ++e) {
    OutBuffer& out = outs_[e];
    int field = direct_fields_[e];
    if (field >= 0) {
      const Column& col = batch.columns[static_cast<size_t>(field)];
      if (every_row) {
        views_[e] = ValueColumn{out.kind, ones_.data(), col.ints.data(), col.floats.data(), nullptr};
      } else if (out.kind == TypeKind::Float) {
        out.floats.resize(m);
        for (size_t j = 0; j < m; ++j) out.floats[j] = col.floats[rows_[j]];
        views_[e] = ValueColumn{out.kind, ones_.data(), nullptr, out.floats.data(), nullptr};
      } else {
        out.ints.resize(m);
        for (size_t j = 0; j < m; ++j) out.ints[j] = col.ints[rows_[j]];
        views_[e] = ValueColumn{out.kind, ones_.data(), out.ints.data(), nullptr, nullptr};
      }
      continue;
    }
    computed = true;
    out.valid.resize(m);
    switch (out.kind) {
      case TypeKind::Null: break;
      case TypeKind::Float: out.floats.resize(m); break;
      case TypeKind::String: out.strings.resize(m); break;
      default: out.ints.resize(m);
    }
    views_[e] = ValueColumn{out.kind, out.valid.data(), out.ints.data(), out.floats.data(), out.strings.data()};
  }
  if (computed && m > 0) {
    arena_.reset();
    AlertKernelState state{0, 0, &arena_};
    chunk_rows_.resize(m);
    for (size_t j0 = 0; j0 < m;) {
      size_t start = rows_ptr_[j0] / kChunk * kChunk;
      size_t j1 = j0;
      for (; j1 < m && rows_ptr_[j1] < start + kChunk; ++j1) chunk_rows_[j1] = static_cast<uint32_t>(rows_ptr_[j1] - start);
      for (size_t e = 0; e < outs_.size(); ++e) {
        OutBuffer& out = outs_[e];
        void* values = out.kind == TypeKind::Float    ? static_cast<void*>(out.floats.data() + j0)
                       : out.kind == TypeKind::String ? static_cast<void*>(out.strings.data() + j0)
                       : out.kind == TypeKind::Null   ? nullptr
                                                      : static_cast<void*>(out.ints.data() + j0);
        out_views_[e] = direct_fields_[e] >= 0 ? AlertOutColumn{nullptr, nullptr} : AlertOutColumn{out.valid.data() + j0, values};
      }
      values_fn_(columns_.bind(batch, start), static_cast<int64_t>(j1 - j0), chunk_rows_.data() + j0,
                 out_views_.data(), &state);
      j0 = j1;
    }
    events_->division_by_zero += state.division_by_zero;
    events_->overflow += state.overflow;
  }
  keys_.assign(views_.begin(), views_.begin() + static_cast<std::ptrdiff_t>(layout_.keys));
}

// The generated update takes the rows; the runtime steps in for what it cannot do alone: a row
// whose windows differ from the call's (a new stretch, or late), a key without a group.
void TypedWindowRule::add_rows(size_t end_row, uint64_t seq_base, std::vector<LateRowEvent>& late) {
  const int64_t size = rule_.window.size_ns, step = rule_.window.step_ns;
  const uint32_t* rows = rows_ptr_;
  const int64_t* times = times_ptr_;
  // The prepared rows are in row order: the run's end by binary search, not a walk.
  size_t j1 = static_cast<size_t>(std::lower_bound(rows + cursor_, rows + count_, end_row) - rows);
  seq_base_ = seq_base;
  for (size_t j = cursor_; j < j1;) {
    int64_t lo = rule_.window.first_window(times[j]);
    int64_t from = saturating_add(saturating_add(lo * step, -step), size), to = saturating_add(lo * step, size);
    if (lo < next_close_) {
      for (; j < j1 && times[j] >= from && times[j] < to; ++j) {
        // The latest of the row's windows that has closed.
        late.push_back({rows[j], rule_index_, std::min(lo + windows_per_row_ - 1, next_close_ - 1) * step + size});
      }
      continue;
    }
    for (int64_t k = lo; k < lo + windows_per_row_; ++k) stretch_windows_[static_cast<size_t>(k - lo)] = &window(k);
    update_.from = from;
    update_.to = to;
    update_.first_window = lo;
    bind_update();
    while (j < j1) {
      j = static_cast<size_t>(update_fn_(&update_, static_cast<int64_t>(j), static_cast<int64_t>(j1)));
      if (j == j1 || times[j] < from || times[j] >= to) break;
      // The update stopped at a new group: refused by max_groups (the row is skipped, counted
      // once), or added but the arrays or the table moved (the row is taken again).
      if (refused_row_ == j) {
        refused_row_ = SIZE_MAX;
        ++j;
      }
      bind_update();
    }
  }
  cursor_ = j1;
}

// Points the update function at the current arrays: a new group may have grown them or the table.
void TypedWindowRule::bind_update() {
  update_.times = times_ptr_;
  update_.rows = rows_ptr_;
  update_.seq_base = static_cast<int64_t>(seq_base_);
  for (size_t v = 0; v < views_.size(); ++v) {
    value_valid_[v] = views_[v].valid;
    const ValueColumn& c = views_[v];
    value_data_[v] = c.kind == TypeKind::Float ? static_cast<const void*>(c.floats)
                     : c.kind == TypeKind::String ? static_cast<const void*>(c.strings)
                                                  : static_cast<const void*>(c.ints);
  }
  update_.valid = value_valid_.data();
  update_.values = value_data_.data();
  if (const Int64SlotMap* map = table_.scalar_map()) {
    update_.entries = map->entries();
    update_.mask = map->mask();
    update_.shift = map->shift();
    update_.positions = map->positions();
  }
  update_.null_slot = table_.null_slot();
  update_.slot_times = slot_times_ptr();
  update_.open_windows = open_windows_.data();
  const size_t per_window = ALERT_WINDOW_FIELDS(specs_.size());
  for (size_t d = 0; d < stretch_windows_.size(); ++d) {
    Window& w = *stretch_windows_[d];
    void** f = window_fields_.data() + d * per_window;
    f[0] = w.has_rows.data();
    f[1] = w.touched.data();
    f[2] = &w.touched_count;
    w.aggregates.export_arrays(f + 3);
  }
  update_.windows = window_fields_.data();
}

// Whether a new group moved what the update function was pointed at: the slot arrays (grown),
// the table (rebuilt, or its per-slot positions grown) or the null key's group (created).
bool TypedWindowRule::update_moved() const {
  const Int64SlotMap* map = table_.scalar_map();
  return update_.slot_times != slot_times_ptr() ||
         (map && (update_.entries != map->entries() || update_.positions != map->positions())) ||
         update_.null_slot != table_.null_slot();
}

uint32_t TypedWindowRule::create_callback(void* self, int64_t j) {
  auto* rule = static_cast<TypedWindowRule*>(self);
  uint32_t s = rule->new_group(static_cast<size_t>(j), rule->update_.first_window);
  if (s == GroupTable::kNone) {
    rule->refused_row_ = static_cast<size_t>(j);
    return GroupTable::kNone;
  }
  return rule->update_moved() ? GroupTable::kNone : s;
}

uint32_t TypedWindowRule::find_callback(void* self, int64_t j) {
  auto* rule = static_cast<TypedWindowRule*>(self);
  auto row = static_cast<size_t>(j);
  // The key kPrefetchAhead rows on, so that table misses overlap (docs/performance.md).
  if (row + kPrefetchAhead < rule->count_) rule->table_.prefetch(rule->keys_, row + kPrefetchAhead);
  return rule->table_.find(rule->keys_, row);
}

void TypedWindowRule::add_callback(void* self, int64_t window, int64_t aggregate, uint32_t slot, int64_t j) {
  auto* rule = static_cast<TypedWindowRule*>(self);
  int arg_index = rule->specs_[static_cast<size_t>(aggregate)].arg;
  static const ValueColumn kNoArgument;
  const ValueColumn& arg = arg_index < 0 ? kNoArgument : rule->views_[static_cast<size_t>(arg_index)];
  rule->stretch_windows_[static_cast<size_t>(window)]->aggregates.add_one(
      static_cast<size_t>(aggregate), slot, static_cast<size_t>(j), arg, rule->times_ptr_, rule->rows_ptr_,
      rule->seq_base_);
}

// ---- groups and windows -------------------------------------------------------------------------

uint32_t TypedWindowRule::new_group(size_t j, int64_t first_window) {
  if (order_.size() >= max_groups_) {
    ++stats_->groups_refused;
    return GroupTable::kNone;
  }
  uint32_t s = new_slot();
  table_.insert(keys_, j, s);
  // One scalar key lives in key_raw_ (the row's own value: -0.0 stays -0.0 in alerts, as the
  // reference keeps it), string keys and composite keys without floats in the table (key_of);
  // others as values in the group's record, otherwise left cold until its state changes.
  if (scalar_keys_) {
    key_raw_[s] = keys_[0].kind == TypeKind::Float ? std::bit_cast<int64_t>(keys_[0].floats[j]) : keys_[0].ints[j];
  } else if (!table_.keeps_keys()) {
    GroupTable::key_values(keys_, j, group(s).keys);
  }
  if (!rule_.history.empty() && group(s).history.size() != rule_.history.size()) {
    group(s).history.resize(rule_.history.size());
  }
  consecutive_[s] = 0;
  firing_[s] = 0;
  // A reused slot's record may hold an earlier group's last firing: not this group's.
  if (!group(s).life.fingerprint.empty()) group(s).life = GroupLifecycle{};
  slot_times_[s] = SlotTimes{INT64_MIN, first_window};
  open_windows_[s] = 0;
  order_.push_back(s);
  return s;
}

const std::vector<Value>& TypedWindowRule::keys_of(uint32_t slot) {
  if (!table_.keeps_keys() && !scalar_keys_) return group(slot).keys;  // no copy
  key_values_of(slot, key_scratch_);
  return key_scratch_;
}

uint32_t TypedWindowRule::new_slot() {
  // Freed slots are reused oldest first: groups expire roughly in the order they came, so new
  // groups get neighbouring slots, and a close walking groups in order of appearance walks the
  // slot arrays nearly in order (bench/window_bench.cc, 1M keys).
  if (!free_.empty()) {
    uint32_t s = free_.front();
    free_.pop_front();
    return s;
  }
  if (used_ == capacity_) {
    capacity_ = std::max<size_t>(64, capacity_ * 2);
    slot_times_.resize(capacity_);
    open_windows_.resize(capacity_);
    key_raw_.resize(capacity_);
    consecutive_.resize(capacity_);
    firing_.resize(capacity_);
    while (group_chunks_.size() * kGroupChunk < capacity_) group_chunks_.push_back(std::make_unique<Group[]>(kGroupChunk));
    for (auto* list : {&windows_, &spare_windows_}) {
      for (auto& w : *list) w->grow(capacity_);
    }
  }
  return static_cast<uint32_t>(used_++);
}

TypedWindowRule::Window* TypedWindowRule::find_window(int64_t k) {
  for (size_t i = windows_.size(); i-- > 0;) {
    if (windows_[i]->k == k) return windows_[i].get();
    if (windows_[i]->k < k) break;
  }
  return nullptr;
}

// Few windows are open at once (one for a tumbling window without lateness, D/P for a sliding
// one) and a row almost always lands in the newest, so the last one used is tried first.
TypedWindowRule::Window& TypedWindowRule::window(int64_t k) {
  if (last_window_ && last_window_->k == k) return *last_window_;
  if (Window* w = find_window(k)) return *(last_window_ = w);
  std::unique_ptr<Window> w;
  if (spare_windows_.empty()) {
    w = std::make_unique<Window>();
    w->aggregates.init(specs_, capacity_);
    w->grow(capacity_);
  } else {
    w = std::move(spare_windows_.back());
    spare_windows_.pop_back();
  }
  w->k = k;
  auto at = std::find_if(windows_.begin(), windows_.end(), [&](const auto& o) { return o->k > k; });
  last_window_ = windows_.insert(at, std::move(w))->get();
  return *last_window_;
}

void TypedWindowRule::release_window(int64_t k) {
  for (size_t i = 0; i < windows_.size(); ++i) {
    if (windows_[i]->k != k) continue;
    Window& w = *windows_[i];
    for (int64_t t = 0; t < w.touched_count; ++t) {
      if (t + static_cast<int64_t>(kPrefetchAhead) < w.touched_count) {
        uint32_t ahead = w.touched[static_cast<size_t>(t) + kPrefetchAhead];
        for (size_t a = 0; a < specs_.size(); ++a) w.aggregates.prefetch(a, ahead);
        __builtin_prefetch(&open_windows_[ahead]);
      }
      uint32_t s = w.touched[static_cast<size_t>(t)];
      w.aggregates.reset(s);
      w.has_rows[s] = 0;
      --open_windows_[s];
    }
    w.touched_count = 0;
    if (last_window_ == &w) last_window_ = nullptr;
    spare_windows_.push_back(std::move(windows_[i]));
    windows_.erase(windows_.begin() + static_cast<std::ptrdiff_t>(i));
    return;
  }
}

// ---- the clock ----------------------------------------------------------------------------------

int64_t TypedWindowRule::close_threshold() const {
  if (!started_) return INT64_MIN;
  int64_t end;
  if (__builtin_mul_overflow(next_close_, rule_.window.step_ns, &end)) return next_close_ > 0 ? INT64_MAX : INT64_MIN;
  return saturating_add(saturating_add(end, rule_.window.size_ns), rule_.window.lateness_ns);
}

void TypedWindowRule::advance(int64_t t) {
  if (!started_) {
    started_ = true;
    // The first row closes no window it does not pass by the lateness (docs/language.md §7).
    next_close_ = rule_.window.first_open_window(t);
  }
  watermark_ = std::max(watermark_, t);
  close_while([&](int64_t k) { return rule_.window.closed_by(k, watermark_); });
}

void TypedWindowRule::finish() {
  if (!started_) return;
  int64_t last = rule_.window.last_window(watermark_);
  close_while([&](int64_t k) { return k <= last; });
}

template <typename Closable>
void TypedWindowRule::close_while(Closable closable) {
  while (closable(next_close_)) {
    if (order_.empty()) {
      // Nothing known: empty windows need no evaluation; jump to the first open one.
      int64_t k = shape().first_open_window(watermark_);
      if (k > next_close_) {
        next_close_ = k;
        continue;
      }
    }
    close_window(next_close_);
    ++next_close_;
  }
}

// ---- closing a window ---------------------------------------------------------------------------

void TypedWindowRule::evaluate(const std::vector<uint32_t>& slots, size_t begin, size_t end, const Window* w,
                               int64_t start, int64_t window_end) {
  size_t n = end - begin;
  inputs_.resize(close_layout_.columns);
  input_views_.assign(close_layout_.columns, AlertColumnView{});
  if (close_reads_keys_) {
    const size_t keys = rule_.group_keys.size();
    auto key_column = [&](size_t c) -> ColumnBuilder& {
      return inputs_[static_cast<size_t>(close_layout_.key_columns[c])];
    };
    for (size_t c = 0; c < keys; ++c) key_column(c).reset(rule_.group_keys[c].expr->type.kind);
    // A group's key is rebuilt as values once (from the table, for string and composite keys).
    for (size_t i = begin; i < end; ++i) {
      const std::vector<Value>& key = keys_of(slots[i]);
      for (size_t c = 0; c < keys; ++c) key_column(c).push(key[c]);
    }
    for (size_t c = 0; c < keys; ++c) {
      input_views_[static_cast<size_t>(close_layout_.key_columns[c])] = key_column(c).view();
    }
  }
  for (size_t a = 0; a < specs_.size(); ++a) {
    ColumnBuilder& col = inputs_[static_cast<size_t>(close_layout_.aggregate_columns[a])];
    col.reset(rule_.aggregates[a].type.kind);
    for (size_t i = begin; i < end; ++i) {
      if (w && i + kPrefetchAhead < end) w->aggregates.prefetch(a, slots[i + kPrefetchAhead]);
      uint32_t s = slots[i];
      if (w && w->has_rows[s]) {
        w->aggregates.append(a, s, col, events_);
      } else {
        append_empty_aggregate(specs_[a], col);
      }
    }
    input_views_[static_cast<size_t>(close_layout_.aggregate_columns[a])] = col.view();
  }
  for (size_t c = 0; c < rule_.history_calls.size(); ++c) {
    const plan::HistoryCall& call = rule_.history_calls[c];
    ColumnBuilder& col = inputs_[static_cast<size_t>(close_layout_.history_columns[c])];
    col.reset(call.fn == BuiltinId::Prev ? rule_.history[call.series].expr->type.kind : TypeKind::Float);
    for (size_t i = begin; i < end; ++i) {
      col.push(history_call_value(call, group(slots[i]).history[call.series]));
    }
    input_views_[static_cast<size_t>(close_layout_.history_columns[c])] = col.view();
  }
  having_.resize(n);
  values_.resize(n * close_layout_.values);
  close_arena_.reset();
  AlertKernelState state{0, 0, &close_arena_};
  int64_t bounds[2] = {start, window_end};
  close_fn_(input_views_.data(), static_cast<int64_t>(n), having_.data(), values_.data(), bounds, &state);
  events_->division_by_zero += state.division_by_zero;
  events_->overflow += state.overflow;
}

// The window context of a group whose state changes, for its alert's templates and throttle key:
// the aggregates again as values (their events were counted when the close function's inputs
// were built), the lets as the close function computed them.
EvalContext TypedWindowRule::context_of(Group& g, uint32_t slot, size_t row, const Window* w, int64_t start,
                                        int64_t end) {
  aggregate_values_.resize(specs_.size());
  for (size_t a = 0; a < specs_.size(); ++a) {
    aggregate_values_[a] = w ? w->aggregates.value(a, slot, nullptr) : empty_aggregate(specs_[a]);
  }
  let_values_.resize(rule_.lets.size());
  for (size_t l = 0; l < rule_.lets.size(); ++l) let_values_[l] = value_of(values_[row * close_layout_.values + l]);
  EvalContext ctx;
  ctx.program = &program_.plan;
  ctx.rule = &rule_;
  ctx.group_keys = &keys_of(slot);
  ctx.aggregates = &aggregate_values_;
  ctx.history = &g.history;
  ctx.window_start = start;
  ctx.window_end = end;
  ctx.lets = &let_values_;
  ctx.events = events_;
  return ctx;
}

void TypedWindowRule::close_window(int64_t k) {
  int64_t start = rule_.window.start_of(k), end = rule_.window.end_of(k);
  Window* w = find_window(k);
  select_groups_to_evaluate(k, w, start, end);
  for (size_t begin = 0; begin < eval_.size(); begin += kCloseChunk) {
    size_t stop = std::min(eval_.size(), begin + kCloseChunk);
    evaluate(eval_, begin, stop, w, start, end);
    apply_close_results(begin, stop, w, start, end);
  }
  if (w) release_window(k);
  forget_expired_groups(start, end);
}

// The groups window k's close evaluates, into eval_: every known group the window reaches,
// less the quiet ones whose result is known to be false (empty_result_shared).
void TypedWindowRule::select_groups_to_evaluate(int64_t k, const Window* w, int64_t start, int64_t end) {
  bool skip_quiet = false;
  if (empty_shared_ && !order_.empty()) {
    eval_.assign(1, order_.front());
    evaluate(eval_, 0, 1, nullptr, start, end);
    skip_quiet = !having_[0];
  }
  eval_.clear();
  for (size_t i = 0; i < order_.size(); ++i) {
    if (i + kPrefetchAhead < order_.size()) {
      uint32_t ahead = order_[i + kPrefetchAhead];
      __builtin_prefetch(&slot_times_[ahead]);
      if (w) __builtin_prefetch(&w->has_rows[ahead]);
    }
    uint32_t s = order_[i];
    if (k < slot_times_[s].first_window) continue;
    if (skip_quiet && !(w && w->has_rows[s]) && !firing_[s] && consecutive_[s] == 0) continue;
    eval_.push_back(s);
  }
}

// The transitions of eval_[begin, stop) after their evaluation: fire, resolve, count a run,
// and remember each history series' value.
void TypedWindowRule::apply_close_results(size_t begin, size_t stop, Window* w, int64_t start, int64_t end) {
  const size_t per_group = close_layout_.values, lets = rule_.lets.size();
  for (size_t i = begin; i < stop; ++i) {
    if (i + kPrefetchAhead < stop) {
      __builtin_prefetch(&firing_[eval_[i + kPrefetchAhead]]);
      __builtin_prefetch(&consecutive_[eval_[i + kPrefetchAhead]]);
    }
    uint32_t s = eval_[i];
    size_t row = i - begin;
    bool holds = having_[row] != 0;
    bool changes = holds ? !firing_[s] && consecutive_[s] + 1 >= rule_.window.for_windows : firing_[s];
    if (changes) {
      Group& g = group(s);
      EvalContext ctx = context_of(g, s, row, w && w->has_rows[s] ? w : nullptr, start, end);
      g.life.consecutive = consecutive_[s];
      g.life.firing = firing_[s];
      apply_having(output_, g.life, holds, ctx, start, end);
      consecutive_[s] = g.life.consecutive;
      // kFiredAtClose: fired by this close, so not forgotten by it (expires_at_close).
      firing_[s] = g.life.firing ? (holds ? kFiredAtClose : 1) : 0;
    } else if (holds) {
      ++consecutive_[s];
    } else {
      consecutive_[s] = 0;
    }
    // Remember this window's values for history functions.
    for (size_t h = 0; h < rule_.history.size(); ++h) {
      std::deque<Value>& past = group(s).history[h];
      past.push_front(value_of(values_[row * per_group + lets + h]));
      while (static_cast<int>(past.size()) > rule_.history[h].depth) past.pop_back();
    }
  }
}

void TypedWindowRule::forget_expired_groups(int64_t start, int64_t end) {
  // Forget groups whose last row is more than `expire` before this window's end (compacting the
  // order in place; their slots are reused).
  size_t kept = 0;
  std::vector<uint32_t> one(1);
  for (size_t i = 0; i < order_.size(); ++i) {
    if (i + kPrefetchAhead < order_.size()) {
      uint32_t ahead = order_[i + kPrefetchAhead];
      __builtin_prefetch(&slot_times_[ahead]);
      __builtin_prefetch(&open_windows_[ahead]);
    }
    uint32_t s = order_[i];
    bool expired = expires_at_close(open_windows_[s] == 0, slot_times_[s].last_row_time, firing_[s] == kFiredAtClose,
                                    start, end, rule_.window.expire_ns);
    if (firing_[s] == kFiredAtClose) firing_[s] = 1;
    if (!expired) {
      order_[kept++] = s;
      continue;
    }
    if (firing_[s]) {
      Group& g = group(s);
      one[0] = s;
      evaluate(one, 0, 1, nullptr, start, end);
      EvalContext ctx = context_of(g, s, 0, nullptr, start, end);
      g.life.firing = true;
      resolve_group(output_, g.life, ctx, start, end);
      firing_[s] = 0;
    }
    table_.erase(s);
    if (!rule_.history.empty()) {
      for (std::deque<Value>& past : group(s).history) past.clear();  // kept for the slot's next group
    }
    free_.push_back(s);
  }
  order_.resize(kept);
}

}  // namespace alert

namespace alert {

// ---- checkpoints ----------------------------------------------------------------------------

void TypedWindowRule::key_values_of(uint32_t slot, std::vector<Value>& out) const {
  if (table_.keeps_keys()) {
    table_.key_of(slot, out);
    return;
  }
  if (!scalar_keys_) {
    out = group_chunks_[slot / kGroupChunk][slot % kGroupChunk].keys;
    return;
  }
  out.assign(1, Value::null());
  if (slot == table_.null_slot()) return;
  int64_t raw = key_raw_[slot];
  switch (rule_.group_keys[0].expr->type.kind) {
    case TypeKind::Float: out[0] = Value::floating(std::bit_cast<double>(raw)); break;
    case TypeKind::Bool: out[0] = Value::boolean(raw != 0); break;
    case TypeKind::Timestamp: out[0] = Value::timestamp(raw); break;
    case TypeKind::Duration: out[0] = Value::duration(raw); break;
    default: out[0] = Value::integer(raw);
  }
}

void TypedWindowRule::save(state::SnapshotWriter& w, state::RuleSnapshot header) const {
  // Streamed from the arrays (state::SnapshotWriter): no record per group is built.
  header.started = started_;
  header.watermark = watermark_;
  header.next_close = next_close_;
  w.rule_header(header);
  w.u64(order_.size());
  std::vector<Value> keys;
  std::vector<const Window*> open;
  for (uint32_t s : order_) {
    const Group& g = group_chunks_[s / kGroupChunk][s % kGroupChunk];
    key_values_of(s, keys);
    w.list(keys, [&](const Value& v) { w.value(v); });
    w.i64(slot_times_[s].last_row_time);
    w.i64(slot_times_[s].first_window);
    w.i64(consecutive_[s]);
    w.boolean(firing_[s] != 0);
    w.boolean(g.life.firing_sent);
    w.list(g.life.firing_labels, [&](const auto& l) {
      w.str(l.first);
      w.str(l.second);
    });
    w.str(g.life.fingerprint);
    w.u64(rule_.history.size());
    for (size_t h = 0; h < rule_.history.size(); ++h) {
      if (h < g.history.size()) {
        w.list(g.history[h], [&](const Value& v) { w.value(v); });
      } else {
        w.u64(0);
      }
    }
    open.clear();
    for (const auto& win : windows_) {  // oldest first
      if (win->has_rows[s]) open.push_back(win.get());
    }
    w.u64(open.size());
    for (const Window* win : open) {
      w.i64(win->k);
      w.u64(specs_.size());
      for (size_t a = 0; a < specs_.size(); ++a) w.aggregate(win->aggregates.snapshot(a, s));
    }
  }
  w.throttle(state::throttle_rows(throttle_));
}

uint32_t TypedWindowRule::restored_group(const std::vector<Value>& keys) {
  // The key as one row of typed columns, as the group table takes a new key; the strings point
  // into `keys` until the table has copied them. One scratch for every group restored.
  static const Value kNull;
  size_t n = rule_.group_keys.size();
  RestoreKey& k = restore_key_;
  k.valid.resize(n);
  k.ints.resize(n);
  k.floats.resize(n);
  k.strings.resize(n);
  k.columns.resize(n);
  for (size_t c = 0; c < n; ++c) {
    const Value& v = c < keys.size() ? keys[c] : kNull;
    k.valid[c] = v.is_null() ? 0 : 1;
    k.ints[c] = v.kind == TypeKind::Bool ? (v.b ? 1 : 0) : v.i;
    k.floats[c] = v.f;
    k.strings[c] = AlertString{v.s.data(), static_cast<int64_t>(v.s.size())};
    k.columns[c] = ValueColumn{rule_.group_keys[c].expr->type.kind, &k.valid[c], &k.ints[c], &k.floats[c], &k.strings[c]};
  }
  const std::vector<ValueColumn>& columns = k.columns;
  const std::vector<double>& floats = k.floats;
  const std::vector<int64_t>& ints = k.ints;
  uint32_t s = new_slot();
  table_.insert(columns, 0, s);
  if (scalar_keys_) {
    key_raw_[s] = columns[0].kind == TypeKind::Float ? std::bit_cast<int64_t>(floats[0]) : ints[0];
  } else if (!table_.keeps_keys()) {
    group(s).keys = keys;
  }
  order_.push_back(s);
  return s;
}

void TypedWindowRule::restore_clock(const state::RuleSnapshot& in) {
  started_ = in.started;
  watermark_ = in.watermark;
  next_close_ = in.next_close;
}

void TypedWindowRule::restore_group(const state::GroupSnapshot& gs) {
  uint32_t s = restored_group(gs.keys);
  Group& g = group(s);
  slot_times_[s] = SlotTimes{gs.last_row_time, gs.first_window};
  consecutive_[s] = gs.consecutive;
  firing_[s] = gs.firing ? 1 : 0;
  g.life.firing_sent = gs.firing_sent;
  g.life.firing_labels = gs.firing_labels;
  g.life.fingerprint = gs.fingerprint;
  g.history.assign(rule_.history.size(), {});
  for (size_t h = 0; h < gs.history.size() && h < g.history.size(); ++h) {
    g.history[h].assign(gs.history[h].begin(), gs.history[h].end());
  }
  open_windows_[s] = 0;
  for (const state::OpenWindowSnapshot& o : gs.windows) {
    Window& w = window(o.window);
    if (w.has_rows[s]) continue;  // listed twice: a damaged state, read as once
    w.has_rows[s] = 1;
    w.touched[static_cast<size_t>(w.touched_count++)] = s;
    ++open_windows_[s];
    for (size_t a = 0; a < specs_.size() && a < o.aggregates.size(); ++a) w.aggregates.restore(a, s, o.aggregates[a]);
  }
}

void TypedWindowRule::restore_throttle(const std::vector<state::ThrottleSnapshot>& in) {
  state::load_throttle(throttle_, in);
}

}  // namespace alert
