#include <fmt/format.h>

#include "alert/engine.h"
#include "alert/testing.h"
#include "compiler/plan/compiled_program.h"
#include "stdlib/scalar_ops.h"

namespace alert {
namespace {

// Compares an expected constant with an alert's value for one key.
bool key_matches(const Alert& a, const std::string& key, const Value& want) {
  auto text_equals = [&](const std::string& got) {
    return want.kind == TypeKind::String ? got == want.s : got == value_to_text(want);
  };
  if (key == "message") return text_equals(a.message);
  if (key == "state") return text_equals(a.state);
  if (key == "severity") return text_equals(a.severity);
  if (key == "rule") return text_equals(a.rule);
  if (key == "suppressed") return want.kind == TypeKind::Int && want.i == a.suppressed;
  if (key == "time") return a.time && want.kind == TypeKind::Timestamp && want.i == *a.time;
  for (auto& [k, v] : a.labels) {
    if (k == key) return text_equals(v);
  }
  for (auto* list : {&a.group, &a.values}) {
    for (auto& [k, v] : *list) {
      if (k != key) continue;
      if (want.is_null()) return v.is_null();
      if (v.kind == TypeKind::String || want.kind == TypeKind::String) return value_to_text(v) == value_to_text(want);
      return values_equal(v, want);
    }
  }
  return false;
}

}  // namespace

std::vector<TestOutcome> run_program_tests(std::shared_ptr<const CompiledProgram> program) {
  std::vector<TestOutcome> outcomes;
  const plan::Program& plan = program->plan;
  for (const plan::Test& test : plan.tests) {
    TestOutcome outcome;
    outcome.name = test.name;
    outcome.location = test.location;
    if (!test.broken.empty()) {
      outcome.passed = false;
      outcome.failure = "    the test is broken:\n" + test.broken;
      outcomes.push_back(std::move(outcome));
      continue;
    }
    std::vector<Alert> alerts;
    std::vector<std::string> problems;
    // Rejected and late rows: counted, and listed when the test fails (docs/language.md §10).
    std::vector<std::string> rejects;
    Engine engine(program, [&](const Alert& a) { alerts.push_back(a); },
                  [&](const RejectedRow& r) { rejects.push_back(fmt::format("line {}: {}", r.line, r.reason)); });
    // Per schema: the event time of the last row given, which `idle D` advances from.
    std::vector<std::optional<int64_t>> last_time(plan.schemas.size());
    auto note_last_time = [&](const Batch& batch) {
      int field = plan.schemas[batch.schema].time_field;
      if (field < 0) return;
      for (size_t row = batch.rows; row-- > 0;) {
        if (!batch.columns[field].is_null(row)) {
          last_time[batch.schema] = std::max(last_time[batch.schema].value_or(INT64_MIN), batch.columns[field].ints[row]);
          return;
        }
      }
    };
    for (const plan::TestStep& step : test.steps) {
      if (step.kind == plan::TestStep::Idle) {
        // The inputs were quiet for D: every schema's clock moves D past its last row, as
        // --idle-timeout moves a quiet live input's clock with the wall clock.
        for (size_t s = 0; s < plan.schemas.size(); ++s) {
          if (!last_time[s]) continue;
          last_time[s] = *last_time[s] + step.count;  // two `idle 1m` are two minutes
          engine.advance_clock(static_cast<int>(s), *last_time[s]);
        }
        continue;
      }
      if (step.kind != plan::TestStep::GivenRows && step.kind != plan::TestStep::GivenFile) continue;
      const plan::Schema& s = plan.schemas[step.schema];
      std::vector<TypeKind> kinds;
      for (auto& f : s.fields) kinds.push_back(f.type.kind);
      if (step.kind == plan::TestStep::GivenRows) {
        Batch batch;
        batch.reset(step.schema, kinds);
        for (const plan::TestStep::Row& row : step.rows) batch.append(row.values, row.line);
        if (auto pushed = engine.push(batch); !pushed.ok()) problems.push_back(pushed.error());
        note_last_time(batch);
      } else {
        const std::string& path = step.path;
        auto reader = open_reader(path, step.schema, engine.schema_fields(step.schema), [&](const RejectedRow& r) {
          rejects.push_back(fmt::format("{}:{}: {}", path, r.line, r.reason));
        });
        if (!reader.ok()) {
          problems.push_back(reader.error());
          continue;
        }
        Batch batch;
        while (true) {
          auto more = reader.value()->next(batch, 4096);
          if (!more.ok()) {
            problems.push_back(more.error());
            break;
          }
          if (batch.rows) {
            if (auto pushed = engine.push(batch); !pushed.ok()) problems.push_back(pushed.error());
            note_last_time(batch);
          }
          if (!more.value()) break;
        }
      }
    }
    engine.finish();
    std::vector<std::string> failures;
    bool expects_rejects = false;
    for (const plan::TestStep& step : test.steps) {
      switch (step.kind) {
        case plan::TestStep::ExpectFires:
        case plan::TestStep::ExpectResolved: {
          bool fires = step.kind == plan::TestStep::ExpectFires;
          const char* state = fires ? "firing" : "resolved";
          int64_t got = 0;
          for (auto& a : alerts) got += a.rule == step.rule && a.state == state;
          if (got != step.count) {
            failures.push_back(fmt::format("line {}: expected {} {} {} {}, got {}", step.line, step.rule,
                                           fires ? "fires" : "resolved", step.count,
                                           step.count == 1 ? "alert" : "alerts", got));
          }
          break;
        }
        case plan::TestStep::ExpectMatch: {
          bool found = false;
          for (auto& a : alerts) {
            if (a.rule != step.rule) continue;
            bool all = true;
            for (auto& [key, value] : step.keys) all &= key_matches(a, key, value);
            if (all) {
              found = true;
              break;
            }
          }
          if (!found) {
            std::string want;
            for (auto& [key, value] : step.keys) {
              if (!want.empty()) want += ", ";
              want += key + " = " + (value.kind == TypeKind::String ? "\"" + value.s + "\"" : value_to_text(value));
            }
            failures.push_back(fmt::format("line {}: expected an alert of {} with {{ {} }}", step.line, step.rule, want));
          }
          break;
        }
        case plan::TestStep::ExpectRejects: {
          expects_rejects = true;
          if (static_cast<int64_t>(rejects.size()) != step.count) {
            failures.push_back(fmt::format("line {}: expected {} rejected rows, got {}", step.line, step.count, rejects.size()));
          }
          break;
        }
        default: break;
      }
    }
    // Without `expect rejects N`, a rejected row fails the test: its rows were meant to fit.
    if (!rejects.empty() && !expects_rejects) {
      failures.push_back(fmt::format("{} rows rejected (write `expect rejects {}` if that is intended)", rejects.size(),
                                     rejects.size()));
    }
    outcome.passed = failures.empty() && problems.empty();
    if (!outcome.passed) {
      constexpr size_t kShown = 20;  // rejects and alerts listed; the rest counted
      std::string text;
      for (auto& p : problems) text += "    " + p + "\n";
      for (auto& f : failures) text += "    " + f + "\n";
      for (size_t i = 0; i < rejects.size() && i < kShown; ++i) text += "      rejected " + rejects[i] + "\n";
      if (rejects.size() > kShown) text += fmt::format("      ... and {} more rejected rows\n", rejects.size() - kShown);
      text += alerts.empty() ? "    no alerts were produced\n" : fmt::format("    alerts produced ({}):\n", alerts.size());
      for (size_t i = 0; i < alerts.size() && i < kShown; ++i) text += "      " + alert_to_json(alerts[i]) + "\n";
      if (alerts.size() > kShown) text += fmt::format("      ... and {} more alerts\n", alerts.size() - kShown);
      outcome.failure = text;
    }
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace alert
