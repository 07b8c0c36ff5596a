// What each channel kind sends for one alert, built when the alert is produced and stored in
// the outbox as is, so every retry (and every restart) sends the same bytes with the same
// idempotency key.
#pragma once

#include <cstdint>
#include <string>

#include "alert/alert.h"
#include "runtime/notify/channel_config.h"

namespace alert {

// Stable for the same alert and channel across retries and restarts: a hash of the rule, the
// alert's fingerprint, its transition (state), its time and the channel.
std::string idempotency_key(const Alert& alert, const std::string& channel);

// webhook: the alert JSON (docs/language.md §8), or a Slack-compatible body (text + blocks).
std::string webhook_body(const Alert& alert, bool slack);
// email: a whole RFC 5322 message (headers with Message-ID = the key, and a plain-text body).
std::string email_message(const Alert& alert, const ChannelConfig& channel, const std::string& key);
// Alertmanager /api/v2/alerts: one postable alert. `starts_at_ns` is when the alert began firing
// (for a resolved alert, its firing time when known); endsAt is set for resolved alerts.
std::string alertmanager_alert(const Alert& alert, int64_t starts_at_ns, const std::string& key);
// The subject with {rule} {severity} {state} {message} {time} and label or group-key names
// replaced by the alert's values.
std::string render_subject(const std::string& subject, const Alert& alert);

}  // namespace alert
