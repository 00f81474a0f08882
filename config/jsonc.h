#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/result.h"

namespace scoville::config {

// Parses JSON that may contain // and /* */ comments. `source` names the text in errors
// ("examples/a.jsonc: malformed JSON at line 3, column 14: ..."). A key repeated inside one
// object is an error rather than a silent "last one wins".
Result<nlohmann::json> parse_jsonc(std::string_view text, std::string_view source);

// Reads and parses a file; a missing or unreadable file is an error naming the path.
Result<nlohmann::json> read_jsonc_file(const std::filesystem::path& path);

}  // namespace scoville::config
