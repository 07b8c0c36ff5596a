// Engine behaviour through the public API: determinism across batch sizes, window lifecycle,
// late rows, rejects.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "alert/compiler.h"
#include "alert/engine.h"
#include "alert/reader.h"
#include "stdlib/time_format.h"

namespace alert {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / "alertc_engine_test";
  std::filesystem::create_directories(dir);
  auto path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

const char* kRules = R"(
schema Payment {
  time ts: timestamp
  card: string
  amount: float
  country: string?
}
channel out = stdout {}
rule Burst on Payment
  window sliding 4m every 1m
  group by card
  let n = count()
  let total = sum(amount)
  let countries = count_distinct(country)
  having n >= 3
  message "{card}: {n} payments {total:.2f}"
  notify out
rule Drop on Payment
  window tumbling 2m
  group by card
  let s = sum(amount)
  having s < 0.5 * mean_prev(s, 2)
  expire 30m
  notify out
rule Big on Payment
  where amount / (amount - 50.0) > 1.5 or country is null
  group by card
  message "{card} {amount}"
  notify out
  throttle 90s
)";

// Reads every batch of `reader` into `engine`, then closes the input.
void push_all(RowReader& reader, Engine& engine, size_t batch_size) {
  Batch batch;
  while (true) {
    auto more = reader.next(batch, batch_size);
    EXPECT_TRUE(more.ok());
    if (batch.rows) engine.push(batch);
    if (!more.ok() || !more.value()) break;
  }
  engine.finish();
}

// What one run of `rules` over `csv` produced: its alerts, its late rows and its statistics.
struct Outcome {
  std::vector<Alert> alerts;
  std::vector<RejectedRow> late;
  RunStats stats;
};

Outcome run_csv(const std::string& rules, const std::string& csv, size_t batch_size,
                EngineKind engine_kind = EngineKind::Jit) {
  Outcome out;
  CompileOptions options;
  options.engine = engine_kind;
  Compilation c = Compilation::compile({rules}, options);
  EXPECT_TRUE(c.ok());
  if (!c.ok()) return out;
  Engine engine(c.program(), [&](const Alert& a) { out.alerts.push_back(a); },
                [&](const RejectedRow& r) { out.late.push_back(r); });
  auto reader = make_reader(std::make_unique<std::istringstream>(csv), "mem", InputFormat::Csv, 0,
                            engine.schema_fields(0), nullptr);
  push_all(*reader, engine, batch_size);
  out.stats = engine.stats();
  return out;
}

std::vector<std::string> run(const std::string& rules, const std::string& csv, size_t batch_size,
                             uint64_t* rejected = nullptr) {
  Compilation c = Compilation::compile({rules});
  std::ostringstream diags;
  c.print_diagnostics(diags, DiagnosticFormat::Text);
  EXPECT_TRUE(c.ok()) << diags.str();
  if (!c.ok()) return {};
  std::vector<std::string> alerts;
  uint64_t rejects = 0;
  Engine engine(c.program(), [&](const Alert& a) { alerts.push_back(alert_to_json(a)); },
                [&](const RejectedRow&) { ++rejects; });
  int schema = engine.schema_index("Payment");
  auto reader = make_reader(std::make_unique<std::istringstream>(csv), "mem", InputFormat::Csv, schema,
                            engine.schema_fields(schema), [&](const RejectedRow&) { ++rejects; });
  push_all(*reader, engine, batch_size);
  if (rejected) *rejected = rejects;
  return alerts;
}

std::string random_payments(unsigned seed, int rows) {
  std::mt19937_64 rng(seed);
  std::ostringstream csv;
  csv << "ts,card,amount,country\n";
  int64_t t = 1'767'225'600;  // 2026-01-01
  const char* countries[] = {"DE", "FR", "US", ""};
  for (int i = 0; i < rows; ++i) {
    t += rng() % 50;
    int64_t shown = t - static_cast<int64_t>(rng() % 4 == 0 ? rng() % 200 : 0);  // some late rows
    std::time_t secs = shown;
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&secs));
    csv << buf << ",c" << rng() % 7 << "," << (rng() % 20000) / 100.0 << "," << countries[rng() % 4] << "\n";
    if (rng() % 97 == 0) csv << buf << ",broken,notanumber,DE\n";
  }
  return csv.str();
}

