#include "compiler/codegen/window_kernel_codegen.h"

#include <llvm/IR/IRBuilder.h>

#include "compiler/codegen/expr_codegen.h"
#include "compiler/codegen/kernel_abi.h"
#include "compiler/codegen/kernel_frame.h"
#include "compiler/plan/alert_values.h"

namespace alert::codegen {
namespace {

// Stores v at position `at` of an AlertOutColumn {u8* valid, void* values}.
void store_out_column(llvm::IRBuilder<>& b, llvm::Value* column, llvm::Value* at, const CgValue& v, TypeKind kind) {
  llvm::LLVMContext& ctx = b.getContext();
  llvm::StructType* column_ty = llvm::StructType::get(ctx, {b.getPtrTy(), b.getPtrTy()});
  llvm::Value* valid_base = b.CreateLoad(b.getPtrTy(), b.CreateStructGEP(column_ty, column, 0));
  llvm::Value* valid = kind == TypeKind::Null ? b.getInt8(0)
                       : v.valid             ? b.CreateZExt(v.valid, b.getInt8Ty())
                                             : static_cast<llvm::Value*>(b.getInt8(1));
  b.CreateStore(valid, b.CreateInBoundsGEP(b.getInt8Ty(), valid_base, at));
  if (kind == TypeKind::Null) return;
  llvm::Value* values = b.CreateLoad(b.getPtrTy(), b.CreateStructGEP(column_ty, column, 1));
  switch (kind) {
    case TypeKind::Float: b.CreateStore(v.value, b.CreateInBoundsGEP(b.getDoubleTy(), values, at)); break;
    case TypeKind::String: {
      llvm::StructType* string_ty = llvm::StructType::get(ctx, {b.getPtrTy(), b.getInt64Ty()});
      llvm::Value* slot = b.CreateInBoundsGEP(string_ty, values, at);
      b.CreateStore(v.value, b.CreateStructGEP(string_ty, slot, 0));
      b.CreateStore(v.size, b.CreateStructGEP(string_ty, slot, 1));
      break;
    }
    case TypeKind::Bool:
      b.CreateStore(b.CreateZExt(v.value, b.getInt64Ty()), b.CreateInBoundsGEP(b.getInt64Ty(), values, at));
      break;
    default: b.CreateStore(v.value, b.CreateInBoundsGEP(b.getInt64Ty(), values, at));
  }
}

// fn(columns, count, const u32* rows, AlertOutColumn* out, state): row rows[j]'s keys and
// arguments to position j. A gather over the selected rows, so no branch on the selection.
// Plain non-nullable numeric fields are left out (plan::is_direct_window_value).
llvm::Expected<std::string> build_values(const plan::Program& program, int rule_index, llvm::Module& module) {
  const plan::Rule& rule = program.rules[rule_index];
  llvm::IRBuilder<> b(module.getContext());
  std::string symbol = "alert_window_values_" + std::to_string(rule_index);
  KernelFrame k = open_kernel(b, module, symbol, program, rule.schema, 2);
  k.env.rule = &rule;
  llvm::Value* rows = k.fn->getArg(2);
  llvm::Value* out = k.fn->getArg(3);
  begin_loop(b, k);
  llvm::Value* row32 = b.CreateLoad(b.getInt32Ty(), b.CreateInBoundsGEP(b.getInt32Ty(), rows, k.row));
  k.env.row = b.CreateZExt(row32, b.getInt64Ty(), "row");
  ExprCodegen gen(b, k.env);
  llvm::StructType* column_ty = llvm::StructType::get(module.getContext(), {b.getPtrTy(), b.getPtrTy()});
  plan::AlertValueLayout layout = plan::row_alert_values(rule);
  for (size_t j = 0; j < layout.exprs.size(); ++j) {
    if (plan::is_direct_window_value(program, rule, *layout.exprs[j])) continue;  // the runtime reads the column
    auto v = gen.emit(*layout.exprs[j]);
    if (!v) return v.takeError();
    llvm::Value* column = b.CreateConstInBoundsGEP1_64(column_ty, out, j);
    store_out_column(b, column, k.row, *v, layout.exprs[j]->type.kind);
  }
  if (auto err = close_kernel(b, k)) return err;
  return symbol;
}

// fn(columns, groups, u8* having, AlertValue* values, const i64* bounds, state): one row per group.
llvm::Expected<std::string> build_close(const plan::Program& program, int rule_index, llvm::Module& module) {
  const plan::Rule& rule = program.rules[rule_index];
  llvm::IRBuilder<> b(module.getContext());
  std::string symbol = "alert_window_close_" + std::to_string(rule_index);
  KernelFrame k = open_kernel(b, module, symbol, program, rule.schema, 3);
  plan::WindowCloseLayout layout = plan::window_close_layout(rule);
  k.env.rule = &rule;
  k.env.key_columns = &layout.key_columns;
  k.env.aggregate_columns = &layout.aggregate_columns;
  k.env.history_columns = &layout.history_columns;
  k.env.window_bounds = k.fn->getArg(4);
  llvm::Value* having = k.fn->getArg(2);
  llvm::Value* values = k.fn->getArg(3);
  begin_loop(b, k);
  ExprCodegen gen(b, k.env);
  llvm::StructType* value_ty = alert_value_type(module.getContext());
  llvm::Value* base = b.CreateMul(k.row, b.getInt64(static_cast<int64_t>(layout.values)));
  size_t next = 0;
  auto store_value = [&](const ast::Expr& e) -> llvm::Error {
    auto v = gen.emit(e);
    if (!v) return v.takeError();
    llvm::Value* slot = b.CreateInBoundsGEP(value_ty, values, b.CreateAdd(base, b.getInt64(static_cast<int64_t>(next++))));
    store_alert_value(b, slot, *v, e.type.kind);
    return llvm::Error::success();
  };
  // Every let, as the interpreter computes them all (their events count even when unused).
  for (const plan::Let& let : rule.lets) {
    if (auto err = store_value(*let.expr)) return err;
  }
  auto holds = gen.emit(*rule.having);
  if (!holds) return holds.takeError();
  b.CreateStore(b.CreateZExt(gen.is_true(*holds), b.getInt8Ty()), b.CreateInBoundsGEP(b.getInt8Ty(), having, k.row));
  for (const plan::HistorySeries& series : rule.history) {
    if (auto err = store_value(*series.expr)) return err;
  }
  if (auto err = close_kernel(b, k)) return err;
  return symbol;
}

}  // namespace

llvm::Expected<WindowKernelSymbols> build_window_kernels(const plan::Program& program, int rule, llvm::Module& module) {
  WindowKernelSymbols symbols;
  auto values = build_values(program, rule, module);
  if (!values) return values.takeError();
  symbols.values = *values;
  auto close = build_close(program, rule, module);
  if (!close) return close.takeError();
  symbols.close = *close;
  return symbols;
}

}  // namespace alert::codegen
