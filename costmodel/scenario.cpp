#include "costmodel/scenario.h"

#include "config/json_edit.h"
#include "config/jsonc.h"
#include "config/object_reader.h"
#include "costmodel/customer_scenario.h"
#include "costmodel/fleet_scenario.h"
#include "costmodel/price_book.h"

namespace scoville::costmodel {
namespace {

const std::vector<std::string> kKinds = {"customer", "fleet"};

bool starts_with_path(const std::string& path, const std::string& prefix) {
  if (path.rfind(prefix, 0) != 0) {
    return false;
  }
  return path.size() == prefix.size() || path[prefix.size()] == '.' || path[prefix.size()] == '[';
}

// Marks the problems that come from the command line rather than the file.
config::Issues annotate_overrides(const config::Issues& issues,
                                  const std::vector<std::string>& overridden) {
  config::Issues annotated;
  for (const config::Issue& issue : issues.all()) {
    std::string message = issue.message;
    for (const std::string& path : overridden) {
      if (starts_with_path(issue.path, path)) {
        message += " (set on the command line)";
        break;
      }
    }
    annotated.add(issue.path, message);
  }
  return annotated;
}

}  // namespace

Result<ScenarioInput> load_scenario(const std::filesystem::path& path,
                                    const std::vector<std::string>& overrides) {
  Result<nlohmann::json> document = config::read_jsonc_file(path);
  if (!document) {
    return std::unexpected(document.error());
  }
  ScenarioInput input{std::move(*document), path.string(), {}};

  for (const std::string& item : overrides) {
    const std::size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      return make_error("--set " + item +
                        ": expected PATH=VALUE, as in --set tiers[0].traffic_share=0.5");
    }
    const std::string key = item.substr(0, equals);
    Result<void> applied = apply_override(
        input, key, config::parse_cli_value(std::string_view(item).substr(equals + 1)));
    if (!applied) {
      return make_error("--set " + item + ": " + applied.error().message);
    }
  }
  return input;
}

Result<void> apply_override(ScenarioInput& input, std::string_view path,
                            const nlohmann::json& value) {
  Result<void> set = config::set_json_path(input.document, path, value);
  if (!set) {
    return set;
  }
  input.overridden_paths.emplace_back(path);
  return {};
}

Result<Comparison> evaluate_scenario(const ScenarioInput& input, const config::Config& config) {
  config::Issues issues;
  std::string kind;
  {
    // Only "kind" is read here; the scenario's own parser checks every other key.
    config::Issues kind_issues;
    config::ObjectReader reader(input.document, "", kind_issues);
    if (reader.is_object() && !reader.has("kind")) {
      kind_issues.add("kind", "is required: \"customer\" or \"fleet\"");
    } else {
      kind = reader.optional_choice("kind", kKinds).value_or("");
    }
    if (!kind_issues.empty()) {
      return make_error(config::describe_issues(
          input.source, annotate_overrides(kind_issues, input.overridden_paths)));
    }
  }

  Comparison comparison;
  if (kind == "customer") {
    std::optional<PriceBook> prices;
    if (config.prices) prices.emplace(*config.prices, config);
    CustomerScenario scenario =
        parse_customer_scenario(input.document, prices ? &*prices : nullptr, issues);
    if (issues.empty()) comparison = evaluate_customer_scenario(scenario);
  } else {
    FleetScenario scenario = parse_fleet_scenario(input.document, config, issues);
    if (issues.empty()) comparison = evaluate_fleet_scenario(scenario);
  }

  if (!issues.empty()) {
    return make_error(
        config::describe_issues(input.source, annotate_overrides(issues, input.overridden_paths)));
  }
  return comparison;
}

}  // namespace scoville::costmodel
