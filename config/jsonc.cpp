#include "config/jsonc.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace scoville::config {
namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 3,
// column 14: ..."; users need the part from the location on.
std::string strip_exception_prefix(const std::string& what) {
  const std::string marker = "parse error at ";
  const std::size_t at = what.find(marker);
  if (at == std::string::npos) {
    return what;
  }
  return what.substr(at + marker.size());
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
    return make_error(std::string(source) + ": malformed JSON at " +
                      strip_exception_prefix(e.what()));
  }

  if (!duplicate_key.empty()) {
    return make_error(std::string(source) + ": malformed JSON: key \"" + duplicate_key +
                      "\" appears twice in one object");
  }
  return document;
}

Result<nlohmann::json> read_jsonc_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return make_error("cannot read " + path.string() + ": is a directory");
  }

  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return make_error("cannot read " + path.string() + ": read failed");
  }
  return parse_jsonc(text.str(), path.string());
}

}  // namespace scoville::config
