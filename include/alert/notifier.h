// Delivers alerts to the channels their rule names (docs/language.md §6). stdout and file channels are
// written directly; webhook, email and Alertmanager notifications go through a durable outbox
// (SQLite under the state directory, fsynced by flush()) and per-channel workers that deliver,
// retry with exponential backoff and jitter, and dead-letter what still fails, so a slow or dead
// receiver never blocks evaluation or the other channels, and a crash loses nothing.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "alert/alert.h"
#include "alert/compiler.h"
#include "alert/result.h"

namespace alert {

struct ChannelStats {
  std::string channel;
  std::string kind;
  uint64_t sent = 0;           // accepted by the receiver
  uint64_t retried = 0;        // attempts scheduled again after a failure
  uint64_t failed = 0;         // failed attempts
  uint64_t dead_lettered = 0;  // given up, written to dead-letter.jsonl with the reason
  uint64_t throttled_by_receiver = 0;  // 429/503 with Retry-After: waited out, not failures
  uint64_t cut = 0;            // texts cut to the receiver's limit (sent, with … or ...)
  int64_t pending = 0;         // still in the outbox when the run ended (sent on the next start)
};

// How far one input was read at a checkpoint (docs/language.md §12), and what it was: the
// digest of its first bytes tells a file that changed from one that grew.
struct InputProgress {
  std::string name;
  uint64_t offset = 0;  // where its next row starts
  uint64_t line = 1;
  uint64_t rows = 0;    // rows read up to there, over every run
  std::string prefix_digest;
};

// What a checkpoint holds besides the outbox rows it commits with.
struct Checkpoint {
  std::string engine_state;  // Engine::save_state()
  std::vector<InputProgress> inputs;
  std::vector<std::pair<std::string, uint64_t>> files;  // file channels: path, length
};

struct NotifierOptions {
  bool dry_run = false;            // print each notification as one alert JSON line instead
  std::ostream* dry_run_out = nullptr;
  std::string state_dir;           // the outbox's folder (needed for networked channels)
  double drain_timeout_s = 10;     // how long close() waits for pending deliveries
  int64_t retry_base_ms = 250;     // first retry delay; doubles per attempt (capped at 60 s)
  // docs/language.md §12: notifications commit only with a checkpoint (commit_checkpoint), and
  // the state folder's outbox is opened whatever the channels. A checkpoint found at open is
  // resumed(): file channels are first cut back to their length at that checkpoint.
  bool checkpoints = false;
  bool fresh = false;              // --fresh: forget the checkpoint found
};

class Notifier {
 public:
  static Result<std::unique_ptr<Notifier>> open(std::shared_ptr<const CompiledProgram> program,
                                                NotifierOptions options);
  virtual ~Notifier() = default;
  virtual void deliver(const Alert& alert) = 0;
  // Makes every notification delivered so far durable (one fsync for the batch). With
  // checkpoints, only stdout and files are flushed: the outbox commits with the next checkpoint.
  virtual Result<bool> flush() = 0;
  // Commits the notifications delivered since the last checkpoint together with `checkpoint`
  // (its file channel lengths are filled in here), in one transaction, fsynced.
  virtual Result<bool> commit_checkpoint(Checkpoint checkpoint) = 0;
  // The checkpoint the state folder held at open (none with --fresh or on a first run).
  virtual const std::optional<Checkpoint>& resumed() const = 0;
  // Waits up to the drain timeout for pending deliveries, then stops the workers; whatever is
  // left stays in the outbox for the next start.
  virtual void close() = 0;
  virtual std::vector<ChannelStats> stats() const = 0;
};

}  // namespace alert
