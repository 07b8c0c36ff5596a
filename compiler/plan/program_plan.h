// The lowered program as both engines see it: schemas with typed fields, channels, and per rule
// every expression typed and resolved (compiler/plan/expr.h nodes), with the window bookkeeping
// (aggregate slots, history series, the window shape) laid out, and the test blocks as data.
// Built from the checked syntax tree by compiler/lower; read by the interpreter, the code
// generator and the runtime. It owns no syntax: nothing here points into the source or the AST.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/plan/expr.h"
#include "stdlib/builtins.h"
#include "stdlib/time_format.h"

namespace re2 {
class RE2;
}

namespace alert::plan {

struct Field {
  std::string name;
  Type type;
};

struct Schema {
  std::string name;
  std::vector<Field> fields;
  int time_field = -1;
  int field_index(std::string_view n) const {
    for (size_t i = 0; i < fields.size(); ++i) if (fields[i].name == n) return static_cast<int>(i);
    return -1;
  }
};

// An option value: a literal, or an environment variable read when the program is loaded.
struct OptionValue {
  Value value;                     // string, int, duration, or list of strings
  std::string env_var;             // set when the value is env("NAME")
  std::map<std::string, OptionValue> entries;  // map options (headers)
  bool is_map = false;
};

struct Channel {
  std::string name;
  std::string kind;  // stdout, file, webhook, email, alertmanager
  std::map<std::string, OptionValue> options;
};

struct AggregateSlot {
  BuiltinId fn;
  const Expr* arg = nullptr;  // null for count()
  Type type;                       // result type
};

// The values of one window-context expression remembered per group for history functions.
struct HistorySeries {
  const Expr* expr = nullptr;
  int depth = 0;  // windows kept
};

struct HistoryCall {
  BuiltinId fn;  // Prev, MeanPrev, StddevPrev
  int series = 0;
  int depth = 1;
};

struct GroupKey {
  std::string name;
  const Expr* expr = nullptr;
};

struct Let {
  std::string name;
  const Expr* expr = nullptr;
};

struct Label {
  std::string name;
  Template value;
};

// A window rule's arithmetic (docs/language.md §7): windows [k*step, k*step + size) for every
// integer k, each closing when the event clock reaches its end + lateness; a group with no row
// for expire is forgotten; `for` needs for_windows consecutive true windows. Both engines compute
// window membership and closing with these functions only.
struct WindowSpec {
  int64_t size_ns = 0, step_ns = 0, lateness_ns = 0, expire_ns = 0;
  int for_windows = 1;

  // Windows holding t: k from first_window(t) to last_window(t).
  int64_t first_window(int64_t t) const { return floor_div(t - size_ns, step_ns) + 1; }
  int64_t last_window(int64_t t) const { return floor_div(t, step_ns); }
  // The smallest window still open once the clock reads `watermark`. Also the first row's
  // start: it closes no window it does not pass by the lateness.
  int64_t first_open_window(int64_t watermark) const {
    return floor_div(watermark - size_ns - lateness_ns, step_ns) + 1;
  }
  int64_t start_of(int64_t window) const { return window * step_ns; }
  int64_t end_of(int64_t window) const { return window * step_ns + size_ns; }
  // Whether a window has closed once the clock reads `watermark`.
  bool closed_by(int64_t window, int64_t watermark) const { return end_of(window) + lateness_ns <= watermark; }
  // Whether window `k` is one event times can reach: its start, end and closing time are int64s.
  // (Only a damaged checkpoint holds others.)
  bool reachable(int64_t window) const {
    int64_t start, end, closing;
    return !__builtin_mul_overflow(window, step_ns, &start) && !__builtin_add_overflow(start, size_ns, &end) &&
           !__builtin_add_overflow(end, lateness_ns, &closing);
  }
};

enum class Severity { Info, Warning, Critical };
const char* severity_name(Severity s);

struct Rule {
  std::string name;
  int schema = 0;
  Severity severity = Severity::Warning;
  const Expr* where = nullptr;  // null: every row
  std::vector<GroupKey> group_keys;
  std::vector<Let> lets;
  std::vector<Label> labels;
  std::optional<Template> message;           // absent: the rule's name is the message
  std::optional<Template> resolved_message;  // window rules; absent: `message` for resolved too
  std::vector<int> channels;

  // Throttle: per rule and key; -1 when absent. Without `by`, the group key is the key.
  int64_t throttle_ns = -1;
  std::vector<const Expr*> throttle_by;

  // Window rules.
  bool is_window = false;
  WindowSpec window;
  const Expr* having = nullptr;
  std::vector<AggregateSlot> aggregates;
  std::vector<HistorySeries> history;
  std::vector<HistoryCall> history_calls;
};

// A `test` block as data (docs/language.md §10): its steps in order, constants evaluated.
struct TestStep {
  enum Kind { GivenRows, GivenFile, ExpectFires, ExpectResolved, ExpectMatch, ExpectRejects, Idle } kind;
  int line = 0;                       // of the step, for failure messages
  int schema = -1;                    // Given*
  std::string rule;                   // Expect*
  struct Row {
    int line = 0;
    std::vector<Value> values;        // one per schema field, converted to its type; null when not given
  };
  std::vector<Row> rows;              // GivenRows
  std::string path;                   // GivenFile, resolved against the test's own folder
  int64_t count = 0;                  // ExpectFires / ExpectResolved / ExpectRejects; Idle: nanoseconds
  std::vector<std::pair<std::string, Value>> keys;  // ExpectMatch
};

struct Test {
  std::string name;
  std::string location;  // file:line of the block
  std::vector<TestStep> steps;
  std::string broken;    // the test block's own errors, rendered (`alertc test` reports it failed)
};

struct Program {
  ExprPool exprs;  // every expression node below points here
  std::vector<Schema> schemas;
  std::vector<Channel> channels;
  std::vector<Rule> rules;
  std::vector<Test> tests;
  // Regexes of `matches` calls, compiled once; Expr::index of such a call points here.
  std::vector<std::shared_ptr<re2::RE2>> regexes;

  int schema_index(std::string_view name) const {
    for (size_t i = 0; i < schemas.size(); ++i) if (schemas[i].name == name) return static_cast<int>(i);
    return -1;
  }
  // The rules over one schema, in plan order: the order of the fused row filter's outputs.
  std::vector<int> rules_of_schema(int schema) const {
    std::vector<int> out;
    for (size_t i = 0; i < rules.size(); ++i) if (rules[i].schema == schema) out.push_back(static_cast<int>(i));
    return out;
  }
  int rule_index(std::string_view name) const {
    for (size_t i = 0; i < rules.size(); ++i) if (rules[i].name == name) return static_cast<int>(i);
    return -1;
  }
};

}  // namespace alert::plan
