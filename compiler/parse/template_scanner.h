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
  // Where `raw` starts. The parser places a bad escape at `offset` + its index in `raw`, which
  // is early by one for each `{{`, `}}` or stray '}' before it in the text (shorter in `raw` than
  // in the source, or not in it), and a text that begins with an escape or a doubled brace right
  // after stray '}'s has `offset` at the first of those '}'s. Kept so: diagnostics are golden.
  uint32_t offset = 0;
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
