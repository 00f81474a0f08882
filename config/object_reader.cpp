#include "config/object_reader.h"

#include <algorithm>
#include <utility>

#include "config/closest_match.h"

namespace scoville::config {

std::string describe_type(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported value";
  }
}

std::optional<double> read_number(const nlohmann::json& value, const std::string& path,
                                  const Bounds& bounds, Issues& issues) {
  if (!value.is_number()) {
    issues.add(path, bounds.describe() + ", got " + describe_type(value));
    return std::nullopt;
  }
  const double number = value.get<double>();
  if (!bounds.contains(number)) {
    issues.add(path, bounds.describe() + ", got " + format_number(number));
    return std::nullopt;
  }
  return number;
}

ObjectReader::ObjectReader(const nlohmann::json& value, std::string path, Issues& issues)
    : object_(value.is_object() ? &value : nullptr), path_(std::move(path)), issues_(issues) {
  if (object_ == nullptr) {
    issues_.add(path_, "must be an object, got " + describe_type(value));
  }
}

bool ObjectReader::has(std::string_view key) const {
  return object_ != nullptr && object_->contains(key);
}

const nlohmann::json* ObjectReader::find(std::string_view key) {
  accept(key);
  if (object_ == nullptr) {
    return nullptr;
  }
  const auto it = object_->find(key);
  if (it == object_->end()) {
    return nullptr;
  }
  return &*it;
}

void ObjectReader::missing(std::string_view key) {
  if (object_ != nullptr) {
    issues_.add(path_of(key), "is required");
  }
}

void ObjectReader::accept(std::string_view key) {
  if (std::find(known_keys_.begin(), known_keys_.end(), key) == known_keys_.end()) {
    known_keys_.emplace_back(key);
  }
}

std::optional<double> ObjectReader::optional_number(std::string_view key, const Bounds& bounds) {
  const nlohmann::json* value = find(key);
  if (value == nullptr) {
    return std::nullopt;
  }
  return read_number(*value, path_of(key), bounds, issues_);
}

double ObjectReader::required_number(std::string_view key, const Bounds& bounds) {
  if (object_ != nullptr && !object_->contains(key)) {
    accept(key);
    missing(key);
    return 0.0;
  }
  return optional_number(key, bounds).value_or(0.0);
}

double ObjectReader::number_or(std::string_view key, const Bounds& bounds, double fallback) {
  if (!has(key)) {
    accept(key);
    return fallback;
  }
  return optional_number(key, bounds).value_or(fallback);
}

std::optional<std::string> ObjectReader::optional_string(std::string_view key) {
  const nlohmann::json* value = find(key);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (!value->is_string()) {
    issues_.add(path_of(key), "must be a string, got " + describe_type(*value));
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::string ObjectReader::required_string(std::string_view key) {
  if (object_ != nullptr && !object_->contains(key)) {
    accept(key);
    missing(key);
    return "";
  }
  return optional_string(key).value_or("");
}

std::string ObjectReader::string_or(std::string_view key, std::string fallback) {
  if (!has(key)) {
    accept(key);
    return fallback;
  }
  return optional_string(key).value_or(std::move(fallback));
}

std::optional<std::string> ObjectReader::optional_choice(std::string_view key,
                                                         const std::vector<std::string>& choices) {
  std::optional<std::string> value = optional_string(key);
  if (!value) {
    return std::nullopt;
  }
  if (std::find(choices.begin(), choices.end(), *value) == choices.end()) {
    std::string listed;
    for (const std::string& choice : choices) {
      listed += listed.empty() ? "" : ", ";
      listed += choice;
    }
    issues_.add(path_of(key), "unknown value \"" + *value + "\"" + did_you_mean(*value, choices) +
                                  "; expected one of " + listed);
    return std::nullopt;
  }
  return value;
}

std::optional<bool> ObjectReader::optional_bool(std::string_view key) {
  const nlohmann::json* value = find(key);
  if (value == nullptr) {
    return std::nullopt;
  }
  if (!value->is_boolean()) {
    issues_.add(path_of(key), "must be true or false, got " + describe_type(*value));
    return std::nullopt;
  }
  return value->get<bool>();
}

const nlohmann::json* ObjectReader::optional_child(std::string_view key) { return find(key); }

const nlohmann::json* ObjectReader::required_child(std::string_view key) {
  const nlohmann::json* value = find(key);
  if (value == nullptr) {
    missing(key);
  }
  return value;
}

std::vector<std::string> ObjectReader::string_list(std::string_view key,
                                                   std::string_view element_kind) {
  std::vector<std::string> strings;
  for_each_element(
      key, /*required=*/false, [&](const nlohmann::json& element, const std::string& element_path) {
        if (!element.is_string()) {
          issues_.add(element_path,
                      "must be " + std::string(element_kind) + ", got " + describe_type(element));
          return;
        }
        strings.push_back(element.get<std::string>());
      });
  return strings;
}

void ObjectReader::add_issue(std::string_view key, std::string message) {
  issues_.add(path_of(key), std::move(message));
}

void ObjectReader::reject_unknown_keys() {
  if (object_ == nullptr) {
    return;
  }
  for (const auto& [key, value] : object_->items()) {
    if (std::find(known_keys_.begin(), known_keys_.end(), key) != known_keys_.end()) {
      continue;
    }
    issues_.add(path_of(key), "unknown key" + did_you_mean(key, known_keys_));
  }
}

}  // namespace scoville::config