TEST(Engine, AlertsDoNotDependOnBatchSize) {
  std::string rules = write_temp("determinism.alert", kRules);
  for (unsigned seed = 1; seed <= 5; ++seed) {
    std::string csv = random_payments(seed, 3000);
    uint64_t rejected_ref = 0;
    auto reference = run(rules, csv, 4096, &rejected_ref);
    ASSERT_FALSE(reference.empty());
    EXPECT_GT(rejected_ref, 0u);
    for (size_t bs : {1, 2, 7, 100}) {
      uint64_t rejected = 0;
      EXPECT_EQ(run(rules, csv, bs, &rejected), reference) << "seed " << seed << " batch size " << bs;
      EXPECT_EQ(rejected, rejected_ref);
    }
  }
}

TEST(Engine, SilenceIsDetectedWithEmptyAggregatesAndResolvesOnce) {
  std::string rules = write_temp("silence.alert", R"(
schema Ping { time ts: timestamp  host: string }
channel out = stdout {}
rule Silent on Ping
  window tumbling 1m
  group by host
  having count() == 0
  expire 10m
  notify out
)");
  std::string csv =
      "ts,host\n2026-01-01T00:00:10Z,a\n2026-01-01T00:00:20Z,b\n2026-01-01T00:01:10Z,b\n"
      "2026-01-01T00:02:10Z,b\n2026-01-01T00:02:20Z,a\n2026-01-01T00:03:30Z,b\n";
  std::vector<Alert> alerts = run_csv(rules, csv, 2).alerts;
  // Host a is silent in [00:01, 00:02): fires at 00:02, resolves when it reports again (close of
  // [00:02, 00:03)), and is silent again in the last window, which the end of input closes.
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[0].state, "firing");
  EXPECT_EQ(alerts[0].group[0].second.s, "a");
  EXPECT_EQ(*alerts[0].time, 1'767'225'600'000'000'000 + 120'000'000'000);
  EXPECT_EQ(alerts[1].state, "resolved");
  EXPECT_EQ(alerts[1].fingerprint, alerts[0].fingerprint);
  EXPECT_EQ(*alerts[1].time, 1'767'225'600'000'000'000 + 180'000'000'000);
  EXPECT_EQ(alerts[2].state, "firing");
  EXPECT_EQ(*alerts[2].time, 1'767'225'600'000'000'000 + 240'000'000'000);
}

TEST(Engine, LateRowsAreRejectedWithTheirLine) {
  std::string rules = write_temp("late.alert", R"(
schema Ping { time ts: timestamp  host: string }
channel out = stdout {}
rule Count on Ping
  window tumbling 1m
  having count() > 100
  notify out
)");
  std::string csv = "ts,host\n2026-01-01T00:00:10Z,a\n2026-01-01T00:01:10Z,a\n2026-01-01T00:00:30Z,late\n";
  Outcome out = run_csv(rules, csv, 100);
  const std::vector<RejectedRow>& late = out.late;
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].line, 4u);
  EXPECT_EQ(late[0].raw, "{\"ts\":\"2026-01-01T00:00:30Z\",\"host\":\"late\"}");  // what was read
  EXPECT_EQ(out.stats.late_rows, 1u);
}

