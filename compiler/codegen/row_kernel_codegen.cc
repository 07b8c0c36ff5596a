#include "compiler/codegen/row_kernel_codegen.h"

#include <llvm/Analysis/ValueTracking.h>

#include <algorithm>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "compiler/codegen/expr_codegen.h"
#include "abi/kernel_abi.h"
#include "compiler/codegen/kernel_frame.h"
#include "compiler/codegen/threshold_index.h"
#include "compiler/plan/alert_values.h"

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

// A constant array in the module.
template <typename T>
llvm::GlobalVariable* constant_array(llvm::Module& module, const std::vector<T>& values, const char* name) {
  llvm::Constant* init = llvm::ConstantDataArray::get(module.getContext(), llvm::ArrayRef<T>(values));
  return new llvm::GlobalVariable(module, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, name);
}

// The family's words of the record for this row (threshold_index.h): the subject's position
// among the sorted bounds by a branch-free binary search, then that position's row of the table;
// a null or NaN subject gets the rules without an atom on it.
llvm::Expected<std::vector<llvm::Value*>> emit_family(llvm::IRBuilder<>& b, ExprCodegen& gen, llvm::Module& module,
                                                     const ThresholdFamily& f, int64_t words, int64_t word_bytes) {
  auto subject = gen.emit(*f.subject);
  if (!subject) return subject.takeError();
  llvm::Value* s = subject->value;
  llvm::Value* ok = subject->valid ? subject->valid : b.getTrue();
  int64_t m = static_cast<int64_t>(f.is_float ? f.float_bounds.size() : f.int_bounds.size());
  llvm::Type* bound_ty = f.is_float ? b.getDoubleTy() : b.getInt64Ty();
  llvm::GlobalVariable* bounds;
  if (f.is_float) {
    if (f.subject->type.kind == TypeKind::Int) s = b.CreateSIToFP(s, b.getDoubleTy());
    ok = b.CreateAnd(ok, b.CreateFCmpORD(s, s));
    bounds = constant_array(module, f.float_bounds, "family.bounds");
  } else {
    std::vector<uint64_t> raw(f.int_bounds.begin(), f.int_bounds.end());
    bounds = constant_array(module, raw, "family.bounds");
  }
  auto bound_at = [&](llvm::Value* index) {
    return b.CreateLoad(bound_ty, b.CreateInBoundsGEP(bound_ty, bounds, index));
  };
  auto less = [&](llvm::Value* x, llvm::Value* y) {
    return f.is_float ? b.CreateFCmpOLT(x, y) : b.CreateICmpSLT(x, y);
  };
  llvm::Value* below = b.getInt64(0);  // how many bounds are below s
  int64_t step = 1;
  while (step * 2 <= m) step *= 2;
  for (; step >= 1; step /= 2) {
    llvm::Value* next = b.CreateAdd(below, b.getInt64(step));
    llvm::Value* inside = b.CreateICmpSLE(next, b.getInt64(m));
    llvm::Value* probe = b.CreateSelect(inside, next, b.getInt64(1));
    llvm::Value* take = b.CreateAnd(inside, less(bound_at(b.CreateSub(probe, b.getInt64(1))), s));
    below = b.CreateSelect(take, next, below);
  }
  llvm::Value* has_next = b.CreateICmpSLT(below, b.getInt64(m));
  llvm::Value* next_bound = bound_at(b.CreateSelect(has_next, below, b.getInt64(0)));
  llvm::Value* equal = b.CreateAnd(has_next, f.is_float ? b.CreateFCmpOEQ(next_bound, s) : b.CreateICmpEQ(next_bound, s));
  llvm::Value* position = b.CreateAdd(b.CreateShl(below, 1), b.CreateZExt(equal, b.getInt64Ty()));

  // The table: for each position, the record's words; and the words for a null or NaN subject.
  size_t slots = f.holds.front().size();
  std::vector<uint64_t> table, absent(static_cast<size_t>(words), 0);
  for (size_t slot = 0; slot < slots; ++slot) {
    bool everywhere = true;
    for (const auto& row : f.holds) everywhere = everywhere && row[slot];
    if (everywhere) absent[slot / 64] |= uint64_t{1} << (slot % 64);
  }
  for (const auto& row : f.holds) {
    for (int64_t w = 0; w < words; ++w) {
      uint64_t word = 0;
      for (size_t slot = static_cast<size_t>(w) * 64; slot < std::min(slots, static_cast<size_t>(w + 1) * 64); ++slot) {
        if (row[slot]) word |= uint64_t{1} << (slot % 64);
      }
      table.push_back(word);
    }
  }
  llvm::Type* word_ty = b.getIntNTy(static_cast<unsigned>(word_bytes * 8));
  llvm::GlobalVariable* rows = constant_array(module, table, "family.table");
  std::vector<llvm::Value*> out;
  for (int64_t w = 0; w < words; ++w) {
    llvm::Value* at = b.CreateAdd(b.CreateMul(position, b.getInt64(words)), b.getInt64(w));
    llvm::Value* word = b.CreateLoad(b.getInt64Ty(), b.CreateInBoundsGEP(b.getInt64Ty(), rows, at));
    word = b.CreateSelect(ok, word, b.getInt64(absent[static_cast<size_t>(w)]));
    out.push_back(b.CreateTrunc(word, word_ty));
  }
  return out;
}

