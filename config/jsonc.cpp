#include "config/jsonc.h"

#include "config/input_file.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace scoville::config {
namespace {

// nlohmann's messages read "[json.exception.parse_error.101] parse error at line 3, column 14:
// syntax error ..."; users need the reason only, with a location computed from the byte offset
// (nlohmann counts a token that ends its line as column 0 of the next).
std::string reason_of(const std::string& what) {
  const std::size_t location = what.find("parse error at line ");
  if (location == std::string::npos) {
    return what;
  }
  const std::size_t colon = what.find(": ", location);
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

std::string location_of(std::string_view text, std::size_t byte) {
  // `byte` counts from 1 and points at the last character read; step back over the line end
  // that ended the offending token.
  std::size_t index = byte == 0 ? 0 : std::min(byte - 1, text.empty() ? 0 : text.size() - 1);
  while (index > 0 && (text[index] == '\n' || text[index] == '\r')) {
    --index;
  }
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < index && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(index - line_start + 1);
}

}  // namespace

Result<nlohmann::json> parse_jsonc(std::string_view text, std::string_view source) {
  // Tracks the keys seen in each open object so a repeated key can be reported.
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate_key;
  auto callback = [&](int /*depth*/, nlohmann::json::parse_event_t event,
                      nlohmann::json& parsed) -> bool {
    switch (event) {
      case nlohmann::json::parse_event_t::object_start:
        open_objects.emplace_back();
        break;
      case nlohmann::json::parse_event_t::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        break;
      case nlohmann::json::parse_event_t::key:
        if (!open_objects.empty() &&
            !open_objects.back().insert(parsed.get<std::string>()).second &&
            duplicate_key.empty()) {
          duplicate_key = parsed.get<std::string>();
        }
        break;
      default:
        break;
    }
    return true;
  };

  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text.begin(), text.end(), callback,
                                     /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& e) {
    return make_error(std::string(source) + ": malformed JSON at " + location_of(text, e.byte) +
                      ": " + reason_of(e.what()));
  }

  if (!duplicate_key.empty()) {
    return make_error(std::string(source) + ": malformed JSON: key \"" + duplicate_key +
                      "\" appears twice in one object");
  }
  return document;
}

Result<nlohmann::json> read_jsonc_file(const std::filesystem::path& path) {
  Result<std::ifstream> in = open_input_file(path);
  if (!in) {
    return std::unexpected(in.error());
  }
  std::ostringstream text;
  text << in->rdbuf();
  if (in->bad()) {
    return make_error("cannot read " + path.string() + ": read failed");
  }
  return parse_jsonc(text.str(), path.string());
}

}  // namespace scoville::config
