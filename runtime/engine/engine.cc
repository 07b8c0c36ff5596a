// Drives a compiled program over batches. Work is per batch, semantics per row: for each row in
// input order, window rules first advance their clock (closing windows the row's time passed),
// then take the row; row rules then fire for it. That order is what makes the alerts independent
// of batch boundaries.
#include "alert/engine.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <fmt/format.h>

#include "compiler/plan/compiled_program.h"
#include "compiler/plan/aggregate_ops.h"
#include "runtime/engine/group_keys.h"
#include "runtime/state/engine_snapshot.h"
#include "runtime/state/rule_identity.h"
#include "runtime/engine/row_filter.h"
#include "runtime/engine/typed_window_rule.h"
#include "runtime/engine/window_clock.h"
#include "runtime/engine/window_alerts.h"
#include "runtime/interp/evaluator.h"
#include "stdlib/time_format.h"

namespace alert {
namespace {

// Running state of one aggregate over one window of one group.
// Kept small: one exists per aggregate, group and open window, and a slot needs at most one of
// min/max/first/last (`held`) and count_distinct's set only when it is that aggregate.
struct Accumulator {
  int64_t count = 0;  // rows (count()) or non-null values
  int64_t isum = 0;
  bool overflow = false;
  double fsum = 0, mean = 0, m2 = 0, scaled_sum = 0;
  Value held;  // min, max, first or last, whichever this slot computes
  int64_t held_time = 0;
  uint64_t held_seq = 0;
  std::unique_ptr<absl::flat_hash_set<std::string>> distinct;
};

void accumulate(Accumulator& a, const plan::AggregateSlot& slot, const Value& v, int64_t time, uint64_t seq) {
  if (slot.fn == BuiltinId::Count && slot.arg == nullptr) {
    ++a.count;
    return;
  }
  if (v.is_null()) return;
  ++a.count;
  switch (slot.fn) {
    case BuiltinId::CountDistinct: {
      std::string key;
      Value canonical = v.kind == TypeKind::Int ? Value::floating(static_cast<double>(v.i)) : v;
      append_key(key, canonical);
      if (!a.distinct) a.distinct = std::make_unique<absl::flat_hash_set<std::string>>();
      a.distinct->insert(std::move(key));
      break;
    }
    case BuiltinId::Sum:
    case BuiltinId::Avg:
    case BuiltinId::Stddev: {
      double x = v.kind == TypeKind::Float ? v.f : static_cast<double>(v.i);
      if (v.kind != TypeKind::Float && !a.overflow && __builtin_add_overflow(a.isum, v.i, &a.isum)) a.overflow = true;
      a.fsum += x;
      a.scaled_sum += x * plan::kAvgScale;
      double delta = x - a.mean;
      a.mean += delta / static_cast<double>(a.count);
      a.m2 += delta * (x - a.mean);
      break;
    }
    case BuiltinId::Min:
      if (a.count == 1 || compare_values(v, a.held) == -1 || (v.kind == TypeKind::Float && std::isnan(v.f))) {
        if (!(a.held.kind == TypeKind::Float && std::isnan(a.held.f) && a.count > 1)) a.held = v;
      }
      break;
    case BuiltinId::Max:
      if (a.count == 1 || compare_values(v, a.held) == 1 || (v.kind == TypeKind::Float && std::isnan(v.f))) {
        if (!(a.held.kind == TypeKind::Float && std::isnan(a.held.f) && a.count > 1)) a.held = v;
      }
      break;
    case BuiltinId::First:
      if (a.count == 1 || time < a.held_time || (time == a.held_time && seq < a.held_seq)) {
        a.held = v;
        a.held_time = time;
        a.held_seq = seq;
      }
      break;
    case BuiltinId::Last:
      if (a.count == 1 || time > a.held_time || (time == a.held_time && seq >= a.held_seq)) {
        a.held = v;
        a.held_time = time;
        a.held_seq = seq;
      }
      break;
    default: break;
  }
}

Value finalize(const Accumulator& a, const plan::AggregateSlot& slot, ArithmeticEvents* events) {
  switch (slot.fn) {
    case BuiltinId::Count: return Value::integer(a.count);
    case BuiltinId::CountDistinct: return Value::integer(static_cast<int64_t>((a.distinct ? a.distinct->size() : 0)));
    case BuiltinId::Sum:
      if (slot.type.kind == TypeKind::Float) return Value::floating(a.fsum);
      if (a.overflow) {
        if (events) ++events->overflow;
        return Value::null();
      }
      return slot.type.kind == TypeKind::Duration ? Value::duration(a.isum) : Value::integer(a.isum);
    case BuiltinId::Avg:
      return a.count == 0 ? Value::null() : Value::floating(plan::mean_of_sums(a.fsum, a.scaled_sum, a.count));
    case BuiltinId::Stddev:
      return a.count < 2 ? Value::null() : Value::floating(std::sqrt(a.m2 / static_cast<double>(a.count - 1)));
    case BuiltinId::Min: return a.count == 0 ? Value::null() : a.held;
    case BuiltinId::Max: return a.count == 0 ? Value::null() : a.held;
    case BuiltinId::First: return a.count == 0 ? Value::null() : a.held;
    case BuiltinId::Last: return a.count == 0 ? Value::null() : a.held;
    default: return Value::null();
  }
}

// A row as a JSON object of its fields: the raw text of a late row is no longer at hand (the
// reader moved on), so its report shows the values that were read.
std::string row_as_json(const plan::Schema& schema, const Batch& batch, size_t row) {
  std::string out = "{";
  for (size_t c = 0; c < schema.fields.size(); ++c) {
    Value v = batch.value_at(c, row);
    out += (c ? "," : "") + json_quote(schema.fields[c].name) + ":";
    bool bare = v.is_null() || v.kind == TypeKind::Bool || v.kind == TypeKind::Int ||
                (v.kind == TypeKind::Float && std::isfinite(v.f));
    out += bare ? value_to_text(v) : json_quote(value_to_text(v));
  }
  return out + "}";
}

// A group's open windows with rows, oldest first. Few are open at once (one for a tumbling
// window without lateness, D/P for a sliding one), and a row almost always lands in the newest,
// so a small vector searched from the back beats a std::map (measured on the window bench).
class OpenWindows {
 public:
  std::vector<Accumulator>& get(int64_t k, size_t aggregates) {
    size_t at = 0;
    for (size_t i = open_.size(); i-- > 0;) {
      if (open_[i].first == k) return open_[i].second;
      if (open_[i].first < k) {
        at = i + 1;
        break;
      }
    }
    // A closed window's accumulators are reused: one allocation per group, not per window.
    std::vector<Accumulator> accs = std::move(spare_);
    spare_.clear();
    accs.clear();
    accs.resize(aggregates);
    auto it = open_.emplace(open_.begin() + static_cast<std::ptrdiff_t>(at), k, std::move(accs));
    return it->second;
  }
  // The window's accumulators, or null when it got no rows.
  const std::vector<Accumulator>* find(int64_t k) const {
    for (const auto& [key, accs] : open_) {
      if (key == k) return &accs;
    }
    return nullptr;
  }
  void erase(int64_t k) {
    for (size_t i = 0; i < open_.size(); ++i) {
      if (open_[i].first == k) {
        spare_ = std::move(open_[i].second);
        open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(i));
        return;
      }
    }
  }
  bool empty() const { return open_.empty(); }
  // Every open window with rows, oldest first (checkpoints).
  const std::vector<std::pair<int64_t, std::vector<Accumulator>>>& all() const { return open_; }

