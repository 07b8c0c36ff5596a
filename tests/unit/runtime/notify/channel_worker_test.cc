// A channel worker (runtime/notify/channel_worker.h) against a real HTTP receiver on loopback
// (tests/unit/runtime/notify/loopback_http.h): the worker builds its own libcurl transport, so
// the receiver is a server in the test. Delivery with the idempotency key, bundling, how each
// reply is classified (delivered, retried with backoff, dead-lettered at once or after
// max_retries), Retry-After pauses, the `rate` bucket, Alertmanager re-sends, and stopping in
// the middle of a stalled transfer.
#include "runtime/notify/channel_worker.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/notify/provider_payloads.h"
#include "tests/unit/runtime/notify/loopback_http.h"
#include "tests/unit/runtime/notify/worker_fixture.h"

namespace alert {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using test_http::Request;
using test_http::Response;
using test_http::Server;

// Polls `done` every 10 ms; false after the timeout.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

int64_t ms_between(const Request& a, const Request& b) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(b.at - a.at).count();
}

// Answers the i-th request with scripted[i], and 200 once the script is used up.
test_http::Handler replies(std::vector<Response> scripted) {
  return [scripted](const Request&, size_t index) { return index < scripted.size() ? scripted[index] : Response{}; };
}

Response status(int code, std::vector<std::pair<std::string, std::string>> headers = {}) {
  Response r;
  r.status = code;
  r.headers = std::move(headers);
  return r;
}

class ChannelWorkerTest : public WorkerFixture {
 protected:
  void serve(test_http::Handler handler) {
    server_ = std::make_unique<Server>(std::move(handler));
    ASSERT_TRUE(server_->ok());
  }

  ChannelConfig webhook(const std::string& path = "/hook") const {
    ChannelConfig c;
    c.name = "hook";
    c.kind = "webhook";
    c.url = server_ ? server_->url() + path : "";
    c.timeout_ms = 5'000;
    c.max_retries = 3;
    return c;
  }

  void add(const std::string& channel, const std::string& key, const std::string& body,
           const std::string& state = "firing", const std::string& fingerprint = "fp") {
    OutboxRow r;
    r.channel = channel;
    r.key = key;
    r.body = body;
    r.state = state;
    r.fingerprint = fingerprint;
    ASSERT_TRUE(outbox_->add(r).ok());
  }
  void commit() { ASSERT_TRUE(outbox_->commit().ok()); }

  void start(ChannelConfig c, int64_t retry_base_ms = 10) {
    worker_ = std::make_unique<ChannelWorker>(std::move(c), *outbox_, dead_letter_, retry_base_ms);
  }

  bool delivered_all(const std::string& channel = "hook") {
    return eventually([&] { return outbox_->pending(channel) == 0; });
  }



};

// ---------------------------------------------------------------------------------------------
// Delivery.

TEST_F(ChannelWorkerTest, ADueRowIsPostedWithItsKeyAndLeavesTheOutbox) {
  serve(replies({}));
  ChannelConfig c = webhook();
  c.headers = {{"X-Team", "ops"}};
  add("hook", "key-1", R"({"rule":"R"})");
  commit();
  start(c);
  ASSERT_TRUE(server_->wait_for(1, 10s));
  ASSERT_TRUE(delivered_all());
  Request r = server_->requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hook");
  EXPECT_EQ(r.body, R"({"rule":"R"})");
  EXPECT_EQ(r.header("idempotency-key"), "key-1");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("x-team"), "ops");
  ASSERT_TRUE(eventually([&] { return worker_->stats().sent == 1; }));
  ChannelStats s = worker_->stats();
  EXPECT_EQ(s.channel, "hook");
  EXPECT_EQ(s.kind, "webhook");
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(s.retried, 0u);
  EXPECT_EQ(s.dead_lettered, 0u);
  EXPECT_EQ(s.pending, 0);
  EXPECT_FALSE(fs::exists(dead_letter_));
}

