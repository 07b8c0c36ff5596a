#include <unistd.h>

#include <fstream>
#include <iostream>

#include "alert/compiler.h"
#include "commands.h"

namespace alert::cli {

int run_compile(const CompileCommandOptions& options, bool color) {
  CompileOptions compile_options;
  compile_options.engine = EngineKind::Interp;  // the stages are produced on demand below
  Compilation c = Compilation::compile(options.files, compile_options);
  c.print_diagnostics(std::cerr, DiagnosticFormat::Text, color);
  if (c.io_error()) return 2;
  if (!c.ok()) return 1;
  Compilation::Stage stage = options.emit == "ast"    ? Compilation::Stage::Ast
                             : options.emit == "ir"   ? Compilation::Stage::Ir
                             : options.emit == "asm"  ? Compilation::Stage::Asm
                             : options.emit == "obj"  ? Compilation::Stage::Obj
                                                      : Compilation::Stage::OptIr;
  std::string text, error;
  if (!c.emit(stage, &text, &error)) {
    std::cerr << "alertc: error: " << error << '\n';
    return 1;
  }
  if (options.output.empty() || options.output == "-") {
    if (stage == Compilation::Stage::Obj && isatty(1)) {
      std::cerr << "alertc: error: not writing an object file to a terminal; use -o FILE\n";
      return 2;
    }
    std::cout << text;
    return 0;
  }
  std::ofstream out(options.output, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    std::cerr << "alertc: error: cannot write '" << options.output << "'\n";
    return 2;
  }
  return 0;
}

}  // namespace alert::cli
