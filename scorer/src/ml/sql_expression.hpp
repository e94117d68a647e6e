#pragma once

// The SQL that SQLTransformer statements may hold, as far as the scorer runs it: `SELECT item,
// ... FROM __THIS__ [WHERE cond]` with row-wise expressions (docs/scorer.md, "SQLTransformer").
// Parsed by recursive descent into a tree, bound to a frame's columns (which fixes each node's
// Spark type), then evaluated row by row with Spark's non-ANSI semantics. Anything outside the
// subset is an error naming the construct, never a guess.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dbk/result.hpp"
#include "ml/stage.hpp"

namespace dbk::scorer::detail::sql {

/// Spark SQL types the subset computes in (DECIMAL only where its value survives as is).
enum class Type { kNull, kBool, kInt, kLong, kFloat, kDouble, kDecimal, kString };

const char* type_name(Type type);

/// One value: ints, longs and booleans in `i`, floats, doubles and decimals (nearest double) in
/// `d`, strings (and a decimal's exact text) in `s`.
struct Cell {
  bool null = true;
  std::int64_t i = 0;
  double d = 0;
  std::string s;
};

/// A parsed expression.
struct Expr {
  enum class Kind {
    kLiteral,
    kColumn,
    kNegate,
    kArith,
    kCompare,
    kAnd,
    kOr,
    kNot,
    kIsNull,
    kIn,
    kCase,
    kCast,
    kCall
  };
  Kind kind = Kind::kLiteral;
  std::string op;            ///< kArith/kCompare operator, kCall function (lower case)
  std::string name;          ///< kColumn
  Type type = Type::kNull;   ///< kLiteral's type, kCast's target
  Cell value;                ///< kLiteral
  bool negated = false;      ///< IS NOT NULL, NOT IN
  bool has_operand = false;  ///< kCase: `CASE x WHEN ...` (args[0] is x)
  bool has_else = false;     ///< kCase: the last argument is ELSE's
  std::vector<std::unique_ptr<Expr>> args;
  int depth = 1;
};

struct SelectItem {
  bool star = false;
  std::unique_ptr<Expr> expr;
  std::string alias;  ///< the output column's name
};

struct Statement {
  std::vector<SelectItem> items;
  std::unique_ptr<Expr> where;  ///< nullptr without WHERE
  /// Every column name the statement reads.
  std::vector<std::string> columns;
};

/// Nesting deeper than this is refused (the tree is walked recursively).
constexpr int kMaxDepth = 200;
/// Statements longer than this are refused.
constexpr std::size_t kMaxStatementBytes = 1 << 20;

/// Parses a statement; the error message says which construct is not supported and where.
Result<Statement> parse_statement(const std::string& text);
/// Parses one expression (for tests).
Result<std::unique_ptr<Expr>> parse_expression(const std::string& text);

/// An expression bound to a frame's columns, with the Spark type of every node.
struct Bound;
struct BoundDeleter {
  void operator()(Bound* b) const;
};
using BoundPtr = std::unique_ptr<Bound, BoundDeleter>;

/// Resolves the expression's columns in the frame (case-insensitively, as Spark does) and
/// applies Spark's type rules. Errors: a column the frame lacks, or a type combination the
/// subset does not compute exactly (e.g. integer and decimal arithmetic).
Result<BoundPtr> bind(const Expr& expr, Frame& frame);
Type bound_type(const Bound& bound);
/// Evaluates the expression on one row; an error for a value the subset cannot compute exactly
/// (upper() of non-ASCII text).
Status evaluate_row(const Bound& bound, std::size_t row, Cell& out);
void evaluate(const Bound& bound, std::size_t row, Cell& out);

/// The frame's column a name resolves to (exact name first, then one case-insensitive match).
Result<std::string> resolve_column(Frame& frame, const std::string& name);

}  // namespace dbk::scorer::detail::sql
