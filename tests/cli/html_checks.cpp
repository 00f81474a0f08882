#include "tests/cli/html_checks.h"

#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "tests/cli/cli_test_support.h"

namespace scoville::cli_test {
namespace {

constexpr std::string_view kSvgNamespace = "http://www.w3.org/2000/svg";

constexpr std::string_view kGeometryAttributes[] = {
    " x=\"",  " y=\"", " x1=\"",    " y1=\"",     " x2=\"",     " y2=\"",     " cx=\"",
    " cy=\"", " r=\"", " width=\"", " height=\"", " points=\"", " viewBox=\""};

}  // namespace

std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> external_references(std::string_view html) {
  std::vector<std::string> found;
  for (std::string_view scheme : {"http://", "https://"}) {
    for (std::size_t at = html.find(scheme); at != std::string_view::npos;
         at = html.find(scheme, at + 1)) {
      if (html.substr(at).starts_with(kSvgNamespace)) continue;
      found.emplace_back(html.substr(at, 60));
    }
  }
  return found;
}

void check_self_contained(const std::string& html) {
  CHECK(html.starts_with("<!DOCTYPE html>"));
  CHECK(contains(html, "</html>"));
  CHECK(contains(html, "<svg"));
  CHECK(contains(html, "</svg>"));
  CHECK_FALSE(contains(html, "<script"));
  CHECK_FALSE(contains(html, "<link"));
  CHECK_FALSE(contains(html, "@import"));
  const std::vector<std::string> references = external_references(html);
  INFO("first external reference: ", references.empty() ? std::string() : references.front());
  CHECK(references.empty());
}

std::vector<std::string> non_numeric_coordinates(std::string_view html) {
  std::vector<std::string> found;
  for (const std::string_view attribute : kGeometryAttributes) {
    for (std::size_t at = html.find(attribute); at != std::string_view::npos;
         at = html.find(attribute, at + 1)) {
      const std::size_t start = at + attribute.size();
      const std::size_t end = html.find('"', start);
      const std::string_view value = html.substr(start, end - start);
      if (value.find_first_not_of("0123456789.,- ") != std::string_view::npos) {
        found.emplace_back(std::string(attribute.substr(1)) + std::string(value.substr(0, 40)));
      }
    }
  }
  return found;
}

}  // namespace scoville::cli_test
