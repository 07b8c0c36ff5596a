#include "stdlib/builtins.h"

namespace alert {
namespace {

using K = TypeKind;
using C = BuiltinClass;
using T = TypingRule;

std::vector<BuiltinOverload> make_table() {
  return {
      {BuiltinId::Abs, "abs", C::Scalar, T::SameAsArg0, {}, K::Null, 1, 1},
      {BuiltinId::Round, "round", C::Scalar, T::SameAsArg0, {}, K::Null, 1, 1},
      {BuiltinId::Round, "round", C::Scalar, T::Fixed, {K::Float, K::Int}, K::Float, 2, 2},
      {BuiltinId::Floor, "floor", C::Scalar, T::SameAsArg0, {}, K::Null, 1, 1},
      {BuiltinId::Ceil, "ceil", C::Scalar, T::SameAsArg0, {}, K::Null, 1, 1},
      {BuiltinId::Sqrt, "sqrt", C::Scalar, T::Fixed, {K::Float}, K::Float, 1, 1},
      {BuiltinId::Ln, "ln", C::Scalar, T::Fixed, {K::Float}, K::Float, 1, 1},
      {BuiltinId::Log10, "log10", C::Scalar, T::Fixed, {K::Float}, K::Float, 1, 1},
      {BuiltinId::Pow, "pow", C::Scalar, T::Fixed, {K::Float, K::Float}, K::Float, 2, 2},
      {BuiltinId::Least, "least", C::Scalar, T::Unify, {}, K::Null, 1, -1},
      {BuiltinId::Greatest, "greatest", C::Scalar, T::Unify, {}, K::Null, 1, -1},
      {BuiltinId::If, "if", C::Scalar, T::IfThenElse, {}, K::Null, 3, 3},
      {BuiltinId::Coalesce, "coalesce", C::Scalar, T::Unify, {}, K::Null, 1, -1},
      {BuiltinId::Len, "len", C::Scalar, T::Fixed, {K::String}, K::Int, 1, 1},
      {BuiltinId::Lower, "lower", C::Scalar, T::Fixed, {K::String}, K::String, 1, 1},
      {BuiltinId::Upper, "upper", C::Scalar, T::Fixed, {K::String}, K::String, 1, 1},
      {BuiltinId::Trim, "trim", C::Scalar, T::Fixed, {K::String}, K::String, 1, 1},
      {BuiltinId::Concat, "concat", C::Scalar, T::Fixed, {K::String}, K::String, 1, -1},
      {BuiltinId::Substr, "substr", C::Scalar, T::Fixed, {K::String, K::Int, K::Int}, K::String, 3, 3},
      {BuiltinId::Contains, "contains", C::Scalar, T::Fixed, {K::String, K::String}, K::Bool, 2, 2},
      {BuiltinId::StartsWith, "starts_with", C::Scalar, T::Fixed, {K::String, K::String}, K::Bool, 2, 2},
      {BuiltinId::EndsWith, "ends_with", C::Scalar, T::Fixed, {K::String, K::String}, K::Bool, 2, 2},
      {BuiltinId::Matches, "matches", C::Scalar, T::Fixed, {K::String, K::String}, K::Bool, 2, 2},
      {BuiltinId::ToInt, "int", C::Scalar, T::Fixed, {K::Float}, K::Int, 1, 1},
      {BuiltinId::ToInt, "int", C::Scalar, T::Fixed, {K::String}, K::Int, 1, 1},
      {BuiltinId::ToFloat, "float", C::Scalar, T::Fixed, {K::Float}, K::Float, 1, 1},
      {BuiltinId::ToFloat, "float", C::Scalar, T::Fixed, {K::String}, K::Float, 1, 1},
      {BuiltinId::ToString, "string", C::Scalar, T::Fixed, {K::Null}, K::String, 1, 1},
      {BuiltinId::Seconds, "seconds", C::Scalar, T::Fixed, {K::Duration}, K::Float, 1, 1},
      {BuiltinId::Hour, "hour", C::Scalar, T::Fixed, {K::Timestamp}, K::Int, 1, 1},
      {BuiltinId::DayOfWeek, "day_of_week", C::Scalar, T::Fixed, {K::Timestamp}, K::Int, 1, 1},
      {BuiltinId::DateTrunc, "date_trunc", C::Scalar, T::Fixed, {K::String, K::Timestamp}, K::Timestamp, 2, 2},
      {BuiltinId::Count, "count", C::Aggregate, T::AggregateRule, {}, K::Int, 0, 1},
      {BuiltinId::CountDistinct, "count_distinct", C::Aggregate, T::AggregateRule, {}, K::Int, 1, 1},
      {BuiltinId::Sum, "sum", C::Aggregate, T::AggregateRule, {}, K::Null, 1, 1},
      {BuiltinId::Avg, "avg", C::Aggregate, T::AggregateRule, {}, K::Float, 1, 1},
      {BuiltinId::Min, "min", C::Aggregate, T::AggregateRule, {}, K::Null, 1, 1},
      {BuiltinId::Max, "max", C::Aggregate, T::AggregateRule, {}, K::Null, 1, 1},
      {BuiltinId::Stddev, "stddev", C::Aggregate, T::AggregateRule, {}, K::Float, 1, 1},
      {BuiltinId::First, "first", C::Aggregate, T::AggregateRule, {}, K::Null, 1, 1},
      {BuiltinId::Last, "last", C::Aggregate, T::AggregateRule, {}, K::Null, 1, 1},
      {BuiltinId::Prev, "prev", C::History, T::HistoryRule, {}, K::Null, 1, 2},
      {BuiltinId::MeanPrev, "mean_prev", C::History, T::HistoryRule, {}, K::Float, 2, 2},
      {BuiltinId::StddevPrev, "stddev_prev", C::History, T::HistoryRule, {}, K::Float, 2, 2},
      {BuiltinId::WindowStart, "window_start", C::WindowBound, T::Fixed, {}, K::Timestamp, 0, 0},
      {BuiltinId::WindowEnd, "window_end", C::WindowBound, T::Fixed, {}, K::Timestamp, 0, 0},
      {BuiltinId::Env, "env", C::Env, T::Fixed, {K::String}, K::String, 1, 1},
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
