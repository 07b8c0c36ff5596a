#include "runtime/interp/evaluator.h"

#include <cmath>

namespace alert {
namespace {

using plan::Expr;
using plan::ExprOp;

Value history_value(const Expr& e, const EvalContext& ctx) {
  const plan::HistoryCall& call = ctx.rule->history_calls[e.index];
  return history_call_value(call, (*ctx.history)[call.series]);
}

}  // namespace

Value history_call_value(const plan::HistoryCall& call, const std::deque<Value>& past) {
  if (static_cast<int>(past.size()) < call.depth) return Value::null();
  if (call.fn == BuiltinId::Prev) return past[call.depth - 1];
  // mean_prev / stddev_prev over the last `depth` windows, skipping nulls.
  double sum = 0, mean = 0, m2 = 0;
  int n = 0;
  for (int i = 0; i < call.depth; ++i) {
    const Value& v = past[i];
    if (v.is_null()) continue;
    double x = v.kind == TypeKind::Float ? v.f : static_cast<double>(v.i);
    ++n;
    sum += x;
    double delta = x - mean;
    mean += delta / n;
    m2 += delta * (x - mean);
  }
  if (call.fn == BuiltinId::MeanPrev) return n == 0 ? Value::null() : Value::floating(sum / n);
  return n < 2 ? Value::null() : Value::floating(std::sqrt(m2 / (n - 1)));
}

Value evaluate(const Expr& e, const EvalContext& ctx) {
  switch (e.op) {
    case ExprOp::Constant: return e.value;
    case ExprOp::Field: return ctx.batch->value_at(e.index, ctx.row);
    case ExprOp::Let: return (*ctx.lets)[e.index];
    case ExprOp::GroupKey:
      // In a row rule a key alias stands for the key's expression over the row.
      if (!ctx.group_keys) return evaluate(*ctx.rule->group_keys[e.index].expr, ctx);
      return (*ctx.group_keys)[e.index];
    case ExprOp::Unary: return apply_unary(e.unary_op, evaluate(*e.args[0], ctx), ctx.events);
    case ExprOp::Binary: {
      // `and`/`or` evaluate both sides: there are no side effects, and null needs both.
      Value a = evaluate(*e.args[0], ctx);
      Value b = evaluate(*e.args[1], ctx);
      return promote(apply_binary(e.binary_op, a, b, ctx.events), e.type.kind);
    }
    case ExprOp::In: {
      Value r = apply_in(evaluate(*e.args[0], ctx), e.args[1]->value.list);
      return e.negated ? apply_unary(UnaryOp::Not, r, nullptr) : r;
    }
    case ExprOp::Between: {
      Value r = apply_between(evaluate(*e.args[0], ctx), evaluate(*e.args[1], ctx), evaluate(*e.args[2], ctx));
      return e.negated ? apply_unary(UnaryOp::Not, r, nullptr) : r;
    }
    case ExprOp::IsNull: return Value::boolean(evaluate(*e.args[0], ctx).is_null() != e.negated);
    case ExprOp::Aggregate: return (*ctx.aggregates)[e.index];
    case ExprOp::History: return history_value(e, ctx);
    case ExprOp::WindowBound: return Value::timestamp(e.index == 0 ? ctx.window_start : ctx.window_end);
    case ExprOp::Builtin: {
      std::vector<Value> args;
      args.reserve(e.args.size());
      for (const Expr* a : e.args) args.push_back(evaluate(*a, ctx));
      const re2::RE2* re = e.aux >= 0 ? ctx.program->regexes[e.aux].get() : nullptr;
      return apply_builtin(static_cast<BuiltinId>(e.index), args, e.type.kind, re, ctx.events);
    }
  }
  return Value::null();
}

namespace {

void append_piece(std::string& out, const plan::TemplatePiece& piece, const Value& v) {
  if (piece.spec.empty() || v.is_null()) {
    out += value_to_text(v);
  } else {
    std::string formatted;
    out += format_with_spec(v, piece.spec, &formatted) ? formatted : value_to_text(v);
  }
}

}  // namespace

std::string render_template(const plan::Template& t, const EvalContext& ctx) {
  std::string out;
  for (const auto& piece : t.pieces) {
    if (piece.expr) {
      append_piece(out, piece, evaluate(*piece.expr, ctx));
    } else {
      out += piece.text;
    }
  }
  return out;
}

std::string render_template(const plan::Template& t, const Value*& next) {
  std::string out;
  for (const auto& piece : t.pieces) {
    if (piece.expr) {
      append_piece(out, piece, *next++);
    } else {
      out += piece.text;
    }
  }
  return out;
}

}  // namespace alert
