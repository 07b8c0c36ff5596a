#include "runtime/notify/channel_config.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string_view>
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

// Where the password of the URL whose "://" is at `scheme` lies in `text`: in the authority
// (up to the first '/', '?' or '#', or what no URL holds unencoded: white space, '"', '<' or
// '>'), between the userinfo's first ':' and the authority's last '@'. {npos, 0} when it has none.
std::pair<size_t, size_t> url_password(std::string_view text, size_t scheme) {
  size_t begin = scheme + 3;
  size_t end = begin;
  while (end < text.size() && !std::strchr("/?# \t\r\n\"<>", text[end])) ++end;
  std::string_view authority = text.substr(begin, end - begin);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return {std::string_view::npos, 0};
  size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos || colon + 1 == at) return {std::string_view::npos, 0};
  return {begin + colon + 1, at - colon - 1};
}

// "scheme://user:password@host" -> the password, so it can be redacted wherever it stands.
void add_url_password(const std::string& url, std::vector<std::string>* secrets) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return;
  auto [at, length] = url_password(url, scheme);
  if (at != std::string_view::npos) secrets->push_back(url.substr(at, length));
}

// A map option: the channel's extra HTTP headers, each value possibly from the environment.
Result<bool> add_headers(ChannelConfig& c, const plan::OptionValue& value) {
  for (const auto& [k, v] : value.entries) {
    auto text = text_of(c, v, &c.secrets);
    if (!text.ok()) return Result<bool>::failure(text.error());
    c.headers.emplace_back(k, text.take());
  }
  return true;
}

void set_duration(ChannelConfig& c, const std::string& name, int64_t ms) {
  if (name == "timeout") c.timeout_ms = ms;
  if (name == "group_wait") c.group_wait_ms = ms;
  if (name == "resend_interval") c.resend_interval_ms = ms;
}

Result<bool> set_rate(ChannelConfig& c, const plan::OptionValue& value) {
  double rate = value.value.kind == TypeKind::Int ? static_cast<double>(value.value.i) : value.value.f;
  if (!(rate >= 0.001)) {
    return Result<bool>::failure(
        fmt::format("channel '{}': rate must be at least 0.001 (one a quarter hour), found {}", c.name, rate));
  }
  c.rate = rate;
  return true;
}

void set_number(ChannelConfig& c, const std::string& name, int64_t n) {
  if (name == "max_retries") c.max_retries = static_cast<int>(n);
  if (name == "max_batch") c.max_batch = static_cast<int>(std::max<int64_t>(1, n));
  if (name == "max_segments") c.max_segments = static_cast<int>(std::clamp<int64_t>(n, 1, 10));
}

void set_text(ChannelConfig& c, const std::string& name, const std::string& text) {
  if (name == "url" || name == "smtp") c.url = text;
  if (name == "path") c.path = text;
  if (name == "format") c.slack = text == "slack";
  if (name == "from") c.from = text;
  if (name == "to") c.to = {text};
  if (name == "subject") c.subject = text;
  if (name == "provider") c.provider = text;
  if (name == "topic") c.topic = text;  // from env(), a secret like any (ntfy topics are access)
  if (name == "title") c.title = text;
  if (name == "priority") c.priority = text;
  if (name == "chat_id") c.chat_id = text;
  if (name == "account") c.account = text;
  if (name == "project") c.project = text;
  if (name == "device") c.device = text;
  if (name == "user") c.user = text;
  if (name == "key_file") c.key_file = text;
  if (name == "key_id") c.key_id = text;
  if (name == "team_id") c.team_id = text;
  // Credentials are secrets however they are written: never in a log or a dead letter.
  if (name == "token" || name == "routing_key" || name == "api_key") {
    (name == "token" ? c.token : name == "routing_key" ? c.routing_key : c.api_key) = text;
    if (!text.empty()) c.secrets.push_back(text);
  }
}

// One option, by the shape of its value: a map, a list of recipients, a duration, the rate, a
// number, or else text. A value from env() is always text.
Result<bool> apply_option(ChannelConfig& c, const std::string& name, const plan::OptionValue& value) {
  if (value.is_map) return add_headers(c, value);
  if (value.value.kind == TypeKind::List) {
    for (const Value& item : value.value.list) c.to.push_back(item.s);
    return true;
  }
  if (value.value.kind == TypeKind::Duration && value.env_var.empty()) {
    set_duration(c, name, value.value.i / 1'000'000);
    return true;
  }
  if (name == "rate" && value.env_var.empty()) return set_rate(c, value);
  if (value.value.kind == TypeKind::Int && value.env_var.empty()) {
    set_number(c, name, value.value.i);
    return true;
  }
  auto text = text_of(c, value, &c.secrets);
  if (!text.ok()) return Result<bool>::failure(text.error());
  set_text(c, name, text.value());
  return true;
}

// A provider's public service when no url is given (tests and private deployments set one).
std::string default_url(const ChannelConfig& c) {
  if (c.kind == "push") {
    return c.provider == "fcm"        ? "https://fcm.googleapis.com"
           : c.provider == "pushover" ? "https://api.pushover.net"
           : c.provider == "apns"     ? "https://api.push.apple.com"
                                      : "https://ntfy.sh";
  }
  if (c.kind == "opsgenie") return "https://api.opsgenie.com";
  if (c.kind == "pagerduty") return "https://events.pagerduty.com";
  if (c.kind == "telegram") return "https://api.telegram.org";
  if (c.kind == "sms") return "https://api.twilio.com";
  return "";
}

Result<ChannelConfig> resolve_channel(const plan::Channel& pc) {
  ChannelConfig c;
  c.name = pc.name;
  c.kind = pc.kind;
  for (const auto& [name, value] : pc.options) {
    auto applied = apply_option(c, name, value);
    if (!applied.ok()) return Result<ChannelConfig>::failure(applied.error());
  }
  if (c.url.empty()) c.url = default_url(c);
  while (c.is_provider() && !c.url.empty() && c.url.back() == '/' && c.kind != "discord") c.url.pop_back();
  add_url_password(c.url, &c.secrets);
  return c;
}

}  // namespace

std::string ChannelConfig::redact(std::string text) const {
  // Every occurrence of every secret, found in the text as it is: a secret that holds another
  // (or overlaps one) is masked whole, whatever the order the secrets came in.
  std::vector<std::pair<size_t, size_t>> found;  // [begin, end)
  for (const std::string& s : secrets) {
    if (s.empty()) continue;
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 1)) found.emplace_back(pos, pos + s.size());
  }
  std::sort(found.begin(), found.end());
  std::string out;
  size_t done = 0;
  for (size_t k = 0; k < found.size();) {
    auto [begin, end] = found[k];
    for (++k; k < found.size() && found[k].first < end; ++k) end = std::max(end, found[k].second);
    out.append(text, done, begin - done);
    out += "***";
    done = end;
  }
  out.append(text, done, std::string::npos);
  // Then any user:password in a URL's authority, a channel's or not (a redirect, a reply).
  for (size_t scheme = out.find("://"); scheme != std::string::npos; scheme = out.find("://", scheme + 3)) {
    auto [at, length] = url_password(out, scheme);
    if (at != std::string_view::npos) out.replace(at, length, "***");
  }
  return out;
}

Result<std::vector<ChannelConfig>> resolve_channels(const plan::Program& program) {
  std::vector<ChannelConfig> out;
  for (const plan::Channel& pc : program.channels) {
    auto c = resolve_channel(pc);
    if (!c.ok()) return Result<std::vector<ChannelConfig>>::failure(c.error());
    out.push_back(c.take());
  }
  return out;
}

}  // namespace alert
