// Diagnostics as values: every user-facing compile error is a Diagnostic built by the
// DiagnosticEngine from one registry of kinds (diagnostic_kinds.def), then rendered as
// clang-style text or as JSON for editors.
#pragma once

#include <deque>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "compiler/source/source_manager.h"

namespace alert {

enum class DiagId {
#define DIAG(id, severity, format) id,
#include "compiler/diag/diagnostic_kinds.def"
#undef DIAG
};

enum class DiagSeverity { Note, Warning, Error };

struct DiagNote {
  SourceRange range;
  std::string message;
};

struct FixIt {
  SourceRange range;
  std::string replacement;
};

struct Diagnostic {
  DiagId id;
  DiagSeverity severity;
  SourceRange range;
  std::string message;
  std::vector<DiagNote> notes;
  std::optional<FixIt> fixit;

  Diagnostic& note(SourceRange at, std::string text) {
    notes.push_back({at, std::move(text)});
    return *this;
  }
  Diagnostic& fix(SourceRange at, std::string replacement) {
    fixit = FixIt{at, std::move(replacement)};
    return *this;
  }
};

std::string_view diag_id_name(DiagId id);
DiagSeverity diag_default_severity(DiagId id);
std::string_view diag_format(DiagId id);

class DiagnosticEngine {
 public:
  explicit DiagnosticEngine(const SourceManager& sources) : sources_(sources) {}

  template <typename... Args>
  Diagnostic& report(DiagId id, SourceRange range, const Args&... args) {
    std::string message = fmt::vformat(diag_format(id), fmt::make_format_args(args...));
    diags_.push_back(Diagnostic{id, diag_default_severity(id), range, std::move(message), {}, {}});
    if (diags_.back().severity == DiagSeverity::Error) ++error_count_;
    return diags_.back();
  }

  // A diagnostic reported elsewhere (a test block checked on its own), taken over as it is.
  void add(const Diagnostic& d) {
    diags_.push_back(d);
    if (d.severity == DiagSeverity::Error) ++error_count_;
  }

  bool has_errors() const { return error_count_ > 0; }
  size_t error_count() const { return error_count_; }
  const std::deque<Diagnostic>& diagnostics() const { return diags_; }

  // clang-style: "file:line:col: error: message", the source line, a caret and tildes.
  void render_text(std::ostream& out, bool color = false) const;
  // One JSON object per diagnostic, one per line.
  void render_json(std::ostream& out) const;

 private:
  const SourceManager& sources_;
  std::deque<Diagnostic> diags_;
  size_t error_count_ = 0;
};

// Edit distance between two names, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate within a distance that scales with the name's length, or "".
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace alert
