#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace scoville::cli_test {

// Checks of the HTML pages that `--report` writes.

// The whole file at `path`, or an empty string when it cannot be read.
std::string read_text_file(const std::filesystem::path& path);

// Every http:// or https:// reference other than the SVG namespace, which names and fetches
// nothing.
std::vector<std::string> external_references(std::string_view html);

// Checks that `html` is a whole page that a browser can show with no network and no scripts.
void check_self_contained(const std::string& html);

// The values of SVG geometry attributes (x, y, width, points, viewBox, ...) that are not plain
// numbers, such as "nan" or "inf" from a division by zero.
std::vector<std::string> non_numeric_coordinates(std::string_view html);

}  // namespace scoville::cli_test
