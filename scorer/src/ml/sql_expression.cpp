// Binding and evaluation of SQLTransformer expressions (ml/sql_expression.hpp) with the
// semantics of Spark SQL in its default non-ANSI mode (Spark 3.x; Spark 4 with
// spark.sql.ansi.enabled=false): integer arithmetic wraps around, `/` divides as doubles,
// division or remainder by zero is null, NaN equals NaN and sorts above every number, casts
// that cannot parse give null.

#include "ml/sql_expression.hpp"

#include <cmath>
#include <cstdlib>
#include <limits>

#include "dbk/internal/text.hpp"

namespace dbk::scorer::detail::sql {

const char* type_name(Type type) {
  switch (type) {
    case Type::kNull:
      return "NULL";
    case Type::kBool:
      return "BOOLEAN";
    case Type::kInt:
      return "INT";
    case Type::kLong:
      return "BIGINT";
    case Type::kFloat:
      return "FLOAT";
    case Type::kDouble:
      return "DOUBLE";
    case Type::kDecimal:
      return "DECIMAL";
    case Type::kString:
      return "STRING";
  }
  return "?";
}

struct Bound {
  const Expr* expr = nullptr;
  Type type = Type::kNull;  // the node's result
  Type work = Type::kNull;  // operands are converted to this before the operation
  const Column* input = nullptr;
  const ScoredColumn* scored = nullptr;
  Type source = Type::kNull;  // a column's own type
  int scale = 0;              // round()'s scale
  std::vector<BoundPtr> args;
};

void BoundDeleter::operator()(Bound* b) const {
  delete b;
}

Type bound_type(const Bound& bound) {
  return bound.type;
}

namespace {

using Kind = Expr::Kind;

// The first error of the row being evaluated (evaluation runs on the transforming thread).
thread_local std::string t_error;

ApiError type_error(const std::string& what) {
  return make_error(error_codes::kUnsupportedStage, what);
}

bool is_numeric(Type t) {
  return t == Type::kInt || t == Type::kLong || t == Type::kFloat || t == Type::kDouble ||
         t == Type::kDecimal;
}

int rank(Type t) {
  switch (t) {
    case Type::kInt:
      return 1;
    case Type::kLong:
      return 2;
    case Type::kFloat:
      return 3;
    case Type::kDouble:
      return 4;
    default:
      return 0;
  }
}

// Spark turns DECIMAL arithmetic with integers or decimals into decimal arithmetic of its own
// precision and scale; the scorer computes only what survives as a double.
const char* const kDecimalHint =
    " (Spark computes it in DECIMAL precision; a literal such as 1.5 is a DECIMAL, 1.5D a DOUBLE)";

// The operands' type for arithmetic and comparisons.
Result<Type> wider(Type a, Type b, const std::string& what) {
  if (a == Type::kNull) return b == Type::kNull ? Type::kDouble : b;
  if (b == Type::kNull) return a;
  if (a == Type::kString && b == Type::kString) return Type::kString;
  if (a == Type::kBool && b == Type::kBool) return Type::kBool;
  if (!is_numeric(a) || !is_numeric(b)) {
    return type_error(what + " of " + type_name(a) + " and " + type_name(b));
  }
  if (a == Type::kDecimal || b == Type::kDecimal) {
    const Type other = a == Type::kDecimal ? b : a;
    if (other == Type::kFloat || other == Type::kDouble) return Type::kDouble;
    return type_error(what + " of " + type_name(a) + " and " + type_name(b) + kDecimalHint);
  }
  return rank(a) >= rank(b) ? a : b;
}

// The result type of CASE, IF and COALESCE: one branch's value is passed on unchanged.
Result<Type> common(Type a, Type b, const std::string& what) {
  if (a == Type::kNull) return b;
  if (b == Type::kNull || a == b) return a;
  if (is_numeric(a) && is_numeric(b)) {
    if (a == Type::kDecimal || b == Type::kDecimal) {
      const Type other = a == Type::kDecimal ? b : a;
      return other == Type::kFloat || other == Type::kDouble ? Type::kDouble : Type::kDecimal;
    }
    return rank(a) >= rank(b) ? a : b;
  }
  return type_error(what + " mixing " + type_name(a) + " and " + type_name(b));
}

std::int32_t wrap32(std::int64_t v) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(v)));
}

// Java's (int) and (long) of a double: NaN is 0, out-of-range values saturate.
std::int64_t d2i(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 2147483647.0) return std::numeric_limits<std::int32_t>::max();
  if (d <= -2147483648.0) return std::numeric_limits<std::int32_t>::min();
  return static_cast<std::int64_t>(d);
}

