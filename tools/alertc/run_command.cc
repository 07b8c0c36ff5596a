#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <filesystem>

#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <iostream>

#include "alert/compiler.h"
#include "alert/engine.h"
#include "alert/notifier.h"
#include "alert/reader.h"
#include "tools/alertc/commands.h"

namespace alert::cli {
namespace {

// SIGINT/SIGTERM: stop reading, finish the batch in hand, flush and drain (issue 8).
std::atomic<bool> g_stop{false};
extern "C" void request_stop(int) { g_stop = true; }

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
  std::string current_input;
  // The reader rejects a batch's malformed rows while reading it and the engine its late rows
  // while evaluating it: both wait here and are written in line order once the batch is done,
  // so the rejects file is in input order whatever the batch size (docs/language.md §9).
  std::vector<RejectedRow> pending_rejects;
  auto on_reject = [&](const RejectedRow& r) { pending_rejects.push_back(r); };
  auto write_rejects = [&] {
    std::stable_sort(pending_rejects.begin(), pending_rejects.end(),
                     [](const RejectedRow& a, const RejectedRow& b) { return a.line < b.line; });
    // --strict: the first rejected row ends the run; none after it was evaluated.
    if (options.strict && pending_rejects.size() > 1) pending_rejects.resize(1);
    for (const RejectedRow& r : pending_rejects) {
      ++rejected;
      std::string source = r.source.empty() ? current_input : r.source;
      if (rejects_file) {
        *rejects_file << "{\"source\":" << json_quote(source) << ",\"line\":" << r.line
                      << ",\"reason\":" << json_quote(r.reason) << ",\"raw\":" << json_quote(r.raw) << "}\n";
      }
      if (options.strict) {
        std::cerr << "alertc: error: " << source << ":" << r.line << ": " << r.reason << '\n';
        stop = true;
      }
    }
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
  }, on_reject, engine_options);

  // Without SA_RESTART, so a read waiting for input returns and the run can stop.
  struct sigaction stop_action {};
  stop_action.sa_handler = request_stop;
  sigemptyset(&stop_action.sa_mask);
  sigaction(SIGINT, &stop_action, nullptr);
  sigaction(SIGTERM, &stop_action, nullptr);
  auto started = std::chrono::steady_clock::now();
  // On a terminal, a progress line (rewritten in place) for inputs that take a while; nothing
  // when stderr is a file or a pipe, so logs and scripts see only the summary.
  bool show_progress = isatty(STDERR_FILENO) != 0;
  // ALERTC_PROGRESS_MS changes the update interval (default 500 ms); tests set it to 0.
  const char* interval_env = std::getenv("ALERTC_PROGRESS_MS");
  auto interval = std::chrono::milliseconds(interval_env ? std::atoi(interval_env) : 500);
  auto last_progress = started;
  bool progress_shown = false;
  auto progress = [&](bool done) {
    if (!show_progress) return;
    auto now = std::chrono::steady_clock::now();
    if (done) {
      if (progress_shown) std::cerr << "\r\033[K";
      return;
    }
    if (now - last_progress < interval) return;
    last_progress = now;
    progress_shown = true;
    double seconds = std::chrono::duration<double>(now - started).count();
    uint64_t rows = engine.stats().rows;
    std::cerr << fmt::format("\ralertc: {} rows, {:.2f} M rows/s, {} alerts so far\033[K", rows,
                             static_cast<double>(rows) / seconds / 1e6, alerts)
              << std::flush;
  };
  uint64_t bytes = 0;
  for (const std::string& input : options.inputs) {
    std::string schema_name, path = input;
    size_t eq = input.find('=');
    if (eq != std::string::npos && engine.schema_index(input.substr(0, eq)) >= 0) {
      schema_name = input.substr(0, eq);
      path = input.substr(eq + 1);
    } else if (eq != std::string::npos && eq > 0 && input.substr(0, eq).find('/') == std::string::npos) {
      std::cerr << "alertc: error: --input " << input << ": no schema named '" << input.substr(0, eq) << "'\n";
      return 2;
    } else {
      auto names = engine.schema_names();
      if (names.size() != 1) {
        std::cerr << "alertc: error: --input " << input
                  << ": name the schema as Schema=PATH (the program has " << names.size() << " schemas)\n";
        return 2;
      }
      schema_name = names[0];
    }
    current_input = path;
    int schema = engine.schema_index(schema_name);
    std::optional<InputFormat> format;
    if (options.input_format == "csv") format = InputFormat::Csv;
    if (options.input_format == "jsonl") format = InputFormat::JsonLines;
    auto reader = open_reader(path, schema, engine.schema_fields(schema), on_reject, format);
    if (!reader.ok()) {
      std::cerr << "alertc: error: " << reader.error() << '\n';
      return 2;
    }
    reader.value()->set_stop_at_reject(options.strict);
    Batch batch;
    while (!stop && !g_stop) {
      auto more = reader.value()->next(batch, options.batch_size);
      if (!more.ok()) {
        write_rejects();
        std::cerr << "alertc: error: " << more.error() << '\n';
        return 2;
      }
      if (batch.rows > 0) engine.push(batch);
      write_rejects();
      // One fsync per batch: the batch's notifications are durable before more input is read.
      if (auto flushed = out.flush(); !flushed.ok()) {
        std::cerr << "alertc: error: cannot write the outbox: " << flushed.error() << '\n';
        return 3;
      }
      progress(false);
      if (!more.value()) break;
    }
    bytes += reader.value()->bytes_read();
    if (stop || g_stop) break;
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
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cerr << fmt::format("alertc: {} rows read, {} rejected ({} late), {:.1f} MB in {:.3f}s\n", stats.rows + rejected - stats.late_rows,
                           rejected, stats.late_rows, static_cast<double>(bytes) / 1e6, seconds);
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
      std::cerr << fmt::format("alertc:   channel {} ({}): {} sent, {} retried, {} failed, {} dead-lettered{}\n",
                               ch.channel, ch.kind, ch.sent, ch.retried, ch.failed, ch.dead_lettered, left);
      dead_lettered += ch.dead_lettered;
    }
  }
  // The run finished, but not every notification reached its receiver (docs/language.md §13).
  if (dead_lettered > 0) {
    std::cerr << fmt::format("alertc: {} notifications were dead-lettered: see dead-letter.jsonl in {}\n",
                             dead_lettered, notifier_options.state_dir);
    return 4;
  }
  return 0;
}

}  // namespace alert::cli