 private:
  std::vector<std::pair<int64_t, std::vector<Accumulator>>> open_;
  std::vector<Accumulator> spare_;
};

struct GroupState {
  std::vector<Value> keys;
  std::string key_bytes;
  int64_t last_row_time = INT64_MIN;
  int64_t first_window = 0;
  OpenWindows windows;
  std::vector<std::deque<Value>> history;                // per series, newest first
  GroupLifecycle life;
  bool fired_at_close = false;  // the window being closed made it fire: not forgotten at this close
};

// An accumulator as the state both engines share (runtime/state/engine_snapshot.h), and back.
// Which fields carry what follows the aggregate's classification (plan::aggregate_specs).
state::AggregateSnapshot snapshot_of(const Accumulator& a, const plan::AggregateSpec& spec) {
  state::AggregateSnapshot out;
  // A sum's value never reads its count, and the JIT engine keeps none: neither does the state.
  bool is_sum = spec.op == plan::AggregateOp::SumInt || spec.op == plan::AggregateOp::SumFloat;
  out.count = is_sum ? 0 : a.count;
  switch (spec.op) {
    case plan::AggregateOp::SumInt:
      out.i = a.isum;
      out.overflow = a.overflow;
      break;
    case plan::AggregateOp::SumFloat: out.f = a.fsum; break;
    case plan::AggregateOp::Avg:
      out.f = a.fsum;
      out.m2 = a.scaled_sum;
      break;
    case plan::AggregateOp::Stddev:
      out.f = a.mean;
      out.m2 = a.m2;
      break;
    case plan::AggregateOp::DistinctBits:
    case plan::AggregateOp::DistinctString:
      if (a.distinct) {
        for (const std::string& key : *a.distinct) {
          std::string_view in = key;
          Value v;
          if (read_key(in, &v)) out.distinct.push_back(std::move(v));
        }
        state::sort_distinct(out.distinct);  // the set's order is its table's
      }
      break;
    case plan::AggregateOp::CountRows:
    case plan::AggregateOp::CountValues: break;
    default:  // min, max, first, last
      out.held = a.held;
      out.held_time = a.held_time;
      out.held_seq = a.held_seq;
  }
  return out;
}

void restore_accumulator(Accumulator& a, const state::AggregateSnapshot& in, const plan::AggregateSpec& spec) {
  a = Accumulator{};
  a.count = in.count;
  switch (spec.op) {
    case plan::AggregateOp::SumInt:
      a.isum = in.i;
      a.overflow = in.overflow;
      break;
    case plan::AggregateOp::SumFloat: a.fsum = in.f; break;
    case plan::AggregateOp::Avg:
      a.fsum = in.f;
      a.scaled_sum = in.m2;
      break;
    case plan::AggregateOp::Stddev:
      a.mean = in.f;
      a.m2 = in.m2;
      break;
    case plan::AggregateOp::DistinctBits:
    case plan::AggregateOp::DistinctString:
      a.distinct = std::make_unique<absl::flat_hash_set<std::string>>();
      for (const Value& v : in.distinct) {
        std::string key;
        append_key(key, v);
        a.distinct->insert(std::move(key));
      }
      break;
    case plan::AggregateOp::CountRows:
    case plan::AggregateOp::CountValues: break;
    default:
      a.held = in.held;
      a.held_time = in.held_time;
      a.held_seq = in.held_seq;
  }
}


}  // namespace

struct Engine::Impl {
  struct WindowRule {
    int rule;
    size_t slot = 0;  // position among the schema's rules in the row filter's output
    bool empty_shared = false;  // see empty_result_shared()
    bool started = false;
    int64_t watermark = INT64_MIN;
    int64_t next_close = 0;  // smallest window index not yet closed
    std::vector<std::unique_ptr<GroupState>> groups;  // in order of first appearance
    absl::flat_hash_map<std::string, GroupState*> index;
    ThrottleTable throttle;
    std::vector<std::unique_ptr<GroupState>> spare;  // expired groups' states, for reuse
  };