TEST_F(ChannelWorkerTest, RowsGoOutInOrderOnePerRequest) {
  serve(replies({}));
  for (int i = 1; i <= 3; ++i) add("hook", "k" + std::to_string(i), "{\"n\":" + std::to_string(i) + "}");
  commit();
  start(webhook());
  ASSERT_TRUE(server_->wait_for(3, 10s));
  auto got = server_->requests();
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].body, "{\"n\":" + std::to_string(i + 1) + "}");
    EXPECT_EQ(got[i].header("idempotency-key"), "k" + std::to_string(i + 1));
  }
  EXPECT_TRUE(delivered_all());
}

TEST_F(ChannelWorkerTest, OnlyItsOwnChannelsRowsAreSent) {
  serve(replies({}));
  add("other", "o1", "{}");
  add("hook", "h1", "{\"mine\":true}");
  commit();
  start(webhook());
  ASSERT_TRUE(delivered_all());
  std::this_thread::sleep_for(200ms);
  ASSERT_EQ(server_->count(), 1u);
  EXPECT_EQ(server_->requests()[0].header("idempotency-key"), "h1");
  EXPECT_EQ(outbox_->pending("other"), 1);
}

TEST_F(ChannelWorkerTest, RowsCommittedWhileRunningAreDelivered) {
  serve(replies({}));
  start(webhook());
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(server_->count(), 0u);
  add("hook", "late", "{}");
  commit();
  worker_->wake();
  ASSERT_TRUE(server_->wait_for(1, 10s));
  EXPECT_EQ(server_->requests()[0].header("idempotency-key"), "late");
  EXPECT_TRUE(delivered_all());
}

TEST_F(ChannelWorkerTest, MaxBatchBundlesRowsIntoOneJsonArray) {
  serve(replies({}));
  ChannelConfig c = webhook();
  c.max_batch = 2;
  add("hook", "a", R"({"n":1})");
  add("hook", "b", R"({"n":2})");
  add("hook", "c", R"({"n":3})");
  commit();
  start(c);
  ASSERT_TRUE(server_->wait_for(2, 10s));
  ASSERT_TRUE(delivered_all());
  auto got = server_->requests();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].body, R"([{"n":1},{"n":2}])");
  std::string bundle_key = got[0].header("idempotency-key");
  EXPECT_EQ(bundle_key.rfind("bundle-", 0), 0u) << bundle_key;
  EXPECT_EQ(bundle_key.size(), 7u + 16u) << bundle_key;
  EXPECT_EQ(got[1].body, R"([{"n":3}])");  // still an array, with the row's own key
  EXPECT_EQ(got[1].header("idempotency-key"), "c");
  EXPECT_EQ(worker_->stats().sent, 3u);  // counted per notification, not per request
}

// channel_worker.cc: "A bundle's key is derived from its members', so a retried bundle keeps its
// key." The rows of a failed bundle are due again at one time (one jittered backoff for the
// request, not one per row), so the retry sends the same members, bytes and key. With a 2 s base
// per-row jitter would spread the rows over a second and split the bundle.
TEST_F(ChannelWorkerTest, ARetriedBundleKeepsItsMembersAndItsKey) {
  serve(replies({status(500)}));
  ChannelConfig c = webhook();
  c.max_batch = 2;
  add("hook", "a", R"({"n":1})");
  add("hook", "b", R"({"n":2})");
  commit();
  start(c, /*retry_base_ms=*/2'000);
  ASSERT_TRUE(eventually([&] { return outbox_->pending("hook") == 0; }, 10s));
  auto got = server_->requests();
  ASSERT_GE(got.size(), 2u);
  EXPECT_EQ(got.size(), 2u);  // the failed bundle and its retry
  EXPECT_EQ(got[1].body, got[0].body);
  EXPECT_EQ(got[1].header("idempotency-key"), got[0].header("idempotency-key"));
}

// ---------------------------------------------------------------------------------------------
// Failures: permanent, transient, and what the receiver asks for.

TEST_F(ChannelWorkerTest, AClientErrorIsDeadLetteredAfterOneAttempt) {
  serve(replies({status(400)}));
  add("hook", "bad", R"({"x":1})");
  commit();
  start(webhook());
  ASSERT_TRUE(eventually([&] { return worker_->stats().dead_lettered == 1; }));
  EXPECT_EQ(outbox_->pending("hook"), 0);
  auto letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0]["channel"], "hook");
  EXPECT_EQ(letters[0]["key"], "bad");
  EXPECT_EQ(letters[0]["attempts"], 1);
  EXPECT_EQ(letters[0]["reason"], "HTTP 400");
  EXPECT_EQ(letters[0]["body"], R"({"x":1})");
  ChannelStats s = worker_->stats();
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.retried, 0u);
  EXPECT_EQ(s.sent, 0u);
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(server_->count(), 1u);  // never tried again
}

