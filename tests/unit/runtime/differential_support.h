// Shared by the differential tests (JIT engine against the reference interpreter): a schema
// with a field of every type, generators of random well-typed expressions and of rows full of
// edge values, and helpers that compile a program for both engines and run it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "alert/compiler.h"
#include "alert/engine.h"

namespace alert::differential {

inline const char* kSchema = R"(schema Row {
  time ts: timestamp
  id: int
  i: int?
  j: int
  f: float?
  g: float
  s: string?
  t: string
  b: bool?
  d: duration?
  u: timestamp?
}
channel out = stdout {}
)";

enum class T { Int, Float, String, Bool, Timestamp, Duration };

// Generates random well-typed expressions as source text.
class ExprGen {
 public:
  explicit ExprGen(uint32_t seed) : rng_(seed) {}

  std::string gen(T t, int depth) {
    if (depth <= 0 || pick(4) == 0) return leaf(t);
    switch (t) {
      case T::Int: return gen_int(depth - 1);
      case T::Float: return gen_float(depth - 1);
      case T::String: return gen_string(depth - 1);
      case T::Bool: return gen_bool(depth - 1);
      case T::Timestamp: return gen_timestamp(depth - 1);
      case T::Duration: return gen_duration(depth - 1);
    }
    return leaf(t);
  }

  // A predicate that exposes a value expression of a random type.
  T random_type() { return static_cast<T>(pick(6)); }

  std::string predicate(int depth) {
    T t = static_cast<T>(pick(6));
    std::string e = gen(t, depth);
    switch (pick(5)) {
      case 0: return "(" + e + ") is null";
      case 1: return "string(" + e + ") == string(" + gen(t, depth - 1) + ")";
      case 2: return "len(string(" + e + ")) > " + std::to_string(pick(12));
      case 3: return t == T::Bool ? e : compare(t, e, gen(t, depth - 1));
      default: return gen_bool(depth);
    }
  }

 private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  template <typename... S>
  std::string one_of(S... options) {
    std::vector<std::string> v{options...};
    return v[pick(v.size())];
  }

  std::string compare(T t, const std::string& a, const std::string& b) {
    std::string op = t == T::Bool ? one_of("==", "!=") : one_of("==", "!=", "<", "<=", ">", ">=");
    return "(" + a + ") " + op + " (" + b + ")";
  }

  std::string leaf(T t) {
    switch (t) {
      case T::Int:
        return one_of("i", "j", "id", "0", "1", "-1", "7", "9223372036854775807", "-9223372036854775808", "3",
                      "1000000");
      case T::Float:
        return one_of("f", "g", "0.0", "1.5", "-2.25", "1e308", "0.1", "3.0", "12.25", "-0.5", "1e-300");
      case T::String: return one_of("s", "t", "\"\"", "\"EU\"", "\"ü€\"", "\" a b \"", "\"FREE10\"", "\"12\"", "\"1.5\"");
      case T::Bool: return one_of("b", "true", "false", "b", "j > 0");
      case T::Timestamp: return one_of("ts", "u", "@2026-01-01T10:00:00Z", "@1969-12-31T23:59:59.5Z");
      case T::Duration: return one_of("d", "90s", "1h30m", "250ms", "0s");
    }
    return "0";
  }

  std::string gen_int(int d) {
    switch (pick(16)) {
      case 0: return "(" + gen(T::Int, d) + " " + one_of("+", "-", "*", "/", "%") + " " + gen(T::Int, d) + ")";
      case 1: return "-(" + gen(T::Int, d) + ")";
      case 2: return "abs(" + gen(T::Int, d) + ")";
      case 3: return "len(" + gen(T::String, d) + ")";
      case 4: return "int(" + gen(T::Float, d) + ")";
      case 5: return "int(" + gen(T::String, d) + ")";
      case 6: return "hour(" + gen(T::Timestamp, d) + ")";
      case 7: return "day_of_week(" + gen(T::Timestamp, d) + ")";
      case 8: return one_of("least", "greatest") + "(" + gen(T::Int, d) + ", " + gen(T::Int, d) + ")";
      case 9: return "if(" + gen(T::Bool, d) + ", " + gen(T::Int, d) + ", " + gen(T::Int, d) + ")";
      case 10: return "coalesce(" + gen(T::Int, d) + ", " + gen(T::Int, d) + ")";
      case 11: return one_of("round", "floor", "ceil") + "(" + gen(T::Int, d) + ")";
      case 12: return "(" + gen(T::Int, d) + " * 1000000007)";
      default: return leaf(T::Int);
    }
  }

