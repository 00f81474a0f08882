#include "config/issues.h"

#include <utility>

namespace scoville::config {

std::string Issue::to_string() const {
  if (path.empty()) {
    return message;
  }
  return path + ": " + message;
}

void Issues::add(std::string path, std::string message) {
  issues_.push_back(Issue{std::move(path), std::move(message)});
}

void Issues::append(const Issues& other) {
  issues_.insert(issues_.end(), other.issues_.begin(), other.issues_.end());
}

std::string Issues::to_string() const {
  std::string text;
  for (const Issue& issue : issues_) {
    text += issue.to_string();
    text += '\n';
  }
  return text;
}

std::string join_path(std::string_view parent, std::string_view key) {
  if (parent.empty()) {
    return std::string(key);
  }
  std::string path(parent);
  path += '.';
  path += key;
  return path;
}

std::string index_path(std::string_view parent, std::size_t index) {
  std::string path(parent);
  path += '[';
  path += std::to_string(index);
  path += ']';
  return path;
}

}  // namespace scoville::config
