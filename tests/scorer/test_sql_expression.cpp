// SQLTransformer's SQL subset (scorer/src/ml/sql_expression.hpp): precedence, Spark's non-ANSI
// semantics of each operator and function, and clear refusals of everything else, including
// hostile statements (deep nesting, huge literals) that must never crash.

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "ml/sql_expression.hpp"

using namespace dbk::scorer;
using namespace dbk::scorer::detail;

namespace {

struct Evaluated {
  sql::Type type = sql::Type::kNull;
  sql::Cell cell;
};

// A one-row table: x = 2.5 (double), n = 7 (int), s = 'Spark' (string), z = null (double).
Table one_row() {
  Table t;
  t.num_rows = 1;
  Column x{"x", ColumnType::kDouble};
  x.valid = {1};
  x.doubles = {2.5};
  Column n{"n", ColumnType::kInt32};
  n.valid = {1};
  n.ints = {7};
  Column s{"s", ColumnType::kString};
  s.valid = {1};
  s.strings = {"Spark"};
  Column z{"z", ColumnType::kDouble};
  z.valid = {0};
  z.doubles = {0.0};
  t.columns = {x, n, s, z};
  return t;
}

dbk::Result<Evaluated> eval(const std::string& text) {
  static const Table table = one_row();
  Frame frame(table, ScoreOptions{});
  auto expr = sql::parse_expression(text);
  if (!expr.ok()) return std::move(expr).error();
  auto bound = sql::bind(**expr, frame);
  if (!bound.ok()) return std::move(bound).error();
  Evaluated out;
  out.type = sql::bound_type(**bound);
  if (auto st = sql::evaluate_row(**bound, 0, out.cell); !st.ok()) return st.error();
  return out;
}

std::int64_t integer(const std::string& text, sql::Type type) {
  auto v = eval(text);
  INFO(text);
  REQUIRE(v.ok());
  CHECK(v->type == type);
  REQUIRE_FALSE(v->cell.null);
  return v->cell.i;
}

double number(const std::string& text, sql::Type type = sql::Type::kDouble) {
  auto v = eval(text);
  INFO(text << (v.ok() ? "" : v.error().message));
  REQUIRE(v.ok());
  CHECK(v->type == type);
  REQUIRE_FALSE(v->cell.null);
  return v->cell.d;
}

std::string text_of(const std::string& text) {
  auto v = eval(text);
  INFO(text);
  REQUIRE(v.ok());
  CHECK(v->type == sql::Type::kString);
  REQUIRE_FALSE(v->cell.null);
  return v->cell.s;
}

bool is_null(const std::string& text) {
  auto v = eval(text);
  INFO(text);
  REQUIRE(v.ok());
  return v->cell.null;
}

std::string refusal(const std::string& text) {
  auto v = eval(text);
  INFO(text);
  REQUIRE_FALSE(v.ok());
  CHECK(v.error().error_code == "UNSUPPORTED_STAGE");
  return v.error().message;
}

}  // namespace

TEST_CASE("SQL precedence follows Spark's grammar", "[sql]") {
  using T = sql::Type;
  CHECK(integer("1 + 2 * 3", T::kInt) == 7);
  CHECK(integer("(1 + 2) * 3", T::kInt) == 9);
  CHECK(integer("2 - 3 - 4", T::kInt) == -5);  // left-associative
  CHECK(integer("-2 * 3 + 10 % 4", T::kInt) == -4);
  CHECK(integer("- -3", T::kInt) == 3);
  CHECK(number("8 / 2 / 2") == 2.0);
  CHECK(integer("1 + 2 = 3", T::kBool) == 1);
  CHECK(integer("NOT 1 = 2 AND 2 > 1", T::kBool) == 1);      // NOT binds tighter than AND
  CHECK(integer("TRUE OR FALSE AND FALSE", T::kBool) == 1);  // AND before OR
  CHECK(integer("NOT (TRUE OR FALSE) AND FALSE", T::kBool) == 0);
  CHECK(integer("n + 1 BETWEEN 8 AND 9", T::kBool) == 1);
  CHECK(integer("n NOT IN (1, 2)", T::kBool) == 1);
  CHECK(integer("n IS NOT NULL AND z IS NULL", T::kBool) == 1);
  CHECK(integer("CASE WHEN n > 5 THEN 1 WHEN n > 2 THEN 2 ELSE 3 END", T::kInt) == 1);
  CHECK(integer("CASE n WHEN 6 THEN 10 WHEN 7 THEN 20 END", T::kInt) == 20);
  CHECK(text_of("s || '-' || n") == "Spark-7");
}

