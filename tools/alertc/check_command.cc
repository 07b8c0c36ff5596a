#include <iostream>

#include "alert/compiler.h"
#include "commands.h"

namespace alert::cli {

int run_check(const CheckOptions& options, bool color) {
  CompileOptions compile_options;
  compile_options.engine = EngineKind::Interp;  // checking needs no machine code
  compile_options.warn_unset_env = true;
  Compilation c = Compilation::compile(options.files, compile_options);
  // JSON goes to stdout for editors and scripts; text goes to stderr like a compiler's.
  if (options.format == "json") {
    c.print_diagnostics(std::cout, DiagnosticFormat::Json);
  } else {
    c.print_diagnostics(std::cerr, DiagnosticFormat::Text, color);
  }
  if (c.io_error()) return 2;
  if (!c.ok()) {
    if (options.format == "text") {
      std::cerr << c.error_count() << (c.error_count() == 1 ? " error" : " errors") << " generated.\n";
    }
    return 1;
  }
  return 0;
}

}  // namespace alert::cli
