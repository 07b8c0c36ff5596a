// What the provider kinds send (docs/channels.md): ntfy push, PagerDuty Events API v2, Telegram
// sendMessage, Discord webhooks, and Twilio SMS. Each notification becomes a request envelope
// stored in the outbox — the path under the channel's url, content type, per-alert headers and
// body — built once when the alert is produced, so retries and restarts send the same bytes.
// Credentials are not in it, nor any option read from env(): the worker adds them from the
// channel at send time (fill_channel_values), so no secret is ever written to the outbox file.
#pragma once

#include <string>
#include <vector>

#include "alert/alert.h"
#include "runtime/notify/channel_config.h"
#include "runtime/notify/payloads.h"

namespace alert {

struct ProviderRequest {
  std::string method = "POST";  // Kannel's sendsms is a GET
  std::string path;          // appended to the channel's url; "{token}" is filled in at send time
  std::string content_type;  // application/json, text/plain, application/x-www-form-urlencoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool cut = false;          // the text was cut to the receiver's limit
};

// RFC 4648 base64, padded; url_safe: the URL alphabet without padding (JWTs).
std::string base64(std::string_view data, bool url_safe);
// `s` percent-encoded for a URL query or a form (RFC 3986 unreserved characters kept).
std::string url_escape(const std::string& s);
// One request per notification; an SMS gives one per recipient.
std::vector<ProviderRequest> provider_requests(const Alert& alert, const ChannelConfig& channel);

std::string encode_envelope(const ProviderRequest& request);
// At send time: the stored request completed with what the outbox must not hold, from the
// channel: the credentials in the path ("{token}", Kannel's "{credentials}") and the options that
// came from env() (a placeholder in the path, a form body, a header or a JSON body where the
// value would be). False, with `error`, when the channel no longer has a value the request needs.
bool fill_channel_values(const ChannelConfig& channel, ProviderRequest* request, std::string* error);
// A PagerDuty event with its routing_key set (stored without it, as the outbox holds no secret).
std::string with_routing_key(const std::string& event, const std::string& routing_key);
bool decode_envelope(const std::string& text, ProviderRequest* out);

// `text` cut to at most `limit` code points, ending in `marker` when cut.
std::string cut_text(const std::string& text, size_t limit, const std::string& marker, bool* cut);
// `text` cut to at most `max_bytes` bytes of UTF-8 on a code point boundary, ending in `marker`.
std::string cut_bytes(const std::string& text, size_t max_bytes, const std::string& marker, bool* cut);
// An SMS text cut to `max_segments` segments: GSM-7 (160 characters, 153 a part when split;
// the extension characters count two) unless one character is outside GSM-7, then UCS-2 (70,
// 67 a part). The cut ends in "..." (GSM-7 either way). `segments` is what the text takes.
std::string cut_sms(const std::string& text, int max_segments, bool* cut, int* segments);

bool is_gsm7(const std::string& text);
// How a provider's refusal reads (for the dead letter), and whether retrying cannot help.
// `credentials_expired`: the provider refused a token that a new one replaces (APNs).
void classify_provider_reply(const ChannelConfig& channel, long status, const std::string& body, std::string* reason,
                             bool* permanent, bool* credentials_expired);

}  // namespace alert
