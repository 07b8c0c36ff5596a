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
#include "input_identity.h"

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

// Rejected rows in line order: the reader rejects a batch's malformed rows while reading it
// and the engine its late rows while evaluating it; both wait here and are written once the
// batch is done, so the rejects file is in input order whatever the batch size
// (docs/language.md §9).
class RejectsWriter {
 public:
  RejectsWriter(bool strict) : strict_(strict) {}

  bool open(const std::string& path) {
    if (path.empty()) return true;
    file_ = std::make_unique<std::ofstream>(path, std::ios::trunc);
    if (*file_) return true;
    std::cerr << "alertc: error: cannot write '" << path << "'\n";
    return false;
  }
  void add(const RejectedRow& r) { pending_.push_back(r); }
  void add(const std::vector<RejectedRow>& rows) { pending_.insert(pending_.end(), rows.begin(), rows.end()); }
  // Writes what the batch rejected. Under --strict the first reject ends the run: true then.
  bool write() {
    bool stop = false;
    std::stable_sort(pending_.begin(), pending_.end(),
                     [](const RejectedRow& a, const RejectedRow& b) { return a.line < b.line; });
    // --strict: none after the first rejected row was evaluated.
    if (strict_ && pending_.size() > 1) pending_.resize(1);
    for (const RejectedRow& r : pending_) {
      ++written_;
      if (file_) {
        *file_ << "{\"source\":" << json_quote(r.source) << ",\"line\":" << r.line
               << ",\"reason\":" << json_quote(r.reason) << ",\"raw\":" << json_quote(r.raw) << "}\n";
      }
      if (strict_) {
        std::cerr << "alertc: error: " << r.source << ":" << r.line << ": " << r.reason << '\n';
        stop = true;
      }
    }
    if (file_ && !pending_.empty()) file_->flush();
    pending_.clear();
    return stop;
  }
  uint64_t count() const { return written_; }

 private:
  bool strict_;
  std::unique_ptr<std::ofstream> file_;
  std::vector<RejectedRow> pending_;
  uint64_t written_ = 0;
};

// One `alertc run`: the engine, the notifier, the inputs and the clocks, and the loop that
// drives them. Each method is one step of run_run.
class RunSession {
 public:
  RunSession(const RunOptions& options, std::shared_ptr<const CompiledProgram> program)
      : options_(options), program_(std::move(program)), rejects_(options.strict) {}

  // Opens the outbox, the rejects file, the engine, the inputs and the clock files; the exit
  // status on failure (the message printed).
  std::optional<int> open() {
    if (!open_notifier()) return 2;
    if (!rejects_.open(options_.rejects)) return 2;
    EngineOptions engine_options;
    engine_options.max_groups = options_.max_groups;
    engine_options.stop_at_late_row = options_.strict;
    engine_ = std::make_unique<Engine>(program_, [this](const Alert& a) {
      ++alerts_;
      notifier_->deliver(a);
    }, [this](const RejectedRow& r) { rejects_.add(r); }, engine_options);
    schemas_ = engine_->schema_names().size();
    if (auto failed = restore_state()) return *failed;
    std::vector<InputSpec> specs;
    if (!resolve_inputs(options_, *engine_, &specs)) return 2;
    if (auto failed = resume_inputs(specs)) return *failed;
    // A first checkpoint before any input: a run killed before its next one resumes from here,
    // with its file channels cut back to where they were (nothing of it written twice).
    if (checkpoints_ && !notifier_->resumed() && !commit(true)) return 3;
    if (!options_.clock_replay.empty() && !read_clock_replay(options_.clock_replay, *engine_, &replay_)) return 2;
    if (!options_.clock_log.empty()) {
      clock_log_ = std::make_unique<std::ofstream>(options_.clock_log, std::ios::trunc);
      if (!*clock_log_) {
        std::cerr << "alertc: error: cannot write '" << options_.clock_log << "'\n";
        return 2;
      }
    }
    install_signal_handlers();
    auto opened = InputSet::open(std::move(specs), options_.batch_size);
    if (!opened.ok()) {
      std::cerr << "alertc: error: " << opened.error() << '\n';
      return 2;
    }
    inputs_ = opened.take();
    idle_enabled_ = options_.idle_timeout_ns > 0 && replay_.empty();
    idle_ = std::make_unique<IdleClock>(
        schemas_, std::chrono::nanoseconds(options_.idle_timeout_ns > 0 ? options_.idle_timeout_ns : 1));
    for (size_t i = 0; i < inputs_->size(); ++i) {
      idle_->input_opened(inputs_->schema(i), inputs_->live(i));
      any_live_ |= inputs_->live(i);
    }
    rows_of_.assign(schemas_, 0);
    replay_next_.assign(schemas_, 0);
    clock_of_.assign(schemas_, std::nullopt);
    return std::nullopt;
  }

