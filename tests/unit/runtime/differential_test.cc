// The JIT against the reference interpreter: thousands of random well-typed predicates over
// random batches full of edge values (nulls, 0, -1, INT64_MIN/MAX, NaN, ±inf, empty and
// non-ASCII strings) must select exactly the same rows in both engines, for every batch size.
// Value expressions of every type are checked through predicates that expose them (`is null`,
// comparisons with edge constants, string(x) compared as text) and through the alerts' lets,
// labels and messages, which the JIT computes in each rule's generated dispatch function: the
// alerts must be identical, JSON byte for byte.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <map>
#include <set>
#include <sstream>

#include "alert/compiler.h"
#include "alert/engine.h"

namespace alert {
namespace {

const char* kSchema = R"(schema Row {
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

std::string write_program(const std::string& text, int n) {
  auto dir = std::filesystem::temp_directory_path() / ("alertc_differential_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto path = (dir / ("p" + std::to_string(n) + ".alert")).string();
  std::ofstream(path) << text;
  return path;
}

// The program compiled for each engine (null where it does not compile).
std::pair<std::shared_ptr<const CompiledProgram>, std::shared_ptr<const CompiledProgram>> compile_both(
    const std::string& path) {
  CompileOptions jit_options, interp_options;
  interp_options.engine = EngineKind::Interp;
  return {Compilation::compile({path}, jit_options).program(), Compilation::compile({path}, interp_options).program()};
}

std::string diagnostics_of(const std::string& path) {
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

// Every alert, in order: its rule, the row id its message starts with, and its whole JSON.
std::vector<Fired> run(std::shared_ptr<const CompiledProgram> program, const std::vector<std::vector<Value>>& rows,
                       size_t batch_size) {
  std::vector<Fired> fired;
  Engine engine(
      program, [&](const Alert& a) { fired.push_back({a.rule, std::stoll(a.message), alert_to_json(a)}); }, nullptr);
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
  return fired;
}

std::vector<std::vector<Value>> make_rows(uint32_t seed, int n) {
  RowGen gen(seed);
  std::vector<std::vector<Value>> rows;
  for (int r = 0; r < n; ++r) rows.push_back(gen.row(r));
  return rows;
}

// The JIT's alerts at each batch size equal the interpreter's, JSON byte for byte; returns how
// many there were.
size_t expect_same_alerts(const std::shared_ptr<const CompiledProgram>& jit,
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

TEST(Differential, JitSelectsExactlyTheRowsTheInterpreterDoes) {
  constexpr int kPrograms = 20, kRulesPerProgram = 60, kRows = 500;
  size_t predicates = 0, selected = 0;
  for (int p = 0; p < kPrograms; ++p) {
    ExprGen exprs(1000 + p);
    std::string text = kSchema;
    std::vector<std::string> sources;
    for (int r = 0; r < kRulesPerProgram; ++r) {
      sources.push_back(exprs.predicate(4));
      // Lets hold the value expressions (templates cannot hold string literals); a later let reads
      // an earlier one, as rule authors do.
      text += "rule R" + std::to_string(r) + " on Row\n  where " + sources.back() +
              "\n  let v = " + exprs.gen(exprs.random_type(), 3) + "\n  let w = " + exprs.gen(exprs.random_type(), 3) +
              "\n  let x = concat(string(v), \"/\", string(" + exprs.gen(exprs.random_type(), 2) + "))" +
              "\n  labels { shown = \"{w}\" }\n  message \"{id} {v} {x}\"\n  notify out\n";
    }
    std::string path = write_program(text, p);
    auto [jit, interp] = compile_both(path);
    ASSERT_TRUE(jit && interp) << "generated program " << path << " does not compile:\n" << diagnostics_of(path);
    RowGen rows_gen(2000 + p);
    std::vector<std::vector<Value>> rows;
    for (int r = 0; r < kRows; ++r) rows.push_back(rows_gen.row(r));

    auto expected = run(interp, rows, 4096);
    for (size_t batch_size : {1, 7, 64, 4096}) {
      auto actual = run(jit, rows, batch_size);
      if (actual == expected) continue;
      // Name the first rule whose rows differ, with its source, to make a failure actionable.
      std::map<std::string, std::set<int64_t>> want, got;
      for (auto& f : expected) want[f.rule].insert(f.id);
      for (auto& f : actual) got[f.rule].insert(f.id);
      for (int r = 0; r < kRulesPerProgram; ++r) {
        std::string name = "R" + std::to_string(r);
        if (want[name] != got[name]) {
          int64_t row = -1;
          for (int64_t id : want[name]) if (!got[name].count(id)) { row = id; break; }
          if (row < 0) for (int64_t id : got[name]) if (!want[name].count(id)) { row = id; break; }
          std::string values;
          for (const Value& v : rows[row]) values += value_to_text(v) + " | ";
          FAIL() << "batch size " << batch_size << ", " << path << " rule " << name << ": where " << sources[r]
                 << "\n  row " << row << " (" << values << ") interpreter "
                 << (want[name].count(row) ? "fires" : "does not fire") << ", JIT does the opposite";
        }
      }
      for (size_t i = 0; i < std::min(actual.size(), expected.size()); ++i) {
        if (!(actual[i] == expected[i])) {
          FAIL() << "batch size " << batch_size << ", " << path << ": alert " << i << " differs\n  interpreter: "
                 << expected[i].json << "\n  JIT:         " << actual[i].json;
        }
      }
      FAIL() << "alert order differs at batch size " << batch_size;
    }
    predicates += kRulesPerProgram;
    selected += expected.size();
  }
  EXPECT_EQ(predicates, static_cast<size_t>(kPrograms * kRulesPerProgram));
  // The generator must exercise both outcomes, or the comparison proves little.
  EXPECT_GT(selected, predicates * kRows / 20);
  EXPECT_LT(selected, predicates * kRows * 19 / 20);
}

// Threshold families (compiler/codegen/threshold_index.h): many rules comparing the same
// expressions with different constants, in every direction and with ties, nulls and NaNs, must
// select exactly what the interpreter selects.
TEST(Differential, ThresholdFamiliesSelectWhatTheInterpreterSelects) {
  setenv("ALERTC_MIN_FAMILY_ATOMS", "4", 1);  // families start at 256 atoms in production
  struct Restore {
    ~Restore() { unsetenv("ALERTC_MIN_FAMILY_ATOMS"); }
  } restore;
  const char* subjects[] = {"i", "j", "f", "g", "(i + j)", "d", "(g * 2.0)"};
  const char* int_constants[] = {"0", "1", "-1", "7", "-7", "2", "1000", "-1000", "9223372036854775807", "3"};
  const char* float_constants[] = {"0.0", "1.5", "-2.25", "0.1", "12.25", "100.0", "-100.0", "3.0", "1e308", "3"};
  const char* ops[] = {"<", "<=", ">", ">=", "=="};
  size_t selected = 0;
  for (int p = 0; p < 6; ++p) {
    std::mt19937 rng(9000 + p);
    std::string text = kSchema;
    for (int r = 0; r < 40; ++r) {
      std::string where;
      for (int atom = 0; atom < 1 + static_cast<int>(rng() % 3); ++atom) {
        std::string subject = subjects[rng() % std::size(subjects)];
        bool is_float = subject == "f" || subject == "g" || subject == "(g * 2.0)";
        std::string c = subject == "d" ? std::string(int_constants[rng() % 6]) + "s"
                        : is_float     ? float_constants[rng() % std::size(float_constants)]
                                       : int_constants[rng() % std::size(int_constants)];
        std::string op = ops[rng() % std::size(ops)];
        std::string cmp = rng() % 4 == 0 ? c + " " + op + " " + subject : subject + " " + op + " " + c;
        where += (where.empty() ? "" : " and ") + cmp;
      }
      if (rng() % 5 == 0) where += " and len(t) > 1";
      text += "rule T" + std::to_string(r) + " on Row\n  where " + where + "\n  message \"{id}\"\n  notify out\n";
    }
    std::string path = write_program(text, 200 + p);
    auto [jit, interp] = compile_both(path);
    ASSERT_TRUE(jit && interp) << "generated program " << path << " does not compile:\n" << diagnostics_of(path);
    selected += expect_same_alerts(jit, interp, make_rows(9500 + p, 800), {1, 7, 4096}, path);
  }
  EXPECT_GT(selected, 1000u);
}

// Window rules through both engines: random `where`, group keys and aggregate arguments (which
// the JIT computes in generated code), every aggregate, lets, history and `for`; the alerts
// (firing and resolved, with values and messages) must be identical at every batch size.
TEST(Differential, WindowRulesGiveTheSameAlertsInBothEngines) {
  constexpr int kPrograms = 8, kRulesPerProgram = 12, kRows = 700;
  const char* aggregates[] = {"sum", "avg", "min", "max", "stddev", "first", "last", "count_distinct", "count"};
  size_t alerts = 0;
  for (int p = 0; p < kPrograms; ++p) {
    ExprGen exprs(5000 + p);
    std::mt19937 rng(6000 + p);
    std::string text = kSchema;
    for (int r = 0; r < kRulesPerProgram; ++r) {
      std::string agg = aggregates[rng() % std::size(aggregates)];
      bool numeric = agg == "sum" || agg == "avg" || agg == "stddev";
      bool ordered = agg == "min" || agg == "max";  // bools have no order
      T type = numeric ? (rng() % 2 ? T::Int : T::Float) : exprs.random_type();
      if (ordered && type == T::Bool) type = T::String;
      std::string arg = exprs.gen(type, 2);
      text += "rule W" + std::to_string(r) + " on Row\n  where " + exprs.gen(T::Bool, 2) +
              "\n  window " + (rng() % 2 ? "tumbling 1m" : "sliding 2m every 30s") +
              "\n  group by " + exprs.gen(rng() % 2 ? T::String : T::Int, 1) + " as k" +
              "\n  let a = " + agg + "(" + arg + ")\n  let n = count()" +
              "\n  having n > " + std::to_string(rng() % 4) + " and (a is null or n != " + std::to_string(rng() % 5) + ")" +
              "\n  " + (rng() % 3 == 0 ? "for 1m" : "severity info") +
              // run() reads the number a message starts with. Half the programs read no history, so
              // quiet groups share their empty-window result.
              (p % 2 ? "\n  message \"{n} {a}\"\n  notify out\n"
                     : "\n  message \"{n} {a} {prev(n)} {mean_prev(n, 2)}\"\n  notify out\n");
    }
    std::string path = write_program(text, 100 + p);
    auto [jit, interp] = compile_both(path);
    ASSERT_TRUE(jit && interp) << "generated program " << path << " does not compile:\n" << diagnostics_of(path);
    alerts += expect_same_alerts(jit, interp, make_rows(7000 + p, kRows), {1, 2, 7, 4096}, path);
  }
  EXPECT_GT(alerts, 200u);  // the rules must really fire (and resolve)
}

}  // namespace
}  // namespace alert
