// tabulate(rows, tablefmt='plain') parity (docs/reference/rest-api.md §5.2); expectations were
// produced with tabulate 0.10.
#include <catch2/catch.hpp>

#include "output/table_printer.hpp"

using dbk::cli::Cell;
using dbk::cli::format_headed_table;
using dbk::cli::format_plain_table;
using dbk::cli::TableRow;

TEST_CASE("text columns are left-aligned and lines are right-stripped") {
  std::vector<TableRow> rows = {{std::string("a"), std::string("bbb")},
                                {std::string("cc"), std::string("d")}};
  CHECK(format_plain_table(rows) == "a   bbb\ncc  d");
}

TEST_CASE("integer columns are right-aligned unless number parsing is off") {
  std::vector<TableRow> ints = {{std::int64_t{1}, std::string("x")},
                                {std::int64_t{100}, std::string("yy")}};
  CHECK(format_plain_table(ints) == "  1  x\n100  yy");
  std::vector<TableRow> strings = {{std::string("1"), std::string("x")},
                                   {std::string("100"), std::string("yy")}};
  CHECK(format_plain_table(strings) == "  1  x\n100  yy");
  CHECK(format_plain_table(strings, /*numparse=*/false) == "1    x\n100  yy");
}

TEST_CASE("missing cells are empty and do not decide the column type") {
  std::vector<TableRow> rows = {
      {std::string("dir"), std::int64_t{0}, std::string("a"), Cell{}},
      {std::string("file"), std::int64_t{12345}, std::string("bbbb"), std::int64_t{1600000000000}}};
  CHECK(format_plain_table(rows) == "dir       0  a\nfile  12345  bbbb  1600000000000");
  std::vector<TableRow> listing = {
      {std::string("NOTEBOOK"), std::string("/a"), std::string("PYTHON")},
      {std::string("DIRECTORY"), std::string("/bb"), Cell{}}};
  CHECK(format_plain_table(listing) == "NOTEBOOK   /a   PYTHON\nDIRECTORY  /bb");
}

TEST_CASE("float columns align on the decimal point") {
  std::vector<TableRow> rows = {
      {1.5, std::string("x")}, {std::int64_t{100}, std::string("yy")}, {2.25, std::string("z")}};
  CHECK(format_plain_table(rows) == "  1.5   x\n100     yy\n  2.25  z");
}

TEST_CASE("text is stripped and an empty table is empty") {
  CHECK(format_plain_table({}) == "");
  CHECK(format_plain_table({{std::string("  a "), std::string("x")}}) == "a  x");
  std::vector<TableRow> runs = {{std::int64_t{1}, std::string("n/a")},
                                {std::int64_t{2}, std::string("SUCCESS")}};
  CHECK(format_plain_table(runs) == "1  n/a\n2  SUCCESS");
}

// tabulate(rows, headers=...) as the legacy secrets commands print it (tabulate 0.10).
TEST_CASE("simple tables: headers padded by two and aligned as their columns") {
  using dbk::cli::format_simple_table;
  CHECK(format_simple_table({"Key name", "Last updated"}, {}) ==
        "Key name    Last updated\n----------  --------------");
  CHECK(format_simple_table({"Key name", "Last updated"},
                            {{std::string("a"), std::int64_t{1700000000000}},
                             {std::string("bb"), std::int64_t{12}}}) ==
        "Key name      Last updated\n"
        "----------  --------------\n"
        "a            1700000000000\n"
        "bb                      12");
  CHECK(format_simple_table(
            {"Key name", "Last updated"},
            {{std::string("a"), std::int64_t{1700000000000}},
             {std::string("bbbbbbbbbbbbbbbbbbbbbbb"), std::string("Not Available")}}) ==
        "Key name                 Last updated\n"
        "-----------------------  --------------\n"
        "a                        1700000000000\n"
        "bbbbbbbbbbbbbbbbbbbbbbb  Not Available");
  CHECK(format_simple_table({"Scope", "Backend", "KeyVault URL"},
                            {{std::string("x"), std::string("DATABRICKS"), std::string("N/A")}}) ==
        "Scope    Backend     KeyVault URL\n-------  ----------  --------------\n"
        "x        DATABRICKS  N/A");
}

TEST_CASE("a headed table pads columns two beyond the header and aligns numbers left") {
  // tabulate(rows, headers, tablefmt='plain', numalign='left'), as instance-pools list prints.
  CHECK(format_headed_table({"ID", "NAME", "IDLE"},
                            {{"0101-x", "pool", "0"}, {"0102-yyyyyyy", "p", "10"}}) ==
        "ID            NAME    IDLE\n0101-x        pool    0\n0102-yyyyyyy  p       10");
  CHECK(format_headed_table({"ID", "NAME", "IDLE"}, {}) == "ID    NAME    IDLE");
}

TEST_CASE("a headed table shows control characters in server names as escapes") {
  // A pool name is the server's text: it must not reach the terminal as an escape sequence.
  CHECK(format_headed_table({"ID", "NAME"}, {{"1", "evil\x1b[2Jname"}}) ==
        "ID    NAME\n1     evil\\x1b[2Jname");
}
