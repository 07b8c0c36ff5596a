#include "runtime/engine/row_filter.h"

#include "compiler/plan/alert_values.h"
#include "runtime/engine/kernel_columns.h"
#include "runtime/interp/evaluator.h"
#include "stdlib/string_arena.h"

namespace alert {

static_assert(kStringPadding == ALERT_STRING_PADDING, "Batch and the kernels must agree on string padding");

namespace {

std::vector<std::vector<int>> rules_by_schema(const plan::Program& plan) {
  std::vector<std::vector<int>> out(plan.schemas.size());
  for (size_t s = 0; s < plan.schemas.size(); ++s) out[s] = plan.rules_of_schema(static_cast<int>(s));
  return out;
}

std::vector<plan::AlertValueLayout> layouts_of(const plan::Program& plan) {
  std::vector<plan::AlertValueLayout> out;
  for (const plan::Rule& r : plan.rules) out.push_back(plan::row_alert_values(r));
  return out;
}

// The values of compiler/plan/alert_values.h for one row, by the interpreter.
void evaluate_row_values(const CompiledProgram& program, const plan::AlertValueLayout& layout, int rule_index,
                         const Batch& batch, size_t row, std::vector<Value>* out, ArithmeticEvents& events) {
  EvalContext ctx;
  ctx.program = &program.plan;
  ctx.rule = &program.plan.rules[rule_index];
  ctx.batch = &batch;
  ctx.row = row;
  ctx.events = &events;
  std::vector<Value> lets;
  ctx.lets = &lets;
  out->clear();
  for (const plan::Expr* e : layout.exprs) {
    out->push_back(alert::evaluate(*e, ctx));
    if (lets.size() < layout.lets) lets.push_back(out->back());  // later lets see earlier ones
  }
}

class InterpretedRowFilter : public RowFilter {
 public:
  explicit InterpretedRowFilter(const CompiledProgram& program)
      : program_(program), rules_(rules_by_schema(program.plan)), layouts_(layouts_of(program.plan)) {}

  const Selection& evaluate(const Batch& batch, ArithmeticEvents& events) override {
    const auto& rules = rules_[batch.schema];
    selection_.reset(rules.size(), batch.rows, /*zero=*/true);
    for (size_t i = 0; i < rules.size(); ++i) {
      const plan::Rule& rule = program_.plan.rules[rules[i]];
      EvalContext ctx;
      ctx.program = &program_.plan;
      ctx.rule = &rule;
      ctx.batch = &batch;
      ctx.events = &events;
      for (size_t row = 0; row < batch.rows; ++row) {
        bool pass = true;
        if (rule.where) {
          ctx.row = row;
          Value v = alert::evaluate(*rule.where, ctx);
          pass = v.kind == TypeKind::Bool && v.b;
        }
        if (pass) selection_.set(i, row);
      }
    }
    return selection_;
  }

  void alert_values(const Batch& batch, size_t, int rule_index, size_t row, std::vector<Value>* out,
                    ArithmeticEvents& events) override {
    evaluate_row_values(program_, layouts_[rule_index], rule_index, batch, row, out, events);
  }

 private:
  const CompiledProgram& program_;
  std::vector<std::vector<int>> rules_;
  std::vector<plan::AlertValueLayout> layouts_;
  Selection selection_;
};

// Calls the schema's fused kernel: columns are handed over as views of the batch's own buffers.
class JitRowFilter : public RowFilter {
 public:
  explicit JitRowFilter(const CompiledProgram& program)
      : program_(program), rules_(rules_by_schema(program.plan)), layouts_(layouts_of(program.plan)),
        columns_(program.plan) {}

