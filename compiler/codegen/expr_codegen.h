// Emits one plan expression as LLVM IR for the current row of a kernel's loop. Values are
// (value, validity) pairs so nulls are masks, never branches; strings are (pointer, length).
// Generated code has the semantics of stdlib/scalar_ops.cc, case by case, including which
// events (division by zero, overflow) are counted: the differential test compares the two.
//
// Everything is computed straight-line so LLVM can vectorize the loop; the few branches (string
// comparisons against constants) are closed diamonds whose inner values never escape, so every
// value cached for common sub-expressions dominates all later uses.
#pragma once

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/Error.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiler/plan/program_plan.h"

namespace alert::codegen {

struct CgValue {
  llvm::Value* value = nullptr;  // i1, i64, double, or the data pointer of a string
  llvm::Value* size = nullptr;   // strings: i64 byte length
  llvm::Value* valid = nullptr;  // i1; nullptr means never null
};

// What an expression can read in a row kernel: the schema's columns and the kernel state.
struct RowEnv {
  const plan::Program* program = nullptr;
  const plan::Schema* schema = nullptr;
  const plan::Rule* rule = nullptr;  // for its lets and group keys (dispatch functions)
  llvm::Value* columns = nullptr;  // const AlertColumnView*
  llvm::Value* state = nullptr;    // AlertKernelState*
  llvm::Value* row = nullptr;      // i64 row index
  llvm::Value* division_by_zero = nullptr;  // i64 alloca counters, added to state at the end
  llvm::Value* overflow = nullptr;
  llvm::Value* string_out = nullptr;  // AlertString alloca for helpers' results
  llvm::Value* int_out = nullptr;     // i64 alloca
  llvm::Value* float_out = nullptr;   // double alloca

  // Close kernels of window rules: `columns` holds one row per group, and these say which of its
  // columns each group key, aggregate slot and history call is read from; `window_bounds` points
  // at {window_start, window_end}. Unset in row kernels.
  const std::vector<int>* key_columns = nullptr;
  const std::vector<int>* aggregate_columns = nullptr;
  const std::vector<int>* history_columns = nullptr;
  llvm::Value* window_bounds = nullptr;
};

class ExprCodegen {
 public:
  ExprCodegen(llvm::IRBuilder<>& builder, RowEnv env);

  // Emits `e` (or reuses an identical sub-expression emitted before for this row).
  llvm::Expected<CgValue> emit(const plan::Expr& e);

  // i1 that is true exactly when the value is a non-null `true`.
  llvm::Value* is_true(const CgValue& v);

 private:
  llvm::Expected<CgValue> emit_uncached(const plan::Expr& e);
  llvm::Expected<CgValue> emit_field(int index);
  // Column `index` of the kernel's columns as a value of `kind` (nullable when `nullable`).
  CgValue load_column(int index, TypeKind kind, bool nullable);
  CgValue emit_constant(const Value& v, TypeKind kind);
  llvm::Expected<CgValue> emit_unary(const plan::Expr& e);
  llvm::Expected<CgValue> emit_binary(const plan::Expr& e);
  llvm::Expected<CgValue> emit_logic_short_circuit(const plan::Expr& e);
  CgValue combine_logic(BinaryOp op, const CgValue& a, const CgValue& b);
  llvm::Expected<CgValue> emit_in(const plan::Expr& e);
  llvm::Expected<CgValue> emit_between(const plan::Expr& e);
  llvm::Expected<CgValue> emit_call(const plan::Expr& e);
  struct CallArgs {
    std::vector<CgValue> values;
    std::vector<TypeKind> kinds;
    llvm::Value* valid = nullptr;  // every argument valid (functions that propagate nulls)
  };
  static bool takes_nulls_itself(BuiltinId id);
  llvm::Expected<CgValue> emit_null_aware_call(BuiltinId id, TypeKind rk, const CallArgs& a);
  std::optional<CgValue> emit_numeric_call(BuiltinId id, TypeKind rk, const CallArgs& a);
  std::optional<CgValue> emit_string_call(const plan::Expr& e, BuiltinId id, const CallArgs& a);
  std::optional<CgValue> emit_conversion_call(const plan::Expr& e, BuiltinId id, const CallArgs& a);

  CgValue int_arith(BinaryOp op, llvm::Value* a, llvm::Value* b, llvm::Value* valid);
  llvm::Value* compare(BinaryOp op, const CgValue& a, TypeKind ka, const CgValue& b, TypeKind kb);
  llvm::Value* string_in_constants(const CgValue& s, const std::vector<std::string>& items);
  llvm::Value* string_in_short_constants(const CgValue& s, const std::vector<std::string>& items);
  llvm::Value* to_double(const CgValue& v, TypeKind kind);
  CgValue coerce(const CgValue& v, TypeKind from, TypeKind to);
  llvm::Value* floor_div(llvm::Value* a, int64_t b);

  llvm::Value* all_valid(llvm::Value* a, llvm::Value* b);
  void count(llvm::Value* counter, llvm::Value* happened);
  llvm::FunctionCallee helper(const char* name, llvm::Type* result, std::vector<llvm::Type*> params);
  CgValue call_string_helper(const char* name, std::vector<llvm::Value*> args, llvm::Value* valid);
  llvm::Value* string_constant(const std::string& s);

  llvm::Type* type_of(TypeKind kind);
  llvm::Value* zero_of(TypeKind kind);

  llvm::IRBuilder<>& b_;
  RowEnv env_;
  llvm::LLVMContext& ctx_;
  llvm::Module& module_;
  std::unordered_map<int, CgValue> cache_;  // by plan::Expr::id
  std::unordered_map<int, CgValue> fields_;
  std::unordered_map<std::string, llvm::Value*> strings_;
  std::unordered_map<const llvm::Value*, std::string> constant_text_;  // string constants' text
};

// A structural key: equal keys mean the same computation on the same row.
std::string expr_key(const plan::Expr& e);

}  // namespace alert::codegen
