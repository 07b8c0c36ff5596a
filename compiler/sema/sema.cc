#include "compiler/sema/sema.h"

#include "compiler/parse/formatter.h"

#include <re2/re2.h>

#include <cstdlib>
#include <functional>
#include <set>
#include <sstream>
#include <unordered_map>

#include "stdlib/builtins.h"
#include "stdlib/scalar_ops.h"
#include "stdlib/time_format.h"

namespace alert {
namespace {

using ast::Expr;
using ast::ExprKind;
using ast::RefKind;

// Where an expression is evaluated, which decides what its names mean.
enum class Context {
  Const,   // constants, durations, test values: no fields
  Row,     // one input row: fields, earlier lets (row rules)
  Window,  // a closed window of a group: group keys, aggregates, history, lets
  Option,  // channel options: constants and env()
};

struct Scope {
  Context context = Context::Const;
  const plan::Schema* schema = nullptr;
  sema::CheckedRule* rule = nullptr;
  const ast::RuleDecl* decl = nullptr;
  size_t visible_lets = 0;
  bool allow_aggregates = false;
  bool allow_history = false;
  bool in_aggregate = false;
  const char* clause = "";
};

bool is_numeric_kind(TypeKind k) { return k == TypeKind::Int || k == TypeKind::Float; }

// int and float unify to float; Null (the literal) unifies with anything.
std::optional<TypeKind> unify_kinds(TypeKind a, TypeKind b) {
  if (a == b) return a;
  if (a == TypeKind::Null) return b;
  if (b == TypeKind::Null) return a;
  if (is_numeric_kind(a) && is_numeric_kind(b)) return TypeKind::Float;
  return std::nullopt;
}

Value sample_value(TypeKind k) {
  switch (k) {
    case TypeKind::Bool: return Value::boolean(true);
    case TypeKind::Int: return Value::integer(42);
    case TypeKind::Float: return Value::floating(1.5);
    case TypeKind::String: return Value::string("s");
    case TypeKind::Timestamp: return Value::timestamp(0);
    case TypeKind::Duration: return Value::duration(kNanosPerSecond);
    default: return Value::null();
  }
}

class Checker {
 public:
  SemaOptions options;
  Checker(ast::Program& ast, sema::CheckedProgram& program, const SourceManager& sources, DiagnosticEngine& diags)
      : ast_(ast), p_(program), sources_(sources), diags_(&diags) {}

  void run() {
    collect_declarations();
    for (const auto* s : schema_order_) check_schema(*s);
    for (const auto& [name, c] : consts_) (void)fold_const(name);
    for (const auto* c : channel_order_) check_channel(*c);
    for (auto& [decl, file] : rule_order_) check_rule(*decl);
    // `alertc run` ignores test blocks, so a mistake in one does not stop the rules from running.
    if (options.check_tests) {
      for (auto& [decl, file] : test_order_) {
        if (!options.isolate_tests) {
          check_test(*decl, file);
          continue;
        }
        // `alertc test`: a broken test is that test's failure, not the program's.
        DiagnosticEngine own(sources_);
        DiagnosticEngine* program_diags = diags_.engine;
        diags_.engine = &own;
        size_t tests_before = p_.tests.size();
        check_test(*decl, file);
        diags_.engine = program_diags;
        if (own.has_errors()) {
          std::ostringstream text;
          own.render_text(text);
          if (p_.tests.size() == tests_before) p_.tests.push_back({decl, file});
          p_.tests.back().broken = text.str();
        } else {
          for (const Diagnostic& d : own.diagnostics()) program_diags->add(d);  // its warnings still show
        }
      }
    }
  }

 private:
  // ---- declarations -------------------------------------------------------------------------

  template <typename Decl>
  void declare(std::unordered_map<std::string, const Decl*>& table, const Decl& d,
               const char* what) {
    auto [it, fresh] = table.emplace(d.name, &d);
    if (!fresh) {
      diags_.report(DiagId::redefinition, d.range, what, d.name)
          .note(it->second->range, "previous definition is here");
    }
  }

  void collect_declarations() {
    for (auto& file : ast_.files) {
      for (auto& s : file->schemas) {
        if (!schemas_.count(s.name)) schema_order_.push_back(&s);
        declare(schemas_, s, "schema");
      }
      for (auto& c : file->consts) declare(consts_, c, "constant");
      for (auto& c : file->channels) {
        if (!channels_.count(c.name)) channel_order_.push_back(&c);
        declare(channels_, c, "channel");
      }
      for (auto& r : file->rules) {
        if (!rules_.count(r.name)) rule_order_.emplace_back(&r, file->id);
        declare(rules_, r, "rule");
      }
      for (auto& t : file->tests) test_order_.emplace_back(&t, file->id);
    }
  }

  std::vector<std::string> names_of_schemas() const {
    std::vector<std::string> out;
    for (auto& [n, d] : schemas_) out.push_back(n);
    return out;
  }

  void suggest(Diagnostic& d, SourceRange at, const std::string& name,
               const std::vector<std::string>& candidates) {
    std::string best = closest_name(name, candidates);
    if (!best.empty() && best != name) {
      d.note(at, "did you mean '" + best + "'?").fix(at, best);
    }
  }

  void check_schema(const ast::SchemaDecl& s) {
    plan::Schema out;
    out.name = s.name;
    std::unordered_map<std::string, const ast::FieldDecl*> seen;
    static const std::vector<std::string> kTypes = {"bool", "int", "float", "string", "timestamp", "duration"};
    for (const auto& f : s.fields) {
      auto [it, fresh] = seen.emplace(f.name, &f);
      if (!fresh) {
        diags_.report(DiagId::duplicate_field, f.range, f.name, s.name)
            .note(it->second->range, "previous definition is here");
        continue;
      }
      static const std::unordered_map<std::string, TypeKind> kKinds = {
                     {"bool", TypeKind::Bool},     {"int", TypeKind::Int},
                     {"float", TypeKind::Float},   {"string", TypeKind::String},
                     {"timestamp", TypeKind::Timestamp}, {"duration", TypeKind::Duration}};
      auto k = kKinds.find(f.type_name);
      Type type;
      if (k == kKinds.end()) {
        if (!f.type_name.empty()) {
          SourceRange at{f.type_range.begin, {f.type_range.begin.file, f.type_range.begin.offset + static_cast<uint32_t>(f.type_name.size())}};
          auto& d = diags_.report(DiagId::unknown_type, at, f.type_name);
          suggest(d, at, f.type_name, kTypes);
        }
        type = Type::of(TypeKind::String, f.nullable);
      } else {
        type = Type::of(k->second, f.nullable);
      }
      if (f.is_time) {
        if (out.time_field >= 0) {
          diags_.report(DiagId::multiple_time_fields, f.range, s.name)
              .note(s.fields[out.time_field].range, "the first time field is here");
        } else if (type.kind != TypeKind::Timestamp) {
          diags_.report(DiagId::time_field_not_timestamp, f.type_range, f.name, type.name());
        } else {
          out.time_field = static_cast<int>(out.fields.size());
        }
      }
      out.fields.push_back({f.name, type});
    }
    schema_index_[s.name] = static_cast<int>(p_.plan.schemas.size());
    p_.plan.schemas.push_back(std::move(out));
  }

  // Constants are folded on first use, so they may be declared in any order; a cycle is an error.
  const Value* fold_const(const std::string& name) {
    auto done = const_values_.find(name);
    if (done != const_values_.end()) return done->second ? &*done->second : nullptr;
    auto it = consts_.find(name);
    if (it == consts_.end()) return nullptr;
    const ast::ConstDecl& c = *it->second;
    if (const_in_progress_.count(name)) {
      diags_.report(DiagId::const_cycle, c.range, name);
      const_values_[name] = std::nullopt;
      return nullptr;
    }
    const_in_progress_.insert(name);
    Scope scope;
    scope.context = Context::Const;
    scope.clause = "a constant";
    Expr& e = *c.value;
    bool is_list = e.kind == ExprKind::List;
    Type t = is_list ? check_list(e, scope) : check(e, scope);
    const_in_progress_.erase(name);
    std::optional<Value> result;
    if (t.kind != TypeKind::Null || !e.constant) {
      if (!e.constant) {
        if (!diags_.has_errors()) diags_.report(DiagId::not_constant, e.range, "a constant's value");
      } else if (e.constant->is_null()) {
        diags_.report(DiagId::const_is_null, c.range, name);
      } else {
        result = *e.constant;
      }
    } else {
      diags_.report(DiagId::const_is_null, c.range, name);
    }
    const_types_[name] = t.with_nullable(false);
    const_values_[name] = result;
    return result ? &*const_values_[name] : nullptr;
  }

