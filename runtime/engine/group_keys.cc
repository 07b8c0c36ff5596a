#include "runtime/engine/group_keys.h"

#include <cmath>
#include <cstring>
#include <fmt/format.h>

#include "stdlib/scalar_ops.h"

namespace alert {

int64_t canonical_double_bits(double d) {
  d = d == 0 ? 0.0 : (std::isnan(d) ? std::nan("") : d);
  int64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  return bits;
}

void append_key(std::string& out, const Value& v) {
  out += static_cast<char>(v.kind);
  switch (v.kind) {
    case TypeKind::Float: {
      int64_t bits = canonical_double_bits(v.f);
      out.append(reinterpret_cast<const char*>(&bits), sizeof bits);
      break;
    }
    case TypeKind::String:
      out += std::to_string(v.s.size());
      out += ':';
      out += v.s;
      break;
    case TypeKind::Bool: out += v.b ? '1' : '0'; break;
    case TypeKind::Null: break;
    default: out.append(reinterpret_cast<const char*>(&v.i), sizeof v.i);
  }
}

bool read_key(std::string_view& in, Value* out) {
  if (in.empty()) return false;
  auto kind = static_cast<TypeKind>(in[0]);
  in.remove_prefix(1);
  auto take_int = [&](int64_t* v) {
    if (in.size() < sizeof *v) return false;
    std::memcpy(v, in.data(), sizeof *v);
    in.remove_prefix(sizeof *v);
    return true;
  };
  int64_t i = 0;
  switch (kind) {
    case TypeKind::Null: *out = Value::null(); return true;
    case TypeKind::Bool:
      if (in.empty()) return false;
      *out = Value::boolean(in[0] == '1');
      in.remove_prefix(1);
      return true;
    case TypeKind::Float: {
      if (!take_int(&i)) return false;
      double d;
      std::memcpy(&d, &i, sizeof d);
      *out = Value::floating(d);
      return true;
    }
    case TypeKind::String: {
      size_t colon = in.find(':');
      if (colon == std::string_view::npos) return false;
      size_t n = 0;
      for (char c : in.substr(0, colon)) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + static_cast<size_t>(c - '0');
      }
      in.remove_prefix(colon + 1);
      if (n > in.size()) return false;
      *out = Value::string(std::string(in.substr(0, n)));
      in.remove_prefix(n);
      return true;
    }
    case TypeKind::Int:
    case TypeKind::Timestamp:
    case TypeKind::Duration: {
      if (!take_int(&i)) return false;
      Value v;
      v.kind = kind;
      v.i = i;
      *out = v;
      return true;
    }
    default: return false;
  }
}

std::string fingerprint_of(const std::string& rule, const std::vector<std::pair<std::string, Value>>& group,
                           const std::vector<std::pair<std::string, std::string>>& labels) {
  uint64_t h = kFnvOffset;
  auto mix = [&](std::string_view s) { h = fnv1a("\xff", fnv1a(s, h)); };
  mix(rule);
  for (auto& [k, v] : group) {
    mix(k);
    mix(value_to_text(v));
  }
  for (auto& [k, v] : labels) {
    mix(k);
    mix(v);
  }
  return fmt::format("{:016x}", h);
}

int64_t throttle_check(ThrottleTable& table, const std::string& key, std::optional<int64_t> time, int64_t interval) {
  if (!time) return 0;
  auto [it, fresh] = table.try_emplace(key);
  ThrottleEntry& e = it->second;
  if (!fresh) {
    int64_t since;
    bool overflow = __builtin_sub_overflow(*time, e.last_sent, &since);
    if (!overflow && since < interval) {
      ++e.suppressed;
      return -1;
    }
  }
  int64_t n = e.suppressed;
  e.last_sent = *time;
  e.suppressed = 0;
  return n;
}

}  // namespace alert
