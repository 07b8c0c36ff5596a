#include "compiler/ast/ast.h"

namespace alert::ast {

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Critical: return "critical";
  }
  return "warning";
}

}  // namespace alert::ast
