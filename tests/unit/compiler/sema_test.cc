// Sema as a unit: types with nullability and promotion, constant folding, the diagnostics each
// mistake produces (by kind, so message wording can change without breaking these), and the
// window plan sema lays out for the engines.
#include "compiler/sema/sema.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "compiler/parse/program_loader.h"

namespace alert {
namespace {

constexpr const char* kSchema = R"(
schema Order {
  time ts: timestamp
  sku: string
  price: float
  qty: int
  coupon: string?
}
channel out = stdout {}
)";

struct Checked {
  SourceManager sources;
  std::unique_ptr<DiagnosticEngine> diags;
  ast::Program ast;
  sema::CheckedProgram program;
  bool ok = false;

  std::vector<DiagId> ids() const {
    std::vector<DiagId> out;
    for (const Diagnostic& d : diags->diagnostics()) {
      if (d.severity == DiagSeverity::Error) out.push_back(d.id);
    }
    return out;
  }
  const sema::CheckedRule& rule(std::string_view name) const {
    for (const sema::CheckedRule& r : program.rules) {
      if (r.name == name) return r;
    }
    throw std::runtime_error("no rule " + std::string(name));
  }
};

std::unique_ptr<Checked> check_source(const std::string& text) {
  static int counter = 0;
  auto dir = std::filesystem::temp_directory_path() / ("alert_sema_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / ("case" + std::to_string(counter++) + ".alert");
  std::ofstream(path) << kSchema << text;
  auto c = std::make_unique<Checked>();
  c->diags = std::make_unique<DiagnosticEngine>(c->sources);
  LoadResult loaded = load_program({path.string()}, c->sources, *c->diags);
  c->ast = std::move(loaded.program);
  c->ok = !loaded.io_error && check_program(c->ast, c->program, c->sources, *c->diags);
  return c;
}

TEST(SemaTypes, IntTimesFloatIsFloatAndComparisonIsBool) {
  auto c = check_source("rule R on Order\n where price * qty > 10\n notify out\n");
  ASSERT_TRUE(c->ok);
  const ast::Expr& where = *c->rule("R").where_syntax;
  EXPECT_EQ(where.type.kind, TypeKind::Bool);
  EXPECT_EQ(where.children[0]->type.kind, TypeKind::Float);
}

TEST(SemaTypes, NullableFieldMakesTheExpressionNullable) {
  auto c = check_source("rule R on Order\n where len(coupon) > 2\n notify out\n");
  ASSERT_TRUE(c->ok);
  const ast::Expr& where = *c->rule("R").where_syntax;
  EXPECT_TRUE(where.children[0]->type.nullable);
  EXPECT_EQ(where.children[0]->type.name(), "int?");
}

TEST(SemaTypes, TimestampMinusTimestampIsDuration) {
  auto c = check_source("rule R on Order\n where ts - @2026-01-01T00:00:00Z > 1h\n notify out\n");
  ASSERT_TRUE(c->ok);
  EXPECT_EQ(c->rule("R").where_syntax->children[0]->type.kind, TypeKind::Duration);
}

TEST(SemaTypes, TypeNamesReadAsWritten) {
  EXPECT_EQ(Type::of(TypeKind::String, true).name(), "string?");
  EXPECT_EQ(Type::of(TypeKind::Timestamp).name(), "timestamp");
  EXPECT_EQ(Type::list_of(TypeKind::Int).name(), "list of int");
}

TEST(SemaConstants, ConstantsFoldThroughArithmeticAndLists) {
  auto c = check_source(
      "const A = 2 * 3 + 1\nconst L = [\"EU\", \"US\"]\n"
      "rule R on Order\n where qty > A and sku in L\n notify out\n");
  ASSERT_TRUE(c->ok);
  const ast::Expr& gt = *c->rule("R").where_syntax->children[0];
  ASSERT_TRUE(gt.children[1]->constant.has_value());
  EXPECT_EQ(gt.children[1]->constant->i, 7);
  const ast::Expr& in = *c->rule("R").where_syntax->children[1];
  ASSERT_TRUE(in.children[1]->constant.has_value());
  EXPECT_EQ(in.children[1]->constant->list.size(), 2u);
}

TEST(SemaErrors, StringPlusIsAnErrorAndNamesConcat) {
  auto c = check_source("rule R on Order\n where sku + \"x\" == \"y\"\n notify out\n");
  EXPECT_FALSE(c->ok);
  EXPECT_EQ(c->ids(), std::vector<DiagId>{DiagId::string_concat_with_plus});
}

TEST(SemaErrors, UnknownFieldSuggestsTheClosestName) {
  auto c = check_source("rule R on Order\n where qtx > 1\n notify out\n");
  ASSERT_EQ(c->ids().size(), 1u);
  const Diagnostic& d = c->diags->diagnostics().front();
  ASSERT_TRUE(d.fixit.has_value());
  EXPECT_EQ(d.fixit->replacement, "qty");
}

TEST(SemaErrors, IndependentErrorsAreAllReported) {
  auto c = check_source(
      "rule A on Order\n where qtx > 1\n notify out\n"
      "rule B on Order\n where sku > 1\n notify out\n"
      "rule C on Order\n where qty > 1\n notify nowhere\n");
  EXPECT_EQ(c->ids().size(), 3u);
}

TEST(SemaErrors, AggregateInRowRuleIsRejected) {
  auto c = check_source("rule R on Order\n where sum(qty) > 1\n notify out\n");
  EXPECT_FALSE(c->ok);
}

TEST(SemaErrors, NullableValueWhereAConstantIsNeeded) {
  auto c = check_source("rule R on Order\n where matches(sku, coupon)\n notify out\n");
  EXPECT_FALSE(c->ok);
}

TEST(SemaErrors, DuplicateRuleNames) {
  auto c = check_source("rule R on Order\n notify out\nrule R on Order\n notify out\n");
  EXPECT_EQ(c->ids(), std::vector<DiagId>{DiagId::redefinition});
}

TEST(SemaWindowPlan, SlidingWindowLaysOutAggregatesAndHistory) {
  auto c = check_source(
      "rule W on Order\n window sliding 1h every 10m\n group by sku\n"
      " let units = sum(qty)\n having units < 0.5 * mean_prev(units, 6)\n for 30m\n notify out\n");
  ASSERT_TRUE(c->ok);
  const sema::CheckedRule& w = c->rule("W");
  EXPECT_TRUE(w.is_window);
  EXPECT_EQ(w.window.size_ns, 3'600'000'000'000);
  EXPECT_EQ(w.window.step_ns, 600'000'000'000);
  EXPECT_EQ(w.window.for_windows, 3);  // ceil(30m / 10m)
  ASSERT_EQ(w.aggregates.size(), 1u);
  EXPECT_EQ(w.aggregates[0].fn, BuiltinId::Sum);
  ASSERT_EQ(w.history.size(), 1u);
  EXPECT_EQ(w.history[0].depth, 6);
}

}  // namespace
}  // namespace alert
