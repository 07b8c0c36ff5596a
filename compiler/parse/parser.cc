#include "compiler/parse/parser.h"

#include <antlr4-runtime.h>

#include <charconv>
#include <cmath>

#include "AlertLexer.h"
#include "AlertParser.h"
#include "compiler/parse/template_scanner.h"
#include "stdlib/time_format.h"

namespace alert {
namespace {

using alertgen::AlertLexer;
using alertgen::AlertParser;
using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;

// ANTLR's char stream counts code points; diagnostics want byte offsets.
class OffsetMap {
 public:
  OffsetMap(std::string_view text, uint32_t base) : base_(base) {
    bool ascii = true;
    for (unsigned char c : text) {
      if (c >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return;
    for (uint32_t i = 0; i < text.size(); ++i) {
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts_.push_back(i);
    }
    starts_.push_back(static_cast<uint32_t>(text.size()));
  }
  uint32_t byte(size_t code_point) const {
    if (starts_.empty()) return base_ + static_cast<uint32_t>(code_point);
    if (code_point >= starts_.size()) return base_ + starts_.back();
    return base_ + starts_[code_point];
  }

 private:
  uint32_t base_;
  std::vector<uint32_t> starts_;
};

std::string describe_token(antlr4::Token* t) {
  if (t == nullptr || t->getType() == antlr4::Token::EOF) return "end of file";
  return "'" + t->getText() + "'";
}

class SyntaxErrorListener : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorListener(uint32_t file, const OffsetMap& map, DiagnosticEngine& diags)
      : file_(file), map_(map), diags_(diags) {}

  void syntaxError(antlr4::Recognizer*, antlr4::Token* offending, size_t, size_t,
                   const std::string& msg, std::exception_ptr) override {
    SourceRange range;
    if (offending != nullptr) {
      uint32_t begin = map_.byte(offending->getStartIndex());
      uint32_t end = offending->getType() == antlr4::Token::EOF
                         ? begin
                         : map_.byte(offending->getStopIndex() + 1);
      range = {{file_, begin}, {file_, end}};
    }
    // Rewrite ANTLR's wording ("mismatched input 'x' expecting {...}") into ours, with the
    // grammar's token names as words a rule author knows.
    std::string set;
    size_t expecting = msg.find("expecting ");
    if (expecting != std::string::npos) {
      set = msg.substr(expecting + 10);
      if (!set.empty() && set.front() == '{') set = set.substr(1, set.size() - 2);
    }
    // Only a name fits here (a field or a declaration's name, not an expression, where a
    // keyword such as `notify` usually means the expression before it is unfinished).
    bool wants_name = set.find("IDENT") != std::string::npos && set.find("INT") == std::string::npos &&
                      set.find("'('") == std::string::npos;
    size_t type = offending ? offending->getType() : 0;
    if (wants_name && type >= AlertLexer::IMPORT && type <= AlertLexer::FALSE) {
      std::string word = offending->getText();
      diags_.report(DiagId::keyword_as_name, range, word).fix(range, "`" + word + "`");
      return;
    }
    std::string text = "unexpected " + describe_token(offending);
    std::vector<std::string> items = readable_items(set);
    if (!items.empty() && items.size() <= 6) {
      text += "; expected ";
      for (size_t i = 0; i < items.size(); ++i) text += (i ? ", " : "") + items[i];
    }
    // An unclosed '(' before the error is the likely cause: say so and point at it.
    const antlr4::Token* open = nullptr;
    for (const antlr4::Token* t : unclosed_) {
      if (offending && t->getStartIndex() < offending->getStartIndex()) open = t;
    }
    if (open && offending) {
      // Only a '(' of the declaration the error is in (an EOF error belongs to the last one).
      for (size_t start : declaration_starts_) {
        bool eof = offending->getType() == antlr4::Token::EOF;
        if (start > open->getStartIndex() && (eof || start <= offending->getStartIndex())) open = nullptr;
        if (!open) break;
      }
    }
    if (open && text.find("')'") == std::string::npos) text += "; expected ')'";
    auto& d = diags_.report(DiagId::syntax_error, range, text);
    if (open) {
      uint32_t at = map_.byte(open->getStartIndex());
      d.note({{file_, at}, {file_, at + 1}}, "to match this '('");
    }
  }

  // The '(' that no ')' closes, in order (the token pass finds them).
  void set_unclosed(std::vector<const antlr4::Token*> unclosed, std::vector<size_t> declaration_starts) {
    unclosed_ = std::move(unclosed);
    declaration_starts_ = std::move(declaration_starts);
  }

 private:
  // ANTLR's expected set ("IDENT, QUOTED_IDENT, '}'") as words: a name, a number, '}'.
  static std::vector<std::string> readable_items(const std::string& set) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < set.size()) {
      size_t comma = set.find(", ", start);
      std::string item = set.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? set.size() : comma + 2;
      static const std::pair<const char*, const char*> kWords[] = {
          {"IDENT", "a name"}, {"QUOTED_IDENT", ""}, {"STRING", "a string"}, {"INT", "a number"},
          {"FLOAT", "a number"}, {"DURATION", "a duration"}, {"TIMESTAMP", "a timestamp"},
          {"NULL_", "'null'"}, {"<EOF>", "end of file"}, {"BAD_DURATION", ""}, {"UNTERMINATED_STRING", ""}};
      for (auto [token, word] : kWords) {
        if (item == token) item = word;
      }
      if (!item.empty() && std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
    }
    return out;
  }

