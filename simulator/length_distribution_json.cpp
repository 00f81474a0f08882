// The JSON form of a length distribution, as the "workload" object's input_tokens and
// output_tokens give it.
#include "simulator/length_distribution.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "config/bounds.h"
#include "config/object_reader.h"

namespace scoville::simulator {
namespace {

using Kind = LengthDistribution::Kind;

// The JSON keys each kind takes besides "distribution"; min and max clamp lognormal and
// empirical samples and are optional there.
std::vector<std::string_view> keys_of(Kind kind) {
  switch (kind) {
    case Kind::kFixed:
      return {"tokens"};
    case Kind::kUniform:
      return {"min", "max"};
    case Kind::kLognormal:
      return {"mean", "sigma", "min", "max"};
    case Kind::kZipf:
      return {"exponent", "min", "max"};
    case Kind::kEmpirical:
      return {"values", "min", "max"};
  }
  return {};
}

constexpr std::array<std::string_view, 7> kAllKeys = {"tokens", "min",      "max",   "mean",
                                                      "sigma",  "exponent", "values"};

}  // namespace

LengthDistribution parse_length_json(const nlohmann::json& value, const std::string& path,
                                     config::Issues& issues) {
  LengthDistribution distribution;
  const std::size_t issues_before = issues.size();
  auto report = [&](std::string_view field, std::string problem) {
    issues.add(field.empty() ? path : config::join_path(path, field), std::move(problem));
  };

  // A bare number is a fixed length.
  if (value.is_number()) {
    distribution.fixed_tokens = value.get<double>();
    if (std::optional<std::string> problem = token_count_problem(distribution.fixed_tokens)) {
      report("", std::move(*problem));
    }
    return distribution;
  }
  if (!value.is_object()) {
    report("", "must be a token count or an object with a \"distribution\", got " +
                   config::describe_type(value));
    return distribution;
  }

  config::ObjectReader reader(value, path, issues);
  const std::optional<std::string> name =
      reader.optional_choice("distribution", length_kind_names());
  if (!reader.has("distribution")) {
    reader.add_issue("distribution", "is required");
  }
  const std::optional<Kind> kind = name ? find_length_kind(*name) : std::nullopt;
  if (!kind) {
    for (const std::string_view key : kAllKeys) {
      reader.accept(key);
    }
    reader.reject_unknown_keys();
    return distribution;
  }
  distribution.kind = *kind;

  const std::vector<std::string_view> keys = keys_of(*kind);
  std::string listed;
  for (const std::string_view key : keys) {
    listed += listed.empty() ? "" : ", ";
    listed += key;
  }
  for (const std::string_view key : kAllKeys) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end() && reader.has(key)) {
      reader.accept(key);
      reader.add_issue(
          key, fmt::format("does not apply to a {} distribution (it takes {})", *name, listed));
    }
  }

  // Ranges are checked below by find_length_problems, which code-built distributions share.
  const bool clamps_only = *kind == Kind::kLognormal || *kind == Kind::kEmpirical;
  auto read = [&](std::string_view key, bool required, double& field) {
    if (!required && !reader.has(key)) {
      reader.accept(key);
      return;
    }
    field = reader.required_number(key, config::Bounds::any());
  };
  switch (*kind) {
    case Kind::kFixed:
      read("tokens", true, distribution.fixed_tokens);
      break;
    case Kind::kLognormal:
      read("mean", true, distribution.mean_tokens);
      read("sigma", true, distribution.sigma);
      break;
    case Kind::kZipf:
      read("exponent", true, distribution.zipf_exponent);
      break;
    case Kind::kUniform:
    case Kind::kEmpirical:
      break;
  }
  if (*kind != Kind::kFixed) {
    read("min", !clamps_only, distribution.min_tokens);
    read("max", !clamps_only, distribution.max_tokens);
  }
  if (*kind == Kind::kEmpirical) {
    reader.for_each_element(
        "values", /*required=*/true,
        [&](const nlohmann::json& entry, const std::string& entry_path) {
          if (!entry.is_array() || entry.size() != 2 || !entry[0].is_number() ||
              !entry[1].is_number()) {
            issues.add(entry_path, "must be [tokens, weight], got " + entry.dump());
            return;
          }
          const double tokens = entry[0].get<double>();
          if (std::optional<std::string> problem = token_count_problem(tokens)) {
            issues.add(entry_path, "tokens " + *problem);
            return;
          }
          distribution.empirical.emplace_back(static_cast<std::int32_t>(tokens),
                                              entry[1].get<double>());
        });
  }
  reader.reject_unknown_keys();

  if (issues.size() == issues_before) {
    find_length_problems(distribution, report);
  }
  return distribution;
}

}  // namespace scoville::simulator
