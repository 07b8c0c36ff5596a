#include "runtime/engine/window_alerts.h"

namespace alert {
namespace {

Alert window_alert(const plan::Rule& r, const EvalContext& ctx, int64_t start, int64_t end, const char* state) {
  Alert a;
  a.rule = r.name;
  a.state = state;
  a.severity = plan::severity_name(r.severity);
  a.time = end;
  a.window = std::make_pair(start, end);
  for (size_t i = 0; i < r.group_keys.size(); ++i) a.group.emplace_back(r.group_keys[i].name, (*ctx.group_keys)[i]);
  for (size_t i = 0; i < r.lets.size(); ++i) a.values.emplace_back(r.lets[i].name, (*ctx.lets)[i]);
  // A resolved notice has its own text where the rule gives one (docs/language.md §7.8).
  const std::optional<plan::Template>& text =
      std::string_view(state) == "resolved" && r.resolved_message ? r.resolved_message : r.message;
  a.message = text ? render_template(*text, ctx) : r.name;
  a.channels = r.channels;
  return a;
}

void fire(const WindowRuleOutput& out, GroupLifecycle& g, const EvalContext& ctx, int64_t start, int64_t end) {
  const plan::Rule& r = *out.rule;
  Alert a = window_alert(r, ctx, start, end, "firing");
  for (auto& l : r.labels) a.labels.emplace_back(l.name, render_template(l.value, ctx));
  a.fingerprint = fingerprint_of(r.name, a.group, a.labels);
  g.firing_labels = a.labels;
  g.fingerprint = a.fingerprint;
  g.firing_sent = true;
  if (r.throttle_ns >= 0) {
    std::string key;
    if (!r.throttle_by.empty()) {
      for (auto* e : r.throttle_by) append_key(key, evaluate(*e, ctx));
    } else {
      for (const Value& v : *ctx.group_keys) append_key(key, v);  // the group's own key
    }
    int64_t suppressed = throttle_check(*out.throttle, key, end, r.throttle_ns);
    if (suppressed < 0) {
      ++out.stats->suppressed;
      g.firing_sent = false;  // nobody heard it fire, so nobody needs to hear it resolve
      return;
    }
    a.suppressed = suppressed;
  }
  ++out.stats->firing;
  (*out.sink)(a);
}

}  // namespace

void resolve_group(const WindowRuleOutput& out, GroupLifecycle& g, const EvalContext& ctx, int64_t start, int64_t end) {
  g.firing = false;
  if (!g.firing_sent) return;
  Alert a = window_alert(*out.rule, ctx, start, end, "resolved");
  a.labels = g.firing_labels;  // the same identity as the firing alert
  a.fingerprint = g.fingerprint;
  ++out.stats->resolved;
  (*out.sink)(a);
}

void apply_having(const WindowRuleOutput& out, GroupLifecycle& g, bool holds, const EvalContext& ctx, int64_t start,
                  int64_t end) {
  if (holds) {
    ++g.consecutive;
    if (!g.firing && g.consecutive >= out.rule->window.for_windows) {
      g.firing = true;
      fire(out, g, ctx, start, end);
    }
  } else {
    g.consecutive = 0;
    if (g.firing) resolve_group(out, g, ctx, start, end);
  }
}

}  // namespace alert

namespace alert {

bool reads_group_key(const plan::Expr& e) {
  bool found = false;
  plan::for_each_node(e, [&](const plan::Expr& n) { found |= n.op == plan::ExprOp::GroupKey; });
  return found;
}

bool empty_result_shared(const plan::Rule& r) {
  if (!r.history.empty() || reads_group_key(*r.having)) return false;
  for (const plan::Let& l : r.lets) {
    if (reads_group_key(*l.expr)) return false;
  }
  return true;
}

}  // namespace alert
