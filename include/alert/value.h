// Values and types of the alert language as the public API sees them: the values carried by
// alerts (labels, group keys, lets) and the scalar types of schema fields.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace alert {

enum class TypeKind : uint8_t { Null, Bool, Int, Float, String, Timestamp, Duration, List };

std::string_view type_kind_name(TypeKind kind);

// A static type: a kind plus nullability. Lists exist only as constants on the right of `in`.
struct Type {
  TypeKind kind = TypeKind::Null;
  bool nullable = false;
  TypeKind elem = TypeKind::Null;  // element kind of a List

  static Type of(TypeKind k, bool nullable = false) { return {k, nullable, TypeKind::Null}; }
  static Type list_of(TypeKind e) { return {TypeKind::List, false, e}; }
  bool is_numeric() const { return kind == TypeKind::Int || kind == TypeKind::Float; }
  Type with_nullable(bool n) const { return {kind, n, elem}; }
  bool operator==(const Type&) const = default;
  // "int", "string?", "list of string"
  std::string name() const;
};

// A dynamically typed value. `kind` is the value's own kind; a null has kind Null.
struct Value {
  TypeKind kind = TypeKind::Null;
  bool b = false;
  int64_t i = 0;  // Int, Timestamp (ns since epoch), Duration (ns)
  double f = 0;
  std::string s;
  std::vector<Value> list;

  static Value null() { return {}; }
  static Value boolean(bool v) { Value x; x.kind = TypeKind::Bool; x.b = v; return x; }
  static Value integer(int64_t v) { Value x; x.kind = TypeKind::Int; x.i = v; return x; }
  static Value floating(double v) { Value x; x.kind = TypeKind::Float; x.f = v; return x; }
  static Value string(std::string v) { Value x; x.kind = TypeKind::String; x.s = std::move(v); return x; }
  static Value timestamp(int64_t ns) { Value x; x.kind = TypeKind::Timestamp; x.i = ns; return x; }
  static Value duration(int64_t ns) { Value x; x.kind = TypeKind::Duration; x.i = ns; return x; }
  bool is_null() const { return kind == TypeKind::Null; }
};

// Text of a value as messages, labels and string(x) show it (docs/language.md §4).
std::string value_to_text(const Value& v);
// Equality as the language's `==` defines it (int/float compare numerically; NaN != NaN).
bool values_equal(const Value& a, const Value& b);

}  // namespace alert
