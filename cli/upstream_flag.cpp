#include "cli/upstream_flag.h"

#include <charconv>
#include <cmath>

#include "config/closest_match.h"

namespace scoville::cli {
namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

Result<router::UpstreamSpec> parse_upstream_flag(const std::string& text,
                                                 const config::Config& catalog) {
  const std::string where = "--upstream \"" + text + "\": ";
  const std::vector<std::string> parts = split(text, ',');

  config::BackendSpec url;
  std::string problem;
  if (!config::split_backend_url(parts.front(), url, problem)) {
    return make_error(where + "the URL " + problem);
  }
  router::UpstreamSpec spec;
  spec.host = url.host;
  spec.port = url.port;
  spec.base_path = url.base_path;
  spec.name = url.host + ":" + std::to_string(url.port);

  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::size_t equals = parts[i].find('=');
    if (equals == std::string::npos) {
      return make_error(where + "expected KEY=VALUE after the URL, got \"" + parts[i] + "\"");
    }
    const std::string key = parts[i].substr(0, equals);
    const std::string value = parts[i].substr(equals + 1);
    if (value.empty()) return make_error(where + key + " needs a value");
    if (key == "class") {
      if (catalog.find_compute_class(value) == nullptr) {
        return make_error(where + "unknown compute class \"" + value + "\"" +
                          config::did_you_mean(value, catalog.compute_class_ids()));
      }
      spec.compute_class = value;
    } else if (key == "device") {
      if (catalog.find_device(value) == nullptr) {
        return make_error(where + "unknown device \"" + value + "\"" +
                          config::did_you_mean(value, catalog.device_ids()));
      }
      spec.device = value;
    } else if (key == "model") {
      spec.model = value;
      spec.served_model = value;
    } else if (key == "name") {
      spec.name = value;
    } else if (key == "weight") {
      double weight = 0.0;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), weight);
      if (ec != std::errc() || end != value.data() + value.size() || !(weight > 0.0) ||
          !std::isfinite(weight)) {
        return make_error(where + "weight must be a number > 0, got \"" + value + "\"");
      }
      spec.weight = weight;
    } else {
      return make_error(where + "unknown key \"" + key + "\"" +
                        config::did_you_mean(key, {"class", "device", "model", "name", "weight"}) +
                        "; keys are class, device, model, name and weight");
    }
  }
  return spec;
}

}  // namespace scoville::cli