TEST_F(ChannelWorkerTest, EveryClientErrorButTimeoutAndTooManyRequestsIsPermanent) {
  for (int code : {401, 403, 404, 422}) {
    serve(replies({status(code)}));
    add("hook", "k" + std::to_string(code), "{}");
    commit();
    start(webhook());
    ASSERT_TRUE(eventually([&] { return worker_->stats().dead_lettered == 1; })) << code;
    EXPECT_EQ(worker_->stats().retried, 0u) << code;
    EXPECT_EQ(server_->count(), 1u) << code;
    worker_.reset();
  }
  auto letters = dead_letters();
  ASSERT_EQ(letters.size(), 4u);
  EXPECT_EQ(letters[3]["reason"], "HTTP 422");
}

TEST_F(ChannelWorkerTest, TimeoutTooManyRequestsAndServerErrorsAreRetriedWithTheSameKey) {
  serve(replies({status(408), status(429), status(500), status(503)}));
  ChannelConfig c = webhook();
  c.max_retries = 5;
  add("hook", "again", R"({"same":"bytes"})");
  commit();
  start(c);
  ASSERT_TRUE(server_->wait_for(5, 10s));
  ASSERT_TRUE(delivered_all());
  auto got = server_->requests();
  ASSERT_EQ(got.size(), 5u);
  for (const Request& r : got) {
    EXPECT_EQ(r.header("idempotency-key"), "again");
    EXPECT_EQ(r.body, R"({"same":"bytes"})");
  }
  ASSERT_TRUE(eventually([&] { return worker_->stats().sent == 1; }));
  ChannelStats s = worker_->stats();
  EXPECT_EQ(s.failed, 4u);
  EXPECT_EQ(s.retried, 4u);
  EXPECT_EQ(s.dead_lettered, 0u);
  EXPECT_EQ(s.throttled_by_receiver, 0u);  // a 429 without Retry-After is an ordinary failure
}

TEST_F(ChannelWorkerTest, AfterMaxRetriesTheRowIsDeadLetteredWithItsAttempts) {
  serve([](const Request&, size_t) { return status(500); });
  ChannelConfig c = webhook();
  c.max_retries = 2;
  add("hook", "doomed", "{}");
  commit();
  start(c);
  ASSERT_TRUE(eventually([&] { return worker_->stats().dead_lettered == 1; }));
  EXPECT_EQ(server_->count(), 3u);  // the first try and two retries
  auto letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0]["attempts"], 3);
  EXPECT_EQ(letters[0]["reason"], "HTTP 500");
  ChannelStats s = worker_->stats();
  EXPECT_EQ(s.failed, 3u);
  EXPECT_EQ(s.retried, 2u);
  EXPECT_EQ(outbox_->pending("hook"), 0);
}

TEST_F(ChannelWorkerTest, MaxRetriesZeroDeadLettersTheFirstFailure) {
  serve([](const Request&, size_t) { return status(502); });
  ChannelConfig c = webhook();
  c.max_retries = 0;
  add("hook", "once", "{}");
  commit();
  start(c);
  ASSERT_TRUE(eventually([&] { return worker_->stats().dead_lettered == 1; }));
  EXPECT_EQ(server_->count(), 1u);
  EXPECT_EQ(worker_->stats().retried, 0u);
}

