// The meaning of every operator and scalar builtin on Values (docs/language.md §3-§5): null
// propagation, three-valued logic, int overflow and division by zero as null, IEEE floats,
// string functions on code points. Constant folding in sema and the reference interpreter both
// use these, and the JIT's generated code is tested against them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alert/value.h"
#include "stdlib/builtins.h"
#include "stdlib/ops.h"

namespace re2 {
class RE2;
}

namespace alert {

// Runtime events that make a value null rather than fail (counted in the run's statistics).
struct ArithmeticEvents {
  uint64_t division_by_zero = 0;
  uint64_t overflow = 0;
};

Value apply_unary(UnaryOp op, const Value& v, ArithmeticEvents* events);
// `result` is the checked result type's kind (decides int vs float arithmetic).
Value apply_binary(BinaryOp op, const Value& a, const Value& b, ArithmeticEvents* events);
Value apply_in(const Value& x, const std::vector<Value>& list);
Value apply_between(const Value& x, const Value& lo, const Value& hi);
// `result_kind` is the call's checked result type (int/float unification for least/greatest/if).
Value apply_builtin(BuiltinId id, std::vector<Value>& args, TypeKind result_kind,
                    const re2::RE2* regex, ArithmeticEvents* events);

// Converts an int to float when the checked type asks for float.
Value promote(const Value& v, TypeKind to);

// Three-way comparison of two non-null values of comparable kinds; NaN compares unordered (2).
int compare_values(const Value& a, const Value& b);

// Rounds x to `digits` decimal places, half away from zero on the double's exact value.
double round_digits(double x, int64_t digits);

// Code-point helpers (strings are UTF-8 bytes).
int64_t utf8_length(std::string_view s);
std::string utf8_substr(std::string_view s, int64_t start, int64_t count);

// Parsing used by int(x), float(x) and the readers.
bool parse_int64(std::string_view s, int64_t* out);
bool parse_double(std::string_view s, double* out);
// `s` without ASCII whitespace at either end (trim(), and int(x)/float(x) of a string).
std::string_view ascii_trim(std::string_view s);

// Formats v with a format spec such as ".2f", ">8", "x"; false when the spec does not fit.
bool format_with_spec(const Value& v, std::string_view spec, std::string* out);
// The largest width or precision a format spec may give (docs/language.md §2.4).
constexpr int64_t kMaxFormatWidth = 1000;
// The largest number written in a spec (its width or precision).
int64_t widest_number_in_spec(std::string_view spec);

}  // namespace alert