  // Reads every input to its end (or a stop), evaluating and delivering; the exit status.
  int run() {
    started_ = Clock::now();
    last_progress_ = started_;
    show_progress_ = isatty(STDERR_FILENO) != 0;
    // ALERTC_PROGRESS_MS changes the update interval (default 500 ms); tests set it to 0.
    const char* interval_env = std::getenv("ALERTC_PROGRESS_MS");
    progress_interval_ = std::chrono::milliseconds(interval_env ? std::atoi(interval_env) : 500);
    if (auto status = read_inputs()) return *status;
    if (strict_stop_) {
      if (!commit(true)) return 3;
      notifier_->close();
      return 1;
    }
    // Stopped by a signal, open windows stay unevaluated (and in the state): their input did not end.
    if (!g_stop) engine_->finish();
    if (!commit(true)) return 3;
    progress(true);
    notifier_->close();
    if (g_stop) std::cerr << "alertc: stopped by a signal: input not read to its end, open windows not closed\n";
    return summarize();
  }

 private:
  bool open_notifier() {
    NotifierOptions notifier_options;
    notifier_options.dry_run = options_.dry_run;
    notifier_options.dry_run_out = &std::cout;
    notifier_options.drain_timeout_s = options_.drain_timeout_s;
    notifier_options.state_dir = options_.state_dir;
    if (notifier_options.state_dir.empty()) {
      // Default: beside the first rules file, so a restart of the same rules finds its outbox.
      notifier_options.state_dir = (std::filesystem::path(options_.files[0]).parent_path() / ".alertc-state").string();
    }
    if (const char* base = std::getenv("ALERTC_RETRY_BASE_MS")) notifier_options.retry_base_ms = std::atoll(base);
    // --dry-run sends nothing and keeps no state: the same command always shows the same alerts.
    checkpoints_ = !options_.dry_run;
    notifier_options.checkpoints = checkpoints_;
    notifier_options.fresh = options_.fresh;
    state_dir_ = notifier_options.state_dir;
    auto notifier = Notifier::open(program_, notifier_options);
    if (!notifier.ok()) {
      std::cerr << "alertc: error: " << notifier.error() << '\n';
      return false;
    }
    notifier_ = notifier.take();
    return true;
  }

  static void install_signal_handlers() {
    // Without SA_RESTART, so a read waiting for input returns and the run can stop.
    struct sigaction stop_action {};
    stop_action.sa_handler = request_stop;
    sigemptyset(&stop_action.sa_mask);
    sigaction(SIGINT, &stop_action, nullptr);
    sigaction(SIGTERM, &stop_action, nullptr);
  }

  // The main loop: batches as they arrive, idle clock advances, one outbox flush per batch.
  // An exit status when the run must end early.
  std::optional<int> read_inputs() {
    bool stop_requested = false;
    while (true) {
      if ((g_stop || strict_stop_) && !stop_requested) {
        inputs_->stop();
        stop_requested = true;
      }
      std::optional<Clock::time_point> until;
      if (idle_enabled_) until = idle_->next_check(Clock::now());
      // Look at the stop flag now and then: a signal does not wake the wait.
      auto soon = Clock::now() + std::chrono::milliseconds(100);
      if (!until || *until > soon) until = soon;
      InputBatch in;
      InputSet::Next got = inputs_->next(&in, until);
      if (got == InputSet::Next::Done) return std::nullopt;
      if (got == InputSet::Next::Batch) take_batch(in);
      if (idle_enabled_ && !strict_stop_ && !g_stop) {
        auto now = Clock::now();
        for (size_t s = 0; s < schemas_; ++s) {
          if (auto clock = idle_->advance(static_cast<int>(s), now)) advance(static_cast<int>(s), *clock);
        }
      }
      // Without a state: one fsync per batch, its notifications durable before more input is
      // taken. With one: the notifications commit with the state at least every interval.
      if (!commit(false)) return 3;
      progress(false);
    }
  }

