#include "compiler/plan/plan_printer.h"

#include <fmt/format.h>

#include "stdlib/scalar_ops.h"

namespace alert::plan {
namespace {

std::string quoted(const Value& v) {
  return v.kind == TypeKind::String ? fmt::format("\"{}\"", v.s) : value_to_text(v);
}

std::string print_template(const Template& t) {
  std::string out = "(template";
  for (const auto& p : t.pieces) {
    if (p.expr) {
      out += " " + print_expr(*p.expr);
      if (!p.spec.empty()) out += ":" + p.spec;
    } else {
      out += fmt::format(" \"{}\"", p.text);
    }
  }
  return out + ")";
}

}  // namespace

std::string print_expr(const Expr& e) {
  std::string type = e.type.name();
  std::string head;
  switch (e.op) {
    case ExprOp::Constant: return fmt::format("{}:{}", quoted(e.value), type);
    case ExprOp::Field: return fmt::format("(field {}):{}", e.name, type);
    case ExprOp::Let: return fmt::format("(let {}):{}", e.name, type);
    case ExprOp::GroupKey: return fmt::format("(key {}):{}", e.name, type);
    case ExprOp::Unary: head = e.unary_op == UnaryOp::Neg ? "-" : "not"; break;
    case ExprOp::Binary: head = binary_op_text(e.binary_op); break;
    case ExprOp::In: head = e.negated ? "not in" : "in"; break;
    case ExprOp::Between: head = e.negated ? "not between" : "between"; break;
    case ExprOp::IsNull: head = e.negated ? "is not null" : "is null"; break;
    case ExprOp::Builtin: head = "call " + e.name; break;
    case ExprOp::Aggregate: head = fmt::format("aggregate {} #{}", e.name, e.index); break;
    case ExprOp::History: head = fmt::format("history {} #{}", e.name, e.index); break;
    case ExprOp::WindowBound: head = "window " + e.name; break;
  }
  std::string out = "(" + head;
  for (const Expr* a : e.args) out += " " + print_expr(*a);
  return out + "):" + type;
}

std::string print_program(const Program& p) {
  std::string out;
  for (const Schema& s : p.schemas) {
    out += fmt::format("schema {}\n", s.name);
    for (size_t i = 0; i < s.fields.size(); ++i) {
      out += fmt::format("  {}{}: {}\n", static_cast<int>(i) == s.time_field ? "time " : "", s.fields[i].name,
                         s.fields[i].type.name());
    }
  }
  for (const Channel& c : p.channels) out += fmt::format("channel {} = {}\n", c.name, c.kind);
  for (const Rule& r : p.rules) {
    out += fmt::format("rule {} on {} ({})\n", r.name, p.schemas[r.schema].name, r.is_window ? "window" : "row");
    if (r.where) out += "  where " + print_expr(*r.where) + "\n";
    if (r.is_window) {
      out += fmt::format("  window size={}ns step={}ns lateness={}ns expire={}ns for={} windows\n", r.window.size_ns,
                         r.window.step_ns, r.window.lateness_ns, r.window.expire_ns, r.window.for_windows);
    }
    for (const GroupKey& g : r.group_keys) out += fmt::format("  key {} = {}\n", g.name, print_expr(*g.expr));
    for (size_t i = 0; i < r.aggregates.size(); ++i) {
      const AggregateSlot& a = r.aggregates[i];
      out += fmt::format("  aggregate #{} {}({}):{}\n", i, builtin_name(a.fn), a.arg ? print_expr(*a.arg) : "",
                         a.type.name());
    }
    for (size_t i = 0; i < r.history.size(); ++i) {
      out += fmt::format("  history #{} depth {} of {}\n", i, r.history[i].depth, print_expr(*r.history[i].expr));
    }
    for (const Let& l : r.lets) out += fmt::format("  let {} = {}\n", l.name, print_expr(*l.expr));
    if (r.having) out += "  having " + print_expr(*r.having) + "\n";
    for (const Label& l : r.labels) out += fmt::format("  label {} = {}\n", l.name, print_template(l.value));
    if (r.message) out += "  message " + print_template(*r.message) + "\n";
    if (r.resolved_message) out += "  resolved_message " + print_template(*r.resolved_message) + "\n";
    out += fmt::format("  severity {}\n", severity_name(r.severity));
    if (r.throttle_ns >= 0) out += fmt::format("  throttle {}ns\n", r.throttle_ns);
    std::string channels;
    for (int c : r.channels) channels += (channels.empty() ? "" : ", ") + p.channels[c].name;
    out += "  notify " + channels + "\n";
  }
  return out;
}

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Critical: return "critical";
  }
  return "warning";
}

}  // namespace alert::plan
