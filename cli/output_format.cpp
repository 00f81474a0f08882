#include "cli/output_format.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "config/bounds.h"
#include "config/closest_match.h"

namespace scoville::cli {
namespace {

// A validator that parses a number and checks it against `bounds`, in the wording the config
// validator uses ("must be between 0 and 1, got 1.5").
CLI::Validator bounds_check(config::Bounds bounds, std::string description) {
  return CLI::Validator(
      [bounds](std::string& text) -> std::string {
        double value = 0.0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size()) {
          return "must be a number, got \"" + text + "\"";
        }
        if (!bounds.contains(value)) {
          return bounds.describe() + ", got " + text;
        }
        return "";
      },
      std::move(description));
}

}  // namespace

void add_format_option(CLI::App* command, OutputFormat& format,
                       const std::vector<std::string>& choices) {
  std::string listed;
  for (const std::string& choice : choices) listed += (listed.empty() ? "" : ", ") + choice;

  // The validator rewrites a known name to the enum's number, which CLI11 then stores.
  CLI::Validator format_check(
      [choices, listed](std::string& text) -> std::string {
        std::transform(text.begin(), text.end(), text.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (std::find(choices.begin(), choices.end(), text) == choices.end()) {
          return "unknown format \"" + text + "\"" + config::did_you_mean(text, choices) +
                 "; expected " + listed;
        }
        text = std::to_string(static_cast<int>(output_format_names().at(text)));
        return "";
      },
      listed);
  command->add_option("--format", format, "Output format: " + listed)->transform(format_check);
}

std::string to_json_text(const nlohmann::json& value) {
  return value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

CLI::Validator share_check() { return bounds_check(config::Bounds::share(), "0..1"); }

CLI::Validator positive_check() { return bounds_check(config::Bounds::positive(), "> 0"); }

CLI::Validator non_negative_check() { return bounds_check(config::Bounds::non_negative(), ">= 0"); }

}  // namespace scoville::cli