  void take_batch(InputBatch& in) {
    // After --strict's first reject nothing more is evaluated; the input's end still counts.
    bool evaluate = !(strict_stop_ && options_.strict);
    if (evaluate) rejects_.add(in.rejects);
    if (evaluate && in.batch.rows > 0) {
      std::optional<int64_t> last = last_event_time(*engine_, in.batch);
      idle_->rows_arrived(in.batch.schema, last, in.arrived);
      if (last) clock_of_[in.batch.schema] = std::max(clock_of_[in.batch.schema].value_or(INT64_MIN), *last);
      push(in.batch);
    }
    if (!(strict_stop_ && options_.strict)) note_progress(in);
    if (rejects_.write()) strict_stop_ = true;
    if (in.ended) {
      idle_->input_ended(inputs_->schema(in.input), inputs_->live(in.input));
      bytes_ += in.bytes_read - std::min(in.bytes_read, resumed_offset_[in.input]);  // this run's bytes
      if (!in.error.empty()) {
        // One input failing does not stop the others; the run then ends with 2.
        std::cerr << "alertc: error: input " << inputs_->name(in.input) << ": " << in.error << '\n';
        ++input_errors_;
      }
    }
    inputs_->recycle(std::move(in.batch));
  }

  // The checkpoint found, into the engine: the rules it keeps, changes and drops are said.
  std::optional<int> restore_state() {
    const std::optional<Checkpoint>& found = notifier_->resumed();
    if (!checkpoints_ || !found) return std::nullopt;
    auto restored = engine_->restore_state(found->engine_state);
    if (!restored.ok()) {
      std::cerr << "alertc: error: the state in '" << state_dir_ << "' cannot be used: " << restored.error()
                << " (--fresh starts over)\n";
      return 3;
    }
    const Engine::RestoreReport& r = restored.value();
    groups_restored_ = r.groups;
    auto list = [](const std::vector<std::string>& names) {
      std::string out;
      for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
      return out;
    };
    if (!r.changed.empty()) std::cerr << "alertc: rules changed since the checkpoint, starting afresh: " << list(r.changed) << '\n';
    if (!r.removed.empty()) std::cerr << "alertc: rules gone since the checkpoint, their state dropped: " << list(r.removed) << '\n';
    if (!r.added.empty()) std::cerr << "alertc: new rules since the checkpoint: " << list(r.added) << '\n';
    return std::nullopt;
  }

  // Files the checkpoint read continue where it left them; one that changed is an error naming
  // it. Pipes and standard input are new data every time.
  std::optional<int> resume_inputs(std::vector<InputSpec>& specs) {
    progress_.assign(specs.size(), InputProgress{});
    resumed_offset_.assign(specs.size(), 0);
    digest_covers_.assign(specs.size(), 0);
    for (size_t i = 0; i < specs.size(); ++i) {
      progress_[i].name = specs[i].path;
      std::error_code ec;
      seekable_.push_back(specs[i].path != "-" && std::filesystem::is_regular_file(specs[i].path, ec));
    }
    const std::optional<Checkpoint>& found = notifier_->resumed();
    if (!checkpoints_ || !found) return std::nullopt;
    for (size_t i = 0; i < specs.size(); ++i) {
      if (!seekable_[i]) continue;
      for (const InputProgress& p : found->inputs) {
        if (p.name != specs[i].path || p.offset == 0) continue;
        std::string change = identity_change(specs[i].path, p.offset, p.prefix_digest);
        if (!change.empty()) {
          std::cerr << "alertc: error: input " << specs[i].path << " is not the file the checkpoint in '" << state_dir_
                    << "' read: " << change << " (--fresh starts over)\n";
          return 2;
        }
        specs[i].resume = RowReader::Position{p.offset, p.line};
        resumed_offset_[i] = p.offset;
        digest_covers_[i] = std::min(p.offset, kPrefixBytes);
        progress_[i] = p;
        resumed_rows_ += p.rows;
        resumed_inputs_ += (resumed_inputs_.empty() ? "" : ", ") + specs[i].path;
      }
    }
    return std::nullopt;
  }

  void note_progress(const InputBatch& in) {
    if (in.input >= progress_.size()) return;
    InputProgress& p = progress_[in.input];
    p.rows += in.batch.rows + in.rejects.size();
    p.offset = in.position.offset;
    p.line = in.position.line;
  }

