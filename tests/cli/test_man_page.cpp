// The dbk(1) page rendered from the command table (`dbk docs --format man`).
#include <catch2/catch.hpp>
#include <set>
#include <sstream>

#include "app/command_table.hpp"
#include "app/help.hpp"
#include "app/man_page.hpp"

using namespace dbk::cli;

TEST_CASE("roff_text escapes what roff would otherwise interpret") {
  CHECK(roff_text("a-b") == "a\\-b");
  CHECK(roff_text("C:\\dir") == "C:\\edir");
  CHECK(roff_text(".hidden\n'quoted") == "\\&.hidden\n\\&'quoted");
  CHECK(roff_text("mid.dot it's") == "mid.dot it's");
  CHECK(roff_text("run `dbk fs` now") == "run \\fBdbk fs\\fR now");
  CHECK(roff_text("unpaired `tick") == "unpaired \\fBtick\\fR");
}

// groff reads bytes as Latin-1 and warns on UTF-8 (the package check fails on any warning).
TEST_CASE("roff_text writes non-ASCII characters as groff code points") {
  CHECK(roff_text("a.json \u2192 b.json") == "a.json \\[u2192] b.json");
  CHECK(roff_text("caf\u00e9, \U0001F600") == "caf\\[u00E9], \\[u1F600]");
  CHECK(roff_text("bad \xff\xc3 end") == "bad ?? end");
}

TEST_CASE("the man page is plain ASCII") {
  const std::string page = man_page();
  for (std::size_t i = 0; i < page.size(); ++i) {
    INFO("byte " << i << " near: " << page.substr(i < 40 ? 0 : i - 40, 80));
    REQUIRE(static_cast<unsigned char>(page[i]) < 0x80);
  }
}

TEST_CASE("the man page lists every visible command and no hidden one") {
  const std::string page = man_page();
  CHECK(page.rfind(".TH DBK 1 ", 0) == 0);
  for (const auto& command : command_table()) {
    INFO(command.path());
    const bool listed =
        page.find(".B " + roff_text(usage_line("dbk", command)) + "\n") != std::string::npos;
    CHECK(listed == !command.hidden);
    for (const auto& option : command.options) {
      if (option.hidden || command.hidden) continue;
      CHECK(page.find(".B " + roff_text(option_label(option)) + "\n") != std::string::npos);
    }
  }
  for (const auto& [label, help] : global_option_rows()) {
    CHECK(page.find(".B " + roff_text(label) + "\n") != std::string::npos);
  }
}

TEST_CASE("every control line of the man page is a man(7) macro") {
  // Text that began with a dot would be swallowed as an unknown request.
  const std::set<std::string> macros = {"TH", "SH", "SS", "TP", "IP", "RS",
                                        "RE", "B",  "I",  "br", "nf", "fi"};
  std::istringstream lines(man_page());
  std::string line;
  int control_lines = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || (line[0] != '.' && line[0] != '\'')) continue;
    ++control_lines;
    const std::string name = line.substr(
        1, line.find(' ') == std::string::npos ? std::string::npos : line.find(' ') - 1);
    INFO(line);
    CHECK(macros.count(name) == 1);
  }
  CHECK(control_lines > 50);
}