// The reason names the row's own window (the latest of its windows that has closed), not the
// window the clock has reached: here the clock is at 00:05, the row's windows ended long before.
TEST(Engine, ALateRowsReasonNamesItsOwnClosedWindow) {
  std::string rules = write_temp("late_reason.alert", R"(
schema Ping { time ts: timestamp  host: string }
channel out = stdout {}
rule Tumbling on Ping
  window tumbling 1m
  having count() > 100
  notify out
rule Sliding on Ping
  window sliding 3m every 1m
  having count() > 100
  notify out
)");
  // 00:03:30 is in sliding windows [1m,4m), [2m,5m), [3m,6m): with the clock at 00:05:10 the
  // first two have closed, the third is open; it is late (its earliest window closed) and the
  // reason names [2m,5m).
  std::string csv =
      "ts,host\n2026-01-01T00:00:10Z,a\n2026-01-01T00:05:10Z,a\n2026-01-01T00:00:30Z,old\n"
      "2026-01-01T00:03:30Z,mid\n";
  for (EngineKind kind : {EngineKind::Jit, EngineKind::Interp}) {
    for (size_t batch : {1, 4096}) {
      Outcome out = run_csv(rules, csv, batch, kind);
      ASSERT_EQ(out.late.size(), 4u);
      EXPECT_EQ(out.late[0].reason,
                "late row for rule 'Tumbling': its window ending 2026-01-01T00:01:00Z already closed");
      EXPECT_EQ(out.late[1].reason,
                "late row for rule 'Sliding': its window ending 2026-01-01T00:03:00Z already closed");
      EXPECT_EQ(out.late[2].reason,
                "late row for rule 'Tumbling': its window ending 2026-01-01T00:04:00Z already closed");
      EXPECT_EQ(out.late[3].reason,
                "late row for rule 'Sliding': its window ending 2026-01-01T00:05:00Z already closed");
    }
  }
}

// A row that arrives after a later one but within the lateness can open an earlier window than
// its group's first: the group is known from that window on (as if the rows had come in time
// order), the row is evaluated there, and the group can expire once its windows are closed.
TEST(Engine, ARowWithinLatenessInAnEarlierWindowCountsThereAndItsGroupStillExpires) {
  std::string rules = write_temp("early_window.alert", R"(
schema Ping { time ts: timestamp  host: string }
channel out = stdout {}
rule Silent on Ping
  window tumbling 1m
  lateness 2m
  group by host
  let n = count()
  having n == 0
  expire 1m
  message "{host} {n}"
  notify out
)");
  std::string csv = "ts,host\n2026-01-01T00:01:10Z,a\n2026-01-01T00:00:30Z,a\n2026-01-01T00:05:10Z,b\n";
  for (EngineKind engine : {EngineKind::Jit, EngineKind::Interp}) {
    for (size_t batch_size : {1, 4096}) {
      Outcome out = run_csv(rules, csv, batch_size, engine);
      SCOPED_TRACE(std::string(engine == EngineKind::Jit ? "jit" : "interp") + " batch size " + std::to_string(batch_size));
      EXPECT_TRUE(out.late.empty());
      // [00:00, 00:01) and [00:01, 00:02) hold a's rows; [00:02, 00:03) is silent: it fires. That
      // close made it fire, so it does not also forget it (one close, one transition); the next
      // close, [00:03, 00:04), forgets it (last row 00:01:10, more than 1m before 00:04), resolving it.
      ASSERT_EQ(out.alerts.size(), 2u);
      EXPECT_EQ(out.alerts[0].state, "firing");
      EXPECT_EQ(out.alerts[0].message, "a 0");
      EXPECT_EQ(*out.alerts[0].time, 1'767'225'600'000'000'000 + 180'000'000'000);
      EXPECT_EQ(out.alerts[1].state, "resolved");
      EXPECT_EQ(*out.alerts[1].time, 1'767'225'600'000'000'000 + 240'000'000'000);
    }
  }
}

TEST(Readers, CsvQuotesNullsAndRejects) {
  std::vector<FieldSpec> fields{{"a", Type::of(TypeKind::Int)}, {"b", Type::of(TypeKind::String, true)}};
  std::vector<RejectedRow> rejects;
  auto reader = make_reader(std::make_unique<std::istringstream>("b,a\r\n\"x,\"\"y\"\"\",1\r\n,2\n\"\",3\nzz,bad\n"),
                            "mem", InputFormat::Csv, 0, fields, [&](const RejectedRow& r) { rejects.push_back(r); });
  Batch batch;
  auto more = reader->next(batch, 100);
  ASSERT_TRUE(more.ok());
  ASSERT_EQ(batch.rows, 3u);
  EXPECT_EQ(batch.value_at(1, 0).s, "x,\"y\"");
  EXPECT_TRUE(batch.value_at(1, 1).is_null());
  EXPECT_EQ(batch.value_at(1, 2).s, "");
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].line, 5u);
  EXPECT_NE(rejects[0].reason.find("'bad' is not an int"), std::string::npos);
}

