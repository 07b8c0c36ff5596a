// libFuzzer target: the front end. Any bytes as an .alert file must give diagnostics or a
// program, never a crash; a program that checks must format, and the formatted text must check
// to the same program (its printed AST) and format to itself.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include "alert/compiler.h"
#include "compiler/parse/formatter.h"

namespace {

std::string temp_path(const char* tag) {
  return "/tmp/alertc_fuzz_" + std::to_string(getpid()) + "_" + tag + ".alert";
}

void write_file(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

std::string ast_of(const alert::Compilation& c) {
  std::string ast, error;
  if (!c.emit(alert::Compilation::Stage::Ast, &ast, &error)) __builtin_trap();
  return ast;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return -1;  // big inputs find nothing small ones do not, only slower
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const std::string first = temp_path("a"), second = temp_path("b");
  write_file(first, text);
  alert::CompileOptions options;
  options.engine = alert::EngineKind::Interp;
  alert::Compilation c = alert::Compilation::compile({first}, options);
  if (!c.ok()) return 0;
  auto formatted = alert::format_source(text);
  if (!formatted.ok()) __builtin_trap();  // a program that checks always formats
  std::string again = formatted.take();
  write_file(second, again);
  alert::Compilation c2 = alert::Compilation::compile({second}, options);
  if (!c2.ok()) __builtin_trap();
  if (ast_of(c) != ast_of(c2)) __builtin_trap();
  auto twice = alert::format_source(again);
  if (!twice.ok() || twice.value() != again) __builtin_trap();
  return 0;
}
