#include "runtime/notify/provider_payloads.h"

#include <algorithm>
#include <optional>
#include <string_view>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "stdlib/time_format.h"

namespace alert {
namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Code points of UTF-8 text, as (byte offset, length) pairs.
std::vector<std::pair<size_t, size_t>> code_points(const std::string& s) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    n = std::min(n, s.size() - i);
    out.emplace_back(i, n);
    i += n;
  }
  return out;
}

std::string title_of(const Alert& a, const ChannelConfig& c) {
  if (!c.title.empty()) return render_subject(c.title, a);
  return fmt::format("[{}] {} {}", a.severity, a.rule, a.state);
}

// An HTTP header value is ASCII: other text goes as an RFC 2047 encoded word, which ntfy reads.
std::string header_text(const std::string& s) {
  // Printable ASCII goes as it is; anything else (non-ASCII, control characters) encoded.
  bool plain = std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
  if (plain) return s;
  return "=?UTF-8?B?" + base64(s, false) + "?=";
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

// Options read from env() are secrets (channel_config), and the outbox file holds none: where
// the envelope would carry one, it holds a placeholder that fill_channel_values() fills from the
// channel when the request is sent, as it does the credentials. A placeholder stands only where
// alert text cannot put one: in the path and in a form body, whose alert text is percent-encoded
// (so has no '{'), as "{name}" (the value as it is) or "{name:url}" (percent-encoded); in JSON
// bodies and headers at fixed places that hold only the option (kJsonFills, kHeaderFills). A
// `title` from env() is rendered with the alert, so it cannot wait for the send: it is stored.
bool is_secret(const ChannelConfig& c, const std::string& value) {
  return !value.empty() && std::find(c.secrets.begin(), c.secrets.end(), value) != c.secrets.end();
}

// The value of option `name` for a path, a header or JSON, or its placeholder.
std::string option_text(const ChannelConfig& c, const char* name, const std::string& value) {
  return is_secret(c, value) ? fmt::format("{{{}}}", name) : value;
}

struct FormField {
  std::string key, value;
  const char* option = nullptr;  // the channel option `value` comes from, if any
};

std::string form_encode(const ChannelConfig& c, const std::vector<FormField>& fields) {
  std::string out;
  for (const FormField& f : fields) {
    std::string value = f.option && is_secret(c, f.value) ? fmt::format("{{{}:url}}", f.option) : url_escape(f.value);
    out += (out.empty() ? "" : "&") + url_escape(f.key) + "=" + value;
  }
  return out;
}

// Where a provider's JSON body (a JSON pointer) or headers (a name) hold an option's placeholder.
struct Fill {
  const char* kind;  // the channel's kind, or its push provider
  const char* where;
  const char* option;
};
constexpr Fill kJsonFills[] = {
    {"fcm", "/message/token", "device"}, {"fcm", "/message/topic", "topic"}, {"telegram", "/chat_id", "chat_id"}};
constexpr Fill kHeaderFills[] = {
    {"apns", "apns-topic", "topic"}, {"apns", "apns-priority", "priority"}, {"ntfy", "Priority", "priority"}};

std::string fill_kind(const ChannelConfig& c) {
  if (c.kind != "push") return c.kind;
  return c.provider.empty() ? "ntfy" : c.provider;
}

// An option's value now, for a placeholder; null when the channel has none (any more).
std::optional<std::string> option_value(const ChannelConfig& c, std::string_view name) {
  const std::string* v = name == "topic"     ? &c.topic
                         : name == "project" ? &c.project
                         : name == "device"  ? &c.device
                         : name == "account" ? &c.account
                         : name == "from"    ? &c.from
                         : name == "user"    ? &c.user
                         : name == "chat_id" ? &c.chat_id
                         : name == "priority" ? &c.priority
                         : name == "to" && c.to.size() == 1 ? &c.to[0]  // from env(): one recipient
                                                            : nullptr;
  if (!v || v->empty()) return std::nullopt;
  return *v;
}

// `text` with its placeholders filled in one pass (a filled value is not read for placeholders
// again); in a path (`credentials`) also "{token}" and Kannel's "{credentials}". Other text in
// braces stays. False, naming the option in `missing`, when the channel has no value for one.
bool fill_placeholders(const ChannelConfig& c, std::string* text, bool credentials, std::string* missing) {
  static constexpr std::string_view kOptions[] = {"topic", "project", "device", "account",
                                                  "from",  "to",      "user",   "priority"};
  std::string out;
  size_t i = 0;
  while (i < text->size()) {
    size_t open = text->find('{', i);
    size_t close = open == std::string::npos ? std::string::npos : text->find('}', open);
    if (close == std::string::npos) break;
    open = text->rfind('{', close);  // the innermost: "{a{topic}" holds "{topic}"
    std::string_view inner = std::string_view(*text).substr(open + 1, close - open - 1);
    bool url = inner.ends_with(":url");
    std::string_view name = url ? inner.substr(0, inner.size() - 4) : inner;
    std::optional<std::string> value;
    if (credentials && inner == "token") {
      value = c.token;
    } else if (credentials && inner == "credentials") {
      value = "username=" + url_escape(c.account) + "&password=" + url_escape(c.token);
    } else if (std::find(std::begin(kOptions), std::end(kOptions), name) != std::end(kOptions)) {
      value = option_value(c, name);
      if (!value) {
        *missing = std::string(name);
        return false;
      }
      if (url) value = url_escape(*value);
    }
    out.append(*text, i, open - i);
    if (value) {
      out += *value;
    } else {
      out.append(*text, open, close + 1 - open);
    }
    i = close + 1;
  }
  out.append(*text, std::min(i, text->size()), std::string::npos);
  *text = std::move(out);
  return true;
}

// GSM 03.38: the basic set, and the extension set (an escape plus one: two septets).
bool gsm_basic(char32_t c) {
  static const std::u32string kBasic =
      U"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
      U"¿abcdefghijklmnopqrstuvwxyzäöñüà";
  return kBasic.find(c) != std::u32string::npos;
}
bool gsm_extension(char32_t c) { return std::u32string(U"^{}\\[~]|€\f").find(c) != std::u32string::npos; }

char32_t decode(const std::string& s, size_t at, size_t n) {
  unsigned char c = static_cast<unsigned char>(s[at]);
  if (n == 1) return c;
  char32_t v = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (size_t k = 1; k < n; ++k) v = (v << 6) | (static_cast<unsigned char>(s[at + k]) & 0x3F);
  return v;
}

}  // namespace

