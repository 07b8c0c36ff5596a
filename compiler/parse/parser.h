// Turns the text of one .alert file into an ast::File. ANTLR is private to this folder: callers
// see only the AST and diagnostics. Lexical problems (bad bytes, unterminated strings and
// comments, stray characters, runaway nesting) are found before parsing, so that they get their
// own messages and pathological input cannot overflow the parser's stack.
#pragma once

#include <memory>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"

namespace alert {

// Maximum nesting of brackets and prefix operators in one expression.
constexpr int kMaxNesting = 256;

std::unique_ptr<ast::File> parse_file(const SourceManager& sources, uint32_t file_id,
                                      DiagnosticEngine& diags);

// Checks a file's bytes: valid UTF-8 and no NUL. Reports the first problem; false if any.
bool check_source_bytes(const SourceManager& sources, uint32_t file_id, DiagnosticEngine& diags);

}  // namespace alert
