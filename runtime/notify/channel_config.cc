#include "runtime/notify/channel_config.h"

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>

namespace alert {
namespace {

// The option's value as text, reading env("NAME") now; a secret when it came from the environment.
Result<std::string> text_of(const ChannelConfig& c, const plan::OptionValue& v, std::vector<std::string>* secrets) {
  if (!v.env_var.empty()) {
    const char* value = std::getenv(v.env_var.c_str());
    if (!value) {
      return Result<std::string>::failure(
          fmt::format("channel '{}': environment variable '{}' is not set", c.name, v.env_var));
    }
    if (*value) secrets->push_back(value);
    return std::string(value);
  }
  return v.value.s;
}

// "scheme://user:password@host" -> the password, so it can be redacted.
void add_url_password(const std::string& url, std::vector<std::string>* secrets) {
  size_t scheme = url.find("://");
  size_t at = url.find('@', scheme == std::string::npos ? 0 : scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos) return;
  std::string userinfo = url.substr(scheme + 3, at - scheme - 3);
  size_t colon = userinfo.find(':');
  if (colon != std::string::npos && colon + 1 < userinfo.size()) secrets->push_back(userinfo.substr(colon + 1));
}

}  // namespace

std::string ChannelConfig::redact(std::string text) const {
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3)) text.replace(pos, s.size(), "***");
  }
  return text;
}

Result<std::vector<ChannelConfig>> resolve_channels(const plan::Program& program) {
  using R = Result<std::vector<ChannelConfig>>;
  std::vector<ChannelConfig> out;
  for (const plan::Channel& pc : program.channels) {
    ChannelConfig c;
    c.name = pc.name;
    c.kind = pc.kind;
    for (const auto& [name, value] : pc.options) {
      if (value.is_map) {
        for (const auto& [k, v] : value.entries) {
          auto text = text_of(c, v, &c.secrets);
          if (!text.ok()) return R::failure(text.error());
          c.headers.emplace_back(k, text.take());
        }
        continue;
      }
      if (value.value.kind == TypeKind::List) {
        for (const Value& item : value.value.list) c.to.push_back(item.s);
        continue;
      }
      if (value.value.kind == TypeKind::Duration && value.env_var.empty()) {
        int64_t ms = value.value.i / 1'000'000;
        if (name == "timeout") c.timeout_ms = ms;
        if (name == "group_wait") c.group_wait_ms = ms;
        if (name == "resend_interval") c.resend_interval_ms = ms;
        continue;
      }
      if (name == "rate" && value.env_var.empty()) {
        double rate = value.value.kind == TypeKind::Int ? static_cast<double>(value.value.i) : value.value.f;
        if (!(rate >= 0.001)) {
          return R::failure(fmt::format("channel '{}': rate must be at least 0.001 (one a quarter hour), found {}", c.name, rate));
        }
        c.rate = rate;
        continue;
      }
      if (value.value.kind == TypeKind::Int && value.env_var.empty()) {
        if (name == "max_retries") c.max_retries = static_cast<int>(value.value.i);
        if (name == "max_batch") c.max_batch = static_cast<int>(std::max<int64_t>(1, value.value.i));
        if (name == "max_segments") c.max_segments = static_cast<int>(std::clamp<int64_t>(value.value.i, 1, 10));
        continue;
      }
      auto text = text_of(c, value, &c.secrets);
      if (!text.ok()) return R::failure(text.error());
      if (name == "url" || name == "smtp") c.url = text.value();
      if (name == "path") c.path = text.value();
      if (name == "format") c.slack = text.value() == "slack";
      if (name == "from") c.from = text.value();
      if (name == "to") c.to = {text.value()};
      if (name == "subject") c.subject = text.value();
      if (name == "provider") c.provider = text.value();
      if (name == "topic") c.topic = text.value();  // from env(), a secret like any (ntfy topics are access)
      if (name == "title") c.title = text.value();
      if (name == "priority") c.priority = text.value();
      if (name == "chat_id") c.chat_id = text.value();
      if (name == "account") c.account = text.value();
      if (name == "project") c.project = text.value();
      if (name == "device") c.device = text.value();
      if (name == "user") c.user = text.value();
      if (name == "key_file") c.key_file = text.value();
      if (name == "key_id") c.key_id = text.value();
      if (name == "team_id") c.team_id = text.value();
      // Credentials are secrets however they are written: never in a log or a dead letter.
      if (name == "token" || name == "routing_key" || name == "api_key") {
        (name == "token" ? c.token : name == "routing_key" ? c.routing_key : c.api_key) = text.value();
        if (!text.value().empty()) c.secrets.push_back(text.value());
      }
    }
    // A provider's public service when no url is given (tests and private deployments set one).
    if (c.url.empty()) {
      if (c.kind == "push") {
        c.url = c.provider == "fcm"        ? "https://fcm.googleapis.com"
                : c.provider == "pushover" ? "https://api.pushover.net"
                : c.provider == "apns"     ? "https://api.push.apple.com"
                                           : "https://ntfy.sh";
      }
      if (c.kind == "opsgenie") c.url = "https://api.opsgenie.com";
      if (c.kind == "pagerduty") c.url = "https://events.pagerduty.com";
      if (c.kind == "telegram") c.url = "https://api.telegram.org";
      if (c.kind == "sms") c.url = "https://api.twilio.com";
    }
    while (c.is_provider() && !c.url.empty() && c.url.back() == '/' && c.kind != "discord") c.url.pop_back();
    add_url_password(c.url, &c.secrets);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace alert