  std::string gen_float(int d) {
    switch (pick(16)) {
      case 0: return "(" + gen(T::Float, d) + " " + one_of("+", "-", "*", "/", "%") + " " + gen(T::Float, d) + ")";
      case 1: return "(" + gen(T::Int, d) + " " + one_of("+", "*", "/") + " " + gen(T::Float, d) + ")";
      case 2: return "-(" + gen(T::Float, d) + ")";
      case 3: return one_of("sqrt", "ln", "log10", "abs", "round", "floor", "ceil") + "(" + gen(T::Float, d) + ")";
      case 4: return "pow(" + gen(T::Float, d) + ", " + gen(T::Float, d) + ")";
      case 5: return "round(" + gen(T::Float, d) + ", " + one_of("0", "1", "2", "-2") + ")";
      case 6: return "float(" + gen(T::String, d) + ")";
      case 7: return "float(" + gen(T::Int, d) + ")";
      case 8: return "seconds(" + gen(T::Duration, d) + ")";
      case 9: return one_of("least", "greatest") + "(" + gen(T::Float, d) + ", " + gen(T::Int, d) + ")";
      case 10: return "if(" + gen(T::Bool, d) + ", " + gen(T::Float, d) + ", " + gen(T::Int, d) + ")";
      case 11: return "coalesce(" + gen(T::Float, d) + ", " + gen(T::Float, d) + ", 0.0)";
      case 12: return "(" + gen(T::Duration, d) + " / " + gen(T::Duration, d) + ")";
      case 13: return "(1e308 * " + gen(T::Float, d) + ")";
      default: return leaf(T::Float);
    }
  }

  std::string gen_string(int d) {
    switch (pick(10)) {
      case 0: return one_of("lower", "upper", "trim") + "(" + gen(T::String, d) + ")";
      case 1: return "concat(" + gen(T::String, d) + ", " + gen(T::String, d) + ")";
      case 2: return "substr(" + gen(T::String, d) + ", " + gen(T::Int, d) + ", " + gen(T::Int, d) + ")";
      case 3: return "string(" + gen(static_cast<T>(pick(6)), d) + ")";
      case 4: return "if(" + gen(T::Bool, d) + ", " + gen(T::String, d) + ", " + gen(T::String, d) + ")";
      case 5: return "coalesce(" + gen(T::String, d) + ", " + gen(T::String, d) + ")";
      case 6: return one_of("least", "greatest") + "(" + gen(T::String, d) + ", " + gen(T::String, d) + ")";
      default: return leaf(T::String);
    }
  }