  uint32_t file_;
  const OffsetMap& map_;
  DiagnosticEngine& diags_;
  std::vector<const antlr4::Token*> unclosed_;
  std::vector<size_t> declaration_starts_;  // char index of each top-level declaration keyword
};

// The right duration text for a misspelt unit (10min -> 10m), or "" when there is no obvious one.
// Digit groups are read as the lexer's DIGITS reads them (an '_' only between two digits), so a
// '_' before a unit belongs to the unit: `5_min` has the unit '_min' and is offered `5m`. The
// unit named in the message is the first one that is not valid; "" when every group has a valid
// unit but the text ends in digits with none (`5m3`).
std::string corrected_duration(std::string_view text, std::string* bad_unit) {
  static const std::pair<const char*, const char*> kUnits[] = {
      {"ms", "ms"}, {"msec", "ms"}, {"msecs", "ms"}, {"millis", "ms"}, {"s", "s"}, {"sec", "s"}, {"secs", "s"},
      {"second", "s"}, {"seconds", "s"}, {"m", "m"}, {"min", "m"}, {"mins", "m"}, {"minute", "m"},
      {"minutes", "m"}, {"h", "h"}, {"hr", "h"}, {"hrs", "h"}, {"hour", "h"}, {"hours", "h"}, {"d", "d"},
      {"day", "d"}, {"days", "d"}};
  auto is_digit = [&](size_t at) { return at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])); };
  std::string out;
  bool all_known = true;
  size_t i = 0;
  while (i < text.size()) {
    size_t digits = i;
    while (is_digit(i) || (text[i] == '_' && i > digits && is_digit(i + 1))) ++i;
    size_t letters = i;
    while (i < text.size() && !is_digit(i)) ++i;
    std::string_view unit = text.substr(letters, i - letters);
    // A stray '_' next to a unit (`5_min`, `5min_`) is dropped by the fix.
    std::string_view key = unit;
    while (!key.empty() && key.front() == '_') key.remove_prefix(1);
    while (!key.empty() && key.back() == '_') key.remove_suffix(1);
    const char* known = nullptr;
    for (auto [spelling, canonical] : kUnits) {
      if (!key.empty() && key == spelling) known = canonical;
    }
    bool valid = unit == "ms" || unit == "s" || unit == "m" || unit == "h" || unit == "d";
    if (!valid && !unit.empty() && bad_unit->empty()) *bad_unit = std::string(unit);
    if (!known) all_known = false;
    out += std::string(text.substr(digits, letters - digits)) + (known ? known : "s");
  }
  // Offered only when it reads back as a duration (1__0min has no simple fix).
  return all_known && parse_duration(out) ? out : "";
}

// Builds AST nodes from parse-tree contexts.
class AstBuilder {
 public:
  AstBuilder(uint32_t file, const OffsetMap& map, DiagnosticEngine& diags,
             const SourceManager& sources)
      : file_(file), map_(map), diags_(diags), sources_(sources) {}

  SourceRange range(antlr4::ParserRuleContext* ctx) const {
    if (ctx == nullptr || ctx->getStart() == nullptr) return {};
    antlr4::Token* stop = ctx->getStop() ? ctx->getStop() : ctx->getStart();
    uint32_t begin = map_.byte(ctx->getStart()->getStartIndex());
    uint32_t end = stop->getType() == antlr4::Token::EOF ? begin : map_.byte(stop->getStopIndex() + 1);
    if (end < begin) end = begin;
    return {{file_, begin}, {file_, end}};
  }
  SourceRange range(antlr4::Token* t) const {
    if (t == nullptr) return {};
    return {{file_, map_.byte(t->getStartIndex())}, {file_, map_.byte(t->getStopIndex() + 1)}};
  }
  SourceRange range(antlr4::tree::TerminalNode* n) const {
    return n ? range(n->getSymbol()) : SourceRange{};
  }

  std::string ident(AlertParser::AnyNameContext* ctx) const {
    if (ctx == nullptr) return "";
    return ctx->ident() ? ident(ctx->ident()) : ctx->getText();
  }
  std::string ident(AlertParser::IdentContext* ctx) const {
    if (ctx == nullptr) return "";
    std::string text = ctx->getText();
    if (ctx->QUOTED_IDENT()) return text.substr(1, text.size() - 2);
    return text;
  }

  void build_file(AlertParser::ProgramContext* program, ast::File& out) {
    for (auto* decl : program->decl()) {
      if (auto* d = decl->importDecl()) {
        if (!d->STRING()) continue;
        out.imports.push_back({string_value(d->STRING()), range(d->STRING())});
      } else if (auto* d = decl->schemaDecl()) {
        out.schemas.push_back(schema(d));
      } else if (auto* d = decl->constDecl()) {
        out.consts.push_back({ident(d->name), range(d->name), expr(d->expr())});
      } else if (auto* d = decl->channelDecl()) {
        out.channels.push_back(channel(d));
      } else if (auto* d = decl->ruleDecl()) {
        out.rules.push_back(rule(d));
      } else if (auto* d = decl->testDecl()) {
        out.tests.push_back(test(d));
      }
    }
  }

  ExprPtr expr(AlertParser::ExprContext* ctx) {
    if (ctx == nullptr || ctx->orExpr() == nullptr) return error_expr(range(ctx));
    return or_expr(ctx->orExpr());
  }

  // Decodes a STRING token's escapes; reports bad escapes at their position.
  std::string string_value(antlr4::tree::TerminalNode* node) {
    std::string raw = node->getText();
    uint32_t base = map_.byte(node->getSymbol()->getStartIndex());
    return unescape(raw, base);
  }

