#include "config/input_file.h"

#include <cerrno>
#include <cstring>
#include <system_error>

namespace scoville::config {

Result<std::ifstream> open_input_file(const std::filesystem::path& path) {
  std::error_code ec;
  // An ifstream opens a directory without complaint and then reads nothing.
  if (std::filesystem::is_directory(path, ec)) {
    return make_error("cannot read " + path.string() + ": is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  return in;
}

}  // namespace scoville::config
