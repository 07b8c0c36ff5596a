// `alertc run`: compile, open the outbox, read every --input on its own thread, evaluate each
// batch as it arrives (one thread), deliver, and report. Live inputs (pipes, --follow) are
// evaluated as rows come; --idle-timeout moves a quiet schema's clock with the wall clock.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "alert/compiler.h"
#include "alert/engine.h"
#include "alert/notifier.h"
#include "alert/reader.h"
#include "runtime/source/idle_clock.h"
#include "runtime/source/input_set.h"
#include "stdlib/time_format.h"
#include "commands.h"

namespace alert::cli {
namespace {

using Clock = std::chrono::steady_clock;

// SIGINT/SIGTERM: stop reading, finish the batches in hand, flush and drain.
std::atomic<bool> g_stop{false};
extern "C" void request_stop(int) { g_stop = true; }

// `--input [Schema=]PATH` into reader specs; false (with the message printed) on a bad one.
bool resolve_inputs(const RunOptions& options, const Engine& engine, std::vector<InputSpec>* out) {
  for (const std::string& input : options.inputs) {
    std::string schema_name, path = input;
    size_t eq = input.find('=');
    if (eq != std::string::npos && engine.schema_index(input.substr(0, eq)) >= 0) {
      schema_name = input.substr(0, eq);
      path = input.substr(eq + 1);
    } else if (eq != std::string::npos && eq > 0 && input.substr(0, eq).find('/') == std::string::npos) {
      std::cerr << "alertc: error: --input " << input << ": no schema named '" << input.substr(0, eq) << "'\n";
      return false;
    } else {
      auto names = engine.schema_names();
      if (names.size() != 1) {
        std::cerr << "alertc: error: --input " << input << ": name the schema as Schema=PATH (the program has "
                  << names.size() << " schemas)\n";
        return false;
      }
      schema_name = names[0];
    }
    InputSpec spec;
    spec.path = path;
    spec.schema = engine.schema_index(schema_name);
    spec.fields = engine.schema_fields(spec.schema);
    if (options.input_format == "csv") spec.options.format = InputFormat::Csv;
    if (options.input_format == "jsonl") spec.options.format = InputFormat::JsonLines;
    spec.options.follow = options.follow;
    spec.options.max_delay_ns = options.max_delay_ns;
    spec.stop_at_reject = options.strict;
    out->push_back(std::move(spec));
  }
  return true;
}

// Recorded clock advances (--clock-log) replayed at the same rows (--clock-replay): a live run
// and a run over the same rows from a file then give the same alerts (docs/language.md §11).
struct ClockAdvance {
  uint64_t after_rows = 0;
  int64_t clock = 0;
};

bool read_clock_replay(const std::string& path, const Engine& engine,
                       std::vector<std::vector<ClockAdvance>>* per_schema) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "alertc: error: cannot read '" << path << "'\n";
    return false;
  }
  per_schema->assign(engine.schema_names().size(), {});
  std::vector<uint64_t> last_rows(per_schema->size(), 0);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    // {"schema":"S","after_rows":N,"clock_ns":T}: the format --clock-log writes.
    char name[256] = {0};
    unsigned long long rows = 0;
    long long clock = 0;
    if (std::sscanf(line.c_str(), "{\"schema\":\"%255[^\"]\",\"after_rows\":%llu,\"clock_ns\":%lld}", name, &rows,
                    &clock) != 3 ||
        engine.schema_index(name) < 0) {
      std::cerr << "alertc: error: " << path << ":" << n << ": not a clock advance line\n";
      return false;
    }
    int s = engine.schema_index(name);
    if (rows < last_rows[s]) {
      std::cerr << "alertc: error: " << path << ":" << n << ": after_rows goes back (" << rows << " after "
                << last_rows[s] << ")\n";
      return false;
    }
    last_rows[s] = rows;
    (*per_schema)[s].push_back({rows, clock});
  }
  return true;
}

std::optional<int64_t> last_event_time(const Engine& engine, const Batch& batch) {
  int field = engine.time_field(batch.schema);
  if (field < 0) return std::nullopt;
  for (size_t row = batch.rows; row-- > 0;) {
    if (!batch.columns[field].is_null(row)) return batch.columns[field].ints[row];
  }
  return std::nullopt;
}

}  // namespace

