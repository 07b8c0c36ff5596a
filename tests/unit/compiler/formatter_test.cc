// `alertc fmt` as a unit (compiler/parse/formatter.h): the canonical layout of docs/language.md
// §14 for messy input, comments kept where they were, idempotence (fmt(fmt(x)) == fmt(x)), and
// meaning preserved: the formatted text parses to the same syntax tree as the original.
#include "compiler/parse/formatter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "compiler/parse/parser.h"
#include "tests/unit/compiler/ast_dump.h"

namespace alert {
namespace {

std::string fmt_ok(const std::string& text) {
  auto r = format_source(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error()) << "\n" << text;
  return r.ok() ? r.value() : "<refused>";
}

// The parse of `text` without positions, or the first diagnostic.
std::string tree_of(const std::string& text) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  uint32_t id = sources.add_file("f.alert", text);
  auto file = parse_file(sources, id, diags);
  if (!diags.diagnostics().empty()) return "error: " + diags.diagnostics()[0].message;
  return test_ast::dump(*file);
}

// Programs in several styles; every one parses without errors.
const std::vector<std::string>& corpus() {
  static const std::vector<std::string> programs = {
      // Everything on few lines.
      "schema Order{time ts:timestamp,sku:string,   coupon:string?}\n"
      "const A=1\nconst B = [ 1,2 ]\n\n\nconst C=-1\n"
      "rule R on Order where price*qty>A and sku in [\"a\",\"b\"] severity critical\n"
      "labels{team=\"x\",sku=sku} message \"m {sku}\" notify out throttle 10m by sku\n"
      "test \"t\"{given Order[{ts=@2026-01-01T10:00:00Z,sku=\"a\"},{ts=@2026-01-01T10:01:00Z,sku=\"b\"}] "
      "expect R fires 1}\n",
      // Comments of every placement.
      "// header\nschema S { x: int } // trailing\n\n\n/* about the rule */\n\nrule R on S\n"
      "  where x > 1 and // why\n      x < 10\n  // before notify\n  notify out\n"
      "const L = [\n\"a\",\n      \"b\"\n    ]\n",
      // A window rule, channels with map options, a test with idle and every expectation.
      "import \"common.alert\"\nimport \"more.alert\"\n"
      "channel out = stdout {}\n"
      "channel hook = webhook { url = env(\"HOOK\"), headers = { \"X-A\": \"1\", \"X-B\": env(\"B\") }, max_batch = 5 }\n"
      "rule Spike on Order\n    window sliding 1h every 5m\n  lateness 30s group by sku, region as r\n"
      "  let units = sum(qty) let half = units / 2\n"
      "  having units > 3 * mean_prev(units, 6) and not (half between 1 and 10)\n"
      "  for 2h expire 1d severity info\n"
      "  message \"{sku:>8} | {units:6d} | {{raw}}\" resolved_message \"ok {sku}\"\n"
      "  notify out, hook\n"
      "test \"window\" {\n  given Order [ { ts = @2026-01-01T10:00:00Z, sku = \"A\", qty = 3 } ]\n"
      "  idle 10m\n  given Order from \"data/o.csv\"\n  expect Spike fires 1 expect Spike resolved 0\n"
      "  expect Spike { sku = \"A\", message = \"x\" }\n  expect rejects 2\n}\n",
      // Unary minus, calls, lists, null tests, quoted names, CRLF line ends.
      "rule N on S\r\n  where -(a+1)>-b and f( -x , y )is not null and `from` not in [ -1, 2 ]\r\n"
      "  notify out // crlf\r\n",
      // Block comments inline and on their own lines, a file without a final newline.
      "/* a */ rule R on S where x > /* c */ 1\n/* two\n   lines */\n  notify out // last",
  };
  return programs;
}

TEST(Formatter, AMessyProgramGetsTheCanonicalLayout) {
  const std::string expected =
      "schema Order {\n"
      "  time ts: timestamp\n"
      "  sku: string\n"
      "  coupon: string?\n"
      "}\n"
      "\n"
      "const A = 1\n"
      "const B = [1, 2]\n"
      "\n"
      "const C = -1\n"
      "\n"
      "rule R on Order\n"
      "  where price * qty > A and sku in [\"a\", \"b\"]\n"
      "  severity critical\n"
      "  labels { team = \"x\", sku = sku }\n"
      "  message \"m {sku}\"\n"
      "  notify out\n"
      "  throttle 10m by sku\n"
      "\n"
      "test \"t\" {\n"
      "  given Order [\n"
      "    { ts = @2026-01-01T10:00:00Z, sku = \"a\" },\n"
      "    { ts = @2026-01-01T10:01:00Z, sku = \"b\" }\n"
      "  ]\n"
      "  expect R fires 1\n"
      "}\n";
  EXPECT_EQ(fmt_ok(corpus()[0]), expected);
}

TEST(Formatter, CommentsStayAtTheEndOfTheirLineOrOnTheirOwnLine) {
  const std::string expected =
      "// header\n"
      "schema S {\n"
      "  x: int\n"
      "} // trailing\n"
      "\n"
      "/* about the rule */\n"
      "\n"  // the author's blank line between a comment and its declaration stays
      "rule R on S\n"
      "  where x > 1 and // why\n"
      "    x < 10\n"  // a continuation: two more than its clause
      "  // before notify\n"
      "  notify out\n"
      "\n"
      "const L = [\n"
      "  \"a\",\n"  // inside a bracket: two more than the line that opened it
      "  \"b\"\n"
      "]\n";  // the closing bracket lines up with that line
  EXPECT_EQ(fmt_ok(corpus()[1]), expected);
}

TEST(Formatter, InlineBlockCommentsStayInline) {
  EXPECT_EQ(fmt_ok("rule R on S where x > /* c */ 1 notify out // last"),
            "rule R on S\n  where x > /* c */ 1\n  notify out // last\n");
}

TEST(Formatter, SpacingAroundOperatorsCommasAndBrackets) {
  EXPECT_EQ(fmt_ok("const A = f( a ,b )*-( c+1 )- -d\n"), "const A = f(a, b) * -(c + 1) - -d\n");
  EXPECT_EQ(fmt_ok("const A=[ 1 , 2 ,3 ]\n"), "const A = [1, 2, 3]\n");
  EXPECT_EQ(fmt_ok("const A = not(x)or y\n"), "const A = not (x) or y\n");
  EXPECT_EQ(fmt_ok("channel out = stdout {   }\n"), "channel out = stdout {}\n");
  EXPECT_EQ(fmt_ok("schema S { a : int ? }\n"), "schema S {\n  a: int?\n}\n");
}

TEST(Formatter, GroupedImportsConstsAndChannelsKeepTheAuthorsBlankLines) {
  // Consecutive declarations of one kind stay together; a blank line between two stays; a
  // change of kind always gets one.
  EXPECT_EQ(fmt_ok("import \"a\"\nimport \"b\"\nconst X = 1\nconst Y = 2\n\nconst Z = 3\nchannel c = stdout {}\n"),
            "import \"a\"\nimport \"b\"\n\nconst X = 1\nconst Y = 2\n\nconst Z = 3\n\nchannel c = stdout {}\n");
  // Rules and schemas are never grouped.
  EXPECT_EQ(fmt_ok("schema A { x: int }\nschema B { x: int }\n"), "schema A {\n  x: int\n}\n\nschema B {\n  x: int\n}\n");
}

TEST(Formatter, BlankLinesInsideARuleAndAtTheEndAreDropped) {
  EXPECT_EQ(fmt_ok("\n\nrule R on S\n  where x > 1\n\n\n  notify out\n\n\n\n"), "rule R on S\n  where x > 1\n  notify out\n");
}

TEST(Formatter, TestRowsGoOnePerLineWithTheirTrailingComments) {
  EXPECT_EQ(fmt_ok("test \"t\" {\n  given S [ // rows\n    {x=1}, // one\n    {x=2}\n  ]\n}\n"),
            "test \"t\" {\n  given S [ // rows\n    { x = 1 }, // one\n    { x = 2 }\n  ]\n}\n");
}

TEST(Formatter, TestItemsWrittenOnOneLineGetALineEach) {
  EXPECT_EQ(fmt_ok("test \"t\" { given S [ {x=1} ] expect R fires 1 expect rejects 0 }\n"),
            "test \"t\" {\n  given S [\n    { x = 1 }\n  ]\n  expect R fires 1\n  expect rejects 0\n}\n");
}

// `idle D` is a test item like `given` and `expect`; `idle` is a soft keyword (an IDENT), so the
// formatter tells an item's `idle` from a name called idle by where it stands.
TEST(Formatter, IdleGoesOnItsOwnLineLikeGivenAndExpect) {
  EXPECT_EQ(fmt_ok("test \"t\" { given S [ {x=1} ] idle 5m expect R fires 1 }\n"),
            "test \"t\" {\n  given S [\n    { x = 1 }\n  ]\n  idle 5m\n  expect R fires 1\n}\n");
}

TEST(Formatter, AnEmptyFileStaysEmptyAndACommentOnlyFileKeepsItsComment) {
  EXPECT_EQ(fmt_ok(""), "");
  EXPECT_EQ(fmt_ok("\n\n  \n"), "");
  EXPECT_EQ(fmt_ok("  // only a comment   \n\n"), "// only a comment\n");
}

TEST(Formatter, CanonicalTextIsAFixedPoint) {
  const std::string canonical =
      "import \"a.alert\"\n"
      "\n"
      "schema S {\n"
      "  time ts: timestamp\n"
      "  x: int?\n"
      "}\n"
      "\n"
      "rule R on S\n"
      "  window tumbling 5m\n"
      "  group by x as y\n"
      "  having count() > 1\n"
      "  message \"{y}: {count():d}\"\n"
      "  notify out\n";
  EXPECT_EQ(fmt_ok(canonical), canonical);
}

TEST(Formatter, FormattingTwiceChangesNothing) {
  for (const std::string& program : corpus()) {
    std::string once = fmt_ok(program);
    EXPECT_EQ(fmt_ok(once), once) << "input:\n" << program;
  }
}

TEST(Formatter, TheFormattedProgramParsesToTheSameTree) {
  for (const std::string& program : corpus()) {
    std::string before = tree_of(program);
    ASSERT_EQ(before.rfind("error: ", 0), std::string::npos) << before << "\n" << program;
    EXPECT_EQ(tree_of(fmt_ok(program)), before) << "input:\n" << program;
  }
}

TEST(Formatter, TheCorpusReallyNeedsFormatting) {
  // Guards the two tests above: they would pass vacuously on already formatted input.
  for (const std::string& program : corpus()) EXPECT_NE(fmt_ok(program), program);
}

TEST(Formatter, SourceWithLexicalErrorsIsRefused) {
  for (const char* text : {"rule R on S where x # 1 notify out\n", "const A = \"open\nconst B = 1\n"}) {
    auto r = format_source(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_NE(r.error().find("lexical errors"), std::string::npos) << r.error();
  }
}

// formatter.h: "Fails (and changes nothing) on source with lexical errors", and an unterminated
// block comment (`unterminated_comment`) is one, like a stray character or an open string.
TEST(Formatter, AnUnterminatedBlockCommentIsRefusedLikeOtherLexicalErrors) {
  auto r = format_source("const A = 1 /* open\n");
  EXPECT_FALSE(r.ok()) << (r.ok() ? r.value() : "");
}

TEST(Formatter, AClosedBlockCommentIsKept) {
  EXPECT_EQ(fmt_ok("const A = 1 /* closed */\n"), "const A = 1 /* closed */\n");
}

TEST(Formatter, ANameCalledIdleStaysWhereItIs) {
  // Only an `idle` that begins an item gets a line; one that is a rule's name, a state's value
  // or idle's own duration (a const called idle) stays on its item's line.
  EXPECT_EQ(fmt_ok("test \"t\" { idle 5m expect idle fires 1 idle idle expect R resolved idle }\n"),
            "test \"t\" {\n  idle 5m\n  expect idle fires 1\n  idle idle\n  expect R resolved idle\n}\n");
  EXPECT_EQ(fmt_ok("test \"t\" { given S from \"a.csv\" idle 1m given S [ {x=1} ] idle 2m }\n"),
            "test \"t\" {\n  given S from \"a.csv\"\n  idle 1m\n  given S [\n    { x = 1 }\n  ]\n  idle 2m\n}\n");
}

}  // namespace
}  // namespace alert
