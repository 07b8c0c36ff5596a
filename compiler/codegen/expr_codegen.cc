#include "compiler/codegen/expr_codegen.h"

#include <llvm/IR/Intrinsics.h>

#include <cmath>
#include <map>

#include "abi/kernel_abi.h"
#include "stdlib/scalar_ops.h"
#include "stdlib/time_format.h"

namespace alert::codegen {
namespace {

using plan::Expr;
using plan::ExprOp;

llvm::Error unsupported(const Expr& e, const char* what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "the JIT cannot compile %s (expression op %d)",
                                 what, static_cast<int>(e.op));
}

// Field offsets in AlertColumnView (four pointers).
constexpr unsigned kValidity = 0, kValues = 1, kOffsets = 2, kBytes = 3;

// Work that branches or calls out: string comparisons and functions, regexes, libm calls. Such an
// operand of `and`/`or` is worth skipping when the other side already decides the result.
bool is_costly(const Expr& e) {
  if (e.op == ExprOp::Constant) return false;
  if (e.type.kind == TypeKind::String) return true;
  if (e.op == ExprOp::Builtin) {
    switch (static_cast<BuiltinId>(e.index)) {
      case BuiltinId::Pow:
      case BuiltinId::Ln:
      case BuiltinId::Log10:
      case BuiltinId::Matches:
      case BuiltinId::Round: return true;
      default: break;
    }
  }
  for (const Expr* c : e.args) {
    if (c->type.kind == TypeKind::String || is_costly(*c)) return true;
  }
  return false;
}

}  // namespace

ExprCodegen::ExprCodegen(llvm::IRBuilder<>& builder, RowEnv env)
    : b_(builder), env_(env), ctx_(builder.getContext()), module_(*builder.GetInsertBlock()->getModule()) {}

llvm::Type* ExprCodegen::type_of(TypeKind kind) {
  switch (kind) {
    case TypeKind::Bool: return b_.getInt1Ty();
    case TypeKind::Float: return b_.getDoubleTy();
    case TypeKind::String: return b_.getPtrTy();
    default: return b_.getInt64Ty();
  }
}

llvm::Value* ExprCodegen::zero_of(TypeKind kind) { return llvm::Constant::getNullValue(type_of(kind)); }

llvm::Value* ExprCodegen::all_valid(llvm::Value* a, llvm::Value* b) {
  if (!a) return b;
  if (!b) return a;
  return b_.CreateAnd(a, b);
}

llvm::Value* ExprCodegen::is_true(const CgValue& v) {
  return v.valid ? b_.CreateAnd(v.valid, v.value) : v.value;
}

void ExprCodegen::count(llvm::Value* counter, llvm::Value* happened) {
  llvm::Value* n = b_.CreateLoad(b_.getInt64Ty(), counter);
  b_.CreateStore(b_.CreateAdd(n, b_.CreateZExt(happened, b_.getInt64Ty())), counter);
}

llvm::FunctionCallee ExprCodegen::helper(const char* name, llvm::Type* result, std::vector<llvm::Type*> params) {
  llvm::FunctionCallee f = module_.getOrInsertFunction(name, llvm::FunctionType::get(result, params, false));
  if (auto* fn = llvm::dyn_cast<llvm::Function>(f.getCallee())) fn->setDoesNotThrow();
  return f;
}

llvm::Value* ExprCodegen::string_constant(const std::string& s) {
  auto it = strings_.find(s);
  if (it != strings_.end()) return it->second;
  // Padded like batch strings, so word-wise comparisons may read past the end.
  std::string padded = s + std::string(ALERT_STRING_PADDING, '\0');
  auto* init = llvm::ConstantDataArray::getString(ctx_, padded, /*AddNull=*/false);
  llvm::Value* g = new llvm::GlobalVariable(module_, init->getType(), true, llvm::GlobalValue::PrivateLinkage, init, ".str");
  strings_.emplace(s, g);
  constant_text_.emplace(g, s);
  return g;
}

CgValue ExprCodegen::emit_constant(const Value& v0, TypeKind kind) {
  Value v = promote(v0, kind);
  if (v.is_null()) return {zero_of(kind), kind == TypeKind::String ? b_.getInt64(0) : nullptr, b_.getFalse()};
  switch (v.kind) {
    case TypeKind::Bool: return {b_.getInt1(v.b), nullptr, nullptr};
    case TypeKind::Float: return {llvm::ConstantFP::get(b_.getDoubleTy(), v.f), nullptr, nullptr};
    case TypeKind::String: return {string_constant(v.s), b_.getInt64(static_cast<int64_t>(v.s.size())), nullptr};
    default: return {b_.getInt64(v.i), nullptr, nullptr};
  }
}

llvm::Expected<CgValue> ExprCodegen::emit_field(int index) {
  auto it = fields_.find(index);
  if (it != fields_.end()) return it->second;
  const plan::Field& field = env_.schema->fields[index];
  // Readers reject a null in a non-nullable field, so its validity bits need not be read.
  CgValue out = load_column(index, field.type.kind, field.type.nullable);
  fields_.emplace(index, out);
  return out;
}

