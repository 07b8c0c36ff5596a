// The owned syntax tree of an alert program. Built by compiler/parse from the ANTLR parse tree
// (no ANTLR type reaches past parse/), then annotated in place by compiler/sema: each expression
// gets its type, what its name refers to, and its folded constant value.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "alert/value.h"
#include "compiler/source/source_manager.h"
#include "stdlib/ops.h"

namespace alert::ast {

enum class ExprKind { Literal, Name, Unary, Binary, In, Between, IsNull, Call, List };

using alert::BinaryOp;
using alert::UnaryOp;

// What a name or call resolves to, filled in by sema.
enum class RefKind {
  Unresolved,
  Field,      // index = field index in the rule's schema
  Const,      // folded into `constant`
  Let,        // index = let index in the rule
  GroupKey,   // index = group key index (window rules, outside aggregates)
  Builtin,    // index = builtin overload id (stdlib/builtins.h)
  Aggregate,  // index = aggregate slot in the rule's window plan
  History,    // index = history slot in the rule's window plan
  WindowBound // index 0 = window_start(), 1 = window_end()
};

struct Expr {
  ExprKind kind;
  SourceRange range;
  // Literal
  Value literal;
  // Name / Call
  std::string name;
  SourceRange name_range;
  // Unary / Binary
  UnaryOp unary_op = UnaryOp::Neg;
  BinaryOp binary_op = BinaryOp::Add;
  // In / Between / IsNull
  bool negated = false;
  bool parenthesized = false;
  std::vector<std::unique_ptr<Expr>> children;

  // Annotations from sema.
  Type type;
  RefKind ref = RefKind::Unresolved;
  int index = -1;
  int aux = -1;  // matches(): regex slot in plan::Program::regexes
  std::optional<Value> constant;  // set when the expression folds to a constant

  Expr(ExprKind k, SourceRange r) : kind(k), range(r) {}
};
using ExprPtr = std::unique_ptr<Expr>;

// A message or label string: literal text and interpolated expressions with optional specs.
struct TemplatePiece {
  std::string text;  // literal text when expr is null
  ExprPtr expr;
  std::string spec;
  SourceRange spec_range;
};
struct Template {
  SourceRange range;
  std::vector<TemplatePiece> pieces;
};

struct FieldDecl {
  std::string name;
  SourceRange range;
  std::string type_name;
  SourceRange type_range;
  bool nullable = false;
  bool is_time = false;
  Type type;  // sema
};

struct SchemaDecl {
  std::string name;
  SourceRange range;
  std::vector<FieldDecl> fields;
  int time_field = -1;  // sema
};

struct ConstDecl {
  std::string name;
  SourceRange range;
  ExprPtr value;
};

struct ChannelOption {
  std::string name;
  SourceRange range;
  ExprPtr value;                                         // a scalar option
  std::vector<std::pair<std::string, ExprPtr>> entries;  // a map option such as headers
  bool is_map = false;
};

struct ChannelDecl {
  std::string name;
  SourceRange range;
  std::string kind;
  SourceRange kind_range;
  std::vector<ChannelOption> options;
};

struct GroupItem {
  ExprPtr expr;
  std::string alias;
  std::string display_name;  // sema: alias, else field name, else expression text
};

struct LetDecl {
  std::string name;
  SourceRange range;
  ExprPtr expr;
};

struct LabelDecl {
  std::string name;
  SourceRange range;
  Template value;
};

enum class WindowKind { None, Tumbling, Sliding };
enum class Severity { Info, Warning, Critical };
const char* severity_name(Severity s);

struct RuleDecl {
  std::string name;
  SourceRange range;
  std::string schema_name;
  SourceRange schema_range;

  ExprPtr where;
  WindowKind window = WindowKind::None;
  SourceRange window_range;
  ExprPtr window_size, window_step, lateness, for_duration, expire;
  std::vector<GroupItem> group_by;
  SourceRange group_range;
  std::vector<LetDecl> lets;
  ExprPtr having;
  Severity severity = Severity::Warning;
  std::vector<LabelDecl> labels;
  std::optional<Template> message;
  std::optional<Template> resolved_message;  // window rules: the text of resolved notifications
  std::vector<std::pair<std::string, SourceRange>> notify;
  ExprPtr throttle;
  std::vector<ExprPtr> throttle_by;
  SourceRange throttle_range;
};

struct FieldInit {
  std::string name;
  SourceRange range;
  ExprPtr value;
};

struct TestItem {
  enum Kind { GivenRows, GivenFile, ExpectFires, ExpectResolved, ExpectMatch, ExpectRejects, Idle } kind;
  SourceRange range;
  std::string name;  // schema for Given*, rule for Expect*
  SourceRange name_range;
  std::vector<std::vector<FieldInit>> rows;  // GivenRows
  std::string path;                          // GivenFile (resolved against the test's file)
  ExprPtr count;                             // ExpectFires / ExpectResolved / ExpectRejects; Idle: the duration
  std::vector<FieldInit> keys;               // ExpectMatch
};

struct TestDecl {
  std::string name;
  SourceRange range;
  std::vector<TestItem> items;
};

struct Import {
  std::string path;
  SourceRange range;
};

// One parsed file.
struct File {
  uint32_t id = 0;
  std::vector<Import> imports;
  std::vector<SchemaDecl> schemas;
  std::vector<ConstDecl> consts;
  std::vector<ChannelDecl> channels;
  std::vector<RuleDecl> rules;
  std::vector<TestDecl> tests;
};

// Every file of a program, imports first, each file once.
struct Program {
  std::vector<std::unique_ptr<File>> files;
};

}  // namespace alert::ast
