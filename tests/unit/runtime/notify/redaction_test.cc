// Secrets kept out of messages (docs/channels.md "Secrets", docs/architecture.md channel_config
// and provider_payloads): every env() value, every credential option (token, routing_key,
// api_key) and every URL password is a secret that ChannelConfig::redact() replaces by "***";
// dead letters (reason and body), delivery errors and the notifier's own errors are redacted;
// provider credentials are never stored in the outbox, only added to the request when it is sent.
#include "runtime/notify/channel_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "alert/notifier.h"
#include "compiler/plan/compiled_program.h"
#include "runtime/notify/channel_worker.h"
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

// An environment variable set for the life of the object.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_.c_str()); }

 private:
  std::string name_;
};

plan::OptionValue literal(const std::string& text) {
  plan::OptionValue v;
  v.value = Value::string(text);
  return v;
}
plan::OptionValue number(int64_t n) {
  plan::OptionValue v;
  v.value = Value::integer(n);
  return v;
}
plan::OptionValue from_env(const std::string& name) {
  plan::OptionValue v;
  v.env_var = name;
  v.value = Value::string("");
  return v;
}
plan::OptionValue map_of(std::map<std::string, plan::OptionValue> entries) {
  plan::OptionValue v;
  v.is_map = true;
  v.entries = std::move(entries);
  return v;
}

// The one channel resolve_channels() makes of a plan channel; fails the test on an error.
ChannelConfig resolve(const std::string& kind, std::map<std::string, plan::OptionValue> options) {
  plan::Program program;
  plan::Channel c;
  c.name = "c";
  c.kind = kind;
  c.options = std::move(options);
  program.channels.push_back(std::move(c));
  auto resolved = resolve_channels(program);
  EXPECT_TRUE(resolved.ok()) << (resolved.ok() ? "" : resolved.error());
  if (!resolved.ok() || resolved.value().size() != 1) return {};
  return resolved.take()[0];
}

ChannelConfig with_secrets(std::vector<std::string> secrets) {
  ChannelConfig c;
  c.secrets = std::move(secrets);
  return c;
}