CgValue ExprCodegen::load_column(int index, TypeKind kind, bool nullable) {
  llvm::Type* view_ty = llvm::ArrayType::get(b_.getPtrTy(), 4);
  auto member = [&](unsigned m) {
    llvm::Value* col = b_.CreateInBoundsGEP(view_ty, env_.columns, b_.getInt64(index));
    return b_.CreateLoad(b_.getPtrTy(), b_.CreateConstInBoundsGEP2_32(view_ty, col, 0, m));
  };
  llvm::Value* row = env_.row;
  auto bit_of = [&](llvm::Value* words) {
    llvm::Value* word = b_.CreateLoad(b_.getInt64Ty(),
                                      b_.CreateInBoundsGEP(b_.getInt64Ty(), words, b_.CreateLShr(row, 6)));
    llvm::Value* bit = b_.CreateLShr(word, b_.CreateAnd(row, 63));
    return b_.CreateTrunc(bit, b_.getInt1Ty());
  };
  CgValue out;
  if (kind == TypeKind::Null) return {zero_of(TypeKind::Int), nullptr, b_.getFalse()};
  if (nullable) out.valid = bit_of(member(kValidity));
  switch (kind) {
    case TypeKind::Bool: out.value = bit_of(member(kValues)); break;
    case TypeKind::Float:
      out.value = b_.CreateLoad(b_.getDoubleTy(), b_.CreateInBoundsGEP(b_.getDoubleTy(), member(kValues), row));
      break;
    case TypeKind::String: {
      llvm::Value* offsets = member(kOffsets);
      llvm::Value* begin = b_.CreateLoad(b_.getInt32Ty(), b_.CreateInBoundsGEP(b_.getInt32Ty(), offsets, row));
      llvm::Value* end = b_.CreateLoad(
          b_.getInt32Ty(), b_.CreateInBoundsGEP(b_.getInt32Ty(), offsets, b_.CreateAdd(row, b_.getInt64(1))));
      llvm::Value* begin64 = b_.CreateSExt(begin, b_.getInt64Ty());
      out.value = b_.CreateInBoundsGEP(b_.getInt8Ty(), member(kBytes), begin64);
      out.size = b_.CreateSub(b_.CreateSExt(end, b_.getInt64Ty()), begin64);
      break;
    }
    default:
      out.value = b_.CreateLoad(b_.getInt64Ty(), b_.CreateInBoundsGEP(b_.getInt64Ty(), member(kValues), row));
  }
  return out;
}

llvm::Expected<CgValue> ExprCodegen::emit(const Expr& e) {
  // Interned nodes: one node is one computation on this row, so its id is the cache key.
  auto it = cache_.find(e.id);
  if (it != cache_.end()) return it->second;
  auto v = emit_uncached(e);
  if (!v) return v.takeError();
  cache_.emplace(e.id, *v);
  return *v;
}

llvm::Expected<CgValue> ExprCodegen::emit_uncached(const Expr& e) {
  switch (e.op) {
    case ExprOp::Constant: return emit_constant(e.value, e.type.kind);
    case ExprOp::Field: return emit_field(e.index);
    case ExprOp::Let:
      // A row rule's let stands for its expression over the same row.
      if (env_.rule) return emit(*env_.rule->lets[e.index].expr);
      return unsupported(e, "a let in a row kernel");
    case ExprOp::GroupKey:
      // In a close kernel a group key is the group's, one row per group; in a row rule an
      // alias stands for the key's expression over the same row.
      if (env_.key_columns) return load_column((*env_.key_columns)[e.index], e.type.kind, true);
      if (env_.rule) return emit(*env_.rule->group_keys[e.index].expr);
      return unsupported(e, "a group key in a row kernel");
    case ExprOp::Unary: return emit_unary(e);
    case ExprOp::Binary: return emit_binary(e);
    case ExprOp::In: return emit_in(e);
    case ExprOp::Between: return emit_between(e);
    case ExprOp::IsNull: {
      auto x = emit(*e.args[0]);
      if (!x) return x.takeError();
      llvm::Value* is_null = x->valid ? b_.CreateNot(x->valid) : static_cast<llvm::Value*>(b_.getFalse());
      return CgValue{e.negated ? b_.CreateNot(is_null) : is_null, nullptr, nullptr};
    }
    case ExprOp::Builtin: return emit_call(e);
    case ExprOp::Aggregate:
      if (env_.aggregate_columns) return load_column((*env_.aggregate_columns)[e.index], e.type.kind, true);
      return unsupported(e, "an aggregate in a row kernel");
    case ExprOp::History:
      if (env_.history_columns) return load_column((*env_.history_columns)[e.index], e.type.kind, true);
      return unsupported(e, "a history function in a row kernel");
    case ExprOp::WindowBound:
      if (env_.window_bounds) {
        llvm::Value* at = b_.CreateConstInBoundsGEP1_64(b_.getInt64Ty(), env_.window_bounds, e.index == 0 ? 0 : 1);
        return CgValue{b_.CreateLoad(b_.getInt64Ty(), at), nullptr, nullptr};
      }
      return unsupported(e, "a window function in a row kernel");
  }
  return unsupported(e, "this expression");
}

CgValue ExprCodegen::coerce(const CgValue& v, TypeKind from, TypeKind to) {
  if (from == TypeKind::Null) {
    return {zero_of(to), to == TypeKind::String ? b_.getInt64(0) : nullptr, b_.getFalse()};
  }
  if (to == TypeKind::Float && from == TypeKind::Int) return {b_.CreateSIToFP(v.value, b_.getDoubleTy()), nullptr, v.valid};
  return v;
}

llvm::Value* ExprCodegen::to_double(const CgValue& v, TypeKind kind) {
  return kind == TypeKind::Float ? v.value : b_.CreateSIToFP(v.value, b_.getDoubleTy());
}

llvm::Expected<CgValue> ExprCodegen::emit_unary(const Expr& e) {
  auto x = emit(*e.args[0]);
  if (!x) return x.takeError();
  if (e.unary_op == UnaryOp::Not) return CgValue{b_.CreateNot(x->value), nullptr, x->valid};
  TypeKind k = e.args[0]->type.kind;
  if (k == TypeKind::Float) return CgValue{b_.CreateFNeg(x->value), nullptr, x->valid};
  // -INT64_MIN does not fit: null, counted as an overflow.
  llvm::Value* overflow = b_.CreateICmpEQ(x->value, b_.getInt64(INT64_MIN));
  count(env_.overflow, x->valid ? b_.CreateAnd(x->valid, overflow) : overflow);
  return CgValue{b_.CreateSub(b_.getInt64(0), x->value), nullptr, all_valid(x->valid, b_.CreateNot(overflow))};
}