std::int64_t d2l(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9223372036854775807.0) return std::numeric_limits<std::int64_t>::max();
  if (d <= -9223372036854775808.0) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(d);
}

bool java_space(char c) {
  return static_cast<unsigned char>(c) <= ' ';
}

std::string trimmed(const std::string& s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && java_space(s[b])) ++b;
  while (e > b && java_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// UTF8String.toLong/toInt as Spark's cast uses them: optional sign, digits, and an ignored
// fraction of digits; anything else (or overflow) is null.
bool parse_integral(const std::string& text, std::int64_t min, std::int64_t max,
                    std::int64_t& out) {
  const std::string s = trimmed(text);
  std::size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  const std::size_t first = i;
  // Accumulate negatively so that the minimum fits.
  std::int64_t acc = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    const int digit = s[i] - '0';
    if (acc < (std::numeric_limits<std::int64_t>::min() + digit) / 10) return false;
    acc = acc * 10 - digit;
  }
  if (i == first) return false;
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    }
  }
  if (i != s.size()) return false;
  if (!negative && acc == std::numeric_limits<std::int64_t>::min()) return false;
  const std::int64_t v = negative ? acc : -acc;
  if (v < min || v > max) return false;
  out = v;
  return true;
}

// Java's Double.parseDouble / Float.parseFloat of decimal text (trimmed, optional f/F/d/D
// suffix, NaN, Infinity), then Spark's extra spellings (inf, +inf, infinity, nan, any case).
bool parse_floating(const std::string& text, bool single, double& out) {
  std::string s = trimmed(text);
  const std::string lower = internal::ascii_lower(s);
  if (lower == "inf" || lower == "+inf" || lower == "infinity" || lower == "+infinity") {
    out = HUGE_VAL;
    return true;
  }
  if (lower == "-inf" || lower == "-infinity") {
    out = -HUGE_VAL;
    return true;
  }
  if (lower == "nan") {
    out = std::nan("");
    return true;
  }
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  const std::string body = s.substr(i);
  if (body == "NaN" || body == "Infinity") {
    out = body == "NaN" ? std::nan("") : (s[0] == '-' ? -HUGE_VAL : HUGE_VAL);
    return true;
  }
  std::size_t digits = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) ++digits;
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) ++exp_digits;
    if (exp_digits == 0) return false;
  }
  const std::size_t end = i;
  if (i < s.size() && std::string("fFdD").find(s[i]) != std::string::npos) ++i;
  if (i != s.size()) return false;
  s.resize(end);
  out = single ? static_cast<double>(std::strtof(s.c_str(), nullptr))
               : std::strtod(s.c_str(), nullptr);
  return true;
}

double as_double(const Cell& c, Type t) {
  return t == Type::kBool || t == Type::kInt || t == Type::kLong ? static_cast<double>(c.i) : c.d;
}

// Spark's non-ANSI cast (also its implicit widenings) of a non-null value.
void convert(Cell& c, Type from, Type to) {
  if (c.null || from == to || to == Type::kNull || from == Type::kNull) {
    if (from == Type::kNull) c.null = true;
    return;
  }
  switch (to) {
    case Type::kBool:
      if (from == Type::kString) {
        const std::string v = internal::ascii_lower(trimmed(c.s));
        if (v == "t" || v == "true" || v == "y" || v == "yes" || v == "1") {
          c.i = 1;
        } else if (v == "f" || v == "false" || v == "n" || v == "no" || v == "0") {
          c.i = 0;
        } else {
          c.null = true;
        }
      } else {
        c.i = as_double(c, from) != 0 ? 1 : 0;
      }
      return;
    case Type::kInt:
    case Type::kLong: {
      const bool narrow = to == Type::kInt;
      if (from == Type::kString) {
        std::int64_t v = 0;
        const auto lo = narrow ? std::numeric_limits<std::int32_t>::min()
                               : std::numeric_limits<std::int64_t>::min();
        const auto hi = narrow ? std::numeric_limits<std::int32_t>::max()
                               : std::numeric_limits<std::int64_t>::max();
        if (parse_integral(c.s, lo, hi, v)) {
          c.i = v;
        } else {
          c.null = true;
        }
        return;
      }
      if (from == Type::kFloat || from == Type::kDouble) {
        c.i = narrow ? d2i(c.d) : d2l(c.d);
        return;
      }
      if (from == Type::kDecimal) {
        // The decimal's integer part (Decimal.toLong), then Java's narrowing to int.
        std::int64_t v = 0;
        if (!parse_integral(c.s, std::numeric_limits<std::int64_t>::min(),
                            std::numeric_limits<std::int64_t>::max(), v)) {
          v = d2l(c.d);
        }
        c.i = narrow ? wrap32(v) : v;
        return;
      }
      if (narrow) c.i = wrap32(c.i);  // BIGINT to INT keeps the low 32 bits
      return;
    }
    case Type::kFloat:
      if (from == Type::kString) {
        if (!parse_floating(c.s, true, c.d)) c.null = true;
        return;
      }
      c.d = static_cast<float>(from == Type::kInt || from == Type::kLong || from == Type::kBool
                                   ? static_cast<float>(c.i)
                                   : static_cast<float>(c.d));
      return;
    case Type::kDouble:
      if (from == Type::kString) {
        if (!parse_floating(c.s, false, c.d)) c.null = true;
        return;
      }
      c.d = as_double(c, from);
      return;
    case Type::kDecimal:
      // Only integers reach here (common types of CASE and COALESCE): exact as text.
      if (from == Type::kInt || from == Type::kLong) {
        c.s = std::to_string(c.i);
        c.d = static_cast<double>(c.i);
      }
      return;
    case Type::kString:
      switch (from) {
        case Type::kBool:
          c.s = c.i ? "true" : "false";
          break;
        case Type::kInt:
        case Type::kLong:
          c.s = std::to_string(c.i);
          break;
        case Type::kFloat:
          c.s = java_float_string(static_cast<float>(c.d));
          break;
        case Type::kDouble:
          c.s = java_double_string(c.d);
          break;
        default:
          break;  // a decimal's text is its string
      }
      return;
    case Type::kNull:
      return;
  }
}