TEST_CASE("SQL arithmetic has Spark's types and non-ANSI results", "[sql]") {
  using T = sql::Type;
  CHECK(number("7 / 2") == 3.5);   // `/` divides as doubles
  CHECK(number("n * x") == 17.5);  // INT * DOUBLE is DOUBLE
  CHECK(integer("2147483647 + 1", T::kInt) == std::numeric_limits<std::int32_t>::min());
  CHECK(integer("-2147483648", T::kInt) == std::numeric_limits<std::int32_t>::min());
  CHECK(integer("2147483648", T::kLong) == 2147483648LL);
  CHECK(integer("9223372036854775807L + 1", T::kLong) == std::numeric_limits<std::int64_t>::min());
  CHECK(integer("-7 % 3", T::kInt) == -1);
  CHECK(integer("abs(-2147483648)", T::kInt) == std::numeric_limits<std::int32_t>::min());
  CHECK(is_null("1 / 0"));
  CHECK(is_null("x / 0.0D"));
  CHECK(is_null("5 % 0"));
  CHECK(is_null("n + z"));
  CHECK(number("x * 1.5") == 3.75);  // DECIMAL with DOUBLE is DOUBLE
  CHECK(number("1.5 * 2.0D") == 3.0);
  CHECK(number("0.1F + 0.2F", T::kFloat) == static_cast<double>(0.1F + 0.2F));
  CHECK(number("0.1F + 0.2D") == static_cast<double>(0.1F) + 0.2);
  CHECK(refusal("n * 1.5").find("DECIMAL") != std::string::npos);
  CHECK(refusal("s + 1").find("STRING") != std::string::npos);
}

TEST_CASE("SQL functions and casts follow Spark", "[sql]") {
  using T = sql::Type;
  CHECK(std::isnan(number("sqrt(-1.0D)")));
  CHECK(is_null("ln(0.0D)"));  // null at the asymptote, as Hive
  CHECK(is_null("log10(-1)"));
  CHECK(number("log(2, 8)") == std::log(8.0) / std::log(2.0));
  CHECK(number("pow(2, 10)") == 1024.0);
  CHECK(number("round(2.675D, 2)") == 2.68);  // HALF_UP of Double.toString's digits
  CHECK(number("round(-2.5D)") == -3.0);
  CHECK(number("round(1234.5D, -2)") == 1200.0);
  CHECK(number("round(0.125F, 2)", T::kFloat) == static_cast<double>(0.13F));
  CHECK(integer("floor(-1.5D)", T::kLong) == -2);
  CHECK(integer("ceil(x)", T::kLong) == 3);
  CHECK(number("greatest(1, x, z)") == 2.5);
  CHECK(std::isnan(number("greatest(x, CAST('NaN' AS DOUBLE))")));  // NaN above all
  CHECK(number("least(n, x)") == 2.5);
  CHECK(integer("coalesce(NULL, n, 3)", T::kInt) == 7);
  CHECK(number("if(n > 3, x, 0.0D)") == 2.5);
  CHECK(integer("CAST('nan' AS DOUBLE) = CAST('NaN' AS DOUBLE)", T::kBool) == 1);
  CHECK(integer("CAST(' 1.9 ' AS INT)", T::kInt) == 1);
  CHECK(is_null("CAST('1x' AS INT)"));
  CHECK(is_null("CAST('3000000000' AS INT)"));
  CHECK(integer("CAST(1e10D AS INT)", T::kInt) == std::numeric_limits<std::int32_t>::max());
  CHECK(integer("CAST(CAST('NaN' AS DOUBLE) AS BIGINT)", T::kLong) == 0);
  CHECK(integer("CAST(3000000000L AS INT)", T::kInt) == -1294967296);
  CHECK(integer("CAST('yes' AS BOOLEAN)", T::kBool) == 1);
  CHECK(text_of("CAST(0.1F AS STRING)") == "0.1");
  CHECK(text_of("CAST(1e7D AS STRING)") == "1.0E7");
  CHECK(text_of("CAST(1.50 AS STRING)") == "1.50");
  CHECK(text_of("upper(s)") == "SPARK");
  CHECK(integer("length('é!')", T::kInt) == 2);  // code points
  CHECK(text_of("substring(s, -3)") == "ark");
  CHECK(text_of("substr(s, 0, 2)") == "Sp");
  CHECK(text_of("substring(s, 2, 100)") == "park");
  CHECK(refusal("upper('é')").find("non-ASCII") != std::string::npos);
}