CgValue ExprCodegen::int_arith(BinaryOp op, llvm::Value* a, llvm::Value* b, llvm::Value* valid) {
  llvm::Value* r = nullptr;
  llvm::Value* overflow = b_.getFalse();
  llvm::Value* by_zero = nullptr;
  switch (op) {
    case BinaryOp::Add:
      r = b_.CreateAdd(a, b);
      // Signed overflow iff both operands' signs differ from the result's.
      overflow = b_.CreateICmpSLT(b_.CreateAnd(b_.CreateXor(a, r), b_.CreateXor(b, r)), b_.getInt64(0));
      break;
    case BinaryOp::Sub:
      r = b_.CreateSub(a, b);
      overflow = b_.CreateICmpSLT(b_.CreateAnd(b_.CreateXor(a, b), b_.CreateXor(a, r)), b_.getInt64(0));
      break;
    case BinaryOp::Mul: {
      llvm::Function* f = llvm::Intrinsic::getDeclaration(&module_, llvm::Intrinsic::smul_with_overflow, {b_.getInt64Ty()});
      llvm::Value* pair = b_.CreateCall(f, {a, b});
      r = b_.CreateExtractValue(pair, 0);
      overflow = b_.CreateExtractValue(pair, 1);
      break;
    }
    default: {  // Div, Mod: guard the divisor so the instruction itself never traps.
      by_zero = b_.CreateICmpEQ(b, b_.getInt64(0));
      llvm::Value* min_by_minus_one =
          b_.CreateAnd(b_.CreateICmpEQ(a, b_.getInt64(INT64_MIN)), b_.CreateICmpEQ(b, b_.getInt64(-1)));
      llvm::Value* safe = b_.CreateSelect(b_.CreateOr(by_zero, min_by_minus_one), b_.getInt64(1), b);
      if (op == BinaryOp::Div) {
        r = b_.CreateSDiv(a, safe);
        overflow = min_by_minus_one;
      } else {
        r = b_.CreateSelect(min_by_minus_one, b_.getInt64(0), b_.CreateSRem(a, safe));
      }
    }
  }
  llvm::Value* inputs = valid ? valid : b_.getTrue();
  count(env_.overflow, b_.CreateAnd(inputs, overflow));
  llvm::Value* ok = b_.CreateNot(overflow);
  if (by_zero) {
    count(env_.division_by_zero, b_.CreateAnd(inputs, by_zero));
    ok = b_.CreateAnd(ok, b_.CreateNot(by_zero));
  }
  return {r, nullptr, all_valid(valid, ok)};
}

llvm::Value* ExprCodegen::compare(BinaryOp op, const CgValue& a, TypeKind ka, const CgValue& b, TypeKind kb) {
  if (ka == TypeKind::Float || kb == TypeKind::Float) {
    llvm::Value* x = to_double(a, ka);
    llvm::Value* y = to_double(b, kb);
    // NaN compares false with everything and `!=` true: ordered predicates, unordered `!=`.
    switch (op) {
      case BinaryOp::Eq: return b_.CreateFCmpOEQ(x, y);
      case BinaryOp::Ne: return b_.CreateFCmpUNE(x, y);
      case BinaryOp::Lt: return b_.CreateFCmpOLT(x, y);
      case BinaryOp::Le: return b_.CreateFCmpOLE(x, y);
      case BinaryOp::Gt: return b_.CreateFCmpOGT(x, y);
      default: return b_.CreateFCmpOGE(x, y);
    }
  }
  llvm::Value* x = a.value;
  llvm::Value* y = b.value;
  if (ka == TypeKind::String) {
    bool equality = op == BinaryOp::Eq || op == BinaryOp::Ne;
    if (equality && (llvm::isa<llvm::Constant>(a.size) || llvm::isa<llvm::Constant>(b.size))) {
      // Equality with a constant is inlined: a length test and a few byte compares, no call.
      const CgValue& var = llvm::isa<llvm::Constant>(b.size) ? a : b;
      const CgValue& con = llvm::isa<llvm::Constant>(b.size) ? b : a;
      auto text = constant_text_.find(con.value);
      if (text != constant_text_.end()) {
        llvm::Value* eq = string_in_constants(var, {text->second});
        return op == BinaryOp::Eq ? eq : b_.CreateNot(eq);
      }
    }
    llvm::FunctionCallee cmp = helper("alert_str_compare", b_.getInt32Ty(),
                                      {b_.getPtrTy(), b_.getInt64Ty(), b_.getPtrTy(), b_.getInt64Ty()});
    x = b_.CreateCall(cmp, {a.value, a.size, b.value, b.size});
    y = b_.getInt32(0);
  }
  if (ka == TypeKind::Bool) {
    x = b_.CreateZExt(x, b_.getInt8Ty());
    y = b_.CreateZExt(y, b_.getInt8Ty());
  }
  switch (op) {
    case BinaryOp::Eq: return b_.CreateICmpEQ(x, y);
    case BinaryOp::Ne: return b_.CreateICmpNE(x, y);
    case BinaryOp::Lt: return ka == TypeKind::Bool ? b_.CreateICmpULT(x, y) : b_.CreateICmpSLT(x, y);
    case BinaryOp::Le: return ka == TypeKind::Bool ? b_.CreateICmpULE(x, y) : b_.CreateICmpSLE(x, y);
    case BinaryOp::Gt: return ka == TypeKind::Bool ? b_.CreateICmpUGT(x, y) : b_.CreateICmpSGT(x, y);
    default: return ka == TypeKind::Bool ? b_.CreateICmpUGE(x, y) : b_.CreateICmpSGE(x, y);
  }
}