  std::shared_ptr<const CompiledProgram> program;
  const plan::Program& plan;
  AlertSink sink;
  RejectSink late_sink;
  EngineOptions options;
  RunStats stats;
  ArithmeticEvents events;
  std::vector<std::vector<std::pair<int, size_t>>> row_rules;  // per schema: rule, filter slot
  std::vector<std::vector<WindowRule>> window_rules;  // per schema (reference engine)
  // The JIT engine's window rules, per schema (typed_window_rule.h); used instead of
  // window_rules when the program was compiled for the JIT.
  std::vector<std::vector<std::unique_ptr<TypedWindowRule>>> typed_rules;
  bool typed = false;
  std::vector<bool> time_nullable;  // per schema: readers may hand rows without a time
  std::vector<LateRowEvent> late_events;
  std::vector<ThrottleTable> row_throttle;  // per rule
  std::vector<uint64_t> seq;  // per schema: rows seen, for first/last tie-breaking
  std::unique_ptr<RowFilter> filter;
  std::vector<Value> values_scratch;
  std::string key_scratch;
  bool stopped = false;  // stop_at_late_row found its row

  Impl(std::shared_ptr<const CompiledProgram> p, AlertSink s, RejectSink l, EngineOptions o)
      : program(std::move(p)), plan(program->plan), sink(std::move(s)), late_sink(std::move(l)), options(o) {
    row_rules.resize(plan.schemas.size());
    window_rules.resize(plan.schemas.size());
    typed_rules.resize(plan.schemas.size());
    typed = program->engine == EngineKind::Jit && program->kernels != nullptr;
    for (const plan::Schema& schema : plan.schemas) {
      time_nullable.push_back(schema.time_field < 0 || schema.fields[schema.time_field].type.nullable);
    }
    seq.resize(plan.schemas.size());
    row_throttle.resize(plan.rules.size());
    for (const plan::Rule& r : plan.rules) stats.rules.push_back({r.name});
    for (size_t s = 0; s < plan.schemas.size(); ++s) {
      std::vector<int> rules = plan.rules_of_schema(static_cast<int>(s));
      for (size_t slot = 0; slot < rules.size(); ++slot) {
        if (plan.rules[rules[slot]].is_window && typed) {
          typed_rules[s].push_back(std::make_unique<TypedWindowRule>(*program, rules[slot], slot, &stats.rules[rules[slot]],
                                                                     &sink, &events, options.max_groups));
        } else if (plan.rules[rules[slot]].is_window) {
          WindowRule w;
          w.rule = rules[slot];
          w.slot = slot;
          w.empty_shared = empty_result_shared(plan.rules[rules[slot]]);
          window_rules[s].push_back(std::move(w));
        } else {
          row_rules[s].push_back({rules[slot], slot});
        }
      }
    }
    filter = make_row_filter(*program);
  }

  std::optional<int64_t> row_time(const plan::Schema& schema, const Batch& batch, size_t row) {
    if (schema.time_field < 0) return std::nullopt;
    const Column& c = batch.columns[schema.time_field];
    if (c.is_null(row)) return std::nullopt;
    return c.ints[row];
  }

  void emit(Alert alert) {
    sink(alert);
  }

  void report_late(const Batch& batch, size_t row, int rule, int64_t closed_window_end) {
    ++stats.late_rows;
    if (!late_sink) return;
    const plan::Rule& r = plan.rules[rule];
    late_sink(RejectedRow{batch.source, batch.line_of(row),
                          fmt::format("late row for rule '{}': its window ending {} already closed", r.name,
                                      format_rfc3339(closed_window_end)),
                          row_as_json(plan.schemas[r.schema], batch, row)});
  }

  // ---- row rules ----------------------------------------------------------------------------

  // One alert of a row rule, built from the values the row filter computed for the row
  // (compiler/plan/alert_values.h order: lets, group keys, throttle keys, template arguments).
  void fire_row_rule(int rule_index, size_t slot, const Batch& batch, size_t row, std::optional<int64_t> time) {
    const plan::Rule& rule = plan.rules[rule_index];
    filter->alert_values(batch, slot, rule_index, row, &values_scratch, events);
    const std::vector<Value>& values = values_scratch;
    size_t lets = rule.lets.size(), keys = rule.group_keys.size(), throttle_keys = rule.throttle_by.size();
    Alert a;
    a.rule = rule.name;
    a.state = "firing";
    a.severity = plan::severity_name(rule.severity);
    a.time = time;
    for (size_t i = 0; i < keys; ++i) a.group.emplace_back(rule.group_keys[i].name, values[lets + i]);
    if (rule.throttle_ns >= 0) {
      std::string key;
      if (throttle_keys > 0) {
        for (size_t i = 0; i < throttle_keys; ++i) append_key(key, values[lets + keys + i]);
      } else {
        for (auto& [n, v] : a.group) append_key(key, v);
      }
      int64_t suppressed = throttle_check(row_throttle[rule_index], key, time, rule.throttle_ns);
      if (suppressed < 0) {
        ++stats.rules[rule_index].suppressed;
        return;
      }
      a.suppressed = suppressed;
    }
    const Value* next = values.data() + lets + keys + throttle_keys;
    for (auto& l : rule.labels) a.labels.emplace_back(l.name, render_template(l.value, next));
    a.message = rule.message ? render_template(*rule.message, next) : rule.name;
    for (size_t i = 0; i < lets; ++i) a.values.emplace_back(rule.lets[i].name, values[i]);
    a.fingerprint = fingerprint_of(rule.name, a.group, a.labels);
    a.origin = fmt::format("{}:{}", batch.source, batch.line_of(row));
    a.channels = rule.channels;
    ++stats.rules[rule_index].firing;
    emit(std::move(a));
  }

  // ---- window rules -------------------------------------------------------------------------