bool is_gsm7(const std::string& text) {
  for (auto [at, n] : code_points(text)) {
    char32_t c = decode(text, at, n);
    if (!gsm_basic(c) && !gsm_extension(c)) return false;
  }
  return true;
}

std::string base64(std::string_view data, bool url_safe) {
  const char* digits = url_safe ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < data.size(); i += 3) {
    uint32_t v = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    if (i + 2 < data.size()) v |= static_cast<unsigned char>(data[i + 2]);
    out += digits[(v >> 18) & 63];
    out += digits[(v >> 12) & 63];
    if (i + 1 < data.size()) out += digits[(v >> 6) & 63];
    else if (!url_safe) out += '=';
    if (i + 2 < data.size()) out += digits[v & 63];
    else if (!url_safe) out += '=';
  }
  return out;
}

std::string url_escape(const std::string& s) {
  std::string out;
  for (unsigned char ch : s) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out += static_cast<char>(ch);
    } else {
      out += fmt::format("%{:02X}", ch);
    }
  }
  return out;
}

std::string cut_bytes(const std::string& text, size_t max_bytes, const std::string& marker, bool* cut) {
  if (text.size() <= max_bytes) return text;
  *cut = true;
  size_t budget = max_bytes > marker.size() ? max_bytes - marker.size() : 0;
  size_t keep = 0;
  for (auto [at, n] : code_points(text)) {
    if (at + n > budget) break;
    keep = at + n;
  }
  return text.substr(0, keep) + marker;
}

