#include "simulator/length_distribution.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "config/bounds.h"
#include "config/closest_match.h"
#include "simulator/length_sampler.h"
#include "simulator/line_reader.h"

namespace scoville::simulator {
namespace {

using Kind = LengthDistribution::Kind;
using config::format_number;

constexpr std::array<Kind, 5> kKinds = {Kind::kFixed, Kind::kUniform, Kind::kLognormal, Kind::kZipf,
                                        Kind::kEmpirical};

constexpr std::string_view kCommandLineForms =
    "a token count or one of fixed:TOKENS, uniform:MIN:MAX, lognormal:MEAN:SIGMA, "
    "zipf:EXPONENT:MIN:MAX, empirical:FILE";

// Where the mean of a Zipf distribution stops summing terms and integrates the tail: the
// midpoint rule is exact to about 1e-10 relative beyond this many terms.
constexpr double kZipfExactTerms = 100000.0;

double zipf_mean(double exponent, double low, double high) {
  const double exact_high = std::min(high, low + kZipfExactTerms);
  double weights = 0.0;
  double weighted_tokens = 0.0;
  for (double k = low; k <= exact_high; k += 1.0) {
    const double weight = std::exp(-exponent * std::log(k));
    weights += weight;
    weighted_tokens += weight * k;
  }
  if (exact_high < high) {
    const double from = exact_high + 0.5;
    const double to = high + 0.5;
    weights += zipf_area(exponent, to) - zipf_area(exponent, from);
    weighted_tokens += zipf_area(exponent - 1.0, to) - zipf_area(exponent - 1.0, from);
  }
  return weighted_tokens / weights;
}

Result<double> parse_parameter(std::string_view kind, std::string_view name,
                               std::string_view text) {
  const std::optional<double> value = parse_number(text);
  if (!value) {
    return make_error(fmt::format("{}: {} must be a number, got \"{}\"", kind, name, text));
  }
  return *value;
}

std::vector<std::string_view> split_on_colons(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t colon = text.find(':', start);
    parts.push_back(text.substr(start, colon - start));
    if (colon == std::string_view::npos) {
      return parts;
    }
    start = colon + 1;
  }
}

// Fills the parameters of a command-line distribution from its colon-separated fields.
Result<void> read_parameters(Kind kind, const std::vector<std::string_view>& fields,
                             std::string_view text, LengthDistribution& distribution) {
  // Both tables are indexed by Kind.
  static constexpr std::array<std::string_view, 5> kUsage = {
      "fixed:TOKENS", "uniform:MIN:MAX", "lognormal:MEAN:SIGMA", "zipf:EXPONENT:MIN:MAX",
      "empirical:FILE"};
  const std::string_view name = length_kind_name(kind);
  const std::string_view usage = kUsage[static_cast<std::size_t>(kind)];
  const std::size_t expected_fields =
      static_cast<std::size_t>(std::count(usage.begin(), usage.end(), ':')) + 1;
  if (fields.size() != expected_fields) {
    return make_error(fmt::format("expected {}, got \"{}\"", usage, text));
  }

  std::array<double, 3> values{};
  static constexpr std::array<std::array<std::string_view, 3>, 5> kNames = {
      {{"tokens"}, {"min", "max"}, {"mean", "sigma"}, {"exponent", "min", "max"}, {"file"}}};
  for (std::size_t i = 1; i < fields.size(); ++i) {
    Result<double> value =
        parse_parameter(name, kNames[static_cast<std::size_t>(kind)][i - 1], fields[i]);
    if (!value) {
      return std::unexpected(value.error());
    }
    values[i - 1] = *value;
  }

  switch (kind) {
    case Kind::kFixed:
      distribution.fixed_tokens = values[0];
      break;
    case Kind::kUniform:
      distribution.min_tokens = values[0];
      distribution.max_tokens = values[1];
      break;
    case Kind::kLognormal:
      distribution.mean_tokens = values[0];
      distribution.sigma = values[1];
      break;
    case Kind::kZipf:
      distribution.zipf_exponent = values[0];
      distribution.min_tokens = values[1];
      distribution.max_tokens = values[2];
      break;
    case Kind::kEmpirical:
      break;
  }
  return {};
}

}  // namespace

const std::vector<std::string>& length_kind_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const Kind kind : kKinds) {
      all.emplace_back(length_kind_name(kind));
    }
    return all;
  }();
  return names;
}

std::optional<LengthDistribution::Kind> find_length_kind(std::string_view name) {
  for (const Kind kind : kKinds) {
    if (length_kind_name(kind) == name) {
      return kind;
    }
  }
  return std::nullopt;
}

