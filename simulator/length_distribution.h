#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/issues.h"
#include "config/result.h"
#include "simulator/workload_spec.h"

// Helpers around LengthDistribution (declared in workload_spec.h): the rules a distribution
// must satisfy, its JSON form and its empirical-file form.
namespace scoville::simulator {

// The largest token count a request may have; it keeps every count inside std::int32_t.
inline constexpr double kMaxTokensPerRequest = 1e9;

// Why `tokens` cannot be a request's token count ("must be >= 1, got -5"), or nothing.
std::optional<std::string> token_count_problem(double tokens);

// Calls report(field, problem) for each rule `distribution` breaks. `field` names the value
// as the JSON schema and the command line do ("min", "sigma", "values[2]").
void find_length_problems(const LengthDistribution& distribution,
                          const std::function<void(std::string_view, std::string)>& report);

// The first problem as one line ("uniform: max must be >= min (100), got 50"), or success.
Result<void> check_length_distribution(const LengthDistribution& distribution);

// Reads a length field of a workload: a token count (fixed) or an object
// {"distribution": "fixed"|"uniform"|"lognormal"|"zipf"|"empirical", ...}.
LengthDistribution parse_length_json(const nlohmann::json& value, const std::string& path,
                                     config::Issues& issues);

// Reads an empirical length file: "tokens,weight" lines; blank lines, "#" comments and a
// "tokens,weight" header are skipped. Errors name the file and line.
Result<std::vector<std::pair<std::int32_t, double>>> read_empirical_lengths(
    const std::filesystem::path& path);

// "fixed", "uniform", ... as the JSON schema and the command line spell them.
std::string_view length_kind_name(LengthDistribution::Kind kind);
const std::vector<std::string>& length_kind_names();
std::optional<LengthDistribution::Kind> find_length_kind(std::string_view name);

// Why `value` is not a finite number >= `low` (> `low` when not inclusive), or nothing.
std::optional<std::string> lower_bound_problem(double value, double low, bool inclusive);

}  // namespace scoville::simulator