std::string cut_text(const std::string& text, size_t limit, const std::string& marker, bool* cut) {
  auto points = code_points(text);
  if (points.size() <= limit) return text;
  *cut = true;
  size_t marker_points = code_points(marker).size();
  size_t keep = limit > marker_points ? limit - marker_points : 0;
  return text.substr(0, keep < points.size() ? points[keep].first : text.size()) + marker;
}

std::string cut_sms(const std::string& text, int max_segments, bool* cut, int* segments) {
  auto points = code_points(text);
  bool gsm = true;
  std::vector<int> cost;  // septets (GSM-7) or UTF-16 units (UCS-2) per code point
  for (auto [at, n] : points) {
    char32_t c = decode(text, at, n);
    if (!gsm_basic(c) && !gsm_extension(c)) gsm = false;
  }
  for (auto [at, n] : points) {
    char32_t c = decode(text, at, n);
    cost.push_back(gsm ? (gsm_extension(c) ? 2 : 1) : (c > 0xFFFF ? 2 : 1));
  }
  int single = gsm ? 160 : 70, part = gsm ? 153 : 67;
  int total = 0;
  for (int c : cost) total += c;
  auto segments_for = [&](int units) { return units <= single ? 1 : (units + part - 1) / part; };
  int limit_units = max_segments <= 1 ? single : max_segments * part;
  if (total <= limit_units) {
    *segments = segments_for(total);
    return text;
  }
  *cut = true;
  int budget = limit_units - 3;  // "..." is three units in GSM-7 and UCS-2 alike
  int used = 0;
  size_t keep = 0;
  for (; keep < points.size() && used + cost[keep] <= budget; ++keep) used += cost[keep];
  *segments = segments_for(used + 3);
  return text.substr(0, keep < points.size() ? points[keep].first : text.size()) + "...";
}