std::optional<std::string> lower_bound_problem(double value, double low, bool inclusive) {
  if (!std::isfinite(value)) {
    return "must be a finite number, got " + format_number(value);
  }
  if (inclusive ? value < low : value <= low) {
    return fmt::format("must be {} {}, got {}", inclusive ? ">=" : ">", format_number(low),
                       format_number(value));
  }
  return std::nullopt;
}

std::string_view length_kind_name(Kind kind) {
  switch (kind) {
    case Kind::kFixed:
      return "fixed";
    case Kind::kUniform:
      return "uniform";
    case Kind::kLognormal:
      return "lognormal";
    case Kind::kZipf:
      return "zipf";
    case Kind::kEmpirical:
      return "empirical";
  }
  return "unknown";
}

std::optional<std::string> token_count_problem(double tokens) {
  if (!std::isfinite(tokens)) {
    return "must be a finite number, got " + format_number(tokens);
  }
  if (tokens < 1.0) {
    return "must be >= 1, got " + format_number(tokens);
  }
  if (tokens > kMaxTokensPerRequest) {
    return "must be <= " + format_number(kMaxTokensPerRequest) + ", got " + format_number(tokens);
  }
  if (std::floor(tokens) != tokens) {
    return "must be a whole number of tokens, got " + format_number(tokens);
  }
  return std::nullopt;
}

void find_length_problems(const LengthDistribution& distribution,
                          const std::function<void(std::string_view, std::string)>& report) {
  auto check_tokens = [&](std::string_view field, double tokens) {
    if (std::optional<std::string> problem = token_count_problem(tokens)) {
      report(field, std::move(*problem));
      return false;
    }
    return true;
  };
  auto check_range = [&] {
    if (check_tokens("min", distribution.min_tokens) &&
        check_tokens("max", distribution.max_tokens) &&
        distribution.max_tokens < distribution.min_tokens) {
      report("max",
             fmt::format("must be >= min ({}), got {}", format_number(distribution.min_tokens),
                         format_number(distribution.max_tokens)));
    }
  };

  switch (distribution.kind) {
    case Kind::kFixed:
      check_tokens("tokens", distribution.fixed_tokens);
      break;
    case Kind::kUniform:
      check_range();
      break;
    case Kind::kLognormal:
      if (std::optional<std::string> problem = lower_bound_problem(distribution.mean_tokens, 1.0,
                                                                   /*inclusive=*/true)) {
        report("mean", std::move(*problem));
      } else if (distribution.mean_tokens > kMaxTokensPerRequest) {
        report("mean", "must be <= " + format_number(kMaxTokensPerRequest) + ", got " +
                           format_number(distribution.mean_tokens));
      }
      if (std::optional<std::string> problem =
              lower_bound_problem(distribution.sigma, 0.0, /*inclusive=*/true)) {
        report("sigma", std::move(*problem));
      }
      check_range();
      break;
    case Kind::kZipf:
      if (std::optional<std::string> problem =
              lower_bound_problem(distribution.zipf_exponent, 0.0, /*inclusive=*/false)) {
        report("exponent", std::move(*problem));
      }
      check_range();
      break;
    case Kind::kEmpirical: {
      if (distribution.empirical.empty()) {
        report("values", "must have at least one [tokens, weight] entry");
      }
      double total_weight = 0.0;
      for (std::size_t i = 0; i < distribution.empirical.size(); ++i) {
        const auto& [tokens, weight] = distribution.empirical[i];
        const std::string field = config::index_path("values", i);
        if (std::optional<std::string> problem = token_count_problem(tokens)) {
          report(field, "tokens " + *problem);
        }
        if (std::optional<std::string> problem = lower_bound_problem(weight, 0.0, true)) {
          report(field, "weight " + *problem);
        } else {
          total_weight += weight;
        }
      }
      if (!distribution.empirical.empty() && total_weight <= 0.0) {
        report("values", "must have at least one weight > 0");
      }
      check_range();
      break;
    }
  }
}

Result<void> check_length_distribution(const LengthDistribution& distribution) {
  std::optional<std::string> first;
  find_length_problems(distribution, [&](std::string_view field, std::string problem) {
    if (!first) {
      first = distribution.kind == Kind::kFixed
                  ? std::move(problem)
                  : fmt::format("{}: {} {}", length_kind_name(distribution.kind), field, problem);
    }
  });
  if (first) {
    return make_error(std::move(*first));
  }
  return {};
}

std::int32_t LengthDistribution::sample(Random& random) const {
  return LengthSampler(*this).sample(random);
}

