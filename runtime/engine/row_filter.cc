#include "runtime/engine/row_filter.h"

#include "runtime/interp/evaluator.h"
#include "stdlib/string_arena.h"

namespace alert {
namespace {

std::vector<std::vector<int>> rules_by_schema(const plan::Program& plan) {
  std::vector<std::vector<int>> out(plan.schemas.size());
  for (size_t s = 0; s < plan.schemas.size(); ++s) out[s] = plan.rules_of_schema(static_cast<int>(s));
  return out;
}

class InterpretedRowFilter : public RowFilter {
 public:
  explicit InterpretedRowFilter(const CompiledProgram& program)
      : program_(program), rules_(rules_by_schema(program.plan)) {}

  const Selection& evaluate(const Batch& batch, ArithmeticEvents& events) override {
    const auto& rules = rules_[batch.schema];
    selection_.masks.resize(rules.size());
    for (size_t i = 0; i < rules.size(); ++i) {
      auto& mask = selection_.masks[i];
      mask.assign(batch.rows, 1);
      const plan::Rule& rule = program_.plan.rules[rules[i]];
      if (!rule.where) continue;
      EvalContext ctx;
      ctx.program = &program_.plan;
      ctx.rule = &rule;
      ctx.batch = &batch;
      ctx.events = &events;
      for (size_t row = 0; row < batch.rows; ++row) {
        ctx.row = row;
        Value v = alert::evaluate(*rule.where, ctx);
        mask[row] = v.kind == TypeKind::Bool && v.b;
      }
    }
    return selection_;
  }

 private:
  const CompiledProgram& program_;
  std::vector<std::vector<int>> rules_;
  Selection selection_;
};

// Calls the schema's fused kernel: columns are handed over as views of the batch's own buffers.
class JitRowFilter : public RowFilter {
 public:
  explicit JitRowFilter(const CompiledProgram& program)
      : program_(program), rules_(rules_by_schema(program.plan)) {}

  const Selection& evaluate(const Batch& batch, ArithmeticEvents& events) override {
    size_t n_rules = rules_[batch.schema].size();
    selection_.masks.resize(n_rules);
    outputs_.resize(n_rules);
    for (size_t i = 0; i < n_rules; ++i) {
      selection_.masks[i].resize(batch.rows);
      outputs_[i] = selection_.masks[i].data();
    }
    AlertRowFilterFn kernel = program_.kernels->row_filter(batch.schema);
    if (!kernel || batch.rows == 0) return selection_;
    views_.resize(batch.columns.size());
    for (size_t c = 0; c < batch.columns.size(); ++c) {
      const Column& col = batch.columns[c];
      const void* values = nullptr;
      switch (col.kind) {
        case TypeKind::Float: values = col.floats.data(); break;
        case TypeKind::Bool: values = col.bools.data(); break;
        case TypeKind::String: values = nullptr; break;
        default: values = col.ints.data();
      }
      views_[c] = AlertColumnView{col.validity.data(), values, col.offsets.data(), col.bytes.data()};
    }
    arena_.reset();
    AlertKernelState state{0, 0, &arena_};
    kernel(views_.data(), static_cast<int64_t>(batch.rows), outputs_.data(), &state);
    events.division_by_zero += state.division_by_zero;
    events.overflow += state.overflow;
    return selection_;
  }

 private:
  const CompiledProgram& program_;
  std::vector<std::vector<int>> rules_;
  std::vector<AlertColumnView> views_;
  std::vector<uint8_t*> outputs_;
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