int run_run(const RunOptions& options, bool color) {
  CompileOptions compile_options;
  compile_options.engine = options.engine == "interp" ? EngineKind::Interp : EngineKind::Jit;
  compile_options.check_tests = false;
  Compilation c = Compilation::compile(options.files, compile_options);
  c.print_diagnostics(std::cerr, DiagnosticFormat::Text, color);
  if (c.io_error()) return 2;
  if (!c.ok()) return 1;
  auto program = c.program();

  NotifierOptions notifier_options;
  notifier_options.dry_run = options.dry_run;
  notifier_options.dry_run_out = &std::cout;
  notifier_options.drain_timeout_s = options.drain_timeout_s;
  notifier_options.state_dir = options.state_dir;
  if (notifier_options.state_dir.empty()) {
    // Default: beside the first rules file, so a restart of the same rules finds its outbox.
    notifier_options.state_dir = (std::filesystem::path(options.files[0]).parent_path() / ".alertc-state").string();
  }
  if (const char* base = std::getenv("ALERTC_RETRY_BASE_MS")) notifier_options.retry_base_ms = std::atoll(base);
  auto notifier = Notifier::open(program, notifier_options);
  if (!notifier.ok()) {
    std::cerr << "alertc: error: " << notifier.error() << '\n';
    return 2;
  }
  std::unique_ptr<std::ofstream> rejects_file;
  if (!options.rejects.empty()) {
    rejects_file = std::make_unique<std::ofstream>(options.rejects, std::ios::trunc);
    if (!*rejects_file) {
      std::cerr << "alertc: error: cannot write '" << options.rejects << "'\n";
      return 2;
    }
  }
  uint64_t rejected = 0;
  bool stop = false;
  // The reader rejects a batch's malformed rows while reading it and the engine its late rows
  // while evaluating it: both wait here and are written in line order once the batch is done,
  // so the rejects file is in input order whatever the batch size (docs/language.md §9).
  std::vector<RejectedRow> pending_rejects;
  auto write_rejects = [&] {
    std::stable_sort(pending_rejects.begin(), pending_rejects.end(),
                     [](const RejectedRow& a, const RejectedRow& b) { return a.line < b.line; });
    // --strict: the first rejected row ends the run; none after it was evaluated.
    if (options.strict && pending_rejects.size() > 1) pending_rejects.resize(1);
    for (const RejectedRow& r : pending_rejects) {
      ++rejected;
      if (rejects_file) {
        *rejects_file << "{\"source\":" << json_quote(r.source) << ",\"line\":" << r.line
                      << ",\"reason\":" << json_quote(r.reason) << ",\"raw\":" << json_quote(r.raw) << "}\n";
      }
      if (options.strict) {
        std::cerr << "alertc: error: " << r.source << ":" << r.line << ": " << r.reason << '\n';
        stop = true;
      }
    }
    if (rejects_file && !pending_rejects.empty()) rejects_file->flush();
    pending_rejects.clear();
  };

  Notifier& out = *notifier.value();
  EngineOptions engine_options;
  engine_options.max_groups = options.max_groups;
  engine_options.stop_at_late_row = options.strict;
  uint64_t alerts = 0;
  Engine engine(program, [&](const Alert& a) {
    ++alerts;
    out.deliver(a);
  }, [&](const RejectedRow& r) { pending_rejects.push_back(r); }, engine_options);

  std::vector<InputSpec> specs;
  if (!resolve_inputs(options, engine, &specs)) return 2;
  size_t schemas = engine.schema_names().size();
  std::vector<std::vector<ClockAdvance>> replay;
  if (!options.clock_replay.empty() && !read_clock_replay(options.clock_replay, engine, &replay)) return 2;
  std::unique_ptr<std::ofstream> clock_log;
  if (!options.clock_log.empty()) {
    clock_log = std::make_unique<std::ofstream>(options.clock_log, std::ios::trunc);
    if (!*clock_log) {
      std::cerr << "alertc: error: cannot write '" << options.clock_log << "'\n";
      return 2;
    }
  }

  // Without SA_RESTART, so a read waiting for input returns and the run can stop.
  struct sigaction stop_action {};
  stop_action.sa_handler = request_stop;
  sigemptyset(&stop_action.sa_mask);
  sigaction(SIGINT, &stop_action, nullptr);
  sigaction(SIGTERM, &stop_action, nullptr);
  auto opened = InputSet::open(std::move(specs), options.batch_size);
  if (!opened.ok()) {
    std::cerr << "alertc: error: " << opened.error() << '\n';
    return 2;
  }
  InputSet& inputs = *opened.value();
  bool idle_enabled = options.idle_timeout_ns > 0 && replay.empty();
  IdleClock idle(schemas, std::chrono::nanoseconds(options.idle_timeout_ns > 0 ? options.idle_timeout_ns : 1));
  bool any_live = false;
  for (size_t i = 0; i < inputs.size(); ++i) {
    idle.input_opened(inputs.schema(i), inputs.live(i));
    any_live |= inputs.live(i);
  }

  auto started = Clock::now();
  // On a terminal, a progress line (rewritten in place) for inputs that take a while; nothing
  // when stderr is a file or a pipe, so logs and scripts see only the summary.
  bool show_progress = isatty(STDERR_FILENO) != 0;
  // ALERTC_PROGRESS_MS changes the update interval (default 500 ms); tests set it to 0.
  const char* interval_env = std::getenv("ALERTC_PROGRESS_MS");
  auto interval = std::chrono::milliseconds(interval_env ? std::atoi(interval_env) : 500);
  auto last_progress = started;
  bool progress_shown = false;
  std::vector<std::optional<int64_t>> clock_of(schemas);  // the newest event time per schema, for the progress line
  auto progress = [&](bool done) {
    if (!show_progress) return;
    auto now = Clock::now();
    if (done) {
      if (progress_shown) std::cerr << "\r\033[K";
      return;
    }
    if (now - last_progress < interval) return;
    last_progress = now;
    progress_shown = true;
    double seconds = std::chrono::duration<double>(now - started).count();
    uint64_t rows = engine.stats().rows;
    std::string clocks;
    if (any_live) {
      int64_t wall = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
      auto names = engine.schema_names();
      for (size_t s = 0; s < schemas; ++s) {
        if (!clock_of[s]) continue;
        clocks += fmt::format(", {} at {} (lags {:.1f}s)", names[s], format_rfc3339(*clock_of[s]),
                              static_cast<double>(wall - *clock_of[s]) / 1e9);
      }
    }
    std::cerr << fmt::format("\ralertc: {} rows, {:.2f} M rows/s, {} alerts so far{}\033[K", rows,
                             static_cast<double>(rows) / seconds / 1e6, alerts, clocks)
              << std::flush;
  };

  std::vector<uint64_t> rows_of(schemas, 0);       // rows evaluated per schema (for the clock log)
  std::vector<size_t> replay_next(schemas, 0);
  auto advance = [&](int schema, int64_t clock) {
    // Only an advance that closed a window changes alerts; only those are recorded.
    bool closed = engine.advance_clock(schema, clock);
    clock_of[schema] = std::max(clock_of[schema].value_or(INT64_MIN), clock);
    if (clock_log && closed) {
      *clock_log << fmt::format("{{\"schema\":\"{}\",\"after_rows\":{},\"clock_ns\":{}}}\n",
                                engine.schema_names()[schema], rows_of[schema], clock)
                 << std::flush;
    }
  };
  // Pushes a batch, applying the replayed clock advances at the rows they were recorded after.
  static const std::vector<ClockAdvance> kNoAdvances;
  auto push = [&](const Batch& batch) {
    int s = batch.schema;
    const auto& pending = static_cast<size_t>(s) < replay.size() ? replay[s] : kNoAdvances;
    size_t begin = 0;
    while (!engine.stopped() && replay_next[s] < pending.size() &&
           pending[replay_next[s]].after_rows <= rows_of[s] + (batch.rows - begin)) {
      const ClockAdvance& a = pending[replay_next[s]++];
      size_t cut = static_cast<size_t>(a.after_rows - rows_of[s]) + begin;
      if (cut > begin) {
        engine.push(batch.slice(begin, cut));
        rows_of[s] += cut - begin;
        begin = cut;
      }
      advance(s, a.clock);
    }
    if (begin == 0) {
      engine.push(batch);
    } else if (begin < batch.rows) {
      engine.push(batch.slice(begin, batch.rows));
    }
    rows_of[s] += batch.rows - begin;
  };

  uint64_t bytes = 0;
  int input_errors = 0;
  bool stop_requested = false;
  while (true) {
    if ((g_stop || stop) && !stop_requested) {
      inputs.stop();
      stop_requested = true;
    }
    std::optional<Clock::time_point> until;
    if (idle_enabled) until = idle.next_check(Clock::now());
    // Look at the stop flag now and then: a signal does not wake the wait.
    auto soon = Clock::now() + std::chrono::milliseconds(100);
    if (!until || *until > soon) until = soon;
    InputBatch in;
    InputSet::Next got = inputs.next(&in, until);
    if (got == InputSet::Next::Done) break;
    if (got == InputSet::Next::Batch) {
      // After --strict's first reject nothing more is evaluated; the input's end still counts.
      bool evaluate = !(stop && options.strict);
      if (evaluate) pending_rejects.insert(pending_rejects.end(), in.rejects.begin(), in.rejects.end());
      if (evaluate && in.batch.rows > 0) {
        std::optional<int64_t> last = last_event_time(engine, in.batch);
        idle.rows_arrived(in.batch.schema, last, in.arrived);
        if (last) clock_of[in.batch.schema] = std::max(clock_of[in.batch.schema].value_or(INT64_MIN), *last);
        push(in.batch);
      }
      write_rejects();
      if (in.ended) {
        idle.input_ended(inputs.schema(in.input), inputs.live(in.input));
        bytes += in.bytes_read;
        if (!in.error.empty()) {
          // One input failing does not stop the others; the run then ends with 2.
          std::cerr << "alertc: error: input " << inputs.name(in.input) << ": " << in.error << '\n';
          ++input_errors;
        }
      }
      inputs.recycle(std::move(in.batch));
    }
    if (idle_enabled && !stop && !g_stop) {
      auto now = Clock::now();
      for (size_t s = 0; s < schemas; ++s) {
        if (auto clock = idle.advance(static_cast<int>(s), now)) advance(static_cast<int>(s), *clock);
      }
    }
    // One fsync per batch: its notifications are durable before more input is taken.
    if (auto flushed = out.flush(); !flushed.ok()) {
      std::cerr << "alertc: error: cannot write the outbox: " << flushed.error() << '\n';
      return 3;
    }
    progress(false);
  }
  if (stop) {
    (void)out.flush();
    out.close();
    return 1;
  }
  // Stopped by a signal, open windows stay unevaluated: their input did not end.
  if (!g_stop) engine.finish();
  if (auto flushed = out.flush(); !flushed.ok()) {
    std::cerr << "alertc: error: cannot write the outbox: " << flushed.error() << '\n';
    return 3;
  }
  progress(true);
  out.close();
  if (g_stop) std::cerr << "alertc: stopped by a signal: input not read to its end, open windows not closed\n";

  const RunStats& stats = engine.stats();
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::cerr << fmt::format("alertc: {} rows read, {} rejected ({} late), {:.1f} MB in {:.3f}s\n",
                           stats.rows + rejected - stats.late_rows, rejected, stats.late_rows,
                           static_cast<double>(bytes) / 1e6, seconds);
  for (const RuleStats& r : stats.rules) {
    std::string extra;
    if (r.suppressed) extra += fmt::format(", {} throttled", r.suppressed);
    if (r.groups_refused) extra += fmt::format(", {} rows refused (over --max-groups)", r.groups_refused);
    std::cerr << fmt::format("alertc:   {}: {} firing, {} resolved{}\n", r.rule, r.firing, r.resolved, extra);
  }
  if (stats.division_by_zero || stats.overflow) {
    std::cerr << fmt::format("alertc: {} divisions by zero and {} integer overflows gave null\n",
                             stats.division_by_zero, stats.overflow);
  }
  if (stats.rows_without_time) {
    std::cerr << fmt::format("alertc: {} rows had no event time and were skipped by window rules\n",
                             stats.rows_without_time);
  }
  uint64_t dead_lettered = 0;
  if (!options.dry_run) {
    for (const ChannelStats& ch : out.stats()) {
      std::string left = ch.pending ? fmt::format(", {} left in the outbox for the next start", ch.pending) : "";
      if (ch.throttled_by_receiver) left += fmt::format(", {} throttled by the receiver (Retry-After)", ch.throttled_by_receiver);
      if (ch.cut) left += fmt::format(", {} cut to the receiver's length limit", ch.cut);
      std::cerr << fmt::format("alertc:   channel {} ({}): {} sent, {} retried, {} failed, {} dead-lettered{}\n",
                               ch.channel, ch.kind, ch.sent, ch.retried, ch.failed, ch.dead_lettered, left);
      dead_lettered += ch.dead_lettered;
    }
  }
  if (input_errors > 0) return 2;
  // The run finished, but not every notification reached its receiver (docs/language.md §13).
  if (dead_lettered > 0) {
    std::cerr << fmt::format("alertc: {} notifications were dead-lettered: see dead-letter.jsonl in {}\n",
                             dead_lettered, notifier_options.state_dir);
    return 4;
  }
  return 0;
}

}  // namespace alert::cli
