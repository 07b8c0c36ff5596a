// `alertc fmt`: one canonical layout, from the token stream. Tokens come from the ANTLR lexer;
// comments, which the lexer skips, are recovered from the source text between tokens and kept
// where they were (at the end of a line, or on lines of their own). The layout: one blank line
// between declarations (consecutive imports, consts or channels keep the author's grouping),
// rule clauses each on their own line indented by two, schema fields one per line without
// commas, test items one per line and rows of `given` one per line, single spaces around
// operators. A result must lex to the same tokens (commas between schema fields aside) with the
// same comments, or formatting is refused rather than risk changing a program.
#include "compiler/parse/formatter.h"

#include <antlr4-runtime.h>

#include "AlertLexer.h"

namespace alert {
namespace {

using alertgen::AlertLexer;

struct Comment {
  std::string text;
  bool own_line = false;       // a newline comes before it
  bool newline_after = false;  // a newline follows it (always for // comments)
};

struct Tok {
  size_t type = 0;
  std::string text;
  std::vector<Comment> comments;  // in the gap before this token
  bool blank_before = false;      // the gap ends with a blank line before the token
  bool newline_before = false;    // the author broke the line before this token
};

// Splits the whitespace-and-comments gap between two tokens.
void read_gap(std::string_view gap, Tok* next) {
  size_t newlines_since = 0;
  bool any_newline = false;
  for (size_t i = 0; i < gap.size();) {
    if (gap.compare(i, 2, "//") == 0 || gap.compare(i, 2, "/*") == 0) {
      bool line = gap[i + 1] == '/';
      size_t end = line ? gap.find('\n', i) : gap.find("*/", i + 2);
      end = end == std::string_view::npos ? gap.size() : (line ? end : end + 2);
      Comment c;
      c.text = std::string(gap.substr(i, end - i));
      while (!c.text.empty() && (c.text.back() == ' ' || c.text.back() == '\t' || c.text.back() == '\r')) c.text.pop_back();
      c.own_line = any_newline;
      next->comments.push_back(std::move(c));
      any_newline = false;
      newlines_since = 0;
      i = end;
      continue;
    }
    if (gap[i] == '\n') {
      if (!next->comments.empty() && newlines_since == 0) next->comments.back().newline_after = true;
      any_newline = true;
      ++newlines_since;
    }
    ++i;
  }
  for (Comment& c : next->comments) {
    if (c.text.starts_with("//")) c.newline_after = true;
  }
  next->blank_before = newlines_since >= 2;
  next->newline_before = newlines_since >= 1;
}

Result<std::vector<Tok>> lex(std::string_view text) {
  antlr4::ANTLRInputStream input(text.data(), text.size());
  AlertLexer lexer(&input);
  lexer.removeErrorListeners();
  std::vector<std::unique_ptr<antlr4::Token>> tokens = lexer.getAllTokens();
  // Still inside a block comment at the end: it is unterminated (the parser's unterminated_comment).
  if (lexer.mode == AlertLexer::BLOCK_COMMENT) {
    return Result<std::vector<Tok>>::failure("the file has lexical errors; run alertc check");
  }
  // ANTLR counts code points; the gaps are cut from the UTF-8 bytes.
  std::vector<size_t> byte_of;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) byte_of.push_back(i);
  }
  byte_of.push_back(text.size());
  std::vector<Tok> out;
  size_t last_end = 0;
  for (auto& t : tokens) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    if (t->getType() == AlertLexer::UNKNOWN_CHAR || t->getType() == AlertLexer::UNTERMINATED_STRING) {
      return Result<std::vector<Tok>>::failure("the file has lexical errors; run alertc check");
    }
    size_t begin = byte_of[t->getStartIndex()], end = byte_of[t->getStopIndex() + 1];
    Tok tok;
    tok.type = t->getType();
    tok.text = std::string(text.substr(begin, end - begin));
    read_gap(text.substr(last_end, begin - last_end), &tok);
    if (out.empty() && !tok.comments.empty()) tok.comments.front().own_line = true;  // the file's first line
    out.push_back(std::move(tok));
    last_end = end;
  }
  Tok eof;
  eof.type = antlr4::Token::EOF;
  read_gap(text.substr(last_end), &eof);
  out.push_back(std::move(eof));
  return out;
}

