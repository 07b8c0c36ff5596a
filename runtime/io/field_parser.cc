#include "runtime/io/field_parser.h"

#include <fmt/format.h>

#include "stdlib/scalar_ops.h"
#include "stdlib/time_format.h"

namespace alert {

bool parse_field_text(std::string_view text, TypeKind kind, Value* out, std::string* reason) {
  switch (kind) {
    case TypeKind::String: *out = Value::string(std::string(text)); return true;
    case TypeKind::Int: {
      int64_t v;
      if (!parse_int64(text, &v)) {
        *reason = fmt::format("'{}' is not an int", text);
        return false;
      }
      *out = Value::integer(v);
      return true;
    }
    case TypeKind::Float: {
      double v;
      if (!parse_double(text, &v)) {
        *reason = fmt::format("'{}' is not a number", text);
        return false;
      }
      *out = Value::floating(v);
      return true;
    }
    case TypeKind::Bool: {
      std::string lower;
      for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "true" || lower == "1") { *out = Value::boolean(true); return true; }
      if (lower == "false" || lower == "0") { *out = Value::boolean(false); return true; }
      *reason = fmt::format("'{}' is not a bool (true, false, 1 or 0)", text);
      return false;
    }
    case TypeKind::Timestamp: {
      auto ns = parse_rfc3339(text, /*allow_space=*/true);
      if (!ns) {
        *reason = fmt::format("'{}' is not an RFC 3339 timestamp", text);
        return false;
      }
      *out = Value::timestamp(*ns);
      return true;
    }
    case TypeKind::Duration: {
      auto ns = parse_duration(text);
      if (!ns) {
        *reason = fmt::format("'{}' is not a duration such as 90s or 1h30m", text);
        return false;
      }
      *out = Value::duration(*ns);
      return true;
    }
    default: *reason = "unsupported field type"; return false;
  }
}

}  // namespace alert