  // raw includes the opening quote and, unless unterminated, the closing one. A bad escape is
  // reported at base + its index in raw, or, for a template's literal text (raw is then that
  // text in quotes), at base + where `text` says its backslash is in the token.
  std::string unescape(std::string_view raw, uint32_t base, const TemplateText* text = nullptr) {
    auto escape_range = [&](size_t backslash) {
      uint32_t at = base + (text ? text->source_offset(backslash - 1) : static_cast<uint32_t>(backslash));
      return SourceRange{{file_, at}, {file_, at + 2}};
    };
    size_t end = raw.size();
    if (end >= 2 && raw.back() == '"' && raw[end - 2] != '\\') --end;
    else if (end >= 2 && raw.back() == '"') {
      // A closing quote preceded by a backslash that is itself escaped ("\\").
      size_t slashes = 0;
      for (size_t i = end - 2; i > 0 && raw[i] == '\\'; --i) ++slashes;
      if (slashes % 2 == 0) --end;
    }
    std::string out;
    for (size_t i = 1; i < end; ++i) {
      char c = raw[i];
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i + 1 >= end) break;
      char e = raw[++i];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'u': {
          size_t close = raw.find('}', i);
          uint32_t cp = 0;
          bool ok = i + 1 < end && raw[i + 1] == '{' && close != std::string_view::npos &&
                    close < end && close > i + 2 && close - i - 2 <= 6;
          if (ok) {
            auto [p, ec] = std::from_chars(raw.data() + i + 2, raw.data() + close, cp, 16);
            ok = ec == std::errc() && p == raw.data() + close && cp <= 0x10FFFF &&
                 !(cp >= 0xD800 && cp <= 0xDFFF);
          }
          if (!ok) {
            SourceRange r = escape_range(i - 1);
            diags_.report(DiagId::invalid_escape, r, "\\u").note(r, "write a code point as \\u{1F600}");
            break;
          }
          append_utf8(out, cp);
          i = close;
          break;
        }
        default: {
          diags_.report(DiagId::invalid_escape, escape_range(i - 1), std::string("\\") + e);
        }
      }
    }
    return out;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // Template strings: literal text, `{expr}`, `{expr:spec}`, `{{` and `}}`, split by
  // scan_template (template_scanner.h). Expressions are parsed by a nested parser whose positions
  // map back into this file.
  ast::Template template_of(antlr4::tree::TerminalNode* node);
  ast::Template template_of_expr(ExprPtr e) {
    ast::Template t;
    t.range = e->range;
    ast::TemplatePiece piece;
    piece.expr = std::move(e);
    t.pieces.push_back(std::move(piece));
    return t;
  }

 private:
  ast::TemplatePiece template_expr_piece(const TemplateExpr& e, uint32_t base);
  void report_template_error(const TemplateError& error, uint32_t base);

  ExprPtr error_expr(SourceRange r) {
    auto e = std::make_unique<Expr>(ExprKind::Literal, r);
    e->literal = Value::null();
    e->type = Type::of(TypeKind::Null, true);
    return e;
  }

  ExprPtr binary(ast::BinaryOp op, ExprPtr lhs, ExprPtr rhs) {
    SourceRange r = SourceRange::join(lhs->range, rhs->range);
    auto e = std::make_unique<Expr>(ExprKind::Binary, r);
    e->binary_op = op;
    e->children.push_back(std::move(lhs));
    e->children.push_back(std::move(rhs));
    return check_depth(std::move(e));
  }

  // Long operator chains are built iteratively but still make a deep tree; bound it so later
  // recursive passes cannot overflow the stack.
  ExprPtr check_depth(ExprPtr e) {
    int depth = 0;
    for (auto& c : e->children) depth = std::max(depth, depth_of(c.get()));
    depths_[e.get()] = depth + 1;
    if (depth + 1 > kMaxExprDepth && !depth_reported_) {
      depth_reported_ = true;
      diags_.report(DiagId::nesting_too_deep, e->range, kMaxExprDepth);
    }
    if (depth + 1 > kMaxExprDepth) return error_expr(e->range);
    return e;
  }
  int depth_of(const Expr* e) const {
    auto it = depths_.find(e);
    return it == depths_.end() ? 1 : it->second;
  }

  ExprPtr or_expr(AlertParser::OrExprContext* ctx) {
    auto parts = ctx->andExpr();
    ExprPtr e = and_expr(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) e = binary(ast::BinaryOp::Or, std::move(e), and_expr(parts[i]));
    return e;
  }
  ExprPtr and_expr(AlertParser::AndExprContext* ctx) {
    auto parts = ctx->notExpr();
    ExprPtr e = not_expr(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) e = binary(ast::BinaryOp::And, std::move(e), not_expr(parts[i]));
    return e;
  }
  ExprPtr not_expr(AlertParser::NotExprContext* ctx) {
    if (ctx->NOT()) {
      auto e = std::make_unique<Expr>(ExprKind::Unary, range(ctx));
      e->unary_op = ast::UnaryOp::Not;
      e->children.push_back(ctx->notExpr() ? not_expr(ctx->notExpr()) : error_expr(range(ctx)));
      return check_depth(std::move(e));
    }
    if (!ctx->cmpExpr()) return error_expr(range(ctx));
    return cmp_expr(ctx->cmpExpr());
  }
  ExprPtr cmp_expr(AlertParser::CmpExprContext* ctx) {
    ExprPtr lhs = add_expr(ctx->addExpr());
    auto tails = ctx->cmpTail();
    if (tails.size() > 1) {
      SourceRange second = range(tails[1]);
      std::string a = std::string(sources_.text(lhs->range));
      diags_.report(DiagId::chained_comparison, second)
          .note(range(tails[0]), "write the two comparisons joined with 'and', as in 'a < b and b < c'");
    }
    if (tails.empty()) return lhs;
    auto* tail = tails[0];
    SourceRange r = SourceRange::join(lhs->range, range(tail));
    if (auto* t = dynamic_cast<AlertParser::CompareTailContext*>(tail)) {
      static const std::pair<size_t, ast::BinaryOp> kOps[] = {
          {AlertParser::EQ, ast::BinaryOp::Eq}, {AlertParser::NE, ast::BinaryOp::Ne},
          {AlertParser::LT, ast::BinaryOp::Lt}, {AlertParser::LE, ast::BinaryOp::Le},
          {AlertParser::GT, ast::BinaryOp::Gt}, {AlertParser::GE, ast::BinaryOp::Ge}};
      ast::BinaryOp op = ast::BinaryOp::Eq;
      for (auto [tok, o] : kOps) if (t->op->getType() == tok) op = o;
      return binary(op, std::move(lhs), add_expr(t->addExpr()));
    }
    if (auto* t = dynamic_cast<AlertParser::InTailContext*>(tail)) {
      auto e = std::make_unique<Expr>(ExprKind::In, r);
      e->negated = t->NOT() != nullptr;
      e->children.push_back(std::move(lhs));
      e->children.push_back(add_expr(t->addExpr()));
      return check_depth(std::move(e));
    }
    if (auto* t = dynamic_cast<AlertParser::BetweenTailContext*>(tail)) {
      auto e = std::make_unique<Expr>(ExprKind::Between, r);
      e->negated = t->NOT() != nullptr;
      e->children.push_back(std::move(lhs));
      e->children.push_back(add_expr(t->lo));
      e->children.push_back(add_expr(t->hi));
      return check_depth(std::move(e));
    }
    auto* t = dynamic_cast<AlertParser::IsNullTailContext*>(tail);
    auto e = std::make_unique<Expr>(ExprKind::IsNull, r);
    e->negated = t && t->NOT() != nullptr;
    e->children.push_back(std::move(lhs));
    return check_depth(std::move(e));
  }
  ExprPtr add_expr(AlertParser::AddExprContext* ctx) {
    if (ctx == nullptr) return error_expr({});
    auto parts = ctx->mulExpr();
    auto ops = ctx->addOp();
    ExprPtr e = mul_expr(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) {
      auto op = ops[i - 1]->PLUS() ? ast::BinaryOp::Add : ast::BinaryOp::Sub;
      e = binary(op, std::move(e), mul_expr(parts[i]));
    }
    return e;
  }
  ExprPtr mul_expr(AlertParser::MulExprContext* ctx) {
    auto parts = ctx->unaryExpr();
    auto ops = ctx->mulOp();
    ExprPtr e = unary_expr(parts[0]);
    for (size_t i = 1; i < parts.size(); ++i) {
      auto op = ops[i - 1]->STAR()    ? ast::BinaryOp::Mul
                : ops[i - 1]->SLASH() ? ast::BinaryOp::Div
                                      : ast::BinaryOp::Mod;
      e = binary(op, std::move(e), unary_expr(parts[i]));
    }
    return e;
  }
  ExprPtr unary_expr(AlertParser::UnaryExprContext* ctx) {
    if (ctx->MINUS()) {
      auto* inner = ctx->unaryExpr();
      // -9223372036854775808 is the smallest int, not the negation of an out-of-range literal.
      if (inner && inner->primary()) {
        if (auto* lit = dynamic_cast<AlertParser::IntLitContext*>(inner->primary())) {
          std::string digits = strip_underscores(lit->getText());
          if (digits == "9223372036854775808") {
            auto e = std::make_unique<Expr>(ExprKind::Literal, range(ctx));
            e->literal = Value::integer(INT64_MIN);
            return e;
          }
        }
      }
      auto e = std::make_unique<Expr>(ExprKind::Unary, range(ctx));
      e->unary_op = ast::UnaryOp::Neg;
      e->children.push_back(inner ? unary_expr(inner) : error_expr(range(ctx)));
      return check_depth(std::move(e));
    }
    if (!ctx->primary()) return error_expr(range(ctx));
    return primary(ctx->primary());
  }

  static std::string strip_underscores(std::string s) {
    s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
    return s;
  }

  ExprPtr primary(AlertParser::PrimaryContext* ctx) {
    SourceRange r = range(ctx);
    auto literal = [&](Value v) {
      auto e = std::make_unique<Expr>(ExprKind::Literal, r);
      e->literal = std::move(v);
      return e;
    };
    if (dynamic_cast<AlertParser::IntLitContext*>(ctx)) {
      std::string digits = strip_underscores(ctx->getText());
      int64_t v = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
      if (ec != std::errc() || p != digits.data() + digits.size()) {
        diags_.report(DiagId::int_literal_too_large, r, ctx->getText());
        return error_expr(r);
      }
      return literal(Value::integer(v));
    }
    if (dynamic_cast<AlertParser::FloatLitContext*>(ctx)) {
      std::string digits = strip_underscores(ctx->getText());
      return literal(Value::floating(std::strtod(digits.c_str(), nullptr)));
    }
    if (dynamic_cast<AlertParser::DurationLitContext*>(ctx)) {
      auto ns = parse_duration(ctx->getText());
      if (!ns) {
        diags_.report(DiagId::duration_too_large, r, ctx->getText());
        return error_expr(r);
      }
      return literal(Value::duration(*ns));
    }
    if (dynamic_cast<AlertParser::TimestampLitContext*>(ctx)) {
      std::string text = ctx->getText();
      auto ns = parse_rfc3339(std::string_view(text).substr(1));
      if (!ns) {
        diags_.report(DiagId::invalid_timestamp, r, text);
        return error_expr(r);
      }
      return literal(Value::timestamp(*ns));
    }
    if (auto* s = dynamic_cast<AlertParser::StringLitContext*>(ctx)) {
      return literal(Value::string(string_value(s->STRING())));
    }
    if (auto* s = dynamic_cast<AlertParser::UnterminatedStringContext*>(ctx)) {
      return literal(Value::string(s->getText().substr(1)));
    }
    if (dynamic_cast<AlertParser::TrueLitContext*>(ctx)) return literal(Value::boolean(true));
    if (dynamic_cast<AlertParser::FalseLitContext*>(ctx)) return literal(Value::boolean(false));
    if (dynamic_cast<AlertParser::NullLitContext*>(ctx)) return literal(Value::null());
    if (auto* c = dynamic_cast<AlertParser::CallContext*>(ctx)) {
      auto e = std::make_unique<Expr>(ExprKind::Call, r);
      e->name = ident(c->ident());
      e->name_range = range(c->ident());
      for (auto* arg : c->expr()) e->children.push_back(expr(arg));
      return check_depth(std::move(e));
    }
    if (auto* n = dynamic_cast<AlertParser::NameRefContext*>(ctx)) {
      auto e = std::make_unique<Expr>(ExprKind::Name, r);
      e->name = ident(n->ident());
      e->name_range = r;
      return e;
    }
    if (auto* p = dynamic_cast<AlertParser::ParenContext*>(ctx)) {
      ExprPtr inner = expr(p->expr());
      inner->parenthesized = true;
      inner->range = r;
      return inner;
    }
    if (auto* l = dynamic_cast<AlertParser::ListLitContext*>(ctx)) {
      auto e = std::make_unique<Expr>(ExprKind::List, r);
      for (auto* item : l->expr()) e->children.push_back(expr(item));
      return check_depth(std::move(e));
    }
    return error_expr(r);
  }

  ast::SchemaDecl schema(AlertParser::SchemaDeclContext* ctx) {
    ast::SchemaDecl s;
    s.name = ident(ctx->name);
    s.range = range(ctx->name);
    for (auto* f : ctx->fieldDecl()) {
      ast::FieldDecl field;
      field.name = ident(f->name);
      field.range = range(f->name);
      if (f->marker) {
        std::string marker = ident(f->marker);
        if (marker == "time") {
          field.is_time = true;
        } else {
          diags_.report(DiagId::expected_time_marker, range(f->marker), marker);
        }
      }
      if (f->typeRef() && f->typeRef()->ident()) {
        field.type_name = ident(f->typeRef()->ident());
        field.type_range = range(f->typeRef());
        field.nullable = f->typeRef()->QUESTION() != nullptr;
      }
      s.fields.push_back(std::move(field));
    }
    return s;
  }

  ast::ChannelDecl channel(AlertParser::ChannelDeclContext* ctx) {
    ast::ChannelDecl c;
    c.name = ident(ctx->name);
    c.range = range(ctx->name);
    c.kind = ident(ctx->kind);
    c.kind_range = range(ctx->kind);
    for (auto* o : ctx->option()) {
      ast::ChannelOption opt;
      opt.name = ident(o->name);
      opt.range = range(o->name);
      if (auto* v = o->optionValue()) {
        if (v->expr()) {
          opt.value = expr(v->expr());
        } else {
          opt.is_map = true;
          for (auto* entry : v->mapEntry()) {
            if (!entry->key) continue;
            auto* key_node = entry->STRING();
            opt.entries.emplace_back(string_value(key_node), expr(entry->value));
          }
        }
      }
      c.options.push_back(std::move(opt));
    }
    return c;
  }

  ast::RuleDecl rule(AlertParser::RuleDeclContext* ctx);
  ast::TestDecl test(AlertParser::TestDeclContext* ctx);

  // A rule's clauses, one group of them at a time. Each clause at most once (except let).
  struct SeenClauses {
    std::string rule;                                    // the rule's name, for the report
    std::unordered_map<std::string, SourceRange> first;  // keyword -> its first clause
  };
  bool once(SeenClauses& seen, const std::string& keyword, antlr4::ParserRuleContext* clause);
  bool input_clause(AlertParser::ClauseContext* clause, ast::RuleDecl& r, SeenClauses& seen);
  bool aggregation_clause(AlertParser::ClauseContext* clause, ast::RuleDecl& r, SeenClauses& seen);
  bool alert_text_clause(AlertParser::ClauseContext* clause, ast::RuleDecl& r, SeenClauses& seen);
  void delivery_clause(AlertParser::ClauseContext* clause, ast::RuleDecl& r, SeenClauses& seen);

  // The STRING token when the whole expression is one string literal (a label template).
  static antlr4::tree::TerminalNode* string_literal_token(AlertParser::ExprContext* e) {
    auto* o = e->orExpr();
    if (!o || o->andExpr().size() != 1) return nullptr;
    auto* a = o->andExpr()[0];
    if (a->notExpr().size() != 1 || a->notExpr()[0]->NOT()) return nullptr;
    auto* c = a->notExpr()[0]->cmpExpr();
    if (!c || !c->cmpTail().empty() || !c->addExpr() || c->addExpr()->mulExpr().size() != 1) {
      return nullptr;
    }
    auto* m = c->addExpr()->mulExpr()[0];
    if (m->unaryExpr().size() != 1 || m->unaryExpr()[0]->MINUS()) return nullptr;
    auto* s = dynamic_cast<AlertParser::StringLitContext*>(m->unaryExpr()[0]->primary());
    return s ? s->STRING() : nullptr;
  }

  static constexpr int kMaxExprDepth = 1000;
  uint32_t file_;
  const OffsetMap& map_;
  DiagnosticEngine& diags_;
  const SourceManager& sources_;
  std::unordered_map<const Expr*, int> depths_;
  bool depth_reported_ = false;
};