bool is_declaration(size_t type) {
  return type == AlertLexer::IMPORT || type == AlertLexer::SCHEMA || type == AlertLexer::CONST ||
         type == AlertLexer::CHANNEL || type == AlertLexer::RULE || type == AlertLexer::TEST;
}

bool is_clause(size_t type) {
  switch (type) {
    case AlertLexer::WHERE: case AlertLexer::WINDOW: case AlertLexer::LATENESS: case AlertLexer::GROUP:
    case AlertLexer::LET: case AlertLexer::HAVING: case AlertLexer::FOR: case AlertLexer::EXPIRE:
    case AlertLexer::SEVERITY: case AlertLexer::LABELS: case AlertLexer::MESSAGE: case AlertLexer::NOTIFY:
    case AlertLexer::THROTTLE: return true;
    default: return false;
  }
}

// Tokens after which a `-` is binary.
bool ends_value(size_t type) {
  switch (type) {
    case AlertLexer::IDENT: case AlertLexer::QUOTED_IDENT: case AlertLexer::INT: case AlertLexer::FLOAT:
    case AlertLexer::DURATION: case AlertLexer::TIMESTAMP: case AlertLexer::STRING: case AlertLexer::RPAREN:
    case AlertLexer::RBRACK: case AlertLexer::RBRACE: case AlertLexer::TRUE: case AlertLexer::FALSE:
    case AlertLexer::NULL_: return true;
    default: return false;
  }
}

class Printer {
 public:
  std::string out;

  void newline() {
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (!out.empty() && out.back() != '\n') out += '\n';
    at_line_start_ = true;
  }
  void blank_line() {
    newline();
    if (out.size() >= 2 && out[out.size() - 2] != '\n') out += '\n';
  }
  void start_line(int indent) {
    newline();
    indent_ = indent;
  }
  // Writes a token or comment; `space` asks for a space before it unless a line starts here.
  void write(const std::string& text, bool space) {
    if (at_line_start_) {
      out.append(static_cast<size_t>(indent_), ' ');
    } else if (space) {
      out += ' ';
    }
    out += text;
    at_line_start_ = false;
  }
  bool at_line_start() const { return at_line_start_; }
  int indent() const { return indent_; }
  void set_indent(int indent) { indent_ = indent; }

 private:
  bool at_line_start_ = true;
  int indent_ = 0;
};

class Formatter {
 public:
  explicit Formatter(std::vector<Tok> toks) : t_(std::move(toks)) {}

  std::string run() {
    for (i_ = 0; i_ < t_.size(); ++i_) step();
    p_.newline();
    std::string out = std::move(p_.out);
    while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
    if (out == "\n") out.clear();
    return out;
  }

 private:
  enum class Decl { None, Import, Schema, Const, Channel, Rule, Test };

  // Comments before token i, at `indent` for those on their own lines.
  void flush_comments(size_t i, int indent) {
    for (const Comment& c : t_[i].comments) {
      if (c.own_line) {
        p_.start_line(indent);
        p_.write(c.text, false);
      } else {
        p_.write(c.text, !p_.at_line_start());
      }
      if (c.newline_after) p_.newline();
    }
  }