namespace {

// FCM HTTP v1: messages:send with a device token or a topic, the bearer access token added at
// send time; android priority high for critical and warning.
ProviderRequest fcm_request(const Alert& a, const ChannelConfig& c) {
  ProviderRequest r;
  r.path = "/v1/projects/" + option_text(c, "project", c.project) + "/messages:send";
  r.content_type = "application/json";
  json message = {{"notification",
                   {{"title", cut_bytes(title_of(a, c), 250, "…", &r.cut)}, {"body", cut_bytes(a.message, 3000, "…", &r.cut)}}},
                  {"android", {{"priority", a.severity == "info" ? "normal" : "high"}}},
                  {"data", {{"rule", a.rule}, {"state", a.state}, {"fingerprint", a.fingerprint}}}};
  if (!c.device.empty()) message["token"] = option_text(c, "device", c.device);
  else message["topic"] = option_text(c, "topic", c.topic);
  r.body = dump({{"message", message}});
  return r;
}

// APNs over HTTP/2: POST /3/device/{device}; the provider token is signed at send time.
ProviderRequest apns_request(const Alert& a, const ChannelConfig& c) {
  ProviderRequest r;
  r.path = "/3/device/" + option_text(c, "device", c.device);
  r.content_type = "application/json";
  // APNs takes 4 KB of payload: the texts are cut by bytes so any script fits.
  json alert_text = {{"title", cut_bytes(title_of(a, c), 250, "…", &r.cut)}, {"body", cut_bytes(a.message, 3000, "…", &r.cut)}};
  json aps = {{"alert", alert_text}};
  if (a.state != "resolved") aps["sound"] = "default";
  r.body = dump({{"aps", aps}, {"rule", a.rule}, {"state", a.state}});
  r.headers.emplace_back("apns-topic", option_text(c, "topic", c.topic));
  r.headers.emplace_back("apns-push-type", "alert");
  // 10 = deliver now; 5 = when power allows: resolved notices and info can wait.
  r.headers.emplace_back("apns-priority", !c.priority.empty() ? option_text(c, "priority", c.priority)
                                          : a.state == "resolved" || a.severity == "info" ? "5" : "10");
  r.headers.emplace_back("apns-collapse-id", a.fingerprint);  // a later notice of the alert replaces the earlier
  return r;
}

// Pushover: form-encoded messages.json; the application token is added at send time.
ProviderRequest pushover_request(const Alert& a, const ChannelConfig& c) {
  ProviderRequest r;
  r.path = "/1/messages.json";
  r.content_type = "application/x-www-form-urlencoded";
  // A resolved notice is good news: normal priority whatever the severity.
  std::string priority = !c.priority.empty()                             ? c.priority
                         : a.severity == "critical" && a.state != "resolved" ? "1"
                                                                             : "0";
  r.body = form_encode(c, {{"user", c.user, "user"}, {"title", cut_text(title_of(a, c), 250, "…", &r.cut)},
                           {"message", cut_text(a.message, 1024, "…", &r.cut)},
                           {"priority", priority, c.priority.empty() ? nullptr : "priority"}}) +
           "&{app_token}";
  return r;
}

// ntfy: POST {url}/{topic}, the text as the body, the rest as headers.
ProviderRequest ntfy_request(const Alert& a, const ChannelConfig& c) {
  ProviderRequest r;
  r.path = "/" + option_text(c, "topic", c.topic);
  r.content_type = "text/plain; charset=utf-8";
  r.body = cut_bytes(a.message, 4096, "…", &r.cut);  // ntfy's limit is in bytes
  r.headers.emplace_back("Title", header_text(cut_text(title_of(a, c), 250, "...", &r.cut)));
  std::string priority = !c.priority.empty()      ? option_text(c, "priority", c.priority)
                         : a.state == "resolved"  ? "default"  // good news is not urgent
                         : a.severity == "critical" ? "urgent"
                         : a.severity == "warning"  ? "high"
                                                    : "default";
  r.headers.emplace_back("Priority", priority);
  r.headers.emplace_back("Tags", a.severity + "," + a.state);
  return r;
}

// Opsgenie Alert API v2: create on firing (alias = the fingerprint), close by alias on resolved.
ProviderRequest opsgenie_request(const Alert& a, const ChannelConfig&) {
  ProviderRequest r;
  r.content_type = "application/json";
  if (a.state == "resolved") {
    r.path = "/v2/alerts/" + a.fingerprint + "/close?identifierType=alias";
    r.body = dump({{"source", "alertc"}, {"note", cut_text(a.message, 25000, "…", &r.cut)}});
    return r;
  }
  r.path = "/v2/alerts";
  json details = json::object();
  for (const auto& [k, v] : a.labels) details[k] = v;
  for (const auto& [k, v] : a.group) details[k] = value_to_text(v);
  std::string priority = a.severity == "critical" ? "P1" : a.severity == "warning" ? "P3" : "P5";
  r.body = dump({{"message", cut_text(a.message, 130, "…", &r.cut)},
                 {"alias", a.fingerprint},
                 {"description", cut_text(a.message, 15000, "…", &r.cut)},
                 {"source", "alertc"},
                 {"entity", a.rule},
                 {"priority", priority},
                 {"tags", json::array({a.rule, a.severity})},
                 {"details", details}});
  return r;
}

// A Teams Workflows webhook: a message with one Adaptive Card (title, text, facts).
ProviderRequest teams_request(const Alert& a, const ChannelConfig& c) {
  ProviderRequest r;
  r.content_type = "application/json";
  json facts = json::array();
  facts.push_back({{"title", "State"}, {"value", a.state}});
  facts.push_back({{"title", "Severity"}, {"value", a.severity}});
  for (const auto& [k, v] : a.labels) facts.push_back({{"title", k}, {"value", v}});
  for (const auto& [k, v] : a.group) facts.push_back({{"title", k}, {"value", value_to_text(v)}});
  json card = {{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
               {"type", "AdaptiveCard"},
               {"version", "1.4"},
               {"body", json::array({{{"type", "TextBlock"}, {"text", title_of(a, c)}, {"weight", "Bolder"},
                                      {"size", "Medium"}, {"wrap", true}},
                                     {{"type", "TextBlock"}, {"text", cut_bytes(a.message, 20000, "…", &r.cut)}, {"wrap", true}},
                                     {{"type", "FactSet"}, {"facts", facts}}})}};
  r.body = dump({{"type", "message"},
                 {"attachments", json::array({{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                               {"contentUrl", nullptr},
                                               {"content", card}}})}});
  return r;
}

// PagerDuty Events API v2: trigger / resolve, deduplicated by fingerprint.
ProviderRequest pagerduty_request(const Alert& a, const ChannelConfig&) {
  ProviderRequest r;
  r.path = "/v2/enqueue";
  r.content_type = "application/json";
  json details = json::object();
  for (const auto& [k, v] : a.labels) details[k] = v;
  for (const auto& [k, v] : a.group) details[k] = value_to_text(v);
  for (const auto& [k, v] : a.values) details[k] = value_to_text(v);
  json event = {{"event_action", a.state == "resolved" ? "resolve" : "trigger"},
                {"dedup_key", a.fingerprint}};
  if (a.state != "resolved") {
    std::string severity = a.severity == "critical" ? "critical" : a.severity == "warning" ? "warning" : "info";
    event["payload"] = {{"summary", cut_text(a.message, 1024, "…", &r.cut)},
                        {"source", "alertc"},
                        {"severity", severity},
                        {"timestamp", a.time ? format_rfc3339(*a.time) : format_rfc3339(0)},
                        {"component", a.rule},
                        {"custom_details", details}};
  }
  r.body = dump(event);
  return r;
}

// Telegram sendMessage with HTML: escaped first, so a cut breaks no markup.
ProviderRequest telegram_request(const Alert& a, const ChannelConfig& c) {
  ProviderRequest r;
  r.path = "/bot{token}/sendMessage";
  r.content_type = "application/json";
  // Cut as plain text (Telegram counts what is shown), then escaped and marked up, so a cut
  // never splits an entity or drops a closing tag.
  std::string title = cut_text(title_of(a, c), 256, "…", &r.cut);
  size_t room = 4096 - code_points(title).size() - 1;
  std::string text = fmt::format("<b>{}</b>\n{}", html_escape(title), html_escape(cut_text(a.message, room, "…", &r.cut)));
  r.body = dump({{"chat_id", option_text(c, "chat_id", c.chat_id)}, {"text", text}, {"parse_mode", "HTML"}});
  return r;
}

// A Discord webhook message: content up to 2,000 characters.
ProviderRequest discord_request(const Alert& a, const ChannelConfig& c) {
  ProviderRequest r;
  r.path = "";
  r.content_type = "application/json";
  r.body = dump({{"content", cut_text(title_of(a, c) + "\n" + a.message, 2000, "…", &r.cut)},
                 {"allowed_mentions", {{"parse", json::array()}}}});
  return r;
}

// Kannel's smsbox: GET /cgi-bin/sendsms with the text in UTF-8, one per recipient; coding 2
// (UCS-2) when one character is outside GSM-7, so the phone shows it. username/password come
// at send time.
std::vector<ProviderRequest> kannel_requests(const Alert& a, const ChannelConfig& c) {
  std::vector<ProviderRequest> out;
  int segments = 0;
  bool cut = false;
  std::string text = cut_sms(a.message, c.max_segments, &cut, &segments);
  bool ucs2 = !is_gsm7(text);
  for (const std::string& to : c.to) {
    ProviderRequest m;
    m.method = "GET";
    m.path = "/cgi-bin/sendsms?" + form_encode(c, {{"to", to, "to"}, {"from", c.from, "from"}, {"text", text},
                                                   {"charset", "UTF-8"}, {"coding", ucs2 ? "2" : "0"}}) +
             "&{credentials}";
    m.cut = cut;
    out.push_back(std::move(m));
  }
  return out;
}

// Twilio's Messages API: one form-encoded POST per recipient.
std::vector<ProviderRequest> twilio_requests(const Alert& a, const ChannelConfig& c) {
  std::vector<ProviderRequest> out;
  int segments = 0;
  bool cut = false;
  std::string text = cut_sms(a.message, c.max_segments, &cut, &segments);
  for (const std::string& to : c.to) {
    ProviderRequest m;
    m.path = "/2010-04-01/Accounts/" + option_text(c, "account", c.account) + "/Messages.json";
    m.content_type = "application/x-www-form-urlencoded";
    m.body = form_encode(c, {{"To", to, "to"}, {"From", c.from, "from"}, {"Body", text}});
    m.cut = cut;
    out.push_back(std::move(m));
  }
  return out;
}

// Every kind but SMS sends one request per notification.
std::vector<ProviderRequest> one_request(ProviderRequest r) {
  std::vector<ProviderRequest> out;
  out.push_back(std::move(r));
  return out;
}

}  // namespace

std::vector<ProviderRequest> provider_requests(const Alert& a, const ChannelConfig& c) {
  // In this order: a push or sms provider named before the kind's default (ntfy, Twilio).
  if (c.kind == "push" && c.provider == "fcm") return one_request(fcm_request(a, c));
  if (c.kind == "push" && c.provider == "apns") return one_request(apns_request(a, c));
  if (c.kind == "push" && c.provider == "pushover") return one_request(pushover_request(a, c));
  if (c.kind == "push") return one_request(ntfy_request(a, c));
  if (c.kind == "opsgenie") return one_request(opsgenie_request(a, c));
  if (c.kind == "teams") return one_request(teams_request(a, c));
  if (c.kind == "pagerduty") return one_request(pagerduty_request(a, c));
  if (c.kind == "telegram") return one_request(telegram_request(a, c));
  if (c.kind == "discord") return one_request(discord_request(a, c));
  if (c.kind == "sms" && c.provider == "kannel") return kannel_requests(a, c);
  if (c.kind == "sms") return twilio_requests(a, c);
  return {};
}

std::string with_routing_key(const std::string& event, const std::string& routing_key) {
  json j = json::parse(event, nullptr, false);
  if (!j.is_object()) return event;
  j["routing_key"] = routing_key;
  return dump(j);
}

bool fill_channel_values(const ChannelConfig& c, ProviderRequest* req, std::string* error) {
  std::string missing;
  bool form = req->content_type == "application/x-www-form-urlencoded";
  bool ok = fill_placeholders(c, &req->path, /*credentials=*/true, &missing) &&
            (!form || fill_placeholders(c, &req->body, /*credentials=*/false, &missing));
  std::string kind = fill_kind(c);
  for (auto& [name, value] : req->headers) {
    for (const Fill& f : kHeaderFills) {
      if (!ok || kind != f.kind || name != f.where || value != fmt::format("{{{}}}", f.option)) continue;
      auto v = option_value(c, f.option);
      if (v) value = *v;
      else missing = f.option, ok = false;
    }
  }
  bool json_fills = std::any_of(std::begin(kJsonFills), std::end(kJsonFills), [&](const Fill& f) { return kind == f.kind; });
  if (ok && json_fills && req->body.find("\"{") != std::string::npos) {
    json j = json::parse(req->body, nullptr, false);
    bool changed = false;
    for (const Fill& f : kJsonFills) {
      if (!ok || !j.is_object()) break;
      json::json_pointer at(f.where);
      if (kind != f.kind || !j.contains(at) || j[at] != fmt::format("{{{}}}", f.option)) continue;
      auto v = option_value(c, f.option);
      if (v) j[at] = *v, changed = true;
      else missing = f.option, ok = false;
    }
    if (changed) req->body = dump(j);
  }
  if (!ok) *error = fmt::format("the stored request needs the channel's '{}', which it no longer has", missing);
  return ok;
}

bool decode_fields(const nlohmann::json& j, ProviderRequest* out);

std::string encode_envelope(const ProviderRequest& r) {
  json headers = json::array();
  for (const auto& [k, v] : r.headers) headers.push_back({k, v});
  return dump({{"method", r.method}, {"path", r.path}, {"content_type", r.content_type}, {"headers", headers},
               {"body", r.body}, {"cut", r.cut}});
}

bool decode_envelope(const std::string& text, ProviderRequest* out) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  try {
    return decode_fields(j, out);
  } catch (const json::exception&) {  // a damaged row is a dead letter, not a crash
    return false;
  }
}