TEST(Readers, MissingNonNullableColumnIsAnErrorBeforeAnyRow) {
  std::vector<FieldSpec> fields{{"a", Type::of(TypeKind::Int)}};
  auto reader = make_reader(std::make_unique<std::istringstream>("b\n1\n"), "mem", InputFormat::Csv, 0, fields, nullptr);
  Batch batch;
  auto more = reader->next(batch, 100);
  ASSERT_FALSE(more.ok());
  EXPECT_NE(more.error().find("no column 'a'"), std::string::npos);
}

TEST(Readers, JsonLinesAcceptIntsForFloatsAndMissingKeysAsNull) {
  std::vector<FieldSpec> fields{{"x", Type::of(TypeKind::Float)}, {"s", Type::of(TypeKind::String, true)}};
  std::vector<RejectedRow> rejects;
  auto reader = make_reader(std::make_unique<std::istringstream>("{\"x\": 3}\n{\"x\": 1.5, \"s\": \"a\"}\nnot json\n{\"x\": \"1\"}\n"),
                            "mem", InputFormat::JsonLines, 0, fields, [&](const RejectedRow& r) { rejects.push_back(r); });
  Batch batch;
  ASSERT_TRUE(reader->next(batch, 100).ok());
  ASSERT_EQ(batch.rows, 2u);
  EXPECT_EQ(batch.value_at(0, 0).f, 3.0);
  EXPECT_TRUE(batch.value_at(1, 0).is_null());
  EXPECT_EQ(rejects.size(), 2u);
}


// The transitions of a window rule over `csv` as "state group window-start n" lines, checked to
// be the same for both engines and batch sizes 1, 7 and 4096, with no group given two
// transitions by one close (docs/language.md §7.6).
std::vector<std::string> transitions(const std::string& rules, const std::string& csv) {
  std::vector<std::string> first;
  for (EngineKind engine : {EngineKind::Jit, EngineKind::Interp}) {
    for (size_t batch_size : {1, 7, 4096}) {
      Outcome out = run_csv(rules, csv, batch_size, engine);
      std::vector<std::string> lines;
      std::set<std::string> closes;
      for (const Alert& a : out.alerts) {
        std::string group = value_to_text(a.group.at(0).second);
        EXPECT_TRUE(closes.insert(group + " " + std::to_string(a.window->first)).second)
            << "two transitions for " << group << " at one close";
        lines.push_back(a.state + " " + group + " " + format_rfc3339(a.window->first).substr(11, 5) + " " +
                        value_to_text(a.values.at(0).second));
      }
      if (first.empty()) first = lines;
      EXPECT_EQ(lines, first) << (engine == EngineKind::Jit ? "jit" : "interp") << " batch size " << batch_size;
    }
  }
  return first;
}

const char* kExpireSchema = "schema E { time ts: timestamp  k: string }\nchannel out = stdout {}\n";

TEST(Engine, AGroupIsNotForgottenAtTheCloseOfAWindowHoldingItsRowsTumbling) {
  std::string rules = write_temp("expire_tumbling.alert", std::string(kExpireSchema) + R"(
rule W on E
  window tumbling 10m
  group by k
  let n = count()
  having n >= 1
  expire 5m
  notify out
)");
  // a's row is in [00:00, 00:10): that close fires it and keeps it, though its row is 9.5m old.
  EXPECT_EQ(transitions(rules, "ts,k\n2026-03-01T00:00:30Z,a\n2026-03-01T00:10:00Z,b\n"),
            (std::vector<std::string>{"firing a 00:00 1", "resolved a 00:10 0", "firing b 00:10 1"}));
}

