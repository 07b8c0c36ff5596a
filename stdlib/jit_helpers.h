// The C-ABI functions generated kernels call for work that is not worth inlining: string
// functions, regexes, parsing and formatting. Each has the same meaning as its case in
// scalar_ops.cc (often by calling the same code); the differential test holds them together.
// The JIT registers exactly these symbols (plus a few libm ones) rather than searching the process.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "abi/kernel_abi.h"

extern "C" {
int32_t alert_str_compare(const char* a, int64_t an, const char* b, int64_t bn);
bool alert_str_equal(const char* a, int64_t an, const char* b, int64_t bn);
bool alert_str_contains(const char* a, int64_t an, const char* b, int64_t bn);
bool alert_str_starts_with(const char* a, int64_t an, const char* b, int64_t bn);
bool alert_str_ends_with(const char* a, int64_t an, const char* b, int64_t bn);
bool alert_str_matches(const void* re2, const char* s, int64_t n);
int64_t alert_str_length(const char* s, int64_t n);
void alert_str_lower(AlertKernelState* st, const char* s, int64_t n, AlertString* out);
void alert_str_upper(AlertKernelState* st, const char* s, int64_t n, AlertString* out);
void alert_str_trim(AlertKernelState* st, const char* s, int64_t n, AlertString* out);
void alert_str_substr(AlertKernelState* st, const char* s, int64_t n, int64_t start, int64_t count,
                      AlertString* out);
void alert_str_concat(AlertKernelState* st, const char* a, int64_t an, const char* b, int64_t bn,
                      AlertString* out);
bool alert_str_to_int(const char* s, int64_t n, int64_t* out);
bool alert_str_to_float(const char* s, int64_t n, double* out);
// kind: alert::TypeKind of v (int, timestamp or duration).
void alert_int_to_string(AlertKernelState* st, int32_t kind, int64_t v, AlertString* out);
void alert_float_to_string(AlertKernelState* st, double v, AlertString* out);
double alert_round_digits(double x, int64_t digits);
}

namespace alert {

struct HelperSymbol {
  std::string_view name;
  void* address;
};
// Every symbol generated code may call, for explicit registration with the JIT.
const std::vector<HelperSymbol>& jit_helper_symbols();

}  // namespace alert
