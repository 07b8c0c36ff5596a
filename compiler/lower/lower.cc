#include "compiler/lower/lower.h"

#include <filesystem>
#include <fmt/format.h>

#include "stdlib/scalar_ops.h"

namespace alert {
namespace {

using ast::ExprKind;
static_assert(static_cast<int>(ast::TestItem::Idle) == static_cast<int>(plan::TestStep::Idle) &&
              static_cast<int>(ast::TestItem::GivenFile) == static_cast<int>(plan::TestStep::GivenFile),
              "a test step's kind is its item's");
using ast::RefKind;

class Lowerer {
 public:
  Lowerer(plan::ExprPool& pool, const SourceManager& sources) : pool_(pool), sources_(sources) {}

  const plan::Expr* expr(const ast::Expr* e, plan::ExprScope scope) { return e ? &lower(*e, scope) : nullptr; }

  plan::Template templ(const ast::Template& t, plan::ExprScope scope) {
    plan::Template out;
    for (const ast::TemplatePiece& piece : t.pieces) {
      out.pieces.push_back({piece.text, piece.expr ? &lower(*piece.expr, scope) : nullptr, piece.spec});
    }
    return out;
  }

  plan::Rule rule(const sema::CheckedRule& checked, plan::ExprScope scope) {
    plan::Rule r = static_cast<const plan::Rule&>(checked);
    r.where = expr(checked.where_syntax, scope);
    for (size_t i = 0; i < r.group_keys.size(); ++i) r.group_keys[i].expr = expr(checked.key_syntax[i], scope);
    for (size_t i = 0; i < r.lets.size(); ++i) r.lets[i].expr = expr(checked.let_syntax[i], scope);
    for (size_t i = 0; i < r.labels.size(); ++i) r.labels[i].value = templ(*checked.label_syntax[i], scope);
    if (checked.message_syntax) r.message = templ(*checked.message_syntax, scope);
    if (checked.resolved_message_syntax) r.resolved_message = templ(*checked.resolved_message_syntax, scope);
    for (const ast::Expr* e : checked.throttle_syntax) r.throttle_by.push_back(expr(e, scope));
    r.having = expr(checked.having_syntax, scope);
    for (size_t i = 0; i < r.aggregates.size(); ++i) r.aggregates[i].arg = expr(checked.aggregate_arg_syntax[i], scope);
    for (size_t i = 0; i < r.history.size(); ++i) r.history[i].expr = expr(checked.history_syntax[i], scope);
    return r;
  }

  plan::Test test(const sema::CheckedTest& checked, const plan::Program& program) {
    const ast::TestDecl& decl = *checked.decl;
    plan::Test out;
    out.name = decl.name;
    out.location = fmt::format("{}:{}", sources_.path(checked.file), line_of(decl.range));
    out.broken = checked.broken;
    if (!out.broken.empty()) return out;
    std::filesystem::path folder = std::filesystem::path(sources_.path(checked.file)).parent_path();
    for (const ast::TestItem& item : decl.items) out.steps.push_back(step(item, program, folder));
    return out;
  }

 private:
  int line_of(SourceRange range) const { return static_cast<int>(sources_.line_col(range.begin).line); }

  static int64_t int_constant(const ast::Expr* e) { return e && e->constant ? e->constant->i : 0; }

  plan::TestStep step(const ast::TestItem& item, const plan::Program& program, const std::filesystem::path& folder) {
    plan::TestStep s;
    s.kind = static_cast<plan::TestStep::Kind>(item.kind);
    s.line = line_of(item.range);
    switch (item.kind) {
      case ast::TestItem::GivenRows:
      case ast::TestItem::GivenFile: {
        s.schema = program.schema_index(item.name);
        const plan::Schema& schema = program.schemas[s.schema];
        if (item.kind == ast::TestItem::GivenFile) {
          s.path = (folder / item.path).string();
          break;
        }
        for (const auto& row : item.rows) {
          plan::TestStep::Row r;
          r.line = line_of(row.empty() ? item.range : row.front().range);
          r.values.resize(schema.fields.size());
          for (const ast::FieldInit& f : row) {
            int fi = schema.field_index(f.name);
            if (fi >= 0 && f.value->constant) r.values[fi] = promote(*f.value->constant, schema.fields[fi].type.kind);
          }
          s.rows.push_back(std::move(r));
        }
        break;
      }
      case ast::TestItem::ExpectMatch:
        for (const ast::FieldInit& k : item.keys) s.keys.emplace_back(k.name, k.value->constant.value_or(Value::null()));
        [[fallthrough]];
      case ast::TestItem::ExpectFires:
      case ast::TestItem::ExpectResolved: s.rule = item.name; [[fallthrough]];
      case ast::TestItem::ExpectRejects:
      case ast::TestItem::Idle: s.count = int_constant(item.count.get()); break;
    }
    return s;
  }

