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

// One test block run on a fresh engine: its steps fed in order, then its expectations checked.
class TestRun {
 public:
  TestRun(std::shared_ptr<const CompiledProgram> program, const plan::Test& test)
      : program_(program), plan_(program->plan), test_(test), last_time_(plan_.schemas.size()),
        engine_(program, [this](const Alert& a) { alerts_.push_back(a); },
                [this](const RejectedRow& r) { rejects_.push_back(fmt::format("line {}: {}", r.line, r.reason)); }) {}

  TestOutcome run() {
    TestOutcome outcome;
    outcome.name = test_.name;
    outcome.location = test_.location;
    for (const plan::TestStep& step : test_.steps) feed(step);
    engine_.finish();
    check_expectations();
    outcome.passed = failures_.empty() && problems_.empty();
    if (!outcome.passed) outcome.failure = failure_text();
    return outcome;
  }

 private:
  void feed(const plan::TestStep& step) {
    switch (step.kind) {
      case plan::TestStep::Idle: idle(step.count); break;
      case plan::TestStep::GivenRows: given_rows(step); break;
      case plan::TestStep::GivenFile: given_file(step); break;
      default: break;
    }
  }

  // The inputs were quiet for D: every schema's clock moves D past its last row, as
  // --idle-timeout moves a quiet live input's clock with the wall clock.
  void idle(int64_t quiet) {
    for (size_t s = 0; s < plan_.schemas.size(); ++s) {
      if (!last_time_[s]) continue;
      last_time_[s] = *last_time_[s] + quiet;  // two `idle 1m` are two minutes
      engine_.advance_clock(static_cast<int>(s), *last_time_[s]);
    }
  }

  void given_rows(const plan::TestStep& step) {
    Batch batch;
    batch.reset(step.schema, field_kinds(step.schema));
    for (const plan::TestStep::Row& row : step.rows) batch.append(row.values, row.line);
    push(batch);
  }

  void given_file(const plan::TestStep& step) {
    const std::string& path = step.path;
    auto reader = open_reader(path, step.schema, engine_.schema_fields(step.schema), [&](const RejectedRow& r) {
      rejects_.push_back(fmt::format("{}:{}: {}", path, r.line, r.reason));
    });
    if (!reader.ok()) {
      problems_.push_back(reader.error());
      return;
    }
    Batch batch;
    while (true) {
      auto more = reader.value()->next(batch, 4096);
      if (!more.ok()) {
        problems_.push_back(more.error());
        return;
      }
      if (batch.rows) push(batch);
      if (!more.value()) return;
    }
  }

  std::vector<TypeKind> field_kinds(int schema) const {
    std::vector<TypeKind> kinds;
    for (auto& f : plan_.schemas[schema].fields) kinds.push_back(f.type.kind);
    return kinds;
  }

  // Evaluates a batch and notes the event time of its last row, which `idle D` advances from.
  void push(const Batch& batch) {
    if (auto pushed = engine_.push(batch); !pushed.ok()) problems_.push_back(pushed.error());
    int field = plan_.schemas[batch.schema].time_field;
    if (field < 0) return;
    for (size_t row = batch.rows; row-- > 0;) {
      if (!batch.columns[field].is_null(row)) {
        last_time_[batch.schema] = std::max(last_time_[batch.schema].value_or(INT64_MIN), batch.columns[field].ints[row]);
        return;
      }
    }
  }

  void check_expectations() {
    bool expects_rejects = false;
    for (const plan::TestStep& step : test_.steps) {
      switch (step.kind) {
        case plan::TestStep::ExpectFires:
        case plan::TestStep::ExpectResolved: check_count(step); break;
        case plan::TestStep::ExpectMatch: check_match(step); break;
        case plan::TestStep::ExpectRejects:
          expects_rejects = true;
          if (static_cast<int64_t>(rejects_.size()) != step.count) {
            failures_.push_back(fmt::format("line {}: expected {} rejected rows, got {}", step.line, step.count, rejects_.size()));
          }
          break;
        default: break;
      }
    }
    // Rejected and late rows are counted, and listed when the test fails (docs/language.md §10).
    // Without `expect rejects N`, a rejected row fails the test: its rows were meant to fit.
    if (!rejects_.empty() && !expects_rejects) {
      failures_.push_back(fmt::format("{} rows rejected (write `expect rejects {}` if that is intended)", rejects_.size(),
                                      rejects_.size()));
    }
  }

  void check_count(const plan::TestStep& step) {
    bool fires = step.kind == plan::TestStep::ExpectFires;
    const char* state = fires ? "firing" : "resolved";
    int64_t got = 0;
    for (auto& a : alerts_) got += a.rule == step.rule && a.state == state;
    if (got == step.count) return;
    failures_.push_back(fmt::format("line {}: expected {} {} {} {}, got {}", step.line, step.rule,
                                    fires ? "fires" : "resolved", step.count, step.count == 1 ? "alert" : "alerts", got));
  }

  void check_match(const plan::TestStep& step) {
    for (auto& a : alerts_) {
      if (a.rule != step.rule) continue;
      bool all = true;
      for (auto& [key, value] : step.keys) all &= key_matches(a, key, value);
      if (all) return;
    }
    std::string want;
    for (auto& [key, value] : step.keys) {
      if (!want.empty()) want += ", ";
      want += key + " = " + (value.kind == TypeKind::String ? "\"" + value.s + "\"" : value_to_text(value));
    }
    failures_.push_back(fmt::format("line {}: expected an alert of {} with {{ {} }}", step.line, step.rule, want));
  }

  std::string failure_text() const {
    constexpr size_t kShown = 20;  // rejects and alerts listed; the rest counted
    std::string text;
    for (auto& p : problems_) text += "    " + p + "\n";
    for (auto& f : failures_) text += "    " + f + "\n";
    for (size_t i = 0; i < rejects_.size() && i < kShown; ++i) text += "      rejected " + rejects_[i] + "\n";
    if (rejects_.size() > kShown) text += fmt::format("      ... and {} more rejected rows\n", rejects_.size() - kShown);
    text += alerts_.empty() ? "    no alerts were produced\n" : fmt::format("    alerts produced ({}):\n", alerts_.size());
    for (size_t i = 0; i < alerts_.size() && i < kShown; ++i) text += "      " + alert_to_json(alerts_[i]) + "\n";
    if (alerts_.size() > kShown) text += fmt::format("      ... and {} more alerts\n", alerts_.size() - kShown);
    return text;
  }

  std::shared_ptr<const CompiledProgram> program_;
  const plan::Program& plan_;
  const plan::Test& test_;
  std::vector<Alert> alerts_;
  std::vector<std::string> problems_;
  std::vector<std::string> failures_;
  std::vector<std::string> rejects_;
  std::vector<std::optional<int64_t>> last_time_;  // per schema: the event time of the last row given
  Engine engine_;
};

}  // namespace

std::vector<TestOutcome> run_program_tests(std::shared_ptr<const CompiledProgram> program) {
  std::vector<TestOutcome> outcomes;
  for (const plan::Test& test : program->plan.tests) {
    if (!test.broken.empty()) {
      TestOutcome outcome;
      outcome.name = test.name;
      outcome.location = test.location;
      outcome.passed = false;
      outcome.failure = "    the test is broken:\n" + test.broken;
      outcomes.push_back(std::move(outcome));
      continue;
    }
    outcomes.push_back(TestRun(program, test).run());
  }
  return outcomes;
}

}  // namespace alert
