#include "runtime/state/rule_identity.h"

#include <fmt/format.h>

#include "compiler/plan/plan_printer.h"
#include "runtime/engine/group_keys.h"

namespace alert::state {

uint64_t rule_definition_hash(const plan::Program& program, const plan::Rule& r) {
  std::string text;
  const plan::Schema& schema = program.schemas[r.schema];
  text += "schema " + schema.name + "\n";
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    text += fmt::format("{}{}:{}\n", static_cast<int>(i) == schema.time_field ? "time " : "", schema.fields[i].name,
                        schema.fields[i].type.name());
  }
  text += r.is_window ? "window\n" : "row\n";
  if (r.where) text += "where " + plan::print_expr(*r.where) + "\n";
  const plan::WindowSpec& w = r.window;
  text += fmt::format("{} {} {} {} {}\n", w.size_ns, w.step_ns, w.lateness_ns, w.expire_ns, w.for_windows);
  for (const auto& k : r.group_keys) text += "key " + k.name + " " + plan::print_expr(*k.expr) + "\n";
  for (const auto& l : r.lets) text += "let " + l.name + " " + plan::print_expr(*l.expr) + "\n";
  if (r.having) text += "having " + plan::print_expr(*r.having) + "\n";
  for (const auto& a : r.aggregates) {
    text += fmt::format("agg {} {} {}\n", static_cast<int>(a.fn), a.arg ? plan::print_expr(*a.arg) : "", a.type.name());
  }
  for (const auto& h : r.history) text += fmt::format("history {} {}\n", h.depth, plan::print_expr(*h.expr));
  text += fmt::format("throttle {}\n", r.throttle_ns);
  for (const plan::Expr* e : r.throttle_by) text += "by " + plan::print_expr(*e) + "\n";
  return fnv1a(text);
}

}  // namespace alert::state
