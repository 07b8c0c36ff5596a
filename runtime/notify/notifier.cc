// The Notifier: local channels written in place, networked ones through the outbox and their
// workers (runtime/notify/channel_worker.h).
#include "alert/notifier.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "compiler/plan/compiled_program.h"
#include "runtime/notify/channel_config.h"
#include "runtime/notify/channel_worker.h"
#include "runtime/notify/outbox.h"
#include "runtime/notify/payloads.h"
#include "runtime/notify/provider_payloads.h"

namespace alert {
namespace {

class ChannelNotifier : public Notifier {
 public:
  struct Local {
    ChannelStats stats;
    std::unique_ptr<std::ofstream> file;  // file channels; stdout otherwise
  };

  ChannelNotifier(NotifierOptions options, std::vector<ChannelConfig> channels)
      : options_(std::move(options)), channels_(std::move(channels)) {}

  Result<bool> start() {
    local_.resize(channels_.size());
    workers_.resize(channels_.size());
    if (options_.checkpoints) {
      if (auto opened = open_checkpoint(); !opened.ok()) return opened;
    }
    if (options_.dry_run) return true;  // nothing is delivered: no files, no workers
    bool networked = false;
    for (size_t i = 0; i < channels_.size(); ++i) {
      const ChannelConfig& c = channels_[i];
      local_[i].stats.channel = c.name;
      local_[i].stats.kind = c.kind;
      if (c.kind == "file") {
        if (auto cut = cut_to_checkpoint(c); !cut.ok()) return cut;
        local_[i].file = std::make_unique<std::ofstream>(c.path, std::ios::app);
        if (!*local_[i].file) {
          return Result<bool>::failure(fmt::format("channel '{}': cannot open '{}': {}", c.name, c.redact(c.path),
                                                   std::strerror(errno)));
        }
      }
      networked = networked || c.networked();
    }
    if (!networked) return true;
    if (!outbox_) {
      auto outbox = Outbox::open(options_.state_dir);
      if (!outbox.ok()) return Result<bool>::failure(outbox.error());
      outbox_ = outbox.take();
    }
    std::string dead_letter = (std::filesystem::path(options_.state_dir) / "dead-letter.jsonl").string();
    // Workers start at once: what an earlier run left in the outbox goes out first.
    for (size_t i = 0; i < channels_.size(); ++i) {
      if (channels_[i].networked()) {
        workers_[i] = std::make_unique<ChannelWorker>(channels_[i], *outbox_, dead_letter, options_.retry_base_ms);
      }
    }
    return true;
  }

  // The state folder's outbox, and the checkpoint it holds (forgotten with --fresh).
  Result<bool> open_checkpoint() {
    auto outbox = Outbox::open(options_.state_dir);
    if (!outbox.ok()) return Result<bool>::failure(outbox.error());
    outbox_ = outbox.take();
    if (options_.fresh) return outbox_->drop_checkpoint();
    auto found = outbox_->checkpoint();
    if (!found.ok()) {
      return Result<bool>::failure(fmt::format("cannot read the checkpoint in '{}': {}", options_.state_dir, found.error()));
    }
    resumed_ = found.take();
    return true;
  }

  // A file channel holds exactly what the checkpoint counted: what a crashed run wrote after
  // it is cut, and written again by the resumed run.
  Result<bool> cut_to_checkpoint(const ChannelConfig& c) {
    if (!resumed_) return true;
    for (const auto& [path, length] : resumed_->files) {
      if (path != c.path) continue;
      std::error_code ec;
      uintmax_t size = std::filesystem::file_size(path, ec);
      if (!ec && size > length) {
        std::filesystem::resize_file(path, length, ec);
        if (ec) return Result<bool>::failure(fmt::format("channel '{}': cannot cut '{}' back to {} bytes: {}", c.name,
                                                         c.redact(path), length, ec.message()));
      }
    }
    return true;
  }

  void deliver(const Alert& alert) override {
    if (options_.dry_run) {
      *options_.dry_run_out << alert_to_json(alert) << '\n';
      return;
    }
    std::string line;
    for (int index : alert.channels) {
      const ChannelConfig& c = channels_[index];
      if (!c.networked()) {
        if (line.empty()) line = alert_to_json(alert);
        std::ostream& out = local_[index].file ? static_cast<std::ostream&>(*local_[index].file) : std::cout;
        out << line << '\n';
        ++(out ? local_[index].stats.sent : local_[index].stats.failed);
        continue;
      }
      OutboxRow row;
      row.channel = c.name;
      row.key = idempotency_key(alert, c.name);
      row.fingerprint = alert.fingerprint;
      row.state = alert.state;
      if (c.is_provider()) {
        // One outbox row per request (an SMS per recipient), each its own key.
        auto requests = provider_requests(alert, c);
        for (size_t i = 0; i < requests.size(); ++i) {
          OutboxRow one = row;
          if (requests.size() > 1) one.key = idempotency_key(alert, c.name + "\x1f" + c.to[i]);
          one.body = encode_envelope(requests[i]);
          auto added = outbox_->add(one);
          if (!added.ok() && outbox_error_.empty()) outbox_error_ = added.error();
        }
        dirty_ = true;
        continue;
      }
      if (c.kind == "webhook") {
        row.body = webhook_body(alert, c.slack);
      } else if (c.kind == "email") {
        row.body = email_message(alert, c, row.key);
      } else {
        row.body = alertmanager_alert(alert, starts_at(alert), row.key);
      }
      auto added = outbox_->add(row);
      // The outbox is the only record of a notification: the next flush() reports the failure,
      // and the run stops there.
      if (!added.ok() && outbox_error_.empty()) outbox_error_ = added.error();
      dirty_ = true;
    }
  }