bool decode_fields(const json& j, ProviderRequest* out) {
  out->method = j.value("method", "POST");
  out->path = j.value("path", "");
  out->content_type = j.value("content_type", "");
  out->body = j.value("body", "");
  out->cut = j.value("cut", false);
  out->headers.clear();
  for (const auto& h : j.value("headers", json::array())) {
    out->headers.emplace_back(h.at(0).get<std::string>(), h.at(1).get<std::string>());
  }
  return true;
}

namespace {

// A reply's field as text, whatever its JSON type (a reply is the receiver's, not ours to trust).
std::string text_field(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "";
  const json& v = j[key];
  return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
}

}  // namespace

void classify_provider_reply(const ChannelConfig& c, long status, const std::string& body, std::string* reason,
                             bool* permanent, bool* credentials_expired) {
  *reason = fmt::format("HTTP {}", status);
  *permanent = status >= 400 && status < 500 && status != 408 && status != 429;
  *credentials_expired = false;
  json j = json::parse(body, nullptr, false);
  if (!j.is_object()) return;
  if (c.kind == "sms" && j.contains("code")) {
    // Twilio's error codes: 21610 is a recipient who replied STOP; no retry reaches them.
    std::string code = text_field(j, "code");
    *reason = fmt::format("HTTP {}: Twilio error {}{}", status, code, code == "21610" ? " (recipient opted out)" : "");
  } else if (c.kind == "push" && c.provider == "fcm" && j.contains("error")) {
    // FCM: a device that is gone says UNREGISTERED (404); no retry reaches it. A 401 is an
    // access token that expired (they live an hour): retried, so a renewed one can take over.
    const json& e = j["error"];
    std::string code;
    if (e.is_object() && e.contains("details") && e["details"].is_array()) {
      for (const auto& d : e["details"]) {
        if (d.is_object() && d.contains("errorCode")) code = text_field(d, "errorCode");
      }
    }
    *reason = fmt::format("HTTP {}: FCM {}{}", status, e.is_object() ? text_field(e, "status") : text_field(j, "error"),
                          code.empty() ? "" : " " + code);
    if (status == 401) *permanent = false;
  } else if (c.kind == "push" && c.provider == "apns" && j.contains("reason")) {
    // APNs: 410 Unregistered, 400 BadDeviceToken never succeed later; an expired or refused
    // provider token does once a new one is signed.
    std::string why = text_field(j, "reason");
    *reason = fmt::format("HTTP {}: APNs {}", status, why);
    if (why == "ExpiredProviderToken" || why == "InvalidProviderToken") {
      *credentials_expired = true;
      *permanent = false;
    }
  } else if (j.contains("description")) {  // Telegram
    *reason = fmt::format("HTTP {}: {}", status, text_field(j, "description"));
  } else if (j.contains("message")) {  // PagerDuty, Discord
    *reason = fmt::format("HTTP {}: {}", status, text_field(j, "message"));
  }
}

}  // namespace alert