// Spark SQL's ordering: NaN equals NaN and is above every other number; -0.0 equals 0.0.
int compare_doubles(double a, double b) {
  if (a == b) return 0;
  const bool an = std::isnan(a);
  const bool bn = std::isnan(b);
  if (an || bn) return an && bn ? 0 : (an ? 1 : -1);
  return a < b ? -1 : 1;
}

int compare_cells(const Cell& a, const Cell& b, Type t) {
  switch (t) {
    case Type::kBool:
    case Type::kInt:
    case Type::kLong:
      return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
    case Type::kString: {
      const int c = a.s.compare(b.s);  // bytes as unsigned, like UTF8String
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default:
      return compare_doubles(a.d, b.d);
  }
}

// Java's String.length() counts UTF-16 units; Spark's length() counts code points.
std::size_t code_points(const std::string& s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::size_t byte_of_char(const std::string& s, std::size_t chars) {
  std::size_t i = 0;
  for (std::size_t seen = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == chars) return i;
      ++seen;
    }
  }
  return s.size();
}

// UTF8String.substringSQL: 1-based, 0 is the first character, negative counts from the end.
std::string substring_sql(const std::string& s, std::int64_t pos, std::int64_t length) {
  const auto len = static_cast<std::int64_t>(code_points(s));
  std::int64_t start = pos > 0 ? pos - 1 : (pos < 0 ? len + pos : 0);
  const std::int64_t end = std::min<std::int64_t>(start + length, len);
  start = std::max<std::int64_t>(start, 0);
  if (start >= end) return "";
  const std::size_t b = byte_of_char(s, static_cast<std::size_t>(start));
  const std::size_t e = byte_of_char(s, static_cast<std::size_t>(end));
  return s.substr(b, e - b);
}

// round(): Spark rounds BigDecimal.valueOf(x) (the digits of Double.toString) HALF_UP.
double round_half_up(double x, int scale, bool single) {
  if (std::isnan(x) || std::isinf(x)) return x;
  if (x == 0) return 0.0;  // BigDecimal has no negative zero
  const std::string text = java_double_string(x);
  const bool negative = text[0] == '-';
  std::string mantissa = text.substr(negative ? 1 : 0);
  int exponent = 0;
  if (auto e = mantissa.find('E'); e != std::string::npos) {
    exponent = std::stoi(mantissa.substr(e + 1));
    mantissa.resize(e);
  }
  std::string digits;
  for (std::size_t k = 0; k < mantissa.size(); ++k) {
    if (mantissa[k] == '.') {
      exponent -= static_cast<int>(mantissa.size() - k - 1);
    } else {
      digits += mantissa[k];
    }
  }
  // value = digits × 10^exponent
  if (exponent >= -scale) return x;
  const std::size_t drop = static_cast<std::size_t>(-scale - exponent);
  std::string kept;
  char first_dropped = '0';
  if (drop < digits.size()) {
    kept = digits.substr(0, digits.size() - drop);
    first_dropped = digits[digits.size() - drop];
  } else {
    kept = "0";
    if (drop == digits.size()) first_dropped = digits[0];
  }
  if (first_dropped >= '5') {
    int k = static_cast<int>(kept.size()) - 1;
    while (k >= 0 && kept[static_cast<std::size_t>(k)] == '9')
      kept[static_cast<std::size_t>(k--)] = '0';
    if (k < 0) {
      kept.insert(0, "1");
    } else {
      ++kept[static_cast<std::size_t>(k)];
    }
  }
  const std::string out = (negative ? "-" : "") + kept + "e" + std::to_string(-scale);
  const double v = single ? static_cast<double>(std::strtof(out.c_str(), nullptr))
                          : std::strtod(out.c_str(), nullptr);
  return v == 0 ? 0.0 : v;
}

