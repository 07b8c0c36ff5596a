// The checked program as both engines see it: schemas with typed fields, channels, and per rule
// every expression already typed and resolved, with the window bookkeeping (aggregate slots,
// history series) laid out. Built by sema; consumed by the interpreter, the code generator and
// the runtime. Owns the AST the expressions point into.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "stdlib/builtins.h"

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
  const ast::Template* subject = nullptr;  // email subject template
};

struct AggregateSlot {
  BuiltinId fn;
  const ast::Expr* arg = nullptr;  // null for count()
  Type type;                       // result type
};

// The values of one window-context expression remembered per group for history functions.
struct HistorySeries {
  const ast::Expr* expr = nullptr;
  int depth = 0;  // windows kept
};

struct HistoryCall {
  BuiltinId fn;  // Prev, MeanPrev, StddevPrev
  int series = 0;
  int depth = 1;
};

struct GroupKey {
  std::string name;
  const ast::Expr* expr = nullptr;
};

struct Let {
  std::string name;
  const ast::Expr* expr = nullptr;
};

struct Label {
  std::string name;
  const ast::Template* value = nullptr;
};

struct Rule {
  std::string name;
  int schema = 0;
  ast::Severity severity = ast::Severity::Warning;
  const ast::Expr* where = nullptr;  // null: every row
  std::vector<GroupKey> group_keys;
  std::vector<Let> lets;
  std::vector<Label> labels;
  const ast::Template* message = nullptr;
  const ast::Template* resolved_message = nullptr;  // window rules; null: `message` for resolved too
  std::vector<int> channels;

  // Throttle: per rule and key; -1 when absent. Without `by`, the group key is the key.
  int64_t throttle_ns = -1;
  std::vector<const ast::Expr*> throttle_by;

  // Window rules.
  bool is_window = false;
  int64_t size_ns = 0, step_ns = 0, lateness_ns = 0, expire_ns = 0;
  int for_windows = 1;
  const ast::Expr* having = nullptr;
  std::vector<AggregateSlot> aggregates;
  std::vector<HistorySeries> history;
  std::vector<HistoryCall> history_calls;
};

struct Test {
  const ast::TestDecl* decl = nullptr;
  uint32_t file = 0;
  std::string broken;  // the test block's own errors, rendered (`alertc test` reports it failed)
};

struct Program {
  ast::Program ast;
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
