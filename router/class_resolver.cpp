#include "router/class_resolver.h"

#include <algorithm>

#include "config/closest_match.h"

namespace scoville::router {
namespace {

// Client-supplied text echoed in an error is cut to this many bytes.
constexpr std::size_t kMaxEchoedBytes = 64;

std::string_view trim(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

bool is_known(const ClassResolverSettings& settings, std::string_view compute_class) {
  return std::ranges::find(settings.known_classes, compute_class) != settings.known_classes.end();
}

std::string known_list(const ClassResolverSettings& settings) {
  std::string list;
  for (const std::string& name : settings.known_classes) {
    list += list.empty() ? "" : ", ";
    list += name;
  }
  return list;
}

std::string unknown_class_error(const ClassResolverSettings& settings, std::string_view value,
                                std::string_view where) {
  std::string echoed(value.substr(0, kMaxEchoedBytes));
  if (value.size() > kMaxEchoedBytes) {
    echoed += "...";
  }
  return "unknown compute class \"" + echoed + "\" in " + std::string(where) +
         config::did_you_mean(value, settings.known_classes) +
         "; known classes: " + known_list(settings);
}

// "low_latency" -> "-low-latency".
std::string suffix_for(std::string_view compute_class) {
  std::string suffix = "-";
  suffix += compute_class;
  std::ranges::replace(suffix, '_', '-');
  return suffix;
}

struct SuffixMatch {
  std::string_view model;
  const std::string* compute_class = nullptr;
};

SuffixMatch match_suffix(const ClassResolverSettings& settings, std::string_view model) {
  SuffixMatch match{.model = model};
  std::size_t matched_length = 0;
  for (const std::string& name : settings.known_classes) {
    const std::string suffix = suffix_for(name);
    if (model.size() > suffix.size() && model.ends_with(suffix) && suffix.size() > matched_length) {
      match = SuffixMatch{.model = model.substr(0, model.size() - suffix.size()),
                          .compute_class = &name};
      matched_length = suffix.size();
    }
  }
  return match;
}

}  // namespace

std::string_view class_source_name(ClassSource source) {
  switch (source) {
    case ClassSource::kBodyField:
      return "body";
    case ClassSource::kHeader:
      return "header";
    case ClassSource::kModelSuffix:
      return "model_suffix";
    case ClassSource::kApiKey:
      return "api_key";
    case ClassSource::kDefault:
      return "default";
  }
  return "unknown";
}

Result<void> validate_class_resolver_settings(const ClassResolverSettings& settings) {
  if (settings.known_classes.empty()) {
    return make_error("compute classes: none are configured");
  }
  if (!is_known(settings, settings.default_class)) {
    return make_error("default compute class \"" + settings.default_class +
                      "\" is not a known class" +
                      config::did_you_mean(settings.default_class, settings.known_classes) +
                      "; known classes: " + known_list(settings));
  }

  // Counted rather than named: the key is a secret and error messages end up in logs.
  int entry = 0;
  for (const auto& [key, compute_class] : settings.api_key_classes) {
    ++entry;
    if (!is_known(settings, compute_class)) {
      return make_error("API key entry " + std::to_string(entry) + " names compute class \"" +
                        compute_class + "\", which is not a known class" +
                        config::did_you_mean(compute_class, settings.known_classes) +
                        "; known classes: " + known_list(settings));
    }
  }
  return {};
}

Result<ClassResolution> resolve_compute_class(const ClassResolverSettings& settings,
                                              std::optional<std::string_view> body_class,
                                              std::optional<std::string_view> header_class,
                                              std::string_view model,
                                              std::optional<std::string_view> api_key) {
  const SuffixMatch suffix = match_suffix(settings, model);
  ClassResolution resolution{.model = std::string(suffix.model)};

  if (body_class) {
    const std::string_view name = trim(*body_class);
    if (!is_known(settings, name)) {
      return make_error(unknown_class_error(settings, name, "the request body's compute_class"));
    }
    resolution.compute_class = name;
    resolution.source = ClassSource::kBodyField;
    return resolution;
  }

  const std::string_view header = header_class ? trim(*header_class) : std::string_view{};
  if (!header.empty()) {
    if (!is_known(settings, header)) {
      return make_error(unknown_class_error(settings, header, "the X-Compute-Class header"));
    }
    resolution.compute_class = header;
    resolution.source = ClassSource::kHeader;
    return resolution;
  }

  if (suffix.compute_class != nullptr) {
    resolution.compute_class = *suffix.compute_class;
    resolution.source = ClassSource::kModelSuffix;
    return resolution;
  }

  if (api_key) {
    if (const auto found = settings.api_key_classes.find(std::string(*api_key));
        found != settings.api_key_classes.end()) {
      resolution.compute_class = found->second;
      resolution.source = ClassSource::kApiKey;
      return resolution;
    }
  }

  resolution.compute_class = settings.default_class;
  resolution.source = ClassSource::kDefault;
  return resolution;
}

}  // namespace scoville::router
