#include <iostream>

#include "alert/compiler.h"
#include "alert/testing.h"
#include "commands.h"

namespace alert::cli {

int run_test(const TestOptions& options, bool color) {
  CompileOptions compile_options;
  compile_options.engine = options.engine == "interp" ? EngineKind::Interp : EngineKind::Jit;
  compile_options.isolate_tests = true;
  Compilation c = Compilation::compile(options.files, compile_options);
  c.print_diagnostics(std::cerr, DiagnosticFormat::Text, color);
  if (c.io_error()) return 2;
  if (!c.ok()) return 1;
  auto outcomes = run_program_tests(c.program());
  size_t passed = 0, failed = 0;
  for (const TestOutcome& t : outcomes) {
    if (t.passed) {
      ++passed;
      std::cout << "PASS " << t.location << ": " << t.name << '\n';
    } else {
      ++failed;
      std::cout << "FAIL " << t.location << ": " << t.name << '\n' << t.failure;
    }
  }
  std::cout << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}

}  // namespace alert::cli
