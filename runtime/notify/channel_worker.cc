#include "runtime/notify/channel_worker.h"

#include <chrono>
#include <fmt/format.h>
#include <fstream>
#include <random>

#include "runtime/notify/curl_transport.h"
#include "runtime/notify/apns_token.h"
#include "runtime/notify/provider_payloads.h"

#include <cstring>

namespace alert {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

ChannelWorker::ChannelWorker(ChannelConfig channel, Outbox& outbox, std::string dead_letter_path, int64_t retry_base_ms)
    : channel_(std::move(channel)), outbox_(outbox), dead_letter_path_(std::move(dead_letter_path)),
      retry_base_ms_(retry_base_ms) {
  stats_.channel = channel_.name;
  stats_.kind = channel_.kind;
  last_resend_ms_ = wall_ms();
  thread_ = std::thread([this] { run(); });
}

ChannelWorker::~ChannelWorker() { stop(); }

void ChannelWorker::wake() {
  std::lock_guard<std::mutex> lock(mutex_);
  woken_ = true;
  cv_.notify_all();
}

void ChannelWorker::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    abort_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

ChannelStats ChannelWorker::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  ChannelStats s = stats_;
  s.pending = outbox_.pending(channel_.name);
  return s;
}

void ChannelWorker::run() {
  CurlTransport transport(channel_, &abort_);
  transport_ = &transport;
  while (true) {
    int64_t now = wall_ms();
    send_due(now);
    if (channel_.kind == "alertmanager") resend_firing(now);
    std::unique_lock<std::mutex> lock(mutex_);
    if (stop_) break;
    int64_t next = std::max(outbox_.next_due_ms(channel_.name), paused_until_ms_);
    if (next <= wall_ms() && !woken_) continue;
    int64_t wait_ms = next == INT64_MAX ? 1000 : std::max<int64_t>(1, next - wall_ms());
    if (channel_.kind == "alertmanager") wait_ms = std::min(wait_ms, channel_.resend_interval_ms);
    cv_.wait_for(lock, std::chrono::milliseconds(std::min<int64_t>(wait_ms, 1000)), [&] { return stop_ || woken_; });
    woken_ = false;
    if (stop_) break;
  }
  transport_ = nullptr;
}

void ChannelWorker::send_due(int64_t now_ms) {
  if (now_ms < paused_until_ms_) return;
  size_t per_request = rows_per_request();
  if (channel_.group_wait_ms > 0 && per_request > 1) wait_for_group(now_ms);
  while (true) {
    // One query fetches many due rows; they go out in order, per_request at a time.
    std::vector<OutboxRow> due = outbox_.due(channel_.name, wall_ms(), 256);
    if (due.empty()) return;
    std::vector<int64_t> delivered;
    struct Flush {  // delivered rows leave the outbox together, however this round ends
      Outbox& outbox;
      std::vector<int64_t>& ids;
      ~Flush() { outbox.remove(ids); }
    } flush{outbox_, delivered};
    for (size_t first = 0; first < due.size(); first += per_request) {
      if (abort_) return;
      std::vector<OutboxRow> rows(due.begin() + static_cast<std::ptrdiff_t>(first),
                                  due.begin() + static_cast<std::ptrdiff_t>(std::min(due.size(), first + per_request)));
      take_tokens(rows.size());
      if (abort_) return;
      SendResult result = send_rows(rows);
      if (abort_) return;  // stopped mid-transfer: the rows stay in the outbox as they were
      int64_t now = wall_ms();
      if (paused_by_receiver(rows, result, now)) return;
      throttled_in_a_row_ = result.ok ? 0 : throttled_in_a_row_;
      record_outcome(rows, result, now, delivered);
      if (!result.ok) return;  // back off: the rest waits for the next round
    }
  }
}

// Bundling: up to max_batch notifications in one request (a JSON array). Alertmanager takes
// arrays natively, so its notifications always go together; a mail or a provider's request is
// one notification.
size_t ChannelWorker::rows_per_request() const {
  return channel_.kind == "alertmanager"                          ? 64
         : channel_.kind == "email" || channel_.is_provider() ? 1
                                                              : static_cast<size_t>(channel_.max_batch);
}

// A bundle waits group_wait for more to gather, when something is due already (or until stop).
void ChannelWorker::wait_for_group(int64_t now_ms) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (outbox_.next_due_ms(channel_.name) <= now_ms && !stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(channel_.group_wait_ms), [&] { return stop_; });
  }
}

