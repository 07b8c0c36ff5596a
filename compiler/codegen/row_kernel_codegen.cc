#include "compiler/codegen/row_kernel_codegen.h"

#include <llvm/Analysis/ValueTracking.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "compiler/codegen/expr_codegen.h"
#include "compiler/codegen/kernel_abi.h"

namespace alert::codegen {
namespace {

// Tells LLVM that column reads and output writes never overlap, so the loop vectorizes without
// runtime overlap checks; the outputs' mutual distances are constants it checks itself. Two
// scopes only, so the metadata stays linear in the number of rules. Measured in bench/ (c).
void mark_columns_apart_from_outputs(llvm::Function& fn, const std::vector<llvm::StoreInst*>& output_stores) {
  llvm::LLVMContext& ctx = fn.getContext();
  llvm::MDBuilder md(ctx);
  llvm::MDNode* domain = md.createAnonymousAliasScopeDomain("alert.kernel");
  llvm::MDNode* columns = llvm::MDNode::get(ctx, {md.createAnonymousAliasScope(domain, "columns")});
  llvm::MDNode* outputs = llvm::MDNode::get(ctx, {md.createAnonymousAliasScope(domain, "outputs")});
  for (llvm::BasicBlock& bb : fn) {
    for (llvm::Instruction& inst : bb) {
      auto* load = llvm::dyn_cast<llvm::LoadInst>(&inst);
      if (!load || llvm::isa<llvm::AllocaInst>(llvm::getUnderlyingObject(load->getPointerOperand()))) continue;
      load->setMetadata(llvm::LLVMContext::MD_alias_scope, columns);
      load->setMetadata(llvm::LLVMContext::MD_noalias, outputs);
    }
  }
  for (llvm::StoreInst* store : output_stores) {
    store->setMetadata(llvm::LLVMContext::MD_alias_scope, outputs);
    store->setMetadata(llvm::LLVMContext::MD_noalias, columns);
  }
}

llvm::Expected<std::string> build_kernel(const plan::Program& program, int schema, llvm::Module& module) {
  llvm::LLVMContext& ctx = module.getContext();
  llvm::IRBuilder<> b(ctx);
  llvm::Type* i64 = b.getInt64Ty();
  llvm::Type* ptr = b.getPtrTy();
  std::string symbol = "alert_row_filter_" + std::to_string(schema);
  auto* fn_ty = llvm::FunctionType::get(b.getVoidTy(), {ptr, i64, ptr, ptr}, false);
  auto* fn = llvm::Function::Create(fn_ty, llvm::Function::ExternalLinkage, symbol, module);
  fn->setDoesNotThrow();
  // The output and the state are reached through no other pointer, so LLVM may keep column
  // loads and output stores apart without runtime overlap checks.
  for (unsigned a : {0u, 2u, 3u}) fn->addParamAttr(a, llvm::Attribute::NoAlias);
  fn->addParamAttr(0, llvm::Attribute::ReadOnly);
  llvm::Value* columns = fn->getArg(0);
  llvm::Value* rows = fn->getArg(1);
  llvm::Value* out = fn->getArg(2);
  llvm::Value* state = fn->getArg(3);

  llvm::BasicBlock* entry = llvm::BasicBlock::Create(ctx, "entry", fn);
  llvm::BasicBlock* loop = llvm::BasicBlock::Create(ctx, "row", fn);
  llvm::BasicBlock* exit = llvm::BasicBlock::Create(ctx, "exit", fn);
  b.SetInsertPoint(entry);
  RowEnv env;
  env.program = &program;
  env.schema = &program.schemas[schema];
  env.columns = columns;
  env.state = state;
  env.division_by_zero = b.CreateAlloca(i64, nullptr, "division_by_zero");
  env.overflow = b.CreateAlloca(i64, nullptr, "overflow");
  env.string_out = b.CreateAlloca(llvm::StructType::get(ctx, {ptr, i64}), nullptr, "string_out");
  env.int_out = b.CreateAlloca(i64, nullptr, "int_out");
  env.float_out = b.CreateAlloca(b.getDoubleTy(), nullptr, "float_out");
  b.CreateStore(b.getInt64(0), env.division_by_zero);
  b.CreateStore(b.getInt64(0), env.overflow);
  std::vector<int> rules = program.rules_of_schema(schema);
  b.CreateCondBr(b.CreateICmpSGT(rows, b.getInt64(0)), loop, exit);

  b.SetInsertPoint(loop);
  llvm::PHINode* row = b.CreatePHI(i64, 2, "i");
  row->addIncoming(b.getInt64(0), entry);
  env.row = row;
  ExprCodegen gen(b, env);
  std::vector<llvm::StoreInst*> stores;
  for (size_t r = 0; r < rules.size(); ++r) {
    const plan::Rule& rule = program.rules[rules[r]];
    llvm::Value* pass = b.getTrue();
    if (rule.where) {
      auto v = gen.emit(*rule.where);
      if (!v) return v.takeError();
      pass = gen.is_true(*v);
    }
    llvm::Value* slot = b.CreateAdd(row, b.getInt64(static_cast<int64_t>(r) * ALERT_KERNEL_OUTPUT_STRIDE));
    stores.push_back(b.CreateStore(b.CreateZExt(pass, b.getInt8Ty()), b.CreateInBoundsGEP(b.getInt8Ty(), out, slot)));
  }
  llvm::Value* next = b.CreateAdd(row, b.getInt64(1), "i.next");
  row->addIncoming(next, b.GetInsertBlock());
  b.CreateCondBr(b.CreateICmpSLT(next, rows), loop, exit);

  b.SetInsertPoint(exit);
  llvm::StructType* state_ty = llvm::StructType::get(ctx, {i64, i64, ptr});
  for (auto [field, counter] : {std::pair{0u, env.division_by_zero}, std::pair{1u, env.overflow}}) {
    llvm::Value* slot = b.CreateStructGEP(state_ty, state, field);
    b.CreateStore(b.CreateAdd(b.CreateLoad(i64, slot), b.CreateLoad(i64, counter)), slot);
  }
  b.CreateRetVoid();
  mark_columns_apart_from_outputs(*fn, stores);

  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyFunction(*fn, &os)) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "invalid kernel IR: " + os.str());
  }
  return symbol;
}

}  // namespace

llvm::Expected<std::vector<RowKernelSymbol>> build_row_kernels(const plan::Program& program, llvm::Module& module) {
  std::vector<RowKernelSymbol> out;
  for (size_t s = 0; s < program.schemas.size(); ++s) {
    if (program.rules_of_schema(static_cast<int>(s)).empty()) continue;
    auto symbol = build_kernel(program, static_cast<int>(s), module);
    if (!symbol) return symbol.takeError();
    out.push_back({static_cast<int>(s), *symbol});
  }
  return out;
}

}  // namespace alert::codegen
