#include "stdlib/jit_helpers.h"

#include <re2/re2.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <strings.h>
#include <fmt/format.h>

#include "alert/value.h"
#include "stdlib/scalar_ops.h"
#include "stdlib/string_arena.h"

namespace {

std::string_view view(const char* s, int64_t n) { return {s, static_cast<size_t>(n)}; }

alert::StringArena& arena_of(AlertKernelState* st) { return *static_cast<alert::StringArena*>(st->arena); }

void put(AlertKernelState* st, std::string_view text, AlertString* out) {
  out->data = arena_of(st).copy(text.data(), text.size());
  out->size = static_cast<int64_t>(text.size());
}

}  // namespace

extern "C" {

int32_t alert_str_compare(const char* a, int64_t an, const char* b, int64_t bn) {
  int c = view(a, an).compare(view(b, bn));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

bool alert_str_equal(const char* a, int64_t an, const char* b, int64_t bn) {
  return an == bn && (an == 0 || std::memcmp(a, b, static_cast<size_t>(an)) == 0);
}

bool alert_str_contains(const char* a, int64_t an, const char* b, int64_t bn) {
  return view(a, an).find(view(b, bn)) != std::string_view::npos;
}

bool alert_str_starts_with(const char* a, int64_t an, const char* b, int64_t bn) {
  return view(a, an).starts_with(view(b, bn));
}

bool alert_str_ends_with(const char* a, int64_t an, const char* b, int64_t bn) {
  return view(a, an).ends_with(view(b, bn));
}

bool alert_str_matches(const void* re2, const char* s, int64_t n) {
  return re2::RE2::PartialMatch(re2::StringPiece(s, static_cast<size_t>(n)), *static_cast<const re2::RE2*>(re2));
}

int64_t alert_str_length(const char* s, int64_t n) { return alert::utf8_length(view(s, n)); }

void alert_str_lower(AlertKernelState* st, const char* s, int64_t n, AlertString* out) {
  char* p = arena_of(st).copy(s, static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    if (p[i] >= 'A' && p[i] <= 'Z') p[i] = static_cast<char>(p[i] + 32);
  }
  *out = {p, n};
}

void alert_str_upper(AlertKernelState* st, const char* s, int64_t n, AlertString* out) {
  char* p = arena_of(st).copy(s, static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    if (p[i] >= 'a' && p[i] <= 'z') p[i] = static_cast<char>(p[i] - 32);
  }
  *out = {p, n};
}

void alert_str_trim(AlertKernelState*, const char* s, int64_t n, AlertString* out) {
  // A trimmed string is a slice of its input, which outlives the batch's evaluation.
  std::string_view t = alert::ascii_trim(view(s, n));
  *out = {t.data(), static_cast<int64_t>(t.size())};
}

void alert_str_substr(AlertKernelState* st, const char* s, int64_t n, int64_t start, int64_t count,
                      AlertString* out) {
  put(st, alert::utf8_substr(view(s, n), start, count), out);
}

void alert_str_concat(AlertKernelState* st, const char* a, int64_t an, const char* b, int64_t bn,
                      AlertString* out) {
  char* p = arena_of(st).allocate(static_cast<size_t>(an + bn));
  if (an) std::memcpy(p, a, static_cast<size_t>(an));
  if (bn) std::memcpy(p + an, b, static_cast<size_t>(bn));
  *out = {p, an + bn};
}

bool alert_str_to_int(const char* s, int64_t n, int64_t* out) {
  return alert::parse_int64(alert::ascii_trim(view(s, n)), out);
}

bool alert_str_to_float(const char* s, int64_t n, double* out) {
  return alert::parse_double(alert::ascii_trim(view(s, n)), out);
}

void alert_int_to_string(AlertKernelState* st, int32_t kind, int64_t v, AlertString* out) {
  if (static_cast<alert::TypeKind>(kind) == alert::TypeKind::Int) {
    // The common case (`string(id)` as a key or label) without building a std::string per row.
    char digits[24];
    auto end = std::to_chars(digits, digits + sizeof digits, v).ptr;
    put(st, std::string_view(digits, static_cast<size_t>(end - digits)), out);
    return;
  }
  alert::Value value;
  value.kind = static_cast<alert::TypeKind>(kind);
  value.i = v;
  put(st, alert::value_to_text(value), out);
}

void alert_float_to_string(AlertKernelState* st, double v, AlertString* out) {
  put(st, alert::value_to_text(alert::Value::floating(v)), out);
}

double alert_round_digits(double x, int64_t digits) { return alert::round_digits(x, digits); }

}  // extern "C"

namespace alert {

const std::vector<HelperSymbol>& jit_helper_symbols() {
  using D1 = double (*)(double);
  using D2 = double (*)(double, double);
  static const std::vector<HelperSymbol> symbols = {
#define HELPER(name) {#name, reinterpret_cast<void*>(&name)}
      HELPER(alert_str_compare), HELPER(alert_str_equal), HELPER(alert_str_contains),
      HELPER(alert_str_starts_with), HELPER(alert_str_ends_with), HELPER(alert_str_matches),
      HELPER(alert_str_length), HELPER(alert_str_lower), HELPER(alert_str_upper),
      HELPER(alert_str_trim), HELPER(alert_str_substr), HELPER(alert_str_concat),
      HELPER(alert_str_to_int), HELPER(alert_str_to_float), HELPER(alert_int_to_string),
      HELPER(alert_float_to_string), HELPER(alert_round_digits),
#undef HELPER
      // What LLVM lowers math intrinsics and frem to when the target has no instruction.
      {"pow", reinterpret_cast<void*>(static_cast<D2>(&::pow))},
      {"fmod", reinterpret_cast<void*>(static_cast<D2>(&::fmod))},
      {"log", reinterpret_cast<void*>(static_cast<D1>(&::log))},
      {"log10", reinterpret_cast<void*>(static_cast<D1>(&::log10))},
      {"sqrt", reinterpret_cast<void*>(static_cast<D1>(&::sqrt))},
      {"floor", reinterpret_cast<void*>(static_cast<D1>(&::floor))},
      {"ceil", reinterpret_cast<void*>(static_cast<D1>(&::ceil))},
      {"round", reinterpret_cast<void*>(static_cast<D1>(&::round))},
      // LLVM may rewrite calls into others: pow(2, x) -> exp2(x), memcmp(...) == 0 -> bcmp.
      {"exp", reinterpret_cast<void*>(static_cast<D1>(&::exp))},
      {"exp2", reinterpret_cast<void*>(static_cast<D1>(&::exp2))},
      {"exp10", reinterpret_cast<void*>(static_cast<D1>(&::exp10))},
      {"log2", reinterpret_cast<void*>(static_cast<D1>(&::log2))},
      {"cbrt", reinterpret_cast<void*>(static_cast<D1>(&::cbrt))},
      {"trunc", reinterpret_cast<void*>(static_cast<D1>(&::trunc))},
      {"rint", reinterpret_cast<void*>(static_cast<D1>(&::rint))},
      {"nearbyint", reinterpret_cast<void*>(static_cast<D1>(&::nearbyint))},
      {"fmin", reinterpret_cast<void*>(static_cast<D2>(&::fmin))},
      {"fmax", reinterpret_cast<void*>(static_cast<D2>(&::fmax))},
      {"ldexp", reinterpret_cast<void*>(static_cast<double (*)(double, int)>(&::ldexp))},
      {"memcmp", reinterpret_cast<void*>(&::memcmp)},
      {"bcmp", reinterpret_cast<void*>(&::bcmp)},
      {"memmove", reinterpret_cast<void*>(&::memmove)},
      {"memcpy", reinterpret_cast<void*>(&::memcpy)},
      {"memset", reinterpret_cast<void*>(&::memset)},
  };
  return symbols;
}

}  // namespace alert