ast::RuleDecl AstBuilder::rule(AlertParser::RuleDeclContext* ctx) {
  ast::RuleDecl r;
  r.name = ident(ctx->name);
  r.range = range(ctx->name);
  r.schema_name = ident(ctx->schema);
  r.schema_range = range(ctx->schema);
  SeenClauses seen{r.name, {}};
  for (auto* clause : ctx->clause()) {
    if (input_clause(clause, r, seen)) continue;
    if (aggregation_clause(clause, r, seen)) continue;
    if (alert_text_clause(clause, r, seen)) continue;
    delivery_clause(clause, r, seen);
  }
  return r;
}

// Each clause at most once (except let): the second one is reported, and not used.
bool AstBuilder::once(SeenClauses& seen, const std::string& keyword, antlr4::ParserRuleContext* clause) {
  auto [it, fresh] = seen.first.emplace(keyword, range(clause));
  if (!fresh) {
    diags_.report(DiagId::duplicate_clause, range(clause->getStart()), keyword, seen.rule)
        .note(it->second, "first '" + keyword + "' is here");
  }
  return fresh;
}

// Which rows, and in which windows: where, window, lateness. False for other clauses.
bool AstBuilder::input_clause(AlertParser::ClauseContext* clause, ast::RuleDecl& r, SeenClauses& seen) {
  if (auto* c = dynamic_cast<AlertParser::WhereClauseContext*>(clause)) {
    if (once(seen, "where", c)) r.where = expr(c->expr());
  } else if (auto* c = dynamic_cast<AlertParser::TumblingClauseContext*>(clause)) {
    if (once(seen, "window", c)) {
      r.window = ast::WindowKind::Tumbling;
      r.window_range = range(c);
      r.window_size = expr(c->size);
    }
  } else if (auto* c = dynamic_cast<AlertParser::SlidingClauseContext*>(clause)) {
    if (once(seen, "window", c)) {
      r.window = ast::WindowKind::Sliding;
      r.window_range = range(c);
      r.window_size = expr(c->size);
      r.window_step = expr(c->step);
    }
  } else if (auto* c = dynamic_cast<AlertParser::LatenessClauseContext*>(clause)) {
    if (once(seen, "lateness", c)) r.lateness = expr(c->expr());
  } else {
    return false;
  }
  return true;
}

