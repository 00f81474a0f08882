#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config/result.h"

namespace scoville::config {

// Sets the value at `path` in `document`, where a path is written the way validation errors
// name fields: keys joined by dots, array elements by [index] ("after.groups[0].utilization").
// Every step but the last must exist; the last may add a key to an object, which validation
// then accepts or reports as unknown. Fails with a message naming the path otherwise.
Result<void> set_json_path(nlohmann::json& document, std::string_view path,
                           const nlohmann::json& value);

// Reads the value at `path`, or fails naming the first step that does not exist.
Result<nlohmann::json> get_json_path(const nlohmann::json& document, std::string_view path);

// Interprets a command-line value: JSON when it parses as JSON (0.8, true, "x", [1,2]),
// otherwise the text as a string (so --set device=h100 needs no quotes).
nlohmann::json parse_cli_value(std::string_view text);

}  // namespace scoville::config