// Membership of a string in constant strings of up to 16 bytes, without a branch: the string's
// first two 8-byte words are loaded once (strings are padded, ALERT_STRING_PADDING), and each
// candidate is a length test and one or two masked word compares.
llvm::Value* ExprCodegen::string_in_short_constants(const CgValue& s, const std::vector<std::string>& items) {
  llvm::Type* i64 = b_.getInt64Ty();
  llvm::Value* words[2] = {nullptr, nullptr};
  auto word = [&](int w) {
    if (!words[w]) {
      auto* load = b_.CreateAlignedLoad(i64, b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), s.value, 8 * w), llvm::MaybeAlign(1));
      words[w] = load;
    }
    return words[w];
  };
  llvm::Value* any = b_.getFalse();
  for (const std::string& item : items) {
    llvm::Value* match = b_.CreateICmpEQ(s.size, b_.getInt64(static_cast<int64_t>(item.size())));
    for (size_t w = 0; w * 8 < item.size(); ++w) {
      size_t n = std::min<size_t>(8, item.size() - w * 8);
      uint64_t expected = 0;
      for (size_t i = 0; i < n; ++i) expected |= uint64_t{static_cast<uint8_t>(item[w * 8 + i])} << (8 * i);
      uint64_t mask = n == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
      llvm::Value* bytes = b_.CreateAnd(word(static_cast<int>(w)), b_.getInt64(mask));
      match = b_.CreateAnd(match, b_.CreateICmpEQ(bytes, b_.getInt64(expected)));
    }
    any = b_.CreateOr(any, match);
  }
  return any;
}

// Membership of a string in constant strings: branch-free word compares when every candidate is
// short (and the target little-endian); otherwise a switch on the length, then the candidates of
// that length compared (memcmp beyond 16 bytes, only when the lengths match).
llvm::Value* ExprCodegen::string_in_constants(const CgValue& s, const std::vector<std::string>& items) {
  bool short_items = module_.getDataLayout().isLittleEndian();
  for (const std::string& item : items) short_items = short_items && item.size() <= 16;
  if (short_items) return string_in_short_constants(s, items);
  std::map<size_t, std::vector<const std::string*>> by_length;
  for (const std::string& item : items) by_length[item.size()].push_back(&item);
  llvm::Function* fn = b_.GetInsertBlock()->getParent();
  llvm::BasicBlock* done = llvm::BasicBlock::Create(ctx_, "str.in.done", fn);
  llvm::BasicBlock* miss = llvm::BasicBlock::Create(ctx_, "str.in.miss", fn);
  llvm::SwitchInst* sw = b_.CreateSwitch(s.size, miss, static_cast<unsigned>(by_length.size()));
  std::vector<std::pair<llvm::Value*, llvm::BasicBlock*>> incoming;
  b_.SetInsertPoint(miss);
  b_.CreateBr(done);
  incoming.emplace_back(b_.getFalse(), miss);
  for (auto& [length, candidates] : by_length) {
    llvm::BasicBlock* bb = llvm::BasicBlock::Create(ctx_, "str.in.len", fn, done);
    sw->addCase(b_.getInt64(static_cast<int64_t>(length)), bb);
    b_.SetInsertPoint(bb);
    llvm::Value* any = b_.getFalse();
    if (length == 0) {
      any = b_.getTrue();
    } else if (length <= 16) {
      std::vector<llvm::Value*> bytes;
      for (size_t i = 0; i < length; ++i) {
        bytes.push_back(b_.CreateLoad(b_.getInt8Ty(), b_.CreateConstInBoundsGEP1_64(b_.getInt8Ty(), s.value, i)));
      }
      for (const std::string* c : candidates) {
        llvm::Value* all = b_.getTrue();
        for (size_t i = 0; i < length; ++i) {
          all = b_.CreateAnd(all, b_.CreateICmpEQ(bytes[i], b_.getInt8(static_cast<uint8_t>((*c)[i]))));
        }
        any = b_.CreateOr(any, all);
      }
    } else {
      llvm::FunctionCallee memcmp =
          helper("memcmp", b_.getInt32Ty(), {b_.getPtrTy(), b_.getPtrTy(), b_.getInt64Ty()});
      for (const std::string* c : candidates) {
        llvm::Value* r = b_.CreateCall(memcmp, {s.value, string_constant(*c), b_.getInt64(static_cast<int64_t>(length))});
        any = b_.CreateOr(any, b_.CreateICmpEQ(r, b_.getInt32(0)));
      }
    }
    incoming.emplace_back(any, b_.GetInsertBlock());
    b_.CreateBr(done);
  }
  b_.SetInsertPoint(done);
  llvm::PHINode* phi = b_.CreatePHI(b_.getInt1Ty(), static_cast<unsigned>(incoming.size()));
  for (auto& [v, bb] : incoming) phi->addIncoming(v, bb);
  return phi;
}

