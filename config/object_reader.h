#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/bounds.h"
#include "config/issues.h"

namespace scoville::config {

// A JSON type name for messages: "a string", "an array", "null".
std::string describe_type(const nlohmann::json& value);

// Reads the fields of one JSON object found at `path`, recording every problem in `issues`
// instead of stopping at the first. Each accessor marks its key as known; reject_unknown_keys()
// then reports every other key, with a "did you mean" hint when one is close.
//
// Accessors return nothing (or a neutral value for the required_* forms) when the field is
// missing or invalid; callers check issues.empty() before using what they read.
class ObjectReader {
 public:
  ObjectReader(const nlohmann::json& value, std::string path, Issues& issues);

  // False when the value is not an object; the problem has already been recorded.
  bool is_object() const { return object_ != nullptr; }
  const std::string& path() const { return path_; }
  std::string path_of(std::string_view key) const { return join_path(path_, key); }

  bool has(std::string_view key) const;

  std::optional<double> optional_number(std::string_view key, const Bounds& bounds);
  double required_number(std::string_view key, const Bounds& bounds);
  double number_or(std::string_view key, const Bounds& bounds, double fallback);

  std::optional<std::string> optional_string(std::string_view key);
  std::string required_string(std::string_view key);
  std::string string_or(std::string_view key, std::string fallback);

  // A string that must be one of `choices`.
  std::optional<std::string> optional_choice(std::string_view key,
                                             const std::vector<std::string>& choices);

  std::optional<bool> optional_bool(std::string_view key);

  // The raw value of a nested field, for the caller to read with its own reader.
  const nlohmann::json* optional_child(std::string_view key);
  const nlohmann::json* required_child(std::string_view key);

  // Calls read(element, element_path) for each element of the array field `key`. A missing
  // field is a problem only when `required`; a field that is not an array always is.
  template <typename ReadElement>
  void for_each_element(std::string_view key, bool required, ReadElement read);

  // An optional array of strings; non-string elements are recorded as problems, naming
  // `element_kind` ("a class name").
  std::vector<std::string> string_list(std::string_view key, std::string_view element_kind);

  // Marks a key as known without reading it (for fields another reader handles).
  void accept(std::string_view key);

  // Records a problem with the field `key` that the accessors cannot see (a rule spanning
  // several fields).
  void add_issue(std::string_view key, std::string message);

  // Records an "unknown key" issue for every key no accessor asked for.
  void reject_unknown_keys();

 private:
  const nlohmann::json* find(std::string_view key);
  void missing(std::string_view key);

  const nlohmann::json* object_;
  std::string path_;
  Issues& issues_;
  std::vector<std::string> known_keys_;
};

template <typename ReadElement>
void ObjectReader::for_each_element(std::string_view key, bool required, ReadElement read) {
  const nlohmann::json* value = required ? required_child(key) : optional_child(key);
  if (value == nullptr) {
    return;
  }
  const std::string array_path = path_of(key);
  if (!value->is_array()) {
    add_issue(key, "must be an array, got " + describe_type(*value));
    return;
  }
  for (std::size_t i = 0; i < value->size(); ++i) {
    read((*value)[i], index_path(array_path, i));
  }
}

// Reads a number value (not a field) at `path`.
std::optional<double> read_number(const nlohmann::json& value, const std::string& path,
                                  const Bounds& bounds, Issues& issues);

}  // namespace scoville::config