  // Commits what the batches so far produced: with a state, the state too (every interval, or
  // `last`); without, the outbox after every batch.
  bool commit(bool last) {
    if (!checkpoints_) return flush_outbox();
    auto now = Clock::now();
    if (!last && now - last_checkpoint_ < std::chrono::nanoseconds(options_.checkpoint_interval_ns)) {
      return flush_outbox();  // stdout and files flushed; the outbox waits for the checkpoint
    }
    last_checkpoint_ = now;
    Checkpoint cp;
    cp.engine_state = engine_->save_state();
    for (size_t i = 0; i < progress_.size(); ++i) {
      if (!seekable_[i]) continue;
      // The digest changes only while the position is inside the prefix it covers.
      InputProgress& p = progress_[i];
      uint64_t covered = std::min(p.offset, kPrefixBytes);
      if (p.prefix_digest.empty() || digest_covers_[i] != covered) {
        p.prefix_digest = prefix_digest(p.name, p.offset);
        digest_covers_[i] = covered;
      }
      cp.inputs.push_back(p);
    }
    if (auto committed = notifier_->commit_checkpoint(std::move(cp)); !committed.ok()) {
      std::cerr << "alertc: error: cannot write the state in '" << state_dir_ << "': " << committed.error() << '\n';
      return false;
    }
    return true;
  }

  bool flush_outbox() {
    if (auto flushed = notifier_->flush(); !flushed.ok()) {
      std::cerr << "alertc: error: cannot write the outbox: " << flushed.error() << '\n';
      return false;
    }
    return true;
  }

  void advance(int schema, int64_t clock) {
    // Only an advance that closed a window changes alerts; only those are recorded.
    bool closed = engine_->advance_clock(schema, clock);
    clock_of_[schema] = std::max(clock_of_[schema].value_or(INT64_MIN), clock);
    if (clock_log_ && closed) {
      *clock_log_ << fmt::format("{{\"schema\":\"{}\",\"after_rows\":{},\"clock_ns\":{}}}\n",
                                 engine_->schema_names()[schema], rows_of_[schema], clock)
                  << std::flush;
    }
  }

  // Pushes a batch, applying the replayed clock advances at the rows they were recorded after.
  void push(const Batch& batch) {
    static const std::vector<ClockAdvance> kNoAdvances;
    int s = batch.schema;
    const auto& pending = static_cast<size_t>(s) < replay_.size() ? replay_[s] : kNoAdvances;
    size_t begin = 0;
    while (!engine_->stopped() && replay_next_[s] < pending.size() &&
           pending[replay_next_[s]].after_rows <= rows_of_[s] + (batch.rows - begin)) {
      const ClockAdvance& a = pending[replay_next_[s]++];
      size_t cut = static_cast<size_t>(a.after_rows - rows_of_[s]) + begin;
      if (cut > begin) {
        engine_->push(batch.slice(begin, cut));
        rows_of_[s] += cut - begin;
        begin = cut;
      }
      advance(s, a.clock);
    }
    if (begin == 0) {
      engine_->push(batch);
    } else if (begin < batch.rows) {
      engine_->push(batch.slice(begin, batch.rows));
    }
    rows_of_[s] += batch.rows - begin;
  }

  // On a terminal, a progress line (rewritten in place) for inputs that take a while; nothing
  // when stderr is a file or a pipe, so logs and scripts see only the summary.
  void progress(bool done) {
    if (!show_progress_) return;
    auto now = Clock::now();
    if (done) {
      if (progress_shown_) std::cerr << "\r\033[K";
      return;
    }
    if (now - last_progress_ < progress_interval_) return;
    last_progress_ = now;
    progress_shown_ = true;
    double seconds = std::chrono::duration<double>(now - started_).count();
    uint64_t rows = engine_->stats().rows;
    std::string clocks;
    if (any_live_) {
      int64_t wall = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
      auto names = engine_->schema_names();
      for (size_t s = 0; s < schemas_; ++s) {
        if (!clock_of_[s]) continue;
        clocks += fmt::format(", {} at {} (lags {:.1f}s)", names[s], format_rfc3339(*clock_of_[s]),
                              static_cast<double>(wall - *clock_of_[s]) / 1e9);
      }
    }
    std::cerr << fmt::format("\ralertc: {} rows, {:.2f} M rows/s, {} alerts so far{}\033[K", rows,
                             static_cast<double>(rows) / seconds / 1e6, alerts_, clocks)
              << std::flush;
  }

