#include "config/backend_spec.h"

#include <charconv>

#include "config/object_reader.h"

namespace scoville::config {

bool split_backend_url(const std::string& url, BackendSpec& backend, std::string& problem) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    problem = "must start with http://";
    return false;
  }
  const std::string rest = url.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const std::size_t colon = authority.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    problem = "must name a host and a port, as in http://127.0.0.1:8001";
    return false;
  }
  backend.host = authority.substr(0, colon);
  const std::string port_text = authority.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    problem = "has an invalid port \"" + port_text + "\"";
    return false;
  }
  backend.port = static_cast<std::uint16_t>(port);
  backend.base_path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!backend.base_path.empty() && backend.base_path.back() == '/') {
    backend.base_path.pop_back();
  }
  // OpenAI clients take a base URL ending in /v1; requests already carry /v1 in their path.
  const std::string v1 = "/v1";
  if (backend.base_path.size() >= v1.size() &&
      backend.base_path.compare(backend.base_path.size() - v1.size(), v1.size(), v1) == 0) {
    backend.base_path.resize(backend.base_path.size() - v1.size());
  }
  return true;
}

BackendSpec parse_backend_spec(const nlohmann::json& value, const std::string& path,
                               Issues& issues) {
  BackendSpec backend;
  ObjectReader reader(value, path, issues);
  if (!reader.is_object()) {
    return backend;
  }

  backend.name = reader.required_string("name");
  backend.url = reader.required_string("url");
  if (!backend.url.empty()) {
    std::string problem;
    if (!split_backend_url(backend.url, backend, problem)) {
      issues.add(reader.path_of("url"), problem + ", got \"" + backend.url + "\"");
    }
  }
  backend.model = reader.required_string("model");
  backend.served_model = reader.string_or("served_model", backend.model);
  backend.api_key = reader.string_or("api_key", "");
  backend.device = reader.required_string("device");
  backend.compute_class = reader.string_or("compute_class", "standard");
  backend.tensor_parallel =
      static_cast<int>(reader.number_or("tensor_parallel", Bounds::positive_integer(), 1.0));
  if (std::optional<std::string> precision =
          reader.optional_choice("precision", precision_names())) {
    backend.precision = *parse_precision(*precision);
  }
  backend.weight = reader.number_or("weight", Bounds::positive(), 1.0);
  reader.reject_unknown_keys();
  return backend;
}

}  // namespace scoville::config
