#include "router/fleet.h"

#include <algorithm>
#include <deque>

namespace scoville::router {

std::string_view availability_name(Availability availability) {
  switch (availability) {
    case Availability::kAvailable:
      return "available";
    case Availability::kUnhealthy:
      return "unhealthy";
    case Availability::kCircuitOpen:
      return "circuit open";
    case Availability::kRateLimited:
      return "rate limited";
  }
  return "unknown";
}

Fleet::Fleet(std::vector<UpstreamSpec> specs, CircuitBreakerPolicy breaker_policy,
             std::map<std::string, std::vector<std::string>> fallback_classes,
             std::unique_ptr<BalancingPolicy> policy)
    : fallback_classes_(std::move(fallback_classes)), policy_(std::move(policy)) {
  for (UpstreamSpec& spec : specs) {
    upstreams_.push_back(std::make_unique<Upstream>(std::move(spec), breaker_policy));
  }
  for (const auto& [compute_class, fallbacks] : fallback_classes_) {
    chains_[compute_class] = build_chain(compute_class);
  }
  for (const auto& upstream : upstreams_) {
    const std::string& compute_class = upstream->spec().compute_class;
    if (!chains_.contains(compute_class)) chains_[compute_class] = build_chain(compute_class);
  }
}

const std::vector<std::string>& Fleet::class_chain(const std::string& compute_class) const {
  static const std::vector<std::string> kNoChain;
  const auto it = chains_.find(compute_class);
  return it == chains_.end() ? kNoChain : it->second;
}

std::vector<std::string> Fleet::build_chain(const std::string& compute_class) const {
  std::vector<std::string> chain;
  std::deque<std::string> queue{compute_class};
  while (!queue.empty()) {
    std::string next = std::move(queue.front());
    queue.pop_front();
    if (std::find(chain.begin(), chain.end(), next) != chain.end()) continue;
    chain.push_back(next);
    const auto it = fallback_classes_.find(chain.back());
    if (it == fallback_classes_.end()) continue;
    for (const std::string& fallback : it->second) queue.push_back(fallback);
  }
  return chain;
}

std::optional<Choice> Fleet::choose(const std::vector<std::string>& chain, const std::string& model,
                                    const TriedBackends& tried, TimePoint now) {
  for (const bool allow_tried : {false, true}) {
    for (const std::string& compute_class : chain) {
      if (std::optional<Choice> choice =
              choose_in_class(compute_class, model, tried, allow_tried, now)) {
        return choice;
      }
    }
  }
  return std::nullopt;
}

std::optional<Choice> Fleet::choose_in_class(const std::string& compute_class,
                                             const std::string& model, const TriedBackends& tried,
                                             bool allow_tried, TimePoint now) {
  boost::container::small_vector<Candidate, 16> candidates;
  for (const auto& upstream : upstreams_) {
    if (upstream->spec().compute_class != compute_class) continue;
    if (!upstream->serves(model)) continue;
    if (!allow_tried && tried.contains(upstream.get())) continue;
    if (upstream->availability(now) != Availability::kAvailable) continue;
    candidates.push_back({upstream.get(), upstream->outstanding(), upstream->spec().weight});
  }
  if (candidates.empty()) return std::nullopt;
  const std::size_t chosen =
      policy_->choose(std::span<const Candidate>(candidates.data(), candidates.size()));
  return Choice{candidates[chosen].upstream, compute_class};
}

std::string Fleet::describe_unavailable(const std::vector<std::string>& chain,
                                        const std::string& model, TimePoint now) const {
  std::string listed;
  for (const auto& upstream : upstreams_) {
    const std::string& compute_class = upstream->spec().compute_class;
    if (std::find(chain.begin(), chain.end(), compute_class) == chain.end()) continue;
    if (!upstream->serves(model)) continue;
    if (!listed.empty()) listed += ", ";
    listed +=
        upstream->name() + " (" + std::string(availability_name(upstream->availability(now))) + ")";
  }
  std::string classes;
  for (const std::string& compute_class : chain) {
    classes += (classes.empty() ? "" : ", ") + compute_class;
  }
  if (listed.empty()) {
    return "no backend in class " + classes + " serves model \"" + model + "\"";
  }
  return "no backend can take the request now: " + listed;
}

bool Fleet::any_serves(const std::string& model) const {
  return std::any_of(upstreams_.begin(), upstreams_.end(),
                     [&](const auto& upstream) { return upstream->serves(model); });
}

std::vector<std::string> Fleet::model_names() const {
  std::vector<std::string> names;
  for (const auto& upstream : upstreams_) {
    for (std::string& model : upstream->models()) {
      if (std::find(names.begin(), names.end(), model) == names.end()) {
        names.push_back(std::move(model));
      }
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool Fleet::all_models_known() const {
  return std::all_of(upstreams_.begin(), upstreams_.end(),
                     [](const auto& upstream) { return upstream->models_known(); });
}

std::size_t Fleet::available_count(TimePoint now) const {
  return static_cast<std::size_t>(
      std::count_if(upstreams_.begin(), upstreams_.end(), [&](const auto& upstream) {
        return upstream->availability(now) == Availability::kAvailable;
      }));
}

}  // namespace scoville::router
