#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "config/issues.h"
#include "config/precision.h"

namespace scoville::config {

// One OpenAI-compatible upstream the router may send requests to.
struct BackendSpec {
  std::string name;
  std::string url;  // http://host:port[/prefix]
  std::string host;
  std::uint16_t port = 0;
  std::string base_path;     // prefix before /v1/..., "" or "/prefix"
  std::string model;         // model catalog id, the name clients ask for
  std::string served_model;  // the name the upstream knows the model by (default: model)
  std::string api_key;       // sent upstream as a bearer token, when set
  std::string device;        // device catalog id
  std::string compute_class;
  int tensor_parallel = 1;
  Precision precision = Precision::kBf16;
  double weight = 1.0;  // relative share among backends of one class
};

// Splits "http://host:port[/prefix]" into `backend`'s host, port and base path; on failure
// `problem` says what is wrong. TLS upstreams are not supported.
bool split_backend_url(const std::string& url, BackendSpec& backend, std::string& problem);

// Reads the backend entry at `path`; references to devices, models and classes are checked
// later against the full catalogs.
BackendSpec parse_backend_spec(const nlohmann::json& value, const std::string& path,
                               Issues& issues);

}  // namespace scoville::config
