// The JIT against the reference interpreter: thousands of random well-typed predicates over
// random batches full of edge values (nulls, 0, -1, INT64_MIN/MAX, NaN, ±inf, empty and
// non-ASCII strings) must select exactly the same rows in both engines, for every batch size.
// Value expressions of every type are checked through predicates that expose them (`is null`,
// comparisons with edge constants, string(x) compared as text) and through the alerts' lets,
// labels and messages, which the JIT computes in each rule's generated dispatch function: the
// alerts must be identical, JSON byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <map>
#include <set>
#include <sstream>

#include "alert/compiler.h"
#include "alert/engine.h"
#include "tests/unit/runtime/differential_support.h"

namespace alert {
namespace {

using namespace differential;

TEST(Differential, JitSelectsExactlyTheRowsTheInterpreterDoes) {
  constexpr int kPrograms = 20, kRulesPerProgram = 60, kRows = 500;
  size_t predicates = 0, selected = 0;
  for (int p = 0; p < kPrograms; ++p) {
    ExprGen exprs(1000 + p);
    std::string text = kSchema;
    std::vector<std::string> sources;
    for (int r = 0; r < kRulesPerProgram; ++r) {
      sources.push_back(exprs.predicate(4));
      // Lets hold the value expressions (templates cannot hold string literals); a later let reads
      // an earlier one, as rule authors do.
      text += "rule R" + std::to_string(r) + " on Row\n  where " + sources.back() +
              "\n  let v = " + exprs.gen(exprs.random_type(), 3) + "\n  let w = " + exprs.gen(exprs.random_type(), 3) +
              "\n  let x = concat(string(v), \"/\", string(" + exprs.gen(exprs.random_type(), 2) + "))" +
              "\n  labels { shown = \"{w}\" }\n  message \"{id} {v} {x}\"\n  notify out\n";
    }
    std::string path = write_program(text, p);
    auto [jit, interp] = compile_both(path);
    ASSERT_TRUE(jit && interp) << "generated program " << path << " does not compile:\n" << diagnostics_of(path);
    RowGen rows_gen(2000 + p);
    std::vector<std::vector<Value>> rows;
    for (int r = 0; r < kRows; ++r) rows.push_back(rows_gen.row(r));

    auto expected = run(interp, rows, 4096);
    for (size_t batch_size : {1, 7, 64, 4096}) {
      auto actual = run(jit, rows, batch_size);
      if (actual == expected) continue;
      // Name the first rule whose rows differ, with its source, to make a failure actionable.
      std::map<std::string, std::set<int64_t>> want, got;
      for (auto& f : expected) want[f.rule].insert(f.id);
      for (auto& f : actual) got[f.rule].insert(f.id);
      for (int r = 0; r < kRulesPerProgram; ++r) {
        std::string name = "R" + std::to_string(r);
        if (want[name] != got[name]) {
          int64_t row = -1;
          for (int64_t id : want[name]) if (!got[name].count(id)) { row = id; break; }
          if (row < 0) for (int64_t id : got[name]) if (!want[name].count(id)) { row = id; break; }
          std::string values;
          for (const Value& v : rows[row]) values += value_to_text(v) + " | ";
          FAIL() << "batch size " << batch_size << ", " << path << " rule " << name << ": where " << sources[r]
                 << "\n  row " << row << " (" << values << ") interpreter "
                 << (want[name].count(row) ? "fires" : "does not fire") << ", JIT does the opposite";
        }
      }
      for (size_t i = 0; i < std::min(actual.size(), expected.size()); ++i) {
        if (!(actual[i] == expected[i])) {
          FAIL() << "batch size " << batch_size << ", " << path << ": alert " << i << " differs\n  interpreter: "
                 << expected[i].json << "\n  JIT:         " << actual[i].json;
        }
      }
      FAIL() << "alert order differs at batch size " << batch_size;
    }
    predicates += kRulesPerProgram;
    selected += expected.size();
  }
  EXPECT_EQ(predicates, static_cast<size_t>(kPrograms * kRulesPerProgram));
  // The generator must exercise both outcomes, or the comparison proves little.
  EXPECT_GT(selected, predicates * kRows / 20);
  EXPECT_LT(selected, predicates * kRows * 19 / 20);
}

// Threshold families (compiler/codegen/threshold_index.h): many rules comparing the same
// expressions with different constants, in every direction and with ties, nulls and NaNs, must
// select exactly what the interpreter selects.
TEST(Differential, ThresholdFamiliesSelectWhatTheInterpreterSelects) {
  setenv("ALERTC_MIN_FAMILY_ATOMS", "4", 1);  // families start at 256 atoms in production
  struct Restore {
    ~Restore() { unsetenv("ALERTC_MIN_FAMILY_ATOMS"); }
  } restore;
  const char* subjects[] = {"i", "j", "f", "g", "(i + j)", "d", "(g * 2.0)"};
  const char* int_constants[] = {"0", "1", "-1", "7", "-7", "2", "1000", "-1000", "9223372036854775807", "3"};
  const char* float_constants[] = {"0.0", "1.5", "-2.25", "0.1", "12.25", "100.0", "-100.0", "3.0", "1e308", "3"};
  const char* ops[] = {"<", "<=", ">", ">=", "=="};
  size_t selected = 0;
  for (int p = 0; p < 6; ++p) {
    std::mt19937 rng(9000 + p);
    std::string text = kSchema;
    for (int r = 0; r < 40; ++r) {
      std::string where;
      for (int atom = 0; atom < 1 + static_cast<int>(rng() % 3); ++atom) {
        std::string subject = subjects[rng() % std::size(subjects)];
        bool is_float = subject == "f" || subject == "g" || subject == "(g * 2.0)";
        std::string c = subject == "d" ? std::string(int_constants[rng() % 6]) + "s"
                        : is_float     ? float_constants[rng() % std::size(float_constants)]
                                       : int_constants[rng() % std::size(int_constants)];
        std::string op = ops[rng() % std::size(ops)];
        std::string cmp = rng() % 4 == 0 ? c + " " + op + " " + subject : subject + " " + op + " " + c;
        where += (where.empty() ? "" : " and ") + cmp;
      }
      if (rng() % 5 == 0) where += " and len(t) > 1";
      text += "rule T" + std::to_string(r) + " on Row\n  where " + where + "\n  message \"{id}\"\n  notify out\n";
    }
    std::string path = write_program(text, 200 + p);
    auto [jit, interp] = compile_both(path);
    ASSERT_TRUE(jit && interp) << "generated program " << path << " does not compile:\n" << diagnostics_of(path);
    selected += expect_same_alerts(jit, interp, make_rows(9500 + p, 800), {1, 7, 4096}, path);
  }
  EXPECT_GT(selected, 1000u);
}

// Window rules through both engines: random `where`, group keys and aggregate arguments (which
// the JIT computes in generated code), every aggregate, lets, history and `for`; the alerts
// (firing and resolved, with values and messages) must be identical at every batch size.
TEST(Differential, WindowRulesGiveTheSameAlertsInBothEngines) {
  constexpr int kPrograms = 8, kRulesPerProgram = 12, kRows = 700;
  const char* aggregates[] = {"sum", "avg", "min", "max", "stddev", "first", "last", "count_distinct", "count"};
  size_t alerts = 0;
  for (int p = 0; p < kPrograms; ++p) {
    ExprGen exprs(5000 + p);
    std::mt19937 rng(6000 + p);
    std::string text = kSchema;
    for (int r = 0; r < kRulesPerProgram; ++r) {
      std::string agg = aggregates[rng() % std::size(aggregates)];
      bool numeric = agg == "sum" || agg == "avg" || agg == "stddev";
      bool ordered = agg == "min" || agg == "max";  // bools have no order
      T type = numeric ? (rng() % 2 ? T::Int : T::Float) : exprs.random_type();
      if (ordered && type == T::Bool) type = T::String;
      std::string arg = exprs.gen(type, 2);
      text += "rule W" + std::to_string(r) + " on Row\n  where " + exprs.gen(T::Bool, 2) +
              "\n  window " + (rng() % 2 ? "tumbling 1m" : "sliding 2m every 30s") +
              "\n  group by " + exprs.gen(rng() % 2 ? T::String : T::Int, 1) + " as k" +
              "\n  let a = " + agg + "(" + arg + ")\n  let n = count()" +
              "\n  having n > " + std::to_string(rng() % 4) + " and (a is null or n != " + std::to_string(rng() % 5) + ")" +
              "\n  " + (rng() % 3 == 0 ? "for 1m" : "severity info") +
              // run() reads the number a message starts with. Half the programs read no history, so
              // quiet groups share their empty-window result.
              (p % 2 ? "\n  message \"{n} {a}\"\n  notify out\n"
                     : "\n  message \"{n} {a} {prev(n)} {mean_prev(n, 2)}\"\n  notify out\n");
    }
    std::string path = write_program(text, 100 + p);
    auto [jit, interp] = compile_both(path);
    ASSERT_TRUE(jit && interp) << "generated program " << path << " does not compile:\n" << diagnostics_of(path);
    alerts += expect_same_alerts(jit, interp, make_rows(7000 + p, kRows), {1, 2, 7, 4096}, path);
  }
  EXPECT_GT(alerts, 200u);  // the rules must really fire (and resolve)
}

}  // namespace
}  // namespace alert