  void advance(WindowRule& w, int64_t t) {
    const plan::Rule& r = plan.rules[w.rule];
    if (!w.started) {
      w.started = true;
      // The first row closes no window it does not pass by the lateness (docs/language.md §7):
      // earlier windows stay open for rows within the lateness.
      w.next_close = r.window.first_open_window(t);
    }
    w.watermark = std::max(w.watermark, t);
    close_until(w, [&](int64_t k) { return r.window.closed_by(k, w.watermark); });
  }

  template <typename Pred>
  void close_until(WindowRule& w, Pred closable) {
    const plan::Rule& r = plan.rules[w.rule];
    while (closable(w.next_close)) {
      if (w.groups.empty()) {
        // Nothing known: empty windows need no evaluation; jump to the first open one.
        int64_t k = r.window.first_open_window(w.watermark);
        if (k > w.next_close) {
          w.next_close = k;
          continue;
        }
      }
      close_window(w, w.next_close);
      ++w.next_close;
    }
  }

  void add_row(WindowRule& w, const Batch& batch, size_t row, int64_t t, uint64_t row_seq) {
    const plan::Rule& r = plan.rules[w.rule];
    int64_t lo = r.window.first_window(t), hi = r.window.last_window(t);
    if (lo < w.next_close) {
      // Names the latest of the row's windows that has closed.
      report_late(batch, row, w.rule, r.window.end_of(std::min(hi, w.next_close - 1)));
      return;
    }
    // Group keys, then aggregate arguments (compiler/plan/alert_values.h), computed for the rows
    // the rule selected by its dispatch function (JIT) or the interpreter.
    filter->alert_values(batch, w.slot, w.rule, row, &values_scratch, events);
    const std::vector<Value>& values = values_scratch;
    size_t n_keys = r.group_keys.size();
    std::string& key_bytes = key_scratch;
    key_bytes.clear();
    for (size_t i = 0; i < n_keys; ++i) append_key(key_bytes, values[i]);
    GroupState* group;
    auto it = w.index.find(key_bytes);
    if (it == w.index.end()) {
      if (w.groups.size() >= options.max_groups) {
        ++stats.rules[w.rule].groups_refused;
        return;
      }
      std::unique_ptr<GroupState> g;
      if (w.spare.empty()) {
        g = std::make_unique<GroupState>();
      } else {  // an expired group's state, reset: expiry churns through groups in many-key streams
        g = std::move(w.spare.back());
        w.spare.pop_back();
        *g = GroupState{};
      }
      g->keys.assign(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(n_keys));
      g->key_bytes = key_bytes;
      g->first_window = lo;
      g->history.resize(r.history.size());
      group = g.get();
      w.index.emplace(key_bytes, group);
      w.groups.push_back(std::move(g));
    } else {
      group = it->second;
    }
    group->last_row_time = std::max(group->last_row_time, t);
    // A group is known from the first window holding one of its rows in event time, whatever
    // order they came in: a row within the lateness may open an earlier window than the first.
    group->first_window = std::min(group->first_window, lo);
    static const Value kNoArgument;
    for (int64_t k = lo; k <= hi; ++k) {
      auto& accs = group->windows.get(k, r.aggregates.size());
      size_t next_arg = n_keys;
      for (size_t i = 0; i < r.aggregates.size(); ++i) {
        const Value& arg = r.aggregates[i].arg ? values[next_arg++] : kNoArgument;
        accumulate(accs[i], r.aggregates[i], arg, t, row_seq);
      }
    }
  }

  // The context of one group's closed window, with the rule's lets computed into `lets`.
  EvalContext window_context(const plan::Rule& r, GroupState& g, const std::vector<Value>& aggregates,
                             std::vector<Value>& lets, int64_t start, int64_t end) {
    EvalContext ctx;
    ctx.program = &plan;
    ctx.rule = &r;
    ctx.group_keys = &g.keys;
    ctx.aggregates = &aggregates;
    ctx.history = &g.history;
    ctx.window_start = start;
    ctx.window_end = end;
    ctx.events = &events;
    lets.clear();
    ctx.lets = &lets;
    for (auto& let : r.lets) lets.push_back(evaluate(*let.expr, ctx));
    return ctx;
  }

  void close_window(WindowRule& w, int64_t k) {
    const plan::Rule& r = plan.rules[w.rule];
    int64_t start = r.window.start_of(k), end = r.window.end_of(k);
    std::vector<Accumulator> empty(r.aggregates.size());
    std::vector<Value> aggregates(r.aggregates.size());
    std::vector<Value> lets;
    bool skip_quiet = false;
    if (w.empty_shared && !w.groups.empty()) {
      for (size_t i = 0; i < r.aggregates.size(); ++i) aggregates[i] = finalize(empty[i], r.aggregates[i], &events);
      EvalContext ctx = window_context(r, *w.groups.front(), aggregates, lets, start, end);
      Value cond = evaluate(*r.having, ctx);
      skip_quiet = !(cond.kind == TypeKind::Bool && cond.b);
    }
    for (auto& gp : w.groups) {
      GroupState& g = *gp;
      if (k < g.first_window) continue;
      const std::vector<Accumulator>* open = g.windows.find(k);
      if (skip_quiet && !open && !g.life.firing && g.life.consecutive == 0) continue;
      const std::vector<Accumulator>& accs = open ? *open : empty;
      for (size_t i = 0; i < r.aggregates.size(); ++i) aggregates[i] = finalize(accs[i], r.aggregates[i], &events);
      EvalContext ctx = window_context(r, g, aggregates, lets, start, end);
      Value cond = evaluate(*r.having, ctx);
      bool holds = cond.kind == TypeKind::Bool && cond.b;
      bool was_firing = g.life.firing;
      apply_having(output_of(w), g.life, holds, ctx, start, end);
      g.fired_at_close = g.life.firing && !was_firing;
      // Remember this window's values for history functions.
      for (size_t s = 0; s < r.history.size(); ++s) {
        g.history[s].push_front(evaluate(*r.history[s].expr, ctx));
        while (static_cast<int>(g.history[s].size()) > r.history[s].depth) g.history[s].pop_back();
      }
      if (open) g.windows.erase(k);
    }
    // Forget groups whose last row is more than `expire` before this window's end (compacting
    // the group list in place; forgotten states are kept for reuse, up to a bound).
    size_t kept = 0;
    for (size_t i = 0; i < w.groups.size(); ++i) {
      GroupState& g = *w.groups[i];
      bool expired = expires_at_close(g.windows.empty(), g.last_row_time, g.fired_at_close, start, end, r.window.expire_ns);
      g.fired_at_close = false;
      if (!expired) {
        if (kept != i) w.groups[kept] = std::move(w.groups[i]);
        ++kept;
        continue;
      }
      if (g.life.firing) {
        for (size_t a = 0; a < r.aggregates.size(); ++a) aggregates[a] = finalize(empty[a], r.aggregates[a], &events);
        EvalContext ctx = window_context(r, g, aggregates, lets, start, end);
        resolve_group(output_of(w), g.life, ctx, start, end);
      }
      w.index.erase(g.key_bytes);
      if (w.spare.size() < 65536) w.spare.push_back(std::move(w.groups[i]));
    }
    w.groups.resize(kept);
  }

