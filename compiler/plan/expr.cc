#include "compiler/plan/expr.h"

#include <cstring>

namespace alert::plan {
namespace {

void append_int(std::string& key, int64_t v) {
  key.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Exact: kind and bits, so 1 and 1.0, or 0.0 and -0.0, stay apart.
void append_value(std::string& key, const Value& v) {
  key += static_cast<char>(v.kind);
  switch (v.kind) {
    case TypeKind::Bool: key += v.b ? '1' : '0'; break;
    case TypeKind::Float: {
      int64_t bits;
      std::memcpy(&bits, &v.f, sizeof bits);
      append_int(key, bits);
      break;
    }
    case TypeKind::String:
      append_int(key, static_cast<int64_t>(v.s.size()));
      key += v.s;
      break;
    case TypeKind::List:
      append_int(key, static_cast<int64_t>(v.list.size()));
      for (const Value& item : v.list) append_value(key, item);
      break;
    case TypeKind::Null: break;
    default: append_int(key, v.i);
  }
}

bool depends_on_rule(ExprOp op) {
  switch (op) {
    case ExprOp::Let:
    case ExprOp::GroupKey:
    case ExprOp::Aggregate:
    case ExprOp::History:
    case ExprOp::WindowBound: return true;
    default: return false;
  }
}

}  // namespace

const Expr* ExprPool::intern(Expr node, ExprScope scope) {
  std::string key;
  key += static_cast<char>(node.op);
  key += static_cast<char>(node.type.kind);
  key += static_cast<char>(node.type.nullable);
  key += static_cast<char>(node.type.elem);
  key += static_cast<char>(node.unary_op);
  key += static_cast<char>(node.binary_op);
  key += static_cast<char>(node.negated);
  append_int(key, node.index);
  append_int(key, node.aux);
  if (node.op == ExprOp::Field) append_int(key, scope.schema);
  if (depends_on_rule(node.op)) append_int(key, scope.rule);
  if (node.op == ExprOp::Constant) append_value(key, node.value);
  for (const Expr* a : node.args) append_int(key, a->id);
  auto it = index_.find(key);
  if (it != index_.end()) return it->second;
  node.id = static_cast<int>(nodes_.size());
  nodes_.push_back(std::move(node));
  const Expr* interned = &nodes_.back();
  index_.emplace(std::move(key), interned);
  return interned;
}

}  // namespace alert::plan
