#include "runtime/engine/row_filter.h"

#include "runtime/interp/evaluator.h"

namespace alert {
namespace {

class InterpretedRowFilter : public RowFilter {
 public:
  InterpretedRowFilter(const CompiledProgram& program, const std::vector<std::vector<int>>& row_rules)
      : program_(program), row_rules_(row_rules) {}

  const Selection& evaluate(const Batch& batch, ArithmeticEvents& events) override {
    const auto& rules = row_rules_[batch.schema];
    size_t words = (batch.rows + 63) / 64;
    selection_.bits.resize(rules.size());
    for (size_t i = 0; i < rules.size(); ++i) {
      auto& bits = selection_.bits[i];
      bits.assign(words, 0);
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
        if (pass) bits[row >> 6] |= uint64_t{1} << (row & 63);
      }
    }
    return selection_;
  }

 private:
  const CompiledProgram& program_;
  std::vector<std::vector<int>> row_rules_;
  Selection selection_;
};

}  // namespace

std::unique_ptr<RowFilter> make_row_filter(const CompiledProgram& program,
                                           const std::vector<std::vector<int>>& row_rules) {
  return std::make_unique<InterpretedRowFilter>(program, row_rules);
}

}  // namespace alert
