// Syntax of the alert language (docs/language.md). Expressions use one rule per precedence level with
// flat repetition, so a long `a + b + c ...` chain is a loop, not recursion, in the parser.
parser grammar AlertParser;

options { tokenVocab = AlertLexer; }

program: decl* EOF;

decl
  : importDecl
  | schemaDecl
  | constDecl
  | channelDecl
  | ruleDecl
  | testDecl
  ;

importDecl: IMPORT STRING;

schemaDecl: SCHEMA name=ident LBRACE (fieldDecl COMMA?)* RBRACE;
// `time ts: timestamp`: the marker is an identifier checked by the AST builder.
fieldDecl: (marker=ident)? name=ident COLON typeRef;
typeRef: ident QUESTION?;

constDecl: CONST name=ident ASSIGN expr;

channelDecl: CHANNEL name=ident ASSIGN kind=ident LBRACE (option (COMMA option)* COMMA?)? RBRACE;
option: name=anyName ASSIGN optionValue;
optionValue
  : expr
  | LBRACE (mapEntry (COMMA mapEntry)* COMMA?)? RBRACE
  ;
mapEntry: key=STRING COLON value=expr;

ruleDecl: RULE name=ident ON schema=ident clause*;
clause
  : WHERE expr                                                    # whereClause
  | WINDOW TUMBLING size=expr                                     # tumblingClause
  | WINDOW SLIDING size=expr EVERY step=expr                      # slidingClause
  | LATENESS expr                                                 # latenessClause
  | GROUP BY groupItem (COMMA groupItem)*                         # groupClause
  | LET name=ident ASSIGN expr                                    # letClause
  | HAVING expr                                                   # havingClause
  | FOR expr                                                      # forClause
  | EXPIRE expr                                                   # expireClause
  | SEVERITY level=ident                                          # severityClause
  | LABELS LBRACE (labelItem (COMMA labelItem)* COMMA?)? RBRACE   # labelsClause
  | MESSAGE STRING                                                # messageClause
  | NOTIFY ident (COMMA ident)*                                   # notifyClause
  | THROTTLE expr (BY expr (COMMA expr)*)?                        # throttleClause
  // `resolved_message "..."`: a soft keyword, so the name stays usable; the builder checks it.
  | word=ident STRING                                             # namedTextClause
  ;
// `as` is a keyword only here; the builder checks the identifier's text.
groupItem: expr (asKw=ident alias=ident)?;
labelItem: name=anyName ASSIGN expr;

testDecl: TEST STRING LBRACE testItem* RBRACE;
testItem
  : GIVEN schema=ident LBRACK (rowLit (COMMA rowLit)* COMMA?)? RBRACK   # givenRows
  | GIVEN schema=ident FROM STRING                                    # givenFile
  | EXPECT ruleName=ident FIRES expr                                      # expectFires
  | EXPECT ruleName=ident state=ident expr                                # expectState
  | EXPECT ruleName=ident LBRACE (fieldInit (COMMA fieldInit)* COMMA?)? RBRACE  # expectMatch
  | EXPECT word=ident expr                                                # expectRejects
  | word=ident expr                                                       # idleFor
  ;
rowLit: LBRACE (fieldInit (COMMA fieldInit)* COMMA?)? RBRACE;
fieldInit: name=anyName ASSIGN expr;

expr: orExpr;
orExpr: andExpr (OR andExpr)*;
andExpr: notExpr (AND notExpr)*;
notExpr: NOT notExpr | cmpExpr;
// Comparisons do not chain; the builder reports a second comparison with its own message.
cmpExpr: addExpr cmpTail*;
cmpTail
  : op=(EQ | NE | LT | LE | GT | GE) addExpr          # compareTail
  | NOT? IN addExpr                                  # inTail
  | NOT? BETWEEN lo=addExpr AND hi=addExpr           # betweenTail
  | IS NOT? NULL_                                    # isNullTail
  ;
addExpr: mulExpr (addOp mulExpr)*;
addOp: PLUS | MINUS;
mulExpr: unaryExpr (mulOp unaryExpr)*;
mulOp: STAR | SLASH | PERCENT;
unaryExpr: MINUS unaryExpr | primary;
primary
  : INT                                              # intLit
  | FLOAT                                            # floatLit
  | DURATION                                         # durationLit
  | TIMESTAMP                                        # timestampLit
  | STRING                                           # stringLit
  | UNTERMINATED_STRING                              # unterminatedString
  | TRUE                                             # trueLit
  | FALSE                                            # falseLit
  | NULL_                                            # nullLit
  | ident LPAREN (expr (COMMA expr)*)? RPAREN        # call
  | ident                                            # nameRef
  | LPAREN expr RPAREN                               # paren
  | LBRACK (expr (COMMA expr)* COMMA?)? RBRACK       # listLit
  ;

ident: IDENT | QUOTED_IDENT;
// Where only a name can stand (option names, label names, expected keys), keywords are names too:
// `from = "a@b"`, `expect R { message = "..." }`.
anyName
  : ident | IMPORT | SCHEMA | CONST | CHANNEL | RULE | ON | WHERE | WINDOW | TUMBLING | SLIDING
  | EVERY | LATENESS | GROUP | BY | LET | HAVING | FOR | EXPIRE | SEVERITY | LABELS | MESSAGE
  | NOTIFY | THROTTLE | TEST | GIVEN | FROM | EXPECT | FIRES | AND | OR | NOT | IN | BETWEEN | IS
  | NULL_ | TRUE | FALSE
  ;