  WindowRuleOutput output_of(WindowRule& w) {
    return WindowRuleOutput{&plan.rules[w.rule], &stats.rules[w.rule], &w.throttle, &sink};
  }

  // ---- checkpoints (docs/language.md §12) ----------------------------------------------------

  // The state in the format of runtime/state/engine_snapshot.h, written as it is gathered.
  std::string save() const {
    state::SnapshotWriter w;
    w.program(0, seq, plan.rules.size());
    for (size_t r = 0; r < plan.rules.size(); ++r) {
      const plan::Rule& rule = plan.rules[r];
      state::RuleSnapshot rs;
      rs.rule = rule.name;
      rs.definition = state::rule_definition_hash(plan, rule);
      rs.is_window = rule.is_window;
      if (const TypedWindowRule* t = rule.is_window ? typed_rule_of(static_cast<int>(r)) : nullptr) {
        t->save(w, std::move(rs));
        continue;
      }
      if (!rule.is_window) {
        rs.throttle = state::throttle_rows(row_throttle[r]);
      } else if (const WindowRule* wr = window_rule_of(static_cast<int>(r))) {
        save_window(*wr, rs);
      }
      w.rule(rs);
    }
    return w.finish();
  }

  static constexpr const char* kOutOfRange =
      "the checkpoint is damaged (a window clock that rows could not have left it at)";
  // What every clock a run leaves satisfies (window_clock.h): the next window to close is at
  // least the first one the watermark leaves open and at most one past the watermark's own; a rule
  // that has seen no row has no group. A damaged state could make a close walk billions of
  // windows, or overflow computing one.
  static bool clock_consistent(const plan::WindowSpec& spec, const state::RuleSnapshot& rs, size_t groups) {
    if (!rs.started) return groups == 0;
    int64_t low, high;
    if (__builtin_sub_overflow(rs.watermark, spec.size_ns, &low) || __builtin_sub_overflow(low, spec.lateness_ns, &low)) {
      return false;
    }
    int64_t first_open = spec.first_open_window(rs.watermark);
    if (__builtin_add_overflow(spec.last_window(rs.watermark), 1, &high)) return false;
    return first_open <= rs.next_close && rs.next_close <= high && spec.reachable(high);
  }
  // A group's windows: still open (not closed by the clock, not past its watermark).
  static bool reachable(const plan::WindowSpec& spec, const state::RuleSnapshot& rs, const state::GroupSnapshot& g) {
    if (!spec.reachable(g.first_window)) return false;
    for (const state::OpenWindowSnapshot& o : g.windows) {
      if (o.window < rs.next_close || o.window > spec.last_window(rs.watermark)) return false;
    }
    return true;
  }

  // Reads a state written by save(), rule by rule; a JIT engine's kept rules take their groups
  // one at a time from the reader.
  Result<Engine::RestoreReport> restore(state::SnapshotReader& in) {
    using R = Result<Engine::RestoreReport>;
    Engine::RestoreReport report;
    uint64_t program = 0;
    std::vector<uint64_t> rows_seen;
    size_t rules = 0;
    in.program(&program, &rows_seen, &rules);
    for (size_t s = 0; s < seq.size(); ++s) {
      // Per schema when the schemas are the same; else past every row seen, which keeps each
      // schema's order (first/last break ties by it).
      uint64_t most = 0;
      for (uint64_t n : rows_seen) most = std::max(most, n);
      seq[s] = rows_seen.size() == seq.size() ? rows_seen[s] : most;
    }
    std::vector<bool> restored(plan.rules.size(), false);
    state::GroupSnapshot scratch;
    for (size_t k = 0; k < rules && in.ok(); ++k) {
      state::RuleSnapshot rs;
      in.rule_header(&rs);
      int r = plan.rule_index(rs.rule);
      bool kept = r >= 0 && rs.definition == state::rule_definition_hash(plan, plan.rules[r]) &&
                  rs.is_window == plan.rules[r].is_window;
      if (r < 0) report.removed.push_back(rs.rule);
      if (r >= 0 && !kept) report.changed.push_back(rs.rule);
      size_t groups = in.count();
      TypedWindowRule* typed_rule = kept && rs.is_window ? typed_rule_of(r) : nullptr;
      const plan::WindowSpec* spec = kept && rs.is_window ? &plan.rules[r].window : nullptr;
      if (spec && !clock_consistent(*spec, rs, groups)) return R::failure(kOutOfRange);
      if (typed_rule) {
        typed_rule->restore_clock(rs);
        for (size_t g = 0; g < groups && in.ok(); ++g) {
          in.group(&scratch);
          if (!reachable(*spec, rs, scratch)) return R::failure(kOutOfRange);
          typed_rule->restore_group(scratch);
        }
      } else {
        rs.groups.resize(groups);
        for (size_t g = 0; g < groups && in.ok(); ++g) {
          in.group(&rs.groups[g]);
          if (spec && !reachable(*spec, rs, rs.groups[g])) return R::failure(kOutOfRange);
        }
      }
      in.throttle(&rs.throttle);
      if (!kept) continue;
      restored[r] = true;
      report.kept.push_back(rs.rule);
      report.groups += groups;
      if (typed_rule) {
        typed_rule->restore_throttle(rs.throttle);
      } else if (!rs.is_window) {
        state::load_throttle(row_throttle[r], rs.throttle);
      } else if (WindowRule* w = window_rule_of(r)) {
        restore_window(*w, rs);
      }
    }
    if (!in.ok() || !in.at_end()) return R::failure("the checkpoint is damaged (it does not parse)");
    for (size_t r = 0; r < plan.rules.size(); ++r) {
      if (!restored[r] && std::find(report.changed.begin(), report.changed.end(), plan.rules[r].name) == report.changed.end()) {
        report.added.push_back(plan.rules[r].name);
      }
    }
    return report;
  }

