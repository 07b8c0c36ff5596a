// A channel's options resolved for delivery: env("NAME") values read (a missing variable is a
// load error naming it), defaults filled in, and every value that came from the environment or
// is a URL password remembered as a secret, so redact() can keep it out of every message.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "alert/result.h"
#include "compiler/plan/program_plan.h"

namespace alert {

struct ChannelConfig {
  std::string name;
  std::string kind;  // stdout, file, webhook, email, alertmanager
  std::string url;   // webhook and alertmanager endpoint; email: smtp://host:port
  std::string path;  // file
  bool slack = false;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string from;
  std::vector<std::string> to;
  std::string subject = "[{severity}] {rule}: {message}";
  int64_t timeout_ms = 10'000;
  int max_retries = 5;
  int64_t group_wait_ms = 0;
  int max_batch = 1;
  int64_t resend_interval_ms = 60'000;
  double rate = 0;  // most notifications per second (a token bucket in the worker); 0: no limit
  // Provider kinds (docs/channels.md).
  std::string provider;  // push: ntfy; sms: twilio
  std::string topic, token, title, priority, routing_key, chat_id, account, project, device, user, api_key;
  std::string key_file, key_id, team_id;  // APNs: the .p8 key and its ids
  int max_segments = 3;  // sms
  std::vector<std::string> secrets;

  bool networked() const { return kind != "stdout" && kind != "file"; }
  bool is_provider() const {
    return kind == "push" || kind == "pagerduty" || kind == "telegram" || kind == "discord" || kind == "sms" ||
           kind == "opsgenie" || kind == "teams";
  }
  // `text` with every secret (and any user:password in a URL) replaced by "***".
  std::string redact(std::string text) const;
};

Result<std::vector<ChannelConfig>> resolve_channels(const plan::Program& program);

}  // namespace alert
