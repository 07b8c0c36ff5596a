#include "runtime/notify/payloads.h"

#include <fmt/format.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "runtime/engine/group_keys.h"
#include "stdlib/time_format.h"

namespace alert {
namespace {

using nlohmann::json;

// Invalid UTF-8 in a field must not stop a notification: it is replaced, not thrown about.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string time_text(const Alert& a) { return a.time ? format_rfc3339(*a.time) : "null"; }

}  // namespace

std::string idempotency_key(const Alert& a, const std::string& channel) {
  // The alert's identity: rule, group and labels (the fingerprint), transition, time, window and,
  // for a row rule, the input row; the same alert always gets the same key, two alerts never.
  std::string material = fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", a.rule, a.fingerprint, a.state,
                                     a.time ? std::to_string(*a.time) : "-",
                                     a.window ? std::to_string(a.window->first) : "-", a.origin, channel);
  uint64_t h1 = fnv1a(material), h2 = fnv1a(material, 0x9e3779b97f4a7c15ull);
  return fmt::format("{:016x}{:016x}", h1, h2);
}

std::string webhook_body(const Alert& a, bool slack) {
  if (!slack) return alert_to_json(a);
  // Slack's incoming-webhook format: a fallback text and blocks with severity, message, labels.
  std::string labels;
  for (const auto& [k, v] : a.labels) labels += fmt::format("{}{}={}", labels.empty() ? "" : ", ", k, v);
  for (const auto& [k, v] : a.group) labels += fmt::format("{}{}={}", labels.empty() ? "" : ", ", k, value_to_text(v));
  std::string title = fmt::format("[{}] {} {}", a.severity, a.rule, a.state);
  json blocks = json::array();
  blocks.push_back({{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", title}}}});
  blocks.push_back({{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", a.message}}}});
  json fields = json::array();
  fields.push_back({{"type", "mrkdwn"}, {"text", "*Severity*\n" + a.severity}});
  fields.push_back({{"type", "mrkdwn"}, {"text", "*Time*\n" + time_text(a)}});
  if (!labels.empty()) fields.push_back({{"type", "mrkdwn"}, {"text", "*Labels*\n" + labels}});
  blocks.push_back({{"type", "section"}, {"fields", fields}});
  return dump({{"text", title + ": " + a.message}, {"blocks", blocks}});
}

std::string render_subject(const std::string& subject, const Alert& a) {
  std::string out;
  for (size_t i = 0; i < subject.size(); ++i) {
    size_t close = subject[i] == '{' ? subject.find('}', i) : std::string::npos;
    if (close == std::string::npos) {
      out += subject[i];
      continue;
    }
    std::string name = subject.substr(i + 1, close - i - 1);
    std::string value;
    bool known = true;
    if (name == "rule") value = a.rule;
    else if (name == "severity") value = a.severity;
    else if (name == "state") value = a.state;
    else if (name == "message") value = a.message;
    else if (name == "time") value = time_text(a);
    else {
      known = false;
      for (const auto& [k, v] : a.labels) if (k == name) { value = v; known = true; }
      for (const auto& [k, v] : a.group) if (k == name) { value = value_to_text(v); known = true; }
    }
    out += known ? value : subject.substr(i, close - i + 1);
    i = close;
  }
  // Header injection: a subject is one line.
  for (char& c : out) if (c == '\r' || c == '\n') c = ' ';
  return out;
}

std::string email_message(const Alert& a, const ChannelConfig& c, const std::string& key) {
  std::string to;
  for (const std::string& t : c.to) to += (to.empty() ? "" : ", ") + t;
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", std::gmtime(&now));
  std::string body = fmt::format("{}\r\n\r\nrule: {}\r\nstate: {}\r\nseverity: {}\r\ntime: {}\r\n", a.message, a.rule,
                                 a.state, a.severity, time_text(a));
  for (const auto& [k, v] : a.labels) body += fmt::format("label {}: {}\r\n", k, v);
  for (const auto& [k, v] : a.group) body += fmt::format("group {}: {}\r\n", k, value_to_text(v));
  if (a.suppressed) body += fmt::format("suppressed since the last notification: {}\r\n", a.suppressed);
  // SMTP ends the message at a line holding a single dot: a body line starting with one gets another.
  std::string safe;
  bool line_start = true;
  for (char ch : body) {
    if (line_start && ch == '.') safe += '.';
    safe += ch;
    line_start = ch == '\n';
  }
  return fmt::format(
      "Date: {}\r\nFrom: {}\r\nTo: {}\r\nMessage-ID: <{}@alertc>\r\nSubject: {}\r\nMIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\n{}",
      date, c.from, to, key, render_subject(c.subject, a), safe);
}

std::string alertmanager_alert(const Alert& a, int64_t starts_at_ns, const std::string& key) {
  json labels = {{"alertname", a.rule}, {"severity", a.severity}};
  for (const auto& [k, v] : a.group) labels[k] = value_to_text(v);
  for (const auto& [k, v] : a.labels) labels[k] = v;
  json alert = {{"labels", labels},
                {"annotations", {{"message", a.message}, {"alertc_key", key}}},
                {"startsAt", format_rfc3339(starts_at_ns)}};
  if (a.state == "resolved" && a.time) alert["endsAt"] = format_rfc3339(std::max(*a.time, starts_at_ns));
  return dump(alert);
}

}  // namespace alert