  std::string gen_bool(int d) {
    switch (pick(14)) {
      case 0: return "(" + gen(T::Bool, d) + " " + one_of("and", "or") + " " + gen(T::Bool, d) + ")";
      case 1: return "not (" + gen(T::Bool, d) + ")";
      case 2: {
        T t = static_cast<T>(pick(6));
        return compare(t, gen(t, d), gen(t, d));
      }
      case 3: return "(" + gen(T::Int, d) + " " + one_of("<", "==", ">=") + " " + gen(T::Float, d) + ")";
      case 4: return gen(T::String, d) + one_of(" in ", " not in ") + "[\"EU\", \"US\", \"\", \"ü€\", \"FREE10\", \"a very long string beyond sixteen\"]";
      case 5: return gen(T::Int, d) + one_of(" in ", " not in ") + "[0, -1, 7, 9223372036854775807]";
      case 6: return gen(T::Float, d) + " in [0, 1.5, -2.25]";
      case 7: {
        T t = one_of("i", "f", "s") == "s" ? T::String : (pick(2) ? T::Int : T::Float);
        return gen(t, d) + one_of(" between ", " not between ") + gen(t, d) + " and " + gen(t, d);
      }
      case 8: return "(" + gen(static_cast<T>(pick(6)), d) + ")" + one_of(" is null", " is not null");
      case 9:
        return one_of("contains", "starts_with", "ends_with") + "(" + gen(T::String, d) + ", " + gen(T::String, d) + ")";
      case 10: return "matches(" + gen(T::String, d) + ", " + one_of("\"^E\"", "\"[0-9]+\"", "\"ü\"", "\"^$\"") + ")";
      case 11: return "if(" + gen(T::Bool, d) + ", " + gen(T::Bool, d) + ", " + gen(T::Bool, d) + ")";
      case 12: return "coalesce(" + gen(T::Bool, d) + ", false)";
      default: return leaf(T::Bool);
    }
  }

  std::string gen_timestamp(int d) {
    switch (pick(4)) {
      case 0: return "(" + gen(T::Timestamp, d) + " " + one_of("+", "-") + " " + gen(T::Duration, d) + ")";
      case 1: return "date_trunc(" + one_of("\"hour\"", "\"day\"") + ", " + gen(T::Timestamp, d) + ")";
      case 2: return "coalesce(u, ts)";
      default: return leaf(T::Timestamp);
    }
  }

  std::string gen_duration(int d) {
    switch (pick(5)) {
      case 0: return "(" + gen(T::Timestamp, d) + " - " + gen(T::Timestamp, d) + ")";
      case 1: return "(" + gen(T::Duration, d) + " " + one_of("+", "-") + " " + gen(T::Duration, d) + ")";
      case 2: return "(" + gen(T::Duration, d) + " " + one_of("*", "/") + " " + gen(T::Int, d) + ")";
      default: return leaf(T::Duration);
    }
  }

  std::mt19937 rng_;
};

// Random rows with the edge values the contract singles out.
class RowGen {
 public:
  explicit RowGen(uint32_t seed) : rng_(seed) {}

