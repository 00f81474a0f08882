#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "config/jsonc.h"

namespace scoville::config {
namespace {

TEST_CASE("comments of both kinds are allowed") {
  Result<nlohmann::json> parsed = parse_jsonc(R"({
    // a line comment
    "a": 1, /* a block
    comment */ "b": [2, 3]
  })",
                                              "test");
  REQUIRE(parsed.has_value());
  CHECK((*parsed)["a"] == 1);
  CHECK((*parsed)["b"][1] == 3);
}

TEST_CASE("malformed JSON names the source, the line and the column") {
  Result<nlohmann::json> parsed = parse_jsonc("{\n  \"a\": 1,\n  \"b\": }\n", "scenario.jsonc");
  REQUIRE_FALSE(parsed.has_value());
  const std::string& message = parsed.error().message;
  CHECK(message.find("scenario.jsonc: malformed JSON at line 3, column") != std::string::npos);
}

TEST_CASE("a key repeated inside one object is an error, not a silent overwrite") {
  Result<nlohmann::json> parsed = parse_jsonc(R"({"a": 1, "b": {"c": 1}, "a": 2})", "x");
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().message.find("key \"a\" appears twice") != std::string::npos);
}

TEST_CASE("the same key in sibling objects is not a repeat") {
  CHECK(parse_jsonc(R"({"x": {"a": 1}, "y": {"a": 2}})", "x").has_value());
}

TEST_CASE("a missing file is reported by path") {
  Result<nlohmann::json> parsed = read_jsonc_file("/nonexistent/scoville/none.jsonc");
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().message ==
        "cannot read /nonexistent/scoville/none.jsonc: No such file or directory");
}

TEST_CASE("a directory is not read as a file") {
  Result<nlohmann::json> parsed = read_jsonc_file(std::filesystem::temp_directory_path());
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().message.find("is a directory") != std::string::npos);
}

TEST_CASE("an empty file is malformed JSON") {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "scoville_jsonc_test_empty.jsonc";
  { std::ofstream(path) << ""; }
  Result<nlohmann::json> parsed = read_jsonc_file(path);
  std::filesystem::remove(path);
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().message.find("malformed JSON") != std::string::npos);
}

}  // namespace
}  // namespace scoville::config