class Binder {
 public:
  explicit Binder(Frame& frame) : frame_(frame) {}

  Result<BoundPtr> bind(const Expr& e) {
    BoundPtr b(new Bound);
    b->expr = &e;
    for (const auto& a : e.args) {
      auto child = bind(*a);
      if (!child.ok()) return child;
      b->args.push_back(std::move(*child));
    }
    auto st = type(*b);
    if (!st.ok()) return std::move(st).error();
    return b;
  }

 private:
  Status type(Bound& b) {
    const Expr& e = *b.expr;
    auto arg = [&](std::size_t k) { return b.args[k]->type; };
    switch (e.kind) {
      case Kind::kLiteral:
        b.type = e.type;
        return {};
      case Kind::kColumn:
        return column(b);
      case Kind::kNegate:
        if (!is_numeric(arg(0)) && arg(0) != Type::kNull) {
          return type_error(std::string("unary minus of ") + type_name(arg(0)));
        }
        b.type = b.work = arg(0) == Type::kNull ? Type::kDouble : arg(0);
        return {};
      case Kind::kArith: {
        for (std::size_t k = 0; k < 2; ++k) {
          if (!is_numeric(arg(k)) && arg(k) != Type::kNull) {
            return type_error("arithmetic (" + e.op + ") on " + type_name(arg(k)));
          }
        }
        auto w = wider(arg(0), arg(1), "arithmetic (" + e.op + ")");
        if (!w.ok()) return std::move(w).error();
        b.work = e.op == "/" ? Type::kDouble : *w;  // `/` divides as doubles
        b.type = b.work;
        return {};
      }
      case Kind::kCompare: {
        auto w = wider(arg(0), arg(1), "comparison (" + e.op + ")");
        if (!w.ok()) return std::move(w).error();
        b.work = *w;
        b.type = Type::kBool;
        return {};
      }
      case Kind::kAnd:
      case Kind::kOr:
      case Kind::kNot:
        for (const auto& a : b.args) {
          if (a->type != Type::kBool && a->type != Type::kNull) {
            return type_error(std::string(e.kind == Kind::kAnd  ? "AND"
                                          : e.kind == Kind::kOr ? "OR"
                                                                : "NOT") +
                              " of " + type_name(a->type));
          }
        }
        b.type = Type::kBool;
        return {};
      case Kind::kIsNull:
        b.type = Type::kBool;
        return {};
      case Kind::kIn: {
        Type w = arg(0);
        for (std::size_t k = 1; k < b.args.size(); ++k) {
          auto next = wider(w, arg(k), "IN");
          if (!next.ok()) return std::move(next).error();
          w = *next;
        }
        b.work = w;
        b.type = Type::kBool;
        return {};
      }
      case Kind::kCase:
        return case_type(b);
      case Kind::kCast:
        if (arg(0) == Type::kDecimal && e.type == Type::kString) {
          b.type = Type::kString;  // the decimal's own text
          return {};
        }
        b.type = e.type;
        return {};
      case Kind::kCall:
        return call_type(b);
    }
    return {};
  }

  Status column(Bound& b) {
    auto name = resolve_column(frame_, b.expr->name);
    if (!name.ok()) return std::move(name).error();
    const auto& outputs = frame_.outputs();
    for (auto it = outputs.rbegin(); it != outputs.rend(); ++it) {
      if (it->name != *name) continue;
      if (it->kind == ScoredColumn::Kind::kVector) {
        return type_error("column '" + *name + "' is a vector; only scalar columns are computed");
      }
      b.scored = &*it;
      b.type = it->kind == ScoredColumn::Kind::kString ? Type::kString : Type::kDouble;
      b.source = b.type;
      return {};
    }
    const Column* in = frame_.input_column(*name);
    switch (in->type) {
      case ColumnType::kBool:
        b.type = Type::kBool;
        break;
      case ColumnType::kInt32:
        b.type = Type::kInt;
        break;
      case ColumnType::kInt64:
        b.type = Type::kLong;
        break;
      case ColumnType::kFloat:
        b.type = Type::kFloat;
        break;
      case ColumnType::kDouble:
        b.type = Type::kDouble;
        break;
      case ColumnType::kDecimal:
        b.type = Type::kDecimal;
        break;
      case ColumnType::kString:
        b.type = Type::kString;
        break;
      default:
        return type_error("column '" + *name + "' of type " + column_type_name(in->type));
    }
    b.input = in;
    b.source = b.type;
    return {};
  }

