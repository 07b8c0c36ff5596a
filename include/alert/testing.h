// Runs the `test` blocks of a compiled program (docs/language.md §10): each test gets a fresh engine,
// its given rows, and its expectations checked against the alerts produced.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alert/compiler.h"

namespace alert {

struct TestOutcome {
  std::string name;
  std::string location;  // file:line
  bool passed = false;
  std::string failure;   // what was expected and what came instead
};

std::vector<TestOutcome> run_program_tests(std::shared_ptr<const CompiledProgram> program);

}  // namespace alert
