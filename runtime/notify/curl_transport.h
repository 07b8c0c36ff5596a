// One channel's connection to its receiver through libcurl: HTTP POST for webhooks and
// Alertmanager, SMTP for email. One easy handle per channel worker, reused, so HTTP keeps its
// connection alive between notifications.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "runtime/notify/channel_config.h"

namespace alert {

struct SendResult {
  bool ok = false;
  bool permanent = false;  // retrying cannot help (HTTP 4xx other than 408/429)
  std::string error;       // already redacted
  // 429 or 503 with Retry-After: the receiver asks to wait this long; not a failure.
  int64_t retry_after_ms = -1;
};

class CurlTransport {
 public:
  // `abort` set: a transfer in progress is abandoned (a stalled receiver must not hold a stop).
  CurlTransport(const ChannelConfig& channel, const std::atomic<bool>* abort);
  ~CurlTransport();
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  // POSTs `body` (JSON) to `url` with the channel's headers and an Idempotency-Key header.
  SendResult post(const std::string& url, const std::string& body, const std::string& key);
  // A provider's request (provider_payloads.h): any content type, extra headers, optional
  // basic auth ("user:password"); the receiver's reply body is kept for classification.
  SendResult request(const std::string& method, const std::string& url, const std::string& content_type,
                     const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
                     const std::string& key, const std::string& basic_auth, long* status, std::string* reply,
                     bool http2 = false);
  // Sends one RFC 5322 message to every recipient of the channel.
  SendResult mail(const std::string& message);

 private:
  void common_options(char* error);

  const ChannelConfig& channel_;
  const std::atomic<bool>* abort_;
  void* curl_;  // CURL*
};

}  // namespace alert
