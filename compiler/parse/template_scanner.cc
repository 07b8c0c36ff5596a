#include "compiler/parse/template_scanner.h"

#include <cctype>
#include <cstring>

namespace alert {
namespace {

// The '}' that closes an interpolation whose text starts at `from`, or `end` when none does.
// Inside a string the expression's quotes are escaped (`\"`): a '}' between them is text.
size_t closing_brace(std::string_view raw, size_t from, size_t end) {
  size_t j = from;
  bool in_string = false;
  while (j < end) {
    if (raw[j] == '\\' && j + 1 < end) {
      if (raw[j + 1] == '"') in_string = !in_string;
      j += 2;
      continue;
    }
    if (!in_string && raw[j] == '}') break;
    ++j;
  }
  return j;
}

// Where "expr:spec" splits: the first ':' outside strings, brackets and timestamp literals
// (`@2026-01-01T10:00:00Z` has colons of its own), or npos.
size_t spec_colon(std::string_view inner) {
  int nest = 0;
  bool quoted = false;
  for (size_t k = 0; k < inner.size(); ++k) {
    char ch = inner[k];
    if (ch == '\\' && k + 1 < inner.size()) {
      if (inner[k + 1] == '"') quoted = !quoted;
      ++k;
    } else if (quoted) {
      continue;
    } else if (ch == '(' || ch == '[') {
      ++nest;
    } else if (ch == ')' || ch == ']') {
      --nest;
    } else if (ch == '@') {
      while (k + 1 < inner.size() && (std::isalnum(static_cast<unsigned char>(inner[k + 1])) ||
                                      std::strchr(":.+-", inner[k + 1]))) ++k;
    } else if (ch == ':' && nest == 0) {
      return k;
    }
  }
  return std::string_view::npos;
}

// Inside a string the expression's own quotes and backslashes are escaped; undone before parsing.
std::string expression_source(std::string_view expr_raw) {
  std::string text;
  for (size_t k = 0; k < expr_raw.size(); ++k) {
    bool escaped = expr_raw[k] == '\\' && k + 1 < expr_raw.size() &&
                   (expr_raw[k + 1] == '"' || expr_raw[k + 1] == '\\');
    if (escaped) {
      text += expr_raw[++k];
    } else {
      text += expr_raw[k];
    }
  }
  return text;
}

// The interpolation between the '{' at `open` and the '}' at `close`.
TemplateExpr interpolation(std::string_view raw, size_t open, size_t close) {
  std::string_view inner = raw.substr(open + 1, close - open - 1);
  size_t colon = spec_colon(inner);
  std::string_view expr_raw = colon == std::string_view::npos ? inner : inner.substr(0, colon);
  TemplateExpr e;
  e.open = static_cast<uint32_t>(open);
  e.offset = static_cast<uint32_t>(open + 1);
  if (colon != std::string_view::npos) {
    e.spec = std::string(inner.substr(colon + 1));
    e.spec_begin = e.offset + static_cast<uint32_t>(colon + 1);
    e.spec_end = e.offset + static_cast<uint32_t>(inner.size());
  }
  bool blank = expr_raw.find_first_not_of(" \t") == std::string_view::npos;
  if (!blank) e.source = expression_source(expr_raw);
  return e;
}

}  // namespace

std::vector<TemplateItem> scan_template(std::string_view raw) {
  std::vector<TemplateItem> items;
  size_t end = raw.size() >= 2 && raw.back() == '"' ? raw.size() - 1 : raw.size();
  TemplateText literal;
  // Appends `n` bytes of the source at `from` to the literal text as `chars`.
  auto append = [&](size_t from, std::string_view chars) {
    auto at = static_cast<uint32_t>(from);
    auto index = static_cast<uint32_t>(literal.raw.size());
    if (literal.runs.empty()) literal.offset = at;
    if (literal.runs.empty() || literal.runs.back().offset + (index - literal.runs.back().index) != at) {
      literal.runs.push_back({index, at});
    }
    literal.raw += chars;
  };
  auto flush_literal = [&] {
    if (literal.raw.empty()) return;
    items.push_back(std::move(literal));
    literal = TemplateText{};
  };
  auto error = [&](TemplateError::Kind what, size_t from, size_t to) {
    items.emplace_back(std::in_place_type<TemplateError>, what, static_cast<uint32_t>(from), static_cast<uint32_t>(to));
  };
  for (size_t i = 1; i < end; ++i) {
    char c = raw[i];
    if (c == '\\' && i + 1 < end) {  // an escape stays whole, for the decoder
      append(i, raw.substr(i, 2));
      ++i;
      continue;
    }
    if ((c == '{' || c == '}') && i + 1 < end && raw[i + 1] == c) {
      append(i, raw.substr(i, 1));
      ++i;
      continue;
    }
    if (c == '}') {
      error(TemplateError::StrayClose, i, i + 1);
      continue;
    }
    if (c != '{') {
      append(i, raw.substr(i, 1));
      continue;
    }
    flush_literal();
    size_t close = closing_brace(raw, i + 1, end);
    if (close >= end) {
      // All that follows is inside the unclosed interpolation: nothing more to split.
      error(TemplateError::Unclosed, i, i + 1);
      return items;
    }
    TemplateExpr e = interpolation(raw, i, close);
    if (e.source.empty()) error(TemplateError::Empty, i, close + 1);
    items.push_back(std::move(e));
    i = close;
  }
  flush_literal();
  return items;
}

}  // namespace alert
