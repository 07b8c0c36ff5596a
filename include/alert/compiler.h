// The compiler's public face: .alert files in, a checked and compiled program (or diagnostics)
// out. Host applications and the alertc CLI use only this and engine.h.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace alert {

struct CompiledProgram;  // defined in compiler/plan/compiled_program.h

enum class DiagnosticFormat { Text, Json };

enum class EngineKind { Jit, Interp };

struct CompileOptions {
  // The JIT compiles row kernels; the interpreter needs no machine code at all.
  EngineKind engine = EngineKind::Jit;
  // Warn about env("NAME") options whose variable is not set now (`alertc check`; a run fails).
  bool warn_unset_env = false;
  // False to ignore test blocks (`alertc run`): an error in a test does not stop the rules.
  bool check_tests = true;
  // True for `alertc test`: an error inside a test block fails that test only.
  bool isolate_tests = false;
};

class Compilation {
 public:
  static Compilation compile(const std::vector<std::string>& files, const CompileOptions& options = {});

  bool ok() const;
  bool io_error() const;  // a named file could not be read
  size_t error_count() const;
  void print_diagnostics(std::ostream& out, DiagnosticFormat format, bool color = false) const;
  // Null unless ok().
  std::shared_ptr<const CompiledProgram> program() const;

  // A stage of the back end as text (object code as bytes), for `alertc compile --emit`: the
  // checked program, LLVM IR as generated and optimized, assembly, an ELF object. Needs ok().
  enum class Stage { Ast, Ir, OptIr, Asm, Obj };
  bool emit(Stage stage, std::string* out, std::string* error) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// The canonical layout of one .alert file (`alertc fmt`), comments kept. False with the file's
// syntax errors (clang-style text) or an I/O error in `error`; the file is never written here.
bool format_alert_file(const std::string& path, std::string* formatted, std::string* error);

}  // namespace alert