  // ---- expressions --------------------------------------------------------------------------

  Type error_type() { return Type::of(TypeKind::Null, true); }

  Type set(Expr& e, Type t) {
    e.type = t;
    return t;
  }

  // A list literal: only as a constant's value or on the right of `in`.
  Type check_list(Expr& e, Scope& scope) {
    std::optional<TypeKind> elem = TypeKind::Null;
    Value folded;
    folded.kind = TypeKind::List;
    bool all_const = true;
    for (auto& item : e.children) {
      Type t = check(*item, scope);
      if (!item->constant) {
        diags_.report(DiagId::not_constant, item->range, "a list item");
        all_const = false;
        continue;
      }
      if (item->constant->is_null()) {
        diags_.report(DiagId::nullable_constant, item->range, "a list item", t.name());
        all_const = false;
        continue;
      }
      auto u = unify_kinds(*elem, t.kind);
      if (!u || t.kind == TypeKind::List) {
        diags_.report(DiagId::list_item_mismatch, item->range, std::string(type_kind_name(*elem)), t.name());
        all_const = false;
        continue;
      }
      elem = u;
      folded.list.push_back(*item->constant);
    }
    for (auto& v : folded.list) v = promote(v, *elem);
    if (all_const) e.constant = folded;
    return set(e, Type::list_of(*elem));
  }

  Type check(Expr& e, Scope& scope) {
    switch (e.kind) {
      case ExprKind::Literal: {
        e.constant = e.literal;
        if (e.literal.is_null()) return set(e, Type::of(TypeKind::Null, true));
        return set(e, Type::of(e.literal.kind));
      }
      case ExprKind::Name: return check_name(e, scope);
      case ExprKind::List: {
        diags_.report(DiagId::list_outside_in, e.range);
        check_list(e, scope);
        return set(e, error_type());
      }
      case ExprKind::Unary: return check_unary(e, scope);
      case ExprKind::Binary: return check_binary(e, scope);
      case ExprKind::In: return check_in(e, scope);
      case ExprKind::Between: return check_between(e, scope);
      case ExprKind::IsNull: {
        check(*e.children[0], scope);
        fold(e);
        return set(e, Type::of(TypeKind::Bool));
      }
      case ExprKind::Call: return check_call(e, scope);
    }
    return error_type();
  }

  std::vector<std::string> visible_names(const Scope& scope) {
    std::vector<std::string> out;
    for (auto& [n, c] : consts_) out.push_back(n);
    if (scope.schema && scope.context != Context::Const && scope.context != Context::Option) {
      for (auto& f : scope.schema->fields) out.push_back(f.name);
    }
    if (scope.rule) {
      for (size_t i = 0; i < scope.visible_lets && i < scope.rule->lets.size(); ++i) out.push_back(scope.rule->lets[i].name);
      for (auto& g : scope.rule->group_keys) out.push_back(g.name);
    }
    return out;
  }

  Type check_name(Expr& e, Scope& scope) {
    const sema::CheckedRule* rule = scope.rule;
    // Lets declared earlier in the rule.
    if (rule && (scope.context == Context::Row || scope.context == Context::Window)) {
      for (size_t i = 0; i < scope.visible_lets && i < rule->lets.size(); ++i) {
        if (rule->lets[i].name == e.name) {
          e.ref = RefKind::Let;
          e.index = static_cast<int>(i);
          return set(e, rule->let_syntax[i]->type);
        }
      }
    }
    // A group key by its alias or field name; in a row rule only an alias that is not a field.
    bool keys_visible = scope.context == Context::Window ||
                        (scope.context == Context::Row && !scope.in_aggregate && scope.schema &&
                         scope.schema->field_index(e.name) < 0);
    if (rule && keys_visible) {
      for (size_t i = 0; i < rule->group_keys.size(); ++i) {
        if (rule->group_keys[i].name == e.name && rule->key_syntax[i]->type.kind != TypeKind::Null) {
          e.ref = RefKind::GroupKey;
          e.index = static_cast<int>(i);
          return set(e, rule->key_syntax[i]->type);
        }
      }
    }
    if (scope.schema && scope.context != Context::Const && scope.context != Context::Option) {
      int fi = scope.schema->field_index(e.name);
      if (fi >= 0) {
        if (scope.context == Context::Window) {
          diags_.report(DiagId::field_outside_aggregate, e.range, e.name);
          return set(e, error_type());
        }
        e.ref = RefKind::Field;
        e.index = fi;
        return set(e, scope.schema->fields[fi].type);
      }
    }
    if (consts_.count(e.name)) {
      const Value* v = fold_const(e.name);
      e.ref = RefKind::Const;
      if (!v) return set(e, error_type());
      e.constant = *v;
      return set(e, const_types_[e.name]);
    }
    if (report_misused_name(e, scope)) return set(e, error_type());
    auto& d = diags_.report(DiagId::unknown_name, e.range, e.name);
    suggest(d, e.range, e.name, visible_names(scope));
    return set(e, error_type());
  }

  // The mistakes an unknown name most often is: a function named without its call, or a `let`
  // used above its definition. True when one was reported.
  bool report_misused_name(const Expr& e, const Scope& scope) {
    auto overloads = find_builtins(e.name);
    if (!overloads.empty()) {
      bool aggregate = overloads[0]->klass == BuiltinClass::Aggregate;
      std::string call = e.name == "count" ? "count()" : e.name + "(...)";
      auto& d = diags_.report(DiagId::function_without_call, e.range, e.name, aggregate ? "an aggregate" : "a function",
                              call);
      if (e.name == "count") d.fix(e.range, "count()");
      return true;
    }
    if (scope.decl) {
      // While a let is checked, the lets from it on are not visible yet; itself is no "later".
      size_t from = scope.visible_lets + (std::string_view(scope.clause) == "let" ? 1 : 0);
      for (size_t i = from; i < scope.decl->lets.size(); ++i) {
        if (scope.decl->lets[i].name != e.name) continue;
        diags_.report(DiagId::let_used_before_definition, e.range, e.name,
                      sources_.line_col(scope.decl->lets[i].range.begin).line)
            .note(scope.decl->lets[i].range, "'" + e.name + "' is defined here");
        return true;
      }
    }
    return false;
  }

  // Folds e when every operand is a constant (and e is pure).
  void fold(Expr& e) {
    for (auto& c : e.children) {
      if (!c->constant) return;
    }
    ArithmeticEvents events;
    switch (e.kind) {
      case ExprKind::Unary: e.constant = apply_unary(e.unary_op, *e.children[0]->constant, &events); break;
      case ExprKind::Binary:
        e.constant = apply_binary(e.binary_op, *e.children[0]->constant, *e.children[1]->constant, &events);
        break;
      case ExprKind::In: {
        Value r = apply_in(*e.children[0]->constant, e.children[1]->constant->list);
        e.constant = e.negated ? apply_unary(UnaryOp::Not, r, nullptr) : r;
        break;
      }
      case ExprKind::Between: {
        Value r = apply_between(*e.children[0]->constant, *e.children[1]->constant, *e.children[2]->constant);
        e.constant = e.negated ? apply_unary(UnaryOp::Not, r, nullptr) : r;
        break;
      }
      case ExprKind::IsNull: e.constant = Value::boolean(e.children[0]->constant->is_null() != e.negated); break;
      default: break;
    }
  }

