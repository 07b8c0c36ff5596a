// Loads the root .alert files and everything they import: each file once (by canonical path),
// imports before importers, cycles reported with the whole chain.
#pragma once

#include <string>
#include <vector>

#include "compiler/ast/ast.h"
#include "compiler/diag/diagnostic.h"

namespace alert {

struct LoadResult {
  ast::Program program;
  bool io_error = false;  // a root file could not be read (the CLI exits 2)
};

LoadResult load_program(const std::vector<std::string>& paths, SourceManager& sources,
                        DiagnosticEngine& diags);

}  // namespace alert