llvm::Expected<CgValue> ExprCodegen::emit_logic_short_circuit(const Expr& e) {
  // The right operand is evaluated only when the left one does not decide: a known false for
  // `and`, a known true for `or`. Values made inside the skipped block are dropped from the
  // sub-expression cache, since they do not dominate what follows.
  bool is_and = e.binary_op == BinaryOp::And;
  auto a = emit(*e.args[0]);
  if (!a) return a.takeError();
  llvm::Value* va = a->valid ? a->valid : b_.getTrue();
  llvm::Value* decided = b_.CreateAnd(va, is_and ? b_.CreateNot(a->value) : a->value);
  llvm::Function* fn = b_.GetInsertBlock()->getParent();
  llvm::BasicBlock* from = b_.GetInsertBlock();
  llvm::BasicBlock* eval = llvm::BasicBlock::Create(ctx_, is_and ? "and.rhs" : "or.rhs", fn);
  llvm::BasicBlock* merge = llvm::BasicBlock::Create(ctx_, is_and ? "and.end" : "or.end", fn);
  b_.CreateCondBr(decided, merge, eval);
  b_.SetInsertPoint(eval);
  auto saved_cache = cache_;
  auto saved_fields = fields_;
  auto b = emit(*e.args[1]);
  cache_ = std::move(saved_cache);
  fields_ = std::move(saved_fields);
  if (!b) return b.takeError();
  llvm::BasicBlock* eval_end = b_.GetInsertBlock();
  b_.CreateBr(merge);
  b_.SetInsertPoint(merge);
  llvm::PHINode* value = b_.CreatePHI(b_.getInt1Ty(), 2);
  value->addIncoming(b->value, eval_end);
  value->addIncoming(b_.getInt1(!is_and), from);
  llvm::PHINode* valid = b_.CreatePHI(b_.getInt1Ty(), 2);
  valid->addIncoming(b->valid ? b->valid : b_.getTrue(), eval_end);
  valid->addIncoming(b_.getTrue(), from);
  return combine_logic(e.binary_op, *a, CgValue{value, nullptr, valid});
}

CgValue ExprCodegen::combine_logic(BinaryOp op, const CgValue& a, const CgValue& b) {
  // Three-valued logic: a known false (and) or true (or) operand decides, else null wins.
  llvm::Value* va = a.valid ? a.valid : b_.getTrue();
  llvm::Value* vb = b.valid ? b.valid : b_.getTrue();
  bool may_be_null = a.valid || b.valid;
  if (op == BinaryOp::And) {
    llvm::Value* known_false = b_.CreateOr(b_.CreateAnd(va, b_.CreateNot(a.value)), b_.CreateAnd(vb, b_.CreateNot(b.value)));
    llvm::Value* valid = may_be_null ? b_.CreateOr(b_.CreateAnd(va, vb), known_false) : nullptr;
    return CgValue{b_.CreateAnd(a.value, b.value), nullptr, valid};
  }
  llvm::Value* known_true = b_.CreateOr(b_.CreateAnd(va, a.value), b_.CreateAnd(vb, b.value));
  llvm::Value* valid = may_be_null ? b_.CreateOr(b_.CreateAnd(va, vb), known_true) : nullptr;
  return CgValue{known_true, nullptr, valid};
}

llvm::Expected<CgValue> ExprCodegen::emit_binary(const Expr& e) {
  bool logic = e.binary_op == BinaryOp::And || e.binary_op == BinaryOp::Or;
  if (logic && e.args[0]->type.kind == TypeKind::Bool && is_costly(*e.args[1])) {
    return emit_logic_short_circuit(e);
  }
  auto a = emit(*e.args[0]);
  if (!a) return a.takeError();
  auto b = emit(*e.args[1]);
  if (!b) return b.takeError();
  TypeKind ka = e.args[0]->type.kind, kb = e.args[1]->type.kind;
  BinaryOp op = e.binary_op;
  if (op == BinaryOp::And || op == BinaryOp::Or) {
    if (ka == TypeKind::Null) *a = coerce(*a, ka, TypeKind::Bool);
    if (kb == TypeKind::Null) *b = coerce(*b, kb, TypeKind::Bool);
    return combine_logic(op, *a, *b);
  }
  if (ka == TypeKind::Null || kb == TypeKind::Null) return emit_constant(Value::null(), e.type.kind);
  llvm::Value* valid = all_valid(a->valid, b->valid);
  if (is_comparison(op)) return CgValue{compare(op, *a, ka, *b, kb), nullptr, valid};
  if (ka == TypeKind::Float || kb == TypeKind::Float) {
    llvm::Value* x = to_double(*a, ka);
    llvm::Value* y = to_double(*b, kb);
    switch (op) {
      case BinaryOp::Add: return CgValue{b_.CreateFAdd(x, y), nullptr, valid};
      case BinaryOp::Sub: return CgValue{b_.CreateFSub(x, y), nullptr, valid};
      case BinaryOp::Mul: return CgValue{b_.CreateFMul(x, y), nullptr, valid};
      default: {
        llvm::Value* by_zero = b_.CreateFCmpOEQ(y, llvm::ConstantFP::get(b_.getDoubleTy(), 0.0));
        count(env_.division_by_zero, valid ? b_.CreateAnd(valid, by_zero) : by_zero);
        llvm::Value* r = op == BinaryOp::Div ? b_.CreateFDiv(x, y) : b_.CreateFRem(x, y);
        return CgValue{r, nullptr, all_valid(valid, b_.CreateNot(by_zero))};
      }
    }
  }
  if (ka == TypeKind::Duration && kb == TypeKind::Duration && op == BinaryOp::Div) {
    llvm::Value* by_zero = b_.CreateICmpEQ(b->value, b_.getInt64(0));
    count(env_.division_by_zero, valid ? b_.CreateAnd(valid, by_zero) : by_zero);
    llvm::Value* r = b_.CreateFDiv(b_.CreateSIToFP(a->value, b_.getDoubleTy()), b_.CreateSIToFP(b->value, b_.getDoubleTy()));
    return CgValue{r, nullptr, all_valid(valid, b_.CreateNot(by_zero))};
  }
  return int_arith(op, a->value, b->value, valid);
}

llvm::Expected<CgValue> ExprCodegen::emit_in(const Expr& e) {
  auto x = emit(*e.args[0]);
  if (!x) return x.takeError();
  TypeKind kx = e.args[0]->type.kind;
  const Value& list = e.args[1]->value;
  llvm::Value* found = b_.getFalse();
  if (kx == TypeKind::Null) return emit_constant(Value::null(), TypeKind::Bool);
  if (kx == TypeKind::String) {
    std::vector<std::string> items;
    for (const Value& item : list.list) {
      if (item.kind == TypeKind::String) items.push_back(item.s);
    }
    if (!items.empty()) found = string_in_constants(*x, items);
  } else {
    for (const Value& item : list.list) {
      if (item.is_null()) continue;  // null equals nothing
      CgValue c = emit_constant(item, item.kind);
      found = b_.CreateOr(found, compare(BinaryOp::Eq, *x, kx, c, item.kind));
    }
  }
  return CgValue{e.negated ? b_.CreateNot(found) : found, nullptr, x->valid};
}

