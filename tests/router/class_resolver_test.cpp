// Which compute class a request asks for, and which model it names once the class is taken off.
#include "router/class_resolver.h"

#include <optional>
#include <string>

#include <doctest/doctest.h>

namespace scoville::router {
namespace {

using std::nullopt;

ClassResolverSettings fleet_settings() {
  return {.known_classes = {"standard", "efficient", "low_latency"},
          .default_class = "standard",
          .api_key_classes = {{"sk-batch-team", "efficient"}, {"sk-chat-team", "low_latency"}}};
}

ClassResolution resolve_ok(std::optional<std::string_view> body,
                           std::optional<std::string_view> header, std::string_view model,
                           std::optional<std::string_view> api_key) {
  const Result<ClassResolution> resolved =
      resolve_compute_class(fleet_settings(), body, header, model, api_key);
  REQUIRE(resolved.has_value());
  return *resolved;
}

std::string resolve_error(std::optional<std::string_view> body,
                          std::optional<std::string_view> header, std::string_view model = "m") {
  const Result<ClassResolution> resolved =
      resolve_compute_class(fleet_settings(), body, header, model, nullopt);
  REQUIRE_FALSE(resolved.has_value());
  return resolved.error().message;
}

TEST_CASE("source names are the ones logs and metrics use") {
  CHECK(class_source_name(ClassSource::kBodyField) == "body");
  CHECK(class_source_name(ClassSource::kHeader) == "header");
  CHECK(class_source_name(ClassSource::kModelSuffix) == "model_suffix");
  CHECK(class_source_name(ClassSource::kApiKey) == "api_key");
  CHECK(class_source_name(ClassSource::kDefault) == "default");
}

TEST_CASE("the body field wins over every other source") {
  const ClassResolution resolved =
      resolve_ok("low_latency", "efficient", "llama-3-8b-standard", "sk-batch-team");
  CHECK(resolved.compute_class == "low_latency");
  CHECK(resolved.source == ClassSource::kBodyField);
  CHECK(resolved.model == "llama-3-8b");
}

TEST_CASE("the header wins when the body names no class") {
  const ClassResolution resolved =
      resolve_ok(nullopt, "efficient", "llama-3-8b-low-latency", "sk-chat-team");
  CHECK(resolved.compute_class == "efficient");
  CHECK(resolved.source == ClassSource::kHeader);
  CHECK(resolved.model == "llama-3-8b");
}

TEST_CASE("a model suffix wins over the API key and the default") {
  const ClassResolution resolved =
      resolve_ok(nullopt, nullopt, "llama-3-8b-efficient", "sk-chat-team");
  CHECK(resolved.compute_class == "efficient");
  CHECK(resolved.source == ClassSource::kModelSuffix);
  CHECK(resolved.model == "llama-3-8b");
}

TEST_CASE("a class id with underscores is suffixed with hyphens") {
  const ClassResolution resolved = resolve_ok(nullopt, nullopt, "qwen-low-latency", nullopt);
  CHECK(resolved.compute_class == "low_latency");
  CHECK(resolved.model == "qwen");

  const ClassResolution underscored = resolve_ok(nullopt, nullopt, "qwen-low_latency", nullopt);
  CHECK(underscored.source == ClassSource::kDefault);
  CHECK(underscored.model == "qwen-low_latency");
}

TEST_CASE("the API key's class applies when nothing in the request names one") {
  const ClassResolution resolved = resolve_ok(nullopt, nullopt, "llama-3-8b", "sk-batch-team");
  CHECK(resolved.compute_class == "efficient");
  CHECK(resolved.source == ClassSource::kApiKey);
  CHECK(resolved.model == "llama-3-8b");
}

TEST_CASE("the configured default applies last") {
  const ClassResolution no_key = resolve_ok(nullopt, nullopt, "llama-3-8b", nullopt);
  CHECK(no_key.compute_class == "standard");
  CHECK(no_key.source == ClassSource::kDefault);
  CHECK(no_key.model == "llama-3-8b");

  const ClassResolution unknown_key = resolve_ok(nullopt, nullopt, "llama-3-8b", "sk-someone");
  CHECK(unknown_key.compute_class == "standard");
  CHECK(unknown_key.source == ClassSource::kDefault);

  ClassResolverSettings settings = fleet_settings();
  settings.default_class = "efficient";
  const auto resolved = resolve_compute_class(settings, nullopt, nullopt, "m", nullopt);
  REQUIRE(resolved.has_value());
  CHECK(resolved->compute_class == "efficient");
}

TEST_CASE("the suffix is stripped whichever source wins") {
  CHECK(resolve_ok(nullopt, "low_latency", "x-efficient", nullopt).model == "x");
  CHECK(resolve_ok("standard", nullopt, "x-efficient", nullopt).model == "x");
  CHECK(resolve_ok(nullopt, nullopt, "x-efficient", nullopt).model == "x");
  CHECK(resolve_ok(nullopt, "low_latency", "x-efficient", nullopt).compute_class == "low_latency");
}

TEST_CASE("a model that is only a suffix keeps its name") {
  const ClassResolution resolved = resolve_ok(nullopt, nullopt, "-efficient", nullopt);
  CHECK(resolved.model == "-efficient");
  CHECK(resolved.source == ClassSource::kDefault);
}

TEST_CASE("suffixes match case-sensitively and only at the end") {
  CHECK(resolve_ok(nullopt, nullopt, "x-Efficient", nullopt).model == "x-Efficient");
  CHECK(resolve_ok(nullopt, nullopt, "x-efficient-v2", nullopt).model == "x-efficient-v2");
  CHECK(resolve_ok(nullopt, nullopt, "xefficient", nullopt).model == "xefficient");
}

TEST_CASE("of two matching suffixes the longer wins") {
  const ClassResolverSettings settings{.known_classes = {"latency", "low_latency"},
                                       .default_class = "latency"};
  const auto resolved = resolve_compute_class(settings, nullopt, nullopt, "m-low-latency", nullopt);
  REQUIRE(resolved.has_value());
  CHECK(resolved->compute_class == "low_latency");
  CHECK(resolved->model == "m");
}

TEST_CASE("class names are trimmed of spaces and tabs") {
  CHECK(resolve_ok(" efficient ", nullopt, "m", nullopt).compute_class == "efficient");
  CHECK(resolve_ok(nullopt, "\tlow_latency  ", "m", nullopt).compute_class == "low_latency");
}

TEST_CASE("an empty or blank header counts as absent") {
  const ClassResolution empty = resolve_ok(nullopt, "", "m-efficient", nullopt);
  CHECK(empty.compute_class == "efficient");
  CHECK(empty.source == ClassSource::kModelSuffix);

  const ClassResolution blank = resolve_ok(nullopt, "  \t", "m", "sk-chat-team");
  CHECK(blank.compute_class == "low_latency");
  CHECK(blank.source == ClassSource::kApiKey);
}

TEST_CASE(
    "an unknown class in the body is an error naming it, where it came from and the choices") {
  const std::string message = resolve_error("effcient", nullopt);
  CHECK(message ==
        "unknown compute class \"effcient\" in the request body's compute_class (did you mean "
        "\"efficient\"?); known classes: standard, efficient, low_latency");
}

TEST_CASE("an unknown class in the header is an error naming the header") {
  const std::string message = resolve_error(nullopt, "Efficient");
  CHECK(message ==
        "unknown compute class \"Efficient\" in the X-Compute-Class header (did you mean "
        "\"efficient\"?); known classes: standard, efficient, low_latency");
}

TEST_CASE("an unknown class unlike any known one gets no suggestion") {
  const std::string message = resolve_error(nullopt, "premium");
  CHECK(message ==
        "unknown compute class \"premium\" in the X-Compute-Class header; known classes: "
        "standard, efficient, low_latency");
}

TEST_CASE("an unknown body class is an error even when the header is valid") {
  const std::string message = resolve_error("fast", "efficient");
  CHECK(message.find("\"fast\" in the request body") != std::string::npos);
}

TEST_CASE("an empty body class is an error, not a fallback") {
  const std::string message = resolve_error("  ", "efficient");
  CHECK(message.find("unknown compute class \"\" in the request body") != std::string::npos);
}

TEST_CASE("a very long unknown class is cut short in the error") {
  const std::string long_name(5000, 'z');
  const std::string message = resolve_error(nullopt, long_name);
  CHECK(message.find(std::string(64, 'z') + "...\"") != std::string::npos);
  CHECK(message.size() < 300);
}

TEST_CASE("settings are valid when the default and API-key classes are known") {
  CHECK(validate_class_resolver_settings(fleet_settings()).has_value());
}

TEST_CASE("settings without classes, or with an unknown default, are rejected") {
  const auto empty = validate_class_resolver_settings({.known_classes = {}});
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().message == "compute classes: none are configured");

  ClassResolverSettings settings = fleet_settings();
  settings.default_class = "standrad";
  const auto bad_default = validate_class_resolver_settings(settings);
  REQUIRE_FALSE(bad_default.has_value());
  CHECK(bad_default.error().message ==
        "default compute class \"standrad\" is not a known class (did you mean \"standard\"?); "
        "known classes: standard, efficient, low_latency");
}

TEST_CASE("an API key mapped to an unknown class is rejected without naming the key") {
  ClassResolverSettings settings = fleet_settings();
  settings.api_key_classes["sk-secret-value"] = "turbo";
  const auto checked = validate_class_resolver_settings(settings);
  REQUIRE_FALSE(checked.has_value());
  CHECK(checked.error().message.find("\"turbo\"") != std::string::npos);
  CHECK(checked.error().message.find("sk-secret-value") == std::string::npos);
}

}  // namespace
}  // namespace scoville::router
