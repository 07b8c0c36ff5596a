// Splits the text of a template string (docs/language.md §2.4) into its pieces: literal text,
// `{expr}` and `{expr:spec}`, with `{{` and `}}` as literal braces. Text work only: escapes in the
// literal text are not decoded and the expressions are not parsed, and problems come back as
// values, so the parser decodes, parses and reports them as diagnostics in source order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace alert {

// Every offset is a byte offset into the template's token text, its opening quote included.

// Literal text, as written: escapes still to decode (`\n`, `\u{...}`), but `{{` and `}}` already
// one brace each.
struct TemplateText {
  std::string raw;
  uint32_t offset = 0;  // where `raw[0]` is
  // Where each byte of `raw` is: runs of bytes that stand in `raw` as in the source, each as the
  // index in `raw` it starts at and its offset. A doubled brace (one byte in `raw`, two in the
  // source) and a stray '}' (in the source, not in `raw`) start a new run.
  struct Run {
    uint32_t index = 0, offset = 0;
  };
  std::vector<Run> runs;

  // Where `raw[index]` is, so a bad escape is placed at its backslash.
  uint32_t source_offset(size_t index) const {
    uint32_t i = static_cast<uint32_t>(index);
    const Run* run = nullptr;
    for (const Run& r : runs) {
      if (r.index > i) break;
      run = &r;
    }
    return run ? run->offset + (i - run->index) : offset + i;
  }
};

// One interpolation.
struct TemplateExpr {
  uint32_t open = 0;  // its '{'
  // The expression's source with the template's own escaping undone (`\"` and `\\` are `"` and
  // `\`); empty for a blank `{}` or `{ }`, which a TemplateError::Empty came just before.
  std::string source;
  uint32_t offset = 0;  // where `source` starts (its characters map 1:1 until the first `\"`)
  std::optional<std::string> spec;  // the text after the first top-level ':', as written
  uint32_t spec_begin = 0, spec_end = 0;
};

struct TemplateError {
  enum Kind {
    StrayClose,  // a '}' with no '{' and not doubled: [begin, end) is the '}'
    Unclosed,    // a '{' that nothing closes: [begin, end) is the '{'; the scan stops there
    Empty,       // `{}` or `{ }`: [begin, end) is the whole interpolation, its braces included
  };
  Kind what;
  uint32_t begin = 0, end = 0;
};

using TemplateItem = std::variant<TemplateText, TemplateExpr, TemplateError>;

// The pieces and problems of `token_text` (a STRING token's text, quotes included; the closing
// quote may be missing), in the order they occur. An error stands where it was found: a stray
// '}' comes before the text around it, which ends only at the next '{' or the end.
std::vector<TemplateItem> scan_template(std::string_view token_text);

}  // namespace alert