  void step() {
    const Tok& tok = t_[i_];
    size_t type = tok.type;
    if (type == antlr4::Token::EOF) {
      flush_comments(i_, 0);
      return;
    }
    bool top = depth_ == 0;
    // Where does this token go: a new declaration, a new line inside one, or the same line?
    int line_indent = -1;  // -1: same line
    if (top && is_declaration(type)) {
      start_declaration(type);
      return;
    }
    if (decl_ == Decl::Rule && top && is_clause(type)) line_indent = 2;
    if (decl_ == Decl::Rule && top && type == AlertLexer::IDENT && tok.text == "resolved_message") line_indent = 2;
    if (decl_ == Decl::Schema && depth_ == 1 && (type == AlertLexer::IDENT || type == AlertLexer::QUOTED_IDENT) &&
        starts_field()) {
      line_indent = 2;
    }
    bool item_start = decl_ == Decl::Test && depth_ == 1 &&
                      (type == AlertLexer::GIVEN || type == AlertLexer::EXPECT || starts_idle_item(tok));
    if (item_start) line_indent = 2;
    if (decl_ == Decl::Test && depth_ == 2 && in_rows_ && type == AlertLexer::LBRACE) line_indent = 4;
    if (decl_ == Decl::Test && depth_ == 2 && in_rows_ && type == AlertLexer::RBRACK) line_indent = 2;
    if ((decl_ == Decl::Schema || decl_ == Decl::Test) && depth_ == 1 && type == AlertLexer::RBRACE) line_indent = 0;

    // Elsewhere the author's line breaks stay: a continuation is indented two more than the line
    // that opened the innermost bracket (or than the clause), a closing bracket lines up with it.
    bool closing = type == AlertLexer::RPAREN || type == AlertLexer::RBRACK || type == AlertLexer::RBRACE;
    int continuation = closing && !open_indents_.empty() ? open_indents_.back()
                       : open_indents_.empty()          ? clause_indent_ + 2
                                                         : open_indents_.back() + 2;
    bool structural = line_indent >= 0;
    if (!structural && tok.newline_before && !(decl_ == Decl::Schema && type == AlertLexer::COMMA)) {
      line_indent = continuation;
    }
    flush_comments(i_, line_indent >= 0 ? line_indent : continuation);
    if (line_indent >= 0) {
      p_.start_line(line_indent);
      if (structural) clause_indent_ = line_indent;
    } else if (p_.at_line_start()) {
      p_.set_indent(continuation);  // a line broken by a comment continues indented
    }
    if (decl_ == Decl::Schema && depth_ == 1 && type == AlertLexer::COMMA) {
      return;  // commas between fields are optional: the canonical layout has none
    }
    p_.write(tok.text, wants_space(type));
    if (decl_ == Decl::Test && depth_ == 1) {
      if (item_start) {
        item_ = type == AlertLexer::GIVEN ? Item::Given : type == AlertLexer::EXPECT ? Item::Expect : Item::Idle;
        item_tokens_ = 0;
      } else {
        ++item_tokens_;
      }
    }
    track(type);
    prev2_ = prev_;
    prev_ = type;
  }

  // In a test body: does this token begin an `idle D` item? `idle` is a soft keyword (an IDENT),
  // so it begins one where a name cannot go on the item before: at the start of the body or
  // after a complete value, but not as the value that `idle`, `expect R resolved` or
  // `expect rejects` still wait for.
  bool starts_idle_item(const Tok& tok) const {
    if (tok.type != AlertLexer::IDENT || tok.text != "idle") return false;
    if (prev_ == AlertLexer::LBRACE) return true;
    if (!ends_value(prev_)) return false;
    bool prev_is_name = prev_ == AlertLexer::IDENT || prev_ == AlertLexer::QUOTED_IDENT;
    if (prev_is_name && item_ == Item::Idle && item_tokens_ == 0) return false;   // `idle idle`
    if (prev_is_name && item_ == Item::Expect && item_tokens_ <= 2) return false;  // `expect R resolved idle`
    return true;
  }

  void start_declaration(size_t type) {
    Decl next = type == AlertLexer::IMPORT    ? Decl::Import
                : type == AlertLexer::SCHEMA  ? Decl::Schema
                : type == AlertLexer::CONST   ? Decl::Const
                : type == AlertLexer::CHANNEL ? Decl::Channel
                : type == AlertLexer::RULE    ? Decl::Rule
                                              : Decl::Test;
    bool grouped = next == decl_ && (next == Decl::Import || next == Decl::Const || next == Decl::Channel);
    const Tok& tok = t_[i_];
    bool blank = decl_ != Decl::None && (!grouped || tok.blank_before || !tok.comments.empty());
    if (grouped && !tok.comments.empty() && !tok.comments.front().own_line) blank = false;
    // Trailing comments of the previous line stay there; own-line ones lead this declaration.
    size_t c = 0;
    for (; c < tok.comments.size() && !tok.comments[c].own_line; ++c) {
      p_.write(tok.comments[c].text, true);
      p_.newline();
    }
    if (blank && decl_ != Decl::None) {
      bool source_blank_before_comments = c < tok.comments.size() || tok.blank_before || !grouped;
      if (source_blank_before_comments) p_.blank_line();
    }
    for (; c < tok.comments.size(); ++c) {
      p_.start_line(0);
      p_.write(tok.comments[c].text, false);
      p_.newline();
      // A blank line between a comment block and the declaration is the author's; keep it.
      if (c + 1 == tok.comments.size() && tok.blank_before) p_.blank_line();
    }
    p_.start_line(0);
    decl_ = next;
    clause_indent_ = 0;
    open_indents_.clear();
    in_rows_ = false;
    item_ = Item::None;
    item_tokens_ = 0;
    p_.write(tok.text, false);
    track(type);
    prev2_ = prev_;
    prev_ = type;
  }