// What is computed and when it fires: group by, let, having, for, expire. False for other clauses.
bool AstBuilder::aggregation_clause(AlertParser::ClauseContext* clause, ast::RuleDecl& r, SeenClauses& seen) {
  if (auto* c = dynamic_cast<AlertParser::GroupClauseContext*>(clause)) {
    if (once(seen, "group by", c)) {
      r.group_range = range(c);
      for (auto* item : c->groupItem()) {
        ast::GroupItem g;
        g.expr = expr(item->expr());
        if (item->asKw) {
          std::string kw = ident(item->asKw);
          if (kw != "as") diags_.report(DiagId::expected_as, range(item->asKw), kw);
          g.alias = ident(item->alias);
        }
        r.group_by.push_back(std::move(g));
      }
    }
  } else if (auto* c = dynamic_cast<AlertParser::LetClauseContext*>(clause)) {
    r.lets.push_back({ident(c->name), range(c->name), expr(c->expr())});
  } else if (auto* c = dynamic_cast<AlertParser::HavingClauseContext*>(clause)) {
    if (once(seen, "having", c)) r.having = expr(c->expr());
  } else if (auto* c = dynamic_cast<AlertParser::ForClauseContext*>(clause)) {
    if (once(seen, "for", c)) r.for_duration = expr(c->expr());
  } else if (auto* c = dynamic_cast<AlertParser::ExpireClauseContext*>(clause)) {
    if (once(seen, "expire", c)) r.expire = expr(c->expr());
  } else {
    return false;
  }
  return true;
}