  std::vector<Value> row(int64_t id) {
    std::vector<Value> v;
    v.push_back(Value::timestamp(1'767'261'600'000'000'000 + id * 1'000'000'000));  // ts
    v.push_back(Value::integer(id));                                               // id
    v.push_back(maybe_null(int_value()));                                          // i
    v.push_back(int_value());                                                      // j
    v.push_back(maybe_null(float_value()));                                        // f
    v.push_back(float_value());                                                    // g
    v.push_back(maybe_null(string_value()));                                       // s
    v.push_back(string_value());                                                   // t
    v.push_back(maybe_null(Value::boolean(pick(2))));                              // b
    v.push_back(maybe_null(Value::duration(int_value().i)));                       // d
    v.push_back(maybe_null(Value::timestamp(int_value().i)));                      // u
    return v;
  }

 private:
  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
  Value maybe_null(Value v) { return pick(5) == 0 ? Value::null() : v; }
  Value int_value() {
    static const int64_t edges[] = {0, 1, -1, 7, -7, 2, INT64_MAX, INT64_MIN, 3'600'000'000'000, -86'400'000'000'001};
    if (pick(2)) return Value::integer(edges[pick(std::size(edges))]);
    return Value::integer(std::uniform_int_distribution<int64_t>(-1000, 1000)(rng_));
  }
  Value float_value() {
    static const double edges[] = {0.0, -0.0, 1.5, -2.25, 0.1, 12.25, NAN, INFINITY, -INFINITY, 1e308, 5e-324, 3.0};
    if (pick(2)) return Value::floating(edges[pick(std::size(edges))]);
    return Value::floating(std::uniform_real_distribution<double>(-100, 100)(rng_));
  }
  Value string_value() {
    static const char* edges[] = {"", "EU", "US", "ü€", " a b ", "FREE10", "12", " 42 ", "1.5", "x",
                                  "a very long string beyond sixteen", "Ünïcödé", "E", "9223372036854775808"};
    return Value::string(edges[pick(std::size(edges))]);
  }
  std::mt19937 rng_;
};

inline std::string write_program(const std::string& text, int n) {
  auto dir = std::filesystem::temp_directory_path() / ("alertc_differential_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / ("p" + std::to_string(n) + ".alert")).string();
  std::ofstream(path) << text;
  return path;
}

// The program compiled for each engine (null where it does not compile).
inline std::pair<std::shared_ptr<const CompiledProgram>, std::shared_ptr<const CompiledProgram>> compile_both(
    const std::string& path) {
  CompileOptions jit_options, interp_options;
  interp_options.engine = EngineKind::Interp;
  return {Compilation::compile({path}, jit_options).program(), Compilation::compile({path}, interp_options).program()};
}

inline std::string diagnostics_of(const std::string& path) {
  std::ostringstream diags;
  Compilation::compile({path}).print_diagnostics(diags, DiagnosticFormat::Text);
  return diags.str();
}

struct Fired {
  std::string rule;
  int64_t id;
  std::string json;
  bool operator==(const Fired&) const = default;
};

// Pushes `rows` (of schema 0) in batches of `batch_size`, then ends the input.
inline void push_rows(Engine& engine, const std::vector<std::vector<Value>>& rows, size_t batch_size) {
  std::vector<TypeKind> kinds;
  for (const FieldSpec& f : engine.schema_fields(0)) kinds.push_back(f.type.kind);
  Batch batch;
  batch.reset(0, kinds);
  for (size_t r = 0; r < rows.size(); ++r) {
    batch.append(rows[r], r + 1);
    if (batch.rows == batch_size) {
      engine.push(batch);
      batch.reset(0, kinds);
    }
  }
  if (batch.rows) engine.push(batch);
  engine.finish();
}

// Every alert, in order: its rule, the row id its message starts with, and its whole JSON.
inline std::vector<Fired> run(std::shared_ptr<const CompiledProgram> program, const std::vector<std::vector<Value>>& rows,
                       size_t batch_size) {
  std::vector<Fired> fired;
  Engine engine(
      program, [&](const Alert& a) { fired.push_back({a.rule, std::stoll(a.message), alert_to_json(a)}); }, nullptr);
  push_rows(engine, rows, batch_size);
  return fired;
}

inline std::vector<std::vector<Value>> make_rows(uint32_t seed, int n) {
  RowGen gen(seed);
  std::vector<std::vector<Value>> rows;
  for (int r = 0; r < n; ++r) rows.push_back(gen.row(r));
  return rows;
}

// The JIT's alerts at each batch size equal the interpreter's, JSON byte for byte; returns how
// many there were.
inline size_t expect_same_alerts(const std::shared_ptr<const CompiledProgram>& jit,
                          const std::shared_ptr<const CompiledProgram>& interp,
                          const std::vector<std::vector<Value>>& rows, std::initializer_list<size_t> batch_sizes,
                          const std::string& path) {
  auto expected = run(interp, rows, 4096);
  for (size_t batch_size : batch_sizes) {
    auto actual = run(jit, rows, batch_size);
    EXPECT_EQ(actual.size(), expected.size()) << path << " batch size " << batch_size;
    for (size_t i = 0; i < std::min(actual.size(), expected.size()); ++i) {
      if (actual[i].json != expected[i].json) {
        ADD_FAILURE() << path << " batch size " << batch_size << " alert " << i << "\n  interpreter: "
                      << expected[i].json << "\n  JIT:         " << actual[i].json;
        return expected.size();
      }
    }
  }
  return expected.size();
}

}  // namespace alert::differential
