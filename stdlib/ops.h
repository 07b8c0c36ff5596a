// Operator enums shared by the AST, the interpreter and the code generator.
#pragma once

namespace alert {

enum class UnaryOp { Neg, Not };
enum class BinaryOp { Add, Sub, Mul, Div, Mod, And, Or, Eq, Ne, Lt, Le, Gt, Ge };

const char* binary_op_text(BinaryOp op);
inline bool is_comparison(BinaryOp op) { return op >= BinaryOp::Eq; }

}  // namespace alert
