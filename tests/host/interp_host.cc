// A host program that embeds the runtime with the reference interpreter and a plan it builds
// itself, linking alert_runtime alone: the test that the runtime stands on the plan IR and the
// kernel ABI, not on the compiler. tests/host/check_host_link.py checks that neither LLVM nor
// ANTLR is in the binary; this program checks that the plan evaluates as the language says.
#include <cstdio>
#include <memory>
#include <vector>

#include "alert/engine.h"
#include "compiler/plan/compiled_program.h"

using namespace alert;

namespace {

int failures = 0;
void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}

const plan::Expr* node(plan::Program& p, plan::Expr e, int rule) {
  return p.exprs.intern(std::move(e), {0, rule});
}

plan::Expr field(int index, Type type, const char* name) {
  plan::Expr e;
  e.op = plan::ExprOp::Field;
  e.index = index;
  e.type = type;
  e.name = name;
  return e;
}

plan::Expr constant(Value v) {
  plan::Expr e;
  e.op = plan::ExprOp::Constant;
  e.type = Type::of(v.kind);
  e.value = std::move(v);
  return e;
}

plan::Expr compare(BinaryOp op, const plan::Expr* a, const plan::Expr* b) {
  plan::Expr e;
  e.op = plan::ExprOp::Binary;
  e.binary_op = op;
  e.type = Type::of(TypeKind::Bool, a->type.nullable || b->type.nullable);
  e.args = {a, b};
  return e;
}

// schema Order { time ts: timestamp, sku: string, price: float }
// rule Big on Order where price > 100 message "big {sku}"
// rule Busy on Order window tumbling 1m group by sku having count() >= 2
std::shared_ptr<CompiledProgram> build_program() {
  auto program = std::make_shared<CompiledProgram>();
  program->engine = EngineKind::Interp;
  plan::Program& p = program->plan;
  plan::Schema order;
  order.name = "Order";
  order.fields = {{"ts", Type::of(TypeKind::Timestamp)}, {"sku", Type::of(TypeKind::String)},
                  {"price", Type::of(TypeKind::Float)}};
  order.time_field = 0;
  p.schemas.push_back(order);

  plan::Rule big;
  big.name = "Big";
  const plan::Expr* price = node(p, field(2, Type::of(TypeKind::Float), "price"), 0);
  big.where = node(p, compare(BinaryOp::Gt, price, node(p, constant(Value::floating(100)), 0)), 0);
  plan::Template message;
  message.pieces.push_back({"big ", nullptr, ""});
  message.pieces.push_back({"", node(p, field(1, Type::of(TypeKind::String), "sku"), 0), ""});
  big.message = message;
  p.rules.push_back(big);

  plan::Rule busy;
  busy.name = "Busy";
  busy.is_window = true;
  busy.window.size_ns = busy.window.step_ns = 60'000'000'000;
  busy.window.expire_ns = 120'000'000'000;
  busy.group_keys.push_back({"sku", node(p, field(1, Type::of(TypeKind::String), "sku"), 1)});
  busy.aggregates.push_back({BuiltinId::Count, nullptr, Type::of(TypeKind::Int)});
  plan::Expr count;
  count.op = plan::ExprOp::Aggregate;
  count.index = 0;
  count.type = Type::of(TypeKind::Int);
  count.name = "count";
  busy.having = node(p, compare(BinaryOp::Ge, node(p, count, 1), node(p, constant(Value::integer(2)), 1)), 1);
  p.rules.push_back(busy);
  return program;
}

}  // namespace

int main() {
  std::vector<Alert> alerts;
  Engine engine(build_program(), [&](const Alert& a) { alerts.push_back(a); }, [](const RejectedRow&) {});
  Batch batch;
  batch.reset(0, {TypeKind::Timestamp, TypeKind::String, TypeKind::Float});
  const int64_t s = 1'000'000'000;
  batch.append({Value::timestamp(1 * s), Value::string("a"), Value::floating(150)}, 1);
  batch.append({Value::timestamp(2 * s), Value::string("b"), Value::floating(20)}, 2);
  batch.append({Value::timestamp(3 * s), Value::string("a"), Value::floating(30)}, 3);
  batch.append({Value::timestamp(70 * s), Value::string("b"), Value::floating(101)}, 4);
  auto pushed = engine.push(batch);
  expect(pushed.ok(), "the batch fits the plan");
  engine.finish();

  int big = 0, busy_firing = 0, busy_resolved = 0;
  for (const Alert& a : alerts) {
    if (a.rule == "Big") {
      ++big;
      expect(a.message == "big a" || a.message == "big b", "the message interpolates the row's sku");
    }
    if (a.rule == "Busy" && a.state == "firing") {
      ++busy_firing;
      expect(a.group.size() == 1 && a.group[0].second.s == "a", "only sku a had two rows in [0s, 60s)");
    }
    if (a.rule == "Busy" && a.state == "resolved") ++busy_resolved;
  }
  expect(big == 2, "two rows priced over 100");
  expect(busy_firing == 1, "one busy group fired");
  expect(busy_resolved == 1, "and resolved when [60s, 120s) held fewer than two of its rows");
  Batch bad;
  bad.reset(3, {TypeKind::Int});
  expect(!engine.push(bad).ok(), "a batch for a schema the plan lacks is refused");
  if (failures) return 1;
  std::printf("interp host: %zu alerts, as expected\n", alerts.size());
  return 0;
}
