// Tokens of the alert language (docs/language.md §2). Soft keywords (`time`, the severities, `as`,
// `resolved`) are plain identifiers here; the AST builder checks them where the grammar expects
// them, so they stay usable as field names.
lexer grammar AlertLexer;

IMPORT: 'import';
SCHEMA: 'schema';
CONST: 'const';
CHANNEL: 'channel';
RULE: 'rule';
ON: 'on';
WHERE: 'where';
WINDOW: 'window';
TUMBLING: 'tumbling';
SLIDING: 'sliding';
EVERY: 'every';
LATENESS: 'lateness';
GROUP: 'group';
BY: 'by';
LET: 'let';
HAVING: 'having';
FOR: 'for';
EXPIRE: 'expire';
SEVERITY: 'severity';
LABELS: 'labels';
MESSAGE: 'message';
NOTIFY: 'notify';
THROTTLE: 'throttle';
TEST: 'test';
GIVEN: 'given';
FROM: 'from';
EXPECT: 'expect';
FIRES: 'fires';
AND: 'and';
OR: 'or';
NOT: 'not';
IN: 'in';
BETWEEN: 'between';
IS: 'is';
NULL_: 'null';
TRUE: 'true';
FALSE: 'false';

// A duration is one or more <int><unit> parts; it must be tried before INT (longest match wins).
DURATION: (DIGITS ('ms' | 's' | 'm' | 'h' | 'd'))+;
FLOAT
  : DIGITS '.' DIGITS EXPONENT?
  | DIGITS EXPONENT
  ;
INT: DIGITS;
// A number followed by letters that are not a duration unit (10min, 5sec): one clear error from
// the parser's token pass instead of a cascade. After DURATION and FLOAT, which win the ties.
BAD_DURATION: (DIGITS ('ms' | 's' | 'm' | 'h' | 'd'))* DIGITS [A-Za-z_] [A-Za-z0-9_]*;
// Lexed loosely and validated by the AST builder, which gives a precise message for a bad date.
TIMESTAMP: '@' [0-9A-Za-z:.+\-]+;
STRING: '"' (ESCAPE | ~["\\\r\n])* '"';
// A string with no closing quote on its line; reported by the AST builder.
UNTERMINATED_STRING: '"' (ESCAPE | ~["\\\r\n])*;

IDENT: [A-Za-z_] [A-Za-z0-9_]*;
QUOTED_IDENT: '`' ~[`\r\n]+ '`';

LPAREN: '(';
RPAREN: ')';
LBRACK: '[';
RBRACK: ']';
LBRACE: '{';
RBRACE: '}';
COMMA: ',';
COLON: ':';
QUESTION: '?';
ASSIGN: '=';
EQ: '==';
NE: '!=';
LE: '<=';
GE: '>=';
LT: '<';
GT: '>';
PLUS: '+';
MINUS: '-';
STAR: '*';
SLASH: '/';
PERCENT: '%';

LINE_COMMENT: '//' ~[\r\n]* -> skip;
// Block comments use a mode so that one left open is reported at its start, not as stray tokens.
BLOCK_COMMENT_START: '/*' -> channel(HIDDEN), pushMode(BLOCK_COMMENT);
WS: [ \t\r\n\f]+ -> skip;
// Anything else becomes one token the parser cannot use, so it is reported with its position.
UNKNOWN_CHAR: .;

fragment DIGITS: [0-9] ('_'? [0-9])*;
fragment EXPONENT: [eE] [+\-]? [0-9]+;
fragment ESCAPE: '\\' .;

mode BLOCK_COMMENT;
BLOCK_COMMENT_END: '*/' -> skip, popMode;
BLOCK_COMMENT_TEXT: ~[*]+ -> skip;
BLOCK_COMMENT_STAR: '*' -> skip;