llvm::Expected<std::string> build_row_filter(const plan::Program& program, int schema, llvm::Module& module) {
  llvm::IRBuilder<> b(module.getContext());
  std::string symbol = "alert_row_filter_" + std::to_string(schema);
  KernelFrame k = open_kernel(b, module, symbol, program, schema, 1);
  llvm::Value* out = k.fn->getArg(2);
  begin_loop(b, k);
  ExprCodegen gen(b, k.env);
  std::vector<llvm::StoreInst*> stores;
  std::vector<int> rules = program.rules_of_schema(schema);
  int64_t record = alert_filter_record_bytes(static_cast<int64_t>(rules.size()));
  int64_t word_bytes = std::min<int64_t>(record, 8);
  int64_t words = record / word_bytes;
  llvm::Type* word_ty = b.getIntNTy(static_cast<unsigned>(word_bytes * 8));
  llvm::Value* row_record = b.CreateMul(k.row, b.getInt64(record));
  // Rules comparing one expression with many constants go through a threshold index.
  ThresholdPlan thresholds = plan_thresholds(program, rules);
  std::vector<llvm::Value*> family_words(static_cast<size_t>(words), nullptr);
  for (const ThresholdFamily& f : thresholds.families) {
    auto fw = emit_family(b, gen, module, f, words, word_bytes);
    if (!fw) return fw.takeError();
    for (size_t w = 0; w < family_words.size(); ++w) {
      family_words[w] = family_words[w] ? b.CreateAnd(family_words[w], (*fw)[w]) : (*fw)[w];
    }
  }
  bool indexed = !thresholds.families.empty();
  for (size_t first = 0; first < rules.size(); first += 64) {
    // One word of the row's record: each rule's result becomes its bit.
    llvm::Value* word = llvm::ConstantInt::get(word_ty, 0);
    for (size_t r = first; r < std::min(rules.size(), first + 64); ++r) {
      const plan::Rule& rule = program.rules[rules[r]];
      llvm::Value* pass = b.getTrue();
      if (indexed) {
        // The `where` is true when every atom is: those in families come from their tables.
        for (const plan::Expr* atom : thresholds.rules[r].rest) {
          auto v = gen.emit(*atom);
          if (!v) return v.takeError();
          pass = b.CreateAnd(pass, gen.is_true(*v));
        }
      } else if (rule.where) {
        auto v = gen.emit(*rule.where);
        if (!v) return v.takeError();
        pass = gen.is_true(*v);
      }
      word = b.CreateOr(word, b.CreateShl(b.CreateZExt(pass, word_ty), r - first));
    }
    if (family_words[first / 64]) word = b.CreateAnd(word, family_words[first / 64]);
    llvm::Value* at = b.CreateAdd(row_record, b.getInt64(static_cast<int64_t>(first / 64) * word_bytes));
    stores.push_back(b.CreateStore(word, b.CreateInBoundsGEP(b.getInt8Ty(), out, at)));
  }
  if (auto err = close_kernel(b, k)) return err;
  mark_columns_apart_from_outputs(*k.fn, stores);
  return symbol;
}

}  // namespace