  Result<bool> commit_checkpoint(Checkpoint checkpoint) override {
    if (auto flushed = flush(); !flushed.ok()) return flushed;
    // File channels: on disk before the checkpoint that counts their bytes as written.
    for (size_t i = 0; i < channels_.size(); ++i) {
      if (!local_[i].file) continue;
      const std::string& path = channels_[i].path;
      int fd = ::open(path.c_str(), O_RDONLY);
      if (fd < 0 || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        return Result<bool>::failure(fmt::format("cannot sync '{}': {}", channels_[i].redact(path), std::strerror(errno)));
      }
      ::close(fd);
      std::error_code ec;
      checkpoint.files.emplace_back(path, std::filesystem::file_size(path, ec));
    }
    if (auto put = outbox_->put_checkpoint(checkpoint); !put.ok()) return put;
    // Test hook (tests/e2e/test_state.py): die inside the N-th commit, after the checkpoint was
    // written into the transaction and before it commits.
    ++checkpoints_written_;
    if (const char* n = std::getenv("ALERTC_TEST_KILL_IN_COMMIT"); n && std::atoll(n) == checkpoints_written_) {
      std::raise(SIGKILL);
    }
    auto committed = outbox_->commit();
    if (!committed.ok()) return committed;
    dirty_ = false;
    for (auto& w : workers_) {
      if (w) w->wake();
    }
    return true;
  }

  const std::optional<Checkpoint>& resumed() const override { return resumed_; }

  Result<bool> flush() override {
    if (options_.dry_run && options_.dry_run_out) options_.dry_run_out->flush();
    std::cout.flush();
    for (auto& l : local_) {
      if (l.file) l.file->flush();
    }
    if (!outbox_error_.empty()) return Result<bool>::failure(outbox_error_);
    if (options_.checkpoints) return true;  // the outbox commits with the next checkpoint
    if (!outbox_ || !dirty_) return true;
    auto committed = outbox_->commit();
    if (!committed.ok()) return committed;
    dirty_ = false;
    for (auto& w : workers_) {
      if (w) w->wake();
    }
    return true;
  }

  void close() override {
    if (!outbox_) return;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(options_.drain_timeout_s);
    while (std::chrono::steady_clock::now() < deadline) {
      int64_t pending = 0;
      for (auto& w : workers_) {
        if (w) pending += outbox_->pending(w->channel().name);
      }
      if (pending == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    for (auto& w : workers_) {
      if (w) w->stop();
    }
  }

  std::vector<ChannelStats> stats() const override {
    std::vector<ChannelStats> out;
    for (size_t i = 0; i < channels_.size(); ++i) out.push_back(workers_[i] ? workers_[i]->stats() : local_[i].stats);
    return out;
  }

 private:
  // When an alert began firing: its own time for a firing alert; for a resolved one, the time its
  // firing was seen in this run (else the resolution time).
  int64_t starts_at(const Alert& alert) {
    int64_t now_ns = wall_ms() * 1'000'000;
    int64_t t = alert.time.value_or(now_ns);
    if (alert.state == "firing") {
      started_[alert.fingerprint] = t;
      return t;
    }
    auto it = started_.find(alert.fingerprint);
    int64_t start = it == started_.end() ? t : it->second;
    if (it != started_.end()) started_.erase(it);
    return start;
  }

  NotifierOptions options_;
  std::vector<ChannelConfig> channels_;
  std::vector<Local> local_;
  std::unique_ptr<Outbox> outbox_;
  std::optional<Checkpoint> resumed_;
  int64_t checkpoints_written_ = 0;
  std::vector<std::unique_ptr<ChannelWorker>> workers_;
  std::map<std::string, int64_t> started_;
  std::string outbox_error_;
  bool dirty_ = false;
};

}  // namespace

Result<std::unique_ptr<Notifier>> Notifier::open(std::shared_ptr<const CompiledProgram> program,
                                                 NotifierOptions options) {
  using R = Result<std::unique_ptr<Notifier>>;
  std::vector<ChannelConfig> channels;
  if (!options.dry_run) {
    auto resolved = resolve_channels(program->plan);
    if (!resolved.ok()) return R::failure(resolved.error());
    channels = resolved.take();
  } else {
    for (const plan::Channel& c : program->plan.channels) {
      ChannelConfig config;
      config.name = c.name;
      config.kind = c.kind;
      channels.push_back(std::move(config));
    }
  }
  auto n = std::make_unique<ChannelNotifier>(std::move(options), std::move(channels));
  if (auto started = n->start(); !started.ok()) return R::failure(started.error());
  return std::unique_ptr<Notifier>(std::move(n));
}

}  // namespace alert
