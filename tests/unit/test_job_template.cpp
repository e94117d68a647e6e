#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "dbk/job_template.hpp"

using dbk::render_job_template;

TEST_CASE("job templates: every occurrence of each placeholder is replaced") {
  const std::string text =
      R"({"a": "{{cluster_id}}", "b": "{{notebook_dir}}/x", "c": "{{cluster_id}}-{{cluster_id}}"})";
  auto out = render_job_template(text, {{"cluster_id", "0101-abc"}, {"notebook_dir", "/Users/u"}});
  REQUIRE(out.ok());
  CHECK(*out == R"({"a": "0101-abc", "b": "/Users/u/x", "c": "0101-abc-0101-abc"})");
}

TEST_CASE("job templates: text without placeholders is returned unchanged") {
  const std::string text = "{\n  \"name\": \"x\",\n  \"n\": {\"k\": [1, 2]}\n}\n";
  auto out = render_job_template(text, {{"unused", "v"}});
  REQUIRE(out.ok());
  CHECK(*out == text);
}

TEST_CASE("job templates: values are JSON-escaped so the document stays valid") {
  const std::string value = "a\"b\\c\nd\te/\x01";
  auto out = render_job_template(R"({"path": "{{v}}"})", {{"v", value}});
  REQUIRE(out.ok());
  auto parsed = nlohmann::json::parse(*out);
  CHECK(parsed["path"] == value);
  CHECK(out->find('\n') == std::string::npos);
}

TEST_CASE("job templates: values are inserted once, not expanded again") {
  auto out = render_job_template(R"({"a": "{{x}}"})", {{"x", "{{y}}"}});
  REQUIRE(out.ok());
  CHECK(*out == R"({"a": "{{y}}"})");
}

TEST_CASE("job templates: every unfilled placeholder is named in the error") {
  auto out = render_job_template(R"({"a": "{{cluster_id}}", "b": "{{user}}", "c": "{{user}}"})",
                                 {{"notebook_dir", "/x"}});
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().error_code == "INVALID_ARGUMENT");
  CHECK(out.error().message == "no value for placeholders {{cluster_id}}, {{user}}");
  auto one = render_job_template(R"({"a": "{{ cluster id }}"})", {{"cluster_id", "c"}});
  REQUIRE_FALSE(one.ok());
  CHECK(one.error().message == "no value for placeholder {{ cluster id }}");
}

TEST_CASE("job templates: an unterminated placeholder is an error") {
  auto out = render_job_template(R"({"a": "{{cluster_id"})", {{"cluster_id", "c"}});
  REQUIRE_FALSE(out.ok());
  CHECK(out.error().message.find("unterminated") != std::string::npos);
}

TEST_CASE("job templates: placeholders are listed in order of first appearance") {
  auto names =
      dbk::job_template_placeholders(R"({"a": "{{b}}{{a}}{{b}}", "c": "{{c}}", "d": "{{"})");
  CHECK(names == std::vector<std::string>{"b", "a", "c"});
}