TEST(Engine, AGroupIsNotForgottenBeforeItsLastRowLeftEverySlidingWindow) {
  std::string rules = write_temp("expire_sliding.alert", std::string(kExpireSchema) + R"(
rule W on E
  window sliding 10m every 5m
  group by k
  let n = count()
  having n >= 1
  expire 1m
  notify out
)");
  // a's row at 00:07 is in [00:00, 00:10) and [00:05, 00:15): it fires at the first close, holds
  // at the second (not forgotten there: the row is in it), and resolves at [00:10, 00:20).
  EXPECT_EQ(transitions(rules, "ts,k\n2026-03-01T00:07:00Z,a\n2026-03-01T00:30:00Z,b\n"),
            (std::vector<std::string>{"firing a 00:00 1", "resolved a 00:10 0", "firing b 00:25 1"}));
}

TEST(Engine, AGroupThatFiresAfterItsForCountIsNotForgottenByTheSameClose) {
  std::string rules = write_temp("expire_for.alert", std::string(kExpireSchema) + R"(
rule W on E
  window tumbling 10m
  group by k
  let n = count()
  having n >= 1
  for 20m
  expire 5m
  notify out
)");
  EXPECT_EQ(transitions(rules, "ts,k\n2026-03-01T00:01:00Z,a\n2026-03-01T00:11:00Z,a\n2026-03-01T00:40:00Z,b\n"),
            (std::vector<std::string>{"firing a 00:10 1", "resolved a 00:20 0"}));
}

TEST(Engine, ASilentGroupFiresAtOneCloseAndIsForgottenAtALaterOne) {
  // The default expire (one step here) would forget a at the first silent close, the one that
  // makes it fire: it fires there and resolves, forgotten, at the next close.
  std::string rules = write_temp("expire_silence.alert", std::string(kExpireSchema) + R"(
rule Silent on E
  window tumbling 10m
  group by k
  let n = count()
  having n == 0
  notify out
)");
  EXPECT_EQ(transitions(rules, "ts,k\n2026-03-01T00:01:00Z,a\n2026-03-01T00:02:00Z,b\n2026-03-01T00:15:00Z,b\n"
                               "2026-03-01T00:25:00Z,b\n2026-03-01T00:35:00Z,b\n"),
            (std::vector<std::string>{"firing a 00:10 0", "resolved a 00:20 0"}));
}

// avg of finite values is finite: the plain sum overflows here, the mean does not.
TEST(Engine, AvgOfLargeFiniteValuesDoesNotOverflow) {
  std::string rules = write_temp("avg_large.alert", R"(
schema M { time ts: timestamp  k: string  x: float }
channel out = stdout {}
rule A on M
  window tumbling 1m
  group by k
  let m = avg(x)
  having m is not null
  notify out
)");
  std::string csv = "ts,k,x\n2026-01-01T00:00:01Z,big,1.5e308\n2026-01-01T00:00:02Z,big,1.7e308\n"
                    "2026-01-01T00:00:03Z,big,1.6e308\n2026-01-01T00:00:04Z,small,0.1\n2026-01-01T00:00:05Z,small,0.2\n";
  for (EngineKind engine : {EngineKind::Jit, EngineKind::Interp}) {
    for (size_t batch_size : {1, 4096}) {
      Outcome out = run_csv(rules, csv, batch_size, engine);
      ASSERT_EQ(out.alerts.size(), 2u);
      EXPECT_DOUBLE_EQ(out.alerts[0].values[0].second.f, 1.6e308);
      // Where the sum is finite the mean is the sum over the count, bit for bit.
      EXPECT_EQ(out.alerts[1].values[0].second.f, (0.1 + 0.2) / 2);
    }
  }
}