  Type check_unary(Expr& e, Scope& scope) {
    Type t = check(*e.children[0], scope);
    if (e.unary_op == UnaryOp::Not) {
      if (t.kind != TypeKind::Bool && t.kind != TypeKind::Null) {
        diags_.report(DiagId::invalid_operand, e.range, "not", t.name());
        return set(e, error_type());
      }
      fold(e);
      return set(e, Type::of(TypeKind::Bool, t.nullable));
    }
    if (t.kind != TypeKind::Int && t.kind != TypeKind::Float && t.kind != TypeKind::Duration &&
        t.kind != TypeKind::Null) {
      diags_.report(DiagId::invalid_operand, e.range, "-", t.name());
      return set(e, error_type());
    }
    fold(e);
    // Negating the smallest int overflows, so int negation may be null.
    return set(e, Type::of(t.kind, t.nullable || t.kind != TypeKind::Float));
  }

  Type check_binary(Expr& e, Scope& scope) {
    Type a = check(*e.children[0], scope);
    Type b = check(*e.children[1], scope);
    BinaryOp op = e.binary_op;
    bool nullable = a.nullable || b.nullable;
    if (a.kind == TypeKind::Null && b.kind == TypeKind::Null && (a.nullable && b.nullable)) {
      // Both unknown (errors already reported, or `null op null`).
      fold(e);
      return set(e, error_type());
    }
    auto mismatch = [&]() {
      diags_.report(DiagId::invalid_operands, e.range, binary_op_text(op), a.name(), b.name());
      return set(e, error_type());
    };
    TypeKind ka = a.kind, kb = b.kind;
    // A null literal takes the other side's kind.
    if (ka == TypeKind::Null) ka = kb;
    if (kb == TypeKind::Null) kb = ka;
    Type result;
    switch (op) {
      case BinaryOp::And:
      case BinaryOp::Or:
        if (ka != TypeKind::Bool || kb != TypeKind::Bool) return mismatch();
        result = Type::of(TypeKind::Bool, nullable);
        break;
      case BinaryOp::Eq:
      case BinaryOp::Ne:
      case BinaryOp::Lt:
      case BinaryOp::Le:
      case BinaryOp::Gt:
      case BinaryOp::Ge: {
        auto u = unify_kinds(ka, kb);
        if (!u || *u == TypeKind::List) return mismatch();
        if (*u == TypeKind::Bool && op != BinaryOp::Eq && op != BinaryOp::Ne) return mismatch();
        result = Type::of(TypeKind::Bool, nullable);
        break;
      }
      default: {
        if (op == BinaryOp::Add && ka == TypeKind::String && kb == TypeKind::String) {
          std::string lhs(sources_.text(e.children[0]->range)), rhs(sources_.text(e.children[1]->range));
          diags_.report(DiagId::string_concat_with_plus, e.range)
              .fix(e.range, "concat(" + lhs + ", " + rhs + ")");
          return set(e, error_type());
        }
        auto r = arithmetic_result(op, ka, kb);
        if (!r) return mismatch();
        // Int arithmetic can overflow, and division can divide by zero: both give null.
        bool may_null = nullable || op == BinaryOp::Div || op == BinaryOp::Mod || *r != TypeKind::Float;
        result = Type::of(*r, may_null);
      }
    }
    fold(e);
    return set(e, result);
  }

  static std::optional<TypeKind> arithmetic_result(BinaryOp op, TypeKind a, TypeKind b) {
    using K = TypeKind;
    if (is_numeric_kind(a) && is_numeric_kind(b)) return a == K::Int && b == K::Int ? K::Int : K::Float;
    if (a == K::Timestamp && b == K::Timestamp && op == BinaryOp::Sub) return K::Duration;
    if (a == K::Timestamp && b == K::Duration && (op == BinaryOp::Add || op == BinaryOp::Sub)) return K::Timestamp;
    if (a == K::Duration && b == K::Timestamp && op == BinaryOp::Add) return K::Timestamp;
    if (a == K::Duration && b == K::Duration) {
      if (op == BinaryOp::Add || op == BinaryOp::Sub || op == BinaryOp::Mod) return K::Duration;
      if (op == BinaryOp::Div) return K::Float;
    }
    if (a == K::Duration && b == K::Int && (op == BinaryOp::Mul || op == BinaryOp::Div)) return K::Duration;
    if (a == K::Int && b == K::Duration && op == BinaryOp::Mul) return K::Duration;
    return std::nullopt;
  }

  Type check_in(Expr& e, Scope& scope) {
    Type x = check(*e.children[0], scope);
    Expr& rhs = *e.children[1];
    Type l;
    if (rhs.kind == ExprKind::List) {
      l = check_list(rhs, scope);
    } else {
      l = check(rhs, scope);
      if (l.kind != TypeKind::List) {
        if (l.kind != TypeKind::Null) diags_.report(DiagId::in_needs_list, rhs.range, l.name());
        return set(e, error_type());
      }
    }
    if (!rhs.constant) return set(e, error_type());
    if (l.elem != TypeKind::Null && x.kind != TypeKind::Null && !unify_kinds(x.kind, l.elem)) {
      diags_.report(DiagId::invalid_operands, e.range, "in", x.name(), l.name());
      return set(e, error_type());
    }
    fold(e);
    return set(e, Type::of(TypeKind::Bool, x.nullable));
  }

  Type check_between(Expr& e, Scope& scope) {
    Type x = check(*e.children[0], scope);
    Type lo = check(*e.children[1], scope);
    Type hi = check(*e.children[2], scope);
    auto u = unify_kinds(x.kind, lo.kind);
    auto v = u ? unify_kinds(*u, hi.kind) : std::nullopt;
    if (!v || *v == TypeKind::Bool || *v == TypeKind::List) {
      Type other = u ? hi : lo;
      diags_.report(DiagId::invalid_operands, e.range, "between", x.name(), other.name());
      return set(e, error_type());
    }
    fold(e);
    return set(e, Type::of(TypeKind::Bool, x.nullable || lo.nullable || hi.nullable));
  }

  // Evaluates a compile-time argument: constant and not null, else a diagnostic.
  const Value* constant_arg(Expr& arg, const char* what) {
    if (!arg.constant) {
      diags_.report(DiagId::not_constant, arg.range, what);
      return nullptr;
    }
    if (arg.constant->is_null()) {
      diags_.report(DiagId::nullable_constant, arg.range, what, arg.type.name());
      return nullptr;
    }
    return &*arg.constant;
  }

  static bool accepts(TypeKind param, TypeKind arg) {
    return param == TypeKind::Null || arg == TypeKind::Null || param == arg ||
           (param == TypeKind::Float && arg == TypeKind::Int);
  }

  std::string arity_text(const std::vector<const BuiltinOverload*>& overloads) {
    int lo = 1000, hi = 0;
    for (auto* o : overloads) {
      lo = std::min(lo, o->min_args);
      hi = o->max_args < 0 ? -1 : (hi < 0 ? -1 : std::max(hi, o->max_args));
    }
    auto plural = [](int n) { return std::to_string(n) + (n == 1 ? " argument" : " arguments"); };
    if (hi < 0) return "at least " + plural(lo);
    if (lo == hi) return plural(lo);
    return std::to_string(lo) + " to " + plural(hi);
  }