// One request for `rows`: a provider's stored request, a mail, one post, or a bundle of them.
SendResult ChannelWorker::send_rows(const std::vector<OutboxRow>& rows) {
  bool as_array = channel_.kind == "alertmanager" || (channel_.kind == "webhook" && channel_.max_batch > 1);
  if (channel_.is_provider()) return send_provider(rows[0]);
  if (channel_.kind == "email") return transport_->mail(rows[0].body);
  if (!as_array) return transport_->post(channel_.url, rows[0].body, rows[0].key);
  std::string body = "[", keys;
  for (size_t i = 0; i < rows.size(); ++i) {
    body += (i ? "," : "") + rows[i].body;
    keys += rows[i].key;
  }
  body += "]";
  std::string url = channel_.kind == "alertmanager" ? channel_.url + "/api/v2/alerts" : channel_.url;
  // A bundle's key is derived from its members', so a retried bundle keeps its key.
  std::string key = rows.size() == 1 ? rows[0].key : fmt::format("bundle-{:016x}", std::hash<std::string>{}(keys));
  return transport_->post(url, body, key);
}

// The receiver asked us to wait (429/503 + Retry-After): the rows keep their attempts and go
// again then; that is not a failure. At least a second (a Retry-After of 0 must not spin), and a
// receiver that never stops asking ends in the ordinary retries. True when the channel now waits.
bool ChannelWorker::paused_by_receiver(const std::vector<OutboxRow>& rows, const SendResult& result, int64_t now_ms) {
  if (result.ok || result.retry_after_ms < 0 || throttled_in_a_row_ >= kMaxThrottledInARow) return false;
  int64_t wait = std::max<int64_t>(result.retry_after_ms, 1000);
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.throttled_by_receiver;
  ++throttled_in_a_row_;
  for (const OutboxRow& row : rows) outbox_.reschedule(row.id, row.attempts, now_ms + wait);
  paused_until_ms_ = now_ms + wait;  // the whole channel waits, in order
  return true;
}

// What became of each row of a request: sent (and, for Alertmanager, remembered while firing)
// or failed (retried later or dead-lettered). The rows of a failed request are retried together,
// all due at one time, so a bundle goes again with the same members, the same bytes and so the
// same key, and its receiver can recognise the redelivery.
void ChannelWorker::record_outcome(const std::vector<OutboxRow>& rows, const SendResult& result, int64_t now_ms,
                                   std::vector<int64_t>& delivered) {
  int64_t retry_at = 0;
  if (!result.ok) {
    int attempts = 0;
    for (const OutboxRow& row : rows) attempts = std::max(attempts, row.attempts + 1);
    retry_at = now_ms + retry_delay_ms(attempts);
  }
  for (const OutboxRow& row : rows) {
    if (result.ok && channel_.is_provider()) {
      // A text or a push cannot be taken back: it leaves the outbox at once, so a crash in a
      // long (rate-limited) round does not send it again. Webhooks batch their deletes.
      outbox_.remove({row.id});
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.sent;
    } else if (result.ok) {
      delivered.push_back(row.id);
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.sent;
      if (channel_.kind == "alertmanager") {
        if (row.state == "firing") firing_[row.fingerprint] = row.body;
        else firing_.erase(row.fingerprint);
      }
    } else {
      failed(row, result.error, result.permanent, retry_at);
    }
  }
}

