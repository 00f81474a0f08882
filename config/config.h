#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/backend_spec.h"
#include "config/compute_class_spec.h"
#include "config/device_spec.h"
#include "config/issues.h"
#include "config/model_spec.h"
#include "config/price_book_spec.h"
#include "config/result.h"
#include "config/router_spec.h"

namespace scoville::config {

// Everything a Scoville deployment is configured with: the device and model catalogs (the
// built-in entries with the user's overrides and additions), compute classes, backends and
// the price book.
struct Config {
  std::map<std::string, DeviceSpec> devices;
  std::map<std::string, ModelSpec> models;
  std::map<std::string, ComputeClassSpec> compute_classes;
  std::vector<BackendSpec> backends;
  std::optional<PriceBookSpec> prices;
  RouterSpec router;

  const DeviceSpec* find_device(std::string_view id) const;
  const ModelSpec* find_model(std::string_view id) const;
  const ComputeClassSpec* find_compute_class(std::string_view id) const;

  std::vector<std::string> device_ids() const;
  std::vector<std::string> model_ids() const;
  std::vector<std::string> compute_class_ids() const;
};

// The JSONC text of the built-in catalog, as shipped in config/builtin_catalog.jsonc.
std::string_view builtin_catalog_text();

// Builds a configuration from the built-in catalog overlaid with `document`. Every problem is
// recorded in `issues`, each with its JSON path; the result is only meaningful when none was.
Config build_config(const nlohmann::json& document, Issues& issues);

// The built-in catalog alone.
Result<Config> builtin_config();

// Reads, parses and validates a config file. The error lists every problem, one per line.
Result<Config> load_config(const std::filesystem::path& path);

// As load_config, but returns the problems themselves (for `scoville config check`).
// A file that cannot be read or parsed yields a single issue without a path.
Issues check_config_file(const std::filesystem::path& path);

// "FILE: 3 problems" followed by the issues, one per line, indented.
std::string describe_issues(std::string_view source, const Issues& issues);

}  // namespace scoville::config
