#include "compiler/diag/diagnostic.h"

#include <algorithm>

namespace alert {
namespace {

struct KindInfo {
  std::string_view name;
  DiagSeverity severity;
  std::string_view format;
};

constexpr KindInfo kKinds[] = {
#define DIAG(id, severity, format) {#id, DiagSeverity::severity, format},
#include "compiler/diag/diagnostic_kinds.def"
#undef DIAG
};

std::string_view severity_word(DiagSeverity s) {
  switch (s) {
    case DiagSeverity::Note: return "note";
    case DiagSeverity::Warning: return "warning";
    case DiagSeverity::Error: return "error";
  }
  return "error";
}

void json_escape(std::ostream& out, std::string_view s) {
  out << '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out << "\\\""; break;
      case '\\': out << "\\\\"; break;
      case '\n': out << "\\n"; break;
      case '\t': out << "\\t"; break;
      case '\r': out << "\\r"; break;
      default:
        if (c < 0x20) {
          out << fmt::format("\\u{:04x}", c);
        } else {
          out << c;
        }
    }
  }
  out << '"';
}

}  // namespace

std::string_view diag_id_name(DiagId id) { return kKinds[static_cast<int>(id)].name; }
DiagSeverity diag_default_severity(DiagId id) { return kKinds[static_cast<int>(id)].severity; }
std::string_view diag_format(DiagId id) { return kKinds[static_cast<int>(id)].format; }

void DiagnosticEngine::render_text(std::ostream& out, bool color) const {
  const char* bold = color ? "\033[1m" : "";
  const char* red = color ? "\033[1;31m" : "";
  const char* green = color ? "\033[1;32m" : "";
  const char* cyan = color ? "\033[1;36m" : "";
  const char* reset = color ? "\033[0m" : "";

  auto location = [&](SourceRange r) -> std::string {
    if (!r.valid()) return "alertc";
    LineCol lc = sources_.line_col(r.begin);
    return fmt::format("{}:{}:{}", sources_.path(r.begin.file), lc.line, lc.column);
  };
  // The source line, then a caret under the first byte and tildes under the rest of the range
  // (clipped to that line). Tabs are kept so the caret lines up in a terminal.
  auto snippet = [&](SourceRange r, const char* caret_color, const FixIt* fix) {
    if (!r.valid()) return;
    LineCol lc = sources_.line_col(r.begin);
    std::string_view line = sources_.line_text(r.begin.file, lc.line);
    if (line.size() > 400) return;  // a minified or generated line would only be noise
    out << line << '\n';
    std::string marker;
    for (uint32_t i = 0; i + 1 < lc.column && i < line.size(); ++i) {
      marker += line[i] == '\t' ? '\t' : ' ';
    }
    size_t width = 1;
    if (r.end.file == r.begin.file && r.end.offset > r.begin.offset) {
      width = r.end.offset - r.begin.offset;
      size_t room = line.size() >= lc.column ? line.size() - (lc.column - 1) : 1;
      width = std::clamp<size_t>(width, 1, std::max<size_t>(room, 1));
    }
    out << marker << caret_color << '^' << std::string(width - 1, '~') << reset << '\n';
    if (fix) out << marker << green << fix->replacement << reset << '\n';
  };

  for (const Diagnostic& d : diags_) {
    out << bold << location(d.range) << ": " << reset
        << (d.severity == DiagSeverity::Error ? red : cyan) << severity_word(d.severity) << ": "
        << reset << bold << d.message << reset << '\n';
    const FixIt* fix = d.fixit && d.fixit->range.begin.offset == d.range.begin.offset &&
                               d.fixit->range.begin.file == d.range.begin.file
                           ? &*d.fixit
                           : nullptr;
    snippet(d.range, green, fix);
    for (const DiagNote& n : d.notes) {
      out << bold << location(n.range) << ": " << reset << cyan << "note: " << reset << n.message
          << '\n';
      snippet(n.range, green, nullptr);
    }
  }
}

void DiagnosticEngine::render_json(std::ostream& out) const {
  auto range_json = [&](SourceRange r) {
    if (!r.valid()) {
      out << "null";
      return;
    }
    LineCol b = sources_.line_col(r.begin);
    LineCol e = sources_.line_col(r.end.valid() ? r.end : r.begin);
    out << "{\"file\":";
    json_escape(out, sources_.path(r.begin.file));
    out << fmt::format(",\"line\":{},\"column\":{},\"end_line\":{},\"end_column\":{}}}", b.line,
                       b.column, e.line, e.column);
  };
  for (const Diagnostic& d : diags_) {
    out << "{\"id\":";
    json_escape(out, diag_id_name(d.id));
    out << ",\"severity\":";
    json_escape(out, severity_word(d.severity));
    out << ",\"message\":";
    json_escape(out, d.message);
    out << ",\"range\":";
    range_json(d.range);
    out << ",\"notes\":[";
    for (size_t i = 0; i < d.notes.size(); ++i) {
      if (i) out << ',';
      out << "{\"message\":";
      json_escape(out, d.notes[i].message);
      out << ",\"range\":";
      range_json(d.notes[i].range);
      out << '}';
    }
    out << ']';
    if (d.fixit) {
      out << ",\"fixit\":{\"replacement\":";
      json_escape(out, d.fixit->replacement);
      out << ",\"range\":";
      range_json(d.fixit->range);
      out << '}';
    }
    out << "}\n";
  }
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t subst = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

namespace {

// `name`'s letters appear in `candidate` in order, starting with its first: an abbreviation
// such as cnt for count or ts for timestamp.
bool abbreviates(std::string_view name, std::string_view candidate) {
  if (name.size() < 2 || candidate.empty() || name[0] != candidate[0] || name.size() >= candidate.size()) return false;
  size_t at = 0;
  for (char c : candidate) {
    if (at < name.size() && c == name[at]) ++at;
  }
  return at == name.size();
}

}  // namespace

// Ranks close names first by sharing the first letter (people rarely mistype it: cnt means
// count, not int), then by edit distance; an abbreviation counts as close whatever its distance.
std::string closest_name(std::string_view name, const std::vector<std::string>& candidates) {
  size_t limit = std::max<size_t>(1, name.size() / 3);
  std::string best;
  std::pair<int, size_t> best_rank{2, limit + 1};
  for (const std::string& c : candidates) {
    size_t d = edit_distance(name, c);
    bool abbreviation = abbreviates(name, c);
    if (d > limit && !abbreviation) continue;
    bool same_first = !name.empty() && !c.empty() && std::tolower(name[0]) == std::tolower(c[0]);
    std::pair<int, size_t> rank{same_first ? 0 : 1, d};
    if (rank < best_rank) {
      best_rank = rank;
      best = c;
    }
  }
  return best;
}

}  // namespace alert
