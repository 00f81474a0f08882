#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/result.h"

namespace scoville::router {

// Where a request's compute class came from, in the order they are tried.
enum class ClassSource { kBodyField, kHeader, kModelSuffix, kApiKey, kDefault };

// "body", "header", "model_suffix", "api_key", "default": the names logs and metrics use.
std::string_view class_source_name(ClassSource source);

struct ClassResolverSettings {
  std::vector<std::string> known_classes;  // e.g. standard, efficient, low_latency
  std::string default_class = "standard";
  std::map<std::string, std::string> api_key_classes;  // API key -> its default class
};

struct ClassResolution {
  std::string compute_class;
  std::string model;  // the model name with a class suffix removed
  ClassSource source = ClassSource::kDefault;
};

// Checks what resolve_compute_class() trusts the settings for: at least one known class, and a
// default and API-key classes that are among them. The message names the offending entry but
// never the API key itself.
Result<void> validate_class_resolver_settings(const ClassResolverSettings& settings);

// Resolves the class in this order: the body's `compute_class` (given here as `body_class`), the
// X-Compute-Class header, a model-name suffix ("-" + class id with '_' as '-': "-efficient",
// "-low-latency", "-standard"), the API key's default, the configured default. The suffix is
// stripped from the model whichever source wins (a model "x-efficient" with header low_latency
// resolves to class low_latency and model "x"); a model that is nothing but a suffix keeps its
// name, and of two matching suffixes the longer wins. Class names match case-sensitively after
// trimming spaces and tabs. An unknown class in the body (an empty one included) or the header
// is an error naming it and where it came from, with a "did you mean" and the list of known
// classes; an empty header value counts as absent. Classes from the settings are used as given
// (see validate_class_resolver_settings).
Result<ClassResolution> resolve_compute_class(const ClassResolverSettings& settings,
                                              std::optional<std::string_view> body_class,
                                              std::optional<std::string_view> header_class,
                                              std::string_view model,
                                              std::optional<std::string_view> api_key);

}  // namespace scoville::router
