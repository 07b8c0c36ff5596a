#include "runtime/notify/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <string_view>
#include <fmt/format.h>
#include <mutex>

namespace alert {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}


// Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3), as milliseconds from now.
int64_t retry_after_ms(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
  if (value.empty()) return -1;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (value.size() > 9) return 3'600'000;  // an absurd wait is capped below anyway
    return std::stoll(std::string(value)) * 1000;
  }
  std::string text(value);
  time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) return -1;
  return std::max<int64_t>(0, (static_cast<int64_t>(when) - static_cast<int64_t>(time(nullptr))) * 1000);
}

size_t keep_retry_after(char* buffer, size_t size, size_t n, void* user) {
  std::string_view line(buffer, size * n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; ++i) match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    if (match) *static_cast<int64_t*>(user) = retry_after_ms(line.substr(kName.size()));
  }
  return size * n;
}

struct Upload {
  const std::string* data;
  size_t pos = 0;
};

size_t read_upload(char* buffer, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t len = std::min(size * n, up->data->size() - up->pos);
  std::memcpy(buffer, up->data->data() + up->pos, len);
  up->pos += len;
  return len;
}

int check_abort(void* abort, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(abort)->load() ? 1 : 0;
}

}  // namespace

CurlTransport::CurlTransport(const ChannelConfig& channel, const std::atomic<bool>* abort)
    : channel_(channel), abort_(abort) {
  global_init();
  curl_ = curl_easy_init();
}

CurlTransport::~CurlTransport() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

void CurlTransport::common_options(char* error) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(channel_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(channel_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, check_abort);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, abort_);
}

size_t keep_reply(char* buffer, size_t size, size_t n, void* user) {
  auto* reply = static_cast<std::string*>(user);
  if (reply->size() < 8192) reply->append(buffer, std::min(size * n, 8192 - reply->size()));
  return size * n;
}

SendResult CurlTransport::request(const std::string& method, const std::string& url, const std::string& content_type,
                                  const std::vector<std::pair<std::string, std::string>>& extra,
                                  const std::string& body, const std::string& key, const std::string& basic_auth,
                                  long* status, std::string* reply, bool http2) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);
  char error[CURL_ERROR_SIZE] = "";
  curl_slist* headers = curl_slist_append(nullptr, ("Content-Type: " + content_type).c_str());
  headers = curl_slist_append(headers, ("Idempotency-Key: " + key).c_str());
  for (const auto& [k, v] : extra) {
    std::string line = k + ": " + v;
    for (char& c : line) if (c == '\r' || c == '\n') c = ' ';  // no header injection from alert text
    headers = curl_slist_append(headers, line.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (http2) {  // APNs speaks only HTTP/2: over TLS by ALPN, over plain http (tests) directly
    bool tls = url.rfind("https://", 0) == 0;
    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION,
                     static_cast<long>(tls ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE));
    // Debian's libcurl 7.88 fails the second POST on a reused cleartext (prior-knowledge)
    // HTTP/2 connection with "Error in the HTTP2 framing layer" (seen against Node's http2
    // server, with the curl tool as well): cleartext HTTP/2 — only ever a test or a private
    // relay — opens a connection per request. TLS, which APNs itself uses, keeps reusing it.
    if (!tls) curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
  }
  if (!basic_auth.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERPWD, basic_auth.c_str());
  }
  reply->clear();
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, keep_reply);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
  int64_t retry_after = -1;
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, keep_retry_after);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &retry_after);
  common_options(error);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  SendResult r;
  *status = 0;
  if (rc != CURLE_OK) {
    r.error = channel_.redact(fmt::format("{}", error[0] ? error : curl_easy_strerror(rc)));
    return r;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
  if (*status >= 200 && *status < 300) {
    r.ok = true;
    return r;
  }
  r.error = fmt::format("HTTP {}", *status);
  r.permanent = *status >= 400 && *status < 500 && *status != 408 && *status != 429;
  if ((*status == 429 || *status == 503) && retry_after >= 0) r.retry_after_ms = std::min<int64_t>(retry_after, 3'600'000);
  return r;
}

SendResult CurlTransport::post(const std::string& url, const std::string& body, const std::string& key) {
  long status = 0;
  std::string reply;
  return request("POST", url, "application/json", channel_.headers, body, key, "", &status, &reply);
}

SendResult CurlTransport::mail(const std::string& message) {
  CURL* curl = static_cast<CURL*>(curl_);
  curl_easy_reset(curl);
  char error[CURL_ERROR_SIZE] = "";
  curl_slist* recipients = nullptr;
  for (const std::string& to : channel_.to) recipients = curl_slist_append(recipients, to.c_str());
  Upload upload{&message};
  curl_easy_setopt(curl, CURLOPT_URL, channel_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, channel_.from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  common_options(error);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(recipients);
  SendResult r;
  if (rc == CURLE_OK) {
    r.ok = true;
  } else {
    r.error = channel_.redact(error[0] ? error : curl_easy_strerror(rc));
    r.permanent = rc == CURLE_LOGIN_DENIED || rc == CURLE_URL_MALFORMAT;
  }
  return r;
}

}  // namespace alert
