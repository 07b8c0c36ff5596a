#include <fmt/format.h>

#include <cmath>

#include "alert/alert.h"
#include "stdlib/time_format.h"

namespace alert {
namespace {

void put_string(std::string& out, std::string_view s) { out += json_quote(s); }

void put_value(std::string& out, const Value& v) {
  switch (v.kind) {
    case TypeKind::Null: out += "null"; break;
    case TypeKind::Bool: out += v.b ? "true" : "false"; break;
    case TypeKind::Int: out += std::to_string(v.i); break;
    case TypeKind::Float:
      if (std::isnan(v.f)) out += "\"nan\"";
      else if (std::isinf(v.f)) out += v.f > 0 ? "\"inf\"" : "\"-inf\"";
      else out += fmt::format("{}", v.f);
      break;
    case TypeKind::String: put_string(out, v.s); break;
    case TypeKind::Timestamp: put_string(out, format_rfc3339(v.i)); break;
    case TypeKind::Duration: put_string(out, format_duration(v.i)); break;
    case TypeKind::List: out += "null"; break;
  }
}

void put_values(std::string& out, const std::vector<std::pair<std::string, Value>>& values) {
  out += '{';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    put_string(out, values[i].first);
    out += ':';
    put_value(out, values[i].second);
  }
  out += '}';
}

}  // namespace

std::string alert_to_json(const Alert& a) {
  std::string out = "{\"rule\":";
  put_string(out, a.rule);
  out += ",\"state\":";
  put_string(out, a.state);
  out += ",\"severity\":";
  put_string(out, a.severity);
  out += ",\"time\":";
  if (a.time) put_string(out, format_rfc3339(*a.time)); else out += "null";
  out += ",\"labels\":{";
  for (size_t i = 0; i < a.labels.size(); ++i) {
    if (i) out += ',';
    put_string(out, a.labels[i].first);
    out += ':';
    put_string(out, a.labels[i].second);
  }
  out += "},\"message\":";
  put_string(out, a.message);
  out += ",\"group\":";
  put_values(out, a.group);
  out += ",\"values\":";
  put_values(out, a.values);
  out += ",\"window\":";
  if (a.window) {
    out += "{\"start\":";
    put_string(out, format_rfc3339(a.window->first));
    out += ",\"end\":";
    put_string(out, format_rfc3339(a.window->second));
    out += '}';
  } else {
    out += "null";
  }
  out += ",\"fingerprint\":";
  put_string(out, a.fingerprint);
  out += fmt::format(",\"suppressed\":{}}}", a.suppressed);
  return out;
}

}  // namespace alert