  const Selection& evaluate(const Batch& batch, ArithmeticEvents& events) override {
    constexpr size_t kChunk = Selection::kChunk;
    AlertRowFilterFn kernel_fn = program_.kernels->row_filter(batch.schema);
    selection_.reset(rules_[batch.schema].size(), batch.rows, /*zero=*/kernel_fn == nullptr);
    AlertRowFilterFn kernel = kernel_fn;
    if (!kernel || batch.rows == 0) return selection_;
    arena_.reset();
    AlertKernelState state{0, 0, &arena_};
    for (size_t start = 0; start < batch.rows; start += kChunk) {
      size_t rows = std::min(kChunk, batch.rows - start);
      kernel(columns_.bind(batch, start), static_cast<int64_t>(rows), selection_.records_from(start), &state);
    }
    events.division_by_zero += state.division_by_zero;
    events.overflow += state.overflow;
    for (auto& d : dispatched_) d.done = false;
    return selection_;
  }

  void alert_values(const Batch& batch, size_t slot, int rule, size_t row, std::vector<Value>* out,
                    ArithmeticEvents& events) override {
    if (dispatched_.size() <= slot) dispatched_.resize(slot + 1);
    Dispatched& d = dispatched_[slot];
    if (!d.done) dispatch(batch, slot, rule, d, events);
    if (d.interpreted) {  // the rule's dispatch function could not be compiled
      evaluate_row_values(program_, layouts_[rule], rule, batch, row, out, events);
      return;
    }
    while (d.cursor < d.rows.size() && d.rows[d.cursor] < row) ++d.cursor;
    out->clear();
    if (d.cursor == d.rows.size() || d.rows[d.cursor] != row) return;  // not selected: no values
    const AlertValue* v = d.values.data() + d.cursor * d.count;
    for (size_t j = 0; j < d.count; ++j, ++v) out->push_back(value_of(*v));
  }

 private:
  // One rule's alert values for every row it selected in the current batch.
  struct Dispatched {
    bool done = false;
    bool interpreted = false;
    size_t count = 0;  // values per row
    std::vector<size_t> rows;
    std::vector<AlertValue> values;
    size_t cursor = 0;
  };

  void dispatch(const Batch& batch, size_t slot, int rule, Dispatched& d, ArithmeticEvents& events) {
    constexpr size_t kChunk = Selection::kChunk;
    d.done = true;
    d.cursor = 0;
    d.rows.clear();
    d.count = layouts_[rule].exprs.size();
    for (size_t row = 0; row < batch.rows; ++row) {
      if (selection_.test(slot, row)) d.rows.push_back(row);
    }
    d.values.resize(d.rows.size() * d.count);
    if (d.rows.empty()) return;
    AlertDispatchFn fn = program_.kernels->dispatcher(rule);
    d.interpreted = fn == nullptr;
    if (!fn) return;
    AlertKernelState state{0, 0, &arena_};
    size_t written = 0;  // selected rows before this chunk: d.rows is in order
    for (size_t start = 0; start < batch.rows && written < d.rows.size(); start += kChunk) {
      size_t rows = std::min(kChunk, batch.rows - start);
      size_t first = written;
      while (written < d.rows.size() && d.rows[written] < start + rows) ++written;
      if (written == first) continue;
      fn(columns_.bind(batch, start), static_cast<int64_t>(rows), selection_.records_from(start), d.values.data() + first * d.count,
         &state);
    }
    events.division_by_zero += state.division_by_zero;
    events.overflow += state.overflow;
  }

  const CompiledProgram& program_;
  std::vector<std::vector<int>> rules_;
  std::vector<plan::AlertValueLayout> layouts_;
  KernelColumns columns_;
  std::vector<Dispatched> dispatched_;  // per slot
  StringArena arena_;
  Selection selection_;
};

}  // namespace

std::unique_ptr<RowFilter> make_interpreted_row_filter(const CompiledProgram& program) {
  return std::make_unique<InterpretedRowFilter>(program);
}

std::unique_ptr<RowFilter> make_row_filter(const CompiledProgram& program) {
  if (program.engine == EngineKind::Jit && program.kernels) return std::make_unique<JitRowFilter>(program);
  return make_interpreted_row_filter(program);
}

}  // namespace alert
