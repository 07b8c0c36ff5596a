// Threshold families: many rules over one schema often compare the same expression with
// different constants (`price * qty > 1000`, `> 1050`, ... one per customer tier, region, SKU).
// Compared one by one that is a compare per rule and row. Instead, the constants are sorted once
// at compile time; per row the expression's position among them is found by binary search, and a
// precomputed table gives, for that position, which rules have all their atoms on that
// expression true: a few compares and one table load per row, whatever the number of rules.
//
// A rule's `where` is split at its top-level `and`s into atoms; an atom `S op c` (op one of < <=
// > >= ==, c a constant of S's type, S not constant) joins the family of S. A family is used
// when it has at least min_family_atoms() atoms. A null or NaN S makes every atom of the family
// false, exactly as the comparison would (null: not true; NaN: every ordered comparison false).
//
// Measured (bench (c), AVX2): with 100 atoms on one subject, comparing all of them vectorized
// across rows (59 ms for 4M rows) beats the search (135 ms: its dependent loads do not
// vectorize); the search wins from a few hundred atoms on, so families start at 256.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "compiler/plan/program_plan.h"

namespace alert::codegen {

// 256, or ALERTC_MIN_FAMILY_ATOMS (tests lower it to exercise the index on small programs).
size_t min_family_atoms();

struct ThresholdFamily {
  const plan::Expr* subject = nullptr;
  bool is_float = false;                 // compare as double, else as int64
  std::vector<double> float_bounds;      // sorted, distinct
  std::vector<int64_t> int_bounds;       // sorted, distinct
  // positions: 2 * (number of bounds below S) + (S equals the next bound ? 1 : 0); for each
  // position, one bit per rule slot: 1 when all the rule's atoms on S hold there (rules with no
  // atom on S have every bit set).
  std::vector<std::vector<bool>> holds;  // [position][slot]
};

struct RuleAtoms {
  std::vector<const plan::Expr*> rest;  // atoms not in any family, evaluated as usual
  bool always = false;                 // no `where`
};

struct ThresholdPlan {
  std::vector<ThresholdFamily> families;
  std::vector<RuleAtoms> rules;  // per slot of the schema's rules
};

// Splits the `where` of each rule (in slot order) and builds the families worth indexing.
ThresholdPlan plan_thresholds(const plan::Program& program, const std::vector<int>& rules);

}  // namespace alert::codegen
