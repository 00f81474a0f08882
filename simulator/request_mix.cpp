#include "simulator/request_mix.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "config/closest_match.h"

namespace scoville::simulator {

Random workload_stream(std::uint64_t seed, WorkloadStream stream) {
  return Random(seed).fork(static_cast<std::uint64_t>(stream));
}

Result<std::int32_t> find_class_index(std::string_view name,
                                      const std::vector<std::string>& class_names) {
  const auto it = std::find(class_names.begin(), class_names.end(), name);
  if (it == class_names.end()) {
    std::string known;
    for (const std::string& class_name : class_names) {
      known += known.empty() ? "" : ", ";
      known += class_name;
    }
    return make_error("unknown compute class \"" + std::string(name) + "\"" +
                      config::did_you_mean(name, class_names) + "; the simulation has " +
                      (known.empty() ? "none" : known));
  }
  return static_cast<std::int32_t>(it - class_names.begin());
}

Result<RequestMix> RequestMix::create(const WorkloadSpec& spec,
                                      const std::vector<std::string>& class_names) {
  RequestMix mix;

  const std::vector<std::pair<std::string, double>> default_mix = {{"standard", 1.0}};
  const auto& class_mix = spec.class_mix.empty() ? default_mix : spec.class_mix;
  double total_weight = 0.0;
  for (const auto& [name, weight] : class_mix) {
    Result<std::int32_t> index = find_class_index(name, class_names);
    if (!index) {
      return make_error("class_mix: " + index.error().message);
    }
    if (!(weight >= 0.0) || !std::isfinite(weight)) {
      return make_error("class_mix." + name + ": weight must be >= 0");
    }
    if (weight == 0.0) {
      continue;
    }
    total_weight += weight;
    mix.class_indices_.push_back(*index);
    mix.class_cumulative_weights_.push_back(total_weight);
  }
  if (mix.class_indices_.empty()) {
    return make_error("class_mix: needs at least one weight > 0");
  }

  double total_share = 0.0;
  std::int64_t next_group = 0;
  for (const PrefixGroupSpec& group : spec.prefix_groups) {
    if (!(group.share >= 0.0 && group.share <= 1.0) || group.prefix_tokens < 1 ||
        group.groups < 1) {
      return make_error(
          "prefix_groups: each entry needs a share in [0, 1], prefix_tokens >= 1 and "
          "groups >= 1");
    }
    total_share += group.share;
    if (group.share == 0.0) {
      continue;
    }
    mix.prefix_ranges_.push_back(PrefixRange{.cumulative_share = total_share,
                                             .first_group = static_cast<std::int32_t>(next_group),
                                             .groups = group.groups,
                                             .prefix_tokens = group.prefix_tokens});
    next_group += group.groups;
    if (next_group > std::numeric_limits<std::int32_t>::max()) {
      return make_error("prefix_groups: more than 2147483647 groups in all");
    }
  }
  // A rounding slack, so that shares such as 0.1 + 0.2 + 0.7 pass.
  if (total_share > 1.0 + 1e-9) {
    return make_error(
        fmt::format("prefix_groups: shares sum to {:.6g}, must be <= 1", total_share));
  }
  return mix;
}

std::int32_t RequestMix::draw_class(Random& random) const {
  if (class_indices_.size() == 1) {
    return class_indices_.front();
  }
  const double target = random.uniform() * class_cumulative_weights_.back();
  const auto it =
      std::upper_bound(class_cumulative_weights_.begin(), class_cumulative_weights_.end(), target);
  const auto position = std::min<std::size_t>(
      static_cast<std::size_t>(it - class_cumulative_weights_.begin()), class_indices_.size() - 1);
  return class_indices_[position];
}

void RequestMix::draw_prefix(WorkloadRequest& request, Random& random) const {
  request.prefix_group = -1;
  request.prefix_tokens = 0;
  if (prefix_ranges_.empty()) {
    return;
  }

  // Two draws per request whether or not it gets a prefix, so that the n-th request's draw
  // does not depend on what earlier requests got.
  const double share_draw = random.uniform();
  const double group_draw = random.uniform();
  const auto it =
      std::find_if(prefix_ranges_.begin(), prefix_ranges_.end(),
                   [&](const PrefixRange& range) { return share_draw < range.cumulative_share; });
  if (it == prefix_ranges_.end() || request.input_tokens < 2) {
    return;
  }

  const auto offset = std::min(static_cast<std::int32_t>(group_draw * it->groups), it->groups - 1);
  request.prefix_group = it->first_group + offset;
  request.prefix_tokens = std::min(it->prefix_tokens, request.input_tokens - 1);
}

}  // namespace scoville::simulator
