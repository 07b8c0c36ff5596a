#include "runtime/engine/typed_window_rule.h"

#include <algorithm>
#include <cmath>

#include "runtime/engine/group_keys.h"
#include "stdlib/time_format.h"

namespace alert {
namespace {

// Groups evaluated per close-function call: their input columns stay in cache.
constexpr size_t kCloseChunk = 4096;

bool reads_group_key(const ast::Expr& e) {
  if (e.ref == ast::RefKind::GroupKey) return true;
  for (const auto& c : e.children) {
    if (reads_group_key(*c)) return true;
  }
  return false;
}

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
  std::vector<uint32_t> touched;  // slots with rows, to reset when the window closes
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
      values_fn_(program.kernels->window_values(rule)),
      close_fn_(program.kernels->window_close(rule)),
      layout_(plan::row_alert_values(rule_)),
      close_layout_(plan::window_close_layout(rule_)),
      specs_(aggregate_specs(rule_)),
      empty_shared_(empty_result_shared(rule_)),
      windows_per_row_(rule_.size_ns / rule_.step_ns),
      columns_(program.plan),
      table_([&] {
        std::vector<TypeKind> kinds;
        for (const plan::GroupKey& k : rule_.group_keys) kinds.push_back(k.expr->type.kind);
        return kinds;
      }()),
      close_reads_keys_(close_reads_keys(rule_)) {
  output_ = WindowRuleOutput{&rule_, stats_, &throttle_, sink};
  for (const ast::Expr* e : layout_.exprs) {
    outs_.push_back(OutBuffer{e->type.kind, {}, {}, {}, {}});
    direct_fields_.push_back(plan::is_direct_window_value(program.plan, rule_, *e) ? e->index : -1);
  }
  stretch_windows_.resize(static_cast<size_t>(windows_per_row_));
  out_views_.resize(outs_.size());
  keys_.resize(layout_.keys);
  args_.resize(specs_.size());
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
        views_[e] = KeyColumn{out.kind, ones_.data(), col.ints.data(), col.floats.data(), nullptr};
      } else if (out.kind == TypeKind::Float) {
        out.floats.resize(m);
        for (size_t j = 0; j < m; ++j) out.floats[j] = col.floats[rows_[j]];
        views_[e] = KeyColumn{out.kind, ones_.data(), nullptr, out.floats.data(), nullptr};
      } else {
        out.ints.resize(m);
        for (size_t j = 0; j < m; ++j) out.ints[j] = col.ints[rows_[j]];
        views_[e] = KeyColumn{out.kind, ones_.data(), out.ints.data(), nullptr, nullptr};
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
    views_[e] = KeyColumn{out.kind, out.valid.data(), out.ints.data(), out.floats.data(), out.strings.data()};
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
  for (size_t c = 0; c < keys_.size(); ++c) keys_[c] = views_[c];
  for (size_t a = 0; a < specs_.size(); ++a) {
    if (specs_[a].arg < 0) continue;
    const KeyColumn& v = views_[static_cast<size_t>(specs_[a].arg)];
    args_[a] = AggregateArgument{v.valid, v.ints, v.floats, v.strings};
  }
}

void TypedWindowRule::add_rows(size_t end_row, uint64_t seq_base, std::vector<LateRowEvent>& late) {
  const int64_t size = rule_.size_ns, step = rule_.step_ns;
  const uint32_t* rows = rows_ptr_;
  const int64_t* times = times_ptr_;
  size_t j1 = cursor_;
  while (j1 < count_ && rows[j1] < end_row) ++j1;
  if (slots_.size() < count_) slots_.resize(count_);
  // Stretches of rows whose first window is the same: one division per stretch, not per row.
  for (size_t j0 = cursor_; j0 < j1;) {
    int64_t lo = floor_div(times[j0] - size, step) + 1;  // the first window [k*step, k*step + size) holding t
    int64_t from = saturating_add(saturating_add(lo * step, -step), size), to = saturating_add(lo * step, size);
    size_t e = j0 + 1;
    while (e < j1 && times[e] >= from && times[e] < to) ++e;
    if (lo < next_close_) {
      for (size_t j = j0; j < e; ++j) late.push_back({rows[j], rule_index_, std::max(lo, next_close_ - 1) * step + size});
      j0 = e;
      continue;
    }
    for (int64_t k = lo; k < lo + windows_per_row_; ++k) stretch_windows_[static_cast<size_t>(k - lo)] = &window(k);
    for (size_t j = j0; j < e; ++j) {
      uint32_t s = table_.find(keys_, j);
      if (s == GroupTable::kNone) {
        s = new_group(j, lo);  // may grow every window's arrays
        if (s == GroupTable::kNone) {
          slots_[j] = s;
          continue;
        }
      }
      slots_[j] = s;
      last_row_time_[s] = std::max(last_row_time_[s], times[j]);
      for (int64_t d = 0; d < windows_per_row_; ++d) {
        Window& w = *stretch_windows_[static_cast<size_t>(d)];
        if (w.has_rows[s]) continue;
        w.has_rows[s] = 1;
        w.touched.push_back(s);
        ++open_windows_[s];
      }
    }
    for (int64_t d = 0; d < windows_per_row_; ++d) {
      stretch_windows_[static_cast<size_t>(d)]->aggregates.add_rows(slots_.data(), j0, e, args_, times, rows, seq_base);
    }
    j0 = e;
  }
  cursor_ = j1;
}

// ---- groups and windows -------------------------------------------------------------------------

uint32_t TypedWindowRule::new_group(size_t j, int64_t first_window) {
  if (order_.size() >= max_groups_) {
    ++stats_->groups_refused;
    return GroupTable::kNone;
  }
  uint32_t s = new_slot();
  table_.insert(keys_, j, s);
  Group& g = groups_[s];
  g.keys = GroupTable::key_values(keys_, j);
  g.key_bytes.clear();
  for (const Value& v : g.keys) append_key(g.key_bytes, v);
  g.history.assign(rule_.history.size(), {});
  g.life = GroupLifecycle{};
  last_row_time_[s] = INT64_MIN;
  first_window_[s] = first_window;
  open_windows_[s] = 0;
  order_.push_back(s);
  return s;
}

uint32_t TypedWindowRule::new_slot() {
  if (!free_.empty()) {
    uint32_t s = free_.back();
    free_.pop_back();
    return s;
  }
  if (used_ == capacity_) {
    capacity_ = std::max<size_t>(64, capacity_ * 2);
    last_row_time_.resize(capacity_);
    first_window_.resize(capacity_);
    open_windows_.resize(capacity_);
    groups_.resize(capacity_);
    for (auto* list : {&windows_, &spare_windows_}) {
      for (auto& w : *list) {
        w->aggregates.grow(capacity_);
        w->has_rows.resize(capacity_, 0);
      }
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
    w->has_rows.assign(capacity_, 0);
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
    for (uint32_t s : w.touched) {
      w.aggregates.reset(s);
      w.has_rows[s] = 0;
      --open_windows_[s];
    }
    w.touched.clear();
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
  if (__builtin_mul_overflow(next_close_, rule_.step_ns, &end)) return next_close_ > 0 ? INT64_MAX : INT64_MIN;
  return saturating_add(saturating_add(end, rule_.size_ns), rule_.lateness_ns);
}

void TypedWindowRule::advance(int64_t t) {
  if (!started_) {
    started_ = true;
    next_close_ = floor_div(t - rule_.size_ns, rule_.step_ns) + 1;
  }
  watermark_ = std::max(watermark_, t);
  while (next_close_ * rule_.step_ns + rule_.size_ns + rule_.lateness_ns <= watermark_) {
    if (order_.empty()) {
      // Nothing known: empty windows need no evaluation; jump to the first open one.
      int64_t k = floor_div(watermark_ - rule_.size_ns - rule_.lateness_ns, rule_.step_ns) + 1;
      if (k > next_close_) {
        next_close_ = k;
        continue;
      }
    }
    close_window(next_close_);
    ++next_close_;
  }
}

void TypedWindowRule::finish() {
  if (!started_) return;
  int64_t last = floor_div(watermark_, rule_.step_ns);
  while (next_close_ <= last) {
    if (order_.empty()) {
      int64_t k = floor_div(watermark_ - rule_.size_ns - rule_.lateness_ns, rule_.step_ns) + 1;
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
    for (size_t c = 0; c < rule_.group_keys.size(); ++c) {
      ColumnBuilder& col = inputs_[static_cast<size_t>(close_layout_.key_columns[c])];
      col.reset(rule_.group_keys[c].expr->type.kind);
      for (size_t i = begin; i < end; ++i) col.push(groups_[slots[i]].keys[c]);
      input_views_[static_cast<size_t>(close_layout_.key_columns[c])] = col.view();
    }
  }
  for (size_t a = 0; a < specs_.size(); ++a) {
    ColumnBuilder& col = inputs_[static_cast<size_t>(close_layout_.aggregate_columns[a])];
    col.reset(rule_.aggregates[a].type.kind);
    for (size_t i = begin; i < end; ++i) {
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
      const std::deque<Value>& past = groups_[slots[i]].history[call.series];
      if (static_cast<int>(past.size()) < call.depth) {
        col.push_null();
      } else if (call.fn == BuiltinId::Prev) {
        col.push(past[call.depth - 1]);
      } else {
        // mean_prev / stddev_prev over the last `depth` windows, skipping nulls (Welford).
        double sum = 0, mean = 0, m2 = 0;
        int count = 0;
        for (int d = 0; d < call.depth; ++d) {
          const Value& v = past[d];
          if (v.is_null()) continue;
          double x = v.kind == TypeKind::Float ? v.f : static_cast<double>(v.i);
          ++count;
          sum += x;
          double delta = x - mean;
          mean += delta / count;
          m2 += delta * (x - mean);
        }
        if (call.fn == BuiltinId::MeanPrev) {
          count == 0 ? col.push_null() : col.push_float(sum / count);
        } else {
          count < 2 ? col.push_null() : col.push_float(std::sqrt(m2 / (count - 1)));
        }
      }
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
  ctx.group_keys = &g.keys;
  ctx.aggregates = &aggregate_values_;
  ctx.history = &g.history;
  ctx.window_start = start;
  ctx.window_end = end;
  ctx.lets = &let_values_;
  ctx.events = events_;
  return ctx;
}

void TypedWindowRule::close_window(int64_t k) {
  int64_t start = k * rule_.step_ns, end = start + rule_.size_ns;
  Window* w = find_window(k);
  bool skip_quiet = false;
  if (empty_shared_ && !order_.empty()) {
    eval_.assign(1, order_.front());
    evaluate(eval_, 0, 1, nullptr, start, end);
    skip_quiet = !having_[0];
  }
  eval_.clear();
  for (uint32_t s : order_) {
    if (k < first_window_[s]) continue;
    const GroupLifecycle& life = groups_[s].life;
    if (skip_quiet && !(w && w->has_rows[s]) && !life.firing && life.consecutive == 0) continue;
    eval_.push_back(s);
  }
  const size_t per_group = close_layout_.values, lets = rule_.lets.size();
  for (size_t begin = 0; begin < eval_.size(); begin += kCloseChunk) {
    size_t stop = std::min(eval_.size(), begin + kCloseChunk);
    evaluate(eval_, begin, stop, w, start, end);
    for (size_t i = begin; i < stop; ++i) {
      uint32_t s = eval_[i];
      Group& g = groups_[s];
      size_t row = i - begin;
      bool holds = having_[row] != 0;
      bool changes = holds ? !g.life.firing && g.life.consecutive + 1 >= rule_.for_windows : g.life.firing;
      if (changes) {
        EvalContext ctx = context_of(g, s, row, w && w->has_rows[s] ? w : nullptr, start, end);
        apply_having(output_, g.life, holds, g.key_bytes, ctx, start, end);
      } else if (holds) {
        ++g.life.consecutive;
      } else {
        g.life.consecutive = 0;
      }
      // Remember this window's values for history functions.
      for (size_t h = 0; h < rule_.history.size(); ++h) {
        std::deque<Value>& past = g.history[h];
        past.push_front(value_of(values_[row * per_group + lets + h]));
        while (static_cast<int>(past.size()) > rule_.history[h].depth) past.pop_back();
      }
    }
  }
  if (w) release_window(k);
  // Forget groups whose last row is more than `expire` before this window's end (compacting the
  // order in place; their slots are reused).
  size_t kept = 0;
  std::vector<uint32_t> one(1);
  for (size_t i = 0; i < order_.size(); ++i) {
    uint32_t s = order_[i];
    bool expired = open_windows_[s] == 0 && end - last_row_time_[s] > rule_.expire_ns;
    if (!expired) {
      order_[kept++] = s;
      continue;
    }
    Group& g = groups_[s];
    if (g.life.firing) {
      one[0] = s;
      evaluate(one, 0, 1, nullptr, start, end);
      EvalContext ctx = context_of(g, s, 0, nullptr, start, end);
      resolve_group(output_, g.life, ctx, start, end);
    }
    table_.erase(g.keys);
    g.keys.clear();
    g.history.clear();
    free_.push_back(s);
  }
  order_.resize(kept);
}

}  // namespace alert