TEST_F(ChannelWorkerTest, BackoffGrowsBetweenRetries) {
  // With a 200 ms base: the k-th retry waits between base*2^(k-1)/2 and base*2^(k-1).
  serve([](const Request&, size_t) { return status(500); });
  ChannelConfig c = webhook();
  c.max_retries = 2;
  add("hook", "slow", "{}");
  commit();
  start(c, /*retry_base_ms=*/200);
  ASSERT_TRUE(server_->wait_for(3, 10s));
  auto got = server_->requests();
  EXPECT_GE(ms_between(got[0], got[1]), 95);   // at least 100 ms
  EXPECT_GE(ms_between(got[1], got[2]), 195);  // at least 200 ms
}

TEST_F(ChannelWorkerTest, AnUnreachableReceiverIsRetriedThenDeadLettered) {
  ChannelConfig c;
  c.name = "hook";
  c.kind = "webhook";
  c.url = "http://127.0.0.1:" + std::to_string(test_http::closed_port()) + "/hook";
  c.timeout_ms = 2'000;
  c.max_retries = 1;
  add("hook", "nobody", "{}");
  commit();
  start(c);
  ASSERT_TRUE(eventually([&] { return worker_->stats().dead_lettered == 1; }));
  ChannelStats s = worker_->stats();
  EXPECT_EQ(s.failed, 2u);  // a connection error is worth retrying
  EXPECT_EQ(s.retried, 1u);
  auto letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  std::string reason = letters[0]["reason"];
  EXPECT_FALSE(reason.empty());
  EXPECT_EQ(reason.rfind("HTTP", 0), std::string::npos) << reason;  // curl's words, not a status
}

TEST_F(ChannelWorkerTest, ARowStaysWhenItsDeadLetterCannotBeWritten) {
  serve([](const Request&, size_t) { return status(400); });
  dead_letter_ = (dir_ / "missing-folder" / "dead-letter.jsonl").string();
  add("hook", "kept", "{}");
  commit();
  start(webhook());
  ASSERT_TRUE(server_->wait_for(2, 10s));  // tried again instead of being dropped
  ChannelStats s = worker_->stats();
  EXPECT_EQ(s.dead_lettered, 0u);
  EXPECT_GE(s.retried, 1u);
  EXPECT_EQ(outbox_->pending("hook"), 1);
}

TEST_F(ChannelWorkerTest, RetryAfterPausesWithoutCountingAFailure) {
  serve(replies({status(429, {{"Retry-After", "1"}})}));
  add("hook", "wait", "{}");
  commit();
  start(webhook());
  ASSERT_TRUE(server_->wait_for(2, 10s));
  ASSERT_TRUE(delivered_all());
  auto got = server_->requests();
  EXPECT_GE(ms_between(got[0], got[1]), 950);
  EXPECT_EQ(got[1].header("idempotency-key"), "wait");
  ASSERT_TRUE(eventually([&] { return worker_->stats().sent == 1; }));
  ChannelStats s = worker_->stats();
  EXPECT_EQ(s.throttled_by_receiver, 1u);
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(s.retried, 0u);
}

TEST_F(ChannelWorkerTest, ARetryAfterOfZeroStillWaitsASecond) {
  serve(replies({status(503, {{"Retry-After", "0"}})}));
  add("hook", "zero", "{}");
  commit();
  start(webhook());
  ASSERT_TRUE(server_->wait_for(2, 10s));
  auto got = server_->requests();
  EXPECT_GE(ms_between(got[0], got[1]), 950);
  EXPECT_EQ(worker_->stats().throttled_by_receiver, 1u);
}