double LengthDistribution::expected_tokens() const {
  const double low = std::max(1.0, std::ceil(min_tokens));
  const double high = std::max(low, std::floor(max_tokens));
  switch (kind) {
    case Kind::kFixed:
      return std::clamp(std::round(fixed_tokens), low, high);
    case Kind::kUniform:
      return 0.5 * (low + high);
    case Kind::kLognormal:
      return mean_tokens;
    case Kind::kZipf:
      return zipf_mean(zipf_exponent, low, high);
    case Kind::kEmpirical: {
      double weights = 0.0;
      double weighted_tokens = 0.0;
      for (const auto& [tokens, weight] : empirical) {
        weights += weight;
        weighted_tokens += weight * std::clamp(static_cast<double>(tokens), low, high);
      }
      return weights > 0.0 ? weighted_tokens / weights : 0.0;
    }
  }
  return 0.0;
}

Result<LengthDistribution> parse_length_distribution(std::string_view text) {
  text = trim(text);
  if (text.empty()) {
    return make_error(fmt::format("is empty; expected {}", kCommandLineForms));
  }

  LengthDistribution distribution;
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    if (std::optional<double> tokens = parse_number(text)) {
      distribution.fixed_tokens = *tokens;
      if (Result<void> valid = check_length_distribution(distribution); !valid) {
        return std::unexpected(valid.error());
      }
      return distribution;
    }
  }

  const std::string_view name = trim(text.substr(0, colon));
  const std::optional<Kind> kind = find_length_kind(name);
  if (!kind) {
    return make_error(fmt::format("unknown distribution \"{}\"{}; expected {}", name,
                                  config::did_you_mean(name, length_kind_names()),
                                  kCommandLineForms));
  }
  distribution.kind = *kind;

  if (*kind == Kind::kEmpirical) {
    // Everything after the first colon is the path, which may itself hold colons.
    const std::string_view file =
        colon == std::string_view::npos ? std::string_view() : trim(text.substr(colon + 1));
    if (file.empty()) {
      return make_error(fmt::format("expected empirical:FILE, got \"{}\"", text));
    }
    Result<std::vector<std::pair<std::int32_t, double>>> values =
        read_empirical_lengths(std::filesystem::path(file));
    if (!values) {
      return std::unexpected(values.error());
    }
    distribution.empirical = std::move(*values);
  } else if (Result<void> read = read_parameters(*kind, split_on_colons(text), text, distribution);
             !read) {
    return std::unexpected(read.error());
  }

  if (Result<void> valid = check_length_distribution(distribution); !valid) {
    return std::unexpected(valid.error());
  }
  return distribution;
}

Result<std::vector<std::pair<std::int32_t, double>>> read_empirical_lengths(
    const std::filesystem::path& path) {
  Result<LineReader> opened = LineReader::open(path);
  if (!opened) {
    return std::unexpected(opened.error());
  }
  LineReader& reader = *opened;

  std::vector<std::pair<std::int32_t, double>> values;
  double total_weight = 0.0;
  bool seen_data = false;
  std::vector<std::string_view> fields;
  std::string_view line;
  while (reader.next(line)) {
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) {
      continue;
    }
    if (!split_csv_fields(line, fields) || fields.size() != 2) {
      return make_error(reader.at_line(fmt::format("expected tokens,weight, got \"{}\"", line)));
    }
    const bool first_data_line = !seen_data;
    seen_data = true;

    const std::optional<double> tokens = parse_number(fields[0]);
    if (!tokens && first_data_line && fields[0] == "tokens") {
      continue;  // the header
    }
    if (!tokens) {
      return make_error(
          reader.at_line(fmt::format("tokens must be a number, got \"{}\"", fields[0])));
    }
    if (std::optional<std::string> problem = token_count_problem(*tokens)) {
      return make_error(reader.at_line("tokens " + *problem));
    }
    const std::optional<double> weight = parse_number(fields[1]);
    if (!weight) {
      return make_error(
          reader.at_line(fmt::format("weight must be a number, got \"{}\"", fields[1])));
    }
    if (std::optional<std::string> problem = lower_bound_problem(*weight, 0.0, true)) {
      return make_error(reader.at_line("weight " + *problem));
    }
    values.emplace_back(static_cast<std::int32_t>(*tokens), *weight);
    total_weight += *weight;
  }

  if (!reader.good()) {
    return make_error(reader.at_file("read failed"));
  }
  if (values.empty()) {
    return make_error(reader.at_file("has no tokens,weight lines"));
  }
  if (total_weight <= 0.0) {
    return make_error(reader.at_file("every weight is 0; at least one must be > 0"));
  }
  return values;
}

}  // namespace scoville::simulator
