// The one table of builtin functions (docs/language.md §5), one row per overload: its name, class,
// typing rule, arity and null policy. Sema resolves a call to a BuiltinId and a result type from
// this table; the interpreter (stdlib/scalar_ops.cc) and the code generator
// (compiler/codegen/expr_codegen.cc) both dispatch on the same id and implement it
// independently, so that the differential tests can compare them; a unit test checks both
// against each row's null policy.
#pragma once

#include <string_view>
#include <vector>

#include "alert/value.h"

namespace alert {

#define ALERT_BUILTINS(X)                                                              \
  /* scalar */                                                                         \
  X(Abs, "abs") X(Round, "round") X(Floor, "floor") X(Ceil, "ceil") X(Sqrt, "sqrt")    \
  X(Ln, "ln") X(Log10, "log10") X(Pow, "pow") X(Least, "least") X(Greatest, "greatest") \
  X(If, "if") X(Coalesce, "coalesce") X(Len, "len") X(Lower, "lower") X(Upper, "upper") \
  X(Trim, "trim") X(Concat, "concat") X(Substr, "substr") X(Contains, "contains")        \
  X(StartsWith, "starts_with") X(EndsWith, "ends_with") X(Matches, "matches")            \
  X(ToInt, "int") X(ToFloat, "float") X(ToString, "string") X(Seconds, "seconds")        \
  X(Hour, "hour") X(DayOfWeek, "day_of_week") X(DateTrunc, "date_trunc")                 \
  /* aggregates */                                                                     \
  X(Count, "count") X(CountDistinct, "count_distinct") X(Sum, "sum") X(Avg, "avg")      \
  X(Min, "min") X(Max, "max") X(Stddev, "stddev") X(First, "first") X(Last, "last")     \
  /* history and window bounds */                                                      \
  X(Prev, "prev") X(MeanPrev, "mean_prev") X(StddevPrev, "stddev_prev")                 \
  X(WindowStart, "window_start") X(WindowEnd, "window_end")                             \
  /* channel options */                                                                \
  X(Env, "env")

enum class BuiltinId {
#define X(id, name) id,
  ALERT_BUILTINS(X)
#undef X
};

enum class BuiltinClass { Scalar, Aggregate, History, WindowBound, Env };

// How the result type follows from the arguments.
enum class TypingRule {
  Fixed,         // params and result as listed (int is accepted for float)
  SameAsArg0,    // one numeric argument; result has its type (abs, floor, ceil)
  Unify,         // all arguments share one type; int+float -> float (least, greatest, coalesce)
  IfThenElse,    // bool, then two arguments unified
  AggregateRule, // decided per aggregate in sema
  HistoryRule,   // prev keeps the type; mean_prev/stddev_prev give float
};

// What nulls do to a call (after Gandiva's function registry): read by sema for the result's
// nullability, and checked against the implementation by stdlib/scalar_ops_test.cc.
enum class NullPolicy {
  NullIfNull,         // null exactly when some argument is null
  NullIfNullOrError,  // also null for some non-null arguments: an overflow (counted), or text
                      // that is not a number; so the result is always nullable
  NullNever,          // never null: string(null) is "null"
  Internal,           // the function treats nulls itself: if and coalesce choose among their
                      // arguments; aggregates skip null values; history is null while too short
};

struct BuiltinOverload {
  BuiltinId id;
  std::string_view name;
  BuiltinClass klass;
  TypingRule typing;
  std::vector<TypeKind> params;  // for Fixed
  TypeKind result;               // for Fixed
  int min_args;
  int max_args;  // -1: variadic
  NullPolicy nulls;
};

const std::vector<BuiltinOverload>& builtin_table();
// Every overload with this name (empty if none).
std::vector<const BuiltinOverload*> find_builtins(std::string_view name);
std::string_view builtin_name(BuiltinId id);
// All builtin names, for "did you mean" suggestions.
std::vector<std::string> builtin_names();

}  // namespace alert