TEST_F(ChannelWorkerTest, RetryAfterAsAnHttpDate) {
  std::time_t when = std::time(nullptr) + 2;
  std::tm tm{};
  gmtime_r(&when, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  serve(replies({status(429, {{"Retry-After", date}})}));
  add("hook", "dated", "{}");
  commit();
  start(webhook());
  ASSERT_TRUE(server_->wait_for(2, 10s));
  auto got = server_->requests();
  EXPECT_GE(ms_between(got[0], got[1]), 950);
  EXPECT_EQ(worker_->stats().throttled_by_receiver, 1u);
  EXPECT_EQ(worker_->stats().failed, 0u);
}

TEST_F(ChannelWorkerTest, RetryAfterOnOtherStatusesIsIgnored) {
  // Only 429 and 503 carry a wait; a 500 with Retry-After: 30 is an ordinary failure.
  serve(replies({status(500, {{"Retry-After", "30"}})}));
  add("hook", "plain", "{}");
  commit();
  start(webhook());
  ASSERT_TRUE(server_->wait_for(2, 10s));  // well before 30 s
  ChannelStats s = worker_->stats();
  EXPECT_EQ(s.throttled_by_receiver, 0u);
  EXPECT_EQ(s.failed, 1u);
}

TEST_F(ChannelWorkerTest, APauseHoldsTheWholeChannelAndKeepsTheOrder) {
  serve(replies({status(429, {{"Retry-After", "1"}})}));
  add("hook", "first", "{}");
  add("hook", "second", "{}");
  commit();
  start(webhook());
  ASSERT_TRUE(server_->wait_for(3, 10s));
  ASSERT_TRUE(delivered_all());
  auto got = server_->requests();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].header("idempotency-key"), "first");
  EXPECT_EQ(got[1].header("idempotency-key"), "first");
  EXPECT_EQ(got[2].header("idempotency-key"), "second");
  EXPECT_GE(ms_between(got[0], got[1]), 950);  // "second" did not go out during the pause either
}

TEST_F(ChannelWorkerTest, AReceiverThatAlwaysThrottlesEndsInOrdinaryRetries) {
  // Each Retry-After pause lasts at least a second, so the fallback after 20 in a row (ordinary
  // retries) would take too long to reach here; this checks that while a receiver keeps
  // throttling, nothing counts as a failure and the row stays, even with max_retries 0.
  serve([](const Request&, size_t) { return status(503, {{"Retry-After", "1"}}); });
  ChannelConfig c = webhook();
  c.max_retries = 0;
  add("hook", "busy", "{}");
  commit();
  start(c);
  ASSERT_TRUE(server_->wait_for(3, 10s));
  ChannelStats s = worker_->stats();
  EXPECT_GE(s.throttled_by_receiver, 2u);
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(s.dead_lettered, 0u);
  EXPECT_EQ(outbox_->pending("hook"), 1);
}

// ---------------------------------------------------------------------------------------------
// Rate, stopping, Alertmanager, provider envelopes.

TEST_F(ChannelWorkerTest, RateSpacesRequestsAfterABurstOfOneSecondsWorth) {
  serve(replies({}));
  ChannelConfig c = webhook();
  c.rate = 2;  // two a second: a burst of 2, then one every 500 ms
  for (int i = 0; i < 5; ++i) add("hook", "r" + std::to_string(i), "{}");
  commit();
  start(c);
  ASSERT_TRUE(server_->wait_for(5, 10s));
  auto got = server_->requests();
  EXPECT_GE(ms_between(got[1], got[4]), 1'400);  // three waits of 500 ms
  EXPECT_GE(ms_between(got[2], got[3]), 450);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(got[i].header("idempotency-key"), "r" + std::to_string(i));
}

TEST_F(ChannelWorkerTest, StopAbandonsAStalledTransferAndKeepsTheRowAsItWas) {
  serve([](const Request&, size_t) {
    Response r;
    r.stall = true;
    return r;
  });
  ChannelConfig c = webhook();
  c.timeout_ms = 60'000;
  add("hook", "stuck", "{}");
  commit();
  start(c);
  ASSERT_TRUE(server_->wait_for(1, 10s));
  auto before = std::chrono::steady_clock::now();
  worker_->stop();
  auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - before);
  EXPECT_LT(took.count(), 5'000);  // not the 60 s timeout
  auto rows = outbox_->due("hook", INT64_MAX, 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].attempts, 0);  // not a failed attempt
  EXPECT_EQ(worker_->stats().failed, 0u);
  EXPECT_EQ(worker_->stats().pending, 1);
}

