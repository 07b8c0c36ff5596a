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
    selection_.reset(rules.size(), batch.rows);
    constexpr size_t kChunk = Selection::kChunk;
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
        selection_.chunk(row / kChunk)[i * Selection::kStride + row % kChunk] = pass;
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
    constexpr size_t kChunk = Selection::kChunk;
    selection_.reset(rules_[batch.schema].size(), batch.rows);
    AlertRowFilterFn kernel = program_.kernels->row_filter(batch.schema);
    if (!kernel || batch.rows == 0) return selection_;
    views_.resize(batch.columns.size());
    arena_.reset();
    AlertKernelState state{0, 0, &arena_};
    for (size_t start = 0; start < batch.rows; start += kChunk) {
      // A chunk starts on a multiple of 64 rows, so bitmaps are offset by whole words.
      size_t word = start / 64;
      for (size_t c = 0; c < batch.columns.size(); ++c) {
        const Column& col = batch.columns[c];
        const void* values = nullptr;
        switch (col.kind) {
          case TypeKind::Float: values = col.floats.data() + start; break;
          case TypeKind::Bool: values = col.bools.data() + word; break;
          case TypeKind::String: break;
          default: values = col.ints.data() + start;
        }
        views_[c] = AlertColumnView{col.validity.data() + word, values, col.offsets.data() + start,
                                    col.kind == TypeKind::String ? padded_bytes(c, col) : nullptr};
      }
      size_t rows = std::min(kChunk, batch.rows - start);
      kernel(views_.data(), static_cast<int64_t>(rows), selection_.chunk(start / kChunk), &state);
    }
    events.division_by_zero += state.division_by_zero;
    events.overflow += state.overflow;
    return selection_;
  }

 private:
  // String bytes readable ALERT_STRING_PADDING past their end: the column's own buffer when its
  // allocation already reaches that far (Batch reserves it), else a padded copy.
  const char* padded_bytes(size_t column, const Column& col) {
    if (col.bytes.capacity() >= col.bytes.size() + ALERT_STRING_PADDING) return col.bytes.data();
    if (padded_.size() <= column) padded_.resize(column + 1);
    padded_[column].assign(col.bytes.begin(), col.bytes.end());
    padded_[column].resize(col.bytes.size() + ALERT_STRING_PADDING, '\0');
    return padded_[column].data();
  }

  const CompiledProgram& program_;
  std::vector<std::vector<int>> rules_;
  std::vector<AlertColumnView> views_;
  std::vector<std::vector<char>> padded_;
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
