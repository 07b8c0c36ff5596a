#include "stdlib/scalar_ops.h"

#include <gtest/gtest.h>

#include <re2/re2.h>

#include <cmath>

#include "stdlib/builtins.h"
#include "stdlib/time_format.h"

namespace alert {
namespace {

Value bin(BinaryOp op, Value a, Value b, ArithmeticEvents* ev = nullptr) { return apply_binary(op, a, b, ev); }

TEST(ScalarOps, IntegerDivisionTruncatesTowardZeroAndModTakesDividendSign) {
  EXPECT_EQ(bin(BinaryOp::Div, Value::integer(-7), Value::integer(2)).i, -3);
  EXPECT_EQ(bin(BinaryOp::Mod, Value::integer(-7), Value::integer(2)).i, -1);
  EXPECT_DOUBLE_EQ(bin(BinaryOp::Mod, Value::floating(-7.5), Value::floating(2)).f, std::fmod(-7.5, 2.0));
}

TEST(ScalarOps, DivisionByZeroAndOverflowAreNullAndCounted) {
  ArithmeticEvents ev;
  EXPECT_TRUE(bin(BinaryOp::Div, Value::integer(1), Value::integer(0), &ev).is_null());
  EXPECT_TRUE(bin(BinaryOp::Div, Value::floating(1), Value::floating(0), &ev).is_null());
  EXPECT_TRUE(bin(BinaryOp::Add, Value::integer(INT64_MAX), Value::integer(1), &ev).is_null());
  EXPECT_TRUE(apply_unary(UnaryOp::Neg, Value::integer(INT64_MIN), &ev).is_null());
  EXPECT_EQ(ev.division_by_zero, 2u);
  EXPECT_EQ(ev.overflow, 2u);
  std::vector<Value> args{Value::integer(INT64_MIN)};
  EXPECT_TRUE(apply_builtin(BuiltinId::Abs, args, TypeKind::Int, nullptr, &ev).is_null());
}

TEST(ScalarOps, ThreeValuedLogic) {
  EXPECT_FALSE(bin(BinaryOp::And, Value::boolean(false), Value::null()).b);
  EXPECT_FALSE(bin(BinaryOp::And, Value::boolean(false), Value::null()).is_null());
  EXPECT_TRUE(bin(BinaryOp::Or, Value::boolean(true), Value::null()).b);
  EXPECT_TRUE(bin(BinaryOp::And, Value::boolean(true), Value::null()).is_null());
  EXPECT_TRUE(bin(BinaryOp::Or, Value::boolean(false), Value::null()).is_null());
}

TEST(ScalarOps, NanComparesFalseExceptNotEqual) {
  Value nan = Value::floating(std::nan(""));
  EXPECT_FALSE(bin(BinaryOp::Eq, nan, nan).b);
  EXPECT_TRUE(bin(BinaryOp::Ne, nan, nan).b);
  EXPECT_FALSE(bin(BinaryOp::Lt, nan, Value::floating(1)).b);
}

TEST(ScalarOps, RoundIsHalfAwayFromZeroOnTheExactValue) {
  EXPECT_DOUBLE_EQ(round_digits(12.25, 1), 12.3);
  EXPECT_DOUBLE_EQ(round_digits(-12.25, 1), -12.3);
  EXPECT_DOUBLE_EQ(round_digits(0.15, 1), 0.1);  // 0.15 is slightly below in binary
  EXPECT_DOUBLE_EQ(round_digits(1234.5, -2), 1200.0);
  EXPECT_DOUBLE_EQ(round_digits(9.96, 1), 10.0);
}

TEST(ScalarOps, SubstrCountsCodePointsFromOneAndClips) {
  EXPECT_EQ(utf8_substr("abc", 2, 5), "bc");
  EXPECT_EQ(utf8_substr("héllo", 2, 2), "él");
  EXPECT_EQ(utf8_substr("abc", 0, 2), "a");
  EXPECT_EQ(utf8_length("h\xC3\xA9llo\xF0\x9F\x98\x80"), 6);
}

TEST(ScalarOps, FloatsPrintAsShortestRoundTrip) {
  EXPECT_EQ(value_to_text(Value::floating(0.1)), "0.1");
  EXPECT_EQ(value_to_text(Value::floating(3.0)), "3");
  EXPECT_EQ(value_to_text(Value::floating(1e20)), "1e+20");
}

TEST(ScalarOps, FormatSpecsAreCheckedAgainstTheType) {
  std::string out;
  EXPECT_TRUE(format_with_spec(Value::floating(2.5), ".2f", &out));
  EXPECT_EQ(out, "2.50");
  EXPECT_TRUE(format_with_spec(Value::integer(255), "x", &out));
  EXPECT_EQ(out, "ff");
  EXPECT_FALSE(format_with_spec(Value::string("s"), ".2f", &out));
}

TEST(ScalarOps, IntParsesStringsAndTruncatesFloats) {
  std::vector<Value> a{Value::string(" 42 ")};
  EXPECT_EQ(apply_builtin(BuiltinId::ToInt, a, TypeKind::Int, nullptr, nullptr).i, 42);
  std::vector<Value> b{Value::string("4x")};
  EXPECT_TRUE(apply_builtin(BuiltinId::ToInt, b, TypeKind::Int, nullptr, nullptr).is_null());
  std::vector<Value> c{Value::floating(-2.9)};
  EXPECT_EQ(apply_builtin(BuiltinId::ToInt, c, TypeKind::Int, nullptr, nullptr).i, -2);
  std::vector<Value> d{Value::floating(1e300)};
  EXPECT_TRUE(apply_builtin(BuiltinId::ToInt, d, TypeKind::Int, nullptr, nullptr).is_null());
}

TEST(TimeFormat, Rfc3339RoundTripsWithOffsetsAndFractions) {
  auto t = parse_rfc3339("2026-01-01T10:00:00.250+02:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(format_rfc3339(*t), "2026-01-01T08:00:00.25Z");
  EXPECT_FALSE(parse_rfc3339("2026-02-30T00:00:00Z"));
  EXPECT_TRUE(parse_rfc3339("2026-03-01 09:00:00Z", true));
  EXPECT_FALSE(parse_rfc3339("2026-03-01 09:00:00Z", false));
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999999999Z");
}

TEST(TimeFormat, DurationsParseAndPrint) {
  EXPECT_EQ(*parse_duration("1h30m"), 5400 * kNanosPerSecond);
  EXPECT_EQ(format_duration(5400 * kNanosPerSecond), "1h30m");
  EXPECT_EQ(format_duration(250'000'000), "250ms");
  EXPECT_FALSE(parse_duration("5x"));
  EXPECT_FALSE(parse_duration("9999999999999999999d"));
}

TEST(TimeFunctions, HourAndDayOfWeekAreUtc) {
  auto t = *parse_rfc3339("2026-01-05T23:30:00Z");  // a Monday
  std::vector<Value> a{Value::timestamp(t)};
  EXPECT_EQ(apply_builtin(BuiltinId::Hour, a, TypeKind::Int, nullptr, nullptr).i, 23);
  EXPECT_EQ(apply_builtin(BuiltinId::DayOfWeek, a, TypeKind::Int, nullptr, nullptr).i, 1);
  std::vector<Value> b{Value::string("day"), Value::timestamp(t)};
  EXPECT_EQ(format_rfc3339(apply_builtin(BuiltinId::DateTrunc, b, TypeKind::Timestamp, nullptr, nullptr).i),
            "2026-01-05T00:00:00Z");
}

}  // namespace
}  // namespace alert

namespace alert {
namespace {

TEST(TimeFormat, EarliestAndLatestTimestampsFormatWithoutOverflow) {
  EXPECT_EQ(format_rfc3339(INT64_MIN), "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(format_rfc3339(INT64_MAX), "2262-04-11T23:47:16.854775807Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59.999999999Z");
}

// Each scalar overload's null policy in the registry (stdlib/builtins.h) is what the function
// does: a null in any argument position gives null (NullIfNull, NullIfNullOrError), or never
// (NullNever); and a NullIfNull function gives a value for non-null arguments. The JIT is held
// to the interpreter by the differential tests, so to the registry too.
Value sample_of(TypeKind k) {
  switch (k) {
    case TypeKind::Float: return Value::floating(2.5);
    case TypeKind::String: return Value::string("3");
    case TypeKind::Timestamp: return Value::timestamp(1'700'000'000'000'000'000);
    case TypeKind::Duration: return Value::duration(1'000'000'000);
    case TypeKind::Bool: return Value::boolean(true);
    default: return Value::integer(3);
  }
}

TEST(BuiltinRegistry, NullPoliciesAreWhatTheFunctionsDo) {
  re2::RE2 regex("3");
  size_t checked = 0;
  for (const BuiltinOverload& o : builtin_table()) {
    if (o.klass != BuiltinClass::Scalar || o.nulls == NullPolicy::Internal) continue;
    std::vector<Value> args;
    TypeKind result = o.result;
    size_t n = static_cast<size_t>(std::max(o.min_args, 1));
    for (size_t i = 0; i < n; ++i) {
      TypeKind k = o.typing == TypingRule::Fixed ? o.params[std::min(i, o.params.size() - 1)]
                   : o.typing == TypingRule::SameAsArg0 ? TypeKind::Float : TypeKind::Int;
      args.push_back(sample_of(k));
    }
    if (o.typing == TypingRule::SameAsArg0) result = TypeKind::Float;
    if (o.typing == TypingRule::Unify) result = TypeKind::Int;
    const re2::RE2* re = o.id == BuiltinId::Matches ? &regex : nullptr;
    std::vector<Value> given = args;
    Value plain = apply_builtin(o.id, given, result, re, nullptr);
    if (o.nulls != NullPolicy::NullIfNullOrError) {
      EXPECT_FALSE(plain.is_null()) << o.name << " gave null for non-null arguments";
    }
    for (size_t i = 0; i < args.size(); ++i) {
      std::vector<Value> with_null = args;
      with_null[i] = Value::null();
      Value v = apply_builtin(o.id, with_null, result, re, nullptr);
      if (o.nulls == NullPolicy::NullNever) {
        EXPECT_FALSE(v.is_null()) << o.name << " is NullNever but gave null for a null argument " << i;
      } else {
        EXPECT_TRUE(v.is_null()) << o.name << " gave a value for a null argument " << i;
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 25u);  // every scalar function took part
}

TEST(BuiltinRegistry, FunctionsThatCanFailOnValuesSayNullIfNullOrError) {
  // The non-null inputs that give null, one per such function: the registry must know them.
  ArithmeticEvents ev;
  std::vector<Value> abs_min{Value::integer(INT64_MIN)};
  EXPECT_TRUE(apply_builtin(BuiltinId::Abs, abs_min, TypeKind::Int, nullptr, &ev).is_null());
  std::vector<Value> not_a_number{Value::string("x")};
  EXPECT_TRUE(apply_builtin(BuiltinId::ToInt, not_a_number, TypeKind::Int, nullptr, &ev).is_null());
  EXPECT_TRUE(apply_builtin(BuiltinId::ToFloat, not_a_number, TypeKind::Float, nullptr, &ev).is_null());
  std::vector<Value> earliest{Value::string("day"), Value::timestamp(INT64_MIN)};
  EXPECT_TRUE(apply_builtin(BuiltinId::DateTrunc, earliest, TypeKind::Timestamp, nullptr, &ev).is_null());
  for (BuiltinId id : {BuiltinId::Abs, BuiltinId::ToInt, BuiltinId::DateTrunc}) {
    for (const BuiltinOverload* o : find_builtins(builtin_name(id))) {
      EXPECT_EQ(o->nulls, NullPolicy::NullIfNullOrError) << o->name;
    }
  }
}

}  // namespace
}  // namespace alert