  WindowRule* window_rule_of(int rule) {
    for (auto& per_schema : window_rules) {
      for (WindowRule& w : per_schema) {
        if (w.rule == rule) return &w;
      }
    }
    return nullptr;
  }
  const WindowRule* window_rule_of(int rule) const { return const_cast<Impl*>(this)->window_rule_of(rule); }
  TypedWindowRule* typed_rule_of(int rule) {
    for (auto& per_schema : typed_rules) {
      for (auto& t : per_schema) {
        if (t->rule_index() == rule) return t.get();
      }
    }
    return nullptr;
  }
  const TypedWindowRule* typed_rule_of(int rule) const { return const_cast<Impl*>(this)->typed_rule_of(rule); }

  void save_window(const WindowRule& w, state::RuleSnapshot& out) const {
    const plan::Rule& r = plan.rules[w.rule];
    std::vector<plan::AggregateSpec> specs = plan::aggregate_specs(r);
    out.started = w.started;
    out.watermark = w.watermark;
    out.next_close = w.next_close;
    for (const auto& gp : w.groups) {
      const GroupState& g = *gp;
      state::GroupSnapshot gs;
      gs.keys = g.keys;
      gs.last_row_time = g.last_row_time;
      gs.first_window = g.first_window;
      gs.consecutive = g.life.consecutive;
      gs.firing = g.life.firing;
      gs.firing_sent = g.life.firing_sent;
      gs.firing_labels = g.life.firing_labels;
      gs.fingerprint = g.life.fingerprint;
      for (const auto& series : g.history) gs.history.emplace_back(series.begin(), series.end());
      for (const auto& [k, accs] : g.windows.all()) {
        state::OpenWindowSnapshot o;
        o.window = k;
        for (size_t a = 0; a < accs.size(); ++a) o.aggregates.push_back(snapshot_of(accs[a], specs[a]));
        gs.windows.push_back(std::move(o));
      }
      out.groups.push_back(std::move(gs));
    }
    out.throttle = state::throttle_rows(w.throttle);
  }

  void restore_window(WindowRule& w, const state::RuleSnapshot& in) {
    const plan::Rule& r = plan.rules[w.rule];
    std::vector<plan::AggregateSpec> specs = plan::aggregate_specs(r);
    w.groups.clear();
    w.index.clear();
    w.started = in.started;
    w.watermark = in.watermark;
    w.next_close = in.next_close;
    for (const state::GroupSnapshot& gs : in.groups) {
      auto g = std::make_unique<GroupState>();
      g->keys = gs.keys;
      for (const Value& v : g->keys) append_key(g->key_bytes, v);
      g->last_row_time = gs.last_row_time;
      g->first_window = gs.first_window;
      g->life.consecutive = gs.consecutive;
      g->life.firing = gs.firing;
      g->life.firing_sent = gs.firing_sent;
      g->life.firing_labels = gs.firing_labels;
      g->life.fingerprint = gs.fingerprint;
      g->history.resize(r.history.size());
      for (size_t h = 0; h < gs.history.size() && h < g->history.size(); ++h) {
        g->history[h].assign(gs.history[h].begin(), gs.history[h].end());
      }
      for (const state::OpenWindowSnapshot& o : gs.windows) {
        auto& accs = g->windows.get(o.window, r.aggregates.size());
        for (size_t a = 0; a < accs.size() && a < o.aggregates.size(); ++a) restore_accumulator(accs[a], o.aggregates[a], specs[a]);
      }
      w.index.emplace(g->key_bytes, g.get());
      w.groups.push_back(std::move(g));
    }
    state::load_throttle(w.throttle, in.throttle);
  }

  // ---- batches ------------------------------------------------------------------------------