  static plan::ExprOp op_of_name(RefKind ref) {
    switch (ref) {
      case RefKind::Field: return plan::ExprOp::Field;
      case RefKind::Let: return plan::ExprOp::Let;
      default: return plan::ExprOp::GroupKey;
    }
  }

  static plan::ExprOp op_of_call(RefKind ref) {
    switch (ref) {
      case RefKind::Aggregate: return plan::ExprOp::Aggregate;
      case RefKind::History: return plan::ExprOp::History;
      case RefKind::WindowBound: return plan::ExprOp::WindowBound;
      default: return plan::ExprOp::Builtin;
    }
  }

  const plan::Expr& constant(Value v, Type type) {
    plan::Expr n;
    n.op = plan::ExprOp::Constant;
    n.type = type;
    n.value = std::move(v);
    return *pool_.intern(std::move(n), {});
  }

  const plan::Expr& lower(const ast::Expr& e, plan::ExprScope scope) {
    // A folded expression is its value, in its own type (an int constant where a float is due).
    if (e.constant) return constant(promote(*e.constant, e.type.kind), e.type);
    plan::Expr n;
    n.type = e.type;
    n.name = e.name;
    switch (e.kind) {
      case ExprKind::Literal: return constant(e.literal, e.type);
      case ExprKind::List: return constant(Value::null(), e.type);
      case ExprKind::Name:
        if (e.ref != RefKind::Field && e.ref != RefKind::Let && e.ref != RefKind::GroupKey) {
          return constant(Value::null(), e.type);
        }
        n.op = op_of_name(e.ref);
        n.index = e.index;
        break;
      case ExprKind::Unary: n.op = plan::ExprOp::Unary; n.unary_op = e.unary_op; break;
      case ExprKind::Binary: n.op = plan::ExprOp::Binary; n.binary_op = e.binary_op; break;
      case ExprKind::In: n.op = plan::ExprOp::In; break;
      case ExprKind::Between: n.op = plan::ExprOp::Between; break;
      case ExprKind::IsNull: n.op = plan::ExprOp::IsNull; break;
      case ExprKind::Call:
        if (e.ref != RefKind::Builtin && e.ref != RefKind::Aggregate && e.ref != RefKind::History &&
            e.ref != RefKind::WindowBound) {
          return constant(Value::null(), e.type);
        }
        n.op = op_of_call(e.ref);
        n.index = e.index;
        n.aux = e.aux;
        break;
    }
    n.negated = e.negated;
    // An aggregate's argument is its slot's (plan::AggregateSlot::arg), a history call's its
    // series'; the node itself only names the slot.
    bool reads_children = n.op != plan::ExprOp::Aggregate && n.op != plan::ExprOp::History && n.op != plan::ExprOp::WindowBound;
    if (reads_children) {
      for (const auto& c : e.children) n.args.push_back(&lower(*c, scope));
    }
    return *pool_.intern(std::move(n), scope);
  }

  plan::ExprPool& pool_;
  const SourceManager& sources_;
};

}  // namespace

plan::Program lower_program(sema::CheckedProgram&& checked, const SourceManager& sources) {
  plan::Program program = std::move(checked.plan);
  Lowerer lower(program.exprs, sources);
  for (size_t i = 0; i < checked.rules.size(); ++i) {
    plan::ExprScope scope{checked.rules[i].schema, static_cast<int>(i)};
    program.rules.push_back(lower.rule(checked.rules[i], scope));
  }
  for (const sema::CheckedTest& t : checked.tests) program.tests.push_back(lower.test(t, program));
  return program;
}

}  // namespace alert
