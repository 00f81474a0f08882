#pragma once

#include <filesystem>
#include <fstream>

#include "config/result.h"

namespace scoville::config {

// Opens a file for reading in binary mode; a missing, unreadable or directory path fails with
// "cannot read PATH: REASON".
Result<std::ifstream> open_input_file(const std::filesystem::path& path);

}  // namespace scoville::config
