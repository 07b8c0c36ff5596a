// One thread per networked channel: takes due notifications from the outbox in order, sends them
// (bundled when the channel asks for it), deletes what the receiver accepted, reschedules
// failures with exponential backoff and jitter, and dead-letters a notification after
// max_retries (or at once when retrying cannot help). For Alertmanager it re-sends the alerts
// still firing every resend_interval, as Prometheus does, so Alertmanager does not time them out.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "alert/notifier.h"
#include "runtime/notify/channel_config.h"
#include "runtime/notify/outbox.h"

namespace alert {

class ApnsToken;
class CurlTransport;
struct SendResult;

class ChannelWorker {
 public:
  ChannelWorker(ChannelConfig channel, Outbox& outbox, std::string dead_letter_path, int64_t retry_base_ms);
  ~ChannelWorker();

  void wake();  // new rows were committed
  void stop();  // finish the current send, then return
  ChannelStats stats() const;
  const ChannelConfig& channel() const { return channel_; }

 private:
  void run();
  void send_due(int64_t now_ms);
  size_t rows_per_request() const;
  void wait_for_group(int64_t now_ms);
  SendResult send_rows(const std::vector<OutboxRow>& rows);
  bool paused_by_receiver(const std::vector<OutboxRow>& rows, const SendResult& result, int64_t now_ms);
  void record_outcome(const std::vector<OutboxRow>& rows, const SendResult& result, int64_t now_ms,
                      std::vector<int64_t>& delivered);
  int64_t retry_delay_ms(int attempts) const;
  void failed(const OutboxRow& row, const std::string& reason, bool permanent, int64_t retry_at);
  void resend_firing(int64_t now_ms);
  void take_tokens(size_t n);
  SendResult send_provider(const OutboxRow& row);

  ChannelConfig channel_;
  Outbox& outbox_;
  std::string dead_letter_path_;
  int64_t retry_base_ms_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::atomic<bool> abort_{false};  // abandons a transfer in progress when stopping
  bool woken_ = false;
  ChannelStats stats_;
  std::map<std::string, std::string> firing_;  // alertmanager: fingerprint -> alert body
  int64_t last_resend_ms_ = 0;
  CurlTransport* transport_ = nullptr;  // owned by run()
  std::unique_ptr<ApnsToken> apns_token_;  // APNs: the signed provider token, renewed every 30 min
  int64_t paused_until_ms_ = 0;         // a receiver's Retry-After: nothing is sent before
  int throttled_in_a_row_ = 0;
  static constexpr int kMaxThrottledInARow = 20;
  double tokens_ = 0;                   // `rate`'s bucket
  bool bucket_started_ = false;
  std::chrono::steady_clock::time_point refilled_at_{};
  std::thread thread_;
};

int64_t wall_ms();

}  // namespace alert