  Status case_type(Bound& b) {
    const Expr& e = *b.expr;
    std::size_t k = 0;
    Type operand_work = Type::kNull;
    if (e.has_operand) {
      operand_work = b.args[0]->type;
      k = 1;
    }
    const std::size_t pairs_end = b.args.size() - (e.has_else ? 1 : 0);
    Type result = Type::kNull;
    for (; k + 1 < pairs_end + 1 && k < pairs_end; k += 2) {
      const Type when = b.args[k]->type;
      if (e.has_operand) {
        auto w = wider(operand_work, when, "CASE operand comparison");
        if (!w.ok()) return std::move(w).error();
        operand_work = *w;
      } else if (when != Type::kBool && when != Type::kNull) {
        return type_error(std::string("CASE WHEN condition of type ") + type_name(when));
      }
      auto r = common(result, b.args[k + 1]->type, "CASE");
      if (!r.ok()) return std::move(r).error();
      result = *r;
    }
    if (e.has_else) {
      auto r = common(result, b.args.back()->type, "CASE");
      if (!r.ok()) return std::move(r).error();
      result = *r;
    }
    b.work = operand_work;
    b.type = result == Type::kNull ? Type::kDouble : result;
    if (result == Type::kNull) b.type = Type::kNull;
    return {};
  }

  Status call_type(Bound& b) {
    const std::string& f = b.expr->op;
    const std::size_t n = b.args.size();
    auto numeric_args = [&]() -> Status {
      for (const auto& a : b.args) {
        if (!is_numeric(a->type) && a->type != Type::kNull) {
          return type_error(f + "() of " + type_name(a->type));
        }
      }
      return {};
    };
    if (f == "sqrt" || f == "exp" || f == "ln" || f == "log" || f == "log10" || f == "log2" ||
        f == "pow") {
      if (auto st = numeric_args(); !st.ok()) return st;
      b.work = b.type = Type::kDouble;
      return {};
    }
    if (f == "abs") {
      if (auto st = numeric_args(); !st.ok()) return st;
      b.work = b.type = b.args[0]->type == Type::kNull ? Type::kDouble : b.args[0]->type;
      return {};
    }
    if (f == "floor" || f == "ceil") {
      if (auto st = numeric_args(); !st.ok()) return st;
      if (b.args[0]->type == Type::kDecimal) return type_error(f + "() of DECIMAL");
      b.work = b.args[0]->type == Type::kInt || b.args[0]->type == Type::kLong ? Type::kLong
                                                                               : Type::kDouble;
      b.type = Type::kLong;
      return {};
    }
    if (f == "round") {
      if (auto st = numeric_args(); !st.ok()) return st;
      if (n == 2) {
        const Expr& s = *b.expr->args[1];
        if (s.kind != Kind::kLiteral || s.type != Type::kInt) {
          return type_error("round() with a scale other than an INT literal");
        }
        b.scale = static_cast<int>(s.value.i);
      }
      const Type t = b.args[0]->type;
      if (t == Type::kDecimal) return type_error("round() of DECIMAL");
      if ((t == Type::kInt || t == Type::kLong) && b.scale < 0) {
        return type_error("round() of an integer to a negative scale");
      }
      b.work = b.type = t == Type::kNull ? Type::kDouble : t;
      return {};
    }
    if (f == "greatest" || f == "least" || f == "coalesce") {
      Type w = Type::kNull;
      for (const auto& a : b.args) {
        auto next = f == "coalesce" ? common(w, a->type, f + "()") : wider(w, a->type, f + "()");
        if (!next.ok()) return std::move(next).error();
        w = *next;
      }
      if (f != "coalesce" && w == Type::kDecimal) return type_error(f + "() of DECIMALs");
      b.work = b.type = w;
      return {};
    }
    if (f == "if") {
      if (b.args[0]->type != Type::kBool && b.args[0]->type != Type::kNull) {
        return type_error(std::string("if() condition of type ") + type_name(b.args[0]->type));
      }
      auto r = common(b.args[1]->type, b.args[2]->type, "if()");
      if (!r.ok()) return std::move(r).error();
      b.work = b.type = *r;
      return {};
    }
    if (f == "upper" || f == "lower" || f == "concat") {
      b.work = b.type = Type::kString;
      return {};
    }
    if (f == "length") {
      b.work = Type::kString;
      b.type = Type::kInt;
      return {};
    }
    if (f == "substring") {
      for (std::size_t k = 1; k < n; ++k) {
        if (b.args[k]->type != Type::kInt && b.args[k]->type != Type::kNull) {
          return type_error(std::string("substring() position or length of type ") +
                            type_name(b.args[k]->type));
        }
      }
      b.work = b.type = Type::kString;
      return {};
    }
    return type_error("function " + f + "()");
  }