Alert alert_saying(std::string message) {
  Alert a;
  a.rule = "DiskFull";
  a.state = "firing";
  a.severity = "critical";
  a.message = std::move(message);
  a.fingerprint = "0123456789abcdef";
  return a;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

// ---------------------------------------------------------------------------------------------
// redact() itself.

TEST(Redact, EveryOccurrenceOfEverySecretIsMasked) {
  ChannelConfig c = with_secrets({"tok-123", "hunter2"});
  EXPECT_EQ(c.redact("a tok-123 b tok-123 c hunter2"), "a *** b *** c ***");
  EXPECT_EQ(c.redact("tok-123tok-123hunter2"), "*********");
  EXPECT_EQ(c.redact("nothing secret here"), "nothing secret here");
  EXPECT_EQ(c.redact(""), "");
}

TEST(Redact, AnEmptySecretMasksNothing) {
  ChannelConfig c = with_secrets({"", "x-secret"});
  EXPECT_EQ(c.redact("plain text"), "plain text");
  EXPECT_EQ(c.redact("a x-secret"), "a ***");
}

TEST(Redact, ASecretThatLooksLikeTheMaskTerminates) {
  EXPECT_EQ(with_secrets({"***"}).redact("*** and ***"), "*** and ***");
  EXPECT_EQ(with_secrets({"*"}).redact("a*b"), "a***b");
}

// channel_config.h: "every secret (and any user:password in a URL) replaced": not only the
// channel's own url's password, which resolve_channels() registers, but any URL's in a message
// (a header value, a receiver's reply, a curl error about a redirect). Only the authority holds
// one: an '@' after the first '/', '?' or '#' is not a password's end.
TEST(Redact, AnyUserPasswordInAUrlIsMasked) {
  ChannelConfig c;
  EXPECT_EQ(c.redact("redirected to https://bob:pa55word@other.example/x"), "redirected to https://bob:***@other.example/x");
  EXPECT_EQ(c.redact("a http://u:p@a/ and smtp://v:q%40r@b:25 too"), "a http://u:***@a/ and smtp://v:***@b:25 too");
  EXPECT_EQ(c.redact("\"http://u:p@s@a\""), "\"http://u:***@a\"");  // the authority's last '@'
  EXPECT_EQ(c.redact("'https://u:it's@a'"), "'https://u:***@a'");     // a quote is fine in userinfo
  EXPECT_EQ(c.redact("https://a.example/x?to=bob:pw@b.example"), "https://a.example/x?to=bob:pw@b.example");
  EXPECT_EQ(c.redact("https://a.example#bob:pw@b"), "https://a.example#bob:pw@b");
  EXPECT_EQ(c.redact("https://bob@a.example https://bob:@a.example"), "https://bob@a.example https://bob:@a.example");
  EXPECT_EQ(c.redact("https://a.example then bob:pw@b.example"), "https://a.example then bob:pw@b.example");
}

// A secret that contains another, shorter one (the token "abc", the URL password "abc-123") is
// masked whole, whichever came first; so are two that overlap.
TEST(Redact, ASecretContainingAnotherIsMaskedWhole) {
  ChannelConfig c = with_secrets({"abc", "abc-123"});
  EXPECT_EQ(c.redact("password abc-123"), "password ***");
  EXPECT_EQ(with_secrets({"abc-123", "abc"}).redact("password abc-123 abc"), "password *** ***");
  EXPECT_EQ(with_secrets({"abcd", "cdef"}).redact("xabcdefx"), "x***x");
}

// ---------------------------------------------------------------------------------------------
// What resolve_channels() registers as a secret.

TEST(RedactSecrets, EnvironmentValuesAreSecrets) {
  ScopedEnv url("ALERT_REDACT_TEST_URL", "https://hooks.example/T00/B00/XyZsecretPath");
  ChannelConfig c = resolve("webhook", {{"url", from_env("ALERT_REDACT_TEST_URL")}});
  EXPECT_EQ(c.url, "https://hooks.example/T00/B00/XyZsecretPath");
  EXPECT_EQ(c.redact("POST https://hooks.example/T00/B00/XyZsecretPath failed"), "POST *** failed");
}

TEST(RedactSecrets, HeaderValuesFromTheEnvironmentAreSecretsLiteralOnesAreNot) {
  ScopedEnv token("ALERT_REDACT_TEST_AUTH", "Bearer eyJhbGciOi.secret");
  ChannelConfig c = resolve("webhook", {{"url", literal("http://127.0.0.1:9/x")},
                                        {"headers", map_of({{"Authorization", from_env("ALERT_REDACT_TEST_AUTH")},
                                                            {"X-Team", literal("payments")}})}});
  ASSERT_EQ(c.headers.size(), 2u);
  EXPECT_EQ(c.redact("sent Authorization: Bearer eyJhbGciOi.secret"), "sent Authorization: ***");
  EXPECT_EQ(c.redact("X-Team: payments"), "X-Team: payments");
}

TEST(RedactSecrets, CredentialOptionsAreSecretsEvenWhenWrittenLiterally) {
  ChannelConfig telegram = resolve("telegram", {{"token", literal("123456:AAlit-token")}, {"chat_id", literal("42")}});
  EXPECT_EQ(telegram.token, "123456:AAlit-token");
  EXPECT_EQ(telegram.redact("bad token 123456:AAlit-token"), "bad token ***");
  EXPECT_EQ(telegram.redact("chat 42"), "chat 42");  // a chat id written in the file is not a credential

  ChannelConfig pd = resolve("pagerduty", {{"routing_key", literal("R0UTINGKEY0123")}});
  EXPECT_EQ(pd.redact("{\"routing_key\":\"R0UTINGKEY0123\"}"), "{\"routing_key\":\"***\"}");

  ChannelConfig og = resolve("opsgenie", {{"api_key", literal("og-api-key-9")}});
  EXPECT_EQ(og.redact("GenieKey og-api-key-9"), "GenieKey ***");
}

TEST(RedactSecrets, TheUrlPasswordIsASecretTheUserIsNot) {
  ChannelConfig c = resolve("webhook", {{"url", literal("https://bob:hunter2@example.com/hook")}});
  EXPECT_EQ(c.redact("cannot reach https://bob:hunter2@example.com/hook"), "cannot reach https://bob:***@example.com/hook");
  EXPECT_EQ(c.redact("hunter2"), "***");
}

TEST(RedactSecrets, TheSmtpPasswordIsASecret) {
  ChannelConfig c = resolve("email", {{"smtp", literal("smtp://mailer:s3cr3t-pw@mail.example:587")},
                                      {"from", literal("alerts@example.com")},
                                      {"to", literal("ops@example.com")}});
  EXPECT_EQ(c.url, "smtp://mailer:s3cr3t-pw@mail.example:587");
  EXPECT_EQ(c.redact("Login denied for mailer:s3cr3t-pw"), "Login denied for mailer:***");
  EXPECT_EQ(c.redact("from alerts@example.com"), "from alerts@example.com");
}

TEST(RedactSecrets, AUrlFromTheEnvironmentHidesBothTheUrlAndItsPassword) {
  ScopedEnv url("ALERT_REDACT_TEST_AM", "http://admin:am-pass-77@am.internal:9093");
  ChannelConfig c = resolve("alertmanager", {{"url", from_env("ALERT_REDACT_TEST_AM")}});
  EXPECT_EQ(c.redact("posting to http://admin:am-pass-77@am.internal:9093/api/v2/alerts"), "posting to ***/api/v2/alerts");
  EXPECT_EQ(c.redact("password am-pass-77 refused"), "password *** refused");
}

TEST(RedactSecrets, AUrlWithoutAPasswordMasksNothing) {
  ChannelConfig c = resolve("webhook", {{"url", literal("https://bob@example.com/hook")}});
  EXPECT_EQ(c.redact("HTTP 500 from https://bob@example.com/hook"), "HTTP 500 from https://bob@example.com/hook");
  ChannelConfig d = resolve("webhook", {{"url", literal("https://example.com/hook")}});
  EXPECT_EQ(d.redact("HTTP 500 from https://example.com/hook"), "HTTP 500 from https://example.com/hook");
}

// The userinfo ends with the authority, at the first '/', '?' or '#': an '@' in the query is no
// password's end ("8443/notify?to=ops" is not a password).
TEST(RedactSecrets, AnAtSignInThePathOrQueryIsNotAPassword) {
  ChannelConfig c = resolve("webhook", {{"url", literal("https://example.com:8443/notify?to=ops@example.com")}});
  EXPECT_EQ(c.redact("HTTP 500 from https://example.com:8443/notify?to=ops@example.com"),
            "HTTP 500 from https://example.com:8443/notify?to=ops@example.com");
}

TEST(RedactSecrets, PlainOptionsAreNotSecrets) {
  ChannelConfig c = resolve("push", {{"provider", literal("ntfy")},
                                     {"topic", literal("ops-depots")},
                                     {"title", literal("Disk full")},
                                     {"max_retries", number(3)}});
  EXPECT_EQ(c.max_retries, 3);
  EXPECT_EQ(c.redact("ops-depots: Disk full"), "ops-depots: Disk full");
}

TEST(RedactSecrets, AMissingVariableIsAnErrorThatNamesOnlyTheVariable) {
  ::unsetenv("ALERT_REDACT_TEST_MISSING");
  plan::Program program;
  plan::Channel c;
  c.name = "hook";
  c.kind = "webhook";
  c.options = {{"url", from_env("ALERT_REDACT_TEST_MISSING")}};
  program.channels.push_back(c);
  auto resolved = resolve_channels(program);
  ASSERT_FALSE(resolved.ok());
  EXPECT_EQ(resolved.error(), "channel 'hook': environment variable 'ALERT_REDACT_TEST_MISSING' is not set");
}

// ---------------------------------------------------------------------------------------------
// Where the code applies redact(): the notifier's errors, dead letters, provider replies.

TEST(RedactUse, TheNotifierMasksAFilePathFromTheEnvironmentInItsError) {
  ScopedEnv path("ALERT_REDACT_TEST_LOG", "/nonexistent-S3CRETDIR-alertc/alerts.log");
  auto program = std::make_shared<CompiledProgram>();
  plan::Channel c;
  c.name = "log";
  c.kind = "file";
  c.options = {{"path", from_env("ALERT_REDACT_TEST_LOG")}};
  program->plan.channels.push_back(c);
  NotifierOptions options;
  options.state_dir = (fs::temp_directory_path() / "alert_redact_unused").string();
  auto notifier = Notifier::open(program, options);
  ASSERT_FALSE(notifier.ok());
  EXPECT_EQ(notifier.error().find("S3CRETDIR"), std::string::npos) << notifier.error();
  EXPECT_NE(notifier.error().find("channel 'log': cannot open '***'"), std::string::npos) << notifier.error();
}

class RedactWorkerTest : public WorkerFixture {
 protected:
  // Stores the alert for `c` as the notifier would and returns what went into the outbox.
  std::vector<std::string> enqueue(const ChannelConfig& c, const Alert& a) {
    std::vector<std::string> stored;
    for (const ProviderRequest& r : provider_requests(a, c)) {
      OutboxRow row;
      row.channel = c.name;
      row.key = "key-" + std::to_string(stored.size());
      row.body = encode_envelope(r);
      row.state = a.state;
      row.fingerprint = a.fingerprint;
      EXPECT_TRUE(outbox_->add(row).ok());
      stored.push_back(row.body);
    }
    EXPECT_TRUE(outbox_->commit().ok());
    return stored;
  }

  std::string dead_letter_text() const {
    std::ifstream in(dead_letter_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
};

TEST_F(RedactWorkerTest, ADeadLetterMasksSecretsInTheReasonAndTheBody) {
  const std::string token = "123456:S3CRET-tg-token";
  server_ = std::make_unique<Server>([&](const Request&, size_t) {
    Response r;
    r.status = 401;
    r.body = R"({"ok":false,"error_code":401,"description":"Unauthorized: token 123456:S3CRET-tg-token is revoked"})";
    return r;
  });
  ChannelConfig c = resolve("telegram", {{"token", literal(token)}, {"chat_id", literal("42")}});
  c.url = server_->url();
  c.name = "tg";
  // Alert text can hold anything, a secret too (a row's value): it must not reach the letter.
  enqueue(c, alert_saying("the value was " + token));
  worker_ = std::make_unique<ChannelWorker>(c, *outbox_, dead_letter_, 10);
  ASSERT_TRUE(eventually([&] { return worker_->stats().dead_lettered == 1; }));

  std::string text = dead_letter_text();
  EXPECT_EQ(text.find("S3CRET"), std::string::npos) << text;
  auto letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0]["reason"], "HTTP 401: Unauthorized: token *** is revoked");
  std::string body = letters[0]["body"];
  EXPECT_NE(body.find("the value was ***"), std::string::npos) << body;
  // The request itself did carry the token, in the path, where Telegram wants it.
  ASSERT_EQ(server_->count(), 1u);
  EXPECT_EQ(server_->requests()[0].target, "/bot" + token + "/sendMessage");
}

TEST_F(RedactWorkerTest, AWebhookDeadLetterMasksTheUrlPassword) {
  server_ = std::make_unique<Server>([](const Request&, size_t) {
    Response r;
    r.status = 400;
    return r;
  });
  std::string url = "http://hook:S3CRET-pw-9@127.0.0.1:" + std::to_string(server_->port()) + "/in";
  ChannelConfig c = resolve("webhook", {{"url", literal(url)}, {"max_retries", number(0)}});
  c.name = "hook";
  OutboxRow row;
  row.channel = "hook";
  row.key = "k";
  row.body = R"({"message":"login S3CRET-pw-9 leaked into a row"})";
  ASSERT_TRUE(outbox_->add(row).ok());
  ASSERT_TRUE(outbox_->commit().ok());
  worker_ = std::make_unique<ChannelWorker>(c, *outbox_, dead_letter_, 10);
  ASSERT_TRUE(eventually([&] { return worker_->stats().dead_lettered == 1; }));
  std::string text = dead_letter_text();
  EXPECT_EQ(text.find("S3CRET"), std::string::npos) << text;
  EXPECT_NE(text.find("login *** leaked"), std::string::npos) << text;
  // curl sent the URL's credentials as basic auth: "hook:S3CRET-pw-9".
  ASSERT_GE(server_->count(), 1u);
  EXPECT_EQ(server_->requests()[0].header("authorization"), "Basic aG9vazpTM0NSRVQtcHctOQ==");
}

// Every provider credential is added at send time: the stored envelope never holds it, the
// request the receiver gets does, in the place the provider expects.
TEST_F(RedactWorkerTest, ProviderCredentialsAreNeverStoredOnlySent) {
  server_ = std::make_unique<Server>([](const Request&, size_t) { return Response{}; });
  struct Case {
    std::string name;
    ChannelConfig config;
    std::string secret;
    std::function<bool(const Request&)> carries;
  };
  auto config = [&](const std::string& kind, const std::string& provider) {
    ChannelConfig c;
    c.name = kind + (provider.empty() ? "" : "-" + provider);
    c.kind = kind;
    c.provider = provider;
    c.url = server_->url();
    c.timeout_ms = 5'000;
    c.to = {"+15550002222"};
    c.from = "+15550001111";
    c.chat_id = "42";
    c.topic = "ops";
    c.project = "proj";
    c.device = "dev";
    c.user = "pushover-user";
    return c;
  };
  std::vector<Case> cases;
  {
    ChannelConfig c = config("push", "ntfy");
    c.token = "S3CRET-ntfy";
    cases.push_back({"ntfy", c, c.token, [](const Request& r) { return r.header("authorization") == "Bearer S3CRET-ntfy"; }});
  }
  {
    ChannelConfig c = config("push", "fcm");
    c.token = "S3CRET-fcm";
    cases.push_back({"fcm", c, c.token, [](const Request& r) { return r.header("authorization") == "Bearer S3CRET-fcm"; }});
  }
  {
    ChannelConfig c = config("push", "pushover");
    c.token = "S3CRET-pushover";
    cases.push_back({"pushover", c, c.token, [](const Request& r) {
                       return r.body.size() > 22 && r.body.substr(r.body.size() - 22) == "&token=S3CRET-pushover" &&
                              !r.has_header("authorization");
                     }});
  }
  {
    ChannelConfig c = config("pagerduty", "");
    c.routing_key = "S3CRET-pd";
    cases.push_back({"pagerduty", c, c.routing_key, [](const Request& r) {
                       auto j = nlohmann::json::parse(r.body, nullptr, false);
                       return j.is_object() && j.value("routing_key", "") == "S3CRET-pd";
                     }});
  }
  {
    ChannelConfig c = config("telegram", "");
    c.token = "S3CRET-tg";
    cases.push_back({"telegram", c, c.token, [](const Request& r) { return r.target == "/botS3CRET-tg/sendMessage"; }});
  }
  {
    ChannelConfig c = config("opsgenie", "");
    c.api_key = "S3CRET-og";
    cases.push_back({"opsgenie", c, c.api_key, [](const Request& r) { return r.header("authorization") == "GenieKey S3CRET-og"; }});
  }
  {
    ChannelConfig c = config("sms", "twilio");
    c.account = "AC1";
    c.token = "S3CRET-twilio";
    cases.push_back({"twilio", c, c.token, [](const Request& r) {
                       return r.header("authorization") == "Basic QUMxOlMzQ1JFVC10d2lsaW8=";  // AC1:S3CRET-twilio
                     }});
  }
  {
    ChannelConfig c = config("sms", "kannel");
    c.account = "kuser";
    c.token = "S3CRET-kannel";
    cases.push_back({"kannel", c, c.token, [](const Request& r) {
                       return r.method == "GET" && r.target.find("username=kuser&password=S3CRET-kannel") != std::string::npos;
                     }});
  }

  for (Case& k : cases) {
    k.config.secrets = {k.secret};
    size_t before = server_->count();
    std::vector<std::string> stored = enqueue(k.config, alert_saying("disk full on db-1"));
    ASSERT_FALSE(stored.empty()) << k.name;
    for (const std::string& envelope : stored) EXPECT_EQ(envelope.find(k.secret), std::string::npos) << k.name << ": " << envelope;
    worker_ = std::make_unique<ChannelWorker>(k.config, *outbox_, dead_letter_, 10);
    ASSERT_TRUE(server_->wait_for(before + stored.size(), 10s)) << k.name;
    EXPECT_TRUE(eventually([&] { return outbox_->pending(k.config.name) == 0; })) << k.name;
    Request got = server_->requests()[before];
    EXPECT_TRUE(k.carries(got)) << k.name << ": " << got.method << " " << got.target << "\n" << got.body;
    worker_.reset();
  }
  EXPECT_FALSE(fs::exists(dead_letter_)) << dead_letter_text();
}

// Options read from env() (secrets) are like credentials: the stored envelope holds a
// placeholder, and the request the receiver gets holds the value, escaped as its place needs.
TEST_F(RedactWorkerTest, EnvironmentOptionsAreNeverStoredOnlySent) {
  server_ = std::make_unique<Server>([](const Request&, size_t) { return Response{}; });
  ScopedEnv topic("ALERT_REDACT_TEST_E_TOPIC", "S3CRET-topic");
  ScopedEnv priority("ALERT_REDACT_TEST_E_PRIORITY", "S3CRET-prio");
  ScopedEnv project("ALERT_REDACT_TEST_E_PROJECT", "S3CRET-project");
  ScopedEnv device("ALERT_REDACT_TEST_E_DEVICE", "S3CRET-device");
  ScopedEnv user("ALERT_REDACT_TEST_E_USER", "S3CRET user&x");
  ScopedEnv chat("ALERT_REDACT_TEST_E_CHAT", "-100S3CRET");
  ScopedEnv account("ALERT_REDACT_TEST_E_ACCOUNT", "ACS3CRET");
  ScopedEnv from("ALERT_REDACT_TEST_E_FROM", "+1555S3CRET1");
  ScopedEnv to("ALERT_REDACT_TEST_E_TO", "+1555S3CRET2");
  struct Case {
    std::string name;
    ChannelConfig config;
    std::function<bool(const Request&)> carries;
  };
  auto body_json = [](const Request& r) { return nlohmann::json::parse(r.body, nullptr, false); };
  std::vector<Case> cases;
  cases.push_back({"ntfy",
                   resolve("push", {{"provider", literal("ntfy")},
                                    {"topic", from_env("ALERT_REDACT_TEST_E_TOPIC")},
                                    {"priority", from_env("ALERT_REDACT_TEST_E_PRIORITY")}}),
                   [](const Request& r) { return r.target == "/S3CRET-topic" && r.header("priority") == "S3CRET-prio"; }});
  cases.push_back({"fcm",
                   resolve("push", {{"provider", literal("fcm")},
                                    {"project", from_env("ALERT_REDACT_TEST_E_PROJECT")},
                                    {"device", from_env("ALERT_REDACT_TEST_E_DEVICE")}}),
                   [&](const Request& r) {
                     auto j = body_json(r);
                     return r.target == "/v1/projects/S3CRET-project/messages:send" && j.is_object() &&
                            j["message"].value("token", "") == "S3CRET-device";
                   }});
  cases.push_back({"fcm-topic",
                   resolve("push", {{"provider", literal("fcm")},
                                    {"project", literal("p")},
                                    {"topic", from_env("ALERT_REDACT_TEST_E_TOPIC")}}),
                   [&](const Request& r) {
                     auto j = body_json(r);
                     return j.is_object() && j["message"].value("topic", "") == "S3CRET-topic";
                   }});
  cases.push_back({"pushover",
                   resolve("push", {{"provider", literal("pushover")},
                                    {"token", literal("app-token")},
                                    {"user", from_env("ALERT_REDACT_TEST_E_USER")}}),
                   [](const Request& r) {
                     return r.body.rfind("user=S3CRET%20user%26x&", 0) == 0 && r.body.ends_with("&token=app-token");
                   }});
  cases.push_back({"telegram",
                   resolve("telegram", {{"token", literal("tg")}, {"chat_id", from_env("ALERT_REDACT_TEST_E_CHAT")}}),
                   [&](const Request& r) {
                     auto j = body_json(r);
                     return r.target == "/bottg/sendMessage" && j.is_object() && j.value("chat_id", "") == "-100S3CRET";
                   }});
  cases.push_back({"twilio",
                   resolve("sms", {{"provider", literal("twilio")},
                                   {"account", from_env("ALERT_REDACT_TEST_E_ACCOUNT")},
                                   {"token", literal("tw")},
                                   {"from", from_env("ALERT_REDACT_TEST_E_FROM")},
                                   {"to", from_env("ALERT_REDACT_TEST_E_TO")}}),
                   [](const Request& r) {
                     return r.target == "/2010-04-01/Accounts/ACS3CRET/Messages.json" &&
                            r.body.rfind("To=%2B1555S3CRET2&From=%2B1555S3CRET1&Body=", 0) == 0;
                   }});
  cases.push_back({"kannel",
                   resolve("sms", {{"provider", literal("kannel")},
                                   {"account", literal("ku")},
                                   {"token", literal("kp")},
                                   {"from", from_env("ALERT_REDACT_TEST_E_FROM")},
                                   {"to", from_env("ALERT_REDACT_TEST_E_TO")}}),
                   [](const Request& r) {
                     return r.target.rfind("/cgi-bin/sendsms?to=%2B1555S3CRET2&from=%2B1555S3CRET1&text=", 0) == 0 &&
                            r.target.ends_with("&username=ku&password=kp");
                   }});
  for (Case& k : cases) {
    k.config.name = k.name;
    k.config.url = server_->url();
    k.config.timeout_ms = 5'000;
    size_t before = server_->count();
    std::vector<std::string> stored = enqueue(k.config, alert_saying("disk full on db-1"));
    ASSERT_FALSE(stored.empty()) << k.name;
    for (const std::string& envelope : stored) EXPECT_EQ(envelope.find("S3CRET"), std::string::npos) << k.name << ": " << envelope;
    worker_ = std::make_unique<ChannelWorker>(k.config, *outbox_, dead_letter_, 10);
    ASSERT_TRUE(server_->wait_for(before + stored.size(), 10s)) << k.name;
    EXPECT_TRUE(eventually([&] { return outbox_->pending(k.config.name) == 0; })) << k.name;
    Request got = server_->requests()[before];
    EXPECT_TRUE(k.carries(got)) << k.name << ": " << got.method << " " << got.target << "\n" << got.body;
    worker_.reset();
  }
  EXPECT_FALSE(fs::exists(dead_letter_)) << dead_letter_text();
}

TEST_F(RedactWorkerTest, AStoredRequestWhoseOptionTheChannelNoLongerHasIsDeadLettered) {
  server_ = std::make_unique<Server>([](const Request&, size_t) { return Response{}; });
  ScopedEnv topic("ALERT_REDACT_TEST_GONE_TOPIC", "S3CRET-gone");
  ChannelConfig stored_with = resolve("push", {{"provider", literal("ntfy")}, {"topic", from_env("ALERT_REDACT_TEST_GONE_TOPIC")}});
  stored_with.name = "gone";
  enqueue(stored_with, alert_saying("x"));
  ChannelConfig now = stored_with;  // a restart where the channel lost its topic
  now.topic.clear();
  now.url = server_->url();
  worker_ = std::make_unique<ChannelWorker>(now, *outbox_, dead_letter_, 10);
  ASSERT_TRUE(eventually([&] { return worker_->stats().dead_lettered == 1; }));
  EXPECT_EQ(server_->count(), 0u);
  auto letters = dead_letters();
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0]["reason"], "the stored request needs the channel's 'topic', which it no longer has");
}

// channel_config.cc marks a topic read from env() as a secret ("ntfy topics are access"), and
// docs/architecture.md promises "the outbox file never holds a secret": the envelope holds a
// placeholder, filled from the channel when the request is sent (RedactWorkerTest below).
TEST(RedactOutbox, AnEnvironmentTopicIsNotStoredInTheOutbox) {
  ScopedEnv topic("ALERT_REDACT_TEST_TOPIC", "S3CRET-topic-7f3a");
  ChannelConfig c = resolve("push", {{"provider", literal("ntfy")}, {"topic", from_env("ALERT_REDACT_TEST_TOPIC")}});
  for (const ProviderRequest& r : provider_requests(alert_saying("x"), c)) {
    EXPECT_EQ(encode_envelope(r).find("S3CRET-topic-7f3a"), std::string::npos) << encode_envelope(r);
  }
}

}  // namespace
}  // namespace alert