// A provider request: the envelope stored with the notification, completed with the channel's
// credentials and its options from env() now (they are never written to the outbox).
SendResult ChannelWorker::send_provider(const OutboxRow& row) {
  ProviderRequest req;
  SendResult broken;
  broken.permanent = true;
  if (!decode_envelope(row.body, &req)) {
    broken.error = "the stored request is not readable";
    return broken;
  }
  // Only the path's "{token}" is filled: alert text in the body may hold any characters (a row's
  // value could read "{token}"), and must never be able to pull a credential into a message.
  // Options are filled only where alert text cannot stand (fill_channel_values).
  if (!fill_channel_values(channel_, &req, &broken.error)) return broken;
  const std::string& path = req.path;
  std::string body = channel_.kind == "pagerduty" ? with_routing_key(req.body, channel_.routing_key) : req.body;
  if (size_t at = body.find("&{app_token}"); at != std::string::npos && at + 12 == body.size()) {  // Pushover
    body.replace(at, 12, "&token=" + url_escape(channel_.token));
  }
  std::vector<std::pair<std::string, std::string>> headers = req.headers;
  bool bearer = channel_.kind == "push" && channel_.provider != "pushover" && channel_.provider != "apns" &&
                !channel_.token.empty();
  if (bearer) headers.emplace_back("Authorization", "Bearer " + channel_.token);
  if (channel_.kind == "push" && channel_.provider == "apns") {
    if (!apns_token_) apns_token_ = std::make_unique<ApnsToken>(channel_.key_file, channel_.key_id, channel_.team_id);
    auto jwt = apns_token_->get(wall_ms() / 1000);
    if (!jwt.ok()) {
      SendResult failed;
      failed.error = jwt.error();  // the key file may be fixed before the retries run out
      return failed;
    }
    headers.emplace_back("authorization", "bearer " + jwt.value());
  }
  if (channel_.kind == "opsgenie") headers.emplace_back("Authorization", "GenieKey " + channel_.api_key);
  std::string basic = channel_.kind == "sms" && channel_.provider == "twilio" ? channel_.account + ":" + channel_.token : "";
  long status = 0;
  std::string reply;
  SendResult r = transport_->request(req.method, channel_.url + path, req.content_type, headers, body, row.key, basic,
                                     &status, &reply, channel_.provider == "apns");
  if (!r.ok && status != 0 && r.retry_after_ms < 0) {
    bool expired = false;
    classify_provider_reply(channel_, status, reply, &r.error, &r.permanent, &expired);
    if (expired) apns_token_.reset();  // signed anew for the retry
    r.error = channel_.redact(r.error);
  }
  if (r.ok && req.cut) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++stats_.cut;
  }
  return r;
}

// `rate`: a token bucket holding at most one second of notifications (and at least one), so a
// burst after a quiet time goes out at once up to that, then at the rate.
void ChannelWorker::take_tokens(size_t n) {
  if (channel_.rate <= 0) return;
  double burst = std::max(1.0, channel_.rate);
  auto now = std::chrono::steady_clock::now();
  if (!bucket_started_) {
    tokens_ = burst;
    bucket_started_ = true;
  } else {
    tokens_ = std::min(burst, tokens_ + std::chrono::duration<double>(now - refilled_at_).count() * channel_.rate);
  }
  refilled_at_ = now;
  tokens_ -= static_cast<double>(n);
  if (tokens_ >= 0) return;
  auto wait = std::chrono::duration<double>(std::min(-tokens_ / channel_.rate, 3600.0));
  std::unique_lock<std::mutex> lock(mutex_);
  cv_.wait_for(lock, wait, [&] { return abort_.load(); });
  tokens_ = 0;
  refilled_at_ = std::chrono::steady_clock::now();
}

// Exponential backoff with jitter, so receivers coming back are not hit by every sender at once.
int64_t ChannelWorker::retry_delay_ms(int attempts) const {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  int64_t delay = retry_base_ms_ << std::min(std::max(attempts, 1) - 1, 16);
  delay = std::min<int64_t>(delay, 60'000);
  return delay / 2 + static_cast<int64_t>(rng() % static_cast<uint64_t>(delay / 2 + 1));
}

// A failed row: dead-lettered when retrying cannot help or its retries are used up, else due
// again at `retry_at` (one time for all the rows of a request).
void ChannelWorker::failed(const OutboxRow& row, const std::string& reason, bool permanent, int64_t retry_at) {
  int attempts = row.attempts + 1;
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.failed;
  if (permanent || attempts > channel_.max_retries) {
    std::ofstream out(dead_letter_path_, std::ios::app);
    out << "{\"channel\":" << json_quote(channel_.name) << ",\"key\":" << json_quote(row.key)
        << ",\"attempts\":" << attempts << ",\"reason\":" << json_quote(channel_.redact(reason))
        << ",\"body\":" << json_quote(channel_.redact(row.body)) << "}\n";
    out.flush();
    if (out) {
      outbox_.remove({row.id});
      ++stats_.dead_lettered;
      return;
    }
  }
  outbox_.reschedule(row.id, attempts, retry_at);
  ++stats_.retried;
}

void ChannelWorker::resend_firing(int64_t now_ms) {
  if (now_ms - last_resend_ms_ < channel_.resend_interval_ms) return;
  last_resend_ms_ = now_ms;
  std::string body = "[";
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (firing_.empty()) return;
    bool first = true;
    for (const auto& [fp, alert] : firing_) {
      body += (first ? "" : ",") + alert;
      first = false;
    }
  }
  body += "]";
  transport_->post(channel_.url + "/api/v2/alerts", body, "resend");  // best effort; the next interval retries
}

}  // namespace alert