  Type check_call(Expr& e, Scope& scope) {
    auto overloads = find_builtins(e.name);
    if (overloads.empty()) {
      for (auto& c : e.children) check(*c, scope);
      auto& d = diags_.report(DiagId::unknown_function, e.name_range, e.name);
      suggest(d, e.name_range, e.name, builtin_names());
      return set(e, error_type());
    }
    const BuiltinOverload& first = *overloads[0];
    int n = static_cast<int>(e.children.size());
    bool arity_ok = false;
    for (auto* o : overloads) arity_ok |= n >= o->min_args && (o->max_args < 0 || n <= o->max_args);
    if (!arity_ok) {
      for (auto& c : e.children) check(*c, scope);
      diags_.report(DiagId::wrong_argument_count, e.range, e.name, arity_text(overloads), n);
      return set(e, error_type());
    }
    if (first.klass != BuiltinClass::Scalar) return check_special_call(e, first, scope);
    std::vector<Type> args;
    for (auto& c : e.children) args.push_back(check(*c, scope));
    for (auto& a : args) {
      if (a.kind == TypeKind::List) {
        diags_.report(DiagId::list_outside_in, e.range);
        return set(e, error_type());
      }
    }
    std::optional<Type> result;
    const BuiltinOverload* chosen = choose_overload(overloads, args, &result);
    if (!result) {
      std::string list;
      for (size_t i = 0; i < args.size(); ++i) list += (i ? ", " : "") + args[i].name();
      auto& d = diags_.report(DiagId::no_matching_overload, e.range, e.name, list);
      for (auto* o : overloads) d.note(e.name_range, "candidate: " + signature_text(*o));
      return set(e, error_type());
    }
    e.ref = RefKind::Builtin;
    e.index = static_cast<int>(chosen->id);
    check_constant_arguments(e, *chosen);
    fold_call(e, *chosen, result->kind);
    return set(e, *result);
  }

  // Aggregates, history, window bounds and env(): calls whose meaning depends on where they are.
  Type check_special_call(Expr& e, const BuiltinOverload& first, Scope& scope) {
    switch (first.klass) {
      case BuiltinClass::Aggregate: return check_aggregate(e, first, scope);
      case BuiltinClass::History: return check_history(e, first, scope);
      case BuiltinClass::WindowBound:
        if (scope.context != Context::Window) {
          diags_.report(DiagId::history_outside_window, e.range, e.name);
          return set(e, error_type());
        }
        e.ref = RefKind::WindowBound;
        e.index = first.id == BuiltinId::WindowStart ? 0 : 1;
        return set(e, Type::of(TypeKind::Timestamp));
      case BuiltinClass::Env: {
        if (scope.context != Context::Option) {
          diags_.report(DiagId::env_outside_option, e.range);
          return set(e, error_type());
        }
        Type t = check(*e.children[0], scope);
        if (t.kind != TypeKind::String || !e.children[0]->constant) {
          diags_.report(DiagId::expected_type, e.children[0]->range, "the variable name", "a constant string", t.name());
        }
        e.ref = RefKind::Builtin;
        e.index = static_cast<int>(BuiltinId::Env);
        return set(e, Type::of(TypeKind::String));
      }
      case BuiltinClass::Scalar: break;
    }
    return set(e, error_type());
  }

  // The overload the arguments fit, an exact one before one that needs int -> float.
  const BuiltinOverload* choose_overload(const std::vector<const BuiltinOverload*>& overloads,
                                         const std::vector<Type>& args, std::optional<Type>* result) {
    int n = static_cast<int>(args.size());
    bool any_nullable = false;
    for (auto& a : args) any_nullable |= a.nullable;
    const BuiltinOverload* chosen = nullptr;
    for (auto* o : overloads) {
      if (n < o->min_args || (o->max_args >= 0 && n > o->max_args)) continue;
      if (auto r = type_overload(*o, args, any_nullable)) {
        *result = r;
        chosen = o;
        // Prefer an exact match over one that needs int -> float.
        bool exact = o->typing != TypingRule::Fixed;
        if (!exact) {
          exact = true;
          for (int i = 0; i < n; ++i) {
            TypeKind p = o->params[std::min<size_t>(i, o->params.size() - 1)];
            if (p != TypeKind::Null && args[i].kind != TypeKind::Null && p != args[i].kind) exact = false;
          }
        }
        if (exact) break;
      }
    }
    return chosen;
  }

  // Arguments that must be known at compile time: a regex compiled once, round's digits,
  // date_trunc's unit.
  void check_constant_arguments(Expr& e, const BuiltinOverload& chosen) {
    int n = static_cast<int>(e.children.size());
    switch (chosen.id) {
      case BuiltinId::Matches: {
        const Value* pattern = constant_arg(*e.children[1], "the pattern of matches()");
        if (pattern) {
          RE2::Options options;
          options.set_log_errors(false);
          auto re = std::make_shared<RE2>(pattern->s, options);
          if (!re->ok()) {
            diags_.report(DiagId::invalid_regex, e.children[1]->range, re->error());
          } else {
            e.aux = static_cast<int>(p_.plan.regexes.size());
            p_.plan.regexes.push_back(std::move(re));
          }
        }
        break;
      }
      case BuiltinId::Round:
        if (n == 2) constant_arg(*e.children[1], "the digits of round()");
        break;
      case BuiltinId::DateTrunc: {
        const Value* unit = constant_arg(*e.children[0], "the unit of date_trunc()");
        if (unit && unit->s != "hour" && unit->s != "day") {
          diags_.report(DiagId::value_out_of_range, e.children[0]->range, "the unit of date_trunc()",
                        "\"hour\" or \"day\"", "\"" + unit->s + "\"");
        }
        break;
      }
      default: break;
    }
  }

  // Pure calls over constants fold (not matches: its regex lives in the plan).
  void fold_call(Expr& e, const BuiltinOverload& chosen, TypeKind result_kind) {
    bool all_const = true;
    for (auto& c : e.children) all_const &= c->constant.has_value();
    if (all_const && chosen.id != BuiltinId::Matches) {
      std::vector<Value> values;
      for (auto& c : e.children) values.push_back(*c->constant);
      ArithmeticEvents events;
      e.constant = apply_builtin(chosen.id, values, result_kind, nullptr, &events);
    }
  }

  std::string signature_text(const BuiltinOverload& o) {
    std::string s = std::string(o.name) + "(";
    switch (o.typing) {
      case TypingRule::Fixed:
        for (size_t i = 0; i < o.params.size(); ++i) {
          s += (i ? ", " : "") + (o.params[i] == TypeKind::Null ? std::string("any") : std::string(type_kind_name(o.params[i])));
        }
        if (o.max_args < 0) s += ", ...";
        s += ") -> " + std::string(type_kind_name(o.result));
        return s;
      case TypingRule::SameAsArg0: return s + "int|float) -> same type";
      case TypingRule::Unify: return s + "T, T, ...) -> T";
      case TypingRule::IfThenElse: return s + "bool, T, T) -> T";
      default: return s + "...)";
    }
  }

  std::optional<Type> type_overload(const BuiltinOverload& o, const std::vector<Type>& args, bool any_nullable) {
    size_t n = args.size();
    switch (o.typing) {
      case TypingRule::Fixed: {
        for (size_t i = 0; i < n; ++i) {
          TypeKind p = o.params[std::min(i, o.params.size() - 1)];
          if (!accepts(p, args[i].kind)) return std::nullopt;
        }
        bool nullable = o.nulls == NullPolicy::NullNever ? false
                        : o.nulls == NullPolicy::NullIfNullOrError ? true
                                                                    : any_nullable;
        return Type::of(o.result, nullable);
      }
      case TypingRule::SameAsArg0: {
        TypeKind k = args[0].kind;
        if (k != TypeKind::Int && k != TypeKind::Float && k != TypeKind::Null) return std::nullopt;
        // abs can fail only on an int (abs of the smallest int overflows).
        bool nullable = args[0].nullable || (o.nulls == NullPolicy::NullIfNullOrError && k == TypeKind::Int);
        return Type::of(k, nullable);
      }
      case TypingRule::Unify: {
        TypeKind k = TypeKind::Null;
        bool all_nullable = true;
        for (auto& a : args) {
          auto u = unify_kinds(k, a.kind);
          if (!u) return std::nullopt;
          k = *u;
          all_nullable &= a.nullable;
        }
        if (o.id != BuiltinId::Coalesce && k == TypeKind::Bool) return std::nullopt;
        return Type::of(k, o.id == BuiltinId::Coalesce ? all_nullable : any_nullable);
      }
      case TypingRule::IfThenElse: {
        if (args[0].kind != TypeKind::Bool && args[0].kind != TypeKind::Null) return std::nullopt;
        auto u = unify_kinds(args[1].kind, args[2].kind);
        if (!u) return std::nullopt;
        return Type::of(*u, args[1].nullable || args[2].nullable);
      }
      default: return std::nullopt;
    }
  }

