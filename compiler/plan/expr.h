// The lowered expression IR both engines and the code generator read: typed nodes that own no
// syntax. Each node is interned in its program's ExprPool, so one computation on the same row (or
// the same group) is one node, reached by one pointer: the code generator's cache keys on the node
// and the interpreter never sees source text. Nodes live as long as the pool; pointers are stable.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "alert/value.h"
#include "stdlib/ops.h"

namespace alert::plan {

enum class ExprOp : uint8_t {
  Constant,     // value, already converted to the node's type (an int literal in a float context)
  Field,        // index: field of the rule's schema, in the row being evaluated
  Let,          // index: the rule's let, computed before this expression
  GroupKey,     // index: the rule's group key (the group's, in a window context)
  Unary,        // unary_op(args[0])
  Binary,       // binary_op(args[0], args[1])
  In,           // args[0] in args[1] (a Constant list); negated: not in
  Between,      // args[0] between args[1] and args[2]; negated: not between
  IsNull,       // args[0] is null; negated: is not null
  Builtin,      // index: BuiltinId of the resolved overload; aux: regex slot of `matches`
  Aggregate,    // index: the rule's aggregate slot
  History,      // index: the rule's history call
  WindowBound,  // index 0: window_start(), 1: window_end()
};

struct Expr {
  ExprOp op = ExprOp::Constant;
  Type type;
  UnaryOp unary_op = UnaryOp::Neg;
  BinaryOp binary_op = BinaryOp::Add;
  bool negated = false;
  int index = -1;
  int aux = -1;
  Value value;                     // Constant
  std::vector<const Expr*> args;
  std::string name;                // what the source called it (field, let, key, function): printing only
  int id = -1;                     // position in the pool: equal ids, equal computations
};

// A message or label: literal text and interpolated expressions with optional format specs.
struct TemplatePiece {
  std::string text;            // literal text when expr is null
  const Expr* expr = nullptr;
  std::string spec;
};
struct Template {
  std::vector<TemplatePiece> pieces;
};

// Where a node is evaluated. Part of a node's identity only where it changes the meaning: a field
// index names a field of one schema; a let, key, aggregate slot, history call or window bound
// belongs to one rule. So `amount > 100` in two rules over one schema is one node.
struct ExprScope {
  int schema = -1;
  int rule = -1;
};

// Owns a program's nodes. intern() returns the existing node for an equal one (args compared by
// identity, constants by kind and bits).
class ExprPool {
 public:
  ExprPool() = default;
  ExprPool(ExprPool&&) = default;
  ExprPool& operator=(ExprPool&&) = default;
  ExprPool(const ExprPool&) = delete;  // plans point at the nodes: a copy would point at the original's
  ExprPool& operator=(const ExprPool&) = delete;

  const Expr* intern(Expr node, ExprScope scope);
  size_t size() const { return nodes_.size(); }

 private:
  std::deque<Expr> nodes_;
  std::unordered_map<std::string, const Expr*> index_;
};

// Visits e and every node below it, each node once per call. The visited set is the subtree's,
// not the pool's: a program of many rules visits each rule's nodes in time linear in them.
template <typename Fn>
void for_each_node(const Expr& e, Fn&& fn) {
  std::vector<const Expr*> stack{&e};
  std::unordered_set<const Expr*> seen;
  while (!stack.empty()) {
    const Expr* n = stack.back();
    stack.pop_back();
    if (!seen.insert(n).second) continue;
    fn(*n);
    for (const Expr* a : n->args) stack.push_back(a);
  }
}

}  // namespace alert::plan