llvm::Expected<CgValue> ExprCodegen::emit_between(const Expr& e) {
  CgValue v[3];
  TypeKind k[3];
  llvm::Value* valid = nullptr;
  for (int i = 0; i < 3; ++i) {
    auto c = emit(*e.args[i]);
    if (!c) return c.takeError();
    v[i] = *c;
    k[i] = e.args[i]->type.kind;
    if (k[i] == TypeKind::Null) return emit_constant(Value::null(), TypeKind::Bool);
    valid = all_valid(valid, v[i].valid);
  }
  // Inclusive on both ends; a NaN anywhere makes both ordered comparisons false.
  llvm::Value* r = b_.CreateAnd(compare(BinaryOp::Ge, v[0], k[0], v[1], k[1]), compare(BinaryOp::Le, v[0], k[0], v[2], k[2]));
  return CgValue{e.negated ? b_.CreateNot(r) : r, nullptr, valid};
}

llvm::Value* ExprCodegen::floor_div(llvm::Value* a, int64_t b) {
  // For b > 0: a / b rounded down = truncated quotient minus one when the remainder is negative.
  llvm::Value* q = b_.CreateSDiv(a, b_.getInt64(b));
  llvm::Value* r = b_.CreateSRem(a, b_.getInt64(b));
  return b_.CreateSub(q, b_.CreateZExt(b_.CreateICmpSLT(r, b_.getInt64(0)), b_.getInt64Ty()));
}

CgValue ExprCodegen::call_string_helper(const char* name, std::vector<llvm::Value*> args, llvm::Value* valid) {
  std::vector<llvm::Type*> params;
  args.insert(args.begin(), env_.state);
  args.push_back(env_.string_out);
  for (llvm::Value* a : args) params.push_back(a->getType());
  b_.CreateCall(helper(name, b_.getVoidTy(), params), args);
  llvm::StructType* str_ty = llvm::StructType::get(ctx_, {b_.getPtrTy(), b_.getInt64Ty()});
  llvm::Value* data = b_.CreateLoad(b_.getPtrTy(), b_.CreateStructGEP(str_ty, env_.string_out, 0));
  llvm::Value* size = b_.CreateLoad(b_.getInt64Ty(), b_.CreateStructGEP(str_ty, env_.string_out, 1));
  return {data, size, valid};
}

llvm::Expected<CgValue> ExprCodegen::emit_call(const Expr& e) {
  auto id = static_cast<BuiltinId>(e.index);
  TypeKind rk = e.type.kind;
  CallArgs a;
  for (const Expr* c : e.args) {
    auto v = emit(*c);
    if (!v) return v.takeError();
    a.values.push_back(*v);
    a.kinds.push_back(c->type.kind);
  }
  // The registry's null policy (stdlib/builtins.h) decides who looks at nulls: the function
  // itself, or this wrapper, which makes the result null when any argument is.
  if (takes_nulls_itself(id)) return emit_null_aware_call(id, rk, a);
  for (size_t i = 0; i < a.values.size(); ++i) {
    if (a.kinds[i] == TypeKind::Null) return emit_constant(Value::null(), rk);
    a.valid = all_valid(a.valid, a.values[i].valid);
  }
  if (auto v = emit_numeric_call(id, rk, a)) return *v;
  if (auto v = emit_string_call(e, id, a)) return *v;
  if (auto v = emit_conversion_call(e, id, a)) return *v;
  return unsupported(e, "this function in a row kernel");
}

bool ExprCodegen::takes_nulls_itself(BuiltinId id) {
  for (const BuiltinOverload* o : find_builtins(builtin_name(id))) {
    if (o->nulls == NullPolicy::Internal || o->nulls == NullPolicy::NullNever) return true;
  }
  return false;
}

// if, coalesce and string(x): they choose among their arguments or print a null.
llvm::Expected<CgValue> ExprCodegen::emit_null_aware_call(BuiltinId id, TypeKind rk, const CallArgs& a) {
  switch (id) {
    case BuiltinId::If: {
      llvm::Value* take = a.kinds[0] == TypeKind::Null ? b_.getFalse() : is_true(a.values[0]);
      CgValue then_v = coerce(a.values[1], a.kinds[1], rk), else_v = coerce(a.values[2], a.kinds[2], rk);
      CgValue r;
      r.value = b_.CreateSelect(take, then_v.value, else_v.value);
      if (rk == TypeKind::String) r.size = b_.CreateSelect(take, then_v.size, else_v.size);
      if (then_v.valid || else_v.valid) {
        r.valid = b_.CreateSelect(take, then_v.valid ? then_v.valid : b_.getTrue(),
                                  else_v.valid ? else_v.valid : b_.getTrue());
      }
      return r;
    }
    case BuiltinId::Coalesce: {
      CgValue r = coerce(a.values.back(), a.kinds.back(), rk);
      for (size_t i = a.values.size() - 1; i-- > 0;) {
        CgValue arg = coerce(a.values[i], a.kinds[i], rk);
        if (!arg.valid) {
          r = arg;
          continue;
        }
        r.value = b_.CreateSelect(arg.valid, arg.value, r.value);
        if (rk == TypeKind::String) r.size = b_.CreateSelect(arg.valid, arg.size, r.size);
        r.valid = r.valid ? b_.CreateOr(arg.valid, r.valid) : nullptr;
      }
      return r;
    }
    case BuiltinId::ToString: {
      // string(null) is the text "null".
      CgValue text;
      TypeKind k = a.kinds[0];
      if (k == TypeKind::Null) return emit_constant(Value::string("null"), TypeKind::String);
      if (k == TypeKind::String) {
        text = a.values[0];
      } else if (k == TypeKind::Bool) {
        text.value = b_.CreateSelect(a.values[0].value, string_constant("true"), string_constant("false"));
        text.size = b_.CreateSelect(a.values[0].value, b_.getInt64(4), b_.getInt64(5));
      } else if (k == TypeKind::Float) {
        text = call_string_helper("alert_float_to_string", {a.values[0].value}, nullptr);
      } else {
        text = call_string_helper("alert_int_to_string", {b_.getInt32(static_cast<int>(k)), a.values[0].value}, nullptr);
      }
      if (a.values[0].valid) {
        text.value = b_.CreateSelect(a.values[0].valid, text.value, string_constant("null"));
        text.size = b_.CreateSelect(a.values[0].valid, text.size, b_.getInt64(4));
      }
      text.valid = nullptr;
      return text;
    }
    default: break;
  }
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "the JIT cannot compile %s",
                                 std::string(builtin_name(id)).c_str());
}

