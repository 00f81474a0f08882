#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace scoville::config {

// One problem found while validating a document: the JSON path of the offending value and what
// was expected of it, e.g. {"devices.h100.hbm_bytes_per_second", "must be > 0"}.
struct Issue {
  std::string path;
  std::string message;

  std::string to_string() const;
};

// Collects every problem of a document so that a user sees all of them at once instead of
// fixing one per run.
class Issues {
 public:
  void add(std::string path, std::string message);
  void append(const Issues& other);

  bool empty() const { return issues_.empty(); }
  std::size_t size() const { return issues_.size(); }
  const std::vector<Issue>& all() const { return issues_; }

  // One issue per line, in the order they were found.
  std::string to_string() const;

 private:
  std::vector<Issue> issues_;
};

// "devices" + "h100" -> "devices.h100"; an empty parent gives the key alone.
std::string join_path(std::string_view parent, std::string_view key);

// "backends" + 2 -> "backends[2]".
std::string index_path(std::string_view parent, std::size_t index);

}  // namespace scoville::config
