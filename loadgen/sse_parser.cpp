#include "loadgen/sse_parser.h"

namespace scoville::loadgen {

void SseParser::reset() {
  line_.clear();
  data_.clear();
  has_data_ = false;
}

bool SseParser::take_line(std::string_view line) {
  if (line.empty()) {
    return has_data_;
  }
  if (line.front() == ':') {
    return false;
  }

  const std::size_t colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  if (field != "data") {
    return false;
  }
  std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
  if (value.starts_with(' ')) value.remove_prefix(1);

  if (has_data_) data_.push_back('\n');
  data_.append(value);
  has_data_ = true;
  return false;
}

}  // namespace scoville::loadgen
