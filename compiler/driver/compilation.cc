// The pipeline in one place: load and parse every file, then check.
#include <fstream>
#include <iostream>
#include <sstream>

#include "alert/alert.h"
#include "alert/compiler.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/plan/compiled_program.h"
#include "compiler/jit/compiled_kernels.h"
#include "compiler/lower/lower.h"
#include "compiler/parse/formatter.h"
#include "compiler/parse/parser.h"
#include "compiler/parse/program_loader.h"
#include "compiler/plan/plan_printer.h"
#include "compiler/sema/sema.h"

namespace alert {

struct Compilation::State {
  SourceManager sources;
  ast::Program ast;
  std::shared_ptr<CompiledProgram> program = std::make_shared<CompiledProgram>();
  DiagnosticEngine diags{sources};
  bool io_error = false;
  bool ok = false;
  std::string backend_error;  // the JIT failed: a bug or an unsupported host, not the user's fault
};

Compilation Compilation::compile(const std::vector<std::string>& files, const CompileOptions& options) {
  Compilation c;
  c.state_ = std::make_shared<State>();
  State& s = *c.state_;
  CompiledProgram& program = *s.program;
  LoadResult loaded = load_program(files, s.sources, s.diags);
  s.io_error = loaded.io_error;
  s.ast = std::move(loaded.program);
  if (s.io_error) return c;
  SemaOptions sema_options;
  sema_options.warn_unset_env = options.warn_unset_env;
  sema_options.check_tests = options.check_tests;
  sema_options.isolate_tests = options.isolate_tests;
  sema::CheckedProgram checked;
  check_program(s.ast, checked, s.sources, s.diags, sema_options);
  if (s.diags.has_errors()) return c;
  program.plan = lower_program(std::move(checked), s.sources);
  program.engine = options.engine;
  if (options.engine == EngineKind::Jit) {
    auto kernels = compile_kernels(program.plan);
    if (!kernels.ok()) {
      s.backend_error = kernels.error();
      return c;
    }
    program.kernels = kernels.take();
  }
  s.ok = true;
  return c;
}

bool Compilation::ok() const { return state_->ok; }
bool Compilation::io_error() const { return state_->io_error; }
size_t Compilation::error_count() const {
  return state_->diags.error_count() + (state_->backend_error.empty() ? 0 : 1);
}

void Compilation::print_diagnostics(std::ostream& out, DiagnosticFormat format, bool color) const {
  if (format == DiagnosticFormat::Json) {
    state_->diags.render_json(out);
  } else {
    state_->diags.render_text(out, color);
  }
  // Not a diagnostic of the user's program (no kind, no position): a bug, or a host LLVM cannot
  // compile for. `--engine interp` still runs the program.
  if (!state_->backend_error.empty()) {
    std::string message = "internal compiler error in the JIT back end: " + state_->backend_error +
                           " (the reference interpreter, --engine interp, still runs the program)";
    if (format == DiagnosticFormat::Json) {
      out << "{\"id\":\"backend_error\",\"severity\":\"error\",\"message\":" << json_quote(message) << "}\n";
    } else {
      out << "alertc: error: " << message << '\n';
    }
  }
}

bool Compilation::emit(Stage stage, std::string* out, std::string* error) const {
  if (!state_->ok) {
    *error = "the program has errors";
    return false;
  }
  const plan::Program& plan = state_->program->plan;
  if (stage == Stage::Ast) {
    *out = plan::print_program(plan);
    return true;
  }
  EmitKind kind = stage == Stage::Ir ? EmitKind::Ir : stage == Stage::OptIr ? EmitKind::OptIr
                : stage == Stage::Asm ? EmitKind::Asm : EmitKind::Obj;
  auto text = emit_kernels(plan, kind);
  if (!text.ok()) {
    *error = text.error();
    return false;
  }
  *out = text.take();
  return true;
}

bool format_alert_file(const std::string& path, std::string* formatted, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read '" + path + "'";
    return false;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Only a file that parses is reformatted: a layout of broken code would hide the breakage.
  SourceManager sources;
  DiagnosticEngine diags(sources);
  uint32_t id = sources.add_file(path, text);
  if (check_source_bytes(sources, id, diags)) parse_file(sources, id, diags);
  if (diags.has_errors()) {
    std::ostringstream os;
    diags.render_text(os);
    *error = os.str();
    return false;
  }
  auto result = format_source(text);
  if (!result.ok()) {
    *error = path + ": " + result.error();
    return false;
  }
  *formatted = result.take();
  return true;
}

std::shared_ptr<const CompiledProgram> Compilation::program() const {
  return state_->ok ? state_->program : nullptr;
}

}  // namespace alert