  Type check_aggregate(Expr& e, const BuiltinOverload& o, Scope& scope) {
    if (scope.context != Context::Window || !scope.allow_aggregates) {
      DiagId id = scope.in_aggregate                          ? DiagId::nested_aggregate
                  : (!scope.rule || !scope.rule->is_window) ? DiagId::aggregate_in_row_rule
                                                            : DiagId::aggregate_in_where;
      diags_.report(id, e.range, e.name);
      return set(e, error_type());
    }
    Type arg_type = Type::of(TypeKind::Null);
    if (!e.children.empty()) {
      Scope row = scope;
      row.context = Context::Row;
      row.allow_aggregates = false;
      row.allow_history = false;
      row.in_aggregate = true;
      row.visible_lets = 0;  // lets of a window rule are window values, not row values
      arg_type = check(*e.children[0], row);
    }
    TypeKind k = arg_type.kind;
    std::optional<Type> result;
    switch (o.id) {
      case BuiltinId::Count:
      case BuiltinId::CountDistinct: result = Type::of(TypeKind::Int); break;
      case BuiltinId::Sum:
        if (k == TypeKind::Float) result = Type::of(TypeKind::Float);
        else if (k == TypeKind::Int || k == TypeKind::Duration) result = Type::of(k, true);
        break;
      case BuiltinId::Avg:
      case BuiltinId::Stddev:
        if (is_numeric_kind(k)) result = Type::of(TypeKind::Float, true);
        break;
      case BuiltinId::Min:
      case BuiltinId::Max:
        if (k != TypeKind::Bool && k != TypeKind::Null) result = Type::of(k, true);
        break;
      default:
        if (k != TypeKind::Null) result = Type::of(k, true);
    }
    if (!result) {
      auto& d = diags_.report(DiagId::no_matching_overload, e.range, e.name, arg_type.name());
      d.note(e.name_range, o.id == BuiltinId::Sum ? "sum() takes int, float or duration"
                                                   : "this aggregate takes a number or another comparable value");
      return set(e, error_type());
    }
    // Identical aggregates share one slot.
    std::string key = std::string(e.name) + "(" +
                      (e.children.empty() ? "" : std::string(sources_.text(e.children[0]->range))) + ")";
    auto& slots = aggregate_keys_[scope.rule];
    auto it = slots.find(key);
    if (it == slots.end()) {
      it = slots.emplace(key, static_cast<int>(scope.rule->aggregates.size())).first;
      scope.rule->aggregates.push_back({o.id, nullptr, *result});
      scope.rule->aggregate_arg_syntax.push_back(e.children.empty() ? nullptr : e.children[0].get());
    }
    e.ref = RefKind::Aggregate;
    e.index = it->second;
    return set(e, *result);
  }

  Type check_history(Expr& e, const BuiltinOverload& o, Scope& scope) {
    if (scope.context != Context::Window || !scope.allow_history) {
      bool nested = scope.in_aggregate || scope.context == Context::Window;
      diags_.report(nested ? DiagId::nested_aggregate : DiagId::history_outside_window,
                    e.range, e.name);
      return set(e, error_type());
    }
    Scope inner = scope;
    inner.allow_history = false;
    Type t = check(*e.children[0], inner);
    int depth = 1;
    if (e.children.size() > 1) {
      Type dt = check(*e.children[1], inner);
      if (const Value* v = constant_arg(*e.children[1], "the history depth")) {
        if (dt.kind != TypeKind::Int || v->i < 1 || v->i > 10000) {
          diags_.report(DiagId::value_out_of_range, e.children[1]->range, "the history depth",
                        "an int from 1 to 10000", value_to_text(*v));
        } else {
          depth = static_cast<int>(v->i);
        }
      }
    }
    std::optional<Type> result;
    if (o.id == BuiltinId::Prev) {
      result = t.with_nullable(true);
    } else if (is_numeric_kind(t.kind)) {
      result = Type::of(TypeKind::Float, true);
    } else if (t.kind != TypeKind::Null) {
      diags_.report(DiagId::no_matching_overload, e.range, e.name, t.name())
          .note(e.name_range, std::string(o.name) + "() takes an int or float expression");
      return set(e, error_type());
    } else {
      return set(e, error_type());
    }
    std::string key(sources_.text(e.children[0]->range));
    auto& series = history_keys_[scope.rule];
    auto it = series.find(key);
    if (it == series.end()) {
      it = series.emplace(key, static_cast<int>(scope.rule->history.size())).first;
      scope.rule->history.push_back({nullptr, 0});
      scope.rule->history_syntax.push_back(e.children[0].get());
    }
    auto& s = scope.rule->history[it->second];
    s.depth = std::max(s.depth, depth);
    e.ref = RefKind::History;
    e.index = static_cast<int>(scope.rule->history_calls.size());
    scope.rule->history_calls.push_back({o.id, it->second, depth});
    return set(e, *result);
  }

  // ---- templates ----------------------------------------------------------------------------

  void check_template(const ast::Template& t, Scope& scope) {
    for (auto& piece : t.pieces) {
      if (!piece.expr) continue;
      Type type = check(*piece.expr, scope);
      if (type.kind == TypeKind::List) diags_.report(DiagId::list_outside_in, piece.expr->range);
      if (!piece.spec.empty() && type.kind != TypeKind::Null) {
        std::string out;
        if (int64_t widest = widest_number_in_spec(piece.spec); widest > kMaxFormatWidth) {
          diags_.report(DiagId::format_width_too_large, piece.spec_range, widest, kMaxFormatWidth);
        } else if (!format_with_spec(sample_value(type.kind), piece.spec, &out)) {
          diags_.report(DiagId::invalid_format_spec, piece.spec_range, piece.spec, type.name());
        }
      }
    }
  }

  // ---- durations ----------------------------------------------------------------------------

  std::optional<int64_t> duration_of(ast::Expr* e, const char* what, bool allow_zero = false) {
    if (!e) return std::nullopt;
    Scope scope;
    scope.context = Context::Const;
    Type t = check(*e, scope);
    const Value* v = constant_arg(*e, what);
    if (!v) return std::nullopt;
    if (t.kind != TypeKind::Duration) {
      diags_.report(DiagId::expected_type, e->range, what, "a duration", t.name());
      return std::nullopt;
    }
    if (v->i < 0 || (v->i == 0 && !allow_zero)) {
      diags_.report(DiagId::duration_not_positive, e->range, what, value_to_text(*v));
      return std::nullopt;
    }
    return v->i;
  }

  // ---- rules --------------------------------------------------------------------------------

  void check_rule(ast::RuleDecl& r) {
    sema::CheckedRule rule;
    rule.decl = &r;
    rule.name = r.name;
    rule.severity = static_cast<plan::Severity>(r.severity);
    auto si = schema_index_.find(r.schema_name);
    if (si == schema_index_.end()) {
      auto& d = diags_.report(DiagId::unknown_schema, r.schema_range, r.schema_name);
      suggest(d, r.schema_range, r.schema_name, names_of_schemas());
      return;
    }
    rule.schema = si->second;
    const plan::Schema& schema = p_.plan.schemas[rule.schema];
    rule.is_window = r.window != ast::WindowKind::None;
    p_.rules.push_back(std::move(rule));
    sema::CheckedRule& pr = p_.rules.back();

    check_window_clauses(r, pr, schema);
    Scope row;
    row.context = Context::Row;
    row.schema = &schema;
    row.rule = &pr;
    row.decl = &r;
    check_where(r, pr, row);
    check_group_keys(r, pr, row);
    // Lets: row values in a row rule, window values (may aggregate) in a window rule.
    Scope values = row;
    if (pr.is_window) {
      values.context = Context::Window;
      values.allow_aggregates = true;
      values.allow_history = true;
    }
    check_lets(r, pr, values);
    values.visible_lets = pr.lets.size();
    check_having(r, pr, values);
    check_texts(r, pr, values);
    check_notify(r, pr);
    check_throttle(r, pr, schema, pr.is_window ? values : row);
    if (pr.is_window) lay_out_window(r, pr);
  }