llvm::Expected<std::string> build_dispatch(const plan::Program& program, int rule_index, llvm::Module& module) {
  const plan::Rule& rule = program.rules[rule_index];
  llvm::LLVMContext& ctx = module.getContext();
  llvm::IRBuilder<> b(ctx);
  std::string symbol = "alert_dispatch_" + std::to_string(rule_index);
  KernelFrame k = open_kernel(b, module, symbol, program, rule.schema, 2);
  k.env.rule = &rule;
  llvm::Value* selected = k.fn->getArg(2);
  llvm::Value* out = k.fn->getArg(3);
  llvm::Value* written = b.CreateAlloca(b.getInt64Ty(), nullptr, "written");
  b.CreateStore(b.getInt64(0), written);
  begin_loop(b, k);
  llvm::BasicBlock* body = llvm::BasicBlock::Create(ctx, "selected", k.fn, k.exit);
  llvm::BasicBlock* latch = llvm::BasicBlock::Create(ctx, "next", k.fn, k.exit);
  // The rule's bit in the row's record of the filter's output.
  std::vector<int> schema_rules = program.rules_of_schema(rule.schema);
  int64_t slot = std::find(schema_rules.begin(), schema_rules.end(), rule_index) - schema_rules.begin();
  int64_t record = alert_filter_record_bytes(static_cast<int64_t>(schema_rules.size()));
  llvm::Value* byte_at = b.CreateAdd(b.CreateMul(k.row, b.getInt64(record)), b.getInt64(slot / 8));
  llvm::Value* byte = b.CreateLoad(b.getInt8Ty(), b.CreateInBoundsGEP(b.getInt8Ty(), selected, byte_at));
  llvm::Value* bit = b.CreateAnd(byte, b.getInt8(static_cast<uint8_t>(1u << (slot % 8))));
  b.CreateCondBr(b.CreateICmpNE(bit, b.getInt8(0)), body, latch);
  b.SetInsertPoint(body);
  plan::AlertValueLayout layout = plan::row_alert_values(rule);
  llvm::StructType* value_ty = llvm::StructType::get(
      ctx, {b.getInt32Ty(), b.getInt32Ty(), b.getInt64Ty(), b.getDoubleTy(), b.getPtrTy(), b.getInt64Ty()});
  llvm::Value* k_index = b.CreateLoad(b.getInt64Ty(), written);
  llvm::Value* base = b.CreateMul(k_index, b.getInt64(static_cast<int64_t>(layout.exprs.size())));
  ExprCodegen gen(b, k.env);  // its cache lives in this block only
  for (size_t j = 0; j < layout.exprs.size(); ++j) {
    auto v = gen.emit(*layout.exprs[j]);
    if (!v) return v.takeError();
    llvm::Value* slot = b.CreateInBoundsGEP(value_ty, out, b.CreateAdd(base, b.getInt64(static_cast<int64_t>(j))));
    store_alert_value(b, slot, *v, layout.exprs[j]->type.kind);
  }
  b.CreateStore(b.CreateAdd(k_index, b.getInt64(1)), written);
  b.CreateBr(latch);
  b.SetInsertPoint(latch);
  if (auto err = close_kernel(b, k)) return err;
  return symbol;
}


llvm::Expected<std::vector<std::pair<int, std::string>>> build_row_filters(const plan::Program& program,
                                                                           llvm::Module& module) {
  std::vector<std::pair<int, std::string>> out;
  for (size_t s = 0; s < program.schemas.size(); ++s) {
    if (program.rules_of_schema(static_cast<int>(s)).empty()) continue;
    auto symbol = build_row_filter(program, static_cast<int>(s), module);
    if (!symbol) return symbol.takeError();
    out.emplace_back(static_cast<int>(s), *symbol);
  }
  return out;
}

}  // namespace alert::codegen