// What the alert says: severity, labels, message, resolved_message. False for other clauses.
bool AstBuilder::alert_text_clause(AlertParser::ClauseContext* clause, ast::RuleDecl& r, SeenClauses& seen) {
  if (auto* c = dynamic_cast<AlertParser::SeverityClauseContext*>(clause)) {
    if (once(seen, "severity", c) && c->level) {
      std::string level = ident(c->level);
      if (level == "info") r.severity = ast::Severity::Info;
      else if (level == "warning") r.severity = ast::Severity::Warning;
      else if (level == "critical") r.severity = ast::Severity::Critical;
      else diags_.report(DiagId::unknown_severity, range(c->level), level);
    }
  } else if (auto* c = dynamic_cast<AlertParser::LabelsClauseContext*>(clause)) {
    if (once(seen, "labels", c)) {
      for (auto* item : c->labelItem()) {
        ast::LabelDecl label;
        label.name = ident(item->name);
        label.range = range(item->name);
        // A string value is a template; any other expression is shown with string().
        auto* e = item->expr();
        auto* lit = e ? string_literal_token(e) : nullptr;
        label.value = lit ? template_of(lit) : template_of_expr(expr(e));
        r.labels.push_back(std::move(label));
      }
    }
  } else if (auto* c = dynamic_cast<AlertParser::NamedTextClauseContext*>(clause)) {
    // Any word followed by a string parses here; only resolved_message is a clause.
    std::string word = ident(c->word);
    if (word != "resolved_message") {
      diags_.report(DiagId::unknown_clause, range(c->word), word)
          .note(range(c->word), "a rule's clauses are where, window, lateness, group by, let, having, for, "
                                "expire, severity, labels, message, resolved_message, notify and throttle");
    } else if (once(seen, "resolved_message", c) && c->STRING()) {
      r.resolved_message = template_of(c->STRING());
    }
  } else if (auto* c = dynamic_cast<AlertParser::MessageClauseContext*>(clause)) {
    if (once(seen, "message", c) && c->STRING()) r.message = template_of(c->STRING());
  } else {
    return false;
  }
  return true;
}

// Where the alert goes and how often: notify, throttle.
void AstBuilder::delivery_clause(AlertParser::ClauseContext* clause, ast::RuleDecl& r, SeenClauses& seen) {
  if (auto* c = dynamic_cast<AlertParser::NotifyClauseContext*>(clause)) {
    if (once(seen, "notify", c)) {
      for (auto* id : c->ident()) r.notify.emplace_back(ident(id), range(id));
    }
  } else if (auto* c = dynamic_cast<AlertParser::ThrottleClauseContext*>(clause)) {
    if (once(seen, "throttle", c)) {
      auto exprs = c->expr();
      r.throttle_range = range(c);
      if (!exprs.empty()) r.throttle = expr(exprs[0]);
      for (size_t i = 1; i < exprs.size(); ++i) r.throttle_by.push_back(expr(exprs[i]));
    }
  }
}

ast::TestDecl AstBuilder::test(AlertParser::TestDeclContext* ctx) {
  ast::TestDecl t;
  t.name = ctx->STRING() ? string_value(ctx->STRING()) : "";
  t.range = range(ctx->STRING());
  auto field_inits = [&](std::vector<AlertParser::FieldInitContext*> inits) {
    std::vector<ast::FieldInit> out;
    for (auto* f : inits) out.push_back({ident(f->name), range(f->name), expr(f->expr())});
    return out;
  };
  for (auto* item : ctx->testItem()) {
    ast::TestItem it;
    it.range = range(item);
    if (auto* g = dynamic_cast<AlertParser::GivenRowsContext*>(item)) {
      it.kind = ast::TestItem::GivenRows;
      it.name = ident(g->schema);
      it.name_range = range(g->schema);
      for (auto* row : g->rowLit()) it.rows.push_back(field_inits(row->fieldInit()));
    } else if (auto* g = dynamic_cast<AlertParser::GivenFileContext*>(item)) {
      it.kind = ast::TestItem::GivenFile;
      it.name = ident(g->schema);
      it.name_range = range(g->schema);
      if (g->STRING()) it.path = string_value(g->STRING());
    } else if (auto* e = dynamic_cast<AlertParser::ExpectFiresContext*>(item)) {
      it.kind = ast::TestItem::ExpectFires;
      it.name = ident(e->ruleName);
      it.name_range = range(e->ruleName);
      it.count = expr(e->expr());
    } else if (auto* e = dynamic_cast<AlertParser::ExpectStateContext*>(item)) {
      it.kind = ast::TestItem::ExpectResolved;
      it.name = ident(e->ruleName);
      it.name_range = range(e->ruleName);
      std::string state = ident(e->state);
      if (state != "resolved") diags_.report(DiagId::expected_expect_state, range(e->state), state);
      it.count = expr(e->expr());
    } else if (auto* e = dynamic_cast<AlertParser::IdleForContext*>(item)) {
      // `idle D`: the inputs were quiet for D (docs/language.md §10, §11).
      it.kind = ast::TestItem::Idle;
      std::string word = ident(e->word);
      if (word != "idle") diags_.report(DiagId::expected_test_item, range(e->word), word);
      it.count = expr(e->expr());
    } else if (auto* e = dynamic_cast<AlertParser::ExpectRejectsContext*>(item)) {
      // `expect rejects N`: "rejects" is a soft keyword, checked here.
      it.kind = ast::TestItem::ExpectRejects;
      std::string word = ident(e->word);
      if (word != "rejects") diags_.report(DiagId::expected_expect_state, range(e->word), word);
      it.count = expr(e->expr());
    } else if (auto* e = dynamic_cast<AlertParser::ExpectMatchContext*>(item)) {
      it.kind = ast::TestItem::ExpectMatch;
      it.name = ident(e->ruleName);
      it.name_range = range(e->ruleName);
      it.keys = field_inits(e->fieldInit());
    } else {
      continue;
    }
    t.items.push_back(std::move(it));
  }
  return t;
}

