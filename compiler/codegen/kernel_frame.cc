#include "compiler/codegen/kernel_frame.h"

#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

namespace alert::codegen {

KernelFrame open_kernel(llvm::IRBuilder<>& b, llvm::Module& module, const std::string& symbol,
                        const plan::Program& program, int schema, unsigned pointer_args) {
  llvm::LLVMContext& ctx = module.getContext();
  llvm::Type* i64 = b.getInt64Ty();
  llvm::Type* ptr = b.getPtrTy();
  std::vector<llvm::Type*> params{ptr, i64};
  for (unsigned a = 0; a < pointer_args; ++a) params.push_back(ptr);
  params.push_back(ptr);
  KernelFrame k;
  k.fn = llvm::Function::Create(llvm::FunctionType::get(b.getVoidTy(), params, false),
                                llvm::Function::ExternalLinkage, symbol, module);
  k.fn->setDoesNotThrow();
  // Outputs and the state are reached through no other pointer, so LLVM may keep column loads
  // and output stores apart without runtime overlap checks.
  for (unsigned a = 0; a < params.size(); ++a) {
    if (a != 1) k.fn->addParamAttr(a, llvm::Attribute::NoAlias);
  }
  k.fn->addParamAttr(0, llvm::Attribute::ReadOnly);
  k.entry = llvm::BasicBlock::Create(ctx, "entry", k.fn);
  k.loop = llvm::BasicBlock::Create(ctx, "row", k.fn);
  k.exit = llvm::BasicBlock::Create(ctx, "exit", k.fn);
  b.SetInsertPoint(k.entry);
  RowEnv& env = k.env;
  env.program = &program;
  env.schema = &program.schemas[schema];
  env.columns = k.fn->getArg(0);
  env.state = k.fn->getArg(static_cast<unsigned>(params.size()) - 1);
  env.division_by_zero = b.CreateAlloca(i64, nullptr, "division_by_zero");
  env.overflow = b.CreateAlloca(i64, nullptr, "overflow");
  env.string_out = b.CreateAlloca(llvm::StructType::get(ctx, {ptr, i64}), nullptr, "string_out");
  env.int_out = b.CreateAlloca(i64, nullptr, "int_out");
  env.float_out = b.CreateAlloca(b.getDoubleTy(), nullptr, "float_out");
  b.CreateStore(b.getInt64(0), env.division_by_zero);
  b.CreateStore(b.getInt64(0), env.overflow);
  return k;
}

void begin_loop(llvm::IRBuilder<>& b, KernelFrame& k) {
  llvm::Value* rows = k.fn->getArg(1);
  b.CreateCondBr(b.CreateICmpSGT(rows, b.getInt64(0)), k.loop, k.exit);
  b.SetInsertPoint(k.loop);
  k.row = b.CreatePHI(b.getInt64Ty(), 2, "i");
  k.row->addIncoming(b.getInt64(0), k.entry);
  k.env.row = k.row;
}

llvm::Error close_kernel(llvm::IRBuilder<>& b, KernelFrame& k) {
  llvm::LLVMContext& ctx = b.getContext();
  llvm::Type* i64 = b.getInt64Ty();
  llvm::Value* next = b.CreateAdd(k.row, b.getInt64(1), "i.next");
  k.row->addIncoming(next, b.GetInsertBlock());
  b.CreateCondBr(b.CreateICmpSLT(next, k.fn->getArg(1)), k.loop, k.exit);
  b.SetInsertPoint(k.exit);
  llvm::StructType* state_ty = llvm::StructType::get(ctx, {i64, i64, b.getPtrTy()});
  for (auto [field, counter] : {std::pair{0u, k.env.division_by_zero}, std::pair{1u, k.env.overflow}}) {
    llvm::Value* slot = b.CreateStructGEP(state_ty, k.env.state, field);
    b.CreateStore(b.CreateAdd(b.CreateLoad(i64, slot), b.CreateLoad(i64, counter)), slot);
  }
  b.CreateRetVoid();
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyFunction(*k.fn, &os)) {
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "invalid kernel IR: " + os.str());
  }
  return llvm::Error::success();
}

llvm::StructType* alert_value_type(llvm::LLVMContext& ctx) {
  llvm::Type* i32 = llvm::Type::getInt32Ty(ctx);
  llvm::Type* i64 = llvm::Type::getInt64Ty(ctx);
  return llvm::StructType::get(ctx, {i32, i32, i64, llvm::Type::getDoubleTy(ctx), llvm::PointerType::get(ctx, 0), i64});
}

void store_alert_value(llvm::IRBuilder<>& b, llvm::Value* slot, const CgValue& v, TypeKind kind) {
  llvm::LLVMContext& ctx = b.getContext();
  llvm::StructType* ty = alert_value_type(ctx);
  b.CreateStore(b.getInt32(static_cast<int32_t>(kind)), b.CreateStructGEP(ty, slot, 0));
  llvm::Value* valid = v.valid ? b.CreateZExt(v.valid, b.getInt32Ty()) : static_cast<llvm::Value*>(b.getInt32(1));
  if (kind == TypeKind::Null) valid = b.getInt32(0);
  b.CreateStore(valid, b.CreateStructGEP(ty, slot, 1));
  switch (kind) {
    case TypeKind::Null: break;
    case TypeKind::Bool: b.CreateStore(b.CreateZExt(v.value, b.getInt64Ty()), b.CreateStructGEP(ty, slot, 2)); break;
    case TypeKind::Float: b.CreateStore(v.value, b.CreateStructGEP(ty, slot, 3)); break;
    case TypeKind::String:
      b.CreateStore(v.value, b.CreateStructGEP(ty, slot, 4));
      b.CreateStore(v.size, b.CreateStructGEP(ty, slot, 5));
      break;
    default: b.CreateStore(v.value, b.CreateStructGEP(ty, slot, 2));
  }
}


}  // namespace alert::codegen
