// Recursive-descent parser of the SQLTransformer subset (ml/sql_expression.hpp). Precedence as
// in Spark's grammar, loosest first: OR, AND, NOT, predicates (IS [NOT] NULL, [NOT] IN,
// [NOT] BETWEEN), comparisons, + - ||, * / %, unary minus.

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "dbk/internal/text.hpp"
#include "ml/sql_expression.hpp"

namespace dbk::scorer::detail::sql {
namespace {

struct Token {
  enum class Kind { kIdent, kQuoted, kNumber, kString, kSymbol, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;  // identifier, number, string value, symbol
  std::size_t offset = 0;
};

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// Splits the statement into tokens; an error names the offset of what it cannot read.
Result<std::vector<Token>> tokenize(const std::string& s) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto fail = [&](const std::string& what) {
    return make_error(error_codes::kUnsupportedStage, what + " at offset " + std::to_string(i));
  };
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
      continue;
    }
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      const auto end = s.find("*/", i + 2);
      if (end == std::string::npos) return fail("unterminated comment");
      i = end + 2;
      continue;
    }
    Token t;
    t.offset = i;
    if (std::isdigit(static_cast<unsigned char>(c)) != 0 ||
        (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      // digits [. digits] [e [+-] digits] then an optional type suffix (L, D, F, BD, S, Y).
      std::size_t j = i;
      while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      if (j < s.size() && s[j] == '.') {
        ++j;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      }
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        std::size_t k = j + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
          j = k;
          while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        }
      }
      while (j < s.size() && std::isalpha(static_cast<unsigned char>(s[j])) != 0) ++j;
      if (j < s.size() && ident_char(s[j])) return fail("malformed number");
      t.kind = Token::Kind::kNumber;
      t.text = s.substr(i, j - i);
      i = j;
    } else if (ident_char(c)) {
      std::size_t j = i;
      while (j < s.size() && ident_char(s[j])) ++j;
      t.kind = Token::Kind::kIdent;
      t.text = s.substr(i, j - i);
      i = j;
    } else if (c == '`') {
      ++i;
      for (;;) {
        if (i >= s.size()) return fail("unterminated `identifier`");
        if (s[i] == '`') {
          if (i + 1 < s.size() && s[i + 1] == '`') {
            t.text += '`';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        t.text += s[i++];
      }
      t.kind = Token::Kind::kQuoted;
    } else if (c == '\'' || c == '"') {
      // Spark's string literals, with its backslash escapes.
      const char quote = c;
      ++i;
      for (;;) {
        if (i >= s.size()) return fail("unterminated string literal");
        char ch = s[i++];
        if (ch == quote) break;
        if (ch != '\\') {
          t.text += ch;
          continue;
        }
        if (i >= s.size()) return fail("unterminated string literal");
        ch = s[i++];
        switch (ch) {
          case 'n':
            t.text += '\n';
            break;
          case 't':
            t.text += '\t';
            break;
          case 'r':
            t.text += '\r';
            break;
          case 'b':
            t.text += '\b';
            break;
          case '0':
            t.text += '\0';
            break;
          case 'Z':
            t.text += '\x1a';
            break;
          case '%':
            t.text += "\\%";
            break;
          case '_':
            t.text += "\\_";
            break;
          case 'u':
            return fail("unsupported \\u escape in a string literal");
          default:
            t.text += ch;
        }
      }
      t.kind = Token::Kind::kString;
    } else {
      static const char* const kSymbols[] = {"<=>", "<>", "!=", "<=", ">=", "==", "||",
                                             "(",   ")",  ",",  ".",  "*",  "/",  "%",
                                             "+",   "-",  "=",  "<",  ">",  ";"};
      for (const char* sym : kSymbols) {
        const std::string_view v(sym);
        if (s.compare(i, v.size(), v) == 0) {
          t.kind = Token::Kind::kSymbol;
          t.text = std::string(v);
          break;
        }
      }
      if (t.kind != Token::Kind::kSymbol) {
        return fail(std::string("unsupported character '") + c + "'");
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.offset = s.size();
  out.push_back(end);
  return out;
}

bool iequals(const std::string& a, const char* b) {
  return internal::ascii_lower(a) == internal::ascii_lower(b);
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Result<Statement> statement() {
    Statement st;
    if (!keyword("SELECT")) return fail("a statement starting with SELECT");
    if (is_keyword("DISTINCT")) return unsupported("SELECT DISTINCT");
    keyword("ALL");
    do {
      SelectItem item;
      if (symbol("*")) {
        item.star = true;
      } else if (peek().kind == Token::Kind::kIdent && peek().text == "__THIS__" &&
                 peek(1).text == "." && peek(2).text == "*") {
        pos_ += 3;
        item.star = true;
      } else {
        auto e = expression();
        if (!e.ok()) return std::move(e).error();
        item.expr = std::move(*e);
        if (keyword("AS")) {
          if (!name_token()) return fail("a column name after AS");
          item.alias = t_[pos_ - 1].text;
        } else if (name_token(/*allow_quoted=*/true, /*reserved_ok=*/false)) {
          item.alias = t_[pos_ - 1].text;
        } else if (item.expr->kind == Expr::Kind::kColumn) {
          item.alias = item.expr->name;
        } else {
          return make_error(error_codes::kUnsupportedStage,
                            "an expression without a name (Spark names it after its text); "
                            "give it one with AS, at offset " +
                                std::to_string(t_[item_start_].offset));
        }
      }
      st.items.push_back(std::move(item));
      item_start_ = pos_ + 1;
    } while (symbol(","));
    if (!keyword("FROM")) return fail("FROM __THIS__");
    if (!(peek().kind == Token::Kind::kIdent && peek().text == "__THIS__")) {
      return unsupported("a FROM clause other than FROM __THIS__");
    }
    ++pos_;
    if (keyword("WHERE")) {
      auto e = expression();
      if (!e.ok()) return std::move(e).error();
      st.where = std::move(*e);
    }
    symbol(";");
    if (peek().kind != Token::Kind::kEnd) {
      return unsupported("'" + peek().text +
                         "' after FROM __THIS__ [WHERE ...] (joins, "
                         "GROUP BY, ORDER BY, LIMIT and the like change rows across the table)");
    }
    st.columns = std::move(columns_);
    return st;
  }

  Result<std::unique_ptr<Expr>> whole_expression() {
    auto e = expression();
    if (!e.ok()) return e;
    if (peek().kind != Token::Kind::kEnd) return fail("the end of the expression");
    return e;
  }

 private:
  using ExprResult = Result<std::unique_ptr<Expr>>;

  const Token& peek(std::size_t ahead = 0) const {
    return t_[std::min(pos_ + ahead, t_.size() - 1)];
  }
  bool is_keyword(const char* kw, std::size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::kIdent && iequals(peek(ahead).text, kw);
  }
  bool keyword(const char* kw) {
    if (!is_keyword(kw)) return false;
    ++pos_;
    return true;
  }
  bool symbol(const char* sym) {
    if (peek().kind != Token::Kind::kSymbol || peek().text != sym) return false;
    ++pos_;
    return true;
  }
  bool is_reserved(const std::string& word) const {
    static const char* const kReserved[] = {
        "SELECT", "FROM",    "WHERE",      "AS",    "AND",    "OR",        "NOT",     "IS",
        "NULL",   "IN",      "CASE",       "WHEN",  "THEN",   "ELSE",      "END",     "BETWEEN",
        "GROUP",  "ORDER",   "LIMIT",      "JOIN",  "UNION",  "HAVING",    "LATERAL", "WINDOW",
        "SORT",   "CLUSTER", "DISTRIBUTE", "LIKE",  "RLIKE",  "TRUE",      "FALSE",   "INNER",
        "LEFT",   "RIGHT",   "FULL",       "CROSS", "EXCEPT", "INTERSECT", "DIV"};
    for (const char* r : kReserved) {
      if (iequals(word, r)) return true;
    }
    return false;
  }
  // An identifier (or `quoted` one); a bare reserved word only when reserved_ok.
  bool name_token(bool allow_quoted = true, bool reserved_ok = true) {
    const Token& t = peek();
    if (t.kind == Token::Kind::kQuoted && allow_quoted) {
      ++pos_;
      return true;
    }
    if (t.kind == Token::Kind::kIdent && (reserved_ok || !is_reserved(t.text))) {
      ++pos_;
      return true;
    }
    return false;
  }
  ApiError fail(const std::string& expected) const {
    const Token& t = peek();
    const std::string found =
        t.kind == Token::Kind::kEnd ? "the end of the statement" : "'" + t.text + "'";
    return make_error(
        error_codes::kUnsupportedStage,
        "expected " + expected + " but found " + found + " at offset " + std::to_string(t.offset));
  }
  ApiError unsupported(const std::string& what) const {
    return make_error(error_codes::kUnsupportedStage,
                      "unsupported SQL: " + what + " at offset " + std::to_string(peek().offset));
  }

  // Nesting guard: every recursion passes through one of these.
  struct Depth {
    Parser& p;
    explicit Depth(Parser& parser) : p(parser) { ++p.depth_; }
    ~Depth() { --p.depth_; }
    bool too_deep() const { return p.depth_ > kMaxDepth; }
  };
  ApiError too_deep() const {
    return make_error(error_codes::kUnsupportedStage,
                      "expression nested more than " + std::to_string(kMaxDepth) +
                          " levels deep at offset " + std::to_string(peek().offset));
  }

  ExprResult node(Expr::Kind kind, std::vector<std::unique_ptr<Expr>> args, std::string op = "") {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->op = std::move(op);
    for (const auto& a : args) e->depth = std::max(e->depth, a->depth + 1);
    e->args = std::move(args);
    // Left-associative chains (a + a + ... ) grow deep without recursion in the parser.
    if (e->depth > kMaxDepth) return too_deep();
    return e;
  }
  template <class... A>
  static std::vector<std::unique_ptr<Expr>> list(A... a) {
    std::vector<std::unique_ptr<Expr>> v;
    (v.push_back(std::move(a)), ...);
    return v;
  }

  ExprResult expression() {
    Depth d(*this);
    if (d.too_deep()) return too_deep();
    auto left = conjunction();
    if (!left.ok()) return left;
    while (keyword("OR")) {
      auto right = conjunction();
      if (!right.ok()) return right;
      left = node(Expr::Kind::kOr, list(std::move(*left), std::move(*right)));
      if (!left.ok()) return left;
    }
    return left;
  }

  ExprResult conjunction() {
    auto left = negation();
    if (!left.ok()) return left;
    while (keyword("AND")) {
      auto right = negation();
      if (!right.ok()) return right;
      left = node(Expr::Kind::kAnd, list(std::move(*left), std::move(*right)));
      if (!left.ok()) return left;
    }
    return left;
  }

  ExprResult negation() {
    Depth d(*this);
    if (d.too_deep()) return too_deep();
    if (keyword("NOT")) {
      auto inner = negation();
      if (!inner.ok()) return inner;
      return node(Expr::Kind::kNot, list(std::move(*inner)));
    }
    return predicate();
  }

  ExprResult predicate() {
    auto value = comparison();
    if (!value.ok()) return value;
    if (keyword("IS")) {
      const bool negated = keyword("NOT");
      if (!keyword("NULL")) return unsupported("IS [NOT] other than IS [NOT] NULL");
      auto e = node(Expr::Kind::kIsNull, list(std::move(*value)));
      if (e.ok()) (*e)->negated = negated;
      return e;
    }
    const bool negated = is_keyword("NOT") && (is_keyword("IN", 1) || is_keyword("BETWEEN", 1));
    if (negated) ++pos_;
    if (keyword("IN")) {
      if (!symbol("(")) return fail("'(' after IN");
      if (is_keyword("SELECT")) return unsupported("a subquery");
      std::vector<std::unique_ptr<Expr>> args;
      args.push_back(std::move(*value));
      do {
        auto item = expression();
        if (!item.ok()) return item;
        args.push_back(std::move(*item));
      } while (symbol(","));
      if (!symbol(")")) return fail("')' closing IN (...)");
      auto e = node(Expr::Kind::kIn, std::move(args));
      if (e.ok()) (*e)->negated = negated;
      return e;
    }
    if (keyword("BETWEEN")) {
      // x BETWEEN lo AND hi is x >= lo AND x <= hi, as Spark rewrites it.
      auto lo = additive();
      if (!lo.ok()) return lo;
      if (!keyword("AND")) return fail("AND in BETWEEN");
      auto hi = additive();
      if (!hi.ok()) return hi;
      auto copy = clone(**value);
      auto ge = node(Expr::Kind::kCompare, list(std::move(*value), std::move(*lo)), ">=");
      if (!ge.ok()) return ge;
      auto le = node(Expr::Kind::kCompare, list(std::move(copy), std::move(*hi)), "<=");
      if (!le.ok()) return le;
      auto both = node(Expr::Kind::kAnd, list(std::move(*ge), std::move(*le)));
      if (!both.ok() || !negated) return both;
      return node(Expr::Kind::kNot, list(std::move(*both)));
    }
    if (negated) return fail("IN or BETWEEN after NOT");
    for (const char* word : {"LIKE", "RLIKE", "ILIKE", "REGEXP", "SIMILAR"}) {
      if (is_keyword(word)) return unsupported(word);
    }
    return value;
  }

  static std::unique_ptr<Expr> clone(const Expr& e) {
    auto c = std::make_unique<Expr>();
    c->kind = e.kind;
    c->op = e.op;
    c->name = e.name;
    c->type = e.type;
    c->value = e.value;
    c->negated = e.negated;
    c->has_operand = e.has_operand;
    c->has_else = e.has_else;
    c->depth = e.depth;
    for (const auto& a : e.args) c->args.push_back(clone(*a));
    return c;
  }

  ExprResult comparison() {
    auto left = additive();
    if (!left.ok()) return left;
    for (;;) {
      std::string op;
      for (const char* sym : {"<=>", "<>", "!=", "<=", ">=", "==", "=", "<", ">"}) {
        if (symbol(sym)) {
          op = sym;
          break;
        }
      }
      if (op.empty()) return left;
      if (op == "==") op = "=";
      if (op == "<>") op = "!=";
      auto right = additive();
      if (!right.ok()) return right;
      left = node(Expr::Kind::kCompare, list(std::move(*left), std::move(*right)), op);
      if (!left.ok()) return left;
    }
  }

  ExprResult additive() {
    auto left = multiplicative();
    if (!left.ok()) return left;
    for (;;) {
      std::string op;
      for (const char* sym : {"+", "-", "||"}) {
        if (symbol(sym)) {
          op = sym;
          break;
        }
      }
      if (op.empty()) return left;
      auto right = multiplicative();
      if (!right.ok()) return right;
      if (op == "||") {
        left = node(Expr::Kind::kCall, list(std::move(*left), std::move(*right)), "concat");
      } else {
        left = node(Expr::Kind::kArith, list(std::move(*left), std::move(*right)), op);
      }
      if (!left.ok()) return left;
    }
  }

  ExprResult multiplicative() {
    auto left = unary();
    if (!left.ok()) return left;
    for (;;) {
      std::string op;
      for (const char* sym : {"*", "/", "%"}) {
        if (symbol(sym)) {
          op = sym;
          break;
        }
      }
      if (op.empty()) {
        if (is_keyword("DIV")) return unsupported("DIV");
        return left;
      }
      auto right = unary();
      if (!right.ok()) return right;
      left = node(Expr::Kind::kArith, list(std::move(*left), std::move(*right)), op);
      if (!left.ok()) return left;
    }
  }

  ExprResult unary() {
    Depth d(*this);
    if (d.too_deep()) return too_deep();
    if (symbol("+")) return unary();
    if (symbol("-")) {
      // `-<number>` is one literal in Spark's grammar: -2147483648 is an INT.
      if (peek().kind == Token::Kind::kNumber) {
        const Token& t = peek();
        ++pos_;
        return number("-" + t.text, t.offset);
      }
      auto inner = unary();
      if (!inner.ok()) return inner;
      return node(Expr::Kind::kNegate, list(std::move(*inner)));
    }
    return primary();
  }

  ExprResult literal(Type type, Cell value) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kLiteral;
    e->type = type;
    e->value = std::move(value);
    return e;
  }

  // Spark's numeric literals: 12 INT (BIGINT beyond int), 12L BIGINT, 1.5 DECIMAL, 1.5e3 and
  // 1.5D DOUBLE, 1.5F FLOAT, 1.5BD DECIMAL.
  ExprResult number(const std::string& text, std::size_t offset) {
    std::size_t end = text.size();
    while (end > 0 && std::isalpha(static_cast<unsigned char>(text[end - 1])) != 0 &&
           text[end - 1] != 'e' && text[end - 1] != 'E') {
      --end;
    }
    // An exponent letter ends the digits only when digits follow it.
    const std::string suffix = internal::ascii_lower(text.substr(end));
    const std::string digits = text.substr(0, end);
    const bool fraction = digits.find('.') != std::string::npos;
    const bool exponent = digits.find_first_of("eE") != std::string::npos;
    auto bad = [&](const std::string& what) {
      return make_error(error_codes::kUnsupportedStage,
                        what + " '" + text + "' at offset " + std::to_string(offset));
    };
    if (digits.empty() || digits == "-" || digits.back() == 'e' || digits.back() == 'E') {
      return bad("malformed number");
    }
    Cell v;
    v.null = false;
    if (suffix.empty() && !fraction && !exponent) {
      errno = 0;
      char* stop = nullptr;
      const long long n = std::strtoll(digits.c_str(), &stop, 10);
      if (errno == ERANGE || *stop != '\0') {
        return bad("integer literal beyond BIGINT (Spark makes it a DECIMAL)");
      }
      v.i = n;
      const bool fits_int = n >= std::numeric_limits<std::int32_t>::min() &&
                            n <= std::numeric_limits<std::int32_t>::max();
      return literal(fits_int ? Type::kInt : Type::kLong, v);
    }
    if (suffix == "l") {
      if (fraction || exponent) return bad("malformed BIGINT literal");
      errno = 0;
      char* stop = nullptr;
      v.i = std::strtoll(digits.c_str(), &stop, 10);
      if (errno == ERANGE || *stop != '\0') return bad("BIGINT literal out of range");
      return literal(Type::kLong, v);
    }
    if (suffix == "d" || suffix == "f" || (suffix.empty() && exponent)) {
      errno = 0;
      char* stop = nullptr;
      if (suffix == "f") {
        const float f = std::strtof(digits.c_str(), &stop);
        if (errno == ERANGE && std::isinf(f)) return bad("FLOAT literal out of range");
        v.d = f;
      } else {
        v.d = std::strtod(digits.c_str(), &stop);
        if (errno == ERANGE && std::isinf(v.d)) return bad("DOUBLE literal out of range");
      }
      if (*stop != '\0') return bad("malformed number");
      return literal(suffix == "f" ? Type::kFloat : Type::kDouble, v);
    }
    if (suffix.empty() || suffix == "bd") {
      if (exponent) return bad("DECIMAL literal with an exponent");
      std::size_t significant = 0;
      for (char c : digits) significant += std::isdigit(static_cast<unsigned char>(c)) ? 1 : 0;
      if (significant > 38) return bad("DECIMAL literal of more than 38 digits");
      v.d = std::strtod(digits.c_str(), nullptr);
      v.s = digits;
      if (v.s[0] == '.' || (v.s[0] == '-' && v.s[1] == '.')) {
        v.s.insert(v.s[0] == '-' ? 1 : 0, "0");
      }
      return literal(Type::kDecimal, v);
    }
    return bad("unsupported literal type suffix");
  }

  ExprResult primary() {
    const Token t = peek();
    if (t.kind == Token::Kind::kNumber) {
      ++pos_;
      return number(t.text, t.offset);
    }
    if (t.kind == Token::Kind::kString) {
      ++pos_;
      Cell v;
      v.null = false;
      v.s = t.text;
      return literal(Type::kString, v);
    }
    if (symbol("(")) {
      if (is_keyword("SELECT")) return unsupported("a subquery");
      auto e = expression();
      if (!e.ok()) return e;
      if (!symbol(")")) return fail("')'");
      return e;
    }
    if (t.kind == Token::Kind::kQuoted) {
      ++pos_;
      return column(t.text);
    }
    if (t.kind != Token::Kind::kIdent) return fail("an expression");
    if (keyword("NULL")) return literal(Type::kNull, Cell{});
    if (is_keyword("TRUE") || is_keyword("FALSE")) {
      Cell v;
      v.null = false;
      v.i = is_keyword("TRUE") ? 1 : 0;
      ++pos_;
      return literal(Type::kBool, v);
    }
    if (is_keyword("CASE")) return case_expression();
    if (is_keyword("CAST") && peek(1).text == "(") return cast();
    if (peek(1).kind == Token::Kind::kSymbol && peek(1).text == "(") return call();
    if (is_reserved(t.text)) return fail("an expression");
    ++pos_;
    if (t.text == "__THIS__" && symbol(".")) {
      if (!name_token()) return fail("a column name after __THIS__.");
      return column(t_[pos_ - 1].text);
    }
    if (peek().kind == Token::Kind::kSymbol && peek().text == ".") {
      return unsupported("a qualified name or struct field ('" + t.text + ".')");
    }
    return column(t.text);
  }

  ExprResult column(const std::string& name) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::kColumn;
    e->name = name;
    columns_.push_back(name);
    return e;
  }

  ExprResult cast() {
    pos_ += 2;  // CAST (
    auto inner = expression();
    if (!inner.ok()) return inner;
    if (!keyword("AS")) return fail("AS in CAST");
    const Token t = peek();
    if (t.kind != Token::Kind::kIdent) return fail("a type name");
    ++pos_;
    const std::string n = internal::ascii_lower(t.text);
    Type type;
    if (n == "double") {
      type = Type::kDouble;
    } else if (n == "int" || n == "integer") {
      type = Type::kInt;
    } else if (n == "bigint" || n == "long") {
      type = Type::kLong;
    } else if (n == "float" || n == "real") {
      type = Type::kFloat;
    } else if (n == "string") {
      type = Type::kString;
    } else if (n == "boolean") {
      type = Type::kBool;
    } else {
      pos_--;
      return unsupported("CAST to " + t.text);
    }
    if (!symbol(")")) return fail("')' closing CAST");
    auto e = node(Expr::Kind::kCast, list(std::move(*inner)));
    if (e.ok()) (*e)->type = type;
    return e;
  }

  ExprResult case_expression() {
    ++pos_;  // CASE
    std::vector<std::unique_ptr<Expr>> args;
    bool has_operand = false;
    if (!is_keyword("WHEN")) {
      auto operand = expression();
      if (!operand.ok()) return operand;
      args.push_back(std::move(*operand));
      has_operand = true;
    }
    if (!is_keyword("WHEN")) return fail("WHEN");
    while (keyword("WHEN")) {
      auto when = expression();
      if (!when.ok()) return when;
      if (!keyword("THEN")) return fail("THEN");
      auto then = expression();
      if (!then.ok()) return then;
      args.push_back(std::move(*when));
      args.push_back(std::move(*then));
    }
    bool has_else = false;
    if (keyword("ELSE")) {
      auto other = expression();
      if (!other.ok()) return other;
      args.push_back(std::move(*other));
      has_else = true;
    }
    if (!keyword("END")) return fail("END closing CASE");
    auto e = node(Expr::Kind::kCase, std::move(args));
    if (e.ok()) {
      (*e)->has_operand = has_operand;
      (*e)->has_else = has_else;
    }
    return e;
  }

  ExprResult call() {
    const Token t = peek();
    pos_ += 2;  // name (
    std::string name = internal::ascii_lower(t.text);
    static const char* const kAliases[][2] = {{"power", "pow"},
                                              {"ceiling", "ceil"},
                                              {"ucase", "upper"},
                                              {"lcase", "lower"},
                                              {"substr", "substring"},
                                              {"char_length", "length"},
                                              {"character_length", "length"},
                                              {"nvl", "coalesce"},
                                              {"ifnull", "coalesce"}};
    for (const auto& a : kAliases) {
      if (name == a[0]) name = a[1];
    }
    struct Arity {
      const char* name;
      std::size_t min, max;
    };
    static const Arity kFunctions[] = {
        {"abs", 1, 1},      {"sqrt", 1, 1},        {"exp", 1, 1},       {"ln", 1, 1},
        {"log", 1, 2},      {"log10", 1, 1},       {"log2", 1, 1},      {"pow", 2, 2},
        {"round", 1, 2},    {"floor", 1, 1},       {"ceil", 1, 1},      {"greatest", 2, 1024},
        {"least", 2, 1024}, {"coalesce", 1, 1024}, {"if", 3, 3},        {"upper", 1, 1},
        {"lower", 1, 1},    {"length", 1, 1},      {"concat", 0, 1024}, {"substring", 2, 3}};
    const Arity* arity = nullptr;
    for (const auto& f : kFunctions) {
      if (name == f.name) arity = &f;
    }
    if (arity == nullptr) {
      pos_ -= 2;
      return unsupported("function " + t.text + "()");
    }
    if (is_keyword("DISTINCT")) return unsupported("DISTINCT in a function call");
    std::vector<std::unique_ptr<Expr>> args;
    if (!symbol(")")) {
      do {
        auto a = expression();
        if (!a.ok()) return a;
        args.push_back(std::move(*a));
      } while (symbol(","));
      if (!symbol(")")) return fail("')' closing " + t.text + "(");
    }
    if (is_keyword("OVER")) return unsupported("a window function");
    if (args.size() < arity->min || args.size() > arity->max) {
      return make_error(error_codes::kUnsupportedStage,
                        t.text + "() with " + std::to_string(args.size()) +
                            " arguments at offset " + std::to_string(t.offset));
    }
    return node(Expr::Kind::kCall, std::move(args), name);
  }

  std::vector<Token> t_;
  std::size_t pos_ = 0;
  std::size_t item_start_ = 1;
  int depth_ = 0;
  std::vector<std::string> columns_;
};

}  // namespace

Result<Statement> parse_statement(const std::string& text) {
  if (text.size() > kMaxStatementBytes) {
    return make_error(error_codes::kUnsupportedStage,
                      "statement of " + std::to_string(text.size()) + " bytes (at most " +
                          std::to_string(kMaxStatementBytes) + ")");
  }
  auto tokens = tokenize(text);
  if (!tokens.ok()) return std::move(tokens).error();
  return Parser(std::move(*tokens)).statement();
}

Result<std::unique_ptr<Expr>> parse_expression(const std::string& text) {
  if (text.size() > kMaxStatementBytes) {
    return make_error(error_codes::kUnsupportedStage, "expression too long");
  }
  auto tokens = tokenize(text);
  if (!tokens.ok()) return std::move(tokens).error();
  return Parser(std::move(*tokens)).whole_expression();
}

}  // namespace dbk::scorer::detail::sql
