#include "config/config.h"

#include <algorithm>
#include <set>

#include "config/closest_match.h"
#include "config/jsonc.h"
#include "config/object_reader.h"

namespace scoville::config {
namespace {

template <typename Map>
std::vector<std::string> keys_of(const Map& map) {
  std::vector<std::string> keys;
  keys.reserve(map.size());
  for (const auto& [key, value] : map) {
    keys.push_back(key);
  }
  return keys;
}

// Field paths a user entry sets, flattened: {"cost": {"capex_usd": 1}} -> "cost.capex_usd".
void collect_field_paths(const nlohmann::json& value, const std::string& prefix,
                         std::set<std::string>& out) {
  if (!value.is_object()) {
    return;
  }
  for (const auto& [key, child] : value.items()) {
    const std::string path = join_path(prefix, key);
    out.insert(path);
    collect_field_paths(child, path, out);
  }
}

// Overlays a user's device entry on the built-in one. A field the user sets is the user's
// figure, so it stops being marked as assumed unless the user's entry says otherwise.
nlohmann::json overlay_device(const nlohmann::json& builtin, const nlohmann::json& user) {
  nlohmann::json merged = builtin;
  merged.merge_patch(user);
  if (!user.is_object() || user.contains("assumed") || !builtin.contains("assumed")) {
    return merged;
  }

  std::set<std::string> user_fields;
  collect_field_paths(user, "", user_fields);
  nlohmann::json assumed = nlohmann::json::array();
  for (const nlohmann::json& field : builtin["assumed"]) {
    if (field.is_string() && !user_fields.contains(field.get<std::string>())) {
      assumed.push_back(field);
    }
  }
  merged["assumed"] = assumed;
  return merged;
}

// Reads a catalog section ("devices", "models", "compute_classes"): the built-in entries with
// the user's entries patched over them (or added).
template <typename Spec, typename Parse>
std::map<std::string, Spec> read_section(const nlohmann::json& builtin, const nlohmann::json* user,
                                         const std::string& section, bool overlay_assumptions,
                                         Parse parse, Issues& issues) {
  nlohmann::json merged = builtin.value(section, nlohmann::json::object());
  if (user != nullptr) {
    if (!user->is_object()) {
      issues.add(section, "must be an object keyed by id, got " + describe_type(*user));
    } else {
      for (const auto& [id, entry] : user->items()) {
        if (merged.contains(id) && entry.is_object()) {
          merged[id] = overlay_assumptions ? overlay_device(merged[id], entry) : [&] {
            nlohmann::json patched = merged[id];
            patched.merge_patch(entry);
            return patched;
          }();
        } else {
          merged[id] = entry;
        }
      }
    }
  }

  std::map<std::string, Spec> specs;
  for (const auto& [id, entry] : merged.items()) {
    if (id.empty()) {
      issues.add(section, "has an entry with an empty id");
      continue;
    }
    specs.emplace(id, parse(id, entry, join_path(section, id), issues));
  }
  return specs;
}

void check_reference(const std::string& path, const std::string& name,
                     const std::vector<std::string>& known, const char* what, Issues& issues) {
  if (name.empty() || std::find(known.begin(), known.end(), name) != known.end()) {
    return;
  }
  issues.add(path,
             std::string("unknown ") + what + " \"" + name + "\"" + did_you_mean(name, known));
}

void check_references(const Config& config, Issues& issues) {
  const std::vector<std::string> devices = config.device_ids();
  const std::vector<std::string> models = config.model_ids();
  const std::vector<std::string> classes = config.compute_class_ids();

  for (const auto& [id, spec] : config.compute_classes) {
    for (std::size_t i = 0; i < spec.fallback_classes.size(); ++i) {
      const std::string path =
          index_path(join_path(join_path("compute_classes", id), "fallback_classes"), i);
      if (spec.fallback_classes[i] == id) {
        issues.add(path, "a class cannot fall back to itself");
        continue;
      }
      check_reference(path, spec.fallback_classes[i], classes, "compute class", issues);
    }
  }

  std::set<std::string> backend_names;
  for (std::size_t i = 0; i < config.backends.size(); ++i) {
    const BackendSpec& backend = config.backends[i];
    const std::string path = index_path("backends", i);
    if (!backend.name.empty() && !backend_names.insert(backend.name).second) {
      issues.add(join_path(path, "name"), "duplicate backend name \"" + backend.name + "\"");
    }
    check_reference(join_path(path, "model"), backend.model, models, "model", issues);
    check_reference(join_path(path, "device"), backend.device, devices, "device", issues);
    check_reference(join_path(path, "compute_class"), backend.compute_class, classes,
                    "compute class", issues);
  }

  check_reference("router.default_class", config.router.default_class, classes, "compute class",
                  issues);
  for (const auto& [key, compute_class] : config.router.api_key_classes) {
    check_reference(join_path(join_path("router.api_keys", key), "default_class"), compute_class,
                    classes, "compute class", issues);
  }

  if (!config.prices) {
    return;
  }
  std::set<std::pair<std::string, std::string>> priced;
  for (std::size_t i = 0; i < config.prices->entries.size(); ++i) {
    const PriceEntrySpec& entry = config.prices->entries[i];
    const std::string path = index_path("prices.entries", i);
    check_reference(join_path(path, "model"), entry.model, models, "model", issues);
    check_reference(join_path(path, "compute_class"), entry.compute_class, classes, "compute class",
                    issues);
    if (entry.cost_basis) {
      check_reference(join_path(join_path(path, "cost_basis"), "device"), entry.cost_basis->device,
                      devices, "device", issues);
    }
    if (!priced.insert({entry.model, entry.compute_class}).second) {
      issues.add(path, "duplicate price for model \"" + entry.model + "\" in class \"" +
                           entry.compute_class + "\"");
    }
  }
}

const Result<nlohmann::json>& builtin_document() {
  static const Result<nlohmann::json> document =
      parse_jsonc(builtin_catalog_text(), "builtin catalog");
  return document;
}

}  // namespace

const DeviceSpec* Config::find_device(std::string_view id) const {
  const auto it = devices.find(std::string(id));
  return it == devices.end() ? nullptr : &it->second;
}

const ModelSpec* Config::find_model(std::string_view id) const {
  const auto it = models.find(std::string(id));
  return it == models.end() ? nullptr : &it->second;
}

const ComputeClassSpec* Config::find_compute_class(std::string_view id) const {
  const auto it = compute_classes.find(std::string(id));
  return it == compute_classes.end() ? nullptr : &it->second;
}

std::vector<std::string> Config::device_ids() const { return keys_of(devices); }

std::vector<std::string> Config::model_ids() const { return keys_of(models); }

std::vector<std::string> Config::compute_class_ids() const { return keys_of(compute_classes); }

Config build_config(const nlohmann::json& document, Issues& issues) {
  Config config;
  ObjectReader reader(document, "", issues);
  if (!reader.is_object()) {
    return config;
  }

  const Result<nlohmann::json>& builtin_parsed = builtin_document();
  if (!builtin_parsed) {
    issues.add("", builtin_parsed.error().message);
    return config;
  }
  const nlohmann::json& builtin = *builtin_parsed;
  config.devices =
      read_section<DeviceSpec>(builtin, reader.optional_child("devices"), "devices",
                               /*overlay_assumptions=*/true, parse_device_spec, issues);
  config.models = read_section<ModelSpec>(builtin, reader.optional_child("models"), "models",
                                          /*overlay_assumptions=*/false, parse_model_spec, issues);
  config.compute_classes = read_section<ComputeClassSpec>(
      builtin, reader.optional_child("compute_classes"), "compute_classes",
      /*overlay_assumptions=*/false, parse_compute_class_spec, issues);

  reader.for_each_element(
      "backends", /*required=*/false,
      [&](const nlohmann::json& backend, const std::string& backend_path) {
        config.backends.push_back(parse_backend_spec(backend, backend_path, issues));
      });
  if (const nlohmann::json* router = reader.optional_child("router")) {
    config.router = parse_router_spec(*router, "router", issues);
  }
  if (const nlohmann::json* prices = reader.optional_child("prices")) {
    config.prices = parse_price_book_spec(*prices, "prices", issues);
  }
  reader.reject_unknown_keys();

  check_references(config, issues);
  return config;
}

Result<Config> builtin_config() {
  Issues issues;
  Config config = build_config(nlohmann::json::object(), issues);
  if (!issues.empty()) {
    return make_error(describe_issues("builtin catalog", issues));
  }
  return config;
}

Issues check_config_file(const std::filesystem::path& path) {
  Issues issues;
  Result<nlohmann::json> document = read_jsonc_file(path);
  if (!document) {
    issues.add("", document.error().message);
    return issues;
  }
  build_config(*document, issues);
  return issues;
}

Result<Config> load_config(const std::filesystem::path& path) {
  Result<nlohmann::json> document = read_jsonc_file(path);
  if (!document) {
    return std::unexpected(document.error());
  }
  Issues issues;
  Config config = build_config(*document, issues);
  if (!issues.empty()) {
    return make_error(describe_issues(path.string(), issues));
  }
  return config;
}

std::string describe_issues(std::string_view source, const Issues& issues) {
  // A file that could not be read or parsed is one problem whose message names the file.
  if (issues.size() == 1 && issues.all().front().path.empty()) {
    return issues.all().front().message;
  }
  std::string text(source);
  text += ": ";
  text += std::to_string(issues.size());
  text += issues.size() == 1 ? " problem" : " problems";
  for (const Issue& issue : issues.all()) {
    text += "\n  ";
    text += issue.to_string();
  }
  return text;
}

}  // namespace scoville::config