  // The window, its step and lateness; the clauses only a window rule may have.
  void check_window_clauses(const ast::RuleDecl& r, sema::CheckedRule& pr, const plan::Schema& schema) {
    bool has_time = schema.time_field >= 0;
    if (pr.is_window) {
      if (!has_time) diags_.report(DiagId::needs_time_field, r.window_range, "a window", schema.name);
      auto size = duration_of(r.window_size.get(), "the window size");
      auto step = r.window == ast::WindowKind::Sliding ? duration_of(r.window_step.get(), "the window step") : size;
      if (size && step) {
        if (*size % *step != 0) {
          diags_.report(DiagId::window_not_multiple, r.window_size->range, format_duration(*size), format_duration(*step));
        }
        pr.window.size_ns = *size;
        pr.window.step_ns = *step;
      }
      if (r.lateness) pr.window.lateness_ns = duration_of(r.lateness.get(), "the lateness", true).value_or(0);
      if (!r.having) diags_.report(DiagId::missing_clause, r.range, r.name, "having");
    } else {
      auto needs_window = [&](ast::Expr* e, const char* clause) {
        if (e) diags_.report(DiagId::clause_needs_window, e->range, clause);
      };
      needs_window(r.having.get(), "having");
      needs_window(r.for_duration.get(), "for");
      needs_window(r.expire.get(), "expire");
      needs_window(r.lateness.get(), "lateness");
    }
  }

  void check_where(const ast::RuleDecl& r, sema::CheckedRule& pr, Scope& row) {
    if (r.where) {
      row.clause = "where";
      Type t = check(*r.where, row);
      if (t.kind != TypeKind::Bool && t.kind != TypeKind::Null) {
        diags_.report(DiagId::expected_type, r.where->range, "the 'where' condition", "bool", t.name());
      }
      pr.where_syntax = r.where.get();
    }
  }

  void check_group_keys(ast::RuleDecl& r, sema::CheckedRule& pr, const Scope& row) {
    // Group keys are row expressions; their names are the alias, the field, or the text.
    std::set<std::string> key_names;
    for (auto& g : r.group_by) {
      Scope keys = row;
      keys.visible_lets = 0;
      Type t = check(*g.expr, keys);
      if (t.kind == TypeKind::List) diags_.report(DiagId::list_outside_in, g.expr->range);
      if (!g.alias.empty()) {
        g.display_name = g.alias;
      } else if (g.expr->kind == ExprKind::Name) {
        g.display_name = g.expr->name;
      } else {
        g.display_name = normalized_text(g.expr->range);
      }
      key_names.insert(g.display_name);
      pr.group_keys.push_back({g.display_name, nullptr});
      pr.key_syntax.push_back(g.expr.get());
    }
  }

  void check_lets(const ast::RuleDecl& r, sema::CheckedRule& pr, Scope& values) {
    std::set<std::string> let_names;
    for (auto& let : r.lets) {
      if (!let_names.insert(let.name).second) {
        diags_.report(DiagId::redefinition, let.range, "let", let.name);
      }
      values.visible_lets = pr.lets.size();
      values.clause = "let";
      check(*let.expr, values);
      pr.lets.push_back({let.name, nullptr});
      pr.let_syntax.push_back(let.expr.get());
    }
  }

  void check_having(const ast::RuleDecl& r, sema::CheckedRule& pr, Scope& values) {
    if (r.having && pr.is_window) {
      values.clause = "having";
      Type t = check(*r.having, values);
      if (t.kind != TypeKind::Bool && t.kind != TypeKind::Null) {
        diags_.report(DiagId::expected_type, r.having->range, "the 'having' condition", "bool", t.name());
      }
      pr.having_syntax = r.having.get();
    }
  }

  // Labels, the message and the resolved message: templates over the rule's values.
  void check_texts(const ast::RuleDecl& r, sema::CheckedRule& pr, Scope& values) {
    for (auto& label : r.labels) {
      check_template(label.value, values);
      pr.labels.push_back({label.name, {}});
      pr.label_syntax.push_back(&label.value);
    }
    if (r.message) {
      check_template(*r.message, values);
      pr.message_syntax = &*r.message;
    }
    if (r.resolved_message) {
      check_template(*r.resolved_message, values);
      if (pr.is_window) {
        pr.resolved_message_syntax = &*r.resolved_message;
      } else {
        diags_.report(DiagId::clause_needs_window, r.resolved_message->range, "resolved_message");
      }
    }
  }

  void check_notify(const ast::RuleDecl& r, sema::CheckedRule& pr) {
    if (r.notify.empty()) {
      diags_.report(DiagId::missing_clause, r.range, r.name, "notify");
    }
    for (auto& [name, range] : r.notify) {
      int index = -1;
      for (size_t i = 0; i < p_.plan.channels.size(); ++i) if (p_.plan.channels[i].name == name) index = static_cast<int>(i);
      if (index < 0) {
        auto& d = diags_.report(DiagId::unknown_channel, range, name);
        std::vector<std::string> names;
        for (auto& c : p_.plan.channels) names.push_back(c.name);
        suggest(d, range, name, names);
      } else {
        pr.channels.push_back(index);
      }
    }
  }

  // `keys` is where throttle keys are evaluated: the row (row rules) or the window.
  void check_throttle(const ast::RuleDecl& r, sema::CheckedRule& pr, const plan::Schema& schema, const Scope& keys_scope) {
    if (r.throttle) {
      if (schema.time_field < 0) diags_.report(DiagId::needs_time_field, r.throttle_range, "throttle", schema.name);
      pr.throttle_ns = duration_of(r.throttle.get(), "the throttle interval").value_or(-1);
      for (auto& e : r.throttle_by) {
        Scope keys = keys_scope;
        check(*e, keys);
        pr.throttle_syntax.push_back(e.get());
      }
    }
  }

  // `for` as a count of windows, and when a quiet group is forgotten.
  void lay_out_window(const ast::RuleDecl& r, sema::CheckedRule& pr) {
    int64_t step = pr.window.step_ns > 0 ? pr.window.step_ns : 1;
    int64_t for_ns = 0;
    if (r.for_duration) {
      for_ns = duration_of(r.for_duration.get(), "the 'for' duration").value_or(0);
      pr.window.for_windows = static_cast<int>(std::max<int64_t>(1, (for_ns + step - 1) / step));
    }
    int depth = 0;
    for (auto& h : pr.history) depth = std::max(depth, h.depth);
    if (r.expire) {
      pr.window.expire_ns = duration_of(r.expire.get(), "the expire duration").value_or(0);
    } else {
      pr.window.expire_ns = step * (depth + 1) + for_ns;
    }
  }

  // An expression's text with runs of whitespace folded, for default group-key names.
  // A group key's name when it has neither alias nor field name: the expression's text as
  // `alertc fmt` prints it (docs/language.md §7.3), so formatting a file never renames a key.
  std::string normalized_text(SourceRange range) {
    if (auto formatted = format_source(sources_.text(range)); formatted.ok()) {
      std::string text = formatted.take();
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
      if (!text.empty() && text.find('\n') == std::string::npos) return text;
    }
    std::string out;
    bool space = false;
    for (char c : sources_.text(range)) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        space = !out.empty();
        continue;
      }
      if (space) out += ' ';
      space = false;
      out += c;
    }
    return out;
  }

  // ---- channels -----------------------------------------------------------------------------

  struct OptionSpec {
    const char* name;
    TypeKind kind;  // List means a list of strings; Null means a map of strings
    bool required;
  };