// Hands the parser a pre-lexed token list.
std::vector<std::unique_ptr<antlr4::Token>> lex_all(AlertLexer& lexer) {
  std::vector<std::unique_ptr<antlr4::Token>> tokens;
  while (true) {
    std::unique_ptr<antlr4::Token> t = lexer.nextToken();
    bool eof = t->getType() == antlr4::Token::EOF;
    tokens.push_back(std::move(t));
    if (eof) break;
  }
  return tokens;
}

struct ParsedText {
  std::unique_ptr<antlr4::ANTLRInputStream> input;
  std::unique_ptr<AlertLexer> lexer;
  std::vector<std::unique_ptr<antlr4::Token>> tokens;
  std::unique_ptr<antlr4::ListTokenSource> source;
  std::unique_ptr<antlr4::CommonTokenStream> stream;
  std::unique_ptr<AlertParser> parser;
};

// Lexes `text`, reports lexical problems, and prepares a parser over the usable tokens.
// Returns null when the input is too deeply nested to parse safely.
// Checks the lexed tokens before parsing, one at a time: reports lexical errors, repairs the
// tokens that have an obvious meaning (an unterminated string, a bad duration, `=` in a
// condition) so the parser reports nothing more about them, and tracks nesting so that
// pathological input is refused before it can overflow the parser's stack.
class TokenChecker {
 public:
  TokenChecker(uint32_t file, const OffsetMap& map, DiagnosticEngine& diags) : file_(file), map_(map), diags_(diags) {}

  // False when the token is dropped (a comment start, an unknown character).
  bool check(std::unique_ptr<antlr4::Token>& t) {
    size_t type = t->getType();
    if (type == AlertLexer::BLOCK_COMMENT_START) {
      last_comment_ = t.get();
      return false;
    }
    if (type == AlertLexer::UNKNOWN_CHAR) {
      diags_.report(DiagId::unexpected_character, range(t.get()), t->getText());
      return false;
    }
    if (type == AlertLexer::UNTERMINATED_STRING) {
      diags_.report(DiagId::unterminated_string, range(t.get()));
      retype(t, AlertLexer::STRING, nullptr);
    }
    if (type == AlertLexer::BAD_DURATION) type = repair_duration(t);
    track_conditions(t, type);
    if (type == AlertLexer::LPAREN) open_parens_.push_back(t.get());
    // A declaration starts afresh: an unclosed '(' of an earlier one explains none of its errors.
    if (type == AlertLexer::RULE || type == AlertLexer::SCHEMA || type == AlertLexer::CONST ||
        type == AlertLexer::CHANNEL || type == AlertLexer::TEST || type == AlertLexer::IMPORT) {
      declaration_starts_.push_back(t->getStartIndex());
    }
    prev_type_ = type;
    if (type == AlertLexer::RPAREN && !open_parens_.empty()) open_parens_.pop_back();
    track_nesting(t.get(), type);
    return true;
  }

  // After the last token: an unterminated comment, nesting too deep. False when the text must
  // not be parsed.
  bool finish(const AlertLexer& lexer, SyntaxErrorListener& listener) {
    // Still inside a block comment at the end of input: the last comment opened never closed.
    if (lexer.mode == AlertLexer::BLOCK_COMMENT && last_comment_) {
      diags_.report(DiagId::unterminated_comment, range(last_comment_))
          .note(range(last_comment_), "the comment starts here and runs to the end of the file");
    }
    if (deepest_) {
      diags_.report(DiagId::nesting_too_deep, range(deepest_), kMaxNesting);
      return false;
    }
    listener.set_unclosed(std::move(open_parens_), std::move(declaration_starts_));
    return true;
  }

 private:
  SourceRange range(const antlr4::Token* t) const {
    return SourceRange{{file_, map_.byte(t->getStartIndex())}, {file_, map_.byte(t->getStopIndex() + 1)}};
  }

  static void retype(std::unique_ptr<antlr4::Token>& t, size_t type, const char* text) {
    t = std::make_unique<antlr4::CommonToken>(t.get());
    static_cast<antlr4::CommonToken*>(t.get())->setType(type);
    if (text) static_cast<antlr4::CommonToken*>(t.get())->setText(text);
  }

  // Reported once here; the parser then sees a valid duration, so nothing else is reported.
  size_t repair_duration(std::unique_ptr<antlr4::Token>& t) {
    std::string bad_unit, text = t->getText();
    std::string fixed = corrected_duration(text, &bad_unit);
    auto& d = bad_unit.empty()
                  ? diags_.report(DiagId::syntax_error, range(t.get()),
                                  fmt::format("duration '{}' ends in a number without a unit; the units are "
                                              "ms, s, m, h and d", text))
                  : diags_.report(DiagId::unknown_duration_unit, range(t.get()), bad_unit, text);
    if (!fixed.empty()) d.fix(range(t.get()), fixed);
    retype(t, AlertLexer::DURATION, fixed.empty() ? "1s" : fixed.c_str());
    return AlertLexer::DURATION;
  }

  // `where region = "EU"`: the comparison meant; parsed as one, so no cascade follows.
  void track_conditions(std::unique_ptr<antlr4::Token>& t, size_t type) {
    // A keyword used as a name (`labels { where = "eu" }`) opens no condition.
    bool as_name = prev_type_ == AlertLexer::LBRACE || prev_type_ == AlertLexer::COMMA;
    if ((type == AlertLexer::WHERE || type == AlertLexer::HAVING) && !as_name) {
      in_condition_ = true;
    } else if ((type >= AlertLexer::IMPORT && type <= AlertLexer::FIRES && type != AlertLexer::BY &&
                type != AlertLexer::ON && type != AlertLexer::FROM) || type == AlertLexer::RBRACE) {
      in_condition_ = false;
    }
    if (type == AlertLexer::ASSIGN && in_condition_) {
      diags_.report(DiagId::assignment_in_condition, range(t.get())).fix(range(t.get()), "==");
      retype(t, AlertLexer::EQ, "==");
    }
  }

  void track_nesting(antlr4::Token* t, size_t type) {
    if (type == AlertLexer::LPAREN || type == AlertLexer::LBRACK) {
      if (++depth_ > max_depth_) {
        max_depth_ = depth_;
        if (depth_ > kMaxNesting && !deepest_) deepest_ = t;
      }
    } else if (type == AlertLexer::RPAREN || type == AlertLexer::RBRACK) {
      depth_ = std::max(0, depth_ - 1);
    }
    if (type == AlertLexer::MINUS || type == AlertLexer::NOT) {
      if (++prefix_run_ > kMaxNesting && !deepest_) deepest_ = t;
    } else {
      prefix_run_ = 0;
    }
  }