  Frame& frame_;
};

void load(const Bound& b, std::size_t row, Cell& out) {
  if (b.scored != nullptr) {
    out.null = b.scored->valid[row] == 0;
    if (out.null) return;
    if (b.scored->kind == ScoredColumn::Kind::kString) {
      out.s = b.scored->strings[row];
    } else {
      out.d = b.scored->numbers[row];
    }
    return;
  }
  const Column& c = *b.input;
  out.null = c.valid[row] == 0;
  if (out.null) return;
  switch (b.source) {
    case Type::kBool:
    case Type::kInt:
    case Type::kLong:
      out.i = c.ints[row];
      break;
    case Type::kFloat:
    case Type::kDouble:
      out.d = c.doubles[row];
      break;
    case Type::kDecimal:
      out.d = c.doubles[row];
      out.s = c.strings[row];
      break;
    case Type::kString:
      out.s = c.strings[row];
      break;
    case Type::kNull:
      break;
  }
}

// Evaluates child k converted to `to`.
void arg(const Bound& b, std::size_t k, std::size_t row, Type to, Cell& out) {
  evaluate(*b.args[k], row, out);
  convert(out, b.args[k]->type, to);
}

void arithmetic(const std::string& op, Type t, const Cell& l, const Cell& r, Cell& out) {
  out.null = false;
  switch (t) {
    case Type::kInt:
    case Type::kLong: {
      const auto a = static_cast<std::uint64_t>(l.i);
      const auto c = static_cast<std::uint64_t>(r.i);
      std::uint64_t v = 0;
      if (op == "+") v = a + c;
      if (op == "-") v = a - c;
      if (op == "*") v = a * c;
      if (op == "%") {
        if (r.i == 0) {
          out.null = true;
          return;
        }
        v = r.i == -1 ? 0 : static_cast<std::uint64_t>(l.i % r.i);  // Java: MIN % -1 is 0
      }
      out.i = t == Type::kInt ? wrap32(static_cast<std::int64_t>(v)) : static_cast<std::int64_t>(v);
      return;
    }
    case Type::kFloat: {
      const auto a = static_cast<float>(l.d);
      const auto c = static_cast<float>(r.d);
      float v = 0;
      if (op == "+") v = a + c;
      if (op == "-") v = a - c;
      if (op == "*") v = a * c;
      if (op == "%") {
        if (c == 0) {
          out.null = true;
          return;
        }
        v = std::fmod(a, c);
      }
      out.d = v;
      return;
    }
    default: {
      const double a = l.d;
      const double c = r.d;
      if ((op == "/" || op == "%") && c == 0) {
        out.null = true;
        return;
      }
      if (op == "+") out.d = a + c;
      if (op == "-") out.d = a - c;
      if (op == "*") out.d = a * c;
      if (op == "/") out.d = a / c;
      if (op == "%") out.d = std::fmod(a, c);
      return;
    }
  }
}