  // With stop_at_late_row: how many rows of the batch to evaluate, up to and including the
  // first row some window rule finds late (the clocks simulated from where they stand).
  size_t rows_before_stop(const Batch& batch, const RowFilter::Selection& selected) {
    if (!options.stop_at_late_row) return batch.rows;
    const plan::Schema& schema = plan.schemas[batch.schema];
    if (schema.time_field < 0) return batch.rows;
    struct Probe {
      plan::WindowSpec shape;
      WindowClock clock;
      size_t slot;
    };
    std::vector<Probe> probes;
    for (auto& w : window_rules[batch.schema]) {
      probes.push_back({plan.rules[w.rule].window, {w.started, w.watermark, w.next_close}, w.slot});
    }
    for (auto& w : typed_rules[batch.schema]) probes.push_back({w->shape(), w->clock(), w->slot()});
    if (probes.empty()) return batch.rows;
    const Column& time = batch.columns[schema.time_field];
    for (size_t row = 0; row < batch.rows; ++row) {
      if (time.is_null(row)) continue;
      int64_t t = time.ints[row];
      for (Probe& p : probes) {
        p.clock.observe(p.shape, t);
        if (selected.test(p.slot, row) && p.clock.is_late(p.shape, t)) {
          stopped = true;
          return row + 1;
        }
      }
    }
    return batch.rows;
  }

  void push(const Batch& batch) {
    if (stopped) return;
    if (typed) return push_typed(batch);
    const plan::Schema& schema = plan.schemas[batch.schema];
    auto& rows_rules = row_rules[batch.schema];
    auto& wrules = window_rules[batch.schema];
    // Every rule's `where` for the whole batch at once (JIT kernel or interpreter).
    const RowFilter::Selection& selected = filter->evaluate(batch, events);
    size_t rows = rows_before_stop(batch, selected);
    for (size_t row = 0; row < rows; ++row) {
      ++stats.rows;
      uint64_t row_seq = seq[batch.schema]++;
      std::optional<int64_t> time = row_time(schema, batch, row);
      if (!wrules.empty()) {
        if (!time) {
          ++stats.rows_without_time;
        } else {
          for (auto& w : wrules) {
            advance(w, *time);
            if (selected.test(w.slot, row)) add_row(w, batch, row, *time, row_seq);
          }
        }
      }
      for (auto [rule, slot] : rows_rules) {
        if (selected.test(slot, row)) fire_row_rule(rule, slot, batch, row, time);
      }
    }
    stats.division_by_zero = events.division_by_zero;
    stats.overflow = events.overflow;
  }

  // The JIT engine's batch: the same per-row semantics as push() above, executed in runs of
  // rows between the rows that close a window. Within a run no window closes, so each window
  // rule takes the run's rows in one call, then the row rules fire for them; at the row that
  // closes windows every rule advances its clock (emitting what the closes produce) before that
  // row is taken. The alerts and their order are those of the row-at-a-time loop.
  void push_typed(const Batch& batch) {
    const plan::Schema& schema = plan.schemas[batch.schema];
    auto& rules = typed_rules[batch.schema];
    const RowFilter::Selection& selected = filter->evaluate(batch, events);
    size_t n = rows_before_stop(batch, selected);
    for (auto& w : rules) w->prepare(batch, selected);
    const Column* time = schema.time_field >= 0 ? &batch.columns[schema.time_field] : nullptr;
    uint64_t seq_base = seq[batch.schema];
    seq[batch.schema] += n;
    stats.rows += n;
    size_t begin = 0;
    bool advanced = false;  // row `begin` has just closed windows: it is in the next run
    while (begin < n) {
      int64_t threshold = INT64_MAX;
      for (auto& w : rules) threshold = std::min(threshold, w->close_threshold());
      int64_t run_max = INT64_MIN;
      size_t end = begin;
      if (!rules.empty() && time && !time_nullable[batch.schema]) {
        // Every row has a time: the run ends at the first one that closes a window.
        const int64_t* ts = time->ints.data();
        if (advanced && end < n) run_max = ts[end++];
        for (; end < n && ts[end] < threshold; ++end) run_max = std::max(run_max, ts[end]);
      } else if (!rules.empty()) {
        for (; end < n; ++end) {
          if (!time || time->is_null(end)) {
            ++stats.rows_without_time;
            continue;
          }
          int64_t t = time->ints[end];
          if (t >= threshold && !(advanced && end == begin)) break;
          run_max = std::max(run_max, t);
        }
      } else {
        end = n;
      }
      late_events.clear();
      for (auto& w : rules) {
        w->observe(run_max);
        w->add_rows(end, seq_base, late_events);
      }
      // Late rows in row order, rules in plan order within a row, as the row-at-a-time loop.
      std::stable_sort(late_events.begin(), late_events.end(),
                       [](const LateRowEvent& a, const LateRowEvent& b) { return a.row < b.row; });
      for (const LateRowEvent& e : late_events) report_late(batch, e.row, e.rule, e.closed_window_end);
      if (!row_rules[batch.schema].empty()) {
        for (size_t row = begin; row < end; ++row) {
          for (auto [rule, slot] : row_rules[batch.schema]) {
            if (selected.test(slot, row)) fire_row_rule(rule, slot, batch, row, row_time(schema, batch, row));
          }
        }
      }
      if (end == n) break;
      int64_t t = time->ints[end];
      for (auto& w : rules) w->advance(t);
      begin = end;
      advanced = true;
    }
    stats.division_by_zero = events.division_by_zero;
    stats.overflow = events.overflow;
  }

  bool advance_clock(int schema, int64_t time) {
    if (stopped || schema < 0 || static_cast<size_t>(schema) >= plan.schemas.size()) return false;
    bool closed = false;
    for (auto& w : typed_rules[schema]) {
      if (!w->clock().started) continue;
      int64_t before = w->clock().next_close;
      w->advance(time);
      closed |= w->clock().next_close != before;
    }
    for (auto& w : window_rules[schema]) {
      if (!w.started) continue;
      int64_t before = w.next_close;
      advance(w, time);
      closed |= w.next_close != before;
    }
    stats.division_by_zero = events.division_by_zero;
    stats.overflow = events.overflow;
    return closed;
  }

