// Diagnostics as values and as text (compiler/diag/diagnostic.h): messages built from the
// registry's formats, error counts and severities, clang-style rendering ("file:line:col:
// error: message", the source line, a caret and tildes under the range, notes and fix-its), the
// JSON form for editors, and the "did you mean" helpers.
#include "compiler/diag/diagnostic.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace alert {
namespace {

// A source file and an engine over it; ranges are found by the text they cover.
struct Fixture {
  SourceManager sources;
  DiagnosticEngine diags{sources};
  uint32_t file = 0;

  explicit Fixture(std::string text, std::string path = "rules.alert") {
    file = sources.add_file(std::move(path), std::move(text));
  }
  // The `occurrence`-th (0-based) place `needle` appears.
  SourceRange find(std::string_view needle, int occurrence = 0) const {
    std::string_view all = sources.contents(file);
    size_t at = all.find(needle);
    for (int i = 0; i < occurrence && at != std::string_view::npos; ++i) at = all.find(needle, at + 1);
    EXPECT_NE(at, std::string_view::npos) << needle;
    auto begin = static_cast<uint32_t>(at);
    return {{file, begin}, {file, begin + static_cast<uint32_t>(needle.size())}};
  }
  SourceRange at(uint32_t begin, uint32_t end) const { return {{file, begin}, {file, end}}; }
  std::string text() const {
    std::ostringstream out;
    diags.render_text(out);
    return out.str();
  }
  std::string json() const {
    std::ostringstream out;
    diags.render_json(out);
    return out.str();
  }
};

constexpr const char* kRule = "rule R on S\n  where price > limit\n  notify out\n";

// ---------------------------------------------------------------------------------------------
// Building diagnostics.

TEST(Diagnostic, MessagesComeFromTheRegistryWithPositionalArguments) {
  Fixture f(kRule);
  Diagnostic& a = f.diags.report(DiagId::unknown_name, f.find("limit"), "limit");
  EXPECT_EQ(a.message, "unknown name 'limit'");
  Diagnostic& b = f.diags.report(DiagId::keyword_as_name, f.find("where"), "where");
  EXPECT_EQ(b.message, "'where' is a keyword; write `where` in backticks to use it as a name");  // {0} twice
  Diagnostic& c = f.diags.report(DiagId::invalid_utf8, f.find("R"), 0xABu);
  EXPECT_EQ(c.message, "invalid UTF-8 byte 0xab");  // {0:02x}
  Diagnostic& d = f.diags.report(DiagId::invalid_operands, f.find(">"), ">", "string", "int");
  EXPECT_EQ(d.message, "invalid operands to '>': string and int");
  Diagnostic& e = f.diags.report(DiagId::template_unclosed_brace, f.find("R"));
  EXPECT_EQ(e.message, "'{' in a template has no matching '}'; write '{{' for a literal brace");  // escaped braces
  EXPECT_EQ(a.id, DiagId::unknown_name);
  EXPECT_EQ(a.range.begin.offset, f.find("limit").begin.offset);
}

TEST(Diagnostic, KindsHaveANameAndADefaultSeverity) {
  EXPECT_EQ(diag_id_name(DiagId::unknown_name), "unknown_name");
  EXPECT_EQ(diag_id_name(DiagId::file_unreadable), "file_unreadable");  // the first kind
  EXPECT_EQ(diag_id_name(DiagId::unknown_alert_key), "unknown_alert_key");  // the last kind
  EXPECT_EQ(diag_default_severity(DiagId::syntax_error), DiagSeverity::Error);
  EXPECT_EQ(diag_default_severity(DiagId::env_not_set), DiagSeverity::Warning);
  EXPECT_EQ(diag_format(DiagId::unknown_schema), "unknown schema '{0}'");
}

TEST(Diagnostic, OnlyErrorsCountAsErrors) {
  Fixture f(kRule);
  EXPECT_FALSE(f.diags.has_errors());
  f.diags.report(DiagId::env_not_set, f.find("limit"), "LIMIT");
  EXPECT_FALSE(f.diags.has_errors());
  EXPECT_EQ(f.diags.error_count(), 0u);
  f.diags.report(DiagId::unknown_name, f.find("limit"), "limit");
  f.diags.report(DiagId::unknown_channel, f.find("out"), "out");
  EXPECT_TRUE(f.diags.has_errors());
  EXPECT_EQ(f.diags.error_count(), 2u);
  ASSERT_EQ(f.diags.diagnostics().size(), 3u);  // in the order reported
  EXPECT_EQ(f.diags.diagnostics()[0].severity, DiagSeverity::Warning);
  EXPECT_EQ(f.diags.diagnostics()[1].severity, DiagSeverity::Error);
  size_t warnings = 0;
  for (const Diagnostic& d : f.diags.diagnostics()) warnings += d.severity == DiagSeverity::Warning;
  EXPECT_EQ(warnings, 1u);
}

TEST(Diagnostic, ADiagnosticTakenOverKeepsItsSeverityAndCounts) {
  Fixture f(kRule);
  Diagnostic error{DiagId::unknown_rule, DiagSeverity::Error, f.find("R"), "unknown rule 'R'", {}, {}};
  Diagnostic warning{DiagId::env_not_set, DiagSeverity::Warning, f.find("out"), "w", {}, {}};
  f.diags.add(warning);
  EXPECT_FALSE(f.diags.has_errors());
  f.diags.add(error);
  EXPECT_EQ(f.diags.error_count(), 1u);
  EXPECT_EQ(f.diags.diagnostics().back().message, "unknown rule 'R'");
}

TEST(Diagnostic, ReferencesToReportedDiagnosticsStayValid) {
  // report() returns a reference that callers keep to add notes; later reports must not move it.
  Fixture f(kRule);
  Diagnostic& first = f.diags.report(DiagId::unknown_name, f.find("limit"), "limit");
  for (int i = 0; i < 1000; ++i) f.diags.report(DiagId::unknown_name, f.find("price"), "price");
  first.note(f.find("R"), "declared here");
  EXPECT_EQ(f.diags.diagnostics()[0].notes.size(), 1u);
  EXPECT_EQ(f.diags.diagnostics()[0].notes[0].message, "declared here");
}

// ---------------------------------------------------------------------------------------------
// Text.

TEST(DiagnosticText, AnErrorShowsItsLocationTheLineAndACaretWithTildes) {
  Fixture f(kRule);
  f.diags.report(DiagId::unknown_name, f.find("limit"), "limit");
  EXPECT_EQ(f.text(),
            "rules.alert:2:17: error: unknown name 'limit'\n"
            "  where price > limit\n"
            "                ^~~~~\n");
}

TEST(DiagnosticText, AWarningSaysWarning) {
  Fixture f(kRule);
  f.diags.report(DiagId::env_not_set, f.find("price"), "PRICE");
  EXPECT_EQ(f.text(),
            "rules.alert:2:9: warning: environment variable 'PRICE' is not set; 'alertc run' will refuse this "
            "program until it is\n"
            "  where price > limit\n"
            "        ^~~~~\n");
}

TEST(DiagnosticText, NotesFollowTheirDiagnosticWithTheirOwnSnippet) {
  Fixture f("rule R on S\n  where x > 1\n  where x > 2\n");
  f.diags.report(DiagId::duplicate_clause, f.find("where", 1), "where", "R")
      .note(f.find("where x > 1"), "first 'where' is here");
  EXPECT_EQ(f.text(),
            "rules.alert:3:3: error: 'where' appears twice in rule 'R'\n"
            "  where x > 2\n"
            "  ^~~~~\n"
            "rules.alert:2:3: note: first 'where' is here\n"
            "  where x > 1\n"
            "  ^~~~~~~~~~~\n");
}

TEST(DiagnosticText, AFixItIsShownUnderTheCaretWhenItStartsThere) {
  Fixture f("rule R on S\n  where region = \"EU\"\n");
  f.diags.report(DiagId::assignment_in_condition, f.find("=")).fix(f.find("="), "==");
  EXPECT_EQ(f.text(),
            "rules.alert:2:16: error: '=' in a condition; use '==' to compare\n"
            "  where region = \"EU\"\n"
            "               ^\n"
            "               ==\n");
}

TEST(DiagnosticText, AFixItElsewhereIsNotShownInTheSnippet) {
  Fixture f("rule R on S\n  where region = \"EU\"\n");
  f.diags.report(DiagId::unknown_name, f.find("region"), "region").fix(f.find("EU"), "US");
  EXPECT_EQ(f.text(),
            "rules.alert:2:9: error: unknown name 'region'\n"
            "  where region = \"EU\"\n"
            "        ^~~~~~\n");
}

TEST(DiagnosticText, ARangeOverSeveralLinesIsCutAtTheEndOfTheFirst) {
  Fixture f(kRule);
  SourceRange r{f.find("price").begin, f.find("notify").end};
  f.diags.report(DiagId::syntax_error, r, "something");
  EXPECT_EQ(f.text(),
            "rules.alert:2:9: error: something\n"
            "  where price > limit\n"
            "        ^~~~~~~~~~~~~\n");  // "price > limit" is 13 bytes
}

TEST(DiagnosticText, AnEmptyRangeGetsOneCaret) {
  Fixture f(kRule);
  uint32_t at = f.find("limit").begin.offset;
  f.diags.report(DiagId::syntax_error, f.at(at, at), "unexpected end of file");
  EXPECT_EQ(f.text(),
            "rules.alert:2:17: error: unexpected end of file\n"
            "  where price > limit\n"
            "                ^\n");
}

TEST(DiagnosticText, AnErrorAtTheEndOfAFileWithoutNewlinePointsPastTheLastCharacter) {
  Fixture f("const A = (1");
  uint32_t end = static_cast<uint32_t>(std::string_view("const A = (1").size());
  f.diags.report(DiagId::syntax_error, f.at(end, end), "unexpected end of file");
  EXPECT_EQ(f.text(),
            "rules.alert:1:13: error: unexpected end of file\n"
            "const A = (1\n"
            "            ^\n");
}

TEST(DiagnosticText, TabsBeforeTheRangeAreKeptSoTheCaretLinesUp) {
  Fixture f("rule R on S\n\twhere\tx > y\n");
  f.diags.report(DiagId::unknown_name, f.find("y"), "y");
  EXPECT_EQ(f.text(),
            "rules.alert:2:12: error: unknown name 'y'\n"
            "\twhere\tx > y\n"
            "\t     \t    ^\n");
}

TEST(DiagnosticText, CarriageReturnsAreNotPartOfTheShownLine) {
  Fixture f("rule R on S\r\n  where x > y\r\n");
  f.diags.report(DiagId::unknown_name, f.find("y"), "y");
  EXPECT_EQ(f.text(),
            "rules.alert:2:13: error: unknown name 'y'\n"
            "  where x > y\n"
            "            ^\n");
}

TEST(DiagnosticText, ADiagnosticWithoutALocationHasNoSnippet) {
  Fixture f(kRule);
  f.diags.report(DiagId::file_unreadable, SourceRange{}, "missing.alert", "No such file or directory");
  EXPECT_EQ(f.text(), "alertc: error: cannot read 'missing.alert': No such file or directory\n");
}

TEST(DiagnosticText, AVeryLongLineIsNotShown) {
  std::string line = "const A = " + std::string(500, '1');
  Fixture f(line + "\n");
  f.diags.report(DiagId::int_literal_too_large, f.find("1111"), "1...");
  EXPECT_EQ(f.text(), "rules.alert:1:11: error: integer literal '1...' does not fit in 64 bits\n");
}

TEST(DiagnosticText, LocationsInSeveralFilesNameTheirFile) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  uint32_t a = sources.add_file("a.alert", "import \"b.alert\"\n");
  uint32_t b = sources.add_file("dir/b.alert", "\n\nimport \"a.alert\"\n");
  diags.report(DiagId::import_cycle, SourceRange{{b, 9}, {b, 18}}, "a.alert -> dir/b.alert -> a.alert")
      .note(SourceRange{{a, 7}, {a, 16}}, "imported here");
  std::ostringstream out;
  diags.render_text(out);
  EXPECT_EQ(out.str(),
            "dir/b.alert:3:8: error: import cycle: a.alert -> dir/b.alert -> a.alert\n"
            "import \"a.alert\"\n"
            "       ^~~~~~~~~\n"
            "a.alert:1:8: note: imported here\n"
            "import \"b.alert\"\n"
            "       ^~~~~~~~~\n");
}