  // In a schema body: does this token begin a field?
  bool starts_field() const {
    if (prev_ == AlertLexer::LBRACE || prev_ == AlertLexer::QUESTION) return true;
    return prev_ == AlertLexer::IDENT && prev2_ == AlertLexer::COLON;  // after the field's type
  }

  bool wants_space(size_t type) const {
    if (p_.at_line_start()) return false;
    switch (type) {
      case AlertLexer::RPAREN: case AlertLexer::RBRACK: case AlertLexer::COMMA: case AlertLexer::COLON:
      case AlertLexer::QUESTION: return false;
      case AlertLexer::LPAREN:
        return !(prev_ == AlertLexer::IDENT || prev_ == AlertLexer::QUOTED_IDENT || prev_ == AlertLexer::LPAREN ||
                 prev_ == AlertLexer::LBRACK || unary_minus_before_);
      case AlertLexer::RBRACE: return prev_ != AlertLexer::LBRACE;
      default: break;
    }
    if (prev_ == AlertLexer::LPAREN || prev_ == AlertLexer::LBRACK) return false;
    if (unary_minus_before_) return false;
    return true;
  }

  void track(size_t type) {
    unary_minus_before_ = type == AlertLexer::MINUS && !ends_value(prev_);
    switch (type) {
      case AlertLexer::LPAREN: case AlertLexer::LBRACK: case AlertLexer::LBRACE:
        if (decl_ == Decl::Test && depth_ == 1 && type == AlertLexer::LBRACK) in_rows_ = true;
        ++depth_;
        open_indents_.push_back(p_.indent());
        break;
      case AlertLexer::RPAREN: case AlertLexer::RBRACK: case AlertLexer::RBRACE:
        if (depth_ > 0) --depth_;
        if (!open_indents_.empty()) open_indents_.pop_back();
        if (decl_ == Decl::Test && depth_ == 1 && type == AlertLexer::RBRACK) in_rows_ = false;
        break;
      default: break;
    }
  }

  std::vector<Tok> t_;
  size_t i_ = 0;
  Printer p_;
  Decl decl_ = Decl::None;
  int depth_ = 0;
  int clause_indent_ = 0;           // indent of the current clause or declaration line
  std::vector<int> open_indents_;  // per open bracket: the indent of the line that opened it
  bool in_rows_ = false;
  // In a test body: the item being written, and how many of its tokens at the body's depth
  // came after its first one (`given`, `expect` or `idle`).
  enum class Item { None, Given, Expect, Idle };
  Item item_ = Item::None;
  size_t item_tokens_ = 0;
  bool unary_minus_before_ = false;
  size_t prev_ = 0, prev2_ = 0;
};

// The program's tokens with commas dropped (schema commas are optional) and its comments, for
// checking that formatting changed nothing but layout.
std::vector<std::string> essence(const std::vector<Tok>& toks) {
  std::vector<std::string> out;
  for (const Tok& t : toks) {
    for (const Comment& c : t.comments) out.push_back(c.text);
    if (t.type != AlertLexer::COMMA) out.push_back(t.text);
  }
  return out;
}

}  // namespace

Result<std::string> format_source(std::string_view text) {
  auto toks = lex(text);
  if (!toks.ok()) return Result<std::string>::failure(toks.error());
  std::vector<std::string> before = essence(toks.value());
  std::string formatted = Formatter(toks.take()).run();
  auto again = lex(formatted);
  if (!again.ok() || essence(again.value()) != before) {
    return Result<std::string>::failure("internal error: formatting would change the program; file left as it is");
  }
  return formatted;
}

}  // namespace alert
