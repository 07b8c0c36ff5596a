// Window rules where the clock is not kind: rows out of order, late rows, gaps of many windows,
// equal times, lateness, expiry, throttles, several and nullable and float keys, `having` that
// reads keys and history, and max_groups refusing groups. The JIT engine (generated values,
// update and close functions over typed group state) against the reference engine (values,
// row at a time): the alerts, the late rows reported (line, reason, values, in order) and the
// run's counts must be identical at every batch size.
#include <gtest/gtest.h>

#include <random>

#include "alert/compiler.h"
#include "alert/engine.h"
#include "tests/unit/runtime/differential_support.h"

namespace alert {
namespace {

using namespace differential;

constexpr int64_t kSecond = 1'000'000'000;

// Times that mostly advance by a few seconds, sometimes stand still, go back a little (inside
// or beyond the lateness), or jump forward by many windows.
std::vector<std::vector<Value>> rows_with_rough_clock(uint32_t seed, int n) {
  std::mt19937 rng(seed);
  RowGen gen(seed + 1);
  std::vector<std::vector<Value>> rows;
  int64_t t = 1'767'261'600 * kSecond;
  for (int id = 0; id < n; ++id) {
    int roll = static_cast<int>(rng() % 100);
    if (roll < 60) {
      t += static_cast<int64_t>(rng() % 7) * kSecond;
    } else if (roll < 70) {
      // same time: first/last break the tie by input order
    } else if (roll < 85) {
      t -= static_cast<int64_t>(rng() % 90) * kSecond;  // out of order; late when past lateness
    } else if (roll < 88) {
      t += static_cast<int64_t>(1 + rng() % 12) * 60 * kSecond;  // a gap of whole windows
    } else {
      t += static_cast<int64_t>(rng() % 30) * kSecond;
    }
    std::vector<Value> row = gen.row(id);
    row[0] = Value::timestamp(t);
    rows.push_back(std::move(row));
  }
  return rows;
}

struct Outcome {
  std::vector<std::string> alerts;  // JSON, in order
  std::vector<std::string> late;    // line, reason and values of each late row, in order
  std::string counts;               // the run's statistics that both engines must agree on
  uint64_t refused = 0;             // rows whose new group max_groups refused
};

Outcome run_both_ways(const std::shared_ptr<const CompiledProgram>& program, const std::vector<std::vector<Value>>& rows,
                      size_t batch_size, size_t max_groups) {
  Outcome out;
  EngineOptions options;
  options.max_groups = max_groups;
  Engine engine(
      program, [&](const Alert& a) { out.alerts.push_back(alert_to_json(a)); },
      [&](const RejectedRow& r) { out.late.push_back(std::to_string(r.line) + " " + r.reason + " " + r.raw); },
      options);
  push_rows(engine, rows, batch_size);
  const RunStats& s = engine.stats();
  out.counts = "rows " + std::to_string(s.rows) + " late " + std::to_string(s.late_rows) + " untimed " +
               std::to_string(s.rows_without_time);
  for (const RuleStats& r : s.rules) {
    out.counts += " | " + r.rule + " " + std::to_string(r.firing) + "/" + std::to_string(r.resolved) + "/" +
                  std::to_string(r.suppressed) + "/" + std::to_string(r.groups_refused);
    out.refused += r.groups_refused;
  }
  return out;
}

// A random window rule exercising one combination of the clauses.
std::string window_rule(int r, std::mt19937& rng, ExprGen& exprs) {
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  const char* windows[] = {"tumbling 1m", "sliding 2m every 30s", "tumbling 10s", "sliding 1m every 20s"};
  const char* keys[] = {"id % 5 as k", "t as k", "s as k", "b as k", "f as k", "t as k, id % 3 as m",
                        "lower(t) as k", "round(g) as k", "j % 4 as k"};
  bool keyed = pick(8) != 0;
  std::string key = keys[pick(std::size(keys))];
  const char* aggregates[] = {"sum", "avg", "min", "max", "stddev", "first", "last", "count_distinct", "count"};
  std::string agg = aggregates[pick(std::size(aggregates))];
  bool numeric = agg == "sum" || agg == "avg" || agg == "stddev";
  bool ordered = agg == "min" || agg == "max";
  T type = numeric ? (pick(2) ? T::Int : T::Float) : exprs.random_type();
  if (ordered && type == T::Bool) type = T::String;
  std::string text = "rule W" + std::to_string(r) + " on Row\n  where " + exprs.gen(T::Bool, 1) + "\n  window " +
                     windows[pick(std::size(windows))];
  if (pick(2)) text += "\n  lateness " + std::string(pick(2) ? "20s" : "1m");
  if (keyed) text += "\n  group by " + key;
  text += "\n  let a = " + agg + "(" + exprs.gen(type, 2) + ")\n  let n = count()\n  let v = last(j)";
  std::string having = "n > " + std::to_string(pick(3)) + " and (a is null or n != " + std::to_string(pick(4)) + ")";
  switch (keyed ? pick(4) : 3) {
    case 0: having += " and k is not null"; break;
    case 1: having += " and string(k) != \"EU\""; break;
    case 2: having = "(" + having + ") or (mean_prev(n, 2) is not null and n < mean_prev(n, 2))"; break;
    default: break;
  }
  text += "\n  having " + having;
  if (pick(3) == 0) text += "\n  for " + std::string(pick(2) ? "1m" : "30s");
  if (pick(3) == 0) text += "\n  expire " + std::string(pick(2) ? "30s" : "5m");
  if (pick(3) == 0) text += keyed && pick(2) ? "\n  throttle 2m by k" : "\n  throttle 1m";
  text += "\n  message \"{n} {a} {v} {prev(n)}\"\n  notify out\n";
  return text;
}

TEST(WindowDifferential, RoughClocksGiveTheSameAlertsLateRowsAndCountsInBothEngines) {
  constexpr int kPrograms = 10, kRulesPerProgram = 10, kRows = 900;
  size_t alerts = 0, late = 0, refused = 0;
  for (int p = 0; p < kPrograms; ++p) {
    ExprGen exprs(8000 + p);
    std::mt19937 rng(8100 + p);
    std::string text = kSchema;
    for (int r = 0; r < kRulesPerProgram; ++r) text += window_rule(r, rng, exprs);
    std::string path = write_program(text, 300 + p);
    auto [jit, interp] = compile_both(path);
    ASSERT_TRUE(jit && interp) << "generated program " << path << " does not compile:\n" << diagnostics_of(path);
    auto rows = rows_with_rough_clock(8200 + p, kRows);
    // Half the programs run with a small group cap, so refusals happen and must match.
    size_t max_groups = p % 2 ? 4 : 1'000'000;
    Outcome expected = run_both_ways(interp, rows, 4096, max_groups);
    for (size_t batch_size : {1, 2, 7, 4096}) {
      SCOPED_TRACE(path + " batch size " + std::to_string(batch_size));
      // The reference engine is batch-independent too.
      if (batch_size == 7) {
        EXPECT_EQ(run_both_ways(interp, rows, batch_size, max_groups).alerts, expected.alerts);
      }
      Outcome actual = run_both_ways(jit, rows, batch_size, max_groups);
      EXPECT_EQ(actual.counts, expected.counts);
      EXPECT_EQ(actual.late, expected.late);
      ASSERT_EQ(actual.alerts.size(), expected.alerts.size());
      for (size_t i = 0; i < actual.alerts.size(); ++i) {
        ASSERT_EQ(actual.alerts[i], expected.alerts[i]) << "alert " << i;
      }
    }
    alerts += expected.alerts.size();
    late += expected.late.size();
    refused += expected.refused;
  }
  // The generators must reach what this test is about.
  EXPECT_GT(alerts, 500u);
  EXPECT_GT(late, 100u);
  EXPECT_GT(refused, 0u);
}

}  // namespace
}  // namespace alert