TEST(DiagnosticText, EveryDiagnosticIsRenderedInOrder) {
  Fixture f(kRule);
  f.diags.report(DiagId::unknown_name, f.find("limit"), "limit");
  f.diags.report(DiagId::unknown_channel, f.find("out"), "out");
  std::string text = f.text();
  size_t first = text.find("rules.alert:2:17: error: unknown name 'limit'");
  size_t second = text.find("rules.alert:3:10: error: unknown channel 'out'");
  ASSERT_NE(first, std::string::npos) << text;
  ASSERT_NE(second, std::string::npos) << text;
  EXPECT_LT(first, second);
}

TEST(DiagnosticText, ColorMarksSeverityAndCaret) {
  Fixture f(kRule);
  f.diags.report(DiagId::unknown_name, f.find("limit"), "limit");
  f.diags.report(DiagId::env_not_set, f.find("price"), "P");
  std::ostringstream out;
  f.diags.render_text(out, /*color=*/true);
  std::string text = out.str();
  EXPECT_NE(text.find("\033[1mrules.alert:2:17: \033[0m\033[1;31merror: \033[0m\033[1munknown name 'limit'\033[0m\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("\033[1;36mwarning: \033[0m"), std::string::npos) << text;
  EXPECT_NE(text.find("\033[1;32m^~~~~\033[0m\n"), std::string::npos) << text;
  // Without color there is no escape at all.
  EXPECT_EQ(f.text().find('\033'), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// JSON.

TEST(DiagnosticJson, OneObjectPerLineWithOneBasedPositions) {
  Fixture f(kRule);
  f.diags.report(DiagId::unknown_name, f.find("limit"), "limit").note(f.find("price"), "near \"price\"\n");
  f.diags.report(DiagId::assignment_in_condition, f.find(">")).fix(f.find(">"), "==");
  f.diags.report(DiagId::file_unreadable, SourceRange{}, "x", "gone");
  std::istringstream lines(f.json());
  std::string line;
  std::vector<nlohmann::json> objects;
  while (std::getline(lines, line)) objects.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(objects.size(), 3u);

  const auto& a = objects[0];
  EXPECT_EQ(a["id"], "unknown_name");
  EXPECT_EQ(a["severity"], "error");
  EXPECT_EQ(a["message"], "unknown name 'limit'");
  EXPECT_EQ(a["range"]["file"], "rules.alert");
  EXPECT_EQ(a["range"]["line"], 2);
  EXPECT_EQ(a["range"]["column"], 17);
  EXPECT_EQ(a["range"]["end_line"], 2);
  EXPECT_EQ(a["range"]["end_column"], 22);
  ASSERT_EQ(a["notes"].size(), 1u);
  EXPECT_EQ(a["notes"][0]["message"], "near \"price\"\n");  // escaped and read back whole
  EXPECT_EQ(a["notes"][0]["range"]["column"], 9);
  EXPECT_FALSE(a.contains("fixit"));

  const auto& b = objects[1];
  EXPECT_EQ(b["fixit"]["replacement"], "==");
  EXPECT_EQ(b["fixit"]["range"]["column"], 15);
  EXPECT_TRUE(b["notes"].empty());

  EXPECT_TRUE(objects[2]["range"].is_null());
}

TEST(DiagnosticJson, ControlCharactersAreEscaped) {
  Fixture f(kRule);
  f.diags.report(DiagId::syntax_error, f.find("R"), std::string("a\tb\x01" "c\\d"));
  std::string json = f.json();
  EXPECT_NE(json.find(R"("message":"a\tb\u0001c\\d")"), std::string::npos) << json;
  EXPECT_EQ(nlohmann::json::parse(json)["message"], "a\tb\x01" "c\\d");
}

// ---------------------------------------------------------------------------------------------
// "Did you mean".

TEST(DiagnosticSuggestions, EditDistanceIsLevenshteinIgnoringCase) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("Price", "price"), 0u);
  EXPECT_EQ(edit_distance("pirce", "price"), 2u);  // a swap is two edits
}

TEST(DiagnosticSuggestions, TheClosestNameWithinALengthScaledDistance) {
  EXPECT_EQ(closest_name("prise", {"qty", "price"}), "price");
  EXPECT_EQ(closest_name("zzzzz", {"price", "qty"}), "");
  EXPECT_EQ(closest_name("x", {}), "");
  // Distance 2 is too far for a five-letter name (limit 1) but fine for a nine-letter one (3).
  EXPECT_EQ(closest_name("pirce", {"price"}), "");
  EXPECT_EQ(closest_name("timsetamp", {"timestamp"}), "timestamp");
}

TEST(DiagnosticSuggestions, AbbreviationsAndTheFirstLetterWin) {
  // cnt means count, not int, though int is closer by edit distance.
  EXPECT_EQ(closest_name("cnt", {"int", "count"}), "count");
  // Among names as close, one with the same first letter is preferred.
  EXPECT_EQ(closest_name("bat", {"cat", "bag"}), "bag");
}

}  // namespace
}  // namespace alert
