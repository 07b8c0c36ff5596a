// Checkpoints (docs/language.md §12) through the public API: an engine's state saved between any
// two batches and restored into a fresh engine, of either kind, gives exactly the alerts of one
// uninterrupted run; damaged or foreign state is refused; changed rules start afresh.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <ctime>
#include <random>
#include <sstream>

#include "alert/compiler.h"
#include "alert/engine.h"
#include "alert/reader.h"

namespace alert {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / "alertc_engine_state_test";
  std::filesystem::create_directories(dir);
  auto path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

// Every kind of state a window keeps: each aggregate, history, `for`, a sliding window with
// lateness, expiry, throttles; string, int and composite keys; a row rule's throttle.
const char* kRules = R"(
schema Order {
  time ts: timestamp
  sku: string
  store: int
  units: int
  price: float
  note: string?
}
channel out = stdout {}
rule Sales on Order
  window tumbling 1m
  group by sku
  let n = count()
  let u = sum(units)
  let p = sum(price)
  let a = avg(price)
  let sd = stddev(price)
  let lo = min(units)
  let hi = max(price)
  let cheapest = min(sku)
  let f = first(price)
  let l = last(note)
  let stores = count_distinct(store)
  let notes = count_distinct(note)
  let noted = count(note)
  having u > 1.3 * mean_prev(u, 3)
  for 2m
  message "{sku} {n} {u} {p:.2f} {a:.3f} {sd} {lo} {hi} {cheapest} {f} {l} {stores} {notes} {noted}"
  notify out
rule Busy on Order
  window sliding 3m every 1m
  lateness 30s
  group by store
  let n = count()
  having n >= 8
  expire 2m
  notify out
  throttle 5m
rule Pair on Order
  window tumbling 2m
  group by sku, store
  let first_note = first(note)
  having count() >= 3
  message "{sku}/{store} {first_note}"
  notify out
rule Big on Order
  where price > 95.0
  message "{sku} {price}"
  notify out
  throttle 3m by sku
)";

std::string random_orders(unsigned seed, int rows) {
  std::mt19937_64 rng(seed);
  std::ostringstream csv;
  csv << "ts,sku,store,units,price,note\n";
  int64_t t = 1'767'225'600;
  const char* notes[] = {"gift", "rush", "", "", "late"};
  for (int i = 0; i < rows; ++i) {
    t += static_cast<int64_t>(rng() % 9);
    // Some rows out of order, a few past the lateness.
    std::time_t ts = t - (rng() % 10 == 0 ? static_cast<int64_t>(rng() % 50) : 0);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&ts));
    csv << when << ",SKU-" << rng() % 7 << "," << rng() % 4 << "," << rng() % 5 << "," << (rng() % 10000) / 100.0
        << "," << notes[rng() % 5] << "\n";
  }
  return csv.str();
}

std::shared_ptr<const CompiledProgram> compile(const std::string& rules, EngineKind kind) {
  CompileOptions options;
  options.engine = kind;
  Compilation c = Compilation::compile({rules}, options);
  std::ostringstream diags;
  c.print_diagnostics(diags, DiagnosticFormat::Text);
  EXPECT_TRUE(c.ok()) << diags.str();
  return c.program();
}

std::vector<Batch> batches_of(const std::string& csv, const Engine& engine, size_t batch_size) {
  auto reader = make_reader(std::make_unique<std::istringstream>(csv), "mem", InputFormat::Csv, 0,
                            engine.schema_fields(0), nullptr);
  std::vector<Batch> out;
  while (true) {
    Batch batch;
    auto more = reader->next(batch, batch_size);
    EXPECT_TRUE(more.ok());
    if (batch.rows) out.push_back(std::move(batch));
    if (!more.ok() || !more.value()) break;
  }
  return out;
}

struct RunResult {
  std::vector<std::string> alerts;
  std::vector<std::string> late;
};

RunResult uninterrupted(const std::string& rules, const std::string& csv, EngineKind kind) {
  RunResult out;
  Engine engine(compile(rules, kind), [&](const Alert& a) { out.alerts.push_back(alert_to_json(a)); },
                [&](const RejectedRow& r) { out.late.push_back(std::to_string(r.line) + r.reason); });
  for (const Batch& b : batches_of(csv, engine, 64)) engine.push(b);
  engine.finish();
  return out;
}

// Restarts after every `every` batches, each time into an engine of the next kind in `kinds`.
RunResult restarted(const std::string& rules, const std::string& csv, const std::vector<EngineKind>& kinds, size_t every,
              size_t* restarts) {
  RunResult out;
  auto sink = [&](const Alert& a) { out.alerts.push_back(alert_to_json(a)); };
  auto late = [&](const RejectedRow& r) { out.late.push_back(std::to_string(r.line) + r.reason); };
  std::vector<std::shared_ptr<const CompiledProgram>> programs;
  for (EngineKind k : kinds) programs.push_back(compile(rules, k));
  size_t which = 0;
  auto engine = std::make_unique<Engine>(programs[0], sink, late);
  std::vector<Batch> batches = batches_of(csv, *engine, 64);
  for (size_t i = 0; i < batches.size(); ++i) {
    engine->push(batches[i]);
    if ((i + 1) % every == 0) {
      std::string state = engine->save_state();
      which = (which + 1) % programs.size();
      engine = std::make_unique<Engine>(programs[which], sink, late);
      auto restored = engine->restore_state(state);
      EXPECT_TRUE(restored.ok()) << restored.error();
      ++*restarts;
    }
  }
  engine->finish();
  return out;
}