std::optional<CgValue> ExprCodegen::emit_numeric_call(BuiltinId id, TypeKind rk, const CallArgs& a) {
  const CgValue& x = a.values[0];
  TypeKind kx = a.kinds[0];
  llvm::Value* valid = a.valid;
  llvm::Type* f64 = b_.getDoubleTy();
  auto unary_intrinsic = [&](llvm::Intrinsic::ID iid, llvm::Value* v) {
    return b_.CreateCall(llvm::Intrinsic::getDeclaration(&module_, iid, {f64}), {v});
  };
  switch (id) {
    case BuiltinId::Abs: {
      if (kx == TypeKind::Float) return CgValue{unary_intrinsic(llvm::Intrinsic::fabs, x.value), nullptr, valid};
      llvm::Value* overflow = b_.CreateICmpEQ(x.value, b_.getInt64(INT64_MIN));
      count(env_.overflow, valid ? b_.CreateAnd(valid, overflow) : overflow);
      llvm::Value* r = b_.CreateSelect(b_.CreateICmpSLT(x.value, b_.getInt64(0)), b_.CreateSub(b_.getInt64(0), x.value), x.value);
      return CgValue{r, nullptr, all_valid(valid, b_.CreateNot(overflow))};
    }
    case BuiltinId::Round:
      if (a.values.size() == 2) {
        llvm::Value* r = b_.CreateCall(helper("alert_round_digits", f64, {f64, b_.getInt64Ty()}),
                                       {to_double(x, kx), a.values[1].value});
        return CgValue{r, nullptr, valid};
      }
      if (kx != TypeKind::Float) return CgValue{x.value, nullptr, valid};
      return CgValue{unary_intrinsic(llvm::Intrinsic::round, x.value), nullptr, valid};  // half away from zero
    case BuiltinId::Floor:
    case BuiltinId::Ceil:
      if (kx != TypeKind::Float) return CgValue{x.value, nullptr, valid};
      return CgValue{unary_intrinsic(id == BuiltinId::Floor ? llvm::Intrinsic::floor : llvm::Intrinsic::ceil, x.value),
                     nullptr, valid};
    case BuiltinId::Sqrt: return CgValue{unary_intrinsic(llvm::Intrinsic::sqrt, to_double(x, kx)), nullptr, valid};
    case BuiltinId::Ln: return CgValue{unary_intrinsic(llvm::Intrinsic::log, to_double(x, kx)), nullptr, valid};
    case BuiltinId::Log10: return CgValue{unary_intrinsic(llvm::Intrinsic::log10, to_double(x, kx)), nullptr, valid};
    case BuiltinId::Pow: {
      llvm::Function* pow = llvm::Intrinsic::getDeclaration(&module_, llvm::Intrinsic::pow, {f64});
      return CgValue{b_.CreateCall(pow, {to_double(x, kx), to_double(a.values[1], a.kinds[1])}), nullptr, valid};
    }
    case BuiltinId::Least:
    case BuiltinId::Greatest: {
      bool least = id == BuiltinId::Least;
      CgValue best = coerce(x, kx, rk);
      for (size_t i = 1; i < a.values.size(); ++i) {
        CgValue v = coerce(a.values[i], a.kinds[i], rk);
        llvm::Value* take;
        if (rk == TypeKind::Float) {
          // A NaN argument wins, so the result does not depend on argument order.
          llvm::Value* nan = b_.CreateFCmpUNO(v.value, v.value);
          take = b_.CreateOr(nan, least ? b_.CreateFCmpOLT(v.value, best.value) : b_.CreateFCmpOGT(v.value, best.value));
        } else {
          take = compare(least ? BinaryOp::Lt : BinaryOp::Gt, v, rk, best, rk);
        }
        best.value = b_.CreateSelect(take, v.value, best.value);
        if (rk == TypeKind::String) best.size = b_.CreateSelect(take, v.size, best.size);
      }
      best.valid = valid;
      return best;
    }
    default: return std::nullopt;
  }
}