  void finish() {
    for (auto& per_schema : typed_rules) {
      for (auto& w : per_schema) w->finish();
    }
    for (auto& per_schema : window_rules) {
      for (auto& w : per_schema) {
        if (!w.started) continue;
        const plan::Rule& r = plan.rules[w.rule];
        int64_t last = r.window.last_window(w.watermark);
        close_until(w, [&](int64_t k) { return k <= last; });
      }
    }
    stats.division_by_zero = events.division_by_zero;
    stats.overflow = events.overflow;
  }
};

Engine::Engine(std::shared_ptr<const CompiledProgram> program, AlertSink alerts, RejectSink late_rows,
               EngineOptions options)
    : impl_(std::make_unique<Impl>(std::move(program), std::move(alerts), std::move(late_rows), options)) {}
Engine::~Engine() = default;
// What is wrong with a host's batch for this program, or "" when it fits.
static std::string batch_problem(const plan::Program& plan, const Batch& batch) {
  if (batch.schema < 0 || static_cast<size_t>(batch.schema) >= plan.schemas.size()) {
    return fmt::format("batch schema index {} is not one of the program's {} schemas", batch.schema, plan.schemas.size());
  }
  const plan::Schema& schema = plan.schemas[batch.schema];
  if (batch.columns.size() != schema.fields.size()) {
    return fmt::format("schema '{}' has {} fields, the batch {} columns", schema.name, schema.fields.size(),
                       batch.columns.size());
  }
  if (!batch.line_numbers.empty() && batch.line_numbers.size() != batch.rows) {
    return fmt::format("the batch has {} rows but {} line numbers", batch.rows, batch.line_numbers.size());
  }
  size_t words = (batch.rows + 63) / 64;
  for (size_t c = 0; c < batch.columns.size(); ++c) {
    const Column& col = batch.columns[c];
    const plan::Field& field = schema.fields[c];
    auto fail = [&](std::string what) { return fmt::format("column '{}' ({}): {}", field.name, field.type.name(), what); };
    if (col.kind != field.type.kind) return fail(fmt::format("the batch's column is {}", type_kind_name(col.kind)));
    if (col.validity.size() < words) return fail(fmt::format("validity has {} words for {} rows", col.validity.size(), batch.rows));
    switch (col.kind) {
      case TypeKind::Int:
      case TypeKind::Timestamp:
      case TypeKind::Duration:
        if (col.ints.size() < batch.rows) return fail(fmt::format("{} values for {} rows", col.ints.size(), batch.rows));
        break;
      case TypeKind::Float:
        if (col.floats.size() < batch.rows) return fail(fmt::format("{} values for {} rows", col.floats.size(), batch.rows));
        break;
      case TypeKind::Bool:
        if (col.bools.size() < words) return fail(fmt::format("{} bool words for {} rows", col.bools.size(), batch.rows));
        break;
      case TypeKind::String: {
        if (col.offsets.size() < batch.rows + 1) return fail(fmt::format("{} offsets for {} rows", col.offsets.size(), batch.rows));
        for (size_t r = 0; r < batch.rows; ++r) {
          if (col.offsets[r] < 0 || col.offsets[r] > col.offsets[r + 1]) return fail(fmt::format("offsets decrease at row {}", r));
        }
        if (static_cast<size_t>(col.offsets[batch.rows]) > col.bytes.size()) {
          return fail(fmt::format("offsets reach byte {} of {}", col.offsets[batch.rows], col.bytes.size()));
        }
        break;
      }
      default: break;
    }
  }
  return {};
}

Result<bool> Engine::push(const Batch& batch) {
  if (std::string problem = batch_problem(impl_->plan, batch); !problem.empty()) return Result<bool>::failure(problem);
  // Generated code reads string bytes a word at a time, kStringPadding past their end: a
  // host's column without that slack is evaluated from a padded copy (readers always pad).
  bool padded = true;
  for (const Column& c : batch.columns) {
    if (c.kind == TypeKind::String && c.bytes.capacity() < c.bytes.size() + kStringPadding) padded = false;
  }
  if (padded) {
    impl_->push(batch);
    return true;
  }
  Batch copy = batch;
  for (Column& c : copy.columns) {
    if (c.kind == TypeKind::String) c.bytes.reserve(c.bytes.size() + kStringPadding);
  }
  impl_->push(copy);
  return true;
}
bool Engine::advance_clock(int schema, int64_t time) { return impl_->advance_clock(schema, time); }
void Engine::finish() { impl_->finish(); }
const RunStats& Engine::stats() const { return impl_->stats; }
bool Engine::stopped() const { return impl_->stopped; }

std::string Engine::save_state() const { return impl_->save(); }

Result<Engine::RestoreReport> Engine::restore_state(std::string_view bytes) {
  auto reader = state::SnapshotReader::open(bytes);
  if (!reader.ok()) return Result<RestoreReport>::failure(reader.error());
  auto restored = impl_->restore(reader.value());
  if (!restored.ok()) return restored;
  const RestoreReport& report = restored.value();
  // A state that shares no rule with this program is another program's.
  if (report.kept.empty() && report.changed.empty() && !report.removed.empty()) {
    return Result<RestoreReport>::failure("the state is another program's: it has none of this program's rules");
  }
  return restored;
}

int Engine::schema_index(const std::string& name) const { return impl_->plan.schema_index(name); }

std::vector<std::string> Engine::schema_names() const {
  std::vector<std::string> out;
  for (auto& s : impl_->plan.schemas) out.push_back(s.name);
  return out;
}

int Engine::time_field(int schema) const { return impl_->plan.schemas[schema].time_field; }

std::vector<FieldSpec> Engine::schema_fields(int schema) const {
  std::vector<FieldSpec> out;
  for (auto& f : impl_->plan.schemas[schema].fields) out.push_back({f.name, f.type});
  return out;
}

}  // namespace alert