  // The options of each channel kind (docs/language.md §8). Every kind that delivers over the
  // network also takes timeout, max_retries and rate.
  static const std::map<std::string, std::vector<OptionSpec>>& channel_kinds() {
    auto delivering = [](std::vector<OptionSpec> own) {
      own.push_back({"timeout", TypeKind::Duration, false});
      own.push_back({"max_retries", TypeKind::Int, false});
      own.push_back({"rate", TypeKind::Float, false});
      return own;
    };
    static const std::map<std::string, std::vector<OptionSpec>> kKinds = {
        {"stdout", {}},
        {"file", {{"path", TypeKind::String, true}}},
        {"webhook", delivering({
                     {"url", TypeKind::String, true},
                     {"format", TypeKind::String, false},
                     {"headers", TypeKind::Null, false},
                     {"group_wait", TypeKind::Duration, false},
                     {"max_batch", TypeKind::Int, false}})},
        {"email", delivering({
                     {"smtp", TypeKind::String, true},
                     {"from", TypeKind::String, true},
                     {"to", TypeKind::List, true},
                     {"subject", TypeKind::String, false}})},
        {"alertmanager", delivering({
                     {"url", TypeKind::String, true},
                     {"resend_interval", TypeKind::Duration, false}})},
        {"push", delivering({
                     {"provider", TypeKind::String, true},
                     {"url", TypeKind::String, false},
                     {"topic", TypeKind::String, false},
                     {"token", TypeKind::String, false},
                     {"title", TypeKind::String, false},
                     {"priority", TypeKind::String, false},
                     {"project", TypeKind::String, false},
                     {"device", TypeKind::String, false},
                     {"user", TypeKind::String, false},
                     {"key_file", TypeKind::String, false},
                     {"key_id", TypeKind::String, false},
                     {"team_id", TypeKind::String, false}})},
        {"opsgenie", delivering({
                     {"api_key", TypeKind::String, true},
                     {"url", TypeKind::String, false}})},
        {"teams", delivering({
                     {"url", TypeKind::String, true},
                     {"title", TypeKind::String, false}})},
        {"pagerduty", delivering({
                     {"routing_key", TypeKind::String, true},
                     {"url", TypeKind::String, false}})},
        {"telegram", delivering({
                     {"token", TypeKind::String, true},
                     {"chat_id", TypeKind::String, true},
                     {"url", TypeKind::String, false},
                     {"title", TypeKind::String, false}})},
        {"discord", delivering({
                     {"url", TypeKind::String, true},
                     {"title", TypeKind::String, false}})},
        {"sms", delivering({
                     {"provider", TypeKind::String, true},
                     {"to", TypeKind::List, true},
                     {"from", TypeKind::String, true},
                     {"account", TypeKind::String, true},
                     {"token", TypeKind::String, true},
                     {"url", TypeKind::String, false},
                     {"max_segments", TypeKind::Int, false}})},
    };
    return kKinds;
  }

  void check_channel(const ast::ChannelDecl& c) {
    const auto& kKinds = channel_kinds();
    plan::Channel out;
    out.name = c.name;
    out.kind = c.kind;
    auto kind = kKinds.find(c.kind);
    if (kind == kKinds.end()) {
      auto& d = diags_.report(DiagId::unknown_channel_kind, c.kind_range, c.kind);
      std::vector<std::string> names;
      for (auto& [k, v] : kKinds) names.push_back(k);
      suggest(d, c.kind_range, c.kind, names);
      p_.plan.channels.push_back(std::move(out));
      return;
    }
    std::set<std::string> given;
    for (auto& opt : c.options) {
      const OptionSpec* spec = nullptr;
      for (auto& s : kind->second) if (opt.name == s.name) spec = &s;
      if (!spec) {
        auto& d = diags_.report(DiagId::unknown_option, opt.range, opt.name, c.kind);
        std::vector<std::string> names;
        for (auto& s : kind->second) names.push_back(s.name);
        suggest(d, opt.range, opt.name, names);
        continue;
      }
      if (!given.insert(opt.name).second) {
        diags_.report(DiagId::duplicate_option, opt.range, opt.name);
        continue;
      }
      plan::OptionValue value;
      if (!check_channel_option(opt, *spec, &value)) continue;
      out.options[opt.name] = std::move(value);
    }
    for (auto& s : kind->second) {
      if (s.required && !given.count(s.name)) {
        diags_.report(DiagId::missing_option, c.range, c.kind, c.name, s.name);
      }
    }
    check_provider(c, out, given);
    p_.plan.channels.push_back(std::move(out));
  }

  // One option's value, checked against its spec; false (reported) when it does not fit.
  bool check_channel_option(const ast::ChannelOption& opt, const OptionSpec& spec, plan::OptionValue* value) {
    if (spec.kind == TypeKind::Null) {
      if (!opt.is_map) {
        diags_.report(DiagId::expected_type, opt.value ? opt.value->range : opt.range,
                      "option '" + opt.name + "'", "a map such as {\"K\": \"V\"}",
                      opt.value ? check_option_expr(*opt.value, nullptr).name() : "nothing");
        return false;
      }
      value->is_map = true;
      for (auto& [k, e] : opt.entries) {
        plan::OptionValue entry;
        if (check_option_value(*e, TypeKind::String, "option '" + opt.name + "'", &entry)) value->entries[k] = entry;
      }
    } else if (opt.is_map || !opt.value) {
      diags_.report(DiagId::expected_type, opt.range, "option '" + opt.name + "'",
                    std::string(type_kind_name(spec.kind)), "a map");
      return false;
    } else if (spec.kind == TypeKind::List) {
      Expr& e = *opt.value;
      Scope scope;
      scope.context = Context::Option;
      Type t = e.kind == ExprKind::List ? check_list(e, scope) : check(e, scope);
      if (t.kind == TypeKind::String && e.constant) {
        // A single address is accepted for a list.
        value->value.kind = TypeKind::List;
        value->value.list.push_back(*e.constant);
      } else if (t.kind != TypeKind::List || (t.elem != TypeKind::String && t.elem != TypeKind::Null) || !e.constant) {
        diags_.report(DiagId::expected_type, e.range, "option '" + opt.name + "'", "a list of strings", t.name());
        return false;
      } else {
        value->value = *e.constant;
      }
    } else {
      if (!check_option_value(*opt.value, spec.kind, "option '" + opt.name + "'", value)) return false;
      if (opt.name == "format" && value->env_var.empty() && value->value.s != "json" && value->value.s != "slack") {
        diags_.report(DiagId::value_out_of_range, opt.value->range, "option 'format'", "\"json\" or \"slack\"",
                      "\"" + value->value.s + "\"");
      }
    }
    return true;
  }

  // The providers this release has, and what each needs beyond its kind's options.
  void check_provider(const ast::ChannelDecl& c, const plan::Channel& out, const std::set<std::string>& given) {
    auto provider = out.options.find("provider");
    if (provider == out.options.end() || !provider->second.env_var.empty()) return;
    const std::string& name = provider->second.value.s;
    const char* built = c.kind == "push" ? "ntfy', 'fcm', 'apns' or 'pushover" : c.kind == "sms" ? "twilio' or 'kannel" : nullptr;
    if (!built) return;
    const ast::ChannelOption* opt = nullptr;
    for (auto& o : c.options) if (o.name == "provider") opt = &o;
    bool known = c.kind == "sms" ? name == "twilio" || name == "kannel"
                                 : name == "ntfy" || name == "fcm" || name == "pushover" || name == "apns";
    if (!known) {
      diags_.report(DiagId::unsupported_provider, opt && opt->value ? opt->value->range : c.range, c.kind, name, built);
      return;
    }
    auto need = [&](const char* what, const char* option) {
      if (!given.count(option)) diags_.report(DiagId::missing_option, c.range, what, c.name, option);
    };
    if (name == "ntfy") need("ntfy push", "topic");
    if (name == "fcm") {
      need("fcm push", "project");
      need("fcm push", "token");
      if (!given.count("device") && !given.count("topic")) need("fcm push", "device");
    }
    if (name == "apns") {
      for (const char* option : {"device", "topic", "key_file", "key_id", "team_id"}) need("apns push", option);
    }
    if (name == "pushover") {
      need("pushover push", "token");
      need("pushover push", "user");
    }
    if (name == "kannel" && !given.count("url")) diags_.report(DiagId::missing_option, c.range, "kannel sms", c.name, "url");
  }

  Type check_option_expr(Expr& e, plan::OptionValue*) {
    Scope scope;
    scope.context = Context::Option;
    return check(e, scope);
  }

