// The template scanner as a unit (compiler/parse/template_scanner.h): how a template string's
// text splits into literal text, `{expr}` and `{expr:spec}` (docs/language.md §2.4), and where
// each problem is found. Offsets are bytes into the token's text, opening quote included (the
// parser adds the token's position in the file), so the cases are written as the token reads.
#include "compiler/parse/template_scanner.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace alert {
namespace {

const char* error_name(TemplateError::Kind what) {
  switch (what) {
    case TemplateError::StrayClose: return "stray";
    case TemplateError::Unclosed: return "unclosed";
    case TemplateError::Empty: return "empty";
  }
  return "?";
}

// The items in a line: text@OFFSET"raw", expr@OFFSET"source" (spec@BEGIN-END"spec"), and
// stray@, unclosed@, empty@ with the bytes they are about.
std::string scan(std::string_view token_text) {
  std::string out;
  for (const TemplateItem& item : scan_template(token_text)) {
    if (!out.empty()) out += " | ";
    if (const auto* t = std::get_if<TemplateText>(&item)) {
      out += "text@" + std::to_string(t->offset) + "\"" + t->raw + "\"";
    } else if (const auto* e = std::get_if<TemplateExpr>(&item)) {
      EXPECT_EQ(e->open + 1, e->offset) << "the source starts right after its '{'";
      out += "expr@" + std::to_string(e->offset) + "\"" + e->source + "\"";
      if (e->spec) {
        out += " spec@" + std::to_string(e->spec_begin) + "-" + std::to_string(e->spec_end) + "\"" + *e->spec +
               "\"";
      }
    } else {
      const auto& error = std::get<TemplateError>(item);
      out += std::string(error_name(error.what)) + "@" + std::to_string(error.begin) + "-" +
             std::to_string(error.end);
    }
  }
  return out;
}

TEST(TemplateScannerText, EmptyTemplateHasNoPieces) { EXPECT_EQ(scan(R"("")"), ""); }

TEST(TemplateScannerText, PlainTextIsOnePieceAfterTheQuote) {
  EXPECT_EQ(scan(R"("disk almost full")"), R"(text@1"disk almost full")");
}

TEST(TemplateScannerText, EscapesAreLeftForTheDecoder) {
  // The scanner only keeps an escape whole; decoding (and rejecting `\q`) is the parser's job.
  EXPECT_EQ(scan(R"("a\n\"b\"\t\\\q")"), R"(text@1"a\n\"b\"\t\\\q")");
}

TEST(TemplateScannerText, UnicodeEscapeBraceOpensAnInterpolation) {
  // What happens today: only `\u` is kept as an escape, so the `{` of `\u{1F600}` opens an
  // interpolation (and the decoder rejects the bare `\u`). A plain string decodes it.
  EXPECT_EQ(scan(R"("a \u{1F600}!")"), R"(text@1"a \u" | expr@6"1F600" | text@12"!")");
}

TEST(TemplateScannerText, DoubledBracesAreLiteralBraces) {
  EXPECT_EQ(scan(R"("{{raw}}")"), R"(text@1"{raw}")");
  EXPECT_EQ(scan(R"("a {{ b }} c")"), R"(text@1"a { b } c")");
  EXPECT_EQ(scan(R"("{{{x}}}")"), R"(text@1"{" | expr@4"x" | text@6"}")");
}

TEST(TemplateScannerText, AnEscapedBraceOpensNoInterpolation) {
  // `\{` is kept as an escape (which the decoder then rejects), so no `{x}` starts there and
  // the '}' is stray; it is found before the text around it is complete.
  EXPECT_EQ(scan(R"("\{x}")"), R"(stray@4-5 | text@1"\{x")");
}

TEST(TemplateScannerText, OffsetsCountBytesNotCharacters) {
  EXPECT_EQ(scan("\"\xC3\xA9{x}\""), "text@1\"\xC3\xA9\" | expr@4\"x\"");
}

TEST(TemplateScannerText, MissingClosingQuoteScansToTheEnd) {
  EXPECT_EQ(scan(R"("abc)"), R"(text@1"abc")");
  EXPECT_EQ(scan(R"("{x})"), R"(expr@2"x")");
}

TEST(TemplateScannerExpr, OneExpression) { EXPECT_EQ(scan(R"("{sku}")"), R"(expr@2"sku")"); }

TEST(TemplateScannerExpr, TextAroundExpressions) {
  EXPECT_EQ(scan(R"("order {id} shipped")"), R"(text@1"order " | expr@8"id" | text@11" shipped")");
}

TEST(TemplateScannerExpr, SpacesStayInTheSource) {
  EXPECT_EQ(scan(R"("{ a } {b c } d")"), R"(expr@2" a " | text@6" " | expr@8"b c " | text@13" d")");
}

TEST(TemplateScannerExpr, ManyExpressions) {
  EXPECT_EQ(scan(R"("{a}{b} and {c + 1}")"),
            R"(expr@2"a" | expr@5"b" | text@7" and " | expr@13"c + 1")");
}

TEST(TemplateScannerExpr, SpecAfterTheFirstColon) {
  EXPECT_EQ(scan(R"("{share * 100:.1f}%")"), R"(expr@2"share * 100" spec@14-17".1f" | text@18"%")");
  EXPECT_EQ(scan(R"("{sku:>8}")"), R"(expr@2"sku" spec@6-8">8")");
  // Only the first colon splits: the rest belongs to the spec, as written.
  EXPECT_EQ(scan(R"("{t:a:b}")"), R"(expr@2"t" spec@4-7"a:b")");
}

TEST(TemplateScannerExpr, EmptySpecIsStillASpec) {
  EXPECT_EQ(scan(R"("{x:}")"), R"(expr@2"x" spec@4-4"")");
}

TEST(TemplateScannerExpr, ColonInsideBracketsDoesNotSplit) {
  EXPECT_EQ(scan(R"("{f(a:b)[c:d]:x}")"), R"(expr@2"f(a:b)[c:d]" spec@14-15"x")");
}

TEST(TemplateScannerExpr, TimestampColonsDoNotSplit) {
  EXPECT_EQ(scan(R"("{ts > @2026-01-01T10:00:00Z}")"), R"(expr@2"ts > @2026-01-01T10:00:00Z")");
  EXPECT_EQ(scan(R"("{ts - @2026-01-01T10:00:00.250+02:00 :>8}")"),
            R"(expr@2"ts - @2026-01-01T10:00:00.250+02:00 " spec@39-41">8")");
}

TEST(TemplateScannerExpr, QuotesInsideTheExpressionAreUnescaped) {
  // Inside the template the expression's quotes are escaped; the source has them plain, and a
  // '}' or ':' between them is part of the string.
  EXPECT_EQ(scan(R"("{region == \"EU\"}")"), R"(expr@2"region == "EU"")");
  EXPECT_EQ(scan(R"("{x == \"}:\"}!")"), R"(expr@2"x == "}:"" | text@14"!")");
  EXPECT_EQ(scan(R"("{s == \"a\\\\b\"}")"), R"(expr@2"s == "a\\b"")");
}

TEST(TemplateScannerExpr, BracesDoNotNest) {
  // The first '}' closes: `{a{b}` is the expression, and the last '}' is stray.
  EXPECT_EQ(scan(R"("{a{b}c}")"), R"(expr@2"a{b" | stray@7-8 | text@6"c")");
}

TEST(TemplateScannerErrors, StrayClosingBrace) {
  EXPECT_EQ(scan(R"("a } b")"), R"(stray@3-4 | text@1"a  b")");
  EXPECT_EQ(scan(R"("}")"), "stray@1-2");
}

TEST(TemplateScannerErrors, UnclosedBraceEndsTheScan) {
  EXPECT_EQ(scan(R"("a {b")"), R"(text@1"a " | unclosed@3-4)");
  EXPECT_EQ(scan(R"("{a} {b and more")"), R"(expr@2"a" | text@4" " | unclosed@5-6)");
  // A '}' inside the expression's string closes nothing.
  EXPECT_EQ(scan(R"("{x == \"}\"")"), "unclosed@1-2");
}

TEST(TemplateScannerErrors, EmptyInterpolationStillGivesAPiece) {
  // The error covers the braces; the piece after it keeps the template's shape (and its spec).
  EXPECT_EQ(scan(R"("a {} b")"), R"(text@1"a " | empty@3-5 | expr@4"" | text@5" b")");
  EXPECT_EQ(scan(R"("{ }")"), R"(empty@1-4 | expr@2"")");
  EXPECT_EQ(scan("\"{ \t }\""), R"(empty@1-6 | expr@2"")");
  EXPECT_EQ(scan(R"("{:x}")"), R"(empty@1-5 | expr@2"" spec@3-4"x")");
}

TEST(TemplateScannerErrors, ErrorsComeInSourceOrder) {
  EXPECT_EQ(scan(R"("} {x")"), R"(stray@1-2 | text@2" " | unclosed@3-4)");
  EXPECT_EQ(scan(R"("{} } {y}")"), R"(empty@1-3 | expr@2"" | stray@4-5 | text@3"  " | expr@7"y")");
}

TEST(TemplateScannerText, EveryByteOfTheTextMapsBackToTheSource) {
  // A doubled brace is one byte in `raw` and two in the source, and a stray '}' is in the source
  // only; source_offset() still finds each byte of `raw` (the first brace of a doubled one), so
  // the parser places a bad escape at its backslash wherever it is.
  for (std::string_view token : {R"("{{\q")", R"("}\q")", R"("{{a}} \q")", R"("a }} b }}}} c {{\q")",
                                 R"("x {y} {{ \q }} z")", R"("}} } {{ {a} \q")", "\"\xC3\xA9{{\\q\"",
                                 R"("abc")"}) {
    for (const TemplateItem& item : scan_template(token)) {
      const auto* t = std::get_if<TemplateText>(&item);
      if (!t) continue;
      EXPECT_EQ(t->source_offset(0), t->offset) << token;
      for (size_t k = 0; k < t->raw.size(); ++k) {
        ASSERT_LT(t->source_offset(k), token.size()) << token << " at " << k;
        EXPECT_EQ(token[t->source_offset(k)], t->raw[k]) << token << " at " << k;
      }
    }
  }
  auto backslash = [](std::string_view token) -> int {
    for (const TemplateItem& item : scan_template(token)) {
      const auto* t = std::get_if<TemplateText>(&item);
      if (t && t->raw.find('\\') != std::string::npos) return static_cast<int>(t->source_offset(t->raw.find('\\')));
    }
    return -1;
  };
  EXPECT_EQ(backslash(R"("{{\q")"), 3);
  EXPECT_EQ(backslash(R"("}\q")"), 2);
  EXPECT_EQ(backslash(R"("{{a}} \q")"), 7);
  EXPECT_EQ(backslash(R"("a }} b }}}} c {{\q")"), 17);
  // The text after a stray '}' starts after it.
  EXPECT_EQ(scan(R"("}\q")"), R"(stray@1-2 | text@2"\q")");
  EXPECT_EQ(scan(R"("{{\q")"), R"(text@1"{\q")");
}

}  // namespace
}  // namespace alert
