// What semantic analysis hands to lowering: the plan's declarations (schemas, channels, regexes)
// and, per rule and test, the decisions sema made (types, slots, window shape) next to the checked
// syntax they were made about. Lowering (compiler/lower) turns the syntax into plan nodes; nothing
// past lowering sees this type or the AST.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/plan/program_plan.h"

namespace alert::sema {

// A rule as checked: plan::Rule's bookkeeping filled in, its expressions still syntax. Each list
// runs parallel to the plan list of the same name.
struct CheckedRule : plan::Rule {
  const ast::RuleDecl* decl = nullptr;
  const ast::Expr* where_syntax = nullptr;
  std::vector<const ast::Expr*> key_syntax;
  std::vector<const ast::Expr*> let_syntax;
  std::vector<const ast::Template*> label_syntax;
  const ast::Template* message_syntax = nullptr;
  const ast::Template* resolved_message_syntax = nullptr;
  std::vector<const ast::Expr*> throttle_syntax;
  const ast::Expr* having_syntax = nullptr;
  std::vector<const ast::Expr*> aggregate_arg_syntax;  // null for count()
  std::vector<const ast::Expr*> history_syntax;
};

struct CheckedTest {
  const ast::TestDecl* decl = nullptr;
  uint32_t file = 0;
  std::string broken;  // the test block's own errors, rendered
};

struct CheckedProgram {
  plan::Program plan;              // declarations; rules and tests are added by lowering
  std::deque<CheckedRule> rules;   // stable addresses while checked
  std::vector<CheckedTest> tests;
};

}  // namespace alert::sema