TEST_F(ChannelWorkerTest, AlertmanagerGetsArraysAndFiringAlertsAreResentUntilResolved) {
  serve(replies({}));
  ChannelConfig c;
  c.name = "am";
  c.kind = "alertmanager";
  c.url = server_->url();
  c.timeout_ms = 5'000;
  c.resend_interval_ms = 200;
  add("am", "k-fire", R"({"labels":{"alertname":"R"}})", "firing", "fp1");
  commit();
  start(c);
  ASSERT_TRUE(server_->wait_for(1, 10s));
  Request first = server_->requests()[0];
  EXPECT_EQ(first.target, "/api/v2/alerts");
  EXPECT_EQ(first.body, R"([{"labels":{"alertname":"R"}}])");
  EXPECT_EQ(first.header("idempotency-key"), "k-fire");

  // Re-sent while firing.
  ASSERT_TRUE(server_->wait_for(2, 10s));
  Request resend = server_->requests()[1];
  EXPECT_EQ(resend.target, "/api/v2/alerts");
  EXPECT_EQ(resend.header("idempotency-key"), "resend");
  EXPECT_EQ(resend.body, R"([{"labels":{"alertname":"R"}}])");

  // Resolved: sent, and no more re-sends.
  add("am", "k-resolve", R"({"labels":{"alertname":"R"},"endsAt":"x"})", "resolved", "fp1");
  commit();
  worker_->wake();
  ASSERT_TRUE(eventually([&] {
    for (const Request& r : server_->requests()) {
      if (r.header("idempotency-key") == "k-resolve") return true;
    }
    return false;
  }));
  size_t resolved_at = 0;
  auto got = server_->requests();
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i].header("idempotency-key") == "k-resolve") resolved_at = i;
  }
  std::this_thread::sleep_for(700ms);  // more than three resend intervals
  got = server_->requests();
  for (size_t i = resolved_at + 1; i < got.size(); ++i) {
    EXPECT_NE(got[i].header("idempotency-key"), "resend") << "re-sent after it was resolved";
  }
}

TEST_F(ChannelWorkerTest, AProviderRowIsSentAsItsEnvelopeSays) {
  serve(replies({}));
  ChannelConfig c;
  c.name = "chat";
  c.kind = "discord";
  c.url = server_->url() + "/api/webhooks/1/abc";
  c.timeout_ms = 5'000;
  ProviderRequest req;
  req.path = "?wait=true";
  req.content_type = "application/json";
  req.headers = {{"X-Extra", "1"}};
  req.body = R"({"content":"hello"})";
  add("chat", "p1", encode_envelope(req));
  commit();
  start(c);
  ASSERT_TRUE(server_->wait_for(1, 10s));
  ASSERT_TRUE(delivered_all("chat"));
  Request r = server_->requests()[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/api/webhooks/1/abc?wait=true");
  EXPECT_EQ(r.body, R"({"content":"hello"})");
  EXPECT_EQ(r.header("x-extra"), "1");
  EXPECT_EQ(r.header("idempotency-key"), "p1");
  EXPECT_EQ(worker_->stats().sent, 1u);
}

TEST_F(ChannelWorkerTest, ADamagedEnvelopeIsDeadLetteredWithoutARequest) {
  serve(replies({}));
  ChannelConfig c;
  c.name = "chat";
  c.kind = "discord";
  c.url = server_->url();
  add("chat", "broken", "not an envelope");
  commit();
  start(c);
  ASSERT_TRUE(eventually([&] { return worker_->stats().dead_lettered == 1; }));
  EXPECT_EQ(server_->count(), 0u);
  auto letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0]["reason"], "the stored request is not readable");
  EXPECT_EQ(letters[0]["attempts"], 1);
}

}  // namespace
}  // namespace alert