// --strict stops at the first late row: that row is evaluated as without --strict (its row
// rules fire), no row after it is, whatever the batch size. (Row 2 closes [00:00, 00:01) before
// its own row rule fires: window clocks advance first.)
TEST(Engine, StopAtLateRowEvaluatesNothingAfterTheFirstLateRow) {
  std::string rules = write_temp("strict_late.alert", R"(
schema P { time ts: timestamp  id: int }
channel out = stdout {}
rule Every on P
  where id > 0
  message "{id}"
  notify out
rule Count on P
  window tumbling 1m
  let n = count()
  having n >= 1
  notify out
)");
  std::string csv = "ts,id\n2026-01-01T00:00:10Z,1\n2026-01-01T00:01:10Z,2\n2026-01-01T00:00:20Z,3\n"
                    "2026-01-01T00:01:20Z,4\n2026-01-01T00:03:00Z,5\n";
  for (EngineKind kind : {EngineKind::Jit, EngineKind::Interp}) {
    for (size_t batch_size : {1, 2, 7, 4096}) {
      CompileOptions options;
      options.engine = kind;
      Compilation c = Compilation::compile({rules}, options);
      ASSERT_TRUE(c.ok());
      std::vector<std::string> messages;
      std::vector<uint64_t> late;
      EngineOptions engine_options;
      engine_options.stop_at_late_row = true;
      Engine engine(c.program(), [&](const Alert& a) { messages.push_back(a.rule + " " + a.message); },
                    [&](const RejectedRow& r) { late.push_back(r.line); }, engine_options);
      auto reader = make_reader(std::make_unique<std::istringstream>(csv), "mem", InputFormat::Csv, 0,
                                engine.schema_fields(0), nullptr);
      Batch batch;
      while (!engine.stopped()) {
        auto more = reader->next(batch, batch_size);
        ASSERT_TRUE(more.ok());
        if (batch.rows) engine.push(batch);
        if (!more.value()) break;
      }
      EXPECT_TRUE(engine.stopped());
      EXPECT_EQ(late, (std::vector<uint64_t>{4}));
      EXPECT_EQ(messages, (std::vector<std::string>{"Every 1", "Count Count", "Every 2", "Every 3"})) << batch_size;
      EXPECT_EQ(engine.stats().rows, 3u);
    }
  }
}

// A row rule's alert names its input row; that, not its time or labels, tells two alerts apart.
TEST(Engine, RowRuleAlertsCarryTheirInputRowAsOrigin) {
  std::string rules = write_temp("origin.alert", R"(
schema P { time ts: timestamp  id: int }
channel out = stdout {}
rule Every on P
  message "same"
  notify out
)");
  Outcome out = run_csv(rules, "ts,id\n2026-01-01T00:00:10Z,1\n2026-01-01T00:00:10Z,1\n", 1);
  ASSERT_EQ(out.alerts.size(), 2u);
  EXPECT_EQ(out.alerts[0].origin, "mem:2");
  EXPECT_EQ(out.alerts[1].origin, "mem:3");
  EXPECT_EQ(out.alerts[0].fingerprint, out.alerts[1].fingerprint);
}


