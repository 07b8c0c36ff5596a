// Test helper: syntax trees as text without source positions, so tests can state the tree they
// expect ("(or a (and b c))") and compare two parses of one program structurally.
#pragma once

#include <string>

#include <fmt/format.h>

#include "compiler/ast/ast.h"

namespace alert::test_ast {

inline std::string op_word(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Mod: return "%";
    case BinaryOp::And: return "and";
    case BinaryOp::Or: return "or";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Ge: return ">=";
  }
  return "?";
}

// Ints as digits, floats as f:<shortest>, strings quoted, durations and timestamps in ns.
inline std::string literal_text(const Value& v) {
  switch (v.kind) {
    case TypeKind::Null: return "null";
    case TypeKind::Bool: return v.b ? "true" : "false";
    case TypeKind::Int: return std::to_string(v.i);
    case TypeKind::Float: return fmt::format("f:{}", v.f);
    case TypeKind::String: return "\"" + v.s + "\"";
    case TypeKind::Timestamp: return fmt::format("ts:{}", v.i);
    case TypeKind::Duration: return fmt::format("dur:{}", v.i);
    case TypeKind::List: return "list?";
  }
  return "?";
}

// An expression as an S-expression: (op a b), (neg a), (not a), (in x [..]), (not-in ..),
// (between x lo hi), (is-null x), (call f args..), [items..]. Parentheses in the source show
// only through the tree's shape.
inline std::string dump(const ast::Expr& e) {
  using ast::ExprKind;
  auto kids = [&]() {
    std::string out;
    for (const auto& c : e.children) out += " " + dump(*c);
    return out;
  };
  switch (e.kind) {
    case ExprKind::Literal: return literal_text(e.literal);
    case ExprKind::Name: return e.name;
    case ExprKind::Unary: return std::string(e.unary_op == UnaryOp::Neg ? "(neg" : "(not") + kids() + ")";
    case ExprKind::Binary: return "(" + op_word(e.binary_op) + kids() + ")";
    case ExprKind::In: return std::string(e.negated ? "(not-in" : "(in") + kids() + ")";
    case ExprKind::Between: return std::string(e.negated ? "(not-between" : "(between") + kids() + ")";
    case ExprKind::IsNull: return std::string(e.negated ? "(is-not-null" : "(is-null") + kids() + ")";
    case ExprKind::Call: return "(call " + e.name + kids() + ")";
    case ExprKind::List: {
      std::string out = kids();
      return "[" + (out.empty() ? out : out.substr(1)) + "]";
    }
  }
  return "?";
}

inline std::string dump(const ast::ExprPtr& e) { return e ? dump(*e) : "-"; }

inline std::string dump(const ast::Template& t) {
  std::string out = "<";
  for (const ast::TemplatePiece& p : t.pieces) {
    if (p.expr) {
      out += "{" + dump(*p.expr) + (p.spec.empty() ? "" : ":" + p.spec) + "}";
    } else {
      out += "'" + p.text + "'";
    }
  }
  return out + ">";
}

// A whole file, one declaration a line, every field that the parser fills in.
inline std::string dump(const ast::File& f) {
  std::string out;
  for (const auto& i : f.imports) out += "import " + i.path + "\n";
  for (const auto& s : f.schemas) {
    out += "schema " + s.name + " {";
    for (const auto& fd : s.fields) {
      out += " " + std::string(fd.is_time ? "time " : "") + fd.name + ":" + fd.type_name + (fd.nullable ? "?" : "");
    }
    out += " }\n";
  }
  for (const auto& c : f.consts) out += "const " + c.name + " = " + dump(c.value) + "\n";
  for (const auto& c : f.channels) {
    out += "channel " + c.name + " = " + c.kind + " {";
    for (const auto& o : c.options) {
      out += " " + o.name + "=";
      if (o.is_map) {
        out += "{";
        for (const auto& [k, v] : o.entries) out += " " + k + ":" + dump(v);
        out += " }";
      } else {
        out += dump(o.value);
      }
    }
    out += " }\n";
  }
  for (const auto& r : f.rules) {
    out += "rule " + r.name + " on " + r.schema_name;
    out += " where=" + dump(r.where);
    out += fmt::format(" window={}", static_cast<int>(r.window)) + " size=" + dump(r.window_size) +
           " step=" + dump(r.window_step) + " lateness=" + dump(r.lateness);
    out += " group=[";
    for (const auto& g : r.group_by) out += " " + dump(g.expr) + (g.alias.empty() ? "" : " as " + g.alias);
    out += " ]";
    for (const auto& l : r.lets) out += " let " + l.name + "=" + dump(l.expr);
    out += " having=" + dump(r.having) + " for=" + dump(r.for_duration) + " expire=" + dump(r.expire);
    out += std::string(" severity=") + ast::severity_name(r.severity);
    for (const auto& l : r.labels) out += " label " + l.name + "=" + dump(l.value);
    out += " message=" + (r.message ? dump(*r.message) : "-");
    out += " resolved=" + (r.resolved_message ? dump(*r.resolved_message) : "-");
    out += " notify=";
    for (const auto& [n, range] : r.notify) out += n + ",";
    out += " throttle=" + dump(r.throttle) + " by";
    for (const auto& b : r.throttle_by) out += " " + dump(b);
    out += "\n";
  }
  for (const auto& t : f.tests) {
    out += "test '" + t.name + "' {";
    for (const auto& it : t.items) {
      out += fmt::format(" [{} {} {} count={}", static_cast<int>(it.kind), it.name, it.path, dump(it.count));
      for (const auto& row : it.rows) {
        out += " {";
        for (const auto& fi : row) out += " " + fi.name + "=" + dump(fi.value);
        out += " }";
      }
      for (const auto& k : it.keys) out += " " + k.name + "=" + dump(k.value);
      out += "]";
    }
    out += " }\n";
  }
  return out;
}

}  // namespace alert::test_ast
