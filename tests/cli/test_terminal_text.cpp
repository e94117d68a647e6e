// A server's names and messages reach the user's terminal: no escape sequence gets through.
#include <catch2/catch.hpp>

#include "dbk/api_error.hpp"
#include "output/error_printer.hpp"
#include "output/table_printer.hpp"
#include "output/terminal_text.hpp"

using dbk::cli::terminal_safe;

TEST_CASE("terminal_safe escapes C0, DEL and C1 controls and keeps everything else") {
  CHECK(terminal_safe("plain name.py") == "plain name.py");
  CHECK(terminal_safe("tab\tkept, back\\slash kept") == "tab\tkept, back\\slash kept");
  CHECK(terminal_safe("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  // ESC ] 0 ; title BEL: sets the window title; ESC [ 2 J: clears the screen.
  CHECK(terminal_safe("a\x1b]0;pwned\x07"
                      "b") == "a\\x1b]0;pwned\\x07b");
  CHECK(terminal_safe("\x1b[2J\r\n") == "\\x1b[2J\\x0d\\x0a");
  CHECK(terminal_safe(std::string("nul\0byte", 8)) == "nul\\x00byte");
  CHECK(terminal_safe("del\x7f") == "del\\x7f");
  // U+009B (CSI) and U+0085 (NEL) as UTF-8.
  CHECK(terminal_safe("\xc2\x9b"
                      "31m\xc2\x85") == "\\u009b31m\\u0085");
  // U+00A0 is the first code point after the C1 block: kept.
  CHECK(terminal_safe("\xc2\xa0") == "\xc2\xa0");
}

TEST_CASE("terminal_safe escapes bytes that are not UTF-8, overlong forms included") {
  CHECK(terminal_safe("\x9b"
                      "31m") == "\\x9b31m");                  // a bare C1 byte
  CHECK(terminal_safe("\xc0\x9b") == "\\xc0\\x9b");           // overlong ESC
  CHECK(terminal_safe("\xe2\x82") == "\\xe2\\x82");           // truncated sequence
  CHECK(terminal_safe("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate
  CHECK(terminal_safe("\xff") == "\\xff");
}

TEST_CASE("tables and error lines print a server's names without escape sequences") {
  std::vector<dbk::cli::TableRow> rows = {
      {std::string("NOTEBOOK"), std::string("/Users/me/\x1b[2Jevil\x1b]0;x\x07")},
      {std::string("DIRECTORY"), std::string("/Users/me/ok")}};
  const std::string table = dbk::cli::format_plain_table(rows);
  CHECK(table.find('\x1b') == std::string::npos);
  CHECK(table.find('\x07') == std::string::npos);
  CHECK(table == "NOTEBOOK   /Users/me/\\x1b[2Jevil\\x1b]0;x\\x07\nDIRECTORY  /Users/me/ok");

  dbk::ApiError error;
  error.error_code = "RESOURCE_DOES_NOT_EXIST";
  error.message = "Path (/x\x1b[31m) doesn't exist.\nsecond line";
  error.http_status = 404;
  const std::string text = dbk::cli::error_text(error, "dbk");
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find("/x\\x1b[31m") != std::string::npos);
  CHECK(text.find('\n') == std::string::npos);
}
