// The parser as a unit (compiler/parse/parser.h, program_loader.h): small in-memory sources in,
// the syntax tree out. Expressions are compared as S-expressions printed by this file, so each
// test states the tree it expects (precedence, associativity, the shape of `in`, `between` and
// `is null`); declarations are checked field by field; syntax errors by kind and position.
#include "compiler/parse/parser.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "compiler/parse/program_loader.h"
#include "tests/unit/compiler/ast_dump.h"

namespace alert {
namespace {

using ast::ExprKind;
using test_ast::dump;

struct Parsed {
  SourceManager sources;
  std::unique_ptr<DiagnosticEngine> diags;
  std::unique_ptr<ast::File> file;
  uint32_t id = 0;

  // The source text a range covers.
  std::string text(SourceRange r) const { return std::string(sources.text(r)); }
  LineCol at(SourceRange r) const { return sources.line_col(r.begin); }
  const std::deque<Diagnostic>& all() const { return diags->diagnostics(); }
  std::string list() const {
    std::string out;
    for (const Diagnostic& d : all()) {
      LineCol lc = sources.line_col(d.range.begin);
      out += fmt::format("{}:{}: {} ({})\n", lc.line, lc.column, d.message, diag_id_name(d.id));
    }
    return out;
  }
};

std::unique_ptr<Parsed> parse(std::string text) {
  auto p = std::make_unique<Parsed>();
  p->id = p->sources.add_file("test.alert", std::move(text));
  p->diags = std::make_unique<DiagnosticEngine>(p->sources);
  p->file = parse_file(p->sources, p->id, *p->diags);
  return p;
}

// A rule whose `where` is `expr`; the test fails when the parse reports anything.
std::unique_ptr<Parsed> with_where(const std::string& expr) {
  auto p = parse("rule R on S\n  where " + expr + "\n");
  EXPECT_TRUE(p->all().empty()) << expr << "\n" << p->list();
  return p;
}

std::string where_tree(const std::string& expr) {
  auto p = with_where(expr);
  if (p->file->rules.size() != 1 || !p->file->rules[0].where) return "<no where>";
  return dump(*p->file->rules[0].where);
}

// The value of `const A = <expr>`.
std::string const_tree(const std::string& expr) {
  auto p = parse("const A = " + expr + "\n");
  EXPECT_TRUE(p->all().empty()) << expr << "\n" << p->list();
  if (p->file->consts.size() != 1 || !p->file->consts[0].value) return "<no const>";
  return dump(*p->file->consts[0].value);
}

constexpr int64_t kSecond = 1'000'000'000;

// ---------------------------------------------------------------------------------------------
// Schemas, consts, channels, imports.

TEST(ParserSchema, FieldsKeepNameTypeNullabilityAndTheTimeMarker) {
  auto p = parse("schema Order {\n  time ts: timestamp\n  sku: string,\n  coupon: string?\n  `from`: int\n}\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  ASSERT_EQ(p->file->schemas.size(), 1u);
  const ast::SchemaDecl& s = p->file->schemas[0];
  EXPECT_EQ(s.name, "Order");
  EXPECT_EQ(p->text(s.range), "Order");
  ASSERT_EQ(s.fields.size(), 4u);

  EXPECT_EQ(s.fields[0].name, "ts");
  EXPECT_EQ(s.fields[0].type_name, "timestamp");
  EXPECT_TRUE(s.fields[0].is_time);
  EXPECT_FALSE(s.fields[0].nullable);

  EXPECT_EQ(s.fields[1].name, "sku");
  EXPECT_EQ(s.fields[1].type_name, "string");
  EXPECT_FALSE(s.fields[1].is_time);
  EXPECT_FALSE(s.fields[1].nullable);

  EXPECT_EQ(s.fields[2].name, "coupon");
  EXPECT_EQ(s.fields[2].type_name, "string");
  EXPECT_TRUE(s.fields[2].nullable);
  EXPECT_EQ(p->text(s.fields[2].type_range), "string?");
  EXPECT_EQ(p->at(s.fields[2].range).line, 4u);
  EXPECT_EQ(p->at(s.fields[2].range).column, 3u);

  EXPECT_EQ(s.fields[3].name, "from");  // backticks make a keyword a name, and are not part of it
  EXPECT_EQ(s.fields[3].type_name, "int");
}

TEST(ParserSchema, AMisspeltTimeMarkerIsReportedAtTheMarkerAndTheFieldKept) {
  auto p = parse("schema S {\n  tmie ts: timestamp\n}\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.id, DiagId::expected_time_marker);
  EXPECT_EQ(p->at(d.range).line, 2u);
  EXPECT_EQ(p->at(d.range).column, 3u);
  EXPECT_EQ(p->text(d.range), "tmie");
  ASSERT_EQ(p->file->schemas.size(), 1u);
  ASSERT_EQ(p->file->schemas[0].fields.size(), 1u);
  EXPECT_EQ(p->file->schemas[0].fields[0].name, "ts");
  EXPECT_FALSE(p->file->schemas[0].fields[0].is_time);
}

TEST(ParserDecls, ImportsConstsAndChannelsWithScalarAndMapOptions) {
  auto p = parse(
      "import \"common.alert\"\n"
      "import \"std/time.alert\"\n"
      "const BIG = 5_000.0\n"
      "const VIP = [\"EU\", \"US\"]\n"
      "channel out = stdout {}\n"
      "channel hook = webhook { url = env(\"HOOK_URL\"), headers = { \"X-Token\": env(\"TOKEN\"), \"X-Team\": \"ops\" },\n"
      "  from = \"a@b\", max_retries = 3, }\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  const ast::File& f = *p->file;

  ASSERT_EQ(f.imports.size(), 2u);
  EXPECT_EQ(f.imports[0].path, "common.alert");
  EXPECT_EQ(f.imports[1].path, "std/time.alert");
  EXPECT_EQ(p->text(f.imports[0].range), "\"common.alert\"");

  ASSERT_EQ(f.consts.size(), 2u);
  EXPECT_EQ(f.consts[0].name, "BIG");
  EXPECT_EQ(dump(*f.consts[0].value), "f:5000");
  EXPECT_EQ(f.consts[1].name, "VIP");
  EXPECT_EQ(dump(*f.consts[1].value), "[\"EU\" \"US\"]");

  ASSERT_EQ(f.channels.size(), 2u);
  EXPECT_EQ(f.channels[0].name, "out");
  EXPECT_EQ(f.channels[0].kind, "stdout");
  EXPECT_TRUE(f.channels[0].options.empty());

  const ast::ChannelDecl& hook = f.channels[1];
  EXPECT_EQ(hook.kind, "webhook");
  EXPECT_EQ(p->text(hook.kind_range), "webhook");
  ASSERT_EQ(hook.options.size(), 4u);
  EXPECT_EQ(hook.options[0].name, "url");
  EXPECT_FALSE(hook.options[0].is_map);
  EXPECT_EQ(dump(*hook.options[0].value), "(call env \"HOOK_URL\")");
  EXPECT_EQ(hook.options[1].name, "headers");
  EXPECT_TRUE(hook.options[1].is_map);
  ASSERT_EQ(hook.options[1].entries.size(), 2u);
  EXPECT_EQ(hook.options[1].entries[0].first, "X-Token");
  EXPECT_EQ(dump(*hook.options[1].entries[0].second), "(call env \"TOKEN\")");
  EXPECT_EQ(hook.options[1].entries[1].first, "X-Team");
  EXPECT_EQ(dump(*hook.options[1].entries[1].second), "\"ops\"");
  EXPECT_EQ(hook.options[2].name, "from");  // a reserved word is a plain name for an option
  EXPECT_EQ(dump(*hook.options[2].value), "\"a@b\"");
  EXPECT_EQ(hook.options[3].name, "max_retries");
  EXPECT_EQ(dump(*hook.options[3].value), "3");
}

// ---------------------------------------------------------------------------------------------
// Expressions: precedence, loosest first: or; and; not; comparisons, in, between, is; + -; * / %;
// unary -; calls and parentheses.

TEST(ParserExpr, OrBindsLooserThanAnd) {
  EXPECT_EQ(where_tree("a or b and c"), "(or a (and b c))");
  EXPECT_EQ(where_tree("a and b or c"), "(or (and a b) c)");
  EXPECT_EQ(where_tree("a or b or c"), "(or (or a b) c)");
}

TEST(ParserExpr, NotBindsLooserThanComparisonButTighterThanAnd) {
  EXPECT_EQ(where_tree("not a == b and c"), "(and (not (== a b)) c)");
  EXPECT_EQ(where_tree("not not a"), "(not (not a))");
}

TEST(ParserExpr, ArithmeticHasTwoLevelsAndAssociatesToTheLeft) {
  EXPECT_EQ(where_tree("a + b * c - d / e % f"), "(- (+ a (* b c)) (% (/ d e) f))");
  EXPECT_EQ(where_tree("a - b - c"), "(- (- a b) c)");
  EXPECT_EQ(where_tree("a / b * c"), "(* (/ a b) c)");
}

TEST(ParserExpr, ComparisonBindsLooserThanArithmetic) {
  EXPECT_EQ(where_tree("a + b > c * 2"), "(> (+ a b) (* c 2))");
  EXPECT_EQ(where_tree("price * qty > BIG and region in VIP"), "(and (> (* price qty) BIG) (in region VIP))");
}

TEST(ParserExpr, EveryComparisonOperatorHasItsOwnOp) {
  for (const char* op : {"==", "!=", "<", "<=", ">", ">="}) {
    EXPECT_EQ(where_tree(std::string("a ") + op + " b + 1"), std::string("(") + op + " a (+ b 1))") << op;
  }
}

TEST(ParserExpr, UnaryMinusBindsTighterThanMultiplication) {
  EXPECT_EQ(where_tree("-a * b"), "(* (neg a) b)");
  EXPECT_EQ(where_tree("- -a"), "(neg (neg a))");
  EXPECT_EQ(where_tree("a - -b"), "(- a (neg b))");
}

TEST(ParserExpr, ParenthesesOverridePrecedenceAndAreMarked) {
  auto p = with_where("(a + b) * c");
  const ast::Expr& e = *p->file->rules[0].where;
  EXPECT_EQ(dump(e), "(* (+ a b) c)");
  EXPECT_FALSE(e.parenthesized);
  EXPECT_TRUE(e.children[0]->parenthesized);
  EXPECT_EQ(p->text(e.children[0]->range), "(a + b)");
  EXPECT_EQ(p->text(e.range), "(a + b) * c");
}

TEST(ParserExpr, InAndNotInTakeTheirRightSide) {
  EXPECT_EQ(where_tree("region in [\"EU\", \"US\"]"), "(in region [\"EU\" \"US\"])");
  EXPECT_EQ(where_tree("x not in [1, 2, 3,]"), "(not-in x [1 2 3])");
  EXPECT_EQ(where_tree("x in VIP or y"), "(or (in x VIP) y)");
}

TEST(ParserExpr, BetweenTakesItsOwnAnd) {
  EXPECT_EQ(where_tree("x between 1 and 10 and y"), "(and (between x 1 10) y)");
  EXPECT_EQ(where_tree("x not between lo and hi + 1"), "(not-between x lo (+ hi 1))");
}

TEST(ParserExpr, IsNullAndIsNotNull) {
  EXPECT_EQ(where_tree("c is null or d is not null"), "(or (is-null c) (is-not-null d))");
  EXPECT_EQ(where_tree("not c is null"), "(not (is-null c))");
}

TEST(ParserExpr, CallsTakeZeroOrMoreArguments) {
  auto p = with_where("count() > max(a, b + 1)");
  const ast::Expr& e = *p->file->rules[0].where;
  EXPECT_EQ(dump(e), "(> (call count) (call max a (+ b 1)))");
  EXPECT_EQ(p->text(e.children[1]->name_range), "max");
  EXPECT_EQ(p->text(e.children[1]->range), "max(a, b + 1)");
}

TEST(ParserExpr, ExpressionRangesCoverTheirText) {
  auto p = with_where("a * b + c");
  const ast::Expr& e = *p->file->rules[0].where;
  EXPECT_EQ(p->text(e.range), "a * b + c");
  EXPECT_EQ(p->text(e.children[0]->range), "a * b");
  EXPECT_EQ(p->text(e.children[1]->range), "c");
  EXPECT_EQ(p->at(e.children[1]->range).line, 2u);
  EXPECT_EQ(p->at(e.children[1]->range).column, 17u);
}

// ---------------------------------------------------------------------------------------------
// Literals.

TEST(ParserLiteral, IntsDropTheirUnderscores) {
  EXPECT_EQ(const_tree("1_000_000"), "1000000");
  EXPECT_EQ(const_tree("0"), "0");
}

TEST(ParserLiteral, TheSmallestIntIsOneLiteralOtherNegativesAreNegations) {
  auto p = parse("const A = -9223372036854775808\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  const ast::Expr& e = *p->file->consts[0].value;
  ASSERT_EQ(e.kind, ExprKind::Literal);
  EXPECT_EQ(e.literal.i, INT64_MIN);
  EXPECT_EQ(const_tree("-5"), "(neg 5)");
}

TEST(ParserLiteral, FloatsInEveryWrittenForm) {
  auto value = [](const std::string& text) {
    auto p = parse("const A = " + text + "\n");
    EXPECT_TRUE(p->all().empty()) << text << "\n" << p->list();
    EXPECT_EQ(p->file->consts[0].value->literal.kind, TypeKind::Float) << text;
    return p->file->consts[0].value->literal.f;
  };
  EXPECT_DOUBLE_EQ(value("0.5"), 0.5);
  EXPECT_DOUBLE_EQ(value("10_000.0"), 10000.0);
  EXPECT_DOUBLE_EQ(value("1e-3"), 0.001);
  EXPECT_DOUBLE_EQ(value("2.5E6"), 2.5e6);
}

TEST(ParserLiteral, DurationsAddUpTheirParts) {
  EXPECT_EQ(const_tree("250ms"), fmt::format("dur:{}", 250'000'000));
  EXPECT_EQ(const_tree("90s"), fmt::format("dur:{}", 90 * kSecond));
  EXPECT_EQ(const_tree("1h30m"), fmt::format("dur:{}", 5400 * kSecond));
  EXPECT_EQ(const_tree("2d"), fmt::format("dur:{}", 2 * 86400 * kSecond));
  EXPECT_EQ(const_tree("1m30s500ms"), fmt::format("dur:{}", 90 * kSecond + 500'000'000));
}

TEST(ParserLiteral, TimestampsAreRfc3339InUtc) {
  const int64_t ten_am = 1767261600 * kSecond;  // 2026-01-01T10:00:00Z
  EXPECT_EQ(const_tree("@2026-01-01T10:00:00Z"), fmt::format("ts:{}", ten_am));
  EXPECT_EQ(const_tree("@2026-01-01T12:00:00.250+02:00"), fmt::format("ts:{}", ten_am + 250'000'000));
}

TEST(ParserLiteral, StringEscapesAreDecoded) {
  auto p = parse(R"(const A = "a\"b\\c\nd\te\r\u{1F600}")" "\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  EXPECT_EQ(p->file->consts[0].value->literal.s, "a\"b\\c\nd\te\r\xF0\x9F\x98\x80");
}

TEST(ParserLiteral, BoolsAndNull) {
  EXPECT_EQ(const_tree("true"), "true");
  EXPECT_EQ(const_tree("false"), "false");
  EXPECT_EQ(const_tree("null"), "null");
}

TEST(ParserLiteral, BadLiteralsAreReportedAtTheLiteral) {
  struct Case {
    const char* text;
    DiagId id;
  } cases[] = {
      {"9223372036854775808", DiagId::int_literal_too_large},
      {"@2026-13-01T00:00:00Z", DiagId::invalid_timestamp},
      {"99999999999999999d", DiagId::duration_too_large},
  };
  for (const Case& c : cases) {
    auto p = parse(std::string("const A = ") + c.text + "\n");
    ASSERT_EQ(p->all().size(), 1u) << c.text << "\n" << p->list();
    EXPECT_EQ(p->all()[0].id, c.id) << c.text;
    EXPECT_EQ(p->text(p->all()[0].range), c.text);
    EXPECT_EQ(p->at(p->all()[0].range).column, 11u) << c.text;
  }
}

TEST(ParserLiteral, AnUnknownEscapeIsReportedAtTheBackslash) {
  auto p = parse("const A = \"ab\\qc\"\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  EXPECT_EQ(p->all()[0].id, DiagId::invalid_escape);
  EXPECT_EQ(p->all()[0].message, "unknown escape sequence '\\q'");
  EXPECT_EQ(p->at(p->all()[0].range).column, 14u);
  EXPECT_EQ(p->text(p->all()[0].range), "\\q");
}

// ---------------------------------------------------------------------------------------------
// Rules.

TEST(ParserRule, RowRuleClausesLandInTheirFields) {
  auto p = parse(
      "rule HighValueOrder on Order\n"
      "  where price * qty > BIG and region in VIP\n"
      "  severity critical\n"
      "  labels { team = \"payments\", sku = sku, where = \"eu\" }\n"
      "  message \"order {order_id}\"\n"
      "  notify out, pager\n"
      "  throttle 10m by sku, region\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  ASSERT_EQ(p->file->rules.size(), 1u);
  const ast::RuleDecl& r = p->file->rules[0];
  EXPECT_EQ(r.name, "HighValueOrder");
  EXPECT_EQ(r.schema_name, "Order");
  EXPECT_EQ(p->text(r.schema_range), "Order");
  EXPECT_EQ(r.window, ast::WindowKind::None);
  ASSERT_TRUE(r.where);
  EXPECT_EQ(dump(*r.where), "(and (> (* price qty) BIG) (in region VIP))");
  EXPECT_EQ(r.severity, ast::Severity::Critical);

  ASSERT_EQ(r.labels.size(), 3u);
  EXPECT_EQ(r.labels[0].name, "team");
  ASSERT_EQ(r.labels[0].value.pieces.size(), 1u);
  EXPECT_EQ(r.labels[0].value.pieces[0].text, "payments");
  EXPECT_FALSE(r.labels[0].value.pieces[0].expr);
  EXPECT_EQ(r.labels[1].name, "sku");
  ASSERT_EQ(r.labels[1].value.pieces.size(), 1u);
  ASSERT_TRUE(r.labels[1].value.pieces[0].expr);  // not a string: shown as the value's text
  EXPECT_EQ(dump(*r.labels[1].value.pieces[0].expr), "sku");
  EXPECT_EQ(r.labels[2].name, "where");  // a reserved word is a plain name for a label

  ASSERT_TRUE(r.message);
  ASSERT_EQ(r.message->pieces.size(), 2u);
  EXPECT_EQ(r.message->pieces[0].text, "order ");
  EXPECT_EQ(dump(*r.message->pieces[1].expr), "order_id");

  ASSERT_EQ(r.notify.size(), 2u);
  EXPECT_EQ(r.notify[0].first, "out");
  EXPECT_EQ(r.notify[1].first, "pager");
  EXPECT_EQ(p->text(r.notify[1].second), "pager");

  ASSERT_TRUE(r.throttle);
  EXPECT_EQ(dump(*r.throttle), fmt::format("dur:{}", 600 * kSecond));
  ASSERT_EQ(r.throttle_by.size(), 2u);
  EXPECT_EQ(dump(*r.throttle_by[0]), "sku");
  EXPECT_EQ(dump(*r.throttle_by[1]), "region");
}

TEST(ParserRule, WindowRuleClausesLandInTheirFields) {
  auto p = parse(
      "rule Spike on Order\n"
      "  window sliding 1h every 5m\n"
      "  lateness 30s\n"
      "  group by sku, region as r\n"
      "  let units = sum(qty)\n"
      "  let half = units / 2\n"
      "  having units > 3 * mean_prev(units, 6)\n"
      "  for 2h\n"
      "  expire 1d\n"
      "  severity info\n"
      "  message \"{sku}\"\n"
      "  resolved_message \"back to normal\"\n"
      "  notify out\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  const ast::RuleDecl& r = p->file->rules[0];
  EXPECT_EQ(r.window, ast::WindowKind::Sliding);
  EXPECT_EQ(p->text(r.window_range), "window sliding 1h every 5m");
  EXPECT_EQ(dump(*r.window_size), fmt::format("dur:{}", 3600 * kSecond));
  EXPECT_EQ(dump(*r.window_step), fmt::format("dur:{}", 300 * kSecond));
  EXPECT_EQ(dump(*r.lateness), fmt::format("dur:{}", 30 * kSecond));

  ASSERT_EQ(r.group_by.size(), 2u);
  EXPECT_EQ(dump(*r.group_by[0].expr), "sku");
  EXPECT_EQ(r.group_by[0].alias, "");
  EXPECT_EQ(dump(*r.group_by[1].expr), "region");
  EXPECT_EQ(r.group_by[1].alias, "r");

  ASSERT_EQ(r.lets.size(), 2u);  // in source order
  EXPECT_EQ(r.lets[0].name, "units");
  EXPECT_EQ(dump(*r.lets[0].expr), "(call sum qty)");
  EXPECT_EQ(r.lets[1].name, "half");
  EXPECT_EQ(dump(*r.lets[1].expr), "(/ units 2)");

  EXPECT_EQ(dump(*r.having), "(> units (* 3 (call mean_prev units 6)))");
  EXPECT_EQ(dump(*r.for_duration), fmt::format("dur:{}", 7200 * kSecond));
  EXPECT_EQ(dump(*r.expire), fmt::format("dur:{}", 86400 * kSecond));
  EXPECT_EQ(r.severity, ast::Severity::Info);
  ASSERT_TRUE(r.resolved_message);
  ASSERT_EQ(r.resolved_message->pieces.size(), 1u);
  EXPECT_EQ(r.resolved_message->pieces[0].text, "back to normal");
  EXPECT_FALSE(r.where);
}

TEST(ParserRule, TumblingWindowHasNoStepAndSeverityDefaultsToWarning) {
  auto p = parse("rule T on S\n  window tumbling 5m\n  having count() > 1\n  notify out\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  const ast::RuleDecl& r = p->file->rules[0];
  EXPECT_EQ(r.window, ast::WindowKind::Tumbling);
  EXPECT_EQ(dump(*r.window_size), fmt::format("dur:{}", 300 * kSecond));
  EXPECT_FALSE(r.window_step);
  EXPECT_EQ(r.severity, ast::Severity::Warning);
  EXPECT_FALSE(r.message);
  EXPECT_FALSE(r.throttle);
}

TEST(ParserRule, ADuplicateClauseIsReportedWithANoteAtTheFirst) {
  auto p = parse("rule R on S\n  where x > 1\n  where x > 2\n  notify out\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.id, DiagId::duplicate_clause);
  EXPECT_EQ(d.message, "'where' appears twice in rule 'R'");
  EXPECT_EQ(p->at(d.range).line, 3u);
  EXPECT_EQ(p->text(d.range), "where");
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(p->at(d.notes[0].range).line, 2u);
  EXPECT_EQ(p->text(d.notes[0].range), "where x > 1");
  EXPECT_EQ(dump(*p->file->rules[0].where), "(> x 1)");  // the first one counts
}

TEST(ParserRule, MisspeltSoftKeywordsAreReportedWhereTheyStand) {
  struct Case {
    const char* clause;
    DiagId id;
    const char* at;
  } cases[] = {
      {"severity urgent", DiagId::unknown_severity, "urgent"},
      {"resolve_message \"x\"", DiagId::unknown_clause, "resolve_message"},
      {"group by x ass y", DiagId::expected_as, "ass"},
  };
  for (const Case& c : cases) {
    auto p = parse(std::string("rule R on S\n  where x > 1\n  ") + c.clause + "\n  notify out\n");
    ASSERT_EQ(p->all().size(), 1u) << c.clause << "\n" << p->list();
    EXPECT_EQ(p->all()[0].id, c.id) << c.clause;
    EXPECT_EQ(p->text(p->all()[0].range), c.at);
    EXPECT_EQ(p->at(p->all()[0].range).line, 3u);
  }
}

// ---------------------------------------------------------------------------------------------
// Templates.

TEST(ParserTemplate, PiecesSplitTextInterpolationsAndSpecs) {
  auto p = parse("rule R on S\n  message \"order {order_id}: {price * qty:.2f} in {region:>8} {{raw}}\"\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  const ast::Template& t = *p->file->rules[0].message;
  ASSERT_EQ(t.pieces.size(), 7u);
  EXPECT_EQ(t.pieces[0].text, "order ");
  EXPECT_FALSE(t.pieces[0].expr);
  EXPECT_EQ(dump(*t.pieces[1].expr), "order_id");
  EXPECT_EQ(t.pieces[1].spec, "");
  EXPECT_EQ(t.pieces[2].text, ": ");
  EXPECT_EQ(dump(*t.pieces[3].expr), "(* price qty)");
  EXPECT_EQ(t.pieces[3].spec, ".2f");
  EXPECT_EQ(t.pieces[4].text, " in ");
  EXPECT_EQ(dump(*t.pieces[5].expr), "region");
  EXPECT_EQ(t.pieces[5].spec, ">8");
  EXPECT_EQ(t.pieces[6].text, " {raw}");  // doubled braces are literal braces
  EXPECT_FALSE(t.pieces[6].expr);
}

TEST(ParserTemplate, InterpolationRangesPointIntoTheFile) {
  auto p = parse("rule R on S\n  message \"total {price * qty:.2f}\"\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  const ast::Template& t = *p->file->rules[0].message;
  ASSERT_EQ(t.pieces.size(), 2u);
  EXPECT_EQ(p->text(t.range), "\"total {price * qty:.2f}\"");
  EXPECT_EQ(p->text(t.pieces[1].expr->range), "price * qty");
  EXPECT_EQ(p->text(t.pieces[1].expr->children[1]->range), "qty");
  EXPECT_EQ(p->text(t.pieces[1].spec_range), ".2f");
  EXPECT_EQ(p->at(t.pieces[1].expr->range).line, 2u);
  EXPECT_EQ(p->at(t.pieces[1].expr->range).column, 19u);
}

TEST(ParserTemplate, EscapedQuotesInsideAnInterpolationAreAString) {
  auto p = parse("rule R on S\n  message \"{concat(sku, \\\"-\\\", region)}\"\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  const ast::Template& t = *p->file->rules[0].message;
  ASSERT_EQ(t.pieces.size(), 1u);
  EXPECT_EQ(dump(*t.pieces[0].expr), "(call concat sku \"-\" region)");
  EXPECT_EQ(t.pieces[0].spec, "");
}

TEST(ParserTemplate, ColonsInTimestampsAreNotSpecsButAfterACallTheyAre) {
  const int64_t ten_am = 1767261600 * kSecond;
  auto p = parse("rule R on S\n  message \"{ts > @2026-01-01T10:00:00Z} {f(a, b):x}\"\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  const ast::Template& t = *p->file->rules[0].message;
  ASSERT_EQ(t.pieces.size(), 3u);
  EXPECT_EQ(dump(*t.pieces[0].expr), fmt::format("(> ts ts:{})", ten_am));
  EXPECT_EQ(t.pieces[0].spec, "");
  EXPECT_EQ(t.pieces[1].text, " ");
  EXPECT_EQ(dump(*t.pieces[2].expr), "(call f a b)");
  EXPECT_EQ(t.pieces[2].spec, "x");
}

TEST(ParserTemplate, LiteralTextHasItsEscapesDecoded) {
  auto p = parse("rule R on S\n  message \"a\\tb \\\"q\\\"\"\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  const ast::Template& t = *p->file->rules[0].message;
  ASSERT_EQ(t.pieces.size(), 1u);
  EXPECT_EQ(t.pieces[0].text, "a\tb \"q\"");
}

TEST(ParserTemplate, BraceMistakesAreReportedAtTheBrace) {
  struct Case {
    const char* message;
    DiagId id;
    const char* at;
    uint32_t column;
  } cases[] = {
      {"a {b", DiagId::template_unclosed_brace, "{", 14},
      {"a } b", DiagId::template_stray_brace, "}", 14},
      {"a {} b", DiagId::template_empty, "{}", 14},
      {"a { } b", DiagId::template_empty, "{ }", 14},
  };
  for (const Case& c : cases) {
    auto p = parse(std::string("rule R on S\n  where x > 1\n  message \"") + c.message + "\"\n  notify out\n");
    ASSERT_EQ(p->all().size(), 1u) << c.message << "\n" << p->list();
    const Diagnostic& d = p->all()[0];
    EXPECT_EQ(d.id, c.id) << c.message;
    EXPECT_EQ(p->text(d.range), c.at) << c.message;
    EXPECT_EQ(p->at(d.range).line, 3u);
    EXPECT_EQ(p->at(d.range).column, c.column) << c.message;
  }
}

TEST(ParserTemplate, ABadEscapeInTemplateTextIsReportedAtTheBackslash) {
  auto p = parse("rule R on S\n  message \"ab \\q\"\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  EXPECT_EQ(p->all()[0].id, DiagId::invalid_escape);
  EXPECT_EQ(p->at(p->all()[0].range).column, 15u);
  EXPECT_EQ(p->text(p->all()[0].range), "\\q");
}

// The literal text keeps doubled braces collapsed; a bad escape after them is still placed at
// its backslash (TemplateText::source_offset), not one column early per `{{`/`}}`.
TEST(ParserTemplate, ABadEscapeAfterDoubledBracesIsReportedAtTheBackslash) {
  auto p = parse("rule R on S\n  message \"{{a}} \\q\"\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  EXPECT_EQ(p->at(p->all()[0].range).column, 18u);
  EXPECT_EQ(p->text(p->all()[0].range), "\\q");
}

TEST(ParserTemplate, ASyntaxErrorInsideAnInterpolationPointsIntoTheString) {
  auto p = parse("rule R on S\n  where x > 1\n  message \"{x +}\"\n  notify out\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.id, DiagId::syntax_error);
  EXPECT_EQ(p->at(d.range).line, 3u);
  EXPECT_EQ(p->at(d.range).column, 16u);  // where the interpolation ends: the '}'
  // The rule itself is intact.
  ASSERT_EQ(p->file->rules.size(), 1u);
  EXPECT_EQ(p->file->rules[0].notify.size(), 1u);
}

// ---------------------------------------------------------------------------------------------
// Tests blocks.

TEST(ParserTestBlock, EveryKindOfItemInOrder) {
  auto p = parse(
      "test \"a big order fires\" {\n"
      "  given Order [\n"
      "    { ts = @2026-01-01T10:00:00Z, sku = \"A\", qty = 3 },\n"
      "    { ts = @2026-01-01T10:01:00Z, sku = \"B\", qty = 1, },\n"
      "  ]\n"
      "  idle 10m\n"
      "  given Order from \"data/orders.csv\"\n"
      "  expect HighValueOrder fires 1\n"
      "  expect HighValueOrder resolved 0\n"
      "  expect HighValueOrder { sku = \"A\", message = \"order A\" }\n"
      "  expect rejects 2\n"
      "}\n");
  ASSERT_TRUE(p->all().empty()) << p->list();
  ASSERT_EQ(p->file->tests.size(), 1u);
  const ast::TestDecl& t = p->file->tests[0];
  EXPECT_EQ(t.name, "a big order fires");
  ASSERT_EQ(t.items.size(), 7u);
  using K = ast::TestItem;

  const ast::TestItem& rows = t.items[0];
  EXPECT_EQ(rows.kind, K::GivenRows);
  EXPECT_EQ(rows.name, "Order");
  ASSERT_EQ(rows.rows.size(), 2u);
  ASSERT_EQ(rows.rows[0].size(), 3u);
  EXPECT_EQ(rows.rows[0][1].name, "sku");
  EXPECT_EQ(dump(*rows.rows[0][1].value), "\"A\"");
  EXPECT_EQ(rows.rows[1][2].name, "qty");
  EXPECT_EQ(dump(*rows.rows[1][2].value), "1");
  EXPECT_EQ(p->at(rows.rows[1][0].range).line, 4u);

  EXPECT_EQ(t.items[1].kind, K::Idle);
  EXPECT_EQ(dump(*t.items[1].count), fmt::format("dur:{}", 600 * kSecond));

  EXPECT_EQ(t.items[2].kind, K::GivenFile);
  EXPECT_EQ(t.items[2].name, "Order");
  EXPECT_EQ(t.items[2].path, "data/orders.csv");

  EXPECT_EQ(t.items[3].kind, K::ExpectFires);
  EXPECT_EQ(t.items[3].name, "HighValueOrder");
  EXPECT_EQ(dump(*t.items[3].count), "1");

  EXPECT_EQ(t.items[4].kind, K::ExpectResolved);
  EXPECT_EQ(t.items[4].name, "HighValueOrder");
  EXPECT_EQ(dump(*t.items[4].count), "0");

  EXPECT_EQ(t.items[5].kind, K::ExpectMatch);
  ASSERT_EQ(t.items[5].keys.size(), 2u);
  EXPECT_EQ(t.items[5].keys[0].name, "sku");
  EXPECT_EQ(t.items[5].keys[1].name, "message");  // a reserved word is a plain key
  EXPECT_EQ(dump(*t.items[5].keys[1].value), "\"order A\"");

  EXPECT_EQ(t.items[6].kind, K::ExpectRejects);
  EXPECT_EQ(dump(*t.items[6].count), "2");
}

TEST(ParserTestBlock, MisspeltSoftKeywordsInATestAreReported) {
  auto p = parse("test \"t\" {\n  expect R resolve 0\n  idel 5m\n}\n");
  ASSERT_EQ(p->all().size(), 2u) << p->list();
  EXPECT_EQ(p->all()[0].id, DiagId::expected_expect_state);
  EXPECT_EQ(p->text(p->all()[0].range), "resolve");
  EXPECT_EQ(p->at(p->all()[0].range).line, 2u);
  EXPECT_EQ(p->all()[1].id, DiagId::expected_test_item);
  EXPECT_EQ(p->text(p->all()[1].range), "idel");
  EXPECT_EQ(p->at(p->all()[1].range).line, 3u);
}

// ---------------------------------------------------------------------------------------------
// Syntax and lexical errors: kind, line and column.

TEST(ParserErrors, AMissingExpressionIsReportedAtTheNextToken) {
  auto p = parse("schema S { x: int }\nchannel out = stdout {}\nrule R on S\n  where\n  notify out\n");
  ASSERT_FALSE(p->all().empty());
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.id, DiagId::syntax_error);
  EXPECT_EQ(d.message.rfind("unexpected 'notify'", 0), 0u) << d.message;
  EXPECT_EQ(p->at(d.range).line, 5u);
  EXPECT_EQ(p->at(d.range).column, 3u);
  EXPECT_EQ(p->text(d.range), "notify");
  EXPECT_TRUE(p->diags->has_errors());
}

TEST(ParserErrors, AnUnclosedParenthesisGetsANoteAtIt) {
  auto p = parse("rule R on S\n  where (x > 1\n  notify out\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.id, DiagId::syntax_error);
  EXPECT_EQ(d.message, "unexpected 'notify'; expected ')'");
  EXPECT_EQ(p->at(d.range).line, 3u);
  EXPECT_EQ(p->at(d.range).column, 3u);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0].message, "to match this '('");
  EXPECT_EQ(p->at(d.notes[0].range).line, 2u);
  EXPECT_EQ(p->at(d.notes[0].range).column, 9u);
  EXPECT_EQ(p->text(d.notes[0].range), "(");
}

TEST(ParserErrors, AnUnclosedParenthesisOfAnEarlierDeclarationGetsNoNote) {
  auto p = parse("const A = (1\nrule R on S\n  where x >\n");
  ASSERT_EQ(p->all().size(), 2u) << p->list();
  // The '(' on line 1 explains neither the error at `rule` nor the one at the end of the rule.
  EXPECT_EQ(p->all()[0].message, "unexpected 'rule'");
  EXPECT_EQ(p->at(p->all()[0].range).line, 2u);
  EXPECT_EQ(p->all()[1].message, "unexpected end of file");
  for (const Diagnostic& d : p->all()) EXPECT_TRUE(d.notes.empty()) << d.message;
}

TEST(ParserErrors, AKeywordAsAFieldNameSuggestsBackticks) {
  auto p = parse("schema S { from: string }\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.id, DiagId::keyword_as_name);
  EXPECT_EQ(p->at(d.range).column, 12u);
  ASSERT_TRUE(d.fixit);
  EXPECT_EQ(d.fixit->replacement, "`from`");
  EXPECT_EQ(p->text(d.fixit->range), "from");
}

TEST(ParserErrors, AssignmentInAConditionIsReadAsAComparisonWithOneError) {
  auto p = parse("rule R on S\n  where region = \"EU\" and x > 1\n  notify out\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.id, DiagId::assignment_in_condition);
  EXPECT_EQ(p->at(d.range).column, 16u);
  ASSERT_TRUE(d.fixit);
  EXPECT_EQ(d.fixit->replacement, "==");
  EXPECT_EQ(dump(*p->file->rules[0].where), "(and (== region \"EU\") (> x 1))");
}

TEST(ParserErrors, AssignmentsOutsideConditionsAreFine) {
  auto p = parse(
      "rule R on S\n  where x > 1\n  let y = x + 1\n  labels { where = \"eu\", having = \"h\" }\n  notify out\n");
  EXPECT_TRUE(p->all().empty()) << p->list();
  ASSERT_EQ(p->file->rules[0].lets.size(), 1u);
  EXPECT_EQ(dump(*p->file->rules[0].lets[0].expr), "(+ x 1)");
}

TEST(ParserErrors, AnUnknownDurationUnitSuggestsTheCanonicalSpelling) {
  auto p = parse("rule R on S\n  window tumbling 10min\n  having count() > 1\n  notify out\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.id, DiagId::unknown_duration_unit);
  EXPECT_EQ(d.message, "unknown duration unit 'min' in '10min'; the units are ms, s, m, h and d");
  EXPECT_EQ(p->at(d.range).column, 19u);
  ASSERT_TRUE(d.fixit);
  EXPECT_EQ(d.fixit->replacement, "10m");
  // The rest of the file is parsed as if the fix were applied.
  EXPECT_EQ(dump(*p->file->rules[0].window_size), fmt::format("dur:{}", 600 * kSecond));
  EXPECT_EQ(dump(*p->file->rules[0].having), "(> (call count) 1)");
}

TEST(ParserErrors, SeveralMisspeltUnitsInOneDurationAreAllFixed) {
  auto p = parse("const D = 10mins5secs\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  ASSERT_TRUE(p->all()[0].fixit);
  EXPECT_EQ(p->all()[0].fixit->replacement, "10m5s");
}

// Offered fix-its must themselves be valid source: a digit group is read as the lexer's DIGITS
// reads it, so `5_min` is offered `5m`, not `5_m` (which the lexer refuses again), and no
// message names an empty unit ''.
TEST(ParserErrors, ADurationFixItIsItselfAValidDuration) {
  for (const char* bad : {"10min", "5_min", "1_0min"}) {
    auto p = parse(std::string("const D = ") + bad + "\n");
    ASSERT_EQ(p->all().size(), 1u) << bad << "\n" << p->list();
    const Diagnostic& d = p->all()[0];
    EXPECT_EQ(d.message.find("''"), std::string::npos) << d.message;
    if (!d.fixit) continue;
    auto fixed = parse("const D = " + d.fixit->replacement + "\n");
    EXPECT_TRUE(fixed->all().empty()) << bad << " -> " << d.fixit->replacement << "\n" << fixed->list();
  }
}

TEST(ParserErrors, ADurationEndingInANumberSaysSoRatherThanNamingAnEmptyUnit) {
  auto p = parse("const D = 5m3\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.message, "duration '5m3' ends in a number without a unit; the units are ms, s, m, h and d");
  EXPECT_FALSE(d.fixit);
  // An underscore before the unit is part of the unit, and the fix drops it.
  auto q = parse("const D = 5_min\n");
  ASSERT_EQ(q->all().size(), 1u) << q->list();
  EXPECT_EQ(q->all()[0].message, "unknown duration unit '_min' in '5_min'; the units are ms, s, m, h and d");
  ASSERT_TRUE(q->all()[0].fixit);
  EXPECT_EQ(q->all()[0].fixit->replacement, "5m");
}

TEST(ParserErrors, AnUnterminatedStringIsReportedAtItsQuote) {
  auto p = parse("rule R on S\n  where x > 1\n  message \"abc\n  notify out\n");
  ASSERT_FALSE(p->all().empty());
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.id, DiagId::unterminated_string);
  EXPECT_EQ(p->at(d.range).line, 3u);
  EXPECT_EQ(p->at(d.range).column, 11u);
  EXPECT_EQ(p->text(d.range), "\"abc");
}

TEST(ParserErrors, AStrayCharacterIsReportedAndSkipped) {
  auto p = parse("rule R on S\n  where x > 1 #\n  notify out\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.id, DiagId::unexpected_character);
  EXPECT_EQ(d.message, "unexpected character '#'");
  EXPECT_EQ(p->at(d.range).line, 2u);
  EXPECT_EQ(p->at(d.range).column, 15u);
  EXPECT_EQ(dump(*p->file->rules[0].where), "(> x 1)");
  EXPECT_EQ(p->file->rules[0].notify.size(), 1u);
}

TEST(ParserErrors, ColumnsCountBytesAfterMultiByteCharacters) {
  auto p = parse("const A = \"\xC3\xA9\" #\n");  // "é" is two bytes
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  EXPECT_EQ(p->all()[0].id, DiagId::unexpected_character);
  EXPECT_EQ(p->at(p->all()[0].range).column, 16u);
  EXPECT_EQ(p->text(p->all()[0].range), "#");
  EXPECT_EQ(p->file->consts[0].value->literal.s, "\xC3\xA9");
}

TEST(ParserErrors, AnUnterminatedBlockCommentIsReportedWhereItStarts) {
  auto p = parse("schema S { x: int }\n  /* open\nschema T { y: int }\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.id, DiagId::unterminated_comment);
  EXPECT_EQ(p->at(d.range).line, 2u);
  EXPECT_EQ(p->at(d.range).column, 3u);
  EXPECT_EQ(p->text(d.range), "/*");
  ASSERT_EQ(d.notes.size(), 1u);
  // What came before the comment is still there; what it swallowed is not.
  ASSERT_EQ(p->file->schemas.size(), 1u);
  EXPECT_EQ(p->file->schemas[0].name, "S");
}

TEST(ParserErrors, ChainedComparisonsAreOneErrorWithAHint) {
  auto p = parse("rule R on S\n  where x < 1 < 2\n  notify out\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  const Diagnostic& d = p->all()[0];
  EXPECT_EQ(d.id, DiagId::chained_comparison);
  EXPECT_EQ(p->text(d.range), "< 2");
  EXPECT_EQ(p->at(d.range).column, 15u);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(p->text(d.notes[0].range), "< 1");
}

TEST(ParserErrors, RunawayNestingIsOneErrorNotACrash) {
  std::string deep = std::string(300, '(') + "x" + std::string(300, ')');
  auto p = parse("rule R on S\n  where " + deep + "\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  EXPECT_EQ(p->all()[0].id, DiagId::nesting_too_deep);
  EXPECT_EQ(p->all()[0].message, fmt::format("nesting is too deep (more than {} levels)", kMaxNesting));
  EXPECT_TRUE(p->file->rules.empty());

  std::string ok = std::string(100, '(') + "x" + std::string(100, ')');
  EXPECT_EQ(where_tree(ok), "x");
}

TEST(ParserErrors, RunawayPrefixOperatorsAreOneError) {
  std::string nots;
  for (int i = 0; i < kMaxNesting + 10; ++i) nots += "not ";
  auto p = parse("rule R on S\n  where " + nots + "x\n");
  ASSERT_EQ(p->all().size(), 1u) << p->list();
  EXPECT_EQ(p->all()[0].id, DiagId::nesting_too_deep);
}

// ---------------------------------------------------------------------------------------------
// The bytes of a file.

TEST(ParserBytes, ValidUtf8Passes) {
  SourceManager sources;
  DiagnosticEngine diags(sources);
  uint32_t id = sources.add_file("u.alert", "const A = \"\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"\n");
  EXPECT_TRUE(check_source_bytes(sources, id, diags));
  EXPECT_TRUE(diags.diagnostics().empty());
}

TEST(ParserBytes, TheFirstBadByteIsReportedAtItsOffset) {
  struct Case {
    std::string bytes;
    DiagId id;
    uint32_t offset;
    const char* message;
  } cases[] = {
      {std::string("ab\0c", 4), DiagId::nul_byte, 2, "file contains a NUL byte"},
      {"ab\xFF" "c", DiagId::invalid_utf8, 2, "invalid UTF-8 byte 0xff"},
      {"a\xC3(", DiagId::invalid_utf8, 2, "invalid UTF-8 byte 0x28"},       // a bad continuation byte
      {"a\xE2\x82", DiagId::invalid_utf8, 1, "invalid UTF-8 byte 0xe2"},    // cut short at the end
      {"\xE0\x80\x80", DiagId::invalid_utf8, 0, "invalid UTF-8 byte 0xe0"},  // overlong
      {"\xED\xA0\x80", DiagId::invalid_utf8, 0, "invalid UTF-8 byte 0xed"},  // a surrogate
      {"\xC0\xAF", DiagId::invalid_utf8, 0, "invalid UTF-8 byte 0xc0"},
      {"x\xFF\0", DiagId::invalid_utf8, 1, "invalid UTF-8 byte 0xff"},  // only the first problem
  };
  for (const Case& c : cases) {
    SourceManager sources;
    DiagnosticEngine diags(sources);
    uint32_t id = sources.add_file("b.alert", c.bytes);
    EXPECT_FALSE(check_source_bytes(sources, id, diags)) << c.message;
    ASSERT_EQ(diags.diagnostics().size(), 1u) << c.message;
    const Diagnostic& d = diags.diagnostics()[0];
    EXPECT_EQ(d.id, c.id) << c.message;
    EXPECT_EQ(d.message, c.message);
    EXPECT_EQ(d.range.begin.offset, c.offset) << c.message;
    EXPECT_EQ(d.range.end.offset, c.offset + 1) << c.message;
  }
}

// ---------------------------------------------------------------------------------------------
// Loading files and their imports.

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("alert_parser_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::vector<std::string> schema_names(const ast::Program& p) {
    std::vector<std::string> out;
    for (const auto& f : p.files) {
      for (const auto& s : f->schemas) out.push_back(s.name);
    }
    return out;
  }

  std::filesystem::path dir_;
};

TEST_F(LoaderTest, ImportsComeBeforeTheirImportersAndEachFileOnce) {
  write("c.alert", "schema C { x: int }\n");
  write("b.alert", "import \"c.alert\"\nschema B { x: int }\n");
  std::string a = write("a.alert", "import \"b.alert\"\nimport \"c.alert\"\nschema A { x: int }\n");
  SourceManager sources;
  DiagnosticEngine diags(sources);
  LoadResult r = load_program({a}, sources, diags);
  EXPECT_FALSE(r.io_error);
  EXPECT_TRUE(diags.diagnostics().empty());
  EXPECT_EQ(schema_names(r.program), (std::vector<std::string>{"C", "B", "A"}));
  EXPECT_EQ(sources.file_count(), 3u);
}

TEST_F(LoaderTest, ARootGivenTwiceIsLoadedOnce) {
  std::string a = write("a.alert", "schema A { x: int }\n");
  SourceManager sources;
  DiagnosticEngine diags(sources);
  LoadResult r = load_program({a, a}, sources, diags);
  EXPECT_EQ(schema_names(r.program), (std::vector<std::string>{"A"}));
}

TEST_F(LoaderTest, AnImportCycleIsReportedWithTheWholeChain) {
  std::string x = write("x.alert", "import \"y.alert\"\nschema X { a: int }\n");
  write("y.alert", "import \"x.alert\"\nschema Y { a: int }\n");
  SourceManager sources;
  DiagnosticEngine diags(sources);
  LoadResult r = load_program({x}, sources, diags);
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  const Diagnostic& d = diags.diagnostics()[0];
  EXPECT_EQ(d.id, DiagId::import_cycle);
  std::string y = (dir_ / "y.alert").string();
  EXPECT_EQ(d.message, "import cycle: " + x + " -> " + y + " -> " + x);
  // Reported at the import that closes the cycle, in y.alert.
  EXPECT_EQ(sources.path(d.range.begin.file), y);
  EXPECT_EQ(sources.line_col(d.range.begin).line, 1u);
  EXPECT_EQ(schema_names(r.program), (std::vector<std::string>{"Y", "X"}));
}

TEST_F(LoaderTest, AMissingImportIsAnErrorAtTheImportAMissingRootAnIoError) {
  std::string a = write("a.alert", "schema A { x: int }\nimport \"nope.alert\"\n");
  SourceManager sources;
  DiagnosticEngine diags(sources);
  LoadResult r = load_program({a, (dir_ / "absent.alert").string()}, sources, diags);
  EXPECT_TRUE(r.io_error);
  ASSERT_EQ(diags.diagnostics().size(), 2u);
  const Diagnostic& imp = diags.diagnostics()[0];
  EXPECT_EQ(imp.id, DiagId::import_unreadable);
  EXPECT_EQ(imp.message.rfind("cannot import 'nope.alert': ", 0), 0u) << imp.message;
  EXPECT_EQ(sources.line_col(imp.range.begin).line, 2u);
  EXPECT_EQ(sources.line_col(imp.range.begin).column, 8u);
  const Diagnostic& root = diags.diagnostics()[1];
  EXPECT_EQ(root.id, DiagId::file_unreadable);
  EXPECT_FALSE(root.range.valid());
  EXPECT_EQ(schema_names(r.program), (std::vector<std::string>{"A"}));
}

TEST_F(LoaderTest, AFileWithBadBytesIsNotParsed) {
  std::string a = write("a.alert", std::string("schema A { x: int }\n\xFF\n"));
  SourceManager sources;
  DiagnosticEngine diags(sources);
  LoadResult r = load_program({a}, sources, diags);
  ASSERT_EQ(diags.diagnostics().size(), 1u);
  EXPECT_EQ(diags.diagnostics()[0].id, DiagId::invalid_utf8);
  EXPECT_EQ(sources.line_col(diags.diagnostics()[0].range.begin).line, 2u);
  EXPECT_TRUE(schema_names(r.program).empty());
}

}  // namespace
}  // namespace alert