  // The summary on stderr and the exit status (docs/language.md §13).
  int summarize() {
    const RunStats& stats = engine_->stats();
    uint64_t rejected = rejects_.count();
    if (notifier_->resumed()) {
      std::cerr << fmt::format("alertc: resumed from {}: {} rows already read{}, {} groups restored\n", state_dir_,
                               resumed_rows_, resumed_inputs_.empty() ? "" : " of " + resumed_inputs_, groups_restored_);
    }
    double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
    std::cerr << fmt::format("alertc: {} rows read, {} rejected ({} late), {:.1f} MB in {:.3f}s\n",
                             stats.rows + rejected - stats.late_rows, rejected, stats.late_rows,
                             static_cast<double>(bytes_) / 1e6, seconds);
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
    uint64_t dead_lettered = options_.dry_run ? 0 : summarize_channels();
    if (input_errors_ > 0) return 2;
    // The run finished, but not every notification reached its receiver.
    if (dead_lettered > 0) {
      std::cerr << fmt::format("alertc: {} notifications were dead-lettered: see dead-letter.jsonl in {}\n",
                               dead_lettered, state_dir_);
      return 4;
    }
    return 0;
  }

  // One line per channel; the number dead-lettered.
  uint64_t summarize_channels() {
    uint64_t dead_lettered = 0;
    for (const ChannelStats& ch : notifier_->stats()) {
      std::string left = ch.pending ? fmt::format(", {} left in the outbox for the next start", ch.pending) : "";
      if (ch.throttled_by_receiver) left += fmt::format(", {} throttled by the receiver (Retry-After)", ch.throttled_by_receiver);
      if (ch.cut) left += fmt::format(", {} cut to the receiver's length limit", ch.cut);
      std::cerr << fmt::format("alertc:   channel {} ({}): {} sent, {} retried, {} failed, {} dead-lettered{}\n",
                               ch.channel, ch.kind, ch.sent, ch.retried, ch.failed, ch.dead_lettered, left);
      dead_lettered += ch.dead_lettered;
    }
    return dead_lettered;
  }

  const RunOptions& options_;
  std::shared_ptr<const CompiledProgram> program_;
  std::string state_dir_;
  bool checkpoints_ = false;
  Clock::time_point last_checkpoint_ = Clock::now();
  std::vector<InputProgress> progress_;  // per input: where its next row starts
  std::vector<bool> seekable_;           // per input: a regular file, which a restart resumes
  std::vector<uint64_t> resumed_offset_;  // per input: where this run started reading it
  std::vector<uint64_t> digest_covers_;   // per input: the bytes its progress_ digest covers
  uint64_t resumed_rows_ = 0;
  std::string resumed_inputs_;
  size_t groups_restored_ = 0;
  std::unique_ptr<Notifier> notifier_;
  RejectsWriter rejects_;
  std::unique_ptr<Engine> engine_;
  size_t schemas_ = 0;
  std::unique_ptr<InputSet> inputs_;
  std::unique_ptr<IdleClock> idle_;
  bool idle_enabled_ = false;
  bool any_live_ = false;
  std::vector<std::vector<ClockAdvance>> replay_;
  std::vector<size_t> replay_next_;
  std::unique_ptr<std::ofstream> clock_log_;
  std::vector<uint64_t> rows_of_;                   // rows evaluated per schema (for the clock log)
  std::vector<std::optional<int64_t>> clock_of_;    // the newest event time per schema (progress line)
  uint64_t alerts_ = 0;
  uint64_t bytes_ = 0;
  int input_errors_ = 0;
  bool strict_stop_ = false;                        // --strict saw its first reject
  Clock::time_point started_, last_progress_;
  std::chrono::milliseconds progress_interval_{500};
  bool show_progress_ = false, progress_shown_ = false;
};

}  // namespace

int run_run(const RunOptions& options, bool color) {
  CompileOptions compile_options;
  compile_options.engine = options.engine == "interp" ? EngineKind::Interp : EngineKind::Jit;
  compile_options.check_tests = false;
  Compilation c = Compilation::compile(options.files, compile_options);
  c.print_diagnostics(std::cerr, DiagnosticFormat::Text, color);
  if (c.io_error()) return 2;
  if (!c.ok()) return 1;
  RunSession session(options, c.program());
  if (auto failed = session.open()) return *failed;
  return session.run();
}

}  // namespace alert::cli