  bool check_option_value(Expr& e, TypeKind want, const std::string& what, plan::OptionValue* out) {
    Type t = check_option_expr(e, out);
    if (e.kind == ExprKind::Call && e.ref == RefKind::Builtin && e.index == static_cast<int>(BuiltinId::Env)) {
      if (!e.children[0]->constant) return false;
      out->env_var = e.children[0]->constant->s;
      out->value.kind = want;
      if (options.warn_unset_env && std::getenv(out->env_var.c_str()) == nullptr) {
        diags_.report(DiagId::env_not_set, e.range, out->env_var);
      }
      return true;
    }
    if (t.kind == TypeKind::Null && !e.constant) return false;
    if (!accepts(want, t.kind) || t.kind == TypeKind::Null) {
      diags_.report(DiagId::expected_type, e.range, what, std::string(type_kind_name(want)), t.name());
      return false;
    }
    if (!e.constant) {
      diags_.report(DiagId::not_constant, e.range, what);
      return false;
    }
    out->value = promote(*e.constant, want);
    return true;
  }

  // ---- tests --------------------------------------------------------------------------------

  int rule_index(const std::string& name) const {
    for (size_t i = 0; i < p_.rules.size(); ++i) if (p_.rules[i].name == name) return static_cast<int>(i);
    return -1;
  }

  void check_test(ast::TestDecl& t, uint32_t file) {
    for (auto& item : t.items) {
      switch (item.kind) {
        case ast::TestItem::GivenRows:
        case ast::TestItem::GivenFile: check_test_rows(item); break;
        case ast::TestItem::Idle: check_test_idle(item); break;
        case ast::TestItem::ExpectRejects: check_test_count(item); break;
        case ast::TestItem::ExpectFires:
        case ast::TestItem::ExpectResolved:
        case ast::TestItem::ExpectMatch: check_test_expectation(item); break;
      }
    }
    p_.tests.push_back({&t, file});
  }

  // `given S [rows]` / `given S from "file"`: the schema, each row's fields and their types.
  void check_test_rows(ast::TestItem& item) {
    auto si = schema_index_.find(item.name);
    if (si == schema_index_.end()) {
      auto& d = diags_.report(DiagId::unknown_schema, item.name_range, item.name);
      suggest(d, item.name_range, item.name, names_of_schemas());
      return;
    }
    const plan::Schema& schema = p_.plan.schemas[si->second];
    for (auto& row : item.rows) {
      std::set<std::string> given;
      for (auto& f : row) {
        given.insert(f.name);
        int fi = schema.field_index(f.name);
        Scope scope;
        Type vt = check(*f.value, scope);
        if (fi < 0) {
          auto& d = diags_.report(DiagId::unknown_field, f.range, schema.name, f.name);
          std::vector<std::string> names;
          for (auto& fld : schema.fields) names.push_back(fld.name);
          suggest(d, f.range, f.name, names);
          // The misspelt name stands for its suggestion: no second error saying it is missing.
          if (d.fixit) given.insert(d.fixit->replacement);
          continue;
        }
        const Type& ft = schema.fields[fi].type;
        if (!f.value->constant) {
          diags_.report(DiagId::not_constant, f.value->range, "a test row's value");
        } else if (f.value->constant->is_null() ? !ft.nullable : !accepts(ft.kind, vt.kind)) {
          diags_.report(DiagId::expected_type, f.value->range, "field '" + f.name + "'", ft.name(), vt.name());
        }
      }
      for (auto& fld : schema.fields) {
        if (!fld.type.nullable && !given.count(fld.name) && !row.empty()) {
          SourceRange at = row.front().range;
          diags_.report(DiagId::missing_field, at, fld.name);
        }
      }
    }
  }

  void check_test_idle(ast::TestItem& item) {
    Scope scope;
    Type dt = check(*item.count, scope);
    if (dt.kind != TypeKind::Duration || !item.count->constant) {
      diags_.report(DiagId::expected_type, item.count->range, "'idle'", "a duration constant", dt.name());
    } else if (item.count->constant->i <= 0) {
      diags_.report(DiagId::duration_not_positive, item.count->range, "'idle'",
                    format_duration(item.count->constant->i));
    }
  }

  void check_test_count(ast::TestItem& item) {
    Scope scope;
    Type ct = check(*item.count, scope);
    if (ct.kind != TypeKind::Int || !item.count->constant) {
      diags_.report(DiagId::expected_type, item.count->range, "the expected count", "an int constant", ct.name());
    }
  }

  // `expect R fires N` / `resolved N` / `{ key = value, ... }`: the rule, the count, the keys.
  void check_test_expectation(ast::TestItem& item) {
    int ri = rule_index(item.name);
    if (ri < 0) {
      auto& d = diags_.report(DiagId::unknown_rule, item.name_range, item.name);
      std::vector<std::string> names;
      for (auto& r : p_.rules) names.push_back(r.name);
      suggest(d, item.name_range, item.name, names);
      return;
    }
    Scope scope;
    if (item.count) {
      Type ct = check(*item.count, scope);
      if (ct.kind != TypeKind::Int || !item.count->constant) {
        diags_.report(DiagId::expected_type, item.count->range, "the expected count", "an int constant", ct.name());
      }
    }
    const sema::CheckedRule& rule = p_.rules[ri];
    for (auto& key : item.keys) {
      check(*key.value, scope);
      if (!key.value->constant) diags_.report(DiagId::not_constant, key.value->range, "an expected value");
      static const std::set<std::string> kBuiltinKeys = {"message", "state", "severity", "time", "rule", "suppressed"};
      bool known = kBuiltinKeys.count(key.name) > 0;
      std::vector<std::string> names(kBuiltinKeys.begin(), kBuiltinKeys.end());
      for (auto& l : rule.labels) { known |= l.name == key.name; names.push_back(l.name); }
      for (auto& g : rule.group_keys) { known |= g.name == key.name; names.push_back(g.name); }
      for (auto& l : rule.lets) { known |= l.name == key.name; names.push_back(l.name); }
      if (!known) {
        auto& d = diags_.report(DiagId::unknown_alert_key, key.range, rule.name, key.name);
        suggest(d, key.range, key.name, names);
      }
    }
  }

  ast::Program& ast_;
  sema::CheckedProgram& p_;
  const SourceManager& sources_;
  // Where diagnostics go: the program's engine, or a test's own while a test block is checked
  // with SemaOptions::isolate_tests.
  struct DiagSink {
    DiagnosticEngine* engine;
    template <typename... Args>
    Diagnostic& report(DiagId id, SourceRange range, const Args&... args) {
      return engine->report(id, range, args...);
    }
    bool has_errors() const { return engine->has_errors(); }
  } diags_;
  std::unordered_map<std::string, const ast::SchemaDecl*> schemas_;
  std::vector<const ast::SchemaDecl*> schema_order_;
  std::unordered_map<std::string, const ast::ConstDecl*> consts_;
  std::unordered_map<std::string, const ast::ChannelDecl*> channels_;
  std::vector<const ast::ChannelDecl*> channel_order_;
  std::unordered_map<std::string, const ast::RuleDecl*> rules_;
  std::vector<std::pair<ast::RuleDecl*, uint32_t>> rule_order_;
  std::vector<std::pair<ast::TestDecl*, uint32_t>> test_order_;
  std::unordered_map<std::string, int> schema_index_;
  std::unordered_map<std::string, std::optional<Value>> const_values_;
  std::unordered_map<std::string, Type> const_types_;
  std::set<std::string> const_in_progress_;
  std::unordered_map<const sema::CheckedRule*, std::unordered_map<std::string, int>> aggregate_keys_;
  std::unordered_map<const sema::CheckedRule*, std::unordered_map<std::string, int>> history_keys_;
};

}  // namespace

bool check_program(ast::Program& ast, sema::CheckedProgram& program, const SourceManager& sources,
                   DiagnosticEngine& diags, const SemaOptions& options) {
  size_t before = diags.error_count();
  Checker checker(ast, program, sources, diags);
  checker.options = options;
  checker.run();
  return diags.error_count() == before;
}

}  // namespace alert
