// The skeleton every generated kernel shares (kernel_abi.h): a function over a loop of rows, the
// scratch the expression code needs, and the event counters added to the state on the way out.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>

#include <string>

#include "compiler/codegen/expr_codegen.h"

namespace alert::codegen {

struct KernelFrame {
  llvm::Function* fn = nullptr;
  llvm::BasicBlock* entry = nullptr;
  llvm::BasicBlock* loop = nullptr;
  llvm::BasicBlock* exit = nullptr;
  llvm::PHINode* row = nullptr;
  RowEnv env;
};

// fn(const AlertColumnView* columns, i64 rows, ptr arg2, ..., AlertKernelState* state) with
// `pointer_args` pointers between rows and state: leaves the builder in the entry block.
KernelFrame open_kernel(llvm::IRBuilder<>& b, llvm::Module& module, const std::string& symbol,
                        const plan::Program& program, int schema, unsigned pointer_args);
// Enters the loop (after any entry code the caller added); k.row and k.env.row are the index.
void begin_loop(llvm::IRBuilder<>& b, KernelFrame& k);
// Closes the loop from the current block, adds the counters to the state and verifies.
llvm::Error close_kernel(llvm::IRBuilder<>& b, KernelFrame& k);
// Stores one value into an AlertValue {i32 kind, i32 valid, i64 i, double f, ptr data, i64 size}.
void store_alert_value(llvm::IRBuilder<>& b, llvm::Value* slot, const CgValue& v, TypeKind kind);
// The IR type of AlertValue.
llvm::StructType* alert_value_type(llvm::LLVMContext& ctx);

}  // namespace alert::codegen
