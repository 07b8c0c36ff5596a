#include "compiler/codegen/threshold_index.h"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "compiler/codegen/expr_codegen.h"

namespace alert::codegen {
namespace {

using plan::Expr;
using plan::ExprOp;

struct Atom {
  size_t slot = 0;
  BinaryOp op = BinaryOp::Eq;
  double f = 0;
  int64_t i = 0;
};

void split_and(const Expr* e, std::vector<const Expr*>& atoms) {
  if (e->op == ExprOp::Binary && e->binary_op == BinaryOp::And) {
    split_and(e->args[0], atoms);
    split_and(e->args[1], atoms);
    return;
  }
  atoms.push_back(e);
}

bool int_like(TypeKind k) { return k == TypeKind::Int || k == TypeKind::Timestamp || k == TypeKind::Duration; }

BinaryOp flipped(BinaryOp op) {
  switch (op) {
    case BinaryOp::Lt: return BinaryOp::Gt;
    case BinaryOp::Le: return BinaryOp::Ge;
    case BinaryOp::Gt: return BinaryOp::Lt;
    case BinaryOp::Ge: return BinaryOp::Le;
    default: return op;
  }
}

// `S op c` with S numeric (or a time) and c a non-null constant of the same compare domain.
bool as_threshold(const Expr* e, const Expr** subject, Atom* atom, bool* is_float) {
  if (e->op != ExprOp::Binary) return false;
  BinaryOp op = e->binary_op;
  if (op != BinaryOp::Lt && op != BinaryOp::Le && op != BinaryOp::Gt && op != BinaryOp::Ge && op != BinaryOp::Eq) {
    return false;
  }
  const Expr* a = e->args[0];
  const Expr* b = e->args[1];
  auto is_constant = [](const Expr* x) { return x->op == ExprOp::Constant; };
  if (is_constant(a) && !is_constant(b)) {
    std::swap(a, b);
    op = flipped(op);
  } else if (!is_constant(b) || is_constant(a)) {
    return false;
  }
  const Value& c = b->value;
  TypeKind sk = a->type.kind;
  if (c.is_null()) return false;
  if (sk == TypeKind::Float && (c.kind == TypeKind::Float || c.kind == TypeKind::Int)) {
    *is_float = true;
    atom->f = c.kind == TypeKind::Float ? c.f : static_cast<double>(c.i);
    if (atom->f != atom->f) return false;  // NaN constant: leave it to the usual code
  } else if (int_like(sk) && int_like(c.kind)) {
    *is_float = false;
    atom->i = c.i;
  } else {
    return false;  // strings, bools, or an int compared in the double domain
  }
  *subject = a;
  atom->op = op;
  return true;
}

// Is `S op c` true when S sits at `position` among the sorted bounds, c being bound j?
// Position 2p: strictly between bound p-1 and bound p; 2p+1: equal to bound p.
bool holds_at(BinaryOp op, size_t j, size_t position) {
  size_t p = position / 2;
  bool equal = position % 2 == 1;
  switch (op) {
    case BinaryOp::Gt: return j < p;
    case BinaryOp::Ge: return equal ? j <= p : j < p;
    case BinaryOp::Lt: return equal ? j > p : j >= p;
    case BinaryOp::Le: return j >= p;
    default: return equal && j == p;  // Eq
  }
}

}  // namespace

size_t min_family_atoms() {
  const char* env = std::getenv("ALERTC_MIN_FAMILY_ATOMS");
  return env ? static_cast<size_t>(std::max(1, std::atoi(env))) : 256;
}

ThresholdPlan plan_thresholds(const plan::Program& program, const std::vector<int>& rules) {
  ThresholdPlan out;
  out.rules.resize(rules.size());
  struct Candidate {
    const Expr* subject = nullptr;
    bool is_float = false;
    std::vector<Atom> atoms;
    std::vector<std::pair<size_t, const Expr*>> exprs;  // slot, atom expression
  };
  std::map<std::string, Candidate> candidates;
  std::vector<std::vector<const Expr*>> atoms_of(rules.size());
  for (size_t slot = 0; slot < rules.size(); ++slot) {
    const plan::Rule& rule = program.rules[rules[slot]];
    if (!rule.where) {
      out.rules[slot].always = true;
      continue;
    }
    split_and(rule.where, atoms_of[slot]);
    for (const Expr* e : atoms_of[slot]) {
      const Expr* subject = nullptr;
      Atom atom;
      atom.slot = slot;
      bool is_float = false;
      if (!as_threshold(e, &subject, &atom, &is_float)) continue;
      Candidate& c = candidates[std::to_string(subject->id) + (is_float ? "#f" : "#i")];
      c.subject = subject;
      c.is_float = is_float;
      c.atoms.push_back(atom);
      c.exprs.emplace_back(slot, e);
    }
  }
  std::vector<std::vector<const Expr*>> in_family(rules.size());
  for (auto& [key, c] : candidates) {
    if (c.atoms.size() < min_family_atoms()) continue;
    ThresholdFamily f;
    f.subject = c.subject;
    f.is_float = c.is_float;
    for (const Atom& a : c.atoms) {
      if (c.is_float) f.float_bounds.push_back(a.f); else f.int_bounds.push_back(a.i);
    }
    auto dedupe = [](auto& v) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    };
    dedupe(f.float_bounds);
    dedupe(f.int_bounds);
    size_t m = c.is_float ? f.float_bounds.size() : f.int_bounds.size();
    f.holds.assign(2 * m + 1, std::vector<bool>(rules.size(), true));
    for (const Atom& a : c.atoms) {
      size_t j = c.is_float ? std::lower_bound(f.float_bounds.begin(), f.float_bounds.end(), a.f) - f.float_bounds.begin()
                            : std::lower_bound(f.int_bounds.begin(), f.int_bounds.end(), a.i) - f.int_bounds.begin();
      for (size_t pos = 0; pos < f.holds.size(); ++pos) {
        if (!holds_at(a.op, j, pos)) f.holds[pos][a.slot] = false;
      }
    }
    for (auto& [slot, e] : c.exprs) in_family[slot].push_back(e);
    out.families.push_back(std::move(f));
  }
  for (size_t slot = 0; slot < rules.size(); ++slot) {
    for (const Expr* e : atoms_of[slot]) {
      if (std::find(in_family[slot].begin(), in_family[slot].end(), e) == in_family[slot].end()) {
        out.rules[slot].rest.push_back(e);
      }
    }
  }
  return out;
}

}  // namespace alert::codegen
