#include "stdlib/scalar_ops.h"

#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <fmt/format.h>

#include "stdlib/time_format.h"

namespace alert {

const char* binary_op_text(BinaryOp op) {
  static const char* kText[] = {"+", "-", "*", "/", "%", "and", "or", "==", "!=", "<", "<=", ">", ">="};
  return kText[static_cast<int>(op)];
}

std::string_view type_kind_name(TypeKind kind) {
  switch (kind) {
    case TypeKind::Null: return "null";
    case TypeKind::Bool: return "bool";
    case TypeKind::Int: return "int";
    case TypeKind::Float: return "float";
    case TypeKind::String: return "string";
    case TypeKind::Timestamp: return "timestamp";
    case TypeKind::Duration: return "duration";
    case TypeKind::List: return "list";
  }
  return "?";
}

std::string Type::name() const {
  if (kind == TypeKind::List) return "list of " + std::string(type_kind_name(elem));
  std::string n(type_kind_name(kind));
  if (nullable && kind != TypeKind::Null) n += "?";
  return n;
}

std::string value_to_text(const Value& v) {
  switch (v.kind) {
    case TypeKind::Null: return "null";
    case TypeKind::Bool: return v.b ? "true" : "false";
    case TypeKind::Int: return std::to_string(v.i);
    // NaN's sign bit depends on how it was made (x86 makes -nan, constant folding +nan): always
    // "nan", so text never depends on the engine.
    case TypeKind::Float: return std::isnan(v.f) ? "nan" : fmt::format("{}", v.f);
    case TypeKind::String: return v.s;
    case TypeKind::Timestamp: return format_rfc3339(v.i);
    case TypeKind::Duration: return format_duration(v.i);
    case TypeKind::List: {
      std::string out = "[";
      for (size_t i = 0; i < v.list.size(); ++i) out += (i ? ", " : "") + value_to_text(v.list[i]);
      return out + "]";
    }
  }
  return "";
}

Value promote(const Value& v, TypeKind to) {
  if (to == TypeKind::Float && v.kind == TypeKind::Int) return Value::floating(static_cast<double>(v.i));
  return v;
}

int compare_values(const Value& a, const Value& b) {
  if (a.kind == TypeKind::Float || b.kind == TypeKind::Float) {
    double x = a.kind == TypeKind::Float ? a.f : static_cast<double>(a.i);
    double y = b.kind == TypeKind::Float ? b.f : static_cast<double>(b.i);
    if (std::isnan(x) || std::isnan(y)) return 2;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  switch (a.kind) {
    case TypeKind::Bool: return a.b == b.b ? 0 : (a.b ? 1 : -1);
    case TypeKind::String: {
      int c = a.s.compare(b.s);
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    default: return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
  }
}

bool values_equal(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return false;
  return compare_values(a, b) == 0;
}

Value apply_unary(UnaryOp op, const Value& v, ArithmeticEvents* events) {
  if (v.is_null()) return v;
  if (op == UnaryOp::Not) return Value::boolean(!v.b);
  switch (v.kind) {
    case TypeKind::Float: return Value::floating(-v.f);
    case TypeKind::Int:
    case TypeKind::Duration: {
      if (v.i == INT64_MIN) {
        if (events) ++events->overflow;
        return Value::null();
      }
      Value r = v;
      r.i = -v.i;
      return r;
    }
    default: return Value::null();
  }
}

namespace {

Value int_result(TypeKind kind, int64_t v) {
  Value r;
  r.kind = kind;
  r.i = v;
  return r;
}

Value int_arith(BinaryOp op, int64_t a, int64_t b, TypeKind kind, ArithmeticEvents* events) {
  int64_t r = 0;
  bool overflow = false;
  switch (op) {
    case BinaryOp::Add: overflow = __builtin_add_overflow(a, b, &r); break;
    case BinaryOp::Sub: overflow = __builtin_sub_overflow(a, b, &r); break;
    case BinaryOp::Mul: overflow = __builtin_mul_overflow(a, b, &r); break;
    case BinaryOp::Div:
    case BinaryOp::Mod:
      if (b == 0) {
        if (events) ++events->division_by_zero;
        return Value::null();
      }
      if (a == INT64_MIN && b == -1) {
        if (op == BinaryOp::Mod) return int_result(kind, 0);
        overflow = true;
        break;
      }
      r = op == BinaryOp::Div ? a / b : a % b;
      break;
    default: break;
  }
  if (overflow) {
    if (events) ++events->overflow;
    return Value::null();
  }
  return int_result(kind, r);
}

double as_double(const Value& v) { return v.kind == TypeKind::Float ? v.f : static_cast<double>(v.i); }

}  // namespace

Value apply_binary(BinaryOp op, const Value& a, const Value& b, ArithmeticEvents* events) {
  if (op == BinaryOp::And) {
    if ((a.kind == TypeKind::Bool && !a.b) || (b.kind == TypeKind::Bool && !b.b)) return Value::boolean(false);
    if (a.is_null() || b.is_null()) return Value::null();
    return Value::boolean(true);
  }
  if (op == BinaryOp::Or) {
    if ((a.kind == TypeKind::Bool && a.b) || (b.kind == TypeKind::Bool && b.b)) return Value::boolean(true);
    if (a.is_null() || b.is_null()) return Value::null();
    return Value::boolean(false);
  }
  if (a.is_null() || b.is_null()) return Value::null();
  if (is_comparison(op)) {
    int c = compare_values(a, b);
    if (c == 2) return Value::boolean(op == BinaryOp::Ne);
    switch (op) {
      case BinaryOp::Eq: return Value::boolean(c == 0);
      case BinaryOp::Ne: return Value::boolean(c != 0);
      case BinaryOp::Lt: return Value::boolean(c < 0);
      case BinaryOp::Le: return Value::boolean(c <= 0);
      case BinaryOp::Gt: return Value::boolean(c > 0);
      default: return Value::boolean(c >= 0);
    }
  }
  TypeKind ka = a.kind, kb = b.kind;
  if (ka == TypeKind::Float || kb == TypeKind::Float) {
    double x = as_double(a), y = as_double(b);
    switch (op) {
      case BinaryOp::Add: return Value::floating(x + y);
      case BinaryOp::Sub: return Value::floating(x - y);
      case BinaryOp::Mul: return Value::floating(x * y);
      case BinaryOp::Div:
        if (y == 0) {
          if (events) ++events->division_by_zero;
          return Value::null();
        }
        return Value::floating(x / y);
      case BinaryOp::Mod:
        if (y == 0) {
          if (events) ++events->division_by_zero;
          return Value::null();
        }
        return Value::floating(std::fmod(x, y));
      default: return Value::null();
    }
  }
  // Time arithmetic.
  if (ka == TypeKind::Timestamp && kb == TypeKind::Timestamp) {
    return int_arith(op, a.i, b.i, TypeKind::Duration, events);
  }
  if (ka == TypeKind::Timestamp || kb == TypeKind::Timestamp) {
    return int_arith(op, a.i, b.i, TypeKind::Timestamp, events);
  }
  if (ka == TypeKind::Duration && kb == TypeKind::Duration) {
    if (op == BinaryOp::Div) {
      if (b.i == 0) {
        if (events) ++events->division_by_zero;
        return Value::null();
      }
      return Value::floating(static_cast<double>(a.i) / static_cast<double>(b.i));
    }
    return int_arith(op, a.i, b.i, TypeKind::Duration, events);
  }
  if (ka == TypeKind::Duration || kb == TypeKind::Duration) {
    return int_arith(op, a.i, b.i, TypeKind::Duration, events);
  }
  return int_arith(op, a.i, b.i, TypeKind::Int, events);
}

Value apply_in(const Value& x, const std::vector<Value>& list) {
  if (x.is_null()) return Value::null();
  for (const Value& item : list) {
    if (values_equal(x, item)) return Value::boolean(true);
  }
  return Value::boolean(false);
}

Value apply_between(const Value& x, const Value& lo, const Value& hi) {
  if (x.is_null() || lo.is_null() || hi.is_null()) return Value::null();
  int a = compare_values(x, lo), b = compare_values(x, hi);
  if (a == 2 || b == 2) return Value::boolean(false);
  return Value::boolean(a >= 0 && b <= 0);
}

int64_t utf8_length(std::string_view s) {
  int64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string utf8_substr(std::string_view s, int64_t start, int64_t count) {
  if (count <= 0) return "";
  // start < 1 counts from 1, but the count still starts at `start`: substr(s, 0, 2) = first char.
  int64_t first = start;
  int64_t last;  // exclusive, 1-based
  if (__builtin_add_overflow(start, count, &last)) last = INT64_MAX;
  if (first < 1) first = 1;
  if (last <= first) return "";
  size_t begin = s.size(), end = s.size();
  int64_t cp = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    bool boundary = i == s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
    if (!boundary) continue;
    ++cp;  // cp is the 1-based index of the code point starting at i
    if (cp == first) begin = i;
    if (cp == last) {
      end = i;
      break;
    }
  }
  if (begin >= s.size()) return "";
  return std::string(s.substr(begin, end - begin));
}

bool parse_int64(std::string_view s, int64_t* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && p == s.data() + s.size();
}

bool parse_double(std::string_view s, double* out) {
  if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  if (p != s.data() + s.size()) return false;
  // from_chars reports out-of-range for huge/tiny values; strtod semantics (inf, 0) are wanted.
  if (ec == std::errc::result_out_of_range) {
    *out = std::strtod(std::string(s).c_str(), nullptr);
    return true;
  }
  return ec == std::errc();
}

double round_digits(double x, int64_t digits) {
  if (!std::isfinite(x)) return x;
  if (digits > 400) return x;
  if (digits < -400) return x < 0 ? -0.0 : 0.0;
  // The double's exact decimal expansion, rounded by hand: a digit >= 5 rounds away from zero,
  // which is "half away from zero" on exact ties and plain rounding otherwise.
  std::string exact = fmt::format("{:.1100f}", std::fabs(x));
  size_t dot = exact.find('.');
  std::string int_part = exact.substr(0, dot);
  std::string frac = exact.substr(dot + 1);
  std::string all = int_part + frac;
  int64_t keep = static_cast<int64_t>(int_part.size()) + digits;  // digits kept from the left
  if (keep < 0) return x < 0 ? -0.0 : 0.0;
  bool up = keep < static_cast<int64_t>(all.size()) && all[keep] >= '5';
  std::string kept = all.substr(0, keep);
  if (up) {
    int64_t i = keep - 1;
    while (i >= 0 && kept[i] == '9') kept[i--] = '0';
    if (i >= 0) {
      kept[i]++;
    } else {
      kept.insert(kept.begin(), '1');
      ++keep;
      int_part.insert(int_part.begin(), '0');
    }
  }
  if (kept.empty()) kept = "0";
  // Rebuild "ddd.ddd" or "ddd" followed by zeros for negative digits.
  std::string text;
  int64_t int_len = static_cast<int64_t>(int_part.size());
  if (digits >= 0) {
    text = kept.substr(0, int_len) + "." + kept.substr(std::min<int64_t>(int_len, kept.size()));
  } else {
    text = kept + std::string(static_cast<size_t>(-digits), '0');
  }
  double r = std::strtod(text.c_str(), nullptr);
  return x < 0 ? -r : r;
}

int64_t widest_number_in_spec(std::string_view spec) {
  int64_t widest = 0, current = 0;
  for (char c : spec) {
    if (c >= '0' && c <= '9') {
      current = std::min<int64_t>(current * 10 + (c - '0'), INT64_MAX / 20);
      widest = std::max(widest, current);
    } else {
      current = 0;
    }
  }
  return widest;
}

bool format_with_spec(const Value& v, std::string_view spec, std::string* out) {
  // A width or precision of billions would allocate that much per alert (found by fuzzing).
  if (widest_number_in_spec(spec) > kMaxFormatWidth) return false;
  std::string f = "{:" + std::string(spec) + "}";
  try {
    switch (v.kind) {
      case TypeKind::Int: *out = fmt::format(fmt::runtime(f), v.i); break;
      case TypeKind::Float: *out = fmt::format(fmt::runtime(f), std::isnan(v.f) ? std::fabs(v.f) : v.f); break;
      case TypeKind::Bool: *out = fmt::format(fmt::runtime(f), v.b); break;
      default: *out = fmt::format(fmt::runtime(f), value_to_text(v)); break;
    }
    return true;
  } catch (const fmt::format_error&) {
    return false;
  }
}

namespace {

bool is_ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

Value unify_pick(const Value& v, TypeKind result_kind) { return promote(v, result_kind); }

}  // namespace

std::string_view ascii_trim(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

namespace {

std::optional<Value> numeric_builtin(BuiltinId id, const std::vector<Value>& args, TypeKind result_kind,
                                     ArithmeticEvents* events) {
  const Value& x = args[0];
  switch (id) {
    case BuiltinId::Abs:
      if (x.kind == TypeKind::Float) return Value::floating(std::fabs(x.f));
      if (x.i == INT64_MIN) {
        if (events) ++events->overflow;
        return Value::null();
      }
      return Value::integer(x.i < 0 ? -x.i : x.i);
    case BuiltinId::Round:
      if (args.size() == 2) return Value::floating(round_digits(as_double(x), args[1].i));
      return x.kind == TypeKind::Float ? Value::floating(std::round(x.f)) : x;
    case BuiltinId::Floor: return x.kind == TypeKind::Float ? Value::floating(std::floor(x.f)) : x;
    case BuiltinId::Ceil: return x.kind == TypeKind::Float ? Value::floating(std::ceil(x.f)) : x;
    case BuiltinId::Sqrt: return Value::floating(std::sqrt(as_double(x)));
    case BuiltinId::Ln: return Value::floating(std::log(as_double(x)));
    case BuiltinId::Log10: return Value::floating(std::log10(as_double(x)));
    case BuiltinId::Pow: return Value::floating(std::pow(as_double(x), as_double(args[1])));
    case BuiltinId::Least:
    case BuiltinId::Greatest: {
      // NaN wins, so the result does not depend on argument order.
      Value best = promote(x, result_kind);
      for (size_t i = 1; i < args.size(); ++i) {
        Value v = promote(args[i], result_kind);
        int c = compare_values(v, best);
        if (c == 2) {
          if (v.kind == TypeKind::Float && std::isnan(v.f)) best = v;
          continue;
        }
        if ((id == BuiltinId::Least && c < 0) || (id == BuiltinId::Greatest && c > 0)) best = v;
      }
      return best;
    }
    default: return std::nullopt;
  }
}

std::optional<Value> string_builtin(BuiltinId id, const std::vector<Value>& args, const re2::RE2* regex) {
  const Value& x = args[0];
  switch (id) {
    case BuiltinId::Len: return Value::integer(utf8_length(x.s));
    case BuiltinId::Lower:
    case BuiltinId::Upper: {
      std::string s = x.s;
      for (char& c : s) {
        if (id == BuiltinId::Lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        if (id == BuiltinId::Upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
      }
      return Value::string(std::move(s));
    }
    case BuiltinId::Trim: return Value::string(std::string(ascii_trim(x.s)));
    case BuiltinId::Concat: {
      std::string s;
      for (const Value& a : args) s += a.s;
      return Value::string(std::move(s));
    }
    case BuiltinId::Substr: return Value::string(utf8_substr(x.s, args[1].i, args[2].i));
    case BuiltinId::Contains: return Value::boolean(x.s.find(args[1].s) != std::string::npos);
    case BuiltinId::StartsWith: return Value::boolean(x.s.starts_with(args[1].s));
    case BuiltinId::EndsWith: return Value::boolean(x.s.ends_with(args[1].s));
    case BuiltinId::Matches: {
      if (regex == nullptr) return Value::null();
      return Value::boolean(re2::RE2::PartialMatch(x.s, *regex));
    }
    default: return std::nullopt;
  }
}

// Conversions and time functions.
std::optional<Value> conversion_builtin(BuiltinId id, const std::vector<Value>& args, ArithmeticEvents* events) {
  const Value& x = args[0];
  switch (id) {
    case BuiltinId::ToInt: {
      if (x.kind == TypeKind::String) {
        int64_t v;
        if (parse_int64(ascii_trim(x.s), &v)) return Value::integer(v);
        return Value::null();
      }
      double d = as_double(x);
      if (std::isnan(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0) {
        if (events) ++events->overflow;
        return Value::null();
      }
      return Value::integer(static_cast<int64_t>(d));
    }
    case BuiltinId::ToFloat: {
      if (x.kind == TypeKind::String) {
        double d;
        if (!parse_double(ascii_trim(x.s), &d)) return Value::null();
        return Value::floating(d);
      }
      return Value::floating(as_double(x));
    }
    case BuiltinId::Seconds: return Value::floating(static_cast<double>(x.i) / 1e9);
    case BuiltinId::Hour: {
      int64_t secs = floor_div(x.i, kNanosPerSecond);
      int64_t day_secs = secs - floor_div(secs, 86400) * 86400;
      return Value::integer(day_secs / 3600);
    }
    case BuiltinId::DayOfWeek: {
      int64_t days = floor_div(floor_div(x.i, kNanosPerSecond), 86400);
      // 1970-01-01 was a Thursday (4).
      int64_t dow = ((days % 7) + 7 + 3) % 7 + 1;
      return Value::integer(dow);
    }
    case BuiltinId::DateTrunc: {
      int64_t unit = args[0].s == "day" ? 86400 * kNanosPerSecond : 3600 * kNanosPerSecond;
      // Truncating the earliest timestamps goes below the smallest int: overflow, null.
      int64_t truncated;
      if (__builtin_mul_overflow(floor_div(args[1].i, unit), unit, &truncated)) {
        if (events) ++events->overflow;
        return Value::null();
      }
      return Value::timestamp(truncated);
    }
    default: return std::nullopt;
  }
}

}  // namespace

Value apply_builtin(BuiltinId id, std::vector<Value>& args, TypeKind result_kind,
                    const re2::RE2* regex, ArithmeticEvents* events) {
  // Functions that look at nulls themselves (NullPolicy::Internal and NullNever).
  switch (id) {
    case BuiltinId::If: {
      const Value& c = args[0];
      return unify_pick(c.kind == TypeKind::Bool && c.b ? args[1] : args[2], result_kind);
    }
    case BuiltinId::Coalesce:
      for (const Value& a : args) {
        if (!a.is_null()) return unify_pick(a, result_kind);
      }
      return Value::null();
    case BuiltinId::ToString: return Value::string(value_to_text(args[0]));
    default: break;
  }
  for (const Value& a : args) {
    if (a.is_null()) return Value::null();
  }
  if (auto v = numeric_builtin(id, args, result_kind, events)) return *v;
  if (auto v = string_builtin(id, args, regex)) return *v;
  if (auto v = conversion_builtin(id, args, events)) return *v;
  return Value::null();
}

}  // namespace alert
