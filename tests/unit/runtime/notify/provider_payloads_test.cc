// The provider request envelopes and reply classification (runtime/notify/provider_payloads):
// replies of any shape never throw, cuts keep UTF-8 and markup whole, SMS segments follow
// GSM-7 / UCS-2.
#include "runtime/notify/provider_payloads.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace alert {
namespace {

ChannelConfig channel(const std::string& kind, const std::string& provider = "") {
  ChannelConfig c;
  c.name = "c";
  c.kind = kind;
  c.provider = provider;
  c.chat_id = "1";
  c.to = {"+15550002222"};
  c.from = "+15550001111";
  c.account = "AC1";
  c.topic = "t";
  c.device = std::string(64, 'a');
  return c;
}

Alert alert(std::string message) {
  Alert a;
  a.rule = "R";
  a.state = "firing";
  a.severity = "critical";
  a.message = std::move(message);
  a.fingerprint = "0123456789abcdef";
  return a;
}

TEST(ProviderReplies, RepliesOfAnyShapeAreClassifiedWithoutThrowing) {
  const std::pair<std::string, std::string> replies[] = {
      {"push:fcm", R"({"error":"invalid_token"})"}, {"sms:twilio", R"({"code":"E1"})"},
      {"telegram:", R"({"description":null})"},     {"push:apns", R"({"reason":5})"},
      {"discord:", R"({"message":{"a":1}})"},       {"pagerduty:", "not json"},
      {"push:fcm", R"({"error":{"details":"x"}})"}, {"push:fcm", R"({"error":{"details":[1,{"errorCode":7}]}})"}};
  for (const auto& [kind, body] : replies) {
    size_t colon = kind.find(':');
    ChannelConfig c = channel(kind.substr(0, colon), kind.substr(colon + 1));
    std::string reason;
    bool permanent = false, expired = false;
    EXPECT_NO_THROW(classify_provider_reply(c, 400, body, &reason, &permanent, &expired)) << kind << " " << body;
    EXPECT_EQ(reason.rfind("HTTP 400", 0), 0u) << reason;
  }
  std::string reason;
  bool permanent = true, expired = false;
  classify_provider_reply(channel("push", "fcm"), 401, R"({"error":{"status":"UNAUTHENTICATED"}})", &reason, &permanent,
                          &expired);
  EXPECT_FALSE(permanent);  // an expired access token: retried
  classify_provider_reply(channel("push", "apns"), 403, R"({"reason":"ExpiredProviderToken"})", &reason, &permanent,
                          &expired);
  EXPECT_TRUE(expired);
  EXPECT_FALSE(permanent);
  classify_provider_reply(channel("push", "apns"), 410, R"({"reason":"Unregistered"})", &reason, &permanent, &expired);
  EXPECT_TRUE(permanent);
  EXPECT_EQ(reason, "HTTP 410: APNs Unregistered");
}

TEST(ProviderRequests, ADamagedEnvelopeIsRefusedNotThrown) {
  ProviderRequest r;
  EXPECT_FALSE(decode_envelope(R"({"headers":[[1,2]]})", &r));
  EXPECT_FALSE(decode_envelope(R"({"headers":[["a"]]})", &r));
  EXPECT_FALSE(decode_envelope("[", &r));
}

TEST(ProviderRequests, CutsKeepUtf8AndTelegramMarkupWhole) {
  bool cut = false;
  std::string text = cut_bytes(std::string(10, 'x') + "\xF0\x9F\x98\x80\xF0\x9F\x98\x80", 16, "...", &cut);
  EXPECT_TRUE(cut);
  EXPECT_EQ(text, std::string(10, 'x') + "...");  // no half emoji
  ChannelConfig tg = channel("telegram");
  tg.title = std::string(5000, '&');
  auto requests = provider_requests(alert(std::string(5000, '<')), tg);
  ASSERT_EQ(requests.size(), 1u);
  std::string sent = nlohmann::json::parse(requests[0].body)["text"];
  EXPECT_TRUE(requests[0].cut);
  EXPECT_NE(sent.find("</b>"), std::string::npos);
  EXPECT_EQ(sent.find("&am\xE2"), std::string::npos);  // no entity split by the marker
}

TEST(ProviderRequests, SmsSegmentsFollowGsm7AndUcs2) {
  bool cut = false;
  int segments = 0;
  EXPECT_EQ(cut_sms(std::string(160, 'a'), 3, &cut, &segments), std::string(160, 'a'));
  EXPECT_EQ(segments, 1);
  EXPECT_EQ(cut_sms(std::string(161, 'a'), 3, &cut, &segments).size(), 161u);
  EXPECT_EQ(segments, 2);
  std::string ucs2 = cut_sms("✓" + std::string(100, 'a'), 1, &cut, &segments);  // 70 units at most
  EXPECT_TRUE(cut);
  EXPECT_EQ(ucs2, "✓" + std::string(66, 'a') + "...");
  EXPECT_FALSE(is_gsm7("✓"));
  EXPECT_TRUE(is_gsm7("Zürich {€}"));
}

}  // namespace
}  // namespace alert