TEST(EngineState, RestartsBetweenAnyBatchesGiveTheAlertsOfOneRun) {
  std::string rules = write_temp("state.alert", kRules);
  std::string csv = random_orders(7, 6000);
  RunResult reference = uninterrupted(rules, csv, EngineKind::Interp);
  ASSERT_GT(reference.alerts.size(), 50u);
  ASSERT_FALSE(reference.late.empty());
  struct Case {
    const char* name;
    std::vector<EngineKind> kinds;
  } cases[] = {
      {"interp", {EngineKind::Interp}},
      {"jit", {EngineKind::Jit}},
      {"jit and interp in turns", {EngineKind::Jit, EngineKind::Interp}},
  };
  for (const Case& c : cases) {
    for (size_t every : {1, 3, 17}) {
      size_t restarts = 0;
      RunResult got = restarted(rules, csv, c.kinds, every, &restarts);
      EXPECT_GT(restarts, 4u);
      EXPECT_EQ(got.alerts, reference.alerts) << c.name << ", a restart every " << every << " batches";
      EXPECT_EQ(got.late, reference.late) << c.name << ", a restart every " << every << " batches";
    }
  }
}

TEST(EngineState, TheSameStateSavesToTheSameBytesFromEitherEngine) {
  std::string rules = write_temp("same_bytes.alert", kRules);
  std::string csv = random_orders(11, 2000);
  std::string saved[2];
  EngineKind kinds[] = {EngineKind::Interp, EngineKind::Jit};
  for (int k = 0; k < 2; ++k) {
    Engine engine(compile(rules, kinds[k]), [](const Alert&) {}, [](const RejectedRow&) {});
    for (const Batch& b : batches_of(csv, engine, 100)) engine.push(b);
    saved[k] = engine.save_state();
  }
  size_t first_difference = 13;  // past the header and its checksum
  while (first_difference < std::min(saved[0].size(), saved[1].size()) &&
         saved[0][first_difference] == saved[1][first_difference]) {
    ++first_difference;
  }
  EXPECT_EQ(saved[0], saved[1]) << "first difference at byte " << first_difference << " of " << saved[0].size();
  EXPECT_GT(saved[0].size(), 1000u);
}

TEST(EngineState, DamagedOrForeignStateIsRefusedWithAReason) {
  std::string rules = write_temp("refused.alert", kRules);
  std::string csv = random_orders(3, 500);
  Engine engine(compile(rules, EngineKind::Jit), [](const Alert&) {}, [](const RejectedRow&) {});
  for (const Batch& b : batches_of(csv, engine, 100)) engine.push(b);
  std::string state = engine.save_state();
  auto fresh = [&] {
    return std::make_unique<Engine>(compile(rules, EngineKind::Interp), [](const Alert&) {}, [](const RejectedRow&) {});
  };
  auto truncated = fresh()->restore_state(state.substr(0, state.size() / 2));
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.error().find("damaged"), std::string::npos) << truncated.error();
  std::string flipped = state;
  flipped[flipped.size() - 3] ^= 0x20;
  auto damaged = fresh()->restore_state(flipped);
  ASSERT_FALSE(damaged.ok());
  EXPECT_NE(damaged.error().find("checksum"), std::string::npos) << damaged.error();
  auto not_state = fresh()->restore_state("SQLite format 3");
  ASSERT_FALSE(not_state.ok());
  EXPECT_NE(not_state.error().find("not an alertc checkpoint"), std::string::npos);
  std::string newer = state;
  newer[4] = 9;  // the version
  auto version = fresh()->restore_state(newer);
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.error().find("version 9"), std::string::npos) << version.error();

  std::string other = write_temp("other.alert", R"(
schema Order {
  time ts: timestamp
  sku: string
  store: int
  units: int
  price: float
  note: string?
}
channel out = stdout {}
rule Unrelated on Order
  where units > 3
  notify out
)");
  Engine foreign(compile(other, EngineKind::Jit), [](const Alert&) {}, [](const RejectedRow&) {});
  auto refused = foreign.restore_state(state);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().find("another program"), std::string::npos) << refused.error();
}

TEST(EngineState, AChangedRuleStartsAfreshAndTheOthersKeepTheirState) {
  std::string before = write_temp("before.alert", kRules);
  std::string changed_text = kRules;
  // Busy's threshold changes; Sales' message changes (not its definition); Pair is removed.
  changed_text.replace(changed_text.find("having n >= 8"), 13, "having n >= 9");
  changed_text.replace(changed_text.find("message \"{sku} {n}"), 18, "message \"{sku}: {n}");
  size_t pair = changed_text.find("rule Pair");
  changed_text.erase(pair, changed_text.find("rule Big") - pair);
  std::string after = write_temp("after.alert", changed_text);
  std::string csv = random_orders(5, 3000);
  Engine first(compile(before, EngineKind::Jit), [](const Alert&) {}, [](const RejectedRow&) {});
  for (const Batch& b : batches_of(csv, first, 100)) first.push(b);
  Engine second(compile(after, EngineKind::Interp), [](const Alert&) {}, [](const RejectedRow&) {});
  auto report = second.restore_state(first.save_state());
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_EQ(report.value().kept, (std::vector<std::string>{"Sales", "Big"}));
  EXPECT_EQ(report.value().changed, (std::vector<std::string>{"Busy"}));
  EXPECT_EQ(report.value().removed, (std::vector<std::string>{"Pair"}));
  EXPECT_GT(report.value().groups, 0u);
}

}  // namespace
}  // namespace alert
