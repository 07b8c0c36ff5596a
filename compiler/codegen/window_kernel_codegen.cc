#include "compiler/codegen/window_kernel_codegen.h"

#include <cstddef>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "compiler/codegen/expr_codegen.h"
#include "abi/kernel_abi.h"
#include "compiler/codegen/kernel_frame.h"
#include "compiler/plan/aggregate_ops.h"
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
  auto store_value = [&](const plan::Expr& e) -> llvm::Error {
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

// Rows between a key's table prefetch and its probe: enough to cover a memory access with
// the work of the rows in between.
constexpr int64_t kProbeAhead = 16;

// Field numbers of AlertWindowUpdate (all 8 bytes).
enum UpdateField : int64_t {
  kTimes, kRows, kSeqBase, kFrom, kTo, kValid, kValues, kFirstWindow, kEntries, kMask, kShift,
  kPositions, kNullSlot, kSlotTimes, kOpenWindows, kWindows, kRuntime, kFind, kAdd, kCreate
};

#define ALERT_CHECK_FIELD(field, member) \
  static_assert(offsetof(AlertWindowUpdate, member) == 8 * field, "UpdateField mirrors AlertWindowUpdate")
ALERT_CHECK_FIELD(kTimes, times);
ALERT_CHECK_FIELD(kEntries, entries);
ALERT_CHECK_FIELD(kShift, shift);
ALERT_CHECK_FIELD(kNullSlot, null_slot);
ALERT_CHECK_FIELD(kWindows, windows);
ALERT_CHECK_FIELD(kCreate, create);
#undef ALERT_CHECK_FIELD

// Group table entries are 2^kEntryShift bytes, the key first (kernel_abi.h AlertGroupEntry).
constexpr int64_t kEntryShift = 4;
static_assert(sizeof(AlertGroupEntry) == int64_t{1} << kEntryShift && offsetof(AlertGroupEntry, key) == 0,
              "the probe strides and reads AlertGroupEntry");

// Per aggregate, the arrays of AlertWindowUpdate::windows after has_rows, touched and its count.
enum AggregateArray : int64_t { kCount, kI, kF, kOverflow, kM2, kHeldTime, kHeldSeq, kArrays };

class UpdateBuilder {
 public:
  UpdateBuilder(const plan::Program& program, const plan::Rule& rule, llvm::Module& module)
      : program_(program), rule_(rule), module_(module), ctx_(module.getContext()), b_(ctx_) {
    specs_ = plan::aggregate_specs(rule_);
  }

  // A key's home entry: alert_group_index in IR.
  llvm::Value* group_home(llvm::Value* key) {
    return b_.CreateLShr(b_.CreateMul(key, b_.getInt64(static_cast<int64_t>(ALERT_GROUP_HASH_MULTIPLIER))), shift_);
  }

  llvm::Expected<std::string> build(const std::string& symbol) {
    llvm::Type* i64 = b_.getInt64Ty();
    fn_ = llvm::Function::Create(llvm::FunctionType::get(i64, {b_.getPtrTy(), i64, i64}, false),
                                 llvm::Function::ExternalLinkage, symbol, module_);
    fn_->setDoesNotThrow();
    llvm::Value* u = fn_->getArg(0);
    llvm::BasicBlock* entry = block("entry");
    loop_ = block("row");
    stop_ = block("stop");
    llvm::BasicBlock* done = block("done");
    b_.SetInsertPoint(entry);
    load_update_fields(u);
    llvm::Value* j0 = fn_->getArg(1);
    llvm::Value* j1 = fn_->getArg(2);
    b_.CreateCondBr(b_.CreateICmpSLT(j0, j1), loop_, done);

    b_.SetInsertPoint(loop_);
    j_ = b_.CreatePHI(i64, 2, "j");
    j_->addIncoming(j0, entry);
    stop_j_ = llvm::PHINode::Create(i64, 4, "stopped_at", stop_);
    // A row outside this call's windows goes back to the runtime.
    t_ = b_.CreateLoad(i64, b_.CreateInBoundsGEP(i64, times_, j_));
    llvm::BasicBlock* in_windows = block("in_windows");
    // from <= t < to as one unsigned compare (to > from always).
    llvm::Value* width = b_.CreateSub(to_, from_);
    exit_unless(b_.CreateICmpULT(b_.CreateSub(t_, from_), width), in_windows);
    b_.SetInsertPoint(in_windows);
    emit_prefetch_ahead(j1);
    llvm::Value* slot = emit_lookup();
    llvm::Value* slot64 = b_.CreateZExt(slot, i64);
    emit_slot_times(slot64);
    int64_t window_count = rule_.window.size_ns / rule_.window.step_ns;
    for (int64_t w = 0; w < window_count; ++w) {
      emit_mark(w, slot, slot64);
      for (size_t a = 0; a < rule_.aggregates.size(); ++a) {
        if (auto err = emit_aggregate(w, a, slot, slot64)) return err;
      }
    }
    llvm::Value* next = b_.CreateAdd(j_, b_.getInt64(1));
    j_->addIncoming(next, b_.GetInsertBlock());
    b_.CreateCondBr(b_.CreateICmpSLT(next, j1), loop_, done);

    b_.SetInsertPoint(done);
    b_.CreateRet(j1);
    b_.SetInsertPoint(stop_);
    b_.CreateRet(stop_j_);
    std::string problems;
    llvm::raw_string_ostream os(problems);
    if (llvm::verifyFunction(*fn_, &os)) {
      return llvm::createStringError(llvm::inconvertibleErrorCode(), "invalid window update IR: " + os.str());
    }
    return symbol;
  }

  // Everything the loop reads is loaded once, in the entry block: the runtime changes none of it
  // during a call.
  void load_update_fields(llvm::Value* u) {
    llvm::Type* i64 = b_.getInt64Ty();
    auto field = [&](UpdateField f, llvm::Type* ty) {
      return b_.CreateLoad(ty, b_.CreateConstInBoundsGEP1_64(i64, u, static_cast<uint64_t>(f)));
    };
    times_ = field(kTimes, ptr());
    rows_ = field(kRows, ptr());
    seq_base_ = field(kSeqBase, i64);
    from_ = field(kFrom, i64);
    to_ = field(kTo, i64);
    llvm::Value* valid = field(kValid, ptr());
    llvm::Value* values = field(kValues, ptr());
    entries_ = field(kEntries, ptr());
    mask_ = field(kMask, i64);
    shift_ = field(kShift, i64);
    positions_ = field(kPositions, ptr());
    null_slot_ = b_.CreateTrunc(field(kNullSlot, i64), b_.getInt32Ty());
    slot_times_ = field(kSlotTimes, ptr());
    first_window_ = field(kFirstWindow, i64);
    open_windows_ = field(kOpenWindows, ptr());
    llvm::Value* windows = field(kWindows, ptr());
    runtime_ = field(kRuntime, ptr());
    find_ = field(kFind, ptr());
    add_ = field(kAdd, ptr());
    create_ = field(kCreate, ptr());
    plan::AlertValueLayout layout = plan::row_alert_values(rule_);
    for (size_t v = 0; v < layout.exprs.size(); ++v) {
      value_valid_.push_back(b_.CreateLoad(ptr(), b_.CreateConstInBoundsGEP1_64(ptr(), valid, v)));
      value_data_.push_back(b_.CreateLoad(ptr(), b_.CreateConstInBoundsGEP1_64(ptr(), values, v)));
      value_kind_.push_back(layout.exprs[v]->type.kind);
      // A plain non-nullable field is never null: its validity is not even loaded.
      value_never_null_.push_back(plan::is_direct_window_value(program_, rule_, *layout.exprs[v]));
    }
    int64_t per_window = ALERT_WINDOW_FIELDS(static_cast<int64_t>(rule_.aggregates.size()));
    int64_t window_count = rule_.window.size_ns / rule_.window.step_ns;
    for (int64_t w = 0; w < window_count; ++w) {
      std::vector<llvm::Value*> fields;
      for (int64_t f = 0; f < per_window; ++f) {
        fields.push_back(b_.CreateLoad(ptr(), b_.CreateConstInBoundsGEP1_64(ptr(), windows, static_cast<uint64_t>(w * per_window + f))));
      }
      window_fields_.push_back(std::move(fields));
    }
  }

  // The group's last row time and first window, side by side in one 16-byte record.
  void emit_slot_times(llvm::Value* slot64) {
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Value* lrt = b_.CreateInBoundsGEP(i64, slot_times_, b_.CreateShl(slot64, 1));
    llvm::Value* old = b_.CreateLoad(i64, lrt);
    b_.CreateStore(b_.CreateSelect(b_.CreateICmpSGT(t_, old), t_, old), lrt);
    // The first window moves back only for a row that came out of order: stored only then.
    llvm::Value* fw = b_.CreateConstInBoundsGEP1_64(i64, lrt, 1);
    llvm::BasicBlock* earlier = block("earlier_window");
    llvm::BasicBlock* first_kept = block("first_window_kept");
    b_.CreateCondBr(b_.CreateICmpSLT(first_window_, b_.CreateLoad(i64, fw)), earlier, first_kept, unlikely());
    b_.SetInsertPoint(earlier);
    b_.CreateStore(first_window_, fw);
    b_.CreateBr(first_kept);
    b_.SetInsertPoint(first_kept);
  }

 private:
  llvm::Type* ptr() { return b_.getPtrTy(); }
  llvm::BasicBlock* block(const char* name) { return llvm::BasicBlock::Create(ctx_, name, fn_); }

  // Continues in `next` when `ok`, else returns the current row to the runtime (rarely).
  void exit_unless(llvm::Value* ok, llvm::BasicBlock* next) {
    stop_j_->addIncoming(j_, b_.GetInsertBlock());
    b_.CreateCondBr(ok, next, stop_, likely());
  }

  // Branch weights for a branch whose first target is the hot path. The rare paths (new
  // groups, a group's first row in a window, rows for the runtime) call out or stop: marked
  // cold, LLVM spills registers around them instead of in the loop (bench/window_bench.cc).
  llvm::MDNode* likely() { return llvm::MDBuilder(ctx_).createBranchWeights(2000, 1); }
  llvm::MDNode* unlikely() { return llvm::MDBuilder(ctx_).createBranchWeights(1, 2000); }

  // A new group for row j through the runtime's callback (in block `from`, branching to
  // `found` with the slot); the loop stops at row j when the runtime says so.
  llvm::Value* emit_create(llvm::BasicBlock* found) {
    llvm::Type* i32 = b_.getInt32Ty();
    llvm::FunctionType* create_ty = llvm::FunctionType::get(i32, {ptr(), b_.getInt64Ty()}, false);
    llvm::CallInst* slot = b_.CreateCall(create_ty, create_, {runtime_, j_});
    slot->addFnAttr(llvm::Attribute::Cold);
    exit_unless(b_.CreateICmpNE(slot, b_.getInt32(UINT32_MAX)), found);
    return slot;
  }

  // One scalar key: asks for the table entry of row j + kProbeAhead's key now, so that with
  // many groups the probe's cache miss overlaps the rows in between instead of stalling the row
  // (bench/window_bench.cc, 1M keys). A float key's bits are hashed as they are: -0.0 and NaNs
  // may prefetch the wrong line, which costs nothing but the miss.
  void emit_prefetch_ahead(llvm::Value* j1) {
    size_t keys = rule_.group_keys.size();
    TypeKind kind = keys == 1 ? value_kind_[0] : TypeKind::Null;
    if (keys != 1 || kind == TypeKind::Null || kind == TypeKind::String) return;
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Value* ahead = b_.CreateAdd(j_, b_.getInt64(kProbeAhead));
    llvm::Value* last = b_.CreateSub(j1, b_.getInt64(1));
    ahead = b_.CreateSelect(b_.CreateICmpSLT(ahead, last), ahead, last);
    llvm::Value* key = b_.CreateLoad(i64, b_.CreateInBoundsGEP(i64, value_data_[0], ahead));
    llvm::Value* home = group_home(key);
    llvm::Value* entry = b_.CreateInBoundsGEP(b_.getInt8Ty(), entries_, b_.CreateShl(home, kEntryShift));
    llvm::Function* prefetch =
        llvm::Intrinsic::getDeclaration(&module_, llvm::Intrinsic::prefetch, {ptr()});
    // read, high locality, data cache
    b_.CreateCall(prefetch, {entry, b_.getInt32(0), b_.getInt32(3), b_.getInt32(1)});
  }

  // The group slot of row j (i32), found or created.
  llvm::Value* emit_lookup() {
    llvm::BasicBlock* found = block("found");
    size_t keys = rule_.group_keys.size();
    TypeKind kind = keys == 1 ? value_kind_[0] : TypeKind::Null;
    bool scalar = keys == 1 && kind != TypeKind::Null && kind != TypeKind::String;
    if (keys == 0 || !scalar) return emit_runtime_lookup(found);
    return emit_scalar_probe(kind, found);
  }

  // The key's 64 bits as the runtime's table keys them.
  llvm::Value* scalar_key_bits(TypeKind kind) {
    llvm::Value* key;
    if (kind == TypeKind::Float) {
      llvm::Value* d = b_.CreateLoad(b_.getDoubleTy(), b_.CreateInBoundsGEP(b_.getDoubleTy(), value_data_[0], j_));
      // -0.0 is 0.0 and every NaN one NaN, as the runtime's table keys them.
      d = b_.CreateSelect(b_.CreateFCmpOEQ(d, llvm::ConstantFP::get(b_.getDoubleTy(), 0.0)),
                          llvm::ConstantFP::get(b_.getDoubleTy(), 0.0), d);
      d = b_.CreateSelect(b_.CreateFCmpUNO(d, d), llvm::ConstantFP::getNaN(b_.getDoubleTy()), d);
      key = b_.CreateBitCast(d, b_.getInt64Ty());
    } else {
      key = b_.CreateLoad(b_.getInt64Ty(), b_.CreateInBoundsGEP(b_.getInt64Ty(), value_data_[0], j_));
    }
    return key;
  }

  // No key (every row in the rule's one group), or keys the runtime hashes: its find callback.
  llvm::Value* emit_runtime_lookup(llvm::BasicBlock* found) {
    llvm::Type* i32 = b_.getInt32Ty();
    llvm::Value* none = b_.getInt32(ALERT_NO_SLOT);
    llvm::Value* slot = null_slot_;
    if (!rule_.group_keys.empty()) {
      llvm::FunctionType* find_ty = llvm::FunctionType::get(i32, {ptr(), b_.getInt64Ty()}, false);
      slot = b_.CreateCall(find_ty, find_, {runtime_, j_});
    }
    llvm::BasicBlock* known = b_.GetInsertBlock();
    llvm::BasicBlock* create = block("create");
    b_.CreateCondBr(b_.CreateICmpNE(slot, none), found, create, likely());
    b_.SetInsertPoint(create);
    llvm::Value* created = emit_create(found);
    b_.SetInsertPoint(found);
    llvm::PHINode* phi = b_.CreatePHI(i32, 2, "slot");
    phi->addIncoming(slot, known);
    phi->addIncoming(created, create);
    return phi;
  }

  // One scalar key: its canonical 64 bits probed in the open-addressing table, inline.
  llvm::Value* emit_scalar_probe(TypeKind kind, llvm::BasicBlock* found) {
    llvm::Type* i32 = b_.getInt32Ty();
    llvm::Value* none = b_.getInt32(ALERT_NO_SLOT);
    llvm::BasicBlock* null_key = block("null_key");
    llvm::BasicBlock* probe_start = block("probe_start");
    llvm::BasicBlock* probe = block("probe");
    llvm::BasicBlock* compare = block("probe_compare");
    llvm::BasicBlock* probe_next = block("probe_next");
    llvm::BasicBlock* check_live = block("probe_live");
    if (value_never_null_[0]) {
      b_.CreateBr(probe_start);
    } else {
      llvm::Value* v = b_.CreateLoad(b_.getInt8Ty(), b_.CreateInBoundsGEP(b_.getInt8Ty(), value_valid_[0], j_));
      b_.CreateCondBr(b_.CreateICmpNE(v, b_.getInt8(0)), probe_start, null_key, likely());
    }

    llvm::BasicBlock* create = block("create");
    b_.SetInsertPoint(null_key);
    b_.CreateCondBr(b_.CreateICmpNE(null_slot_, none), found, create, likely());
    llvm::BasicBlock* null_exit = null_key;

    b_.SetInsertPoint(probe_start);
    llvm::Value* key = scalar_key_bits(kind);
    llvm::Value* home = group_home(key);
    b_.CreateBr(probe);

    b_.SetInsertPoint(probe);
    llvm::PHINode* h = b_.CreatePHI(b_.getInt64Ty(), 2, "h");
    h->addIncoming(home, probe_start);
    llvm::Value* entry = b_.CreateInBoundsGEP(b_.getInt8Ty(), entries_, b_.CreateShl(h, kEntryShift));
    llvm::Value* entry_slot =
        b_.CreateLoad(i32, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), entry, offsetof(AlertGroupEntry, slot)));
    b_.CreateCondBr(b_.CreateICmpNE(entry_slot, none), compare, create, likely());

    b_.SetInsertPoint(compare);
    llvm::Value* entry_key = b_.CreateLoad(b_.getInt64Ty(), entry);
    b_.CreateCondBr(b_.CreateICmpEQ(entry_key, key), check_live, probe_next, likely());

    // The key's entry (a key has one at most): its group's, unless the group was forgotten and
    // its slot no longer points here.
    b_.SetInsertPoint(check_live);
    llvm::Value* position = b_.CreateLoad(
        i32, b_.CreateInBoundsGEP(i32, positions_, b_.CreateZExt(entry_slot, b_.getInt64Ty())));
    b_.CreateCondBr(b_.CreateICmpEQ(position, b_.CreateTrunc(h, i32)), found, create, likely());

    b_.SetInsertPoint(probe_next);
    h->addIncoming(b_.CreateAnd(b_.CreateAdd(h, b_.getInt64(1)), mask_), probe_next);
    b_.CreateBr(probe);

    b_.SetInsertPoint(create);
    llvm::Value* created = emit_create(found);

    b_.SetInsertPoint(found);
    llvm::PHINode* slot = b_.CreatePHI(i32, 3, "slot");
    slot->addIncoming(null_slot_, null_exit);
    slot->addIncoming(entry_slot, check_live);
    slot->addIncoming(created, create);
    return slot;
  }

  llvm::Value* array(int64_t w, size_t a, AggregateArray which) {
    return window_fields_[static_cast<size_t>(w)][static_cast<size_t>(3 + static_cast<int64_t>(a) * kArrays + which)];
  }

  // The group's first row in window w: has_rows, the touched list, its open-window count.
  void emit_mark(int64_t w, llvm::Value* slot, llvm::Value* slot64) {
    llvm::Type* i64 = b_.getInt64Ty();
    const auto& f = window_fields_[static_cast<size_t>(w)];
    llvm::Value* has = b_.CreateInBoundsGEP(b_.getInt8Ty(), f[0], slot64);
    llvm::BasicBlock* mark = block("mark");
    llvm::BasicBlock* marked = block("marked");
    b_.CreateCondBr(b_.CreateICmpEQ(b_.CreateLoad(b_.getInt8Ty(), has), b_.getInt8(0)), mark, marked, unlikely());
    b_.SetInsertPoint(mark);
    b_.CreateStore(b_.getInt8(1), has);
    llvm::Value* n = b_.CreateLoad(i64, f[2]);
    b_.CreateStore(slot, b_.CreateInBoundsGEP(b_.getInt32Ty(), f[1], n));
    b_.CreateStore(b_.CreateAdd(n, b_.getInt64(1)), f[2]);
    llvm::Value* open = b_.CreateInBoundsGEP(b_.getInt32Ty(), open_windows_, slot64);
    b_.CreateStore(b_.CreateAdd(b_.CreateLoad(b_.getInt32Ty(), open), b_.getInt32(1)), open);
    b_.CreateBr(marked);
    b_.SetInsertPoint(marked);
  }

  // Adds row j to aggregate a of the group in window w, as the runtime's AggregateColumns does.
  llvm::Error emit_aggregate(int64_t w, size_t a, llvm::Value* slot, llvm::Value* s) {
    const plan::AggregateSpec& spec = specs_[a];
    plan::AggregateOp op = spec.op;
    size_t arg = spec.arg >= 0 ? static_cast<size_t>(spec.arg) : 0;
    llvm::Type* i64 = b_.getInt64Ty();
    if (!plan::updated_inline(op)) {
      llvm::FunctionType* add_ty = llvm::FunctionType::get(b_.getVoidTy(), {ptr(), i64, i64, b_.getInt32Ty(), i64}, false);
      b_.CreateCall(add_ty, add_, {runtime_, b_.getInt64(w), b_.getInt64(static_cast<int64_t>(a)), slot, j_});
      return llvm::Error::success();
    }
    llvm::Value* count = b_.CreateInBoundsGEP(i64, array(w, a, kCount), s);
    if (op == plan::AggregateOp::CountRows) {
      b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64, count), b_.getInt64(1)), count);
      return llvm::Error::success();
    }
    // Null arguments are skipped.
    llvm::BasicBlock* add = block("add");
    llvm::BasicBlock* added = block("added");
    if (value_never_null_[arg]) {
      b_.CreateBr(add);
    } else {
      llvm::Value* valid = b_.CreateLoad(b_.getInt8Ty(), b_.CreateInBoundsGEP(b_.getInt8Ty(), value_valid_[arg], j_));
      b_.CreateCondBr(b_.CreateICmpNE(valid, b_.getInt8(0)), add, added);
    }
    b_.SetInsertPoint(add);
    // A sum's value never reads its count (an empty sum is 0): only the others keep one.
    llvm::Value* c = nullptr;
    if (op != plan::AggregateOp::SumInt && op != plan::AggregateOp::SumFloat) {
      c = b_.CreateAdd(b_.CreateLoad(i64, count), b_.getInt64(1));
      b_.CreateStore(c, count);
    }
    AggregateUpdate u{w, a, s, arg, c, c ? b_.CreateICmpEQ(c, b_.getInt64(1)) : nullptr};
    switch (op) {
      case plan::AggregateOp::CountValues: break;
      case plan::AggregateOp::SumInt: emit_sum_int(u, added); break;
      case plan::AggregateOp::SumFloat: add_to(u, kF, arg_double(arg)); break;
      case plan::AggregateOp::Avg: {
        // The plain sum and the sum scaled by 2^-64 in kM2 (plan::mean_of_sums).
        llvm::Value* x = arg_double(arg);
        add_to(u, kF, x);
        add_to(u, kM2, b_.CreateFMul(x, llvm::ConstantFP::get(b_.getDoubleTy(), plan::kAvgScale)));
        break;
      }
      case plan::AggregateOp::Stddev: emit_welford(u); break;
      case plan::AggregateOp::MinMaxInt: emit_min_max_int(u, spec.is_max); break;
      case plan::AggregateOp::MinMaxFloat: emit_min_max_float(u, spec.is_max); break;
      case plan::AggregateOp::FirstLastInt:
      case plan::AggregateOp::FirstLastFloat: emit_first_last(u, spec.is_last, op == plan::AggregateOp::FirstLastFloat); break;
      default: break;  // CountRows above; the others through the runtime
    }
    b_.CreateBr(added);
    b_.SetInsertPoint(added);
    return llvm::Error::success();
  }

  // One row's update of one aggregate of window w for group slot s: its argument is window
  // value `arg`, `count` the aggregate's count after this row (null for sums), `first_value`
  // whether this is the group's first value in the window.
  struct AggregateUpdate {
    int64_t w;
    size_t a;
    llvm::Value* s;
    size_t arg;
    llvm::Value* count;
    llvm::Value* first_value;
  };

  llvm::Value* arg_int(size_t arg) {
    return b_.CreateLoad(b_.getInt64Ty(), b_.CreateInBoundsGEP(b_.getInt64Ty(), value_data_[arg], j_));
  }
  llvm::Value* arg_double(size_t arg) {
    llvm::Type* f64 = b_.getDoubleTy();
    if (value_kind_[arg] == TypeKind::Float) return b_.CreateLoad(f64, b_.CreateInBoundsGEP(f64, value_data_[arg], j_));
    return b_.CreateSIToFP(arg_int(arg), f64);
  }
  // The slot's element of one of the aggregate's arrays (kernel_abi.h ALERT_WINDOW_FIELDS).
  llvm::Value* state_at(const AggregateUpdate& u, AggregateArray which, llvm::Type* type) {
    return b_.CreateInBoundsGEP(type, array(u.w, u.a, which), u.s);
  }
  void add_to(const AggregateUpdate& u, AggregateArray which, llvm::Value* x) {
    llvm::Value* at = state_at(u, which, b_.getDoubleTy());
    b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(b_.getDoubleTy(), at), x), at);
  }

  void emit_sum_int(const AggregateUpdate& u, llvm::BasicBlock* added) {
    // Once overflowed, the sum is null: nothing more is added (the reference's order).
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Value* overflow = state_at(u, kOverflow, b_.getInt8Ty());
    llvm::BasicBlock* sum_block = block("sum");
    b_.CreateCondBr(b_.CreateICmpEQ(b_.CreateLoad(b_.getInt8Ty(), overflow), b_.getInt8(0)), sum_block, added);
    b_.SetInsertPoint(sum_block);
    llvm::Value* sum = state_at(u, kI, i64);
    llvm::Function* sadd = llvm::Intrinsic::getDeclaration(&module_, llvm::Intrinsic::sadd_with_overflow, {i64});
    llvm::Value* pair = b_.CreateCall(sadd, {b_.CreateLoad(i64, sum), arg_int(u.arg)});
    b_.CreateStore(b_.CreateExtractValue(pair, 0), sum);
    b_.CreateStore(b_.CreateZExt(b_.CreateExtractValue(pair, 1), b_.getInt8Ty()), overflow);
  }

  void emit_welford(const AggregateUpdate& u) {
    // delta = x - mean; mean += delta / n; m2 += delta * (x - mean).
    llvm::Type* f64 = b_.getDoubleTy();
    llvm::Value* x = arg_double(u.arg);
    llvm::Value* mean_at = state_at(u, kF, f64);
    llvm::Value* m2_at = state_at(u, kM2, f64);
    llvm::Value* delta = b_.CreateFSub(x, b_.CreateLoad(f64, mean_at));
    llvm::Value* mean = b_.CreateFAdd(b_.CreateLoad(f64, mean_at), b_.CreateFDiv(delta, b_.CreateSIToFP(u.count, f64)));
    b_.CreateStore(mean, mean_at);
    b_.CreateStore(b_.CreateFAdd(b_.CreateLoad(f64, m2_at), b_.CreateFMul(delta, b_.CreateFSub(x, mean))), m2_at);
  }

  void emit_min_max_int(const AggregateUpdate& u, bool is_max) {
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Value* held_at = state_at(u, kI, i64);
    llvm::Value* held = b_.CreateLoad(i64, held_at);
    llvm::Value* v = arg_int(u.arg);
    llvm::Value* better = is_max ? b_.CreateICmpSGT(v, held) : b_.CreateICmpSLT(v, held);
    b_.CreateStore(b_.CreateSelect(b_.CreateOr(u.first_value, better), v, held), held_at);
  }

  void emit_min_max_float(const AggregateUpdate& u, bool is_max) {
    // A NaN, once held, stays; a NaN arriving replaces a number.
    llvm::Type* f64 = b_.getDoubleTy();
    llvm::Value* held_at = state_at(u, kF, f64);
    llvm::Value* held = b_.CreateLoad(f64, held_at);
    llvm::Value* v = arg_double(u.arg);
    llvm::Value* better = is_max ? b_.CreateFCmpOGT(v, held) : b_.CreateFCmpOLT(v, held);
    llvm::Value* take = b_.CreateAnd(b_.CreateFCmpORD(held, held), b_.CreateOr(b_.CreateFCmpUNO(v, v), better));
    b_.CreateStore(b_.CreateSelect(b_.CreateOr(u.first_value, take), v, held), held_at);
  }

  void emit_first_last(const AggregateUpdate& u, bool is_last, bool is_float) {
    // By event time; ties by input order (seq).
    llvm::Type* i64 = b_.getInt64Ty();
    llvm::Value* time_at = state_at(u, kHeldTime, i64);
    llvm::Value* seq_at = state_at(u, kHeldSeq, i64);
    llvm::Value* ht = b_.CreateLoad(i64, time_at);
    llvm::Value* hs = b_.CreateLoad(i64, seq_at);
    llvm::Value* row = b_.CreateZExt(b_.CreateLoad(b_.getInt32Ty(), b_.CreateInBoundsGEP(b_.getInt32Ty(), rows_, j_)), i64);
    llvm::Value* seq = b_.CreateAdd(seq_base_, row);
    llvm::Value* same_time = b_.CreateICmpEQ(t_, ht);
    llvm::Value* take = is_last ? b_.CreateOr(b_.CreateICmpSGT(t_, ht), b_.CreateAnd(same_time, b_.CreateICmpUGE(seq, hs)))
                                : b_.CreateOr(b_.CreateICmpSLT(t_, ht), b_.CreateAnd(same_time, b_.CreateICmpULT(seq, hs)));
    take = b_.CreateOr(u.first_value, take);
    b_.CreateStore(b_.CreateSelect(take, t_, ht), time_at);
    b_.CreateStore(b_.CreateSelect(take, seq, hs), seq_at);
    if (is_float) {
      llvm::Value* held_at = state_at(u, kF, b_.getDoubleTy());
      b_.CreateStore(b_.CreateSelect(take, arg_double(u.arg), b_.CreateLoad(b_.getDoubleTy(), held_at)), held_at);
    } else {
      llvm::Value* held_at = state_at(u, kI, i64);
      b_.CreateStore(b_.CreateSelect(take, arg_int(u.arg), b_.CreateLoad(i64, held_at)), held_at);
    }
  }

  const plan::Program& program_;
  const plan::Rule& rule_;
  llvm::Module& module_;
  llvm::LLVMContext& ctx_;
  llvm::IRBuilder<> b_;
  llvm::Function* fn_ = nullptr;
  llvm::BasicBlock* loop_ = nullptr;
  llvm::BasicBlock* stop_ = nullptr;
  llvm::PHINode* j_ = nullptr;
  llvm::PHINode* stop_j_ = nullptr;
  llvm::Value* t_ = nullptr;
  llvm::Value *times_, *rows_, *seq_base_, *from_, *to_, *entries_, *mask_, *shift_, *positions_, *null_slot_;
  llvm::Value *slot_times_, *first_window_, *open_windows_, *runtime_, *find_, *add_, *create_;
  std::vector<llvm::Value*> value_valid_, value_data_;
  std::vector<TypeKind> value_kind_;
  std::vector<bool> value_never_null_;
  std::vector<std::vector<llvm::Value*>> window_fields_;
  std::vector<plan::AggregateSpec> specs_;
};

}  // namespace

llvm::Expected<WindowKernelSymbols> build_window_kernels(const plan::Program& program, int rule, llvm::Module& module) {
  WindowKernelSymbols symbols;
  auto values = build_values(program, rule, module);
  if (!values) return values.takeError();
  symbols.values = *values;
  auto close = build_close(program, rule, module);
  if (!close) return close.takeError();
  symbols.close = *close;
  auto update = UpdateBuilder(program, program.rules[rule], module).build("alert_window_update_" + std::to_string(rule));
  if (!update) return update.takeError();
  symbols.update = *update;
  return symbols;
}

}  // namespace alert::codegen