  uint32_t file_;
  const OffsetMap& map_;
  DiagnosticEngine& diags_;
  int depth_ = 0, max_depth_ = 0, prefix_run_ = 0;
  bool in_condition_ = false;  // after `where` or `having`, before the next clause
  size_t prev_type_ = 0;
  std::vector<size_t> declaration_starts_;
  std::vector<const antlr4::Token*> open_parens_;
  antlr4::Token* last_comment_ = nullptr;
  antlr4::Token* deepest_ = nullptr;
};

std::unique_ptr<ParsedText> prepare(std::string_view text, uint32_t file, const OffsetMap& map,
                                    DiagnosticEngine& diags, SyntaxErrorListener& listener) {
  auto p = std::make_unique<ParsedText>();
  p->input = std::make_unique<antlr4::ANTLRInputStream>(text.data(), text.size());
  p->lexer = std::make_unique<AlertLexer>(p->input.get());
  p->lexer->removeErrorListeners();
  TokenChecker checker(file, map, diags);
  // Kept to the end: the checker points at dropped tokens (a comment's start) in its messages.
  auto all = lex_all(*p->lexer);
  for (auto& t : all) {
    if (checker.check(t)) p->tokens.push_back(std::move(t));
  }
  if (!checker.finish(*p->lexer, listener)) return nullptr;
  p->source = std::make_unique<antlr4::ListTokenSource>(std::move(p->tokens));
  p->stream = std::make_unique<antlr4::CommonTokenStream>(p->source.get());
  p->parser = std::make_unique<AlertParser>(p->stream.get());
  p->parser->removeErrorListeners();
  p->parser->addErrorListener(&listener);
  // SLL prediction is much faster and exact for this grammar's decisions.
  p->parser->getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
      antlr4::atn::PredictionMode::SLL);
  return p;
}

ast::Template AstBuilder::template_of(antlr4::tree::TerminalNode* node) {
  ast::Template out;
  out.range = range(node);
  std::string raw = node->getText();
  uint32_t base = map_.byte(node->getSymbol()->getStartIndex());
  // The scanner's items come in source order, so the diagnostics do too.
  for (const TemplateItem& item : scan_template(raw)) {
    if (const auto* text = std::get_if<TemplateText>(&item)) {
      ast::TemplatePiece piece;
      piece.text = unescape("\"" + text->raw + "\"", base, text);
      out.pieces.push_back(std::move(piece));
    } else if (const auto* e = std::get_if<TemplateExpr>(&item)) {
      out.pieces.push_back(template_expr_piece(*e, base));
    } else {
      report_template_error(std::get<TemplateError>(item), base);
    }
  }
  return out;
}

// An interpolation's expression, parsed by a nested parser whose positions map back into this
// file; a blank one (already reported) or an unparsable one stands as a null literal.
ast::TemplatePiece AstBuilder::template_expr_piece(const TemplateExpr& e, uint32_t base) {
  ast::TemplatePiece piece;
  SourceRange open{{file_, base + e.open}, {file_, base + e.open + 1}};
  if (e.spec) {
    piece.spec = *e.spec;
    piece.spec_range = {{file_, base + e.spec_begin}, {file_, base + e.spec_end}};
  }
  if (e.source.empty()) {
    piece.expr = error_expr(open);
    return piece;
  }
  OffsetMap sub_map(e.source, base + e.offset);
  SyntaxErrorListener listener(file_, sub_map, diags_);
  auto parsed = prepare(e.source, file_, sub_map, diags_, listener);
  if (parsed) {
    auto* ctx = parsed->parser->expr();
    if (parsed->stream->LA(1) != antlr4::Token::EOF) {
      listener.syntaxError(nullptr, parsed->stream->LT(1), 0, 0, "", nullptr);
    }
    AstBuilder sub(file_, sub_map, diags_, sources_);
    piece.expr = sub.expr(ctx);
  } else {
    piece.expr = error_expr(open);
  }
  if (!piece.expr) piece.expr = error_expr(open);
  return piece;
}

void AstBuilder::report_template_error(const TemplateError& error, uint32_t base) {
  SourceRange r{{file_, base + error.begin}, {file_, base + error.end}};
  switch (error.what) {
    case TemplateError::StrayClose: diags_.report(DiagId::template_stray_brace, r); break;
    case TemplateError::Unclosed: diags_.report(DiagId::template_unclosed_brace, r); break;
    case TemplateError::Empty: diags_.report(DiagId::template_empty, r); break;
  }
}

}  // namespace

bool check_source_bytes(const SourceManager& sources, uint32_t file_id, DiagnosticEngine& diags) {
  std::string_view text = sources.contents(file_id);
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    auto report = [&](DiagId id, size_t at) {
      SourceRange r{{file_id, static_cast<uint32_t>(at)}, {file_id, static_cast<uint32_t>(at + 1)}};
      if (id == DiagId::nul_byte) {
        diags.report(id, r);
      } else {
        diags.report(id, r, static_cast<unsigned>(static_cast<unsigned char>(text[at])));
      }
      return false;
    };
    if (c == 0) return report(DiagId::nul_byte, i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || c == 0xC0 || c == 0xC1 || c > 0xF4 || i + len > text.size()) {
      return report(DiagId::invalid_utf8, i);
    }
    uint32_t cp = c & (0x7F >> len);
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return report(DiagId::invalid_utf8, i + k);
      cp = (cp << 6) | (cc & 0x3F);
    }
    bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return report(DiagId::invalid_utf8, i);
    }
    i += len;
  }
  return true;
}

std::unique_ptr<ast::File> parse_file(const SourceManager& sources, uint32_t file_id,
                                      DiagnosticEngine& diags) {
  auto file = std::make_unique<ast::File>();
  file->id = file_id;
  std::string_view text = sources.contents(file_id);
  OffsetMap map(text, 0);
  SyntaxErrorListener listener(file_id, map, diags);
  auto parsed = prepare(text, file_id, map, diags, listener);
  if (!parsed) return file;
  AlertParser::ProgramContext* program = parsed->parser->program();
  AstBuilder builder(file_id, map, diags, sources);
  builder.build_file(program, *file);
  return file;
}

}  // namespace alert
