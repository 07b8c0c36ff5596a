#include "stdlib/builtins.h"

namespace alert {
namespace {

using K = TypeKind;
using C = BuiltinClass;
using T = TypingRule;
using N = NullPolicy;

std::vector<BuiltinOverload> make_table() {
  return {
      {BuiltinId::Abs, "abs", C::Scalar, T::SameAsArg0, {}, K::Null, 1, 1, N::NullIfNullOrError},
      {BuiltinId::Round, "round", C::Scalar, T::SameAsArg0, {}, K::Null, 1, 1, N::NullIfNull},
      {BuiltinId::Round, "round", C::Scalar, T::Fixed, {K::Float, K::Int}, K::Float, 2, 2, N::NullIfNull},
      {BuiltinId::Floor, "floor", C::Scalar, T::SameAsArg0, {}, K::Null, 1, 1, N::NullIfNull},
      {BuiltinId::Ceil, "ceil", C::Scalar, T::SameAsArg0, {}, K::Null, 1, 1, N::NullIfNull},
      {BuiltinId::Sqrt, "sqrt", C::Scalar, T::Fixed, {K::Float}, K::Float, 1, 1, N::NullIfNull},
      {BuiltinId::Ln, "ln", C::Scalar, T::Fixed, {K::Float}, K::Float, 1, 1, N::NullIfNull},
      {BuiltinId::Log10, "log10", C::Scalar, T::Fixed, {K::Float}, K::Float, 1, 1, N::NullIfNull},
      {BuiltinId::Pow, "pow", C::Scalar, T::Fixed, {K::Float, K::Float}, K::Float, 2, 2, N::NullIfNull},
      {BuiltinId::Least, "least", C::Scalar, T::Unify, {}, K::Null, 1, -1, N::NullIfNull},
      {BuiltinId::Greatest, "greatest", C::Scalar, T::Unify, {}, K::Null, 1, -1, N::NullIfNull},
      {BuiltinId::If, "if", C::Scalar, T::IfThenElse, {}, K::Null, 3, 3, N::Internal},
      {BuiltinId::Coalesce, "coalesce", C::Scalar, T::Unify, {}, K::Null, 1, -1, N::Internal},
      {BuiltinId::Len, "len", C::Scalar, T::Fixed, {K::String}, K::Int, 1, 1, N::NullIfNull},
      {BuiltinId::Lower, "lower", C::Scalar, T::Fixed, {K::String}, K::String, 1, 1, N::NullIfNull},
      {BuiltinId::Upper, "upper", C::Scalar, T::Fixed, {K::String}, K::String, 1, 1, N::NullIfNull},
      {BuiltinId::Trim, "trim", C::Scalar, T::Fixed, {K::String}, K::String, 1, 1, N::NullIfNull},
      {BuiltinId::Concat, "concat", C::Scalar, T::Fixed, {K::String}, K::String, 1, -1, N::NullIfNull},
      {BuiltinId::Substr, "substr", C::Scalar, T::Fixed, {K::String, K::Int, K::Int}, K::String, 3, 3, N::NullIfNull},
      {BuiltinId::Contains, "contains", C::Scalar, T::Fixed, {K::String, K::String}, K::Bool, 2, 2, N::NullIfNull},
      {BuiltinId::StartsWith, "starts_with", C::Scalar, T::Fixed, {K::String, K::String}, K::Bool, 2, 2, N::NullIfNull},
      {BuiltinId::EndsWith, "ends_with", C::Scalar, T::Fixed, {K::String, K::String}, K::Bool, 2, 2, N::NullIfNull},
      {BuiltinId::Matches, "matches", C::Scalar, T::Fixed, {K::String, K::String}, K::Bool, 2, 2, N::NullIfNull},
      {BuiltinId::ToInt, "int", C::Scalar, T::Fixed, {K::Float}, K::Int, 1, 1, N::NullIfNullOrError},
      {BuiltinId::ToInt, "int", C::Scalar, T::Fixed, {K::String}, K::Int, 1, 1, N::NullIfNullOrError},
      {BuiltinId::ToFloat, "float", C::Scalar, T::Fixed, {K::Float}, K::Float, 1, 1, N::NullIfNull},
      {BuiltinId::ToFloat, "float", C::Scalar, T::Fixed, {K::String}, K::Float, 1, 1, N::NullIfNullOrError},
      {BuiltinId::ToString, "string", C::Scalar, T::Fixed, {K::Null}, K::String, 1, 1, N::NullNever},
      {BuiltinId::Seconds, "seconds", C::Scalar, T::Fixed, {K::Duration}, K::Float, 1, 1, N::NullIfNull},
      {BuiltinId::Hour, "hour", C::Scalar, T::Fixed, {K::Timestamp}, K::Int, 1, 1, N::NullIfNull},
      {BuiltinId::DayOfWeek, "day_of_week", C::Scalar, T::Fixed, {K::Timestamp}, K::Int, 1, 1, N::NullIfNull},
      {BuiltinId::DateTrunc, "date_trunc", C::Scalar, T::Fixed, {K::String, K::Timestamp}, K::Timestamp, 2, 2, N::NullIfNullOrError},
      {BuiltinId::Count, "count", C::Aggregate, T::AggregateRule, {}, K::Int, 0, 1, N::Internal},
      {BuiltinId::CountDistinct, "count_distinct", C::Aggregate, T::AggregateRule, {}, K::Int, 1, 1, N::Internal},
      {BuiltinId::Sum, "sum", C::Aggregate, T::AggregateRule, {}, K::Null, 1, 1, N::Internal},
      {BuiltinId::Avg, "avg", C::Aggregate, T::AggregateRule, {}, K::Float, 1, 1, N::Internal},
      {BuiltinId::Min, "min", C::Aggregate, T::AggregateRule, {}, K::Null, 1, 1, N::Internal},
      {BuiltinId::Max, "max", C::Aggregate, T::AggregateRule, {}, K::Null, 1, 1, N::Internal},
      {BuiltinId::Stddev, "stddev", C::Aggregate, T::AggregateRule, {}, K::Float, 1, 1, N::Internal},
      {BuiltinId::First, "first", C::Aggregate, T::AggregateRule, {}, K::Null, 1, 1, N::Internal},
      {BuiltinId::Last, "last", C::Aggregate, T::AggregateRule, {}, K::Null, 1, 1, N::Internal},
      {BuiltinId::Prev, "prev", C::History, T::HistoryRule, {}, K::Null, 1, 2, N::Internal},
      {BuiltinId::MeanPrev, "mean_prev", C::History, T::HistoryRule, {}, K::Float, 2, 2, N::Internal},
      {BuiltinId::StddevPrev, "stddev_prev", C::History, T::HistoryRule, {}, K::Float, 2, 2, N::Internal},
      {BuiltinId::WindowStart, "window_start", C::WindowBound, T::Fixed, {}, K::Timestamp, 0, 0, N::Internal},
      {BuiltinId::WindowEnd, "window_end", C::WindowBound, T::Fixed, {}, K::Timestamp, 0, 0, N::Internal},
      {BuiltinId::Env, "env", C::Env, T::Fixed, {K::String}, K::String, 1, 1, N::Internal},
  };
}

}  // namespace

const std::vector<BuiltinOverload>& builtin_table() {
  static const std::vector<BuiltinOverload> table = make_table();
  return table;
}

std::vector<const BuiltinOverload*> find_builtins(std::string_view name) {
  std::vector<const BuiltinOverload*> out;
  for (const auto& o : builtin_table()) {
    if (o.name == name) out.push_back(&o);
  }
  return out;
}

std::string_view builtin_name(BuiltinId id) {
  switch (id) {
#define X(i, n) case BuiltinId::i: return n;
    ALERT_BUILTINS(X)
#undef X
  }
  return "?";
}

std::vector<std::string> builtin_names() {
  std::vector<std::string> out;
#define X(i, n) out.push_back(n);
  ALERT_BUILTINS(X)
#undef X
  return out;
}

}  // namespace alert