std::optional<CgValue> ExprCodegen::emit_string_call(const Expr& e, BuiltinId id, const CallArgs& a) {
  const CgValue& x = a.values[0];
  llvm::Value* valid = a.valid;
  auto str_args = [&](size_t i, size_t j) {
    return std::vector<llvm::Value*>{a.values[i].value, a.values[i].size, a.values[j].value, a.values[j].size};
  };
  switch (id) {
    case BuiltinId::Len: {
      llvm::Value* n = b_.CreateCall(helper("alert_str_length", b_.getInt64Ty(), {b_.getPtrTy(), b_.getInt64Ty()}),
                                     {x.value, x.size});
      return CgValue{n, nullptr, valid};
    }
    case BuiltinId::Lower: return call_string_helper("alert_str_lower", {x.value, x.size}, valid);
    case BuiltinId::Upper: return call_string_helper("alert_str_upper", {x.value, x.size}, valid);
    case BuiltinId::Trim: return call_string_helper("alert_str_trim", {x.value, x.size}, valid);
    case BuiltinId::Substr:
      return call_string_helper("alert_str_substr", {x.value, x.size, a.values[1].value, a.values[2].value}, valid);
    case BuiltinId::Concat: {
      CgValue r = x;
      for (size_t i = 1; i < a.values.size(); ++i) {
        r = call_string_helper("alert_str_concat", {r.value, r.size, a.values[i].value, a.values[i].size}, valid);
      }
      r.valid = valid;
      return r;
    }
    case BuiltinId::Contains:
    case BuiltinId::StartsWith:
    case BuiltinId::EndsWith: {
      const char* name = id == BuiltinId::Contains     ? "alert_str_contains"
                         : id == BuiltinId::StartsWith ? "alert_str_starts_with"
                                                       : "alert_str_ends_with";
      llvm::Value* r = b_.CreateCall(
          helper(name, b_.getInt1Ty(), {b_.getPtrTy(), b_.getInt64Ty(), b_.getPtrTy(), b_.getInt64Ty()}), str_args(0, 1));
      return CgValue{r, nullptr, valid};
    }
    case BuiltinId::Matches: {
      if (e.aux < 0) return emit_constant(Value::null(), TypeKind::Bool);
      const void* re = env_.program->regexes[e.aux].get();
      llvm::Value* re_ptr = b_.CreateIntToPtr(b_.getInt64(reinterpret_cast<uint64_t>(re)), b_.getPtrTy());
      llvm::Value* r = b_.CreateCall(helper("alert_str_matches", b_.getInt1Ty(), {b_.getPtrTy(), b_.getPtrTy(), b_.getInt64Ty()}),
                                     {re_ptr, x.value, x.size});
      return CgValue{r, nullptr, valid};
    }
    default: return std::nullopt;
  }
}

// Conversions and time functions.
std::optional<CgValue> ExprCodegen::emit_conversion_call(const Expr& e, BuiltinId id, const CallArgs& a) {
  const CgValue& x = a.values[0];
  TypeKind kx = a.kinds[0];
  llvm::Value* valid = a.valid;
  llvm::Type* f64 = b_.getDoubleTy();
  switch (id) {
    case BuiltinId::ToInt: {
      if (kx == TypeKind::String) {
        llvm::Value* ok = b_.CreateCall(helper("alert_str_to_int", b_.getInt1Ty(), {b_.getPtrTy(), b_.getInt64Ty(), b_.getPtrTy()}),
                                        {x.value, x.size, env_.int_out});
        return CgValue{b_.CreateLoad(b_.getInt64Ty(), env_.int_out), nullptr, all_valid(valid, ok)};
      }
      // Truncation toward zero; NaN or out of range is null and counted as an overflow.
      llvm::Value* d = to_double(x, kx);
      llvm::Value* fits = b_.CreateAnd(b_.CreateFCmpOLT(d, llvm::ConstantFP::get(f64, 9223372036854775808.0)),
                                       b_.CreateFCmpOGE(d, llvm::ConstantFP::get(f64, -9223372036854775808.0)));
      count(env_.overflow, valid ? b_.CreateAnd(valid, b_.CreateNot(fits)) : b_.CreateNot(fits));
      llvm::Value* safe = b_.CreateSelect(fits, d, llvm::ConstantFP::get(f64, 0.0));
      return CgValue{b_.CreateFPToSI(safe, b_.getInt64Ty()), nullptr, all_valid(valid, fits)};
    }
    case BuiltinId::ToFloat: {
      if (kx == TypeKind::String) {
        llvm::Value* ok = b_.CreateCall(helper("alert_str_to_float", b_.getInt1Ty(), {b_.getPtrTy(), b_.getInt64Ty(), b_.getPtrTy()}),
                                        {x.value, x.size, env_.float_out});
        return CgValue{b_.CreateLoad(f64, env_.float_out), nullptr, all_valid(valid, ok)};
      }
      return CgValue{to_double(x, kx), nullptr, valid};
    }
    case BuiltinId::Seconds:
      return CgValue{b_.CreateFDiv(b_.CreateSIToFP(x.value, f64), llvm::ConstantFP::get(f64, 1e9)), nullptr, valid};
    case BuiltinId::Hour: {
      llvm::Value* secs = floor_div(x.value, kNanosPerSecond);
      llvm::Value* day_secs = b_.CreateSub(secs, b_.CreateMul(floor_div(secs, 86400), b_.getInt64(86400)));
      return CgValue{b_.CreateSDiv(day_secs, b_.getInt64(3600)), nullptr, valid};
    }
    case BuiltinId::DayOfWeek: {
      llvm::Value* days = floor_div(floor_div(x.value, kNanosPerSecond), 86400);
      // 1970-01-01 was a Thursday (4).
      llvm::Value* m = b_.CreateAdd(b_.CreateSRem(days, b_.getInt64(7)), b_.getInt64(10));
      return CgValue{b_.CreateAdd(b_.CreateSRem(m, b_.getInt64(7)), b_.getInt64(1)), nullptr, valid};
    }
    case BuiltinId::DateTrunc: {
      const Expr& unit_expr = *e.args[0];
      bool day = unit_expr.op == ExprOp::Constant && unit_expr.value.kind == TypeKind::String && unit_expr.value.s == "day";
      int64_t unit = (day ? 86400 : 3600) * kNanosPerSecond;
      return int_arith(BinaryOp::Mul, floor_div(a.values[1].value, unit), b_.getInt64(unit), valid);
    }
    default: return std::nullopt;
  }
}

}  // namespace alert::codegen
