// The pipeline in one place: load and parse every file, then check.
#include <sstream>

#include "alert/compiler.h"
#include "compiler/diag/diagnostic.h"
#include "compiler/driver/compiled_program.h"
#include "compiler/parse/program_loader.h"
#include "compiler/sema/sema.h"

namespace alert {

CompiledProgram::~CompiledProgram() = default;

struct Compilation::State {
  std::shared_ptr<CompiledProgram> program = std::make_shared<CompiledProgram>();
  DiagnosticEngine diags{program->sources};
  bool io_error = false;
  bool ok = false;
};

Compilation Compilation::compile(const std::vector<std::string>& files, const CompileOptions& options) {
  Compilation c;
  c.state_ = std::make_shared<State>();
  State& s = *c.state_;
  CompiledProgram& program = *s.program;
  LoadResult loaded = load_program(files, program.sources, s.diags);
  s.io_error = loaded.io_error;
  program.plan.ast = std::move(loaded.program);
  if (s.io_error) return c;
  check_program(program.plan, program.sources, s.diags);
  if (s.diags.has_errors()) return c;
  program.engine = options.engine;
  s.ok = true;
  return c;
}

bool Compilation::ok() const { return state_->ok; }
bool Compilation::io_error() const { return state_->io_error; }
size_t Compilation::error_count() const { return state_->diags.error_count(); }

void Compilation::print_diagnostics(std::ostream& out, DiagnosticFormat format, bool color) const {
  if (format == DiagnosticFormat::Json) {
    state_->diags.render_json(out);
  } else {
    state_->diags.render_text(out, color);
  }
}

std::shared_ptr<const CompiledProgram> Compilation::program() const {
  return state_->ok ? state_->program : nullptr;
}

}  // namespace alert