bool ascii_only(const std::string& s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

void call(const Bound& b, std::size_t row, Cell& out) {
  const std::string& f = b.expr->op;
  const std::size_t n = b.args.size();
  Cell x;
  if (f == "coalesce") {
    for (std::size_t k = 0; k < n; ++k) {
      arg(b, k, row, b.type, out);
      if (!out.null) return;
    }
    return;
  }
  if (f == "if") {
    arg(b, 0, row, Type::kBool, x);
    arg(b, !x.null && x.i != 0 ? 1 : 2, row, b.type, out);
    return;
  }
  if (f == "greatest" || f == "least") {
    // Spark keeps the first of equal values (a strict comparison), NaN above all.
    out.null = true;
    for (std::size_t k = 0; k < n; ++k) {
      arg(b, k, row, b.type, x);
      if (x.null) continue;
      const int c = out.null ? 0 : compare_cells(x, out, b.type);
      if (out.null || (f == "greatest" ? c > 0 : c < 0)) out = x;
    }
    return;
  }
  if (f == "concat") {
    out.null = false;
    out.s.clear();
    for (std::size_t k = 0; k < n; ++k) {
      arg(b, k, row, Type::kString, x);
      if (x.null) {
        out.null = true;
        return;
      }
      out.s += x.s;
    }
    return;
  }
  arg(b, 0, row, b.work, out);
  if (out.null) return;
  if (f == "abs") {
    if (b.type == Type::kInt || b.type == Type::kLong) {
      const auto v = static_cast<std::uint64_t>(out.i);
      const std::int64_t a = out.i < 0 ? static_cast<std::int64_t>(0 - v) : out.i;
      out.i = b.type == Type::kInt ? wrap32(a) : a;  // Math.abs(MIN) is MIN
    } else {
      out.d = std::fabs(out.d);
      if (b.type == Type::kDecimal && !out.s.empty() && out.s[0] == '-') out.s.erase(0, 1);
    }
    return;
  }
  if (f == "sqrt") out.d = std::sqrt(out.d);
  if (f == "exp") out.d = std::exp(out.d);
  if (f == "pow") {
    arg(b, 1, row, Type::kDouble, x);
    if (x.null) {
      out.null = true;
      return;
    }
    out.d = std::pow(out.d, x.d);
  }
  // Spark's logarithms are null (as in Hive) at and below their asymptote, not NaN or -inf.
  if (f == "ln" || f == "log10" || f == "log2" || (f == "log" && n == 1)) {
    if (out.d <= 0) {
      out.null = true;
      return;
    }
    if (f == "log10") {
      out.d = std::log10(out.d);
    } else if (f == "log2") {
      out.d = std::log(out.d) / std::log(2.0);
    } else {
      out.d = std::log(out.d);
    }
  }
  if (f == "log" && n == 2) {
    arg(b, 1, row, Type::kDouble, x);
    if (x.null || out.d <= 0 || x.d <= 0) {
      out.null = true;
      return;
    }
    out.d = std::log(x.d) / std::log(out.d);
  }
  if (f == "floor" || f == "ceil") {
    if (b.work == Type::kDouble) out.i = d2l(f == "floor" ? std::floor(out.d) : std::ceil(out.d));
    return;
  }
  if (f == "round") {
    if (b.type == Type::kFloat || b.type == Type::kDouble) {
      out.d = round_half_up(out.d, b.scale, b.type == Type::kFloat);
    }
    return;
  }
  if (f == "upper" || f == "lower") {
    // Java's case mapping beyond ASCII depends on Unicode tables the scorer does not carry.
    if (!ascii_only(out.s)) {
      if (t_error.empty()) t_error = f + "() of a string with non-ASCII characters";
      out.null = true;
      return;
    }
    for (char& c : out.s) {
      c = f == "upper" ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                       : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return;
  }
  if (f == "length") {
    out.i = static_cast<std::int64_t>(code_points(out.s));
    return;
  }
  if (f == "substring") {
    arg(b, 1, row, Type::kInt, x);
    std::int64_t length = std::numeric_limits<std::int32_t>::max();
    Cell y;
    if (n == 3) {
      arg(b, 2, row, Type::kInt, y);
      if (y.null) {
        out.null = true;
        return;
      }
      length = y.i;
    }
    if (x.null) {
      out.null = true;
      return;
    }
    out.s = substring_sql(out.s, x.i, length);
  }
}

}  // namespace

Result<std::string> resolve_column(Frame& frame, const std::string& name) {
  if (frame.has(name)) return name;
  // Spark resolves names case-insensitively by default (spark.sql.caseSensitive=false).
  const std::string lower = internal::ascii_lower(name);
  std::vector<std::string> found;
  auto consider = [&](const std::string& candidate) {
    if (internal::ascii_lower(candidate) == lower &&
        std::find(found.begin(), found.end(), candidate) == found.end()) {
      found.push_back(candidate);
    }
  };
  for (const auto& c : frame.outputs()) consider(c.name);
  for (const auto& c : frame.input_table().columns) consider(c.name);
  if (found.size() == 1) return found[0];
  if (found.empty()) {
    return make_error(error_codes::kColumnNotFound, "no column '" + name + "'");
  }
  return make_error(error_codes::kInvalidData, "column name '" + name + "' is ambiguous");
}

Result<BoundPtr> bind(const Expr& expr, Frame& frame) {
  return Binder(frame).bind(expr);
}

Status evaluate_row(const Bound& bound, std::size_t row, Cell& out) {
  t_error.clear();
  evaluate(bound, row, out);
  if (t_error.empty()) return {};
  return make_error(error_codes::kUnsupportedStage, t_error);
}

void evaluate(const Bound& b, std::size_t row, Cell& out) {
  const Expr& e = *b.expr;
  switch (e.kind) {
    case Kind::kLiteral:
      out = e.value;
      return;
    case Kind::kColumn:
      load(b, row, out);
      return;
    case Kind::kNegate:
      arg(b, 0, row, b.work, out);
      if (out.null) return;
      if (b.work == Type::kInt || b.work == Type::kLong) {
        const auto v = 0 - static_cast<std::uint64_t>(out.i);
        out.i = b.work == Type::kInt ? wrap32(static_cast<std::int64_t>(v))
                                     : static_cast<std::int64_t>(v);
      } else {
        out.d = -out.d;
        if (b.work == Type::kDecimal) {
          out.s = !out.s.empty() && out.s[0] == '-' ? out.s.substr(1) : "-" + out.s;
        }
      }
      return;
    case Kind::kArith: {
      Cell r;
      arg(b, 0, row, b.work, out);
      arg(b, 1, row, b.work, r);
      if (out.null || r.null) {
        out.null = true;
        return;
      }
      const Cell l = out;
      arithmetic(e.op, b.work, l, r, out);
      return;
    }
    case Kind::kCompare: {
      Cell l;
      Cell r;
      arg(b, 0, row, b.work, l);
      arg(b, 1, row, b.work, r);
      out.null = false;
      if (e.op == "<=>") {
        out.i = l.null || r.null ? (l.null && r.null ? 1 : 0) : compare_cells(l, r, b.work) == 0;
        return;
      }
      if (l.null || r.null) {
        out.null = true;
        return;
      }
      const int c = compare_cells(l, r, b.work);
      const std::string& op = e.op;
      out.i = op == "="    ? c == 0
              : op == "!=" ? c != 0
              : op == "<"  ? c < 0
              : op == "<=" ? c <= 0
              : op == ">"  ? c > 0
                           : c >= 0;
      return;
    }
    case Kind::kAnd:
    case Kind::kOr: {
      // Three-valued: false AND null is false, true OR null is true.
      const bool is_and = e.kind == Kind::kAnd;
      Cell r;
      arg(b, 0, row, Type::kBool, out);
      if (!out.null && (out.i != 0) != is_and) return;
      arg(b, 1, row, Type::kBool, r);
      if (!r.null && (r.i != 0) != is_and) {
        out = r;
        return;
      }
      if (out.null || r.null) {
        out.null = true;
        return;
      }
      out.i = is_and ? 1 : 0;
      return;
    }
    case Kind::kNot:
      arg(b, 0, row, Type::kBool, out);
      if (!out.null) out.i = out.i ? 0 : 1;
      return;
    case Kind::kIsNull: {
      Cell v;
      evaluate(*b.args[0], row, v);
      out.null = false;
      out.i = v.null != e.negated ? 1 : 0;
      return;
    }
    case Kind::kIn: {
      Cell x;
      Cell v;
      arg(b, 0, row, b.work, x);
      out.null = x.null;
      out.i = 0;
      if (x.null) return;
      bool saw_null = false;
      for (std::size_t k = 1; k < b.args.size(); ++k) {
        arg(b, k, row, b.work, v);
        if (v.null) {
          saw_null = true;
        } else if (compare_cells(x, v, b.work) == 0) {
          out.i = e.negated ? 0 : 1;
          return;
        }
      }
      out.null = saw_null;
      out.i = e.negated ? 1 : 0;
      return;
    }
    case Kind::kCase: {
      Cell operand;
      std::size_t k = 0;
      if (e.has_operand) {
        arg(b, 0, row, b.work, operand);
        k = 1;
      }
      const std::size_t pairs_end = b.args.size() - (e.has_else ? 1 : 0);
      Cell when;
      for (; k < pairs_end; k += 2) {
        bool hit = false;
        if (e.has_operand) {
          arg(b, k, row, b.work, when);
          hit = !operand.null && !when.null && compare_cells(operand, when, b.work) == 0;
        } else {
          arg(b, k, row, Type::kBool, when);
          hit = !when.null && when.i != 0;
        }
        if (hit) {
          arg(b, k + 1, row, b.type, out);
          return;
        }
      }
      if (e.has_else) {
        arg(b, b.args.size() - 1, row, b.type, out);
      } else {
        out.null = true;
      }
      return;
    }
    case Kind::kCast:
      arg(b, 0, row, b.type, out);
      return;
    case Kind::kCall:
      call(b, row, out);
      return;
  }
}

}  // namespace dbk::scorer::detail::sql