// advance_clock closes the windows the clock passes, as a row at that time would, in both
// engines; a rule that has seen no row stays unstarted.
TEST(Engine, AdvanceClockClosesWindowsLikeARowAtThatTime) {
  std::string rules = write_temp("advance_clock.alert", std::string(kExpireSchema) + R"(
rule Silent on E
  window tumbling 1m
  group by k
  let n = count()
  having n == 0
  expire 1h
  notify out
)");
  const int64_t t0 = 1'767'225'600'000'000'000;  // 2026-01-01T00:00:00Z
  for (EngineKind kind : {EngineKind::Jit, EngineKind::Interp}) {
    CompileOptions options;
    options.engine = kind;
    Compilation c = Compilation::compile({rules}, options);
    ASSERT_TRUE(c.ok());
    std::vector<Alert> alerts;
    Engine engine(c.program(), [&](const Alert& a) { alerts.push_back(a); }, nullptr);
    engine.advance_clock(0, t0 + 3'600'000'000'000);  // no row yet: nothing starts
    auto reader = make_reader(std::make_unique<std::istringstream>("ts,k\n2026-01-01T00:00:10Z,a\n"), "mem",
                              InputFormat::Csv, 0, engine.schema_fields(0), nullptr);
    Batch batch;
    ASSERT_TRUE(reader->next(batch, 10).ok());
    engine.push(batch);
    engine.advance_clock(0, t0 + 119'000'000'000);  // 00:01:59: [00:01, 00:02) still open
    EXPECT_TRUE(alerts.empty());
    engine.advance_clock(0, t0 + 120'000'000'000);  // 00:02: it closes, silent
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].state, "firing");
    EXPECT_EQ(alerts[0].window->first, t0 + 60'000'000'000);
    engine.advance_clock(0, t0 + 100'000'000'000);  // a clock never goes back
    EXPECT_EQ(alerts.size(), 1u);
  }
}


// resolved_message gives resolved notices their own text, evaluated at the close that resolves
// (its lets and window), in both engines; firing notices keep `message`.
TEST(Engine, ResolvedNoticesUseResolvedMessage) {
  std::string rules = write_temp("resolved_message.alert", std::string(kExpireSchema) + R"(
rule Busy on E
  window tumbling 1m
  group by k
  let n = count()
  having n >= 2
  message "{k}: {n} rows"
  resolved_message "{k} is back to {n} at {window_end()}"
  notify out
)");
  std::string csv = "ts,k\n2026-01-01T00:00:01Z,a\n2026-01-01T00:00:02Z,a\n2026-01-01T00:01:01Z,a\n"
                    "2026-01-01T00:02:01Z,b\n";
  for (EngineKind engine : {EngineKind::Jit, EngineKind::Interp}) {
    for (size_t batch_size : {1, 4096}) {
      Outcome out = run_csv(rules, csv, batch_size, engine);
      ASSERT_EQ(out.alerts.size(), 2u);
      EXPECT_EQ(out.alerts[0].message, "a: 2 rows");
      EXPECT_EQ(out.alerts[1].state, "resolved");
      EXPECT_EQ(out.alerts[1].message, "a is back to 1 at 2026-01-01T00:02:00Z");
    }
  }
}


// A host's batch that does not fit the program is refused with what is wrong, never read out
// of bounds; one without line numbers or string padding is evaluated (rows count from 1).
TEST(Engine, PushRefusesBatchesThatDoNotFitTheSchema) {
  std::string rules = write_temp("host_batch.alert", R"(
schema P { time ts: timestamp  name: string }
channel out = stdout {}
rule Every on P
  message "{name}"
  notify out
)");
  for (EngineKind kind : {EngineKind::Jit, EngineKind::Interp}) {
    CompileOptions options;
    options.engine = kind;
    Compilation c = Compilation::compile({rules}, options);
    ASSERT_TRUE(c.ok());
    std::vector<Alert> alerts;
    Engine engine(c.program(), [&](const Alert& a) { alerts.push_back(a); }, nullptr);
    Batch good;
    good.reset(0, {TypeKind::Timestamp, TypeKind::String});
    good.append({Value::timestamp(1'767'225'600'000'000'000), Value::string("x")}, 7);
    auto refused = [&](Batch b, const std::string& why) {
      auto r = engine.push(b);
      ASSERT_FALSE(r.ok()) << why;
      EXPECT_NE(r.error().find(why), std::string::npos) << r.error();
    };
    Batch b = good;
    b.schema = -1;
    refused(b, "schema index -1");
    b = good;
    b.columns.pop_back();
    refused(b, "has 2 fields, the batch 1 columns");
    b = good;
    b.columns[1].kind = TypeKind::Int;
    refused(b, "column 'name' (string): the batch's column is int");
    b = good;
    b.rows = 3;
    b.line_numbers.assign(3, 1);
    refused(b, "1 values for 3 rows");
    b = good;
    b.columns[1].offsets[1] = 1000;
    refused(b, "offsets reach byte 1000");
    b = good;
    b.line_numbers.push_back(9);
    refused(b, "1 rows but 2 line numbers");
    EXPECT_TRUE(alerts.empty());
    b = good;
    b.line_numbers.clear();
    b.columns[1].bytes.shrink_to_fit();
    ASSERT_TRUE(engine.push(b).ok());
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].message, "x");
    EXPECT_EQ(alerts[0].origin, ":1");
  }
}

}  // namespace
}  // namespace alert
