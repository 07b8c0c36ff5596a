// The threshold index (compiler/codegen/threshold_index.h) as a unit: which atoms form a family,
// the family's sorted bounds, and its table, checked against evaluating every rule's atoms at a
// value for each position. The differential tests hold the generated code to the interpreter;
// these pin the planning itself.
#include "compiler/codegen/threshold_index.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "alert/compiler.h"
#include "compiler/plan/compiled_program.h"

namespace alert::codegen {
namespace {

std::shared_ptr<const CompiledProgram> compile(const std::string& rules) {
  // A file of this process's own: ctest runs each test as its own process, in parallel.
  static int counter = 0;
  auto path = std::filesystem::temp_directory_path() /
              ("alertc_threshold_index_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + ".alert");
  std::ofstream(path) << "schema Order {\n  time ts: timestamp\n  price: float\n  qty: int\n}\n"
                         "channel out = stdout {}\n"
                      << rules;
  CompileOptions options;
  options.engine = EngineKind::Interp;
  Compilation c = Compilation::compile({path.string()}, options);
  EXPECT_TRUE(c.ok());
  std::filesystem::remove(path);
  return c.program();
}

struct MinAtoms {
  explicit MinAtoms(const char* n) { setenv("ALERTC_MIN_FAMILY_ATOMS", n, 1); }
  ~MinAtoms() { unsetenv("ALERTC_MIN_FAMILY_ATOMS"); }
};

// The position of value s among sorted bounds, as the index defines it.
size_t position_of(double s, const std::vector<double>& bounds) {
  size_t below = 0;
  while (below < bounds.size() && bounds[below] < s) ++below;
  return 2 * below + (below < bounds.size() && bounds[below] == s ? 1 : 0);
}

TEST(ThresholdIndex, AtomsOnOneSubjectFormAFamilyWhoseTableIsTheirTruth) {
  MinAtoms min("3");
  auto program = compile(
      "rule A on Order\n  where price > 10.0\n  notify out\n"
      "rule B on Order\n  where price >= 20.0 and qty < 5\n  notify out\n"
      "rule C on Order\n  where 15.0 > price\n  notify out\n"  // the constant on the left
      "rule D on Order\n  where price == 20.0\n  notify out\n"
      "rule E on Order\n  where qty > 3\n  notify out\n"
      "rule F on Order\n  notify out\n");
  ASSERT_TRUE(program);
  const plan::Program& plan = program->plan;
  ThresholdPlan t = plan_thresholds(plan, plan.rules_of_schema(0));
  ASSERT_EQ(t.families.size(), 1u);  // price has 5 atoms; qty has 2, under the minimum
  const ThresholdFamily& f = t.families[0];
  EXPECT_TRUE(f.is_float);
  EXPECT_EQ(f.float_bounds, (std::vector<double>{10, 15, 20}));  // sorted, 20 once
  ASSERT_EQ(f.holds.size(), 2 * f.float_bounds.size() + 1);
  // Each rule's atoms on price, as the rule means them.
  std::function<bool(double)> truth[] = {
      [](double p) { return p > 10; }, [](double p) { return p >= 20; }, [](double p) { return p < 15; },
      [](double p) { return p == 20; }, [](double) { return true; }, [](double) { return true; }};
  for (double s : {5.0, 10.0, 12.5, 15.0, 17.0, 20.0, 25.0}) {
    size_t pos = position_of(s, f.float_bounds);
    for (size_t slot = 0; slot < 6; ++slot) {
      EXPECT_EQ(f.holds[pos][slot], truth[slot](s)) << "price " << s << ", rule " << plan.rules[slot].name;
    }
  }
  // What is not in the family is evaluated as usual.
  EXPECT_EQ(t.rules[1].rest.size(), 1u);  // B's qty < 5
  EXPECT_EQ(t.rules[4].rest.size(), 1u);  // E's qty > 3
  EXPECT_TRUE(t.rules[0].rest.empty());
  EXPECT_TRUE(t.rules[5].always);
  EXPECT_FALSE(t.rules[0].always);
}

TEST(ThresholdIndex, BelowTheMinimumThereIsNoFamily) {
  MinAtoms min("4");
  auto program = compile(
      "rule A on Order\n  where price > 1.0\n  notify out\n"
      "rule B on Order\n  where price > 2.0\n  notify out\n"
      "rule C on Order\n  where price > 3.0\n  notify out\n");
  ASSERT_TRUE(program);
  ThresholdPlan t = plan_thresholds(program->plan, program->plan.rules_of_schema(0));
  EXPECT_TRUE(t.families.empty());
  for (const RuleAtoms& r : t.rules) EXPECT_EQ(r.rest.size(), 1u);
}

TEST(ThresholdIndex, IntSubjectsCompareAsIntsAndNanConstantsStayOut) {
  MinAtoms min("2");
  auto program = compile(
      "rule A on Order\n  where qty > 3\n  notify out\n"
      "rule B on Order\n  where qty <= 7\n  notify out\n"
      "rule C on Order\n  where price > sqrt(-1.0)\n  notify out\n"
      "rule D on Order\n  where price < 2.0\n  notify out\n");
  ASSERT_TRUE(program);
  ThresholdPlan t = plan_thresholds(program->plan, program->plan.rules_of_schema(0));
  ASSERT_EQ(t.families.size(), 1u);  // qty; price has one usable atom (the NaN one is left out)
  EXPECT_FALSE(t.families[0].is_float);
  EXPECT_EQ(t.families[0].int_bounds, (std::vector<int64_t>{3, 7}));
  EXPECT_EQ(t.rules[2].rest.size(), 1u);
  EXPECT_EQ(t.rules[3].rest.size(), 1u);
}

}  // namespace
}  // namespace alert::codegen
