// What makes a rule's state reusable across a restart (docs/language.md §12): its schema's
// fields and everything that decides which alerts it produces and from what state (where,
// window, keys, lets, having, aggregates, history, throttle). A rule whose definition hash is
// unchanged keeps its state; its message, labels, severity and channels may change freely.
#pragma once

#include <cstdint>

#include "compiler/plan/program_plan.h"

namespace alert::state {

uint64_t rule_definition_hash(const plan::Program& program, const plan::Rule& rule);

}  // namespace alert::state