TEST_CASE("SQL three-valued logic and IN", "[sql]") {
  CHECK(integer("NULL AND FALSE", sql::Type::kBool) == 0);
  CHECK(integer("NULL OR TRUE", sql::Type::kBool) == 1);
  CHECK(is_null("NULL AND TRUE"));
  CHECK(is_null("n IN (1, NULL)"));
  CHECK(integer("n IN (7, NULL)", sql::Type::kBool) == 1);
  CHECK(integer("z <=> NULL", sql::Type::kBool) == 1);
  CHECK(is_null("z = z"));
}

TEST_CASE("SQL statements outside the subset are refused naming the construct", "[sql]") {
  auto refused = [](const std::string& statement, const std::string& what) {
    auto st = sql::parse_statement(statement);
    INFO(statement);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().error_code == "UNSUPPORTED_STAGE");
    CHECK(st.error().message.find(what) != std::string::npos);
  };
  refused("SELECT a FROM other", "FROM __THIS__");
  refused("SELECT a FROM __THIS__ GROUP BY a", "'GROUP'");
  refused("SELECT a, b FROM __THIS__ ORDER BY a", "'ORDER'");
  refused("SELECT DISTINCT a FROM __THIS__", "DISTINCT");
  refused("SELECT sum(a) AS s FROM __THIS__", "function sum()");
  refused("SELECT a + 1 FROM __THIS__", "AS");
  refused("SELECT a LIKE 'x%' AS l FROM __THIS__", "LIKE");
  refused("SELECT CAST(a AS DECIMAL(10, 2)) AS d FROM __THIS__", "CAST to DECIMAL");
  refused("SELECT t.a FROM __THIS__ t", "qualified");
  refused("SELECT a FROM __THIS__ JOIN x", "'JOIN'");
  refused("SELECT (SELECT 1) AS q FROM __THIS__", "subquery");
  refused("SELECT 'open FROM __THIS__", "unterminated string");
  refused("SELECT 99999999999999999999 AS big FROM __THIS__", "BIGINT");
  refused("SELECT 1e999 AS big FROM __THIS__", "out of range");
  refused("SELECT 1.2345678901234567890123456789012345678901 AS d FROM __THIS__", "38");
  refused("SELECT a AS x, b AS x FROM __THIS__ WHERE", "expected");

  auto ok = sql::parse_statement(
      "select *, `odd name` * 2 as d2, -a neg, __THIS__.b FROM __THIS__ where b > 0;");
  REQUIRE(ok.ok());
  REQUIRE(ok->items.size() == 4);
  CHECK(ok->items[0].star);
  CHECK(ok->items[1].alias == "d2");
  CHECK(ok->items[2].alias == "neg");
  CHECK(ok->items[3].alias == "b");
  CHECK(ok->where != nullptr);
}

TEST_CASE("hostile SQL gets an error, never a crash", "[sql]") {
  const std::size_t n = 100000;
  for (const std::string& s : {std::string(n, '(') + "1" + std::string(n, ')'),
                               [&] {
                                 std::string t;
                                 for (std::size_t k = 0; k < n; ++k)
                                   t += "- ";  // "--" would start a comment
                                 return t + "1";
                               }(),
                               "1" +
                                   [&] {
                                     std::string t;
                                     for (std::size_t k = 0; k < n; ++k) t += "+1";
                                     return t;
                                   }(),
                               [&] {
                                 std::string t;
                                 for (std::size_t k = 0; k < n; ++k) t += "NOT ";
                                 return t + "TRUE";
                               }(),
                               [&] {
                                 std::string t;
                                 for (std::size_t k = 0; k < n / 10; ++k)
                                   t += "CASE WHEN TRUE THEN ";  // < 1 MiB
                                 return t + "1";
                               }()}) {
    auto e = sql::parse_expression(s);
    INFO(s.substr(0, 40));
    REQUIRE_FALSE(e.ok());
    INFO(e.error().message);
    CHECK(e.error().error_code == "UNSUPPORTED_STAGE");
    CHECK(e.error().message.find("nested more than") != std::string::npos);
  }
  auto huge = sql::parse_statement("SELECT " + std::string(sql::kMaxStatementBytes, 'a') +
                                   " FROM __THIS__");
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.error().message.find("bytes") != std::string::npos);
  // Just under the limit: a chain the evaluator walks recursively still works.
  std::string chain = "1";
  for (int k = 1; k < sql::kMaxDepth; ++k) chain += " + 1";
  CHECK(integer(chain, sql::Type::kInt) == sql::kMaxDepth);
}
