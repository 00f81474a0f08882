#include "config/json_edit.h"

#include <charconv>
#include <optional>
#include <vector>

#include "config/closest_match.h"

namespace scoville::config {
namespace {

struct PathStep {
  std::string key;  // empty for an index step
  std::optional<std::size_t> index;
};

Result<std::vector<PathStep>> parse_path(std::string_view path) {
  std::vector<PathStep> steps;
  std::size_t i = 0;
  auto fail = [&](const std::string& why) {
    return make_error("path \"" + std::string(path) + "\": " + why);
  };
  if (path.empty()) {
    return fail("is empty");
  }

  while (i < path.size()) {
    if (path[i] == '[') {
      const std::size_t close = path.find(']', i);
      if (close == std::string_view::npos) {
        return fail("has an unclosed [");
      }
      std::size_t index = 0;
      const char* first = path.data() + i + 1;
      const char* last = path.data() + close;
      const auto [end, ec] = std::from_chars(first, last, index);
      if (ec != std::errc() || end != last || first == last) {
        return fail("has an invalid index \"" + std::string(first, last) + "\"");
      }
      steps.push_back(PathStep{"", index});
      i = close + 1;
      if (i < path.size() && path[i] == '.') {
        ++i;
        if (i == path.size()) return fail("ends with a dot");
      }
      continue;
    }

    const std::size_t end = path.find_first_of(".[", i);
    const std::string_view key = path.substr(i, end == std::string_view::npos ? end : end - i);
    if (key.empty()) {
      return fail("has an empty key");
    }
    steps.push_back(PathStep{std::string(key), std::nullopt});
    if (end == std::string_view::npos) {
      break;
    }
    i = path[end] == '.' ? end + 1 : end;
    if (path[end] == '.' && i == path.size()) {
      return fail("ends with a dot");
    }
  }
  return steps;
}

std::string describe_prefix(const std::vector<PathStep>& steps, std::size_t count) {
  std::string text;
  for (std::size_t i = 0; i < count; ++i) {
    if (steps[i].index) {
      text += "[" + std::to_string(*steps[i].index) + "]";
    } else {
      text += text.empty() ? "" : ".";
      text += steps[i].key;
    }
  }
  return text;
}

// Walks to the step `step` of `steps` from `node`, failing with the missing prefix named.
Result<nlohmann::json*> descend(nlohmann::json* node, const std::vector<PathStep>& steps,
                                std::size_t step) {
  const PathStep& s = steps[step];
  const std::string here = describe_prefix(steps, step + 1);
  if (s.index) {
    if (!node->is_array()) {
      return make_error(here + ": not an array");
    }
    if (*s.index >= node->size()) {
      return make_error(here + ": index out of range (the array has " +
                        std::to_string(node->size()) + " elements)");
    }
    return &(*node)[*s.index];
  }
  if (!node->is_object()) {
    return make_error(here + ": not an object");
  }
  const auto it = node->find(s.key);
  if (it == node->end()) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : node->items()) keys.push_back(key);
    return make_error(here + ": unknown key" + did_you_mean(s.key, keys));
  }
  return &*it;
}

}  // namespace

Result<void> set_json_path(nlohmann::json& document, std::string_view path,
                           const nlohmann::json& value) {
  Result<std::vector<PathStep>> steps = parse_path(path);
  if (!steps) {
    return std::unexpected(steps.error());
  }

  nlohmann::json* node = &document;
  for (std::size_t i = 0; i + 1 < steps->size(); ++i) {
    Result<nlohmann::json*> next = descend(node, *steps, i);
    if (!next) {
      return std::unexpected(next.error());
    }
    node = *next;
  }

  const PathStep& last = steps->back();
  if (last.index) {
    Result<nlohmann::json*> target = descend(node, *steps, steps->size() - 1);
    if (!target) {
      return std::unexpected(target.error());
    }
    **target = value;
    return {};
  }
  if (!node->is_object()) {
    return make_error(describe_prefix(*steps, steps->size()) + ": parent is not an object");
  }
  (*node)[last.key] = value;
  return {};
}

Result<nlohmann::json> get_json_path(const nlohmann::json& document, std::string_view path) {
  Result<std::vector<PathStep>> steps = parse_path(path);
  if (!steps) {
    return std::unexpected(steps.error());
  }
  // descend() never modifies the node; it takes a mutable pointer only to serve set_json_path.
  nlohmann::json copy = document;
  nlohmann::json* node = &copy;
  for (std::size_t i = 0; i < steps->size(); ++i) {
    Result<nlohmann::json*> next = descend(node, *steps, i);
    if (!next) {
      return std::unexpected(next.error());
    }
    node = *next;
  }
  return *node;
}

nlohmann::json parse_cli_value(std::string_view text) {
  nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                               /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return nlohmann::json(std::string(text));
  }
  return value;
}

}  // namespace scoville::config
