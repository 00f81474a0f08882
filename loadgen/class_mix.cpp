#include "loadgen/class_mix.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "loadgen/http_token.h"

namespace scoville::loadgen {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

Result<ClassMix> ClassMix::parse(std::string_view text) {
  constexpr std::string_view kForm = "expected CLASS=WEIGHT[,CLASS=WEIGHT...]";
  ClassMix mix;
  double total_weight = 0.0;

  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = trim(text.substr(start, comma - start));
    start = comma + 1;

    const std::size_t equals = item.find('=');
    if (equals == std::string_view::npos) {
      return make_error(fmt::format("{}, got \"{}\"", kForm, item));
    }
    const std::string_view name = trim(item.substr(0, equals));
    const std::string_view weight_text = trim(item.substr(equals + 1));
    if (!is_http_token(name)) {
      return make_error(
          fmt::format("class \"{}\" must be a non-empty name of letters, digits "
                      "and -._ (it is sent as a header value)",
                      name));
    }
    const bool repeated = std::any_of(mix.entries_.begin(), mix.entries_.end(),
                                      [&](const Entry& entry) { return entry.name == name; });
    if (repeated) {
      return make_error(fmt::format("class \"{}\" is given twice", name));
    }
    double weight = 0.0;
    const auto [end, ec] =
        std::from_chars(weight_text.data(), weight_text.data() + weight_text.size(), weight);
    if (weight_text.empty() || ec != std::errc() ||
        end != weight_text.data() + weight_text.size() || !std::isfinite(weight) || weight < 0.0) {
      return make_error(
          fmt::format("{}: weight must be a number >= 0, got \"{}\"", name, weight_text));
    }
    // The share holds the raw weight until the total is known.
    mix.entries_.push_back(Entry{std::string(name), weight});
    total_weight += weight;
  }
  if (!(total_weight > 0.0)) {
    return make_error("needs at least one weight > 0");
  }

  double running = 0.0;
  for (std::size_t i = 0; i < mix.entries_.size(); ++i) {
    Entry& entry = mix.entries_[i];
    running += entry.share;
    mix.cumulative_weights_.push_back(running);
    if (entry.share > 0.0) mix.last_drawable_ = i;
    entry.share = entry.share / total_weight;
  }
  return mix;
}

const std::string& ClassMix::sample(simulator::Random& random) const {
  static const std::string kNone;
  if (entries_.empty()) {
    return kNone;
  }
  // Entries of weight 0 add nothing to the running sum, so upper_bound never lands on them.
  const double draw = random.uniform() * cumulative_weights_.back();
  const auto at = std::upper_bound(cumulative_weights_.begin(), cumulative_weights_.end(), draw);
  const auto index = static_cast<std::size_t>(at - cumulative_weights_.begin());
  // The product can round up to the total itself, past every entry.
  return entries_[std::min(index, last_drawable_)].name;
}

}  // namespace scoville::loadgen
